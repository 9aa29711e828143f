/* verdict -- a fixed, declarative answer for a list of syscalls.
 *
 *   [plugin fake-ppid]
 *   module = verdict
 *   syscalls = getppid, uname      ; required, repeatable
 *   syscalls = clone(arg0 & 0x10000000 == 0x10000000), socket(low32(arg0) == 10)
 *   action = errno:EACCES          ; continue | errno:E | return:V | kill | kill:SIG
 *   static = yes                   ; no: handle() answers every call
 *
 * Every entry is a syscall rule (plugin.h, "Syscall rules"):
 * errno, return and kill are static verdicts the host gives itself (errno
 * in the filter where nothing before this instance answers otherwise);
 * continue and static = no are predicates answered by handle(). The syntax
 * is in sandlock.ini(5). Useful for users (deny a syscall with a chosen
 * errno, fake a result) and for tests and benchmarks of the host. */
#include <sandlock/plugin.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct verdict_state {
    sandlock_response answer;               /* the fixed verdict */
    int use_static;                         /* static = yes */
};

static const sandlock_host *host;

static void verdict_fini(void *state)
{
    struct verdict_state *st = state;
    if (!st)
        return;
    free(st);
}

/* Parses "continue", "errno:E", "return:V", "kill", "kill:SIG". */
static int parse_action(const sandlock_config *cfg, const char *text, sandlock_response *r, char *errbuf)
{
    const char *arg = strchr(text, ':');
    size_t len = arg ? (size_t)(arg - text) : strlen(text);
    if (arg)
        arg++;
    if (len == 8 && !strncmp(text, "continue", 8) && !arg) {
        sandlock_respond_continue(r);
        return 0;
    }
    if (len == 5 && !strncmp(text, "errno", 5) && arg) {
        int e;
        if (host->parse_errno(arg, &e) == 0) {
            sandlock_respond_errno(r, e);
            return 0;
        }
    } else if (len == 6 && !strncmp(text, "return", 6) && arg) {
        int64_t v;
        if (host->parse_int(arg, &v) == 0) {
            sandlock_respond_return(r, v);
            return 0;
        }
    } else if (len == 4 && !strncmp(text, "kill", 4)) {
        int sig = SIGKILL;
        if (!arg || host->parse_signal(arg, &sig) == 0) {
            sandlock_respond_kill(r, sig);
            return 0;
        }
    }
    return host->config_error(cfg, "action", text, errbuf,
                              "expected continue, errno:NAME|N, return:N, kill or kill:SIGNAL, got '%s'", text);
}

/* ---- the syscalls = syntax (sandlock.ini(5)) ----
 *   LIST  := ENTRY { ("," | blanks) ENTRY }
 *   ENTRY := NAME [ "(" COND { "," COND } ")" ]       at most 6 COND
 *   COND  := ARG OP NUMBER | ARG "&" NUMBER "==" NUMBER
 *   ARG   := "arg0".."arg5" | "low32(" "arg0".."arg5" ")"
 *   OP    := "==" | "!=" | "<" | "<=" | ">" | ">="                         */

struct cursor {
    const char *p;
    char *errbuf;
    const sandlock_config *cfg;
    const char *value;     /* the syscalls = value p walks */
};

static void skip_blanks(struct cursor *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
}

static int fail(struct cursor *c, const char *what)
{
    char near[24];
    snprintf(near, sizeof(near), "%s", *c->p ? c->p : "end of line");
    return host->config_error(c->cfg, "syscalls", c->value, c->errbuf, "%s at '%s'", what, near);
}

static int eat(struct cursor *c, const char *token)
{
    skip_blanks(c);
    size_t n = strlen(token);
    if (strncmp(c->p, token, n))
        return 0;
    c->p += n;
    return 1;
}

static int parse_number(struct cursor *c, uint64_t *out)
{
    skip_blanks(c);
    char text[32];
    size_t n = 0;
    while (n < sizeof(text) - 1 && (isalnum((unsigned char)c->p[n]) || (n == 0 && c->p[n] == '-')))
        n++;
    memcpy(text, c->p, n);
    text[n] = '\0';
    int64_t v;
    if (n == 0 || host->parse_int(text, &v))
        return fail(c, "expected a number");
    c->p += n;
    *out = (uint64_t)v;
    return 0;
}

static int parse_arg(struct cursor *c, sandlock_arg_cmp *cmp)
{
    int low32 = eat(c, "low32(");
    skip_blanks(c);
    if (strncmp(c->p, "arg", 3) || c->p[3] < '0' || c->p[3] > '5')
        return fail(c, "expected arg0 to arg5 or low32(argN)");
    cmp->arg = (uint32_t)(c->p[3] - '0');
    c->p += 4;
    if (low32 && !eat(c, ")"))
        return fail(c, "expected ')' after low32(argN");
    cmp->op = low32 ? SANDLOCK_CMP_32BIT : 0;
    return 0;
}

static int parse_cond(struct cursor *c, sandlock_arg_cmp *cmp)
{
    static const struct { const char *text; uint32_t op; } ops[] = {
        { "==", SANDLOCK_CMP_EQ }, { "!=", SANDLOCK_CMP_NE }, { "<=", SANDLOCK_CMP_LE },
        { ">=", SANDLOCK_CMP_GE }, { "<", SANDLOCK_CMP_LT },  { ">", SANDLOCK_CMP_GT },
    };
    if (parse_arg(c, cmp))
        return -1;
    if (eat(c, "&")) {
        if (parse_number(c, &cmp->mask))
            return -1;
        if (!eat(c, "=="))
            return fail(c, "expected '==' after argN & MASK");
        if (parse_number(c, &cmp->value))
            return -1;
        cmp->op |= SANDLOCK_CMP_MASKED_EQ;
        if (cmp->value & ~cmp->mask)
            return fail(c, "the value has bits outside the mask (never true)");
        return 0;
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (eat(c, ops[i].text)) {
            cmp->op |= ops[i].op;
            return parse_number(c, &cmp->value);
        }
    return fail(c, "expected ==, !=, <, <=, >, >= or & MASK ==");
}

/* One ENTRY into rule (name copied into `name`). */
static int parse_entry(struct cursor *c, sandlock_syscall_rule *rule, char *name, size_t size)
{
    skip_blanks(c);
    size_t n = 0;
    while (isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
        n++;
    if (n == 0)
        return fail(c, "expected a syscall name");
    if (n >= size)
        return fail(c, "syscall name too long");
    memcpy(name, c->p, n);
    name[n] = '\0';
    c->p += n;
    rule->syscall = name;
    rule->ncmp = 0;
    if (!eat(c, "("))
        return 0;
    do {
        if (rule->ncmp == SANDLOCK_RULE_MAX_CMP)
            return fail(c, "more than 6 conditions");
        memset(&rule->cmp[rule->ncmp], 0, sizeof(rule->cmp[0]));
        if (parse_cond(c, &rule->cmp[rule->ncmp]))
            return -1;
        rule->ncmp++;
    } while (eat(c, ","));
    if (!eat(c, ")"))
        return fail(c, "expected ',' or ')'");
    return 0;
}

/* Declares every entry of every syscalls = line as a rule (SDK 1.4). */
static int declare_rules(const sandlock_config *cfg, const struct verdict_state *st, char *errbuf)
{
    size_t nvalues = host->config_get_all(cfg, "syscalls", NULL, 0);
    const char **values = calloc(nvalues + 1, sizeof(*values));
    if (!values) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    host->config_get_all(cfg, "syscalls", values, nvalues);
    sandlock_syscall_rule rule = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(rule) };
    if (st->use_static && st->answer.verdict != SANDLOCK_VERDICT_CONTINUE) {
        rule.verdict = st->answer.verdict;
        rule.error = st->answer.error;
        rule.value = st->answer.value;
        rule.signal = st->answer.signal;
    }
    int rc = 0;
    for (size_t i = 0; i < nvalues && rc == 0; i++) {
        struct cursor c = { values[i], errbuf, cfg, values[i] };
        do {
            char name[64];
            if ((rc = parse_entry(&c, &rule, name, sizeof(name))))
                break;
            int added = host->add_syscall_rule(cfg, &rule);
            if (added)
                rc = host->config_error(cfg, "syscalls", values[i], errbuf, "%s: %s", name, strerror(-added));
            skip_blanks(&c);
        } while (rc == 0 && (eat(&c, ",") || *c.p));    /* entries are separated by commas or blanks */
    }
    free(values);
    return rc ? -1 : 0;
}

static const sandlock_key_decl verdict_keys[] = {
    { "syscalls", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE | SANDLOCK_KEY_REQUIRED,
      "the system calls to answer, with optional conditions: getppid, socket(low32(arg0) == 10)" },
    { "action", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REQUIRED, "continue, errno:E, return:V, kill or kill:SIG" },
    { "static", SANDLOCK_KEY_BOOL, 0, "yes (the default): the host answers without calling the plugin" },
    { NULL, 0, 0, NULL },
};

static int verdict_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct verdict_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    int64_t use_static = 1;
    h->config_number(cfg, "static", &use_static);
    st->use_static = (int)use_static;
    if (parse_action(cfg, h->config_get(cfg, "action"), &st->answer, errbuf) || declare_rules(cfg, st, errbuf)) {
        verdict_fini(st);
        return SANDLOCK_ERROR;
    }
    *state = st;
    return SANDLOCK_OK;
}

/* Every syscall is declared as a rule: no plain names. */
static const char *const *verdict_syscalls(void *state)
{
    static const char *const none[] = { NULL };
    (void)state;
    return none;
}

static int verdict_handle(void *state, const sandlock_event *event, sandlock_response *response)
{
    const struct verdict_state *st = state;
    (void)event;
    response->verdict = st->answer.verdict;
    response->error = st->answer.error;
    response->value = st->answer.value;
    response->signal = st->answer.signal;
    return SANDLOCK_OK;
}

static const sandlock_plugin verdict_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "verdict",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "a fixed answer (continue, errno, return value, kill) for chosen syscalls",
    .init = verdict_init,
    .syscalls = verdict_syscalls,
    .handle = verdict_handle,
    .fini = verdict_fini,
    .keys = verdict_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return SANDLOCK_HOST_HAS(h, config_error) ? &verdict_plugin : NULL;
}
