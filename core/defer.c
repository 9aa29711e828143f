/* defer.c -- see defer.h. */
#include "config.h"
#include "defer.h"
#include "fault.h"
#include "log.h"
#include "respond.h"
#include "supervisor.h"
#include "vopen.h"

#include "clock.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Per-slot bookkeeping, parallel to the table's slots. */
struct dslot {
    unsigned char owned;       /* a worker's current slot */
    unsigned char committed;   /* the worker saw the DEFER verdict */
    unsigned char bad_answer;  /* an invalid answer came before the commit */
    sandlock_handle done;      /* last deferred handle that ended here... */
    int done_rc;               /* ...and what a later answer() gets */
};

struct sl_defer {
    struct sl_slots *slots;    /* the supervisor's */
    struct sl_here *here;
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* CLOCK_MONOTONIC */
    struct dslot *d;
    size_t n;
    unsigned max;
    unsigned pending;
    uint64_t timeout_ns;
    int stopped;
    int thread_running;
    pthread_t thread;
};

/* The handle the current worker deferred during this notification. */
static __thread sandlock_handle deferred_here;

static int registered(sandlock_handle h)
{
    return h != 0 && h == deferred_here;
}

static const char *instance_name(const struct sl_slot *s)
{
    return s->deferred_by ? s->deferred_by->cfg->name : "?";
}

/* Ends the deferral of slot i (lock held): the handle goes stale at once,
 * so the memory services refuse it, and the slot becomes a spare. */
static void release_locked(struct sl_defer *df, size_t i, sandlock_handle h, int later_rc)
{
    struct sl_slot *s = &df->slots->slot[i];
    atomic_store_explicit(&s->handle, 0, memory_order_release);
    atomic_store_explicit(&s->state, SL_SLOT_FREE, memory_order_relaxed);
    df->d[i].done = h;
    df->d[i].done_rc = later_rc;
    df->d[i].committed = 0;
    df->d[i].bad_answer = 0;
    df->pending--;
}

/* Releases slot i and sends `a` for its notification (lock held). */
static int deliver_locked(struct sl_defer *df, size_t i, sandlock_handle h, struct sl_answer *a, int later_rc)
{
    uint64_t id = df->slots->slot[i].id;
    release_locked(df, i, h, later_rc);
    return sl_respond(df->slots->owner, id, a);
}

static void deliver_policy_locked(struct sl_defer *df, size_t i, sandlock_handle h)
{
    struct sl_slot *s = &df->slots->slot[i];
    struct sl_answer a;
    memset(&a, 0, sizeof(a));
    a.by = s->deferred_by;
    sl_answer_from_policy(s->policy, &a);
    deliver_locked(df, i, h, &a, -EALREADY);
}

static void *timeout_main(void *arg)
{
    struct sl_defer *df = arg;
    sl_here = df->here;
    pthread_mutex_lock(&df->lock);
    while (!df->stopped) {
        uint64_t now = sl_now_ns(), next = UINT64_MAX;
        for (size_t i = 0; i < df->n; i++) {
            struct sl_slot *s = &df->slots->slot[i];
            sandlock_handle h = atomic_load_explicit(&s->handle, memory_order_relaxed);
            if (!h || atomic_load_explicit(&s->state, memory_order_relaxed) != SL_SLOT_DEFERRED)
                continue;
            if (s->deadline_ns > now) {
                if (s->deadline_ns < next)
                    next = s->deadline_ns;
                continue;
            }
            sl_log(SANDLOCK_LOG_WARN, "[%s] deferred %s of pid %d not answered within %llu ms: EIO",
                   instance_name(s), s->syscall_name ? s->syscall_name : "?", (int)s->pid,
                   (unsigned long long)(df->timeout_ns / 1000000));
            struct sl_answer a;
            memset(&a, 0, sizeof(a));
            a.verdict = SANDLOCK_VERDICT_ERRNO;
            a.error = EIO;
            deliver_locked(df, i, h, &a, -ETIMEDOUT);
        }
        if (next == UINT64_MAX) {
            pthread_cond_wait(&df->wake, &df->lock);
        } else {
            struct timespec ts = { (time_t)(next / 1000000000ULL), (long)(next % 1000000000ULL) };
            pthread_cond_timedwait(&df->wake, &df->lock, &ts);
        }
    }
    pthread_mutex_unlock(&df->lock);
    return NULL;
}

struct sl_defer *sl_defer_new(struct sl_slots *slots, unsigned max_deferred, uint64_t timeout_ns,
                              struct sl_here *here)
{
    pthread_condattr_t attr;
    struct sl_defer *df = calloc(1, sizeof(*df));
    if (!df)
        return NULL;
    df->d = calloc(slots->n ? slots->n : 1, sizeof(*df->d));
    if (!df->d) {
        free(df);
        return NULL;
    }
    df->slots = slots;
    df->here = here;
    df->n = slots->n;
    for (size_t i = 0; i < slots->nworkers && i < df->n; i++)
        df->d[i].owned = 1;
    df->max = max_deferred;
    df->timeout_ns = timeout_ns ? timeout_ns : 30ULL * 1000000000ULL;
    pthread_mutex_init(&df->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&df->wake, &attr);
    pthread_condattr_destroy(&attr);
    sl_defer_registered = registered;
    return df;
}

void sl_defer_free(struct sl_defer *df)
{
    if (!df)
        return;
    pthread_cond_destroy(&df->wake);
    pthread_mutex_destroy(&df->lock);
    free(df->d);
    free(df);
}

/* Defers h's notification; `by_host`: for the host itself after the
 * chain (sockcall.h), else only from handle(). */
static int defer_slot(sandlock_handle h, int by_host)
{
    struct sl_slot *slot = sl_slot_of(h);
    if (!slot)
        return -ESRCH;
    if (registered(h))
        return 0;                    /* deferred twice: once is enough */
    struct sl_slots *table = sl_slots_of(h);
    struct sl_defer *df = table->owner->defer;
    size_t index = sl_slot_index(h);
    /* Only handle() itself, on the worker that runs it, may defer. */
    if ((!sl_fault_current && !by_host) || table != sl_worker_table || index != sl_worker_slot ||
        atomic_load_explicit(&slot->state, memory_order_relaxed) != SL_SLOT_ACTIVE)
        return -EINVAL;
    pthread_mutex_lock(&df->lock);
    if (df->stopped) {
        pthread_mutex_unlock(&df->lock);
        return -ECANCELED;
    }
    if (df->pending >= df->max) {
        pthread_mutex_unlock(&df->lock);
        return -EAGAIN;
    }
    size_t spare = df->n;
    for (size_t i = 0; i < df->n; i++) {
        if (!df->d[i].owned &&
            atomic_load_explicit(&df->slots->slot[i].state, memory_order_relaxed) == SL_SLOT_FREE) {
            spare = i;
            break;
        }
    }
    if (spare == df->n) {             /* cannot happen: n = workers + max */
        pthread_mutex_unlock(&df->lock);
        return -EAGAIN;
    }
    if (!df->thread_running) {
        if (pthread_create(&df->thread, NULL, timeout_main, df) != 0) {
            pthread_mutex_unlock(&df->lock);
            sl_log(SANDLOCK_LOG_ERROR, "cannot start the deferral timeout thread; deferral refused");
            return -EAGAIN;
        }
        df->thread_running = 1;
    }
    slot->deadline_ns = sl_now_ns() + df->timeout_ns;
    slot->deferred_by = NULL;
    slot->policy = SL_EXC_KILL;
    atomic_store_explicit(&slot->state, SL_SLOT_DEFERRED, memory_order_relaxed);
    df->d[index].owned = 0;
    df->d[index].committed = 0;
    df->d[index].bad_answer = 0;
    df->d[spare].owned = 1;
    df->pending++;
    pthread_cond_signal(&df->wake);
    pthread_mutex_unlock(&df->lock);
    sl_worker_slot = spare;
    deferred_here = h;
    return 0;
}

int sl_defer(sandlock_handle h)
{
    return defer_slot(h, 0);
}

int sl_defer_by_host(sandlock_handle h)
{
    return defer_slot(h, 1);
}

int sl_defer_finish(struct sl_defer *df, size_t index, struct sl_answer *answer)
{
    sandlock_handle h = deferred_here;
    if (!h)
        return 0;
    deferred_here = 0;
    struct sl_slot *s = &df->slots->slot[index];
    pthread_mutex_lock(&df->lock);
    int live = atomic_load_explicit(&s->handle, memory_order_relaxed) == h &&
               atomic_load_explicit(&s->state, memory_order_relaxed) == SL_SLOT_DEFERRED;
    if (answer->verdict == SANDLOCK_VERDICT_DEFER) {
        if (live) {
            s->deferred_by = answer->by;
            s->policy = answer->by ? answer->by->policy : SL_EXC_KILL;
            df->d[index].committed = 1;
            if (df->d[index].bad_answer)
                deliver_policy_locked(df, index, h);
        }
        pthread_mutex_unlock(&df->lock);
        return 1;
    }
    /* defer() was called, but the chain gave another answer (the plugin
     * returned something else, failed or crashed). */
    if (live) {
        sl_log(SANDLOCK_LOG_WARN, "[%s] called defer() for %s but did not return DEFER; its verdict "
               "is used and the deferral dropped", answer->by ? answer->by->cfg->name : "?",
               s->syscall_name ? s->syscall_name : "?");
        deliver_locked(df, index, h, answer, -EALREADY);
    } else if (answer->verdict == SANDLOCK_VERDICT_FD) {
        close(answer->fd);           /* answered already: the host owns the fd */
    }
    pthread_mutex_unlock(&df->lock);
    return 1;
}

void sl_defer_shutdown(struct sl_defer *df)
{
    pthread_mutex_lock(&df->lock);
    if (df->stopped || !df->d) {
        pthread_mutex_unlock(&df->lock);
        return;
    }
    df->stopped = 1;
    for (size_t i = 0; i < df->n; i++) {
        struct sl_slot *s = &df->slots->slot[i];
        sandlock_handle h = atomic_load_explicit(&s->handle, memory_order_relaxed);
        if (h && atomic_load_explicit(&s->state, memory_order_relaxed) == SL_SLOT_DEFERRED) {
            struct sl_answer a;
            memset(&a, 0, sizeof(a));
            a.verdict = SANDLOCK_VERDICT_ERRNO;
            a.error = EIO;
            deliver_locked(df, i, h, &a, -ECANCELED);
        }
    }
    int joining = df->thread_running;
    df->thread_running = 0;
    pthread_cond_broadcast(&df->wake);
    pthread_mutex_unlock(&df->lock);
    if (joining)
        pthread_join(df->thread, NULL);
}

/* The plugin's response as this host's struct: a zero struct_size is read
 * as this header's size, a shorter one zero-extended. */
static void copy_response(const sandlock_response *in, sandlock_response *out)
{
    size_t size = in->struct_size ? in->struct_size : sizeof(*out);
    memset(out, 0, sizeof(*out));
    memcpy(out, in, size < sizeof(*out) ? size : sizeof(*out));
}

static void drop_fd(const sandlock_response *r, int listener)
{
    if (r->verdict == SANDLOCK_VERDICT_FD && r->fd > 2 && r->fd != listener)
        close(r->fd);
}

int sl_answer(sandlock_handle h, const sandlock_response *response)
{
    if (!response)
        return -EINVAL;
    sandlock_response r;
    copy_response(response, &r);
    struct sl_slots *table = sl_slots_of(h);
    if (!table) {
        drop_fd(&r, -1);
        return -ESRCH;
    }
    struct sl_defer *df = table->owner->defer;
    int listener = table->owner->listener;
    size_t index = (size_t)(h & SL_SLOTS_MAX);
    pthread_mutex_lock(&df->lock);
    if (index == 0 || index > df->n) {
        pthread_mutex_unlock(&df->lock);
        drop_fd(&r, listener);
        return df->stopped ? -ECANCELED : -ESRCH;
    }
    index--;
    struct dslot *d = &df->d[index];
    if (df->stopped) {
        int rc = d->done == h ? d->done_rc : -ECANCELED;
        pthread_mutex_unlock(&df->lock);
        drop_fd(&r, listener);
        return rc;
    }
    struct sl_slot *s = &df->slots->slot[index];
    if (atomic_load_explicit(&s->handle, memory_order_relaxed) != h ||
        atomic_load_explicit(&s->state, memory_order_relaxed) != SL_SLOT_DEFERRED) {
        int rc = d->done == h ? d->done_rc
               : atomic_load_explicit(&s->handle, memory_order_relaxed) == h ? -EINVAL  /* not deferred */
               : -EALREADY;
        pthread_mutex_unlock(&df->lock);
        drop_fd(&r, listener);
        return rc;
    }
    if (r.verdict == SANDLOCK_VERDICT_UNSET || r.verdict == SANDLOCK_VERDICT_DEFER ||
        sl_response_validate(&r, listener)) {
        /* sl_response_validate() closed an invalid FD verdict's fd. */
        if (r.verdict == SANDLOCK_VERDICT_DEFER || r.verdict == SANDLOCK_VERDICT_UNSET)
            drop_fd(&r, listener);
        sl_log(SANDLOCK_LOG_WARN, "[%s] answered a deferred %s with an invalid verdict %u; its "
               "exception policy applies", instance_name(s), s->syscall_name ? s->syscall_name : "?",
               r.verdict);
        if (d->committed)
            deliver_policy_locked(df, index, h);
        else
            d->bad_answer = 1;       /* the worker applies it once it knows the instance */
        pthread_mutex_unlock(&df->lock);
        return -EINVAL;
    }
    if (r.verdict == SANDLOCK_VERDICT_CONTINUE && s->socket_judged) {
        /* The chain judged a snapshot of this socket call: the kernel
         * would read the child's descriptor and memory again. */
        sl_log(SANDLOCK_LOG_WARN, "[%s] answered a deferred %s Continue after its socket call was judged: "
               "answered EPERM (sandlock makes such a call only when the chain ends in Continue)",
               instance_name(s), s->syscall_name ? s->syscall_name : "?");
        r.verdict = SANDLOCK_VERDICT_ERRNO;
        r.error = EPERM;
    }
    if (r.verdict == SANDLOCK_VERDICT_CONTINUE && sl_vopen_owns(df->here, s->nr)) {
        /* Objects are served: the kernel would read the path again (and the
         * host makes opens only from the chain, which has the arguments). */
        sl_log(SANDLOCK_LOG_WARN, "[%s] answered a deferred %s Continue while objects are served: answered "
               "EPERM (sandlock makes such an open itself only when the chain ends in Continue)",
               instance_name(s), s->syscall_name ? s->syscall_name : "?");
        r.verdict = SANDLOCK_VERDICT_ERRNO;
        r.error = EPERM;
    }
    struct sl_answer a;
    memset(&a, 0, sizeof(a));
    a.verdict = r.verdict;
    a.error = r.error;
    a.value = r.value;
    a.signal = r.signal;
    a.fd = r.fd;
    a.fd_flags = r.fd_flags;
    a.by = s->deferred_by;
    int rc = deliver_locked(df, index, h, &a, -EALREADY);
    pthread_mutex_unlock(&df->lock);
    if (rc < 0)
        sl_log(SANDLOCK_LOG_ERROR, "cannot answer a deferred notification: %s", strerror(-rc));
    return rc;
}
