/* test_host.c -- the configuration part of the host table plugins get:
 * config_get, config_get_all, config_next, and the typed parsers. */
#include "config.h"
#include "loader.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    const sandlock_host *h = &sl_host_table;
    char err[512] = "";
    struct sl_config_file *cfg = sl_config_parse(
        "[plugin p]\n"
        "module = verdict\n"
        "path = /a\n"
        "on_exception = eio\n"
        "mode = fast\n"
        "path = /b\n"
        "enabled = yes\n"
        "path = /c\n"
        "  /d\n"
        "empty =\n"
        "[plugin q]\n"
        "path = /other\n",
        "host.ini", err, sizeof(err));
    ok(cfg != NULL, "config parses (%s)", err);
    if (!cfg)
        return tap_done();
    const sandlock_config *p = cfg->instances[0], *q = cfg->instances[1];

    /* the table itself */
    is_int(h->abi_version, SANDLOCK_ABI_VERSION, "host abi_version");
    is_int(h->struct_size, sizeof(sandlock_host), "host struct_size");
    is_str(h->host_version, PACKAGE_VERSION, "host_version");
    ok(SANDLOCK_HOST_HAS(h, answer), "SANDLOCK_HOST_HAS sees the last 1.0 member");
    ok(h->log && h->config_get && h->config_get_all && h->config_next && h->parse_bool &&
       h->parse_int && h->parse_size && h->parse_duration && h->parse_errno && h->parse_signal &&
       h->mem_read && h->mem_read_string && h->mem_write && h->resolve_path && h->open_path &&
       h->dup_child_fd && h->content_fd && h->defer && h->answer,
       "every 1.0 member is set");
    ok(SANDLOCK_HOST_HAS(h, resolve_path_flags), "SANDLOCK_HOST_HAS sees the 1.1 member resolve_path_flags");
    ok(SANDLOCK_HOST_HAS(h, resolve_path_begin) && SANDLOCK_HOST_HAS(h, resolve_path_end),
       "SANDLOCK_HOST_HAS sees the 1.2 members resolve_path_begin and resolve_path_end");
    ok(SANDLOCK_HOST_HAS(h, run_as_child), "SANDLOCK_HOST_HAS sees the 1.3 member run_as_child");
    ok(SANDLOCK_HOST_HAS(h, add_syscall_rule) && SANDLOCK_HOST_HAS(h, config_line),
       "SANDLOCK_HOST_HAS sees the 1.4 members add_syscall_rule and config_line");
    ok(SANDLOCK_HOST_HAS(h, mask_path), "SANDLOCK_HOST_HAS sees the 1.4 member mask_path");
    ok(SANDLOCK_HOST_HAS(h, report_denial) && SANDLOCK_HOST_HAS(h, session) && SANDLOCK_HOST_HAS(h, child_umask),
       "SANDLOCK_HOST_HAS sees the 1.5 members report_denial, session and child_umask");
    is_int(h->child_umask(0), -ESRCH, "child_umask of no notification -> -ESRCH");
    ok(h->session() == NULL, "session: NULL outside sandlock run");
    ok(SANDLOCK_HOST_HAS(h, config_number) && SANDLOCK_HOST_HAS(h, config_list) &&
       SANDLOCK_HOST_HAS(h, config_error),
       "SANDLOCK_HOST_HAS sees the 1.6 members config_number, config_list and config_error");
    ok(SANDLOCK_HOST_HAS(h, pending) && h->pending(0) == 0, "1.6: pending of no notification is 0");
    ok(SANDLOCK_HOST_HAS(h, user_data) && h->user_data(p) == NULL,
       "SANDLOCK_HOST_HAS sees the 1.6 member user_data (NULL for a section of a file)");
    is_int(SANDLOCK_ABI_MINOR, 10, "the ABI is 1.10");
    ok(SANDLOCK_HOST_HAS(h, serve_object), "SANDLOCK_HOST_HAS sees the 1.10 member serve_object");
    is_int(h->serve_object(NULL, "/etc/hostname", "x", 1), -EINVAL, "serve_object: no instance -> -EINVAL");
    {
        const sandlock_sock_call *c = (const sandlock_sock_call *)1;
        sandlock_event ev = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(ev), .handle = 1 };
        ok(SANDLOCK_HOST_HAS(h, sock_call), "SANDLOCK_HOST_HAS sees the 1.9 member sock_call");
        is_int(h->sock_call(NULL, &c), -EINVAL, "sock_call: no event -> -EINVAL");
        is_int(h->sock_call(&ev, &c), -ESRCH, "sock_call: no such notification -> -ESRCH");
        ok(c == NULL, "sock_call: no snapshot when it fails");
    }
    ok(SANDLOCK_HOST_HAS(h, syscall_paths) && SANDLOCK_HOST_HAS(h, sockaddr_decode) &&
           SANDLOCK_HOST_HAS(h, mkdir_path) && SANDLOCK_HOST_HAS(h, unlink_path) &&
           SANDLOCK_HOST_HAS(h, rename_path) && SANDLOCK_HOST_HAS(h, link_path) &&
           SANDLOCK_HOST_HAS(h, symlink_path) && SANDLOCK_HOST_HAS(h, stat_path) &&
           SANDLOCK_HOST_HAS(h, deputy_connect) && SANDLOCK_HOST_HAS(h, deputy_send),
       "SANDLOCK_HOST_HAS sees the 1.8 members");
    {
        sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = 8 };
        sandlock_event ev = { 0 };
        is_int(h->syscall_paths(&ev, &sp), -EINVAL, "syscall_paths: a struct_size too small -> -EINVAL");
        sp.struct_size = sizeof(sp);
        ev.nr = -1;
        is_int(h->syscall_paths(&ev, &sp), 0, "syscall_paths: a call without paths -> 0");
        is_int(h->mkdir_path(1, "", 0777), -ENOENT, "mkdir_path: an empty path -> -ENOENT");
        is_int(h->rename_path(1, NULL, "/x", 0), -EINVAL, "rename_path: NULL -> -EINVAL");
        is_int(h->unlink_path(1, "/x", 1), -EINVAL, "unlink_path: an unknown flag -> -EINVAL");
        char rb[16];
        is_int(h->resolve_path_flags(1, AT_FDCWD, 1, rb, sizeof(rb), 0x80000000u), -EINVAL,
               "resolve_path_flags: a flag the SDK does not define (the core's own) -> -EINVAL");
        sandlock_held_dir held;
        is_int(h->resolve_path_begin(1, AT_FDCWD, 1, rb, sizeof(rb), 0x80000000u, &held), -EINVAL,
               "resolve_path_begin: the same -> -EINVAL");
        is_int(h->mkdir_path(1, "/x", 0777), -ESRCH, "mkdir_path: no notification -> -ESRCH");
        char root[8];
        ok(SANDLOCK_HOST_HAS(h, child_root), "SANDLOCK_HOST_HAS sees the 1.8 member child_root");
        is_int(h->child_root(1, root, sizeof(root)), -ESRCH, "child_root: no notification -> -ESRCH");
        is_int(h->child_root(1, NULL, 0), -EINVAL, "child_root: no buffer -> -EINVAL");
    }
    is_int(h->deputy_connect(0, NULL, 0, 3, NULL, 0), -EINVAL, "deputy_connect without an address -> -EINVAL");
    is_int(h->deputy_send(0, NULL, 0, 3, NULL, 1, 0, NULL, NULL), -EINVAL, "deputy_send without messages -> -EINVAL");
    is_int(h->deputy_connect(0, NULL, 0, 3, "", 0), -ESRCH, "deputy_connect: no notification -> -ESRCH");
    ok(SANDLOCK_HOST_HAS(h, config_path) && SANDLOCK_HOST_HAS(h, open_trusted),
       "SANDLOCK_HOST_HAS sees the 1.6 members config_path and open_trusted");

    /* config_path: relative values are the configuration file's */
    char buf[4096], cwd[4096], cwd_fast[8192];
    struct sl_config_file *abs_cfg = sl_config_parse("[plugin a]\nscript = lib/x.py\nscript = /abs/y.py\n",
                                                "/etc/sandlock/conf.d/a.ini", err, sizeof(err));
    ok(abs_cfg != NULL, "a configuration with an absolute name parses (%s)", err);
    if (abs_cfg) {
        const sandlock_config *a = abs_cfg->instances[0];
        ok(h->config_path(a, "script", 0, buf, sizeof(buf)) > 0 && strcmp(buf, "/etc/sandlock/conf.d/lib/x.py") == 0,
           "config_path: a relative value joins the file's directory (%s)", buf);
        ok(h->config_path(a, "script", 1, buf, sizeof(buf)) > 0 && strcmp(buf, "/abs/y.py") == 0,
           "config_path: an absolute value stays");
        is_int(h->config_path(a, "script", 2, buf, sizeof(buf)), -EINVAL, "config_path: no such value -> -EINVAL");
        is_int(h->config_path(a, "script", 0, buf, 8), -ENAMETOOLONG, "config_path: too small a buffer");
        sl_config_free(abs_cfg);
    }
    ok(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
    snprintf(cwd_fast, sizeof(cwd_fast), "%s/fast", cwd);
    ok(h->config_path(p, "mode", 0, buf, sizeof(buf)) > 0 && strcmp(buf, cwd_fast) == 0,
       "config_path: a configuration without a directory (built-in): the working directory");
    char why[256];
    is_int(h->open_trusted("relative", why, sizeof(why)), -EINVAL, "open_trusted: a relative path -> -EINVAL");
    is_int(h->open_trusted("/nonexistent/x.py", why, sizeof(why)), -ENOENT, "open_trusted: missing -> -ENOENT");

    /* config_line: the line of the nth value of a key */
    is_int(h->config_line(p, "path", 0), 3, "config_line: first path on line 3");
    is_int(h->config_line(p, "path", 1), 6, "config_line: second on line 6");
    is_int(h->config_line(p, "path", 3), 9, "config_line: a continuation has its own line");
    is_int(h->config_line(p, "path", 4), 0, "config_line: past the last value -> 0");
    is_int(h->config_line(p, "missing", 0), 0, "config_line: absent key -> 0");
    is_int(h->config_line(q, "path", 0), 12, "config_line: per instance");

    /* add_syscall_rule: only inside the instance's own init() */
    sandlock_syscall_rule rule = { SANDLOCK_ABI_VERSION, sizeof(rule), .syscall = "getppid" };
    is_int(h->add_syscall_rule(p, &rule), -EPERM, "add_syscall_rule outside init() -> -EPERM");

    /* config_get: the last value */
    is_str(h->config_get(p, "path"), "/d", "config_get returns the last value (a continuation)");
    is_str(h->config_get(p, "mode"), "fast", "config_get of a single key");
    is_str(h->config_get(p, "empty"), "", "an empty value is \"\", not NULL");
    ok(h->config_get(p, "missing") == NULL, "absent key -> NULL");
    ok(h->config_get(p, "module") == NULL, "module is not a plugin key");
    ok(h->config_get(p, "on_exception") == NULL, "on_exception is not a plugin key");
    ok(h->config_get(p, "enabled") == NULL, "enabled is not a plugin key");
    is_str(h->config_get(q, "path"), "/other", "instances do not share keys");
    ok(h->config_get(NULL, "path") == NULL, "NULL config -> NULL");
    ok(h->config_get(p, NULL) == NULL, "NULL key -> NULL");

    /* config_get_all: every value in order, and the total */
    const char *values[8] = { 0 };
    size_t n = h->config_get_all(p, "path", values, 8);
    is_int(n, 4, "config_get_all counts four paths");
    is_str(values[0], "/a", "value 0");
    is_str(values[1], "/b", "value 1");
    is_str(values[2], "/c", "value 2");
    is_str(values[3], "/d", "value 3 (continuation)");
    ok(values[4] == NULL, "nothing stored past the count");
    const char *two[3] = { 0, 0, (const char *)1 };
    n = h->config_get_all(p, "path", two, 2);
    is_int(n, 4, "max 2: still returns the total 4");
    ok(two[0] && !strcmp(two[0], "/a") && two[1] && !strcmp(two[1], "/b"), "max 2: the first two");
    ok(two[2] == (const char *)1, "max 2: nothing written past max");
    is_int(h->config_get_all(p, "path", NULL, 0), 4, "max 0 counts");
    is_int(h->config_get_all(p, "missing", values, 8), 0, "absent key -> 0");
    is_int(h->config_get_all(p, "module", values, 8), 0, "module is not a plugin key");

    /* config_next: every plugin key in file order */
    static const char *const want[][2] = {
        { "path", "/a" }, { "mode", "fast" }, { "path", "/b" }, { "path", "/c" },
        { "path", "/d" }, { "empty", "" },
    };
    size_t cursor = 0, i = 0;
    const char *key, *value;
    int order_ok = 1;
    while (h->config_next(p, &cursor, &key, &value)) {
        if (i >= 6 || strcmp(key, want[i][0]) || strcmp(value, want[i][1])) {
            order_ok = 0;
            printf("# pair %zu: %s = %s\n", i, key, value);
        }
        if (!strcmp(key, "module") || !strcmp(key, "on_exception") || !strcmp(key, "enabled"))
            order_ok = 0;
        i++;
    }
    is_int(i, 6, "config_next yields six pairs");
    ok(order_ok, "config_next: file order, without module/on_exception/enabled");
    ok(!h->config_next(p, &cursor, &key, &value), "config_next stays at the end");
    cursor = 0;
    ok(h->config_next(p, &cursor, &key, &value) && !strcmp(value, "/a"), "cursor 0 restarts");
    ok(!h->config_next(NULL, &cursor, &key, &value), "NULL config -> 0");

    /* the typed parsers are the core's */
    int b = -1, e = 0, s = 0;
    int64_t iv = 0;
    uint64_t sz = 0, ns = 0;
    ok(h->parse_bool("on", &b) == 0 && b == 1, "parse_bool");
    ok(h->parse_int("0x20", &iv) == 0 && iv == 32, "parse_int");
    ok(h->parse_size("2K", &sz) == 0 && sz == 2048, "parse_size");
    ok(h->parse_duration("3ms", &ns) == 0 && ns == 3000000, "parse_duration");
    ok(h->parse_errno("EACCES", &e) == 0 && e == EACCES, "parse_errno");
    ok(h->parse_signal("HUP", &s) == 0 && s == 1, "parse_signal");
    is_int(h->parse_errno("nope", &e), -EINVAL, "parse_errno rejects");

    sl_config_free(cfg);
    return tap_done();
}
