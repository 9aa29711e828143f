/* writer.h -- the audit log's writer thread.
 *
 * handle() runs while the trapped thread waits, so it only builds the line
 * and hands it over; a thread of the plugin's own writes it out. Handing
 * over is a memcpy into a ring buffer under a mutex nobody holds for
 * longer, and no system call (except the one wake-up that ends an idle
 * spell). The writer thread, once woken, writes what has gathered every
 * flush interval, in as few write(2) calls as the output allows, until an
 * interval brings nothing; then it sleeps until the next line. Lines reach
 * the output whole and in the order they were handed over.
 *
 * What handle() cannot finish cheaply can be handed over as a record
 * instead of a line: the writer thread asks the owner's render function
 * for the line when its turn comes. */
#ifndef AUDIT_WRITER_H
#define AUDIT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct log_writer;

/* Called once, from the writer thread, with the errno of the first write
 * that failed (later failures are only counted). */
typedef void (*log_writer_report_fn)(void *arg, int error);

/* Turns a record handed over with log_writer_put_record() into its line:
 * writes it (ending in '\n', at most `cap` bytes) to `out` and returns its
 * length. Called from the writer thread, in hand-over order, exactly once
 * per record -- also when the line cannot be written. */
typedef size_t (*log_writer_render_fn)(void *arg, const char *record, size_t len, char *out, size_t cap);

/* Starts a writer for `fd` (which stays the caller's: it is not closed).
 * `interval_ns` bounds how long a line waits before its write starts while
 * lines keep coming. `render` may be NULL when no records are handed over;
 * `arg` goes to `report` and `render`. Returns NULL with errno set when the
 * thread cannot be started. */
struct log_writer *log_writer_start(int fd, uint64_t interval_ns, log_writer_report_fn report,
                                    log_writer_render_fn render, void *arg);

/* The longest line log_writer_put() takes (the size of its buffer), and
 * the room render() gets for one line. */
#define LOG_WRITER_MAX_LINE (256u * 1024u)

/* The longest record log_writer_put_record() takes: the ring also holds
 * the record's length in front of it. */
#define LOG_WRITER_MAX_RECORD (LOG_WRITER_MAX_LINE - 64u)

/* Hands one finished line (`len` bytes, ending in '\n', with no NUL byte
 * -- it marks records in the ring -- at most LOG_WRITER_MAX_LINE) to the
 * writer.
 * Thread-safe; never fails: when the ring is full (the output is slower
 * than the sandbox) it waits for room. */
void log_writer_put(struct log_writer *w, const char *line, size_t len);

/* Hands over a record that render() turns into a line in the writer
 * thread: the concatenation of parts[0..n) (at most LOG_WRITER_MAX_RECORD
 * bytes). Its line takes the record's place in the hand-over order. Same
 * rules as log_writer_put(). */
void log_writer_put_record(struct log_writer *w, const struct iovec *parts, int n);

/* Writes everything handed over, stops the thread and frees the writer.
 * Call once, when no thread hands lines over any more. Stores the number of
 * lines written and of lines lost to write errors. */
void log_writer_stop(struct log_writer *w, unsigned long *written, unsigned long *lost);

#endif
