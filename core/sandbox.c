/* sandbox.c -- see sandbox.h: a sandbox's state, its namespaces, and its end:
 * killing it, reaping its stub, waiting for the command and its exit
 * status. Starting it is launch.c. */
#include "config.h"
#include "sandbox_internal.h"
#include "log.h"
#include "proctree.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether the stub, or the adopted init, is PID 1 of a PID namespace:
 * killing it kills every process of the sandbox. */
static int has_pidns(enum sl_sandbox_mode mode)
{
    return sl_mode_own_pidns(mode) || mode == SL_SANDBOX_ADOPTED_PIDNS;
}

/* Whether the sandbox is a container the runtime started (the pidfd of
 * its init is the caller's). */
static int adopted(enum sl_sandbox_mode mode)
{
    return mode == SL_SANDBOX_ADOPTED_PIDNS || mode == SL_SANDBOX_ADOPTED;
}

/* Reaps the stub (a child without exit signal, waited for through its
 * pidfd only, see stub_launcher in launch.c) if it exited, or waits for it
 * (`nohang` 0); returns 1 when it has been reaped. */
int sl_sandbox_reap(struct sl_sandbox *sb, int nohang)
{
    siginfo_t info;
    int rc;
    memset(&info, 0, sizeof(info));
    pthread_mutex_lock(&sb->lock);
    if (sb->stub_pidfd >= 0)
        while ((rc = waitid(P_PIDFD, (id_t)sb->stub_pidfd, &info, WEXITED | __WALL | (nohang ? WNOHANG : 0))) < 0 &&
               errno == EINTR)
            ;
    else
        while ((rc = waitid(P_PID, (id_t)sb->stub, &info, WEXITED | __WALL | (nohang ? WNOHANG : 0))) < 0 &&
               errno == EINTR)
            ;
    int reaped = (rc == 0 && info.si_pid != 0) || (rc < 0 && errno == ECHILD);
    if (reaped)
        sb->stub = -1;
    pthread_mutex_unlock(&sb->lock);
    return reaped;
}

/* Without a PID namespace: freezes and kills everything below the stub
 * (a subreaper: the sandbox's orphans are its), before the stub itself.
 * Walking from the stub, not from sandlock, leaves the program's other
 * children and other sandboxes alone. Under `lock`, so that the stub is
 * not reaped (nor its pid reused) during the walk. */
static void kill_tree(struct sl_sandbox *sb)
{
    pthread_mutex_lock(&sb->lock);
    if (sb->stub > 0)
        sl_kill_descendants_of(sb->stub);
    pthread_mutex_unlock(&sb->lock);
}

/* The sandlock program's last resort without a PID namespace: a stub that
 * died before it cleaned up (the command may kill it) left its orphans to
 * sandlock, a subreaper. Only where sandlock has no other child. */
static void kill_orphans(const struct sl_sandbox *sb)
{
    if (!sb->whole_process || sb->mode != SL_SANDBOX_SUBREAPER)
        return;
    sl_kill_descendants();
    while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
        ;
}

void sl_sandbox_abort(struct sl_sandbox *sb)
{
    sl_launch_collect(sb);    /* the stub, killed below if any */
    if (sb->stub > 0) {
        if (sb->mode == SL_SANDBOX_SUBREAPER)
            kill_tree(sb);        /* the command's process, if any */
        kill(sb->stub, SIGKILL);
        sl_sandbox_reap(sb, 0);
        kill_orphans(sb);
    }
    sl_launch_release(sb);
    if (sb->parent_pidfd >= 0)
        close(sb->parent_pidfd);
    sb->parent_pidfd = -1;
    if (sb->stub_pidfd >= 0)
        close(sb->stub_pidfd);
    sl_handshake_release(sb);
    sb->stub = -1;
    sb->stub_pidfd = -1;
}

void sl_sandbox_kill(struct sl_sandbox *sb, int sig)
{
    int expected = 0;
    atomic_compare_exchange_strong(&sb->killed_signal, &expected, sig);
    switch (sb->mode) {
    case SL_SANDBOX_NOT_STARTED:
        return;
    case SL_SANDBOX_SUBREAPER:
        /* Everything of the sandbox at once, then the stub reaps the dead
         * and exits (killed, it would leave them to sandlock as zombies). */
        kill_tree(sb);
        if (sb->stub_pidfd >= 0)
            syscall(SYS_pidfd_send_signal, sb->stub_pidfd, STUB_ORPHAN_SIGNAL, NULL, 0);
        return;
    case SL_SANDBOX_PIDNS_USERNS:
    case SL_SANDBOX_PIDNS:
    case SL_SANDBOX_ADOPTED_PIDNS:   /* the namespace's init: all of it goes */
    case SL_SANDBOX_ADOPTED:         /* no process of ours: the init only */
        if (sb->stub_pidfd >= 0)
            syscall(SYS_pidfd_send_signal, sb->stub_pidfd, SIGKILL, NULL, 0);
        return;
    }
}

void sl_sandbox_adopt(struct sl_sandbox *sb, int init_pidfd, int pidns)
{
    sb->stub_pidfd = init_pidfd;
    sb->mode = init_pidfd < 0 ? SL_SANDBOX_NOT_STARTED : pidns ? SL_SANDBOX_ADOPTED_PIDNS : SL_SANDBOX_ADOPTED;
    atomic_store(&sb->killed_signal, 0);
}

int sl_sandbox_ns_pidfd(const struct sl_sandbox *sb, int *flags)
{
    if (!sb || !sl_mode_own_pidns(sb->mode) || sb->stub_pidfd < 0)
        return -1;
    *flags = SANDBOX_NAMESPACES | (sb->mode == SL_SANDBOX_PIDNS_USERNS ? CLONE_NEWUSER : 0);
    return sb->stub_pidfd;
}

int sl_sandbox_has_pidns(const struct sl_sandbox *sb)
{
    return has_pidns(sb->mode);
}

int sl_sandbox_wait_gone(const struct sl_sandbox *sb, int timeout_ms)
{
    int fd = sb->stub_pidfd;
    if (!has_pidns(sb->mode) || fd < 0)
        return -1;
    /* The stub is the namespace's init: it exits only once every other
     * process of the namespace is gone. A closed fd (POLLNVAL) means the
     * stub was already reaped. */
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int rc;
    while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    return rc == 1 ? 0 : -1;
}


static int exit_status_of(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 125;
}

int sl_sandbox_wait(struct sl_sandbox *sb, const char *command)
{
    /* The forwarded signals are blocked in this thread (sl_sandbox_prepared):
     * taken here from its signalfd while the stub's pidfd says when it ends.
     * Nothing else is waited for: the program's own children, its SIGCHLD
     * handler and other sandboxes are left alone. */
    int sfd = sb->signal_fd;
    while (!sl_sandbox_reap(sb, 1)) {
        struct pollfd p[2] = { { .fd = sb->stub_pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
        if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            break;
        struct signalfd_siginfo si;
        while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
            if (si.ssi_code <= 0 && !sl_ignored_at_start(&sb->ignored, (int)si.ssi_signo))
                syscall(SYS_pidfd_send_signal, sb->stub_pidfd, (int)si.ssi_signo, NULL, 0);
    }
    if (sfd >= 0)
        close(sfd);
    sb->signal_fd = -1;
    sl_launch_release(sb);
    /* The command is done: nothing of the sandbox may outlive it (without
     * a PID namespace the stub killed what was left before it exited). */
    kill_orphans(sb);
    int killed = atomic_load(&sb->killed_signal);
    int code;
    if (killed) {
        code = 128 + killed;
        const char *name = sigabbrev_np(killed);
        sl_log_raw("the sandbox was killed (SIG%s) by a kill verdict or an exception policy", name ? name : "?");
    } else if (atomic_load(&sb->page->cmd_done)) {
        code = exit_status_of(atomic_load(&sb->page->cmd_status));
        int e = atomic_load(&sb->page->exec_errno);
        if (e && (code == 126 || code == 127))
            sl_log_raw("%s: %s", command, e == ENOENT ? "command not found" : strerror(e));
    } else {
        int e = atomic_load(&sb->page->setup_errno);
        sl_log_raw("the sandbox ended before the command did (%s)", e ? strerror(e) : "stub killed");
        code = 125;
    }
    /* The pidfd stays open until sl_sandbox_free(): a late kill must not
     * signal whatever takes its number. */
    sl_handshake_release(sb);
    return code;
}

struct sl_sandbox *sl_sandbox_new(int whole_process)
{
    struct sl_sandbox *sb = calloc(1, sizeof(*sb));
    if (!sb)
        return NULL;
    sb->stub = -1;
    sb->stub_pidfd = -1;
    sb->parent_pidfd = -1;
    sb->signal_fd = -1;
    sb->whole_process = whole_process;
    static atomic_ulong last_id;
    sb->id = atomic_fetch_add(&last_id, 1) + 1;
    pthread_mutex_init(&sb->lock, NULL);
    return sb;
}

unsigned long sl_sandbox_id(const struct sl_sandbox *sb)
{
    return sb ? sb->id : 0;
}

void sl_sandbox_free(struct sl_sandbox *sb)
{
    if (!sb)
        return;
    if (sb->stub_pidfd >= 0 && !adopted(sb->mode))
        close(sb->stub_pidfd);
    if (sb->signal_fd >= 0)
        close(sb->signal_fd);
    sl_handshake_release(sb);
    pthread_mutex_destroy(&sb->lock);
    free(sb);
}
