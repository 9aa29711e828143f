/* host.c -- the host table handed to every plugin: logging, configuration
 * access and typed parsers. The notification services are declared in services.h. */
#include "config.h"
#include "creds.h"
#include "denial.h"
#include "deputy.h"
#include "keys.h"
#include "loader.h"
#include "liveness.h"
#include "log.h"
#include "masks.h"
#include "paths.h"
#include "services.h"
#include "session.h"
#include "trust.h"
#include "values.h"
#include "vobject.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void host_log(const sandlock_config *cfg, int level, const char *fmt, ...)
{
    /* A plugin's own thread works for no run: its instance's run then. */
    struct sl_here *thread_here = sl_here;
    if (!thread_here && cfg)
        sl_here = cfg->here;
    va_list ap;
    va_start(ap, fmt);
    sl_vlog_instance(cfg ? cfg->name : "?", level, fmt, ap);
    va_end(ap);
    sl_here = thread_here;
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

/* The host's own look at the child -- its memory, its paths and /proc
 * entries, its descriptors -- is made with sandlock's credentials, also
 * when a plugin calls these services from inside run_as_child (creds.h).
 * open_path and the other calls on the child's behalf (paths.c,
 * behalf.c) act as the child and take sandlock's only for their look. */
#define AS_SANDLOCK(type, call)            \
    do {                                    \
        int self_ = sl_creds_suspend();     \
        type result_ = call;                \
        sl_creds_resume(self_);             \
        return result_;                     \
    } while (0)

static ssize_t host_mem_read(sandlock_handle h, uint64_t addr, void *buf, size_t len)
{
    AS_SANDLOCK(ssize_t, sl_mem_read(h, addr, buf, len));
}

static ssize_t host_mem_read_string(sandlock_handle h, uint64_t addr, char *buf, size_t size)
{
    AS_SANDLOCK(ssize_t, sl_mem_read_string(h, addr, buf, size));
}

static ssize_t host_mem_write(sandlock_handle h, uint64_t addr, const void *buf, size_t len)
{
    AS_SANDLOCK(ssize_t, sl_mem_write(h, addr, buf, len));
}

static ssize_t host_resolve_path(sandlock_handle h, int dirfd, uint64_t addr, char *buf, size_t size)
{
    AS_SANDLOCK(ssize_t, sl_resolve_path(h, dirfd, addr, buf, size));
}

/* A denial is reported (counted, logged) as sandlock, also from inside
 * run_as_child: a log is sandlock's to write. */
static void host_report_denial(const sandlock_config *cfg, sandlock_handle h, int error, const char *object)
{
    int self_ = sl_creds_suspend();
    sl_report_denial(cfg, h, error, object);
    sl_creds_resume(self_);
}

static int host_dup_child_fd(sandlock_handle h, int child_fd)
{
    AS_SANDLOCK(int, sl_dup_child_fd(h, child_fd));
}

/* The SDK's resolve flags; the core's own (paths.h) are not the plugins'. */
#define SDK_RESOLVE_FLAGS SANDLOCK_RESOLVE_ANY_DIRFD

static ssize_t host_resolve_path_flags(sandlock_handle h, int dirfd, uint64_t addr, char *buf, size_t size,
                                       unsigned flags)
{
    if (flags & ~SDK_RESOLVE_FLAGS)
        return -EINVAL;
    AS_SANDLOCK(ssize_t, sl_resolve_path_flags(h, dirfd, addr, buf, size, flags));
}

static ssize_t host_resolve_path_begin(sandlock_handle h, int dirfd, uint64_t addr, char *buf, size_t size,
                                       unsigned flags, sandlock_held_dir *held)
{
    if (flags & ~SDK_RESOLVE_FLAGS)
        return -EINVAL;
    AS_SANDLOCK(ssize_t, sl_resolve_path_begin(h, dirfd, addr, buf, size, flags, held));
}

static int host_child_umask(sandlock_handle h)
{
    AS_SANDLOCK(int, sl_child_umask(h));
}

static ssize_t host_resolve_path_end(sandlock_held_dir *held, const char *relative, char *buf, size_t size)
{
    AS_SANDLOCK(ssize_t, sl_resolve_path_end(held, relative, buf, size));
}

static int host_syscall_paths(const sandlock_event *ev, sandlock_syscall_paths *out)
{
    AS_SANDLOCK(int, sl_syscall_paths(ev, out));
}

/* 1.8: a deputy is made from sandlock's own credentials, also when called
 * inside run_as_child (it takes the child's itself). */
static int host_deputy_connect(sandlock_handle h, const int *keep, size_t nkeep, int sock, const void *addr,
                               uint32_t len)
{
    AS_SANDLOCK(int, sl_deputy_connect(h, keep, nkeep, sock, addr, len));
}

static long host_deputy_send(sandlock_handle h, const int *keep, size_t nkeep, int sock,
                             const sandlock_deputy_msg *msgs, size_t n, int flags, unsigned *sent, int *err)
{
    AS_SANDLOCK(long, sl_deputy_send(h, keep, nkeep, sock, msgs, n, flags, sent, err));
}

static ssize_t host_child_root(sandlock_handle h, char *buf, size_t size)
{
    AS_SANDLOCK(ssize_t, sl_child_root(h, buf, size));
}

static unsigned host_config_line(const sandlock_config *cfg, const char *key, size_t nth)
{
    for (size_t i = 0; cfg && key && i < cfg->nkeys; i++)
        if (strcmp(cfg->keys[i].key, key) == 0 && nth-- == 0)
            return cfg->keys[i].line;
    return 0;
}

static void *host_user_data(const sandlock_config *cfg)
{
    return cfg ? cfg->user_data : NULL;
}

/* 1.6: the nth value of key as an absolute path, joined to the directory of
 * the configuration file that holds its line (as module paths are). */
static ssize_t host_config_path(const sandlock_config *cfg, const char *key, size_t nth, char *buf, size_t size)
{
    const struct sl_kv *kv = NULL;
    for (size_t i = 0; cfg && key && i < cfg->nkeys && !kv; i++)
        if (strcmp(cfg->keys[i].key, key) == 0 && nth-- == 0)
            kv = &cfg->keys[i];
    if (!kv || !buf || size == 0)
        return -EINVAL;
    char dir[PATH_MAX] = "";
    const char *slash = kv->source && kv->source[0] == '/' ? strrchr(kv->source, '/') : NULL;
    if (slash && snprintf(dir, sizeof(dir), "%.*s", (int)(slash - kv->source + 1), kv->source) >= (int)sizeof(dir))
        return -ENAMETOOLONG;
    if (sl_trust_absolute(slash ? dir : NULL, kv->value, buf, size))
        return -errno;
    return (ssize_t)strlen(buf);
}

/* 1.6: a file a plugin runs as code, opened under the modules' trust rule. */
static int host_open_trusted(const char *path, char *why, size_t whylen)
{
    if (!path || path[0] != '/' || !why || whylen == 0)
        return -EINVAL;
    int fd = sl_trust_open(path, why, whylen);
    if (fd == SL_TRUST_REFUSED)
        return -EPERM;
    return fd < 0 ? -errno : fd;
}

/* 1.9: the snapshot of a socket call (sockcall.h). */
static int host_sock_call(const sandlock_event *ev, const sandlock_sock_call **out)
{
    AS_SANDLOCK(int, sl_sock_call(ev, out));
}

/* 1.10: an object served as other content (vobject.h). */
static int host_serve_object(const sandlock_config *cfg, const char *path, const void *content, size_t len)
{
    AS_SANDLOCK(int, sl_serve_object(cfg, path, content, len));
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
    .mem_read = host_mem_read,
    .mem_read_string = host_mem_read_string,
    .mem_write = host_mem_write,
    .resolve_path = host_resolve_path,
    .open_path = sl_open_path,
    .dup_child_fd = host_dup_child_fd,
    .content_fd = sl_content_fd,
    .defer = sl_defer,
    .answer = sl_answer,
    .resolve_path_flags = host_resolve_path_flags,
    .resolve_path_begin = host_resolve_path_begin,
    .resolve_path_end = host_resolve_path_end,
    .run_as_child = sl_run_as_child,
    /* 1.4: syscall rules */
    .add_syscall_rule = sl_loader_add_rule,
    .config_line = host_config_line,
    /* 1.4: path policy */
    .mask_path = sl_mask_path,
    /* 1.5: policy denials */
    .report_denial = host_report_denial,
    .session = sl_session_get,
    .child_umask = host_child_umask,
    /* 1.6: declared keys */
    .config_number = sl_keys_number,
    .config_list = sl_keys_list,
    .config_error = sl_keys_error,
    .pending = sl_pending,
    /* 1.6: in-process instances (sandlock(3)) */
    .user_data = host_user_data,
    /* 1.6: files named by the configuration */
    .config_path = host_config_path,
    .open_trusted = host_open_trusted,
    /* 1.8: arguments decoded once */
    .syscall_paths = host_syscall_paths,
    .sockaddr_decode = sl_sockaddr_decode,
    /* 1.8: on the child's behalf, beyond open */
    .mkdir_path = sl_mkdir_path,
    .unlink_path = sl_unlink_path,
    .rename_path = sl_rename_path,
    .link_path = sl_link_path,
    .symlink_path = sl_symlink_path,
    .stat_path = sl_stat_path,
    /* 1.8: calls whose peer learns who made them */
    .deputy_connect = host_deputy_connect,
    .deputy_send = host_deputy_send,
    /* 1.8: the child's root */
    .child_root = host_child_root,
    /* 1.9: socket calls judged together */
    .sock_call = host_sock_call,
    /* 1.10: objects served as other content */
    .serve_object = host_serve_object,
};
