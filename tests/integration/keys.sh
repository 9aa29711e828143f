#!/usr/bin/env bash
# Declared keys (SDK 1.6): the host checks a plugin's section against the
# keys it declares before init(), with FILE:LINE errors; init() reads the
# parsed values; a value init() refuses is reported at its line; a plugin
# built for ABI 1.2 (no declared keys) loads and checks its keys itself.
. "$top_srcdir/tests/integration/common.sh"
KEYED="$top_builddir/tests/integration/.libs/keyed.so"
ABI12="$top_builddir/tests/integration/.libs/abi12.so"
T=$TEST_TMP
dump=$T/values

# keyed LINES... : k.ini with [plugin k] (lines 1-3) and LINES from line 4.
keyed() {
    { printf '[plugin k]\nmodule = %s\ndump = %s\n' "$KEYED" "$dump"; printf '%s\n' "$@"; } > "$T/k.ini"
    rm -f "$dump"
}

keyed "s = some text" "b = yes" "i = -7" "z = 64K" "d = 1500ms" "e = eacces" "g = TERM" "p = /tmp" \
      "l = a, b c" "l = ,d" "r = one" "r = two" "opt_colour = blue"
run_sandlock check -c "$T/k.ini"
is "every kind: good values load" "$rc" 0
is "every kind: init() reads what the host parsed" "$(cat "$dump" 2>/dev/null)" "b=1
i=-7
z=65536
d=1500000000
e=13
g=15
s:not-a-number
l=a|b|c|d
p=/tmp
r=2
mode=check"

run_sandlock run -c "$T/k.ini" -- "$PROBE" getppid
is "run: the command gets the plugin's answer" "$out" "getppid=42 errno=0"
like "run: init() knows it runs for run (session)" "$(cat "$dump" 2>/dev/null)" "mode=run"

# bad_kind DESCRIPTION VALUE-LINE PATTERN : the line is line 4.
bad_kind() {
    keyed "$2"
    run_sandlock check -c "$T/k.ini"
    is "$1: exit 125" "$rc" 125
    like "$1: FILE:LINE, instance and what was expected" "$err" "^sandlock: $T/k\\.ini:4: \\[plugin k\\]: $3"
    [ -e "$dump" ] && fail "$1: init() did not run" "it wrote $dump" || pass "$1: init() did not run"
}
bad_kind "bool" "b = maybe" "b: expected yes or no, got 'maybe'"
bad_kind "int" "i = 12x" "i: expected an integer, got '12x'"
bad_kind "size" "z = 10Q" "z: expected a size such as 4096 or 64K, got '10Q'"
bad_kind "size above 2^63-1" "z = 9000000T" "z: expected a size"
bad_kind "duration" "d = forever" "d: expected a duration such as 30s or 500ms, got 'forever'"
bad_kind "errno" "e = EFOO" "e: expected an errno name or number, got 'EFOO'"
bad_kind "signal" "g = SIGFOO" "g: expected a signal name or number, got 'SIGFOO'"
bad_kind "path" "p = relative/dir" "p: expected an absolute path, got 'relative/dir'"
keyed "" "i = 1" "i = 2"
run_sandlock check -c "$T/k.ini"
is "repeated in one file: exit 125" "$rc" 125
like "repeated in one file: both lines" "$err" \
    "^sandlock: $T/k\\.ini:6: \\[plugin k\\]: i is given again \\(first at $T/k\\.ini:5\\); it takes one value"

keyed "" "colour = blue"
run_sandlock check -c "$T/k.ini"
is "unknown key: exit 125" "$rc" 125
like "unknown key: FILE:LINE and every declared key" "$err" \
    "^sandlock: $T/k\\.ini:5: unknown key 'colour' in \\[plugin k\\] \\(expected dump, s, b, i, z, d, e, g, p, l, r, a key starting with 'opt_', reject, crash\\)$"

printf '[plugin k]\nmodule = %s\ni = 1\n' "$KEYED" > "$T/k.ini"
run_sandlock check -c "$T/k.ini"
is "missing required key: exit 125" "$rc" 125
like "missing required key: the section's line, the key and its help" "$err" \
    "^sandlock: $T/k\\.ini:1: \\[plugin k\\]: missing required key 'dump' \\(where init\\(\\) writes what it read\\)$"

# A value init() refuses, named by config_error(): its own line.
keyed "i = 1" "reject = this"
run_sandlock check -c "$T/k.ini"
is "config_error: exit 125" "$rc" 125
like "config_error: the value's FILE:LINE" "$err" \
    "^sandlock: $T/k\\.ini:5: \\[plugin k\\]: init failed: reject: 'this' is refused by the plugin$"

# A drop-in and --set replace a single-valued key (no "given again"); their
# errors name where they come from.
keyed "i = 1"
mkdir -p "$T/k.d"
printf '[plugin k]\ni = 9\n' > "$T/k.d/10.ini"
run_sandlock check -c "$T/k.ini"
is "a drop-in replaces a single-valued key" "$rc/$(grep '^i=' "$dump" 2>/dev/null)" "0/i=9"
run_sandlock check -c "$T/k.ini" --set k.i=5
is "--set replaces it again" "$rc/$(grep '^i=' "$dump" 2>/dev/null)" "0/i=5"
run_sandlock check -c "$T/k.ini" --set k.i=five
like "--set: a bad value names --set" "$err" "^sandlock: --set: \\[plugin k\\]: i: expected an integer, got 'five'"
printf '[plugin k]\n\nreject = there\n' > "$T/k.d/20.ini"
run_sandlock check -c "$T/k.ini"
like "config_error: a drop-in's value names the drop-in's line" "$err" \
    "^sandlock: $T/k\\.d/20\\.ini:3: \\[plugin k\\]: init failed: reject: 'there'"
rm -rf "$T/k.d"

# A plugin built for ABI 1.2 declares no keys: the host checks none and the
# plugin's own checks speak, as before 1.6.
printf '[plugin old]\nmodule = %s\nanswer = 7\n' "$ABI12" > "$T/old.ini"
run_sandlock run -c "$T/old.ini" -- "$PROBE" getppid
is "ABI 1.2 plugin: loads and answers" "$rc/$out" "0/getppid=7 errno=0"
printf '[plugin old]\nmodule = %s\nanswer = 7\ncolour = blue\n' "$ABI12" > "$T/old.ini"
run_sandlock check -c "$T/old.ini"
like "ABI 1.2 plugin: its own unknown-key message" "$err" \
    "\\[plugin old\\]: init failed: unknown key 'colour' \\(expected answer\\)$"
# sandlock plugins: every module of the path, with its declared keys.
SANDLOCK_PLUGIN_PATH="$top_builddir/tests/integration/.libs" run_sandlock plugins -c "$EMPTY_INI"
is "plugins: exit 0" "$rc" 0
abi=$("$SANDLOCK" --version | sed -n 's/.*(plugin ABI \([0-9.]*\))$/\1/p')   # what keyed.so was built for
like "plugins: a module with its version, file and ABI" "$out" "^keyed 1\\.6-test  .*/keyed\\.so \\(plugin ABI ${abi//./\\.}\\)$"
like "plugins: a required key with its kind and help" "$out" "^  dump +path, required$"
like "plugins: a key's help" "$out" "^      where init\\(\\) writes what it read$"
like "plugins: a repeatable key" "$out" "^  r +string, repeatable$"
like "plugins: an ABI 1.2 module declares no keys" "$out" "^abi12 1\\.2  .*abi12\\.so \\(plugin ABI 1\\.2\\)
  built for plugin ABI 1\\.2
  keys: not declared"
like "plugins: a file that is no plugin is named with the reason" "$out" "^ctormark  .*ctormark\\.so
  \\(unusable: not a sandlock plugin"
like "plugins: the bundled ones follow in the path" "$out" "^verdict .*
.*
  syscalls +string, repeatable, required"
SANDLOCK_PLUGIN_PATH="$top_builddir/tests/integration/.libs" run_sandlock plugins -c "$EMPTY_INI" --json
like "plugins --json: a key" "$out" \
    '"name": "dump", "kind": "path", "repeatable": false, "required": true, "help": "where init\(\) writes what it read"'
like "plugins --json: no declared keys is null" "$out" '"module": "abi12", .*"keys": null'
if command -v python3 >/dev/null; then
    printf '%s' "$out" | python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null
    is "plugins --json: valid JSON" "$?" 0
else
    skip "plugins --json: valid JSON" "no python3 to parse it"
fi
done_testing
