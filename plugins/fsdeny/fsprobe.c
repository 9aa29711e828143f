/* fsprobe -- runs inside the sandbox for fsdeny's tests. Each command makes
 * one system call and prints what the child observed:
 *   read PATH            open(O_RDONLY) and print "ok CONTENT" or "err ENAME"
 *   openat2 PATH         the same through openat2(2)
 *   cloexec PATH         open without and with O_CLOEXEC, print FD_CLOEXEC of both
 *   creat PATH           creat(2) and print "ok" or "err ENAME"
 *   tmpfile DIR          open(DIR, O_TMPFILE|O_RDWR): an unnamed file in DIR
 *   trunc PATH           open(O_WRONLY|O_TRUNC)
 *   stat|lstat|access|unlink|rmdir|mkdir|readlink|chdir|truncate PATH
 *   rename OLD NEW | link OLD NEW | symlink TARGET LINK
 *   exec PATH            execve(PATH) with no arguments
 *   chmod PATH | chown PATH | getxattr PATH | utimensat PATH | mknod PATH
 *   race GOOD BAD N      opens of a flipping path, see race() below
 *   linkrace GOOD BAD NEW N   links of a flipping path to NEW, the same
 *   chmodrace GOOD BAD LINK N  see chmod_race() below
 *   readrace GOOD BAD N  N opens of a path flipping between GOOD and BAD (no
 *                        outcome required): "good N bad M errors E"
 *   inotify DIR          watch DIR (IN_CREATE), create DIR/new: "ok new" or "err ENAME"
 *   execrace GOOD BAD N  N vfork()ed execs of a path flipping between GOOD and BAD
 *                        (argv "prog BAD"): prints "execs N"
 *   bindrace GOOD BAD N  unix stream binds to an address whose sun_path flips
 *                        between GOOD and BAD (each bound file is removed)
 *   sendrace GOOD BAD N  unix datagrams ("x") sent to such an address: "good"
 *                        counts the sends that succeeded (the test reads
 *                        the listeners' logs)
 *   connectrace GOOD BAD N  unix stream connects to such an address (listeners
 *                        that greet, at both); the peer's name tells which
 *                        was reached
 *   backlog SOCK FILE N  connects wait for room in a full backlog while FILE
 *                        is opened: see backlog() below
 *   lease FILE OTHER [creat]  an open (with O_CREAT) that waits for a lease
 *                        break while OTHER is opened: see lease() below */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
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

/* The path buffer both race threads share (the unix races flip the
 * sun_path of race_sa instead). */
static char race_path[512];
static struct sockaddr_un race_sa = { .sun_family = AF_UNIX };
static char *race_buf = race_path;
static atomic_int race_done;

/* Flips the shared path between the good and the bad file as fast as it can. */
static void *flipper(void *arg)
{
    char *const *names = arg;
    size_t len = strlen(names[0]) + 1;
    while (!atomic_load(&race_done)) {
        memcpy(race_buf, names[1], len);
        memcpy(race_buf, names[0], len);
    }
    return NULL;
}

/* One attempt of a race: open (or link) the shared path once. Returns what
 * the child got: 'g' the good content, 'b' the bad content, 'e' an error. */
typedef char race_attempt(const char *dest);

static char read_outcome(int fd)
{
    char buf[16] = "";
    ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[len > 0 ? len : 0] = '\0';
    return strncmp(buf, "good", 4) == 0 ? 'g' : 'b';
}

static char open_attempt(const char *dest)
{
    (void)dest;
    int fd = open(race_path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? 'e' : read_outcome(fd);
}

static char link_attempt(const char *dest)
{
    if (link(race_path, dest))
        return 'e';
    char got = read_outcome(open(dest, O_RDONLY | O_CLOEXEC));
    unlink(dest);
    return got;
}

/* bind (or connect to) the shared unix address: 'g' or 'b' by the name
 * the socket got (or the listener has), 'e' an error. A bound file is
 * removed again; a listener's greeting is read before closing. */
static char unix_attempt(int connecting)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const struct sockaddr *sa = (const struct sockaddr *)&race_sa;
    if (fd < 0 || (connecting ? connect(fd, sa, sizeof(race_sa)) : bind(fd, sa, sizeof(race_sa)))) {
        if (fd >= 0)
            close(fd);
        return 'e';
    }
    struct sockaddr_un got;
    socklen_t len = sizeof(got);
    int rc = connecting ? getpeername(fd, (struct sockaddr *)&got, &len) : getsockname(fd, (struct sockaddr *)&got, &len);
    char outcome = rc ? 'e' : strstr(got.sun_path, "good") ? 'g' : 'b';
    char greeting[16];
    if (connecting && read(fd, greeting, sizeof(greeting)) < 0)
        outcome = 'e';
    if (!connecting && !rc)
        unlink(got.sun_path);
    close(fd);
    return outcome;
}

static char send_attempt(const char *dest)
{
    (void)dest;
    static int fd = -1;
    if (fd < 0)
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return sendto(fd, "x", 1, 0, (struct sockaddr *)&race_sa, sizeof(race_sa)) == 1 ? 'g' : 'e';
}

static char bind_attempt(const char *dest)
{
    (void)dest;
    return unix_attempt(0);
}

static char connect_attempt(const char *dest)
{
    (void)dest;
    return unix_attempt(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs ATTEMPT on the shared path while another thread flips it between
 * GOOD (allowed) and BAD (denied; both names have the same length): at
 * least N times, and on until both the good file and an error were seen
 * `want` times each, so that both sides of the race were exercised however
 * the two threads happen to be scheduled (a loaded machine may leave the
 * flipper off-CPU for a long stretch). Gives up after 60 s. Prints how many
 * attempts gave the good content, the bad content and errors. */
static int race(race_attempt *attempt, const char *good, const char *bad, const char *dest,
                long n, long want)
{
    char *names[2] = { (char *)good, (char *)bad };
    if (strlen(good) != strlen(bad) || strlen(good) >= sizeof(race_path))
        return 2;
    memcpy(race_buf, good, strlen(good) + 1);
    pthread_t t;
    pthread_create(&t, NULL, flipper, names);
    long count[3] = { 0, 0, 0 };     /* good, bad, errors */
    double deadline = now_s() + 60;
    for (long i = 0; i < n || count[0] < want || count[2] < want; i++) {
        char got = attempt(dest);
        count[got == 'g' ? 0 : got == 'b' ? 1 : 2]++;
        if ((i & 255) == 255 && now_s() > deadline)
            break;
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("good %ld bad %ld errors %ld\n", count[0], count[1], count[2]);
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

/* An inotify watch of dir, then a file created in it: the event's name. */
static int watch(const char *dir)
{
    int fd = inotify_init1(IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir, IN_CREATE) < 0)
        return report(-1);
    char file[PATH_MAX];
    snprintf(file, sizeof(file), "%s/new", dir);
    close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    union {
        struct inotify_event ev;
        char buf[sizeof(struct inotify_event) + NAME_MAX + 1];
    } u;
    if (read(fd, &u, sizeof(u)) <= 0)
        return report(-1);
    printf("ok %s\n", u.ev.len ? u.ev.name : "");
    return 0;
}

/* N execs, each from a vfork()ed child sharing our memory, of the path a
 * second thread flips between GOOD and BAD; BAD is expected to print its
 * argument ("BAD") if it ever runs. */
static int exec_race(const char *good, const char *bad, long n)
{
    char *names[2] = { (char *)good, (char *)bad };
    if (strlen(good) != strlen(bad) || strlen(good) >= sizeof(race_path))
        return 2;
    memcpy(race_buf, good, strlen(good) + 1);
    pthread_t t;
    pthread_create(&t, NULL, flipper, names);
    long done = 0;
    for (long i = 0; i < n; i++) {
        char *args[] = { race_path, "BAD", NULL };
        pid_t pid = vfork();
        if (pid == 0) {
            execve(race_path, args, NULL);
            _exit(127);
        }
        if (pid > 0 && waitpid(pid, NULL, 0) == pid)
            done++;
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("execs %ld\n", done);
    return 0;
}

/* A listener at SOCK whose backlog is full (listen 0, one connection not
 * accepted). The connector thread connects new sockets to it, each made
 * O_NONBLOCK just before its connect; the clearer thread clears O_NONBLOCK
 * again after a delay that sweeps the time the trapped call takes, so the
 * flag is sometimes gone only after sandlock looked at it. A connect that
 * lost its O_NONBLOCK waits for room; each time one is seen waiting (100
 * ms in connect), FILE is opened (a trapped call: with workers = 1 it is
 * answered only if no worker waits with the connect) and must be answered
 * within 5 s, then one connection is accepted to make room. After N such
 * waits (or 60 s): "waits W", or "stuck after W" when an open was not. */
static atomic_int bl_sock = -1, bl_done;
static atomic_long bl_round, bl_in_connect;

static void spin_us(long us)
{
    double end = now_s() + (double)us / 1e6;
    while (now_s() < end)
        ;
}

static void *bl_connector(void *arg)
{
    const struct sockaddr_un *sa = arg;
    while (!atomic_load(&bl_done)) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        fcntl(s, F_SETFL, O_NONBLOCK);
        atomic_store(&bl_sock, s);
        atomic_fetch_add(&bl_round, 1);
        atomic_store(&bl_in_connect, 1);
        connect(s, (const struct sockaddr *)sa, sizeof(*sa));
        atomic_store(&bl_in_connect, 0);
        atomic_store(&bl_sock, -1);
        close(s);
    }
    return NULL;
}

static void *bl_clearer(void *arg)
{
    (void)arg;
    long seen = 0;
    for (long k = 0; !atomic_load(&bl_done); k++) {
        long round = atomic_load(&bl_round);
        if (round == seen) {
            sched_yield();
            continue;
        }
        seen = round;
        spin_us((k * 7) % 400);
        int s = atomic_load(&bl_sock);
        if (s >= 0 && atomic_load(&bl_round) == round)
            fcntl(s, F_SETFL, 0);
    }
    return NULL;
}

static atomic_int bl_open_asked, bl_open_done;

static void *bl_opener(void *arg)
{
    const char *file = arg;
    for (;;) {
        while (!atomic_load(&bl_open_asked))
            usleep(1000);
        atomic_store(&bl_open_asked, 0);
        int fd = open(file, O_RDONLY);
        if (fd >= 0)
            close(fd);
        atomic_store(&bl_open_done, 1);
    }
    return NULL;
}

/* Prints "WHAT N" and ends the process (the connector may wait again).
 * By write(2): stdio's first output looks at stdout with fstat(2), a
 * trapped call that a held worker would never answer. */
static void __attribute__((noreturn)) bl_exit(int rc, const char *what, long n)
{
    char line[64];
    int len = snprintf(line, sizeof(line), "%s %ld\n", what, n);
    if (write(1, line, (size_t)len) < 0)
        rc = 2;
    _exit(rc);
}

static int backlog(const char *path, const char *file, long n)
{
    static struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path))
        return 2;
    strcpy(sa.sun_path, path);
    int lis = socket(AF_UNIX, SOCK_STREAM, 0), first = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(lis, (struct sockaddr *)&sa, sizeof(sa)) || listen(lis, 0) ||
        connect(first, (struct sockaddr *)&sa, sizeof(sa)))
        return report(-1);
    pthread_t t;
    pthread_create(&t, NULL, bl_connector, &sa);
    pthread_create(&t, NULL, bl_clearer, NULL);
    pthread_create(&t, NULL, bl_opener, (void *)file);
    long waits = 0, last = -1;
    double since = 0, deadline = now_s() + 60;
    while (waits < n && now_s() < deadline) {
        usleep(10000);
        long round = atomic_load(&bl_round);
        if (!atomic_load(&bl_in_connect) || round != last) {
            last = round;
            since = now_s();
            continue;
        }
        if (now_s() - since < 0.1)
            continue;
        waits++;                   /* the connect waits for room */
        atomic_store(&bl_open_done, 0);
        atomic_store(&bl_open_asked, 1);
        double until = now_s() + 5;
        while (!atomic_load(&bl_open_done) && now_s() < until)
            usleep(1000);
        if (!atomic_load(&bl_open_done))
            bl_exit(1, "stuck after", waits);
        int c = accept(lis, NULL, NULL);
        if (c >= 0)
            close(c);
        last = -1;
    }
    atomic_store(&bl_done, 1);
    bl_exit(0, "waits", waits);
}

/* FILE is opened read-only and leased (F_RDLCK); another thread opens it
 * for writing, which waits until the lease is given up (the kernel tells
 * the holder with SIGIO, and waits lease-break-time, 45 s by default).
 * While it waits, OTHER is opened (a trapped call: with workers = 1 it is
 * answered only if no worker waits with the open) and must be answered
 * within 5 s; then the lease is given up and the writer's open succeeds.
 * "lease ok", or "stuck" when OTHER's open was not answered. Output by
 * write(2), as bl_exit(). */
static atomic_int lease_writer_done, lease_broken;

static void on_lease_break(int sig)
{
    (void)sig;
    atomic_store(&lease_broken, 1);
}

static int lease_creat;    /* the writer opens with O_CREAT */

static void *lease_writer(void *arg)
{
    int fd = open((const char *)arg, O_WRONLY | (lease_creat ? O_CREAT : 0), 0644);
    if (fd >= 0)
        close(fd);
    atomic_store(&lease_writer_done, fd >= 0 ? 1 : -1);
    return NULL;
}

static void *lease_other(void *arg)
{
    int fd = open((const char *)arg, O_RDONLY);
    if (fd >= 0)
        close(fd);
    atomic_store(&bl_open_done, fd >= 0 ? 1 : -1);
    return NULL;
}

static int lease(const char *file, const char *other)
{
    struct sigaction sa = { .sa_handler = on_lease_break, .sa_flags = SA_RESTART };
    sigaction(SIGIO, &sa, NULL);
    int fd = open(file, O_RDONLY);
    if (fd < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
        bl_exit(2, "no lease, errno", errno);
    pthread_t t;
    pthread_create(&t, NULL, lease_writer, (void *)file);
    /* The writer's open is under way once the lease holder was told. */
    double until = now_s() + 10;
    while (!atomic_load(&lease_broken) && !atomic_load(&lease_writer_done) && now_s() < until)
        usleep(1000);
    if (atomic_load(&lease_writer_done))
        bl_exit(2, "the writer did not wait", atomic_load(&lease_writer_done));
    pthread_create(&t, NULL, lease_other, (void *)other);
    until = now_s() + 5;
    while (!atomic_load(&bl_open_done) && now_s() < until)
        usleep(1000);
    int answered = atomic_load(&bl_open_done);
    fcntl(fd, F_SETLEASE, F_UNLCK);
    until = now_s() + 10;
    while (!atomic_load(&lease_writer_done) && now_s() < until)
        usleep(1000);
    if (answered != 1)
        bl_exit(1, "stuck", answered);
    bl_exit(atomic_load(&lease_writer_done) == 1 ? 0 : 1, "lease ok, writer", atomic_load(&lease_writer_done));
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
    if (!strcmp(cmd, "tmpfile")) {
        int fd = open(path, O_TMPFILE | O_RDWR, 0600);
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
    if (!strcmp(cmd, "inotify"))
        return watch(path);
    if (argc < 4)
        return 2;
    if (!strcmp(cmd, "rename"))
        return report(rename(path, argv[3]));
    if (!strcmp(cmd, "link"))
        return report(link(path, argv[3]));
    if (!strcmp(cmd, "symlink"))
        return report(symlink(path, argv[3]));
    if (!strcmp(cmd, "race") && argc == 5)
        return race(open_attempt, path, argv[3], NULL, atol(argv[4]), 100);
    if (!strcmp(cmd, "readrace") && argc == 5)
        return race(open_attempt, path, argv[3], NULL, atol(argv[4]), 0);
    if (!strcmp(cmd, "execrace") && argc == 5)
        return exec_race(path, argv[3], atol(argv[4]));
    if (!strcmp(cmd, "chmodrace") && argc == 6)
        return chmod_race(path, argv[3], argv[4], atol(argv[5]));
    if ((!strcmp(cmd, "bindrace") || !strcmp(cmd, "connectrace") || !strcmp(cmd, "sendrace")) && argc == 5) {
        if (strlen(path) >= sizeof(race_sa.sun_path))
            return 2;
        race_buf = race_sa.sun_path;
        return race(cmd[0] == 'b' ? bind_attempt : cmd[0] == 'c' ? connect_attempt : send_attempt, path, argv[3],
                    NULL, atol(argv[4]), 10);
    }
    if (!strcmp(cmd, "backlog") && argc == 5)
        return backlog(path, argv[3], atol(argv[4]));
    if (!strcmp(cmd, "lease") && (argc == 4 || (argc == 5 && !strcmp(argv[4], "creat")))) {
        lease_creat = argc == 5;
        return lease(path, argv[3]);
    }
    if (!strcmp(cmd, "linkrace") && argc == 6)
        return race(link_attempt, path, argv[3], argv[4], atol(argv[5]), 10);
    return 2;
}
