# lib.sh -- TAP helpers for shell integration tests. Source it, then call
# the checks; end with done_testing. Needs $SANDLOCK and $top_builddir
# (set by `make check`).
set -u
tap_n=0
tap_failed=0
: "${SANDLOCK:?run through make check}"
: "${top_builddir:?run through make check}"
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sandlock-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

# Tests wait for events, never for a fixed time: EVENT_TIMEOUT is only the
# bound after which an awaited event (a process gone, a line written) counts
# as never happening. Generous, so that a loaded 2-CPU machine or a
# sanitizer build cannot make a correct sandlock fail.
EVENT_TIMEOUT=${SANDLOCK_TEST_EVENT_TIMEOUT:-20}

pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() {
    tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $1"
    shift
    for line in "$@"; do printf '#   %s\n' "$line"; done
}

# skip DESCRIPTION REASON : a test that cannot run here, and why.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# todo DESCRIPTION GOT WANT LIMIT : a known limit, documented, not yet
# fixed (TAP TODO): an expected failure while GOT differs from WANT; once
# it no longer does, the TODO shows as an unexpected pass (a failure) so
# that the mark and the documentation are removed with the fix.
todo() {
    tap_n=$((tap_n + 1))
    if [ "$2" = "$3" ]; then echo "ok $tap_n - $1 # TODO $4"; else echo "not ok $tap_n - $1 # TODO $4"; fi
}

# is DESCRIPTION GOT WANT
is() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  '$2'" "want: '$3'"; fi
}

# like DESCRIPTION TEXT PATTERN  (grep -E pattern)
like() {
    if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "text: '$2'" "does not match: '$3'"; fi
}

# unlike DESCRIPTION TEXT PATTERN
unlike() {
    if printf '%s' "$2" | grep -Eq -- "$3"; then fail "$1" "text: '$2'" "matches: '$3'"; else pass "$1"; fi
}

# write_ini NAME <<EOF ... EOF : writes $TEST_TMP/NAME.ini, prints its path
write_ini() { cat > "$TEST_TMP/$1.ini"; echo "$TEST_TMP/$1.ini"; }

# run_sandlock ARGS... : runs sandlock, sets $out, $err, $rc
run_sandlock() {
    out=$("$SANDLOCK" "$@" 2>"$TEST_TMP/stderr" </dev/null)
    rc=$?
    err=$(cat "$TEST_TMP/stderr")
}

done_testing() {
    echo "1..$tap_n"
    exit 0
}
