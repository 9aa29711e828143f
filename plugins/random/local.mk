# plugins/random/ (fragment included from plugins/local.mk)
plugins_LTLIBRARIES += plugins/random.la
plugins_random_la_SOURCES = plugins/random/random.c
plugins_random_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_random_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/random/random-probe
plugins_random_random_probe_SOURCES = plugins/random/probe.c
plugins_random_random_probe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
plugins_random_random_probe_LDFLAGS =
plugins_random_random_probe_LDADD = $(PTHREAD_LIBS)

TESTS += plugins/random/test.sh
dist_check_SCRIPTS += plugins/random/test.sh
EXTRA_DIST += plugins/random/README.md
dist_man_MANS += man/sandlock-random.7
