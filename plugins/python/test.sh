#!/bin/sh
# python plugin: handlers written in Python, seen through real sandboxed
# children (pyprobe): every verdict, every host service, exceptions and
# the exception policy, stale events, deferral answered from a Python
# thread, a chain mixing two scripts and a C instance, load errors.
. "$top_srcdir/tests/lib.sh"
probe="$top_builddir/plugins/python/pyprobe"
[ -f "$top_builddir/plugins/.libs/python.so" ] || { echo "Bail out! the python plugin is not built"; exit 1; }
chmod 755 "$TEST_TMP"
# Under --sanitizers: CPython's own allocations left at exit (lsan.supp).
LSAN_OPTIONS="suppressions=$top_srcdir/plugins/python/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
cp "$top_srcdir"/plugins/python/tests/*.py "$TEST_TMP/"
chmod 644 "$TEST_TMP"/*.py

# py_ini NAME VERDICT [LINE...] : one instance of verdicts.py (script path
# relative to the configuration's directory) answering getppid.
py_ini() {
    name=$1 verdict=$2
    shift 2
    {
        printf '[plugin py]\nmodule = python\nscript = verdicts.py\nverdict = %s\n' "$verdict"
        for line in "$@"; do echo "$line"; done
    } | write_ini "$name"
}

# ---- verdicts ----
run_sandlock run -c "$(py_ini cont continue)" -- "$probe" getppid
like "Continue: the real getppid runs" "$out" "^getppid=[0-9]+ errno=0$"
unlike "Continue: not answered by the handler" "$out" "^getppid=42 "
run_sandlock run -c "$(py_ini errno errno)" -- "$probe" getppid
is "Errno(EACCES)" "$out" "getppid=-1 errno=EACCES"
run_sandlock run -c "$(py_ini ret return)" -- "$probe" getppid
is "Return(42)" "$out" "getppid=42 errno=0"
run_sandlock run -c "$(py_ini kill kill)" -- "$probe" getppid getppid
is "Kill(SIGTERM): sandlock exits 128+15" "$rc" 143
is "Kill(SIGTERM): the call never returns" "$out" ""
run_sandlock run -c "$(py_ini fd fd)" -- "$probe" getppid
like "Fd(content_fd): the call returns a new descriptor" "$out" "^getppid=([3-9]|[1-9][0-9]+) errno=0$"
run_sandlock run -c "$(py_ini defer defer)" -- "$probe" getppid getppid
is "Defer, answered by a Python thread (twice)" "$out" "$(printf 'getppid=4001 errno=0\ngetppid=4001 errno=0')"
is "Defer: sandlock exits normally" "$rc" 0
run_sandlock run -c "$(py_ini drop drop 'on_exception = eperm')" -- "$probe" getppid
is "a deferred event dropped unanswered: the exception policy at once" "$out" "getppid=-1 errno=EPERM"
like "a dropped deferred event is logged" "$err" "deferred getppid \(pid [0-9]+\) dropped without an answer"

# ---- failure semantics ----
run_sandlock run -c "$(py_ini raise raise)" -- "$probe" getppid
is "exception, default policy kill: exit 137" "$rc" 137
like "exception: the log names the site" "$err" "getppid: RuntimeError: handler failure on purpose \(at .*verdicts.py:[0-9]+"
run_sandlock run -c "$(py_ini raise-eperm raise 'on_exception = eperm')" -- "$probe" getppid getppid getppid
is "exception, on_exception = eperm: the child gets EPERM each time" "$out" \
    "$(printf 'getppid=-1 errno=EPERM\ngetppid=-1 errno=EPERM\ngetppid=-1 errno=EPERM')"
is "exception: the traceback is logged once for the site" "$(printf '%s\n' "$err" | grep -c 'Traceback (most recent call last)')" 1
is "exception: sandlock survives (the child's status)" "$rc" 0
run_sandlock run -c "$(py_ini invalid invalid 'on_exception = eperm')" -- "$probe" getppid
is "an invalid verdict object is a plugin failure" "$out" "getppid=-1 errno=EPERM"
like "invalid verdict named in the log" "$err" "42 is not a sandlock verdict"
run_sandlock run -c "$(py_ini stale stale)" -- "$probe" getppid getppid
is "stale event: first call" "$(echo "$out" | head -1)" "getppid=1 errno=0"
is "stale event: all 5 uses raise StaleEventError" "$(echo "$out" | tail -1)" "getppid=105 errno=0"

# ---- load errors ----
ini=$(printf '[plugin broken]\nmodule = python\nscript = bad.py\n' | write_ini bad)
run_sandlock check -c "$ini"
is "syntax error: load error" "$rc" 125
like "syntax error: names the instance, file and line" "$err" "\[plugin broken\].*$TEST_TMP/bad.py:5: SyntaxError"
ini=$(printf '[plugin both]\nmodule = python\nscript = verdicts.py\nimport = answer\n' | write_ini both)
run_sandlock check -c "$ini"
like "script and import together refused" "$err" "exactly one of script"
ini=$(printf '[plugin kw]\nmodule = python\nscript = verdicts.py\nbogus = 1\n' | write_ini kw)
run_sandlock check -c "$ini"
like "an unknown key reaches the constructor, which refuses it" "$err" "TypeError: .*unexpected keyword argument 'bogus'"

# The script runs inside sandlock: the trust rule of plugin modules.
mkdir "$TEST_TMP/shared"
cp "$TEST_TMP/answer.py" "$TEST_TMP/shared/"
chmod 777 "$TEST_TMP/shared"
ini=$(printf '[plugin untrusted]\nmodule = python\nscript = shared/answer.py\n' | write_ini untrusted)
run_sandlock check -c "$ini"
is "script in a world-writable directory refused" "$rc" 125
like "refusal names the reason" "$err" "writable by group or others"
chmod 755 "$TEST_TMP/shared"
chmod 666 "$TEST_TMP/shared/answer.py"
run_sandlock check -c "$ini"
like "world-writable script refused" "$err" "untrusted.*writable by group or others"
chmod 644 "$TEST_TMP/shared/answer.py"

# import = MODULE with path = (relative to the configuration's directory);
# the environment does not change what the interpreter imports.
mkdir -p "$TEST_TMP/lib" "$TEST_TMP/evil"
sed 's/value="99"/value="77"/' "$TEST_TMP/answer.py" > "$TEST_TMP/lib/pyanswer.py"
sed 's/value="99"/value="66"/' "$TEST_TMP/answer.py" > "$TEST_TMP/evil/pyanswer.py"
ini=$(printf '[plugin imp]\nmodule = python\nimport = pyanswer\npath = lib\n' | write_ini imp)
out=$(PYTHONPATH="$TEST_TMP/evil" "$SANDLOCK" run -c "$ini" -- "$probe" getppid 2>/dev/null)
is "import = with path =: PYTHONPATH is ignored" "$out" "getppid=77 errno=0"
ini=$(printf '[plugin imp]\nmodule = python\nimport = pyanswer\n' | write_ini imp2)
err=$(cd "$TEST_TMP/evil" && PYTHONPATH="$TEST_TMP/evil" PYTHONHOME=/nonexistent "$SANDLOCK" check -c "$ini" 2>&1)
like "neither PYTHONPATH, PYTHONHOME nor the working directory reach sys.path" "$err" \
    "ModuleNotFoundError: No module named 'pyanswer'"

# ---- a chain: two scripts with a C instance between them ----
ini=$(write_ini chain <<'INI'
[plugin first]
module = python
script = verdicts.py
verdict = continue
[plugin middle]
module = verdict
syscalls = getppid
action = continue
static = no
[plugin last]
module = python
script = answer.py
value = 99
INI
)
run_sandlock run -c "$ini" -- "$probe" getppid
is "python, C, python: the last instance answers" "$out" "getppid=99 errno=0"
sed -i 's/action = continue/action = return:7/' "$ini"
run_sandlock run -c "$ini" -- "$probe" getppid
is "python, C answers: the second script is not reached" "$out" "getppid=7 errno=0"

# ---- host services from Python ----
echo "file content" > "$TEST_TMP/file"
chmod 644 "$TEST_TMP/file"
svc=$(printf '[plugin svc]\nmodule = python\nscript = services.py\nhandler = Services\nfile = %s\n' \
    "$TEST_TMP/file" | write_ini svc)
run_sandlock run -c "$svc" -- "$probe" uname
is "read + write: the nodename written into the child's struct" "$out" "uname=0 errno=0 nodename=from-python"
run_sandlock run -c "$svc" -- "$probe" open:/sandlock-py/resolved open:/sandlock-py//x/../resolved
is "read_string + resolve_path + content_fd" "$out" \
    "$(printf 'open=ok data=/sandlock-py/resolved /sandlock-py/resolved cloexec=1\nopen=ok data=/sandlock-py//x/../resolved /sandlock-py/resolved cloexec=1')"
run_sandlock run -c "$svc" -- sh -c "umask 027; exec $probe open:/sandlock-py/umask"
is "umask: the trapped thread's" "$out" "open=ok data=027 cloexec=1"
run_sandlock run -c "$svc" -- "$probe" open:/sandlock-py/open open:/sandlock-py/fileobj
is "open (a str path) and Fd(file object)" "$out" \
    "$(printf 'open=ok data=file content cloexec=1\nopen=ok data=file content cloexec=1')"
run_sandlock run -c "$svc" -- "$probe" dup:"$TEST_TMP/file"
is "dup_fd: Fd(copy) is installed by sandlock (close-on-exec, unlike dup's)" "$out" \
    "dup=ok data=file content cloexec=1"
run_sandlock run -c "$svc" -- "$probe" open:/sandlock-py/denied
is "report_denial + Errno" "$out" "open=-1 errno=EACCES"
like "report_denial: sandlock's denial line" "$err" 'warning: \[svc\] denied openat "/sandlock-py/denied" by pid [0-9]+: EACCES'
like "event.log: a line under the instance's name" "$err" '\[svc\] denied /sandlock-py/denied'
like "sandlock.log from the constructor: under the instance's name" "$err" '\[svc\] services.py: nodename from-python'

# ---- socket calls: judged on the host's snapshot, ev.sock_call() ----
# The race: a thread of the child flips the port of a shared address
# between an allowed and a denied one while another connects UDP sockets to
# it (ngprobe race); the peer the kernel records must never be the denied
# port. A handler that reads the address itself with ev.read() is raced
# (the kernel reads it again after Continue); on the snapshot never.
NG="$top_builddir/plugins/netguard/ngprobe"
GOOD=40001 BAD=40002 TRIES=2000
# judge_ini HOW: sockjudge.py denying connect to 127.0.0.1:$BAD, judged HOW.
judge_ini() {
    printf '[plugin judge]\nmodule = python\nscript = sockjudge.py\ndeny = 127.0.0.1:%s\nhow = %s\n' "$BAD" "$1" |
        write_ini "judge-$1"
}
run_sandlock run -c "$(judge_ini read)" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES
like "the race is real: judged on ev.read(), connects reach the denied port" "$out" \
    "^good [0-9]+ bad [1-9][0-9]* errors [1-9][0-9]*$"
run_sandlock run -c "$(judge_ini snapshot)" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES
like "judged on sock_call(): none of $TRIES racing connects reaches the denied port" "$out" \
    "^good [1-9][0-9]+ bad 0 errors [1-9][0-9]+$"

# ---- unprivileged: the same plugin for a sandlock run by nobody ----
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "as nobody" "needs root and setpriv to run sandlock as nobody"
else
    for userns in yes no; do
        out=$(SANDLOCK_USERNS=$userns setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$SANDLOCK" run -c "$svc" -- "$probe" uname open:/sandlock-py/resolved 2>/dev/null)
        is "as nobody (user namespace: $userns): services" "$out" \
            "$(printf 'uname=0 errno=0 nodename=from-python\nopen=ok data=/sandlock-py/resolved /sandlock-py/resolved cloexec=1')"
        out=$(SANDLOCK_USERNS=$userns setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$SANDLOCK" run -c "$TEST_TMP/defer.ini" -- "$probe" getppid 2>/dev/null)
        is "as nobody (user namespace: $userns): deferral from a thread" "$out" "getppid=4001 errno=0"
    done
fi
done_testing
