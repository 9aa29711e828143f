/* handler.c -- one handler object as a plugin instance, shared by the
 * python plugin (python.c makes the object from sandlock.ini) and the
 * `import sandlock` extension (python/, where the program gives it): its
 * syscalls, handle() on the workers, close() and the instance's end. */
#include "pyplugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int py_instance_bind(struct py_instance *in, PyObject *handler, char *errbuf)
{
    in->handler = Py_NewRef(handler);
    if (!in->sites && !(in->sites = PySet_New(NULL))) {
        PyErr_Clear();
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    in->handle_fn = PyObject_GetAttrString(handler, "handle");
    if (!in->handle_fn || !PyCallable_Check(in->handle_fn)) {
        PyErr_Clear();
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "the handler has no handle(event) method");
        return -1;
    }
    return 0;
}

/* The handler's `syscalls`: an attribute, or a method called without
 * arguments; a list of names (a new reference), or NULL with a Python
 * error set. */
static PyObject *declared_syscalls(PyObject *handler)
{
    PyObject *attr = PyObject_GetAttrString(handler, "syscalls");
    if (attr && PyCallable_Check(attr))
        Py_SETREF(attr, PyObject_CallNoArgs(attr));
    PyObject *seq = attr && !PyUnicode_Check(attr) ? PySequence_List(attr) : NULL;
    if (attr && !seq && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "the handler's syscalls must be a list of names, not a str");
    Py_XDECREF(attr);
    return seq;
}

int py_instance_syscalls(struct py_instance *in, PyObject *names, char *errbuf)
{
    PyObject *list;
    if (names)
        list = Py_NewRef(names);
    else if (PyObject_HasAttrString(in->handler, "syscalls")) {
        if (!(list = declared_syscalls(in->handler))) {
            py_load_error(in, errbuf, "syscalls");
            return -1;
        }
    } else if (!(list = PyList_New(0)))
        return -1;
    Py_ssize_t count = PyList_GET_SIZE(list);
    size_t bytes = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *s = PyList_GET_ITEM(list, i);
        Py_ssize_t len;
        if (!PyUnicode_Check(s) || !PyUnicode_AsUTF8AndSize(s, &len)) {
            PyErr_Clear();
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "syscalls: every entry must be a syscall name (str)");
            Py_DECREF(list);
            return -1;
        }
        bytes += (size_t)len + 1;
    }
    if (count <= 0) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE,
                 "no syscalls: set syscalls = NAME, ... or give the handler a `syscalls` attribute");
        Py_DECREF(list);
        return -1;
    }
    in->names = calloc((size_t)count + 1, sizeof(*in->names));
    in->names_storage = malloc(bytes);
    char *p = in->names_storage;
    for (Py_ssize_t i = 0; p && in->names && i < count; i++) {
        const char *s = PyUnicode_AsUTF8(PyList_GET_ITEM(list, i));
        in->names[i] = p;
        p = stpcpy(p, s) + 1;
    }
    Py_DECREF(list);
    if (!in->names || !in->names_storage) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    return 0;
}

void py_instance_free(struct py_instance *in)
{
    for (struct py_instance **pp = &py_first; *pp; pp = &(*pp)->next)
        if (*pp == in) {
            *pp = in->next;
            break;
        }
    py_instance_drop_deferred(in);
    Py_CLEAR(in->handle_fn);
    Py_CLEAR(in->handler);
    Py_CLEAR(in->sites);
    free(in->names);
    free(in->names_storage);
    free(in);
}

void py_instance_close(struct py_instance *in)
{
    if (in->handler && PyObject_HasAttrString(in->handler, "close")) {
        py_current = in;
        PyObject *r = PyObject_CallMethod(in->handler, "close", NULL);
        py_current = NULL;
        if (!r)
            py_log_exception(in, "close");
        Py_XDECREF(r);
    }
    py_instance_free(in);
}

const char *const *py_instance_names(void *state)
{
    return ((struct py_instance *)state)->names;
}

int py_instance_handle(void *state, const sandlock_event *ev, sandlock_response *resp)
{
    struct py_instance *in = state;
    PyGILState_STATE g = py_gil_take();
    struct py_instance *outer = py_current;
    py_current = in;
    int rc = SANDLOCK_ERROR, deferred = 0;
    PyObject *e = py_event_new(in, ev);
    PyObject *v = e ? PyObject_CallOneArg(in->handle_fn, e) : NULL;
    if (v && py_verdict(v, resp, 1) == 0)
        rc = SANDLOCK_OK;
    else
        py_log_exception(in, ev->syscall_name);
    if (rc == SANDLOCK_OK && resp->verdict == SANDLOCK_VERDICT_DEFER) {
        int d = py_event_was_deferred(e) ? 0 : py_host->defer(ev->handle);
        if (d < 0)
            py_host->log(in->cfg, SANDLOCK_LOG_WARN, "%s: cannot defer (%s): the child gets %s", ev->syscall_name,
                         strerror(-d), d == -EAGAIN ? "EAGAIN" : "the exception policy");
        deferred = d == 0;
    }
    if (e)
        py_event_close(e, deferred);
    Py_XDECREF(v);
    Py_XDECREF(e);
    py_current = outer;
    PyGILState_Release(g);
    return rc;
}
