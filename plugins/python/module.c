/* module.c -- the `sandlock` module handlers import: the event of one
 * notification with the host's services as its methods, the verdicts
 * (verdicts.py.h), logging and content descriptors. sandlock-python(7)
 * documents it for handler authors.
 *
 * An event is live while its handle() runs and, once deferred, until it is
 * answered; then it goes stale: every attribute and method raises
 * sandlock.StaleEventError and touches nothing (the handle is not even
 * passed to the host). States change with the GIL held. The GIL is
 * released around each host call that may block on the child (memory,
 * paths, opens, descriptors, the answer): only values are used there. */
#include "pyplugin.h"
#include "verdicts.py.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

const sandlock_host *py_host;
__thread struct py_instance *py_current;
struct py_instance *py_first;

enum { EV_LIVE, EV_DEFERRED, EV_STALE };

struct py_event {
    PyObject_HEAD
    struct py_instance *in;       /* NULL once stale */
    sandlock_event ev;            /* a copy (its syscall_name is the host's,
                                     valid only while the event is live) */
    char name[32];                /* the syscall's name, for messages later */
    int state;
    int defer_asked;              /* ev.defer() succeeded inside handle() */
    int answering;                /* answer() in progress (GIL released) */
    struct py_event *prev, *next; /* in->deferred, while EV_DEFERRED */
};

static PyObject *stale_error;                 /* sandlock.StaleEventError */
static PyObject *v_continue, *v_defer;        /* the singletons */
static PyObject *c_errno, *c_return, *c_kill, *c_fd;

/* ---- errors ---- */

/* Raises OSError for a host service's -errno. */
static PyObject *host_error(long rc)
{
    errno = (int)-rc;
    return PyErr_SetFromErrno(PyExc_OSError);
}

/* The event's instance, or NULL with StaleEventError set. */
static struct py_instance *usable(struct py_event *e)
{
    if (e->state == EV_STALE || !e->in) {
        PyErr_Format(stale_error, "event %llu (%s) was used after it was answered",
                     (unsigned long long)e->ev.id, e->name);
        return NULL;
    }
    return e->in;
}

/* ---- the deferred list ---- */

static void unlink_deferred(struct py_event *e)
{
    if (e->state != EV_DEFERRED)
        return;
    if (e->prev)
        e->prev->next = e->next;
    else if (e->in)
        e->in->deferred = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->prev = e->next = NULL;
}

static void go_stale(struct py_event *e)
{
    unlink_deferred(e);
    e->state = EV_STALE;
    e->in = NULL;
}

void py_instance_drop_deferred(struct py_instance *in)
{
    while (in->deferred)
        go_stale(in->deferred);
}

/* ---- the event type ---- */

static void event_dealloc(PyObject *self)
{
    struct py_event *e = (struct py_event *)self;
    if (e->state == EV_DEFERRED && !e->answering) {
        /* Nobody can answer it any more: the child gets the instance's
         * exception policy now (an unset verdict is refused by the host
         * with exactly that effect) instead of waiting for defer_timeout. */
        sandlock_response r = { SANDLOCK_ABI_VERSION, sizeof(r), SANDLOCK_VERDICT_UNSET, 0, 0, 0, -1, 0, 0 };
        py_host->log(e->in->cfg, SANDLOCK_LOG_ERROR,
                     "deferred %s (pid %u) dropped without an answer: exception policy", e->name,
                     e->ev.pid);
        py_host->answer(e->ev.handle, &r);
    }
    go_stale(e);
    Py_TYPE(self)->tp_free(self);
}

#define EVENT_GETTER(field, conv)                                   \
    static PyObject *get_##field(PyObject *self, void *closure)     \
    {                                                               \
        struct py_event *e = (struct py_event *)self;               \
        (void)closure;                                              \
        if (!usable(e))                                             \
            return NULL;                                            \
        return conv(e->ev.field);                                   \
    }

EVENT_GETTER(syscall_name, PyUnicode_FromString)
EVENT_GETTER(nr, PyLong_FromLong)
EVENT_GETTER(pid, PyLong_FromUnsignedLong)
EVENT_GETTER(arch, PyLong_FromUnsignedLong)
EVENT_GETTER(id, PyLong_FromUnsignedLongLong)
EVENT_GETTER(instruction_pointer, PyLong_FromUnsignedLongLong)
EVENT_GETTER(handle, PyLong_FromUnsignedLongLong)

static PyObject *get_args(PyObject *self, void *closure)
{
    struct py_event *e = (struct py_event *)self;
    (void)closure;
    if (!usable(e))
        return NULL;
    return Py_BuildValue("(KKKKKK)", (unsigned long long)e->ev.args[0], (unsigned long long)e->ev.args[1],
                         (unsigned long long)e->ev.args[2], (unsigned long long)e->ev.args[3],
                         (unsigned long long)e->ev.args[4], (unsigned long long)e->ev.args[5]);
}

static PyGetSetDef event_getset[] = {
    { "syscall", get_syscall_name, NULL, "the syscall's name, e.g. 'openat'", NULL },
    { "nr", get_nr, NULL, "the syscall number for arch", NULL },
    { "pid", get_pid, NULL, "the trapped thread's id (0: not in sandlock's PID namespace)", NULL },
    { "arch", get_arch, NULL, "AUDIT_ARCH_* of the call", NULL },
    { "id", get_id, NULL, "the kernel's notification id", NULL },
    { "instruction_pointer", get_instruction_pointer, NULL, "of the trapped call", NULL },
    { "handle", get_handle, NULL, "the host's handle of the notification", NULL },
    { "args", get_args, NULL, "the six raw arguments, unsigned", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

/* A path argument: bytes as they are, str through os.fsencode (UTF-8 with
 * surrogateescape: the interpreter runs in UTF-8 mode). */
static PyObject *path_bytes(PyObject *arg)
{
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(arg, &b))
        return NULL;
    return b;
}

/* An int argument as the kernel reads one: the low 32 bits of any Python
 * int (a raw event argument, or a negative number such as AT_FDCWD). */
static int low32(PyObject *arg, void *out)
{
    unsigned long long v = PyLong_Check(arg) ? PyLong_AsUnsignedLongLongMask(arg) : (unsigned long long)-1;
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "an int is required, not %s", Py_TYPE(arg)->tp_name);
        return 0;
    }
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return 0;
    *(int *)out = (int)(uint32_t)v;
    return 1;
}

static PyObject *ev_read(PyObject *self, PyObject *args)
{
    struct py_event *e = (struct py_event *)self;
    unsigned long long addr;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "Kn:read", &addr, &len) || !usable(e))
        return NULL;
    if (len < 0)
        return PyErr_Format(PyExc_ValueError, "read: negative length");
    PyObject *buf = PyBytes_FromStringAndSize(NULL, len);
    if (!buf)
        return NULL;
    ssize_t rc;
    sandlock_handle h = e->ev.handle;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->mem_read(h, addr, PyBytes_AS_STRING(buf), (size_t)len);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        Py_DECREF(buf);
        return host_error(rc);
    }
    return buf;
}

static PyObject *ev_read_string(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = { "addr", "size", NULL };
    struct py_event *e = (struct py_event *)self;
    unsigned long long addr;
    Py_ssize_t size = PATH_MAX;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "K|n:read_string", names, &addr, &size) || !usable(e))
        return NULL;
    if (size < 1)
        return PyErr_Format(PyExc_ValueError, "read_string: size must be at least 1");
    char *buf = PyMem_RawMalloc((size_t)size);
    if (!buf)
        return PyErr_NoMemory();
    ssize_t rc;
    sandlock_handle h = e->ev.handle;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->mem_read_string(h, addr, buf, (size_t)size);
    Py_END_ALLOW_THREADS
    PyObject *res = rc < 0 ? host_error(rc) : PyBytes_FromStringAndSize(buf, rc);
    PyMem_RawFree(buf);
    return res;
}

static PyObject *ev_write(PyObject *self, PyObject *args)
{
    struct py_event *e = (struct py_event *)self;
    unsigned long long addr;
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "Ky*:write", &addr, &data))
        return NULL;
    if (!usable(e)) {
        PyBuffer_Release(&data);
        return NULL;
    }
    ssize_t rc;
    sandlock_handle h = e->ev.handle;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->mem_write(h, addr, data.buf, (size_t)data.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return rc < 0 ? host_error(rc) : PyLong_FromSsize_t(rc);
}

static PyObject *ev_resolve_path(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = { "dirfd", "addr", "any_dirfd", NULL };
    struct py_event *e = (struct py_event *)self;
    int dirfd;
    unsigned long long addr;
    int any = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&K|p:resolve_path", names, low32, &dirfd, &addr, &any) ||
        !usable(e))
        return NULL;
    char buf[PATH_MAX];
    ssize_t rc;
    sandlock_handle h = e->ev.handle;
    unsigned flags = any ? SANDLOCK_RESOLVE_ANY_DIRFD : 0;
    int has_flags = SANDLOCK_HOST_HAS(py_host, resolve_path_flags);
    if (flags && !has_flags)
        return host_error(-EINVAL);
    Py_BEGIN_ALLOW_THREADS
    rc = has_flags ? py_host->resolve_path_flags(h, dirfd, addr, buf, sizeof(buf), flags)
                   : py_host->resolve_path(h, dirfd, addr, buf, sizeof(buf));
    Py_END_ALLOW_THREADS
    return rc < 0 ? host_error(rc) : PyBytes_FromStringAndSize(buf, rc);
}

static PyObject *ev_open(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = { "path", "flags", "mode", NULL };
    struct py_event *e = (struct py_event *)self;
    PyObject *path = NULL;
    int flags = O_RDONLY, mode = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|O&O&:open", names, PyUnicode_FSConverter, &path, low32, &flags,
                                     low32, &mode))
        return NULL;
    if (!usable(e)) {
        Py_DECREF(path);
        return NULL;
    }
    int rc;
    sandlock_handle h = e->ev.handle;
    const char *p = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->open_path(h, p, flags, (mode_t)mode & 07777);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    return rc < 0 ? host_error(rc) : PyLong_FromLong(rc);
}

static PyObject *ev_dup_fd(PyObject *self, PyObject *args)
{
    struct py_event *e = (struct py_event *)self;
    int child_fd;
    if (!PyArg_ParseTuple(args, "O&:dup_fd", low32, &child_fd) || !usable(e))
        return NULL;
    int rc;
    sandlock_handle h = e->ev.handle;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->dup_child_fd(h, child_fd);
    Py_END_ALLOW_THREADS
    return rc < 0 ? host_error(rc) : PyLong_FromLong(rc);
}

static PyObject *ev_umask(PyObject *self, PyObject *unused)
{
    struct py_event *e = (struct py_event *)self;
    (void)unused;
    if (!usable(e))
        return NULL;
    if (!SANDLOCK_HOST_HAS(py_host, child_umask))
        return host_error(-ENOSYS);
    int rc = py_host->child_umask(e->ev.handle);
    return rc < 0 ? host_error(rc) : PyLong_FromLong(rc);
}

/* The host's snapshot of the socket call (sockcall.c): only inside
 * handle(), before defer() (the host's rule; EINVAL without asking it). */
static PyObject *ev_sock_call(PyObject *self, PyObject *unused)
{
    struct py_event *e = (struct py_event *)self;
    (void)unused;
    if (!usable(e))
        return NULL;
    if (!SANDLOCK_HOST_HAS(py_host, sock_call))
        return host_error(-ENOSYS);
    if (e->state != EV_LIVE || e->defer_asked)
        return host_error(-EINVAL);
    const sandlock_sock_call *c = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->sock_call(&e->ev, &c);
    Py_END_ALLOW_THREADS
    return rc < 0 ? host_error(rc) : py_sock_call_new(self, c);
}

static PyObject *ev_report_denial(PyObject *self, PyObject *args)
{
    struct py_event *e = (struct py_event *)self;
    int error;
    PyObject *obj = Py_None, *bytes = NULL;
    if (!PyArg_ParseTuple(args, "i|O:report_denial", &error, &obj))
        return NULL;
    struct py_instance *in = usable(e);
    if (!in)
        return NULL;
    if (obj != Py_None && !(bytes = path_bytes(obj)))
        return NULL;
    if (SANDLOCK_HOST_HAS(py_host, report_denial))
        py_host->report_denial(in->cfg, e->ev.handle, error, bytes ? PyBytes_AS_STRING(bytes) : NULL);
    Py_XDECREF(bytes);
    Py_RETURN_NONE;
}

static PyObject *ev_defer(PyObject *self, PyObject *unused)
{
    struct py_event *e = (struct py_event *)self;
    (void)unused;
    if (!usable(e))
        return NULL;
    if (e->state != EV_LIVE)
        return PyErr_Format(PyExc_RuntimeError, "defer() is only possible inside handle()");
    int rc = py_host->defer(e->ev.handle);
    if (rc < 0)
        return host_error(rc);
    e->defer_asked = 1;
    Py_RETURN_NONE;
}

static PyObject *ev_answer(PyObject *self, PyObject *verdict)
{
    struct py_event *e = (struct py_event *)self;
    if (!usable(e))
        return NULL;
    if (!e->defer_asked && e->state != EV_DEFERRED)
        return PyErr_Format(PyExc_RuntimeError, "answer() needs a deferred event: call defer() first");
    if (e->answering)
        return PyErr_Format(stale_error, "event %llu is being answered by another thread",
                            (unsigned long long)e->ev.id);
    sandlock_response r = { SANDLOCK_ABI_VERSION, sizeof(r), 0, 0, 0, 0, -1, 0, 0 };
    if (py_verdict(verdict, &r, 0))
        return NULL;
    sandlock_handle h = e->ev.handle;
    int rc;
    Py_INCREF(self);
    e->answering = 1;
    Py_BEGIN_ALLOW_THREADS
    rc = py_host->answer(h, &r);
    Py_END_ALLOW_THREADS
    e->answering = 0;
    go_stale(e);
    Py_DECREF(self);
    return rc < 0 ? host_error(rc) : Py_NewRef(Py_None);
}

static PyObject *ev_log(PyObject *self, PyObject *args)
{
    struct py_event *e = (struct py_event *)self;
    const char *msg;
    int level = SANDLOCK_LOG_INFO;
    if (!PyArg_ParseTuple(args, "s|i:log", &msg, &level))
        return NULL;
    struct py_instance *in = usable(e);
    if (!in)
        return NULL;
    py_host->log(in->cfg, level, "%s", msg);
    Py_RETURN_NONE;
}

static PyObject *ev_repr(PyObject *self)
{
    struct py_event *e = (struct py_event *)self;
    return PyUnicode_FromFormat("<sandlock.Event %s pid %u id %llu%s>", e->name, e->ev.pid,
                                (unsigned long long)e->ev.id,
                                e->state == EV_STALE ? " (stale)" : e->state == EV_DEFERRED ? " (deferred)" : "");
}

static PyMethodDef event_methods[] = {
    { "read", ev_read, METH_VARARGS, "read(addr, size) -> bytes: the child's memory" },
    { "read_string", (PyCFunction)(void (*)(void))ev_read_string, METH_VARARGS | METH_KEYWORDS,
      "read_string(addr, size=PATH_MAX) -> bytes: a NUL-terminated string of the child, without the NUL" },
    { "write", ev_write, METH_VARARGS, "write(addr, data) -> int: writes into the child's memory" },
    { "resolve_path", (PyCFunction)(void (*)(void))ev_resolve_path, METH_VARARGS | METH_KEYWORDS,
      "resolve_path(dirfd, addr, any_dirfd=False) -> bytes: the absolute path the child names" },
    { "open", (PyCFunction)(void (*)(void))ev_open, METH_VARARGS | METH_KEYWORDS,
      "open(path, flags=os.O_RDONLY, mode=0) -> int: a descriptor opened as the child, in its root" },
    { "dup_fd", ev_dup_fd, METH_VARARGS, "dup_fd(child_fd) -> int: a copy of the child's descriptor" },
    { "umask", ev_umask, METH_NOARGS, "umask() -> int: the trapped thread's umask" },
    { "sock_call", ev_sock_call, METH_NOARGS,
      "sock_call() -> SockCall: the host's snapshot of connect, bind or an addressed send; judge it, "
      "never the child's memory; only inside handle()" },
    { "report_denial", ev_report_denial, METH_VARARGS,
      "report_denial(errno, object=None): a policy denial, logged and counted by sandlock" },
    { "defer", ev_defer, METH_NOARGS, "defer(): answer later with answer(); only inside handle()" },
    { "answer", ev_answer, METH_O, "answer(verdict): the verdict of a deferred event, from any thread" },
    { "log", ev_log, METH_VARARGS, "log(message, level=sandlock.INFO): a line under the instance's name" },
    { NULL, NULL, 0, NULL },
};

static PyTypeObject event_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "sandlock.Event",
    .tp_basicsize = sizeof(struct py_event),
    .tp_dealloc = event_dealloc,
    .tp_repr = ev_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One trapped system call; usable while handle() runs, and once deferred until answered.",
    .tp_methods = event_methods,
    .tp_getset = event_getset,
};

PyObject *py_event_new(struct py_instance *in, const sandlock_event *ev)
{
    struct py_event *e = PyObject_New(struct py_event, &event_type);
    if (!e)
        return NULL;
    e->in = in;
    e->ev = *ev;
    snprintf(e->name, sizeof(e->name), "%s", ev->syscall_name ? ev->syscall_name : "?");
    e->state = EV_LIVE;
    e->defer_asked = 0;
    e->answering = 0;
    e->prev = e->next = NULL;
    return (PyObject *)e;
}

int py_event_in_handle(PyObject *ev, const char *what)
{
    struct py_event *e = (struct py_event *)ev;
    if (e->state == EV_LIVE && !e->defer_asked && e->in)
        return 1;
    if (what)
        PyErr_Format(stale_error, "event %llu (%s): %s was used after handle() returned or after defer()",
                     (unsigned long long)e->ev.id, e->name, what);
    return 0;
}

int py_event_was_deferred(PyObject *ev)
{
    return ((struct py_event *)ev)->defer_asked;
}

void py_event_close(PyObject *ev, int deferred)
{
    struct py_event *e = (struct py_event *)ev;
    if (e->state != EV_LIVE)
        return; /* answered inside handle() already */
    if (!deferred) {
        go_stale(e);
        return;
    }
    e->state = EV_DEFERRED;
    e->next = e->in->deferred;
    if (e->next)
        e->next->prev = e;
    e->in->deferred = e;
}

/* ---- verdicts ---- */

/* Attribute `name` of v as a C long long. */
static int int_attr(PyObject *v, const char *name, long long *out)
{
    PyObject *a = PyObject_GetAttrString(v, name);
    if (!a)
        return -1;
    *out = PyLong_AsLongLong(a);
    Py_DECREF(a);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static int is_a(PyObject *v, PyObject *cls)
{
    return cls && PyObject_IsInstance(v, cls) == 1;
}

/* Fd: its descriptor (Fd._take(): an Fd answers once) passes to the
 * response. */
static int fd_verdict(PyObject *v, sandlock_response *r)
{
    PyObject *cloexec = PyObject_GetAttrString(v, "cloexec");
    int keep = cloexec ? PyObject_IsTrue(cloexec) : -1;
    Py_XDECREF(cloexec);
    if (keep < 0)
        return -1;
    PyObject *taken = PyObject_CallMethod(v, "_take", NULL);
    long fd = taken ? PyLong_AsLong(taken) : -1;
    Py_XDECREF(taken);
    if (fd == -1 && PyErr_Occurred())
        return -1;
    if (fd < 3 || fd > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "%R: an Fd verdict answers one call only (and needs a descriptor above 2)",
                     v);
        return -1;
    }
    sandlock_respond_fd(r, (int)fd, keep ? 0 : SANDLOCK_FD_NO_CLOEXEC);
    return 0;
}

int py_verdict(PyObject *v, sandlock_response *r, int in_handle)
{
    long long n;
    if (v == v_continue) {
        sandlock_respond_continue(r);
        return 0;
    }
    if (v == v_defer) {
        if (!in_handle) {
            PyErr_SetString(PyExc_ValueError, "Defer is an answer of handle() only");
            return -1;
        }
        sandlock_respond_defer(r);
        return 0;
    }
    if (is_a(v, c_errno)) {
        if (int_attr(v, "errno", &n))
            return -1;
        if (n < 1 || n > 4095) {
            PyErr_Format(PyExc_ValueError, "Errno(%lld) out of range 1..4095", n);
            return -1;
        }
        sandlock_respond_errno(r, (int)n);
        return 0;
    }
    if (is_a(v, c_return)) {
        if (int_attr(v, "value", &n))
            return -1;
        sandlock_respond_return(r, n);
        return 0;
    }
    if (is_a(v, c_kill)) {
        if (int_attr(v, "signal", &n))
            return -1;
        if (n < 1 || n > 64) {
            PyErr_Format(PyExc_ValueError, "Kill(%lld) out of range 1..64", n);
            return -1;
        }
        sandlock_respond_kill(r, (int)n);
        return 0;
    }
    if (is_a(v, c_fd))
        return fd_verdict(v, r);
    PyErr_Format(PyExc_TypeError, "%R is not a sandlock verdict (Continue, Errno, Return, Kill, Fd, Defer)", v);
    return -1;
}

/* ---- module functions ---- */

/* 1 when there is a host; else 0 with RuntimeError set (a program that
 * imported the extension, before its first sandlock.run()). */
static int have_host(void)
{
    if (py_host)
        return 1;
    PyErr_SetString(PyExc_RuntimeError, "no sandlock host yet: only inside a handler of sandlock.run()");
    return 0;
}

static PyObject *mod_log(PyObject *mod, PyObject *args)
{
    const char *msg;
    int level = SANDLOCK_LOG_INFO;
    (void)mod;
    if (!PyArg_ParseTuple(args, "s|i:log", &msg, &level))
        return NULL;
    struct py_instance *in = py_current ? py_current : py_first;
    if (!have_host())
        return NULL;
    py_host->log(in ? in->cfg : NULL, level, "%s", msg);
    Py_RETURN_NONE;
}

static PyObject *mod_content_fd(PyObject *mod, PyObject *args, PyObject *kw)
{
    static char *names[] = { "data", "name", "writable", NULL };
    Py_buffer data;
    const char *name = NULL;
    int writable = 0;
    (void)mod;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|zp:content_fd", names, &data, &name, &writable))
        return NULL;
    if (!have_host()) {
        PyBuffer_Release(&data);
        return NULL;
    }
    int rc = py_host->content_fd(name, data.buf, (size_t)data.len, writable ? SANDLOCK_CONTENT_WRITABLE : 0);
    PyBuffer_Release(&data);
    return rc < 0 ? host_error(rc) : PyLong_FromLong(rc);
}

static PyMethodDef module_methods[] = {
    { "log", mod_log, METH_VARARGS,
      "log(message, level=INFO): a line under the name of the instance running on this thread (else the first)" },
    { "content_fd", (PyCFunction)(void (*)(void))mod_content_fd, METH_VARARGS | METH_KEYWORDS,
      "content_fd(data, name=None, writable=False) -> int: a memfd holding data (sealed unless writable)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sandlock",
    .m_doc = "The sandlock plugin SDK for Python handlers: see sandlock-python(7).",
    .m_size = -1,
    .m_methods = module_methods,
};

/* A module attribute, as a new reference kept for py_verdict(). */
static PyObject *keep(PyObject *mod, const char *name)
{
    PyObject *o = PyObject_GetAttrString(mod, name);
    return o;
}

PyObject *py_module_init(void)
{
    if (PyType_Ready(&event_type) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module_def);
    if (!mod)
        return NULL;
    PyObject *dict = PyModule_GetDict(mod);
    PyObject *done = PyRun_String(py_verdicts_source, Py_file_input, dict, dict);
    if (!done)
        goto fail;
    Py_DECREF(done);
    stale_error = PyErr_NewExceptionWithDoc("sandlock.StaleEventError",
                                            "An event was used after its notification was answered.",
                                            PyExc_RuntimeError, NULL);
    if (!stale_error || PyModule_AddObjectRef(mod, "StaleEventError", stale_error) < 0 ||
        PyModule_AddObjectRef(mod, "Event", (PyObject *)&event_type) < 0 ||
        PyModule_AddIntConstant(mod, "ERROR", SANDLOCK_LOG_ERROR) < 0 ||
        PyModule_AddIntConstant(mod, "WARN", SANDLOCK_LOG_WARN) < 0 ||
        PyModule_AddIntConstant(mod, "INFO", SANDLOCK_LOG_INFO) < 0 ||
        PyModule_AddIntConstant(mod, "DEBUG", SANDLOCK_LOG_DEBUG) < 0 ||
        py_sock_call_init(mod) < 0 ||
        (py_host && PyModule_AddStringConstant(mod, "host_version", py_host->host_version) < 0))
        goto fail;
    v_continue = keep(mod, "Continue");
    v_defer = keep(mod, "Defer");
    c_errno = keep(mod, "Errno");
    c_return = keep(mod, "Return");
    c_kill = keep(mod, "Kill");
    c_fd = keep(mod, "Fd");
    if (!v_continue || !v_defer || !c_errno || !c_return || !c_kill || !c_fd)
        goto fail;
    return mod;
fail:
    Py_DECREF(mod);
    return NULL;
}

void py_module_fini(void)
{
    Py_CLEAR(v_continue);
    Py_CLEAR(v_defer);
    Py_CLEAR(c_errno);
    Py_CLEAR(c_return);
    Py_CLEAR(c_kill);
    Py_CLEAR(c_fd);
    Py_CLEAR(stale_error);
}
