#!/bin/bash
# cgroup.sh -- `sandlock agent --join-cpu-cgroup` serves a container from the
# container's CPU cgroup (core/agent_cgroup.h); without the option the
# supervisor stays in the agent's cgroups. While a runc container runs, its supervisor
# process is in the container's cgroup of the v1 "cpu" hierarchy and in
# none of its others (memory, pids, freezer, devices: the runtime counts,
# freezes and kills the container's processes through those); once the
# container has ended, runc removes the container's cgroups as usual (the
# supervisor left at the hang-up). Skipped with the reason on a host
# without a cgroup v1 cpu hierarchy (cgroup v2: not joined, by design).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/oci/lib.sh"
oci_setup

sock=$TEST_TMP/agent.sock
shared=$TEST_TMP/shared
rootfs=$TEST_TMP/rootfs
log=$TEST_TMP/agent.log
mkdir -p "$shared"
oci_rootfs "$rootfs"
conf=$(write_ini agent <<INI
[plugin answer]
module = verdict
syscalls = getppid
action = return:4242
INI
)
"$SANDLOCK" oci-profile -c "$conf" --socket "$sock" >"$TEST_TMP/profile.json"
mkdir -p "$TEST_TMP/bundle"
oci_config "$TEST_TMP/profile.json" "$rootfs" "$shared" sh -c \
    'while [ ! -e /shared/go ]; do sleep 0.05; done; probe getppid' >"$TEST_TMP/bundle/config.json"

# cgroup_of PID HIERARCHY: PID's cgroup path in the v1 hierarchy whose
# controllers are exactly HIERARCHY (as /proc/PID/cgroup lists them).
cgroup_of() { awk -F: -v h="$2" '$2 == h { print $3 }' /proc/"$1"/cgroup; }
cpu_hierarchy=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $2 }' /proc/self/cgroup)

# Without --join-cpu-cgroup (the default): the supervisor stays where the
# agent is, and says nothing about cgroups.
start_agent
id=cgd-$$
rm -f "$shared/go"
( timeout $((EVENT_TIMEOUT * 2)) runc --root "$TEST_TMP/runc-state" run -b "$TEST_TMP/bundle" "$id" \
    >"$TEST_TMP/out" 2>&1; echo $? >"$TEST_TMP/rc" ) &
wait_log "container $id .*served"
sup=$(grep "container $id .*served" "$log" | sed -n 's/^sandlock agent\[\([0-9]*\)\].*/\1/p')
if [ -n "$cpu_hierarchy" ]; then
    is "by default the supervisor stays in the agent's cpu cgroup" "$(cgroup_of "$sup" "$cpu_hierarchy")" \
        "$(cgroup_of "$agent_pid" "$cpu_hierarchy")"
else
    skip "by default the supervisor stays in the agent's cpu cgroup" "no cgroup v1 cpu hierarchy"
fi
touch "$shared/go"
for _ in $(seq $((EVENT_TIMEOUT * 20))); do [ -s "$TEST_TMP/rc" ] && break; sleep 0.05; done
is "by default: the container is answered, runc says nothing" "$(cat "$TEST_TMP/rc"):$(cat "$TEST_TMP/out")" \
    "0:getppid=4242 errno=0"
unlike "by default: the agent's log says nothing of cgroups" "$(cat "$log")" "CPU cgroup"
kill -TERM "$agent_pid"
wait "$agent_pid"
rm -f "$shared/go" "$TEST_TMP/rc" "$TEST_TMP/out"

start_agent --join-cpu-cgroup
if grep -q "served from outside their CPU cgroups" "$log"; then
    skip "the supervisor in its container's CPU cgroup" "$(grep -o 'cgroups (.*' "$log" | head -1)"
    kill -TERM "$agent_pid"
    done_testing
fi

id=cg-$$
( timeout $((EVENT_TIMEOUT * 2)) runc --root "$TEST_TMP/runc-state" run -b "$TEST_TMP/bundle" "$id" \
    >"$TEST_TMP/out" 2>&1; echo $? >"$TEST_TMP/rc" ) &
wait_log "container $id .*served"
sup=$(grep "container $id .*served" "$log" | sed -n 's/^sandlock agent\[\([0-9]*\)\].*/\1/p')
init=$(grep "container $id .*served" "$log" | sed -n 's/.*(init pid \([0-9]*\),.*/\1/p')
container_cpu=$(cgroup_of "$init" "$cpu_hierarchy")
like "the container has a cpu cgroup of its own (runc made it)" "$container_cpu" "$id"
# The join follows the "served" line: wait for it, bounded.
for _ in $(seq $((EVENT_TIMEOUT * 20))); do
    [ "$(cgroup_of "$sup" "$cpu_hierarchy")" = "$container_cpu" ] && break
    sleep 0.05
done
is "its supervisor serves it from that cpu cgroup" "$(cgroup_of "$sup" "$cpu_hierarchy")" "$container_cpu"
for h in memory pids freezer devices; do
    grep -q ":$h:" /proc/self/cgroup || continue
    is "and from none of its other cgroups ($h: the agent's)" "$(cgroup_of "$sup" $h)" "$(cgroup_of "$agent_pid" $h)"
done
touch "$shared/go"
for _ in $(seq $((EVENT_TIMEOUT * 20))); do [ -s "$TEST_TMP/rc" ] && break; sleep 0.05; done
is "the container is answered (getppid -> 4242)" "$(cat "$TEST_TMP/rc"):$(cat "$TEST_TMP/out")" \
    "0:getppid=4242 errno=0"
wait_log "container $id: ended"
mnt=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
           $(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpu(,|$)/ { print $5 }' /proc/self/mountinfo | head -1)
[ -d "$mnt$container_cpu" ]
is "runc removed the container's cpu cgroup after it (the supervisor had left it)" "$?" 1
# runc tries to remove it as soon as it has reaped the init, which is what
# hangs the listener up: a first attempt may still find the supervisor
# there ("will retry"); runc's retries (about 150 ms) must not all fail.
unlike "runc reports no error about it" "$(cat "$TEST_TMP/out")" "level=error"
kill -TERM "$agent_pid"
wait "$agent_pid"
done_testing
