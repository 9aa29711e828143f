# tests/oci/ -- the OCI seccomp agent protocol with a real container
# runtime (runc, crun, podman): a stand-in listener on the agent's receiving side
# (core/agent_proto.c) and a static probe that runs in the container.
check_PROGRAMS += tests/oci/listener tests/oci/probe
tests_oci_listener_SOURCES = tests/oci/listener.c
tests_oci_listener_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core
tests_oci_listener_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_oci_listener_LDADD = $(SANDLOCK_AGENT_LIBS)
# Static and without the sanitizers: the container's rootfs has no libc.
tests_oci_probe_SOURCES = tests/oci/probe.c
tests_oci_probe_CFLAGS = $(WARN_CFLAGS)
tests_oci_probe_LDFLAGS = -all-static

TESTS += tests/oci/e2e.sh
dist_check_SCRIPTS += tests/oci/e2e.sh
TESTS += tests/oci/agent.sh
dist_check_SCRIPTS += tests/oci/agent.sh
TESTS += tests/oci/podman.sh
dist_check_SCRIPTS += tests/oci/podman.sh
TESTS += tests/oci/pidreuse.sh
dist_check_SCRIPTS += tests/oci/pidreuse.sh
TESTS += tests/oci/cgroup.sh
dist_check_SCRIPTS += tests/oci/cgroup.sh
EXTRA_DIST += tests/oci/lib.sh
