/* notif.h -- notification slots: what a sandlock_handle names.
 *
 * Every worker owns one slot for the notification it is handling; deferral
 * (defer.c) hands a worker a spare slot and leaves the deferred notification
 * in the old one. A handle is (generation << 32 | slot index + 1): once a
 * slot's notification is answered its handle value changes, so a stale
 * handle can never reach another notification. */
#ifndef SANDLOCK_NOTIF_H
#define SANDLOCK_NOTIF_H

#include <sandlock/plugin.h>
#include <stdatomic.h>
#include <sys/types.h>

enum sl_slot_state {
    SL_SLOT_FREE = 0,
    SL_SLOT_ACTIVE,      /* a worker is running the chain */
    SL_SLOT_DEFERRED,    /* waiting for host->answer() */
};

struct sl_slot {
    _Atomic uint64_t handle;   /* live handle; 0 when no notification */
    uint32_t generation;
    atomic_int state;          /* enum sl_slot_state */
    uint64_t id;               /* kernel notification id */
    pid_t pid;
    int32_t nr;
    const char *syscall_name;
    uint64_t deadline_ns;      /* deferred: when the host answers EIO */
    int policy;                /* deferred: exception policy of the deferring instance */
    struct sl_instance *deferred_by;
};

struct sl_slots {
    struct sl_slot *slot;
    size_t n;                  /* workers + max_deferred */
    size_t nworkers;
};

extern struct sl_slots sl_slots;
extern int sl_listener_fd;        /* -1 outside `sandlock run` */
extern __thread size_t sl_worker_slot;

static inline sandlock_handle sl_handle_make(size_t index, uint32_t generation)
{
    return ((uint64_t)generation << 32) | (uint64_t)(index + 1);
}

/* The slot a live handle names, or NULL when the handle is stale or bogus. */
static inline struct sl_slot *sl_slot_of(sandlock_handle h)
{
    uint64_t index = (h & 0xffffffffu);
    if (index == 0 || index > sl_slots.n)
        return NULL;
    struct sl_slot *s = &sl_slots.slot[index - 1];
    return atomic_load_explicit(&s->handle, memory_order_acquire) == h ? s : NULL;
}

#endif
