/* rules.c -- see rules.h. The glob dialect:
 *   *      any run of characters except '/'
 *   **     any run of characters, '/' included
 *   ?      one character except '/'
 *   [...]  one character of a set: [abc], [a-z], negated with [!...] or [^...]
 *   \c     the character c itself
 * A pattern matches a path when it matches the whole path or one of the
 * path's parent directories, so "deny = /etc/ssl" covers /etc/ssl/private/x. */
#include "rules.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Is c a character with a special meaning in a pattern? */
static int is_wild(char c)
{
    return c == '*' || c == '?' || c == '[';
}

/* Matches the bracket expression at p (just after '[') against c. Returns
 * the pattern position after the closing ']' and sets *hit, or NULL when
 * the expression has no closing ']' (the '[' is then a literal). */
static const char *match_class(const char *p, char c, int *hit)
{
    int negate = 0, found = 0;
    if (*p == '!' || *p == '^') {
        negate = 1;
        p++;
    }
    const char *start = p;
    while (*p && (*p != ']' || p == start)) {
        char lo = *p, hi = *p;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            hi = p[2];
            p += 2;
        }
        if (c >= lo && c <= hi)
            found = 1;
        p++;
    }
    if (*p != ']')
        return NULL;
    *hit = c != '/' && found != negate;
    return p + 1;
}

/* Does pattern p match exactly the n characters at s? */
static int match_exact(const char *p, const char *s, size_t n)
{
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            while (*p == '*')
                p++;
            for (size_t i = 0; i <= n; i++)
                if (match_exact(p, s + i, n - i))
                    return 1;
            return 0;
        }
        if (*p == '*') {
            p++;
            for (size_t i = 0;; i++) {
                if (match_exact(p, s + i, n - i))
                    return 1;
                if (i == n || s[i] == '/')
                    return 0;
            }
        }
        if (n == 0)
            return 0;
        if (*p == '?') {
            if (*s == '/')
                return 0;
            p++;
        } else if (*p == '[') {
            int hit = 0;
            const char *next = match_class(p + 1, *s, &hit);
            if (next) {
                if (!hit)
                    return 0;
                p = next;
            } else {
                if (*s != '[')
                    return 0;
                p++;
            }
        } else {
            if (*p == '\\' && p[1])
                p++;
            if (*p != *s)
                return 0;
            p++;
        }
        s++;
        n--;
    }
    return n == 0;
}

int fsdeny_glob_match(const char *pattern, const char *path)
{
    size_t len = strlen(path);
    if (strcmp(pattern, "/") == 0)
        return path[0] == '/';
    for (size_t k = 1; k <= len; k++)
        if ((k == len || path[k] == '/') && match_exact(pattern, path, k))
            return 1;
    return 0;
}

/* Counts the literal characters before the first wildcard (*prefix) and in
 * the whole pattern (*literals); an escaped character counts as one. */
static void measure(const char *p, size_t *prefix, size_t *literals)
{
    int in_prefix = 1;
    *prefix = *literals = 0;
    while (*p) {
        if (*p == '[') {
            int hit;
            const char *next = match_class(p + 1, 'x', &hit);
            if (next) {
                in_prefix = 0;
                p = next;
                continue;
            }
        } else if (is_wild(*p)) {
            in_prefix = 0;
            p++;
            continue;
        } else if (*p == '\\' && p[1]) {
            p++;
        }
        (*literals)++;
        if (in_prefix)
            (*prefix)++;
        p++;
    }
}

char *fsdeny_normalise(const char *text, const char *home, const char **why)
{
    size_t hlen = 0;
    if (text[0] == '~' && (text[1] == '/' || text[1] == '\0')) {
        if (!home || home[0] != '/') {
            *why = "'~' used but the home directory is unknown";
            return NULL;
        }
        hlen = strlen(home);
        text++;
    } else {
        home = "";
    }
    if (hlen == 0 && text[0] != '/') {
        *why = "pattern must be an absolute path or start with '~'";
        return NULL;
    }
    char *out = malloc(hlen + strlen(text) + 2);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t o = 0;
    for (const char *s = home; *s; s++)
        if (!(*s == '/' && o > 0 && out[o - 1] == '/'))
            out[o++] = *s;
    for (const char *s = text; *s; s++)
        if (!(*s == '/' && o > 0 && out[o - 1] == '/'))
            out[o++] = *s;
    if (o == 0)
        out[o++] = '/';
    while (o > 1 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    return out;
}

int fsdeny_rules_add(struct fsdeny_rules *rules, char *pattern, int allow)
{
    struct fsdeny_rule *grown = realloc(rules->rule, (rules->n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    rules->rule = grown;
    struct fsdeny_rule *r = &rules->rule[rules->n++];
    r->pattern = pattern;
    r->allow = allow;
    measure(pattern, &r->prefix, &r->literals);
    return 0;
}

void fsdeny_rules_free(struct fsdeny_rules *rules)
{
    for (size_t i = 0; i < rules->n; i++)
        free(rules->rule[i].pattern);
    free(rules->rule);
    rules->rule = NULL;
    rules->n = 0;
}

/* Is rule a more specific than rule b (ties: a deny beats an allow)? */
static int beats(const struct fsdeny_rule *a, const struct fsdeny_rule *b)
{
    if (a->prefix != b->prefix)
        return a->prefix > b->prefix;
    if (a->literals != b->literals)
        return a->literals > b->literals;
    return !a->allow && b->allow;
}

int fsdeny_denied(const struct fsdeny_rules *rules, const char *path)
{
    const struct fsdeny_rule *best = NULL;
    for (size_t i = 0; i < rules->n; i++) {
        const struct fsdeny_rule *r = &rules->rule[i];
        if ((!best || beats(r, best)) && fsdeny_glob_match(r->pattern, path))
            best = r;
    }
    return best && !best->allow;
}

/* The next component of *s (skipping slashes) into out; 0 at the end. */
static size_t next_component(const char **s, char *out, size_t size)
{
    while (**s == '/')
        (*s)++;
    size_t n = strcspn(*s, "/");
    if (n >= size)
        n = size - 1;
    memcpy(out, *s, n);
    out[n] = '\0';
    *s += strcspn(*s, "/");
    return n;
}

int fsdeny_denies_below(const struct fsdeny_rules *rules, const char *dir)
{
    for (size_t i = 0; i < rules->n; i++) {
        if (rules->rule[i].allow)
            continue;
        const char *p = rules->rule[i].pattern, *d = dir;
        char pc[256], dc[256];
        int below = 1;
        for (;;) {
            size_t dn = next_component(&d, dc, sizeof(dc));
            size_t pn = next_component(&p, pc, sizeof(pc));
            if (pn && strstr(pc, "**"))
                break;              /* may match anything from here on */
            if (!dn) {
                below = pn > 0;     /* the pattern goes on below dir */
                break;
            }
            if (!pn || fnmatch(pc, dc, 0) != 0) {
                below = 0;          /* dir is not on the pattern's way */
                break;
            }
        }
        if (below)
            return 1;
    }
    return 0;
}
