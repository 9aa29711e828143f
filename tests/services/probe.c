/* probe -- the sandboxed side of the services tests (see svc.c for what
 * the plugin does with each call). Runs the operations named on its
 * command line in order and prints one line per operation. Built static
 * so that it also runs inside a bare chroot directory. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#define DEFER_FD 100
#define RELEASE_FD 101
#define RELEASE_FD 101

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

static void print_rc(const char *what, long rc)
{
    if (rc < 0)
        printf("%s: errno=%s\n", what, ename(errno));
    else
        printf("%s: ret=%ld\n", what, rc);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Reads what an fd holds and whether it is close-on-exec and writable. */
static void show_fd(const char *what, int fd)
{
    if (fd < 0) {
        printf("%s: errno=%s\n", what, ename(errno));
        return;
    }
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    int cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
    ssize_t w = write(fd, "!", 1);
    printf("%s: data=%s cloexec=%d write=%s\n", what, buf, cloexec, w == 1 ? "ok" : ename(errno));
    close(fd);
}

/* A page followed by an unmapped page. */
static char *edge_page(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || munmap(p + page, (size_t)page))
        exit(2);
    return p + page;
}

/* A read of DEFER_FD on a thread of its own. The svc plugin writes "held"
 * into `buf` when it holds the read (defer_delay = hold): the main thread
 * waits for that, or for `done`, instead of for a time. */
struct deferred {
    pthread_t thread;
    char buf[16];
    char out[128];
    atomic_int done;
};

static void *deferred_read(void *arg)
{
    struct deferred *d = arg;
    uint64_t start = now_us();
    ssize_t n = read(DEFER_FD, d->buf, sizeof(d->buf) - 1);
    int e = errno;
    uint64_t ms = (now_us() - start) / 1000;
    if (n >= 0) {
        d->buf[n] = '\0';
        snprintf(d->out, sizeof(d->out), "ret=%zd data=%s ms=%llu", n, d->buf, (unsigned long long)ms);
    } else {
        snprintf(d->out, sizeof(d->out), "errno=%s ms=%llu", ename(e), (unsigned long long)ms);
    }
    atomic_store(&d->done, 1);
    return NULL;
}

static void start_deferred(struct deferred *d)
{
    memset(d, 0, sizeof(*d));
    pthread_create(&d->thread, NULL, deferred_read, d);
}

static int is_held(struct deferred *d)
{
    return memcmp((const char *)(volatile char *)d->buf, "held", 4) == 0;
}

/* How many of the n reads have returned. */
static int done_count(struct deferred *d, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += atomic_load(&d[i].done);
    return k;
}

/* Polls until `held` of d (when held >= 0) or until `k` of the n reads
 * have returned; at most 20 s, the tests' bound for an event. 1 or 0. */
static int wait_for_reads(struct deferred *d, int n, int k, int held)
{
    for (int i = 0; i < 20000; i++) {
        if (held >= 0 ? is_held(d) : done_count(d, n) >= k)
            return 1;
        usleep(1000);
    }
    return 0;
}

/* The svc plugin answers the reads it holds. */
static void release_held(void)
{
    char c;
    if (read(RELEASE_FD, &c, 1) != 0)
        printf("release failed: %s\n", ename(errno));
}

static void setup_defer_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || dup2(fd, DEFER_FD) != DEFER_FD) {
        /* In a bare chroot there is no /dev/null: any fd will do, the
         * plugin answers reads on DEFER_FD itself. */
        int p[2];
        if (pipe(p) || dup2(p[0], DEFER_FD) != DEFER_FD)
            exit(2);
    }
}

/* N threads read DEFER_FD at once; prints each result, in thread order. */
static void defer_parallel(int n)
{
    static struct deferred d[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++)
        start_deferred(&d[i]);
    for (int i = 0; i < n; i++) {
        pthread_join(d[i].thread, NULL);
        printf("read %d: %s\n", i, d[i].out);
    }
}

/* N threads read DEFER_FD at once (the plugin holds what it defers); once K
 * of them have returned, the held ones are released. Prints how many had
 * returned before the release, then each result in thread order. */
static void defer_hold(int n, int k)
{
    static struct deferred d[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++)
        start_deferred(&d[i]);
    wait_for_reads(d, n, k, -1);
    printf("returned before release: %d\n", done_count(d, n));
    release_held();
    for (int i = 0; i < n; i++) {
        pthread_join(d[i].thread, NULL);
        printf("read %d: %s\n", i, d[i].out);
    }
}

/* One read held by the plugin while this thread makes 2000 getppid calls
 * (answered at once by the plugin): they all complete, and the read is
 * still pending after them -- no worker waits for it. */
static void defer_busy(void)
{
    static struct deferred d;
    start_deferred(&d);
    int held = wait_for_reads(&d, 1, 0, 1);
    int calls = 0, right = 0;
    for (; calls < 2000; calls++)
        right += syscall(SYS_getppid) == 4242;
    int pending = !atomic_load(&d.done);
    release_held();
    pthread_join(d.thread, NULL);
    printf("busy: held=%d calls=%d all4242=%d pending_after=%d\n", held, calls, calls == right, pending);
    printf("read: %s\n", d.out);
}

/* The plugin sends "via-dup" on its copy of one end of a socket pair;
 * the child reads it from the other end. */
static void dup_socket(const char *what)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        exit(2);
    long rc = syscall(SYS_flistxattr, sv[0], 0, 0);
    char buf[32] = "";
    struct pollfd pfd = { .fd = sv[1], .events = POLLIN };
    if (poll(&pfd, 1, 1000) == 1) {
        ssize_t n = read(sv[1], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    printf("%s: ret=%ld peer=%s\n", what, rc, buf);
    close(sv[0]);
    close(sv[1]);
}

static void *dup_socket_thread(void *arg)
{
    (void)arg;
    dup_socket("dup-thread");
    return NULL;
}

/* flip-rename: one thread rewrites the old path between two names of the
 * same length while the other renames; the plugin reports whether any
 * read of a path differed within one notification (svc.c, read_once). */
static char flip_old[64] = "/nonexistent/AAAAAAAA";
static atomic_int flip_stop;

static void *flipper(void *arg)
{
    (void)arg;
    char *name = strrchr(flip_old, '/') + 1;
    while (!atomic_load_explicit(&flip_stop, memory_order_relaxed)) {
        char c = name[0] == 'A' ? 'B' : 'A';
        for (int i = 0; name[i]; i++)
            ((volatile char *)name)[i] = c;
    }
    return NULL;
}

static void flip_rename(void)
{
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    long differ = 0, seen[2] = { 0, 0 }, n;
    /* Until both names were seen often (the race ran both ways), at most
     * a bounded number of calls. */
    for (n = 0; n < 400000 && (seen[0] < 500 || seen[1] < 500); n++) {
        long rc = syscall(SYS_renameat2, AT_FDCWD, flip_old, AT_FDCWD, "/nonexistent/new", 1u << 30);
        if (rc < 100)
            break;
        differ += (rc - 100) & 1;
        seen[((rc - 100) >> 1) & 1]++;
    }
    atomic_store(&flip_stop, 1);
    pthread_join(t, NULL);
    printf("flip-rename: differ=%ld both=%d\n", differ, seen[0] >= 500 && seen[1] >= 500);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    setup_defer_fd();
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(op, "strlen")) {             /* strlen TEXT */
            print_rc("strlen", syscall(SYS_getxattr, arg, 0, 0, 0));
            i++;
        } else if (!strcmp(op, "strlen-null")) {
            print_rc("strlen-null", syscall(SYS_getxattr, NULL, 0, 0, 0));
        } else if (!strcmp(op, "strlen-edge")) { /* a string ending at a mapping's end */
            char *end = edge_page();
            memcpy(end - 5, "edge", 5);
            print_rc("strlen-edge", syscall(SYS_getxattr, end - 5, 0, 0, 0));
            end[-1] = 'X';
            print_rc("strlen-edge-unterminated", syscall(SYS_getxattr, end - 5, 0, 0, 0));
        } else if (!strcmp(op, "reverse")) {     /* reverse TEXT */
            char out[256] = "";
            long rc = syscall(SYS_lgetxattr, arg, strlen(arg), out, 0);
            if (rc < 0)
                printf("reverse: errno=%s\n", ename(errno));
            else
                printf("reverse: ret=%ld out=%s\n", rc, out);
            i++;
        } else if (!strcmp(op, "reverse-bad")) {
            char out[16] = "";
            print_rc("reverse-bad", syscall(SYS_lgetxattr, (char *)8, 4, out, 0));
            char *end = edge_page();
            print_rc("reverse-across", syscall(SYS_lgetxattr, end - 2, 4, out, 0));
        } else if (!strcmp(op, "write")) {       /* write N */
            char buf[64];
            memset(buf, '.', sizeof(buf));
            buf[sizeof(buf) - 1] = '\0';
            long rc = syscall(SYS_fgetxattr, buf, atoi(arg), 0, 0);
            if (rc < 0)
                printf("write: errno=%s\n", ename(errno));
            else
                printf("write: ret=%ld buf=%s\n", rc, buf);
            i++;
        } else if (!strcmp(op, "write-bad")) {
            print_rc("write-null", syscall(SYS_fgetxattr, NULL, 4, 0, 0));
            char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            print_rc("write-readonly", syscall(SYS_fgetxattr, ro, 4, 0, 0));
        } else if (!strcmp(op, "open")) {        /* open PATH */
            show_fd(arg, openat(AT_FDCWD, arg, O_RDONLY));
            i++;
        } else if (!strcmp(op, "openat")) {      /* openat DIR PATH */
            int dfd = open(arg, O_RDONLY | O_DIRECTORY);
            const char *path = i + 2 < argc ? argv[i + 2] : "";
            show_fd(path, openat(dfd, path, O_RDONLY));
            close(dfd);
            i += 2;
        } else if (!strcmp(op, "open-flags")) {  /* open-flags PATH nofollow|creat|wronly */
            const char *how = i + 2 < argc ? argv[i + 2] : "";
            int flags = !strcmp(how, "nofollow") ? O_RDONLY | O_NOFOLLOW
                      : !strcmp(how, "creat")    ? O_RDWR | O_CREAT | O_EXCL
                      : !strcmp(how, "wronly")   ? O_WRONLY | O_TRUNC
                      : O_RDONLY;
            int fd = openat(AT_FDCWD, arg, flags, 0640);
            if (fd >= 0 && (flags & O_ACCMODE) != O_RDONLY) {
                ssize_t w = write(fd, "from-child", 10);
                printf("%s %s: ret=ok write=%zd\n", arg, how, w);
                close(fd);
            } else if (fd >= 0) {
                show_fd(arg, fd);
            } else {
                printf("%s %s: errno=%s\n", arg, how, ename(errno));
            }
            i += 2;
        } else if (!strcmp(op, "open-fault")) {  /* "#r:" + a string running into a hole */
            char *end = edge_page();
            memcpy(end - 6, "#r:abc", 6);
            show_fd("open-fault", openat(AT_FDCWD, end - 6, O_RDONLY));
        } else if (!strcmp(op, "openat-file")) { /* openat FILE "#r:x": dirfd is no directory */
            int dfd = open(arg, O_RDONLY);
            show_fd("openat-file", openat(dfd, "#r:x", O_RDONLY));
            close(dfd);
            i++;
        } else if (!strcmp(op, "openat-file-any")) { /* the same with #a: (no directory check) */
            int dfd = open(arg, O_RDONLY);
            show_fd("openat-file-any", openat(dfd, "#a:x/../y", O_RDONLY));
            close(dfd);
            i++;
        } else if (!strcmp(op, "openat-nodir")) { /* openat-nodir FILE PATH: any file as dirfd */
            int dfd = open(arg, O_RDONLY);
            const char *path = i + 2 < argc ? argv[i + 2] : "";
            show_fd(path, openat(dfd, path, O_RDONLY));
            close(dfd);
            i += 2;
        } else if (!strcmp(op, "openat-socket")) { /* openat-socket PATH: a socket as dirfd */
            int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
            show_fd(arg, openat(sfd, arg, O_RDONLY));
            close(sfd);
            i++;
        } else if (!strcmp(op, "openat-socket-any")) { /* #a: on a socket: still no path */
            int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
            show_fd("openat-socket-any", openat(sfd, "#a:x", O_RDONLY));
            close(sfd);
        } else if (!strcmp(op, "cd")) {          /* cd DIR */
            if (chdir(arg))
                printf("cd: errno=%s\n", ename(errno));
            i++;
        } else if (!strcmp(op, "flip-rename")) {
            flip_rename();
        } else if (!strcmp(op, "umask")) {       /* umask OCTAL */
            umask((mode_t)strtol(arg, NULL, 8));
            i++;
        } else if (!strcmp(op, "dup-socket")) {
            dup_socket("dup-socket");
        } else if (!strcmp(op, "dup-thread")) {  /* the same from a thread that is no group leader */
            pthread_t t;
            pthread_create(&t, NULL, dup_socket_thread, NULL);
            pthread_join(t, NULL);
        } else if (!strcmp(op, "dup-bad")) {
            print_rc("dup-closed", syscall(SYS_flistxattr, 999, 0, 0));
            int p[2];
            pipe(p);
            print_rc("dup-pipe", syscall(SYS_flistxattr, p[1], 0, 0));
        } else if (!strcmp(op, "defer")) {       /* defer [N threads] */
            defer_parallel(i + 1 < argc && atoi(arg) > 0 ? atoi(arg) : 1);
            if (i + 1 < argc && atoi(arg) > 0)
                i++;
        } else if (!strcmp(op, "defer-hold")) {  /* defer-hold N K */
            defer_hold(atoi(arg), i + 2 < argc ? atoi(argv[i + 2]) : 0);
            i += 2;
        } else if (!strcmp(op, "defer-bind")) {  /* a judged socket call deferred, answered Continue */
            int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            struct sockaddr_un sa = { .sun_family = AF_UNIX };
            memcpy(sa.sun_path, "\0svc-defer-bind", 16);
            if (sock < 0 || dup2(sock, DEFER_FD) != DEFER_FD)
                exit(2);
            print_rc("defer-bind", bind(DEFER_FD, (struct sockaddr *)&sa,
                                        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 16)));
            close(DEFER_FD);
            close(sock);
        } else if (!strcmp(op, "defer-open")) {  /* an open deferred, answered Continue */
            print_rc("defer-open", open("#k:x", O_RDONLY));
        } else if (!strcmp(op, "defer-busy")) {
            defer_busy();
        } else if (!strcmp(op, "defer-exit")) {  /* exit while a read is held */
            static struct deferred d;
            start_deferred(&d);
            printf("exiting%s\n", wait_for_reads(&d, 1, 0, 1) ? "" : " (the read was never held)");
            exit(0);
        } else {
            fprintf(stderr, "probe: unknown operation '%s'\n", op);
            return 2;
        }
    }
    return 0;
}
