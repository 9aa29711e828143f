# Shared by the tests of `import sandlock`: the sandboxed commands are small
# Python programs (this interpreter), whose output pytest's capfd captures
# (the command inherits the test's descriptors 1 and 2).
import os
import sys

import pytest

import sandlock

# No instance of the configuration: only the built-in deny list.
EMPTY = "[sandlock]\n"


def child(code):
    """argv of a sandboxed Python program."""
    return [sys.executable, "-I", "-c", code]


# A program printing the outcome of opening each path: "PATH: ok TEXT" or
# "PATH: ERRNAME".
OPENER = """
import errno, sys
for p in sys.argv[1:]:
    try:
        with open(p) as f:
            print(p + ": ok " + f.read(), flush=True)
    except OSError as e:
        print(p + ": " + errno.errorcode[e.errno], flush=True)
"""


def opener(*paths):
    return child(OPENER) + list(paths)


def getppid(times=1):
    return child("import os\n" + "print(os.getppid(), flush=True)\n" * times)


@pytest.fixture
def run(capfd):
    """run(argv, handlers, config=EMPTY, **kw) -> (status, stdout lines, stderr)."""
    def go(argv, handlers=(), config=EMPTY, **kw):
        status = sandlock.run(argv, config, handlers=list(handlers), **kw)
        out, err = capfd.readouterr()
        return status, out.splitlines(), err
    return go


class Marked:
    """Base of openat handlers that judge only paths ending in `marker`
    (read with the read_string service), letting the interpreter's own
    opens through."""
    syscalls = ["openat"]
    marker = b"/sandlock-marker"

    def __init__(self):
        self.seen = []

    def handle(self, ev):
        path = ev.read_string(ev.args[1])
        if not path.endswith(self.marker):
            return sandlock.Continue
        self.seen.append(path)
        return self.judge(ev, path)


def marker_path(tmp_path):
    return os.fspath(tmp_path) + "/sandlock-marker"
