/* childfd.h -- taking a copy of one of the trapped process's descriptors
 * (host->dup_child_fd; contract in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_CHILDFD_H
#define SANDLOCK_CHILDFD_H

#include "liveness.h"

#include <sandlock/plugin.h>

int sl_dup_child_fd(sandlock_handle h, int child_fd);

/* A copy (close-on-exec, the caller's) of descriptor `child_fd` of the
 * thread t names, or -errno: -EBADF (not open), -ESRCH, -EPERM, -EMFILE.
 * Thread-safe. The pidfd it needs comes from a small cache of the calling
 * thread, so a thread that keeps asking about the same task makes one
 * system call per copy. */
int sl_child_getfd(const struct sl_target *t, int child_fd);

/* A pidfd of the thread t names, from the calling thread's cache (the
 * cache owns it: do not close it), or -errno (-ESRCH, -ENOMEM...). It was
 * proven to name the trapped thread when opened; when a call through it
 * fails with ESRCH that task is gone and the pid reused: ask again with
 * `renew` set for a fresh one. */
int sl_child_pidfd(const struct sl_target *t, int renew);

#endif
