# tests/integration/ tests (fragment included from tests/local.mk)
