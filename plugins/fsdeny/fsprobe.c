/* fsprobe -- runs inside the sandbox for fsdeny's tests. Each command makes
 * one system call and prints what the child observed:
 *   read PATH            open(O_RDONLY) and print "ok CONTENT" or "err ENAME"
 *   openat2 PATH         the same through openat2(2)
 *   cloexec PATH         open without and with O_CLOEXEC, print FD_CLOEXEC of both
 *   creat PATH           creat(2) and print "ok" or "err ENAME"
 *   trunc PATH           open(O_WRONLY|O_TRUNC)
 *   stat|lstat|access|unlink|rmdir|mkdir|readlink|chdir|truncate PATH
 *   rename OLD NEW | link OLD NEW | symlink TARGET LINK
 *   exec PATH            execve(PATH) with no arguments
 *   chmod PATH | chown PATH | getxattr PATH | utimensat PATH | mknod PATH
 *   race GOOD BAD N      see race() below
 *   linkrace GOOD BAD NEW N   see link_race() below
 *   chmodrace GOOD BAD LINK N  see chmod_race() below */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Prints "ok" or "err ENAME" for a call's result. */
static int report(long rc)
{
    if (rc < 0) {
        printf("err %s\n", strerrorname_np(errno));
        return 1;
    }
    printf("ok\n");
    return 0;
}

/* Prints the first line of fd's content after "ok ", then closes it. */
static int print_content(int fd)
{
    char buf[256];
    if (fd < 0) {
        printf("err %s\n", strerrorname_np(errno));
        return 1;
    }
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    printf("ok %s\n", buf);
    return 0;
}

/* The path buffer both race threads share. */
static char race_path[512];
static atomic_int race_done;

/* Flips the shared path between the good and the bad file as fast as it can. */
static void *flipper(void *arg)
{
    char *const *names = arg;
    size_t len = strlen(names[0]) + 1;
    while (!atomic_load(&race_done)) {
        memcpy(race_path, names[1], len);
        memcpy(race_path, names[0], len);
    }
    return NULL;
}

/* Opens the shared path N times while another thread flips it between GOOD
 * (allowed) and BAD (denied; both names have the same length). Prints how
 * many opens gave the good content, the bad content and errors. */
static int race(const char *good, const char *bad, long n)
{
    char *names[2] = { (char *)good, (char *)bad };
    if (strlen(good) != strlen(bad) || strlen(good) >= sizeof(race_path))
        return 2;
    memcpy(race_path, good, strlen(good) + 1);
    pthread_t t;
    pthread_create(&t, NULL, flipper, names);
    long got_good = 0, got_bad = 0, errors = 0;
    for (long i = 0; i < n; i++) {
        int fd = open(race_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            errors++;
            continue;
        }
        char buf[16] = "";
        ssize_t len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[len > 0 ? len : 0] = '\0';
        if (strncmp(buf, "good", 4) == 0)
            got_good++;
        else
            got_bad++;
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("good %ld bad %ld errors %ld\n", got_good, got_bad, errors);
    return 0;
}

/* Hard-links the shared path to NEW N times while another thread flips it
 * between GOOD (allowed) and BAD (denied), reading and removing NEW after
 * each success. Prints how often NEW held the good and the bad content. */
static int link_race(const char *good, const char *bad, const char *dest, long n)
{
    char *names[2] = { (char *)good, (char *)bad };
    if (strlen(good) != strlen(bad) || strlen(good) >= sizeof(race_path))
        return 2;
    memcpy(race_path, good, strlen(good) + 1);
    pthread_t t;
    pthread_create(&t, NULL, flipper, names);
    long got_good = 0, got_bad = 0, errors = 0;
    for (long i = 0; i < n; i++) {
        if (link(race_path, dest)) {
            errors++;
            continue;
        }
        char buf[16] = "";
        int fd = open(dest, O_RDONLY | O_CLOEXEC);
        ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
            close(fd);
        buf[len > 0 ? len : 0] = '\0';
        if (strncmp(buf, "good", 4) == 0)
            got_good++;
        else
            got_bad++;
        unlink(dest);
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("good %ld bad %ld errors %ld\n", got_good, got_bad, errors);
    return 0;
}

/* The symlink LINK flips between GOOD and BAD (renames of two prepared
 * links) in one thread. */
static const char *flip_link, *flip_targets[2];

static void *link_flipper(void *arg)
{
    (void)arg;
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", flip_link);
    for (int i = 0; !atomic_load(&race_done); i ^= 1) {
        unlink(tmp);
        if (symlink(flip_targets[i], tmp) == 0)
            rename(tmp, flip_link);
    }
    return NULL;
}

/* chmod(0777) N times on a path whose buffer flips between GOOD and BAD
 * (same length) while another thread flips the symlink LINK between them,
 * half of the calls through each. Prints how many succeeded; the test
 * checks BAD's mode from outside. */
static int chmod_race(const char *good, const char *bad, const char *link, long n)
{
    char *names[2] = { (char *)good, (char *)bad };
    if (strlen(good) != strlen(bad) || strlen(good) >= sizeof(race_path))
        return 2;
    memcpy(race_path, good, strlen(good) + 1);
    flip_link = link;
    flip_targets[0] = good;
    flip_targets[1] = bad;
    pthread_t t1, t2;
    pthread_create(&t1, NULL, flipper, names);
    pthread_create(&t2, NULL, link_flipper, NULL);
    long done = 0;
    for (long i = 0; i < n; i++)
        done += chmod(i % 2 ? link : race_path, 0777) == 0;
    atomic_store(&race_done, 1);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("chmods %ld\n", done);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *cmd = argv[1], *path = argv[2];
    if (!strcmp(cmd, "read"))
        return print_content(open(path, O_RDONLY));
    if (!strcmp(cmd, "openat2")) {
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
        return print_content((int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)));
    }
    if (!strcmp(cmd, "cloexec")) {
        int a = open(path, O_RDONLY), b = open(path, O_RDONLY | O_CLOEXEC);
        if (a < 0 || b < 0)
            return report(-1);
        printf("plain %d cloexec %d\n", !!(fcntl(a, F_GETFD) & FD_CLOEXEC),
               !!(fcntl(b, F_GETFD) & FD_CLOEXEC));
        return 0;
    }
    if (!strcmp(cmd, "creat")) {
        int fd = creat(path, 0600);
        if (fd >= 0)
            close(fd);
        return report(fd);
    }
    if (!strcmp(cmd, "trunc")) {
        int fd = open(path, O_WRONLY | O_TRUNC);
        if (fd >= 0)
            close(fd);
        return report(fd);
    }
    struct stat sb;
    char buf[256];
    if (!strcmp(cmd, "stat"))
        return report(stat(path, &sb));
    if (!strcmp(cmd, "lstat"))
        return report(lstat(path, &sb));
    if (!strcmp(cmd, "access"))
        return report(access(path, R_OK));
    if (!strcmp(cmd, "unlink"))
        return report(unlink(path));
    if (!strcmp(cmd, "rmdir"))
        return report(rmdir(path));
    if (!strcmp(cmd, "mkdir"))
        return report(mkdir(path, 0700));
    if (!strcmp(cmd, "readlink"))
        return report(readlink(path, buf, sizeof(buf)));
    if (!strcmp(cmd, "chdir"))
        return report(chdir(path));
    if (!strcmp(cmd, "truncate"))
        return report(truncate(path, 0));
    if (!strcmp(cmd, "chmod"))
        return report(chmod(path, 0777));
    if (!strcmp(cmd, "chown"))
        return report(chown(path, getuid(), getgid()));
    if (!strcmp(cmd, "getxattr"))
        return report(getxattr(path, "user.x", buf, sizeof(buf)) < 0 && errno == ENODATA ? 0 : -1);
    if (!strcmp(cmd, "utimensat"))
        return report(utimensat(AT_FDCWD, path, NULL, 0));
    if (!strcmp(cmd, "mknod"))
        return report(mknod(path, S_IFIFO | 0600, 0));
    if (!strcmp(cmd, "exec")) {
        char *args[] = { (char *)path, NULL };
        execve(path, args, NULL);
        return report(-1);
    }
    if (argc < 4)
        return 2;
    if (!strcmp(cmd, "rename"))
        return report(rename(path, argv[3]));
    if (!strcmp(cmd, "link"))
        return report(link(path, argv[3]));
    if (!strcmp(cmd, "symlink"))
        return report(symlink(path, argv[3]));
    if (!strcmp(cmd, "race") && argc == 5)
        return race(path, argv[3], atol(argv[4]));
    if (!strcmp(cmd, "chmodrace") && argc == 6)
        return chmod_race(path, argv[3], argv[4], atol(argv[5]));
    if (!strcmp(cmd, "linkrace") && argc == 6)
        return link_race(path, argv[3], argv[4], atol(argv[5]));
    return 2;
}
