/* filter_prebuilt.c -- see filter_prebuilt.h. */
#include "config.h"
#include "filter_prebuilt.h"
#include "filter_seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

static int same_rule(const struct sl_arg_rule *a, const struct sl_arg_rule *b)
{
    if (a->nr != b->nr || a->error != b->error || a->ncond != b->ncond)
        return 0;
    for (unsigned c = 0; c < a->ncond; c++)
        if (a->cond[c].arg != b->cond[c].arg || a->cond[c].mask != b->cond[c].mask ||
            a->cond[c].value != b->cond[c].value || a->cond[c].ne != b->cond[c].ne)
            return 0;
    return 1;
}

/* Are the rules libseccomp would take now the prebuilt program's? */
static int same_rules(const struct sl_prebuilt_filter *p)
{
    size_t n, k = 0;
    const struct sl_arg_rule *rules = sl_arg_rules_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (!sl_filter_seccomp_takes(&rules[i]))
            continue;
        if (k == p->nrules || !same_rule(&rules[i], &p->rules[k]))
            return 0;
        k++;
    }
    return k == p->nrules;
}

int sl_filter_prebuilt(const int *deny, size_t ndeny, int builtin, struct sock_fprog *out)
{
    const struct sl_prebuilt_filter *p = &sl_prebuilt_filter;
    const struct scmp_version *v = seccomp_version();
    if (!builtin || p->len == 0 || !v || v->major != p->version[0] || v->minor != p->version[1] ||
        v->micro != p->version[2] || ndeny != p->ndeny ||
        (ndeny && memcmp(deny, p->deny, ndeny * sizeof(*deny)) != 0) || !same_rules(p))
        return 0;
    struct sock_filter *insns = malloc(p->len * sizeof(*insns));
    if (!insns)
        return -ENOMEM;
    memcpy(insns, p->insns, p->len * sizeof(*insns));
    out->filter = insns;
    out->len = (unsigned short)p->len;
    return 1;
}
