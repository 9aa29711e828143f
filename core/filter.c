/* filter.c -- see filter.h. libseccomp 2.5 cannot set WAIT_KILLABLE_RECV,
 * so the filter is exported as BPF and installed with seccomp(2) directly. */
#include "config.h"
#include "filter.h"
#include "log.h"
#include "argdeny.h"
#include "rulebpf.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <stddef.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int export_bpf(scmp_filter_ctx ctx, struct sl_filter *out)
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
    out->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
    out->prog.filter = insns;
    return 0;
}

/* The newest syscall sandlock knows: the built-in deny list and the bundled
 * plugins were reviewed against the syscall table up to it (x86_64 456,
 * Linux 6.7; it also is the newest one Debian 12's libseccomp 2.5.4 can
 * name). Since Linux 5.1 new syscalls get the same number on every
 * architecture but alpha and mips (offsets): on those the check below
 * needs a review of their numbering first. */
#define NEWEST_KNOWN "futex_requeue"
#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__) && !defined(__riscv) && \
    !defined(__powerpc64__) && !defined(__s390x__) && !defined(__loongarch64)
#error "review this architecture's syscall numbers above NEWEST_KNOWN (core/filter.c)"
#endif
/* x86_64's x32 calls carry this bit: libseccomp's program kills them. */
#define X32_BIT 0x40000000u

int sl_filter_newest_known(char *err, size_t errlen)
{
    int nr = seccomp_syscall_resolve_name(NEWEST_KNOWN);
    if (nr < 0)
        sl_errf(err, errlen, "libseccomp cannot name %s, the newest syscall sandlock knows: "
                "sandlock needs one that does (Debian 12's 2.5.4 does)", NEWEST_KNOWN);
    return nr < 0 ? -1 : nr;
}

/* Every argument rule of the built-in deny list. For the syscalls that
 * have plugin rules they are also in front of those (rulebpf.h), so they
 * win there too; the supervisor applies them as well (argdeny.h). */
static int add_arg_rules(scmp_filter_ctx ctx)
{
    size_t n;
    const struct sl_arg_rule *rules = sl_arg_rules_all(&n);
    for (size_t i = 0; i < n; i++) {
        struct scmp_arg_cmp cmp[2];
        if (sl_arg_rule_in_bpf(&rules[i]))
            continue;          /* in front of libseccomp's program (rulebpf.c) */
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

/* Syscalls newer than sandlock knows can be neither denied nor intercepted
 * by name (libseccomp cannot name them, nobody reviewed them: 463-469 are
 * siblings of denied or intercepted calls, such as open_tree_attr of
 * open_tree). libseccomp only matches exact numbers, so a few instructions
 * put in front of its program answer every native number above the newest
 * known one with ENOSYS -- what an older kernel says, so libc falls back to
 * the older call that is denied or intercepted. Then come the plugins'
 * syscall rules (rulebpf.h). Foreign architectures and x32 numbers go on
 * to libseccomp's program, which kills them. The result of the ENOSYS
 * part depends on the arch and the number only, and so does that of every
 * syscall without plugin rules, so the kernel's action cache still allows
 * the constant-allow syscalls without running the filter. */
static int prepend(struct sl_filter *f, const struct sl_chains *chains, int builtin, int newest)
{
    const struct sock_filter head[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1, 0),
        BPF_STMT(BPF_JMP | BPF_JA, 0),            /* to libseccomp's program, patched */
    };
    const struct sock_filter unknown[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)newest, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    };
    size_t nhead = sizeof(head) / sizeof(head[0]), nunknown = sizeof(unknown) / sizeof(unknown[0]);
    size_t len = nhead + (builtin ? nunknown : 0);
    struct sock_filter *insns = malloc(len * sizeof(*insns));
    if (!insns)
        return -ENOMEM;
    memcpy(insns, head, sizeof(head));
    if (builtin)
        memcpy(insns + nhead, unknown, sizeof(unknown));
    int rc = sl_rulebpf_append(chains, builtin, &insns, &len);
    if (!rc && len + f->prog.len > BPF_MAXINSNS)
        rc = -E2BIG;
    struct sock_filter *all = rc ? NULL : realloc(insns, (len + f->prog.len) * sizeof(*insns));
    if (!all) {
        free(insns);
        return rc ? rc : -ENOMEM;
    }
    all[nhead - 1].k = (uint32_t)(len - nhead);
    memcpy(all + len, f->prog.filter, f->prog.len * sizeof(*all));
    free(f->prog.filter);
    f->prog.filter = all;
    f->prog.len = (unsigned short)(len + f->prog.len);
    return 0;
}

int sl_filter_build(const struct sl_chains *chains, const int *deny, size_t ndeny,
                    int builtin, struct sl_filter *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int newest = builtin ? sl_filter_newest_known(err, errlen) : 0;
    if (newest < 0)
        return -1;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        sl_errf(err, errlen, "libseccomp: cannot create a filter");
        return -1;
    }
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
    if (!rc)
        rc = prepend(out, chains, builtin, newest);
    if (rc) {
        sl_filter_free(out);
        sl_errf(err, errlen, "libseccomp: cannot build the filter: %s", strerror(-rc));
        return -1;
    }
    return 0;
}

void sl_filter_free(struct sl_filter *f)
{
    free(f->prog.filter);
    f->prog.filter = NULL;
}

int sl_filter_install(const struct sl_filter *f)
{
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return -errno;
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &f->prog);
    if (fd < 0 && errno == EINVAL)
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &f->prog);
    return fd < 0 ? -errno : (int)fd;
}
