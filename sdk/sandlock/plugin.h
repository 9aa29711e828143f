/*
 * sandlock/plugin.h -- the sandlock plugin SDK, ABI version 1.
 *
 * This header is the whole contract between the sandlock supervisor (the
 * "host") and a plugin. A plugin is a shared object that exports exactly one
 * symbol, SANDLOCK_PLUGIN_ENTRY, and never links against the host: every
 * service it uses comes through the host table passed to that entry point.
 *
 * ---------------------------------------------------------------------------
 * How a plugin is used
 * ---------------------------------------------------------------------------
 *
 *   1. sandlock.ini names an instance:  [plugin my-audit]  module = audit
 *   2. The host dlopen()s audit.so (RTLD_NOW | RTLD_LOCAL), resolves
 *      SANDLOCK_PLUGIN_ENTRY and calls it with the host table. The entry
 *      returns a pointer to the plugin's static const vtable.
 *   3. The host checks vtable->abi_version and vtable->struct_size, copies
 *      the vtable into a zeroed local of its own size, and checks that the
 *      required callbacks are present.
 *   4. init() is called once per instance with that instance's keys. The
 *      same module may back several instances; each gets its own state.
 *   5. syscalls() names the system calls the instance wants to see. The host
 *      merges the lists of all instances into one seccomp filter.
 *   6. While the sandbox runs, handle() is called for every trapped call of
 *      those syscalls, in chain order (the order of the [plugin] sections).
 *      The first instance that answers anything other than Continue decides.
 *   7. fini() is called once per instance when the host shuts down -- also
 *      when a later instance failed to load, and after a crash quarantined
 *      the instance.
 *
 * ---------------------------------------------------------------------------
 * Versioning rules
 * ---------------------------------------------------------------------------
 *
 * Every structure that crosses the boundary starts with two fields: the ABI
 * version its writer was built for and its size in bytes. Members are only
 * ever appended, grouped under the ABI revision that added them. A reader
 * copies min(its size, struct_size) bytes into a zeroed local, so members
 * the writer did not know read as zero / NULL. Before calling a host
 * function added after revision 1.0, a plugin checks
 * SANDLOCK_HOST_HAS(host, member) -- see below.
 *
 * The major version is part of the entry symbol's name: a plugin built for
 * ABI 2 simply has no sandlock_plugin_entry_v1 and is reported as such.
 *
 * ---------------------------------------------------------------------------
 * Threads
 * ---------------------------------------------------------------------------
 *
 * init(), syscalls() and fini() are called once, from one thread, never
 * concurrently with anything else of the same instance.
 * handle() MAY BE CALLED CONCURRENTLY from several host threads
 * ([sandlock] workers = N), for different notifications, with the same
 * state pointer. Instance state must be read-only after init() or protected
 * by the plugin. handle() should return quickly: a slow handle() stalls one
 * host worker; use deferral (below) for slow decisions.
 * All host table functions are thread-safe unless their comment says
 * otherwise.
 *
 * ---------------------------------------------------------------------------
 * Faults
 * ---------------------------------------------------------------------------
 *
 * If handle() crashes (SIGSEGV, SIGBUS, SIGILL, SIGFPE, abort()), returns
 * SANDLOCK_ERROR, leaves the verdict unset or gives an invalid verdict, the
 * host applies the instance's exception policy (on_exception = kill, eperm,
 * eio or continue) to the notification. After a crash the instance is
 * quarantined: it is never called again and every later notification it
 * would have seen gets its exception policy. fini() is not called for a
 * quarantined instance (its state may be corrupt).
 */
#ifndef SANDLOCK_PLUGIN_H
#define SANDLOCK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI major version: changes only when old plugins can no longer work. It is
 * part of the entry symbol's name. */
#define SANDLOCK_ABI_MAJOR 1
/* ABI revision within the major version: bumped when members are appended. */
#define SANDLOCK_ABI_MINOR 0
/* The value stored in every abi_version field: major << 16 | minor. */
#define SANDLOCK_ABI_VERSION ((SANDLOCK_ABI_MAJOR << 16) | SANDLOCK_ABI_MINOR)

/* The one symbol a plugin exports. */
#define SANDLOCK_PLUGIN_ENTRY sandlock_plugin_entry_v1
#define SANDLOCK_PLUGIN_ENTRY_NAME "sandlock_plugin_entry_v1"

/* Status returned by init() and handle(). */
#define SANDLOCK_OK 0
#define SANDLOCK_ERROR (-1)

/* Log levels for host->log(). Messages above [sandlock] log_level are
 * dropped by the host. */
#define SANDLOCK_LOG_ERROR 0
#define SANDLOCK_LOG_WARN 1
#define SANDLOCK_LOG_INFO 2
#define SANDLOCK_LOG_DEBUG 3

/* Size of the error buffer init() may write a message into (including the
 * terminating NUL). The host shows it next to the instance's name. */
#define SANDLOCK_ERRBUF_SIZE 256

/* An instance's configuration: the keys of its [plugin NAME] section other
 * than module, on_exception and enabled. Also identifies the instance to
 * host->log(). Valid from init() until fini() returns. */
typedef struct sandlock_config sandlock_config;

/* Names one notification for host services. It is a value, not a pointer:
 * once the notification has been answered every service given the handle
 * fails with -ESRCH instead of touching another notification. */
typedef uint64_t sandlock_handle;

/* ------------------------------------------------------------------------
 * The event: a snapshot of one seccomp notification.
 *
 * Written by the host, read-only for the plugin, valid only during the
 * handle() call it is passed to (copy what you need to keep). The handle
 * member stays usable after handle() returns only while the notification is
 * deferred.
 * ------------------------------------------------------------------------ */
typedef struct sandlock_event {
    uint32_t abi_version;          /* SANDLOCK_ABI_VERSION of the host */
    uint32_t struct_size;          /* sizeof(sandlock_event) of the host */
    /* --- ABI 1.0 --- */
    uint64_t id;                   /* the kernel's notification id */
    uint32_t pid;                  /* trapped thread id, in the host's PID
                                      namespace; 0 if the kernel could not
                                      name it there */
    int32_t nr;                    /* syscall number for arch */
    uint32_t arch;                 /* AUDIT_ARCH_* of the call */
    uint32_t reserved0;
    uint64_t instruction_pointer;  /* of the trapped call */
    uint64_t args[6];              /* raw syscall arguments */
    const char *syscall_name;      /* e.g. "openat" */
    sandlock_handle handle;        /* for host services (see host table) */
} sandlock_event;

/* ------------------------------------------------------------------------
 * The response: the plugin's verdict.
 *
 * The host zeroes it and fills the version fields before each handle()
 * call; the plugin sets exactly one verdict, preferably with the helpers
 * below. A verdict left at SANDLOCK_VERDICT_UNSET is a plugin failure and
 * triggers the exception policy.
 * ------------------------------------------------------------------------ */
typedef enum sandlock_verdict {
    SANDLOCK_VERDICT_UNSET = 0,
    /* Not mine to decide: the next instance in the chain runs; if none is
     * left the kernel runs the syscall as the child asked. The kernel reads
     * pointer arguments again after this, so a decision based on child
     * memory must not be a Continue (see host->open_path). */
    SANDLOCK_VERDICT_CONTINUE = 1,
    /* The syscall fails with errno `error` (1..4095); it does not run. */
    SANDLOCK_VERDICT_ERRNO = 2,
    /* The syscall returns `value` without running. */
    SANDLOCK_VERDICT_RETURN = 3,
    /* The whole sandbox is killed; sandlock exits with 128 + `signal`.
     * The supervisor is never signalled, whatever pid the event carries. */
    SANDLOCK_VERDICT_KILL = 4,
    /* The host installs the plugin's descriptor `fd` in the trapped process
     * and the syscall returns the new descriptor number. The host takes
     * ownership of `fd` as soon as handle() returns -- on every path,
     * including failures -- and closes it exactly once. fd must be open,
     * greater than 2. `fd_flags` may hold SANDLOCK_FD_NO_CLOEXEC. */
    SANDLOCK_VERDICT_FD = 5,
    /* The answer comes later through host->answer(); see host->defer(). */
    SANDLOCK_VERDICT_DEFER = 6,
} sandlock_verdict;

/* fd_flags: by default the installed descriptor is close-on-exec in the
 * child; this flag installs it without O_CLOEXEC. */
#define SANDLOCK_FD_NO_CLOEXEC 1u

typedef struct sandlock_response {
    uint32_t abi_version;  /* set by the host */
    uint32_t struct_size;  /* set by the host */
    /* --- ABI 1.0 --- */
    uint32_t verdict;      /* enum sandlock_verdict */
    int32_t error;         /* ERRNO: positive errno value */
    int64_t value;         /* RETURN: the syscall's return value */
    int32_t signal;        /* KILL: signal number reported (1..64) */
    int32_t fd;            /* FD: descriptor owned by the plugin until
                              handle() returns */
    uint32_t fd_flags;     /* FD: SANDLOCK_FD_* */
    uint32_t reserved0;
} sandlock_response;

static inline void sandlock_respond_continue(sandlock_response *r)
{
    r->verdict = SANDLOCK_VERDICT_CONTINUE;
}

static inline void sandlock_respond_errno(sandlock_response *r, int error)
{
    r->verdict = SANDLOCK_VERDICT_ERRNO;
    r->error = error;
}

static inline void sandlock_respond_return(sandlock_response *r, int64_t value)
{
    r->verdict = SANDLOCK_VERDICT_RETURN;
    r->value = value;
}

static inline void sandlock_respond_kill(sandlock_response *r, int signal)
{
    r->verdict = SANDLOCK_VERDICT_KILL;
    r->signal = signal;
}

static inline void sandlock_respond_fd(sandlock_response *r, int fd, unsigned flags)
{
    r->verdict = SANDLOCK_VERDICT_FD;
    r->fd = fd;
    r->fd_flags = flags;
}

static inline void sandlock_respond_defer(sandlock_response *r)
{
    r->verdict = SANDLOCK_VERDICT_DEFER;
}

/* Flags for host->content_fd(). */
#define SANDLOCK_CONTENT_WRITABLE 1u  /* do not seal the memfd read-only */

/* Results of host->mem_read_string() and host->resolve_path() besides
 * success (a length >= 0) are negative errno values:
 *   -EFAULT        the address (or part of the string) is not readable
 *   -ENAMETOOLONG  the string did not fit: buf holds a NUL-terminated
 *                  prefix, which is NOT the whole string
 *   -ESRCH         the notification is no longer live (answered, timed out,
 *                  the task died) -- nothing read can be trusted
 *   -EINVAL        bad arguments (NULL buffer, zero size)             */

/* ------------------------------------------------------------------------
 * The host table, passed to the entry point. Valid for the whole life of
 * the plugin (until the host dlclose()s it after the last fini()).
 * ------------------------------------------------------------------------ */
typedef struct sandlock_host {
    uint32_t abi_version;   /* SANDLOCK_ABI_VERSION of the host */
    uint32_t struct_size;   /* sizeof(sandlock_host) of the host */
    /* --- ABI 1.0 --- */
    const char *host_version;   /* sandlock's package version, "0.1.0" */

    /* Log a message, prefixed with the instance's name, at `level`
     * (SANDLOCK_LOG_*). printf-style. Messages go to sandlock's stderr. */
    void (*log)(const sandlock_config *cfg, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* --- configuration (see sandlock.ini(5)) --- */

    /* The last value given for `key`, or NULL when the key is absent. */
    const char *(*config_get)(const sandlock_config *cfg, const char *key);

    /* All values of a repeatable key, in file order. Stores up to `max`
     * pointers in `values` and returns how many values exist in total (may
     * be more than max; call with max = 0 to count). */
    size_t (*config_get_all)(const sandlock_config *cfg, const char *key,
                             const char **values, size_t max);

    /* Iterate over every key/value pair in file order. Start with
     * *cursor = 0; returns 1 and sets *key and *value while pairs remain,
     * then 0. */
    int (*config_next)(const sandlock_config *cfg, size_t *cursor,
                       const char **key, const char **value);

    /* Typed parsers. Each returns 0 and stores the result, or -EINVAL for
     * text that is not a valid value (nothing is stored).
     *   parse_bool:     yes/no, true/false, on/off, 1/0 (any case)
     *   parse_int:      decimal, 0x hex or 0 octal, with optional sign
     *   parse_size:     bytes with optional K, M, G or T suffix (powers of
     *                   1024), e.g. "64K"
     *   parse_duration: to nanoseconds; number with ns, us, ms, s, m or h
     *                   (a bare number means seconds), e.g. "250ms"
     *   parse_errno:    an errno name ("EACCES") or number (1..4095)
     *   parse_signal:   a signal name with or without SIG ("SIGTERM",
     *                   "TERM") or a number (1..64)                    */
    int (*parse_bool)(const char *text, int *out);
    int (*parse_int)(const char *text, int64_t *out);
    int (*parse_size)(const char *text, uint64_t *out);
    int (*parse_duration)(const char *text, uint64_t *out_ns);
    int (*parse_errno)(const char *text, int *out);
    int (*parse_signal)(const char *text, int *out);

    /* --- child memory --- All return the number of bytes handled or a
     * negative errno (see the list above). Every access is checked against
     * the notification's liveness after the copy.
     *
     * mem_read: read exactly `len` bytes at `addr` of the trapped process;
     *   -EFAULT if any byte is unreadable (nothing partial is returned).
     * mem_read_string: read a NUL-terminated string into buf (size >= 1);
     *   returns its length without the NUL, -ENAMETOOLONG when it did not
     *   fit, -EFAULT on a fault. Never reads past the end of a mapping.
     * mem_write: write exactly `len` bytes at `addr`.                   */
    ssize_t (*mem_read)(sandlock_handle h, uint64_t addr, void *buf, size_t len);
    ssize_t (*mem_read_string)(sandlock_handle h, uint64_t addr, char *buf,
                               size_t size);
    ssize_t (*mem_write)(sandlock_handle h, uint64_t addr, const void *buf,
                         size_t len);

    /* --- paths as the child sees them ---
     *
     * resolve_path: given the child's dirfd argument (AT_FDCWD or one of
     *   its descriptors, as passed in the syscall -- pass the raw argument
     *   cast to int) and the address of its path argument, write the
     *   absolute, lexically normalised path the child names (".", ".." and
     *   "//" folded; symlinks NOT followed) into buf. The path is relative
     *   to the child's root directory. Returns the length or a negative
     *   errno as above.
     * open_path: open the absolute path `path` (as produced by resolve_path)
     *   on the child's behalf, inside the child's root directory, with
     *   open(2) `flags` and `mode`. Returns a descriptor owned by the caller
     *   (typically handed back with sandlock_respond_fd), or -errno.
     *   Checking a resolved path and then answering with open_path()'s
     *   descriptor closes the time-of-check/time-of-use race of Continue. */
    ssize_t (*resolve_path)(sandlock_handle h, int dirfd, uint64_t path_addr,
                            char *buf, size_t size);
    int (*open_path)(sandlock_handle h, const char *path, int flags,
                     mode_t mode);

    /* --- the child's descriptors ---
     * dup_child_fd: duplicate descriptor `child_fd` of the trapped process
     *   into the supervisor (pidfd_getfd). The caller owns and closes the
     *   result. Returns the descriptor or -errno (-EBADF: not open).      */
    int (*dup_child_fd)(sandlock_handle h, int child_fd);

    /* --- content descriptors ---
     * content_fd: a memfd holding `len` bytes of `data`, offset rewound to
     *   0, sealed read-only (writes fail with EPERM) unless flags has
     *   SANDLOCK_CONTENT_WRITABLE. The caller owns the descriptor; hand it
     *   to sandlock_respond_fd() to give the child its own copy.
     *   Returns the descriptor or -errno. Needs no notification.          */
    int (*content_fd)(const char *name, const void *data, size_t len,
                      unsigned flags);

    /* --- deferred answers ---
     * defer: called inside handle(), before returning a DEFER verdict.
     *   Registers the notification as deferred; `h` (and its memory and
     *   path services) stays valid until it is answered. Returns 0, or
     *   -EAGAIN when [sandlock] max_deferred notifications are already
     *   pending (then answer normally; a DEFER verdict without a successful
     *   defer() gives the child EAGAIN).
     * answer: answer a deferred notification from any thread with a full
     *   verdict (same rules as handle()'s; ownership of an FD verdict's fd
     *   passes to the host on every path). Returns 0 when the answer was
     *   delivered (or the task had died meanwhile), -EALREADY for a second
     *   answer, -ETIMEDOUT when defer_timeout passed and the host already
     *   answered EIO, -ECANCELED when the sandbox has exited, -EINVAL for an
     *   invalid verdict (the child then gets the exception policy).       */
    int (*defer)(sandlock_handle h);
    int (*answer)(sandlock_handle h, const sandlock_response *response);
} sandlock_host;

/* True when the host table has member `m` (a function added in a later
 * revision): checks the table's size and that the pointer is set. */
#define SANDLOCK_HOST_HAS(host, m)                                           \
    ((host)->struct_size >= offsetof(sandlock_host, m) + sizeof((host)->m) && \
     (host)->m != NULL)

/* ------------------------------------------------------------------------
 * The vtable a plugin provides. Make it `static const`.
 * ------------------------------------------------------------------------ */
typedef struct sandlock_plugin {
    uint32_t abi_version;      /* SANDLOCK_ABI_VERSION */
    uint32_t struct_size;      /* sizeof(sandlock_plugin) */
    /* --- ABI 1.0 --- */
    const char *name;          /* module name, e.g. "audit" */
    const char *version;       /* plugin's own version, e.g. "1.2.0" */
    const char *description;   /* one line for `sandlock check` */

    /* Create the state of one instance from its configuration. On failure
     * write a message into errbuf (SANDLOCK_ERRBUF_SIZE bytes), release
     * anything allocated and return SANDLOCK_ERROR; fini() is then NOT
     * called for this instance. Required. */
    int (*init)(const sandlock_host *host, const sandlock_config *cfg,
                void **state, char *errbuf);

    /* The syscalls this instance wants to handle, by name, NULL-terminated,
     * owned by the plugin and valid until fini(). Names that do not exist on
     * the host's architecture are skipped with a log line; an unknown name,
     * an empty list or a syscall on sandlock's deny list is a load error.
     * Required. */
    const char *const *(*syscalls)(void *state);

    /* Decide one notification: set a verdict in `response` and return
     * SANDLOCK_OK, or return SANDLOCK_ERROR (exception policy). May run
     * concurrently (see Threads). Required. */
    int (*handle)(void *state, const sandlock_event *event,
                  sandlock_response *response);

    /* Release the instance's state. Optional (NULL: nothing to release). */
    void (*fini)(void *state);
} sandlock_plugin;

/* Declares the entry point with default visibility, so a plugin built with
 * -fvisibility=hidden still exports it:
 *
 *     static const sandlock_plugin my_plugin = { ... };
 *     SANDLOCK_PLUGIN_DEFINE(host) { (void)host; return &my_plugin; }
 *
 * The entry may look at the host table (version, size) and return NULL to
 * refuse to load; the host then reports the plugin as incompatible. */
#define SANDLOCK_PLUGIN_DEFINE(host_param)                                   \
    __attribute__((visibility("default"))) const sandlock_plugin *            \
    SANDLOCK_PLUGIN_ENTRY(const sandlock_host *host_param)

typedef const sandlock_plugin *(*sandlock_plugin_entry_fn)(
    const sandlock_host *host);

/* The entry point's prototype (defined by the plugin with the macro above). */
__attribute__((visibility("default"))) const sandlock_plugin *
SANDLOCK_PLUGIN_ENTRY(const sandlock_host *host);

#ifdef __cplusplus
}
#endif

#endif /* SANDLOCK_PLUGIN_H */
