#!/bin/bash
# podman.sh -- `sandlock agent` serving a podman container (podman 4.3 with
# crun, as on Debian 12): an image made offline (`podman import` of a
# busybox-static rootfs tarball, in a storage of the test's own), run with
# `--security-opt seccomp=` a profile of `sandlock oci-profile`. Checks
# what the container observes -- a verdict's return value, an fsdeny
# denial, a vfile's content (its container's id, from a %{id} key) -- and
# that audit's lines name the container podman created (its --cidfile).
# Installs podman (with runc, crun, busybox-static) when run as root and
# missing; prints how long installing and running took.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/oci/lib.sh"
oci_setup podman
if ! command -v podman >/dev/null; then
    skip "podman" "podman is not installed: $(tail -1 "$apt_out" 2>/dev/null)"
    done_testing
fi

run_start=$SECONDS
sock=$TEST_TMP/agent.sock
log=$TEST_TMP/agent.log
conf=$TEST_TMP/sandlock.ini
oci_rootfs "$TEST_TMP/rootfs"
cat >"$conf" <<INI
[plugin audit]
module = audit
output = $TEST_TMP/audit.log
[plugin answer]
module = verdict
syscalls = getppid
action = return:4242
[plugin files]
module = vfile
/etc/motd = served by vfile\\n
/etc/container = %{id}\\n
[plugin fs]
module = fsdeny
deny = /etc/secret
INI
"$SANDLOCK" oci-profile -c "$conf" --socket "$sock" >"$TEST_TMP/profile.json" 2>"$TEST_TMP/stderr"
is "oci-profile: exit 0" "$?:$(cat "$TEST_TMP/stderr")" 0:

# podman with a storage, run and lock directories of its own (no image,
# container or lock of the machine's is used or left; only containers/image's
# blob-info cache goes to /var/lib/containers/cache), no network, crun
# (run out of the hybrid cgroup tree as in lib.sh).
podman=(podman --root "$TEST_TMP/storage" --runroot "$TEST_TMP/runroot" --tmpdir "$TEST_TMP/libpod" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend none --runtime crun)
tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/rootfs.tar" .
"${podman[@]}" import "$TEST_TMP/rootfs.tar" localhost/sandlock-test:1 >"$TEST_TMP/import.out" 2>&1
is "podman import of the busybox rootfs: an image, offline" "$?:$(tail -1 "$TEST_TMP/import.out")" \
    "0:$(tail -1 "$TEST_TMP/import.out" | grep '^sha256:')"

start_agent
like "the agent listens" "$(cat "$log")" "listening on $sock"

podman_start=$SECONDS
oci_no_hybrid "${podman[@]}" run --rm --network none --cgroups=disabled \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    --security-opt "seccomp=$TEST_TMP/profile.json" --cidfile "$TEST_TMP/cid" localhost/sandlock-test:1 \
    sh -c 'probe getppid; cat /etc/secret; echo cat=$?; cat /etc/motd /etc/container'
out=$(timeout "$EVENT_TIMEOUT" "${hybrid_cmd[@]}" 2>"$TEST_TMP/stderr")
rc=$?
echo "# podman run: $((SECONDS - podman_start)) s ($(podman --version))"
cid=$(cat "$TEST_TMP/cid" 2>/dev/null)
is "podman: the container ran" "$rc" 0
[ "$rc" -eq 0 ] || printf '#   %s\n' "$(head -5 "$TEST_TMP/stderr")"
like "podman: the container's id (--cidfile)" "$cid" "^[0-9a-f]{64}$"
like "podman: the verdict's return value (getppid -> 4242)" "$out" "^getppid=4242 errno=0$"
like "podman: fsdeny's denial (cat /etc/secret)" "$(cat "$TEST_TMP/stderr")" \
    "can't open '/etc/secret': Permission denied"
like "podman: and only that" "$out" "^cat=1$"
like "podman: vfile's content" "$out" "^served by vfile$"
like "podman: a %{id} key: the container's own id" "$out" "^$cid$"
wait_log "container $cid: ended"
like "podman: the agent served the container podman created" "$(cat "$log")" \
    "container $cid \\(init pid [0-9]+, bundle .*\\): served with profile default"
like "podman: audit's lines name the container" "$(grep "\"container\":\"$cid\"" "$TEST_TMP/audit.log")" \
    "\"syscall\":\"openat\",.*\"path\":\"/etc/secret\""
kill -TERM "$agent_pid"
wait "$agent_pid"
"${podman[@]}" rmi -a >/dev/null 2>&1
echo "# running: $((SECONDS - run_start)) s"
done_testing
