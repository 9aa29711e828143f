/* test-record.c -- unit tests of the audit line builder (record.c):
 * escaping in both formats, cutting at the reserve, time stamps, socket
 * addresses.
 *
 * With the argument "dump" it prints instead one JSON object per line,
 * {"hex":"<input bytes in hex>","s":"<escaped input>"}, for every 1- and
 * 2-byte string and a set of longer ones, so test.sh can check with
 * Python's json module that every line parses and decodes back to the exact
 * input bytes. */
#include "record.h"
#include "sockaddr.h"
#include "../../tests/tap.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Escapes s[0..n) in `format` into a fresh line of size cap and returns the
 * text (a static buffer); *whole receives line_escape's result. */
static const char *escaped(enum line_format format, const char *s, size_t n, size_t cap, int *whole)
{
    static char buf[70000];
    struct line l;
    line_init(&l, buf, cap, format);
    int w = line_escape(&l, s, n);
    if (whole)
        *whole = w;
    buf[l.len] = '\0';
    return buf;
}

#define JSON(s) escaped(FORMAT_JSON, s, sizeof(s) - 1, sizeof(buf_unused), NULL)
static char buf_unused[4096];

/* Prints one dump line for s[0..n). */
static void dump_one(const unsigned char *s, size_t n)
{
    char out[1024];
    struct line l;
    line_init(&l, out, sizeof(out), FORMAT_JSON);
    line_add(&l, "{\"hex\":\"");
    for (size_t i = 0; i < n; i++)
        line_addf(&l, "%02x", s[i]);
    line_add(&l, "\",\"s\":\"");
    line_escape(&l, s, n);
    line_add(&l, "\"}\n");
    fwrite(out, 1, l.len, stdout);
}

/* The dump mode: all 1- and 2-byte strings, then every byte after each
 * multi-byte lead with every continuation pattern up to 4 bytes long. */
static int dump(void)
{
    unsigned char s[4];
    for (int a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        dump_one(s, 1);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            dump_one(s, 2);
        }
    }
    static const unsigned char leads[] = { 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5 };
    static const unsigned char conts[] = { 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff };
    for (size_t i = 0; i < sizeof(leads); i++)
        for (size_t j = 0; j < sizeof(conts); j++)
            for (size_t k = 0; k < sizeof(conts); k++)
                for (size_t m = 0; m < sizeof(conts); m++) {
                    s[0] = leads[i];
                    s[1] = conts[j];
                    s[2] = conts[k];
                    s[3] = conts[m];
                    dump_one(s, 3);
                    dump_one(s, 4);
                }
    return 0;
}

/* format_sockaddr of an address as audit gets it: decoded by the host's
 * decoder by its own family. */
static size_t fmt(const void *addr, size_t len, char *out, size_t size)
{
    unsigned char copy[128] = { 0 };
    sandlock_sockaddr d = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(d) };
    memcpy(copy, addr, len < sizeof(copy) ? len : sizeof(copy));
    if (sl_sockaddr_decode(copy, len, 0, SANDLOCK_SA_AS_GIVEN, 0, &d) < 0)
        d.kind = SANDLOCK_SA_OTHER;
    return format_sockaddr(&d, len, out, size);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "dump") == 0)
        return dump();

    /* JSON escaping. */
    is_str(JSON("plain/path.txt"), "plain/path.txt", "json: printable ASCII kept");
    is_str(JSON("a\"b\\c"), "a\\\"b\\\\c", "json: quote and backslash escaped");
    is_str(JSON("\n\t\r\b\f"), "\\n\\t\\r\\b\\f", "json: short control escapes");
    is_str(JSON("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f", "json: other controls as \\u00XX");
    is_int(strlen(escaped(FORMAT_JSON, "a\0b", 3, 4096, NULL)), 8, "json: NUL byte escaped");
    is_str(escaped(FORMAT_JSON, "a\0b", 3, 4096, NULL), "a\\u0000b", "json: NUL as \\u0000");
    is_str(JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
           "json: valid 2-, 3- and 4-byte UTF-8 kept");
    is_str(JSON("\xff\xfe"), "\\udcff\\udcfe", "json: invalid bytes as \\udcXX");
    is_str(JSON("\xc0\xaf"), "\\udcc0\\udcaf", "json: overlong form rejected");
    is_str(JSON("\xed\xa0\x80"), "\\udced\\udca0\\udc80", "json: encoded surrogate rejected");
    is_str(JSON("\xf4\x90\x80\x80"), "\\udcf4\\udc90\\udc80\\udc80", "json: above U+10FFFF rejected");
    is_str(JSON("\xe2\x82"), "\\udce2\\udc82", "json: sequence cut by the end rejected");
    is_str(JSON("\xe2\x82x"), "\\udce2\\udc82x", "json: sequence cut by ASCII rejected");
    is_str(JSON("\xc3\xa9\x80"), "\xc3\xa9\\udc80", "json: stray continuation after a valid char");

    /* Text escaping. */
    is_str(escaped(FORMAT_TEXT, "a \"b\"\\", 6, 4096, NULL), "a \\\"b\\\"\\\\", "text: quote, backslash");
    is_str(escaped(FORMAT_TEXT, "x\ny\xc3\xa9\x7f", 6, 4096, NULL), "x\\x0ay\\xc3\\xa9\\x7f",
           "text: controls and non-ASCII as \\xXX");

    /* Cutting: never into the reserve, never inside an escape. */
    {
        char big[1000];
        memset(big, 'a', sizeof(big));
        big[0] = '\n';
        int whole;
        const char *out = escaped(FORMAT_JSON, big, sizeof(big), LINE_RESERVE + 100, &whole);
        is_int(whole, 0, "cut: reported");
        is_int(strlen(out), 100, "cut: fills exactly up to the reserve");
        ok(strncmp(out, "\\n", 2) == 0, "cut: starts with the whole escape");
        out = escaped(FORMAT_JSON, "\xff\xff", 2, LINE_RESERVE + 8, &whole);
        is_str(out, "\\udcff", "cut: a 6-byte escape is not split");
        out = escaped(FORMAT_JSON, big + 1, 100, LINE_RESERVE + 100, &whole);
        is_int(whole, 1, "exactly fitting string is whole");
    }
    /* line_add is all or nothing and may use the reserve. */
    {
        char small[LINE_RESERVE + 4];
        struct line l;
        line_init(&l, small, sizeof(small), FORMAT_JSON);
        char text[LINE_RESERVE + 8];
        memset(text, 'x', sizeof(text) - 1);
        text[sizeof(text) - 1] = '\0';
        is_int(line_add(&l, text), -1, "line_add: too long refused");
        is_int(l.len, 0, "line_add: nothing appended");
        is_int(line_add(&l, "ok"), 0, "line_add: fitting text appended");
    }

    /* Time stamps. */
    {
        char tbuf[1024];
        struct line l;
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
        line_init(&l, tbuf, sizeof(tbuf), FORMAT_JSON);
        line_time(&l, &ts);
        tbuf[l.len] = '\0';
        is_str(tbuf, "1970-01-01T00:00:00.000000Z", "time: epoch");
        ts.tv_sec = 1795620447;
        ts.tv_nsec = 123456789;
        line_init(&l, tbuf, sizeof(tbuf), FORMAT_JSON);
        line_time(&l, &ts);
        tbuf[l.len] = '\0';
        is_str(tbuf, "2026-11-25T15:27:27.123456Z", "time: microseconds, truncated, UTC");
    }

    /* Socket addresses. */
    {
        char out[256];
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(8080) };
        inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
        fmt(&in, sizeof(in), out, sizeof(out));
        is_str(out, "10.1.2.3:8080", "sockaddr: IPv4");
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
        inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
        fmt(&in6, sizeof(in6), out, sizeof(out));
        is_str(out, "[2001:db8::1]:443", "sockaddr: IPv6");
        in6.sin6_scope_id = 2;
        fmt(&in6, sizeof(in6), out, sizeof(out));
        is_str(out, "[2001:db8::1%2]:443", "sockaddr: IPv6 with scope");
        in6.sin6_scope_id = 0;
        inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);
        fmt(&in6, sizeof(in6), out, sizeof(out));
        is_str(out, "[::ffff:10.1.2.3]:443", "sockaddr: IPv4-mapped, as written");
        fmt(&in, sizeof(in) - 1, out, sizeof(out));
        is_str(out, "family:2", "sockaddr: too short for IPv4");
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        strcpy(un.sun_path, "/run/x.sock");
        size_t n = fmt(&un, offsetof(struct sockaddr_un, sun_path) + 12, out, sizeof(out));
        is_str(out, "unix:/run/x.sock", "sockaddr: unix path");
        is_int(n, 16, "sockaddr: unix path length");
        n = fmt(&un, offsetof(struct sockaddr_un, sun_path) + 5, out, sizeof(out));
        is_str(out, "unix:/run/", "sockaddr: unix path bounded by addrlen");
        memcpy(un.sun_path, "\0ab\0c", 5);
        n = fmt(&un, offsetof(struct sockaddr_un, sun_path) + 5, out, sizeof(out));
        is_int(n, 10, "sockaddr: abstract keeps embedded NUL");
        ok(memcmp(out, "unix:@ab\0c", 10) == 0, "sockaddr: abstract name");
        fmt(&un, sizeof(sa_family_t), out, sizeof(out));
        is_str(out, "unix:", "sockaddr: unnamed unix");
        struct sockaddr sa = { .sa_family = AF_NETLINK };
        fmt(&sa, sizeof(sa), out, sizeof(out));
        is_str(out, "family:16", "sockaddr: other family");
        fmt(&sa, 1, out, sizeof(out));
        is_str(out, "family:none", "sockaddr: too short for a family");
        char small[16];
        memset(un.sun_path, 'p', sizeof(un.sun_path));
        n = fmt(&un, sizeof(un), small, sizeof(small));
        is_int(n, 15, "sockaddr: cut to the output size");
    }
    return tap_done();
}
