/* pyplugin.h -- shared by the python plugin's files: an instance, and what
 * the `sandlock` module (module.c) offers the plugin (python.c).
 *
 * One interpreter per process (interp.c), shared by every instance; every
 * Python object is touched with the GIL held, which also guards every
 * field below that Python code can reach. */
#ifndef SANDLOCK_PYPLUGIN_H
#define SANDLOCK_PYPLUGIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sandlock/plugin.h>

struct py_event;

struct py_instance {
    const sandlock_config *cfg;
    PyObject *handler;            /* the handler object */
    PyObject *handle_fn;          /* handler.handle, bound */
    PyObject *sites;              /* "file:line" of tracebacks already logged */
    struct py_event *deferred;    /* deferred events not answered yet */
    char *names_storage;          /* syscalls() */
    const char **names;
    struct py_instance *next;     /* every live instance (python.c) */
};

/* The host table (set by the entry point). */
extern const sandlock_host *py_host;

/* The instance whose code runs on this thread (set around the handler's
 * calls), for sandlock.log(); NULL elsewhere. */
extern __thread struct py_instance *py_current;
/* The first live instance: sandlock.log() from a thread of the handler's own. */
extern struct py_instance *py_first;

/* The inittab entry of the `sandlock` module. */
PyObject *py_module_init(void);

/* Releases what py_module_init() kept (before the interpreter ends). */
void py_module_fini(void);

/* interp.c: the interpreter, started by the first instance's init() and
 * finalised by the last instance's fini(), both on the thread that calls
 * init() and fini(). py_interp_enter() takes the GIL there (starting the
 * interpreter first when no instance exists): 0, or -1 with errbuf set;
 * py_interp_leave() gives it back, finalising when `last`. */
int py_interp_enter(char *errbuf);
void py_interp_leave(int last);
/* The GIL on a worker thread; the thread keeps its Python thread state
 * from its first call on (no allocation per notification). */
PyGILState_STATE py_gil_take(void);

/* A new event object for `ev`, live until py_event_close(). NULL: a
 * Python error is set. */
PyObject *py_event_new(struct py_instance *in, const sandlock_event *ev);
/* After handle() returned: the event stays usable when `deferred` (until
 * answered), else it goes stale. Returns whether handle() asked for the
 * deferral itself (ev.defer()). */
int py_event_was_deferred(PyObject *ev);
void py_event_close(PyObject *ev, int deferred);
/* fini: the instance's unanswered deferred events go stale. */
void py_instance_drop_deferred(struct py_instance *in);

/* A verdict object to a response. 0, or -1 with a Python error set (a
 * TypeError or ValueError naming what is wrong). `in_handle`: Defer is
 * allowed. An Fd verdict's descriptor belongs to the response. */
int py_verdict(PyObject *v, sandlock_response *r, int in_handle);

/* Logs the pending Python exception of instance `in` (its traceback the
 * first time per site, file:line of the innermost frame, a one-line
 * summary later) and clears it. `what` says where it happened. */
void py_log_exception(struct py_instance *in, const char *what);

#endif
