/* credprobe -- changes its credentials, then makes one system call and
 * prints what it observed ("ok" or "err ENAME"), so the same run can be
 * compared bare and inside a sandbox whose plugins act on its behalf.
 *
 *   credprobe DROP OP ARG...
 *
 * DROP (made with raw system calls, in the thread that then makes OP):
 *   keep          no change
 *   nobody        groups none, gid and uid 65534 (loses every capability)
 *   nobody+GID    the same with the one supplementary group GID
 *   fsuid         only fsuid and fsgid 65534 (the file capabilities go)
 *   nodac         stays uid 0 but drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
 *                 and CAP_FOWNER
 *   thread:DROP   DROP in a second thread, which makes OP; the first
 *                 thread keeps its credentials
 * OP:
 *   read PATH | stat PATH | creat PATH | mkdir PATH | rename OLD NEW | link OLD NEW
 *   reopen PATH   opens PATH read-only BEFORE the drop, then reopens it
 *                 read-write through /proc/self/fd/N
 *   bind PORT     binds a TCP socket to 127.0.0.1:PORT
 *   connect PATH  connects a unix stream socket to PATH and prints what
 *                 the server answered
 *
 *   credprobe serve PATH READY
 * listens on the unix socket PATH (creates READY once it does) and answers
 * each connection with the peer's "uid=U gid=G" (SO_PEERCRED). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static const char *drop;
static char **op;
static int pre_fd = -1;

static int drop_caps(unsigned long long mask)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &hdr, d))
        return -1;
    for (int i = 0; i < 2; i++) {
        d[i].effective &= ~(unsigned)(mask >> (32 * i));
        d[i].permitted &= ~(unsigned)(mask >> (32 * i));
        d[i].inheritable &= ~(unsigned)(mask >> (32 * i));
    }
    return (int)syscall(SYS_capset, &hdr, d);
}

/* Per-thread changes: raw system calls, not glibc's process-wide ones. */
static int change(const char *what)
{
    if (strcmp(what, "keep") == 0)
        return 0;
    if (strncmp(what, "nobody", 6) == 0) {
        gid_t g = what[6] == '+' ? (gid_t)atoi(what + 7) : 0;
        if (syscall(SYS_setgroups, what[6] == '+' ? 1 : 0, &g) ||
            syscall(SYS_setresgid, 65534, 65534, 65534) || syscall(SYS_setresuid, 65534, 65534, 65534))
            return -1;
        return 0;
    }
    if (strcmp(what, "fsuid") == 0) {
        syscall(SYS_setfsgid, 65534);
        syscall(SYS_setfsuid, 65534);
        return syscall(SYS_setfsuid, -1) == 65534 ? 0 : -1;
    }
    if (strcmp(what, "nodac") == 0)
        return drop_caps(1ull << CAP_DAC_OVERRIDE | 1ull << CAP_DAC_READ_SEARCH | 1ull << CAP_FOWNER);
    errno = EINVAL;
    return -1;
}

static int report(long rc)
{
    if (rc < 0) {
        printf("err %s\n", strerrorname_np(errno));
        return 1;
    }
    printf("ok\n");
    return 0;
}

static int run_op(void)
{
    const char *name = op[0], *a = op[1], *b = op[2];
    if (strcmp(name, "read") == 0) {
        int fd = open(a, O_RDONLY);
        if (fd >= 0)
            close(fd);
        return report(fd);
    }
    if (strcmp(name, "stat") == 0) {
        struct stat st;
        return report(stat(a, &st));
    }
    if (strcmp(name, "creat") == 0) {
        int fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0)
            close(fd);
        return report(fd);
    }
    if (strcmp(name, "mkdir") == 0)
        return report(mkdir(a, 0755));
    if (strcmp(name, "rename") == 0)
        return report(rename(a, b));
    if (strcmp(name, "link") == 0)
        return report(link(a, b));
    if (strcmp(name, "reopen") == 0) {
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", pre_fd);
        int fd = open(self, O_RDWR);
        if (fd >= 0)
            close(fd);
        return report(fd);
    }
    if (strcmp(name, "bind") == 0) {
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a)),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int s = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        int rc = bind(s, (struct sockaddr *)&sin, sizeof(sin));
        return report(rc);
    }
    if (strcmp(name, "connect") == 0) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
            return report(-1);
        char buf[128];
        ssize_t n = read(s, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        printf("ok %s\n", buf);
        return 0;
    }
    fprintf(stderr, "credprobe: unknown op %s\n", name);
    return 2;
}

static void *thread_main(void *arg)
{
    if (change(arg)) {
        printf("drop failed: %s\n", strerrorname_np(errno));
        return (void *)2;
    }
    return (void *)(long)run_op();
}

static int serve(const char *path, const char *ready)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0777) || listen(s, 8))
        return 1;
    close(open(ready, O_CREAT | O_WRONLY, 0644));
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            dprintf(c, "uid=%u gid=%u\n", (unsigned)cred.uid, (unsigned)cred.gid);
        close(c);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2], argv[3]);
    if (argc < 4) {
        fprintf(stderr, "usage: credprobe DROP OP ARG...\n");
        return 2;
    }
    drop = argv[1];
    op = argv + 2;
    if (strcmp(op[0], "reopen") == 0 && (pre_fd = open(op[1], O_RDONLY)) < 0)
        return report(-1);
    if (strncmp(drop, "thread:", 7) == 0) {
        pthread_t t;
        void *rc;
        if (pthread_create(&t, NULL, thread_main, (void *)(drop + 7)) || pthread_join(t, &rc))
            return 2;
        return (int)(long)rc;
    }
    if (change(drop)) {
        printf("drop failed: %s\n", strerrorname_np(errno));
        return 2;
    }
    return run_op();
}
