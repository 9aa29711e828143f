/* liveness.c -- see liveness.h. */
#include "config.h"
#include "liveness.h"
#include "supervisor.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/ioctl.h>

int sl_target_of(sandlock_handle h, struct sl_target *t)
{
    struct sl_slot *slot = sl_slot_of(h);
    if (!slot)
        return -ESRCH;
    t->handle = h;
    t->pid = slot->pid;
    t->id = slot->id;
    t->listener = sl_slots_of(h)->owner->listener;
    /* The slot may have been answered and reused while we copied: only a
     * handle that is still the same after the copy vouches for it. */
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&slot->handle, memory_order_relaxed) != h)
        return -ESRCH;
    if (t->pid <= 0 || t->listener < 0)
        return -ESRCH;
    return 0;
}

int sl_pending(sandlock_handle h)
{
    struct sl_target t;
    return sl_target_of(h, &t) == 0 && sl_target_check(&t) == 0;
}

int sl_target_check(const struct sl_target *t)
{
    if (!sl_slot_of(t->handle))
        return -ESRCH;
    uint64_t id = t->id;
    if (ioctl(t->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0)
        return -ESRCH;
    return 0;
}
