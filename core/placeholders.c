/* placeholders.c -- see placeholders.h. */
#include "config.h"
#include "placeholders.h"
#include "denial.h"
#include "keys.h"
#include "log.h"
#include "sl_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN "%{"
#define ANNOTATION "annotation:"
#define SAFE_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"

const char *sl_placeholder_find(const char *value)
{
    return strstr(value, OPEN);
}

/* One path component of the safe kind (placeholders.h). */
static int safe_component(const char *s, size_t len)
{
    return len > 0 && len <= NAME_MAX && s[0] != '.' && strspn(s, SAFE_CHARS) >= len;
}

/* The annotation KEY of v, or NULL. */
static const char *annotation(const struct sl_placeholder_values *v, const char *key, size_t keylen)
{
    for (const char *const *a = v->annotations; a && a[0] && a[1]; a += 2)
        if (strlen(a[0]) == keylen && !memcmp(a[0], key, keylen))
            return a[1];
    return NULL;
}

/* What placeholder NAME (len bytes, between "%{" and "}") stands for:
 * *out and *outlen (not NUL-terminated: the bundle's last component), or
 * -1 with the reason. */
static int resolve(const struct sl_placeholder_values *v, int sample, const char *name, size_t len,
                   const char **out, size_t *outlen, const char *where, char *err, size_t errlen)
{
    char shown[200], value[300];
    const char *what;
    if (len == 2 && !memcmp(name, "id", 2)) {
        *out = v->id;
        what = "the container's id";
    } else if (len == 6 && !memcmp(name, "bundle", 6)) {
        const char *b = v->bundle;
        size_t blen = strlen(b);
        while (blen > 1 && b[blen - 1] == '/')
            blen--;
        const char *last = memrchr(b, '/', blen);
        *out = last ? last + 1 : b;
        *outlen = blen - (size_t)(*out - b);
        what = "the bundle's last component";
        if (sample) {
            *out = SL_PLACEHOLDER_SAMPLE;
            *outlen = strlen(*out);
        }
        goto check;
    } else if (len > strlen(ANNOTATION) && !memcmp(name, ANNOTATION, strlen(ANNOTATION))) {
        const char *key = name + strlen(ANNOTATION);
        size_t keylen = len - strlen(ANNOTATION);
        *out = annotation(v, key, keylen);
        what = "the annotation";
        if (!*out && !sample) {
            snprintf(shown, sizeof(shown), "%.*s", (int)keylen, key);
            sl_quote(shown, value, sizeof(value));
            sl_errf(err, errlen, "%s: %%{annotation:...}: the container has no annotation %s", where, value);
            return -1;
        }
    } else {
        snprintf(shown, sizeof(shown), "%.*s", (int)len, name);
        sl_quote(shown, value, sizeof(value));
        sl_errf(err, errlen, "%s: unknown placeholder %%{%s}: expected %%{id}, %%{bundle} or "
                "%%{annotation:KEY}", where, value);
        return -1;
    }
    if (sample)
        *out = SL_PLACEHOLDER_SAMPLE;
    *outlen = strlen(*out);
check:
    if (safe_component(*out, *outlen))
        return 0;
    snprintf(shown, sizeof(shown), "%.*s", (int)(*outlen < 190 ? *outlen : 190), *out);
    sl_quote(shown, value, sizeof(value));
    sl_errf(err, errlen, "%s: %%{%.*s}: %s %s is not a safe file name (1 to %d letters, digits, '.', '_', '+' or "
            "'-', not starting with '.')", where, (int)(len < 80 ? len : 80), name, what, value, NAME_MAX);
    return -1;
}

/* The value of kv with its placeholders replaced: a new string, or NULL
 * with the reason. */
static char *expand_value(const struct sl_config_file *cfg, const struct sandlock_config *sec, const struct sl_kv *kv,
                          const struct sl_placeholder_values *v, int sample, char *err, size_t errlen)
{
    char place[4200], where[4400];
    snprintf(where, sizeof(where), "%s: [plugin %s]: %s", sl_keys_place(cfg, kv, place, sizeof(place)), sec->name,
             kv->key);
    size_t cap = strlen(kv->value) + 1, used = 0;
    char *out = malloc(cap);
    const char *p = kv->value, *open;
    while (out && (open = sl_placeholder_find(p))) {
        const char *name = open + strlen(OPEN), *close = strchr(name, '}');
        if (!close) {
            sl_errf(err, errlen, "%s: a placeholder without its '}'", where);
            free(out);
            return NULL;
        }
        const char *sub;
        size_t sublen;
        if (resolve(v, sample, name, (size_t)(close - name), &sub, &sublen, where, err, errlen)) {
            free(out);
            return NULL;
        }
        size_t lit = (size_t)(open - p);
        char *grown = realloc(out, cap += lit + sublen);
        if (!grown) {
            free(out);
            out = NULL;
            break;
        }
        out = grown;
        memcpy(out + used, p, lit);
        memcpy(out + used + lit, sub, sublen);
        used += lit + sublen;
        p = close + 1;
    }
    if (!out) {
        sl_errf(err, errlen, "%s: out of memory", where);
        return NULL;
    }
    strcpy(out + used, p);
    return out;
}

int sl_placeholders_expand(struct sl_config_file *cfg, const struct sl_placeholder_values *v, int sample, char *err,
                           size_t errlen)
{
    for (size_t i = 0; i < cfg->ninstances; i++) {
        struct sandlock_config *sec = cfg->instances[i];
        for (size_t k = 0; k < sec->nkeys; k++) {
            struct sl_kv *kv = &sec->keys[k];
            if (!sl_placeholder_find(kv->value))
                continue;
            char *expanded = expand_value(cfg, sec, kv, v, sample, err, errlen);
            if (!expanded)
                return -1;
            free(kv->value);
            kv->value = expanded;
        }
    }
    return 0;
}
