/* stub.h -- the stub and the command's process before exec (stub.c): the
 * sandbox's side of its start (sandbox.h tells the whole layout). Their
 * code is marked STUB_CODE and bound by what stubcode.h says. */
#ifndef SANDLOCK_STUB_H
#define SANDLOCK_STUB_H

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/types.h>
#include "filter.h"
#include "stubcode.h"

/* The namespaces the stub starts, when sandlock may create them (see
 * stub_own_view() in stub.c). */
#define SANDBOX_NAMESPACES (CLONE_NEWPID | CLONE_NEWNS)

/* Without a PID namespace the stub gets this signal instead of SIGKILL
 * when sandlock dies (its parent-death signal), or from sandlock to end
 * the sandbox (sl_sandbox_kill): it then kills and reaps every descendant
 * itself. */
#define STUB_ORPHAN_SIGNAL SIGUSR2

/* The signals sent to sandlock that reach the command: sandlock forwards
 * them to the stub, which forwards them to the command's process. */
#define SL_NFORWARDED 4
extern const int sl_forwarded_signals[SL_NFORWARDED];

/* A signal sandlock was started ignoring (nohup, a shell's background job)
 * stays ignored by the command, as it would without sandlock, and is not
 * forwarded: a blocked signal is queued even when ignored. */
static inline int sl_ignored_at_start(const sigset_t *ignored, int sig)
{
    return sigismember(ignored, sig) == 1;
}

/* Shared between the supervisor and the stub: a MAP_SHARED mapping for a
 * forked stub, the sandbox's own page for one that shares sandlock's
 * memory (nothing to map, nor to unmap while other threads run). */
struct handshake {
    atomic_int child_listener; /* -1 until the command's process installed the filter */
    atomic_int listener;      /* -1 until the stub holds a copy of the listener */
    atomic_int go;            /* 1 once the supervisor holds the listener */
    atomic_int armed;         /* 1 once the stub dropped its copy: exec */
    atomic_int setup_errno;   /* the stub failed before exec */
    atomic_int failed_mask;   /* ... at this mask (index + 1), or 0 */
    const char *volatile failed_view;  /* ... or at this path of hostview.h */
    atomic_int exec_errno;    /* the command's execvp() failed */
    atomic_int cmd_done;      /* cmd_status is valid */
    atomic_int cmd_status;    /* wait status of the command */
    atomic_int prepared;      /* 1 once the session's masks are prepared: the stub
                               * (started while the instances load) may mount them */
    atomic_int filter_len;    /* 0 until the supervisor wrote insns */
    struct sock_filter insns[BPF_MAXINSNS];   /* the filter's BPF */
};

/* How a sandbox runs: what its stub is, and so how it is killed and
 * which namespaces a process acting inside it joins. A stub is started in
 * one of the first three; sl_sandbox_adopt() makes the last two. */
enum sl_sandbox_mode {
    SL_SANDBOX_NOT_STARTED,   /* no stub yet (or an adopted container let go) */
    SL_SANDBOX_PIDNS_USERNS,  /* the stub is PID 1 of a PID namespace, in a user namespace
                               * of its own (an unprivileged sandlock, userns.h) */
    SL_SANDBOX_PIDNS,         /* the stub is PID 1 of a PID namespace */
    SL_SANDBOX_SUBREAPER,     /* no PID namespace: the stub is a child subreaper, the
                               * sandbox its process tree (proctree.h) */
    SL_SANDBOX_ADOPTED_PIDNS, /* a container's init, PID 1 of its own PID namespace */
    SL_SANDBOX_ADOPTED,       /* a container's init in a PID namespace it shares */
};

/* Whether the stub is PID 1 of a PID namespace that sandlock made (with
 * the mount namespace of SANDBOX_NAMESPACES): the stub makes the sandbox's
 * own view, and its end is the end of every process of the sandbox. */
static inline int sl_mode_own_pidns(enum sl_sandbox_mode mode)
{
    return mode == SL_SANDBOX_PIDNS_USERNS || mode == SL_SANDBOX_PIDNS;
}

/* What the stub starts from; it reads nothing else of its sandbox, and
 * writes nothing but the page: it may share sandlock's memory (see
 * launch_shared_stub in launch.c). */
struct stub_args {
    struct handshake *page;
    char *const *argv;
    sigset_t ignored;     /* forwarded signals sandlock was started ignoring */
    int own_pgrp;         /* the command starts a process group of its own */
    int restore_affinity; /* started on other CPUs: take `affinity` back */
    cpu_set_t affinity;   /* sandlock's CPUs, for the command */
    int parent_pidfd;     /* sandlock's pidfd: POLLIN once it died */
    enum sl_sandbox_mode mode;  /* PIDNS_USERNS, PIDNS or SUBREAPER */
    uid_t uid;            /* PIDNS_USERNS: sandlock's user and group, mapped */
    gid_t gid;            /* onto themselves */
    int shared_spawn;     /* the command is started by spawn_shared(), in the
                           * stub's memory (only in a PID namespace) */
};

/* The stub: starts the command's process, hands its listener on, waits for
 * it and reports through the page. Never returns. */
STUB_CODE void __attribute__((noreturn)) sl_stub_main(const struct stub_args *args);

/* Call in the thread that starts a stub, before the clone: gives it the
 * thread-local state the stub uses (see stub_command in stub.c). */
void sl_stub_thread_prepare(void);

/* A child of the caller like fork(), with `flags` added, but without
 * glibc's fork handlers: they take every malloc lock, and in a process
 * cloned from the multi-threaded sandlock a lock another thread held at
 * that instant stays locked for good. Neither the stub nor the command
 * before exec takes such a lock. */
STUB_CODE pid_t sl_raw_clone(unsigned long flags, int exit_signal);

#endif
