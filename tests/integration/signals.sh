#!/usr/bin/env bash
# SIGTERM/SIGINT/SIGHUP/SIGQUIT sent to sandlock reach the command.
. "$top_srcdir/tests/integration/common.sh"
# Job control: background jobs do not start with SIGINT/SIGQUIT ignored.
set -m
ini=$(write_ini plug <<EOF2
[plugin p]
module = verdict
syscalls = getppid
action = continue
EOF2
)

for sig in TERM INT HUP QUIT; do
    for cfg in "$EMPTY_INI" "$ini"; do
        what="SIG$sig"; [ "$cfg" = "$ini" ] && what="SIG$sig (with a plugin)"
        start_bg sig run -c "$cfg" -- "$PROBE" signals
        if ! wait_for "$TEST_TMP/sig.out" "^ready"; then
            fail "$what: probe ready" "$(cat "$TEST_TMP/sig.err")"
            continue
        fi
        kill -s "$sig" "$bg_pid"
        wait_bg "$bg_pid"
        is "$what sent to sandlock reaches the command's handler" "$(tail -1 "$TEST_TMP/sig.out")" "got SIG$sig"
        is "$what: sandlock exits with the command's status" "$rc" 0
    done
done

# Without a handler the command dies of the signal: 128+N.
start_bg sig2 run -c "$EMPTY_INI" -- sleep 30
sleep 0.3
kill -TERM "$bg_pid"
wait_bg "$bg_pid"
is "SIGTERM to sandlock, command without a handler: 143" "$rc" 143

# A signal sent through sigqueue (SI_QUEUE) is forwarded too.
if command -v python3 >/dev/null; then
    start_bg sig3 run -c "$EMPTY_INI" -- "$PROBE" signals
    wait_for "$TEST_TMP/sig3.out" "^ready"
    python3 -c "import os, signal; os.kill($bg_pid, signal.SIGHUP)"
    wait_bg "$bg_pid"
    is "SIGHUP from another program reaches the command" "$(tail -1 "$TEST_TMP/sig3.out")" "got SIGHUP"
fi

# A signal sandlock was started ignoring (nohup) stays ignored by the
# command and is not forwarded, as without sandlock.
out=$(nohup "$SANDLOCK" run -c "$EMPTY_INI" -- grep SigIgn /proc/self/status 2>/dev/null </dev/null)
mask=$(printf '%s' "$out" | awk '{ print $2 }')
if [ -n "$mask" ] && [ $(( 0x$mask & 1 )) -eq 1 ]; then pass "nohup sandlock: the command ignores SIGHUP"
else fail "nohup sandlock: the command ignores SIGHUP" "$out"; fi
set +m
bash -c "trap '' HUP; exec \"$SANDLOCK\" run -c \"$EMPTY_INI\" -- sleep 1" &
p=$!
sleep 0.3
kill -HUP "$p"
wait_bg "$p"
is "SIGHUP to a sandlock that ignores it: the command is not disturbed" "$rc" 0

# A signal that reaches sandlock while it is still starting (here while a
# plugin's init runs: it creates init_marker, then takes 60 s) ends it as it
# would any program, at once: the command's process starts only once every
# plugin is ready, so the command never runs, and the stub (root: started
# while the plugins load, waiting for them) dies with sandlock (its
# parent-death signal), so nothing is left behind.
slow=$(write_ini slow <<EOF2
[plugin slow]
module = $FIXTURE
syscalls = getppid
init_marker = $TEST_TMP/slow-init-started
init_sleepms = 60000
EOF2
)
marker="$TEST_TMP/slow-start-ran"
start_bg slow run -c "$slow" -- touch "$marker"
until [ -e "$TEST_TMP/slow-init-started" ] || ! alive "$bg_pid"; do sleep 0.02; done
grandchildren=0
for c in $(pgrep -P "$bg_pid"); do grandchildren=$((grandchildren + $(pgrep -c -P "$c"))); done
is "while a plugin's init runs, the command's process is not started (at most the stub waits)" "$grandchildren" 0
stubs=$(pgrep -P "$bg_pid")
kill -TERM "$bg_pid"
wait_bg "$bg_pid"
is "SIGTERM while sandlock starts: sandlock dies of it (143)" "$rc" 143
if [ -e "$marker" ]; then fail "SIGTERM while sandlock starts: the command never ran"
else pass "SIGTERM while sandlock starts: the command never ran"; fi
gone=yes
for s in $stubs; do gone_within "$s" || gone=no; done
left=$(pgrep -fc "$marker")
is "SIGTERM while sandlock starts: no process of the sandbox is left" "$gone $left" "yes 0"

done_testing
