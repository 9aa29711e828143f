#!/usr/bin/env bash
# Drop-ins: FILE.ini is followed by FILE.d/*.ini in lexical order; a new
# section adds an instance at the end, a section of an existing instance
# overrides its keys (enabled = no disables it), [sandlock] keys override;
# errors name the drop-in and its line; untrusted drop-ins are refused.
. "$top_srcdir/tests/integration/common.sh"
T=$TEST_TMP
cat > "$T/x.ini" <<EOF2
[sandlock]
masks = no
workers = 1
[plugin p]
module = verdict
syscalls = getppid
action = return:41
[plugin q]
module = verdict
syscalls = uname
action = errno:EACCES
EOF2
mkdir "$T/x.d"
# Written in the opposite order: the names decide.
printf '[plugin p]\naction = return:43\n' > "$T/x.d/20-b.ini"
printf '[plugin p]\naction = return:42\n' > "$T/x.d/10-a.ini"
printf '[plugin q]\nenabled = no\n' > "$T/x.d/30-c.ini"
printf '[plugin r]\nmodule = verdict\nsyscalls = getpid\naction = return:7\n' > "$T/x.d/40-d.ini"
printf '[sandlock]\nworkers = 3\n' > "$T/x.d/50-e.ini"
printf 'not a configuration\n' > "$T/x.d/README"
printf 'not a configuration\n' > "$T/x.d/.hidden.ini"

run_sandlock run -c "$T/x.ini" -- "$PROBE" getppid uname getpid
is "drop-ins: the last in lexical order wins (20-b after 10-a)" "$(printf '%s\n' "$out" | grep '^getppid=')" \
    "getppid=43 errno=0"
is "drop-ins: r, a new section, is added" "$(printf '%s\n' "$out" | grep '^getpid=')" "getpid=7 errno=0"
like "drop-ins: uname runs (q disabled)" "$out" "uname=[0-9]+ errno=0"
json=$("$SANDLOCK" check --json -c "$T/x.ini" 2>/dev/null)
is "check --json: the drop-ins in order, workers from 50-e, r last, q disabled" "$(printf '%s' "$json" | python3 -c '
import json, os, sys
d = json.load(sys.stdin)
print([os.path.basename(f) for f in d["drop_ins"]], d["workers"], [i["name"] for i in d["instances"]], d["disabled"])')" \
    "['10-a.ini', '20-b.ini', '30-c.ini', '40-d.ini', '50-e.ini'] 3 ['p', 'r'] ['q']"
run_sandlock check -c "$T/x.ini"
like "check: lists each drop-in" "$out" "drop-in: $T/x.d/10-a.ini"
run_sandlock run -c "$T/x.ini" --set p.action=return:44 -- "$PROBE" getppid
is "--set comes after the drop-ins" "$out" "getppid=44 errno=0"

printf '[sandlock]\ndeny = nosuchcall\n' > "$T/x.d/60-f.ini"
run_sandlock check -c "$T/x.ini"
is "a bad value in a drop-in: 125" "$rc" 125
is "... named FILE:LINE of the drop-in" "$err" "sandlock: $T/x.d/60-f.ini:2: deny: unknown syscall 'nosuchcall'"
printf '[plugin p]\naction = return:1\n[plugin p]\naction = return:2\n' > "$T/x.d/60-f.ini"
run_sandlock check -c "$T/x.ini"
is "a section twice in one drop-in: named" "$err" \
    "sandlock: $T/x.d/60-f.ini:3: duplicate instance 'p' (first defined at line 1)"
printf 'garbage\n' > "$T/x.d/60-f.ini"
run_sandlock check -c "$T/x.ini"
like "a syntax error in a drop-in: named" "$err" "^sandlock: $T/x.d/60-f.ini:1: expected KEY = VALUE"
printf '[plugin p]\naction = return:45\n' > "$T/x.d/60-f.ini"
chmod 666 "$T/x.d/60-f.ini"
run_sandlock check -c "$T/x.ini"
is "an untrusted drop-in: 125" "$rc" 125
like "... refused, named" "$err" "^sandlock: $T/x.d/60-f.ini: configuration is not trusted"
rm -f "$T/x.d/60-f.ini"
chmod 000 "$T/x.d"
if [ "$(id -u)" -ne 0 ]; then
    run_sandlock check -c "$T/x.ini"
    like "an unreadable drop-in directory: named" "$err" "^sandlock: $T/x.d: cannot read the drop-in directory"
else
    skip "an unreadable drop-in directory" "root reads any directory"
fi
chmod 755 "$T/x.d"
rm -rf "$T/x.d"
run_sandlock run -c "$T/x.ini" -- "$PROBE" getppid
is "no drop-in directory: the file alone" "$out" "getppid=41 errno=0"
done_testing
