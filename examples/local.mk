# examples/ -- sandlock.ini (installed, see Makefile.am) and the out-of-tree
# plugin example, which a test builds against a scratch installation.
hello_plugin_files = \
	examples/hello-plugin/Makefile \
	examples/hello-plugin/README.md \
	examples/hello-plugin/hello.c \
	examples/hello-plugin/hello.ini
EXTRA_DIST += $(hello_plugin_files)
TESTS += examples/hello-plugin/test.sh
dist_check_SCRIPTS += examples/hello-plugin/test.sh

# The out-of-tree program that embeds libsandlock (sandlock(3)), built and
# run by its test against a scratch installation.
embed_files = \
	examples/embed/Makefile \
	examples/embed/README.md \
	examples/embed/embed.c
EXTRA_DIST += $(embed_files)
TESTS += examples/embed/test.sh
dist_check_SCRIPTS += examples/embed/test.sh
# The Python handler example (its README's command is run by its test).
EXTRA_DIST += examples/python/README.md examples/python/audit_deny.py examples/python/audit-deny.ini
dist_check_SCRIPTS += examples/python/test.sh
if HAVE_PYTHON_EMBED
TESTS += examples/python/test.sh
endif
