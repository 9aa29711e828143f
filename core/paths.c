/* paths.c -- resolving a path argument the way the trapped process names
 * it, and opening it on its behalf inside its root directory.
 *
 * The child's cwd, its dirfd and its root come from /proc/PID/{cwd,fd/N,
 * root}. readlink() of those prints paths relative to the supervisor's
 * root, so the child's root is stripped from the front to get the path the
 * child itself would print. */
#include "config.h"
#include "paths.h"
#include "here.h"
#include "childfd.h"
#include "creds.h"
#include "liveness.h"
#include "memory.h"
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Set when the sandbox cannot change its root (chroot and pivot_root are
 * denied): the child's root is then sandlock's, and /proc/PID/root need not
 * be read for every path. */
/* The session's (here.h); not fixed for a thread that works for none. */
#define root_is_fixed (sl_here && sl_here->fixed_root)

void sl_paths_set_fixed_root(int fixed)
{
    if (sl_here)
        sl_here->fixed_root = fixed;
}

ssize_t sl_path_normalise(const char *path, char *out, size_t size)
{
    /* Build into a scratch buffer as long as the input (the result is
     * never longer than "/" + path), then copy what fits. Paths of the
     * usual size stay on the stack. */
    char stack_tmp[2 * PATH_MAX + 2];
    size_t cap = strlen(path) + 2, len = 0;
    char *tmp = cap <= sizeof(stack_tmp) ? stack_tmp : malloc(cap);
    if (!tmp)
        return -ENOMEM;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && tmp[len - 1] != '/')
                len--;
            if (len > 0)
                len--;          /* the slash before the dropped component */
        } else {
            tmp[len++] = '/';
            memcpy(tmp + len, p, n);
            len += n;
        }
        p = end;
    }
    if (len == 0)
        tmp[len++] = '/';
    tmp[len] = '\0';
    ssize_t rc = (ssize_t)len;
    if (len + 1 > size) {
        if (size) {
            memcpy(out, tmp, size - 1);
            out[size - 1] = '\0';
        }
        rc = -ENAMETOOLONG;
    } else {
        memcpy(out, tmp, len + 1);
    }
    if (tmp != stack_tmp)
        free(tmp);
    return rc;
}

/* Writes the decimal digits of v at p; returns the end. */
static char *put_decimal(char *p, unsigned v)
{
    char digits[10];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

/* "/proc/PID/<what>", or "/proc/PID/fd/<fd>" when what is NULL, into
 * link (64 bytes); pid 0 is "self". Built by hand: this runs for most path
 * notifications. */
static void proc_file(char *link, pid_t pid, const char *what, int fd)
{
    char *p = link;
    memcpy(p, "/proc/", 6);
    if (pid == 0) {
        memcpy(p + 6, "self", 4);
        p += 10;
    } else {
        p = put_decimal(p + 6, (unsigned)pid);
    }
    if (what) {
        *p++ = '/';
        size_t n = strlen(what);
        memcpy(p, what, n);
        p += n;
    } else {
        memcpy(p, "/fd/", 4);
        p = put_decimal(p + 4, (unsigned)fd);
    }
    *p = '\0';
}

/* readlink() of /proc/PID/<what> (or fd/<fd>, see proc_file) into out
 * (PATH_MAX bytes). Returns the length or -errno. */
static int proc_link(pid_t pid, const char *what, int fd, char *out)
{
    char link[64];
    proc_file(link, pid, what, fd);
    ssize_t n = readlink(link, out, PATH_MAX - 1);
    if (n < 0)
        return -errno;
    if (n >= PATH_MAX - 1)
        return -ENAMETOOLONG;
    out[n] = '\0';
    return (int)n;
}

/* Makes `out` (a path of length len, relative to the supervisor's root)
 * relative to the child's root `root` (length rl). Returns the new length,
 * or -EXDEV when out lies outside that root. */
static int strip_root(char *out, int len, const char *root, int rl)
{
    if (strcmp(root, "/") == 0)
        return len;
    if (strncmp(out, root, (size_t)rl) != 0 || (out[rl] != '\0' && out[rl] != '/'))
        return -EXDEV;              /* the directory lies outside the child's root */
    len -= rl;
    memmove(out, out + rl, (size_t)len + 1);
    if (len == 0) {
        strcpy(out, "/");
        len = 1;
    }
    return len;
}

/* The directory a relative path starts from (the child's cwd for AT_FDCWD,
 * else what its dirfd names), as the child sees it: relative to its own
 * root. `need_dir`: fail with -ENOTDIR when dirfd is not a directory.
 * Returns the length of out, or -errno. */
static int child_base(const struct sl_target *t, int dirfd, int need_dir, char *out)
{
    char root[PATH_MAX];
    int len;
    if (dirfd == AT_FDCWD) {
        len = proc_link(t->pid, "cwd", 0, out);
        if (len < 0)
            return len == -ENOENT ? -ESRCH : len;
    } else {
        if (dirfd < 0)
            return -EBADF;
        len = proc_link(t->pid, NULL, dirfd, out);
        if (len < 0)
            return len == -ENOENT ? -EBADF : len;
        if (out[0] != '/')          /* socket:[N], pipe:[N], anon_inode:... */
            return -ENOTDIR;
        if (need_dir) {
            char link[64];
            struct stat st;
            proc_file(link, t->pid, NULL, dirfd);
            if (stat(link, &st) != 0)
                return errno == ENOENT ? -EBADF : -errno;
            if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        }
    }
    if (root_is_fixed)
        return len;
    int rl = proc_link(t->pid, "root", 0, root);
    if (rl < 0)
        return rl == -ENOENT ? -ESRCH : rl;
    return strip_root(out, len, root, rl);
}

ssize_t sl_child_root(sandlock_handle h, char *buf, size_t size)
{
    if (!buf || size == 0)
        return -EINVAL;
    buf[0] = '\0';
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    char root[PATH_MAX];
    int len = 1;
    if (root_is_fixed) {
        strcpy(root, "/");
    } else {
        len = proc_link(t.pid, "root", 0, root);
        if (len < 0)
            return len == -ENOENT ? -ESRCH : len;
        if (sl_target_check(&t))
            return -ESRCH;
    }
    if ((size_t)len >= size)
        return -ENAMETOOLONG;
    memcpy(buf, root, (size_t)len + 1);
    return len;
}

ssize_t sl_resolve_path(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size)
{
    return sl_resolve_path_flags(h, dirfd, path_addr, buf, size, 0);
}

/* The second half of a resolution: `raw` (n bytes, or n < 0: the error of
 * reading it) joined to where it starts, checked live, normalised into
 * buf. */
static ssize_t resolve_raw(const struct sl_target *t, int dirfd, const char *raw, ssize_t n, unsigned flags,
                           char *buf, size_t size)
{
    char joined[2 * PATH_MAX + 1];
    int relative = 0;
    if (n >= 0 && raw[0] != '/') {
        /* An empty path names dirfd itself: no directory needed. */
        int rc = child_base(t, dirfd, n > 0 && !(flags & SANDLOCK_RESOLVE_ANY_DIRFD), joined);
        if (rc < 0) {
            n = rc;
        } else {
            /* base + "/" + raw: both shorter than PATH_MAX, so it fits. */
            joined[rc] = '/';
            memcpy(joined + rc + 1, raw, (size_t)n + 1);
            relative = 1;
        }
    }
    /* Only a notification still pending vouches for what was read. */
    if (n >= 0 && sl_target_check(t))
        n = -ESRCH;
    if (n < 0) {
        buf[0] = '\0';
    } else if (flags & SL_RESOLVE_JOIN_ONLY) {
        const char *walk = relative ? joined : raw;
        n = (ssize_t)strlen(walk);
        if ((size_t)n < size) {
            memcpy(buf, walk, (size_t)n + 1);
        } else {
            buf[0] = '\0';
            n = -ENAMETOOLONG;
        }
    } else {
        n = sl_path_normalise(relative ? joined : raw, buf, size);
    }
    return n;
}

static void release_held(sandlock_held_dir *held)
{
    if (held->dir >= 0)
        close(held->dir);
    if (held->root >= 0)
        close(held->root);
    held->dir = held->root = -1;
}

/* Copies the child's descriptor dirfd into held->dir, and its root into
 * held->root unless the root is fixed. Returns 0, or -1 (nothing held)
 * when that cannot be done. Whether dirfd is a directory is end's to
 * check: a file's type never changes, and the check costs as much as the
 * copy while the child waits. */
static int hold_dir(const struct sl_target *t, int dirfd, unsigned flags, sandlock_held_dir *held)
{
    int fd = sl_child_getfd(t, dirfd);
    if (fd < 0)
        return -1;
    int root = -1;
    if (!root_is_fixed) {
        char link[64];
        proc_file(link, t->pid, "root", 0);
        root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
            close(fd);
            return -1;
        }
    }
    held->dir = fd;
    held->root = root;
    held->flags = flags;
    return 0;
}

/* resolve_path_flags, and resolve_path_begin when `held` is set: keeps a
 * copy of dirfd in *held instead of naming it when the path is relative
 * to it and fits the caller's buffer as it is (else resolve_path's cutting
 * rules apply at once). */
static ssize_t resolve(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size, unsigned flags,
                       sandlock_held_dir *held)
{
    if (!buf || size == 0 || (flags & ~(SANDLOCK_RESOLVE_ANY_DIRFD | SL_RESOLVE_JOIN_ONLY)))
        return -EINVAL;
    buf[0] = '\0';
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    /* On the stack: this runs for most notifications of path plugins.
     * Longer than PATH_MAX: the kernel refuses it too (-ENAMETOOLONG). */
    char raw[PATH_MAX];
    ssize_t n = sl_target_read_string(&t, path_addr, raw, PATH_MAX);
    if (held && n >= 0 && raw[0] != '/' && dirfd >= 0 && (size_t)n < size &&
        hold_dir(&t, dirfd, flags, held) == 0) {
        if (sl_target_check(&t)) {
            release_held(held);
            return -ESRCH;
        }
        memcpy(buf, raw, (size_t)n + 1);
        return n;
    }
    return resolve_raw(&t, dirfd, raw, n, flags, buf, size);
}

ssize_t sl_resolve_path_flags(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags)
{
    return resolve(h, dirfd, path_addr, buf, size, flags, NULL);
}

ssize_t sl_resolve_path_begin(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags, sandlock_held_dir *held)
{
    if (!held)
        return -EINVAL;
    held->dir = held->root = -1;
    held->flags = 0;
    return resolve(h, dirfd, path_addr, buf, size, flags, held);
}

/* What resolve_path_end names: the held directory (as it is now), made
 * relative to the held root, joined to `relative`, normalised. `flags`
 * are begin's: without SANDLOCK_RESOLVE_ANY_DIRFD a held file that is no
 * directory gives -ENOTDIR (unless relative is empty: it names the file). */
static ssize_t name_held(const sandlock_held_dir *held, const char *relative, unsigned flags, char *buf,
                         size_t size)
{
    size_t rel_len = strlen(relative);
    if (rel_len >= PATH_MAX)
        return -ENAMETOOLONG;
    char joined[2 * PATH_MAX + 1];
    int len = proc_link(0, NULL, held->dir, joined);
    if (len < 0)
        return len;
    if (joined[0] != '/')
        return -ENOTDIR;            /* socket:[N], pipe:[N], anon_inode:... */
    struct stat st;
    if (fstat(held->dir, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode) && rel_len > 0 && !(flags & SANDLOCK_RESOLVE_ANY_DIRFD))
        return -ENOTDIR;
    /* A directory removed since is named "PATH (deleted)"; without links
     * left, that suffix is the kernel's, not part of its name. */
    static const char deleted[] = " (deleted)";
    const int dl = (int)sizeof(deleted) - 1;
    if (len > dl && memcmp(joined + len - dl, deleted, (size_t)dl) == 0 && st.st_nlink == 0) {
        len -= dl;
        joined[len] = '\0';
    }
    if (held->root >= 0) {
        char root[PATH_MAX];
        int rl = proc_link(0, NULL, held->root, root);
        if (rl < 0)
            return rl;
        len = strip_root(joined, len, root, rl);
        if (len < 0)
            return len;
    }
    joined[len] = '/';
    memcpy(joined + len + 1, relative, rel_len + 1);
    return sl_path_normalise(joined, buf, size);
}

ssize_t sl_resolve_path_end(sandlock_held_dir *held, const char *relative, char *buf, size_t size)
{
    if (!held)
        return -EINVAL;
    ssize_t rc;
    if (held->dir < 0)
        rc = -EINVAL;
    else if (!buf || size == 0)
        rc = 0;
    else if (!relative)
        rc = -EINVAL;
    else
        rc = name_held(held, relative, held->flags, buf, size);
    if (rc < 0 && rc != -ENAMETOOLONG && buf && size)
        buf[0] = '\0';
    release_held(held);
    return rc;
}

/* The child's umask, from /proc/PID/status; -1 when unknown. */
static int child_umask(pid_t pid);

int sl_child_umask(sandlock_handle h)
{
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    int mask = child_umask(t.pid);
    return mask < 0 || sl_target_check(&t) ? -ESRCH : mask;
}

static int child_umask(pid_t pid)
{
    /* "Name:\t<command, escaped: no newline>\nUmask:\t0022\n...": the
     * second line, within the first read (open, read, close: no stdio,
     * whose fstat would cost a system call more). */
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *line = strstr(buf, "\nUmask:");
    return line ? (int)strtol(line + 7, NULL, 8) : -1;
}

/* Each thread that creates files for a child gets its own umask (an fs
 * struct of its own), so setting the child's umask around the call does
 * not affect other threads. */
static __thread int fs_private;

int sl_behalf_umask_enter(int mask, mode_t *mode, mode_t *saved)
{
    if (!fs_private && unshare(CLONE_FS) == 0)
        fs_private = 1;
    if (fs_private) {
        *saved = umask((mode_t)mask);
        return 1;
    }
    *mode &= ~(mode_t)mask;   /* the supervisor's umask applies on top */
    return 0;
}

void sl_behalf_umask_leave(int entered, mode_t saved)
{
    if (entered)
        umask(saved);
}

long sl_behalf_openat2(int dirfd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
        .mode = mode,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    /* openat2 fails with EAGAIN when any rename or mount in the system
     * races a ".." of the lookup (every sandbox start mounts its /proc):
     * the kernel asks for a retry. */
    long fd;
    int tries = 0;
    do
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN && ++tries < 1000);
    return fd < 0 ? -errno : fd;
}

static int open_in_root(int rootfd, const char *path, int flags, mode_t mode, int mask)
{
    int creating = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    mode_t saved = 0;
    int swapped = 0;
    mode = creating ? mode & 07777 : 0;
    if (creating)
        swapped = sl_behalf_umask_enter(mask, &mode, &saved);
    long fd = sl_behalf_openat2(rootfd, path, flags, mode);
    sl_behalf_umask_leave(swapped, saved);
    return (int)fd;
}

/* Spells a path relative to the child's cwd out from its root (the kernel
 * walks the rest, symlinks and all) into a malloc()ed *full. 0 or -errno. */
static int from_child_cwd(const struct sl_target *t, const char *path, char **full)
{
    *full = malloc(2 * PATH_MAX);
    if (!*full)
        return -ENOMEM;
    int rc = child_base(t, AT_FDCWD, 0, *full);
    if (rc >= 0 && (size_t)rc + 1 + strlen(path) >= 2 * PATH_MAX)
        rc = -ENAMETOOLONG;
    if (rc < 0) {
        free(*full);
        *full = NULL;
        return rc;
    }
    strcat(*full, "/");
    strcat(*full, path);
    return 0;
}

void sl_behalf_end(struct sl_behalf *b)
{
    if (b->entered)
        sl_creds_leave();
    if (b->rootfd >= 0 && !b->root_held)
        close(b->rootfd);
    for (int i = 0; i < 2; i++)
        free(b->full[i]);
    int suspended = b->suspended;
    memset(b, 0, sizeof(*b));
    b->rootfd = -1;
    sl_creds_resume(suspended);
}

/* begin's look at the child by pid (relative paths spelled out from its
 * cwd, its umask, its root), with sandlock's credentials. 0 or -errno. */
static int look_up(struct sl_behalf *b, const char *const given[2], int creating)
{
    /* Whether anything was read from the child's /proc entries by pid:
     * only then is a liveness check needed here. */
    int looked = creating, rc;
    for (int i = 0; i < 2; i++) {
        b->path[i] = given[i];
        if (given[i] && given[i][0] != '/') {
            looked = 1;
            if ((rc = from_child_cwd(&b->t, given[i], &b->full[i])) < 0)
                return rc;
            b->path[i] = b->full[i];
        }
    }
    if (creating && (b->mask = child_umask(b->t.pid)) < 0)
        return -ESRCH;
    /* The sandbox's root, held once where no task can change it (views.h);
     * else the task's, looked up now. */
    b->rootfd = sl_views_root(sl_views_of(b->t.handle));
    b->root_held = b->rootfd >= 0;
    if (!b->root_held) {
        char root[64];
        snprintf(root, sizeof(root), "/proc/%d/root", (int)b->t.pid);
        b->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (b->rootfd < 0)
            return errno == ENOENT ? -ESRCH : -errno;
        looked = 1;
    }
    /* What was read by pid (the root, the cwd, the umask) is the trapped
     * task's only if its notification is still pending. Nothing read (an
     * absolute path in the held root): nothing to vouch for, and the
     * credentials are checked when they are read (creds.c). */
    if (looked && sl_target_check(&b->t))
        return -ESRCH;
    if (!b->root_held)
        b->root_held = sl_views_offer_root(sl_views_of(b->t.handle), b->rootfd);
    return 0;
}

int sl_behalf_begin(sandlock_handle h, const char *path, const char *path2, int creating, struct sl_behalf *b)
{
    memset(b, 0, sizeof(*b));
    b->rootfd = -1;
    const char *const given[2] = { path, path2 };
    for (int i = 0; i < 2; i++)
        if (i == 0 || path2)
            if (!given[i] || !*given[i])
                return given[i] ? -ENOENT : -EINVAL;
    int rc = sl_target_of(h, &b->t);
    if (rc < 0)
        return rc;
    /* Inside this notification's run_as_child the thread keeps the
     * child's credentials, and gives them back only for a look by pid;
     * elsewhere (inside another notification's run_as_child too) it acts
     * from sandlock's own, as every host service does. */
    int acting = sl_creds_acting_for(h);
    if (!acting)
        b->suspended = sl_creds_suspend();
    int looks = creating || sl_views_root(sl_views_of(h)) < 0 || given[0][0] != '/' || (path2 && path2[0] != '/');
    int token = acting && looks ? sl_creds_suspend() : 0;
    rc = look_up(b, given, creating);
    sl_creds_resume(token);
    if (rc == 0 && (rc = sl_creds_enter(&b->t)) == 0)
        b->entered = 1;
    if (rc < 0)
        sl_behalf_end(b);
    return rc;
}

int sl_open_path(sandlock_handle h, const char *path, int flags, mode_t mode)
{
    struct sl_behalf b;
    int rc = sl_behalf_begin(h, path, NULL, (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE, &b);
    if (rc < 0)
        return rc;
    /* The open itself, and only it, with the child's credentials. */
    rc = open_in_root(b.rootfd, b.path[0], flags, mode, b.mask);
    sl_behalf_end(&b);
    return rc;
}
