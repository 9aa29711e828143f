/* rulebpf.c -- see rulebpf.h. */
#include "config.h"
#include "rulebpf.h"
#include "argdeny.h"
#include "chain.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

struct prog {
    struct sock_filter *insn;
    size_t n, cap;
    int error;
    size_t fails[SANDLOCK_RULE_MAX_CMP * 2];   /* jumps to the next rule, patched at its end */
    size_t nfails;
};

/* A jump offset that means "to the next rule" until patched. */
#define FAIL 0xff

static size_t emit(struct prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct sock_filter *grown = realloc(p->insn, cap * sizeof(*grown));
        if (!grown) {
            p->error = -ENOMEM;
            return p->n;
        }
        p->insn = grown;
        p->cap = cap;
    }
    p->insn[p->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
    if (jt == FAIL || jf == FAIL)
        p->fails[p->nfails++] = p->n;
    return p->n++;
}

static uint32_t arg_offset(unsigned arg, int high)
{
    uint32_t lo = (uint32_t)(offsetof(struct seccomp_data, args) + 8 * arg);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return high ? lo + 4 : lo;
#else
    return high ? lo : lo + 4;
#endif
}

#define LD(p, off) emit(p, BPF_LD | BPF_W | BPF_ABS, off, 0, 0)
#define AND(p, k) emit(p, BPF_ALU | BPF_AND | BPF_K, k, 0, 0)
#define JMP(p, op, k, jt, jf) emit(p, BPF_JMP | op | BPF_K, k, jt, jf)

/* One 32-bit word compared with `op`: at the end, true goes on to the next
 * instruction, false jumps to FAIL. */
static void word_cmp(struct prog *p, int op, uint32_t v)
{
    switch (op) {
    case SANDLOCK_CMP_EQ: case SANDLOCK_CMP_MASKED_EQ: JMP(p, BPF_JEQ, v, 0, FAIL); break;
    case SANDLOCK_CMP_NE: JMP(p, BPF_JEQ, v, FAIL, 0); break;
    case SANDLOCK_CMP_GT: JMP(p, BPF_JGT, v, 0, FAIL); break;
    case SANDLOCK_CMP_GE: JMP(p, BPF_JGE, v, 0, FAIL); break;
    case SANDLOCK_CMP_LT: JMP(p, BPF_JGE, v, FAIL, 0); break;
    case SANDLOCK_CMP_LE: JMP(p, BPF_JGT, v, FAIL, 0); break;
    }
}

/* One comparison: falls through when it holds, jumps to FAIL when not. */
static void emit_cmp(struct prog *p, const struct sl_cmp *c)
{
    uint32_t lo = (uint32_t)c->value, hi = (uint32_t)(c->value >> 32);
    uint32_t mlo = (uint32_t)c->mask, mhi = (uint32_t)(c->mask >> 32);
    if (!c->low32) {
        /* The high word first: it decides unless the words are equal. */
        LD(p, arg_offset(c->arg, 1));
        switch (c->op) {
        case SANDLOCK_CMP_EQ: JMP(p, BPF_JEQ, hi, 0, FAIL); break;
        case SANDLOCK_CMP_MASKED_EQ: AND(p, mhi); JMP(p, BPF_JEQ, hi, 0, FAIL); break;
        case SANDLOCK_CMP_NE: JMP(p, BPF_JEQ, hi, 0, 2); break;             /* differ: holds */
        case SANDLOCK_CMP_GT: case SANDLOCK_CMP_GE:
            JMP(p, BPF_JGT, hi, 3, 0);                                      /* above: holds */
            JMP(p, BPF_JEQ, hi, 0, FAIL);                                   /* below: fails */
            break;
        case SANDLOCK_CMP_LT: case SANDLOCK_CMP_LE:
            JMP(p, BPF_JGT, hi, FAIL, 0);                                   /* above: fails */
            JMP(p, BPF_JEQ, hi, 0, 2);                                      /* below: holds */
            break;
        }
    }
    LD(p, arg_offset(c->arg, 0));
    if (c->op == SANDLOCK_CMP_MASKED_EQ)
        AND(p, mlo);
    word_cmp(p, c->op, lo);
}

/* A rule: its comparisons, then RET `action`; the FAIL jumps go to the
 * instruction after the RET. */
static void emit_rule(struct prog *p, const struct sl_cmp *cmp, unsigned ncmp, uint32_t action)
{
    p->nfails = 0;
    for (unsigned i = 0; i < ncmp; i++)
        emit_cmp(p, &cmp[i]);
    size_t ret = emit(p, BPF_RET | BPF_K, action, 0, 0);
    for (size_t i = 0; !p->error && i < p->nfails; i++) {
        struct sock_filter *j = &p->insn[p->fails[i]];
        if (j->jt == FAIL)
            j->jt = (uint8_t)(ret - p->fails[i]);
        if (j->jf == FAIL)
            j->jf = (uint8_t)(ret - p->fails[i]);
    }
}

static void emit_chain(struct prog *p, int nr, const struct sl_chain *c, int builtin)
{
    LD(p, offsetof(struct seccomp_data, nr));
    JMP(p, BPF_JEQ, (uint32_t)nr, 1, 0);
    size_t skip = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);          /* to the next syscall, patched */
    size_t n = 0;
    const struct sl_arg_rule *deny = builtin ? sl_arg_rules_for(nr, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct sl_cmp cmp[2];
        for (unsigned k = 0; k < deny[i].ncond; k++)
            cmp[k] = deny[i].cond[k].ne
                         ? (struct sl_cmp){ (uint8_t)deny[i].cond[k].arg, SANDLOCK_CMP_NE,
                                            deny[i].cond[k].mask == 0xffffffffull, deny[i].cond[k].value, 0 }
                         : (struct sl_cmp){ (uint8_t)deny[i].cond[k].arg, SANDLOCK_CMP_MASKED_EQ, 0,
                                            deny[i].cond[k].value, deny[i].cond[k].mask };
        emit_rule(p, cmp, deny[i].ncond, SECCOMP_RET_ERRNO | ((uint32_t)deny[i].error & SECCOMP_RET_DATA));
    }
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->rules[i].n; k++) {
            const struct sl_rule *r = &c->rules[i].rule[k];
            uint32_t action = r->place == SL_RULE_FILTER
                                  ? SECCOMP_RET_ERRNO | ((uint32_t)r->error & SECCOMP_RET_DATA)
                                  : SECCOMP_RET_USER_NOTIF;
            emit_rule(p, r->cmp, r->ncmp, action);
        }
    size_t out = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);           /* no rule matched: on, patched */
    if (!p->error) {
        p->insn[skip].k = (uint32_t)(p->n - skip - 1);
        p->insn[out].k = 0;    /* completed by the caller's end jump below */
    }
}

int sl_rulebpf_append(const struct sl_chains *chains, int builtin, struct sock_filter **prog, size_t *len)
{
    struct prog p = { *prog, *len, *len, 0, { 0 }, 0 };
    size_t start = p.n;
    for (size_t k = 0; k < chains->nnrs; k++)
        emit_chain(&p, chains->nrs[k], chains->by_nr[chains->nrs[k]], builtin);
    /* Built-in rules libseccomp cannot express (sl_arg_rule_in_bpf) of the
     * syscalls no chain has: a block of their own. */
    size_t nall;
    const struct sl_arg_rule *all = builtin ? sl_arg_rules_all(&nall) : NULL;
    const struct sl_chain none = { 0 };
    for (size_t i = 0; all && i < nall; i++)
        if (sl_arg_rule_in_bpf(&all[i]) && (i == 0 || all[i - 1].nr != all[i].nr) &&
            !sl_chain_for(chains, all[i].nr))
            emit_chain(&p, all[i].nr, &none, builtin);
    if (!p.error && p.n > BPF_MAXINSNS)
        p.error = -E2BIG;
    /* Every "no rule matched" jump goes to the end. */
    for (size_t i = start; !p.error && i < p.n; i++)
        if (p.insn[i].code == (BPF_JMP | BPF_JA) && p.insn[i].k == 0)
            p.insn[i].k = (uint32_t)(p.n - i - 1);
    *prog = p.insn;
    *len = p.n;
    return p.error;
}
