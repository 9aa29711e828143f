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
    /* One write: a line per write(2) to a pipe made the exit look 0.1 ms
     * slower than it is to whoever waits for it. */
    static char text[MAX_MARKS * 128];
    size_t len = 0;
    uint64_t t0 = origin ? origin : marks[0].ns, prev = t0;
    for (unsigned i = 0; i < n && len < sizeof(text); i++) {
        int k = snprintf(text + len, sizeof(text) - len, "sandlock: startup %8.3f ms (+%7.3f) [%d] %s\n",
                         (double)(marks[i].ns - t0) / 1e6, (double)(marks[i].ns - prev) / 1e6, marks[i].tid,
                         marks[i].what);
        len += k > 0 ? (size_t)k : 0;
        prev = marks[i].ns;
    }
    if (len > sizeof(text))
        len = sizeof(text);
    fflush(stderr);
    for (size_t done = 0; done < len;) {
        ssize_t w = write(STDERR_FILENO, text + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
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
