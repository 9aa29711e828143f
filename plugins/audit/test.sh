#!/bin/sh
# audit plugin: every intercepted call of a real sandboxed child becomes one
# log line (JSON or text), with decoded paths, addresses and argv; the
# calls themselves run unchanged.
. "$top_srcdir/tests/lib.sh"
probe="$top_builddir/plugins/audit/audit-probe"
log="$TEST_TMP/audit.log"

if ! command -v python3 >/dev/null; then
    echo "1..0 # SKIP python3 is needed to check the JSON"
    exit 0
fi

# q EXPR: evaluates a Python expression over the records of $log (every
# line must parse as JSON, or q prints INVALID). In EXPR, recs is the list
# of call records, sessions the list of session records, b(s) gives the
# exact bytes of a decoded string and find(key, value) the records whose
# key decodes to the bytes value.
cat > "$TEST_TMP/q.py" <<'PY'
import json, sys
def b(s):
    return s.encode("utf-8", "surrogateescape")
recs = []
for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    try:
        recs.append(json.loads(line))
    except ValueError as e:
        print("INVALID line %d: %s: %r" % (n, e, line[:200]))
        sys.exit(0)
sessions = [r for r in recs if "session" in r]
recs = [r for r in recs if "session" not in r]
def find(key, value):
    return [r for r in recs if key in r and isinstance(r[key], str) and b(r[key]) == value]
print(eval(sys.argv[2]))
PY
q() { python3 "$TEST_TMP/q.py" "$log" "$1"; }

audit_ini() { # NAME [extra key lines]: an audit instance logging to $log
    name=$1
    shift
    printf '[sandlock]\nworkers = 4\n[plugin audit]\nmodule = audit\noutput = %s\n' "$log" > "$TEST_TMP/$name.ini"
    for line in "$@"; do printf '%s\n' "$line" >> "$TEST_TMP/$name.ini"; done
    echo "$TEST_TMP/$name.ini"
}

# --- configuration errors name the key ---
run_sandlock check -c "$(audit_ini e1 'colour = red')"
like "unknown key refused" "$rc $err" "^125 .*unknown key 'colour'"
run_sandlock check -c "$(audit_ini e2 'format = xml')"
like "bad format refused" "$rc $err" "^125 .*format: expected json or text, got 'xml'"
run_sandlock check -c "$(audit_ini e3 'syscalls = ,')"
like "empty syscall list refused" "$rc $err" "^125 .*syscalls: empty list"
run_sandlock check -c "$(audit_ini e4 'syscalls = openat, no_such_call')"
like "unknown syscall refused by the host" "$rc $err" "^125 .*no_such_call"
printf '[plugin audit]\nmodule = audit\noutput = %s\n' "$TEST_TMP/no/such/dir/log" > "$TEST_TMP/e5.ini"
run_sandlock check -c "$TEST_TMP/e5.ini"
like "unopenable output refused" "$rc $err" "^125 .*output: cannot open '.*no/such/dir/log'"
run_sandlock check -c "$(audit_ini ok)"
like "default syscall set" "$out" "execve +audit"
like "default syscall set has renameat2" "$out" "renameat2 +audit"

# --- awkward path bytes: valid JSON, exact bytes back ---
dir="$TEST_TMP/names"
mkdir "$dir"
: > "$log"
run_sandlock run -c "$(audit_ini names)" -- "$probe" names "$dir"
is "names: probe ran" "$rc" 0
for name in 'new\nline' 'quo"te' 'back\\slash' 'bad\xff\xfe' 'tab\tand\x01\x1f\x7f' 'caf\xc3\xa9' \
            'surrogate\xed\xa0\x80' 'overlong\xc0\xaf' 'emoji\xf0\x9f\x98\x80' 'cut\xe2\x82'; do
    # (dash's echo would expand backslashes in the description)
    is "names: $(printf '%s' "$name" | tr '\\' '^') logged exactly once" \
        "$(q "len([r for r in find('path', b'$dir/' + b'$name') if r['syscall'] in ('openat', 'open', 'creat')])")" 1
done
if command -v jq >/dev/null; then
    jq -e . "$log" >/dev/null 2>&1
    is "names: jq parses every line too" "$?" 0
else
    pass "# SKIP jq not installed"
fi
is "names: every file was really created (Continue)" "$(ls -q "$dir" | wc -l)" 10
is "names: every line has time, pid, syscall, six raw args" \
    "$(q "all(__import__('re').fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z', r['time']) and isinstance(r['pid'], int) and r['pid'] > 0 and len(r['args']) == 6 and all(a.startswith('0x') for a in r['args']) for r in recs) and len(recs) > 10")" True
is "names: openat's raw args: AT_FDCWD and O_CREAT" \
    "$(q "[(r['args'][0], int(r['args'][2], 16) & 0o100) for r in find('path', b'$dir/quo\"te')]")" \
    "[('0xffffff9c', 64)]"
is "names: time is UTC now" "$(q "abs(__import__('datetime').datetime.strptime(recs[-1]['time'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=__import__('datetime').timezone.utc).timestamp() - __import__('time').time()) < 120")" True
# The line builder's own exhaustive check: all 1- and 2-byte strings and
# many 3-4 byte ones decode back to their bytes.
"$top_builddir/plugins/audit/test-record" dump > "$TEST_TMP/dump"
is "escaping round-trips every short byte string" "$(python3 -c '
import json, sys
bad = 0
for line in open(sys.argv[1], "rb"):
    r = json.loads(line)
    bad += r["s"].encode("utf-8", "surrogateescape") != bytes.fromhex(r["hex"])
print(bad)' "$TEST_TMP/dump")" 0

# --- paths are absolute and normalised, as the child names them ---
dir="$TEST_TMP/rel"
mkdir "$dir"
: > "$log"
run_sandlock run -c "$(audit_ini rel)" -- "$probe" relative "$dir"
is "relative: sub/../rel logged as absolute" "$(q "len(find('path', b'$dir/rel'))")" 1
is "relative: ./rel2 logged as absolute" "$(q "len(find('path', b'$dir/rel2'))")" 1
is "relative: the probe saw ENOTDIR for a file's dirfd" "$rc" 0
is "relative: a path under a file's dirfd is logged joined to the file's path" \
    "$(q "[(r['syscall'], r['args'][0] != '0xffffff9c') for r in find('path', b'$dir/plain/inside')]")" \
    "[('openat', True)]"

# --- paths under a directory descriptor, named after the call ---
# audit keeps a copy of the directory and names it in its writer thread
# (SDK 1.2 resolve_path_begin/end): the directory is removed right after
# the last call, and every line still names it as the child did.
dir="$TEST_TMP/dirfd"
mkdir "$dir"
: > "$log"
run_sandlock run -c "$(audit_ini dirfd)" -- "$probe" dirfd "$dir" 300
is "dirfd: the probe ran" "$rc" 0
is "dirfd: every create and unlink through the descriptor logged with the directory's path" \
    "$(q "sum(len(find('path', b'$dir/t/f%d' % i)) for i in range(300))")" 600
is "dirfd: rename through the descriptor: both paths" \
    "$(q "[(r['syscall'], b(r['newpath'])) for r in find('path', b'$dir/t/a') if 'newpath' in r]")" \
    "[('renameat', b'$dir/t/b')]"
is "dirfd: no path names a removed directory" "$(grep -c 'deleted' "$log")" 0

# While the output does not keep up, an instance keeps at most 256
# directories open for its writer (then names paths at once): the log goes
# to a FIFO nobody reads until the command is done, so everything stalls
# with the most directories held; then every line arrives, right.
mkfifo "$TEST_TMP/fifo"
dir="$TEST_TMP/held"
mkdir "$dir"
printf '[plugin audit]\nmodule = audit\noutput = %s\n' "$TEST_TMP/fifo" > "$TEST_TMP/fifo.ini"
exec 7<>"$TEST_TMP/fifo"        # lets sandlock open it; nothing read yet
"$SANDLOCK" run -c "$TEST_TMP/fifo.ini" -- "$probe" dirfd "$dir" 2000 7<&- 2>"$TEST_TMP/fifo.err" &
pid=$!
peak=0 last=-1 n=0
for _ in $(seq $((EVENT_TIMEOUT * 20))); do   # until the count stops moving
    n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    [ "$n" -gt "$peak" ] && peak=$n
    [ "$n" -eq "$last" ] && [ "$n" -gt 256 ] && break
    last=$n
    sleep 0.05
done
# The FIFO must never be without a reader: a write to it then fails with
# EPIPE and its lines are lost (sandlock counts and reports them). So the
# reader's end is opened here (at once: fd 7 is a writer too) and handed
# to cat by the fork, before the shell lets go of fd 7; cat gets its
# end-of-file when sandlock, the last writer, is done.
exec 8<"$TEST_TMP/fifo"
cat <&8 > "$TEST_TMP/fifo.out" 7<&- 8<&- &
reader=$!
exec 7<&- 8<&-
wait "$pid"
rc=$?
for _ in $(seq $((EVENT_TIMEOUT * 10))); do kill -0 "$reader" 2>/dev/null || break; sleep 0.1; done
kill "$reader" 2>/dev/null
wait "$reader"
is "held bound: the probe ran" "$rc" 0
like "held bound: 256 directories held at most (sandlock's fds at the stall: $peak)" "$peak" '^2[5-9][0-9]$'
is "held bound: no line lost (sandlock's warnings)" "$(cat "$TEST_TMP/fifo.err")" ""
log="$TEST_TMP/fifo.out"
is "held bound: every line arrived, with the directory's path" \
    "$(q "sum(len(find('path', b'$dir/t/f%d' % i)) for i in range(2000))")" 4000
log="$TEST_TMP/audit.log"

# --- two-path calls, symlink target, mkdir/unlink/rmdir ---
dir="$TEST_TMP/files"
mkdir "$dir"
: > "$log"
run_sandlock run -c "$(audit_ini files)" -- "$probe" files "$dir"
is "files: mkdir" "$(q "[r['syscall'] for r in find('path', b'$dir/d')]")" "['mkdir', 'rmdir']"
is "files: rename path and newpath" \
    "$(q "[(r['syscall'], b(r['newpath'])) for r in find('path', b'$dir/d/a') if 'newpath' in r]")" \
    "[('rename', b'$dir/d/b')]"
is "files: link path and newpath" \
    "$(q "[(r['syscall'], b(r['newpath'])) for r in find('path', b'$dir/d/b') if 'newpath' in r]")" \
    "[('link', b'$dir/d/c')]"
is "files: symlink target as written, link path resolved" \
    "$(q "[b(r['target']) for r in find('path', b'$dir/d/s') if r['syscall'] == 'symlink']")" \
    "[b'../target\\nx']"
is "files: unlink" "$(q "sorted(b(r['path']) for r in recs if r['syscall'] == 'unlink')")" \
    "[b'$dir/d/b', b'$dir/d/c', b'$dir/d/s']"

# --- socket addresses ---
: > "$log"
run_sandlock run -c "$(audit_ini net 'syscalls = connect, bind, sendto')" -- "$probe" net 1
is "net: connect addresses" "$(q "[r['addr'] for r in recs if r['syscall'] == 'connect']")" \
    "['127.0.0.1:1', '[::1]:1', 'unix:/nonexistent/audit.sock', 'unix:@audit-test']"
is "net: bind address" "$(q "[r['addr'] for r in recs if r['syscall'] == 'bind']")" "['127.0.0.1:0']"
is "net: sendto address" "$(q "[r['addr'] for r in recs if r['syscall'] == 'sendto']")" "['127.0.0.1:1']"

# --- exec: path and argv ---
: > "$log"
run_sandlock run -c "$(audit_ini exec)" -- "$probe" exec "arg one" "new
line" ""
is "exec: probe's exec of /bin/true ran" "$rc" 0
is "exec: argv decoded" "$(q "[r['argv'] for r in find('path', b'/bin/true')]")" \
    "[['true', 'arg one', 'new\\nline', '']]"
is "exec: the command's own execve is logged too" \
    "$(q "[r['argv'][1:] for r in find('path', b'$probe')]")" "[['exec', 'arg one', 'new\\nline', '']]"

# --- a path too long for the buffer is marked truncated ---
dir="$TEST_TMP/$(printf 'd%.0s' $(seq 250))"
mkdir "$dir"
: > "$log"
run_sandlock run -c "$(audit_ini long)" -- "$probe" long "$dir"
is "long: both paths marked truncated" \
    "$(q "[r.get('path_truncated') for r in recs if r['syscall'] == 'openat'][-2:]")" \
    "[True, True]"
is "long: the logged part is a prefix of the real path" \
    "$(q "[('$dir/' + 'xy/' * n + 'end').startswith(r['path']) for r, n in zip([r for r in recs if r.get('path_truncated')], (1300, 1666))]")" \
    "[True, True]"
is "long: a real prefix when the child's string itself fits" \
    "$(q "len([r for r in recs if r.get('path_truncated')][0]['path']) > 4000")" True

# --- an unreadable path is an error field, the call still runs ---
: > "$log"
run_sandlock run -c "$(audit_ini fault)" -- "$probe" fault
is "fault: path_error EFAULT" "$(q "[r.get('path_error') for r in recs if r['args'][1] == '0x8']")" "['EFAULT']"

# --- pid is the host's pid of the calling task ---
: > "$log"
name="ap${TEST_TMP##*.}"
"$SANDLOCK" run -c "$(audit_ini pid)" -- "$probe" pid "$name" "$TEST_TMP/pid-go" >/dev/null 2>&1 &
bg=$!
for _ in $(seq $((EVENT_TIMEOUT * 50))); do pid=$(pgrep -x "$name") && break; sleep 0.02; done
touch "$TEST_TMP/pid-go"
wait "$bg"
is "pid: the caller's pid (in sandlock's PID namespace)" "$(q "[r['pid'] for r in find('path', b'/dev/null')]")" "[$pid]"

# --- a syscall without a decoder: raw arguments only ---
: > "$log"
run_sandlock run -c "$(audit_ini raw 'syscalls = uname')" -- uname -s
is "raw: logged without decoded fields" "$(q "sorted(recs[0].keys())")" "['args', 'pid', 'syscall', 'time']"

# --- appends ---
echo "previous content" > "$log"
run_sandlock run -c "$(audit_ini append 'syscalls = uname')" -- uname -s
run_sandlock run -c "$(audit_ini append 'syscalls = uname')" -- uname -s
is "append: old content kept, both runs logged" "$(head -n1 "$log"; grep -c '"syscall":"uname"' "$log")" "previous content
2"

# --- text format ---
: > "$log"
dir="$TEST_TMP/text"
mkdir "$dir"
run_sandlock run -c "$(audit_ini text 'format = text')" -- "$probe" names "$dir"
like "text: one line per call, escaped" "$(cat "$log")" \
    "^[0-9T:.-]+Z pid=[0-9]+ syscall=openat args=0xffffff9c,0x[0-9a-f]+,0x80041,0x180,0x[0-9a-f]+,0x[0-9a-f]+ path=\"$dir/new\\\\x0aline\"\$"
like "text: quote escaped" "$(cat "$log")" "path=\"$dir/quo\\\\\"te\""
like "text: the session's start" "$(head -1 "$log")" \
    "^[0-9T:.-]+Z session=start sandlock_pid=[0-9]+ config=\"$TEST_TMP/text.ini\" command=\\[\"$probe\" \"names\" \"$dir\"\\]\$"
like "text: the session's end" "$(tail -1 "$log")" "^[0-9T:.-]+Z session=end sandlock_pid=[0-9]+ status=0\$"
is "text: one line per file" "$(grep -c "path=\"$dir/" "$log")" 10

# --- stderr output ---
printf '[plugin audit]\nmodule = audit\nsyscalls = uname\n' > "$TEST_TMP/stderr.ini"
run_sandlock run -c "$TEST_TMP/stderr.ini" -- uname -s
is "stderr: command output intact" "$out" "Linux"
like "stderr: record on sandlock's stderr" "$err" '^\{"time":"[^"]+","pid":[0-9]+,"syscall":"uname","args":\['

# --- a failing log never changes the sandbox ---
printf '[plugin audit]\nmodule = audit\noutput = /dev/full\n' > "$TEST_TMP/full.ini"
run_sandlock run -c "$TEST_TMP/full.ini" -- sh -c 'cat /dev/null; echo done; exit 3'
is "write failure: command's output and status intact" "$rc $out" "3 done"
is "write failure: reported once" "$(printf '%s\n' "$err" | grep -c 'cannot write the audit log')" 1
like "write failure: loss counted at the end" "$err" "([0-9]+) of \\1 audit lines could not be written"

# --- concurrency: 8 threads, 4 workers, no torn lines ---
: > "$log"
run_sandlock run -c "$(audit_ini threads)" -- "$probe" threads 8 250
is "threads: every line valid, every open logged" "$(q "len(find('path', b'/dev/null'))")" 2000
is "threads: lines of one thread in call order" \
    "$(q "all(a['time'] <= b['time'] for t in set(r['pid'] for r in recs) for a, b in zip([r for r in recs if r['pid'] == t], [r for r in recs if r['pid'] == t][1:]))")" True

# --- lines are written while the command runs, not only at the end ---
# The command opens a file and then waits on a FIFO until the test has seen
# the line: it is still running when the line arrives, however slow the
# machine (the writer flushes within a millisecond of a quiet spell).
: > "$log"
mkfifo "$TEST_TMP/prompt.fifo"
"$SANDLOCK" run -c "$(audit_ini prompt)" -- sh -c "cat /dev/null; read x < '$TEST_TMP/prompt.fifo'" \
    >/dev/null 2>&1 &
pid=$!
seen=no
for _ in $(seq $((EVENT_TIMEOUT * 20))); do
    if grep -q '"path":"/dev/null"' "$log"; then seen=yes; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
alive=$(kill -0 "$pid" 2>/dev/null && echo running || echo ended)
echo go > "$TEST_TMP/prompt.fifo" &
wait "$pid" 2>/dev/null
is "prompt: the line is in the log while the command still runs" "$seen $alive" "yes running"

# --- to a pipe shared with the command: every line whole ---
# The command writes its own lines into the same pipe while audit's lines
# go there too, and the pipe stays full (its reader is slow): each write
# of audit's is whole lines of at most PIPE_BUF bytes, so nothing is torn.
# (Writing whole batches to a pipe tears lines here: checked.)
printf '[plugin audit]\nmodule = audit\nsyscalls = openat\n' > "$TEST_TMP/pipe.ini"
"$SANDLOCK" run -c "$TEST_TMP/pipe.ini" -- sh -c \
    'i=0; while [ $i -lt 400 ]; do echo "child-line-$i" >&2; cat /dev/null; i=$((i+1)); done' \
    2>&1 >/dev/null | { sleep 0.2; while IFS= read -r l; do printf '%s\n' "$l"; done; } > "$TEST_TMP/pipe.out"
is "pipe: every line is the command's or a whole audit record" "$(python3 -c '
import json, sys
bad = child = audit = 0
for line in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    if line.startswith(b"child-line-"):
        child += 1
        continue
    try:
        json.loads(line); audit += 1
    except ValueError:
        bad += 1
print(bad, child, audit >= 400)' "$TEST_TMP/pipe.out")" "0 400 True"

# --- sessions: runs appended to one log can be told apart ---
: > "$log"
sini=$(audit_ini sess 'syscalls = execve')
run_sandlock run -c "$sini" -- sh -c 'exit 3'
run_sandlock run -c "$sini" -- true "a b" "$(printf 'x\ny')"
run_sandlock check -c "$sini"
is "sessions: start and end of each run, in order, none for check" \
    "$(q "[s['session'] for s in sessions]")" "['start', 'end', 'start', 'end']"
is "sessions: the start names the command (exact arguments) and the configuration" \
    "$(q "[(s['command'], s['config'] == '$sini') for s in sessions if s['session'] == 'start']")" \
    "[(['sh', '-c', 'exit 3'], True), (['true', 'a b', 'x\\ny'], True)]"
is "sessions: the end holds sandlock's exit status" "$(q "[s['status'] for s in sessions if s['session'] == 'end']")" \
    "[3, 0]"
is "sessions: start and end of one run carry the same sandlock pid, two runs two pids" \
    "$(q "(sessions[0]['sandlock_pid'] == sessions[1]['sandlock_pid'], sessions[1]['sandlock_pid'] != sessions[2]['sandlock_pid'])")" \
    "(True, True)"
is "sessions: the run's calls lie between its start and end" \
    "$(python3 -c 'import json, sys
kinds = [("session" in r and r["session"]) or "call" for r in map(json.loads, open(sys.argv[1]))]
print(kinds[0], kinds[-1], kinds.index("end") < len(kinds) - 1, "call" in kinds[1:kinds.index("end")])' "$log")" "start end True True"
run_sandlock run -c "$sini" --set audit.bogus=1 -- true
is "sessions: sandlock's own error (init fails): no session record" "$(q "len(sessions)")" 4
done_testing
