/* agent_cgroup.h -- the agent's supervisor process runs in its container's
 * CPU cgroup while it serves it (sandlock-agent(8), "CPU cgroup").
 *
 * Why: a notified call is a wake-up of the supervisor and a wake-up of the
 * trapped task back, both on one CPU (SYNC_WAKE_UP). When the two are in
 * different CPU cgroups, the container's group has no runnable task between
 * its calls, so the kernel's group scheduling enqueues and dequeues the
 * group's entity at every round trip: ~1 us more per call on the machines
 * of bench/README.md (about 1.1-1.4x the bare loop). In the same group it
 * stays enqueued and the round trip costs what the bare loop's does. It
 * also bills the container for the CPU its own supervision takes, under its
 * own quota.
 *
 * Processes the supervisor makes while it is there (deputies) are there
 * too; they end with the run.
 *
 * Only the cgroup v1 "cpu" hierarchy is joined (not memory, pids, freezer
 * or devices, which the runtime uses to count, freeze and kill the
 * container's processes). On a cgroup v2 host the container's cgroup holds
 * every controller at once: the supervisor is not moved there (said in the
 * log), and the round trip keeps the cross-group cost. */
#ifndef SANDLOCK_AGENT_CGROUP_H
#define SANDLOCK_AGENT_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the process came from, to go back to. */
struct sl_agent_cgroup {
    int joined;
    char home[PATH_MAX];     /* <mount>/<path>/cgroup.procs of the cgroup it left */
};

/* Moves the calling process into the v1 "cpu" cgroup of the container
 * whose init is pid (pidfd: a pidfd of it, so that a reused pid is not
 * followed). Returns 0 when it moved (or was there already), 1 when the
 * host has no v1 cpu hierarchy, -1 with the reason in why when it could
 * not: the caller goes on, only slower. */
int sl_agent_cgroup_join(struct sl_agent_cgroup *cg, pid_t pid, int pidfd, char *why, size_t whylen);

/* What sl_agent_cgroup_join() would find about the host: 0 when it has a
 * cgroup v1 cpu hierarchy to join, 1 when not (the reason in why), -1 when
 * it cannot tell (why). */
int sl_agent_cgroup_probe(char *why, size_t whylen);

/* Back to the cgroup it left, so that the runtime can remove the
 * container's cgroup once the container is gone. Returns 0 (also when it
 * never joined), -1 with the reason in why. */
int sl_agent_cgroup_leave(struct sl_agent_cgroup *cg, char *why, size_t whylen);

#endif
