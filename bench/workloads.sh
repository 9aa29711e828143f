#!/usr/bin/env bash
# bench/workloads.sh -- real work under sandlock, against the same work bare
# (make bench-workloads; bench/README.md explains every row).
#
#   bench/workloads.sh --sandlock PATH --default-config FILE [--launcher PATH]
#                      [-r ROUNDS] [--strict]
#
# Five workloads (a parallel compile, tar, find, git, python imports) run
# bare, under `sandlock run` with the default configuration, under sandlock
# with a configuration without plugins, under bubblewrap with masks
# equivalent to the default configuration's (for information; skipped, with
# a line saying so, when bwrap is not installed), and under the default
# configuration with `masks = no` (the fallback: every path call notified);
# with --launcher (bench-launch), also under a seccomp filter alone (the
# reference filter, no sandbox: what any filter costs the work, for
# information). The configurations
# alternate within each round; the tables show the median of the rounds and
# the ratio to bare. Run as root, the whole set is run again as `nobody`.
# A benchmark, not a test: exits 0 even when a target is missed, unless
# --strict. Installs nothing.
set -u

usage() {
    echo "usage: $0 --sandlock PATH --default-config FILE [--launcher PATH] [-r ROUNDS] [--strict]"
}

sandlock=
default_config=
launcher=
rounds=5
strict=0
target=1.10
while [ $# -gt 0 ]; do
    case $1 in
    --sandlock) sandlock=${2:-}; shift 2 ;;
    --default-config) default_config=${2:-}; shift 2 ;;
    --launcher) launcher=${2:-}; shift 2 ;;
    -r | --rounds) rounds=${2:-}; shift 2 ;;
    --strict) strict=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
if [ ! -x "$sandlock" ] || [ ! -r "$default_config" ] || { [ -n "$launcher" ] && [ ! -x "$launcher" ]; }; then
    usage >&2
    exit 2
fi
case $rounds in
'' | *[!0-9]* | 0) echo "workloads: -r needs a positive number of rounds" >&2; exit 2 ;;
esac

# The workloads use the system's tools, whatever the caller's PATH holds
# (a python3 shim in /root would be another program, and not one nobody
# may run).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
bwrap=$(command -v bwrap || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sandlock-workloads.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
chmod 755 "$tmp"

workloads=(make tar find git python)

# ---------------------------------------------------------------- inputs

# make_inputs DIR: the C sources and the git repository the workloads use.
make_inputs() {
    local dir=$1 i d f
    mkdir -p "$dir/src" "$dir/repo" "$dir/home"
    # 16 small C files, each including many system headers.
    for i in $(seq -w 1 16); do
        {
            printf '#include <%s>\n' stdio.h stdlib.h string.h math.h errno.h fcntl.h unistd.h \
                signal.h time.h ctype.h stdint.h inttypes.h limits.h pthread.h sys/types.h \
                sys/stat.h sys/socket.h netinet/in.h
            if [ "$i" = 01 ]; then
                echo 'int main(void) { return 0; }'
            fi
            echo "int f$i(int x) { return x * $((10#$i)) + (int)strlen(\"$i\") + (errno & 1); }"
        } > "$dir/src/f$i.c"
    done
    cat > "$dir/src/Makefile" <<'MAKE'
objs = $(patsubst %.c,%.o,$(sort $(wildcard f*.c)))
prog: $(objs)
	$(CC) -o $@ $(objs) -lm -lpthread
%.o: %.c
	$(CC) -O2 -c -o $@ $<
MAKE
    # 5,000 files in 50 directories, committed; 50 of them then modified.
    for d in $(seq -w 0 49); do
        mkdir "$dir/repo/d$d"
        for f in $(seq -w 0 99); do
            printf 'file %s/%s\nline two\nline three\n' "$d" "$f" > "$dir/repo/d$d/f$f.txt"
        done
    done
    git -C "$dir/repo" init -q &&
        git -C "$dir/repo" add -A &&
        git -C "$dir/repo" -c user.name=bench -c user.email=bench@localhost \
            commit -q -m 'generated' || return 1
    for d in $(seq -w 0 49); do
        echo 'a change' >> "$dir/repo/d$d/f42.txt"
    done
}

# set_workload NAME DIR: sets label and cmd (an array) for workload NAME,
# whose inputs are in DIR.
set_workload() {
    case $1 in
    make)
        label="make -j2, 16 C files"
        cmd=(make -s -B -j2 -C "$2/src") ;;
    tar)
        label="tar -cf /dev/null /usr/include"
        cmd=(tar -cf /dev/null /usr/include) ;;
    find)
        label="find /usr/share -name '*.gz'"
        cmd=(find /usr/share -name '*.gz') ;;
    git)
        label="5 x git status + diff --stat"
        # shellcheck disable=SC2016 # $1 is the inner shell's
        cmd=(sh -c 'for i in 1 2 3 4 5; do git -C "$1" status --porcelain; git -C "$1" diff --stat; done' \
            sh "$2/repo") ;;
    python)
        label="python3 -c 'import json,...'"
        cmd=(python3 -c 'import json,email,http.client,asyncio,decimal') ;;
    esac
}

# ---------------------------------------------------------------- configurations

# The plugin-less configuration: the default configuration's [sandlock]
# section alone, so that only the plugins differ.
awk '/^\[/ { in_core = ($0 == "[sandlock]") } in_core' "$default_config" > "$tmp/no-plugin.ini"
# The fallback: the default configuration without masks (what a system
# without unprivileged user namespaces gets), every path call notified.
awk '/^[ \t]*masks[ \t]*=/ { next } { print } $0 == "[sandlock]" { print "masks = no" }' "$default_config" \
    > "$tmp/fallback.ini"

# trim TEXT: TEXT without leading and trailing blanks.
trim() {
    local t=$1
    t=${t#"${t%%[![:space:]]*}"}
    echo "${t%"${t##*[![:space:]]}"}"
}

# bwrap_masks HOME: sets masks (bwrap arguments) to the equivalent of the
# default configuration's fsdeny deny/allow rules and vfile files, for a
# sandbox whose ~ is HOME; missing paths are skipped. The allow exceptions
# are bound back last, over the masks. Sets mask_notes to what was done.
bwrap_masks() {
    local home=$1 module='' line key value path
    local -a allows=()
    masks=()
    mask_notes=()
    while IFS= read -r line; do
        case $line in
        [\;#]* | '') continue ;;
        \[*) module=''; continue ;;
        *=*) ;;
        *) continue ;;
        esac
        key=$(trim "${line%%=*}")
        value=$(trim "${line#*=}")
        [ "$key" = module ] && module=$value
        case $module:$key in
        fsdeny:deny | fsdeny:allow)
            value=${value/#\~/$home}
            for path in $value; do  # unquoted: expands the globs
                if [ ! -e "$path" ]; then
                    mask_notes+=("skipped (missing): $path")
                elif [ "$key" = allow ]; then
                    allows+=("$path")
                elif [ -d "$path" ]; then
                    masks+=(--tmpfs "$path")
                    mask_notes+=("--tmpfs $path")
                else
                    masks+=(--ro-bind /dev/null "$path")
                    mask_notes+=("--ro-bind /dev/null $path")
                fi
            done ;;
        vfile:/*)
            path=$tmp/vfile$(echo "$key" | tr / _)
            printf '%b' "${value//\\@/@}" > "$path"
            chmod 644 "$path"
            masks+=(--ro-bind "$path" "$key")
            mask_notes+=("--ro-bind FILE $key (FILE: the vfile content)") ;;
        esac
    done < "$default_config"
    for path in "${allows[@]}"; do
        masks+=(--dev-bind "$path" "$path")
        mask_notes+=("--dev-bind $path $path (allow exception)")
    done
}

# ---------------------------------------------------------------- running

# now_us: wall clock in microseconds (bash's EPOCHREALTIME: no process).
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }

# set_prefix CONFIG: sets prefix (an array) to what runs a command in CONFIG
# as the current pass's user (as_user).
set_prefix() {
    case $1 in
    bare) prefix=("${as_user[@]}") ;;
    filter) prefix=("${as_user[@]}" "$launcher") ;;
    default) prefix=("${as_user[@]}" "$sandlock" run -c "$default_config" --) ;;
    noplugin) prefix=("${as_user[@]}" "$sandlock" run -c "$tmp/no-plugin.ini" --) ;;
    fallback) prefix=("${as_user[@]}" "$sandlock" run -c "$tmp/fallback.ini" --) ;;
    bwrap) prefix=("${as_user[@]}" "$bwrap" --dev-bind / / "${masks[@]}" --) ;;
    esac
}

# warm_up WORKLOAD CONFIG: one unmeasured run; checks that its exit status is
# the bare run's. Under the default configuration and the fallback it runs
# with --stats and keeps the per-instance counts in stats[WORKLOAD,CONFIG].
warm_up() {
    local w=$1 c=$2 status
    set_prefix "$c"
    if [ "$c" = default ]; then
        prefix=("${as_user[@]}" "$sandlock" run --stats -c "$default_config" --)
    elif [ "$c" = fallback ]; then
        prefix=("${as_user[@]}" "$sandlock" run --stats -c "$tmp/fallback.ini" --)
    fi
    "${prefix[@]}" "${cmd[@]}" >/dev/null 2>"$tmp/warm-up.err"
    status=$?
    if [ "$c" = bare ]; then
        expected[$w]=$status
        if [ "$status" != 0 ]; then
            # Said, so that a broken workload (a build stopped at its
            # first error) is seen; find as nobody meets directories it
            # may not read, and exits 1 under every configuration too.
            echo "  $w exits $status bare (every configuration must too); its stderr ends:"
            tail -n 3 "$tmp/warm-up.err" | sed 's/^/    /'
        fi
    elif [ "$status" != "${expected[$w]}" ]; then
        failed[$w,$c]="exit $status, bare ${expected[$w]}"
        echo "  $w under $c: exit status $status (bare: ${expected[$w]}); its stderr ends:"
        sed '/^sandlock: stats$/,$d' "$tmp/warm-up.err" | tail -n 5 | sed 's/^/    /'
    fi
    if [ "$c" = default ] || [ "$c" = fallback ]; then
        stats[$w,$c]=$(awk '
            /^sandlock: stats$/ { getline; on = 1; next }
            on && NF >= 11 { printf "%s %s %s\n", $1, $2, $NF }' "$tmp/warm-up.err")
    fi
}

# run_pass USER_LABEL DIR: warms up, runs the rounds and prints the tables
# for the current as_user, with the inputs in DIR.
run_pass() {
    local who=$1 dir=$2 w c r t0 t1
    declare -A samples=() expected=() failed=() stats=()
    bwrap_masks "$HOME"
    echo
    echo "== as $who (HOME=$HOME)"
    if [ -n "$bwrap" ]; then
        echo "bubblewrap masks (from $default_config):"
        printf '  %s\n' "${mask_notes[@]}"
    fi
    for w in "${workloads[@]}"; do
        set_workload "$w" "$dir"
        for c in "${active_configs[@]}"; do
            warm_up "$w" "$c"
        done
    done
    for ((r = 1; r <= rounds; r++)); do
        for w in "${workloads[@]}"; do
            set_workload "$w" "$dir"
            for c in "${active_configs[@]}"; do
                [ -n "${failed[$w,$c]:-}" ] && continue
                set_prefix "$c"
                t0=$(now_us)
                "${prefix[@]}" "${cmd[@]}" >/dev/null 2>&1
                t1=$(now_us)
                samples[$w,$c]+=" $((t1 - t0))"
            done
        done
    done
    print_table "$who"
    print_stats
}

# median LIST: the median of the numbers in LIST (microseconds), in ms.
median() {
    tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}

# print_table USER_LABEL: one row per workload: the bare median, and each
# configuration's median and ratio to it; the target applies to the default.
print_table() {
    local w c med bare_ms verdict ratio
    echo
    echo "workloads as $1: median of $rounds rounds, wall time in ms, ratio to bare"
    printf '%-32s %8s   %-15s   %-15s   %-15s   %-15s   %-15s   %s\n' "" bare "filter only" "default config" \
        "no plugin" bubblewrap "fallback" target
    for w in "${workloads[@]}"; do
        set_workload "$w" "$tmp"
        bare_ms=$(median "${samples[$w,bare]}")
        printf '%-32s %8s' "$label" "$bare_ms"
        verdict=MISS
        for c in filter default noplugin bwrap fallback; do
            if { [ "$c" = bwrap ] && [ -z "$bwrap" ]; } || { [ "$c" = filter ] && [ -z "$launcher" ]; }; then
                printf '   %-15s' "-"
            elif [ -n "${failed[$w,$c]:-}" ]; then
                printf '   %-15s' "FAILED"
            else
                med=$(median "${samples[$w,$c]}")
                ratio=$(awk -v a="$med" -v b="$bare_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
                printf '   %8s %5sx' "$med" "$ratio"
                if [ "$c" = default ]; then
                    verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print ((r + 0 <= t + 0) ? "ok" : "MISS") }')
                fi
            fi
        done
        printf '   <= %sx %s\n' "$target" "$verdict"
        [ "$verdict" = MISS ] && missed=1
    done
}

# Per workload, the notified calls each instance of the default
# configuration and of the fallback handled (from the warm-up run's --stats).
print_stats() {
    local w c
    for c in default fallback; do
        echo
        echo "notified calls under the $c configuration (sandlock --stats, warm-up run):"
        echo "  calls handled per instance (mean handle() time); a notification goes through every"
        echo "  instance of its syscall's chain until one answers, so the counts overlap"
        for w in "${workloads[@]}"; do
            set_workload "$w" "$tmp"
            printf '  %-32s' "$label"
            if [ -z "${stats[$w,$c]:-}" ]; then
                printf ' (no statistics)\n'
                continue
            fi
            printf '%s\n' "${stats[$w,$c]}" |
                awk '{ printf " %s %s (%.1f us)", $1, $2, $3 / 1000 } END { print "" }'
        done
    done
}

# ---------------------------------------------------------------- main

echo "sandlock workloads: $rounds rounds, $(nproc) CPUs, kernel $(uname -r)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sandlock: $sandlock ($("$sandlock" --version 2>&1 | head -n 1)); default config: $default_config"
active_configs=(bare default noplugin fallback)
if [ -n "$launcher" ]; then
    active_configs+=(filter)
    echo "filter only: $launcher (a seccomp filter notifying getppid, no sandbox), for information"
else
    echo "no --launcher: no 'filter only' column"
fi
if [ -n "$bwrap" ]; then
    active_configs+=(bwrap)
    echo "bubblewrap: $bwrap ($("$bwrap" --version 2>&1 | head -n 1)), for information"
else
    echo "bubblewrap (bwrap) is not installed: no bubblewrap column (apt-get install bubblewrap adds it)"
fi

echo "generating the inputs in $tmp ..."
if ! make_inputs "$tmp/inputs" >"$tmp/inputs.log" 2>&1; then
    echo "workloads: cannot generate the inputs:" >&2
    cat "$tmp/inputs.log" >&2
    exit 1
fi

missed=0
as_user=()
run_pass "$(id -un)" "$tmp/inputs"

echo
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
if [ "$(id -u)" -ne 0 ]; then
    echo "not run as root: no second pass as nobody"
elif ! command -v setpriv >/dev/null; then
    echo "setpriv is not installed: no second pass as nobody"
elif ! cp -a "$tmp/inputs" "$tmp/nobody" || ! chown -R nobody:nogroup "$tmp/nobody"; then
    echo "cannot give nobody a copy of the inputs: no second pass as nobody"
elif ! "${as_nobody[@]}" "$sandlock" run -c "$tmp/no-plugin.ini" -- true 2>"$tmp/nobody.err"; then
    echo "nobody cannot run $sandlock (is the build tree readable by nobody?): no second pass;"
    sed 's/^/  /' "$tmp/nobody.err"
else
    as_user=("${as_nobody[@]}")
    root_home=$HOME
    HOME=$tmp/nobody/home
    echo "(every command, bare too, is started through ${as_nobody[*]}: its exec is in every column)"
    run_pass nobody "$tmp/nobody"
    HOME=$root_home
fi

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$strict" = 1 ] && [ "$missed" = 1 ]; then
    exit 1
fi
exit 0
