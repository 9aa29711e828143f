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

# bad_key DESCRIPTION LINE PATTERN KEY-LINES... : sandlock check exits 125
# and the host (its declared keys) reports PATTERN at v.ini:LINE.
bad_key() {
    local what=$1 line=$2 pattern=$3
    shift 3
    { echo "[plugin v]"; echo "module = verdict"; printf '%s\n' "$@"; } > "$TEST_TMP/v.ini"
    run_sandlock check -c "$TEST_TMP/v.ini"
    is "$what: exit 125" "$rc" 125
    like "$what: message" "$err" "v\\.ini:$line: $pattern"
}

bad_key "no action" 1 "\\[plugin v\\]: missing required key 'action'" "syscalls = getppid"
bad_config "unknown action" "action: expected continue, errno:NAME\\|N, return:N, kill or kill:SIGNAL, got 'deny'" \
    "syscalls = getppid" "action = deny"
bad_config "unknown errno name" "action: .*got 'errno:EFOO'" "syscalls = getppid" "action = errno:EFOO"
bad_config "errno 0" "action: .*got 'errno:0'" "syscalls = getppid" "action = errno:0"
bad_config "errno 4096" "action: .*got 'errno:4096'" "syscalls = getppid" "action = errno:4096"
bad_config "errno without a value" "action: .*got 'errno'" "syscalls = getppid" "action = errno"
bad_config "return not a number" "action: .*got 'return:x'" "syscalls = getppid" "action = return:x"
bad_config "unknown signal" "action: .*got 'kill:SIGFOO'" "syscalls = getppid" "action = kill:SIGFOO"
bad_config "continue with an argument" "action: .*got 'continue:1'" "syscalls = getppid" "action = continue:1"
bad_key "no syscalls" 1 "\\[plugin v\\]: missing required key 'syscalls'" "action = continue"
bad_key "unknown key" 3 "unknown key 'syscall' in \\[plugin v\\] \\(expected syscalls, action, static\\)" \
    "syscall = getppid" "action = continue"
bad_key "action twice in a file" 5 "\\[plugin v\\]: action is given again \\(first at .*v\\.ini:4\\)" \
    "syscalls = getppid" "action = continue" "action = kill"
# The unknown action names the line of its value.
bad_key "unknown action's line" 4 "\\[plugin v\\]: init failed: action: expected continue" \
    "syscalls = getppid" "action = deny"
lines=()
for i in $(seq 65); do lines+=("syscalls = getppid"); done
{ echo "[plugin v]"; echo "module = verdict"; printf '%s\n' "${lines[@]}" "action = continue"; } > "$TEST_TMP/v.ini"
run_sandlock check -c "$TEST_TMP/v.ini"
is "65 syscalls lines load (no limit on the lines)" "$rc" 0

# The predicate syntax: every error names the file and the line of the
# syscalls = value, and what was expected where.
# bad_rule DESCRIPTION PATTERN SYSCALLS-VALUE : the value sits on line 4.
bad_rule() {
    printf '[plugin v]\nmodule = verdict\naction = errno:EPERM\nsyscalls = %s\n' "$3" > "$TEST_TMP/r.ini"
    run_sandlock check -c "$TEST_TMP/r.ini"
    is "$1: exit 125" "$rc" 125
    like "$1: message with FILE:LINE" "$err" "^sandlock: $TEST_TMP/r\\.ini:4: \\[plugin v\\]: init failed: syscalls: $2"
}
bad_rule "argument 6" "expected arg0 to arg5 or low32\\(argN\\) at 'arg6 == 1\\)'" "getppid(arg6 == 1)"
bad_rule "no operator" "expected ==, !=, <, <=, >, >= or & MASK == at '1\\)'" "getppid(arg0 1)"
bad_rule "not a number" "expected a number at 'x\\)'" "getppid(arg0 == x)"
bad_rule "masked without ==" "expected '==' after argN & MASK" "getppid(arg0 & 3 != 1)"
bad_rule "value outside the mask" "the value has bits outside the mask" "getppid(arg0 & 1 == 2)"
bad_rule "unclosed" "expected ',' or '\\)' at 'end of line'" "getppid(arg0 == 1"
bad_rule "low32 unclosed" "expected '\\)' after low32\\(argN" "getppid(low32(arg0 == 1)"
bad_rule "seven conditions" "more than 6 conditions" \
    "getppid(arg0 == 1, arg1 == 1, arg2 == 1, arg3 == 1, arg4 == 1, arg5 == 1, arg0 == 1)"
bad_rule "junk after an entry" "expected a syscall name at '\\)'" "getppid)"
bad_rule "empty entry" "expected a syscall name at 'end of line'" "getppid,"
run_sandlock check -c "$(printf '[plugin v]\nmodule = verdict\naction = continue\nsyscalls = getppid(arg0 == 1), nosuch(arg1 == 2)\n' |
    write_ini unknown)"
like "an unknown syscall in a rule: named" "$err" "\\[plugin v\\]: unknown syscall 'nosuch'"
bad_key "static not a boolean" 5 "\\[plugin v\\]: static: expected yes or no, got 'maybe'" "syscalls = getppid" "action = continue" \
    "static = maybe"

# Predicates load: check lists each rule with its comparisons.
printf '[plugin v]\nmodule = verdict\naction = continue\nsyscalls = getppid(arg0 == 1, low32(arg1) != -100), getppid(arg2 & 0x41 == 0x40), uname(arg0 >= 0x10, arg1 < 3, arg2 <= 4, arg3 > 5)\n' \
    > "$TEST_TMP/p.ini"
run_sandlock check -c "$TEST_TMP/p.ini"
is "predicates load" "$rc" 0
like "check: a rule's comparisons, 32-bit values cut to 32 bits" "$out" \
    "getppid\\(arg0 == 0x1, low32\\(arg1\\) != 0xffffff9c\\) -> handle\\(\\): trapped \\(handle\\(\\) decides\\)"
like "check: a masked comparison" "$out" "getppid\\(arg2 & 0x41 == 0x40\\) -> handle"
like "check: the other operators" "$out" "uname\\(arg0 >= 0x10, arg1 < 0x3, arg2 <= 0x4, arg3 > 0x5\\)"

# Good forms load, and `check` shows the chain.
for action in continue errno:EACCES errno:eacces errno:13 return:42 return:-1 kill kill:SIGTERM kill:term kill:9; do
    printf '[plugin v]\nmodule = verdict\nsyscalls = getppid, uname\nsyscalls = getpid\naction = %s\nstatic = no\n' "$action" \
        > "$TEST_TMP/ok.ini"
    run_sandlock check -c "$TEST_TMP/ok.ini"
    is "action = $action loads" "$rc" 0
done
like "repeated syscalls lines are all used" "$out" "getpid +v"
like "comma lists are split" "$out" "uname +v"
done_testing
