/* traceback.c -- the logging of a handler's exceptions, shared by the
 * python plugin and the `import sandlock` extension (python/): the
 * traceback once per distinct site (file:line of the innermost frame), a
 * one-line summary later, under the instance's name. */
#include "pyplugin.h"

#include <stdio.h>
#include <string.h>

/* "file:line" of the innermost frame of the traceback, else the type. */
static PyObject *site_of(PyObject *type, PyObject *tb)
{
    PyObject *next;
    Py_XINCREF(tb);
    while (tb && tb != Py_None && (next = PyObject_GetAttrString(tb, "tb_next")) && next != Py_None) {
        Py_DECREF(tb);
        tb = next;
    }
    PyObject *site = NULL;
    if (tb && tb != Py_None) {
        PyObject *frame = PyObject_GetAttrString(tb, "tb_frame");
        PyObject *line = PyObject_GetAttrString(tb, "tb_lineno");
        PyCodeObject *code = frame ? PyFrame_GetCode((PyFrameObject *)frame) : NULL;
        if (code && line)
            site = PyUnicode_FromFormat("%U:%S", code->co_filename, line);
        Py_XDECREF((PyObject *)code);
        Py_XDECREF(frame);
        Py_XDECREF(line);
    }
    Py_XDECREF(tb);
    PyErr_Clear();
    return site ? site : PyObject_GetAttrString(type, "__name__");
}

/* Logs each line of traceback.format_exception(value). */
static void log_traceback(const sandlock_config *cfg, PyObject *value)
{
    PyObject *mod = PyImport_ImportModule("traceback");
    PyObject *lines = mod ? PyObject_CallMethod(mod, "format_exception", "O", value) : NULL;
    PyObject *joined = lines ? PyUnicode_Join(NULL, lines) : NULL;
    const char *text = joined ? PyUnicode_AsUTF8(joined) : NULL;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        py_host->log(cfg, SANDLOCK_LOG_ERROR, "  %.*s", len, p);
        p += len + (nl != NULL);
    }
    PyErr_Clear();
    Py_XDECREF(joined);
    Py_XDECREF(lines);
    Py_XDECREF(mod);
}

void py_log_exception(struct py_instance *in, const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (!type)
        return;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value)
        PyException_SetTraceback(value, tb);
    PyObject *site = site_of(type, tb);
    PyObject *summary = value ? PyObject_Str(value) : NULL;
    PyObject *tname = PyObject_GetAttrString(type, "__name__");
    const char *s = summary ? PyUnicode_AsUTF8(summary) : NULL;
    const char *t = tname ? PyUnicode_AsUTF8(tname) : NULL;
    const char *at = site ? PyUnicode_AsUTF8(site) : NULL;
    int first = site && in->sites && PySet_Contains(in->sites, site) == 0;
    PyErr_Clear();
    if (first) {
        PySet_Add(in->sites, site);
        py_host->log(in->cfg, SANDLOCK_LOG_ERROR, "%s: %s: %s (at %s; exception policy; traceback follows, once for this site)",
                     what, t ? t : "?", s ? s : "?", at ? at : "?");
        if (value)
            log_traceback(in->cfg, value);
    } else {
        py_host->log(in->cfg, SANDLOCK_LOG_DEBUG, "%s: %s: %s (at %s; exception policy)", what, t ? t : "?",
                     s ? s : "?", at ? at : "?");
    }
    PyErr_Clear();
    Py_XDECREF(tname);
    Py_XDECREF(summary);
    Py_XDECREF(site);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* A load error from the pending Python exception: "FILE:LINE: Type: message"
 * (a SyntaxError names its own file and line). The traceback goes to the
 * log as well. */
void py_load_error(struct py_instance *in, char *errbuf, const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value)
        PyException_SetTraceback(value, tb);
    PyObject *file = NULL, *line = NULL, *msg = NULL;
    if (value && PyErr_GivenExceptionMatches(type, PyExc_SyntaxError)) {
        file = PyObject_GetAttrString(value, "filename");
        line = PyObject_GetAttrString(value, "lineno");
        msg = PyObject_GetAttrString(value, "msg");
    } else {
        for (PyObject *t = tb; t && t != Py_None;) {
            PyObject *frame = PyObject_GetAttrString(t, "tb_frame");
            PyCodeObject *code = frame ? PyFrame_GetCode((PyFrameObject *)frame) : NULL;
            if (code) {
                Py_XSETREF(file, Py_NewRef(code->co_filename));
                Py_XSETREF(line, PyObject_GetAttrString(t, "tb_lineno"));
            }
            Py_XDECREF((PyObject *)code);
            Py_XDECREF(frame);
            PyObject *next = PyObject_GetAttrString(t, "tb_next");
            if (t != tb)
                Py_DECREF(t);
            t = next;
            if (t == Py_None) {
                Py_DECREF(t);
                break;
            }
        }
        msg = value ? PyObject_Str(value) : NULL;
    }
    PyErr_Clear();
    PyObject *tname = PyObject_GetAttrString(type, "__name__");
    PyObject *text = PyUnicode_FromFormat("%s: %S:%S: %S: %S", what, file ? file : Py_None,
                                          line ? line : Py_None, tname ? tname : Py_None, msg ? msg : Py_None);
    const char *t = text ? PyUnicode_AsUTF8(text) : NULL;
    snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "%s", t ? t : what);
    PyErr_Clear();
    if (value && !PyErr_GivenExceptionMatches(type, PyExc_SyntaxError)) {
        PyErr_Restore(Py_NewRef(type), Py_NewRef(value), Py_XNewRef(tb));
        py_log_exception(in, what);
    }
    Py_XDECREF(text);
    Py_XDECREF(tname);
    Py_XDECREF(file);
    Py_XDECREF(line);
    Py_XDECREF(msg);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}
