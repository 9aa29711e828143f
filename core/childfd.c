/* childfd.c -- see childfd.h.
 *
 * pidfd_getfd() needs a pidfd of the trapped thread. Opening one costs more
 * than the copy itself, so each thread keeps the last few it opened, keyed
 * by pid. A pidfd is cached only after a liveness check proved that it
 * names the trapped thread (and not a task that inherited its pid); from
 * then on it stays bound to that task, and a copy taken through it while
 * another notification of the same pid is pending comes from that same
 * task: two live tasks never share a pid, and a task lives in one span of
 * time. Once the task is gone pidfd_getfd() fails with ESRCH and the entry
 * is opened anew. */
#include "config.h"
#include "childfd.h"

#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD 0x80      /* O_EXCL: a pidfd for a thread (Linux 6.9) */
#endif

#define PIDFD_CACHE 4

struct pidfd_cache {
    pid_t pid[PIDFD_CACHE];
    int fd[PIDFD_CACHE];
    unsigned next;             /* the entry replaced next */
    int used;                  /* registered for closing at thread exit */
};

static __thread struct pidfd_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* Closes a thread's cached pidfds when the thread exits. */
static void cache_release(void *arg)
{
    struct pidfd_cache *c = arg;
    for (int i = 0; i < PIDFD_CACHE; i++)
        if (c->pid[i] > 0)
            close(c->fd[i]);
    c->used = 0;
}

static void cache_key_create(void)
{
    pthread_key_create(&cache_key, cache_release);
}

/* Opens a pidfd of t's thread and proves it names the trapped thread.
 * Returns it or -errno. */
static int open_pidfd(const struct sl_target *t)
{
    /* The trapped thread need not lead its thread group; pidfd_open()
     * refuses such a tid (ENOENT; EINVAL before 6.9) unless asked for a
     * thread pidfd. */
    int pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
    if (pidfd < 0 && (errno == ENOENT || errno == EINVAL))
        pidfd = (int)syscall(SYS_pidfd_open, t->pid, PIDFD_THREAD);
    if (pidfd < 0)
        return errno == ESRCH ? -ESRCH : -errno;
    if (sl_target_check(t)) {
        close(pidfd);
        return -ESRCH;
    }
    return pidfd;
}

/* Makes sure this thread's cache is closed when the thread exits; returns
 * 0 when the cache may be used. */
static int cache_register(void)
{
    if (cache.used)
        return 0;
    pthread_once(&cache_once, cache_key_create);
    if (pthread_setspecific(cache_key, &cache) != 0)
        return -1;
    cache.used = 1;
    return 0;
}

static int getfd(int pidfd, int child_fd)
{
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, child_fd, 0);
    return fd < 0 ? -errno : fd;
}

int sl_child_pidfd(const struct sl_target *t, int renew)
{
    int slot = -1;
    for (int i = 0; i < PIDFD_CACHE; i++)
        if (cache.pid[i] == t->pid) {
            slot = i;
            break;
        }
    if (slot >= 0 && !renew)
        return cache.fd[slot];
    if (slot >= 0) {
        /* That task is gone: the pid now names another one. */
        close(cache.fd[slot]);
        cache.pid[slot] = 0;
    }
    if (cache_register() != 0)
        return -ENOMEM;
    int pidfd = open_pidfd(t);
    if (pidfd < 0)
        return pidfd;
    if (slot < 0) {
        slot = (int)(cache.next++ % PIDFD_CACHE);
        if (cache.pid[slot] > 0)
            close(cache.fd[slot]);
    }
    cache.pid[slot] = t->pid;
    cache.fd[slot] = pidfd;
    return pidfd;
}

int sl_child_getfd(const struct sl_target *t, int child_fd)
{
    if (child_fd < 0)
        return -EBADF;
    int pidfd = sl_child_pidfd(t, 0);
    if (pidfd < 0)
        return pidfd;
    int fd = getfd(pidfd, child_fd);
    if (fd != -ESRCH)
        return fd;
    pidfd = sl_child_pidfd(t, 1);
    return pidfd < 0 ? pidfd : getfd(pidfd, child_fd);
}

int sl_dup_child_fd(sandlock_handle h, int child_fd)
{
    if (child_fd < 0)
        return -EBADF;
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    return sl_child_getfd(&t, child_fd);
}
