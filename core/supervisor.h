/* supervisor.h -- the notification workers of one session. A process may
 * run several supervisors at once: each owns its slot table, listener,
 * deferrals and counters. */
#ifndef SANDLOCK_SUPERVISOR_H
#define SANDLOCK_SUPERVISOR_H

#include <pthread.h>
#include <stdatomic.h>

#include "chain.h"
#include "here.h"
#include "slots.h"

struct sl_sandbox;
struct sl_defer;

struct sl_supervisor_options {
    unsigned workers;        /* threads blocked in NOTIF_RECV */
    unsigned max_deferred;   /* spare notification slots for deferral */
    uint64_t defer_timeout_ns; /* a deferred notification unanswered this long gets EIO */
    int verbose;             /* log every notification's result */
    int timing;              /* measure time in handle() (--stats) */
};

struct sl_supervisor {
    struct sl_slots slots;
    int listener;                 /* -1 until attached */
    struct sl_sandbox *sandbox;   /* what a kill verdict or a failure kills */
    struct sl_defer *defer;       /* defer.c */
    struct sl_here *here;   /* the session its threads work for */
    const struct sl_chains *chains;
    struct sl_supervisor_options opts;
    pthread_t *threads;
    size_t nthreads;
    atomic_int stop;
    atomic_int ready;             /* 1 once the listener is attached or the workers stop */
    atomic_ulong vanished;        /* notifications gone before a worker received them */
    atomic_int said_unhandled;
};

/* Starts the workers of a new supervisor, while the sandbox starts: they
 * wait on a futex until sl_supervisor_attach() gives them the listener (or
 * sl_supervisor_stop() ends them). NULL with a message in err. */
struct sl_supervisor *sl_supervisor_start(const struct sl_chains *chains, const struct sl_supervisor_options *opts,
                                          struct sl_sandbox *sandbox, struct sl_here *here,
                                          char *err, size_t errlen);

/* Gives the waiting workers the listener (SYNC_WAKE_UP set where
 * supported); it then belongs to the supervisor. */
void sl_supervisor_attach(struct sl_supervisor *sup, int listener);

/* How many notifications vanished before a worker received them: the
 * trapped call was interrupted by a signal (EINTR, or made again under
 * SA_RESTART) or its thread died. See SIGNALS AND EINTR in sandlock.ini(5). */
unsigned long sl_supervisor_vanished(const struct sl_supervisor *sup);

/* Stops and joins the workers and closes the listener, if attached. Every
 * handle is stale from then on; the table stays readable until
 * sl_supervisor_free(). */
void sl_supervisor_stop(struct sl_supervisor *sup);

/* Frees a stopped supervisor, once no thread can hold its handles (after
 * the instances' fini()). NULL is ignored. */
void sl_supervisor_free(struct sl_supervisor *sup);

/* Kills the sandbox of the supervisor the calling worker serves (a worker
 * that cannot go on safely). */
void sl_supervisor_kill_here(int sig);

#endif
