#!/usr/bin/env bash
# tests/build.sh [--sanitizers] -- install the Debian packages sandlock needs
# (when missing), then configure and build it out of tree in build/ (or
# build-asan/, with --enable-static-deps). Prints the build directory on its
# last line.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

builddir=build
configure_flags=()
if [ "${1:-}" = "--sanitizers" ]; then
    builddir=build-asan
    # Also the static-deps build, so that the two runs of .ci/run cover
    # both ways of linking libseccomp and inih.
    configure_flags+=(--enable-sanitizers --enable-static-deps)
fi

packages="autoconf automake libtool pkgconf make gcc libc6-dev linux-libc-dev libseccomp-dev libinih-dev libjansson-dev libpython3-dev python3-venv python3-setuptools python3-wheel python3-pytest"
missing=()
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; } >&2 \
        || { echo "cannot install ${missing[*]}" >&2; exit 1; }
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi >&2 || { echo "autoreconf failed" >&2; exit 1; }
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
    "$top/configure" -q "${configure_flags[@]}" >&2 || { echo "configure failed" >&2; exit 1; }
fi
if ! make -j"$(nproc)" >make.out 2>&1; then
    cat make.out >&2
    echo "build failed" >&2
    exit 1
fi
echo "$top/$builddir"
