# man/ -- the manual pages of the command, of its configuration file and of
# libsandlock.
# Bundled plugins register their own pages (sandlock-NAME.7) in their
# fragments.
dist_man_MANS += man/sandlock.1 man/sandlock.ini.5 man/sandlock.3
