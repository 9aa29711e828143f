/* agent_proto.c -- see agent_proto.h.
 *
 * Why jansson (libjansson-dev) rather than json-c (libjson-c-dev), both in
 * Debian: the message comes from a peer that must not be trusted with
 * the agent's memory or its decisions.
 * - Duplicate keys: jansson refuses them (JSON_REJECT_DUPLICATES), so
 *   "seccompFd" or state.pid cannot mean one thing to a checker and
 *   another to us; json-c keeps the last silently.
 * - Strictness: jansson parses RFC 8259 only, refuses trailing data after
 *   the value and \u0000 inside strings (so C strings are whole); json-c's
 *   default tokener accepts comments, single quotes and trailing commas
 *   (its strict mode is opt-in, and still takes duplicates).
 * - Size: json_loadb parses a buffer of a given length; the bound is ours
 *   (SL_AGENT_MAX_MESSAGE) and jansson bounds the nesting depth (2048).
 * - API: typed accessors (json_is_integer vs real, json_string_length)
 *   and an error with line and column for the log.
 * The same library writes nothing: sandlock's own JSON output keeps
 * json.c. */
#include "config.h"
#include "agent_proto.h"
#include "procfs.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define LISTENER_NAME "seccompFd"

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
}

void sl_agent_names_free(char **fds, size_t nfds)
{
    for (size_t i = 0; i < nfds; i++)
        free(fds[i]);
}

void sl_agent_container_free(struct sl_agent_container *c)
{
    free(c->oci_version);
    free(c->metadata);
    free(c->id);
    free(c->status);
    free(c->bundle);
    for (size_t i = 0; i < c->nannotations; i++) {
        free(c->annotations[i].key);
        free(c->annotations[i].value);
    }
    free(c->annotations);
    if (c->listener >= 0)
        close(c->listener);
    if (c->init_pidfd >= 0)
        close(c->init_pidfd);
    memset(c, 0, sizeof(*c));
    c->listener = c->init_pidfd = -1;
}

/* ---- the JSON ---- */

/* The string member `key` of `obj` into *out (a copy). Absent: "" when
 * optional, else an error. */
static int get_string(json_t *obj, const char *where, const char *key, int required, char **out, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!v && !required) {
        *out = strdup("");
    } else if (!v) {
        sl_errf(err, errlen, "%s%s: missing", where, key);
        return -1;
    } else if (!json_is_string(v)) {
        sl_errf(err, errlen, "%s%s: not a string", where, key);
        return -1;
    } else {
        *out = strdup(json_string_value(v));
    }
    if (!*out) {
        sl_errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* A required pid: an integer in 1..INT_MAX (not 1.0, not "1"). */
static int get_pid(json_t *obj, const char *where, const char *key, pid_t *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        sl_errf(err, errlen, "%s%s: missing", where, key);
        return -1;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT_MAX) {
        sl_errf(err, errlen, "%s%s: not a process id (an integer from 1)", where, key);
        return -1;
    }
    *out = (pid_t)json_integer_value(v);
    return 0;
}

static int get_annotations(json_t *state, struct sl_agent_container *out, char *err, size_t errlen)
{
    json_t *a = json_object_get(state, "annotations");
    if (!a)
        return 0;
    if (!json_is_object(a)) {
        sl_errf(err, errlen, "state.annotations: not an object");
        return -1;
    }
    if (json_object_size(a) > SL_AGENT_MAX_ANNOTATIONS) {
        sl_errf(err, errlen, "state.annotations: more than %d", SL_AGENT_MAX_ANNOTATIONS);
        return -1;
    }
    if (!json_object_size(a))
        return 0;
    if (!(out->annotations = calloc(json_object_size(a), sizeof(*out->annotations)))) {
        sl_errf(err, errlen, "out of memory");
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach(a, key, value) {
        if (!json_is_string(value)) {
            sl_errf(err, errlen, "state.annotations.%.64s: not a string", key);
            return -1;
        }
        struct sl_agent_annotation *an = &out->annotations[out->nannotations++];
        if (!(an->key = strdup(key)) || !(an->value = strdup(json_string_value(value)))) {
            sl_errf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int get_fds(json_t *root, char **fds, size_t *nfds, char *err, size_t errlen)
{
    json_t *a = json_object_get(root, "fds");
    *nfds = 0;
    if (!a) {
        sl_errf(err, errlen, "fds: missing");
        return -1;
    }
    if (!json_is_array(a)) {
        sl_errf(err, errlen, "fds: not an array");
        return -1;
    }
    if (json_array_size(a) > SL_AGENT_MAX_FDS) {
        sl_errf(err, errlen, "fds: more than %d names", SL_AGENT_MAX_FDS);
        return -1;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_string(v)) {
            sl_errf(err, errlen, "fds[%zu]: not a string", i);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(fds[k], json_string_value(v))) {
                sl_errf(err, errlen, "fds[%zu]: \"%.64s\" named twice", i, fds[k]);
                return -1;
            }
        if (!(fds[i] = strdup(json_string_value(v)))) {
            sl_errf(err, errlen, "out of memory");
            return -1;
        }
        (*nfds)++;
    }
    return 0;
}

int sl_agent_parse(const char *text, size_t len, struct sl_agent_container *out, char **fds, size_t *nfds,
                   char *err, size_t errlen)
{
    json_error_t jerr;
    *nfds = 0;
    /* Objects or arrays only, nothing after the value, no \u0000. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        sl_errf(err, errlen, "malformed JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    json_t *state = json_object_get(root, "state");
    int rc = -1;
    if (!json_is_object(root))
        sl_errf(err, errlen, "not a JSON object");
    else if (get_string(root, "", "ociVersion", 1, &out->oci_version, err, errlen) ||
             get_fds(root, fds, nfds, err, errlen) ||
             get_pid(root, "", "pid", &out->pid, err, errlen) ||
             get_string(root, "", "metadata", 0, &out->metadata, err, errlen))
        ;
    else if (!state)
        sl_errf(err, errlen, "state: missing");
    else if (!json_is_object(state))
        sl_errf(err, errlen, "state: not an object");
    else if (get_string(state, "state.", "id", 1, &out->id, err, errlen) ||
             get_string(state, "state.", "status", 1, &out->status, err, errlen) ||
             get_pid(state, "state.", "pid", &out->init_pid, err, errlen) ||
             get_string(state, "state.", "bundle", 1, &out->bundle, err, errlen) ||
             get_annotations(state, out, err, errlen))
        ;
    else if (!*out->id)
        sl_errf(err, errlen, "state.id: empty");
    else
        rc = 0;
    json_decref(root);
    return rc;
}

/* ---- the container's init ---- */

unsigned long long sl_agent_ticks_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    long hz = sysconf(_SC_CLK_TCK);
    return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
           (unsigned long long)ts.tv_nsec * (unsigned long long)hz / 1000000000ull;
}

/* /proc/PID/stat's starttime (field 22), or -1. The command (field 2)
 * may hold spaces and parentheses: fields are counted after its last ')'. */
static long long start_ticks(pid_t pid)
{
    char buf[1024];
    const char *p = sl_proc_stat_fields(pid, buf, sizeof(buf));
    unsigned long long ticks;
    /* After the last ')': state (3) ... starttime (22): 20 spaces on. */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
        return -1;
    return (long long)ticks;
}

/* From /proc/PID/status: the seccomp mode and the real and effective
 * uids. -1 when unreadable. */
static int status_of(pid_t pid, int *seccomp_mode, uid_t *ruid, uid_t *euid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    int found = 0;
    unsigned long r, e;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "Uid: %lu %lu", &r, &e) == 2) {
            *ruid = (uid_t)r;
            *euid = (uid_t)e;
            found |= 1;
        } else if (sscanf(line, "Seccomp: %d", seccomp_mode) == 1) {
            found |= 2;
        }
    }
    fclose(f);
    return found == 3 ? 0 : -1;
}

int sl_agent_pin_init(struct sl_agent_container *out, unsigned long long received_ticks, char *err,
                      size_t errlen)
{
    pid_t pid = out->init_pid;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        sl_errf(err, errlen, "state.pid %d: pidfd_open: %s", (int)pid, strerror(errno));
        return -1;
    }
    int mode = -1;
    uid_t ruid = 0, euid = 0;
    long long started = start_ticks(pid);
    int status = status_of(pid, &mode, &ruid, &euid);
    /* Still alive after the reads: they were of the pidfd's process (its
     * pid cannot be reused while it exists, zombie included). */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0 || started < 0 || status) {
        sl_errf(err, errlen, "state.pid %d: the process is gone", (int)pid);
    } else if ((unsigned long long)started > received_ticks) {
        sl_errf(err, errlen, "state.pid %d: started after the message arrived (a reused pid)", (int)pid);
    } else if (mode != 2) {
        sl_errf(err, errlen, "state.pid %d: not under a seccomp filter", (int)pid);
    } else if (out->peer_uid != 0 && out->peer_uid != ruid && out->peer_uid != euid) {
        sl_errf(err, errlen, "state.pid %d: the peer (uid %u) may not signal it", (int)pid,
                (unsigned)out->peer_uid);
    } else {
        out->init_pidfd = pidfd;
        return 0;
    }
    close(pidfd);
    return -1;
}

/* ---- the socket ---- */

/* Is fd a seccomp listener? Its /proc/self/fd link names the kernel's
 * anonymous inode for it. */
static int is_listener(int fd)
{
    char path[64], target[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n < 0)
        return 0;
    target[n] = 0;
    return !strcmp(target, "anon_inode:seccomp notify");
}

/* The SCM_RIGHTS descriptors of one recvmsg added to fds (*n of them,
 * at most max in all: the others are closed at once); anything else in
 * the control data, or more than max descriptors, is an error, after all
 * of it was collected (so that the caller closes every descriptor). The
 * kernel may deliver a later sendmsg's descriptors with the first bytes,
 * so where they came in the stream is not checked: only their number. */
static int take_rights(struct msghdr *msg, int *fds, size_t max, size_t *n, char *err, size_t errlen)
{
    int bad = 0, over = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            bad = 1;
            continue;
        }
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*n < max) {
                fds[(*n)++] = fd;
            } else {
                close(fd);
                over = 1;
            }
        }
    }
    if (bad)
        sl_errf(err, errlen, "control data other than SCM_RIGHTS");
    else if (over)
        sl_errf(err, errlen, "more than %zu descriptors", max);
    return bad || over ? -1 : 0;
}

/* Milliseconds left until `deadline` (CLOCK_MONOTONIC), at least 0. */
static int ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Does buf hold a whole message? Runtimes send it in one sendmsg and
 * keep the connection open (runc and crun close it only when they exit,
 * after the container -- which may be waiting for the agent), so the end
 * of the JSON value is the end of the message: complete when it parses,
 * or when it fails for another reason than a premature end (then
 * sl_agent_parse gives that reason). */
static int complete(const char *buf, size_t len)
{
    json_error_t jerr;
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    json_decref(v);
    return v || json_error_code(&jerr) != json_error_premature_end_of_input;
}

/* Reads one message into *text (*len bytes) and its descriptors into
 * fds; -1 with the reason (the descriptors are then in fds for the
 * caller to close). */
static int read_message(int conn, int timeout_ms, char **text, size_t *len, int *fds, size_t *nfds, char *err,
                        size_t errlen)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    size_t cap = 4096;
    char *buf = malloc(cap);
    if (!buf) {
        sl_errf(err, errlen, "out of memory");
        return -1;
    }
    *len = 0;
    for (;;) {
        struct pollfd p = { .fd = conn, .events = POLLIN };
        int left = ms_left(&deadline);
        int ready = left ? poll(&p, 1, left) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            if (ready == 0)
                sl_errf(err, errlen, "%s within %d ms", *len ? "the peer did not send a whole message"
                                                             : "the peer sent nothing", timeout_ms);
            else
                sl_errf(err, errlen, "poll: %s", strerror(errno));
            break;
        }
        if (cap - *len < 4096 && cap <= SL_AGENT_MAX_MESSAGE) {
            size_t bigger = cap * 2 > SL_AGENT_MAX_MESSAGE + 1 ? SL_AGENT_MAX_MESSAGE + 1 : cap * 2;
            char *nbuf = realloc(buf, bigger);
            if (!nbuf) {
                sl_errf(err, errlen, "out of memory");
                break;
            }
            buf = nbuf;
            cap = bigger;
        }
        /* One byte more than the bound: a longer message is seen. */
        union {
            char bytes[CMSG_SPACE(sizeof(int) * SL_AGENT_MAX_FDS)];
            struct cmsghdr align;
        } control;
        struct iovec iov = { buf + *len, cap - *len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                              .msg_controllen = sizeof(control.bytes) };
        ssize_t got = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got < 0) {
            sl_errf(err, errlen, "recvmsg: %s", strerror(errno));
            break;
        }
        if (take_rights(&msg, fds, SL_AGENT_MAX_FDS, nfds, err, errlen))
            break;
        /* MSG_TRUNC: a stream never truncates data, but a descriptor
         * handed over as something else could be a datagram socket. */
        if (msg.msg_flags & MSG_TRUNC) {
            sl_errf(err, errlen, "message truncated");
            break;
        }
        if (msg.msg_flags & MSG_CTRUNC) {
            sl_errf(err, errlen, "more than %d descriptors (control data truncated)", SL_AGENT_MAX_FDS);
            break;
        }
        if (got == 0 && !*len) {
            sl_errf(err, errlen, "the peer closed without a message");
            break;
        }
        *len += (size_t)got;
        if (*len > SL_AGENT_MAX_MESSAGE) {
            sl_errf(err, errlen, "message longer than %d bytes", SL_AGENT_MAX_MESSAGE);
            break;
        }
        if (got == 0 || complete(buf, *len)) {
            /* Nothing may follow (descriptors included). */
            char extra;
            if (got > 0 && recv(conn, &extra, 1, MSG_DONTWAIT | MSG_PEEK) > 0) {
                sl_errf(err, errlen, "data after the message");
                break;
            }
            *text = buf;
            return 0;
        }
    }
    free(buf);
    return -1;
}

int sl_agent_receive(int conn, int timeout_ms, struct sl_agent_container *out, char *err, size_t errlen)
{
    int fds[SL_AGENT_MAX_FDS];
    char *names[SL_AGENT_MAX_FDS];
    size_t nfds = 0, nnames = 0, len = 0;
    char *text = NULL;
    memset(out, 0, sizeof(*out));
    out->listener = out->init_pidfd = -1;

    struct ucred cred;
    socklen_t credlen = sizeof(cred);
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &credlen)) {
        sl_errf(err, errlen, "SO_PEERCRED: %s", strerror(errno));
        return -1;
    }
    out->peer_uid = cred.uid;
    out->peer_pid = cred.pid;
    int rc = read_message(conn, timeout_ms, &text, &len, fds, &nfds, err, errlen);
    unsigned long long received = sl_agent_ticks_now();
    if (!rc)
        rc = sl_agent_parse(text, len, out, names, &nnames, err, errlen);
    free(text);
    if (!rc && nnames != nfds) {
        sl_errf(err, errlen, "fds names %zu descriptors, %zu received", nnames, nfds);
        rc = -1;
    }
    for (size_t i = 0; !rc && i < nnames; i++)
        if (!strcmp(names[i], LISTENER_NAME)) {
            out->listener = fds[i];
            fds[i] = -1;
        }
    if (!rc && out->listener < 0) {
        sl_errf(err, errlen, "fds names no \"" LISTENER_NAME "\"");
        rc = -1;
    } else if (!rc && !is_listener(out->listener)) {
        sl_errf(err, errlen, "\"" LISTENER_NAME "\" is not a seccomp listener");
        rc = -1;
    }
    sl_agent_names_free(names, nnames);
    /* The descriptors the agent has no use for. */
    close_all(fds, nfds);
    if (!rc)
        rc = sl_agent_pin_init(out, received, err, errlen);
    if (rc)
        sl_agent_container_free(out);
    return rc;
}
