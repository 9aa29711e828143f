/* clock.h -- the one clock and the one futex of the core: CLOCK_MONOTONIC
 * in nanoseconds (vDSO: no syscall), and futex(2) on an atomic int shared
 * by threads or by the stub's processes. */
#ifndef SANDLOCK_CLOCK_H
#define SANDLOCK_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t sl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* FUTEX_WAIT (with an optional relative timeout) or FUTEX_WAKE on addr. */
static inline long sl_futex(atomic_int *addr, int op, int val, const struct timespec *timeout)
{
    return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

#endif
