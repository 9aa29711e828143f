/* sockcall.c -- the snapshot of a socket call (see sockcall.h).
 *
 * Taken once per notification, on the worker that runs the chain: a copy
 * of the child's socket (pidfd_getfd) and what it is, the address bytes
 * read once (sendmsg, sendmmsg: the header array once, then each name),
 * each decoded as the kernel reads it for that socket, and a unix path
 * resolved once -- made absolute from the child's root and working
 * directory, opened with O_PATH (the socket file, or for a bind the
 * directory the entry goes in) as the child would reach it, with its
 * credentials (host->open_path), the child's own /proc/self/fd/N and
 * /dev/fd/N links starting at a copy of that descriptor -- so that every
 * instance judges one object and the call then goes through it. */
#define _GNU_SOURCE
#include "config.h"
#include "sockcall.h"
#include "childfd.h"
#include "liveness.h"
#include "memory.h"
#include "paths.h"
#include "selflink.h"
#include "slots.h"
#include "sockaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

__thread struct sl_sockcall *sl_sockcall_current;

static const char *const call_names[] = { "connect", "bind", "sendto", "sendmsg", "sendmmsg" };
static int call_nrs[5];
static pthread_once_t nrs_once = PTHREAD_ONCE_INIT;

static void resolve_nrs(void)
{
    for (int i = 0; i < 5; i++)
        call_nrs[i] = seccomp_syscall_resolve_name(call_names[i]);
}

/* SL_SOCK_* of syscall nr, or -1. */
static int kind_of(int nr)
{
    pthread_once(&nrs_once, resolve_nrs);
    for (int i = 0; i < 5; i++)
        if (call_nrs[i] >= 0 && call_nrs[i] == nr)
            return i;
    return -1;
}

void sl_sockcall_free(struct sl_sockcall *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; s->t && i < s->pub.count; i++)
        if (s->t[i].pub.hold >= 0)
            close(s->t[i].pub.hold);
    if (s->pub.sock >= 0)
        close(s->pub.sock);
    free(s->t);
    free(s->view);
    free(s->vec);
    free(s);
}

/* A link of the child's /proc entry (cwd) as sandlock sees it. 0 or -1. */
static int child_link(pid_t pid, const char *what, char *out, size_t size)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, what);
    ssize_t n = readlink(link, out, size - 1);
    if (n <= 0)
        return -1;
    out[n] = '\0';
    return 0;
}

/* Strips the child's root directory `root` from a sandlock-side path. */
static const char *in_child_root(const char *root, const char *path)
{
    size_t rlen = strlen(root);
    if (rlen <= 1 || strncmp(path, root, rlen) != 0 || (path[rlen] != '/' && path[rlen] != '\0'))
        return path;
    return path[rlen] ? path + rlen : "/";
}

/* The path of our descriptor fd (symlinks resolved) as the child sees it. */
static int fd_path(int fd, const char *root, char *out, size_t size)
{
    char link[64], buf[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = in_child_root(root, buf);
    if (strlen(p) >= size)
        return -1;
    strcpy(out, p);
    return 0;
}

/* Opens `path` (the directory part when creating) with O_PATH as the
 * child would reach it; `base` receives the new name when creating. A
 * path through one of the child's own magic links (/proc/self/fd/N,
 * /dev/fd/N, its cwd or exe: selflink.h) starts at that object and may not
 * leave it (RESOLVE_BENEATH; otherwise EXDEV); its other /proc entries are
 * named by its own ids. Returns the descriptor or -errno. */
static int open_unix_path(const struct sl_target *t, const char *path, int creating, char *base, size_t bsize,
                          int *magic)
{
    char dir[2 * PATH_MAX + 2];
    snprintf(dir, sizeof(dir), "%s", path);
    base[0] = '\0';
    if (creating) {
        char *slash = strrchr(dir, '/');
        if (!slash[1] || strlen(slash + 1) >= bsize)
            return slash[1] ? -ENAMETOOLONG : -EINVAL;
        strcpy(base, slash + 1);
        slash[slash == dir ? 1 : 0] = '\0';
    }
    int flags = O_PATH | O_CLOEXEC | (creating ? O_DIRECTORY : 0);
    struct sl_self self;
    int kind = sl_self_translate(t, dir, &self);
    *magic = kind == SL_SELF_OBJECT;
    if (kind < 0)
        return kind;
    if (kind != SL_SELF_OBJECT)
        return sl_open_path(t->handle, kind == SL_SELF_PATH ? self.path : dir, flags, 0);
    int start = self.fd;
    const char *rest = self.rest;
    struct open_how how = { .flags = (uint64_t)flags, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
    rest += strspn(rest, "/");
    /* EAGAIN: a rename or mount elsewhere raced a ".." of the lookup; the
     * kernel asks for a retry. */
    int fd, tries = 0;
    do
        fd = (int)syscall(SYS_openat2, start, *rest ? rest : ".", &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN && ++tries < 1000);
    int err = errno;
    close(start);
    return fd >= 0 ? fd : -err;
}

/* A unix path target: named, resolved and held, `use` pointing at the held
 * object. The lookup's failure is the target's error (the rules judge the
 * name anyway). 0 or -errno (ESRCH: the notification is gone). */
static int resolve_unix(const struct sl_target *t, int creating, struct sl_sock_target *x)
{
    char root[PATH_MAX], walk[2 * PATH_MAX + 2];
    ssize_t rl = sl_child_root(t->handle, root, sizeof(root));
    if (rl < 0)
        return (int)rl;
    const char *path = x->pub.sa.name;
    if (path[0] == '/') {
        snprintf(walk, sizeof(walk), "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (child_link(t->pid, "cwd", cwd, sizeof(cwd)) || sl_target_check(t))
            return -ESRCH;
        snprintf(walk, sizeof(walk), "%s/%s", in_child_root(root, cwd), path);
    }
    if (sl_path_normalise(walk, x->named, sizeof(x->named)) < 0) {
        x->pub.error = -ENAMETOOLONG;
        return 0;
    }
    int fd = open_unix_path(t, walk, creating, x->base, sizeof(x->base), &x->magic);
    if (fd == -ESRCH)
        return fd;
    if (fd < 0) {
        x->pub.error = fd;
        return 0;
    }
    x->pub.hold = fd;
    if (x->magic)
        x->pub.flags |= SANDLOCK_SOCK_MAGIC;
    if (fd_path(fd, root, x->real, sizeof(x->real)) == 0 && creating) {
        size_t len = strlen(x->real);
        if (len + 1 + strlen(x->base) >= sizeof(x->real))
            x->real[0] = '\0';
        else
            snprintf(x->real + len, sizeof(x->real) - len, "%s%s", len > 1 ? "/" : "", x->base);
    }
    struct sockaddr_un *un = (struct sockaddr_un *)&x->use;
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    int w = creating ? snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d/%s", fd, x->base)
                     : snprintf(un->sun_path, sizeof(un->sun_path), "/proc/self/fd/%d", fd);
    if (w < 0 || (size_t)w >= sizeof(un->sun_path)) {
        x->pub.error = -ENAMETOOLONG;
        return 0;
    }
    x->use_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)w + 1);
    return 0;
}

/* The socket's own IPv4 address when it is bound to one, else 0. */
static uint32_t bound_ipv4(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len))
        return 0;
    return ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_addr.s_addr : 0;
}

/* Does a send on this socket go where its address says? Stream sockets
 * ignore the address (TCP uses one only for MSG_FASTOPEN, refused), so do
 * unix seqpacket sockets. */
static int send_goes_by_name(const struct sl_sockcall *s)
{
    if (s->pub.domain == AF_UNIX)
        return s->pub.type == SOCK_DGRAM;
    return s->pub.type != SOCK_STREAM;
}

/* Fills target x from the child's address (addr, len): the copy, its
 * meaning, a unix path resolved. 0 or -ESRCH (the whole call). */
static int take_target(struct sl_sockcall *s, const struct sl_target *t, uint64_t addr, uint64_t len,
                       struct sl_sock_target *x)
{
    x->pub.hold = -1;
    x->pub.named = x->named;
    x->pub.real = x->real;
    x->pub.base = x->base;
    x->pub.sa = (sandlock_sockaddr){ .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(x->pub.sa) };
    if (!addr || !len) {
        /* connect and bind read len bytes from NULL; a send takes none */
        x->pub.error = !addr && len && s->kind <= SL_SOCK_BIND ? -EFAULT : 0;
        return 0;
    }
    ssize_t n = sl_mem_read(t->handle, addr, &x->given, (size_t)len);
    if (n == -ESRCH)
        return -ESRCH;
    if (n < 0) {
        x->pub.error = (int)n;
        return 0;
    }
    x->pub.addr = &x->given;
    x->pub.len = (uint32_t)len;
    x->use = x->given;
    x->use_len = (socklen_t)len;
    unsigned call = s->kind == SL_SOCK_CONNECT ? SANDLOCK_SA_CONNECT
                    : s->kind == SL_SOCK_BIND  ? SANDLOCK_SA_BIND
                                               : SANDLOCK_SA_SEND;
    if (call == SANDLOCK_SA_SEND && !send_goes_by_name(s)) {
        x->pub.flags |= SANDLOCK_SOCK_IGNORED;
        return 0;
    }
    int domain = s->pub.domain;
    if (domain == AF_INET || domain == AF_INET6) {
        /* "this host" is where the kernel goes: 127.0.0.1, or the
         * socket's own IPv4 address when it is bound to one */
        int rc = sl_sockaddr_decode(&x->use, len, domain, call, 0, &x->pub.sa);
        if (rc == 0 && x->pub.sa.kind == SANDLOCK_SA_INET && (x->pub.sa.flags & SANDLOCK_SA_THIS_HOST)) {
            uint32_t local4 = bound_ipv4(s->pub.sock);
            if (local4) {
                x->use = x->given;
                rc = sl_sockaddr_decode(&x->use, len, domain, call, local4, &x->pub.sa);
            }
        }
        x->pub.error = rc;
        return 0;
    }
    if (domain != AF_UNIX) {
        x->pub.sa.kind = SANDLOCK_SA_OTHER;       /* the kernel reads it as given */
        x->pub.sa.family = x->given.ss_family;
        return 0;
    }
    if (sl_sockaddr_decode(&x->use, len, domain, call, 0, &x->pub.sa) < 0) {
        x->use = x->given;                      /* the kernel's own answer */
        x->pub.sa.kind = SANDLOCK_SA_NONE;
        return 0;
    }
    switch (x->pub.sa.kind) {
    case SANDLOCK_SA_UNIX_PATH:
        return resolve_unix(t, call == SANDLOCK_SA_BIND, x);
    case SANDLOCK_SA_UNIX_ABSTRACT:
        x->named[0] = '@';
        for (uint32_t i = 0; i < x->pub.sa.name_len && i + 2 < sizeof(x->named); i++)
            x->named[i + 1] = x->pub.sa.name[i] ? x->pub.sa.name[i] : '@';
        x->named[x->pub.sa.name_len + 1 < sizeof(x->named) ? x->pub.sa.name_len + 1 : sizeof(x->named) - 1] = '\0';
        break;
    case SANDLOCK_SA_UNIX_UNNAMED:
        strcpy(x->named, "@");              /* autobind: an abstract name */
        break;
    }
    return 0;
}

/* Takes the snapshot of ev's call into s. 0 or -errno (ESRCH, ENOMEM);
 * the call's own errors go to s->pub.error. */
static int take(struct sl_sockcall *s, const sandlock_event *ev)
{
    struct sl_target t;
    int rc = sl_target_of(ev->handle, &t);
    if (rc < 0)
        return rc;
    const uint64_t *a = ev->args;
    s->pub.sock = sl_child_getfd(&t, (int)a[0]);
    if (s->pub.sock < 0) {
        if (s->pub.sock == -ESRCH)
            return -ESRCH;
        s->pub.error = s->pub.sock;
        return 0;
    }
    if (getsockopt(s->pub.sock, SOL_SOCKET, SO_DOMAIN, &s->pub.domain, &(socklen_t){ sizeof(int) }) ||
        getsockopt(s->pub.sock, SOL_SOCKET, SO_TYPE, &s->pub.type, &(socklen_t){ sizeof(int) }) ||
        getsockopt(s->pub.sock, SOL_SOCKET, SO_PROTOCOL, &s->pub.protocol, &(socklen_t){ sizeof(int) })) {
        s->pub.error = -errno;         /* ENOTSOCK, as the kernel says */
        return 0;
    }
    size_t n = 1;
    if (s->kind == SL_SOCK_SENDMMSG)
        n = a[2] > MAX_MMSG ? MAX_MMSG : (size_t)a[2];
    s->flags = (int)(s->kind == SL_SOCK_SENDMSG ? a[2] : a[3]);
    if (s->kind == SL_SOCK_SENDMSG || s->kind == SL_SOCK_SENDMMSG) {
        if (n && !(s->vec = calloc(n, sizeof(*s->vec))))
            return -ENOMEM;
        ssize_t got = n ? sl_mem_read(ev->handle, a[1], s->vec,
                                      n * (s->kind == SL_SOCK_SENDMMSG ? sizeof(*s->vec) : sizeof(s->vec->msg_hdr)))
                        : 0;
        if (got == -ESRCH)
            return -ESRCH;
        if (got < 0) {
            s->pub.error = (int)got;
            return 0;
        }
    }
    if (n && !(s->t = calloc(n, sizeof(*s->t))))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        s->t[i].pub.hold = -1;
    s->pub.count = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        uint64_t addr, len;
        if (s->vec) {
            addr = (uint64_t)(uintptr_t)s->vec[i].msg_hdr.msg_name;
            len = s->vec[i].msg_hdr.msg_namelen;
            if ((int32_t)len < 0) {
                s->pub.error = -EINVAL;
                return 0;
            }
            if (len > sizeof(struct sockaddr_storage))     /* the kernel takes what fits */
                len = sizeof(struct sockaddr_storage);
        } else {
            addr = a[s->kind == SL_SOCK_SENDTO ? 4 : 1];
            len = a[s->kind == SL_SOCK_SENDTO ? 5 : 2];
            /* the kernel's own limits on the length (an int) */
            if ((int64_t)(int32_t)len != (int64_t)len || (int32_t)len < 0 || len > sizeof(struct sockaddr_storage)) {
                s->t[i].pub.error = -EINVAL;
                s->t[i].pub.hold = -1;
                s->t[i].pub.named = s->t[i].pub.real = s->t[i].pub.base = "";
                continue;
            }
        }
        if ((rc = take_target(s, &t, addr, len, &s->t[i])) < 0)
            return rc;
    }
    /* What plugins see: their own array (the pointers lead into s->t;
     * the held descriptors stay s->t's to close). */
    if (n && !(s->view = calloc(n, sizeof(*s->view))))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        s->view[i] = s->t[i].pub;
    s->pub.target = s->view;
    return 0;
}

int sl_sock_call(const sandlock_event *ev, const sandlock_sock_call **out)
{
    if (!ev || !out)
        return -EINVAL;
    *out = NULL;
    struct sl_sockcall *s = sl_sockcall_current;
    if (s && s->handle == ev->handle) {
        *out = &s->pub;
        return 0;
    }
    /* Only on the worker that runs this notification's chain. */
    struct sl_slot *slot = sl_slot_of(ev->handle);
    if (!slot || !sl_worker_table || slot != &sl_worker_table->slot[sl_worker_slot] ||
        atomic_load_explicit(&slot->state, memory_order_relaxed) != SL_SLOT_ACTIVE)
        return slot ? -EINVAL : -ESRCH;
    int kind = kind_of(ev->nr);
    if (kind < 0)
        return -EINVAL;
    if (s) {                           /* left by an earlier notification: cannot happen */
        sl_sockcall_free(s);
        sl_sockcall_current = NULL;
    }
    if (!(s = calloc(1, sizeof(*s))))
        return -ENOMEM;
    s->pub.abi_version = SANDLOCK_ABI_VERSION;
    s->pub.struct_size = sizeof(s->pub);
    s->pub.sock = -1;
    s->handle = ev->handle;
    s->ev = *ev;
    s->kind = kind;
    s->pub.call = kind == SL_SOCK_CONNECT ? SANDLOCK_SA_CONNECT : kind == SL_SOCK_BIND ? SANDLOCK_SA_BIND : SANDLOCK_SA_SEND;
    /* Failing or not, the call is the host's from now on: it is never
     * continued in the kernel (an instance may still answer Continue). */
    int rc = take(s, ev);
    if (rc < 0)
        s->pub.error = rc;
    if (s->pub.error) {
        for (uint32_t i = 0; s->t && i < s->pub.count; i++)
            if (s->t[i].pub.hold >= 0)
                close(s->t[i].pub.hold);
        free(s->t);
        free(s->view);
        s->t = NULL;
        s->view = NULL;
        s->pub.count = 0;
        s->pub.target = NULL;
    }
    slot->socket_judged = 1;           /* a deferred Continue is refused (defer.c) */
    sl_sockcall_current = s;
    *out = &s->pub;
    return 0;
}
