/* probe.c -- runs inside the sandbox for plugins/random/test.sh. Every
 * getrandom(2) happens before the first printf, so the probe's calls are
 * the first the stream serves (glibc's malloc takes 8 bytes later).
 *
 *   random-probe words K      one getrandom of K*8 bytes; print the bytes,
 *                             8 a line, in hex
 *   random-probe split N...   one getrandom of each N; print "rc=R" and the
 *                             bytes in hex; a canary after each buffer must
 *                             stay intact ("canary=ok")
 *   random-probe flags F      getrandom(buf, 16, F): "rc=R errno=E"
 *   random-probe bad ADDR     getrandom(ADDR, 16, 0): "rc=R errno=E"
 *   random-probe edge         100 writable bytes before an unmapped page,
 *                             count 300: "rc=R errno=E"
 *   random-probe threads T M  T threads, M calls of 8 bytes each; print
 *                             every 8-byte result in hex, one a line */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_BYTES 65536

static unsigned char data[MAX_BYTES + 8 * 64];
static long results[64];

/* Raw getrandom(2), so glibc adds nothing of its own. */
static long call(void *buf, unsigned long count, unsigned long flags)
{
    long rc = syscall(SYS_getrandom, buf, count, flags);
    return rc < 0 ? -errno : rc;
}

static void print_hex(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void print_rc(long rc)
{
    printf("rc=%ld errno=%s\n", rc < 0 ? -1 : rc, rc < 0 ? strerrorname_np((int)-rc) : "0");
}

static int threads_m;

/* One thread of the threads mode: M calls, results stored in its slice. */
static void *worker(void *arg)
{
    unsigned char *slice = arg;
    for (int i = 0; i < threads_m; i++)
        if (call(slice + 8 * i, 8, 0) != 8)
            memset(slice + 8 * i, 0, 8);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "words")) {
        size_t n = strtoul(argv[2], NULL, 10) * 8;
        if (n > MAX_BYTES)
            return 2;
        long rc = call(data, n, 0);
        if (rc != (long)n) {
            print_rc(rc);
            return 1;
        }
        for (size_t i = 0; i < n; i += 8) {
            print_hex(data + i, 8);
            printf("\n");
        }
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "split")) {
        int k = argc - 2;
        size_t off[64], len[64];
        size_t at = 0;
        for (int i = 0; i < k && i < 64; i++) {
            len[i] = strtoul(argv[i + 2], NULL, 10);
            off[i] = at;
            if (at + len[i] + 8 > sizeof(data))
                return 2;
            memset(data + at, 0xA5, len[i] + 8);
            results[i] = call(data + at, len[i], 0);
            at += len[i] + 8;
        }
        for (int i = 0; i < k && i < 64; i++) {
            int canary = 1;
            for (int j = 0; j < 8; j++)
                canary &= data[off[i] + len[i] + j] == 0xA5;
            printf("rc=%ld canary=%s ", results[i], canary ? "ok" : "clobbered");
            print_hex(data + off[i], len[i]);
            printf("\n");
        }
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "flags")) {
        print_rc(call(data, 16, strtoul(argv[2], NULL, 0)));
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "bad")) {
        print_rc(call((void *)strtoul(argv[2], NULL, 16), 16, 0));
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "edge")) {
        long page = sysconf(_SC_PAGESIZE);
        char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || munmap(p + page, page) != 0)
            return 1;
        print_rc(call(p + page - 100, 300, 0));
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "threads")) {
        int t = atoi(argv[2]);
        threads_m = atoi(argv[3]);
        if (t < 1 || t > 16 || threads_m < 1 || (size_t)t * threads_m * 8 > MAX_BYTES)
            return 2;
        pthread_t tid[16];
        for (int i = 0; i < t; i++)
            if (pthread_create(&tid[i], NULL, worker, data + (size_t)i * threads_m * 8))
                return 1;
        for (int i = 0; i < t; i++)
            pthread_join(tid[i], NULL);
        for (size_t i = 0; i < (size_t)t * threads_m * 8; i += 8) {
            print_hex(data + i, 8);
            printf("\n");
        }
        return 0;
    }
    fprintf(stderr, "usage: random-probe words K | split N... | flags F | bad ADDR | edge | threads T M\n");
    return 2;
}
