/* writer.h -- the audit log's writer thread.
 *
 * handle() runs while the trapped thread waits, so it only builds the line
 * and hands it over; a thread of the plugin's own writes it out. Handing
 * over is a memcpy into a ring buffer under a mutex nobody holds for
 * longer, and no system call (except the one wake-up that ends an idle
 * spell). The writer thread, once woken, writes what has gathered every
 * flush interval, in as few write(2) calls as the output allows, until an
 * interval brings nothing; then it sleeps until the next line. Lines reach
 * the output whole and in the order they were handed over. */
#ifndef AUDIT_WRITER_H
#define AUDIT_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct log_writer;

/* Called once, from the writer thread, with the errno of the first write
 * that failed (later failures are only counted). */
typedef void (*log_writer_report_fn)(void *arg, int error);

/* Starts a writer for `fd` (which stays the caller's: it is not closed).
 * `interval_ns` bounds how long a line waits before its write starts while
 * lines keep coming. Returns NULL with errno set when the thread cannot be
 * started. */
struct log_writer *log_writer_start(int fd, uint64_t interval_ns, log_writer_report_fn report, void *arg);

/* The longest line log_writer_put() takes (the size of its buffer). */
#define LOG_WRITER_MAX_LINE (256u * 1024u)

/* Hands one finished line (`len` bytes, ending in '\n', at most
 * LOG_WRITER_MAX_LINE) to the writer.
 * Thread-safe; never fails: when the ring is full (the output is slower
 * than the sandbox) it waits for room. */
void log_writer_put(struct log_writer *w, const char *line, size_t len);

/* Writes everything handed over, stops the thread and frees the writer.
 * Call once, when no thread hands lines over any more. Stores the number of
 * lines written and of lines lost to write errors. */
void log_writer_stop(struct log_writer *w, unsigned long *written, unsigned long *lost);

#endif
