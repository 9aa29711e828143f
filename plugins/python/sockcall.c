/* sockcall.c -- ev.sock_call() for Python handlers: the host's snapshot of
 * a socket call that names an address (connect, bind, sendto, sendmsg,
 * sendmmsg; sdk/sandlock/plugin.h, "Socket calls judged together") as
 * read-only objects, sandlock.SockCall and its targets, sandlock.SockTarget.
 *
 * The snapshot is converted at once, inside handle() on the worker (the
 * host keeps it until the chain ends; nothing here points into it later).
 * Each object keeps its event: its attributes raise
 * sandlock.StaleEventError once the event left handle() or was deferred,
 * as the snapshot then no longer describes a call the chain judges.
 * sandlock-python(7) documents the attributes. */
#include "pyplugin.h"

#include <arpa/inet.h>
#include <stddef.h>

/* A SockCall or a SockTarget: its event and its attributes. */
struct py_view {
    PyObject_HEAD
    PyObject *event;
    PyObject *attrs;  /* a dict: name -> value, values immutable */
};

static void view_dealloc(PyObject *self)
{
    struct py_view *v = (struct py_view *)self;
    Py_XDECREF(v->event);
    Py_XDECREF(v->attrs);
    Py_TYPE(self)->tp_free(self);
}

/* The snapshot's attributes while the event is in handle(); the type's own
 * (__class__, __doc__...) always. */
static PyObject *view_getattro(PyObject *self, PyObject *name)
{
    struct py_view *v = (struct py_view *)self;
    PyObject *value = PyDict_GetItemWithError(v->attrs, name);
    if (!value)
        return PyErr_Occurred() ? NULL : PyObject_GenericGetAttr(self, name);
    return py_event_in_handle(v->event, "its socket call") ? Py_NewRef(value) : NULL;
}

static PyObject *view_dir(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyDict_Keys(((struct py_view *)self)->attrs);
}

static PyObject *view_repr(PyObject *self)
{
    struct py_view *v = (struct py_view *)self;
    if (!py_event_in_handle(v->event, NULL))
        return PyUnicode_FromFormat("<%s (stale)>", Py_TYPE(self)->tp_name);
    return PyUnicode_FromFormat("<%s %R>", Py_TYPE(self)->tp_name, v->attrs);
}

static PyMethodDef view_methods[] = {
    { "__dir__", view_dir, METH_NOARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyTypeObject sock_call_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sandlock.SockCall",
    .tp_basicsize = sizeof(struct py_view),
    .tp_dealloc = view_dealloc,
    .tp_repr = view_repr,
    .tp_getattro = view_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The host's snapshot of a socket call (Event.sock_call()): call, error, domain, type, protocol, "
              "targets. Read-only; usable inside handle() only, before defer().",
    .tp_methods = view_methods,
};

static PyTypeObject sock_target_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sandlock.SockTarget",
    .tp_basicsize = sizeof(struct py_view),
    .tp_dealloc = view_dealloc,
    .tp_repr = view_repr,
    .tp_getattro = view_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One address of a SockCall: addr, flags, error, hold, named, real, base, and as the kernel reads "
              "it kind, family, ip, port, scope_id, name, mapped, this_host. Read-only, like its SockCall.",
    .tp_methods = view_methods,
};

/* A view of type `type` on `event` holding `attrs` (a new reference,
 * taken even on failure). */
static PyObject *view_new(PyTypeObject *type, PyObject *event, PyObject *attrs)
{
    if (!attrs)
        return NULL;
    struct py_view *v = PyObject_New(struct py_view, type);
    if (!v) {
        Py_DECREF(attrs);
        return NULL;
    }
    v->event = Py_NewRef(event);
    v->attrs = attrs;
    return (PyObject *)v;
}

/* sandlock_sockaddr.kind as a name (an unknown kind reads as another family). */
static const char *kind_name(uint32_t kind)
{
    static const char *const names[] = {
        [SANDLOCK_SA_NONE] = "none",
        [SANDLOCK_SA_INET] = "inet",
        [SANDLOCK_SA_INET6] = "inet6",
        [SANDLOCK_SA_UNIX_PATH] = "unix_path",
        [SANDLOCK_SA_UNIX_ABSTRACT] = "unix_abstract",
        [SANDLOCK_SA_UNIX_UNNAMED] = "unix_unnamed",
        [SANDLOCK_SA_OTHER] = "other",
    };
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "other";
}

static PyObject *target_new(PyObject *event, const sandlock_sock_target *t)
{
    const sandlock_sockaddr *sa = &t->sa;
    char ip[INET6_ADDRSTRLEN] = "";
    int unix_name = sa->kind == SANDLOCK_SA_UNIX_PATH || sa->kind == SANDLOCK_SA_UNIX_ABSTRACT;
    size_t name_len = sa->name_len < sizeof(sa->name) ? sa->name_len : sizeof(sa->name);
    if (sa->kind == SANDLOCK_SA_INET || sa->kind == SANDLOCK_SA_INET6)
        inet_ntop(sa->kind == SANDLOCK_SA_INET ? AF_INET : AF_INET6, sa->addr, ip, sizeof(ip));
    PyObject *attrs = Py_BuildValue(
        "{s:y#,s:I,s:i,s:i,s:y,s:y,s:y,s:s,s:I,s:z,s:I,s:I,s:y#,s:N,s:N}", "addr", (const char *)t->addr,
        (Py_ssize_t)(t->addr ? t->len : 0), "flags", t->flags, "error", t->error, "hold", t->hold, "named", t->named,
        "real", t->real, "base", t->base, "kind", kind_name(sa->kind), "family", sa->family, "ip", ip[0] ? ip : NULL,
        "port", sa->port, "scope_id", sa->scope_id, "name", unix_name ? sa->name : NULL, (Py_ssize_t)name_len,
        "mapped", PyBool_FromLong(sa->flags & SANDLOCK_SA_MAPPED), "this_host",
        PyBool_FromLong(sa->flags & SANDLOCK_SA_THIS_HOST));
    return view_new(&sock_target_type, event, attrs);
}

PyObject *py_sock_call_new(PyObject *event, const sandlock_sock_call *c)
{
    const char *call = c->call == SANDLOCK_SA_CONNECT ? "connect" : c->call == SANDLOCK_SA_BIND ? "bind" : "send";
    uint32_t count = c->error ? 0 : c->count;
    PyObject *targets = PyTuple_New(count);
    for (uint32_t i = 0; targets && i < count; i++) {
        PyObject *t = target_new(event, &c->target[i]);
        if (!t) {
            Py_CLEAR(targets);
            break;
        }
        PyTuple_SET_ITEM(targets, i, t);
    }
    if (!targets)
        return NULL;
    PyObject *attrs = Py_BuildValue("{s:s,s:i,s:i,s:i,s:i,s:N}", "call", call, "error", c->error, "domain", c->domain,
                                    "type", c->type, "protocol", c->protocol, "targets", targets);
    return view_new(&sock_call_type, event, attrs);
}

int py_sock_call_init(PyObject *mod)
{
    if (PyType_Ready(&sock_call_type) < 0 || PyType_Ready(&sock_target_type) < 0 ||
        PyModule_AddObjectRef(mod, "SockCall", (PyObject *)&sock_call_type) < 0 ||
        PyModule_AddObjectRef(mod, "SockTarget", (PyObject *)&sock_target_type) < 0 ||
        PyModule_AddIntConstant(mod, "SOCK_IGNORED", SANDLOCK_SOCK_IGNORED) < 0 ||
        PyModule_AddIntConstant(mod, "SOCK_MAGIC", SANDLOCK_SOCK_MAGIC) < 0)
        return -1;
    return 0;
}
