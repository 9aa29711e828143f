#!/usr/bin/env bash
# The start-up: where sandlock may (root, with a PID namespace: the stub
# shares its memory) the sandbox's stub makes its namespaces while the
# plugins load and initialise. What that must never change: a plugin that
# fails stops everything before anything of the command ran, nothing is
# left behind, and every plugin's masks are in place before the command
# starts, however late its init comes.
. "$top_srcdir/tests/integration/common.sh"

# Does this sandlock start the stub before the plugins' init? Root in the
# initial user namespace (it may take fds from its own non-dumpable stub)
# with a PID namespace for the sandbox.
seen=$("$SANDLOCK" run -c "$EMPTY_INI" -- sh -c 'echo "ppid=$PPID"; cat /proc/self/uid_map' 2>/dev/null | tr -s ' ')
early=0
[ "$seen" = "ppid=1
 0 0 4294967295" ] && early=1
no_early="the stub is forked once the plugins are ready here (unprivileged, or no PID namespace)"

# ---- a plugin whose init fails while the stub is being prepared ----
stubpid=$TEST_TMP/stubpid
marker=$TEST_TMP/failed-ran
failing=$(write_ini failing <<EOF2
[plugin ok]
module = verdict
syscalls = getppid
action = continue
[plugin broken]
module = $FIXTURE
syscalls = getppid
$( [ "$early" = 1 ] && echo "init_await_child = $stubpid" )
init_fail = broken on purpose
EOF2
)
got=$("$PROBE" subreaper "$SANDLOCK" run -c "$failing" -- touch "$marker" 2>"$TEST_TMP/failing.err")
err=$(cat "$TEST_TMP/failing.err")
if [ "$early" = 1 ]; then
    like "a plugin's init runs while the sandbox's stub is being prepared (the stub exists)" \
        "$(cat "$stubpid" 2>/dev/null)" "^[0-9]+$"
else
    skip "a plugin's init runs while the sandbox's stub is being prepared" "$no_early"
fi
like "the init fails: sandlock's error status" "$got" "^status=125 "
like "... the error names the plugin and its reason" "$err" "\[plugin broken\]: init failed: broken on purpose"
if [ -e "$marker" ]; then fail "... the command never ran"; else pass "... the command never ran"; fi
like "... nothing of the sandbox is left (sandlock left no process behind)" "$got" " orphans=0$"

# The same failure in the first instance (nothing loaded before it).
first=$(write_ini first <<EOF2
[plugin broken]
module = $FIXTURE
syscalls = getppid
init_fail = broken first
EOF2
)
got=$("$PROBE" subreaper "$SANDLOCK" run -c "$first" -- touch "$marker" 2>"$TEST_TMP/first.err")
like "the first plugin's init fails: 125, nothing left" "$got" "^status=125 orphans=0$"
like "... the error names it" "$(cat "$TEST_TMP/first.err")" "\[plugin broken\]: init failed: broken first"
if [ -e "$marker" ]; then fail "... the command never ran"; else pass "... the command never ran"; fi

# ---- a mask asked for by the last plugin, after a slow one ----
# The stub is ready long before: it must still wait for every init.
printf 'original\n' > "$TEST_TMP/late-file"
late=$(write_ini late <<EOF2
[plugin slow]
module = $FIXTURE
syscalls = getppid
$( [ "$early" = 1 ] && echo "init_await_child = $TEST_TMP/late-stub" )
init_sleepms = 200
[plugin vf]
module = vfile
$TEST_TMP/late-file = fixed by the last plugin\n
EOF2
)
run_sandlock run -c "$late" -- cat "$TEST_TMP/late-file"
is "a mask of the last plugin, whose init comes late: the command sees it" "$out" "fixed by the last plugin"
is "... and runs normally" "$rc" 0
if [ "$early" = 1 ]; then
    like "... (the stub was prepared meanwhile)" "$(cat "$TEST_TMP/late-stub" 2>/dev/null)" "^[0-9]+$"
fi

# ---- the sandbox as before: a normal start under the default plugins ----
got=$("$PROBE" subreaper "$SANDLOCK" run -c "$late" -- true 2>/dev/null)
is "a normal run leaves nothing behind either" "$got" "status=0 orphans=0"

done_testing
