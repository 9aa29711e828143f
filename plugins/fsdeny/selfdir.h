/* selfdir.h -- sandlock's own descriptors by their /proc/self/fd entry,
 * through that directory held open: readlink() or open() of
 * "/proc/self/fd/N" walks four components, each revalidated by /proc
 * (about 1 us per call on a small VM, paid on every open and stat fsdeny
 * answers); readlinkat() or openat() of "N" in the held directory walks
 * one. The directory is opened once per process (a forked child opens its
 * own: the parent's would name the parent's descriptors). */
#ifndef FSDENY_SELFDIR_H
#define FSDENY_SELFDIR_H

#include <stddef.h>
#include <sys/types.h>

/* Opens the directory now, with sandlock's credentials (from init); the
 * helpers below open it themselves when needed. */
void fsd_self_dir_open(void);

/* readlink() of /proc/self/fd/FD into buf (size bytes, not terminated). */
ssize_t fsd_self_readlink(int fd, char *buf, size_t size);

/* open() of /proc/self/fd/FD: the object FD refers to, opened anew with
 * open(2) `flags`. */
int fsd_self_open(int fd, int flags);

/* "/proc/self/fd/FD" in full, for the calls that take only a path
 * (chmod, truncate, inotify_add_watch, the xattr calls, linkat's source):
 * each walks the whole of it. */
void fsd_self_path(int fd, char *out, size_t size);

#endif
