#!/bin/sh
# vfile through real sandboxed children: what a child reads, stats and may
# do at a virtual path, and init errors that name their key.
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/vfile/vfprobe"

# A real file under a virtual name, so a Continue would show the real content.
mkdir -p "$TEST_TMP/etc/sub"
printf 'real-host\n' > "$TEST_TMP/etc/hostname"
printf 'nameserver 10.9.9.9\n' > "$TEST_TMP/etc/resolv.conf"
printf 'from a host file\nline two\n' > "$TEST_TMP/served"
printf 'untouched\n' > "$TEST_TMP/etc/other"

# Every case twice (the loop body is not indented: it holds multi-line
# expectations): on the notification path (masks = no), and with the
# kernel's masks where sandlock may make them (root): a virtual file over a
# real one is then bound over it in the sandbox's mount namespace, and only
# the others ("ghost") are answered through notifications.
for masks in no yes; do
ini=$(write_ini vfile-$masks <<EOF
[sandlock]
masks = $masks
[plugin fake]
module = vfile
$TEST_TMP/etc/hostname = sandbox\\n
$TEST_TMP/etc/resolv.conf = @$TEST_TMP/served
$TEST_TMP/etc/escapes = a\\tb\\\\c\\n\\@d
$TEST_TMP/etc/ghost = only virtual\\n
EOF
)
run_sandlock check -c "$ini"
if [ "$masks" = no ]; then kernel=no; unlike "masks = no: no file is the kernel's" "$out" "kernel:"
elif [ "$(id -u)" = 0 ]; then kernel=yes
    like "masks: a file over a real one is the kernel's" "$out" "kernel: fixed content $TEST_TMP/etc/hostname"
    like "masks: a virtual file without a real one stays on notifications" "$err" "etc/ghost: notifications: it does not exist"
else kernel=no; skip "masks: files over real ones are the kernel's" "masks need root"; fi


run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/hostname"
is "content with a newline escape" "$out" "[sandbox
]"
is "exit status" "$rc" 0
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/resolv.conf"
is "@HOSTFILE content" "$out" "[from a host file
line two
]"
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/escapes"
is "tab, backslash and @ escapes" "$out" "[a	b\\c
@d]"
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/ghost"
is "virtual file that does not exist on the host" "$out" "[only virtual
]"
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/other"
is "other paths continue to the real file" "$out" "[untouched
]"
run_sandlock run -c "$ini" -- "$PROBE" catat "$TEST_TMP/etc/sub" ../hostname
is "relative path with .. reaches the virtual file" "$out" "[sandbox
]"
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP//etc/./hostname"
is "unnormalised absolute path reaches it" "$out" "[sandbox
]"
# Only a path whose last component is a virtual file's name is resolved
# (vfile.c: may_be_virtual); every way of reaching one by that name still
# gets the content, a file of the same name elsewhere stays real.
run_sandlock run -c "$ini" -- sh -c "cd '$TEST_TMP/etc/sub' && '$PROBE' cat ../hostname"
is "a path relative to the cwd reaches the virtual file" "$out" "[sandbox
]"
run_sandlock run -c "$ini" -- "$PROBE" catat "$TEST_TMP/etc" hostname
is "a name relative to a dirfd reaches it" "$out" "[sandbox
]"
run_sandlock run -c "$ini" -- "$PROBE" catat "$TEST_TMP/etc/sub" ../sub/../resolv.conf
is "a relative path with .. inside reaches a @HOSTFILE one" "$out" "[from a host file
line two
]"
run_sandlock run -c "$ini" -- "$PROBE" cat "$TEST_TMP/etc/sub/hostname"
is "a file of a virtual file's name elsewhere is real" "$out" "err ENOENT"
run_sandlock run -c "$ini" -- "$PROBE" catat "$TEST_TMP/etc/sub" hostname
is "the same name relative to another directory is real" "$out" "err ENOENT"
run_sandlock run -c "$ini" -- "$PROBE" openat2 "$TEST_TMP/etc/hostname"
is "openat2" "$out" "[sandbox
]"
run_sandlock run -c "$ini" -- cat "$TEST_TMP/etc/hostname"
is "an ordinary program (cat) sees it" "$out" "sandbox"

# stat family: a read-only regular file of the content's size (8 bytes).
for how in stat lstat fstatat statx; do
    run_sandlock run -c "$ini" -- "$PROBE" $how "$TEST_TMP/etc/hostname"
    is "$how reports the content size and read-only mode" "$out" "size 8 mode 100444"
done
run_sandlock run -c "$ini" -- "$PROBE" stat "$TEST_TMP/etc/resolv.conf"
is "stat size of a @HOSTFILE" "$out" "size 26 mode 100444"
run_sandlock run -c "$ini" -- "$PROBE" fstat "$TEST_TMP/etc/hostname"
is "fstat on the returned descriptor" "$out" "size 8"
run_sandlock run -c "$ini" -- "$PROBE" stat "$TEST_TMP/etc/other"
like "stat of other paths is the real one" "$out" "^size 10 mode 100[0-7]+$"

# Read-only: writing opens fail with EROFS, the descriptor is sealed.
for how in w rw trunc; do
    run_sandlock run -c "$ini" -- "$PROBE" open "$TEST_TMP/etc/hostname" $how
    is "open ($how) gets EROFS" "$out" "err EROFS"
done
run_sandlock run -c "$ini" -- "$PROBE" open "$TEST_TMP/etc/hostname" createxcl
is "O_CREAT|O_EXCL gets EEXIST" "$out" "err EEXIST"
run_sandlock run -c "$ini" -- "$PROBE" open "$TEST_TMP/etc/hostname" dir
is "O_DIRECTORY gets ENOTDIR" "$out" "err ENOTDIR"
run_sandlock run -c "$ini" -- "$PROBE" seal "$TEST_TMP/etc/hostname"
like "the memfd cannot be written, not even reopened" "$out" "^proc E[A-Z]+ fd E[A-Z]+$"
unlike "nothing was written" "$out" "written"
run_sandlock run -c "$ini" -- "$PROBE" cloexec "$TEST_TMP/etc/hostname"
is "O_CLOEXEC follows the child's flags" "$out" "plain 0 cloexec 1"
run_sandlock run -c "$ini" -- "$PROBE" access "$TEST_TMP/etc/ghost" r
is "access R_OK on a virtual file" "$out" "ok"
run_sandlock run -c "$ini" -- "$PROBE" access "$TEST_TMP/etc/hostname" w
is "access W_OK gets EROFS" "$out" "err EROFS"
run_sandlock run -c "$ini" -- "$PROBE" unlink "$TEST_TMP/etc/hostname"
if [ "$kernel" = yes ]; then is "unlink gets EBUSY (a mount point)" "$out" "err EBUSY"
else is "unlink gets EROFS" "$out" "err EROFS"; fi
test -f "$TEST_TMP/etc/hostname" && pass "the real file is still there" || fail "the real file is still there"
run_sandlock run -c "$ini" -- "$PROBE" readlink "$TEST_TMP/etc/ghost"
is "readlink: not a symlink" "$out" "err EINVAL"
is "the host file was not changed" "$(cat "$TEST_TMP/etc/hostname")" "real-host"

done

# One path per notification: vfile and fsdeny (which opens what it allows
# itself) decide on the same bytes of the child's path, however another
# thread flips it, so the real file behind a virtual one is never read.
mkdir -p "$TEST_TMP/vgood" "$TEST_TMP/vreal"
echo good > "$TEST_TMP/vgood/f"
echo REAL > "$TEST_TMP/vreal/f"
ini=$(write_ini chainrace <<EOF
[sandlock]
masks = no
workers = 2
[plugin fake]
module = vfile
$TEST_TMP/vreal/f = goodvirtual\\n
[plugin fs]
module = fsdeny
deny = $TEST_TMP/nothing-here
EOF
)
run_sandlock run -c "$ini" -- "$top_builddir/plugins/fsdeny/fsprobe" readrace "$TEST_TMP/vgood/f" "$TEST_TMP/vreal/f" 20000
# A read torn between the two names (the flipper's memcpy against the
# kernel's copy) names neither directory: ENOENT, as without sandlock.
like "a flipping path never reaches the real file behind a virtual one" "$out" "^good [0-9]+ bad 0 errors [0-9]+$"

# The same with a path flipping between names whose last components differ:
# vfile's look at the last component and its resolution see one string
# (a read torn between the two names names neither file: ENOENT errors).
mkdir -p "$TEST_TMP/vreal2"
echo REAL > "$TEST_TMP/vreal2/hidden"
echo good > "$TEST_TMP/vgood/goodish"   # as long as vreal2/hidden
ini=$(write_ini chainrace2 <<EOF
[sandlock]
masks = no
workers = 2
[plugin fake]
module = vfile
$TEST_TMP/vreal2/hidden = goodvirtual\\n
[plugin fs]
module = fsdeny
deny = $TEST_TMP/nothing-here
EOF
)
run_sandlock run -c "$ini" -- "$top_builddir/plugins/fsdeny/fsprobe" readrace "$TEST_TMP/vgood/goodish" "$TEST_TMP/vreal2/hidden" 20000
like "a path flipping between last names never reaches the real file" "$out" "^good [0-9]+ bad 0 errors [0-9]+$"

# Init errors name their key.
bad=$(write_ini bad-host <<EOF
[plugin fake]
module = vfile
/etc/motd = @$TEST_TMP/missing
EOF
)
run_sandlock run -c "$bad" -- true
is "missing host file: sandlock error" "$rc" 125
like "and the key is named" "$err" "/etc/motd: cannot read host file '$TEST_TMP/missing'"
bad=$(write_ini bad-key <<EOF
[plugin fake]
module = vfile
content = x
EOF
)
run_sandlock check -c "$bad"
like "unknown key is an error" "$err" "unknown key 'content'"
bad=$(write_ini bad-escape <<EOF
[plugin fake]
module = vfile
/etc/x = a\\qb
EOF
)
run_sandlock check -c "$bad"
like "bad escape names the key" "$err" "/etc/x: unknown escape"
bad=$(write_ini bad-path <<EOF
[plugin fake]
module = vfile
/.. = x
EOF
)
run_sandlock check -c "$bad"
like "the root is not a virtual file" "$err" "/\\.\\.: virtual path must name a file"
bad=$(write_ini bad-twice <<EOF
[plugin fake]
module = vfile
/etc/x = a
/etc//x = b
EOF
)
run_sandlock check -c "$bad"
like "the same path twice" "$err" "/etc//x: virtual path given twice"
done_testing
