/* syscall_paths.c -- the one table of where path syscalls keep their
 * arguments (host->syscall_paths; contract in sdk/sandlock/plugin.h).
 * Plugins keep only what they do with a call; which argument is the path,
 * the dirfd, the flags or the mode is known here. */
#define _GNU_SOURCE
#include "config.h"
#include "syscall_paths.h"
#include "liveness.h"
#include "memory.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <seccomp.h>
#include <string.h>
#include <sys/inotify.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* How a call treats a symlink as the last component of its first path. */
enum follow {
    NOFOLLOW,        /* acts on the link itself (lstat, unlink, rename...) */
    FOLLOW,          /* acts on the target (stat, chmod, execve...) */
    NOFOLLOW_FLAG,   /* follows unless AT_SYMLINK_NOFOLLOW is in the flags */
    FOLLOW_FLAG,     /* acts on the link unless AT_SYMLINK_FOLLOW is in the flags */
    OPEN_FLAGS,      /* follows unless O_NOFOLLOW, or O_CREAT with O_EXCL */
    INOTIFY_MASK,    /* follows unless IN_DONT_FOLLOW */
};

/* When "" names the dirfd itself. */
enum empty { EMPTY_BY_FLAG, EMPTY_ALWAYS, EMPTY_NEVER };   /* by AT_EMPTY_PATH, when the call has AT_* flags */

/* What the open family keeps where. */
enum open_kind { NOT_OPEN, OPEN_ARGS, OPENAT2_HOW, CREAT };

/* Argument indexes; -1: none (a dirfd of -1 is AT_FDCWD). */
struct path_call {
    const char *name;
    signed char dirfd[2], path[2];
    signed char flags;      /* the flags argument */
    signed char mode;       /* the mode argument */
    signed char next;       /* first argument after the paths */
    unsigned char follow;   /* enum follow */
    unsigned char open;     /* enum open_kind: open flags at mode - 1 */
    unsigned char null_ok;  /* a NULL path names dirfd (utimensat, futimesat) */
    unsigned char empty;    /* enum empty */
};

#define P1(d, p) { d, -1 }, { p, -1 }
#define P2(d1, p1, d2, p2) { d1, d2 }, { p1, p2 }

static const struct path_call table[] = {
    /* name            dirfd/path         flags mode next follow      open null_ok empty */
    { "open",          P1(-1, 0),         -1, 2, 3, OPEN_FLAGS,    OPEN_ARGS, 0, EMPTY_BY_FLAG },
    { "openat",        P1(0, 1),          -1, 3, 4, OPEN_FLAGS,    OPEN_ARGS, 0, EMPTY_BY_FLAG },
    { "openat2",       P1(0, 1),          -1, -1, 4, OPEN_FLAGS,   OPENAT2_HOW, 0, EMPTY_BY_FLAG },
    { "creat",         P1(-1, 0),         -1, 1, 2, OPEN_FLAGS,    CREAT, 0, EMPTY_BY_FLAG },
    { "stat",          P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "lstat",         P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "newfstatat",    P1(0, 1),          3, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "fstatat64",     P1(0, 1),          3, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "statx",         P1(0, 1),          2, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "statfs",        P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "inotify_add_watch", P1(-1, 1),     2, -1, 2, INOTIFY_MASK,  NOT_OPEN, 0, EMPTY_NEVER },
    { "access",        P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "faccessat",     P1(0, 1),          -1, -1, 2, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "faccessat2",    P1(0, 1),          3, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "execve",        P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "execveat",      P1(0, 1),          4, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "chdir",         P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "unlink",        P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "unlinkat",      P1(0, 1),          2, -1, 2, NOFOLLOW,      NOT_OPEN, 0, EMPTY_NEVER },
    { "rmdir",         P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "rename",        P2(-1, 0, -1, 1),  -1, -1, 2, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "renameat",      P2(0, 1, 2, 3),    -1, -1, 4, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "renameat2",     P2(0, 1, 2, 3),    4, -1, 4, NOFOLLOW,      NOT_OPEN, 0, EMPTY_NEVER },
    { "link",          P2(-1, 0, -1, 1),  -1, -1, 2, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "linkat",        P2(0, 1, 2, 3),    4, -1, 4, FOLLOW_FLAG,   NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "symlink",       P1(-1, 1),         -1, -1, 2, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "symlinkat",     P1(1, 2),          -1, -1, 3, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "mkdir",         P1(-1, 0),         -1, 1, 1, NOFOLLOW,      NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "mkdirat",       P1(0, 1),          -1, 2, 2, NOFOLLOW,      NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "mknod",         P1(-1, 0),         -1, 1, 1, NOFOLLOW,      NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "mknodat",       P1(0, 1),          -1, 2, 2, NOFOLLOW,      NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "truncate",      P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "chmod",         P1(-1, 0),         -1, 1, 1, FOLLOW,        NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "fchmodat",      P1(0, 1),          -1, 2, 2, FOLLOW,        NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "fchmodat2",     P1(0, 1),          3, 2, 2, NOFOLLOW_FLAG,  NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "chown",         P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "lchown",        P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "fchownat",      P1(0, 1),          4, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "utime",         P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "utimes",        P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "futimesat",     P1(0, 1),          -1, -1, 2, FOLLOW,       NOT_OPEN, 1, EMPTY_BY_FLAG },
    { "utimensat",     P1(0, 1),          3, -1, 2, NOFOLLOW_FLAG, NOT_OPEN, 1, EMPTY_BY_FLAG },
    { "readlink",      P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "readlinkat",    P1(0, 1),          -1, -1, 2, NOFOLLOW,     NOT_OPEN, 0, EMPTY_ALWAYS },
    { "setxattr",      P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "lsetxattr",     P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "getxattr",      P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "lgetxattr",     P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "listxattr",     P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "llistxattr",    P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "removexattr",   P1(-1, 0),         -1, -1, 1, FOLLOW,       NOT_OPEN, 0, EMPTY_BY_FLAG },
    { "lremovexattr",  P1(-1, 0),         -1, -1, 1, NOFOLLOW,     NOT_OPEN, 0, EMPTY_BY_FLAG },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

/* The native numbers of the table's names (negative: not on this
 * architecture), resolved once. */
static int numbers[NTABLE];
static pthread_once_t numbers_once = PTHREAD_ONCE_INIT;

static void resolve_numbers(void)
{
    for (size_t i = 0; i < NTABLE; i++)
        numbers[i] = seccomp_syscall_resolve_name(table[i].name);
}

static const struct path_call *lookup(int nr)
{
    pthread_once(&numbers_once, resolve_numbers);
    for (size_t i = 0; i < NTABLE; i++)
        if (numbers[i] == nr && nr >= 0)
            return &table[i];
    return NULL;
}

/* The open flags of an open-family call into out; 0 or -errno. */
static int open_flags(const sandlock_event *ev, const struct path_call *c, sandlock_syscall_paths *out)
{
    uint64_t flags, mode;
    if (c->open == CREAT) {
        flags = O_CREAT | O_WRONLY | O_TRUNC;
        mode = ev->args[(int)c->mode];
    } else if (c->open == OPEN_ARGS) {
        flags = (uint32_t)ev->args[(int)c->mode - 1];
        mode = ev->args[(int)c->mode];
    } else {
        struct open_how how;
        if (ev->args[3] < sizeof(how))
            return -EINVAL;
        ssize_t n = sl_mem_read(ev->handle, ev->args[2], &how, sizeof(how));
        if (n < 0)
            return (int)n;
        flags = how.flags;
        mode = how.mode;
        if (out->struct_size >= offsetof(sandlock_syscall_paths, resolve) + sizeof(out->resolve))
            out->resolve = how.resolve;
    }
    if (flags & O_PATH)
        flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;   /* the kernel ignores the rest */
    out->open_flags = flags;
    out->mode = (flags & O_CREAT) || (flags & __O_TMPFILE) ? (uint32_t)mode & 07777 : 0;
    return 0;
}

static int follows(const struct path_call *c, const sandlock_syscall_paths *out)
{
    switch (c->follow) {
    case FOLLOW: return 1;
    case NOFOLLOW_FLAG: return !(out->at_flags & AT_SYMLINK_NOFOLLOW);
    case FOLLOW_FLAG: return (out->at_flags & AT_SYMLINK_FOLLOW) != 0;
    case OPEN_FLAGS:
        return !(out->open_flags & O_NOFOLLOW) && !((out->open_flags & O_CREAT) && (out->open_flags & O_EXCL));
    case INOTIFY_MASK: return !(out->at_flags & IN_DONT_FOLLOW);
    default: return 0;
    }
}

int sl_syscall_is_open(int nr)
{
    const struct path_call *c = lookup(nr);
    return c && c->open != NOT_OPEN;
}

int sl_syscall_paths(const sandlock_event *ev, sandlock_syscall_paths *out)
{
    if (!ev || !out || out->struct_size < offsetof(sandlock_syscall_paths, path) + sizeof(out->path))
        return -EINVAL;
    uint32_t version = out->abi_version, size = out->struct_size;
    memset(out, 0, size < sizeof(*out) ? size : sizeof(*out));   /* a caller built for 1.8 has less */
    out->abi_version = version;
    out->struct_size = size;
    const struct path_call *c = lookup(ev->nr);
    if (!c)
        return 0;
    struct sl_target t;
    int rc = sl_target_of(ev->handle, &t);
    if (rc < 0)
        return rc;
    const uint64_t *a = ev->args;
    out->count = c->path[1] >= 0 ? 2 : 1;
    for (uint32_t i = 0; i < out->count; i++) {
        out->path[i].dirfd = c->dirfd[i] < 0 ? AT_FDCWD : (int32_t)a[(int)c->dirfd[i]];
        out->path[i].arg = (uint32_t)c->path[i];
        out->path[i].addr = a[(int)c->path[i]];
    }
    out->next_arg = (uint32_t)c->next;
    if (c->flags >= 0)
        out->at_flags = c->follow == INOTIFY_MASK ? (uint32_t)a[(int)c->flags] : a[(int)c->flags];
    int open_rc = 0;
    if (c->open != NOT_OPEN) {
        out->flags |= SANDLOCK_PATHS_OPEN;
        open_rc = open_flags(ev, c, out);
    } else if (c->mode >= 0) {
        out->mode = (uint32_t)a[(int)c->mode];
    }
    int empty_ok = c->empty == EMPTY_ALWAYS ||
                   (c->empty == EMPTY_BY_FLAG && c->flags >= 0 && (out->at_flags & AT_EMPTY_PATH));
    if (follows(c, out))
        out->flags |= SANDLOCK_PATHS_FOLLOW;
    if (empty_ok)
        out->flags |= SANDLOCK_PATHS_EMPTY_OK;
    if (c->null_ok || (empty_ok && c->flags >= 0))
        out->flags |= SANDLOCK_PATHS_NULL_OK;
    /* Read now, and kept for the chain (memory.c). No liveness check here
     * (an ioctl per notification): every service that hands these bytes
     * out checks after reading. */
    for (uint32_t i = 0; i < out->count; i++)
        if (out->path[i].addr)
            sl_target_pin_string(&t, out->path[i].addr);
    return open_rc < 0 ? open_rc : (int)out->count;
}
