/* sockets.h -- paths inside unix socket addresses: bind(2) creates the
 * entry its sun_path names, connect(2) and a datagram's address reach the
 * socket file it names.
 * Both are judged like any other path of the child and made by fsdeny on
 * its copy of the child's socket with the address it read once. */
#ifndef FSDENY_SOCKETS_H
#define FSDENY_SOCKETS_H

#include "object.h"

/* Results besides a call's own (>= 0 or -errno; -EDEADLK a denial): below
 * every errno. */
#define FSD_SOCK_CONTINUE (-4096 - 1)   /* no path is looked up: the kernel makes the call */
#define FSD_SOCK_ANSWERED (-4096 - 2)   /* *r holds the answer (deferred, or the sandbox ends) */

/* bind (is_bind) or connect of the child's (fd, addr, len) in c->ev. */
long fsd_socket_call(struct fsd_call *c, int is_bind, sandlock_response *r);

/* A send of c->ev: sendto with an address, sendmsg or sendmmsg. Returns
 * as fsd_socket_call(), the call's result being a byte or message count. */
enum { FSD_SENDTO, FSD_SENDMSG, FSD_SENDMMSG };
long fsd_socket_send(struct fsd_call *c, int kind, sandlock_response *r);

#endif
