# Handler for plugins/python/test.sh: every host service, used from Python
# on the probe's calls.
import os

import sandlock


class Services:
    syscalls = ["openat", "uname", "dup"]

    def __init__(self, nodename="from-python", file="/etc/hostname"):
        self.nodename = nodename.encode()
        self.file = file
        sandlock.log(f"services.py: nodename {nodename}", sandlock.WARN)

    def handle(self, ev):
        if ev.syscall == "uname":
            # struct utsname: six fields of 65 bytes; nodename is the second.
            field = self.nodename + b"\0"
            if ev.read(ev.args[0] + 65, len(field)) == b"\0" * len(field):
                ev.write(ev.args[0] + 65, field)
            return sandlock.Return(0)
        if ev.syscall == "dup":
            copy = ev.dup_fd(ev.args[0])
            return sandlock.Fd(copy)
        raw = ev.read_string(ev.args[1])
        if not raw.startswith(b"/sandlock-py/"):
            return sandlock.Continue
        path = ev.resolve_path(ev.args[0], ev.args[1])
        name = path[len(b"/sandlock-py/"):]
        if name == b"resolved":
            return sandlock.Fd(sandlock.content_fd(raw + b" " + path))
        if name == b"umask":
            return sandlock.Fd(sandlock.content_fd(b"%03o" % ev.umask()))
        if name == b"open":
            # A str path (os.fsencode'd), opened as the child, in its root.
            return sandlock.Fd(ev.open(self.file))
        if name == b"fileobj":
            with open(self.file, "rb") as f:  # duplicated: closing f is fine
                return sandlock.Fd(f)
        if name == b"denied":
            ev.report_denial(13, path)
            ev.log("denied " + os.fsdecode(path), sandlock.WARN)
            return sandlock.Errno(13)
        return sandlock.Errno(2)
