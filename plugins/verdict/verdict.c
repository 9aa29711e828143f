/* verdict -- a fixed, declarative answer for a list of syscalls.
 *
 *   [plugin fake-ppid]
 *   module = verdict
 *   syscalls = getppid, uname      ; required, repeatable
 *   syscalls = clone(arg0 & 0x10000000 == 0x10000000), socket(low32(arg0) == 10)
 *   action = errno:EACCES          ; continue | errno:E | return:V | kill | kill:SIG
 *   static = yes                   ; no: handle() answers every call (pre-1.4)
 *
 * With SDK 1.4 every entry is a syscall rule (plugin.h, "Syscall rules"):
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

#define MAX_SYSCALLS 128

struct verdict_state {
    sandlock_response answer;               /* the fixed verdict */
    int use_static;                         /* static = yes */
    char *names_storage;
    const char *names[MAX_SYSCALLS + 1];    /* NULL-terminated; empty with SDK 1.4 rules */
};

static const sandlock_host *host;

static void verdict_fini(void *state)
{
    struct verdict_state *st = state;
    if (!st)
        return;
    free(st->names_storage);
    free(st);
}

/* Parses "continue", "errno:E", "return:V", "kill", "kill:SIG". */
static int parse_action(const char *text, sandlock_response *r, char *errbuf)
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
    snprintf(errbuf, SANDLOCK_ERRBUF_SIZE,
             "action: expected continue, errno:NAME|N, return:N, kill or kill:SIGNAL, got '%s'", text);
    return -1;
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
    unsigned line;
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
    if (c->line)
        snprintf(c->errbuf, SANDLOCK_ERRBUF_SIZE, "line %u: syscalls: %s at '%s'", c->line, what, near);
    else
        snprintf(c->errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: %s at '%s'", what, near);
    return -1;
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
    const char *values[64];
    size_t nvalues = host->config_get_all(cfg, "syscalls", values, 64);
    sandlock_syscall_rule rule = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(rule) };
    if (st->use_static && st->answer.verdict != SANDLOCK_VERDICT_CONTINUE) {
        rule.verdict = st->answer.verdict;
        rule.error = st->answer.error;
        rule.value = st->answer.value;
        rule.signal = st->answer.signal;
    }
    for (size_t i = 0; i < nvalues; i++) {
        struct cursor c = { values[i], errbuf, host->config_line(cfg, "syscalls", i) };
        do {
            char name[64];
            if (parse_entry(&c, &rule, name, sizeof(name)))
                return -1;
            int rc = host->add_syscall_rule(cfg, &rule);
            if (rc) {
                snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "line %u: syscalls: %s: %s", c.line, name, strerror(-rc));
                return -1;
            }
            skip_blanks(&c);
        } while (eat(&c, ",") || *c.p);    /* entries are separated by commas or blanks */
    }
    return 0;
}

/* Without SDK 1.4: splits every "syscalls =" value on commas and blanks
 * into st->names (no conditions). */
static int parse_names(const sandlock_config *cfg, struct verdict_state *st, char *errbuf)
{
    const char *values[64];
    size_t nvalues = host->config_get_all(cfg, "syscalls", values, 64), total = 0, n = 0;
    for (size_t i = 0; i < nvalues; i++)
        total += strlen(values[i]) + 1;
    char *p = st->names_storage = malloc(total);
    if (!p) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < nvalues; i++) {
        strcpy(p, values[i]);
        if (strchr(p, '(')) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: conditions need a sandlock with plugin ABI 1.4");
            return -1;
        }
        char *save = NULL;
        for (char *tok = strtok_r(p, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
            if (n == MAX_SYSCALLS) {
                snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: more than %d names", MAX_SYSCALLS);
                return -1;
            }
            st->names[n++] = tok;
        }
        p += strlen(values[i]) + 1;
    }
    if (n == 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: empty list");
        return -1;
    }
    st->names[n] = NULL;
    return 0;
}

static int parse_syscalls(const sandlock_config *cfg, struct verdict_state *st, char *errbuf)
{
    size_t nvalues = host->config_get_all(cfg, "syscalls", NULL, 0);
    if (nvalues == 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: required (e.g. syscalls = getppid, uname)");
        return -1;
    }
    if (nvalues > 64) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: more than 64 lines (put several names on a line)");
        return -1;
    }
    if (SANDLOCK_HOST_HAS(host, add_syscall_rule) && SANDLOCK_HOST_HAS(host, config_line))
        return declare_rules(cfg, st, errbuf);
    return parse_names(cfg, st, errbuf);
}

static int verdict_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct verdict_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    size_t cursor = 0;
    const char *key, *value;
    while (h->config_next(cfg, &cursor, &key, &value)) {
        if (strcmp(key, "syscalls") && strcmp(key, "action") && strcmp(key, "static")) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "unknown key '%s' (expected syscalls, action, static)", key);
            verdict_fini(st);
            return SANDLOCK_ERROR;
        }
    }
    const char *action = h->config_get(cfg, "action");
    if (!action) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "action: required (continue, errno:E, return:V, kill[:SIG])");
        verdict_fini(st);
        return SANDLOCK_ERROR;
    }
    const char *use_static = h->config_get(cfg, "static");
    st->use_static = 1;
    if (use_static && h->parse_bool(use_static, &st->use_static)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "static: expected yes or no, got '%s'", use_static);
        verdict_fini(st);
        return SANDLOCK_ERROR;
    }
    if (parse_action(action, &st->answer, errbuf) || parse_syscalls(cfg, st, errbuf)) {
        verdict_fini(st);
        return SANDLOCK_ERROR;
    }
    *state = st;
    return SANDLOCK_OK;
}

static const char *const *verdict_syscalls(void *state)
{
    return ((struct verdict_state *)state)->names;
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
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return &verdict_plugin;
}
