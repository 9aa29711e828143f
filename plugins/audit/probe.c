/* probe.c -- runs inside the sandbox for plugins/audit/test.sh and does
 * exactly the calls the test then looks for in the audit log.
 *
 *   audit-probe names DIR      create files with awkward names in DIR
 *   audit-probe relative DIR   chdir(DIR), open "sub/../rel" and "./rel2",
 *                              then "inside" relative to a descriptor of a file
 *   audit-probe files DIR      mkdir, rename, link, symlink, unlink, rmdir
 *   audit-probe dirfd DIR N    through a descriptor of DIR/t: N files created
 *                              and removed, one renamed; then DIR/t removed
 *   audit-probe net PORT       connect/bind/sendto with IPv4, IPv6, unix
 *   audit-probe long DIR       open paths longer than PATH_MAX from DIR
 *   audit-probe fault          open a path at an unmapped address
 *   audit-probe pid NAME GO    take NAME as process name, open /dev/null once GO exists
 *   audit-probe many N         open /dev/null N times
 *   audit-probe threads T N    T threads, each opening /dev/null N times
 *   audit-probe exec ARG...    execve /bin/true with argv "true" ARG... */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

/* The awkward names: each byte string must come back exactly from the
 * JSON log. Keep in sync with test.sh. */
static const char *const names[] = {
    "new\nline", "quo\"te", "back\\slash", "bad\xff\xfe", "tab\tand\x01\x1f\x7f",
    "caf\xc3\xa9", "surrogate\xed\xa0\x80", "overlong\xc0\xaf", "emoji\xf0\x9f\x98\x80",
    "cut\xe2\x82", NULL,
};

/* Opens (creating) DIR/NAME and closes it. */
static void touch_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

/* Connects a fresh socket of `family` to `sa` (the result does not
 * matter: the call is what gets logged). */
static void try_connect(int family, int type, const void *sa, socklen_t len)
{
    int s = socket(family, type | SOCK_CLOEXEC, 0);
    if (s < 0)
        return;
    connect(s, sa, len);
    close(s);
}

static int per_thread;

/* One thread of the threads mode. */
static void *opener(void *arg)
{
    (void)arg;
    for (int i = 0; i < per_thread; i++) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "names") && argc == 3) {
        for (int i = 0; names[i]; i++)
            touch_in(argv[2], names[i]);
    } else if (!strcmp(mode, "relative") && argc == 3) {
        if (chdir(argv[2]) || mkdir("sub", 0700))
            return 1;
        touch_in("sub/..", "rel");
        touch_in(".", "rel2");
        /* A relative path under a descriptor of a file: the kernel says
         * ENOTDIR, the log still shows the path asked for. */
        touch_in(".", "plain");
        int file = open("plain", O_RDONLY | O_CLOEXEC);
        if (file < 0 || openat(file, "inside", O_RDONLY | O_CLOEXEC) >= 0 || errno != ENOTDIR)
            return 1;
        close(file);
    } else if (!strcmp(mode, "files") && argc == 3) {
        if (chdir(argv[2]))
            return 1;
        mkdir("d", 0700);
        touch_in("d", "a");
        rename("d/a", "d/b");
        link("d/b", "d/c");
        symlink("../target\nx", "d/s");
        unlink("d/b");
        unlink("d/c");
        unlink("d/s");
        rmdir("d");
    } else if (!strcmp(mode, "dirfd") && argc == 4) {
        /* The directory goes right after the last call: the log must
         * still name it as it was, not "... (deleted)". */
        char t[4096], name[32];
        snprintf(t, sizeof(t), "%s/t", argv[2]);
        int n = atoi(argv[3]);
        if (mkdir(t, 0700))
            return 1;
        int d = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0)
            return 1;
        for (int i = 0; i < n; i++) {
            snprintf(name, sizeof(name), "f%d", i);
            int f = openat(d, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
            if (f < 0 || unlinkat(d, name, 0))
                return 1;
            close(f);
        }
        int f = openat(d, "a", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        if (f < 0 || renameat(d, "a", d, "b") || unlinkat(d, "b", 0))
            return 1;
        close(f);
        close(d);
        if (rmdir(t))
            return 1;
    } else if (!strcmp(mode, "net") && argc == 3) {
        unsigned short port = (unsigned short)atoi(argv[2]);
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };
        inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
        try_connect(AF_INET, SOCK_STREAM, &in, sizeof(in));
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
        inet_pton(AF_INET6, "::1", &in6.sin6_addr);
        try_connect(AF_INET6, SOCK_STREAM, &in6, sizeof(in6));
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        strcpy(un.sun_path, "/nonexistent/audit.sock");
        try_connect(AF_UNIX, SOCK_STREAM, &un, sizeof(un));
        struct sockaddr_un ab = { .sun_family = AF_UNIX };
        memcpy(ab.sun_path, "\0audit-test", 11);
        try_connect(AF_UNIX, SOCK_STREAM, &ab, offsetof(struct sockaddr_un, sun_path) + 11);
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in any = { .sin_family = AF_INET };
        inet_pton(AF_INET, "127.0.0.1", &any.sin_addr);
        bind(s, (void *)&any, sizeof(any));
        sendto(s, "x", 1, 0, (void *)&in, sizeof(in));
        close(s);
    } else if (!strcmp(mode, "long") && argc == 3) {
        /* From DIR, open "xy/" x 1300 + "end" (3903 bytes, a valid string
         * whose absolute form is longer than PATH_MAX), then "xy/" x 1666
         * + "end" (5001 bytes, longer than PATH_MAX itself). */
        static char path[6000];
        if (chdir(argv[2]))
            return 1;
        for (int i = 0; i < 1666; i++)
            memcpy(path + 3 * i, "xy/", 3);
        memcpy(path + 3 * 1300, "end", 4);
        open(path, O_RDONLY | O_CLOEXEC);
        memcpy(path + 3 * 1300, "xy/", 3);
        memcpy(path + 3 * 1666, "end", 4);
        open(path, O_RDONLY | O_CLOEXEC);
    } else if (!strcmp(mode, "fault")) {
        syscall(SYS_openat, AT_FDCWD, (void *)8, O_RDONLY);
    } else if (!strcmp(mode, "pid") && argc == 4) {
        /* Named, so that the test finds our pid from outside (the sandbox's
         * own /proc shows another one); opens /dev/null once GO exists. */
        prctl(PR_SET_NAME, argv[2], 0, 0, 0);
        struct stat st;
        while (stat(argv[3], &st) != 0)
            usleep(2000);
        close(open("/dev/null", O_RDONLY | O_CLOEXEC));
    } else if (!strcmp(mode, "many") && argc == 3) {
        per_thread = atoi(argv[2]);
        opener(NULL);
    } else if (!strcmp(mode, "threads") && argc == 4) {
        int t = atoi(argv[2]);
        pthread_t tid[32];
        per_thread = atoi(argv[3]);
        if (t < 1 || t > 32)
            return 2;
        for (int i = 0; i < t; i++)
            pthread_create(&tid[i], NULL, opener, NULL);
        for (int i = 0; i < t; i++)
            pthread_join(tid[i], NULL);
    } else if (!strcmp(mode, "exec") && argc >= 2) {
        argv[1] = "true";
        execv("/bin/true", argv + 1);
        return 127;
    } else {
        fprintf(stderr, "audit-probe: bad mode\n");
        return 2;
    }
    return 0;
}
