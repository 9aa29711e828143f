#!/bin/bash
# verdict: every bad key value is an init error naming the key, reported by
# sandlock with the instance and file; good values load.
. "$top_srcdir/tests/lib.sh"

# bad_config DESCRIPTION PATTERN KEY-LINES... : sandlock check exits 125 and
# stderr matches PATTERN.
bad_config() {
    local what=$1 pattern=$2
    shift 2
    { echo "[plugin v]"; echo "module = verdict"; printf '%s\n' "$@"; } > "$TEST_TMP/v.ini"
    run_sandlock check -c "$TEST_TMP/v.ini"
    is "$what: exit 125" "$rc" 125
    like "$what: message" "$err" "\\[plugin v\\]: init failed: $pattern"
}

bad_config "no action" "action: required" "syscalls = getppid"
bad_config "unknown action" "action: expected continue, errno:NAME\\|N, return:N, kill or kill:SIGNAL, got 'deny'" \
    "syscalls = getppid" "action = deny"
bad_config "unknown errno name" "action: .*got 'errno:EFOO'" "syscalls = getppid" "action = errno:EFOO"
bad_config "errno 0" "action: .*got 'errno:0'" "syscalls = getppid" "action = errno:0"
bad_config "errno 4096" "action: .*got 'errno:4096'" "syscalls = getppid" "action = errno:4096"
bad_config "errno without a value" "action: .*got 'errno'" "syscalls = getppid" "action = errno"
bad_config "return not a number" "action: .*got 'return:x'" "syscalls = getppid" "action = return:x"
bad_config "unknown signal" "action: .*got 'kill:SIGFOO'" "syscalls = getppid" "action = kill:SIGFOO"
bad_config "continue with an argument" "action: .*got 'continue:1'" "syscalls = getppid" "action = continue:1"
bad_config "no syscalls" "syscalls: required" "action = continue"
bad_config "unknown key" "unknown key 'syscall' \\(expected syscalls, action, static\\)" \
    "syscall = getppid" "action = continue"
lines=()
for i in $(seq 65); do lines+=("syscalls = getppid"); done
bad_config "more than 64 syscalls lines" "syscalls: more than 64 lines" "${lines[@]}" "action = continue"

# Good forms load, and `check` shows the chain.
for action in continue errno:EACCES errno:eacces errno:13 return:42 return:-1 kill kill:SIGTERM kill:term kill:9; do
    printf '[plugin v]\nmodule = verdict\nsyscalls = getppid, uname\nsyscalls = getpid\naction = %s\n' "$action" \
        > "$TEST_TMP/ok.ini"
    run_sandlock check -c "$TEST_TMP/ok.ini"
    is "action = $action loads" "$rc" 0
done
like "repeated syscalls lines are all used" "$out" "getpid +v"
like "comma lists are split" "$out" "uname +v"
done_testing
