/* selflink.c -- see selflink.h. */
#define _GNU_SOURCE
#include "config.h"
#include "selflink.h"
#include "creds.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The next component at *s ("" and "." skipped), its length in *n (0 at
 * the end); *s moves past it. */
static const char *next_component(const char **s, size_t *n)
{
    const char *p = *s;
    for (;;) {
        while (*p == '/')
            p++;
        if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
            p++;
        else
            break;
    }
    const char *end = strchrnul(p, '/');
    *n = (size_t)(end - p);
    *s = end;
    return p;
}

static int is(const char *w, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(w, word, n) == 0;
}

/* A decimal id of at most 9 digits, or -1. */
static long id_of(const char *w, size_t n)
{
    if (n == 0 || n > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return -1;
        v = v * 10 + (w[i] - '0');
    }
    return v;
}

/* The task's ids: its process (host view), and its process and thread in
 * its own PID namespace (the last numbers of NStgid and NSpid). */
struct ids {
    long tgid, ns_tgid, ns_tid;
};

static long last_id(const char *line)
{
    const char *p = line + strlen(line);
    while (p > line && (p[-1] < '0' || p[-1] > '9'))
        p--;
    while (p > line && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return strtol(p, NULL, 10);
}

static int read_ids(const struct sl_target *t, struct ids *ids)
{
    char file[64], line[256];
    snprintf(file, sizeof(file), "/proc/%d/status", (int)t->pid);
    FILE *f = fopen(file, "re");
    if (!f)
        return -ESRCH;
    ids->tgid = ids->ns_tgid = ids->ns_tid = -1;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "Tgid:", 5))
            ids->tgid = last_id(line);
        else if (!strncmp(line, "NStgid:", 7))
            ids->ns_tgid = last_id(line);
        else if (!strncmp(line, "NSpid:", 6)) {
            ids->ns_tid = last_id(line);
            break;
        }
    }
    fclose(f);
    return ids->tgid > 0 && ids->ns_tgid > 0 && ids->ns_tid > 0 ? 0 : -ESRCH;
}

/* Opens the magic link /proc/PID/<what> of the task (O_PATH). */
static int open_link(const struct sl_target *t, const char *what, struct sl_self *out, const char *rest)
{
    char link[96];
    snprintf(link, sizeof(link), "/proc/%d/%s", (int)t->pid, what);
    int fd = open(link, O_PATH | O_CLOEXEC);
    int err = errno;
    if (sl_target_check(t)) {
        if (fd >= 0)
            close(fd);
        return -ESRCH;
    }
    if (fd < 0)
        return err == ENOENT ? -EBADF : -err;
    out->fd = fd;
    out->rest = rest;
    return SL_SELF_OBJECT;
}

/* Another task's magic link, followed as the trapped task would follow it
 * (run through sl_run_as_child): its directory reached in the task's root
 * without symbolic or magic links, then the link itself with the task's
 * credentials, so that the kernel makes its own check (read access to that
 * task, as ptrace would allow it) for the child. */
struct other_link {
    int root;                  /* the task's root, O_PATH */
    char dir[96];              /* "proc/ID[/task/TID][/fd]" */
    const char *name;          /* "N", "cwd", "exe" or "root" */
};

static int other_link_act(void *arg)
{
    const struct other_link *o = arg;
    struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS };
    int dir = (int)syscall(SYS_openat2, o->root, o->dir, &how, sizeof(how));
    if (dir < 0)
        return -errno;
    int fd = openat(dir, o->name, O_PATH | O_CLOEXEC);
    int err = errno;
    close(dir);
    return fd < 0 ? -err : fd;
}

/* /proc/ID/... where ID is another task of the child's PID namespace; s
 * is what follows ID. Its magic links (fd/N, cwd, exe, root, also under
 * task/TID) become their object; anything else is SL_SELF_NONE: the host
 * walks it as it is, with the child's /proc. (A thread of the trapped
 * task's own process is judged as another task here: the kernel lets a
 * thread group in without the check, even when it is not dumpable.) */
static int other_task(const struct sl_target *t, long id, const char *s, struct sl_self *out)
{
    struct other_link o = { .root = -1 };
    const char *w;
    size_t n;
    int len = snprintf(o.dir, sizeof(o.dir), "proc/%ld", id);
    w = next_component(&s, &n);
    if (is(w, n, "task")) {
        w = next_component(&s, &n);
        long tid = id_of(w, n);
        if (tid < 0)
            return SL_SELF_NONE;
        len += snprintf(o.dir + len, sizeof(o.dir) - (size_t)len, "/task/%ld", tid);
        w = next_component(&s, &n);
    }
    char name[24];
    if (is(w, n, "fd")) {
        w = next_component(&s, &n);
        long fd = id_of(w, n);
        if (fd < 0)
            return SL_SELF_NONE;
        snprintf(o.dir + len, sizeof(o.dir) - (size_t)len, "/fd");
        snprintf(name, sizeof(name), "%ld", fd);
    } else if (is(w, n, "cwd") || is(w, n, "exe") || is(w, n, "root")) {
        snprintf(name, sizeof(name), "%.*s", (int)n, w);
    } else {
        return SL_SELF_NONE;
    }
    o.name = name;
    struct sl_self root;
    int rc = open_link(t, "root", &root, "");
    if (rc < 0)
        return rc;
    o.root = root.fd;
    int fd = sl_run_as_child(t->handle, other_link_act, &o);
    close(o.root);
    if (fd >= 0 && sl_target_check(t)) {
        close(fd);
        return -ESRCH;
    }
    if (fd < 0)
        return fd;
    out->fd = fd;
    out->rest = s;
    return SL_SELF_OBJECT;
}

int sl_self_translate(const struct sl_target *t, const char *path, struct sl_self *out)
{
    const char *s = path, *w;
    size_t n;
    out->fd = -1;
    out->rest = NULL;
    out->path[0] = '\0';
    w = next_component(&s, &n);
    if (is(w, n, "dev")) {
        w = next_component(&s, &n);
        long fd = -1;
        if (is(w, n, "fd")) {
            w = next_component(&s, &n);
            fd = id_of(w, n);
        } else if (is(w, n, "stdin") || is(w, n, "stdout") || is(w, n, "stderr")) {
            fd = w[3] == 'i' ? 0 : w[3] == 'o' ? 1 : 2;
        }
        if (fd < 0)
            return SL_SELF_NONE;
        char what[32];
        snprintf(what, sizeof(what), "fd/%ld", fd);
        return open_link(t, what, out, s);
    }
    if (!is(w, n, "proc"))
        return SL_SELF_NONE;
    w = next_component(&s, &n);
    struct ids ids;
    int thread;                         /* names the thread, not its process */
    if (is(w, n, "self") || is(w, n, "thread-self")) {
        thread = w[0] == 't';
    } else {
        long id = id_of(w, n);
        if (id < 0)
            return SL_SELF_NONE;
        int rc = read_ids(t, &ids);
        if (rc < 0)
            return rc;
        if (id != ids.ns_tgid && id != ids.ns_tid)
            return other_task(t, id, s, out);
        thread = id != ids.ns_tgid;
    }
    const char *entry = s;
    w = next_component(&s, &n);
    if (!thread && is(w, n, "task")) {
        const char *task = s;
        w = next_component(&s, &n);
        long id = id_of(w, n);
        int rc = id < 0 ? 0 : read_ids(t, &ids);
        if (rc < 0)
            return rc;
        if (id >= 0 && (id == ids.ns_tid || id == ids.ns_tgid)) {
            thread = id == ids.ns_tid;
            entry = s;
            w = next_component(&s, &n);
        } else {
            s = task;                   /* the task list, or another thread */
            w = NULL;
        }
    }
    if (w && is(w, n, "fd")) {
        const char *at = s;
        w = next_component(&s, &n);
        long fd = id_of(w, n);
        if (fd >= 0) {
            char what[32];
            snprintf(what, sizeof(what), "fd/%ld", fd);
            return open_link(t, what, out, s);
        }
        s = at;                         /* "fd" itself: the directory */
    } else if (w && (is(w, n, "cwd") || is(w, n, "exe"))) {
        return open_link(t, w[0] == 'c' ? "cwd" : "exe", out, s);
    } else if (w && is(w, n, "root")) {
        /* The rest, in the task's root: where the host walks anyway. */
        if (snprintf(out->path, sizeof(out->path), "/%s", s) >= (int)sizeof(out->path))
            return -ENAMETOOLONG;
        return SL_SELF_PATH;
    }
    /* Another entry of the task: named by its id in the child's /proc. */
    int rc = read_ids(t, &ids);
    if (rc < 0)
        return rc;
    int len = thread ? snprintf(out->path, sizeof(out->path), "/proc/%ld/task/%ld%s", ids.ns_tgid, ids.ns_tid, entry)
                     : snprintf(out->path, sizeof(out->path), "/proc/%ld%s", ids.ns_tgid, entry);
    if (len >= (int)sizeof(out->path))
        return -ENAMETOOLONG;
    return sl_target_check(t) ? -ESRCH : SL_SELF_PATH;
}

int sl_self_object_walk(const struct sl_target *t, int fd, const char *rest, char *out, size_t size)
{
    char root[PATH_MAX], self[64], path[PATH_MAX];
    ssize_t rl = sl_child_root(t->handle, root, sizeof(root));
    if (rl < 0)
        return (int)rl;
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(self, path, sizeof(path) - 1);
    if (n <= 0 || path[0] != '/')
        return -ENOTDIR;                /* socket:[N], pipe:[N], anon_inode:... */
    path[n] = '\0';
    const char *p = path;
    if (rl > 1) {
        if (strncmp(path, root, (size_t)rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
            return -EXDEV;
        p = path[rl] ? path + rl : "/";
    }
    if ((size_t)snprintf(out, size, "%s%s", p, rest) >= size)
        return -ENAMETOOLONG;
    return 0;
}
