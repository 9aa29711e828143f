/* vobject.h -- objects served as other content (host->serve_object, ABI
 * 1.10; contract in sdk/sandlock/plugin.h).
 *
 * An instance registers, from init(), "the object at PATH is served as
 * this content". The host takes the identity of the regular file at PATH
 * (st_dev, st_ino) in the sandbox's own view -- its root and mounts, which
 * under the OCI agent are the container's -- when the sandbox's first
 * notification arrives, before any plugin acts on it (so before any call
 * that could move the file: renames, links and unlinks are notified while
 * objects are served), and keeps it with the content for the run. Every
 * descriptor the host hands the child (respond.c: the fd answer of any
 * instance, deferred ones too) is compared with that table by one fstat()
 * and, when it is one of those objects, replaced by a fresh sealed memfd of
 * the content -- however the child named the object. A session without
 * such objects pays one load per notification. */
#ifndef SANDLOCK_VOBJECT_H
#define SANDLOCK_VOBJECT_H

#include <sandlock/plugin.h>
#include "here.h"
#include <stddef.h>
#include <sys/stat.h>

struct sl_here;
struct sl_vobjects;

/* host->serve_object. */
int sl_serve_object(const sandlock_config *cfg, const char *path, const void *content, size_t len);

/* Takes the identities at notification h, the sandbox's first (the
 * others find them taken: one load). */
void sl_vobjects_settle_slow(const struct sl_here *here, sandlock_handle h);
static inline void sl_vobjects_settle(const struct sl_here *here, sandlock_handle h)
{
    if (__builtin_expect(here && here->vobjects, 0))
        sl_vobjects_settle_slow(here, h);
}

/* Does session `here` serve any object? NULL: no. */
int sl_vobjects_any(const struct sl_here *here);

/* The instances are initialised: serve_object refuses from now on. */
void sl_vobjects_prepared(struct sl_here *here);

/* Is the object `st` describes one of session here's? Returns -1 when not,
 * else 0 and sets *content_fd: a fresh sealed memfd of the content (or
 * -errno from making it) when `accmode` (O_RDONLY, O_WRONLY, O_RDWR of the
 * open) reads only, -EROFS for writing. */
int sl_vobject_match(const struct sl_here *here, const struct stat *st, int accmode, int *content_fd);

/* The same for our descriptor fd; when fstat fails, 0 with *content_fd
 * -EIO: a descriptor that could not be compared is not handed out. */
int sl_vobject_lookup(const struct sl_here *here, int fd, int accmode, int *content_fd);

/* An fd answer's flag of the host's own (struct sl_answer.fd_flags): the
 * descriptor is known not to be a served object (it was compared before
 * it was opened): respond.c does not look again. */
#define SL_FD_CHECKED 0x80000000u

/* Frees session here's table (its run is over). */
void sl_vobjects_free(struct sl_here *here);

#endif
