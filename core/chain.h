/* chain.h -- the per-syscall chains of plugin instances and running a
 * notification through one. Pure logic: no kernel calls, unit-testable. */
#ifndef SANDLOCK_CHAIN_H
#define SANDLOCK_CHAIN_H

#include <sandlock/plugin.h>
#include "argdeny.h"
#include "rules.h"
#include <stdatomic.h>
#include "loader.h"

/* One instance's rules on one syscall, in the instance's order. */
struct sl_chain_rules {
    struct sl_rule *rule;
    size_t n;
};

struct sl_chain {
    const char *syscall_name;
    size_t n;
    struct sl_instance **inst;      /* in config order */
    /* rules[i]: inst[i]'s rules on this syscall; the first that matches a
     * call decides whether and how inst[i] answers (see "Syscall rules" in
     * plugin.h). NULL: every instance is called for every call. */
    struct sl_chain_rules *rules;
    struct sl_rule *rule_store;     /* owns the rules of all instances */
    int trapped;                    /* some rule goes through notifications */
    const struct sl_arg_rule *arg_rules;  /* built-in argument rules, applied before the chain */
    size_t narg_rules;
    atomic_ulong notified;          /* --stats: notifications of this syscall */
};

/* Chains indexed by native syscall number: O(1) lookup. */
struct sl_chains {
    struct sl_chain **by_nr;        /* NULL: syscall not intercepted */
    int size;                       /* highest number + 1 */
    int *nrs;                       /* intercepted numbers, ascending */
    size_t nnrs;
};

/* Builds the chains of every syscall an instance has rules for, decides
 * for each rule whether the filter enforces it (rule->place, rule->why;
 * see "Static verdicts" in plugin.h) and attaches the built-in argument
 * rules when plugins->builtin_deny. Returns 0, or -1 when out of memory. */
int sl_chains_build(const struct sl_plugins *plugins, struct sl_chains *out);

/* The first of an instance's rules that holds for `args`, or NULL. */
static inline const struct sl_rule *sl_chain_rules_match(const struct sl_chain_rules *r,
                                                         const uint64_t args[6])
{
    for (size_t i = 0; i < r->n; i++)
        if (sl_rule_holds(&r->rule[i], args))
            return &r->rule[i];
    return NULL;
}
void sl_chains_free(struct sl_chains *chains);

static inline const struct sl_chain *sl_chain_for(const struct sl_chains *c, int nr)
{
    return (nr >= 0 && nr < c->size) ? c->by_nr[nr] : NULL;
}

/* The final answer for one notification. */
struct sl_answer {
    uint32_t verdict;            /* SANDLOCK_VERDICT_*, never UNSET */
    int32_t error;
    int64_t value;
    int32_t signal;
    int32_t fd;                  /* FD: owned by the host now */
    uint32_t fd_flags;
    struct sl_instance *by;      /* who decided (NULL: all continued) */
    struct sl_instance *excepted;  /* the last instance whose exception policy
                                      applied, also a continue that let the
                                      call go on (-v names it); NULL: none */
};

/* Run `event` through `chain`: each instance in order until one answers
 * something other than Continue. Failures, invalid verdicts and crashes get
 * the instance's exception policy. `listener` is the notification fd (an FD
 * verdict may not name it). `deferred_ok(handle)` tells whether a DEFER
 * verdict was registered with host->defer(); may be NULL. */
void sl_chain_run(const struct sl_chain *chain, const sandlock_event *event, int listener,
                  int timing, struct sl_answer *answer);

/* Checks a plugin's response; returns 0 when it is a valid verdict. An
 * invalid FD verdict's fd is closed. */
int sl_response_validate(const sandlock_response *r, int listener);

/* Fills `answer` from an exception policy (SL_EXC_*). */
void sl_answer_from_policy(int policy, struct sl_answer *answer);

/* Deferral hook, set by the host services: has `handle` been deferred? */
extern int (*sl_defer_registered)(sandlock_handle handle);

#endif
