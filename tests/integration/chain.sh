#!/usr/bin/env bash
# Chain semantics, observed by the child and by fixture call logs.
. "$top_srcdir/tests/integration/common.sh"
log=$TEST_TMP/calls

# Order: a, b, c all run in config order; c decides.
rm -f "$log"
ini=$(write_ini order <<EOF2
[plugin a]
module = $FIXTURE
syscalls = getppid
mode = continue
log = $log
tag = a
[plugin b]
module = $FIXTURE
syscalls = getppid
mode = continue
log = $log
tag = b
[plugin c]
module = $FIXTURE
syscalls = getppid
mode = return:77
log = $log
tag = c
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "chain: the last instance's answer reaches the child" "$out" "getppid=77 errno=0"
is "chain: instances run in config order" "$(cat "$log" 2>/dev/null | tr '\n' ' ')" "a getppid b getppid c getppid "

# Short-circuit: b answers, c is never called.
rm -f "$log"
ini=$(write_ini short <<EOF2
[plugin a]
module = $FIXTURE
syscalls = getppid
mode = continue
log = $log
tag = a
[plugin b]
module = $FIXTURE
syscalls = getppid
mode = errno:13
log = $log
tag = b
[plugin c]
module = $FIXTURE
syscalls = getppid
mode = return:77
log = $log
tag = c
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid getppid
is "short-circuit: the child sees b's errno" "$out" "getppid=-1 errno=EACCES
getppid=-1 errno=EACCES"
is "short-circuit: c was never called" "$(cat "$log" 2>/dev/null | tr '\n' ' ')" "a getppid b getppid a getppid b getppid "

# All Continue: the kernel runs the call (the probe's parent is the stub).
rm -f "$log"
ini=$(write_ini allcont <<EOF2
[plugin a]
module = verdict
syscalls = getppid
action = continue
[plugin b]
module = verdict
syscalls = getppid
action = continue
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
like "all Continue: the real getppid ran" "$out" "^getppid=[1-9][0-9]* errno=0$"

# The same module twice with different keys: each instance keeps its own.
ini=$(write_ini twice <<EOF2
[plugin first]
module = verdict
syscalls = getppid
action = return:11
[plugin second]
module = verdict
syscalls = uname
action = errno:ENOSYS
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid uname
is "same module twice: each instance answers with its own keys" "$out" "getppid=11 errno=0
uname=-1 errno=ENOSYS"

ini=$(write_ini twicechain <<EOF2
[plugin first]
module = verdict
syscalls = getppid
action = continue
[plugin second]
module = verdict
syscalls = getppid
action = return:12
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "same module twice on one syscall: continue, then return" "$out" "getppid=12 errno=0"

# Different syscalls have separate chains.
rm -f "$log"
ini=$(write_ini split <<EOF2
[plugin a]
module = $FIXTURE
syscalls = getppid
mode = return:5
log = $log
tag = a
[plugin b]
module = $FIXTURE
syscalls = uname
mode = return:6
log = $log
tag = b
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" uname getppid
is "separate chains per syscall" "$out" "uname=6 errno=0
getppid=5 errno=0"
is "separate chains: only the syscall's instances were called" "$(cat "$log" 2>/dev/null | tr '\n' ' ')" "b uname a getppid "

done_testing
