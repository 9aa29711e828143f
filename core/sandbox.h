/* sandbox.h -- starting the command under the filter and ending it.
 *
 * Layout: sandlock (supervisor, a child subreaper) -> stub -> command.
 * The stub is sandlock's own code: when sandlock may create a PID namespace
 * (root, or CAP_SYS_ADMIN) it is that namespace's PID 1, so when it exits
 * -- because the command exited, or sandlock died and PR_SET_PDEATHSIG
 * killed it -- the kernel kills every process of the sandbox. The stub is
 * never filtered itself (waiting, forwarding signals and cleaning up must
 * not depend on a plugin): it starts the command's process, which waits
 * for the filter's BPF in a shared page (the supervisor builds it while
 * the stub starts), installs it and publishes the listener's number there
 * (a memory store: no syscall that a plugin could intercept). With a PID
 * namespace and CAP_SYS_PTRACE (root) the stub shares sandlock's memory
 * (CLONE_VM: nothing to copy or tear down), is started by a parked thread
 * of its own while sandlock starts its workers, and the command's
 * process is a vfork-like clone sharing the stub's memory and fd table;
 * the supervisor takes the listener from the (suspended, never dumpable)
 * stub with pidfd_getfd(2).
 * Otherwise it is forked; the stub takes the listener from it, publishes
 * its own copy's number, the supervisor takes that one the same way, and
 * the stub makes itself non-dumpable again. Either way the listener is
 * never without an owner: the sandbox keeps its copy until the supervisor
 * holds one (sl_sandbox_release). With the shared stub the command execs
 * as soon as its filter is installed (its notified calls wait in the
 * kernel until a worker receives them); a forked one waits for the
 * release, since the stub must first be non-dumpable again.
 *
 * Without a PID namespace (an unprivileged user) the stub is a child
 * subreaper: what is left of the sandbox is killed by walking the stub's
 * process tree down through /proc/PID/task/TID/children
 * (sl_kill_descendants_of) -- by the stub itself once the command exited,
 * or by sandlock for a kill; when sandlock dies (even by SIGKILL) the stub
 * gets a catchable parent-death signal and kills the sandbox itself.
 * sandlock is a subreaper too, and the sandlock program also kills what a
 * stub that died early left to it. A kill verdict lets no process of the
 * sandbox see another die, and the trapped call never returns.
 *
 * A process may run several sandboxes at once (libsandlock contexts): each
 * is a `struct sl_sandbox`. The stub is a child without exit signal,
 * waited for through its pidfd only: no SIGCHLD reaches the program for
 * it, its waitpid(-1) never sees it, and sandlock waits for nothing else
 * (the program's own children and the other sandboxes are theirs).
 *
 * launch.c starts a sandbox, stub.c is the code of its stub and of the
 * command's process before exec, proctree.c kills a process tree, and
 * sandbox.c holds the rest: how the sandbox runs, killing it, its end. */
#ifndef SANDLOCK_SANDBOX_H
#define SANDLOCK_SANDBOX_H

#include <stdatomic.h>
#include <sys/types.h>
#include "filter.h"

struct sl_sandbox;

/* A sandbox for one run; `whole_process`: it is the only one of the
 * process (the sandlock program), which may then kill every descendant
 * of sandlock as a last resort. NULL when memory ran out. */
struct sl_sandbox *sl_sandbox_new(int whole_process);

/* After sl_sandbox_wait() or sl_sandbox_abort(), and once nothing can kill
 * it any more (the supervisor stopped). NULL is ignored. */
void sl_sandbox_free(struct sl_sandbox *sb);

/* Starts the stub, which starts the command's process; that one waits for
 * the filter (sl_sandbox_set_filter), installs it and execs the command.
 * Call before the instances are loaded: where the stub shares sandlock's
 * memory it makes its namespaces and /dev meanwhile and then waits for
 * sl_sandbox_prepared(); otherwise (a stub of its own memory must be
 * forked with the masks in it) nothing starts before that call. Returns
 * 0, or -1 with a message and nothing left behind. Nothing of the command
 * runs before sl_sandbox_set_filter(); sl_sandbox_abort() ends everything
 * this started. */
int sl_sandbox_start(struct sl_sandbox *sb, char *const argv[], char *err, size_t errlen);

/* The session's masks are prepared (masks.h: every instance initialised):
 * the stub may mount them and start the command's process. Returns 0, or
 * -1 with a message and nothing left behind. */
int sl_sandbox_prepared(struct sl_sandbox *sb, char *err, size_t errlen);

/* Hands the filter to the waiting command's process (copied into the
 * handshake page). Returns 0, or -1 with a message. */
int sl_sandbox_set_filter(struct sl_sandbox *sb, const struct sl_filter *filter, char *err, size_t errlen);

/* Waits until the command installed the filter and returns the listener fd
 * (>= 0) taken from the sandbox, or -1 with a message and the sandbox gone
 * (as after sl_sandbox_abort). */
int sl_sandbox_listener(struct sl_sandbox *sb, char *err, size_t errlen);

/* Before sl_sandbox_release(): kills and reaps the sandbox and releases
 * everything sl_sandbox_start() took (no child, fd or mapping is left). */
void sl_sandbox_abort(struct sl_sandbox *sb);

/* Tells the sandbox that the supervisor holds the listener (call once the
 * workers run): the stub drops its copy, and a forked command's process
 * (no PID namespace) may exec. */
void sl_sandbox_release(struct sl_sandbox *sb);

/* Waits for the command (its stub's pidfd), forwarding SIGINT/SIGTERM/
 * SIGHUP/SIGQUIT sent to sandlock (blocked in the thread that started it), kills whatever is left of the sandbox and returns sandlock's
 * exit status (the command's, 128+N for a signal, 126/127 exec errors, or
 * 128+S after a kill verdict). */
int sl_sandbox_wait(struct sl_sandbox *sb, const char *command);

/* Kills the whole sandbox, never the supervisor; `sig` is the signal
 * reported in the exit status. Safe from any thread. */
void sl_sandbox_kill(struct sl_sandbox *sb, int sig);

/* The agent (attach.c): the "sandbox" is a container the runtime started,
 * named by a pidfd of its init (owned by the caller, -1 to let go);
 * `pidns`: the init is PID 1 of its own namespace, so killing it kills the
 * container. sl_sandbox_kill() then signals that pidfd only (no process
 * of ours is the sandbox). */
void sl_sandbox_adopt(struct sl_sandbox *sb, int init_pidfd, int pidns);

/* Whether the sandbox has its own PID namespace (killing its stub kills
 * every process in it). */
int sl_sandbox_has_pidns(const struct sl_sandbox *sb);

/* The sandbox's namespaces, for a process that is to act inside them
 * (deputy.h): a pidfd of the stub (owned by the sandbox, valid while it
 * runs) and in *flags the CLONE_NEW* of the namespaces it has of its own
 * (PID and mount, user when sandlock made one), for setns(2). -1 when the
 * sandbox has no PID namespace or is an adopted container. */
int sl_sandbox_ns_pidfd(const struct sl_sandbox *sb, int *flags);

/* A number naming the sandbox, never another of the process (from 1); 0
 * for NULL. */
unsigned long sl_sandbox_id(const struct sl_sandbox *sb);

/* With a PID namespace: waits up to timeout_ms until the whole sandbox is
 * gone (after sl_sandbox_kill). Returns 0 when it is, -1 otherwise. */
int sl_sandbox_wait_gone(const struct sl_sandbox *sb, int timeout_ms);

#endif
