/* launch.c -- starting a sandbox (sandbox.h): the stub's clone, by a
 * launcher thread when the stub shares sandlock's memory or forked
 * otherwise, and the handshake with it (the filter in, the listener out). */
#include "config.h"
#include "sandbox_internal.h"
#include "clock.h"
#include "log.h"
#include "masks.h"
#include "userns.h"
#include "startup_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* Started with fd 0, 1 or 2 closed, sandlock's own descriptors (config,
 * plugins, pidfds, the listener) would take those numbers and the command
 * would get them as its stdin/stdout/stderr. A close-on-exec /dev/null
 * holds each missing number instead: the command still finds it closed, as
 * it would without sandlock. */
__attribute__((constructor)) static void reserve_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int n = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (n >= 0 && n != fd) {
            close(n);
            break;
        }
    }
}

/* Resets the handshake fields (the BPF is written by sl_sandbox_set_filter). */
static void page_reset(struct sl_sandbox *sb)
{
    struct handshake *p = sb->page;
    atomic_store(&p->child_listener, -1);
    atomic_store(&p->listener, -1);
    atomic_store(&p->go, 0);
    atomic_store(&p->armed, 0);
    atomic_store(&p->setup_errno, 0);
    atomic_store(&p->failed_mask, 0);
    p->failed_view = NULL;
    atomic_store(&p->exec_errno, 0);
    atomic_store(&p->prepared, 0);
    atomic_store(&p->cmd_done, 0);
    atomic_store(&p->cmd_status, 0);
    atomic_store(&p->filter_len, 0);
}

/* Moves the handshake into a MAP_SHARED mapping (a forked stub's), keeping
 * what it holds. Returns 0, or -1 with a message. */
static int page_map_shared(struct sl_sandbox *sb, char *err, size_t errlen)
{
    struct handshake *p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot map the handshake page: %s", strerror(errno));
        return -1;
    }
    struct handshake *old = sb->page;
    sb->page = p;
    if (old)
        memcpy(p, old, sizeof(*p));
    else
        page_reset(sb);
    return 0;
}

void sl_handshake_release(struct sl_sandbox *sb)
{
    if (sb->page && sb->page != &sb->local_page)
        munmap(sb->page, sizeof(*sb->page));
    sb->page = NULL;
}

/* The stub's stack when it shares sandlock's memory: its own frames, the
 * command's (spawn_shared() in stub.c carves that stack from this one:
 * 128 KiB plus PATH and argv) and room for signal handlers. */
#define STUB_STACK_SIZE (1024 * 1024)

/* What every stub starts from: the page, the command and how it starts. */
static void stub_args_of(const struct sl_sandbox *sb, struct stub_args *args)
{
    args->page = sb->page;
    args->argv = sb->argv;
    args->ignored = sb->ignored;
    args->own_pgrp = sb->own_pgrp;
    args->parent_pidfd = sb->parent_pidfd;
}

STUB_CODE static int stub_entry(void *arg)
{
    sl_stub_main(arg);
}

/* One start of a stub that shares sandlock's memory. The launcher thread
 * owns it and frees it when it ends. */
struct launch {
    struct stub_args args;
    char *stack;            /* STUB_STACK_SIZE bytes, the launcher's to unmap */
    struct sl_here *here;  /* the session it starts the stub for */
    atomic_int launched;    /* pid and err are set */
    atomic_int unpark;      /* the stub is reaped: the launcher may end */
    pid_t pid;
    int err;
};

/* The launcher: a thread whose only job is to start the stub with
 * CLONE_VM and then stay parked. A process started with CLONE_VM shares
 * the thread-local storage of the thread that started it (errno, libc's
 * per-thread state); this thread never touches its own again while the
 * stub lives, so the stub (and the command's process before exec, which
 * runs while the stub is suspended) use it alone. It also keeps the
 * stub's parent-death signal armed: the kernel sends it when the thread
 * that started the stub ends, so this one ends only after the stub was
 * reaped (or with the whole of sandlock). All signals stay blocked here. */
static void *stub_launcher(void *arg)
{
    struct launch *l = arg;
    sl_here = l->here;     /* what the stub reads of its session: the masks, the view */
    sl_stub_thread_prepare();
    char *top = l->stack + STUB_STACK_SIZE;
    /* No exit signal: the stub is reaped by its pidfd only (sl_sandbox_wait),
     * unseen by the program's SIGCHLD handler and waitpid(-1). */
    sl_startup_mark("launcher clones the stub");
    pid_t pid = clone(stub_entry, top, CLONE_VM | SANDBOX_NAMESPACES, &l->args);
    sl_startup_mark("launcher: stub cloned");
    l->err = pid < 0 ? errno : 0;
    l->pid = pid;
    atomic_store(&l->launched, 1);
    sl_futex(&l->launched, FUTEX_WAKE, 1, NULL);
    while (!atomic_load(&l->unpark))
        sl_futex(&l->unpark, FUTEX_WAIT, 0, NULL);
    munmap(l->stack, STUB_STACK_SIZE);
    free(l);
    return NULL;
}

/* Lets the (detached) launcher end, once its stub is reaped or was never
 * started: the stub's exit, as PID 1, waited for every process of its
 * namespace, the command's included, so nothing runs on its stack. */
void sl_launch_release(struct sl_sandbox *sb)
{
    struct launch *l = sb->launch;
    if (!l)
        return;
    sb->launch = NULL;
    atomic_store(&l->unpark, 1);
    sl_futex(&l->unpark, FUTEX_WAKE, 1, NULL);
}

/* The fast way to start the stub (root: a PID namespace, and the command
 * started by spawn_shared() in stub.c): a clone that shares sandlock's memory, so no
 * page table is copied for it, none is torn down when it exits, and no
 * copy-on-write fault follows in either process. Only starts the
 * launcher, which clones the stub while sandlock goes on building the
 * filter; settle_stub() collects the outcome. Returns 0, or -1
 * with errno (nothing is left then). */
static int launch_shared_stub(struct sl_sandbox *sb)
{
    struct launch *l = calloc(1, sizeof(*l));
    if (!l)
        return -1;
    l->stack = mmap(NULL, STUB_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (l->stack == MAP_FAILED) {
        free(l);
        return -1;
    }
    l->here = sl_here;
    stub_args_of(sb, &l->args);
    l->args.mode = SL_SANDBOX_PIDNS;    /* (no user namespace: CAP_SYS_PTRACE) */
    l->args.shared_spawn = 1;
    pthread_attr_t attr;
    pthread_t thread;
    sigset_t all;
    sigfillset(&all);
    int rc = pthread_attr_init(&attr);
    if (!rc)
        rc = pthread_attr_setsigmask_np(&attr, &all);
    if (!rc)
        rc = pthread_attr_setstacksize(&attr, 64 * 1024);
    if (!rc)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* A new thread is queued on its creator's CPU, and this one stays busy
     * building the filter: started on another CPU, the launcher, the stub
     * and the command's process get ready meanwhile. The stub takes back
     * sandlock's CPUs before it starts the command. */
    cpu_set_t others;
    int here = sched_getcpu();
    if (!rc && here >= 0 && sched_getaffinity(0, sizeof(l->args.affinity), &l->args.affinity) == 0) {
        others = l->args.affinity;
        CPU_CLR(here, &others);
        if (CPU_COUNT(&others) > 0 && pthread_attr_setaffinity_np(&attr, sizeof(others), &others) == 0)
            l->args.restore_affinity = 1;
    }
    if (!rc)
        rc = pthread_create(&thread, &attr, stub_launcher, l);
    pthread_attr_destroy(&attr);
    if (rc) {
        munmap(l->stack, STUB_STACK_SIZE);
        free(l);
        errno = rc;
        return -1;
    }
    sb->launch = l;
    return 0;
}

/* Whether clone(CLONE_NEWPID) failed for want of a PID namespace
 * (privilege, nesting or count limits) rather than of resources. */
static int no_pid_namespace(int err)
{
    return err == EPERM || err == EINVAL || err == ENOSPC || err == EUSERS;
}

static pid_t clone_stub(enum sl_sandbox_mode *mode)
{
    int userns = sl_userns_wanted();
    /* No exit signal: see stub_launcher. */
    pid_t pid = sl_raw_clone(SANDBOX_NAMESPACES | (userns ? CLONE_NEWUSER : 0), 0);
    if (pid >= 0 || !no_pid_namespace(errno) || sl_masks_count()) {
        /* (masks need the namespaces: no fallback then) */
        *mode = userns ? SL_SANDBOX_PIDNS_USERNS : SL_SANDBOX_PIDNS;
        return pid;
    }
    sl_log(SANDLOCK_LOG_INFO, "no PID namespace (%s): descendants are tracked as a subreaper",
           strerror(errno));
    *mode = SL_SANDBOX_SUBREAPER;
    return sl_raw_clone(0, 0);
}

/* The forwarded signals sandlock was started ignoring (the stub's
 * arguments carry them). */
static void note_ignored(struct sl_sandbox *sb)
{
    sigemptyset(&sb->ignored);
    for (size_t i = 0; i < SL_NFORWARDED; i++) {
        struct sigaction old;
        if (sigaction(sl_forwarded_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            sigaddset(&sb->ignored, sl_forwarded_signals[i]);
    }
}

/* The forwarded signals, blocked in the calling thread until
 * sl_sandbox_wait() takes them from the signalfd made here, before the
 * command starts (not in the wait: the supervisor's descriptors do not
 * change while the command runs). SIGCHLD stays the program's: the stub
 * is waited for through its pidfd. Not before the plugins are ready: until
 * then a signal ends sandlock as it ends any program (and the stub, if
 * started, with it: its parent-death signal), instead of waiting for a
 * slow init. */
static void block_signals(struct sl_sandbox *sb)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < SL_NFORWARDED; i++)
        sigaddset(&set, sl_forwarded_signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (sb->signal_fd < 0)
        sb->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Whether sandlock may take an fd from a non-dumpable process of its own
 * (CAP_SYS_PTRACE in its user namespace, which owns the stub's memory). */
static int can_ptrace_nondumpable(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return 0;
    return (data[CAP_TO_INDEX(CAP_SYS_PTRACE)].effective & CAP_TO_MASK(CAP_SYS_PTRACE)) != 0;
}

/* kill(0, sig) reaches every process of the caller's process group, across
 * PID namespaces. When sandlock shares its group with its parent (a script,
 * make, CI) the sandbox gets a group of its own, so that it cannot signal
 * them. Not when sandlock leads its group (a job of an interactive shell:
 * the group is sandlock's own) or when the group is a terminal's foreground
 * (the command must keep the terminal: input, Ctrl-C, Ctrl-Z). The group
 * is the command's: the stub stays in sandlock's. */
static int wants_own_pgrp(void)
{
    if (getpgrp() == getpid())
        return 0;
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0)
        return 1;      /* no controlling terminal */
    int foreground = tcgetpgrp(tty) == getpgrp();
    close(tty);
    return !foreground;
}

/* Does sandlock itself run under a seccomp filter (Seccomp: 2)? Inside a
 * sandbox, the namespaces are refused and the listener would be too. */
static int under_seccomp_filter(void)
{
    char line[256];
    int filtered = 0;
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "Seccomp:", 8) == 0)
            filtered = atoi(line + 8) == 2;
    if (f)
        fclose(f);
    return filtered;
}

/* After the stub's clone: our copy of sandlock's own pidfd goes, and a
 * pidfd for the stub is taken. Returns 0, or -1 with a message and nothing
 * left behind. */
static int stub_started(struct sl_sandbox *sb, char *err, size_t errlen)
{
    if (sb->parent_pidfd >= 0)
        close(sb->parent_pidfd);
    sb->parent_pidfd = -1;
    if (sb->stub < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot start the sandbox%s: %s%s",
                 sl_masks_count() ? " in namespaces of its own (the plugins' masks need them)" : "", strerror(e),
                 e == EPERM && under_seccomp_filter()
                     ? " (sandlock runs under a seccomp filter already, as inside a sandlock sandbox, which "
                       "refuses new namespaces and a second listener: sandboxes cannot be nested)"
                     : "");
        sb->stub = -1;
        sl_sandbox_abort(sb);
        return -1;
    }
    if ((sb->stub_pidfd = (int)syscall(SYS_pidfd_open, sb->stub, 0)) < 0) {
        snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
        sl_sandbox_abort(sb);
        return -1;
    }
    return 0;
}

/* Starts a stub of its own memory (see clone_stub), and takes a pidfd for
 * it. Returns 0, or -1 with a message and nothing left behind. */
static int fork_stub(struct sl_sandbox *sb, char *err, size_t errlen)
{
    if (sb->page == &sb->local_page && page_map_shared(sb, err, errlen)) {
        sl_sandbox_abort(sb);
        return -1;
    }
    /* Before the clone: in a new user namespace they are unmapped. */
    uid_t uid = geteuid();
    gid_t gid = getegid();
    sl_stub_thread_prepare();
    sb->stub = clone_stub(&sb->mode);
    if (sb->stub == 0) {
        struct stub_args args = {
            .mode = sb->mode, .shared_spawn = sb->ptrace_nondumpable && sl_mode_own_pidns(sb->mode),
            .uid = uid, .gid = gid,
        };
        stub_args_of(sb, &args);
        sl_stub_main(&args);
    }
    return stub_started(sb, err, errlen);
}

/* Waits until the launcher has tried its clone; returns the stub's pid, or
 * -1 with errno. */
static pid_t launch_result(struct launch *l)
{
    while (!atomic_load(&l->launched))
        sl_futex(&l->launched, FUTEX_WAIT, 0, NULL);
    errno = l->err;
    return l->pid;
}

void sl_launch_collect(struct sl_sandbox *sb)
{
    if (sb->launch && sb->stub < 0)
        sb->stub = launch_result(sb->launch);
}

/* Waits for the launcher's clone (launch_shared_stub), when one is under
 * way; without a PID namespace for it, falls back to fork_stub(). Returns
 * 0 once the stub runs, or -1 with a message and nothing left behind. */
static int settle_stub(struct sl_sandbox *sb, char *err, size_t errlen)
{
    if (!sb->launch || sb->stub > 0)
        return 0;
    sb->stub = launch_result(sb->launch);
    if (sb->stub > 0)
        return stub_started(sb, err, errlen);
    int e = errno;
    sl_launch_release(sb);
    if (!no_pid_namespace(e)) {
        errno = e;
        return stub_started(sb, err, errlen);
    }
    return fork_stub(sb, err, errlen);
}

int sl_sandbox_set_filter(struct sl_sandbox *sb, const struct sl_filter *filter, char *err, size_t errlen)
{
    unsigned len = filter->prog.len;
    if (len == 0 || len > BPF_MAXINSNS) {
        snprintf(err, errlen, "the seccomp filter has %u instructions (at most %d)", len, BPF_MAXINSNS);
        return -1;
    }
    memcpy(sb->page->insns, filter->prog.filter, len * sizeof(struct sock_filter));
    atomic_store(&sb->page->filter_len, (int)len);       /* orders the copy before it */
    sl_futex(&sb->page->filter_len, FUTEX_WAKE, 1, NULL);
    return 0;
}

/* What a start changes in sandlock itself, before the stub's clone.
 * Returns 0, or -1 with a message and nothing left behind. */
static int start_process(struct sl_sandbox *sb, char *err, size_t errlen)
{
    /* Not dumpable: the sandbox (same uid) may not open /proc/PID/mem of
     * the supervisor, nor take its fds. */
    if (prctl(PR_SET_DUMPABLE, 0) != 0) {
        snprintf(err, errlen, "cannot make sandlock non-dumpable: %s", strerror(errno));
        sl_sandbox_abort(sb);
        return -1;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        snprintf(err, errlen, "cannot become a child subreaper: %s", strerror(errno));
        sl_sandbox_abort(sb);
        return -1;
    }
    int parent_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (parent_pidfd < 0) {
        snprintf(err, errlen, "pidfd_open: %s (sandlock needs Linux 5.6 or later)", strerror(errno));
        sl_sandbox_abort(sb);
        return -1;
    }
    note_ignored(sb);
    sb->own_pgrp = wants_own_pgrp();
    sb->parent_pidfd = parent_pidfd;
    return 0;
}

int sl_sandbox_start(struct sl_sandbox *sb, char *const argv[], char *err, size_t errlen)
{
    atomic_store(&sb->killed_signal, 0);    /* an earlier run's kill (libsandlock runs again) */
    sb->stub = -1;
    sb->argv = argv;
    sb->start_deferred = 1;
    sb->ptrace_nondumpable = can_ptrace_nondumpable();
    if (!sb->ptrace_nondumpable)
        return 0;       /* a forked stub: see sl_sandbox_prepared() */
    sb->page = &sb->local_page;
    page_reset(sb);
    if (start_process(sb, err, errlen))
        return -1;
    /* The stub shares our memory, and so sees the masks once prepared. */
    if (launch_shared_stub(sb) == 0) {
        sb->mode = SL_SANDBOX_PIDNS;
        sb->start_deferred = 0;
    }
    return 0;
}

int sl_sandbox_prepared(struct sl_sandbox *sb, char *err, size_t errlen)
{
    block_signals(sb);
    if (!sb->start_deferred) {
        atomic_store(&sb->page->prepared, 1);       /* orders the masks before it */
        sl_futex(&sb->page->prepared, FUTEX_WAKE, 1, NULL);
        return 0;
    }
    /* A stub of its own memory (no launcher thread): forked now, with the
     * masks in its copy. */
    sb->start_deferred = 0;
    if (!sb->ptrace_nondumpable && (page_map_shared(sb, err, errlen) || start_process(sb, err, errlen)))
        return -1;
    atomic_store(&sb->page->prepared, 1);
    return fork_stub(sb, err, errlen);
}

int sl_sandbox_listener(struct sl_sandbox *sb, char *err, size_t errlen)
{
    /* Wait for the listener number. The futex wake that announces it may
     * itself be intercepted, so the wait is also bounded and the page
     * re-read. */
    if (settle_stub(sb, err, errlen))
        return -1;
    const struct timespec slice = { 0, 200 * 1000 };
    int number;
    while ((number = atomic_load(&sb->page->listener)) < 0) {
        if (sl_sandbox_reap(sb, 1)) {
            int e = atomic_load(&sb->page->setup_errno);
            int mask = atomic_load(&sb->page->failed_mask);
            const char *view = sb->page->failed_view;
            if (view)
                snprintf(err, errlen, "cannot make %s of the sandbox's own (hostview: [sandlock] protect_kernel, "
                         "devices): %s", view, strerror(e ? e : ECHILD));
            else if (mask)
                snprintf(err, errlen, "cannot mask %s in the sandbox: %s", sl_mask_path_of(mask - 1),
                         strerror(e ? e : ECHILD));
            else if (e == EBUSY)
                /* The kernel allows one listener per chain of filters. */
                snprintf(err, errlen, "cannot install the seccomp filter: %s: sandlock is already running inside a "
                         "sandbox whose filter has a notification listener (sandlock's own, or another "
                         "supervisor's); sandboxes cannot be nested", strerror(e));
            else
                snprintf(err, errlen, "cannot install the seccomp filter: %s", strerror(e ? e : ECHILD));
            sb->stub = -1;
            sl_sandbox_abort(sb);
            return -1;
        }
        sl_futex(&sb->page->listener, FUTEX_WAIT, -1, &slice);
    }
    int listener = (int)syscall(SYS_pidfd_getfd, sb->stub_pidfd, number, 0);
    if (listener < 0) {
        snprintf(err, errlen, "pidfd_getfd: cannot take the seccomp listener: %s", strerror(errno));
        sl_sandbox_abort(sb);
        return -1;
    }
    return listener;
}

void sl_sandbox_release(struct sl_sandbox *sb)
{
    atomic_store(&sb->page->go, 1);
    sl_futex(&sb->page->go, FUTEX_WAKE, 1, NULL);    /* the stub (it then arms the command) */
}
