/* interp.c -- the one CPython interpreter of a sandlock process: started by
 * the first python instance, finalised after the last, the GIL released in
 * between (collectd's python plugin does the same), and the GIL on the
 * workers. (Tracebacks: traceback.c.)
 *
 * The interpreter is isolated from the environment (PyConfig's isolated
 * configuration): PYTHONPATH, PYTHONHOME, PYTHONSTARTUP and the other
 * PYTHON* variables, the user's site-packages and the working directory
 * never change what it imports; `path =` keys are the only additions to
 * sys.path (the system's site-packages stay, as for /usr/bin/python3 -I).
 * It runs in UTF-8 mode (paths are encoded as UTF-8 with surrogateescape,
 * whatever the locale, which it leaves alone), installs no signal handler
 * in sandlock, writes no .pyc files, and its sys.stdout is sys.stderr: a
 * handler's print() goes where sandlock's messages go, never into the
 * command's output. */
#define _GNU_SOURCE
#include "pyplugin.h"

#include <dlfcn.h>
#include <stdio.h>

static PyThreadState *main_state;  /* the init()/fini() thread's, while the GIL is released */
static __thread int worker_ready;  /* this thread has a Python thread state */

/* Extension modules of the standard library (lib-dynload/_json...so) find
 * the interpreter's symbols in the global scope, where sandlock's
 * RTLD_LOCAL dlopen() of this plugin did not put libpython. */
static void libpython_global(void)
{
    Dl_info info;
    if (dladdr((void *)Py_InitializeFromConfig, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
}

static int status_error(PyStatus st, char *errbuf)
{
    snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot start the Python interpreter: %s%s%s",
             st.func ? st.func : "", st.func ? ": " : "", st.err_msg ? st.err_msg : "exit");
    return -1;
}

static int start(char *errbuf)
{
    libpython_global();
    PyPreConfig pre;
    PyPreConfig_InitIsolatedConfig(&pre);
    pre.utf8_mode = 1;
    PyStatus st = Py_PreInitialize(&pre);
    if (PyStatus_Exception(st))
        return status_error(st, errbuf);
    if (PyImport_AppendInittab("sandlock", py_module_init) < 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot register the sandlock module");
        return -1;
    }
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.install_signal_handlers = 0;
    config.write_bytecode = 0;
    config.site_import = 1;
    st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st))
        return status_error(st, errbuf);
    if (PyRun_SimpleString("import sys\nsys.stdout = sys.stderr\n") != 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot set up the Python interpreter's sys.stdout");
        Py_FinalizeEx();
        return -1;
    }
    return 0;
}

int py_interp_enter(char *errbuf)
{
    if (main_state) {
        PyEval_RestoreThread(main_state);
        main_state = NULL;
        return 0;
    }
    return start(errbuf);
}

/* Threads the handlers started and left running (not daemon threads) would
 * make Py_FinalizeEx() wait for them forever: a handler's close() stops its
 * threads; those still alive after it get a bounded join, and if they do
 * not end the interpreter is left to the process's exit. */
static const char wait_threads[] =
    "import threading as _t, time as _time\n"
    "_end = _time.monotonic() + 5\n"
    "for _x in _t.enumerate():\n"
    "    if _x is not _t.main_thread() and not _x.daemon:\n"
    "        _x.join(max(0, _end - _time.monotonic()))\n"
    "_left = [_x.name for _x in _t.enumerate() if _x is not _t.main_thread() and not _x.daemon and _x.is_alive()]\n";

static int threads_left(void)
{
    PyObject *ns = PyDict_New();
    if (!ns)
        return 1;
    PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins());
    PyObject *r = PyRun_String(wait_threads, Py_file_input, ns, ns);
    PyObject *left = r ? PyDict_GetItemString(ns, "_left") : NULL;
    Py_ssize_t n = left && PyList_Check(left) ? PyList_GET_SIZE(left) : (r ? 0 : 1);
    if (n > 0 && left) {
        PyObject *text = PyObject_Str(left);
        py_host->log(NULL, SANDLOCK_LOG_WARN,
                     "python: %zd handler thread(s) still running at exit (%s): the interpreter is not finalised",
                     n, text ? PyUnicode_AsUTF8(text) : "?");
        Py_XDECREF(text);
    }
    PyErr_Clear();
    Py_XDECREF(r);
    Py_DECREF(ns);
    return n > 0;
}

void py_interp_leave(int last)
{
    if (last && !threads_left()) {
        py_module_fini();
        Py_FinalizeEx();
        return;
    }
    main_state = PyEval_SaveThread();
}

PyGILState_STATE py_gil_take(void)
{
    if (!worker_ready) {
        /* A thread state bound to this thread with a count of its own
         * (PyThreadState_New() starts it at 1), so that PyGILState_Release()
         * never deletes it: Py_FinalizeEx() frees it. */
        PyThreadState_New(PyInterpreterState_Main());
        worker_ready = 1;
    }
    return PyGILState_Ensure();
}
