/* writer.c -- see writer.h.
 *
 * The ring: `head` and `tail` count bytes ever published and written out.
 * Producers append under `lock` -- held for one memcpy, so it is almost
 * never contended, and it makes the file's order the order in which the
 * lines were handed over, as if each had been written at once. Only the
 * writer thread moves tail, and it needs no lock to do so.
 *
 * Waking: `wake_seq` is the futex word the writer thread sleeps on. While
 * it is idle it sets `sleeping`, and the first producer to see that clears
 * it and bumps wake_seq. The writer reads wake_seq before it looks at the
 * ring, so a line published after that look changes the word and the
 * futex wait returns at once: no line is left behind.
 *
 * Records: a byte 0 (which no line holds), the record's length (a size_t)
 * and its bytes. The writer thread copies the lines and the rendered
 * records of a batch into its output buffer in ring order and writes that
 * buffer. */
#define _GNU_SOURCE
#include "writer.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define RING_SIZE LOG_WRITER_MAX_LINE
/* Room for a full ring's worth of lines plus one rendered line. */
#define OUT_SIZE (2 * LOG_WRITER_MAX_LINE)
#define RECORD_MARK '\0'

struct ring {
    _Atomic size_t head;           /* bytes published (under the lock) */
    _Atomic size_t tail;           /* bytes written out by the writer thread */
    _Atomic int waiting;           /* a producer waits for room */
    _Atomic unsigned space_seq;    /* futex word: bumped when room was made */
    char data[RING_SIZE];
};

struct log_writer {
    int fd;
    int whole_batches;             /* a regular file: one write per batch */
    uint64_t interval_ns;
    log_writer_report_fn report;
    log_writer_render_fn render;
    void *report_arg;
    pthread_t thread;
    _Atomic unsigned wake_seq;
    _Atomic int sleeping;
    _Atomic int stop;
    pthread_mutex_t lock;          /* producers appending to the ring */
    _Atomic unsigned long written, lost;
    atomic_flag reported;
    /* The writer thread's: the batch being written, one record. */
    char *out;
    size_t out_len;
    char *record;
    struct ring ring;
};

static long futex(_Atomic unsigned *word, int op, unsigned val, const struct timespec *timeout)
{
    return syscall(SYS_futex, (unsigned *)word, op | FUTEX_PRIVATE_FLAG, val, timeout, NULL, 0);
}

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
        lines++;
        p++;
    }
    return lines;
}

/* Writes iov[0..n) completely, or counts what could not be written as
 * lost (a line counts as written once its '\n' is out). */
static void write_out(struct log_writer *w, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t done = writev(w->fd, iov, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            int err = done < 0 ? errno : EIO;
            size_t lost = 0;
            for (int i = 0; i < n; i++)
                lost += count_lines(iov[i].iov_base, iov[i].iov_len);
            atomic_fetch_add(&w->lost, lost);
            if (!atomic_flag_test_and_set(&w->reported) && w->report)
                w->report(w->report_arg, err);
            return;
        }
        while (n > 0 && (size_t)done >= iov[0].iov_len) {
            atomic_fetch_add(&w->written, count_lines(iov[0].iov_base, iov[0].iov_len));
            done -= (ssize_t)iov[0].iov_len;
            iov++;
            n--;
        }
        if (n > 0 && done > 0) {
            atomic_fetch_add(&w->written, count_lines(iov[0].iov_base, (size_t)done));
            iov[0].iov_base = (char *)iov[0].iov_base + done;
            iov[0].iov_len -= (size_t)done;
        }
    }
}

/* Writes the output buffer: to a regular file in one write(); to anything
 * else (a pipe, a terminal) in pieces of whole lines of at most PIPE_BUF
 * bytes, which a pipe never interleaves with other writers' (a longer line
 * goes alone). */
static void flush_out(struct log_writer *w)
{
    const char *p = w->out;
    size_t left = w->out_len;
    while (left > 0) {
        size_t len = left;
        if (!w->whole_batches && len > PIPE_BUF) {
            /* The longest run of whole lines within PIPE_BUF bytes, or the
             * first line alone when it is longer. */
            const char *nl = memrchr(p, '\n', PIPE_BUF);
            if (!nl)
                nl = memchr(p, '\n', left);
            if (nl)
                len = (size_t)(nl - p) + 1;
        }
        struct iovec iov = { (void *)p, len };
        write_out(w, &iov, 1);
        p += len;
        left -= len;
    }
    w->out_len = 0;
}

/* Copies ring bytes [from, from + len) to dst. */
static void ring_copy(const struct ring *r, size_t from, void *dst, size_t len)
{
    size_t at = from % RING_SIZE, first = RING_SIZE - at;
    if (len <= first) {
        memcpy(dst, r->data + at, len);
    } else {
        memcpy(dst, r->data + at, first);
        memcpy((char *)dst + first, r->data, len - first);
    }
}

/* Copies len bytes from src to the ring at `at` (a count of bytes ever
 * published), wrapping at its end. */
static void ring_store(struct ring *r, size_t at, const void *src, size_t len)
{
    if (len == 0)
        return;
    size_t off = at % RING_SIZE, first = RING_SIZE - off;
    if (len <= first) {
        memcpy(r->data + off, src, len);
    } else {
        memcpy(r->data + off, src, first);
        memcpy(r->data, (const char *)src + first, len - first);
    }
}

/* The end of the run of lines at [from, to): the next record's mark, or
 * to. */
static size_t lines_end(const struct ring *r, size_t from, size_t to)
{
    while (from < to) {
        size_t at = from % RING_SIZE, n = to - from;
        if (n > RING_SIZE - at)
            n = RING_SIZE - at;
        const char *mark = memchr(r->data + at, RECORD_MARK, n);
        if (mark)
            return from + (size_t)(mark - (r->data + at));
        from += n;
    }
    return to;
}

/* Lets producers that wait for room go on: the ring is free up to `tail`. */
static void release(struct log_writer *w, size_t tail)
{
    struct ring *r = &w->ring;
    atomic_store_explicit(&r->tail, tail, memory_order_release);
    if (atomic_load(&r->waiting)) {
        atomic_fetch_add(&r->space_seq, 1);
        futex(&r->space_seq, FUTEX_WAKE, INT_MAX, NULL);
    }
}

/* Writes out what the ring holds -- lines as they are, records as their
 * render()ed lines -- in ring order; returns the bytes taken. */
static size_t drain(struct log_writer *w)
{
    struct ring *r = &w->ring;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t pos = tail;
    while (pos < head) {
        char first;
        ring_copy(r, pos, &first, 1);
        if (first == RECORD_MARK) {
            if (OUT_SIZE - w->out_len < LOG_WRITER_MAX_LINE) {
                flush_out(w);
                release(w, pos);
            }
            size_t len;
            ring_copy(r, pos + 1, &len, sizeof(len));
            ring_copy(r, pos + 1 + sizeof(len), w->record, len);
            pos += 1 + sizeof(len) + len;
            w->out_len += w->render(w->report_arg, w->record, len, w->out + w->out_len, LOG_WRITER_MAX_LINE);
            continue;
        }
        /* A run of whole lines: copied as one (it fits: the ring is no
         * bigger than the room kept for it). */
        size_t end = lines_end(r, pos, head);
        if (OUT_SIZE - w->out_len < end - pos) {
            flush_out(w);
            release(w, pos);
        }
        ring_copy(r, pos, w->out + w->out_len, end - pos);
        w->out_len += end - pos;
        pos = end;
    }
    flush_out(w);
    release(w, head);
    return head - tail;
}

static int ring_empty(struct log_writer *w)
{
    return atomic_load(&w->ring.head) == atomic_load_explicit(&w->ring.tail, memory_order_relaxed);
}

static void *writer_main(void *arg)
{
    struct log_writer *w = arg;
    struct timespec nap = { .tv_sec = (time_t)(w->interval_ns / 1000000000u),
                            .tv_nsec = (long)(w->interval_ns % 1000000000u) };
    for (;;) {
        unsigned seen = atomic_load(&w->wake_seq);
        size_t taken = drain(w);
        if (atomic_load(&w->stop)) {
            if (ring_empty(w))
                break;
            continue;
        }
        if (taken) {
            /* Lines are coming: let the next ones gather for one interval
             * (a producer whose ring fills up cuts the nap short). */
            futex(&w->wake_seq, FUTEX_WAIT, seen, &nap);
            continue;
        }
        atomic_store(&w->sleeping, 1);
        if (!ring_empty(w) || atomic_load(&w->stop)) {
            atomic_store(&w->sleeping, 0);
            continue;
        }
        futex(&w->wake_seq, FUTEX_WAIT, seen, NULL);
        atomic_store(&w->sleeping, 0);
    }
    return NULL;
}

static void kick(struct log_writer *w)
{
    atomic_fetch_add(&w->wake_seq, 1);
    futex(&w->wake_seq, FUTEX_WAKE, 1, NULL);
}

struct log_writer *log_writer_start(int fd, uint64_t interval_ns, log_writer_report_fn report,
                                    log_writer_render_fn render, void *arg)
{
    struct log_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->out = malloc(OUT_SIZE);
    w->record = malloc(LOG_WRITER_MAX_RECORD);
    if (!w->out || !w->record) {
        free(w->out);
        free(w->record);
        free(w);
        errno = ENOMEM;
        return NULL;
    }
    struct stat st;
    w->fd = fd;
    w->whole_batches = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->interval_ns = interval_ns;
    w->report = report;
    w->render = render;
    w->report_arg = arg;
    atomic_flag_clear(&w->reported);
    pthread_mutex_init(&w->lock, NULL);
    /* The thread takes no signals: they are sandlock's to handle. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        pthread_mutex_destroy(&w->lock);
        free(w->out);
        free(w->record);
        free(w);
        errno = rc;
        return NULL;
    }
    return w;
}

/* Appends parts[0..n) (len bytes in all) to the ring as one entry, after
 * `mark` bytes of mark[] (a record's header; none for a line). */
static void put_parts(struct log_writer *w, const char *mark, size_t nmark, const struct iovec *parts, int n,
                      size_t len)
{
    struct ring *r = &w->ring;
    size_t total = nmark + len;
    pthread_mutex_lock(&w->lock);
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    while (RING_SIZE - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < total) {
        /* Full (the output is slower than the sandbox): wake the writer
         * thread and wait for room. The timeout only guards against a
         * wake-up that raced with the check. */
        unsigned seq = atomic_load(&r->space_seq);
        atomic_store(&r->waiting, 1);
        if (RING_SIZE - (head - atomic_load(&r->tail)) < total) {
            kick(w);
            struct timespec t = { 0, 1000000 };
            futex(&r->space_seq, FUTEX_WAIT, seq, &t);
        }
        atomic_store(&r->waiting, 0);
    }
    ring_store(r, head, mark, nmark);
    size_t at = head + nmark;
    for (int i = 0; i < n; i++) {
        ring_store(r, at, parts[i].iov_base, parts[i].iov_len);
        at += parts[i].iov_len;
    }
    atomic_store(&r->head, head + total);   /* seq_cst: ordered before the load below */
    pthread_mutex_unlock(&w->lock);
    if (atomic_load(&w->sleeping) && atomic_exchange(&w->sleeping, 0))
        kick(w);
}

void log_writer_put(struct log_writer *w, const char *line, size_t len)
{
    struct iovec part = { (void *)line, len };
    put_parts(w, NULL, 0, &part, 1, len);
}

void log_writer_put_record(struct log_writer *w, const struct iovec *parts, int n)
{
    char mark[1 + sizeof(size_t)];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += parts[i].iov_len;
    mark[0] = RECORD_MARK;
    memcpy(mark + 1, &len, sizeof(len));
    put_parts(w, mark, sizeof(mark), parts, n, len);
}

void log_writer_stop(struct log_writer *w, unsigned long *written, unsigned long *lost)
{
    atomic_store(&w->stop, 1);
    kick(w);
    pthread_join(w->thread, NULL);
    *written = atomic_load(&w->written);
    *lost = atomic_load(&w->lost);
    pthread_mutex_destroy(&w->lock);
    free(w->out);
    free(w->record);
    free(w);
}
