/* argdeny.c -- see argdeny.h. The reasons are in sandlock.ini(5). */
#include "config.h"
#include "argdeny.h"
#include "idrules.h"
#include "userns.h"

#include <pthread.h>
#include <unistd.h>

#include <errno.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* The kernel reads these arguments as int or unsigned int: only their low
 * 32 bits count, whatever the caller puts above. */
#define LOW32 0xffffffffull
/* socket(2)'s type: the kind of socket; the bits above are SOCK_NONBLOCK
 * and SOCK_CLOEXEC (the kernel masks them off the same way). */
#define SOCK_KIND 0xfull

/* The rules below read socket(2)'s and clone(2)'s arguments from the
 * registers. i386, s390x and powerpc also have socketcall(2), which passes
 * socket(2)'s arguments in memory no filter reads (and which netguard does
 * not decode): a sandlock built for them would let the child around these
 * rules. The architectures allowed here have no socketcall (x86_64's i386
 * and x32 calls, and arm64's AArch32 ones, are killed by the filter), and
 * configure refuses the others too. */
#if !(defined(__x86_64__) && !defined(__ILP32__)) && !defined(__aarch64__) && \
    !(defined(__riscv) && __riscv_xlen == 64) && !defined(__loongarch64)
#error "unreviewed architecture: socketcall(2) and clone(2)'s argument order (core/argdeny.c)"
#endif

/* clone(2)'s flags: the first argument on all of them (only s390's
 * CONFIG_CLONE_BACKWARDS2 puts the stack first). */
#define CLONE_FLAGS_ARG 0

#define ONE(nr, err, a, m, v) { nr, err, 1, { { a, m, v, 0 } } }
#define TWO(nr, err, a, m, v, b, n, w) { nr, err, 2, { { a, m, v, 0 }, { b, n, w, 0 } } }
/* One rule per flag: any one of them denies (a rule is an AND). */
#define CLONE_FLAG(f) ONE(__NR_clone, EPERM, CLONE_FLAGS_ARG, f, f)
#define SOCKET(domain, kind) TWO(__NR_socket, EPERM, 0, LOW32, domain, 1, SOCK_KIND, kind)

static const struct sl_arg_rule rules[] = {
    /* Typing into the caller's terminal. */
    ONE(__NR_ioctl, EPERM, 1, LOW32, TIOCSTI),
    /* /dev/userfaultfd's way to userfaultfd(2), which is denied. */
    ONE(__NR_ioctl, EPERM, 1, LOW32, USERFAULTFD_IOC_NEW),
    /* Device nodes: a disk's or memory's bytes under a name no plugin
     * (and no mask, see hostview.h) knows. The kernel refuses them to an
     * unprivileged caller with the same errno. */
#ifdef __NR_mknod
    ONE(__NR_mknod, EPERM, 1, S_IFMT, S_IFCHR), ONE(__NR_mknod, EPERM, 1, S_IFMT, S_IFBLK),
#endif
    ONE(__NR_mknodat, EPERM, 2, S_IFMT, S_IFCHR), ONE(__NR_mknodat, EPERM, 2, S_IFMT, S_IFBLK),
    /* unshare(2) by another name. CLONE_NEWTIME is no clone(2) flag: its
     * bit is part of the exit signal there. */
    CLONE_FLAG(CLONE_NEWNS), CLONE_FLAG(CLONE_NEWUSER), CLONE_FLAG(CLONE_NEWPID),
    CLONE_FLAG(CLONE_NEWNET), CLONE_FLAG(CLONE_NEWUTS), CLONE_FLAG(CLONE_NEWIPC),
    CLONE_FLAG(CLONE_NEWCGROUP),
    /* clone3's flags are in memory a filter cannot read (and the child
     * could change them after a check): ENOSYS, so libc falls back to
     * clone(2), whose flags are in a register. */
    { __NR_clone3, ENOSYS, 0, { { 0, 0, 0, 0 } } },
    /* Sockets that write their own IP or link-layer headers: the
     * destination no plugin decodes. The kernel turns AF_INET +
     * SOCK_PACKET into AF_PACKET. */
    SOCKET(AF_INET, SOCK_RAW), SOCKET(AF_INET6, SOCK_RAW), SOCKET(AF_INET, SOCK_PACKET),
    ONE(__NR_socket, EPERM, 0, LOW32, AF_PACKET), ONE(__NR_socket, EPERM, 0, LOW32, AF_XDP),
};

#define NSTATIC (sizeof(rules) / sizeof(rules[0]))

/* The static rules, then (in a user namespace of the sandbox's own) the id
 * rules, which name other syscalls: each syscall's rules stay adjacent. */
static struct sl_arg_rule all[NSTATIC + SL_ID_RULES_MAX];
static size_t nall;
static pthread_once_t built = PTHREAD_ONCE_INIT;

static void build(void)
{
    for (size_t i = 0; i < NSTATIC; i++)
        all[i] = rules[i];
    nall = NSTATIC;
    if (sl_userns_wanted())
        nall += sl_id_rules(all + NSTATIC, getuid(), getgid());
}

const struct sl_arg_rule *sl_arg_rules_all(size_t *n)
{
    pthread_once(&built, build);
    *n = nall;
    return all;
}

const struct sl_arg_rule *sl_arg_rules_for(int nr, size_t *n)
{
    size_t i = 0, total;
    const struct sl_arg_rule *r = sl_arg_rules_all(&total);
    while (i < total && r[i].nr != nr)
        i++;
    *n = 0;
    while (i + *n < total && r[i + *n].nr == nr)
        (*n)++;
    return *n ? &r[i] : NULL;
}
