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
 *   4. The host checks the instance's keys against those the plugin
 *      declares (since ABI 1.6, see "Declared keys"), then calls init()
 *      once per instance with them. The same module may back several
 *      instances; each gets its own state. The sandbox's first process may
 *      already be starting meanwhile (it waits for every init()): what an
 *      init() changes in sandlock's process (working directory, umask,
 *      limits, signal dispositions) does not reach the command; what the
 *      sandbox gets from an instance is what it asks the host for (masks,
 *      syscall rules).
 *   5. syscalls() names the system calls the instance wants to see (since
 *      ABI 1.4 init() may instead declare syscall rules: argument
 *      predicates and static verdicts, see "Syscall rules"). The host
 *      merges the lists of all instances into one seccomp filter.
 *   6. While the sandbox runs, handle() is called for every trapped call of
 *      those syscalls, in chain order (the order of the [plugin] sections).
 *      The first instance that answers anything other than Continue decides.
 *   7. fini() is called once per instance when the host shuts down -- also
 *      when a later instance failed to load, and after a crash quarantined
 *      the instance. The `sandlock` program leaves the module mapped
 *      after the last fini(): its destructors run when the program exits;
 *      a program embedding libsandlock dlclose()s it.
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
 *
 * A crash in init(), syscalls() or fini() (since sandlock 1.6's host) ends
 * sandlock with status 125 and a message naming the instance, the module
 * and the call; the command does not start (init, syscalls) or its own
 * status is replaced (fini). fini() is not called after a crash in init()
 * or syscalls(). A crash in a thread the plugin started itself cannot be
 * contained: sandlock writes one line naming the module whose code
 * faulted (found from the faulting instruction's address) and dies of the
 * signal, and the sandbox dies with it (fail closed). A fault inside a
 * library the plugin called (libc's memcpy on a bad pointer) is named as
 * "outside any plugin call".
 *
 * ---------------------------------------------------------------------------
 * Signals and EINTR
 * ---------------------------------------------------------------------------
 *
 * Until a host worker receives a notification, the trapped thread waits
 * interruptibly: a signal caught by a handler installed without SA_RESTART
 * makes the call fail with EINTR before any instance is asked (with
 * SA_RESTART the kernel makes the call again, as a new notification). Once
 * received, only a fatal signal ends the wait. So every call a plugin
 * intercepts can fail with EINTR -- also calls the kernel never interrupts
 * and whose callers never retry: clone, fork, execve, exit_group, close,
 * dup2, and opens and other path calls on regular files. A shell's fork
 * then fails; a close that never ran leaves a pipe open forever. Intercept
 * those only when the plugin must, and never just to answer Continue;
 * `sandlock check` warns about each unless the configuration acknowledges
 * it (eintr_ok, "SIGNALS AND EINTR" in sandlock.ini(5)). A path rule the
 * kernel can enforce (mask_path) traps nothing.
 */
#ifndef SANDLOCK_PLUGIN_H
#define SANDLOCK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI major version: changes only when old plugins can no longer work. It is
 * part of the entry symbol's name. */
#define SANDLOCK_ABI_MAJOR 1
/* ABI revision within the major version: bumped when members are appended. */
#define SANDLOCK_ABI_MINOR 10
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

/* What host->mask_path() makes of a path (ABI 1.4). */
#define SANDLOCK_MASK_HIDE 1      /* empty, read-only, mode 0000 */
#define SANDLOCK_MASK_READONLY 2  /* as it is, read-only */
#define SANDLOCK_MASK_CONTENT 3   /* fixed bytes, read-only */
#define SANDLOCK_MASK_EXPOSE 4    /* as it is, inside a hidden directory */

/* Flags for host->resolve_path_flags() (ABI 1.1). */
#define SANDLOCK_RESOLVE_ANY_DIRFD 1u /* no -ENOTDIR check of dirfd */

/* What host->resolve_path_begin() keeps for resolve_path_end() (ABI 1.2):
 * copies of the child's directory and root, or -1. The plugin only stores
 * it and passes it back. */
typedef struct sandlock_held_dir {
    int dir;          /* the descriptor the relative path starts from, or -1 */
    int root;         /* the child's root when it may differ from the host's, or -1 */
    unsigned flags;   /* begin's flags */
} sandlock_held_dir;

/* Errors of the notification services (host table below). Every service
 * returns a negative errno value on failure; the common ones are:
 *   -ESRCH         the handle is stale or bogus, or the notification is no
 *                  longer pending in the kernel (answered, timed out, the
 *                  task died or was interrupted) -- nothing read may be
 *                  trusted, nothing was opened or written on its behalf
 *   -EFAULT        the child's address (or part of the range or string) is
 *                  not mapped, or not writable for a write
 *   -ENAMETOOLONG  a string or path did not fit the caller's buffer: buf
 *                  holds a NUL-terminated prefix, which is NOT the whole
 *                  string (never use it as if it were)
 *   -EINVAL        bad arguments (NULL buffer, zero size, unknown flags)
 *
 * Lifetime of a handle: from the start of handle() until the notification
 * is answered -- when handle() returns a verdict other than DEFER, or, for a
 * deferred notification, when host->answer() delivers, defer_timeout
 * expires or the sandbox exits. A handle is a value; using it later is safe
 * and fails with -ESRCH.
 *
 * Threads: every service below may be called from any thread, also from
 * threads the plugin started itself, and concurrently; except defer(),
 * which only works inside handle().
 *
 * Credentials: a service that acts on the child's behalf (open_path since
 * ABI 1.3; mkdir_path, unlink_path, rename_path, link_path, symlink_path
 * and stat_path since 1.8) does so with the trapped thread's credentials as they are at
 * that moment -- effective and file-system uid and gid, supplementary
 * groups, effective capabilities -- so it succeeds only where the child's
 * own call would; sandlock's stay in force for everything else (reading
 * the child's memory, naming its paths, copying its descriptors). A plugin
 * that makes such a call itself (rename, link, bind, connect on a copy of
 * the child's socket...) wraps it in run_as_child(). */

/* ------------------------------------------------------------------------
 * Syscall rules (ABI 1.4): argument predicates and static verdicts.
 *
 * syscalls() asks for every call of a syscall. From init(), an instance may
 * instead declare rules with host->add_syscall_rule(): "this syscall, only
 * when its arguments match these comparisons", answered either by handle()
 * (an argument predicate) or by the host itself with a fixed verdict,
 * without calling the plugin (a static verdict). A call that matches no
 * rule of any instance is not trapped: the kernel runs it at full speed.
 *
 * The comparisons are libseccomp's operators. A rule holds when ALL its comparisons hold
 * (at most SANDLOCK_RULE_MAX_CMP); several rules of an instance on one
 * syscall are OR-ed. A comparison looks at the raw argument register as
 * the kernel hands it to seccomp, unsigned and 64 bits wide:
 *   SANDLOCK_CMP_EQ, _NE, _LT, _LE, _GT, _GE    arg OP value
 *   SANDLOCK_CMP_MASKED_EQ                      (arg & mask) == value
 * An argument the kernel reads as an int or unsigned int (flags, fds,
 * socket domains, ioctl requests) may carry anything in its upper 32 bits:
 * the kernel ignores them, and a hostile child sets them. Compare such an
 * argument with op | SANDLOCK_CMP_32BIT: the low 32 bits of the argument
 * against the low 32 bits of value (and mask), so (uint64_t)-100 and
 * 0xffffff9c both mean AT_FDCWD. A 64-bit EQ 2 does not match the
 * child's 0x100000002, which the kernel reads as 2: that call would not
 * reach the plugin. All comparisons are unsigned. Only calls of the host's native architecture ever run (others
 * kill the process): there is no compat (32-bit) argument layout.
 *
 * Kernel and host: the filter holds every rule exactly (64-bit and 32-bit
 * comparisons alike), for each syscall in chain order -- sandlock's
 * built-in argument deny rules first, then every instance's rules in its
 * order -- and the first rule that matches decides what the kernel does: a
 * static errno fails the call there and then, any other rule traps it.
 * The host checks every trapped call again against the same rules (on the
 * notification's copy of the registers: no syscall, no allocation): an
 * instance is only called for calls that match one of its own rules.
 *
 * The chain keeps the configuration's order. For a trapped call the host
 * walks the instances that declared anything for the syscall, in that
 * order, and for each takes the FIRST of its rules on the syscall that
 * matches, in the order the instance declared them (add_syscall_rule()
 * rules first, then the names of syscalls(), which are rules without
 * comparisons). An instance without a matching rule is skipped, as if it
 * had answered Continue. A matching predicate calls handle() as before
 * (its Continue goes on to the next instance); a matching static verdict
 * is the instance's answer. So instances that predicate one syscall
 * differently each see exactly the calls their rules match, in chain order
 * where several match; an unconditional instance sees every call that
 * reaches it, and instances after it only what it Continues.
 *
 * Static verdicts: verdict SANDLOCK_VERDICT_ERRNO (error 1..4095), _RETURN
 * (value) or _KILL (signal 1..64: the whole sandbox, as from handle()).
 * A static ERRNO is compiled into the filter: a call it matches, and no
 * rule before it (of an earlier instance, or earlier of its own), never
 * leaves the kernel -- no notification, no chain, no --stats count. A call
 * that an earlier rule also matches is trapped for that rule, and if the
 * chain gets as far (every instance before Continues), the host gives the
 * errno itself. RETURN (seccomp can only fail a call with an errno, not
 * make it return a value) and KILL (a filter kill ends one process with
 * SIGSYS, not the sandbox with the chosen signal) stay in the chain: the
 * calls are trapped and the host answers them without calling handle().
 * `sandlock check` shows, per instance, which rules are in the filter and
 * which go through notifications, and why.
 *
 * Deny list: a rule may not name a syscall on sandlock's deny list (a load
 * error, as for syscalls()). The built-in argument deny rules (clone with
 * a namespace flag, raw sockets, ioctl(TIOCSTI), ...) come before every
 * plugin rule, in the filter and in the host: no predicate turns one of
 * them into a notification a plugin could Continue.
 * ------------------------------------------------------------------------ */
#define SANDLOCK_CMP_NE 1
#define SANDLOCK_CMP_LT 2
#define SANDLOCK_CMP_LE 3
#define SANDLOCK_CMP_EQ 4
#define SANDLOCK_CMP_GE 5
#define SANDLOCK_CMP_GT 6
#define SANDLOCK_CMP_MASKED_EQ 7
/* Or-ed into op: compare the low 32 bits only (int-typed arguments). */
#define SANDLOCK_CMP_32BIT 0x100u

#define SANDLOCK_RULE_MAX_CMP 6

/* rule.verdict of an argument predicate: call handle(). */
#define SANDLOCK_RULE_HANDLE 0

typedef struct sandlock_arg_cmp {
    uint32_t arg;          /* argument index, 0..5 */
    uint32_t op;           /* SANDLOCK_CMP_*, optionally | SANDLOCK_CMP_32BIT */
    uint64_t value;
    uint64_t mask;         /* MASKED_EQ only; value's bits must lie inside it */
} sandlock_arg_cmp;

typedef struct sandlock_syscall_rule {
    uint32_t abi_version;  /* SANDLOCK_ABI_VERSION */
    uint32_t struct_size;  /* sizeof(sandlock_syscall_rule) */
    /* --- ABI 1.4 --- */
    const char *syscall;   /* by name, as in syscalls(); copied by the host */
    uint32_t verdict;      /* SANDLOCK_RULE_HANDLE, or a static verdict:
                              SANDLOCK_VERDICT_ERRNO, _RETURN or _KILL */
    int32_t error;         /* ERRNO: 1..4095 */
    int64_t value;         /* RETURN: the syscall's return value */
    int32_t signal;        /* KILL: 1..64 */
    uint32_t ncmp;         /* 0..SANDLOCK_RULE_MAX_CMP; 0: every call */
    sandlock_arg_cmp cmp[SANDLOCK_RULE_MAX_CMP];
} sandlock_syscall_rule;

/* The run an instance belongs to (ABI 1.5, host->session): what a record
 * needs to tell runs appended to one log apart. Owned by the host. */
typedef struct sandlock_session {
    uint32_t abi_version;      /* SANDLOCK_ABI_VERSION of the host */
    uint32_t struct_size;      /* sizeof(sandlock_session) of the host */
    /* --- ABI 1.5 --- */
    const char *const *argv;   /* the command and its arguments, NULL-terminated */
    const char *config;        /* the configuration file read, or "<built-in>" */
    uint32_t pid;              /* sandlock's process id */
    int32_t status;            /* in fini(): the status sandlock exits with (see
                                  sandlock(1) EXIT STATUS); 125 before the
                                  command's status is known */
    /* --- ABI 1.7: the container, under `sandlock agent` (sandlock-agent(8));
     * check struct_size before reading. Outside the agent: container_id,
     * container_bundle and container_annotations NULL, container_pid 0;
     * under the agent argv is an empty list (no command: the runtime
     * started the container). Strings as the runtime sent them (state.id,
     * state.bundle, state.annotations, state.pid). --- */
    const char *container_id;
    const char *container_bundle;
    const char *const *container_annotations;  /* key, value, key, value, ..., NULL */
    uint32_t container_pid;    /* the container's init, in the agent's PID namespace */
} sandlock_session;

/* Whether session s has the container members (ABI 1.7). */
#define SANDLOCK_SESSION_HAS_CONTAINER(s) \
    ((s) && (s)->struct_size >= offsetof(sandlock_session, container_pid) + sizeof(uint32_t))

/* ------------------------------------------------------------------------
 * Declared keys (ABI 1.6).
 *
 * A plugin may list the keys of its [plugin NAME] sections in its vtable
 * (sandlock_plugin.keys), as tmux's commands declare their flags: then the
 * host checks every section before init() and reports, as FILE:LINE like
 * its own errors, a key the plugin does not declare ("unknown key 'x' in
 * [plugin NAME] (expected a, b, c)"), a value of the wrong kind, a
 * required key that is missing, and a key that is not repeatable given
 * twice in one file (a drop-in or --set still replaces it). init() then
 * reads the parsed values with host->config_number() and
 * host->config_list() (strings with config_get and config_get_all, as
 * before), and reports a value it rejects itself with host->config_error()
 * so that the message names the value's file and line too. `sandlock
 * plugins` lists every module's keys with their kinds and help.
 * A plugin without declared keys (keys NULL, or built for ABI 1.5 and
 * older) gets every key unchecked, as before, and checks them itself.
 *
 * The kinds and what the host accepts (the parsers of the host table):
 *   STRING    any text, also empty
 *   BOOL      yes/no, true/false, on/off, 1/0         config_number: 0 or 1
 *   INT       parse_int (64-bit signed)               config_number
 *   SIZE      parse_size, at most 2^63 - 1            config_number: bytes
 *   DURATION  parse_duration, at most 2^63 - 1 ns     config_number: ns
 *   ERRNO     parse_errno                             config_number: 1..4095
 *   SIGNAL    parse_signal                            config_number: 1..64
 *   PATH      an absolute path, or one starting with "~" (the plugin expands
 *             it); not empty                          config_get
 *   LIST      items separated by commas or blanks, every value of the key
 *             in file order (a list key is repeatable by nature); empty
 *             items are dropped                       config_list
 * ------------------------------------------------------------------------ */
#define SANDLOCK_KEY_STRING 1
#define SANDLOCK_KEY_BOOL 2
#define SANDLOCK_KEY_INT 3
#define SANDLOCK_KEY_SIZE 4
#define SANDLOCK_KEY_DURATION 5
#define SANDLOCK_KEY_ERRNO 6
#define SANDLOCK_KEY_SIGNAL 7
#define SANDLOCK_KEY_PATH 8
#define SANDLOCK_KEY_LIST 9

/* sandlock_key_decl.flags */
#define SANDLOCK_KEY_REPEATABLE 1u  /* may be given several times in a file */
#define SANDLOCK_KEY_REQUIRED 2u    /* the section must give it */

/* One declared key. The plugin's array ends with an entry whose name is
 * NULL. A name ending in '*' declares every key that starts with what
 * comes before it: vfile's keys are paths, its one name is '/' and '*'. */
typedef struct sandlock_key_decl {
    const char *name;      /* "errno" */
    uint32_t kind;         /* SANDLOCK_KEY_STRING ... _LIST */
    uint32_t flags;        /* SANDLOCK_KEY_REPEATABLE | SANDLOCK_KEY_REQUIRED */
    const char *help;      /* one line for `sandlock plugins`, e.g.
                              "errno of a denied call (default EACCES)" */
} sandlock_key_decl;

/* ------------------------------------------------------------------------
 * Arguments decoded once (ABI 1.8): host->syscall_paths and
 * host->sockaddr_decode.
 *
 * Where a path syscall keeps its path(s), its dirfd(s), its AT_* flags,
 * open flags and mode is one table in the host, not one per plugin.
 * syscall_paths() fills a sandlock_syscall_paths from an event; the plugin
 * then reads or resolves each path with the services above
 * (mem_read_string, resolve_path...) from path[i].dirfd and path[i].addr.
 * Every path string is read from the child once per notification, for the
 * whole chain: syscall_paths() reads them and the host keeps those bytes
 * until the notification is answered, so every later read of the same
 * address -- by this plugin, a later instance of the chain or any host
 * service -- sees the same bytes, however the child's threads rewrite its
 * memory meanwhile (one instance cannot be shown a harmless path and the
 * next a denied one). Other strings (an exec's argv) are kept as room
 * allows; the path strings are never pushed out by them.
 * ------------------------------------------------------------------------ */

/* sandlock_syscall_paths.flags: how the call treats path[0]. */
#define SANDLOCK_PATHS_FOLLOW 1u    /* a final symlink is followed, given the
                                       call's flags (O_NOFOLLOW, O_CREAT|O_EXCL,
                                       AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW,
                                       IN_DONT_FOLLOW) */
#define SANDLOCK_PATHS_EMPTY_OK 2u  /* "" names dirfd itself (AT_EMPTY_PATH given;
                                       readlinkat always) */
#define SANDLOCK_PATHS_NULL_OK 4u   /* a NULL path names dirfd itself (utimensat,
                                       futimesat; with AT_EMPTY_PATH since Linux 6.11) */
#define SANDLOCK_PATHS_OPEN 8u      /* an open (open, openat, openat2, creat):
                                       open_flags is set */

/* One path argument. */
typedef struct sandlock_path_arg {
    int32_t dirfd;         /* where a relative path starts: AT_FDCWD or the
                              child's descriptor (the raw argument as int) */
    uint32_t arg;          /* index of the path argument in event->args */
    uint64_t addr;         /* the path string's address in the child (0: NULL) */
} sandlock_path_arg;

typedef struct sandlock_syscall_paths {
    uint32_t abi_version;  /* SANDLOCK_ABI_VERSION of the caller */
    uint32_t struct_size;  /* sizeof(sandlock_syscall_paths) of the caller */
    /* --- ABI 1.8 --- */
    uint32_t count;        /* path arguments: 1, or 2 (rename and link
                              families: path[0] the old, path[1] the new) */
    uint32_t flags;        /* SANDLOCK_PATHS_* */
    uint64_t at_flags;     /* the call's flags argument, 0 when it has none:
                              AT_* (the *at calls, statx, execveat,
                              linkat...), unlinkat's AT_REMOVEDIR,
                              renameat2's RENAME_*, inotify_add_watch's mask */
    uint64_t open_flags;   /* OPEN: the O_* flags as the kernel applies them
                              (openat2: how.flags read from the child; creat:
                              O_CREAT|O_WRONLY|O_TRUNC; with O_PATH only
                              O_PATH, O_CLOEXEC, O_DIRECTORY and O_NOFOLLOW,
                              which is all the kernel looks at) */
    uint32_t mode;         /* the mode argument: of an open that creates
                              (O_CREAT, O_TMPFILE; 0 otherwise), creat,
                              mkdir(at), mknod(at) (type bits included),
                              chmod, fchmodat(2); else 0 */
    uint32_t next_arg;     /* index of the first argument after the paths and
                              their dirfds: stat's buffer, chmod's mode,
                              chown's uid, mknod's mode, readlink's buffer,
                              access's mode, the xattr name, execve's argv
                              (symlink, symlinkat: the target string is
                              argument 0 and is not a path argument; path[0]
                              is the link to create) */
    sandlock_path_arg path[2];
    /* --- ABI 1.10 (filled when struct_size covers it) --- */
    uint64_t resolve;      /* OPEN by openat2: how.resolve (RESOLVE_*) as
                              read with the flags; else 0 */
} sandlock_syscall_paths;

/* host->sockaddr_decode: `call`. */
#define SANDLOCK_SA_AS_GIVEN 0  /* read the address by its own family (a log) */
#define SANDLOCK_SA_CONNECT 1
#define SANDLOCK_SA_BIND 2
#define SANDLOCK_SA_SEND 3      /* sendto, sendmsg, sendmmsg */

/* sandlock_sockaddr.kind */
#define SANDLOCK_SA_NONE 0           /* no destination: AF_UNSPEC connect (a
                                        disconnect), AF_UNSPEC send on an IPv6
                                        UDP socket, a length of 0 */
#define SANDLOCK_SA_INET 1           /* IPv4: addr[0..3], port (also an
                                        IPv4-mapped IPv6 address: MAPPED) */
#define SANDLOCK_SA_INET6 2          /* IPv6: addr[0..15], port, scope_id */
#define SANDLOCK_SA_UNIX_PATH 3      /* name: the path, as the child gave it */
#define SANDLOCK_SA_UNIX_ABSTRACT 4  /* name: the abstract name without its
                                        leading NUL (may hold NULs: name_len) */
#define SANDLOCK_SA_UNIX_UNNAMED 5   /* no name: a bind autobinds */
#define SANDLOCK_SA_OTHER 6          /* another family (family says which) */

/* sandlock_sockaddr.flags */
#define SANDLOCK_SA_MAPPED 1u     /* INET read from an IPv4-mapped IPv6 address */
#define SANDLOCK_SA_THIS_HOST 2u  /* the address given means "this host"
                                     (0.0.0.0, ::, ::ffff:0.0.0.0 to connect
                                     or send to): addr is where the kernel
                                     goes, and the copy was rewritten so */

typedef struct sandlock_sockaddr {
    uint32_t abi_version;  /* SANDLOCK_ABI_VERSION of the caller */
    uint32_t struct_size;  /* sizeof(sandlock_sockaddr) of the caller */
    /* --- ABI 1.8 --- */
    uint32_t kind;         /* SANDLOCK_SA_* */
    uint32_t family;       /* the family the kernel reads (AF_INET for an
                              AF_UNSPEC send on an IPv4 socket...); the
                              address's own for OTHER */
    uint32_t flags;        /* SANDLOCK_SA_MAPPED, SANDLOCK_SA_THIS_HOST */
    uint32_t port;         /* INET, INET6: host byte order */
    uint32_t scope_id;     /* INET6 */
    uint32_t name_len;     /* UNIX_PATH, UNIX_ABSTRACT: bytes in name */
    uint8_t addr[16];      /* INET: 4 bytes, INET6: 16; network byte order */
    char name[112];        /* UNIX_PATH, UNIX_ABSTRACT, NUL-terminated */
} sandlock_sockaddr;

/* 1.8: one message a deputy sends for the child (host->deputy_send): the
 * sendmsg(2) of name, data and control as given (one iovec). */
typedef struct sandlock_deputy_msg {
    const void *name;      /* NULL: none */
    uint32_t namelen;
    uint32_t controllen;
    const void *control;   /* NULL: none */
    const void *data;
    size_t len;
} sandlock_deputy_msg;

/* ------------------------------------------------------------------------
 * Objects served as other content (ABI 1.10): host->serve_object.
 *
 * A plugin that shows a file with other content (vfile) cannot rely on
 * names where the kernel does not enforce it (no masks: masks = no, an
 * unprivileged sandlock without user namespaces, the OCI agent): the child
 * reaches the same file through a symbolic link, "..", /proc/self/root,
 * /proc/self/fd/N, a bind mount or a hard link, and a path that is let
 * through is read again by the kernel, after a thread of the child may
 * have rewritten it. So the host judges the object, not its name. From
 * init(), an instance registers "the object at PATH is served as this
 * content". The host takes the object's identity (st_dev, st_ino of the
 * regular file PATH reaches, symbolic links followed) in the sandbox's own
 * view -- its root and mounts; under the OCI agent, the container's --
 * when the sandbox's first notification arrives, before any instance
 * handles it, and keeps it with the content for the run (nothing there
 * then: that PATH is served by name only, by the instance). From then on
 * every descriptor the host hands the child -- the fd answer of any
 * instance (an open fsdeny makes for the child, a deferred one too) -- is
 * compared with those objects (one fstat) and, when it is one of them,
 * replaced by a fresh sealed memfd of the content (as content_fd makes it,
 * named PATH, close-on-exec as the answer asked), or answered EROFS when it
 * was opened for writing or with O_TRUNC. And an open (open, openat,
 * openat2, creat) whose chain ends in Continue is not given back to the
 * kernel, which would read the path again: the host makes it, on the bytes
 * the chain judged, as the child (root, mounts, credentials, umask;
 * openat2's RESOLVE_* flags kept; the child's own /proc/self links
 * followed as the child would), obtaining the object first so that a
 * served one is never opened; a FIFO that waits for its other end, or a
 * file whose lease must be broken, waits on a thread of the host's (the
 * notification deferred). An instance that defers an open itself must
 * then answer it with a descriptor, an errno or a value: a deferred
 * Continue of an open gets EPERM, logged, while objects are served (as for
 * judged socket calls). O_PATH opens stay the kernel's: they read
 * nothing, and reading through one is an open again. The serving instance
 * must intercept the open family (so that every open is notified) and
 * rename, link and unlink (so that none moves the file before its identity
 * is taken); vfile does. A session that registered nothing pays nothing; one
 * whose objects were not there pays one load per notification.
 * ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------
 * Socket calls judged together (ABI 1.9): host->sock_call.
 *
 * connect, bind, sendto, sendmsg and sendmmsg name an address; several
 * instances may judge one (fsdeny the path of a unix address, netguard
 * the address). The host takes the call's snapshot once per notification,
 * when an instance first asks: one copy of the child's socket
 * (pidfd_getfd), the address bytes read once, and a unix path resolved
 * once in the child's root, working directory and mount view with its
 * credentials and held as a descriptor. Every instance of the chain judges
 * that same snapshot. An instance answers Continue to allow the call or
 * an errno to refuse it; it never makes the call itself. Once a snapshot
 * was taken the call is never continued in the kernel (which would read
 * the child's descriptor and memory again): when the chain ends in
 * Continue the host makes the call exactly once, on the snapshot -- a
 * unix path through the held object, a unix stream or seqpacket connect
 * and a unix send by a deputy with the child's identity (deputy_connect,
 * deputy_send), a bind with the child's own name bytes, a bind of a
 * privileged port only when the child has CAP_NET_BIND_SERVICE, a call
 * that may block on a thread of the host's own (the notification is
 * deferred) -- and answers with its result, as the kernel would have.
 * ------------------------------------------------------------------------ */

/* sandlock_sock_target.flags */
#define SANDLOCK_SOCK_IGNORED 1u  /* the socket ignores or refuses this name
                                     (a send on a stream or seqpacket
                                     socket): it names no destination */
#define SANDLOCK_SOCK_MAGIC 2u    /* a unix path named through one of the
                                     child's /proc/self/fd/N or /dev/fd/N
                                     links: `named` is that spelling */

/* One address of the call: connect's, bind's, sendto's, or a message's. */
typedef struct sandlock_sock_target {
    const void *addr;      /* the bytes as copied from the child, len bytes
                              (NULL: the message names no address) */
    uint32_t len;
    uint32_t flags;        /* SANDLOCK_SOCK_* */
    int32_t error;         /* 0, or the -errno the call gets for this
                              address whatever the rules: the kernel's
                              answer to the address itself (-EINVAL,
                              -EAFNOSUPPORT...) or to the unix path's
                              lookup (-ENOENT, -EACCES, -ENOTDIR...) */
    int32_t hold;          /* UNIX_PATH: the object the path reaches, held
                              with O_PATH -- the socket file (connect,
                              send), or the directory the entry is made in
                              (bind); -1 when it did not resolve */
    sandlock_sockaddr sa;  /* what the kernel makes of the address on this
                              socket (sockaddr_decode; "this host" already
                              rewritten to where the kernel goes) */
    const char *named;     /* UNIX_PATH: the absolute, normalised path in
                              the child's root as the child named it
                              (relative ones from its working directory);
                              "" otherwise */
    const char *real;      /* UNIX_PATH: the held object's path in the
                              child's root (bind: with `base` appended):
                              symlinks resolved; "" when it cannot be told */
    const char *base;      /* UNIX_PATH bind: the entry's name; else "" */
} sandlock_sock_target;

typedef struct sandlock_sock_call {
    uint32_t abi_version;  /* SANDLOCK_ABI_VERSION of the host */
    uint32_t struct_size;  /* sizeof(sandlock_sock_call) of the host */
    /* --- ABI 1.9 --- */
    uint32_t call;         /* SANDLOCK_SA_CONNECT, _BIND or _SEND */
    int32_t error;         /* 0, or the -errno the whole call gets (-EBADF,
                              -ENOTSOCK, -EFAULT of a message array...);
                              nothing below is then set */
    int32_t sock;          /* the host's copy of the child's socket: look at
                              it (getsockopt, getsockname), never use it */
    int32_t domain, type, protocol;   /* SO_DOMAIN, SO_TYPE, SO_PROTOCOL */
    uint32_t count;        /* targets: 1 for connect, bind, sendto and
                              sendmsg; sendmmsg: the messages taken (at most
                              1024; 0 for an empty vector) */
    const sandlock_sock_target *target;
} sandlock_sock_call;

/* ------------------------------------------------------------------------
 * The host table, passed to the entry point. Valid for the whole life of
 * the plugin (until the host dlclose()s it after the last fini(), or the
 * process exits).
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
     *   parse_errno:    an errno name in any case ("EACCES", "eacces") or
     *                   a number (1..4095)
     *   parse_signal:   a signal name in any case, with or without SIG
     *                   ("SIGTERM", "TERM", "sigterm") or a number (1..64) */
    int (*parse_bool)(const char *text, int *out);
    int (*parse_int)(const char *text, int64_t *out);
    int (*parse_size)(const char *text, uint64_t *out);
    int (*parse_duration)(const char *text, uint64_t *out_ns);
    int (*parse_errno)(const char *text, int *out);
    int (*parse_signal)(const char *text, int *out);

    /* --- child memory ---
     * `addr` is an address in the trapped process (typically a pointer
     * argument from event->args). Each call checks, after the copy, that
     * the notification is still pending before it reports success, so a
     * result can be trusted; but the child's memory is the child's: another
     * of its threads may change it at any time, so re-read nothing and
     * decide on the copy (and prefer open_path() over Continue for paths).
     * Access goes through process_vm_readv/writev, or /proc/PID/mem where
     * the kernel refuses those.
     *
     * mem_read: read exactly `len` bytes at `addr` into buf. Returns len
     *   (0 for len 0), or -EFAULT if any byte is unreadable (buf's content
     *   is then unspecified), -ESRCH, -EINVAL (NULL buf with len > 0).
     * mem_read_string: read the NUL-terminated string at `addr` into buf
     *   (`size` bytes, NUL included). Returns its length without the NUL;
     *   -ENAMETOOLONG when it has size or more bytes (buf holds the first
     *   size - 1 and a NUL); -EFAULT when the string runs into unmapped
     *   memory before its NUL, or addr is NULL (buf is then ""); -ESRCH
     *   (buf ""); -EINVAL for a NULL buf or size 0. Reads page by page, so a
     *   string that ends just before an unmapped page is read whatever
     *   `size` is.
     * mem_write: write exactly `len` bytes of buf at `addr`. Returns len,
     *   or -EFAULT when part of the range is unmapped or read-only (the
     *   bytes before the first bad page may have been written), -ESRCH,
     *   -EINVAL. The liveness check runs before the write (an answer to a
     *   notification gone after it reaches nobody). In the /proc/PID/mem
     *   fallback the kernel writes read-only private pages too, as a
     *   debugger would.                                                   */
    ssize_t (*mem_read)(sandlock_handle h, uint64_t addr, void *buf, size_t len);
    ssize_t (*mem_read_string)(sandlock_handle h, uint64_t addr, char *buf,
                               size_t size);
    ssize_t (*mem_write)(sandlock_handle h, uint64_t addr, const void *buf,
                         size_t len);

    /* --- paths as the child sees them ---
     *
     * resolve_path: the path the child names with a (dirfd, path) pair of
     *   the openat family. `dirfd` is the raw argument cast to int
     *   (AT_FDCWD or one of the child's descriptors); `path_addr` the
     *   address of the path string. Relative paths start at the child's
     *   cwd (AT_FDCWD) or at the directory the dirfd names; the result is
     *   absolute, relative to the child's root directory (so a chrooted
     *   child's "/etc" is "/etc"), and lexically normalised: "." and empty
     *   components dropped, ".." removes the previous component (never
     *   above "/"). Symlinks are NOT followed, so the result is what the
     *   child wrote, not necessarily the file it would reach: check it, then
     *   open it with open_path() (which follows links inside the root) and
     *   answer with that fd. An empty path names the directory itself
     *   (AT_EMPTY_PATH). Writes the result into buf (`size` bytes) and
     *   returns its length. Errors: those of mem_read_string for the
     *   string (-ENAMETOOLONG also when the child's string exceeds
     *   PATH_MAX, or the result does not fit buf), -EBADF (dirfd not open
     *   in the child, or negative and not AT_FDCWD), -ENOTDIR (a relative
     *   path and dirfd is no directory), -EXDEV (the cwd or dirfd lies
     *   outside the child's root, so the path has no name the child could
     *   print), -ESRCH, -ENOMEM. A directory deleted while the child held
     *   it resolves with the kernel's " (deleted)" suffix.
     * open_path: open `path` on the child's behalf with open(2) `flags` and
     *   `mode`, resolving it inside the child's root directory
     *   (openat2(RESOLVE_IN_ROOT) on /proc/PID/root: "..", absolute
     *   symlinks and ".." in symlinks cannot leave that root). A relative
     *   path starts at the child's cwd. O_NOFOLLOW, O_CREAT, O_EXCL,
     *   O_DIRECTORY, O_TRUNC etc. act as for the child; created files get
     *   `mode` under the child's umask (not sandlock's) and are owned by
     *   its fsuid and fsgid; permissions are checked against the trapped
     *   thread's credentials (since 1.3; see "Credentials": a child that
     *   gave up root gets -EACCES where its own open would, and -EPERM
     *   when they cannot be taken over). Magic links such as
     *   /proc/PID/fd/N are refused (ELOOP), and /proc/self names the
     *   supervisor, not the child. The descriptor is close-on-exec in the
     *   supervisor and owned by the caller: close it, or hand it over with
     *   sandlock_respond_fd() (the host then owns it). Returns the fd or
     *   -errno: the kernel's error for the open (-ENOENT, -EACCES, -ELOOP,
     *   -EEXIST...), -ESRCH, -EXDEV (relative path, cwd outside the root),
     *   -EINVAL (NULL path). Checking a path and answering with this fd
     *   closes the time-of-check/time-of-use race of Continue.          */
    ssize_t (*resolve_path)(sandlock_handle h, int dirfd, uint64_t path_addr,
                            char *buf, size_t size);
    int (*open_path)(sandlock_handle h, const char *path, int flags,
                     mode_t mode);

    /* --- the child's descriptors ---
     * dup_child_fd: a copy of descriptor `child_fd` of the trapped process
     *   in the supervisor (pidfd_getfd(2)): the same open file description,
     *   so a socket copy can be inspected (getsockname, getsockopt) or used
     *   (connect, send) and the child sees the effect. The copy is
     *   close-on-exec and owned by the caller, who closes it (or hands it
     *   back with sandlock_respond_fd()). Returns the descriptor, or -EBADF
     *   (not open in the child), -ESRCH, -EPERM (the kernel refused access),
     *   -EMFILE.                                                        */
    int (*dup_child_fd)(sandlock_handle h, int child_fd);

    /* --- content descriptors ---
     * content_fd: a memfd (named `name`, or "sandlock" when NULL; the name
     *   only shows in /proc) holding `len` bytes copied from `data`, file
     *   offset 0. Unless flags has SANDLOCK_CONTENT_WRITABLE it is sealed
     *   (F_SEAL_WRITE, GROW, SHRINK and SEAL): writes fail with EPERM, for
     *   the child too. Typical use: sandlock_respond_fd(response, fd, 0) so
     *   the child's open() returns this content; the installed descriptor
     *   is close-on-exec in the child unless the verdict has
     *   SANDLOCK_FD_NO_CLOEXEC. The caller owns the fd until it hands it to
     *   the FD verdict (then the host closes it) or closes it itself. The
     *   child gets the same open file description, so hand one fd to one
     *   open only (they would share the offset). Needs no notification;
     *   usable any time after init(). Returns the fd, or -EINVAL (unknown
     *   flags, NULL data with len > 0), -ENOMEM, -EMFILE.                */
    int (*content_fd)(const char *name, const void *data, size_t len,
                      unsigned flags);

    /* --- deferred answers ---
     * defer: called inside handle() for its own event->handle, before
     *   returning sandlock_respond_defer(). The notification then waits
     *   (the child's thread stays blocked in the syscall) while the worker
     *   goes on with other notifications; `h` and the memory, path and fd
     *   services stay valid until the answer. Returns 0 (also when called
     *   twice), -EAGAIN when [sandlock] max_deferred notifications are
     *   already pending (answer normally instead; returning DEFER anyway
     *   gives the child EAGAIN), -EINVAL outside handle() or for another
     *   notification's handle, -ESRCH for a stale handle. If handle() then
     *   returns another verdict (or fails), that verdict is used and the
     *   deferral dropped (a later answer() gets -EALREADY).
     * answer: deliver the verdict of a deferred notification, from any
     *   thread, also from inside handle() before it returns DEFER. Same
     *   verdicts and rules as handle()'s, except DEFER; set response's
     *   abi_version and struct_size as the host does (a struct_size of 0
     *   is read as this header's size). An FD verdict's fd passes to the
     *   host on every path, errors included. Returns 0 when delivered (also
     *   when the child's thread had died meanwhile), -EALREADY when the
     *   notification was already answered, -ETIMEDOUT when defer_timeout
     *   ([sandlock], default 30s) passed first and the child got EIO,
     *   -ECANCELED when the sandbox exited first (the child got EIO if it
     *   still waited), -EINVAL for an invalid verdict (the child then gets
     *   the deferring instance's exception policy) or a notification that
     *   was never deferred, -ESRCH for a bogus handle, or the kernel's
     *   error for the answer itself.                                    */
    int (*defer)(sandlock_handle h);
    int (*answer)(sandlock_handle h, const sandlock_response *response);

    /* --- ABI 1.1 (check with SANDLOCK_HOST_HAS) --- */

    /* resolve_path_flags: resolve_path() with `flags` (0 is resolve_path
     *   itself):
     *   SANDLOCK_RESOLVE_ANY_DIRFD: a relative path is joined to what dirfd
     *     names without checking that it is a directory, so a file's dirfd
     *     gives "/the/file/name" instead of -ENOTDIR (a socket's or pipe's
     *     still gives -ENOTDIR: it has no path). Saves one stat of
     *     /proc/PID/fd/N per call. For plugins that only report the path
     *     (the kernel fails such a call with ENOTDIR anyway); a plugin that
     *     decides on the path keeps the check.
     *   Unknown flags: -EINVAL.                                          */
    ssize_t (*resolve_path_flags)(sandlock_handle h, int dirfd,
                                  uint64_t path_addr, char *buf, size_t size,
                                  unsigned flags);

    /* --- ABI 1.2 (check with SANDLOCK_HOST_HAS) --- */

    /* resolve_path_begin / resolve_path_end: resolve_path_flags() in two
     *   halves, for a plugin that reports paths and can name them after the
     *   child went on (audit). Naming the directory a descriptor refers to
     *   is the costly part of a resolution; begin only keeps a copy of the
     *   directory while the child waits, end names it later, on any
     *   thread, with no notification pending.
     * resolve_path_begin: resolve_path_flags(h, dirfd, path_addr, buf,
     *   size, flags), except when the path is relative to a descriptor
     *   (not AT_FDCWD): then buf receives the path as the child wrote it,
     *   *held copies of that descriptor (and, when the sandbox may change
     *   its root, of the child's root), held->dir is >= 0 and the result
     *   is the length of the relative path. In every other case held->dir
     *   is -1 and the result is resolve_path_flags' (also when the copy
     *   cannot be made, e.g. -EMFILE: the path is then resolved at once).
     *   NULL held: -EINVAL.
     * resolve_path_end: joins `relative` (what begin put into buf) to the
     *   directory *held keeps, strips the child's root and normalises, like
     *   resolve_path, into buf; returns the length or -errno: those of
     *   resolve_path_flags with begin's flags (-ENOTDIR for a descriptor
     *   that is no directory, -ENAMETOOLONG with the cut path, -EXDEV
     *   outside the child's root), -EINVAL when nothing is held. It always
     *   closes the copies and sets held->dir and held->root to -1; with a
     *   NULL buf (or size 0) it only closes them (returns 0): a begun
     *   resolution must be ended exactly once.
     *   The directory is named as it is when end runs: renamed since the
     *   call, it shows its new name; removed since, the path it had.
     *   Each held copy is an open descriptor of the supervisor (which keeps
     *   the file open: a pipe's reader sees its end a little later, too):
     *   end them soon and bound how many a plugin keeps.                 */
    ssize_t (*resolve_path_begin)(sandlock_handle h, int dirfd,
                                  uint64_t path_addr, char *buf, size_t size,
                                  unsigned flags, sandlock_held_dir *held);
    ssize_t (*resolve_path_end)(sandlock_held_dir *held, const char *relative,
                                char *buf, size_t size);

    /* --- ABI 1.3 (check with SANDLOCK_HOST_HAS) --- */

    /* run_as_child: calls fn(arg) on the calling thread while that thread
     *   acts with the credentials of the thread `h` names (see
     *   "Credentials" above), then gives the thread sandlock's back, and
     *   returns fn's result (errno as fn left it). Put into fn exactly the
     *   calls made for the child -- renameat2() on descriptors open_path()
     *   gave, bind() or connect() on a dup_child_fd() copy -- and nothing
     *   that needs sandlock's own rights (reading /proc, logging to a file
     *   the child may not write). Host services may be called inside fn for
     *   the same handle (they take sandlock's credentials where they need
     *   them); open_path() and the other calls on the child's behalf then
     *   act as the child without switching again, so obtaining, checking
     *   and using an object inside one fn costs one switch. fn must
     *   return: no longjmp out, no wait for another notification. A plugin
     *   that crashes inside fn is contained as usual, and its thread gets
     *   sandlock's credentials back. If the credentials cannot be taken
     *   over exactly, fn is not called and a negative errno is returned
     *   (answer the child with it, or with EPERM; never run the call with
     *   sandlock's own identity instead): -ESRCH (the notification is
     *   gone), -EPERM (e.g. the child lives in another user namespace, or
     *   sandlock lacks the privilege to switch), -EBUSY (called inside
     *   another notification's run_as_child), -EINVAL (NULL fn). When the
     *   child's credentials equal sandlock's (always so when sandlock runs
     *   unprivileged) nothing is switched. If the thread cannot get
     *   sandlock's credentials back, sandlock ends the sandbox and exits
     *   (125): no thread ever goes on half switched.                    */
    int (*run_as_child)(sandlock_handle h, int (*fn)(void *arg), void *arg);

    /* --- ABI 1.4: syscall rules (check with SANDLOCK_HOST_HAS) --- */

    /* add_syscall_rule: declares one rule of the instance `cfg` (see
     *   "Syscall rules" above); only from that instance's init(). The host
     *   copies the rule and its name. An instance that declares rules may
     *   return an empty list from syscalls(). Names are resolved after
     *   init(), as syscalls()' are: an unknown name or a deny-listed
     *   syscall is a load error, a name absent on this architecture is
     *   skipped. Returns 0, or -EINVAL (NULL rule or name, struct_size too
     *   small, ncmp above the maximum, an argument index above 5, an
     *   unknown op or flag, a MASKED_EQ value with bits outside its mask,
     *   an unknown verdict, an error or signal out of range), -EPERM (not
     *   inside this instance's init()), -ENOMEM.
     * config_line: the line of the configuration file that holds the
     *   `nth` value (0-based, config_get_all() order) of `key`, or 0 when
     *   there is none. init()'s error message may start with "line N: "
     *   (N from here): the host then reports it as FILE:N:, like the
     *   configuration's own errors.                                     */
    int (*add_syscall_rule)(const sandlock_config *cfg,
                            const sandlock_syscall_rule *rule);
    unsigned (*config_line)(const sandlock_config *cfg, const char *key,
                            size_t nth);

    /* 1.4: path policy in the sandbox's mount namespace.
     * mask_path: asks, from init() only, that the kernel itself enforce a
     *   policy on `path` for the whole run: sandlock mounts it in the
     *   sandbox's own mount namespace before the command starts (as
     *   systemd's InaccessiblePaths= and bubblewrap's --tmpfs/--ro-bind
     *   do). A masked path costs nothing per call, cannot be raced, and
     *   follows renames of its ancestors; the sandbox cannot undo it (every
     *   way to change mounts is denied, also to a root command). `path` is
     *   absolute and normalised (no "//", ".", ".." or trailing '/'; "~"
     *   expanded by the plugin) and must exist now; a symbolic link is
     *   followed (the object it names is masked). `how`:
     *   SANDLOCK_MASK_HIDE      a directory shows as an empty read-only
     *                           directory of mode 0000 (0111 when
     *                           exceptions are put back inside), a file as
     *                           an empty read-only file of mode 0000: a
     *                           command without CAP_DAC_OVERRIDE gets
     *                           EACCES, a root command finds nothing (and
     *                           EROFS when it writes)
     *   SANDLOCK_MASK_READONLY  writes give EROFS (submounts included)
     *   SANDLOCK_MASK_CONTENT   a regular file reads as the `len` bytes at
     *                           `content` (copied now), with the file's own
     *                           owner and mode less its write bits; writes
     *                           give EROFS (unlink or rename of the path
     *                           itself EBUSY: it is a mount point)
     *   SANDLOCK_MASK_EXPOSE    an exception: the path is put back as it
     *                           is, inside a directory an instance hid
     *   Masks of all instances are applied parents first; a mask inside a
     *   hidden directory (and not inside an exception there) has nothing
     *   left to do. Returns 0: the kernel will enforce it (sandlock will
     *   not start the command without it); -EOPNOTSUPP: no mount namespace
     *   for this sandbox (an unprivileged sandlock, or [sandlock] masks =
     *   no): keep the notification path for this rule; -ENOENT (or the
     *   stat error): the path does not exist, there is nothing to mount
     *   over; -EINVAL (a relative or unnormalised path, an unknown `how`,
     *   CONTENT of something that is not a regular file); -EBUSY (called
     *   after init()); -ENOMEM.                                         */
    int (*mask_path)(const sandlock_config *cfg, const char *path, int how,
                     const void *content, size_t len);

    /* --- ABI 1.5: policy denials (check with SANDLOCK_HOST_HAS) --- */

    /* report_denial: tells the host that the instance `cfg` refuses the
     *   call of notification `h` by policy (not a result passed through,
     *   such as the ENOENT of an open performed for the child) and answers
     *   it with errno `error`. `object` names what was refused as the
     *   plugin decoded it (a path, "ADDRESS:PORT", "unix:/path"), or is
     *   NULL. Call it once per refused call, before answering it (from
     *   handle(), or from a thread of the plugin before host->answer());
     *   it does not answer the call. The host logs one warning line with
     *   the instance, the process, the syscall, the object (escaped) and
     *   the errno -- the first 10 of each instance, then at most one per
     *   second with the number left out -- counts the denial for --stats
     *   ("denied", apart from the errno answers passed through) and shows
     *   the object in the -v trace of the call. It never blocks on the
     *   sandbox. Masked paths (mask_path) are denied by the kernel and
     *   never reported.                                                 */
    void (*report_denial)(const sandlock_config *cfg, sandlock_handle h,
                          int error, const char *object);

    /* session: the run (command, configuration file, sandlock's pid, and
     *   in fini() the exit status), valid from init() until fini()
     *   returns; NULL under `sandlock check`, where nothing runs.       */
    const sandlock_session *(*session)(void);

    /* child_umask: the umask of the thread `h` names (what a file it
     *   creates would lose), for a plugin that creates entries for the
     *   child itself (mkdir, mknod, a bind of a unix socket path) with
     *   calls of its own; open_path() applies it by itself. Returns the
     *   umask (0 to 0777), or -ESRCH (the notification is gone: checked
     *   after reading).                                                 */
    int (*child_umask)(sandlock_handle h);

    /* --- ABI 1.6: declared keys (check with SANDLOCK_HOST_HAS) --- */

    /* config_number: the last value of `key`, a declared key of kind BOOL,
     *   INT, SIZE, DURATION, ERRNO or SIGNAL, as the host parsed it (see
     *   "Declared keys"). Returns 1 and stores it, 0 when the section does
     *   not give the key (*out is left alone: set the default first), or
     *   -EINVAL when the key is not declared with one of these kinds.
     * config_list: the items of every value of `key`, a declared key of
     *   kind LIST, in file order. Stores up to `max` pointers (owned by the
     *   host, valid until fini() returns) and returns how many items there
     *   are in total (call with max = 0 to count); 0 for an absent key or
     *   a key not declared as a list.
     * config_error: reports a value init() rejects: formats the message
     *   into errbuf, records where the value is and returns SANDLOCK_ERROR
     *   (return that from init()). `value` is a pointer the host gave for
     *   `key` (config_get, config_get_all, config_list) or NULL for the
     *   key's last value; the host then reports
     *   "FILE:LINE: [plugin NAME]: init failed: KEY: MESSAGE" with that
     *   value's file and line. Only from init().                        */
    int (*config_number)(const sandlock_config *cfg, const char *key, int64_t *out);
    size_t (*config_list)(const sandlock_config *cfg, const char *key, const char **items,
                          size_t max);
    int (*config_error)(const sandlock_config *cfg, const char *key, const char *value,
                        char *errbuf, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

    /* 1.6: pending: 1 while the notification `h` still waits for its
     *   answer, 0 once it is answered -- by answer(), by the host after
     *   defer_timeout (the child got EIO), when the sandbox exited, or
     *   when the trapped thread died or was interrupted. A deferring
     *   plugin calls it before work done for the child that cannot be
     *   undone: the notification can end at any moment after defer(), so
     *   anything done before answer() may be orphaned (a file created for
     *   a call whose child already got EIO); answer() then reports how it
     *   ended (-ETIMEDOUT, -ECANCELED). 1 is a snapshot, not a lease:
     *   decide on answer()'s result too. Any thread; one ioctl.       */
    int (*pending)(sandlock_handle h);

    /* 1.6: user_data: the pointer the embedding program gave with the
     *   instance's vtable (sandlock_ctx_add_plugin(), sandlock(3)), so
     *   that one plugin can be shipped both as a module and in a program;
     *   NULL for an instance loaded from a module file.                 */
    void *(*user_data)(const sandlock_config *cfg);

    /* 1.6: files named by the configuration. */

    /* config_path: the `nth` value (0-based, config_get_all() order) of
     *   `key` as an absolute path: a relative value is joined to the
     *   directory of the configuration file that holds its line (as module
     *   paths are), not to the working directory. Writes it into buf and
     *   returns its length, or -EINVAL (no such value, NULL buf, size 0),
     *   -ENAMETOOLONG. Nothing is opened or normalised.
     * open_trusted: opens the absolute `path` read-only (close-on-exec)
     *   under the rule sandlock applies to its configuration and plugin
     *   modules ("TRUSTED FILES" in sandlock(1): nobody but root or the
     *   invoking user could have written it or a directory on the way).
     *   For a plugin that runs a file as code (python's script). Returns
     *   the fd (the caller closes it), or -EPERM with the reason in `why`
     *   (whylen bytes), -EINVAL (relative path, NULL why), or the open
     *   error (-ENOENT...) also described in why.                     */
    ssize_t (*config_path)(const sandlock_config *cfg, const char *key,
                           size_t nth, char *buf, size_t size);
    int (*open_trusted)(const char *path, char *why, size_t whylen);

    /* --- ABI 1.8: arguments decoded once (check with SANDLOCK_HOST_HAS) ---
     * See "Arguments decoded once" above.
     *
     * syscall_paths: where the path syscall of `ev` keeps its paths and
     *   what its other arguments imply. `out` has abi_version and
     *   struct_size set by the caller. Covers, where the architecture has
     *   them: open, openat, openat2, creat, stat, lstat, newfstatat
     *   (fstatat64), statx, statfs, access, faccessat, faccessat2,
     *   readlink(at), execve(at), chdir, truncate, chmod, fchmodat(2),
     *   chown, lchown, fchownat, utime, utimes, futimesat, utimensat,
     *   mkdir(at), mknod(at), unlink(at), rmdir, rename, renameat(2), link,
     *   linkat, symlink(at), the path xattr calls ((l)setxattr,
     *   (l)getxattr, (l)listxattr, (l)removexattr) and inotify_add_watch;
     *   only the host's own architecture runs in a sandbox (a call of
     *   another kills its process), so there are no compat numbers. Reads
     *   each path string once for the chain (see above) and, for openat2,
     *   the open_how. Returns count (1 or 2); 0 when the call takes no
     *   path (out->count 0); -EINVAL (NULL, struct_size too small, an
     *   openat2 size below the open_how's: the child's call fails so too),
     *   -EFAULT (openat2's open_how unreadable), -ESRCH. On -EINVAL and
     *   -EFAULT from openat2 the paths are filled nevertheless (a log
     *   still shows them). A string that cannot be read is not an error
     *   here: the read that follows reports it.
     * sockaddr_decode: what the kernel makes of the socket address `addr`
     *   (`len` bytes, a copy of the child's: never the child's memory)
     *   given to `call` on a socket of family `domain` (SO_DOMAIN; 0 when
     *   unknown: the address is then read by its own family, as a log
     *   shows it). As the kernel reads it: AF_UNSPEC is a disconnect for
     *   connect, an IPv4 address for a send or for bind of 0.0.0.0 on an
     *   IPv4 socket, an IPv6 one for a send on a raw IPv6 socket; an
     *   AF_INET address on an IPv6 socket is IPv4; an IPv4-mapped IPv6
     *   address is INET with MAPPED. A destination of connect or send that
     *   means "this host" is where the kernel goes: `local4` (network
     *   byte order; the socket's own IPv4 address when it is bound to one,
     *   else 0 for 127.0.0.1), ::1 for IPv6; the copy at `addr` is
     *   rewritten to it (THIS_HOST), so a call made with the copy goes
     *   where the decision looked. Unix: a path (UNIX_PATH, cut at its
     *   first NUL as the kernel does), an abstract name, or no name. Pure:
     *   no notification needed. Returns 0, or the -errno the kernel gives
     *   such a call: -EINVAL (too short for its family), -EAFNOSUPPORT (a
     *   family the socket does not take); -EINVAL also for NULL arguments
     *   or a struct_size too small.                                      */
    int (*syscall_paths)(const sandlock_event *ev, sandlock_syscall_paths *out);
    int (*sockaddr_decode)(void *addr, size_t len, int domain, unsigned call, uint32_t local4,
                           sandlock_sockaddr *out);

    /* 1.8: on the child's behalf, beyond open. Each makes one call as the
     *   child's own would: `path` (and `to`) resolved inside the child's
     *   root directory and mount namespace as open_path() resolves it (an
     *   absolute path from the child's root, a relative one from its cwd;
     *   "..", symlinks and /proc/self/root tricks cannot leave that root;
     *   magic links are refused with -ELOOP), the parent directory looked
     *   up and the call made with the trapped thread's credentials at
     *   that moment (see "Credentials"), entries created under the child's
     *   umask and owned by its fsuid and fsgid. The final component is
     *   the call's own: a symlink there is not followed (except by
     *   stat_path without AT_SYMLINK_NOFOLLOW, and link_path's `path` with
     *   AT_SYMLINK_FOLLOW), "." and ".." get the kernel's answer for them.
     *   Returns 0, or the kernel's -errno for the call (-EEXIST, -ENOENT,
     *   -EACCES, -ENOTEMPTY, -EXDEV...), -ESRCH (the notification is gone),
     *   -EPERM (the credentials cannot be taken over), -EINVAL (NULL or
     *   empty path, unknown flags).
     * mkdir_path: mkdir(path, mode & 07777 under the child's umask).
     * unlink_path: unlinkat(path, flags): 0 or AT_REMOVEDIR.
     * rename_path: renameat2(path, to, flags): RENAME_NOREPLACE,
     *   RENAME_EXCHANGE, RENAME_WHITEOUT as the kernel takes them.
     * link_path: linkat(path, to, flags): 0 or AT_SYMLINK_FOLLOW.
     * symlink_path: symlink(target, path): `target` is stored as given
     *   (it is not resolved).
     * stat_path: fstatat(path, *st, flags): 0 or AT_SYMLINK_NOFOLLOW; a
     *   symlink followed is followed inside the child's root.          */
    int (*mkdir_path)(sandlock_handle h, const char *path, mode_t mode);
    int (*unlink_path)(sandlock_handle h, const char *path, int flags);
    int (*rename_path)(sandlock_handle h, const char *path, const char *to, unsigned flags);
    int (*link_path)(sandlock_handle h, const char *path, const char *to, int flags);
    int (*symlink_path)(sandlock_handle h, const char *target, const char *path);
    int (*stat_path)(sandlock_handle h, const char *path, struct stat *st, int flags);

    /* 1.8: calls whose peer learns who made them: a unix connect
     *   (SO_PEERCRED), a unix send (SCM_CREDENTIALS of a receiver with
     *   SO_PASSCRED). Made by a deputy -- a process that lives in the
     *   sandbox's user, PID and mount namespaces with exactly the
     *   credentials of the thread `h` names (uids, gids, groups,
     *   capabilities, as they are now), is not dumpable and holds, for
     *   the call, the descriptors keep[0..nkeep) at the same numbers
     *   (at most 512): an address through /proc/self/fd/N of a kept
     *   descriptor, and the SCM_RIGHTS of a kept one, mean in the deputy
     *   what they mean in the plugin. The peer sees a process of the
     *   sandbox and the child's ids, never sandlock. Deputies are kept for
     *   the next calls of the same identity (another identity gets
     *   another); the child may kill or stop one: its call then fails
     *   (-EINTR) and the next gets a new deputy. The calling thread waits
     *   for the result; a signal without SA_RESTART interrupts the wait,
     *   and it also ends every 100 ms to check the notification: once it
     *   is gone the deputy is killed and -EINTR returned. Without a PID
     *   namespace of the sandbox (an unprivileged user who may not make
     *   one) the deputy is a process with those credentials in sandlock's
     *   namespaces (then the child's). Failures before the call: -ESRCH
     *   (the notification is gone), -EPERM (the deputy could not enter
     *   the namespaces or take the credentials; logged), -EAGAIN (no
     *   process could be made; logged), -EINVAL. Either may be called
     *   inside run_as_child (the deputy takes the credentials itself).
     * deputy_connect: connect(sock, addr, len); 0 or the kernel's -errno.
     * deputy_send: sendmsg(sock, msgs[i], flags) for i = 0.. n - 1 in
     *   order (n at most 1024), stopping at the first error. Returns how
     *   many were sent, each one's byte count in sent[i] and in *err the
     *   errno that stopped them (0: all sent); or a -errno from above
     *   (nothing sent, or -EINTR: unknown).                             */
    int (*deputy_connect)(sandlock_handle h, const int *keep, size_t nkeep, int sock,
                          const void *addr, uint32_t len);
    long (*deputy_send)(sandlock_handle h, const int *keep, size_t nkeep, int sock,
                        const sandlock_deputy_msg *msgs, size_t n, int flags,
                        unsigned *sent, int *err);

    /* 1.8: the child's root.
     * child_root: the trapped task's root directory as sandlock's own
     * paths name it (what readlink of /proc/PID/root gives; "/" unless the
     * sandbox may chroot), into buf (NUL-terminated). Where the sandbox
     * cannot change its root (chroot and pivot_root denied) it is "/" and
     * costs no system call; otherwise the task's link is read and the
     * notification checked afterwards. A plugin that names descriptors it
     * opened in the child's world (readlink of /proc/self/fd/N) strips it
     * to get the child's own spelling. Returns the length, or -ESRCH (no
     * such notification any more), -ENAMETOOLONG, -EINVAL (no buffer). */
    ssize_t (*child_root)(sandlock_handle h, char *buf, size_t size);

    /* --- ABI 1.9: socket calls judged together (check with
     * SANDLOCK_HOST_HAS) --- See "Socket calls judged together" above.
     * sock_call: the snapshot of the socket call `ev` (connect, bind,
     *   sendto, sendmsg, sendmmsg) into *out, taken on the first request
     *   of the notification and the same for every later one; read-only,
     *   valid until handle() returns. Asking for it commits the call to
     *   the host: the chain's Continue then means "make the call" and
     *   never lets the kernel make it (an instance that defers such a call
     *   must answer it with an errno or a value: a deferred Continue gets
     *   EPERM, logged). Only from handle() (not from a
     *   thread of the plugin's own or after a deferral). Returns 0 (a
     *   call that fails anyway has its -errno in (*out)->error), -EINVAL
     *   (another syscall, NULL, not inside handle()), -ENOMEM, -ESRCH
     *   (the notification is gone).                                     */
    int (*sock_call)(const sandlock_event *ev, const sandlock_sock_call **out);

    /* --- ABI 1.10: objects served as other content (check with
     * SANDLOCK_HOST_HAS) --- See "Objects served as other content" above.
     * serve_object: from init() only, serves the regular file at `path`
     *   (absolute; normalised here; a symbolic link is followed: the object
     *   it reaches) in the sandbox's view as the `len` bytes at `content`
     *   (copied now), in every descriptor the host hands the child for the
     *   rest of the run, however the child names it. It does not answer
     *   names: the instance still answers the calls on PATH itself (stat,
     *   access...). Returns 0 (whether anything is at PATH is learnt when
     *   the sandbox starts); -EINVAL (no instance, a relative path, NULL
     *   content with a length); -ENAMETOOLONG; -EEXIST (PATH is served
     *   already, by this or another instance); -EBUSY (called after
     *   init()); -ENOMEM.                                               */
    int (*serve_object)(const sandlock_config *cfg, const char *path, const void *content, size_t len);
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
     * write a message into errbuf (SANDLOCK_ERRBUF_SIZE bytes; about a key's
     * value, host->config_error() writes it and names the value's line),
     * release anything allocated and return SANDLOCK_ERROR; fini() is then
     * NOT called for this instance. init() also runs for `sandlock check`,
     * where no command runs: host->session() is NULL there (and set under
     * `sandlock run`), so a plugin can leave out work that only a run
     * needs (start no threads, create no files). Required. */
    int (*init)(const sandlock_host *host, const sandlock_config *cfg,
                void **state, char *errbuf);

    /* The syscalls this instance wants to handle, by name, NULL-terminated,
     * owned by the plugin and valid until fini(). Names that do not exist on
     * the host's architecture are skipped with a log line; an unknown name
     * or a syscall on sandlock's deny list is a load error. An empty list
     * (with no rules from host->add_syscall_rule and no masks) leaves the
     * instance with nothing to intercept in this run: it loads, `sandlock
     * check` shows "(none intercepted)" and an info line says so (since
     * 1.6; before, a load error). Required. */
    const char *const *(*syscalls)(void *state);

    /* Decide one notification: set a verdict in `response` and return
     * SANDLOCK_OK, or return SANDLOCK_ERROR (exception policy). May run
     * concurrently (see Threads). Required. */
    int (*handle)(void *state, const sandlock_event *event,
                  sandlock_response *response);

    /* Release the instance's state. Optional (NULL: nothing to release). */
    void (*fini)(void *state);

    /* --- ABI 1.6 --- */

    /* The keys of the plugin's sections, ended by an entry with a NULL
     * name (see "Declared keys"); NULL: the plugin checks its keys itself. */
    const sandlock_key_decl *keys;
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
