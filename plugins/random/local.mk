# plugins/random/ (fragment included from plugins/local.mk)
