/* behalf.h -- calls made on the child's behalf beyond open: mkdir, unlink,
 * rename, link, symlink and stat inside its root with its credentials
 * (host->mkdir_path ... stat_path; contracts in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_BEHALF_H
#define SANDLOCK_BEHALF_H

#include <sandlock/plugin.h>
#include <sys/stat.h>

int sl_mkdir_path(sandlock_handle h, const char *path, mode_t mode);
int sl_unlink_path(sandlock_handle h, const char *path, int flags);
int sl_rename_path(sandlock_handle h, const char *path, const char *to, unsigned flags);
int sl_link_path(sandlock_handle h, const char *path, const char *to, int flags);
int sl_symlink_path(sandlock_handle h, const char *target, const char *path);
int sl_stat_path(sandlock_handle h, const char *path, struct stat *st, int flags);

#endif
