/* verdict -- a fixed, declarative answer for a list of syscalls.
 *
 *   [plugin fake-ppid]
 *   module = verdict
 *   syscalls = getppid, uname      ; required, repeatable
 *   action = errno:EACCES          ; continue | errno:E | return:V | kill | kill:SIG
 *
 * Useful for users (deny a syscall with a chosen errno, fake a result) and
 * for tests and benchmarks of the host. */
#include <sandlock/plugin.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYSCALLS 128

struct verdict_state {
    sandlock_response answer;               /* the fixed verdict */
    char *names_storage;
    const char *names[MAX_SYSCALLS + 1];    /* NULL-terminated */
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

/* Splits every "syscalls =" value on commas and blanks into st->names. */
static int parse_syscalls(const sandlock_config *cfg, struct verdict_state *st, char *errbuf)
{
    const char *values[64];
    size_t nvalues = host->config_get_all(cfg, "syscalls", values, 64), total = 0, n = 0;
    if (nvalues == 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: required (e.g. syscalls = getppid, uname)");
        return -1;
    }
    if (nvalues > 64) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: more than 64 lines (put several names on a line)");
        return -1;
    }
    for (size_t i = 0; i < nvalues; i++)
        total += strlen(values[i]) + 1;
    char *p = st->names_storage = malloc(total);
    if (!p) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < nvalues; i++) {
        strcpy(p, values[i]);
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
        if (strcmp(key, "syscalls") && strcmp(key, "action")) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "unknown key '%s' (expected syscalls, action)", key);
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
