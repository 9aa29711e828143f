/* rules.c -- see rules.h. */
#include "config.h"
#include "rules.h"
#include "values.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define LOW32 0xffffffffull

int sl_rule_from_sdk(const sandlock_syscall_rule *in, struct sl_rule *out, const char **name)
{
    if (!in || in->struct_size < offsetof(sandlock_syscall_rule, cmp) + sizeof(in->cmp) || !in->syscall ||
        in->ncmp > SANDLOCK_RULE_MAX_CMP)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    switch (in->verdict) {
    case SANDLOCK_RULE_HANDLE:
        break;
    case SANDLOCK_VERDICT_ERRNO:
        if (in->error < 1 || in->error > 4095)
            return -EINVAL;
        out->error = in->error;
        break;
    case SANDLOCK_VERDICT_RETURN:
        out->value = in->value;
        break;
    case SANDLOCK_VERDICT_KILL:
        if (in->signal < 1 || in->signal > 64)
            return -EINVAL;
        out->signal = in->signal;
        break;
    default:
        return -EINVAL;
    }
    out->verdict = in->verdict;
    for (uint32_t i = 0; i < in->ncmp; i++) {
        const sandlock_arg_cmp *c = &in->cmp[i];
        uint32_t op = c->op & ~SANDLOCK_CMP_32BIT;
        int low32 = (c->op & SANDLOCK_CMP_32BIT) != 0;
        if (c->arg > 5 || op < SANDLOCK_CMP_NE || op > SANDLOCK_CMP_MASKED_EQ)
            return -EINVAL;
        uint64_t value = low32 ? c->value & LOW32 : c->value;
        uint64_t mask = op != SANDLOCK_CMP_MASKED_EQ ? 0 : low32 ? c->mask & LOW32 : c->mask;
        if (op == SANDLOCK_CMP_MASKED_EQ && (value & ~mask))
            return -EINVAL;
        out->cmp[i] = (struct sl_cmp){ (uint8_t)c->arg, (uint8_t)op, (uint8_t)low32, value, mask };
    }
    out->ncmp = in->ncmp;
    *name = in->syscall;
    return 0;
}

void sl_rule_describe_cmps(const struct sl_rule *r, char *buf, size_t size)
{
    static const char *const ops[] = { "?", "!=", "<", "<=", "==", ">=", ">", "==" };
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < r->ncmp && used < size; i++) {
        const struct sl_cmp *c = &r->cmp[i];
        char arg[16], mask[32] = "";
        snprintf(arg, sizeof(arg), c->low32 ? "low32(arg%u)" : "arg%u", c->arg);
        if (c->op == SANDLOCK_CMP_MASKED_EQ)
            snprintf(mask, sizeof(mask), " & %#llx", (unsigned long long)c->mask);
        int n = snprintf(buf + used, size - used, "%s%s%s %s %#llx", i ? ", " : "", arg, mask, ops[c->op],
                         (unsigned long long)c->value);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

void sl_rule_describe_verdict(const struct sl_rule *r, char *buf, size_t size)
{
    const char *name;
    switch (r->verdict) {
    case SANDLOCK_VERDICT_ERRNO:
        name = sl_errno_name(r->error);
        if (name)
            snprintf(buf, size, "errno %s", name);
        else
            snprintf(buf, size, "errno %d", r->error);
        break;
    case SANDLOCK_VERDICT_RETURN:
        snprintf(buf, size, "return %lld", (long long)r->value);
        break;
    case SANDLOCK_VERDICT_KILL:
        name = sl_signal_name(r->signal);
        snprintf(buf, size, "kill %s", name ? name : "?");
        break;
    default:
        snprintf(buf, size, "handle()");
        break;
    }
}
