# plugins/audit/ (fragment included from plugins/local.mk)
