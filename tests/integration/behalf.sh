#!/usr/bin/env bash
# The host's on-behalf services beyond open (ABI 1.8: mkdir_path,
# unlink_path, rename_path, link_path, symlink_path, stat_path), through a
# plugin that redirects the child's calls to them (onbehalf.c) and real
# children: entries get the child's umask and owner, the calls are made
# with the child's credentials of the moment, and paths resolve inside the
# child's root. Also run as nobody by nopidns.sh.
. "$top_srcdir/tests/integration/common.sh"

BHPROBE="$top_builddir/tests/integration/behalfprobe"
ONBEHALF="$top_builddir/tests/integration/.libs/onbehalf.so"
[ -x "$BHPROBE" ] && [ -f "$ONBEHALF" ] || { echo "Bail out! behalfprobe or onbehalf not built"; exit 1; }
T=$TEST_TMP/behalf
mkdir -p "$T"
chmod 1777 "$T"
ini=$(write_ini behalf <<EOF2
[plugin b]
module = $ONBEHALF
EOF2
)
# The uid the command runs as (0, or nobody's under nopidns.sh).
run_sandlock run -c "$ini" -- "$BHPROBE" id
uid=${out#id: uid=}

# ---- the child's umask and owner ----
run_sandlock run -c "$ini" -- "$BHPROBE" umask 027 mkdir "@$T/d" stat "@$T/d" umask 077 mkdir "@$T/e" stat "@$T/e"
is "mkdir_path: the child's umask of the moment, the child's owner" "$out" "mkdir @$T/d: ok
stat @$T/d: mode=40750 uid=$uid
mkdir @$T/e: ok
stat @$T/e: mode=40700 uid=$uid"
is "mkdir_path: what the host sees" "$(stat -c '%a %u' "$T/d" "$T/e" 2>&1)" "750 $uid
700 $uid"

# ---- every call, on the entry itself ----
echo data > "$T/d/f"
chmod 644 "$T/d/f"
chown "$uid" "$T/d/f"   # the child's own file: it may link it (protected_hardlinks)
run_sandlock run -c "$ini" -- "$BHPROBE" symlink f "@$T/d/s" rename "@$T/d/s" "@$T/d/s2" link "@$T/d/s2" "@$T/d/h" \
    lstat "@$T/d/h" stat "@$T/d/h" linkf "@$T/d/s2" "@$T/d/hf" stat "@$T/d/hf" unlink "@$T/d/h" \
    mkdir "@$T/d" rmdir "@$T/d" unlink "@$T/d/nothing" rename "@$T/d/hf" "@$T/d/f2"
is "symlink, rename, link (the link itself, or followed), stat, lstat, unlink: the kernel's answers" "$out" \
"symlink @$T/d/s: ok
rename @$T/d/s: ok
link @$T/d/s2: ok
lstat @$T/d/h: mode=120777 uid=$uid
stat @$T/d/h: mode=100644 uid=$uid
linkf @$T/d/s2: ok
stat @$T/d/hf: mode=100644 uid=$uid
unlink @$T/d/h: ok
mkdir @$T/d: errno=EEXIST
rmdir @$T/d: errno=ENOTEMPTY
unlink @$T/d/nothing: errno=ENOENT
rename @$T/d/hf: ok"
is "the entries as the host sees them" "$(cd "$T/d" && ls | tr '\n' ' '; readlink s2; stat -c %h f)" "f f2 s2 f
2"

# ---- the child's credentials at that moment ----
mkdir -m 700 "$T/rootonly"
run_sandlock run -c "$ini" -- "$BHPROBE" setuid 65534 mkdir "@$T/rootonly/x" symlink f "@$T/rootonly/y" \
    stat "@$T/rootonly/." rename "@$T/e" "@$T/rootonly/e"
is "a child that became nobody: no entry in a root-only directory through the services" "$out" \
"setuid 65534: ok
mkdir @$T/rootonly/x: errno=EACCES
symlink @$T/rootonly/y: errno=EACCES
stat @$T/rootonly/.: errno=EACCES
rename @$T/e: errno=EACCES"
is "nothing was made in the root-only directory" "$(ls -A "$T/rootonly")" ""
if [ "$uid" = 0 ]; then
    run_sandlock run -c "$ini" -- "$BHPROBE" mkdir "@$T/rootonly/z"
    is "the same call by the root child is made (the plugin acts)" "$out" "mkdir @$T/rootonly/z: ok"
else
    skip "the same call by the root child is made" "the command does not run as root here"
fi

# ---- inside the child's root ----
run_sandlock run -c "$ini" -- "$BHPROBE" mkdir "@/proc/self/root$T/viaproc" stat "@/proc/self/root$T"
# /proc/self is sandlock's own process, never the child's: a magic link
# (ELOOP), or nothing at all in the sandbox's /proc (ENOENT).
is "/proc/self/root is never the child's root" "$(printf '%s\n' "$out" | sed -E 's/errno=(ELOOP|ENOENT)$/refused/')" \
"mkdir @/proc/self/root$T/viaproc: refused
stat @/proc/self/root$T: refused"
is "and nothing was made through it" "$(ls -d "$T/viaproc" 2>&1 >/dev/null | grep -c 'No such')" 1
if [ "$(id -u)" -ne 0 ] || [ "$uid" != 0 ]; then
    skip "in a chroot: paths resolve in the child's root" "chroot needs a root command"
else
    R=$T/root
    mkdir -p "$R"
    cp "$BHPROBE" "$R/probe"
    esc="escape-$$-$RANDOM"
    chroot_ini=$(write_ini behalf-chroot <<EOF2
[sandlock]
default_deny = no
[plugin b]
module = $ONBEHALF
EOF2
)
    run_sandlock run -c "$chroot_ini" -- chroot "$R" /probe mkdir @/inside mkdir "@/../../$esc" symlink / @/up \
        mkdir "@/up/../$esc-link" rename @/inside "@/../inside2" stat "@/../.."
    is "in a chroot: \"..\" and absolute symlinks stop at the child's root" "$out" "mkdir @/inside: ok
mkdir @/../../$esc: ok
symlink @/up: ok
mkdir @/up/../$esc-link: ok
rename @/inside: ok
stat @/../..: mode=40755 uid=0"
    is "in a chroot: every entry is inside the child's root, none outside" \
        "$(cd "$R" && ls -d "$esc" "$esc-link" inside2 up 2>&1; ls -d "/$esc" "/$esc-link" /inside2 2>&1 | grep -c 'No such')" \
        "$esc
$esc-link
inside2
up
3"
    # fsdeny names the object it obtained as the child does: its real path
    # with the child's root taken off (host->child_root reads it where the
    # sandbox may chroot). A symlink inside the chroot to the denied file
    # is denied, a file of the same name outside the chroot is not.
    echo secret > "$R/secret"
    echo other > "$R/other" && chmod 644 "$R/other"
    ln -s /secret "$R/link"
    fs_ini=$(write_ini behalf-chroot-fs <<EOF2
[sandlock]
default_deny = no
masks = no
[plugin fs]
module = fsdeny
deny = /secret
EOF2
)
    run_sandlock run -c "$fs_ini" -- chroot "$R" /probe stat /link stat /other stat /secret
    is "in a chroot: fsdeny judges the object by the child's own path" "$out" "stat /link: errno=EACCES
stat /other: mode=100644 uid=0
stat /secret: errno=EACCES"
fi
done_testing
