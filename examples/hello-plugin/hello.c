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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys of its sections: sandlock checks them before init() -- an
 * unknown key, a value of the wrong kind, a missing required key and a
 * single-valued key given twice are reported with their file and line --
 * and `sandlock plugins` lists them. */
static const sandlock_key_decl hello_keys[] = {
    { "syscalls", SANDLOCK_KEY_LIST, SANDLOCK_KEY_REQUIRED, "the system calls to fail, e.g. mkdir, mkdirat" },
    { "errno", SANDLOCK_KEY_ERRNO, 0, "the errno they fail with (default EPERM)" },
    { "log", SANDLOCK_KEY_BOOL, 0, "one log line per call (default yes)" },
    { NULL, 0, 0, NULL },
};

/* One instance's state. Read-only after init(), so handle() may run on
 * several sandlock worker threads at once without locking. */
struct hello {
    const sandlock_config *cfg;   /* identifies the instance to host->log */
    int error;                    /* the errno the calls fail with */
    const char *error_text;       /* as written in the configuration */
    int log;
    const char **names;           /* the syscalls (the host's strings), NULL-terminated */
};

static const sandlock_host *host;

static void hello_fini(void *state)
{
    struct hello *h = state;
    if (!h)
        return;
    free(h->names);
    free(h);
}

static int hello_init(const sandlock_host *hst, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct hello *h = calloc(1, sizeof(*h));
    size_t n = hst->config_list(cfg, "syscalls", NULL, 0);
    if (!h || !(h->names = calloc(n + 1, sizeof(char *)))) {
        free(h);
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    h->cfg = cfg;
    if (n == 0) {   /* "syscalls =" with nothing in it */
        hello_fini(h);
        return hst->config_error(cfg, "syscalls", NULL, errbuf, "no system call named (e.g. syscalls = mkdir)");
    }
    hst->config_list(cfg, "syscalls", h->names, n);
    int64_t number = EPERM, log = 1;
    hst->config_number(cfg, "errno", &number);
    hst->config_number(cfg, "log", &log);
    h->error = (int)number;
    h->error_text = hst->config_get(cfg, "errno") ? hst->config_get(cfg, "errno") : "EPERM";
    h->log = (int)log;
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
    .keys = hello_keys,
};

/* The one exported symbol. A host with a different major ABI looks for a
 * different symbol name; one older than 1.6 would not check the keys, so
 * the plugin refuses to load there. */
SANDLOCK_PLUGIN_DEFINE(h)
{
    if (!SANDLOCK_HOST_HAS(h, config_error))
        return NULL;
    host = h;
    return &hello_plugin;
}
