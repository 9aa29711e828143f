/* keyed -- a test plugin that declares a key of every kind (SDK 1.6,
 * "Declared keys" in sandlock/plugin.h) and writes what init() read from
 * the host into the file of `dump`, one "KEY=VALUE" line per key given:
 *
 *   [plugin k]
 *   module = .../keyed.so
 *   dump = /tmp/values     ; required (path)
 *   b = yes                ; bool, int, size, duration, errno, signal:
 *   i = -7                 ;   config_number's value
 *   l = a, b c             ; list: "l=a|b|c"
 *   opt_anything = x       ; any key starting with opt_ (string)
 *   reject = x             ; init() refuses this value with config_error
 *   crash = init | syscalls | fini | thread    ; a real SIGSEGV there
 *                          ; (thread: in a thread the plugin starts, after
 *                          ; the command asked for getppid)
 *
 * Answers getppid with 42. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const sandlock_key_decl keyed_keys[] = {
    { "dump", SANDLOCK_KEY_PATH, SANDLOCK_KEY_REQUIRED, "where init() writes what it read" },
    { "s", SANDLOCK_KEY_STRING, 0, "a string" },
    { "b", SANDLOCK_KEY_BOOL, 0, "a bool" },
    { "i", SANDLOCK_KEY_INT, 0, "an int" },
    { "z", SANDLOCK_KEY_SIZE, 0, "a size" },
    { "d", SANDLOCK_KEY_DURATION, 0, "a duration" },
    { "e", SANDLOCK_KEY_ERRNO, 0, "an errno" },
    { "g", SANDLOCK_KEY_SIGNAL, 0, "a signal" },
    { "p", SANDLOCK_KEY_PATH, 0, "a path" },
    { "l", SANDLOCK_KEY_LIST, 0, "a list" },
    { "r", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE, "a repeatable string" },
    { "opt_*", SANDLOCK_KEY_STRING, 0, "any key starting with opt_" },
    { "reject", SANDLOCK_KEY_STRING, 0, "init() refuses this value" },
    { "crash", SANDLOCK_KEY_STRING, 0, "init, syscalls, fini or thread: crash there" },
    { NULL, 0, 0, NULL },
};

struct keyed {
    const char *crash;
    pthread_t thread;
    int started;
};

static const sandlock_host *host;
static const char *const keyed_names[] = { "getppid", NULL };

/* A real fault (not a null dereference UBSan would report first). */
static void segv(void)
{
    volatile int *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *page = 1;
}

static int crashes_in(const struct keyed *k, const char *where)
{
    return k->crash && strcmp(k->crash, where) == 0;
}

/* The plugin's own thread: waits a little for the command to start, then
 * faults. */
static void *crashing_thread(void *arg)
{
    (void)arg;
    usleep(200 * 1000);
    segv();
    return NULL;
}

static int keyed_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    const char *reject = h->config_get(cfg, "reject");
    if (reject)
        return h->config_error(cfg, "reject", reject, errbuf, "'%s' is refused by the plugin", reject);
    FILE *out = fopen(h->config_get(cfg, "dump"), "we");
    if (!out) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot write the dump file");
        return SANDLOCK_ERROR;
    }
    static const char *const numbers[] = { "b", "i", "z", "d", "e", "g", "s", NULL };
    for (size_t n = 0; numbers[n]; n++) {
        int64_t v;
        int rc = h->config_number(cfg, numbers[n], &v);
        if (rc > 0)
            fprintf(out, "%s=%lld\n", numbers[n], (long long)v);
        else if (rc < 0)
            fprintf(out, "%s:not-a-number\n", numbers[n]);
    }
    const char *items[16];
    size_t n = h->config_list(cfg, "l", items, 16);
    if (h->config_get(cfg, "l")) {
        fprintf(out, "l=");
        for (size_t i = 0; i < n && i < 16; i++)
            fprintf(out, "%s%s", i ? "|" : "", items[i]);
        fprintf(out, "\n");
    }
    const char *p = h->config_get(cfg, "p");
    if (p)
        fprintf(out, "p=%s\n", p);
    fprintf(out, "r=%zu\n", h->config_get_all(cfg, "r", NULL, 0));
    fprintf(out, "mode=%s\n", h->session() ? "run" : "check");
    fclose(out);
    const char *crash = h->config_get(cfg, "crash");
    if (crash && strcmp(crash, "init") == 0)
        segv();          /* before anything is allocated: nothing leaks */
    struct keyed *k = calloc(1, sizeof(*k));
    if (!k)
        return SANDLOCK_ERROR;
    k->crash = crash;
    *state = k;
    return SANDLOCK_OK;
}

static const char *const *keyed_syscalls(void *state)
{
    if (crashes_in(state, "syscalls"))
        segv();
    return keyed_names;
}

static int keyed_handle(void *state, const sandlock_event *event, sandlock_response *r)
{
    struct keyed *k = state;
    (void)event;
    /* The first call starts the thread that crashes (only in a run, so
     * `check` never faults). */
    if (crashes_in(k, "thread") && !k->started && pthread_create(&k->thread, NULL, crashing_thread, NULL) == 0)
        k->started = 1;
    sandlock_respond_return(r, 42);
    return SANDLOCK_OK;
}

static void keyed_fini(void *state)
{
    struct keyed *k = state;
    if (crashes_in(k, "fini"))
        segv();
    if (k->started)
        pthread_join(k->thread, NULL);
    free(k);
}

static const sandlock_plugin keyed_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "keyed",
    .version = "1.6-test",
    .description = "declares a key of every kind",
    .init = keyed_init,
    .syscalls = keyed_syscalls,
    .handle = keyed_handle,
    .fini = keyed_fini,
    .keys = keyed_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return &keyed_plugin;
}
