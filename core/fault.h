/* fault.h -- containing a plugin crash inside handle().
 *
 * Each worker thread runs handle() under a guard: a fatal signal (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT) raised while the guard is armed jumps
 * back to the guard instead of killing the supervisor. Outside a guard the
 * signal keeps its default action (the supervisor dies, and the sandbox
 * with it: fail closed). */
#ifndef SANDLOCK_FAULT_H
#define SANDLOCK_FAULT_H

#include <setjmp.h>

struct sl_fault_guard {
    sigjmp_buf jump;
};

extern __thread struct sl_fault_guard *sl_fault_current;
extern __thread volatile int sl_fault_signal;

/* The signals it handles. */
#define SL_NFAULT_SIGNALS 5
extern const int sl_fault_signals[SL_NFAULT_SIGNALS];

/* Installs the signal handlers (process-wide; a program embedding
 * libsandlock gets its own back after a run, ctx.c). */
int sl_fault_install(void);
/* Gives the calling thread an alternate signal stack (once per thread). */
int sl_fault_thread_init(void);
void sl_fault_thread_fini(void);

#endif
