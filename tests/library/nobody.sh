#!/usr/bin/env bash
# test_lib and test_sessions again as `nobody`: a program that embeds
# libsandlock without privileges, with a user namespace of the sandbox's own
# and without one (SANDLOCK_USERNS=no: no PID namespace, the subreaper
# fallback). Reports their results prefixed with "nobody:" / "nobody, no
# userns:".
. "$top_srcdir/tests/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "1..0 # SKIP needs root and setpriv to run the test as nobody"
    exit 0
fi
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
progs="$top_builddir/tests/library/test_lib $top_builddir/tests/library/test_sessions"
for prog in $progs; do
    if ! $as_nobody test -x "$prog"; then
        echo "1..0 # SKIP the build tree is not readable by nobody"
        exit 0
    fi
done
for prog in $progs; do
    for mode in userns nouserns; do
        prefix="nobody"
        userns=
        if [ "$mode" = nouserns ]; then
            prefix="nobody, no userns"
            userns=no
        fi
        n=0
        while IFS= read -r line; do
            case $line in
            "ok "*) pass "$prefix: ${line#ok * - }"; n=$((n + 1)) ;;
            "not ok "*) fail "$prefix: ${line#not ok * - }"; n=$((n + 1)) ;;
            "#"*) echo "$line" ;;
            esac
        done < <(SANDLOCK_USERNS=$userns $as_nobody "$prog" 2>&1)
        [ "$n" -gt 0 ] || fail "$prefix: ${prog##*/} reported nothing"
    done
done
done_testing
