/* proctree.h -- killing a process's descendants, for a sandbox without a
 * PID namespace of its own: its stub and sandlock are child subreapers, so
 * every process of the sandbox, orphans included, is a descendant of both.
 * Each process found is frozen before its children are read and all are
 * killed together, so that none of them runs on to see another one die. */
#ifndef SANDLOCK_PROCTREE_H
#define SANDLOCK_PROCTREE_H

#include <sys/types.h>

/* Kills every descendant of `root` (repeatedly, until a walk of its
 * process tree finds none; a scan of all of /proc where the kernel does
 * not list children). Returns how many were signalled. */
int sl_kill_descendants_of(pid_t root);

/* The same for the calling process. */
int sl_kill_descendants(void);

/* The walk alone, through /proc/PID/task/TID/children: allocates nothing
 * and takes no lock (the stub runs it, see stubcode.h). Returns how many
 * were signalled, or -1 when the kernel does not list children. */
int sl_kill_descendants_walk(pid_t root);

#endif
