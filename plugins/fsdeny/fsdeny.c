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
#include "selfdir.h"
#include "sockets.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What fsdeny does with a covered syscall once its paths are checked. */
enum op {
    OP_OPEN, OP_STAT, OP_STATX, OP_STATFS, OP_ACCESS, OP_READLINK, OP_CHMOD, OP_CHOWN,
    OP_TRUNCATE, OP_UTIME, OP_UTIMES, OP_UTIMENSAT, OP_SETXATTR, OP_GETXATTR, OP_LISTXATTR,
    OP_REMOVEXATTR, OP_INOTIFY, OP_EXEC, OP_CHDIR, /* on the object */
    OP_UNLINK, OP_RMDIR, OP_MKDIR, OP_MKNOD, OP_SYMLINK, /* on an entry */
    OP_RENAME, OP_LINK,                            /* on two entries */
    OP_BIND, OP_CONNECT, OP_SENDTO, OP_SENDMSG, OP_SENDMMSG,   /* unix socket addresses (sockets.c) */
};

/* A covered syscall and what fsdeny does with it; where its paths, flags
 * and mode are is the host's to say (host->syscall_paths, ABI 1.8). */
struct sysinfo {
    const char *name;
    int nr;
    enum op op;
};

static const struct sysinfo syscalls_table[] = {
    { "open", __NR_open, OP_OPEN },
    { "openat", __NR_openat, OP_OPEN },
    { "openat2", __NR_openat2, OP_OPEN },
    { "creat", __NR_creat, OP_OPEN },
    { "stat", __NR_stat, OP_STAT },
    { "lstat", __NR_lstat, OP_STAT },
    { "newfstatat", __NR_newfstatat, OP_STAT },
    { "statx", __NR_statx, OP_STATX },
    { "statfs", __NR_statfs, OP_STATFS },
    { "inotify_add_watch", __NR_inotify_add_watch, OP_INOTIFY },
    { "access", __NR_access, OP_ACCESS },
    { "faccessat", __NR_faccessat, OP_ACCESS },
    { "faccessat2", __NR_faccessat2, OP_ACCESS },
    { "execve", __NR_execve, OP_EXEC },
    { "execveat", __NR_execveat, OP_EXEC },
    { "unlink", __NR_unlink, OP_UNLINK },
    { "unlinkat", __NR_unlinkat, OP_UNLINK },
    { "rmdir", __NR_rmdir, OP_RMDIR },
    { "rename", __NR_rename, OP_RENAME },
    { "renameat", __NR_renameat, OP_RENAME },
    { "renameat2", __NR_renameat2, OP_RENAME },
    { "link", __NR_link, OP_LINK },
    { "linkat", __NR_linkat, OP_LINK },
    { "symlink", __NR_symlink, OP_SYMLINK },
    { "symlinkat", __NR_symlinkat, OP_SYMLINK },
    { "mkdir", __NR_mkdir, OP_MKDIR },
    { "mkdirat", __NR_mkdirat, OP_MKDIR },
    { "mknod", __NR_mknod, OP_MKNOD },
    { "mknodat", __NR_mknodat, OP_MKNOD },
    { "truncate", __NR_truncate, OP_TRUNCATE },
    { "chmod", __NR_chmod, OP_CHMOD },
    { "fchmodat", __NR_fchmodat, OP_CHMOD },
    { "fchmodat2", __NR_fchmodat2, OP_CHMOD },
    { "chown", __NR_chown, OP_CHOWN },
    { "lchown", __NR_lchown, OP_CHOWN },
    { "fchownat", __NR_fchownat, OP_CHOWN },
    { "utime", __NR_utime, OP_UTIME },
    { "utimes", __NR_utimes, OP_UTIMES },
    { "futimesat", __NR_futimesat, OP_UTIMES },
    { "utimensat", __NR_utimensat, OP_UTIMENSAT },
    { "readlink", __NR_readlink, OP_READLINK },
    { "readlinkat", __NR_readlinkat, OP_READLINK },
    { "chdir", __NR_chdir, OP_CHDIR },
    { "setxattr", __NR_setxattr, OP_SETXATTR },
    { "lsetxattr", __NR_lsetxattr, OP_SETXATTR },
    { "getxattr", __NR_getxattr, OP_GETXATTR },
    { "lgetxattr", __NR_lgetxattr, OP_GETXATTR },
    { "listxattr", __NR_listxattr, OP_LISTXATTR },
    { "llistxattr", __NR_llistxattr, OP_LISTXATTR },
    { "removexattr", __NR_removexattr, OP_REMOVEXATTR },
    { "lremovexattr", __NR_lremovexattr, OP_REMOVEXATTR },
    { "bind", __NR_bind, OP_BIND },
    { "connect", __NR_connect, OP_CONNECT },
    /* sendto only with an address (a rule: see sendto_rule) */
    { "sendto", __NR_sendto, OP_SENDTO },
    { "sendmsg", __NR_sendmsg, OP_SENDMSG },
    { "sendmmsg", __NR_sendmmsg, OP_SENDMMSG },
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
    fsd_self_dir_open();            /* with sandlock's credentials */
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
 * ("" when it is "/", the usual case: host->child_root says so without a
 * system call where the sandbox cannot chroot). */
static void child_root(const sandlock_event *ev, char *root, size_t size)
{
    root[0] = '\0';
    if (ev->pid == 0)
        return;
    ssize_t n;
    if (SANDLOCK_HOST_HAS(host, child_root)) {
        n = host->child_root(ev->handle, root, size);
    } else {
        char link[64];
        snprintf(link, sizeof(link), "/proc/%u/root", ev->pid);
        n = readlink(link, root, size - 1);
        if (n > 0)
            root[n] = '\0';
    }
    if (n <= 0 || (n == 1 && root[0] == '/'))
        root[0] = '\0';
}

static void call_init(struct fsd_call *c, const struct fsdeny_state *st, const sandlock_event *ev)
{
    c->host = host;
    c->ev = ev;
    c->rules = &st->rules;
    c->cfg = st->cfg;
    c->error = st->error;
    child_root(ev, c->root, sizeof(c->root));
    c->tgid = 0;
    c->umask = -1;
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
    const sandlock_syscall_paths *sp;
    int obj, dir, named, flags;
    const char *last;
    mode_t mode;
    struct fsd_path *p;         /* obtain_then_act: the path to obtain obj (or dir) from */
    int oflags;                 /* ... with these fsd_obtain flags */
    int entry;                  /* ... its parent directory and last, for an entry */
};

/* An O_TMPFILE open: the directory obtained and checked, the file made
 * in it, as the child in one switch; the caller closes a->dir. */
static long tmpfile_act(void *arg)
{
    struct act *a = arg;
    a->dir = fsd_obtain(a->c, a->p, O_PATH | O_DIRECTORY);
    return a->dir < 0 ? a->dir : fsd_do_create(a->c, a->dir, ".", a->flags, a->mode);
}

/* Gives fd, opened with the child's `flags` plus O_NONBLOCK (so as not to
 * wait), the file status flags the child asked for. F_SETFL sets only
 * O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and O_NONBLOCK, which the open
 * kept as given: the child's flags say what they are, no F_GETFL needed. */
static int drop_nonblock(int fd, int flags)
{
    return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/* An open of an existing object, made as the child in one switch of
 * credentials (run through fsd_as_child): the object obtained from the
 * path and checked (unless given), then opened again as asked. */
struct reopen {
    struct fsd_call *c;         /* obtain the object from p first (NULL: obj is given) */
    struct fsd_path *p;
    int oflags;                 /* fsd_obtain's flags */
    int obj;                    /* the checked object (O_PATH), -1 until obtained */
    int flags;                  /* the child's open flags */
    int nowait;                 /* opened with O_NONBLOCK added */
    int later;                  /* the open may wait: made on a thread of its own, from obj */
};

static long reopen_act(void *arg)
{
    struct reopen *o = arg;
    if (o->c) {
        o->obj = fsd_obtain(o->c, o->p, o->oflags);
        if (o->obj < 0 || (o->flags & O_PATH))
            return o->obj < 0 ? o->obj : 0;
    }
    struct stat sb;
    if (fstat(o->obj, &sb) != 0)
        return -EIO;
    if (S_ISLNK(sb.st_mode))
        return -ELOOP;                  /* O_NOFOLLOW reached a symlink */
    if (fsd_open_may_block(sb.st_mode, o->flags)) {
        o->later = 1;
        return 0;
    }
    /* A regular file's open waits only for a lease to be broken (the
     * child may hold one on it, up to lease-break-time): tried without
     * waiting first, and when it would wait it waits on a thread of its
     * own, never on a worker. */
    o->nowait = S_ISREG(sb.st_mode) && !(o->flags & O_NONBLOCK);
    int fd = fsd_do_reopen(o->obj, o->flags | (o->nowait ? O_NONBLOCK : 0));
    o->later = o->nowait && fd == -EWOULDBLOCK;
    return o->later ? 0 : fd;
}

/* Makes the open o describes and answers with its result (a FIFO or a
 * lease that would wait is opened on a thread of its own). */
static int open_checked(const struct fsdeny_state *st, const sandlock_event *ev, struct reopen *o,
                        sandlock_response *r)
{
    int fd = (int)fsd_as_child(host, ev->handle, reopen_act, o);
    if (o->later) {
        fsd_open_deferred(host, ev, o->obj, o->flags, r);
        return SANDLOCK_OK;
    }
    if (o->obj >= 0)
        close(o->obj);
    if (fd >= 0 && (o->flags & O_PATH)) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    if (o->nowait && fd >= 0 && drop_nonblock(fd, o->flags) != 0) {
        close(fd);
        return answer(st, -EIO, r);
    }
    return answer_fd(st, fd, o->flags, r);
}

/* Opens the existing, checked object obj as the child asked and answers. */
static int open_existing(const struct fsdeny_state *st, const sandlock_event *ev, int obj, int flags,
                         sandlock_response *r)
{
    return open_checked(st, ev, &(struct reopen){ .obj = obj, .flags = flags }, r);
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

/* An O_CREAT open as the child (run through fsd_as_child, one switch of
 * credentials): the entry is opened (or created) in its checked parent
 * directory, without waiting. A final symlink is followed as the kernel
 * would: to its checked object, or, dangling, to the entry its target
 * names (created in that entry's checked parent). Returns the descriptor
 * or -errno, or 0 with k->obj set: an existing object to open as
 * open_existing does (a FIFO nobody reads yet, a file under a lease, the
 * object a symlink reaches). */
struct create {
    struct fsd_call *c;
    struct fsd_path *p;
    int flags;
    mode_t mode;
    int obj;                    /* -1, or the checked object to open instead */
};

static long create_act(void *arg)
{
    struct create *k = arg;
    int fd;
    for (int hops = 0;; hops++) {
        const char *last;
        int dir = fsd_obtain_parent(k->c, k->p, &last);
        if (dir < 0)
            return dir;
        fd = fsd_do_create(k->c, dir, last, k->flags | O_NONBLOCK, k->mode);
        if (fd != -ELOOP || (k->flags & (O_NOFOLLOW | O_EXCL))) {
            close(dir);
            break;
        }
        int obj = fsd_obtain(k->c, k->p, O_PATH);
        int rc = obj >= 0 ? 0 : obj != -ENOENT ? obj : hops >= 40 ? -ELOOP : follow_dangling(k->p, dir, last);
        close(dir);
        if (obj >= 0)
            k->obj = obj;
        if (obj >= 0 || rc < 0)
            return rc;
    }
    if ((fd == -ENXIO || fd == -EWOULDBLOCK) && !(k->flags & O_NONBLOCK)) {
        /* A FIFO nobody reads yet (the open waits for a reader), or an
         * existing file under a lease (it waits for the lease to go). */
        int obj = fsd_obtain(k->c, k->p, O_PATH | O_NOFOLLOW);
        if (obj >= 0) {
            k->obj = obj;
            return 0;
        }
    }
    return fd;
}

/* An O_CREAT open (create_act), answered; a FIFO waits on a thread of its
 * own. */
static int open_create(const struct fsdeny_state *st, struct fsd_call *c, struct fsd_path *p, int flags,
                       mode_t mode, sandlock_response *r)
{
    struct create k = { .c = c, .p = p, .flags = flags, .mode = mode, .obj = -1 };
    fsd_child_umask(c);                 /* as sandlock, before the switch */
    int fd = (int)fsd_as_child(host, c->ev->handle, create_act, &k);
    if (k.obj >= 0)
        return open_existing(st, c->ev, k.obj, flags & ~O_CREAT, r);
    if (fd < 0 || (flags & O_NONBLOCK))
        return answer_fd(st, fd, flags, r);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || fsd_open_may_block(sb.st_mode, flags))
        return open_existing(st, c->ev, fd, flags & ~O_CREAT, r);
    if (drop_nonblock(fd, flags) != 0) {
        close(fd);
        return answer(st, -EIO, r);
    }
    return answer_fd(st, fd, flags, r);
}

/* Decides an open: the object the path reaches is obtained once (O_PATH),
 * checked, and opened again from that descriptor; entries are created in
 * their checked parent directory. O_PATH opens are answered by the kernel
 * after the check (an O_PATH descriptor cannot be handed over). */
static int handle_open(const struct fsdeny_state *st, const sandlock_event *ev, sandlock_response *r)
{
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    int count = host->syscall_paths(ev, &sp);
    if (count <= 0)
        return count < 0 ? answer(st, count, r) : SANDLOCK_ERROR;
    uint64_t flags = sp.open_flags, mode = sp.mode;
    int fl = (int)flags;
    struct fsd_call c;
    struct fsd_path p;
    call_init(&c, st, ev);
    int follow = (sp.flags & SANDLOCK_PATHS_FOLLOW) != 0;
    int rc = fsd_spell(&c, sp.path[0].dirfd, sp.path[0].addr, follow ? FSD_FOLLOW : 0, &p);
    if (rc < 0)
        return answer(st, rc, r);
    if (fsd_named_denied(&c, &p)) {
        fsd_path_release(&p);
        return answer(st, -EDEADLK, r);
    }
    if ((fl & O_TMPFILE) == O_TMPFILE) {
        struct act a = { .c = &c, .p = &p, .obj = -1, .dir = -1, .flags = fl, .mode = (mode_t)mode };
        fsd_child_umask(&c);            /* as sandlock, before the switch */
        rc = (int)fsd_as_child(host, ev->handle, tmpfile_act, &a);
        if (a.dir >= 0)
            close(a.dir);
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
    /* Obtained, checked and opened as the child in one switch. */
    struct reopen o = { .c = &c, .p = &p, .oflags = O_PATH | (follow ? 0 : O_NOFOLLOW) | (fl & O_DIRECTORY),
                        .obj = -1, .flags = fl };
    rc = open_checked(st, ev, &o, r);
    fsd_path_release(&p);
    return rc;
}

/* Runs a call on the object the first path reaches; its other arguments
 * follow the paths (sp->next_arg). */
static long act_on_object(struct fsd_call *c, const struct sysinfo *si, const sandlock_syscall_paths *sp, int obj,
                          int named)
{
    const uint64_t *a = c->ev->args, *rest = a + sp->next_arg;
    uint64_t atflags = sp->at_flags;
    switch (si->op) {
    case OP_STAT: return fsd_do_stat(c, obj, rest[0]);
    case OP_STATX: return fsd_do_statx(c, obj, (unsigned)atflags, (unsigned)a[3], a[4]);
    case OP_STATFS: return fsd_do_statfs(c, obj, rest[0]);
    case OP_ACCESS: return fsd_do_access(c, obj, (int)rest[0], (int)atflags);
    case OP_READLINK: return fsd_do_readlink(c, obj, named, rest[0], (long)(int)rest[1]);
    case OP_CHMOD: return fsd_do_chmod(c, obj, (mode_t)sp->mode);
    case OP_CHOWN: return fsd_do_chown(c, obj, (long)(int)rest[0], (long)(int)rest[1]);
    case OP_TRUNCATE: return fsd_do_truncate(c, obj, (long)rest[0]);
    case OP_UTIME: return fsd_do_utimes(c, obj, 0, rest[0]);
    case OP_UTIMES: return fsd_do_utimes(c, obj, 1, rest[0]);
    case OP_UTIMENSAT: return fsd_do_utimes(c, obj, 2, rest[0]);
    case OP_SETXATTR: return fsd_do_xattr(c, obj, 's', rest);
    case OP_GETXATTR: return fsd_do_xattr(c, obj, 'g', rest);
    case OP_LISTXATTR: return fsd_do_xattr(c, obj, 'l', rest);
    case OP_REMOVEXATTR: return fsd_do_xattr(c, obj, 'r', rest);
    case OP_INOTIFY: return fsd_do_inotify(c, obj, (int)a[0], (uint32_t)atflags);
    default: return -ENOSYS;
    }
}

/* Runs a call on the entry the first path names, in its parent dir. */
static long act_on_entry(struct fsd_call *c, const struct sysinfo *si, const sandlock_syscall_paths *sp, int dir,
                         const char *last)
{
    const uint64_t *a = c->ev->args;
    switch (si->op) {
    case OP_UNLINK: return fsd_do_unlink(c, dir, last, (int)sp->at_flags);
    case OP_RMDIR: return fsd_do_unlink(c, dir, last, AT_REMOVEDIR);
    case OP_MKDIR: return fsd_do_mkdir(c, dir, last, (mode_t)sp->mode);
    case OP_MKNOD: return fsd_do_mknod(c, dir, last, (mode_t)sp->mode, (dev_t)a[sp->next_arg + 1]);
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
static long act_on_two(struct fsd_call *c, const struct sysinfo *si, const sandlock_syscall_paths *sp,
                       struct fsd_path *p, int follow)
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
                     si->op == OP_RENAME ? (unsigned)sp->at_flags : 0 };
    rc = d2 < 0 ? d2 : fsd_as_child(c->host, c->ev->handle, two_call, &t);
    if (d2 >= 0)
        close(d2);
    close(obj >= 0 ? obj : d1);
    return rc;
}

/* act_on_two as one act: both entries (or the object and the entry)
 * obtained, checked and renamed or linked in one switch of credentials. */
struct two_paths {
    struct fsd_call *c;
    const struct sysinfo *si;
    const sandlock_syscall_paths *sp;
    struct fsd_path *p;
    int follow;
};

static long two_paths_act(void *arg)
{
    struct two_paths *t = arg;
    return act_on_two(t->c, t->si, t->sp, t->p, t->follow);
}

static long object_act(void *arg)
{
    struct act *a = arg;
    return act_on_object(a->c, a->si, a->sp, a->obj, a->named);
}

static long entry_act(void *arg)
{
    struct act *a = arg;
    return act_on_entry(a->c, a->si, a->sp, a->dir, a->last);
}

/* An act on the object (or entry) a->p reaches, obtained and checked in
 * the same switch of credentials; the caller closes a->obj (a->dir). */
static long obtain_then_act(void *arg)
{
    struct act *a = arg;
    if (a->entry) {
        a->dir = fsd_obtain_parent(a->c, a->p, &a->last);
        return a->dir < 0 ? a->dir : entry_act(a);
    }
    a->obj = fsd_obtain(a->c, a->p, a->oflags);
    return a->obj < 0 ? a->obj : object_act(a);
}

/* Calls answered from the checked descriptor alone: the kernel checks no
 * permission to fstat, fstatfs or statx a descriptor, and the walk that
 * obtained it was the child's (host->open_path), so they need not be made
 * with the child's credentials (which costs a switch each way). */
static int reads_descriptor(enum op op)
{
    return op == OP_STAT || op == OP_STATX || op == OP_STATFS;
}

/* Decides a non-open call: every path must be allowed as named and as the
 * object (or entry) it reaches; then sandlock runs the call on that very
 * object, except execve and chdir, which only the kernel can run for the
 * child: they continue after the check. */
static int handle_paths(const struct fsdeny_state *st, const sandlock_event *ev, const struct sysinfo *si,
                        sandlock_response *r)
{
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    int n = host->syscall_paths(ev, &sp);
    if (n <= 0)
        return n < 0 ? answer(st, n, r) : SANDLOCK_ERROR;
    int follow = (sp.flags & SANDLOCK_PATHS_FOLLOW) != 0;
    struct fsd_call c;
    struct fsd_path p[2];
    call_init(&c, st, ev);
    long rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        unsigned flags = (i == 0 && (sp.flags & SANDLOCK_PATHS_EMPTY_OK) ? FSD_EMPTY_OK : 0) |
                         (i == 0 && (sp.flags & SANDLOCK_PATHS_NULL_OK) ? FSD_NULL_OK : 0) |
                         (i == 0 && follow ? FSD_FOLLOW : 0);
        rc = fsd_spell(&c, sp.path[i].dirfd, sp.path[i].addr, flags, &p[i]);
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
        rc = fsd_as_child(host, ev->handle, two_paths_act,
                          &(struct two_paths){ .c = &c, .si = si, .sp = &sp, .p = p, .follow = follow });
        fsd_path_release(&p[1]);
        break;
    case OP_UNLINK: case OP_RMDIR: case OP_MKDIR: case OP_MKNOD: case OP_SYMLINK: {
        /* The parent obtained, checked and acted in as the child in one switch. */
        struct act a = { .c = &c, .si = si, .sp = &sp, .obj = -1, .dir = -1, .p = &p[0], .entry = 1 };
        if (si->op == OP_MKDIR || si->op == OP_MKNOD)
            fsd_child_umask(&c);        /* as sandlock, before the switch */
        rc = fsd_as_child(host, ev->handle, obtain_then_act, &a);
        if (a.dir >= 0)
            close(a.dir);
        break;
    }
    default: {
        int oflags = O_PATH | (follow ? 0 : O_NOFOLLOW);
        if (si->op != OP_EXEC && si->op != OP_CHDIR && !reads_descriptor(si->op)) {
            /* Obtained, checked and acted on as the child in one switch. */
            struct act a = { .c = &c, .si = si, .sp = &sp, .obj = -1, .dir = -1, .named = named, .p = &p[0],
                             .oflags = oflags };
            rc = fsd_as_child(host, ev->handle, obtain_then_act, &a);
            if (a.obj >= 0)
                close(a.obj);
            break;
        }
        int obj = fsd_obtain(&c, &p[0], oflags);
        if (obj >= 0 && (si->op == OP_EXEC || si->op == OP_CHDIR)) {
            close(obj);
            fsd_path_release(&p[0]);
            if (si->op == OP_EXEC && fsd_exec_watch_add(st->execs, (int)ev->pid, (int)fsd_tgid(&c)) != 0)
                return answer(st, -EAGAIN, r);
            sandlock_respond_continue(r);
            return SANDLOCK_OK;
        }
        struct act a = { .c = &c, .si = si, .sp = &sp, .obj = obj, .named = named };
        rc = obj < 0 ? obj : object_act(&a);
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
 * (sockets.h); the host makes an allowed call. */
static int handle_socket(const struct fsdeny_state *st, const sandlock_event *ev, sandlock_response *r)
{
    struct fsd_call c;
    call_init(&c, st, ev);
    long rc = fsd_socket_judge(&c);
    if (rc == 0) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
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
        return handle_socket(st, ev, r);
    return si->op == OP_OPEN ? handle_open(st, ev, r) : handle_paths(st, ev, si, r);
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
     * and umask (1.5); its keys are declared (1.6); the host decodes its
     * path arguments (1.8) and snapshots the socket calls it judges (1.9). */
    if (!SANDLOCK_HOST_HAS(h, run_as_child) || !SANDLOCK_HOST_HAS(h, child_umask) ||
        !SANDLOCK_HOST_HAS(h, config_error) || !SANDLOCK_HOST_HAS(h, syscall_paths) ||
        !SANDLOCK_HOST_HAS(h, sock_call))
        return NULL;
    return &fsdeny_plugin;
}
