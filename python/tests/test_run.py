# sandlock.run() through real sandboxed children: every verdict of a Python
# handler, a service, the exception policy, stale events, deferral
# answered from a Python thread, a socket call judged on its snapshot,
# several handlers, a configuration with a C instance, exit statuses,
# sandlock.Error, and the GIL released.
import errno
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

import sandlock
from conftest import EMPTY, Marked, child, getppid, marker_path, opener


class Answer:
    """getppid answered with a fixed verdict; counts its calls."""
    syscalls = ["getppid"]

    def __init__(self, verdict):
        self.verdict = verdict
        self.calls = 0

    def handle(self, ev):
        self.calls += 1
        assert ev.syscall == "getppid" and ev.pid >= 0
        return self.verdict


# ---- verdicts ----

def test_continue_runs_the_real_call(run):
    h = Answer(sandlock.Continue)
    status, out, _ = run(getppid(), [h])
    assert status == 0 and h.calls == 1
    assert int(out[0]) >= 0 and out[0] != "42"


def test_return(run):
    status, out, _ = run(getppid(), [Answer(sandlock.Return(42))])
    assert (status, out) == (0, ["42"])


def test_errno_and_the_read_string_service(run, tmp_path):
    class Deny(Marked):
        def judge(self, ev, path):
            return sandlock.Errno(errno.EACCES)
    h = Deny()
    path = marker_path(tmp_path)
    Path(path).write_text("real")
    status, out, _ = run(opener(path), [h])
    assert out == [path + ": EACCES"]
    assert h.seen == [os.fsencode(path)]  # the path the child named, as bytes


def test_kill_gives_128_plus_signal(run):
    status, out, _ = run(getppid(2), [Answer(sandlock.Kill(signal.SIGTERM))])
    assert status == 128 + signal.SIGTERM and out == []


def test_fd_of_content(run, tmp_path):
    class Content(Marked):
        def judge(self, ev, path):
            return sandlock.Fd(sandlock.content_fd(b"from python"))
    path = marker_path(tmp_path)  # does not exist: the handler's content is all there is
    status, out, _ = run(opener(path), [Content()])
    assert (status, out) == (0, [path + ": ok from python"])


def test_defer_answered_from_a_python_thread(run):
    class Later:
        syscalls = ["getppid"]
        def handle(self, ev):
            ev.defer()
            def answer():
                time.sleep(0.05)
                ev.answer(sandlock.Return(4001))
            threading.Thread(target=answer).start()
            return sandlock.Defer
    status, out, _ = run(getppid(2), [Later()])
    assert (status, out) == (0, ["4001", "4001"])


# ---- failures ----

class Raise(Marked):
    def judge(self, ev, path):
        raise RuntimeError("handler failure on purpose")


def test_exception_default_policy_kills(run, tmp_path):
    status, out, err = run(opener(marker_path(tmp_path)), [Raise()])
    assert status == 128 + signal.SIGKILL and out == []
    assert "RuntimeError: handler failure on purpose" in err


def test_exception_policy_of_the_handler_and_traceback_once(run, tmp_path):
    h = Raise()
    h.on_exception = "eperm"
    path = marker_path(tmp_path)
    status, out, err = run(opener(path, path, path), [h])
    assert status == 0 and out == [path + ": EPERM"] * 3
    assert err.count("Traceback (most recent call last)") == 1
    assert "test_run.py" in err


def test_exception_policy_of_the_run(run, tmp_path):
    path = marker_path(tmp_path)
    status, out, _ = run(opener(path), [Raise()], on_exception="eio")
    assert (status, out) == (0, [path + ": EIO"])


def test_invalid_verdict_is_a_plugin_failure(run):
    h = Answer(42)
    h.on_exception = "eperm"
    status, out, err = run(getppid(), [h])
    assert out == ["-1"]  # getppid() returned -EPERM
    assert "42 is not a sandlock verdict" in err


def test_stale_event(run):
    class Keep:
        syscalls = ["getppid"]
        kept = None
        def handle(self, ev):
            if self.kept is None:
                self.kept = ev
                return sandlock.Return(1)
            refused = 0
            for use in (lambda: self.kept.pid, lambda: self.kept.args,
                        lambda: self.kept.read_string(ev.args[0]),
                        lambda: self.kept.answer(sandlock.Continue)):
                try:
                    use()
                except sandlock.StaleEventError:
                    refused += 1
            return sandlock.Return(100 + refused)
    h = Keep()
    status, out, _ = run(getppid(2), [h])
    assert out == ["1", "104"]
    # After the run: still stale, and the event still knows its syscall's
    # name (the host's copy of it is gone: ASan of a sanitizer build).
    with pytest.raises(sandlock.StaleEventError, match=r"\(getppid\) was used after"):
        h.kept.pid
    assert repr(h.kept).startswith("<sandlock.Event getppid pid ")


# ---- several instances, configurations ----

class JudgeConnect:
    """connect judged on the host's snapshot: port 40002 refused."""
    syscalls = ["connect"]

    def __init__(self):
        self.seen = []
        self.kept = None

    def handle(self, ev):
        c = ev.sock_call()
        self.kept = c
        self.seen.append((c.call, c.type, [(t.kind, t.ip, t.port) for t in c.targets]))
        if any(t.kind == "inet" and t.port == 40002 for t in c.targets):
            return sandlock.Errno(errno.EHOSTUNREACH)
        return sandlock.Continue


def test_sock_call_snapshot(run):
    code = """
import errno, socket
for port in (40001, 40002):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("127.0.0.1", port))
        print("peer", s.getpeername()[1], flush=True)
    except OSError as e:
        print(errno.errorcode[e.errno], flush=True)
"""
    h = JudgeConnect()
    status, out, _ = run(child(code), [h])
    assert (status, out) == (0, ["peer 40001", "EHOSTUNREACH"])
    assert h.seen == [("connect", 2, [("inet", "127.0.0.1", 40001)]), ("connect", 2, [("inet", "127.0.0.1", 40002)])]
    with pytest.raises(sandlock.StaleEventError):
        h.kept.targets  # the snapshot is only valid inside handle()


def test_two_handlers_in_chain_order(run):
    first, second = Answer(sandlock.Continue), Answer(sandlock.Return(7))
    status, out, _ = run(getppid(), [first, second])
    assert out == ["7"] and first.calls == 1 and second.calls == 1


def test_config_file_with_a_c_instance(run, tmp_path):
    if not os.environ.get("SANDLOCK_PLUGIN_PATH"):
        pytest.skip("SANDLOCK_PLUGIN_PATH does not name the built plugins (python/test.sh sets it)")
    ini = tmp_path / "sandlock.ini"
    ini.write_text("[plugin fixed-uid]\nmodule = verdict\nsyscalls = getuid\naction = return:4242\n")
    code = "import os\nprint(os.getuid(), os.getppid(), flush=True)\n"
    h = Answer(sandlock.Return(42))
    status, out, _ = run([sys.executable, "-I", "-c", code], [h], config=ini)
    assert (status, out) == (0, ["4242 42"]) and h.calls == 1


def test_same_handler_class_as_the_plugin(run):
    scripts = Path(__file__).resolve().parents[2] / "plugins" / "python" / "tests"
    if not (scripts / "verdicts.py").exists():
        pytest.skip(f"{scripts}/verdicts.py: not in a source tree")
    sys.path.insert(0, str(scripts))
    try:
        import verdicts
    finally:
        sys.path.remove(str(scripts))
    status, out, _ = run(getppid(), [verdicts.Handler(verdict="return")])
    assert out == ["42"]


def test_syscalls_method_name_and_close(run):
    class Named:
        name = "my-handler"
        closed = False
        def syscalls(self):
            return ["getppid"]
        def handle(self, ev):
            sandlock.log("handled by " + self.name, sandlock.WARN)
            return sandlock.Return(5)
        def close(self):
            self.closed = True
    h = Named()
    status, out, err = run(getppid(), [h])
    assert out == ["5"] and h.closed
    assert "my-handler" in err and "handled by my-handler" in err


# ---- statuses and errors ----

def test_exit_status_of_the_command(run):
    assert run(["sh", "-c", "exit 3"])[0] == 3
    assert run(["sh", "-c", "exit 125"])[0] == 125  # the command's own 125 is no sandlock.Error
    assert run(["sh", "-c", "kill -TERM $$"])[0] == 128 + signal.SIGTERM
    assert run(["/nonexistent/command"])[0] == 127


def test_error_on_a_bad_config(run, tmp_path):
    with pytest.raises(sandlock.Error, match=r"<config>:2:"):
        run(["true"], config="[sandlock]\n[bogus\n")
    with pytest.raises(sandlock.Error, match="nonexistent"):
        run(["true"], config=tmp_path / "nonexistent.ini")


def test_error_on_a_bad_handler(run):
    class NoSyscalls:
        def handle(self, ev):
            return sandlock.Continue
    with pytest.raises(sandlock.Error, match="no syscalls"):
        run(["true"], [NoSyscalls()])
    with pytest.raises(TypeError, match="handle"):
        run(["true"], [object()])
    with pytest.raises(ValueError, match="on_exception"):
        run(["true"], on_exception="ignore")


def test_gil_released_during_the_run(run):
    ticks = []
    stop = threading.Event()
    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)
    t = threading.Thread(target=tick)
    t.start()
    try:
        start = time.monotonic()
        status, _, _ = run(["sleep", "0.5"], [Answer(sandlock.Continue)])
        end = time.monotonic()
    finally:
        stop.set()
        t.join()
    assert status == 0
    # The thread ran all along the command's half second.
    assert len([x for x in ticks if start + 0.1 < x < end - 0.1]) >= 10
