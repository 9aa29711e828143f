/* deputy.h -- calls whose peer learns who made them, made by a process of
 * the sandbox with the child's identity.
 *
 * A unix connect records the connecting process's pid and credentials
 * for the listener (SO_PEERCRED), a unix send those of the sender
 * (SCM_CREDENTIALS). Made by a sandlock thread, the peer would see
 * sandlock's pid -- a process outside the sandbox, maybe root -- and a
 * peer that judges that process (polkit, a D-Bus daemon) would judge
 * sandlock: a confused deputy. So such a call is made by a deputy: a
 * process forked for that one call, which enters the sandbox's user, PID
 * and mount namespaces (through the stub's pidfd), takes the trapped
 * thread's credentials (uids, gids, groups, capabilities, as they are at
 * that moment: creds.h), is not dumpable, keeps only the descriptors it
 * is given (the socket copy, the checked file), runs fn and reports its
 * result and `out` through a pipe. The peer sees a pid of the sandbox,
 * the child's uid and gid, and nothing it does can succeed where the
 * child itself would fail. The caller waits for the result; a waiting
 * call is interrupted as the executor interrupts it (a signal without
 * SA_RESTART): the deputy is killed when the notification is gone.
 *
 * Without a PID namespace (an unprivileged user who may not create one)
 * the child shares sandlock's PID namespace and, sandlock being
 * unprivileged, its credentials: the deputy is then a forked process with
 * those credentials outside any namespace of its own -- the peer sees its
 * pid, not sandlock's, and the child's uid and gid.
 *
 * The child can see the deputy (it is a process of its PID namespace) but
 * not reach into it: the deputy is not dumpable and the child has no
 * CAP_SYS_PTRACE (nor ptrace, process_vm_*: sandlock's deny list), so its
 * memory -- a copy of sandlock's -- and its descriptors stay out of reach;
 * killing it fails only the child's own call.
 *
 * Cost: two forks of sandlock (one without a PID namespace), a setns and
 * a few credential calls; only for the calls that need it (README.md has
 * the measurement). */
#ifndef SANDLOCK_DEPUTY_H
#define SANDLOCK_DEPUTY_H

#include <sandlock/plugin.h>

#include <stddef.h>

/* The most descriptors a deputy keeps, and the largest `out`. */
#define SL_DEPUTY_MAX_KEEP 512
#define SL_DEPUTY_MAX_OUT 65536

/* host->run_in_deputy (contract in sdk/sandlock/plugin.h). */
int sl_deputy_run(sandlock_handle h, const int *keep, size_t nkeep, int (*fn)(void *arg), void *arg,
                  void *out, size_t outlen);

#endif
