/* loader.c -- finds modules, checks their ABI, runs init() and resolves
 * the syscalls they declare. Fail-closed: any error unloads everything. */
#include "config.h"
#include "loader.h"
#include "denylist.h"
#include "fault.h"
#include "filter.h"
#include "keys.h"
#include "log.h"
#include "masks.h"
#include "paths.h"
#include "views.h"
#include "trust.h"
#include "startup_trace.h"

#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Is the running binary the one in the build tree? */
static int running_from_build_tree(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return strcmp(exe, SANDLOCK_BUILD_DIR) == 0;
}

/* Appends the directories of a colon-separated list, relative ones made
 * absolute against the working directory (where the list was written). */
static size_t add_dirs(const char *list, const char **dirs, size_t n, size_t max,
                       char **storage, size_t *left)
{
    for (const char *p = list; *p && n < max; p += *p == ':') {
        size_t len = strcspn(p, ":");
        char dir[PATH_MAX];
        if (len && len < sizeof(dir)) {
            memcpy(dir, p, len);
            dir[len] = '\0';
            if (sl_trust_absolute(NULL, dir, *storage, *left) == 0) {
                size_t used = strlen(*storage) + 1;
                dirs[n++] = *storage;
                *storage += used;
                *left -= used;
            }
        }
        p += len;
    }
    return n;
}

size_t sl_plugin_search_path(const struct sl_config_file *cfg, const char **dirs, size_t max,
                             char *storage, size_t storage_len)
{
    size_t n = 0;
    const char *env = getenv("SANDLOCK_PLUGIN_PATH");
    if (env && *env)
        n = add_dirs(env, dirs, n, max, &storage, &storage_len);
    for (size_t i = 0; i < cfg->nplugin_path && n < max; i++)
        dirs[n++] = cfg->plugin_path[i];
    if (n < max && running_from_build_tree())
        dirs[n++] = SANDLOCK_BUILD_DIR "/plugins/.libs";
    if (n < max)
        dirs[n++] = SANDLOCK_PLUGIN_DIR;
    return n;
}

/* The lookups of one sl_plugins_load(): the modules are mostly in one
 * directory, which is then walked from / once (trust.h). */
static __thread struct sl_trust_cache *module_lookups;

/* Opens a module file under the trust rule (trust.h) into inst->fd. Returns
 * 0, or -1 with err set; *absent is set instead when the file (or a
 * directory on its way) does not exist or may not be searched. */
static int open_module_file(const struct sl_config_file *cfg, struct sl_instance *inst, const char *path,
                            int *absent, char *err, size_t errlen)
{
    char why[512];
    inst->fd = sl_trust_open_cached(module_lookups, path, why, sizeof(why));
    if (inst->fd >= 0)
        return (inst->file = strdup(path)) ? 0 : -1;
    if (inst->fd == SL_TRUST_REFUSED)
        sl_errf(err, errlen, "%s: [plugin %s]: module %s is not trusted: %s", cfg->source,
                inst->cfg->name, path, why);
    else if (absent && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
        *absent = 1;
    else
        sl_errf(err, errlen, "%s: [plugin %s]: module file %s: %s", cfg->source, inst->cfg->name,
                path, why);
    return -1;
}

/* Finds and opens the module: inst->fd and inst->file, or fails listing
 * what was searched. A module name with a '/' is a path (made absolute
 * against the configuration file's directory when it was read). */
static int find_module(const struct sl_config_file *cfg, struct sl_instance *inst, char *err, size_t errlen)
{
    const char *module = inst->cfg->module;
    if (strchr(module, '/'))
        return open_module_file(cfg, inst, module, NULL, err, errlen);
    const char *dirs[64];
    char storage[4096];
    size_t n = sl_plugin_search_path(cfg, dirs, 64, storage, sizeof(storage));
    char searched[1024] = "";
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        int absent = 0;
        if (snprintf(path, sizeof(path), "%s/%s.so", dirs[i], module) >= (int)sizeof(path))
            continue;
        if (open_module_file(cfg, inst, path, &absent, err, errlen) == 0)
            return 0;
        if (!absent)
            return -1;
        size_t used = strlen(searched);
        snprintf(searched + used, sizeof(searched) - used, "%s%s", used ? ", " : "", dirs[i]);
    }
    sl_errf(err, errlen, "%s: [plugin %s]: module '%s' not found (looked for %s.so in: %s)",
            cfg->source, inst->cfg->name, module, module, searched);
    return -1;
}

int sl_check_vtable(const sandlock_plugin *vt, sandlock_plugin *out, char *err, size_t errlen)
{
    const size_t needed = offsetof(sandlock_plugin, fini) + sizeof(vt->fini);
    unsigned major = vt->abi_version >> 16, minor = vt->abi_version & 0xffff;
    if (major != SANDLOCK_ABI_MAJOR) {
        sl_errf(err, errlen, "built for an incompatible plugin ABI %u.%u (this sandlock supports %d.x, up to %d.%d)",
                major, minor, SANDLOCK_ABI_MAJOR, SANDLOCK_ABI_MAJOR, SANDLOCK_ABI_MINOR);
        return -1;
    }
    if (vt->struct_size < needed) {
        sl_errf(err, errlen, "vtable too small (%u bytes; ABI %d.0 needs %zu)",
                vt->struct_size, SANDLOCK_ABI_MAJOR, needed);
        return -1;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, vt, vt->struct_size < sizeof(*out) ? vt->struct_size : sizeof(*out));
    char missing[64] = "";
    if (!out->init)
        strcat(missing, " init");
    if (!out->syscalls)
        strcat(missing, " syscalls");
    if (!out->handle)
        strcat(missing, " handle");
    if (*missing) {
        sl_errf(err, errlen, "vtable is missing required callbacks:%s", missing);
        return -1;
    }
    if (!out->name || !*out->name) {
        sl_errf(err, errlen, "vtable has no module name");
        return -1;
    }
    if (!out->version)
        out->version = "";
    if (!out->description)
        out->description = "";
    return 0;
}

/* For a plugin without our entry symbol: is it built for another ABI? */
static int other_abi_major(void *dl)
{
    char sym[64];
    for (int major = 0; major < 16; major++) {
        if (major == SANDLOCK_ABI_MAJOR)
            continue;
        snprintf(sym, sizeof(sym), "sandlock_plugin_entry_v%d", major);
        if (dlsym(dl, sym))
            return major;
    }
    return -1;
}

/* The modules loaded in the process, by every run (a process may run
 * several at once, sandlock(3)), with the file each was loaded from. Only
 * loading and unloading touch it, under the lock. */
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded_module {
    void *dl;
    dev_t dev;
    ino_t ino;
} *loaded;
static size_t nloaded;

static int remember_loaded(void *dl, const struct stat *st)
{
    struct loaded_module *grown = realloc(loaded, (nloaded + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    loaded = grown;
    loaded[nloaded++] = (struct loaded_module){ .dl = dl, .dev = st->st_dev, .ino = st->st_ino };
    return 0;
}

/* Forgets one load of `dl` (dlclose() follows). */
static void forget_loaded(void *dl)
{
    pthread_mutex_lock(&loaded_lock);
    for (size_t k = 0; k < nloaded; k++)
        if (loaded[k].dl == dl) {
            loaded[k] = loaded[--nloaded];
            break;
        }
    if (nloaded == 0) {
        free(loaded);
        loaded = NULL;
    }
    pthread_mutex_unlock(&loaded_lock);
}

/* dlopen() looks for an object already loaded under the same name, or of
 * the same file, before it loads: "/proc/self/fd/N" names the file that
 * was checked only if no object loaded earlier (for another file whose fd
 * had the same number, and that could not be unloaded) is found instead.
 * An object found without loading must be one this process loaded, by
 * this run or another, from the same file. Under loaded_lock. */
static int name_taken(const char *name, const struct stat *mine)
{
    void *dl = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!dl)
        return 0;
    int same = 0;
    for (size_t k = 0; k < nloaded && !same; k++)
        same = loaded[k].dl == dl && loaded[k].dev == mine->st_dev && loaded[k].ino == mine->st_ino;
    dlclose(dl);
    return !same;
}

/* Loads the module from the fd that was checked, never by its name again. */
static int open_module(const struct sl_config_file *cfg, struct sl_instance *inst,
                       char *err, size_t errlen)
{
    char why[512], name[64];
    const char *where = inst->cfg->name;
    snprintf(name, sizeof(name), "/proc/self/fd/%d", inst->fd);
    struct stat mine;
    if (fstat(inst->fd, &mine) != 0) {
        sl_errf(err, errlen, "%s: [plugin %s]: cannot load %s: %s", cfg->source, where, inst->file,
                strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&loaded_lock);
    if (name_taken(name, &mine)) {
        pthread_mutex_unlock(&loaded_lock);
        sl_errf(err, errlen, "%s: [plugin %s]: cannot load %s: another object is already loaded as %s",
                cfg->source, where, inst->file, name);
        return -1;
    }
    inst->dl = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (inst->dl && remember_loaded(inst->dl, &mine) != 0) {
        dlclose(inst->dl);
        inst->dl = NULL;
        pthread_mutex_unlock(&loaded_lock);
        sl_errf(err, errlen, "%s: [plugin %s]: out of memory", cfg->source, where);
        return -1;
    }
    pthread_mutex_unlock(&loaded_lock);
    if (!inst->dl) {
        sl_errf(err, errlen, "%s: [plugin %s]: cannot load %s: %s", cfg->source, where,
                inst->file, dlerror());
        return -1;
    }
    sandlock_plugin_entry_fn entry;
    *(void **)&entry = dlsym(inst->dl, SANDLOCK_PLUGIN_ENTRY_NAME);
    if (!entry) {
        int major = other_abi_major(inst->dl);
        if (major >= 0)
            sl_errf(err, errlen, "%s: [plugin %s]: %s is built for plugin ABI %d; this sandlock supports ABI %d",
                    cfg->source, where, inst->file, major, SANDLOCK_ABI_MAJOR);
        else
            sl_errf(err, errlen, "%s: [plugin %s]: %s is not a sandlock plugin (no symbol %s)",
                    cfg->source, where, inst->file, SANDLOCK_PLUGIN_ENTRY_NAME);
        return -1;
    }
    const sandlock_plugin *vt = entry(&sl_host_table);
    inst->entry = *(void **)&entry;
    sl_fault_register_module(inst->entry, inst->file);
    if (!vt) {
        sl_errf(err, errlen, "%s: [plugin %s]: %s refused to load with this host (host ABI %d.%d)",
                cfg->source, where, inst->file, SANDLOCK_ABI_MAJOR, SANDLOCK_ABI_MINOR);
        return -1;
    }
    if (sl_check_vtable(vt, &inst->vt, why, sizeof(why))) {
        sl_errf(err, errlen, "%s: [plugin %s]: %s: %s", cfg->source, where, inst->file, why);
        return -1;
    }
    return 0;
}

static int name_in(const char *name, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int is_denied(const struct sl_config_file *cfg, const char *name)
{
    if (cfg->default_deny)
        for (size_t i = 0; sl_builtin_deny[i]; i++)
            if (strcmp(sl_builtin_deny[i], name) == 0)
                return 1;
    return name_in(name, cfg->deny, cfg->ndeny);
}

/* Does `name` exist on some architecture libseccomp knows? */
static int syscall_exists_elsewhere(const char *name)
{
    static const uint32_t arches[] = {
        SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64,
        SCMP_ARCH_PPC64LE, SCMP_ARCH_S390X, SCMP_ARCH_RISCV64, SCMP_ARCH_MIPS,
    };
    for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
        if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
            return 1;
    return 0;
}

/* The number of a syscall an instance names. Returns 0 with *nr set, 1 when
 * the syscall does not exist on this architecture (skipped), -1 with a
 * message when the name may not be used. */
static int resolve_name(const struct sl_config_file *cfg, const struct sl_instance *inst, const char *name,
                        int *nr, char *err, size_t errlen)
{
    const char *where = inst->cfg->name;
    *nr = seccomp_syscall_resolve_name(name);
    if (*nr == __NR_SCMP_ERROR && !syscall_exists_elsewhere(name)) {
        char hint[160];
        sl_errf(err, errlen, "%s: [plugin %s]: unknown syscall '%s'%s", cfg->source, where, name,
                sl_config_instance_continuation_hint(cfg, inst->cfg, name, hint, sizeof(hint)));
        return -1;
    }
    if (is_denied(cfg, name)) {
        sl_errf(err, errlen, "%s: [plugin %s]: syscall '%s' is on the deny list; a plugin may not "
                "intercept it (its Continue would undo the deny)", cfg->source, where, name);
        return -1;
    }
    if (cfg->default_deny && *nr > sl_filter_newest_known(err, errlen)) {
        sl_errf(err, errlen, "%s: [plugin %s]: syscall '%s' is newer than sandlock knows; the filter "
                "answers it ENOSYS (see default_deny in sandlock.ini(5))", cfg->source, where, name);
        return -1;
    }
    if (*nr < 0) {
        sl_log(SANDLOCK_LOG_INFO, "[%s] syscall '%s' does not exist on this architecture; skipped",
               where, name);
        return 1;
    }
    return 0;
}

static void note_nr(struct sl_instance *inst, int nr)
{
    for (size_t k = 0; k < inst->nnrs; k++)
        if (inst->nrs[k] == nr)
            return;
    inst->nrs[inst->nnrs++] = nr;
}

/* A plugin call outside handle() that crashed: its state is corrupt, so
 * fini() is not called for it. */
static void crashed(const struct sl_config_file *cfg, struct sl_instance *inst, const char *call, int sig, char *err,
                    size_t errlen)
{
    atomic_store(&inst->quarantined, 1);
    sl_fault_abandon(inst->state);
    sl_errf(err, errlen, "%s: [plugin %s]: %s crashed in %s() with %s", cfg->source, inst->cfg->name, inst->file,
            call, strsignal(sig));
}

struct plugin_call {
    struct sl_instance *inst;
    char *errbuf;
    int rc;
    const char *const *names;
};

static void call_init(void *arg)
{
    struct plugin_call *c = arg;
    c->rc = c->inst->vt.init(&sl_host_table, c->inst->cfg, &c->inst->state, c->errbuf);
}

static void call_syscalls(void *arg)
{
    struct plugin_call *c = arg;
    c->names = c->inst->vt.syscalls(c->inst->state);
}

static void call_fini(void *arg)
{
    struct plugin_call *c = arg;
    c->inst->vt.fini(c->inst->state);
}

/* Resolves the declared rules, then the names of syscalls() (one rule
 * without comparisons per syscall, duplicates folded), into inst->rules. */
static int resolve_syscalls(const struct sl_config_file *cfg, struct sl_instance *inst, char *err, size_t errlen)
{
    struct plugin_call call = { .inst = inst };
    int sig = sl_fault_call(call_syscalls, &call);
    if (sig) {
        crashed(cfg, inst, "syscalls", sig, err, errlen);
        return -1;
    }
    const char *const *names = call.names;
    size_t count = 0;
    while (names && names[count])
        count++;
    size_t total = count + inst->ndeclared;
    if (total == 0) {
        /* All it enforces, the kernel does (masks), or it has nothing to
         * do in this run (fsdeny denying only paths that do not exist). */
        if (!sl_masks_of(inst->cfg->name))
            sl_log(SANDLOCK_LOG_INFO, "[plugin %s] intercepts nothing: %s declares no syscalls, rules or masks",
                   inst->cfg->name, inst->file);
        return 0;
    }
    if (!(inst->nrs = calloc(total, sizeof(int))) || !(inst->rules = calloc(total, sizeof(struct sl_rule))))
        return -1;
    for (size_t i = 0; i < inst->ndeclared; i++) {
        int nr, rc = resolve_name(cfg, inst, inst->declared[i].name, &nr, err, errlen);
        if (rc < 0)
            return -1;
        if (rc > 0)
            continue;
        inst->rules[inst->nrules] = inst->declared[i].rule;
        inst->rules[inst->nrules++].nr = nr;
        note_nr(inst, nr);
    }
    for (size_t i = 0; i < count; i++) {
        int nr, rc = resolve_name(cfg, inst, names[i], &nr, err, errlen);
        if (rc < 0)
            return -1;
        int dup = 0;
        for (size_t k = 0; rc == 0 && k < inst->nrules; k++)
            dup |= inst->rules[k].nr == nr && inst->rules[k].ncmp == 0 &&
                   inst->rules[k].verdict == SANDLOCK_RULE_HANDLE;
        if (rc > 0 || dup)
            continue;
        inst->rules[inst->nrules++] = (struct sl_rule){ .nr = nr, .verdict = SANDLOCK_RULE_HANDLE };
        note_nr(inst, nr);
    }
    return 0;
}

/* The instance whose init() runs (add_syscall_rule() is only for it). */
static __thread struct sl_instance *initialising;

int sl_loader_add_rule(const sandlock_config *cfg, const sandlock_syscall_rule *rule)
{
    struct sl_instance *inst = initialising;
    if (!inst || inst->cfg != cfg)
        return -EPERM;
    struct sl_rule r;
    const char *name;
    int rc = sl_rule_from_sdk(rule, &r, &name);
    if (rc)
        return rc;
    struct sl_declared *grown = realloc(inst->declared, (inst->ndeclared + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    inst->declared = grown;
    if (!(grown[inst->ndeclared].name = strdup(name)))
        return -ENOMEM;
    grown[inst->ndeclared++].rule = r;
    return 0;
}

/* The file of line `line` of an instance's keys: the last file (a drop-in
 * comes after what it overrides) with a key on that line. */
static const char *key_source(const struct sl_config_file *cfg, const struct sandlock_config *inst, unsigned line)
{
    const char *source = cfg->source;
    for (size_t i = 0; i < inst->nkeys; i++)
        if (inst->keys[i].line == line && inst->keys[i].source)
            source = inst->keys[i].source;
    return source;
}

/* init()'s message "line N: TEXT": N, and *text set past the prefix; else 0. */
static unsigned message_line(const char *msg, const char **text)
{
    unsigned line = 0;
    int used = 0;
    if (sscanf(msg, "line %u: %n", &line, &used) != 1 || used == 0)
        return 0;
    *text = msg + used;
    return line;
}

/* An instance the embedding program gave as a vtable (sandlock(3)): the
 * same checks as a module's vtable, no file. */
static int in_process(const struct sl_config_file *cfg, struct sl_instance *inst, char *err, size_t errlen)
{
    char why[512];
    if (sl_check_vtable(inst->cfg->vtable, &inst->vt, why, sizeof(why))) {
        sl_errf(err, errlen, "%s: [plugin %s]: in-process plugin: %s", cfg->source, inst->cfg->name, why);
        return -1;
    }
    return (inst->file = strdup("(in-process)")) ? 0 : -1;
}

static int load_one(const struct sl_config_file *cfg, const struct sl_plugins *pl, struct sl_instance *inst,
                    char *err, size_t errlen)
{
    if ((inst->cfg->vtable ? in_process(cfg, inst, err, errlen)
                           : find_module(cfg, inst, err, errlen) || open_module(cfg, inst, err, errlen)) ||
        sl_keys_check(cfg, inst, err, errlen))
        return -1;
    sl_startup_mark("plugin module opened");
    char errbuf[SANDLOCK_ERRBUF_SIZE] = "";
    struct plugin_call call = { .inst = inst, .errbuf = errbuf };
    initialising = inst;
    int sig = sl_fault_call(call_init, &call);
    initialising = NULL;
    sl_startup_mark("plugin init done");
    if (sig) {
        crashed(cfg, inst, "init", sig, err, errlen);
        return -1;
    }
    if (call.rc != SANDLOCK_OK) {
        errbuf[SANDLOCK_ERRBUF_SIZE - 1] = '\0';
        const char *text = errbuf;
        char where[4200], hint[160];
        const char *named = sl_keys_error_place(cfg, inst, where, sizeof(where));
        unsigned line = named ? 0 : message_line(errbuf, &text);
        if (named)
            sl_errf(err, errlen, "%s: [plugin %s]: init failed: %s%s", named, inst->cfg->name, errbuf,
                    sl_config_instance_continuation_hint(cfg, inst->cfg, NULL, hint, sizeof(hint)));
        else if (line)
            sl_errf(err, errlen, "%s:%u: [plugin %s]: init failed: %s%s", key_source(cfg, inst->cfg, line), line,
                    inst->cfg->name, text,
                    sl_config_continuation_hint(cfg, key_source(cfg, inst->cfg, line), line, hint, sizeof(hint)));
        else
            sl_errf(err, errlen, "%s: [plugin %s]: init failed: %s%s", cfg->source, inst->cfg->name,
                    *errbuf ? errbuf : "(the plugin gave no reason)",
                    sl_config_instance_continuation_hint(cfg, inst->cfg, NULL, hint, sizeof(hint)));
        return -1;
    }
    inst->initialised = 1;
    return resolve_syscalls(cfg, inst, err, errlen);
}

int sl_plugins_load(const struct sl_config_file *cfg, struct sl_plugins *out, char *err, size_t errlen)
{
    out->n = 0;
    out->inst = NULL;
    /* A crash in init() or syscalls() is contained and reported. */
    sl_fault_install();
    /* Unknown deny = names are an error for `check` too, not only for `run`
     * (which builds its filter from this list). */
    if (sl_deny_list(cfg, &out->deny, &out->ndeny, err, errlen))
        return -1;
    out->builtin_deny = cfg->default_deny;
    out->inst = calloc(cfg->ninstances ? cfg->ninstances : 1, sizeof(struct sl_instance));
    if (!out->inst) {
        free(out->deny);
        out->deny = NULL;
        sl_errf(err, errlen, "out of memory");
        return -1;
    }
    struct sl_trust_cache lookups;
    sl_trust_cache_init(&lookups);
    for (size_t i = 0; i < cfg->ninstances; i++) {
        if (!cfg->instances[i]->enabled)
            continue;
        struct sl_instance *inst = &out->inst[out->n++];
        inst->cfg = cfg->instances[i];
        inst->cfg->instance = inst;
        inst->fd = -1;
        inst->policy = sl_instance_policy(cfg, inst->cfg);
        module_lookups = &lookups;
        int rc = load_one(cfg, out, inst, err, errlen);
        module_lookups = NULL;
        if (rc) {
            sl_trust_cache_free(&lookups);
            if (!*err)
                sl_errf(err, errlen, "%s: [plugin %s]: out of memory", cfg->source, inst->cfg->name);
            sl_plugins_unload(out);
            return -1;
        }
    }
    sl_trust_cache_free(&lookups);
    return 0;
}

/* A fini() crashed (sl_plugins_fini_faulted). */
static int fini_faulted;

int sl_plugins_fini_faulted(void)
{
    return fini_faulted;
}

void sl_plugins_unload(struct sl_plugins *plugins)
{
    free(plugins->deny);
    plugins->deny = NULL;
    plugins->ndeny = 0;
    if (!plugins->inst)
        return;
    for (size_t i = plugins->n; i-- > 0;) {
        struct sl_instance *inst = &plugins->inst[i];
        struct plugin_call call = { .inst = inst };
        int sig = inst->initialised && !atomic_load(&inst->quarantined) && inst->vt.fini
                      ? sl_fault_call(call_fini, &call) : 0;
        if (sig) {
            sl_fault_abandon(inst->state);
            sl_log(SANDLOCK_LOG_ERROR, "[%s] plugin %s crashed in fini() with %s", inst->cfg->name, inst->file,
                   strsignal(sig));
            fini_faulted = 1;
        }
        inst->initialised = 0;
    }
    for (size_t i = 0; i < plugins->n; i++) {
        struct sl_instance *inst = &plugins->inst[i];
        if (inst->entry)
            sl_fault_forget_module(inst->entry);
        if (inst->dl && !plugins->keep_modules) {
            forget_loaded(inst->dl);
            dlclose(inst->dl);
        }
        inst->cfg->instance = NULL;
        if (inst->fd >= 0)
            close(inst->fd);
        sl_keys_free(inst);
        free(inst->file);
        free(inst->nrs);
        free(inst->rules);
        for (size_t k = 0; k < inst->ndeclared; k++)
            free(inst->declared[k].name);
        free(inst->declared);
    }
    free(plugins->inst);
    plugins->inst = NULL;
    plugins->n = 0;
}

int sl_deny_list(const struct sl_config_file *cfg, int **nrs, size_t *n, char *err, size_t errlen)
{
    /* The filter answers numbers above it ENOSYS: fail here, for `check`
     * too, when libseccomp cannot name it. */
    *nrs = NULL;
    *n = 0;
    if (cfg->default_deny && sl_filter_newest_known(err, errlen) < 0)
        return -1;
    size_t cap = cfg->ndeny;
    while (sl_builtin_deny[cap - cfg->ndeny])
        cap++;
    if (!(*nrs = calloc(cap, sizeof(int)))) {
        sl_errf(err, errlen, "out of memory");
        return -1;
    }
    if (cfg->default_deny)
        *n = sl_builtin_deny_resolve(*nrs, cap);
    for (size_t i = 0; i < cfg->ndeny; i++) {
        int nr = seccomp_syscall_resolve_name(cfg->deny[i]);
        if (nr == __NR_SCMP_ERROR && !syscall_exists_elsewhere(cfg->deny[i])) {
            char hint[160];
            sl_errf(err, errlen, "%s:%u: deny: unknown syscall '%s'%s", cfg->deny_sources[i],
                    cfg->deny_lines[i], cfg->deny[i],
                    sl_config_continuation_hint(cfg, cfg->deny_sources[i], cfg->deny_lines[i], hint, sizeof(hint)));
            free(*nrs);
            *nrs = NULL;
            return -1;
        }
        if (nr >= 0 && *n < cap)
            (*nrs)[(*n)++] = nr;
    }
    /* A sandbox that can neither chroot nor pivot_root keeps sandlock's
     * root: the path services need not look it up for every call. */
    int fixed_root = is_denied(cfg, "chroot") && is_denied(cfg, "pivot_root");
    sl_paths_set_fixed_root(fixed_root);
    /* Nor change its namespaces (views.h; clone's flags: argdeny.c). */
    sl_views_set_fixed(sl_here ? &sl_here->views : NULL, fixed_root && cfg->default_deny && is_denied(cfg, "unshare") && is_denied(cfg, "setns"));
    return 0;
}
