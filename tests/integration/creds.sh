#!/usr/bin/env bash
# What plugins do on the child's behalf runs with the child's credentials
# as they are at that moment: a root child that gave up root (or some
# capabilities, or only in one thread) gets from fsdeny's opens, renames and
# links and from netguard's binds and connects exactly what the kernel gives
# it without sandlock. Each case runs the same probe bare and sandboxed and
# expects the same output.
. "$top_srcdir/tests/integration/common.sh"

CPROBE="$top_builddir/tests/integration/credprobe"
[ -x "$CPROBE" ] || { echo "Bail out! credprobe not built"; exit 1; }
T=$TEST_TMP

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP the children must be root to give up root (run as root)"
    exit 0
fi

echo s > "$T/secret";  chmod 600 "$T/secret"          # root's, 0600
echo o > "$T/other";   chmod 600 "$T/other"; chown 1234:1234 "$T/other"
echo g > "$T/grp";     chmod 640 "$T/grp";   chown 0:4242 "$T/grp"
echo w > "$T/shared";  chmod 644 "$T/shared"          # root may write, others read
echo n > "$T/nbsecret"; chmod 600 "$T/nbsecret"; chown 65534:65534 "$T/nbsecret"
mkdir -m 700 "$T/closed" "$T/closed1234"              # only their owner may search them
echo c > "$T/closed/file"; echo c > "$T/closed1234/file"; chmod 644 "$T/closed/file" "$T/closed1234/file"
chown 1234:1234 "$T/closed1234"
mkdir -m 755 "$T/rootdir"
for w in bare sb; do
    for n in 1 2 3; do echo a > "$T/rootdir/a${n}_$w"; echo a > "$T/rootdir/l${n}_$w"; done
done

# A privileged port nobody listens on.
PORT=""
for p in 81 444 612 713 899; do
    if [ "$("$CPROBE" keep bind $p)" = ok ]; then PORT=$p; break; fi
done
"$CPROBE" serve "$T/peer.sock" "$T/ready" &
BG_PIDS="$BG_PIDS $!"
wait_for_file() { local i; for ((i = 0; i < 250; i++)); do [ -e "$1" ] && return 0; sleep 0.02; done; return 1; }
wait_for_file "$T/ready" || echo "# the peer credential server did not start"

# fsdeny acts for the child on every open, rename and link it allows
# (masks = no: nothing is left to the kernel's masks); netguard on every
# connect and bind. Neither denies anything used here.
ini=$(write_ini acts <<EOF
[sandlock]
workers = 2
masks = no
[plugin fs]
module = fsdeny
deny = $T/nothing-here
[plugin net]
module = netguard
deny = 192.0.2.1
EOF
)

# same NAME EXPECTED PROBE-ARGS... : the probe prints EXPECTED bare and
# sandboxed. An "@" in an argument becomes "bare" or "sb", so that calls
# that change something work on their own copies.
same() {
    local name=$1 want=$2 bare
    shift 2
    bare=$("$CPROBE" "${@//@/bare}" 2>&1)
    if [ "$bare" != "$want" ]; then
        fail "$name: bare run gives '$bare', not '$want' (fixture broken)"
        return
    fi
    run_sandlock run -c "$ini" -- "$CPROBE" "${@//@/sb}"
    is "$name" "$out" "$want"
}

# A root child that became nobody.
same "nobody: open of root's 0600 file"            "err EACCES" nobody read "$T/secret"
same "nobody: open of its own 0600 file"           "ok" nobody read "$T/nbsecret"
# The walk to the object is the child's too (reopening the object would
# not ask for the directories' search permission again).
same "nobody: open in root's 0700 directory"       "err EACCES" nobody read "$T/closed/file"
same "nobody: stat in root's 0700 directory"       "err EACCES" nobody stat "$T/closed/file"
same "nobody: create in root's 0755 directory"     "err EACCES" nobody creat "$T/rootdir/new1_@"
same "nobody: rename in root's 0755 directory"     "err EACCES" nobody rename "$T/rootdir/a1_@" "$T/rootdir/b1_@"
same "nobody: link of root's file (protected_hardlinks)" "err EPERM" nobody link "$T/rootdir/l1_@" "$T/rootdir/m1_@"
same "nobody: mkdir in root's 0755 directory"      "err EACCES" nobody mkdir "$T/rootdir/d_@"
same "nobody: reopen for writing through /proc/self/fd" "err EACCES" nobody reopen "$T/shared"
same "nobody: connect shows the child's uid to the peer" "ok uid=65534 gid=65534" nobody connect "$T/peer.sock"
if [ -n "$PORT" ]; then
    same "nobody: bind to privileged port $PORT"     "err EACCES" nobody bind "$PORT"
else
    fail "no free privileged port to bind (tried 81 444 612 713 899)"
fi
# Groups are the child's too: one it kept opens a group-readable file,
# none does not.
same "nobody with group 4242: opens a 0640 file of group 4242" "ok" nobody+4242 read "$T/grp"
same "nobody without groups: cannot"                 "err EACCES" nobody read "$T/grp"
# Only the file-system identity changed.
same "fsuid 65534: open of root's 0600 file"        "err EACCES" fsuid read "$T/secret"
same "fsuid 65534: create in root's directory"      "err EACCES" fsuid creat "$T/rootdir/new2_@"
# Still root, without the capabilities that override file permissions.
same "uid 0 without CAP_DAC_OVERRIDE: another owner's 0600 file" "err EACCES" nodac read "$T/other"
same "uid 0 without CAP_DAC_OVERRIDE: its own 0600 file"         "ok" nodac read "$T/secret"
same "uid 0 without CAP_DAC_OVERRIDE: stat in another owner's 0700 directory" "err EACCES" nodac stat "$T/closed1234/file"
same "uid 0 without CAP_DAC_OVERRIDE: stat in its own 0700 directory" "ok" nodac stat "$T/closed/file"
# Credentials are per thread: the thread that made the call counts.
same "one thread became nobody: its open"           "err EACCES" thread:nobody read "$T/secret"
same "one thread became nobody: its stat"           "err EACCES" thread:nobody stat "$T/closed/file"
same "one thread became nobody: its rename"         "err EACCES" thread:nobody rename "$T/rootdir/a1_@" "$T/rootdir/b1_@"
same "one thread became nobody: its connect"        "ok uid=65534 gid=65534" thread:nobody connect "$T/peer.sock"

# A root child that stays root can still do all of it.
same "root: open of its 0600 file"                  "ok" keep read "$T/secret"
same "root: open of another owner's 0600 file"      "ok" keep read "$T/other"
same "root: stat in another owner's 0700 directory" "ok" keep stat "$T/closed1234/file"
same "root: create"                                 "ok" keep creat "$T/rootdir/new3_@"
same "root: rename"                                 "ok" keep rename "$T/rootdir/a3_@" "$T/rootdir/b3_@"
same "root: link"                                   "ok" keep link "$T/rootdir/l3_@" "$T/rootdir/m3_@"
same "root: reopen for writing"                     "ok" keep reopen "$T/shared"
same "root: connect shows uid 0"                    "ok uid=0 gid=0" keep connect "$T/peer.sock"
[ -n "$PORT" ] && same "root: bind to privileged port $PORT" "ok" keep bind "$PORT"
same "root in one thread while another is nobody"   "ok" thread:keep read "$T/secret"
owner=$(stat -c %u:%g "$T/rootdir/new3_sb" 2>/dev/null)
is "a file created for a root child is root's" "${owner:-missing}" "0:0"

# One worker serves a nobody child, then a root one: it went back to
# sandlock's credentials in between.
one=$(write_ini one <<EOF
[sandlock]
workers = 1
masks = no
[plugin fs]
module = fsdeny
deny = $T/nothing-here
EOF
)
run_sandlock run -c "$one" -- sh -c "'$CPROBE' nobody read '$T/secret'; '$CPROBE' keep read '$T/secret'; '$CPROBE' nobody read '$T/secret'"
is "one worker: nobody, then root, then nobody again" "$(echo $out)" "err EACCES ok err EACCES"

# sandlock run by an unprivileged user: the child has sandlock's
# credentials and cannot change them; nothing is switched, all works.
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$SANDLOCK"; then
    as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    mkdir -m 777 "$T/nbdir"
    out=$($as_nobody "$SANDLOCK" run -c "$ini" -- "$CPROBE" keep read "$T/secret" 2>&1)
    is "sandlock as nobody: root's 0600 file stays closed" "$out" "err EACCES"
    out=$($as_nobody "$SANDLOCK" run -c "$ini" -- "$CPROBE" keep creat "$T/nbdir/f" 2>&1)
    is "sandlock as nobody: creates in a directory it may write" "$out" "ok"
    is "and the file is nobody's" "$(stat -c %U "$T/nbdir/f" 2>&1)" "nobody"
    out=$($as_nobody "$SANDLOCK" run -c "$ini" -- "$CPROBE" keep rename "$T/nbdir/f" "$T/nbdir/g" 2>&1)
    is "sandlock as nobody: renames there" "$out" "ok"
    out=$($as_nobody "$SANDLOCK" run -c "$ini" -- "$CPROBE" keep connect "$T/peer.sock" 2>&1)
    is "sandlock as nobody: connects as nobody" "$out" "ok uid=65534 gid=65534"
else
    echo "# SKIP sandlock as nobody: setpriv missing or the build tree is not readable by nobody"
fi

done_testing
