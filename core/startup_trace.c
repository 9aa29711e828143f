/* startup_trace.c -- see startup_trace.h. */
#include "config.h"
#include "startup_trace.h"
#include "clock.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_MARKS 128

static struct {
    const char *what;
    uint64_t ns;
    pid_t tid;
} marks[MAX_MARKS];
static atomic_uint nmarks;
static int enabled;
static uint64_t origin;
static pid_t main_pid;

STUB_CODE void sl_startup_mark(const char *what)
{
    if (!enabled)
        return;
    unsigned i = atomic_fetch_add(&nmarks, 1);
    if (i >= MAX_MARKS)
        return;
    marks[i].ns = sl_now_ns();
    marks[i].tid = (pid_t)syscall(SYS_gettid);
    marks[i].what = what;
}

static void report(void)
{
    if (getpid() != main_pid)
        return;
    sl_startup_mark("exit");
    unsigned n = atomic_load(&nmarks);
    if (n > MAX_MARKS)
        n = MAX_MARKS;
    uint64_t t0 = origin ? origin : marks[0].ns, prev = t0;
    for (unsigned i = 0; i < n; i++) {
        fprintf(stderr, "sandlock: startup %8.3f ms (+%7.3f) [%d] %s\n", (double)(marks[i].ns - t0) / 1e6,
                (double)(marks[i].ns - prev) / 1e6, marks[i].tid, marks[i].what);
        prev = marks[i].ns;
    }
}

__attribute__((constructor)) static void startup_trace_init(void)
{
    const char *v = getenv("SANDLOCK_STARTUP_TRACE");
    if (!v || !*v)
        return;
    char *end;
    unsigned long long t = strtoull(v, &end, 10);
    origin = *end == '\0' && t > 1 ? (uint64_t)t : 0;
    main_pid = getpid();
    enabled = 1;
    sl_startup_mark("constructors (exec and dynamic linking done)");
    atexit(report);
}
