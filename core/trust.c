/* trust.c -- opens a file only when root or the invoking user alone could
 * have written it and every step of the lookup that led to it (see
 * trust.h). The lookup is done here, component by component from an fd of
 * the directory reached, so that each directory is checked before anything
 * in it is looked up and the file checked is the file returned. */
#include "config.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40   /* symbolic links followed in one lookup (the kernel's limit) */

struct walk {
    uid_t user;
    int dir;                  /* O_PATH fd of the directory reached, or -1 */
    int dir_shared;           /* ... writable by group or others (and sticky) */
    int moved;                /* the last component was a symbolic link: the file
                               * is not in the directory its path names */
    char shown[PATH_MAX];     /* ... and its path, for messages */
    char *why;
    size_t whylen;
};

static int refuse(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct walk *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, w->whylen, fmt, ap);
    va_end(ap);
    return SL_TRUST_REFUSED;
}

/* A system error; `what` names the step that failed (NULL: the file). */
static int fail(struct walk *w, int err, const char *what)
{
    if (what)
        snprintf(w->why, w->whylen, "%s: %s", what, strerror(err));
    else
        snprintf(w->why, w->whylen, "%s", strerror(err));
    errno = err;
    return SL_TRUST_ERROR;
}

static int owned_by_trusted(const struct walk *w, const struct stat *st)
{
    return st->st_uid == 0 || st->st_uid == w->user;
}

static int writable_by_others(const struct stat *st)
{
    return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/* shown + "/" + name into buf; -1 when it does not fit. */
static int child_path(const struct walk *w, const char *name, char *buf, size_t len)
{
    const char *sep = strcmp(w->shown, "/") == 0 ? "" : "/";
    return snprintf(buf, len, "%s%s%s", w->shown, sep, name) < (int)len ? 0 : -1;
}

/* Makes fd, the directory at `path`, the current one if it is trusted;
 * takes fd either way. */
static int enter(struct walk *w, int fd, const char *path)
{
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st))
        rc = fail(w, errno, path);
    else if (!owned_by_trusted(w, &st))
        rc = refuse(w, "directory %s is owned by uid %u, not by root or the invoking user (uid %u)",
                    path, (unsigned)st.st_uid, (unsigned)w->user);
    else if (writable_by_others(&st) && !(st.st_mode & S_ISVTX))
        rc = refuse(w, "directory %s is writable by group or others (mode %04o) without the sticky bit",
                    path, (unsigned)(st.st_mode & 07777));
    if (rc) {
        close(fd);
        return rc;
    }
    if (w->dir >= 0)
        close(w->dir);
    w->dir = fd;
    w->dir_shared = writable_by_others(&st);
    if (path != w->shown)
        snprintf(w->shown, sizeof(w->shown), "%s", path);
    return 0;
}

static int enter_root(struct walk *w)
{
    int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? fail(w, errno, "/") : enter(w, fd, "/");
}

static int enter_parent(struct walk *w)
{
    int fd = openat(w->dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    char *slash = strrchr(w->shown, '/');
    if (fd < 0)
        return fail(w, errno, w->shown);
    if (slash)
        slash[slash == w->shown] = '\0';   /* "/a/b" -> "/a", "/a" -> "/", "/" stays */
    return enter(w, fd, w->shown);
}

/* The file itself, as opened. */
static int check_file(struct walk *w, int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st))
        return fail(w, errno, NULL);
    if (!S_ISREG(st.st_mode))
        return refuse(w, "%s is not a regular file", path);
    if (!owned_by_trusted(w, &st))
        return refuse(w, "%s is owned by uid %u, not by root or the invoking user (uid %u)",
                      path, (unsigned)st.st_uid, (unsigned)w->user);
    if (writable_by_others(&st))
        return refuse(w, "%s is writable by group or others (mode %04o)", path,
                      (unsigned)(st.st_mode & 07777));
    if (w->dir_shared && st.st_nlink != 1)
        return refuse(w, "%s has %lu links and is in the shared directory %s (anyone may have "
                      "linked it there)", path, (unsigned long)st.st_nlink, w->shown);
    return 0;
}

/* The last component, `name` in the current directory: open and check. */
static int open_file(struct walk *w, const char *name, const char *path, const struct stat *st)
{
    if (S_ISDIR(st->st_mode))
        return fail(w, EISDIR, NULL);
    if (!S_ISREG(st->st_mode))   /* never open a FIFO or a device */
        return refuse(w, "%s is not a regular file", path);
    int fd = openat(w->dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return fail(w, errno, NULL);
    int rc = check_file(w, fd, path);
    if (rc == 0 && fcntl(fd, F_SETFL, 0) == 0)
        return fd;
    if (rc == 0)
        rc = fail(w, errno, NULL);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* Replaces the symbolic link `name` at *rest in todo by its target. */
static int follow(struct walk *w, const char *name, const char *path, const struct stat *st,
                  char *todo, size_t todolen, char **rest, int *links)
{
    char target[PATH_MAX];
    if (!owned_by_trusted(w, st))
        return refuse(w, "symbolic link %s is owned by uid %u, not by root or the invoking user (uid %u)",
                      path, (unsigned)st->st_uid, (unsigned)w->user);
    if (++*links > MAX_LINKS)
        return fail(w, ELOOP, NULL);
    ssize_t n = readlinkat(w->dir, name, target, sizeof(target));
    if (n < 0)
        return fail(w, errno, path);
    size_t left = strlen(*rest);
    if ((size_t)n >= sizeof(target) || (size_t)n + left + 1 > todolen)
        return fail(w, ENAMETOOLONG, path);
    memmove(todo + n, *rest, left + 1);
    memcpy(todo, target, (size_t)n);
    *rest = todo;
    return target[0] == '/' ? enter_root(w) : 0;
}

/* Looks `todo` up from the directory reached (w->dir). */
static int walk(struct walk *w, char *todo, size_t todolen)
{
    char *p = todo;
    int links = 0, rc;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            return fail(w, EISDIR, NULL);
        char *end = strchrnul(p, '/');
        char name[NAME_MAX + 1], path[PATH_MAX];
        if ((size_t)(end - p) > NAME_MAX)
            return fail(w, ENAMETOOLONG, NULL);
        memcpy(name, p, (size_t)(end - p));
        name[end - p] = '\0';
        int last = *end == '\0';
        p = end;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            if (name[1] && (rc = enter_parent(w)))
                return rc;
            if (last)
                return fail(w, EISDIR, NULL);
            continue;
        }
        if (child_path(w, name, path, sizeof(path)))
            return fail(w, ENAMETOOLONG, NULL);
        struct stat st;
        if (fstatat(w->dir, name, &st, AT_SYMLINK_NOFOLLOW))
            return fail(w, errno, last ? NULL : path);
        if (S_ISLNK(st.st_mode)) {
            w->moved |= last;
            if ((rc = follow(w, name, path, &st, todo, todolen, &p, &links)))
                return rc;
            continue;
        }
        if (last)
            return open_file(w, name, path, &st);
        if (!S_ISDIR(st.st_mode))
            return fail(w, ENOTDIR, path);
        int fd = openat(w->dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return fail(w, errno, path);
        if ((rc = enter(w, fd, path)))
            return rc;
    }
}

void sl_trust_cache_init(struct sl_trust_cache *c)
{
    c->dir = -1;
}

void sl_trust_cache_free(struct sl_trust_cache *c)
{
    if (c->dir >= 0)
        close(c->dir);
    c->dir = -1;
}

/* Does `c` hold the directory of `path` (whose last '/' is at `slash`), and
 * is the last component a plain name? */
static int cache_hit(const struct sl_trust_cache *c, uid_t user, const char *path, const char *slash)
{
    size_t len = (size_t)(slash - path);
    const char *name = slash + 1;
    return c && c->dir >= 0 && c->user == user && len < sizeof(c->prefix) && strncmp(c->prefix, path, len) == 0 &&
           c->prefix[len] == '\0' && *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* After a lookup from / that opened the file in the directory its path
 * names: that directory goes into `c` (w->dir is the cache's then). */
static void cache_fill(struct sl_trust_cache *c, struct walk *w, const char *path, const char *slash)
{
    size_t len = (size_t)(slash - path);
    if (!c || w->moved || len >= sizeof(c->prefix))
        return;
    sl_trust_cache_free(c);
    c->dir = w->dir;
    c->dir_shared = w->dir_shared;
    c->user = w->user;
    memcpy(c->prefix, path, len);
    c->prefix[len] = '\0';
    snprintf(c->shown, sizeof(c->shown), "%s", w->shown);
    w->dir = -1;
}

static int open_with(struct sl_trust_cache *c, uid_t user, const char *path, char *why, size_t whylen)
{
    struct walk w = { .user = user, .dir = -1, .why = why, .whylen = whylen };
    char todo[2 * PATH_MAX];
    if (whylen)
        *why = '\0';
    if (path[0] != '/') {
        snprintf(why, whylen, "%s is not an absolute path", path);
        errno = EINVAL;
        return SL_TRUST_ERROR;
    }
    if (strlen(path) >= sizeof(todo))
        return fail(&w, ENAMETOOLONG, NULL);
    const char *slash = strrchr(path, '/');
    int rc, hit = cache_hit(c, user, path, slash);
    if (hit) {
        /* From the cached directory (a copy: the walk may leave it). */
        strcpy(todo, slash + 1);
        w.dir = fcntl(c->dir, F_DUPFD_CLOEXEC, 0);
        w.dir_shared = c->dir_shared;
        snprintf(w.shown, sizeof(w.shown), "%s", c->shown);
        rc = w.dir < 0 ? fail(&w, errno, c->shown) : walk(&w, todo, sizeof(todo));
    } else {
        strcpy(todo, path);
        rc = enter_root(&w);
        if (rc == 0)
            rc = walk(&w, todo, sizeof(todo));
        if (rc >= 0)
            cache_fill(c, &w, path, slash);
    }
    int saved = errno;
    if (w.dir >= 0)
        close(w.dir);
    errno = saved;
    return rc;
}

int sl_trust_open_for(uid_t user, const char *path, char *why, size_t whylen)
{
    return open_with(NULL, user, path, why, whylen);
}

int sl_trust_open(const char *path, char *why, size_t whylen)
{
    return sl_trust_open_for(getuid(), path, why, whylen);
}

int sl_trust_open_cached(struct sl_trust_cache *c, const char *path, char *why, size_t whylen)
{
    return open_with(c, getuid(), path, why, whylen);
}

int sl_trust_absolute(const char *dir, const char *path, char *out, size_t outlen)
{
    char cwd[PATH_MAX];
    if (path[0] != '/') {
        if (!dir && !(dir = getcwd(cwd, sizeof(cwd))))
            return -1;
        const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
        if (snprintf(out, outlen, "%s%s%s", dir, sep, path) < (int)outlen)
            return 0;
    } else if (snprintf(out, outlen, "%s", path) < (int)outlen) {
        return 0;
    }
    errno = ENAMETOOLONG;
    return -1;
}
