#!/bin/sh
# examples/python: the command of its README, as written, from its directory.
. "$top_srcdir/tests/lib.sh"
LSAN_OPTIONS="suppressions=$top_srcdir/plugins/python/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
cd "$top_srcdir/examples/python" || exit 1
out=$("$SANDLOCK" run -c audit-deny.ini -- cat /etc/hostname /etc/shadow 2>"$TEST_TMP/err")
rc=$?
err=$(cat "$TEST_TMP/err")
is "cat's status: one file failed" "$rc" 1
is "the allowed file's content" "$out" "$(cat /etc/hostname)"
like "the allowed open is printed" "$err" "audit: pid [0-9]+ openat /etc/hostname$"
like "the denied open is printed" "$err" "audit: pid [0-9]+ openat /etc/shadow DENIED"
like "sandlock's denial line" "$err" 'warning: \[audit-deny\] denied openat "/etc/shadow" by pid [0-9]+: EACCES'
# cat writes its message in pieces, between which it opens its translations:
# the handler's lines may come in between.
like "cat sees EACCES" "$err" "Permission denied"
done_testing
