/* userns.h -- the sandbox's user namespace, for a sandlock without any
 * capability (an unprivileged user). In a user namespace of its own,
 * where it maps only the invoking user and group onto themselves, the stub
 * may create the PID and mount namespaces root gets directly: the sandbox
 * then has its own /proc and the plugins' masks, and dies with its PID 1.
 * The command runs as the invoking user, with no capability (it is not
 * root in the namespace). Where the system forbids unprivileged user
 * namespaces, or with SANDLOCK_USERNS=no in the environment, sandlock falls
 * back to tracking the sandbox as a subreaper, without masks. */
#ifndef SANDLOCK_USERNS_H
#define SANDLOCK_USERNS_H

#include <stddef.h>
#include <sys/types.h>

/* Whether the sandbox would be started in a user namespace of its own:
 * sandlock holds no capability at all (root without CAP_SYS_ADMIN keeps
 * the fallback: its command would lose the capabilities it has),
 * SANDLOCK_USERNS is not "no", and the kernel allows unprivileged user
 * namespaces. Decided once. */
int sl_userns_wanted(void);

/* In the stub, first thing in its new user namespace: maps `uid` and
 * `gid` (sandlock's, outside) onto themselves, with setgroups denied, as an
 * unprivileged process may for itself. Returns 0, or -1 with errno. */
int sl_userns_map_self(uid_t uid, gid_t gid);

#endif
