/* ctx.c -- libsandlock's context (sandlock/sandlock.h, ctx.h): the
 * configuration, instances and options of runs, and the runs themselves. */
#include "config.h"
#include "startup_trace.h"
#include "ctx.h"
#include "denial.h"
#include "deputy.h"
#include "hostview.h"
#include "log.h"
#include "masks.h"
#include "vobject.h"
#include "sandbox.h"
#include "session.h"
#include "supervisor.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

/* Several contexts may run at once (sandlock(3), "Runs"): each owns its
 * supervisor, sandbox and sl_here. What a run changes in the process
 * itself is saved by the first of overlapping runs and put back by the
 * last (struct sl_process_state). */
static pthread_mutex_t process_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned process_runs;
static struct sl_process_state process_saved;

static int fail(struct sandlock_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct sandlock_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    va_end(ap);
    return -1;
}

void sandlock_options_init(sandlock_options *o)
{
    memset(o, 0, sizeof(*o));
    o->version = SANDLOCK_OPTIONS_VERSION;
    o->struct_size = sizeof(*o);
}

sandlock_ctx *sandlock_ctx_new(void)
{
    struct sandlock_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx)
        sandlock_options_init(&ctx->opts);
    return ctx;
}

const char *sandlock_ctx_errmsg(const sandlock_ctx *ctx)
{
    return ctx ? ctx->errmsg : "no context";
}

static void stats_free(struct sl_stats_snapshot *s)
{
    for (size_t i = 0; i < s->ninst; i++)
        free((char *)s->inst[i].name);
    for (size_t i = 0; i < s->nsyscalls; i++)
        free(s->syscall_names[i]);
    free(s->inst);
    free(s->syscall_names);
    free(s->notifications);
    memset(s, 0, sizeof(*s));
}

void sandlock_ctx_free(sandlock_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->started) {
        sl_sandbox_kill(ctx->sandbox, SIGKILL);
        sandlock_ctx_wait(ctx);
    }
    for (size_t i = 0; i < ctx->nowned; i++)
        if (ctx->owned[i].free_data)
            ctx->owned[i].free_data(ctx->owned[i].data);
    free(ctx->owned);
    sl_config_free(ctx->cfg);
    stats_free(&ctx->stats);
    free(ctx);
}

/* ---- configuration ---- */

/* The configuration to add to: an empty one until one is loaded. */
static int have_config(struct sandlock_ctx *ctx)
{
    if (ctx->open)
        return fail(ctx, "the context is running: change it between runs");
    if (!ctx->cfg && !(ctx->cfg = sl_config_parse("", "<empty>", ctx->errmsg, sizeof(ctx->errmsg))))
        return -1;
    return 0;
}

static int replace_config(struct sandlock_ctx *ctx, struct sl_config_file *cfg)
{
    if (!cfg)
        return -1;
    sl_config_free(ctx->cfg);
    ctx->cfg = cfg;
    *ctx->errmsg = '\0';
    return 0;
}

static int may_load(struct sandlock_ctx *ctx)
{
    if (ctx->open)
        return fail(ctx, "the context is running: change it between runs");
    if (ctx->modified)
        return fail(ctx, "load the configuration before adding instances, settings or disabled instances");
    return 0;
}

int sandlock_ctx_load_file(sandlock_ctx *ctx, const char *path)
{
    if (may_load(ctx))
        return -1;
    if (!path)
        return fail(ctx, "no configuration file given");
    return replace_config(ctx, sl_config_load(path, ctx->errmsg, sizeof(ctx->errmsg)));
}

int sandlock_ctx_load_string(sandlock_ctx *ctx, const char *text, const char *source)
{
    if (may_load(ctx))
        return -1;
    if (!text)
        return fail(ctx, "no configuration text given");
    return replace_config(ctx, sl_config_parse(text, source ? source : "<string>", ctx->errmsg,
                                               sizeof(ctx->errmsg)));
}

int sandlock_ctx_load_default(sandlock_ctx *ctx)
{
    if (may_load(ctx))
        return -1;
    const char *path = sl_config_choose(NULL);
    if (path)
        return sandlock_ctx_load_file(ctx, path);
    struct sl_config_file *cfg = sl_config_parse(sl_builtin_config, "<built-in>", ctx->errmsg, sizeof(ctx->errmsg));
    if (cfg) {
        /* The built-in default takes the installed drop-ins too. */
        char dir[4096];
        sl_config_dropin_dir(SANDLOCK_SYSCONF_FILE, dir, sizeof(dir));
        if (sl_config_dropins(cfg, dir, ctx->errmsg, sizeof(ctx->errmsg))) {
            sl_config_free(cfg);
            cfg = NULL;
        }
    }
    return replace_config(ctx, cfg);
}

int sandlock_ctx_set(sandlock_ctx *ctx, const char *assignment)
{
    if (have_config(ctx))
        return -1;
    if (!assignment)
        return fail(ctx, "no assignment given");
    if (sl_config_set(ctx->cfg, assignment, ctx->errmsg, sizeof(ctx->errmsg)))
        return -1;
    ctx->modified = 1;
    return 0;
}

int sandlock_ctx_disable(sandlock_ctx *ctx, const char *name)
{
    if (have_config(ctx))
        return -1;
    if (!name)
        return fail(ctx, "no instance name given");
    if (sl_config_disable(ctx->cfg, name, ctx->errmsg, sizeof(ctx->errmsg)))
        return -1;
    ctx->modified = 1;
    return 0;
}

/* A new instance NAME at the end of the chains, as a section of its own. */
static struct sandlock_config *new_instance(struct sandlock_ctx *ctx, const char *name, const char *caller)
{
    size_t len = name ? strnlen(name, SANDLOCK_NAME_MAX + 1) : 0;
    if (len == 0 || len > SANDLOCK_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789_-.") != len) {
        fail(ctx, "%s: bad instance name: use 1 to %d letters, digits, '_', '-' and '.'", caller,
             SANDLOCK_NAME_MAX);
        return NULL;
    }
    if (have_config(ctx))
        return NULL;
    for (size_t i = 0; i < ctx->cfg->ninstances; i++)
        if (strcmp(ctx->cfg->instances[i]->name, name) == 0) {
            fail(ctx, "%s: instance '%s' exists already", caller, name);
            return NULL;
        }
    char section[SANDLOCK_NAME_MAX + 16];
    snprintf(section, sizeof(section), "[plugin %s]\n", name);
    if (sl_config_merge(ctx->cfg, section, caller, ctx->errmsg, sizeof(ctx->errmsg)))
        return NULL;
    ctx->modified = 1;
    return ctx->cfg->instances[ctx->cfg->ninstances - 1];
}

int sandlock_ctx_add_module(sandlock_ctx *ctx, const char *name, const char *module)
{
    size_t len = module ? strnlen(module, PATH_MAX) : 0;
    if (len == 0 || len >= PATH_MAX)
        return fail(ctx, "sandlock_ctx_add_module: the module must be a name or a path of 1 to %d bytes",
                    PATH_MAX - 1);
    struct sandlock_config *inst = new_instance(ctx, name, "sandlock_ctx_add_module()");
    if (!inst)
        return -1;
    char *copy = strdup(module);
    if (!copy)
        return fail(ctx, "out of memory");
    free(inst->module);
    inst->module = copy;
    return 0;
}

int sandlock_ctx_add_plugin(sandlock_ctx *ctx, const char *name, const sandlock_plugin *plugin,
                            void *user_data, void (*free_user_data)(void *user_data))
{
    sandlock_plugin copy;
    char why[512];
    struct sl_owned *grown = NULL;
    struct sandlock_config *inst = NULL;
    if (!plugin)
        fail(ctx, "sandlock_ctx_add_plugin(): no plugin given");
    else if (sl_check_vtable(plugin, &copy, why, sizeof(why)))
        fail(ctx, "sandlock_ctx_add_plugin(): [plugin %s]: %s", name ? name : "?", why);
    else if (!(grown = realloc(ctx->owned, (ctx->nowned + 1) * sizeof(*grown))))
        fail(ctx, "out of memory");
    else {
        ctx->owned = grown;
        inst = new_instance(ctx, name, "sandlock_ctx_add_plugin()");
    }
    if (!inst) {
        if (free_user_data)
            free_user_data(user_data);
        return -1;
    }
    inst->vtable = plugin;
    inst->user_data = user_data;
    ctx->owned[ctx->nowned++] = (struct sl_owned){ user_data, free_user_data };
    return 0;
}

int sandlock_ctx_set_options(sandlock_ctx *ctx, const sandlock_options *options)
{
    sandlock_options o;
    sandlock_options_init(&o);
    if (!options || options->version == 0 || options->struct_size < offsetof(sandlock_options, workers))
        return fail(ctx, "sandlock_ctx_set_options(): no options, or without version and struct_size");
    memcpy(&o, options, options->struct_size < sizeof(o) ? options->struct_size : sizeof(o));
    const uint32_t known = SANDLOCK_OPT_STATS | SANDLOCK_OPT_TRACE | SANDLOCK_OPT_LOG_STDERR;
    if (o.workers > 64)
        return fail(ctx, "sandlock_ctx_set_options(): workers: expected 0 (the configuration's) to 64, got %u",
                    o.workers);
    if (o.on_exception > SANDLOCK_ON_EXCEPTION_CONTINUE)
        return fail(ctx, "sandlock_ctx_set_options(): on_exception: unknown policy %u", o.on_exception);
    if (o.flags & ~known)
        return fail(ctx, "sandlock_ctx_set_options(): unknown flags 0x%x", o.flags & ~known);
    if (o.reserved)
        return fail(ctx, "sandlock_ctx_set_options(): reserved must be 0");
    o.version = SANDLOCK_OPTIONS_VERSION;
    o.struct_size = sizeof(o);
    ctx->opts = o;
    return 0;
}

/* ---- opening: the instances and their chains ---- */

/* The end of an open context: what sl_ctx_open set up for it goes. */
static void leave(struct sandlock_ctx *ctx)
{
    sl_here = &ctx->here;
    /* Nothing acts for the sandbox any more: its held root goes (views.h). */
    sl_views_set_fixed(&ctx->here.views, 0);
    sl_masks_free();
    sl_masks_delete(ctx->here.masks);
    ctx->here.masks = NULL;
    sl_vobjects_free(&ctx->here);
    sl_here_end(&ctx->here);
    ctx->here.session = NULL;
    for (size_t i = 0; ctx->cfg && i < ctx->cfg->ninstances; i++)
        ctx->cfg->instances[i]->here = NULL;
    sl_here = NULL;
}

/* The first half of sl_ctx_open(): the session (sl_here) the instances
 * will run in, before any of them is loaded. Returns 0, or -1 with nothing
 * left to undo. */
static int open_session(struct sandlock_ctx *ctx)
{
    if (ctx->open)
        return fail(ctx, "the context is running already");
    if (have_config(ctx))
        return -1;
    struct sl_config_file *cfg = ctx->cfg;
    ctx->here = (struct sl_here){
        .session = ctx->here.session,     /* set by the caller, or NULL */
        .log_level = cfg->log_level < ctx->min_log_level ? ctx->min_log_level : cfg->log_level,
        .masks = sl_masks_new(),
    };
    if (ctx->opts.log_fn)
        ctx->here.log_sink = (struct sl_log_sink){ .fd = -1, .fn = ctx->opts.log_fn, .arg = ctx->opts.log_arg };
    else
        ctx->here.log_sink = (struct sl_log_sink){ .fd = ctx->opts.flags & SANDLOCK_OPT_LOG_STDERR ? 2 : -1 };
    if (!ctx->here.masks)
        return fail(ctx, "out of memory");
    sl_here = &ctx->here;
    sl_here_begin(&ctx->here);
    for (size_t i = 0; i < cfg->ninstances; i++)
        cfg->instances[i]->here = &ctx->here;
    /* Without the deny list a root command could unmount the masks. */
    sl_masks_enable(cfg->masks && cfg->default_deny);
    sl_hostview_configure(cfg->protect_kernel, cfg->minimal_devices);
    sl_startup_mark("configuration loaded");
    return 0;
}

/* The second half: every instance loaded and initialised, the masks they
 * asked for prepared, the chains built. Returns 0 (the context is open),
 * or -1 with the instances unloaded; the session is left to the caller
 * (leave()). */
static int open_instances(struct sandlock_ctx *ctx)
{
    struct sl_config_file *cfg = ctx->cfg;
    int policy = cfg->on_exception;
    if (ctx->opts.on_exception != SANDLOCK_ON_EXCEPTION_CONFIG)
        cfg->on_exception = (int)ctx->opts.on_exception - 1;   /* SL_EXC_KILL .. SL_EXC_CONTINUE */
    int rc = sl_plugins_load(cfg, &ctx->plugins, ctx->errmsg, sizeof(ctx->errmsg));
    sl_startup_mark("plugins loaded");
    cfg->on_exception = policy;
    if (rc == 0 && sl_masks_prepare(ctx->errmsg, sizeof(ctx->errmsg)))
        rc = -1;
    sl_vobjects_prepared(&ctx->here);     /* serve_object: from init() only */
    if (rc == 0 && sl_chains_build(&ctx->plugins, &ctx->chains))
        rc = fail(ctx, "out of memory");
    sl_startup_mark("masks prepared, chains built");
    if (rc == 0) {
        ctx->open = 1;
        return 0;
    }
    sl_plugins_unload(&ctx->plugins);
    return -1;
}

int sl_ctx_open(struct sandlock_ctx *ctx)
{
    if (open_session(ctx))
        return -1;
    if (open_instances(ctx) == 0)
        return 0;
    leave(ctx);
    return -1;
}

void sl_ctx_close(struct sandlock_ctx *ctx)
{
    if (!ctx->open)
        return;
    sl_chains_free(&ctx->chains);
    /* dlclose() unmaps every module one by one (0.07 ms of the default
     * configuration's teardown), just before the exit unmaps everything. */
    ctx->plugins.keep_modules = ctx->exits_after_run;
    sl_plugins_unload(&ctx->plugins);
    ctx->open = 0;
    leave(ctx);
}

/* ---- runs ---- */

static void save_process_wide(struct sl_process_state *s)
{
    sigaction(SIGUSR1, NULL, &s->actions[0]);
    for (size_t i = 0; i < SL_NFAULT_SIGNALS; i++)
        sigaction(sl_fault_signals[i], NULL, &s->actions[1 + i]);
    if (prctl(PR_GET_CHILD_SUBREAPER, &s->subreaper) != 0)
        s->subreaper = 0;
    s->dumpable = prctl(PR_GET_DUMPABLE);
}

static void restore_process_wide(const struct sl_process_state *s)
{
    sigaction(SIGUSR1, &s->actions[0], NULL);
    for (size_t i = 0; i < SL_NFAULT_SIGNALS; i++)
        sigaction(sl_fault_signals[i], &s->actions[1 + i], NULL);
    prctl(PR_SET_CHILD_SUBREAPER, s->subreaper);
    if (s->dumpable >= 0)
        prctl(PR_SET_DUMPABLE, s->dumpable);
}

static void save_process(struct sandlock_ctx *ctx)
{
    pthread_sigmask(SIG_SETMASK, NULL, &ctx->saved.mask);
    pthread_mutex_lock(&process_lock);
    if (process_runs++ == 0)
        save_process_wide(&process_saved);
    pthread_mutex_unlock(&process_lock);
}

static void restore_process(const struct sandlock_ctx *ctx)
{
    pthread_mutex_lock(&process_lock);
    if (--process_runs == 0)
        restore_process_wide(&process_saved);
    pthread_mutex_unlock(&process_lock);
    pthread_sigmask(SIG_SETMASK, &ctx->saved.mask, NULL);
}

/* After a start that failed before the context was open: the sandbox
 * (already stopped) and the session go. */
static int open_failed(struct sandlock_ctx *ctx, struct sl_here *caller)
{
    sl_sandbox_free(ctx->sandbox);
    ctx->sandbox = NULL;
    leave(ctx);
    if (!ctx->keep_process_state)
        restore_process(ctx);
    sl_here = caller;
    return -1;
}

/* After a failed start: the instances end (sandlock's error status). */
static int start_failed(struct sandlock_ctx *ctx, struct sl_here *caller)
{
    sl_filter_free(&ctx->filter);
    sl_ctx_close(ctx);
    sl_supervisor_free(ctx->sup);
    sl_sandbox_free(ctx->sandbox);
    ctx->sup = NULL;
    ctx->sandbox = NULL;
    if (!ctx->keep_process_state)
        restore_process(ctx);
    sl_here = caller;
    return -1;
}

int sandlock_ctx_start(sandlock_ctx *ctx, char *const argv[])
{
    if (ctx->started || ctx->open)
        return fail(ctx, "a run of this context was started and not waited for");
    if (!argv || !argv[0] || !*argv[0])
        return fail(ctx, "no command given");
    *ctx->errmsg = '\0';
    if (have_config(ctx))
        return -1;
    struct sl_here *caller = sl_here;     /* the calling thread's, put back on return */
    sl_session_init(&ctx->session, argv, ctx->cfg->source);
    ctx->here.session = &ctx->session;    /* for the instances' init() */
    if (!ctx->keep_process_state)
        save_process(ctx);
    if (open_session(ctx)) {
        ctx->here.session = NULL;
        if (!ctx->keep_process_state)
            restore_process(ctx);
        sl_here = caller;
        return -1;
    }
    char *err = ctx->errmsg;
    size_t errlen = sizeof(ctx->errmsg);
    memset(&ctx->filter, 0, sizeof(ctx->filter));
    if (!(ctx->sandbox = sl_sandbox_new(ctx->keep_process_state))) {
        fail(ctx, "out of memory");
        return open_failed(ctx, caller);
    }
    /* The configuration is good: the sandbox's processes start while the
     * instances are loaded and initialised, and then while the filter is
     * built. The stub makes its namespaces meanwhile and waits for the
     * masks the instances ask for (sl_sandbox_prepared); the command's
     * process waits for the filter, and the command execs as soon as it
     * is installed (its notified calls wait until a worker receives them).
     * An instance that fails stops the sandbox before anything of the
     * command ran. */
    if (sl_sandbox_start(ctx->sandbox, argv, err, errlen))
        return open_failed(ctx, caller);
    sl_startup_mark("sandbox start returned");
    if (open_instances(ctx)) {
        sl_sandbox_abort(ctx->sandbox);
        return open_failed(ctx, caller);
    }
    if (sl_sandbox_prepared(ctx->sandbox, err, errlen))
        return start_failed(ctx, caller);
    if (sl_filter_build(&ctx->chains, ctx->plugins.deny, ctx->plugins.ndeny, ctx->cfg->default_deny, &ctx->filter,
                        err, errlen) ||
        sl_sandbox_set_filter(ctx->sandbox, &ctx->filter, err, errlen)) {
        sl_sandbox_abort(ctx->sandbox);
        return start_failed(ctx, caller);
    }
    sl_startup_mark("filter built and set");
    struct sl_supervisor_options sopts = sl_ctx_supervisor_options(ctx);
    ctx->sup = sl_supervisor_start(&ctx->chains, &sopts, ctx->sandbox, &ctx->here, err, errlen);
    if (!ctx->sup) {
        sl_sandbox_abort(ctx->sandbox);
        return start_failed(ctx, caller);
    }
    sl_startup_mark("supervisor started");
    int listener = sl_sandbox_listener(ctx->sandbox, err, errlen);
    sl_startup_mark("listener taken");
    if (listener < 0) {
        sl_supervisor_stop(ctx->sup);
        return start_failed(ctx, caller);
    }
    if (ctx->before_attach)
        ctx->before_attach(ctx->hook_arg);
    sl_supervisor_attach(ctx->sup, listener);
    sl_sandbox_release(ctx->sandbox);
    sl_startup_mark("attached and released");
    ctx->argv = argv;
    ctx->started = 1;
    sl_here = caller;
    return 0;
}

/* The counters of the run that ends, before its instances do. */
static void snapshot(struct sandlock_ctx *ctx)
{
    struct sl_stats_snapshot *s = &ctx->stats;
    stats_free(s);
    size_t n = ctx->plugins.n, m = ctx->chains.nnrs;
    s->inst = calloc(n ? n : 1, sizeof(*s->inst));
    s->syscall_names = calloc(m ? m : 1, sizeof(char *));
    s->notifications = calloc(m ? m : 1, sizeof(uint64_t));
    s->vanished = sl_supervisor_vanished(ctx->sup);
    if (!s->inst || !s->syscall_names || !s->notifications) {
        stats_free(s);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct sl_instance_stats *st = &ctx->plugins.inst[i].stats;
        s->inst[i] = (sandlock_instance_stats){
            .version = SANDLOCK_STATS_VERSION,
            .struct_size = sizeof(sandlock_instance_stats),
            .name = strdup(ctx->plugins.inst[i].cfg->name),
            .calls = atomic_load(&st->calls),
            .continued = atomic_load(&st->verdicts[SANDLOCK_VERDICT_CONTINUE]),
            .errno_answers = atomic_load(&st->verdicts[SANDLOCK_VERDICT_ERRNO]),
            .return_answers = atomic_load(&st->verdicts[SANDLOCK_VERDICT_RETURN]),
            .kills = atomic_load(&st->verdicts[SANDLOCK_VERDICT_KILL]),
            .fds = atomic_load(&st->verdicts[SANDLOCK_VERDICT_FD]),
            .deferred = atomic_load(&st->verdicts[SANDLOCK_VERDICT_DEFER]),
            .denied = atomic_load(&st->denied),
            .exceptions = atomic_load(&st->exceptions),
            .statics = atomic_load(&st->statics),
            .handle_ns = atomic_load(&st->handle_ns),
        };
        s->ninst++;
        if (!s->inst[i].name)
            s->inst[i].name = strdup("?");
    }
    for (size_t k = 0; k < m; k++) {
        const struct sl_chain *c = ctx->chains.by_nr[ctx->chains.nrs[k]];
        if (!(s->syscall_names[k] = strdup(c->syscall_name)))
            break;
        s->notifications[k] = atomic_load(&c->notified);
        s->nsyscalls++;
    }
}

int sandlock_ctx_wait(sandlock_ctx *ctx)
{
    if (!ctx->started) {
        fail(ctx, "no run of this context was started");
        return SANDLOCK_STATUS_ERROR;
    }
    struct sl_here *caller = sl_here;
    sl_here = &ctx->here;
    int code = sl_sandbox_wait(ctx->sandbox, ctx->argv[0]);
    sl_startup_mark("sandbox ended");
    sl_supervisor_stop(ctx->sup);
    sl_startup_mark("supervisor stopped");
    sl_deputy_close_run(sl_sandbox_id(ctx->sandbox));
    sl_denials_flush(&ctx->plugins);
    snapshot(ctx);
    sl_filter_free(&ctx->filter);
    ctx->session.status = code;       /* for the instances' fini() */
    sl_ctx_close(ctx);
    sl_startup_mark("instances ended");
    sl_supervisor_free(ctx->sup);     /* no instance holds a handle any more */
    sl_sandbox_free(ctx->sandbox);
    ctx->sup = NULL;
    ctx->sandbox = NULL;
    if (!ctx->keep_process_state)
        restore_process(ctx);
    ctx->started = 0;
    ctx->argv = NULL;
    sl_here = caller;
    return code;
}

int sandlock_ctx_run(sandlock_ctx *ctx, char *const argv[])
{
    if (sandlock_ctx_start(ctx, argv))
        return SANDLOCK_STATUS_ERROR;
    return sandlock_ctx_wait(ctx);
}

/* ---- statistics ---- */

size_t sandlock_ctx_stats_count(const sandlock_ctx *ctx)
{
    return ctx->stats.ninst;
}

int sandlock_ctx_instance_stats(const sandlock_ctx *ctx, size_t index, sandlock_instance_stats *out)
{
    if (!out || index >= ctx->stats.ninst || out->version == 0 ||
        out->struct_size < offsetof(sandlock_instance_stats, name))
        return -1;
    uint32_t size = out->struct_size < sizeof(*out) ? out->struct_size : (uint32_t)sizeof(*out);
    uint32_t version = out->version;
    memcpy(out, &ctx->stats.inst[index], size);
    out->version = version < SANDLOCK_STATS_VERSION ? version : SANDLOCK_STATS_VERSION;
    out->struct_size = size;
    return 0;
}

int sandlock_ctx_syscall_stats(const sandlock_ctx *ctx, size_t index, const char **name, uint64_t *notifications)
{
    if (index >= ctx->stats.nsyscalls)
        return -1;
    if (name)
        *name = ctx->stats.syscall_names[index];
    if (notifications)
        *notifications = ctx->stats.notifications[index];
    return 0;
}

uint64_t sandlock_ctx_vanished(const sandlock_ctx *ctx)
{
    return ctx->stats.vanished;
}

struct sandlock_ctx *sl_ctx_for_cli(const struct common_opts *o, char *err, size_t errlen)
{
    sandlock_ctx *ctx = sandlock_ctx_new();
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = o->config ? sandlock_ctx_load_file(ctx, o->config) : sandlock_ctx_load_default(ctx);
    for (size_t i = 0; rc == 0 && i < o->nsets; i++)
        rc = sandlock_ctx_set(ctx, o->sets[i]);
    for (size_t i = 0; rc == 0 && i < o->ndisabled; i++)
        rc = sandlock_ctx_disable(ctx, o->disabled[i]);
    if (rc == 0 && o->quiet)
        ctx->cfg->log_level = SANDLOCK_LOG_ERROR;
    sandlock_options opts;
    sandlock_options_init(&opts);
    opts.flags = SANDLOCK_OPT_LOG_STDERR;
    if (rc == 0)
        rc = sandlock_ctx_set_options(ctx, &opts);
    if (rc) {
        snprintf(err, errlen, "%s", sandlock_ctx_errmsg(ctx));
        sandlock_ctx_free(ctx);
        return NULL;
    }
    ctx->keep_process_state = 1;   /* sandlock exits after the run */
    ctx->exits_after_run = 1;
    return ctx;
}

struct sl_supervisor_options sl_ctx_supervisor_options(const struct sandlock_ctx *ctx)
{
    return (struct sl_supervisor_options){
        .workers = ctx->opts.workers ? ctx->opts.workers : ctx->cfg->workers,
        .max_deferred = ctx->cfg->max_deferred,
        .defer_timeout_ns = ctx->cfg->defer_timeout_ns,
        .verbose = !!(ctx->opts.flags & SANDLOCK_OPT_TRACE),
        .timing = !!(ctx->opts.flags & SANDLOCK_OPT_STATS),
    };
}
