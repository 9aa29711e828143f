/* fault.c -- see fault.h. */
#include "config.h"
#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

__thread struct sl_fault_guard *sl_fault_current;
__thread volatile int sl_fault_signal;
static __thread void *alt_stack;

const int sl_fault_signals[SL_NFAULT_SIGNALS] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
    (void)info;
    (void)uctx;
    struct sl_fault_guard *guard = sl_fault_current;
    if (guard) {
        sl_fault_current = NULL;
        sl_fault_signal = sig;
        siglongjmp(guard->jump, 1);
    }
    /* Not inside a plugin: the supervisor itself is broken. Die with the
     * original signal; the sandbox dies with us. */
    signal(sig, SIG_DFL);
    raise(sig);
}

int sl_fault_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    /* SA_NODEFER: the signal is not blocked while handling, so jumping out
     * without restoring the mask (sigsetjmp(..., 0): no syscall on the hot
     * path) leaves the thread able to take the next fault. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < SL_NFAULT_SIGNALS; i++)
        if (sigaction(sl_fault_signals[i], &sa, NULL))
            return -1;
    return 0;
}

int sl_fault_thread_init(void)
{
    size_t size = 64 * 1024;
    alt_stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt_stack == MAP_FAILED) {
        alt_stack = NULL;
        return -1;
    }
    stack_t ss = { .ss_sp = alt_stack, .ss_size = size, .ss_flags = 0 };
    return sigaltstack(&ss, NULL);
}

void sl_fault_thread_fini(void)
{
    if (!alt_stack)
        return;
    stack_t ss = { .ss_flags = SS_DISABLE };
    sigaltstack(&ss, NULL);
    munmap(alt_stack, 64 * 1024);
    alt_stack = NULL;
}
