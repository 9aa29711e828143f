/* slots.h -- a supervisor's notification slots: what a sandlock_handle names.
 *
 * Every worker owns one slot for the notification it is handling; deferral
 * (defer.c) hands a worker a spare slot and leaves the deferred notification
 * in the old one. Each supervisor (one per session) owns one table; a
 * process may run several at once. A handle is
 *   generation << 32 | table number << 20 | slot index + 1
 * where the table number is the table's entry in a process-wide registry, so
 * a host service called with a handle finds its table from any thread,
 * without a lock. Once a slot's notification is answered its handle value
 * changes, so a stale handle can never reach another notification, neither
 * of its own table nor of one that reuses the number later (each table
 * starts its generations where the last one left off). */
#ifndef SANDLOCK_SLOTS_H
#define SANDLOCK_SLOTS_H

#include <sandlock/plugin.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

struct sl_instance;
struct sl_supervisor;

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
    int socket_judged;         /* a socket call's snapshot was taken (sockcall.h):
                                  a deferred Continue never goes to the kernel */
};

#define SL_SLOTS_MAX ((1u << 20) - 1)      /* slots in a table (workers + max_deferred) */
#define SL_SLOT_TABLES_MAX ((1u << 12) - 1) /* tables in a process at once */

struct sl_slots {
    struct sl_slot *slot;
    size_t n;                  /* workers + max_deferred */
    size_t nworkers;           /* slots 0 .. nworkers-1 start as the workers' */
    unsigned number;           /* in the registry (1 ..), 0 when not registered */
    struct sl_supervisor *owner;
};

/* The slot the calling worker handles its notification in, and its table
 * (set by the worker, moved by deferral). */
extern __thread size_t sl_worker_slot;
extern __thread struct sl_slots *sl_worker_table;

/* Allocates n slots (the first nworkers a worker's each) for `owner` and
 * registers the table. 0, or -1 with errno (ENOMEM, or EAGAIN when
 * SL_SLOT_TABLES_MAX tables exist). */
int sl_slots_init(struct sl_slots *t, size_t nworkers, size_t n, struct sl_supervisor *owner);

/* Makes every handle of the table stale (host services then fail with
 * -ESRCH); the table stays registered and readable. */
void sl_slots_retire(struct sl_slots *t);

/* Unregisters and frees the table: once no thread can hold its handles
 * any more (after the instances' fini()). */
void sl_slots_free(struct sl_slots *t);

/* The registry, read by sl_slot_of(). */
extern struct sl_slots *_Atomic sl_slot_tables[SL_SLOT_TABLES_MAX + 1];

static inline sandlock_handle sl_handle_make(const struct sl_slots *t, size_t index, uint32_t generation)
{
    return ((uint64_t)generation << 32) | ((uint64_t)t->number << 20) | (uint64_t)(index + 1);
}

/* The table a handle names (live or not), or NULL. */
static inline struct sl_slots *sl_slots_of(sandlock_handle h)
{
    return atomic_load_explicit(&sl_slot_tables[(h >> 20) & SL_SLOT_TABLES_MAX], memory_order_acquire);
}

/* The slot index a handle names in its table (unchecked). */
static inline size_t sl_slot_index(sandlock_handle h)
{
    return (size_t)(h & SL_SLOTS_MAX) - 1;
}

/* The slot a live handle names, or NULL when the handle is stale or bogus. */
static inline struct sl_slot *sl_slot_of(sandlock_handle h)
{
    const struct sl_slots *t = sl_slots_of(h);
    uint64_t index = h & SL_SLOTS_MAX;
    if (!t || index == 0 || index > t->n)
        return NULL;
    struct sl_slot *s = &t->slot[index - 1];
    return atomic_load_explicit(&s->handle, memory_order_acquire) == h ? s : NULL;
}

/* Slot `index` takes the notification `id` of `pid` (a worker, before it
 * runs the chain); returns its new handle. */
static inline sandlock_handle sl_slot_begin(struct sl_slots *t, size_t index, uint64_t id, pid_t pid, int nr,
                                            const char *syscall_name)
{
    struct sl_slot *slot = &t->slot[index];
    sandlock_handle h = sl_handle_make(t, index, ++slot->generation);
    slot->id = id;
    slot->pid = pid;
    slot->nr = nr;
    slot->syscall_name = syscall_name;
    slot->socket_judged = 0;
    atomic_store_explicit(&slot->state, SL_SLOT_ACTIVE, memory_order_relaxed);
    atomic_store_explicit(&slot->handle, h, memory_order_release);
    return h;
}

/* The slot's notification is answered: its handle goes stale, the slot is free. */
static inline void sl_slot_end(struct sl_slot *s)
{
    atomic_store_explicit(&s->handle, 0, memory_order_release);
    atomic_store_explicit(&s->state, SL_SLOT_FREE, memory_order_relaxed);
}

/* The pid whose notification `id` a slot of the table holds, or 0. */
pid_t sl_slots_pid_of(const struct sl_slots *t, uint64_t id);

#endif
