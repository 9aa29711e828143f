#!/usr/bin/env bash
# An unprivileged sandlock in a user namespace of its own (userns.h): the
# stub is PID 1 of the sandbox's PID namespace with its own /proc, the
# command has no capability, the plugins' masks are made, and the sandbox
# dies with sandlock. Then the other integration scripts again as nobody,
# prefixed "userns:". Needs root (to become nobody) and setpriv.
. "$top_srcdir/tests/integration/common.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "1..0 # SKIP needs root and setpriv to run sandlock as nobody"
    exit 0
fi
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if ! $as_nobody test -x "$SANDLOCK" || ! $as_nobody test -x "$PROBE"; then
    echo "1..0 # SKIP the build tree is not readable by nobody"
    exit 0
fi
wrapper=$TEST_TMP/sandlock-userns
cat > "$wrapper" <<EOF2
#!/bin/sh
exec env -u SANDLOCK_USERNS $as_nobody "$SANDLOCK" "\$@"
EOF2
chmod 755 "$wrapper"
chmod 644 "$EMPTY_INI"

out=$("$wrapper" run -c "$EMPTY_INI" -- "$PROBE" getppid 2>&1)
if [ "$out" != "getppid=1 errno=0" ]; then
    echo "1..0 # SKIP no user namespace for nobody here ($out)"
    exit 0
fi
pass "nobody: the stub is PID 1 of the sandbox's PID namespace"

got=$(sh -c 'exec "$0" run -c "$1" -- sh -c "grep -E \"^(Uid|CapEff|CapPrm)\" /proc/self/status | tr -s \"\t \" \" \";
    test -e /proc/$$ && echo sandlock-visible; ls /proc | grep -c \"^[0-9]\""' "$wrapper" "$EMPTY_INI" 2>&1)
like "nobody: the command runs as nobody" "$got" "Uid: 65534 65534 65534 65534"
like "nobody: the command has no capability" "$got" "CapEff: 0000000000000000"
like "nobody: ... none permitted either" "$got" "CapPrm: 0000000000000000"
unlike "nobody: sandlock's pid names nothing in the sandbox's /proc" "$got" "sandlock-visible"
procs=$(printf '%s\n' "$got" | tail -1)
[ "${procs:-99}" -le 4 ] && pass "nobody: the sandbox's /proc lists its own processes only ($procs)" \
    || fail "nobody: the sandbox's /proc lists its own processes only" "$got"

# Masks for an unprivileged user: fsdeny needs no notification at all.
mkdir -p "$TEST_TMP/m/dir"
echo SECRET > "$TEST_TMP/m/dir/key"
echo SECRET > "$TEST_TMP/m/file"
chmod -R a+rX "$TEST_TMP/m"
ini=$(write_ini umasks <<EOF2
[plugin fs]
module = fsdeny
deny = $TEST_TMP/m/dir
deny = $TEST_TMP/m/file
EOF2
)
chmod 644 "$ini"
out=$("$wrapper" check -c "$ini" 2>&1)
like "nobody: masks are made (check)" "$out" "kernel: hidden $TEST_TMP/m/file"
like "nobody: fsdeny intercepts nothing" "$out" "\\(none intercepted\\)"
out=$("$wrapper" run --stats -c "$ini" -- sh -c "cat '$TEST_TMP/m/file' '$TEST_TMP/m/dir/key'; ls '$TEST_TMP/m/dir'; echo x > '$TEST_TMP/m/file'" 2>&1)
unlike "nobody: no secret content" "$out" "SECRET"
like "nobody: a hidden file: EACCES" "$out" "m/file: Permission denied"
like "nobody: inside a hidden directory: EACCES" "$out" "m/dir/key: Permission denied"
like "nobody: fsdeny was called for nothing" "$out" "
fs +0 +0 "
is "nobody: the file is unchanged" "$(cat "$TEST_TMP/m/file")" "SECRET"

# Ids the user namespace does not map: bare, an unprivileged chown to
# another user or group, or a set*id to another id, fails with EPERM; in
# the namespace the kernel would say EINVAL (the id has no meaning there).
# The filter answers EPERM, as the kernel does outside (idrules.h).
py=/usr/bin/python3
if [ -x "$py" ]; then
    mkdir -p "$TEST_TMP/ids"
    cp "$top_srcdir/tests/integration/idprobe.py" "$TEST_TMP/ids/"
    touch "$TEST_TMP/ids/f"
    chmod 755 "$TEST_TMP/ids"
    chown nobody:nogroup "$TEST_TMP/ids/f"
    bare=$($as_nobody "$py" "$TEST_TMP/ids/idprobe.py" "$TEST_TMP/ids/f" -1 2>&1)
    got=$("$wrapper" run -c "$EMPTY_INI" -- "$py" "$TEST_TMP/ids/idprobe.py" "$TEST_TMP/ids/f" -1 2>&1)
    is "nobody: chown and set*id to unmapped ids fail as they do bare" "$got" "$bare"
    like "nobody: ... which is EPERM" "$bare" "chown other user: EPERM"
    with_group="setpriv --reuid=nobody --regid=nogroup --groups=100"
    out=$(env -u SANDLOCK_USERNS $with_group "$SANDLOCK" run -c "$EMPTY_INI" -- \
        "$py" "$TEST_TMP/ids/idprobe.py" "$TEST_TMP/ids/f" 100 2>&1)
    like "nobody: chgrp to a supplementary group (unmapped in the namespace): EPERM, not EINVAL" "$out" \
        "chown supplementary group: EPERM"
else
    echo "# SKIP chown and set*id to unmapped ids: no $py"
fi

# sandlock killed by SIGKILL: its PID 1 dies with it (parent-death signal),
# and with it the whole namespace.
wrapper_bg() {
    "$wrapper" "$@" >"$TEST_TMP/ubg.out" 2>"$TEST_TMP/ubg.err" </dev/null &
    bg_pid=$!
    BG_PIDS="$BG_PIDS $bg_pid"
}
wrapper_bg run -c "$EMPTY_INI" -- "$PROBE" name:"${UNIQ}uc" daemon:"$TEST_TMP/${UNIQ}ud" pause:"$TEST_TMP/never"
if wait_for "$TEST_TMP/ubg.out" "paused"; then
    cpid=$(pid_named "${UNIQ}uc")
    dpid=$(pid_named "${UNIQ}ud")
    kill -9 "$bg_pid"
    wait_bg "$bg_pid"
    if [ -n "$cpid" ] && gone_within "$cpid"; then pass "nobody, sandlock SIGKILLed: the command is gone"
    else fail "nobody, sandlock SIGKILLed: the command is gone" "'$cpid'"; fi
    if [ -n "$dpid" ] && gone_within "$dpid"; then pass "nobody, sandlock SIGKILLed: the setsid daemon is gone"
    else fail "nobody, sandlock SIGKILLed: the setsid daemon is gone" "'$dpid'"; fi
else
    fail "nobody, SIGKILL test: the probe did not start" "$(cat "$TEST_TMP/ubg.err")"
fi

# SANDLOCK_USERNS=no: the fallback (no namespaces, a subreaper).
out=$(SANDLOCK_USERNS=no $as_nobody "$SANDLOCK" run -c "$EMPTY_INI" -- "$PROBE" getppid 2>&1)
like "SANDLOCK_USERNS=no: no PID namespace (the stub is not pid 1)" "$out" "^getppid=([02-9]|[0-9]{2,}) errno=0$"

for t in lifecycle verdicts signals exceptions handoff filter hostview; do
    while IFS= read -r line; do
        case $line in
        "ok "*) pass "userns: $t: ${line#ok * - }" ;;
        "not ok "*) fail "userns: $t: ${line#not ok * - }" ;;
        "#"*) echo "$line" ;;
        esac
    done < <(SANDLOCK=$wrapper bash "$top_srcdir/tests/integration/$t.sh" 2>&1)
done

done_testing
