#!/bin/sh
# test.sh -- examples/embed built the way a user builds it: install sandlock
# into a scratch DESTDIR, build a copy of the example against that
# installation with pkg-config only, and run it: its in-process handler
# answers the real child's uname(2).
. "$top_srcdir/tests/lib.sh"

dest="$TEST_TMP/dest"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    make -C "$top_builddir" install DESTDIR="$dest" >"$TEST_TMP/install.log" 2>&1
rc=$?
is "make install DESTDIR=... succeeds" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TEST_TMP/install.log" | tail -20

pc=$(find "$dest" -name sandlock.pc | head -n 1)
hdr=$(find "$dest" -path '*/include/sandlock/sandlock.h' -type f | head -n 1)
so=$(find "$dest" -name 'libsandlock.so.0' | head -n 1)
like "sandlock.pc installed" "$pc" "/sandlock\\.pc\$"
like "sandlock/sandlock.h installed" "$hdr" "sandlock\\.h\$"
like "libsandlock.so.0 installed" "$so" "libsandlock\\.so\\.0\$"
if [ -z "$pc" ] || [ -z "$so" ]; then
    done_testing
fi

PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR="$dest"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
like "pkg-config --libs points into the installation" "$(pkg-config --libs sandlock)" "^-L$dest/.* -lsandlock"

# The example as installed with the docs ($(docdir)/examples).
example=$(find "$dest" -path '*/doc/sandlock/examples/embed' -type d | head -n 1)
like "the embedding example is installed with the docs" "$example" "/share/doc/sandlock/examples/embed\$"
[ -n "$example" ] || example="$top_srcdir/examples/embed"
work="$TEST_TMP/embed"
mkdir -p "$work"
for f in Makefile embed.c README.md; do
    cp "$example/$f" "$work/$f"
done
# The sanitizer build's library needs the sanitizer runtime in the program.
sanitizers=
readelf -d "$so" | grep -q 'libasan' && sanitizers="-fsanitize=address,undefined"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    make -C "$work" CFLAGS="-O2 -Wall -Wextra -Werror $sanitizers" >"$TEST_TMP/build.log" 2>&1
rc=$?
is "the example builds with only pkg-config" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TEST_TMP/build.log"

export LD_LIBRARY_PATH="$(dirname "$so")"
out=$("$work/embed" 'uname -n; uname -n' 2>"$TEST_TMP/err")
rc=$?
is "embed: exit 0" "$rc" 0
is "the child saw the program's nodename, twice" "$out" "sandbox
sandbox"
like "the handler answered both calls" "$(cat "$TEST_TMP/err")" "answered 2 uname call\\(s\\), exit status 0"
out=$("$work/embed" 'exit 7' 2>/dev/null)
is "the command's exit status comes back" "$?" 7
out=$("$work/embed" 'uname -n' 2>/dev/null)
unlike "control: not the real nodename" "$out" "^$(uname -n)\$"
done_testing
