/* pathnorm.h -- lexical normalisation of an absolute path, shared by the
 * bundled plugins that keep paths from their configuration (vfile's virtual
 * files, netguard's unix rules and addresses). The host does the same for
 * the paths it resolves (core/paths.c); this one allocates nothing. */
#ifndef SANDLOCK_PATHNORM_H
#define SANDLOCK_PATHNORM_H

#include <stddef.h>

/* Folds repeated slashes, "." and ".." (never above "/") of the absolute
 * `path` into `out` (`size` bytes, not overlapping path); no trailing
 * slash, "/" for the root. Returns the length, or -1 when path is not
 * absolute or the result does not fit. */
long plugin_path_normalise(const char *path, char *out, size_t size);

#endif
