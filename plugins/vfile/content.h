/* content.h -- vfile's configuration helpers: decoding content values and
 * normalising virtual paths. Pure functions, unit-tested in test-content.c. */
#ifndef VFILE_CONTENT_H
#define VFILE_CONTENT_H

#include <stddef.h>

/* Decodes the escapes \n, \t, \\ and \@ of `text` into a malloc()ed buffer
 * (NUL-terminated for convenience) and stores its length in *len. Returns
 * NULL with *why set on an unknown escape, a trailing backslash or when
 * memory ran out. */
char *vfile_unescape(const char *text, size_t *len, const char **why);

/* Normalises an absolute path lexically: repeated slashes, "." and ".."
 * folded, no trailing slash. Returns a malloc()ed path, or NULL with *why
 * set when the path is not absolute, names "/" or memory ran out. */
char *vfile_normalise(const char *path, const char **why);

#endif
