/* memory.c -- child memory access for plugins.
 *
 * process_vm_readv/writev first; where the kernel refuses them (EPERM, or
 * ENOSYS without CONFIG_CROSS_MEMORY_ATTACH) /proc/PID/mem, opened once per
 * call and checked with NOTIF_ID_VALID right after opening. Every read is
 * followed by a liveness check before its bytes are trusted; a write is
 * preceded by one (it cannot be taken back). */
#include "config.h"
#include "memory.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int sl_memory_force_proc;

/* One access session on one target: remembers the /proc/PID/mem fd once the
 * fallback was needed. */
struct access {
    const struct sl_target *t;
    int write;
    int fd;          /* /proc/PID/mem, -1 until needed */
};

static int open_proc_mem(struct access *a)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/mem", (int)a->t->pid);
    a->fd = open(path, (a->write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (a->fd < 0)
        return errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
    /* The file is bound to the task we opened: make sure that task was the
     * trapped one. */
    if (sl_target_check(a->t))
        return -ESRCH;
    return 0;
}

static ssize_t proc_mem_io(struct access *a, uint64_t addr, void *buf, size_t len)
{
    if (a->fd < 0) {
        int rc = open_proc_mem(a);
        if (rc < 0)
            return rc;
    }
    if (addr > (uint64_t)LLONG_MAX - len)
        return -EFAULT;
    size_t done = 0;
    while (done < len) {
        ssize_t n = a->write ? pwrite(a->fd, (const char *)buf + done, len - done, (off_t)(addr + done))
                             : pread(a->fd, (char *)buf + done, len - done, (off_t)(addr + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == ESRCH)
            return -ESRCH;
        if (n <= 0)
            return -EFAULT;     /* EIO: an unmapped page */
        done += (size_t)n;
    }
    return (ssize_t)len;
}

/* Transfers exactly len bytes at addr, or fails: -EFAULT when any byte is
 * not accessible, -ESRCH when the task is gone. */
static ssize_t access_exact(struct access *a, uint64_t addr, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (addr + len < addr)
        return -EFAULT;
    if (a->fd < 0 && !sl_memory_force_proc) {
        struct iovec local = { .iov_base = buf, .iov_len = len };
        struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
        ssize_t n = a->write ? process_vm_writev(a->t->pid, &local, 1, &remote, 1, 0)
                             : process_vm_readv(a->t->pid, &local, 1, &remote, 1, 0);
        if (n == (ssize_t)len)
            return n;
        if (n >= 0)
            return -EFAULT;     /* stopped at an inaccessible page */
        if (errno == ESRCH)
            return -ESRCH;
        if (errno != EPERM && errno != ENOSYS)
            return errno == ENOMEM ? -ENOMEM : -EFAULT;
    }
    return proc_mem_io(a, addr, buf, len);
}

static void access_end(struct access *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
}

ssize_t sl_mem_read(sandlock_handle h, uint64_t addr, void *buf, size_t len)
{
    struct sl_target t;
    if (!buf && len)
        return -EINVAL;
    if (len > SSIZE_MAX)
        return -EINVAL;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    struct access a = { .t = &t, .write = 0, .fd = -1 };
    ssize_t n = access_exact(&a, addr, buf, len);
    access_end(&a);
    if (sl_target_check(&t))
        return -ESRCH;
    return n;
}

/* Reads a NUL-terminated string of the child: see sl_target_read_string. */
static ssize_t read_string(const struct sl_target *t, uint64_t addr, char *buf, size_t size)
{
    static long page;
    if (!page)
        page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
    struct access a = { .t = t, .write = 0, .fd = -1 };
    size_t got = 0;
    ssize_t result = -ENAMETOOLONG;
    /* Page by page: a string that ends just before an unmapped page must
     * not fail because a bigger read would have crossed into it. The first
     * read stops after FIRST_CHUNK bytes: most strings (paths) are short,
     * and copying the rest of their page would cost more than the second
     * read a long one needs. */
    enum { FIRST_CHUNK = 256 };
    while (got < size) {
        uint64_t at = addr + got;
        if (at < addr) {
            result = -EFAULT;
            break;
        }
        size_t chunk = (size_t)page - (size_t)(at % (uint64_t)page);
        if (got == 0 && chunk > FIRST_CHUNK)
            chunk = FIRST_CHUNK;
        if (chunk > size - got)
            chunk = size - got;
        ssize_t n = access_exact(&a, at, buf + got, chunk);
        if (n < 0) {
            result = n;
            break;
        }
        char *nul = memchr(buf + got, '\0', chunk);
        if (nul) {
            result = nul - buf;
            break;
        }
        got += chunk;
    }
    access_end(&a);
    if (result == -ENAMETOOLONG)
        buf[size - 1] = '\0';
    else if (result < 0)
        buf[0] = '\0';
    return result;
}

/* One notification's strings, read once: every plugin of a chain and every
 * host service asking for the same argument sees the same bytes, however
 * the child's other threads rewrite it meanwhile -- so a chain decides on
 * one path (one instance cannot be shown a harmless path and the next a
 * denied one) -- and the child's memory is read once. Per worker thread:
 * a notification is handled on one thread (a deferred answer given on
 * another reads afresh). MEMO_SLOTS strings per notification; the path
 * arguments syscall_paths() names are pinned (two at most), the others
 * (an exec's argv...) take the slots left, the oldest giving way. A write
 * into the child's memory forgets the strings it may overlap. */
#define MEMO_SLOTS 4
struct memo_slot {
    uint64_t addr;
    ssize_t result;             /* of reading up to PATH_MAX bytes */
    int pinned;
    int vouched;                /* a liveness check after the read passed */
    unsigned age;
    char text[PATH_MAX];
};
static __thread struct {
    uint64_t id;
    int n;                      /* slots in use for notification id */
    unsigned clock;
    struct memo_slot slot[MEMO_SLOTS];
} memo;

/* The slot holding addr's string for t's notification, read now if it is
 * not there; NULL when every slot is pinned (the caller reads afresh). */
static struct memo_slot *memo_slot(const struct sl_target *t, uint64_t addr, int pin)
{
    if (memo.n == 0 || memo.id != t->id) {
        memo.n = 0;
        memo.id = t->id;
    }
    struct memo_slot *s = NULL;
    for (int i = 0; i < memo.n && !s; i++)
        if (memo.slot[i].addr == addr)
            s = &memo.slot[i];
    if (!s) {
        if (memo.n < MEMO_SLOTS) {
            s = &memo.slot[memo.n++];
        } else {
            for (int i = 0; i < MEMO_SLOTS; i++)
                if (!memo.slot[i].pinned && (!s || memo.slot[i].age < s->age))
                    s = &memo.slot[i];
            if (!s)
                return NULL;
        }
        s->addr = addr;
        s->pinned = 0;
        s->vouched = 0;
        s->result = read_string(t, addr, s->text, sizeof(s->text));
    }
    s->pinned |= pin;
    s->age = ++memo.clock;
    return s;
}

void sl_target_pin_string(const struct sl_target *t, uint64_t addr)
{
    memo_slot(t, addr, 1);
}

/* What slot s holds, copied into buf as read_string would. */
static ssize_t from_slot(const struct memo_slot *s, char *buf, size_t size)
{
    if (s->result < 0 && s->result != -ENAMETOOLONG) {
        buf[0] = '\0';
        return s->result;
    }
    /* A string without its NUL in the slot is longer than any buffer. */
    if (s->result >= 0 && (size_t)s->result < size) {
        memcpy(buf, s->text, (size_t)s->result + 1);
        return s->result;
    }
    memcpy(buf, s->text, size - 1);
    buf[size - 1] = '\0';
    return -ENAMETOOLONG;
}

ssize_t sl_target_read_string(const struct sl_target *t, uint64_t addr, char *buf, size_t size)
{
    struct memo_slot *s = size > PATH_MAX ? NULL : memo_slot(t, addr, 0);
    return s ? from_slot(s, buf, size) : read_string(t, addr, buf, size);
}

/* Forgets the strings a write of len bytes at addr may have changed. */
static void memo_forget(uint64_t addr, size_t len)
{
    for (int i = 0; i < memo.n; i++) {
        const struct memo_slot *s = &memo.slot[i];
        uint64_t end = s->addr + (s->result >= 0 ? (uint64_t)s->result + 1 : sizeof(s->text));
        if (addr < end && s->addr < addr + len) {
            memo.slot[i] = memo.slot[--memo.n];
            i--;
        }
    }
}

ssize_t sl_mem_read_string(sandlock_handle h, uint64_t addr, char *buf, size_t size)
{
    struct sl_target t;
    if (!buf || size == 0 || size > SSIZE_MAX)
        return -EINVAL;
    buf[0] = '\0';
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    /* Bytes a check after their read proved the trapped thread's stay
     * proven: a chain's later readers of a path need no check of their own.
     * One check proves every string read before it for this notification
     * (the second path of a rename or link, pinned with the first). */
    struct memo_slot *s = size > PATH_MAX ? NULL : memo_slot(&t, addr, 0);
    ssize_t n = s ? from_slot(s, buf, size) : read_string(&t, addr, buf, size);
    if (s && s->vouched)
        return n;
    if (sl_target_check(&t)) {
        buf[0] = '\0';
        return -ESRCH;
    }
    for (int i = 0; s && i < memo.n; i++)
        memo.slot[i].vouched = 1;
    return n;
}

ssize_t sl_mem_write(sandlock_handle h, uint64_t addr, const void *buf, size_t len)
{
    memo_forget(addr, len);
    struct sl_target t;
    if ((!buf && len) || len > SSIZE_MAX)
        return -EINVAL;
    int rc = sl_target_of(h, &t);
    if (rc < 0)
        return rc;
    /* Checked before writing: a write, unlike a read, cannot be taken
     * back once it went to a recycled pid. Not again after it: its result
     * vouches for nothing read from the child, and whatever is answered
     * to a notification gone meanwhile reaches nobody. */
    if (sl_target_check(&t))
        return -ESRCH;
    struct access a = { .t = &t, .write = 1, .fd = -1 };
    ssize_t n = access_exact(&a, addr, (void *)buf, len);
    access_end(&a);
    return n;
}
