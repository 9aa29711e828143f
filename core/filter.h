/* filter.h -- the seccomp filter: default allow, EPERM for the deny list,
 * USER_NOTIF (or a compiled errno) for the plugins' syscall rules, ENOSYS
 * for numbers newer than sandlock knows, foreign architectures killed. */
#ifndef SANDLOCK_FILTER_H
#define SANDLOCK_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

struct sl_filter {
    struct sock_fprog prog;    /* owns prog.filter */
};

struct sl_chains;

/* Builds the filter: libseccomp's program (default allow, `deny` --
 * native syscall numbers -- EPERM, with `builtin` (default_deny) the
 * built-in argument rules of argdeny.h: filter_seccomp.h, or the build's
 * copy of it for those inputs, filter_prebuilt.h) behind a prefix of our own that,
 * with `builtin`, answers every native number above
 * sl_filter_newest_known() with ENOSYS and holds the plugins' syscall
 * rules from `chains` (rulebpf.h: static errno verdicts the chains placed
 * in the filter, a notification for every other rule). Returns 0 or -1
 * with a message. */
int sl_filter_build(const struct sl_chains *chains, const int *deny, size_t ndeny,
                    int builtin, struct sl_filter *out, char *err, size_t errlen);

/* The native number of the newest syscall sandlock knows, or -1 with a
 * message when libseccomp cannot name it. */
int sl_filter_newest_known(char *err, size_t errlen);
void sl_filter_free(struct sl_filter *f);

/* In the child: no_new_privs, then install with a new listener (and
 * WAIT_KILLABLE_RECV where the kernel has it). Returns the listener fd or
 * -errno. Uses only raw syscalls (safe after fork). */
int sl_filter_install(const struct sl_filter *f);

#endif
