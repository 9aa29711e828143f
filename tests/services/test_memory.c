/* test_memory.c -- the child-memory services against a real seccomp
 * notification. A thread of this process installs a filter that traps
 * getxattr (the filter covers only that thread) and calls it; the main
 * thread receives the notification on the listener, fills a notification
 * slot the way the supervisor does, and calls the services on the trapped
 * thread's memory. Both access paths are run: process_vm_readv/writev and
 * the /proc/PID/mem fallback. */
#include "config.h"
#include "tap.h"
#include "memory.h"
#include "supervisor.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <linux/filter.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CALLS 3

static int listener = -1;
static int finished;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;

static char *edge;        /* a page followed by an unmapped page */
static char *rodata;      /* a read-only page */
static long page;
static char target[64] = "sixteen bytes...";
static char first[] = "/first/path", second[] = "/second/path";   /* two path arguments */

static void *trapped_thread(void *arg)
{
    (void)arg;
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getxattr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
    int fd = -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    pthread_mutex_lock(&lock);
    listener = fd < 0 ? -2 : fd;
    pthread_cond_signal(&ready);
    pthread_mutex_unlock(&lock);
    if (fd < 0)
        return NULL;
    for (long i = 0; i < CALLS; i++)
        syscall(SYS_getxattr, i, 0, 0, 0);
    /* Stay alive until the checks are done: a dead thread would fail the
     * services for another reason than the one under test. */
    pthread_mutex_lock(&lock);
    while (!finished)
        pthread_cond_wait(&ready, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static struct sl_supervisor sup;     /* its slot table and listener only */

/* Publishes the received notification in slot 0, as handle_one() does. */
static sandlock_handle publish(const struct seccomp_notif *req)
{
    return sl_slot_begin(&sup.slots, 0, req->id, (pid_t)req->pid, 0, NULL);
}

static void answer(const struct seccomp_notif *req)
{
    struct seccomp_notif_resp resp = { .id = req->id, .error = -ENODATA };
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void memory_checks(sandlock_handle h, const char *how)
{
    char buf[64];
    uint64_t at = (uint64_t)(uintptr_t)target;

    memset(buf, 0, sizeof(buf));
    is_int(sl_mem_read(h, at, buf, 16), 16, "%s: mem_read reads exactly 16 bytes", how);
    ok(memcmp(buf, "sixteen bytes...", 16) == 0, "%s: mem_read gives the bytes", how);
    is_int(sl_mem_read(h, 0, buf, 8), -EFAULT, "%s: mem_read of NULL is -EFAULT", how);
    is_int(sl_mem_read(h, (uint64_t)(uintptr_t)(edge + page - 4), buf, 8), -EFAULT,
           "%s: mem_read across into an unmapped page is -EFAULT (nothing partial)", how);
    is_int(sl_mem_read(h, at, NULL, 4), -EINVAL, "%s: mem_read into NULL is -EINVAL", how);

    is_int(sl_mem_read_string(h, at, buf, sizeof(buf)), 16, "%s: string length", how);
    is_str(buf, "sixteen bytes...", "%s: string content", how);
    is_int(sl_mem_read_string(h, at, buf, 17), 16, "%s: a string that exactly fits", how);
    is_int(sl_mem_read_string(h, at, buf, 16), -ENAMETOOLONG,
           "%s: one byte short reports truncation", how);
    is_str(buf, "sixteen bytes..", "%s: truncated buffer holds a terminated prefix", how);
    is_int(sl_mem_read_string(h, at, buf, 4), -ENAMETOOLONG, "%s: short buffer truncates", how);
    /* The child's other threads may rewrite the string meanwhile: within one
     * notification every reader gets the bytes of the first read. */
    target[0] = 'S';
    is_int(sl_mem_read_string(h, at, buf, sizeof(buf)), 16, "%s: read again after a rewrite", how);
    is_str(buf, "sixteen bytes...", "%s: one notification, one string (the first read's)", how);
    target[0] = 's';
    is_int(sl_mem_read_string(h, 0, buf, sizeof(buf)), -EFAULT, "%s: string at NULL is -EFAULT", how);
    is_str(buf, "", "%s: buffer is empty after a fault", how);
    is_int(sl_mem_read_string(h, 1, buf, sizeof(buf)), -EFAULT, "%s: string at 0x1 is -EFAULT", how);
    is_int(sl_mem_read_string(h, at, buf, 0), -EINVAL, "%s: zero-sized buffer is -EINVAL", how);

    /* "tail" ends with its NUL on the last byte of the mapping. */
    char big[4096];
    is_int(sl_mem_read_string(h, (uint64_t)(uintptr_t)(edge + page - 5), big, sizeof(big)), 4,
           "%s: a string ending at the end of a mapping reads with a large buffer", how);
    is_str(big, "tail", "%s: its content", how);
    /* Changed through the host (a notification's string is read once: a
     * write of the host's own forgets it). */
    is_int(sl_mem_write(h, (uint64_t)(uintptr_t)(edge + page - 1), "X", 1), 1, "%s: the NUL overwritten", how);
    is_int(sl_mem_read_string(h, (uint64_t)(uintptr_t)(edge + page - 5), big, sizeof(big)), -EFAULT,
           "%s: a string running into an unmapped page is -EFAULT, not truncation", how);
    edge[page - 1] = '\0';

    char out[32] = "........";
    is_int(sl_mem_write(h, (uint64_t)(uintptr_t)out, "written", 7), 7, "%s: mem_write", how);
    is_str(out, "written.", "%s: the written bytes landed", how);
    is_int(sl_mem_write(h, 0, "x", 1), -EFAULT, "%s: mem_write to NULL is -EFAULT", how);
    is_int(sl_mem_write(h, (uint64_t)(uintptr_t)(edge + page - 2), "abcd", 4), -EFAULT,
           "%s: mem_write across into an unmapped page is -EFAULT", how);
    memcpy(edge + page - 5, "tail", 5);   /* the bytes before the hole may have been written */
    is_int(sl_mem_write(h, at, "x", 0), 0, "%s: an empty write is 0", how);
}

int main(void)
{
    page = sysconf(_SC_PAGESIZE);
    edge = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rodata = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (edge == MAP_FAILED || rodata == MAP_FAILED || munmap(edge + page, (size_t)page)) {
        printf("Bail out! mmap: %s\n", strerror(errno));
        return 1;
    }
    memcpy(edge + page - 5, "tail", 5);
    strcpy(rodata, "read-only");
    mprotect(rodata, (size_t)page, PROT_READ);

    if (sl_slots_init(&sup.slots, 1, 1, &sup)) {
        printf("Bail out! sl_slots_init: %s\n", strerror(errno));
        return 1;
    }

    pthread_t thread;
    pthread_create(&thread, NULL, trapped_thread, NULL);
    pthread_mutex_lock(&lock);
    while (listener == -1)
        pthread_cond_wait(&ready, &lock);
    pthread_mutex_unlock(&lock);
    if (listener < 0) {
        printf("Bail out! cannot install a seccomp filter with a listener\n");
        return 1;
    }
    sup.listener = listener;

    is_int(sl_mem_read(sl_handle_make(&sup.slots, 0, 7), 0, NULL, 0), -ESRCH, "no notification yet: -ESRCH");

    for (int call = 0; call < CALLS; call++) {
        struct seccomp_notif req;
        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
            printf("Bail out! NOTIF_RECV: %s\n", strerror(errno));
            return 1;
        }
        sandlock_handle h = publish(&req);
        char buf[32];
        if (call == 0) {
            sl_memory_force_proc = 0;
            memory_checks(h, "process_vm");
            is_int(sl_mem_write(h, (uint64_t)(uintptr_t)rodata, "x", 1), -EFAULT,
                   "process_vm: mem_write to a read-only page is -EFAULT");
        } else if (call == 1) {
            sl_memory_force_proc = 1;
            memory_checks(h, "/proc/PID/mem");
            sl_memory_force_proc = 0;
        } else {
            /* Two path arguments read (pinned) for the chain: the check of
             * the first proves the second, read before it, too. */
            struct sl_target t;
            if (sl_target_of(h, &t) == 0) {
                sl_target_pin_string(&t, (uint64_t)(uintptr_t)first);
                sl_target_pin_string(&t, (uint64_t)(uintptr_t)second);
            }
            is_int(sl_mem_read_string(h, (uint64_t)(uintptr_t)first, buf, sizeof(buf)), 11,
                   "the first path, checked");
            /* The kernel no longer has the notification, but the slot still
             * names it: only NOTIF_ID_VALID can tell. */
            answer(&req);
            is_int(sl_mem_read_string(h, (uint64_t)(uintptr_t)second, buf, sizeof(buf)), 12,
                   "the second path, read before that check, is proven by it (no check of its own)");
            is_str(buf, "/second/path", "and its bytes are given");
            for (int proc = 0; proc < 2; proc++) {
                sl_memory_force_proc = proc;
                const char *how = proc ? "/proc/PID/mem" : "process_vm";
                is_int(sl_mem_read(h, (uint64_t)(uintptr_t)target, buf, 4), -ESRCH,
                       "%s: mem_read after the kernel answered is -ESRCH", how);
                is_int(sl_mem_read_string(h, (uint64_t)(uintptr_t)target, buf, sizeof(buf)), -ESRCH,
                       "%s: mem_read_string after the kernel answered is -ESRCH", how);
                is_str(buf, "", "%s: and leaves nothing in the buffer", how);
                char out[8] = "keep";
                is_int(sl_mem_write(h, (uint64_t)(uintptr_t)out, "gone", 4), -ESRCH,
                       "%s: mem_write after the kernel answered is -ESRCH", how);
                is_str(out, "keep", "%s: and writes nothing", how);
            }
            sl_memory_force_proc = 0;
            sl_slot_end(&sup.slots.slot[0]);
            is_int(sl_mem_read(h, (uint64_t)(uintptr_t)target, buf, 4), -ESRCH,
                   "a stale handle is -ESRCH");
            is_int(sl_mem_read(h + 1, (uint64_t)(uintptr_t)target, buf, 4), -ESRCH,
                   "a bogus handle is -ESRCH");
            is_int(sl_mem_read((sandlock_handle)0, (uint64_t)(uintptr_t)target, buf, 4), -ESRCH,
                   "handle 0 is -ESRCH");
            continue;
        }
        sl_slot_end(&sup.slots.slot[0]);
        answer(&req);
        is_int(sl_mem_read(h, (uint64_t)(uintptr_t)target, buf, 4), -ESRCH,
               "after the answer the handle is stale");
    }
    pthread_mutex_lock(&lock);
    finished = 1;
    pthread_cond_broadcast(&ready);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    return tap_done();
}
