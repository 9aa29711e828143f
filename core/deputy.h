/* deputy.h -- calls whose peer learns who made them, made by a process of
 * the sandbox with the child's identity.
 *
 * A unix connect records the connecting process's pid and credentials
 * for the listener (SO_PEERCRED), a unix send those of the sender
 * (SCM_CREDENTIALS). Made by a sandlock thread, the peer would see
 * sandlock's pid -- a process outside the sandbox, maybe root -- and a
 * peer that judges that process (polkit, a D-Bus daemon) would judge
 * sandlock: a confused deputy. So such a call is made by a deputy: a
 * process that entered the sandbox's user, PID and mount namespaces
 * (through the stub's pidfd) with the trapped thread's credentials (uids,
 * gids, groups, capabilities, as they were when it was made: creds.h), is
 * not dumpable, and serves requests over a channel of its own (a seqpacket
 * socketpair): a connect or a series of sends, the descriptors they use
 * passed with SCM_RIGHTS and put at the numbers they have in sandlock (an
 * address through /proc/self/fd/N, an SCM_RIGHTS of N mean there what
 * they mean here), the messages in a memory file of its own, the result
 * back on the channel. The peer sees a pid of the sandbox, the child's uid
 * and gid, and nothing a deputy does can succeed where the child itself
 * would fail: it does only what a request says, with the child's rights,
 * and only sandlock holds the other end of its channel.
 *
 * Deputies are kept: each serves the calls of one identity (credentials,
 * namespaces, run), one call at a time; a call takes an idle deputy of its
 * identity or makes one. At most DEPUTY_IDLE idle deputies are kept (the
 * least recently used goes); the run's end kills them all.
 *
 * The child can see a deputy (a process of its PID namespace) and signal
 * it, but not reach into it: it is not dumpable and the child has no
 * CAP_SYS_PTRACE (nor ptrace, process_vm_*: sandlock's deny list); every
 * signal but SIGKILL and SIGSTOP is ignored. A deputy that stops is killed
 * by its hop (the process that made it and waits for it); a killed deputy
 * fails the call it served (-EINTR) and the next call makes another. The
 * caller's wait ends on a signal without SA_RESTART and every 100 ms to
 * check the notification: once it is gone the deputy is killed.
 *
 * Without a PID namespace (an unprivileged user who may not create one)
 * the child shares sandlock's PID namespace and, sandlock being
 * unprivileged, its credentials: the deputy is then a forked process with
 * those credentials outside any namespace of its own -- the peer sees its
 * pid, not sandlock's, and the child's uid and gid.
 *
 * Cost: making a deputy forks twice (only for a new identity); a call
 * then costs a credential snapshot (creds.h), a request and an answer on
 * the channel, and the deputy's placing of the descriptors (README.md has
 * the measurement). */
#ifndef SANDLOCK_DEPUTY_H
#define SANDLOCK_DEPUTY_H

#include <sandlock/plugin.h>

#include <stddef.h>

/* The most descriptors a deputy keeps for a call, and the most messages. */
#define SL_DEPUTY_MAX_KEEP 512
#define SL_DEPUTY_MAX_MSGS 1024

/* host->deputy_connect and host->deputy_send (contract in
 * sdk/sandlock/plugin.h). */
int sl_deputy_connect(sandlock_handle h, const int *keep, size_t nkeep, int sock, const void *addr, uint32_t len);
long sl_deputy_send(sandlock_handle h, const int *keep, size_t nkeep, int sock, const sandlock_deputy_msg *msgs,
                    size_t n, int flags, unsigned *sent, int *err);

/* Kills the deputies of sandbox `run` (sl_sandbox_id: the run ended); the
 * ones still serving a call go when it returns. Deputies are kept per
 * sandbox: another run's (a process may run several) never serves it. */
void sl_deputy_close_run(unsigned long run);

#endif
