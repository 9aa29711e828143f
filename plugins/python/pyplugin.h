/* pyplugin.h -- shared by the python plugin's files and by the `import
 * sandlock` extension (python/), which compiles module.c, handler.c,
 * sockcall.c and traceback.c as they are: an instance, and what the
 * `sandlock` module (module.c) offers the plugin (python.c) and the
 * extension.
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

/* The host table (set by the plugin's entry point; by the extension's
 * init(); NULL in the extension before its first run). */
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

/* The GIL on a worker thread, released with PyGILState_Release(): the
 * plugin's (interp.c) keeps each worker's Python thread state from its
 * first call on (no allocation per notification); the extension's is
 * PyGILState_Ensure(). */
PyGILState_STATE py_gil_take(void);

/* interp.c (the plugin only): the interpreter, started by the first instance's init() and
 * finalised by the last instance's fini(), both on the thread that calls
 * init() and fini(). py_interp_enter() takes the GIL there (starting the
 * interpreter first when no instance exists): 0, or -1 with errbuf set;
 * py_interp_leave() gives it back, finalising when `last`. */
int py_interp_enter(char *errbuf);
void py_interp_leave(int last);

/* handler.c: a handler object as an instance. py_instance_bind() takes a
 * reference to `handler` and its handle method; py_instance_syscalls()
 * the names of `names` (a list of str) or, when NULL, of the handler's
 * `syscalls` (an attribute, or a method called without arguments). Both:
 * 0, or -1 with errbuf set. py_instance_names, py_instance_handle: the
 * vtable's syscalls() and handle(). py_instance_close() calls the
 * handler's close() (if any) and frees the instance; py_instance_free()
 * only frees it. Every one with the GIL held, except handle(). */
int py_instance_bind(struct py_instance *in, PyObject *handler, char *errbuf);
int py_instance_syscalls(struct py_instance *in, PyObject *names, char *errbuf);
const char *const *py_instance_names(void *state);
int py_instance_handle(void *state, const sandlock_event *ev, sandlock_response *resp);
void py_instance_close(struct py_instance *in);
void py_instance_free(struct py_instance *in);

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

/* Whether event `ev` is inside its handle(), not deferred: 1, else 0 with
 * sandlock.StaleEventError set naming `what` used too late (no error set
 * when `what` is NULL). */
int py_event_in_handle(PyObject *ev, const char *what);

/* sockcall.c: ev.sock_call()'s object for the host's snapshot `c` of
 * event `ev` (a new reference; NULL with a Python error set), and the
 * module's SockCall, SockTarget and SOCK_* (0, or -1 with an error set). */
PyObject *py_sock_call_new(PyObject *ev, const sandlock_sock_call *c);
int py_sock_call_init(PyObject *mod);

/* A verdict object to a response. 0, or -1 with a Python error set (a
 * TypeError or ValueError naming what is wrong). `in_handle`: Defer is
 * allowed. An Fd verdict's descriptor belongs to the response. */
int py_verdict(PyObject *v, sandlock_response *r, int in_handle);

/* traceback.c: py_load_error() turns the pending Python exception into
 * errbuf, "what: FILE:LINE: Type: message" (logging its traceback too),
 * and clears it. */
void py_load_error(struct py_instance *in, char *errbuf, const char *what);

/* Logs the pending Python exception of instance `in` (its traceback the
 * first time per site, file:line of the innermost frame, a one-line
 * summary later) and clears it. `what` says where it happened. */
void py_log_exception(struct py_instance *in, const char *what);

#endif
