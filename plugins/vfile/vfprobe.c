/* vfprobe -- runs inside the sandbox for vfile's tests; prints what the
 * child observes ("err ENAME" when a call fails):
 *   cat PATH              the whole content, as read through open + read
 *   catat DIR NAME        chdir(DIR), then openat(AT_FDCWD, NAME)
 *   openat2 PATH          the content through openat2(2)
 *   open PATH FLAGS       open with FLAGS (r, w, rw, trunc, createxcl, dir)
 *   stat|lstat|fstatat|statx PATH   "size N mode OCTAL"
 *   fstat PATH            open, then fstat the descriptor: "size N"
 *   seal PATH             open, then try to write through /proc/self/fd
 *                         and through the descriptor itself
 *   cloexec PATH          FD_CLOEXEC of a plain and of an O_CLOEXEC open
 *   access PATH r|w|x     "ok" or "err ENAME"
 *   unlink|readlink PATH  "ok" or "err ENAME"
 *   resolve DIR PATH beneath|nosymlinks|inroot   openat2(DIR, PATH) with
 *                         that RESOLVE_* flag, then the content
 *   procfd PATH           open PATH with O_PATH, then read it through
 *                         /proc/self/fd/N
 *   otherfd PATH          open PATH with O_PATH, then a child process reads
 *                         it through /proc/PARENT/fd/N (another task's link)
 *   race HARMLESS VIRTUAL SECRET N  opens and reads a path buffer at least
 *                         N times while a thread flips it between HARMLESS
 *                         and VIRTUAL (same length), until each side was
 *                         read at least once: "real K" counts the reads
 *                         that held SECRET (the real file's content behind
 *                         VIRTUAL), then whether each side was seen */
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
#include <sys/wait.h>
#include <unistd.h>

/* Prints "err ENAME" for the last failure and returns 1. */
static int fail(void)
{
    printf("err %s\n", strerrorname_np(errno));
    return 1;
}

/* Prints "ok" for rc == 0, else the error. */
static int report(long rc)
{
    if (rc < 0)
        return fail();
    printf("ok\n");
    return 0;
}

/* Copies everything fd holds to stdout between "[" and "]". */
static int dump(int fd)
{
    if (fd < 0)
        return fail();
    char buf[4096];
    ssize_t n;
    fputs("[", stdout);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    fputs("]\n", stdout);
    close(fd);
    return n < 0 ? fail() : 0;
}

/* Prints size and mode of a stat result. */
static int print_stat(int rc, const struct stat *sb)
{
    if (rc)
        return fail();
    printf("size %lld mode %o\n", (long long)sb->st_size, (unsigned)sb->st_mode);
    return 0;
}

static int open_with(const char *path, const char *how)
{
    int flags = O_RDONLY;
    if (!strcmp(how, "w"))
        flags = O_WRONLY;
    else if (!strcmp(how, "rw"))
        flags = O_RDWR;
    else if (!strcmp(how, "trunc"))
        flags = O_RDONLY | O_TRUNC;
    else if (!strcmp(how, "createxcl"))
        flags = O_WRONLY | O_CREAT | O_EXCL;
    else if (!strcmp(how, "dir"))
        flags = O_RDONLY | O_DIRECTORY;
    int fd = open(path, flags, 0600);
    if (fd < 0)
        return fail();
    printf("ok\n");
    return 0;
}

/* Opens the file and tries both ways of writing into it. */
static int seal(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fail();
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    int w = open(proc, O_WRONLY);
    const char *reopen = w < 0 ? strerrorname_np(errno) : NULL;
    ssize_t n = w >= 0 ? write(w, "x", 1) : -1;
    const char *via_proc = w < 0 ? reopen : n < 0 ? strerrorname_np(errno) : "written";
    n = write(fd, "x", 1);
    printf("proc %s fd %s\n", via_proc, n < 0 ? strerrorname_np(errno) : "written");
    return 0;
}

/* The path buffer both threads share, and what the flipper writes. */
static char race_path[4096];
static const char *race_names[2];
static atomic_int race_done;

static void *flipper(void *arg)
{
    (void)arg;
    size_t len = strlen(race_names[0]) + 1;
    for (unsigned i = 0; !atomic_load_explicit(&race_done, memory_order_relaxed); i++)
        memcpy(race_path, race_names[i & 1], len);
    return NULL;
}

/* The content of fd (up to size - 1 bytes) into buf; its length or -1. */
static ssize_t slurp(int fd, char *buf, size_t size)
{
    ssize_t got = 0, n;
    while ((size_t)got < size - 1 && (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
        got += n;
    buf[got] = '\0';
    return got;
}

static int race(const char *harmless, const char *virtual, const char *secret, long want)
{
    char harmless_content[256], got[256];
    /* Read before the race starts: the content of the harmless file. */
    int fd = open(harmless, O_RDONLY);
    if (fd < 0 || slurp(fd, harmless_content, sizeof(harmless_content)) < 0)
        return fail();
    close(fd);
    if (strlen(harmless) != strlen(virtual) || strlen(harmless) >= sizeof(race_path))
        return 2;
    race_names[0] = harmless;
    race_names[1] = virtual;
    strcpy(race_path, harmless);
    pthread_t t;
    if (pthread_create(&t, NULL, flipper, NULL))
        return 2;
    long reals = 0, harmlesses = 0, virtuals = 0, errors = 0;
    for (long i = 0; i < 50 * want && (i < want || !harmlesses || !virtuals); i++) {
        fd = open(race_path, O_RDONLY);
        if (fd < 0) {
            errors++;              /* a torn name: neither file */
            continue;
        }
        slurp(fd, got, sizeof(got));
        close(fd);
        if (strstr(got, secret))
            reals++;
        else if (!strcmp(got, harmless_content))
            harmlesses++;
        else
            virtuals++;
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("real %ld harmless %s virtual %s errors %ld\n", reals, harmlesses ? "seen" : "never",
           virtuals ? "seen" : "never", errors);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *cmd = argv[1], *path = argv[2];
    struct stat sb;
    if (!strcmp(cmd, "cat"))
        return dump(open(path, O_RDONLY));
    if (!strcmp(cmd, "catat") && argc == 4) {
        if (chdir(path))
            return fail();
        return dump(openat(AT_FDCWD, argv[3], O_RDONLY));
    }
    if (!strcmp(cmd, "openat2")) {
        struct open_how how = { .flags = O_RDONLY };
        return dump((int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)));
    }
    if (!strcmp(cmd, "open") && argc == 4)
        return open_with(path, argv[3]);
    if (!strcmp(cmd, "stat"))
        return print_stat(stat(path, &sb), &sb);
    if (!strcmp(cmd, "lstat"))
        return print_stat(lstat(path, &sb), &sb);
    if (!strcmp(cmd, "fstatat"))
        return print_stat(fstatat(AT_FDCWD, path, &sb, 0), &sb);
    if (!strcmp(cmd, "statx")) {
        struct statx sx;
        if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx))
            return fail();
        printf("size %llu mode %o\n", (unsigned long long)sx.stx_size, (unsigned)sx.stx_mode);
        return 0;
    }
    if (!strcmp(cmd, "fstat")) {
        int fd = open(path, O_RDONLY);
        if (fd < 0 || fstat(fd, &sb))
            return fail();
        printf("size %lld\n", (long long)sb.st_size);
        return 0;
    }
    if (!strcmp(cmd, "seal"))
        return seal(path);
    if (!strcmp(cmd, "procfd")) {
        int o = open(path, O_PATH);
        if (o < 0)
            return fail();
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o);
        return dump(open(proc, O_RDONLY));
    }
    if (!strcmp(cmd, "otherfd")) {
        int o = open(path, O_PATH);
        if (o < 0)
            return fail();
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int)getpid(), o);
        fflush(stdout);
        pid_t child = fork();
        if (child == 0) {
            int rc = dump(open(proc, O_RDONLY));
            fflush(stdout);
            _exit(rc);
        }
        int status;
        return child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ? fail()
                                                                                    : WEXITSTATUS(status);
    }
    if (!strcmp(cmd, "resolve") && argc == 5) {
        int dir = open(path, O_PATH | O_DIRECTORY);
        if (dir < 0)
            return fail();
        struct open_how how = { .flags = O_RDONLY,
                                .resolve = argv[4][0] == 'b' ? RESOLVE_BENEATH
                                           : argv[4][0] == 'n' ? RESOLVE_NO_SYMLINKS : RESOLVE_IN_ROOT };
        return dump((int)syscall(SYS_openat2, dir, argv[3], &how, sizeof(how)));
    }
    if (!strcmp(cmd, "race") && argc == 6)
        return race(path, argv[3], argv[4], atol(argv[5]));
    if (!strcmp(cmd, "cloexec")) {
        int a = open(path, O_RDONLY), b = open(path, O_RDONLY | O_CLOEXEC);
        if (a < 0 || b < 0)
            return fail();
        printf("plain %d cloexec %d\n", !!(fcntl(a, F_GETFD) & FD_CLOEXEC),
               !!(fcntl(b, F_GETFD) & FD_CLOEXEC));
        return 0;
    }
    if (!strcmp(cmd, "access") && argc == 4) {
        int mode = argv[3][0] == 'w' ? W_OK : argv[3][0] == 'x' ? X_OK : R_OK;
        return report(access(path, mode));
    }
    if (!strcmp(cmd, "unlink"))
        return report(unlink(path));
    if (!strcmp(cmd, "readlink")) {
        char buf[256];
        return report(readlink(path, buf, sizeof(buf)));
    }
    return 2;
}
