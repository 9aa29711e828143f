#!/bin/bash
# agent.sh -- `sandlock agent` with real container runtimes (runc, crun):
# OCI bundles (busybox-static rootfs) whose linux.seccomp is a profile of
# `sandlock oci-profile`; the agent serves each container with the chain
# its listenerMetadata selects, in a supervisor process of its own.
# Checks what the containers observe: a verdict's return value, an fsdeny
# denial, an audit line naming the container; two containers at once with
# different profiles; a kill verdict ends only its container; malformed
# peers are logged and leak nothing; a supervisor killed makes its
# container's notified calls fail with ENOSYS (no hang); supervisors
# outlive their agent and a restarted agent serves new containers.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/oci/lib.sh"
oci_setup

run_start=$SECONDS
sock=$TEST_TMP/agent.sock
shared=$TEST_TMP/shared
rootfs=$TEST_TMP/rootfs
log=$TEST_TMP/agent.log
mkdir -p "$shared" "$TEST_TMP/conf/agent.d"
oci_rootfs "$rootfs"

# The default profile: audit, then getppid -> 4242, then fsdeny.
conf=$TEST_TMP/conf/sandlock.ini
cat >"$conf" <<INI
[plugin audit]
module = audit
output = $TEST_TMP/audit.log
[plugin answer]
module = verdict
syscalls = getppid
action = return:4242
[plugin fs]
module = fsdeny
deny = /etc/secret
INI
# profile=other: getppid -> 77 only.
cat >"$TEST_TMP/conf/agent.d/other.ini" <<INI
[plugin answer]
module = verdict
syscalls = getppid
action = return:77
INI
# profile=killer: sched_yield kills (the container, not only the caller).
cat >"$TEST_TMP/conf/agent.d/killer.ini" <<INI
[plugin kill]
module = verdict
syscalls = sched_yield
action = kill
INI
# profile=broken: its instance's init() fails (audit cannot open its file).
cat >"$TEST_TMP/conf/agent.d/broken.ini" <<INI
[plugin answer]
module = verdict
syscalls = getppid
action = return:1
[plugin audit]
module = audit
output = $TEST_TMP/no/such/dir/audit.log
INI
# profile=perid: keys with the container's identity (an audit file per
# container, a virtual file with its id and bundle).
cat >"$TEST_TMP/conf/agent.d/perid.ini" <<INI
[plugin audit]
module = audit
output = $TEST_TMP/perid-%{id}.audit
[plugin who]
module = vfile
/etc/container = %{id} %{bundle} %{annotation:test}\\n
INI
# profile=served: a virtual file over one of the container's own files
# (the rootfs's /etc/secret; the agent's own view has none there).
cat >"$TEST_TMP/conf/agent.d/served.ini" <<INI
[plugin fake]
module = vfile
/etc/secret = virtual\\n
INI
# The profiles (broken's and nope's filters: other's configuration).
for p in default other killer broken nope perid served; do
    c=$TEST_TMP/conf/agent.d/$p.ini meta=(--metadata "profile=$p")
    [ $p = default ] && { c=$conf meta=(); }
    [ $p = broken ] || [ $p = nope ] && c=$TEST_TMP/conf/agent.d/other.ini
    "$SANDLOCK" oci-profile -c "$c" --socket "$sock" "${meta[@]}" >"$TEST_TMP/$p.json" 2>"$TEST_TMP/stderr"
    is "oci-profile $p: exit 0" "$?:$(cat "$TEST_TMP/stderr")" 0:
done

# ---- the agent ----
start_agent
like "the agent listens" "$(cat "$log")" "listening on $sock"
is "the socket is the owner's only (0600)" "$(stat -c %a "$sock")" 600

# bundle NAME PROFILE ARGS...: the bundle $TEST_TMP/b-NAME.
bundle() {
    local name=$1 profile=$2
    shift 2
    mkdir -p "$TEST_TMP/b-$name"
    oci_config "$TEST_TMP/$profile.json" "$rootfs" "$shared" "$@" >"$TEST_TMP/b-$name/config.json"
}
# start NAME RUNTIME...: runs container NAME in the background (output in
# $TEST_TMP/NAME.out, status in $TEST_TMP/NAME.rc).
start() {
    local name=$1
    shift
    ( timeout "$EVENT_TIMEOUT" "$@" run -b "$TEST_TMP/b-$name" "$name-$$" >"$TEST_TMP/$name.out" 2>&1
      echo $? >"$TEST_TMP/$name.rc" ) &
}
# finish NAME: waits for container NAME; sets $out and $rc.
finish() {
    local i
    for i in $(seq $((EVENT_TIMEOUT * 20))); do
        [ -s "$TEST_TMP/$1.rc" ] && break
        sleep 0.05
    done
    out=$(cat "$TEST_TMP/$1.out" 2>/dev/null)
    rc=$(cat "$TEST_TMP/$1.rc" 2>/dev/null)
}
# A container that waits for /shared/NAME before its probe.
waiting() { echo "while [ ! -e /shared/$1 ]; do sleep 0.05; done; probe getppid"; }

runc_cmd=(runc --root "$TEST_TMP/runc-state")
oci_crun_cmd "$TEST_TMP/crun-state"

# chain RUNTIME-NAME RUNTIME...: one container answered by the default chain.
chain() {
    local name=c-$1
    shift
    bundle "$name" default sh -c 'probe getppid; cat /etc/secret; echo cat=$?'
    start "$name" "$@"
    finish "$name"
    like "$name: the verdict's return value (getppid -> 4242)" "$out" "getppid=4242 errno=0"
    like "$name: fsdeny's denial (cat /etc/secret)" "$out" "can't open '/etc/secret': Permission denied"
    like "$name: and only that" "$out" "cat=1"
    is "$name: the container ran" "$rc" 0
    wait_log "container $name-$$: ended"
    like "$name: audit's lines name the container" "$(grep "\"container\":\"$name-$$\"" "$TEST_TMP/audit.log")" \
        "\"syscall\":\"(execve|openat)\""
    like "$name: and its session record" "$(cat "$TEST_TMP/audit.log")" \
        "\"session\":\"start\",\"sandlock_pid\":[0-9]+,\"container\":\"$name-$$\""
}
chain runc "${runc_cmd[@]}"
crun_start=$SECONDS
chain crun "${crun_cmd[@]}"
echo "# crun: $((SECONDS - crun_start)) s"

# ---- two containers at once, two profiles ----
rm -f "$shared"/*
bundle two-a default sh -c "$(waiting go-a)"
bundle two-b other sh -c "$(waiting go-b)"
start two-a "${runc_cmd[@]}"
start two-b "${runc_cmd[@]}"
wait_log "container two-a-$$ .*served with profile default" && wait_log "container two-b-$$ .*served with profile other"
touch "$shared/go-a" "$shared/go-b"
finish two-a
is "two at once: the default profile's answer" "$out" "getppid=4242 errno=0"
finish two-b
is "two at once: profile=other's answer" "$out" "getppid=77 errno=0"

# ---- per-container keys: %{id} ... expanded for each container ----
rm -f "$shared"/*
bundle perid-a perid sh -c "while [ ! -e /shared/go-pa ]; do sleep 0.05; done; cat /etc/container"
bundle perid-b perid sh -c "while [ ! -e /shared/go-pb ]; do sleep 0.05; done; cat /etc/container"
start perid-a "${runc_cmd[@]}"
start perid-b "${runc_cmd[@]}"
wait_log "container perid-a-$$ .*served" && wait_log "container perid-b-$$ .*served"
touch "$shared/go-pa" "$shared/go-pb"
finish perid-a
is "per-container keys: the vfile content names its container (a)" "$rc:$out" "0:perid-a-$$ b-perid-a sandlock-e2e"
finish perid-b
is "per-container keys: the vfile content names its container (b)" "$rc:$out" "0:perid-b-$$ b-perid-b sandlock-e2e"
wait_log "container perid-a-$$: ended" && wait_log "container perid-b-$$: ended"
for x in a b; do
    other=b
    [ $x = b ] && other=a
    f=$TEST_TMP/perid-perid-$x-$$.audit
    like "per-container keys: container $x's audit file has its lines" "$(cat "$f" 2>&1)" \
        "\"container\":\"perid-$x-$$\",\"syscall\":\"execve\""
    is "per-container keys: and none of the other's" "$(grep -c "perid-$other-$$" "$f" 2>&1)" 0
done
# An id that is not a safe file name: runc accepts ".NAME", which would
# make a hidden file (ids with '/' or "..", which runc refuses, are
# checked in tests/unit/test_placeholders). Refused before init(): its
# listener is closed, so the container's notified calls (execve here)
# fail and it does not start; no file is made.
bundle perid-dot perid probe getppid
( timeout "$EVENT_TIMEOUT" "${runc_cmd[@]}" run -b "$TEST_TMP/b-perid-dot" ".dot-$$" >"$TEST_TMP/perid-dot.out" 2>&1
  echo $? >"$TEST_TMP/perid-dot.rc" ) &
finish perid-dot
like "per-container keys: an unsafe id fails closed (the container does not run)" "$rc:$out" "^[1-9][0-9]*:"
like "per-container keys: an unsafe id: logged with the file:line and reason" "$(cat "$log")" \
    "container .dot-$$: .*perid.ini:3: \\[plugin audit\\]: output: %\\{id\\}: the container's id \".dot-$$\" is not a safe file name"
[ -e "$TEST_TMP/perid-.dot-$$.audit" ]
is "per-container keys: an unsafe id: no file made" "$?" 1

# ---- a virtual file is served by its object in the container ----
# (the container's file, however the container names it: a symlink,
# /proc/self/root, /proc/self/fd/N of an O_PATH descriptor, a hard link
# made before it started)
ln -f "$rootfs/etc/secret" "$rootfs/etc/hard"
bundle served served sh -c 'ln -s /etc/secret /tmp/l
    for p in /etc/secret /tmp/l /proc/self/root/etc/secret /etc/hard; do cat $p; done; probe procfd /tmp/l'
start served "${runc_cmd[@]}"
finish served
is "served: the container reads the virtual content by every name" "$rc:$out" \
    "0:virtual
virtual
virtual
virtual
[virtual
]"

# ---- a kill verdict ends its container only ----
bundle victim killer sh -c 'probe yield; echo after'
bundle bystander other sh -c "$(waiting go-by)"
start bystander "${runc_cmd[@]}"
wait_log "container bystander-$$ .*served"
start victim "${runc_cmd[@]}"
finish victim
is "kill verdict: the whole container is killed (its init too) before the call returns" "$rc:$out" \
    "137:calling sched_yield"
touch "$shared/go-by"
finish bystander
is "kill verdict: the other container keeps running and served" "$rc:$out" "0:getppid=77 errno=0"
kill -0 "$agent_pid" 2>/dev/null
is "kill verdict: the agent keeps serving" "$?" 0

# ---- malformed peers ----
fds_before=$(ls /proc/$agent_pid/fd | wc -l)
python3 - "$sock" <<'PY'
import socket, sys, time
def peer(data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    if data is not None:
        s.sendall(data)
    s.close()
peer(b"not json")
peer(None)
peer(b'{"ociVersion":"1.0.2","fds":["seccompFd"],"pid":1,"state":{"ociVersion":"1.0.2","id":"x","status":"creating","pid":1,"bundle":"/"}}')
# A name the peer chose, quoted in the reason, carries a newline and a
# forged line: escaped, still one line.
peer(b'{"ociVersion":"1.0.2","fds":["a\\nsandlock agent[1]: forged","a\\nsandlock agent[1]: forged"],"pid":1,"state":{"ociVersion":"1.0.2","id":"x","status":"creating","pid":1,"bundle":"/"}}')
PY
wait_log "rejected a message.*rejected a message" || true
for _ in $(seq $((EVENT_TIMEOUT * 20))); do
    [ "$(grep -c "rejected a message" "$log")" -ge 4 ] && break
    sleep 0.05
done
is "malformed peers: each is logged with its reason" "$(grep -c "rejected a message" "$log")" 4
is "malformed peers: a newline in a peer's string forges no line" "$(grep -c '^sandlock agent\[1\]: forged' "$log")" 0
like "... it is escaped as \\x0a" "$(grep 'named twice' "$log")" 'a\\x0asandlock agent\[1\]: forged'
like "malformed peers: the reason" "$(grep "rejected a message" "$log")" "JSON|json"
is "malformed peers: no descriptor leaks in the agent" "$(ls /proc/$agent_pid/fd | wc -l)" "$fds_before"
bundle after-bad default probe getppid
start after-bad "${runc_cmd[@]}"
finish after-bad
is "malformed peers: the agent keeps serving" "$out" "getppid=4242 errno=0"

# ---- profiles that cannot serve: fail closed ----
bundle unknown nope probe getppid
start unknown "${runc_cmd[@]}"
finish unknown
is "unknown profile: the container's notified call fails with ENOSYS" "$rc:$out" "0:getppid=-1 errno=38"
like "unknown profile: logged with the reason" "$(cat "$log")" "container unknown-$$: unknown profile nope"
bundle broken broken probe getppid
start broken "${runc_cmd[@]}"
finish broken
is "an init() that fails: the container's notified call fails with ENOSYS" "$rc:$out" "0:getppid=-1 errno=38"
like "an init() that fails: logged with the reason" "$(cat "$log")" \
    "container broken-$$: .*broken.ini:[0-9]+: .*cannot open.*closed its listener"

# A profile made from another configuration than the one serving it: the
# default's filter (openat, ... notified) served by profile=other.
"$SANDLOCK" oci-profile -c "$conf" --socket "$sock" --metadata profile=other >"$TEST_TMP/mismatch.json"
bundle mismatch mismatch probe getppid
start mismatch "${runc_cmd[@]}"
finish mismatch
wait_log "container mismatch-$$: ended"
like "profile and configuration disagree: reported by the container's supervisor" \
    "$(cat "$log")" "container mismatch-$$: sandlock: error: a notification for system call [0-9]+ .*no instance \
handles: the seccomp profile and the configuration disagree"

# ---- a supervisor dies ----
bundle orphan other sh -c "$(waiting go-orphan)"
start orphan "${runc_cmd[@]}"
wait_log "container orphan-$$ .*served"
sup=$(grep "container orphan-$$ .*served" "$log" | sed -n 's/^sandlock agent\[\([0-9]*\)\].*/\1/p')
kill -KILL "$sup"
touch "$shared/go-orphan"
finish orphan
is "supervisor killed: its container's notified call fails with ENOSYS (no hang)" "$rc:$out" "0:getppid=-1 errno=38"
wait_log "supervisor $sup killed by signal 9"
like "supervisor killed: the agent logs it" "$(cat "$log")" "supervisor $sup killed by signal 9"

# ---- the agent dies, supervisors stay; a restarted agent serves ----
bundle survivor other sh -c "$(waiting go-survivor)"
start survivor "${runc_cmd[@]}"
wait_log "container survivor-$$ .*served"
kill -KILL "$agent_pid"
wait "$agent_pid" 2>/dev/null
start_agent
like "restart: the stale socket of a killed agent is replaced" "$(tail -1 "$log")" "listening on $sock"
touch "$shared/go-survivor"
finish survivor
is "restart: a running container's supervisor outlived its agent" "$out" "getppid=77 errno=0"
bundle new default probe getppid
start new "${runc_cmd[@]}"
finish new
is "restart: the new agent serves new containers" "$out" "getppid=4242 errno=0"

# ---- the socket path ----
touch "$TEST_TMP/file"
"$SANDLOCK" agent --socket "$TEST_TMP/file" -c "$conf" 2>"$TEST_TMP/stderr"
is "a path that is not a socket: refused (exit 125)" "$?" 125
like "and said why" "$(cat "$TEST_TMP/stderr")" "exists and is not a socket"
"$SANDLOCK" agent --socket "$sock" -c "$conf" 2>"$TEST_TMP/stderr"
like "a socket another agent listens on: refused" "$?:$(cat "$TEST_TMP/stderr")" "^125:.*another agent is listening"

kill -TERM "$agent_pid"
wait "$agent_pid"
is "SIGTERM: the agent stops (exit 0)" "$?" 0
[ -e "$sock" ]
is "and removes its socket" "$?" 1
# ---- systemd socket activation (sandlock-agent.socket: LISTEN_FDS) ----
if command -v systemd-socket-activate >/dev/null; then
    systemd-socket-activate -l "$sock" "$SANDLOCK" agent -c "$conf" >>"$log" 2>&1 &
    activator=$!
    for _ in $(seq $((EVENT_TIMEOUT * 20))); do [ -S "$sock" ] && break; sleep 0.05; done
    bundle activated default probe getppid
    start activated "${runc_cmd[@]}"
    finish activated
    is "socket activation: the agent takes the passed socket and serves" "$out" "getppid=4242 errno=0"
    like "socket activation: it says so" "$(cat "$log")" "listening on the socket passed by systemd"
    kill -TERM "$activator"
    wait "$activator"
else
    skip "socket activation" "systemd-socket-activate is not installed (package systemd)"
fi
echo "# running: $((SECONDS - run_start)) s"
done_testing
