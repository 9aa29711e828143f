/* keys.h -- a plugin's declared keys (SDK 1.6, "Declared keys" in
 * sandlock/plugin.h): the host checks an instance's section against them
 * before init() and keeps the parsed values init() reads. */
#ifndef SANDLOCK_KEYS_H
#define SANDLOCK_KEYS_H

#include <sandlock/plugin.h>
#include <stddef.h>

#include "sl_config.h"

struct sl_instance;

/* Checks the section of inst against inst->vt.keys (nothing to do when the
 * plugin declares none) and splits its list values. 0, or -1 with
 * "FILE:LINE: ..." in err. */
int sl_keys_check(const struct sl_config_file *cfg, struct sl_instance *inst, char *err, size_t errlen);

/* Where config_error() put init()'s failure: the value's file and line
 * ("FILE:LINE", or "--set"), or NULL when init() did not name a value. */
const char *sl_keys_error_place(const struct sl_config_file *cfg, const struct sl_instance *inst, char *buf,
                                size_t size);

/* "FILE:LINE" of a value; "--set" for a command-line one. */
const char *sl_keys_place(const struct sl_config_file *cfg, const struct sl_kv *kv, char *buf, size_t size);

/* Frees what sl_keys_check() kept. */
void sl_keys_free(struct sl_instance *inst);

/* The declaration of `name` in a plugin's keys, or NULL. */
const sandlock_key_decl *sl_key_find(const sandlock_key_decl *keys, const char *name);

/* "string", "bool", ... for a SANDLOCK_KEY_* kind; "?" for others. */
const char *sl_key_kind_name(uint32_t kind);

/* The host table's functions (host.c). */
int sl_keys_number(const sandlock_config *cfg, const char *key, int64_t *out);
size_t sl_keys_list(const sandlock_config *cfg, const char *key, const char **items, size_t max);
int sl_keys_error(const sandlock_config *cfg, const char *key, const char *value, char *errbuf,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
