# plugins/fsdeny/ (fragment included from plugins/local.mk)
