/* fault.h -- containing a plugin crash inside handle(), init(), syscalls()
 * and fini().
 *
 * Each worker thread runs handle() under a guard: a fatal signal (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT) raised while the guard is armed jumps
 * back to the guard instead of killing the supervisor. Outside a guard the
 * signal keeps its default action (the supervisor dies, and the sandbox
 * with it: fail closed), after one line on stderr naming the plugin module
 * whose code faulted, when it was one. */
#ifndef SANDLOCK_FAULT_H
#define SANDLOCK_FAULT_H

#include <setjmp.h>

struct sl_fault_guard {
    sigjmp_buf jump;
};

extern __thread struct sl_fault_guard *sl_fault_current;
extern __thread volatile int sl_fault_signal;

/* Calls fn(arg) under a guard, on the calling thread: returns 0 when fn
 * returned, or the fatal signal it raised (then fn's state is corrupt).
 * For the plugin calls outside handle(): init(), syscalls(), fini(). */
int sl_fault_call(void (*fn)(void *arg), void *arg);

/* Remembers the code of the loaded module that holds `symbol` (its entry
 * point) under `file`, so that a fault outside every guard -- in a thread
 * the plugin started -- is reported with the module's name before
 * sandlock dies (and the sandbox with it). `file` must stay valid until
 * sl_fault_forget_module(symbol). */
void sl_fault_register_module(const void *symbol, const char *file);
void sl_fault_forget_module(const void *symbol);

/* The state of a plugin instance that crashed: fini() is never called for
 * it, so it is abandoned on purpose, not leaked (LeakSanitizer is told). */
void sl_fault_abandon(const void *state);

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
