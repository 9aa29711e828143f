/* idrules.c -- see idrules.h. */
#include "config.h"
#include "idrules.h"

#include <errno.h>
#include <sys/syscall.h>

/* The kernel reads uid_t and gid_t arguments as 32 bits. */
#define LOW32 0xffffffffull

/* Argument `arg` of syscall `nr` is neither -1 nor `id`. */
#define OTHER_ID(nr, arg, id) \
    { nr, EPERM, 2, { { arg, LOW32, LOW32, 1 }, { arg, LOW32, (id), 1 } } }

size_t sl_id_rules(struct sl_arg_rule *out, uid_t uid, gid_t gid)
{
    const struct sl_arg_rule rules[] = {
#ifdef __NR_chown                  /* not on arm64 and riscv64: fchownat */
        OTHER_ID(__NR_chown, 1, uid), OTHER_ID(__NR_chown, 2, gid),
        OTHER_ID(__NR_lchown, 1, uid), OTHER_ID(__NR_lchown, 2, gid),
#endif
        OTHER_ID(__NR_fchown, 1, uid), OTHER_ID(__NR_fchown, 2, gid),
        OTHER_ID(__NR_fchownat, 2, uid), OTHER_ID(__NR_fchownat, 3, gid),
        OTHER_ID(__NR_setuid, 0, uid), OTHER_ID(__NR_setgid, 0, gid),
        OTHER_ID(__NR_setreuid, 0, uid), OTHER_ID(__NR_setreuid, 1, uid),
        OTHER_ID(__NR_setregid, 0, gid), OTHER_ID(__NR_setregid, 1, gid),
        OTHER_ID(__NR_setresuid, 0, uid), OTHER_ID(__NR_setresuid, 1, uid),
        OTHER_ID(__NR_setresuid, 2, uid), OTHER_ID(__NR_setresgid, 0, gid),
        OTHER_ID(__NR_setresgid, 1, gid), OTHER_ID(__NR_setresgid, 2, gid),
    };
    size_t n = sizeof(rules) / sizeof(rules[0]);
    _Static_assert(sizeof(rules) / sizeof(rules[0]) <= SL_ID_RULES_MAX, "SL_ID_RULES_MAX too small");
    for (size_t i = 0; i < n; i++)
        out[i] = rules[i];
    return n;
}
