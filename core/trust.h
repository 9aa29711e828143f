/* trust.h -- opening a file that only root or the invoking user could have
 * written: the configuration file and the plugin modules (code sandlock
 * runs with its own privileges). The rule is sshd's StrictModes, applied to
 * every step of the lookup:
 *
 *   - the file is a regular file owned by root or USER and not writable by
 *     group or others;
 *   - every directory the lookup passes through, from / down (also those
 *     reached through "..", and those a symbolic link leads to), is owned by
 *     root or USER and is not writable by group or others, unless it has the
 *     sticky bit (in a sticky directory such as /tmp only an entry's owner
 *     may rename or remove it, and the entries used are checked themselves);
 *   - every symbolic link followed is owned by root or USER;
 *   - a file directly in such a shared sticky directory has a single link
 *     (anyone may hard-link root's files into /tmp under any name).
 *
 * The file is opened while it is checked, one component at a time from an
 * fd of its directory, never by its name again: what the caller gets is the
 * fd of the file that was checked. USER is the real uid for sandlock. */
#ifndef SANDLOCK_TRUST_H
#define SANDLOCK_TRUST_H

#include <stddef.h>
#include <sys/types.h>

#define SL_TRUST_ERROR (-1)    /* the file could not be opened: errno is set */
#define SL_TRUST_REFUSED (-2)  /* someone else could have written it */

/* Opens the absolute PATH read-only (O_CLOEXEC) under the rule above for
 * root and USER. Returns the fd, or SL_TRUST_ERROR / SL_TRUST_REFUSED with
 * the reason in why ("directory /x is writable by group or others (mode
 * 0777)", "No such file or directory", "/x/y: Permission denied", ...). */
int sl_trust_open_for(uid_t user, const char *path, char *why, size_t whylen);

/* sl_trust_open_for(getuid(), ...). */
int sl_trust_open(const char *path, char *why, size_t whylen);

/* PATH as an absolute path: unchanged when absolute, else joined to DIR, or
 * to the working directory when DIR is NULL. Returns 0, or -1 with errno
 * (ENAMETOOLONG, or getcwd's). */
int sl_trust_absolute(const char *dir, const char *path, char *out, size_t outlen);

#endif
