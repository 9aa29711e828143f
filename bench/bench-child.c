/* bench-child -- the program the benchmark runs under sandlock (and alone):
 *
 *   bench-child SYSCALL N
 *
 * makes N/10 warm-up calls of SYSCALL (getppid or getpid), then times N
 * calls and prints the mean nanoseconds per call on stdout.
 *
 *   bench-child idle
 *
 * waits until killed (an idle container of bench/agent.sh). */
#include "config.h"
#include "bare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses the arguments, runs the loop, prints one number. */
int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "idle"))
        for (;;)
            pause();
    if (argc != 3) {
        fprintf(stderr, "usage: bench-child getppid|getpid N | bench-child idle\n");
        return 2;
    }
    long nr = bare_syscall_nr(argv[1]);
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (nr < 0 || *end || n <= 0) {
        fprintf(stderr, "bench-child: bad arguments '%s' '%s'\n", argv[1], argv[2]);
        return 2;
    }
    double ns = bare_time_calls(nr, n / 10, n);
    printf("%.2f\n", ns);
    return fflush(stdout) == 0 ? 0 : 1;
}
