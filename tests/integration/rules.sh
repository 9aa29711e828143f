#!/usr/bin/env bash
# SDK 1.4 syscall rules through real children, with verdict's predicates:
# calls outside a predicate are not trapped (the --stats notification count
# proves it), calls inside are; instances that predicate one syscall
# differently; static errno verdicts cost no notification; static return
# verdicts are answered without handle(); chain order; the deny rules win.
. "$top_srcdir/tests/integration/common.sh"

if [ "$(uname -m)" != x86_64 ]; then
    echo "1..0 # SKIP the raw syscall numbers below (getppid = 110) are x86_64's"
    exit 0
fi
G=nr:110    # getppid: it ignores its arguments, the filter sees them

# notified NAME : the --stats notification count of syscall NAME.
notified() { grep -E "^$1 +[0-9]+\$" "$TEST_TMP/stderr" | awk '{ print $2 }'; }
# stat_row INSTANCE : the instance's --stats row without the timing columns
# and without "denied" (verdict reports no denial).
stat_row() { grep -E "^$1 " "$TEST_TMP/stderr" | awk '{ print $2, $3, $5, $6, $7, $8, $9, $10, $11 }'; }
# steps : the probe's getppid results on one line: ":ARGS=71" for a fake
# value, ":ARGS=ran" for the real parent pid (1 with a PID namespace, any
# without), ":ARGS=EACCES" for an error.
steps() {
    printf '%s\n' "$out" | sed -E 's/^nr:110//; s/=(7[0-9]) errno=0$/=\1/; s/=[0-9]+ errno=0$/=ran/; s/=-1 errno=/=/' |
        tr '\n' ' '
}

# ---- one predicate: only the calls inside it are trapped ----
ini=$(write_ini pred <<EOF2
[plugin p]
module = verdict
syscalls = getppid(arg0 == 5)
action = return:71
static = no
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:5 $G:6 $G:0x100000005 $G:5
is "predicate: arg0 == 5 answered by handle(), 6 and 0x100000005 (64-bit) run" "$(steps)" \
    ":5=71 :6=ran :0x100000005=ran :5=71 "
is "predicate: two notifications for four calls" "$(notified getppid)" 2
is "predicate: handle() called twice (calls continue errno return kill fd defer exceptions static)" \
    "$(stat_row p)" "2 0 0 2 0 0 0 0 0"
run_sandlock run --stats -c "$ini" -- "$PROBE" getppid:200
is "predicate: 200 calls outside it: none notified" "$(notified getppid)" 0

ini=$(write_ini low32 <<EOF2
[plugin p]
module = verdict
syscalls = getppid(low32(arg0) == 5)
action = return:71
static = no
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:5 $G:0x100000005 $G:-4294967291 $G:6
is "low32(): what the kernel reads as an int, whatever the upper half" "$(steps)" \
    ":5=71 :0x100000005=71 :-4294967291=71 :6=ran "
is "low32(): three notifications" "$(notified getppid)" 3

# ---- two instances predicate getppid differently ----
ini=$(write_ini two <<EOF2
[plugin a]
module = verdict
syscalls = getppid(arg0 == 1)
action = return:71
static = no
[plugin b]
module = verdict
syscalls = getppid(arg1 == 2)
action = return:72
static = no
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:1:0 $G:0:2 $G:1:2 $G:0:0
is "two predicates: each its own calls, chain order where both match, none for the rest" "$(steps)" \
    ":1:0=71 :0:2=72 :1:2=71 :0:0=ran "
is "two predicates: a called twice" "$(stat_row a | cut -d' ' -f1)" 2
is "two predicates: b called once (not for 1:2, a answered first)" "$(stat_row b | cut -d' ' -f1)" 1
is "two predicates: three notifications" "$(notified getppid)" 3

# ---- a predicate and an unconditional instance ----
ini=$(write_ini uncond2 <<EOF2
[plugin a]
module = verdict
syscalls = getppid(arg0 == 1)
action = continue
[plugin b]
module = verdict
syscalls = getppid
action = return:72
static = no
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:1 $G:0
is "predicate then unconditional: every call reaches b" "$(steps)" ":1=72 :0=72 "
is "predicate then unconditional: a only for its call" "$(stat_row a | cut -d' ' -f1,2)" "1 1"
is "predicate then unconditional: b for both" "$(stat_row b | cut -d' ' -f1)" 2
ini=$(write_ini uncond1 <<EOF2
[plugin a]
module = verdict
syscalls = getppid
action = continue
[plugin b]
module = verdict
syscalls = getppid(arg0 == 1)
action = return:72
static = no
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:1 $G:0
is "unconditional then predicate: b answers its call only" "$(steps)" ":1=72 :0=ran "
is "unconditional then predicate: a sees both" "$(stat_row a | cut -d' ' -f1)" 2
is "unconditional then predicate: b one" "$(stat_row b | cut -d' ' -f1)" 1

# ---- static errno: in the filter, no notification ----
ini=$(write_ini serrno <<EOF2
[plugin e]
module = verdict
syscalls = getppid
action = errno:EACCES
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" getppid:300
is "static errno: the child gets EACCES" "$out" "getppid=-1 errno=EACCES"
is "static errno: 300 calls, no notification" "$(notified getppid)" 0
is "static errno: the instance never called or counted" "$(stat_row e)" "0 0 0 0 0 0 0 0 0"
run_sandlock check -c "$ini"
like "static errno: check says it is in the filter" "$out" "getppid -> errno EACCES: in the filter \\(static errno\\)"
like "static errno: check shows no chain for getppid" "$out" "^  getppid +\\(in the filter only: never trapped\\)\$"
# The same with static = no: every call is a notification (the fallback).
printf 'static = no\n' >> "$ini"
run_sandlock run --stats -c "$ini" -- "$PROBE" getppid:300
is "static = no: the same answer" "$out" "getppid=-1 errno=EACCES"
is "static = no: 300 notifications" "$(notified getppid)" 300

# A static errno after an instance's predicate: what that predicate matches
# is trapped, and if it continues the host gives the errno; the rest never
# leaves the kernel.
ini=$(write_ini order <<EOF2
[plugin a]
module = verdict
syscalls = getppid(arg0 == 9)
action = continue
[plugin e]
module = verdict
syscalls = getppid(arg0 >= 8)
action = errno:EACCES
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:9 $G:8 $G:100 $G:7
is "order: a continues 9, e's errno; 8 and 100 errno; 7 runs" "$(steps)" \
    ":9=EACCES :8=EACCES :100=EACCES :7=ran "
is "order: one notification (9, for a)" "$(notified getppid)" 1
is "order: a called once" "$(stat_row a | cut -d' ' -f1,2)" "1 1"
is "order: e answered once by the host (calls, errno, static)" "$(stat_row e | cut -d' ' -f1,3,9)" "1 1 1"
ini=$(write_ini order2 <<EOF2
[plugin a]
module = verdict
syscalls = getppid(arg0 == 9)
action = return:71
static = no
[plugin e]
module = verdict
syscalls = getppid
action = errno:EACCES
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:9 $G:1
is "order: an earlier predicate answers first; the rest gets the errno" "$(steps)" \
    ":9=71 :1=EACCES "
is "order: one notification" "$(notified getppid)" 1

# ---- static return: answered by the host, handle() not called ----
ini=$(write_ini sreturn <<EOF2
[plugin r]
module = verdict
syscalls = getppid(arg0 == 3)
action = return:73
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" $G:3 $G:3 $G:4
is "static return: the value" "$(steps)" ":3=73 :3=73 :4=ran "
is "static return: two notifications" "$(notified getppid)" 2
is "static return: two host answers (static 2), handle() never called (0 ms)" \
    "$(grep -E '^r ' "$TEST_TMP/stderr" | awk '{ print $2, $6, $11, $12, $13 }')" "2 2 2 0.000 0"
run_sandlock check -c "$ini"
like "static return: check says why it is trapped" "$out" \
    "getppid\\(arg0 == 0x3\\) -> return 73: trapped \\(static return: seccomp can only fail a call; the host answers\\)"

# ---- the deny rules win over predicates ----
ini=$(write_ini deny <<EOF2
[plugin see]
module = verdict
syscalls = socket(low32(arg0) == 2), clone(arg0 & 0x10000000 == 0x10000000), clone(arg0 & 0x20000 == 0x20000)
action = continue
EOF2
)
run_sandlock run --stats -c "$ini" -- "$PROBE" socket:inet:rawnb socket:inethi:raw socket:packet:dgram \
    clone:NEWUSER+NEWNS clone:NEWPID socket:inet:dgram clone: spawn
is "deny rules: raw and packet sockets and namespace clones stay EPERM under predicates; the rest runs" \
    "$(printf '%s\n' "$out" | tr '\n' ' ')" \
    "socket:inet:rawnb=-1 errno=EPERM socket:inethi:raw=-1 errno=EPERM socket:packet:dgram=-1 errno=EPERM clone:NEWUSER+NEWNS=-1 errno=EPERM clone:NEWPID=-1 errno=EPERM socket:inet:dgram=0 errno=0 clone:=0 errno=0 spawn fork=ok vfork=ok thread=ok posix_spawn=ok "
is "deny rules: the predicate's own socket call was trapped (once)" "$(notified socket)" 1
ini=$(write_ini denied <<EOF2
[plugin m]
module = verdict
syscalls = mount(arg0 == 0)
action = continue
EOF2
)
run_sandlock check -c "$ini"
is "a predicate on a deny-listed syscall: load error" "$rc" 125
like "... naming it" "$err" "syscall 'mount' is on the deny list"

done_testing
