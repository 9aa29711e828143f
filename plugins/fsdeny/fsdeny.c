/* fsdeny -- deny path-taking system calls by glob, without open races.
 *
 *   [plugin fs]
 *   module = fsdeny
 *   deny = ~/.ssh            ; repeatable
 *   allow = ~/.ssh/known_hosts ; repeatable, exceptions to deny
 *   errno = EACCES           ; default
 *
 * Opens are answered with a descriptor sandlock opened itself from the path
 * it checked, so a child that changes its path buffer after the check gets
 * nothing it was denied. The real path of that descriptor (symlinks
 * resolved) is checked again before it is handed over. rename and link are
 * performed by sandlock too, through descriptors of the checked parent
 * directories. Every other covered syscall is checked the same way (its
 * path as named, and the path with symlinks resolved) and then continues in
 * the kernel, which reads the path again: see sandlock-fsdeny(7) for what
 * that guarantees. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "masking.h"
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    int open;                 /* 1: open family, answered with an fd */
    enum follow follow;       /* for the first path */
    signed char flags;        /* argument index of AT_* flags, or -1 */
    int null_ok;              /* a NULL path acts on dirfd (utimensat) */
    struct path_arg p[2];     /* second one unused when p[1].path < 0 */
    int behalf;               /* 1: sandlock performs the call (rename, link) */
};

#define ONE(d, p) { { d, p }, { -1, -1 } }
#define TWO(d1, p1, d2, p2) { { d1, p1 }, { d2, p2 } }

static const struct sysinfo syscalls_table[] = {
    { "open", __NR_open, 1, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "openat", __NR_openat, 1, FOLLOW, -1, 0, ONE(0, 1), 0 },
    { "openat2", __NR_openat2, 1, FOLLOW, -1, 0, ONE(0, 1), 0 },
    { "creat", __NR_creat, 1, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "stat", __NR_stat, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "lstat", __NR_lstat, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "newfstatat", __NR_newfstatat, 0, NOFOLLOW_FLAG, 3, 0, ONE(0, 1), 0 },
    { "statx", __NR_statx, 0, NOFOLLOW_FLAG, 2, 0, ONE(0, 1), 0 },
    { "statfs", __NR_statfs, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "access", __NR_access, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "faccessat", __NR_faccessat, 0, FOLLOW, -1, 0, ONE(0, 1), 0 },
    { "faccessat2", __NR_faccessat2, 0, NOFOLLOW_FLAG, 3, 0, ONE(0, 1), 0 },
    { "execve", __NR_execve, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "execveat", __NR_execveat, 0, NOFOLLOW_FLAG, 4, 0, ONE(0, 1), 0 },
    { "unlink", __NR_unlink, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "unlinkat", __NR_unlinkat, 0, NOFOLLOW, -1, 0, ONE(0, 1), 0 },
    { "rmdir", __NR_rmdir, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "rename", __NR_rename, 0, NOFOLLOW, -1, 0, TWO(-1, 0, -1, 1), 1 },
    { "renameat", __NR_renameat, 0, NOFOLLOW, -1, 0, TWO(0, 1, 2, 3), 1 },
    { "renameat2", __NR_renameat2, 0, NOFOLLOW, -1, 0, TWO(0, 1, 2, 3), 1 },
    { "link", __NR_link, 0, NOFOLLOW, -1, 0, TWO(-1, 0, -1, 1), 1 },
    { "linkat", __NR_linkat, 0, FOLLOW_FLAG, 4, 0, TWO(0, 1, 2, 3), 1 },
    { "symlink", __NR_symlink, 0, NOFOLLOW, -1, 0, ONE(-1, 1), 0 },
    { "symlinkat", __NR_symlinkat, 0, NOFOLLOW, -1, 0, ONE(1, 2), 0 },
    { "mkdir", __NR_mkdir, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "mkdirat", __NR_mkdirat, 0, NOFOLLOW, -1, 0, ONE(0, 1), 0 },
    { "mknod", __NR_mknod, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "mknodat", __NR_mknodat, 0, NOFOLLOW, -1, 0, ONE(0, 1), 0 },
    { "truncate", __NR_truncate, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "chmod", __NR_chmod, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "fchmodat", __NR_fchmodat, 0, FOLLOW, -1, 0, ONE(0, 1), 0 },
    { "fchmodat2", __NR_fchmodat2, 0, NOFOLLOW_FLAG, 3, 0, ONE(0, 1), 0 },
    { "chown", __NR_chown, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "lchown", __NR_lchown, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "fchownat", __NR_fchownat, 0, NOFOLLOW_FLAG, 4, 0, ONE(0, 1), 0 },
    { "utime", __NR_utime, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "utimes", __NR_utimes, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "futimesat", __NR_futimesat, 0, FOLLOW, -1, 1, ONE(0, 1), 0 },
    { "utimensat", __NR_utimensat, 0, NOFOLLOW_FLAG, 3, 1, ONE(0, 1), 0 },
    { "readlink", __NR_readlink, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "readlinkat", __NR_readlinkat, 0, NOFOLLOW, -1, 0, ONE(0, 1), 0 },
    { "chdir", __NR_chdir, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "setxattr", __NR_setxattr, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "lsetxattr", __NR_lsetxattr, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "getxattr", __NR_getxattr, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "lgetxattr", __NR_lgetxattr, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "listxattr", __NR_listxattr, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "llistxattr", __NR_llistxattr, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "removexattr", __NR_removexattr, 0, FOLLOW, -1, 0, ONE(-1, 0), 0 },
    { "lremovexattr", __NR_lremovexattr, 0, NOFOLLOW, -1, 0, ONE(-1, 0), 0 },
};

#define NSYSCALLS (sizeof(syscalls_table) / sizeof(syscalls_table[0]))

struct fsdeny_state {
    struct fsdeny_rules rules;
    int error;                             /* errno of a denial */
    const char *names[NSYSCALLS + 1];      /* for syscalls(), NULL-terminated */
};

static const sandlock_host *host;

/* Releases an instance. */
static void fsdeny_fini(void *state)
{
    struct fsdeny_state *st = state;
    if (!st)
        return;
    fsdeny_rules_free(&st->rules);
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
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%s: '%s': %s", key, values[i], why);
            free(values);
            return -1;
        }
    }
    free(values);
    return 0;
}

/* Reads deny, allow and errno; any other key is an error. */
static int fsdeny_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct fsdeny_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    size_t cursor = 0;
    const char *key, *value;
    while (h->config_next(cfg, &cursor, &key, &value)) {
        if (strcmp(key, "deny") && strcmp(key, "allow") && strcmp(key, "errno") && strcmp(key, "created_later")) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "unknown key '%s' (expected deny, allow, errno, created_later)",
                     key);
            goto fail;
        }
    }
    st->error = EACCES;
    const char *text = h->config_get(cfg, "errno");
    if (text && h->parse_errno(text, &st->error)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "errno: expected an errno name or number, got '%s'", text);
        goto fail;
    }
    if (add_rules(st, cfg, "deny", errbuf) || add_rules(st, cfg, "allow", errbuf))
        goto fail;
    if (!h->config_get(cfg, "deny")) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "deny: required (e.g. deny = ~/.ssh)");
        goto fail;
    }
    const char *later = h->config_get(cfg, "created_later");
    if (later && strcmp(later, "deny") && strcmp(later, "allow")) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "created_later: expected deny or allow, got '%s'", later);
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
    for (size_t i = 0; st->rules.n && i < NSYSCALLS; i++)
        st->names[i] = syscalls_table[i].name;
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

/* The path of our descriptor fd, with symlinks resolved by the kernel, as
 * the child sees it (the child's root directory stripped). 0 or -1. */
static int fd_path(int fd, const char *root, char *out, size_t size)
{
    char link[64], buf[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = buf;
    size_t rlen = strlen(root);
    if (rlen && strncmp(buf, root, rlen) == 0 && (buf[rlen] == '/' || buf[rlen] == '\0'))
        p = buf[rlen] ? buf + rlen : "/";
    if (strlen(p) >= size)
        return -1;
    strcpy(out, p);
    return 0;
}

/* Is the object that `path` names in the child denied once symlinks are
 * resolved by the kernel? With follow, a final symlink is followed too. A
 * path that does not exist is judged by its resolved parent directory plus
 * its last component. Returns 1 denied, 0 allowed. */
static int real_path_denied(const struct fsdeny_state *st, sandlock_handle h, const char *root,
                            const char *path, int follow)
{
    char real[PATH_MAX];
    int fd = host->open_path(h, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd >= 0) {
        struct stat sb;
        int denied = fd_path(fd, root, real, sizeof(real)) == 0 && fsdeny_denied(&st->rules, real);
        int is_link = fstat(fd, &sb) == 0 && S_ISLNK(sb.st_mode);
        close(fd);
        if (denied || !(follow && is_link))
            return denied;
        fd = host->open_path(h, path, O_PATH | O_CLOEXEC, 0);
        if (fd < 0)
            return 0;
        denied = fd_path(fd, root, real, sizeof(real)) == 0 && fsdeny_denied(&st->rules, real);
        close(fd);
        return denied;
    }
    /* Not there (yet): judge the resolved parent plus the last name. */
    const char *slash = strrchr(path, '/');
    if (!slash || slash[1] == '\0')
        return 0;
    char parent[PATH_MAX];
    size_t plen = slash == path ? 1 : (size_t)(slash - path);
    memcpy(parent, path, plen);
    parent[plen] = '\0';
    fd = host->open_path(h, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int ok = fd_path(fd, root, real, sizeof(real)) == 0;
    close(fd);
    if (!ok)
        return 0;
    size_t rlen = strlen(real);
    if (rlen + strlen(slash) >= sizeof(real))
        return 0;
    strcpy(real + (rlen == 1 ? 0 : rlen), slash);
    return fsdeny_denied(&st->rules, real);
}

/* A system call made for the child, with its credentials. */
struct child_call {
    long nr, arg[5];
    long result;        /* or -errno */
};

static int run_child_call(void *p)
{
    struct child_call *c = p;
    c->result = syscall(c->nr, c->arg[0], c->arg[1], c->arg[2], c->arg[3], c->arg[4]);
    if (c->result < 0)
        c->result = -errno;
    return 0;
}

/* syscall(nr, ...) as the trapped thread (host->run_as_child): returns its
 * result or -errno, also when the credentials could not be taken over. */
static long as_child(sandlock_handle h, long nr, long a0, long a1, long a2, long a3, long a4)
{
    struct child_call c = { nr, { a0, a1, a2, a3, a4 }, 0 };
    int rc = host->run_as_child(h, run_child_call, &c);
    return rc < 0 ? rc : c.result;
}

/* Errors of a path service that become the syscall's own answer; anything
 * else (the host cannot serve us) is a plugin failure. */
static int answerable(int err)
{
    return err == EFAULT || err == ENAMETOOLONG || err == ENOENT || err == ENOTDIR ||
           err == EBADF || err == ESRCH || err == ELOOP || err == EACCES;
}

/* Reads the child's path argument into path. Returns 1 when it names a
 * path to check, 0 when the call acts on a descriptor instead (empty path
 * with AT_EMPTY_PATH, NULL path where allowed), or -errno. */
static int read_path(sandlock_handle h, const sandlock_event *ev, struct path_arg pa,
                     int null_ok, int empty_ok, char *path, size_t size)
{
    uint64_t addr = ev->args[(int)pa.path];
    int dirfd = pa.dirfd < 0 ? AT_FDCWD : (int)ev->args[(int)pa.dirfd];
    if (addr == 0 && null_ok)
        return 0;
    char first;
    ssize_t n = host->mem_read_string(h, addr, &first, 1);
    if (n == 0)
        return empty_ok ? 0 : -ENOENT;
    if (n < 0 && n != -ENAMETOOLONG)
        return (int)n;
    n = host->resolve_path(h, dirfd, addr, path, size);
    return n < 0 ? (int)n : 1;
}

/* The pids thread `tid` (a pid in sandlock's namespace) has in its own PID
 * namespace, which the sandbox's /proc uses: its process's (tgid) and its
 * own (the last fields of NStgid and NSpid in /proc/TID/status). tid itself
 * for both when they cannot be read. */
struct own_ids {
    long tgid, tid;
};

static long last_field(const char *line)
{
    const char *p = line + strlen(line);
    while (p > line && (p[-1] == '\n' || p[-1] == ' ' || p[-1] == '\t'))
        p--;
    while (p > line && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return strtol(p, NULL, 10);
}

static struct own_ids own_ids_of(uint32_t tid)
{
    char file[64], line[256];
    struct own_ids ids = { tid, tid };
    snprintf(file, sizeof(file), "/proc/%u/status", tid);
    FILE *f = fopen(file, "re");
    if (!f)
        return ids;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "NStgid:", 7) == 0)
            ids.tgid = last_field(line);
        else if (strncmp(line, "NSpid:", 6) == 0) {
            ids.tid = last_field(line);
            break;
        }
    }
    fclose(f);
    return ids;
}

/* Does path start with the component(s) `dir`? Sets *rest to what follows. */
static int below(const char *path, const char *dir, const char **rest)
{
    size_t n = strlen(dir);
    if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return 0;
    *rest = path + n;
    return 1;
}

/* /proc/self and /proc/thread-self name the opener: sandlock would open its
 * own entries (or, in the sandbox's own /proc, none). Rewrites such a path
 * to the trapped task's entries, with the pids it sees, into out
 * and returns 1; returns 0 (out untouched) for any other path. */
static int proc_self(const sandlock_event *ev, const char *path, char *out, size_t size)
{
    const char *rest;
    int n;
    if (ev->pid == 0)
        return 0;
    if (below(path, "/proc/self", &rest))
        n = snprintf(out, size, "/proc/%ld%s", own_ids_of(ev->pid).tgid, rest);
    else if (below(path, "/proc/thread-self", &rest)) {
        struct own_ids ids = own_ids_of(ev->pid);
        n = snprintf(out, size, "/proc/%ld/task/%ld%s", ids.tgid, ids.tid, rest);
    } else
        return 0;
    return n > 0 && (size_t)n < size;
}

/* The child's descriptor number that an alias path names: /dev/stdin,
 * /dev/stdout, /dev/stderr, /dev/fd/N and the trapped task's own
 * /proc/PID/fd/N (after proc_self()). -1 for any other path. */
static int fd_alias(const sandlock_event *ev, const char *path)
{
    static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
    for (int i = 0; i < 3; i++)
        if (strcmp(path, std[i]) == 0)
            return i;
    char prefix[96];
    const char *rest = NULL;
    if (!below(path, "/dev/fd", &rest)) {
        struct own_ids ids = own_ids_of(ev->pid);
        snprintf(prefix, sizeof(prefix), "/proc/%ld/fd", ids.tgid);
        if (!below(path, prefix, &rest)) {
            snprintf(prefix, sizeof(prefix), "/proc/%ld/task/%ld/fd", ids.tgid, ids.tid);
            if (!below(path, prefix, &rest))
                return -1;
        }
    }
    if (rest[0] != '/' || rest[1] < '0' || rest[1] > '9' || strlen(rest + 1) > 9)
        return -1;
    char *end;
    long n = strtol(rest + 1, &end, 10);
    return *end ? -1 : (int)n;
}

/* Opens an alias of the child's descriptor n the way the kernel reopens
 * /proc/self/fd/N: a new open file description of the same file, after
 * checking that file's path. */
static int reopen_child_fd(const struct fsdeny_state *st, const sandlock_event *ev, int n, int flags,
                           mode_t mode, const char *root, sandlock_response *r)
{
    char real[PATH_MAX], self[64];
    int dup = host->dup_child_fd(ev->handle, n);
    if (dup < 0) {
        sandlock_respond_errno(r, dup == -EBADF ? ENOENT : -dup);
        return dup == -ENOSYS ? SANDLOCK_ERROR : SANDLOCK_OK;
    }
    if (fd_path(dup, root, real, sizeof(real)) == 0 && real[0] == '/' && fsdeny_denied(&st->rules, real)) {
        close(dup);
        sandlock_respond_errno(r, st->error);
        return SANDLOCK_OK;
    }
    snprintf(self, sizeof(self), "/proc/self/fd/%d", dup);
    int fd = (int)as_child(ev->handle, __NR_openat, AT_FDCWD, (long)self, flags | O_CLOEXEC, (long)mode, 0);
    close(dup);
    if (fd < 0)
        sandlock_respond_errno(r, -fd);
    else
        sandlock_respond_fd(r, fd, (flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC);
    return SANDLOCK_OK;
}

/* Decides an open: check the named path, pre-check the target of calls that
 * create or truncate, open it ourselves, check what was really opened and
 * answer with that descriptor. */
static int handle_open(const struct fsdeny_state *st, const sandlock_event *ev,
                       const struct sysinfo *si, sandlock_response *r)
{
    sandlock_handle h = ev->handle;
    uint64_t flags, mode = 0;
    switch (si->nr) {
    case __NR_open: flags = ev->args[1]; mode = ev->args[2]; break;
    case __NR_openat: flags = ev->args[2]; mode = ev->args[3]; break;
    case __NR_creat: flags = O_CREAT | O_WRONLY | O_TRUNC; mode = ev->args[1]; break;
    default: {
        struct open_how how;
        if (ev->args[3] < sizeof(how)) {
            sandlock_respond_errno(r, EINVAL);
            return SANDLOCK_OK;
        }
        ssize_t n = host->mem_read(h, ev->args[2], &how, sizeof(how));
        if (n < 0) {
            if (!answerable((int)-n))
                return SANDLOCK_ERROR;
            sandlock_respond_errno(r, (int)-n);
            return SANDLOCK_OK;
        }
        flags = how.flags;
        mode = how.mode;
    }
    }
    if (!(flags & (O_CREAT | __O_TMPFILE)))
        mode = 0;
    char path[PATH_MAX], root[PATH_MAX], real[PATH_MAX];
    int rc = read_path(h, ev, si->p[0], 0, 0, path, sizeof(path));
    if (rc < 0) {
        if (!answerable(-rc))
            return SANDLOCK_ERROR;
        sandlock_respond_errno(r, -rc);
        return SANDLOCK_OK;
    }
    if (fsdeny_denied(&st->rules, path)) {
        sandlock_respond_errno(r, st->error);
        return SANDLOCK_OK;
    }
    char own[PATH_MAX];
    const char *use = path;
    if (proc_self(ev, path, own, sizeof(own))) {
        if (fsdeny_denied(&st->rules, own)) {
            sandlock_respond_errno(r, st->error);
            return SANDLOCK_OK;
        }
        use = own;
    }
    child_root(ev->pid, root, sizeof(root));
    if ((flags & (O_CREAT | O_TRUNC | __O_TMPFILE)) &&
        real_path_denied(st, h, root, use, !(flags & O_NOFOLLOW))) {
        sandlock_respond_errno(r, st->error);
        return SANDLOCK_OK;
    }
    int fd = host->open_path(h, use, (int)flags, (mode_t)mode);
    if (fd < 0) {
        if (fd == -ENOSYS)
            return SANDLOCK_ERROR;
        /* The host refuses magic links, and /proc/self names nothing for
         * sandlock in the sandbox's own /proc (ENOENT): aliases of the
         * child's own descriptors are reopened here instead. */
        int n = fd == -ELOOP || fd == -EXDEV || fd == -ENOENT ? fd_alias(ev, use) : -1;
        if (n >= 0)
            return reopen_child_fd(st, ev, n, (int)flags, (mode_t)mode, root, r);
        sandlock_respond_errno(r, -fd);
        return SANDLOCK_OK;
    }
    if (fd_path(fd, root, real, sizeof(real)) != 0 || fsdeny_denied(&st->rules, real)) {
        close(fd);
        sandlock_respond_errno(r, st->error);
        return SANDLOCK_OK;
    }
    sandlock_respond_fd(r, fd, (flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC);
    return SANDLOCK_OK;
}

/* Splits the absolute path into its parent directory (written to dir, of
 * PATH_MAX bytes) and returns its last component; NULL for "/". */
static const char *split_parent(const char *path, char *dir)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash[1] == '\0')
        return NULL;
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    memcpy(dir, path, len);
    dir[len] = '\0';
    return slash + 1;
}

/* Opens the parent directory of `path` inside the child's root and checks
 * the entry's real path (parent resolved, plus the last name). Returns the
 * directory descriptor, -errno, or -EDEADLK for "denied". */
static int open_checked_parent(const struct fsdeny_state *st, sandlock_handle h, const char *root,
                               const char *path, const char **base)
{
    char dir[PATH_MAX], real[PATH_MAX];
    *base = split_parent(path, dir);
    if (!*base)
        return -EBUSY;
    int fd = host->open_path(h, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    size_t len;
    if (fd_path(fd, root, real, sizeof(real)) != 0 || (len = strlen(real)) + strlen(*base) + 2 > sizeof(real)) {
        close(fd);
        return -ENAMETOOLONG;
    }
    snprintf(real + len, sizeof(real) - len, "%s%s", len > 1 ? "/" : "", *base);
    if (fsdeny_denied(&st->rules, real)) {
        close(fd);
        return -EDEADLK;
    }
    return fd;
}

/* Runs rename or link for the child, race-free: both parent directories are
 * opened once, the entries' real paths are checked through those
 * descriptors, and the call runs on them. A link that follows a symlink goes
 * through a checked O_PATH descriptor of the target. Neither a rewritten
 * path buffer nor a swapped symlink can redirect the call after the check. */
static int perform_behalf(const struct fsdeny_state *st, const sandlock_event *ev,
                          const struct sysinfo *si, int follow, const char *from, const char *to,
                          const char *root, sandlock_response *r)
{
    const char *base1, *base2;
    int target = -1, rc, err;
    int d1 = open_checked_parent(st, ev->handle, root, from, &base1);
    int d2 = d1 < 0 ? d1 : open_checked_parent(st, ev->handle, root, to, &base2);
    if (d2 >= 0 && si->nr == __NR_linkat && follow) {
        char real[PATH_MAX];
        target = host->open_path(ev->handle, from, O_PATH | O_CLOEXEC, 0);
        if (target >= 0 && (fd_path(target, root, real, sizeof(real)) != 0 ||
                            fsdeny_denied(&st->rules, real))) {
            close(target);
            target = -EDEADLK;
        }
        if (target < 0) {
            close(d2);
            d2 = target;
        }
    }
    if (d1 < 0 || d2 < 0) {
        err = d1 < 0 ? -d1 : -d2;
        if (d1 >= 0)
            close(d1);
        if (err == ENOSYS)
            return SANDLOCK_ERROR;
        sandlock_respond_errno(r, err == EDEADLK ? st->error : err);
        return SANDLOCK_OK;
    }
    if (si->nr == __NR_link || si->nr == __NR_linkat) {
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", target);
        rc = target >= 0 ? (int)as_child(ev->handle, __NR_linkat, AT_FDCWD, (long)self, d2, (long)base2,
                                         AT_SYMLINK_FOLLOW)
                         : (int)as_child(ev->handle, __NR_linkat, d1, (long)base1, d2, (long)base2, 0);
    } else {
        unsigned flags = si->nr == __NR_renameat2 ? (unsigned)ev->args[4] : 0;
        rc = (int)as_child(ev->handle, __NR_renameat2, d1, (long)base1, d2, (long)base2, flags);
    }
    err = -rc;
    close(d1);
    close(d2);
    if (target >= 0)
        close(target);
    if (rc == 0)
        sandlock_respond_return(r, 0);
    else
        sandlock_respond_errno(r, err);
    return SANDLOCK_OK;
}

/* Decides a non-open call: every path it names must be allowed both as
 * named and with symlinks resolved; then the kernel runs it, except rename
 * and link, which sandlock runs itself (perform_behalf). */
static int handle_paths(const struct fsdeny_state *st, const sandlock_event *ev,
                        const struct sysinfo *si, sandlock_response *r)
{
    uint64_t atflags = si->flags >= 0 ? ev->args[(int)si->flags] : 0;
    int follow = si->follow == FOLLOW ||
                 (si->follow == NOFOLLOW_FLAG && !(atflags & AT_SYMLINK_NOFOLLOW)) ||
                 (si->follow == FOLLOW_FLAG && (atflags & AT_SYMLINK_FOLLOW));
    int empty_ok = si->flags >= 0 && (atflags & AT_EMPTY_PATH);
    char root[PATH_MAX];
    root[0] = '\0';
    int have_root = 0, named = 0;
    char paths[2][PATH_MAX];
    for (int i = 0; i < 2 && si->p[i].path >= 0; i++) {
        char *path = paths[i];
        int rc = read_path(ev->handle, ev, si->p[i], si->null_ok, i == 0 && empty_ok, path,
                           PATH_MAX);
        if (rc < 0) {
            if (!answerable(-rc))
                return SANDLOCK_ERROR;
            sandlock_respond_errno(r, -rc);
            return SANDLOCK_OK;
        }
        if (rc == 0)
            continue;
        named++;
        if (fsdeny_denied(&st->rules, path)) {
            sandlock_respond_errno(r, st->error);
            return SANDLOCK_OK;
        }
        char own[PATH_MAX];
        const char *use = path;
        if (proc_self(ev, path, own, sizeof(own))) {
            if (fsdeny_denied(&st->rules, own)) {
                sandlock_respond_errno(r, st->error);
                return SANDLOCK_OK;
            }
            use = own;
        }
        if (!have_root) {
            child_root(ev->pid, root, sizeof(root));
            have_root = 1;
        }
        if (real_path_denied(st, ev->handle, root, use, i == 0 && follow)) {
            sandlock_respond_errno(r, st->error);
            return SANDLOCK_OK;
        }
    }
    if (si->behalf && named == 2)
        return perform_behalf(st, ev, si, follow, paths[0], paths[1], root, r);
    sandlock_respond_continue(r);
    return SANDLOCK_OK;
}

static int fsdeny_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    const struct fsdeny_state *st = state;
    const struct sysinfo *si = lookup(ev->nr);
    if (!si) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    return si->open ? handle_open(st, ev, si, r) : handle_paths(st, ev, si, r);
}

static const sandlock_plugin fsdeny_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "fsdeny",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "deny path-taking syscalls by glob; opens are race-free",
    .init = fsdeny_init,
    .syscalls = fsdeny_syscalls,
    .handle = fsdeny_handle,
    .fini = fsdeny_fini,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* It acts for the child: only with the child's credentials (ABI 1.3). */
    if (!SANDLOCK_HOST_HAS(h, run_as_child))
        return NULL;
    return &fsdeny_plugin;
}
