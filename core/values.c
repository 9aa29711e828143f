/* values.c -- typed value parsers and errno/signal name tables. */
#include "config.h"
#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct name_number {
    const char *name;
    int number;
};

#define ENTRY(x) { #x, x }
static const struct name_number errno_names[] = {
    ENTRY(EPERM), ENTRY(ENOENT), ENTRY(ESRCH), ENTRY(EINTR), ENTRY(EIO),
    ENTRY(ENXIO), ENTRY(E2BIG), ENTRY(ENOEXEC), ENTRY(EBADF), ENTRY(ECHILD),
    ENTRY(EAGAIN), ENTRY(ENOMEM), ENTRY(EACCES), ENTRY(EFAULT), ENTRY(EBUSY),
    ENTRY(EEXIST), ENTRY(EXDEV), ENTRY(ENODEV), ENTRY(ENOTDIR), ENTRY(EISDIR),
    ENTRY(EINVAL), ENTRY(ENFILE), ENTRY(EMFILE), ENTRY(ENOTTY), ENTRY(ETXTBSY),
    ENTRY(EFBIG), ENTRY(ENOSPC), ENTRY(ESPIPE), ENTRY(EROFS), ENTRY(EMLINK),
    ENTRY(EPIPE), ENTRY(EDOM), ENTRY(ERANGE), ENTRY(EDEADLK),
    ENTRY(ENAMETOOLONG), ENTRY(ENOLCK), ENTRY(ENOSYS), ENTRY(ENOTEMPTY),
    ENTRY(ELOOP), ENTRY(ENOMSG), ENTRY(ENODATA), ENTRY(ETIME), ENTRY(EPROTO),
    ENTRY(EOVERFLOW), ENTRY(EILSEQ), ENTRY(ENOTSOCK), ENTRY(EDESTADDRREQ),
    ENTRY(EMSGSIZE), ENTRY(EPROTOTYPE), ENTRY(ENOPROTOOPT),
    ENTRY(EPROTONOSUPPORT), ENTRY(EOPNOTSUPP), ENTRY(EAFNOSUPPORT),
    ENTRY(EADDRINUSE), ENTRY(EADDRNOTAVAIL), ENTRY(ENETDOWN),
    ENTRY(ENETUNREACH), ENTRY(ECONNABORTED), ENTRY(ECONNRESET),
    ENTRY(ENOBUFS), ENTRY(EISCONN), ENTRY(ENOTCONN), ENTRY(ETIMEDOUT),
    ENTRY(ECONNREFUSED), ENTRY(EHOSTUNREACH), ENTRY(EALREADY),
    ENTRY(EINPROGRESS), ENTRY(ECANCELED), ENTRY(EDQUOT), ENTRY(ENOTSUP),
};

static const struct name_number signal_names[] = {
    ENTRY(SIGHUP), ENTRY(SIGINT), ENTRY(SIGQUIT), ENTRY(SIGILL),
    ENTRY(SIGTRAP), ENTRY(SIGABRT), ENTRY(SIGBUS), ENTRY(SIGFPE),
    ENTRY(SIGKILL), ENTRY(SIGUSR1), ENTRY(SIGSEGV), ENTRY(SIGUSR2),
    ENTRY(SIGPIPE), ENTRY(SIGALRM), ENTRY(SIGTERM), ENTRY(SIGSTKFLT),
    ENTRY(SIGCHLD), ENTRY(SIGCONT), ENTRY(SIGSTOP), ENTRY(SIGTSTP),
    ENTRY(SIGTTIN), ENTRY(SIGTTOU), ENTRY(SIGURG), ENTRY(SIGXCPU),
    ENTRY(SIGXFSZ), ENTRY(SIGVTALRM), ENTRY(SIGPROF), ENTRY(SIGWINCH),
    ENTRY(SIGIO), ENTRY(SIGPWR), ENTRY(SIGSYS),
};
#undef ENTRY

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int sl_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };
    if (!text)
        return -EINVAL;
    for (size_t i = 0; i < COUNT(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -EINVAL;
}

int sl_parse_int(const char *text, int64_t *out)
{
    char *end;
    if (!text || !*text || isspace((unsigned char)*text))
        return -EINVAL;
    errno = 0;
    long long v = strtoll(text, &end, 0);
    if (errno || *end)
        return -EINVAL;
    *out = v;
    return 0;
}

/* Parses an unsigned decimal number followed by a suffix; the suffix is
 * returned through *suffix. */
static int parse_number_with_suffix(const char *text, uint64_t *number, const char **suffix)
{
    char *end;
    if (!text || !isdigit((unsigned char)*text))
        return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno)
        return -EINVAL;
    *number = v;
    *suffix = end;
    return 0;
}

static int multiply(uint64_t value, uint64_t factor, uint64_t *out)
{
    if (factor && value > UINT64_MAX / factor)
        return -EINVAL;
    *out = value * factor;
    return 0;
}

int sl_parse_size(const char *text, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t factor; } units[] = {
        { "", 1 }, { "B", 1 }, { "K", 1ULL << 10 }, { "KB", 1ULL << 10 },
        { "KiB", 1ULL << 10 }, { "M", 1ULL << 20 }, { "MB", 1ULL << 20 },
        { "MiB", 1ULL << 20 }, { "G", 1ULL << 30 }, { "GB", 1ULL << 30 },
        { "GiB", 1ULL << 30 }, { "T", 1ULL << 40 }, { "TB", 1ULL << 40 },
        { "TiB", 1ULL << 40 },
    };
    uint64_t n;
    const char *suffix;
    if (parse_number_with_suffix(text, &n, &suffix))
        return -EINVAL;
    for (size_t i = 0; i < COUNT(units); i++)
        if (strcasecmp(suffix, units[i].suffix) == 0)
            return multiply(n, units[i].factor, out);
    return -EINVAL;
}

int sl_parse_duration(const char *text, uint64_t *out_ns)
{
    static const struct { const char *suffix; uint64_t factor; } units[] = {
        { "", 1000000000ULL }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
        { "s", 1000000000ULL }, { "m", 60000000000ULL }, { "h", 3600000000000ULL },
    };
    uint64_t n;
    const char *suffix;
    if (parse_number_with_suffix(text, &n, &suffix))
        return -EINVAL;
    for (size_t i = 0; i < COUNT(units); i++)
        if (strcmp(suffix, units[i].suffix) == 0)
            return multiply(n, units[i].factor, out_ns);
    return -EINVAL;
}

static int lookup_name(const struct name_number *table, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(table[i].name, text) == 0)
            return table[i].number;
    return -1;
}

static int parse_small_number(const char *text, int min, int max, int *out)
{
    int64_t v;
    if (!isdigit((unsigned char)text[0]) || sl_parse_int(text, &v) || v < min || v > max)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

int sl_parse_errno(const char *text, int *out)
{
    if (!text || !*text)
        return -EINVAL;
    if (isdigit((unsigned char)text[0]))
        return parse_small_number(text, 1, 4095, out);
    int v = lookup_name(errno_names, COUNT(errno_names), text);
    if (v < 0)
        return -EINVAL;
    *out = v;
    return 0;
}

int sl_parse_signal(const char *text, int *out)
{
    char buf[32];
    if (!text || !*text)
        return -EINVAL;
    if (isdigit((unsigned char)text[0]))
        return parse_small_number(text, 1, 64, out);
    if (strncasecmp(text, "SIG", 3) != 0) {
        if (strlen(text) + 4 > sizeof(buf))
            return -EINVAL;
        strcpy(buf, "SIG");
        strcat(buf, text);
        text = buf;
    }
    int v = lookup_name(signal_names, COUNT(signal_names), text);
    if (v < 0)
        return -EINVAL;
    *out = v;
    return 0;
}

static const char *name_of(const struct name_number *table, size_t n, int number)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].number == number)
            return table[i].name;
    return NULL;
}

const char *sl_errno_name(int error)
{
    return name_of(errno_names, COUNT(errno_names), error);
}

const char *sl_signal_name(int sig)
{
    return name_of(signal_names, COUNT(signal_names), sig);
}
