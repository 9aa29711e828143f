/* executor.h -- netguard's threads for calls that may block (a connect on
 * a stream socket, a send on a blocking socket that has no room): the
 * notification is deferred and answered from a thread of the executor, so
 * no sandlock worker waits for the network or for a peer. */
#ifndef NETGUARD_EXECUTOR_H
#define NETGUARD_EXECUTOR_H

#include <sandlock/plugin.h>

#include <pthread.h>

/* At most this many calls run at once per instance; beyond, the call fails
 * with EAGAIN (see sandlock-netguard(7)). */
#define NG_EXEC_MAX 64

struct ng_job;

struct ng_executor {
    const sandlock_host *host;
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* CLOCK_MONOTONIC */
    struct ng_job *jobs;       /* running and finished, not yet joined */
    unsigned running;
    int stopping;
    int watcher_started;
    pthread_t watcher;
};

/* The work of a job: fills *r (errno or return value); runs on the job's
 * thread. `arg` is released with release() after the answer. */
typedef void (*ng_job_run)(void *arg, sandlock_response *r);
typedef void (*ng_job_release)(void *arg);

int ng_executor_init(struct ng_executor *x, const sandlock_host *host);

/* Interrupts every running job, waits for all of them and frees x's
 * resources. */
void ng_executor_fini(struct ng_executor *x);

/* From handle(): defers ev's notification and runs `run(arg)` on a new
 * thread, which answers with its response. `probe` is an address of the
 * child that is mapped while the call waits: the executor reads one byte
 * of it now and then to learn whether the notification is still pending
 * (the child killed, or defer_timeout passed), and interrupts the job
 * (EINTR) when it is not. Returns 0 (answer with sandlock_respond_defer;
 * arg then belongs to the job) or -errno: -EAGAIN when NG_EXEC_MAX jobs
 * run or the host refuses to defer (arg still belongs to the caller). */
int ng_executor_submit(struct ng_executor *x, const sandlock_event *ev, uint64_t probe, ng_job_run run,
                       ng_job_release release, void *arg);

#endif
