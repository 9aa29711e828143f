/* bench-launch -- the bare launcher sandlock's start-up is compared with:
 *
 *   bench-launch [--namespaces] COMMAND [ARG...]
 *
 * forks; the child installs the reference filter (getppid notified), passes
 * the listener to the parent over a socket and execs COMMAND; the parent
 * answers CONTINUE to whatever is notified until the child exits, then
 * exits with its status. No namespace, no config, no plugins, no threads.
 *
 * With --namespaces (root: CAP_SYS_ADMIN), the kernel's part of what a
 * sandbox adds, for information: the child is the PID 1 of new mount and
 * PID namespaces, mounts a tmpfs on /dev, a devpts of its own on /dev/pts
 * and a proc on /proc, and forks the command's process (filter, listener,
 * exec) as sandlock's stub does; it exits with the command's status. */
#include "config.h"
#include "bare.h"

#include <errno.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* The PID 1 of new namespaces: the mounts, then the command's process;
 * exits with its status. */
static void __attribute__((noreturn)) stub(int sock, char **argv)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0 ||
        mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755") != 0 || mkdir("/dev/pts", 0755) != 0 ||
        mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") != 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        perror("bench-launch: namespaces: mount");
        _exit(125);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-launch: namespaces: fork");
        _exit(125);
    }
    if (pid == 0)
        child(sock, argv);
    close(sock);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            _exit(125);
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

/* fork(), or with `namespaces` a clone that is the PID 1 of new mount and
 * PID namespaces. */
static pid_t start(int namespaces)
{
    if (!namespaces)
        return fork();
    struct clone_args args = { .flags = CLONE_NEWNS | CLONE_NEWPID, .exit_signal = SIGCHLD };
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Launches the command and supervises it until it exits. */
int main(int argc, char **argv)
{
    int namespaces = argc > 1 && strcmp(argv[1], "--namespaces") == 0;
    if (namespaces) {
        argv++;
        argc--;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench-launch [--namespaces] COMMAND [ARG...]\n");
        return 125;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("bench-launch: socketpair");
        return 125;
    }
    pid_t pid = start(namespaces);
    if (pid < 0) {
        perror(namespaces ? "bench-launch: --namespaces: clone3" : "bench-launch: fork");
        return 125;
    }
    if (pid == 0) {
        close(sv[0]);
        if (namespaces)
            stub(sv[1], argv + 1);
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
