#!/bin/sh
# python/: `import sandlock`, as a user gets it: `pip install ./python`
# into a fresh venv (--system-site-packages for Debian's setuptools and
# pytest, --no-build-isolation --no-index: no network), built against this
# build tree (SANDLOCK_BUILD_DIR), then its pytest tests (python/tests),
# one TAP line per test from pytest's -rA summary; in a sanitizer build
# too.
. "$top_srcdir/tests/lib.sh"

# A sanitizer build's libsandlock needs the sanitizer runtimes loaded first,
# which a stock python3 does not do: they are preloaded for the tests (leak
# detection off: CPython keeps its allocations at exit), so that the
# extension and libsandlock run under ASan and UBSan as the rest does.
sanitizers=$(readelf -d "$top_builddir/core/.libs/libsandlock.so" 2>/dev/null |
    sed -n 's/.*Shared library: \[\(lib\(asan\|ubsan\)\.so[.0-9]*\)\].*/\1/p' | tr '\n' ' ')
preload() {
    if [ -n "$sanitizers" ]; then
        LD_PRELOAD="$sanitizers" ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$@"
    else
        "$@"
    fi
}
[ -z "$sanitizers" ] || echo "# a sanitizer build: python runs with LD_PRELOAD=$sanitizers"
py=
for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
    if "$candidate" -c 'import venv, ensurepip, pytest, setuptools, wheel' 2>/dev/null; then
        py=$candidate
        break
    fi
done
if [ -z "$py" ]; then
    skip "import sandlock (pip install, pytest)" \
        "no python3 with venv, pytest, setuptools and wheel (apt-get install python3-venv python3-pytest python3-setuptools python3-wheel)"
    done_testing
fi

# A copy of what the package needs from the source tree (which may be read
# only, as in make distcheck): python/, the plugin's glue, the headers.
tree="$TEST_TMP/tree"
mkdir -p "$tree/python/tests" "$tree/plugins/python/tests" "$tree/sdk"
cp "$top_srcdir"/python/README.md "$top_srcdir"/python/pyproject.toml "$top_srcdir"/python/setup.py \
    "$top_srcdir"/python/run.c "$tree/python/"
cp "$top_srcdir"/python/tests/*.py "$tree/python/tests/"
cp "$top_srcdir"/plugins/python/*.c "$top_srcdir"/plugins/python/*.h "$tree/plugins/python/"
cp "$top_srcdir"/plugins/python/tests/*.py "$tree/plugins/python/tests/"
cp -R "$top_srcdir/sdk/sandlock" "$tree/sdk/"
cp "$top_srcdir/configure.ac" "$tree/"

venv="$TEST_TMP/venv"
if "$py" -m venv --system-site-packages "$venv" >"$TEST_TMP/venv.log" 2>&1 &&
    SANDLOCK_BUILD_DIR=$top_builddir PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv/bin/python" -m pip install --no-index --no-build-isolation "$tree/python" >"$TEST_TMP/pip.log" 2>&1; then
    pass "pip install ./python into a venv, against the build tree"
else
    fail "pip install ./python into a venv, against the build tree" "$(cat "$TEST_TMP/venv.log" "$TEST_TMP/pip.log" | tail -30)"
    done_testing
fi
where=$(cd "$TEST_TMP" && preload "$venv/bin/python" -c 'import sandlock; print(sandlock.__file__)' 2>&1)
like "import sandlock finds the installed extension" "$where" "^$venv/lib/python3[.0-9]*/site-packages/sandlock\\..*so$"

# pytest_tap LABEL [PREFIX...]: runs the pytest tests (PREFIX: a command
# that runs the interpreter as another user) and reports each as a TAP
# line. -rA lists every test's outcome (PASSED/FAILED/ERROR NAME, SKIPPED
# [N] FILE:LINE: REASON); a run that lists none, or ends otherwise than
# with 0 (all passed) or 1 (some failed), is a failure of its own.
pytest_tap() {
    label=$1
    shift
    (cd "$tree/python" && SANDLOCK_PLUGIN_PATH="$top_builddir/plugins/.libs" PYTHONDONTWRITEBYTECODE=1 \
        preload timeout 600 "$@" "$venv/bin/python" -m pytest -p no:cacheprovider -rA tests) >"$TEST_TMP/pytest.log" 2>&1
    status=$?
    listed=0
    while IFS= read -r line; do
        case $line in
        "PASSED "*) pass "$label ${line#PASSED }" ;;
        "FAILED "* | "ERROR "*) fail "$label ${line#* }" ;;
        "SKIPPED "*) reason=${line#*: }; skip "$label ${line#SKIPPED \[*\] }" "$reason" ;;
        *) continue ;;
        esac
        listed=$((listed + 1))
    done <<EOT
$(sed -n '/short test summary info/,$p' "$TEST_TMP/pytest.log")
EOT
    if [ "$listed" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; } ||
        { [ "$status" -eq 0 ] && grep -Eq '^(FAILED|ERROR) ' "$TEST_TMP/pytest.log"; }; then
        fail "$label ran its tests (exit status $status, $listed listed)"
    fi
    [ "$status" -eq 0 ] || sed 's/^/# /' "$TEST_TMP/pytest.log"
}

pytest_tap pytest
# The same tests with an unprivileged sandlock (its own user namespace).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    chmod -R a+rX "$TEST_TMP"
    pytest_tap "as nobody:" env HOME=/nonexistent setpriv --reuid=nobody --regid=nogroup --clear-groups
else
    skip "the pytest tests as nobody" "needs root and setpriv"
fi
done_testing
