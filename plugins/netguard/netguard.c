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
 * connect(2) and bind(2) are race-free: the address is copied once, the
 * copy is checked, and sandlock performs the call itself on a duplicate of
 * the child's socket with that very copy, answering with its result. Unix
 * socket paths are resolved (symlinks included) and the call goes through
 * a descriptor of the checked file or directory, so swapping a symlink
 * after the check changes nothing. sendto/sendmsg/sendmmsg with an address
 * are checked and then continue in the kernel (see sandlock-netguard(7)). */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_MMSG 1024   /* the kernel's UIO_MAXIOV cap on sendmmsg's vlen */

struct netguard_state {
    struct netguard_rules rules;
    int default_allow;
    int error;
};

static const sandlock_host *host;

static const char *const netguard_names[] = {
    "connect", "bind", "sendto", "sendmsg", "sendmmsg", NULL,
};

/* Releases an instance. */
static void netguard_fini(void *state)
{
    struct netguard_state *st = state;
    if (!st)
        return;
    netguard_rules_free(&st->rules);
    free(st);
}

/* Reads allow, deny, default and errno; any other key is an error. */
static int netguard_init(const sandlock_host *h, const sandlock_config *cfg, void **state,
                         char *errbuf)
{
    struct netguard_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    st->default_allow = 1;
    st->error = ECONNREFUSED;
    size_t cursor = 0;
    const char *key, *value;
    while (h->config_next(cfg, &cursor, &key, &value)) {
        if (!strcmp(key, "allow") || !strcmp(key, "deny")) {
            struct netguard_rule rule;
            const char *why = "out of memory";
            if (netguard_parse(value, key[0] == 'a', &rule, &why) ||
                netguard_rules_add(&st->rules, &rule)) {
                snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%s: '%s': %s", key, value, why);
                goto fail;
            }
        } else if (!strcmp(key, "default")) {
            if (strcmp(value, "allow") && strcmp(value, "deny")) {
                snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "default: expected allow or deny, got '%s'", value);
                goto fail;
            }
            st->default_allow = value[0] == 'a';
        } else if (!strcmp(key, "errno")) {
            if (h->parse_errno(value, &st->error)) {
                snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "errno: expected an errno name or number, got '%s'",
                         value);
                goto fail;
            }
        } else {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "unknown key '%s' (expected allow, deny, default, errno)",
                     key);
            goto fail;
        }
    }
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
    struct sockaddr_un sa;     /* address to use for the call */
    socklen_t len;
};

/* Decodes the unix address copy `sa` of `len` bytes. Paths are made
 * absolute (relative ones against the child's working directory), then
 * the file (connect) or its directory (bind) is opened with O_PATH and the
 * address rewritten to go through that descriptor. Returns 0 or -errno. */
static int prepare_unix(sandlock_handle h, uint32_t pid, const struct sockaddr_un *sa, socklen_t len,
                        int creating, struct unix_target *t)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    t->hold = -1;
    t->real[0] = '\0';
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
    child_link(pid, "root", root, sizeof(root));
    if (path[0] == '/') {
        strcpy(joined, path);
    } else {
        char cwd[PATH_MAX];
        if (child_link(pid, "cwd", cwd, sizeof(cwd)))
            return -ENOENT;
        snprintf(joined, sizeof(joined), "%s/%s", in_child_root(root, cwd), path);
    }
    struct netguard_dest d;
    if (netguard_dest_unix(joined, &d))
        return -ENAMETOOLONG;
    strcpy(t->named, d.path);

    char dir[PATH_MAX], base[PATH_MAX] = "";
    strcpy(dir, t->named);
    if (creating) {
        char *slash = strrchr(dir, '/');
        strcpy(base, slash + 1);
        if (!*base)
            return -EINVAL;
        slash[slash == dir ? 1 : 0] = '\0';
    }
    int fd = host->open_path(h, dir, O_PATH | O_CLOEXEC | (creating ? O_DIRECTORY : 0), 0);
    if (fd < 0)
        return fd;
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

/* Is the address copy `sa` of `len` bytes allowed? For unix paths both the
 * path as named and its real path must be allowed. Families other than
 * IPv4, IPv6 and unix, and addresses too short to name anything, are not
 * netguard's to judge (the kernel rejects the short ones). */
static int allowed(const struct netguard_state *st, const struct sockaddr *sa, socklen_t len,
                   const struct unix_target *t)
{
    struct netguard_dest d;
    if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNIX && t) {
        if (netguard_dest_unix(t->named, &d) == 0 && !netguard_allowed(&st->rules, st->default_allow, &d))
            return 0;
        if (t->real[0] && netguard_dest_unix(t->real, &d) == 0 &&
            !netguard_allowed(&st->rules, st->default_allow, &d))
            return 0;
        return 1;
    }
    if (netguard_dest_inet(sa, len, &d))
        return 1;
    return netguard_allowed(&st->rules, st->default_allow, &d);
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

/* connect() or bind() on the copy of the child's socket. */
struct sock_call {
    int sock, is_bind;
    const struct sockaddr *addr;
    socklen_t len;
};

static int run_sock_call(void *p)
{
    const struct sock_call *c = p;
    int rc = c->is_bind ? bind(c->sock, c->addr, c->len) : connect(c->sock, c->addr, c->len);
    return rc == 0 ? 0 : -errno;
}

/* connect(fd, addr, len) and bind(fd, addr, len): check the copy, then run
 * the call ourselves on a duplicate of the child's socket. */
static int handle_connect_bind(const struct netguard_state *st, const sandlock_event *ev,
                               int is_bind, sandlock_response *r)
{
    struct sockaddr_storage ss;
    socklen_t len = (socklen_t)ev->args[2];
    int rc = copy_address(ev->handle, ev->args[1], ev->args[2], &ss);
    if (rc)
        return answer_error(r, -rc);
    const struct sockaddr *sa = (const struct sockaddr *)&ss;
    struct unix_target t = { .hold = -1 };
    int is_unix = len >= sizeof(sa_family_t) && ss.ss_family == AF_UNIX;
    if (is_unix) {
        rc = prepare_unix(ev->handle, ev->pid, (const struct sockaddr_un *)&ss, len, is_bind, &t);
        if (rc) {
            if (t.hold >= 0)
                close(t.hold);
            return answer_error(r, -rc);
        }
    }
    if (!allowed(st, sa, len, is_unix ? &t : NULL)) {
        if (t.hold >= 0)
            close(t.hold);
        sandlock_respond_errno(r, st->error);
        return SANDLOCK_OK;
    }
    int sock = host->dup_child_fd(ev->handle, (int)ev->args[0]);
    if (sock < 0) {
        if (t.hold >= 0)
            close(t.hold);
        return answer_error(r, -sock);
    }
    const struct sockaddr *use = is_unix ? (const struct sockaddr *)&t.sa : sa;
    socklen_t use_len = is_unix ? t.len : len;
    /* With the child's credentials: a privileged port, a unix socket's
     * permissions and the peer's SO_PEERCRED are the child's. */
    struct sock_call call = { sock, is_bind, use, use_len };
    rc = host->run_as_child(ev->handle, run_sock_call, &call);
    int err = -rc;
    close(sock);
    if (t.hold >= 0)
        close(t.hold);
    if (rc == 0)
        sandlock_respond_return(r, 0);
    else
        sandlock_respond_errno(r, err);
    return SANDLOCK_OK;
}

/* Checks one destination of a send; 1 allowed, 0 denied, -errno. */
static int check_send_address(const struct netguard_state *st, const sandlock_event *ev, uint64_t addr,
                              uint64_t len)
{
    struct sockaddr_storage ss;
    int rc = copy_address(ev->handle, addr, len, &ss);
    if (rc)
        return rc;
    if (len >= sizeof(sa_family_t) && ss.ss_family == AF_UNIX) {
        struct unix_target t = { .hold = -1 };
        rc = prepare_unix(ev->handle, ev->pid, (const struct sockaddr_un *)&ss, (socklen_t)len, 0, &t);
        if (t.hold >= 0)
            close(t.hold);
        if (rc == -ENOENT || rc == -ENOTDIR || rc == -EACCES)
            t.real[0] = '\0';   /* the kernel reports the same */
        else if (rc)
            return rc;
        return allowed(st, (const struct sockaddr *)&ss, (socklen_t)len, &t);
    }
    return allowed(st, (const struct sockaddr *)&ss, (socklen_t)len, NULL);
}

/* sendto, sendmsg, sendmmsg: every address given must be allowed; calls
 * without one continue. */
static int handle_send(const struct netguard_state *st, const sandlock_event *ev, sandlock_response *r)
{
    const char *name = ev->syscall_name;
    int verdict = 1;
    if (!strcmp(name, "sendto")) {
        if (ev->args[4] != 0)
            verdict = check_send_address(st, ev, ev->args[4], ev->args[5]);
    } else if (!strcmp(name, "sendmsg")) {
        struct msghdr mh;
        ssize_t n = host->mem_read(ev->handle, ev->args[1], &mh, sizeof(mh));
        if (n < 0)
            return answer_error(r, (int)-n);
        if (mh.msg_name && mh.msg_namelen)
            verdict = check_send_address(st, ev, (uint64_t)(uintptr_t)mh.msg_name, mh.msg_namelen);
    } else {
        size_t vlen = ev->args[2] > MAX_MMSG ? MAX_MMSG : (size_t)ev->args[2];
        struct mmsghdr *v = vlen ? calloc(vlen, sizeof(*v)) : NULL;
        if (vlen && !v)
            return SANDLOCK_ERROR;
        ssize_t n = vlen ? host->mem_read(ev->handle, ev->args[1], v, vlen * sizeof(*v)) : 0;
        if (n < 0) {
            free(v);
            return answer_error(r, (int)-n);
        }
        for (size_t i = 0; i < vlen && verdict == 1; i++)
            if (v[i].msg_hdr.msg_name && v[i].msg_hdr.msg_namelen)
                verdict = check_send_address(st, ev, (uint64_t)(uintptr_t)v[i].msg_hdr.msg_name,
                                             v[i].msg_hdr.msg_namelen);
        free(v);
    }
    if (verdict < 0)
        return answer_error(r, -verdict);
    if (verdict == 0)
        sandlock_respond_errno(r, st->error);
    else
        sandlock_respond_continue(r);
    return SANDLOCK_OK;
}

static int netguard_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    const struct netguard_state *st = state;
    if (!strcmp(ev->syscall_name, "connect"))
        return handle_connect_bind(st, ev, 0, r);
    if (!strcmp(ev->syscall_name, "bind"))
        return handle_connect_bind(st, ev, 1, r);
    return handle_send(st, ev, r);
}

static const sandlock_plugin netguard_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "netguard",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "allow or deny connect, bind and addressed sends by address; connect is race-free",
    .init = netguard_init,
    .syscalls = netguard_syscalls,
    .handle = netguard_handle,
    .fini = netguard_fini,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* It acts for the child: only with the child's credentials (ABI 1.3). */
    if (!SANDLOCK_HOST_HAS(h, run_as_child))
        return NULL;
    return &netguard_plugin;
}
