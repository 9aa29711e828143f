/* vopen.h -- opens the host makes itself while its session serves objects
 * as other content (vobject.h).
 *
 * An open-family call (open, openat, openat2, creat) whose chain ends in
 * Continue would go back to the kernel, which reads the path from the
 * child's memory again: a thread of the child may have rewritten it after
 * the chain judged it, and the object the kernel then opens was never
 * compared with the served ones. So while the session serves any object,
 * such a call is made by the host instead, on the bytes the chain judged
 * (memory.c keeps them), as the child (its root, view, credentials,
 * umask: paths.c), the child's own /proc links translated (selflink.h):
 * the object is obtained first (O_PATH), a served one answered with its
 * content (EROFS for writing) without being opened, any other opened again
 * as asked -- a FIFO that would wait, or a file whose lease must be broken,
 * on a thread of the host's (the notification deferred), never on a
 * worker. O_PATH opens are left to the kernel: they read nothing, and
 * every way to read through one (/proc/self/fd/N) is an open again. */
#ifndef SANDLOCK_VOPEN_H
#define SANDLOCK_VOPEN_H

#include <sandlock/plugin.h>
#include "chain.h"
#include "here.h"

/* Is nr an open-family call the host makes itself in session here (it
 * serves objects)? A deferred Continue of one is refused (defer.c): the
 * kernel would read the path again, and the call's arguments are gone. */
int sl_vopen_owns(const struct sl_here *here, int nr);

/* Makes the open `ev` asks for and sets *answer to its result. */
void sl_vopen_perform(const struct sl_here *here, const sandlock_event *ev, struct sl_answer *answer);

/* After the chain: one load when the session serves nothing. */
static inline void sl_vopen_finish(const struct sl_here *here, const sandlock_event *ev, struct sl_answer *answer)
{
    if (__builtin_expect(answer->verdict == SANDLOCK_VERDICT_CONTINUE && here && here->vobjects, 0))
        sl_vopen_perform(here, ev, answer);
}

#endif
