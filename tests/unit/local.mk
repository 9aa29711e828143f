# tests/unit/ -- C unit tests of the core (linked against the same
# convenience library as the sandlock binary), the fixture plugin modules
# they load, and the `sandlock check` command-line tests.
UNIT_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/tests \
	-DFIXTURE_DIR='"$(abs_top_builddir)/tests/unit/fixtures/.libs"'
UNIT_TEST_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(INIH_CFLAGS) $(JANSSON_CFLAGS)

unit_c_tests = \
	tests/unit/test_values \
	tests/unit/test_config \
	tests/unit/test_host \
	tests/unit/test_abi \
	tests/unit/test_loader \
	tests/unit/test_chain \
	tests/unit/test_rules \
	tests/unit/test_filter \
	tests/unit/test_argdeny \
	tests/unit/test_sockaddr \
	tests/unit/test_trust
check_PROGRAMS += $(unit_c_tests)
TESTS += $(unit_c_tests)

tests_unit_test_sockaddr_SOURCES = tests/unit/test_sockaddr.c
tests_unit_test_sockaddr_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_sockaddr_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_sockaddr_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_values_SOURCES = tests/unit/test_values.c
tests_unit_test_values_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_values_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_values_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_config_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_config_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_host_SOURCES = tests/unit/test_host.c
tests_unit_test_host_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_host_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_host_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_abi_SOURCES = tests/unit/test_abi.c
tests_unit_test_abi_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_abi_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_abi_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_argdeny_SOURCES = tests/unit/test_argdeny.c
tests_unit_test_argdeny_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_argdeny_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_argdeny_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_loader_SOURCES = tests/unit/test_loader.c
tests_unit_test_loader_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_loader_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_loader_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_filter_SOURCES = tests/unit/test_filter.c
tests_unit_test_filter_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_filter_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_filter_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_rules_SOURCES = tests/unit/test_rules.c
tests_unit_test_rules_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_rules_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_rules_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_chain_SOURCES = tests/unit/test_chain.c
tests_unit_test_chain_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_chain_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_chain_LDADD = $(SANDLOCK_CORE_LIBS)

tests_unit_test_trust_SOURCES = tests/unit/test_trust.c
tests_unit_test_trust_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_trust_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_trust_LDADD = $(SANDLOCK_CORE_LIBS)

# Fixture plugin modules, loaded by test_loader and test_chain from
# tests/unit/fixtures/.libs. Built for `make check`, never installed.
check_LTLIBRARIES += \
	tests/unit/fixtures/fixture.la \
	tests/unit/fixtures/nosym.la \
	tests/unit/fixtures/v2only.la \
	tests/unit/fixtures/nullentry.la \
	tests/unit/fixtures/badvtable.la
tests_unit_fixtures_fixture_la_SOURCES = tests/unit/fixtures/fixture.c
tests_unit_fixtures_fixture_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_unit_fixtures_fixture_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_unit_fixtures_nullentry_la_SOURCES = tests/unit/fixtures/nullentry.c
tests_unit_fixtures_nullentry_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_unit_fixtures_nullentry_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_unit_fixtures_badvtable_la_SOURCES = tests/unit/fixtures/badvtable.c
tests_unit_fixtures_badvtable_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_unit_fixtures_badvtable_la_LDFLAGS = $(TEST_MODULE_FLAGS)
# These two must not export sandlock_plugin_entry_v1.
tests_unit_fixtures_nosym_la_SOURCES = tests/unit/fixtures/nosym.c
tests_unit_fixtures_nosym_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_unit_fixtures_nosym_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^not_a_plugin$$'
tests_unit_fixtures_v2only_la_SOURCES = tests/unit/fixtures/v2only.c
tests_unit_fixtures_v2only_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_unit_fixtures_v2only_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^sandlock_plugin_entry_v2$$'

# `sandlock check` from the command line.
TESTS += tests/unit/check.sh tests/unit/continuation.sh tests/unit/oci-profile.sh
dist_check_SCRIPTS += tests/unit/check.sh tests/unit/continuation.sh tests/unit/oci-profile.sh

# The OCI seccomp agent's receiving side against a socketpair peer.
check_PROGRAMS += tests/unit/test_agent_proto
TESTS += tests/unit/test_agent_proto
tests_unit_test_agent_proto_SOURCES = tests/unit/test_agent_proto.c
tests_unit_test_agent_proto_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_agent_proto_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_agent_proto_LDADD = $(SANDLOCK_AGENT_LIBS)

# A container's identity in an agent profile's keys (%{id}, ...).
check_PROGRAMS += tests/unit/test_placeholders
TESTS += tests/unit/test_placeholders
tests_unit_test_placeholders_SOURCES = tests/unit/test_placeholders.c
tests_unit_test_placeholders_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_placeholders_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_placeholders_LDADD = $(SANDLOCK_CORE_LIBS)

# Which configuration a container's listenerMetadata selects.
check_PROGRAMS += tests/unit/test_agent_profile
TESTS += tests/unit/test_agent_profile
tests_unit_test_agent_profile_SOURCES = tests/unit/test_agent_profile.c
tests_unit_test_agent_profile_CPPFLAGS = $(UNIT_TEST_CPPFLAGS)
tests_unit_test_agent_profile_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_unit_test_agent_profile_LDADD = $(SANDLOCK_AGENT_LIBS)
