#!/usr/bin/env bash
# The filter: foreign architecture, deny list, deny =, claims on denied calls.
. "$top_srcdir/tests/integration/common.sh"

# i386 int 0x80 never falls through to allow: the process is killed (SIGSYS).
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" hostpid int80
is "int 0x80 getpid: killed by SIGSYS (159)" "$rc" 159
unlike "int 0x80 getpid: never returned to the probe" "$out" "int80="
ini=$(write_ini int80 <<EOF2
[plugin p]
module = verdict
syscalls = getpid, getppid
action = return:1
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" int80
is "int 0x80 with notified syscalls: still killed (159)" "$rc" 159

# x32 numbers (0x40000000 | nr) never fall through to allow either.
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" x32
is "x32 getpid: killed by SIGSYS (159)" "$rc" 159
unlike "x32 getpid: never returned" "$out" "x32="

# The built-in deny list: EPERM.
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" unshare mount ptrace
is "deny list: unshare, mount, ptrace fail with EPERM" "$out" "unshare=-1 errno=EPERM
mount=-1 errno=EPERM
ptrace=-1 errno=EPERM"
# The host's hostname and domain name (no UTS namespace: a root command
# would rename the host), quotactl_fd (quotactl's sibling). Arguments the
# kernel refuses (a name too long, fd -1) keep a root run harmless (x86_64
# numbers: 170, 171, 443).
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" nr:170:0:100000 nr:171:0:100000 nr:443:-1
is "deny list: sethostname, setdomainname, quotactl_fd fail with EPERM" "$(printf '%s\n' "$out" | sed 's/^nr:[^=]*=//')" \
    "-1 errno=EPERM
-1 errno=EPERM
-1 errno=EPERM"
is "deny list: the command goes on (status 0)" "$rc" 0

# io_uring performs opens, reads, connects... that never pass through
# seccomp (every plugin's rule would be bypassed): its three calls are denied.
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" iouring
is "io_uring_setup, io_uring_enter, io_uring_register: EPERM" "$out" "io_uring_setup=-1 errno=EPERM
io_uring_enter=-1 errno=EPERM
io_uring_register=-1 errno=EPERM"

# Syscalls newer than sandlock knows (457 statmount and up; 463-469 are the
# *xattrat family, open_tree_attr, file_getattr/file_setattr): ENOSYS, so a
# libc falls back to the older call that the deny list and plugins do know.
steps="" want=""
for nr in 457 458 462 463 464 465 466 467 468 469 470 500 1000; do
    steps="$steps nr:$nr"
    want="$want${want:+
}nr:$nr=-1 errno=ENOSYS"
done
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" $steps
is "syscall numbers above the newest sandlock knows (457..470, 500, 1000): ENOSYS" "$out" "$want"
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" nr:456 nr:452 getppid
like "the newest known numbers still reach the kernel (futex_requeue, fchmodat2)" "$(printf '%s\n' "$out" | tr '\n' ' ')" \
    "^nr:456=-1 errno=E(INVAL|FAULT) nr:452=-1 errno=E(BADF|FAULT|NOENT) getppid=[0-9]+ errno=0 $"
# i386 calls (new numbers included) are still killed, never answered.
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" int80:425
is "int 0x80 io_uring_setup (425): killed by SIGSYS (159)" "$rc" 159
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" int80:467
is "int 0x80 open_tree_attr (467): killed by SIGSYS (159)" "$rc" 159

# clone with a namespace flag is unshare by another name: EPERM, each flag
# alone (root may make any of them) and NEWUSER+NEWNS (nobody may). clone3
# hides its flags in memory the filter cannot read: ENOSYS, libc falls back.
steps="" want=""
for f in NEWNS NEWUSER NEWPID NEWNET NEWUTS NEWIPC NEWCGROUP NEWUSER+NEWNS; do
    steps="$steps clone:$f"
    want="$want${want:+
}clone:$f=-1 errno=EPERM"
done
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" $steps clone3: clone3:NEWUSER+NEWNS
is "clone with any CLONE_NEW* flag: EPERM; clone3: ENOSYS" "$out" "$want
clone3:=-1 errno=ENOSYS
clone3:NEWUSER+NEWNS=-1 errno=ENOSYS"
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" clone: spawn
is "plain clone, fork, vfork, threads and posix_spawn still work" "$out" "clone:=0 errno=0
spawn fork=ok vfork=ok thread=ok posix_spawn=ok"

# fanotify hands out fds of files it watches (opened by the kernel).
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" fanotify
is "fanotify_init: EPERM" "$out" "fanotify_init=-1 errno=EPERM"

# Raw IP and packet sockets write their own headers (addresses no plugin
# checks): EPERM, whatever flags are or-ed into the type or set above the
# 32 bits the kernel reads of the domain; ordinary sockets work.
run_sandlock run -c "$EMPTY_INI" -- "$PROBE" socket:inet:raw socket:inet:rawnb socket:inet6:raw \
    socket:inethi:raw socket:packet:raw socket:packet:dgram socket:inet:packet socket:inet:dgram socket:inet6:stream
is "raw IP and AF_PACKET sockets: EPERM; UDP and TCP sockets: created" "$out" "socket:inet:raw=-1 errno=EPERM
socket:inet:rawnb=-1 errno=EPERM
socket:inet6:raw=-1 errno=EPERM
socket:inethi:raw=-1 errno=EPERM
socket:packet:raw=-1 errno=EPERM
socket:packet:dgram=-1 errno=EPERM
socket:inet:packet=-1 errno=EPERM
socket:inet:dgram=0 errno=0
socket:inet6:stream=0 errno=0"

# /dev/userfaultfd's USERFAULTFD_IOC_NEW is userfaultfd(2) by another door.
# On /dev/null the kernel would say ENOTTY. (The host's /dev: the minimal one
# has no /dev/userfaultfd at all, see hostview.sh.)
run_sandlock run -c "$EMPTY_INI" --set sandlock.devices=host -- "$PROBE" uffd
like "ioctl(USERFAULTFD_IOC_NEW): EPERM" "$(printf '%s\n' "$out" | tr '\n' ' ')" \
    "^uffd_ioc_new:null=-1 errno=EPERM uffd_ioc_new:dev=(-1 errno=EPERM|open errno=EACCES) $"

# A plugin that intercepts ioctl, clone, clone3 or socket (and answers
# Continue) does not undo these argument rules: the supervisor applies them
# before the chain.
ini=$(write_ini argrules <<EOF2
[plugin see-all]
module = verdict
syscalls = ioctl, clone, clone3, socket
action = continue
EOF2
)
run_sandlock run --stats -c "$ini" --set sandlock.devices=host -- "$PROBE" uffd clone:NEWUSER+NEWNS clone:NEWPID clone3: socket:inet:rawnb \
    socket:inethi:raw socket:packet:dgram socket:inet:dgram clone: spawn
like "intercepted by a Continue plugin: the argument rules still hold, other calls run" \
    "$(printf '%s\n' "$out" | tr '\n' ' ')" \
    "^uffd_ioc_new:null=-1 errno=EPERM uffd_ioc_new:dev=(-1 errno=EPERM|open errno=EACCES) clone:NEWUSER\+NEWNS=-1 errno=EPERM clone:NEWPID=-1 errno=EPERM clone3:=-1 errno=ENOSYS socket:inet:rawnb=-1 errno=EPERM socket:inethi:raw=-1 errno=EPERM socket:packet:dgram=-1 errno=EPERM socket:inet:dgram=0 errno=0 clone:=0 errno=0 spawn fork=ok vfork=ok thread=ok posix_spawn=ok $"
like "intercepted: the plugin saw the allowed calls" "$err" "see-all +[1-9][0-9]* "

# deny = NAME adds to it.
ini=$(write_ini deny <<EOF2
[sandlock]
deny = getppid
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid uname
is "deny = getppid: EPERM, other calls untouched" "$out" "getppid=-1 errno=EPERM
uname=0 errno=0"

# default_deny = no removes the built-in list (the kernel decides).
ini=$(write_ini nodeny <<EOF2
[sandlock]
default_deny = no
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" ptrace
is "default_deny = no: ptrace(TRACEME) reaches the kernel" "$out" "ptrace=0 errno=0"
run_sandlock run -c "$ini" -- "$PROBE" nr:1000 nr:467 socket:inet:dgram clone3:
like "default_deny = no: new and unknown numbers and clone3 reach the kernel" "$(printf '%s\n' "$out" | tr '\n' ' ')" \
    "^nr:1000=-1 errno=ENOSYS nr:467=-1 errno=E(BADF|FAULT|INVAL|NOENT) socket:inet:dgram=0 errno=0 clone3:=0 errno=0 $"

# A plugin may not claim a denied syscall: 125 with a clear message.
ini=$(write_ini claim <<EOF2
[plugin sneaky]
module = verdict
syscalls = mount
action = continue
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "a plugin claiming mount: sandlock exits 125" "$rc" 125
like "a plugin claiming mount: the message names the syscall and the deny list" "$err" "mount.*deny list"
is "a plugin claiming mount: the command never ran" "$out" ""
ini=$(write_ini claim2 <<EOF2
[sandlock]
deny = uname
[plugin sneaky]
module = verdict
syscalls = uname
action = continue
EOF2
)
run_sandlock run -c "$ini" -- "$PROBE" getppid
is "a plugin claiming a deny = syscall: 125" "$rc" 125

# The sandbox cannot reach the supervisor's or the stub's memory through
# /proc/PID/mem (both are not dumpable; a root command has no CAP_SYS_PTRACE).
got=$(sh -c 'exec "$0" run -c "$1" -- "$2" pokemem:$$ pokemem:parent' "$SANDLOCK" "$EMPTY_INI" "$PROBE" 2>&1)
# (With the sandbox's own /proc, sandlock's pid names nothing: ENOENT.)
like "/proc/<sandlock>/mem and /proc/<stub>/mem cannot be opened for writing" "$(printf '%s\n' "$got" | grep pokemem | tr '\n' ' ')" "^pokemem=-1 errno=E(PERM|ACCES|NOENT) pokemem=-1 errno=E(PERM|ACCES) $"
like "the supervisor's and the stub's fds (the listener) cannot be opened" "$(printf '%s\n' "$got" | grep pokefd | tr '\n' ' ')" "^pokefd=[A-Za-z]+ opened=0 pokefd=[A-Za-z]+ opened=0 $"
# The sandbox's own /proc (PID namespace): sandlock's pid names nothing there,
# also when a plugin opens the path on the command's behalf (fsdeny in the
# default configuration); the command's own pid, as getpid() gives it, does.
got=$(sh -c 'exec "$0" run -c "$1" -- sh -c "
    head -1 /proc/$$/status 2>&1 | sed s/.*:/status:/; test -d /proc/\$\$ && echo own-pid-visible
    ls /proc | grep -c ^[0-9]" ' "$SANDLOCK" "$top_srcdir/examples/sandlock.ini" 2>/dev/null)
if [ "$(run_sandlock run -c "$EMPTY_INI" -- "$PROBE" getppid; echo "$out")" = "getppid=1 errno=0" ]; then
    is "own /proc: sandlock's pid names nothing, the command's own does, few processes are listed" \
        "$(printf '%s\n' "$got" | head -2 | tr '\n' ' ')" "status: No such file or directory own-pid-visible "
    procs=$(printf '%s\n' "$got" | tail -1)
    [ "${procs:-99}" -le 4 ] && pass "own /proc lists only the sandbox's processes ($procs)" \
        || fail "own /proc lists only the sandbox's processes" "$got"
else
    skip "own /proc: sandlock's pid names nothing" "no PID namespace for this user"
    skip "own /proc lists only the sandbox's processes" "no PID namespace for this user"
fi
run_sandlock run -c "$EMPTY_INI" -- grep CapEff /proc/self/status
mask=$(printf '%s' "$out" | awk '{ print $2 }')
if [ -n "$mask" ] && [ $(( 0x$mask >> 19 & 1 )) -eq 0 ]; then pass "the command has no CAP_SYS_PTRACE"
else fail "the command has no CAP_SYS_PTRACE" "$out"; fi

# no_new_privs is set for the command.
run_sandlock run -c "$EMPTY_INI" -- grep NoNewPrivs /proc/self/status
like "no_new_privs is set in the command" "$out" "NoNewPrivs:[[:space:]]*1"
run_sandlock run -c "$EMPTY_INI" -- grep Seccomp: /proc/self/status
like "the command runs under a seccomp filter" "$out" "Seccomp:[[:space:]]*2"

done_testing
