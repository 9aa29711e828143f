/* probe.c -- runs inside the sandbox for plugins/uname/test.sh.
 *
 *   uname-probe          print the six uname(2) fields, one "name=value" a line
 *   uname-probe bad ADDR call uname(2) on address ADDR (hex) and print
 *                        "rc=R errno=NAME"
 *   uname-probe edge     the same with a buffer whose last bytes run into an
 *                        unmapped page */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Calls uname(2) on `addr` and prints the raw result. */
static int call_at(void *addr)
{
    long rc = syscall(SYS_uname, addr);
    printf("rc=%ld errno=%s\n", rc, rc ? strerrorname_np(errno) : "0");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "bad") == 0)
        return call_at((void *)strtoul(argv[2], NULL, 16));
    if (argc == 2 && strcmp(argv[1], "edge") == 0) {
        long page = sysconf(_SC_PAGESIZE);
        char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || munmap(p + page, page) != 0)
            return 1;
        return call_at(p + page - 100);
    }
    struct utsname u;
    memset(&u, 'X', sizeof(u));
    if (uname(&u) != 0) {
        printf("uname failed: %s\n", strerrorname_np(errno));
        return 1;
    }
    printf("sysname=%s\nnodename=%s\nrelease=%s\nversion=%s\nmachine=%s\ndomainname=%s\n", u.sysname,
           u.nodename, u.release, u.version, u.machine, u.domainname);
    return 0;
}
