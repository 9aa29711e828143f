/* sl_config.h -- sandlock.ini: the [sandlock] settings and the plugin
 * instances in chain order. See man/sandlock.ini.5 for the format.
 *
 * Two types, named for what they hold:
 *   struct sl_config_file   the whole configuration: the file, its drop-ins,
 *                           --set/--disable, the [sandlock] settings and
 *                           every section (sandlock's own);
 *   struct sandlock_config  one [plugin NAME] section: the instance's keys.
 *                           Plugins see it as the SDK's opaque
 *                           `sandlock_config` (the name is the SDK's, so it
 *                           stays). */
#ifndef SANDLOCK_SL_CONFIG_H
#define SANDLOCK_SL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct sl_instance;

/* What happens to a notification when a plugin instance fails. */
enum sl_exception_policy {
    SL_EXC_KILL = 0,   /* kill the sandbox (the default: fail closed) */
    SL_EXC_EPERM,      /* the syscall fails with EPERM */
    SL_EXC_EIO,        /* the syscall fails with EIO */
    SL_EXC_CONTINUE,   /* as if the instance had answered Continue */
};
#define SL_EXC_INHERIT (-1)

const char *sl_exception_policy_name(int policy);

/* A line of one of the files read (source is one of sl_config_file.files). */
struct sl_line_ref {
    const char *source;
    unsigned line;
};

struct sl_kv {
    char *key;
    char *value;
    unsigned line;
    const char *source;  /* the file of the line (one of sl_config_file.files) */
};

/* One [plugin NAME] section: the SDK's opaque sandlock_config. */
struct sl_here;

struct sandlock_config {
    char *name;          /* instance name from the section header */
    char *module;        /* module = (default: name) */
    int on_exception;    /* SL_EXC_* or SL_EXC_INHERIT */
    int enabled;
    unsigned line;       /* line of the section header */
    unsigned seen;       /* parse: the last file that had this section... */
    unsigned seen_line;  /* ... and its line there */
    struct sl_kv *keys;  /* the plugin's own keys, in file order */
    size_t nkeys;
    char **eintr_ok;     /* eintr_ok = system call or group names (eintr.h) */
    size_t neintr_ok;
    struct sl_instance *instance;  /* set by the loader while it is loaded */
    const struct sandlock_plugin *vtable;  /* an in-process instance (sandlock(3)):
                                              its vtable, instead of a module file */
    void *user_data;     /* ... and the program's pointer (host->user_data) */
    struct sl_here *here;  /* the run it is loaded for (here.h), while open */
};

/* The whole configuration (sandlock.ini, its drop-ins, --set, --disable). */
struct sl_config_file {
    char *source;            /* file path, or "<built-in>" */
    char **plugin_path;      /* plugin_path = directories, in order */
    size_t nplugin_path;
    int on_exception;        /* default policy, SL_EXC_* */
    char **deny;             /* deny = syscall names */
    unsigned *deny_lines;
    const char **deny_sources;  /* the file of each deny line */
    size_t ndeny;
    int default_deny;
    int masks;                /* plugins may ask for kernel masks (masks.h) */
    int protect_kernel;       /* kernel settings read-only (hostview.h) */
    int minimal_devices;      /* devices = minimal (hostview.h) */
    unsigned workers;
    int log_level;
    unsigned max_deferred;
    uint64_t defer_timeout_ns;
    struct sandlock_config **instances;  /* every section, enabled or not */
    size_t ninstances;
    char **files;            /* the files read: source, then its drop-ins */
    size_t nfiles;
    struct sl_line_ref *continued;  /* indented lines inih read as continuations */
    size_t ncontinued;
};

/* Parses `text` (the content of `source`). Returns the configuration, or
 * NULL with a message "SOURCE:LINE: what was expected" in err. */
struct sl_config_file *sl_config_parse(const char *text, const char *source, char *err, size_t errlen);

/* Reads and parses a file, then its drop-in directory (see
 * sl_config_dropins); unreadable files are reported with the path. */
struct sl_config_file *sl_config_load(const char *path, char *err, size_t errlen);

/* Merges every "*.ini" file of directory `dir`, in lexical (byte) order,
 * into cfg; a missing directory is none. Merge rules (sandlock.ini(5),
 * DROP-INS): a [sandlock] key is set as in the file (deny adds); a
 * [plugin NAME] section of a new NAME adds an instance at the end of the
 * chains; of an existing NAME it sets module, on_exception and enabled and
 * appends its other keys (a single-valued key is replaced, a repeatable
 * one gets more values). Files must be trusted like the configuration.
 * 0, or -1 with "FILE:LINE: what" in err. */
int sl_config_dropins(struct sl_config_file *cfg, const char *dir, char *err, size_t errlen);

/* The drop-in directory of configuration file `path`: "DIR/NAME.d" for
 * "DIR/NAME.ini" (sandlock.d for sandlock.ini), "PATH.d" otherwise. */
void sl_config_dropin_dir(const char *path, char *out, size_t size);

/* Which file to read: -c FILE, else $SANDLOCK_CONFIG, else the installed
 * default when it exists; NULL means use the built-in default. */
const char *sl_config_choose(const char *cli_path);

/* The built-in default configuration: examples/sandlock.ini, compiled into
 * the binary by the build (core/builtin-config.c is generated). */
extern const char sl_builtin_config[];

/* An indented line after a key continues that key (inih): when an error
 * names line `line` of `source` and that line was such a continuation, a
 * hint saying so ("" otherwise), written into buf. */
const char *sl_config_continuation_hint(const struct sl_config_file *cfg, const char *source, unsigned line,
                                        char *buf, size_t size);
/* For an error of instance inst that names no line: the hint for its first
 * continuation line whose value looks like a key ("KEY = VALUE") or, when
 * word is not NULL, contains word (the value the error names); or "". */
const char *sl_config_instance_continuation_hint(const struct sl_config_file *cfg, const struct sandlock_config *inst,
                                                 const char *word, char *buf, size_t size);

void sl_config_free(struct sl_config_file *cfg);

/* Merges `text` into cfg as if it were one more drop-in named `source`
 * (sandlock(3) builds its sections this way). 0, or -1 with a message. */
int sl_config_merge(struct sl_config_file *cfg, const char *text, const char *source, char *err, size_t errlen);

/* Command-line overrides, applied after the files: "--set SECTION.KEY=VALUE"
 * (SECTION is "sandlock" or an instance name; a [sandlock] key is parsed
 * as in the file, an instance key is appended after the file's, so it wins
 * for single-valued keys and adds one more value to repeatable ones) and
 * "--disable NAME". 0, or -1 with a message naming the option. */
int sl_config_set(struct sl_config_file *cfg, const char *assignment, char *err, size_t errlen);
int sl_config_disable(struct sl_config_file *cfg, const char *name, char *err, size_t errlen);

/* Effective exception policy of an instance. */
int sl_instance_policy(const struct sl_config_file *cfg, const struct sandlock_config *inst);

#endif
