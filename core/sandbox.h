/* sandbox.h -- starting the command under the filter and ending it.
 *
 * Layout: sandlock (supervisor, a child subreaper) -> stub -> command.
 * The stub is sandlock's own code: when sandlock may create a PID namespace
 * (root, or CAP_SYS_ADMIN) it is that namespace's PID 1, so when it exits
 * -- because the command exited, or sandlock died and PR_SET_PDEATHSIG
 * killed it -- the kernel kills every process of the sandbox. The stub is
 * never filtered itself (waiting, forwarding signals and cleaning up must
 * not depend on a plugin): it forks the command's process, which installs
 * the filter and publishes the listener's number in a shared page (a memory
 * store: no syscall that a plugin could intercept); the stub takes the
 * listener from it with pidfd_getfd(2), publishes its own copy's number,
 * and the supervisor takes that one the same way. The command's process
 * then closes its copy and execs.
 *
 * Without a PID namespace (an unprivileged user) sandlock is a child
 * subreaper and kills what is left of the sandbox by walking /proc
 * (sl_kill_descendants); the stub is a subreaper too and, when sandlock dies
 * (even by SIGKILL), gets a catchable parent-death signal and kills the
 * sandbox itself. A kill verdict lets no process of the sandbox see another
 * die, and the trapped call never returns. */
#ifndef SANDLOCK_SANDBOX_H
#define SANDLOCK_SANDBOX_H

#include <stdatomic.h>
#include <sys/types.h>
#include "filter.h"

/* Starts the stub and returns the listener fd (>= 0), or -1 with a
 * message. The command is not started before sl_sandbox_release(). */
int sl_sandbox_start(const struct sl_filter *filter, char *const argv[], char *err, size_t errlen);

/* Lets the stub start the command (call once the workers run). */
void sl_sandbox_release(void);

/* Waits for the command, forwarding SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to
 * sandlock, kills whatever is left of the sandbox and returns sandlock's
 * exit status (the command's, 128+N for a signal, 126/127 exec errors, or
 * 128+S after a kill verdict). */
int sl_sandbox_wait(const char *command);

/* Kills the whole sandbox, never the supervisor; `sig` is the signal
 * reported in the exit status. Safe from any thread. */
void sl_sandbox_kill(int sig);

/* Whether the sandbox has its own PID namespace (killing its stub kills
 * every process in it). */
int sl_sandbox_has_pidns(void);

/* With a PID namespace: waits up to timeout_ms until the whole sandbox is
 * gone (after sl_sandbox_kill). Returns 0 when it is, -1 otherwise. */
int sl_sandbox_wait_gone(int timeout_ms);

/* Kills every descendant of the calling process (repeatedly, until a scan
 * finds none). Returns how many were signalled. */
int sl_kill_descendants(void);

#endif
