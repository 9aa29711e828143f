#!/usr/bin/env bash
# Deferred answers: the svc plugin defers every read of fd 100 and a plugin
# thread answers it later (writing into the child's buffer first).
. "$top_srcdir/tests/services/common.sh"

# ms VALUE-LINE : the ms=N of a probe line
ms() { printf '%s\n' "$1" | sed -n 's/.* ms=\([0-9]*\).*/\1/p' | head -1; }

# ---- answered later, from another thread ----
ini=$(svc_ini later "defer_delay = 150ms")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "a deferred read is answered from the plugin's thread, with data written meanwhile" "$out" \
    "^read 0: ret=8 data=deferred ms=[0-9]+$"
t=$(ms "$out")
[ "${t:-0}" -ge 140 ] && pass "the answer came after the plugin's delay ($t ms)" || fail "answered after $t ms"
like "answer() returned 0" "$err" "\[svc\] answer: 0$"
is "sandlock exits with the probe's status" "$rc" 0

# ---- the cap: max_deferred ----
ini=$(svc_ini cap "sandlock:max_deferred = 1" "defer_delay = 400ms")
run_sandlock run -c "$ini" -- "$PROBE" defer 3
is "max_deferred = 1: one read deferred" "$(printf '%s\n' "$out" | grep -c 'ret=8 data=deferred')" 1
is "max_deferred = 1: the two others get EAGAIN" "$(printf '%s\n' "$out" | grep -c 'errno=EAGAIN')" 2
fast=$(printf '%s\n' "$out" | grep 'errno=EAGAIN' | sed 's/.* ms=//' | sort -n | tail -1)
[ "${fast:-999}" -lt 200 ] && pass "EAGAIN comes at once ($fast ms)" || fail "EAGAIN after $fast ms"
is "defer() reported -EAGAIN to the plugin twice" "$(printf '%s\n' "$err" | grep -c 'defer: -EAGAIN')" 2

ini=$(svc_ini cap0 "sandlock:max_deferred = 0")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "max_deferred = 0: deferral refused, EAGAIN" "$out" "^read 0: errno=EAGAIN"

# ---- the timeout ----
ini=$(svc_ini timeout "sandlock:defer_timeout = 200ms" "defer_delay = 700ms")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "unanswered after defer_timeout: EIO" "$out" "^read 0: errno=EIO ms=[0-9]+$"
t=$(ms "$out")
[ "${t:-0}" -ge 190 ] && [ "${t:-999}" -lt 650 ] && pass "EIO after the timeout, not the plugin's answer ($t ms)" \
    || fail "EIO after $t ms"
like "the host logs the timeout" "$err" "\[svc\] deferred read of pid [0-9]+ not answered within 200 ms: EIO"
like "memory services fail safe once the notification timed out" "$err" "mem_write while deferred: -ESRCH"
like "resolve_path_begin fails safe then, holding nothing" "$err" "resolve_path_begin while deferred: -ESRCH held=-1"
like "the late answer gets -ETIMEDOUT" "$err" "\[svc\] answer: -ETIMEDOUT"

# ---- a second answer ----
ini=$(svc_ini twice "defer_mode = twice" "defer_delay = 50ms")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "double answer: the child sees the first" "$out" "^read 0: ret=8 data=deferred"
like "double answer: the first is delivered" "$err" "\[svc\] answer: 0"
like "double answer: the second is rejected with -EALREADY" "$err" "\[svc\] second answer: -EALREADY"

# ---- an invalid answer gets the exception policy ----
ini=$(svc_ini invalid "defer_mode = invalid" "defer_delay = 50ms" "on_exception = eperm")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "invalid answer: the child gets the instance's exception policy" "$out" "^read 0: errno=EPERM"
like "invalid answer: answer() returns -EINVAL" "$err" "\[svc\] answer: -EINVAL"

# ---- answered from inside handle(), before DEFER is returned ----
ini=$(svc_ini inside "defer_mode = inside")
run_sandlock run -c "$ini" -- "$PROBE" defer defer
is "answer inside handle(): both reads get that answer, the second through the spare slot" \
    "$(printf '%s\n' "$out" | sed 's/ ms=.*//')" "read 0: ret=3 data=
read 0: ret=3 data="
is "answer inside handle() returned 0 both times" "$(printf '%s\n' "$err" | grep -c 'answer inside handle: 0')" 2

# ---- a deferred read does not stall the other notifications ----
for workers in 2 1; do
    ini=$(svc_ini busy$workers "sandlock:workers = $workers" "defer_delay = 1s")
    run_sandlock run -c "$ini" -- "$PROBE" defer-busy
    like "workers = $workers: getppid answered at once while a read is deferred" "$out" \
        "^busy: calls=[0-9]+ all4242=1 worst_ms=[0-9]+ pending_after=1$"
    calls=$(printf '%s\n' "$out" | sed -n 's/^busy: calls=\([0-9]*\).*/\1/p')
    worst=$(printf '%s\n' "$out" | sed -n 's/.*worst_ms=\([0-9]*\).*/\1/p')
    [ "${calls:-0}" -ge 1000 ] && [ "${worst:-999}" -lt 300 ] \
        && pass "workers = $workers: $calls calls, slowest $worst ms" \
        || fail "workers = $workers: $calls calls, slowest $worst ms"
    like "workers = $workers: the deferred read is answered after its delay" "$out" \
        "read: ret=8 data=deferred ms=(9[5-9][0-9]|1[0-9]{3})$"
done

# ---- pending when the sandbox exits ----
ini=$(svc_ini exit "defer_delay = 500ms")
run_sandlock run -c "$ini" -- "$PROBE" defer-exit
is "the child exits while a read is deferred" "$out" "exiting"
is "sandlock exits with the child's status" "$rc" 0
like "the plugin's late answer gets -ECANCELED" "$err" "\[svc\] answer: -ECANCELED"

done_testing
