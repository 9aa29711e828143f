/* masks.c -- see masks.h. */
#include "config.h"
#include "masks.h"
#include "here.h"
#include "sl_config.h"
#include "stubcode.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

struct mask {
    char *instance;       /* the asking instance's name */
    char *path;           /* absolute and normalised */
    int how;              /* SANDLOCK_MASK_* */
    int is_dir;           /* the path's type when it was declared */
    char *content;        /* CONTENT: the bytes (in memory, not in an fd: a stub
                           * started before the plugins' init shares sandlock's
                           * memory, not the descriptors opened since) */
    size_t len;
    mode_t mode;          /* HIDE of a file, CONTENT: the file's mode... */
    uid_t uid;            /* ... and owner */
    gid_t gid;
    int applied;          /* 0: skipped (inside a hidden directory, or an
                           * exception outside any) */
    int hide_dir;         /* HIDE of a directory: remounted read-only last */
    char tmpfs_options[40];
};

/* One session's masks (here.h), read by its stub too (it runs with the
 * thread-local storage of the thread that started it). */
struct sl_masks {
    int disabled;
    int prepared;
    struct mask *m;
    size_t n, cap;
    char staging_options[64];
};

/* Without a session (sandlock's own tools): the process's. */
static struct sl_masks process_masks;
#define masks (*(sl_here && sl_here->masks ? sl_here->masks : &process_masks))

struct sl_masks *sl_masks_new(void)
{
    return calloc(1, sizeof(struct sl_masks));
}

void sl_masks_delete(struct sl_masks *m)
{
    free(m);
}

void sl_masks_enable(int enabled)
{
    masks.disabled = !enabled;
}

int sl_masks_available(void)
{
    return !masks.disabled && sl_namespaces_possible();
}

int sl_namespaces_possible(void)
{
    /* The stub creates the mount namespace with the PID namespace: with
     * CAP_SYS_ADMIN, or in a user namespace of its own (userns.h). */
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return 0;
    return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0 ||
           sl_userns_wanted();
}

size_t sl_masks_count(void)
{
    return masks.n;
}

/* An absolute path without "//", "." or ".." components and without a
 * trailing slash; not "/" itself. */
static int normalised(const char *path)
{
    if (path[0] != '/' || path[1] == '\0' || path[strlen(path) - 1] == '/' || strlen(path) >= PATH_MAX)
        return 0;
    for (const char *p = path; *p; p++) {
        if (*p != '/')
            continue;
        if (p[1] == '/' || (p[1] == '.' && (p[2] == '/' || p[2] == '\0')) ||
            (p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')))
            return 0;
    }
    return 1;
}

int sl_mask_path(const sandlock_config *cfg, const char *path, int how, const void *content, size_t len)
{
    if (!cfg || !path || !normalised(path) || how < SANDLOCK_MASK_HIDE || how > SANDLOCK_MASK_EXPOSE ||
        (how == SANDLOCK_MASK_CONTENT && !content && len))
        return -EINVAL;
    if (masks.prepared)
        return -EBUSY;
    if (!sl_masks_available())
        return -EOPNOTSUPP;
    struct stat st;
    if (stat(path, &st) != 0)
        return -errno;
    if (how == SANDLOCK_MASK_CONTENT && !S_ISREG(st.st_mode))
        return -EINVAL;
    if (masks.n == masks.cap) {
        size_t cap = masks.cap ? masks.cap * 2 : 16;
        struct mask *m = realloc(masks.m, cap * sizeof(*m));
        if (!m)
            return -ENOMEM;
        masks.m = m;
        masks.cap = cap;
    }
    struct mask *m = &masks.m[masks.n];
    memset(m, 0, sizeof(*m));
    m->how = how;
    m->is_dir = S_ISDIR(st.st_mode);
    m->mode = how == SANDLOCK_MASK_CONTENT ? st.st_mode & 07555 : 0;   /* read-only */
    m->uid = how == SANDLOCK_MASK_CONTENT ? st.st_uid : 0;
    m->gid = how == SANDLOCK_MASK_CONTENT ? st.st_gid : 0;
    m->len = how == SANDLOCK_MASK_CONTENT ? len : 0;
    if ((m->len && !(m->content = malloc(m->len))) || !(m->path = strdup(path)) ||
        !(m->instance = strdup(cfg->name))) {
        free(m->content);
        free(m->path);
        return -ENOMEM;
    }
    if (m->len)
        memcpy(m->content, content, m->len);
    masks.n++;
    return 0;
}

size_t sl_masks_of(const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < masks.n; i++)
        n += strcmp(masks.m[i].instance, name) == 0;
    return n;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct mask *)a)->path, ((const struct mask *)b)->path);
}

/* Is `path` `dir` itself or below it? */
STUB_CODE static int within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The nearest directory hidden above mask i (its index), or -1. */
static int hidden_above(size_t i)
{
    int found = -1;
    for (size_t j = 0; j < i; j++)
        if (masks.m[j].how == SANDLOCK_MASK_HIDE && masks.m[j].is_dir && masks.m[j].applied &&
            within(masks.m[i].path, masks.m[j].path) && strcmp(masks.m[i].path, masks.m[j].path))
            found = (int)j;
    return found;
}

/* Is mask i below an exception (EXPOSE) made inside hidden directory h? */
static int exposed_below(size_t i, int h)
{
    for (size_t j = (size_t)h + 1; j < i; j++)
        if (masks.m[j].how == SANDLOCK_MASK_EXPOSE && masks.m[j].applied && within(masks.m[i].path, masks.m[j].path))
            return 1;
    return 0;
}

int sl_masks_prepare(char *err, size_t errlen)
{
    masks.prepared = 1;
    if (!masks.n)
        return 0;
    /* Parents before children: a directory is hidden before the exceptions
     * inside it are put back, and those before what is hidden inside them. */
    qsort(masks.m, masks.n, sizeof(*masks.m), by_path);
    for (size_t i = 0; i < masks.n; i++) {
        struct mask *m = &masks.m[i];
        int h = hidden_above(i);
        int inside = h >= 0 && !exposed_below(i, h);
        /* Inside a hidden directory only exceptions count (the rest is
         * hidden already); an exception elsewhere has nothing to undo. */
        m->applied = m->how == SANDLOCK_MASK_EXPOSE ? inside : !inside;
        m->hide_dir = m->applied && m->how == SANDLOCK_MASK_HIDE && m->is_dir;
    }
    for (size_t i = 0; i < masks.n; i++) {
        struct mask *m = &masks.m[i];
        if (!m->hide_dir)
            continue;
        /* Traversable (not listable) when exceptions are put back inside. */
        int exceptions = 0;
        for (size_t j = i + 1; j < masks.n; j++)
            exceptions |= masks.m[j].how == SANDLOCK_MASK_EXPOSE && masks.m[j].applied &&
                          within(masks.m[j].path, m->path);
        snprintf(m->tmpfs_options, sizeof(m->tmpfs_options), "mode=%s,size=64k,nr_inodes=4096",
                 exceptions ? "0111" : "0000");
    }
    /* The staging tmpfs holds the files that file masks show. */
    off_t staged = 0;
    for (size_t i = 0; i < masks.n; i++)
        if (masks.m[i].applied && masks.m[i].how == SANDLOCK_MASK_CONTENT)
            staged += (off_t)masks.m[i].len + 4096;
    snprintf(masks.staging_options, sizeof(masks.staging_options), "mode=0700,size=%lld,nr_inodes=%zu",
             (long long)staged + 65536, 2 * masks.n + 16);
    return 0;
}

const char *sl_mask_path_of(int index)
{
    return index >= 0 && (size_t)index < masks.n ? masks.m[index].path : "?";
}

/* ---- in the stub: system calls only, no allocation ----
 *
 * The stub works in the sandbox's new mount namespace, before its /proc is
 * mounted: a staging tmpfs on /proc first receives bind mounts of the
 * exceptions' originals (while they can still be reached by name) and the
 * files that file masks show (mode, owner, content); then the masks are
 * mounted, parents first, the exceptions moved into their hidden
 * directories, the hidden directories made read-only, and the staging tmpfs
 * detached (what was bound from it stays). */

#define STAGING "/proc"

/* "/proc/<c><i>": the staging name of mask i. */
STUB_CODE static void staged(char *buf, size_t size, char c, size_t i)
{
    snprintf(buf, size, STAGING "/%c%zu", c, i);
}

/* Makes a bind mount read-only, keeping the flags it has (in a user
 * namespace, those the mount it was bound from had are locked). */
STUB_CODE static int read_only(const char *path)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0)
        return -1;
    static const struct { unsigned long st, ms; } keep[] = {
        { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
        { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
    };
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (vfs.f_flag & keep[i].st)
            flags |= keep[i].ms;
    return mount(NULL, path, NULL, flags, NULL);
}

/* A directory or an empty file at `path` (mode `mode`). */
STUB_CODE static int make_node(const char *path, int is_dir, mode_t mode)
{
    if (is_dir)
        return mkdir(path, mode) != 0 && errno != EEXIST ? -1 : 0;
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    close(fd);
    return 0;
}

/* Creates, inside a hidden directory's tmpfs, the directories leading to
 * `path` below `top` and `path` itself: the mount point of an exception. */
STUB_CODE static int make_mount_point(const char *top, const char *path, int is_dir)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    memcpy(buf, path, n + 1);
    for (size_t i = strlen(top) + 1; i < n; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = '\0';
        if (make_node(buf, 1, 0111) != 0)
            return -1;
        buf[i] = '/';
    }
    return make_node(buf, is_dir, is_dir ? 0111 : 0);
}

/* The file a file mask shows: empty (HIDE) or the mask's bytes. */
STUB_CODE static int stage_file(const struct mask *m, const char *name)
{
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    for (size_t done = 0; done < m->len;) {
        ssize_t w = write(fd, m->content + done, m->len - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    /* In a user namespace the original's owner may not be mapped (EINVAL):
     * the file is then the invoking user's, still read-only. */
    int owned = fchown(fd, m->uid, m->gid) == 0 || errno == EINVAL;
    int rc = !owned || fchmod(fd, m->mode) != 0 ? -1 : 0;
    close(fd);
    return rc;
}

STUB_CODE static int stage(size_t i)
{
    const struct mask *m = &masks.m[i];
    char name[64];
    if (m->how == SANDLOCK_MASK_EXPOSE) {
        staged(name, sizeof(name), 'e', i);
        if (make_node(name, m->is_dir, 0) != 0)
            return -1;
        return mount(m->path, name, NULL, MS_BIND | MS_REC, NULL);
    }
    if (m->how == SANDLOCK_MASK_CONTENT || (m->how == SANDLOCK_MASK_HIDE && !m->is_dir)) {
        staged(name, sizeof(name), 'f', i);
        return stage_file(m, name);
    }
    return 0;
}

STUB_CODE static int apply_one(size_t i)
{
    const struct mask *m = &masks.m[i];
    char name[64];
    switch (m->how) {
    case SANDLOCK_MASK_HIDE:
        if (m->is_dir)
            return mount("tmpfs", m->path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, m->tmpfs_options);
        __attribute__((fallthrough));   /* a file: an empty one of mode 0000 */
    case SANDLOCK_MASK_CONTENT:
        staged(name, sizeof(name), 'f', i);
        if (mount(name, m->path, NULL, MS_BIND, NULL) != 0)
            return -1;
        return read_only(m->path);
    case SANDLOCK_MASK_READONLY:
        if (mount(m->path, m->path, NULL, MS_BIND | MS_REC, NULL) != 0)
            return -1;
        return read_only(m->path);
    case SANDLOCK_MASK_EXPOSE: {
        size_t h = i;
        while (h-- > 0)
            if (masks.m[h].hide_dir && within(m->path, masks.m[h].path))
                break;
        if (make_mount_point(masks.m[h].path, m->path, m->is_dir) != 0)
            return -1;
        staged(name, sizeof(name), 'e', i);
        return mount(name, m->path, NULL, MS_MOVE, NULL);
    }
    }
    errno = EINVAL;
    return -1;
}

STUB_CODE int sl_masks_apply(void)
{
    if (!masks.n)
        return 0;
    if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, masks.staging_options) != 0)
        return 1;
    for (size_t i = 0; i < masks.n; i++)
        if (masks.m[i].applied && stage(i) != 0)
            return (int)i + 1;
    for (size_t i = 0; i < masks.n; i++)
        if (masks.m[i].applied && apply_one(i) != 0)
            return (int)i + 1;
    /* The hidden directories' tmpfs become read-only once the exceptions'
     * mount points are made in them. */
    for (size_t i = 0; i < masks.n; i++)
        if (masks.m[i].hide_dir &&
            mount(NULL, masks.m[i].path, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  masks.m[i].tmpfs_options) != 0)
            return (int)i + 1;
    return umount2(STAGING, MNT_DETACH) != 0 ? 1 : 0;
}

/* ---- reporting and cleanup ---- */

static const char *const mask_what[] = { "?", "hidden", "read-only", "fixed content", "exception" };

int sl_masks_get(const char *name, size_t index, const char **path, const char **how, int *applied)
{
    for (size_t i = 0; i < masks.n; i++) {
        const struct mask *m = &masks.m[i];
        if (strcmp(m->instance, name) || index--)
            continue;
        *path = m->path;
        *how = mask_what[m->how];
        *applied = m->applied;
        return 0;
    }
    return -1;
}

void sl_masks_print(FILE *out, const char *name, const char *indent)
{
    const char *const *what = mask_what;
    for (size_t i = 0; i < masks.n; i++) {
        const struct mask *m = &masks.m[i];
        if (strcmp(m->instance, name))
            continue;
        fprintf(out, "%skernel: %s %s%s\n", indent, what[m->how], m->path,
                m->applied ? "" : m->how == SANDLOCK_MASK_EXPOSE ? " (not inside a hidden directory: nothing to do)"
                                                                  : " (inside a hidden directory already)");
    }
}

void sl_masks_free(void)
{
    for (size_t i = 0; i < masks.n; i++) {
        free(masks.m[i].content);
        free(masks.m[i].path);
        free(masks.m[i].instance);
    }
    free(masks.m);
    masks.m = NULL;
    masks.n = masks.cap = 0;
    masks.prepared = 0;
}
