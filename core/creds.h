/* creds.h -- acting with the trapped thread's credentials.
 *
 * Whatever sandlock does for the child (opens, renames, links, binds,
 * connects) must succeed only where the child itself would succeed. The
 * kernel checks such calls against the credentials of the thread that makes
 * them, and credentials are per thread: a worker switches its own (raw
 * system calls, not glibc's set*id(), which change every thread) to the
 * trapped thread's for the duration of the call and then back.
 *
 * What is switched: effective and file-system uid and gid, the
 * supplementary groups and the effective capabilities. The real and saved
 * ids and the permitted set stay sandlock's (so the way back is always
 * open). Groups are taken from the child unless it holds every capability
 * that overrides file permissions (then the kernel never asks for them).
 *
 * Costs: nothing when sandlock has no capabilities and one uid and one gid
 * (an unprivileged user: the child cannot differ); otherwise a pidfd query
 * and capget() per notification (a worker keeps what it read for the
 * notification it serves: the trapped thread's credentials cannot change
 * while it waits), plus /proc/PID/status when the groups are needed
 * or the kernel has no PIDFD_GET_INFO (Linux < 6.13), a stat of the child's
 * user namespace when it holds capabilities, and the switch itself (a few
 * system calls each way) only for what differs. */
#ifndef SANDLOCK_CREDS_H
#define SANDLOCK_CREDS_H

#include "liveness.h"

#include <sandlock/plugin.h>

/* Makes the calling thread act with t's credentials. Returns 0 (switched,
 * or nothing to switch), or -errno with the thread unchanged: -ESRCH (the
 * notification is gone; checked after reading), -EPERM (they cannot be
 * taken over exactly, e.g. the child lives in another user namespace or
 * sandlock lacks the privilege), -EBUSY (the thread already acts for
 * another notification). Nests for the same notification. Every 0 must be
 * paired with sl_creds_leave() on the same thread. */
int sl_creds_enter(const struct sl_target *t);

/* Back to sandlock's own credentials. A thread that cannot get back ends
 * sandlock (the sandbox dies with it): it never goes on half switched. */
void sl_creds_leave(void);

/* Undoes any enter still open on this thread (a plugin crashed inside
 * run_as_child). No system call when nothing is switched. */
void sl_creds_reset(void);

/* The host's own look at the child (its memory, its /proc entries, its
 * descriptors) is sandlock's, also when a plugin calls a host service from
 * inside run_as_child: sl_creds_suspend() gives the thread sandlock's
 * credentials back and returns a token, sl_creds_resume(token) takes the
 * child's again (a thread that cannot ends sandlock: it never goes on as
 * sandlock inside run_as_child). Nothing happens outside run_as_child. */
int sl_creds_suspend(void);
void sl_creds_resume(int token);

/* Whether the calling thread acts for notification h now (inside its
 * run_as_child): a host service on the child's behalf then keeps the
 * credentials it wears instead of giving them back and taking them again. */
int sl_creds_acting_for(sandlock_handle h);

/* Every credential of the trapped thread t, as seen from sandlock's user
 * namespace: real, effective, saved and file-system ids, the groups and
 * the three capability sets (deputy.c gives a process exactly these).
 * Returns 0 (checked live after reading), -ESRCH, or -EPERM (unreadable,
 * or more than SL_CREDS_MAX_GROUPS groups). */
#define SL_CREDS_MAX_GROUPS 256
struct sl_creds_all {
    uid_t ruid, euid, suid, fsuid;
    gid_t rgid, egid, sgid, fsgid;
    uint64_t eff, perm, inh;
    int ngroups;
    gid_t groups[SL_CREDS_MAX_GROUPS];
    int same_userns;           /* the thread is in sandlock's user namespace */
};
int sl_creds_snapshot(const struct sl_target *t, struct sl_creds_all *c);

/* host->run_as_child (contract in sdk/sandlock/plugin.h). */
int sl_run_as_child(sandlock_handle h, int (*fn)(void *arg), void *arg);

#endif
