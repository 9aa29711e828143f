/* services.h -- the notification services of the host table (child memory,
 * paths, child descriptors, content descriptors, deferred answers). Their
 * contracts are documented in sdk/sandlock/plugin.h. */
#ifndef SANDLOCK_SERVICES_H
#define SANDLOCK_SERVICES_H

#include <sandlock/plugin.h>

ssize_t sl_mem_read(sandlock_handle h, uint64_t addr, void *buf, size_t len);
ssize_t sl_mem_read_string(sandlock_handle h, uint64_t addr, char *buf, size_t size);
ssize_t sl_mem_write(sandlock_handle h, uint64_t addr, const void *buf, size_t len);
ssize_t sl_resolve_path(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size);
int sl_open_path(sandlock_handle h, const char *path, int flags, mode_t mode);
int sl_dup_child_fd(sandlock_handle h, int child_fd);
int sl_content_fd(const char *name, const void *data, size_t len, unsigned flags);
int sl_defer(sandlock_handle h);
int sl_answer(sandlock_handle h, const sandlock_response *response);

#endif
