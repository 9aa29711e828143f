/* record.h -- building one audit log line in a caller-supplied buffer.
 *
 * A line is built with appends that never overflow: strings are escaped
 * and cut at a character boundary when they would eat into the space kept
 * for closing the record, so every finished line is well formed (valid
 * JSON, or one text line) whatever the input bytes are. */
#ifndef SANDLOCK_AUDIT_RECORD_H
#define SANDLOCK_AUDIT_RECORD_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Space kept at the end of the buffer for fixed-size fields and closing
 * the record; escaped strings never use it. */
#define LINE_RESERVE 256

enum line_format { FORMAT_JSON, FORMAT_TEXT };

struct line {
    char *buf;
    size_t len;
    size_t cap;
    enum line_format format;
};

/* Starts an empty line in buf[0..cap). cap must exceed LINE_RESERVE. */
void line_init(struct line *l, char *buf, size_t cap, enum line_format format);

/* Appends literal text if it fits entirely (into the reserve too); returns
 * 0, or -1 and appends nothing. */
int line_add(struct line *l, const char *text);

/* Appends n bytes of literal text (a piece of a line built before) if
 * they fit entirely; returns 0 or -1. */
int line_add_bytes(struct line *l, const void *bytes, size_t n);

/* Appends printf output if it fits entirely; returns 0 or -1. */
int line_addf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends `n` bytes of `s` escaped for the line's format (the surrounding
 * quotes are the caller's), stopping before the reserve. Returns 1 when
 * all n bytes were added, 0 when the string was cut.
 *
 * JSON: '"' and '\\' get a backslash, control characters (< 0x20, 0x7f)
 * become \n, \t, \r, \b, \f or \u00XX, valid UTF-8 is kept, and every byte
 * that is not part of valid UTF-8 (strict: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF) becomes \udcXX -- the lone low
 * surrogate that Python's "surrogateescape" uses for byte XX, so
 * json.loads(line)["path"].encode("utf-8", "surrogateescape") gives back
 * the exact bytes.
 * TEXT: printable ASCII is kept except '"' and '\\' (backslash-escaped);
 * every other byte becomes \xXX. */
int line_escape(struct line *l, const void *s, size_t n);

/* Appends `v` as "0x" and lowercase hex digits, without printf (this runs
 * for every argument of every call). Returns 0 or -1. */
int line_hex(struct line *l, uint64_t v);

/* Appends `v` in decimal, without printf. Returns 0 or -1. */
int line_dec(struct line *l, uint64_t v);

/* Appends `ts` as RFC 3339 UTC with microseconds:
 * 2026-11-25T15:27:27.123456Z. Returns 0 or -1. */
int line_time(struct line *l, const struct timespec *ts);

/* Renders a socket address the child passed (`len` bytes), as the host
 * decoded it by its own family (host->sockaddr_decode, SANDLOCK_SA_AS_GIVEN),
 * as text into out[0..size): "1.2.3.4:80", "[::1]:443", "[fe80::1%2]:22",
 * "[::ffff:1.2.3.4]:80", "unix:/path", "unix:@abstract", "unix:"
 * (unnamed), or "family:N" for other families and addresses too short for
 * theirs (kind OTHER), "family:none" when len cannot hold a family; cut to
 * fit. The result may hold any bytes (unix names), so escape it. size must
 * be at least 16. Returns its length. */
size_t format_sockaddr(const sandlock_sockaddr *d, size_t len, char *out, size_t size);

#endif
