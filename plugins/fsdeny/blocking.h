/* blocking.h -- calls that may wait (a FIFO open waits for its other end,
 * an open of a leased file for the lease's break) run on a thread of
 * their own and are answered later (host->defer), so a child can never
 * make sandlock's workers wait. */
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

/* A call to make on a thread of its own: run(arg) with the child's
 * credentials, called again while it fails with -EINTR and the
 * notification is pending; then release(arg). Its result is the answer: a
 * descriptor handed over with fd_flags (answer_fd), else a return value or
 * -errno. */
struct fsd_wait {
    long (*run)(void *arg);
    void (*release)(void *arg);
    void *arg;
    int answer_fd;
    unsigned fd_flags;
};

/* Defers the notification and makes `call` on a thread of its own (as
 * fsd_open_deferred); `call->arg` belongs to it from now on (released
 * also when it cannot be made: then EAGAIN is answered). */
void fsd_call_deferred(const sandlock_host *host, const sandlock_event *ev, const struct fsd_wait *call,
                       sandlock_response *r);

/* Waits (bounded) until no waiting thread runs plugin code: call
 * before the module can be unloaded. */
void fsd_blocking_drain(void);

#endif
