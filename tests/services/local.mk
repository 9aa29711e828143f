# tests/services/ -- the host services of the plugin ABI (child memory,
# content fds, paths, child fds, deferred answers), tested against real
# notifications and real sandboxed children.
SERVICES_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/tests

services_c_tests = tests/services/test_memory
check_PROGRAMS += $(services_c_tests)
TESTS += $(services_c_tests)

tests_services_test_memory_SOURCES = tests/services/test_memory.c
tests_services_test_memory_CPPFLAGS = $(SERVICES_TEST_CPPFLAGS)
tests_services_test_memory_CFLAGS = $(AM_CFLAGS)
tests_services_test_memory_LDADD = $(SANDLOCK_CORE_LIBS)

# The test plugin (runs in the supervisor) and the probe (runs in the
# sandbox: no sanitizers, static so it also runs in a bare chroot).
check_LTLIBRARIES += tests/services/svc.la
tests_services_svc_la_SOURCES = tests/services/svc.c
tests_services_svc_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_services_svc_la_LDFLAGS = $(TEST_MODULE_FLAGS)

check_PROGRAMS += tests/services/probe
tests_services_probe_SOURCES = tests/services/probe.c
tests_services_probe_CFLAGS = $(WARN_CFLAGS)
tests_services_probe_LDFLAGS = -all-static -pthread

services_sh_tests = tests/services/memory.sh tests/services/content.sh tests/services/paths.sh tests/services/childfd.sh tests/services/defer.sh
dist_check_SCRIPTS += $(services_sh_tests) tests/services/common.sh
TESTS += $(services_sh_tests)
