/* sockcall.h -- socket calls that name an address (connect, bind, sendto,
 * sendmsg, sendmmsg), judged together by the chain and made once, by the
 * host, after it (host->sock_call; contract in sdk/sandlock/plugin.h,
 * "Socket calls judged together").
 *
 * The snapshot (sockcall.c) is taken when an instance first asks for it:
 * one copy of the child's socket, the address bytes (and a message
 * array) read once, a unix path resolved once in the child's view and
 * held. Every instance of the chain judges that snapshot. When the chain
 * ends in Continue the call is performed on it (sockperform.c), exactly
 * once; it is never continued in the kernel. Per worker thread: a
 * notification that takes no snapshot costs one thread-local load. */
#ifndef SANDLOCK_SOCKCALL_H
#define SANDLOCK_SOCKCALL_H

#include <sandlock/plugin.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "chain.h"
#include "sockmsg.h"

/* One target with what the performer needs beyond the public part. */
struct sl_sock_target {
    sandlock_sock_target pub;
    struct sockaddr_storage given;   /* the bytes as copied (pub.addr) */
    struct sockaddr_storage use;     /* what the call uses: "this host"
                                        rewritten; a unix path through the
                                        held object */
    socklen_t use_len;
    int magic;                       /* named through a /proc/self/fd link */
    char named[PATH_MAX];
    char real[PATH_MAX];
    char base[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

/* The snapshot of one notification. */
struct sl_sockcall {
    sandlock_sock_call pub;
    sandlock_handle handle;
    sandlock_event ev;               /* a copy: the performer may outlive handle() */
    struct sl_sock_target *t;        /* pub.count of them */
    sandlock_sock_target *view;      /* pub.target: a copy of each t[i].pub,
                                        contiguous (plugins index an array
                                        of sandlock_sock_target) */
    struct mmsghdr *vec;             /* sendmsg, sendmmsg: the headers as read */
    int flags;                       /* a send's flags argument */
    int kind;                        /* SL_SOCK_* */
};

enum { SL_SOCK_CONNECT, SL_SOCK_BIND, SL_SOCK_SENDTO, SL_SOCK_SENDMSG, SL_SOCK_SENDMMSG };

/* The snapshot the calling worker took for its current notification, or
 * NULL (no instance asked). */
extern __thread struct sl_sockcall *sl_sockcall_current;

/* host->sock_call. */
int sl_sock_call(const sandlock_event *ev, const sandlock_sock_call **out);

/* Releases a snapshot (its descriptors, memory). NULL is ignored. */
void sl_sockcall_free(struct sl_sockcall *s);

/* After the chain of the notification `ev` ran into `answer`: when a
 * snapshot was taken and the chain ended in Continue, the call is made on
 * it and `answer` becomes its result (a return value, an errno, a
 * deferral while a thread of the host makes a call that may block, or a
 * kill when a bind landed elsewhere than checked); any other answer
 * stands. The snapshot is released or handed to that thread. */
void sl_sockcall_perform(struct sl_sockcall *s, struct sl_answer *answer);

static inline void sl_sockcall_finish(struct sl_answer *answer)
{
    struct sl_sockcall *s = sl_sockcall_current;
    if (__builtin_expect(s != NULL, 0)) {
        sl_sockcall_current = NULL;
        sl_sockcall_perform(s, answer);
    }
}

/* Interrupts the calls the host's threads make for the notifications of
 * slot table `table` and waits until they are done (a supervisor stops). */
struct sl_slots;
void sl_sockcall_drain(const struct sl_slots *table);

/* Defers ev's notification and runs `run(arg)` on a thread of the same
 * executor (sockexec.h: interrupted when the notification is gone, drained
 * with the rest), for another call of the host's own that may block.
 * `probe`: an address of the child mapped while the call waits. 0 (answer
 * with sandlock_respond_defer; arg is the job's) or -errno (-EAGAIN). */
int sl_host_job_submit(const sandlock_event *ev, uint64_t probe, void (*run)(void *arg, sandlock_response *r),
                       void (*release)(void *arg), void *arg);

#endif
