# plugins/ -- the bundled plugins, one directory each.
plugins_LTLIBRARIES += plugins/verdict.la
plugins_verdict_la_SOURCES = plugins/verdict/verdict.c
plugins_verdict_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_verdict_la_LDFLAGS = $(PLUGIN_LDFLAGS)
