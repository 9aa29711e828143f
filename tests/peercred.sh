# Sourced by plugin tests (after tests/lib.sh): a unix connect that a
# plugin allows (sandlock makes it) for the child carries the child's identity to the peer
# (SO_PEERCRED) -- a pid that is not sandlock's, the child's uid and gid --
# also after a root child dropped to nobody (setresuid). As root, and as
# nobody in a user namespace of its own and without one (no PID namespace);
# the connects also from a child that made itself non-dumpable, where
# sandlock can act for one at all (the deputy enters its namespaces through
# its pidfd).
#
# peer_identity NGPROBE SOCK CONFIG...: SOCK is an `ngprobe serve unixcred`
# listener; each configuration must make the plugin perform the connect.
# peer_identity_send NGPROBE SOCK CONFIG...: the same for a datagram sent
# (sendmsg) to SOCK, an `ngprobe serve unixdgramcred` socket: the
# credentials its receiver gets (SO_PASSCRED).

# MODE UID CONFIG: sets out to what the peer saw, sp to sandlock's pid.
peer_of() {
    peer_mode=$1 peer_uid=$2 peer_cfg=$3
    set --
    case $peer_mode in
    userns) set -- env -u SANDLOCK_USERNS setpriv --reuid=nobody --regid=nogroup --clear-groups ;;
    nopidns) set -- env SANDLOCK_USERNS=no setpriv --reuid=nobody --regid=nogroup --clear-groups ;;
    esac
    if [ "$peer_kind" = send ]; then
        rm -f "$peer_sock.log"
        "$@" "$SANDLOCK" run -c "$peer_cfg" -- "$peer_probe" sendas "$peer_uid" sendmsg "$peer_sock" \
            >"$TEST_TMP/peer.out" 2>"$TEST_TMP/stderr" </dev/null &
    else
        "$@" "$SANDLOCK" run -c "$peer_cfg" -- "$peer_probe" connectas "$peer_uid" unixcred "$peer_sock" 0 \
            >"$TEST_TMP/peer.out" 2>"$TEST_TMP/stderr" </dev/null &
    fi
    sp=$!
    wait $sp
    out=$(cat "$TEST_TMP/peer.out")
    if [ "$peer_kind" = send ] && [ "$out" = "ok sent" ]; then
        i=0
        while [ ! -s "$peer_sock.log" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
        out="ok $(cat "$peer_sock.log" 2>/dev/null)"
    fi
}

peer_identity_send() {
    peer_kind=send
    peer_checks "$@"
}

peer_identity() {
    peer_kind=connect
    peer_checks "$@"
}

# identity_modes WHAT FILE...: sets modes to the identities the checks run
# as (root; as root with setpriv also nobody with and without a user or PID
# namespace, FILEs made readable for them), saying why when only root.
identity_modes() {
    local what=$1
    shift
    modes=root
    if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
        modes="root userns nopidns"
        chmod 644 "$@"
    else
        echo "# SKIP $what as nobody: needs root and setpriv"
    fi
}

peer_checks() {
    peer_probe=$1 peer_sock=$2
    shift 2
    identity_modes "peer identity" "$@"
    for m in $modes; do
        for c in "$@"; do
            uids=65534
            [ "$m" = root ] && uids=$(id -u)
            [ "$m" = root ] && [ "$(id -u)" -eq 0 ] && uids="0 65534"
            for u in $uids; do
                peer_of "$m" "$u" "$c"
                what="$peer_kind, $m, $(basename "$c"), child uid $u"
                like "$what: the peer sees the child's uid and gid" "$out" "^ok pid [0-9]+ uid $u gid $u\$"
                p=$(printf '%s\n' "$out" | sed -n 's/^ok pid \([0-9]*\) .*/\1/p')
                if [ -n "$p" ] && [ "$p" != "$sp" ] && [ "$p" != 0 ]; then
                    pass "$what: the peer's pid is not sandlock's ($p, sandlock $sp)"
                else
                    fail "$what: the peer's pid is not sandlock's ($p, sandlock $sp): $out $(cat "$TEST_TMP/stderr")"
                fi
                # (without a PID namespace an unprivileged sandlock cannot
                # take a descriptor of a non-dumpable child at all)
                if [ "$peer_kind" = connect ] && [ "$m" != nopidns ]; then
                    export NGPROBE_NONDUMPABLE=1
                    peer_of "$m" "$u" "$c"
                    unset NGPROBE_NONDUMPABLE
                    like "$what, not dumpable: the peer sees the child's uid and gid" "$out" \
                        "^ok pid [0-9]+ uid $u gid $u\$"
                fi
            done
        done
    done
}

# deputy_pool NGPROBE SOCK CONFIG: the deputy that makes a child's connects
# is kept for its next ones (the peer sees one pid), and whatever the child
# does to it -- SIGKILL, SIGSTOP -- fails or delays its own call only: the
# next connect works from another deputy. A root child that drops to
# nobody gets a deputy with nobody's identity. As root, and as nobody with
# and without a PID namespace (SOCK is an `ngprobe serve unixcred`
# listener, CONFIG makes the plugin perform the connect).
deputy_pool() {
    pool_probe=$1 pool_sock=$2 pool_cfg=$3
    identity_modes "the deputy pool" "$pool_cfg"
    for m in $modes; do
        set --
        case $m in
        userns) set -- env -u SANDLOCK_USERNS setpriv --reuid=nobody --regid=nogroup --clear-groups ;;
        nopidns) set -- env SANDLOCK_USERNS=no setpriv --reuid=nobody --regid=nogroup --clear-groups ;;
        esac
        out=$("$@" timeout "$EVENT_TIMEOUT" "$SANDLOCK" run -c "$pool_cfg" -- "$pool_probe" deputies "$pool_sock" \
              2>"$TEST_TMP/stderr" </dev/null)
        want='^reused 1 replaced 1 stopped (ok|EINTR) after ok$'
        [ "$m" = root ] && [ "$(id -u)" -eq 0 ] && want='^reused 1 replaced 1 stopped (ok|EINTR) after ok dropped 65534 1$'
        like "deputy pool, $m, $(basename "$pool_cfg"): one deputy serves the connects; killed or stopped, the next connect works from another" \
            "$out" "$want"
    done
}
