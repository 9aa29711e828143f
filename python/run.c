/* run.c -- `import sandlock` for Python programs: the extension module
 * made of the python plugin's glue (../plugins/python: module.c for the
 * events, verdicts and services, handler.c for an instance, sockcall.c for
 * socket call snapshots, traceback.c for the logging, compiled as they
 * are) and this file, which adds
 * sandlock.run() over libsandlock (sandlock(3)) and sandlock.Error.
 *
 * Every handler object given to run() becomes an in-process instance
 * (sandlock_ctx_add_plugin): a vtable whose init()/fini() take the GIL to
 * bind and close the handler, and whose handle() is the plugin's own
 * (py_instance_handle), taking the GIL on the worker. run() releases the
 * GIL while the sandbox runs, so that the workers -- and the program's
 * other threads -- can run Python. */
#include "pyplugin.h"

#include <sandlock/sandlock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PyObject *module;       /* borrowed: the module lives as long as the process */
static PyObject *error_type;   /* sandlock.Error */

/* Workers create a thread state per call (PyGILState_Ensure): the
 * library's workers end with each run, and a thread state kept past its
 * thread's end would be a leak per run. */
PyGILState_STATE py_gil_take(void)
{
    return PyGILState_Ensure();
}

/* ---- the in-process instance ---- */

/* The user data of an instance: the program's handler object. */
struct ext_handler {
    PyObject *obj;
};

/* free_user_data: sandlock_ctx_free() and a failed add, with the GIL held
 * (run() calls both). */
static void ext_handler_free(void *user_data)
{
    struct ext_handler *u = user_data;
    Py_XDECREF(u->obj);
    free(u);
}

static int ext_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    if (!SANDLOCK_HOST_HAS(h, user_data)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "needs a libsandlock with plugin SDK 1.6 (user_data)");
        return SANDLOCK_ERROR;
    }
    py_host = h;
    struct ext_handler *u = h->user_data(cfg);
    struct py_instance *in = calloc(1, sizeof(*in));
    if (!in) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    in->cfg = cfg;
    PyGILState_STATE g = PyGILState_Ensure();
    if (!PyObject_HasAttrString(module, "host_version"))
        PyModule_AddStringConstant(module, "host_version", h->host_version);
    PyErr_Clear();
    in->next = py_first;
    py_first = in;
    int rc = SANDLOCK_OK;
    if (py_instance_bind(in, u->obj, errbuf) || py_instance_syscalls(in, NULL, errbuf)) {
        py_instance_free(in);
        rc = SANDLOCK_ERROR;
    } else
        *state = in;
    PyGILState_Release(g);
    return rc;
}

static void ext_fini(void *state)
{
    PyGILState_STATE g = PyGILState_Ensure();
    py_instance_close(state);
    PyGILState_Release(g);
}

static const sandlock_plugin ext_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "python",
    .version = "1.0",
    .description = "a handler object of a Python program (import sandlock)",
    .init = ext_init,
    .syscalls = py_instance_names,
    .handle = py_instance_handle,
    .fini = ext_fini,
};

/* ---- run() ---- */

/* The library's message as sandlock.Error; NULL. */
static PyObject *lib_error(sandlock_ctx *ctx)
{
    PyErr_SetString(error_type, sandlock_ctx_errmsg(ctx));
    return NULL;
}

/* argv as a NULL-terminated array of bytes objects' buffers: `keep` holds
 * the bytes. 0, or -1 with a Python error set. */
static int make_argv(PyObject *seq, PyObject **keep, char ***argv)
{
    PyObject *list = PySequence_List(seq);
    if (!list)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n == 0 || PyUnicode_Check(seq) || PyBytes_Check(seq)) {
        Py_DECREF(list);
        PyErr_SetString(PyExc_ValueError, "argv must be a non-empty list of str, bytes or os.PathLike");
        return -1;
    }
    *argv = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    if (!*argv) {
        Py_DECREF(list);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = NULL;
        if (!PyUnicode_FSConverter(PyList_GET_ITEM(list, i), &b))
            goto fail;
        PyList_SET_ITEM(list, i, b); /* steals b, drops the argument's reference */
        if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
            PyErr_SetString(PyExc_ValueError, "argv: embedded NUL byte");
            goto fail;
        }
        (*argv)[i] = PyBytes_AS_STRING(b);
    }
    *keep = list;
    return 0;
fail:
    Py_DECREF(list);
    PyMem_Free(*argv);
    *argv = NULL;
    return -1;
}

/* config: None (sandlock's default, as `sandlock run` without -c), a str
 * holding a newline (INI text), else a path (str, bytes, os.PathLike). */
static int load_config(sandlock_ctx *ctx, PyObject *config)
{
    if (config == Py_None)
        return sandlock_ctx_load_default(ctx) ? (lib_error(ctx), -1) : 0;
    if (PyUnicode_Check(config) && PyUnicode_FindChar(config, '\n', 0, PyUnicode_GET_LENGTH(config), 1) >= 0) {
        const char *text = PyUnicode_AsUTF8(config);
        if (!text)
            return -1;
        return sandlock_ctx_load_string(ctx, text, "<config>") ? (lib_error(ctx), -1) : 0;
    }
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(config, &path))
        return -1;
    int rc = sandlock_ctx_load_file(ctx, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return rc ? (lib_error(ctx), -1) : 0;
}

/* A str attribute of the handler, or NULL (absent or None; -1 in *bad with
 * a TypeError set when it is not a str). */
static const char *str_attr(PyObject *obj, const char *attr, PyObject **keep, int *bad)
{
    *keep = PyObject_HasAttrString(obj, attr) ? PyObject_GetAttrString(obj, attr) : NULL;
    if (!*keep || *keep == Py_None)
        return NULL;
    const char *s = PyUnicode_Check(*keep) ? PyUnicode_AsUTF8(*keep) : NULL;
    if (!s) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "the handler's %s must be a str", attr);
        *bad = -1;
    }
    return s;
}

/* One handler object as the in-process instance `index` (from 1): named
 * by its `name` attribute, else python-INDEX; its `on_exception`
 * attribute, if any, is the instance's exception policy. */
static int add_handler(sandlock_ctx *ctx, PyObject *obj, Py_ssize_t index)
{
    if (!PyObject_HasAttrString(obj, "handle")) {
        PyErr_Format(PyExc_TypeError, "handler %R has no handle(event) method", obj);
        return -1;
    }
    PyObject *name_obj = NULL, *policy_obj = NULL;
    int bad = 0;
    const char *name = str_attr(obj, "name", &name_obj, &bad);
    const char *policy = bad ? NULL : str_attr(obj, "on_exception", &policy_obj, &bad);
    char fallback[32], setting[96];
    int rc = -1;
    if (bad)
        goto out;
    if (!name) {
        snprintf(fallback, sizeof(fallback), "python-%zd", index);
        name = fallback;
    }
    struct ext_handler *u = malloc(sizeof(*u));
    if (!u) {
        PyErr_NoMemory();
        goto out;
    }
    u->obj = Py_NewRef(obj);
    if (sandlock_ctx_add_plugin(ctx, name, &ext_plugin, u, ext_handler_free) != 0) {
        lib_error(ctx);
        goto out;
    }
    if (policy) {
        snprintf(setting, sizeof(setting), "%s.on_exception=%.40s", name, policy);
        if (sandlock_ctx_set(ctx, setting) != 0) {
            lib_error(ctx);
            goto out;
        }
    }
    rc = 0;
out:
    Py_XDECREF(name_obj);
    Py_XDECREF(policy_obj);
    return rc;
}

static int exception_policy(PyObject *value, uint32_t *out)
{
    static const char *const names[] = { "kill", "eperm", "eio", "continue", NULL };
    static const uint32_t values[] = { SANDLOCK_ON_EXCEPTION_KILL, SANDLOCK_ON_EXCEPTION_EPERM,
                                       SANDLOCK_ON_EXCEPTION_EIO, SANDLOCK_ON_EXCEPTION_CONTINUE };
    if (value == Py_None)
        return 0;
    const char *s = PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;
    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = values[i];
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "on_exception must be 'kill', 'eperm', 'eio' or 'continue', not %R", value);
    return -1;
}

static PyObject *mod_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwnames[] = { "argv", "config", "handlers", "on_exception", "workers", NULL };
    PyObject *argv_obj, *config = Py_None, *handlers = NULL, *policy = Py_None;
    unsigned int workers = 0;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$OOI:run", kwnames, &argv_obj, &config, &handlers, &policy,
                                     &workers))
        return NULL;
    sandlock_options opts;
    sandlock_options_init(&opts);
    opts.flags = SANDLOCK_OPT_LOG_STDERR;
    opts.workers = workers;
    if (exception_policy(policy, &opts.on_exception))
        return NULL;
    PyObject *keep = NULL, *list = handlers ? PySequence_List(handlers) : PyList_New(0);
    char **argv = NULL;
    if (!list || make_argv(argv_obj, &keep, &argv)) {
        Py_XDECREF(list);
        return NULL;
    }
    PyObject *result = NULL;
    sandlock_ctx *ctx = sandlock_ctx_new();
    if (!ctx) {
        PyErr_NoMemory();
        goto out;
    }
    if (load_config(ctx, config))
        goto out;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++)
        if (add_handler(ctx, PyList_GET_ITEM(list, i), i + 1))
            goto out;
    if (sandlock_ctx_set_options(ctx, &opts) != 0) {
        lib_error(ctx);
        goto out;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = sandlock_ctx_run(ctx, argv);
    Py_END_ALLOW_THREADS
    /* 125 is also a status a command may exit with: sandlock's own error
     * is the one that left a message. */
    if (status == SANDLOCK_STATUS_ERROR && *sandlock_ctx_errmsg(ctx))
        lib_error(ctx);
    else
        result = PyLong_FromLong(status);
out:
    sandlock_ctx_free(ctx);
    PyMem_Free(argv);
    Py_XDECREF(keep);
    Py_DECREF(list);
    return result;
}

static PyMethodDef run_methods[] = {
    { "run", (PyCFunction)(void (*)(void))mod_run, METH_VARARGS | METH_KEYWORDS,
      "run(argv, config=None, *, handlers=(), on_exception=None, workers=0) -> int\n\n"
      "Runs argv in a sandbox with the handler objects as in-process instances (after the\n"
      "configuration's own) and returns the exit status `sandlock run` would: the command's,\n"
      "128+N after signal N or a Kill(N) verdict, 126/127 when it cannot be run; raises\n"
      "sandlock.Error with libsandlock's message instead of 125. See sandlock-python(7)." },
    { NULL, NULL, 0, NULL },
};

PyMODINIT_FUNC PyInit_sandlock(void)
{
    PyObject *mod = py_module_init();
    if (!mod)
        return NULL;
    error_type = PyErr_NewExceptionWithDoc("sandlock.Error",
                                           "sandlock could not run the command (libsandlock's message).",
                                           PyExc_Exception, NULL);
    if (!error_type || PyModule_AddObjectRef(mod, "Error", error_type) < 0 ||
        PyModule_AddFunctions(mod, run_methods) < 0) {
        Py_DECREF(mod);
        return NULL;
    }
    module = mod;
    return mod;
}
