/* rules.h -- fsdeny's path rules: glob matching and the "most specific
 * rule wins" decision. Pure functions, unit-tested in test-rules.c. */
#ifndef FSDENY_RULES_H
#define FSDENY_RULES_H

#include <stddef.h>

/* One deny or allow pattern, normalised at init and read-only afterwards. */
struct fsdeny_rule {
    char *pattern;       /* absolute glob, no "//", no trailing '/' */
    int allow;           /* 1: allow (exception), 0: deny */
    size_t prefix;       /* literal characters before the first wildcard */
    size_t literals;     /* literal characters in the whole pattern */
};

struct fsdeny_rules {
    struct fsdeny_rule *rule;
    size_t n;
};

/* Does glob `pattern` match `path` itself or one of its parent directories? */
int fsdeny_glob_match(const char *pattern, const char *path);

/* Expands a leading "~" with `home`, folds repeated slashes and drops a
 * trailing slash. Returns a malloc()ed pattern, or NULL when the result is
 * not absolute or memory ran out (*why says which). */
char *fsdeny_normalise(const char *text, const char *home, const char **why);

/* Appends a rule (takes ownership of the normalised pattern). 0 or -1. */
int fsdeny_rules_add(struct fsdeny_rules *rules, char *pattern, int allow);

/* Releases every rule. */
void fsdeny_rules_free(struct fsdeny_rules *rules);

/* Is `path` (absolute, normalised) denied? Among the matching rules the one
 * with the longest literal prefix wins, then the one with the most literal
 * characters; a full tie goes to deny. No matching rule: allowed. */
int fsdeny_denied(const struct fsdeny_rules *rules, const char *path);

/* Could a path strictly below `dir` (absolute, normalised) be denied by
 * some deny rule? Renaming or moving `dir` would carry such paths to names
 * no rule covers, so fsdeny refuses it. Patterns are compared component by
 * component; "**" may match anything below. */
int fsdeny_denies_below(const struct fsdeny_rules *rules, const char *dir);

#endif
