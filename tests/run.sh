#!/usr/bin/env bash
# tests/run.sh [--sanitizers] -- build sandlock (tests/build.sh) and run the
# whole test suite (`make check`). Installs missing Debian packages itself.
# Ends with the line "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=$("$here/build.sh" "$@" | tail -n 1)
if [ -z "$builddir" ] || [ ! -f "$builddir/Makefile" ]; then
    echo "0 passed, 1 failed"
    exit 1
fi
cd "$builddir"
rm -f test-suite.log
make -j"$(nproc)" check >check.out 2>&1
grep -E '^(FAIL|ERROR|XPASS):|^# (TOTAL|PASS|FAIL|ERROR|SKIP):' check.out
passed=0
failed=0
while IFS= read -r trs; do
    passed=$((passed + $(grep -c '^:test-result: PASS' "$trs")))
    failed=$((failed + $(grep -cE '^:test-result: (FAIL|ERROR|XPASS)' "$trs")))
done < <(find . -name '*.trs')
if ! grep -q '^# TOTAL:' check.out; then
    # The check build itself failed: show why.
    tail -40 check.out
    failed=$((failed + 1))
fi
# Show the logs of what failed.
for log in $(grep -lE '^(not ok|Bail out)|^ERROR' $(find . -name '*.log' ! -name config.log ! -name test-suite.log) 2>/dev/null); do
    echo "==== $log"
    grep -B2 -A8 -E '^(not ok|Bail out)' "$log" | head -60
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
