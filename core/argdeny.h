/* argdeny.h -- the built-in denies that depend on a syscall's arguments
 * (ioctl(TIOCSTI), clone with a namespace flag, raw sockets, ...). Part of
 * the built-in deny list (default_deny): always in the filter, and, for a
 * call a plugin's rule has the kernel notify (where a plugin's notify rule
 * covers the same calls, libseccomp may keep the notification), applied by
 * the supervisor before the chain.
 * Pure logic but for the one look at sl_userns_wanted(), unit-testable. */
#ifndef SANDLOCK_ARGDENY_H
#define SANDLOCK_ARGDENY_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

/* (args[arg] & mask) == value, or != value when `ne` is set */
struct sl_arg_cond {
    unsigned arg;
    uint64_t mask;
    uint64_t value;
    int ne;
};

/* The call fails with `error` when all its conditions hold (none: always). */
struct sl_arg_rule {
    int nr;                        /* native syscall number */
    int error;
    unsigned ncond;
    struct sl_arg_cond cond[2];
};

/* The rules for native syscall `nr` (*n of them; NULL and 0 for none).
 * When the sandbox gets a user namespace of its own (sl_userns_wanted())
 * they include idrules.h's for sandlock's user and group. */
const struct sl_arg_rule *sl_arg_rules_for(int nr, size_t *n);

/* Every rule (grouped by syscall), for the filter. */
const struct sl_arg_rule *sl_arg_rules_all(size_t *n);

/* Whether rule r is compiled by rulebpf.c rather than libseccomp: a
 * "differ" comparison (libseccomp 2.5 refuses two on one argument, and
 * has no masked one). Rules of one syscall share the same answer. */
static inline int sl_arg_rule_in_bpf(const struct sl_arg_rule *r)
{
    for (unsigned c = 0; c < r->ncond; c++)
        if (r->cond[c].ne)
            return 1;
    return 0;
}

/* The error of the first of `n` rules that holds for `args` (a
 * notification's arguments), else 0. */
static inline int sl_arg_rules_match(const struct sl_arg_rule *rules, size_t n, const __u64 args[6])
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = 0;
        while (c < rules[i].ncond &&
               ((args[rules[i].cond[c].arg] & rules[i].cond[c].mask) == rules[i].cond[c].value) !=
                   !!rules[i].cond[c].ne)
            c++;
        if (c == rules[i].ncond)
            return rules[i].error;
    }
    return 0;
}

#endif
