/* ngprobe -- loopback servers and sandboxed clients for netguard's tests.
 * FAMILY is tcp4, tcp6, udp4, udp6, unix (stream) or unixdgram.
 *
 * Outside the sandbox:
 *   serve FAMILY ADDR|PATH PORTFILE
 *       stream: accept forever, greet each client with "hello\n";
 *       udp: answer every datagram with "pong"; unixdgram: append every
 *       datagram to PATH.log. The bound port (0 for unix) goes to PORTFILE.
 * Inside the sandbox (each prints "ok ..." or "err ENAME"):
 *   connect FAMILY ADDR|PATH PORT [nb]   connect and read the greeting;
 *                                        nb: non-blocking, prints
 *                                        "inprogress" first when it was
 *   bind FAMILY ADDR|PATH PORT           bind; unix: check the socket file
 *   send FAMILY METHOD ADDR|PATH PORT    METHOD sendto|sendmsg|sendmmsg|
 *                                        connected (connect + send); udp
 *                                        waits for the "pong"
 *   race ADDR GOOD BAD N                 UDP connect N times to a shared
 *                                        address whose port another thread
 *                                        flips between GOOD and BAD; prints
 *                                        how often each port was the peer
 *   sendrace ADDR GOOD BAD N             the same with N sendto's of "race"
 *                                        (udpcount servers count them)
 *   mmsgpair ADDR GOOD BAD               one UDP sendmmsg of two datagrams,
 *                                        "good" to GOOD then "race" to BAD;
 *                                        prints "sent N" or "err ENAME";
 *                                        ADDR "unix": GOOD and BAD are the
 *                                        paths of unix datagram sockets
 *   stall PORT N                         two threads connect to 127.0.0.1:
 *                                        PORT (a full backlog: they block);
 *                                        once both are in connect, the main
 *                                        thread makes N UDP binds and prints
 *                                        "ok N", then exits
 *   fdpass PATH                          binds a unix datagram socket at
 *                                        PATH, sends itself a pipe through
 *                                        it (sendmsg, SCM_RIGHTS) and reads
 *                                        through the received end
 *   bindas UID FAMILY ADDR PORT          bind after setresuid(UID)
 *   connectas UID FAMILY ADDR PORT       connect after setresgid(UID) and
 *                                        setresuid(UID) (groups dropped);
 *                                        with NGPROBE_NONDUMPABLE set in the
 *                                        environment, not dumpable first
 *   sendas UID METHOD PATH               send (as `send unixdgram`) after
 *                                        the same
 *   deputies PATH                        connects to an `serve unixcred`
 *                                        listener again and again, learning
 *                                        the connecting process (the
 *                                        deputy): "reused R" (two connects,
 *                                        one deputy), "replaced P" (after
 *                                        SIGKILL of it the next works from
 *                                        another), "stopped S" (a connect
 *                                        once it was SIGSTOPped: "ok" or
 *                                        "EINTR", never a hang), "after P"
 *                                        (the next works); as root also
 *                                        "dropped U D" (after setresuid to
 *                                        nobody: the peer's uid, and whether
 *                                        another process connected)
 *   sigpipe [nosignal]                   sendmsg() on a unix stream socket
 *                                        whose peer is closed: the kernel
 *                                        raises SIGPIPE (the process dies)
 *                                        unless MSG_NOSIGNAL ("err EPIPE")
 *   swaprace PORT N                      up to N UDP connects of one
 *                                        descriptor number to 127.0.0.1:PORT
 *                                        while another thread dup2()s a unix
 *                                        and a UDP socket onto it in turn;
 *                                        prints "reached after I" (the UDP
 *                                        socket got PORT as its peer) or
 *                                        "never"
 *   swapsend PORT N                      the same with a unix stream socket
 *                                        and sendmsg() of "swap" to
 *                                        127.0.0.1:PORT: "reached after I"
 *                                        (a send succeeded: the UDP socket
 *                                        sent it) or "never"
 *   unixswap connect|sendto PATH N       up to N connects (or sendto's of
 *                                        "swap") of one descriptor number
 *                                        to the unix path PATH while another
 *                                        thread dup2()s a UDP socket and a
 *                                        unix stream (connect) or datagram
 *                                        (sendto) socket onto it in turn and
 *                                        rewrites the address between PATH
 *                                        and PATH.none; goes on past N
 *                                        until both sockets were seen.
 *                                        Prints "reached after I" (the call
 *                                        succeeded: the unix socket reached
 *                                        PATH), "never" or "one-sided"
 * Outside, also:
 *   serve udpcount ADDR PORTFILE         append each datagram to PORTFILE.log
 *   serve unixcred PATH PORTFILE         a unix stream listener (mode 0777)
 *                                        that answers each connection with
 *                                        its SO_PEERCRED: "pid P uid U gid G"
 *   serve unixdgramcred PATH PORTFILE    a unix datagram socket (mode 0777,
 *                                        SO_PASSCRED) that appends the
 *                                        sender's credentials of each
 *                                        datagram to PATH.log, as above
 *   serve tcpfull ADDR PORTFILE          listen(0), fill the backlog, never
 *                                        accept: later SYNs are dropped
 *   poke ADDR PORT                       send "end" to a UDP port */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Prints the error of the last failed call and returns 1. */
static int fail(void)
{
    printf("err %s\n", strerrorname_np(errno));
    return 1;
}

/* Fills ss with the address FAMILY names; returns its length or 0. */
static socklen_t make_addr(const char *family, const char *where, int port, struct sockaddr_storage *ss,
                           int *domain, int *type)
{
    memset(ss, 0, sizeof(*ss));
    if (!strcmp(family, "unixcred"))
        family = "unix";
    if (!strcmp(family, "unixdgramcred"))
        family = "unixdgram";
    if (!strcmp(family, "udpcount") || !strcmp(family, "tcpfull"))
        family = family[0] == 'u' ? "udp4" : "tcp4";
    *type = strncmp(family, "udp", 3) == 0 || strcmp(family, "unixdgram") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    if (strncmp(family, "unix", 4) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        *domain = un->sun_family = AF_UNIX;
        if (where[0] == '@') {
            memcpy(un->sun_path + 1, where + 1, strlen(where) - 1);
            return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(where));
        }
        snprintf(un->sun_path, sizeof(un->sun_path), "%s", where);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
    }
    if (family[3] == '6') {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        *domain = in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, where, &in6->sin6_addr) == 1 ? sizeof(*in6) : 0;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    *domain = in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, where, &in->sin_addr) == 1 ? sizeof(*in) : 0;
}

/* The port of a bound IPv4/IPv6 socket. */
static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len))
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

/* The server loop (outside the sandbox). */
static int serve(const char *family, const char *where, const char *portfile)
{
    struct sockaddr_storage ss;
    int domain, type, full = !strcmp(family, "tcpfull"), count = !strcmp(family, "udpcount");
    int cred = !strcmp(family, "unixcred"), dgramcred = !strcmp(family, "unixdgramcred");
    socklen_t len = make_addr(family, where, 0, &ss, &domain, &type);
    int fd = socket(domain, type, 0);
    if (!len || fd < 0 || bind(fd, (struct sockaddr *)&ss, len) ||
        (type == SOCK_STREAM && listen(fd, full ? 0 : 64)) || ((cred || dgramcred) && chmod(where, 0777)) ||
        (dgramcred && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int){ 1 }, sizeof(int))))
        return fail();
    if (full) {
        /* one connection fills a backlog of 0; it is never accepted */
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)local_port(fd)),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&in, sizeof(in)))
            return fail();
    }
    FILE *f = fopen(portfile, "w");
    if (!f)
        return fail();
    fprintf(f, "%d\n", local_port(fd));
    fclose(f);
    for (;;) {
        if (full) {
            pause();
            continue;
        }
        if (type == SOCK_STREAM) {
            int c = accept(fd, NULL, NULL);
            struct ucred uc;
            char line[96] = "hello\n";
            if (c >= 0 && cred && !getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &(socklen_t){ sizeof(uc) }))
                snprintf(line, sizeof(line), "pid %d uid %u gid %u\n", (int)uc.pid, uc.uid, uc.gid);
            if (c >= 0) {
                if (write(c, line, strlen(line)) < 0)
                    perror("write");
                close(c);
            }
            continue;
        }
        char buf[256];
        struct sockaddr_storage from;
        socklen_t flen = sizeof(from);
        union {
            struct cmsghdr align;
            char space[CMSG_SPACE(sizeof(struct ucred))];
        } control;
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr mh = { .msg_name = &from, .msg_namelen = flen, .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = &control, .msg_controllen = sizeof(control) };
        ssize_t n = recvmsg(fd, &mh, 0);
        if (n < 0)
            continue;
        flen = mh.msg_namelen;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        if (dgramcred && c && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred uc;
            memcpy(&uc, CMSG_DATA(c), sizeof(uc));
            n = snprintf(buf, sizeof(buf), "pid %d uid %u gid %u", (int)uc.pid, uc.uid, uc.gid);
        }
        if (domain == AF_UNIX || count) {
            char log[PATH_MAX];
            snprintf(log, sizeof(log), "%s.log", count ? portfile : where);
            FILE *l = fopen(log, "a");
            if (l) {
                fprintf(l, "%.*s\n", (int)n, buf);
                fclose(l);
            }
        } else {
            sendto(fd, "pong", 4, 0, (struct sockaddr *)&from, flen);
        }
    }
}

/* Waits up to 3 s for fd to become readable / writable. */
static int wait_for(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    return poll(&p, 1, 3000) == 1 ? 0 : -1;
}

static int do_connect(const char *family, const char *where, int port, int nonblocking)
{
    struct sockaddr_storage ss;
    int domain, type;
    socklen_t len = make_addr(family, where, port, &ss, &domain, &type);
    int fd = socket(domain, type | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (!len || fd < 0)
        return fail();
    if (connect(fd, (struct sockaddr *)&ss, len)) {
        if (!nonblocking || errno != EINPROGRESS)
            return fail();
        printf("inprogress ");
        int err = 0;
        socklen_t elen = sizeof(err);
        if (wait_for(fd, POLLOUT) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
            return fail();
        if (err) {
            errno = err;
            return fail();
        }
    }
    char buf[96] = "";
    if (wait_for(fd, POLLIN))
        return fail();
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    printf("ok %s\n", buf);
    return 0;
}

static int do_bind(const char *family, const char *where, int port)
{
    struct sockaddr_storage ss;
    int domain, type;
    socklen_t len = make_addr(family, where, port, &ss, &domain, &type);
    int fd = socket(domain, type, 0);
    if (!len || fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
        return fail();
    struct stat sb;
    if (domain == AF_UNIX && where[0] != '@')
        printf("ok %s\n", stat(where, &sb) == 0 && S_ISSOCK(sb.st_mode) ? "sock" : "nofile");
    else
        printf("ok %s\n", local_port(fd) > 0 ? "port" : "noport");
    return 0;
}

static int do_send(const char *family, const char *method, const char *where, int port)
{
    struct sockaddr_storage ss;
    int domain, type;
    socklen_t len = make_addr(family, where, port, &ss, &domain, &type);
    int fd = socket(domain, type, 0);
    if (!len || fd < 0)
        return fail();
    char msg[] = "ping";
    struct iovec iov = { .iov_base = msg, .iov_len = 4 };
    struct msghdr mh = { .msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t rc;
    if (!strcmp(method, "sendto") || !strcmp(method, "unspec")) {
        if (method[0] == 'u')
            ss.ss_family = AF_UNSPEC;   /* UDP over IPv4 reads it as AF_INET */
        rc = sendto(fd, msg, 4, 0, (struct sockaddr *)&ss, len);
    } else if (!strcmp(method, "sendmsg")) {
        rc = sendmsg(fd, &mh, 0);
    } else if (!strcmp(method, "sendmmsg")) {
        struct mmsghdr v[2] = { { .msg_hdr = mh }, { .msg_hdr = mh } };
        rc = sendmmsg(fd, v, 2, 0);
    } else {
        rc = connect(fd, (struct sockaddr *)&ss, len);
        if (rc == 0)
            rc = send(fd, msg, 4, 0);
    }
    if (rc < 0)
        return fail();
    if (domain == AF_UNIX) {
        printf("ok sent\n");
        return 0;
    }
    char buf[16] = "";
    if (wait_for(fd, POLLIN)) {
        printf("err timeout\n");
        return 1;
    }
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    printf("ok %s\n", buf);
    return 0;
}

static struct sockaddr_in race_addr;
static atomic_int race_done;

/* Flips the shared address's port between the two given ports. */
static void *flipper(void *arg)
{
    const uint16_t *ports = arg;
    while (!atomic_load(&race_done)) {
        race_addr.sin_port = ports[1];
        race_addr.sin_port = ports[0];
    }
    return NULL;
}

static int race(const char *where, int good, int bad, long n)
{
    uint16_t ports[2] = { htons((uint16_t)good), htons((uint16_t)bad) };
    race_addr.sin_family = AF_INET;
    race_addr.sin_port = ports[0];
    if (inet_pton(AF_INET, where, &race_addr.sin_addr) != 1)
        return 2;
    pthread_t t;
    pthread_create(&t, NULL, flipper, ports);
    long got_good = 0, got_bad = 0, errors = 0;
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&race_addr, sizeof(race_addr))) {
            errors++;
        } else {
            int p = local_port(fd) > 0 ? 0 : -1;
            struct sockaddr_in peer;
            socklen_t plen = sizeof(peer);
            if (p || getpeername(fd, (struct sockaddr *)&peer, &plen))
                errors++;
            else if (peer.sin_port == ports[0])
                got_good++;
            else
                got_bad++;
        }
        if (fd >= 0)
            close(fd);
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("good %ld bad %ld errors %ld\n", got_good, got_bad, errors);
    return 0;
}

/* Flips the shared address's port and sends "race" to it n times. */
static int sendrace(const char *where, int good, int bad, long n)
{
    uint16_t ports[2] = { htons((uint16_t)good), htons((uint16_t)bad) };
    race_addr.sin_family = AF_INET;
    race_addr.sin_port = ports[0];
    if (inet_pton(AF_INET, where, &race_addr.sin_addr) != 1)
        return 2;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail();
    pthread_t t;
    pthread_create(&t, NULL, flipper, ports);
    long sent = 0, refused = 0;
    for (long i = 0; i < n; i++) {
        if (sendto(fd, "race", 4, 0, (struct sockaddr *)&race_addr, sizeof(race_addr)) == 4)
            sent++;
        else
            refused++;
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("sent %ld refused %ld\n", sent, refused);
    return 0;
}

/* One sendmmsg of "good" to port (or unix path) good and "race" to bad. */
static int mmsgpair(const char *where, const char *good, const char *bad)
{
    int unix_paths = !strcmp(where, "unix");
    struct sockaddr_in to[2] = { { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(good)) },
                                 { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(bad)) } };
    struct sockaddr_un un[2] = { { .sun_family = AF_UNIX }, { .sun_family = AF_UNIX } };
    struct iovec iov[2] = { { .iov_base = "good", .iov_len = 4 }, { .iov_base = "race", .iov_len = 4 } };
    struct mmsghdr v[2];
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 2; i++) {
        const char *path = i ? bad : good;
        if (unix_paths ? strlen(path) >= sizeof(un[i].sun_path) : inet_pton(AF_INET, where, &to[i].sin_addr) != 1)
            return 2;
        if (unix_paths)
            strcpy(un[i].sun_path, path);
        v[i].msg_hdr = (struct msghdr){ .msg_name = unix_paths ? (void *)&un[i] : (void *)&to[i],
                                        .msg_namelen = unix_paths ? sizeof(un[i]) : sizeof(to[i]),
                                        .msg_iov = &iov[i], .msg_iovlen = 1 };
    }
    int fd = socket(unix_paths ? AF_UNIX : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rc = fd < 0 ? -1 : sendmmsg(fd, v, 2, 0);
    if (rc < 0)
        return fail();
    printf("sent %d\n", rc);
    return 0;
}

static int stall_port;
static atomic_int stall_tid[2];

static void *stall_connect(void *arg)
{
    atomic_store(&stall_tid[(intptr_t)arg], (int)gettid());
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)stall_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, (struct sockaddr *)&in, sizeof(in));
    return NULL;
}

/* Is thread tid inside connect? /proc shows the syscall
 * number a blocked thread waits in, also while seccomp holds it. */
static int in_connect(pid_t tid)
{
    char path[64], buf[64] = "";
    snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = '\0';
    fclose(f);
    return atoi(buf) == __NR_connect;
}

static int stall(int port, int n)
{
    stall_port = port;
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, stall_connect, (void *)(intptr_t)i);
    /* wait (bounded) until two other threads sit in connect */
    for (int round = 0; round < 100000; round++) {
        if (in_connect(atomic_load(&stall_tid[0])) && in_connect(atomic_load(&stall_tid[1])))
            break;
        sched_yield();
    }
    int done = 0;
    for (int i = 0; i < n; i++) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&in, sizeof(in)) == 0)
            done++;
        close(fd);
    }
    printf("ok %d\n", done);
    _exit(0);
}

static int fdpass(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
    int rx = socket(AF_UNIX, SOCK_DGRAM, 0), tx = socket(AF_UNIX, SOCK_DGRAM, 0), p[2];
    if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&un, sizeof(un)) || pipe(p))
        return fail();
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } c;
    memset(&c, 0, sizeof(c));
    struct iovec iov = { .iov_base = "fd", .iov_len = 2 };
    struct msghdr mh = { .msg_name = &un, .msg_namelen = sizeof(un), .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
    if (sendmsg(tx, &mh, 0) != 2)
        return fail();
    char data[8];
    memset(&c, 0, sizeof(c));
    struct iovec riov = { .iov_base = data, .iov_len = sizeof(data) };
    struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
    if (recvmsg(rx, &rh, 0) != 2 || !CMSG_FIRSTHDR(&rh) || CMSG_FIRSTHDR(&rh)->cmsg_type != SCM_RIGHTS)
        return fail();
    int got;
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&rh)), sizeof(int));
    char back[8] = "";
    if (write(p[1], "via", 3) != 3 || read(got, back, 3) != 3)
        return fail();
    printf("ok %s\n", back);
    return 0;
}

static int bindas(uid_t uid, const char *family, const char *where, int port)
{
    if (setresuid(uid, uid, uid))
        return fail();
    return do_bind(family, where, port);
}

static int connectas(uid_t uid, const char *family, const char *where, int port)
{
    if (geteuid() != uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
        return fail();
    if (getenv("NGPROBE_NONDUMPABLE") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
        return fail();
    return do_connect(family, where, port, 0);
}

static int sendas(uid_t uid, const char *method, const char *where)
{
    if (geteuid() != uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
        return fail();
    return do_send("unixdgram", method, where, 0);
}

static int poke(const char *where, int port)
{
    struct sockaddr_storage ss;
    int domain, type;
    socklen_t len = make_addr("udp4", where, port, &ss, &domain, &type);
    int fd = socket(domain, type, 0);
    if (!len || fd < 0 || sendto(fd, "end", 3, 0, (struct sockaddr *)&ss, len) != 3)
        return fail();
    return 0;
}

/* Binds a unix stream socket to `path` and prints the name the kernel
 * recorded (what getsockname() and every peer see). */
static int bindname(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    socklen_t len = sizeof(sa);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
        return fail();
    memset(&sa, 0, sizeof(sa));
    if (getsockname(fd, (struct sockaddr *)&sa, &len))
        return fail();
    printf("name %s\n", sa.sun_path);
    return 0;
}

static const char *bind_link, *bind_targets[2];

/* Points the symlink bind_link at the two targets in turn (a new symlink
 * renamed over it: the link always exists). */
static void *link_flipper(void *arg)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.new", bind_link);
    (void)arg;
    for (unsigned i = 0; !atomic_load(&race_done); i++) {
        unlink(tmp);
        if (symlink(bind_targets[i & 1], tmp) == 0)
            rename(tmp, bind_link);
    }
    return NULL;
}

/* n binds to LINK/sI while a thread flips LINK between good and bad;
 * prints how many succeeded and failed. */
static int bindrace(const char *good, const char *bad, const char *link, long n)
{
    bind_link = link;
    bind_targets[0] = good;
    bind_targets[1] = bad;
    pthread_t t;
    pthread_create(&t, NULL, link_flipper, NULL);
    long ok = 0, errors = 0;
    for (long i = 0; i < n; i++) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s%ld", link, i);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            ok++;
        else
            errors++;
        if (fd >= 0)
            close(fd);
    }
    atomic_store(&race_done, 1);
    pthread_join(t, NULL);
    printf("bound %ld errors %ld\n", ok, errors);
    return 0;
}

/* One connect to a `serve unixcred` listener: the peer's pid and uid, or
 * -errno. */
static int peer_of(const char *path, pid_t *pid, unsigned *uid)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    char buf[96] = "";
    ssize_t n = wait_for(fd, POLLIN) ? -1 : read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    int p;
    if (sscanf(buf, "pid %d uid %u", &p, uid) != 2)
        return -EPROTO;
    *pid = (pid_t)p;
    return 0;
}

static const char *outcome(int rc)
{
    return rc == 0 ? "ok" : strerrorname_np(-rc);
}

/* The deputy whose pid a peer saw, as this process names it: the same
 * pid without a PID namespace of the sandbox; in one (our parent is its
 * PID 1) the peer saw a pid of its own namespace, so the deputy is found
 * as the process whose parent is outside (PPid 0) other than PID 1. */
static pid_t deputy_here(pid_t peer)
{
    if (getppid() != 1)
        return peer;
    pid_t found = -1;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid = atoi(e->d_name), ppid = -1;
        char file[64], line[256];
        if (pid <= 1)
            continue;
        snprintf(file, sizeof(file), "/proc/%d/status", pid);
        FILE *f = fopen(file, "r");
        while (f && fgets(line, sizeof(line), f))
            if (sscanf(line, "PPid: %d", &ppid) == 1)
                break;
        if (f)
            fclose(f);
        if (ppid == 0)
            found = pid;
    }
    if (d)
        closedir(d);
    return found;
}

/* Waits until process pid is gone (reaped). */
static void wait_gone(pid_t pid)
{
    char dir[32];
    snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
    struct stat sb;
    for (int i = 0; i < 2000 && stat(dir, &sb) == 0; i++)
        usleep(5000);
}

static int deputies(const char *path)
{
    pid_t a, b, c, d;
    unsigned uid;
    int rc = peer_of(path, &a, &uid);
    if (!rc)
        rc = peer_of(path, &b, &uid);
    if (rc) {
        errno = -rc;
        return fail();
    }
    printf("reused %d", a == b);
    pid_t here = deputy_here(a);
    kill(here, SIGKILL);
    wait_gone(here);
    rc = peer_of(path, &c, &uid);
    printf(" replaced %s", rc ? outcome(rc) : c != a ? "1" : "0");
    here = deputy_here(c);
    kill(here, SIGSTOP);
    rc = peer_of(path, &d, &uid);
    printf(" stopped %s", outcome(rc));
    kill(here, SIGCONT);
    rc = peer_of(path, &d, &uid);
    printf(" after %s", outcome(rc));
    if (geteuid() == 0) {
        pid_t e;
        if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
            return fail();
        rc = peer_of(path, &e, &uid);
        if (rc)
            printf(" dropped %s", outcome(rc));
        else
            printf(" dropped %u %d", uid, e != d);
    }
    printf("\n");
    return 0;
}

static int sigpipe_probe(int nosignal)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return fail();
    close(sv[1]);
    signal(SIGPIPE, SIG_DFL);
    struct iovec iov = { "x", 1 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (sendmsg(sv[0], &mh, nosignal ? MSG_NOSIGNAL : 0) < 0)
        return fail();
    printf("ok sent\n");
    return 0;
}

static int swap_fd = 100, swap_unix, swap_udp, swap_unix_type = SOCK_DGRAM;

/* Puts the unix and the UDP socket under swap_fd in turn. */
static void *fd_swapper(void *arg)
{
    (void)arg;
    while (!atomic_load(&race_done)) {
        dup2(swap_unix, swap_fd);
        dup2(swap_udp, swap_fd);
    }
    return NULL;
}

static int swaprace(int port, long n)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    for (long i = 0; i < n; i++) {
        swap_unix = socket(AF_UNIX, swap_unix_type | SOCK_CLOEXEC, 0);
        swap_udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (swap_unix < 0 || swap_udp < 0)
            return fail();
        atomic_store(&race_done, 0);
        pthread_t t;
        pthread_create(&t, NULL, fd_swapper, NULL);
        int reached;
        if (swap_unix_type == SOCK_STREAM) {
            struct iovec iov = { "swap", 4 };
            struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
            reached = sendmsg(swap_fd, &mh, MSG_NOSIGNAL) == 4;
        } else {
            connect(swap_fd, (struct sockaddr *)&sa, sizeof(sa));
        }
        atomic_store(&race_done, 1);
        pthread_join(t, NULL);
        struct sockaddr_in peer;
        socklen_t len = sizeof(peer);
        if (swap_unix_type != SOCK_STREAM)
            reached = getpeername(swap_udp, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == sa.sin_port;
        close(swap_unix);
        close(swap_udp);
        close(swap_fd);
        if (reached) {
            printf("reached after %ld\n", i + 1);
            return 0;
        }
    }
    printf("never\n");
    return 0;
}


/* unixswap: the call's socket flips between a UDP socket and a unix one,
 * its address between PATH and PATH.none (which does not exist). */
static int uswap_unix;
static struct sockaddr_un uswap_path, uswap_none, uswap_addr;

static void *unix_swapper(void *arg)
{
    (void)arg;
    while (!atomic_load(&race_done)) {
        dup2(swap_udp, swap_fd);
        memcpy(&uswap_addr, &uswap_none, sizeof(uswap_none));
        dup2(uswap_unix, swap_fd);
        memcpy(&uswap_addr, &uswap_path, sizeof(uswap_path));
    }
    return NULL;
}

static int unixswap(const char *how, const char *path, long n)
{
    int is_send = !strcmp(how, "sendto");
    long inet_side = 0, unix_side = 0;
    uswap_path.sun_family = AF_UNIX;
    snprintf(uswap_path.sun_path, sizeof(uswap_path.sun_path), "%s", path);
    uswap_none.sun_family = AF_UNIX;
    snprintf(uswap_none.sun_path, sizeof(uswap_none.sun_path), "%s.none", path);
    for (long i = 0; i < 20 * n && (i < n || !inet_side || !unix_side); i++) {
        uswap_unix = socket(AF_UNIX, (is_send ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        swap_udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (uswap_unix < 0 || swap_udp < 0)
            return fail();
        memcpy(&uswap_addr, &uswap_path, sizeof(uswap_path));
        atomic_store(&race_done, 0);
        pthread_t t;
        pthread_create(&t, NULL, unix_swapper, NULL);
        long rc = is_send ? sendto(swap_fd, "swap", 4, MSG_NOSIGNAL, (struct sockaddr *)&uswap_addr,
                                   sizeof(uswap_addr))
                          : connect(swap_fd, (struct sockaddr *)&uswap_addr, sizeof(uswap_addr));
        int err = errno;
        atomic_store(&race_done, 1);
        pthread_join(t, NULL);
        close(uswap_unix);
        close(swap_udp);
        close(swap_fd);
        if (rc >= 0) {
            printf("reached after %ld\n", i + 1);
            return 0;
        }
        /* A UDP socket refuses a unix address; a unix socket gets the
         * denial (or ENOENT for PATH.none). */
        if (err == EAFNOSUPPORT)
            inet_side++;
        else
            unix_side++;
    }
    if (!inet_side || !unix_side)
        printf("one-sided inet %ld unix %ld\n", inet_side, unix_side);
    else
        printf("never\n");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 5 && !strcmp(argv[1], "serve"))
        return serve(argv[2], argv[3], argv[4]);
    if (argc >= 5 && !strcmp(argv[1], "connect"))
        return do_connect(argv[2], argv[3], atoi(argv[4]), argc > 5 && !strcmp(argv[5], "nb"));
    if (argc == 5 && !strcmp(argv[1], "bind"))
        return do_bind(argv[2], argv[3], atoi(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "send"))
        return do_send(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "race"))
        return race(argv[2], atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "sendrace"))
        return sendrace(argv[2], atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
    if (argc == 5 && !strcmp(argv[1], "mmsgpair"))
        return mmsgpair(argv[2], argv[3], argv[4]);
    if (argc == 4 && !strcmp(argv[1], "stall"))
        return stall(atoi(argv[2]), atoi(argv[3]));
    if (argc == 3 && !strcmp(argv[1], "fdpass"))
        return fdpass(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "sendas"))
        return sendas((uid_t)atoi(argv[2]), argv[3], argv[4]);
    if (argc >= 2 && !strcmp(argv[1], "sigpipe"))
        return sigpipe_probe(argc > 2);
    if (argc == 3 && !strcmp(argv[1], "deputies"))
        return deputies(argv[2]);
    if (argc == 6 && !strcmp(argv[1], "connectas"))
        return connectas((uid_t)atoi(argv[2]), argv[3], argv[4], atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "bindas"))
        return bindas((uid_t)atoi(argv[2]), argv[3], argv[4], atoi(argv[5]));
    if (argc == 4 && !strcmp(argv[1], "poke"))
        return poke(argv[2], atoi(argv[3]));
    if (argc == 3 && !strcmp(argv[1], "bindname"))
        return bindname(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "swapsend")) {
        swap_unix_type = SOCK_STREAM;
        return swaprace(atoi(argv[2]), atol(argv[3]));
    }
    if (argc == 4 && !strcmp(argv[1], "swaprace"))
        return swaprace(atoi(argv[2]), atol(argv[3]));
    if (argc == 5 && !strcmp(argv[1], "unixswap"))
        return unixswap(argv[2], argv[3], atol(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "bindrace"))
        return bindrace(argv[2], argv[3], argv[4], atol(argv[5]));
    fprintf(stderr, "ngprobe: bad arguments\n");
    return 2;
}
