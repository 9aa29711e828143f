#!/usr/bin/env bash
# The sandbox's life: fds, exit codes, descendants, supervisor death.
. "$top_srcdir/tests/integration/common.sh"
E=$EMPTY_INI
ini=$(write_ini plug <<EOF2
[plugin p]
module = verdict
syscalls = uname
action = continue
EOF2
)

# ---- only fds 0, 1, 2 ----
exec 7>"$TEST_TMP/leak" 8<"$TEST_TMP/leak"
run_sandlock run -c "$E" -- "$PROBE" fds
is "the child sees only fds 0, 1, 2 (sandlock's own 7 and 8 are not inherited)" "$out" "fds=0,1,2"
run_sandlock run -c "$ini" -- "$PROBE" fds
is "with a plugin loaded: still only fds 0, 1, 2 (no listener)" "$out" "fds=0,1,2"
run_sandlock run -c "$ini" -- sh -c 'ls -l /proc/$$/fd | grep -c seccomp'
is "the listener is not visible to the command" "$out" "0"
exec 7>&- 8<&-
# Started with stdin or stdout closed: the command finds it closed too, and
# none of sandlock's own descriptors (pidfds, listener) took its place.
got=$("$SANDLOCK" run -c "$ini" -- "$PROBE" fds:err 2>&1 >&- </dev/null)
is "sandlock started with stdout closed: the command's fd 1 is closed" "$got" "fds=0,2"
got=$("$SANDLOCK" run -c "$ini" -- "$PROBE" fds:err 2>&1 >/dev/null <&-)
is "sandlock started with stdin closed: the command's fd 0 is closed" "$got" "fds=1,2"
got=$("$SANDLOCK" run -c "$ini" -- sh -c 'echo hi; ls -l /proc/self/fd/ | grep -c -e pidfd -e seccomp' <&-)
is "stdin closed: no pidfd or listener leaks into the command" "$got" "hi
0"

# ---- stdin/stdout/stderr are the command's ----
out=$(printf 'abc\n' | "$SANDLOCK" run -c "$E" -- cat)
is "stdin reaches the command" "$out" "abc"

# ---- exit codes ----
run_sandlock run -c "$E" -- "$PROBE" exit:42
is "exit status: the command's own (42)" "$rc" 42
run_sandlock run -c "$E" -- "$PROBE" exit:0
is "exit status: 0" "$rc" 0
run_sandlock run -c "$E" -- "$PROBE" raise:10
is "death by SIGUSR1: 138" "$rc" 138
run_sandlock run -c "$E" -- "$PROBE" raise:9
is "death by SIGKILL: 137" "$rc" 137
run_sandlock run -c "$E" -- "$PROBE" raise:15
is "death by SIGTERM: 143" "$rc" 143
printf 'not a program\n' > "$TEST_TMP/notexec"
chmod 644 "$TEST_TMP/notexec"
run_sandlock run -c "$E" -- "$TEST_TMP/notexec"
is "not executable: 126" "$rc" 126
like "not executable: a clear message" "$err" "notexec: Permission denied"
run_sandlock run -c "$E" -- "$TEST_TMP"
is "a directory: 126" "$rc" 126
run_sandlock run -c "$E" -- no-such-command-xyz
is "not found: 127" "$rc" 127
like "not found: a clear message" "$err" "no-such-command-xyz: command not found"
run_sandlock run -c "$E" -- /no/such/path
is "not found by path: 127" "$rc" 127
run_sandlock run -c "$TEST_TMP/missing.ini" -- true
is "missing configuration file: 125" "$rc" 125
like "missing configuration file: message" "$err" "missing.ini"
ini_bad=$(write_ini badmod <<EOF2
[plugin x]
module = no-such-module
EOF2
)
run_sandlock run -c "$ini_bad" -- true
is "unknown plugin module: 125" "$rc" 125
like "unknown plugin module: message" "$err" "no-such-module"
ini_bad=$(write_ini badinit <<EOF2
[plugin x]
module = verdict
syscalls = getppid
action = frobnicate
EOF2
)
run_sandlock run -c "$ini_bad" -- true
is "plugin init failure: 125" "$rc" 125
like "plugin init failure: message names the instance" "$err" "x.*action"
run_sandlock run
is "no command: 125" "$rc" 125
run_sandlock run --bogus-option -- true
is "bad option: 125" "$rc" 125

# ---- the command runs on sandlock's CPUs (its processes start elsewhere) ----
want=$(grep Cpus_allowed_list /proc/self/status)
run_sandlock run -c "$E" -- grep Cpus_allowed_list /proc/self/status
is "the command may run on every CPU sandlock may" "$out" "$want"
if command -v taskset >/dev/null; then
    for cpus in 0 "$(nproc --all | awk '{ print ($1 > 1) ? "0,1" : "0" }')"; do
        out=$(taskset -c "$cpus" "$SANDLOCK" run -c "$E" -- grep Cpus_allowed_list /proc/self/status 2>&1)
        is "sandlock limited to CPUs $cpus: so is the command" "$(printf '%s' "$out" | awk '{ print $2 }')" \
            "$(printf '%s' "$cpus" | sed 's/^0,1$/0-1/')"
    done
fi

# (A plugin whose init fails: startup.sh.)

# ---- descendants left behind are killed when the command exits ----
run_sandlock run -c "$E" -- "$PROBE" daemon:"$TEST_TMP/${UNIQ}d1" exit:5
is "daemonised grandchild: sandlock exits with the command's status" "$rc" 5
if [ -s "$TEST_TMP/${UNIQ}d1" ] && named_gone "${UNIQ}d1"; then pass "the setsid daemon is gone when sandlock returns"
else fail "the setsid daemon is gone when sandlock returns" "pid '$(pid_named "${UNIQ}d1")'"; pkill -9 -x "${UNIQ}d1"; fi
run_sandlock run -c "$E" -- sh -c "\"$PROBE\" daemon:$TEST_TMP/${UNIQ}d2 & \"$PROBE\" daemon:$TEST_TMP/${UNIQ}d3; wait"
if [ -s "$TEST_TMP/${UNIQ}d2" ] && [ -s "$TEST_TMP/${UNIQ}d3" ] && named_gone "${UNIQ}d2" && named_gone "${UNIQ}d3"
then pass "several daemons: all gone"
else fail "several daemons: all gone" "'$(pid_named "${UNIQ}d2")' '$(pid_named "${UNIQ}d3")'"; fi

# ---- the teardown: every fini() once, then the modules go; no process left ----
# The sandlock program leaves the modules mapped after fini() (its exit
# unmaps them): each fini() still runs once, the module's destructor once,
# and nothing of the sandbox (its stub included) outlives sandlock.
teardown=$(write_ini teardown <<EOF2
[plugin a]
module = $FIXTURE
syscalls = getppid
tag = a
fini_log = $TEST_TMP/fini.log
[plugin b]
module = $FIXTURE
syscalls = getppid
tag = b
fini_log = $TEST_TMP/fini.log
EOF2
)
: > "$TEST_TMP/fini.log"; chmod 666 "$TEST_TMP/fini.log"   # (written as nobody by nopidns.sh)
got=$(SANDLOCK_TEST_DTOR=$TEST_TMP/fini.log "$PROBE" subreaper "$SANDLOCK" run -c "$teardown" -- "$PROBE" getppid exit:3 | tail -n 1)
is "teardown: the command's status, nothing left behind (the stub reaped before sandlock returns)" "$got" \
    "status=3 orphans=0"
is "teardown: each instance's fini() once, in reverse order, then the module's destructor once" \
    "$(cat "$TEST_TMP/fini.log")" "b fini
a fini
destructor"
# The same when the command leaves a daemon: the stub's exit kills it.
: > "$TEST_TMP/fini.log"; chmod 666 "$TEST_TMP/fini.log"   # (written as nobody by nopidns.sh)
got=$(SANDLOCK_TEST_DTOR=$TEST_TMP/fini.log "$PROBE" subreaper "$SANDLOCK" run -c "$teardown" -- \
    "$PROBE" daemon:"$TEST_TMP/${UNIQ}t1" exit:4 | tail -n 1)
is "teardown with a daemon left: the command's status, nothing left behind" "$got" "status=4 orphans=0"
if [ -s "$TEST_TMP/${UNIQ}t1" ] && named_gone "${UNIQ}t1"; then pass "teardown with a daemon left: the daemon is gone"
else fail "teardown with a daemon left: the daemon is gone" "pid '$(pid_named "${UNIQ}t1")'"; pkill -9 -x "${UNIQ}t1"; fi
is "teardown with a daemon left: each fini() once, then the destructor once" "$(cat "$TEST_TMP/fini.log")" "b fini
a fini
destructor"
# 30 short runs in a row: each returns the command's status, none leaves
# its stub (or anything else) behind.
bad=0
for i in $(seq 30); do
    got=$("$PROBE" subreaper "$SANDLOCK" run -c "$teardown" -- true)
    [ "$got" = "status=0 orphans=0" ] || { bad=$((bad + 1)); echo "# run $i: $got"; }
done
is "teardown: 30 short runs, each with its status and nothing left" "$bad" 0

# Many background children and a deep tree: all gone when the command ends.
marker="61.$$"
cat > "$TEST_TMP/deep.sh" <<EOF2
#!/bin/sh
level=\$1
if [ "\$level" -gt 0 ]; then exec sh "$TEST_TMP/deep.sh" \$((level - 1)) & wait; exit 0; fi
"$PROBE" daemon:"$TEST_TMP/${UNIQ}deep"
EOF2
run_sandlock run -c "$E" -- sh -c "for i in \$(seq 40); do sleep $marker & done; sh '$TEST_TMP/deep.sh' 6; exit 6"
is "40 children and a deep tree: the command's status" "$rc" 6
left=$(pgrep -fc "sleep $marker")
is "40 children: none left" "$left" 0
if [ -s "$TEST_TMP/${UNIQ}deep" ] && named_gone "${UNIQ}deep"; then pass "the daemon at the bottom of a deep tree is gone"
else fail "the daemon at the bottom of a deep tree is gone" "pid '$(pid_named "${UNIQ}deep")'"; fi
pkill -f "sleep $marker" 2>/dev/null

# A background child that keeps the command's stdout open is killed too:
# whoever reads sandlock's output sees EOF when the command exits.
start=$(date +%s)
out=$(timeout 20 "$SANDLOCK" run -c "$E" -- sh -c 'sleep 30 & echo started' 2>/dev/null)
rc=$?
end=$(date +%s)
is "a background child holding stdout: output" "$out" "started"
is "a background child holding stdout: exit status 0" "$rc" 0
if [ $((end - start)) -le 5 ]; then pass "a background child holding stdout: EOF at once ($((end - start)) s)"
else fail "a background child holding stdout: EOF at once" "took $((end - start)) s"; fi

# kill(0, sig) in the sandbox reaches only the sandbox, not the process
# group sandlock shares with its caller (here: a shell that leads a new
# session without a terminal, like a script under CI).
got=$(setsid sh -c "\"$SANDLOCK\" run -c \"$E\" -- sh -c 'kill -TERM 0; sleep 1; echo after'; echo caller survived rc=\$?" </dev/null 2>&1)
like "kill -TERM 0 in the sandbox: the caller survives, the command died of it" "$got" "caller survived rc=143"
got=$(setsid sh -c "\"$SANDLOCK\" run -c \"$E\" -- sh -c 'kill -KILL 0; echo after'; echo caller survived rc=\$?" </dev/null 2>&1)
like "kill -KILL 0 in the sandbox: neither the caller nor sandlock is killed" "$got" "caller survived rc=137"
unlike "kill -KILL 0 in the sandbox: no 'sandbox ended' error (sandlock was not hit)" "$got" "ended before"

# ---- the supervisor dies by SIGKILL: the sandbox dies with it ----
start_bg skill run -c "$ini" -- "$PROBE" name:"${UNIQ}c4" daemon:"$TEST_TMP/${UNIQ}d4" pause:"$TEST_TMP/never"
if wait_for "$TEST_TMP/skill.out" "paused"; then
    cpid=$(pid_named "${UNIQ}c4")
    dpid=$(pid_named "${UNIQ}d4")
    kill -9 "$bg_pid"
    wait_bg "$bg_pid"
    if gone_within "$cpid"; then pass "supervisor SIGKILLed: the command is gone"
    else fail "supervisor SIGKILLed: the command is gone"; kill -9 "$cpid"; fi
    if gone_within "$dpid"; then pass "supervisor SIGKILLed: the setsid grandchild is gone"
    else fail "supervisor SIGKILLed: the setsid grandchild is gone"; kill -9 "$dpid"; fi
else
    fail "supervisor SIGKILL test: the probe did not start" "$(cat "$TEST_TMP/skill.err")"
fi

# ... also when plugins intercept what cleaning up needs (kill, wait4,
# openat, getdents64, read, close): the stub is not under the filter.
ini_all=$(write_ini all <<EOF2
[plugin all]
module = $FIXTURE
syscalls = kill, tgkill, wait4, waitid, openat, getdents64, read, close, futex, nanosleep
syscalls = clock_nanosleep, pidfd_open, pidfd_send_signal, rt_sigprocmask, exit_group
mode = continue
EOF2
)
start_bg skill2 run -c "$ini_all" -- "$PROBE" name:"${UNIQ}c5" daemon:"$TEST_TMP/${UNIQ}d5" pause:"$TEST_TMP/never"
if wait_for "$TEST_TMP/skill2.out" "paused"; then
    cpid=$(pid_named "${UNIQ}c5")
    dpid=$(pid_named "${UNIQ}d5")
    kill -9 "$bg_pid"
    wait_bg "$bg_pid"
    if gone_within "$cpid"; then pass "supervisor SIGKILLed, cleanup syscalls intercepted: the command is gone"
    else fail "supervisor SIGKILLed, cleanup syscalls intercepted: the command is gone"; kill -9 "$cpid"; fi
    if gone_within "$dpid"; then pass "supervisor SIGKILLed, cleanup syscalls intercepted: the grandchild is gone"
    else fail "supervisor SIGKILLed, cleanup syscalls intercepted: the grandchild is gone"; kill -9 "$dpid"; fi
else
    fail "supervisor SIGKILL test 2: the probe did not start" "$(cat "$TEST_TMP/skill2.err")"
fi

# ---- the supervisor survives a kill verdict whatever the pid/pgid ----
ini_k=$(write_ini killpg <<EOF2
[plugin k]
module = verdict
syscalls = uname
action = kill:SIGUSR2
EOF2
)
run_sandlock run -c "$ini_k" -- sh -c "\"$PROBE\" uname"
is "kill verdict: the supervisor reports 128+SIGUSR2" "$rc" 140
like "kill verdict: the supervisor explains" "$err" "killed \(SIGUSR2\)"

# ---- a plugin thread busy in malloc while the sandbox starts ----
# The stub is a raw clone of the multi-threaded sandlock: a lock another
# thread held at that instant stays locked in the stub, and a fork() there
# (glibc's takes every malloc lock) hung for good -- every launch, with
# this thread. 30 launches, each bounded; the first hang ends the loop.
ini_storm=$(write_ini storm <<EOF2
[plugin storm]
module = $FIXTURE
syscalls = getppid
malloc_storm = yes
EOF2
)
hung=0 wrong=0
for _ in $(seq 30); do
    out=$(timeout -k 2 10 "$SANDLOCK" run -c "$ini_storm" -- "$PROBE" getppid 2>/dev/null)
    rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then hung=$((hung + 1)); break; fi
    [ "$rc" -eq 0 ] || wrong=$((wrong + 1))
done
is "a plugin thread in malloc during start-up: 30 launches, none hung, none failed" "$hung $wrong" "0 0"

done_testing
