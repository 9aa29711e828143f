/* argdeny.c -- see argdeny.h. The reasons are in sandlock.ini(5). */
#include "config.h"
#include "argdeny.h"

#include <errno.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* The kernel reads these arguments as int or unsigned int: only their low
 * 32 bits count, whatever the caller puts above. */
#define LOW32 0xffffffffull
/* socket(2)'s type: the kind of socket; the bits above are SOCK_NONBLOCK
 * and SOCK_CLOEXEC (the kernel masks them off the same way). */
#define SOCK_KIND 0xfull

/* clone(2)'s flags: the first argument, except on s390 and CRIS
 * (CONFIG_CLONE_BACKWARDS2: stack first). x86_64, i386, arm, arm64, riscv,
 * ppc, mips: first. */
#if defined(__s390__) || defined(__CRIS__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

#define ONE(nr, err, a, m, v) { nr, err, 1, { { a, m, v } } }
#define TWO(nr, err, a, m, v, b, n, w) { nr, err, 2, { { a, m, v }, { b, n, w } } }
/* One rule per flag: any one of them denies (a rule is an AND). */
#define CLONE_FLAG(f) ONE(__NR_clone, EPERM, CLONE_FLAGS_ARG, f, f)
#define SOCKET(domain, kind) TWO(__NR_socket, EPERM, 0, LOW32, domain, 1, SOCK_KIND, kind)

static const struct sl_arg_rule rules[] = {
    /* Typing into the caller's terminal. */
    ONE(__NR_ioctl, EPERM, 1, LOW32, TIOCSTI),
    /* /dev/userfaultfd's way to userfaultfd(2), which is denied. */
    ONE(__NR_ioctl, EPERM, 1, LOW32, USERFAULTFD_IOC_NEW),
    /* unshare(2) by another name. CLONE_NEWTIME is no clone(2) flag: its
     * bit is part of the exit signal there. */
    CLONE_FLAG(CLONE_NEWNS), CLONE_FLAG(CLONE_NEWUSER), CLONE_FLAG(CLONE_NEWPID),
    CLONE_FLAG(CLONE_NEWNET), CLONE_FLAG(CLONE_NEWUTS), CLONE_FLAG(CLONE_NEWIPC),
    CLONE_FLAG(CLONE_NEWCGROUP),
    /* clone3's flags are in memory a filter cannot read (and the child
     * could change them after a check): ENOSYS, so libc falls back to
     * clone(2), whose flags are in a register. */
    { __NR_clone3, ENOSYS, 0, { { 0, 0, 0 } } },
    /* Sockets that write their own IP or link-layer headers: the
     * destination no plugin decodes. The kernel turns AF_INET +
     * SOCK_PACKET into AF_PACKET. */
    SOCKET(AF_INET, SOCK_RAW), SOCKET(AF_INET6, SOCK_RAW), SOCKET(AF_INET, SOCK_PACKET),
    ONE(__NR_socket, EPERM, 0, LOW32, AF_PACKET),
};

const struct sl_arg_rule *sl_arg_rules_all(size_t *n)
{
    *n = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

const struct sl_arg_rule *sl_arg_rules_for(int nr, size_t *n)
{
    size_t i = 0, total = sizeof(rules) / sizeof(rules[0]);
    while (i < total && rules[i].nr != nr)
        i++;
    *n = 0;
    while (i + *n < total && rules[i + *n].nr == nr)
        (*n)++;
    return *n ? &rules[i] : NULL;
}
