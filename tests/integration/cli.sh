#!/usr/bin/env bash
# The command line: bad options named with a hint, options before the
# command, --set and --disable through real children, check --json read
# back with a JSON parser, and the message of a nested sandlock.
. "$top_srcdir/tests/integration/common.sh"
ini=$(write_ini cli <<EOF2
[sandlock]
masks = no
[plugin p]
module = verdict
syscalls = getppid
action = return:41
[plugin q]
module = verdict
syscalls = uname
action = errno:EACCES
EOF2
)

run_sandlock run -x -- true
is "run -x: 125" "$rc" 125
is "run -x: names the program and the option, with a hint" "$err" \
    "sandlock run: unknown option '-x' (try sandlock --help)"
run_sandlock run --bogus -- true
is "run --bogus: named" "$err" "sandlock run: unknown option '--bogus' (try sandlock --help)"
run_sandlock check -c
is "check -c without its file: 125" "$rc" 125
is "check -c without its file: says so" "$err" "sandlock check: option '-c' needs an argument (try sandlock --help)"
run_sandlock -c "$ini" run -- true
is "options before the command: 125" "$rc" 125
like "options before the command: says where they go" "$err" \
    "^sandlock: options go after the command: sandlock run -c \.\.\. -- COMMAND"

# --set and --disable act on the real run.
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "the file's answer" "$out" "getppid=41 errno=0"
run_sandlock run -c "$ini" --set p.action=return:42 -- "$PROBE" getppid
is "--set INSTANCE.KEY=VALUE replaces a single-valued key" "$out" "getppid=42 errno=0"
run_sandlock run -c "$ini" --disable p -- "$PROBE" getppid uname
like "--disable p: getppid runs for real" "$out" "^getppid=[0-9]+ errno=0"
unlike "--disable p: not 41" "$out" "getppid=41"
like "--disable p: q still denies uname" "$out" "uname=-1 errno=EACCES"
run_sandlock run -c "$ini" --set sandlock.log_level=loud -- true
is "--set with a bad [sandlock] value: 125" "$rc" 125
is "... the option and the parser's reason" "$err" \
    "sandlock: --set sandlock.log_level=loud: log_level: expected error, warn, info or debug, got 'loud'"
run_sandlock run -c "$ini" --set nosuch.key=1 -- true
like "--set on an unknown section: named" "$err" "^sandlock: --set nosuch.key=1: expected SECTION.KEY=VALUE"
run_sandlock run -c "$ini" --disable nosuch -- true
is "--disable of an unknown instance: 125" "$rc" 125
like "... named" "$err" "^sandlock: --disable nosuch: .* has no instance of that name"

# check --json: one JSON object, overrides included.
json=$("$SANDLOCK" check --json -c "$ini" --disable q --set sandlock.workers=3 2>"$TEST_TMP/stderr")
is "check --json: exit 0, nothing on stderr" "$?:$(cat "$TEST_TMP/stderr")" "0:"
is "check --json: parsed by python's json module" "$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["instances"][0]
print(d["workers"], d["masks"], [i["name"] for i in d["instances"]], d["disabled"], p["module"],
      p["rules"][0]["syscall"], p["rules"][0]["place"], [s["name"] for s in d["syscalls"]], d["syscalls"][0]["chain"])')" \
    "3 off ['p'] ['q'] verdict getppid trapped ['getppid'] ['p']"
run_sandlock check --json -c "$ini" extra
is "check --json with an argument: 125" "$rc" 125

# Nesting: the kernel allows one seccomp listener per chain of filters.
# (LeakSanitizer cannot work inside a sandbox: ptrace is denied there.)
run_sandlock run -c "$EMPTY_INI" -- env ASAN_OPTIONS=detect_leaks=0 "$top_builddir/sandlock" run -c "$EMPTY_INI" -- true
is "sandlock inside sandlock: 125" "$rc" 125
like "... says that sandboxes cannot be nested" "$err" "sandboxes cannot be nested"
# The same with masks (the default configuration), where sandlock makes
# namespaces: the inner sandlock's namespaces are refused first. (In the
# fallback without namespaces the inner fsdeny finds none of its paths.)
if [ "$("$SANDLOCK" run -c "$EMPTY_INI" -- "$PROBE" getppid 2>/dev/null)" = "getppid=1 errno=0" ]; then
    run_sandlock run -c "$top_srcdir/examples/sandlock.ini" -q -- env ASAN_OPTIONS=detect_leaks=0 \
        "$top_builddir/sandlock" run -c "$top_srcdir/examples/sandlock.ini" -q -- true
    is "sandlock inside sandlock, default configuration: 125" "$rc" 125
    like "... says that sandboxes cannot be nested" "$err" "sandboxes cannot be nested"
else
    skip "sandlock inside sandlock, default configuration" "no namespaces for the outer sandbox here"
fi
done_testing
