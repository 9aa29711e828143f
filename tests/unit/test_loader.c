/* test_loader.c -- sl_plugins_load / sl_plugins_unload with the fixture
 * modules of tests/unit/fixtures: every load error names the instance and
 * the file, and a failed load leaves nothing behind (fini exactly once for
 * every initialised instance, every module unmapped). */
#include "config.h"
#include "loader.h"
#include "log.h"
#include "tap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SRC "/test/loader.ini"

static char err[2048];
static char logfile[256];

/* Parses a config; "@FIX@" in the text stands for FIXTURE_DIR and "@LOG@"
 * for the counting log file. */
static struct sl_config_file *conf(const char *text)
{
    char buf[8192] = "";
    for (const char *p = text; *p;) {
        if (!strncmp(p, "@FIX@", 5)) {
            strcat(buf, FIXTURE_DIR);
            p += 5;
        } else if (!strncmp(p, "@LOG@", 5)) {
            strcat(buf, logfile);
            p += 5;
        } else {
            size_t n = strlen(buf);
            buf[n] = *p++;
            buf[n + 1] = '\0';
        }
    }
    char perr[512] = "";
    struct sl_config_file *cfg = sl_config_parse(buf, SRC, perr, sizeof(perr));
    if (!cfg)
        printf("# config error: %s\n", perr);
    return cfg;
}

/* Loads `text`; expects failure with every `needles` (NULL-terminated) in
 * the message. */
static void load_fails(const char *what, const char *text, ...)
{
    struct sl_config_file *cfg = conf(text);
    struct sl_plugins pl = { 0 };
    err[0] = '\0';
    int rc = cfg ? sl_plugins_load(cfg, &pl, err, sizeof(err)) : 0;
    ok(cfg && rc != 0, "%s: load fails", what);
    ok(pl.inst == NULL && pl.n == 0, "%s: nothing left loaded", what);
    has_str(err, SRC ": ", "%s: message names the file", what);
    va_list ap;
    va_start(ap, text);
    for (const char *needle; (needle = va_arg(ap, const char *));)
        has_str(err, needle, "%s: message has '%s'", what, needle);
    va_end(ap);
    if (rc == 0)
        sl_plugins_unload(&pl);
    sl_config_free(cfg);
}

static int mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[1024];
    int found = 0;
    while (f && fgets(line, sizeof(line), f))
        if (strstr(line, name))
            found = 1;
    if (f)
        fclose(f);
    return found;
}

static char *slurp_log(void)
{
    static char buf[4096];
    buf[0] = '\0';
    FILE *f = fopen(logfile, "re");
    if (f) {
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static int count(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += len)
        if ((p == text || p[-1] == '\n') && p[len] == '\n')
            n++;
    return n;
}

static void test_errors(void)
{
    setenv("SANDLOCK_PLUGIN_PATH", "/nonexistent/env1:/nonexistent/env2", 1);
    load_fails("module not found",
               "[sandlock]\nplugin_path = /nonexistent/cfg1:/nonexistent/cfg2\n"
               "[plugin lost]\nmodule = nosuch\n",
               "[plugin lost]", "module 'nosuch' not found", "nosuch.so",
               "/nonexistent/env1, /nonexistent/env2, /nonexistent/cfg1, /nonexistent/cfg2",
               SANDLOCK_PLUGIN_DIR, (char *)NULL);
    unsetenv("SANDLOCK_PLUGIN_PATH");
    load_fails("module path that does not exist", "[plugin p]\nmodule = /nonexistent/x.so\n",
               "[plugin p]", "/nonexistent/x.so", "No such file", (char *)NULL);
    load_fails("not a plugin", "[sandlock]\nplugin_path = @FIX@\n[plugin ns]\nmodule = nosym\n",
               "[plugin ns]", FIXTURE_DIR "/nosym.so", "is not a sandlock plugin",
               "sandlock_plugin_entry_v1", (char *)NULL);
    load_fails("ABI 2 plugin", "[sandlock]\nplugin_path = @FIX@\n[plugin two]\nmodule = v2only\n",
               "[plugin two]", FIXTURE_DIR "/v2only.so", "plugin ABI 2", "supports ABI 1", (char *)NULL);
    load_fails("entry returns NULL", "[sandlock]\nplugin_path = @FIX@\n[plugin n]\nmodule = nullentry\n",
               "[plugin n]", FIXTURE_DIR "/nullentry.so", "refused to load", (char *)NULL);
    load_fails("vtable without syscalls/handle",
               "[sandlock]\nplugin_path = @FIX@\n[plugin bv]\nmodule = badvtable\n", "[plugin bv]",
               FIXTURE_DIR "/badvtable.so", "missing required callbacks: syscalls handle", (char *)NULL);
    load_fails("a file that is not a shared object",
               "[plugin txt]\nmodule = /proc/self/status\n", "[plugin txt]", "cannot load /proc/self/status",
               (char *)NULL);
    load_fails("init fails", "[plugin f]\nmodule = @FIX@/fixture.so\nfail = the widget is broken\n",
               "[plugin f]", "init failed: the widget is broken", (char *)NULL);
    load_fails("init fails without a message", "[plugin f]\nmodule = @FIX@/fixture.so\nfail =\n",
               "[plugin f]", "init failed: (the plugin gave no reason)", (char *)NULL);
    load_fails("unknown syscall", "[plugin u]\nmodule = @FIX@/fixture.so\nsyscalls = getppid, nosuchcall\n",
               "[plugin u]", "unknown syscall 'nosuchcall'", (char *)NULL);
    load_fails("deny-listed syscall", "[plugin d]\nmodule = @FIX@/fixture.so\nsyscalls = getppid, mount\n",
               "[plugin d]", "syscall 'mount' is on the deny list", (char *)NULL);
    load_fails("deny-listed ptrace", "[plugin d]\nmodule = @FIX@/fixture.so\nsyscalls = ptrace\n",
               "[plugin d]", "'ptrace' is on the deny list", (char *)NULL);
    load_fails("deny = extra name",
               "[sandlock]\ndeny = uname\n[plugin d]\nmodule = @FIX@/fixture.so\nsyscalls = uname\n",
               "[plugin d]", "syscall 'uname' is on the deny list", (char *)NULL);
    load_fails("deny = extra name, default_deny off",
               "[sandlock]\ndefault_deny = no\ndeny = uname\n[plugin d]\nmodule = @FIX@/fixture.so\n"
               "syscalls = uname\n", "[plugin d]", "'uname' is on the deny list", (char *)NULL);
    {
        struct sl_config_file *cfg = conf("[sandlock]\n\ndeny = getppid, frob\n[plugin a]\nmodule = @FIX@/fixture.so\n");
        struct sl_plugins pl = { 0 };
        ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) != 0 && pl.inst == NULL,
           "deny = unknown name: load fails (so `check` reports it)");
        has_str(err, SRC ":3: deny: unknown syscall 'frob'", "deny = unknown name: file:line named");
        sl_config_free(cfg);
    }
    {
        /* An empty list: the instance loads and intercepts nothing. */
        struct sl_config_file *cfg = conf("[plugin e]\nmodule = @FIX@/fixture.so\nsyscalls =\n");
        struct sl_plugins pl = { 0 };
        ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0 && pl.n == 1 && pl.inst[0].nnrs == 0,
           "empty syscall list: loads, intercepts nothing (%s)", err);
        sl_plugins_unload(&pl);
        sl_config_free(cfg);
    }
    load_fails("the error names the failing instance, not the first",
               "[plugin first]\nmodule = @FIX@/fixture.so\n[plugin second]\nmodule = @FIX@/fixture.so\n"
               "syscalls = bogus_call\n", "[plugin second]", "'bogus_call'", (char *)NULL);
}

static int has_nr(const struct sl_instance *inst, int nr)
{
    for (size_t i = 0; i < inst->nnrs; i++)
        if (inst->nrs[i] == nr)
            return 1;
    return 0;
}

static void test_success(void)
{
    struct sl_config_file *cfg = conf(
        "[sandlock]\nplugin_path = /nonexistent:@FIX@\non_exception = eio\n"
        "[plugin a]\nmodule = fixture\nsyscalls = getppid, uname\n  getppid\n"
        "[plugin off]\nmodule = nosuch\nenabled = no\n"
        "[plugin b]\nmodule = fixture\non_exception = continue\n"
        "syscalls = getppid, socketcall, _llseek\n");
    struct sl_plugins pl = { 0 };
    err[0] = '\0';
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0, "load succeeds (%s)", err);
    if (!cfg || !pl.inst) {
        sl_config_free(cfg);
        return;
    }
    is_int(pl.n, 2, "two enabled instances (the disabled one is not even looked for)");
    if (pl.n == 2) {
        is_str(pl.inst[0].cfg->name, "a", "chain order: a");
        is_str(pl.inst[1].cfg->name, "b", "chain order: b");
        is_str(pl.inst[0].file, FIXTURE_DIR "/fixture.so", "file found through plugin_path");
        is_str(pl.inst[0].vt.name, "fixture", "vtable name");
        is_str(pl.inst[0].vt.version, "9.8.7", "vtable version");
        ok(pl.inst[0].initialised && pl.inst[1].initialised, "both initialised");
        ok(pl.inst[0].state != pl.inst[1].state, "each instance has its own state");
        is_int(pl.inst[0].policy, SL_EXC_EIO, "a inherits eio");
        is_int(pl.inst[1].policy, SL_EXC_CONTINUE, "b has continue");
        is_int(pl.inst[0].nnrs, 2, "a: getppid and uname, the duplicate folded");
        ok(has_nr(&pl.inst[0], SYS_getppid) && has_nr(&pl.inst[0], SYS_uname), "a: the right numbers");
#if defined(__x86_64__)
        is_int(pl.inst[1].nnrs, 1, "b: socketcall and _llseek (not on x86_64) skipped");
        ok(has_nr(&pl.inst[1], SYS_getppid), "b: getppid kept");
#endif
    }
    ok(mapped(FIXTURE_DIR "/fixture.so"), "fixture.so is mapped while loaded");
    sl_plugins_unload(&pl);
    ok(pl.inst == NULL && pl.n == 0, "unload resets the set");
    ok(!mapped(FIXTURE_DIR "/fixture.so"), "fixture.so is unmapped after unload");
    sl_plugins_unload(&pl);
    ok(1, "a second unload is harmless");
    sl_config_free(cfg);

    /* default_deny = no lets a plugin see a built-in deny-list syscall. */
    cfg = conf("[sandlock]\ndefault_deny = no\n[plugin m]\nmodule = @FIX@/fixture.so\nsyscalls = mount\n");
    err[0] = '\0';
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0,
       "default_deny = no: mount may be intercepted (%s)", err);
    sl_plugins_unload(&pl);
    sl_config_free(cfg);

    /* No instances at all. */
    cfg = conf("[sandlock]\n");
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0 && pl.n == 0, "no instances: loads");
    sl_plugins_unload(&pl);
    sl_config_free(cfg);
}

static void test_cleanup(void)
{
    static const char four[] =
        "[sandlock]\nplugin_path = @FIX@\n"
        "[plugin one]\nmodule = fixture\nid = one\nlog = @LOG@\n"
        "[plugin off]\nmodule = fixture\nid = off\nlog = @LOG@\nenabled = no\n"
        "[plugin two]\nmodule = fixture\nid = two\nlog = @LOG@\n"
        "[plugin three]\nmodule = fixture\nid = three\nlog = @LOG@\n%s\n"
        "[plugin four]\nmodule = fixture\nid = four\nlog = @LOG@\n";
    char text[2048];
    struct sl_plugins pl = { 0 };
    struct sl_config_file *cfg;
    const char *log;

    /* The 3rd instance's init fails. */
    unlink(logfile);
    snprintf(text, sizeof(text), four, "fail = no luck");
    cfg = conf(text);
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) != 0, "init of the 3rd instance fails");
    has_str(err, "[plugin three]: init failed: no luck", "the message names the 3rd instance");
    log = slurp_log();
    printf("# log: %s\n", log);
    is_int(count(log, "init one"), 1, "one: init once");
    is_int(count(log, "init two"), 1, "two: init once");
    is_int(count(log, "fini one"), 1, "one: fini exactly once");
    is_int(count(log, "fini two"), 1, "two: fini exactly once");
    is_int(count(log, "init three") + count(log, "fini three"), 0, "three (init failed): no fini");
    is_int(count(log, "init four") + count(log, "fini four"), 0, "four: never touched");
    is_int(count(log, "init off"), 0, "disabled instance: never initialised");
    ok(strstr(log, "fini two\nfini one\n") != NULL, "fini in reverse chain order");
    ok(!mapped(FIXTURE_DIR "/fixture.so"), "nothing mapped after the failed load");
    sl_config_free(cfg);

    /* The 3rd instance fails after init (bad syscall): it is owed fini. */
    unlink(logfile);
    snprintf(text, sizeof(text), four, "syscalls = getppid, not_a_syscall");
    cfg = conf(text);
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) != 0, "3rd instance: bad syscall");
    has_str(err, "[plugin three]: unknown syscall 'not_a_syscall'", "the message names it");
    log = slurp_log();
    printf("# log: %s\n", log);
    is_int(count(log, "fini one"), 1, "one: fini exactly once");
    is_int(count(log, "fini two"), 1, "two: fini exactly once");
    is_int(count(log, "init three"), 1, "three: init ran");
    is_int(count(log, "fini three"), 1, "three (failed after init): fini exactly once");
    is_int(count(log, "init four"), 0, "four: never touched");
    ok(!mapped(FIXTURE_DIR "/fixture.so"), "nothing mapped after the failed load");
    sl_config_free(cfg);

    /* Success, then unload: every instance once. */
    unlink(logfile);
    snprintf(text, sizeof(text), four, "");
    cfg = conf(text);
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0, "four instances load (%s)", err);
    is_int(pl.n, 4, "four enabled instances");
    log = slurp_log();
    is_int(count(log, "fini one") + count(log, "fini four"), 0, "no fini before unload");
    sl_plugins_unload(&pl);
    log = slurp_log();
    printf("# log: %s\n", log);
    is_int(count(log, "fini one") + count(log, "fini two") + count(log, "fini three") +
           count(log, "fini four"), 4, "unload: fini for each of the four");
    is_int(count(log, "fini one"), 1, "one: exactly once");
    is_int(count(log, "fini four"), 1, "four: exactly once");
    ok(!mapped(FIXTURE_DIR "/fixture.so"), "fixture.so unmapped after unload");
    sl_config_free(cfg);

    /* A quarantined instance gets no fini (its state may be corrupt). */
    unlink(logfile);
    cfg = conf("[plugin q]\nmodule = @FIX@/fixture.so\nid = q\nlog = @LOG@\n"
               "[plugin r]\nmodule = @FIX@/fixture.so\nid = r\nlog = @LOG@\n");
    ok(cfg && sl_plugins_load(cfg, &pl, err, sizeof(err)) == 0, "two instances load (%s)", err);
    void *orphan = NULL;
    if (pl.n == 2) {
        atomic_store(&pl.inst[0].quarantined, 1);
        orphan = pl.inst[0].state;
    }
    sl_plugins_unload(&pl);
    free(orphan);   /* what the host deliberately leaves alone (the fixture's calloc) */
    log = slurp_log();
    is_int(count(log, "fini q"), 0, "quarantined instance: no fini");
    is_int(count(log, "fini r"), 1, "the other one: fini");
    ok(!mapped(FIXTURE_DIR "/fixture.so"), "unmapped even with a quarantined instance");
    sl_config_free(cfg);
    unlink(logfile);
}

int main(void)
{
    snprintf(logfile, sizeof(logfile), "%s/sandlock-loader-test.%d.log", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    test_errors();
    test_success();
    test_cleanup();
    return tap_done();
}
