/* fault.c -- see fault.h. */
#include "config.h"
#include "fault.h"

#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

__thread struct sl_fault_guard *sl_fault_current;
__thread volatile int sl_fault_signal;
static __thread void *alt_stack;

const int sl_fault_signals[SL_NFAULT_SIGNALS] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static const char *const fault_names[] = { "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT" };

/* The code of each loaded module, for the signal handler (which may not
 * call dladdr: it takes the loader's lock). */
#define MAX_MODULES 64
static struct module_code {
    const void *symbol;            /* its entry point; NULL: a free slot */
    uintptr_t start, end;          /* its loaded segments */
    const char *file;
} modules[MAX_MODULES];
static atomic_int nmodules;

struct find_code {
    uintptr_t symbol, start, end;
};

/* dl_iterate_phdr: the span of the loaded segments of the object that
 * holds f->symbol. */
static int find_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct find_code *f = arg;
    uintptr_t start = UINTPTR_MAX, end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t s = info->dlpi_addr + ph->p_vaddr, e = s + ph->p_memsz;
        start = s < start ? s : start;
        end = e > end ? e : end;
    }
    if (f->symbol < start || f->symbol >= end)
        return 0;
    f->start = start;
    f->end = end;
    return 1;
}

void sl_fault_register_module(const void *symbol, const char *file)
{
    /* Runs of several contexts may load modules at once: one writer at a
     * time (the handler only reads, up to nmodules). */
    static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
    struct find_code f = { .symbol = (uintptr_t)symbol };
    pthread_mutex_lock(&writer);
    int n = atomic_load(&nmodules);
    if (n < MAX_MODULES && dl_iterate_phdr(find_object, &f)) {
        modules[n] = (struct module_code){ symbol, f.start, f.end, file };
        atomic_store(&nmodules, n + 1);
    }
    pthread_mutex_unlock(&writer);
}

void sl_fault_forget_module(const void *symbol)
{
    for (int i = 0; i < atomic_load(&nmodules); i++)
        if (modules[i].symbol == symbol)
            modules[i] = (struct module_code){ 0 };
}

/* The faulting instruction's address, or 0 where unknown. */
static uintptr_t fault_pc(const void *uctx)
{
    const ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

/* Appends s to buf (size cap), async-signal-safely. */
static size_t append(char *buf, size_t used, size_t cap, const char *s)
{
    while (*s && used + 1 < cap)
        buf[used++] = *s++;
    buf[used] = '\0';
    return used;
}

/* One line on stderr for a fault outside every guard: which module's code
 * faulted, and that sandlock dies. Only async-signal-safe calls. */
static void report_unguarded(int sig, const void *uctx)
{
    uintptr_t pc = fault_pc(uctx);
    const char *file = NULL, *name = "a fatal signal";
    for (int i = 0; i < atomic_load(&nmodules) && !file; i++)
        if (modules[i].symbol && pc >= modules[i].start && pc < modules[i].end)
            file = modules[i].file;
    for (size_t i = 0; i < SL_NFAULT_SIGNALS; i++)
        if (sl_fault_signals[i] == sig)
            name = fault_names[i];
    char line[1024];
    size_t n = append(line, 0, sizeof(line), "sandlock: ");
    if (file) {
        n = append(line, n, sizeof(line), "plugin module ");
        n = append(line, n, sizeof(line), file);
        n = append(line, n, sizeof(line), " crashed with ");
        n = append(line, n, sizeof(line), name);
        n = append(line, n, sizeof(line), " in a thread of its own (outside handle()); sandlock and the sandbox "
                   "are killed\n");
    } else {
        n = append(line, n, sizeof(line), name);
        n = append(line, n, sizeof(line), " outside any plugin call; sandlock and the sandbox are killed\n");
    }
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
}

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
    (void)info;
    struct sl_fault_guard *guard = sl_fault_current;
    if (guard) {
        sl_fault_current = NULL;
        sl_fault_signal = sig;
        siglongjmp(guard->jump, 1);
    }
    /* Not inside a guarded plugin call: a thread of a plugin, or the
     * supervisor itself is broken. Die with the original signal; the
     * sandbox dies with us. */
    report_unguarded(sig, uctx);
    signal(sig, SIG_DFL);
    raise(sig);
}

__attribute__((noinline)) int sl_fault_call(void (*fn)(void *arg), void *arg)
{
    struct sl_fault_guard guard;
    struct sl_fault_guard *outer = sl_fault_current;
    sl_fault_current = &guard;
    if (sigsetjmp(guard.jump, 0) == 0) {
        fn(arg);
        sl_fault_current = outer;
        return 0;
    }
    sl_fault_current = outer;
    return sl_fault_signal;
}

void sl_fault_abandon(const void *state)
{
#if defined(__SANITIZE_ADDRESS__)
    if (state)
        __lsan_ignore_object(state);
#else
    (void)state;
#endif
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
