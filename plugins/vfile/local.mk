# plugins/vfile/ (fragment included from plugins/local.mk)
