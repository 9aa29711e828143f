/* agent.c -- `sandlock agent`: the OCI seccomp agent (sandlock-agent(8)).
 *
 * The main process only accepts: for every connection it forks a
 * supervisor process and goes back to accepting. That process receives
 * and validates the runtime's message (agent_proto.c, bounded in time and
 * size), chooses the container's profile (agent_profile.c), loads it as
 * `sandlock run` would and serves the container's listener with the
 * worker pool (attach.c) until the container's last task has left the
 * filter; then fini() and exit. One process per container because a run's
 * state is process-wide (ctx.c), and so that a crashing or hostile plugin
 * fails only its container: when a supervisor dies its listener closes
 * and that container's notified calls fail with ENOSYS. The receiving
 * happens in the forked process too, so a peer that sends nothing holds
 * only its own process, never the accept loop, for the receive bound.
 *
 * Supervisors run in sessions of their own and survive the main process:
 * stopping or restarting the agent leaves running containers served. */
#include "config.h"
#include "agent.h"
#include "agent_cgroup.h"
#include "agent_profile.h"
#include "agent_proto.h"
#include "attach.h"
#include "ctx.h"
#include "denial.h"
#include "sl_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SANDLOCK_ERROR 125
/* How long a peer may take to send its whole message. */
#define RECEIVE_TIMEOUT_MS 5000
/* systemd's first passed descriptor (sd_listen_fds(3)). */
#define LISTEN_FDS_START 3

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line on stderr. Its text may carry a peer's strings (a container
 * id, metadata, JSON): escaped, so a peer cannot split or forge lines. */
static void say(const char *fmt, ...)
{
    char raw[2048], line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    sl_escape_controls(raw, line, sizeof(line));
    fprintf(stderr, "sandlock agent[%d]: %s\n", (int)getpid(), line);
}

static void usage(FILE *out)
{
    fprintf(out, "Usage: sandlock agent --socket PATH [-c FILE] [--join-cpu-cgroup]\n"
                 "\n"
                 "The OCI seccomp agent: serves the listeners container runtimes send to the\n"
                 "unix socket PATH (a seccomp profile's listenerPath) with the plugins of\n"
                 "FILE (listenerMetadata \"profile=NAME\": agent.d/NAME.ini next to FILE).\n"
                 "Under systemd socket activation (LISTEN_FDS) the passed socket is used.\n"
                 "--join-cpu-cgroup: serve each container from its cgroup v1 cpu cgroup\n"
                 "(faster notified calls; the runtime may warn when it removes it).\n"
                 "See sandlock-agent(8).\n");
}

/* ---- the socket ---- */

/* systemd socket activation: the listening socket is fd 3 when LISTEN_PID
 * is ours. -1 when not activated, -2 on a bad passed descriptor. */
static int activated_socket(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (!pid || !fds)
        return -1;
    char *end;
    long p = strtol(pid, &end, 10);
    if (*end || p != (long)getpid())
        return -1;
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    long n = strtol(fds, &end, 10);
    if (*end || n != 1) {
        say("LISTEN_FDS=%s: expected exactly one socket (the .socket unit's ListenStream)", fds);
        return -2;
    }
    int fd = LISTEN_FDS_START, type = 0, domain = 0, listening = 0;
    socklen_t len = sizeof(int);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM ||
        (len = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len)) || domain != AF_UNIX ||
        (len = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len)) || !listening) {
        say("the socket passed by systemd (fd 3) is not a listening AF_UNIX stream socket");
        return -2;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* PATH must not exist, or be a socket nobody listens on (left by an agent
 * that died): then it is replaced. Anything else is refused. */
static int clear_stale(const char *path, const struct sockaddr_un *addr)
{
    struct stat st;
    if (lstat(path, &st)) {
        if (errno == ENOENT)
            return 0;
        say("%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        say("%s exists and is not a socket: refusing to replace it", path);
        return -1;
    }
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        say("socket: %s", strerror(errno));
        return -1;
    }
    int rc = connect(probe, (const struct sockaddr *)addr, sizeof(*addr));
    int e = errno;
    close(probe);
    if (rc == 0) {
        say("%s: another agent is listening there", path);
        return -1;
    }
    if (e != ECONNREFUSED) {
        say("%s: %s", path, strerror(e));
        return -1;
    }
    if (unlink(path)) {
        say("cannot remove the stale socket %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The listening socket at PATH, mode 0600. */
static int bind_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (path[0] != '/' || strlen(path) >= sizeof(addr.sun_path)) {
        say("--socket %s: an absolute path of at most %zu bytes", path, sizeof(addr.sun_path) - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if (clear_stale(path, &addr))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        say("socket: %s", strerror(errno));
        return -1;
    }
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    int e = errno;
    umask(old);
    if (rc || listen(fd, SOMAXCONN)) {
        say("%s: %s", path, strerror(rc ? e : errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- one container (in its supervisor process) ---- */

struct agent {
    const char *config;   /* -c FILE, $SANDLOCK_CONFIG or the installed one; NULL: built-in */
    int join_cpu_cgroup;  /* --join-cpu-cgroup: serve each container from its cpu cgroup */
};

/* The configuration file of the container's listenerMetadata into path
 * ("" when the default is the built-in one). */
static int choose_profile(const struct agent *a, const char *metadata, char *name, char *path, size_t size,
                          char *err, size_t errlen)
{
    if (sl_agent_profile_name(metadata, name, err, errlen))
        return -1;
    if (!*metadata) {
        snprintf(path, size, "%s", a->config ? a->config : "");
        return 0;
    }
    return sl_agent_profile_file(a->config ? a->config : SANDLOCK_SYSCONF_FILE, name, path, size, err, errlen);
}

/* Whether pid is PID 1 of a PID namespace of its own (the last NSpid of
 * /proc/PID/status is 1): then killing it ends the container. */
static int own_pid_namespace(pid_t pid)
{
    char file[64], line[256];
    snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
    FILE *f = fopen(file, "re");
    if (!f)
        return 0;
    int own = 0;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "NSpid:", 6)) {
            char *last = strrchr(line, '\t');
            own = last && last != strchr(line, '\t') && atoi(last + 1) == 1;
            break;
        }
    fclose(f);
    return own;
}

/* The log lines of a container's run (sandlock's and its plugins'), with
 * the supervisor's pid and the container's id (arg) in front; one write. */
static void container_log(void *arg, const char *line)
{
    char buf[1536];
    int n = snprintf(buf, sizeof(buf), "sandlock agent[%d]: container %s: %s\n", (int)getpid(), (const char *)arg,
                     line);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf)) {
        n = (int)sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
    (void)w;
}

/* The hangup of a container served from its CPU cgroup: out of it at once,
 * so that the runtime can remove the cgroup (it tries as soon as the init
 * is reaped, which is what hung the listener up). */
struct cgroup_stay {
    struct sl_agent_cgroup cg;
    const char *id;
};

static void leave_cgroup(void *arg)
{
    struct cgroup_stay *stay = arg;
    char why[512];
    if (sl_agent_cgroup_leave(&stay->cg, why, sizeof(why)))
        say("container %s: cannot leave its CPU cgroup: %s", stay->id, why);
}

static int serve_container(const struct agent *a, int conn)
{
    struct sl_agent_container c;
    char err[1024], name[SL_AGENT_MAX_PROFILE + 1], path[PATH_MAX];
    struct ucred peer = { 0 };
    socklen_t plen = sizeof(peer);
    getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &plen);
    memset(&c, 0, sizeof(c));
    c.listener = c.init_pidfd = -1;
    int rc = sl_agent_receive(conn, RECEIVE_TIMEOUT_MS, &c, err, sizeof(err));
    close(conn);
    if (rc) {
        say("rejected a message from pid %d uid %u: %s (its listener, if any, closed: the container's notified "
            "calls fail with ENOSYS)", (int)peer.pid, (unsigned)peer.uid, err);
        return 1;
    }
    /* The prefix of the container's own log lines (say() escapes its own). */
    char id[256];
    sl_escape_controls(c.id, id, sizeof(id));
    sandlock_ctx *ctx = NULL;
    const char **annotations = NULL;
    if (choose_profile(a, c.metadata, name, path, sizeof(path), err, sizeof(err))) {
        rc = -1;
    } else if (!(ctx = sandlock_ctx_new()) ||
               !(annotations = calloc(2 * c.nannotations + 1, sizeof(*annotations)))) {
        snprintf(err, sizeof(err), "out of memory");
        rc = -1;
    } else {
        sandlock_options o;
        sandlock_options_init(&o);
        o.log_fn = container_log;
        o.log_arg = id;
        rc = (*path ? sandlock_ctx_load_file(ctx, path) : sandlock_ctx_load_default(ctx)) ||
             sandlock_ctx_set_options(ctx, &o);
        if (rc)
            snprintf(err, sizeof(err), "%s", sandlock_ctx_errmsg(ctx));
    }
    if (rc) {
        say("container %s: %s; closed its listener: its notified calls fail with ENOSYS", c.id, err);
        free(annotations);
        sandlock_ctx_free(ctx);
        sl_agent_container_free(&c);
        return 1;
    }
    for (size_t i = 0; i < c.nannotations; i++) {
        annotations[2 * i] = c.annotations[i].key;
        annotations[2 * i + 1] = c.annotations[i].value;
    }
    struct sl_container_identity who = {
        .id = c.id,
        .bundle = c.bundle,
        .annotations = annotations,
        .init_pid = c.init_pid,
        .init_pidfd = c.init_pidfd,
        .pidns = own_pid_namespace(c.init_pid),
    };
    /* Served from the container's CPU cgroup when asked: see agent_cgroup.h. */
    struct cgroup_stay stay = { .id = c.id };
    int placed = a->join_cpu_cgroup ? sl_agent_cgroup_join(&stay.cg, c.init_pid, c.init_pidfd, err, sizeof(err)) : 1;
    say("container %s (init pid %d, bundle %s): served with profile %s (%s)%s", c.id, (int)c.init_pid, c.bundle,
        name, ctx->cfg->source, placed == 0 ? ", from its CPU cgroup" : "");
    if (placed < 0)
        say("container %s: served from outside its CPU cgroup (each notified call costs more): %s", c.id, err);
    who.hangup = leave_cgroup;
    who.hangup_arg = &stay;
    int listener = c.listener;
    c.listener = -1;
    rc = sl_ctx_attach(ctx, listener, &who);
    if (rc)
        say("container %s: %s; closed its listener: its notified calls fail with ENOSYS", c.id, ctx->errmsg);
    else
        say("container %s: ended (its last task left the filter)", c.id);
    leave_cgroup(&stay);   /* when attaching failed: the container may still run */
    free(annotations);
    sandlock_ctx_free(ctx);
    sl_agent_container_free(&c);
    return rc ? 1 : 0;
}

/* ---- the accept loop ---- */

static void reap(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (WIFSIGNALED(status))
            say("supervisor %d killed by signal %d: its container's notified calls fail with ENOSYS", (int)pid,
                WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            say("supervisor %d ended with status %d", (int)pid, WEXITSTATUS(status));
    }
}

static int accept_loop(const struct agent *a, int sock, const sigset_t *oldmask)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        say("signalfd: %s", strerror(errno));
        return EXIT_SANDLOCK_ERROR;
    }
    for (;;) {
        struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            say("poll: %s", strerror(errno));
            break;
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            int stop = 0;
            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                stop |= si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT;
            reap();
            if (stop) {
                say("stopping: no new containers; running containers keep their supervisors");
                close(sfd);
                return 0;
            }
        }
        if (!(p[0].revents & POLLIN))
            continue;
        int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                say("accept: %s", strerror(errno));
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
                usleep(100 * 1000);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(sock);
            close(sfd);
            setsid();   /* not in the agent's process group: its signals are not theirs */
            pthread_sigmask(SIG_SETMASK, oldmask, NULL);
            _exit(serve_container(a, conn));
        }
        if (pid < 0)
            say("fork: %s: connection closed (the container's notified calls fail with ENOSYS)", strerror(errno));
        close(conn);
    }
    close(sfd);
    return EXIT_SANDLOCK_ERROR;
}

int sl_agent_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "socket", required_argument, NULL, 's' },
        { "join-cpu-cgroup", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *path = NULL;
    int c, join_cpu_cgroup = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': path = optarg; break;
        case 'j': join_cpu_cgroup = 1; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "sandlock agent: option '%s' needs an argument\n", argv[optind - 1]);
            return EXIT_SANDLOCK_ERROR;
        default:
            fprintf(stderr, "sandlock agent: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_SANDLOCK_ERROR;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "sandlock agent: unexpected argument '%s'\n", argv[optind]);
        return EXIT_SANDLOCK_ERROR;
    }
    struct agent a = { .config = sl_config_choose(config), .join_cpu_cgroup = join_cpu_cgroup };
    /* The default configuration must load now: an error is the
     * administrator's, at start, not each container's. */
    sandlock_ctx *check = sandlock_ctx_new();
    if (!check || (a.config ? sandlock_ctx_load_file(check, a.config) : sandlock_ctx_load_default(check))) {
        fprintf(stderr, "sandlock agent: %s\n", check ? sandlock_ctx_errmsg(check) : "out of memory");
        sandlock_ctx_free(check);
        return EXIT_SANDLOCK_ERROR;
    }
    sandlock_ctx_free(check);

    sigset_t set, oldmask;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &oldmask);
    signal(SIGPIPE, SIG_IGN);   /* a log reader that went away must not end supervisors */

    int sock = activated_socket(), bound = 0;
    if (sock == -2)
        return EXIT_SANDLOCK_ERROR;
    if (sock < 0) {
        if (!path) {
            fprintf(stderr, "sandlock agent: --socket PATH is required (or systemd socket activation)\n");
            return EXIT_SANDLOCK_ERROR;
        }
        if ((sock = bind_socket(path)) < 0)
            return EXIT_SANDLOCK_ERROR;
        bound = 1;
    }
    say("listening on %s (configuration %s)", bound ? path : "the socket passed by systemd",
        a.config ? a.config : "<built-in>");
    char why[512];
    if (a.join_cpu_cgroup && sl_agent_cgroup_probe(why, sizeof(why)))
        say("containers are served from outside their CPU cgroups (each notified call costs more; "
            "sandlock-agent(8)): %s", why);
    int code = accept_loop(&a, sock, &oldmask);
    close(sock);
    if (bound)
        unlink(path);
    return code;
}
