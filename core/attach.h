/* attach.h -- a run on a listener someone else made: the seccomp agent's
 * supervisor for one container (sandlock-agent(8)). No command and no
 * stub: the container runtime installed the filter and started the
 * container; the "sandbox" a kill verdict ends is the container, through
 * the pidfd of its init. Runs could share a process (sandlock(3)); the
 * agent still runs each container's supervisor in a process of its own
 * (agent.c), for fault isolation. */
#ifndef SANDLOCK_ATTACH_H
#define SANDLOCK_ATTACH_H

#include "ctx.h"

#include <sys/types.h>

/* Who the listener belongs to, as plugins see it (sandlock_session's
 * container members, ABI 1.7). Strings are borrowed for the run. */
struct sl_container_identity {
    const char *id;
    const char *bundle;
    const char *const *annotations;  /* key, value, ..., NULL */
    pid_t init_pid;
    int init_pidfd;                  /* borrowed: kill verdicts signal it */
    int pidns;                       /* init is PID 1 of its own PID namespace */
    /* Called as soon as the container's last task has left the filter,
     * before the workers stop and the instances end (NULL: nothing). */
    void (*hangup)(void *arg);
    void *hangup_arg;
};

/* Loads and initialises ctx's instances for the container (session with
 * the identity, no masks: a container's mounts are its runtime's), starts
 * the workers on `listener` (taken over: closed on every path) and serves
 * it until the container's last task has left the filter (listener
 * hang-up), then ends the instances (fini). Returns 0, or -1 with
 * ctx->errmsg set (the listener is closed then too: the container's
 * notified calls fail with ENOSYS). */
int sl_ctx_attach(struct sandlock_ctx *ctx, int listener, const struct sl_container_identity *who);

#endif
