/* chain.c -- chain tables and the dispatch of one notification. */
#include "config.h"
#include "chain.h"
#include "creds.h"
#include "denial.h"
#include "fault.h"
#include "log.h"

#include "clock.h"
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int (*sl_defer_registered)(sandlock_handle handle);

/* Where each rule is enforced, and why (see "Static verdicts" in
 * plugin.h). The filter checks a syscall's rules in chain order, first
 * match (rulebpf.h), so a static errno is exact in it wherever it stands:
 * a call an earlier rule matches is trapped, and the host then walks the
 * chain and gives the errno itself if it gets that far. */
static void place_rules(struct sl_chain *c)
{
    c->trapped = 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->rules[i].n; k++) {
            struct sl_rule *r = &c->rules[i].rule[k];
            r->place = SL_RULE_CHAIN;
            switch (r->verdict) {
            case SANDLOCK_VERDICT_ERRNO:
                r->place = SL_RULE_FILTER;
                r->why = (i || k) ? "static errno; calls an earlier rule matches are trapped" : "static errno";
                break;
            case SANDLOCK_VERDICT_RETURN:
                r->why = "static return: seccomp can only fail a call; the host answers";
                break;
            case SANDLOCK_VERDICT_KILL:
                r->why = "static kill: ends the whole sandbox, a filter kill would not; the host answers";
                break;
            default:
                r->why = "handle() decides";
                break;
            }
            c->trapped |= r->place == SL_RULE_CHAIN;
        }
}

/* The chain of syscall `nr`, or NULL when no instance has rules for it (or
 * out of memory: *oom). */
static struct sl_chain *build_one(const struct sl_plugins *plugins, int nr, int *oom)
{
    size_t count = 0, nrules = 0;
    for (size_t i = 0; i < plugins->n; i++) {
        size_t mine = 0;
        for (size_t k = 0; k < plugins->inst[i].nrules; k++)
            mine += plugins->inst[i].rules[k].nr == nr;
        count += mine != 0;
        nrules += mine;
    }
    if (!count)
        return NULL;
    struct sl_chain *c = calloc(1, sizeof(*c));
    if (!c || !(c->inst = calloc(count, sizeof(*c->inst))) || !(c->rules = calloc(count, sizeof(*c->rules))) ||
        !(c->rule_store = calloc(nrules, sizeof(*c->rule_store))) ||
        !(c->syscall_name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr))) {
        *oom = 1;
        return c;
    }
    struct sl_rule *next = c->rule_store;
    for (size_t i = 0; i < plugins->n; i++) {
        const struct sl_instance *inst = &plugins->inst[i];
        struct sl_chain_rules mine = { next, 0 };
        for (size_t k = 0; k < inst->nrules; k++)
            if (inst->rules[k].nr == nr)
                mine.rule[mine.n++] = inst->rules[k];
        if (mine.n) {
            next += mine.n;
            c->rules[c->n] = mine;
            c->inst[c->n++] = &plugins->inst[i];
        }
    }
    if (plugins->builtin_deny)
        c->arg_rules = sl_arg_rules_for(nr, &c->narg_rules);
    place_rules(c);
    return c;
}

static void free_one(struct sl_chain *c)
{
    if (!c)
        return;
    free(c->inst);
    free(c->rules);
    free(c->rule_store);
    free((char *)c->syscall_name);
    free(c);
}

int sl_chains_build(const struct sl_plugins *plugins, struct sl_chains *out)
{
    memset(out, 0, sizeof(*out));
    int max = -1;
    for (size_t i = 0; i < plugins->n; i++)
        for (size_t k = 0; k < plugins->inst[i].nnrs; k++)
            if (plugins->inst[i].nrs[k] > max)
                max = plugins->inst[i].nrs[k];
    out->size = max + 1;
    if (out->size == 0)
        return 0;
    out->by_nr = calloc((size_t)out->size, sizeof(*out->by_nr));
    out->nrs = calloc((size_t)out->size, sizeof(int));
    if (!out->by_nr || !out->nrs)
        goto oom;
    for (int nr = 0; nr < out->size; nr++) {
        int oom = 0;
        struct sl_chain *c = build_one(plugins, nr, &oom);
        if (oom) {
            free_one(c);
            goto oom;
        }
        if (!c)
            continue;
        out->by_nr[nr] = c;
        out->nrs[out->nnrs++] = nr;
    }
    return 0;
oom:
    sl_chains_free(out);
    return -1;
}

void sl_chains_free(struct sl_chains *chains)
{
    for (int nr = 0; nr < chains->size && chains->by_nr; nr++)
        free_one(chains->by_nr[nr]);
    free(chains->by_nr);
    free(chains->nrs);
    memset(chains, 0, sizeof(*chains));
}

int sl_response_validate(const sandlock_response *r, int listener)
{
    switch (r->verdict) {
    case SANDLOCK_VERDICT_CONTINUE:
    case SANDLOCK_VERDICT_RETURN:
    case SANDLOCK_VERDICT_DEFER:
        return 0;
    case SANDLOCK_VERDICT_ERRNO:
        return (r->error >= 1 && r->error <= 4095) ? 0 : -1;
    case SANDLOCK_VERDICT_KILL:
        return (r->signal >= 1 && r->signal <= 64) ? 0 : -1;
    case SANDLOCK_VERDICT_FD:
        if (r->fd <= STDERR_FILENO || r->fd == listener || (r->fd_flags & ~SANDLOCK_FD_NO_CLOEXEC) ||
            fcntl(r->fd, F_GETFD) < 0) {
            if (r->fd > STDERR_FILENO && r->fd != listener)
                close(r->fd);
            return -1;
        }
        return 0;
    }
    return -1;
}

void sl_answer_from_policy(int policy, struct sl_answer *a)
{
    switch (policy) {
    case SL_EXC_EPERM:
        a->verdict = SANDLOCK_VERDICT_ERRNO;
        a->error = EPERM;
        break;
    case SL_EXC_EIO:
        a->verdict = SANDLOCK_VERDICT_ERRNO;
        a->error = EIO;
        break;
    case SL_EXC_CONTINUE:
        a->verdict = SANDLOCK_VERDICT_CONTINUE;
        break;
    default:
        a->verdict = SANDLOCK_VERDICT_KILL;
        a->signal = SIGKILL;
        break;
    }
}

/* handle() under the fault guard: a crash returns SANDLOCK_ERROR and
 * quarantines the instance. Kept apart so no caller local lives across
 * sigsetjmp(). */
static __attribute__((noinline)) int guarded_handle(struct sl_instance *inst, const sandlock_event *event,
                                                    sandlock_response *resp)
{
    struct sl_fault_guard guard;
    sl_fault_current = &guard;
    if (sigsetjmp(guard.jump, 0) == 0) {
        int rc = inst->vt.handle(inst->state, event, resp);
        sl_fault_current = NULL;
        return rc;
    }
    int sig = sl_fault_signal;
    sl_creds_reset();          /* it may have crashed inside run_as_child */
    atomic_store(&inst->quarantined, 1);
    sl_fault_abandon(inst->state);
    sl_log(SANDLOCK_LOG_ERROR, "[%s] plugin crashed with %s in handle(%s); instance quarantined, "
           "its exception policy (%s) applies from now on", inst->cfg->name, strsignal(sig),
           event->syscall_name, sl_exception_policy_name(inst->policy));
    resp->verdict = SANDLOCK_VERDICT_UNSET;
    return SANDLOCK_ERROR;
}

/* Calls one instance's handle(). Returns 0 with a valid verdict in *resp,
 * or -1 (exception: failure, unset or invalid verdict, crash). */
static int call_instance(struct sl_instance *inst, const sandlock_event *event,
                         sandlock_response *resp, int listener, int timing)
{
    uint64_t start = timing ? sl_now_ns() : 0;
    memset(resp, 0, sizeof(*resp));
    resp->abi_version = SANDLOCK_ABI_VERSION;
    resp->struct_size = sizeof(*resp);
    int rc = guarded_handle(inst, event, resp);
    if (timing)
        atomic_fetch_add_explicit(&inst->stats.handle_ns, sl_now_ns() - start, memory_order_relaxed);
    atomic_fetch_add_explicit(&inst->stats.calls, 1, memory_order_relaxed);

    if (rc != SANDLOCK_OK) {
        /* The plugin gave up: an fd it set is still ours to close. */
        if (resp->verdict == SANDLOCK_VERDICT_FD && resp->fd > STDERR_FILENO && resp->fd != listener)
            close(resp->fd);
        if (rc != SANDLOCK_ERROR || !atomic_load(&inst->quarantined))
            sl_log(SANDLOCK_LOG_WARN, "[%s] handle(%s) failed (returned SANDLOCK_ERROR)", inst->cfg->name,
                   event->syscall_name);
        return -1;
    }
    if (resp->verdict == SANDLOCK_VERDICT_UNSET) {
        sl_log(SANDLOCK_LOG_WARN, "[%s] handle(%s) set no verdict", inst->cfg->name, event->syscall_name);
        return -1;
    }
    if (sl_response_validate(resp, listener)) {
        char what[64];
        switch (resp->verdict) {
        case SANDLOCK_VERDICT_ERRNO:
            snprintf(what, sizeof(what), "errno %d (not 1..4095)", resp->error);
            break;
        case SANDLOCK_VERDICT_KILL:
            snprintf(what, sizeof(what), "kill with signal %d (not 1..64)", resp->signal);
            break;
        case SANDLOCK_VERDICT_FD:
            snprintf(what, sizeof(what), "fd %d with flags %#x (not an open fd > 2, or the listener)",
                     resp->fd, resp->fd_flags);
            break;
        default:
            snprintf(what, sizeof(what), "verdict %u (unknown)", resp->verdict);
            break;
        }
        sl_log(SANDLOCK_LOG_WARN, "[%s] handle(%s) gave an invalid verdict: %s", inst->cfg->name,
               event->syscall_name, what);
        return -1;
    }
    if (resp->verdict == SANDLOCK_VERDICT_DEFER && sl_defer_registered &&
        !sl_defer_registered(event->handle)) {
        /* DEFER without a successful host->defer(): the cap was reached. */
        sandlock_respond_errno(resp, EAGAIN);
    }
    return 0;
}

void sl_chain_run(const struct sl_chain *chain, const sandlock_event *event, int listener,
                  int timing, struct sl_answer *a)
{
    sandlock_response resp;
    memset(a, 0, sizeof(*a));
    for (size_t i = 0; i < chain->n; i++) {
        struct sl_instance *inst = chain->inst[i];
        if (chain->rules) {
            const struct sl_rule *rule = sl_chain_rules_match(&chain->rules[i], event->args);
            if (!rule)
                continue;          /* none of its rules: not its call */
            if (rule->verdict != SANDLOCK_RULE_HANDLE) {
                /* A static verdict: the host answers, handle() is not called. */
                atomic_fetch_add_explicit(&inst->stats.calls, 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&inst->stats.statics, 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&inst->stats.verdicts[rule->verdict], 1, memory_order_relaxed);
                a->verdict = rule->verdict;
                a->error = rule->error;
                a->value = rule->value;
                a->signal = rule->signal;
                a->by = inst;
                return;
            }
        }
        if (atomic_load_explicit(&inst->quarantined, memory_order_relaxed) ||
            call_instance(inst, event, &resp, listener, timing)) {
            atomic_fetch_add_explicit(&inst->stats.exceptions, 1, memory_order_relaxed);
            sl_answer_from_policy(inst->policy, a);
            a->by = inst;
            a->excepted = inst;
            if (a->verdict == SANDLOCK_VERDICT_CONTINUE)
                continue;
            return;
        }
        /* An errno the plugin reported as a policy denial is counted as
         * "denied" (denial.c), not as an errno passed through. */
        if (resp.verdict != SANDLOCK_VERDICT_ERRNO || !sl_denied_now(event->handle))
            atomic_fetch_add_explicit(&inst->stats.verdicts[resp.verdict], 1, memory_order_relaxed);
        if (resp.verdict == SANDLOCK_VERDICT_CONTINUE)
            continue;
        a->verdict = resp.verdict;
        a->error = resp.error;
        a->value = resp.value;
        a->signal = resp.signal;
        a->fd = resp.fd;
        a->fd_flags = resp.fd_flags;
        a->by = inst;
        return;
    }
    a->verdict = SANDLOCK_VERDICT_CONTINUE;
    a->by = NULL;
}
