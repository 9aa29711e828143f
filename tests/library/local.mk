# tests/library/ -- libsandlock (sandlock(3)) through its public header,
# linked against the shared library like any program that embeds it.
LIB_TEST_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/tests
lib_c_tests = tests/library/test_lib tests/library/test_lib_abi tests/library/test_sessions
check_PROGRAMS += $(lib_c_tests)
TESTS += $(lib_c_tests) tests/library/exports.sh tests/library/nobody.sh
dist_check_SCRIPTS += tests/library/exports.sh tests/library/nobody.sh

tests_library_test_lib_SOURCES = tests/library/test_lib.c tests/library/inproc.c tests/library/inproc.h
tests_library_test_lib_CPPFLAGS = $(LIB_TEST_CPPFLAGS)
tests_library_test_lib_LDADD = core/libsandlock.la $(PTHREAD_LIBS)

tests_library_test_sessions_SOURCES = tests/library/test_sessions.c tests/library/inproc.c tests/library/inproc.h
tests_library_test_sessions_CPPFLAGS = $(LIB_TEST_CPPFLAGS)
tests_library_test_sessions_LDADD = core/libsandlock.la $(PTHREAD_LIBS)

tests_library_test_lib_abi_SOURCES = tests/library/test_lib_abi.c
tests_library_test_lib_abi_CPPFLAGS = $(LIB_TEST_CPPFLAGS)
tests_library_test_lib_abi_LDADD = core/libsandlock.la
