/* blocking.c -- see blocking.h.
 *
 * The waiting call is interruptible: a timer of the thread's own sends it
 * a signal (no SA_RESTART) every POLL_MS, the open fails with EINTR, and
 * the thread asks the host whether the notification is still pending
 * before it calls again. A FIFO open or a unix connect that is
 * interrupted leaves the FIFO or socket as it was, so calling again is
 * what the child's own call would do. */
#define _GNU_SOURCE
#include "blocking.h"
#include "behalf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 100

struct waiting {
    const sandlock_host *host;
    sandlock_handle handle;
    struct fsd_wait call;
};

/* A waiting open: the checked object and the child's flags. */
struct waiting_open {
    int obj;
    int flags;
};

static int wake_signal;
static atomic_int running;          /* threads that may still run our code */
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void on_wake(int sig)
{
    (void)sig;
}

static void install_wake(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_wake;       /* no SA_RESTART: the open returns EINTR */
    sigemptyset(&sa.sa_mask);
    wake_signal = SIGRTMAX - 2;
    if (sigaction(wake_signal, &sa, NULL) != 0)
        wake_signal = 0;
}

int fsd_open_may_block(mode_t mode, int flags)
{
    return !(flags & (O_NONBLOCK | O_PATH)) && S_ISFIFO(mode);
}

static int still_pending(const struct waiting *w)
{
    char none;
    return w->host->mem_read(w->handle, 0, &none, 0) == 0;
}

/* The open itself, with the child's credentials (fsd_as_child). */
static long reopen_waiting(void *arg)
{
    const struct waiting_open *o = arg;
    return fsd_do_reopen(o->obj, o->flags);
}

static void release_open(void *arg)
{
    struct waiting_open *o = arg;
    close(o->obj);
    free(o);
}

static void *wait_thread(void *arg)
{
    struct waiting *w = arg;
    sandlock_response r;
    memset(&r, 0, sizeof(r));
    r.abi_version = SANDLOCK_ABI_VERSION;
    r.struct_size = sizeof(r);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, wake_signal);
    timer_t timer;
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = wake_signal;
    sev._sigev_un._tid = gettid();
    int have_timer = timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0;
    if (have_timer) {
        struct itimerspec every = { { 0, POLL_MS * 1000000L }, { 0, POLL_MS * 1000000L } };
        timer_settime(timer, 0, &every, NULL);
    }
    long rc;
    for (;;) {
        /* The signal is let in only around the call: the host calls
         * below must not be interrupted. */
        pthread_sigmask(SIG_UNBLOCK, &only, NULL);
        rc = have_timer ? fsd_as_child(w->host, w->handle, w->call.run, w->call.arg) : -EAGAIN;
        pthread_sigmask(SIG_BLOCK, &only, NULL);
        if (rc != -EINTR)
            break;
        if (!still_pending(w))
            break;
    }
    if (have_timer)
        timer_delete(timer);
    w->call.release(w->call.arg);
    if (rc >= 0 && w->call.answer_fd)
        sandlock_respond_fd(&r, (int)rc, w->call.fd_flags);
    else if (rc >= 0)
        sandlock_respond_return(&r, rc);
    else
        sandlock_respond_errno(&r, (int)-rc);
    w->host->answer(w->handle, &r);    /* owns the fd on every path */
    free(w);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

void fsd_open_deferred(const sandlock_host *host, const sandlock_event *ev, int obj, int flags,
                       sandlock_response *r)
{
    struct waiting_open *o = malloc(sizeof(*o));
    if (!o) {
        close(obj);
        sandlock_respond_errno(r, EAGAIN);
        return;
    }
    *o = (struct waiting_open){ obj, flags };
    fsd_call_deferred(host, ev, &(struct fsd_wait){ reopen_waiting, release_open, o, 1,
                                                    (flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC }, r);
}

void fsd_call_deferred(const sandlock_host *host, const sandlock_event *ev, const struct fsd_wait *call,
                       sandlock_response *r)
{
    pthread_once(&wake_once, install_wake);
    struct waiting *w = malloc(sizeof(*w));
    if (!w || !wake_signal || host->defer(ev->handle) != 0) {
        free(w);
        call->release(call->arg);
        sandlock_respond_errno(r, EAGAIN);
        return;
    }
    *w = (struct waiting){ host, ev->handle, *call };
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    /* The thread starts with every signal blocked but its own. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    atomic_fetch_add(&running, 1);
    int rc = pthread_create(&t, &attr, wait_thread, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        atomic_fetch_sub(&running, 1);
        call->release(call->arg);
        free(w);
        sandlock_respond_errno(r, EAGAIN);
        return;             /* defer() then another verdict: the host uses it */
    }
    sandlock_respond_defer(r);
}

void fsd_blocking_drain(void)
{
    /* The host answered every deferral before fini: each thread notices
     * within POLL_MS. Bounded all the same. */
    for (int i = 0; i < 100 && atomic_load(&running) > 0; i++)
        usleep(POLL_MS * 1000 / 5);
}
