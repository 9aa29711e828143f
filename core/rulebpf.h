/* rulebpf.h -- classic BPF for the plugins' syscall rules (SDK 1.4), put by
 * filter.c in front of libseccomp's program. libseccomp 2.5 cannot be
 * trusted with rules of different actions on one syscall (when one rule's
 * comparisons are a prefix of another's it drops one of them: a predicate
 * next to a deny rule with the same first comparison vanished and its
 * calls were allowed), so these rules are compiled here, in order, first
 * match wins: for each syscall that has rules, the built-in argument deny
 * rules, then every instance's rules in chain order (each in its own
 * order); a compiled static errno returns ERRNO, any other rule
 * USER_NOTIF; no match falls through to libseccomp's program. Every
 * comparison is exact, 64-bit or low-32-bit. The syscall number finds its
 * block by a binary search, so the filter's length on the way of a call
 * grows with the logarithm of the number of syscalls with rules. */
#ifndef SANDLOCK_RULEBPF_H
#define SANDLOCK_RULEBPF_H

#include <linux/filter.h>
#include <stddef.h>

struct sl_chains;

/* Appends to *prog (*len instructions, realloc()ed) the blocks of every
 * chain that has a rule in the filter or trapped. `builtin`: the built-in
 * argument deny rules come first. The code expects the native arch to be
 * checked before it and jumps to the instruction right after the last one
 * it appends when no rule matches. Returns 0, -ENOMEM or -E2BIG. */
int sl_rulebpf_append(const struct sl_chains *chains, int builtin, struct sock_filter **prog, size_t *len);

#endif
