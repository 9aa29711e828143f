/* respond.c -- see respond.h. */
#include "config.h"
#include "respond.h"
#include "log.h"
#include "sandbox.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int send_resp(int listener, uint64_t id, int64_t val, int32_t error, uint32_t flags)
{
    struct seccomp_notif_resp resp = { .id = id, .val = val, .error = error, .flags = flags };
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 || errno == ENOENT)
        return 0;
    return -errno;
}

static int send_fd(int listener, uint64_t id, const struct sl_answer *a)
{
    struct seccomp_notif_addfd addfd = {
        .id = id,
        .flags = SECCOMP_ADDFD_FLAG_SEND,
        .srcfd = (uint32_t)a->fd,
        .newfd = 0,
        .newfd_flags = (a->fd_flags & SANDLOCK_FD_NO_CLOEXEC) ? 0 : O_CLOEXEC,
    };
    int rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    int saved = errno;
    close(a->fd);
    if (rc >= 0 || saved == ENOENT)
        return 0;
    /* The fd could not be installed (e.g. the child's fd table is full):
     * the syscall fails with that error instead. */
    return send_resp(listener, id, 0, -saved, 0);
}

int sl_respond(int listener, uint64_t id, const struct sl_answer *a)
{
    switch (a->verdict) {
    case SANDLOCK_VERDICT_CONTINUE:
        return send_resp(listener, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    case SANDLOCK_VERDICT_ERRNO:
        return send_resp(listener, id, 0, -a->error, 0);
    case SANDLOCK_VERDICT_RETURN:
        return send_resp(listener, id, a->value, 0, 0);
    case SANDLOCK_VERDICT_FD:
        return send_fd(listener, id, a);
    case SANDLOCK_VERDICT_KILL:
        sl_sandbox_kill(a->signal);
        /* The task is being killed; answer anyway so nothing stays trapped. */
        return send_resp(listener, id, 0, -EPERM, 0);
    }
    return send_resp(listener, id, 0, -EPERM, 0);
}
