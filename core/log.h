/* log.h -- sandlock's diagnostics on stderr, filtered by [sandlock] log_level. */
#ifndef SANDLOCK_LOG_H
#define SANDLOCK_LOG_H

#include <sandlock/plugin.h>
#include <stdarg.h>
#include "here.h"

/* Levels are those of the SDK: SANDLOCK_LOG_ERROR .. SANDLOCK_LOG_DEBUG.
 * The process default (warn), for threads that work for no session; a
 * session's own is in its sl_here. */
extern int sl_log_level;

/* The level the calling thread logs at (its session's, see here.h). */
static inline int sl_log_level_here(void)
{
    return sl_here ? sl_here->log_level : sl_log_level;
}

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

/* Where every line above goes (struct sl_log_sink, here.h): `fn` when set
 * (one NUL-terminated line without its newline), else fd `fd` (one
 * write(2) per line), else nowhere (fd -1). A session's own sink is in its
 * sl_here; this is the process default, stderr, for threads that work for
 * no session. A program that embeds libsandlock chooses each context's
 * (sandlock(3)). */
extern struct sl_log_sink sl_log_sink;
#endif
