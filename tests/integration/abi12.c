/* abi12 -- a plugin as it was built for plugin ABI 1.2: its vtable ends at
 * fini (no declared keys), so the host hands it every key unchecked and it
 * checks them itself, as every plugin did before 1.6.
 *
 *   [plugin old]
 *   module = .../abi12.so
 *   answer = 7             ; getppid returns it (parse_int)
 *   anything else          ; "unknown key 'x' (expected answer)" */
#include <sandlock/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sandlock_host *host;
static const char *const abi12_names[] = { "getppid", NULL };

static int abi12_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    size_t cursor = 0;
    const char *key, *value;
    while (h->config_next(cfg, &cursor, &key, &value))
        if (strcmp(key, "answer")) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "unknown key '%s' (expected answer)", key);
            return SANDLOCK_ERROR;
        }
    int64_t *answer = malloc(sizeof(*answer));
    const char *text = h->config_get(cfg, "answer");
    if (!answer || !text || h->parse_int(text, answer)) {
        free(answer);
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "answer: expected a number");
        return SANDLOCK_ERROR;
    }
    *state = answer;
    return SANDLOCK_OK;
}

static const char *const *abi12_syscalls(void *state)
{
    (void)state;
    return abi12_names;
}

static int abi12_handle(void *state, const sandlock_event *event, sandlock_response *r)
{
    (void)event;
    sandlock_respond_return(r, *(int64_t *)state);
    return SANDLOCK_OK;
}

static void abi12_fini(void *state)
{
    free(state);
}

static const sandlock_plugin abi12_plugin = {
    .abi_version = (1 << 16) | 2,
    /* The 1.2 vtable: the 1.0 members, nothing after fini. */
    .struct_size = offsetof(sandlock_plugin, fini) + sizeof(void (*)(void *)),
    .name = "abi12",
    .version = "1.2",
    .description = "built for plugin ABI 1.2",
    .init = abi12_init,
    .syscalls = abi12_syscalls,
    .handle = abi12_handle,
    .fini = abi12_fini,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return &abi12_plugin;
}
