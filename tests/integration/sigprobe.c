/* sigprobe -- a program that takes signals while it makes system calls
 * (issue 18: a trapped call interrupted before a worker receives it).
 *
 *   sigprobe open PATH N [restart]
 *   sigprobe close PATH N [restart]
 *
 * Arms a 50 us SIGALRM interval timer whose handler is installed without
 * SA_RESTART (with "restart": with SA_RESTART), then opens PATH N times
 * (each open closed again). Prints one line:
 *
 *   opens=N ok=K eintr=E other=O signals=S
 *
 * ok + eintr + other = N; "other" counts every other failure. With "close"
 * the counts are those of the closes, plus "still_open=F": how many of the
 * closes that failed with EINTR left the descriptor open (then closed
 * again). The loop is bounded by N, never by time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t nsignals;

static void on_alarm(int sig)
{
    (void)sig;
    nsignals++;
}

int main(int argc, char **argv)
{
    int closing = argc >= 4 && strcmp(argv[1], "close") == 0;
    if (argc < 4 || (strcmp(argv[1], "open") != 0 && !closing)) {
        fprintf(stderr, "usage: sigprobe open|close PATH N [restart]\n");
        return 2;
    }
    const char *path = argv[2];
    long n = strtol(argv[3], NULL, 10);
    int restart = argc > 4 && strcmp(argv[4], "restart") == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0) {
        perror("sigaction");
        return 2;
    }
    struct itimerval it = { .it_interval = { 0, 50 }, .it_value = { 0, 50 } };
    if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
        perror("setitimer");
        return 2;
    }
    long ok = 0, eintr = 0, other = 0, still_open = 0;
    for (long i = 0; i < n; i++) {
        int fd;
        while ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && closing && errno == EINTR)
            ;
        int rc = fd;
        if (fd >= 0 && closing) {
            rc = close(fd);
            if (rc != 0 && errno == EINTR && fcntl(fd, F_GETFD) >= 0) {
                still_open++;
                while (close(fd) != 0 && errno == EINTR)
                    ;
                errno = EINTR;
            }
        } else if (fd >= 0) {
            close(fd);
        }
        if (rc >= 0)
            ok++;
        else if (errno == EINTR)
            eintr++;
        else
            other++;
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    if (closing)
        printf("closes=%ld ok=%ld eintr=%ld other=%ld still_open=%ld signals=%ld\n", n, ok, eintr, other,
               still_open, (long)nsignals);
    else
        printf("opens=%ld ok=%ld eintr=%ld other=%ld signals=%ld\n", n, ok, eintr, other, (long)nsignals);
    return 0;
}
