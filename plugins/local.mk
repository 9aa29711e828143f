# plugins/ -- the bundled plugins, one directory each.
plugins_LTLIBRARIES += plugins/verdict.la
plugins_verdict_la_SOURCES = plugins/verdict/verdict.c
plugins_verdict_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_verdict_la_LDFLAGS = $(PLUGIN_LDFLAGS)
# Path syscalls some architectures lack (fsdeny, vfile).
noinst_HEADERS += plugins/legacy_syscalls.h

include $(srcdir)/plugins/audit/local.mk
include $(srcdir)/plugins/fsdeny/local.mk
include $(srcdir)/plugins/netguard/local.mk
include $(srcdir)/plugins/vfile/local.mk
include $(srcdir)/plugins/uname/local.mk
include $(srcdir)/plugins/random/local.mk
include $(srcdir)/plugins/python/local.mk

TESTS += plugins/verdict/test.sh
dist_check_SCRIPTS += plugins/verdict/test.sh
