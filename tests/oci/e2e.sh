#!/bin/bash
# e2e.sh -- the OCI seccomp agent protocol through real container runtimes:
# an OCI bundle (busybox-static rootfs) whose config.json carries the
# profile of `sandlock oci-profile` (listenerPath = a test socket), run
# under runc and crun; a stand-in listener (tests/oci/listener.c: the
# agent's receiving side, core/agent_proto.c, plus a loop answering
# getppid with 4242) receives the listener from the runtime.
# Checks: the runtime delivers the listener and the container state (id,
# metadata); the container observes the answer; a rejected listener makes
# its notified calls fail with ENOSYS; a call through another architecture
# (int 0x80) dies. Installs runc, crun and busybox-static when run as root
# and they are missing; prints how long installing and running took.
. "$top_srcdir/tests/lib.sh"

listener=$top_builddir/tests/oci/listener

. "$top_srcdir/tests/oci/lib.sh"
oci_setup

# ---- the bundle ----
run_start=$SECONDS
bundle=$TEST_TMP/bundle
sock=$TEST_TMP/agent.sock
oci_rootfs "$bundle/rootfs"
ini=$(write_ini e2e <<INI
[plugin answer]
module = verdict
syscalls = getppid
action = return:7
INI
)
"$SANDLOCK" oci-profile -c "$ini" --socket "$sock" --metadata profile=e2e >"$TEST_TMP/profile.json" 2>"$TEST_TMP/stderr"
is "oci-profile: exit 0" "$?" 0

# config.json with the profile as linux.seccomp. make_config ARGS...
# (the process's argv).
make_config() {
    oci_config "$TEST_TMP/profile.json" rootfs "" "$@" >"$bundle/config.json"
}

# with_listener RUNTIME-COMMAND... : starts the stand-in listener ($mode
# "" or --reject), runs the container, leaves its output in $out, its
# status in $rc and the listener's report in $report.
mode=
with_listener() {
    rm -f "$TEST_TMP/report"
    "$listener" "$sock" "$TEST_TMP/report" $mode >"$TEST_TMP/ready" 2>&1 &
    local lpid=$! waited=0
    until grep -q ready "$TEST_TMP/ready" 2>/dev/null; do
        sleep 0.05
        waited=$((waited + 1))
        [ $waited -lt $((EVENT_TIMEOUT * 20)) ] || break
    done
    out=$(timeout "$EVENT_TIMEOUT" "$@" 2>"$TEST_TMP/stderr")
    rc=$?
    # The listener ends with the container (or after its 5 s receive bound).
    for _ in $(seq $((EVENT_TIMEOUT * 20))); do
        kill -0 $lpid 2>/dev/null || break
        sleep 0.05
    done
    kill $lpid 2>/dev/null
    wait $lpid 2>/dev/null
    report=$(cat "$TEST_TMP/report" 2>/dev/null)
}

# runtime_cases NAME COMMAND... : the cases under one runtime.
runtime_cases() {
    local name=$1
    shift
    make_config /bin/probe getppid
    mode=
    with_listener "$@" run -b "$bundle" "e2e-$name-$$"
    is "$name: the container ran" "$rc" 0
    is "$name: the container observes the listener's answer" "$out" "getppid=4242 errno=0"
    like "$name: the listener got the container's id" "$report" "^id=e2e-$name-$$\$"
    like "$name: and listenerMetadata" "$report" "^metadata=profile=e2e\$"
    like "$name: and the bundle" "$report" "^bundle=$bundle\$"
    like "$name: the container's init pinned by a pidfd" "$report" "^init_pid_pinned=yes\$"
    like "$name: served until the container ended" "$report" "served: until the container ended"
    [ "$rc" -eq 0 ] || printf '#   %s\n' "$(head -5 "$TEST_TMP/stderr")"

    mode=--reject
    with_listener "$@" run -b "$bundle" "e2e-$name-r$$"
    like "$name: rejected listener: the listener was closed" "$report" "closed the listener"
    is "$name: rejected listener: the notified call fails with ENOSYS" "$out" "getppid=-1 errno=38"

    # No agent on the socket: the runtime does not start the container.
    rm -f "$sock"
    out=$(timeout "$EVENT_TIMEOUT" "$@" run -b "$bundle" "e2e-$name-n$$" 2>"$TEST_TMP/stderr")
    rc=$?
    like "$name: no agent listening: the container does not start" "$rc:$out" "^[1-9][0-9]*:\$"

    if [ "$(uname -m)" = x86_64 ]; then
        make_config /bin/probe int80
        mode=
        with_listener "$@" run -b "$bundle" "e2e-$name-a$$"
        is "$name: an i386 call (int 0x80) kills the process (SIGSYS)" "$rc:$out" "159:"
    fi
}

if command -v runc >/dev/null; then
    runc_start=$SECONDS
    runtime_cases runc runc --root "$TEST_TMP/runc-state"
    echo "# runc: $((SECONDS - runc_start)) s ($(runc --version | head -1))"
else
    skip "runc" "runc is not installed: $(tail -1 "$apt_out" 2>/dev/null)"
fi

oci_crun_cmd "$TEST_TMP/crun-state"
if command -v crun >/dev/null; then
    crun_start=$SECONDS
    make_config /bin/probe getppid
    mode=
    with_listener "${crun_cmd[@]}" run -b "$bundle" "e2e-crun-probe-$$"
    if [ "$rc" -ne 0 ] && ! grep -q 'getppid=' <<<"$out"; then
        skip "crun" "crun cannot run the bundle here: $(head -1 "$TEST_TMP/stderr")"
    else
        runtime_cases crun "${crun_cmd[@]}"
    fi
    echo "# crun: $((SECONDS - crun_start)) s ($(crun --version | head -1))"
else
    skip "crun" "crun is not installed: $(tail -1 "$apt_out" 2>/dev/null)"
fi
echo "# running: $((SECONDS - run_start)) s"
done_testing
