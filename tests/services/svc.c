/* svc -- a test plugin that exercises every host service on the calls of
 * tests/services/probe. Each carrier syscall stands for one service:
 *
 *   getxattr(str)             mem_read_string(str) into `bufsize` bytes;
 *                             returns the length or fails with its errno
 *   lgetxattr(addr, n, out)   mem_read(addr, n), then mem_write of the bytes
 *                             reversed to out; returns n
 *   fgetxattr(out, n)         mem_write of "written by the plugin" (n bytes)
 *   openat(dirfd, "#c:TEXT")  content_fd(TEXT), sealed       (FD verdict)
 *   openat(dirfd, "#w:TEXT")  content_fd(TEXT), writable
 *   openat(dirfd, "#n:TEXT")  content_fd(TEXT), installed without O_CLOEXEC
 *   openat(dirfd, "#r:PATH")  resolve_path(dirfd, PATH); the child reads
 *                             the result from a content fd
 *   openat(dirfd, "#o:PATH")  resolve_path, then open_path(flags, mode)
 *   openat(dirfd, "#a:PATH")  resolve_path_flags(SANDLOCK_RESOLVE_ANY_DIRFD),
 *                             read back like #r
 *   openat(dirfd, "#x:PATH")  resolve_path_flags with an unknown flag
 *   openat(dirfd, "#b:PATH")  resolve_path_begin(0), then resolve_path_end
 *                             at once; read back as "held:PATH" or, when
 *                             begin resolved it itself, "now:PATH"
 *   openat(dirfd, "#j:PATH")  the same as #b with SANDLOCK_RESOLVE_ANY_DIRFD
 *   openat(dirfd, "#h:PATH")  resolve_path_begin(0), kept (one at a time);
 *                             read back as "held" or "now:PATH"
 *   openat(dirfd, "#e:")      resolve_path_end of the kept one, read back
 *   openat(dirfd, "#d:PATH")  resolve_path_begin, then end with no buffer
 *                             (dropped); read back as "dropped"
 *   openat(dirfd, "#f:")      the number of the supervisor's open fds
 *   openat(dirfd, "#k:...")   defers, and a plugin thread answers
 *                             Continue: while objects are served (vfile on
 *                             notifications) the host refuses it (EPERM)
 *   openat(other paths)       Continue
 *   flistxattr(fd)            dup_child_fd(fd), then send "via-dup" on it
 *   read(100, buf, n)         deferred: a plugin thread writes "deferred"
 *                             into buf after `defer_delay` and answers 8
 *                             (with defer_delay = hold: "held" is written
 *                             into buf at once, and the thread waits for
 *                             a read of fd 101, or fini, instead of a time)
 *   read(101, ...)            releases every held deferred read; returns 0
 *   bind(100, ...)            takes the socket call's snapshot (sock_call,
 *                             ABI 1.9), defers, and a plugin thread
 *                             answers Continue: the host must refuse it
 *                             (EPERM), never let the kernel make the call
 *   getppid()                 returns 4242 at once
 *   renameat2(old, new, 1<<30) read once (ABI 1.8): syscall_paths, then both
 *                             paths, six other strings of the child, both
 *                             paths again; returns 100 + 1 when a second
 *                             read differs from the first + 2 when old's
 *                             first read had a 'B' after its last '/'
 *                             (other renameat2 calls, mv's, continue)
 *
 * Keys: bufsize (default 64), pathsize (resolve_path's buffer, default
 * 4096), defer_delay (a duration, default 100ms, or "hold"), defer_mode:
 *   answer   answer once (default)
 *   twice    answer, then answer again and log the second result
 *   invalid  answer with an invalid verdict
 *   inside   answer from inside handle(), before returning DEFER
 * When defer() fails the plugin logs it and returns DEFER anyway: the host
 * must turn that into EAGAIN for the child.
 * Every answer()'s result is logged as "answer: RESULT" (warn level). */
#include <sandlock/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFER_FD 100
#define RELEASE_FD 101
#define MAX_THREADS 256
#define READ_ONCE_FLAG (1u << 30)   /* renameat2's flags on the read-once carrier */

static const sandlock_host *host;

struct svc {
    const sandlock_config *cfg;
    size_t bufsize;
    size_t pathsize;
    uint64_t delay_ns;
    int hold;                   /* defer_delay = hold */
    int released;               /* under lock: read(RELEASE_FD) or fini */
    pthread_cond_t release;
    char mode[16];
    pthread_mutex_t lock;
    pthread_t threads[MAX_THREADS];
    size_t nthreads;
    sandlock_held_dir kept;     /* #h: ... #e: */
    char kept_path[4096];
};

struct job {
    struct svc *st;
    sandlock_handle h;
    uint64_t buf;
    size_t len;
    int cont;                   /* answer Continue (bind(100), openat "#k:") */
};

static const char *const svc_syscalls[] = {
    "getxattr", "lgetxattr", "fgetxattr", "openat", "flistxattr", "read", "getppid", "renameat2", "bind", NULL,
};

static const char *err_name(long rc)
{
    static const struct { int e; const char *name; } names[] = {
        { 0, "0" }, { EFAULT, "-EFAULT" }, { ENAMETOOLONG, "-ENAMETOOLONG" }, { ESRCH, "-ESRCH" },
        { EINVAL, "-EINVAL" }, { EALREADY, "-EALREADY" }, { ETIMEDOUT, "-ETIMEDOUT" },
        { ECANCELED, "-ECANCELED" }, { EAGAIN, "-EAGAIN" }, { EBADF, "-EBADF" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (-rc == names[i].e)
            return names[i].name;
    return "other";
}

static int svc_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    (void)h;
    struct svc *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    st->cfg = cfg;
    st->bufsize = 64;
    st->pathsize = 4096;
    st->delay_ns = 100 * 1000000ULL;
    snprintf(st->mode, sizeof(st->mode), "answer");
    const char *v;
    uint64_t size;
    if ((v = host->config_get(cfg, "bufsize")) && (host->parse_size(v, &size) || !size || size > 65536)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "bufsize: 1..65536 expected");
        free(st);
        return SANDLOCK_ERROR;
    }
    if (v)
        st->bufsize = size;
    if ((v = host->config_get(cfg, "pathsize")) && (host->parse_size(v, &size) || !size || size > 65536)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "pathsize: 1..65536 expected");
        free(st);
        return SANDLOCK_ERROR;
    }
    if (v)
        st->pathsize = size;
    if ((v = host->config_get(cfg, "defer_delay")) && !strcmp(v, "hold"))
        st->hold = 1;
    else if (v && host->parse_duration(v, &st->delay_ns)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "defer_delay: a duration expected");
        free(st);
        return SANDLOCK_ERROR;
    }
    if ((v = host->config_get(cfg, "defer_mode")))
        snprintf(st->mode, sizeof(st->mode), "%s", v);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->release, NULL);
    st->kept.dir = st->kept.root = -1;
    *state = st;
    return SANDLOCK_OK;
}

static void release_held(struct svc *st)
{
    pthread_mutex_lock(&st->lock);
    st->released = 1;
    pthread_cond_broadcast(&st->release);
    pthread_mutex_unlock(&st->lock);
}

static void svc_fini(void *state)
{
    struct svc *st = state;
    release_held(st);
    pthread_mutex_lock(&st->lock);
    size_t n = st->nthreads;
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++)
        pthread_join(st->threads[i], NULL);
    if (st->kept.dir >= 0)
        host->resolve_path_end(&st->kept, NULL, NULL, 0);
    pthread_cond_destroy(&st->release);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static const char *const *svc_list(void *state)
{
    (void)state;
    return svc_syscalls;
}

static void answer_and_log(struct svc *st, sandlock_handle h, const sandlock_response *r, const char *what)
{
    int rc = host->answer(h, r);
    host->log(st->cfg, SANDLOCK_LOG_WARN, "%s: %s", what, err_name(rc));
}

static void *defer_thread(void *arg)
{
    struct job *job = arg;
    struct svc *st = job->st;
    if (st->hold) {
        pthread_mutex_lock(&st->lock);
        while (!st->released)
            pthread_cond_wait(&st->release, &st->lock);
        pthread_mutex_unlock(&st->lock);
    } else {
        struct timespec ts = { (time_t)(st->delay_ns / 1000000000ULL), (long)(st->delay_ns % 1000000000ULL) };
        nanosleep(&ts, NULL);
    }
    /* Still waiting (1), or answered by the timeout meanwhile (0)? */
    host->log(st->cfg, SANDLOCK_LOG_WARN, "pending: %d", host->pending(job->h));
    /* The memory services stay valid while the notification is deferred. */
    sandlock_response r = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(r) };
    if (job->cont) {
        sandlock_respond_continue(&r);
        answer_and_log(st, job->h, &r, "answer continue");
        free(job);
        return NULL;
    }
    size_t n = job->len < 8 ? job->len : 8;
    ssize_t w = host->mem_write(job->h, job->buf, "deferred", n);
    if (w < 0)
        host->log(st->cfg, SANDLOCK_LOG_WARN, "mem_write while deferred: %s", err_name(w));
    /* So do the path services: begin keeps nothing for a stale handle. */
    char rel[64];
    sandlock_held_dir held;
    ssize_t b = host->resolve_path_begin(job->h, 0, job->buf, rel, sizeof(rel), 0, &held);
    if (b < 0)
        host->log(st->cfg, SANDLOCK_LOG_WARN, "resolve_path_begin while deferred: %s held=%d", err_name(b),
                  held.dir);
    else if (held.dir >= 0)
        host->resolve_path_end(&held, NULL, NULL, 0);
    if (!strcmp(st->mode, "invalid"))
        sandlock_respond_errno(&r, 0);
    else if (w < 0)
        sandlock_respond_errno(&r, (int)-w);
    else
        sandlock_respond_return(&r, (int64_t)n);
    answer_and_log(st, job->h, &r, "answer");
    if (!strcmp(st->mode, "twice")) {
        sandlock_respond_return(&r, 1);
        answer_and_log(st, job->h, &r, "second answer");
    }
    free(job);
    return NULL;
}

static void handle_defer(struct svc *st, const sandlock_event *ev, sandlock_response *resp)
{
    int rc = host->defer(ev->handle);
    if (rc < 0) {
        host->log(st->cfg, SANDLOCK_LOG_WARN, "defer: %s", err_name(rc));
        sandlock_respond_defer(resp);    /* the host must turn this into EAGAIN */
        return;
    }
    if (!strcmp(st->mode, "inside")) {
        sandlock_response r = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(r) };
        sandlock_respond_return(&r, 3);
        answer_and_log(st, ev->handle, &r, "answer inside handle");
        sandlock_respond_defer(resp);
        return;
    }
    /* Held: tell the child its read is deferred (it polls its buffer). */
    if (st->hold)
        host->mem_write(ev->handle, ev->args[1], "held", ev->args[2] < 4 ? (size_t)ev->args[2] : 4);
    struct job *job = malloc(sizeof(*job));
    if (job) {
        *job = (struct job){ .st = st, .h = ev->handle, .buf = ev->args[1], .len = (size_t)ev->args[2],
                             .cont = !strcmp(ev->syscall_name, "bind") || !strcmp(ev->syscall_name, "openat") };
        pthread_mutex_lock(&st->lock);
        if (st->nthreads < MAX_THREADS &&
            pthread_create(&st->threads[st->nthreads], NULL, defer_thread, job) == 0) {
            st->nthreads++;
            job = NULL;
        }
        pthread_mutex_unlock(&st->lock);
    }
    if (job) {
        /* No thread: answer at once rather than leave it to the timeout. */
        free(job);
        sandlock_response r = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(r) };
        sandlock_respond_errno(&r, ENOMEM);
        host->answer(ev->handle, &r);
    }
    sandlock_respond_defer(resp);
}

static void respond_rc(sandlock_response *resp, long rc)
{
    if (rc < 0)
        sandlock_respond_errno(resp, (int)-rc);
    else
        sandlock_respond_return(resp, rc);
}

/* The number of this process's open descriptors. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3;       /* ".", ".." and the directory's own fd */
}

/* #b #h #e #d #f (see the top): a content fd to answer with, or -errno. */
static int begin_end(struct svc *st, const sandlock_event *ev, char mark, uint64_t rest_addr)
{
    char path[4096], text[4200];
    sandlock_held_dir held;
    ssize_t len;
    if (mark == 'f') {
        snprintf(text, sizeof(text), "%d", open_fds());
        return host->content_fd("fds", text, strlen(text), 0);
    }
    if (mark == 'e') {
        pthread_mutex_lock(&st->lock);
        len = host->resolve_path_end(&st->kept, st->kept_path, path, sizeof(path));
        pthread_mutex_unlock(&st->lock);
        return len < 0 ? (int)len : host->content_fd("ended", path, (size_t)len, 0);
    }
    len = host->resolve_path_begin(ev->handle, (int)ev->args[0], rest_addr, path, sizeof(path),
                                   mark == 'j' ? SANDLOCK_RESOLVE_ANY_DIRFD : 0, &held);
    if (len < 0)
        return (int)len;
    if (held.dir < 0) {
        snprintf(text, sizeof(text), "now:%s", path);
    } else if (mark == 'd') {
        host->resolve_path_end(&held, NULL, NULL, 0);
        snprintf(text, sizeof(text), "dropped");
    } else if (mark == 'h') {
        pthread_mutex_lock(&st->lock);
        if (st->kept.dir >= 0)
            host->resolve_path_end(&st->kept, NULL, NULL, 0);
        st->kept = held;
        memcpy(st->kept_path, path, (size_t)len + 1);
        pthread_mutex_unlock(&st->lock);
        snprintf(text, sizeof(text), "held");
    } else {
        char rel[4096];
        memcpy(rel, path, (size_t)len + 1);
        len = host->resolve_path_end(&held, rel, path, sizeof(path));
        if (len < 0)
            return (int)len;
        snprintf(text, sizeof(text), "held:%s", path);
    }
    return host->content_fd("begun", text, strlen(text), 0);
}

static void handle_openat(struct svc *st, const sandlock_event *ev, sandlock_response *resp)
{
    /* Only the 3-byte marker is read first: what follows may be a bad
     * string on purpose. */
    char mark[3], rest[4096];
    if (host->mem_read(ev->handle, ev->args[1], mark, 3) != 3 || mark[0] != '#' || mark[2] != ':') {
        sandlock_respond_continue(resp);
        return;
    }
    if (mark[1] == 'k') {
        handle_defer(st, ev, resp);
        return;
    }
    uint64_t rest_addr = ev->args[1] + 3;
    ssize_t len;
    int fd;
    switch (mark[1]) {
    case 'c':
    case 'n':
    case 'w':
        len = host->mem_read_string(ev->handle, rest_addr, rest, sizeof(rest));
        if (len < 0) {
            sandlock_respond_errno(resp, (int)-len);
            return;
        }
        fd = host->content_fd("svc", rest, (size_t)len, mark[1] == 'w' ? SANDLOCK_CONTENT_WRITABLE : 0);
        break;
    case 'r':
    case 'a':
    case 'x':
    case 'o': {
        char *resolved = malloc(st->pathsize);
        if (!resolved) {
            sandlock_respond_errno(resp, ENOMEM);
            return;
        }
        if (mark[1] == 'a' || mark[1] == 'x')
            len = host->resolve_path_flags(ev->handle, (int)ev->args[0], rest_addr, resolved, st->pathsize,
                                           mark[1] == 'a' ? SANDLOCK_RESOLVE_ANY_DIRFD : 0x80u);
        else
            len = host->resolve_path(ev->handle, (int)ev->args[0], rest_addr, resolved, st->pathsize);
        if (len < 0)
            fd = (int)len;
        else if (mark[1] != 'o')
            fd = host->content_fd("resolved", resolved, (size_t)len, 0);
        else
            fd = host->open_path(ev->handle, resolved, (int)ev->args[2], (mode_t)ev->args[3]);
        free(resolved);
        break;
    }
    case 'b':
    case 'j':
    case 'h':
    case 'd':
    case 'e':
    case 'f':
        fd = begin_end(st, ev, mark[1], rest_addr);
        break;
    default:
        fd = -EINVAL;
        break;
    }
    if (fd < 0)
        sandlock_respond_errno(resp, -fd);
    else
        sandlock_respond_fd(resp, fd, mark[1] == 'n' ? SANDLOCK_FD_NO_CLOEXEC : 0);
}

/* renameat2: whether every read of the two path arguments in one
 * notification gives the same bytes, also after other strings were read
 * (see the header comment). */
static void read_once(const sandlock_event *ev, sandlock_response *resp)
{
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    char first[2][256], again[2][256], other[256];
    if (host->syscall_paths(ev, &sp) != 2) {
        sandlock_respond_errno(resp, EINVAL);
        return;
    }
    for (int i = 0; i < 2; i++)
        host->mem_read_string(ev->handle, sp.path[i].addr, first[i], sizeof(first[i]));
    for (uint64_t k = 1; k <= 6; k++)
        host->mem_read_string(ev->handle, sp.path[0].addr + k, other, sizeof(other));
    for (int i = 0; i < 2; i++)
        host->mem_read_string(ev->handle, sp.path[i].addr, again[i], sizeof(again[i]));
    int differ = strcmp(first[0], again[0]) || strcmp(first[1], again[1]);
    const char *base = strrchr(first[0], '/');
    sandlock_respond_return(resp, 100 + differ + (base && base[1] == 'B' ? 2 : 0));
}

static int svc_handle(void *state, const sandlock_event *ev, sandlock_response *resp)
{
    struct svc *st = state;
    const char *name = ev->syscall_name;
    if (!strcmp(name, "getppid")) {
        sandlock_respond_return(resp, 4242);
    } else if (!strcmp(name, "renameat2") && ev->args[4] == READ_ONCE_FLAG) {
        read_once(ev, resp);
    } else if (!strcmp(name, "renameat2")) {
        sandlock_respond_continue(resp);
    } else if (!strcmp(name, "getxattr")) {
        char *buf = malloc(st->bufsize);
        if (!buf)
            return SANDLOCK_ERROR;
        respond_rc(resp, host->mem_read_string(ev->handle, ev->args[0], buf, st->bufsize));
        free(buf);
    } else if (!strcmp(name, "lgetxattr")) {
        char buf[256], rev[256];
        size_t n = (size_t)ev->args[1];
        if (n > sizeof(buf)) {
            sandlock_respond_errno(resp, E2BIG);
            return SANDLOCK_OK;
        }
        ssize_t rc = host->mem_read(ev->handle, ev->args[0], buf, n);
        if (rc >= 0) {
            for (size_t i = 0; i < n; i++)
                rev[i] = buf[n - 1 - i];
            rc = host->mem_write(ev->handle, ev->args[2], rev, n);
        }
        respond_rc(resp, rc);
    } else if (!strcmp(name, "fgetxattr")) {
        static const char text[] = "written by the plugin";
        size_t n = (size_t)ev->args[1] < sizeof(text) ? (size_t)ev->args[1] : sizeof(text);
        respond_rc(resp, host->mem_write(ev->handle, ev->args[0], text, n));
    } else if (!strcmp(name, "openat")) {
        handle_openat(st, ev, resp);
    } else if (!strcmp(name, "flistxattr")) {
        int fd = host->dup_child_fd(ev->handle, (int)ev->args[0]);
        if (fd < 0) {
            sandlock_respond_errno(resp, -fd);
            return SANDLOCK_OK;
        }
        ssize_t sent = send(fd, "via-dup", 7, MSG_NOSIGNAL);
        respond_rc(resp, sent < 0 ? -errno : sent);
        close(fd);
    } else if (!strcmp(name, "read") && ev->args[0] == DEFER_FD) {
        handle_defer(st, ev, resp);
    } else if (!strcmp(name, "bind") && ev->args[0] == DEFER_FD) {
        const sandlock_sock_call *c;
        int rc = host->sock_call(ev, &c);
        if (rc)
            sandlock_respond_errno(resp, -rc);
        else
            handle_defer(st, ev, resp);
    } else if (!strcmp(name, "read") && ev->args[0] == RELEASE_FD) {
        release_held(st);
        sandlock_respond_return(resp, 0);
    } else {
        sandlock_respond_continue(resp);
    }
    return SANDLOCK_OK;
}

static const sandlock_plugin svc_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "svc",
    .version = "1.0",
    .description = "test plugin exercising every host service",
    .init = svc_init,
    .syscalls = svc_list,
    .handle = svc_handle,
    .fini = svc_fini,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return &svc_plugin;
}
