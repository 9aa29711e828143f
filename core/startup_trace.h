/* startup_trace.h -- where a launch's time goes: with SANDLOCK_STARTUP_TRACE
 * set in sandlock's environment, named marks (CLOCK_MONOTONIC) are taken
 * on the way from exec to exit, by sandlock's threads, the stub and the
 * command's process before exec (when they share sandlock's memory), and
 * printed to stderr when sandlock exits, each with the time since the
 * previous mark. A value that is a CLOCK_MONOTONIC time in nanoseconds
 * (taken by whoever started sandlock, just before exec) is the origin;
 * otherwise the first mark is. Without the variable a mark is one load
 * and a branch. A diagnostic for developers (bench/README.md), not an
 * interface. */
#ifndef SANDLOCK_STARTUP_TRACE_H
#define SANDLOCK_STARTUP_TRACE_H

#include "stubcode.h"

/* Records `what` (a string literal) with the time now, if enabled.
 * Async-signal-safe and allocation-free: the stub may call it. */
STUB_CODE void sl_startup_mark(const char *what);

#endif
