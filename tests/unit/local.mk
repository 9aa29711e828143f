# tests/unit/ -- C unit tests of the core (linked against the same
# convenience library as the sandlock binary), the fixture plugin modules
# they load, and the `sandlock check` command-line tests.
UNIT_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/tests \
	-DFIXTURE_DIR='"$(abs_top_builddir)/tests/unit/fixtures/.libs"'
UNIT_TEST_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(INIH_CFLAGS)

unit_c_tests = \
	tests/unit/test_values \
	tests/unit/test_config
check_PROGRAMS += $(unit_c_tests)
TESTS += $(unit_c_tests)

tests_unit_test_values_SOURCES = tests/unit/test_values.c
tests_unit_test_values_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_values_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_values_LDADD = core/libsandlock-core.la

tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_config_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_config_LDADD = core/libsandlock-core.la
