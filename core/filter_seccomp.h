/* filter_seccomp.h -- libseccomp's part of the filter (filter.h): default
 * allow, EPERM for the deny list, the argument rules of argdeny.h that
 * libseccomp compiles, foreign architectures killed. It depends on these
 * inputs and on libseccomp's version only, which is what lets the build
 * keep a copy for the default inputs (filter_prebuilt.h). */
#ifndef SANDLOCK_FILTER_SECCOMP_H
#define SANDLOCK_FILTER_SECCOMP_H

#include "argdeny.h"

#include <linux/filter.h>
#include <stddef.h>

/* Whether libseccomp compiles argument rule r (the others are rulebpf.c's,
 * in front of its program). */
static inline int sl_filter_seccomp_takes(const struct sl_arg_rule *r)
{
    return !sl_arg_rule_in_bpf(r);
}

/* Builds the program for `deny` (native syscall numbers) and, with
 * `builtin`, sl_arg_rules_all()'s rules that libseccomp takes. On success
 * returns 0 and out->filter is malloc()ed; else -errno (or libseccomp's
 * negative error). */
int sl_filter_seccomp(const int *deny, size_t ndeny, int builtin, struct sock_fprog *out);

#endif
