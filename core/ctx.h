/* ctx.h -- the inside of libsandlock's context (sandlock/sandlock.h), for
 * the library itself and for the sandlock program, which links the same
 * code and prints what `sandlock check` shows from these members. */
#ifndef SANDLOCK_CTX_H
#define SANDLOCK_CTX_H

#include <sandlock/sandlock.h>
#include <signal.h>

#include "chain.h"
#include "fault.h"
#include "filter.h"
#include "here.h"
#include "loader.h"
#include "sl_config.h"

/* User data the context owns (sandlock_ctx_add_plugin). */
struct sl_owned {
    void *data;
    void (*free_data)(void *data);
};

/* What a run changes in the calling process and puts back (sandlock.h):
 * the calling thread's signal mask, each run its own; the rest is the
 * process's, saved when the first of overlapping runs starts and put back
 * when the last one ends. */
struct sl_process_state {
    sigset_t mask;
    struct sigaction actions[1 + SL_NFAULT_SIGNALS];   /* SIGUSR1, then the fault signals */
    int subreaper;
    int dumpable;
};

/* The last run's counters, kept after its instances ended. */
struct sl_stats_snapshot {
    sandlock_instance_stats *inst;
    size_t ninst;
    char **syscall_names;
    uint64_t *notifications;
    size_t nsyscalls;
    uint64_t vanished;
};

struct sandlock_ctx {
    struct sl_config_file *cfg;     /* NULL until something needs one: then empty */
    int modified;              /* instances, --set or --disable were added */
    sandlock_options opts;
    char errmsg[2048];
    struct sl_owned *owned;
    size_t nowned;

    /* While open (sl_ctx_open .. sl_ctx_close): */
    int open;
    struct sl_here here;       /* what its threads work for (here.h) */
    struct sl_plugins plugins;
    struct sl_chains chains;
    int min_log_level;         /* `sandlock check`: at least info */
    int keep_process_state;    /* the sandlock program: nothing to put back */
    int exits_after_run;       /* the sandlock program: the modules stay mapped */
    void (*before_attach)(void *arg);  /* the sandlock program: once the command's
                                          processes hold their own descriptors,
                                          before the workers get the listener */
    void *hook_arg;

    /* A run: */
    int started;
    struct sl_sandbox *sandbox;
    struct sl_supervisor *sup;
    sandlock_session session;
    char *const *argv;
    struct sl_filter filter;
    struct sl_process_state saved;
    struct sl_stats_snapshot stats;
};

/* The command line's choice of configuration: -c FILE (else the default
 * sandlock run reads), then each --set and --disable in order, -q. */
struct common_opts {
    const char *config;
    const char *sets[64];       /* --set, in order */
    size_t nsets;
    const char *disabled[64];   /* --disable */
    size_t ndisabled;
    int quiet;
};

/* A context for a sandlock command (run, check, oci-profile): its
 * configuration loaded and overridden as `o` says, log lines on stderr,
 * the process's state left as the run makes it (the command exits after
 * it). NULL with the reason in err. */
struct sandlock_ctx *sl_ctx_for_cli(const struct common_opts *o, char *err, size_t errlen);

/* Loads and initialises the instances and builds the chains (what a run
 * and `sandlock check` need), the calling thread working for the context
 * (sl_here) until sl_ctx_close(). Several contexts of a process may be
 * open at once. 0, or -1 with errmsg set and nothing left open. */
int sl_ctx_open(struct sandlock_ctx *ctx);

/* The worker pool's options of a run of ctx (its options, else its
 * configuration's). */
struct sl_supervisor_options sl_ctx_supervisor_options(const struct sandlock_ctx *ctx);

/* fini() for every instance, and frees what sl_ctx_open made; the calling
 * thread then works for no context. */
void sl_ctx_close(struct sandlock_ctx *ctx);

#endif
