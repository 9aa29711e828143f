# tests/transparency/ -- `make check-transparency`: CPython's regression
# tests bare, under the default configuration and under every bundled plugin
# (tests/transparency/README.md). Slow, and judged by a test suite nobody here
# wrote: never part of `make check`.
#   make check-transparency MODULES="test_os test_shutil" USERS=root
EXTRA_DIST += tests/transparency/README.md tests/transparency/run.sh \
	tests/transparency/results.py tests/transparency/all-plugins.ini

MODULES =
USERS =
TRANSPARENCY_FLAGS =

.PHONY: check-transparency
check-transparency: sandlock$(EXEEXT) $(plugins_LTLIBRARIES)
	bash $(abs_srcdir)/tests/transparency/run.sh --sandlock $(abs_builddir)/sandlock$(EXEEXT) \
		--config default=$(abs_srcdir)/examples/sandlock.ini \
		--config all-plugins=$(abs_srcdir)/tests/transparency/all-plugins.ini \
		--modules "$(MODULES)" --users "$(USERS)" --out $(abs_builddir)/transparency-out \
		$(TRANSPARENCY_FLAGS)
