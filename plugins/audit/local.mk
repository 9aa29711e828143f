# plugins/audit/ (fragment included from plugins/local.mk)
plugins_LTLIBRARIES += plugins/audit.la
plugins_audit_la_SOURCES = plugins/audit/audit.c plugins/audit/record.c plugins/audit/record.h \
	plugins/audit/writer.c plugins/audit/writer.h
plugins_audit_la_CFLAGS = $(PLUGIN_CFLAGS) $(PTHREAD_CFLAGS)
plugins_audit_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_audit_la_LIBADD = $(PTHREAD_LIBS)

# Unit test of the line builder (runs in the test process: sanitizers ok).
check_PROGRAMS += plugins/audit/test-record
plugins_audit_test_record_SOURCES = plugins/audit/test-record.c plugins/audit/record.c core/sockaddr.c
plugins_audit_test_record_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
TESTS += plugins/audit/test-record

# Unit test of the writer thread (runs in the test process: sanitizers ok).
check_PROGRAMS += plugins/audit/test-writer
plugins_audit_test_writer_SOURCES = plugins/audit/test-writer.c plugins/audit/writer.c
plugins_audit_test_writer_CFLAGS = $(AM_CFLAGS) $(PTHREAD_CFLAGS)
plugins_audit_test_writer_LDADD = $(PTHREAD_LIBS)
TESTS += plugins/audit/test-writer

# The probe runs inside the sandbox: no sanitizers.
check_PROGRAMS += plugins/audit/audit-probe
plugins_audit_audit_probe_SOURCES = plugins/audit/probe.c
plugins_audit_audit_probe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
plugins_audit_audit_probe_LDFLAGS =
plugins_audit_audit_probe_LDADD = $(PTHREAD_LIBS)

TESTS += plugins/audit/test.sh
dist_check_SCRIPTS += plugins/audit/test.sh
EXTRA_DIST += plugins/audit/README.md plugins/audit/bench-vs-strace.sh
dist_man_MANS += man/sandlock-audit.7

# Not part of make check: audit against strace on the same workload.
bench-audit: sandlock$(EXEEXT) plugins/audit.la
	bash $(top_srcdir)/plugins/audit/bench-vs-strace.sh ./sandlock
.PHONY: bench-audit
