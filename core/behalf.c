/* behalf.c -- calls made on the child's behalf beyond open
 * (host->mkdir_path, unlink_path, rename_path, link_path, symlink_path,
 * stat_path; contracts in sdk/sandlock/plugin.h). Each is made as
 * open_path is (paths.c: sl_behalf_begin): inside the child's root and
 * mount view, with its credentials and umask. The parent directory of the
 * entry is looked up with openat2(RESOLVE_IN_ROOT), the call made on the
 * last component relative to it, so ".." and symlinks on the way never
 * leave the child's root, and the last component is the call's own. */
#define _GNU_SOURCE
#include "config.h"
#include "behalf.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The directory holding the last component of the absolute `path`, opened
 * (O_PATH) inside the root; *last points into path (trailing slashes kept:
 * the call gives them their meaning). "/" is "." of the root. */
static int open_parent(int rootfd, const char *path, const char **last)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    char parent[PATH_MAX * 2];
    if (start >= sizeof(parent))
        return -ENAMETOOLONG;
    *last = start == end ? "." : path + start;
    memcpy(parent, path, start);
    parent[start] = '\0';
    return (int)sl_behalf_openat2(rootfd, start ? parent : "/", O_PATH | O_DIRECTORY, 0);
}

#define RESULT(expr) ((expr) < 0 ? -errno : 0)

/* What one_entry makes at, or removes from, its entry. */
enum entry_call { MKDIR, UNLINK, SYMLINK };

/* mkdir_path, unlink_path and symlink_path: one entry in its parent. */
static int one_entry(sandlock_handle h, const char *path, enum entry_call call, mode_t mode, int flags,
                     const char *target)
{
    struct sl_behalf b;
    int rc = sl_behalf_begin(h, path, NULL, call == MKDIR, &b);
    if (rc < 0)
        return rc;
    const char *last;
    int dir = rc = open_parent(b.rootfd, b.path[0], &last);
    if (dir >= 0) {
        mode_t saved = 0;
        mode &= 07777;
        int swapped = call == MKDIR ? sl_behalf_umask_enter(b.mask, &mode, &saved) : 0;
        rc = call == MKDIR    ? RESULT(mkdirat(dir, last, mode))
             : call == UNLINK ? RESULT(unlinkat(dir, last, flags))
                              : RESULT(symlinkat(target, dir, last));
        sl_behalf_umask_leave(swapped, saved);
        close(dir);
    }
    sl_behalf_end(&b);
    return rc;
}

int sl_mkdir_path(sandlock_handle h, const char *path, mode_t mode)
{
    return one_entry(h, path, MKDIR, mode, 0, NULL);
}

int sl_unlink_path(sandlock_handle h, const char *path, int flags)
{
    return flags & ~AT_REMOVEDIR ? -EINVAL : one_entry(h, path, UNLINK, 0, flags, NULL);
}

int sl_symlink_path(sandlock_handle h, const char *target, const char *path)
{
    return target ? one_entry(h, path, SYMLINK, 0, 0, target) : -EINVAL;
}

/* rename_path and link_path: two entries, each in its parent. */
static int two_entries(sandlock_handle h, const char *path, const char *to, int link, unsigned flags)
{
    struct sl_behalf b;
    int rc = sl_behalf_begin(h, path, to, 0, &b);
    if (rc < 0)
        return rc;
    if (!to) {
        sl_behalf_end(&b);
        return -EINVAL;
    }
    const char *last1 = NULL, *last2;
    int src = link && (flags & AT_SYMLINK_FOLLOW)
                  ? (int)sl_behalf_openat2(b.rootfd, b.path[0], O_PATH, 0)   /* the object the link reaches */
                  : open_parent(b.rootfd, b.path[0], &last1);
    int dir2 = src < 0 ? src : open_parent(b.rootfd, b.path[1], &last2);
    rc = dir2;
    if (dir2 >= 0) {
        if (link && !last1) {
            char self[64];
            snprintf(self, sizeof(self), "/proc/self/fd/%d", src);
            rc = RESULT(linkat(AT_FDCWD, self, dir2, last2, AT_SYMLINK_FOLLOW));
        } else if (link) {
            rc = RESULT(linkat(src, last1, dir2, last2, 0));
        } else {
            rc = RESULT(syscall(SYS_renameat2, src, last1, dir2, last2, flags));
        }
        close(dir2);
    }
    if (src >= 0)
        close(src);
    else
        rc = src;
    sl_behalf_end(&b);
    return rc;
}

int sl_rename_path(sandlock_handle h, const char *path, const char *to, unsigned flags)
{
    return two_entries(h, path, to, 0, flags);
}

int sl_link_path(sandlock_handle h, const char *path, const char *to, int flags)
{
    if (flags & ~AT_SYMLINK_FOLLOW)
        return -EINVAL;
    return two_entries(h, path, to, 1, (unsigned)flags);
}

int sl_stat_path(sandlock_handle h, const char *path, struct stat *st, int flags)
{
    if (!st || (flags & ~AT_SYMLINK_NOFOLLOW))
        return -EINVAL;
    struct sl_behalf b;
    int rc = sl_behalf_begin(h, path, NULL, 0, &b);
    if (rc < 0)
        return rc;
    int fd = rc = (int)sl_behalf_openat2(b.rootfd, b.path[0], O_PATH | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0), 0);
    if (fd >= 0) {
        rc = RESULT(fstatat(fd, "", st, AT_EMPTY_PATH));
        close(fd);
    }
    sl_behalf_end(&b);
    return rc;
}
