/* object.h -- what a path argument of the child reaches, as the kernel
 * would walk it for the child, obtained once as a descriptor that fsdeny
 * checks and then acts on (so nothing the child changes afterwards can
 * redirect the call). */
#ifndef FSDENY_OBJECT_H
#define FSDENY_OBJECT_H

#include <sandlock/plugin.h>
#include <limits.h>
#include <stdint.h>

#include "rules.h"

/* One notification being decided. */
struct fsd_call {
    const sandlock_host *host;
    const sandlock_event *ev;
    const struct fsdeny_rules *rules;
    const sandlock_config *cfg;    /* the instance, for host->report_denial */
    int error;                     /* the errno a denial gets */
    char root[PATH_MAX];       /* the child's root as sandlock sees it; "" for "/" */
    long tgid;                 /* the trapped thread's process; 0 until needed */
    long ns_tgid, ns_tid;      /* the same and the thread in the child's PID namespace */
    int umask;                 /* the child's umask; negative until read (fsd_child_umask) */
};

/* A path argument as the kernel would walk it. Either `fd` >= 0: the
 * argument names an object the child already holds (an empty path with
 * AT_EMPTY_PATH, a NULL path, a /proc/self/fd/N or /dev/fd/N alias, the
 * child's cwd...), owned here; or `walk`: an absolute path inside the
 * child's root, spelled as the child wrote it (trailing slashes, "." and
 * ".." kept), for host->open_path. `named` is the normalised name the rules
 * judge as the child named it. */
struct fsd_path {
    int fd;
    int want_dir;              /* fd object named with a trailing slash */
    int magic;                 /* the walk was rewritten from a /proc or /dev/fd link */
    char named[PATH_MAX];
    char walk[2 * PATH_MAX + 2];
};

/* Spelling flags. */
#define FSD_EMPTY_OK 1u        /* "" names dirfd (AT_EMPTY_PATH) */
#define FSD_NULL_OK 2u         /* a NULL path names dirfd */
#define FSD_FOLLOW 4u          /* a final magic link is followed */

/* Reads the child's path argument (dirfd, addr) into *p. Returns 0 or
 * -errno: the kernel's answer for a path it would refuse (ENOENT for "",
 * EFAULT, ENAMETOOLONG, EBADF, ENOTDIR), or ESRCH. Denial is not decided
 * here. */
int fsd_spell(struct fsd_call *c, int dirfd, uint64_t addr, unsigned flags, struct fsd_path *p);

/* The same for a path the caller read (`raw`, NUL-terminated): a unix
 * socket address's sun_path. */
int fsd_spell_name(struct fsd_call *c, int dirfd, const char *raw, unsigned flags, struct fsd_path *p);

/* Releases what *p holds. */
void fsd_path_release(struct fsd_path *p);

/* Is the named path denied? */
int fsd_named_denied(const struct fsd_call *c, const struct fsd_path *p);

/* The same for a name normalised elsewhere (the host's socket snapshot):
 * an absolute path in the child's root. */
int fsd_name_denied(const struct fsd_call *c, const char *named);

/* Obtains the object *p names, open with `oflags` (O_PATH, O_NOFOLLOW,
 * O_DIRECTORY), and checks its real path. Returns the descriptor, -errno
 * from the walk, or -EDEADLK when the object is denied. */
int fsd_obtain(struct fsd_call *c, struct fsd_path *p, int oflags);

/* Is our descriptor fd (a file of the child's world) denied by its real
 * path? 1 denied (also when it has no readable path), 0 allowed. With a
 * non-NULL `last`, the entry `last` inside directory fd is judged. */
int fsd_fd_denied(const struct fsd_call *c, int fd, const char *last);

/* The trapped thread's process id (sandlock's view), read once per call. */
long fsd_tgid(struct fsd_call *c);

/* Whether moving the entry `last` of directory `dir` (as the kernel will
 * reach it) would move paths a deny rule covers to other names: see
 * fsdeny_denies_below(). An entry whose path cannot be told counts. */
int fsd_entry_hides_denied(const struct fsd_call *c, int dir, const char *last);

/* For calls that act on a directory entry (unlink, mkdir, rename...):
 * opens the parent directory of *p, checks the entry's real path and
 * points *last at the last component as the child spelled it (trailing
 * slashes kept). Returns the directory descriptor, -errno, or -EDEADLK
 * when denied. */
int fsd_obtain_parent(struct fsd_call *c, struct fsd_path *p, const char **last);

#endif
