# Handler for plugins/python/test.sh: denies connect to one IPv4 address
# (deny = ADDR:PORT), judged in one of two ways (how =):
#   snapshot  on the host's snapshot of the call, ev.sock_call() -- the way
#   read      on the address read from the child's memory with ev.read():
#             the kernel reads it again after Continue, so a thread of the
#             child that rewrites it in between connects where this handler
#             did not allow. Never judge a socket call so; the test shows why.
import errno
import socket
import struct

import sandlock


class Handler:
    syscalls = ["connect"]

    def __init__(self, deny, how="snapshot"):
        ip, port = deny.rsplit(":", 1)
        self.deny = (ip, int(port))
        self.how = how

    def handle(self, ev):
        if self.how == "read":
            raw = ev.read(ev.args[1], min(ev.args[2], 16))
            is_inet = len(raw) >= 8 and struct.unpack_from("=H", raw)[0] == socket.AF_INET
            targets = [(socket.inet_ntop(socket.AF_INET, raw[4:8]), struct.unpack_from("!H", raw, 2)[0])] if is_inet else []
        else:
            targets = [(t.ip, t.port) for t in ev.sock_call().targets if t.kind == "inet"]
        return sandlock.Errno(errno.EHOSTUNREACH) if self.deny in targets else sandlock.Continue
