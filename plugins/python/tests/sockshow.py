# Handler for plugins/python/test.sh: prints what ev.sock_call() shows of
# each socket call (to sandlock's stderr) and lets it through; keeps the
# last snapshot and its first target, and shows on getppid that both are
# stale by then and that sock_call() of another syscall raises. With
# defer = yes: defers each socket call after taking its snapshot, shows
# that the snapshot is stale then, and refuses the call (EHOSTUNREACH).
import errno
import os
import stat

import sandlock

FIELDS = ("kind", "family", "ip", "port", "scope_id", "name", "mapped", "this_host",
          "flags", "error", "named", "real", "base")


def held(fd):
    """What a target's held descriptor is: sock, dir, other or -1."""
    if fd < 0:
        return "-1"
    mode = os.fstat(fd).st_mode
    return "sock" if stat.S_ISSOCK(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def stale(use):
    try:
        use()
    except sandlock.StaleEventError:
        return 1
    return 0


class Handler:
    syscalls = ["connect", "bind", "sendto", "sendmsg", "sendmmsg", "getppid"]

    def __init__(self, defer="no"):
        self.defer = defer == "yes"
        self.kept = self.kept_target = None

    def handle(self, ev):
        if ev.syscall == "getppid":
            return sandlock.Return(self.later(ev))
        c = ev.sock_call()
        self.kept, self.kept_target = c, (c.targets[0] if c.targets else None)
        print(f"sock_call {c.call} error={c.error} domain={c.domain} type={c.type} protocol={c.protocol}"
              f" targets={len(c.targets)} same={ev.sock_call().targets[0].addr == c.targets[0].addr if c.targets else None}")
        for i, t in enumerate(c.targets):
            print(f"target {i} " + " ".join(f"{f}={getattr(t, f)!r}" for f in FIELDS)
                  + f" hold={held(t.hold)} addr={len(t.addr) if t.addr is not None else None}")
        if not self.defer:
            return sandlock.Continue
        ev.defer()
        print(f"after defer: stale={stale(lambda: c.call) + stale(lambda: c.targets[0].port)}"
              f" repr={c!r} sock_call={self.raises(ev)}")
        ev.answer(sandlock.Errno(errno.EHOSTUNREACH))
        return sandlock.Defer

    @staticmethod
    def raises(ev):
        try:
            ev.sock_call()
        except OSError as e:
            return errno.errorcode[e.errno]
        return "none"

    def later(self, ev):
        """getppid: sock_call() raises; the kept objects are stale."""
        print(f"getppid: sock_call={self.raises(ev)}")
        if self.kept is None:
            return 0
        uses = (lambda: self.kept.call, lambda: self.kept.targets, lambda: self.kept_target.port,
                lambda: self.kept_target.addr)
        print(f"stale: {sum(stale(u) for u in uses)} of {len(uses)} repr={self.kept!r}")
        return 0
