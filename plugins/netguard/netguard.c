/* netguard -- allow or deny connect, bind and addressed sends by address.
 *
 *   [plugin net]
 *   module = netguard
 *   default = deny            ; allow (the default) or deny
 *   allow = 127.0.0.0/8       ; repeatable
 *   allow = :53               ; any address, port 53
 *   deny = unix:/run/docker.sock
 *   errno = ECONNREFUSED      ; default
 *
 * Every call that names an address is race-free: the address (and for a
 * send, the message) is copied once, the copy is decoded the way the
 * kernel reads it for that socket (rules.c) and checked, and sandlock
 * performs the call itself on a duplicate of the child's socket with that
 * very copy, answering with its result. Unix socket paths are resolved
 * (symlinks included, and the child's own /proc/self/fd/N and /dev/fd/N)
 * and the call goes through a descriptor of the checked file or directory,
 * so swapping a symlink after the check changes nothing -- except a bind,
 * made with the child's own bytes so that the socket keeps the child's
 * name, then proven to have created the checked entry (bindname.c). No
 * call of a unix socket continues in the kernel, also when no rule can
 * deny a unix address: the kernel would act on whatever socket the
 * child's descriptor names by then (a UDP one dup2()ed onto it) with
 * whatever address its memory holds. A unix connect of a stream or
 * seqpacket socket, and a unix send of an unprivileged sandlock, are made
 * by a deputy of the sandbox with the child's identity (host ABI 1.8), so
 * that the peer's SO_PEERCRED / SCM_CREDENTIALS name the child's side,
 * never sandlock. Calls that may block run on the executor's threads
 * (executor.c), never on a sandlock worker. Sends on stream sockets name
 * no address and continue. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "../bindname.h"
#include "../sockmsg.h"
#include "executor.h"
#include "families.h"
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define CAP_BIND_SERVICE_BIT 10 /* CAP_NET_BIND_SERVICE */

struct netguard_state {
    struct netguard_rules rules;
    int default_allow;
    int error;
    const sandlock_config *cfg;    /* this instance, for host->report_denial */
    int unprivileged_port_start;   /* net.ipv4.ip_unprivileged_port_start */
    struct ng_executor exec;
};

static const sandlock_host *host;

/* Every call of these; sendto only with an address (sendto_rule). */
static const char *const netguard_names[] = {
    "connect", "bind", "sendmsg", "sendmmsg", NULL,
};

/* A sendto without an address (dest_addr NULL: a register, not the
 * child's memory) names no destination: the kernel sends to the socket's
 * peer, judged at its connect. Only the others are trapped. */
static int declare_sendto_rule(const sandlock_host *h, const sandlock_config *cfg, char *errbuf)
{
    sandlock_syscall_rule rule = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(rule),
                                   .syscall = "sendto", .verdict = SANDLOCK_RULE_HANDLE, .ncmp = 1,
                                   .cmp = { { .arg = 4, .op = SANDLOCK_CMP_NE, .value = 0 } } };
    int rc = h->add_syscall_rule(cfg, &rule);
    if (rc)
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot declare its sendto rule: %s", strerror(-rc));
    return rc ? -1 : 0;
}

/* Releases an instance. */
static void netguard_fini(void *state)
{
    struct netguard_state *st = state;
    if (!st)
        return;
    ng_executor_fini(&st->exec);
    netguard_rules_free(&st->rules);
    free(st);
}

/* Reads the first number of a /proc/sys file, or `fallback`. */
static int read_sysctl(const char *path, int fallback)
{
    FILE *f = fopen(path, "re");
    int v;
    if (!f)
        return fallback;
    if (fscanf(f, "%d", &v) != 1)
        v = fallback;
    fclose(f);
    return v;
}

static const sandlock_key_decl netguard_keys[] = {
    { "allow", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE,
      "an address allowed: ADDR[/BITS][:PORT], *:PORT or unix:/PATH (the first rule that matches decides)" },
    { "deny", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE, "an address denied, as for allow" },
    { "default", SANDLOCK_KEY_STRING, 0, "allow (the default) or deny: addresses no rule matches" },
    { "errno", SANDLOCK_KEY_ERRNO, 0, "the error of a denied call (default ECONNREFUSED)" },
    { NULL, 0, 0, NULL },
};

/* Reads allow, deny, default and errno (the host checked the keys). */
static int netguard_init(const sandlock_host *h, const sandlock_config *cfg, void **state,
                         char *errbuf)
{
    struct netguard_state *st = calloc(1, sizeof(*st));
    if (!st || ng_executor_init(&st->exec, h)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, st ? "cannot install the interrupt signal" : "out of memory");
        free(st);
        return SANDLOCK_ERROR;
    }
    st->default_allow = 1;
    st->error = ECONNREFUSED;
    st->cfg = cfg;
    st->unprivileged_port_start = read_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", 1024);
    const char *value = h->config_get(cfg, "default");
    if (value && strcmp(value, "allow") && strcmp(value, "deny")) {
        h->config_error(cfg, "default", value, errbuf, "expected allow or deny, got '%s'", value);
        goto fail;
    }
    st->default_allow = !value || value[0] == 'a';
    int64_t error = ECONNREFUSED;
    h->config_number(cfg, "errno", &error);
    st->error = (int)error;
    size_t cursor = 0;
    const char *key;
    while (h->config_next(cfg, &cursor, &key, &value)) {
        if (strcmp(key, "allow") && strcmp(key, "deny"))
            continue;
        struct netguard_rule rule;
        const char *why = "out of memory";
        if (netguard_parse(value, key[0] == 'a', &rule, &why) || netguard_rules_add(&st->rules, &rule)) {
            h->config_error(cfg, key, value, errbuf, "'%s': %s", value, why);
            goto fail;
        }
    }
    if (netguard_families_declare(h, cfg, errbuf) || declare_sendto_rule(h, cfg, errbuf))
        goto fail;
    *state = st;
    return SANDLOCK_OK;
fail:
    netguard_fini(st);
    return SANDLOCK_ERROR;
}

static const char *const *netguard_syscalls(void *state)
{
    return netguard_names;
}

/* Reads a link of the child's /proc entry (root or cwd) into out, as the
 * supervisor sees it. 0 or -1. */
static int child_link(uint32_t pid, const char *what, char *out, size_t size)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/%u/%s", pid, what);
    ssize_t n = pid ? readlink(link, out, size - 1) : -1;
    if (n <= 0)
        return -1;
    out[n] = '\0';
    return 0;
}

/* Strips the child's root directory `root` from a supervisor-side path. */
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

/* A unix socket address prepared for checking and for the call. */
struct unix_target {
    char named[PATH_MAX];      /* absolute path as named, or "@name" */
    char real[PATH_MAX];       /* with symlinks resolved ("" if unknown) */
    int hold;                  /* descriptor the rewritten address uses */
    int magic;                 /* named through the child's /proc/.../fd/N */
    char base[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];   /* bind: the new name */
    struct sockaddr_un sa;     /* address to use for the call */
    socklen_t len;
};

/* One "Key:" line of the child thread's /proc/PID/status, after the key
 * and its blanks, into out. 0 or -1. */
static int child_status(uint32_t pid, const char *key, char *out, size_t size)
{
    char path[64], line[512];
    size_t klen = strlen(key);
    int rc = -1;
    snprintf(path, sizeof(path), "/proc/%u/status", pid);
    FILE *f = pid ? fopen(path, "re") : NULL;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) || line[klen] != ':')
            continue;
        const char *v = line + klen + 1 + strspn(line + klen + 1, " \t");
        if (strlen(v) < size) {
            strcpy(out, v);
            out[strcspn(out, "\n")] = '\0';
            rc = 0;
        }
        break;
    }
    fclose(f);
    return rc;
}

/* The last number of a status line ("NStgid:  812  1": 1, the process's
 * id in its own PID namespace), or -1. */
static long last_number(const char *v)
{
    const char *p = v + strlen(v);
    while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    while (p > v && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return *p ? strtol(p, NULL, 10) : -1;
}

/* Is the trapped thread still waiting for this notification? Read after
 * anything taken from /proc/PID (the pid may have been reused). */
static int still_pending(const sandlock_event *ev, uint64_t mapped)
{
    unsigned char byte;
    return host->mem_read(ev->handle, mapped, &byte, 1) != -ESRCH;
}

/* Does the trapped thread have capability `bit` in sandlock's user
 * namespace? 1, 0, or -errno. */
static int child_capable(const sandlock_event *ev, uint64_t mapped, int bit)
{
    char v[64], link[64], ns[64], mine[64];
    snprintf(link, sizeof(link), "/proc/%u/ns/user", ev->pid);
    ssize_t a = readlink(link, ns, sizeof(ns) - 1);
    ssize_t b = readlink("/proc/self/ns/user", mine, sizeof(mine) - 1);
    if (a <= 0 || b <= 0 || child_status(ev->pid, "CapEff", v, sizeof(v)))
        return -ESRCH;
    if (!still_pending(ev, mapped))
        return -ESRCH;
    if (a != b || memcmp(ns, mine, (size_t)a))
        return 0;
    unsigned long long caps = strtoull(v, NULL, 16);
    return (int)((caps >> bit) & 1);
}

/* The child's own descriptor N named by a magic link of its /proc:
 * "/proc/self/fd/N", "/proc/thread-self/fd/N", "/dev/fd/N" or
 * "/proc/ID/fd/N" with ID the child's id in its PID namespace. Returns an
 * O_PATH descriptor of the file that descriptor refers to (rest points after "N", at "" or "/..."), -1
 * when the path names no such link, or -errno. */
static int magic_fd(const sandlock_event *ev, const char *path, const char **rest)
{
    const char *p;
    if (!strncmp(path, "/proc/self/fd/", 14))
        p = path + 14;
    else if (!strncmp(path, "/proc/thread-self/fd/", 21))
        p = path + 21;
    else if (!strncmp(path, "/dev/fd/", 8))
        p = path + 8;
    else if (!strncmp(path, "/proc/", 6) && path[6] >= '1' && path[6] <= '9') {
        char *end;
        long id = strtol(path + 6, &end, 10);
        char v[128];
        if (strncmp(end, "/fd/", 4))
            return -1;
        if (child_status(ev->pid, "NStgid", v, sizeof(v)) || last_number(v) != id)
            return -1;
        p = end + 4;
    } else {
        return -1;
    }
    if (*p < '0' || *p > '9')
        return -1;
    char *end;
    long n = strtol(p, &end, 10);
    if ((*end && *end != '/') || n > INT_MAX)
        return -1;
    *rest = end;
    /* Through our /proc, not pidfd_getfd(2): that refuses O_PATH
     * descriptors, which is what such directories usually are. */
    char link[64];
    snprintf(link, sizeof(link), "/proc/%u/fd/%ld", ev->pid, n);
    int fd = open(link, O_PATH | O_CLOEXEC);
    int err = errno;
    if (fd >= 0 && !still_pending(ev, ev->args[1])) {
        close(fd);
        return -ESRCH;
    }
    return fd >= 0 ? fd : err == ENOENT ? -EBADF : -err;
}

/* Opens `path` (the directory part when creating) with O_PATH as the
 * child would reach it; *base receives the new name when creating. A path
 * through one of the child's /proc/self/fd/N links starts at a copy of
 * that descriptor and may not leave it (RESOLVE_BENEATH; otherwise EXDEV).
 * Returns the descriptor or -errno. */
static int open_unix_path(const sandlock_event *ev, const char *path, int creating, char *base,
                          int *magic)
{
    char dir[PATH_MAX];
    strcpy(dir, path);
    base[0] = '\0';
    if (creating) {
        char *slash = strrchr(dir, '/');
        strcpy(base, slash + 1);
        if (!*base)
            return -EINVAL;
        slash[slash == dir ? 1 : 0] = '\0';
    }
    int flags = O_PATH | O_CLOEXEC | (creating ? O_DIRECTORY : 0);
    const char *rest;
    int start = magic_fd(ev, dir, &rest);
    *magic = start != -1;
    if (start == -1)
        return host->open_path(ev->handle, dir, flags, 0);
    if (start < 0)
        return start;
    struct open_how how = { .flags = (uint64_t)flags,
                            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
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

/* Decodes the unix address copy `sa` of `len` bytes. Paths are made
 * absolute (relative ones against the child's working directory), then
 * the file (connect) or its directory (bind) is opened with O_PATH and the
 * address rewritten to go through that descriptor. Returns 0 or -errno. */
static int prepare_unix(const sandlock_event *ev, const struct sockaddr_un *sa, socklen_t len,
                        int creating, struct unix_target *t)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    t->hold = -1;
    t->magic = 0;
    t->base[0] = '\0';
    t->real[0] = '\0';
    t->named[0] = '\0';
    t->sa = *sa;
    t->len = len;
    if (len <= off) {
        strcpy(t->named, "@");    /* autobind: an abstract name */
        return 0;
    }
    size_t n = len - off;
    if (sa->sun_path[0] == '\0') {
        t->named[0] = '@';
        for (size_t i = 1; i < n; i++)
            t->named[i] = sa->sun_path[i] ? sa->sun_path[i] : '@';
        t->named[n] = '\0';
        return 0;
    }
    char path[sizeof(sa->sun_path) + 1];
    memcpy(path, sa->sun_path, n);
    path[n] = '\0';
    char root[PATH_MAX] = "", joined[PATH_MAX * 2];
    child_link(ev->pid, "root", root, sizeof(root));
    if (path[0] == '/') {
        strcpy(joined, path);
    } else {
        char cwd[PATH_MAX];
        if (child_link(ev->pid, "cwd", cwd, sizeof(cwd)))
            return -ENOENT;
        snprintf(joined, sizeof(joined), "%s/%s", in_child_root(root, cwd), path);
    }
    struct netguard_dest d;
    if (netguard_dest_unix(joined, &d))
        return -ENAMETOOLONG;
    strcpy(t->named, d.path);

    char base[PATH_MAX];
    int fd = open_unix_path(ev, t->named, creating, base, &t->magic);
    if (fd < 0)
        return fd;
    if (strlen(base) < sizeof(t->base))
        strcpy(t->base, base);
    t->hold = fd;
    if (fd_path(fd, root, t->real, sizeof(t->real)) == 0 && creating) {
        size_t rlen = strlen(t->real);
        if (rlen + 1 + strlen(base) >= sizeof(t->real))
            return -ENAMETOOLONG;
        snprintf(t->real + rlen, sizeof(t->real) - rlen, "%s%s", rlen > 1 ? "/" : "", base);
    }
    int w = creating ? snprintf(t->sa.sun_path, sizeof(t->sa.sun_path), "/proc/self/fd/%d/%s", fd, base)
                     : snprintf(t->sa.sun_path, sizeof(t->sa.sun_path), "/proc/self/fd/%d", fd);
    if (w < 0 || (size_t)w >= sizeof(t->sa.sun_path))
        return -ENAMETOOLONG;
    t->len = (socklen_t)(off + (size_t)w + 1);
    return 0;
}

/* Is the prepared unix target allowed? Both the path as named and its
 * real path must be. */
static int unix_allowed(const struct netguard_state *st, const struct unix_target *t)
{
    struct netguard_dest d;
    if (netguard_dest_unix(t->named, &d) == 0 && !netguard_allowed(&st->rules, st->default_allow, &d))
        return 0;
    if (t->real[0] && netguard_dest_unix(t->real, &d) == 0 &&
        !netguard_allowed(&st->rules, st->default_allow, &d))
        return 0;
    return 1;
}

/* Copies the address argument (addr, len) of the child into buf. Returns
 * 0 or -errno (EINVAL for a length the kernel refuses too). */
static int copy_address(sandlock_handle h, uint64_t addr, uint64_t len, struct sockaddr_storage *buf)
{
    if ((int64_t)(int32_t)len != (int64_t)len || (int32_t)len < 0 || len > sizeof(*buf))
        return -EINVAL;
    memset(buf, 0, sizeof(*buf));
    if (len == 0)
        return 0;
    ssize_t n = host->mem_read(h, addr, buf, len);
    return n < 0 ? (int)n : 0;
}

/* Answers with the errno of a failed service; ENOSYS (the host cannot
 * serve us) is a plugin failure. */
static int answer_error(sandlock_response *r, int err)
{
    if (err == ENOSYS)
        return SANDLOCK_ERROR;
    sandlock_respond_errno(r, err);
    return SANDLOCK_OK;
}

/* The plugin's copy of the child's socket and what it is. */
struct child_socket {
    int fd;
    int domain;
    int type;
    int protocol;
};

/* Takes a copy of the child's descriptor `child_fd`; -errno (ENOTSOCK for
 * a descriptor that is no socket, as the kernel says). */
static int open_socket(const sandlock_event *ev, int child_fd, struct child_socket *s)
{
    socklen_t l = sizeof(int);
    s->fd = host->dup_child_fd(ev->handle, child_fd);
    if (s->fd < 0)
        return s->fd;
    if (getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &s->domain, &l) ||
        getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &s->type, &(socklen_t){ sizeof(int) }) ||
        getsockopt(s->fd, SOL_SOCKET, SO_PROTOCOL, &s->protocol, &(socklen_t){ sizeof(int) })) {
        int err = errno;
        close(s->fd);
        s->fd = -1;
        return -err;
    }
    return 0;
}

/* The socket's own IPv4 address when it is bound to one, else 0. */
static uint32_t bound_ipv4(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len))
        return 0;
    if (ss.ss_family == AF_INET)
        return ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
    return 0;
}

/* A denied call, reported to the host (ABI 1.5) with the address as
 * netguard judged it: "ADDR:PORT", "[ADDR6]:PORT" or "unix:PATH". 0. */
static int refused(const struct netguard_state *st, const sandlock_event *ev, const struct netguard_dest *d,
                   const char *unix_path)
{
    if (!SANDLOCK_HOST_HAS(host, report_denial))
        return 0;
    char what[PATH_MAX + 8], addr[INET6_ADDRSTRLEN] = "?";
    if (unix_path)
        snprintf(what, sizeof(what), "unix:%s", unix_path);
    else if (d->kind == NG_IPV4 && inet_ntop(AF_INET, d->addr, addr, sizeof(addr)))
        snprintf(what, sizeof(what), "%s:%d", addr, d->port);
    else
        snprintf(what, sizeof(what), "[%s]:%d", inet_ntop(AF_INET6, d->addr, addr, sizeof(addr)) ? addr : "?",
                 d->port);
    host->report_denial(st->cfg, ev->handle, st->error, what);
    return 0;
}

/* Decides the address copy `ss` (`len` bytes) given to `call` on socket
 * s, rewriting it (and *len) to what the call will use: a unix path goes
 * through a held descriptor (t->hold, closed by the caller), "this host"
 * becomes the address the kernel would pick. Returns 1 allowed, 0 denied,
 * or -errno (the call then fails with it). *port receives an IP
 * destination's port (-1 otherwise). */
static int decide(const struct netguard_state *st, const sandlock_event *ev, const struct child_socket *s,
                  enum netguard_call call, struct sockaddr_storage *ss, socklen_t *len,
                  struct unix_target *t, int *port)
{
    *port = -1;
    t->hold = -1;
    if (s->domain == AF_UNIX) {
        if (*len < sizeof(sa_family_t) || ss->ss_family != AF_UNIX)
            return 1;         /* the kernel refuses it or disconnects */
        int rc = prepare_unix(ev, (const struct sockaddr_un *)ss, *len, call == NG_CALL_BIND, t);
        if (!unix_allowed(st, t))
            return refused(st, ev, NULL, t->named);   /* also when it does not exist */
        if (rc)
            return rc;        /* the kernel's own answer (ENOENT...) */
        memcpy(ss, &t->sa, sizeof(t->sa));
        *len = t->len;
        return 1;
    }
    if (s->domain != AF_INET && s->domain != AF_INET6)
        return 1;             /* not netguard's family: performed as given */
    /* What the kernel makes of the address: the host's decoder (ABI 1.8). */
    sandlock_sockaddr sa = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sa) };
    struct sockaddr_storage given = *ss;
    int rc = host->sockaddr_decode(ss, *len, s->domain, call, 0, &sa);
    if (rc == 0 && sa.kind == SANDLOCK_SA_INET && (sa.flags & SANDLOCK_SA_THIS_HOST)) {
        /* "this host" was rewritten to 127.0.0.1; a socket bound to an
         * IPv4 address of its own reaches that address instead */
        uint32_t local4 = bound_ipv4(s->fd);
        if (local4) {
            *ss = given;
            rc = host->sockaddr_decode(ss, *len, s->domain, call, local4, &sa);
        }
    }
    struct netguard_dest d;
    if (rc < 0)
        return rc;
    if (netguard_dest_from(&sa, &d))
        return 1;             /* no destination (a disconnect...) */
    *port = d.port;
    return netguard_allowed(&st->rules, st->default_allow, &d) ? 1 : refused(st, ev, &d, NULL);
}

/* Answers a call performed in sandlock: 0 or `value`, or the error. */
static void respond_result(sandlock_response *r, long rc, int err)
{
    if (rc >= 0)
        sandlock_respond_return(r, rc);
    else
        sandlock_respond_errno(r, err);
}

/* A connect or bind on the copy of the child's socket, with the child's
 * credentials (a privileged port, a unix socket's permissions and the
 * peer's SO_PEERCRED are the child's); a connect that may block is run by
 * the executor. */
struct connect_job {
    sandlock_handle h;
    enum netguard_call call;
    struct child_socket sock;
    struct sockaddr_storage ss;
    socklen_t len;
    int hold;
};

static int connect_or_bind(void *arg)
{
    const struct connect_job *j = arg;
    const struct sockaddr *sa = (const struct sockaddr *)&j->ss;
    int rc = j->call == NG_CALL_BIND ? bind(j->sock.fd, sa, j->len) : connect(j->sock.fd, sa, j->len);
    return rc == 0 ? 0 : -errno;
}

/* A connect of a unix stream or seqpacket socket records who made it for
 * the listener (SO_PEERCRED): made by a deputy of the sandbox with the
 * child's identity (ABI 1.8), never by sandlock. */
static int connect_identified(struct connect_job *j)
{
    if (j->sock.domain != AF_UNIX)
        return host->run_as_child(j->h, connect_or_bind, j);
    int keep[2] = { j->sock.fd, j->hold };
    return host->deputy_connect(j->h, keep, 2, j->sock.fd, &j->ss, j->len);
}

static void connect_run(void *arg, sandlock_response *r)
{
    struct connect_job *j = arg;
    int rc = connect_identified(j);
    respond_result(r, rc == 0 ? 0 : -1, -rc);
}

static void connect_release(void *arg)
{
    struct connect_job *j = arg;
    close(j->sock.fd);
    if (j->hold >= 0)
        close(j->hold);
    free(j);
}

/* connect(fd, addr, len) and bind(fd, addr, len): decide on the copy,
 * then run the call ourselves on a duplicate of the child's socket. A
 * connect that may block (any but a datagram or raw socket's) runs on an
 * executor thread. */
static int handle_connect_bind(struct netguard_state *st, const sandlock_event *ev,
                               enum netguard_call call, sandlock_response *r)
{
    struct connect_job *j = calloc(1, sizeof(*j));
    if (!j)
        return SANDLOCK_ERROR;
    j->hold = -1;
    j->sock.fd = -1;
    j->h = ev->handle;
    j->call = call;
    j->len = (socklen_t)ev->args[2];
    int port, rc = copy_address(ev->handle, ev->args[1], ev->args[2], &j->ss);
    struct unix_target *t = malloc(sizeof(*t));
    if (!t)
        rc = -ENOMEM;
    if (!rc)
        rc = open_socket(ev, (int)ev->args[0], &j->sock);
    struct sockaddr_storage given = j->ss;
    socklen_t given_len = j->len;
    if (!rc) {
        rc = decide(st, ev, &j->sock, call, &j->ss, &j->len, t, &port);
        j->hold = t->hold;
        if (rc == 0)
            rc = -st->error;
        else if (rc == 1)
            rc = 0;
    }
    if (!rc && call == NG_CALL_BIND && port > 0 && port < st->unprivileged_port_start) {
        int capable = child_capable(ev, ev->args[1], CAP_BIND_SERVICE_BIT);
        rc = capable < 0 ? capable : capable ? 0 : -EACCES;
    }
    if (!rc && call == NG_CALL_CONNECT && j->sock.type != SOCK_DGRAM && j->sock.type != SOCK_RAW) {
        rc = ng_executor_submit(&st->exec, ev, ev->args[1], connect_run, connect_release, j);
        if (!rc) {
            free(t);
            sandlock_respond_defer(r);
            return SANDLOCK_OK;
        }
    } else if (!rc && call == NG_CALL_BIND && j->sock.domain == AF_UNIX && j->hold >= 0 && !t->magic &&
               t->base[0]) {
        /* a path: bound with the child's own bytes (the name it will see) */
        rc = bind_as_named(host, ev, j->sock.fd, (const struct sockaddr *)&given, given_len, j->hold,
                              t->base);
        if (rc == BIND_NOT_TRIED)
            rc = host->run_as_child(ev->handle, connect_or_bind, j);
        if (rc == BIND_ELSEWHERE) {
            host->log(st->cfg, SANDLOCK_LOG_WARN, "bind of unix:%s created the socket elsewhere than checked "
                      "(a path changed during the call): ending the sandbox", t->named);
            sandlock_respond_kill(r, SIGKILL);
            rc = 0;
        }
    } else if (!rc) {
        rc = host->run_as_child(ev->handle, connect_or_bind, j);
    }
    int killed = r->verdict == SANDLOCK_VERDICT_KILL;
    free(t);
    if (j->sock.fd >= 0)
        close(j->sock.fd);
    if (j->hold >= 0)
        close(j->hold);
    free(j);
    if (rc)
        return answer_error(r, -rc);
    if (!killed)
        sandlock_respond_return(r, 0);
    return SANDLOCK_OK;
}

/* A send performed in sandlock: one message (sendto, sendmsg) or several
 * (sendmmsg), sent in order from `done`. */
struct send_job {
    sandlock_handle handle;
    struct child_socket sock;
    int flags;                     /* the child's, with MSG_NOSIGNAL */
    int is_mmsg;
    uint64_t vec;                  /* sendmmsg: the child's array */
    struct out_msg *msg;
    size_t n, done;
    long first_rc;                 /* sendto/sendmsg: the byte count */
    int by_deputy;                 /* sent by a deputy (send_by_deputy) */
    int sigpipe;                   /* the child's flags lack MSG_NOSIGNAL */
    uint32_t tid;                  /* the trapped thread */
};

static void send_release(void *arg)
{
    struct send_job *j = arg;
    for (size_t i = 0; i < j->n; i++)
        out_msg_free(&j->msg[i]);
    free(j->msg);
    if (j->sock.fd >= 0)
        close(j->sock.fd);
    free(j);
}

/* Is a control message one netguard may send for the child? These carry
 * no privilege the kernel would check against sandlock instead of the
 * child; SCM_RIGHTS is translated by the caller. */
static int control_allowed(const struct cmsghdr *c)
{
    switch (c->cmsg_level) {
    case SOL_SOCKET:
        return c->cmsg_type == SCM_RIGHTS || c->cmsg_type == SO_TIMESTAMPING || c->cmsg_type == SCM_TXTIME;
    case SOL_IP:
        return c->cmsg_type == IP_PKTINFO || c->cmsg_type == IP_TTL || c->cmsg_type == IP_TOS;
    case SOL_IPV6:
        return c->cmsg_type == IPV6_PKTINFO || c->cmsg_type == IPV6_HOPLIMIT ||
               c->cmsg_type == IPV6_TCLASS || c->cmsg_type == IPV6_DONTFRAG;
    case SOL_UDP:
        return c->cmsg_type == UDP_SEGMENT;
    }
    return 0;
}

/* Does a send on socket s go where its address says? Stream sockets
 * ignore the address (TCP uses one only for MSG_FASTOPEN, refused), so
 * do unix seqpacket sockets; netlink and AF_ALG are not netguard's. */
static int send_judged(const struct child_socket *s)
{
    if (s->domain == AF_UNIX)
        return s->type == SOCK_DGRAM;
    return (s->domain == AF_INET || s->domain == AF_INET6) && s->type != SOCK_STREAM;
}

/* Copies one message of the child (name, the data of the iovec array
 * at iov_addr with iovlen entries -- or, when `one` is set, of that one
 * buffer -- and control) into m; where the socket goes by the address
 * (send_judged) decides its destination and rewrites what it must, else
 * keeps the name as given (the kernel ignores it, or refuses it as it
 * would the child's). Returns 1 ready, 0 denied, -errno. */
static int gather(struct netguard_state *st, const sandlock_event *ev, const struct child_socket *s,
                  uint64_t name, uint64_t namelen, uint64_t iov_addr, size_t iovlen,
                  const struct iovec *one, uint64_t control, size_t controllen, struct out_msg *m)
{
    m->hold = -1;
    int rc = 1;
    if (name && namelen && !send_judged(s)) {
        rc = copy_address(ev->handle, name, namelen, &m->name);
        if (rc)
            return rc;
        m->namelen = (socklen_t)namelen;
        rc = 1;
    } else if (name && namelen) {
        struct unix_target *t = malloc(sizeof(*t));
        int port;
        rc = copy_address(ev->handle, name, namelen, &m->name);
        m->namelen = (socklen_t)namelen;
        if (!t)
            rc = -ENOMEM;
        if (!rc) {
            rc = decide(st, ev, s, NG_CALL_SEND, &m->name, &m->namelen, t, &port);
            m->hold = t->hold;
        }
        free(t);
        if (rc <= 0)
            return rc;
    }
    long copied = s->type == SOCK_STREAM
                      ? out_msg_copy_prefix(host, ev->handle, iov_addr, iovlen, one, MAX_DATAGRAM, m)
                      : out_msg_copy_data(host, ev->handle, iov_addr, iovlen, one, MAX_DATAGRAM, m);
    if (copied < 0)
        return (int)copied;
    if (controllen > MAX_CONTROL)
        return -ENOBUFS;
    if (controllen) {
        m->control = calloc(1, controllen);
        if (!m->control)
            return -ENOMEM;
        ssize_t n = host->mem_read(ev->handle, control, m->control, controllen);
        if (n < 0)
            return (int)n;
        m->controllen = controllen;
        struct msghdr mh = { .msg_control = m->control, .msg_controllen = controllen };
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > controllen)
                return -EINVAL;
            if (!control_allowed(c))
                return -EPERM;
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *fd = (int *)CMSG_DATA(c);
            for (size_t i = 0; i < nfd; i++) {
                if (m->nfds == SCM_MAX_FD)
                    return -EINVAL;
                int mine = host->dup_child_fd(ev->handle, fd[i]);
                if (mine < 0)
                    return mine;
                m->fds[m->nfds++] = mine;
                fd[i] = mine;
            }
        }
    }
    return 1;
}

/* Sends the job's messages from `done` on; stops at the first error (or
 * EAGAIN when `dontwait`). Returns 0 or the errno of the stop. */
static int send_messages(struct send_job *j, int dontwait)
{
    while (j->done < j->n) {
        ssize_t n = out_msg_send(j->sock.fd, &j->msg[j->done], j->flags | (dontwait ? MSG_DONTWAIT : 0));
        if (n < 0)
            return errno;
        if (j->is_mmsg) {
            unsigned len = (unsigned)n;
            uint64_t at = j->vec + j->done * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);
            host->mem_write(j->handle, at, &len, sizeof(len));
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

/* Unix sends are made by a deputy (sockmsg.h): a receiver with
 * SO_PASSCRED learns the child's process and ids, never sandlock's.
 * Returns 0 or the errno of the stop. */
static int send_by_deputy(struct send_job *j, int dontwait)
{
    struct out_msg_outcome *o = malloc(sizeof(*o));
    if (!o)
        return ENOMEM;
    size_t from = j->done;
    int rc = out_msg_send_deputy(host, j->handle, j->sock.fd, j->msg, from, j->n,
                                 j->flags | (dontwait ? MSG_DONTWAIT : 0), o);
    if (rc == 0) {
        for (size_t i = from; j->is_mmsg && i < o->done; i++) {
            uint64_t at = j->vec + i * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);
            host->mem_write(j->handle, at, &o->len[i], sizeof(o->len[i]));
        }
        if (o->done > from)
            j->first_rc = o->len[o->done - 1];
        j->done = o->done;
        rc = -o->err;
    }
    free(o);
    return -rc;
}

/* send_messages() with the child's credentials (the permission to write to
 * a unix socket's file, for one, is the child's). */
static int send_some(struct send_job *j, int dontwait)
{
    if (j->by_deputy)
        return send_by_deputy(j, dontwait);
    struct send_call c = { j, dontwait };
    return -host->run_as_child(j->handle, run_send, &c);
}

/* The answer once sending stopped with `err` (0: all sent). A send on a
 * stream whose peer is gone raises SIGPIPE in the sending thread, as the
 * kernel's own does (the copies were sent with MSG_NOSIGNAL). */
static void send_answer(struct send_job *j, int err, sandlock_response *r)
{
    if (err == EPIPE && j->sigpipe && j->sock.type == SOCK_STREAM && host->pending(j->handle))
        syscall(SYS_tkill, (pid_t)j->tid, SIGPIPE);
    if (j->is_mmsg && j->done > 0)
        sandlock_respond_return(r, (int64_t)j->done);
    else if (err)
        sandlock_respond_errno(r, err);
    else
        sandlock_respond_return(r, j->is_mmsg ? 0 : j->first_rc);
}

static void send_run(void *arg, sandlock_response *r)
{
    struct send_job *j = arg;
    send_answer(j, send_some(j, 0), r);
}

/* sendto, sendmsg, sendmmsg. A sendto without an address continues (its
 * registers cannot change; sendto_rule does not even trap it). Every other
 * send is copied, decided (send_judged) and performed on the copies --
 * never continued: the child could swap the descriptor or rewrite its
 * message after the decision -- by sandlock with the child's credentials,
 * or by a deputy for a socket whose receiver may learn the sender
 * (unix: SCM_CREDENTIALS; netlink); without waiting, one that would block
 * on a blocking socket then on an executor thread. */
static int handle_send(struct netguard_state *st, const sandlock_event *ev, sandlock_response *r)
{
    const char *name = ev->syscall_name;
    int is_sendto = !strcmp(name, "sendto"), is_mmsg = !strcmp(name, "sendmmsg");
    if (is_sendto && ev->args[4] == 0) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    struct send_job *j = calloc(1, sizeof(*j));
    if (!j)
        return SANDLOCK_ERROR;
    j->handle = ev->handle;
    j->is_mmsg = is_mmsg;
    int rc = open_socket(ev, (int)ev->args[0], &j->sock);
    if (rc) {
        free(j);
        return answer_error(r, -rc);
    }
    int flags = (int)(is_sendto || is_mmsg ? ev->args[3] : ev->args[2]);
    if ((j->sock.domain == AF_INET || j->sock.domain == AF_INET6) && j->sock.type == SOCK_STREAM &&
        (flags & MSG_FASTOPEN)) {
        send_release(j);
        sandlock_respond_errno(r, EOPNOTSUPP);   /* as with TCP Fast Open off */
        return SANDLOCK_OK;
    }
    j->flags = flags | MSG_NOSIGNAL;
    j->sigpipe = !(flags & MSG_NOSIGNAL);
    j->tid = ev->pid;
    j->by_deputy = j->sock.domain != AF_INET && j->sock.domain != AF_INET6;
    size_t n = is_mmsg ? (ev->args[2] > MAX_MMSG ? MAX_MMSG : (size_t)ev->args[2]) : 1;
    j->msg = calloc(n ? n : 1, sizeof(*j->msg));
    struct mmsghdr *v = calloc(n ? n : 1, sizeof(*v));
    rc = j->msg && v ? 0 : -ENOMEM;
    if (!rc && is_sendto) {
        struct iovec one = { (void *)(uintptr_t)ev->args[1], (size_t)ev->args[2] };
        j->msg[0].hold = -1;
        rc = gather(st, ev, &j->sock, ev->args[4], ev->args[5], 0, 1, &one, 0, 0, &j->msg[0]);
        j->n = 1;
    } else if (!rc) {
        ssize_t got = host->mem_read(ev->handle, ev->args[1], v, n * (is_mmsg ? sizeof(*v) : sizeof(v->msg_hdr)));
        rc = got < 0 ? (int)got : 1;
        size_t total = 0;
        for (size_t i = 0; i < n && rc == 1; i++) {
            const struct msghdr *mh = &v[i].msg_hdr;
            j->msg[i].hold = -1;
            j->n = i + 1;
            rc = gather(st, ev, &j->sock, (uint64_t)(uintptr_t)mh->msg_name, mh->msg_namelen,
                        (uint64_t)(uintptr_t)mh->msg_iov, mh->msg_iovlen, NULL,
                        (uint64_t)(uintptr_t)mh->msg_control, mh->msg_controllen, &j->msg[i]);
            total += j->msg[i].len;
            if (rc == 1 && i > 0 && total > MAX_DATAGRAM) {
                out_msg_free(&j->msg[i]);          /* send what fits: a short count */
                j->n = i;
                break;
            }
        }
    }
    free(v);
    if (rc != 1) {
        send_release(j);
        if (rc == 0)
            rc = -st->error;
        return answer_error(r, -rc);
    }
    j->vec = ev->args[1];
    int err = send_some(j, 1);
    if ((err == EAGAIN || err == EWOULDBLOCK) && !(flags & MSG_DONTWAIT) && !(j->is_mmsg && j->done) &&
        !(fcntl(j->sock.fd, F_GETFL) & O_NONBLOCK)) {
        rc = ng_executor_submit(&st->exec, ev, ev->args[1], send_run, send_release, j);
        if (!rc) {
            sandlock_respond_defer(r);
            return SANDLOCK_OK;
        }
        err = -rc;
    }
    send_answer(j, err, r);
    send_release(j);
    return SANDLOCK_OK;
}

static int netguard_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct netguard_state *st = state;
    if (!strcmp(ev->syscall_name, "connect"))
        return handle_connect_bind(st, ev, NG_CALL_CONNECT, r);
    if (!strcmp(ev->syscall_name, "bind"))
        return handle_connect_bind(st, ev, NG_CALL_BIND, r);
    return handle_send(st, ev, r);
}

static const sandlock_plugin netguard_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "netguard",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "allow or deny connect, bind and addressed sends by address, race-free",
    .init = netguard_init,
    .syscalls = netguard_syscalls,
    .handle = netguard_handle,
    .fini = netguard_fini,
    .keys = netguard_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* It acts for the child: only with the child's credentials (ABI 1.3)
     * and umask (1.5), through a deputy where the peer learns who acted
     * (1.8); its keys are declared (1.6); the host decodes its addresses
     * (1.8). */
    if (!SANDLOCK_HOST_HAS(h, run_as_child) || !SANDLOCK_HOST_HAS(h, child_umask) ||
        !SANDLOCK_HOST_HAS(h, config_error) || !SANDLOCK_HOST_HAS(h, sockaddr_decode) ||
        !SANDLOCK_HOST_HAS(h, deputy_connect) || !SANDLOCK_HOST_HAS(h, deputy_send))
        return NULL;
    return &netguard_plugin;
}
