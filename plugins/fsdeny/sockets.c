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
 * connect that may wait for room in a listener's backlog (every stream
 * or seqpacket connect: O_NONBLOCK, a flag of the description the child
 * shares, may be gone by the time the connect is made) runs on a thread
 * of its own (blocking.h).
 *
 * Sends: a unix datagram socket is the only kind whose sends look a path
 * up (stream and seqpacket sockets refuse or ignore an address). Every
 * send of one that reaches fsdeny (sendto with an address, sendmsg,
 * sendmmsg) is copied whole -- name, data, control, the descriptors of
 * SCM_RIGHTS as fsdeny's copies -- its path names judged and rewritten
 * through the checked socket file, and sent by a deputy of the sandbox
 * with the child's identity (sockmsg.h); one that would wait for room at
 * the receiver waits on a thread of its own. A connect of a unix stream
 * or seqpacket socket is made by a deputy too: the listener's SO_PEERCRED
 * names the child's side, never sandlock. */
#define _GNU_SOURCE
#include "sockets.h"
#include "behalf.h"
#include "blocking.h"
#include "../bindname.h"
#include "../sockmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* One bind or connect made for the child. */
struct sock_act {
    int sock;                      /* our copy of the child's socket */
    int hold;                      /* the checked object or directory, or -1 */
    int is_bind;
    int identified;                /* a connect the listener learns the maker of */
    const sandlock_host *host;
    sandlock_handle h;
    socklen_t len;
    struct sockaddr_storage ss;    /* the address the call uses */
};

static int sock_syscall(void *arg)
{
    const struct sock_act *a = arg;
    const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
    int rc = a->is_bind ? bind(a->sock, sa, a->len) : connect(a->sock, sa, a->len);
    return rc == 0 ? 0 : -errno;
}

/* The call (inside fsd_as_child). A connect of a stream or seqpacket
 * socket records its maker for the listener (SO_PEERCRED): a deputy of
 * the sandbox with the child's identity makes it (ABI 1.8), not sandlock. */
static long sock_call(void *arg)
{
    struct sock_act *a = arg;
    if (!a->identified)
        return sock_syscall(a);
    int keep[2] = { a->sock, a->hold };
    return a->host->deputy_connect(a->h, keep, 2, a->sock, &a->ss, a->len);
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

/* The path a unix address copy (len bytes) names, as the host's decoder
 * reads it (ABI 1.8: cut at the first NUL, as the kernel does), in d; NULL
 * when it names none (abstract, autobind, malformed: used as copied). */
static const char *unix_path(const struct fsd_call *c, void *addr, socklen_t len, sandlock_sockaddr *d)
{
    *d = (sandlock_sockaddr){ .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(*d) };
    if (len > sizeof(struct sockaddr_un) ||
        c->host->sockaddr_decode(addr, len, AF_UNIX, SANDLOCK_SA_CONNECT, 0, d) < 0 ||
        d->kind != SANDLOCK_SA_UNIX_PATH)
        return NULL;
    return d->name;
}

/* Decides the call once the socket is known to be a unix one and the
 * address copied: a bind is made here; a connect allowed returns 0 with
 * the address it is to use. */
static long unix_call(struct fsd_call *c, struct sock_act *a, sandlock_response *r)
{
    sandlock_sockaddr d;
    const char *path = unix_path(c, &a->ss, a->len, &d);
    if (!path)
        return a->is_bind ? fsd_as_child(c->host, c->ev->handle, sock_call, a) : 0;   /* no path: as copied */
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
    a->host = c->host;
    a->h = ev->handle;
    a->sock = c->host->dup_child_fd(ev->handle, (int)ev->args[0]);
    long rc = a->sock < 0 ? a->sock : 0;
    int domain = 0, type = 0;
    if (!rc && (getsockopt(a->sock, SOL_SOCKET, SO_DOMAIN, &domain, &(socklen_t){ sizeof(int) }) ||
                getsockopt(a->sock, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){ sizeof(int) })))
        rc = -errno;               /* ENOTSOCK, as the kernel says */
    if (!rc && domain != AF_UNIX)
        rc = FSD_SOCK_CONTINUE;
    a->identified = !is_bind && (type == SOCK_STREAM || type == SOCK_SEQPACKET);
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
    if (!rc && a->identified) {
        /* A stream or seqpacket connect may wait for room in the
         * listener's backlog, whatever O_NONBLOCK says now: the child
         * shares the open file description and may clear the flag from
         * another thread before the deputy connects. On a thread of its
         * own, always. */
        fsd_call_deferred(c->host, ev, &(struct fsd_wait){ sock_call, sock_release, a, 0, 0 }, r);
        return FSD_SOCK_ANSWERED;
    }
    if (!rc && !is_bind)
        rc = fsd_as_child(c->host, ev->handle, sock_call, a);
    sock_release(a);
    return rc;
}

/* --- sends ------------------------------------------------------------ */

/* A send made for the child: one message (sendto, sendmsg) or several
 * (sendmmsg, whose msg_len fields are written back), from `done` on. */
struct send_act {
    const sandlock_host *host;
    sandlock_handle h;
    int sock;
    int flags;                     /* the child's, with MSG_NOSIGNAL */
    int dontwait;                  /* add MSG_DONTWAIT (the first, direct try) */
    int mmsg;
    uint64_t vec;                  /* sendmmsg: the child's array */
    struct out_msg *msg;
    size_t n, done;
};

static void send_release(void *arg)
{
    struct send_act *a = arg;
    for (size_t i = 0; a->msg && i < a->n; i++)
        out_msg_free(&a->msg[i]);
    free(a->msg);
    if (a->sock >= 0)
        close(a->sock);
    free(a);
}

/* Sends from `done` on, by a deputy of the sandbox with the child's
 * identity (sockmsg.h: a receiver with SO_PASSCRED learns the child's
 * process and ids, never sandlock's). Returns the byte count (sendto,
 * sendmsg), the number of messages sent (sendmmsg: also after an error
 * once one was sent), or -errno. */
static long send_run(void *arg)
{
    struct send_act *a = arg;
    struct out_msg_outcome *o = malloc(sizeof(*o));
    if (!o)
        return -ENOMEM;
    size_t from = a->done;
    long rc = out_msg_send_deputy(a->host, a->h, a->sock, a->msg, from, a->n,
                                  a->flags | (a->dontwait ? MSG_DONTWAIT : 0), o);
    if (rc == 0) {
        for (size_t i = from; a->mmsg && i < o->done; i++)
            a->host->mem_write(a->h, a->vec + i * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len),
                               &o->len[i], sizeof(o->len[i]));
        a->done = o->done;
        if (o->err && !(a->mmsg && a->done))
            rc = -o->err;
        else
            rc = a->mmsg ? (long)a->done : (long)o->len[from];
    }
    free(o);
    return rc;
}

/* The name of a message: as copied, or a unix path judged and pointed at
 * the checked socket file. 0 or -errno (-EDEADLK: denied). */
static long gather_name(struct fsd_call *c, uint64_t addr, socklen_t len, struct out_msg *m)
{
    ssize_t got = c->host->mem_read(c->ev->handle, addr, &m->name, len);
    if (got < 0)
        return got;
    m->namelen = len;
    sandlock_sockaddr d;
    const char *path = unix_path(c, &m->name, len, &d);
    if (!path)
        return 0;                  /* no path: the kernel's own answer */
    struct fsd_path p;
    long rc = fsd_spell_name(c, AT_FDCWD, path, FSD_FOLLOW, &p);
    if (rc < 0)
        return rc;
    rc = fsd_named_denied(c, &p) ? -EDEADLK : (m->hold = fsd_obtain(c, &p, O_PATH)) < 0 ? m->hold : 0;
    fsd_path_release(&p);
    if (rc < 0)
        return rc;
    struct sock_act via = { .hold = m->hold };
    rc = through_hold(&via, NULL);
    memcpy(&m->name, &via.ss, sizeof(m->name));
    m->namelen = via.len;
    return rc;
}

/* Copies one message: name (nlen bytes at name), the data of iovlen
 * iovecs at iov_addr (or the one buffer `one`), control. 0 or -errno. */
static long gather(struct fsd_call *c, size_t room, uint64_t name, socklen_t nlen, uint64_t iov_addr, size_t iovlen,
                   const struct iovec *one, uint64_t control, size_t controllen, struct out_msg *m)
{
    const sandlock_host *host = c->host;
    m->hold = -1;
    long rc = name && nlen ? gather_name(c, name, nlen, m) : 0;
    if (rc < 0)
        return rc;
    if ((rc = out_msg_copy_data(host, c->ev->handle, iov_addr, iovlen, one, room, m)) < 0)
        return rc;
    if (!controllen)
        return 0;
    if (controllen > MAX_CONTROL)
        return -ENOBUFS;
    if (!(m->control = calloc(1, controllen)))
        return -ENOMEM;
    if ((rc = host->mem_read(c->ev->handle, control, m->control, controllen)) < 0)
        return rc;
    m->controllen = controllen;
    struct msghdr mh = { .msg_control = m->control, .msg_controllen = controllen };
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
        if (h->cmsg_len < CMSG_LEN(0) || h->cmsg_len > controllen)
            return -EINVAL;
        if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
            continue;              /* the kernel judges the others */
        int *fd = (int *)CMSG_DATA(h);
        for (size_t i = 0; i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            if (m->nfds == SCM_MAX_FD)
                return -EINVAL;
            int mine = host->dup_child_fd(c->ev->handle, fd[i]);
            if (mine < 0)
                return mine;
            fd[i] = m->fds[m->nfds++] = mine;
        }
    }
    return 0;
}

/* Copies the call's messages into a. 0 or -errno. */
static long gather_all(struct fsd_call *c, struct send_act *a, int kind, size_t room)
{
    const uint64_t *arg = c->ev->args;
    if (kind == FSD_SENDTO) {
        if ((int)arg[5] < 0 || (size_t)(int)arg[5] > sizeof(struct sockaddr_storage))
            return -EINVAL;
        struct iovec one = { (void *)(uintptr_t)arg[1], (size_t)arg[2] };
        a->n = 1;
        return gather(c, room, arg[4], (socklen_t)(int)arg[5], 0, 1, &one, 0, 0, &a->msg[0]);
    }
    struct mmsghdr *v = calloc(a->n, sizeof(*v));
    if (!v)
        return -ENOMEM;
    ssize_t got = c->host->mem_read(c->ev->handle, arg[1], v, a->n * (a->mmsg ? sizeof(v[0]) : sizeof(v[0].msg_hdr)));
    size_t n = a->n;
    long rc = got < 0 ? got : 0;
    size_t total = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const struct msghdr *mh = &v[i].msg_hdr;
        socklen_t nlen = mh->msg_namelen > sizeof(struct sockaddr_storage) ? sizeof(struct sockaddr_storage)
                                                                            : mh->msg_namelen;
        rc = gather(c, room, (uint64_t)(uintptr_t)mh->msg_name, nlen, (uint64_t)(uintptr_t)mh->msg_iov,
                    mh->msg_iovlen, NULL, (uint64_t)(uintptr_t)mh->msg_control, mh->msg_controllen, &a->msg[i]);
        total += a->msg[i].len;
        if (!rc && i > 0 && total > MAX_DATAGRAM) {
            out_msg_free(&a->msg[i]);     /* send what fits: a short count */
            a->msg[i] = (struct out_msg){ .hold = -1 };
            a->n = i;
            break;
        }
    }
    free(v);
    return rc;
}

long fsd_socket_send(struct fsd_call *c, int kind, sandlock_response *r)
{
    const sandlock_event *ev = c->ev;
    struct send_act *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->host = c->host;
    a->h = ev->handle;
    a->sock = c->host->dup_child_fd(ev->handle, (int)ev->args[0]);
    long rc = a->sock < 0 ? a->sock : 0;
    int domain = 0, type = 0, sndbuf = 0;
    if (!rc && (getsockopt(a->sock, SOL_SOCKET, SO_DOMAIN, &domain, &(socklen_t){ sizeof(int) }) ||
                getsockopt(a->sock, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){ sizeof(int) }) ||
                getsockopt(a->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &(socklen_t){ sizeof(int) })))
        rc = -errno;
    if (!rc && (domain != AF_UNIX || type != SOCK_DGRAM))
        rc = FSD_SOCK_CONTINUE;    /* no path is looked up */
    a->mmsg = kind == FSD_SENDMMSG;
    a->vec = ev->args[1];
    int flags = (int)ev->args[kind == FSD_SENDMSG ? 2 : 3];
    a->flags = flags | MSG_NOSIGNAL;
    a->n = !a->mmsg ? 1 : ev->args[2] > MAX_MMSG ? MAX_MMSG : (size_t)ev->args[2];
    if (!rc && a->n && !(a->msg = calloc(a->n, sizeof(*a->msg))))
        rc = -ENOMEM;
    for (size_t i = 0; a->msg && i < a->n; i++)
        a->msg[i].hold = -1;
    if (!rc && a->n)
        rc = gather_all(c, a, kind, sndbuf <= 32 ? 0 : (size_t)sndbuf - 32 > MAX_DATAGRAM ? MAX_DATAGRAM
                                                                                           : (size_t)sndbuf - 32);
    if (!rc && a->n) {
        a->dontwait = 1;
        rc = fsd_as_child(c->host, ev->handle, send_run, a);
        if ((rc == -EAGAIN || rc == -EWOULDBLOCK) && !(flags & MSG_DONTWAIT) &&
            !(fcntl(a->sock, F_GETFL) & O_NONBLOCK)) {
            /* No room at the receiver: the send waits, on a thread of its own. */
            a->dontwait = 0;
            fsd_call_deferred(c->host, ev, &(struct fsd_wait){ send_run, send_release, a, 0, 0 }, r);
            return FSD_SOCK_ANSWERED;
        }
    }
    send_release(a);
    return rc;
}
