# plugins/python/ (fragment included from plugins/local.mk): handlers
# written in Python, in an embedded CPython (libpython3-dev, pkg-config
# python3-embed). Built only when configure found it; CI installs it.
if HAVE_PYTHON_EMBED
plugins_LTLIBRARIES += plugins/python.la
plugins_python_la_SOURCES = plugins/python/python.c plugins/python/module.c plugins/python/interp.c \
	plugins/python/handler.c plugins/python/traceback.c plugins/python/sockcall.c \
	plugins/python/pyplugin.h plugins/python/verdicts.py.h
plugins_python_la_CFLAGS = $(PLUGIN_CFLAGS) $(PYTHON_EMBED_CFLAGS)
plugins_python_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_python_la_LIBADD = $(PYTHON_EMBED_LIBS)

TESTS += plugins/python/test.sh
dist_man_MANS += man/sandlock-python.7
endif
dist_check_SCRIPTS += plugins/python/test.sh
EXTRA_DIST += plugins/python/README.md plugins/python/tests plugins/python/lsan.supp

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/python/pyprobe
plugins_python_pyprobe_SOURCES = plugins/python/pyprobe.c
plugins_python_pyprobe_CFLAGS = $(WARN_CFLAGS)
plugins_python_pyprobe_LDFLAGS =
