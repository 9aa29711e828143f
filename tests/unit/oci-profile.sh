#!/bin/sh
# oci-profile.sh -- `sandlock oci-profile`: the profile parses as JSON, its
# notified syscalls are exactly the chains `sandlock check --json` shows
# for the same configuration without masks, its denies are the deny list
# and the built-in argument rules; --base merges (what the base denies
# stays denied, with a warning); errors exit 125 with the reason.
. "$top_srcdir/tests/lib.sh"

if ! command -v python3 >/dev/null; then
    skip "oci-profile" "python3 is needed to read the JSON"
    done_testing
fi

# json_query FILE EXPR: prints the Python expression EXPR over the parsed
# profile `p` (and `notify`, `denied`: the sets of names of unconditional
# rules by action); "INVALID: ..." when FILE is no JSON.
json_query() {
    python3 - "$1" "$2" <<'PY'
import json, sys
try:
    p = json.load(open(sys.argv[1]))
except Exception as e:
    print("INVALID:", e); sys.exit(0)
def names(r): return r.get("names", []) + ([r["name"]] if "name" in r else [])
notify = sorted(n for r in p.get("syscalls", []) if r["action"] == "SCMP_ACT_NOTIFY" for n in names(r))
denied = sorted(n for r in p.get("syscalls", []) if r["action"] == "SCMP_ACT_ERRNO" and not r.get("args") for n in names(r))
allowed = sorted(n for r in p.get("syscalls", []) if r["action"] == "SCMP_ACT_ALLOW" for n in names(r))
print(eval(sys.argv[2]))
PY
}

ini=$(write_ini two <<INI
[sandlock]
deny = uname

[plugin a]
module = verdict
syscalls = getppid, getpid
action = return:7

[plugin b]
module = verdict
syscalls = gettid
action = errno:EACCES
INI
)

# ---- the profile for a configuration ----
run_sandlock oci-profile -c "$ini" --socket /run/sandlock/agent.sock --metadata profile=web
is "exit 0" "$rc" 0
is "nothing on stderr" "$err" ""
printf '%s\n' "$out" > "$TEST_TMP/p.json"
python3 -m json.tool "$TEST_TMP/p.json" >/dev/null 2>&1
is "python3 -m json.tool reads it" "$?" 0
is "defaultAction" "$(json_query "$TEST_TMP/p.json" 'p["defaultAction"]')" SCMP_ACT_ALLOW
case $(uname -m) in
x86_64) arch=SCMP_ARCH_X86_64 ;;
aarch64) arch=SCMP_ARCH_AARCH64 ;;
*) arch=unknown ;;
esac
is "architectures: the native one, as the filter" "$(json_query "$TEST_TMP/p.json" 'p["architectures"]')" "['$arch']"
is "listenerPath" "$(json_query "$TEST_TMP/p.json" 'p["listenerPath"]')" /run/sandlock/agent.sock
is "listenerMetadata" "$(json_query "$TEST_TMP/p.json" 'p["listenerMetadata"]')" profile=web
"$SANDLOCK" check --json -c "$ini" --set sandlock.masks=no > "$TEST_TMP/check.json"
chains=$(python3 -c 'import json,sys; print(sorted(s["name"] for s in json.load(open(sys.argv[1]))["syscalls"]))' \
    "$TEST_TMP/check.json")
is "notified: exactly the chains of check --json" "$(json_query "$TEST_TMP/p.json" 'notify')" "$chains"
is "notified: getpid, getppid, gettid" "$chains" "['getpid', 'getppid', 'gettid']"
is "the deny list's extra name denied with EPERM" \
    "$(json_query "$TEST_TMP/p.json" '[r["errnoRet"] for r in p["syscalls"] if "uname" in r.get("names", [])]')" "[1]"
is "built-in deny list: ptrace, mount, io_uring_setup" \
    "$(json_query "$TEST_TMP/p.json" '[n in denied for n in ("ptrace", "mount", "io_uring_setup")]')" \
    "[True, True, True]"
is "argument rules: clone3 fails with ENOSYS" \
    "$(json_query "$TEST_TMP/p.json" '[r["errnoRet"] for r in p["syscalls"] if r.get("names") == ["clone3"]]')" "[38]"
is "argument rules: clone with CLONE_NEWUSER" \
    "$(json_query "$TEST_TMP/p.json" '[r["args"] for r in p["syscalls"] if r.get("names") == ["clone"] and r["args"][0]["value"] == 0x10000000]')" \
    "[[{'index': 0, 'value': 268435456, 'valueTwo': 268435456, 'op': 'SCMP_CMP_MASKED_EQ'}]]"

# The default configuration: the same comparison with every bundled chain.
run_sandlock oci-profile -c "$top_srcdir/examples/sandlock.ini" --socket /run/a.sock
printf '%s\n' "$out" > "$TEST_TMP/d.json"
"$SANDLOCK" check --json -c "$top_srcdir/examples/sandlock.ini" --set sandlock.masks=no > "$TEST_TMP/dcheck.json"
chains=$(python3 -c 'import json,sys; print(sorted(s["name"] for s in json.load(open(sys.argv[1]))["syscalls"]))' \
    "$TEST_TMP/dcheck.json")
is "default configuration: exit 0" "$rc" 0
is "default configuration: notified = check --json's chains (masks = no)" \
    "$(json_query "$TEST_TMP/d.json" 'notify')" "$chains"
like "default configuration: openat notified" "$(json_query "$TEST_TMP/d.json" 'notify')" "'openat'"
is "no metadata: no listenerMetadata" "$(json_query "$TEST_TMP/d.json" '"listenerMetadata" in p')" False

# default_deny = no: only the configuration's own names.
ini_nodeny=$(write_ini nodeny <<INI
[sandlock]
default_deny = no
deny = uname

[plugin a]
module = verdict
syscalls = getppid
action = return:7
INI
)
run_sandlock oci-profile -c "$ini_nodeny" --socket /run/a.sock
printf '%s\n' "$out" > "$TEST_TMP/n.json"
is "default_deny = no: denied is the configuration's list" "$(json_query "$TEST_TMP/n.json" 'denied')" "['uname']"
is "default_deny = no: no argument rule" \
    "$(json_query "$TEST_TMP/n.json" 'len([r for r in p["syscalls"] if r.get("args")])')" 0

# ---- --base ----
cat > "$TEST_TMP/base.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "architectures": ["SCMP_ARCH_X86_64"],
  "listenerPath": "/old.sock",
  "syscalls": [
    {"names": ["getppid", "read", "write", "uname"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS"},
    {"name": "exit_group", "action": "SCMP_ACT_ALLOW"}
  ]
}
JSON
run_sandlock oci-profile -c "$ini" --base "$TEST_TMP/base.json" --socket /run/a.sock
printf '%s\n' "$out" > "$TEST_TMP/m.json"
is "base: exit 0" "$rc" 0
is "base: its defaultAction kept" "$(json_query "$TEST_TMP/m.json" 'p["defaultAction"], p["defaultErrnoRet"]')" \
    "('SCMP_ACT_ERRNO', 1)"
is "base: an allowed syscall becomes notified, the others stay allowed" \
    "$(json_query "$TEST_TMP/m.json" 'notify, allowed')" "(['getppid'], ['exit_group', 'read', 'write'])"
is "base: a syscall it kills stays so" \
    "$(json_query "$TEST_TMP/m.json" '[r["action"] for r in p["syscalls"] if "getpid" in r.get("names", [])]')" \
    "['SCMP_ACT_KILL_PROCESS']"
like "base: warning for the syscall it denies" "$err" "warning: getpid stays denied by the base"
like "base: warning for one its defaultAction denies" "$err" "warning: gettid stays denied by the base's defaultAction"
like "base: warning for the deny list over its allow" "$err" "warning: uname: the base's rules that allow it replaced"
is "base: the deny list wins over its allow" "$(json_query "$TEST_TMP/m.json" '"uname" in denied and "uname" not in allowed')" True
like "base: warning for its listenerPath" "$err" "listenerPath /old.sock replaced by /run/a.sock"
is "base: listenerPath ours" "$(json_query "$TEST_TMP/m.json" 'p["listenerPath"]')" /run/a.sock

cat > "$TEST_TMP/cond.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
 "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
               "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
JSON
run_sandlock oci-profile -c "$ini" --base "$TEST_TMP/cond.json" --socket /run/a.sock
printf '%s\n' "$out" > "$TEST_TMP/c.json"
like "base with conditions: warning" "$err" "the base decides getppid by its arguments"
is "base with conditions: left to the base" "$(json_query "$TEST_TMP/c.json" 'notify')" "['getpid', 'gettid']"
like "base with another architecture: warning" "$err" "the base lists architecture SCMP_ARCH_X86"

# ---- errors ----
run_sandlock oci-profile -c "$ini"
is "no --socket: 125" "$rc" 125
like "no --socket: says so" "$err" "--socket PATH \\(absolute\\) is required"
run_sandlock oci-profile -c "$ini" --socket run/a.sock
is "relative --socket: 125" "$rc" 125
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/none.json"
is "missing base: 125" "$rc" 125
like "missing base: names it" "$err" "--base $TEST_TMP/none.json"
printf '{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [}\n' > "$TEST_TMP/bad.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/bad.json"
is "malformed base: 125" "$rc" 125
like "malformed base: file:line:column" "$err" "--base $TEST_TMP/bad.json:2:"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_ERRNO"}\n' > "$TEST_TMP/dup.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/dup.json"
like "base with a duplicate key: refused" "$rc:$err" "^125:.*duplicate"
printf '[]\n' > "$TEST_TMP/arr.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/arr.json"
like "base not an object: refused" "$rc:$err" "^125:.*not a JSON object"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}\n' > "$TEST_TMP/sc.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/sc.json"
like "base syscalls not an array: refused" "$rc:$err" "^125:.*\"syscalls\" is not an array"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}\n' > "$TEST_TMP/na.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/na.json"
like "base rule without an action: refused" "$rc:$err" "^125:.*syscalls\\[0\\]: not an object with an \"action\""
printf '{"syscalls": []}\n' > "$TEST_TMP/nd.json"
run_sandlock oci-profile -c "$ini" --socket /a --base "$TEST_TMP/nd.json"
like "base without defaultAction: refused" "$rc:$err" "^125:.*\"defaultAction\" missing"
run_sandlock oci-profile -c "$ini" --socket "$(printf '/a\377')"
like "a socket path that is not UTF-8: refused" "$rc:$err" "^125:.*must be UTF-8"
run_sandlock oci-profile -c "$ini" --socket /a --metadata "$(printf 'p=\377')"
like "metadata that is not UTF-8: refused" "$rc:$err" "^125:.*must be UTF-8"
run_sandlock oci-profile -c "$ini" --socket /a --bogus
like "unknown option: 125" "$rc:$err" "^125:.*unknown option '--bogus'"
# An agent profile with placeholders: expanded with the sample values.
ph_ini=$(write_ini placeholder <<INI
[plugin a]
module = audit
output = $TEST_TMP/audit-%{id}-%{annotation:k}.log
[plugin v]
module = verdict
syscalls = getppid
action = return:1
INI
)
run_sandlock oci-profile -c "$ph_ini" --socket /a
is "placeholders: the profile is made (exit 0)" "$rc:$err" "0:"
like "placeholders: the profile" "$out" "listenerPath"
[ -e "$TEST_TMP/audit-oci-profile-oci-profile.log" ]
is "placeholders: init() saw the sample values" "$?" 0
ph_ini=$(write_ini placeholder2 <<INI
[plugin a]
module = audit
output = $TEST_TMP/%{nope}.log
INI
)
run_sandlock oci-profile -c "$ph_ini" --socket /a
like "an unknown placeholder: refused with file:line" "$rc:$err" "^125:.*placeholder2\.ini:3: \\[plugin a\\]: output: unknown placeholder"
bad_ini=$(write_ini bad <<INI
[plugin x]
module = nosuch-module
INI
)
run_sandlock oci-profile -c "$bad_ini" --socket /a
like "a bad configuration: 125 with the reason" "$rc:$err" "^125:.*nosuch-module"
is "a bad configuration: nothing on stdout" "$out" ""
done_testing
