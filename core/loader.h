/* loader.h -- loading plugin modules and creating their instances. */
#ifndef SANDLOCK_LOADER_H
#define SANDLOCK_LOADER_H

#include <sandlock/plugin.h>
#include <stdatomic.h>
#include <stddef.h>

#include "rules.h"
#include "sl_config.h"

/* Per-instance counters for --stats; relaxed atomics (workers share them). */
struct sl_instance_stats {
    atomic_ulong calls;
    atomic_ulong verdicts[SANDLOCK_VERDICT_DEFER + 1];
    atomic_ulong exceptions;
    atomic_ulong statics;          /* answered by the host from a static verdict */
    atomic_ulong handle_ns;
    atomic_ulong denied;           /* host->report_denial() calls (denial.h) */
};

/* The rate limit of an instance's denial lines (denial.c). */
struct sl_denial_limit {
    atomic_ulong shown;            /* lines written in the first burst */
    atomic_long last_sec;          /* when the last line was written */
    atomic_ulong left_out;         /* denials not shown since then */
};

struct sl_instance {
    struct sandlock_config *cfg;   /* its section of sandlock.ini */
    char *file;                    /* the module's path */
    int fd;                        /* the module file, as checked (trust.h); -1 when none */
    void *dl;                      /* dlopen() handle */
    void *entry;                   /* its entry point (fault.h names the module by it) */
    sandlock_plugin vt;            /* the plugin's vtable, copied and zero-extended */
    void *state;                   /* from init() */
    int initialised;               /* init() succeeded: fini() is owed */
    int policy;                    /* effective SL_EXC_* */
    int *nrs;                      /* the native syscall numbers it has rules for */
    size_t nnrs;
    struct sl_rule *rules;         /* resolved, in the instance's order: its
                                      add_syscall_rule() rules, then one rule
                                      without comparisons per syscalls() name */
    size_t nrules;
    struct sl_declared *declared;  /* add_syscall_rule() copies, until resolved */
    size_t ndeclared;
    struct sl_keys *keys;          /* its declared keys' values (keys.h) */
    atomic_int quarantined;        /* crashed: never called again */
    struct sl_instance_stats stats;
    struct sl_denial_limit denial_limit;
};

struct sl_plugins {
    struct sl_instance *inst;      /* enabled instances in chain order */
    size_t n;
    int *deny;                     /* the effective deny list (sl_deny_list) */
    size_t ndeny;
    int builtin_deny;              /* default_deny: the built-in argument rules apply */
    int keep_modules;              /* sl_plugins_unload() leaves the modules mapped:
                                      the process exits next (its exit unmaps them
                                      and runs their destructors, once) */
};

/* A rule as add_syscall_rule() declared it: the name is resolved after init(). */
struct sl_declared {
    struct sl_rule rule;
    char *name;
};

/* host->add_syscall_rule(): records a rule of the instance whose init() is
 * running (-EPERM for any other). */
int sl_loader_add_rule(const sandlock_config *cfg, const sandlock_syscall_rule *rule);

/* The host table every plugin receives. */
extern const sandlock_host sl_host_table;

/* Directories searched for a module name, in order: $SANDLOCK_PLUGIN_PATH,
 * plugin_path from the config, the build tree's plugins when sandlock runs
 * from its build tree, then the installed plugin directory. Returns the
 * number stored (at most max). */
size_t sl_plugin_search_path(const struct sl_config_file *cfg, const char **dirs, size_t max,
                             char *storage, size_t storage_len);

/* Validates a vtable as returned by an entry point: ABI major, size,
 * required members. On success copies it, zero-extended, into *out. */
int sl_check_vtable(const sandlock_plugin *vt, sandlock_plugin *out, char *err, size_t errlen);

/* Loads and initialises every enabled instance of cfg and resolves their
 * syscalls. On error nothing is left loaded (every initialised instance got
 * fini(), every handle is closed) and err names the instance and file. */
int sl_plugins_load(const struct sl_config_file *cfg, struct sl_plugins *out, char *err, size_t errlen);

/* fini() for every initialised, non-quarantined instance, then dlclose.
 * A fini() that crashes is logged; sl_plugins_fini_faulted() then turns
 * true (sandlock exits 125). */
void sl_plugins_unload(struct sl_plugins *plugins);
int sl_plugins_fini_faulted(void);

/* The effective deny list: built-in (when default_deny) plus deny =.
 * Returns native syscall numbers; names absent on this arch are skipped. */
int sl_deny_list(const struct sl_config_file *cfg, int **nrs, size_t *n, char *err, size_t errlen);

#endif
