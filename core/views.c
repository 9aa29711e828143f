/* views.c -- see views.h. */
#include "config.h"
#include "views.h"
#include "here.h"
#include "slots.h"
#include "supervisor.h"

#include <unistd.h>

struct sl_views *sl_views_of(sandlock_handle h)
{
    struct sl_slots *t = sl_slots_of(h);
    return t && t->owner && t->owner->here ? &t->owner->here->views : NULL;
}

void sl_views_set_fixed(struct sl_views *v, int fixed)
{
    if (!v)
        return;
    int old = atomic_exchange(&v->root_plus1, 0) - 1;
    if (old >= 0)
        close(old);
    atomic_store(&v->userns_ours, 0);
    v->fixed = fixed;
}

int sl_views_root(struct sl_views *v)
{
    return v && v->fixed ? atomic_load_explicit(&v->root_plus1, memory_order_acquire) - 1 : -1;
}

int sl_views_offer_root(struct sl_views *v, int fd)
{
    int none = 0;
    return v && v->fixed && fd >= 0 && atomic_compare_exchange_strong(&v->root_plus1, &none, fd + 1);
}

int sl_views_userns_ours(struct sl_views *v)
{
    return v && v->fixed && atomic_load_explicit(&v->userns_ours, memory_order_relaxed);
}

void sl_views_learn_userns_ours(struct sl_views *v)
{
    if (v && v->fixed)
        atomic_store_explicit(&v->userns_ours, 1, memory_order_relaxed);
}
