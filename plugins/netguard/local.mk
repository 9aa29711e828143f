# plugins/netguard/ (fragment included from plugins/local.mk): connect,
# bind and addressed sends by address.
plugins_LTLIBRARIES += plugins/netguard.la
plugins_netguard_la_SOURCES = plugins/netguard/netguard.c plugins/netguard/rules.c plugins/pathnorm.c plugins/pathnorm.h \
	plugins/netguard/families.c plugins/netguard/families.h \
	plugins/netguard/rules.h
plugins_netguard_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_netguard_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# Unit tests of the ADDR parser and the decision rule.
check_PROGRAMS += plugins/netguard/test-rules
plugins_netguard_test_rules_SOURCES = plugins/netguard/test-rules.c plugins/netguard/rules.c plugins/pathnorm.c \
	core/sockaddr.c
plugins_netguard_test_rules_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/core
TESTS += plugins/netguard/test-rules

# Servers (outside) and clients (inside the sandbox): no sanitizers.
check_PROGRAMS += plugins/netguard/ngprobe
plugins_netguard_ngprobe_SOURCES = plugins/netguard/ngprobe.c
plugins_netguard_ngprobe_CFLAGS = $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
plugins_netguard_ngprobe_LDFLAGS =
plugins_netguard_ngprobe_LDADD = $(PTHREAD_LIBS)

TESTS += plugins/netguard/test.sh
dist_check_SCRIPTS += plugins/netguard/test.sh
dist_man_MANS += man/sandlock-netguard.7
EXTRA_DIST += plugins/netguard/README.md
