/* test_config.c -- reading sandlock.ini: defaults, every [sandlock] key,
 * plugin instances, and every error with the exact line it names. */
#include "config.h"
#include "sl_config.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SRC "t.ini"

static char err[1024];

static struct sl_config_file *parse(const char *text)
{
    err[0] = '\0';
    return sl_config_parse(text, SRC, err, sizeof(err));
}

/* The parse fails and the message starts with `want` ("t.ini:LINE: ..."). */
static void parse_error(const char *text, const char *want, const char *what)
{
    struct sl_config_file *cfg = parse(text);
    ok(cfg == NULL, "%s: rejected", what);
    if (!tap_ok(strncmp(err, want, strlen(want)) == 0, __FILE__, __LINE__, "%s: message '%s...'",
                what, want))
        printf("#   got '%s'\n", err);
    sl_config_free(cfg);
}

static void test_defaults(void)
{
    struct sl_config_file *cfg = parse("");
    ok(cfg != NULL, "empty file parses (%s)", err);
    if (!cfg)
        return;
    is_str(cfg->source, SRC, "source recorded");
    is_int(cfg->nplugin_path, 0, "default: no plugin_path");
    is_int(cfg->on_exception, SL_EXC_KILL, "default on_exception = kill");
    is_int(cfg->ndeny, 0, "default: no extra deny");
    is_int(cfg->default_deny, 1, "default_deny = yes");
    is_int(cfg->workers, 1, "workers = 1");
    is_int(cfg->log_level, 1, "log_level = warn");
    is_int(cfg->max_deferred, 64, "max_deferred = 64");
    ok(cfg->defer_timeout_ns == 30000000000ULL, "defer_timeout = 30s");
    is_int(cfg->ninstances, 0, "no instances");
    sl_config_free(cfg);

    cfg = parse("; only a comment\n# another\n\n   \n[sandlock]\n");
    ok(cfg != NULL, "comments, blank lines and an empty [sandlock] parse (%s)", err);
    sl_config_free(cfg);

    cfg = parse("\xEF\xBB\xBF[sandlock]\nworkers = 2\n");
    ok(cfg && cfg->workers == 2, "a UTF-8 BOM is skipped (%s)", err);
    sl_config_free(cfg);

    cfg = parse(sl_builtin_config);
    ok(cfg != NULL, "the built-in default parses (%s)", err);
    if (cfg) {
        is_int(cfg->on_exception, SL_EXC_KILL, "built-in: kill");
        is_int(cfg->default_deny, 1, "built-in: default_deny");
        is_int(cfg->ninstances, 4, "built-in: the chain of examples/sandlock.ini");
        if (cfg->ninstances == 4) {
            is_str(cfg->instances[0]->name, "audit", "built-in: audit first");
            is_str(cfg->instances[1]->name, "vfile", "built-in: vfile before fsdeny");
            is_str(cfg->instances[2]->name, "fsdeny", "built-in: fsdeny third");
            is_str(cfg->instances[3]->name, "netguard", "built-in: netguard last");
        }
    }
    sl_config_free(cfg);
}

static void test_sandlock_keys(void)
{
    struct sl_config_file *cfg = parse(
        "[sandlock]\n"
        "plugin_path = /opt/a:/opt/b\n"
        "on_exception = eio\n"
        "deny = ptrace, mount ,bpf\n"
        "deny = uname\n"
        "default_deny = no\n"
        "workers = 4\n"
        "log_level = debug\n"
        "max_deferred = 0\n"
        "defer_timeout = 500ms   ; inline comment\n");
    ok(cfg != NULL, "every [sandlock] key parses (%s)", err);
    if (!cfg)
        return;
    is_int(cfg->nplugin_path, 2, "plugin_path: two directories");
    if (cfg->nplugin_path == 2) {
        is_str(cfg->plugin_path[0], "/opt/a", "plugin_path[0]");
        is_str(cfg->plugin_path[1], "/opt/b", "plugin_path[1]");
    }
    is_int(cfg->on_exception, SL_EXC_EIO, "on_exception = eio");
    is_int(cfg->ndeny, 4, "deny: four names over two lines");
    if (cfg->ndeny == 4) {
        is_str(cfg->deny[0], "ptrace", "deny[0]");
        is_str(cfg->deny[1], "mount", "deny[1]");
        is_str(cfg->deny[2], "bpf", "deny[2]");
        is_str(cfg->deny[3], "uname", "deny[3]");
        is_int(cfg->deny_lines[0], 4, "deny line of ptrace");
        is_int(cfg->deny_lines[3], 5, "deny line of uname");
    }
    is_int(cfg->default_deny, 0, "default_deny = no");
    is_int(cfg->workers, 4, "workers = 4");
    is_int(cfg->log_level, 3, "log_level = debug");
    is_int(cfg->max_deferred, 0, "max_deferred = 0");
    ok(cfg->defer_timeout_ns == 500000000ULL, "defer_timeout = 500ms (inline comment stripped)");
    sl_config_free(cfg);

    static const struct { const char *text; int policy; } policies[] = {
        { "kill", SL_EXC_KILL }, { "eperm", SL_EXC_EPERM }, { "eio", SL_EXC_EIO },
        { "continue", SL_EXC_CONTINUE },
    };
    for (size_t i = 0; i < 4; i++) {
        char text[128];
        snprintf(text, sizeof(text), "[sandlock]\non_exception = %s\n", policies[i].text);
        cfg = parse(text);
        ok(cfg && cfg->on_exception == policies[i].policy, "on_exception = %s", policies[i].text);
        is_str(sl_exception_policy_name(policies[i].policy), policies[i].text, "policy name %s",
               policies[i].text);
        sl_config_free(cfg);
    }
    static const char *const levels[] = { "error", "warn", "info", "debug" };
    for (int i = 0; i < 4; i++) {
        char text[128];
        snprintf(text, sizeof(text), "[sandlock]\nlog_level = %s\n", levels[i]);
        cfg = parse(text);
        ok(cfg && cfg->log_level == i, "log_level = %s -> %d", levels[i], i);
        sl_config_free(cfg);
    }
    cfg = parse("[sandlock]\nworkers = 64\nmax_deferred = 65536\ndefer_timeout = 1h\n");
    ok(cfg && cfg->workers == 64 && cfg->max_deferred == 65536 &&
       cfg->defer_timeout_ns == 3600000000000ULL, "upper bounds accepted (%s)", err);
    sl_config_free(cfg);
    cfg = parse("[sandlock]\nworkers: 3\n");
    ok(cfg && cfg->workers == 3, "':' works as the delimiter too (%s)", err);
    sl_config_free(cfg);
    cfg = parse("[sandlock]\nplugin_path = /one\nplugin_path = /two:/three\n");
    ok(cfg && cfg->nplugin_path == 2 && !strcmp(cfg->plugin_path[0], "/two"),
       "a later plugin_path replaces an earlier one");
    sl_config_free(cfg);
    cfg = parse("[sandlock]\ndeny = mount\n  ptrace\n");
    ok(cfg && cfg->ndeny == 2 && !strcmp(cfg->deny[1], "ptrace") && cfg->deny_lines[1] == 3,
       "an indented line continues deny with its own line number");
    sl_config_free(cfg);
}

static void test_instances(void)
{
    struct sl_config_file *cfg = parse(
        "[sandlock]\n"                  /* 1 */
        "on_exception = eperm\n"        /* 2 */
        "\n"                            /* 3 */
        "[plugin zeta]\n"               /* 4 */
        "module = verdict\n"            /* 5 */
        "syscalls = getppid\n"          /* 6 */
        "syscalls = uname\n"            /* 7 */
        "  getpid\n"                    /* 8 continuation */
        "action = errno:EACCES\n"       /* 9 */
        "[plugin alpha]\n"              /* 10 */
        "on_exception = continue\n"     /* 11 */
        "path = /a ; comment\n"         /* 12 */
        "path = /b;not-a-comment\n"     /* 13 */
        "[plugin my.audit-2_x]\n"       /* 14 */
        "enabled = no\n"                /* 15 */
        "module = /abs/path/audit.so\n" /* 16 */
        "module = later\n");            /* 17 */
    ok(cfg != NULL, "three instances parse (%s)", err);
    if (!cfg)
        return;
    is_int(cfg->ninstances, 3, "three instances");
    if (cfg->ninstances != 3) {
        sl_config_free(cfg);
        return;
    }
    struct sandlock_config *z = cfg->instances[0], *a = cfg->instances[1], *m = cfg->instances[2];
    is_str(z->name, "zeta", "file order kept: zeta first (not sorted)");
    is_str(a->name, "alpha", "alpha second");
    is_str(m->name, "my.audit-2_x", "names may hold . - _ and digits");
    is_int(z->line, 4, "section line recorded");
    is_str(z->module, "verdict", "module = verdict");
    is_str(a->module, "alpha", "module defaults to the instance name");
    is_str(m->module, "later", "the last module = wins");
    is_int(z->on_exception, SL_EXC_INHERIT, "no on_exception: inherits");
    is_int(sl_instance_policy(cfg, z), SL_EXC_EPERM, "inherited policy = global eperm");
    is_int(a->on_exception, SL_EXC_CONTINUE, "per-instance on_exception");
    is_int(sl_instance_policy(cfg, a), SL_EXC_CONTINUE, "effective policy continue");
    is_int(z->enabled, 1, "enabled by default");
    is_int(m->enabled, 0, "enabled = no");
    /* plugin keys: module, on_exception, enabled are not among them */
    is_int(z->nkeys, 4, "zeta: four plugin keys (syscalls x3, action)");
    if (z->nkeys == 4) {
        is_str(z->keys[0].key, "syscalls", "key 0 name");
        is_str(z->keys[0].value, "getppid", "key 0 value");
        is_int(z->keys[0].line, 6, "key 0 line");
        is_str(z->keys[1].value, "uname", "key 1 value");
        is_int(z->keys[1].line, 7, "key 1 line");
        is_str(z->keys[2].key, "syscalls", "continuation keeps the key");
        is_str(z->keys[2].value, "getpid", "continuation value");
        is_int(z->keys[2].line, 8, "continuation line");
        is_str(z->keys[3].key, "action", "key 3 name");
        is_str(z->keys[3].value, "errno:EACCES", "key 3 value");
        is_int(z->keys[3].line, 9, "key 3 line");
    }
    is_int(a->nkeys, 2, "alpha: two plugin keys");
    if (a->nkeys == 2) {
        is_str(a->keys[0].value, "/a", "';' after whitespace starts a comment");
        is_str(a->keys[1].value, "/b;not-a-comment", "';' without whitespace is part of the value");
        is_int(a->keys[1].line, 13, "line of the second path");
    }
    is_int(m->nkeys, 0, "my.audit-2_x: no plugin keys");
    sl_config_free(cfg);

    /* A plugin section before [sandlock] and a key after a blank and comment lines. */
    cfg = parse("[plugin p]\n\n; c\nk = v\n[sandlock]\nworkers = 2\n");
    ok(cfg && cfg->ninstances == 1 && cfg->instances[0]->nkeys == 1 &&
       cfg->instances[0]->keys[0].line == 4 && cfg->workers == 2,
       "[plugin] before [sandlock], lines counted across blanks and comments (%s)", err);
    sl_config_free(cfg);

    /* A section without keys still exists, in order. */
    cfg = parse("[plugin a]\n[plugin b]\n[plugin c]\n");
    ok(cfg && cfg->ninstances == 3 && !strcmp(cfg->instances[2]->name, "c") &&
       !strcmp(cfg->instances[1]->module, "b"), "sections without keys are instances");
    sl_config_free(cfg);

    /* Longest allowed line (198) and section name (49). */
    char text[512];
    memset(text, 0, sizeof(text));
    strcpy(text, "[plugin p]\nk = ");
    size_t start = strlen("[plugin p]\n");
    memset(text + strlen(text), 'x', 198 - 4);
    strcat(text, "\n");
    cfg = parse(text);
    ok(cfg && cfg->instances[0]->nkeys == 1 && strlen(cfg->instances[0]->keys[0].value) == 194 &&
       strlen(text + start) == 199, "a 198-character line is accepted whole (%s)", err);
    sl_config_free(cfg);
    strcpy(text, "[plugin ");
    memset(text + 8, 'n', 49 - 7);
    strcpy(text + 8 + 42, "]\nk = v\n");
    cfg = parse(text);
    ok(cfg && strlen(cfg->instances[0]->name) == 42 && cfg->instances[0]->nkeys == 1,
       "a 49-character section name is accepted (%s)", err);
    sl_config_free(cfg);
}

static void test_errors(void)
{
    parse_error("[sandlock]\nworkers = 2\nfoo = 1\n", SRC ":3: unknown key 'foo' in [sandlock]",
                "unknown [sandlock] key");
    parse_error("[sandlock]\n\n\non_exception = maybe\n",
                SRC ":4: on_exception: expected kill, eperm, eio or continue, got 'maybe'",
                "bad on_exception");
    parse_error("[sandlock]\non_exception = KILL\n", SRC ":2: on_exception:",
                "on_exception is case-sensitive");
    parse_error("[sandlock]\ndefault_deny = perhaps\n",
                SRC ":2: default_deny: expected yes or no, got 'perhaps'", "bad default_deny");
    parse_error("[sandlock]\nworkers = 0\n", SRC ":2: workers: expected a number from 1 to 64, got '0'",
                "workers = 0");
    parse_error("[sandlock]\nworkers = 65\n", SRC ":2: workers:", "workers = 65");
    parse_error("[sandlock]\nworkers = two\n", SRC ":2: workers:", "workers = two");
    parse_error("[sandlock]\nworkers = -1\n", SRC ":2: workers:", "workers = -1");
    parse_error("[sandlock]\nlog_level = verbose\n",
                SRC ":2: log_level: expected error, warn, info or debug, got 'verbose'", "bad log_level");
    parse_error("[sandlock]\nmax_deferred = 65537\n",
                SRC ":2: max_deferred: expected a number from 0 to 65536, got '65537'", "max_deferred too big");
    parse_error("[sandlock]\nmax_deferred = -1\n", SRC ":2: max_deferred:", "max_deferred negative");
    parse_error("[sandlock]\ndefer_timeout = soon\n",
                SRC ":2: defer_timeout: expected a duration such as 30s or 500ms, got 'soon'",
                "bad defer_timeout");
    parse_error("[sandlock]\ndefer_timeout = 0\n", SRC ":2: defer_timeout:", "defer_timeout = 0");
    parse_error("[sandlock]\nworkers = 2\n[sandlock]\n", SRC ":3: [sandlock] appears more than once",
                "duplicate [sandlock]");
    parse_error("[sandlock]\n[plugins x]\n",
                SRC ":2: unknown section [plugins x]: expected [sandlock] or [plugin NAME]", "unknown section");
    parse_error("[Sandlock]\n", SRC ":1: unknown section [Sandlock]", "section names are case-sensitive");
    parse_error("[plugin]\n", SRC ":1: unknown section [plugin]", "[plugin] without a name");
    parse_error("\n[sandlock\n", SRC ":2: expected ']' to close the section header", "unclosed section");
    parse_error("[plugin a/b]\n", SRC ":1: bad instance name 'a/b'", "bad instance name (slash)");
    parse_error("[plugin a b]\n", SRC ":1: bad instance name 'a b'", "bad instance name (space)");
    parse_error("[plugin ]\n", SRC ":1: bad instance name ''", "empty instance name");
    parse_error("[plugin a]\n[plugin b]\nk = v\n[plugin a]\n",
                SRC ":4: duplicate instance 'a' (first defined at line 1)", "duplicate instance");
    parse_error("[plugin a]\nmodule = x\non_exception = panic\n",
                SRC ":3: on_exception: expected kill, eperm, eio or continue, got 'panic'",
                "bad per-instance on_exception");
    parse_error("[plugin a]\nenabled = sometimes\n", SRC ":2: enabled: expected yes or no, got 'sometimes'",
                "bad enabled");
    parse_error("[plugin a]\nmodule =\n", SRC ":2: module: expected a module name or path", "empty module");
    parse_error("; comment\nworkers = 2\n[sandlock]\n",
                SRC ":2: 'workers' is outside any section: put it under [sandlock] or [plugin NAME]",
                "key outside any section");
    parse_error("[sandlock]\nworkers = 1\njust some words\n",
                SRC ":3: expected KEY = VALUE, [sandlock] or [plugin NAME]", "line without '='");
    parse_error("[sandlock]\nabc ; x = 1\n", SRC ":2: expected KEY = VALUE",
                "a '=' inside an inline comment does not count");

    /* line too long: 199 characters */
    char text[600];
    strcpy(text, "[sandlock]\n; fine\nworkers = 1");
    memset(text + strlen(text), ' ', 199 - strlen("workers = 1"));
    text[11 + 7 + 199] = '\0';
    strcat(text, "\n");
    parse_error(text, SRC ":3: line too long (199 characters, at most 198)", "line of 199 characters");
    /* even inside a comment */
    memset(text, ';', 300);
    strcpy(text + 300, "\n");
    parse_error(text, SRC ":1: line too long (300 characters", "over-long comment line");
    /* section name of 50 characters */
    strcpy(text, "[sandlock]\n[plugin ");
    memset(text + strlen(text), 'n', 43);
    strcpy(text + 19 + 43, "]\n");
    parse_error(text, SRC ":2: section name longer than 49 characters", "section name of 50 characters");

    /* The first error is reported even when several lines are bad. */
    parse_error("[sandlock]\nworkers = 1\nworkers = 0\nlog_level = x\n", SRC ":3: workers:",
                "first of several errors");
    /* ... whichever pass finds it: a bad value before a bad line ... */
    parse_error("[sandlock]\nworkers = many\n\nno delimiter here\n", SRC ":2: workers:",
                "bad value before a syntax error");
    parse_error("[plugin a]\non_exception = x\n[plugin a]\n", SRC ":2: on_exception:",
                "bad value before a duplicate instance");
    /* ... and a bad line before a bad value. */
    parse_error("[sandlock]\nno delimiter\nworkers = many\n", SRC ":2: expected KEY = VALUE",
                "syntax error before a bad value");
    parse_error("[sandlock]\nworkers = 2\n[plugin a]\nmodule = verdict\n[plugin a]\nworkers = x\n",
                SRC ":5: duplicate instance", "good keys before a duplicate instance");
}

static char tmpdir[] = "/tmp/sandlock-config-test.XXXXXX";

static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return path;
    fwrite(content, 1, len, f);
    fclose(f);
    return path;
}

static void test_load(void)
{
    if (!mkdtemp(tmpdir)) {
        ok(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    static const char good[] = "[sandlock]\nworkers = 3\n[plugin x]\nmodule = verdict\n";
    const char *path = write_file("good.ini", good, strlen(good));
    err[0] = '\0';
    struct sl_config_file *cfg = sl_config_load(path, err, sizeof(err));
    ok(cfg && cfg->workers == 3 && cfg->ninstances == 1, "sl_config_load reads a file (%s)", err);
    if (cfg)
        is_str(cfg->source, path, "source is the path");
    sl_config_free(cfg);

    static const char bad[] = "[sandlock]\n\nworkers = lots\n";
    path = write_file("bad.ini", bad, strlen(bad));
    char want[512];
    snprintf(want, sizeof(want), "%s:3: workers:", path);
    cfg = sl_config_load(path, err, sizeof(err));
    ok(!cfg, "bad file rejected");
    has_str(err, want, "error from a file names path:line");

    char missing[300];
    snprintf(missing, sizeof(missing), "%s/does-not-exist.ini", tmpdir);
    cfg = sl_config_load(missing, err, sizeof(err));
    ok(!cfg, "missing file rejected");
    has_str(err, missing, "missing file: message names the path");
    has_str(err, "No such file or directory", "missing file: message gives the reason");

    if (geteuid() != 0) {
        path = write_file("unreadable.ini", good, strlen(good));
        chmod(path, 0);
        cfg = sl_config_load(path, err, sizeof(err));
        ok(!cfg, "unreadable file rejected");
        has_str(err, path, "unreadable file: message names the path");
        has_str(err, "Permission denied", "unreadable file: reason");
        unlink(path);
    }

    cfg = sl_config_load(tmpdir, err, sizeof(err));
    ok(!cfg, "a directory is rejected");
    has_str(err, tmpdir, "directory: message names the path");
    has_str(err, "Is a directory", "directory: the real reason");

    static const char nul[] = "[sandlock]\nworkers = 1\nlog_level = w\0arn\n";
    path = write_file("nul.ini", nul, sizeof(nul) - 1);
    cfg = sl_config_load(path, err, sizeof(err));
    ok(!cfg, "a NUL byte is rejected");
    snprintf(want, sizeof(want), "%s:3: ", path);
    has_str(err, want, "NUL byte: message names path:line");
    has_str(err, "NUL", "NUL byte: message says NUL");

    unlink(write_file("good.ini", "", 0));
    unlink(write_file("bad.ini", "", 0));
    unlink(write_file("nul.ini", "", 0));
    rmdir(tmpdir);
}

/* eintr_ok = NAME|GROUP, ...: read by sandlock (never a plugin key),
 * repeatable; anything that is not a call the kernel never interrupts (or
 * a group of them) is an error naming the line. */
static void test_eintr_ok(void)
{
    struct sl_config_file *cfg = parse("[plugin v]\n"            /* 1 */
                                  "module = verdict\n"      /* 2 */
                                  "eintr_ok = clone, close\n" /* 3 */
                                  "eintr_ok = paths\n"      /* 4 */
                                  "syscalls = clone\n");    /* 5 */
    ok(cfg != NULL, "eintr_ok parses (%s)", err);
    if (!cfg)
        return;
    struct sandlock_config *v = cfg->instances[0];
    is_int(v->neintr_ok, 3, "eintr_ok: three words from two lines");
    is_int(v->nkeys, 1, "eintr_ok is not passed to the plugin");
    if (v->neintr_ok == 3) {
        is_str(v->eintr_ok[0], "clone", "eintr_ok word 0");
        is_str(v->eintr_ok[2], "paths", "eintr_ok word 2 (a group)");
    }
    sl_config_free(cfg);
    parse_error("[plugin v]\nmodule = verdict\neintr_ok = clone, read\n",
                SRC ":3: eintr_ok: 'read' is not a system call sandlock warns about", "eintr_ok = read");
    parse_error("[plugin v]\neintr_ok = closee\n", SRC ":2: eintr_ok: 'closee' is not a system call",
                "eintr_ok: a misspelt name");
    parse_error("[plugin v]\neintr_ok = ,\n", SRC ":2: eintr_ok: expected system call or group names",
                "eintr_ok: empty");
    parse_error("[sandlock]\neintr_ok = clone\n", SRC ":2: unknown key 'eintr_ok' in [sandlock]",
                "eintr_ok is per instance");
}

static void test_choose(void)
{
    unsetenv("SANDLOCK_CONFIG");
    is_str(sl_config_choose("/x/cli.ini"), "/x/cli.ini", "-c wins");
    setenv("SANDLOCK_CONFIG", "/x/env.ini", 1);
    is_str(sl_config_choose(NULL), "/x/env.ini", "$SANDLOCK_CONFIG without -c");
    is_str(sl_config_choose("/x/cli.ini"), "/x/cli.ini", "-c beats $SANDLOCK_CONFIG");
    setenv("SANDLOCK_CONFIG", "", 1);
    const char *c = sl_config_choose(NULL);
    ok(c == NULL || strcmp(c, SANDLOCK_SYSCONF_FILE) == 0,
       "empty $SANDLOCK_CONFIG: installed file or built-in");
    unsetenv("SANDLOCK_CONFIG");
}

int main(void)
{
    test_defaults();
    test_sandlock_keys();
    test_instances();
    test_errors();
    test_load();
    test_eintr_ok();
    test_choose();
    return tap_done();
}
