# plugins/fsdeny/ (fragment included from plugins/local.mk): path rules
# without open races.
plugins_LTLIBRARIES += plugins/fsdeny.la
plugins_fsdeny_la_SOURCES = plugins/fsdeny/fsdeny.c plugins/fsdeny/rules.c plugins/fsdeny/rules.h \
	plugins/fsdeny/masking.c plugins/fsdeny/masking.h \
	plugins/fsdeny/object.c plugins/fsdeny/object.h plugins/fsdeny/behalf.c plugins/fsdeny/behalf.h \
	plugins/fsdeny/blocking.c plugins/fsdeny/blocking.h plugins/fsdeny/execwatch.c plugins/fsdeny/execwatch.h \
	plugins/fsdeny/sockets.c plugins/fsdeny/sockets.h plugins/fsdeny/selfdir.c plugins/fsdeny/selfdir.h \
	plugins/pathnorm.c plugins/pathnorm.h
plugins_fsdeny_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_fsdeny_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Unit tests of the glob dialect and the decision rule.
check_PROGRAMS += plugins/fsdeny/test-rules
plugins_fsdeny_test_rules_SOURCES = plugins/fsdeny/test-rules.c plugins/fsdeny/rules.c
plugins_fsdeny_test_rules_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
TESTS += plugins/fsdeny/test-rules

# The held /proc/self/fd directory, also across fork.
check_PROGRAMS += plugins/fsdeny/test-selfdir
plugins_fsdeny_test_selfdir_SOURCES = plugins/fsdeny/test-selfdir.c plugins/fsdeny/selfdir.c
plugins_fsdeny_test_selfdir_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
TESTS += plugins/fsdeny/test-selfdir

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/fsdeny/fsprobe
plugins_fsdeny_fsprobe_SOURCES = plugins/fsdeny/fsprobe.c
plugins_fsdeny_fsprobe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
plugins_fsdeny_fsprobe_LDFLAGS =
plugins_fsdeny_fsprobe_LDADD = $(PTHREAD_LIBS)

TESTS += plugins/fsdeny/test.sh plugins/fsdeny/masks.sh plugins/fsdeny/sockets.sh
dist_check_SCRIPTS += plugins/fsdeny/test.sh plugins/fsdeny/masks.sh plugins/fsdeny/sockets.sh
dist_man_MANS += man/sandlock-fsdeny.7
EXTRA_DIST += plugins/fsdeny/README.md

# The differential test: diff.cases bare and under fsdeny, same results.
check_PROGRAMS += plugins/fsdeny/fsdiff
plugins_fsdeny_fsdiff_SOURCES = plugins/fsdeny/fsdiff.c
plugins_fsdeny_fsdiff_CFLAGS = $(WARN_CFLAGS)
plugins_fsdeny_fsdiff_LDFLAGS =
TESTS += plugins/fsdeny/diff.sh
dist_check_SCRIPTS += plugins/fsdeny/diff.sh
EXTRA_DIST += plugins/fsdeny/diff.cases
