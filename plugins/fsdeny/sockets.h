/* sockets.h -- paths inside unix socket addresses: bind(2) creates the
 * entry its sun_path names, connect(2) and a datagram's address reach the
 * socket file it names. fsdeny judges them on the host's snapshot of the
 * call (host ABI 1.9, sock_call), like any other path of the child; the
 * host makes the call once the whole chain allowed it. */
#ifndef FSDENY_SOCKETS_H
#define FSDENY_SOCKETS_H

#include "object.h"

/* Judges the socket call of c->ev (connect, bind, sendto, sendmsg,
 * sendmmsg): 0 allowed (answer Continue: the host makes the call),
 * -EDEADLK denied (reported), or the -errno of the host's service. */
long fsd_socket_judge(struct fsd_call *c);

#endif
