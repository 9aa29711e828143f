/* probe -- runs inside the sandbox, makes system calls and reports what it
 * observes, one line per step on stdout (flushed at once).
 *
 *   probe STEP...
 *
 * Steps (run in order):
 *   getppid            raw getppid(): "getppid=RET errno=NAME"
 *   getppid:N          N calls, prints the last result only
 *   uname              raw uname(): "uname=RET errno=NAME"
 *   getpid             raw getpid(): "getpid=RET errno=NAME"
 *   open:PATH          openat(PATH, O_RDONLY); on success reads it:
 *                      "open=FD errno=0 data=TEXT" (the fd is closed again)
 *   openloop:PATH:N    N opens of PATH, each read and closed; prints
 *                      "openloop ok=N bad=M" (bad: failed or wrong data,
 *                      compared with the first read)
 *   create:PATH        openat(PATH, O_CREAT|O_WRONLY): "create=RET errno=NAME"
 *   fds                the open descriptors: "fds=0,1,2"
 *   fds:err            the same on stderr
 *   int80              getpid through the i386 gate (int 0x80): "int80=RET"
 *   x32                getpid with the x32 bit (0x40000000): "x32=RET"
 *   int80:NR           i386 syscall NR (no arguments) through int 0x80
 *   unshare|mount|ptrace  each attempt: "NAME=RET errno=NAME"
 *   nr:NR[:ARG...]     raw syscall NR, its arguments numbers (missing: 0):
 *                      "nr:NR[:ARG...]=RET errno=NAME"
 *   iouring            io_uring_setup/enter/register: "io_uring_setup=RET ..."
 *   clone:FLAGS        raw clone(FLAGS|SIGCHLD) (FLAGS: names joined by '+',
 *                      e.g. NEWUSER+NEWNS); the child exits at once:
 *                      "clone:FLAGS=0|-1 errno=NAME" (0: a child was made)
 *   clone3:FLAGS       the same through clone3(2)
 *   spawn              fork, vfork, a thread and posix_spawn(/bin/true):
 *                      "spawn fork=ok vfork=ok thread=ok posix_spawn=ok"
 *   fanotify           fanotify_init(FAN_CLASS_NOTIF|FAN_REPORT_FID)
 *   socket:DOM:TYPE[:PROTO]  raw socket(DOM, TYPE, PROTO or 0); DOM inet|
 *                      inet6|packet|inethi (AF_INET with bit 32 set)|unix|
 *                      netlink|alg|vsock|vsockhi|xdp|tipc, TYPE raw|dgram|
 *                      stream|seqpacket|packet|rawnb (SOCK_RAW|SOCK_NONBLOCK|
 *                      SOCK_CLOEXEC); raw IP sockets with IPPROTO_RAW
 *   uffd               ioctl(USERFAULTFD_IOC_NEW) on /dev/null (ENOTTY when
 *                      the kernel runs it) and on /dev/userfaultfd
 *   hostpid            "hostpid=PID" (the pid /proc/self shows: with the
 *                      sandbox's own /proc, the pid in its namespace)
 *   name:NAME          set the process name (comm) to NAME, so that a test
 *                      can find the process from outside: "named NAME"
 *   hold               open /dev/null and keep it: "hold=FD"
 *   pokemem:PID|parent open /proc/PID/mem read-write: "pokemem=0|-1 errno=E",
 *                      then its fds: "pokefd=listed|ERRNO opened=N"
 *   daemon:FILE        fork a child that calls setsid(), takes FILE's base
 *                      name as its process name (comm), writes its pid to
 *                      FILE and sleeps; waits for the file
 *   signals            handle SIGINT/TERM/HUP/QUIT, print "ready", wait;
 *                      on a signal print "got SIGNAME" and exit 0
 *   threads:N:M:WANT   N threads x M getppid() each; WANT is a number or
 *                      "tid": each thread's own answer (the same for all its
 *                      calls, and no other thread's): "threads ok=X bad=Y"
 *   loop:N             N getppid() calls: "loop=N"
 *   slowpar:LOG[:REL]  a thread makes a (slow) uname call; once LOG exists,
 *                      100 getppid() calls, then whether the uname is still
 *                      blocked, then REL is created:
 *                      "slowpar uname_still_blocked=0|1"
 *   pause:FILE         print "paused FILE", wait until FILE exists
 *   sleep:SECONDS      sleep
 *   exit:N             exit with status N
 *   raise:SIG          kill itself with signal number SIG
 *
 * Outside a sandbox, as the only step:
 *   subreaper CMD ARG...  become a child subreaper, run CMD and wait for it:
 *                      "status=N orphans=K", K the processes CMD left behind
 *                      (its descendants are ours once it ended: none may be)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
    if (e == 0)
        return "0";
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void report(const char *what, long rc)
{
    say("%s=%ld errno=%s", what, rc, rc < 0 ? errname(errno) : "0");
}

static pid_t host_pid(void)
{
    char buf[64];
    ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return (pid_t)atoi(buf);
}

static void wait_file(const char *path)
{
    struct stat st;
    const struct timespec ts = { 0, 5 * 1000 * 1000 };
    while (stat(path, &st) != 0)
        nanosleep(&ts, NULL);
}

/* Reads an fd into buf (NUL-terminated); returns the length or -1. */
static ssize_t slurp(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == size - 1)
            break;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
    got_signal = sig;
}

struct thread_arg {
    long calls;
    long want;
    int want_tid;  /* the thread's first answer, unlike other threads' */
    long first;
    long ok, bad;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    long want = a->want;
    for (long i = 0; i < a->calls; i++) {
        long r = syscall(SYS_getppid);
        if (a->want_tid && i == 0)
            want = a->first = r > 0 ? r : -1;
        if (r == want)
            a->ok++;
        else
            a->bad++;
    }
    return NULL;
}

static atomic_int slow_tid;

static void *slow_main(void *p)
{
    (void)p;
    struct utsname u;
    atomic_store(&slow_tid, (int)gettid());
    syscall(SYS_uname, &u);
    return NULL;
}

/* "NEWUSER+NEWNS" -> CLONE_NEWUSER|CLONE_NEWNS (0 for an empty list). */
static unsigned long clone_flags(const char *list)
{
    static const struct { const char *name; unsigned long flag; } names[] = {
        { "NEWNS", CLONE_NEWNS }, { "NEWUSER", CLONE_NEWUSER }, { "NEWPID", CLONE_NEWPID },
        { "NEWNET", CLONE_NEWNET }, { "NEWUTS", CLONE_NEWUTS }, { "NEWIPC", CLONE_NEWIPC },
        { "NEWCGROUP", CLONE_NEWCGROUP }, { "NEWTIME", CLONE_NEWTIME },
    };
    unsigned long flags = 0;
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", list ? list : "");
    for (char *save = NULL, *t = strtok_r(copy, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
        size_t i = 0;
        while (i < sizeof(names) / sizeof(names[0]) && strcmp(names[i].name, t))
            i++;
        if (i == sizeof(names) / sizeof(names[0])) {
            say("probe: unknown clone flag '%s'", t);
            exit(2);
        }
        flags |= names[i].flag;
    }
    return flags;
}

/* A clone's result in the parent: the child (which exits at once) is
 * reaped and the result reported as 0, so the line does not hold a pid. */
static void report_clone(const char *what, long rc)
{
    int e = errno;
    if (rc > 0) {
        waitpid((pid_t)rc, NULL, __WALL);
        rc = 0;
    }
    errno = e;
    report(what, rc);
}

static void *thread_noop(void *p)
{
    return p;
}

/* vfork in a function of its own: nothing of the caller's frame is live. */
static __attribute__((noinline)) pid_t vfork_exit7(void)
{
    pid_t c = vfork();
    if (c == 0)
        _exit(7);
    return c;
}

static void spawn_all(void)
{
    int status = -1;
    pid_t c = fork();
    if (c == 0)
        _exit(7);
    const char *fork_ok = c > 0 && waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 7 ? "ok" : errname(errno);
    c = vfork_exit7();
    const char *vfork_ok = c > 0 && waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 7 ? "ok" : errname(errno);
    pthread_t t;
    int e = pthread_create(&t, NULL, thread_noop, NULL);
    if (!e)
        pthread_join(t, NULL);
    char *argv[] = { "true", NULL };
    int se = posix_spawn(&c, "/bin/true", NULL, NULL, argv, NULL);
    const char *spawn_ok = !se && waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 0 ? "ok" : errname(se);
    say("spawn fork=%s vfork=%s thread=%s posix_spawn=%s", fork_ok, vfork_ok, e ? errname(e) : "ok", spawn_ok);
}

static void socket_try(char *arg)
{
    char *type = arg ? strchr(arg, ':') : NULL;
    if (!type) {
        say("socket: usage socket:DOMAIN:TYPE");
        exit(2);
    }
    *type++ = '\0';
    char *proto = strchr(type, ':');
    if (proto)
        *proto++ = '\0';
    long domain = !strcmp(arg, "inet") ? AF_INET : !strcmp(arg, "inet6") ? AF_INET6
                : !strcmp(arg, "packet") ? AF_PACKET : !strcmp(arg, "inethi") ? (1L << 32) | AF_INET
                : !strcmp(arg, "unix") ? AF_UNIX : !strcmp(arg, "netlink") ? AF_NETLINK
                : !strcmp(arg, "alg") ? AF_ALG : !strcmp(arg, "vsock") ? AF_VSOCK
                : !strcmp(arg, "vsockhi") ? (1L << 32) | AF_VSOCK : !strcmp(arg, "xdp") ? AF_XDP
                : !strcmp(arg, "tipc") ? AF_TIPC : -1;
    long t = !strcmp(type, "raw") ? SOCK_RAW : !strcmp(type, "dgram") ? SOCK_DGRAM
           : !strcmp(type, "stream") ? SOCK_STREAM : !strcmp(type, "packet") ? SOCK_PACKET
           : !strcmp(type, "seqpacket") ? SOCK_SEQPACKET
           : !strcmp(type, "rawnb") ? SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC : -1;
    if (domain < 0 || t < 0) {
        say("socket: unknown domain or type");
        exit(2);
    }
    /* An IP raw socket needs a protocol: IPPROTO_RAW (headers included). */
    int ip = (domain & 0xffffffff) == AF_INET || domain == AF_INET6;
    long protocol = proto ? atol(proto) : ip && (t & 0xf) == SOCK_RAW ? IPPROTO_RAW : 0;
    long fd = syscall(SYS_socket, domain, t, protocol);
    char what[80];
    snprintf(what, sizeof(what), "socket:%s:%s%s%s", arg, type, proto ? ":" : "", proto ? proto : "");
    report(what, fd < 0 ? fd : 0);
    if (fd >= 0)
        close((int)fd);
}

static void uffd_try(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    report("uffd_ioc_new:null", syscall(SYS_ioctl, fd, USERFAULTFD_IOC_NEW, O_CLOEXEC));
    close(fd);
    fd = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        say("uffd_ioc_new:dev=open errno=%s", errname(errno));
        return;
    }
    long u = syscall(SYS_ioctl, fd, USERFAULTFD_IOC_NEW, O_CLOEXEC);
    report("uffd_ioc_new:dev", u < 0 ? u : 0);
    if (u >= 0)
        close((int)u);
    close(fd);
}

static void step(char *s)
{
    char *arg = strchr(s, ':');
    if (arg)
        *arg++ = '\0';

    if (!strcmp(s, "getppid")) {
        long n = arg ? atol(arg) : 1, rc = 0;
        int e = 0;
        for (long i = 0; i < n; i++) {
            errno = 0;
            rc = syscall(SYS_getppid);
            e = errno;
        }
        errno = e;
        report("getppid", rc);
    } else if (!strcmp(s, "getpid")) {
        report("getpid", syscall(SYS_getpid));
    } else if (!strcmp(s, "uname")) {
        struct utsname u;
        report("uname", syscall(SYS_uname, &u));
    } else if (!strcmp(s, "open")) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, arg, O_RDONLY);
        if (fd < 0) {
            report("open", fd);
            return;
        }
        char buf[4096];
        ssize_t n = slurp(fd, buf, sizeof(buf));
        say("open=%d errno=0 data=%s", fd, n < 0 ? "(read error)" : buf);
        close(fd);
    } else if (!strcmp(s, "openloop")) {
        char *count = arg ? strchr(arg, ':') : NULL;
        if (!count) {
            say("openloop: usage openloop:PATH:N");
            exit(2);
        }
        *count++ = '\0';
        long n = atol(count), ok = 0, bad = 0;
        char first[4096] = "", buf[4096];
        for (long i = 0; i < n; i++) {
            int fd = (int)syscall(SYS_openat, AT_FDCWD, arg, O_RDONLY);
            if (fd < 0 || slurp(fd, buf, sizeof(buf)) < 0) {
                bad++;
            } else {
                if (i == 0)
                    strcpy(first, buf);
                if (strcmp(first, buf))
                    bad++;
                else
                    ok++;
            }
            if (fd >= 0)
                close(fd);
        }
        say("openloop ok=%ld bad=%ld data=%s", ok, bad, first);
    } else if (!strcmp(s, "create")) {
        report("create", syscall(SYS_openat, AT_FDCWD, arg, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    } else if (!strcmp(s, "fds")) {
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
            say("fds=error");
            return;
        }
        int self = dirfd(d);
        char list[1024] = "";
        int fds[256], n = 0;
        struct dirent *e;
        while ((e = readdir(d)) && n < 256) {
            if (e->d_name[0] == '.')
                continue;
            int fd = atoi(e->d_name);
            if (fd != self)
                fds[n++] = fd;
        }
        closedir(d);
        /* sort */
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
                if (fds[k] < fds[i]) {
                    int t = fds[i];
                    fds[i] = fds[k];
                    fds[k] = t;
                }
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "", fds[i]);
        if (arg && !strcmp(arg, "err"))
            dprintf(2, "fds=%s\n", list);
        else
            say("fds=%s", list);
    } else if (!strcmp(s, "int80")) {
#if defined(__x86_64__)
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(arg ? atol(arg) : 20L /* i386 getpid */),
                         "b"(0L), "c"(0L), "d"(0L), "S"(0L), "D"(0L) : "memory");
        say("int80=%ld", ret);
#else
        say("int80=unsupported");
#endif
    } else if (!strcmp(s, "x32")) {
#if defined(__x86_64__)
        say("x32=%ld", syscall(0x40000000L | SYS_getpid));
#else
        say("x32=unsupported");
#endif
    } else if (!strcmp(s, "unshare")) {
        report("unshare", syscall(SYS_unshare, CLONE_NEWNS));
    } else if (!strcmp(s, "nr")) {
        char what[200];
        snprintf(what, sizeof(what), "nr:%s", arg ? arg : "?");
        long v[7] = { -1, 0, 0, 0, 0, 0, 0 };
        for (int i = 0; arg && *arg && i < 7; i++)
            v[i] = strtol(arg, &arg, 0), arg += *arg == ':';
        report(what, syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
    } else if (!strcmp(s, "iouring")) {
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(SYS_io_uring_setup, 4, &params);
        report("io_uring_setup", fd < 0 ? fd : 0);
        report("io_uring_enter", syscall(SYS_io_uring_enter, fd < 0 ? -1L : fd, 0L, 0L, 0L, NULL, 0L));
        report("io_uring_register", syscall(SYS_io_uring_register, fd < 0 ? -1L : fd,
                                            IORING_REGISTER_PROBE, NULL, 0L));
        if (fd >= 0)
            close((int)fd);
    } else if (!strcmp(s, "clone")) {
        char what[300];
        snprintf(what, sizeof(what), "clone:%s", arg ? arg : "");
        long rc = syscall(SYS_clone, clone_flags(arg) | SIGCHLD, NULL, NULL, NULL, 0L);
        if (rc == 0)
            _exit(0);
        report_clone(what, rc);
    } else if (!strcmp(s, "clone3")) {
        char what[300];
        snprintf(what, sizeof(what), "clone3:%s", arg ? arg : "");
        struct clone_args ca;
        memset(&ca, 0, sizeof(ca));
        ca.flags = clone_flags(arg);
        ca.exit_signal = SIGCHLD;
        long rc = syscall(SYS_clone3, &ca, sizeof(ca));
        if (rc == 0)
            _exit(0);
        report_clone(what, rc);
    } else if (!strcmp(s, "spawn")) {
        spawn_all();
    } else if (!strcmp(s, "fanotify")) {
        long fd = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
        report("fanotify_init", fd < 0 ? fd : 0);
        if (fd >= 0)
            close((int)fd);
    } else if (!strcmp(s, "socket")) {
        socket_try(arg);
    } else if (!strcmp(s, "uffd")) {
        uffd_try();
    } else if (!strcmp(s, "mount")) {
        report("mount", syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL));
    } else if (!strcmp(s, "tiocsti")) {
        /* On /dev/null: ENOTTY when the kernel runs it, EPERM when denied.
         * "tiocsti:high" sets bits above 32, which the kernel ignores. */
        int fd = open("/dev/null", O_RDONLY);
        char c = 'x';
        unsigned long cmd = TIOCSTI;
        if (arg && !strcmp(arg, "high"))
            cmd |= 1UL << 32;
        report("tiocsti", syscall(SYS_ioctl, fd, cmd, &c));
        report("tcgets", syscall(SYS_ioctl, fd, TCGETS, &c));
        close(fd);
    } else if (!strcmp(s, "ptrace")) {
        report("ptrace", syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
    } else if (!strcmp(s, "hold")) {
        int fd = open("/dev/null", O_RDONLY);
        say("hold=%d", fd);
    } else if (!strcmp(s, "pokemem")) {
        /* Can we open another process's memory for writing? PID, or
         * "parent" for our parent (its pid from the host's /proc). */
        long pid = 0;
        if (arg && !strcmp(arg, "parent")) {
            FILE *st = fopen("/proc/self/status", "r");
            char line[256];
            while (st && fgets(line, sizeof(line), st))
                if (sscanf(line, "PPid: %ld", &pid) == 1)
                    break;
            if (st)
                fclose(st);
        } else if (arg) {
            pid = atol(arg);
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/mem", pid);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        say("pokemem=%d errno=%s", fd < 0 ? -1 : 0, fd < 0 ? errname(errno) : "0");
        if (fd >= 0)
            close(fd);
        /* ... and its descriptors (the listener) through /proc/PID/fd? */
        snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
        DIR *d = opendir(path);
        int e = errno, opened = 0;
        struct dirent *ent;
        while (d && (ent = readdir(d))) {
            if (ent->d_name[0] == '.')
                continue;
            char fdpath[400];
            snprintf(fdpath, sizeof(fdpath), "%s/%s", path, ent->d_name);
            int x = open(fdpath, O_RDONLY | O_CLOEXEC);
            if (x >= 0) {
                opened++;
                close(x);
            }
        }
        if (d)
            closedir(d);
        say("pokefd=%s opened=%d", d ? "listed" : errname(e), opened);
    } else if (!strcmp(s, "hostpid")) {
        say("hostpid=%d", (int)host_pid());
    } else if (!strcmp(s, "name")) {
        prctl(PR_SET_NAME, arg ? arg : "", 0, 0, 0);
        say("named %s", arg ? arg : "");
    } else if (!strcmp(s, "daemon")) {
        pid_t c = fork();
        if (c < 0) {
            say("daemon=fork failed");
            return;
        }
        if (c == 0) {
            setsid();
            const char *base = strrchr(arg, '/');
            prctl(PR_SET_NAME, base ? base + 1 : arg, 0, 0, 0);
            char tmp[PATH_MAX];
            snprintf(tmp, sizeof(tmp), "%s.tmp", arg);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%d\n", (int)host_pid());
                fclose(f);
                rename(tmp, arg);
            }
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            for (;;)
                pause();
        }
        wait_file(arg);
        say("daemon started");
    } else if (!strcmp(s, "signals")) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < 4; i++)
            sigaction(sigs[i], &sa, NULL);
        say("ready");
        while (!got_signal)
            pause();
        say("got SIG%s", sigabbrev_np(got_signal));
    } else if (!strcmp(s, "threads")) {
        long n = 0, m = 0;
        char want[32] = "";
        if (!arg || sscanf(arg, "%ld:%ld:%31s", &n, &m, want) != 3 || n < 1 || n > 256) {
            say("threads: usage threads:N:M:WANT");
            exit(2);
        }
        struct thread_arg args[256];
        pthread_t th[256];
        for (long i = 0; i < n; i++) {
            args[i] = (struct thread_arg){ .calls = m, .want = atol(want), .want_tid = !strcmp(want, "tid") };
            pthread_create(&th[i], NULL, thread_main, &args[i]);
        }
        long ok = 0, bad = 0;
        for (long i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            ok += args[i].ok;
            bad += args[i].bad;
        }
        /* "tid": a thread whose answer another thread got too is wrong. */
        for (long i = 0; args[0].want_tid && i < n; i++)
            for (long j = 0; j < i; j++)
                if (args[i].first == args[j].first) {
                    bad += args[i].ok;
                    ok -= args[i].ok;
                    break;
                }
        say("threads ok=%ld bad=%ld", ok, bad);
    } else if (!strcmp(s, "slowpar")) {
        /* slowpar:LOG[:RELEASE] -- one thread is stuck in a slow uname; once
         * the plugin has logged it to LOG (its handle() runs), this thread
         * makes 100 getppid() calls, then looks whether the uname is still
         * blocked in the kernel (its /proc/.../syscall), then creates
         * RELEASE (which ends a waitfile handle()). */
        char *release = arg ? strchr(arg, ':') : NULL;
        if (release)
            *release++ = '\0';
        pthread_t t;
        pthread_create(&t, NULL, slow_main, NULL);
        wait_file(arg);
        for (int i = 0; i < 100; i++)
            syscall(SYS_getppid);
        char path[64], buf[64] = "";
        snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)atomic_load(&slow_tid));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
            close(fd);
        buf[n > 0 ? n : 0] = '\0';
        int blocked = atoi(buf) == SYS_uname && strncmp(buf, "running", 7) != 0;
        if (release)
            close(open(release, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        pthread_join(t, NULL);
        say("slowpar uname_still_blocked=%d", blocked);
    } else if (!strcmp(s, "loop")) {
        long n = arg ? atol(arg) : 0;
        for (long i = 0; i < n; i++)
            syscall(SYS_getppid);
        say("loop=%ld", n);
    } else if (!strcmp(s, "pause")) {
        say("paused %s", arg);
        wait_file(arg);
    } else if (!strcmp(s, "sleep")) {
        struct timespec ts = { arg ? atol(arg) : 1, 0 };
        nanosleep(&ts, NULL);
    } else if (!strcmp(s, "exit")) {
        exit(arg ? atoi(arg) : 0);
    } else if (!strcmp(s, "raise")) {
        int sig = arg ? atoi(arg) : SIGTERM;
        signal(sig, SIG_DFL);
        kill(getpid(), sig);
        struct timespec ts = { 1, 0 };
        nanosleep(&ts, NULL);
        say("raise: still alive");
    } else {
        say("probe: unknown step '%s'", s);
        exit(2);
    }
}

/* The subreaper step (see the top). */
static int subreaper(char **argv)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        say("subreaper: %s", strerror(errno));
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* CMD's children were handed to us when it exited, before we could
     * reap it: any child now is one it left (alive, or a zombie). */
    int orphans = 0;
    pid_t left;
    while ((left = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
        orphans++;          /* a zombie it left */
    char path[64], pids[4096] = "";
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(pids, sizeof(pids), f))
            pids[0] = '\0';
        fclose(f);
    }
    for (char *p = strtok(pids, " \n"); p; p = strtok(NULL, " \n")) {
        orphans++;          /* one still running: ended here */
        kill(atoi(p), SIGKILL);
        waitpid(atoi(p), NULL, __WALL);
    }
    say("status=%d orphans=%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), orphans);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "subreaper"))
        return argc > 2 ? subreaper(argv + 2) : 2;
    for (int i = 1; i < argc; i++)
        step(argv[i]);
    return 0;
}
