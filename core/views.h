/* views.h -- what every task of the sandbox shares when none of them can
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
 * after the look (so the pid was the trapped task's), never assumed. */
#ifndef SANDLOCK_VIEWS_H
#define SANDLOCK_VIEWS_H

#include "liveness.h"

/* Whether the sandbox's tasks are fixed to one root and namespaces; forgets
 * (and closes) what was kept for the previous sandbox. Called before a
 * sandbox starts and when its plugins are unloaded (no worker or plugin
 * thread runs then). */
void sl_views_set_fixed(int fixed);

/* The sandbox's root held open (O_PATH; the caller must not close it), or
 * -1 when none is kept: then open /proc/PID/root, check the notification,
 * and offer the descriptor with sl_views_offer_root(). */
int sl_views_root(void);

/* Offers `fd`, t's root opened and proven t's by a liveness check after
 * the open. Returns 1 when it is kept from now on (the caller no longer
 * owns it), 0 when not (the caller closes it). */
int sl_views_offer_root(int fd);

/* 1 when the sandbox's user namespace is known to be sandlock's, else 0
 * (unknown: look). */
int sl_views_userns_ours(void);

/* Records that a task of the sandbox, proven live after the look, is in
 * sandlock's user namespace (kept only when the views are fixed). */
void sl_views_learn_userns_ours(void);

#endif
