/* main.c -- the sandlock command line: run, check, --help, --version. */
#include "config.h"
#include "chain.h"
#include "eintr.h"
#include "filter.h"
#include "loader.h"
#include "masks.h"
#include "log.h"
#include "sandbox.h"
#include "sl_config.h"
#include "supervisor.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define EXIT_SANDLOCK_ERROR 125

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sandlock run [-c FILE] [-v] [--stats] [--] COMMAND [ARG...]\n"
            "       sandlock check [-c FILE]\n"
            "       sandlock --help | --version\n"
            "\n"
            "Runs COMMAND under a seccomp filter whose notified syscalls are decided by\n"
            "the plugins listed in sandlock.ini (see sandlock(1), sandlock.ini(5)).\n"
            "\n"
            "  run      start COMMAND in the sandbox and supervise it\n"
            "  check    load and initialise every plugin, print the effective\n"
            "           configuration and the chain of every syscall, then exit\n"
            "\n"
            "  -c, --config FILE  configuration file (default: $SANDLOCK_CONFIG, then\n"
            "                     %s, then the built-in default)\n"
            "  -v, --verbose      log the chain result of every notification\n"
            "      --stats        print per-instance statistics when COMMAND ends\n"
            "  -h, --help         show this help\n"
            "  -V, --version      show the version\n"
            "\n"
            "Exit status: COMMAND's own; 128+N if it died of signal N (or a plugin\n"
            "killed the sandbox with N); 125 sandlock error; 126 COMMAND not\n"
            "executable; 127 COMMAND not found.\n",
            SANDLOCK_SYSCONF_FILE);
}

struct session {
    struct sl_config *cfg;
    struct sl_plugins plugins;
    struct sl_chains chains;
};

/* Reads the configuration and loads the plugins; prints the error. */
/* `sandlock check` also shows what plugins say at info level while they
 * initialise (e.g. which rules the kernel enforces and which not, and why). */
static int check_mode;

static int session_open(struct session *s, const char *config_path)
{
    char err[2048] = "";
    memset(s, 0, sizeof(*s));
    const char *path = sl_config_choose(config_path);
    s->cfg = path ? sl_config_load(path, err, sizeof(err))
                  : sl_config_parse(sl_builtin_config, "<built-in>", err, sizeof(err));
    if (!s->cfg) {
        fprintf(stderr, "sandlock: %s\n", err);
        return -1;
    }
    sl_log_level = s->cfg->log_level;
    if (check_mode && sl_log_level < SANDLOCK_LOG_INFO)
        sl_log_level = SANDLOCK_LOG_INFO;
    /* Without the deny list a root command could unmount the masks. */
    sl_masks_enable(s->cfg->masks && s->cfg->default_deny);
    if (sl_plugins_load(s->cfg, &s->plugins, err, sizeof(err)) || sl_masks_prepare(err, sizeof(err))) {
        fprintf(stderr, "sandlock: %s\n", err);
        sl_plugins_unload(&s->plugins);
        sl_masks_free();
        sl_config_free(s->cfg);
        s->cfg = NULL;
        return -1;
    }
    if (sl_chains_build(&s->plugins, &s->chains)) {
        fprintf(stderr, "sandlock: out of memory\n");
        sl_plugins_unload(&s->plugins);
        sl_config_free(s->cfg);
        s->cfg = NULL;
        return -1;
    }
    return 0;
}

static void session_close(struct session *s)
{
    sl_chains_free(&s->chains);
    sl_plugins_unload(&s->plugins);
    sl_masks_free();
    sl_config_free(s->cfg);
    s->cfg = NULL;
}

/* Every rule of one instance, in its order: where it is enforced and why
 * (see "Static verdicts" in plugin.h). The chains hold the rules with
 * their places, per syscall in the same order. */
static void print_rules(const struct session *s, const struct sl_instance *inst)
{
    for (size_t k = 0; k < inst->nrules; k++) {
        const struct sl_chain *c = sl_chain_for(&s->chains, inst->rules[k].nr);
        size_t nth = 0;
        for (size_t e = 0; e < k; e++)
            nth += inst->rules[e].nr == inst->rules[k].nr;
        for (size_t i = 0; c && i < c->n; i++) {
            if (c->inst[i] != inst || nth >= c->rules[i].n)
                continue;
            const struct sl_rule *r = &c->rules[i].rule[nth];
            char cmps[512], verdict[64];
            sl_rule_describe_cmps(r, cmps, sizeof(cmps));
            sl_rule_describe_verdict(r, verdict, sizeof(verdict));
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
static size_t eintr_calls(const struct session *s, const struct sl_instance *inst, int acknowledged,
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
static void print_eintr(const struct session *s)
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

static void print_check(const struct session *s)
{
    const struct sl_config *cfg = s->cfg;
    const char *dirs[64];
    char storage[4096];
    size_t ndirs = sl_plugin_search_path(cfg, dirs, 64, storage, sizeof(storage));
    printf("configuration: %s\n", cfg->source);
    printf("plugin path:");
    for (size_t i = 0; i < ndirs; i++)
        printf("%s%s", i ? ":" : " ", dirs[i]);
    printf("\ndefault on_exception: %s\n", sl_exception_policy_name(cfg->on_exception));
    static const char *const level_names[] = { "error", "warn", "info", "debug" };
    printf("workers: %u, log_level: %s, max_deferred: %u, defer_timeout: %llums\n", cfg->workers,
           level_names[cfg->log_level], cfg->max_deferred, (unsigned long long)(cfg->defer_timeout_ns / 1000000));
    printf("masks: %s\n", !cfg->masks ? "off (masks = no): plugins use notifications"
                           : !cfg->default_deny ? "off (default_deny = no: the command could unmount them): plugins "
                                                  "use notifications"
                           : sl_masks_available() ? "in the sandbox's own mount namespace"
                                                  : "unavailable (no CAP_SYS_ADMIN): plugins use notifications");
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

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else
            return EXIT_SANDLOCK_ERROR;
    }
    if (optind != argc) {
        fprintf(stderr, "sandlock: check takes no arguments\n");
        return EXIT_SANDLOCK_ERROR;
    }
    struct session s;
    check_mode = 1;
    if (session_open(&s, config))
        return EXIT_SANDLOCK_ERROR;
    print_check(&s);
    fflush(stdout);
    session_close(&s);
    return 0;
}

static void print_stats(const struct sl_plugins *plugins, const struct sl_chains *chains)
{
    fprintf(stderr, "sandlock: stats\n%-20s %10s %9s %8s %8s %6s %6s %6s %10s %8s %12s %10s\n", "instance",
            "calls", "continue", "errno", "return", "kill", "fd", "defer", "exceptions", "static",
            "handle-ms", "mean-ns");
    for (size_t i = 0; i < plugins->n; i++) {
        const struct sl_instance_stats *st = &plugins->inst[i].stats;
        unsigned long calls = atomic_load(&st->calls), ns = atomic_load(&st->handle_ns);
        unsigned long statics = atomic_load(&st->statics), handled = calls - statics;
        fprintf(stderr, "%-20s %10lu %9lu %8lu %8lu %6lu %6lu %6lu %10lu %8lu %12.3f %10lu\n",
                plugins->inst[i].cfg->name, calls,
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_CONTINUE]),
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_ERRNO]),
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_RETURN]),
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_KILL]),
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_FD]),
                atomic_load(&st->verdicts[SANDLOCK_VERDICT_DEFER]),
                atomic_load(&st->exceptions), statics, ns / 1e6, handled ? ns / handled : 0);
    }
    /* Notifications per syscall: a call the filter answers (or allows)
     * itself is never counted here. */
    fprintf(stderr, "%-20s %13s\n", "syscall", "notifications");
    for (size_t k = 0; k < chains->nnrs; k++) {
        struct sl_chain *c = chains->by_nr[chains->nrs[k]];
        fprintf(stderr, "%-20s %13lu\n", c->syscall_name, atomic_load(&c->notified));
    }
    /* Interrupted before a worker received them: see SIGNALS AND EINTR. */
    fprintf(stderr, "vanished before received: %lu\n",
            sl_supervisor_vanished());
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "verbose", no_argument, NULL, 'v' },
        { "stats", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL;
    int verbose = 0, stats = 0, c;
    while ((c = getopt_long(argc, argv, "+c:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'v': verbose = 1; break;
        case 's': stats = 1; break;
        case 'h': usage(stdout); return 0;
        default: return EXIT_SANDLOCK_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "sandlock: run: no command given (sandlock run [-c FILE] -- COMMAND [ARG...])\n");
        return EXIT_SANDLOCK_ERROR;
    }
    char **command = argv + optind;
    struct session s;
    if (session_open(&s, config))
        return EXIT_SANDLOCK_ERROR;
    char err[1024] = "";
    struct sl_filter filter = { 0 };
    int code = EXIT_SANDLOCK_ERROR;
    /* The configuration is good: the sandbox's processes start while the
     * filter is built. The command's process waits for the filter, and the
     * command execs as soon as it is installed (its notified calls wait
     * until a worker receives them). */
    if (sl_sandbox_start(command, err, sizeof(err))) {
        fprintf(stderr, "sandlock: %s\n", err);
        goto out;
    }
    if (sl_filter_build(&s.chains, s.plugins.deny, s.plugins.ndeny, s.cfg->default_deny,
                        &filter, err, sizeof(err)) ||
        sl_sandbox_set_filter(&filter, err, sizeof(err))) {
        fprintf(stderr, "sandlock: %s\n", err);
        sl_sandbox_abort();
        goto out;
    }
    struct sl_supervisor_options sopts = {
        .workers = s.cfg->workers,
        .max_deferred = s.cfg->max_deferred,
        .defer_timeout_ns = s.cfg->defer_timeout_ns,
        .verbose = verbose,
        .timing = stats,
    };
    if (sl_supervisor_start(&s.chains, &sopts, err, sizeof(err))) {
        fprintf(stderr, "sandlock: %s\n", err);
        sl_sandbox_abort();
        goto out;
    }
    int listener = sl_sandbox_listener(err, sizeof(err));
    if (listener < 0) {
        fprintf(stderr, "sandlock: %s\n", err);
        sl_supervisor_stop();
        goto out;
    }
    sl_supervisor_attach(listener);
    sl_sandbox_release();
    code = sl_sandbox_wait(command[0]);
    sl_supervisor_stop();
    if (stats)
        print_stats(&s.plugins, &s.chains);
out:
    sl_filter_free(&filter);
    session_close(&s);
    return code;
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
    fprintf(stderr, "sandlock: unknown command '%s' (try sandlock --help)\n", cmd);
    return EXIT_SANDLOCK_ERROR;
}
