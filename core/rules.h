/* rules.h -- plugin syscall rules (SDK 1.4): argument predicates and
 * static verdicts, checked from an SDK rule and matched against a
 * notification's arguments (rulebpf.h states them for the filter). Pure logic: no
 * kernel calls, unit-testable. The semantics are documented in
 * sdk/sandlock/plugin.h ("Syscall rules"). */
#ifndef SANDLOCK_RULES_H
#define SANDLOCK_RULES_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <stdint.h>

struct sl_cmp {
    uint8_t arg;          /* 0..5 */
    uint8_t op;           /* SANDLOCK_CMP_* without the flag */
    uint8_t low32;        /* SANDLOCK_CMP_32BIT: value and mask already cut */
    uint64_t value;
    uint64_t mask;        /* MASKED_EQ */
};

/* Where a rule is enforced (decided by sl_chains_build). */
enum sl_rule_place {
    SL_RULE_CHAIN = 0,    /* trapped; the host matches it in the chain */
    SL_RULE_FILTER,       /* compiled into the filter (static ERRNO) */
};

struct sl_rule {
    int nr;                      /* native syscall number */
    uint32_t verdict;            /* SANDLOCK_RULE_HANDLE or a static verdict */
    int32_t error;
    int64_t value;
    int32_t signal;
    unsigned ncmp;
    struct sl_cmp cmp[SANDLOCK_RULE_MAX_CMP];
    int place;                   /* enum sl_rule_place */
    const char *why;             /* the reason for place, for `check` */
};

/* Checks an SDK rule (of `size` readable bytes) and stores it in *out
 * (nr unset). Returns 0 or -EINVAL; *name gets the syscall name. */
int sl_rule_from_sdk(const sandlock_syscall_rule *in, struct sl_rule *out, const char **name);

static inline int sl_cmp_holds(const struct sl_cmp *c, const uint64_t args[6])
{
    uint64_t a = c->low32 ? (args[c->arg] & 0xffffffffu) : args[c->arg];
    switch (c->op) {
    case SANDLOCK_CMP_NE: return a != c->value;
    case SANDLOCK_CMP_LT: return a < c->value;
    case SANDLOCK_CMP_LE: return a <= c->value;
    case SANDLOCK_CMP_EQ: return a == c->value;
    case SANDLOCK_CMP_GE: return a >= c->value;
    case SANDLOCK_CMP_GT: return a > c->value;
    case SANDLOCK_CMP_MASKED_EQ: return (a & c->mask) == c->value;
    }
    return 0;
}

/* Does the rule hold for a notification's arguments (all comparisons)? */
static inline int sl_rule_holds(const struct sl_rule *r, const uint64_t args[6])
{
    for (unsigned i = 0; i < r->ncmp; i++)
        if (!sl_cmp_holds(&r->cmp[i], args))
            return 0;
    return 1;
}

/* "arg2 & 0x3 == 0x1, low32(arg0) == 2" into buf; "" for no comparison. */
void sl_rule_describe_cmps(const struct sl_rule *r, char *buf, size_t size);

/* "handle()", "errno EACCES", "return 42", "kill SIGTERM" into buf. */
void sl_rule_describe_verdict(const struct sl_rule *r, char *buf, size_t size);

#endif
