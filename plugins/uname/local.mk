# plugins/uname/ (fragment included from plugins/local.mk)
