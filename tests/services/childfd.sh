#!/usr/bin/env bash
# dup_child_fd: the plugin takes a copy of the child's socket and sends on
# it; the child reads what arrived at the other end.
. "$top_srcdir/tests/services/common.sh"

ini=$(svc_ini childfd)
run_sandlock run -c "$ini" -- "$PROBE" dup-socket dup-thread dup-bad
is "dup_child_fd: a socket copy the plugin can use; bad fds refused" "$out" "dup-socket: ret=7 peer=via-dup
dup-thread: ret=7 peer=via-dup
dup-closed: errno=EBADF
dup-pipe: errno=ENOTSOCK"
is "sandlock exits with the probe's status" "$rc" 0
is "nothing logged" "$err" ""

done_testing
