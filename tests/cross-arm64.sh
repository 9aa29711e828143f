#!/usr/bin/env bash
# tests/cross-arm64.sh -- cross-build the whole tree (sandlock, plugins,
# tests, benchmarks) for arm64 with Debian's cross toolchain and multiarch
# -dev packages, warnings as errors, and run under qemu-user the tests that
# need no seccomp in the kernel (qemu-user cannot install a filter: it
# would apply to qemu itself). Builds in build-arm64/. Installs what it
# needs when run as root (dpkg --add-architecture arm64 + apt-get).
# Ends with the line "N passed, N failed", like tests/run.sh.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
triplet=aarch64-linux-gnu
builddir=build-arm64
qemu=qemu-aarch64-static
fail() { echo "$*" >&2; echo "0 passed, 1 failed"; exit 1; }

# ---- the cross toolchain, the arm64 -dev packages and qemu-user ----
packages="gcc-$triplet libc6-dev-arm64-cross libseccomp-dev:arm64 libinih-dev:arm64 libjansson-dev:arm64 qemu-user-static"
missing=()
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || fail "missing ${missing[*]}: run as root to install them"
    echo "installing ${missing[*]}" >&2
    { dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64; } &&
        apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
        || fail "cannot install ${missing[*]}"
fi

# ---- configure and build, -Werror ----
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi >&2 || fail "autoreconf failed"
fi
mkdir -p "$builddir" && cd "$builddir" || fail "cannot create $builddir"
# Debian has no $triplet-pkg-config wrapper by default: point pkg-config at
# the arm64 .pc files only.
export PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig
if [ ! -f Makefile ]; then
    "$top/configure" -q --host=$triplet PKG_CONFIG=pkg-config >&2 || fail "configure for arm64 failed"
fi
# -Werror only for the build (configure's own probes must be free to warn).
if ! make -j"$(nproc)" CFLAGS="-g -O2 -Werror" all >make.out 2>&1 ||
   ! make -j"$(nproc)" CFLAGS="-g -O2 -Werror" check TESTS= >>make.out 2>&1; then
    tail -60 make.out
    fail "arm64 build failed"
fi
file sandlock | grep -q 'ARM aarch64' || fail "sandlock is not an arm64 binary: $(file sandlock)"

# ---- the tests that need no seccomp in the kernel, under qemu-user ----
# Configuration, values, the host table, the SDK header (ABI), the loader,
# chains, rules, argument rules, trusted files, and the plugins' own rule
# and record parsers.
unit_tests="tests/unit/test_values tests/unit/test_config tests/unit/test_host tests/unit/test_abi
    tests/unit/test_loader tests/unit/test_chain tests/unit/test_rules tests/unit/test_argdeny
    tests/unit/test_trust tests/unit/test_agent_profile plugins/fsdeny/test-rules plugins/netguard/test-rules
    plugins/vfile/test-content plugins/audit/test-record"
rm -f test-suite.log
make check TESTS="$(echo $unit_tests)" LOG_COMPILER="$qemu" \
    >check.out 2>&1
grep -E '^(FAIL|ERROR|XPASS):|^# (TOTAL|PASS|FAIL|ERROR|SKIP):' check.out
passed=0
failed=0
for t in $unit_tests; do
    trs=$t.trs
    if [ ! -f "$trs" ]; then
        echo "no result for $t"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(grep -c '^:test-result: PASS' "$trs")))
    failed=$((failed + $(grep -cE '^:test-result: (FAIL|ERROR|XPASS)' "$trs")))
    grep -qE '^:test-result: (FAIL|ERROR|XPASS)' "$trs" && grep -B2 -A8 -E '^(not ok|Bail out)' "$t.log" | head -40
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
