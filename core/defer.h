/* defer.h -- deferred answers (host->defer, host->answer; contracts in
 * sdk/sandlock/plugin.h) and their bookkeeping for the supervisor.
 *
 * A deferred notification stays in the slot it was received in; the worker
 * that received it is handed a spare slot and goes on. Everything here
 * happens under its supervisor's mutex, but only on the deferral path: the per-
 * notification cost for the workers is one thread-local load in
 * sl_defer_finish(). */
#ifndef SANDLOCK_DEFER_H
#define SANDLOCK_DEFER_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include "chain.h"

struct sl_defer;

struct sl_slots;
struct sl_here;

/* The deferrals of one supervisor's slots (workers + max_deferred), hooked
 * into the chain. `timeout_ns`: how long a deferred notification may wait
 * before the host answers EIO; `here`: the session of its timeout thread.
 * NULL when memory ran out. Call before the workers start. */
struct sl_defer *sl_defer_new(struct sl_slots *slots, unsigned max_deferred, uint64_t timeout_ns,
                              struct sl_here *here);

/* Called by a worker after the chain ran for the notification in slot
 * `index`. Returns 0 when nothing was deferred (the worker answers as
 * usual), 1 when deferral took the notification over: the worker must then
 * neither answer it nor touch the slot. Handles a plugin that called
 * defer() and then gave another verdict (the chain's answer is sent here). */
int sl_defer_finish(struct sl_defer *df, size_t index, struct sl_answer *answer);

/* Cancels every pending deferral (the child gets EIO; later answer()s get
 * -ECANCELED) and stops the timeout thread. Call after the workers stopped,
 * before the listener is closed. */
void sl_defer_shutdown(struct sl_defer *df);

/* Frees it (after sl_defer_shutdown); NULL is ignored. */
void sl_defer_free(struct sl_defer *df);

/* The host services: the handle names its supervisor (slots.h). */
int sl_defer(sandlock_handle h);
int sl_answer(sandlock_handle h, const sandlock_response *response);

/* sl_defer() for the host itself, on the worker, after the chain ran (a
 * socket call it makes on a thread of its own: sockcall.h). */
int sl_defer_by_host(sandlock_handle h);

#endif
