#!/bin/sh
# netguard through real sandboxed children against real loopback listeners
# (127.0.0.1, ::1 and unix sockets in the test directory only). Denials use
# errno = EHOSTUNREACH so that they cannot be mistaken for the kernel's own
# ECONNREFUSED.
. "${top_srcdir:-.}/tests/lib.sh"
PROBE="$top_builddir/plugins/netguard/ngprobe"
T="$TEST_TMP"

# Listeners outside the sandbox; each writes its port to a file.
servers=""
serve() {
    "$PROBE" serve "$@" &
    servers="$servers $!"
}
trap 'kill $servers 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
serve tcp4 127.0.0.1 "$T/tcp4a"
serve tcp4 127.0.0.1 "$T/tcp4b"
serve tcp6 ::1 "$T/tcp6"
serve udp4 127.0.0.1 "$T/udp4a"
serve udp4 127.0.0.1 "$T/udp4b"
serve udp6 ::1 "$T/udp6"
serve unix "$T/s.sock" "$T/unix"
serve unix "$T/other.sock" "$T/unix2"
serve unixdgram "$T/d.sock" "$T/unixd"
serve udpcount 127.0.0.1 "$T/countbad"
serve tcpfull 127.0.0.1 "$T/full"
serve unixcred "$T/cred.sock" "$T/cred"
serve unixdgramcred "$T/dcred.sock" "$T/dcred"
for f in tcp4a tcp4b tcp6 udp4a udp4b udp6 unix unix2 unixd countbad full cred dcred; do
    i=0
    while [ ! -s "$T/$f" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
done
A=$(cat "$T/tcp4a"); B=$(cat "$T/tcp4b"); S6=$(cat "$T/tcp6")
UA=$(cat "$T/udp4a"); UB=$(cat "$T/udp4b"); U6=$(cat "$T/udp6")
CB=$(cat "$T/countbad"); FULL=$(cat "$T/full")
ln -s "$T/s.sock" "$T/link.sock"

probe() { run_sandlock run -c "$ini" -- "$PROBE" "$@"; }

# Default allow with a few denies.
ini=$(write_ini allow <<EOF
[plugin net]
module = netguard
deny = 127.0.0.1:$A
deny = 127.0.0.1:$UA
deny = [::1]:$S6
deny = unix:$T/s.sock
deny = unix:$T/deny*
errno = EHOSTUNREACH
EOF
)
probe connect tcp4 127.0.0.1 "$A";      is "denied TCP port" "$out" "err EHOSTUNREACH"
probe connect tcp4 127.0.0.1 "$B";      is "other TCP port connects for real" "$out" "ok hello"
probe connect tcp4 127.0.0.1 "$B" nb;   is "non-blocking connect: EINPROGRESS, then connected" "$out" "inprogress ok hello"
probe connect tcp4 127.0.0.1 "$A" nb;   is "non-blocking connect to a denied port" "$out" "err EHOSTUNREACH"
probe connect tcp6 ::1 "$S6";           is "denied IPv6 service" "$out" "err EHOSTUNREACH"
# "This host" spelled as a wildcard is where the kernel goes: loopback.
probe connect tcp4 0.0.0.0 "$A";        is "0.0.0.0 reaches no denied loopback service" "$out" "err EHOSTUNREACH"
probe connect tcp4 0.0.0.0 "$B";        is "0.0.0.0 to an allowed port connects" "$out" "ok hello"
probe connect tcp6 :: "$S6";            is "[::] reaches no denied [::1] service" "$out" "err EHOSTUNREACH"
probe connect tcp6 ::ffff:0.0.0.0 "$A"; is "::ffff:0.0.0.0 reaches no denied 127.0.0.1 service" "$out" "err EHOSTUNREACH"
probe connect tcp6 ::ffff:0.0.0.0 "$B"; is "::ffff:0.0.0.0 to an allowed port connects" "$out" "ok hello"
probe send udp4 sendto 0.0.0.0 "$UA";   is "UDP sendto 0.0.0.0 of a denied port" "$out" "err EHOSTUNREACH"
probe send udp4 unspec 127.0.0.1 "$UA"; is "UDP sendto with AF_UNSPEC to a denied port" "$out" "err EHOSTUNREACH"
probe send udp4 unspec 127.0.0.1 "$UB"; is "UDP sendto with AF_UNSPEC to an allowed port" "$out" "ok pong"
probe connect tcp6 ::ffff:127.0.0.1 "$A"; is "IPv4-mapped IPv6 meets the IPv4 rule" "$out" "err EHOSTUNREACH"
probe connect tcp6 ::ffff:127.0.0.1 "$B"; is "IPv4-mapped IPv6 to an allowed port" "$out" "ok hello"
probe connect unix "$T/s.sock" 0;       is "denied unix socket" "$out" "err EHOSTUNREACH"
probe connect unix "$T/link.sock" 0;    is "symlink to a denied unix socket" "$out" "err EHOSTUNREACH"
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec '$PROBE' connect unix ./x/../s.sock 0"
is "relative unix path is resolved against the child's cwd" "$out" "err EHOSTUNREACH"
probe connect unix "$T/other.sock" 0;   is "other unix socket connects" "$out" "ok hello"
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec '$PROBE' connect unix other.sock 0"
is "relative allowed unix path connects" "$out" "ok hello"
probe connect unix "$T/missing.sock" 0; is "missing socket: the kernel's answer" "$out" "err ENOENT"
probe bind unix "$T/deny.sock" 0;       is "bind to a denied unix path" "$out" "err EHOSTUNREACH"
test -e "$T/deny.sock" && fail "no socket file was made" || pass "no socket file was made"
probe bind unix "$T/made.sock" 0;       is "bind to an allowed unix path makes the socket" "$out" "ok sock"
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec '$PROBE' bind unix rel.sock 0"
is "relative bind lands in the child's cwd" "$out:$(test -S "$T/rel.sock" && echo there)" "ok sock:there"
probe bind tcp4 127.0.0.1 0;            is "bind to an ephemeral port" "$out" "ok port"
probe bind tcp4 127.0.0.1 "$A";         is "bind to a denied address" "$out" "err EHOSTUNREACH"

for how in sendto sendmsg sendmmsg connected; do
    probe send udp4 $how 127.0.0.1 "$UA"; is "UDP $how to a denied port" "$out" "err EHOSTUNREACH"
    probe send udp4 $how 127.0.0.1 "$UB"; is "UDP $how to an allowed port gets the answer" "$out" "ok pong"
done
# send(2) on a connected socket is a sendto without an address: its
# destination is the peer judged at connect, and it is not even trapped.
run_sandlock run --stats -c "$ini" -- "$PROBE" send udp4 connected 127.0.0.1 "$UB"
is "send(2) on a connected UDP socket" "$out" "ok pong"
unlike "a sendto without an address is not trapped (no sendto notification)" "$err" "sendto +[1-9]"
probe send udp6 sendto ::1 "$U6";       is "UDP over IPv6" "$out" "ok pong"
probe send unixdgram sendto "$T/deny-d.sock" 0; is "datagram to a denied unix path" "$out" "err EHOSTUNREACH"
probe send unixdgram sendto "$T/d.sock" 0;      is "datagram to an allowed unix path" "$out" "ok sent"
i=0; while [ ! -s "$T/d.sock.log" ] && [ $i -lt $((EVENT_TIMEOUT * 20)) ]; do sleep 0.05; i=$((i + 1)); done
is "the listener received it" "$(cat "$T/d.sock.log" 2>/dev/null)" "ping"

# Default deny with allows: the most specific rule wins.
ini=$(write_ini deny <<EOF
[plugin net]
module = netguard
default = deny
allow = [::1]
allow = 127.0.0.0/8
deny = 127.0.0.1/32
allow = 127.0.0.1:$B
allow = :$UB
errno = EHOSTUNREACH
EOF
)
probe connect tcp6 ::1 "$S6";           is "default deny: allowed IPv6 address" "$out" "ok hello"
probe connect tcp4 127.0.0.1 "$A";      is "a /32 deny beats a /8 allow" "$out" "err EHOSTUNREACH"
probe connect tcp4 127.0.0.1 "$B";      is "the same /32 with a port beats the deny" "$out" "ok hello"
probe send udp4 sendto 127.0.0.1 "$UB"; is "a /32 deny beats a port-only allow" "$out" "err EHOSTUNREACH"
probe connect unix "$T/other.sock" 0;   is "default deny covers unix sockets" "$out" "err EHOSTUNREACH"

# The race: a thread flips the port of a shared address between an allowed
# and a denied one while another thread connects UDP sockets to it. The
# peer that the kernel records must never be the denied port.
ini=$(write_ini race <<EOF
[plugin net]
module = netguard
deny = 127.0.0.1:$UA
errno = EHOSTUNREACH
EOF
)
probe race 127.0.0.1 "$UB" "$UA" 8000
like "race: the flipping child ran" "$out" "^good [0-9]+ bad [0-9]+ errors [0-9]+$"
like "race: many connects went to the allowed port" "$out" "^good [0-9]{3,} "
like "race: many were denied" "$out" "errors [0-9]{3,}$"
like "race: none reached the denied port" "$out" " bad 0 "

# The send race: a thread flips the port of a shared address between an
# allowed one and a denied one while another sends datagrams to it. The
# denied receiver logs what reaches it; "end" comes from outside after the
# sandbox has exited, so everything sent before it is in the log first.
ini=$(write_ini sendrace <<EOF
[plugin net]
module = netguard
deny = 127.0.0.1:$CB
errno = EHOSTUNREACH
EOF
)
probe sendrace 127.0.0.1 "$UB" "$CB" 20000
like "send race: the flipping child ran" "$out" "^sent [0-9]+ refused [0-9]+$"
like "send race: many sends were refused" "$out" "refused [0-9]{3,}$"
# sendmmsg: every message is judged -- a second one to the denied port
# refuses the call (its "race" would reach the denied receiver).
probe mmsgpair 127.0.0.1 "$UB" "$CB"
is "sendmmsg of an allowed then a denied datagram is refused" "$out" "err EHOSTUNREACH"
"$PROBE" poke 127.0.0.1 "$CB"
i=0; while ! grep -q '^end$' "$T/countbad.log" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
is "send race: the receiver saw the end" "$(tail -n 1 "$T/countbad.log")" "end"
is "send race: no datagram reached the denied port" "$(grep -c '^race$' "$T/countbad.log")" "0"

# Descriptors passed in a send netguard allowed (sandlock makes it) are the child's own.
probe fdpass "$T/fdpass.sock";          is "SCM_RIGHTS through an addressed unix send" "$out" "ok via"

# Two threads blocked in connect (their SYNs are dropped by a full backlog)
# must not hold sandlock's two workers: the main thread's trapped binds
# complete, and the sandbox ends when the command exits.
ini=$(write_ini stall <<EOF
[sandlock]
workers = 2
[plugin net]
module = netguard
EOF
)
start=$(date +%s)
run_sandlock run -c "$ini" -- timeout -s KILL 60 "$PROBE" stall "$FULL" 20
is "blocking connects leave the workers free" "$out" "ok 20"
if [ $(($(date +%s) - start)) -lt 30 ]; then pass "the sandbox ended with the blocked connects"
else fail "the sandbox ended with the blocked connects"; fi

# Binding below ip_unprivileged_port_start takes the child's privilege.
if [ "$(id -u)" = 0 ]; then
    ini=$(write_ini priv <<EOF
[plugin net]
module = netguard
EOF
)
    probe bindas 65534 tcp4 127.0.0.1 1023; is "a child that dropped root binds no port < 1024" "$out" "err EACCES"
    probe bindas 0 tcp4 127.0.0.1 0;      is "a root child binds" "$out" "ok port"
else
    echo "# SKIP privileged-port bind: needs root to drop to another uid"
fi

# A unix path through the child's own /proc/self/fd/N or /dev/fd/N means
# what it means to the child, and its real path meets the rules.
if command -v python3 >/dev/null; then
    ini=$(write_ini mp <<EOF
[plugin net]
module = netguard
deny = unix:$T/s.sock
EOF
)
    run_sandlock run -c "$ini" -- python3 -c "
import os, socket
d = os.open('$T', os.O_RDONLY)
s = socket.socket(socket.AF_UNIX)
s.connect('/proc/self/fd/%d/other.sock' % d)
print(s.recv(16).decode().strip())"
    is "a /proc/self/fd/N path connects as the child would" "$out" "hello"
    run_sandlock run -c "$ini" -- python3 -c "
import os, socket, errno
d = os.open('$T', os.O_RDONLY)
c = socket.socket(socket.AF_UNIX)
try:
    c.connect('/dev/fd/%d/s.sock' % d); print('connected')
except OSError as e:
    print(errno.errorcode[e.errno])"
    is "a /dev/fd/N path to a denied socket is refused" "$out" "ECONNREFUSED"
else
    echo "# SKIP unix paths through /proc/self/fd: no python3"
fi

# A unix socket is bound under the name the child gave (what getsockname()
# returns and what a server tells its clients), with or without unix rules.
ini=$(write_ini unixrules <<EOF
[plugin net]
module = netguard
deny = unix:$T/deny*
errno = EHOSTUNREACH
EOF
)
probe bindname "$T/named.sock"
is "bind under unix rules: the kernel records the child's path" "$out" "name $T/named.sock"
run_sandlock run -c "$ini" -- sh -c "cd '$T' && exec '$PROBE' bindname rel-named.sock"
is "bind of a relative path under unix rules: the relative name" "$out" "name rel-named.sock"
probe bindname "$T/deny-me.sock"
is "bind to a denied path is still refused" "$out" "err EHOSTUNREACH"
run_sandlock run -c "$ini" -- sh -c "umask 077; exec '$PROBE' bindname '$T/umask.sock'"
is "bind under unix rules: the socket file's mode follows the child's umask" "$(stat -c %A "$T/umask.sock")" \
    "srwx------"
nounix=$(write_ini nounix <<EOF
[plugin net]
module = netguard
deny = 127.0.0.1:$A
errno = EHOSTUNREACH
EOF
)
run_sandlock run -c "$nounix" -- "$PROBE" bindname "$T/named2.sock"
is "bind without unix rules: the kernel records the child's path" "$out" "name $T/named2.sock"

# A connect that continues because the descriptor is a unix socket (no rule
# can deny a unix address, as in the default configuration), while another
# thread dup2()s a UDP socket onto that number: the kernel connects the UDP
# socket to the denied port. A known limit (sandlock-netguard(7)).
swapini=$(write_ini swap <<EOF
[plugin net]
module = netguard
deny = 127.0.0.1:$UA
errno = EHOSTUNREACH
EOF
)
run_sandlock run -c "$swapini" -- "$PROBE" swaprace "$UA" 20000
is "a descriptor swapped after the check never reaches a denied address" "$out" "never"
# The same with a send: a sendmsg() naming the denied port on a descriptor
# number that is a unix stream socket at the check (stream sockets ignore
# addresses) and a UDP socket when the kernel would send: netguard sends
# the copies it judged, on its copy of the stream socket.
run_sandlock run -c "$swapini" -- "$PROBE" swapsend "$UA" 20000
is "a stream socket's send swapped after the check never reaches a denied address" "$out" "never"

# A stream send sandlock makes raises SIGPIPE where the kernel's own
# would (the child dies of it: 128 + 13), not with MSG_NOSIGNAL.
run_sandlock run -c "$swapini" -- "$PROBE" sigpipe
is "a performed stream send to a closed peer raises SIGPIPE" "$rc:$out" "141:"
run_sandlock run -c "$swapini" -- "$PROBE" sigpipe nosignal
is "with MSG_NOSIGNAL it fails with EPIPE only" "$rc:$out" "1:err EPIPE"

# A unix connect netguard allowed (sandlock makes it) (with unix rules: the path is checked;
# without: the default configuration) carries the child's identity.
unixrule=$(write_ini unixrule <<EOF
[plugin net]
module = netguard
deny = unix:$T/deny*
errno = EHOSTUNREACH
EOF
)
chmod 755 "$T"
. "$top_srcdir/tests/peercred.sh"
peer_identity "$PROBE" "$T/cred.sock" "$unixrule" "$swapini"
peer_identity_send "$PROBE" "$T/dcred.sock" "$unixrule" "$swapini"
deputy_pool "$PROBE" "$T/cred.sock" "$swapini"

# A multiprocessing Manager under the forkserver start method: the server
# binds a unix path, tells its clients getsockname() (issue 21).
py=/usr/bin/python3
if [ -x "$py" ]; then
    for c in "$top_srcdir/examples/sandlock.ini" "$ini"; do
        run_sandlock run -c "$c" -- timeout "$EVENT_TIMEOUT" "$py" -c \
            'import multiprocessing as m; m.set_start_method("forkserver"); print(m.Manager().list([1]))'
        is "forkserver Manager under $(basename "$c")" "$out" "[1]"
    done
else
    echo "# SKIP forkserver Manager: no $py"
fi

# The same as an unprivileged user (no namespaces: the child's root and
# working directory are sandlock's, the bind is made from its cwd).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    chmod 755 "$T"
    mkdir -p "$T/nb" && chmod 1777 "$T/nb"
    for c in "$nounix" "$ini"; do
        out=$($as_nobody "$SANDLOCK" run -c "$c" -- "$PROBE" bindname "$T/nb/$(basename "$c").sock" 2>&1)
        is "as nobody, $(basename "$c"): the kernel records the child's path" "$out" \
            "name $T/nb/$(basename "$c").sock"
        if [ -x "$py" ]; then
            out=$(cd "$T/nb" && $as_nobody "$SANDLOCK" run -c "$c" -- timeout "$EVENT_TIMEOUT" "$py" -c \
                'import multiprocessing as m; m.set_start_method("forkserver"); print(m.Manager().list([1]))' 2>&1)
            is "as nobody, forkserver Manager under $(basename "$c")" "$out" "[1]"
        fi
    done
else
    echo "# SKIP binds as nobody: needs root and setpriv"
fi

# The race: a thread flips a symlink of the bound path between an allowed
# and a denied directory. The bind is made with the child's path, so the
# kernel's lookup may follow the flip: a socket created elsewhere than
# checked ends the sandbox (SIGKILL) before the child can use it.
mkdir -p "$T/good" "$T/bad"
ln -s "$T/good" "$T/flip"
ini=$(write_ini bindrace <<EOF
[plugin net]
module = netguard
deny = unix:$T/bad/*
errno = EHOSTUNREACH
EOF
)
probe bindrace "$T/good" "$T/bad" "$T/flip" 3000
if [ "$rc" -eq 137 ]; then
    like "bind race: a socket bound elsewhere ended the sandbox" "$err" "created the socket elsewhere than checked"
    is "bind race: at most the ending call's socket file in the denied directory" \
        "$(($(ls "$T/bad" | wc -l) <= 1))" 1
else
    like "bind race: binds through the flipping link ran" "$out" "^bound [0-9]+ errors [0-9]+$"
    is "bind race: no socket in the denied directory" "$(ls "$T/bad" | wc -l)" 0
    is "bind race: binds reached the allowed directory" "$(($(ls "$T/good" | wc -l) > 0))" 1
fi

# Init errors name their key.
check_error() {
    printf "$3" > "$TEST_TMP/bad.ini"
    run_sandlock check -c "$TEST_TMP/bad.ini"
    like "$1" "$err" "$2"
}
check_error "bad prefix" "allow: '10.0.0.0/33': bad prefix length" '[plugin n]\nmodule = netguard\nallow = 10.0.0.0/33\n'
check_error "bad IPv6" "deny: '\\[::1': missing" '[plugin n]\nmodule = netguard\ndeny = [::1\n'
check_error "bad unix rule" "deny: 'unix:relative'" '[plugin n]\nmodule = netguard\ndeny = unix:relative\n'
check_error "bad default" "default: expected allow or deny" '[plugin n]\nmodule = netguard\ndefault = maybe\n'
check_error "bad errno" "errno: expected" '[plugin n]\nmodule = netguard\nerrno = EWHAT\n'
check_error "unknown key" "unknown key 'port'" '[plugin n]\nmodule = netguard\nport = 80\n'
# Sockets whose addresses netguard cannot read are refused at socket(2),
# in the filter (families.h): a vsock reaches the hypervisor's host
# whatever the rules say, SCTP connects through setsockopt. Kernel-internal
# families and the decoded ones work.
SPROBE="$top_builddir/tests/integration/probe"
bare_vsock=$("$SPROBE" socket:vsock:stream)
for mode in allow deny; do
    ini=$(write_ini "families-$mode" <<EOF
[plugin net]
module = netguard
default = $mode
EOF
)
    run_sandlock run --stats -c "$ini" -- "$SPROBE" socket:vsock:stream socket:vsockhi:stream socket:tipc:dgram \
        socket:inet:stream:132 socket:inet6:stream:132 socket:inet:stream socket:inet6:dgram socket:unix:stream \
        socket:netlink:raw
    is "default = $mode: families netguard cannot judge fail at socket(2), the others work" "$(printf '%s\n' "$out" | tr '\n' ' ')" \
        "socket:vsock:stream=-1 errno=EAFNOSUPPORT socket:vsockhi:stream=-1 errno=EAFNOSUPPORT socket:tipc:dgram=-1 errno=EAFNOSUPPORT socket:inet:stream:132=-1 errno=EPROTONOSUPPORT socket:inet6:stream:132=-1 errno=EPROTONOSUPPORT socket:inet:stream=0 errno=0 socket:inet6:dgram=0 errno=0 socket:unix:stream=0 errno=0 socket:netlink:raw=0 errno=0 "
    unlike "default = $mode: refused in the filter, no socket(2) notification" "$err" "socket +[1-9]"
done
case $bare_vsock in
"socket:vsock:stream=0 errno=0") pass "bare, this machine makes vsock sockets (the test means something)" ;;
*) skip "bare, this machine makes vsock sockets" "its kernel has no AF_VSOCK ($bare_vsock)" ;;
esac

done_testing
