/* masking.c -- see masking.h. */
#define _GNU_SOURCE
#include "masking.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A pattern without any wildcard or escape: a path. */
static int literal(const char *pattern)
{
    return strpbrk(pattern, "*?[\\") == NULL;
}

/* Is `path` strictly below directory `dir`? */
static int below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Hides `path` (a path that exists, denied by `rule`) and puts back the
 * allow exceptions below it. 0, or the reason it cannot be done (*why). */
static int mask_one(const sandlock_host *host, const sandlock_config *cfg, const struct fsdeny_rules *all,
                    const char *path, const char **why)
{
    for (size_t i = 0; i < all->n; i++) {
        const struct fsdeny_rule *a = &all->rule[i];
        if (!a->allow || !below(a->pattern, path))
            continue;
        if (!literal(a->pattern)) {
            *why = "an allow exception inside it is a pattern";
            return -1;
        }
        if (!exists(a->pattern)) {
            *why = "an allow exception inside it does not exist (it could not be created in a mask)";
            return -1;
        }
    }
    int rc = host->mask_path(cfg, path, SANDLOCK_MASK_HIDE, NULL, 0);
    if (rc) {
        *why = rc == -EOPNOTSUPP ? "sandlock makes no masks here (see masks in sandlock.ini(5) and sandlock check)"
                                 : strerror(-rc);
        return -1;
    }
    for (size_t i = 0; i < all->n; i++) {
        const struct fsdeny_rule *a = &all->rule[i];
        if (a->allow && below(a->pattern, path) &&
            (rc = host->mask_path(cfg, a->pattern, SANDLOCK_MASK_EXPOSE, NULL, 0))) {
            *why = strerror(-rc);
            return -2;      /* hidden already: cannot fall back */
        }
    }
    return 0;
}

/* Masks what deny rule `d` denies. 0: the kernel enforces it; 1: it stays
 * on notifications (*why says why); -1: a mask could not be completed. */
static int mask_rule(const sandlock_host *host, const sandlock_config *cfg, const struct fsdeny_rules *all,
                     const struct fsdeny_rule *d, int later_allowed, const char **why)
{
    if (literal(d->pattern)) {
        if (!exists(d->pattern)) {
            if (later_allowed) {
                *why = "nothing to hide: it does not exist now (created_later = allow)";
                return 0;
            }
            *why = "it does not exist now (it may be created later)";
            return 1;
        }
        int rc = mask_one(host, cfg, all, d->pattern, why);
        return rc == -2 ? -1 : rc ? 1 : 0;
    }
    if (!later_allowed) {
        *why = "a pattern may match paths created later";
        return 1;
    }
    if (strstr(d->pattern, "**") || strchr(d->pattern, '\\')) {
        *why = "'**' and '\\' patterns are not expanded";
        return 1;
    }
    glob_t g;
    int rc = glob(d->pattern, GLOB_NOSORT, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        *why = "nothing to hide: no path matches now (created_later = allow)";
        return 0;
    }
    if (rc != 0) {
        *why = "the pattern could not be expanded";
        return 1;
    }
    /* Every match is hidden, or the whole rule stays on notifications. */
    int result = 0;
    for (size_t i = 0; i < g.gl_pathc && result == 0; i++) {
        rc = mask_one(host, cfg, all, g.gl_pathv[i], why);
        result = rc == -2 ? -1 : rc ? 1 : 0;
    }
    globfree(&g);
    return result;
}

int fsdeny_mask_rules(const sandlock_host *host, const sandlock_config *cfg, const struct fsdeny_rules *all,
                      int later_allowed, const char *no_masks, struct fsdeny_rules *notify, char *errbuf)
{
    if (!no_masks && !SANDLOCK_HOST_HAS(host, mask_path))
        no_masks = "the host cannot mask paths (it is older than SDK 1.4)";
    size_t kept = 0;
    for (size_t i = 0; i < all->n; i++) {
        const struct fsdeny_rule *r = &all->rule[i];
        const char *why = no_masks;  /* stays NULL when masked */
        int rc = r->allow || no_masks ? 1 : mask_rule(host, cfg, all, r, later_allowed, &why);
        if (rc == 0 && !why)
            why = "kernel (mask)";
        if (rc < 0) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "deny: '%s': a mask could not be completed: %s", r->pattern,
                     why);
            return -1;
        }
        if (!r->allow)
            host->log(cfg, SANDLOCK_LOG_INFO, "deny %s: %s%s", r->pattern, rc ? "notifications: " : "", why);
        if (rc == 0)
            continue;
        char *copy = strdup(r->pattern);
        if (!copy || fsdeny_rules_add(notify, copy, r->allow)) {
            free(copy);
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
            return -1;
        }
        kept += !r->allow;
    }
    /* Allow rules alone decide nothing. */
    if (!kept)
        fsdeny_rules_free(notify);
    return 0;
}
