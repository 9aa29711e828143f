#!/bin/sh
# fsdeny with the kernel's masks (SDK 1.4 mask_path, the sandbox's own mount
# namespace): what a root command and an unprivileged one observe, allow
# exceptions, symlinks and other spellings, a renamed ancestor, attempts to
# undo a mask, and which rules stay on notifications. Needs root.
. "${top_srcdir:-.}/tests/lib.sh"
T="$TEST_TMP"
chmod 755 "$T"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "1..0 # SKIP masks need CAP_SYS_ADMIN (root) and setpriv"
    exit 0
fi
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"

mkdir -p "$T/sec/keep/deep" "$T/sec/other" "$T/rt/inner" "$T/home/.ssh" "$T/open"
echo SECRET > "$T/sec/key"
echo SECRET > "$T/sec/other/key2"
echo kept > "$T/sec/keep/deep/file"
echo SECRET > "$T/rt/inner/secret"
echo SECRET > "$T/file"
echo SECRET > "$T/home/.ssh/id_ed25519"
echo hosts > "$T/home/.ssh/known_hosts"
echo public > "$T/open/readme"
chmod -R a+rX "$T"
ln -s "$T/sec/key" "$T/open/link"
ln -s "$T/sec" "$T/open/dirlink"
ln "$T/file" "$T/hardlink"                # a hard link made before the start
export HOME="$T/home"

ini=$(write_ini masks <<EOF
[plugin fs]
module = fsdeny
deny = $T/sec
allow = $T/sec/keep
deny = $T/file
deny = $T/rt/inner
deny = ~/.ssh
allow = ~/.ssh/known_hosts
EOF
)

# ---- sandlock check: every rule is the kernel's; nothing is trapped ----
run_sandlock check -c "$ini"
like "check: the directory is hidden by the kernel" "$out" "kernel: hidden $T/sec$"
like "check: the exception is put back" "$out" "kernel: exception $T/sec/keep$"
like "check: the file is hidden" "$out" "kernel: hidden $T/file$"
like "check: ~ is the invoking user's home" "$out" "kernel: exception $T/home/.ssh/known_hosts$"
like "check: fsdeny intercepts no syscall" "$out" "syscalls:
  \\(none intercepted\\)"

# ---- what a root command sees: nothing of the secrets ----
probe='for p in "$@"; do printf "%s: " "$p"; cat "$p" 2>&1 | tr "\n" " "; echo; done'
run_sandlock run --stats -c "$ini" -- sh -c "$probe" sh "$T/sec/key" "$T/sec/other/key2" "$T/file" \
    "$T/open/link" "$T/open/dirlink/key" "$T/sec/../sec/key" "$T//sec/./key" "/proc/self/root$T/sec/key" \
    "$T/rt/inner/secret" "$T/home/.ssh/id_ed25519"
unlike "root: no secret content through any spelling (.., //, symlinks, /proc/self/root)" "$out" "SECRET"
like "root: a hidden file reads as empty" "$out" "^$T/file: $"
like "root: a file inside a hidden directory does not exist" "$out" "^$T/sec/key: cat: [^ ]*: No such file or directory"
is "root: the command's status" "$rc" 0
like "--stats: fsdeny was called for nothing (the kernel enforces every rule)" "$err" "
fs +0 +0 "

run_sandlock run -c "$ini" -- sh -c "ls -A '$T/sec'; ls -A '$T/sec/keep/deep'; cat '$T/sec/keep/deep/file' '$T/open/readme' '$T/home/.ssh/known_hosts'"
is "root: the hidden directory lists only the way to the exception; exceptions and the rest are as they were" \
    "$out" "keep
file
kept
public
hosts"

run_sandlock run -c "$ini" -- sh -c "echo x > '$T/file'; echo x > '$T/sec/new'; mkdir '$T/sec/d'; rm -f '$T/file'; echo done"
like "root: writing a hidden file: read-only file system" "$err" "$T/file: Read-only file system"
like "root: creating in a hidden directory: read-only file system" "$err" "$T/sec/new: Read-only file system"
is "root: the hidden file was not changed" "$(cat "$T/file")" "SECRET"
[ ! -e "$T/sec/new" ] && pass "root: nothing was created in the real directory" || fail "root: nothing was created in the real directory"

# ---- what an unprivileged command sees: EACCES, as on the notification path ----
run_sandlock run -c "$ini" -- $as_nobody sh -c "$probe" sh "$T/sec/key" "$T/file" "$T/home/.ssh/id_ed25519" \
    "$T/sec/keep/deep/file" "$T/home/.ssh/known_hosts"
unlike "nobody: no secret content" "$out" "SECRET"
like "nobody: a hidden file: EACCES" "$out" "^$T/file: cat: [^ ]*: Permission denied"
like "nobody: inside a hidden directory with exceptions (mode 0111): ENOENT" "$out" \
    "^$T/sec/key: cat: [^ ]*: No such file or directory"
like "nobody: the exceptions are readable" "$out" "^$T/sec/keep/deep/file: kept $"
like "nobody: ~/.ssh/known_hosts is readable" "$out" "^$T/home/.ssh/known_hosts: hosts $"
run_sandlock run -c "$ini" -- $as_nobody ls "$T/sec"
like "nobody: a hidden directory cannot be listed" "$err" "Permission denied"
run_sandlock run -c "$ini" -- $as_nobody cat "$T/rt/inner/secret"
like "nobody: inside a hidden directory without exceptions (mode 0000): EACCES" "$err" "Permission denied"

# ---- a renamed ancestor: the mask belongs to the directory, not to its name ----
run_sandlock run -c "$ini" -- sh -c "mv '$T/rt' '$T/rt.moved' && cat '$T/rt.moved/inner/secret'; mv '$T/rt.moved' '$T/rt'"
unlike "rename of an ancestor does not expose the hidden directory" "$out$err" "SECRET"
is "the rename was real (and undone)" "$(cat "$T/rt/inner/secret")" "SECRET"

# ---- a root command cannot undo a mask ----
run_sandlock run -c "$ini" -- sh -c "umount '$T/file' || umount -l '$T/sec' || mount -o remount,rw '$T/file' ||
    mount --move '$T/sec' '$T/open' || mount --bind '$T/open' '$T/sec' || unshare -m true || cat '$T/file' '$T/sec/key'" 
unlike "umount, remount, move, overmount, unshare: all refused" "$out" "SECRET"
like "... with EPERM" "$err" "ermission denied|not permitted"

# ---- what a mask does not cover: a hard link made before the start ----
run_sandlock run -c "$ini" -- cat "$T/hardlink"
is "a hard link made before the start is another path: not hidden (documented)" "$out" "SECRET"

# ---- rules that stay on notifications, and why ----
later=$(write_ini later <<EOF
[plugin fs]
module = fsdeny
deny = $T/missing
deny = $T/sec/*/key2
deny = $T/file
EOF
)
run_sandlock check -c "$later"
like "a missing path stays on notifications, with the reason" "$err" "deny $T/missing: notifications: it does not exist now"
like "a pattern stays on notifications, with the reason" "$err" "deny $T/sec/\\*/key2: notifications: a pattern may match"
like "... while an existing path is masked" "$out" "kernel: hidden $T/file$"
like "... and fsdeny intercepts path syscalls for them" "$out" "openat +fs"
run_sandlock run -c "$later" -- sh -c "echo SECRET > '$T/missing'; cat '$T/missing'; cat '$T/sec/other/key2'; cat '$T/file'"
unlike "a path created during the run is denied on the notification path" "$out" "SECRET"

allowlater=$(write_ini allowlater <<EOF
[plugin fs]
module = fsdeny
deny = $T/missing2
deny = $T/sec/*/key2
created_later = allow
EOF
)
run_sandlock check -c "$allowlater"
like "created_later = allow: current matches of a pattern are masked" "$out" "kernel: hidden $T/sec/other/key2$"
like "created_later = allow: nothing is intercepted" "$out" "\\(none intercepted\\)"
run_sandlock run -c "$allowlater" -- cat "$T/sec/other/key2"
is "created_later = allow: a current match reads as empty" "$out" ""

# ---- masks = no forces the notification path ----
{ printf '[sandlock]\nmasks = no\n'; cat "$ini"; } > "$T/nomasks.ini"
run_sandlock check -c "$T/nomasks.ini"
like "masks = no: check says so" "$out" "masks: off"
unlike "masks = no: no mask" "$out" "kernel:"
run_sandlock run -c "$T/nomasks.ini" -- cat "$T/file"
like "masks = no: the notification path denies (EACCES, also for root)" "$err" "Permission denied"

# Only paths that do not exist, with created_later = allow: nothing to deny
# in this run. sandlock starts (it refused with "declares no syscalls").
ini=$(write_ini nothing <<EOF
[plugin fs]
module = fsdeny
deny = $T/not-there
created_later = allow
EOF
)
run_sandlock run -c "$ini" -- sh -c 'echo ran; exit 3'
is "only missing paths, created_later = allow: the command runs (exit 3)" "$rc" 3
like "... its output" "$out" "^ran$"
run_sandlock check -c "$ini"
like "... check: the instance intercepts nothing" "$out" "none intercepted"

done_testing
