/* plugins_cmd.c -- see plugins_cmd.h. A module is opened under the trust
 * rule and loaded as for a run (its entry point is called, init() is not);
 * the first of several files of one name in the path is the one a section
 * gets, the others are not shown. */
#include "config.h"
#include "plugins_cmd.h"
#include "json.h"
#include "keys.h"
#include "loader.h"
#include "sl_config.h"
#include "trust.h"

#include <dirent.h>
#include <dlfcn.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_SANDLOCK_ERROR 125

/* One module file: its vtable, or why it cannot be used. */
struct module {
    char name[256];
    char file[PATH_MAX];
    sandlock_plugin vt;
    char why[512];                 /* "" when vt is valid */
};

/* Loads the module at `path` into m (m->why says what failed). The handle
 * is returned so that the vtable's strings stay valid; NULL on failure. */
static void *load_module(const char *path, struct module *m)
{
    char name[64];
    int fd = sl_trust_open(path, m->why, sizeof(m->why));
    if (fd < 0) {
        if (fd == SL_TRUST_REFUSED) {
            char why[sizeof(m->why)];
            memcpy(why, m->why, sizeof(why));
            snprintf(m->why, sizeof(m->why), "not trusted: %.480s", why);
        }
        return NULL;
    }
    snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
    void *dl = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    close(fd);
    if (!dl) {
        snprintf(m->why, sizeof(m->why), "cannot load: %s", dlerror());
        return NULL;
    }
    sandlock_plugin_entry_fn entry;
    *(void **)&entry = dlsym(dl, SANDLOCK_PLUGIN_ENTRY_NAME);
    const sandlock_plugin *vt = entry ? entry(&sl_host_table) : NULL;
    if (!entry)
        snprintf(m->why, sizeof(m->why), "not a sandlock plugin of ABI %d (no symbol %s)", SANDLOCK_ABI_MAJOR,
                 SANDLOCK_PLUGIN_ENTRY_NAME);
    else if (!vt)
        snprintf(m->why, sizeof(m->why), "refused to load with this host (host ABI %d.%d)", SANDLOCK_ABI_MAJOR,
                 SANDLOCK_ABI_MINOR);
    if (!vt || sl_check_vtable(vt, &m->vt, m->why, sizeof(m->why))) {
        dlclose(dl);
        return NULL;
    }
    return dl;
}

static void print_key_flags(FILE *out, const sandlock_key_decl *k)
{
    fprintf(out, "%s%s%s", sl_key_kind_name(k->kind), k->flags & SANDLOCK_KEY_REPEATABLE ? ", repeatable" : "",
            k->flags & SANDLOCK_KEY_REQUIRED ? ", required" : "");
}

static void print_text(FILE *out, const struct module *m)
{
    if (*m->why) {
        fprintf(out, "%s  %s\n  (unusable: %s)\n\n", m->name, m->file, m->why);
        return;
    }
    unsigned abi = m->vt.abi_version;
    fprintf(out, "%s %s  %s (plugin ABI %u.%u)\n  %s\n", m->vt.name, m->vt.version, m->file, abi >> 16,
            abi & 0xffff, m->vt.description);
    if (!m->vt.keys)
        fprintf(out, "  keys: not declared (the plugin checks its keys itself; see its manual)\n");
    for (size_t i = 0; m->vt.keys && m->vt.keys[i].name; i++) {
        const sandlock_key_decl *k = &m->vt.keys[i];
        fprintf(out, "  %-14s ", k->name);
        print_key_flags(out, k);
        fprintf(out, "\n      %s\n", k->help ? k->help : "");
    }
    fputc('\n', out);
}

static void print_json(FILE *out, const struct module *m, int first)
{
    fputs(first ? "\n  {\"module\": " : ",\n  {\"module\": ", out);
    sl_json_string(out, *m->why ? m->name : m->vt.name);
    fputs(", \"file\": ", out);
    sl_json_string(out, m->file);
    if (*m->why) {
        fputs(", \"error\": ", out);
        sl_json_string(out, m->why);
        fputs("}", out);
        return;
    }
    fprintf(out, ", \"abi\": \"%u.%u\", \"version\": ", m->vt.abi_version >> 16, m->vt.abi_version & 0xffff);
    sl_json_string(out, m->vt.version);
    fputs(", \"description\": ", out);
    sl_json_string(out, m->vt.description);
    fputs(", \"keys\": ", out);
    if (!m->vt.keys)
        fputs("null", out);
    for (size_t i = 0; m->vt.keys && m->vt.keys[i].name; i++) {
        const sandlock_key_decl *k = &m->vt.keys[i];
        fputs(i ? ", {\"name\": " : "[{\"name\": ", out);
        sl_json_string(out, k->name);
        fprintf(out, ", \"kind\": \"%s\", \"repeatable\": %s, \"required\": %s, \"help\": ", sl_key_kind_name(k->kind),
                k->flags & SANDLOCK_KEY_REPEATABLE ? "true" : "false",
                k->flags & SANDLOCK_KEY_REQUIRED ? "true" : "false");
        sl_json_string(out, k->help);
        fputc('}', out);
    }
    if (m->vt.keys)
        fputs(m->vt.keys[0].name ? "]" : "[]", out);
    fputc('}', out);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_module_name(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return d->d_name[0] != '.' && len > 3 && strcmp(d->d_name + len - 3, ".so") == 0;
}

/* Lists the modules of one directory not already shown (names in *seen). */
static void list_dir(const char *dir, char ***seen, size_t *nseen, int json, int *first)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_module_name, by_name);
    for (int i = 0; i < n; i++) {
        struct module m = { 0 };
        snprintf(m.name, sizeof(m.name), "%.*s", (int)strlen(names[i]->d_name) - 3, names[i]->d_name);
        int shown = 0;
        for (size_t k = 0; k < *nseen && !shown; k++)
            shown = strcmp((*seen)[k], m.name) == 0;
        char **grown = shown ? NULL : realloc(*seen, (*nseen + 1) * sizeof(char *));
        if (grown && (grown[*nseen] = strdup(m.name))) {
            *seen = grown;
            (*nseen)++;
            snprintf(m.file, sizeof(m.file), "%s/%s", dir, names[i]->d_name);
            void *dl = load_module(m.file, &m);
            if (json)
                print_json(stdout, &m, *first);
            else
                print_text(stdout, &m);
            *first = 0;
            if (dl)
                dlclose(dl);
        } else if (grown) {
            *seen = grown;
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

int sl_cmd_plugins(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL;
    int c, json = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'h') {
            printf("Usage: sandlock plugins [-c FILE] [--json]\n"
                   "Lists every module in the plugin path (see sandlock(1)) with its version,\n"
                   "description and declared keys.\n");
            return 0;
        } else {
            fprintf(stderr, "sandlock: plugins: unknown option '%s' (try sandlock plugins --help)\n",
                    argv[optind - 1]);
            return EXIT_SANDLOCK_ERROR;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "sandlock: plugins takes no arguments\n");
        return EXIT_SANDLOCK_ERROR;
    }
    char err[2048] = "";
    const char *path = sl_config_choose(config);
    struct sl_config_file *cfg = path ? sl_config_load(path, err, sizeof(err))
                                 : sl_config_parse(sl_builtin_config, "<built-in>", err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "sandlock: %s\n", err);
        return EXIT_SANDLOCK_ERROR;
    }
    const char *dirs[64];
    char storage[4096];
    size_t ndirs = sl_plugin_search_path(cfg, dirs, 64, storage, sizeof(storage));
    char **seen = NULL;
    size_t nseen = 0;
    int first = 1;
    if (json)
        fputs("{\"path\": [", stdout);
    for (size_t i = 0; json && i < ndirs; i++) {
        fputs(i ? ", " : "", stdout);
        sl_json_string(stdout, dirs[i]);
    }
    if (json)
        fputs("], \"modules\": [", stdout);
    for (size_t i = 0; i < ndirs; i++)
        list_dir(dirs[i], &seen, &nseen, json, &first);
    if (json)
        fputs("\n]}\n", stdout);
    else if (!nseen)
        printf("no modules in the plugin path\n");
    for (size_t k = 0; k < nseen; k++)
        free(seen[k]);
    free(seen);
    sl_config_free(cfg);
    return 0;
}
