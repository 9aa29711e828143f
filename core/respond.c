/* respond.c -- see respond.h. */
#include "config.h"
#include "respond.h"
#include "log.h"
#include "sandbox.h"
#include "supervisor.h"
#include "seccomp_ioctl.h"
#include "vobject.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int send_resp(int listener, uint64_t id, int64_t val, int32_t error, uint32_t flags)
{
    struct seccomp_notif_resp resp = { .id = id, .val = val, .error = error, .flags = flags };
    int rc;
    /* The kernel takes its lock interruptibly: a signal (the stop wake-up)
     * must not leave the call unanswered. */
    while ((rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp)) != 0 && errno == EINTR)
        ;
    if (rc == 0 || errno == ENOENT)
        return 0;
    return -errno;
}

/* The descriptor to hand the child for `fd` (which it consumes): fd
 * itself, or when it is an object the session serves as other content
 * (vobject.h), that content; -errno when the call must fail instead. */
static int served_fd(const struct sl_supervisor *sup, int fd, uint32_t fd_flags)
{
    if (!sl_vobjects_any(sup->here) || (fd_flags & SL_FD_CHECKED))
        return fd;
    int flags = fcntl(fd, F_GETFL), content;
    if (flags < 0) {
        close(fd);
        return -EIO;               /* fail closed: it could not be checked */
    }
    if (sl_vobject_lookup(sup->here, fd, flags & O_ACCMODE, &content) != 0)
        return fd;
    close(fd);
    return content;
}

static int send_fd(const struct sl_supervisor *sup, uint64_t id, const struct sl_answer *a)
{
    int listener = sup->listener;
    int fd = served_fd(sup, a->fd, a->fd_flags);
    if (fd < 0)
        return send_resp(listener, id, 0, fd, 0);
    struct seccomp_notif_addfd addfd = {
        .id = id,
        .flags = SECCOMP_ADDFD_FLAG_SEND,
        .srcfd = (uint32_t)fd,
        .newfd = 0,
        .newfd_flags = (a->fd_flags & SANDLOCK_FD_NO_CLOEXEC) ? 0 : O_CLOEXEC,
    };
    int rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    int saved = errno;
    close(fd);
    if (rc >= 0 || saved == ENOENT)
        return 0;
    /* The fd could not be installed (e.g. the child's fd table is full):
     * the syscall fails with that error instead. */
    return send_resp(listener, id, 0, -saved, 0);
}

/* SIGKILLs the process whose call `id` is trapped, so that it never returns
 * to user space, whatever we answer. Returns 0 once the signal is queued,
 * -1 when the task could not be named (pid 0, unknown id, gone). */
static int kill_trapped(const struct sl_slots *slots, int listener, uint64_t id)
{
    pid_t pid = sl_slots_pid_of(slots, id);
    if (pid <= 0)
        return -1;
    /* The trapped task may be a thread other than its process's leader:
     * PIDFD_THREAD (Linux 6.9) names it; SIGKILL kills its whole process. */
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        pidfd = (int)syscall(SYS_pidfd_open, pid, O_EXCL /* PIDFD_THREAD */);
    if (pidfd < 0)
        return -1;
    int rc = -1;
    /* The pid names the trapped task only while the notification is live. */
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
        rc = (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    close(pidfd);
    return rc == 0 ? 0 : -1;
}

int sl_respond(const struct sl_supervisor *sup, uint64_t id, const struct sl_answer *a)
{
    int listener = sup->listener;
    switch (a->verdict) {
    case SANDLOCK_VERDICT_CONTINUE:
        return send_resp(listener, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    case SANDLOCK_VERDICT_ERRNO:
        return send_resp(listener, id, 0, -a->error, 0);
    case SANDLOCK_VERDICT_RETURN:
        return send_resp(listener, id, a->value, 0, 0);
    case SANDLOCK_VERDICT_FD:
        return send_fd(sup, id, a);
    case SANDLOCK_VERDICT_KILL:
        /* The trapped call must never return to the sandbox, and no process
         * of it may see another die first: with a PID namespace the answer
         * waits until the namespace is gone (the kernel SIGKILLs all its
         * processes at once when the stub dies). Otherwise, or if that takes
         * too long, the trapped task gets SIGKILL before the answer. Without
         * a pid to signal the notification is left unanswered: the task
         * stays trapped until the sandbox's kill reaches it, and the kernel
         * drops the notification when it dies. */
        sl_sandbox_kill(sup->sandbox, a->signal);
        if (sl_sandbox_has_pidns(sup->sandbox) && sl_sandbox_wait_gone(sup->sandbox, 2000) == 0)
            return send_resp(listener, id, 0, -EPERM, 0);
        if (kill_trapped(&sup->slots, listener, id) != 0 && sl_sandbox_has_pidns(sup->sandbox))
            return 0;
        return send_resp(listener, id, 0, -EPERM, 0);
    }
    return send_resp(listener, id, 0, -EPERM, 0);
}
