/* sockmsg.h -- a message sandlock copied out of the child to send it for
 * the child (sockperform.c): the kernel's limits on what it copies, the
 * copy, and the send of it. */
#ifndef SANDLOCK_SOCKMSG_H
#define SANDLOCK_SOCKMSG_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MAX_MMSG 1024          /* the kernel's UIO_MAXIOV cap on sendmmsg's vlen */
#define MAX_IOV 1024           /* UIO_MAXIOV: msg_iovlen beyond it is EMSGSIZE */
#define MAX_CONTROL 65536      /* a larger msg_control is ENOBUFS */
#define MAX_DATAGRAM (4u << 20) /* a larger message is EMSGSIZE; sendmmsg sends what fits */
#define SCM_MAX_FD 253         /* the kernel's limit of descriptors per message */

/* One message: its name (as the send will use it), data and control, and
 * what the plugin holds for it. */
struct out_msg {
    struct sockaddr_storage name;
    socklen_t namelen;
    int hold;                      /* unix: the checked socket file the name goes through, or -1 */
    char *data;
    size_t len;
    char *control;
    size_t controllen;
    int fds[SCM_MAX_FD];           /* our copies of the child's SCM_RIGHTS */
    int nfds;
};

/* Closes and frees what m holds (not m itself). */
void out_msg_free(struct out_msg *m);

/* Copies the data of the child's iovlen iovecs at iov_addr (or of the one
 * buffer `one`, iovlen 1) into m: at most `room` bytes (more is EMSGSIZE,
 * as more than MAX_IOV iovecs). 0 or -errno. */
long out_msg_copy_data(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                       const struct iovec *one, size_t room, struct out_msg *m);

/* The same for a stream socket, which may send less than it is given:
 * beyond `room` bytes only the first `room` are copied (a short send). */
long out_msg_copy_prefix(const sandlock_host *host, sandlock_handle h, uint64_t iov_addr, size_t iovlen,
                         const struct iovec *one, size_t room, struct out_msg *m);

/* sendmsg(2) of m on sock with flags: the byte count, or -1 with errno. */
ssize_t out_msg_send(int sock, const struct out_msg *m, int flags);

/* What sending messages from a deputy came to (out_msg_send_deputy). */
struct out_msg_outcome {
    size_t done;                   /* the index after the last message sent */
    int err;                       /* the errno that stopped the sends, or 0 */
    unsigned len[MAX_MMSG];        /* the byte count of each message sent */
};

/* Sends msg[from..n) in order on sock with flags, stopping at the first
 * error, from a deputy of the sandbox with the child's identity (host ABI
 * 1.8, deputy_send): a unix receiver with SO_PASSCRED learns the
 * child's process and ids, never sandlock's. Returns 0 with *o filled, or
 * -errno when the deputy could not send (-ETOOMANYREFS: more descriptors
 * than a deputy keeps). */
int out_msg_send_deputy(const sandlock_host *host, sandlock_handle h, int sock, const struct out_msg *msg,
                        size_t from, size_t n, int flags, struct out_msg_outcome *o);

#endif
