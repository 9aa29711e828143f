# plugins/vfile/ (fragment included from plugins/local.mk): virtual files
# served as sealed memfds.
plugins_LTLIBRARIES += plugins/vfile.la
plugins_vfile_la_SOURCES = plugins/vfile/vfile.c plugins/vfile/content.c plugins/vfile/content.h \
	plugins/pathnorm.c plugins/pathnorm.h
plugins_vfile_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_vfile_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Unit tests of the escape decoder and path normalisation.
check_PROGRAMS += plugins/vfile/test-content
plugins_vfile_test_content_SOURCES = plugins/vfile/test-content.c plugins/vfile/content.c plugins/pathnorm.c
plugins_vfile_test_content_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
TESTS += plugins/vfile/test-content

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/vfile/vfprobe
plugins_vfile_vfprobe_SOURCES = plugins/vfile/vfprobe.c
plugins_vfile_vfprobe_CFLAGS = $(WARN_CFLAGS)
plugins_vfile_vfprobe_LDFLAGS =
plugins_vfile_vfprobe_LDADD = -lpthread

TESTS += plugins/vfile/test.sh plugins/vfile/identity.sh
dist_check_SCRIPTS += plugins/vfile/test.sh plugins/vfile/identity.sh
dist_man_MANS += man/sandlock-vfile.7
EXTRA_DIST += plugins/vfile/README.md
