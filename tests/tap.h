/* tap.h -- minimal TAP output for C unit tests (one "ok N" per check).
 * A test program calls ok()/is_int()/is_str() and ends with tap_done(). */
#ifndef SANDLOCK_TESTS_TAP_H
#define SANDLOCK_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

static __attribute__((format(printf, 4, 5), unused)) int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        printf("#   failed at %s:%d\n", file, line);
        tap_failures++;
    }
    fflush(stdout);
    return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* A check that cannot be made here, and why (TAP "# SKIP"). */
static __attribute__((format(printf, 1, 2), unused)) void tap_skip(const char *fmt, ...)
{
    va_list ap;
    printf("ok %d # SKIP ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

#define is_int(got, want, ...)                                                 \
    do {                                                                       \
        long long g_ = (long long)(got), w_ = (long long)(want);               \
        if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                \
            printf("#   got %lld, want %lld\n", g_, w_);                       \
    } while (0)

#define is_str(got, want, ...)                                                 \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        if (!tap_ok(g_ && w_ && strcmp(g_, w_) == 0, __FILE__, __LINE__, __VA_ARGS__)) \
            printf("#   got '%s'\n#   want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

/* Does `haystack` contain `needle`? For checking error messages. */
#define has_str(haystack, needle, ...)                                         \
    do {                                                                       \
        const char *h_ = (haystack), *n_ = (needle);                           \
        if (!tap_ok(h_ && strstr(h_, n_) != NULL, __FILE__, __LINE__, __VA_ARGS__)) \
            printf("#   '%s'\n#   does not contain '%s'\n", h_ ? h_ : "(null)", n_); \
    } while (0)

static __attribute__((unused)) int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return 0;
}

#endif
