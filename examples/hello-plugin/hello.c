/* hello -- an example sandlock plugin, built out of tree against the
 * installed SDK (see README.md).
 *
 * It makes chosen system calls fail with a chosen errno, without running
 * them, and logs every call it answers:
 *
 *   [plugin no-mkdir]
 *   module = /path/to/hello.so
 *   syscalls = mkdir, mkdirat     ; required, repeatable
 *   errno = EROFS                 ; optional, default EPERM
 *   log = yes                     ; optional, default yes
 *
 * Everything it needs from sandlock comes through the host table passed to
 * its entry point: it links against nothing but libc. */
#include <sandlock/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYSCALLS 64

/* One instance's state. Read-only after init(), so handle() may run on
 * several sandlock worker threads at once without locking. */
struct hello {
    const sandlock_config *cfg;   /* identifies the instance to host->log */
    int error;                    /* the errno the calls fail with */
    char error_text[32];          /* as written in the configuration */
    int log;
    char *storage;                /* the syscall names, split in place */
    const char *names[MAX_SYSCALLS + 1];
};

static const sandlock_host *host;

static void hello_fini(void *state)
{
    struct hello *h = state;
    if (!h)
        return;
    free(h->storage);
    free(h);
}

static int fail(struct hello *h, char *errbuf, const char *fmt, const char *arg)
{
    snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, fmt, arg);
    hello_fini(h);
    return SANDLOCK_ERROR;
}

/* Splits every "syscalls =" value on commas and blanks. */
static int read_syscalls(struct hello *h, char *errbuf)
{
    const char *values[MAX_SYSCALLS];
    size_t nvalues = host->config_get_all(h->cfg, "syscalls", values, MAX_SYSCALLS);
    size_t total = 0, n = 0;
    if (nvalues > MAX_SYSCALLS)
        nvalues = MAX_SYSCALLS;
    for (size_t i = 0; i < nvalues; i++)
        total += strlen(values[i]) + 1;
    char *p = h->storage = malloc(total + 1);
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
            h->names[n++] = tok;
        }
        p += strlen(values[i]) + 1;
    }
    if (n == 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: required (e.g. syscalls = mkdir, mkdirat)");
        return -1;
    }
    h->names[n] = NULL;
    return 0;
}

static int hello_init(const sandlock_host *hst, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct hello *h = calloc(1, sizeof(*h));
    if (!h) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    h->cfg = cfg;

    /* Refuse keys we do not know: a typo must not pass silently. */
    size_t cursor = 0;
    const char *key, *value;
    while (hst->config_next(cfg, &cursor, &key, &value))
        if (strcmp(key, "syscalls") && strcmp(key, "errno") && strcmp(key, "log"))
            return fail(h, errbuf, "unknown key '%s' (expected syscalls, errno, log)", key);

    const char *text = hst->config_get(cfg, "errno");
    if (!text)
        text = "EPERM";
    if (hst->parse_errno(text, &h->error) != 0 || strlen(text) >= sizeof(h->error_text))
        return fail(h, errbuf, "errno: expected a name such as EACCES or a number 1..4095, got '%s'", text);
    strcpy(h->error_text, text);

    h->log = 1;
    if ((text = hst->config_get(cfg, "log")) && hst->parse_bool(text, &h->log) != 0)
        return fail(h, errbuf, "log: expected yes or no, got '%s'", text);

    if (read_syscalls(h, errbuf)) {
        hello_fini(h);
        return SANDLOCK_ERROR;
    }
    *state = h;
    return SANDLOCK_OK;
}

static const char *const *hello_syscalls(void *state)
{
    return ((struct hello *)state)->names;
}

static int hello_handle(void *state, const sandlock_event *event, sandlock_response *response)
{
    const struct hello *h = state;
    if (h->log)
        host->log(h->cfg, SANDLOCK_LOG_WARN, "pid %u called %s: failing it with %s", event->pid,
                  event->syscall_name, h->error_text);
    sandlock_respond_errno(response, h->error);
    return SANDLOCK_OK;
}

static const sandlock_plugin hello_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "hello",
    .version = "1.0.0",
    .description = "fails chosen syscalls with a chosen errno and logs each call",
    .init = hello_init,
    .syscalls = hello_syscalls,
    .handle = hello_handle,
    .fini = hello_fini,
};

/* The one exported symbol. A host with a different major ABI looks for a
 * different symbol name, so only the size matters here. */
SANDLOCK_PLUGIN_DEFINE(h)
{
    if (h->struct_size < offsetof(sandlock_host, parse_signal) + sizeof(h->parse_signal))
        return NULL;
    host = h;
    return &hello_plugin;
}
