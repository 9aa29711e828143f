/* deputy.c -- see deputy.h.
 *
 * sandlock (calling thread) --clone, no exit signal, pidfd--> hop
 *   hop: keeps the given descriptors only, enters the stub's namespaces
 *        (setns on its pidfd), takes the child's credentials, makes itself
 *        non-dumpable; with a PID namespace it forks the deputy proper
 *        (setns(CLONE_NEWPID) applies to children only) and waits for it,
 *        else it is the deputy itself.
 *   deputy: fn(arg), then one write of { result, out } to the pipe.
 * The credentials change before the deputy exists in the sandbox's PID
 * namespace: no process of the sandbox ever sees one with more than the
 * child's rights. Both are forks: between fork and exit they make raw
 * system calls only (no allocation, no lock: other sandlock threads may
 * have held one at the fork). The hop has no exit signal and is waited
 * for through its pidfd with __WALL, so nothing else of sandlock that
 * reaps children ever sees it. */
#define _GNU_SOURCE
#include "config.h"
#include "deputy.h"
#include "childfd.h"
#include "creds.h"
#include "liveness.h"
#include "log.h"
#include "sandbox.h"
#include "slots.h"
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* What the deputy reports before `out`. */
struct deputy_result {
    int32_t rc;        /* fn's result */
    int32_t setup;     /* errno of a failed step before fn (then rc is unset) */
    int32_t step;      /* which: enum step */
};

enum step { STEP_NONE, STEP_FDS, STEP_NS, STEP_CREDS, STEP_FORK };

static const char *const step_names[] = {
    "", "keep its descriptors", "enter the sandbox's namespaces", "take the child's credentials",
    "start in the sandbox's PID namespace",
};

struct deputy_plan {
    const struct sl_creds_all *c;
    const int *keep;
    size_t nkeep;
    int nsfd, nsflags;         /* the trapped thread's pidfd, the namespaces to enter */
    int stubfd;                /* the stub's pidfd, when the thread's is refused */
    int pipe_w;
    pid_t sandlock;
    int (*fn)(void *arg);
    void *arg;
    const void *out;
    size_t outlen;
};

/* Writes the whole buffer (a pipe: a short write only when interrupted). */
static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void __attribute__((noreturn)) report(const struct deputy_plan *p, enum step step, int err, int rc)
{
    struct deputy_result r = { .rc = rc, .setup = err, .step = step };
    write_all(p->pipe_w, &r, sizeof(r));
    if (!err && p->outlen)
        write_all(p->pipe_w, p->out, p->outlen);
    _exit(0);
}

/* Closes every descriptor but the kept ones, the pipe and the namespace
 * pidfd. 0 or errno. */
static int keep_only(const struct deputy_plan *p)
{
    int fds[SL_DEPUTY_MAX_KEEP + 3];
    size_t n = 0;
    for (size_t i = 0; i < p->nkeep; i++)
        if (p->keep[i] >= 0)
            fds[n++] = p->keep[i];
    fds[n++] = p->pipe_w;
    if (p->nsfd >= 0)
        fds[n++] = p->nsfd;
    if (p->stubfd >= 0 && p->stubfd != p->nsfd)
        fds[n++] = p->stubfd;
    for (size_t i = 1; i < n; i++)          /* insertion sort: a handful */
        for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    unsigned lo = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)fds[i] > lo && syscall(SYS_close_range, lo, (unsigned)fds[i] - 1, 0) != 0)
            return errno;
        lo = (unsigned)fds[i] + 1;
    }
    return syscall(SYS_close_range, lo, ~0u, 0) != 0 ? errno : 0;
}

static int caps_of_self(struct __user_cap_data_struct d[2])
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    return syscall(SYS_capget, &hdr, d) == 0 ? 0 : errno;
}

static int caps_to(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
        { (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
    };
    return syscall(SYS_capset, &hdr, d) == 0 ? 0 : errno;
}

/* What of the child's credentials differ from the hop's own, measured
 * before entering a user namespace (ids then read as from sandlock's). */
struct differs {
    int groups, gids, uids;
};

static struct differs compare_own(const struct sl_creds_all *c)
{
    struct differs d = { 1, 1, 1 };
    uid_t r, e, s;
    gid_t gr, ge, gs;
    gid_t g[SL_CREDS_MAX_GROUPS];
    int n = (int)syscall(SYS_getgroups, SL_CREDS_MAX_GROUPS, g);
    if (n == c->ngroups && (n == 0 || memcmp(g, c->groups, (size_t)n * sizeof(gid_t)) == 0))
        d.groups = 0;
    if (syscall(SYS_getresgid, &gr, &ge, &gs) == 0 && gr == c->rgid && ge == c->egid && gs == c->sgid &&
        (gid_t)syscall(SYS_setfsgid, -1) == c->fsgid)
        d.gids = 0;
    if (syscall(SYS_getresuid, &r, &e, &s) == 0 && r == c->ruid && e == c->euid && s == c->suid &&
        (uid_t)syscall(SYS_setfsuid, -1) == c->fsuid)
        d.uids = 0;
    return d;
}

/* Gives the hop the child's credentials exactly. Raw calls: this process
 * only. 0 or errno. */
static int become(const struct sl_creds_all *c, struct differs d)
{
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (d.groups && syscall(SYS_setgroups, c->ngroups, c->groups) != 0)
        return errno;
    if (d.gids) {
        if (syscall(SYS_setresgid, c->rgid, c->egid, c->sgid) != 0)
            return errno;
        syscall(SYS_setfsgid, c->fsgid);
        if ((gid_t)syscall(SYS_setfsgid, -1) != c->fsgid)
            return EPERM;
    }
    if (d.uids) {
        /* Keep the permitted set over the change (the child's is a part of
         * it), take it back into effect for setfsuid, then narrow. */
        struct __user_cap_data_struct now[2];
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || syscall(SYS_setresuid, c->ruid, c->euid, c->suid) != 0)
            return errno;
        int err = caps_of_self(now);
        if (!err)
            err = caps_to(now[0].permitted | (uint64_t)now[1].permitted << 32,
                          now[0].permitted | (uint64_t)now[1].permitted << 32,
                          now[0].inheritable | (uint64_t)now[1].inheritable << 32);
        if (err)
            return err;
        syscall(SYS_setfsuid, c->fsuid);
        if ((uid_t)syscall(SYS_setfsuid, -1) != c->fsuid)
            return EPERM;
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    }
    int err = caps_to(c->eff, c->perm, c->inh);
    if (err)
        return err;
    struct __user_cap_data_struct now[2];
    if ((err = caps_of_self(now)) != 0)
        return err;
    if ((now[0].effective | (uint64_t)now[1].effective << 32) != c->eff ||
        (now[0].permitted | (uint64_t)now[1].permitted << 32) != c->perm)
        return EPERM;
    return 0;
}

static void __attribute__((noreturn)) act(const struct deputy_plan *p)
{
    report(p, STEP_NONE, 0, p->fn(p->arg));
}

static void __attribute__((noreturn)) hop_main(const struct deputy_plan *p)
{
    int err = keep_only(p);
    if (err)
        report(p, STEP_FDS, err, 0);
    struct differs d = compare_own(p->c);
    /* The thread's own namespaces (a non-dumpable thread refuses an
     * unprivileged sandlock: then the stub's, which are the same). */
    if (p->nsflags && setns(p->nsfd, p->nsflags) != 0 && setns(p->stubfd, p->nsflags) != 0)
        report(p, STEP_NS, errno, 0);
    if (p->nsfd >= 0)
        close(p->nsfd);
    if (p->stubfd >= 0 && p->stubfd != p->nsfd)
        close(p->stubfd);
    if ((err = become(p->c, d)) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        report(p, STEP_CREDS, err ? err : errno, 0);
    /* (a change of credentials clears the parent-death signal: set after) */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != p->sandlock)
        _exit(0);
    if (!(p->nsflags & CLONE_NEWPID))
        act(p);
    pid_t deputy = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
    if (deputy < 0)
        report(p, STEP_FORK, errno, 0);
    if (deputy == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        act(p);
    }
    int status;
    while (waitpid(deputy, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* Reads exactly len bytes; on an interruption gives up (killing the hop)
 * once the notification is gone. 0, -EINTR, or -EPIPE (the deputy ended
 * without a word). */
static int read_result(int fd, void *buf, size_t len, const struct sl_target *t, int hop)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            if (sl_target_check(t) == 0)
                continue;
            syscall(SYS_pidfd_send_signal, hop, SIGKILL, NULL, 0);
            return -EINTR;
        }
        if (n <= 0)
            return -EPIPE;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int sl_deputy_run(sandlock_handle h, const int *keep, size_t nkeep, int (*fn)(void *arg), void *arg,
                  void *out, size_t outlen)
{
    if (!fn || nkeep > SL_DEPUTY_MAX_KEEP || (nkeep && !keep) || outlen > SL_DEPUTY_MAX_OUT ||
        (outlen && !out))
        return -EINVAL;
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc)
        return rc;
    struct sl_creds_all c;
    rc = sl_creds_snapshot(&t, &c);
    if (rc)
        return rc;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -errno;
    struct deputy_plan plan = { .c = &c, .keep = keep, .nkeep = nkeep, .pipe_w = pipefd[1],
                                .sandlock = getpid(), .fn = fn, .arg = arg, .out = out, .outlen = outlen };
    const struct sl_slots *table = sl_slots_of(h);
    plan.stubfd = table && table->owner ? sl_sandbox_ns_pidfd(table->owner->sandbox, &plan.nsflags) : -1;
    plan.nsfd = plan.stubfd >= 0 ? sl_child_pidfd(&t, 0) : -1;
    if (plan.stubfd < 0)
        plan.nsflags = 0;
    /* Capabilities count in their own user namespace only: a deputy that
     * stays in sandlock's (an adopted container's child in one of its
     * own) gets none, as the child has none here. */
    if (!c.same_userns && !(plan.nsflags & CLONE_NEWUSER))
        c.eff = c.perm = c.inh = 0;
    int hop = -1;
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD, NULL, &hop, NULL, 0);
    if (pid == 0)
        hop_main(&plan);
    int err = errno;
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        sl_log(SANDLOCK_LOG_WARN, "cannot start a deputy for a call of pid %d (%s): the call fails with EAGAIN",
               (int)t.pid, strerror(err));
        return -EAGAIN;
    }
    struct deputy_result r;
    rc = read_result(pipefd[0], &r, sizeof(r), &t, hop);
    if (!rc && r.setup) {
        sl_log(SANDLOCK_LOG_WARN, "the deputy for a call of pid %d could not %s (%s): the call fails with EPERM",
               (int)t.pid, r.step > 0 && r.step <= STEP_FORK ? step_names[r.step] : "start", strerror(r.setup));
        rc = -EPERM;
    } else if (!rc && outlen) {
        rc = read_result(pipefd[0], out, outlen, &t, hop);
    }
    if (!rc)
        rc = r.rc;
    else if (rc == -EPIPE)
        rc = -EINTR;          /* killed (by the child: it may signal its own) */
    close(pipefd[0]);
    siginfo_t si;
    while (waitid((idtype_t)P_PIDFD, (id_t)hop, &si, WEXITED | __WALL) < 0 && errno == EINTR)
        ;
    close(hop);
    return rc;
}
