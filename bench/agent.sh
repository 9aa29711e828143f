#!/usr/bin/env bash
# bench/agent.sh -- the agent's rows of `make bench` (bench/README.md):
# notified getppid inside a runc container whose listener `sandlock agent`
# serves, against the floor (`bench-notify --floor-only`) measured in the
# same rounds. With --idle N (`make bench-agent-scale`): the same agent
# serves N idle containers while the busy one is measured, and the memory of
# the agent's per-container processes is reported. For information, each
# round also measures the floor with its child in a cpu cgroup of its own
# (apart from its supervisor, as a container is from an agent that does
# not join its cgroup): what the kernel's group scheduling adds.
#
#   bench/agent.sh --sandlock PATH --floor PATH --child PATH --oci-lib PATH
#                  [-r ROUNDS] [-n CALLS] [--idle N] [--strict]
#
# --floor: bench-notify; --child: the static bench-child (the container's
# rootfs holds it alone); --oci-lib: tests/oci/lib.sh (the bundle's
# config.json, as the tests make it). Needs root and runc; without them it
# prints why and exits 0. A benchmark, not a test: exits 0 when a target is
# missed unless --strict. `make bench` passes its BENCH_FLAGS (-m and -s
# are accepted and ignored).
set -u

usage() {
    echo "usage: $0 --sandlock PATH --floor PATH --child PATH --oci-lib PATH [-r ROUNDS] [-n CALLS]" \
        "[--idle N] [--strict]"
}

sandlock= floor= child= oci_lib= rounds=9 calls=30000 idle=0 strict=0
while [ $# -gt 0 ]; do
    case $1 in
    --sandlock) sandlock=${2:-}; shift 2 ;;
    --floor) floor=${2:-}; shift 2 ;;
    --child) child=${2:-}; shift 2 ;;
    --oci-lib) oci_lib=${2:-}; shift 2 ;;
    -r | --rounds) rounds=${2:-}; shift 2 ;;
    -n) calls=${2:-}; shift 2 ;;
    -m | -s) shift 2 ;;
    --idle) idle=${2:-}; shift 2 ;;
    --strict) strict=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
if [ ! -x "$sandlock" ] || [ ! -x "$floor" ] || [ ! -x "$child" ] || [ ! -r "$oci_lib" ]; then
    usage >&2
    exit 2
fi
for n in "$rounds" "$calls" "$idle"; do
    case $n in
    '' | *[!0-9]*) echo "agent bench: -r, -n and --idle take numbers" >&2; exit 2 ;;
    esac
done
[ "$rounds" -gt 0 ] && [ "$calls" -gt 0 ] || { echo "agent bench: -r and -n must be positive" >&2; exit 2; }

if [ "$idle" -gt 0 ]; then
    label="agent (joined), busy beside $idle idle"
    target=1.15
else
    label="agent --join-cpu-cgroup, runc container"
    target=1.10
fi
# skipped REASON: the row says why it was not measured.
skipped() {
    printf '\n%-44s\n%-44s   skipped: %s\n' "notified getppid in a container (per call)" "$label" "$1"
    exit 0
}
[ "$(id -u)" -eq 0 ] || skipped "needs root (runc creates the container's namespaces)"
runc=$(command -v runc) || skipped "runc is not installed (apt-get install runc)"
command -v python3 >/dev/null || skipped "python3 is needed to write the bundle's config.json"
# shellcheck source=../tests/oci/lib.sh
. "$oci_lib"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sandlock-agent-bench.XXXXXX") || exit 1
state=$tmp/runc-state
agent_pid=
started=()
# A cpu cgroup for the floor's child (the cgroup v1 cpu hierarchy, or the
# v2 tree when its root delegates the cpu controller); none: no such row.
cgdir=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
             $(i + 1) == "cgroup" && $(i + 3) ~ /(^|,)cpu(,|$)/ { print $5; exit }' /proc/self/mountinfo)
if [ -z "$cgdir" ]; then
    cgdir=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break }
                 $(i + 1) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    [ -n "$cgdir" ] && grep -qw cpu "$cgdir/cgroup.subtree_control" 2>/dev/null || cgdir=
fi
[ -n "$cgdir" ] && { cgdir=$cgdir/sandlock-bench-$$; mkdir "$cgdir" 2>/dev/null || cgdir=; }
cleanup() {
    local id
    for id in "${started[@]}"; do
        "$runc" --root "$state" delete -f "$id" >/dev/null 2>&1
    done
    [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
    [ -n "$cgdir" ] && rmdir "$cgdir" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The container: bench-child alone; the agent's configuration: what the
# "1 verdict instance" row of bench-notify runs (one worker, Continue).
mkdir -p "$tmp/rootfs/proc" "$tmp/rootfs/dev" "$tmp/rootfs/tmp" "$tmp/busy" "$tmp/busy-warm" "$tmp/idle"
cp "$child" "$tmp/rootfs/bench-child"
cat >"$tmp/agent.ini" <<INI
[sandlock]
on_exception = kill
workers = 1
log_level = warn
[plugin continue-1]
module = verdict
syscalls = getppid
action = continue
INI
sock=$tmp/agent.sock
"$sandlock" oci-profile -c "$tmp/agent.ini" --socket "$sock" >"$tmp/profile.json" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; exit 1; }
oci_config "$tmp/profile.json" "$tmp/rootfs" "" /bench-child getppid "$calls" >"$tmp/busy/config.json"
oci_config "$tmp/profile.json" "$tmp/rootfs" "" /bench-child getppid $((calls / 10 + 1)) >"$tmp/busy-warm/config.json"
oci_config "$tmp/profile.json" "$tmp/rootfs" "" /bench-child idle >"$tmp/idle/config.json"

# --join-cpu-cgroup: the figure the option is for (sandlock-agent(8), "CPU
# CGROUP"); the "child in a cpu cgroup of its own" row is the default's.
"$sandlock" agent --socket "$sock" -c "$tmp/agent.ini" --join-cpu-cgroup >"$tmp/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 200); do
    grep -q "listening" "$tmp/agent.log" && break
    sleep 0.05
done
grep -q "listening" "$tmp/agent.log" || { cat "$tmp/agent.log" >&2; exit 1; }

# served N: until the agent has served N containers (its log says so).
served() {
    local i
    for i in $(seq 600); do
        [ "$(grep -c "served with profile" "$tmp/agent.log")" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# busy BUNDLE NAME: runs the busy container, prints its ns per call.
busy() {
    timeout 300 "$runc" --root "$state" run -b "$tmp/$1" "sandlock-bench-$$-$2" </dev/null 2>>"$tmp/err"
}

start_s=$SECONDS
for ((i = 1; i <= idle; i++)); do
    id=sandlock-bench-$$-idle-$i
    started+=("$id")
    "$runc" --root "$state" run -d -b "$tmp/idle" "$id" </dev/null >/dev/null 2>>"$tmp/err" ||
        { echo "agent bench: idle container $i did not start:" >&2; tail -3 "$tmp/err" >&2; exit 1; }
done
served "$idle" || { echo "agent bench: the agent did not serve the $idle idle containers" >&2; exit 1; }
idle_s=$((SECONDS - start_s))

# Memory of the agent's per-container processes (its children, one per
# container): RSS counts the pages they share with one another and the
# agent; PSS splits those among the sharers.
memory() {
    local pid rss pss n=0 rss_sum=0 pss_sum=0
    for pid in $(cat /proc/"$agent_pid"/task/*/children 2>/dev/null); do
        rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status 2>/dev/null)
        pss=$(awk '/^Pss:/ { print $2 }' /proc/"$pid"/smaps_rollup 2>/dev/null)
        [ -n "$rss" ] && [ -n "$pss" ] || continue
        n=$((n + 1)) rss_sum=$((rss_sum + rss)) pss_sum=$((pss_sum + pss))
    done
    echo "$n $rss_sum $pss_sum"
}
[ "$idle" -gt 0 ] && read -r mem_n mem_rss mem_pss < <(memory)
agent_rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$agent_pid"/status)

busy busy-warm warm >/dev/null
floor_ns=() apart_ns=() agent_ns=()
for ((r = 1; r <= rounds; r++)); do
    [ -t 2 ] && printf '\ragent bench: round %d/%d' "$r" "$rounds" >&2
    floor_ns+=("$("$floor" --floor-only -n "$calls")")
    [ -n "$cgdir" ] && apart_ns+=("$("$floor" --floor-only --floor-cgroup "$cgdir" -n "$calls")")
    agent_ns+=("$(busy busy "busy-$r")")
done
[ -t 2 ] && printf '\r%40s\r' "" >&2

# stats VALUE...: "median min max" of the numbers given (ns), in us; "nan
# nan nan" when none.
stats() {
    printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 }
        END { if (!NR) { print "nan nan nan"; exit }
              m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.3f %.3f %.3f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}
read -r f_med f_min f_max < <(stats "${floor_ns[@]}")
read -r a_med a_min a_max < <(stats "${agent_ns[@]}")
read -r c_med c_min c_max < <(stats "${apart_ns[@]}")
# ratio_of MEDIAN: to the floor's.
ratio_of() {
    awk -v a="$1" -v f="$f_med" 'BEGIN { if (a == "nan" || f == "nan" || f <= 0) print "nan"; else printf "%.2f", a / f }'
}
ratio=$(ratio_of "$a_med")
verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r != "nan" && r + 0 <= t + 0) ? "ok" : "MISSED" }')

echo
echo "sandlock agent: $rounds rounds of $calls notified getppid (median, min, max); runc $("$runc" --version |
    head -1 | awk '{ print $3 }'), load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%-44s %9s %9s %9s %-2s   %6s   %s\n' "notified getppid in a container (per call)" median min max "" ratio target
printf '%-44s %9s %9s %9s %-2s   %6s   %s\n' "floor: bare RECV/SEND(CONTINUE) loop" "$f_med" "$f_min" "$f_max" us \
    "1.00x" "(reference)"
if [ -n "$cgdir" ]; then
    printf '%-44s %9s %9s %9s %-2s   %5sx   %s\n' "floor, child in a cpu cgroup of its own" "$c_med" "$c_min" \
        "$c_max" us "$(ratio_of "$c_med")" "(information: the kernel's cost)"
else
    printf '%-44s   skipped: %s\n' "floor, child in a cpu cgroup of its own" "no cpu cgroup controller to use"
fi
printf '%-44s %9s %9s %9s %-2s   %5sx   <= %.2fx  %s\n' "$label" "$a_med" "$a_min" "$a_max" us "$ratio" \
    "$target" "$verdict"
# Where the agent served the busy container from (sandlock-agent(8), "CPU cgroup").
if grep -q "sandlock-bench-$$-busy-1 .*served with profile.*, from its CPU cgroup" "$tmp/agent.log"; then
    echo "the agent served the container from the container's cpu cgroup"
else
    why=$(grep -m1 -o "served from outside.*" "$tmp/agent.log" | sed 's/^[^:]*: //')
    echo "the agent served the container from outside the container's cpu cgroup: ${why:-(the agent said nothing)}"
fi
if [ "$idle" -gt 0 ]; then
    echo
    echo "$idle idle containers started and served in $idle_s s; the agent's main process: RSS $agent_rss KiB"
    if [ "${mem_n:-0}" -gt 0 ]; then
        awk -v n="$mem_n" -v r="$mem_rss" -v p="$mem_pss" 'BEGIN {
            printf "memory per container (its supervisor process, mean of %d): RSS %.0f KiB, PSS %.0f KiB\n",
                n, r / n, p / n }'
    else
        echo "memory per container: no supervisor process found"
    fi
fi
[ "$strict" = 1 ] && [ "$verdict" != ok ] && exit 1
exit 0
