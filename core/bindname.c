/* bindname.c -- see bindname.h.
 *
 * The kernel records a unix socket's name as the bytes bind() was given:
 * getsockname() and every peer see them. Binding through a descriptor of
 * the checked directory (/proc/self/fd/H/NAME) is race-free but records
 * that string, which means nothing to the child (a multiprocessing
 * listener then tells its clients an address they cannot reach). So the
 * bind is made with the child's own bytes, on a short-lived thread that
 * has the trapped thread's view: its own fs struct (unshare(CLONE_FS)),
 * the child's credentials (run_as_child), then the child's root (chroot
 * into /proc/PID/root, which is a directory of the child's mount namespace
 * when it has one of its own: the lookup then walks the child's mounts) and
 * working directory, and its umask. An unprivileged sandlock (no
 * capability to chroot) whose sandbox has a user namespace of its own
 * makes the bind in a short-lived single-threaded process that enters that
 * user namespace first (sandlock owns it: there it may chroot), takes the
 * child's root and working directory and umask, gives up every capability
 * (the child has none) and binds. Where neither is possible nothing is
 * done and the caller binds the old way.
 *
 * That lookup is the kernel's, not the checked one: the child may have
 * swapped a directory or symlink of the path in between. So afterwards the
 * file the bind created is compared with NAME in the checked directory:
 * sock_diag(7) names the socket's file (device and inode number, as
 * unix_diag reports them: 32 bits of the inode), fstatat() the checked
 * directory's entry. Equal: the socket is where it was checked to be (a
 * file the child moved there after the bind is one it could have moved
 * itself). Different: it was created elsewhere, and the caller ends the
 * sandbox before the child can use the socket. */
#define _GNU_SOURCE
#include "bindname.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct bind_view {
    const sandlock_host *host;
    sandlock_handle h;
    int sock;
    const struct sockaddr *sa;
    socklen_t len;
    int root, cwd;                 /* the child's */
    int own_root;                  /* the child's root is not ours: chroot */
    mode_t umask;                  /* the child's */
    int attempted;                 /* the view was taken and bind() called */
    int rc;
};

/* With the child's credentials (so the chroot is one the child may make
 * too, and so that nothing reads sandlock's /proc after it): the child's
 * root and working directory, then the bind. */
static int bind_in_view(void *arg)
{
    struct bind_view *v = arg;
    if (v->own_root && (fchdir(v->root) || chroot(".")))
        return -errno;
    if (fchdir(v->cwd))
        return -errno;
    v->attempted = 1;
    return bind(v->sock, v->sa, v->len) ? -errno : 0;
}

/* A thread of its own: the root and cwd it takes are its own. */
static void *view_main(void *arg)
{
    struct bind_view *v = arg;
    if (unshare(CLONE_FS)) {
        v->rc = -errno;
        return NULL;
    }
    umask(v->umask);               /* the socket file's mode is the child's */
    v->rc = v->host->run_as_child(v->h, bind_in_view, v);
    return NULL;
}

/* Opens /proc/PID/WHAT. */
static int open_proc(uint32_t pid, const char *what, int flags)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
    return open(path, flags | O_CLOEXEC);
}

/* Is /proc/PID/WHAT the same file as ours (/proc/self/WHAT)? 1, 0, -1. */
static int same_as_ours(uint32_t pid, const char *what)
{
    char path[64];
    struct stat a, b;
    snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
    if (stat(path, &a))
        return -1;
    snprintf(path, sizeof(path), "/proc/self/%s", what);
    if (stat(path, &b))
        return -1;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The file a bound unix socket was created as, from sock_diag(7): its
 * device (the kernel's encoding) and inode number. 0 or -1. */
static int bound_file(int sock, uint32_t *dev, uint32_t *ino)
{
    struct stat sb;
    if (fstat(sock, &sb))
        return -1;
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0)
        return -1;
    struct {
        struct nlmsghdr nh;
        struct unix_diag_req req;
    } q;
    memset(&q, 0, sizeof(q));
    q.nh.nlmsg_len = sizeof(q);
    q.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.nh.nlmsg_flags = NLM_F_REQUEST;
    q.req.sdiag_family = AF_UNIX;
    q.req.udiag_states = ~0u;
    q.req.udiag_ino = (uint32_t)sb.st_ino;
    q.req.udiag_show = UDIAG_SHOW_VFS;
    q.req.udiag_cookie[0] = q.req.udiag_cookie[1] = ~0u;   /* INET_DIAG_NOCOOKIE */
    union {
        struct nlmsghdr nh;
        char bytes[8192];
    } a;
    int rc = -1;
    ssize_t n = send(nl, &q, sizeof(q), 0) == (ssize_t)sizeof(q) ? recv(nl, &a, sizeof(a), 0) : -1;
    close(nl);
    if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct unix_diag_msg)) || !NLMSG_OK(&a.nh, (size_t)n) ||
        a.nh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
        return -1;
    const struct unix_diag_msg *m = NLMSG_DATA(&a.nh);
    if (m->udiag_ino != (uint32_t)sb.st_ino)
        return -1;
    int left = (int)(a.nh.nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
    for (const struct rtattr *at = (const struct rtattr *)(m + 1); RTA_OK(at, left); at = RTA_NEXT(at, left)) {
        if (at->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(at) < sizeof(struct unix_diag_vfs))
            continue;
        const struct unix_diag_vfs *vfs = RTA_DATA(at);
        *dev = vfs->udiag_vfs_dev;
        *ino = vfs->udiag_vfs_ino;
        rc = 0;
    }
    return rc;
}

/* Is the socket's file entry `base` of directory `dir`? */
static int bound_at(int sock, int dir, const char *base)
{
    uint32_t kdev, ino;
    struct stat sb;
    if (bound_file(sock, &kdev, &ino) || fstatat(dir, base, &sb, AT_SYMLINK_NOFOLLOW))
        return 0;
    /* the kernel's dev_t: 12 bits of major above 20 bits of minor */
    return S_ISSOCK(sb.st_mode) && (uint32_t)sb.st_ino == ino &&
           sb.st_dev == makedev(kdev >> 20, kdev & 0xfffffu);
}

/* The bind from a process of its own that enters the child's user
 * namespace (see the top). Only system calls after the clone: the process
 * was cloned from a multi-threaded sandlock. Returns the bind's result, or
 * -errno when the view could not be taken (then *attempted stays 0). */
static int bind_in_userns(struct bind_view *v, uint32_t pid)
{
    int userns = open_proc(pid, "ns/user", O_RDONLY), result = -EIO;
    int report[2];
    if (userns < 0)
        return -errno;
    if (pipe2(report, O_CLOEXEC)) {
        close(userns);
        return -errno;
    }
    pid_t helper = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (helper == 0) {
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { { 0, 0, 0 }, { 0, 0, 0 } };
        int rc[2] = { 0, 0 };      /* attempted, result */
        if (syscall(SYS_setns, userns, CLONE_NEWUSER) || fchdir(v->root) || chroot(".") || fchdir(v->cwd) ||
            syscall(SYS_capset, &hdr, none)) {
            rc[1] = -errno;
        } else {
            umask(v->umask);
            rc[0] = 1;
            rc[1] = bind(v->sock, v->sa, v->len) ? -errno : 0;
        }
        if (write(report[1], rc, sizeof(rc)) != (ssize_t)sizeof(rc))
            _exit(1);
        _exit(0);
    }
    close(report[1]);
    close(userns);
    if (helper > 0) {
        int rc[2];
        if (read(report[0], rc, sizeof(rc)) == (ssize_t)sizeof(rc)) {
            v->attempted = rc[0];
            result = rc[1];
        }
        waitpid(helper, NULL, 0);
    } else {
        result = -errno;
    }
    close(report[0]);
    return result;
}

int bind_as_named(const sandlock_host *host, const sandlock_event *ev, int sock,
                     const struct sockaddr *sa, socklen_t len, int dir, const char *base)
{
    struct bind_view v = { .host = host, .h = ev->handle, .sock = sock, .sa = sa, .len = len };
    int rc = BIND_NOT_TRIED;
    v.root = open_proc(ev->pid, "root", O_PATH | O_DIRECTORY);
    v.cwd = open_proc(ev->pid, "cwd", O_PATH | O_DIRECTORY);
    /* another mount namespace has other mounts even at the same root */
    int same_ns = same_as_ours(ev->pid, "ns/mnt"), same_root = same_as_ours(ev->pid, "root");
    long mask = host->child_umask(ev->handle);
    unsigned char byte;
    /* still pending: the pid named the trapped thread when we looked */
    if (v.root < 0 || v.cwd < 0 || same_ns < 0 || same_root < 0 || mask < 0 ||
        host->mem_read(ev->handle, ev->args[1], &byte, 1) < 0)
        goto out;
    v.own_root = !same_ns || !same_root;
    v.umask = (mode_t)mask & 0777;
    pthread_t t;
    if (pthread_create(&t, NULL, view_main, &v))
        goto out;
    pthread_join(t, NULL);
    if (!v.attempted && v.own_root && v.rc == -EPERM)
        v.rc = bind_in_userns(&v, ev->pid);   /* no right to chroot: see the top */
    if (!v.attempted)
        goto out;
    rc = v.rc;
    if (rc == 0 && !bound_at(sock, dir, base))
        rc = BIND_ELSEWHERE;
out:
    if (v.root >= 0)
        close(v.root);
    if (v.cwd >= 0)
        close(v.cwd);
    return rc;
}
