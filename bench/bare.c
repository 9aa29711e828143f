/* bare.c -- see bare.h. Nothing here uses sandlock's code: these are the
 * reference points sandlock is measured against. */
#include "config.h"
#include "bare.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* The native architecture's audit value; unknown architectures get no
 * architecture check (acceptable for a benchmark's reference filter). */
#if defined(__x86_64__) && !defined(__ILP32__)
#define BARE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BARE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define BARE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

/* Builds the reference filter and installs it the way sandlock installs
 * its own (same flags, same fallback when the kernel lacks the newer one). */
int bare_filter_install(void)
{
    struct sock_filter insns[] = {
#ifdef BARE_AUDIT_ARCH
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BARE_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        /* x32 calls share the x86_64 audit value; they carry this bit. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {
        .len = (unsigned short)(sizeof(insns) / sizeof(insns[0])),
        .filter = insns,
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (fd < 0 && errno == EINVAL)
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    return (int)fd;
}

/* The flag is the ioctl's argument itself, not a pointer to it. */
int bare_set_sync_wakeup(int listener)
{
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0 ? 0 : -1;
}

/* The whole supervisor of the floor: receive, answer CONTINUE. */
int bare_serve_one(int listener)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof(req));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0)
        return -1;
    memset(&resp, 0, sizeof(resp));
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT)
        return -1;
    return 0;
}

/* One byte of payload carrying one SCM_RIGHTS fd. */
int bare_send_fd(int sock, int fd)
{
    char byte = 'L';
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Reads the byte and the fd that came with it (close-on-exec). */
int bare_recv_fd(int sock)
{
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
        cm->cmsg_len != CMSG_LEN(sizeof(int))) {
        errno = EPROTO;
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

/* Only argument-less syscalls that cannot fail or block make sense here. */
long bare_syscall_nr(const char *name)
{
    if (!strcmp(name, "getppid"))
        return SYS_getppid;
    if (!strcmp(name, "getpid"))
        return SYS_getpid;
    return -1;
}

/* Monotonic clock in nanoseconds (vDSO: no syscall of its own). */
static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Ascending order of doubles, for qsort(). */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The loop every "ns per call" figure of the benchmark comes from. The n
 * timed calls (exactly n: the floor's supervisor counts them) are cut into
 * BARE_CHUNKS chunks and the median chunk's time per call is returned. A
 * chunk during which the CPU went to something else (the benchmark shares
 * two CPUs with whatever else runs) is an outlier that does not move the
 * result; on a quiet machine the median chunk equals the mean. */
double bare_time_calls(long nr, long warmup, long n)
{
    double per_chunk[BARE_CHUNKS];
    long chunks = n >= BARE_CHUNKS ? BARE_CHUNKS : 1, size = n / chunks;
    for (long i = 0; i < warmup; i++)
        syscall(nr);
    for (long c = 0; c < chunks; c++) {
        long calls = c == chunks - 1 ? n - size * (chunks - 1) : size;   /* exactly n in all */
        long long start = now_ns();
        for (long i = 0; i < calls; i++)
            syscall(nr);
        per_chunk[c] = (double)(now_ns() - start) / (double)calls;
    }
    qsort(per_chunk, (size_t)chunks, sizeof(double), cmp_double);
    return chunks % 2 ? per_chunk[chunks / 2] : (per_chunk[chunks / 2 - 1] + per_chunk[chunks / 2]) / 2.0;
}
