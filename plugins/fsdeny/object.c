/* object.c -- see object.h.
 *
 * A path is walked by the kernel inside the child's root (host->open_path:
 * openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), from the string
 * the child wrote joined to where it starts, so trailing slashes, "." and
 * ".." after files and symlinks mean what they mean to the kernel. What the
 * supervisor would otherwise name for itself is translated first:
 * /proc/self, /proc/thread-self, /dev/fd, /dev/std{in,out,err} name the
 * trapped task, and the task's own magic links (fd/N, cwd, root, exe) are
 * followed through the task's /proc entry. Another task's magic links
 * (/proc/ID/fd/N, cwd, root, exe) are followed as the task would follow
 * them: in its /proc, with its credentials, so that the kernel checks its
 * right to look into that task. Everything else is refused as the walk
 * refuses it (ELOOP for other magic links): an object that cannot be
 * obtained is never acted on. */
#define _GNU_SOURCE
#include "object.h"
#include "behalf.h"
#include "selfdir.h"
#include "../pathnorm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lexically normalises the absolute path `in` into out (PATH_MAX bytes):
 * no ".", "..", empty components or trailing slash. 0, or -ENAMETOOLONG
 * (too long, or not absolute: judged as denied by the callers). */
static int normalise(const char *in, char *out)
{
    return plugin_path_normalise(in, out, PATH_MAX) < 0 ? -ENAMETOOLONG : 0;
}

/* What readlink() left in buf (n bytes, or n < 0: its error), a path as
 * sandlock sees it, as the child sees it (the child's root stripped) into
 * out. 0 or -1. */
static int as_child_sees(const struct fsd_call *c, char *buf, ssize_t n, char *out, size_t size)
{
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = buf;
    size_t rlen = strlen(c->root);
    if (rlen && strncmp(buf, c->root, rlen) == 0 && (buf[rlen] == '/' || buf[rlen] == '\0'))
        p = buf[rlen] ? buf + rlen : "/";
    if (strlen(p) >= size)
        return -1;
    strcpy(out, p);
    return 0;
}

/* The path of the supervisor-side link /proc/PID/... as the child sees
 * it. 0 or -1. */
static int link_path(const struct fsd_call *c, const char *link, char *out, size_t size)
{
    char buf[PATH_MAX];
    return as_child_sees(c, buf, readlink(link, buf, sizeof(buf) - 1), out, size);
}

/* The path of our descriptor fd as the child sees it. 0 or -1. */
static int fd_path(const struct fsd_call *c, int fd, char *out, size_t size)
{
    char buf[PATH_MAX];
    return as_child_sees(c, buf, fsd_self_readlink(fd, buf, sizeof(buf) - 1), out, size);
}

static int judge(const struct fsd_call *c, const char *path)
{
    char norm[PATH_MAX];
    if (path[0] != '/')
        return 0;                  /* socket:[N], pipe:[N], anon_inode:... */
    if (normalise(path, norm) != 0)
        return 1;
    if (fsdeny_denied(c->rules, norm))
        return 1;
    /* A file removed since it was opened is named "PATH (deleted)". */
    static const char deleted[] = " (deleted)";
    size_t n = strlen(norm), d = sizeof(deleted) - 1;
    if (n > d && strcmp(norm + n - d, deleted) == 0) {
        norm[n - d] = '\0';
        return fsdeny_denied(c->rules, norm);
    }
    return 0;
}

/* A denial of the call because of `path` (NULL: its object could not be
 * named), reported to the host (ABI 1.5): the first denial ends the call,
 * so each denied call is reported once. Returns 1. */
static int denied(const struct fsd_call *c, const char *path)
{
    if (c->cfg && SANDLOCK_HOST_HAS(c->host, report_denial))
        c->host->report_denial(c->cfg, c->ev->handle, c->error, path);
    return 1;
}

int fsd_fd_denied(const struct fsd_call *c, int fd, const char *last)
{
    char real[PATH_MAX + NAME_MAX + 2];
    if (fd_path(c, fd, real, PATH_MAX) != 0)
        return denied(c, NULL);
    if (last) {
        size_t len = strlen(real);
        snprintf(real + len, sizeof(real) - len, "/%s", last);
    }
    return judge(c, real) ? denied(c, real) : 0;
}

int fsd_entry_hides_denied(const struct fsd_call *c, int dir, const char *last)
{
    char real[PATH_MAX + NAME_MAX + 2], norm[PATH_MAX];
    if (fd_path(c, dir, real, PATH_MAX) != 0)
        return 1;
    size_t len = strlen(real);
    snprintf(real + len, sizeof(real) - len, "%s%.*s", len > 1 ? "/" : "", (int)strcspn(last, "/"), last);
    return normalise(real, norm) != 0 || fsdeny_denies_below(c->rules, norm);
}

int fsd_named_denied(const struct fsd_call *c, const struct fsd_path *p)
{
    return fsd_name_denied(c, p->named);
}

int fsd_name_denied(const struct fsd_call *c, const char *named)
{
    return named[0] && fsdeny_denied(c->rules, named) ? denied(c, named) : 0;
}

void fsd_path_release(struct fsd_path *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

/* Skips "/", "//" and "/." components at *s; returns the next component
 * and its length in *n (0 at the end). */
static const char *component(const char **s, size_t *n)
{
    const char *p = *s;
    for (;;) {
        while (*p == '/')
            p++;
        if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
            p++;
            continue;
        }
        break;
    }
    const char *end = strchrnul(p, '/');
    *n = (size_t)(end - p);
    *s = end;
    return p;
}

/* The last number of a "NStgid:"/"NSpid:" line: the id in the task's
 * own PID namespace. */
static long innermost(const char *line)
{
    const char *last = strrchr(line, '\t');
    return last ? strtol(last + 1, NULL, 10) : 0;
}

/* The trapped thread's process id (and its own and its thread's ids in the
 * child's PID namespace), read once per call, only for paths that need it. */
static long tgid(struct fsd_call *c)
{
    if (c->tgid > 0)
        return c->tgid;
    char file[64], line[256];
    c->tgid = c->ev->pid;
    c->ns_tgid = c->ns_tid = 0;
    snprintf(file, sizeof(file), "/proc/%u/status", c->ev->pid);
    FILE *f = fopen(file, "re");
    if (!f)
        return c->tgid;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Tgid:", 5) == 0)
            c->tgid = strtol(line + 5, NULL, 10);
        else if (strncmp(line, "NStgid:", 7) == 0)
            c->ns_tgid = innermost(line);
        else if (strncmp(line, "NSpid:", 6) == 0) {
            c->ns_tid = innermost(line);
            break;
        }
    }
    fclose(f);
    return c->tgid;
}

/* Is num the task's process (1) or thread (2) as the child or sandlock
 * names it? 0 otherwise. */
long fsd_tgid(struct fsd_call *c)
{
    return tgid(c);
}

static int own_id(struct fsd_call *c, long num)
{
    if (num == tgid(c) || (c->ns_tgid > 0 && num == c->ns_tgid))
        return 1;
    if (num == (long)c->ev->pid || (c->ns_tid > 0 && num == c->ns_tid))
        return 2;
    return 0;
}

static int is(const char *comp, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(comp, word, n) == 0;
}

static int is_number(const char *comp, size_t n, long *value)
{
    if (n == 0 || n > 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (comp[i] < '0' || comp[i] > '9')
            return 0;
    *value = strtol(comp, NULL, 10);
    return 1;
}

/* The task's /proc entry `rest` (of its thread `tid`, or of its process
 * when 0) as the child's own /proc names it: magic links are followed
 * through sandlock's /proc (host ids), but anything else is reached in the
 * child's root, where /proc is the child's: its ids in its PID namespace
 * (the host's when it has none). */
static void own_entry(struct fsd_call *c, long tid, const char *rest, char *out, size_t size)
{
    long own_tgid = c->ns_tgid > 0 ? c->ns_tgid : tgid(c);
    long own_tid = tid != (long)c->ev->pid ? own_tgid : c->ns_tid > 0 ? c->ns_tid : tid;
    if (tid)
        snprintf(out, size, "/proc/%ld/task/%ld%s", own_tgid, own_tid, rest);
    else
        snprintf(out, size, "/proc/%ld%s", own_tgid, rest);
}

/* Recognises a walk that starts with one of the trapped task's magic
 * links: /proc/{self,thread-self,PID}[/task/TID]/{fd/N,ns/NAME,cwd,root,exe}
 * (PID the task's process or thread id), /dev/fd/N, /dev/stdin,
 * /dev/stdout, /dev/stderr. Writes the task's own link as sandlock opens
 * it ("/proc/TGID/fd/N") into link, the same link as the child's own
 * /proc names it into `rewritten` (for the link itself: lstat, readlink),
 * and returns where the rest of the walk begins, or NULL. A walk under
 * /proc/self or /proc/thread-self that names no magic link is rewritten
 * into `rewritten` (NULL returned). */
static const char *magic_prefix(struct fsd_call *c, const char *walk, char *link, size_t size,
                                char *rewritten, size_t rsize)
{
    const char *s = walk, *w;
    size_t n;
    long num, tid = 0;
    char task[64];
    rewritten[0] = '\0';
    w = component(&s, &n);
    if (is(w, n, "dev")) {
        w = component(&s, &n);
        if (is(w, n, "fd")) {
            w = component(&s, &n);
            if (!is_number(w, n, &num))
                return NULL;
        } else if (is(w, n, "stdin") || is(w, n, "stdout") || is(w, n, "stderr")) {
            num = w[3] == 'i' ? 0 : w[3] == 'o' ? 1 : 2;
        } else {
            return NULL;
        }
        snprintf(link, size, "/proc/%ld/fd/%ld", tgid(c), num);
        char tail[32];
        snprintf(tail, sizeof(tail), "/fd/%ld", num);
        own_entry(c, 0, tail, rewritten, rsize);
        return s;
    }
    if (!is(w, n, "proc"))
        return NULL;
    /* The child names itself by its ids in its PID namespace; sandlock's
     * /proc (which is the child's today) by the host's. */
    w = component(&s, &n);
    if (is(w, n, "thread-self"))
        tid = c->ev->pid;
    else if (is_number(w, n, &num) && own_id(c, num) == 2)
        tid = c->ev->pid;
    else if (!is(w, n, "self") && !(is_number(w, n, &num) && own_id(c, num) == 1))
        return NULL;
    const char *rest = s;
    w = component(&s, &n);
    if (!tid && is(w, n, "task")) {
        w = component(&s, &n);
        if (!is_number(w, n, &num) || !own_id(c, num)) {
            s = rest;              /* another thread, or the task list */
            goto rewrite;
        }
        tid = own_id(c, num) == 2 ? (long)c->ev->pid : tgid(c);
        rest = s;
        w = component(&s, &n);
    }
    if (tid)
        snprintf(task, sizeof(task), "/proc/%ld/task/%ld", tgid(c), tid);
    else
        snprintf(task, sizeof(task), "/proc/%ld", tgid(c));
    if (is(w, n, "fd") || is(w, n, "ns")) {
        const char *kind = w;
        size_t kn = n;
        w = component(&s, &n);
        if (n == 0 || (kind[0] == 'f' && !is_number(w, n, &num)))
            goto rewrite;
        snprintf(link, size, "%s/%.*s/%.*s", task, (int)kn, kind, (int)n, w);
        char tail[96];
        snprintf(tail, sizeof(tail), "/%.*s/%.*s", (int)kn, kind, (int)n, w);
        own_entry(c, tid, tail, rewritten, rsize);
        return s;
    }
    if (is(w, n, "cwd") || is(w, n, "root") || is(w, n, "exe")) {
        snprintf(link, size, "%s/%.*s", task, (int)n, w);
        char tail[16];
        snprintf(tail, sizeof(tail), "/%.*s", (int)n, w);
        own_entry(c, tid, tail, rewritten, rsize);
        return s;
    }
rewrite:
    own_entry(c, tid, rest, rewritten, rsize);
    return NULL;
}

/* Recognises a walk that starts with another task's magic link:
 * /proc/ID[/task/TID]/{fd/N,cwd,root,exe}, ID not the trapped task's (in
 * the child's PID namespace, as its /proc names them). Writes the link's
 * directory ("/proc/ID/fd") and name ("N") and returns where the rest of
 * the walk begins, or NULL. */
static const char *other_prefix(struct fsd_call *c, const char *walk, char *dir, size_t dsize, char *name,
                                size_t nsize)
{
    const char *s = walk, *w;
    size_t n;
    long id, num;
    w = component(&s, &n);
    if (!is(w, n, "proc"))
        return NULL;
    w = component(&s, &n);
    if (!is_number(w, n, &id) || own_id(c, id))
        return NULL;
    int len = snprintf(dir, dsize, "/proc/%ld", id);
    w = component(&s, &n);
    if (is(w, n, "task")) {
        w = component(&s, &n);
        if (!is_number(w, n, &num))
            return NULL;
        len += snprintf(dir + len, dsize - (size_t)len, "/task/%ld", num);
        w = component(&s, &n);
    }
    if (is(w, n, "fd")) {
        w = component(&s, &n);
        if (!is_number(w, n, &num))
            return NULL;
        snprintf(dir + len, dsize - (size_t)len, "/fd");
        snprintf(name, nsize, "%ld", num);
        return s;
    }
    if (is(w, n, "cwd") || is(w, n, "root") || is(w, n, "exe")) {
        snprintf(name, nsize, "%.*s", (int)n, w);
        return s;
    }
    return NULL;
}

/* Another task's link, followed as the child: its directory walked in the
 * child's root (host->open_path: no magic links on the way), the link
 * itself followed with the child's credentials. */
struct other_link {
    const struct fsd_call *c;
    const char *dir, *name;
};

static long other_link_act(void *arg)
{
    const struct other_link *o = arg;
    int dir = o->c->host->open_path(o->c->ev->handle, o->dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir < 0)
        return dir;
    int fd = openat(dir, o->name, O_PATH | O_CLOEXEC);
    int err = errno;
    close(dir);
    return fd < 0 ? -err : fd;
}

/* Does the rest of a walk hold a component (not only slashes and dots)? */
static int names_more(const char *rest)
{
    size_t n;
    component(&rest, &n);
    return n > 0;
}

/* The object the task's magic link `link` refers to, opened O_PATH in
 * the supervisor (which follows it to exactly that object), or -errno. */
static int open_magic(const struct fsd_call *c, const char *link)
{
    int fd = open(link, O_PATH | O_CLOEXEC);
    int err = errno;
    char probe;
    /* Only a still-pending notification proves the pid was the task's. */
    if (c->host->mem_read(c->ev->handle, 0, &probe, 0) < 0) {
        if (fd >= 0)
            close(fd);
        return -ESRCH;
    }
    if (fd < 0)
        return err == ENOENT ? -ENOENT : -err;
    return fd;
}

/* Drops empty components and "." components that have another component
 * after them from the walk, in place: the kernel's result is the same
 * ("a/./b" needs a directory a as "a/b" does), and long relative paths
 * joined to their start stay within PATH_MAX more often. A final "." or
 * slash is kept (it means "must be a directory"). */
static void compact(char *walk)
{
    char *out = walk + 1;
    const char *p = walk + 1;
    while (*p) {
        if (*p == '/' && (out[-1] == '/')) {
            p++;
            continue;
        }
        if (p[0] == '.' && p[1] == '/' && out[-1] == '/') {
            const char *q = p + 1;
            while (*q == '/')
                q++;
            if (*q) {
                p = q;
                continue;
            }
        }
        *out++ = *p++;
    }
    *out = '\0';
}

/* Joins base and rest into out (2 * PATH_MAX + 2 bytes). */
static int join(char *out, const char *base, const char *rest)
{
    size_t b = strlen(base), r = strlen(rest);
    if (b + r + 2 > 2 * PATH_MAX + 2)
        return -ENAMETOOLONG;
    memcpy(out, base, b);
    out[b] = '/';
    memcpy(out + b + 1, rest, r + 1);
    return 0;
}

/* The child's dirfd (or cwd for AT_FDCWD) as an object. */
static int dirfd_object(struct fsd_call *c, int dirfd)
{
    char link[64];
    if (dirfd == AT_FDCWD) {
        snprintf(link, sizeof(link), "/proc/%u/cwd", c->ev->pid);
        return open_magic(c, link);
    }
    int fd = c->host->dup_child_fd(c->ev->handle, dirfd);
    return fd == -ENOENT ? -EBADF : fd;
}

int fsd_spell(struct fsd_call *c, int dirfd, uint64_t addr, unsigned flags, struct fsd_path *p)
{
    char raw[PATH_MAX];
    p->fd = -1;
    p->want_dir = 0;
    p->magic = 0;
    p->named[0] = p->walk[0] = '\0';
    if (addr == 0 && (flags & FSD_NULL_OK)) {
        p->fd = dirfd_object(c, dirfd);
        return p->fd < 0 ? p->fd : 0;
    }
    ssize_t n = c->host->mem_read_string(c->ev->handle, addr, raw, sizeof(raw));
    if (n < 0)
        return (int)n;
    return fsd_spell_name(c, dirfd, raw, flags, p);
}

int fsd_spell_name(struct fsd_call *c, int dirfd, const char *raw, unsigned flags, struct fsd_path *p)
{
    char base[PATH_MAX];
    p->fd = -1;
    p->want_dir = 0;
    p->magic = 0;
    p->named[0] = p->walk[0] = '\0';
    if (raw[0] == '\0') {
        if (!(flags & FSD_EMPTY_OK))
            return -ENOENT;
        p->fd = dirfd_object(c, dirfd);
        return p->fd < 0 ? p->fd : 0;
    }
    int rc = 0;
    if (raw[0] == '/') {
        strcpy(p->walk, raw);
    } else if (dirfd == AT_FDCWD) {
        /* The host's later calls prove the pid was still the task's. */
        char link[64];
        snprintf(link, sizeof(link), "/proc/%u/cwd", c->ev->pid);
        if (link_path(c, link, base, sizeof(base)) != 0)
            return -ESRCH;
        rc = join(p->walk, base, raw);
        if (rc < 0)
            return rc;
    } else {
        int fd = dirfd_object(c, dirfd);
        if (fd < 0)
            return fd;
        struct stat sb;
        if (fstat(fd, &sb) != 0 || !S_ISDIR(sb.st_mode) || fd_path(c, fd, base, sizeof(base)) != 0 ||
            base[0] != '/')
            rc = -ENOTDIR;
        close(fd);
        if (rc == 0)
            rc = join(p->walk, base, raw);
        if (rc < 0)
            return rc;
    }
    compact(p->walk);
    char link[128], rewritten[2 * PATH_MAX + 64];
    const char *rest = magic_prefix(c, p->walk, link, sizeof(link), rewritten, sizeof(rewritten));
    p->magic = rest || rewritten[0];
    if (!rest && rewritten[0]) {
        if (strlen(rewritten) >= sizeof(p->walk))
            return -ENAMETOOLONG;
        strcpy(p->walk, rewritten);
    }
    if (rest && !(flags & FSD_FOLLOW) && !rest[0]) {
        /* The link itself (lstat, readlink): the task's, not sandlock's;
         * /dev/stdin and its siblings are ordinary symlinks. */
        if (strncmp(p->walk, "/dev/std", 8) != 0 || strchr(p->walk + 5, '/'))
            snprintf(p->walk, sizeof(p->walk), "%s", rewritten[0] ? rewritten : link);
    } else {
        char odir[96], oname[24];
        const char *orest = rest ? NULL : other_prefix(c, p->walk, odir, sizeof(odir), oname, sizeof(oname));
        if (!rest && (!orest || (!(flags & FSD_FOLLOW) && !orest[0])))
            return normalise(p->walk, p->named);    /* no link to follow */
        /* A magic link, followed: its object, and the rest of the walk
         * from there. The task's own through sandlock's /proc; another
         * task's as the child (other_link_act). */
        int fd;
        if (rest) {
            fd = open_magic(c, link);
        } else {
            struct other_link o = { c, odir, oname };
            fd = (int)fsd_as_child(c->host, c->ev->handle, other_link_act, &o);
            char probe;
            if (fd >= 0 && c->host->mem_read(c->ev->handle, 0, &probe, 0) < 0) {
                close(fd);
                fd = -ESRCH;
            }
            rest = orest;
            p->magic = 1;
        }
        if (fd < 0)
            return fd;
        if (!names_more(rest)) {
            p->fd = fd;
            p->want_dir = rest[0] != '\0';
            return 0;
        }
        rc = fd_path(c, fd, base, sizeof(base)) == 0 && base[0] == '/' ? 0 : -ENOTDIR;
        close(fd);
        if (rc == 0) {
            char tail[PATH_MAX];
            snprintf(tail, sizeof(tail), "%s", rest);
            rc = join(p->walk, base, tail);
        }
        if (rc < 0)
            return rc;
    }
    return normalise(p->walk, p->named);
}

int fsd_obtain(struct fsd_call *c, struct fsd_path *p, int oflags)
{
    int fd;
    if (p->fd >= 0) {
        struct stat sb;
        if ((p->want_dir || (oflags & O_DIRECTORY)) && (fstat(p->fd, &sb) != 0 || !S_ISDIR(sb.st_mode)))
            return -ENOTDIR;
        fd = p->fd;
        p->fd = -1;
    } else {
        fd = c->host->open_path(c->ev->handle, p->walk, oflags | O_CLOEXEC, 0);
        if (fd < 0)
            return fd;
    }
    if (fsd_fd_denied(c, fd, NULL)) {
        close(fd);
        return -EDEADLK;
    }
    return fd;
}

int fsd_obtain_parent(struct fsd_call *c, struct fsd_path *p, const char **last)
{
    if (p->fd >= 0)
        return -ENOENT;            /* entries are always named */
    /* The last component keeps its trailing slashes: the kernel decides
     * what they mean for the call. */
    char *w = p->walk;
    size_t len = strlen(w);
    while (len > 1 && w[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && w[start - 1] != '/')
        start--;
    if (start == len) {            /* "/" */
        *last = ".";
        start = 1;
    } else {
        *last = w + start;
    }
    char dir[PATH_MAX];
    if (start >= sizeof(dir))
        return -ENAMETOOLONG;
    memcpy(dir, w, start);
    dir[start] = '\0';
    int fd = c->host->open_path(c->ev->handle, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    char name[NAME_MAX + 2];
    size_t n = strcspn(*last, "/");
    if (n > NAME_MAX) {
        close(fd);
        return -ENAMETOOLONG;
    }
    memcpy(name, *last, n);
    name[n] = '\0';
    if (fsd_fd_denied(c, fd, name)) {
        close(fd);
        return -EDEADLK;
    }
    return fd;
}
