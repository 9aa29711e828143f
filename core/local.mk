# core/ -- the supervisor. Everything but main() is a convenience library so
# that unit tests link the same code.
noinst_LTLIBRARIES += core/libsandlock-core.la
core_libsandlock_core_la_SOURCES = \
	core/values.c core/values.h \
	core/log.c core/log.h \
	core/denial.c core/denial.h \
	core/json.c core/json.h \
	core/session.c core/session.h core/here.h \
	core/ctx.c core/ctx.h \
	core/sl_config.c core/sl_config.h \
	core/loader.c core/loader.h \
	core/keys.c core/keys.h \
	core/placeholders.c core/placeholders.h \
	core/plugins_cmd.c core/plugins_cmd.h \
	core/trust.c core/trust.h \
	core/host.c \
	core/chain.c core/chain.h \
	core/rules.c core/rules.h \
	core/fault.c core/fault.h \
	core/argdeny.c core/argdeny.h core/idrules.c core/idrules.h \
	core/filter.c core/filter.h \
	core/rulebpf.c core/rulebpf.h \
	core/respond.c core/respond.h \
	core/sandbox.c core/sandbox.h core/sandbox_internal.h \
	core/launch.c \
	core/proctree.c core/proctree.h \
	core/stub.c core/stub.h \
	core/supervisor.c core/supervisor.h \
	core/services.h \
	core/liveness.c core/liveness.h \
	core/memory.c core/memory.h \
	core/content.c core/content.h \
	core/paths.c core/paths.h \
	core/views.c core/views.h \
	core/behalf.c core/behalf.h \
	core/syscall_paths.c core/syscall_paths.h \
	core/sockaddr.c core/sockaddr.h \
	core/childfd.c core/childfd.h \
	core/creds.c core/creds.h \
	core/deputy.c core/deputy.h \
	core/sockcall.c core/sockcall.h core/sockperform.c core/sockexec.c core/sockexec.h \
	core/sockmsg.c core/sockmsg.h core/bindname.c core/bindname.h \
	core/masks.c core/masks.h core/stubcode.h \
	core/hostview.c core/hostview.h \
	core/userns.c core/userns.h \
	core/defer.c core/defer.h \
	core/eintr.c core/eintr.h \
	core/procfs.c core/procfs.h \
	core/attach.c core/attach.h \
	core/slots.c core/slots.h core/seccomp_ioctl.h \
	core/startup_trace.c core/startup_trace.h
nodist_core_libsandlock_core_la_SOURCES = core/builtin-config.c
BUILT_SOURCES += core/builtin-config.c
CLEANFILES += core/builtin-config.c
# The built-in default configuration is the installed one, as a C string.
core/builtin-config.c: $(top_srcdir)/examples/sandlock.ini
	$(AM_V_GEN)$(MKDIR_P) core && { \
	  echo '/* Generated from examples/sandlock.ini by the build: do not edit. */'; \
	  echo '#include "config.h"'; \
	  echo '#include "sl_config.h"'; \
	  echo 'const char sl_builtin_config[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $(top_srcdir)/examples/sandlock.ini; \
	  echo '    ;'; \
	} > $@-t && mv $@-t $@

core_libsandlock_core_la_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core $(SECCOMP_CFLAGS) $(INIH_CFLAGS)
core_libsandlock_core_la_LIBADD = $(PTHREAD_LIBS)
# What links the core: libtool drops a static archive (configure's
# --enable-static-deps puts those in SECCOMP_LIBS, INIH_LIBS and JANSSON_LIBS) from a
# convenience library's dependencies, so each program names the libraries
# itself.
SANDLOCK_CORE_LIBS = core/libsandlock-core.la $(SECCOMP_LIBS) $(INIH_LIBS) $(PTHREAD_LIBS)

# The containers' side (the OCI agent's protocol and profiles, oci-profile):
# JSON through jansson, for the sandlock program only -- libsandlock does
# not carry it (nor, with --enable-static-deps, a static libjansson.a,
# which is not position-independent).
noinst_LTLIBRARIES += core/libsandlock-agent.la
core_libsandlock_agent_la_SOURCES = \
	core/agent_proto.c core/agent_proto.h \
	core/agent_profile.c core/agent_profile.h \
	core/agent.c core/agent.h \
	core/agent_cgroup.c core/agent_cgroup.h \
	core/ociprofile.c core/ociprofile.h
core_libsandlock_agent_la_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/core $(SECCOMP_CFLAGS) $(INIH_CFLAGS) $(JANSSON_CFLAGS)
SANDLOCK_AGENT_LIBS = core/libsandlock-agent.la $(SANDLOCK_CORE_LIBS) $(JANSSON_LIBS)

bin_PROGRAMS += sandlock
sandlock_SOURCES = core/main.c
sandlock_CFLAGS = $(AM_CFLAGS)
sandlock_LDADD = $(SANDLOCK_AGENT_LIBS)

# libsandlock (sandlock(3)): the same core as a shared library. Only the
# public API of <sandlock/sandlock.h> is exported, under the version node
# of core/libsandlock.map; libtool's -version-info gives libsandlock.so.0.
lib_LTLIBRARIES = core/libsandlock.la
core_libsandlock_la_SOURCES =
# Linked with the shared libseccomp and inih even with --enable-static-deps
# (their static archives are for the sandlock program).
core_libsandlock_la_LIBADD = core/libsandlock-core.la $(SECCOMP_SHARED_LIBS) $(INIH_SHARED_LIBS) $(PTHREAD_LIBS)
core_libsandlock_la_LDFLAGS = -version-info 0:0:0 -no-undefined \
	-Wl,--version-script=$(srcdir)/core/libsandlock.map
EXTRA_core_libsandlock_la_DEPENDENCIES = core/libsandlock.map
EXTRA_DIST += core/libsandlock.map
