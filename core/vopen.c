/* vopen.c -- see vopen.h. */
#define _GNU_SOURCE
#include "config.h"
#include "vopen.h"
#include "creds.h"
#include "liveness.h"
#include "memory.h"
#include "paths.h"
#include "selflink.h"
#include "sockcall.h"
#include "syscall_paths.h"
#include "vobject.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One open, made as the child (run through sl_run_as_child). */
struct vopen {
    const struct sl_here *here;
    sandlock_handle h;
    const char *walk;          /* the path in the child's root, or NULL: obj */
    int obj;                   /* the object (O_PATH), -1 until obtained */
    const char *rest;          /* with obj: the walk from it */
    uint64_t resolve;          /* openat2's RESOLVE_* the child asked (obj: its dirfd) */
    int flags, follow;
    mode_t mode;
    int mask;                  /* the child's umask, when creating */
    int later;                 /* the open may wait: made on a thread, from obj */
    int checked;               /* the result was compared with the served objects */
};

static int creates(int flags)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* Does `rest` name a component ("..", a name: not only slashes and ".")? */
static int names_more(const char *rest)
{
    for (const char *p = rest; *p; p++)
        if (*p != '/' && (*p != '.' || (p[1] && p[1] != '/')))
            return 1;
    return 0;
}

/* The object o->obj opened again with the child's flags. */
static int reopen(int obj, int flags)
{
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", obj);
    int fd = open(self, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* openat2 of o->rest from o->obj: with the child's RESOLVE_* flags (its
 * dirfd), or from a magic link's object, never above it (as sockcall.c);
 * never through a magic link. With O_CREAT, in the child's umask. */
static int at_object(struct vopen *o, int flags, mode_t mode)
{
    struct open_how how = { .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC), .mode = mode & 07777,
                            .resolve = (o->resolve ? o->resolve : RESOLVE_BENEATH) | RESOLVE_NO_MAGICLINKS };
    const char *rel = o->resolve ? o->rest : o->rest + strspn(o->rest, "/");
    mode_t saved = 0, m = (mode_t)how.mode;
    int swapped = creates(flags) ? sl_behalf_umask_enter(o->mask, &m, &saved) : 0;
    how.mode = creates(flags) ? m : 0;
    long fd;
    int tries = 0;
    do
        fd = syscall(SYS_openat2, o->obj, *rel ? rel : ".", &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN && ++tries < 1000);
    int err = errno;
    sl_behalf_umask_leave(swapped, saved);
    return fd < 0 ? -err : (int)fd;
}

/* Makes an open that creates (nothing was there when looked): without
 * waiting, whatever appeared there meanwhile (a FIFO). */
static int create(struct vopen *o)
{
    int flags = o->flags | O_NONBLOCK;
    int fd = o->obj < 0 ? sl_open_path(o->h, o->walk, flags, o->mode) : at_object(o, flags, o->mode);
    if (fd >= 0 && !(o->flags & O_NONBLOCK) && fcntl(fd, F_SETFL, o->flags & ~O_NONBLOCK) != 0) {
        close(fd);
        return -EIO;
    }
    return fd;
}

/* Obtains the object (O_PATH), the way the kernel would reach it. */
static int obtain(struct vopen *o)
{
    int pflags = O_PATH | (o->follow ? 0 : O_NOFOLLOW) | (o->flags & O_DIRECTORY);
    if (o->obj < 0)
        return sl_open_path(o->h, o->walk, pflags, 0);
    if (o->resolve || names_more(o->rest))
        return at_object(o, pflags, 0);
    struct stat sb;
    int want_dir = (o->flags & O_DIRECTORY) || o->rest[0];
    if (want_dir && (fstat(o->obj, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        return -ENOTDIR;
    int fd = fcntl(o->obj, F_DUPFD_CLOEXEC, 3);
    return fd < 0 ? -errno : fd;
}

static int open_act(void *arg)
{
    struct vopen *o = arg;
    int flags = o->flags;
    if ((flags & O_TMPFILE) == O_TMPFILE)
        return o->obj < 0 ? sl_open_path(o->h, o->walk, flags, o->mode) : at_object(o, flags, o->mode);
    int obj = obtain(o);
    if (obj == -ENOENT && (flags & O_CREAT))
        return create(o);
    if (obj < 0)
        return obj;
    if (o->obj >= 0)
        close(o->obj);
    o->obj = obj;
    struct stat sb;
    if (fstat(obj, &sb) != 0)
        return -EIO;
    int content;
    o->checked = 1;                   /* what is opened from now on is obj, or the content */
    if (sl_vobject_match(o->here, &sb, (flags & O_TRUNC) ? O_WRONLY : flags & O_ACCMODE, &content) == 0)
        return content;               /* served: the real file is never opened */
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (S_ISLNK(sb.st_mode))
        return -ELOOP;                /* O_NOFOLLOW reached a symlink */
    if (S_ISFIFO(sb.st_mode) && !(flags & O_NONBLOCK)) {
        o->later = 1;
        return 0;
    }
    /* A regular file's open waits only for a lease's break: tried without
     * waiting, made on a thread when it would wait. */
    int nowait = S_ISREG(sb.st_mode) && !(flags & O_NONBLOCK);
    int fd = reopen(obj, flags | (nowait ? O_NONBLOCK : 0));
    if (nowait && fd == -EWOULDBLOCK) {
        o->later = 1;
        return 0;
    }
    if (nowait && fd >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        close(fd);
        return -EIO;
    }
    return fd;
}

static void set_result(struct sl_answer *a, int fd, int flags, int checked)
{
    if (fd < 0) {
        a->verdict = SANDLOCK_VERDICT_ERRNO;
        a->error = -fd;
        return;
    }
    a->verdict = SANDLOCK_VERDICT_FD;
    a->fd = fd;
    a->fd_flags = ((flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC) | (checked ? SL_FD_CHECKED : 0);
}

/* A waiting open on a thread of the host's. */
struct waiting {
    sandlock_handle h;
    int obj, flags;
};

static int waiting_act(void *arg)
{
    struct waiting *w = arg;
    return reopen(w->obj, w->flags);
}

static void waiting_run(void *arg, sandlock_response *r)
{
    struct waiting *w = arg;
    int fd = sl_run_as_child(w->h, waiting_act, w);
    if (fd < 0)
        sandlock_respond_errno(r, -fd);
    else
        sandlock_respond_fd(r, fd, (w->flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC);
}

static void waiting_release(void *arg)
{
    struct waiting *w = arg;
    close(w->obj);
    free(w);
}

/* Hands the open of o->obj to a thread; o->obj is its from now on. */
static void open_later(const sandlock_event *ev, uint64_t probe, struct vopen *o, struct sl_answer *a)
{
    struct waiting *w = malloc(sizeof(*w));
    int rc = w ? 0 : -ENOMEM;
    if (w) {
        *w = (struct waiting){ .h = ev->handle, .obj = o->obj, .flags = o->flags };
        rc = sl_host_job_submit(ev, probe, waiting_run, waiting_release, w);
    }
    if (rc == 0) {
        o->obj = -1;
        a->verdict = SANDLOCK_VERDICT_DEFER;
        return;
    }
    free(w);
    set_result(a, rc == -ENOMEM ? -ENOMEM : -EAGAIN, 0, 0);
}

/* The directory a path starts from (dirfd, the cwd for AT_FDCWD, the
 * task's root for ROOT), opened O_PATH through sandlock's /proc, proven
 * the task's. 0 or -errno. */
#define ROOT (-1000)
static int start_of(const struct sl_target *t, int dirfd, int *fd)
{
    char link[64];
    if (dirfd == ROOT)
        snprintf(link, sizeof(link), "/proc/%d/root", (int)t->pid);
    else if (dirfd == AT_FDCWD)
        snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->pid);
    else if (dirfd >= 0)
        snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->pid, dirfd);
    else
        return -EBADF;
    *fd = open(link, O_PATH | O_CLOEXEC);
    int err = errno;
    if (sl_target_check(t)) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return -ESRCH;
    }
    return *fd < 0 ? (err == ENOENT ? -EBADF : -err) : 0;
}

int sl_vopen_owns(const struct sl_here *here, int nr)
{
    return sl_vobjects_any(here) && sl_syscall_is_open(nr);
}

void sl_vopen_perform(const struct sl_here *here, const sandlock_event *ev, struct sl_answer *a)
{
    if (!sl_syscall_is_open(ev->nr) || !sl_vobjects_any(here))
        return;                        /* not an open (a chain of another call) */
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    int count = sl_syscall_paths(ev, &sp);
    if (count <= 0) {
        if (count < 0)
            set_result(a, count, 0, 0);
        return;
    }
    int flags = (int)sp.open_flags;
    if (flags & O_PATH)
        return;                        /* reads nothing: the kernel's */
    char walk[2 * PATH_MAX + 2];
    struct sl_target t;
    struct sl_self self = { .fd = -1 };
    struct vopen o = { .here = here, .h = ev->handle, .walk = walk, .obj = -1, .flags = flags,
                       .follow = (sp.flags & SANDLOCK_PATHS_FOLLOW) != 0, .mode = (mode_t)sp.mode };
    /* The bytes the chain judged (memory.c), joined to where they start. */
    char raw[PATH_MAX];
    ssize_t n = sl_mem_read_string(ev->handle, sp.path[0].addr, raw, sizeof(raw));
    int rc = n == 0 ? -ENOENT : n < 0 ? (int)n : 0;
    if (rc == 0)
        rc = (int)sl_resolve_path_flags(ev->handle, sp.path[0].dirfd, sp.path[0].addr, walk, sizeof(walk),
                                        SL_RESOLVE_JOIN_ONLY);
    if (rc >= 0)
        rc = sl_target_of(ev->handle, &t);
    if (rc >= 0 && creates(flags))
        rc = o.mask = sl_child_umask(ev->handle);
    /* openat2's RESOLVE_* flags (less those the host's walk applies anyway) */
    o.resolve = sp.resolve & ~(uint64_t)(RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED);
    if (rc >= 0 && (o.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
        /* Its RESOLVE_* flags mean from its dirfd (or cwd), as it named it. */
        rc = start_of(&t, sp.path[0].dirfd, &o.obj);
        o.rest = raw;
    } else if (rc >= 0 && o.resolve) {
        /* The others (RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV) along the walk
         * from its root, where ".." stops as it does for the child. */
        rc = start_of(&t, ROOT, &o.obj);
        o.resolve |= RESOLVE_IN_ROOT;
        o.rest = walk;
    } else if (rc >= 0) {
        rc = sl_self_translate(&t, walk, &self);
        if (rc == SL_SELF_OBJECT && names_more(self.rest)) {
            /* Further from the object: the walk from its path. */
            rc = sl_self_object_walk(&t, self.fd, self.rest, self.path, sizeof(self.path));
            close(self.fd);
            o.walk = self.path;          /* (rest points into walk) */
        } else if (rc == SL_SELF_OBJECT) {
            o.obj = self.fd;
            o.rest = self.rest;
        } else if (rc == SL_SELF_PATH) {
            o.walk = self.path;
        }
    }
    if (rc >= 0)
        rc = sl_run_as_child(ev->handle, open_act, &o);
    if (rc >= 0 && o.later)
        open_later(ev, sp.path[0].addr, &o, a);
    else
        set_result(a, rc, flags, o.checked);
    if (o.obj >= 0)
        close(o.obj);
}
