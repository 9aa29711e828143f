#!/usr/bin/env bash
# The fallback without a PID namespace: sandlock run by an unprivileged user
# who may not create one (here: SANDLOCK_USERNS=no, as on a system without
# unprivileged user namespaces) tracks the sandbox as a child subreaper. Runs the
# other integration scripts again as `nobody` and reports their results
# prefixed with "nopidns:". Skipped unless root with setpriv.
. "$top_srcdir/tests/integration/common.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "1..0 # SKIP needs root and setpriv to run sandlock as nobody"
    exit 0
fi
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if ! $as_nobody test -x "$SANDLOCK" || ! $as_nobody test -x "$PROBE" || ! $as_nobody test -r "$FIXTURE"; then
    echo "1..0 # SKIP the build tree is not readable by nobody"
    exit 0
fi
wrapper=$TEST_TMP/sandlock-nobody
cat > "$wrapper" <<EOF2
#!/bin/sh
SANDLOCK_USERNS=no exec $as_nobody "$SANDLOCK" "\$@"
EOF2
chmod 755 "$wrapper"

# Without a PID namespace the command's parent (the stub) is not pid 1.
out=$("$wrapper" run -c "$EMPTY_INI" -- "$PROBE" getppid 2>/dev/null)
if [ "$out" = "getppid=1 errno=0" ]; then
    echo "1..0 # SKIP nobody can create PID namespaces here"
    exit 0
fi
like "running as nobody: no PID namespace (the stub is not pid 1)" "$out" "^getppid=[0-9]+ errno=0$"

for t in lifecycle verdicts signals chain exceptions handoff filter rules eintr denials cli dropins keys faults hostview behalf startup; do
    while IFS= read -r line; do
        case $line in
        "ok "*) pass "nopidns: $t: ${line#ok * - }" ;;
        "not ok "*) fail "nopidns: $t: ${line#not ok * - }" ;;
        "#"*) echo "$line" ;;
        esac
    done < <(SANDLOCK=$wrapper bash "$top_srcdir/tests/integration/$t.sh" 2>&1)
done

# Root without CAP_SYS_ADMIN: sandlock may take fds from its own stub
# (CAP_SYS_PTRACE) and so tries the stub that shares its memory, which
# needs a PID namespace; refused one, it falls back to a forked stub.
noadmin=$TEST_TMP/sandlock-noadmin
cat > "$noadmin" <<EOF2
#!/bin/sh
exec setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin "$SANDLOCK" "\$@"
EOF2
chmod 755 "$noadmin"
out=$("$noadmin" run -c "$EMPTY_INI" -- "$PROBE" getppid 2>&1)
like "root without CAP_SYS_ADMIN: falls back to a stub without a PID namespace" "$out" \
    "^getppid=[0-9]+ errno=0$"
for t in lifecycle verdicts handoff startup; do
    while IFS= read -r line; do
        case $line in
        "ok "*) pass "noadmin: $t: ${line#ok * - }" ;;
        "not ok "*) fail "noadmin: $t: ${line#not ok * - }" ;;
        "#"*) echo "$line" ;;
        esac
    done < <(SANDLOCK=$noadmin bash "$top_srcdir/tests/integration/$t.sh" 2>&1)
done

done_testing
