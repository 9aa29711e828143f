/* execwatch.h -- execve and execveat continue in the kernel after fsdeny's
 * check (only the kernel can run a program for the child), and the kernel
 * reads the path again: a child that rewrites its path buffer from another
 * thread in between could execute a denied program. So every exec fsdeny
 * lets through is remembered, and at the next call of that process fsdeny
 * sees (for a dynamic program, the loader's first file access, before any
 * of the program's own code runs) the program it now runs (/proc/PID/exe)
 * is judged: a denied one ends the sandbox. Lock-free, bounded: when too
 * many execs wait to be judged, the exec is refused instead. */
#ifndef FSDENY_EXECWATCH_H
#define FSDENY_EXECWATCH_H

#include <stdatomic.h>

#define FSD_EXEC_WATCH_SLOTS 64

struct fsd_exec_watch {
    atomic_int pending;                       /* slots in use */
    atomic_int tid[FSD_EXEC_WATCH_SLOTS];     /* the exec's thread, 0: free */
    atomic_int tgid[FSD_EXEC_WATCH_SLOTS];    /* and its process */
};

/* Remembers an exec by thread `tid` of process `tgid`. 0, or -EAGAIN when
 * every slot is taken. */
int fsd_exec_watch_add(struct fsd_exec_watch *w, int tid, int tgid);

/* For a notification of thread `tid`: 1 when an exec of it (or of its
 * process: the exec made that thread the process leader) was waiting to be
 * judged (it is forgotten now), else 0. No system call. */
int fsd_exec_watch_take(struct fsd_exec_watch *w, int tid);

#endif
