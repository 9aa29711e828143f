# man/ -- the manual pages of the command, of its configuration file and of
# libsandlock.
# Bundled plugins register their own pages (sandlock-NAME.7) in their
# fragments. sandlock(1) and sandlock.ini(5) name the installed paths: they
# are generated from their .in templates with the configured directories
# (@sandlockconfdir@, @sandlockdatadir@, @pluginsdir@, @bashcompletiondir@),
# a '-' in a path written as roff's '\-'.
man_generated = man/sandlock.1 man/sandlock.ini.5
man_MANS += $(man_generated)
EXTRA_DIST += $(man_generated:=.in)
CLEANFILES += $(man_generated)
man_roff = $(subst -,\\-,$(1))
man_subst = sed \
	-e 's|@sandlockconfdir[@]|$(call man_roff,$(sandlockconfdir))|g' \
	-e 's|@sandlockdatadir[@]|$(call man_roff,$(sandlockdatadir))|g' \
	-e 's|@pluginsdir[@]|$(call man_roff,$(pluginsdir))|g' \
	-e 's|@bashcompletiondir[@]|$(call man_roff,$(bashcompletiondir))|g'
$(man_generated): Makefile
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(man_subst) $(srcdir)/$@.in > $@-t && mv $@-t $@
man/sandlock.1: man/sandlock.1.in
man/sandlock.ini.5: man/sandlock.ini.5.in
dist_man_MANS += man/sandlock.3
dist_man_MANS += man/sandlock-agent.8
