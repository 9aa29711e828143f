/* test-selfdir.c -- fsdeny names and reopens its own descriptors through
 * the held /proc/self/fd directory: the process's own, also in a forked
 * child (the parent's directory would name the parent's descriptors). */
#define _GNU_SOURCE
#include "selfdir.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* What fd names, through the held directory. */
static const char *name_of(int fd, char *buf, size_t size)
{
    ssize_t n = fsd_self_readlink(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

int main(void)
{
    char buf[4096];
    fsd_self_dir_open();
    int fd = open("/", O_PATH | O_CLOEXEC);
    is_str(name_of(fd, buf, sizeof(buf)), "/", "readlink names the process's own descriptor");
    int again = fsd_self_open(fd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok(again >= 0 && again != fd, "open reopens it as a new descriptor");
    if (again >= 0)
        close(again);

    /* In a forked child the same number names another file: the child's
     * own table must be read, not the parent's. */
    int pipefd[2];
    if (pipe(pipefd) != 0)
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        int dev = open("/dev", O_PATH | O_CLOEXEC);
        dup2(dev, fd);
        const char *seen = name_of(fd, buf, sizeof(buf));
        ssize_t w = write(pipefd[1], seen, strlen(seen) + 1);
        _exit(w > 0 ? 0 : 1);
    }
    close(pipefd[1]);
    ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    int status;
    waitpid(pid, &status, 0);
    is_str(buf, "/dev", "a forked child reads its own descriptors");
    is_str(name_of(fd, buf, sizeof(buf)), "/", "and the parent still its own");
    return tap_done();
}
