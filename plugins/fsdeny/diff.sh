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
# Where the kernel masks $T/denied, fsdeny traps none of the cases: the
# fallback (masks = no), which answers every one of them, runs too.
for masks in yes no; do
    write_ini "diff-masks-$masks" > /dev/null <<EOF2
[sandlock]
workers = 2
masks = $masks
[plugin fs]
module = fsdeny
deny = $T/denied
EOF2
    chmod 644 "$T/diff-masks-$masks.ini"
done

# compare USER WRAPPER...: runs the cases bare and sandboxed as USER, with
# masks = $masks.
compare() {
    user=$1
    shift
    ini="$T/diff-masks-$masks.ini"
    who="$user, masks = $masks"
    run="runs/$user-$masks"     # in a directory that holds no denied path (rename ..)
    mkdir -p "$T/runs"
    make_fixture "$T/$run-bare"
    make_fixture "$T/$run-sandboxed"
    if [ "$user" != root ]; then
        chown -R -h nobody "$T/$run-bare" "$T/$run-sandboxed"
    fi
    "$@" "$PROBE" "$T/$run-bare" < "$CASES" > "$T/$run-bare.out" 2>&1
    "$@" "$SANDLOCK" run -c "$ini" -- "$PROBE" "$T/$run-sandboxed" < "$CASES" > "$T/$run-sandboxed.out" 2>&1
    sed "s|$T/$run-bare|%ROOT|g" "$T/$run-bare.out" > "$T/$run-bare.txt"
    sed "s|$T/$run-sandboxed|%ROOT|g" "$T/$run-sandboxed.out" > "$T/$run-sandboxed.txt"
    n=$(grep -vcE '^(#|$)' "$CASES")
    is "$who: the bare run printed a line per case" "$(grep -c ' => ' "$T/$run-bare.txt")" "$((n + 5))"
    i=0
    while IFS= read -r want; do
        i=$((i + 1))
        got=$(sed -n "${i}p" "$T/$run-sandboxed.txt")
        is "$who: ${want%% => *}" "$got" "$want"
    done < "$T/$run-bare.txt"
}

for masks in yes no; do
    compare root
    if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$PROBE"; then
        compare nobody setpriv --reuid=nobody --regid=nogroup --clear-groups
    else
        echo "# SKIP nobody, masks = $masks: needs root, setpriv and a build tree nobody can read"
    fi
done
done_testing
