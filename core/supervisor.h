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

/* Starts the workers on `listener` (SYNC_WAKE_UP set where supported). */
int sl_supervisor_start(int listener, const struct sl_chains *chains,
                        const struct sl_supervisor_options *opts, char *err, size_t errlen);

/* Stops and joins the workers and closes the listener. */
void sl_supervisor_stop(void);

#endif
