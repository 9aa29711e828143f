/* content.h -- descriptors holding synthetic content (host->content_fd). */
#ifndef SANDLOCK_CONTENT_H
#define SANDLOCK_CONTENT_H

#include <stddef.h>

/* A memfd named `name` (NULL: "sandlock") holding `len` bytes of `data`,
 * offset 0, close-on-exec in the supervisor, sealed against any change
 * (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) unless flags
 * has SANDLOCK_CONTENT_WRITABLE. Returns the fd or -errno (-EINVAL for
 * unknown flags or NULL data with len > 0). Thread-safe. */
int sl_content_fd(const char *name, const void *data, size_t len, unsigned flags);

#endif
