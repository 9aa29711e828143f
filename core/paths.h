/* paths.h -- paths as the trapped process sees them (host->resolve_path,
 * host->open_path; contracts in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_PATHS_H
#define SANDLOCK_PATHS_H

#include <sandlock/plugin.h>
#include <sys/types.h>
#include "liveness.h"

ssize_t sl_resolve_path(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size);
ssize_t sl_resolve_path_flags(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags);
ssize_t sl_resolve_path_begin(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags, sandlock_held_dir *held);
ssize_t sl_resolve_path_end(sandlock_held_dir *held, const char *relative, char *buf, size_t size);
int sl_open_path(sandlock_handle h, const char *path, int flags, mode_t mode);

/* sl_resolve_path_flags() flag of the host's own: the path joined to where
 * it starts (the child's cwd or dirfd) as the kernel would walk it, not
 * normalised ("." and ".." kept: after a symlink ".." is the kernel's to
 * decide), for the host's own walk with sl_open_path. */
#define SL_RESOLVE_JOIN_ONLY 0x80000000u
ssize_t sl_child_root(sandlock_handle h, char *buf, size_t size);

/* Lexically normalises `path` (absolute or not) into `out`: an absolute
 * path with no ".", ".." or empty components; ".." at the root stays at
 * the root. Returns the length, or -ENAMETOOLONG when it does not fit in
 * `size` (out then holds a NUL-terminated prefix). Pure; thread-safe. */
ssize_t sl_path_normalise(const char *path, char *out, size_t size);

/* Tells the path services whether the sandbox can change its root (it
 * cannot when chroot and pivot_root are denied): with a fixed root they
 * skip reading /proc/PID/root. Called once before the sandbox starts. */
void sl_paths_set_fixed_root(int fixed);

/* host->child_umask (contract in sdk/sandlock/plugin.h). */
int sl_child_umask(sandlock_handle h);

/* Acting for the child inside its root (open_path here, the other calls
 * in behalf.c): begin looks the notification up, spells relative paths
 * out from the child's cwd, reads its umask when `creating`, opens its
 * root (/proc/PID/root: its root and mount view) -- with sandlock's
 * credentials --, checks the notification is still pending when it read
 * any of these, and takes the child's credentials; end gives them back
 * and releases the rest. Inside run_as_child for the same notification
 * the credentials worn are kept (given back only around the reads begin
 * needs), so a plugin's whole act costs one switch. begin returns 0 (then
 * call end) or -errno with nothing held. */
struct sl_behalf {
    struct sl_target t;
    int rootfd;
    int root_held;             /* rootfd is the sandbox's, held (views.h): not closed */
    int mask;                  /* the child's umask when creating, else 0 */
    int entered;               /* holds the child's credentials */
    int suspended;             /* sl_creds_suspend()'s token of another notification's, resumed by end */
    const char *path[2];       /* the paths, absolute or from the child's cwd */
    char *full[2];             /* what path[] points to when spelled out */
};
int sl_behalf_begin(sandlock_handle h, const char *path, const char *path2, int creating, struct sl_behalf *b);
void sl_behalf_end(struct sl_behalf *b);

/* openat2(dirfd, path, flags | O_CLOEXEC, mode) resolved in dirfd as the
 * root, without magic links; retried on EAGAIN. The fd or -errno. */
long sl_behalf_openat2(int dirfd, const char *path, int flags, mode_t mode);

/* Sets the calling thread's umask to `mask` for a call that creates an
 * entry (returns 1, *saved to restore with sl_behalf_umask_leave), or,
 * when the thread cannot have a umask of its own, takes mask out of *mode
 * (returns 0). */
int sl_behalf_umask_enter(int mask, mode_t *mode, mode_t *saved);
void sl_behalf_umask_leave(int entered, mode_t saved);

#endif
