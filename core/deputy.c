/* deputy.c -- see deputy.h.
 *
 * sandlock (calling thread) --clone, no exit signal, pidfd--> hop
 *   hop: keeps the deputy's end of the channel and the request file only,
 *        ignores every signal it can, enters the stub's namespaces (setns
 *        on its pidfd), takes the child's credentials, makes itself
 *        non-dumpable, forks the deputy (in the sandbox's PID namespace:
 *        setns(CLONE_NEWPID) applies to children only) and waits for it,
 *        killing it when it stops; it ends with the deputy.
 *   deputy: reports that it is ready, then serves requests until the
 *        channel ends (sandlock closed it or ended).
 * The credentials change before the deputy exists in the sandbox's PID
 * namespace: no process of the sandbox ever sees one with more than the
 * child's rights. Both are forks of a threaded process: until they end
 * they make raw system calls only (no allocation, no lock: other sandlock
 * threads may have held one at the fork). The hop has no exit signal and
 * is waited for through its pidfd with __WALL, so nothing else of sandlock
 * that reaps children ever sees it; it has no parent-death signal either
 * (it would come when the thread that made it ends, and threads come and
 * go): if sandlock ends, the channel ends, and with it the deputy. */
#define _GNU_SOURCE
#include "config.h"
#include "deputy.h"
#include "childfd.h"
#include "creds.h"
#include "liveness.h"
#include "log.h"
#include "sandbox.h"
#include "slots.h"
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define DEPUTY_IDLE 8          /* idle deputies kept */
#define FDS_PER_MSG 250        /* descriptors per message on the channel (SCM_MAX_FD 253) */
#define WAIT_MS 100            /* the caller checks the notification this often */
#define SHRINK_ABOVE (1u << 20) /* a request file grown beyond this is emptied after the call */
#define INLINE_MAX 16384       /* messages up to this size travel in the request itself */

enum op { OP_READY, OP_CONNECT, OP_SEND };

/* A request, on the channel; its descriptors follow in its control and in
 * messages of FDS_PER_MSG each. */
struct request {
    uint32_t op;
    int32_t flags;
    int32_t sock;
    uint32_t nkeep;
    uint32_t n;                /* OP_SEND: messages in the request file */
    uint32_t addrlen;          /* OP_CONNECT */
    uint64_t size;             /* OP_SEND: bytes of the messages */
    uint32_t inline_msgs;      /* OP_SEND: they are in `msgs`, not in the request file */
    struct sockaddr_storage addr;
    int32_t keep[SL_DEPUTY_MAX_KEEP];   /* the numbers they take */
    char msgs[INLINE_MAX];     /* (only `size` bytes of it are sent) */
};

/* A message (in the request or its file): this header, then name, control and
 * data, each from an 8-byte boundary. */
struct wire_msg {
    uint32_t namelen, controllen;
    uint64_t len;
};

/* The answer (OP_READY: setup and step of a failed start). */
struct reply {
    int32_t rc;                /* OP_CONNECT: 0 or -errno */
    int32_t err;               /* OP_SEND: the errno that stopped the sends */
    uint32_t done;             /* OP_SEND: messages sent */
    int32_t setup, step;       /* a failed start: errno and enum step */
    uint32_t len[SL_DEPUTY_MAX_MSGS];
};

enum step { STEP_NONE, STEP_FDS, STEP_NS, STEP_CREDS, STEP_FORK };

static const char *const step_names[] = {
    "", "keep its descriptors", "enter the sandbox's namespaces", "take the child's credentials",
    "start in the sandbox's PID namespace",
};

struct deputy_plan {
    const struct sl_creds_all *c;
    int chan, memfd;           /* the deputy's end, the request file */
    int nsfd, nsflags;         /* the trapped thread's pidfd, the namespaces to enter */
    int stubfd;                /* the stub's pidfd, when the thread's is refused */
    pid_t sandlock;
};

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* ---- the hop and the deputy (forks: raw system calls only) ---- */

static void send_reply(int chan, const struct reply *r, size_t len)
{
    while (send(chan, r, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

static void __attribute__((noreturn)) setup_failed(int chan, enum step step, int err)
{
    struct reply r = { .setup = err ? err : EPERM, .step = step };
    send_reply(chan, &r, offsetof(struct reply, len));
    _exit(0);
}

/* Closes every descriptor but the channel, the request file and the
 * namespace pidfds. 0 or errno. */
static int keep_only(const struct deputy_plan *p)
{
    int fds[4];
    size_t n = 0;
    fds[n++] = p->chan;
    fds[n++] = p->memfd;
    if (p->nsfd >= 0)
        fds[n++] = p->nsfd;
    if (p->stubfd >= 0 && p->stubfd != p->nsfd)
        fds[n++] = p->stubfd;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    unsigned lo = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)fds[i] > lo && syscall(SYS_close_range, lo, (unsigned)fds[i] - 1, 0) != 0)
            return errno;
        lo = (unsigned)fds[i] + 1;
    }
    return syscall(SYS_close_range, lo, ~0u, 0) != 0 ? errno : 0;
}

/* Every signal that can be is ignored (the child may send the deputy any:
 * none runs sandlock's handlers there, none stops it but SIGSTOP); SIGCHLD
 * stays the default so that the hop can wait. (glibc keeps its own two,
 * whose handlers ignore signals from other processes.) */
static void ignore_signals(void)
{
    struct sigaction ign;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
            sigaction(sig, &ign, NULL);
}
static int caps_of_self(struct __user_cap_data_struct d[2])
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    return syscall(SYS_capget, &hdr, d) == 0 ? 0 : errno;
}

static int caps_to(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
        { (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
    };
    return syscall(SYS_capset, &hdr, d) == 0 ? 0 : errno;
}

/* What of the child's credentials differ from the hop's own, measured
 * before entering a user namespace (ids then read as from sandlock's). */
struct differs {
    int groups, gids, uids;
};

static struct differs compare_own(const struct sl_creds_all *c)
{
    struct differs d = { 1, 1, 1 };
    uid_t r, e, s;
    gid_t gr, ge, gs;
    gid_t g[SL_CREDS_MAX_GROUPS];
    int n = (int)syscall(SYS_getgroups, SL_CREDS_MAX_GROUPS, g);
    if (n == c->ngroups && (n == 0 || memcmp(g, c->groups, (size_t)n * sizeof(gid_t)) == 0))
        d.groups = 0;
    if (syscall(SYS_getresgid, &gr, &ge, &gs) == 0 && gr == c->rgid && ge == c->egid && gs == c->sgid &&
        (gid_t)syscall(SYS_setfsgid, -1) == c->fsgid)
        d.gids = 0;
    if (syscall(SYS_getresuid, &r, &e, &s) == 0 && r == c->ruid && e == c->euid && s == c->suid &&
        (uid_t)syscall(SYS_setfsuid, -1) == c->fsuid)
        d.uids = 0;
    return d;
}

/* Gives the hop the child's credentials exactly. Raw calls: this process
 * only. 0 or errno. */
static int become(const struct sl_creds_all *c, struct differs d)
{
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (d.groups && syscall(SYS_setgroups, c->ngroups, c->groups) != 0)
        return errno;
    if (d.gids) {
        if (syscall(SYS_setresgid, c->rgid, c->egid, c->sgid) != 0)
            return errno;
        syscall(SYS_setfsgid, c->fsgid);
        if ((gid_t)syscall(SYS_setfsgid, -1) != c->fsgid)
            return EPERM;
    }
    if (d.uids) {
        /* Keep the permitted set over the change (the child's is a part of
         * it), take it back into effect for setfsuid, then narrow. */
        struct __user_cap_data_struct now[2];
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || syscall(SYS_setresuid, c->ruid, c->euid, c->suid) != 0)
            return errno;
        int err = caps_of_self(now);
        if (!err)
            err = caps_to(now[0].permitted | (uint64_t)now[1].permitted << 32,
                          now[0].permitted | (uint64_t)now[1].permitted << 32,
                          now[0].inheritable | (uint64_t)now[1].inheritable << 32);
        if (err)
            return err;
        syscall(SYS_setfsuid, c->fsuid);
        if ((uid_t)syscall(SYS_setfsuid, -1) != c->fsuid)
            return EPERM;
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    }
    int err = caps_to(c->eff, c->perm, c->inh);
    if (err)
        return err;
    struct __user_cap_data_struct now[2];
    if ((err = caps_of_self(now)) != 0)
        return err;
    if ((now[0].effective | (uint64_t)now[1].effective << 32) != c->eff ||
        (now[0].permitted | (uint64_t)now[1].permitted << 32) != c->perm)
        return EPERM;
    return 0;
}


/* Puts the received descriptors got[0..n) at the numbers `want` names,
 * moving the deputy's own two out of the way first. 0 or errno. */
static int place(int *got, const int32_t *want, size_t n, int *own, size_t nown)
{
    int top = 0;
    for (size_t i = 0; i < n; i++)
        if (want[i] >= top)
            top = want[i] + 1;
    for (size_t k = 0; k < nown; k++)
        if (own[k] >= top)
            top = own[k] + 1;
    for (size_t k = 0; k < nown; k++)
        for (size_t i = 0; i < n; i++)
            if (want[i] == own[k]) {
                int moved = fcntl(own[k], F_DUPFD_CLOEXEC, top);
                if (moved < 0)
                    return errno;
                close(own[k]);
                own[k] = moved;
                top = moved + 1;
                break;
            }
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            int moved = fcntl(got[i], F_DUPFD, top);
            if (moved < 0)
                return errno;
            close(got[i]);
            got[i] = moved;
            top = moved + 1;
        }
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            if (dup2(got[i], want[i]) < 0)
                return errno;
            close(got[i]);
            got[i] = want[i];
        }
    return 0;
}

/* Receives one message of the channel and the descriptors in it (added at
 * got[*ngot], at most `room`). Its length, 0 at the channel's end, or -1. */
static ssize_t receive(int chan, void *buf, size_t len, int *got, size_t *ngot, size_t room)
{
    union {
        struct cmsghdr align;
        char space[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
    } control;
    struct iovec iov = { buf, len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                         .msg_controllen = sizeof(control) };
    ssize_t r;
    while ((r = recvmsg(chan, &mh, 0)) < 0 && errno == EINTR)
        ;
    for (struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*ngot < room)
                got[(*ngot)++] = fd;
            else
                close(fd);
        }
    }
    return r > 0 && (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ? -1 : r;
}

/* The sends of a request: the messages in the request file, in order. */
static void do_sends(const struct request *q, int memfd, struct reply *r)
{
    r->done = 0;
    r->err = 0;
    if (!q->n)
        return;
    const char *map = q->inline_msgs ? q->msgs : mmap(NULL, q->size, PROT_READ, MAP_SHARED, memfd, 0);
    if (map == MAP_FAILED) {
        r->err = errno;
        return;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < q->n; i++) {
        struct wire_msg w;
        if (at + sizeof(w) > q->size) {
            r->err = EIO;
            break;
        }
        memcpy(&w, map + at, sizeof(w));
        size_t name = at + sizeof(w), control = name + align8(w.namelen), data = control + align8(w.controllen);
        at = data + align8(w.len);
        if (w.len > q->size || at > q->size) {
            r->err = EIO;
            break;
        }
        struct iovec iov = { (void *)(map + data), w.len };
        struct msghdr mh = { .msg_name = w.namelen ? (void *)(map + name) : NULL, .msg_namelen = w.namelen,
                             .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = w.controllen ? (void *)(map + control) : NULL,
                             .msg_controllen = w.controllen };
        ssize_t sent = sendmsg(q->sock, &mh, q->flags);
        if (sent < 0) {
            r->err = errno;
            break;
        }
        r->len[i] = (uint32_t)sent;
        r->done = i + 1;
    }
    if (!q->inline_msgs)
        munmap((void *)map, q->size);
}

/* The deputy: serves requests until the channel ends. */
static void __attribute__((noreturn)) serve(int chan, int memfd)
{
    static struct request q;   /* (the deputy's own copy of memory) */
    static struct reply r;
    static int got[SL_DEPUTY_MAX_KEEP];
    struct reply ready = { 0 };
    send_reply(chan, &ready, offsetof(struct reply, len));
    for (;;) {
        size_t ngot = 0;
        char more;
        ssize_t len = receive(chan, &q, sizeof(q), got, &ngot, SL_DEPUTY_MAX_KEEP);
        if (len < (ssize_t)offsetof(struct request, msgs) || q.nkeep > SL_DEPUTY_MAX_KEEP ||
            (size_t)len != offsetof(struct request, msgs) + (q.inline_msgs ? q.size : 0))
            _exit(0);
        while (ngot < q.nkeep && receive(chan, &more, 1, got, &ngot, q.nkeep) == 1)
            ;
        if (ngot != q.nkeep)
            _exit(0);
        int own[2] = { chan, memfd };
        int err = place(got, q.keep, ngot, own, 2);
        chan = own[0];
        memfd = own[1];
        size_t rlen = offsetof(struct reply, len);
        memset(&r, 0, rlen);
        if (err) {
            r.rc = -err;
            r.err = err;
        } else if (q.op == OP_CONNECT) {
            r.rc = connect(q.sock, (const struct sockaddr *)&q.addr, q.addrlen) == 0 ? 0 : -errno;
        } else if (q.op == OP_SEND && q.n <= SL_DEPUTY_MAX_MSGS) {
            do_sends(&q, memfd, &r);
            rlen += r.done * sizeof(r.len[0]);
        } else {
            r.rc = -EINVAL;
            r.err = EINVAL;
        }
        for (size_t i = 0; i < ngot; i++)
            close(got[i]);
        send_reply(chan, &r, rlen);
    }
}

static void __attribute__((noreturn)) hop_main(const struct deputy_plan *p)
{
    int err = keep_only(p);
    if (err)
        setup_failed(p->chan, STEP_FDS, err);
    ignore_signals();
    struct differs d = compare_own(p->c);
    /* The thread's own namespaces (a non-dumpable thread refuses an
     * unprivileged sandlock: then the stub's, which are the same). */
    if (p->nsflags && setns(p->nsfd, p->nsflags) != 0 && setns(p->stubfd, p->nsflags) != 0)
        setup_failed(p->chan, STEP_NS, errno);
    if (p->nsfd >= 0)
        close(p->nsfd);
    if (p->stubfd >= 0 && p->stubfd != p->nsfd)
        close(p->stubfd);
    if ((err = become(p->c, d)) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        setup_failed(p->chan, STEP_CREDS, err ? err : errno);
    if (getppid() != p->sandlock)
        _exit(0);
    pid_t hop = getpid();
    pid_t deputy = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
    if (deputy < 0)
        setup_failed(p->chan, STEP_FORK, errno);
    if (deputy == 0) {
        /* (the hop, outside the sandbox's PID namespace, reads as 0) */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != (p->nsflags & CLONE_NEWPID ? 0 : hop))
            _exit(0);
        serve(p->chan, p->memfd);
    }
    close(p->chan);
    close(p->memfd);
    /* A deputy that stops (the child may SIGSTOP it) would hold its
     * caller: it is killed, the call fails, the next makes another. */
    for (;;) {
        int status;
        pid_t w = waitpid(deputy, &status, WUNTRACED);
        if (w < 0 && errno == EINTR)
            continue;
        if (w == deputy && WIFSTOPPED(status)) {
            kill(deputy, SIGKILL);
            continue;
        }
        _exit(0);
    }
}

/* ---- sandlock's side: the pool ---- */

struct deputy {
    struct sl_creds_all c;     /* whose identity it has */
    int nsflags;
    unsigned long run;         /* the sandbox it lives in (sl_sandbox_id) */
    int chan;                  /* sandlock's end of the channel */
    int memfd;                 /* the request file */
    size_t filled;             /* bytes of it written */
    int hop;                   /* pidfd of the hop */
    int deputy;                /* pidfd of the deputy, -1 while unknown */
    int busy, doomed;
    unsigned long used;        /* when it last served (pool clock) */
    struct deputy *next;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct deputy *pool;
static unsigned long pool_clock;

static int same_identity(const struct sl_creds_all *a, const struct sl_creds_all *b)
{
    return a->ruid == b->ruid && a->euid == b->euid && a->suid == b->suid && a->fsuid == b->fsuid &&
           a->rgid == b->rgid && a->egid == b->egid && a->sgid == b->sgid && a->fsgid == b->fsgid &&
           a->eff == b->eff && a->perm == b->perm && a->inh == b->inh && a->same_userns == b->same_userns &&
           a->ngroups == b->ngroups && !memcmp(a->groups, b->groups, (size_t)a->ngroups * sizeof(gid_t));
}

/* Kills the deputy: through its own pidfd, so that its hop reaps it and
 * ends. Killing the hop first would leave the deputy (live, or dead and
 * not yet reaped) to sandlock, a child subreaper that never waits for it:
 * the sandbox's PID namespace could then never end, nor sandlock's wait
 * for its stub. Through the hop (the deputy's parent-death signal) only
 * while the deputy is not known yet. */
static void kill_deputy(const struct deputy *d)
{
    syscall(SYS_pidfd_send_signal, d->deputy >= 0 ? d->deputy : d->hop, SIGKILL, NULL, 0);
}

/* The pid of the hop's one child (its deputy), or 0. */
static pid_t hop_child(pid_t hop)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)hop, (int)hop);
    FILE *f = fopen(path, "re");
    long n = 0;
    if (!f || fscanf(f, "%ld", &n) != 1 || n <= 0)
        n = 0;
    if (f)
        fclose(f);
    return (pid_t)n;
}

/* A pidfd of the hop's deputy, or -1. */
static int deputy_pidfd(pid_t hop)
{
    pid_t n = hop_child(hop);
    int fd = n ? (int)syscall(SYS_pidfd_open, n, 0) : -1;
    /* still the hop's child: the pidfd is not of a process that took a
     * dead deputy's pid */
    if (fd >= 0 && hop_child(hop) != n) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Kills the deputy and frees it. */
static void destroy(struct deputy *d)
{
    kill_deputy(d);
    close(d->chan);
    close(d->memfd);
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)d->hop, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
    close(d->hop);
    if (d->deputy >= 0) {
        /* left to sandlock after all (it cannot be another's child): reap it */
        waitid((idtype_t)P_PIDFD, (id_t)d->deputy, &si, WEXITED | __WALL | WNOHANG);
        close(d->deputy);
    }
    free(d);
}

/* Takes an idle deputy of this identity out of the pool, or NULL. */
static struct deputy *take_idle(unsigned long run, const struct sl_creds_all *c, int nsflags)
{
    pthread_mutex_lock(&pool_lock);
    struct deputy *d = pool;
    for (; d; d = d->next)
        if (!d->busy && d->run == run && d->nsflags == nsflags && same_identity(&d->c, c))
            break;
    if (d)
        d->busy = 1;
    pthread_mutex_unlock(&pool_lock);
    return d;
}

/* Gives a deputy back after a call (`broken`: it may not serve another);
 * keeps at most DEPUTY_IDLE idle ones. */
static void give_back(struct deputy *d, int broken)
{
    struct deputy *gone = NULL;
    pthread_mutex_lock(&pool_lock);
    d->busy = 0;
    d->used = ++pool_clock;
    if (broken || d->doomed) {
        gone = d;
    } else {
        unsigned idle = 0;
        struct deputy *oldest = NULL;
        for (struct deputy *e = pool; e; e = e->next)
            if (!e->busy) {
                idle++;
                if (!oldest || e->used < oldest->used)
                    oldest = e;
            }
        if (idle > DEPUTY_IDLE)
            gone = oldest;
    }
    if (gone)
        for (struct deputy **e = &pool; *e; e = &(*e)->next)
            if (*e == gone) {
                *e = gone->next;
                break;
            }
    pthread_mutex_unlock(&pool_lock);
    if (gone)
        destroy(gone);
}

void sl_deputy_close_run(unsigned long run)
{
    pthread_mutex_lock(&pool_lock);
    struct deputy *idle = NULL;
    for (struct deputy **e = &pool; *e;) {
        struct deputy *d = *e;
        if (d->run != run) {
            e = &d->next;
            continue;
        }
        if (d->busy) {
            d->doomed = 1;
            e = &d->next;
            continue;
        }
        *e = d->next;
        d->next = idle;
        idle = d;
    }
    pthread_mutex_unlock(&pool_lock);
    while (idle) {
        struct deputy *next = idle->next;
        destroy(idle);
        idle = next;
    }
}

/* Waits for the deputy's answer: its length, or -EINTR (the notification
 * is gone: the deputy was killed) or -EPIPE (the deputy ended). */
static ssize_t await(struct deputy *d, const struct sl_target *t, struct reply *r)
{
    for (;;) {
        struct pollfd p = { .fd = d->chan, .events = POLLIN };
        int n = poll(&p, 1, WAIT_MS);
        if (n == 1) {
            ssize_t len;
            while ((len = recv(d->chan, r, sizeof(*r), MSG_DONTWAIT)) < 0 && errno == EINTR)
                ;
            if (len >= (ssize_t)offsetof(struct reply, len))
                return len;
            if (len < 0 && errno == EAGAIN)
                continue;
            return -EPIPE;
        }
        if ((n == 0 || errno == EINTR) && sl_target_check(t) == 0)
            continue;
        kill_deputy(d);
        return -EINTR;
    }
}

/* Makes a deputy with identity c. */
static int make(unsigned long run, const struct sl_target *t, const struct sl_creds_all *c, int nsflags, int stubfd,
                struct deputy **out)
{
    struct deputy *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        free(d);
        return -errno;
    }
    d->memfd = (int)syscall(SYS_memfd_create, "sandlock-deputy", MFD_CLOEXEC);
    if (d->memfd < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        free(d);
        return -e;
    }
    d->c = *c;
    d->nsflags = nsflags;
    d->chan = sv[0];
    d->busy = 1;
    struct deputy_plan plan = { .c = c, .chan = sv[1], .memfd = d->memfd, .nsflags = nsflags,
                                .stubfd = stubfd, .sandlock = getpid() };
    plan.nsfd = stubfd >= 0 ? sl_child_pidfd(t, 0) : -1;
    d->hop = -1;
    d->deputy = -1;
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD, NULL, &d->hop, NULL, 0);
    if (pid == 0)
        hop_main(&plan);
    int err = errno;
    close(sv[1]);
    if (pid < 0) {
        close(d->chan);
        close(d->memfd);
        free(d);
        sl_log(SANDLOCK_LOG_WARN, "cannot start a deputy for a call of pid %d (%s): the call fails with EAGAIN",
               (int)t->pid, strerror(err));
        return -EAGAIN;
    }
    struct reply *r = malloc(sizeof(*r));
    ssize_t len = r ? await(d, t, r) : -ENOMEM;
    int rc = len < 0 ? (int)len : 0;
    if (len >= 0 && r->setup) {
        sl_log(SANDLOCK_LOG_WARN, "the deputy for a call of pid %d could not %s (%s): the call fails with EPERM",
               (int)t->pid, r->step > 0 && r->step <= STEP_FORK ? step_names[r->step] : "start",
               strerror(r->setup));
        rc = -EPERM;
    }
    free(r);
    /* Ready, the hop's child exists; failed, it may exist too (its setup
     * failed, or the child stopped it): either way it is killed through its
     * own pidfd, so that the hop, alive, reaps it (destroy()). */
    d->deputy = deputy_pidfd(pid);
    if (rc == -EPIPE)
        rc = -EINTR;           /* killed (by the child: it may signal its own) */
    if (rc) {
        destroy(d);
        return rc;
    }
    pthread_mutex_lock(&pool_lock);
    d->run = run;
    d->next = pool;
    pool = d;
    pthread_mutex_unlock(&pool_lock);
    *out = d;
    return 0;
}

/* Sends the request and its descriptors: 0, or -EPIPE (the deputy is
 * gone: nothing was done). */
static int deliver(struct deputy *d, const struct request *q, const int *fds)
{
    size_t sent = 0;
    do {
        size_t k = q->nkeep - sent > FDS_PER_MSG ? FDS_PER_MSG : q->nkeep - sent;
        union {
            struct cmsghdr align;
            char space[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
        } control;
        size_t qlen = offsetof(struct request, msgs) + (q->inline_msgs ? q->size : 0);
        struct iovec iov = sent ? (struct iovec){ "", 1 } : (struct iovec){ (void *)q, qlen };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (k) {
            memset(&control, 0, sizeof(control));
            mh.msg_control = &control;
            mh.msg_controllen = CMSG_SPACE(k * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(k * sizeof(int));
            memcpy(CMSG_DATA(c), fds + sent, k * sizeof(int));
        }
        ssize_t n;
        while ((n = sendmsg(d->chan, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
            ;
        if (n < 0)
            return errno == EPIPE || errno == ECONNRESET || errno == ECONNREFUSED ? -EPIPE : -errno;
        sent += k;
    } while (sent < q->nkeep);
    return 0;
}

/* Writes the messages into the request (small) or d's request file;
 * sets q->size and q->inline_msgs. */
static int write_msgs(struct deputy *d, struct request *q, const sandlock_deputy_msg *m, size_t n)
{
    size_t size = 0;
    for (size_t i = 0; i < n; i++)
        size += sizeof(struct wire_msg) + align8(m[i].namelen) + align8(m[i].controllen) + align8(m[i].len);
    q->size = size;
    q->inline_msgs = size <= INLINE_MAX;
    if (!size)
        return 0;
    char *buf = q->inline_msgs ? q->msgs : calloc(1, size);
    if (!buf)
        return -ENOMEM;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        struct wire_msg w = { m[i].namelen, m[i].controllen, m[i].len };
        memcpy(buf + at, &w, sizeof(w));
        at += sizeof(w);
        if (m[i].namelen)
            memcpy(buf + at, m[i].name, m[i].namelen);
        at += align8(m[i].namelen);
        if (m[i].controllen)
            memcpy(buf + at, m[i].control, m[i].controllen);
        at += align8(m[i].controllen);
        if (m[i].len)
            memcpy(buf + at, m[i].data, m[i].len);
        at += align8(m[i].len);
    }
    if (q->inline_msgs)
        return 0;
    int rc = 0;
    for (size_t done = 0; done < size && !rc;) {
        ssize_t w = pwrite(d->memfd, buf + done, size - done, (off_t)done);
        if (w < 0 && errno != EINTR)
            rc = -errno;
        else if (w > 0)
            done += (size_t)w;
    }
    free(buf);
    if (size > d->filled)
        d->filled = size;
    return rc;
}

/* One call: the identity of h's thread, a deputy of it, the request, the
 * answer into *r. Returns the answer's length or -errno. */
static ssize_t call(sandlock_handle h, struct request *q, const int *keep, size_t nkeep,
                    const sandlock_deputy_msg *msgs, struct reply *r)
{
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc)
        return rc;
    struct sl_creds_all *c = malloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    if ((rc = sl_creds_snapshot(&t, c)) != 0) {
        free(c);
        return rc;
    }
    int nsflags = 0;
    const struct sl_slots *table = sl_slots_of(h);
    const struct sl_sandbox *sandbox = table && table->owner ? table->owner->sandbox : NULL;
    int stubfd = sl_sandbox_ns_pidfd(sandbox, &nsflags);
    unsigned long run = sl_sandbox_id(sandbox);
    if (stubfd < 0)
        nsflags = 0;
    /* Capabilities count in their own user namespace only: a deputy that
     * stays in sandlock's (an adopted container's child in one of its
     * own) gets none, as the child has none here. */
    if (!c->same_userns && !(nsflags & CLONE_NEWUSER))
        c->eff = c->perm = c->inh = 0;
    ssize_t len;
    for (int tries = 0;; tries++) {
        struct deputy *d = take_idle(run, c, nsflags);
        if (!d && (len = make(run, &t, c, nsflags, stubfd, &d)) != 0)
            break;
        int delivered = 0;
        len = msgs ? write_msgs(d, q, msgs, q->n) : 0;
        if (!len && (len = deliver(d, q, keep)) == 0) {
            delivered = 1;
            len = await(d, &t, r);
        }
        if (len >= 0 && d->filled > SHRINK_ABOVE && ftruncate(d->memfd, 0) == 0)
            d->filled = 0;
        give_back(d, len < 0);
        /* An idle deputy may have died since (the child killed it):
         * nothing was done, another one is asked. One that dies during
         * the call was killed (the child may signal its own). */
        if (len == -EPIPE && !delivered && tries < 2)
            continue;
        if (len == -EPIPE)
            len = -EINTR;
        break;
    }
    free(c);
    return len;
}

/* A request with its header zeroed, or NULL. */
static struct request *new_request(void)
{
    struct request *q = malloc(sizeof(*q));
    if (q)
        memset(q, 0, offsetof(struct request, msgs));
    return q;
}

/* The descriptors of keep that are open (>= 0) into q. */
static void keep_into(struct request *q, const int *keep, size_t nkeep)
{
    q->nkeep = 0;
    for (size_t i = 0; i < nkeep; i++)
        if (keep[i] >= 0)
            q->keep[q->nkeep++] = keep[i];
}

int sl_deputy_connect(sandlock_handle h, const int *keep, size_t nkeep, int sock, const void *addr, uint32_t len)
{
    if (nkeep > SL_DEPUTY_MAX_KEEP || (nkeep && !keep) || !addr || len > sizeof(struct sockaddr_storage))
        return -EINVAL;
    struct request *q = new_request();
    struct reply *r = malloc(sizeof(*r));
    ssize_t n = q && r ? 0 : -ENOMEM;
    if (!n) {
        q->op = OP_CONNECT;
        q->sock = sock;
        q->addrlen = len;
        memcpy(&q->addr, addr, len);
        keep_into(q, keep, nkeep);
        n = call(h, q, q->keep, q->nkeep, NULL, r);
    }
    int rc = n < 0 ? (int)n : r->rc > 0 ? -EIO : r->rc;
    free(q);
    free(r);
    return rc;
}

long sl_deputy_send(sandlock_handle h, const int *keep, size_t nkeep, int sock, const sandlock_deputy_msg *msgs,
                    size_t n, int flags, unsigned *sent, int *err)
{
    if (nkeep > SL_DEPUTY_MAX_KEEP || (nkeep && !keep) || n > SL_DEPUTY_MAX_MSGS || (n && (!msgs || !sent)) ||
        !err)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((msgs[i].namelen && !msgs[i].name) || (msgs[i].controllen && !msgs[i].control) ||
            (msgs[i].len && !msgs[i].data))
            return -EINVAL;
    struct request *q = new_request();
    struct reply *r = malloc(sizeof(*r));
    ssize_t len = q && r ? 0 : -ENOMEM;
    if (!len) {
        q->op = OP_SEND;
        q->sock = sock;
        q->flags = flags;
        q->n = (uint32_t)n;
        keep_into(q, keep, nkeep);
        len = call(h, q, q->keep, q->nkeep, msgs, r);
    }
    long rc = len;
    if (len >= 0) {
        if (r->done > n || (size_t)len < offsetof(struct reply, len) + r->done * sizeof(r->len[0])) {
            rc = -EIO;
        } else {
            for (size_t i = 0; i < r->done; i++)
                sent[i] = r->len[i];
            *err = r->err;
            rc = r->done;
        }
    }
    free(q);
    free(r);
    return rc;
}
