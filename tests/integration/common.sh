# common.sh -- shared by the integration tests: sources tests/lib.sh and
# adds helpers for background runs and /proc sampling.
. "$top_srcdir/tests/lib.sh"

PROBE="$top_builddir/tests/integration/probe"
FIXTURE="$top_builddir/tests/integration/.libs/fixture.so"
[ -x "$PROBE" ] && [ -f "$FIXTURE" ] || { echo "Bail out! probe or fixture not built"; exit 1; }
chmod 1777 "$TEST_TMP"   # also used by tests that run sandlock as nobody

# Kill whatever a test left running in the background.
BG_PIDS=""
cleanup_bg() {
    for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TEST_TMP"
}
trap cleanup_bg EXIT

# start_bg NAME ARGS... : sandlock ARGS in the background; stdout to
# $TEST_TMP/NAME.out, stderr to NAME.err; sets $bg_pid.
start_bg() {
    local name=$1; shift
    rm -f "$TEST_TMP/$name.out" "$TEST_TMP/$name.err"
    : > "$TEST_TMP/$name.out"
    "$SANDLOCK" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" </dev/null &
    bg_pid=$!
    BG_PIDS="$BG_PIDS $bg_pid"
}

# wait_for FILE PATTERN [SECONDS] : until FILE has a line matching PATTERN
# (at most SECONDS, default $EVENT_TIMEOUT).
wait_for() {
    local i limit=$(( ${3:-$EVENT_TIMEOUT} * 50 ))
    for ((i = 0; i < limit; i++)); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.02
    done
    return 1
}

# alive PID : the process exists and is not a zombie.
alive() {
    local state
    state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# With a PID namespace the sandbox has its own /proc: its processes do not
# know their pids in ours. A test finds them by name instead: the probe's
# name:NAME step and daemon:FILE (named after FILE's base name) set their
# process name; NAME should start with $UNIQ (this run's own six letters).
UNIQ=${TEST_TMP##*.}
# pid_named NAME : the pid of a live process named NAME (empty if none).
pid_named() { pgrep -x "$1" | head -1; }
# named_gone NAME [SECONDS] : waits until no process is named NAME.
named_gone() {
    local i limit=$(( ${2:-$EVENT_TIMEOUT} * 50 ))
    for ((i = 0; i < limit; i++)); do
        pgrep -x "$1" >/dev/null || return 0
        sleep 0.02
    done
    return 1
}

# daemon_gone DESCRIPTION NAME : the probe's daemon:$TEST_TMP/NAME ran and
# is gone (else it is killed and the test fails).
daemon_gone() {
    if [ -s "$TEST_TMP/$2" ] && named_gone "$2"; then pass "$1"
    else fail "$1" "daemon file: '$(cat "$TEST_TMP/$2" 2>/dev/null)', alive: '$(pid_named "$2")'"; pkill -9 -x "$2"; fi
}

# gone_within PID [SECONDS] : waits until PID is no longer alive (at most
# SECONDS, default $EVENT_TIMEOUT).
gone_within() {
    local i limit=$(( ${2:-$EVENT_TIMEOUT} * 50 ))
    for ((i = 0; i < limit; i++)); do
        alive "$1" || return 0
        sleep 0.02
    done
    return 1
}

fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# value KEY TEXT : the value of "KEY=value" in TEXT (first match).
value() { printf '%s\n' "$2" | grep -oE "(^| )$1=[^ ]*" | head -1 | sed 's/.*=//'; }

# An empty configuration (make check points SANDLOCK_CONFIG at a missing file).
EMPTY_INI=$TEST_TMP/empty.ini
printf '[sandlock]\n' > "$EMPTY_INI"

# Nothing may hang the suite: a sandlock that does not end within 60 s is
# killed (status 137, and the test fails) -- its sandbox dies with it.
run_sandlock() {
    out=$(timeout --foreground -s KILL 60 "$SANDLOCK" "$@" 2>"$TEST_TMP/stderr" </dev/null)
    rc=$?
    err=$(cat "$TEST_TMP/stderr")
}

# wait_bg PID : wait for a background sandlock, at most 60 s; sets $rc.
wait_bg() {
    local pid=$1 i
    for ((i = 0; i < 3000; i++)); do
        alive "$pid" || break
        sleep 0.02
    done
    alive "$pid" && { echo "# $pid still running after 60 s: killed"; kill -9 "$pid"; }
    wait "$pid" 2>/dev/null
    rc=$?
}
