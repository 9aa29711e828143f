#!/usr/bin/env bash
# Every exception trigger x every policy, as the child sees it: a failing
# instance `bad` on getppid followed by a recording instance `next`.
. "$top_srcdir/tests/integration/common.sh"

triggers="error unset errno0 errno5000 signal0 signal99 fd1 fdclosed fdlistener fderror fdbadflags segv abort bus ill fpe"
policies="kill eperm eio continue"

for trigger in $triggers; do
    for policy in $policies; do
        log=$TEST_TMP/calls-$trigger-$policy
        ini=$(write_ini "$trigger-$policy" <<EOF2
[plugin bad]
module = $FIXTURE
syscalls = getppid
mode = $trigger
on_exception = $policy
log = $log
tag = bad
[plugin next]
module = $FIXTURE
syscalls = getppid
mode = continue
log = $log
tag = next
EOF2
)
        run_sandlock run -c "$ini" -- "$PROBE" hostpid getppid getppid getppid
        t="$trigger/$policy"
        calls_bad=$(grep -c '^bad ' "$log" 2>/dev/null)
        calls_next=$(grep -c '^next ' "$log" 2>/dev/null)
        case $policy in
        kill)
            is "$t: sandlock exits 137" "$rc" 137
            unlike "$t: the child never returned from getppid" "$out" "getppid="
            ;;
        eperm|eio)
            want=EPERM; [ $policy = eio ] && want=EIO
            is "$t: the child gets $want, three times" "$(printf '%s\n' "$out" | grep -c "^getppid=-1 errno=$want$")" 3
            is "$t: exit status is the command's" "$rc" 0
            is "$t: the next instance is not called" "${calls_next:-0}" 0
            ;;
        continue)
            is "$t: the syscall runs, three times" "$(printf '%s\n' "$out" | grep -cE '^getppid=[1-9][0-9]* errno=0$')" 3
            is "$t: the next instance runs each time" "${calls_next:-0}" 3
            is "$t: exit status is the command's" "$rc" 0
            ;;
        esac
        like "$t: the log names the instance and the syscall" "$err" "\[bad\].*getppid|getppid.*\[bad\]"
        case $trigger in
        segv|abort|bus|ill|fpe)
            is "$t: quarantined: handle() ran once" "${calls_bad:-0}" 1
            like "$t: the log says it crashed and is quarantined" "$err" "crash.*quarantine"
            ;;
        *)
            [ $policy = kill ] || is "$t: handle() ran for every call" "${calls_bad:-0}" 3
            ;;
        esac
    done
done

# Invalid fd verdicts: the supervisor neither leaks the plugin's fd nor
# closes one of its own (0-2, the listener).
for trigger in fd1 fdclosed fdlistener fderror fdbadflags; do
    ini=$(write_ini "leak-$trigger" <<EOF2
[plugin bad]
module = $FIXTURE
syscalls = getppid
mode = $trigger
on_exception = eperm
EOF2
)
    start_bg "leak-$trigger" run -c "$ini" -- "$PROBE" getppid pause:"$TEST_TMP/$trigger-1" getppid:200 pause:"$TEST_TMP/$trigger-2"
    if wait_for "$TEST_TMP/leak-$trigger.out" "paused .*$trigger-1"; then
        before=$(fd_count "$bg_pid")
        touch "$TEST_TMP/$trigger-1"
        wait_for "$TEST_TMP/leak-$trigger.out" "paused .*$trigger-2"
        after=$(fd_count "$bg_pid")
        std=$(ls "/proc/$bg_pid/fd" | grep -cE '^[012]$')
        touch "$TEST_TMP/$trigger-2"
        wait_bg "$bg_pid"
        is "$trigger x200: the supervisor's fd count is unchanged" "$after" "$before"
        is "$trigger x200: the supervisor's fds 0-2 are still open" "$std" 3
        is "$trigger x200: every call got EPERM, sandlock exits 0" "$(grep -c 'errno=EPERM' "$TEST_TMP/leak-$trigger.out")/$rc" "2/0"
    else
        fail "$trigger: probe started" "$(cat "$TEST_TMP/leak-$trigger.err")"
    fi
done

# The default policy comes from [sandlock] on_exception, else kill.
ini=$(write_ini default-eio <<EOF2
[sandlock]
on_exception = eio
[plugin bad]
module = $FIXTURE
syscalls = getppid
mode = error
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "[sandlock] on_exception = eio applies to instances without their own" "$out" "getppid=-1 errno=EIO"
ini=$(write_ini default-kill <<EOF2
[plugin bad]
module = $FIXTURE
syscalls = getppid
mode = unset
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "the built-in default policy is kill (137)" "$rc" 137

# A crash in one worker does not stop the others; the sandbox keeps running
# under the policy with several workers, and a quarantined instance's
# neighbours on other syscalls still work.
ini=$(write_ini crash-workers <<EOF2
[sandlock]
workers = 3
[plugin bad]
module = $FIXTURE
syscalls = getppid
mode = segv
on_exception = eperm
[plugin fine]
module = verdict
syscalls = uname
action = return:3
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" threads:4:200:-1 uname
is "crash with workers = 3: every threaded call gets EPERM's -1" "$(value ok "$out")/$(value bad "$out")" "800/0"
like "crash with workers = 3: the other instance still answers" "$out" "uname=3 errno=0"
is "crash with workers = 3: exit status" "$rc" 0

done_testing
