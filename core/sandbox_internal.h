/* sandbox_internal.h -- the state of one sandbox, shared by the modules
 * that make it up: launch.c (starting it, the handshake with its stub) and
 * sandbox.c (killing, reaping and waiting for it). The stub's side is
 * stub.c, which sees only its stub_args. */
#ifndef SANDLOCK_SANDBOX_INTERNAL_H
#define SANDLOCK_SANDBOX_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/types.h>
#include "sandbox.h"
#include "stub.h"

struct launch;

/* One session's sandbox (a process may run several at once). */
struct sl_sandbox {
    pid_t stub;            /* -1 once reaped (under `lock`) */
    int stub_pidfd;
    enum sl_sandbox_mode mode;
    int own_pgrp;          /* the command starts a process group of its own */
    int ptrace_nondumpable; /* sandlock may take an fd from a non-dumpable process of its
                             * own: in a PID namespace the stub and the command share
                             * memory (launch_shared_stub, spawn_shared) */
    struct handshake *page;
    struct launch *launch; /* the stub shares our memory (launch_shared_stub) */
    char *const *argv;     /* the command */
    int parent_pidfd;      /* sandlock's own pidfd, until the stub was cloned */
    atomic_int killed_signal;
    sigset_t ignored;      /* forwarded signals sandlock was started ignoring */
    int signal_fd;         /* the forwarded signals, blocked since the plugins were ready */
    int whole_process;     /* the only sandbox of the process (the sandlock program) */
    int start_deferred;    /* the stub starts at sl_sandbox_prepared() (forked) */
    unsigned long id;      /* sl_sandbox_id: unique in the process */
    pthread_mutex_t lock;  /* a kill's walk of the stub's tree against its reaping */
    struct handshake local_page;
};

/* launch.c: when a launcher's clone of the stub is under way, waits for
 * it and sets sb->stub (the pid, or -1). */
void sl_launch_collect(struct sl_sandbox *sb);

/* launch.c: lets the launcher thread end, once its stub is reaped or was
 * never started. */
void sl_launch_release(struct sl_sandbox *sb);

/* launch.c: unmaps the handshake page (a forked stub's). */
void sl_handshake_release(struct sl_sandbox *sb);

/* sandbox.c: reaps the stub if it exited, or waits for it (`nohang` 0);
 * returns 1 when it has been reaped. */
int sl_sandbox_reap(struct sl_sandbox *sb, int nohang);

#endif
