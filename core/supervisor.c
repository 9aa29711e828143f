/* supervisor.c -- worker threads: receive a notification, run its chain,
 * answer. The hot path makes exactly the protocol's two ioctls (RECV and
 * SEND or ADDFD): no allocation, no lock, no other syscall. */
#include "config.h"
#include "supervisor.h"
#include "sockcall.h"
#include "defer.h"
#include "denial.h"
#include "fault.h"
#include "log.h"
#include "respond.h"
#include "sandbox.h"
#include "seccomp_ioctl.h"
#include "values.h"
#include "vobject.h"
#include "vopen.h"

#include "clock.h"
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The supervisor the calling worker serves. */
static __thread struct sl_supervisor *serving;

struct worker_start {
    struct sl_supervisor *sup;
    size_t slot;
};

static void on_wakeup(int sig)
{
    (void)sig;
}

static const char *verdict_text(const struct sl_answer *a, char *buf, size_t len)
{
    const char *name;
    switch (a->verdict) {
    case SANDLOCK_VERDICT_CONTINUE: return "continue";
    case SANDLOCK_VERDICT_ERRNO:
        name = sl_errno_name(a->error);
        if (name)
            snprintf(buf, len, "errno %s", name);
        else
            snprintf(buf, len, "errno %d", a->error);
        return buf;
    case SANDLOCK_VERDICT_RETURN:
        snprintf(buf, len, "return %lld", (long long)a->value);
        return buf;
    case SANDLOCK_VERDICT_KILL:
        name = sl_signal_name(a->signal);
        snprintf(buf, len, "kill %s", name ? name : "?");
        return buf;
    case SANDLOCK_VERDICT_FD: return "fd";
    case SANDLOCK_VERDICT_DEFER: return "deferred";
    }
    return "?";
}

static void trace(const struct seccomp_notif *req, sandlock_handle h, const char *name, const struct sl_answer *a)
{
    char buf[64];
    int denied = sl_denied_now(h);     /* with what the plugin decoded */
    sl_trace("pid %u %s%s%s -> %s%s%s%s%s", req->pid, name ? name : "?", denied && *sl_denial_mark.object ? " " : "",
             denied ? sl_denial_mark.object : "", verdict_text(a, buf, sizeof(buf)), a->by ? " by [" : "",
             a->by ? a->by->cfg->name : "", a->by ? "]" : "", denied ? " (policy denial)" : "");
    if (a->excepted)
        sl_trace("  (exception policy of [%s]: %s)", a->excepted->cfg->name,
                 sl_exception_policy_name(a->excepted->policy));
}

/* A notification no chain handles: never with our own filter, but the
 * agent's container got its filter from a profile, which may disagree with
 * the configuration serving it (a stale profile, or one made from another
 * file). Said once per run (a container could repeat it at will). */
static void report_unhandled(struct sl_supervisor *sup, const struct seccomp_notif *req)
{
    if (atomic_exchange(&sup->said_unhandled, 1))
        return;
    sl_log(SANDLOCK_LOG_ERROR, "a notification for system call %d (arch 0x%x) that no instance handles: the "
           "seccomp profile and the configuration disagree (made from another file?); answered ENOSYS, and so "
           "is every such call", req->data.nr, req->data.arch);
}

static void handle_one(struct sl_supervisor *sup, const struct seccomp_notif *req)
{
    const struct sl_chain *chain = sl_chain_for(sup->chains, req->data.nr);
    struct sl_answer answer;
    /* No chain cannot happen with our filter: fail closed. A built-in
     * argument rule of an intercepted syscall is applied here (argdeny.h). */
    int denied = chain ? sl_arg_rules_match(chain->arg_rules, chain->narg_rules, req->data.args) : ENOSYS;
    if (chain && sup->opts.timing)
        atomic_fetch_add_explicit(&sup->chains->by_nr[req->data.nr]->notified, 1, memory_order_relaxed);
    if (!chain)
        report_unhandled(sup, req);
    if (denied) {
        memset(&answer, 0, sizeof(answer));
        answer.verdict = SANDLOCK_VERDICT_ERRNO;
        answer.error = denied;
        sl_respond(sup, req->id, &answer);
        return;
    }
    size_t index = sl_worker_slot;
    sandlock_handle h = sl_slot_begin(&sup->slots, index, req->id, (pid_t)req->pid, req->data.nr,
                                      chain->syscall_name);

    sandlock_event event = {
        .abi_version = SANDLOCK_ABI_VERSION,
        .struct_size = sizeof(sandlock_event),
        .id = req->id,
        .pid = req->pid,
        .nr = req->data.nr,
        .arch = req->data.arch,
        .instruction_pointer = req->data.instruction_pointer,
        .syscall_name = chain->syscall_name,
        .handle = h,
    };
    memcpy(event.args, req->data.args, sizeof(event.args));

    sl_vobjects_settle(sup->here, h);     /* served objects: identities taken at the first */
    sl_chain_run(chain, &event, sup->listener, sup->opts.timing, &answer);
    sl_sockcall_finish(&answer);      /* a socket call the chain judged: made here */
    sl_vopen_finish(sup->here, &event, &answer);   /* an open, while objects are served */
    if (sup->opts.verbose)
        trace(req, h, chain->syscall_name, &answer);
    if (sl_defer_finish(sup->defer, index, &answer))
        return;    /* the slot now belongs to the deferral; see defer.c */
    sl_slot_end(&sup->slots.slot[index]);
    int rc = sl_respond(sup, req->id, &answer);
    if (rc < 0)
        sl_log(SANDLOCK_LOG_ERROR, "cannot answer %s of pid %u: %s", chain->syscall_name, req->pid,
               strerror(-rc));
}

static void *worker_main(void *arg)
{
    struct worker_start start = *(struct worker_start *)arg;
    free(arg);
    struct sl_supervisor *sup = start.sup;
    serving = sup;
    sl_here = sup->here;
    sl_worker_table = &sup->slots;
    sl_worker_slot = start.slot;
    sl_fault_thread_init();
    /* Started before the sandbox holds a listener: wait for it (a signal
     * from sl_supervisor_stop() interrupts the wait). */
    while (!atomic_load(&sup->ready))
        sl_futex(&sup->ready, FUTEX_WAIT, 0, NULL);
    struct seccomp_notif req;
    while (!atomic_load_explicit(&sup->stop, memory_order_relaxed)) {
        memset(&req, 0, sizeof(req));
        if (ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOENT) {
                /* The notification we were woken for is gone: a signal
                 * interrupted the trapped call before any worker received
                 * it, or the task died -- or no task uses the filter any
                 * more, and RECV fails at once forever: stop instead of
                 * spinning until sl_supervisor_stop(). */
                struct pollfd p = { .fd = sup->listener, .events = POLLIN };
                if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
                    break;
                atomic_fetch_add_explicit(&sup->vanished, 1, memory_order_relaxed);
                continue;
            }
            if (!atomic_load(&sup->stop)) {
                /* Fail closed: a sandbox nobody answers must not go on. */
                sl_log(SANDLOCK_LOG_ERROR, "NOTIF_RECV: %s; killing the sandbox", strerror(errno));
                sl_sandbox_kill(sup->sandbox, SIGKILL);
            }
            break;
        }
        handle_one(sup, &req);
    }
    sl_fault_thread_fini();
    return NULL;
}

struct sl_supervisor *sl_supervisor_start(const struct sl_chains *chains, const struct sl_supervisor_options *opts,
                                          struct sl_sandbox *sandbox, struct sl_here *here,
                                          char *err, size_t errlen)
{
    struct sl_supervisor *sup = calloc(1, sizeof(*sup));
    if (!sup) {
        snprintf(err, errlen, "cannot set up the supervisor: %s", strerror(ENOMEM));
        return NULL;
    }
    sup->chains = chains;
    sup->opts = *opts;
    sup->sandbox = sandbox;
    sup->here = here;
    sup->listener = -1;
    errno = 0;
    if (sl_slots_init(&sup->slots, opts->workers, (size_t)opts->workers + opts->max_deferred, sup) ||
        !(sup->threads = calloc(opts->workers, sizeof(pthread_t))) || sl_fault_install() ||
        !(sup->defer = sl_defer_new(&sup->slots, opts->max_deferred, opts->defer_timeout_ns, here))) {
        snprintf(err, errlen, "cannot set up the supervisor: %s", strerror(errno ? errno : ENOMEM));
        sl_supervisor_free(sup);
        return NULL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_wakeup;   /* no SA_RESTART: interrupts NOTIF_RECV */
    sigaction(SIGUSR1, &sa, NULL);
    for (size_t i = 0; i < opts->workers; i++) {
        struct worker_start *start = malloc(sizeof(*start));
        int rc = start ? 0 : ENOMEM;
        if (start) {
            *start = (struct worker_start){ sup, i };
            rc = pthread_create(&sup->threads[i], NULL, worker_main, start);
            if (rc)
                free(start);
        }
        if (rc) {
            snprintf(err, errlen, "cannot start worker thread: %s", strerror(rc));
            sl_supervisor_stop(sup);
            sl_supervisor_free(sup);
            return NULL;
        }
        sup->nthreads++;
    }
    return sup;
}

void sl_supervisor_attach(struct sl_supervisor *sup, int listener)
{
    /* Wake the trapped task on the receiving worker's CPU (Linux 6.6+). The
     * flag is passed by value. */
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) != 0)
        sl_log(SANDLOCK_LOG_INFO, "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP unavailable (%s); continuing without",
               strerror(errno));
    sup->listener = listener;
    atomic_store(&sup->ready, 1);     /* orders the store above before it */
    sl_futex(&sup->ready, FUTEX_WAKE, INT_MAX, NULL);
}

unsigned long sl_supervisor_vanished(const struct sl_supervisor *sup)
{
    return atomic_load(&sup->vanished);
}

void sl_supervisor_stop(struct sl_supervisor *sup)
{
    atomic_store(&sup->stop, 1);
    atomic_store(&sup->ready, 1);
    sl_futex(&sup->ready, FUTEX_WAKE, INT_MAX, NULL);
    for (size_t i = 0; i < sup->nthreads; i++) {
        for (;;) {
            pthread_kill(sup->threads[i], SIGUSR1);
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_nsec += 10 * 1000 * 1000;
            if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
            }
            if (pthread_timedjoin_np(sup->threads[i], NULL, &deadline) == 0)
                break;
        }
    }
    free(sup->threads);
    sup->threads = NULL;
    sup->nthreads = 0;
    sl_defer_shutdown(sup->defer);
    sl_sockcall_drain(&sup->slots);
    /* Plugin threads may still hold handles until fini(): the slots stay
     * allocated (every handle now stale) so host services called late fail
     * with -ESRCH instead of reading freed memory. */
    sl_slots_retire(&sup->slots);
    if (sup->listener >= 0)
        close(sup->listener);
    sup->listener = -1;
}

void sl_supervisor_free(struct sl_supervisor *sup)
{
    if (!sup)
        return;
    sl_slots_free(&sup->slots);
    sl_defer_free(sup->defer);
    free(sup->threads);
    free(sup);
}

void sl_supervisor_kill_here(int sig)
{
    if (serving)
        sl_sandbox_kill(serving->sandbox, sig);
}
