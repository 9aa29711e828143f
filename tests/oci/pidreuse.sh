#!/bin/bash
# pidreuse.sh -- a kill verdict never reaches a process that reused the pid
# of a container's init: the agent signals the init through the pidfd it
# took when the listener arrived (sandlock-agent(8), THE CONTAINER'S INIT).
# A runc container without a PID namespace whose init leaves a task behind
# in the filter and exits; once the init is reaped, an unrelated process is
# made to get its pid (ns_last_pid: the whole test runs in a PID namespace
# of its own, so no other process of the machine takes pids there); then
# the task left behind calls sched_yield, which the profile's verdict
# answers with kill. The process with the reused pid must survive; the
# trapped task is killed; the agent keeps serving.
if [ "$(id -u)" -eq 0 ] && [ -z "${SANDLOCK_PIDREUSE_INNER:-}" ] && command -v unshare >/dev/null; then
    exec unshare -pf --mount-proc env SANDLOCK_PIDREUSE_INNER=1 bash "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/oci/lib.sh"
oci_setup
if [ -z "${SANDLOCK_PIDREUSE_INNER:-}" ]; then
    skip "pid reuse" "unshare (util-linux) is needed for a PID namespace of the test's own"
    done_testing
fi

sock=$TEST_TMP/agent.sock
log=$TEST_TMP/agent.log
conf=$TEST_TMP/sandlock.ini
shared=$TEST_TMP/shared
bundle=$TEST_TMP/bundle
mkdir -p "$shared" "$bundle"
oci_rootfs "$TEST_TMP/rootfs"
cat >"$conf" <<INI
[plugin kill]
module = verdict
syscalls = sched_yield
action = kill
INI
"$SANDLOCK" oci-profile -c "$conf" --socket "$sock" >"$TEST_TMP/profile.json"
# The container: no PID namespace (its init is not PID 1 of one, so its
# death does not end the task it leaves behind). Its init starts that task
# and exits once the agent has pinned it; the task waits for the go. Both
# wait on fifos (the shell's read, no process started), so that nothing
# takes pids while the test hands the init's pid to another process. The
# task leaves the init's session first: the kernel does not reuse a pid
# while it is still some process's session or process group id.
mkfifo "$shared/pinned" "$shared/go"
oci_config "$TEST_TMP/profile.json" "$TEST_TMP/rootfs" "$shared" sh -c \
    'setsid sh -c "read go </shared/go; probe yield" & read pinned </shared/pinned; exit 0' |
    python3 -c 'import json, sys
c = json.load(sys.stdin)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]
json.dump(c, sys.stdout)' >"$bundle/config.json"

start_agent
like "the agent listens" "$(cat "$log")" "listening on $sock"
runc=(runc --root "$TEST_TMP/runc-state")
"${runc[@]}" run -d -b "$bundle" "reuse-$$" </dev/null >"$TEST_TMP/c.out" 2>&1
is "the container started (detached)" "$?" 0
wait_log "container reuse-$$ \\(init pid [0-9]+.*served"
init=$(sed -n "s/.*container reuse-$$ (init pid \\([0-9]*\\),.*/\\1/p" "$log")
like "the agent pinned the container's init" "$init" "^[0-9]+$"
# release FIFO: lets the container past its read of /shared/FIFO.
release() { timeout "$EVENT_TIMEOUT" sh -c 'echo >"$1"' sh "$shared/$1"; }
release pinned
for _ in $(seq $((EVENT_TIMEOUT * 20))); do
    [ -e "/proc/$init" ] || break
    sleep 0.05
done
[ -e "/proc/$init" ]
is "the container's init exited and was reaped" "$?" 1

# An unrelated process takes the init's pid.
victim=$(python3 - "$init" <<'PY'
import os, sys
target = int(sys.argv[1])
for _ in range(100):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(target - 1))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fd = os.open("/dev/null", os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(fd, std)
        os.execvp("sleep", ["sleep", "1000"])
    if pid == target:
        print(pid)
        break
    os.kill(pid, 9)
    os.waitpid(pid, 0)
PY
)
is "an unrelated process now has the init's pid" "$victim" "$init"

# The task the init left behind calls sched_yield: kill verdict.
release go
wait_log "container reuse-$$: ended"
like "the kill verdict was given (the trapped task called)" "$(cat "$TEST_TMP/c.out")" "calling sched_yield"
is "the trapped task was killed (the call never returned)" "$(grep -c "sched_yield=" "$TEST_TMP/c.out")" 0
kill -0 "$victim" 2>/dev/null
is "the process that reused the init's pid was not killed" "$?" 0
kill -0 "$agent_pid" 2>/dev/null
is "the agent keeps running" "$?" 0
kill -KILL "$victim" 2>/dev/null
"${runc[@]}" delete -f "reuse-$$" >/dev/null 2>&1
kill -TERM "$agent_pid"
wait "$agent_pid"
done_testing
