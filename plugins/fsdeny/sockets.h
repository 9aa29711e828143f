/* sockets.h -- paths inside unix socket addresses: bind(2) creates the
 * entry its sun_path names, connect(2) reaches the socket file it names.
 * Both are judged like any other path of the child and made by fsdeny on
 * its copy of the child's socket with the address it read once. */
#ifndef FSDENY_SOCKETS_H
#define FSDENY_SOCKETS_H

#include "object.h"

/* fsd_socket_call()'s results besides a call's own (0 or -errno; -EDEADLK
 * a denial). */
#define FSD_SOCK_CONTINUE 1     /* not a unix socket: the kernel makes the call */
#define FSD_SOCK_ANSWERED 2     /* *r holds the answer (deferred, or the sandbox ends) */

/* bind (is_bind) or connect of the child's (fd, addr, len) in c->ev. */
long fsd_socket_call(struct fsd_call *c, int is_bind, sandlock_response *r);

#endif
