#!/usr/bin/env bash
# bench-vs-strace.sh -- the audit plugin against strace on the same workload.
#
#   plugins/audit/bench-vs-strace.sh [SANDLOCK [RUNS]]     (or: make bench-audit)
#
# Runs each workload bare, under `sandlock run` with an audit instance
# logging the default syscall set to a file, and under
# `strace -f -e trace=<the same syscalls> -o FILE`, the modes in turn for
# RUNS rounds; keeps the best of the RUNS
# wall times of each, and prints the times, the overhead of each tracer over
# the bare run, the ratio of the overheads (the goal: audit >= 15x less) and
# the ratio of the total times. Also counts the records each wrote, to show
# both saw the same calls, and runs the workload under sandlock with the
# verdict plugin answering Continue for the same calls ("continue"): the
# part of audit's overhead that is the sandbox and the notification round
# trips rather than the audit plugin's own work. Installs nothing: without
# strace it says so. Timings are wall clock: run it on a quiet machine.
set -u
SANDLOCK=${1:-./sandlock}
RUNS=${2:-7}
SYSCALLS=execve,execveat,open,openat,openat2,creat,connect,bind,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,link,linkat,symlink,symlinkat

if ! command -v strace >/dev/null 2>&1; then
    echo "bench-vs-strace: strace is not installed (apt-get install strace); nothing to compare against"
    exit 0
fi
if [ ! -x "$SANDLOCK" ]; then
    echo "bench-vs-strace: $SANDLOCK is not an executable sandlock" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-audit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/audit.ini" <<INI
[plugin audit]
module = audit
output = $tmp/audit.log
INI
cat > "$tmp/continue.ini" <<INI
[plugin continue]
module = verdict
syscalls = $SYSCALLS
action = continue
INI

# now_ns: wall clock in nanoseconds, from bash's EPOCHREALTIME (no
# process started to read the clock; date(1) before bash 5).
if [ -n "${EPOCHREALTIME:-}" ]; then
    now_ns() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t * 1000)); }
else
    now_ns() { date +%s%N; }
fi

# run_once MODE CMD...: runs CMD once in MODE (bare, continue, audit or
# strace) and prints its wall time in nanoseconds.
run_once() {
    mode=$1
    shift
    rm -f "$tmp/audit.log" "$tmp/strace.log"
    t0=$(now_ns)
    case $mode in
    bare) "$@" >/dev/null 2>&1 ;;
    audit) "$SANDLOCK" run -c "$tmp/audit.ini" -- "$@" >/dev/null 2>&1 ;;
    continue) "$SANDLOCK" run -c "$tmp/continue.ini" -- "$@" >/dev/null 2>&1 ;;
    strace) strace -f -qq -e trace="$SYSCALLS" -o "$tmp/strace.log" "$@" >/dev/null 2>&1 ;;
    esac
    echo $(( $(now_ns) - t0 ))
}

# measure CMD...: runs the modes in turn, RUNS rounds (interleaved, so a
# burst of load elsewhere hits every mode alike), and sets bare, cont,
# audit and strace_t to each mode's best time, audit_records and
# strace_records to the records of the last round.
measure() {
    bare= cont= audit= strace_t=
    for _ in $(seq "$RUNS"); do
        t=$(run_once bare "$@"); if [ -z "$bare" ] || [ "$t" -lt "$bare" ]; then bare=$t; fi
        t=$(run_once continue "$@"); if [ -z "$cont" ] || [ "$t" -lt "$cont" ]; then cont=$t; fi
        t=$(run_once audit "$@"); if [ -z "$audit" ] || [ "$t" -lt "$audit" ]; then audit=$t; fi
        audit_records=$(wc -l < "$tmp/audit.log")
        t=$(run_once strace "$@"); if [ -z "$strace_t" ] || [ "$t" -lt "$strace_t" ]; then strace_t=$t; fi
        strace_records=$(grep -vc -e '+++ exited' -e '--- SIG' -e 'resumed>' "$tmp/strace.log")
    done
}

# ms NS: nanoseconds as milliseconds with one decimal.
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

bench() {
    label=$1
    shift
    measure "$@"
    echo "== $label"
    printf '  %-8s %10s ms\n' bare "$(ms "$bare")"
    printf '  %-8s %10s ms  overhead %10s ms  (sandbox + round trips, no plugin work)\n' continue \
        "$(ms "$cont")" "$(ms $((cont - bare)))"
    printf '  %-8s %10s ms  overhead %10s ms  records %s\n' audit "$(ms "$audit")" \
        "$(ms $((audit - bare)))" "$audit_records"
    printf '  %-8s %10s ms  overhead %10s ms  records %s\n' strace "$(ms "$strace_t")" \
        "$(ms $((strace_t - bare)))" "$strace_records"
    awk -v b="$bare" -v a="$audit" -v s="$strace_t" -v r="$audit_records" 'BEGIN {
        oa = a - b; os = s - b
        if (oa <= 0) oa = 1
        printf "  overhead ratio strace/audit: %.1fx (goal >= 15x)   total-time ratio: %.1fx\n", os / oa, s / a
        printf "  per record: audit %.1f us, strace %.1f us\n", oa / r / 1000, os / r / 1000
    }'
}

echo "sandlock audit vs strace -f, best of $RUNS runs, $(nproc) CPUs, kernel $(uname -r)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench "find /usr/include -name '*.h'" find /usr/include -name '*.h'
bench "find /usr/include -name '*.h' -exec cat {} +" sh -c "find /usr/include -name '*.h' -exec cat {} + >/dev/null"
bench "sh loop: 300 x cat /etc/hostname" sh -c 'i=0; while [ $i -lt 300 ]; do cat /etc/hostname; i=$((i+1)); done >/dev/null'
