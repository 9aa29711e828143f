/* stub.c -- see stub.h: the code that runs in the sandbox's stub and in the
 * command's process before exec. Everything here is STUB_CODE (see
 * stubcode.h): it allocates nothing and takes no lock, since the stub may
 * share sandlock's memory, whose other threads may hold malloc's locks,
 * and calls only what is safe in a child cloned from a threaded process. */
#include "config.h"
#include "stub.h"
#include "clock.h"
#include "hostview.h"
#include "masks.h"
#include "proctree.h"
#include "userns.h"
#include "startup_trace.h"

#include <alloca.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const int sl_forwarded_signals[SL_NFORWARDED] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* The command's pid, for the stub's signal handlers. Thread-local: a stub
 * that shares sandlock's memory runs with the thread-local storage of the
 * thread that started it (one launcher per sandbox, see stub_launcher in
 * launch.c), so concurrent sandboxes each have their own; a forked stub
 * has its copy. Touched by that thread before the clone
 * (sl_stub_thread_prepare), so that no access of the stub allocates it. */
static __thread volatile pid_t stub_command;

void sl_stub_thread_prepare(void)
{
    stub_command = 0;
}

STUB_CODE static void stub_forward(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    /* Forward only signals sent by a process (sandlock's forwarding, or a
     * kill from outside); terminal-generated ones already reached the
     * command's process group directly. */
    if (info->si_code <= 0 && stub_command > 0)
        kill(stub_command, sig);
}

/* Without a PID namespace the kernel does not end the sandbox when the stub
 * dies, so the stub adopts the sandbox's orphans (child subreaper) and gets
 * STUB_ORPHAN_SIGNAL instead of SIGKILL when sandlock dies, or from
 * sandlock to end the sandbox. Only the kernel's parent-death signal counts
 * (sent in sandlock's name); the command cannot fake it. */
static volatile sig_atomic_t stub_orphaned;
static pid_t stub_parent;

STUB_CODE static void stub_on_parent_death(int sig, siginfo_t *info, void *uctx)
{
    (void)sig;
    (void)uctx;
    if (info->si_pid != stub_parent)
        return;
    stub_orphaned = 1;
    if (stub_command > 0)
        kill(stub_command, SIGKILL);    /* wakes the waitpid() loop */
}

/* Without a PID namespace: kills and reaps what is left below the stub
 * (none is left to sandlock, a subreaper, or to init). Without children
 * files in /proc the leftovers go to sandlock when the stub exits. */
STUB_CODE static void stub_end_tree(void)
{
    sl_kill_descendants_walk(getpid());
    while (waitpid(-1, NULL, __WALL) > 0)
        ;
}

STUB_CODE static void __attribute__((noreturn)) stub_orphan_exit(void)
{
    if (stub_command > 0)
        kill(stub_command, SIGKILL);
    stub_end_tree();
    _exit(125);
}

/* Waits until `word` is non-zero and returns it: first polling, yielding
 * the CPU each time, for up to `poll_ns`, then asleep. A short wait on the
 * start-up's critical path is better polled: waking a sleeper costs more
 * than the rest of the wait, most of all on a virtual machine, whose idle
 * CPUs are halted. A long one is better slept: the poll takes a CPU from
 * whatever else runs. Whoever stores into `word` also wakes it. */
STUB_CODE static int await_set(atomic_int *word, long poll_ns)
{
    int value;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!(value = atomic_load(word))) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > poll_ns)
            break;
        sched_yield();
    }
    while (!(value = atomic_load(word)))
        sl_futex(word, FUTEX_WAIT, 0, NULL);
    return value;
}

/* The sandbox's own view of the system, made by the stub (PID 1 of the
 * sandbox's PID namespace, in a mount namespace cloned with it): its mounts
 * become slaves of the host's (host mounts still appear, nothing made here
 * goes back), and /proc is a new procfs of the sandbox's PID namespace. Its
 * processes see one another only: they cannot name sandlock or any other
 * process outside, neither themselves nor through a plugin that opens a
 * path on their behalf (paths are resolved in the child's root and mount
 * namespace), and /proc/PID means what the kernel would make of it for
 * them. The plugins' masks are mounted first. Every way to change mounts
 * stays on the deny list. Returns 0 or -1 with errno (and the failed mask
 * in the page). */
STUB_CODE static int stub_own_view(struct handshake *page)
{
    const char *view_failed = NULL;
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
        return -1;
    /* The minimal /dev (hostview.h) first: a plugin's mask of a device
     * then fails instead of being covered. */
    sl_startup_mark("stub: mounts slave");
    if (sl_hostview_devices(&view_failed) != 0)
        goto view_failed;
    sl_startup_mark("stub: /dev made");
    /* The plugins' masks (masks.h), before /proc: nothing runs unmasked.
     * A stub that shares sandlock's memory was started while the plugins
     * load: their masks are complete once the supervisor says so. */
    /* Asleep: a stub that polls here runs on the other CPU in sandlock's
     * memory, where every mapping the loading plugins change costs both
     * CPUs a TLB flush (measured: the default configuration's start 0.2 ms
     * slower than with this sleep and its wake-up). */
    await_set(&page->prepared, 0);
    sl_startup_mark("stub: masks prepared");
    int failed = sl_masks_apply();
    if (failed) {
        atomic_store(&page->failed_mask, failed);
        return -1;
    }
    sl_startup_mark("stub: masks applied");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return -1;
    sl_startup_mark("stub: /proc mounted");
    if (sl_hostview_kernel(&view_failed) == 0)
        return 0;
view_failed:
    page->failed_view = view_failed;
    return -1;
}

/* Does some $PATH entry hold `name` at all? execvp() reports EACCES when a
 * PATH directory cannot be searched even if the command exists nowhere. */
STUB_CODE static int found_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/bin:/usr/bin";
    char buf[4096];
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len + strlen(name) + 2 <= sizeof(buf)) {
            if (len)
                snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, name);
            else
                snprintf(buf, sizeof(buf), "%s", name);
            if (access(buf, F_OK) == 0)
                return 1;
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return 0;
}

STUB_CODE static void __attribute__((noreturn)) stub_fail(struct handshake *page, int err)
{
    atomic_store(&page->setup_errno, err ? err : EIO);
    _exit(125);
}

STUB_CODE pid_t sl_raw_clone(unsigned long flags, int exit_signal)
{
    /* Flags first on every architecture sandlock builds for (argdeny.c);
     * the order of the last three differs (x86_64: parent_tid, child_tid,
     * tls; arm64: parent_tid, tls, child_tid, as glibc passes them) but
     * all are 0 here: no CLONE_*SETTID, no CLONE_SETTLS, no new stack. */
    return (pid_t)syscall(SYS_clone, flags | (unsigned long)exit_signal, NULL, NULL, NULL, 0);
}

/* What the command's process needs before exec (see command_main). */
struct command_args {
    const struct stub_args *stub;
    int shared_mm;    /* runs in the stub's memory and fd table (spawn_shared) */
};

/* Capabilities whose every use is a change of the host the deny list
 * refuses by system call, left in the kernel behind other doors (the
 * reasons are in sandlock.ini(5), THE DENY LIST). ptrace is denied, and
 * without CAP_SYS_PTRACE a root command cannot reach the supervisor's
 * memory through /proc/PID/mem either (sandlock and the stub are not
 * dumpable); CAP_NET_ADMIN reconfigures the host's network (routes,
 * addresses, the firewall's address translation: around netguard's
 * rules) through netlink and ioctl. */
static const int dropped_capabilities[] = {
    CAP_SYS_PTRACE, CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_TIME,
    CAP_AUDIT_CONTROL, CAP_MAC_ADMIN, CAP_MAC_OVERRIDE, CAP_SYSLOG, CAP_MKNOD, CAP_WAKE_ALARM,
    CAP_BLOCK_SUSPEND, CAP_BPF, CAP_PERFMON,
};

/* The command's process, from its creation to exec: sandlock's code, run
 * before anything of the command. It resets what the stub changed, installs
 * the filter and publishes the listener's number (a memory store: no
 * syscall a plugin could intercept), then waits until the listener has
 * changed hands before it execs. Sharing the stub's memory (shared_mm) it
 * writes nothing but its own stack, the shared page and errno (the stub,
 * suspended, reads none of them before it runs again), and does not close
 * the listener: it is close-on-exec, and the stub closes its table's entry
 * once it runs again. */
STUB_CODE static int __attribute__((noreturn)) command_main(void *arg)
{
    const struct command_args *a = arg;
    const struct stub_args *stub = a->stub;
    struct handshake *page = stub->page;
    sl_startup_mark("command process runs");
    sigset_t none;
    sigemptyset(&none);
    signal(SIGPIPE, SIG_DFL);
    signal(STUB_ORPHAN_SIGNAL, SIG_DFL);
    for (size_t i = 0; i < SL_NFORWARDED; i++)
        if (!sl_ignored_at_start(&stub->ignored, sl_forwarded_signals[i]))
            signal(sl_forwarded_signals[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (stub->own_pgrp)
        setpgid(0, 0);    /* the stub stays out of reach of kill(0) */
    /* The capabilities a root command loses at exec (see
     * dropped_capabilities). Fails harmlessly for an unprivileged user,
     * who has none of them anyway, and for one this kernel lacks. */
    for (size_t i = 0; i < sizeof(dropped_capabilities) / sizeof(dropped_capabilities[0]); i++)
        prctl(PR_CAPBSET_DROP, dropped_capabilities[i], 0, 0, 0);
    /* The supervisor builds the filter while we start: wait for it (it
     * kills the sandbox instead if it cannot). */
    sl_startup_mark("command: waits for the filter");
    int len = await_set(&page->filter_len, 2000000L);   /* started after the masks: short */
    const struct sl_filter filter = { .prog = { .len = (unsigned short)len, .filter = page->insns } };
    sl_startup_mark("command: filter there");
    int listener = sl_filter_install(&filter);
    sl_startup_mark("command: filter installed");
    if (listener < 0) {
        atomic_store(&page->setup_errno, -listener);
        _exit(125);
    }
    /* From here on any syscall may be trapped. A wake-up saves the waiter
     * the rest of its poll slice; if a plugin intercepts futex it waits
     * for the supervisor, and the bounded waits find the number anyway. */
    if (a->shared_mm) {
        /* Our fd table is the stub's: the supervisor takes the listener
         * from there. exec gives us a table of our own without it (close-
         * on-exec) while the stub keeps its entry until the supervisor
         * holds a copy (go), so we need not wait: a notified call of the
         * command waits in the kernel until a worker receives it. */
        atomic_store(&page->listener, listener);
        sl_futex(&page->listener, FUTEX_WAKE, 1, NULL);
    } else {
        /* The stub takes the fd from our table and hands it on. */
        atomic_store(&page->child_listener, listener);
        sl_futex(&page->child_listener, FUTEX_WAKE, 1, NULL);
        while (!atomic_load(&page->armed))
            sl_futex(&page->armed, FUTEX_WAIT, 0, NULL);
        close(listener);
    }
    char *const *argv = stub->argv;
    execvp(argv[0], argv);
    int e = errno;
    if (e == EACCES && !strchr(argv[0], '/') && !found_in_path(argv[0]))
        e = ENOENT;    /* an unreadable PATH entry, not the command */
    atomic_store(&page->exec_errno, e ? e : ENOEXEC);
    _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

/* The fast way to start the command (with a PID namespace, when sandlock
 * may take an fd from a non-dumpable process): a vfork-like clone that
 * shares the stub's memory and fd table, so no page table is copied and
 * the listener lands directly in the stub's table, where the supervisor
 * takes it. The stub stays suspended until the command execs or exits,
 * and stays non-dumpable all along: there is no window in which the
 * command could reach it. If sandlock dies meanwhile, the kernel's SIGKILL
 * (parent-death signal) ends the suspended stub and so the namespace.
 * The command runs on a stack carved from this function's frame (below it
 * the stub waits in clone(), so it is sized for execvp()'s copies); when
 * clone() returns the command has exec'd or exited and the memory is free
 * again. Returns the command's pid, or -1. */
STUB_CODE static pid_t spawn_shared(struct command_args *a)
{
    /* execvp() keeps a copy of PATH and, for a script, of argv on the stack. */
    size_t argc = 0;
    char *const *argv = a->stub->argv;
    while (argv[argc])
        argc++;
    const char *path = getenv("PATH");
    size_t size = 128 * 1024 + (argc + 3) * sizeof(char *) + (path ? strlen(path) : 0) +
                  strlen(argv[0]);
    char *stack = alloca(size);
    char *top = (char *)(((uintptr_t)stack + size) & ~(uintptr_t)15);
    return clone(command_main, top, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, a);
}

STUB_CODE void __attribute__((noreturn)) sl_stub_main(const struct stub_args *args)
{
    struct handshake *page = args->page;
    sl_startup_mark("stub runs");
    int death_signal = SIGKILL;
    const int shared_spawn = args->shared_spawn;    /* see spawn_shared() */
    if (args->mode == SL_SANDBOX_SUBREAPER) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = stub_on_parent_death;
        sa.sa_flags = SA_SIGINFO;    /* no SA_RESTART: interrupts waits */
        sigemptyset(&sa.sa_mask);
        stub_parent = getppid();
        if (sigaction(STUB_ORPHAN_SIGNAL, &sa, NULL) != 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
            stub_fail(page, errno);
        death_signal = STUB_ORPHAN_SIGNAL;
    }
    if (prctl(PR_SET_PDEATHSIG, death_signal) != 0)
        stub_fail(page, errno);
    if (args->restore_affinity &&
        sched_setaffinity(0, sizeof(args->affinity), &args->affinity) != 0)
        stub_fail(page, errno);
    /* Dumpable while the listener changes hands (pidfd_getfd needs it,
     * and only our own code runs in the sandbox until go) -- unless the
     * supervisor can take it from a non-dumpable process anyway. */
    if (!shared_spawn)
        prctl(PR_SET_DUMPABLE, 1);
    struct pollfd pfd = { .fd = args->parent_pidfd, .events = POLLIN };
    if (poll(&pfd, 1, 0) != 0)      /* sandlock already died */
        _exit(125);
    /* In a user namespace of its own the stub maps sandlock's user and
     * group first: nothing (not even a file) can be made before. */
    if (args->mode == SL_SANDBOX_PIDNS_USERNS && sl_userns_map_self(args->uid, args->gid) != 0)
        stub_fail(page, errno);
    if (sl_mode_own_pidns(args->mode) && stub_own_view(page) != 0)
        stub_fail(page, errno);
    sl_startup_mark("stub: own view done");
    /* The sandbox sees only fds 0, 1 and 2. */
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
        stub_fail(page, errno);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = stub_forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < SL_NFORWARDED; i++)
        if (!sl_ignored_at_start(&args->ignored, sl_forwarded_signals[i]))
            sigaction(sl_forwarded_signals[i], &sa, NULL);
    sigset_t none;
    sigemptyset(&none);

    /* The filter goes on the command's process only: the stub itself stays
     * unfiltered, so that waiting, forwarding signals and killing what is
     * left never depend on a plugin or on the supervisor being alive. */
    struct command_args cmd_args = { .stub = args, .shared_mm = shared_spawn };
    int status;
    pid_t cmd;
    if (shared_spawn) {
        cmd = spawn_shared(&cmd_args);
        if (cmd < 0)
            stub_fail(page, errno);
        stub_command = cmd;
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* The command has exec'd (or died). Our table's listener is the
         * only one until the supervisor took its copy: drop it then. */
        int number = atomic_load(&page->listener);
        if (number >= 0) {
            while (!atomic_load(&page->go))
                sl_futex(&page->go, FUTEX_WAIT, 0, NULL);
            close(number);
        }
    } else {
        cmd = sl_raw_clone(0, SIGCHLD);     /* not fork(): see sl_raw_clone */
        if (cmd < 0)
            stub_fail(page, errno);
        if (cmd == 0)
            command_main(&cmd_args);
        stub_command = cmd;
        sigprocmask(SIG_SETMASK, &none, NULL);

        /* Take the listener from the command's process (no help from it: it
         * may be trapped in anything), hand our copy to the supervisor, and
         * drop it once the supervisor holds its own. */
        const struct timespec slice = { 0, 200 * 1000 };
        int number;
        while ((number = atomic_load(&page->child_listener)) < 0) {
            if (stub_orphaned)
                stub_orphan_exit();
            if (waitpid(cmd, &status, WNOHANG) == cmd) {
                if (!atomic_load(&page->setup_errno))
                    atomic_store(&page->setup_errno, ECHILD);
                _exit(125);
            }
            sl_futex(&page->child_listener, FUTEX_WAIT, -1, &slice);
        }
        int cmd_pidfd = (int)syscall(SYS_pidfd_open, cmd, 0);
        int listener = cmd_pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, cmd_pidfd, number, 0);
        int e = errno;
        if (cmd_pidfd >= 0)
            close(cmd_pidfd);
        if (listener < 0) {
            kill(cmd, SIGKILL);
            stub_fail(page, e);
        }
        atomic_store(&page->listener, listener);
        sl_futex(&page->listener, FUTEX_WAKE, 1, NULL);
        while (!atomic_load(&page->go)) {
            if (stub_orphaned)
                stub_orphan_exit();
            sl_futex(&page->go, FUTEX_WAIT, 0, NULL);
        }
        close(listener);
        /* Before the command runs, the stub (unfiltered) gets out of its reach:
         * /proc/PID/mem of a same-uid, dumpable process. */
        prctl(PR_SET_DUMPABLE, 0);
        atomic_store(&page->armed, 1);
        sl_futex(&page->armed, FUTEX_WAKE, 1, NULL);
    }

    for (;;) {
        if (stub_orphaned)
            stub_orphan_exit();
        pid_t w = waitpid(-1, &status, 0);
        if (stub_orphaned)
            stub_orphan_exit();
        if (w == cmd) {
            sl_startup_mark("stub: command exited");
            /* A command that died before it published the listener is a
             * set-up failure (the supervisor still waits for it). */
            if (atomic_load(&page->listener) < 0) {
                if (!atomic_load(&page->setup_errno))
                    atomic_store(&page->setup_errno, ECHILD);
                _exit(125);
            }
            atomic_store(&page->cmd_status, status);
            atomic_store(&page->cmd_done, 1);
            /* Without a PID namespace, what the command left (our
             * descendants: we are a subreaper) is killed and reaped here,
             * so that nothing of the sandbox outlives the stub. */
            if (args->mode == SL_SANDBOX_SUBREAPER)
                stub_end_tree();
            _exit(0);
        }
        if (w < 0 && errno != EINTR)
            _exit(125);
    }
}
