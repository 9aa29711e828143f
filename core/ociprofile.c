/* ociprofile.c -- see ociprofile.h. The profile's format is the
 * runtime-spec's linux.seccomp (config-linux.md), which Kubernetes'
 * Localhost profiles and podman's --security-opt seccomp= take as is. */
#include "config.h"
#include "ociprofile.h"
#include "log.h"
#include "argdeny.h"
#include "chain.h"
#include "ctx.h"
#include "loader.h"
#include "placeholders.h"
#include "sl_config.h"

#include <errno.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_SANDLOCK_ERROR 125

/* The architecture the runtime builds the filter for: the native one
 * only, as sandlock's own filter (filter.c), which kills the calls of
 * every other (x86_64: i386 through int 0x80, and x32; arm64: AArch32).
 * Listing those would apply the rules by name on each -- and i386 reaches
 * socket(2), connect(2) and the rest through socketcall(2), whose
 * arguments no filter reads, around the argument rules and netguard; and
 * the agent's chains are indexed by native numbers. Left out, their calls
 * get the runtime's "bad architecture" action: libseccomp's default,
 * SCMP_ACT_KILL_THREAD, under runc and crun (tests/oci/e2e.sh checks an
 * int 0x80 call dies). */
static const char *architecture(void)
{
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64: return "SCMP_ARCH_X86_64";
    case SCMP_ARCH_AARCH64: return "SCMP_ARCH_AARCH64";
    case SCMP_ARCH_RISCV64: return "SCMP_ARCH_RISCV64";
#ifdef SCMP_ARCH_LOONGARCH64
    case SCMP_ARCH_LOONGARCH64: return "SCMP_ARCH_LOONGARCH64";
#endif
    default: return NULL;
    }
}

/* ---- the base profile's rules ---- */

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
    va_list ap;
    fputs("sandlock oci-profile: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Ours in the profile's list; a base that lists others keeps them (and
 * their calls escape the argument rules: a warning). */

/* The names of a rule: "names" (an array) or the older "name". */
static int rule_mentions(json_t *rule, const char *name)
{
    json_t *names = json_object_get(rule, "names"), *v;
    size_t i;
    json_array_foreach(names, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), name))
            return 1;
    json_t *one = json_object_get(rule, "name");
    return json_is_string(one) && !strcmp(json_string_value(one), name);
}

/* Actions that let a call happen (the others fail, kill or trace it). */
static int action_allows(json_t *rule)
{
    const char *a = json_string_value(json_object_get(rule, "action"));
    return a && (!strcmp(a, "SCMP_ACT_ALLOW") || !strcmp(a, "SCMP_ACT_LOG") || !strcmp(a, "SCMP_ACT_NOTIFY"));
}

static int has_args(json_t *rule)
{
    return json_array_size(json_object_get(rule, "args")) > 0;
}

/* Takes `name` out of a rule; the rule is dropped when no name is left
 * (index i of syscalls then names the next rule: returns 1). */
static int drop_name(json_t *syscalls, size_t i, const char *name)
{
    json_t *rule = json_array_get(syscalls, i), *names = json_object_get(rule, "names"), *v;
    for (size_t k = json_array_size(names); k-- > 0;)
        if (!strcmp(json_string_value(json_array_get(names, k)) ?: "", name))
            json_array_remove(names, k);
    if (json_is_string(json_object_get(rule, "name")) && !strcmp(json_string_value(json_object_get(rule, "name")), name))
        json_object_del(rule, "name");
    v = json_object_get(rule, "name");
    if (!json_array_size(names) && !v) {
        json_array_remove(syscalls, i);
        return 1;
    }
    return 0;
}

/* What the base says of `name`. */
enum base_view {
    BASE_SILENT,         /* no rule: its default action decides */
    BASE_ALLOWS,         /* only unconditional allowing rules */
    BASE_CONDITIONS,     /* some rule with argument conditions */
    BASE_DENIES,         /* an unconditional rule that fails, kills or traces it */
};

static enum base_view base_view(json_t *syscalls, const char *name)
{
    enum base_view view = BASE_SILENT;
    json_t *rule;
    size_t i;
    json_array_foreach(syscalls, i, rule) {
        if (!rule_mentions(rule, name))
            continue;
        if (!has_args(rule) && !action_allows(rule))
            return BASE_DENIES;
        if (has_args(rule))
            view = BASE_CONDITIONS;
        else if (view == BASE_SILENT)
            view = BASE_ALLOWS;
    }
    return view;
}

static void remove_everywhere(json_t *syscalls, const char *name)
{
    for (size_t i = 0; i < json_array_size(syscalls);)
        if (!rule_mentions(json_array_get(syscalls, i), name) || !drop_name(syscalls, i, name))
            i++;
}

static int default_allows(json_t *profile)
{
    const char *a = json_string_value(json_object_get(profile, "defaultAction"));
    return a && (!strcmp(a, "SCMP_ACT_ALLOW") || !strcmp(a, "SCMP_ACT_LOG"));
}

/* ---- building ---- */

static json_t *names_rule(const char *action)
{
    return json_pack("{s:[],s:s}", "names", "action", action);
}

static void add_name(json_t *rule, const char *name)
{
    json_array_append_new(json_object_get(rule, "names"), json_string(name));
}

static int denied(const struct sl_oci_profile_input *in, int nr)
{
    for (size_t i = 0; i < in->ndeny; i++)
        if (in->deny[i] == nr)
            return 1;
    return 0;
}

/* One argdeny.h rule as a profile rule: its conditions AND (each on its
 * own argument, so runtimes keep them in one libseccomp rule). */
static json_t *arg_rule(const struct sl_arg_rule *r, const char *name)
{
    json_t *args = json_array();
    for (unsigned c = 0; c < r->ncond; c++)
        json_array_append_new(args, json_pack("{s:I,s:I,s:I,s:s}", "index", (json_int_t)r->cond[c].arg, "value",
                                              (json_int_t)r->cond[c].mask, "valueTwo",
                                              (json_int_t)r->cond[c].value, "op", "SCMP_CMP_MASKED_EQ"));
    return json_pack("{s:[s],s:s,s:i,s:o}", "names", name, "action", "SCMP_ACT_ERRNO", "errnoRet", r->error,
                     "args", args);
}

static int set_architectures(json_t *profile, char *err, size_t errlen)
{
    const char *arch = architecture();
    if (!arch) {
        sl_errf(err, errlen, "no profile architecture name for this machine's architecture");
        return -1;
    }
    json_t *list = json_object_get(profile, "architectures"), *v;
    size_t i, have = 0;
    if (!list) {
        json_object_set_new(profile, "architectures", list = json_array());
    } else if (!json_is_array(list)) {
        sl_errf(err, errlen, "--base: \"architectures\" is not an array");
        return -1;
    }
    json_array_foreach(list, i, v) {
        if (json_is_string(v) && !strcmp(json_string_value(v), arch))
            have = 1;
        else
            warn("the base lists architecture %s: its calls are filtered by name, not as sandlock does (see "
                 "sandlock-agent(8))", json_is_string(v) ? json_string_value(v) : "(not a string)");
    }
    if (!have)
        json_array_append_new(list, json_string(arch));
    return 0;
}

json_t *sl_oci_profile_build(const struct sl_oci_profile_input *in, json_t *base, char *err, size_t errlen)
{
    json_t *profile = base ? base : json_pack("{s:s,s:[]}", "defaultAction", "SCMP_ACT_ALLOW", "architectures");
    if (!json_is_object(profile)) {
        sl_errf(err, errlen, "--base: not a JSON object");
        goto fail;
    }
    if (!json_is_string(json_object_get(profile, "defaultAction"))) {
        sl_errf(err, errlen, "--base: \"defaultAction\" missing or not a string");
        goto fail;
    }
    json_t *syscalls = json_object_get(profile, "syscalls");
    if (!syscalls)
        json_object_set_new(profile, "syscalls", syscalls = json_array());
    if (!json_is_array(syscalls)) {
        sl_errf(err, errlen, "--base: \"syscalls\" is not an array");
        goto fail;
    }
    json_t *rule;
    size_t i;
    json_array_foreach(syscalls, i, rule)
        if (!json_is_object(rule) || !json_is_string(json_object_get(rule, "action"))) {
            sl_errf(err, errlen, "--base: syscalls[%zu]: not an object with an \"action\" string", i);
            goto fail;
        }
    if (set_architectures(profile, err, errlen))
        goto fail;
    const char *old = json_string_value(json_object_get(profile, "listenerPath"));
    if (old && strcmp(old, in->socket))
        warn("the base's listenerPath %s replaced by %s", old, in->socket);
    /* JSON strings are UTF-8: jansson refuses other bytes. */
    if (json_object_set_new(profile, "listenerPath", json_string(in->socket)) ||
        (in->metadata && json_object_set_new(profile, "listenerMetadata", json_string(in->metadata)))) {
        sl_errf(err, errlen, "--socket and --metadata must be UTF-8 text");
        goto fail;
    }

    /* sandlock's rules, appended after the base's once all are decided
     * (base_view looks at the base's rules only). */
    json_t *ours = json_array();
    /* The deny list: sandlock's EPERM wins over a base that allows. */
    json_t *deny = names_rule("SCMP_ACT_ERRNO");
    json_object_set_new(deny, "errnoRet", json_integer(EPERM));
    for (size_t k = 0; k < in->ndeny; k++) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, in->deny[k]);
        if (!name)
            continue;
        enum base_view view = base_view(syscalls, name);
        if (view == BASE_ALLOWS || view == BASE_CONDITIONS)
            warn("%s: the base's rules that allow it replaced by sandlock's deny list (EPERM)", name);
        if (view != BASE_DENIES) {
            remove_everywhere(syscalls, name);
            add_name(deny, name);
        }
        free(name);
    }
    if (json_array_size(json_object_get(deny, "names")))
        json_array_append(ours, deny);
    json_decref(deny);

    /* Every syscall a chain has is notified (the agent runs the whole
     * chain, static verdicts and the argument rules included, as the
     * supervisor does for what the filter traps), unless denied. */
    json_t *notify = names_rule("SCMP_ACT_NOTIFY");
    for (size_t k = 0; k < in->chains->nnrs; k++) {
        int nr = in->chains->nrs[k];
        const struct sl_chain *c = sl_chain_for(in->chains, nr);
        if (denied(in, nr))
            continue;
        switch (base_view(syscalls, c->syscall_name)) {
        case BASE_DENIES:
            warn("%s stays denied by the base: not notified, its chain never runs", c->syscall_name);
            continue;
        case BASE_CONDITIONS:
            warn("the base decides %s by its arguments: left to the base, not notified", c->syscall_name);
            continue;
        case BASE_SILENT:
            if (!default_allows(profile)) {
                warn("%s stays denied by the base's defaultAction: not notified", c->syscall_name);
                continue;
            }
            break;
        case BASE_ALLOWS:
            remove_everywhere(syscalls, c->syscall_name);
            break;
        }
        add_name(notify, c->syscall_name);
    }
    if (json_array_size(json_object_get(notify, "names")))
        json_array_append(ours, notify);
    json_decref(notify);

    /* The built-in argument rules, for what is not notified (the agent
     * applies them to a notified call itself). */
    size_t nrules = 0;
    const struct sl_arg_rule *rules = in->builtin ? sl_arg_rules_all(&nrules) : NULL;
    for (size_t k = 0; k < nrules; k++) {
        if (sl_chain_for(in->chains, rules[k].nr) || denied(in, rules[k].nr))
            continue;
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rules[k].nr);
        if (!name)
            continue;
        enum base_view view = base_view(syscalls, name);
        if (view == BASE_SILENT && default_allows(profile))
            json_array_append_new(ours, arg_rule(&rules[k], name));
        else if (view == BASE_ALLOWS || view == BASE_CONDITIONS)
            warn("the base has its own rules for %s: sandlock's argument rule (errno %d) not added", name,
                 rules[k].error);
        free(name);
    }
    json_array_extend(syscalls, ours);
    json_decref(ours);
    return profile;
fail:
    json_decref(profile);
    return NULL;
}

/* ---- the command ---- */

static void usage(FILE *out)
{
    fputs("Usage: sandlock oci-profile [-c FILE] [--base PROFILE.json] --socket PATH [--metadata M]\n"
          "Prints the OCI/Kubernetes seccomp profile for the configuration: the deny\n"
          "list, SCMP_ACT_NOTIFY for every syscall the instances intercept, and\n"
          "listenerPath (PATH, the agent's socket) / listenerMetadata (M).\n",
          out);
}

int sl_oci_profile_main(int argc, char **argv)
{
    enum { OPT_BASE = 1000, OPT_SOCKET, OPT_METADATA };
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "base", required_argument, NULL, OPT_BASE },
        { "socket", required_argument, NULL, OPT_SOCKET },
        { "metadata", required_argument, NULL, OPT_METADATA },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *base_path = NULL;
    struct sl_oci_profile_input in = { 0 };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case OPT_BASE: base_path = optarg; break;
        case OPT_SOCKET: in.socket = optarg; break;
        case OPT_METADATA: in.metadata = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "sandlock oci-profile: option '%s' needs an argument\n", argv[optind - 1]);
            return EXIT_SANDLOCK_ERROR;
        default:
            fprintf(stderr, "sandlock oci-profile: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_SANDLOCK_ERROR;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "sandlock oci-profile: unexpected argument '%s'\n", argv[optind]);
        return EXIT_SANDLOCK_ERROR;
    }
    if (!in.socket || in.socket[0] != '/') {
        fprintf(stderr, "sandlock oci-profile: --socket PATH (absolute) is required: the agent's socket, the "
                        "profile's listenerPath\n");
        return EXIT_SANDLOCK_ERROR;
    }
    json_t *base = NULL;
    if (base_path) {
        json_error_t jerr;
        if (!(base = json_load_file(base_path, JSON_REJECT_DUPLICATES, &jerr))) {
            fprintf(stderr, "sandlock oci-profile: --base %s:%d:%d: %s\n", base_path, jerr.line, jerr.column,
                    jerr.text);
            return EXIT_SANDLOCK_ERROR;
        }
    }

    /* The configuration as `sandlock check` loads it, without masks: a
     * container's mounts are its runtime's, so the plugins take the
     * notification path for everything (as with masks = no). */
    char err[2048] = "";
    struct common_opts o = { .config = config, .sets = { "sandlock.masks=no" }, .nsets = 1 };
    sandlock_ctx *ctx = sl_ctx_for_cli(&o, err, sizeof(err));
    /* An agent profile's placeholders stand for a container there is none
     * of yet: the sample value (the profile does not depend on it). */
    static const struct sl_placeholder_values sample = { .id = SL_PLACEHOLDER_SAMPLE,
                                                         .bundle = SL_PLACEHOLDER_SAMPLE };
    if (ctx && sl_placeholders_expand(ctx->cfg, &sample, 1, ctx->errmsg, sizeof(ctx->errmsg))) {
        fprintf(stderr, "sandlock: %s\n", sandlock_ctx_errmsg(ctx));
        sandlock_ctx_free(ctx);
        json_decref(base);
        return EXIT_SANDLOCK_ERROR;
    }
    if (!ctx || sl_ctx_open(ctx)) {
        fprintf(stderr, "sandlock: %s\n", ctx ? sandlock_ctx_errmsg(ctx) : err);
        sandlock_ctx_free(ctx);
        json_decref(base);
        return EXIT_SANDLOCK_ERROR;
    }
    int code = EXIT_SANDLOCK_ERROR;
    in.chains = &ctx->chains;
    in.deny = ctx->plugins.deny;
    in.ndeny = ctx->plugins.ndeny;
    in.builtin = ctx->plugins.builtin_deny;
    json_t *profile = sl_oci_profile_build(&in, base, err, sizeof(err));
    if (!profile) {
        fprintf(stderr, "sandlock oci-profile: %s\n", err);
    } else if (json_dumpf(profile, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', stdout) < 0 ||
               fflush(stdout)) {
        fprintf(stderr, "sandlock oci-profile: cannot write the profile: %s\n", strerror(errno));
    } else {
        code = 0;
    }
    json_decref(profile);       /* (base was taken over by the build) */
    sl_ctx_close(ctx);
    sandlock_ctx_free(ctx);
    return code;
}
