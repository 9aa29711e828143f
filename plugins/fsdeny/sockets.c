/* sockets.c -- see sockets.h.
 *
 * The socket is fsdeny's copy of the child's descriptor and the address
 * its copy of the child's bytes, read once: nothing the child changes
 * afterwards (its buffer, a symlink, its descriptor table) changes what is
 * bound or connected. A path address is spelled and judged as any path
 * argument (object.c); a bind is then made in the checked directory -- with
 * the child's own bytes where the name the kernel records must stay the
 * child's (../bindname.c proves the file landed in that directory), else
 * through /proc/self/fd/DIR/NAME -- and a connect goes to the checked
 * socket file through /proc/self/fd/OBJ. Other addresses of a unix socket
 * (abstract, autobind, malformed) are used as copied; sockets of other
 * families continue in the kernel, which reads no path from them. A
 * connect that may wait for room in a listener's backlog (a blocking
 * stream or seqpacket socket) runs on a thread of its own (blocking.h). */
#define _GNU_SOURCE
#include "sockets.h"
#include "behalf.h"
#include "blocking.h"
#include "../bindname.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* One bind or connect made for the child. */
struct sock_act {
    int sock;                      /* our copy of the child's socket */
    int hold;                      /* the checked object or directory, or -1 */
    int is_bind;
    socklen_t len;
    struct sockaddr_storage ss;    /* the address the call uses */
};

static long sock_call(void *arg)
{
    const struct sock_act *a = arg;
    const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
    int rc = a->is_bind ? bind(a->sock, sa, a->len) : connect(a->sock, sa, a->len);
    return rc == 0 ? 0 : -errno;
}

static void sock_release(void *arg)
{
    struct sock_act *a = arg;
    if (a->sock >= 0)
        close(a->sock);
    if (a->hold >= 0)
        close(a->hold);
    free(a);
}

/* Points the address at the checked descriptor: /proc/self/fd/HOLD, or
 * the entry `name` of that directory. 0 or -ENAMETOOLONG. */
static long through_hold(struct sock_act *a, const char *name)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&a->ss;
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    int w = name ? snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d/%s", a->hold, name)
                 : snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", a->hold);
    if (w < 0 || (size_t)w >= sizeof(un->sun_path))
        return -ENAMETOOLONG;
    a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)w + 1);
    return 0;
}

/* The bind of the judged path p in its checked parent directory. */
static long bind_checked(struct fsd_call *c, struct sock_act *a, struct fsd_path *p, sandlock_response *r)
{
    const char *last;
    if (p->fd >= 0)
        return -EADDRINUSE;        /* names an object the child holds: it exists */
    a->hold = fsd_obtain_parent(c, p, &last);
    if (a->hold < 0)
        return a->hold;
    long rc = BIND_NOT_TRIED;
    /* The child's own bytes name the entry from its root and working
     * directory; a walk rewritten from its /proc or /dev/fd links would
     * not from ours, nor would a name with trailing slashes be an entry. */
    if (!p->magic && !strchr(last, '/'))
        rc = bind_as_named(c->host, c->ev, a->sock, (const struct sockaddr *)&a->ss, a->len, a->hold, last);
    if (rc == BIND_ELSEWHERE) {
        c->host->log(c->cfg, SANDLOCK_LOG_ERROR, "bind of unix:%s created the socket elsewhere than checked "
                     "(a path changed during the call): ending the sandbox", p->named);
        sandlock_respond_kill(r, SIGKILL);
        return FSD_SOCK_ANSWERED;
    }
    if (rc == BIND_NOT_TRIED && (rc = through_hold(a, last)) == 0)
        rc = fsd_as_child(c->host, c->ev->handle, sock_call, a);
    return rc;
}

/* Decides the call once the socket is known to be a unix one and the
 * address copied: a bind is made here; a connect allowed returns 0 with
 * the address it is to use. */
static long unix_call(struct fsd_call *c, struct sock_act *a, sandlock_response *r)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)&a->ss;
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (a->len <= off || a->len > sizeof(*un) || un->sun_family != AF_UNIX || un->sun_path[0] == '\0')
        return a->is_bind ? fsd_as_child(c->host, c->ev->handle, sock_call, a) : 0;   /* no path: as copied */
    char path[sizeof(un->sun_path) + 1];
    memcpy(path, un->sun_path, a->len - off);
    path[a->len - off] = '\0';     /* the kernel ends the name at the first NUL, too */
    struct fsd_path p;
    long rc = fsd_spell_name(c, AT_FDCWD, path, a->is_bind ? 0 : FSD_FOLLOW, &p);
    if (rc < 0)
        return rc;
    if (fsd_named_denied(c, &p))
        rc = -EDEADLK;
    else if (a->is_bind)
        rc = bind_checked(c, a, &p, r);
    else if ((a->hold = fsd_obtain(c, &p, O_PATH)) < 0)
        rc = a->hold;
    else
        rc = through_hold(a, NULL);
    fsd_path_release(&p);
    return rc;
}

long fsd_socket_call(struct fsd_call *c, int is_bind, sandlock_response *r)
{
    const sandlock_event *ev = c->ev;
    struct sock_act *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->hold = -1;
    a->is_bind = is_bind;
    a->sock = c->host->dup_child_fd(ev->handle, (int)ev->args[0]);
    long rc = a->sock < 0 ? a->sock : 0;
    int domain = 0, type = 0;
    if (!rc && (getsockopt(a->sock, SOL_SOCKET, SO_DOMAIN, &domain, &(socklen_t){ sizeof(int) }) ||
                getsockopt(a->sock, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){ sizeof(int) })))
        rc = -errno;               /* ENOTSOCK, as the kernel says */
    if (!rc && domain != AF_UNIX)
        rc = FSD_SOCK_CONTINUE;
    /* The kernel's own limits on the length (an int). */
    int len = (int)ev->args[2];
    if (!rc && (len < 0 || (size_t)len > sizeof(a->ss)))
        rc = -EINVAL;
    if (!rc && len > 0) {
        ssize_t n = c->host->mem_read(ev->handle, ev->args[1], &a->ss, (size_t)len);
        rc = n < 0 ? n : 0;
    }
    a->len = (socklen_t)len;
    if (!rc)
        rc = unix_call(c, a, r);
    if (!rc && !is_bind && type != SOCK_DGRAM && !(fcntl(a->sock, F_GETFL) & O_NONBLOCK)) {
        /* A connect that may wait for the listener: on a thread of its own. */
        fsd_call_deferred(c->host, ev, &(struct fsd_wait){ sock_call, sock_release, a, 0, 0 }, r);
        return FSD_SOCK_ANSWERED;
    }
    if (!rc && !is_bind)
        rc = fsd_as_child(c->host, ev->handle, sock_call, a);
    sock_release(a);
    return rc;
}
