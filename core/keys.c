/* keys.c -- see keys.h. */
#include "config.h"
#include "keys.h"
#include "loader.h"
#include "placeholders.h"
#include "values.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_key_item {
    const char *text;
    size_t kv;                     /* index in the section's keys */
};

struct sl_keys {
    char **split;                  /* per key of the section: a list value's items, split in place */
    struct sl_key_item *items;     /* every list item, in file order */
    size_t nitems;
    const struct sl_kv *error_kv;  /* the value config_error() named */
};

static const char *const kind_names[] = {
    [SANDLOCK_KEY_STRING] = "string", [SANDLOCK_KEY_BOOL] = "bool",
    [SANDLOCK_KEY_INT] = "int", [SANDLOCK_KEY_SIZE] = "size",
    [SANDLOCK_KEY_DURATION] = "duration", [SANDLOCK_KEY_ERRNO] = "errno",
    [SANDLOCK_KEY_SIGNAL] = "signal", [SANDLOCK_KEY_PATH] = "path",
    [SANDLOCK_KEY_LIST] = "list",
};

/* What a value of each kind must look like, for messages. */
static const char *const kind_expected[] = {
    [SANDLOCK_KEY_BOOL] = "yes or no",
    [SANDLOCK_KEY_INT] = "an integer",
    [SANDLOCK_KEY_SIZE] = "a size such as 4096 or 64K",
    [SANDLOCK_KEY_DURATION] = "a duration such as 30s or 500ms",
    [SANDLOCK_KEY_ERRNO] = "an errno name or number",
    [SANDLOCK_KEY_SIGNAL] = "a signal name or number",
    [SANDLOCK_KEY_PATH] = "an absolute path",
};

#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *sl_key_kind_name(uint32_t kind)
{
    return kind < NKINDS && kind_names[kind] ? kind_names[kind] : "?";
}

static int name_matches(const char *declared, const char *name)
{
    size_t len = strlen(declared);
    if (len && declared[len - 1] == '*')
        return strncmp(declared, name, len - 1) == 0;
    return strcmp(declared, name) == 0;
}

const sandlock_key_decl *sl_key_find(const sandlock_key_decl *keys, const char *name)
{
    for (size_t i = 0; keys && keys[i].name; i++)
        if (name_matches(keys[i].name, name))
            return &keys[i];
    return NULL;
}

/* Parses a value of a number kind. 0 with *out set, or -1. */
static int parse_number(uint32_t kind, const char *text, int64_t *out)
{
    int i = 0;
    uint64_t u = 0;
    switch (kind) {
    case SANDLOCK_KEY_BOOL:
        if (sl_parse_bool(text, &i))
            return -1;
        *out = i;
        return 0;
    case SANDLOCK_KEY_INT:
        return sl_parse_int(text, out) ? -1 : 0;
    case SANDLOCK_KEY_SIZE:
    case SANDLOCK_KEY_DURATION:
        if ((kind == SANDLOCK_KEY_SIZE ? sl_parse_size(text, &u) : sl_parse_duration(text, &u)) ||
            u > INT64_MAX)
            return -1;
        *out = (int64_t)u;
        return 0;
    case SANDLOCK_KEY_ERRNO:
    case SANDLOCK_KEY_SIGNAL:
        if (kind == SANDLOCK_KEY_ERRNO ? sl_parse_errno(text, &i) : sl_parse_signal(text, &i))
            return -1;
        *out = i;
        return 0;
    default:
        return -1;
    }
}

static int is_number_kind(uint32_t kind)
{
    return kind >= SANDLOCK_KEY_BOOL && kind <= SANDLOCK_KEY_SIGNAL;
}

/* Does `text` fit the kind? */
static int value_fits(uint32_t kind, const char *text)
{
    int64_t ignored;
    if (is_number_kind(kind))
        return parse_number(kind, text, &ignored) == 0;
    if (kind == SANDLOCK_KEY_PATH)
        return text[0] == '/' || text[0] == '~';
    return 1;
}

const char *sl_keys_place(const struct sl_config_file *cfg, const struct sl_kv *kv, char *buf, size_t size)
{
    if (!kv->line)
        return "--set";
    snprintf(buf, size, "%s:%u", kv->source ? kv->source : cfg->source, kv->line);
    return buf;
}

/* "a, b, c" of the declared names, for "unknown key". */
static void expected_names(const sandlock_key_decl *keys, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; keys[i].name && used < size; i++) {
        size_t len = strlen(keys[i].name);
        const char *sep = i ? ", " : "";
        if (len && keys[i].name[len - 1] == '*')
            used += (size_t)snprintf(out + used, size - used, "%sa key starting with '%.*s'", sep,
                                     (int)len - 1, keys[i].name);
        else
            used += (size_t)snprintf(out + used, size - used, "%s%s", sep, keys[i].name);
    }
}

/* Splits the list value of key k in place, appending its items. */
static int split_list(struct sl_keys *keys, const struct sl_kv *kv, size_t k)
{
    if (!(keys->split[k] = strdup(kv->value)))
        return -1;
    size_t cap = strlen(kv->value) / 2 + 1;
    struct sl_key_item *grown = realloc(keys->items, (keys->nitems + cap) * sizeof(*grown));
    if (!grown)
        return -1;
    keys->items = grown;
    char *save = NULL;
    for (char *tok = strtok_r(keys->split[k], ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
        keys->items[keys->nitems++] = (struct sl_key_item){ tok, k };
    return 0;
}

/* Checks one value against its declaration. */
static int check_value(const struct sl_config_file *cfg, const struct sandlock_config *sec, size_t k,
                       const sandlock_key_decl *d, char *err, size_t errlen)
{
    const struct sl_kv *kv = &sec->keys[k];
    char where[4200], first[4200];
    if (!value_fits(d->kind, kv->value)) {
        snprintf(err, errlen, "%s: [plugin %s]: %s: expected %s, got '%s'",
                 sl_keys_place(cfg, kv, where, sizeof(where)), sec->name, kv->key, kind_expected[d->kind], kv->value);
        return -1;
    }
    if ((d->flags & SANDLOCK_KEY_REPEATABLE) || d->kind == SANDLOCK_KEY_LIST || !kv->line)
        return 0;
    for (size_t i = 0; i < k; i++) {
        const struct sl_kv *before = &sec->keys[i];
        if (before->line && before->source == kv->source && strcmp(before->key, kv->key) == 0) {
            snprintf(err, errlen, "%s: [plugin %s]: %s is given again (first at %s); it takes one value "
                     "(a drop-in or --set may replace it)", sl_keys_place(cfg, kv, where, sizeof(where)), sec->name,
                     kv->key, sl_keys_place(cfg, before, first, sizeof(first)));
            return -1;
        }
    }
    return 0;
}

/* A required key the section does not give. */
static int check_required(const struct sl_config_file *cfg, const struct sandlock_config *sec,
                          const sandlock_key_decl *keys, char *err, size_t errlen)
{
    for (size_t d = 0; keys[d].name; d++) {
        if (!(keys[d].flags & SANDLOCK_KEY_REQUIRED))
            continue;
        size_t k = 0;
        while (k < sec->nkeys && !name_matches(keys[d].name, sec->keys[k].key))
            k++;
        if (k < sec->nkeys)
            continue;
        int dropin = sec->seen >= 1 && sec->seen <= cfg->nfiles;
        char hint[160];
        snprintf(err, errlen, "%s:%u: [plugin %s]: missing required key '%s' (%s)%s",
                 dropin ? cfg->files[sec->seen - 1] : cfg->source, dropin ? sec->seen_line : sec->line,
                 sec->name, keys[d].name, keys[d].help ? keys[d].help : sl_key_kind_name(keys[d].kind),
                 sl_config_instance_continuation_hint(cfg, sec, keys[d].name, hint, sizeof(hint)));
        return -1;
    }
    return 0;
}

int sl_keys_check(const struct sl_config_file *cfg, struct sl_instance *inst, char *err, size_t errlen)
{
    const struct sandlock_config *sec = inst->cfg;
    const sandlock_key_decl *declared = inst->vt.keys;
    struct sl_keys *keys = inst->keys = calloc(1, sizeof(*keys));
    if (!keys || !(keys->split = calloc(sec->nkeys + 1, sizeof(char *))))
        goto oom;
    for (size_t k = 0; k < sec->nkeys; k++) {
        const char *placeholder = sl_placeholder_find(sec->keys[k].value);
        if (placeholder) {
            char where[4200];
            snprintf(err, errlen, "%s: [plugin %s]: %s: \"%.40s\": a container placeholder, which only `sandlock "
                     "agent` expands (per container, sandlock-agent(8)); nothing else has a container",
                     sl_keys_place(cfg, &sec->keys[k], where, sizeof(where)), sec->name, sec->keys[k].key,
                     placeholder);
            return -1;
        }
    }
    if (!declared)
        return 0;
    for (size_t d = 0; declared[d].name; d++) {
        if (declared[d].kind == 0 || declared[d].kind >= NKINDS) {
            snprintf(err, errlen, "%s: [plugin %s]: %s declares key '%s' of an unknown kind %u", cfg->source,
                     sec->name, inst->file, declared[d].name, declared[d].kind);
            return -1;
        }
    }
    for (size_t k = 0; k < sec->nkeys; k++) {
        const struct sl_kv *kv = &sec->keys[k];
        const sandlock_key_decl *d = sl_key_find(declared, kv->key);
        if (!d) {
            char where[4200], names[1024];
            expected_names(declared, names, sizeof(names));
            snprintf(err, errlen, "%s: unknown key '%s' in [plugin %s] (expected %s)",
                     sl_keys_place(cfg, kv, where, sizeof(where)), kv->key, sec->name, *names ? names : "no keys");
            return -1;
        }
        if (check_value(cfg, sec, k, d, err, errlen))
            return -1;
        if (d->kind == SANDLOCK_KEY_LIST && split_list(keys, kv, k))
            goto oom;
    }
    return check_required(cfg, sec, declared, err, errlen);
oom:
    snprintf(err, errlen, "%s: [plugin %s]: out of memory", cfg->source, sec->name);
    return -1;
}

void sl_keys_free(struct sl_instance *inst)
{
    struct sl_keys *keys = inst->keys;
    if (!keys)
        return;
    for (size_t k = 0; keys->split && k < inst->cfg->nkeys; k++)
        free(keys->split[k]);
    free(keys->split);
    free(keys->items);
    free(keys);
    inst->keys = NULL;
}

const char *sl_keys_error_place(const struct sl_config_file *cfg, const struct sl_instance *inst, char *buf,
                                size_t size)
{
    if (!inst->keys || !inst->keys->error_kv)
        return NULL;
    return sl_keys_place(cfg, inst->keys->error_kv, buf, size);
}

/* The instance of a section, or NULL when it is not being loaded. */
static const struct sl_instance *instance_of(const sandlock_config *cfg)
{
    return cfg && cfg->instance && cfg->instance->keys ? cfg->instance : NULL;
}

int sl_keys_number(const sandlock_config *cfg, const char *key, int64_t *out)
{
    const struct sl_instance *inst = instance_of(cfg);
    const sandlock_key_decl *d = inst && key && out ? sl_key_find(inst->vt.keys, key) : NULL;
    if (!d || !is_number_kind(d->kind))
        return -EINVAL;
    for (size_t k = cfg->nkeys; k-- > 0;)
        if (strcmp(cfg->keys[k].key, key) == 0)
            return parse_number(d->kind, cfg->keys[k].value, out) ? -EINVAL : 1;
    return 0;
}

size_t sl_keys_list(const sandlock_config *cfg, const char *key, const char **items, size_t max)
{
    const struct sl_instance *inst = instance_of(cfg);
    size_t n = 0;
    for (size_t i = 0; inst && key && i < inst->keys->nitems; i++) {
        if (strcmp(cfg->keys[inst->keys->items[i].kv].key, key) != 0)
            continue;
        if (items && n < max)
            items[n] = inst->keys->items[i].text;
        n++;
    }
    return n;
}

/* Does `p` point into the string s? */
static int points_into(const char *p, const char *s)
{
    return s && p >= s && p <= s + strlen(s);
}

int sl_keys_error(const sandlock_config *cfg, const char *key, const char *value, char *errbuf,
                  const char *fmt, ...)
{
    const struct sl_instance *inst = instance_of(cfg);
    const struct sl_kv *found = NULL;
    for (size_t k = 0; inst && key && k < cfg->nkeys; k++) {
        const struct sl_kv *kv = &cfg->keys[k];
        if (strcmp(kv->key, key) != 0)
            continue;
        if (!value || points_into(value, kv->value) || points_into(value, inst->keys->split[k])) {
            found = kv;
            if (value)
                break;
        }
    }
    if (inst)
        inst->keys->error_kv = found;
    if (errbuf) {
        int n = snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%s: ", key ? key : "?");
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && n < SANDLOCK_ERRBUF_SIZE)
            vsnprintf(errbuf + n, SANDLOCK_ERRBUF_SIZE - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return SANDLOCK_ERROR;
}
