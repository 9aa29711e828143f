# tests/oci/lib.sh -- what tests/oci/*.sh share: the runtimes (installed
# as root when missing), a busybox-static rootfs and OCI bundles whose
# linux.seccomp is a profile of `sandlock oci-profile`. Sourced after
# tests/lib.sh.

# oci_setup [PACKAGE...]: skips the whole script (with the reason) unless
# root and a static busybox are there; installs runc, crun, busybox-static
# and the PACKAGEs when missing. Sets $busybox and $apt_out; prints how long
# installing took.
oci_setup() {
    if [ "$(id -u)" -ne 0 ]; then
        skip "OCI runtimes" "needs root (runc and crun create the container's namespaces)"
        done_testing
        exit 0
    fi
    local start=$SECONDS p missing=()
    apt_out=$TEST_TMP/apt.out
    for p in runc crun busybox-static "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
            >"$apt_out" 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
                >"$apt_out" 2>&1; }
    fi
    echo "# installing ${missing[*]:-nothing}: $((SECONDS - start)) s"
    busybox=$(command -v busybox || echo /bin/busybox)
    if ! [ -x "$busybox" ] || ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable'; then
        skip "OCI runtimes" "no static busybox (busybox-static): $(tail -1 "$apt_out" 2>/dev/null)"
        done_testing
        exit 0
    fi
}

# oci_rootfs DIR: busybox (as sh too), the probe, /etc/secret and the
# mount points.
oci_rootfs() {
    mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" "$1/etc" "$1/shared"
    cp "$busybox" "$1/bin/busybox"
    ln -sf busybox "$1/bin/sh"
    cp "$top_builddir/tests/oci/probe" "$1/bin/probe"
    echo secret >"$1/etc/secret"
}

# oci_config PROFILE.json ROOTFS SHARED ARGS... : a minimal OCI config
# (runtime-spec 1.0.2) on stdout with the profile as linux.seccomp, the
# process's argv ARGS and SHARED (a host directory, or "") bound at
# /shared.
oci_config() {
    python3 - "$@" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
mounts = [{"destination": "/proc", "type": "proc", "source": "proc"},
          {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
          {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]
if sys.argv[3]:
    mounts.append({"destination": "/shared", "type": "bind", "source": sys.argv[3], "options": ["rbind", "rw"]})
config = {
    "ociVersion": "1.0.2",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": sys.argv[4:],
                "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": True,
                "capabilities": {k: ["CAP_KILL"] for k in ("bounding", "effective", "permitted")}},
    "root": {"path": sys.argv[2], "readonly": True},
    "hostname": "sandlock-e2e",
    "mounts": mounts,
    "annotations": {"test": "sandlock-e2e"},
    "linux": {"namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount")],
              "seccomp": profile},
}
json.dump(config, sys.stdout, indent=1)
PY
}

# crun refuses a hybrid cgroup tree (cgroup v1 controllers with a v2
# tree at /sys/fs/cgroup/unified, as on these VMs) even without a cgroup
# manager: it runs in a mount namespace of its own without that v2 tree.
# oci_no_hybrid COMMAND...: sets the array hybrid_cmd to COMMAND, run so
# when the tree is hybrid.
oci_no_hybrid() {
    hybrid_cmd=("$@")
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        hybrid_cmd=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "$@")
    fi
}
# oci_crun_cmd STATE-DIR: sets the array crun_cmd.
oci_crun_cmd() {
    oci_no_hybrid crun --root "$1" --cgroup-manager=disabled
    crun_cmd=("${hybrid_cmd[@]}")
}

# start_agent: `sandlock agent` on $sock with $conf, its output appended
# to $log, in the background (pid in $agent_pid), until it listens.
agent_pid=
start_agent() {
    "$SANDLOCK" agent --socket "$sock" -c "$conf" "$@" >>"$log" 2>&1 &
    agent_pid=$!
    local i
    for i in $(seq $((EVENT_TIMEOUT * 20))); do
        [ -S "$sock" ] && grep -q "agent\[$agent_pid\]: listening" "$log" && return 0
        sleep 0.05
    done
    return 1
}

# wait_log PATTERN: until the agent's log ($log) has a line matching PATTERN.
wait_log() {
    local i
    for i in $(seq $((EVENT_TIMEOUT * 20))); do
        grep -Eq -- "$1" "$log" && return 0
        sleep 0.05
    done
    return 1
}
