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
like "pending() before the answer: 1" "$err" "\[svc\] pending: 1$"
is "sandlock exits with the probe's status" "$rc" 0

# ---- the cap: max_deferred ----
# Three reads at once; the plugin holds the one it may defer until the two
# others have returned, so the answers cannot depend on timing.
ini=$(svc_ini cap "sandlock:max_deferred = 1" "defer_delay = hold")
run_sandlock run -c "$ini" -- "$PROBE" defer-hold 3 2
is "max_deferred = 1: one read deferred" "$(printf '%s\n' "$out" | grep -c 'ret=8 data=deferred')" 1
is "max_deferred = 1: the two others get EAGAIN" "$(printf '%s\n' "$out" | grep -c 'errno=EAGAIN')" 2
like "EAGAIN comes at once: both returned while the deferred read was still held" "$out" \
    "^returned before release: 2$"
is "defer() reported -EAGAIN to the plugin twice" "$(printf '%s\n' "$err" | grep -c 'defer: -EAGAIN')" 2

ini=$(svc_ini cap0 "sandlock:max_deferred = 0")
run_sandlock run -c "$ini" -- "$PROBE" defer
like "max_deferred = 0: deferral refused, EAGAIN" "$out" "^read 0: errno=EAGAIN"

# ---- the timeout ----
# The plugin holds the read until the child has its answer: EIO can only
# come from the timeout, and the plugin's answer comes late by construction.
ini=$(svc_ini timeout "sandlock:defer_timeout = 200ms" "defer_delay = hold")
run_sandlock run -c "$ini" -- "$PROBE" defer-hold 1 1
like "unanswered after defer_timeout: EIO" "$out" "^read 0: errno=EIO ms=[0-9]+$"
like "EIO came while the plugin still held the read" "$out" "^returned before release: 1$"
t=$(ms "$out")
[ "${t:-0}" -ge 190 ] && pass "EIO not before the timeout ($t ms)" || fail "EIO after $t ms"
like "the host logs the timeout" "$err" "\[svc\] deferred read of pid [0-9]+ not answered within 200 ms: EIO"
like "memory services fail safe once the notification timed out" "$err" "mem_write while deferred: -ESRCH"
like "resolve_path_begin fails safe then, holding nothing" "$err" "resolve_path_begin while deferred: -ESRCH held=-1"
like "the late answer gets -ETIMEDOUT" "$err" "\[svc\] answer: -ETIMEDOUT"
like "pending() after the timeout answered: 0" "$err" "\[svc\] pending: 0$"

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
# While the plugin holds a read, 2000 getppid calls are answered; the read is
# answered only after them (the probe releases it then).
for workers in 2 1; do
    ini=$(svc_ini busy$workers "sandlock:workers = $workers" "defer_delay = hold")
    run_sandlock run -c "$ini" -- "$PROBE" defer-busy
    is "workers = $workers: 2000 getppid answered while a read is held" "$(printf '%s\n' "$out" | head -1)" \
        "busy: held=1 calls=2000 all4242=1 pending_after=1"
    like "workers = $workers: the held read is answered once released" "$out" \
        "read: ret=8 data=deferred ms=[0-9]+$"
done

# ---- pending when the sandbox exits ----
ini=$(svc_ini exit "defer_delay = hold")
run_sandlock run -c "$ini" -- "$PROBE" defer-exit
is "the child exits while a read is deferred" "$out" "exiting"
is "sandlock exits with the child's status" "$rc" 0
like "the plugin's late answer gets -ECANCELED" "$err" "\[svc\] answer: -ECANCELED"

# ---- a judged socket call is never continued in the kernel ----
# The plugin takes the bind's snapshot (sock_call), defers and answers
# Continue from its thread: the kernel would read the child's descriptor
# and address again, so the host refuses that answer.
ini=$(svc_ini sockcont "defer_delay = 10ms")
run_sandlock run -c "$ini" -- "$PROBE" defer-bind
is "a socket call judged, deferred and answered Continue is refused, not continued" "$out" "defer-bind: errno=EPERM"
like "the refusal is logged" "$err" "answered a deferred bind Continue after its socket call was judged"

# ---- an open is never continued in the kernel while objects are served ----
# Without served objects a deferred Continue of an open goes to the kernel
# (which finds no "#k:x"); with vfile on notifications the kernel would read
# the path again after the chain, so the host refuses it.
ini=$(svc_ini opencont "defer_delay = 10ms")
run_sandlock run -c "$ini" -- "$PROBE" defer-open
is "a deferred open answered Continue goes to the kernel" "$out" "defer-open: errno=ENOENT"
echo real > "$TEST_TMP/served"
ini=$(svc_ini opencont-served "defer_delay = 10ms" "sandlock:masks = no")
printf '[plugin fake]\nmodule = vfile\n%s = virtual\\n\n' "$TEST_TMP/served" >> "$ini"
run_sandlock run -c "$ini" -- "$PROBE" defer-open
is "... and is refused while objects are served" "$out" "defer-open: errno=EPERM"
like "the refusal is logged" "$err" "answered a deferred openat Continue while objects are served"

done_testing
