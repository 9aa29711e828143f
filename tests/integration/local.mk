# tests/integration/ -- `sandlock run` end to end, through real sandboxed
# children: a probe program that makes system calls inside the sandbox and
# reports what it sees, a fixture plugin with configurable (mis)behaviour,
# and TAP shell scripts (fragment included from tests/local.mk).

# The probe runs inside the sandbox: built without the sanitizers so that
# what it does at start-up is plain libc.
check_PROGRAMS += tests/integration/probe
tests_integration_probe_SOURCES = tests/integration/probe.c
tests_integration_probe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
tests_integration_probe_LDFLAGS =
tests_integration_probe_LDADD = $(PTHREAD_LIBS)

# Changes its credentials, then makes one call (creds.sh).
check_PROGRAMS += tests/integration/credprobe
tests_integration_credprobe_SOURCES = tests/integration/credprobe.c
tests_integration_credprobe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
tests_integration_credprobe_LDFLAGS =
tests_integration_credprobe_LDADD = $(PTHREAD_LIBS)

# The id calls of an unprivileged process, run as nobody bare and sandboxed
# (userns.sh).
EXTRA_DIST += tests/integration/idprobe.py

# Takes a 50 us timer's signals while it opens a file in a loop (eintr.sh).
check_PROGRAMS += tests/integration/sigprobe
tests_integration_sigprobe_SOURCES = tests/integration/sigprobe.c
tests_integration_sigprobe_CFLAGS = $(WARN_CFLAGS)
tests_integration_sigprobe_LDFLAGS =

check_LTLIBRARIES += tests/integration/fixture.la
tests_integration_fixture_la_SOURCES = tests/integration/fixture.c
tests_integration_fixture_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_integration_fixture_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_integration_fixture_la_LIBADD = $(PTHREAD_LIBS)

# Declares a key of every kind (keys.sh), and crashes where asked (faults.sh).
check_LTLIBRARIES += tests/integration/keyed.la
tests_integration_keyed_la_SOURCES = tests/integration/keyed.c
tests_integration_keyed_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_integration_keyed_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_integration_keyed_la_LIBADD = $(PTHREAD_LIBS)

# Redirects path calls to the host's on-behalf services (behalf.sh); its
# probe is static so that it also runs in a bare chroot.
check_LTLIBRARIES += tests/integration/onbehalf.la
tests_integration_onbehalf_la_SOURCES = tests/integration/onbehalf.c
tests_integration_onbehalf_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_integration_onbehalf_la_LDFLAGS = $(TEST_MODULE_FLAGS)
check_PROGRAMS += tests/integration/behalfprobe
tests_integration_behalfprobe_SOURCES = tests/integration/behalfprobe.c
tests_integration_behalfprobe_CFLAGS = $(WARN_CFLAGS)
tests_integration_behalfprobe_LDFLAGS = -all-static

# A plugin built for ABI 1.2: no declared keys (keys.sh).
check_LTLIBRARIES += tests/integration/abi12.la
tests_integration_abi12_la_SOURCES = tests/integration/abi12.c
tests_integration_abi12_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_integration_abi12_la_LDFLAGS = $(TEST_MODULE_FLAGS)

# Not a plugin: its constructor creates $SANDLOCK_TEST_MARKER (trust.sh).
check_LTLIBRARIES += tests/integration/ctormark.la
tests_integration_ctormark_la_SOURCES = tests/integration/ctormark.c
tests_integration_ctormark_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_integration_ctormark_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '^ctormark_present$$'

INTEGRATION_TESTS = \
	tests/integration/verdicts.sh \
	tests/integration/chain.sh \
	tests/integration/exceptions.sh \
	tests/integration/handoff.sh \
	tests/integration/filter.sh \
	tests/integration/lifecycle.sh \
	tests/integration/signals.sh \
	tests/integration/stats.sh \
	tests/integration/stress.sh \
	tests/integration/tiocsti.sh \
	tests/integration/eintr.sh \
	tests/integration/creds.sh \
	tests/integration/trust.sh \
	tests/integration/hostview.sh \
	tests/integration/userns.sh \
	tests/integration/rules.sh \
	tests/integration/denials.sh \
	tests/integration/cli.sh \
	tests/integration/dropins.sh \
	tests/integration/keys.sh \
	tests/integration/faults.sh \
	tests/integration/behalf.sh \
	tests/integration/startup.sh \
	tests/integration/nopidns.sh
TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS)
dist_check_DATA += tests/integration/common.sh
