#!/usr/bin/env bash
# Paths as the child sees them: resolve_path (the child reads the resolved
# path back from a content fd) and open_path (the child reads the fd the
# plugin opened on its behalf).
. "$top_srcdir/tests/services/common.sh"

T=$TEST_TMP
mkdir -p "$T/work/sub" "$T/dir"
printf 'file-data' > "$T/work/data.txt"
ln -s data.txt "$T/work/link"
ini=$(svc_ini paths)

# ---- resolve_path ----
run_sandlock run -c "$ini" -- "$PROBE" cd "$T/work" open "#r:a/../b//./c" open "#r:/x/../../y/./z/" \
    openat "$T/dir" "#r:sub/../f" openat "$T/dir" "#r:" cd / open "#r:relative" open "#r:.." \
    open-fault openat-file "$T/work/data.txt"
is "resolve_path: cwd, absolute, dirfd, root; faults and non-directories" "$out" "#r:a/../b//./c: data=$T/work/b/c cloexec=1 write=EPERM
#r:/x/../../y/./z/: data=/y/z cloexec=1 write=EPERM
#r:sub/../f: data=$T/dir/f cloexec=1 write=EPERM
#r:: data=$T/dir cloexec=1 write=EPERM
#r:relative: data=/relative cloexec=1 write=EPERM
#r:..: data=/ cloexec=1 write=EPERM
open-fault: errno=EFAULT
openat-file: errno=ENOTDIR"

# resolve_path_flags (ABI 1.1): SANDLOCK_RESOLVE_ANY_DIRFD joins a relative
# path to a file's dirfd instead of failing with ENOTDIR; a socket still
# has no path; 0 behaves as resolve_path; unknown flags are refused.
run_sandlock run -c "$ini" -- "$PROBE" openat-file-any "$T/work/data.txt" openat-socket-any \
    openat "$T/dir" "#a:sub/../f" cd "$T/work" open "#a:a/../b" open "#x:b"
is "resolve_path_flags: ANY_DIRFD, a socket, a directory, the cwd, an unknown flag" "$out" \
"openat-file-any: data=$T/work/data.txt/y cloexec=1 write=EPERM
openat-socket-any: errno=ENOTDIR
#a:sub/../f: data=$T/dir/f cloexec=1 write=EPERM
#a:a/../b: data=$T/work/b cloexec=1 write=EPERM
#x:b: errno=EINVAL"

# resolve_path_begin/_end (ABI 1.2): a path relative to a descriptor is
# held and named by end, with resolve_path_flags' results and errors for
# begin's flags; every other path is resolved by begin itself.
run_sandlock run -c "$ini" -- "$PROBE" openat "$T/dir" "#b:sub/../f" openat "$T/dir" "#b:" \
    openat "$T/dir" "#b:/x/../y" cd "$T/work" open "#b:a/../b" openat-nodir "$T/work/data.txt" "#b:x" \
    openat-nodir "$T/work/data.txt" "#j:x/../y" openat-socket "#b:x" openat-socket "#j:x" \
    openat-nodir /dev/null "#b:" open "#b:" open "#e:"
is "resolve_path_begin/end: held for a descriptor, at once otherwise" "$out" \
"#b:sub/../f: data=held:$T/dir/f cloexec=1 write=EPERM
#b:: data=held:$T/dir cloexec=1 write=EPERM
#b:/x/../y: data=now:/y cloexec=1 write=EPERM
#b:a/../b: data=now:$T/work/b cloexec=1 write=EPERM
#b:x: errno=ENOTDIR
#j:x/../y: data=held:$T/work/data.txt/y cloexec=1 write=EPERM
#b:x: errno=ENOTDIR
#j:x: errno=ENOTDIR
#b:: data=held:/dev/null cloexec=1 write=EPERM
#b:: data=now:$T/work cloexec=1 write=EPERM
#e:: errno=EINVAL"

# The directory is named when end runs: renamed meanwhile, by its new name;
# removed meanwhile, by the name it had (not "... (deleted)").
mkdir -p "$T/held/sub"
run_sandlock run -c "$ini" -- sh -c "'$PROBE' openat '$T/held' '#h:sub/../x'; mv '$T/held' '$T/moved';
    '$PROBE' open '#e:' openat '$T/moved/sub' '#h:y'; rmdir '$T/moved/sub'; '$PROBE' open '#e:'"
is "resolve_path_end: the directory's name when end runs (renamed, removed)" "$out" \
"#h:sub/../x: data=held cloexec=1 write=EPERM
#e:: data=$T/moved/x cloexec=1 write=EPERM
#h:y: data=held cloexec=1 write=EPERM
#e:: data=$T/moved/sub/y cloexec=1 write=EPERM"

# Every held copy is closed by end, also a dropped one: the supervisor's
# fd count is the same after 200 of each (the first call fills the pidfd
# cache).
ops=()
for i in $(seq 200); do ops+=(openat "$T/dir" "#b:f$i" openat "$T/dir" "#d:g$i"); done
run_sandlock run -c "$ini" -- "$PROBE" openat "$T/dir" "#b:warm" open "#f:" "${ops[@]}" open "#f:"
fds=$(printf '%s\n' "$out" | sed -n 's/^#f:: data=\([0-9]*\) .*/\1/p' | tr '\n' ' ')
like "resolve_path_begin/end x400: the supervisor's fd count does not grow" "$fds" '^([0-9]+) \1 $'
is "resolve_path_begin/end x400: every one named" "$(printf '%s\n' "$out" | grep -c "data=held:$T/dir/f")" 200

ini_small=$(svc_ini small "pathsize = 16")
run_sandlock run -c "$ini_small" -- "$PROBE" open "#r:/aaaa/bbbb/cccc" open "#r:/aaaa/bbbb/ccccc" \
    open "#r:/aaaa/bbbb/cc/../../.."
is "resolve_path: truncation is reported, not a cut path" "$out" "#r:/aaaa/bbbb/cccc: data=/aaaa/bbbb/cccc cloexec=1 write=EPERM
#r:/aaaa/bbbb/ccccc: errno=ENAMETOOLONG
#r:/aaaa/bbbb/cc/../../..: data=/ cloexec=1 write=EPERM"

# ---- open_path ----
run_sandlock run -c "$ini" -- "$PROBE" cd "$T/work" open "#o:data.txt" open "#o:$T/work/sub/../data.txt" \
    open-flags "#o:link" nofollow open-flags "#o:link" plain open-flags "#o:data.txt" creat \
    open "#o:missing"
is "open_path: the child reads the plugin's fd; O_NOFOLLOW and O_EXCL honoured" "$out" "#o:data.txt: data=file-data cloexec=1 write=EBADF
#o:$T/work/sub/../data.txt: data=file-data cloexec=1 write=EBADF
#o:link nofollow: errno=ELOOP
#o:link: data=file-data cloexec=1 write=EBADF
#o:data.txt creat: errno=EEXIST
#o:missing: errno=ENOENT"

# Created files get the child's umask, not sandlock's.
run_sandlock run -c "$ini" -- sh -c "umask 077; cd '$T/work' && '$PROBE' open-flags '#o:new077' creat"
is "open_path O_CREAT: written through the fd" "$out" "#o:new077 creat: ret=ok write=10"
is "open_path O_CREAT: mode 0640 & ~077 (the child's umask)" "$(stat -c %a "$T/work/new077")" 600
(umask 077; run_sandlock run -c "$ini" -- sh -c "umask 022; cd '$T/work' && '$PROBE' open-flags '#o:new022' creat")
is "open_path O_CREAT: sandlock's own umask 077 does not apply, the child's 022 does" \
    "$(stat -c %a "$T/work/new022")" 640
is "open_path O_CREAT: the content landed" "$(cat "$T/work/new022")" "from-child"
run_sandlock run -c "$ini" -- "$PROBE" cd "$T/work" open-flags "#o:data.txt" wronly
is "open_path O_WRONLY|O_TRUNC" "$out" "#o:data.txt wronly: ret=ok write=10"
is "open_path O_WRONLY|O_TRUNC: the file was rewritten" "$(cat "$T/work/data.txt")" "from-child"

# ---- a child whose root is not sandlock's ----
# chroot(1) runs inside the sandbox, so the built-in deny list (which has
# chroot) is switched off for this run; needs root.
if [ "$(id -u)" -ne 0 ]; then
    echo "# skipping the chroot checks: not root"
    done_testing
fi
R=$T/root
mkdir -p "$R/sub" "$R/etc"
cp "$PROBE" "$R/probe"
printf 'root-data' > "$R/data.txt"
printf 'inner-hostname' > "$R/etc/hostname"
ln -s /data.txt "$R/sym"
ln -s ../../../../../../etc/hostname "$R/sub/up"
ini_root=$(svc_ini chroot "sandlock:default_deny = no")
run_sandlock run -c "$ini_root" -- chroot "$R" /probe open "#r:/a/../data.txt" cd /sub \
    open "#r:x/../y" openat /sub "#r:z" open "#r:../../.." open "#o:../data.txt" open "#o:/sym" \
    open "#o:up" open "#o:/../../../../data.txt"
is "in a chroot: paths are relative to the child's root; opens stay inside it" "$out" "#r:/a/../data.txt: data=/data.txt cloexec=1 write=EPERM
#r:x/../y: data=/sub/y cloexec=1 write=EPERM
#r:z: data=/sub/z cloexec=1 write=EPERM
#r:../../..: data=/ cloexec=1 write=EPERM
#o:../data.txt: data=root-data cloexec=1 write=EBADF
#o:/sym: data=root-data cloexec=1 write=EBADF
#o:up: data=inner-hostname cloexec=1 write=EBADF
#o:/../../../../data.txt: data=root-data cloexec=1 write=EBADF"
is "in a chroot: sandlock exits with the probe's status" "$rc" 0

# resolve_path_begin/_end hold the child's root too when it may change.
run_sandlock run -c "$ini_root" -- chroot "$R" /probe openat /sub "#b:z/../w" openat / "#b:v"
is "in a chroot: resolve_path_end names the held directory inside the child's root" "$out" \
"#b:z/../w: data=held:/sub/w cloexec=1 write=EPERM
#b:v: data=held:/v cloexec=1 write=EPERM"

done_testing
