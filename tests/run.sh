#!/usr/bin/env bash
# tests/run.sh -- build sandlock and run its whole test suite.
#
#   tests/run.sh                 build in build/ and run `make check`
#   tests/run.sh --sanitizers    the same in build-asan/ with ASan + UBSan
#
# Installs the Debian packages it needs when they are missing (as root, or
# through sudo). Ends with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

builddir=build
configure_flags=()
if [ "${1:-}" = "--sanitizers" ]; then
    builddir=build-asan
    configure_flags+=(--enable-sanitizers)
fi

packages="autoconf automake libtool pkgconf make gcc libc6-dev linux-libc-dev libseccomp-dev libinih-dev"
missing=()
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "tests/run.sh: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
        || { echo "tests/run.sh: cannot install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
    "$top/configure" -q "${configure_flags[@]}" || { echo "configure failed"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! make -j"$(nproc)" >make.out 2>&1; then
    cat make.out
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi
make -j"$(nproc)" check 2>&1 | grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):|^# (TOTAL|PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' \
    | grep -v '^PASS:' || true
passed=0
failed=0
if [ -f test-suite.log ]; then
    # Failures are printed with their logs for CI.
    grep -E '^(not ok|Bail out)' -r --include='*.log' tests 2>/dev/null | head -50
    for trs in $(find . -name '*.trs'); do
        passed=$((passed + $(grep -c '^:test-result: PASS' "$trs")))
        failed=$((failed + $(grep -cE '^:test-result: (FAIL|ERROR|XPASS)' "$trs")))
    done
else
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
