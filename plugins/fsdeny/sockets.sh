#!/bin/sh
# fsdeny and unix socket addresses on the notification path ([sandlock]
# masks = no, and an unprivileged sandlock without a user namespace): a
# bind(2) into a denied directory would create an entry there, a connect(2)
# or a datagram to a socket inside one reaches a denied object. They are
# judged like the paths of other calls and performed on the checked copy;
# allowed ones keep their kernel meaning (the name getsockname() returns).
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/fsdeny/fsprobe"
NG="$top_builddir/plugins/netguard/ngprobe"
T="$TEST_TMP"
servers=""
serve() {
    "$NG" serve "$@" &
    servers="$servers $!"
}
trap 'kill $servers 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

mkdir -p "$T/good" "$T/deny" "$T/race/good" "$T/race/deny"
ln -s "$T/deny" "$T/good/dirlink"
serve unix "$T/deny/agent.sock" "$T/p1"
serve unix "$T/good/ok.sock" "$T/p2"
serve unix "$T/race/good/srv" "$T/p3"
serve unix "$T/race/deny/srv" "$T/p4"
serve unixdgram "$T/deny/d.sock" "$T/p5"
serve unixdgram "$T/good/d.sock" "$T/p6"
serve unixdgram "$T/race/good/d" "$T/p7"
serve unixdgram "$T/race/deny/d" "$T/p8"
serve unixcred "$T/good/cred.sock" "$T/p9"
serve unixdgramcred "$T/good/dcred.sock" "$T/p10"
for f in p1 p2 p3 p4 p5 p6 p7 p8 p9 p10; do
    i=0
    while [ ! -s "$T/$f" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
done
ln -s "$T/deny/agent.sock" "$T/good/agent-link"

ini=$(write_ini fs <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/deny
deny = $T/race/deny
EOF
)
probe() { run_sandlock run -c "$ini" -- "$NG" "$@"; }
denied_entries() { ls "$T/deny" | grep -v '^d\.sock' | tr '\n' ' '; }

# A connect fsdeny allowed (sandlock makes it) carries the child's identity to the peer.
chmod 755 "$T" "$T/good"
. "$top_srcdir/tests/peercred.sh"
peer_identity "$NG" "$T/good/cred.sock" "$ini"
peer_identity_send "$NG" "$T/good/dcred.sock" "$ini"

probe bindname "$T/deny/new.sock";         is "bind into a denied directory" "$out" "err EACCES"
probe bindname "$T/good/dirlink/new2.sock"; is "bind through a symlink to a denied directory" "$out" "err EACCES"
run_sandlock run -c "$ini" -- sh -c "cd '$T/good' && exec '$NG' bindname ../deny/rel.sock"
is "relative bind into a denied directory" "$out" "err EACCES"
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec 9<'$T' && exec '$NG' bindname /dev/fd/9/deny/fd.sock"
is "bind through /dev/fd/N into a denied directory" "$out" "err EACCES"
is "nothing was created in the denied directory" "$(denied_entries)" "agent.sock "
probe bindname "$T/good/b.sock";           is "allowed bind keeps the child's name" "$out" "name $T/good/b.sock"
test -S "$T/good/b.sock" && pass "and makes the socket" || fail "and makes the socket"
run_sandlock run -c "$ini" -- sh -c "cd '$T/good' && exec '$NG' bindname rel.sock"
is "allowed relative bind keeps the relative name" "$out" "name rel.sock"
probe bindname "$T/good/b.sock";           is "bind to an existing name: the kernel's error" "$out" "err EADDRINUSE"
probe bindname "$T/nodir/x.sock";          is "bind in a missing directory: the kernel's error" "$out" "err ENOENT"

probe connect unix "$T/deny/agent.sock" 0;  is "connect to a socket in a denied directory" "$out" "err EACCES"
probe connect unix "$T/good/agent-link" 0;  is "connect through a symlink to it" "$out" "err EACCES"
probe connect unix "$T/good/dirlink/agent.sock" 0; is "connect through a symlinked denied directory" "$out" "err EACCES"
probe connect unix "$T/good/ok.sock" 0;     is "connect to an allowed socket" "$out" "ok hello"
probe connect unix "$T/good/ok.sock" 0 nb;  like "non-blocking connect to an allowed socket" "$out" "^ok hello"
probe connect unix "$T/good/missing" 0;     is "connect to a missing socket: the kernel's error" "$out" "err ENOENT"

# A connect that waits for room in a full backlog never holds a worker,
# whatever O_NONBLOCK said when fsdeny looked at the socket (the child
# clears it from another thread): with one worker, another thread's open
# is answered each time a connect is seen waiting.
one=$(write_ini one <<EOF
[sandlock]
masks = no
workers = 1
[plugin fs]
module = fsdeny
deny = $T/deny
EOF
)
echo allowed > "$T/good/file"
backlog_waits() {  # [RUNNER...]: prints the probe's verdict
    "$@" timeout $((EVENT_TIMEOUT * 4)) "$SANDLOCK" run -c "$one" -- \
        "$PROBE" backlog "$T/good/bl$$.sock" "$T/good/file" 20 2>/dev/null
    rm -f "$T/good/bl$$.sock"
}
is "connects waiting for room in a full backlog hold no worker (workers = 1)" "$(backlog_waits)" "waits 20"

# Nor does an open that waits for a lease break: the child leases a file of
# its own and opens it for writing from another thread (the kernel makes
# that open wait until the lease is given up, up to lease-break-time).
echo other > "$T/good/other"
lease_waits() {  # [RUNNER...]: prints the probe's verdict
    "$@" timeout $((EVENT_TIMEOUT * 4)) "$SANDLOCK" run -c "$one" -- \
        "$PROBE" lease "$T/good/file" "$T/good/other" $lease_mode 2>/dev/null
}
lease_mode=
is "an open waiting for a lease break holds no worker (workers = 1)" "$(lease_waits)" "lease ok, writer 1"
lease_mode=creat
is "... with O_CREAT, it waits as the kernel's does (not EWOULDBLOCK)" "$(lease_waits)" "lease ok, writer 1"
lease_mode=

# Datagrams addressed to a socket: every way to name it.
# sendmmsg: every message is judged on its own address -- an allowed
# first datagram does not carry a second one into the denied directory.
: > "$T/good/d.sock.log"
: > "$T/deny/d.sock.log"
probe mmsgpair unix "$T/good/d.sock" "$T/deny/d.sock"
is "sendmmsg of an allowed then a denied datagram is refused" "$out" "err EACCES"
probe mmsgpair unix "$T/good/d.sock" "$T/good/d.sock"
is "sendmmsg of two allowed datagrams sends both" "$out" "sent 2"
i=0; while [ "$(wc -l < "$T/good/d.sock.log")" -lt 2 ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
is "and nothing reached the denied socket" "$(grep -c race "$T/deny/d.sock.log")" "0"
for m in sendto sendmsg sendmmsg; do
    probe send unixdgram $m "$T/deny/d.sock" 0;      is "$m to a socket in a denied directory" "$out" "err EACCES"
    probe send unixdgram $m "$T/good/dirlink/d.sock" 0; is "$m through a symlinked denied directory" "$out" "err EACCES"
    probe send unixdgram $m "$T/good/d.sock" 0;      is "$m to an allowed socket" "$out" "ok sent"
done
probe fdpass "$T/good/fdpass.sock";                  is "SCM_RIGHTS through an addressed send" "$out" "ok via"
is "no datagram reached the denied socket" "$(cat "$T/deny/d.sock.log" 2>/dev/null)" ""
is "the allowed socket got them all" "$(grep -c ping "$T/good/d.sock.log")" "4"

# The address buffer flips between an allowed and a denied path while the
# child binds or connects: never the denied one.
run_sandlock run -c "$ini" -- "$PROBE" bindrace "$T/race/good/s" "$T/race/deny/s" 2000
echo "# $out"
like "bind race ran" "$out" "^good [0-9]+ bad 0 errors [0-9]+$"
is "bind race: nothing was bound in the denied directory" "$(ls "$T/race/deny" | grep -vcE '^(srv|d|d\.log)$')" "0"
run_sandlock run -c "$ini" -- "$PROBE" connectrace "$T/race/good/srv" "$T/race/deny/srv" 2000
echo "# $out"
like "connect race: the denied listener was never reached" "$out" "^good [0-9]+ bad 0 errors [0-9]+$"
run_sandlock run -c "$ini" -- "$PROBE" sendrace "$T/race/good/d" "$T/race/deny/d" 2000
echo "# $out"
like "send race ran" "$out" "^good [0-9]+ bad 0 errors [0-9]+$"
is "send race: no datagram reached the denied socket" "$(cat "$T/race/deny/d.log" 2>/dev/null)" ""
# ... and a symlink of the bound path flips between them.
ln -s "$T/race/good" "$T/race/link"
run_sandlock run -c "$ini" -- "$NG" bindrace "$T/race/good" "$T/race/deny" "$T/race/link" 2000
echo "# $out"
like "bind through a flipping symlink ran" "$out" "^bound [0-9]+ errors [0-9]+$"
is "bind through a flipping symlink: nothing in the denied directory" "$(ls "$T/race/deny" | grep -vcE '^(srv|d|d\.log)$')" "0"

# Beside netguard, as in the default configuration (netguard lets unix
# calls through when no rule can deny a unix address).
both=$(write_ini both <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $T/deny
[plugin net]
module = netguard
deny = 169.254.169.254
EOF
)
run_sandlock run -c "$both" -- "$NG" bindname "$T/deny/n.sock"
is "with netguard after it: bind into a denied directory" "$out" "err EACCES"
run_sandlock run -c "$both" -- "$NG" bindname "$T/good/n.sock"
is "with netguard after it: the allowed bind keeps the name" "$out" "name $T/good/n.sock"
run_sandlock run -c "$both" -- "$NG" connect unix "$T/deny/agent.sock" 0
is "with netguard after it: connect into a denied directory" "$out" "err EACCES"

# Unprivileged: a sandlock run as nobody, with masks off and without a
# user namespace (SANDLOCK_USERNS=no), on a tree nobody owns.
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && $as_nobody test -x "$NG"; then
    N="$T/nobody"
    chmod 755 "$T"
    mkdir -p "$N/deny" "$N/good"
    chown -R nobody "$N"
    $as_nobody "$NG" serve unix "$N/deny/agent.sock" "$N/p" &
    servers="$servers $!"
    $as_nobody "$NG" serve unixdgram "$N/deny/d.sock" "$N/pd" &
    servers="$servers $!"
    for f in p pd; do
        i=0
        while [ ! -s "$N/$f" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    done
    inin=$(write_ini nobody <<EOF
[sandlock]
masks = no
[plugin fs]
module = fsdeny
deny = $N/deny
EOF
)
    chmod 644 "$inin"
    for env in "" "SANDLOCK_USERNS=no"; do
        what="as nobody${env:+ ($env)}"
        out=$(env $env $as_nobody "$SANDLOCK" run -c "$inin" -- "$NG" bindname "$N/deny/x.sock" 2>/dev/null)
        is "$what: bind into a denied directory" "$out" "err EACCES"
        out=$(env $env $as_nobody "$SANDLOCK" run -c "$inin" -- "$NG" connect unix "$N/deny/agent.sock" 0 2>/dev/null)
        is "$what: connect into a denied directory" "$out" "err EACCES"
        out=$(env $env $as_nobody "$SANDLOCK" run -c "$inin" -- "$NG" send unixdgram sendmsg "$N/deny/d.sock" 0 2>/dev/null)
        is "$what: a datagram into a denied directory" "$out" "err EACCES"
        out=$(env $env $as_nobody "$SANDLOCK" run -c "$inin" -- "$NG" bindname "$N/good/y$env.sock" 2>/dev/null)
        is "$what: allowed bind keeps the name" "$out" "name $N/good/y$env.sock"
    done
    chown nobody "$T/good" "$T/good/file"
    chmod 644 "$one"
    for env in "" "SANDLOCK_USERNS=no"; do
        is "as nobody${env:+ ($env)}: connects waiting in a full backlog hold no worker" \
            "$(backlog_waits env $env $as_nobody)" "waits 20"
        is "as nobody${env:+ ($env)}: an open waiting for a lease break holds no worker" \
            "$(lease_waits env $env $as_nobody)" "lease ok, writer 1"
    done
    is "as nobody: nothing was created in the denied directory, no datagram arrived" "$(ls "$N/deny" | tr '\n' ' ')" \
        "agent.sock d.sock "
else
    echo "# SKIP as nobody: needs root, setpriv and a build tree nobody can read"
fi
done_testing
