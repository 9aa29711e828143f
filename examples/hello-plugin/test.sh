#!/bin/sh
# test.sh -- the out-of-tree example plugin, built the way a user builds it:
# install sandlock into a scratch DESTDIR, build a copy of
# examples/hello-plugin against that installation with pkg-config only,
# then check that the installed sandlock lists it and that it acts on a
# real child.
. "$top_srcdir/tests/lib.sh"

dest="$TEST_TMP/dest"
# A clean make: not part of the `make check` that runs this test.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    make -C "$top_builddir" install DESTDIR="$dest" >"$TEST_TMP/install.log" 2>&1
rc=$?
is "make install DESTDIR=... succeeds" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TEST_TMP/install.log" | tail -20

pc=$(find "$dest" -name sandlock-plugin.pc | head -n 1)
bin=$(find "$dest" -path '*/bin/sandlock' -type f | head -n 1)
hdr=$(find "$dest" -path '*/include/sandlock/plugin.h' -type f | head -n 1)
like "sandlock-plugin.pc installed" "$pc" "sandlock-plugin\\.pc\$"
like "sandlock installed" "$bin" "/bin/sandlock\$"
like "sandlock/plugin.h installed" "$hdr" "plugin\\.h\$"
if [ -z "$pc" ] || [ -z "$bin" ]; then
    done_testing
fi

PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR="$dest"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags sandlock-plugin)
like "pkg-config --cflags points into the installation" "$cflags" "^-I$dest/"

# The skeleton as installed with the docs ($(docdir)/examples), copied
# away from both trees, as a third party starts from it.
skel=$(find "$dest" -path '*/doc/sandlock/examples/hello-plugin' -type d | head -n 1)
like "the skeleton plugin is installed with the docs" "$skel" "/share/doc/sandlock/examples/hello-plugin\$"
[ -n "$skel" ] || skel="$top_srcdir/examples/hello-plugin"
work="$TEST_TMP/hello-plugin"
mkdir -p "$work"
for f in Makefile hello.c hello.ini README.md; do
    cp "$skel/$f" "$work/$f"
done
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    make -C "$work" >"$TEST_TMP/build.log" 2>&1
rc=$?
is "the example builds with only pkg-config" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TEST_TMP/build.log"
exported=$(nm -D --defined-only "$work/hello.so" 2>/dev/null | awk '$2 == "T" { print $3 }' | tr '\n' ' ')
is "hello.so exports only the entry point" "$exported" "sandlock_plugin_entry_v1 "

SANDLOCK="$bin"

# check: the instance is listed with its module, version and file.
ini=$(write_ini hello <<INI
[plugin hello]
module = $work/hello.so
syscalls = mkdir, mkdirat
errno = EROFS
INI
)
run_sandlock check -c "$ini"
is "check: exit 0" "$rc" 0
is "check: no errors" "$err" ""
like "check: the instance with module, version and file" "$out" \
    "module hello 1\\.0\\.0 \\($work/hello\\.so\\)"
like "check: description" "$out" "fails chosen syscalls"
like "check: mkdir chain" "$out" "^  mkdir +hello\$"
like "check: mkdirat chain" "$out" "^  mkdirat +hello\$"

# The example ini from the directory, with its relative module path.
out=$(cd "$work" && "$bin" check -c hello.ini 2>&1)
rc=$?
is "check of the shipped hello.ini: exit 0" "$rc" 0
like "check of the shipped hello.ini: instance listed" "$out" "1\\. hello"

# By name through $SANDLOCK_PLUGIN_PATH.
ini2=$(write_ini by-name <<'INI'
[plugin hello]
syscalls = mkdir
INI
)
out=$(SANDLOCK_PLUGIN_PATH="$work" "$bin" check -c "$ini2" 2>&1)
like "found by name through \$SANDLOCK_PLUGIN_PATH" "$out" "module hello 1\\.0\\.0 \\($work/hello\\.so\\)"

# run: a real child's mkdir fails with EROFS, and each call is logged.
target="$TEST_TMP/made-by-child"
run_sandlock run -c "$ini" -- mkdir "$target"
is "run: mkdir fails (exit 1)" "$rc" 1
like "run: the child saw EROFS" "$err" "Read-only file system"
like "run: the call was logged by the plugin" "$err" "\\[hello\\] pid [0-9]+ called mkdir(at)?: failing it with EROFS"
if [ -e "$target" ]; then fail "run: the directory was not created"; else pass "run: the directory was not created"; fi

# The same child without the plugin: the directory is created.
run_sandlock run -c "$(write_ini none </dev/null)" -- mkdir "$target"
is "control: without the plugin mkdir succeeds" "$rc" 0
if [ -d "$target" ]; then pass "control: the directory exists"; else fail "control: the directory exists"; fi
rmdir "$target" 2>/dev/null

# Other syscalls are untouched; errno by number; log = no.
ini3=$(write_ini quiet <<INI
[plugin hello]
module = $work/hello.so
syscalls = mkdir mkdirat
errno = 13
log = no
INI
)
run_sandlock run -c "$ini3" -- sh -c "touch '$TEST_TMP/file' && mkdir '$target'"
is "quiet: mkdir fails" "$rc" 1
like "quiet: EACCES by number" "$err" "Permission denied"
unlike "quiet: nothing logged" "$err" "\\[hello\\]"
if [ -f "$TEST_TMP/file" ]; then pass "quiet: other syscalls run (touch)"; else fail "quiet: other syscalls run (touch)"; fi

# Bad keys are init errors naming the instance.
bad=$(write_ini bad <<INI
[plugin hello]
module = $work/hello.so
syscalls = mkdir
errno = ENOPE
INI
)
run_sandlock check -c "$bad"
is "bad errno: exit 125" "$rc" 125
like "bad errno: message with FILE:LINE" "$err" "bad\\.ini:4: \\[plugin hello\\]: errno: expected .* got 'ENOPE'"
bad=$(write_ini typo <<INI
[plugin hello]
module = $work/hello.so
syscall = mkdir
INI
)
run_sandlock check -c "$bad"
is "unknown key: exit 125" "$rc" 125
like "unknown key: message with FILE:LINE" "$err" "typo\\.ini:3: unknown key 'syscall' in \\[plugin hello\\] \\(expected syscalls, errno, log\\)"

# sandlock plugins lists it with its keys.
SANDLOCK_PLUGIN_PATH="$work" run_sandlock plugins -c "$ini"
like "plugins: hello with its version" "$out" "^hello 1\\.0\\.0  $work/hello\\.so"
like "plugins: its keys" "$out" "^  syscalls +list, required\$"

done_testing
