/* values.h -- parsing of typed configuration values (shared by the config
 * reader and the plugin host table) and names for errnos and signals. */
#ifndef SANDLOCK_VALUES_H
#define SANDLOCK_VALUES_H

#include <stdint.h>

/* Each parser returns 0 and stores the value, or -EINVAL and stores nothing.
 * The accepted syntax is documented in sdk/sandlock/plugin.h. */
int sl_parse_bool(const char *text, int *out);
int sl_parse_int(const char *text, int64_t *out);
int sl_parse_size(const char *text, uint64_t *out);
int sl_parse_duration(const char *text, uint64_t *out_ns);
int sl_parse_errno(const char *text, int *out);
int sl_parse_signal(const char *text, int *out);

/* "EACCES" for 13; NULL for numbers without a name. */
const char *sl_errno_name(int error);
/* "SIGTERM" for 15; NULL for numbers without a name. */
const char *sl_signal_name(int sig);

#endif
