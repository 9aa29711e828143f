#!/bin/bash
# vfile serves the object, not the name: a child that reaches the real file
# behind a virtual one by any other spelling -- a symbolic link, "..", after
# a symlinked directory, /proc/self/root, /proc/self/fd/N of an O_PATH
# descriptor (and /proc/PID/fd/N of another process's), a hard link made
# before the start, openat2 with RESOLVE_*
# flags -- or that flips its path
# buffer with a thread while it opens, reads the virtual content, never the
# real one. With masks off (the notification path, as in the OCI agent) and
# in the default mode, vfile alone and vfile followed by fsdeny (which opens
# what it allows itself: the default chain), as root and as nobody.
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/vfile/vfprobe"

chmod 755 "$TEST_TMP"              # nobody reads the tree too
d=$TEST_TMP/id
mkdir -p "$d/etc/sub" "$d/good"
printf 'REAL-SECRET\n' > "$d/etc/secret"
printf 'harmless\n' > "$d/good/secre"     # as long as etc/secret
ln -s "$d/etc/secret" "$d/link"
printf 'REAL-SECRET\n' > "$d/etc/linked"
ln "$d/etc/linked" "$d/hard"               # (so linked is never masked)
ln -s "$d/etc/sub" "$d/subdir"             # subdir/.. is etc, not $d
want='[virtual
]'

# sees WHAT PROBE-ARGS... : the child reads the virtual content ($ini, $at).
sees() {
    local what=$1
    shift
    run_sandlock run -c "$ini" -- "$PROBE" "$@"
    is "$at: $what" "$out" "$want"
}

# cases WHO : every spelling in every mode and chain, run by $SANDLOCK.
cases() {
    local who=$1 masks chain
    for masks in no yes; do
        for chain in vfile default; do
            ini=$(write_ini "id-$who-$masks-$chain" <<EOF2
[sandlock]
masks = $masks
workers = 2
[plugin fake]
module = vfile
$d/etc/secret = virtual\\n
$d/etc/linked = virtual\\n
$( [ "$chain" = default ] && printf '[plugin fs]\nmodule = fsdeny\ndeny = %s/nothing-here\n' "$d" )
EOF2
)
            chmod 644 "$ini"
            local at="$who, masks = $masks, $chain"
            sees "the path itself" cat "$d/etc/secret"
            sees "through a symbolic link" cat "$d/link"
            sees "through .. after a symlinked directory" cat "$d/subdir/../secret"
            sees "through /proc/self/root" cat "/proc/self/root$d/etc/secret"
            sees "through /proc/self/fd/N of an O_PATH descriptor" procfd "$d/link"
            sees "through /proc/PID/fd/N of another process's O_PATH descriptor" otherfd "$d/link"
            sees "through a hard link made before the start" cat "$d/hard"
            sees "through openat2 RESOLVE_IN_ROOT and a symbolic link" resolve / "$d/link" inroot
            run_sandlock run -c "$ini" -- "$PROBE" race "$d/good/secre" "$d/etc/secret" REAL-SECRET 2000
            like "$at: a thread flipping the path never reads the real file" "$out" "^real 0 harmless seen virtual seen errors [0-9]+$"
        done
    done
}

# While objects are served, the host makes the opens the chain lets
# through (vfile alone): they must mean what the kernel's do. The same
# script bare and sandboxed prints the same; a FIFO open that waits for
# its writer runs on a thread of the host's, so one worker still serves
# the writer's open (a worker waiting there would hang the run).
cat > "$TEST_TMP/opens.sh" <<'EOF2'
cd "$1" || exit 1
rm -rf w && mkdir w && cd w || exit 1
umask 027; echo created > new; stat -c '%a %s' new
set -C; (: > new) 2>/dev/null || echo "O_EXCL: refused"; set +C
ln -s new sl; cat sl; cat ./sl/ 2>/dev/null || echo "trailing slash on a file: refused"
mkdir d; cat d 2>/dev/null || echo "a directory: refused"
echo rel > d/f; (cd d && cat f ../d/./f)
echo in | cat /dev/stdin; cat /dev/fd/0 <<< "here"
exec 5< new; cat /proc/self/fd/5 /dev/fd/5 2>&1; exec 5<&-
exec 6< d; cat /proc/self/fd/6/f /proc/self/fd/6/../new /dev/fd/6/./f 2>&1; exec 6<&-
(cd d && cat /proc/self/cwd/../new /proc/thread-self/cwd/f 2>&1)
head -c 5 /proc/self/status; echo; test -r /proc/self/exe && echo "own exe readable"
cat /proc/thread-self/root"$PWD"/new
mkfifo ff; cat ff & echo through-fifo > ff; wait
# another process's links (a container's writes to /proc/1/fd/1, say)
sleep 30 < new & q=$!
cat /proc/$q/fd/0 /proc/$q/task/$q/fd/0 /proc/$q/cwd/new /proc/$q/cwd/../w/d/f /proc/$q/root"$PWD"/new 2>&1
(echo to-another > /proc/$q/fd/1) 2>&1 | sed "s/$q/Q/"
kill $q; wait $q 2>/dev/null
[ "$(id -u)" -eq 0 ] || { cat /proc/1/fd/0 > /dev/null 2>&1 && echo "init's fd: read" || echo "init's fd: refused"; }
for how in beneath nosymlinks inroot; do
    for p in new sl ../w/new d/../new /new; do echo "$how $p: $("$2" resolve . "$p" $how)"; done
done
cat missing 2>/dev/null || echo "missing: refused"
EOF2
run_opens() {
    local who=$1 ini
    ini=$(write_ini "opens-$who" <<EOF2
[sandlock]
masks = no
workers = 1
[plugin fake]
module = vfile
$d/etc/secret = virtual\n
EOF2
)
    chmod 644 "$ini"
    mkdir -p "$TEST_TMP/$who" && chmod 777 "$TEST_TMP/$who"
    local bare
    bare=$(${2:+$2} bash "$TEST_TMP/opens.sh" "$TEST_TMP/$who" "$PROBE" 2>&1)
    run_sandlock run -c "$ini" -- timeout "$EVENT_TIMEOUT" bash "$TEST_TMP/opens.sh" "$TEST_TMP/$who" "$PROBE"
    is "$who: the host's opens mean what the kernel's do" "$out" "$bare"
    like "$who: ... a FIFO's reader and writer met (one worker)" "$out" "^through-fifo$"
}

cases root
run_opens root
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "the same as nobody" "needs root and setpriv to run sandlock as nobody"
else
    wrapper=$TEST_TMP/sandlock-nobody
    printf '#!/bin/sh\nSANDLOCK_USERNS=no exec setpriv --reuid=nobody --regid=nogroup --clear-groups "%s" "$@"\n' \
        "$SANDLOCK" > "$wrapper"
    chmod 755 "$wrapper"
    SANDLOCK=$wrapper cases nobody
    SANDLOCK=$wrapper run_opens nobody "setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
done_testing
