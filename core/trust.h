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

#include <limits.h>
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

/* What several lookups share (the plugin modules of one start-up, mostly in
 * one directory): the directory the last file was found in, kept open, so
 * that a file asked for in the same directory, spelled the same way, is
 * looked up from there instead of from / again. That directory and every
 * one on the way to it were checked when the lookup reached them; the
 * check proves that only root or the user could have changed them since.
 * The file itself (and a symbolic link it is) is checked every time. One
 * cache per thread of lookups; sl_trust_cache_free() closes its fd. */
struct sl_trust_cache {
    int dir;                 /* O_PATH fd of the directory, or -1 */
    int dir_shared;          /* ... writable by group or others (sticky) */
    uid_t user;
    char prefix[PATH_MAX];   /* the path that led there: up to its last '/' */
    char shown[PATH_MAX];    /* the directory as reached, for messages */
};
void sl_trust_cache_init(struct sl_trust_cache *c);
void sl_trust_cache_free(struct sl_trust_cache *c);

/* sl_trust_open() through `c` (NULL: none), which it updates. */
int sl_trust_open_cached(struct sl_trust_cache *c, const char *path, char *why, size_t whylen);

/* PATH as an absolute path: unchanged when absolute, else joined to DIR, or
 * to the working directory when DIR is NULL. Returns 0, or -1 with errno
 * (ENAMETOOLONG, or getcwd's). */
int sl_trust_absolute(const char *dir, const char *path, char *out, size_t outlen);

#endif
