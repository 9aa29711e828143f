/* test-writer.c -- unit tests of the audit writer thread (writer.c): every
 * line handed over arrives whole and in hand-over order, also from several
 * threads and through a ring that fills up; lines go out while the writer
 * runs, not only when it stops; failed writes are counted and reported
 * once; records handed over for rendering take their place in that order
 * and are rendered exactly once each, also when their line is lost. */
#define _GNU_SOURCE
#include "writer.h"
#include "../../tests/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull

static char tmpdir[] = "/tmp/test-writer.XXXXXX";

/* The whole content of `path`, NUL-terminated, in a malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

struct producer {
    struct log_writer *w;
    int id, lines, pad;   /* pad: extra bytes per line */
    int records;          /* every other line as a record */
};

static atomic_int renders;

/* The test's records: "P<id> <n> " and then the pad as an int; rendered
 * as the line a producer would have handed over itself. */
static size_t render(void *arg, const char *record, size_t len, char *out, size_t cap)
{
    (void)arg;
    int pad;
    size_t text = len - sizeof(pad);
    memcpy(&pad, record + text, sizeof(pad));
    atomic_fetch_add(&renders, 1);
    if (text + (size_t)pad + 1 > cap)
        return 0;
    memcpy(out, record, text);
    memset(out + text, 'x', (size_t)pad);
    out[text + (size_t)pad] = '\n';
    return text + (size_t)pad + 1;
}

/* Hands over "P<id> <n> <pad x's>\n" for n = 0..lines-1; with `records`,
 * the odd ones as records in two parts. */
static void *produce(void *arg)
{
    struct producer *p = arg;
    char line[70000];
    for (int n = 0; n < p->lines; n++) {
        int len = snprintf(line, sizeof(line), "P%d %d ", p->id, n);
        if (p->records && n % 2) {
            struct iovec parts[2] = { { line, (size_t)len }, { &p->pad, sizeof(p->pad) } };
            log_writer_put_record(p->w, parts, 2);
            continue;
        }
        memset(line + len, 'x', (size_t)p->pad);
        len += p->pad;
        line[len++] = '\n';
        log_writer_put(p->w, line, (size_t)len);
    }
    return NULL;
}

/* Checks that `text` holds exactly lines*nthreads well-formed lines and
 * that each producer's lines come in order. Returns 1 when they do. */
static int check_lines(const char *text, int nthreads, int lines, int pad)
{
    int next[16] = { 0 }, count = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return 0;
        int id, n, used = 0;
        if (sscanf(p, "P%d %d %n", &id, &n, &used) != 2 || id < 0 || id >= nthreads || n != next[id])
            return 0;
        if (nl - (p + used) != pad)
            return 0;
        next[id]++;
        count++;
        p = nl + 1;
    }
    return count == nthreads * lines;
}

static int reports, reported_errno;
static void on_report(void *arg, int error)
{
    (void)arg;
    reports++;
    reported_errno = error;
}

/* Reads a pipe slowly into a file, so the writer's ring fills up. */
struct slow_reader {
    int fd;
    FILE *out;
};

static void *read_slowly(void *arg)
{
    struct slow_reader *r = arg;
    char buf[4096];
    ssize_t n;
    while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
        fwrite(buf, 1, (size_t)n, r->out);
        struct timespec t = { 0, 20000 };
        nanosleep(&t, NULL);
    }
    return NULL;
}

/* Hands over `lines` lines of `pad` extra bytes from each of `nthreads`
 * threads (ids 0..nthreads-1), and waits for them. */
static void produce_all(struct log_writer *w, int nthreads, int lines, int pad, int records)
{
    pthread_t th[8];
    struct producer prod[8];
    for (int i = 0; i < nthreads; i++) {
        prod[i] = (struct producer){ w, i, lines, pad, records };
        pthread_create(&th[i], NULL, produce, &prod[i]);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
}

/* Runs a writer on a pipe whose reader is slow and copies what it reads to
 * `path`, while produce_all() hands the lines over; stops the writer.
 * Returns 0, or -1 when no pipe can be had. */
static int through_slow_pipe(const char *path, int nthreads, int lines, int pad, int records,
                             unsigned long *written, unsigned long *lost)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return -1;
    struct slow_reader reader = { pfd[0], fopen(path, "we") };
    pthread_t rt;
    pthread_create(&rt, NULL, read_slowly, &reader);
    struct log_writer *w = log_writer_start(pfd[1], MS, on_report, render, NULL);
    produce_all(w, nthreads, lines, pad, records);
    log_writer_stop(w, written, lost);
    close(pfd[1]);
    pthread_join(rt, NULL);
    close(pfd[0]);
    fclose(reader.out);
    return 0;
}

/* Four threads hand over 5000 lines of 40 extra bytes each (with
 * `records`, every other one as a record) to a writer on tmpdir/NAME;
 * checks what arrived and the counts. */
static void file_case(const char *name, int records, const char *what)
{
    char path[256];
    unsigned long written, lost;
    size_t len;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct log_writer *w = log_writer_start(fd, MS, on_report, render, NULL);
    ok(w != NULL, "%s: writer starts", name);
    if (!w)
        return;
    renders = 0;
    produce_all(w, 4, 5000, 40, records);
    log_writer_stop(w, &written, &lost);
    close(fd);
    char *text = slurp(path, &len);
    ok(text && check_lines(text, 4, 5000, 40), "%s", what);
    is_int(renders, records ? 10000 : 0, "%s: each record rendered once", name);
    is_int(written, 20000, "%s: written counts every line", name);
    is_int(lost, 0, "%s: nothing lost", name);
    free(text);
}

/* through_slow_pipe() into tmpdir/NAME, then checks what arrived; stores
 * the lines written. Returns 0, or -1 when no pipe can be had. */
static int pipe_case(const char *name, int nthreads, int lines, int pad, int records, const char *what,
                     unsigned long *written)
{
    char path[256];
    unsigned long lost;
    size_t len;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if (through_slow_pipe(path, nthreads, lines, pad, records, written, &lost))
        return -1;
    char *text = slurp(path, &len);
    ok(text && check_lines(text, nthreads, lines, pad), "%s", what);
    free(text);
    return 0;
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    unsigned long written, lost;
    size_t len;

    /* Four threads, 5000 lines each, to a file; then the same with every
     * other line a record. */
    file_case("file", 0, "4 threads x 5000 lines: all whole, each thread's in order");
    file_case("records", 1, "4 threads x 5000, half records: all whole, in hand-over order");

    /* Lines go out while the writer runs: one line, then a pause. */
    snprintf(path, sizeof(path), "%s/prompt", tmpdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct log_writer *w = log_writer_start(fd, MS, on_report, render, NULL);
    log_writer_put(w, "first\n", 6);
    /* Waits for the line (at most 20 s, the tests' bound for an event),
     * not for a time: a loaded machine may keep the writer off-CPU. */
    char *text = NULL;
    for (int i = 0; i < 2000 && !(text && len); i++) {
        free(text);
        sleep_ms(10);
        text = slurp(path, &len);
    }
    is_str(text ? text : "(none)", "first\n", "a lone line is written while the writer runs, before stop");
    free(text);
    log_writer_put(w, "second\n", 7);
    log_writer_stop(w, &written, &lost);
    close(fd);
    text = slurp(path, &len);
    is_str(text ? text : "(none)", "first\nsecond\n", "stop writes what is left");
    free(text);

    /* A slow pipe: 2 threads hand over 8 MiB, far more than the ring. */
    if (pipe_case("pipe", 2, 4000, 1000, 0, "slow pipe, ring full many times: all lines whole, in order",
                  &written))
        return 1;
    is_int(written, 8000, "slow pipe: written counts every line");
    if (pipe_case("pipe-records", 2, 4000, 1000, 1, "slow pipe with records: all lines whole, in order",
                  &written))
        return 1;

    /* Lines longer than PIPE_BUF to a pipe: each goes whole. */
    if (pipe_case("long", 1, 50, 60000, 1, "60 KB lines (and rendered records) to a pipe arrive whole", &written))
        return 1;

    /* Failed writes: counted, reported once. */
    fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        reports = 0;
        renders = 0;
        w = log_writer_start(fd, MS, on_report, render, NULL);
        produce_all(w, 1, 300, 10, 1);
        log_writer_stop(w, &written, &lost);
        close(fd);
        is_int(lost, 300, "/dev/full: every line counted as lost");
        is_int(renders, 150, "/dev/full: every record still rendered (its resources released)");
        is_int(written, 0, "/dev/full: none written");
        is_int(reports, 1, "/dev/full: reported once");
        is_int(reported_errno, ENOSPC, "/dev/full: with ENOSPC");
    } else {
        ok(1, "# SKIP no /dev/full");
    }

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return tap_done();
}
