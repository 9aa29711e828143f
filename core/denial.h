/* denial.h -- policy denials reported by plugins (host->report_denial,
 * ABI 1.5): one rate-limited warning line each, the --stats "denied"
 * count, and the note the -v trace shows for the call. */
#ifndef SANDLOCK_DENIAL_H
#define SANDLOCK_DENIAL_H

#include <sandlock/plugin.h>
#include "loader.h"

/* Lines shown in full per instance before the rate limit (one line per
 * second, with the number left out) applies. */
#define SL_DENIAL_BURST 10

/* What the last report_denial() on this thread was about. A handle is
 * never reused, so it tells whether the notification a worker runs was
 * denied by policy: no reset per notification is needed. */
struct sl_denial_mark {
    sandlock_handle h;
    char object[640];     /* escaped and quoted, "" without an object */
};
extern __thread struct sl_denial_mark sl_denial_mark;

/* Was notification h reported as a policy denial on this thread? */
static inline int sl_denied_now(sandlock_handle h)
{
    return h && sl_denial_mark.h == h;
}

/* host->report_denial(). */
void sl_report_denial(const sandlock_config *cfg, sandlock_handle h, int error, const char *object);

/* Logs, for every instance whose denial lines were left out since its
 * last line, how many (called once the supervisor has stopped). */
void sl_denials_flush(const struct sl_plugins *plugins);

/* Writes `in` into out (size > 2) between double quotes, with '"', '\\',
 * control characters and bytes above 0x7e as \xNN, truncated with "..."
 * when it does not fit: a child's path cannot forge a log line. */
void sl_quote(const char *in, char *out, size_t size);
/* The same without the quotes: for a name a peer chose (a container id) in
 * a log line, which it must not be able to split or colour. size >= 8. */
void sl_escape_controls(const char *in, char *out, size_t size);

#endif
