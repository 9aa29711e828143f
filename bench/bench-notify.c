/* bench-notify -- `make bench`: what sandlock costs per notified call, per
 * non-intercepted call and per launch, each next to a bare reference
 * measured in the same run (see bench/README.md).
 *
 *   bench-notify --sandlock PATH --child PATH --launcher PATH
 *                [--default-config FILE] [-r ROUNDS] [-n CALLS] [-m CALLS]
 *                [-s LAUNCHES] [--strict]
 *
 * Every round measures every row once, in the same order, so slow drifts of
 * the machine hit all rows alike; the table shows the median of the rounds
 * and their spread. With --strict the exit status is 1 when a target is
 * missed (by default a benchmark only reports). */
#include "config.h"
#include "bare.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ROUNDS 99
#define CHAIN_LENGTH 8

/* One row's measurements, one per round. */
struct series {
    double v[MAX_ROUNDS];
    int n;
};

static struct {
    const char *sandlock, *child, *launcher, *default_config;
    const char *python_handler;         /* --python-handler: the python row */
    int rounds;
    long notified_calls, plain_calls, launches;
    int strict;
    int floor_only;                     /* --floor-only: print one floor measurement (bench/agent.sh) */
    const char *floor_cgroup;           /* --floor-cgroup DIR: the floor's child runs in that cgroup */
    char dir[64];                       /* generated configurations */
    char one_ini[128], eight_ini[128], noplugin_ini[128], python_ini[128];
    int sync_wakeup_ok;
} opt = {
    .rounds = 9,
    .notified_calls = 30000,
    .plain_calls = 500000,
    .launches = 270,
    .sync_wakeup_ok = 1,
};

/* Monotonic clock in nanoseconds. */
static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Adds a measurement; NAN (a failed run) is kept out of the statistics. */
static void series_add(struct series *s, double v)
{
    if (!isnan(v) && s->n < MAX_ROUNDS)
        s->v[s->n++] = v;
}

/* Ascending order of doubles, for qsort(). */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the rounds (NAN when none succeeded). */
static double series_median(const struct series *s)
{
    if (s->n == 0)
        return NAN;
    double sorted[MAX_ROUNDS];
    memcpy(sorted, s->v, (size_t)s->n * sizeof(double));
    qsort(sorted, (size_t)s->n, sizeof(double), cmp_double);
    return s->n % 2 ? sorted[s->n / 2] : (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2.0;
}

/* Smallest or largest round. */
static double series_extreme(const struct series *s, int largest)
{
    double e = s->n ? s->v[0] : NAN;
    for (int i = 1; i < s->n; i++)
        if (largest ? s->v[i] > e : s->v[i] < e)
            e = s->v[i];
    return e;
}

/* ---- the floor: a bare supervisor loop in this process ---- */

static void on_alarm(int sig)
{
    (void)sig;      /* only interrupts a blocked RECV */
}

/* Moves the calling process into the cgroup directory dir (its
 * cgroup.procs), as a container runtime puts a container's process into a
 * cgroup of its own. 0, or -1 said on stderr. */
static int join_cgroup(const char *dir)
{
    char file[4096], pid[32];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, (size_t)n) != n) {
        fprintf(stderr, "bench: floor: joining %s: %s\n", file, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The forked child of the floor: filter, hand over the listener, wait for
 * the go, time the calls and report the result through the pipe. */
static void __attribute__((noreturn)) floor_child(int sock, int go, int result, long warmup, long n)
{
    if (opt.floor_cgroup && join_cgroup(opt.floor_cgroup) != 0)
        _exit(1);
    int listener = bare_filter_install();
    if (listener < 0 || bare_send_fd(sock, listener) != 0)
        _exit(1);
    close(listener);
    char byte;
    if (read(go, &byte, 1) != 1)
        _exit(1);
    double ns = bare_time_calls(SYS_getppid, warmup, n);
    _exit(write(result, &ns, sizeof(ns)) == (ssize_t)sizeof(ns) ? 0 : 1);
}

/* One floor measurement: ns per notified getppid answered by the loop
 * RECV + SEND(CONTINUE) with SYNC_WAKE_UP set. NAN on failure. */
static double measure_floor(long n)
{
    long warmup = n / 10;
    int sv[2], go[2], result[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return NAN;
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(result, O_CLOEXEC) != 0) {
        perror("bench: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    if (pid == 0) {
        close(sv[0]);
        close(go[1]);
        close(result[0]);
        floor_child(sv[1], go[0], result[1], warmup, n);
    }
    close(sv[1]);
    close(go[0]);
    close(result[1]);
    double ns = NAN;
    int listener = bare_recv_fd(sv[0]);
    if (listener >= 0) {
        if (bare_set_sync_wakeup(listener) != 0)
            opt.sync_wakeup_ok = 0;
        if (write(go[1], "g", 1) == 1) {
            /* The child makes exactly warmup + n notified calls. */
            alarm(60);
            long served = 0;
            while (served < warmup + n && bare_serve_one(listener) == 0)
                served++;
            alarm(0);
            if (served == warmup + n && read(result[0], &ns, sizeof(ns)) != (ssize_t)sizeof(ns))
                ns = NAN;
            if (served != warmup + n)
                fprintf(stderr, "bench: floor: RECV failed after %ld calls: %s\n", served, strerror(errno));
        }
        close(listener);
    } else {
        perror("bench: floor: receiving the listener");
    }
    if (isnan(ns))
        kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(sv[0]);
    close(go[1]);
    close(result[0]);
    return ns;
}

/* ---- what any path plugin's handle() pays at least ---- */

/* ns per process_vm_readv() of 256 bytes from another process (an idle
 * child): how a plugin reads a path argument. NAN on failure. */
static double measure_read_child(long n)
{
    static char path[256] = "/usr/include/stdio.h";
    pid_t pid = fork();
    if (pid < 0)
        return NAN;
    if (pid == 0) {
        for (;;)
            pause();
    }
    char buf[sizeof(path)];
    long done = 0;
    long long start = now_ns();
    for (; done < n; done++) {
        struct iovec local = { buf, sizeof(buf) }, remote = { path, sizeof(path) };
        if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(buf))
            break;
    }
    long long elapsed = now_ns() - start;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return done == n ? (double)elapsed / (double)n : NAN;
}

/* ns per open() + close() of `path`, read-only. NAN on failure. */
static double measure_open(long n, const char *path)
{
    long long start = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return NAN;
        close(fd);
    }
    return (double)(now_ns() - start) / (double)n;
}

/* ---- running the other programs ---- */

/* Spawns argv with stdout going to `out_fd` (or /dev/null when -1) and,
 * when `quiet`, stderr to /dev/null (the default configuration's audit
 * plugin writes a line per execve there); waits and returns the wall time
 * in ns, or -1 when it did not exit with 0. */
static long long run(char *const argv[], int out_fd, int quiet)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (quiet)
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    long long start = now_ns();
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench: %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    long long elapsed = now_ns() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s ... %s %d\n", argv[0],
                WIFEXITED(status) ? "exited with" : "killed by signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return elapsed;
}

/* `name` found in $PATH as an executable (posix_spawn wants a path), into
 * out; 0 when it is not there. */
static int find_program(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t len = strcspn(p, ":");
        if (len && (size_t)snprintf(out, size, "%.*s/%s", (int)len, p, name) < size && access(out, X_OK) == 0)
            return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

/* How bench-child is started. */
enum how { ALONE, UNDER_LAUNCHER, UNDER_SANDLOCK };

/* Runs `bench-child SYSCALL CALLS` alone, under the bare launcher, or under
 * sandlock with `config` (NULL: sandlock's own choice), and returns the ns
 * per call it printed, or NAN. */
static double measure_child(enum how how, const char *config, const char *syscall_name, long calls)
{
    char count[32];
    snprintf(count, sizeof(count), "%ld", calls);
    char *argv[16];
    int n = 0;
    if (how == UNDER_LAUNCHER)
        argv[n++] = (char *)opt.launcher;
    if (how == UNDER_SANDLOCK) {
        argv[n++] = (char *)opt.sandlock;
        argv[n++] = "run";
        if (config) {
            argv[n++] = "-c";
            argv[n++] = (char *)config;
        }
        argv[n++] = "--";
    }
    argv[n++] = (char *)opt.child;
    argv[n++] = (char *)syscall_name;
    argv[n++] = count;
    argv[n] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        perror("bench: pipe");
        exit(1);
    }
    /* The output is one short line: the pipe buffer holds it until read. */
    long long rc = run(argv, p[1], config == opt.default_config);
    close(p[1]);
    char buf[64];
    ssize_t len = read(p[0], buf, sizeof(buf) - 1);
    close(p[0]);
    if (rc < 0 || len <= 0)
        return NAN;
    buf[len] = '\0';
    char *end;
    double ns = strtod(buf, &end);
    return end == buf ? NAN : ns;
}

/* ---- configurations ---- */

/* Writes `text` to path; exits on failure. */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* A configuration with `count` verdict instances, all Continue on getppid,
 * and one worker thread (the floor has one loop too). */
static void write_chain_config(const char *path, int count)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof(text),
                                  "[sandlock]\non_exception = kill\ndefault_deny = yes\nworkers = 1\n"
                                  "log_level = warn\n");
    for (int i = 1; i <= count && len < sizeof(text); i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "\n[plugin continue-%d]\nmodule = verdict\nsyscalls = getppid\n"
                                "action = continue\n", i);
    write_file(path, text);
}

/* One python instance whose handler (a script answering Continue) sees
 * every getppid: the interpreter's share of a notification. */
static void write_python_config(const char *path, const char *script)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "[sandlock]\non_exception = kill\ndefault_deny = yes\nworkers = 1\nlog_level = warn\n"
             "\n[plugin continue-py]\nmodule = python\nscript = %s\nhandler = Continue\nsyscalls = getppid\n",
             script);
    write_file(path, text);
}

/* Creates the temporary directory and the generated configurations. */
static void make_configs(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(opt.dir, sizeof(opt.dir), "%s/sandlock-bench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(opt.dir)) {
        fprintf(stderr, "bench: mkdtemp %s: %s\n", opt.dir, strerror(errno));
        exit(1);
    }
    snprintf(opt.one_ini, sizeof(opt.one_ini), "%s/one.ini", opt.dir);
    snprintf(opt.eight_ini, sizeof(opt.eight_ini), "%s/eight.ini", opt.dir);
    write_chain_config(opt.one_ini, 1);
    write_chain_config(opt.eight_ini, CHAIN_LENGTH);
    /* No plugin at all: the filter is the built-in deny list only. */
    snprintf(opt.noplugin_ini, sizeof(opt.noplugin_ini), "%s/no-plugin.ini", opt.dir);
    write_chain_config(opt.noplugin_ini, 0);
    snprintf(opt.python_ini, sizeof(opt.python_ini), "%s/python.ini", opt.dir);
    if (opt.python_handler)
        write_python_config(opt.python_ini, opt.python_handler);
}

/* Removes what make_configs() created. */
static void remove_configs(void)
{
    unlink(opt.one_ini);
    unlink(opt.eight_ini);
    unlink(opt.noplugin_ini);
    if (opt.python_handler)
        unlink(opt.python_ini);
    rmdir(opt.dir);
}

/* ---- the table ---- */

/* The 1-minute load average, or -1: printed so that a table taken on a
 * busy machine says so. */
static double load_average(void)
{
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    return load;
}

/* Prints one row: median, spread, and the ratio to `base` (none: a
 * reference row) with its target (none: for information). Returns 1 when
 * the target is missed. */
static int print_row(const char *label, const char *unit, double scale, const struct series *s,
                     const struct series *base, double target)
{
    double med = series_median(s) / scale;
    printf("%-44s %9.3f %9.3f %9.3f %-2s", label, med, series_extreme(s, 0) / scale,
           series_extreme(s, 1) / scale, unit);
    if (!base) {
        if (target < 0)
            printf("   %6s   %s\n", "", "(for information)");     /* a floor on its own */
        else
            printf("   %6s   %s\n", "1.00x", "(reference)");
        return 0;
    }
    double ratio = series_median(s) / series_median(base);
    if (target <= 0) {
        printf("   %5.2fx   %s\n", ratio, "(for information)");
        return 0;
    }
    int ok = !isnan(ratio) && ratio <= target;
    printf("   %5.2fx   <= %.2fx  %s\n", ratio, target, ok ? "ok" : "MISSED");
    return !ok;
}

/* Prints usage and exits. */
static void __attribute__((noreturn)) usage(int code)
{
    fprintf(code ? stderr : stdout,
            "usage: bench-notify --sandlock PATH --child PATH --launcher PATH\n"
            "                    [--default-config FILE] [-r ROUNDS] [-n NOTIFIED_CALLS]\n"
            "                    [-m PLAIN_CALLS] [-s LAUNCHES] [--python-handler SCRIPT] [--strict]\n"
            "       bench-notify --floor-only [--floor-cgroup DIR] [-n NOTIFIED_CALLS]\n"
            "                    (one floor measurement, ns per call; with the child in cgroup DIR)\n");
    exit(code);
}

/* Parses a positive count or exits. */
static long positive(const char *text, long max)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || v <= 0 || v > max) {
        fprintf(stderr, "bench: bad count '%s' (1..%ld)\n", text, max);
        exit(2);
    }
    return v;
}

/* Reads the command line. */
static void parse_args(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "sandlock", required_argument, NULL, 'S' },
        { "child", required_argument, NULL, 'C' },
        { "launcher", required_argument, NULL, 'L' },
        { "default-config", required_argument, NULL, 'D' },
        { "strict", no_argument, NULL, 'X' },
        { "python-handler", required_argument, NULL, 'P' },
        { "floor-only", no_argument, NULL, 'F' },
        { "floor-cgroup", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "r:n:m:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': opt.sandlock = optarg; break;
        case 'C': opt.child = optarg; break;
        case 'L': opt.launcher = optarg; break;
        case 'D': opt.default_config = optarg; break;
        case 'X': opt.strict = 1; break;
        case 'P': opt.python_handler = optarg; break;
        case 'F': opt.floor_only = 1; break;
        case 'G': opt.floor_cgroup = optarg; break;
        case 'r': opt.rounds = (int)positive(optarg, MAX_ROUNDS); break;
        case 'n': opt.notified_calls = positive(optarg, 100000000); break;
        case 'm': opt.plain_calls = positive(optarg, 1000000000); break;
        case 's': opt.launches = positive(optarg, 1000000); break;
        case 'h': usage(0);
        default: usage(2);
        }
    }
    if (optind != argc || (!opt.floor_only && (!opt.sandlock || !opt.child || !opt.launcher)))
        usage(2);
}

/* Measures every row `rounds` times, interleaved, then prints the table. */
int main(int argc, char **argv)
{
    parse_args(argc, argv);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;           /* no SA_RESTART: interrupts RECV */
    sigaction(SIGALRM, &sa, NULL);
    if (opt.floor_only) {
        /* One floor measurement, ns per call, for a driver that measures
         * its own rows next to it (bench/agent.sh). */
        double ns = measure_floor(opt.notified_calls);
        if (isnan(ns))
            return 1;
        printf("%.2f\n", ns);
        return 0;
    }
    make_configs();
    double load_before = load_average();

    struct series floor_s = { .n = 0 }, one = { .n = 0 }, eight = { .n = 0 }, python = { .n = 0 };
    struct series plain = { .n = 0 }, filtered = { .n = 0 }, deflt = { .n = 0 };
    struct series read_child = { .n = 0 }, open_close = { .n = 0 };
    struct series bare_start = { .n = 0 }, ns_start = { .n = 0 }, sl_start = { .n = 0 }, default_start = { .n = 0 };
    struct series bwrap_start = { .n = 0 };
    char bwrap[4096];
    /* bubblewrap with the namespaces, /dev and /proc of sandlock's sandbox:
     * what a user would compare with (for information, when installed). */
    char *true_bwrap[] = { bwrap, "--bind", "/", "/", "--unshare-pid", "--dev", "/dev", "--proc", "/proc",
                           "/bin/true", NULL };
    char *true_bare[] = { (char *)opt.launcher, "/bin/true", NULL };
    char *true_ns[] = { (char *)opt.launcher, "--namespaces", "/bin/true", NULL };
    char *true_sl[] = { (char *)opt.sandlock, "run", "-c", opt.noplugin_ini, "--", "/bin/true", NULL };
    char *true_default[] = { (char *)opt.sandlock, "run", "-c", (char *)opt.default_config, "--", "/bin/true",
                             NULL };
    if (!opt.default_config)
        memmove(&true_default[2], &true_default[4], 3 * sizeof(char *));    /* drop "-c FILE" */
    long per_round = (opt.launches + opt.rounds - 1) / opt.rounds;

    /* The namespaces' row needs CAP_SYS_ADMIN: tried once. */
    int with_ns = run(true_ns, -1, 1) >= 0;
    int with_bwrap = find_program("bwrap", bwrap, sizeof(bwrap)) && run(true_bwrap, -1, 1) >= 0;
    /* Warm caches (page cache, dynamic loader) before the first round. */
    for (int i = 0; i < 3; i++) {
        run(true_bare, -1, 0);
        if (with_ns)
            run(true_ns, -1, 0);
        run(true_sl, -1, 0);
        run(true_default, -1, 1);
        if (with_bwrap)
            run(true_bwrap, -1, 1);
    }
    measure_child(UNDER_SANDLOCK, opt.one_ini, "getppid", opt.notified_calls / 10);

    int progress = isatty(STDERR_FILENO);
    for (int r = 0; r < opt.rounds; r++) {
        if (progress)
            fprintf(stderr, "\rbench: round %d/%d", r + 1, opt.rounds);
        series_add(&floor_s, measure_floor(opt.notified_calls));
        series_add(&one, measure_child(UNDER_SANDLOCK, opt.one_ini, "getppid", opt.notified_calls));
        series_add(&eight, measure_child(UNDER_SANDLOCK, opt.eight_ini, "getppid", opt.notified_calls));
        if (opt.python_handler)
            series_add(&python, measure_child(UNDER_SANDLOCK, opt.python_ini, "getppid", opt.notified_calls));
        /* getpid: not notified by the reference filter either. */
        series_add(&plain, measure_child(ALONE, NULL, "getpid", opt.plain_calls));
        series_add(&filtered, measure_child(UNDER_LAUNCHER, NULL, "getpid", opt.plain_calls));
        series_add(&deflt, measure_child(UNDER_SANDLOCK, opt.default_config, "getpid", opt.plain_calls));
        series_add(&read_child, measure_read_child(opt.notified_calls));
        series_add(&open_close, measure_open(opt.notified_calls, opt.child));
        /* Launches alternate so that all kinds see the same machine. */
        long long bare_total = 0, ns_total = 0, sl_total = 0, default_total = 0, bwrap_total = 0;
        int failed = 0;
        for (long i = 0; i < per_round; i++) {
            long long b = run(true_bare, -1, 0), n = with_ns ? run(true_ns, -1, 0) : 0;
            long long s = run(true_sl, -1, 0), d = run(true_default, -1, 1);
            long long w = with_bwrap ? run(true_bwrap, -1, 1) : 0;
            failed |= b < 0 || n < 0 || s < 0 || d < 0 || w < 0;
            bare_total += b;
            ns_total += n;
            sl_total += s;
            default_total += d;
            bwrap_total += w;
        }
        if (!failed) {
            series_add(&bare_start, (double)bare_total / (double)per_round);
            if (with_ns)
                series_add(&ns_start, (double)ns_total / (double)per_round);
            if (with_bwrap)
                series_add(&bwrap_start, (double)bwrap_total / (double)per_round);
            series_add(&sl_start, (double)sl_total / (double)per_round);
            series_add(&default_start, (double)default_total / (double)per_round);
        }
    }
    if (progress)
        fprintf(stderr, "\r%40s\r", "");
    remove_configs();

    struct utsname u;
    uname(&u);
    printf("sandlock benchmark: %s %s, %ld CPUs online, nothing pinned, load average %.2f -> %.2f\n",
           u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN), load_before, load_average());
    printf("%d rounds (median, min, max of the rounds); %ld notified / %ld non-intercepted calls per "
           "measurement; %ld launches each\n",
           opt.rounds, opt.notified_calls, opt.plain_calls, per_round * opt.rounds);
    if (!opt.sync_wakeup_ok)
        printf("note: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP unavailable: the floor runs without it\n");
    printf("\n%-44s %9s %9s %9s %-2s   %6s   %s\n", "notified getppid (per call)", "median", "min", "max", "",
           "ratio", "target");
    int missed = 0;
    print_row("floor: bare RECV/SEND(CONTINUE) loop", "us", 1000.0, &floor_s, NULL, 0);
    missed += print_row("sandlock, 1 verdict instance (continue)", "us", 1000.0, &one, &floor_s, 1.10);
    missed += print_row("sandlock, 8 verdict instances chained", "us", 1000.0, &eight, &floor_s, 1.25);
    if (opt.python_handler)
        missed += print_row("sandlock, 1 python instance (Continue)", "us", 1000.0, &python, &floor_s, 2.00);
    printf("\n%-44s\n", "non-intercepted getpid (per call)");
    print_row("no filter (bench-child alone)", "ns", 1.0, &plain, NULL, 0);
    print_row("reference filter (under the bare launcher)", "ns", 1.0, &filtered, &plain, 0);
    missed += print_row("sandlock, default config", "ns", 1.0, &deflt, &plain, 1.30);
    printf("\n%-44s\n", "what a path plugin's handle() pays at least");
    print_row("read 256 bytes of a child (process_vm_readv)", "ns", 1.0, &read_child, NULL, -1);
    print_row("open + close of a file, bare", "ns", 1.0, &open_close, NULL, -1);
    printf("\n%-44s\n", "start-up (mean wall time per launch)");
    print_row("bare launcher: fork + filter + exec /bin/true", "ms", 1e6, &bare_start, NULL, 0);
    if (with_ns)
        print_row("the same, in new mount + PID namespaces", "ms", 1e6, &ns_start, &bare_start, 0);
    else
        printf("%-44s skipped: needs root (CAP_SYS_ADMIN)\n", "the same, in new mount + PID namespaces");
    if (with_bwrap)
        print_row("bubblewrap, the same namespaces, /dev, /proc", "ms", 1e6, &bwrap_start, &bare_start, 0);
    else
        printf("%-44s skipped: bwrap is not installed or cannot run here\n",
               "bubblewrap, the same namespaces, /dev, /proc");
    missed += print_row("sandlock run -- /bin/true (no plugin)", "ms", 1e6, &sl_start, &bare_start, 1.30);
    missed += print_row("sandlock run -- /bin/true (default config)", "ms", 1e6, &default_start, &bare_start, 1.30);
    if (missed)
        printf("\n%d target(s) missed\n", missed);
    else
        printf("\nall targets met\n");
    return opt.strict && missed ? 1 : 0;
}
