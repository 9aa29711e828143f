# Handler for plugins/python/test.sh, also imported as a module (import =
# answer, path = ...): answers getppid with `value`.
import sandlock


class Handler:
    syscalls = ["getppid"]

    def __init__(self, value="99"):
        self.value = int(value)

    def handle(self, ev):
        return sandlock.Return(self.value)
