#!/bin/bash
# vfile serves the object, not the name: a child that reaches the real file
# behind a virtual one by any other spelling -- a symbolic link, "..", after
# a symlinked directory, /proc/self/root, /proc/self/fd/N of an O_PATH
# descriptor, a hard link made before the start -- or that flips its path
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
            sees "through a hard link made before the start" cat "$d/hard"
            run_sandlock run -c "$ini" -- "$PROBE" race "$d/good/secre" "$d/etc/secret" REAL-SECRET 2000
            like "$at: a thread flipping the path never reads the real file" "$out" "^real 0 harmless seen virtual seen errors [0-9]+$"
        done
    done
}

cases root
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "the same as nobody" "needs root and setpriv to run sandlock as nobody"
else
    wrapper=$TEST_TMP/sandlock-nobody
    printf '#!/bin/sh\nSANDLOCK_USERNS=no exec setpriv --reuid=nobody --regid=nogroup --clear-groups "%s" "$@"\n' \
        "$SANDLOCK" > "$wrapper"
    chmod 755 "$wrapper"
    SANDLOCK=$wrapper cases nobody
fi
done_testing
