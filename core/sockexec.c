/* sockexec.c -- see sockexec.h.
 *
 * A job's thread blocks in the kernel (connect, send) on the host's copy
 * of the child's socket. The watcher thread runs while jobs exist: every
 * 100 ms it checks that each job's notification is still pending and sends
 * SL_SOCKEXEC_SIGNAL to the threads whose notification is gone (the child
 * was killed, defer_timeout passed) or to all at fini. The handler does
 * nothing and is installed without SA_RESTART, so the blocked call returns
 * EINTR. Signalling again on each round covers a signal that arrives just
 * before the thread enters the call. A job leaves the list only when the
 * watcher (or fini) joins its finished thread, so a signalled thread always
 * exists. */
#define _GNU_SOURCE
#include "config.h"
#include "sockexec.h"
#include "defer.h"
#include "slots.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SL_SOCKEXEC_SIGNAL (SIGRTMIN + 7)
#define SL_SOCKEXEC_WATCH_NS 100000000L

struct sl_sockjob {
    struct sl_sockexec *x;
    pthread_t thread;
    sandlock_handle handle;
    uint64_t probe;
    sl_sockjob_run run;
    sl_sockjob_release release;
    void *arg;
    int finished;
    struct sl_sockjob *next;
};

static void on_interrupt(int sig)
{
    (void)sig;
}

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_rc;

static void install_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    handler_rc = sigaction(SL_SOCKEXEC_SIGNAL, &sa, NULL);
}

int sl_sockexec_init(struct sl_sockexec *x, const sandlock_host *host)
{
    memset(x, 0, sizeof(*x));
    x->host = host;
    pthread_once(&handler_once, install_handler);
    if (handler_rc)
        return -1;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->wake, &attr);
    pthread_condattr_destroy(&attr);
    return 0;
}

static void *job_main(void *p)
{
    struct sl_sockjob *job = p;
    struct sl_sockexec *x = job->x;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SL_SOCKEXEC_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    sandlock_response r;
    memset(&r, 0, sizeof(r));
    r.abi_version = SANDLOCK_ABI_VERSION;
    r.struct_size = sizeof(r);
    job->run(job->arg, &r);
    /* The interruption is for run() only: an answer with a descriptor that
     * a signal interrupts would leave the call answered 0 (the kernel
     * marks it replied before it waits for the child to take the fd). */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    x->host->answer(job->handle, &r);
    job->release(job->arg);
    pthread_mutex_lock(&x->lock);
    job->finished = 1;
    x->running--;
    pthread_cond_broadcast(&x->wake);
    pthread_mutex_unlock(&x->lock);
    return NULL;
}

/* Joins and frees the finished jobs (lock held). */
static void reap_locked(struct sl_sockexec *x)
{
    for (struct sl_sockjob **pp = &x->jobs; *pp;) {
        struct sl_sockjob *job = *pp;
        if (!job->finished) {
            pp = &job->next;
            continue;
        }
        *pp = job->next;
        pthread_join(job->thread, NULL);
        free(job);
    }
}

static void *watcher_main(void *p)
{
    struct sl_sockexec *x = p;
    pthread_mutex_lock(&x->lock);
    for (;;) {
        reap_locked(x);
        if (!x->jobs) {
            if (x->stopping)
                break;
            pthread_cond_wait(&x->wake, &x->lock);
            continue;
        }
        for (struct sl_sockjob *job = x->jobs; job; job = job->next) {
            unsigned char byte;
            if (!job->finished &&
                (x->stopping || x->host->mem_read(job->handle, job->probe, &byte, 1) == -ESRCH))
                pthread_kill(job->thread, SL_SOCKEXEC_SIGNAL);
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += SL_SOCKEXEC_WATCH_NS;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&x->wake, &x->lock, &ts);
    }
    pthread_mutex_unlock(&x->lock);
    return NULL;
}

int sl_sockexec_submit(struct sl_sockexec *x, const sandlock_event *ev, uint64_t probe, sl_sockjob_run run,
                       sl_sockjob_release release, void *arg)
{
    struct sl_sockjob *job = calloc(1, sizeof(*job));
    if (!job)
        return -ENOMEM;
    *job = (struct sl_sockjob){ .x = x, .handle = ev->handle, .probe = probe, .run = run,
                            .release = release, .arg = arg };
    pthread_mutex_lock(&x->lock);
    int rc = -EAGAIN;
    if (x->stopping || x->running >= SL_SOCKEXEC_MAX)
        goto out;
    if (!x->watcher_started) {
        if (pthread_create(&x->watcher, NULL, watcher_main, x))
            goto out;
        x->watcher_started = 1;
    }
    rc = sl_defer_by_host(ev->handle);
    if (rc)
        goto out;
    if (pthread_create(&job->thread, NULL, job_main, job)) {
        rc = -EAGAIN;
        goto out;
    }
    job->next = x->jobs;
    x->jobs = job;
    x->running++;
    pthread_cond_broadcast(&x->wake);
    pthread_mutex_unlock(&x->lock);
    return 0;
out:
    pthread_mutex_unlock(&x->lock);
    free(job);
    return rc == -ESRCH ? rc : -EAGAIN;
}

void sl_sockexec_fini(struct sl_sockexec *x)
{
    pthread_mutex_lock(&x->lock);
    x->stopping = 1;
    pthread_cond_broadcast(&x->wake);
    pthread_mutex_unlock(&x->lock);
    if (x->watcher_started)
        pthread_join(x->watcher, NULL);
    pthread_cond_destroy(&x->wake);
    pthread_mutex_destroy(&x->lock);
}

void sl_sockexec_drain(struct sl_sockexec *x, const struct sl_slots *table)
{
    pthread_mutex_lock(&x->lock);
    for (;;) {
        int left = 0;
        for (struct sl_sockjob *job = x->jobs; job; job = job->next)
            if (!job->finished && sl_slots_of(job->handle) == table) {
                pthread_kill(job->thread, SL_SOCKEXEC_SIGNAL);
                left = 1;
            }
        if (!left)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 10000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&x->wake, &x->lock, &ts);
    }
    pthread_mutex_unlock(&x->lock);
}
