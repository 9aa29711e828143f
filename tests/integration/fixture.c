/* fixture -- a test plugin whose behaviour is chosen per instance.
 *
 *   [plugin x]
 *   module = .../fixture.so
 *   syscalls = getppid, openat      ; required, repeatable
 *   mode = continue                 ; see below
 *   log = /tmp/calls                ; optional: append "TAG SYSCALL" per call
 *   tag = x                         ; written to the log (default: "-")
 *   content = text                  ; mode fd: the memfd's bytes
 *   match = /prefix                 ; openat: act only on paths starting
 *                                   ; with it, Continue for the others
 *   init_sleepms = N                ; init() takes N ms (a slow start-up)
 *   init_marker = FILE              ; init() creates FILE first (a test
 *                                   ; waits for it instead of a time)
 *   init_await_child = FILE         ; init() waits (up to 20 s) until
 *                                   ; sandlock has a child process (the
 *                                   ; stub, started while plugins load)
 *                                   ; and writes "PID" to FILE, or "none"
 *   init_fail = TEXT                ; init() fails with TEXT, last
 *   malloc_storm = yes              ; from init() to fini() a thread of the
 *                                   ; plugin allocates and frees in a loop
 *                                   ; (holds malloc's locks most of the time)
 *   fini_log = FILE                 ; fini() appends "TAG fini" to FILE
 *
 * With $SANDLOCK_TEST_DTOR set, the module's destructor (dlclose() or the
 * process's exit) appends "destructor" to that file.
 *
 * Modes:
 *   continue | errno:N | return:N | kill:SIG   a plain verdict
 *   returnpid     return the trapped thread's pid (event->pid)
 *   sleepms:N     sleep N ms in handle(), then Continue (a slow plugin)
 *   waitfile:PATH wait in handle() until PATH exists (at most 60 s), then
 *                 Continue (a plugin that is slow until the child says)
 *   fd            a memfd holding `content`, created here (fd verdict)
 *   error         handle() returns SANDLOCK_ERROR
 *   unset         returns SANDLOCK_OK with no verdict
 *   errno0 | errno5000 | signal0 | signal99    invalid values
 *   fd1 | fdclosed | fdlistener               invalid fd verdicts
 *   segv | abort | bus | ill | fpe   crash inside handle() (real faults:
 *                 SIGSEGV, abort(), SIGBUS, SIGILL, SIGFPE)
 *   fderror       a memfd as fd verdict, but handle() returns SANDLOCK_ERROR
 *   fdbadflags    a memfd as fd verdict with unknown fd_flags (invalid)
 */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum mode {
    M_CONTINUE, M_ERRNO, M_RETURN, M_KILL, M_RETURNPID, M_FD, M_ERROR, M_UNSET,
    M_ERRNO0, M_ERRNO5000, M_SIGNAL0, M_SIGNAL99, M_FD1, M_FDCLOSED, M_FDLISTENER,
    M_SEGV, M_ABORT, M_FDERROR, M_FDBADFLAGS, M_SLEEP, M_WAITFILE, M_BUS, M_ILL, M_FPE,
};

struct fixture {
    enum mode mode;
    long arg;
    char *log;
    char *tag;
    char *content;
    char *match;
    char *waitfile;              /* mode waitfile:PATH */
    char *fini_log;
    const char *names[128];
    char *names_storage;
    int storming;                /* the malloc storm thread runs */
    atomic_int storm_stop;
    pthread_t storm;
};

/* Allocates and frees blocks of varied sizes until told to stop. */
static void *malloc_storm(void *arg)
{
    struct fixture *f = arg;
    void *keep[16] = { 0 };
    for (unsigned i = 0; !atomic_load_explicit(&f->storm_stop, memory_order_relaxed); i++) {
        free(keep[i % 16]);
        keep[i % 16] = malloc(16 + (i * 7919) % 4096);
    }
    for (int i = 0; i < 16; i++)
        free(keep[i]);
    return NULL;
}

static const sandlock_host *host;

static void append_line(const char *file, const char *a, const char *b)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dprintf(fd, "%s%s\n", a, b);
        close(fd);
    }
}

__attribute__((destructor)) static void fixture_destructor(void)
{
    const char *file = getenv("SANDLOCK_TEST_DTOR");
    if (file && *file)
        append_line(file, "destructor", "");
}

static void fixture_fini(void *p)
{
    struct fixture *f = p;
    if (!f)
        return;
    if (f->fini_log) {
        append_line(f->fini_log, f->tag, " fini");
        free(f->fini_log);
    }
    if (f->storming) {
        atomic_store(&f->storm_stop, 1);
        pthread_join(f->storm, NULL);
    }
    free(f->log);
    free(f->waitfile);
    free(f->tag);
    free(f->content);
    free(f->match);
    free(f->names_storage);
    free(f);
}

static int parse_mode(struct fixture *f, const char *text)
{
    static const struct { const char *name; enum mode mode; } plain[] = {
        { "continue", M_CONTINUE }, { "returnpid", M_RETURNPID }, { "fd", M_FD },
        { "error", M_ERROR }, { "unset", M_UNSET }, { "errno0", M_ERRNO0 },
        { "errno5000", M_ERRNO5000 }, { "signal0", M_SIGNAL0 }, { "signal99", M_SIGNAL99 },
        { "fd1", M_FD1 }, { "fdclosed", M_FDCLOSED }, { "fdlistener", M_FDLISTENER },
        { "segv", M_SEGV }, { "abort", M_ABORT }, { "fderror", M_FDERROR },
        { "fdbadflags", M_FDBADFLAGS }, { "bus", M_BUS }, { "ill", M_ILL }, { "fpe", M_FPE },
    };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (!strcmp(text, plain[i].name)) {
            f->mode = plain[i].mode;
            return 0;
        }
    const char *colon = strchr(text, ':');
    if (!colon)
        return -1;
    if (!strncmp(text, "waitfile:", 9)) {
        f->mode = M_WAITFILE;
        return (f->waitfile = strdup(colon + 1)) ? 0 : -1;
    }
    f->arg = strtol(colon + 1, NULL, 0);
    if (!strncmp(text, "errno:", 6))
        f->mode = M_ERRNO;
    else if (!strncmp(text, "return:", 7))
        f->mode = M_RETURN;
    else if (!strncmp(text, "kill:", 5))
        f->mode = M_KILL;
    else if (!strncmp(text, "sleepms:", 8))
        f->mode = M_SLEEP;
    else
        return -1;
    return 0;
}

/* The first child of this process, from any thread's children list
 * (the stub is the launcher thread's), or 0. */
static pid_t a_child(void)
{
    DIR *d = opendir("/proc/self/task");
    pid_t pid = 0;
    struct dirent *e;
    while (d && !pid && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[300];
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        long first = 0;
        if (f && fscanf(f, "%ld", &first) == 1)
            pid = (pid_t)first;
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return pid;
}

/* init_await_child: see the top. */
static void record_child(const char *file)
{
    pid_t pid = 0;
    for (int i = 0; i < 20000 && !(pid = a_child()); i++) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
    FILE *f = fopen(file, "w");
    if (!f)
        return;
    if (pid)
        fprintf(f, "%d\n", (int)pid);
    else
        fprintf(f, "none\n");
    fclose(f);
}

static int fixture_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return SANDLOCK_ERROR;
    const char *mode = h->config_get(cfg, "mode");
    const char *syscalls = h->config_get(cfg, "syscalls");
    const char *log = h->config_get(cfg, "log");
    const char *tag = h->config_get(cfg, "tag");
    const char *content = h->config_get(cfg, "content");
    if (!syscalls || parse_mode(f, mode ? mode : "continue")) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "fixture: needs syscalls and a valid mode");
        fixture_fini(f);
        return SANDLOCK_ERROR;
    }
    const char *marker = h->config_get(cfg, "init_marker");
    if (marker) {
        int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
    }
    const char *await_child = h->config_get(cfg, "init_await_child");
    if (await_child)
        record_child(await_child);
    const char *init_sleep = h->config_get(cfg, "init_sleepms");
    if (init_sleep) {
        long ms = strtol(init_sleep, NULL, 10);
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    const char *storm = h->config_get(cfg, "malloc_storm");
    if (storm && !strcmp(storm, "yes")) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        f->storming = pthread_create(&f->storm, NULL, malloc_storm, f) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    f->log = log ? strdup(log) : NULL;
    f->tag = strdup(tag ? tag : "-");
    f->content = strdup(content ? content : "");
    const char *match = h->config_get(cfg, "match");
    f->match = match ? strdup(match) : NULL;
    /* syscalls is repeatable: join every value. */
    const char *values[32];
    size_t nvalues = h->config_get_all(cfg, "syscalls", values, 32), total = 1;
    if (nvalues > 32)
        nvalues = 32;
    for (size_t i = 0; i < nvalues; i++)
        total += strlen(values[i]) + 1;
    f->names_storage = calloc(1, total);
    for (size_t i = 0; f->names_storage && i < nvalues; i++) {
        strcat(f->names_storage, values[i]);
        strcat(f->names_storage, ",");
    }
    size_t n = 0;
    char *save = NULL;
    for (char *t = f->names_storage ? strtok_r(f->names_storage, ", \t", &save) : NULL; t && n < 127;
         t = strtok_r(NULL, ", \t", &save))
        f->names[n++] = t;
    f->names[n] = NULL;
    const char *init_fail = h->config_get(cfg, "init_fail");
    if (init_fail) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%s", init_fail);
        fixture_fini(f);
        return SANDLOCK_ERROR;
    }
    const char *fini_log = h->config_get(cfg, "fini_log");
    f->fini_log = fini_log ? strdup(fini_log) : NULL;
    *state = f;
    return SANDLOCK_OK;
}

static const char *const *fixture_syscalls(void *state)
{
    return ((struct fixture *)state)->names;
}

static void record(const struct fixture *f, const sandlock_event *ev)
{
    if (!f->log)
        return;
    int fd = open(f->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    char line[256];
    int n = snprintf(line, sizeof(line), "%s %s\n", f->tag, ev->syscall_name);
    if (write(fd, line, (size_t)n) < 0)
        n = 0;
    close(fd);
}

/* The supervisor's seccomp listener, found by its /proc link. */
static int find_listener(void)
{
    DIR *d = opendir("/proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], link[256];
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (strstr(link, "seccomp")) {
            found = atoi(e->d_name);
            break;
        }
    }
    if (d)
        closedir(d);
    return found;
}

/* Does the path argument of openat start with f->match? Read straight
 * from /proc/PID/mem (enough for a test). */
static int path_matches(const struct fixture *f, const sandlock_event *ev)
{
    char mem[64], path[256] = "";
    snprintf(mem, sizeof(mem), "/proc/%u/mem", ev->pid);
    int fd = open(mem, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, path, sizeof(path) - 1, (off_t)ev->args[1]);
    close(fd);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    return strncmp(path, f->match, strlen(f->match)) == 0;
}

static int fixture_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct fixture *f = state;
    if (f->match && !strcmp(ev->syscall_name, "openat") && !path_matches(f, ev)) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    record(f, ev);
    switch (f->mode) {
    case M_CONTINUE: sandlock_respond_continue(r); break;
    case M_ERRNO: sandlock_respond_errno(r, (int)f->arg); break;
    case M_RETURN: sandlock_respond_return(r, f->arg); break;
    case M_KILL: sandlock_respond_kill(r, (int)f->arg); break;
    case M_RETURNPID: sandlock_respond_return(r, ev->pid); break;
    case M_WAITFILE: {
        struct stat sb;
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        for (int i = 0; i < 12000 && stat(f->waitfile, &sb) != 0; i++)
            nanosleep(&ts, NULL);
        sandlock_respond_continue(r);
        break;
    }
    case M_SLEEP: {
        struct timespec ts = { f->arg / 1000, (f->arg % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        sandlock_respond_continue(r);
        break;
    }
    case M_FD: {
        int fd = memfd_create("fixture", MFD_CLOEXEC);
        if (fd < 0)
            return SANDLOCK_ERROR;
        size_t len = strlen(f->content);
        if (write(fd, f->content, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0) {
            close(fd);
            return SANDLOCK_ERROR;
        }
        sandlock_respond_fd(r, fd, 0);
        break;
    }
    case M_FDERROR:
    case M_FDBADFLAGS: {
        /* The host owns the fd on every path: it must close these. */
        int fd = memfd_create("fixture-invalid", MFD_CLOEXEC);
        if (fd < 0)
            return SANDLOCK_ERROR;
        sandlock_respond_fd(r, fd, f->mode == M_FDBADFLAGS ? 0x80u : 0);
        return f->mode == M_FDERROR ? SANDLOCK_ERROR : SANDLOCK_OK;
    }
    case M_ERROR: return SANDLOCK_ERROR;
    case M_UNSET: break;
    case M_ERRNO0: sandlock_respond_errno(r, 0); break;
    case M_ERRNO5000: sandlock_respond_errno(r, 5000); break;
    case M_SIGNAL0: sandlock_respond_kill(r, 0); break;
    case M_SIGNAL99: sandlock_respond_kill(r, 99); break;
    case M_FD1: sandlock_respond_fd(r, 1, 0); break;
    case M_FDCLOSED: {
        int fd = 987;
        while (fcntl(fd, F_GETFD) >= 0)
            fd++;
        sandlock_respond_fd(r, fd, 0);
        break;
    }
    case M_FDLISTENER: sandlock_respond_fd(r, find_listener(), 0); break;
    case M_SEGV: {
        /* A real fault, not a null dereference (UBSan would see that). */
        volatile int *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *page = 1;
        break;
    }
    case M_ABORT: abort();
    case M_BUS: {
        /* Touching a shared mapping past the end of its (empty) file. */
        int fd = memfd_create("fixture-bus", MFD_CLOEXEC);
        volatile char *p = fd < 0 ? NULL : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (fd >= 0)
            close(fd);
        if (p && p != MAP_FAILED)
            p[0] = 1;
        break;
    }
    case M_ILL:
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("ud2");
#else
        __builtin_trap();
#endif
        break;
    case M_FPE: {
#if defined(__x86_64__)
        /* Division by zero in asm: a real #DE, invisible to UBSan. */
        long a = 1, b = 0;
        __asm__ volatile("cqo; idivq %1" : "+a"(a) : "r"(b) : "rdx");
        r->value = a;
#else
        raise(SIGFPE);
#endif
        break;
    }
    }
    return SANDLOCK_OK;
}

static const sandlock_plugin fixture_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "fixture",
    .version = "0",
    .description = "integration-test fixture",
    .init = fixture_init,
    .syscalls = fixture_syscalls,
    .handle = fixture_handle,
    .fini = fixture_fini,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return &fixture_plugin;
}
