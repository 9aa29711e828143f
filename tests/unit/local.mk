# tests/unit/ tests (fragment included from tests/local.mk)
