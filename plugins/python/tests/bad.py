# A syntax error on line 5, for plugins/python/test.sh.
import sandlock

class Handler:
    def handle(self, ev)
        return sandlock.Continue
