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
tests_services_test_memory_LDADD = core/libsandlock-core.la
