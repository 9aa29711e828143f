#!/usr/bin/env bash
# What the sandbox sees of the host's kernel interfaces (core/hostview.h):
# kernel settings read-only, a minimal /dev of its own, no device node made
# by the command. The deny list refuses sethostname(2); writing
# /proc/sys/kernel/hostname must not do what it refuses (it did: a root
# command renamed the host). Run as root, and again as nobody by userns.sh.
. "$top_srcdir/tests/integration/common.sh"

# in_sandbox [SANDLOCK OPTIONS...] -- SCRIPT: runs SCRIPT with sh in a
# sandbox without plugins (the protections are the core's own).
in_sandbox() {
    local opts=()
    while [ "$1" != "--" ]; do opts+=("$1"); shift; done
    "$SANDLOCK" run -q -c "$EMPTY_INI" "${opts[@]}" -- sh -c "$2" 2>&1
}

out=$(in_sandbox -- "exec \"$PROBE\" getppid")
if [ "$out" != "getppid=1 errno=0" ]; then
    # Nothing of hostview applies without namespaces: check says so.
    out=$("$SANDLOCK" check -c "$EMPTY_INI" 2>&1)
    like "no namespaces: check says the kernel interfaces are the host's" "$out" \
        "kernel interfaces: as the host's: the sandbox has no mount namespace"
    like "... and so are the devices" "$out" "devices: as the host's"
    done_testing
    exit 0
fi

# ---- kernel settings ----
# (As nobody, most of this holds bare too; the root run is the one that
# shows the protection: there the bare run may write what the sandbox may not.)
writable='for f in /proc/sys/kernel/hostname /proc/sys/kernel/core_pattern /proc/sys/vm/drop_caches \
    /sys/kernel/mm/transparent_hugepage/enabled /sys/fs/cgroup/memory/release_agent /sys/kernel/tracing/tracing_on; do
    [ -e "$f" ] || continue; test -w "$f" && echo "writable $f" || echo "read-only $f"; done'
bare=$(sh -c "$writable")
sandboxed=$(in_sandbox -- "$writable")
if [ "$(id -u)" -eq 0 ]; then
    like "bare root may write the host's hostname setting (the test means something)" "$bare" \
        "writable /proc/sys/kernel/hostname"
fi
like "the sandbox sees the hostname setting" "$sandboxed" "/proc/sys/kernel/hostname"
unlike "no kernel setting is writable in the sandbox" "$sandboxed" "^writable"
out=$(in_sandbox -- 'echo sandlock-test > /proc/sys/kernel/hostname; echo rc=$?')
like "writing /proc/sys/kernel/hostname fails" "$out" "rc=[1-9]"
unlike "... and the host keeps its name" "$(hostname)" "sandlock-test"
mounts=$(in_sandbox -- 'cat /proc/mounts')
for m in /proc/sys /sys; do
    like "$m is mounted read-only in the sandbox" "$mounts" " $m [a-z0-9]+ ro,"
done

# ---- devices ----
want="fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"
[ -e /dev/log ] && want=$(printf '%s\n' $want log | sort | tr '\n' ' ' | sed 's/ $//')
got=$(in_sandbox -- 'ls /dev | tr "\n" " " | sed "s/ \$//"')
is "/dev holds the minimal set" "$got" "$want"
host_block=$(find /dev -maxdepth 1 -type b 2>/dev/null | head -1)
if [ -n "$host_block" ]; then
    out=$(in_sandbox -- "test -e $host_block && echo present || echo absent")
    is "the host's disk $host_block is not in the sandbox" "$out" "absent"
else
    skip "the host's disks are not in the sandbox" "this host has no block device in /dev"
fi
out=$(in_sandbox -- 'echo x > /dev/null && echo null-ok; head -c 16 /dev/urandom | wc -c; head -c 3 /dev/zero | od -An -tx1;
    readlink /dev/stdout; ls -d /dev/fd/0')
like "/dev/null takes writes" "$out" "null-ok"
like "/dev/urandom gives bytes" "$out" "^16$"
like "/dev/zero gives zeros" "$out" "00 00 00"
like "/dev/stdout is the command's stdout" "$out" "^/proc/self/fd/1$"
like "/dev/fd lists the command's descriptors" "$out" "/dev/fd/0"
tag=sandlock-hostview-$$
out=$(in_sandbox -- "echo x > /dev/shm/$tag && ls /dev/shm")
like "/dev/shm is writable" "$out" "$tag"
[ ! -e "/dev/shm/$tag" ] && pass "... and private: the host's /dev/shm does not get the file" \
    || { fail "... and private" "/dev/shm/$tag on the host"; rm -f "/dev/shm/$tag"; }
if command -v python3 >/dev/null; then
    out=$(in_sandbox -- 'python3 -c "import os, pty; m, s = pty.openpty(); print(os.ttyname(s)); os.write(m, b\"hi\\n\"); print(os.read(s, 3))"')
    like "a new pseudo-terminal works and has a name in the sandbox's /dev/pts" "$out" "^/dev/pts/[0-9]+"
    like "... and carries bytes" "$out" "b'hi\\\\n'"
else
    skip "a new pseudo-terminal works" "no python3 here"
fi
out=$(in_sandbox -- "ls /dev/pts")
is "the host's terminals are not in the sandbox's /dev/pts" "$out" "ptmx"

# mknod(2) of a device: EPERM, as for an unprivileged caller; a FIFO is fine.
dir=$TEST_TMP/nodes
mkdir -p "$dir" && chmod 777 "$dir"
out=$(in_sandbox -- "mknod $dir/b b 7 0; mknod $dir/c c 1 1; mknod $dir/p p && echo fifo-ok")
like "mknod of a block device is refused" "$out" "$dir/b: Operation not permitted"
like "mknod of a character device is refused" "$out" "$dir/c: Operation not permitted"
like "mknod of a FIFO works" "$out" "fifo-ok"
[ ! -e "$dir/b" ] && [ ! -e "$dir/c" ] && pass "no device node was made" || fail "no device node was made" "$(ls -l "$dir")"

# ---- capabilities a root command does not get ----
# Bits of CapBnd: 12 NET_ADMIN, 16 SYS_MODULE, 17 SYS_RAWIO, 19 SYS_PTRACE,
# 22 SYS_BOOT, 25 SYS_TIME, 27 MKNOD, 39 BPF.
if [ "$(in_sandbox -- 'id -u')" = 0 ]; then
    caps=$(in_sandbox -- 'grep -E "^Cap(Bnd|Eff)" /proc/self/status')
    for bit in 12 16 17 19 22 25 27; do
        for set in Bnd Eff; do
            mask=$(printf '%s\n' "$caps" | awk -v s="Cap$set:" '$1 == s { print $2 }')
            if [ -n "$mask" ] && [ $(( 0x$mask >> bit & 1 )) -eq 0 ]; then
                pass "a root command has no capability $bit (Cap$set)"
            else
                fail "a root command has no capability $bit (Cap$set)" "$caps"
            fi
        done
    done
    bare_caps=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
    [ $(( 0x$bare_caps >> 12 & 1 )) -eq 1 ] && pass "bare root has CAP_NET_ADMIN (the test means something)" \
        || fail "bare root has CAP_NET_ADMIN" "$bare_caps"
    if command -v ip >/dev/null; then
        out=$(in_sandbox -- 'ip route add 203.0.113.77/32 dev lo 2>&1 && echo added')
        ip route del 203.0.113.77/32 dev lo 2>/dev/null
        like "a root command cannot change the host's routes" "$out" "Operation not permitted"
        unlike "... nor add one" "$out" "added"
    else
        skip "a root command cannot change the host's routes" "no ip(8) here"
    fi
fi

# ---- the switches ----
if [ "$(in_sandbox -- 'id -u')" = 0 ]; then
    out=$(in_sandbox --set sandlock.protect_kernel=no -- 'test -w /proc/sys/kernel/hostname && echo writable')
    is "protect_kernel = no leaves the host's settings as they are" "$out" "writable"
fi
out=$(in_sandbox --set sandlock.devices=host -- 'ls /dev | wc -l')
[ "${out:-0}" -gt 13 ] && pass "devices = host shows the host's /dev ($out entries)" \
    || fail "devices = host shows the host's /dev" "$out"
out=$("$SANDLOCK" run -c "$EMPTY_INI" --set sandlock.devices=some -- true 2>&1)
like "a bad devices value is an error naming the key" "$out" "devices: expected minimal or host, got 'some'"
out=$("$SANDLOCK" run -c "$EMPTY_INI" --set sandlock.protect_kernel=maybe -- true 2>&1)
like "a bad protect_kernel value is an error naming the key" "$out" "protect_kernel: expected yes or no"
out=$("$SANDLOCK" check -c "$EMPTY_INI" 2>&1)
like "check shows the kernel settings' protection" "$out" "kernel interfaces: read-only: /proc/sys"
like "check shows the devices" "$out" "devices: minimal"

done_testing
