#!/usr/bin/env bash
# Concurrency (workers = N) and a long run without growth.
. "$top_srcdir/tests/integration/common.sh"

# ---- workers = 4: many threads, every answer right for its own caller ----
ini=$(write_ini workers <<EOF2
[sandlock]
workers = 4
[plugin whoami]
module = $FIXTURE
syscalls = getppid
mode = returnpid
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" threads:8:2000:tid
is "workers = 4, 8 threads x 2000 calls: each thread gets its own tid back" "$out" "threads ok=16000 bad=0"
is "workers = 4: exit status" "$rc" 0
sed -i 's/^workers = 4$/workers = 1/' "$ini"
run_sandlock run -c "$ini" -- "$PROBE" threads:8:500:tid
is "workers = 1, 8 threads: all answered right" "$out" "threads ok=4000 bad=0"

# More threads than workers, with a plain verdict.
ini=$(write_ini many <<EOF2
[sandlock]
workers = 4
[plugin v]
module = verdict
syscalls = getppid
action = return:9
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" threads:16:1000:9
is "workers = 4, 16 threads x 1000: all answered" "$out" "threads ok=16000 bad=0"

# A slow plugin stalls only one worker: with workers = 2 other calls are
# answered while one handle() sleeps; with workers = 1 they wait.
# The probe starts its getppid calls once the slow handle() has begun (the
# plugin logs the uname first), and after them looks whether the uname is
# still blocked in the kernel. With 2 workers it is (its handle() waits for
# the file the probe creates only afterwards); with 1 the calls could only
# be answered after it. No time is measured.
for w in 2 1; do
    mode="waitfile:$TEST_TMP/release$w"; [ "$w" = 1 ] && mode=sleepms:300
    ini=$(write_ini "slow$w" <<EOF2
[sandlock]
workers = $w
[plugin slow]
module = $FIXTURE
syscalls = uname
mode = $mode
log = $TEST_TMP/slow$w.log
[plugin fast]
module = verdict
syscalls = getppid
action = return:1
EOF2
)
    run_sandlock run -c "$ini" -- "$PROBE" slowpar:"$TEST_TMP/slow$w.log:$TEST_TMP/release$w"
    if [ "$w" = 2 ]; then
        is "workers = 2: calls are answered while a slow handle() runs" "$out" "slowpar uname_still_blocked=1"
    else
        is "workers = 1: calls wait for the slow handle()" "$out" "slowpar uname_still_blocked=0"
    fi
done

# Tasks killed while their calls are trapped or being answered (RECV and
# SEND see ENOENT): the workers carry on and nothing is logged as an error.
ini=$(write_ini churn <<EOF2
[sandlock]
workers = 2
[plugin v]
module = verdict
syscalls = getppid
action = return:3
EOF2
)
run_sandlock run -c "$ini" -- sh -c "
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
        \"$PROBE\" threads:4:1000000:3 >/dev/null & p=\$!
        sleep 0.0\$((i % 5 + 1)); kill -9 \$p; wait \$p
    done
    \"$PROBE\" getppid"
is "tasks killed mid-call x30: later calls are still answered" "$out" "getppid=3 errno=0"
is "tasks killed mid-call x30: exit status" "$rc" 0
unlike "tasks killed mid-call x30: no error from the supervisor" "$err" "error|cannot answer"

# ---- 100,000 notifications: no fd or memory growth in the supervisor ----
ini=$(write_ini long <<EOF2
[plugin pass]
module = verdict
syscalls = getppid
action = continue
[plugin answer]
module = verdict
syscalls = getppid
action = return:7
EOF2
)
start_bg long run -c "$ini" -- "$PROBE" loop:5000 pause:"$TEST_TMP/go1" loop:100000 getppid pause:"$TEST_TMP/go2"
if wait_for "$TEST_TMP/long.out" "paused .*go1"; then
    fd1=$(fd_count "$bg_pid"); rss1=$(rss_kb "$bg_pid")
    start=$(date +%s%N)
    touch "$TEST_TMP/go1"
    wait_for "$TEST_TMP/long.out" "paused .*go2" 30
    end=$(date +%s%N)
    fd2=$(fd_count "$bg_pid"); rss2=$(rss_kb "$bg_pid")
    touch "$TEST_TMP/go2"
    wait_bg "$bg_pid"
    like "100k notifications: all answered by the chain" "$(cat "$TEST_TMP/long.out")" "getppid=7 errno=0"
    is "100k notifications: exit status" "$rc" 0
    is "100k notifications: the supervisor's fd count is unchanged" "$fd2" "$fd1"
    growth=$(( rss2 - rss1 ))
    if [ "$growth" -le 256 ]; then pass "100k notifications: VmRSS grew ${growth} kB (<= 256)"
    else fail "100k notifications: VmRSS grew ${growth} kB (<= 256)" "before $rss1 kB, after $rss2 kB"; fi
    echo "# 100k notifications in $(( (end - start) / 1000000 )) ms; fds $fd1 -> $fd2; VmRSS $rss1 -> $rss2 kB"
else
    fail "100k notifications: probe started" "$(cat "$TEST_TMP/long.err")"
fi

done_testing
