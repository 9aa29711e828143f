/* filter.c -- see filter.h. libseccomp 2.5 cannot set WAIT_KILLABLE_RECV,
 * so its program (filter_seccomp.h, or the build's copy of it:
 * filter_prebuilt.h) is installed with seccomp(2) directly. */
#include "config.h"
#include "filter.h"
#include "log.h"
#include "filter_prebuilt.h"
#include "filter_seccomp.h"
#include "rulebpf.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <stddef.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    int rc = sl_filter_prebuilt(deny, ndeny, builtin, &out->prog);
    if (rc == 0)
        rc = sl_filter_seccomp(deny, ndeny, builtin, &out->prog);
    else if (rc == 1)
        rc = 0;
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
