/* sockets.c -- see sockets.h.
 *
 * The snapshot is the host's: one copy of the child's socket, the address
 * bytes read once, a unix path made absolute from the child's root and
 * working directory, resolved once in its view with its credentials and
 * held (the socket file, or for a bind the directory the entry goes in).
 * Every instance of the chain -- netguard's too -- judges that snapshot,
 * and the host makes the call on it, through the held object, once all of
 * them allowed it: nothing the child changes afterwards (its buffer, a
 * symlink, its descriptor table) changes what is bound, connected or sent
 * to, and the call is never continued in the kernel. A path is denied by
 * the name the child gave (normalised) or by the real path of the object
 * it reaches (a bind: the new entry in the real directory). Only unix
 * sockets look paths up; for a send only a datagram socket (stream and
 * seqpacket sockets ignore or refuse a name). */
#include "sockets.h"

#include <errno.h>
#include <sys/socket.h>

long fsd_socket_judge(struct fsd_call *c)
{
    const sandlock_sock_call *s;
    int rc = c->host->sock_call(c->ev, &s);
    if (rc)
        return rc;
    if (s->error || s->domain != AF_UNIX)
        return 0;                  /* no path: the host answers or makes the call */
    for (uint32_t i = 0; i < s->count; i++) {
        const sandlock_sock_target *t = &s->target[i];
        if (!t->addr || (t->flags & SANDLOCK_SOCK_IGNORED) || t->sa.kind != SANDLOCK_SA_UNIX_PATH)
            continue;
        if (fsd_name_denied(c, t->named))
            return -EDEADLK;
        if (t->hold >= 0 && fsd_fd_denied(c, t->hold, s->call == SANDLOCK_SA_BIND ? t->base : NULL))
            return -EDEADLK;
    }
    return 0;
}
