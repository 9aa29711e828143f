#!/usr/bin/env bash
# Seeing what the sandbox did: every policy denial of fsdeny and netguard
# (on the notification path: masks = no) is reported once, with instance,
# pid, syscall, decoded path or address and errno, at warn level, escaped,
# rate-limited; --stats separates denials from errno results passed
# through, also as JSON; -v shows the decoded object; --log and -q keep the
# command's stderr its own.
. "$top_srcdir/tests/integration/common.sh"
NGPROBE="$top_builddir/plugins/netguard/ngprobe"
T=$TEST_TMP
echo secret > "$T/secret"
nl_name="$T/a
sandlock: warning: [fs] forged"
# netguard first: an instance after fsdeny does not see the unix calls
# fsdeny makes (sandlock-fsdeny(7)), and netguard's unix denial is tested.
ini=$(write_ini den <<EOF2
[sandlock]
masks = no
[plugin net]
module = netguard
deny = 127.0.0.9
deny = unix:$T/no.sock
errno = EHOSTUNREACH
[plugin fs]
module = fsdeny
deny = $T/secret
deny = $T/a*
EOF2
)
# denial_lines : sandlock's denial lines on stderr
denial_lines() { grep -E '^sandlock: warning: \[[a-z]+\] denied ' "$TEST_TMP/stderr" || true; }

run_sandlock run -c "$ini" -- "$PROBE" open:"$T/secret" open:"$T/missing"
is "the denied open fails with EACCES, the missing file with ENOENT" "$out" "open=-1 errno=EACCES
open=-1 errno=ENOENT"
like "a denial is reported with instance, syscall, path, pid and errno" "$(denial_lines)" \
    "^sandlock: warning: \[fs\] denied openat \"$T/secret\" by pid [0-9]+: EACCES\$"
is "... once, and the ENOENT passed through is not a denial" "$(denial_lines | wc -l)" 1

run_sandlock run -c "$ini" --stats -- "$PROBE" open:"$T/secret" open:"$T/missing" open:"$T/missing"
row=$(grep -E '^fs ' "$TEST_TMP/stderr")
like "--stats: a 'denied' column next to 'errno'" "$err" "instance +calls +continue +denied +errno +return"
is "--stats: fs denied 1 (column 4)" "$(echo "$row" | awk '{ print $4 }')" 1
errno_with=$(echo "$row" | awk '{ print $5 }')
run_sandlock run -c "$ini" --stats -- "$PROBE" open:"$T/secret"
errno_without=$(grep -E '^fs ' "$TEST_TMP/stderr" | awk '{ print $5 }')
is "--stats: the two ENOENTs are counted as errno passed through, not as denials" \
    "$((errno_with - errno_without))" 2

run_sandlock run -c "$ini" -- "$PROBE" open:"$nl_name"
is "a path with a newline: denied" "$out" "open=-1 errno=EACCES"
is "... one line, the newline escaped: no forged line" "$(denial_lines | wc -l)" 1
like "... as \\x0a" "$(denial_lines)" 'denied openat "[^"]*/a\\x0asandlock: warning: \[fs\] forged" by pid'

# A loop cannot flood the log: 10 lines, then at most one per second that
# counts what it left out, and a last count when the run ends.
run_sandlock run -c "$ini" --stats -- "$PROBE" openloop:"$T/secret":300
like "a loop of 300 denied opens" "$out" "openloop"
n=$(denial_lines | wc -l)
shown_more=$(grep -oE '\(([0-9]+) more denials of \[fs\] not shown\)|\] ([0-9]+) more denials not shown' "$TEST_TMP/stderr" |
    grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }')
like "rate limit: 10 to 30 denial lines for 300 denials (got $n)" "$n" '^(1[0-9]|2[0-9]|30)$'
is "rate limit: lines shown + denials counted as left out = 300" "$((n + shown_more))" 300
is "rate limit: --stats counts all 300" "$(grep -E '^fs ' "$TEST_TMP/stderr" | awk '{ print $4 }')" 300
like "rate limit: the end of the run says how many were left out" "$err" \
    "sandlock: warning: \[fs\] [0-9]+ more denials not shown \(--stats counts them all\)"

# netguard: the address as netguard judged it.
run_sandlock run -c "$ini" -- "$NGPROBE" connect tcp4 127.0.0.9 80
is "netguard: a denied connect" "$out" "err EHOSTUNREACH"
like "netguard: reported with the address and port" "$(denial_lines)" \
    '^sandlock: warning: \[net\] denied connect "127\.0\.0\.9:80" by pid [0-9]+: EHOSTUNREACH$'
run_sandlock run -c "$ini" -- "$NGPROBE" connect unix "$T/no.sock" 0
is "netguard: a denied unix connect" "$out" "err EHOSTUNREACH"
like "netguard: reported as unix:PATH" "$(denial_lines)" "denied connect \"unix:$T/no.sock\" by pid [0-9]+: EHOSTUNREACH\$"

# -v: the trace line of the call shows the decoded object.
run_sandlock run -c "$ini" -v -- "$PROBE" open:"$T/secret"
like "-v: the denied call's trace with its path" "$err" \
    "trace: pid [0-9]+ openat \"$T/secret\" -> errno EACCES by \[fs\] \(policy denial\)"

# --log FILE: sandlock's lines go to FILE, the command's stderr stays.
rm -f "$T/log"
out=$("$SANDLOCK" run -c "$ini" -v --stats --log "$T/log" -- sh -c "cat '$T/secret'; echo own >&2" 2>"$T/err")
like "--log: the command's own stderr is there" "$(cat "$T/err")" "Permission denied"
unlike "--log: nothing of sandlock's on the terminal" "$(cat "$T/err")" "^sandlock:"
like "--log: the denial in the file" "$(cat "$T/log")" "\[fs\] denied openat \"$T/secret\""
like "--log: the traces in the file" "$(cat "$T/log")" "sandlock: trace: pid"
like "--log: the stats in the file" "$(cat "$T/log")" "^fs +[0-9]+"
run_sandlock run -c "$ini" --log "$T/nodir/log" -- true
is "--log into a missing directory: 125" "$rc" 125
like "... naming the file" "$err" "^sandlock: --log: cannot open '$T/nodir/log': No such file or directory"

# -q: no warnings, no denial lines, no audit lines on the terminal; the
# stats asked for are still shown.
qini=$(write_ini quiet <<EOF2
[sandlock]
masks = no
[plugin audit]
module = audit
syscalls = execve
[plugin fs]
module = fsdeny
deny = $T/secret
EOF2
)
run_sandlock run -c "$qini" -- "$PROBE" open:"$T/secret"
like "without -q: audit and the denial on stderr" "$err" "execve.*
.*denied openat"
run_sandlock run -q --stats -c "$qini" -- "$PROBE" open:"$T/secret"
is "-q: the command's result" "$out" "open=-1 errno=EACCES"
unlike "-q: no denial line" "$err" "denied openat"
unlike "-q: no audit line" "$err" "execve\\(|^\\[audit\\]"
is "-q: --stats still shown" "$(grep -E '^fs ' "$TEST_TMP/stderr" | awk '{ print $4 }')" 1

# --stats=json and --stats-file, read back with a JSON parser.
run_sandlock run -c "$ini" --stats=json -- "$PROBE" open:"$T/secret" open:"$T/missing"
json=$(grep '^{' "$TEST_TMP/stderr")
is "--stats=json: valid JSON, fs: denied 1, errno passed through, openat notified" "$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
fs = [i for i in d["instances"] if i["name"] == "fs"][0]
print(fs["denied"], fs["errno"] >= 1, fs["calls"] >= 2, d["notifications"]["openat"] >= 2)')" "1 True True True"
rm -f "$T/stats.json"
run_sandlock run -c "$ini" --stats=json --stats-file "$T/stats.json" -- "$PROBE" open:"$T/secret"
unlike "--stats-file: nothing on stderr" "$err" "instances"
is "--stats-file: the file holds the JSON" "$(python3 -c '
import json, sys
print([i for i in json.load(open(sys.argv[1]))["instances"] if i["name"] == "fs"][0]["denied"])' "$T/stats.json")" 1
run_sandlock run -c "$ini" --stats=xml -- true
is "--stats=xml: 125" "$rc" 125
like "... saying what is expected" "$err" "expected --stats, --stats=text or --stats=json"

done_testing
