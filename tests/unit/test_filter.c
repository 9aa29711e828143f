/* test_filter.c -- the build's copy of libseccomp's program
 * (filter_prebuilt.h): it is what libseccomp compiles now for the same
 * inputs, instruction for instruction, and it is used for those inputs
 * only. */
#include "config.h"
#include "denylist.h"
#include "filter_prebuilt.h"
#include "filter_seccomp.h"
#include "tap.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DENY 256

static int same_program(const struct sock_fprog *a, const struct sock_fprog *b)
{
    return a->len == b->len && memcmp(a->filter, b->filter, a->len * sizeof(*a->filter)) == 0;
}

int main(void)
{
    /* The rules of a sandbox without a user namespace of its own, the
     * ones the build used (a user namespace adds id rules: idrules.h). */
    setenv("SANDLOCK_USERNS", "no", 1);
    const struct sl_prebuilt_filter *p = &sl_prebuilt_filter;
    if (p->len == 0) {
        tap_skip("this build has no prebuilt program: %s", p->none ? p->none : "(no reason)");
        return tap_done();
    }
    int deny[MAX_DENY];
    size_t ndeny = sl_builtin_deny_resolve(deny, MAX_DENY);
    const struct scmp_version *v = seccomp_version();
    int same_version = v && v->major == p->version[0] && v->minor == p->version[1] && v->micro == p->version[2];

    struct sock_fprog compiled = { 0 }, prebuilt = { 0 };
    is_int(sl_filter_seccomp(deny, ndeny, 1, &compiled), 0, "libseccomp compiles the built-in deny list");
    int used = sl_filter_prebuilt(deny, ndeny, 1, &prebuilt);
    if (same_version) {
        is_int(used, 1, "the prebuilt program is used for the built-in deny list and rules");
        ok(used == 1 && same_program(&compiled, &prebuilt),
           "it is libseccomp %u.%u.%u's program for them, instruction for instruction (%u instructions)",
           p->version[0], p->version[1], p->version[2], compiled.len);
    } else {
        is_int(used, 0, "libseccomp %u.%u.%u built it, this is %u.%u.%u: not used",
               p->version[0], p->version[1], p->version[2], v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
    }
    free(prebuilt.filter);
    free(compiled.filter);

    /* Other inputs compile. */
    struct sock_fprog none = { 0 };
    is_int(sl_filter_prebuilt(deny, ndeny, 0, &none), 0, "not used without the built-in argument rules");
    is_int(sl_filter_prebuilt(deny, ndeny - 1, 1, &none), 0, "not used for a shorter deny list");
    int more[MAX_DENY + 1];
    memcpy(more, deny, ndeny * sizeof(*deny));
    more[ndeny] = SCMP_SYS(getppid);
    is_int(sl_filter_prebuilt(more, ndeny + 1, 1, &none), 0, "not used for a longer deny list");
    int swapped[MAX_DENY];
    memcpy(swapped, deny, ndeny * sizeof(*deny));
    swapped[0] = deny[1];
    swapped[1] = deny[0];
    is_int(sl_filter_prebuilt(swapped, ndeny, 1, &none), 0, "not used for the same calls in another order");
    ok(none.filter == NULL, "nothing allocated when not used");

    return tap_done();
}
