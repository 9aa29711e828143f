# Handler for plugins/python/test.sh: denies the socket calls to one
# address (deny = IP:PORT or unix:PATH) with EHOSTUNREACH, judged in one of
# two ways (how =):
#   snapshot  on the host's snapshot of the call, ev.sock_call() -- the way:
#             every address of connect, bind and the addressed sends
#   read      on a connect's IPv4 address read from the child's memory with
#             ev.read(): the kernel reads it again after Continue, so a
#             thread of the child that rewrites it in between connects where
#             this handler did not allow. Never judge a socket call so; the
#             test shows why.
import errno
import os
import socket
import struct

import sandlock


def where(t):
    """A SockTarget as deny = spells it."""
    if t.kind == "inet":
        return f"{t.ip}:{t.port}"
    if t.kind == "unix_path":
        return "unix:" + os.fsdecode(t.real)
    return t.kind


class Handler:
    def __init__(self, deny, how="snapshot"):
        self.deny = deny
        self.how = how
        self.syscalls = ["connect"] if how == "read" else ["connect", "bind", "sendto", "sendmsg", "sendmmsg"]

    def handle(self, ev):
        if self.how == "read":
            raw = ev.read(ev.args[1], min(ev.args[2], 16))
            is_inet = len(raw) >= 8 and struct.unpack_from("=H", raw)[0] == socket.AF_INET
            ip, port = socket.inet_ntop(socket.AF_INET, raw[4:8]), struct.unpack_from("!H", raw, 2)[0]
            targets = [f"{ip}:{port}"] if is_inet else []
        else:
            targets = [where(t) for t in ev.sock_call().targets]
        return sandlock.Errno(errno.EHOSTUNREACH) if self.deny in targets else sandlock.Continue
