# Handler for plugins/python/test.sh: answers getppid with the verdict named
# by the `verdict` key, and exercises the failure semantics.
import errno
import signal
import threading

import sandlock


class Handler:
    syscalls = ["getppid"]

    def __init__(self, verdict="continue", content="from python"):
        self.verdict = verdict
        self.content = content.encode()
        self.kept = None

    def handle(self, ev):
        v = self.verdict
        if v == "continue":
            return sandlock.Continue
        if v == "errno":
            return sandlock.Errno(errno.EACCES)
        if v == "return":
            return sandlock.Return(42)
        if v == "kill":
            return sandlock.Kill(signal.SIGTERM)
        if v == "fd":
            return sandlock.Fd(sandlock.content_fd(self.content))
        if v == "defer":
            ev.defer()
            # The thread uses the event after handle() returned: deferred,
            # it stays usable until answered.
            threading.Thread(target=lambda: ev.answer(sandlock.Return(4000 + (ev.pid > 0)))).start()
            return sandlock.Defer
        if v == "drop":
            ev.defer()  # deferred, then forgotten: nobody can answer it
            return sandlock.Defer
        if v == "raise":
            raise RuntimeError("handler failure on purpose")
        if v == "invalid":
            return 42
        if v == "stale":
            # The first call keeps its event; the second uses it: every
            # attribute and service must raise StaleEventError.
            if self.kept is None:
                self.kept = ev
                return sandlock.Return(1)
            refused = 0
            for use in (lambda: self.kept.pid, lambda: self.kept.args,
                        lambda: self.kept.read(ev.args[0], 1),
                        lambda: self.kept.open("/"),
                        lambda: self.kept.answer(sandlock.Continue)):
                try:
                    use()
                except sandlock.StaleEventError:
                    refused += 1
            return sandlock.Return(100 + refused)
        raise ValueError(f"unknown verdict {v!r}")
