/* sockexec.h -- the host's threads for socket calls that may block (a
 * connect on a stream socket, a send on a blocking socket that has no
 * room; sockcall.h): the notification is deferred and answered from a
 * thread of the executor, so no sandlock worker waits for the network or
 * for a peer. */
#ifndef SANDLOCK_SOCKEXEC_H
#define SANDLOCK_SOCKEXEC_H

#include <sandlock/plugin.h>

#include <pthread.h>

/* At most this many calls run at once in a process; beyond, the call fails
 * with EAGAIN (see "SOCKET CALLS" in sandlock.ini(5)). */
#define SL_SOCKEXEC_MAX 64

struct sl_sockjob;

struct sl_sockexec {
    const sandlock_host *host;
    pthread_mutex_t lock;
    pthread_cond_t wake;       /* CLOCK_MONOTONIC */
    struct sl_sockjob *jobs;       /* running and finished, not yet joined */
    unsigned running;
    int stopping;
    int watcher_started;
    pthread_t watcher;
};

/* The work of a job: fills *r (errno or return value); runs on the job's
 * thread. `arg` is released with release() after the answer. */
typedef void (*sl_sockjob_run)(void *arg, sandlock_response *r);
typedef void (*sl_sockjob_release)(void *arg);

int sl_sockexec_init(struct sl_sockexec *x, const sandlock_host *host);

/* Interrupts every running job, waits for all of them and frees x's
 * resources. */
void sl_sockexec_fini(struct sl_sockexec *x);

/* Interrupts the jobs whose notification belongs to slot table `table`
 * and waits until they are done. */
struct sl_slots;
void sl_sockexec_drain(struct sl_sockexec *x, const struct sl_slots *table);

/* From the worker, after the chain: defers ev's notification and runs `run(arg)` on a new
 * thread, which answers with its response. `probe` is an address of the
 * child that is mapped while the call waits: the executor reads one byte
 * of it now and then to learn whether the notification is still pending
 * (the child killed, or defer_timeout passed), and interrupts the job
 * (EINTR) when it is not. Returns 0 (answer with sandlock_respond_defer;
 * arg then belongs to the job) or -errno: -EAGAIN when SL_SOCKEXEC_MAX jobs
 * run or the host refuses to defer (arg still belongs to the caller). */
int sl_sockexec_submit(struct sl_sockexec *x, const sandlock_event *ev, uint64_t probe, sl_sockjob_run run,
                       sl_sockjob_release release, void *arg);

#endif
