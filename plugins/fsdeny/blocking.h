/* blocking.h -- opens that may wait (a FIFO waits for its other end) run
 * on a thread of their own and are answered later (host->defer), so a
 * child can never make sandlock's workers wait. */
#ifndef FSDENY_BLOCKING_H
#define FSDENY_BLOCKING_H

#include <sandlock/plugin.h>
#include <sys/types.h>

/* Would opening an object of type `mode` (st_mode) with `flags` wait? */
int fsd_open_may_block(mode_t mode, int flags);

/* Defers the open of `obj` with `flags` to a thread of its own; takes
 * ownership of obj. The thread answers the notification with the
 * descriptor or the error, and gives up (closing what it has) as soon as
 * the notification is no longer pending: the child was killed, or the
 * host's defer_timeout answered it. Sets the DEFER verdict, or answers
 * EAGAIN when no deferral or thread can be had. */
void fsd_open_deferred(const sandlock_host *host, const sandlock_event *ev, int obj, int flags,
                       sandlock_response *r);

/* Waits (bounded) until no waiting-open thread runs plugin code: call
 * before the module can be unloaded. */
void fsd_blocking_drain(void);

#endif
