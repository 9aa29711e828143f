/* liveness.h -- is the notification a handle names still pending?
 *
 * Every host service copies the target of a handle (the trapped thread and
 * the kernel's notification id) once, acts on the child, and then asks the
 * kernel with SECCOMP_IOCTL_NOTIF_ID_VALID whether that notification is
 * still pending before it trusts what it read or opened: only then was the
 * pid still the trapped thread (not a recycled pid) while it acted. */
#ifndef SANDLOCK_LIVENESS_H
#define SANDLOCK_LIVENESS_H

#include <sandlock/plugin.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_target {
    sandlock_handle handle;
    pid_t pid;          /* trapped thread, host PID namespace */
    uint64_t id;        /* kernel notification id */
    int listener;       /* the notification fd */
};

/* Copies the pid and id of the live notification `h` into *t. Returns 0, or
 * -ESRCH when h is stale, bogus, names no task, or no sandbox runs.
 * Thread-safe; no syscall. */
int sl_target_of(sandlock_handle h, struct sl_target *t);

/* Returns 0 when t->handle still names the notification and the kernel
 * still has it pending (SECCOMP_IOCTL_NOTIF_ID_VALID), else -ESRCH.
 * Thread-safe; one ioctl. */
int sl_target_check(const struct sl_target *t);

/* host->pending(): 1 while `h` names a notification the kernel still has
 * pending (not answered, not timed out, the thread alive), else 0. */
int sl_pending(sandlock_handle h);

#endif
