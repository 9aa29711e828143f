#!/bin/sh
# check.sh -- `sandlock check`: what it prints for a good configuration, and
# exit status 125 with the file:line or the instance named for each kind of
# error. Also --help, --version, unknown commands and $SANDLOCK_CONFIG.
. "$top_srcdir/tests/lib.sh"

fixtures="$top_builddir/tests/unit/fixtures/.libs"

# ---- a good configuration: instances in order, chains per syscall ----
ini=$(write_ini good <<INI
[sandlock]
on_exception = eperm
workers = 2
deny = uname

[plugin zulu]
module = verdict
syscalls = getppid, getpid
action = errno:EACCES
static = no

[plugin off]
module = nosuch-module
enabled = no

[plugin alpha]
module = verdict
on_exception = continue
syscalls = getppid
action = return:7

[plugin fx]
module = $fixtures/fixture.so
syscalls = getpid, gettid
INI
)
run_sandlock check -c "$ini"
is "good: exit 0" "$rc" 0
is "good: nothing on stderr" "$err" ""
like "good: names the configuration file" "$out" "^configuration: $ini\$"
like "good: default policy" "$out" "default on_exception: eperm"
like "good: workers" "$out" "workers: 2"
like "good: deny list with the extra name" "$out" "deny list: built-in \\+ uname"
order=$(printf '%s\n' "$out" | sed -n 's/^  \([0-9]\)\. \(.*\)$/\1 \2/p' | tr '\n' ' ')
is "good: instances in config order" "$order" "1 zulu 2 alpha 3 fx "
like "good: zulu module, version and file" "$out" \
    "module verdict [0-9.]+ \\($top_builddir/plugins/\\.libs/verdict\\.so\\)"
like "good: fixture module, version and file" "$out" "module fixture 9\\.8\\.7 \\($fixtures/fixture\\.so\\)"
zulu_policy=$(printf '%s\n' "$out" | sed -n '/^  1\. zulu/,/^  2\./p' | grep on_exception)
like "good: zulu inherits eperm" "$zulu_policy" "on_exception eperm"
alpha_policy=$(printf '%s\n' "$out" | sed -n '/^  2\. alpha/,/^  3\./p' | grep on_exception)
like "good: alpha has its own continue" "$alpha_policy" "on_exception continue"
like "good: description shown" "$out" "a fixed answer"
like "good: disabled instance shown as disabled" "$out" "^  -  off \\(disabled\\)"
unlike "good: disabled instance has no number" "$out" "^  [0-9]\\. off"
like "good: getppid chain" "$out" "^  getppid +zulu -> alpha\$"
like "good: getpid chain" "$out" "^  getpid +zulu -> fx\$"
like "good: gettid chain" "$out" "^  gettid +fx\$"
unlike "good: uname not intercepted" "$out" "^  uname "

# ---- no instances / built-in default ----
run_sandlock check -c "$(write_ini empty </dev/null)"
is "empty file: exit 0" "$rc" 0
like "empty file: no instances" "$out" "\\(none\\)"
like "empty file: no syscalls" "$out" "\\(none intercepted\\)"
env -u SANDLOCK_CONFIG "$SANDLOCK" check >"$TEST_TMP/out" 2>&1
rc=$?
is "no -c, no \$SANDLOCK_CONFIG: exit 0" "$rc" 0
like "no -c, no \$SANDLOCK_CONFIG: built-in or installed file" "$(cat "$TEST_TMP/out")" \
    "^configuration: (<built-in>|/.*sandlock\\.ini)\$"

# ---- $SANDLOCK_CONFIG ----
envini=$(write_ini env <<'INI'
[plugin from-env]
module = verdict
syscalls = getppid
action = continue
INI
)
out=$(SANDLOCK_CONFIG="$envini" "$SANDLOCK" check 2>&1)
rc=$?
is "\$SANDLOCK_CONFIG: exit 0" "$rc" 0
like "\$SANDLOCK_CONFIG: file used" "$out" "configuration: $envini"
like "\$SANDLOCK_CONFIG: its instance listed" "$out" "1\\. from-env"
out=$(SANDLOCK_CONFIG="$envini" "$SANDLOCK" check -c "$ini" 2>&1)
like "-c beats \$SANDLOCK_CONFIG" "$out" "configuration: $ini"
out=$(SANDLOCK_CONFIG=/nonexistent/env.ini "$SANDLOCK" check 2>&1)
rc=$?
is "\$SANDLOCK_CONFIG missing: exit 125" "$rc" 125
like "\$SANDLOCK_CONFIG missing: path named" "$out" "/nonexistent/env\\.ini: cannot read configuration"

# ---- errors: exit 125, file:line or instance named ----
# check_error NAME PATTERN < ini : runs check on it; the message must be
# "sandlock: FILE" followed by PATTERN.
check_error() {
    f=$(write_ini "$1")
    run_sandlock check -c "$f"
    is "$1: exit 125" "$rc" 125
    like "$1: message" "$err" "^sandlock: $f$2"
    is "$1: nothing on stdout" "$out" ""
}
check_error unknown-key ":3: unknown key 'frobnicate' in \\[sandlock\\]" <<'INI'
[sandlock]
workers = 1
frobnicate = yes
INI
check_error bad-workers ":2: workers: expected a number from 1 to 64, got 'many'" <<'INI'
[sandlock]
workers = many
INI
check_error bad-deny ":3: deny: unknown syscall 'frob'" <<'INI'
[sandlock]

deny = uname, frob
INI
check_error bad-policy ":4: on_exception: expected kill, eperm, eio or continue" <<'INI'
[sandlock]
[plugin a]
module = verdict
on_exception = explode
INI
# A container placeholder (sandlock-agent(8)): no container outside the agent.
check_error placeholder ":3: \\[plugin a\\]: output: \"%\\{id\\}\\.audit\": a container placeholder, which only \
\`sandlock agent\` expands" <<INI
[plugin a]
module = audit
output = $TEST_TMP/%{id}.audit
INI
run_sandlock run -c "$TEST_TMP/placeholder.ini" -- true
like "placeholder: sandlock run refuses it too (125, file:line)" "$rc:$err" "^125:.*placeholder\.ini:3: .*a container placeholder"
ls "$TEST_TMP" | grep -q "%"
is "placeholder: no file named after the placeholder was made" "$?" 1
check_error bad-section ":2: unknown section \\[plugins a\\]" <<'INI'

[plugins a]
INI
check_error bad-name ":1: bad instance name 'a!b'" <<'INI'
[plugin a!b]
INI
check_error dup-instance ":3: duplicate instance 'a' \\(first defined at line 1\\)" <<'INI'
[plugin a]
module = verdict
[plugin a]
INI
check_error dup-sandlock ":2: \\[sandlock\\] appears more than once" <<'INI'
[sandlock]
[sandlock]
INI
check_error outside ":1: 'workers' is outside any section" <<'INI'
workers = 2
INI
check_error no-equals ":2: expected KEY = VALUE" <<'INI'
[sandlock]
workers
INI
long=$(printf '%0250d' 0)
check_error too-long ":2: line too long \\(252 characters, at most 198\\)" <<INI
[sandlock]
; $long
INI
check_error not-found ": \\[plugin ghost\\]: module 'ghost' not found \\(looked for ghost\\.so in: " <<'INI'
[plugin ghost]
INI
check_error init-fails ":1: \\[plugin v\\]: missing required key 'action'" <<'INI'
[plugin v]
module = verdict
syscalls = getppid
INI
check_error unknown-plugin-key ":5: unknown key 'colour' in \\[plugin v\\] \\(expected syscalls, action, static\\)" <<'INI'
[plugin v]
module = verdict
syscalls = getppid
action = continue
colour = blue
INI
check_error denied ": \\[plugin v\\]: syscall 'mount' is on the deny list" <<'INI'
[plugin v]
module = verdict
syscalls = mount
action = continue
INI
check_error unknown-syscall ": \\[plugin v\\]: unknown syscall 'frob'" <<'INI'
[plugin v]
module = verdict
syscalls = frob
action = continue
INI
check_error not-a-plugin ": \\[plugin n\\]: .*nosym\\.so is not a sandlock plugin" <<INI
[plugin n]
module = $fixtures/nosym.so
INI
check_error abi2 ": \\[plugin n\\]: .*v2only\\.so is built for plugin ABI 2" <<INI
[plugin n]
module = $fixtures/v2only.so
INI

run_sandlock check -c "$TEST_TMP/does-not-exist.ini"
is "-c missing file: exit 125" "$rc" 125
like "-c missing file: path and reason" "$err" \
    "^sandlock: $TEST_TMP/does-not-exist\\.ini: cannot read configuration: No such file or directory"

run_sandlock check -c "$TEST_TMP"
like "-c a directory: path and reason" "$err" "^sandlock: $TEST_TMP: cannot read configuration: Is a directory"
# A file over the 1 MiB limit is refused whole; one just under it is read.
{ printf '[sandlock]\n'; head -c 1100000 /dev/zero | tr '\0' '\n'; } > "$TEST_TMP/huge.ini"
run_sandlock check -c "$TEST_TMP/huge.ini"
is "a configuration over 1 MiB: exit 125" "$rc" 125
like "a configuration over 1 MiB: says so" "$err" "huge\.ini: configuration larger than 1048576 bytes"
{ printf '[sandlock]\nworkers = 3\n'; head -c 1040000 /dev/zero | tr '\0' '\n'; } > "$TEST_TMP/big.ini"
run_sandlock check -c "$TEST_TMP/big.ini"
is "a configuration just under 1 MiB: read (exit 0)" "$rc" 0
like "a configuration just under 1 MiB: its keys count" "$out" "workers: 3,"

# ---- the command line ----
run_sandlock --help
is "--help: exit 0" "$rc" 0
like "--help: usage on stdout" "$out" "^Usage: sandlock run"
like "--help: mentions check" "$out" "sandlock check"
run_sandlock check --help
is "check --help: exit 0" "$rc" 0
like "check --help: usage" "$out" "Usage:"
run_sandlock --version
is "--version: exit 0" "$rc" 0
like "--version: version and ABI" "$out" "^sandlock [0-9]+\\.[0-9]+\\.[0-9]+ \\(plugin ABI 1\\.[0-9]+\\)\$"
run_sandlock frobnicate
is "unknown command: exit 125" "$rc" 125
like "unknown command: named" "$err" "unknown command 'frobnicate'"
run_sandlock
is "no command: exit 125" "$rc" 125
like "no command: usage on stderr" "$err" "Usage:"
run_sandlock check extra-arg
is "check with an argument: exit 125" "$rc" 125
like "check with an argument: says so" "$err" "check takes no arguments"
run_sandlock check --no-such-option
is "check with an unknown option: exit 125" "$rc" 125
run_sandlock check -c
is "check -c without a file: exit 125" "$rc" 125

done_testing
