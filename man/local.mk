# man/ -- the manual pages of the command and of its configuration file.
# Bundled plugins register their own pages (sandlock-NAME.7) in their
# fragments.
dist_man_MANS += man/sandlock.1 man/sandlock.ini.5 man/sandlock-agent.8
