/* fsdiff -- the probe of fsdeny's differential test (diff.sh): runs a list
 * of file system cases and prints one line per case with what the calling
 * process observed. Run once bare and once under sandlock on identical
 * fixtures, both outputs must be the same: what fsdeny allows must mean
 * what the kernel makes of it.
 *
 *   fsdiff DIR < CASES
 *
 * DIR is the fixture (made by diff.sh); the probe works inside it. Each
 * line of CASES is "OP ARG..." (blank lines and lines starting with '#'
 * are skipped). Arguments are separated by blanks; "" is the empty
 * string; NULL a null pointer; %ROOT is replaced by DIR, %PID and %TID by
 * the probe's process and thread id, %KID by the id of a second process of
 * the probe's (forked after the descriptors below are open, so it holds
 * them too, and waiting until the probe ends); %padN:PATH is PATH (absolute) preceded
 * by as many extra '/' as make it N bytes long; %rpadN:PATH is PATH
 * (relative) preceded by "./" (and one '/') to N bytes. The output line is the
 * case, " => ", and "ok [DETAIL]" or "err ENAME".
 *
 * Before the cases it opens fixed descriptors, usable as dirfds and in
 * /dev/fd/N and /proc/self/fd/N paths:
 *   10 = "dir" (O_RDONLY|O_DIRECTORY)   11 = "file" (O_RDONLY)
 *   12 = "file" (O_PATH)                13 = "dir" (O_PATH)
 *   14 = "link-file" (O_PATH|O_NOFOLLOW: the symlink itself)
 * A DIRFD argument is a number or "cwd" (AT_FDCWD).
 *
 * Operations (DIRFD PATH pairs follow the *at(2) calls):
 *   open PATH FLAGS [MODE]          openat DIRFD PATH FLAGS [MODE]
 *   openat2 DIRFD PATH FLAGS        (also opens through /proc/self/fd
 *                                    of the result when it is O_PATH)
 *   stat PATH   lstat PATH   fstatat DIRFD PATH FLAGS   statx DIRFD PATH FLAGS
 *   statfs PATH   access PATH MODE   faccessat2 DIRFD PATH MODE FLAGS
 *   readlink PATH   readlinkat DIRFD PATH   chdir PATH   exec PATH
 *   mkdir PATH   mkdirat DIRFD PATH   mknod PATH (a FIFO)   rmdir PATH
 *   unlink PATH   unlinkat DIRFD PATH FLAGS   symlink TARGET PATH
 *   rename OLD NEW   renameat2 DIRFD OLD DIRFD NEW FLAGS
 *   link OLD NEW   linkat DIRFD OLD DIRFD NEW FLAGS
 *   chmod PATH MODE   fchmodat DIRFD PATH MODE FLAGS   chown PATH
 *   lchown PATH   fchownat DIRFD PATH FLAGS   truncate PATH LEN
 *   utimes PATH   utimensat DIRFD PATH FLAGS
 *   setxattr PATH NAME VALUE   getxattr PATH NAME   lgetxattr PATH NAME
 *   listxattr PATH   removexattr PATH NAME
 *   type PATH (lstat: the kind of entry, mode, size)   ls DIR   cat PATH
 *   umask MODE (the probe's own, for the cases after it)
 * FLAGS: names joined by '|' (O_*, AT_*, RENAME_*) or a number; MODE octal.
 * The detail of a successful call names what it reached (type, mode, size,
 * content, link target), never a path of the fixture: the two runs use
 * two fixtures. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAXARGS 8

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static const char *root;
static pid_t kid;                  /* %KID */

struct flag_name {
    const char *name;
    long value;
};

static const struct flag_name flag_names[] = {
    { "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
    { "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC },
    { "O_APPEND", O_APPEND }, { "O_NOFOLLOW", O_NOFOLLOW }, { "O_DIRECTORY", O_DIRECTORY },
    { "O_PATH", O_PATH }, { "O_TMPFILE", O_TMPFILE }, { "O_NONBLOCK", O_NONBLOCK },
    { "O_CLOEXEC", O_CLOEXEC }, { "O_NOCTTY", O_NOCTTY }, { "O_NOATIME", O_NOATIME },
    { "AT_EMPTY_PATH", AT_EMPTY_PATH }, { "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW },
    { "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW }, { "AT_REMOVEDIR", AT_REMOVEDIR },
    { "AT_EACCESS", AT_EACCESS }, { "RENAME_NOREPLACE", RENAME_NOREPLACE },
    { "RENAME_EXCHANGE", RENAME_EXCHANGE }, { "R_OK", R_OK }, { "W_OK", W_OK },
    { "X_OK", X_OK }, { "F_OK", F_OK },
};

static long parse_flags(const char *text)
{
    long v = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", text);
    for (char *save, *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        size_t i;
        for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
            if (strcmp(tok, flag_names[i].name) == 0)
                break;
        if (i < sizeof(flag_names) / sizeof(flag_names[0]))
            v |= flag_names[i].value;
        else
            v |= strtol(tok, NULL, 0);
    }
    return v;
}

static int parse_dirfd(const char *text)
{
    return strcmp(text, "cwd") == 0 ? AT_FDCWD : atoi(text);
}

static const char *kind(mode_t m)
{
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISFIFO(m) ? "fifo"
         : S_ISCHR(m) ? "chr" : S_ISSOCK(m) ? "sock" : "other";
}

/* "reg 0644 size 5" of a stat result. */
static void describe(const struct stat *sb, char *out, size_t size)
{
    snprintf(out, size, "%s %04o size %lld", kind(sb->st_mode), (unsigned)(sb->st_mode & 07777),
             S_ISDIR(sb->st_mode) || S_ISLNK(sb->st_mode) ? 0LL : (long long)sb->st_size);
}

/* The detail of an opened descriptor: its type, its file status flags
 * that F_SETFL changes, and its first line when readable. */
static void describe_fd(int fd, char *out, size_t size)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        snprintf(out, size, "fstat %s", strerrorname_np(errno));
        return;
    }
    int fl = fcntl(fd, F_GETFL);
    snprintf(out, size, "%s%s%s%s%s", kind(sb.st_mode), (fl & O_PATH) ? " opath" : "",
             (fl & O_APPEND) ? " append" : "", (fl & O_NONBLOCK) ? " nonblock" : "",
             (fl & O_NOATIME) ? " noatime" : "");
    if (S_ISREG(sb.st_mode) && !(fl & O_PATH) && (fl & O_ACCMODE) != O_WRONLY) {
        char buf[64];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        size_t len = strlen(out);
        snprintf(out + len, size - len, " \"%s\"", buf);
    }
}

/* Expands the argument syntax (see the top of the file) into out. */
static const char *expand(const char *arg, char *out, size_t size)
{
    if (strcmp(arg, "\"\"") == 0)
        return "";
    if (strcmp(arg, "NULL") == 0)
        return NULL;
    if (strstr(arg, "%ROOT") || strstr(arg, "%PID") || strstr(arg, "%TID") || strstr(arg, "%KID")) {
        size_t len = 0;
        for (const char *p = arg; *p && len + 1 < size;) {
            char num[16];
            const char *with = NULL;
            size_t skip = 0;
            if (strncmp(p, "%ROOT", 5) == 0)
                with = root, skip = 5;
            else if (strncmp(p, "%PID", 4) == 0 || strncmp(p, "%TID", 4) == 0 || strncmp(p, "%KID", 4) == 0) {
                snprintf(num, sizeof(num), "%d",
                         p[1] == 'P' ? (int)getpid() : p[1] == 'T' ? (int)gettid() : (int)kid);
                with = num, skip = 4;
            }
            if (with) {
                len += (size_t)snprintf(out + len, size - len, "%s", with);
                p += skip;
            } else {
                out[len++] = *p++;
            }
        }
        out[len < size ? len : size - 1] = '\0';
        return out;
    }
    if (strncmp(arg, "%pad", 4) == 0 || strncmp(arg, "%rpad", 5) == 0) {
        int rel = arg[1] == 'r';
        char *colon;
        long n = strtol(arg + 4 + rel, &colon, 10);
        char tail[4096];
        expand(colon + 1, tail, sizeof(tail));
        long pad = n - (long)strlen(tail);
        if (*colon != ':' || pad < 0 || n >= (long)size)
            return arg;
        memset(out, '/', (size_t)pad);
        for (long i = 0; rel && i + 1 < pad; i += 2)
            out[i] = '.';
        strcpy(out + pad, tail);
        return out;
    }
    return arg;
}

/* Runs one case; writes the detail of a success into detail and returns
 * 0, or -1 with errno set. */
static int run(int argc, char **a, char *detail, size_t dsize)
{
    const char *op = a[0];
    struct stat sb;
    char buf[4096];
    long rc = -1;
    detail[0] = '\0';
#define NEED(n) do { if (argc < (n) + 1) { errno = EINVAL; return -2; } } while (0)
    if (!strcmp(op, "open") || !strcmp(op, "openat") || !strcmp(op, "openat2")) {
        int at = strcmp(op, "open") != 0;
        NEED(2 + at);
        int dirfd = at ? parse_dirfd(a[1]) : AT_FDCWD;
        long flags = parse_flags(a[2 + at]);
        mode_t mode = argc > 3 + at ? (mode_t)strtol(a[3 + at], NULL, 8) : 0600;
        int fd;
        if (!strcmp(op, "openat2")) {
            struct open_how how = { .flags = (unsigned long long)flags, .mode = flags & (O_CREAT | O_TMPFILE) ? mode : 0 };
            fd = (int)syscall(SYS_openat2, dirfd, a[1 + at], &how, sizeof(how));
        } else {
            fd = openat(dirfd, a[1 + at], (int)flags, mode);
        }
        if (fd < 0)
            return -1;
        describe_fd(fd, detail, dsize);
        if (flags & O_PATH) {
            /* What the O_PATH descriptor is good for. */
            char self[64];
            size_t len = strlen(detail);
            snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
            int again = open(self, O_RDONLY | O_NONBLOCK);
            snprintf(detail + len, dsize - len, " reopen %s",
                     again >= 0 ? "ok" : strerrorname_np(errno));
            if (again >= 0)
                close(again);
        }
        close(fd);
        return 0;
    }
    if (!strcmp(op, "stat") || !strcmp(op, "lstat")) {
        NEED(1);
        rc = !strcmp(op, "stat") ? stat(a[1], &sb) : lstat(a[1], &sb);
        if (rc == 0)
            describe(&sb, detail, dsize);
        return (int)rc;
    }
    if (!strcmp(op, "fstatat")) {
        NEED(3);
        rc = fstatat(parse_dirfd(a[1]), a[2], &sb, (int)parse_flags(a[3]));
        if (rc == 0)
            describe(&sb, detail, dsize);
        return (int)rc;
    }
    if (!strcmp(op, "statx")) {
        NEED(3);
        struct statx sx;
        rc = statx(parse_dirfd(a[1]), a[2], (int)parse_flags(a[3]), STATX_BASIC_STATS, &sx);
        if (rc == 0)
            snprintf(detail, dsize, "%s %04o", kind(sx.stx_mode), sx.stx_mode & 07777);
        return (int)rc;
    }
    if (!strcmp(op, "statfs")) {
        NEED(1);
        struct statfs sf;
        return statfs(a[1], &sf);
    }
    if (!strcmp(op, "access")) {
        NEED(2);
        return access(a[1], (int)parse_flags(a[2]));
    }
    if (!strcmp(op, "faccessat2")) {
        NEED(4);
        return (int)syscall(SYS_faccessat2, parse_dirfd(a[1]), a[2], (int)parse_flags(a[3]),
                            (int)parse_flags(a[4]));
    }
    if (!strcmp(op, "readlink") || !strcmp(op, "readlinkat")) {
        int at = !strcmp(op, "readlinkat");
        NEED(1 + at);
        ssize_t n = readlinkat(at ? parse_dirfd(a[1]) : AT_FDCWD, a[1 + at], buf, sizeof(buf) - 1);
        if (n < 0)
            return -1;
        buf[n] = '\0';
        /* Targets inside the fixture differ between the two runs. */
        if (strncmp(buf, root, strlen(root)) == 0)
            snprintf(detail, dsize, "%%ROOT%s", buf + strlen(root));
        else if (buf[0] == '/')
            snprintf(detail, dsize, "(absolute)");
        else
            snprintf(detail, dsize, "%.*s", (int)dsize - 1, buf);
        return 0;
    }
    if (!strcmp(op, "chdir")) {
        NEED(1);
        int here = open(".", O_PATH | O_DIRECTORY);
        rc = chdir(a[1]);
        int e = errno;
        if (here >= 0) {
            if (fchdir(here) != 0)
                snprintf(detail, dsize, "cannot return");
            close(here);
        }
        errno = e;
        return (int)rc;
    }
    if (!strcmp(op, "exec")) {
        NEED(1);
        pid_t pid = fork();
        if (pid == 0) {
            char *args[] = { a[1], NULL };
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            execve(a[1], args, (char *[]){ NULL });
            _exit(100 + errno);
        }
        int status;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) > 100) {
            errno = WEXITSTATUS(status) - 100;
            return -1;
        }
        snprintf(detail, dsize, "status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
    }
    if (!strcmp(op, "umask")) { NEED(1); umask((mode_t)strtol(a[1], NULL, 8)); return 0; }
    if (!strcmp(op, "mkdir")) { NEED(1); return mkdir(a[1], 0755); }
    if (!strcmp(op, "mkdirat")) { NEED(2); return mkdirat(parse_dirfd(a[1]), a[2], 0755); }
    if (!strcmp(op, "mknod")) { NEED(1); return mknod(a[1], S_IFIFO | 0644, 0); }
    if (!strcmp(op, "rmdir")) { NEED(1); return rmdir(a[1]); }
    if (!strcmp(op, "unlink")) { NEED(1); return unlink(a[1]); }
    if (!strcmp(op, "unlinkat")) {
        NEED(3);
        return unlinkat(parse_dirfd(a[1]), a[2], (int)parse_flags(a[3]));
    }
    if (!strcmp(op, "symlink")) { NEED(2); return symlink(a[1], a[2]); }
    if (!strcmp(op, "rename")) { NEED(2); return rename(a[1], a[2]); }
    if (!strcmp(op, "renameat2")) {
        NEED(5);
        return (int)syscall(SYS_renameat2, parse_dirfd(a[1]), a[2], parse_dirfd(a[3]), a[4],
                            (unsigned)parse_flags(a[5]));
    }
    if (!strcmp(op, "link")) { NEED(2); return link(a[1], a[2]); }
    if (!strcmp(op, "linkat")) {
        NEED(5);
        return linkat(parse_dirfd(a[1]), a[2], parse_dirfd(a[3]), a[4], (int)parse_flags(a[5]));
    }
    if (!strcmp(op, "chmod")) { NEED(2); return chmod(a[1], (mode_t)strtol(a[2], NULL, 8)); }
    if (!strcmp(op, "fchmodat")) {
        NEED(4);
        return (int)syscall(SYS_fchmodat2, parse_dirfd(a[1]), a[2], (mode_t)strtol(a[3], NULL, 8),
                            (int)parse_flags(a[4]));
    }
    if (!strcmp(op, "chown")) { NEED(1); return chown(a[1], getuid(), getgid()); }
    if (!strcmp(op, "lchown")) { NEED(1); return lchown(a[1], getuid(), getgid()); }
    if (!strcmp(op, "fchownat")) {
        NEED(3);
        return fchownat(parse_dirfd(a[1]), a[2], getuid(), getgid(), (int)parse_flags(a[3]));
    }
    if (!strcmp(op, "truncate")) { NEED(2); return truncate(a[1], atol(a[2])); }
    if (!strcmp(op, "utimes")) {
        NEED(1);
        struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
        rc = utimes(a[1], tv);
        if (rc == 0 && lstat(a[1], &sb) == 0)
            snprintf(detail, dsize, "mtime %lld", (long long)sb.st_mtime);
        return (int)rc;
    }
    if (!strcmp(op, "utimensat")) {
        NEED(3);
        struct timespec ts[2] = { { 1100000000, 0 }, { 1100000000, 0 } };
        return utimensat(parse_dirfd(a[1]), a[2], ts, (int)parse_flags(a[3]));
    }
    if (!strcmp(op, "setxattr")) { NEED(3); return setxattr(a[1], a[2], a[3], strlen(a[3]), 0); }
    if (!strcmp(op, "getxattr") || !strcmp(op, "lgetxattr")) {
        NEED(2);
        ssize_t n = (!strcmp(op, "getxattr") ? getxattr : lgetxattr)(a[1], a[2], buf, sizeof(buf) - 1);
        if (n < 0)
            return -1;
        buf[n] = '\0';
        snprintf(detail, dsize, "\"%.*s\"", (int)dsize - 3, buf);
        return 0;
    }
    if (!strcmp(op, "listxattr")) {
        NEED(1);
        ssize_t n = listxattr(a[1], buf, sizeof(buf));
        if (n < 0)
            return -1;
        int user = 0;
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
            user += strncmp(buf + i, "user.", 5) == 0;
        snprintf(detail, dsize, "%d user names", user);
        return 0;
    }
    if (!strcmp(op, "removexattr")) { NEED(2); return removexattr(a[1], a[2]); }
    if (!strcmp(op, "type")) {
        NEED(1);
        rc = lstat(a[1], &sb);
        if (rc == 0)
            describe(&sb, detail, dsize);
        return (int)rc;
    }
    if (!strcmp(op, "cat")) {
        NEED(1);
        int fd = open(a[1], O_RDONLY | O_NONBLOCK);
        if (fd < 0)
            return -1;
        ssize_t n = read(fd, buf, 64);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        snprintf(detail, dsize, "\"%.*s\"", (int)dsize - 3, buf);
        return 0;
    }
    if (!strcmp(op, "ls")) {
        NEED(1);
        DIR *d = opendir(a[1]);
        if (!d)
            return -1;
        struct dirent *e;
        char names[64][64];
        int n = 0;
        while ((e = readdir(d)) && n < 64)
            if (e->d_name[0] != '.')
                snprintf(names[n++], sizeof(names[0]), "%.*s", (int)sizeof(names[0]) - 1, e->d_name);
        closedir(d);
        qsort(names, (size_t)n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
        for (int i = 0; i < n; i++) {
            size_t len = strlen(detail);
            snprintf(detail + len, dsize - len, "%s%.*s", i ? " " : "", (int)sizeof(names[0]) - 1, names[i]);
        }
        return 0;
    }
    errno = ENOSYS;
    return -2;
}

/* The fixed descriptors (see the top of the file). */
static void open_fixed(void)
{
    static const struct { int fd; const char *path; int flags; } fixed[] = {
        { 10, "dir", O_RDONLY | O_DIRECTORY }, { 11, "file", O_RDONLY }, { 12, "file", O_PATH },
        { 13, "dir", O_PATH }, { 14, "link-file", O_PATH | O_NOFOLLOW },
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        int fd = open(fixed[i].path, fixed[i].flags);
        printf("fixed %d %s => %s\n", fixed[i].fd, fixed[i].path, fd < 0 ? strerrorname_np(errno) : "ok");
        if (fd >= 0 && fd != fixed[i].fd) {
            dup2(fd, fixed[i].fd);
            close(fd);
        }
    }
}

/* %KID: a second process with the same descriptors and directory, which
 * ends when the probe does (the pipe's last writer, close-on-exec). */
static void start_kid(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return;
    kid = fork();
    if (kid == 0) {
        close(p[1]);
        char c;
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(p[0]);
}

int main(int argc, char **argv)
{
    if (argc != 2 || chdir(argv[1]) != 0) {
        fprintf(stderr, "usage: fsdiff DIR < CASES\n");
        return 2;
    }
    root = argv[1];
    open_fixed();
    start_kid();
    char line[1024];
    static char storage[MAXARGS][8192];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char copy[1024], *a[MAXARGS], *save;
        int n = 0;
        snprintf(copy, sizeof(copy), "%s", line);
        for (char *tok = strtok_r(copy, " \t", &save); tok && n < MAXARGS; tok = strtok_r(NULL, " \t", &save)) {
            a[n] = (char *)expand(tok, storage[n], sizeof(storage[n]));
            n++;
        }
        if (n == 0)
            continue;
        char detail[512];
        errno = 0;
        int rc = run(n, a, detail, sizeof(detail));
        if (rc == -2) {
            fprintf(stderr, "fsdiff: bad case: %s\n", line);
            return 2;
        }
        if (rc < 0)
            printf("%s => err %s\n", line, strerrorname_np(errno));
        else
            printf("%s => ok%s%s\n", line, detail[0] ? " " : "", detail);
        fflush(stdout);
    }
    return 0;
}
