/* slots.c -- see slots.h. */
#include "config.h"
#include "slots.h"

#include <errno.h>
#include <stdlib.h>

__thread size_t sl_worker_slot;
__thread struct sl_slots *sl_worker_table;

struct sl_slots *_Atomic sl_slot_tables[SL_SLOT_TABLES_MAX + 1];

/* Where the next table starts its generations (see slots.h). */
static _Atomic uint32_t next_generation;

int sl_slots_init(struct sl_slots *t, size_t nworkers, size_t n, struct sl_supervisor *owner)
{
    *t = (struct sl_slots){ .nworkers = nworkers, .n = n, .owner = owner };
    if (n == 0 || n > SL_SLOTS_MAX || nworkers > n) {
        errno = EINVAL;
        return -1;
    }
    if (!(t->slot = calloc(n, sizeof(struct sl_slot))))
        return -1;
    /* 2^16 notifications a slot before a generation may come round again. */
    uint32_t base = atomic_fetch_add(&next_generation, 1u << 16);
    for (size_t i = 0; i < n; i++)
        t->slot[i].generation = base;
    for (unsigned k = 1; k <= SL_SLOT_TABLES_MAX; k++) {
        struct sl_slots *expected = NULL;
        if (atomic_compare_exchange_strong(&sl_slot_tables[k], &expected, t)) {
            t->number = k;
            return 0;
        }
    }
    free(t->slot);
    t->slot = NULL;
    errno = EAGAIN;
    return -1;
}

void sl_slots_retire(struct sl_slots *t)
{
    for (size_t i = 0; t->slot && i < t->n; i++)
        atomic_store(&t->slot[i].handle, 0);
}

void sl_slots_free(struct sl_slots *t)
{
    if (t->number)
        atomic_store(&sl_slot_tables[t->number], NULL);
    free(t->slot);
    *t = (struct sl_slots){ 0 };
}

pid_t sl_slots_pid_of(const struct sl_slots *t, uint64_t id)
{
    for (size_t i = 0; t->slot && i < t->n; i++)
        if (t->slot[i].id == id)
            return t->slot[i].pid;
    return 0;
}
