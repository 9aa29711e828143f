/* selfdir.c -- see selfdir.h. */
#define _GNU_SOURCE
#include "selfdir.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int held;          /* the directory's descriptor + 1; 0: not open */
static pthread_once_t forget_once = PTHREAD_ONCE_INIT;

/* In a forked child: the held directory is the parent's. */
static void forget(void)
{
    int d = atomic_exchange(&held, 0);
    if (d > 0)
        close(d - 1);
}

static void register_forget(void)
{
    pthread_atfork(NULL, NULL, forget);
}

/* The held directory, opened if needed; -1 when it cannot be. */
static int self_dir(void)
{
    int d = atomic_load_explicit(&held, memory_order_acquire);
    if (d > 0)
        return d - 1;
    pthread_once(&forget_once, register_forget);
    int fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int none = 0;
    if (!atomic_compare_exchange_strong(&held, &none, fd + 1)) {
        close(fd);                 /* another thread's won */
        return none - 1;
    }
    return fd;
}

void fsd_self_dir_open(void)
{
    self_dir();
}

/* The name of fd's entry: "N" in the held directory (*dir), or the whole
 * "/proc/self/fd/N" (*dir AT_FDCWD) when it is not open. */
static void entry(int fd, char *name, size_t size, int *dir)
{
    *dir = self_dir();
    if (*dir >= 0)
        snprintf(name, size, "%d", fd);
    else {
        *dir = AT_FDCWD;
        fsd_self_path(fd, name, size);
    }
}

void fsd_self_path(int fd, char *out, size_t size)
{
    snprintf(out, size, "/proc/self/fd/%d", fd);
}

ssize_t fsd_self_readlink(int fd, char *buf, size_t size)
{
    char name[32];
    int dir;
    entry(fd, name, sizeof(name), &dir);
    return readlinkat(dir, name, buf, size);
}

int fsd_self_open(int fd, int flags)
{
    char name[32];
    int dir;
    entry(fd, name, sizeof(name), &dir);
    return openat(dir, name, flags);
}

__attribute__((destructor)) static void close_held(void)
{
    forget();
}
