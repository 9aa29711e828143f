# The python row of `make bench` (bench/README.md): a handler that lets
# every call through, so the row measures what the python plugin itself
# costs a notification (the GIL, the event object, the call, the verdict).
import sandlock


class Continue:
    def handle(self, ev):
        return sandlock.Continue
