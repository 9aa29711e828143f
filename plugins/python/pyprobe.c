/* pyprobe -- runs inside the sandbox for plugins/python/test.sh and
 * examples/python: makes the calls named on its command line, in order,
 * and prints what it sees, one line each.
 *
 *   getppid            "getppid=RET errno=NAME"
 *   uname              "uname=RET errno=NAME nodename=NODENAME"
 *   open:PATH          "open=ok data=TEXT cloexec=0|1" or "open=-1 errno=NAME"
 *   dup:PATH           opens PATH, dup()s it, reads through the copy:
 *                      "dup=ok data=TEXT cloexec=0|1" or "dup=-1 errno=NAME" */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *ename(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

/* Reads fd (up to a line) and closes it: "WHAT=ok data=TEXT cloexec=N". */
static void show(const char *what, int fd)
{
    if (fd < 0) {
        printf("%s=-1 errno=%s\n", what, ename(errno));
        return;
    }
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    printf("%s=ok data=%s cloexec=%d\n", what, buf, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    close(fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "getppid") == 0) {
            errno = 0;
            long rc = syscall(SYS_getppid);
            printf("getppid=%ld errno=%s\n", rc, rc < 0 ? ename(errno) : "0");
        } else if (strcmp(a, "uname") == 0) {
            struct utsname u;
            memset(&u, 0, sizeof(u));
            long rc = syscall(SYS_uname, &u);
            printf("uname=%ld errno=%s nodename=%s\n", rc, rc < 0 ? ename(errno) : "0", u.nodename);
        } else if (strncmp(a, "open:", 5) == 0) {
            show("open", open(a + 5, O_RDONLY));
        } else if (strncmp(a, "dup:", 4) == 0) {
            int fd = open(a + 4, O_RDONLY);
            int copy = fd < 0 ? -1 : dup(fd);
            show("dup", copy);
            if (fd >= 0)
                close(fd);
        } else {
            fprintf(stderr, "pyprobe: unknown step %s\n", a);
            return 2;
        }
    }
    return 0;
}
