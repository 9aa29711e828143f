# tests/services/ tests (fragment included from tests/local.mk)
