/* test_lib.c -- libsandlock (sandlock(3)) through its public header only,
 * linked against the shared library, with real sandboxed children: an
 * in-process handler's answers as the child sees them, ownership (init,
 * fini, free_user_data) on every path, bounded caller input, error
 * messages, two contexts (one after the other and at once), descriptors and signal handlers of the calling
 * program. TAP output; children never write on stdout. */
#include <sandlock/sandlock.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inproc.h"
#include "tap.h"

/* A plugin whose filter is too big for the kernel: the run fails to start
 * after its init(), when the filter is built. */
static int big_init(const sandlock_host *host, const sandlock_config *cfg, void **state, char *errbuf)
{
    (void)errbuf;
    struct counts *c = host->user_data(cfg);
    for (unsigned i = 0; i < 3000; i++) {
        sandlock_syscall_rule r = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(r),
                                    .syscall = "mkdirat", .verdict = SANDLOCK_VERDICT_ERRNO, .error = EPERM,
                                    .ncmp = 1 };
        r.cmp[0] = (sandlock_arg_cmp){ .arg = 2, .op = SANDLOCK_CMP_EQ | SANDLOCK_CMP_32BIT, .value = i };
        if (host->add_syscall_rule(cfg, &r))
            return SANDLOCK_ERROR;
    }
    c->init++;
    *state = c;
    return SANDLOCK_OK;
}

static const char *const *none(void *state)
{
    (void)state;
    static const char *const list[] = { NULL };
    return list;
}

static const sandlock_plugin big_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "big",
    .init = big_init,
    .syscalls = none,
    .handle = inproc_handle,
    .fini = inproc_fini,
};

/* ---- helpers ---- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Runs `sh -c script` in ctx. */
static int run_sh(sandlock_ctx *ctx, const char *script)
{
    char *argv[] = { "sh", "-c", (char *)script, NULL };
    return sandlock_ctx_run(ctx, argv);
}

/* ---- the tests ---- */

static void test_answers(void)
{
    struct counts c = { .error = EROFS, .ppid = 4242 };
    sandlock_ctx *ctx = inproc_ctx_with(&c, "mine");
    ok(ctx != NULL, "a context with an in-process plugin");
    if (!ctx)
        return;
    sandlock_options o;
    sandlock_options_init(&o);
    o.flags = SANDLOCK_OPT_STATS;     /* notifications per syscall are counted with it */
    is_int(sandlock_ctx_set_options(ctx, &o), 0, "options: stats");
    char script[512];
    const char *dir = inproc_path("made"), *out = inproc_path("answers");
    snprintf(script, sizeof(script), "mkdir %s 2>%s.err; echo \"mkdir=$? ppid=$PPID\" >%s; grep -q 'Read-only' %s.err",
             dir, out, out, out);
    int status = run_sh(ctx, script);
    is_int(status, 0, "run: the child's mkdir failed with the handler's EROFS (its message says so)");
    char got[256];
    inproc_read_file(out, got, sizeof(got));
    is_str(got, "mkdir=1 ppid=4242\n", "the child saw mkdir fail and getppid return the handler's 4242");
    ok(!exists(dir), "the directory was not made");
    is_int(c.init, 1, "init() ran once");
    is_int(c.fini, 1, "fini() ran once, when the run ended");
    ok(c.saw_session, "host->session() named the command in init()");
    is_int(c.freed, 0, "the user data is not freed before the context");

    /* Statistics of the run. */
    is_int(sandlock_ctx_stats_count(ctx), 1, "stats: one instance");
    sandlock_instance_stats st = { .version = SANDLOCK_STATS_VERSION, .struct_size = sizeof(st) };
    is_int(sandlock_ctx_instance_stats(ctx, 0, &st), 0, "stats of instance 0");
    is_str(st.name, "mine", "stats: its name");
    ok(st.errno_answers >= 1 && st.return_answers >= 1 && st.calls >= 2,
       "stats: errno and return answers counted (calls %llu)", (unsigned long long)st.calls);
    is_int(sandlock_ctx_instance_stats(ctx, 1, &st), -1, "stats: no instance 1");
    const char *name = NULL;
    uint64_t n = 0;
    int found = 0;
    for (size_t k = 0; sandlock_ctx_syscall_stats(ctx, k, &name, &n) == 0; k++)
        found |= strcmp(name, "getppid") == 0 && n >= 1;
    ok(found, "stats: getppid's notifications");

    /* The same context again: one run after another. */
    c.error = EACCES;
    snprintf(script, sizeof(script), "mkdir %s 2>%s.err; grep -q 'Permission denied' %s.err", dir, out, out);
    is_int(run_sh(ctx, script), 0, "a second run of the same context: the handler's new EACCES");
    is_int(c.init, 2, "init() once per run");
    is_int(c.fini, 2, "fini() once per run");
    sandlock_ctx_free(ctx);
    is_int(c.freed, 1, "free_user_data ran once, when the context was freed");
}

static void test_ownership(void)
{
    /* Freed without running. */
    struct counts c = { .error = EPERM };
    sandlock_ctx *ctx = inproc_ctx_with(&c, "unused");
    sandlock_ctx_free(ctx);
    ok(c.init == 0 && c.fini == 0 && c.freed == 1, "freed without running: no init/fini, user data freed once");

    /* Adding fails: the user data is freed at once. */
    struct counts bad = { 0 };
    ctx = sandlock_ctx_new();
    is_int(sandlock_ctx_add_plugin(ctx, "bad name!", &inproc_plugin, &bad, inproc_free_counts), -1, "add_plugin: a bad name fails");
    is_int(bad.freed, 1, "... and frees the user data before it returns");
    is_int(sandlock_ctx_add_plugin(ctx, "nothing", NULL, &bad, inproc_free_counts), -1, "add_plugin: no vtable fails");
    is_int(bad.freed, 2, "... and frees the user data");
    sandlock_plugin old = inproc_plugin;
    old.abi_version = 2 << 16;
    is_int(sandlock_ctx_add_plugin(ctx, "abi2", &old, &bad, inproc_free_counts), -1, "add_plugin: ABI 2 vtable fails");
    has_str(sandlock_ctx_errmsg(ctx), "incompatible plugin ABI 2.0", "... saying why");
    is_int(bad.freed, 3, "... and frees the user data");
    struct counts first = { .error = EPERM };
    is_int(sandlock_ctx_add_plugin(ctx, "first", &inproc_plugin, &first, inproc_free_counts), 0, "add_plugin first");
    is_int(sandlock_ctx_add_plugin(ctx, "first", &inproc_plugin, &bad, inproc_free_counts), -1, "add_plugin: a name twice fails");
    has_str(sandlock_ctx_errmsg(ctx), "instance 'first' exists already", "... saying why");
    is_int(bad.freed, 4, "... and frees that user data");

    /* A later instance fails to load. */
    is_int(sandlock_ctx_add_module(ctx, "later", "no-such-module-here"), 0, "add_module of a missing module");
    is_int(run_sh(ctx, "true"), SANDLOCK_STATUS_ERROR, "run: 125 when a later instance fails to load");
    has_str(sandlock_ctx_errmsg(ctx), "[plugin later]: module 'no-such-module-here' not found",
            "errmsg names the instance and module");
    ok(first.init == 1 && first.fini == 1, "the earlier instance got init() and fini() once (%d, %d)", first.init,
       first.fini);
    sandlock_ctx_free(ctx);
    is_int(first.freed, 1, "its user data freed once with the context");

    /* A later in-process instance's init() fails. */
    struct counts a = { .error = EPERM }, b = { .fail_init = 1 };
    ctx = inproc_ctx_with(&a, "a");
    sandlock_ctx_add_plugin(ctx, "b", &inproc_plugin, &b, inproc_free_counts);
    is_int(run_sh(ctx, "true"), SANDLOCK_STATUS_ERROR, "run: 125 when a later init() fails");
    has_str(sandlock_ctx_errmsg(ctx), "[plugin b]: init failed: refused as asked", "errmsg: init's own message");
    ok(a.init == 1 && a.fini == 1 && b.init == 0 && b.fini == 0, "fini() exactly for the init() that succeeded");
    sandlock_ctx_free(ctx);
    ok(a.freed == 1 && b.freed == 1, "both user data freed once");

    /* The run fails to start after init(): the filter is too big. */
    struct counts big = { 0 };
    ctx = sandlock_ctx_new();
    sandlock_ctx_add_plugin(ctx, "big", &big_plugin, &big, inproc_free_counts);
    char *argv[] = { "true", NULL };
    is_int(sandlock_ctx_start(ctx, argv), -1, "start fails: the filter is too big for the kernel");
    has_str(sandlock_ctx_errmsg(ctx), "cannot build the filter", "errmsg says why");
    ok(big.init == 1 && big.fini == 1, "the run failed to start: fini() once (%d, %d)", big.init, big.fini);
    is_int(sandlock_ctx_wait(ctx), SANDLOCK_STATUS_ERROR, "wait without a started run: 125");
    sandlock_ctx_free(ctx);
    is_int(big.freed, 1, "user data freed once");

    /* Freed while its command runs: the sandbox is killed and waited for. */
    struct counts during = { .error = EPERM };
    ctx = inproc_ctx_with(&during, "during");
    char *sleeper[] = { "sleep", "30", NULL };
    time_t t0 = time(NULL);
    is_int(sandlock_ctx_start(ctx, sleeper), 0, "a run of sleep 30 starts");
    sandlock_ctx_free(ctx);
    ok(time(NULL) - t0 < 10, "freeing the context during the run kills the sandbox (%lds)", (long)(time(NULL) - t0));
    ok(during.init == 1 && during.fini == 1 && during.freed == 1, "init, fini and free_user_data once each (%d, %d, %d)",
       during.init, during.fini, during.freed);
}

static void test_bounds_and_errors(void)
{
    sandlock_ctx *ctx = sandlock_ctx_new();
    char name[SANDLOCK_NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    is_int(sandlock_ctx_add_module(ctx, name, "x"), -1, "a name of %d bytes is refused", SANDLOCK_NAME_MAX + 1);
    name[SANDLOCK_NAME_MAX] = '\0';
    is_int(sandlock_ctx_add_module(ctx, name, "x"), 0, "a name of %d bytes is taken", SANDLOCK_NAME_MAX);
    is_int(sandlock_ctx_add_module(ctx, "a]\nworkers = 9\n[plugin b", "x"), -1,
           "a name that would inject configuration lines is refused");
    is_int(sandlock_ctx_add_module(ctx, "", "x"), -1, "an empty name is refused");
    char *longpath = malloc(PATH_MAX + 10);
    memset(longpath, 'm', PATH_MAX + 9);
    longpath[PATH_MAX + 9] = '\0';
    is_int(sandlock_ctx_add_module(ctx, "long", longpath), -1, "a module path of PATH_MAX bytes or more is refused");
    free(longpath);
    is_int(sandlock_ctx_set(ctx, "sandlock.workers=65"), -1, "set: workers=65 refused");
    has_str(sandlock_ctx_errmsg(ctx), "workers: expected a number from 1 to 64", "... with the configuration's message");
    is_int(sandlock_ctx_set(ctx, "nosuch.key=1"), -1, "set of an unknown instance refused");
    is_int(sandlock_ctx_load_string(ctx, "[sandlock]\n", "x"), -1, "load after adding instances is refused");
    has_str(sandlock_ctx_errmsg(ctx), "load the configuration before", "... saying so");

    sandlock_options o;
    sandlock_options_init(&o);
    o.workers = 65;
    is_int(sandlock_ctx_set_options(ctx, &o), -1, "options: 65 workers refused");
    sandlock_options_init(&o);
    o.flags = 1u << 30;
    is_int(sandlock_ctx_set_options(ctx, &o), -1, "options: an unknown flag refused");
    sandlock_options_init(&o);
    o.on_exception = 9;
    is_int(sandlock_ctx_set_options(ctx, &o), -1, "options: an unknown policy refused");
    sandlock_options_init(&o);
    o.version = 0;
    is_int(sandlock_ctx_set_options(ctx, &o), -1, "options without a version refused");
    sandlock_options_init(&o);
    o.struct_size = offsetof(sandlock_options, flags);   /* an older caller's header */
    o.flags = SANDLOCK_OPT_STATS;                       /* beyond its size: not read */
    is_int(sandlock_ctx_set_options(ctx, &o), 0, "options of a smaller (older) struct are accepted");
    is_int(sandlock_ctx_set_options(ctx, NULL), -1, "no options refused");
    char *empty[] = { NULL };
    is_int(sandlock_ctx_start(ctx, empty), -1, "start without a command refused");
    sandlock_ctx_free(ctx);

    /* Configuration errors: the CLI's FILE:LINE messages. */
    ctx = sandlock_ctx_new();
    is_int(sandlock_ctx_load_string(ctx, "[sandlock]\nworkers = 99\n", "my.ini"), -1, "a bad configuration string");
    is_str(sandlock_ctx_errmsg(ctx), "my.ini:2: workers: expected a number from 1 to 64, got '99'",
           "errmsg: SOURCE:LINE: what");
    is_int(sandlock_ctx_load_file(ctx, "/nonexistent/x.ini"), -1, "a missing configuration file");
    has_str(sandlock_ctx_errmsg(ctx), "/nonexistent/x.ini: cannot read configuration", "errmsg names the file");
    is_int(sandlock_ctx_load_string(ctx, "[sandlock]\nworkers = 2\n", "good.ini"), 0, "a good configuration string");
    is_str(sandlock_ctx_errmsg(ctx), "", "errmsg is empty after success");
    sandlock_ctx_free(ctx);
}

static void test_two_contexts(void)
{
    struct counts a = { .error = EROFS }, b = { .error = EACCES };
    sandlock_ctx *ca = inproc_ctx_with(&a, "a"), *cb = inproc_ctx_with(&b, "b");
    char script[512];
    const char *dir = inproc_path("two");
    snprintf(script, sizeof(script), "mkdir %s 2>&1 | grep -q 'Read-only'", dir);
    is_int(run_sh(ca, script), 0, "context a: its handler answers (EROFS)");
    snprintf(script, sizeof(script), "mkdir %s 2>&1 | grep -q 'Permission denied'", dir);
    is_int(run_sh(cb, script), 0, "then context b: its own handler answers (EACCES)");
    snprintf(script, sizeof(script), "mkdir %s 2>&1 | grep -q 'Read-only'", dir);
    is_int(run_sh(ca, script), 0, "then a again: its chains are its own");
    ok(a.init == 2 && a.fini == 2 && b.init == 1 && b.fini == 1, "each instance init/fini once per run of its context");

    /* At the same time (more in test_sessions.c): each its own run. */
    char *sleeper[] = { "sleep", "0.3", NULL };
    is_int(sandlock_ctx_start(ca, sleeper), 0, "a starts");
    is_int(sandlock_ctx_start(cb, sleeper), 0, "b starts while a runs");
    is_int(b.init, 2, "b's instance was initialised for its run");
    is_int(sandlock_ctx_start(ca, sleeper), -1, "a cannot start twice");
    has_str(sandlock_ctx_errmsg(ca), "a run of this context was started and not waited for", "... and says why");
    is_int(sandlock_ctx_wait(ca), 0, "a's run ends normally");
    is_int(sandlock_ctx_wait(cb), 0, "b's run ends normally");
    is_int(run_sh(cb, "true"), 0, "then b runs again");
    sandlock_ctx_free(ca);
    sandlock_ctx_free(cb);
    ok(a.freed == 1 && b.freed == 1, "both user data freed once");
}

static int marker_fd(void)
{
    /* Not close-on-exec: a careless program's descriptor. */
    return open(inproc_path("marker"), O_RDWR | O_CREAT, 0600);
}

static void test_fds(void)
{
    int fd = marker_fd();
    ok(fd > 2, "the program holds fd %d without O_CLOEXEC", fd);
    sandlock_ctx *ctx = sandlock_ctx_new();
    char script[256];
    snprintf(script, sizeof(script), "test -e /proc/self/fd/%d && exit 3; test -e /proc/self/fd/0 && "
             "test -e /proc/self/fd/1 && test -e /proc/self/fd/2", fd);
    is_int(run_sh(ctx, script), 0, "the command has fds 0-2 and not the program's fd %d", fd);
    ok(fcntl(fd, F_GETFD) == 0, "the program's fd is still open and not close-on-exec after the run");
    close(fd);
    sandlock_ctx_free(ctx);
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen = 1;
}

static void test_process_state(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 }, now;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t before, after;
    sigemptyset(&before);
    sigaddset(&before, SIGWINCH);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    struct sigaction segv_before, segv_after;
    sigaction(SIGSEGV, NULL, &segv_before);

    struct counts c = { .error = EPERM };
    sandlock_ctx *ctx = inproc_ctx_with(&c, "p");
    is_int(run_sh(ctx, "true"), 0, "a run");
    sigaction(SIGUSR1, NULL, &now);
    ok(now.sa_handler == on_usr1, "the program's SIGUSR1 handler is back after the run");
    raise(SIGUSR1);
    ok(usr1_seen, "... and gets the signal");
    sigaction(SIGSEGV, NULL, &segv_after);
    ok(segv_after.sa_handler == segv_before.sa_handler, "the program's SIGSEGV disposition is back");
    pthread_sigmask(SIG_SETMASK, NULL, &after);
    ok(sigismember(&after, SIGWINCH) && !sigismember(&after, SIGCHLD) && !sigismember(&after, SIGINT),
       "the calling thread's signal mask is back");
    int reaper = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &reaper);
    is_int(reaper, 0, "the process is no child subreaper after the run");
    sigemptyset(&before);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    sandlock_ctx_free(ctx);
}

/* ---- logging: nowhere by default, to the caller's sink when asked ---- */

static char logged[4096];
static void sink(void *arg, const char *line)
{
    (void)arg;
    size_t used = strlen(logged);
    snprintf(logged + used, sizeof(logged) - used, "%s|", line);
}

static void test_log(void)
{
    /* Default: the library writes nothing on the program's stderr. */
    fflush(stderr);
    int saved = dup(2);
    const char *errfile = inproc_path("stderr");
    int f = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(f, 2);
    close(f);
    struct counts c = { .error = EPERM };
    sandlock_ctx *ctx = inproc_ctx_with(&c, "quiet");
    char *argv[] = { "no-such-command-sandlock-test", NULL };
    int status = sandlock_ctx_run(ctx, argv);
    dup2(saved, 2);
    close(saved);
    is_int(status, SANDLOCK_STATUS_NOT_FOUND, "a command not found: 127");
    char got[1024];
    inproc_read_file(errfile, got, sizeof(got));
    is_str(got, "", "by default nothing is written on stderr (not the plugin's warning, nor 'not found')");

    sandlock_options o;
    sandlock_options_init(&o);
    o.log_fn = sink;
    sandlock_ctx_set_options(ctx, &o);
    sandlock_ctx_run(ctx, argv);
    has_str(logged, "sandlock: warning: [quiet] init of the in-process plugin|", "log_fn gets the plugin's log line");
    has_str(logged, "sandlock: no-such-command-sandlock-test: command not found|", "... and how the run ended");
    sandlock_ctx_free(ctx);
}

int main(void)
{
    inproc_tmp_make("sandlock-lib");
    test_answers();
    test_ownership();
    test_bounds_and_errors();
    test_two_contexts();
    test_fds();
    test_process_state();
    test_log();
    inproc_tmp_remove();
    return tap_done();
}
