/* supervisor.h -- the notification workers. */
#ifndef SANDLOCK_SUPERVISOR_H
#define SANDLOCK_SUPERVISOR_H

#include "chain.h"

struct sl_supervisor_options {
    unsigned workers;        /* threads blocked in NOTIF_RECV */
    unsigned max_deferred;   /* spare notification slots for deferral */
    uint64_t defer_timeout_ns; /* a deferred notification unanswered this long gets EIO */
    int verbose;             /* log every notification's result */
    int timing;              /* measure time in handle() (--stats) */
};

/* Starts the workers, while the sandbox starts: they wait on a futex until
 * sl_supervisor_attach() gives them the listener (or sl_supervisor_stop()
 * ends them). */
int sl_supervisor_start(const struct sl_chains *chains, const struct sl_supervisor_options *opts,
                        char *err, size_t errlen);

/* Gives the waiting workers the listener (SYNC_WAKE_UP set where
 * supported); it then belongs to the supervisor. */
void sl_supervisor_attach(int listener);

/* How many notifications vanished before a worker received them: the
 * trapped call was interrupted by a signal (EINTR, or made again under
 * SA_RESTART) or its thread died. See SIGNALS AND EINTR in sandlock.ini(5). */
unsigned long sl_supervisor_vanished(void);

/* Stops and joins the workers and closes the listener, if attached. */
void sl_supervisor_stop(void);

#endif
