/* test_sessions.c -- several libsandlock contexts (sandlock(3), "Runs")
 * running at the same time in one process, through the public header and
 * real sandboxed children: each with its own in-process handler, answers,
 * statistics and exit status; a kill verdict of one leaves the other
 * running; the program's own SIGCHLD handler and children keep their
 * exits. The children really overlap: each waits on a FIFO that the other
 * (or the test) releases. TAP output; children never write on stdout. */
#define _GNU_SOURCE     /* pipe2 */
#include <sandlock/sandlock.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inproc.h"
#include "tap.h"

/* A context with an instance of the test plugin, statistics on. */
static sandlock_ctx *ctx_with(struct counts *h, const char *name)
{
    sandlock_ctx *ctx = inproc_ctx_with(h, name);
    sandlock_options o;
    sandlock_options_init(&o);
    o.flags = SANDLOCK_OPT_STATS;
    if (ctx)
        sandlock_ctx_set_options(ctx, &o);
    return ctx;
}

/* The instance's answers of the last run: getppid's RETURNs and calls. */
static unsigned long long returns_of(sandlock_ctx *ctx, const char *name)
{
    sandlock_instance_stats st = { .version = SANDLOCK_STATS_VERSION, .struct_size = sizeof(st) };
    if (sandlock_ctx_stats_count(ctx) != 1 || sandlock_ctx_instance_stats(ctx, 0, &st) != 0 ||
        strcmp(st.name, name) != 0)
        return 0;
    return (unsigned long long)st.return_answers;
}

/* Opens and closes a FIFO end: releases a child blocked opening the other. */
static void touch_fifo(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
}

/* ---- two contexts started from two threads at once ---- */

struct side {
    const char *name;
    struct counts h;
    sandlock_ctx *ctx;
    char script[512];
    int started;          /* sandlock_ctx_start()'s result */
    char errmsg[256];
    int status;
    const char *mine_fifo, *other_fifo;
    int writes_first;     /* the child first writes the other's FIFO */
};

static pthread_barrier_t together;

static void *run_side(void *arg)
{
    struct side *s = arg;
    char *argv[] = { "sh", "-c", s->script, NULL };
    pthread_barrier_wait(&together);
    s->started = sandlock_ctx_start(s->ctx, argv);
    if (s->started != 0) {
        snprintf(s->errmsg, sizeof(s->errmsg), "%s", sandlock_ctx_errmsg(s->ctx));
        /* Play this child's part, so that the other one is not left
         * waiting for it: the test then fails instead of hanging. */
        if (s->writes_first) {
            touch_fifo(s->other_fifo, O_WRONLY);
            touch_fifo(s->mine_fifo, O_RDONLY);
        } else {
            touch_fifo(s->mine_fifo, O_RDONLY);
            touch_fifo(s->other_fifo, O_WRONLY);
        }
        s->status = -1;
        return NULL;
    }
    s->status = sandlock_ctx_wait(s->ctx);
    return NULL;
}

static void test_two_at_once(void)
{
    struct side a = { .name = "a", .h = { .ppid = 7 } }, b = { .name = "b", .h = { .ppid = 9 } };
    a.mine_fifo = b.other_fifo = inproc_path("fifo-a");
    b.mine_fifo = a.other_fifo = inproc_path("fifo-b");
    if (mkfifo(a.mine_fifo, 0600) || mkfifo(b.mine_fifo, 0600)) {
        printf("Bail out! mkfifo: %s\n", strerror(errno));
        exit(1);
    }
    /* a: says it runs (opens b's FIFO: blocks until b reads it), then waits
     * for b to release it; b: waits for a, then releases it. Neither can
     * end unless both run at the same time. */
    a.writes_first = 1;
    snprintf(a.script, sizeof(a.script), "echo \"a sees $PPID\" >%s; echo up >%s; read x <%s; exit 3",
             inproc_path("out-a"), a.other_fifo, a.mine_fifo);
    snprintf(b.script, sizeof(b.script), "read x <%s; echo \"b sees $PPID\" >%s; echo up >%s; exit 5",
             b.mine_fifo, inproc_path("out-b"), b.other_fifo);
    a.ctx = ctx_with(&a.h, "a");
    b.ctx = ctx_with(&b.h, "b");
    if (!a.ctx || !b.ctx) {
        printf("Bail out! cannot make the contexts\n");
        exit(1);
    }
    pthread_barrier_init(&together, NULL, 2);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_side, &a);
    pthread_create(&tb, NULL, run_side, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&together);

    is_int(a.started, 0, "two threads at once: a starts%s%s", *a.errmsg ? ": " : "", a.errmsg);
    is_int(b.started, 0, "two threads at once: b starts while a runs%s%s", *b.errmsg ? ": " : "", b.errmsg);
    is_int(a.status, 3, "a's exit status is its command's (3)");
    is_int(b.status, 5, "b's exit status is its command's (5)");
    char got[128];
    inproc_read_file(inproc_path("out-a"), got, sizeof(got));
    is_str(got, "a sees 7\n", "a's child got a's handler's answer (getppid 7)");
    inproc_read_file(inproc_path("out-b"), got, sizeof(got));
    is_str(got, "b sees 9\n", "b's child got b's handler's answer (getppid 9)");
    ok(returns_of(a.ctx, "a") >= 1 && returns_of(b.ctx, "b") >= 1,
       "each context's statistics count its own instance's answers (a %llu, b %llu)", returns_of(a.ctx, "a"),
       returns_of(b.ctx, "b"));
    ok(a.h.init == 1 && a.h.fini == 1 && b.h.init == 1 && b.h.fini == 1, "each instance: init and fini once");

    /* Each again, one after the other: nothing of the overlap is left. */
    char *argv[] = { "sh", "-c", "echo $PPID >/dev/null; exit 4", NULL };
    is_int(sandlock_ctx_run(a.ctx, argv), 4, "then a runs again alone");
    is_int(sandlock_ctx_run(b.ctx, argv), 4, "then b runs again alone");
    sandlock_ctx_free(a.ctx);
    sandlock_ctx_free(b.ctx);
}

/* ---- a kill verdict in one context leaves the other running ---- */

static void test_kill_is_its_own(void)
{
    struct counts killer = { .ppid = 1, .kill_mkdir = 1 }, other = { .ppid = 11 };
    sandlock_ctx *ck = ctx_with(&killer, "killer"), *co = ctx_with(&other, "other");
    const char *fifo = inproc_path("fifo-other");
    if (!ck || !co || mkfifo(fifo, 0600)) {
        printf("Bail out! cannot set up the kill test\n");
        exit(1);
    }
    char so[256], sk[256];
    /* The other command waits until the killer's sandbox is gone; a child
     * of its own runs on meanwhile. */
    snprintf(so, sizeof(so), "(sleep 0.5; echo \"child sees $PPID\" >%s) & read y <%s; wait; exit 6",
             inproc_path("out-other"), fifo);
    snprintf(sk, sizeof(sk), "sleep 0.2; mkdir %s; exit 0", inproc_path("never"));
    char *argo[] = { "sh", "-c", so, NULL }, *argk[] = { "sh", "-c", sk, NULL };
    int so_started = sandlock_ctx_start(co, argo);
    ok(so_started == 0, "the other context starts%s%s", so_started ? ": " : "", so_started ? sandlock_ctx_errmsg(co) : "");
    int sk_started = sandlock_ctx_start(ck, argk);
    ok(sk_started == 0, "the killer's context starts while the other runs%s%s", sk_started ? ": " : "",
       sk_started ? sandlock_ctx_errmsg(ck) : "");
    if (sk_started == 0)
        is_int(sandlock_ctx_wait(ck), 128 + SIGKILL, "the kill verdict ends the killer's run (128+SIGKILL)");
    /* Release the other sandbox's command. */
    int fd = open(fifo, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t w = write(fd, "go\n", 3);
        (void)w;
        close(fd);
    }
    if (so_started == 0)
        is_int(sandlock_ctx_wait(co), 6, "the other run was not killed: its command's status (6)");
    char got[128];
    inproc_read_file(inproc_path("out-other"), got, sizeof(got));
    is_str(got, "child sees 11\n", "... and its command's child lived on, answered by its own handler");
    struct stat st;
    ok(stat(inproc_path("never"), &st) != 0, "the killed call never ran");
    sandlock_ctx_free(ck);
    sandlock_ctx_free(co);
}

/* ---- the program's own SIGCHLD handler and children ---- */

static volatile sig_atomic_t reaped_pid, reaped_status, reaped_other;

/* An eager program: reaps whatever it can. */
static void on_sigchld(int sig)
{
    (void)sig;
    int status;
    pid_t pid;
    int saved = errno;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (reaped_pid == 0) {
            reaped_pid = pid;
            reaped_status = status;
        } else {
            reaped_other = pid;
        }
    }
    errno = saved;
}

static void test_program_children(void)
{
    struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART }, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, &old);
    int gate[2];
    if (pipe2(gate, O_CLOEXEC)) {
        printf("Bail out! pipe: %s\n", strerror(errno));
        exit(1);
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(gate[1]);
        ssize_t r = read(gate[0], &c, 1);     /* until the run is under way */
        (void)r;
        _exit(42);
    }
    close(gate[0]);
    struct counts h = { .ppid = 13 };
    sandlock_ctx *ctx = ctx_with(&h, "mine");
    char script[256];
    snprintf(script, sizeof(script), "sleep 0.3; echo \"sees $PPID\" >%s; exit 8", inproc_path("out-host"));
    char *argv[] = { "sh", "-c", script, NULL };
    int started = sandlock_ctx_start(ctx, argv);
    ok(started == 0, "a run starts while the program has a child and a SIGCHLD handler%s%s", started ? ": " : "",
       started ? sandlock_ctx_errmsg(ctx) : "");
    close(gate[1]);                            /* the program's child exits during the run */
    int status = started == 0 ? sandlock_ctx_wait(ctx) : -1;
    is_int(status, 8, "the run's status is its command's (8): the program's handler did not take the sandbox's exit");
    char got[64];
    inproc_read_file(inproc_path("out-host"), got, sizeof(got));
    is_str(got, "sees 13\n", "the command got its handler's answer");
    /* The handler may have run before or after the run ended. */
    for (int i = 0; i < 200 && !reaped_pid; i++)
        usleep(10 * 1000);
    is_int(reaped_pid, child, "the program's SIGCHLD handler reaped its own child");
    ok(reaped_pid == child && WIFEXITED(reaped_status) && WEXITSTATUS(reaped_status) == 42,
       "... with its exit status (42)");
    is_int(reaped_other, 0, "... and no process of the sandbox");
    sigaction(SIGCHLD, &old, NULL);
    sandlock_ctx_free(ctx);
}

/* ---- each sandbox's paths in its own view ---- */

/* A context running fsdeny on the notification path (masks = no): its
 * opens are made by sandlock inside the child's root and mount namespace,
 * which sandlock holds once per sandbox where no task can change it. */
static sandlock_ctx *fsdeny_ctx(void)
{
    const char *top = getenv("top_builddir");
    char text[1024];
    snprintf(text, sizeof(text), "[sandlock]\nmasks = no\nplugin_path = %s/plugins/.libs\n"
             "[plugin fs]\nmodule = fsdeny\ndeny = /nonexistent-sandlock-test\n", top ? top : ".");
    sandlock_ctx *ctx = sandlock_ctx_new();
    if (ctx && sandlock_ctx_load_string(ctx, text, "views.ini") != 0) {
        printf("# %s\n", sandlock_ctx_errmsg(ctx));
        sandlock_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Sandbox a writes a file into its own /dev/shm (a tmpfs of its /dev) and
 * waits; sandbox b, started meanwhile, looks for it through an open fsdeny
 * performs: it must find its own /dev/shm, empty -- not a's (a process-wide
 * held root once resolved one sandbox's paths in the other's view). */
static void test_views_are_their_own(void)
{
    sandlock_ctx *ca = fsdeny_ctx(), *cb = fsdeny_ctx();
    if (!ca || !cb) {
        ok(0, "two contexts with fsdeny load (top_builddir set by make check)");
        sandlock_ctx_free(ca);
        sandlock_ctx_free(cb);
        return;
    }
    char fifo[128], ready[128], sa[512], sb[512];
    snprintf(fifo, sizeof(fifo), "%s", inproc_path("views-fifo"));
    snprintf(ready, sizeof(ready), "%s", inproc_path("views-ready"));
    mkfifo(fifo, 0600);
    snprintf(sa, sizeof(sa), "echo a >/dev/shm/views-mark && cat /dev/shm/views-mark >/dev/null && "
             ": >%s && read x <%s; exit 0", ready, fifo);
    snprintf(sb, sizeof(sb), "if cat /dev/shm/views-mark >/dev/null 2>&1; then exit 7; fi; "
             "test -d /dev/shm || exit 9; exit 0");
    char *arga[] = { "sh", "-c", sa, NULL }, *argb[] = { "sh", "-c", sb, NULL };
    int a_started = sandlock_ctx_start(ca, arga);
    ok(a_started == 0, "views: a starts%s%s", a_started ? ": " : "", a_started ? sandlock_ctx_errmsg(ca) : "");
    struct stat st;
    for (int i = 0; a_started == 0 && i < 1000 && stat(ready, &st) != 0; i++)
        usleep(10 * 1000);
    ok(stat(ready, &st) == 0, "views: a wrote into its /dev/shm and read it back through fsdeny");
    if (stat("/dev/shm/views-mark", &st) == 0) {
        /* Without namespaces (an unprivileged user who may not make them)
         * both sandboxes have the host's /dev: nothing of their own. */
        unlink("/dev/shm/views-mark");
        tap_skip("views: b's own /dev/shm: the sandboxes have no /dev of their own here (no namespaces)");
    } else {
        int b_status = -1;
        if (sandlock_ctx_start(cb, argb) == 0)
            b_status = sandlock_ctx_wait(cb);
        else
            printf("# b: %s\n", sandlock_ctx_errmsg(cb));
        is_int(b_status, 0, "views: b, while a runs, finds its own /dev/shm, without a's file (7: it saw a's)");
    }
    int fd = open(fifo, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t w = write(fd, "go\n", 3);
        (void)w;
        close(fd);
    }
    if (a_started == 0)
        is_int(sandlock_ctx_wait(ca), 0, "views: a ends (0)");
    sandlock_ctx_free(ca);
    sandlock_ctx_free(cb);
}

int main(void)
{
    alarm(300);    /* children waiting for each other must not hang the suite */
    inproc_tmp_make("sandlock-sessions");
    test_two_at_once();
    test_kill_is_its_own();
    test_program_children();
    test_views_are_their_own();
    inproc_tmp_remove();
    return tap_done();
}
