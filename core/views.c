/* views.c -- see views.h. */
#include "config.h"
#include "views.h"

#include <stdatomic.h>
#include <unistd.h>

static int fixed;
static atomic_int root = -1;
static atomic_int userns_ours;

void sl_views_set_fixed(int f)
{
    int old = atomic_exchange(&root, -1);
    if (old >= 0)
        close(old);
    atomic_store(&userns_ours, 0);
    fixed = f;
}

int sl_views_root(void)
{
    return fixed ? atomic_load_explicit(&root, memory_order_acquire) : -1;
}

int sl_views_offer_root(int fd)
{
    int none = -1;
    return fixed && fd >= 0 && atomic_compare_exchange_strong(&root, &none, fd);
}

int sl_views_userns_ours(void)
{
    return fixed && atomic_load_explicit(&userns_ours, memory_order_relaxed);
}

void sl_views_learn_userns_ours(void)
{
    if (fixed)
        atomic_store_explicit(&userns_ours, 1, memory_order_relaxed);
}
