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
/* A JA offset that means "to the end" (no rule matched) until patched:
 * more than any program has instructions. */
#define TO_END 0xffffffffu

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

/* A syscall's block: the built-in argument deny rules, then every
 * instance's rules in chain order; no match jumps on (patched to the end,
 * where libseccomp's program begins). */
static void emit_block(struct prog *p, int nr, const struct sl_chain *c, int builtin)
{
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
    emit(p, BPF_JMP | BPF_JA, TO_END, 0, 0);
}

/* Numbers compared one by one at a leaf of the dispatch. */
#define LEAF 4

/* The dispatch to the blocks of nrs[lo..hi) (ascending), with the number
 * in A: a binary search, so that a syscall without a block -- nearly all
 * of them -- leaves after a few instructions instead of one comparison
 * per block. That is also what the kernel pays when it installs the
 * filter: it runs the filter for every syscall number to fill its cache
 * of always-allowed ones. to_block[i] gets the jump to patch to nrs[i]'s
 * block. */
static void emit_dispatch(struct prog *p, const int *nrs, size_t lo, size_t hi, size_t *to_block)
{
    if (hi - lo <= LEAF) {
        for (size_t i = lo; i < hi; i++) {
            JMP(p, BPF_JEQ, (uint32_t)nrs[i], 0, 1);
            to_block[i] = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
        }
        emit(p, BPF_JMP | BPF_JA, TO_END, 0, 0);
        return;
    }
    size_t mid = lo + (hi - lo) / 2;
    JMP(p, BPF_JGE, (uint32_t)nrs[mid], 0, 1);
    size_t right = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
    emit_dispatch(p, nrs, lo, mid, to_block);
    if (!p->error)
        p->insn[right].k = (uint32_t)(p->n - right - 1);
    emit_dispatch(p, nrs, mid, hi, to_block);
}

static int by_number(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The syscalls that get a block, ascending, each once: every chain's, and
 * those of the built-in rules libseccomp cannot express (sl_arg_rule_in_bpf). */
static int *block_nrs(const struct sl_chains *chains, int builtin, size_t *n)
{
    size_t nall = 0, k = 0;
    const struct sl_arg_rule *all = builtin ? sl_arg_rules_all(&nall) : NULL;
    int *nrs = malloc((chains->nnrs + nall + 1) * sizeof(*nrs));
    if (!nrs)
        return NULL;
    for (size_t i = 0; i < chains->nnrs; i++)
        nrs[k++] = chains->nrs[i];
    for (size_t i = 0; i < nall; i++)
        if (sl_arg_rule_in_bpf(&all[i]))
            nrs[k++] = all[i].nr;
    qsort(nrs, k, sizeof(*nrs), by_number);
    size_t unique = 0;
    for (size_t i = 0; i < k; i++)
        if (!unique || nrs[unique - 1] != nrs[i])
            nrs[unique++] = nrs[i];
    *n = unique;
    return nrs;
}

int sl_rulebpf_append(const struct sl_chains *chains, int builtin, struct sock_filter **prog, size_t *len)
{
    struct prog p = { *prog, *len, *len, 0, { 0 }, 0 };
    size_t start = p.n, n = 0;
    int *nrs = block_nrs(chains, builtin, &n);
    size_t *to_block = nrs ? malloc((n + 1) * sizeof(*to_block)) : NULL;
    if (!to_block)
        p.error = -ENOMEM;
    if (!p.error && n) {
        LD(&p, offsetof(struct seccomp_data, nr));
        emit_dispatch(&p, nrs, 0, n, to_block);
        const struct sl_chain none = { 0 };
        for (size_t i = 0; !p.error && i < n; i++) {
            p.insn[to_block[i]].k = (uint32_t)(p.n - to_block[i] - 1);
            const struct sl_chain *c = sl_chain_for(chains, nrs[i]);
            emit_block(&p, nrs[i], c ? c : &none, builtin);
        }
    }
    free(nrs);
    free(to_block);
    if (!p.error && p.n > BPF_MAXINSNS)
        p.error = -E2BIG;
    /* Every jump to the end: the instruction after the last one. */
    for (size_t i = start; !p.error && i < p.n; i++)
        if (p.insn[i].code == (BPF_JMP | BPF_JA) && p.insn[i].k == TO_END)
            p.insn[i].k = (uint32_t)(p.n - i - 1);
    *prog = p.insn;
    *len = p.n;
    return p.error;
}
