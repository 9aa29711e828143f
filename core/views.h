/* views.h -- what every task of a sandbox shares when none of them can
 * change its root or namespaces, kept once for the sandbox instead of
 * looked up in /proc for every notification.
 *
 * With chroot, pivot_root, unshare and setns denied and clone's namespace
 * flags refused (default_deny: argdeny.c), no task of the sandbox can give
 * itself another root, mount namespace or user namespace than the one the
 * command started with, and every notification comes from such a task. So
 * the root the first checked notification shows (/proc/PID/root: the root
 * and the mount view) is every notification's, and so is whether its user
 * namespace is sandlock's. Both are learnt from a notification proven live
 * after the look (so the pid was the trapped task's), never assumed.
 *
 * Each session has its own (struct sl_here: a process may run several
 * sandboxes at once); a notification's is found from its handle. */
#ifndef SANDLOCK_VIEWS_H
#define SANDLOCK_VIEWS_H

#include <sandlock/plugin.h>
#include <stdatomic.h>

struct sl_views {
    int fixed;                /* the tasks cannot change root or namespaces */
    atomic_int root_plus1;    /* the held root + 1 (0: none; a zeroed struct holds nothing) */
    atomic_int userns_ours;
};

/* The views of the session notification `h` belongs to, or NULL (a stale
 * or bogus handle): then nothing is kept and everything is looked up. */
struct sl_views *sl_views_of(sandlock_handle h);

/* Whether the sandbox's tasks are fixed to one root and namespaces; forgets
 * (and closes) what was kept for the previous sandbox. Called before a
 * sandbox starts and when its plugins are unloaded (no worker or plugin
 * thread of that session runs then). NULL is ignored. */
void sl_views_set_fixed(struct sl_views *v, int fixed);

/* The sandbox's root held open (O_PATH; the caller must not close it), or
 * -1 when none is kept (or v is NULL): then open /proc/PID/root, check the
 * notification, and offer the descriptor with sl_views_offer_root(). */
int sl_views_root(struct sl_views *v);

/* Offers `fd`, the task's root opened and proven its by a liveness check
 * after the open. Returns 1 when it is kept from now on (the caller no
 * longer owns it), 0 when not (the caller closes it). */
int sl_views_offer_root(struct sl_views *v, int fd);

/* 1 when the sandbox's user namespace is known to be sandlock's, else 0
 * (unknown: look). */
int sl_views_userns_ours(struct sl_views *v);

/* Records that a task of the sandbox, proven live after the look, is in
 * sandlock's user namespace (kept only when the views are fixed). */
void sl_views_learn_userns_ours(struct sl_views *v);

#endif
