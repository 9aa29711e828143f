# plugins/netguard/ (fragment included from plugins/local.mk)
