#!/bin/sh
# python plugin: handlers written in Python, seen through real sandboxed
# children (pyprobe): every verdict, every host service, exceptions and
# the exception policy, stale events, deferral answered from a Python
# thread, a chain mixing two scripts and a C instance, load errors; socket
# calls judged on the host's snapshot (ev.sock_call()): what it shows, that
# a handler judging on it is never raced by a child rewriting the address
# (one reading it with ev.read() is), alone and with netguard in either
# order, as root and as nobody.
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
NG="$top_builddir/plugins/netguard/ngprobe"
servers=""
trap 'kill $servers 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for s in "tcp4 127.0.0.1 tcp4" "tcp6 ::1 tcp6" "udp4 127.0.0.1 udp4" "unix $TEST_TMP/s.sock unix" \
         "unixdgram $TEST_TMP/d.sock unixd" "unixdgram $TEST_TMP/okd.sock okd"; do
    set -- $s
    "$NG" serve "$1" "$2" "$TEST_TMP/$3.port" &
    servers="$servers $!"
done
for f in tcp4 tcp6 udp4 unix unixd okd; do
    i=0
    while [ ! -s "$TEST_TMP/$f.port" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
done
A=$(cat "$TEST_TMP/tcp4.port") S6=$(cat "$TEST_TMP/tcp6.port") U=$(cat "$TEST_TMP/udp4.port")
ln -s "$TEST_TMP/s.sock" "$TEST_TMP/link.sock"

# The race: a thread of the child flips the port of a shared address
# between an allowed and a denied one while another connects UDP sockets to
# it (ngprobe race); the peer the kernel records must never be the denied
# port. A handler that reads the address itself with ev.read() is raced
# (the kernel reads it again after Continue); on the snapshot never.
GOOD=40001 BAD=40002 TRIES=2000
# judge_ini HOW [DENY]: sockjudge.py denying DENY (127.0.0.1:$BAD), judged HOW.
judge_ini() {
    printf '[plugin judge]\nmodule = python\nscript = sockjudge.py\ndeny = %s\nhow = %s\n' "${2:-127.0.0.1:$BAD}" "$1" |
        write_ini "judge-$1"
}
read_ini=$(judge_ini read) snap_ini=$(judge_ini snapshot)
# raced [PREFIX...]: rounds of $TRIES racing connects under $read_ini
# (PREFIX: runs sandlock as another user) until one reaches the denied port
# (the child's flipping thread must run between the two reads: a loaded
# machine may not let it in one round), at most 5; $out: the last round's.
raced() {
    rounds=0
    while [ $rounds -lt 5 ]; do
        rounds=$((rounds + 1))
        out=$("$@" "$SANDLOCK" run -c "$read_ini" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES 2>/dev/null </dev/null)
        case $out in *" bad 0 "*) ;; *) break ;; esac
    done
}
raced
like "the race is real: judged on ev.read(), connects reach the denied port (round $rounds of 5)" "$out" \
    "^good [0-9]+ bad [1-9][0-9]* errors [1-9][0-9]*$"
run_sandlock run -c "$snap_ini" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES
like "judged on sock_call(): none of $TRIES racing connects reaches the denied port" "$out" \
    "^good [1-9][0-9]+ bad 0 errors [1-9][0-9]+$"
run_sandlock run -c "$snap_ini" -- "$NG" mmsgpair 127.0.0.1 $GOOD $BAD
is "judged on sock_call(): a sendmmsg whose second message goes to the denied port is refused" "$out" \
    "err EHOSTUNREACH"

# What the snapshot shows (sockshow.py prints it on sandlock's stderr).
show=$(printf '[plugin show]\nmodule = python\nscript = sockshow.py\n' | write_ini show)
# shown WHAT... : runs the probe steps under sockshow.py; $out, $err.
shown() { run_sandlock run -c "$show" -- "$@"; }
none="named=b'' real=b'' base=b'' hold=-1"
shown "$NG" connect tcp4 127.0.0.1 "$A"
is "connect to IPv4: the call is made once allowed" "$out" "ok hello"
like "connect to IPv4: the call" "$err" "sock_call connect error=0 domain=2 type=1 protocol=6 targets=1 same=True"
like "connect to IPv4: the target" "$err" \
    "target 0 kind='inet' family=2 ip='127.0.0.1' port=$A scope_id=0 name=None mapped=False this_host=False flags=0 error=0 $none addr=16"
shown "$NG" connect tcp6 ::1 "$S6"
like "connect to IPv6" "$err" "sock_call connect error=0 domain=10 type=1 protocol=6 targets=1"
like "connect to IPv6: the target" "$err" "target 0 kind='inet6' family=10 ip='::1' port=$S6 scope_id=0 name=None .* $none addr=28"
shown "$NG" connect tcp6 ::ffff:127.0.0.1 "$A"
like "connect to an IPv4-mapped IPv6 address: read as IPv4" "$err" "target 0 kind='inet' family=10 ip='127.0.0.1' port=$A .* mapped=True this_host=False"
shown "$NG" connect tcp4 0.0.0.0 "$A"
like "connect to 0.0.0.0: where the kernel goes" "$err" "target 0 kind='inet' family=2 ip='127.0.0.1' port=$A .* mapped=False this_host=True"
shown "$NG" connect unix "$TEST_TMP/link.sock" 0
is "connect to a unix path (a symlink)" "$out" "ok hello"
like "connect to a unix path: the path as named, the object held and where it is" "$err" \
    "target 0 kind='unix_path' family=1 ip=None port=0 scope_id=0 name=b'$TEST_TMP/link.sock' .* error=0 named=b'$TEST_TMP/link.sock' real=b'$TEST_TMP/s.sock' base=b'' hold=sock"
shown "$NG" connect unix "$TEST_TMP/missing.sock" 0
is "connect to a missing unix path: the kernel's answer" "$out" "err ENOENT"
like "connect to a missing unix path: the target's error" "$err" "target 0 kind='unix_path' .* error=-2 .* hold=-1"
shown "$NG" connect unix @sockshow 0
like "connect to an abstract name" "$err" "target 0 kind='unix_abstract' family=1 .* name=b'sockshow' .* named=b'@sockshow'"
shown "$NG" bind unix "$TEST_TMP/made.sock" 0
is "bind of a unix path makes the socket" "$out" "ok sock"
like "bind: the call" "$err" "sock_call bind error=0 domain=1 type=1 protocol=0 targets=1"
like "bind: the directory held, the entry's name" "$err" \
    "target 0 kind='unix_path' .* named=b'$TEST_TMP/made.sock' real=b'$TEST_TMP/made.sock' base=b'made.sock' hold=dir"
for how in sendto sendmsg; do
    shown "$NG" send udp4 $how 127.0.0.1 "$U"
    is "$how: sent once allowed" "$out" "ok pong"
    like "$how: the call" "$err" "sock_call send error=0 domain=2 type=2 protocol=17 targets=1"
    like "$how: the target" "$err" "target 0 kind='inet' family=2 ip='127.0.0.1' port=$U .* $none addr=16"
done
shown "$NG" mmsgpair 127.0.0.1 $GOOD $BAD
is "sendmmsg: both sent once allowed" "$out" "sent 2"
like "sendmmsg: one target per message" "$err" "sock_call send error=0 domain=2 type=2 protocol=17 targets=2"
like "sendmmsg: the first message's address" "$err" "target 0 kind='inet' family=2 ip='127.0.0.1' port=$GOOD .* $none addr=16"
like "sendmmsg: the second message's own address" "$err" "target 1 kind='inet' family=2 ip='127.0.0.1' port=$BAD .* $none addr=16"
shown sh -c "'$NG' connect tcp4 127.0.0.1 $A && exec '$probe' getppid"
like "another syscall: sock_call() raises OSError(EINVAL)" "$err" "getppid: sock_call=EINVAL"
like "after handle() returned: the call and its target are stale" "$err" "stale: 4 of 4 repr=<sandlock.SockCall \(stale\)>"
printf 'defer = yes\n' >> "$show"
shown "$NG" connect tcp4 127.0.0.1 "$A"
is "deferred after the snapshot, answered with an errno" "$out" "err EHOSTUNREACH"
like "after defer(): the snapshot is stale, sock_call() raises OSError(EINVAL)" "$err" \
    "after defer: stale=2 repr=<sandlock.SockCall \(stale\)> sock_call=EINVAL"

# In one chain with netguard, either order: the call is judged by both on
# the same snapshot and made once, by sandlock, after the chain.
py_part=$(printf '[plugin judge]\nmodule = python\nscript = sockjudge.py\ndeny = unix:%s\n' "$TEST_TMP/d.sock")
ng_part=$(printf '[plugin net]\nmodule = netguard\ndeny = 127.0.0.1:%s\nerrno = ENETUNREACH\n' "$BAD")
py_then_ng=$(printf '%s\n%s\n' "$py_part" "$ng_part" | write_ini py_then_ng)
ng_then_py=$(printf '%s\n%s\n' "$ng_part" "$py_part" | write_ini ng_then_py)
for order in py_then_ng ng_then_py; do
    eval ini=\$$order
    label=$(echo $order | sed 's/py/python/g; s/ng/netguard/g; s/_then_/ then /')
    run_sandlock run -c "$ini" -- "$NG" send unixdgram sendto "$TEST_TMP/d.sock" 0
    is "$label: python refuses what it denies" "$out" "err EHOSTUNREACH"
    run_sandlock run -c "$ini" -- "$NG" mmsgpair 127.0.0.1 $GOOD $BAD
    is "$label: netguard refuses what it denies" "$out" "err ENETUNREACH"
    : > "$TEST_TMP/okd.sock.log"
    run_sandlock run -c "$ini" -- "$NG" send unixdgram sendto "$TEST_TMP/okd.sock" 0
    is "$label: allowed by both: sent" "$out" "ok sent"
    i=0; while [ ! -s "$TEST_TMP/okd.sock.log" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    is "$label: allowed by both: made once (one datagram arrived)" "$(cat "$TEST_TMP/okd.sock.log")" "ping"
    run_sandlock run -c "$ini" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES
    like "$label: the racing connects never reach the port netguard denies" "$out" " bad 0 "
done
is "no datagram reached the socket python denies" "$(cat "$TEST_TMP/d.sock.log" 2>/dev/null)" ""

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
        raced env SANDLOCK_USERNS=$userns setpriv --reuid=nobody --regid=nogroup --clear-groups
        like "as nobody (user namespace: $userns): the race is real on ev.read() (round $rounds of 5)" "$out" \
            "^good [0-9]+ bad [1-9][0-9]* errors [1-9][0-9]*$"
        out=$(SANDLOCK_USERNS=$userns setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$SANDLOCK" run -c "$snap_ini" -- "$NG" race 127.0.0.1 $GOOD $BAD $TRIES 2>/dev/null)
        like "as nobody (user namespace: $userns): none of $TRIES racing connects passes sock_call()" "$out" \
            "^good [1-9][0-9]+ bad 0 errors [1-9][0-9]+$"
    done
fi
done_testing
