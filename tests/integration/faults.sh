#!/usr/bin/env bash
# Plugin faults outside handle(): a crash in init(), syscalls() or fini()
# ends sandlock with 125 and a message naming the instance and the module
# (not a bare 139); a crash in a thread the plugin started is reported with
# the module's file, and the sandbox dies with sandlock (fail closed).
. "$top_srcdir/tests/integration/common.sh"
KEYED="$top_builddir/tests/integration/.libs/keyed.so"
T=$TEST_TMP

crash_ini() {
    printf '[plugin kk]\nmodule = %s\ndump = %s/dump\ncrash = %s\n' "$KEYED" "$T" "$1" > "$T/crash.ini"
}

for where in init syscalls; do
    crash_ini "$where"
    for cmd in run check; do
        if [ "$cmd" = run ]; then run_sandlock run -c "$T/crash.ini" -- "$PROBE" getppid
        else run_sandlock check -c "$T/crash.ini"; fi
        is "$where() crashes, $cmd: exit 125" "$rc" 125
        like "$where() crashes, $cmd: the instance, the module and the call are named" "$err" \
            "^sandlock: $T/crash\\.ini: \\[plugin kk\\]: .*keyed\\.so crashed in $where\\(\\) with Segmentation fault$"
        is "$where() crashes, $cmd: the command never ran" "$out" ""
    done
done

crash_ini fini
run_sandlock run -c "$T/crash.ini" -- "$PROBE" getppid
is "fini() crashes: the command ran and got its answer" "$out" "getppid=42 errno=0"
is "fini() crashes: exit 125, not the command's 0" "$rc" 125
like "fini() crashes: the instance and the module are named" "$err" \
    "\\[kk\\] plugin .*keyed\\.so crashed in fini\\(\\) with Segmentation fault"
run_sandlock check -c "$T/crash.ini"
is "fini() crashes under check: exit 125" "$rc" 125

# The first getppid starts the plugin's thread, which faults 200 ms later
# while the command sleeps.
crash_ini thread
ulimit -c 0 2>/dev/null    # sandlock dies of SIGSEGV: no core file
run_sandlock run -c "$T/crash.ini" -- "$PROBE" getppid name:${UNIQ}thr sleep:20
isnt_zero=$([ "$rc" -ne 0 ] && [ "$rc" -ne 125 ] && echo yes)
is "thread crash: sandlock dies of the signal (status $rc)" "$isnt_zero" yes
like "thread crash: the module is named" "$err" \
    "^sandlock: plugin module .*keyed\\.so crashed with SIGSEGV in a thread of its own \\(outside handle\\(\\)\\); sandlock and the sandbox are killed$"
if named_gone "${UNIQ}thr" 5; then pass "thread crash: the sandboxed command is gone"
else fail "thread crash: the sandboxed command is gone" "pid $(pid_named "${UNIQ}thr")"; pkill -9 -x "${UNIQ}thr"; fi
done_testing
