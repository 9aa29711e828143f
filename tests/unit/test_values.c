/* test_values.c -- the typed value parsers shared by the config reader and
 * the plugin host table: good inputs give the documented value, bad inputs
 * give -EINVAL and leave the output untouched. */
#include "config.h"
#include "values.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>

static void bool_ok(const char *text, int want)
{
    int v = 42;
    int rc = sl_parse_bool(text, &v);
    ok(rc == 0 && v == want, "bool '%s' -> %d (rc %d, got %d)", text, want, rc, v);
}

static void bool_bad(const char *text)
{
    int v = 42;
    int rc = sl_parse_bool(text, &v);
    ok(rc == -EINVAL && v == 42, "bool '%s' rejected, nothing stored", text ? text : "(null)");
}

static void int_ok(const char *text, int64_t want)
{
    int64_t v = 4242;
    int rc = sl_parse_int(text, &v);
    ok(rc == 0 && v == want, "int '%s' -> %lld (rc %d, got %lld)", text, (long long)want, rc,
       (long long)v);
}

static void int_bad(const char *text)
{
    int64_t v = 4242;
    int rc = sl_parse_int(text, &v);
    ok(rc == -EINVAL && v == 4242, "int '%s' rejected, nothing stored", text ? text : "(null)");
}

static void size_ok(const char *text, uint64_t want)
{
    uint64_t v = 4242;
    int rc = sl_parse_size(text, &v);
    ok(rc == 0 && v == want, "size '%s' -> %llu (rc %d, got %llu)", text, (unsigned long long)want,
       rc, (unsigned long long)v);
}

static void size_bad(const char *text)
{
    uint64_t v = 4242;
    int rc = sl_parse_size(text, &v);
    ok(rc == -EINVAL && v == 4242, "size '%s' rejected, nothing stored", text ? text : "(null)");
}

static void duration_ok(const char *text, uint64_t want)
{
    uint64_t v = 4242;
    int rc = sl_parse_duration(text, &v);
    ok(rc == 0 && v == want, "duration '%s' -> %llu ns (rc %d, got %llu)", text,
       (unsigned long long)want, rc, (unsigned long long)v);
}

static void duration_bad(const char *text)
{
    uint64_t v = 4242;
    int rc = sl_parse_duration(text, &v);
    ok(rc == -EINVAL && v == 4242, "duration '%s' rejected, nothing stored", text ? text : "(null)");
}

static void errno_ok(const char *text, int want)
{
    int v = 4242;
    int rc = sl_parse_errno(text, &v);
    ok(rc == 0 && v == want, "errno '%s' -> %d (rc %d, got %d)", text, want, rc, v);
}

static void errno_bad(const char *text)
{
    int v = 4242;
    int rc = sl_parse_errno(text, &v);
    ok(rc == -EINVAL && v == 4242, "errno '%s' rejected, nothing stored", text ? text : "(null)");
}

static void signal_ok(const char *text, int want)
{
    int v = 4242;
    int rc = sl_parse_signal(text, &v);
    ok(rc == 0 && v == want, "signal '%s' -> %d (rc %d, got %d)", text, want, rc, v);
}

static void signal_bad(const char *text)
{
    int v = 4242;
    int rc = sl_parse_signal(text, &v);
    ok(rc == -EINVAL && v == 4242, "signal '%s' rejected, nothing stored", text ? text : "(null)");
}

int main(void)
{
    /* bool: yes/no, true/false, on/off, 1/0, any case */
    bool_ok("yes", 1);
    bool_ok("no", 0);
    bool_ok("true", 1);
    bool_ok("false", 0);
    bool_ok("on", 1);
    bool_ok("off", 0);
    bool_ok("1", 1);
    bool_ok("0", 0);
    bool_ok("YES", 1);
    bool_ok("False", 0);
    bool_ok("oN", 1);
    bool_bad("");
    bool_bad("maybe");
    bool_bad("y");
    bool_bad("2");
    bool_bad(" yes");
    bool_bad("yes ");
    bool_bad(NULL);

    /* int: decimal, 0x hex, 0 octal, optional sign */
    int_ok("0", 0);
    int_ok("42", 42);
    int_ok("-42", -42);
    int_ok("+7", 7);
    int_ok("0x10", 16);
    int_ok("0X1f", 31);
    int_ok("010", 8);
    int_ok("9223372036854775807", INT64_MAX);
    int_ok("-9223372036854775808", INT64_MIN);
    int_bad("");
    int_bad(" 1");
    int_bad("1 ");
    int_bad("12abc");
    int_bad("abc");
    int_bad("0x");
    int_bad("09");
    int_bad("1.5");
    int_bad("9223372036854775808");
    int_bad("-9223372036854775809");
    int_bad(NULL);

    /* size: bytes with K, M, G, T (powers of 1024) */
    size_ok("0", 0);
    size_ok("100", 100);
    size_ok("64K", 64ULL << 10);
    size_ok("64k", 64ULL << 10);
    size_ok("3M", 3ULL << 20);
    size_ok("2G", 2ULL << 30);
    size_ok("5T", 5ULL << 40);
    size_ok("1KiB", 1ULL << 10);
    size_ok("7MB", 7ULL << 20);
    size_ok("12B", 12);
    size_ok("16777215T", 16777215ULL << 40);
    size_bad("");
    size_bad("K");
    size_bad("-1");
    size_bad("+1");
    size_bad(" 1K");
    size_bad("1 K");
    size_bad("1X");
    size_bad("1P");
    size_bad("1.5M");
    size_bad("16777216T");              /* 2^64: overflow */
    size_bad("18446744073709551616");   /* overflow in the number itself */
    size_bad(NULL);

    /* duration: to nanoseconds; ns, us, ms, s, m, h; bare = seconds */
    duration_ok("0", 0);
    duration_ok("5", 5000000000ULL);
    duration_ok("7ns", 7);
    duration_ok("10us", 10000);
    duration_ok("250ms", 250000000ULL);
    duration_ok("30s", 30000000000ULL);
    duration_ok("2m", 120000000000ULL);
    duration_ok("1h", 3600000000000ULL);
    duration_bad("");
    duration_bad("s");
    duration_bad("-1s");
    duration_bad("1.5s");
    duration_bad("1 s");
    duration_bad("10d");
    duration_bad("10sec");
    duration_bad("5124096h");           /* > 2^64 ns */
    duration_bad(NULL);

    /* errno: names and numbers 1..4095 */
    errno_ok("EACCES", EACCES);
    errno_ok("EPERM", EPERM);
    errno_ok("ENOENT", ENOENT);
    errno_ok("EROFS", EROFS);
    errno_ok("ENOSYS", ENOSYS);
    errno_ok("ECONNREFUSED", ECONNREFUSED);
    errno_ok("13", 13);
    errno_ok("1", 1);
    errno_ok("4095", 4095);
    errno_ok("eacces", EACCES);     /* names in any case, like the booleans */
    errno_ok("EConnRefused", ECONNREFUSED);
    errno_bad("");
    errno_bad("0");
    errno_bad("4096");
    errno_bad("-1");
    errno_bad("13abc");
    errno_bad("ENOTANERRNO");
    errno_bad("EACCES ");
    errno_bad("99999999999999999999");
    errno_bad(NULL);

    /* signal: with or without SIG, or a number 1..64 */
    signal_ok("SIGTERM", SIGTERM);
    signal_ok("TERM", SIGTERM);
    signal_ok("SIGKILL", SIGKILL);
    signal_ok("KILL", SIGKILL);
    signal_ok("SIGSYS", SIGSYS);
    signal_ok("USR1", SIGUSR1);
    signal_ok("9", 9);
    signal_ok("1", 1);
    signal_ok("64", 64);
    signal_ok("sigterm", SIGTERM);
    signal_ok("term", SIGTERM);
    signal_ok("SigUsr2", SIGUSR2);
    signal_bad("");
    signal_bad("0");
    signal_bad("65");
    signal_bad("-9");
    signal_bad("SIG");
    signal_bad("SIGFOO");
    signal_bad("FOO");
    signal_bad("9x");
    signal_bad("AVERYLONGNAMETHATDOESNOTFITINTOTHEBUFFERATALLREALLY");
    signal_bad(NULL);

    /* names */
    is_str(sl_errno_name(EACCES), "EACCES", "errno name of 13");
    is_str(sl_errno_name(EIO), "EIO", "errno name of 5");
    ok(sl_errno_name(4000) == NULL, "no name for errno 4000");
    is_str(sl_signal_name(SIGTERM), "SIGTERM", "signal name of 15");
    is_str(sl_signal_name(SIGKILL), "SIGKILL", "signal name of 9");
    ok(sl_signal_name(60) == NULL, "no name for signal 60");
    return tap_done();
}
