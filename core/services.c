/* services.c -- notification services not implemented yet; they fail
 * cleanly until then. */
#include "config.h"
#include "services.h"

#include <errno.h>

ssize_t sl_resolve_path(sandlock_handle h, int dirfd, uint64_t path_addr, char *buf, size_t size) { return -ENOSYS; }
int sl_open_path(sandlock_handle h, const char *path, int flags, mode_t mode) { return -ENOSYS; }
int sl_dup_child_fd(sandlock_handle h, int child_fd) { return -ENOSYS; }
int sl_defer(sandlock_handle h) { return -EAGAIN; }
int sl_answer(sandlock_handle h, const sandlock_response *response) { return -ESRCH; }
