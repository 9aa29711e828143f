#!/usr/bin/env bash
# tests/repeat.sh [-n RUNS] [--hog] [--plain-only] -- proves the suite is
# deterministic: runs tests/run.sh RUNS times (default 10) in a row, each
# time the plain build and then the AddressSanitizer + UBSan build, and
# stops at the first run that is not fully green (its failures are shown).
# --hog keeps both CPUs busy meanwhile with two `while :; do :; done` shells,
# the load under which timing-dependent tests used to fail.
# Ends with "N passed, N failed", counting whole suite runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
runs=10 hog=0 builds=("" --sanitizers)
while [ $# -gt 0 ]; do
    case $1 in
    -n) runs=$2; shift ;;
    --hog) hog=1 ;;
    --plain-only) builds=("") ;;
    *) echo "usage: tests/repeat.sh [-n RUNS] [--hog] [--plain-only]" >&2; exit 2 ;;
    esac
    shift
done

hogs=()
stop_hogs() { [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; hogs=(); }
trap stop_hogs EXIT
if [ "$hog" = 1 ]; then
    for _ in 1 2; do sh -c 'while :; do :; done' & hogs+=($!); done
fi

good=0 bad=0
for ((i = 1; i <= runs; i++)); do
    for build in "${builds[@]}"; do
        log=$(mktemp "${TMPDIR:-/tmp}/sandlock-repeat.XXXXXX")
        start=$SECONDS
        "$here/run.sh" $build >"$log" 2>&1
        rc=$?
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
        echo "run $i ${build:-plain}: ${line:-no result line} ($((SECONDS - start)) s)"
        if [ $rc -eq 0 ]; then
            good=$((good + 1))
            rm -f "$log"
        else
            bad=$((bad + 1))
            grep -E '^(FAIL|ERROR):|^not ok|^#   ' "$log" | head -40
            echo "full output: $log"
            echo "$good passed, $bad failed"
            exit 1
        fi
    done
done
echo "$good passed, $bad failed"
