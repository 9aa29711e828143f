#!/bin/sh
# make install keeps an edited $(sysconfdir)/sandlock/sandlock.ini and
# make uninstall leaves it; the default lives under $(datadir)/sandlock and
# is copied to $(sysconfdir) only when there is no configuration yet.
. "$top_srcdir/tests/lib.sh"

dest="$TEST_TMP/dest"
# A clean make: not part of the `make check` that runs this test.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -C "$top_builddir" "$@" DESTDIR="$dest" \
    >"$TEST_TMP/make.log" 2>&1; }
mk install
is "make install DESTDIR=...: succeeds" "$?" 0
etc=$(find "$dest" -path '*/sandlock/sandlock.ini' ! -path '*/share/*' | head -n 1)
share=$(find "$dest" -path '*/share/sandlock/sandlock.ini' | head -n 1)
like "the default is installed under \$(datadir)/sandlock" "$share" "/share/sandlock/sandlock\\.ini\$"
like "... and copied to \$(sysconfdir)/sandlock when absent" "$etc" "/etc/sandlock/sandlock\\.ini\$"
cmp -s "$top_srcdir/examples/sandlock.ini" "$etc"
is "... with the default's content" "$?" 0

echo "; edited by the administrator" >> "$etc"
edited=$(cat "$etc")
mk install
is "make install again: succeeds" "$?" 0
is "... the edited file is kept" "$(cat "$etc")" "$edited"
like "... and make says so" "$(cat "$TEST_TMP/make.log")" "keeping .*/sandlock\\.ini"
cmp -s "$top_srcdir/examples/sandlock.ini" "$share"
is "... the new default is next to it under \$(datadir)" "$?" 0

mk uninstall
is "make uninstall: succeeds" "$?" 0
is "... the edited file is kept" "$(cat "$etc" 2>&1)" "$edited"
[ -e "$share" ]
is "... the default under \$(datadir) is removed" "$?" 1

rm -f "$etc"
mk install
cmp -s "$top_srcdir/examples/sandlock.ini" "$etc"
is "a fresh install (no configuration) gets the default" "$?" 0
mk uninstall
[ -e "$etc" ]
is "make uninstall removes a configuration that is still the default" "$?" 1
done_testing
