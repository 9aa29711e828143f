/* host.c -- the host table handed to every plugin: logging, configuration
 * access and typed parsers. The notification services live in services.c. */
#include "config.h"
#include "creds.h"
#include "loader.h"
#include "log.h"
#include "services.h"
#include "values.h"

#include <stdarg.h>
#include <string.h>

static void host_log(const sandlock_config *cfg, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_vlog_instance(cfg ? cfg->name : "?", level, fmt, ap);
    va_end(ap);
}

static const char *host_config_get(const sandlock_config *cfg, const char *key)
{
    if (!cfg || !key)
        return NULL;
    for (size_t i = cfg->nkeys; i-- > 0;)
        if (strcmp(cfg->keys[i].key, key) == 0)
            return cfg->keys[i].value;
    return NULL;
}

static size_t host_config_get_all(const sandlock_config *cfg, const char *key,
                                  const char **values, size_t max)
{
    size_t n = 0;
    if (!cfg || !key)
        return 0;
    for (size_t i = 0; i < cfg->nkeys; i++) {
        if (strcmp(cfg->keys[i].key, key) != 0)
            continue;
        if (values && n < max)
            values[n] = cfg->keys[i].value;
        n++;
    }
    return n;
}

static int host_config_next(const sandlock_config *cfg, size_t *cursor, const char **key,
                            const char **value)
{
    if (!cfg || !cursor || *cursor >= cfg->nkeys)
        return 0;
    *key = cfg->keys[*cursor].key;
    *value = cfg->keys[*cursor].value;
    (*cursor)++;
    return 1;
}

static unsigned host_config_line(const sandlock_config *cfg, const char *key, size_t nth)
{
    for (size_t i = 0; cfg && key && i < cfg->nkeys; i++)
        if (strcmp(cfg->keys[i].key, key) == 0 && nth-- == 0)
            return cfg->keys[i].line;
    return 0;
}

const sandlock_host sl_host_table = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_host),
    .host_version = PACKAGE_VERSION,
    .log = host_log,
    .config_get = host_config_get,
    .config_get_all = host_config_get_all,
    .config_next = host_config_next,
    .parse_bool = sl_parse_bool,
    .parse_int = sl_parse_int,
    .parse_size = sl_parse_size,
    .parse_duration = sl_parse_duration,
    .parse_errno = sl_parse_errno,
    .parse_signal = sl_parse_signal,
    .mem_read = sl_mem_read,
    .mem_read_string = sl_mem_read_string,
    .mem_write = sl_mem_write,
    .resolve_path = sl_resolve_path,
    .open_path = sl_open_path,
    .dup_child_fd = sl_dup_child_fd,
    .content_fd = sl_content_fd,
    .defer = sl_defer,
    .answer = sl_answer,
    .resolve_path_flags = sl_resolve_path_flags,
    .resolve_path_begin = sl_resolve_path_begin,
    .resolve_path_end = sl_resolve_path_end,
    .run_as_child = sl_run_as_child,
    /* 1.4: syscall rules */
    .add_syscall_rule = sl_loader_add_rule,
    .config_line = host_config_line,
};
