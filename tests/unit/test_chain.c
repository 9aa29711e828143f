/* test_chain.c -- the per-syscall chains (sl_chains_build) built from real
 * loaded instances, and running a notification through a chain
 * (sl_chain_run) with in-process fake instances. */
#include "config.h"
#include "chain.h"
#include "fault.h"
#include "loader.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- sl_chains_build ---- */

static void test_build(void)
{
    char err[1024] = "";
    struct sl_config_file *cfg = sl_config_parse(
        "[plugin first]\nmodule = " FIXTURE_DIR "/fixture.so\nsyscalls = getppid, uname\n"
        "[plugin second]\nmodule = " FIXTURE_DIR "/fixture.so\nsyscalls = uname\n"
        "[plugin third]\nmodule = " FIXTURE_DIR "/fixture.so\nsyscalls = uname, getppid, getpid\n",
        "chain.ini", err, sizeof(err));
    struct sl_plugins pl = { 0 };
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0, "three instances of one module load (%s)",
       err);
    if (!cfg || pl.n != 3) {
        sl_config_free(cfg);
        return;
    }
    ok(pl.inst[0].state != pl.inst[1].state, "same module twice: two instances, two states");
    struct sl_chains c;
    is_int(sl_chains_build(&pl, &c), 0, "chains build");
    int max = SYS_getppid > SYS_uname ? SYS_getppid : SYS_uname;
    max = SYS_getpid > max ? SYS_getpid : max;
    is_int(c.size, max + 1, "table size = highest number + 1 (direct index)");
    is_int(c.nnrs, 3, "three intercepted syscalls");
    ok(c.nnrs == 3 && c.nrs[0] < c.nrs[1] && c.nrs[1] < c.nrs[2], "numbers ascending");

    const struct sl_chain *u = sl_chain_for(&c, SYS_uname);
    ok(u && u == c.by_nr[SYS_uname], "uname: found by direct index");
    if (u) {
        is_str(u->syscall_name, "uname", "uname: name");
        is_int(u->n, 3, "uname: shared by three instances");
        ok(u->n == 3 && u->inst[0] == &pl.inst[0] && u->inst[1] == &pl.inst[1] && u->inst[2] == &pl.inst[2],
           "uname: config order first, second, third");
    }
    const struct sl_chain *g = sl_chain_for(&c, SYS_getppid);
    if (g) {
        is_int(g->n, 2, "getppid: two instances");
        ok(g->n == 2 && g->inst[0] == &pl.inst[0] && g->inst[1] == &pl.inst[2],
           "getppid: first then third (second skipped)");
    } else
        ok(0, "getppid has a chain");
    const struct sl_chain *p = sl_chain_for(&c, SYS_getpid);
    ok(p && p->n == 1 && p->inst[0] == &pl.inst[2], "getpid: third only");
    ok(sl_chain_for(&c, SYS_read) == NULL, "read (not intercepted) -> NULL");
    ok(sl_chain_for(&c, -1) == NULL, "negative number -> NULL");
    ok(sl_chain_for(&c, c.size) == NULL, "number = size -> NULL");
    ok(sl_chain_for(&c, 100000) == NULL, "huge number -> NULL");
    sl_chains_free(&c);
    ok(c.by_nr == NULL && c.size == 0, "chains freed");
    sl_plugins_unload(&pl);
    sl_config_free(cfg);

    struct sl_plugins none = { 0 };
    is_int(sl_chains_build(&none, &c), 0, "no instances: builds");
    ok(c.size == 0 && c.nnrs == 0 && sl_chain_for(&c, SYS_getppid) == NULL, "no instances: empty table");
    sl_chains_free(&c);
}

/* ---- sl_chain_run with fake instances ---- */

enum { SET_NONE, SET_CONTINUE, SET_ERRNO, SET_RETURN, SET_KILL, SET_FD, SET_RAW };

struct fake {
    int calls;
    int rc;          /* returned by handle() */
    int set;         /* what handle() writes */
    int arg;
    uint32_t raw_verdict;
    uint32_t fd_flags;
    int crash;       /* 1: SIGSEGV, 2: abort() */
};

static void *bad_page;

static int fake_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct fake *f = state;
    f->calls++;
    if (f->crash == 1)
        *(volatile int *)bad_page = 1;
    if (f->crash == 2)
        abort();
    switch (f->set) {
    case SET_CONTINUE: sandlock_respond_continue(r); break;
    case SET_ERRNO: sandlock_respond_errno(r, f->arg); break;
    case SET_RETURN: sandlock_respond_return(r, f->arg); break;
    case SET_KILL: sandlock_respond_kill(r, f->arg); break;
    case SET_FD: sandlock_respond_fd(r, f->arg, f->fd_flags); break;
    case SET_RAW: r->verdict = f->raw_verdict; break;
    }
    return f->rc;
}

#define MAXI 4
static struct sandlock_config cfgs[MAXI];
static struct sl_instance insts[MAXI];
static struct sl_instance *ptrs[MAXI];
static struct fake fakes[MAXI];
static struct sl_chain chain;
static sandlock_event event;

/* A fresh chain of n fake instances with the given policies. */
static void setup(size_t n, int p0, int p1, int p2)
{
    static const char *const names[MAXI] = { "i0", "i1", "i2", "i3" };
    int policies[3] = { p0, p1, p2 };
    memset(insts, 0, sizeof(insts));
    memset(fakes, 0, sizeof(fakes));
    for (size_t i = 0; i < n; i++) {
        cfgs[i].name = (char *)names[i];
        insts[i].cfg = &cfgs[i];
        insts[i].vt.handle = fake_handle;
        insts[i].state = &fakes[i];
        insts[i].policy = policies[i];
        fakes[i].set = SET_CONTINUE;
        ptrs[i] = &insts[i];
    }
    chain.syscall_name = "getppid";
    chain.n = n;
    chain.inst = ptrs;
    memset(&event, 0, sizeof(event));
    event.abi_version = SANDLOCK_ABI_VERSION;
    event.struct_size = sizeof(event);
    event.nr = SYS_getppid;
    event.syscall_name = "getppid";
}

static struct sl_answer run(void)
{
    struct sl_answer a;
    sl_chain_run(&chain, &event, 1000, 0, &a);
    return a;
}

static int fd_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

/* Did the answer come from an exception policy (not from an instance
 * after one whose continue policy let the call go on)? */
static int exception_answer(const struct sl_answer *a)
{
    return a->excepted && a->excepted == a->by;
}

/* One failing instance (policy p) alone; expects the policy's answer. */
static void expect_policy(const char *what, int policy, struct fake f)
{
    setup(2, policy, SL_EXC_KILL, 0);
    fakes[0] = f;
    fakes[1].set = SET_ERRNO;
    fakes[1].arg = ENOTTY;
    struct sl_answer a = run();
    const char *pname = sl_exception_policy_name(policy);
    ok(exception_answer(&a) == (policy != SL_EXC_CONTINUE), "%s (%s): %s", what, pname,
       policy != SL_EXC_CONTINUE ? "an exception answer" : "the next instance's own answer");
    ok(a.excepted == &insts[0], "%s (%s): the failing instance is named as excepted (for -v)", what, pname);
    switch (policy) {
    case SL_EXC_KILL:
        ok(a.verdict == SANDLOCK_VERDICT_KILL && a.signal == SIGKILL && a.by == &insts[0],
           "%s: kill policy -> KILL with SIGKILL", what);
        is_int(fakes[1].calls, 0, "%s: kill stops the chain", what);
        break;
    case SL_EXC_EPERM:
        ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == EPERM && a.by == &insts[0],
           "%s: eperm policy -> EPERM", what);
        is_int(fakes[1].calls, 0, "%s: eperm stops the chain", what);
        break;
    case SL_EXC_EIO:
        ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == EIO && a.by == &insts[0],
           "%s: eio policy -> EIO", what);
        is_int(fakes[1].calls, 0, "%s: eio stops the chain", what);
        break;
    case SL_EXC_CONTINUE:
        is_int(fakes[1].calls, 1, "%s: continue policy falls through to the next instance", what);
        ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == ENOTTY && a.by == &insts[1],
           "%s: ... whose answer counts", what);
        break;
    }
}

static void test_run(void)
{
    struct sl_answer a;

    setup(3, SL_EXC_KILL, SL_EXC_KILL, SL_EXC_KILL);
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_CONTINUE && a.by == NULL && !exception_answer(&a), "all Continue -> Continue");
    ok(fakes[0].calls == 1 && fakes[1].calls == 1 && fakes[2].calls == 1, "all Continue: each called once");

    setup(3, SL_EXC_KILL, SL_EXC_KILL, SL_EXC_KILL);
    fakes[1].set = SET_ERRNO;
    fakes[1].arg = EACCES;
    fakes[2].set = SET_ERRNO;
    fakes[2].arg = ENOENT;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == EACCES && a.by == &insts[1] && !exception_answer(&a),
       "first non-Continue wins");
    ok(fakes[0].calls == 1 && fakes[1].calls == 1, "the instances before it ran");
    is_int(fakes[2].calls, 0, "the instance after it is not called");

    setup(2, SL_EXC_KILL, SL_EXC_KILL, 0);
    fakes[0].set = SET_RETURN;
    fakes[0].arg = -77;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == -77 && a.by == &insts[0], "RETURN verdict");
    is_int(fakes[1].calls, 0, "RETURN: later instance not called");

    setup(1, SL_EXC_KILL, 0, 0);
    fakes[0].set = SET_KILL;
    fakes[0].arg = SIGTERM;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_KILL && a.signal == SIGTERM && !exception_answer(&a), "KILL verdict keeps its signal");

    setup(1, SL_EXC_KILL, 0, 0);
    fakes[0].set = SET_ERRNO;
    fakes[0].arg = 4095;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == 4095 && !exception_answer(&a), "errno 4095 is valid");

    setup(1, SL_EXC_KILL, 0, 0);
    fakes[0].set = SET_KILL;
    fakes[0].arg = 64;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_KILL && a.signal == 64 && !exception_answer(&a), "signal 64 is valid");

    /* A valid FD verdict hands the fd over, open. */
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    setup(1, SL_EXC_KILL, 0, 0);
    fakes[0].set = SET_FD;
    fakes[0].arg = fd;
    fakes[0].fd_flags = SANDLOCK_FD_NO_CLOEXEC;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_FD && a.fd == fd && a.fd_flags == SANDLOCK_FD_NO_CLOEXEC &&
       !exception_answer(&a), "valid FD verdict");
    ok(fd_open(fd), "valid FD verdict: the fd is still open (the host owns it now)");
    close(fd);

    /* Failures, unset and invalid verdicts: every policy. */
    static const int policies[] = { SL_EXC_KILL, SL_EXC_EPERM, SL_EXC_EIO, SL_EXC_CONTINUE };
    for (size_t i = 0; i < 4; i++) {
        int p = policies[i];
        expect_policy("handle() returns SANDLOCK_ERROR", p, (struct fake){ .rc = SANDLOCK_ERROR, .set = SET_CONTINUE });
        expect_policy("handle() returns 7", p, (struct fake){ .rc = 7, .set = SET_ERRNO, .arg = EACCES });
        expect_policy("verdict left unset", p, (struct fake){ .set = SET_NONE });
        expect_policy("errno 0", p, (struct fake){ .set = SET_ERRNO, .arg = 0 });
        expect_policy("errno 5000", p, (struct fake){ .set = SET_ERRNO, .arg = 5000 });
        expect_policy("errno -1", p, (struct fake){ .set = SET_ERRNO, .arg = -1 });
        expect_policy("signal 0", p, (struct fake){ .set = SET_KILL, .arg = 0 });
        expect_policy("signal 99", p, (struct fake){ .set = SET_KILL, .arg = 99 });
        expect_policy("unknown verdict 42", p, (struct fake){ .set = SET_RAW, .raw_verdict = 42 });
        expect_policy("fd 1", p, (struct fake){ .set = SET_FD, .arg = 1 });
        expect_policy("fd not open", p, (struct fake){ .set = SET_FD, .arg = 987 });
        expect_policy("fd = the listener", p, (struct fake){ .set = SET_FD, .arg = 1000 });
    }

    /* Invalid FD verdicts: the fd is closed (never 0-2 or the listener). */
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    setup(1, SL_EXC_EPERM, 0, 0);
    fakes[0].set = SET_FD;
    fakes[0].arg = fd;
    fakes[0].fd_flags = 0x80;
    a = run();
    ok(exception_answer(&a) && a.error == EPERM, "FD verdict with unknown flags: exception");
    ok(!fd_open(fd), "... and its fd is closed");

    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    setup(1, SL_EXC_EIO, 0, 0);
    fakes[0].set = SET_FD;
    fakes[0].arg = fd;
    fakes[0].rc = SANDLOCK_ERROR;
    a = run();
    ok(exception_answer(&a) && a.error == EIO, "FD verdict then SANDLOCK_ERROR: exception");
    ok(!fd_open(fd), "... and its fd is closed");

    setup(1, SL_EXC_EIO, 0, 0);
    fakes[0].set = SET_FD;
    fakes[0].arg = 1;
    a = run();
    ok(exception_answer(&a) && fd_open(1), "FD verdict naming fd 1: exception, stdout left open");

    int listener = open("/dev/null", O_RDONLY | O_CLOEXEC);
    setup(1, SL_EXC_EIO, 0, 0);
    fakes[0].set = SET_FD;
    fakes[0].arg = listener;
    sl_chain_run(&chain, &event, listener, 0, &a);
    ok(exception_answer(&a) && fd_open(listener), "FD verdict naming the listener: exception, listener left open");
    close(listener);

    /* A kill policy on a later instance after Continues. */
    setup(3, SL_EXC_CONTINUE, SL_EXC_CONTINUE, SL_EXC_KILL);
    fakes[0].rc = SANDLOCK_ERROR;
    fakes[1].set = SET_NONE;
    fakes[2].set = SET_KILL;
    fakes[2].arg = 0;
    a = run();
    ok(exception_answer(&a) && a.verdict == SANDLOCK_VERDICT_KILL && a.by == &insts[2],
       "two continue-policy failures fall through to the third, whose kill policy applies");
    setup(2, SL_EXC_CONTINUE, SL_EXC_CONTINUE, 0);
    fakes[0].rc = SANDLOCK_ERROR;
    fakes[1].rc = SANDLOCK_ERROR;
    a = run();
    ok(a.verdict == SANDLOCK_VERDICT_CONTINUE, "every instance failing with continue policy -> Continue");
    is_int(atomic_load(&insts[0].stats.exceptions), 1, "exceptions counted");
    is_int(atomic_load(&insts[0].stats.calls), 1, "calls counted");
}

static void test_crash(void)
{
    ok(sl_fault_install() == 0, "fault handlers installed");
    ok(sl_fault_thread_init() == 0, "alternate signal stack");
    bad_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    static const int crashes[] = { 1, 2 };
    static const char *const kinds[] = { "SIGSEGV", "abort()" };
    for (int k = 0; k < 2; k++) {
        setup(2, SL_EXC_EPERM, SL_EXC_KILL, 0);
        fakes[0].crash = crashes[k];
        fakes[1].set = SET_ERRNO;
        fakes[1].arg = ENOTTY;
        struct sl_answer a = run();
        ok(1, "%s in handle() is contained: the test process lives", kinds[k]);
        ok(exception_answer(&a) && a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == EPERM && a.by == &insts[0],
           "%s: the instance's policy (eperm) answers", kinds[k]);
        ok(atomic_load(&insts[0].quarantined), "%s: the instance is quarantined", kinds[k]);
        is_int(fakes[1].calls, 0, "%s: eperm stops the chain", kinds[k]);
        fakes[0].crash = 0;
        fakes[0].set = SET_ERRNO;
        fakes[0].arg = EACCES;
        a = run();
        is_int(fakes[0].calls, 1, "%s: a quarantined instance is not called again", kinds[k]);
        ok(exception_answer(&a) && a.error == EPERM, "%s: its policy keeps answering", kinds[k]);
        a = run();
        is_int(fakes[0].calls, 1, "%s: still not called", kinds[k]);
    }

    /* Quarantine with a continue policy: the chain goes on without it. */
    setup(2, SL_EXC_CONTINUE, SL_EXC_KILL, 0);
    fakes[0].crash = 1;
    fakes[1].set = SET_RETURN;
    fakes[1].arg = 5;
    struct sl_answer a = run();
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == 5 && a.by == &insts[1],
       "crash with continue policy: the next instance answers");
    a = run();
    ok(fakes[0].calls == 1 && fakes[1].calls == 2 && a.value == 5,
       "quarantined continue-policy instance skipped afterwards");

    /* The guard is disarmed after handle(): a second crash in a fresh
     * instance is caught as well (SA_NODEFER, no signal left blocked). */
    setup(1, SL_EXC_EIO, 0, 0);
    fakes[0].crash = 1;
    a = run();
    ok(exception_answer(&a) && a.error == EIO, "another crash later is contained too");
    munmap(bad_page, 4096);
    sl_fault_thread_fini();
}

int main(void)
{
    test_build();
    test_run();
    test_crash();
    return tap_done();
}
