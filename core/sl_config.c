/* sl_config.c -- reads sandlock.ini with inih.
 *
 * inih splits lines into section/key/value but reports neither the line of
 * a key nor sections without keys, and it cuts long lines. So the text is
 * first scanned line by line with inih's own rules: that scan rejects
 * syntax errors, over-long lines and section names, records the sections in
 * file order and the line of every key, and the inih callback then maps its
 * n-th call to the n-th key line. Only a fully clean parse is returned. */
#include "config.h"
#include "sl_config.h"
#include "eintr.h"
#include "values.h"
#include "log.h"
#include "trust.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INI_LINE_MAX 198      /* longest line inih (INI_MAX_LINE 200) keeps whole */
#define INI_SECTION_MAX 49    /* longest section name inih keeps whole */
#define CONFIG_FILE_MAX (1 << 20)

struct parse_state {
    struct sl_config_file *cfg;
    const char *source;      /* the file being parsed (owned by cfg->files) */
    unsigned file_no;        /* its index in cfg->files + 1 */
    unsigned *key_lines;     /* line of each inih callback, in order */
    size_t nkey_lines;
    size_t ncalls;
    char *err;
    size_t errlen;
    int failed;
    unsigned error_line;     /* line of the error in err */
};

static void set_error(struct parse_state *st, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct parse_state *st, unsigned line, const char *fmt, ...)
{
    if (st->failed)
        return;
    st->failed = 1;
    st->error_line = line;
    int n = snprintf(st->err, st->errlen, "%s:%u: ", st->source, line);
    if (n < 0 || (size_t)n >= st->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    char hint[160];
    size_t len = strlen(st->err);
    snprintf(st->err + len, st->errlen - len, "%s",
             sl_config_continuation_hint(st->cfg, st->source, line, hint, sizeof(hint)));
}

static int push(void **array, size_t *count, size_t elem_size)
{
    void *grown = realloc(*array, (*count + 1) * elem_size);
    if (!grown)
        return -1;
    *array = grown;
    (*count)++;
    return 0;
}

const char *sl_exception_policy_name(int policy)
{
    switch (policy) {
    case SL_EXC_KILL: return "kill";
    case SL_EXC_EPERM: return "eperm";
    case SL_EXC_EIO: return "eio";
    case SL_EXC_CONTINUE: return "continue";
    }
    return "?";
}

static int parse_policy(const char *text)
{
    for (int p = SL_EXC_KILL; p <= SL_EXC_CONTINUE; p++)
        if (strcmp(text, sl_exception_policy_name(p)) == 0)
            return p;
    return -1;
}

int sl_instance_policy(const struct sl_config_file *cfg, const struct sandlock_config *inst)
{
    return inst->on_exception == SL_EXC_INHERIT ? cfg->on_exception : inst->on_exception;
}

static int valid_instance_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
            return 0;
    return 1;
}

static struct sandlock_config *find_instance(struct sl_config_file *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->ninstances; i++)
        if (strcmp(cfg->instances[i]->name, name) == 0)
            return cfg->instances[i];
    return NULL;
}

/* A [section] header line: returns 0 with the name copied into st, or sets
 * an error. */
static int scan_section(struct parse_state *st, const char *start, unsigned line,
                        int *seen_sandlock)
{
    const char *end = strchr(start + 1, ']');
    if (!end) {
        set_error(st, line, "expected ']' to close the section header");
        return -1;
    }
    size_t len = (size_t)(end - start - 1);
    if (len > INI_SECTION_MAX) {
        set_error(st, line, "section name longer than %d characters", INI_SECTION_MAX);
        return -1;
    }
    char name[INI_SECTION_MAX + 1];
    memcpy(name, start + 1, len);
    name[len] = '\0';
    if (strcmp(name, "sandlock") == 0) {
        if ((*seen_sandlock)++) {
            set_error(st, line, "[sandlock] appears more than once");
            return -1;
        }
        return 0;
    }
    if (strncmp(name, "plugin ", 7) != 0) {
        set_error(st, line, "unknown section [%s]: expected [sandlock] or [plugin NAME]", name);
        return -1;
    }
    const char *iname = name + 7;
    if (!valid_instance_name(iname)) {
        set_error(st, line, "bad instance name '%s': use letters, digits, '_', '-' and '.'", iname);
        return -1;
    }
    struct sandlock_config *dup = find_instance(st->cfg, iname);
    if (dup && dup->seen == st->file_no) {
        set_error(st, line, "duplicate instance '%s' (first defined at line %u)", iname, dup->seen_line);
        return -1;
    }
    if (dup) {                /* a drop-in's section for an instance before it */
        dup->seen = st->file_no;
        dup->seen_line = line;
        return 0;
    }
    struct sandlock_config *inst = calloc(1, sizeof(*inst));
    if (!inst || !(inst->name = strdup(iname)) ||
        push((void **)&st->cfg->instances, &st->cfg->ninstances, sizeof(inst))) {
        if (inst)
            free(inst->name);
        free(inst);
        set_error(st, line, "out of memory");
        return -1;
    }
    inst->on_exception = SL_EXC_INHERIT;
    inst->enabled = 1;
    inst->line = inst->seen_line = line;
    inst->seen = st->file_no;
    st->cfg->instances[st->cfg->ninstances - 1] = inst;
    return 0;
}

/* Is there a '=' or ':' before an inline comment (';' after whitespace)? */
static int has_delimiter(const char *s)
{
    int was_space = 0;
    for (; *s; s++) {
        if (*s == '=' || *s == ':')
            return 1;
        if (*s == ';' && was_space)
            return 0;
        was_space = isspace((unsigned char)*s);
    }
    return 0;
}

/* Line-by-line scan following inih's rules (see the file comment). */
static int prescan(struct parse_state *st, const char *text)
{
    unsigned line = 0;
    int have_key = 0, seen_sandlock = 0;
    const char *p = text;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        line++;
        if (len > INI_LINE_MAX) {
            set_error(st, line, "line too long (%zu characters, at most %d)", len, INI_LINE_MAX);
            return -1;
        }
        char buf[INI_LINE_MAX + 1];
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (memchr(buf, '\0', len) != NULL && strlen(buf) != len) {
            set_error(st, line, "NUL byte in line");
            return -1;
        }
        p = eol ? eol + 1 : p + len;
        char *start = buf;
        while (isspace((unsigned char)*start))
            start++;
        if (!*start || *start == ';' || *start == '#')
            continue;
        if (have_key && start > buf) {
            /* inih treats an indented line after a key as a continuation:
             * one more value for that key. */
            if (push((void **)&st->key_lines, &st->nkey_lines, sizeof(unsigned)) ||
                push((void **)&st->cfg->continued, &st->cfg->ncontinued, sizeof(struct sl_line_ref)))
                goto oom;
            st->key_lines[st->nkey_lines - 1] = line;
            st->cfg->continued[st->cfg->ncontinued - 1] = (struct sl_line_ref){ st->source, line };
            continue;
        }
        if (*start == '[') {
            if (scan_section(st, start, line, &seen_sandlock))
                return -1;
            have_key = 0;
            continue;
        }
        if (!has_delimiter(start)) {
            set_error(st, line, "expected KEY = VALUE, [sandlock] or [plugin NAME]");
            return -1;
        }
        if (push((void **)&st->key_lines, &st->nkey_lines, sizeof(unsigned)))
            goto oom;
        st->key_lines[st->nkey_lines - 1] = line;
        have_key = 1;
    }
    return 0;
oom:
    set_error(st, line, "out of memory");
    return -1;
}

/* Splits "a, b ,c" into names and appends them to cfg->deny. */
static int add_deny_list(struct parse_state *st, const char *value, unsigned line)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        struct sl_config_file *cfg = st->cfg;
        size_t n = cfg->ndeny;
        char *name = strdup(tok);
        char **names = name ? realloc(cfg->deny, (n + 1) * sizeof(char *)) : NULL;
        if (names)
            cfg->deny = names;
        unsigned *lines = names ? realloc(cfg->deny_lines, (n + 1) * sizeof(unsigned)) : NULL;
        if (lines)
            cfg->deny_lines = lines;
        const char **sources = lines ? realloc(cfg->deny_sources, (n + 1) * sizeof(char *)) : NULL;
        if (!sources) {
            free(name);
            free(copy);
            return -1;
        }
        cfg->deny_sources = sources;
        cfg->deny[n] = name;
        cfg->deny_lines[n] = line;
        cfg->deny_sources[n] = st->source;
        cfg->ndeny = n + 1;
    }
    free(copy);
    return 0;
}

static int set_plugin_path(struct parse_state *st, const char *value)
{
    struct sl_config_file *cfg = st->cfg;
    for (size_t i = 0; i < cfg->nplugin_path; i++)
        free(cfg->plugin_path[i]);
    cfg->nplugin_path = 0;
    char *copy = strdup(value);
    if (!copy)
        return -1;
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *d = strdup(dir);
        if (!d || push((void **)&cfg->plugin_path, &cfg->nplugin_path, sizeof(char *))) {
            free(d);
            free(copy);
            return -1;
        }
        cfg->plugin_path[cfg->nplugin_path - 1] = d;
    }
    free(copy);
    return 0;
}

static int unsigned_in_range(const char *value, int64_t min, int64_t max, unsigned *out)
{
    int64_t v;
    if (sl_parse_int(value, &v) || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int sandlock_key(struct parse_state *st, const char *key, const char *value, unsigned line)
{
    struct sl_config_file *cfg = st->cfg;
    int v;
    if (strcmp(key, "plugin_path") == 0) {
        if (set_plugin_path(st, value))
            goto oom;
    } else if (strcmp(key, "on_exception") == 0) {
        if ((cfg->on_exception = parse_policy(value)) < 0)
            goto bad_policy;
    } else if (strcmp(key, "deny") == 0) {
        if (add_deny_list(st, value, line))
            goto oom;
    } else if (strcmp(key, "default_deny") == 0) {
        if (sl_parse_bool(value, &cfg->default_deny))
            set_error(st, line, "default_deny: expected yes or no, got '%s'", value);
    } else if (strcmp(key, "masks") == 0) {
        if (sl_parse_bool(value, &cfg->masks))
            set_error(st, line, "masks: expected yes or no, got '%s'", value);
    } else if (strcmp(key, "protect_kernel") == 0) {
        if (sl_parse_bool(value, &cfg->protect_kernel))
            set_error(st, line, "protect_kernel: expected yes or no, got '%s'", value);
    } else if (strcmp(key, "devices") == 0) {
        if (strcmp(value, "minimal") == 0 || strcmp(value, "host") == 0)
            cfg->minimal_devices = strcmp(value, "minimal") == 0;
        else
            set_error(st, line, "devices: expected minimal or host, got '%s'", value);
    } else if (strcmp(key, "workers") == 0) {
        if (unsigned_in_range(value, 1, 64, &cfg->workers))
            set_error(st, line, "workers: expected a number from 1 to 64, got '%s'", value);
    } else if (strcmp(key, "log_level") == 0) {
        if ((v = sl_log_level_from_name(value)) < 0)
            set_error(st, line, "log_level: expected error, warn, info or debug, got '%s'", value);
        cfg->log_level = v;
    } else if (strcmp(key, "max_deferred") == 0) {
        if (unsigned_in_range(value, 0, 65536, &cfg->max_deferred))
            set_error(st, line, "max_deferred: expected a number from 0 to 65536, got '%s'", value);
    } else if (strcmp(key, "defer_timeout") == 0) {
        if (sl_parse_duration(value, &cfg->defer_timeout_ns) || cfg->defer_timeout_ns == 0)
            set_error(st, line, "defer_timeout: expected a duration such as 30s or 500ms, got '%s'", value);
    } else {
        set_error(st, line, "unknown key '%s' in [sandlock] (expected plugin_path, on_exception, "
                  "deny, default_deny, masks, protect_kernel, devices, workers, log_level, max_deferred or "
                  "defer_timeout)", key);
    }
    return st->failed ? -1 : 0;
bad_policy:
    set_error(st, line, "on_exception: expected kill, eperm, eio or continue, got '%s'", value);
    return -1;
oom:
    set_error(st, line, "out of memory");
    return -1;
}

/* eintr_ok = NAME|GROUP, ...: the instance's acknowledged calls that fail
 * with EINTR only because they are trapped (eintr.h); repeatable. */
static int add_eintr_ok(struct parse_state *st, struct sandlock_config *inst, const char *value, unsigned line)
{
    char *copy = strdup(value);
    if (!copy)
        goto oom;
    char *save = NULL;
    int any = 0;
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        any = 1;
        if (!sl_eintr_is_group(tok) && !sl_eintr_group_of(tok)) {
            set_error(st, line, "eintr_ok: '%s' is not a system call sandlock warns about: expected process, "
                      "fds, paths or one of their calls (see SIGNALS AND EINTR in sandlock.ini(5))", tok);
            free(copy);
            return -1;
        }
        char *word = strdup(tok);
        if (!word || push((void **)&inst->eintr_ok, &inst->neintr_ok, sizeof(char *))) {
            free(word);
            free(copy);
            goto oom;
        }
        inst->eintr_ok[inst->neintr_ok - 1] = word;
    }
    free(copy);
    if (!any) {
        set_error(st, line, "eintr_ok: expected system call or group names (process, fds, paths)");
        return -1;
    }
    return 0;
oom:
    set_error(st, line, "out of memory");
    return -1;
}

static int instance_key(struct parse_state *st, struct sandlock_config *inst,
                        const char *key, const char *value, unsigned line)
{
    if (strcmp(key, "module") == 0) {
        if (!*value) {
            set_error(st, line, "module: expected a module name or path");
            return -1;
        }
        free(inst->module);
        if (!(inst->module = strdup(value)))
            goto oom;
        return 0;
    }
    if (strcmp(key, "on_exception") == 0) {
        if ((inst->on_exception = parse_policy(value)) < 0) {
            set_error(st, line, "on_exception: expected kill, eperm, eio or continue, got '%s'", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "enabled") == 0) {
        if (sl_parse_bool(value, &inst->enabled)) {
            set_error(st, line, "enabled: expected yes or no, got '%s'", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "eintr_ok") == 0)
        return add_eintr_ok(st, inst, value, line);
    if (push((void **)&inst->keys, &inst->nkeys, sizeof(struct sl_kv)))
        goto oom;
    struct sl_kv *kv = &inst->keys[inst->nkeys - 1];
    kv->key = strdup(key);
    kv->value = strdup(value);
    kv->line = line;
    kv->source = st->source;
    if (!kv->key || !kv->value)
        goto oom;
    return 0;
oom:
    set_error(st, line, "out of memory");
    return -1;
}

/* inih callback: non-zero means success. After the first error every call
 * is accepted and ignored so that the first error is the one reported. */
static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct parse_state *st = user;
    if (st->ncalls >= st->nkey_lines)
        return 1;    /* past a line the scan rejected (see sl_config_parse) */
    unsigned line = st->key_lines[st->ncalls++];
    if (st->failed)
        return 1;
    if (!*section)
        set_error(st, line, "'%s' is outside any section: put it under [sandlock] or [plugin NAME]", key);
    else if (strcmp(section, "sandlock") == 0)
        sandlock_key(st, key, value, line);
    else {
        struct sandlock_config *inst = find_instance(st->cfg, section + 7);
        if (!inst)
            set_error(st, line, "internal error: section [%s] was not scanned", section);
        else
            instance_key(st, inst, key, value, line);
    }
    return st->failed ? 0 : 1;
}

static int finish(struct parse_state *st)
{
    struct sl_config_file *cfg = st->cfg;
    for (size_t i = 0; i < cfg->ninstances; i++) {
        struct sandlock_config *inst = cfg->instances[i];
        if (!inst->module && !(inst->module = strdup(inst->name))) {
            set_error(st, inst->line, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Parses `text`, the content of file `source`, into cfg (the first file,
 * or a drop-in merged into what came before). 0, or -1 with a message. */
static int parse_into(struct sl_config_file *cfg, const char *text, const char *source, char *err, size_t errlen)
{
    char *copy = strdup(source);
    if (!copy || push((void **)&cfg->files, &cfg->nfiles, sizeof(char *))) {
        free(copy);
        snprintf(err, errlen, "%s: out of memory", source);
        return -1;
    }
    cfg->files[cfg->nfiles - 1] = copy;
    struct parse_state st = { .cfg = cfg, .source = copy, .file_no = (unsigned)cfg->nfiles, .err = err,
                              .errlen = errlen };

    if (prescan(&st, text) == 0) {
        int rc = ini_parse_string(text, on_key, &st);
        if (rc != 0 && !st.failed) {
            if (rc == -2)
                snprintf(err, errlen, "%s: out of memory", source);
            else
                set_error(&st, (unsigned)rc, "syntax error");
            st.failed = 1;
        }
    } else if (st.error_line > 1) {
        /* The scan stopped at a bad line; a bad value on an earlier line is
         * the first error of the file. The keys before the bad line are
         * parsed to find out (inih's calls beyond them are ignored). */
        char *scan_err = strdup(err);
        unsigned scan_line = st.error_line;
        st.failed = 0;
        ini_parse_string(text, on_key, &st);
        if (!st.failed || st.error_line > scan_line) {
            if (scan_err)
                snprintf(err, errlen, "%s", scan_err);
            st.error_line = scan_line;
        }
        st.failed = 1;
        free(scan_err);
    }
    if (!st.failed)
        finish(&st);
    free(st.key_lines);
    return st.failed ? -1 : 0;
}

struct sl_config_file *sl_config_parse(const char *text, const char *source, char *err, size_t errlen)
{
    struct sl_config_file *cfg = calloc(1, sizeof(*cfg));
    if (!cfg || !(cfg->source = strdup(source))) {
        free(cfg);
        snprintf(err, errlen, "%s: out of memory", source);
        return NULL;
    }
    cfg->on_exception = SL_EXC_KILL;
    cfg->default_deny = 1;
    cfg->masks = 1;
    cfg->protect_kernel = 1;
    cfg->minimal_devices = 1;
    cfg->workers = 1;
    cfg->log_level = 1 /* warn */;
    cfg->max_deferred = 64;
    cfg->defer_timeout_ns = 30ULL * 1000000000ULL;
    if (parse_into(cfg, text, source, err, errlen)) {
        sl_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* Reads the whole file (at most CONFIG_FILE_MAX bytes) into a NUL-terminated
 * buffer that starts small: a configuration is a few KiB, and a large
 * allocation would be an mmap() and munmap() pair on the start-up path.
 * Returns the buffer and its length, or NULL with a message. */
static char *read_config_file(const char *path, const char *abs, size_t *len, char *err, size_t errlen)
{
    char why[512];
    int fd = sl_trust_open(abs, why, sizeof(why));
    if (fd == SL_TRUST_REFUSED) {
        snprintf(err, errlen, "%s: configuration is not trusted: %s", path, why);
        return NULL;
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot read configuration: %s", path, why);
        return NULL;
    }
    size_t cap = 16 * 1024, n = 0;
    char *text = malloc(cap);
    for (;;) {
        if (!text) {
            snprintf(err, errlen, "%s: out of memory", path);
            break;
        }
        if (n == cap - 1) {
            if (cap > CONFIG_FILE_MAX) {
                snprintf(err, errlen, "%s: configuration larger than %d bytes", path, CONFIG_FILE_MAX);
                break;
            }
            char *bigger = realloc(text, cap * 2);
            if (!bigger) {
                snprintf(err, errlen, "%s: out of memory", path);
                break;
            }
            text = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, text + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "%s: cannot read configuration: %s", path, strerror(errno));
            break;
        }
        if (got == 0) {
            close(fd);
            if (n > CONFIG_FILE_MAX) {
                snprintf(err, errlen, "%s: configuration larger than %d bytes", path, CONFIG_FILE_MAX);
                free(text);
                return NULL;
            }
            text[n] = '\0';
            *len = n;
            return text;
        }
        n += (size_t)got;
    }
    close(fd);
    free(text);
    return NULL;
}

/* *path made absolute against dir (the configuration file's directory). */
static int absolute_in(const char *dir, char **path)
{
    char buf[PATH_MAX];
    if ((*path)[0] == '/')
        return 0;
    if (sl_trust_absolute(dir, *path, buf, sizeof(buf)))
        return -1;
    char *copy = strdup(buf);
    if (!copy)
        return -1;
    free(*path);
    *path = copy;
    return 0;
}

/* Relative plugin_path entries and module paths are the configuration
 * file's, not the working directory's: made absolute here. */
static int resolve_relative(struct sl_config_file *cfg, const char *dir, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->nplugin_path; i++)
        if (absolute_in(dir, &cfg->plugin_path[i]))
            goto fail;
    for (size_t i = 0; i < cfg->ninstances; i++)
        if (cfg->instances[i]->module && strchr(cfg->instances[i]->module, '/') &&
            absolute_in(dir, &cfg->instances[i]->module))
            goto fail;
    return 0;
fail:
    snprintf(err, errlen, "%s: a relative path: %s", cfg->source, strerror(errno));
    return -1;
}

/* Reads file `path` (trusted) and parses it: into *cfg when it is set (a
 * drop-in), else as a new configuration. Relative paths in it are made
 * absolute against its directory. 0, or -1 with a message. */
static int load_file(const char *path, struct sl_config_file **cfg, char *err, size_t errlen)
{
    size_t n;
    char abs[PATH_MAX];
    if (sl_trust_absolute(NULL, path, abs, sizeof(abs))) {
        snprintf(err, errlen, "%s: cannot read configuration: %s", path, strerror(errno));
        return -1;
    }
    char *text = read_config_file(path, abs, &n, err, errlen);
    if (!text)
        return -1;
    int rc = -1;
    if (memchr(text, '\0', n)) {
        unsigned line = 1;
        for (const char *q = text; *q; q++)
            line += *q == '\n';
        snprintf(err, errlen, "%s:%u: NUL byte in line", path, line);
    } else if (*cfg) {
        rc = parse_into(*cfg, text, path, err, errlen);
    } else {
        *cfg = sl_config_parse(text, path, err, errlen);
        rc = *cfg ? 0 : -1;
    }
    free(text);
    *strrchr(abs, '/') = '\0';   /* the file's directory ("" for /) */
    if (rc == 0 && resolve_relative(*cfg, *abs ? abs : "/", err, errlen))
        rc = -1;
    return rc;
}

void sl_config_dropin_dir(const char *path, char *out, size_t size)
{
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".ini") == 0)
        snprintf(out, size, "%.*s.d", (int)(len - 4), path);
    else
        snprintf(out, size, "%s.d", path);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sl_config_dropins(struct sl_config_file *cfg, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: cannot read the drop-in directory: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".ini"))
            continue;
        char *name = strdup(e->d_name);
        if (!name || push((void **)&names, &n, sizeof(char *))) {
            free(name);
            snprintf(err, errlen, "%s: out of memory", dir);
            rc = -1;
            break;
        }
        names[n - 1] = name;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof(char *), by_name);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        if (rc == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            snprintf(err, errlen, "%s/%s: path too long", dir, names[i]);
            rc = -1;
        }
        if (rc == 0)
            rc = load_file(path, &cfg, err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}

int sl_config_merge(struct sl_config_file *cfg, const char *text, const char *source, char *err, size_t errlen)
{
    return parse_into(cfg, text, source, err, errlen);
}

struct sl_config_file *sl_config_load(const char *path, char *err, size_t errlen)
{
    struct sl_config_file *cfg = NULL;
    char dir[PATH_MAX];
    sl_config_dropin_dir(path, dir, sizeof(dir));
    if (load_file(path, &cfg, err, errlen) || sl_config_dropins(cfg, dir, err, errlen)) {
        sl_config_free(cfg);
        return NULL;
    }
    return cfg;
}

int sl_config_set(struct sl_config_file *cfg, const char *assignment, char *err, size_t errlen)
{
    struct parse_state st = { .cfg = cfg, .source = "--set", .err = err, .errlen = errlen };
    const char *eq = strchr(assignment, '=');
    struct sandlock_config *inst = NULL;
    size_t best = 0;
    for (size_t i = 0; i < cfg->ninstances; i++) {
        size_t n = strlen(cfg->instances[i]->name);
        if (n > best && strncmp(assignment, cfg->instances[i]->name, n) == 0 && assignment[n] == '.') {
            inst = cfg->instances[i];
            best = n;
        }
    }
    int sandlock = strncmp(assignment, "sandlock.", 9) == 0;
    size_t skip = sandlock ? 9 : best + 1;
    if (!eq || (!sandlock && !inst) || eq <= assignment + skip) {
        snprintf(err, errlen, "--set %s: expected SECTION.KEY=VALUE, where SECTION is sandlock or the name of an "
                 "instance of %s", assignment, cfg->source);
        return -1;
    }
    char key[256];
    size_t klen = (size_t)(eq - assignment) - skip;
    if (klen >= sizeof(key)) {
        snprintf(err, errlen, "--set %s: key too long", assignment);
        return -1;
    }
    memcpy(key, assignment + skip, klen);
    key[klen] = '\0';
    /* set_error() writes "--set:0: "; the message names the option instead. */
    char msg[512] = "";
    st.err = msg;
    st.errlen = sizeof(msg);
    if (sandlock)
        sandlock_key(&st, key, eq + 1, 0);
    else
        instance_key(&st, inst, key, eq + 1, 0);
    if (st.failed) {
        snprintf(err, errlen, "--set %s: %s", assignment, msg + strlen("--set:0: "));
        return -1;
    }
    return 0;
}

int sl_config_disable(struct sl_config_file *cfg, const char *name, char *err, size_t errlen)
{
    struct sandlock_config *inst = find_instance(cfg, name);
    if (!inst) {
        snprintf(err, errlen, "--disable %s: %s has no instance of that name (sandlock check lists them)", name,
                 cfg->source);
        return -1;
    }
    inst->enabled = 0;
    return 0;
}

const char *sl_config_choose(const char *cli_path)
{
    struct stat sb;
    if (cli_path)
        return cli_path;
    const char *env = getenv("SANDLOCK_CONFIG");
    if (env && *env)
        return env;
    if (stat(SANDLOCK_SYSCONF_FILE, &sb) == 0)
        return SANDLOCK_SYSCONF_FILE;
    return NULL;
}

const char *sl_config_continuation_hint(const struct sl_config_file *cfg, const char *source, unsigned line,
                                        char *buf, size_t size)
{
    *buf = '\0';
    for (size_t i = 0; i < cfg->ncontinued; i++)
        if (cfg->continued[i].line == line && strcmp(cfg->continued[i].source, source) == 0) {
            snprintf(buf, size, " (line %u is indented, so it continues the key above it with one more "
                     "value; a new key starts at the beginning of its line)", line);
            break;
        }
    return buf;
}

const char *sl_config_instance_continuation_hint(const struct sl_config_file *cfg, const struct sandlock_config *inst,
                                                 const char *word, char *buf, size_t size)
{
    *buf = '\0';
    for (size_t k = 0; k < inst->nkeys && !*buf; k++) {
        const struct sl_kv *kv = &inst->keys[k];
        if (has_delimiter(kv->value) || (word && strstr(kv->value, word)))
            sl_config_continuation_hint(cfg, kv->source, kv->line, buf, size);
    }
    return buf;
}

void sl_config_free(struct sl_config_file *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->ninstances; i++) {
        struct sandlock_config *inst = cfg->instances[i];
        for (size_t k = 0; k < inst->nkeys; k++) {
            free(inst->keys[k].key);
            free(inst->keys[k].value);
        }
        free(inst->keys);
        for (size_t k = 0; k < inst->neintr_ok; k++)
            free(inst->eintr_ok[k]);
        free(inst->eintr_ok);
        free(inst->name);
        free(inst->module);
        free(inst);
    }
    free(cfg->instances);
    for (size_t i = 0; i < cfg->nplugin_path; i++)
        free(cfg->plugin_path[i]);
    free(cfg->plugin_path);
    for (size_t i = 0; i < cfg->ndeny; i++)
        free(cfg->deny[i]);
    free(cfg->deny);
    free(cfg->deny_lines);
    free(cfg->continued);
    free(cfg->deny_sources);
    for (size_t i = 0; i < cfg->nfiles; i++)
        free(cfg->files[i]);
    free(cfg->files);
    free(cfg->source);
    free(cfg);
}
