#!/usr/bin/env bash
# Signals and trapped calls (issue 18; SIGNALS AND EINTR in sandlock.ini(5)).
# Until a worker receives a notification the trapped task waits
# interruptibly: a signal caught by a handler without SA_RESTART makes the
# call fail with EINTR, even where the kernel never gives EINTR. Asserted:
# 0 EINTR where sandlock guarantees it (nothing trapped, or a handler with
# SA_RESTART: the kernel restarts the call and notifies it again), the
# documented outcome elsewhere, and `sandlock check`'s warning. Never a rate.
. "$top_srcdir/tests/integration/common.sh"

SIGPROBE="$top_builddir/tests/integration/sigprobe"
N=20000
DEFAULT_INI="$top_srcdir/examples/sandlock.ini"
LOOP='i=0; while [ $i -lt 100 ]; do echo x | cat | wc -c >/dev/null; i=$((i+1)); done; echo "done $i"'

# probe_fields OUT : "ok+eintr other" of a sigprobe line, e.g. "20000 0".
probe_fields() {
    echo "$(( $(value ok "$1") + $(value eintr "$1") )) $(value other "$1")"
}

out=$("$SIGPROBE" open /etc/hostname $N)
is "without sandlock: no open of a regular file fails with EINTR" "$(value eintr "$out")/$(value ok "$out")" "0/$N"
if [ "$(value signals "$out")" -gt 0 ]; then pass "without sandlock: the timer fired during the loop"
else fail "without sandlock: the timer fired during the loop" "$out"; fi
out=$("$SIGPROBE" close /etc/hostname $N)
is "without sandlock: no close fails with EINTR" "$(value eintr "$out")/$(value ok "$out")" "0/$N"

check_out=$("$SANDLOCK" check -c "$DEFAULT_INI" 2>/dev/null)
if printf '%s' "$check_out" | grep -q "^masks: in the sandbox's own mount namespace"; then
    # The kernel enforces vfile's and fsdeny's rules: no open is trapped,
    # so no open can fail with EINTR.
    run_sandlock run -c "$DEFAULT_INI" --stats -- "$SIGPROBE" open /etc/hostname $N
    is "default configuration, masks: 0 EINTR in $N opens under a 50 us timer" \
        "$(value eintr "$out")/$(value ok "$out")/$(value other "$out")" "0/$N/0"
    like "default configuration, masks: fsdeny answered no call" "$err" "fsdeny +0 "
    like "check, default configuration: audit's execs are acknowledged" "$check_out" \
        "^  \[audit\] intercepts execve, execveat: acknowledged \(eintr_ok\)"
    unlike "check, default configuration (masks): no EINTR warning" "$check_out" "warning: \["
else
    # No masks (an unprivileged user): vfile and fsdeny trap the opens.
    run_sandlock run -c "$DEFAULT_INI" -- "$SIGPROBE" open /etc/hostname $N
    is "default configuration, no masks: every open succeeds or fails with EINTR, nothing else" \
        "$(probe_fields "$out")" "$N 0"
    echo "# default configuration, no masks: $(value eintr "$out") of $N opens failed with EINTR"
    like "check, default configuration (no masks): fsdeny's opens are warned about" "$check_out" \
        "warning: \[fsdeny\] intercepts open, openat, .* \(acknowledge with eintr_ok = paths, process in \[plugin fsdeny\]\)"
fi
unlike "check, default configuration: clone and close are not intercepted" "$check_out" \
    "(clone|close)( |,)"
run_sandlock run -c "$DEFAULT_INI" -- dash -c "$LOOP"
is "default configuration: a dash pipeline loop runs to the end" "$out/$rc" "done 100/0"

# Fallback mode: masks = no. Opens are trapped.
nomask=$(write_ini nomask < <(sed 's/^\[sandlock\]$/[sandlock]\nmasks = no/' "$DEFAULT_INI"))
run_sandlock run -c "$nomask" --stats -- "$SIGPROBE" open /etc/hostname $N
is "masks = no: every open succeeds or fails with EINTR, nothing else" "$(probe_fields "$out")" "$N 0"
echo "# masks = no: $(value eintr "$out") of $N opens failed with EINTR (a handler without SA_RESTART)"
# Each EINTR is a notification no worker received (--stats counts them).
# (A vanished call is counted when a worker's next receive finds it gone:
# the last ones of a run may still be uncounted when the sandbox ends.)
vanished=$(printf '%s\n' "$err" | sed -n 's/^vanished before received: //p')
eintr=$(value eintr "$out")
if [ -n "$vanished" ] && [ -n "$eintr" ] && [ "$vanished" -le "$eintr" ] && { [ "$eintr" = 0 ] || [ "$vanished" -gt 0 ]; }
then pass "masks = no: --stats counts EINTRs as calls that vanished before a worker received them ($vanished of $eintr)"
else fail "masks = no: --stats counts EINTRs as calls that vanished before a worker received them" "vanished '$vanished' eintr '$eintr'"; fi
run_sandlock run -c "$nomask" --stats -- "$SIGPROBE" open /etc/hostname $N restart
is "masks = no, handler with SA_RESTART: 0 EINTR (the kernel restarts the call)" \
    "$(value eintr "$out")/$(value ok "$out")/$(value other "$out")" "0/$N/0"
calls=$(printf '%s\n' "$err" | awk '$1 == "fsdeny" { print $2 }')
if [ -n "$calls" ] && [ "$calls" -ge $N ]; then
    pass "masks = no, SA_RESTART: every open reached fsdeny (calls=$calls)"
else
    fail "masks = no, SA_RESTART: every open reached fsdeny" "$err"
fi

# clone and close intercepted by a verdict that only continues: check warns;
# the loop either runs to the end or shows the documented failure.
for sc in clone close; do
    ini=$(write_ini "v-$sc" <<EOF2
[sandlock]
workers = 2
[plugin v]
module = verdict
syscalls = $sc
action = continue
EOF2
)
    run_sandlock check -c "$ini"
    like "check, $sc intercepted: the warning names it and the acknowledgement" "$out" \
        "warning: \[v\] intercepts $sc, which the kernel never fails with EINTR: .*SA_RESTART.* \(acknowledge with eintr_ok = $sc in \[plugin v\]\)"
    acked=$(write_ini "v-$sc-acked" < <(sed "s/^action = continue/action = continue\neintr_ok = $sc/" "$ini"))
    run_sandlock check -c "$acked"
    like "check, $sc intercepted and acknowledged: listed as acknowledged" "$out" \
        "^  \[v\] intercepts $sc: acknowledged \(eintr_ok\)"
    unlike "check, $sc acknowledged: no warning" "$out" "warning:"
    if [ "$sc" = close ]; then
        # The documented outcome, deterministically: a close that fails
        # with EINTR never ran -- its descriptor is still open (Linux
        # itself always releases it, so nobody retries).
        run_sandlock run -c "$ini" -- "$SIGPROBE" close /etc/hostname $N
        is "close intercepted: every close succeeds or fails with EINTR, nothing else" \
            "$(probe_fields "$out")" "$N 0"
        is "close intercepted: each close that failed with EINTR left its descriptor open" \
            "$(value still_open "$out")" "$(value eintr "$out")"
        echo "# close intercepted: $(value eintr "$out") of $N closes failed with EINTR"
        run_sandlock run -c "$ini" -- "$SIGPROBE" close /etc/hostname $N restart
        is "close intercepted, handler with SA_RESTART: 0 EINTR" \
            "$(value eintr "$out")/$(value ok "$out")/$(value other "$out")" "0/$N/0"
    fi
    res=$(timeout --foreground -s KILL 10 "$SANDLOCK" run -c "$ini" -- dash -c "$LOOP" 2>&1 </dev/null)
    rc=$?
    case $sc/$rc in
    */0) is "dash pipeline loop, $sc intercepted: ran to the end" "$res" "done 100" ;;
    clone/2) like "dash pipeline loop, clone intercepted: fork failed with EINTR (documented)" "$res" \
                  "Cannot fork" ;;
    close/137) pass "dash pipeline loop, close intercepted: a close that never ran left a pipe open (documented)" ;;
    *) fail "dash pipeline loop, $sc intercepted: an undocumented outcome" "rc=$rc" "$res" ;;
    esac
done

# Bundled plugins with their defaults (fsdeny and vfile without masks) stay
# off process creation and exit and the descriptor table; what they do
# intercept of the listed calls (audit's and the path plugins' opens and
# execs) is warned about.
ini=$(write_ini bundled <<EOF2
[sandlock]
masks = no
[plugin audit]
module = audit
[plugin vfile]
module = vfile
/etc/eintr-test = x
[plugin fsdeny]
module = fsdeny
deny = /nonexistent-eintr-test
[plugin netguard]
module = netguard
[plugin uname]
module = uname
nodename = eintr
[plugin random]
module = random
seed = 1
EOF2
)
run_sandlock check -c "$ini"
warnings=$(printf '%s\n' "$out" | grep '^  warning:')
like "check, bundled plugins: audit's default opens and execs are warned about" "$warnings" \
    "warning: \[audit\] intercepts execve, .*openat"
unlike "check, bundled plugins: none intercepts clone, fork, exit or the descriptor table" \
    "$(printf '%s\n' "$warnings" | sed 's/, which the kernel.*//')" \
    "[ ,](clone|clone3|fork|vfork|exit|exit_group|close|close_range|dup|dup2|dup3)(,|$)"
unlike "check, bundled plugins: uname, random and netguard get no warning" "$warnings" \
    "\[(uname|random|netguard)\]"

# An instance acknowledging what it does not intercept gets a note.
ini=$(write_ini note <<EOF2
[plugin v]
module = verdict
syscalls = getppid
action = continue
eintr_ok = dup2
EOF2
)
run_sandlock check -c "$ini"
like "check: eintr_ok naming a call the instance does not intercept gets a note" "$out" \
    "note: \[v\] eintr_ok names dup2, which it does not intercept"
like "check: nothing to warn about" "$out" "no instance intercepts a call the kernel never fails with EINTR"
ini=$(write_ini bad <<EOF2
[plugin v]
module = verdict
syscalls = getppid
action = continue
eintr_ok = read
EOF2
)
run_sandlock check -c "$ini"
is "eintr_ok = read: configuration error (125)" "$rc" 125
like "eintr_ok = read: FILE:LINE and the reason" "$err" "bad.ini:5: eintr_ok: 'read' is not a system call"

done_testing
