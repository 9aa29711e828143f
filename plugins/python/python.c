/* python -- handlers written in Python (sandlock-python(7)).
 *
 *   [plugin audit-py]
 *   module = python
 *   script = handler.py        ; or: import = MODULE (found on sys.path)
 *   path = lib                 ; repeatable: prepended to sys.path
 *   handler = Handler          ; a class or factory of the script/module
 *   syscalls = openat, getppid ; else the handler's `syscalls` attribute
 *   anything = else            ; passed to handler(...) as keyword strings
 *
 * Relative `script` and `path` values are the configuration file's, and
 * the script is opened under the rule sandlock applies to plugin modules
 * (TRUSTED FILES in sandlock(1)): it runs in sandlock with its rights.
 * Every instance has its own handler object; all share one interpreter
 * (interp.c). handle() takes the GIL: Python code of all instances runs
 * one notification at a time, whatever `workers` says; a slow decision
 * defers the event and answers from a thread of its own. */
#include "pyplugin.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The keys this plugin reads itself; every other key is the handler's. */
static const char *const own_keys[] = { "script", "import", "path", "handler", "syscalls", NULL };

static int own_key(const char *key)
{
    for (int i = 0; own_keys[i]; i++)
        if (strcmp(key, own_keys[i]) == 0)
            return 1;
    return 0;
}

/* "line N: " for key's first value, where the host knows it. */
static const char *line_of(const sandlock_config *cfg, const char *key, char *buf, size_t size)
{
    unsigned line = SANDLOCK_HOST_HAS(py_host, config_line) ? py_host->config_line(cfg, key, 0) : 0;
    if (!line)
        return "";
    snprintf(buf, size, "line %u: ", line);
    return buf;
}

/* path = DIR...: prepended to sys.path, in file order. */
static int add_paths(struct py_instance *in, char *errbuf)
{
    size_t n = py_host->config_get_all(in->cfg, "path", NULL, 0);
    PyObject *sys_path = PySys_GetObject("path"); /* borrowed */
    for (size_t i = n; i-- > 0;) {
        char dir[PATH_MAX], lb[32];
        ssize_t len = py_host->config_path(in->cfg, "path", i, dir, sizeof(dir));
        if (len < 0) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%spath: %s", line_of(in->cfg, "path", lb, sizeof(lb)),
                     strerror((int)-len));
            return -1;
        }
        PyObject *d = PyUnicode_DecodeFSDefaultAndSize(dir, len);
        if (!d || !sys_path || PyList_Insert(sys_path, 0, d) < 0) {
            Py_XDECREF(d);
            py_load_error(in, errbuf, "path");
            return -1;
        }
        Py_DECREF(d);
    }
    return 0;
}

/* The file's whole text, or NULL (errno). */
static char *read_all(int fd)
{
    size_t cap = 8192, len = 0;
    char *text = malloc(cap);
    while (text) {
        ssize_t got = read(fd, text + len, cap - len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        if (got == 0) {
            text[len] = '\0';
            return text;
        }
        len += (size_t)got;
        if (cap - len < 2) {
            char *more = realloc(text, cap *= 2);
            if (!more)
                break;
            text = more;
        }
    }
    free(text);
    return NULL;
}

/* script = FILE: opened as a trusted file and run as a module of its own,
 * registered in sys.modules as __sandlock_script_N__ (N counts the scripts
 * loaded): each instance runs its script once, even the same file. */
static PyObject *load_script(struct py_instance *in, char *errbuf)
{
    static unsigned nscripts;
    char file[PATH_MAX], why[256], lb[32];
    const char *ln = line_of(in->cfg, "script", lb, sizeof(lb));
    ssize_t len = py_host->config_path(in->cfg, "script", 0, file, sizeof(file));
    if (len < 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%sscript: %s", ln, strerror((int)-len));
        return NULL;
    }
    int fd = py_host->open_trusted(file, why, sizeof(why));
    if (fd < 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%sscript %.100s: %.120s", ln, file, why);
        return NULL;
    }
    char *text = read_all(fd);
    int saved = errno;
    close(fd);
    if (!text) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%sscript %.160s: %s", ln, file, strerror(saved));
        return NULL;
    }
    char name[64];
    snprintf(name, sizeof(name), "__sandlock_script_%u__", ++nscripts);
    PyObject *code = Py_CompileString(text, file, Py_file_input);
    free(text);
    PyObject *mod = code ? PyImport_AddModule(name) : NULL; /* borrowed, in sys.modules */
    PyObject *dict = mod ? PyModule_GetDict(mod) : NULL;
    PyObject *fname = dict ? PyUnicode_DecodeFSDefault(file) : NULL;
    PyObject *done = NULL;
    if (fname && PyDict_SetItemString(dict, "__file__", fname) == 0 &&
        PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) == 0)
        done = PyEval_EvalCode(code, dict, dict);
    Py_XDECREF(fname);
    Py_XDECREF(code);
    if (!done) {
        py_load_error(in, errbuf, "script");
        return NULL;
    }
    Py_DECREF(done);
    return Py_NewRef(mod);
}

/* handler(**keys): every key that is not the plugin's own, as a string. */
static PyObject *make_handler(struct py_instance *in, PyObject *mod, char *errbuf)
{
    const char *hname = py_host->config_get(in->cfg, "handler");
    if (!hname)
        hname = "Handler";
    PyObject *factory = PyObject_GetAttrString(mod, hname);
    if (!factory) {
        py_load_error(in, errbuf, "handler");
        return NULL;
    }
    PyObject *kw = PyDict_New();
    size_t cursor = 0;
    const char *key, *value;
    while (kw && py_host->config_next(in->cfg, &cursor, &key, &value)) {
        if (own_key(key))
            continue;
        PyObject *v = PyUnicode_FromString(value);
        if (!v || PyDict_SetItemString(kw, key, v) < 0)
            Py_CLEAR(kw);
        Py_XDECREF(v);
    }
    PyObject *empty = PyTuple_New(0);
    PyObject *obj = kw && empty ? PyObject_Call(factory, empty, kw) : NULL;
    Py_XDECREF(empty);
    Py_XDECREF(kw);
    Py_DECREF(factory);
    if (!obj)
        py_load_error(in, errbuf, hname);
    return obj;
}

/* The syscalls: the `syscalls` keys (names separated by commas or blanks),
 * else the handler's own (handler.c). */
static int take_syscalls(struct py_instance *in, char *errbuf)
{
    size_t n = py_host->config_get_all(in->cfg, "syscalls", NULL, 0);
    if (!n)
        return py_instance_syscalls(in, NULL, errbuf);
    PyObject *list = PyList_New(0);
    const char **values = calloc(n, sizeof(*values));
    if (!list || !values) {
        Py_XDECREF(list);
        free(values);
        PyErr_Clear();
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    py_host->config_get_all(in->cfg, "syscalls", values, n);
    for (size_t i = 0; i < n; i++) {
        for (const char *p = values[i]; *p;) {
            while (*p == ',' || isspace((unsigned char)*p))
                p++;
            size_t len = strcspn(p, ", \t");
            if (len) {
                PyObject *s = PyUnicode_FromStringAndSize(p, (Py_ssize_t)len);
                if (s)
                    PyList_Append(list, s);
                Py_XDECREF(s);
            }
            p += len;
        }
    }
    free(values);
    int rc = py_instance_syscalls(in, list, errbuf);
    Py_DECREF(list);
    return rc;
}

static int load(struct py_instance *in, char *errbuf)
{
    const char *script = py_host->config_get(in->cfg, "script");
    const char *import = py_host->config_get(in->cfg, "import");
    if (!script == !import) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "give exactly one of script = FILE and import = MODULE");
        return -1;
    }
    if (!(in->sites = PySet_New(NULL)) || add_paths(in, errbuf))
        return -1;
    PyObject *mod = script ? load_script(in, errbuf) : PyImport_ImportModule(import);
    if (!mod) {
        if (PyErr_Occurred())
            py_load_error(in, errbuf, "import");
        return -1;
    }
    py_current = in;
    PyObject *handler = make_handler(in, mod, errbuf);
    py_current = NULL;
    Py_DECREF(mod);
    if (!handler)
        return -1;
    int rc = py_instance_bind(in, handler, errbuf);
    Py_DECREF(handler);
    return rc ? rc : take_syscalls(in, errbuf);
}

static int py_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    (void)h;
    if (!SANDLOCK_HOST_HAS(py_host, open_trusted) || !SANDLOCK_HOST_HAS(py_host, config_path)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "needs a sandlock with plugin SDK 1.6 (open_trusted)");
        return SANDLOCK_ERROR;
    }
    struct py_instance *in = calloc(1, sizeof(*in));
    if (!in) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    in->cfg = cfg;
    if (py_interp_enter(errbuf)) {
        free(in);
        return SANDLOCK_ERROR;
    }
    in->next = py_first;
    py_first = in;
    if (load(in, errbuf)) {
        py_instance_free(in);
        py_interp_leave(py_first == NULL);
        return SANDLOCK_ERROR;
    }
    py_interp_leave(0);
    *state = in;
    return SANDLOCK_OK;
}

static void py_fini(void *state)
{
    struct py_instance *in = state;
    char errbuf[SANDLOCK_ERRBUF_SIZE];
    if (py_interp_enter(errbuf))
        return;
    py_instance_close(in);
    py_interp_leave(py_first == NULL);
}

static const sandlock_plugin plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "python",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "handlers written in Python (embedded CPython " PY_VERSION ")",
    .init = py_init,
    .syscalls = py_instance_names,
    .handle = py_instance_handle,
    .fini = py_fini,
};

SANDLOCK_PLUGIN_DEFINE(host)
{
    py_host = host;
    return &plugin;
}
