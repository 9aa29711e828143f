#!/usr/bin/env bash
# Listener handoff (§3): Continue for every syscall the stub and the command
# make between the filter and exec, and after: the command still completes.
. "$top_srcdir/tests/integration/common.sh"
log=$TEST_TMP/calls

all="write, read, close, close_range, sendmsg, recvmsg, execve, execveat, prctl, rt_sigaction, rt_sigprocmask,
 rt_sigreturn, fcntl, dup, dup2, dup3, openat, open, mmap, munmap, mprotect, brk, futex, wait4, waitid, clone, clone3,
 fork, vfork, exit, exit_group, set_robust_list, rseq, arch_prctl, set_tid_address, getpid, gettid, getppid,
 newfstatat, fstat, statx, pread64, access, faccessat2, getrandom, prlimit64, kill, tgkill, poll, ppoll, ioctl,
 lseek, getdents64, readlink, pipe2, getuid, geteuid, getgid, getegid, sched_getaffinity, madvise, nanosleep,
 clock_nanosleep, uname, sysinfo, pidfd_open, seccomp"
ini=$(write_ini handoff <<EOF2
[plugin everything]
module = $FIXTURE
$(printf '%s\n' "$all" | sed 's/^ */syscalls = /')
mode = continue
log = $log
tag = all
[plugin one]
module = verdict
syscalls = getppid
action = return:1
EOF2
)
printf 'line one\nline two\n' > "$TEST_TMP/input"
run_sandlock run -c "$ini" -- sh -c "cat '$TEST_TMP/input' | sort -r; echo done >&2; exit 7"
is "handoff: the command's output is complete and correct" "$out" "line two
line one"
is "handoff: stderr is the command's" "$err" "done"
is "handoff: exit status is the command's" "$rc" 7
for sc in futex close execve write read wait4 exit_group; do
    like "handoff: $sc was intercepted (and continued)" "$(cat "$log")" "^all $sc$"
done

run_sandlock run -c "$ini" -- "$PROBE" fds getppid threads:4:50:1
is "handoff: the probe sees only fds 0-2 with everything intercepted" "$(printf '%s\n' "$out" | head -1)" "fds=0,1,2"
like "handoff: threads are created and joined" "$out" "threads ok=200 bad=0"

# The same with four workers.
sed -i '1i [sandlock]\nworkers = 4' "$ini"
run_sandlock run -c "$ini" -- sh -c "cat '$TEST_TMP/input' | sort; exit 3"
is "handoff, workers = 4: output" "$out" "line one
line two"
is "handoff, workers = 4: exit status" "$rc" 3

done_testing
