#!/bin/sh
# libsandlock.so exports the API of <sandlock/sandlock.h> and nothing of
# the core it is built from, under its version node, with a real soname.
. "$top_srcdir/tests/lib.sh"

so=$(ls "$top_builddir"/core/.libs/libsandlock.so.0.* 2>/dev/null | head -n 1)
like "the library is built as libsandlock.so.0.*" "$so" "libsandlock\\.so\\.0\\."
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
is "its soname is libsandlock.so.0" "$soname" "libsandlock.so.0"
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
others=$(printf '%s\n' "$exported" | grep -v '^sandlock_' | grep -v '^$' | tr '\n' ' ')
is "nothing but sandlock_* is exported" "$others" ""
unversioned=$(printf '%s\n' "$exported" | grep -v '@@SANDLOCK_0$' | grep -v '^$' | tr '\n' ' ')
is "every export is in version node SANDLOCK_0" "$unversioned" ""
# Every function of the header is exported, and nothing else.
declared=$(sed -n 's/^[a-z0-9_ ]*[ *]\(sandlock_[a-z_]*\)(.*/\1/p' "$top_srcdir/sdk/sandlock/sandlock.h" | sort)
names=$(printf '%s\n' "$exported" | sed 's/@@SANDLOCK_0$//')
is "the exports are exactly the header's functions" "$names" "$declared"
done_testing
