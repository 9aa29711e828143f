/* childfd.c -- see childfd.h. pidfd_open() pins the task; a liveness check
 * after it proves the pidfd names the trapped thread and not a task that
 * inherited its pid; pidfd_getfd() then copies the descriptor (it arrives
 * close-on-exec). */
#include "config.h"
#include "childfd.h"
#include "liveness.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD 0x80      /* O_EXCL: a pidfd for a thread (Linux 6.9) */
#endif

int sl_dup_child_fd(sandlock_handle h, int child_fd)
{
    if (child_fd < 0)
        return -EBADF;
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    /* The trapped thread need not lead its thread group; pidfd_open()
     * refuses such a tid (ENOENT; EINVAL before 6.9) unless asked for a
     * thread pidfd. */
    int pidfd = (int)syscall(SYS_pidfd_open, t.pid, 0);
    if (pidfd < 0 && (errno == ENOENT || errno == EINVAL))
        pidfd = (int)syscall(SYS_pidfd_open, t.pid, PIDFD_THREAD);
    if (pidfd < 0)
        return errno == ESRCH ? -ESRCH : -errno;
    if (sl_target_check(&t)) {
        close(pidfd);
        return -ESRCH;
    }
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
    rc = fd < 0 ? -errno : fd;
    close(pidfd);
    return rc;
}
