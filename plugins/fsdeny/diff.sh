#!/bin/sh
# Transparency: every case of diff.cases runs bare and under sandlock with
# fsdeny (nothing the cases touch is denied) on two identical fixtures; the
# child must observe the same in both, line by line. As root, and again as
# nobody when root can switch to it.
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/fsdeny/fsdiff"
CASES="$top_srcdir/plugins/fsdeny/diff.cases"
T="$TEST_TMP"
chmod 755 "$T"

# make_fixture DIR: the fixture diff.cases describes.
make_fixture() {
    mkdir -p "$1/dir"
    echo inner > "$1/dir/inner"
    echo data > "$1/file"
    chmod 644 "$1/file" "$1/dir/inner"
    ln -s file "$1/link-file"
    ln -s dir "$1/link-dir"
    ln -s nowhere "$1/dangling"
    ln -s loop "$1/loop"
    ln -s "$1/file" "$1/abs-link"
    mkfifo "$1/fifo"
}

mkdir -p "$T/denied"
echo secret > "$T/denied/secret"
ini=$(write_ini diff <<EOF2
[sandlock]
workers = 2
[plugin fs]
module = fsdeny
deny = $T/denied
EOF2
)
chmod 644 "$ini"

# compare WHO WRAPPER...: runs the cases bare and sandboxed as WHO.
compare() {
    who=$1
    shift
    make_fixture "$T/$who-bare"
    make_fixture "$T/$who-sandboxed"
    if [ "$who" != root ]; then
        chown -R -h nobody "$T/$who-bare" "$T/$who-sandboxed"
    fi
    "$@" "$PROBE" "$T/$who-bare" < "$CASES" > "$T/$who-bare.out" 2>&1
    "$@" "$SANDLOCK" run -c "$ini" -- "$PROBE" "$T/$who-sandboxed" < "$CASES" > "$T/$who-sandboxed.out" 2>&1
    sed "s|$T/$who-bare|%ROOT|g" "$T/$who-bare.out" > "$T/$who-bare.txt"
    sed "s|$T/$who-sandboxed|%ROOT|g" "$T/$who-sandboxed.out" > "$T/$who-sandboxed.txt"
    n=$(grep -vcE '^(#|$)' "$CASES")
    is "$who: the bare run printed a line per case" "$(grep -c ' => ' "$T/$who-bare.txt")" "$((n + 5))"
    i=0
    while IFS= read -r want; do
        i=$((i + 1))
        got=$(sed -n "${i}p" "$T/$who-sandboxed.txt")
        is "$who: ${want%% => *}" "$got" "$want"
    done < "$T/$who-bare.txt"
}

compare root
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$PROBE"; then
    compare nobody setpriv --reuid=nobody --regid=nogroup --clear-groups
else
    echo "# SKIP nobody: needs root, setpriv and a build tree nobody can read"
fi
done_testing
