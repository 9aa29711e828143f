/* bindname.h -- bind a unix socket to a path with the very bytes the child
 * gave, so that getsockname() and the peers see the child's name, and prove
 * afterwards that the kernel created the file where the snapshot resolved
 * it (sockperform.c, a judged unix bind). */
#ifndef SANDLOCK_BINDNAME_H
#define SANDLOCK_BINDNAME_H

#include <sandlock/plugin.h>
#include <sys/socket.h>

#define BIND_NOT_TRIED 1    /* the child's view could not be taken: nothing done */
#define BIND_ELSEWHERE 2    /* bound, but not at dir/base: end the sandbox */

/* Binds `sock` (the plugin's copy of the child's socket) to the child's
 * address `sa` (`len` bytes, a unix path, as copied from the child) from
 * the trapped thread's root and working directory, with its credentials; then checks that the file created is entry `base` of the
 * checked directory `dir`. Returns 0, -errno of the bind (the child's
 * answer), BIND_NOT_TRIED or BIND_ELSEWHERE. */
int bind_as_named(const sandlock_host *host, const sandlock_event *ev, int sock,
                     const struct sockaddr *sa, socklen_t len, int dir, const char *base);

#endif
