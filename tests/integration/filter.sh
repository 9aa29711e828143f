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
is "deny list: the command goes on (status 0)" "$rc" 0

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
