/* log.h -- sandlock's diagnostics on stderr, filtered by [sandlock] log_level. */
#ifndef SANDLOCK_LOG_H
#define SANDLOCK_LOG_H

#include <sandlock/plugin.h>
#include <stdarg.h>

/* Levels are those of the SDK: SANDLOCK_LOG_ERROR .. SANDLOCK_LOG_DEBUG. */
extern int sl_log_level;

void sl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, with "[instance]" after the program name. */
void sl_vlog_instance(const char *instance, int level, const char *fmt, va_list ap);
/* Parses "error", "warn", "info", "debug"; returns the level or -1. */
int sl_log_level_from_name(const char *name);
/* Formats an error message into err (errlen bytes): the message a
 * function returns with its -1. */
void sl_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The log_level value naming `level` ("warn"...). */
const char *sl_log_level_name(int level);

/* A line for -v tracing, written whatever the log level. */
void sl_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "sandlock: TEXT", whatever the log level (how a run ended). */
void sl_log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where every line above goes: `fn` when set (one NUL-terminated line
 * without its newline), else fd `fd` (one write(2) per line), else nowhere
 * (fd -1). The sandlock program keeps the default, its stderr; a program
 * that embeds libsandlock chooses (sandlock(3)). */
struct sl_log_sink {
    int fd;
    void (*fn)(void *arg, const char *line);
    void *arg;
};
extern struct sl_log_sink sl_log_sink;
#endif
