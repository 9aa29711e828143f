/* paths.h -- paths as the trapped process sees them (host->resolve_path,
 * host->open_path; contracts in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_PATHS_H
#define SANDLOCK_PATHS_H

#include <sandlock/plugin.h>
#include <sys/types.h>

ssize_t sl_resolve_path(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size);
ssize_t sl_resolve_path_flags(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags);
ssize_t sl_resolve_path_begin(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size,
                              unsigned flags, sandlock_held_dir *held);
ssize_t sl_resolve_path_end(sandlock_held_dir *held, const char *relative, char *buf, size_t size);
int sl_open_path(sandlock_handle h, const char *path, int flags, mode_t mode);

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

#endif
