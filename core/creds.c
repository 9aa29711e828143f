/* creds.c -- see creds.h.
 *
 * The trapped thread's credentials cannot change while it waits in the
 * trapped call (it runs no code), so what is read now is what it had when
 * it made the call; a liveness check after reading proves the pid still
 * named it. Its capabilities come from capget(), its ids from the pidfd
 * (PIDFD_GET_INFO) or /proc/PID/status, which also has the groups.
 *
 * Why sandlock's groups may stay: the child's capabilities and groups can
 * only shrink (no_new_privs: an execve grants nothing new), so without
 * CAP_SETGID in sandlock's permitted set the child's groups are sandlock's;
 * and with CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID
 * and CAP_CHOWN every permission check the groups take part in is passed
 * anyway. Only then are they not read. */
#include "config.h"
#include "creds.h"
#include "childfd.h"
#include "log.h"
#include "sandbox.h"
#include "supervisor.h"
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* More supplementary groups than this in the child: not taken over
 * (-EPERM), sandlock does not act. */
#define MAX_GROUPS SL_CREDS_MAX_GROUPS

/* PIDFD_GET_INFO (Linux 6.13), in case the system headers predate it. */
struct pidfd_creds_info {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
};
#define PIDFD_INFO_CREDS_BIT (1ull << 1)
#define PIDFD_GET_INFO_CREDS _IOWR(0xFF, 11, struct pidfd_creds_info)

#define CAP(c) (1ull << (c))
/* With all of these the kernel passes every check the groups take part in. */
#define DAC_CAPS (CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_DAC_READ_SEARCH) | CAP(CAP_FOWNER) | \
                  CAP(CAP_FSETID))

/* One thread's credentials as far as they are switched. */
struct ids {
    uid_t euid, fsuid;
    gid_t egid, fsgid;
    uint64_t eff;
    int ngroups;               /* -1: not read (sandlock's stay) */
    gid_t groups[MAX_GROUPS];
};

/* sandlock's own credentials, read once. */
static struct {
    int error;                 /* reading them failed: never act */
    int fixed;                 /* no capabilities, one uid, one gid: the child cannot differ */
    uid_t ruid, euid, suid, fsuid;
    gid_t rgid, egid, sgid, fsgid;
    uint64_t eff, perm, inh;
    int ngroups;
    gid_t *groups;
    dev_t userns_dev;
    ino_t userns_ino;
} own;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;
static atomic_int no_pidfd_info;   /* the kernel has no PIDFD_GET_INFO */

enum { CH_GROUPS = 1, CH_GID = 2, CH_UID = 4, CH_CAPS = 8 };

/* What the calling thread is doing. */
static __thread struct {
    unsigned depth;            /* open enters */
    sandlock_handle handle;    /* the notification it acts for */
    unsigned changed;          /* CH_*: what differs from sandlock's */
    struct ids applied;        /* the child's, as switched to */
} cur;

static int caps_get(pid_t pid, uint64_t *eff, uint64_t *perm, uint64_t *inh)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, pid };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &hdr, d) != 0)
        return -errno;
    *eff = d[0].effective | (uint64_t)d[1].effective << 32;
    if (perm)
        *perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
    if (inh)
        *inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
    return 0;
}

/* Sets the calling thread's capabilities (raw capset: this thread only). */
static int caps_set(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
        { (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
    };
    return syscall(SYS_capset, &hdr, d) == 0 ? 0 : -errno;
}

static int user_ns(const char *proc_dir, dev_t *dev, ino_t *ino)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%s/ns/user", proc_dir);
    if (stat(path, &st) != 0)
        return -errno;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return 0;
}

static void own_read(void)
{
    if (getresuid(&own.ruid, &own.euid, &own.suid) || getresgid(&own.rgid, &own.egid, &own.sgid) ||
        caps_get(0, &own.eff, &own.perm, &own.inh) || user_ns("self", &own.userns_dev, &own.userns_ino)) {
        own.error = errno ? errno : EPERM;
        return;
    }
    own.fsuid = (uid_t)syscall(SYS_setfsuid, -1);   /* an invalid id: only reports */
    own.fsgid = (gid_t)syscall(SYS_setfsgid, -1);
    int n = getgroups(0, NULL);
    own.groups = n > 0 ? calloc((size_t)n, sizeof(gid_t)) : NULL;
    if (n < 0 || (n > 0 && (!own.groups || getgroups(n, own.groups) != n))) {
        own.error = ENOMEM;
        return;
    }
    own.ngroups = n;
    own.fixed = own.perm == 0 && own.ruid == own.euid && own.euid == own.suid && own.suid == own.fsuid &&
                own.rgid == own.egid && own.egid == own.sgid && own.sgid == own.fsgid;
}

/* "4\t5\t6\t7" -> the four numbers (real, effective, saved, file system). */
static int parse_ids(const char *p, unsigned v[4])
{
    char *end;
    for (int i = 0; i < 4; i++) {
        v[i] = (unsigned)strtoul(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
    }
    return 0;
}

/* The line of /proc/PID/status that starts with `key`, after the key. */
static const char *status_field(const char *buf, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = buf; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, key, n) == 0)
            return p + n;
    }
    return NULL;
}

/* All ids (r, e, s, fs) and, with `groups`, the groups (at most `max`) of
 * thread pid from its status. */
static int read_status_ids(pid_t pid, unsigned uid[4], unsigned gid[4], gid_t *groups, int max, int *ngroups)
{
    char path[64], buf[8192];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -EPERM;
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = '\0';
    if (len >= sizeof(buf) - 1)
        return -EPERM;              /* that many groups: not taken over */
    const char *u = status_field(buf, "Uid:"), *g = status_field(buf, "Gid:");
    if (!u || !g || parse_ids(u, uid) || parse_ids(g, gid))
        return -ESRCH;              /* an exiting task shows no ids */
    if (!groups)
        return 0;               /* (*ngroups untouched) */
    const char *p = status_field(buf, "Groups:");
    if (!p)
        return -ESRCH;
    *ngroups = 0;
    for (;;) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p)
            break;
        if (*ngroups == max)
            return -EPERM;
        groups[(*ngroups)++] = (gid_t)v;
        p = end;
    }
    return 0;
}

/* Ids (and, with `groups`, the groups) of thread pid from its status. */
static int read_status(pid_t pid, struct ids *c, int groups)
{
    unsigned uid[4], gid[4];
    int rc = read_status_ids(pid, uid, gid, groups ? c->groups : NULL, MAX_GROUPS, &c->ngroups);
    if (rc)
        return rc;
    c->euid = uid[1];
    c->fsuid = uid[3];
    c->egid = gid[1];
    c->fsgid = gid[3];
    return 0;
}

/* Ids of t's thread through its pidfd; -ENOTTY without PIDFD_GET_INFO. */
static int read_pidfd_info(const struct sl_target *t, struct ids *c)
{
    struct pidfd_creds_info info;
    for (int renew = 0; renew < 2; renew++) {
        int pidfd = sl_child_pidfd(t, renew);
        if (pidfd < 0)
            return pidfd;
        memset(&info, 0, sizeof(info));
        info.mask = PIDFD_INFO_CREDS_BIT;
        if (ioctl(pidfd, PIDFD_GET_INFO_CREDS, &info) == 0) {
            if (!(info.mask & PIDFD_INFO_CREDS_BIT))
                return -ENOTTY;
            c->euid = info.euid;
            c->fsuid = info.fsuid;
            c->egid = info.egid;
            c->fsgid = info.fsgid;
            return 0;
        }
        if (errno != ESRCH)
            return errno == EINVAL || errno == ENOTTY ? -ENOTTY : -EPERM;
    }
    return -ESRCH;
}

/* The credentials of t's thread; checked live afterwards. */
static int child_read(const struct sl_target *t, struct ids *c)
{
    int rc = caps_get(t->pid, &c->eff, NULL, NULL);
    if (rc)
        return rc == -ESRCH ? -ESRCH : -EPERM;
    int groups = (own.perm & CAP(CAP_SETGID)) && (c->eff & DAC_CAPS) != DAC_CAPS;
    c->ngroups = -1;
    rc = -ENOTTY;
    if (!groups && !atomic_load_explicit(&no_pidfd_info, memory_order_relaxed)) {
        rc = read_pidfd_info(t, c);
        if (rc == -ENOTTY)
            atomic_store_explicit(&no_pidfd_info, 1, memory_order_relaxed);
    }
    if (rc == -ENOTTY)
        rc = read_status(t->pid, c, groups);
    if (rc)
        return rc;
    if (c->eff && !sl_views_userns_ours(sl_views_of(t->handle))) {
        /* Capabilities of another user namespace are none in ours. */
        char dir[16];
        dev_t dev;
        ino_t ino;
        snprintf(dir, sizeof(dir), "%d", (int)t->pid);
        rc = user_ns(dir, &dev, &ino);
        if (rc)
            return rc == -ENOENT ? -ESRCH : -EPERM;
        if (dev != own.userns_dev || ino != own.userns_ino)
            return -EPERM;
        if (sl_target_check(t))
            return -ESRCH;
        sl_views_learn_userns_ours(sl_views_of(t->handle));
        return 0;
    }
    return sl_target_check(t);
}

static int same_groups(const struct ids *c)
{
    if (c->ngroups != own.ngroups)
        return 0;
    for (int i = 0; i < c->ngroups; i++)
        if (c->groups[i] != own.groups[i])
            return 0;
    return 1;
}

/* The end of sandlock: a worker that cannot get its own credentials back
 * must not serve anything else. */
static void __attribute__((noreturn)) cannot_restore(int err)
{
    sl_log(SANDLOCK_LOG_ERROR, "a worker cannot return to sandlock's own credentials (%s): ending the sandbox",
           strerror(err));
    sl_supervisor_kill_here(SIGKILL);
    _exit(125);
}

/* Undoes what cur.changed says differs. */
static void restore(void)
{
    unsigned ch = cur.changed;
    cur.changed = 0;
    if (!ch)
        return;
    int saved = errno, bad = 0;
    /* The way back may need CAP_SETUID / CAP_SETGID: all permitted first. */
    if ((ch & (CH_UID | CH_GID | CH_GROUPS)) && caps_set(own.perm, own.perm, own.inh))
        bad = errno;
    if ((ch & CH_UID) && syscall(SYS_setresuid, -1, own.euid, -1) != 0)
        bad = errno;
    if (ch & CH_UID) {
        syscall(SYS_setfsuid, own.fsuid);
        if ((uid_t)syscall(SYS_setfsuid, -1) != own.fsuid)
            bad = EPERM;
    }
    if ((ch & CH_GID) && syscall(SYS_setresgid, -1, own.egid, -1) != 0)
        bad = errno;
    if (ch & CH_GID) {
        syscall(SYS_setfsgid, own.fsgid);
        if ((gid_t)syscall(SYS_setfsgid, -1) != own.fsgid)
            bad = EPERM;
    }
    if ((ch & CH_GROUPS) && syscall(SYS_setgroups, own.ngroups, own.groups) != 0)
        bad = errno;
    if (caps_set(own.eff, own.perm, own.inh))
        bad = errno;
    if (bad)
        cannot_restore(bad);
    errno = saved;
}

/* Switches the calling thread to c where it differs from sandlock's. */
static int apply(const struct ids *c)
{
    unsigned want = 0;
    if (c->ngroups >= 0 && !same_groups(c))
        want |= CH_GROUPS;
    if (c->egid != own.egid || c->fsgid != own.fsgid)
        want |= CH_GID;
    if (c->euid != own.euid || c->fsuid != own.fsuid)
        want |= CH_UID;
    uint64_t eff = c->eff & own.perm;
    if (eff != own.eff || (want & CH_UID))
        want |= CH_CAPS;
    if (!want)
        return 0;
    /* With real and saved uid non-zero, a non-zero euid would cost the
     * permitted set, and with it the way back. */
    if ((want & CH_UID) && own.perm && own.ruid && own.suid && c->euid)
        return -EPERM;
    cur.changed = want;
    if ((want & CH_GROUPS) && syscall(SYS_setgroups, c->ngroups, c->groups) != 0)
        goto fail;
    if (want & CH_GID) {
        if (syscall(SYS_setresgid, -1, c->egid, -1) != 0)
            goto fail;
        syscall(SYS_setfsgid, c->fsgid);
        if ((gid_t)syscall(SYS_setfsgid, -1) != c->fsgid)
            goto fail;
    }
    if (want & CH_UID) {
        if (syscall(SYS_setresuid, -1, c->euid, -1) != 0)
            goto fail;
        syscall(SYS_setfsuid, c->fsuid);
        if ((uid_t)syscall(SYS_setfsuid, -1) != c->fsuid)
            goto fail;
    }
    if (caps_set(eff, own.perm, own.inh))
        goto fail;
    return 0;
fail:
    restore();
    return -EPERM;
}

/* The last trapped thread's credentials this thread read, for the
 * notification `id`: they cannot change while that thread waits, so a
 * second enter for the same notification (open_path, then run_as_child)
 * reads nothing again. */
static __thread struct {
    uint64_t id;
    pid_t pid;                 /* 0: nothing kept */
    struct ids c;
} seen;

/* t's credentials: kept from this notification, or read (and kept). */
static int child_ids(const struct sl_target *t, const struct ids **c)
{
    if (seen.pid != t->pid || seen.id != t->id) {
        seen.pid = 0;
        int rc = child_read(t, &seen.c);
        if (rc)
            return rc;
        seen.pid = t->pid;
        seen.id = t->id;
    }
    *c = &seen.c;
    return 0;
}

int sl_creds_enter(const struct sl_target *t)
{
    if (cur.depth) {
        if (cur.handle != t->handle)
            return -EBUSY;
        cur.depth++;
        return 0;
    }
    pthread_once(&own_once, own_read);
    if (own.error)
        return -EPERM;
    if (!own.fixed) {
        const struct ids *c;
        int rc = child_ids(t, &c);
        if (rc)
            return rc;
        rc = apply(c);
        if (rc)
            return rc;
        cur.applied = *c;
    }
    cur.depth = 1;
    cur.handle = t->handle;
    return 0;
}

void sl_creds_leave(void)
{
    if (cur.depth && --cur.depth == 0)
        restore();
}

void sl_creds_reset(void)
{
    if (cur.depth) {
        cur.depth = 0;
        restore();
    }
}

int sl_creds_suspend(void)
{
    if (!cur.depth)
        return 0;
    int token = (int)cur.depth;
    cur.depth = 0;
    restore();
    return token;
}

void sl_creds_resume(int token)
{
    if (!token)
        return;
    if (!own.fixed && apply(&cur.applied) != 0)
        cannot_restore(EPERM);
    cur.depth = (unsigned)token;
}

int sl_creds_acting_for(sandlock_handle h)
{
    return cur.depth && cur.handle == h;
}

int sl_creds_snapshot(const struct sl_target *t, struct sl_creds_all *c)
{
    unsigned uid[4], gid[4];
    int rc = caps_get(t->pid, &c->eff, &c->perm, &c->inh);
    if (rc)
        return rc == -ESRCH ? -ESRCH : -EPERM;
    rc = read_status_ids(t->pid, uid, gid, c->groups, SL_CREDS_MAX_GROUPS, &c->ngroups);
    if (rc)
        return rc;
    c->ruid = uid[0];
    c->euid = uid[1];
    c->suid = uid[2];
    c->fsuid = uid[3];
    c->rgid = gid[0];
    c->egid = gid[1];
    c->sgid = gid[2];
    c->fsgid = gid[3];
    pthread_once(&own_once, own_read);
    char dir[16];
    dev_t dev = 0;
    ino_t ino = 0;
    snprintf(dir, sizeof(dir), "%d", (int)t->pid);
    if (own.error || (rc = user_ns(dir, &dev, &ino)) != 0)
        return rc == -ENOENT ? -ESRCH : -EPERM;
    c->same_userns = dev == own.userns_dev && ino == own.userns_ino;
    return sl_target_check(t);
}

int sl_run_as_child(sandlock_handle h, int (*fn)(void *arg), void *arg)
{
    if (!fn)
        return -EINVAL;
    struct sl_target t;
    int rc = sl_target_of(h, &t);
    if (rc)
        return rc;
    rc = sl_creds_enter(&t);
    if (rc)
        return rc;
    rc = fn(arg);
    sl_creds_leave();
    return rc;
}
