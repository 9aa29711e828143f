/* main.c -- the sandlock command line: run, check, --help, --version. */
#include "config.h"
#include "chain.h"
#include "ctx.h"
#include "eintr.h"
#include "json.h"
#include "loader.h"
#include "log.h"
#include "hostview.h"
#include "masks.h"
#include "plugins_cmd.h"
#include "agent.h"
#include "ociprofile.h"
#include "sl_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXIT_SANDLOCK_ERROR 125

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sandlock run [OPTIONS] [--] COMMAND [ARG...]\n"
            "       sandlock check [-c FILE] [--json] [--disable NAME] [--set S.K=V]\n"
            "       sandlock plugins [-c FILE] [--json]\n"
            "       sandlock oci-profile [-c FILE] [--base PROFILE.json] --socket PATH [--metadata M]\n"
            "       sandlock agent --socket PATH [-c FILE]\n"
            "       sandlock --help | --version\n"
            "\n"
            "Runs COMMAND under a seccomp filter whose notified syscalls are decided by\n"
            "the plugins listed in sandlock.ini (see sandlock(1), sandlock.ini(5)).\n"
            "\n"
            "  run      start COMMAND in the sandbox and supervise it\n"
            "  check    load and initialise every plugin, print the effective\n"
            "           configuration and the chain of every syscall, then exit\n"
            "  plugins  list every module in the plugin path with its keys\n"
            "  agent    the OCI seccomp agent for container runtimes (sandlock-agent(8))\n"
            "\n"
            "  -c, --config FILE  configuration file (default: $SANDLOCK_CONFIG, then\n"
            "                     %s, then the built-in default)\n"
            "  -v, --verbose      log the chain result of every notification\n"
            "  -q, --quiet        only errors: no warnings, no denial lines, and what\n"
            "                     plugins write on stderr (audit's lines) is dropped\n"
            "      --log FILE     sandlock's and the plugins' stderr output during the\n"
            "                     run (warnings, denials, traces, stats) goes to FILE\n"
            "      --stats[=json] print per-instance statistics when COMMAND ends\n"
            "      --stats-file FILE  write them to FILE instead (implies --stats)\n"
            "      --disable NAME     leave instance NAME out of the chains\n"
            "      --set SECTION.KEY=VALUE  override a key of [sandlock] or of an\n"
            "                     instance after the configuration files\n"
            "      --json         (check) print the result as one JSON object\n"
            "  -h, --help         show this help\n"
            "  -V, --version      show the version\n"
            "\n"
            "Exit status: COMMAND's own; 128+N if it died of signal N (or a plugin\n"
            "killed the sandbox with N); 125 sandlock error; 126 COMMAND not\n"
            "executable; 127 COMMAND not found.\n",
            SANDLOCK_SYSCONF_FILE);
}

/* Command-line options shared by run and check. */
/* The context of -c, --set, --disable and -q: NULL with the message printed. */
static sandlock_ctx *context_of(const struct common_opts *o)
{
    char err[2048];
    sandlock_ctx *ctx = sl_ctx_for_cli(o, err, sizeof(err));
    if (!ctx)
        fprintf(stderr, "sandlock: %s\n", err);
    return ctx;
}

/* Every rule of one instance, in its order: where it is enforced and why
 * (see "Static verdicts" in plugin.h). The chains hold the rules with
 * their places, per syscall in the same order. */
/* The chain's copy of rule k of inst (with its place), the chain, and the
 * rule's comparisons and verdict as text (cmps: 512 bytes, verdict: 64). */
static const struct sl_rule *placed_rule(const struct sandlock_ctx *s, const struct sl_instance *inst, size_t k,
                                         const struct sl_chain **chain, char *cmps, char *verdict)
{
    const struct sl_chain *c = *chain = sl_chain_for(&s->chains, inst->rules[k].nr);
    size_t nth = 0;
    for (size_t e = 0; e < k; e++)
        nth += inst->rules[e].nr == inst->rules[k].nr;
    for (size_t i = 0; c && i < c->n; i++)
        if (c->inst[i] == inst && nth < c->rules[i].n) {
            const struct sl_rule *r = &c->rules[i].rule[nth];
            sl_rule_describe_cmps(r, cmps, 512);
            sl_rule_describe_verdict(r, verdict, 64);
            return r;
        }
    return NULL;
}

static void print_rules(const struct sandlock_ctx *s, const struct sl_instance *inst)
{
    for (size_t k = 0; k < inst->nrules; k++) {
        const struct sl_chain *c;
        char cmps[512], verdict[64];
        const struct sl_rule *r = placed_rule(s, inst, k, &c, cmps, verdict);
        if (r) {
            printf("     %s%s%s%s -> %s: %s (%s)\n", c->syscall_name, *cmps ? "(" : "", cmps, *cmps ? ")" : "",
                   verdict, r->place == SL_RULE_FILTER ? "in the filter" : "trapped", r->why);
        }
    }
}

/* Does instance i of chain c have a rule that is trapped? */
static int trapped_in(const struct sl_chain *c, size_t i)
{
    for (size_t j = 0; j < c->rules[i].n; j++)
        if (c->rules[i].rule[j].place == SL_RULE_CHAIN)
            return 1;
    return 0;
}

/* The calls `inst` intercepts that the kernel never fails with EINTR
 * (eintr.h) and that its eintr_ok acknowledges (or not): at most `max`
 * names into `names`; returns how many. */
static size_t eintr_calls(const struct sandlock_ctx *s, const struct sl_instance *inst, int acknowledged,
                          const char **names, size_t max)
{
    size_t n = 0;
    for (size_t k = 0; k < inst->nnrs && n < max; k++) {
        const struct sl_chain *c = sl_chain_for(&s->chains, inst->nrs[k]);
        if (c && sl_eintr_group_of(c->syscall_name) &&
            sl_eintr_acknowledged(inst->cfg->eintr_ok, inst->cfg->neintr_ok, c->syscall_name) == acknowledged)
            names[n++] = c->syscall_name;
    }
    return n;
}

static void print_names(const char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", names[i]);
}

/* What eintr_ok would take for `names`: the names themselves when they
 * are few, else their groups. */
static void print_acknowledgement(const char **names, size_t n)
{
    if (n <= 4) {
        print_names(names, n);
        return;
    }
    const char *groups[8];
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        const char *g = sl_eintr_group_of(names[i]);
        size_t j = 0;
        while (j < ngroups && strcmp(groups[j], g) != 0)
            j++;
        if (j == ngroups && ngroups < 8)
            groups[ngroups++] = g;
    }
    print_names(groups, ngroups);
}

/* `sandlock check`'s EINTR section: a warning for each instance that
 * intercepts calls the kernel never interrupts, unless acknowledged. */
static void print_eintr(const struct sandlock_ctx *s)
{
    const char *names[512];
    int any = 0;
    printf("\nEINTR (see SIGNALS AND EINTR in sandlock.ini(5)):\n");
    for (size_t i = 0; i < s->plugins.n; i++) {
        const struct sl_instance *inst = &s->plugins.inst[i];
        const char *name = inst->cfg->name;
        size_t n = eintr_calls(s, inst, 0, names, sizeof(names) / sizeof(names[0]));
        if (n) {
            printf("  warning: [%s] intercepts ", name);
            print_names(names, n);
            printf(", which the kernel never fails with EINTR: here %s fail%s with EINTR when a signal caught by a "
                   "handler without SA_RESTART arrives before a worker receives the call (acknowledge with "
                   "eintr_ok = ", n > 1 ? "they" : "it", n > 1 ? "" : "s");
            print_acknowledgement(names, n);
            printf(" in [plugin %s])\n", name);
            any = 1;
        }
        if ((n = eintr_calls(s, inst, 1, names, sizeof(names) / sizeof(names[0])))) {
            printf("  [%s] intercepts ", name);
            print_names(names, n);
            printf(": acknowledged (eintr_ok)\n");
            any = 1;
        }
        for (size_t k = 0; k < inst->cfg->neintr_ok; k++) {
            int intercepted = 0;
            for (size_t j = 0; j < inst->nnrs && !intercepted; j++) {
                const struct sl_chain *c = sl_chain_for(&s->chains, inst->nrs[j]);
                intercepted = c && sl_eintr_acknowledged(&inst->cfg->eintr_ok[k], 1, c->syscall_name);
            }
            if (!intercepted)
                printf("  note: [%s] eintr_ok names %s, which it does not intercept\n", name,
                       inst->cfg->eintr_ok[k]);
        }
    }
    if (!any)
        printf("  no instance intercepts a call the kernel never fails with EINTR\n");
}

static void print_check(const struct sandlock_ctx *s)
{
    const struct sl_config_file *cfg = s->cfg;
    const char *dirs[64];
    char storage[4096];
    size_t ndirs = sl_plugin_search_path(cfg, dirs, 64, storage, sizeof(storage));
    printf("configuration: %s\n", cfg->source);
    for (size_t i = 1; i < cfg->nfiles; i++)
        printf("drop-in: %s\n", cfg->files[i]);
    printf("plugin path:");
    for (size_t i = 0; i < ndirs; i++)
        printf("%s%s", i ? ":" : " ", dirs[i]);
    printf("\ndefault on_exception: %s\n", sl_exception_policy_name(cfg->on_exception));
    printf("workers: %u, log_level: %s, max_deferred: %u, defer_timeout: %llums\n", cfg->workers,
           sl_log_level_name(cfg->log_level), cfg->max_deferred, (unsigned long long)(cfg->defer_timeout_ns / 1000000));
    printf("masks: %s\n", !cfg->masks ? "off (masks = no): plugins use notifications"
                           : !cfg->default_deny ? "off (default_deny = no: the command could unmount them): plugins "
                                                  "use notifications"
                           : sl_masks_available() ? "in the sandbox's own mount namespace"
                                                  : "unavailable (no CAP_SYS_ADMIN): plugins use notifications");
    printf("kernel interfaces: %s\ndevices: %s\n", sl_hostview_kernel_summary(), sl_hostview_devices_summary());
    printf("deny list: %s", cfg->default_deny ? "built-in" : "(built-in disabled)");
    for (size_t i = 0; i < cfg->ndeny; i++)
        printf("%s%s", i ? ", " : " + ", cfg->deny[i]);
    printf("\n\ninstances (chain order):\n");
    if (!s->plugins.n)
        printf("  (none)\n");
    for (size_t i = 0; i < s->plugins.n; i++) {
        const struct sl_instance *inst = &s->plugins.inst[i];
        printf("  %zu. %s\n     module %s %s (%s)\n     on_exception %s\n     %s\n", i + 1,
               inst->cfg->name, inst->vt.name, inst->vt.version, inst->file,
               sl_exception_policy_name(inst->policy), inst->vt.description);
        sl_masks_print(stdout, inst->cfg->name, "     ");
        print_rules(s, inst);
    }
    for (size_t i = 0; i < cfg->ninstances; i++)
        if (!cfg->instances[i]->enabled)
            printf("  -  %s (disabled)\n", cfg->instances[i]->name);
    printf("\nsyscalls:\n");
    if (!s->chains.nnrs)
        printf("  (none intercepted)\n");
    for (size_t k = 0; k < s->chains.nnrs; k++) {
        const struct sl_chain *c = sl_chain_for(&s->chains, s->chains.nrs[k]);
        printf("  %-16s", c->syscall_name);
        const char *sep = " ";
        for (size_t i = 0; i < c->n; i++)
            if (trapped_in(c, i)) {
                printf("%s%s", sep, c->inst[i]->cfg->name);
                sep = " -> ";
            }
        if (!c->trapped)
            printf(" (in the filter only: never trapped)");
        printf("\n");
    }
    print_eintr(s);
}

/* A bad option of `sandlock CMD`, as getopt (opterr = 0) reported it. */
static int bad_option(const char *cmd, char **argv, int c)
{
    const char *given = argv[optind - 1];
    if (c == ':')
        fprintf(stderr, "sandlock %s: option '%s' needs an argument (try sandlock --help)\n", cmd, given);
    else if (optopt && given[0] == '-' && given[1] != '-')
        fprintf(stderr, "sandlock %s: unknown option '-%c' (try sandlock --help)\n", cmd, optopt);
    else
        fprintf(stderr, "sandlock %s: unknown option '%s' (try sandlock --help)\n", cmd, given);
    return EXIT_SANDLOCK_ERROR;
}

/* Options both commands take; 1 when `c` was one of them, -1 on error. */
enum { OPT_DISABLE = 1000, OPT_SET, OPT_LOG, OPT_STATS, OPT_STATS_FILE, OPT_JSON };
static int common_option(struct common_opts *o, int c)
{
    switch (c) {
    case 'c':
        o->config = optarg;
        return 1;
    case OPT_SET:
    case OPT_DISABLE: {
        const char **list = c == OPT_SET ? o->sets : o->disabled;
        size_t *n = c == OPT_SET ? &o->nsets : &o->ndisabled;
        if (*n == 64) {
            fprintf(stderr, "sandlock: at most 64 --%s options\n", c == OPT_SET ? "set" : "disable");
            return -1;
        }
        list[(*n)++] = optarg;
        return 1;
    }
    case 'q':
        o->quiet = 1;
        return 1;
    }
    return 0;
}

#define COMMON_LONG_OPTIONS                                 \
    { "config", required_argument, NULL, 'c' },             \
    { "set", required_argument, NULL, OPT_SET },            \
    { "disable", required_argument, NULL, OPT_DISABLE },    \
    { "help", no_argument, NULL, 'h' }

/* `sandlock check --json`: the same as print_check, as one JSON object. */
static void print_check_json(const struct sandlock_ctx *s, FILE *out)
{
    const struct sl_config_file *cfg = s->cfg;
    const char *dirs[64];
    char storage[4096];
    size_t ndirs = sl_plugin_search_path(cfg, dirs, 64, storage, sizeof(storage));
    fputs("{\"configuration\": ", out);
    sl_json_string(out, cfg->source);
    fputs(", \"drop_ins\": [", out);
    for (size_t i = 1; i < cfg->nfiles; i++) {
        fputs(i > 1 ? ", " : "", out);
        sl_json_string(out, cfg->files[i]);
    }
    fputs("]", out);
    fputs(", \"plugin_path\": [", out);
    for (size_t i = 0; i < ndirs; i++) {
        fputs(i ? ", " : "", out);
        sl_json_string(out, dirs[i]);
    }
    fprintf(out, "], \"on_exception\": \"%s\", \"workers\": %u, \"log_level\": \"%s\", \"max_deferred\": %u, "
            "\"defer_timeout_ms\": %llu, \"masks\": \"%s\", \"default_deny\": %s, \"deny\": [",
            sl_exception_policy_name(cfg->on_exception), cfg->workers, sl_log_level_name(cfg->log_level),
            cfg->max_deferred, (unsigned long long)(cfg->defer_timeout_ns / 1000000),
            !cfg->masks ? "off" : sl_masks_available() ? "on" : "unavailable", cfg->default_deny ? "true" : "false");
    for (size_t i = 0; i < cfg->ndeny; i++) {
        fputs(i ? ", " : "", out);
        sl_json_string(out, cfg->deny[i]);
    }
    fputs("], \"instances\": [", out);
    for (size_t i = 0; i < s->plugins.n; i++) {
        const struct sl_instance *inst = &s->plugins.inst[i];
        fputs(i ? ", {\"name\": " : "{\"name\": ", out);
        sl_json_string(out, inst->cfg->name);
        fputs(", \"module\": ", out);
        sl_json_string(out, inst->vt.name);
        fputs(", \"version\": ", out);
        sl_json_string(out, inst->vt.version);
        fputs(", \"file\": ", out);
        sl_json_string(out, inst->file);
        fprintf(out, ", \"on_exception\": \"%s\", \"description\": ", sl_exception_policy_name(inst->policy));
        sl_json_string(out, inst->vt.description);
        fputs(", \"masks\": [", out);
        const char *path, *how;
        int applied;
        for (size_t k = 0; sl_masks_get(inst->cfg->name, k, &path, &how, &applied) == 0; k++) {
            fprintf(out, "%s{\"how\": \"%s\", \"applied\": %s, \"path\": ", k ? ", " : "", how,
                    applied ? "true" : "false");
            sl_json_string(out, path);
            fputs("}", out);
        }
        fputs("], \"rules\": [", out);
        size_t shown = 0;
        for (size_t k = 0; k < inst->nrules; k++) {
            const struct sl_chain *c;
            char cmps[512], verdict[64];
            const struct sl_rule *r = placed_rule(s, inst, k, &c, cmps, verdict);
            if (r) {
                fputs(shown++ ? ", {\"syscall\": " : "{\"syscall\": ", out);
                sl_json_string(out, c->syscall_name);
                fputs(", \"predicate\": ", out);
                sl_json_string(out, cmps);
                fputs(", \"verdict\": ", out);
                sl_json_string(out, verdict);
                fprintf(out, ", \"place\": \"%s\", \"why\": ", r->place == SL_RULE_FILTER ? "filter" : "trapped");
                sl_json_string(out, r->why);
                fputs("}", out);
            }
        }
        fputs("]}", out);
    }
    fputs("], \"disabled\": [", out);
    for (size_t i = 0, n = 0; i < cfg->ninstances; i++)
        if (!cfg->instances[i]->enabled) {
            fputs(n++ ? ", " : "", out);
            sl_json_string(out, cfg->instances[i]->name);
        }
    fputs("], \"syscalls\": [", out);
    for (size_t k = 0; k < s->chains.nnrs; k++) {
        const struct sl_chain *c = sl_chain_for(&s->chains, s->chains.nrs[k]);
        fputs(k ? ", {\"name\": " : "{\"name\": ", out);
        sl_json_string(out, c->syscall_name);
        fputs(", \"chain\": [", out);
        for (size_t i = 0, n = 0; i < c->n; i++)
            if (trapped_in(c, i)) {
                fputs(n++ ? ", " : "", out);
                sl_json_string(out, c->inst[i]->cfg->name);
            }
        fprintf(out, "], \"trapped\": %s}", c->trapped ? "true" : "false");
    }
    fputs("]}\n", out);
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_LONG_OPTIONS,
        { "json", no_argument, NULL, OPT_JSON },
        { NULL, 0, NULL, 0 },
    };
    struct common_opts o = { 0 };
    int c, json = 0, known;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        if ((known = common_option(&o, c)) < 0)
            return EXIT_SANDLOCK_ERROR;
        if (known)
            continue;
        if (c == OPT_JSON)
            json = 1;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else
            return bad_option("check", argv, c);
    }
    if (optind != argc) {
        fprintf(stderr, "sandlock: check takes no arguments\n");
        return EXIT_SANDLOCK_ERROR;
    }
    sandlock_ctx *ctx = context_of(&o);
    if (!ctx)
        return EXIT_SANDLOCK_ERROR;
    /* `sandlock check` also shows what plugins say at info level while
     * they initialise (e.g. which rules the kernel enforces and which not,
     * and why); --json: stdout holds only the JSON object. */
    ctx->min_log_level = json ? SANDLOCK_LOG_ERROR : SANDLOCK_LOG_INFO;
    if (sl_ctx_open(ctx)) {
        fprintf(stderr, "sandlock: %s\n", sandlock_ctx_errmsg(ctx));
        sandlock_ctx_free(ctx);
        return EXIT_SANDLOCK_ERROR;
    }
    if (json)
        print_check_json(ctx, stdout);
    else
        print_check(ctx);
    fflush(stdout);
    sl_ctx_close(ctx);
    sandlock_ctx_free(ctx);
    return sl_plugins_fini_faulted() ? EXIT_SANDLOCK_ERROR : 0;
}

/* --stats' columns, in order, for the text table and the JSON keys. */
static const char *const stat_names[] = { "calls", "continue", "denied", "errno", "return", "kill", "fd",
                                          "defer", "exceptions", "static" };

static void instance_counts(const sandlock_instance_stats *st, unsigned long v[10])
{
    const uint64_t in_order[10] = { st->calls, st->continued, st->denied, st->errno_answers, st->return_answers,
                                    st->kills, st->fds, st->deferred, st->exceptions, st->statics };
    for (size_t k = 0; k < 10; k++)
        v[k] = (unsigned long)in_order[k];
}

/* Instance i of the last run's statistics; 0 or -1. */
static int stats_of(const sandlock_ctx *ctx, size_t i, sandlock_instance_stats *st)
{
    st->version = SANDLOCK_STATS_VERSION;
    st->struct_size = sizeof(*st);
    return sandlock_ctx_instance_stats(ctx, i, st);
}

/* --stats=json: one object with the same counts as the table. */
static void print_stats_json(FILE *out, const sandlock_ctx *ctx)
{
    fputs("{\"instances\": [", out);
    sandlock_instance_stats st;
    for (size_t i = 0; stats_of(ctx, i, &st) == 0; i++) {
        unsigned long v[10];
        instance_counts(&st, v);
        fputs(i ? ", {\"name\": " : "{\"name\": ", out);
        sl_json_string(out, st.name);
        for (size_t k = 0; k < 10; k++)
            fprintf(out, ", \"%s\": %lu", stat_names[k], v[k]);
        fprintf(out, ", \"handle_ns\": %lu}", (unsigned long)st.handle_ns);
    }
    fputs("], \"notifications\": {", out);
    const char *name;
    uint64_t n;
    for (size_t k = 0; sandlock_ctx_syscall_stats(ctx, k, &name, &n) == 0; k++)
        fprintf(out, "%s\"%s\": %lu", k ? ", " : "", name, (unsigned long)n);
    fputs("}}\n", out);
}

static void print_stats(FILE *out, const sandlock_ctx *ctx)
{
    fprintf(out, "sandlock: stats\n%-20s %10s %9s %8s %8s %8s %6s %6s %6s %10s %8s %12s %10s\n", "instance",
            "calls", "continue", "denied", "errno", "return", "kill", "fd", "defer", "exceptions", "static",
            "handle-ms", "mean-ns");
    sandlock_instance_stats st;
    for (size_t i = 0; stats_of(ctx, i, &st) == 0; i++) {
        unsigned long v[10];
        instance_counts(&st, v);
        unsigned long calls = v[0], ns = (unsigned long)st.handle_ns;
        unsigned long statics = v[9], handled = calls - statics;
        fprintf(out, "%-20s %10lu %9lu %8lu %8lu %8lu %6lu %6lu %6lu %10lu %8lu %12.3f %10lu\n",
                st.name, calls, v[1], v[2], v[3],
                v[4], v[5], v[6], v[7], v[8], statics, ns / 1e6, handled ? ns / handled : 0);
    }
    /* Notifications per syscall: a call the filter answers (or allows)
     * itself is never counted here. */
    fprintf(out, "%-20s %13s\n", "syscall", "notifications");
    const char *name;
    uint64_t n;
    for (size_t k = 0; sandlock_ctx_syscall_stats(ctx, k, &name, &n) == 0; k++)
        fprintf(out, "%-20s %13lu\n", name, (unsigned long)n);
    /* Interrupted before a worker received them: see SIGNALS AND EINTR. */
    fprintf(stderr, "vanished before received: %lu\n", (unsigned long)sandlock_ctx_vanished(ctx));
}

/* Where the run's output goes: --log FILE, -q, --stats-file FILE. */
struct run_output {
    int log_fd;          /* --log: opened before the run; -1 */
    int quiet;           /* -q without --log: plugins' stderr dropped */
    int caller_err;      /* the caller's stderr, for sandlock's own errors */
    FILE *stats;         /* --stats-file, or NULL (stderr) */
};

static int open_output(struct run_output *o, const char *log, const char *stats_file, int quiet)
{
    o->log_fd = -1;
    o->stats = NULL;
    o->quiet = quiet && !log;
    o->caller_err = STDERR_FILENO;
    if (log && (o->log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600)) < 0) {
        fprintf(stderr, "sandlock: --log: cannot open '%s': %s\n", log, strerror(errno));
        return -1;
    }
    if (stats_file && !(o->stats = fopen(stats_file, "we"))) {
        fprintf(stderr, "sandlock: --stats-file: cannot open '%s': %s\n", stats_file, strerror(errno));
        if (o->log_fd >= 0)
            close(o->log_fd);
        return -1;
    }
    return 0;
}

/* Once the sandbox's processes have their own descriptors (the command
 * runs: sandlock holds its listener): sandlock's fd 2
 * -- its log lines, traces, stats and whatever the plugins write on stderr
 * (audit's output = stderr) -- becomes the --log file, or /dev/null for
 * -q; sandlock's own errors keep the caller's stderr. */
static void redirect_output(void *arg)
{
    struct run_output *o = arg;
    int fd = o->log_fd;
    if (fd < 0 && o->quiet)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved >= 0 && dup2(fd, STDERR_FILENO) == STDERR_FILENO)
        o->caller_err = saved;
    else if (saved >= 0)
        close(saved);
    if (fd != o->log_fd)
        close(fd);
}

/* A fatal error of the run, on the caller's stderr. */
static void run_error(const struct run_output *o, const char *err)
{
    dprintf(o->caller_err, "sandlock: %s\n", err);
}

static void close_output(struct run_output *o)
{
    if (o->caller_err != STDERR_FILENO) {
        dup2(o->caller_err, STDERR_FILENO);
        close(o->caller_err);
    }
    if (o->log_fd >= 0)
        close(o->log_fd);
    if (o->stats)
        fclose(o->stats);
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_LONG_OPTIONS,
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "stats", optional_argument, NULL, OPT_STATS },
        { "stats-file", required_argument, NULL, OPT_STATS_FILE },
        { "log", required_argument, NULL, OPT_LOG },
        { NULL, 0, NULL, 0 },
    };
    struct common_opts o = { 0 };
    const char *log = NULL, *stats_file = NULL;
    int verbose = 0, stats = 0, stats_json = 0, c, known;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:vqh", opts, NULL)) != -1) {
        if ((known = common_option(&o, c)) < 0)
            return EXIT_SANDLOCK_ERROR;
        if (known)
            continue;
        switch (c) {
        case 'v': verbose = 1; break;
        case OPT_LOG: log = optarg; break;
        case OPT_STATS_FILE: stats_file = optarg; stats = 1; break;
        case OPT_STATS:
            stats = 1;
            if (optarg && strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "sandlock run: --stats=%s: expected --stats, --stats=text or --stats=json\n", optarg);
                return EXIT_SANDLOCK_ERROR;
            }
            stats_json = optarg && !strcmp(optarg, "json");
            break;
        case 'h': usage(stdout); return 0;
        default: return bad_option("run", argv, c);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "sandlock: run: no command given (sandlock run [-c FILE] -- COMMAND [ARG...])\n");
        return EXIT_SANDLOCK_ERROR;
    }
    char **command = argv + optind;
    struct run_output out;
    if (open_output(&out, log, stats_file, o.quiet))
        return EXIT_SANDLOCK_ERROR;
    sandlock_ctx *ctx = context_of(&o);
    if (!ctx) {
        close_output(&out);
        return EXIT_SANDLOCK_ERROR;
    }
    sandlock_options run_opts = ctx->opts;
    run_opts.flags |= (verbose ? SANDLOCK_OPT_TRACE : 0) | (stats ? SANDLOCK_OPT_STATS : 0);
    sandlock_ctx_set_options(ctx, &run_opts);
    /* The command's processes hold their own descriptors before the
     * workers start: from then on sandlock's stderr is the --log file. */
    ctx->before_attach = redirect_output;
    ctx->hook_arg = &out;
    int code = EXIT_SANDLOCK_ERROR;
    if (sandlock_ctx_start(ctx, command)) {
        run_error(&out, sandlock_ctx_errmsg(ctx));
    } else {
        code = sandlock_ctx_wait(ctx);
        if (stats) {
            /* --stats-file, else the --log file, else the caller's stderr
             * (also with -q). */
            FILE *to = out.stats ? out.stats : fdopen(dup(out.log_fd >= 0 ? STDERR_FILENO : out.caller_err), "w");
            if (to && stats_json)
                print_stats_json(to, ctx);
            else if (to)
                print_stats(to, ctx);
            if (to && to != out.stats)
                fclose(to);
            else if (to)
                fflush(to);
        }
    }
    sandlock_ctx_free(ctx);
    close_output(&out);
    return sl_plugins_fini_faulted() ? EXIT_SANDLOCK_ERROR : code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_SANDLOCK_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("sandlock %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, SANDLOCK_ABI_MAJOR, SANDLOCK_ABI_MINOR);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "plugins"))
        return sl_cmd_plugins(argc - 1, argv + 1);
    if (!strcmp(cmd, "oci-profile"))
        return sl_oci_profile_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "agent"))
        return sl_agent_main(argc - 1, argv + 1);
    if (cmd[0] == '-')
        fprintf(stderr, "sandlock: options go after the command: sandlock run %s ... -- COMMAND, or sandlock check "
                "%s ... (try sandlock --help)\n", cmd, cmd);
    else
        fprintf(stderr, "sandlock: unknown command '%s' (try sandlock --help)\n", cmd);
    return EXIT_SANDLOCK_ERROR;
}
