/* sockperform.c -- making a socket call the chain allowed, once, on its
 * snapshot (see sockcall.h).
 *
 * connect and bind go to the snapshot's address as the decision read it
 * ("this host" rewritten, a unix path through the held object), on the
 * host's copy of the child's socket, with the trapped thread's
 * credentials; a bind of a privileged port only when the child has
 * CAP_NET_BIND_SERVICE; a unix bind with the child's own name bytes,
 * then proven to have made the entry in the checked directory
 * (bindname.h). A connect whose peer learns who made it (a unix stream
 * or seqpacket one: SO_PEERCRED) and every send of a socket that is not
 * IPv4 or IPv6 (a unix receiver's SCM_CREDENTIALS) is made by a deputy of
 * the sandbox with the child's identity (deputy.h). A send copies each
 * message (data, control, the descriptors of SCM_RIGHTS as the host's
 * copies) and sends it with the snapshot's name; it raises SIGPIPE in the
 * child where the kernel's own send would (the copies go with
 * MSG_NOSIGNAL), and sendmmsg's counts are written back. A connect that
 * may wait (any but a datagram or raw socket's: O_NONBLOCK is a flag of
 * the description the child shares and may change), and a send that
 * found no room on a blocking socket, are made on a thread of the
 * executor (sockexec.h), never on a worker. */
#define _GNU_SOURCE
#include "config.h"
#include "sockcall.h"
#include "bindname.h"
#include "creds.h"
#include "loader.h"
#include "log.h"
#include "sockexec.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define CAP_BIND_SERVICE_BIT 10    /* CAP_NET_BIND_SERVICE */

static const sandlock_host *const host = &sl_host_table;

static struct sl_sockexec executor;
static atomic_int executor_ok;     /* set once, before any job exists */
static int unprivileged_port_start = 1024;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
    atomic_store(&executor_ok, sl_sockexec_init(&executor, host) == 0);
    FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
    if (f) {
        if (fscanf(f, "%d", &unprivileged_port_start) != 1)
            unprivileged_port_start = 1024;
        fclose(f);
    }
}

/* Runs `run` on an executor thread: the notification is deferred. 0 (the
 * job owns arg) or -errno. */
static int submit(struct sl_sockcall *s, sl_sockjob_run run, sl_sockjob_release release, void *arg)
{
    if (!executor_ok)
        return -EAGAIN;
    return sl_sockexec_submit(&executor, &s->ev, s->ev.args[1], run, release, arg);
}

int sl_host_job_submit(const sandlock_event *ev, uint64_t probe, sl_sockjob_run run, sl_sockjob_release release,
                       void *arg)
{
    pthread_once(&once, init_once);
    if (!executor_ok)
        return -EAGAIN;
    return sl_sockexec_submit(&executor, ev, probe, run, release, arg);
}

void sl_sockcall_drain(const struct sl_slots *table)
{
    /* no pthread_once: a run that made no socket call installs nothing */
    if (atomic_load(&executor_ok))
        sl_sockexec_drain(&executor, table);
}

/* Does the trapped thread have capability `bit` in sandlock's user
 * namespace? 1, 0, or -errno. */
static int child_capable(sandlock_handle h, int bit)
{
    struct sl_target t;
    struct sl_creds_all *c = malloc(sizeof(*c));
    int rc = c ? sl_target_of(h, &t) : -ENOMEM;
    if (!rc)
        rc = sl_creds_snapshot(&t, c);
    if (!rc)
        rc = c->same_userns && ((c->eff >> bit) & 1);
    free(c);
    return rc;
}

/* --- connect, bind --------------------------------------------------- */

static int connect_or_bind(void *arg)
{
    const struct sl_sockcall *s = arg;
    const struct sl_sock_target *t = &s->t[0];
    const struct sockaddr *sa = (const struct sockaddr *)&t->use;
    int rc = s->kind == SL_SOCK_BIND ? bind(s->pub.sock, sa, t->use_len) : connect(s->pub.sock, sa, t->use_len);
    return rc == 0 ? 0 : -errno;
}

/* A connect of a unix socket records who made it for the listener
 * (SO_PEERCRED): made by a deputy with the child's identity. */
static void connect_run(void *arg, sandlock_response *r)
{
    struct sl_sockcall *s = arg;
    const struct sl_sock_target *t = &s->t[0];
    int rc;
    if (s->pub.domain == AF_UNIX) {
        int keep[2] = { s->pub.sock, t->pub.hold };
        rc = host->deputy_connect(s->handle, keep, t->pub.hold >= 0 ? 2 : 1, s->pub.sock, &t->use, t->use_len);
    } else {
        rc = host->run_as_child(s->handle, connect_or_bind, s);
    }
    if (rc)
        sandlock_respond_errno(r, -rc);
    else
        sandlock_respond_return(r, 0);
}

static void release_call(void *arg)
{
    sl_sockcall_free(arg);
}

/* Makes connect or bind; 1 when the call went to a thread (the snapshot
 * is its), else 0 with *r set. */
static int perform_connect_bind(struct sl_sockcall *s, sandlock_response *r)
{
    const struct sl_sock_target *t = &s->t[0];
    int rc = 0;
    int port = t->pub.sa.kind == SANDLOCK_SA_INET || t->pub.sa.kind == SANDLOCK_SA_INET6 ? (int)t->pub.sa.port : -1;
    if (s->kind == SL_SOCK_BIND && port > 0 && port < unprivileged_port_start) {
        int capable = child_capable(s->handle, CAP_BIND_SERVICE_BIT);
        rc = capable < 0 ? capable : capable ? 0 : -EACCES;
    }
    if (!rc && s->kind == SL_SOCK_CONNECT && s->pub.type != SOCK_DGRAM && s->pub.type != SOCK_RAW) {
        rc = submit(s, connect_run, release_call, s);
        if (!rc) {
            sandlock_respond_defer(r);
            return 1;
        }
    } else if (!rc && s->kind == SL_SOCK_BIND && s->pub.domain == AF_UNIX && t->pub.hold >= 0 && !t->magic &&
               t->base[0]) {
        /* a path: bound with the child's own bytes (the name it will see) */
        rc = bind_as_named(host, &s->ev, s->pub.sock, (const struct sockaddr *)&t->given, t->pub.len, t->pub.hold,
                           t->base);
        if (rc == BIND_NOT_TRIED)
            rc = host->run_as_child(s->handle, connect_or_bind, s);
        if (rc == BIND_ELSEWHERE) {
            sl_log(SANDLOCK_LOG_ERROR, "bind of unix:%s created the socket elsewhere than checked (a path changed "
                   "during the call): ending the sandbox", t->named);
            sandlock_respond_kill(r, SIGKILL);
            return 0;
        }
    } else if (!rc) {
        rc = host->run_as_child(s->handle, connect_or_bind, s);
    }
    if (rc)
        sandlock_respond_errno(r, -rc);
    else
        sandlock_respond_return(r, 0);
    return 0;
}

/* --- sends ------------------------------------------------------------ */

/* A send: one message (sendto, sendmsg) or several (sendmmsg), sent in
 * order from `done`. */
struct send_job {
    struct sl_sockcall *s;
    int flags;                     /* the child's, with MSG_NOSIGNAL */
    int sigpipe;                   /* the child's flags lack MSG_NOSIGNAL */
    int by_deputy;
    struct out_msg *msg;
    size_t n, done;
    long first_rc;                 /* sendto, sendmsg: the byte count */
};

static void send_release(void *arg)
{
    struct send_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        j->msg[i].hold = -1;       /* the snapshot's */
        out_msg_free(&j->msg[i]);
    }
    free(j->msg);
    sl_sockcall_free(j->s);
    free(j);
}

/* Is a control message one sandlock may send for the child itself (an IP
 * socket's)? These carry no privilege the kernel would check against
 * sandlock instead of the child; SCM_RIGHTS is translated. A deputy sends
 * the others with the child's identity. */
static int control_allowed(const struct cmsghdr *c)
{
    switch (c->cmsg_level) {
    case SOL_SOCKET:
        return c->cmsg_type == SCM_RIGHTS || c->cmsg_type == SO_TIMESTAMPING || c->cmsg_type == SCM_TXTIME;
    case SOL_IP:
        return c->cmsg_type == IP_PKTINFO || c->cmsg_type == IP_TTL || c->cmsg_type == IP_TOS;
    case SOL_IPV6:
        return c->cmsg_type == IPV6_PKTINFO || c->cmsg_type == IPV6_HOPLIMIT || c->cmsg_type == IPV6_TCLASS ||
               c->cmsg_type == IPV6_DONTFRAG;
    case SOL_UDP:
        return c->cmsg_type == UDP_SEGMENT;
    }
    return 0;
}

/* Copies message i's data and control into m, its name from the snapshot.
 * 0 or -errno. */
static long gather(struct send_job *j, size_t i, size_t room, struct out_msg *m)
{
    struct sl_sockcall *s = j->s;
    const struct sl_sock_target *t = &s->t[i];
    sandlock_handle h = s->handle;
    m->hold = t->pub.hold;
    if (t->pub.error)
        return t->pub.error;
    if (t->pub.addr) {
        int as_given = (t->pub.flags & SANDLOCK_SOCK_IGNORED) != 0;
        memcpy(&m->name, as_given ? &t->given : &t->use, sizeof(m->name));
        m->namelen = as_given ? t->pub.len : t->use_len;
    }
    uint64_t iov = 0, control = 0;
    size_t iovlen = 1, controllen = 0;
    struct iovec one = { (void *)(uintptr_t)s->ev.args[1], (size_t)s->ev.args[2] };
    if (s->vec) {
        const struct msghdr *mh = &s->vec[i].msg_hdr;
        iov = (uint64_t)(uintptr_t)mh->msg_iov;
        iovlen = mh->msg_iovlen;
        control = (uint64_t)(uintptr_t)mh->msg_control;
        controllen = mh->msg_controllen;
    }
    const struct iovec *onep = s->vec ? NULL : &one;
    long rc = s->pub.type == SOCK_STREAM ? out_msg_copy_prefix(host, h, iov, iovlen, onep, room, m)
                                         : out_msg_copy_data(host, h, iov, iovlen, onep, room, m);
    if (rc < 0 || !controllen)
        return rc < 0 ? rc : 0;
    if (controllen > MAX_CONTROL)
        return -ENOBUFS;
    if (!(m->control = calloc(1, controllen)))
        return -ENOMEM;
    ssize_t n = host->mem_read(h, control, m->control, controllen);
    if (n < 0)
        return n;
    m->controllen = controllen;
    struct msghdr mh = { .msg_control = m->control, .msg_controllen = controllen };
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > controllen)
            return -EINVAL;
        if (!j->by_deputy && !control_allowed(c))
            return -EPERM;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int *fd = (int *)CMSG_DATA(c);
        for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
            if (m->nfds == SCM_MAX_FD)
                return -EINVAL;
            int mine = host->dup_child_fd(h, fd[k]);
            if (mine < 0)
                return mine;
            fd[k] = m->fds[m->nfds++] = mine;
        }
    }
    return 0;
}

/* Sends from `done` on; stops at the first error (or EAGAIN when
 * `dontwait`). Returns 0 or the errno of the stop. */
static int send_messages(struct send_job *j, int dontwait)
{
    struct sl_sockcall *s = j->s;
    while (j->done < j->n) {
        ssize_t n = out_msg_send(s->pub.sock, &j->msg[j->done], j->flags | (dontwait ? MSG_DONTWAIT : 0));
        if (n < 0)
            return errno;
        if (s->kind == SL_SOCK_SENDMMSG) {
            unsigned len = (unsigned)n;
            uint64_t at = s->ev.args[1] + j->done * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);
            host->mem_write(s->handle, at, &len, sizeof(len));
        } else {
            j->first_rc = n;
        }
        j->done++;
    }
    return 0;
}

struct send_call {
    struct send_job *job;
    int dontwait;
};

static int run_send(void *arg)
{
    const struct send_call *c = arg;
    return -send_messages(c->job, c->dontwait);
}

/* By a deputy (sockmsg.h): a receiver with SO_PASSCRED learns the child's
 * process and ids, never sandlock's. 0 or the errno of the stop. */
static int send_by_deputy(struct send_job *j, int dontwait)
{
    struct sl_sockcall *s = j->s;
    struct out_msg_outcome *o = malloc(sizeof(*o));
    if (!o)
        return ENOMEM;
    size_t from = j->done;
    int rc = out_msg_send_deputy(host, s->handle, s->pub.sock, j->msg, from, j->n,
                                 j->flags | (dontwait ? MSG_DONTWAIT : 0), o);
    if (rc == 0) {
        for (size_t i = from; s->kind == SL_SOCK_SENDMMSG && i < o->done; i++) {
            uint64_t at = s->ev.args[1] + i * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);
            host->mem_write(s->handle, at, &o->len[i], sizeof(o->len[i]));
        }
        if (o->done > from)
            j->first_rc = o->len[o->done - 1];
        j->done = o->done;
        rc = -o->err;
    }
    free(o);
    return -rc;
}

/* With the child's credentials (the permission to write to a unix
 * socket's file, for one, is the child's). 0 or the errno of the stop. */
static int send_some(struct send_job *j, int dontwait)
{
    if (j->by_deputy)
        return send_by_deputy(j, dontwait);
    struct send_call c = { j, dontwait };
    return -host->run_as_child(j->s->handle, run_send, &c);
}

/* The answer once sending stopped with `err` (0: all sent). A send on a
 * stream whose peer is gone raises SIGPIPE in the sending thread, as the
 * kernel's own does (the copies were sent with MSG_NOSIGNAL). */
static void send_answer(struct send_job *j, int err, sandlock_response *r)
{
    struct sl_sockcall *s = j->s;
    if (err == EPIPE && j->sigpipe && s->pub.type == SOCK_STREAM && host->pending(s->handle))
        syscall(SYS_tkill, (pid_t)s->ev.pid, SIGPIPE);
    if (s->kind == SL_SOCK_SENDMMSG && j->done > 0)
        sandlock_respond_return(r, (int64_t)j->done);
    else if (err)
        sandlock_respond_errno(r, err);
    else
        sandlock_respond_return(r, s->kind == SL_SOCK_SENDMMSG ? 0 : j->first_rc);
}

static void send_run(void *arg, sandlock_response *r)
{
    struct send_job *j = arg;
    send_answer(j, send_some(j, 0), r);
}

/* The most one message may carry: a unix datagram socket's send buffer
 * less its overhead (larger is EMSGSIZE, as the kernel says), else the
 * largest datagram. */
static size_t room_of(const struct sl_sockcall *s)
{
    int sndbuf = 0;
    if (s->pub.domain != AF_UNIX || s->pub.type != SOCK_DGRAM ||
        getsockopt(s->pub.sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &(socklen_t){ sizeof(int) }))
        return MAX_DATAGRAM;
    return sndbuf <= 32 ? 0 : (size_t)sndbuf - 32 > MAX_DATAGRAM ? MAX_DATAGRAM : (size_t)sndbuf - 32;
}

/* Makes the send; 1 when it went to a thread (the snapshot is its), else
 * 0 with *r set. */
static int perform_send(struct sl_sockcall *s, sandlock_response *r)
{
    int inet = s->pub.domain == AF_INET || s->pub.domain == AF_INET6;
    if (inet && s->pub.type == SOCK_STREAM && (s->flags & MSG_FASTOPEN)) {
        sl_sockcall_free(s);
        sandlock_respond_errno(r, EOPNOTSUPP);   /* as with TCP Fast Open off */
        return 0;
    }
    size_t n = s->pub.count;
    if (!n) {
        sl_sockcall_free(s);
        sandlock_respond_return(r, 0);     /* sendmmsg of no message */
        return 0;
    }
    struct send_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->msg = calloc(n, sizeof(*j->msg)))) {
        free(j);
        sl_sockcall_free(s);
        sandlock_respond_errno(r, ENOMEM);
        return 0;
    }
    j->s = s;
    j->flags = s->flags | MSG_NOSIGNAL;
    j->sigpipe = !(s->flags & MSG_NOSIGNAL);
    j->by_deputy = !inet;
    size_t room = room_of(s), total = 0;
    long rc = 0;
    for (size_t i = 0; i < n; i++) {
        j->msg[i].hold = -1;
        j->n = i + 1;
        rc = gather(j, i, room, &j->msg[i]);
        total += j->msg[i].len;
        if (rc < 0 || (i > 0 && total > MAX_DATAGRAM)) {
            /* sendmmsg sends what comes before (a short count) */
            if (i > 0 && (rc >= 0 || s->kind == SL_SOCK_SENDMMSG)) {
                j->msg[i].hold = -1;
                out_msg_free(&j->msg[i]);
                j->n = i;
                rc = 0;
            }
            break;
        }
    }
    int err = rc < 0 ? (int)-rc : send_some(j, 1);
    if (rc == 0 && (err == EAGAIN || err == EWOULDBLOCK) && !(s->flags & MSG_DONTWAIT) &&
        !(s->kind == SL_SOCK_SENDMMSG && j->done) && !(fcntl(s->pub.sock, F_GETFL) & O_NONBLOCK)) {
        int sub = submit(s, send_run, send_release, j);
        if (!sub) {
            sandlock_respond_defer(r);
            return 1;
        }
        err = -sub;
    }
    send_answer(j, err, r);
    send_release(j);
    return 0;
}

void sl_sockcall_perform(struct sl_sockcall *s, struct sl_answer *a)
{
    if (a->verdict != SANDLOCK_VERDICT_CONTINUE) {
        /* refused (or killed): nothing is made; deferred by an instance:
         * its later Continue is refused (defer.c) */
        sl_sockcall_free(s);
        return;
    }
    pthread_once(&once, init_once);
    sandlock_response r;
    memset(&r, 0, sizeof(r));
    r.abi_version = SANDLOCK_ABI_VERSION;
    r.struct_size = sizeof(r);
    if (s->pub.error) {
        sandlock_respond_errno(&r, -s->pub.error);
        sl_sockcall_free(s);
    } else if (s->kind == SL_SOCK_CONNECT || s->kind == SL_SOCK_BIND) {
        if (s->t[0].pub.error) {
            sandlock_respond_errno(&r, -s->t[0].pub.error);
            sl_sockcall_free(s);
        } else if (!perform_connect_bind(s, &r)) {
            sl_sockcall_free(s);
        }
    } else {
        perform_send(s, &r);
    }
    a->verdict = r.verdict;
    a->error = r.error;
    a->value = r.value;
    a->signal = r.signal;
}
