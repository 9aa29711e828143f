# tests/ -- shared helpers; each suite has its own fragment.
EXTRA_DIST += deploy/kubernetes/README.md deploy/kubernetes/kustomization.yaml deploy/kubernetes/namespace.yaml \
	deploy/kubernetes/configmap.yaml deploy/kubernetes/daemonset.yaml deploy/kubernetes/pod-example.yaml \
	deploy/systemd/sandlock-agent.socket deploy/systemd/sandlock-agent.service
EXTRA_DIST += tests/tap.h tests/lib.sh tests/peercred.sh tests/run.sh tests/repeat.sh tests/build.sh build-aux/tap-driver.sh
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/integration/local.mk
include $(srcdir)/tests/services/local.mk
include $(srcdir)/tests/library/local.mk
include $(srcdir)/tests/oci/local.mk

# fsdeny and netguard in one chain (both plugins built here).
TESTS += tests/compose.sh
dist_check_SCRIPTS += tests/compose.sh

TESTS += tests/default-config.sh tests/install.sh tests/man-pages.sh tests/deploy.sh
dist_check_SCRIPTS += tests/default-config.sh tests/install.sh tests/man-pages.sh tests/deploy.sh
