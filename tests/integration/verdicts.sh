#!/usr/bin/env bash
# Each verdict, as the sandboxed child sees it.
. "$top_srcdir/tests/integration/common.sh"

# ---- errno ----
ini=$(write_ini errno <<EOF2
[plugin deny-ppid]
module = verdict
syscalls = getppid
action = errno:EACCES
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "errno verdict: the child's getppid fails with EACCES" "$out" "getppid=-1 errno=EACCES"
is "errno verdict: sandlock exits with the command's status" "$rc" 0

ini=$(write_ini errno13 <<EOF2
[plugin deny-ppid]
module = verdict
syscalls = getppid
action = errno:13
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "errno verdict by number" "$out" "getppid=-1 errno=EACCES"

# ---- return value ----
ini=$(write_ini ret <<EOF2
[plugin fake-ppid]
module = verdict
syscalls = getppid, uname
action = return:42
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid uname
is "return verdict: the child sees 42 from getppid and uname" "$out" "getppid=42 errno=0
uname=42 errno=0"

ini=$(write_ini retneg <<EOF2
[plugin fake-ppid]
module = verdict
syscalls = getppid
action = return:-7
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "return verdict: a negative value reads as -1/errno 7 (E2BIG)" "$out" "getppid=-1 errno=E2BIG"

# ---- continue: the syscall really runs ----
ini=$(write_ini cont <<EOF2
[plugin pass]
module = verdict
syscalls = openat, getppid
action = continue
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" create:"$TEST_TMP/created" getppid
like "continue verdict: openat(O_CREAT) succeeded in the child" "$out" "^create=[0-9]+ errno=0"
if [ -f "$TEST_TMP/created" ]; then pass "continue verdict: the file really exists"; else fail "continue verdict: the file really exists"; fi
like "continue verdict: getppid really ran (the stub is the parent)" "$out" "getppid=[0-9]+ errno=0"

# ---- kill, default signal ----
ini=$(write_ini kill <<EOF2
[plugin killer]
module = verdict
syscalls = getppid
action = kill
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" daemon:"$TEST_TMP/${UNIQ}daemon1" hostpid getppid hostpid
is "kill verdict: sandlock exits 137 (128+SIGKILL)" "$rc" 137
like "kill verdict: the child ran up to the call" "$out" "daemon started"
unlike "kill verdict: the child did not get past getppid" "$out" "getppid="
daemon_gone "kill verdict: the setsid grandchild is gone too" "${UNIQ}daemon1"

# ---- kill with a chosen signal ----
ini=$(write_ini killterm <<EOF2
[plugin killer]
module = verdict
syscalls = getppid
action = kill:SIGTERM
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" daemon:"$TEST_TMP/${UNIQ}daemon2" getppid
is "kill:SIGTERM verdict: sandlock exits 143" "$rc" 143
daemon_gone "kill:SIGTERM verdict: the setsid grandchild is gone" "${UNIQ}daemon2"
like "kill verdict: the supervisor reports the kill" "$err" "kill"

# kill from a grandchild: the whole sandbox dies, the supervisor reports.
ini=$(write_ini killgc <<EOF2
[plugin killer]
module = fixture_path
syscalls = uname
mode = kill:9
EOF2
)
sed -i "s|fixture_path|$FIXTURE|" "$ini"
run_sandlock run -c "$ini" -- sh -c "\"$PROBE\" daemon:$TEST_TMP/${UNIQ}daemon3 && sh -c '\"$PROBE\" uname'; echo survived"
is "kill verdict from a grandchild: sandlock exits 137" "$rc" 137
unlike "kill verdict from a grandchild: the command did not go on" "$out" "survived"
daemon_gone "kill verdict from a grandchild: the daemon is gone" "${UNIQ}daemon3"

# kill from a thread other than the main one.
ini=$(write_ini killthread <<EOF2
[sandlock]
workers = 2
[plugin killer]
module = verdict
syscalls = getppid
action = kill:SIGUSR1
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" threads:4:100:0 hostpid
is "kill verdict from threads: sandlock exits 138" "$rc" 138
is "kill verdict from threads: no call returned" "$out" ""

# ---- fd verdict ----
ini=$(write_ini fd <<EOF2
[plugin fake-file]
module = $FIXTURE
syscalls = openat
mode = fd
content = hello from the fixture
match = /fixture/
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" open:/fixture/file
like "fd verdict: the child reads exactly the memfd's bytes" "$out" "^open=[0-9]+ errno=0 data=hello from the fixture$"

# The child's fd table is full: the fd cannot be installed, the call fails
# with EMFILE (and the supervisor still closes its copy).
run_sandlock run -c "$ini" -- sh -c "ulimit -n 4; exec \"$PROBE\" hold open:/fixture/file"
is "fd verdict, child's fd table full: EMFILE" "$out" "hold=3
open=-1 errno=EMFILE"

# The supervisor closes its copy once: its fd table does not grow over many
# fd verdicts, and every one of them still reads right.
start_bg fdloop run -c "$ini" -- "$PROBE" pause:"$TEST_TMP/go1" openloop:/fixture/x:500 pause:"$TEST_TMP/go2"
wait_for "$TEST_TMP/fdloop.out" "paused .*go1" || fail "fd loop: probe started" "$(cat "$TEST_TMP/fdloop.err")"
before=$(fd_count "$bg_pid")
touch "$TEST_TMP/go1"
wait_for "$TEST_TMP/fdloop.out" "paused .*go2" 20
after=$(fd_count "$bg_pid")
touch "$TEST_TMP/go2"
wait_bg "$bg_pid"
like "fd verdict x500: all reads right" "$(cat "$TEST_TMP/fdloop.out")" "openloop ok=500 bad=0 data=hello from the fixture"
is "fd verdict x500: the supervisor's fd count does not grow" "$after" "$before"
is "fd verdict x500: exit status" "$rc" 0

done_testing
