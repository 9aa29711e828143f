/* idrules.h -- in a user namespace of its own (userns.h) the sandbox maps
 * only sandlock's user and group: any other id has no meaning there, and
 * the kernel answers a chown(2) or set*id(2) naming one with EINVAL, where
 * outside (an unprivileged caller) it answers EPERM. These argument rules
 * give EPERM, as the kernel outside does, for every uid or gid argument
 * that is neither -1 ("unchanged") nor the mapped id: chown, lchown,
 * fchown, fchownat, setuid, setgid, setreuid, setregid, setresuid,
 * setresgid. What stays different (sandlock-ini(5), sandlock(1)):
 *   - the filter answers before the kernel looks the path or descriptor up,
 *     so a chown to another id of a missing path gives EPERM, not ENOENT
 *     (EBADF, ELOOP, EROFS... likewise);
 *   - a group the caller is in besides its own is not mapped either: chgrp
 *     to it, which succeeds bare, gives EPERM.
 * setgroups(2) already gives EPERM (denied in the namespace) as bare, and
 * setfsuid/setfsgid report the old id both ways. Pure logic. */
#ifndef SANDLOCK_IDRULES_H
#define SANDLOCK_IDRULES_H

#include "argdeny.h"

#include <sys/types.h>

/* At most this many rules. */
#define SL_ID_RULES_MAX 24

/* Writes the rules for the mapped `uid` and `gid` into out (room for
 * SL_ID_RULES_MAX), grouped by syscall; returns how many. */
size_t sl_id_rules(struct sl_arg_rule *out, uid_t uid, gid_t gid);

#endif
