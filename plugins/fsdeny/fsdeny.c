/* fsdeny -- deny path-taking system calls by glob, without races.
 *
 *   [plugin fs]
 *   module = fsdeny
 *   deny = ~/.ssh            ; repeatable
 *   allow = ~/.ssh/known_hosts ; repeatable, exceptions to deny
 *   errno = EACCES           ; default
 *
 * Each path argument is read once and judged as named; the object it
 * reaches for the child (object.c) is obtained once as a descriptor, its
 * real path judged, and the call performed on that descriptor (behalf.c):
 * opens are answered with a descriptor sandlock reopened from it. execve,
 * execveat, chdir and O_PATH opens continue in the kernel after the check.
 * Opens that would wait run on a thread of their own (blocking.c). See
 * sandlock-fsdeny(7) for what that guarantees. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "behalf.h"
#include "masking.h"
#include "blocking.h"
#include "execwatch.h"
#include "object.h"
#include "rules.h"
#include "sockets.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../legacy_syscalls.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* What fsdeny does with a covered syscall once its paths are checked. */
enum op {
    OP_OPEN, OP_STAT, OP_STATX, OP_STATFS, OP_ACCESS, OP_READLINK, OP_CHMOD, OP_CHOWN,
    OP_TRUNCATE, OP_UTIME, OP_UTIMES, OP_UTIMENSAT, OP_SETXATTR, OP_GETXATTR, OP_LISTXATTR,
    OP_REMOVEXATTR, OP_INOTIFY, OP_EXEC, OP_CHDIR, /* on the object */
    OP_UNLINK, OP_RMDIR, OP_MKDIR, OP_MKNOD, OP_SYMLINK, /* on an entry */
    OP_RENAME, OP_LINK,                            /* on two entries */
    OP_BIND, OP_CONNECT, OP_SENDTO, OP_SENDMSG, OP_SENDMMSG,   /* unix socket addresses (sockets.c) */
};

/* How a syscall treats a symlink as the last component of a path. */
enum follow {
    NOFOLLOW,        /* acts on the link itself (lstat, unlink, rename...) */
    FOLLOW,          /* acts on the target (stat, chmod, execve...) */
    NOFOLLOW_FLAG,   /* follows unless AT_SYMLINK_NOFOLLOW is in flags */
    FOLLOW_FLAG,     /* acts on the link unless AT_SYMLINK_FOLLOW is in flags */
};

/* One path argument of a syscall: argument index of its dirfd (-1 means
 * AT_FDCWD) and of the path. */
struct path_arg {
    signed char dirfd;
    signed char path;
};

/* What fsdeny knows about one covered syscall. */
struct sysinfo {
    const char *name;
    int nr;
    enum op op;
    enum follow follow;       /* for the first path */
    signed char flags;        /* argument index of AT_* flags, or -1 */
    int null_ok;              /* a NULL path acts on dirfd (utimensat) */
    struct path_arg p[2];     /* second one unused when p[1].path < 0 */
};

#define ONE(d, p) { { d, p }, { -1, -1 } }
#define TWO(d1, p1, d2, p2) { { d1, p1 }, { d2, p2 } }

static const struct sysinfo syscalls_table[] = {
    { "open", __NR_open, OP_OPEN, FOLLOW, -1, 0, ONE(-1, 0) },
    { "openat", __NR_openat, OP_OPEN, FOLLOW, -1, 0, ONE(0, 1) },
    { "openat2", __NR_openat2, OP_OPEN, FOLLOW, -1, 0, ONE(0, 1) },
    { "creat", __NR_creat, OP_OPEN, FOLLOW, -1, 0, ONE(-1, 0) },
    { "stat", __NR_stat, OP_STAT, FOLLOW, -1, 0, ONE(-1, 0) },
    { "lstat", __NR_lstat, OP_STAT, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "newfstatat", __NR_newfstatat, OP_STAT, NOFOLLOW_FLAG, 3, 0, ONE(0, 1) },
    { "statx", __NR_statx, OP_STATX, NOFOLLOW_FLAG, 2, 0, ONE(0, 1) },
    { "statfs", __NR_statfs, OP_STATFS, FOLLOW, -1, 0, ONE(-1, 0) },
    /* follows unless IN_DONT_FOLLOW (see handle_paths) */
    { "inotify_add_watch", __NR_inotify_add_watch, OP_INOTIFY, FOLLOW, -1, 0, ONE(-1, 1) },
    { "access", __NR_access, OP_ACCESS, FOLLOW, -1, 0, ONE(-1, 0) },
    { "faccessat", __NR_faccessat, OP_ACCESS, FOLLOW, -1, 0, ONE(0, 1) },
    { "faccessat2", __NR_faccessat2, OP_ACCESS, NOFOLLOW_FLAG, 3, 0, ONE(0, 1) },
    { "execve", __NR_execve, OP_EXEC, FOLLOW, -1, 0, ONE(-1, 0) },
    { "execveat", __NR_execveat, OP_EXEC, NOFOLLOW_FLAG, 4, 0, ONE(0, 1) },
    { "unlink", __NR_unlink, OP_UNLINK, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "unlinkat", __NR_unlinkat, OP_UNLINK, NOFOLLOW, -1, 0, ONE(0, 1) },
    { "rmdir", __NR_rmdir, OP_RMDIR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "rename", __NR_rename, OP_RENAME, NOFOLLOW, -1, 0, TWO(-1, 0, -1, 1) },
    { "renameat", __NR_renameat, OP_RENAME, NOFOLLOW, -1, 0, TWO(0, 1, 2, 3) },
    { "renameat2", __NR_renameat2, OP_RENAME, NOFOLLOW, -1, 0, TWO(0, 1, 2, 3) },
    { "link", __NR_link, OP_LINK, NOFOLLOW, -1, 0, TWO(-1, 0, -1, 1) },
    { "linkat", __NR_linkat, OP_LINK, FOLLOW_FLAG, 4, 0, TWO(0, 1, 2, 3) },
    { "symlink", __NR_symlink, OP_SYMLINK, NOFOLLOW, -1, 0, ONE(-1, 1) },
    { "symlinkat", __NR_symlinkat, OP_SYMLINK, NOFOLLOW, -1, 0, ONE(1, 2) },
    { "mkdir", __NR_mkdir, OP_MKDIR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "mkdirat", __NR_mkdirat, OP_MKDIR, NOFOLLOW, -1, 0, ONE(0, 1) },
    { "mknod", __NR_mknod, OP_MKNOD, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "mknodat", __NR_mknodat, OP_MKNOD, NOFOLLOW, -1, 0, ONE(0, 1) },
    { "truncate", __NR_truncate, OP_TRUNCATE, FOLLOW, -1, 0, ONE(-1, 0) },
    { "chmod", __NR_chmod, OP_CHMOD, FOLLOW, -1, 0, ONE(-1, 0) },
    { "fchmodat", __NR_fchmodat, OP_CHMOD, FOLLOW, -1, 0, ONE(0, 1) },
    { "fchmodat2", __NR_fchmodat2, OP_CHMOD, NOFOLLOW_FLAG, 3, 0, ONE(0, 1) },
    { "chown", __NR_chown, OP_CHOWN, FOLLOW, -1, 0, ONE(-1, 0) },
    { "lchown", __NR_lchown, OP_CHOWN, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "fchownat", __NR_fchownat, OP_CHOWN, NOFOLLOW_FLAG, 4, 0, ONE(0, 1) },
    { "utime", __NR_utime, OP_UTIME, FOLLOW, -1, 0, ONE(-1, 0) },
    { "utimes", __NR_utimes, OP_UTIMES, FOLLOW, -1, 0, ONE(-1, 0) },
    { "futimesat", __NR_futimesat, OP_UTIMES, FOLLOW, -1, 1, ONE(0, 1) },
    { "utimensat", __NR_utimensat, OP_UTIMENSAT, NOFOLLOW_FLAG, 3, 1, ONE(0, 1) },
    { "readlink", __NR_readlink, OP_READLINK, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "readlinkat", __NR_readlinkat, OP_READLINK, NOFOLLOW, -1, 0, ONE(0, 1) },
    { "chdir", __NR_chdir, OP_CHDIR, FOLLOW, -1, 0, ONE(-1, 0) },
    { "setxattr", __NR_setxattr, OP_SETXATTR, FOLLOW, -1, 0, ONE(-1, 0) },
    { "lsetxattr", __NR_lsetxattr, OP_SETXATTR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "getxattr", __NR_getxattr, OP_GETXATTR, FOLLOW, -1, 0, ONE(-1, 0) },
    { "lgetxattr", __NR_lgetxattr, OP_GETXATTR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "listxattr", __NR_listxattr, OP_LISTXATTR, FOLLOW, -1, 0, ONE(-1, 0) },
    { "llistxattr", __NR_llistxattr, OP_LISTXATTR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "removexattr", __NR_removexattr, OP_REMOVEXATTR, FOLLOW, -1, 0, ONE(-1, 0) },
    { "lremovexattr", __NR_lremovexattr, OP_REMOVEXATTR, NOFOLLOW, -1, 0, ONE(-1, 0) },
    { "bind", __NR_bind, OP_BIND, NOFOLLOW, -1, 0, ONE(-1, -1) },
    { "connect", __NR_connect, OP_CONNECT, FOLLOW, -1, 0, ONE(-1, -1) },
    /* sendto only with an address (a rule: see sendto_rule) */
    { "sendto", __NR_sendto, OP_SENDTO, FOLLOW, -1, 0, ONE(-1, -1) },
    { "sendmsg", __NR_sendmsg, OP_SENDMSG, FOLLOW, -1, 0, ONE(-1, -1) },
    { "sendmmsg", __NR_sendmmsg, OP_SENDMMSG, FOLLOW, -1, 0, ONE(-1, -1) },
};

#define NSYSCALLS (sizeof(syscalls_table) / sizeof(syscalls_table[0]))

struct fsdeny_state {
    struct fsdeny_rules rules;
    int error;                             /* errno of a denial */
    const sandlock_config *cfg;            /* this instance */
    const char *names[NSYSCALLS + 1];      /* for syscalls(), NULL-terminated */
    struct fsd_exec_watch *execs;          /* execs to judge (execwatch.h) */
};

static const sandlock_host *host;

/* Releases an instance. */
static void fsdeny_fini(void *state)
{
    struct fsdeny_state *st = state;
    if (!st)
        return;
    fsd_blocking_drain();
    fsdeny_rules_free(&st->rules);
    free(st->execs);
    free(st);
}

/* The invoking user's home directory: $HOME, else the password database. */
static const char *home_directory(void)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : NULL;
}

/* Adds every value of `key` (deny or allow) as a rule. */
static int add_rules(struct fsdeny_state *st, const sandlock_config *cfg, const char *key,
                     char *errbuf)
{
    size_t n = host->config_get_all(cfg, key, NULL, 0);
    const char **values = calloc(n + 1, sizeof(*values));
    if (!values) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    host->config_get_all(cfg, key, values, n);
    for (size_t i = 0; i < n; i++) {
        const char *why = "";
        const char *home = values[i][0] == '~' ? home_directory() : NULL;
        char *pattern = values[i][0] ? fsdeny_normalise(values[i], home, &why) : NULL;
        if (!values[i][0])
            why = "empty pattern";
        if (!pattern || fsdeny_rules_add(&st->rules, pattern, strcmp(key, "allow") == 0)) {
            if (pattern) {
                free(pattern);
                why = "out of memory";
            }
            host->config_error(cfg, key, values[i], errbuf, "'%s': %s", values[i], why);
            free(values);
            return -1;
        }
    }
    free(values);
    return 0;
}

/* sendto is trapped only with an address (registers the child cannot
 * change under the check): send(2) on a connected socket looks up no path. */
static int sendto_rule(const sandlock_host *h, const sandlock_config *cfg, char *errbuf)
{
    sandlock_syscall_rule rule = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(rule),
                                   .syscall = "sendto", .verdict = SANDLOCK_RULE_HANDLE, .ncmp = 1,
                                   .cmp = { { .arg = 4, .op = SANDLOCK_CMP_NE, .value = 0 } } };
    int rc = h->add_syscall_rule(cfg, &rule);
    if (rc)
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "sendto rule: %s", strerror(-rc));
    return rc ? -1 : 0;
}

static const sandlock_key_decl fsdeny_keys[] = {
    { "deny", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE | SANDLOCK_KEY_REQUIRED,
      "a glob of paths to deny, e.g. deny = ~/.ssh" },
    { "allow", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE, "a glob excepted from the denies" },
    { "errno", SANDLOCK_KEY_ERRNO, 0, "the error of a denied call (default EACCES)" },
    { "created_later", SANDLOCK_KEY_STRING, 0,
      "deny (the default) or allow: paths a denied glob matches that do not exist at start" },
    { NULL, 0, 0, NULL },
};

/* Reads deny, allow, errno and created_later (the host checked the keys). */
static int fsdeny_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct fsdeny_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    st->cfg = cfg;
    int64_t error = EACCES;
    h->config_number(cfg, "errno", &error);
    st->error = (int)error;
    if (add_rules(st, cfg, "deny", errbuf) || add_rules(st, cfg, "allow", errbuf))
        goto fail;
    const char *later = h->config_get(cfg, "created_later");
    if (later && strcmp(later, "deny") && strcmp(later, "allow")) {
        h->config_error(cfg, "created_later", later, errbuf, "expected deny or allow, got '%s'", later);
        goto fail;
    }
    /* What the kernel can enforce is masked (masking.h); the rest stays
     * here, on notifications. */
    struct fsdeny_rules notify = { 0 };
    if (fsdeny_mask_rules(h, cfg, &st->rules, later && !strcmp(later, "allow"),
                          st->error == EACCES ? NULL : "a mask cannot give an errno other than EACCES", &notify,
                          errbuf)) {
        fsdeny_rules_free(&notify);
        goto fail;
    }
    fsdeny_rules_free(&st->rules);
    st->rules = notify;
    if (!(st->execs = calloc(1, sizeof(*st->execs)))) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        goto fail;
    }
    for (size_t i = 0, n = 0; st->rules.n && i < NSYSCALLS; i++)
        if (syscalls_table[i].nr != __NR_sendto)
            st->names[n++] = syscalls_table[i].name;
    if (st->rules.n && sendto_rule(h, cfg, errbuf))
        goto fail;
    *state = st;
    return SANDLOCK_OK;
fail:
    fsdeny_fini(st);
    return SANDLOCK_ERROR;
}

static const char *const *fsdeny_syscalls(void *state)
{
    return ((struct fsdeny_state *)state)->names;
}

/* The table entry of syscall number nr, or NULL. */
static const struct sysinfo *lookup(int nr)
{
    for (size_t i = 0; i < NSYSCALLS; i++)
        if (syscalls_table[i].nr == nr)
            return &syscalls_table[i];
    return NULL;
}

/* Writes the child's root directory as the supervisor sees it into root
 * ("" when it is "/", the usual case). */
static void child_root(uint32_t pid, char *root, size_t size)
{
    char link[64];
    root[0] = '\0';
    if (pid == 0)
        return;
    snprintf(link, sizeof(link), "/proc/%u/root", pid);
    ssize_t n = readlink(link, root, size - 1);
    if (n <= 0 || (n == 1 && root[0] == '/')) {
        root[0] = '\0';
        return;
    }
    root[n] = '\0';
}

static void call_init(struct fsd_call *c, const struct fsdeny_state *st, const sandlock_event *ev)
{
    c->host = host;
    c->ev = ev;
    c->rules = &st->rules;
    c->cfg = st->cfg;
    c->error = st->error;
    child_root(ev->pid, c->root, sizeof(c->root));
    c->tgid = 0;
}

/* Answers with a result: a descriptor is handed over, -EDEADLK (an object
 * found denied) is the configured errno, any other -errno is the call's
 * error, and a value >= 0 its return value. */
static int answer(const struct fsdeny_state *st, long rc, sandlock_response *r)
{
    if (rc == -EDEADLK)
        sandlock_respond_errno(r, st->error);
    else if (rc == -ENOSYS)
        return SANDLOCK_ERROR;          /* the host cannot serve us */
    else if (rc < 0)
        sandlock_respond_errno(r, (int)-rc);
    else
        sandlock_respond_return(r, rc);
    return SANDLOCK_OK;
}

/* Hands the opened descriptor over, or answers its error. */
static int answer_fd(const struct fsdeny_state *st, int fd, int flags, sandlock_response *r)
{
    if (fd < 0)
        return answer(st, fd, r);
    sandlock_respond_fd(r, fd, (flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC);
    return SANDLOCK_OK;
}

/* What an act on the child's behalf needs (run through fsd_as_child, with
 * the trapped thread's credentials). */
struct act {
    struct fsd_call *c;
    const struct sysinfo *si;
    int obj, dir, named, flags;
    uint64_t atflags;
    const char *last;
    mode_t mode;
};

static long reopen_act(void *arg)
{
    struct act *a = arg;
    return fsd_do_reopen(a->obj, a->flags);
}

static long create_act(void *arg)
{
    struct act *a = arg;
    return fsd_do_create(a->c, a->dir, a->last, a->flags, a->mode);
}

/* Opens the existing, checked object obj as the child asked and answers
 * (a FIFO that would wait is opened on a thread of its own). */
static int open_existing(const struct fsdeny_state *st, const sandlock_event *ev, int obj, int flags,
                         sandlock_response *r)
{
    struct stat sb;
    if (fstat(obj, &sb) != 0) {
        close(obj);
        return answer(st, -EIO, r);
    }
    if (S_ISLNK(sb.st_mode)) {
        close(obj);                     /* O_NOFOLLOW reached a symlink */
        return answer(st, -ELOOP, r);
    }
    if (fsd_open_may_block(sb.st_mode, flags)) {
        fsd_open_deferred(host, ev, obj, flags, r);
        return SANDLOCK_OK;
    }
    int fd = (int)fsd_as_child(host, ev->handle, reopen_act, &(struct act){ .obj = obj, .flags = flags });
    close(obj);
    return answer_fd(st, fd, flags, r);
}

/* Points p's walk at the target of the dangling symlink `last` in dir
 * (relative targets start in the link's directory). 0 or -errno. */
static int follow_dangling(struct fsd_path *p, int dir, const char *last)
{
    char name[NAME_MAX + 1], target[PATH_MAX], walk[sizeof(p->walk)];
    size_t n = strcspn(last, "/");
    if (n > NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, last, n);
    name[n] = '\0';
    ssize_t len = readlinkat(dir, name, target, sizeof(target) - 1);
    if (len <= 0)
        return len == 0 ? -ENOENT : -errno;
    target[len] = '\0';
    size_t keep = target[0] == '/' ? 0 : (size_t)(last - p->walk);
    if (keep + (size_t)len + 1 > sizeof(walk))
        return -ENAMETOOLONG;
    memcpy(walk, p->walk, keep);
    memcpy(walk + keep, target, (size_t)len + 1);
    strcpy(p->walk, walk);
    return 0;
}

/* An O_CREAT open: the entry is opened (or created) in its checked parent
 * directory, without waiting. A final symlink is followed as the kernel
 * would: to its checked object, or, dangling, to the entry its target
 * names (created in that entry's checked parent). A FIFO waits on a
 * thread of its own. */
static int open_create(const struct fsdeny_state *st, struct fsd_call *c, struct fsd_path *p, int flags,
                       mode_t mode, sandlock_response *r)
{
    int fd;
    for (int hops = 0;; hops++) {
        const char *last;
        int dir = fsd_obtain_parent(c, p, &last);
        if (dir < 0)
            return answer(st, dir, r);
        fd = (int)fsd_as_child(host, c->ev->handle, create_act,
                               &(struct act){ .c = c, .dir = dir, .last = last, .flags = flags | O_NONBLOCK, .mode = mode });
        if (fd != -ELOOP || (flags & (O_NOFOLLOW | O_EXCL))) {
            close(dir);
            break;
        }
        int obj = fsd_obtain(c, p, O_PATH);
        if (obj >= 0) {
            close(dir);
            return open_existing(st, c->ev, obj, flags & ~O_CREAT, r);
        }
        int rc = obj != -ENOENT ? obj : hops >= 40 ? -ELOOP : follow_dangling(p, dir, last);
        close(dir);
        if (rc < 0)
            return answer(st, rc, r);
    }
    if (fd == -ENXIO && !(flags & O_NONBLOCK)) {
        /* A FIFO nobody reads yet: the open waits for a reader. */
        int obj = fsd_obtain(c, p, O_PATH | O_NOFOLLOW);
        if (obj >= 0)
            return open_existing(st, c->ev, obj, flags & ~O_CREAT, r);
    }
    if (fd < 0 || (flags & O_NONBLOCK))
        return answer_fd(st, fd, flags, r);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || fsd_open_may_block(sb.st_mode, flags))
        return open_existing(st, c->ev, fd, flags & ~O_CREAT, r);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        close(fd);
        return answer(st, -EIO, r);
    }
    return answer_fd(st, fd, flags, r);
}

/* Decides an open: the object the path reaches is obtained once (O_PATH),
 * checked, and opened again from that descriptor; entries are created in
 * their checked parent directory. O_PATH opens are answered by the kernel
 * after the check (an O_PATH descriptor cannot be handed over). */
static int handle_open(const struct fsdeny_state *st, const sandlock_event *ev, const struct sysinfo *si,
                       sandlock_response *r)
{
    uint64_t flags, mode = 0;
    switch (si->nr) {
    case __NR_open: flags = ev->args[1]; mode = ev->args[2]; break;
    case __NR_openat: flags = ev->args[2]; mode = ev->args[3]; break;
    case __NR_creat: flags = O_CREAT | O_WRONLY | O_TRUNC; mode = ev->args[1]; break;
    default: {
        struct open_how how;
        if (ev->args[3] < sizeof(how))
            return answer(st, -EINVAL, r);
        ssize_t n = host->mem_read(ev->handle, ev->args[2], &how, sizeof(how));
        if (n < 0)
            return answer(st, n, r);
        flags = how.flags;
        mode = how.mode;
    }
    }
    if (flags & O_PATH)
        flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;   /* the kernel ignores the rest */
    if (!(flags & (O_CREAT | __O_TMPFILE)))
        mode = 0;
    int fl = (int)flags;
    struct fsd_call c;
    struct fsd_path p;
    call_init(&c, st, ev);
    int dirfd = si->p[0].dirfd < 0 ? AT_FDCWD : (int)ev->args[(int)si->p[0].dirfd];
    int follow = !(fl & O_NOFOLLOW) && !((fl & O_CREAT) && (fl & O_EXCL));
    int rc = fsd_spell(&c, dirfd, ev->args[(int)si->p[0].path], follow ? FSD_FOLLOW : 0, &p);
    if (rc < 0)
        return answer(st, rc, r);
    if (fsd_named_denied(&c, &p)) {
        fsd_path_release(&p);
        return answer(st, -EDEADLK, r);
    }
    int obj;
    if ((fl & O_TMPFILE) == O_TMPFILE) {
        obj = fsd_obtain(&c, &p, O_PATH | O_DIRECTORY);
        rc = obj < 0 ? obj
                     : (int)fsd_as_child(host, ev->handle, create_act,
                                         &(struct act){ .c = &c, .dir = obj, .last = ".", .flags = fl, .mode = (mode_t)mode });
        if (obj >= 0)
            close(obj);
        fsd_path_release(&p);
        return answer_fd(st, rc, fl, r);
    }
    if ((fl & O_CREAT) && p.fd >= 0) {
        /* A descriptor alias (/dev/stdout...) names an existing file. */
        if (fl & O_EXCL) {
            fsd_path_release(&p);
            return answer(st, -EEXIST, r);
        }
        fl &= ~O_CREAT;
    }
    if ((fl & O_CREAT) && !(fl & O_PATH)) {
        rc = open_create(st, &c, &p, fl, (mode_t)mode, r);
        fsd_path_release(&p);
        return rc;
    }
    obj = fsd_obtain(&c, &p, O_PATH | (follow ? 0 : O_NOFOLLOW) | (fl & O_DIRECTORY));
    fsd_path_release(&p);
    if (obj < 0)
        return answer(st, obj, r);
    if (fl & O_PATH) {
        close(obj);
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    return open_existing(st, ev, obj, fl, r);
}

/* Runs a call on the object the first path reaches. */
static long act_on_object(struct fsd_call *c, const struct sysinfo *si, int obj, int named, uint64_t atflags)
{
    const uint64_t *a = c->ev->args;
    int at = si->p[0].dirfd >= 0;      /* the *at form: arguments shift by one */
    switch (si->op) {
    case OP_STAT: return fsd_do_stat(c, obj, a[1 + at]);
    case OP_STATX: return fsd_do_statx(c, obj, (unsigned)atflags, (unsigned)a[3], a[4]);
    case OP_STATFS: return fsd_do_statfs(c, obj, a[1]);
    case OP_ACCESS: return fsd_do_access(c, obj, (int)a[1 + at], (int)atflags);
    case OP_READLINK: return fsd_do_readlink(c, obj, named, a[1 + at], (long)(int)a[2 + at]);
    case OP_CHMOD: return fsd_do_chmod(c, obj, (mode_t)a[1 + at]);
    case OP_CHOWN: return fsd_do_chown(c, obj, (long)(int)a[1 + at], (long)(int)a[2 + at]);
    case OP_TRUNCATE: return fsd_do_truncate(c, obj, (long)a[1]);
    case OP_UTIME: return fsd_do_utimes(c, obj, 0, a[1]);
    case OP_UTIMES: return fsd_do_utimes(c, obj, 1, a[1 + at]);
    case OP_UTIMENSAT: return fsd_do_utimes(c, obj, 2, a[2]);
    case OP_SETXATTR: return fsd_do_xattr(c, obj, 's', a + 1);
    case OP_GETXATTR: return fsd_do_xattr(c, obj, 'g', a + 1);
    case OP_LISTXATTR: return fsd_do_xattr(c, obj, 'l', a + 1);
    case OP_REMOVEXATTR: return fsd_do_xattr(c, obj, 'r', a + 1);
    case OP_INOTIFY: return fsd_do_inotify(c, obj, (int)a[0], (uint32_t)a[2]);
    default: return -ENOSYS;
    }
}

/* Runs a call on the entry the first path names, in its parent dir. */
static long act_on_entry(struct fsd_call *c, const struct sysinfo *si, int dir, const char *last)
{
    const uint64_t *a = c->ev->args;
    int at = si->p[0].dirfd >= 0;
    switch (si->op) {
    case OP_UNLINK: return fsd_do_unlink(c, dir, last, at ? (int)a[2] : 0);
    case OP_RMDIR: return fsd_do_unlink(c, dir, last, AT_REMOVEDIR);
    case OP_MKDIR: return fsd_do_mkdir(c, dir, last, (mode_t)a[1 + at]);
    case OP_MKNOD: return fsd_do_mknod(c, dir, last, (mode_t)a[1 + at], (dev_t)a[2 + at]);
    case OP_SYMLINK: return fsd_do_symlink(c, a[0], dir, last);
    default: return -ENOSYS;
    }
}

/* The link or rename itself, made with the child's credentials (the
 * lookups before it are sandlock's: they read the child's /proc). */
struct two {
    int link, obj, d1;
    const char *last1;
    int d2;
    const char *last2;
    unsigned flags;
};

static long two_call(void *arg)
{
    const struct two *t = arg;
    return t->link ? fsd_do_link(t->obj, t->d1, t->last1, t->d2, t->last2)
                   : fsd_do_rename(t->d1, t->last1, t->d2, t->last2, t->flags);
}

/* rename and link: both entries in their checked parent directories; a
 * followed or descriptor-named link source as its checked object. */
static long act_on_two(struct fsd_call *c, const struct sysinfo *si, struct fsd_path *p, int follow)
{
    const char *last1 = NULL, *last2 = NULL;
    int obj = -1, d1 = -1;
    long rc;
    if (si->op == OP_LINK && (follow || p[0].fd >= 0))
        rc = obj = fsd_obtain(c, &p[0], O_PATH);
    else
        rc = d1 = fsd_obtain_parent(c, &p[0], &last1);
    if (rc < 0)
        return rc;
    /* Moving a directory a deny rule reaches into (an ancestor of a denied
     * path, as named or as reached) would carry the denied paths to names
     * no rule covers. */
    if (si->op == OP_RENAME &&
        ((p[0].named[0] && fsdeny_denies_below(c->rules, p[0].named)) || fsd_entry_hides_denied(c, d1, last1))) {
        close(d1);
        return -EDEADLK;
    }
    int d2 = fsd_obtain_parent(c, &p[1], &last2);
    struct two t = { si->op == OP_LINK, obj, d1, last1, d2, last2,
                     si->nr == __NR_renameat2 ? (unsigned)c->ev->args[4] : 0 };
    rc = d2 < 0 ? d2 : fsd_as_child(c->host, c->ev->handle, two_call, &t);
    if (d2 >= 0)
        close(d2);
    close(obj >= 0 ? obj : d1);
    return rc;
}

static long object_act(void *arg)
{
    struct act *a = arg;
    return act_on_object(a->c, a->si, a->obj, a->named, a->atflags);
}

static long entry_act(void *arg)
{
    struct act *a = arg;
    return act_on_entry(a->c, a->si, a->dir, a->last);
}

/* Decides a non-open call: every path must be allowed as named and as the
 * object (or entry) it reaches; then sandlock runs the call on that very
 * object, except execve and chdir, which only the kernel can run for the
 * child: they continue after the check. */
static int handle_paths(const struct fsdeny_state *st, const sandlock_event *ev, const struct sysinfo *si,
                        sandlock_response *r)
{
    uint64_t atflags = si->flags >= 0 ? ev->args[(int)si->flags] : 0;
    int follow = si->follow == FOLLOW ||
                 (si->follow == NOFOLLOW_FLAG && !(atflags & AT_SYMLINK_NOFOLLOW)) ||
                 (si->follow == FOLLOW_FLAG && (atflags & AT_SYMLINK_FOLLOW));
    if (si->op == OP_INOTIFY && (ev->args[2] & IN_DONT_FOLLOW))
        follow = 0;
    /* readlinkat takes "" without a flag (the symlink dirfd names). */
    int empty_ok = (si->flags >= 0 && (atflags & AT_EMPTY_PATH)) || si->nr == __NR_readlinkat;
    struct fsd_call c;
    struct fsd_path p[2];
    call_init(&c, st, ev);
    int n = si->p[1].path >= 0 ? 2 : 1;
    long rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int dirfd = si->p[i].dirfd < 0 ? AT_FDCWD : (int)ev->args[(int)si->p[i].dirfd];
        /* With AT_EMPTY_PATH a NULL path is "" too (Linux 6.11). */
        unsigned flags = (i == 0 && empty_ok ? FSD_EMPTY_OK : 0) |
                         (si->null_ok || (i == 0 && empty_ok && si->flags >= 0) ? FSD_NULL_OK : 0) |
                         (i == 0 && follow ? FSD_FOLLOW : 0);
        rc = fsd_spell(&c, dirfd, ev->args[(int)si->p[i].path], flags, &p[i]);
        if (rc == 0 && fsd_named_denied(&c, &p[i]))
            rc = -EDEADLK;
        if (rc < 0 && i == 1)
            fsd_path_release(&p[0]);
    }
    if (rc < 0)
        return answer(st, rc, r);
    int named = p[0].fd < 0;
    switch (si->op) {
    case OP_RENAME:
    case OP_LINK:
        rc = act_on_two(&c, si, p, follow);
        fsd_path_release(&p[1]);
        break;
    case OP_UNLINK: case OP_RMDIR: case OP_MKDIR: case OP_MKNOD: case OP_SYMLINK: {
        const char *last;
        int dir = fsd_obtain_parent(&c, &p[0], &last);
        rc = dir < 0 ? dir
                     : fsd_as_child(host, ev->handle, entry_act, &(struct act){ .c = &c, .si = si, .dir = dir, .last = last });
        if (dir >= 0)
            close(dir);
        break;
    }
    default: {
        int obj = fsd_obtain(&c, &p[0], O_PATH | (follow ? 0 : O_NOFOLLOW));
        if (obj >= 0 && (si->op == OP_EXEC || si->op == OP_CHDIR)) {
            close(obj);
            fsd_path_release(&p[0]);
            if (si->op == OP_EXEC && fsd_exec_watch_add(st->execs, (int)ev->pid, (int)fsd_tgid(&c)) != 0)
                return answer(st, -EAGAIN, r);
            sandlock_respond_continue(r);
            return SANDLOCK_OK;
        }
        rc = obj < 0 ? obj
                     : fsd_as_child(host, ev->handle, object_act,
                                    &(struct act){ .c = &c, .si = si, .obj = obj, .named = named, .atflags = atflags });
        if (obj >= 0)
            close(obj);
    }
    }
    fsd_path_release(&p[0]);
    return answer(st, rc, r);
}

/* Whether the program thread `tid` runs (after an exec fsdeny let through)
 * is denied: the exec raced its check. Also when it cannot be told. */
static int runs_denied_program(const struct fsdeny_state *st, const sandlock_event *ev)
{
    struct fsd_call c;
    call_init(&c, st, ev);
    char exe[64];
    snprintf(exe, sizeof(exe), "/proc/%u/exe", ev->pid);
    int fd = open(exe, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno != ENOENT;    /* ENOENT: the thread is gone */
    int denied = fsd_fd_denied(&c, fd, NULL);
    close(fd);
    return denied;
}

/* bind, connect and sends: a unix socket's address names a path
 * (sockets.h). */
static int handle_socket(const struct fsdeny_state *st, const sandlock_event *ev, const struct sysinfo *si,
                         sandlock_response *r)
{
    struct fsd_call c;
    call_init(&c, st, ev);
    long rc = si->op == OP_BIND || si->op == OP_CONNECT
                  ? fsd_socket_call(&c, si->op == OP_BIND, r)
                  : fsd_socket_send(&c, si->op == OP_SENDTO ? FSD_SENDTO : si->op == OP_SENDMSG ? FSD_SENDMSG : FSD_SENDMMSG, r);
    if (rc == FSD_SOCK_CONTINUE)
        sandlock_respond_continue(r);
    if (rc == FSD_SOCK_CONTINUE || rc == FSD_SOCK_ANSWERED)
        return SANDLOCK_OK;
    return answer(st, rc, r);
}

static int fsdeny_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    const struct fsdeny_state *st = state;
    if (fsd_exec_watch_take(st->execs, (int)ev->pid) && runs_denied_program(st, ev)) {
        host->log(st->cfg, SANDLOCK_LOG_ERROR, "pid %u runs a denied program (an exec raced its check): "
                  "ending the sandbox", ev->pid);
        sandlock_respond_kill(r, SIGKILL);
        return SANDLOCK_OK;
    }
    const struct sysinfo *si = lookup(ev->nr);
    if (!si) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    if (si->op >= OP_BIND)
        return handle_socket(st, ev, si, r);
    return si->op == OP_OPEN ? handle_open(st, ev, si, r) : handle_paths(st, ev, si, r);
}

static const sandlock_plugin fsdeny_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "fsdeny",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "deny path-taking syscalls by glob, acting on the checked object",
    .init = fsdeny_init,
    .syscalls = fsdeny_syscalls,
    .handle = fsdeny_handle,
    .fini = fsdeny_fini,
    .keys = fsdeny_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* It acts for the child: only with the child's credentials (ABI 1.3)
     * and umask (1.5), through a deputy where the peer learns who acted
     * (1.8); its keys are declared (1.6). */
    if (!SANDLOCK_HOST_HAS(h, run_as_child) || !SANDLOCK_HOST_HAS(h, child_umask) ||
        !SANDLOCK_HOST_HAS(h, config_error) || !SANDLOCK_HOST_HAS(h, run_in_deputy))
        return NULL;
    return &fsdeny_plugin;
}
