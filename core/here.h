/* here.h -- the session the calling thread works for.
 *
 * A process may run several sessions (libsandlock contexts) at once, each
 * with its own log sink, session record and settings that host services
 * read without a handle. Each run owns one `struct sl_here`; the thread
 * that loads, starts, waits for and ends the run points sl_here at it, and
 * so does every thread the run starts (workers, the deferral timer, the
 * stub's launcher) for its whole life. A plugin's own thread has none:
 * what it reads then is the process default (NULL below), which is always
 * the safe one. One thread-local load: no lock, nothing allocated. */
#ifndef SANDLOCK_HERE_H
#define SANDLOCK_HERE_H

#include <sandlock/plugin.h>
#include "views.h"

struct sl_log_sink {
    int fd;
    void (*fn)(void *arg, const char *line);
    void *arg;
};

struct sl_masks;
struct sl_vobjects;

struct sl_here {
    const sandlock_session *session;  /* host->session() */
    int log_level;                    /* [sandlock] log_level */
    struct sl_log_sink log_sink;      /* where its lines go (log.h) */
    struct sl_masks *masks;           /* the instances' masks (masks.h) */
    int protect_kernel;               /* hostview.h */
    int minimal_devices;
    int fixed_root;                   /* paths.c: chroot and pivot_root are denied */
    struct sl_views views;            /* views.h: the root and user namespace, kept */
    struct sl_vobjects *vobjects;     /* objects served as other content (vobject.h) */
};

extern __thread struct sl_here *sl_here;

#endif
