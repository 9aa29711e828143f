/* test_lib_abi.c -- the layout of libsandlock's versioned structures, as a
 * program built against <sandlock/sandlock.h> expects it. These are the
 * expectations of callers compiled today: a change that moves or resizes a
 * member of version 1 breaks them and fails this build (append members
 * after the last one, under a new version, instead). Also runs: a context
 * made and freed through the shared library's exported names. */
#include <sandlock/sandlock.h>

#include <stddef.h>
#include <stdio.h>

#include "tap.h"

#define LAYOUT(type, member, offset) \
    _Static_assert(offsetof(type, member) == (offset), #type "." #member " moved")

#if UINTPTR_MAX == 0xffffffffffffffffu
/* sandlock_options, version 1 (LP64) */
LAYOUT(sandlock_options, version, 0);
LAYOUT(sandlock_options, struct_size, 4);
LAYOUT(sandlock_options, workers, 8);
LAYOUT(sandlock_options, on_exception, 12);
LAYOUT(sandlock_options, flags, 16);
LAYOUT(sandlock_options, reserved, 20);
LAYOUT(sandlock_options, log_fn, 24);
LAYOUT(sandlock_options, log_arg, 32);
_Static_assert(sizeof(sandlock_options) >= 40, "sandlock_options shrank");

/* sandlock_instance_stats, version 1 (LP64) */
LAYOUT(sandlock_instance_stats, version, 0);
LAYOUT(sandlock_instance_stats, struct_size, 4);
LAYOUT(sandlock_instance_stats, name, 8);
LAYOUT(sandlock_instance_stats, calls, 16);
LAYOUT(sandlock_instance_stats, continued, 24);
LAYOUT(sandlock_instance_stats, errno_answers, 32);
LAYOUT(sandlock_instance_stats, return_answers, 40);
LAYOUT(sandlock_instance_stats, kills, 48);
LAYOUT(sandlock_instance_stats, fds, 56);
LAYOUT(sandlock_instance_stats, deferred, 64);
LAYOUT(sandlock_instance_stats, denied, 72);
LAYOUT(sandlock_instance_stats, exceptions, 80);
LAYOUT(sandlock_instance_stats, statics, 88);
LAYOUT(sandlock_instance_stats, handle_ns, 96);
_Static_assert(sizeof(sandlock_instance_stats) >= 104, "sandlock_instance_stats shrank");
#else
#error "record the layout of this ABI's pointers here"
#endif

/* The values callers compiled in. */
_Static_assert(SANDLOCK_OPTIONS_VERSION == 1, "options version 1");
_Static_assert(SANDLOCK_STATS_VERSION == 1, "stats version 1");
_Static_assert(SANDLOCK_ON_EXCEPTION_CONFIG == 0 && SANDLOCK_ON_EXCEPTION_KILL == 1 &&
               SANDLOCK_ON_EXCEPTION_EPERM == 2 && SANDLOCK_ON_EXCEPTION_EIO == 3 &&
               SANDLOCK_ON_EXCEPTION_CONTINUE == 4, "exception policies");
_Static_assert(SANDLOCK_OPT_STATS == 1 && SANDLOCK_OPT_TRACE == 2 && SANDLOCK_OPT_LOG_STDERR == 4, "option flags");
_Static_assert(SANDLOCK_STATUS_ERROR == 125 && SANDLOCK_NAME_MAX == 42, "status and bounds");

int main(void)
{
    sandlock_options o;
    sandlock_options_init(&o);
    ok(o.version == SANDLOCK_OPTIONS_VERSION && o.struct_size == sizeof(o) && o.workers == 0 && o.flags == 0,
       "sandlock_options_init: version, size, defaults");
    sandlock_ctx *ctx = sandlock_ctx_new();
    ok(ctx != NULL, "sandlock_ctx_new");
    ok(sandlock_ctx_set_options(ctx, &o) == 0, "the options are accepted");
    is_str(sandlock_ctx_errmsg(ctx), "", "no error yet");
    is_int(sandlock_ctx_stats_count(ctx), 0, "no statistics before a run");
    sandlock_ctx_free(ctx);
    return tap_done();
}
