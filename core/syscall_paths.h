/* syscall_paths.h -- where path syscalls keep their arguments
 * (host->syscall_paths; contract in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_SYSCALL_PATHS_H
#define SANDLOCK_SYSCALL_PATHS_H

#include <sandlock/plugin.h>

int sl_syscall_paths(const sandlock_event *ev, sandlock_syscall_paths *out);

/* Is syscall nr of the open family (open, openat, openat2, creat)? */
int sl_syscall_is_open(int nr);

#endif
