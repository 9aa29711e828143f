/* vfile -- virtual files: fixed content served at chosen paths.
 *
 *   [plugin fake-files]
 *   module = vfile
 *   /etc/hostname = sandbox\n             ; content, with \n \t \\ \@ escapes
 *   /home/me/.aws/credentials = @/srv/fake-credentials   ; a host file's content
 *
 * Opening a virtual path for reading gives the child its own sealed
 * read-only memfd holding the content; opening it for writing fails with
 * EROFS. The stat family reports a read-only regular file of the content's
 * size, the access family answers as for a read-only file, and calls that
 * would change the path fail with EROFS. Paths are matched after
 * resolve_path(), so relative paths and ".." reach them too. Any other
 * path continues untouched. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "content.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../legacy_syscalls.h"

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif

#define HOSTFILE_MAX (64u << 20)   /* largest @HOSTFILE served */

/* One virtual file, read-only after init. */
struct vfile_entry {
    char *path;           /* normalised absolute path */
    const char *name;     /* its last component, in path */
    size_t name_len;
    char *data;
    size_t len;
    const char *key;      /* the configuration key, for messages */
};

struct vfile_state {
    struct vfile_entry *file;
    size_t n;
    struct stat st;       /* template for the stat family (size per file) */
};

/* How a covered syscall is answered. */
enum action {
    OPEN,       /* content fd, or EROFS for writing */
    STAT,       /* struct stat written to the child */
    STATX,      /* struct statx written to the child */
    ACCESS,     /* 0 for F_OK/R_OK, EROFS for W_OK, EACCES for X_OK */
    READLINK,   /* EINVAL: not a symlink */
    EXEC,       /* EACCES: not executable */
    MODIFY,     /* EROFS */
};

/* A covered syscall and how it is answered; where its path, flags and
 * other arguments are is the host's to say (host->syscall_paths). */
struct sysinfo {
    const char *name;
    int nr;
    enum action action;
};

static const struct sysinfo table[] = {
    { "open", __NR_open, OPEN },
    { "openat", __NR_openat, OPEN },
    { "openat2", __NR_openat2, OPEN },
    { "creat", __NR_creat, OPEN },
    { "stat", __NR_stat, STAT },
    { "lstat", __NR_lstat, STAT },
    { "newfstatat", __NR_newfstatat, STAT },
    { "statx", __NR_statx, STATX },
    { "access", __NR_access, ACCESS },
    { "faccessat", __NR_faccessat, ACCESS },
    { "faccessat2", __NR_faccessat2, ACCESS },
    { "readlink", __NR_readlink, READLINK },
    { "readlinkat", __NR_readlinkat, READLINK },
    { "execve", __NR_execve, EXEC },
    { "execveat", __NR_execveat, EXEC },
    { "unlink", __NR_unlink, MODIFY },
    { "unlinkat", __NR_unlinkat, MODIFY },
    { "rename", __NR_rename, MODIFY },
    { "renameat", __NR_renameat, MODIFY },
    { "renameat2", __NR_renameat2, MODIFY },
    { "link", __NR_link, MODIFY },
    { "linkat", __NR_linkat, MODIFY },
    { "truncate", __NR_truncate, MODIFY },
    { "chmod", __NR_chmod, MODIFY },
    { "fchmodat", __NR_fchmodat, MODIFY },
    { "chown", __NR_chown, MODIFY },
    { "lchown", __NR_lchown, MODIFY },
    { "fchownat", __NR_fchownat, MODIFY },
    { "utimes", __NR_utimes, MODIFY },
    { "utimensat", __NR_utimensat, MODIFY },
    { "setxattr", __NR_setxattr, MODIFY },
    { "lsetxattr", __NR_lsetxattr, MODIFY },
    { "removexattr", __NR_removexattr, MODIFY },
    { "lremovexattr", __NR_lremovexattr, MODIFY },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const char *names[NTABLE + 1];
static const sandlock_host *host;

/* Releases an instance. */
static void vfile_fini(void *state)
{
    struct vfile_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++) {
        free(st->file[i].path);
        free(st->file[i].data);
    }
    free(st->file);
    free(st);
}

/* Reads the whole host file `path` into a malloc()ed buffer. 0 or -errno. */
static int read_host_file(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > HOSTFILE_MAX) {
        int e = !S_ISREG(sb.st_mode) ? EINVAL : errno ? errno : EFBIG;
        close(fd);
        return -e;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf)
        return -ENOMEM;
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

/* Adds the virtual file of one configuration pair. */
static int add_file(struct vfile_state *st, const sandlock_config *cfg, const char *key, const char *value,
                    char *errbuf)
{
    const char *why = NULL;
    struct vfile_entry e = { .key = key };
    e.path = vfile_normalise(key, &why);
    if (!e.path) {
        return host->config_error(cfg, key, value, errbuf, "%s", why);
    }
    for (size_t i = 0; i < st->n; i++) {
        if (strcmp(st->file[i].path, e.path) == 0) {
            free(e.path);
            return host->config_error(cfg, key, value, errbuf, "virtual path given twice (also as %s)",
                                      st->file[i].key);
        }
    }
    if (value[0] == '@') {
        int rc = read_host_file(value + 1, &e.data, &e.len);
        if (rc) {
            free(e.path);
            return host->config_error(cfg, key, value, errbuf, "cannot read host file '%s': %s", value + 1,
                                      rc == -EINVAL ? "not a regular file" : strerror(-rc));
        }
    } else {
        e.data = vfile_unescape(value, &e.len, &why);
        if (!e.data) {
            free(e.path);
            return host->config_error(cfg, key, value, errbuf, "%s", why);
        }
    }
    struct vfile_entry *grown = realloc(st->file, (st->n + 1) * sizeof(*grown));
    if (!grown) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        free(e.path);
        free(e.data);
        return -1;
    }
    e.name = strrchr(e.path, '/') + 1;
    e.name_len = strlen(e.name);
    st->file = grown;
    st->file[st->n++] = e;
    return 0;
}

/* A virtual file on notifications: the host serves the object at its path
 * (taken in the sandbox's view when it starts) in every descriptor it hands
 * the child, however the child names it (SDK 1.10 serve_object); vfile
 * answers the names. Without it (an older host) only the names are
 * served. */
static void serve_object(const sandlock_host *h, const sandlock_config *cfg, const struct vfile_entry *f)
{
    int rc = !SANDLOCK_HOST_HAS(h, serve_object) ? -ENOSYS : h->serve_object(cfg, f->path, f->data, f->len);
    if (rc == 0)
        h->log(cfg, SANDLOCK_LOG_INFO, "%s: the file there at the start is served however it is named", f->path);
    else
        h->log(cfg, SANDLOCK_LOG_INFO, "%s: served by name only: %s", f->path,
               rc == -ENOSYS ? "the host cannot serve objects (older than SDK 1.10)" : strerror(-rc));
}

/* A virtual file over a regular file that exists is the kernel's: the host
 * binds its content over the path in the sandbox's mount namespace (SDK
 * 1.4 mask_path), and it leaves the list this instance answers for. The
 * others (a path that does not exist, a file with other hard links, a host
 * without masks...) stay on notifications. Each file's mode is logged at info level. */
static void mask_files(const sandlock_host *h, const sandlock_config *cfg, struct vfile_state *st)
{
    size_t kept = 0;
    for (size_t i = 0; i < st->n; i++) {
        struct vfile_entry *f = &st->file[i];
        struct stat sb;
        int rc = !SANDLOCK_HOST_HAS(h, mask_path) ? -ENOSYS
                 : stat(f->path, &sb) != 0      ? -errno
                 : !S_ISREG(sb.st_mode)          ? -EINVAL
                 : sb.st_nlink > 1               ? -EMLINK
                                                 : h->mask_path(cfg, f->path, SANDLOCK_MASK_CONTENT, f->data, f->len);
        if (rc == 0) {
            h->log(cfg, SANDLOCK_LOG_INFO, "%s: kernel (fixed content)", f->path);
            free(f->path);
            free(f->data);
            continue;
        }
        h->log(cfg, SANDLOCK_LOG_INFO, "%s: notifications: %s", f->path,
               rc == -ENOSYS ? "the host cannot mask paths (older than SDK 1.4)"
               : rc == -ENOENT ? "it does not exist (nothing to mount over)"
               : rc == -EINVAL ? "not a regular file"
               : rc == -EMLINK ? "it has other hard links (names a mount over the path would not cover)"
               : rc == -EOPNOTSUPP ? "sandlock makes no masks here (see masks in sandlock.ini(5) and sandlock check)"
                                   : strerror(-rc));
        serve_object(h, cfg, f);
        st->file[kept++] = *f;
    }
    st->n = kept;
}

/* Every key is a virtual path ('/' and '*': any key starting with '/'). */
static const sandlock_key_decl vfile_keys[] = {
    { "/*", SANDLOCK_KEY_STRING, 0,
      "a virtual file: its content (C escapes such as \\n), or @FILE for a host file's" },
    { NULL, 0, 0, NULL },
};

static int vfile_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct vfile_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    size_t cursor = 0;
    const char *key, *value;
    while (h->config_next(cfg, &cursor, &key, &value))
        if (add_file(st, cfg, key, value, errbuf))
            goto fail;
    if (st->n == 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "no virtual files (add e.g. /etc/hostname = sandbox\\n)");
        goto fail;
    }
    mask_files(h, cfg, st);
    int fd = h->content_fd("vfile", "", 0, 0);
    if (fd < 0 || fstat(fd, &st->st)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot create a content descriptor: %s",
                 strerror(fd < 0 ? -fd : errno));
        if (fd >= 0)
            close(fd);
        goto fail;
    }
    close(fd);
    st->st.st_mode = S_IFREG | 0444;
    st->st.st_nlink = 1;
    for (size_t i = 0; i < NTABLE; i++)
        names[i] = table[i].name;
    *state = st;
    return SANDLOCK_OK;
fail:
    vfile_fini(st);
    return SANDLOCK_ERROR;
}

static const char *const *vfile_syscalls(void *state)
{
    static const char *const none[] = { NULL };
    return ((struct vfile_state *)state)->n ? names : none;
}

/* The virtual file at `path`, or NULL. */
static const struct vfile_entry *find(const struct vfile_state *st, const char *path)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->file[i].path, path) == 0)
            return &st->file[i];
    return NULL;
}

/* Answers with the errno of a failed service; ENOSYS (the host cannot
 * serve us) is a plugin failure. */
static int answer_error(sandlock_response *r, int err)
{
    if (err == ENOSYS)
        return SANDLOCK_ERROR;
    sandlock_respond_errno(r, err);
    return SANDLOCK_OK;
}

/* The last component of `raw` (trailing slashes ignored) into *name, its
 * length returned; 0 when it is "." or ".." or there is none: then the
 * normalised path ends in another name. */
static size_t last_name(const char *raw, size_t len, const char **name)
{
    while (len > 0 && raw[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && raw[start - 1] != '/')
        start--;
    size_t n = len - start;
    *name = raw + start;
    if ((n == 1 && raw[start] == '.') || (n == 2 && raw[start] == '.' && raw[start + 1] == '.'))
        return 0;
    return n;
}

/* Could a path whose last component is name[0..n) be a virtual file? The
 * normalised path ends in that component, so only when some virtual file's
 * path ends in it. */
static int may_be_virtual(const struct vfile_state *st, const char *name, size_t n)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->file[i].name_len == n && memcmp(st->file[i].name, name, n) == 0)
            return 1;
    return 0;
}

/* Resolves path argument i of the call. Returns 1 with the path in buf,
 * 0 when the call names no path (NULL or empty where the call takes that
 * for its dirfd) or a path that cannot be a virtual file (its last
 * component is no virtual file's: nothing is resolved), or -errno. */
static int path_of(const struct vfile_state *st, const sandlock_event *ev, const sandlock_syscall_paths *sp, int i,
                   char *buf, size_t size)
{
    const sandlock_path_arg *p = &sp->path[i];
    unsigned on_dirfd = i == 0 ? sp->flags : 0;
    if (p->addr == 0)
        return on_dirfd & SANDLOCK_PATHS_NULL_OK ? 0 : -EFAULT;
    /* The bytes syscall_paths() read for the chain (no second read). */
    ssize_t n = host->mem_read_string(ev->handle, p->addr, buf, size);
    if (n == 0)
        return on_dirfd & SANDLOCK_PATHS_EMPTY_OK ? 0 : -ENOENT;
    if (n < 0 && n != -ENAMETOOLONG)
        return (int)n;
    const char *name;
    size_t len = n > 0 ? last_name(buf, (size_t)n, &name) : 0;
    if (len > 0 && !may_be_virtual(st, name, len))
        return 0;
    n = host->resolve_path(ev->handle, p->dirfd, p->addr, buf, size);
    return n < 0 ? (int)n : 1;
}

/* Opens a virtual file: read-only opens get a fresh sealed memfd. */
static int answer_open(const struct vfile_entry *f, const sandlock_syscall_paths *sp, sandlock_response *r)
{
    uint64_t flags = sp->open_flags;
    if (flags & O_DIRECTORY)
        return answer_error(r, ENOTDIR);
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return answer_error(r, EEXIST);
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | __O_TMPFILE)))
        return answer_error(r, EROFS);
    int fd = host->content_fd(f->path, f->data, f->len, 0);
    if (fd < 0)
        return answer_error(r, -fd);
    sandlock_respond_fd(r, fd, (flags & O_CLOEXEC) ? 0 : SANDLOCK_FD_NO_CLOEXEC);
    return SANDLOCK_OK;
}

/* Writes the stat (or statx) of a virtual file into the child's buffer. */
static int answer_stat(const struct vfile_state *st, const struct vfile_entry *f, const sandlock_event *ev,
                       const struct sysinfo *si, const sandlock_syscall_paths *sp, sandlock_response *r)
{
    struct stat sb = st->st;
    sb.st_size = (off_t)f->len;
    sb.st_blocks = (blkcnt_t)((f->len + 511) / 512);
    ssize_t n;
    if (si->action == STAT) {
        n = host->mem_write(ev->handle, ev->args[sp->next_arg], &sb, sizeof(sb));
    } else {
        struct statx sx;
        memset(&sx, 0, sizeof(sx));
        sx.stx_mask = STATX_BASIC_STATS;
        sx.stx_blksize = (uint32_t)sb.st_blksize;
        sx.stx_nlink = (uint32_t)sb.st_nlink;
        sx.stx_uid = sb.st_uid;
        sx.stx_gid = sb.st_gid;
        sx.stx_mode = (uint16_t)sb.st_mode;
        sx.stx_ino = sb.st_ino;
        sx.stx_size = (uint64_t)sb.st_size;
        sx.stx_blocks = (uint64_t)sb.st_blocks;
        sx.stx_atime.tv_sec = sb.st_atim.tv_sec;
        sx.stx_atime.tv_nsec = (uint32_t)sb.st_atim.tv_nsec;
        sx.stx_mtime.tv_sec = sb.st_mtim.tv_sec;
        sx.stx_mtime.tv_nsec = (uint32_t)sb.st_mtim.tv_nsec;
        sx.stx_ctime.tv_sec = sb.st_ctim.tv_sec;
        sx.stx_ctime.tv_nsec = (uint32_t)sb.st_ctim.tv_nsec;
        sx.stx_dev_major = major(sb.st_dev);
        sx.stx_dev_minor = minor(sb.st_dev);
        n = host->mem_write(ev->handle, ev->args[4], &sx, sizeof(sx));   /* statx(dirfd, path, flags, mask, buf) */
    }
    if (n < 0)
        return answer_error(r, (int)-n);
    sandlock_respond_return(r, 0);
    return SANDLOCK_OK;
}

static int vfile_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    const struct vfile_state *st = state;
    const struct sysinfo *si = NULL;
    for (size_t i = 0; i < NTABLE && !si; i++)
        if (table[i].nr == ev->nr)
            si = &table[i];
    const struct vfile_entry *f = NULL;
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    int count = si ? host->syscall_paths(ev, &sp) : 0;
    if (count < 0)
        return answer_error(r, -count);
    for (int i = 0; i < count && !f; i++) {
        char path[PATH_MAX];
        int rc = path_of(st, ev, &sp, i, path, sizeof(path));
        if (rc < 0)
            return answer_error(r, -rc);
        if (rc == 1)
            f = find(st, path);
    }
    if (!f) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    switch (si->action) {
    case OPEN:
        return answer_open(f, &sp, r);
    case STAT:
    case STATX:
        return answer_stat(st, f, ev, si, &sp, r);
    case ACCESS: {
        uint64_t mode = ev->args[sp.next_arg];
        if (mode & W_OK)
            return answer_error(r, EROFS);
        if (mode & X_OK)
            return answer_error(r, EACCES);
        sandlock_respond_return(r, 0);
        return SANDLOCK_OK;
    }
    case READLINK:
        return answer_error(r, EINVAL);
    case EXEC:
        return answer_error(r, EACCES);
    case MODIFY:
        break;
    }
    return answer_error(r, EROFS);
}

static const sandlock_plugin vfile_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "vfile",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "virtual files: fixed content served at chosen paths as sealed memfds",
    .init = vfile_init,
    .syscalls = vfile_syscalls,
    .handle = vfile_handle,
    .fini = vfile_fini,
    .keys = vfile_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* Its keys are declared (ABI 1.6); the host decodes its arguments (1.8). */
    return SANDLOCK_HOST_HAS(h, config_error) && SANDLOCK_HOST_HAS(h, syscall_paths) ? &vfile_plugin : NULL;
}
