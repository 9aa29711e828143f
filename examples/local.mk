# examples/ -- sandlock.ini (installed, see Makefile.am) and the out-of-tree
# plugin example, which a test builds against a scratch installation. The
# skeleton plugin and the embedding example are installed with the docs
# ($(docdir)/examples), next to the SDK headers a third party builds with.
helloplugindir = $(docdir)/examples/hello-plugin
dist_helloplugin_DATA = \
	examples/hello-plugin/Makefile \
	examples/hello-plugin/README.md \
	examples/hello-plugin/hello.c \
	examples/hello-plugin/hello.ini
TESTS += examples/hello-plugin/test.sh
dist_check_SCRIPTS += examples/hello-plugin/test.sh

# The out-of-tree program that embeds libsandlock (sandlock(3)), built and
# run by its test against a scratch installation.
embeddir = $(docdir)/examples/embed
dist_embed_DATA = \
	examples/embed/Makefile \
	examples/embed/README.md \
	examples/embed/embed.c
TESTS += examples/embed/test.sh
dist_check_SCRIPTS += examples/embed/test.sh
# The Python handler example (its README's command is run by its test).
EXTRA_DIST += examples/python/README.md examples/python/audit_deny.py examples/python/audit-deny.ini
dist_check_SCRIPTS += examples/python/test.sh
if HAVE_PYTHON_EMBED
TESTS += examples/python/test.sh
endif
