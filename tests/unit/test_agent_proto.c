/* test_agent_proto.c -- the agent's receiving side (core/agent_proto.c)
 * against a peer on a socketpair feeding good and bad messages, with a
 * real container stand-in: a child under a seccomp filter whose getppid
 * is notified, blocked in that call. Every case checks that no
 * descriptor leaks (/proc/self/fd counted before and after); the last one
 * checks what the container observes when its listener is rejected. */
#include "config.h"
#include "agent_proto.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TIMEOUT_MS 300

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;    /* opendir's own */
}

/* Sends `len` bytes of `data` with `nfds` descriptors in one sendmsg. */
static int send_with_fds(int sock, const char *data, size_t len, const int *fds, int nfds)
{
    union {
        char bytes[CMSG_SPACE(sizeof(int) * 64)];
        struct cmsghdr align;
    } control;
    struct iovec iov = { (void *)data, len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (nfds) {
        msg.msg_control = control.bytes;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The container stand-in: installs a filter notifying getppid, hands its
 * listener to the parent, closes its own copy, calls getppid (trapped:
 * it waits for an answer) and reports the call's errno on `report`. */
static pid_t container_pid;
static int container_report = -1;

static int start_container(void)
{
    int sp[2], rep[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) || pipe2(rep, O_CLOEXEC))
        return -1;
    container_pid = fork();
    if (container_pid == 0) {
        struct sock_filter insns[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
            _exit(2);
        int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (listener < 0 || send_with_fds(sp[1], "L", 1, &listener, 1))
            _exit(3);
        close(listener);
        long r = syscall(SYS_getppid);
        int e = r < 0 ? errno : 0;
        if (write(rep[1], &e, sizeof(e)) != sizeof(e))
            _exit(4);
        _exit(0);
    }
    close(sp[1]);
    close(rep[1]);
    container_report = rep[0];
    char c;
    union {
        char bytes[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { &c, 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                          .msg_controllen = sizeof(control.bytes) };
    int listener = -1;
    if (recvmsg(sp[0], &msg, MSG_CMSG_CLOEXEC) == 1 && CMSG_FIRSTHDR(&msg))
        memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
    close(sp[0]);
    return listener;
}

/* What the peer does after its data. */
enum after { CLOSE, STAY_OPEN, SEND_NOTHING, FDS_LATER, FDS_TWICE };

/* The JSON of a good message for the stand-in, with `fds` as given. */
static char *good_json(const char *fds)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"ociVersion\": \"1.0.2\", \"fds\": %s, \"pid\": %d, \"metadata\": \"profile=web\", "
             "\"state\": {\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"status\": \"creating\", \"pid\": %d, "
             "\"bundle\": \"/run/b\", \"annotations\": {\"k\": \"v\", \"io.kubernetes.pod\": \"p\"}}}",
             fds, (int)container_pid, (int)container_pid);
    return buf;
}

/* One case: a peer process sends `json` with `fds`, then `after`;
 * sl_agent_receive's result and message are returned, the descriptors
 * counted. */
static int feed(const char *json, size_t len, const int *fds, int nfds, enum after after,
                struct sl_agent_container *out, char *err, size_t errlen, int *leaked)
{
    int before = open_fds();
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
    pid_t peer = fork();
    if (peer == 0) {
        close(sp[0]);
        if (after == SEND_NOTHING) {
            pause();
            _exit(0);
        }
        if (after == FDS_LATER || after == FDS_TWICE) {
            send_with_fds(sp[1], json, 1, fds, after == FDS_TWICE ? nfds : 0);
            send_with_fds(sp[1], json + 1, len - 1, fds, nfds);
        } else {
            send_with_fds(sp[1], json, len, fds, nfds);
        }
        if (after == STAY_OPEN)
            pause();
        _exit(0);
    }
    close(sp[1]);
    err[0] = 0;
    int rc = sl_agent_receive(sp[0], TIMEOUT_MS, out, err, errlen);
    kill(peer, SIGKILL);
    waitpid(peer, NULL, 0);
    close(sp[0]);
    /* An accepted container holds two descriptors (listener, pidfd). */
    *leaked = open_fds() - before - (rc == 0 ? 2 : 0);
    return rc;
}

static void reject(const char *name, const char *json, const int *fds, int nfds, enum after after,
                   const char *want)
{
    struct sl_agent_container c;
    char err[512];
    int leaked;
    int rc = feed(json, strlen(json), fds, nfds, after, &c, err, sizeof(err), &leaked);
    ok(rc == -1, "%s: rejected", name);
    has_str(err, want, "%s: the reason", name);
    is_int(leaked, 0, "%s: no descriptor leaked", name);
    if (rc == 0)
        sl_agent_container_free(&c);
}

int main(void)
{
    int listener = start_container();
    ok(listener >= 0, "the stand-in's listener");
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int two[2] = { devnull, listener };
    struct sl_agent_container c;
    char err[512];
    int leaked;

    /* ---- accepted ---- */
    const char *json = good_json("[\"seccompFd\"]");
    int rc = feed(json, strlen(json), &listener, 1, CLOSE, &c, err, sizeof(err), &leaked);
    is_int(rc, 0, "a good message is accepted (%s)", err);
    if (rc == 0) {
        is_str(c.id, "c1", "state.id");
        is_str(c.bundle, "/run/b", "state.bundle");
        is_str(c.metadata, "profile=web", "metadata");
        is_str(c.status, "creating", "state.status");
        is_int(c.init_pid, container_pid, "state.pid");
        is_int(c.nannotations, 2, "annotations");
        ok(c.listener >= 0 && c.listener != listener, "the listener is a new descriptor");
        ok(fcntl(c.listener, F_GETFD) & FD_CLOEXEC, "received close-on-exec");
        ok(c.init_pidfd >= 0 && syscall(SYS_pidfd_send_signal, c.init_pidfd, 0, NULL, 0) == 0,
           "a pidfd of the container's init");
        is_int(c.peer_uid, geteuid(), "the peer's uid");
        sl_agent_container_free(&c);
    }
    is_int(leaked, 0, "accepted: the descriptors are the two kept");

    json = good_json("[\"other\", \"seccompFd\"]");
    rc = feed(json, strlen(json), two, 2, CLOSE, &c, err, sizeof(err), &leaked);
    is_int(rc, 0, "two descriptors, the listener second (%s)", err);
    is_int(leaked, 0, "the other descriptor is closed");
    if (rc == 0)
        sl_agent_container_free(&c);

    /* As runc and crun do: the message, then the connection stays open. */
    json = good_json("[\"seccompFd\"]");
    rc = feed(json, strlen(json), &listener, 1, STAY_OPEN, &c, err, sizeof(err), &leaked);
    is_int(rc, 0, "a peer that keeps the connection open after the message (%s)", err);
    is_int(leaked, 0, "kept open: the descriptors are the two kept");
    if (rc == 0)
        sl_agent_container_free(&c);

    /* Unknown fields: a later runtime-spec may add some. */
    char extra[2048];
    snprintf(extra, sizeof(extra), "{\"future\": [1, {\"x\": null}], %s", good_json("[\"seccompFd\"]") + 1);
    rc = feed(extra, strlen(extra), &listener, 1, CLOSE, &c, err, sizeof(err), &leaked);
    is_int(rc, 0, "unknown fields are ignored (%s)", err);
    if (rc == 0)
        sl_agent_container_free(&c);

    /* ---- malformed or wrong ---- */
    reject("not JSON", "{\"ociVersion\": ", &listener, 1, CLOSE, "malformed JSON");
    reject("data after the value", "{} x", &listener, 1, CLOSE, "malformed JSON");
    reject("an array", "[]", &listener, 1, CLOSE, "not a JSON object");
    reject("a duplicate key",
           "{\"ociVersion\": \"1\", \"pid\": 1, \"pid\": 2, \"fds\": [\"seccompFd\"], \"state\": {}}", &listener, 1,
           CLOSE, "duplicate");
    reject("NUL in a string", "{\"ociVersion\": \"1\\u0000x\"}", &listener, 1, CLOSE, "malformed JSON");
    reject("ociVersion missing", "{\"fds\": [\"seccompFd\"]}", &listener, 1, CLOSE, "ociVersion: missing");
    reject("fds not an array", "{\"ociVersion\": \"1\", \"fds\": \"seccompFd\"}", &listener, 1, CLOSE,
           "fds: not an array");
    reject("fds[0] a number", "{\"ociVersion\": \"1\", \"fds\": [3]}", &listener, 1, CLOSE, "fds[0]: not a string");
    reject("pid a string", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": \"1\"}", &listener, 1,
           CLOSE, "pid: not a process id");
    reject("pid a real", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1.0}", &listener, 1, CLOSE,
           "pid: not a process id");
    reject("pid 0", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 0}", &listener, 1, CLOSE,
           "pid: not a process id");
    reject("pid too big", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 4294967297}", &listener, 1,
           CLOSE, "pid: not a process id");
    reject("metadata a number", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"metadata\": 1}",
           &listener, 1, CLOSE, "metadata: not a string");
    reject("state missing", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1}", &listener, 1, CLOSE,
           "state: missing");
    reject("state not an object", "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"state\": []}",
           &listener, 1, CLOSE, "state: not an object");
    reject("state.id missing",
           "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"state\": {\"ociVersion\": \"1\"}}",
           &listener, 1, CLOSE, "state.id: missing");
    reject("state.id empty",
           "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"state\": {\"ociVersion\": \"1\", "
           "\"id\": \"\", \"status\": \"creating\", \"pid\": 1, \"bundle\": \"/\"}}",
           &listener, 1, CLOSE, "state.id: empty");
    reject("state.pid missing",
           "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"state\": {\"ociVersion\": \"1\", "
           "\"id\": \"c\", \"status\": \"creating\", \"bundle\": \"/\"}}",
           &listener, 1, CLOSE, "state.pid: missing");
    reject("an annotation not a string",
           "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": 1, \"state\": {\"ociVersion\": \"1\", "
           "\"id\": \"c\", \"status\": \"creating\", \"pid\": 1, \"bundle\": \"/\", \"annotations\": {\"a\": 1}}}",
           &listener, 1, CLOSE, "state.annotations.a: not a string");
    char deep[8192] = "{\"x\": ";
    for (int i = 0; i < 3000; i++)
        strcat(deep, "[");
    reject("nested 3000 deep", deep, &listener, 1, CLOSE, "malformed JSON");

    /* ---- descriptors against fds ---- */
    reject("a descriptor missing", good_json("[\"seccompFd\"]"), NULL, 0, CLOSE, "fds names 1 descriptors, 0 received");
    reject("an extra descriptor", good_json("[\"seccompFd\"]"), two, 2, CLOSE, "fds names 1 descriptors, 2 received");
    reject("no seccompFd", good_json("[\"other\"]"), &listener, 1, CLOSE, "no \"seccompFd\"");
    reject("seccompFd named twice", good_json("[\"seccompFd\", \"seccompFd\"]"), two, 2, CLOSE, "named twice");
    reject("seccompFd not a listener", good_json("[\"seccompFd\"]"), &devnull, 1, CLOSE, "not a seccomp listener");
    int many[SL_AGENT_MAX_FDS + 1];
    for (int i = 0; i <= SL_AGENT_MAX_FDS; i++)
        many[i] = i ? devnull : listener;
    reject("more descriptors than the agent takes", good_json("[\"seccompFd\"]"), many, SL_AGENT_MAX_FDS + 1, CLOSE,
           "control data truncated");
    /* Descriptors of a later sendmsg count like the others (the kernel
     * may deliver them with the first bytes anyway); too many in all do
     * not, however they came. */
    json = good_json("[\"seccompFd\"]");
    rc = feed(json, strlen(json), &listener, 1, FDS_LATER, &c, err, sizeof(err), &leaked);
    is_int(rc, 0, "the listener sent after the first bytes (%s)", err);
    is_int(leaked, 0, "sent after the first bytes: the descriptors are the two kept");
    if (rc == 0)
        sl_agent_container_free(&c);
    reject("too many descriptors in two sendmsgs", good_json("[\"seccompFd\"]"), many, SL_AGENT_MAX_FDS / 2 + 1,
           FDS_TWICE, "more than 16 descriptors");

    /* ---- the peer's timing and size ---- */
    reject("a peer that sends nothing", "", NULL, 0, SEND_NOTHING, "the peer sent nothing within");
    reject("a peer that sends half a message", "{\"ociVersion\": \"1.0.2\", ", &listener, 1, STAY_OPEN,
           "did not send a whole message within");
    reject("a second value after the message", "{\"ociVersion\": \"1\"} {}", &listener, 1, STAY_OPEN,
           "end of file expected");
    reject("a peer that closes at once", "", NULL, 0, CLOSE, "closed without a message");
    size_t big = SL_AGENT_MAX_MESSAGE + 100;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = 0;
    reject("an oversized message", huge, &listener, 1, CLOSE, "message longer than");
    free(huge);

    /* ---- the container's init ---- */
    char notinit[2048];
    snprintf(notinit, sizeof(notinit),
             "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": %d, \"state\": {\"ociVersion\": \"1\", "
             "\"id\": \"c\", \"status\": \"creating\", \"pid\": %d, \"bundle\": \"/\"}}",
             (int)getpid(), (int)getpid());
    reject("state.pid not under a filter", notinit, &listener, 1, CLOSE, "not under a seccomp filter");
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    snprintf(notinit, sizeof(notinit),
             "{\"ociVersion\": \"1\", \"fds\": [\"seccompFd\"], \"pid\": %d, \"state\": {\"ociVersion\": \"1\", "
             "\"id\": \"c\", \"status\": \"creating\", \"pid\": %d, \"bundle\": \"/\"}}",
             (int)gone, (int)gone);
    reject("state.pid of no process", notinit, &listener, 1, CLOSE, "pidfd_open");

    struct sl_agent_container pin = { .init_pid = container_pid, .init_pidfd = -1, .listener = -1 };
    rc = sl_agent_pin_init(&pin, 0, err, sizeof(err));
    ok(rc == -1 && strstr(err, "started after the message arrived"), "a process started after receipt: %s", err);
    pin.peer_uid = 12345;
    rc = sl_agent_pin_init(&pin, sl_agent_ticks_now(), err, sizeof(err));
    ok(rc == -1 && strstr(err, "may not signal"), "a peer that may not signal the process: %s", err);
    pin.peer_uid = 0;
    rc = sl_agent_pin_init(&pin, sl_agent_ticks_now(), err, sizeof(err));
    ok(rc == 0 && pin.init_pidfd >= 0, "a root peer: pinned (%s)", rc ? err : "");
    sl_agent_container_free(&pin);

    /* ---- what the container observes on rejection ---- */
    /* The stand-in is blocked in its trapped getppid. The listener's only
     * copy now goes to the agent in a malformed message. */
    struct pollfd p = { container_report, POLLIN, 0 };
    ok(poll(&p, 1, 0) == 0, "the container's trapped call is waiting");
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
    send_with_fds(sp[1], "{", 1, &listener, 1);
    close(sp[1]);
    close(listener);
    rc = sl_agent_receive(sp[0], TIMEOUT_MS, &c, err, sizeof(err));
    close(sp[0]);
    ok(rc == -1, "rejected: %s", err);
    int e = 0;
    ok(poll(&p, 1, 10000) == 1 && read(container_report, &e, sizeof(e)) == sizeof(e),
       "the trapped call returned when the listener was closed");
    is_int(e, ENOSYS, "it failed with ENOSYS");
    kill(container_pid, SIGKILL);    /* if it still waits (a failure above) */
    waitpid(container_pid, NULL, 0);
    close(devnull);
    return tap_done();
}
