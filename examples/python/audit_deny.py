# audit_deny.py -- a sandlock handler in Python (sandlock-python(7)): every
# file the sandbox opens is printed, and the paths named by `deny` keys are
# refused with EACCES.
#
# Race-free: the path is read from the child once, checked, and an allowed
# file is opened by sandlock on the child's behalf (event.open, as the
# child, inside its root) and handed over as the call's result; answering
# Continue instead would let another thread of the child change the path
# after the check. The check is on the path as the child wrote it,
# normalised: a symbolic or hard link to a denied file is not caught (the
# fsdeny plugin checks the object a path reaches; use it for real policy).
import errno
import os

import sandlock


class AuditDeny:
    # openat2 gets ENOSYS so that libc falls back to openat, which is checked.
    syscalls = ["open", "openat", "openat2"]

    def __init__(self, deny=""):
        self.deny = {os.fsencode(p.strip()) for p in deny.split(",") if p.strip()}

    def handle(self, ev):
        if ev.syscall == "openat2":
            return sandlock.Errno(errno.ENOSYS)
        if ev.syscall == "open":  # open(path, flags, mode): relative to the cwd
            dirfd, addr, flags, mode = -100, ev.args[0], ev.args[1], ev.args[2]
        else:                     # openat(dirfd, path, flags, mode)
            dirfd, addr, flags, mode = ev.args[0], ev.args[1], ev.args[2], ev.args[3]
        path = ev.resolve_path(dirfd, addr)  # int arguments: their low 32 bits count
        if path in self.deny:
            print(f"audit: pid {ev.pid} {ev.syscall} {os.fsdecode(path)} DENIED")
            ev.report_denial(errno.EACCES, path)
            return sandlock.Errno(errno.EACCES)
        print(f"audit: pid {ev.pid} {ev.syscall} {os.fsdecode(path)}")
        try:
            fd = ev.open(path, flags, mode)
        except OSError as e:
            return sandlock.Errno(e.errno)
        return sandlock.Fd(fd, cloexec=bool(flags & os.O_CLOEXEC))
