/* probe.c -- runs inside the test container of tests/oci/e2e.sh (built
 * static: the bundle's rootfs holds busybox and this only).
 *   probe getppid   getppid(2) through the native syscall: "getppid=R errno=E"
 *   probe getuid    the same with getuid(2)
 *   probe yield     sched_yield(2) (which busybox sh never calls), after
 *                   "calling sched_yield" (flushed)
 *   probe int80     getppid through x86_64's i386 entry (int 0x80), which
 *                   the profile leaves to the runtime's bad-architecture
 *                   action: the process dies of SIGSYS before printing
 *   probe procfd P  P opened O_PATH, then read through /proc/self/fd/N:
 *                   "[CONTENT]" */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "getppid")) {
        errno = 0;
        long r = syscall(SYS_getppid);
        printf("getppid=%ld errno=%d\n", r, r < 0 ? errno : 0);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "getuid")) {
        errno = 0;
        long r = syscall(SYS_getuid);
        printf("getuid=%ld errno=%d\n", r, r < 0 ? errno : 0);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "yield")) {
        printf("calling sched_yield\n");
        fflush(stdout);
        long r = syscall(SYS_sched_yield);
        printf("sched_yield=%ld\n", r);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "int80")) {
#ifdef __x86_64__
        long r = 64;    /* i386 getppid */
        __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
        printf("int80 getppid=%ld\n", r);
        return 0;
#else
        printf("int80: not x86_64\n");
        return 3;
#endif
    }
    if (argc == 3 && !strcmp(argv[1], "procfd")) {
        char proc[64], buf[256];
        int o = open(argv[2], O_PATH);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o);
        int fd = o < 0 ? -1 : open(proc, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (n < 0) {
            printf("procfd: %s\n", strerror(errno));
            return 1;
        }
        buf[n] = '\0';
        printf("[%s]\n", buf);
        return 0;
    }
    fprintf(stderr, "usage: probe getppid|getuid|yield|int80|procfd PATH\n");
    return 2;
}
