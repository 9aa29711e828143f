# plugins/uname/ (fragment included from plugins/local.mk)
plugins_LTLIBRARIES += plugins/uname.la
plugins_uname_la_SOURCES = plugins/uname/uname.c
plugins_uname_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_uname_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/uname/uname-probe
plugins_uname_uname_probe_SOURCES = plugins/uname/probe.c
plugins_uname_uname_probe_CFLAGS = $(WARN_CFLAGS)
plugins_uname_uname_probe_LDFLAGS =

TESTS += plugins/uname/test.sh
dist_check_SCRIPTS += plugins/uname/test.sh
EXTRA_DIST += plugins/uname/README.md
dist_man_MANS += man/sandlock-uname.7
