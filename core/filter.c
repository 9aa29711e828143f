/* filter.c -- see filter.h. The BPF is written here (libseccomp only
 * names the native architecture) and installed with seccomp(2) directly:
 * libseccomp 2.5 cannot set WAIT_KILLABLE_RECV. */
#include "config.h"
#include "filter.h"
#include "seccomp_ioctl.h"

#include <endian.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int contains(const int *list, size_t n, int nr)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == nr)
            return 1;
    return 0;
}

/* The program is written out here rather than by libseccomp, whose export
 * alone (BPF generation through a memfd) cost about 150 us per start. It
 * does what libseccomp generated for these rules:
 *
 *       A = arch; if A != native: KILL_PROCESS
 *       A = nr;   [x86-64: if A >= 0x40000000 and A != -1: KILL_PROCESS (x32)]
 *       if A is a notified nr: USER_NOTIF; if a denied one: ERRNO(EPERM)
 *       [if A == ioctl and (u32)args[1] == TIOCSTI: ERRNO(EPERM)]
 *       ALLOW
 *
 * The numbers are looked up by a binary search over the sorted rules, in
 * leaves of a few compares, and the program is kept short (the returns are
 * shared): installing it costs the kernel time per instruction (the JIT)
 * and per compare on the way (it emulates the filter for every syscall
 * number to fill its action cache), and it runs for every notified call.
 *
 * A conditional jump reaches 255 instructions at most. The program is
 * therefore written backwards, from its end: every target is then already
 * placed, and where one is out of reach a copy of the return, or a BPF_JA
 * (32-bit offset), is put in between. Numbers < 0 (a syscall this
 * architecture does not have) are skipped, as libseccomp does. */
struct rule {
    uint32_t nr;
    uint32_t action;
};

enum { RET_ERRNO, RET_NOTIFY, NRETS };

struct program {
    struct sock_filter *insns;    /* filled from the end: insns[at..cap) */
    size_t cap, at;
    size_t ret[NRETS];            /* nearest return of each action, or 0 */
};

#define LEAF_RULES 4

/* Puts an instruction before those already written; returns its index.
 * Offsets are computed by the callers, which keep them in reach. */
static size_t put(struct program *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    p->insns[--p->at] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
    return p->at;
}

/* Whether `target` is in reach of a conditional jump written after
 * `slack` more instructions (the jump itself included). */
static int in_reach(const struct program *p, size_t target, size_t slack)
{
    return target && target - (p->at - slack) - 1 <= 255;
}

/* The offset of a jump about to be put at p->at - 1 to `target`. */
static uint8_t offset_to(const struct program *p, size_t target)
{
    return (uint8_t)(target - (p->at - 1) - 1);
}

/* Puts a jump to `target` unless it is in reach (slack as in_reach());
 * returns what to jump to. */
static size_t reach(struct program *p, size_t target, size_t slack)
{
    if (in_reach(p, target, slack))
        return target;
    return put(p, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(target - (p->at - 1) - 1));
}

/* Writes the lookup of rules[lo, hi) (sorted by nr), whose misses go on to
 * `miss`; returns its first instruction. */
static size_t put_tree(struct program *p, const struct rule *rules, size_t lo, size_t hi, size_t miss)
{
    if (hi - lo > LEAF_RULES) {
        size_t mid = lo + (hi - lo) / 2;
        size_t upper = put_tree(p, rules, mid, hi, miss);
        size_t lower = put_tree(p, rules, lo, mid, miss);
        upper = reach(p, upper, 1);
        lower = reach(p, lower, 1);     /* lower is p->at: always in reach */
        return put(p, BPF_JMP | BPF_JGE | BPF_K, offset_to(p, upper), offset_to(p, lower), rules[mid].nr);
    }
    size_t next = miss;
    for (size_t i = hi; i-- > lo;) {
        int r = rules[i].action == SECCOMP_RET_USER_NOTIF ? RET_NOTIFY : RET_ERRNO;
        if (!in_reach(p, p->ret[r], 2))
            p->ret[r] = put(p, BPF_RET | BPF_K, 0, 0, rules[i].action);
        next = reach(p, next, 1);
        next = put(p, BPF_JMP | BPF_JEQ | BPF_K, offset_to(p, p->ret[r]), offset_to(p, next), rules[i].nr);
    }
    return next;
}

static int by_nr(const void *a, const void *b)
{
    uint32_t x = ((const struct rule *)a)->nr, y = ((const struct rule *)b)->nr;
    return (x > y) - (x < y);
}

int sl_filter_build(const int *notify, size_t nnotify, const int *deny, size_t ndeny,
                    int deny_tiocsti, struct sl_filter *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    size_t nall = nnotify + ndeny, nrules = 0;
    struct rule *rules = calloc(nall ? nall : 1, sizeof(*rules));
    /* At most, per rule: its compare, a return, a node and two jumps. */
    struct program p = { .cap = 16 + 5 * nall };
    p.insns = calloc(p.cap, sizeof(*p.insns));
    p.at = p.cap;
    if (!rules || !p.insns) {
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nall; i++) {
        int nr = i < nnotify ? notify[i] : deny[i - nnotify];
        if (nr >= 0)
            rules[nrules++] = (struct rule){ (uint32_t)nr, i < nnotify ? SECCOMP_RET_USER_NOTIF
                                                                       : SECCOMP_RET_ERRNO | EPERM };
    }
    qsort(rules, nrules, sizeof(*rules), by_nr);
    size_t unique = 0;
    for (size_t i = 0; i < nrules; i++) {
        if (unique && rules[unique - 1].nr == rules[i].nr) {
            if (rules[unique - 1].action != rules[i].action) {
                set_err(err, errlen, "syscall %u is both notified and denied", rules[i].nr);
                goto fail;
            }
            continue;
        }
        rules[unique++] = rules[i];
    }

    /* From the end: what a number found in no rule comes to. The kernel
     * reads ioctl's command as 32 bits: compare only those. */
    size_t miss = put(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
    if (deny_tiocsti && !contains(notify, nnotify, __NR_ioctl) && !contains(deny, ndeny, __NR_ioctl)) {
        uint32_t low = offsetof(struct seccomp_data, args[1]) + (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4);
        p.ret[RET_ERRNO] = put(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);
        put(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, TIOCSTI);
        put(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, low);
        miss = put(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, __NR_ioctl);
    }
    size_t entry = unique ? put_tree(&p, rules, 0, unique, miss) : miss;
    entry = reach(&p, entry, 1);

    /* The start: architecture, number. */
    uint32_t arch = seccomp_arch_native();
    const uint32_t kill = SECCOMP_RET_KILL_PROCESS;
    if (arch == SCMP_ARCH_X86_64) {
        /* x32 calls share the architecture, with bit 30 set in nr. */
        put(&p, BPF_RET | BPF_K, 0, 0, kill);
        put(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0xffffffffu);
        put(&p, BPF_JMP | BPF_JGE | BPF_K, 0, offset_to(&p, entry), 0x40000000u);
    }
    put(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    put(&p, BPF_RET | BPF_K, 0, 0, kill);
    put(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, arch);
    put(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));

    size_t len = p.cap - p.at;
    if (len > BPF_MAXINSNS) {
        set_err(err, errlen, "the seccomp filter would be too long (%zu instructions)", len);
        goto fail;
    }
    memmove(p.insns, p.insns + p.at, len * sizeof(*p.insns));
    free(rules);
    out->prog.len = (unsigned short)len;
    out->prog.filter = p.insns;
    return 0;
fail:
    free(rules);
    free(p.insns);
    return -1;
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
