/* denylist.h -- the built-in deny list: the syscalls a sandbox never gets
 * (default_deny = yes), by name, and their numbers on this architecture.
 * Its argument rules (ioctl, clone, clone3, socket, mknod) are argdeny.h's. */
#ifndef SANDLOCK_DENYLIST_H
#define SANDLOCK_DENYLIST_H

#include <stddef.h>

/* The names, NULL-terminated. */
extern const char *const sl_builtin_deny[];

/* Writes the native numbers of the names libseccomp knows on this
 * architecture (in the list's order, at most `cap`) to `nrs`; returns
 * how many. */
size_t sl_builtin_deny_resolve(int *nrs, size_t cap);

#endif
