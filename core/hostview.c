/* hostview.c -- see hostview.h. Everything marked STUB_CODE runs in the
 * stub, in the sandbox's own mount namespace, before the command exists:
 * it allocates nothing and reports the path that failed. */
#include "config.h"
#include "hostview.h"
#include "here.h"
#include "masks.h"
#include "stubcode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The session's settings (here.h); without one, the defaults. The stub
 * reads them too: it runs with the thread-local storage of the thread
 * that started it, which works for its session. */
#define view (*(sl_here ? sl_here : &defaults))
static struct sl_here defaults = { .protect_kernel = 1, .minimal_devices = 1 };

void sl_hostview_configure(int protect_kernel, int minimal_devices)
{
    if (!sl_here)
        return;
    sl_here->protect_kernel = protect_kernel;
    sl_here->minimal_devices = minimal_devices;
}

/* ---- /dev ---- */

/* The host's character devices the sandbox keeps: harmless to every user
 * (tty is the caller's own controlling terminal, whatever it is). */
static const struct {
    const char *name, *path;
} kept_devices[] = {
    { "null", "/dev/null" },       { "zero", "/dev/zero" },       { "full", "/dev/full" },
    { "random", "/dev/random" },   { "urandom", "/dev/urandom" }, { "tty", "/dev/tty" },
};

static const struct {
    const char *path, *target;
} dev_links[] = {
    { "/dev/fd", "/proc/self/fd" },        { "/dev/stdin", "/proc/self/fd/0" },
    { "/dev/stdout", "/proc/self/fd/1" },  { "/dev/stderr", "/proc/self/fd/2" },
    { "/dev/ptmx", "pts/ptmx" },
};

/* An empty file at `path` to mount over. */
STUB_CODE static int mount_point(const char *path)
{
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Binds the host's /dev/<name> (through `host_dev`, an O_PATH fd of the
 * host's /dev taken before the new one covered it) onto `path`. */
STUB_CODE static int bind_host_node(int host_dev, const char *name, const char *path)
{
    char source[64];
    snprintf(source, sizeof(source), "/proc/self/fd/%d/%s", host_dev, name);
    return mount_point(path) != 0 || mount(source, path, NULL, MS_BIND, NULL) != 0 ? -1 : 0;
}

/* The host's log socket (/dev/log), as a link or a bound socket. */
STUB_CODE static int keep_log_socket(int host_dev)
{
    struct stat st;
    char target[256];
    if (fstatat(host_dev, "log", &st, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    if (S_ISSOCK(st.st_mode))
        return bind_host_node(host_dev, "log", "/dev/log");
    if (!S_ISLNK(st.st_mode))
        return 0;
    ssize_t n = readlinkat(host_dev, "log", target, sizeof(target) - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return symlink(target, "/dev/log");
}

/* The host's device `name` (st: its stat) at `path`: a node of the same
 * device and mode where the stub may make one (real root: cheaper than a
 * mount), else a bind of the host's (a user namespace may not mknod). */
STUB_CODE static int keep_device(int host_dev, const char *name, const char *path, const struct stat *st)
{
    if (mknod(path, S_IFCHR | 0600, st->st_rdev) == 0)
        return chmod(path, st->st_mode & 07777) == 0 && chown(path, st->st_uid, st->st_gid) == 0 ? 0 : -1;
    return errno == EPERM ? bind_host_node(host_dev, name, path) : -1;
}

STUB_CODE static int make_devices(int host_dev, const char **failed)
{
    *failed = "/dev";
    /* Not nodev: the kept nodes may be made here. Nobody else makes one:
     * mknod(2) of a device is refused to the command (argdeny.c). */
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755,size=65536k") != 0)
        return -1;
    for (size_t i = 0; i < sizeof(kept_devices) / sizeof(kept_devices[0]); i++) {
        struct stat st;
        if (fstatat(host_dev, kept_devices[i].name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISCHR(st.st_mode))
            continue;   /* not on this host: not in the sandbox either */
        *failed = kept_devices[i].path;
        if (keep_device(host_dev, kept_devices[i].name, kept_devices[i].path, &st) != 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
        *failed = dev_links[i].path;
        if (symlink(dev_links[i].target, dev_links[i].path) != 0)
            return -1;
    }
    /* Terminals of the sandbox's own: the host's other terminals (another
     * user's session) are not there to be read or written. */
    *failed = "/dev/pts";
    if (mkdir("/dev/pts", 0755) != 0 ||
        mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") != 0)
        return -1;
    /* Shared memory of the sandbox's own: a directory of this tmpfs (the
     * host's shm is nosuid and nodev, exec allowed: so is this /dev). */
    *failed = "/dev/shm";
    if (mkdir("/dev/shm", 01777) != 0 || chmod("/dev/shm", 01777) != 0)
        return -1;
    *failed = "/dev/log";
    return keep_log_socket(host_dev);
}

STUB_CODE int sl_hostview_devices(const char **failed)
{
    if (!view.minimal_devices)
        return 0;
    *failed = "/dev";
    int host_dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (host_dev < 0)
        return -1;
    int rc = make_devices(host_dev, failed);
    int saved = errno;
    close(host_dev);
    errno = saved;
    return rc;
}

/* ---- /proc and /sys ---- */

/* Kernel settings and triggers: writable by root, global to the host. */
static const char *const readonly_kernel[] = {
    "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", "/sys",
};

/* `path` and everything mounted below it read-only. A path that is no
 * mount point of its own is bound onto itself first, so that the
 * attributes do not reach the mount that holds it; /sys is one already
 * (binding it would copy each of the mounts below it for nothing). A path
 * this kernel does not have is left alone. */
STUB_CODE static int make_readonly(const char *path)
{
    struct statx stx;
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) != 0)
        return errno == ENOENT ? 0 : -1;
    int mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                     (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    if (!mount_root && mount(path, path, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
    };
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr));
}

STUB_CODE int sl_hostview_kernel(const char **failed)
{
    if (!view.protect_kernel)
        return 0;
    for (size_t i = 0; i < sizeof(readonly_kernel) / sizeof(readonly_kernel[0]); i++) {
        *failed = readonly_kernel[i];
        if (make_readonly(readonly_kernel[i]) != 0)
            return -1;
    }
    /* The kernel's memory, as an ELF core file: reads as empty. */
    *failed = "/proc/kcore";
    if (access("/proc/kcore", F_OK) == 0 && mount("/dev/null", "/proc/kcore", NULL, MS_BIND, NULL) != 0)
        return -1;
    return 0;
}

/* Without namespaces of its own, the sandbox sees the host's. */
static const char no_namespaces[] = "as the host's: the sandbox has no mount namespace of its own here";

const char *sl_hostview_kernel_summary(void)
{
    if (!sl_namespaces_possible())
        return no_namespaces;
    return view.protect_kernel ? "read-only: /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs, "
                                 "/sys and everything below it; hidden: /proc/kcore"
                               : "as the host's (protect_kernel = no)";
}

const char *sl_hostview_devices_summary(void)
{
    if (!sl_namespaces_possible())
        return no_namespaces;
    return view.minimal_devices ? "minimal: null, zero, full, random, urandom, tty, own pts and shm"
                                : "the host's /dev (devices = host)";
}
