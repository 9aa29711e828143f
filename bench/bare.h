/* bare.h -- pieces shared by the benchmark programs: the minimal filter of
 * the reference measurements, passing a listener over a unix socket, and
 * the timed syscall loop every measurement uses. */
#ifndef SANDLOCK_BENCH_BARE_H
#define SANDLOCK_BENCH_BARE_H

/* Installs (with no_new_privs) a filter that notifies getppid, kills
 * foreign-architecture calls and allows everything else, asking for a
 * listener. Returns the listener fd, or -1 with errno set. */
int bare_filter_install(void);

/* Sets SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on a listener (by value).
 * Returns 0, or -1 with errno set (kernels before 6.6). */
int bare_set_sync_wakeup(int listener);

/* Answers one notification with CONTINUE: one RECV, one SEND. Returns 0,
 * or -1 with errno set when RECV fails (SEND's ENOENT counts as success). */
int bare_serve_one(int listener);

/* Sends fd over a unix socket (SCM_RIGHTS); returns 0 or -1. */
int bare_send_fd(int sock, int fd);

/* Receives an fd sent by bare_send_fd(); returns it, or -1. */
int bare_recv_fd(int sock);

/* The syscall number of a name the loop knows ("getppid", "getpid"), or -1. */
long bare_syscall_nr(const char *name);

/* Makes `warmup` untimed then `n` timed calls of syscall `nr` (no
 * arguments), timed in BARE_CHUNKS equal chunks, and returns the median
 * chunk's nanoseconds per call. */
#define BARE_CHUNKS 50
double bare_time_calls(long nr, long warmup, long n);

#endif
