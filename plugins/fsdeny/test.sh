#!/bin/sh
# fsdeny through real sandboxed children: denied and allowed paths for the
# covered syscalls, symlinks, "most specific wins", ~, the open race, and
# init errors that name their key -- on the notification path ([sandlock]
# masks = no; masks.sh tests the same guarantees with the kernel's masks).
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/fsdeny/fsprobe"
T="$TEST_TMP"

mkdir -p "$T/good" "$T/deny/keep" "$T/deny/sub" "$T/home/.ssh" "$T/work"
echo good > "$T/good/a"
echo bad > "$T/deny/a"
echo kept > "$T/deny/keep/a"
echo private > "$T/home/.ssh/id_ed25519"
echo public > "$T/home/.ssh/id_ed25519.pub"
ln -s "$T/deny/a" "$T/good/link"           # a symlink to a denied file
ln -s "$T/deny" "$T/good/dirlink"          # a symlink to a denied directory
ln -s "$T/good/a" "$T/deny/tolink"         # a symlink inside the denied directory
cp /bin/true "$T/deny/true"
cp /bin/true "$T/good/true"
mkdir -p "$T/realdir"
echo hidden > "$T/realdir/hidden"
ln -s realdir "$T/via"                     # a rule names a file through it

ini=$(write_ini fs <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/deny
allow = $T/deny/keep
deny = ~/.ssh/*
allow = ~/.ssh/*.pub
deny = $T/via/hidden
EOF
)
export HOME="$T/home"

probe() { run_sandlock run -c "$ini" -- "$PROBE" "$@"; }

probe read "$T/good/a";            is "allowed file is read" "$out" "ok good"
probe read "$T/deny/a";            is "denied file: EACCES" "$out" "err EACCES"
probe read "$T/deny";              is "the denied directory itself" "$out" "err EACCES"
probe read "$T/deny/keep/a";       is "allow exception (longer prefix) wins" "$out" "ok kept"
probe read "$T/good/../deny/a";    is ".. does not get around a rule" "$out" "err EACCES"
probe read "$T//deny/./a";         is "// and . do not either" "$out" "err EACCES"
probe read "$T/via/hidden";        is "a rule that names a file through a symlink: denied as named" "$out" "err EACCES"
probe read "$T/via/../via/hidden"; is "... also spelled with .. and . (the name is normalised)" "$out" "err EACCES"
probe openat2 "$T/deny/a";         is "openat2 denied" "$out" "err EACCES"
probe openat2 "$T/good/a";         is "openat2 allowed" "$out" "ok good"
probe read "$T/home/.ssh/id_ed25519";     is "~ expands: private key denied" "$out" "err EACCES"
probe read "$T/home/.ssh/id_ed25519.pub"; is "same prefix, more literals: .pub allowed" "$out" "ok public"
probe read "$T/good/link";         is "symlink to a denied file: denied" "$out" "err EACCES"
probe read "$T/good/dirlink/a";    is "through a symlinked denied directory: denied" "$out" "err EACCES"
probe read "$T/good/nothere";      is "missing allowed file: the open's own error" "$out" "err ENOENT"
probe cloexec "$T/good/a";         is "O_CLOEXEC follows the child's flags" "$out" "plain 0 cloexec 1"
run_sandlock run -c "$ini" -- sh -c "cd '$T/good' && cat ../deny/a"
is "relative path from a shell: nothing read" "$out" ""
like "and cat reports the denial" "$err" "Permission denied"
run_sandlock run -c "$ini" -- sh -c "cd '$T/good' && cat a"
is "relative allowed path" "$out" "good"

# /proc/self is the child's, and aliases of its descriptors reopen them.
run_sandlock run -c "$ini" -- grep '^Name:' /proc/self/status
like "/proc/self is the child's own" "$out" "^Name:[[:space:]]+grep$"
run_sandlock run -c "$ini" -- grep '^Name:' /proc/thread-self/status
like "/proc/thread-self too" "$out" "^Name:[[:space:]]+grep$"
run_sandlock run -c "$ini" -- sh -c 'echo to-stderr > /dev/stderr'
is "redirect to /dev/stderr works" "$rc:$err" "0:to-stderr"
out=$("$SANDLOCK" run -c "$ini" -- "$PROBE" read /dev/stdin < "$T/good/a" 2>/dev/null)
is "/dev/stdin reopens the child's stdin" "$out" "ok good"
out=$("$SANDLOCK" run -c "$ini" -- "$PROBE" read /dev/fd/0 < "$T/deny/a" 2>/dev/null)
is "/dev/fd/0 of a denied file: denied" "$out" "err EACCES"
out=$("$SANDLOCK" run -c "$ini" -- "$PROBE" read /proc/self/fd/0 < "$T/deny/a" 2>/dev/null)
is "/proc/self/fd/N of a denied file: denied" "$out" "err EACCES"
out=$("$SANDLOCK" run -c "$ini" -- "$PROBE" read /proc/thread-self/fd/0 < "$T/good/a" 2>/dev/null)
is "/proc/thread-self/fd/N of an allowed file" "$out" "ok good"

# Opens that create or truncate: no side effect on a denied target.
probe creat "$T/deny/new";         is "creat in a denied directory" "$out" "err EACCES"
test -e "$T/deny/new" && fail "nothing was created" || pass "nothing was created"
probe creat "$T/good/dirlink/new2"; is "creat through a symlinked denied directory" "$out" "err EACCES"
test -e "$T/deny/new2" && fail "nothing was created through the link" || pass "nothing was created through the link"
probe trunc "$T/good/link";        is "O_TRUNC through a symlink to a denied file" "$out" "err EACCES"
is "the denied file kept its content" "$(cat "$T/deny/a")" "bad"
ln -s "$T/deny/via-dangling" "$T/good/dangling"
probe creat "$T/good/dangling";    is "creat through a dangling symlink into a denied directory" "$out" "err EACCES"
test -e "$T/deny/via-dangling" && fail "its target was not created" || pass "its target was not created"
ln -s ../good/created-by-link "$T/good/dangling2"
probe creat "$T/good/dangling2";   is "creat through a dangling relative symlink" "$out" "ok"
test -f "$T/good/created-by-link" && pass "creates its target" || fail "creates its target"
probe creat "$T/good/made";        is "creat in an allowed directory" "$out" "ok"
probe tmpfile "$T/deny";           is "O_TMPFILE in a denied directory" "$out" "err EACCES"
probe tmpfile "$T/good/dirlink";   is "O_TMPFILE through a symlinked denied directory" "$out" "err EACCES"
probe tmpfile "$T/good";           is "O_TMPFILE in an allowed directory" "$out" "ok"
test -f "$T/good/made" && pass "and the file exists" || fail "and the file exists"

# Non-open syscalls.
probe stat "$T/deny/a";            is "stat denied" "$out" "err EACCES"
probe stat "$T/good/link";         is "stat follows a symlink to a denied file" "$out" "err EACCES"
probe lstat "$T/good/link";        is "lstat of that symlink itself is allowed" "$out" "ok"
probe stat "$T/good/a";            is "stat allowed" "$out" "ok"
probe access "$T/deny/a";          is "access denied" "$out" "err EACCES"
probe readlink "$T/deny/tolink";   is "readlink inside a denied directory" "$out" "err EACCES"
probe readlink "$T/good/link";     is "readlink of an allowed symlink" "$out" "ok"
probe unlink "$T/deny/a";          is "unlink denied" "$out" "err EACCES"
test -f "$T/deny/a" && pass "the file is still there" || fail "the file is still there"
probe rename "$T/good/made" "$T/deny/moved"; is "rename into a denied directory" "$out" "err EACCES"
probe rename "$T/deny/a" "$T/good/stolen";   is "rename out of a denied directory" "$out" "err EACCES"
probe link "$T/deny/a" "$T/good/hard";       is "hard link of a denied file" "$out" "err EACCES"
test -e "$T/good/hard" && fail "no hard link made" || pass "no hard link made"
probe symlink "$T/good/a" "$T/deny/sym";     is "symlink created in a denied directory" "$out" "err EACCES"
probe mkdir "$T/deny/d";           is "mkdir denied" "$out" "err EACCES"
probe mkdir "$T/good/d";           is "mkdir allowed" "$out" "ok"
probe rmdir "$T/deny/sub";         is "rmdir denied" "$out" "err EACCES"
probe truncate "$T/deny/a";        is "truncate denied" "$out" "err EACCES"
probe chdir "$T/deny";             is "chdir denied" "$out" "err EACCES"
probe exec "$T/deny/true";         is "execve of a denied program" "$out" "err EACCES"
run_sandlock run -c "$ini" -- "$PROBE" exec "$T/good/true"
is "execve of an allowed program" "$rc:$out" "0:"
is "the denied tree is intact" "$(cat "$T/deny/a") $(ls "$T/deny" | tr '\n' ' ')" \
    "bad a keep sub tolink true "

# A denied path spelled through the child's magic links: /proc/self/root,
# /proc/self/cwd, /dev/fd/N and /proc/self/fd/N of an allowed directory.
# sandlock's own lookup of such a spelling fails (a magic link); that must
# never mean "allowed" (it did for every call below).
chmod 640 "$T/deny/a"
mkdir -p "$T/deny/emptydir"
for spelling in "/proc/self/root$T/deny" "/dev/fd/9/deny" "/proc/self/fd/9/deny" "/proc/self/cwd/deny"; do
    for call in stat access getxattr utimensat chmod chown truncate unlink exec; do
        run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$PROBE' $call '$spelling/a'"
        is "$call $spelling/a" "$out" "err EACCES"
    done
    for call in mkdir mknod; do
        run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$PROBE' $call '$spelling/new-$call'"
        is "$call $spelling/new-$call" "$out" "err EACCES"
    done
    run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$PROBE' symlink /x '$spelling/new-sym'"
    is "symlink $spelling/new-sym" "$out" "err EACCES"
    run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$PROBE' rmdir '$spelling/emptydir'"
    is "rmdir $spelling/emptydir" "$out" "err EACCES"
done
is "through magic links nothing denied changed" \
    "$(stat -c '%a %s' "$T/deny/a") $(ls "$T/deny" | tr '\n' ' ')" "640 4 a emptydir keep sub tolink true "
# ... while the same spellings of allowed files work as they do bare.
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$PROBE' read /dev/fd/9/good/a"
is "/dev/fd/N/allowed is read" "$out" "ok good"
run_sandlock run -c "$ini" -- "$PROBE" read "/proc/self/root$T/good/a"
is "/proc/self/root/allowed is read" "$out" "ok good"

# chmod through a racing path: one thread flips the path buffer between an
# allowed and a denied file, another flips a symlink between them. The
# denied file's mode must never change (whether the race is hit or not).
mkdir -p "$T/cgood" "$T/cdeny"
echo good > "$T/cgood/f"
echo secret > "$T/cdeny/f"
chmod 600 "$T/cgood/f" "$T/cdeny/f"
ini4=$(write_ini chmodrace <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/cdeny
EOF
)
run_sandlock run -c "$ini4" -- "$PROBE" chmodrace "$T/cgood/f" "$T/cdeny/f" "$T/cgood/link" 4000
like "chmod race: the allowed file was changed" "$out" "^chmods [0-9]{2,}$"
is "chmod race: the denied file's mode never changed" "$(stat -c %a "$T/cdeny/f")" "600"

# Opens of a FIFO wait for the other end on a thread of their own: two
# readers waiting must not keep the writer's open from being served, with
# two workers or one, and a sandbox killed while they wait ends at once.
# The writer keeps its end open until both readers have theirs (each says
# so in `opened`): a reader that came to its open only after the writer
# was gone would wait for another writer forever, bare too (seen under
# load with a fixed sleep instead).
readers='rm -f p opened; mkfifo p; for r in 1 2; do (exec 4<p; echo >> opened; cat <&4) & done; sleep 0.3;
    exec 3>p; until [ "$(cat opened 2>/dev/null | wc -l)" = 2 ]; do sleep 0.05; done; echo hi >&3; exec 3>&-; wait'
for workers in 2 1; do
    iniw=$(write_ini "fifo$workers" <<EOF
[sandlock]
masks = no
workers = $workers
[plugin fs]
module = fsdeny
deny = $T/deny
EOF
)
    mkdir -p "$T/fifo$workers"
    out=$(cd "$T/fifo$workers" && timeout 20 "$SANDLOCK" run -c "$iniw" -- \
        sh -c "$readers" 2>&1)
    is "FIFO: two readers and a writer, workers = $workers" "$?:$out" "0:hi"
    out=$(cd "$T/fifo$workers" && timeout 20 "$SANDLOCK" run -c "$iniw" -- \
        sh -c 'mkfifo w; (sleep 0.3; cat w) & echo late > w; wait' 2>&1)
    is "FIFO: a writer waits for a later reader, workers = $workers" "$?:$out" "0:late"
done
out=$(cd "$T/fifo2" && HOME="$T/home" timeout 20 "$SANDLOCK" run -c "$top_srcdir/examples/sandlock.ini" -- \
    sh -c "$readers" 2>/dev/null)
is "FIFO: the same under the default configuration" "$?:$out" "0:hi"
(cd "$T/fifo1" && mkfifo q && exec timeout 20 "$SANDLOCK" run -c "$iniw" -- cat q) 2>/dev/null &
pid=$!
sleep 0.5
start=$(date +%s)
kill -TERM "$pid"
wait "$pid"
took=$(( $(date +%s) - start ))
[ "$took" -le 5 ] && pass "a sandbox told to stop while an open waits ends at once" \
    || fail "a sandbox told to stop while an open waits ends at once" "took ${took}s"

# The same attacks from an unprivileged sandbox (sandlock run as nobody,
# without a PID namespace), on files nobody owns.
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && $as_nobody test -x "$PROBE"; then
    N="$T/nobody"
    chmod 755 "$T"
    mkdir -p "$N/deny" "$N/good"
    echo secret > "$N/deny/a"
    chmod 600 "$N/deny/a"
    echo good > "$N/good/f"
    chown -R nobody "$N"
    inin=$(write_ini nobody <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $N/deny
EOF
)
    chmod 644 "$inin"
    for spelling in "/proc/self/root$N/deny" "/dev/fd/9/deny" "/proc/self/cwd/deny"; do
        for call in stat chmod truncate unlink; do
            out=$(cd "$N" && $as_nobody "$SANDLOCK" run -c "$inin" -- sh -c "exec 9<'$N' && exec '$PROBE' $call '$spelling/a'" 2>/dev/null)
            is "as nobody: $call $spelling/a" "$out" "err EACCES"
        done
        out=$(cd "$N" && $as_nobody "$SANDLOCK" run -c "$inin" -- sh -c "exec 9<'$N' && exec '$PROBE' mkdir '$spelling/d'" 2>/dev/null)
        is "as nobody: mkdir $spelling/d" "$out" "err EACCES"
    done
    cp "$N/good/f" "$N/good/g"; echo secrex > "$N/deny/f"; chmod 600 "$N/good/g" "$N/deny/f"; chown nobody "$N/good/g" "$N/deny/f"
    out=$($as_nobody "$SANDLOCK" run -c "$inin" -- "$PROBE" chmodrace "$N/good/g" "$N/deny/f" "$N/good/link" 2000 2>/dev/null)
    like "as nobody: chmod race ran" "$out" "^chmods [0-9]+$"
    is "as nobody: nothing denied changed" "$(stat -c '%a %s' "$N/deny/a" "$N/deny/f" | tr '\n' ' ')$(ls "$N/deny" | tr '\n' ' ')" \
        "600 7 600 7 a f "
    out=$(cd "$N" && timeout 20 $as_nobody "$SANDLOCK" run -c "$inin" -- \
        sh -c "$readers" 2>&1)
    is "as nobody: FIFO readers and a writer" "$?:$out" "0:hi"
else
    echo "# SKIP as nobody: needs root, setpriv and a build tree nobody can read"
fi

# The errno key.
ini2=$(write_ini errno <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/deny
errno = ENOENT
EOF
)
run_sandlock run -c "$ini2" -- "$PROBE" read "$T/deny/a"
is "errno = ENOENT" "$out" "err ENOENT"

# The race: one thread flips the path buffer between an allowed and a denied
# file while another opens it in a loop. Nothing denied may ever be read.
mkdir -p "$T/rgood" "$T/rdeny"
echo good > "$T/rgood/f"
echo secret > "$T/rdeny/f"
ini3=$(write_ini race <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/rdeny
EOF
)
run_sandlock run -c "$ini3" -- "$PROBE" race "$T/rgood/f" "$T/rdeny/f" 20000
like "race: the flipping child ran" "$out" "^good [0-9]+ bad [0-9]+ errors [0-9]+$"
# The probe runs until it saw both outcomes 100 times (or gives up after 60 s):
# both sides of the race were exercised, whatever the scheduling.
like "race: it opened the allowed file (100+ times)" "$out" "^good [0-9]{3,} "
like "race: it was denied (100+ times)" "$out" "errors [0-9]{3,}$"
like "race: it never read the denied content" "$out" " bad 0 "

# The same race against link(2): the hard link made must never be one of
# the denied file (sandlock performs rename and link itself).
mkdir -p "$T/rout"
run_sandlock run -c "$ini3" -- "$PROBE" linkrace "$T/rgood/f" "$T/rdeny/f" "$T/rout/l" 5000
like "link race: links of the allowed file were made (10+)" "$out" "^good [0-9]{2,} "
like "link race: links of the denied one were refused (10+)" "$out" "errors [0-9]{2,}$"
like "link race: no link of the denied file ever appeared" "$out" " bad 0 "
run_sandlock run -c "$ini" -- sh -c "cd '$T/good' && echo moved > m1 && mv m1 m2 && cat m2 && ln m2 m3 && cat m3"
is "mv and ln in an allowed directory" "$rc:$out" "0:moved
moved"

# inotify: a watch shows entry names, so a denied directory cannot be
# watched; an allowed one is watched in the child's own inotify instance.
run_sandlock run -c "$ini" -- "$PROBE" inotify "$T/deny/sub"
is "inotify_add_watch on a denied directory: EACCES" "$out" "err EACCES"
mkdir -p "$T/good/watched"
run_sandlock run -c "$ini" -- "$PROBE" inotify "$T/good/watched"
is "inotify_add_watch on an allowed directory: the child gets its events" "$out" "ok new"

# execve continues in the kernel after the check; a child racing its path
# buffer (vfork()ed children sharing the flipping memory) may win that race,
# but the program it then runs is judged at its next call fsdeny sees (the
# loader's first file access) and the sandbox ends before it did anything.
mkdir -p "$T/xgood" "$T/xdeny"
cp /bin/true "$T/xgood/p"
cp /bin/echo "$T/xdeny/p"
inix=$(write_ini execrace <<EOF
[sandlock]
masks = no
workers = 2
[plugin fs]
module = fsdeny
deny = $T/xdeny
EOF
)
run_sandlock run -c "$inix" -- "$PROBE" execrace "$T/xgood/p" "$T/xdeny/p" 2000
unlike "exec race: the denied program never ran (it would print BAD)" "$out" "BAD"
if [ "$rc" = 137 ]; then like "exec race won by the child: the sandbox ended, and says why" "$err" "runs a denied program"
else is "exec race never won: every exec of the allowed program ran" "$rc:$out" "0:execs 2000"; fi

# Renaming a directory above a denied path would carry it to a name no rule
# covers: refused (the masks follow such renames by construction).
mkdir -p "$T/anc/mid/inner" "$T/anc/side" "$T/gl/a/secret" "$T/gl/a/b"
echo SECRET > "$T/anc/mid/inner/key"
echo SECRET > "$T/gl/a/secret/key"
inia=$(write_ini ancestors <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/anc/mid/inner
deny = $T/gl/*/secret
EOF
)
run_sandlock run -c "$inia" -- sh -c "mv '$T/anc/mid' '$T/anc/mid2' || echo parent-refused; mv '$T/anc' '$T/anc2' || echo grandparent-refused;
    cd '$T' && mv anc anc3 || echo relative-refused; mv '$T/gl/a' '$T/gl/z' || echo glob-refused;
    mv '$T/anc/side' '$T/anc/side2' && echo sibling-moved; mv '$T/gl/a/b' '$T/gl/a/c' && echo off-pattern-moved;
    cat '$T/anc/mid2/inner/key' '$T/anc2/mid/inner/key' '$T/gl/z/secret/key' 2>/dev/null"
is "rename of a parent, grandparent (also relative) or a directory a pattern runs through: refused; others moved" \
    "$out" "parent-refused
grandparent-refused
relative-refused
glob-refused
sibling-moved
off-pattern-moved"
[ -f "$T/anc/mid/inner/key" ] && [ -f "$T/gl/a/secret/key" ] && pass "the denied paths stayed where they were" \
    || fail "the denied paths stayed where they were"

# Init errors name their key.
check_error() {
    printf "$3" > "$TEST_TMP/bad.ini"
    run_sandlock check -c "$TEST_TMP/bad.ini"
    like "$1" "$err" "$2"
}
check_error "unknown key" "unknown key 'mode'" '[plugin fs]\nmodule = fsdeny\ndeny = /x\nmode = strict\n'
check_error "bad errno" "errno: expected" '[plugin fs]\nmodule = fsdeny\ndeny = /x\nerrno = ENOTANERRNO\n'
check_error "relative deny" "deny: 'relative/path': pattern must be an absolute" '[plugin fs]\nmodule = fsdeny\ndeny = relative/path\n'
check_error "relative allow: its line" "bad.ini:4: \\[plugin fs\\]: init failed: allow: 'x'" '[plugin fs]\nmodule = fsdeny\ndeny = /x\nallow = x\n'
check_error "deny is required" "bad.ini:1: \\[plugin fs\\]: missing required key 'deny'" '[plugin fs]\nmodule = fsdeny\nallow = /x\n'
done_testing
