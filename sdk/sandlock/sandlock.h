/*
 * sandlock/sandlock.h -- libsandlock: the sandlock supervisor as a library
 * (link with `pkg-config --libs sandlock`; see sandlock(3)).
 *
 * A context (sandlock_ctx) holds a configuration -- the same sandlock.ini
 * format as the sandlock program's, with the same FILE:LINE errors -- the
 * plugin instances of its chains, and options. Instances come from module
 * files (dlopen(), as sandlock.ini names them) or from the program itself:
 * a `const sandlock_plugin *` vtable (the plugin SDK's, <sandlock/plugin.h>)
 * with a pointer of the program's own that the plugin reads with
 * host->user_data(cfg), so one plugin can be shipped either way.
 *
 *     sandlock_ctx *ctx = sandlock_ctx_new();
 *     sandlock_ctx_add_plugin(ctx, "mine", &my_plugin, &my_state, NULL);
 *     int status = sandlock_ctx_run(ctx, argv);   // the sandlock program's exit status
 *     sandlock_ctx_free(ctx);
 *
 * Errors: functions that can fail return 0 or -1 (sandlock_ctx_new: NULL)
 * and leave a message, "FILE:LINE: what" for configuration errors, in
 * sandlock_ctx_errmsg(). The library never exits and never prints by
 * itself: log lines (warnings, denials, -v traces) go where the options
 * say (a callback, or stderr), and by default nowhere.
 *
 * Runs: a context may run any number of times, one after another, and
 * several contexts of a process may run at the same time (from one thread
 * or several), each with its own instances, workers, sandbox, statistics
 * and exit status; a kill verdict of one kills only its own sandbox.
 * During a run the calling process is the sandbox's supervisor: see "What
 * a run changes" below (what is process-wide there is saved by the first
 * of overlapping runs and put back by the last).
 *
 * Plugins: each run loads the instances (init()), runs the command and
 * ends them (fini(), exactly once for every init() that succeeded, also
 * when a later instance fails to load or the run fails to start). An
 * in-process instance's user data belongs to the context from the call
 * that adds it: free_user_data() runs exactly once -- when the context is
 * freed, or at once when adding fails.
 *
 * What a run changes in the calling process (documented process-wide
 * state; restored when the run ends unless said otherwise):
 *   - SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT handlers that contain a
 *     crashing plugin, and a SIGUSR1 handler that stops the workers: the
 *     program's own handlers are put back after the run.
 *   - The calling thread blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT;
 *     sandlock_ctx_wait() takes them (signalfd) and forwards them, sent to
 *     the process, to the command. Its mask is put back. Other threads of
 *     the program should block them too during a run.
 *   - The process is a child subreaper and not dumpable (so the sandbox
 *     cannot read its memory) during runs; both are put back.
 *   - SIGCHLD and the program's children are left alone: the sandbox is
 *     waited for through a pidfd and sends no SIGCHLD, and the program's
 *     waitpid(-1) never sees it.
 *   - Descriptors: none. The command gets the program's 0, 1 and 2 and
 *     no other, close-on-exec or not.
 *   - Worker threads (options.workers), joined before the run returns.
 */
#ifndef SANDLOCK_SANDLOCK_H
#define SANDLOCK_SANDLOCK_H

#include <stddef.h>
#include <stdint.h>

#include <sandlock/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported symbols carry this version node (the soname is libsandlock.so.0). */
#define SANDLOCK_LIB_SONAME_MAJOR 0

/* Exit statuses of sandlock_ctx_run()/sandlock_ctx_wait() besides the
 * command's own (0-125) and 128+N for a signal N. */
#define SANDLOCK_STATUS_ERROR 125        /* sandlock's own error: errmsg says which */
#define SANDLOCK_STATUS_NOT_EXECUTABLE 126
#define SANDLOCK_STATUS_NOT_FOUND 127

/* A configuration, its instances, options and the runs made with them.
 * Not thread-safe: one thread at a time uses a context (different
 * contexts may be used by different threads at once). */
typedef struct sandlock_ctx sandlock_ctx;

/* ------------------------------------------------------------------------
 * Options. Versioned like the plugin SDK's structures: the caller sets
 * version and struct_size (sandlock_options_init does), members are only
 * appended, and members the caller's header did not have read as 0, which
 * always means "the default".
 * ------------------------------------------------------------------------ */
#define SANDLOCK_OPTIONS_VERSION 1

/* Exception policy override (0: [sandlock] on_exception of the configuration). */
#define SANDLOCK_ON_EXCEPTION_CONFIG 0
#define SANDLOCK_ON_EXCEPTION_KILL 1
#define SANDLOCK_ON_EXCEPTION_EPERM 2
#define SANDLOCK_ON_EXCEPTION_EIO 3
#define SANDLOCK_ON_EXCEPTION_CONTINUE 4

/* flags */
#define SANDLOCK_OPT_STATS (1u << 0)        /* measure the time in handle() (handle_ns) */
#define SANDLOCK_OPT_TRACE (1u << 1)        /* a log line for every notification (sandlock -v) */
#define SANDLOCK_OPT_LOG_STDERR (1u << 2)   /* log lines go to fd 2 (unless log_fn is set) */

typedef struct sandlock_options {
    uint32_t version;        /* SANDLOCK_OPTIONS_VERSION */
    uint32_t struct_size;    /* sizeof(sandlock_options) */
    /* --- version 1 --- */
    uint32_t workers;        /* 1..64; 0: [sandlock] workers of the configuration */
    uint32_t on_exception;   /* SANDLOCK_ON_EXCEPTION_* */
    uint32_t flags;          /* SANDLOCK_OPT_* */
    uint32_t reserved;       /* 0 */
    /* Receives every log line (NUL-terminated, without newline; "sandlock:
     * warning: ..."), from the calling thread and from worker threads,
     * possibly at once; it must not call back into the library. */
    void (*log_fn)(void *log_arg, const char *line);
    void *log_arg;
} sandlock_options;

/* Fills *o with the defaults of this header's version. */
void sandlock_options_init(sandlock_options *o);

/* ------------------------------------------------------------------------
 * The context.
 * ------------------------------------------------------------------------ */

/* A context with an empty configuration (no instances; the built-in deny
 * list; [sandlock] defaults). NULL when out of memory. */
sandlock_ctx *sandlock_ctx_new(void);

/* Ends the context: frees the user data of its in-process instances
 * (free_user_data) and everything else. Not during a run. NULL is fine. */
void sandlock_ctx_free(sandlock_ctx *ctx);

/* The message of the last failure (never NULL; "" when none). Valid until
 * the next call with this context. */
const char *sandlock_ctx_errmsg(const sandlock_ctx *ctx);

/* Configuration: replaces the context's configuration with a file (and its
 * drop-in directory FILE.d, as sandlock -c FILE), with `text` (`source`
 * names it in messages), or with the sandlock program's default
 * ($SANDLOCK_CONFIG, the installed sandlock.ini, else the built-in
 * default). Only before any instance, setting or disabling was added. */
int sandlock_ctx_load_file(sandlock_ctx *ctx, const char *path);
int sandlock_ctx_load_string(sandlock_ctx *ctx, const char *text, const char *source);
int sandlock_ctx_load_default(sandlock_ctx *ctx);

/* "SECTION.KEY=VALUE" as sandlock --set (SECTION: sandlock or an instance
 * name), and --disable NAME. */
int sandlock_ctx_set(sandlock_ctx *ctx, const char *assignment);
int sandlock_ctx_disable(sandlock_ctx *ctx, const char *name);

/* Instance names: 1 to SANDLOCK_NAME_MAX letters, digits, '_', '-', '.'
 * (as in a [plugin NAME] header); a new name, added at the end of the
 * chains. */
#define SANDLOCK_NAME_MAX 42

/* An instance of a module file: `module` is a name searched as sandlock.ini
 * module = does, or a path (at most 4095 bytes). Its keys: sandlock_ctx_set. */
int sandlock_ctx_add_module(sandlock_ctx *ctx, const char *name, const char *module);

/* An instance of the program's own plugin: `plugin` (checked like a
 * module's vtable, and copied at each run) and `user_data`, which its
 * init() and handle() may read with host->user_data(cfg). `plugin` must
 * stay valid while the context lives. The context owns user_data from this
 * call on: free_user_data (may be NULL) runs exactly once, when the
 * context is freed -- or before this returns -1. */
int sandlock_ctx_add_plugin(sandlock_ctx *ctx, const char *name, const sandlock_plugin *plugin,
                            void *user_data, void (*free_user_data)(void *user_data));

/* The options of the next runs (copied). -1 for an unknown version, flag or
 * out-of-range value. */
int sandlock_ctx_set_options(sandlock_ctx *ctx, const sandlock_options *options);

/* ------------------------------------------------------------------------
 * Runs.
 * ------------------------------------------------------------------------ */

/* Runs argv (argv[0] found in $PATH, as execvp) in the sandbox until it and
 * every process of the sandbox ended. Returns the sandlock program's exit
 * status: the command's, 128+N after signal N (or a kill verdict N), 126/127
 * when it cannot be executed / found, SANDLOCK_STATUS_ERROR when the run
 * could not start (errmsg says why). argv must stay valid during the run. */
int sandlock_ctx_run(sandlock_ctx *ctx, char *const argv[]);

/* The same in two steps: start returns 0 once the command runs under its
 * supervisor (or -1), wait blocks until it ended and returns the status.
 * Between the two the calling thread may do anything, other runs
 * included; every started run must be waited for. */
int sandlock_ctx_start(sandlock_ctx *ctx, char *const argv[]);
int sandlock_ctx_wait(sandlock_ctx *ctx);

/* ------------------------------------------------------------------------
 * Statistics of the last run that ended (as sandlock run --stats).
 * ------------------------------------------------------------------------ */
#define SANDLOCK_STATS_VERSION 1

typedef struct sandlock_instance_stats {
    uint32_t version;          /* SANDLOCK_STATS_VERSION, set by the caller */
    uint32_t struct_size;      /* sizeof(sandlock_instance_stats), set by the caller */
    /* --- version 1 --- */
    const char *name;          /* the instance; valid until the next run or free */
    uint64_t calls;            /* notifications it was asked about (and static answers) */
    uint64_t continued;        /* verdicts, by kind */
    uint64_t errno_answers;
    uint64_t return_answers;
    uint64_t kills;
    uint64_t fds;
    uint64_t deferred;
    uint64_t denied;           /* host->report_denial() calls */
    uint64_t exceptions;       /* exception policy applied */
    uint64_t statics;          /* answered from a static verdict */
    uint64_t handle_ns;        /* time in handle() (SANDLOCK_OPT_STATS) */
} sandlock_instance_stats;

/* How many instances the last run had. */
size_t sandlock_ctx_stats_count(const sandlock_ctx *ctx);

/* Fills *out (its first struct_size bytes) for instance `index` in chain
 * order. -1 when there is none or out's version is not known. */
int sandlock_ctx_instance_stats(const sandlock_ctx *ctx, size_t index, sandlock_instance_stats *out);

/* Notifications of the index-th intercepted syscall (ascending numbers):
 * its name into *name (valid like a stats name) and count. -1 past the end. */
int sandlock_ctx_syscall_stats(const sandlock_ctx *ctx, size_t index, const char **name, uint64_t *notifications);

/* Notifications that vanished before a worker received them (a signal
 * interrupted the call; see SIGNALS AND EINTR in sandlock.ini(5)). */
uint64_t sandlock_ctx_vanished(const sandlock_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SANDLOCK_SANDLOCK_H */
