/* bench-launch -- the bare launcher sandlock's start-up is compared with:
 *
 *   bench-launch COMMAND [ARG...]
 *
 * forks; the child installs the reference filter (getppid notified), passes
 * the listener to the parent over a socket and execs COMMAND; the parent
 * answers CONTINUE to whatever is notified until the child exits, then
 * exits with its status. No namespace, no config, no plugins, no threads. */
#include "config.h"
#include "bare.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's side: filter, hand the listener over, exec. */
static void __attribute__((noreturn)) child(int sock, char **argv)
{
    int listener = bare_filter_install();
    if (listener < 0 || bare_send_fd(sock, listener) != 0) {
        perror("bench-launch: filter");
        _exit(125);
    }
    close(listener);
    close(sock);
    execvp(argv[0], argv);
    perror(argv[0]);
    _exit(errno == ENOENT ? 127 : 126);
}

/* Launches the command and supervises it until it exits. */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-launch COMMAND [ARG...]\n");
        return 125;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("bench-launch: socketpair");
        return 125;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-launch: fork");
        return 125;
    }
    if (pid == 0) {
        close(sv[0]);
        child(sv[1], argv + 1);
    }
    close(sv[1]);
    int listener = bare_recv_fd(sv[0]);
    close(sv[0]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (listener < 0 || pidfd < 0) {
        perror("bench-launch: listener");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 125;
    }
    bare_set_sync_wakeup(listener);
    struct pollfd fds[2] = {
        { .fd = pidfd, .events = POLLIN },
        { .fd = listener, .events = POLLIN },
    };
    while (poll(fds, 2, -1) >= 0 || errno == EINTR) {
        if (fds[0].revents)
            break;
        /* POLLHUP: no task uses the filter any more (the child is exiting);
         * RECV would fail at once from now on, so stop watching it. */
        if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL))
            fds[1].fd = -1;
        else if ((fds[1].revents & POLLIN) && bare_serve_one(listener) != 0 && errno != EINTR &&
                 errno != ENOENT)
            break;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 125;
    close(listener);
    close(pidfd);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
