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
 * futex wait returns at once: no line is left behind. */
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
    void *report_arg;
    pthread_t thread;
    _Atomic unsigned wake_seq;
    _Atomic int sleeping;
    _Atomic int stop;
    pthread_mutex_t lock;          /* producers appending to the ring */
    _Atomic unsigned long written, lost;
    atomic_flag reported;
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

/* Writes bytes [from, to) of a ring. To a regular file in one writev();
 * to anything else (a pipe, a terminal) in pieces of whole lines of at
 * most PIPE_BUF bytes, which a pipe never interleaves with other writers'
 * (a longer line goes alone). */
static void write_span(struct log_writer *w, const struct ring *r, size_t from, size_t to)
{
    while (from < to) {
        size_t len = to - from;
        if (!w->whole_batches && len > PIPE_BUF) {
            /* The longest run of whole lines within PIPE_BUF bytes, or the
             * first line alone when it is longer. */
            size_t cut = 0;
            for (size_t i = 0; i < len; i++) {
                if (r->data[(from + i) % RING_SIZE] != '\n')
                    continue;
                if (i + 1 <= PIPE_BUF || cut == 0)
                    cut = i + 1;
                if (i + 1 >= PIPE_BUF)
                    break;
            }
            if (cut)
                len = cut;
        }
        size_t at = from % RING_SIZE, first = RING_SIZE - at;
        struct iovec iov[2] = { { (void *)(r->data + at), len < first ? len : first } };
        int n = 1;
        if (len > first) {
            iov[1].iov_base = (void *)r->data;
            iov[1].iov_len = len - first;
            n = 2;
        }
        write_out(w, iov, n);
        from += len;
    }
}

/* Writes out what the ring holds; returns the bytes taken. */
static size_t drain(struct log_writer *w)
{
    struct ring *r = &w->ring;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail)
        return 0;
    write_span(w, r, tail, head);
    atomic_store_explicit(&r->tail, head, memory_order_release);
    if (atomic_load(&r->waiting)) {
        atomic_fetch_add(&r->space_seq, 1);
        futex(&r->space_seq, FUTEX_WAKE, INT_MAX, NULL);
    }
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

struct log_writer *log_writer_start(int fd, uint64_t interval_ns, log_writer_report_fn report, void *arg)
{
    struct log_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    struct stat st;
    w->fd = fd;
    w->whole_batches = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->interval_ns = interval_ns;
    w->report = report;
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
        free(w);
        errno = rc;
        return NULL;
    }
    return w;
}

void log_writer_put(struct log_writer *w, const char *line, size_t len)
{
    struct ring *r = &w->ring;
    pthread_mutex_lock(&w->lock);
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    while (RING_SIZE - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < len) {
        /* Full (the output is slower than the sandbox): wake the writer
         * thread and wait for room. The timeout only guards against a
         * wake-up that raced with the check. */
        unsigned seq = atomic_load(&r->space_seq);
        atomic_store(&r->waiting, 1);
        if (RING_SIZE - (head - atomic_load(&r->tail)) < len) {
            kick(w);
            struct timespec t = { 0, 1000000 };
            futex(&r->space_seq, FUTEX_WAIT, seq, &t);
        }
        atomic_store(&r->waiting, 0);
    }
    size_t at = head % RING_SIZE, first = RING_SIZE - at;
    if (len <= first) {
        memcpy(r->data + at, line, len);
    } else {
        memcpy(r->data + at, line, first);
        memcpy(r->data, line + first, len - first);
    }
    atomic_store(&r->head, head + len);     /* seq_cst: ordered before the load below */
    pthread_mutex_unlock(&w->lock);
    if (atomic_load(&w->sleeping) && atomic_exchange(&w->sleeping, 0))
        kick(w);
}

void log_writer_stop(struct log_writer *w, unsigned long *written, unsigned long *lost)
{
    atomic_store(&w->stop, 1);
    kick(w);
    pthread_join(w->thread, NULL);
    *written = atomic_load(&w->written);
    *lost = atomic_load(&w->lost);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
