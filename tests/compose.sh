#!/bin/sh
# fsdeny and netguard in one chain, on the notification path ([sandlock]
# masks = no): both judge the socket calls that name an address (connect,
# bind, addressed sends) and a call is made only once every instance has
# judged it -- never by the first instance that allows it, never continued
# in the kernel once any instance looked at it. Each denies what it denies
# in either order; a descriptor or an address the child swaps after the
# check changes nothing. As root, and as nobody (with and without a user
# namespace of the sandbox's own).
. "${top_srcdir:-.}/tests/lib.sh"
NG="$top_builddir/plugins/netguard/ngprobe"
T="$TEST_TMP"
servers=""
serve() {
    $as_user "$NG" serve "$@" &
    servers="$servers $!"
}
trap 'kill $servers 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# start_servers DIR: the listeners the cases use, in DIR.
start_servers() {
    mkdir -p "$1"
    serve unix "$1/s.sock" "$1/p1"
    serve unixdgram "$1/d.sock" "$1/p2"
    serve unix "$1/ok.sock" "$1/p3"
    serve unixdgram "$1/okd.sock" "$1/p4"
    for f in p1 p2 p3 p4; do
        i=0
        while [ ! -s "$1/$f" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    done
}

# configs DIR: the chains of both orders, each denying the two sockets of
# DIR in one of its plugins.
configs() {
    fs_any="[plugin fs]
module = fsdeny
deny = /nonexistent-compose"
    fs_deny="[plugin fs]
module = fsdeny
deny = $1/s.sock
deny = $1/s.sock.none
deny = $1/d.sock
deny = $1/d.sock.none"
    ng_any="[plugin net]
module = netguard
deny = 10.9.9.9
errno = EHOSTUNREACH"
    ng_deny="[plugin net]
module = netguard
deny = unix:$1/s.sock
deny = unix:$1/d.sock
errno = EHOSTUNREACH"
    fs_then_ng=$(printf '[sandlock]\nmasks = no\n%s\n%s\n' "$fs_any" "$ng_deny" | write_ini fs_then_ng)
    ng_then_fs=$(printf '[sandlock]\nmasks = no\n%s\n%s\n' "$ng_deny" "$fs_any" | write_ini ng_then_fs)
    ng_then_fsdeny=$(printf '[sandlock]\nmasks = no\n%s\n%s\n' "$ng_any" "$fs_deny" | write_ini ng_then_fsdeny)
    fsdeny_then_ng=$(printf '[sandlock]\nmasks = no\n%s\n%s\n' "$fs_deny" "$ng_any" | write_ini fsdeny_then_ng)
    fs_alone=$(printf '[sandlock]\nmasks = no\n%s\n' "$fs_deny" | write_ini fs_alone)
    chmod 644 "$fs_then_ng" "$ng_then_fs" "$ng_then_fsdeny" "$fsdeny_then_ng" "$fs_alone"
}

# cases WHAT DIR RUNNER...: every order, connect and datagram, denied and
# allowed, and the swap races; RUNNER runs sandlock.
cases() {
    what=$1 D=$2
    shift 2
    run() { out=$("$@" 2>/dev/null </dev/null); }
    for pair in "fs_then_ng:netguard after fsdeny:EHOSTUNREACH" "ng_then_fs:netguard before fsdeny:EHOSTUNREACH" \
                "ng_then_fsdeny:fsdeny after netguard:EACCES" "fsdeny_then_ng:fsdeny before netguard:EACCES"; do
        var=${pair%%:*} rest=${pair#*:}
        label=${rest%%:*} want=${rest#*:}
        eval ini=\$$var
        run "$@" run -c "$ini" -- "$NG" connect unix "$D/s.sock" 0
        is "$what: $label: a denied unix connect is refused" "$out" "err $want"
        run "$@" run -c "$ini" -- "$NG" send unixdgram sendto "$D/d.sock" 0
        is "$what: $label: a denied unix datagram is refused" "$out" "err $want"
        run "$@" run -c "$ini" -- "$NG" connect unix "$D/ok.sock" 0
        is "$what: $label: an allowed unix connect connects" "$out" "ok hello"
        run "$@" run -c "$ini" -- "$NG" send unixdgram sendto "$D/okd.sock" 0
        is "$what: $label: an allowed unix datagram is sent" "$out" "ok sent"
    done
    run "$@" run -c "$fs_alone" -- "$NG" unixswap connect "$D/s.sock" 2000
    is "$what: fsdeny alone: a unix socket dup2()ed over the checked one never connects to a denied path" \
        "$out" "never"
    run "$@" run -c "$fs_alone" -- "$NG" unixswap sendto "$D/d.sock" 2000
    is "$what: fsdeny alone: a unix datagram socket dup2()ed over the checked one never sends to a denied path" \
        "$out" "never"
    run "$@" run -c "$fs_then_ng" -- "$NG" unixswap connect "$D/s.sock" 2000
    is "$what: fsdeny then netguard: the swap race never connects to the path netguard denies" "$out" "never"
    run "$@" run -c "$fs_then_ng" -- "$NG" unixswap sendto "$D/d.sock" 2000
    is "$what: fsdeny then netguard: the swap race never sends to the path netguard denies" "$out" "never"
    is "$what: no datagram reached a denied socket" "$(cat "$D/d.sock.log" 2>/dev/null)" ""
}

as_user=""
start_servers "$T/root"
configs "$T/root"
cases root "$T/root" "$SANDLOCK"

# A peer of a connect and of a datagram the chain allowed sees the child.
. "$top_srcdir/tests/peercred.sh"
chmod 755 "$T"
serve unixcred "$T/cred.sock" "$T/p9"
serve unixdgramcred "$T/dcred.sock" "$T/p10"
for f in p9 p10; do
    i=0
    while [ ! -s "$T/$f" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
done
peer_identity "$NG" "$T/cred.sock" "$fs_then_ng" "$ng_then_fs"
peer_identity_send "$NG" "$T/dcred.sock" "$fs_then_ng" "$ng_then_fs"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && $as_nobody test -x "$NG"; then
    N="$T/nobody"
    mkdir -p "$N"
    chown nobody "$N"
    as_user=$as_nobody
    start_servers "$N"
    configs "$N"
    cases "as nobody" "$N" env -u SANDLOCK_USERNS $as_nobody "$SANDLOCK"
    cases "as nobody (SANDLOCK_USERNS=no)" "$N" env SANDLOCK_USERNS=no $as_nobody "$SANDLOCK"
else
    echo "# SKIP as nobody: needs root, setpriv and a build tree nobody can read"
fi
done_testing
