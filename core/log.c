/* log.c -- one line per message, written with a single write(2) so lines
 * from concurrent workers do not interleave. */
#include "config.h"
#include "log.h"

#include <sandlock/plugin.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sl_log_level = SANDLOCK_LOG_WARN;
struct sl_log_sink sl_log_sink = { .fd = STDERR_FILENO };

/* Writes one line (ending in '\n', len bytes) to the sink. */
static void emit(char *line, size_t len)
{
    const struct sl_log_sink *sink = sl_here ? &sl_here->log_sink : &sl_log_sink;
    if (sink->fn) {
        line[len - 1] = '\0';
        sink->fn(sink->arg, line);
    } else if (sink->fd >= 0) {
        ssize_t w = write(sink->fd, line, len);
        (void)w;
    }
}

/* How each level starts a line ("sandlock: warning: ..."). */
static const char *const level_names[] = { "error", "warning", "info", "debug" };

void sl_vlog_instance(const char *instance, int level, const char *fmt, va_list ap)
{
    char line[1024];
    int n;
    if (level > sl_log_level_here())
        return;
    if (level < SANDLOCK_LOG_ERROR)
        level = SANDLOCK_LOG_ERROR;
    if (level > SANDLOCK_LOG_DEBUG)
        level = SANDLOCK_LOG_DEBUG;
    if (instance)
        n = snprintf(line, sizeof(line), "sandlock: %s: [%s] ", level_names[level], instance);
    else
        n = snprintf(line, sizeof(line), "sandlock: %s: ", level_names[level]);
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    emit(line, len);
}

void sl_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_vlog_instance(NULL, level, fmt, ap);
    va_end(ap);
}

/* The names of the levels in sandlock.ini's log_level (and --set). */
static const char *const level_keys[] = { "error", "warn", "info", "debug" };

int sl_log_level_from_name(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_keys[i]) == 0)
            return i;
    return -1;
}

const char *sl_log_level_name(int level)
{
    return level >= 0 && level < 4 ? level_keys[level] : "?";
}

void sl_trace(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    char out[560];
    int n = snprintf(out, sizeof(out), "sandlock: trace: %s\n", line);
    if (n > 0)
        emit(out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

void sl_log_raw(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[1024] = "sandlock: ";
    int n = vsnprintf(line + 10, sizeof(line) - 11, fmt, ap);
    va_end(ap);
    size_t len = 10 + (n < 0 ? 0 : (size_t)n < sizeof(line) - 11 ? (size_t)n : sizeof(line) - 12);
    line[len++] = '\n';
    emit(line, len);
}

void sl_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
