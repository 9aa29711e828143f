# common.sh -- shared by the services tests: the probe, the svc test
# plugin and a config writer.
. "$top_srcdir/tests/lib.sh"

PROBE="$top_builddir/tests/services/probe"
SVC="$top_builddir/tests/services/.libs/svc.so"
[ -x "$PROBE" ] && [ -f "$SVC" ] || { echo "Bail out! probe or svc plugin not built"; exit 1; }
chmod 755 "$TEST_TMP"

# svc_ini NAME [LINE...] : a config with one svc instance; extra lines go
# into [sandlock] when they start with "sandlock:", else into the plugin
# section. Prints the file's path.
svc_ini() {
    local name=$1 line; shift
    {
        echo "[sandlock]"
        for line in "$@"; do case $line in sandlock:*) echo "${line#sandlock:}" ;; esac; done
        echo "[plugin svc]"
        echo "module = $SVC"
        for line in "$@"; do case $line in sandlock:*) ;; *) echo "$line" ;; esac; done
    } > "$TEST_TMP/$name.ini"
    echo "$TEST_TMP/$name.ini"
}
