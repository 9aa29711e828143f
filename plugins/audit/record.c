/* record.c -- see record.h. */
#define _GNU_SOURCE
#include "record.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Sets up an empty line over the caller's buffer. */
void line_init(struct line *l, char *buf, size_t cap, enum line_format format)
{
    l->buf = buf;
    l->len = 0;
    l->cap = cap;
    l->format = format;
    buf[0] = '\0';
}

/* Appends `n` bytes if they fit below `limit`; all or nothing. */
static int put(struct line *l, const char *s, size_t n, size_t limit)
{
    if (n > limit || l->len > limit - n)
        return -1;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 0;
}

/* Appends literal text, all or nothing, using the whole buffer. */
int line_add(struct line *l, const char *text)
{
    return put(l, text, strlen(text), l->cap);
}

int line_add_bytes(struct line *l, const void *bytes, size_t n)
{
    return put(l, bytes, n, l->cap);
}

/* Formats into a scratch buffer, then appends all or nothing. */
int line_addf(struct line *l, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -1;
    return put(l, tmp, (size_t)n, l->cap);
}

/* Length of the valid, strict UTF-8 sequence at s[0..n) that starts with a
 * non-ASCII byte, or 0 when that byte does not start one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the 2nd byte */
    if (b >= 0xC2 && b <= 0xDF)
        need = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0)
            lo = 0xA0;   /* no overlong forms */
        else if (b == 0xED)
            hi = 0x9F;   /* no UTF-16 surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0)
            lo = 0x90;   /* no overlong forms */
        else if (b == 0xF4)
            hi = 0x8F;   /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

/* Escapes one unit (a character or an invalid byte) starting at s[0] into
 * out; returns the input bytes it covers and sets *outlen. */
static size_t escape_unit(enum line_format format, const unsigned char *s, size_t n, char *out,
                          size_t *outlen)
{
    unsigned char b = s[0];
    if (b == '"' || b == '\\') {
        out[0] = '\\';
        out[1] = (char)b;
        *outlen = 2;
        return 1;
    }
    if (b >= 0x20 && b < 0x7f) {
        out[0] = (char)b;
        *outlen = 1;
        return 1;
    }
    if (format == FORMAT_TEXT) {
        *outlen = (size_t)snprintf(out, 8, "\\x%02x", b);
        return 1;
    }
    if (b < 0x80) {
        const char *short_form = b == '\n' ? "\\n" : b == '\t' ? "\\t" : b == '\r' ? "\\r"
                               : b == '\b' ? "\\b" : b == '\f' ? "\\f" : NULL;
        if (short_form) {
            memcpy(out, short_form, 2);
            *outlen = 2;
        } else
            *outlen = (size_t)snprintf(out, 8, "\\u%04x", b);
        return 1;
    }
    size_t seq = utf8_sequence(s, n);
    if (seq) {
        memcpy(out, s, seq);
        *outlen = seq;
        return seq;
    }
    *outlen = (size_t)snprintf(out, 8, "\\udc%02x", b);
    return 1;
}

/* Appends s escaped, unit by unit, until it is done or the next unit would
 * reach into the reserve. */
int line_escape(struct line *l, const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t limit = l->cap - LINE_RESERVE;
    size_t i = 0;
    while (i < n) {
        /* A run of printable ASCII that needs no escape (most of a path)
         * is copied at once, as far as it fits. */
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            size_t room = l->len < limit ? limit - l->len : 0;
            size_t take = run - i < room ? run - i : room;
            memcpy(l->buf + l->len, p + i, take);
            l->len += take;
            if (take < run - i)
                return 0;
            i = run;
            continue;
        }
        char unit[8];
        size_t outlen;
        size_t used = escape_unit(l->format, p + i, n - i, unit, &outlen);
        if (put(l, unit, outlen, limit))
            return 0;
        i += used;
    }
    return 1;
}

/* Hex digits of v after "0x", built from the right. */
int line_hex(struct line *l, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    return put(l, tmp + i, sizeof(tmp) - i, l->cap);
}

/* Decimal digits of v, built from the right. */
int line_dec(struct line *l, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return put(l, tmp + i, sizeof(tmp) - i, l->cap);
}

/* RFC 3339 in UTC with six fractional digits. The date and time of day
 * change once a second, so each thread keeps the last one formatted. */
int line_time(struct line *l, const struct timespec *ts)
{
    static __thread time_t cached_sec = -1;
    static __thread char cached[32];
    if (ts->tv_sec != cached_sec) {
        struct tm tm;
        if (!gmtime_r(&ts->tv_sec, &tm) || !strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S.", &tm))
            return -1;
        cached_sec = ts->tv_sec;
    }
    char frac[8];
    long us = ts->tv_nsec / 1000;
    for (int i = 5; i >= 0; i--, us /= 10)
        frac[i] = (char)('0' + us % 10);
    frac[6] = 'Z';
    if (put(l, cached, strlen(cached), l->cap) || put(l, frac, 7, l->cap))
        return -1;
    return 0;
}

/* See record.h. */
size_t format_sockaddr(const sandlock_sockaddr *d, size_t len, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    int n;
    if (size < 16)
        return 0;
    if (len < sizeof(sa_family_t)) {
        n = snprintf(out, size, "family:none");
    } else if (d->kind == SANDLOCK_SA_INET && !(d->flags & SANDLOCK_SA_MAPPED)) {
        inet_ntop(AF_INET, d->addr, host, sizeof(host));
        n = snprintf(out, size, "%s:%u", host, d->port);
    } else if (d->kind == SANDLOCK_SA_INET || d->kind == SANDLOCK_SA_INET6) {
        uint8_t a6[16] = { [10] = 0xff, [11] = 0xff };     /* ::ffff:a.b.c.d as the child wrote it */
        memcpy(d->kind == SANDLOCK_SA_INET ? a6 + 12 : a6, d->addr, d->kind == SANDLOCK_SA_INET ? 4 : 16);
        inet_ntop(AF_INET6, a6, host, sizeof(host));
        if (d->scope_id)
            n = snprintf(out, size, "[%s%%%u]:%u", host, d->scope_id, d->port);
        else
            n = snprintf(out, size, "[%s]:%u", host, d->port);
    } else if (d->kind >= SANDLOCK_SA_UNIX_PATH && d->kind <= SANDLOCK_SA_UNIX_UNNAMED) {
        /* abstract: every byte counts, NULs too */
        const char *prefix = d->kind == SANDLOCK_SA_UNIX_ABSTRACT ? "unix:@" : "unix:";
        size_t plen = strlen(prefix), name_len = d->name_len;
        if (plen + name_len >= size)
            name_len = size - 1 - plen;   /* size >= 16, so plen < size */
        memcpy(out, prefix, plen);
        memcpy(out + plen, d->name, name_len);
        out[plen + name_len] = '\0';
        return plen + name_len;
    } else {
        n = snprintf(out, size, "family:%u", d->family);
    }
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
