/* filter_seccomp.c -- see filter_seccomp.h. libseccomp 2.5 has no export
 * to memory: the program goes through a memfd. */
#include "config.h"
#include "filter_seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *out)
{
    int fd = memfd_create("sandlock-bpf", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = seccomp_export_bpf(ctx, fd);
    off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (rc || size <= 0 || size % sizeof(struct sock_filter) || size > 65536 * 8) {
        close(fd);
        return rc ? rc : -EINVAL;
    }
    struct sock_filter *insns = malloc((size_t)size);
    if (!insns || pread(fd, insns, (size_t)size, 0) != size) {
        free(insns);
        close(fd);
        return -EIO;
    }
    close(fd);
    out->len = (unsigned short)(size / sizeof(struct sock_filter));
    out->filter = insns;
    return 0;
}

/* Every argument rule of the built-in deny list that libseccomp takes.
 * For the syscalls that have plugin rules they are also in front of
 * those (rulebpf.h), so they win there too; the supervisor applies them
 * as well (argdeny.h). */
static int add_arg_rules(scmp_filter_ctx ctx)
{
    size_t n;
    const struct sl_arg_rule *rules = sl_arg_rules_all(&n);
    for (size_t i = 0; i < n; i++) {
        struct scmp_arg_cmp cmp[2];
        if (!sl_filter_seccomp_takes(&rules[i]))
            continue;
        for (unsigned c = 0; c < rules[i].ncond; c++)
            cmp[c] = (struct scmp_arg_cmp){ rules[i].cond[c].arg, SCMP_CMP_MASKED_EQ, rules[i].cond[c].mask,
                                            rules[i].cond[c].value };
        int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)rules[i].error), rules[i].nr,
                                        rules[i].ncond, cmp);
        if (rc)
            return rc;
    }
    return 0;
}

int sl_filter_seccomp(const int *deny, size_t ndeny, int builtin, struct sock_fprog *out)
{
    out->len = 0;
    out->filter = NULL;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return -ENOMEM;
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (!rc)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; !rc && i < ndeny; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny[i], 0);
    if (!rc && builtin)
        rc = add_arg_rules(ctx);
    if (!rc)
        rc = export_bpf(ctx, out);
    seccomp_release(ctx);
    return rc;
}
