#!/bin/sh
# continuation.sh -- an indented line after a key continues that key (inih):
# when the value it adds is wrong, the error names the indented line and
# says that its indentation made it a continuation, for the [sandlock]
# keys, the deny list, a plugin's own keys and its syscalls.
. "$top_srcdir/tests/lib.sh"

hint='is indented, so it continues the key above it with one more value; a new key starts at the beginning of its line'

# check_error NAME WANT: `sandlock check` of the ini on stdin exits 125 with
# the message WANT (a regex) followed by the hint.
check_error() {
    ini=$(write_ini "$1")
    run_sandlock check -c "$ini"
    is "$1: exit 125" "$rc" 125
    like "$1: message" "$err" "^sandlock: $ini$2 \\(line [0-9]+ $hint\\)\$"
}

check_error sandlock-key ':3: workers: expected a number from 1 to 64, got .log_level = warn.' <<'INI'
[sandlock]
workers = 2
  log_level = warn
INI
check_error deny ":3: deny: unknown syscall 'on_exception'" <<'INI'
[sandlock]
deny = mount
    on_exception = kill
INI
check_error plugin-key-with-line ":5: \\[plugin v\\]: init failed: syscalls: expected a syscall name at '= EPERM'" <<'INI'
[plugin v]
module = verdict
action = errno:EPERM
syscalls = getppid
	errno = EPERM
INI
check_error plugin-key-without-line ":1: \\[plugin v\\]: missing required key 'action' .*" <<'INI'
[plugin v]
module = verdict
syscalls = getppid
    action = return:1
INI
like "plugin-key-without-line: the hint names line 4" "$err" "\\(line 4 is indented"
check_error unknown-syscall ": \\[plugin v\\]: unknown syscall 'getpidd'" <<'INI'
[plugin v]
module = verdict
action = errno:EPERM
syscalls = getppid
   getpidd
INI
like "unknown-syscall: the hint names line 5" "$err" "\\(line 5 is indented"

# Without indentation: the same errors, no hint.
ini=$(write_ini flat <<'INI'
[plugin v]
module = verdict
action = errno:EPERM
syscalls = getppid getpidd
INI
)
run_sandlock check -c "$ini"
is "not indented: exit 125" "$rc" 125
is "not indented: no hint" "$err" "sandlock: $ini: [plugin v]: unknown syscall 'getpidd'"
# A continuation that is right stays right.
ini=$(write_ini good <<'INI'
[plugin v]
module = verdict
action = errno:EPERM
syscalls = getppid
    getpid
INI
)
run_sandlock check -c "$ini"
is "a correct continuation: exit 0" "$rc" 0
like "a correct continuation: the key's own value" "$out" "getppid -> errno EPERM"
like "a correct continuation: the indented value" "$out" "getpid -> errno EPERM"
done_testing
