/* listener.c -- a stand-in OCI seccomp agent for tests/oci/e2e.sh, which
 * tests the protocol and the runtimes' side of it on their own (the real
 * agent, `sandlock agent`, is tests/oci/agent.sh's): it receives one
 * container's listener through core/agent_proto.c (the agent's own
 * receiving side), writes what it received to REPORT, then answers the
 * container's notifications itself: getppid with 4242, anything else
 * CONTINUE, until the container's last task is gone.
 *
 *   listener SOCKET REPORT [--reject]
 *
 * --reject: receive, then close the listener at once (what the agent does
 * with a message it rejects): the container's notified calls get ENOSYS. */
#include "config.h"
#include "agent_proto.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define ANSWER 4242

static int serve(int listener)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    for (;;) {
        struct pollfd p = { listener, POLLIN, 0 };
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            return -1;
        if (p.revents & (POLLHUP | POLLERR))
            return 0;    /* the container's last task is gone */
        if (!(p.revents & POLLIN))
            continue;
        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            return -1;
        }
        memset(&resp, 0, sizeof(resp));
        resp.id = req.id;
        if (req.data.nr == __NR_getppid)
            resp.val = ANSWER;
        else
            resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno != ENOENT)
            return -1;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: listener SOCKET REPORT [--reject]\n");
        return 2;
    }
    int reject = argc > 3 && !strcmp(argv[3], "--reject");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "listener: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(argv[1]);
    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) || listen(sock, 8)) {
        perror("listener: socket");
        return 2;
    }
    /* Ready: the test starts the container once this line is there. */
    printf("ready\n");
    fflush(stdout);
    int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
        perror("listener: accept");
        return 2;
    }
    struct sl_agent_container c;
    char err[512];
    int rc = sl_agent_receive(conn, 5000, &c, err, sizeof(err));
    close(conn);
    FILE *report = fopen(argv[2], "w");
    if (!report)
        return 2;
    if (rc) {
        fprintf(report, "rejected: %s\n", err);
        fclose(report);
        return 1;
    }
    fprintf(report, "id=%s\nstatus=%s\nmetadata=%s\nbundle=%s\ninit_pid_pinned=%s\nannotations=%zu\n", c.id,
            c.status, c.metadata, c.bundle, c.init_pidfd >= 0 ? "yes" : "no", c.nannotations);
    fflush(report);
    if (reject) {
        fprintf(report, "closed the listener\n");
        fclose(report);
        sl_agent_container_free(&c);
        return 0;
    }
    rc = serve(c.listener);
    fprintf(report, "served: %s\n", rc ? strerror(errno) : "until the container ended");
    fclose(report);
    sl_agent_container_free(&c);
    return rc ? 1 : 0;
}
