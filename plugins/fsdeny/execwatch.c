/* execwatch.c -- see execwatch.h. */
#include "execwatch.h"

#include <errno.h>

int fsd_exec_watch_add(struct fsd_exec_watch *w, int tid, int tgid)
{
    for (int i = 0; i < FSD_EXEC_WATCH_SLOTS; i++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&w->tid[i], &free_slot, tid)) {
            atomic_store(&w->tgid[i], tgid);
            atomic_fetch_add(&w->pending, 1);
            return 0;
        }
    }
    return -EAGAIN;
}

int fsd_exec_watch_take(struct fsd_exec_watch *w, int tid)
{
    if (atomic_load(&w->pending) == 0)
        return 0;
    for (int i = 0; i < FSD_EXEC_WATCH_SLOTS; i++) {
        int t = atomic_load(&w->tid[i]);
        if (t == 0 || (t != tid && atomic_load(&w->tgid[i]) != tid))
            continue;
        if (atomic_compare_exchange_strong(&w->tid[i], &t, 0)) {
            atomic_fetch_sub(&w->pending, 1);
            return 1;
        }
    }
    return 0;
}
