# python/ (included from Makefile.am): `import sandlock` for Python
# programs, a setuptools package (pip install ./python) whose C extension
# compiles the python plugin's glue. Its test installs it into a venv
# against this build (SANDLOCK_BUILD_DIR) and runs its pytest tests.
python_package_files = \
	python/README.md \
	python/pyproject.toml \
	python/setup.py \
	python/run.c \
	python/tests/conftest.py \
	python/tests/test_run.py
EXTRA_DIST += $(python_package_files)
if HAVE_PYTHON_EMBED
TESTS += python/test.sh
endif
dist_check_SCRIPTS += python/test.sh
