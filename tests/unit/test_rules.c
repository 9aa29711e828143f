/* test_rules.c -- SDK 1.4 syscall rules: checking and matching a rule,
 * where sl_chains_build places each rule (filter or chain, and why), how a
 * chain with rules dispatches (sl_chain_run with fake instances), and the
 * filter sl_filter_build makes of them, run on seccomp_data vectors by a
 * small classic-BPF interpreter: what the kernel would do for each call. */
#include "config.h"
#include "argdeny.h"
#include "chain.h"
#include "filter.h"
#include "loader.h"
#include "rules.h"
#include "tap.h"

#include <seccomp.h>

#include <errno.h>
#include <signal.h>
#include <linux/sched.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* ---- building rules ---- */

static sandlock_syscall_rule sdk_rule(const char *name, uint32_t verdict)
{
    sandlock_syscall_rule r = { SANDLOCK_ABI_VERSION, sizeof(r), .syscall = name, .verdict = verdict };
    if (verdict == SANDLOCK_VERDICT_ERRNO)
        r.error = EACCES;
    if (verdict == SANDLOCK_VERDICT_KILL)
        r.signal = SIGKILL;
    return r;
}

static void add_cmp(sandlock_syscall_rule *r, uint32_t arg, uint32_t op, uint64_t value, uint64_t mask)
{
    r->cmp[r->ncmp++] = (sandlock_arg_cmp){ arg, op, value, mask };
}

/* An internal rule for syscall nr from an SDK rule that must be valid. */
static struct sl_rule rule_of(const sandlock_syscall_rule *in, int nr)
{
    struct sl_rule r;
    const char *name;
    if (sl_rule_from_sdk(in, &r, &name) != 0)
        memset(&r, 0, sizeof(r));
    r.nr = nr;
    return r;
}

static void test_from_sdk(void)
{
    struct sl_rule r;
    const char *name = NULL;
    sandlock_syscall_rule in = sdk_rule("getppid", SANDLOCK_RULE_HANDLE);
    is_int(sl_rule_from_sdk(&in, &r, &name), 0, "a rule without comparisons is valid");
    is_str(name, "getppid", "its name is given back");
    is_int(sl_rule_from_sdk(NULL, &r, &name), -EINVAL, "NULL rule -> -EINVAL");
    in.syscall = NULL;
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "NULL name -> -EINVAL");
    in = sdk_rule("getppid", 0);
    in.struct_size = offsetof(sandlock_syscall_rule, cmp);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "struct_size too small -> -EINVAL");
    in = sdk_rule("getppid", 0);
    in.ncmp = 7;
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "7 comparisons -> -EINVAL");
    in = sdk_rule("getppid", 0);
    add_cmp(&in, 6, SANDLOCK_CMP_EQ, 1, 0);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "argument 6 -> -EINVAL");
    in = sdk_rule("getppid", 0);
    add_cmp(&in, 0, 8, 1, 0);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "op 8 -> -EINVAL");
    in = sdk_rule("getppid", 0);
    add_cmp(&in, 0, SANDLOCK_CMP_EQ | 0x200, 1, 0);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "an unknown op flag -> -EINVAL");
    in = sdk_rule("getppid", 0);
    add_cmp(&in, 0, SANDLOCK_CMP_MASKED_EQ, 3, 1);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "MASKED_EQ value outside its mask -> -EINVAL");
    in = sdk_rule("getppid", SANDLOCK_VERDICT_ERRNO);
    in.error = 4096;
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "errno 4096 -> -EINVAL");
    in = sdk_rule("getppid", SANDLOCK_VERDICT_KILL);
    in.signal = 65;
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "signal 65 -> -EINVAL");
    in = sdk_rule("getppid", SANDLOCK_VERDICT_CONTINUE);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "a static continue -> -EINVAL");
    in = sdk_rule("getppid", SANDLOCK_VERDICT_FD);
    is_int(sl_rule_from_sdk(&in, &r, &name), -EINVAL, "a static fd -> -EINVAL");
}

static void test_holds(void)
{
    uint64_t args[6] = { 5, 0x100000002ull, 0xffffffffffffff9cull, 0x41, 0, 7 };
    static const struct { uint32_t arg, op; uint64_t value, mask; int want; const char *what; } cases[] = {
        { 0, SANDLOCK_CMP_EQ, 5, 0, 1, "5 == 5" },
        { 0, SANDLOCK_CMP_NE, 5, 0, 0, "5 != 5 is false" },
        { 0, SANDLOCK_CMP_LT, 6, 0, 1, "5 < 6" },
        { 0, SANDLOCK_CMP_LE, 5, 0, 1, "5 <= 5" },
        { 0, SANDLOCK_CMP_GT, 5, 0, 0, "5 > 5 is false" },
        { 0, SANDLOCK_CMP_GE, 5, 0, 1, "5 >= 5" },
        { 3, SANDLOCK_CMP_MASKED_EQ, 0x40, 0x40, 1, "0x41 & 0x40 == 0x40" },
        { 3, SANDLOCK_CMP_MASKED_EQ, 0x2, 0x3, 0, "0x41 & 0x3 == 0x2 is false" },
        { 1, SANDLOCK_CMP_EQ, 2, 0, 0, "64-bit: 0x100000002 == 2 is false" },
        { 1, SANDLOCK_CMP_EQ | SANDLOCK_CMP_32BIT, 2, 0, 1, "32-bit: 0x100000002 == 2" },
        { 1, SANDLOCK_CMP_LT | SANDLOCK_CMP_32BIT, 3, 0, 1, "32-bit: 0x100000002 < 3" },
        { 2, SANDLOCK_CMP_EQ | SANDLOCK_CMP_32BIT, (uint64_t)-100, 0, 1,
          "32-bit: a sign-extended -100 == (uint64_t)-100" },
        { 2, SANDLOCK_CMP_EQ | SANDLOCK_CMP_32BIT, 0xffffff9c, 0, 1, "32-bit: ... == 0xffffff9c" },
        { 2, SANDLOCK_CMP_GT, 0x7fffffff, 0, 1, "unsigned: (uint64_t)-100 > 0x7fffffff" },
        { 1, SANDLOCK_CMP_MASKED_EQ | SANDLOCK_CMP_32BIT, 2, 0xffffffff00000002ull, 1,
          "32-bit masked: the mask's upper half is dropped" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sandlock_syscall_rule in = sdk_rule("x", 0);
        add_cmp(&in, cases[i].arg, cases[i].op, cases[i].value, cases[i].mask);
        struct sl_rule r = rule_of(&in, 1);
        is_int(sl_rule_holds(&r, args), cases[i].want, "holds: %s", cases[i].what);
    }
    sandlock_syscall_rule in = sdk_rule("x", 0);
    add_cmp(&in, 0, SANDLOCK_CMP_EQ, 5, 0);
    add_cmp(&in, 5, SANDLOCK_CMP_EQ, 8, 0);
    struct sl_rule r = rule_of(&in, 1);
    is_int(sl_rule_holds(&r, args), 0, "holds: the comparisons of a rule are AND-ed");
    r.cmp[1].value = 7;
    is_int(sl_rule_holds(&r, args), 1, "holds: ... all hold");

}

/* ---- chains built from instances with rules ---- */

#define MAXI 4
#define MAXR 40
static struct sandlock_config cfgs[MAXI];
static struct sl_instance insts[MAXI];
static struct sl_rule rules[MAXI][MAXR];
static int nrs[MAXI][MAXR];
static struct sl_plugins plugins;

static void reset(size_t n)
{
    static const char *const names[MAXI] = { "i0", "i1", "i2", "i3" };
    memset(insts, 0, sizeof(insts));
    for (size_t i = 0; i < n; i++) {
        cfgs[i].name = (char *)names[i];
        insts[i].cfg = &cfgs[i];
        insts[i].rules = rules[i];
        insts[i].nrs = nrs[i];
    }
    plugins = (struct sl_plugins){ .inst = insts, .n = n, .builtin_deny = 1 };
}

static void give(size_t i, struct sl_rule r)
{
    struct sl_instance *inst = &insts[i];
    inst->rules[inst->nrules++] = r;
    for (size_t k = 0; k < inst->nnrs; k++)
        if (inst->nrs[k] == r.nr)
            return;
    inst->nrs[inst->nnrs++] = r.nr;
}

/* A rule on nr: verdict, and "arg OP value" unless op is 0. */
static struct sl_rule mk(int nr, uint32_t verdict, int error, uint32_t arg, uint32_t op, uint64_t value)
{
    sandlock_syscall_rule in = sdk_rule("x", verdict);
    if (verdict == SANDLOCK_VERDICT_ERRNO)
        in.error = error;
    if (verdict == SANDLOCK_VERDICT_RETURN)
        in.value = error;
    if (op)
        add_cmp(&in, arg, op, value, op == SANDLOCK_CMP_MASKED_EQ ? value : 0);
    return rule_of(&in, nr);
}

static const struct sl_rule *placed(const struct sl_chains *c, int nr, size_t inst, size_t k)
{
    const struct sl_chain *ch = sl_chain_for(c, nr);
    for (size_t i = 0; ch && i < ch->n; i++)
        if (ch->inst[i] == &insts[inst])
            return k < ch->rules[i].n ? &ch->rules[i].rule[k] : NULL;
    return NULL;
}

static int place_of(const struct sl_chains *c, int nr, size_t inst, size_t k)
{
    const struct sl_rule *r = placed(c, nr, inst, k);
    return r ? r->place : -1;
}

static void test_placement(void)
{
    struct sl_chains c;
    const int G = SYS_getppid;

    reset(2);
    give(0, mk(G, SANDLOCK_VERDICT_ERRNO, EACCES, 0, SANDLOCK_CMP_EQ, 9));
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 1, SANDLOCK_CMP_EQ, 9));
    give(0, mk(G, SANDLOCK_VERDICT_RETURN, 4, 0, 0, 0));
    give(1, mk(G, SANDLOCK_VERDICT_ERRNO, EPERM, 0, SANDLOCK_CMP_EQ, 1));
    give(1, mk(G, SANDLOCK_VERDICT_KILL, 0, 0, 0, 0));
    is_int(sl_chains_build(&plugins, &c), 0, "placement: chains build");
    is_int(place_of(&c, G, 0, 0), SL_RULE_FILTER, "placement: a static errno: filter");
    is_str(placed(&c, G, 0, 0)->why, "static errno", "placement: ... why");
    is_int(place_of(&c, G, 0, 1), SL_RULE_CHAIN, "placement: a predicate: chain");
    is_str(placed(&c, G, 0, 1)->why, "handle() decides", "placement: ... why");
    is_int(place_of(&c, G, 0, 2), SL_RULE_CHAIN, "placement: a static return: chain");
    has_str(placed(&c, G, 0, 2)->why, "seccomp can only fail a call", "placement: ... why");
    is_int(place_of(&c, G, 1, 0), SL_RULE_FILTER, "placement: a static errno of a later instance: filter");
    has_str(placed(&c, G, 1, 0)->why, "calls an earlier rule matches are trapped", "placement: ... why");
    is_int(place_of(&c, G, 1, 1), SL_RULE_CHAIN, "placement: a static kill: chain");
    has_str(placed(&c, G, 1, 1)->why, "ends the whole sandbox", "placement: ... why");
    ok(sl_chain_for(&c, G)->trapped, "placement: the syscall is trapped");
    ok(sl_chain_for(&c, G)->narg_rules == 0, "placement: getppid has no deny rules");
    sl_chains_free(&c);

    reset(1);
    give(0, mk(G, SANDLOCK_VERDICT_ERRNO, EACCES, 0, 0, 0));
    is_int(sl_chains_build(&plugins, &c), 0, "filter only: chains build");
    ok(!sl_chain_for(&c, G)->trapped, "filter only: a lone static errno leaves the syscall untrapped");
    sl_chains_free(&c);

    reset(1);
    give(0, mk(SYS_socket, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, AF_INET));
    is_int(sl_chains_build(&plugins, &c), 0, "deny rules: chains build");
    ok(sl_chain_for(&c, SYS_socket)->narg_rules > 0, "deny rules: attached to socket's chain");
    sl_chains_free(&c);
    plugins.builtin_deny = 0;
    is_int(sl_chains_build(&plugins, &c), 0, "default_deny = no: chains build");
    ok(sl_chain_for(&c, SYS_socket)->narg_rules == 0, "default_deny = no: no deny rules attached");
    sl_chains_free(&c);
}

/* ---- dispatch ---- */

struct fake {
    int calls;
    int answer;      /* 0: continue, else return this */
};
static struct fake fakes[MAXI];

static int fake_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct fake *f = state;
    (void)ev;
    f->calls++;
    if (f->answer)
        sandlock_respond_return(r, f->answer);
    else
        sandlock_respond_continue(r);
    return SANDLOCK_OK;
}

static struct sl_answer dispatch(const struct sl_chains *c, int nr, uint64_t a0, uint64_t a1)
{
    sandlock_event ev = { SANDLOCK_ABI_VERSION, sizeof(ev), .nr = nr, .syscall_name = "x",
                          .args = { a0, a1 } };
    struct sl_answer a;
    memset(fakes, 0, sizeof(fakes));
    for (size_t i = 0; i < plugins.n; i++) {
        insts[i].vt.handle = fake_handle;
        insts[i].state = &fakes[i];
        fakes[i].answer = (int)(i + 1) * 10;
    }
    sl_chain_run(sl_chain_for(c, nr), &ev, 1000, 0, &a);
    return a;
}

static void test_dispatch(void)
{
    struct sl_chains c;
    const int G = SYS_getppid;
    struct sl_answer a;

    /* i0 wants arg0 == 1, i1 arg1 == 2: each sees its own calls; where both
     * match, chain order. */
    reset(2);
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 1));
    give(1, mk(G, SANDLOCK_RULE_HANDLE, 0, 1, SANDLOCK_CMP_EQ, 2));
    sl_chains_build(&plugins, &c);
    a = dispatch(&c, G, 1, 0);
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == 10 && fakes[0].calls == 1 && fakes[1].calls == 0,
       "two predicates: (1, 0) goes to i0 only");
    a = dispatch(&c, G, 0, 2);
    ok(a.value == 20 && fakes[0].calls == 0 && fakes[1].calls == 1, "two predicates: (0, 2) goes to i1 only");
    a = dispatch(&c, G, 1, 2);
    ok(a.value == 10 && fakes[0].calls == 1 && fakes[1].calls == 0, "two predicates: (1, 2): i0 first, it answers");
    a = dispatch(&c, G, 0, 0);
    ok(a.verdict == SANDLOCK_VERDICT_CONTINUE && a.by == NULL && fakes[0].calls + fakes[1].calls == 0,
       "two predicates: (0, 0): nobody is called, Continue");
    fakes[0].answer = 0;
    sl_chains_free(&c);

    /* i0 unconditional and continuing, i1 predicated. */
    reset(2);
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, 0, 0));
    give(1, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 1));
    sl_chains_build(&plugins, &c);
    insts[0].vt.handle = fake_handle;
    a = dispatch(&c, G, 5, 0);
    ok(a.value == 10 && fakes[0].calls == 1 && fakes[1].calls == 0, "unconditional first: it sees every call");
    sl_chains_free(&c);

    /* i0 predicated, i1 unconditional: a call outside i0's predicate skips it. */
    reset(2);
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 1));
    give(1, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, 0, 0));
    sl_chains_build(&plugins, &c);
    a = dispatch(&c, G, 5, 0);
    ok(a.value == 20 && fakes[0].calls == 0 && fakes[1].calls == 1, "unconditional second: (5): i1 only");
    a = dispatch(&c, G, 1, 0);
    ok(a.value == 10 && fakes[0].calls == 1 && fakes[1].calls == 0, "unconditional second: (1): i0 answers first");
    sl_chains_free(&c);

    /* Static verdicts: answered by the host, handle() never called; an
     * instance's first matching rule decides. */
    reset(2);
    give(0, mk(G, SANDLOCK_VERDICT_RETURN, 42, 0, SANDLOCK_CMP_EQ, 1));
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, 0, 0));
    give(1, mk(G, SANDLOCK_VERDICT_ERRNO, EACCES, 0, 0, 0));
    sl_chains_build(&plugins, &c);
    a = dispatch(&c, G, 1, 0);
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == 42 && a.by == &insts[0] && fakes[0].calls == 0,
       "static return: answered without handle()");
    ok(atomic_load(&insts[0].stats.statics) == 1 && atomic_load(&insts[0].stats.calls) == 1,
       "static return: counted as a call and a static answer");
    a = dispatch(&c, G, 2, 0);
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == 10 && fakes[0].calls == 1,
       "first matching rule: (2) reaches i0's handle()");
    fakes[0].answer = 0;
    insts[0].state = &fakes[0];
    sandlock_event ev = { SANDLOCK_ABI_VERSION, sizeof(ev), .nr = G, .syscall_name = "x", .args = { 2 } };
    fakes[0].answer = 0;
    sl_chain_run(sl_chain_for(&c, G), &ev, 1000, 0, &a);
    ok(a.verdict == SANDLOCK_VERDICT_ERRNO && a.error == EACCES && a.by == &insts[1] && fakes[1].calls == 0,
       "i0 continues: i1's static errno answers, its handle() is not called");
    atomic_store(&insts[0].quarantined, 1);
    a = dispatch(&c, G, 1, 0);
    ok(a.verdict == SANDLOCK_VERDICT_RETURN && a.value == 42, "a quarantined instance's static verdict still holds");
    sl_chains_free(&c);
}

/* ---- the filter, run ---- */

/* Classic BPF as seccomp runs it (the instructions libseccomp emits). */
static unsigned bpf_steps;    /* instructions the last bpf_run ran */

static uint32_t bpf_run(const struct sock_fprog *prog, const struct seccomp_data *d)
{
    uint32_t A = 0, X = 0, mem[16] = { 0 };
    const unsigned char *data = (const unsigned char *)d;
    bpf_steps = 0;
    for (unsigned pc = 0; pc < prog->len; pc++) {
        const struct sock_filter *f = &prog->filter[pc];
        bpf_steps++;
        uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? X : k;
        switch (BPF_CLASS(f->code)) {
        case BPF_LD:
            if (BPF_MODE(f->code) == BPF_ABS && k + 4 <= sizeof(*d))
                memcpy(&A, data + k, 4);
            else if (BPF_MODE(f->code) == BPF_IMM)
                A = k;
            else if (BPF_MODE(f->code) == BPF_MEM && k < 16)
                A = mem[k];
            else
                return 0xdead;
            break;
        case BPF_LDX:
            X = BPF_MODE(f->code) == BPF_MEM && k < 16 ? mem[k] : k;
            break;
        case BPF_ST: if (k < 16) mem[k] = A; break;
        case BPF_STX: if (k < 16) mem[k] = X; break;
        case BPF_ALU:
            switch (BPF_OP(f->code)) {
            case BPF_ADD: A += src; break;
            case BPF_SUB: A -= src; break;
            case BPF_AND: A &= src; break;
            case BPF_OR: A |= src; break;
            case BPF_XOR: A ^= src; break;
            case BPF_LSH: A <<= src; break;
            case BPF_RSH: A >>= src; break;
            case BPF_NEG: A = -A; break;
            default: return 0xdead;
            }
            break;
        case BPF_JMP:
            switch (BPF_OP(f->code)) {
            case BPF_JA: pc += k; break;
            case BPF_JEQ: pc += A == src ? f->jt : f->jf; break;
            case BPF_JGT: pc += A > src ? f->jt : f->jf; break;
            case BPF_JGE: pc += A >= src ? f->jt : f->jf; break;
            case BPF_JSET: pc += (A & src) ? f->jt : f->jf; break;
            default: return 0xdead;
            }
            break;
        case BPF_RET:
            return BPF_RVAL(f->code) == BPF_A ? A : k;
        case BPF_MISC:
            if (BPF_MISCOP(f->code) == BPF_TAX)
                X = A;
            else
                A = X;
            break;
        }
    }
    return 0xdead;
}

static uint32_t verdict_for(const struct sl_filter *f, int nr, uint64_t a0, uint64_t a1)
{
    struct seccomp_data d = { .nr = nr, .arch = seccomp_arch_native(), .args = { a0, a1 } };
    return bpf_run(&f->prog, &d);
}

#define NOTIFY SECCOMP_RET_USER_NOTIF
#define ALLOW SECCOMP_RET_ALLOW
#define ERR(e) (SECCOMP_RET_ERRNO | (e))

static int build_filter(struct sl_chains *c, struct sl_filter *f)
{
    char err[256] = "";
    if (sl_chains_build(&plugins, c))
        return -1;
    int rc = sl_filter_build(c, NULL, 0, plugins.builtin_deny, f, err, sizeof(err));
    if (rc)
        printf("# sl_filter_build: %s\n", err);
    return rc;
}

static void test_filter(void)
{
    struct sl_chains c;
    struct sl_filter f;
    const int G = SYS_getppid;

    /* Predicates: only matching calls are notified. */
    reset(2);
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 1));
    give(1, mk(G, SANDLOCK_RULE_HANDLE, 0, 1, SANDLOCK_CMP_MASKED_EQ, 0x40));
    if (build_filter(&c, &f) == 0) {
        is_int(verdict_for(&f, G, 1, 0), NOTIFY, "filter: i0's predicate is notified");
        is_int(verdict_for(&f, G, 0, 0x41), NOTIFY, "filter: i1's predicate is notified");
        is_int(verdict_for(&f, G, 0x100000001ull, 0), ALLOW, "filter: 64-bit EQ: the upper half counts");
        is_int(verdict_for(&f, G, 0, 0x3), ALLOW, "filter: neither predicate: allowed, not trapped");
        is_int(verdict_for(&f, SYS_getpid, 1, 0x40), ALLOW, "filter: another syscall: allowed");
        sl_filter_free(&f);
    } else
        ok(0, "filter builds");
    sl_chains_free(&c);

    /* A compiled errno and a later instance's predicate on one syscall;
     * then the same the other way round. */
    reset(2);
    give(0, mk(G, SANDLOCK_VERDICT_ERRNO, EACCES, 0, SANDLOCK_CMP_EQ, 9));
    give(1, mk(G, SANDLOCK_RULE_HANDLE, 0, 1, SANDLOCK_CMP_EQ, 2));
    if (build_filter(&c, &f) == 0) {
        is_int(verdict_for(&f, G, 9, 0), ERR(EACCES), "filter: compiled errno, no notification");
        is_int(verdict_for(&f, G, 0, 2), NOTIFY, "filter: the later predicate is notified");
        is_int(verdict_for(&f, G, 9, 2), ERR(EACCES), "filter: both match: the first, the errno");
        is_int(verdict_for(&f, G, 1, 1), ALLOW, "filter: neither: allowed");
        sl_filter_free(&f);
    } else
        ok(0, "filter builds");
    sl_chains_free(&c);
    reset(2);
    give(0, mk(G, SANDLOCK_RULE_HANDLE, 0, 1, SANDLOCK_CMP_EQ, 2));
    give(1, mk(G, SANDLOCK_VERDICT_ERRNO, EACCES, 0, SANDLOCK_CMP_EQ, 9));
    if (build_filter(&c, &f) == 0) {
        is_int(verdict_for(&f, G, 9, 2), NOTIFY, "filter: an earlier predicate also matches: notified");
        is_int(verdict_for(&f, G, 9, 0), ERR(EACCES), "filter: only the later errno: in the filter");
        sl_filter_free(&f);
    } else
        ok(0, "filter builds");
    sl_chains_free(&c);

    /* Every operator, 64-bit and 32-bit, as the kernel would run it,
     * against the host's own evaluation. */
    static const uint64_t values[] = { 0, 1, 5, 6, 0xffffffffull, 0x100000000ull, 0x100000005ull,
                                       0xffffffff00000005ull, 0xfffffffffffffffbull, ~0ull,
                                       0x0500000005ull, 0x0400000006ull };
    static const uint64_t datums[] = { 5, 0x100000005ull, 0xfffffffffffffffbull, 0, 0x0500000005ull };
    int agree = 1, checked = 0;
    for (uint32_t op = SANDLOCK_CMP_NE; op <= SANDLOCK_CMP_MASKED_EQ; op++)
        for (int low32 = 0; low32 < 2; low32++)
            for (size_t d = 0; d < sizeof(datums) / sizeof(datums[0]); d++) {
                sandlock_syscall_rule in = sdk_rule("x", SANDLOCK_RULE_HANDLE);
                uint64_t value = op == SANDLOCK_CMP_MASKED_EQ ? datums[d] & 0xff0000000full : datums[d];
                add_cmp(&in, 2, op | (low32 ? SANDLOCK_CMP_32BIT : 0), value, 0xff0000000full);
                reset(1);
                give(0, rule_of(&in, G));
                if (build_filter(&c, &f) != 0) {
                    agree = 0;
                    sl_chains_free(&c);
                    continue;
                }
                for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                    uint64_t args[6] = { 0, 0, values[v] };
                    struct seccomp_data sd = { .nr = G, .arch = seccomp_arch_native(),
                                               .args = { 0, 0, values[v] } };
                    uint32_t want = sl_rule_holds(&insts[0].rules[0], args) ? NOTIFY : ALLOW;
                    uint32_t got = bpf_run(&f.prog, &sd);
                    checked++;
                    if (got != want) {
                        agree = 0;
                        printf("# op %u low32 %d datum %#llx arg %#llx: filter %#x, host %#x\n", op, low32,
                               (unsigned long long)value, (unsigned long long)values[v], got, want);
                    }
                }
                sl_filter_free(&f);
                sl_chains_free(&c);
            }
    ok(agree, "filter: every operator (64-bit and 32-bit) decides as the host does (%d cases)", checked);

    /* The deny rules win: no plugin rule turns one into an allowed call. */
    reset(2);
    give(0, mk(SYS_socket, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ | SANDLOCK_CMP_32BIT, AF_INET));
    give(1, mk(SYS_clone, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_MASKED_EQ, CLONE_NEWUSER));
    give(1, mk(SYS_clone3, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 0));
    if (build_filter(&c, &f) == 0) {
        is_int(verdict_for(&f, SYS_socket, AF_PACKET, SOCK_RAW), ERR(EPERM),
               "deny: socket(AF_PACKET) next to a predicate on socket: EPERM in the filter");
        is_int(verdict_for(&f, SYS_socket, AF_INET, SOCK_RAW), ERR(EPERM),
               "deny: socket(AF_INET, SOCK_RAW) inside the predicate: EPERM, the deny comes first");
        is_int(verdict_for(&f, SYS_socket, AF_INET, SOCK_STREAM), NOTIFY, "deny: the predicate's own call");
        is_int(verdict_for(&f, SYS_clone, CLONE_NEWUSER, 0), ERR(EPERM),
               "deny: clone(CLONE_NEWUSER) under a predicate with the same mask: EPERM");
        is_int(verdict_for(&f, SYS_clone, CLONE_NEWNS, 0), ERR(EPERM), "deny: clone(CLONE_NEWNS): EPERM");
        is_int(verdict_for(&f, SYS_clone3, 0, 0), ERR(ENOSYS), "deny: clone3 stays ENOSYS under a predicate");
        is_int(verdict_for(&f, SYS_clone, 0, 0), ALLOW, "deny: a plain clone is allowed");
        sl_filter_free(&f);
    } else
        ok(0, "filter builds");
    const struct sl_chain *sc = sl_chain_for(&c, SYS_socket);
    __u64 args[6] = { AF_INET, SOCK_RAW };
    ok(sc && sl_arg_rules_match(sc->arg_rules, sc->narg_rules, args) == EPERM,
       "deny: the supervisor applies the deny rule to a notified socket(AF_INET, SOCK_RAW)");
    sl_chains_free(&c);
}

/* The native architecture's compat calls (x86_64: i386's int 0x80, and
 * x32 numbers; arm64: AArch32) kill the process, also for a syscall a
 * plugin intercepts; unknown native numbers get ENOSYS. */
static void test_arches(void)
{
    struct sl_chains c;
    struct sl_filter f;
    reset(1);
    give(0, mk(SYS_getppid, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 1));
    if (build_filter(&c, &f) == 0) {
#if defined(__x86_64__)
        const uint32_t compat = AUDIT_ARCH_I386;
        struct seccomp_data x32 = { .nr = 0x40000000 | SYS_getpid, .arch = seccomp_arch_native() };
        is_int(bpf_run(&f.prog, &x32), SECCOMP_RET_KILL_PROCESS, "arches: an x32 call is killed");
#elif defined(__aarch64__)
        const uint32_t compat = AUDIT_ARCH_ARM;
#endif
        struct seccomp_data d = { .nr = SYS_getppid, .arch = compat, .args = { 1 } };
        is_int(bpf_run(&f.prog, &d), SECCOMP_RET_KILL_PROCESS, "arches: a compat call (%#x) is killed",
               compat);
        d.nr = SYS_getpid;
        is_int(bpf_run(&f.prog, &d), SECCOMP_RET_KILL_PROCESS, "arches: also one nobody intercepts");
        is_int(verdict_for(&f, SYS_getppid, 1, 0), NOTIFY, "arches: the native call is notified");
        is_int(verdict_for(&f, 999, 0, 0), ERR(ENOSYS), "arches: an unknown native number gets ENOSYS");
        sl_filter_free(&f);
    } else
        ok(0, "filter builds");
    sl_chains_free(&c);
}

/* Many syscalls with rules (fsdeny without masks traps some sixty): each
 * gets its rule's verdict, every other call the verdict it has without
 * plugin rules, and the way to a decision is a search: a few instructions
 * more than without rules, not one comparison per syscall with rules (the
 * kernel runs the filter for every syscall number when it is installed,
 * and at every call that is not always allowed). */
static void test_many(void)
{
    struct sl_chains c0, c;
    struct sl_filter f0, f;
    reset(1);
    if (build_filter(&c0, &f0) != 0) {
        ok(0, "many: the filter without rules builds");
        sl_chains_free(&c0);
        return;
    }
    reset(2);
    int picked[400] = { 0 }, npicked = 0;
    for (int nr = 3; nr < 400 && npicked < 2 * MAXR; nr += 5) {
        size_t n = 0;
        sl_arg_rules_for(nr, &n);
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        free(name);
        if (!name || n || verdict_for(&f0, nr, 0, 0) != ALLOW)
            continue;   /* no such syscall, or the deny list's own: not what is tested here */
        picked[nr] = npicked % 2 ? 1 : 2;
        give((size_t)npicked % 2, picked[nr] == 2
                                      ? mk(nr, SANDLOCK_VERDICT_ERRNO, 1 + nr % 100, 0, SANDLOCK_CMP_EQ, 7)
                                      : mk(nr, SANDLOCK_RULE_HANDLE, 0, 0, SANDLOCK_CMP_EQ, 7));
        npicked++;
    }
    if (build_filter(&c, &f) == 0) {
        int right = 1;
        unsigned worst = 0;
        for (int nr = 0; nr < 470; nr++) {
            uint32_t want = nr < 400 && picked[nr] == 2 ? ERR(1 + nr % 100)
                            : nr < 400 && picked[nr] == 1 ? NOTIFY
                                                          : verdict_for(&f0, nr, 7, 0);
            uint32_t got = verdict_for(&f, nr, 7, 0);
            unsigned steps = bpf_steps, base = (verdict_for(&f0, nr, 7, 0), bpf_steps);
            if (got != want || verdict_for(&f, nr, 8, 0) != verdict_for(&f0, nr, 8, 0)) {
                right = 0;
                printf("# nr %d: got %#x, want %#x\n", nr, got, want);
            }
            if (nr >= 400 || !picked[nr])
                worst = steps - base > worst ? steps - base : worst;
        }
        ok(right, "many: %d syscalls with rules, each its own verdict, the others unchanged", npicked);
        ok(worst <= 16, "many: a call without rules runs %u instructions more than with no rule at all "
                        "(a search: at most 16)", worst);
        sl_filter_free(&f);
    } else
        ok(0, "many: the filter builds");
    sl_chains_free(&c);
    sl_filter_free(&f0);
    sl_chains_free(&c0);
}

int main(void)
{
    test_from_sdk();
    test_holds();
    test_placement();
    test_dispatch();
    /* The filter is only built and run by bpf_run here, never installed.
     * Where the kernel cannot be asked which actions it supports (under
     * qemu-user, as in tests/cross-arm64.sh, libseccomp falls back to API
     * level 1 and refuses KILL_PROCESS), build it as for the oldest kernel
     * sandlock runs on (user notification, Linux 5.0: level 5). */
    if (seccomp_api_get() < 5)
        seccomp_api_set(5);
    test_filter();
    test_arches();
    test_many();
    return tap_done();
}
