/* behalf.c -- see behalf.h. Objects are reached through their descriptor
 * (AT_EMPTY_PATH, or /proc/self/fd/N, which the kernel follows to exactly
 * that object), entries through their checked parent directory. */
#define _GNU_SOURCE
#include "behalf.h"
#include "selfdir.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define RESULT(expr) ((expr) < 0 ? -(long)errno : 0)

/* The path of our descriptor as sandlock sees it. 0 or -1. */
static int fd_real_path(int fd, char *out, size_t size)
{
    ssize_t n = fsd_self_readlink(fd, out, size - 1);
    if (n <= 0 || out[0] != '/')
        return -1;
    out[n] = '\0';
    return 0;
}

static int is_link(int fd)
{
    struct stat sb;
    return fstat(fd, &sb) == 0 && S_ISLNK(sb.st_mode);
}

/* Writes len bytes to the child; -errno of the write, or 0. */
static long give(struct fsd_call *c, uint64_t addr, const void *buf, size_t len)
{
    ssize_t n = c->host->mem_write(c->ev->handle, addr, buf, len);
    return n < 0 ? n : 0;
}

long fsd_do_stat(struct fsd_call *c, int obj, uint64_t statbuf)
{
    struct stat sb;
    if (fstatat(obj, "", &sb, AT_EMPTY_PATH) != 0)
        return -errno;
    return give(c, statbuf, &sb, sizeof(sb));
}

long fsd_do_statx(struct fsd_call *c, int obj, unsigned flags, unsigned mask, uint64_t buf)
{
    struct statx sx;
    flags &= AT_STATX_SYNC_TYPE | AT_NO_AUTOMOUNT;
    if (statx(obj, "", (int)flags | AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask, &sx) != 0)
        return -errno;
    return give(c, buf, &sx, sizeof(sx));
}

long fsd_do_statfs(struct fsd_call *c, int obj, uint64_t buf)
{
    struct statfs sf;
    if (fstatfs(obj, &sf) != 0)
        return -errno;
    return give(c, buf, &sf, sizeof(sf));
}

long fsd_do_inotify(struct fsd_call *c, int obj, int child_fd, uint32_t mask)
{
    /* A watch of the checked object, added to the child's own inotify
     * instance (a copy of its descriptor: the same instance, so the watch
     * descriptor returned is the child's). */
    int ino = c->host->dup_child_fd(c->ev->handle, child_fd);
    if (ino < 0)
        return ino;
    char self[64];
    fsd_self_path(obj, self, sizeof(self));
    long rc = inotify_add_watch(ino, self, mask & ~(uint32_t)IN_DONT_FOLLOW);
    if (rc < 0)
        rc = -errno;
    close(ino);
    return rc;
}

long fsd_do_access(struct fsd_call *c, int obj, int mode, int flags)
{
    (void)c;
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    return RESULT(syscall(SYS_faccessat2, obj, "", mode, AT_EMPTY_PATH | (flags & AT_EACCESS)));
}

long fsd_do_readlink(struct fsd_call *c, int obj, int named, uint64_t buf, long size)
{
    char target[PATH_MAX];
    if (size <= 0)
        return -EINVAL;
    if (!is_link(obj))
        return named ? -EINVAL : -ENOENT;
    ssize_t n = readlinkat(obj, "", target, sizeof(target));
    if (n < 0)
        return -errno;
    if (n > size)
        n = size;
    long rc = give(c, buf, target, (size_t)n);
    return rc < 0 ? rc : n;
}

long fsd_do_chmod(struct fsd_call *c, int obj, mode_t mode)
{
    (void)c;
    if (is_link(obj))
        return -EOPNOTSUPP;
    if (syscall(SYS_fchmodat2, obj, "", mode, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL)
        return -errno;
    char self[64];
    fsd_self_path(obj, self, sizeof(self));
    return RESULT(chmod(self, mode));
}

long fsd_do_chown(struct fsd_call *c, int obj, long uid, long gid)
{
    (void)c;
    return RESULT(fchownat(obj, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH));
}

long fsd_do_truncate(struct fsd_call *c, int obj, long length)
{
    (void)c;
    char self[64];
    fsd_self_path(obj, self, sizeof(self));
    return RESULT(truncate(self, length));
}

long fsd_do_utimes(struct fsd_call *c, int obj, int kind, uint64_t times)
{
    struct timespec ts[2], *use = NULL;
    if (times) {
        ssize_t n;
        if (kind == 0) {
            long ut[2];
            n = c->host->mem_read(c->ev->handle, times, ut, sizeof(ut));
            ts[0] = (struct timespec){ ut[0], 0 };
            ts[1] = (struct timespec){ ut[1], 0 };
        } else if (kind == 1) {
            struct timeval tv[2];
            n = c->host->mem_read(c->ev->handle, times, tv, sizeof(tv));
            for (int i = 0; n >= 0 && i < 2; i++) {
                if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                    return -EINVAL;
                ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
            }
        } else {
            n = c->host->mem_read(c->ev->handle, times, ts, sizeof(ts));
        }
        if (n < 0)
            return n;
        use = ts;
    }
    return RESULT(utimensat(obj, "", use, AT_EMPTY_PATH));
}

/* args: the xattr call's arguments after the path. */
long fsd_do_xattr(struct fsd_call *c, int obj, int op, const uint64_t *args)
{
    char name[XATTR_NAME_MAX + 2], self[PATH_MAX];
    sandlock_handle h = c->ev->handle;
    if (op != 'l') {
        ssize_t n = c->host->mem_read_string(h, args[0], name, sizeof(name));
        if (n == -ENAMETOOLONG || n == 0)
            return -ERANGE;
        if (n < 0)
            return n;
    }
    /* A symlink (only the l* calls reach one) is named by its real path:
     * the descriptor's /proc link would name the link's target. */
    int nofollow = is_link(obj);
    fsd_self_path(obj, self, sizeof(self));
    if (nofollow && fd_real_path(obj, self, sizeof(self)) != 0)
        return -ENOENT;
    if (op == 'r')
        return RESULT((nofollow ? lremovexattr : removexattr)(self, name));
    uint64_t addr = op == 'l' ? args[0] : args[1];
    size_t size = (size_t)(op == 'l' ? args[1] : args[2]);
    if (size > XATTR_SIZE_MAX) {
        if (op == 's')
            return -E2BIG;
        size = XATTR_SIZE_MAX;
    }
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return -ENOMEM;
    long rc;
    if (op == 's') {
        rc = size ? c->host->mem_read(h, addr, buf, size) : 0;
        if (rc >= 0) {
            int flags = (int)args[3];
            rc = RESULT((nofollow ? lsetxattr : setxattr)(self, name, buf, size, flags));
        }
    } else {
        ssize_t n;
        if (op == 'g')
            n = (nofollow ? lgetxattr : getxattr)(self, name, size ? buf : NULL, size);
        else
            n = (nofollow ? llistxattr : listxattr)(self, size ? buf : NULL, size);
        rc = n < 0 ? -errno : n;
        if (n > 0 && size) {
            long w = give(c, addr, buf, (size_t)n);
            if (w < 0)
                rc = w;
        }
    }
    free(buf);
    return rc;
}

/* Each thread that creates entries for the child gets an fs struct of its
 * own, so wearing the child's umask does not affect other threads. */
static __thread int fs_private;

int fsd_child_umask(struct fsd_call *c)
{
    if (c->umask < 0)
        c->umask = c->host->child_umask(c->ev->handle);
    return c->umask;
}

/* Sets this thread's umask to the child's; returns the old one, or -errno. */
static int wear_umask(struct fsd_call *c)
{
    int mask = fsd_child_umask(c);
    if (mask < 0)
        return mask;
    if (!fs_private && unshare(CLONE_FS) == 0)
        fs_private = 1;
    if (!fs_private)
        return -EAGAIN;
    return (int)umask((mode_t)mask);
}

long fsd_do_unlink(struct fsd_call *c, int dir, const char *last, int flags)
{
    (void)c;
    return RESULT(unlinkat(dir, last, flags & AT_REMOVEDIR));
}

long fsd_do_mkdir(struct fsd_call *c, int dir, const char *last, mode_t mode)
{
    int old = wear_umask(c);
    if (old < 0)
        return old;
    long rc = RESULT(mkdirat(dir, last, mode));
    umask((mode_t)old);
    return rc;
}

long fsd_do_mknod(struct fsd_call *c, int dir, const char *last, mode_t mode, dev_t dev)
{
    int old = wear_umask(c);
    if (old < 0)
        return old;
    long rc = RESULT(mknodat(dir, last, mode, dev));
    umask((mode_t)old);
    return rc;
}

long fsd_do_symlink(struct fsd_call *c, uint64_t target, int dir, const char *last)
{
    char text[PATH_MAX];
    ssize_t n = c->host->mem_read_string(c->ev->handle, target, text, sizeof(text));
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    return RESULT(symlinkat(text, dir, last));
}

long fsd_do_rename(int dir1, const char *last1, int dir2, const char *last2, unsigned flags)
{
    return RESULT(syscall(SYS_renameat2, dir1, last1, dir2, last2, flags));
}

long fsd_do_link(int obj, int dir1, const char *last1, int dir2, const char *last2)
{
    if (obj < 0)
        return RESULT(linkat(dir1, last1, dir2, last2, 0));
    char self[64];
    fsd_self_path(obj, self, sizeof(self));
    return RESULT(linkat(AT_FDCWD, self, dir2, last2, AT_SYMLINK_FOLLOW));
}

int fsd_do_create(struct fsd_call *c, int dir, const char *last, int flags, mode_t mode)
{
    int old = wear_umask(c);
    if (old < 0)
        return old;
    /* The entry itself, never a symlink there: the caller decides. */
    struct open_how how = { .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC), .mode = mode & 07777,
                            .resolve = RESOLVE_NO_SYMLINKS };
    if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
        how.mode = 0;
    long fd = syscall(SYS_openat2, dir, last, &how, sizeof(how));
    int rc = fd < 0 ? -errno : (int)fd;
    umask((mode_t)old);
    return rc;
}

int fsd_do_reopen(int obj, int flags)
{
    int fd = fsd_self_open(obj, (flags & ~(O_NOFOLLOW | O_CREAT | O_EXCL)) | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

struct behalf_call {
    long (*fn)(void *arg);
    void *arg;
    long result;
};

static int run_behalf(void *p)
{
    struct behalf_call *b = p;
    b->result = b->fn(b->arg);
    return 0;
}

long fsd_as_child(const sandlock_host *host, sandlock_handle h, long (*fn)(void *arg), void *arg)
{
    struct behalf_call b = { fn, arg, 0 };
    int rc = host->run_as_child(h, run_behalf, &b);
    return rc < 0 ? rc : b.result;
}
