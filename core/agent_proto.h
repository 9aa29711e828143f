/* agent_proto.h -- the receiving side of the OCI seccomp agent protocol
 * (runtime-spec config-linux.md, "seccomp", listenerPath; specs-go
 * ContainerProcessState): a container runtime connects to the agent's
 * AF_UNIX stream socket once per container process, sends the container
 * process state as JSON with the descriptors (SCM_RIGHTS; `fds` names
 * them in order, the listener is "seccompFd") in one sendmsg, and keeps
 * the connection open until it exits (runc 1.1.5, crun 1.8.1).
 *
 * Nothing here waits on a peer without a bound: a connection is read with
 * poll() until EOF or the deadline, so a peer that sends nothing (or
 * never closes) costs the agent at most `timeout_ms` on the thread that
 * receives, and that thread serves no container. On any rejection every
 * descriptor received is closed: the listener's last reference goes, and
 * the kernel fails the container's trapped calls with ENOSYS (and every
 * later notified call: the filter stays, with nobody listening).
 *
 * The agent that uses it, one supervisor process per container: agent.c. */
#ifndef SANDLOCK_AGENT_PROTO_H
#define SANDLOCK_AGENT_PROTO_H

#include <stddef.h>
#include <sys/types.h>

/* The largest message accepted (the JSON text), in bytes: Kubernetes caps
 * a pod's annotations at 256 KiB, the rest of the state is small. */
#define SL_AGENT_MAX_MESSAGE (512 * 1024)
/* The most descriptors accepted in one message (runc and crun send one). */
#define SL_AGENT_MAX_FDS 16
/* The most annotations kept. */
#define SL_AGENT_MAX_ANNOTATIONS 256

struct sl_agent_annotation {
    char *key;
    char *value;
};

/* One container process, as its runtime described it, with what the
 * agent took hold of. Strings are never NULL once received ("" for an
 * absent optional field). */
struct sl_agent_container {
    char *oci_version;          /* of the message */
    char *metadata;             /* listenerMetadata ("" when absent) */
    pid_t pid;                  /* the process the listener was made for (runtime's view) */
    char *id;                   /* state.id */
    char *status;               /* state.status */
    pid_t init_pid;             /* state.pid: the container's init */
    char *bundle;               /* state.bundle */
    struct sl_agent_annotation *annotations;
    size_t nannotations;
    int listener;               /* the "seccompFd" descriptor, owned */
    int init_pidfd;             /* pidfd of state.pid taken at receipt (see sl_agent_receive), owned */
    uid_t peer_uid;             /* SO_PEERCRED of the connection */
    pid_t peer_pid;
};

/* Reads one message from the connected socket `conn` (which it leaves
 * open: the caller closes it): recvmsg with MSG_CMSG_CLOEXEC until the
 * JSON value is complete (nothing may follow it) or the peer closes,
 * within `timeout_ms` in all. Descriptors only with the first bytes; the
 * JSON parsed strictly (jansson: no duplicate keys, no NUL in strings,
 * exact types of the known fields, unknown fields ignored as the
 * runtime-spec lets later versions add some); `fds` must name exactly the
 * descriptors received, once each, one of them "seccompFd"; the others
 * are closed. Then the container's init is pinned (sl_agent_pin_init).
 * Returns 0 with *out filled, or -1 with the reason in err and every
 * descriptor received closed. */
int sl_agent_receive(int conn, int timeout_ms, struct sl_agent_container *out, char *err, size_t errlen);

/* Parses the JSON text of one message (`len` bytes, no NUL needed) into
 * *out (descriptors not touched: listener and init_pidfd left as they
 * are). `fds`: the names in order, *nfds of them (at most
 * SL_AGENT_MAX_FDS), strings owned by *out's caller through
 * sl_agent_names_free. Returns 0, or -1 with the reason. */
int sl_agent_parse(const char *text, size_t len, struct sl_agent_container *out, char **fds, size_t *nfds,
                   char *err, size_t errlen);

/* Takes a pidfd of out->init_pid into out->init_pidfd, safe against pid
 * reuse: the pid could have been recycled between the runtime's message
 * and pidfd_open, so what /proc says of it is read after pidfd_open and
 * counted only if the pidfd's process is still alive afterwards (then the
 * /proc entry was that process's). It must have started no later than
 * `received_ticks` (clock ticks since boot, the unit of /proc/PID/stat's
 * starttime, taken when the message arrived: a process started after
 * that cannot be the container's init), be under a seccomp filter, and
 * be one the peer may signal (the peer's uid is 0 or the process's real
 * or effective uid): a peer cannot make the agent's kill verdicts reach a
 * process it could not kill itself. Returns 0 or -1 with the reason. */
int sl_agent_pin_init(struct sl_agent_container *out, unsigned long long received_ticks, char *err,
                      size_t errlen);

/* Clock ticks since boot now (CLOCK_BOOTTIME in /proc/PID/stat's unit). */
unsigned long long sl_agent_ticks_now(void);

/* Frees the strings and closes the descriptors (-1 is left alone). */
void sl_agent_container_free(struct sl_agent_container *c);
void sl_agent_names_free(char **fds, size_t nfds);

#endif
