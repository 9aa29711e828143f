/* selflink.h -- the trapped task's own /proc entries in a path the host
 * walks for it. /proc/self, /proc/thread-self, /proc/ID (the task's own
 * process or thread id in its PID namespace), /dev/fd/N and /dev/std{in,
 * out,err} name the task to the kernel only when the task walks them: a
 * host thread walking the same string would reach sandlock itself (or, in
 * the sandbox's PID namespace, nothing). So such a path is translated
 * before the host walks it: the task's magic links (fd/N, cwd, exe, root)
 * are followed through sandlock's /proc to exactly their object, and the
 * task's other entries are named by its id as the child's /proc shows it.
 * Another task's magic links (/proc/ID/fd/N, cwd, exe, root, also under
 * task/TID) are followed as the task would follow them: in its /proc, with
 * its credentials (sl_run_as_child), so the kernel's check of its right to
 * look into that task is the task's own. */
#ifndef SANDLOCK_SELFLINK_H
#define SANDLOCK_SELFLINK_H

#include "liveness.h"

#include <limits.h>

enum {
    SL_SELF_NONE,          /* names none of the task's own entries */
    SL_SELF_OBJECT,        /* fd: the object of a magic link, rest after it */
    SL_SELF_PATH,          /* path: the walk to make instead (root/...: the
                              rest in the task's root; /proc/self/...: by id) */
};

struct sl_self {
    int fd;                /* SL_SELF_OBJECT: O_PATH, the caller's to close */
    const char *rest;      /* SL_SELF_OBJECT: into the given path, "" or "/..." */
    char path[PATH_MAX + 64];
};

/* Translates `path` (absolute in the task's root, as the task spelled it:
 * "." and ".." kept) for the notification t. Returns SL_SELF_* or -errno
 * (-EBADF: no such descriptor; -ESRCH: the notification is gone;
 * -ENAMETOOLONG; another task's link: the kernel's error, -EACCES when
 * the task may not look into it). The task's own magic link's object is
 * opened through sandlock's /proc with sandlock's credentials (the task may
 * always follow its own links), another task's as the task (above); both
 * proven the task's by a liveness check after the open. */
int sl_self_translate(const struct sl_target *t, const char *path, struct sl_self *out);

/* The walk that reaches `rest` ("/..." after a magic link) from the object
 * fd: the object's path as the task sees it (its root stripped), then rest
 * -- so that ".." and symbolic links in rest mean what they mean to the
 * kernel. 0 or -errno (-ENOTDIR: the object has no path, -EXDEV: outside
 * the task's root, -ENAMETOOLONG). */
int sl_self_object_walk(const struct sl_target *t, int fd, const char *rest, char *out, size_t size);

#endif
