#!/usr/bin/env bash
# tests/transparency/run.sh -- does sandlock change the meaning of what it
# allows? Runs CPython's own regression tests (Debian's
# libpython3.11-testsuite) bare and under each configuration given, module by
# module, and compares the SETS of passing test cases: every test that passes
# bare must pass sandboxed (and the other way round). A difference is rerun
# once (just those tests, bare and sandboxed) to tell a flaky test from a
# real one; only differences seen twice fail the run. Run as root, the whole
# comparison is made again as `nobody` (without PID or mount namespaces).
#
#   run.sh --sandlock PATH --config NAME=FILE [--config NAME=FILE...]
#          [--modules "test_os test_shutil"] [--users "root nobody"]
#          [--timeout SECONDS] [--out DIR] [--python PATH]
#
# Exit status: 0 same sets everywhere, 1 a confirmed difference (listed),
# 2 usage or setup error. Not part of `make check`: `make check-transparency`
# (tests/transparency/local.mk) runs it; README.md "Transparency" says how long.
set -u

# The modules: the file system, processes, signals, sockets and terminals.
DEFAULT_MODULES="test_os test_tempfile test_shutil test_signal test_multiprocessing_forkserver
test_posix test_pathlib test_glob test_fileio test_io test_subprocess test_select test_fcntl
test_stat test_zipfile test_tarfile test_threading test_mmap test_socket test_selectors test_pty
test_file test_fileinput test_filecmp test_genericpath test_posixpath test_logging test_epoll
test_poll test_resource test_wait3 test_wait4 test_pwd test_grp test_getpass test_socketserver
test_compileall test_py_compile test_zipimport test_uuid test_platform test_sysconfig test_time
test_timeout test_file_eintr test_asyncio test_multiprocessing_spawn"

# Tests left out everywhere, bare too: VSOCK streams hang for ever on a
# virtual machine whose host has no vsock peer listening; run bare as root,
# test_monotonic_settime sets the host's clock an hour back (and forth) and
# test_sethostname the host's name -- what the deny list refuses
# (clock_settime, sethostname: EPERM, the tests then skip).
IGNORE=(--ignore '*VSOCK*' --ignore '*test_monotonic_settime' --ignore '*test_sethostname')

usage() {
    echo "usage: $0 --sandlock PATH --config NAME=FILE... [--modules LIST] [--users LIST]" \
         "[--timeout SECONDS] [--out DIR] [--python PATH]" >&2
    exit 2
}

sandlock= modules=$DEFAULT_MODULES users= timeout=1800 out= python=/usr/bin/python3.11
names=() files=()
while [ $# -gt 0 ]; do
    case $1 in
    --sandlock) sandlock=$2; shift 2 ;;
    --config) names+=("${2%%=*}"); files+=("$(realpath "${2#*=}")") || usage; shift 2 ;;
    --modules) [ -n "$2" ] && modules=$2; shift 2 ;;
    --users) [ -n "$2" ] && users=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    *) usage ;;
    esac
done
[ -n "$sandlock" ] && [ ${#names[@]} -gt 0 ] || usage
sandlock=$(realpath "$sandlock")
here=$(cd "$(dirname "$0")" && pwd)
results="$python $here/results.py"
if [ ! -x "$python" ] || ! "$python" -c 'import test.regrtest' 2>/dev/null; then
    echo "$python with its test package is needed (Debian: apt-get install libpython3.11-testsuite)" >&2
    exit 2
fi
if [ -z "$users" ]; then
    users=$(id -un)
    [ "$(id -u)" -eq 0 ] && users="root nobody"
fi
[ -n "$out" ] || out=$(pwd)/transparency-out
rm -rf "$out" && mkdir -p "$out" && chmod 755 "$out" || exit 2
out=$(realpath "$out")
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The command prefix that runs as `user` (empty: as we are).
as_user() {
    if [ "$1" = "$(id -un)" ]; then
        prefix=()
    elif [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
        prefix=(setpriv --reuid="$1" --regid="$(id -gn "$1")" --init-groups)
    else
        echo "cannot run as $1 (needs root and setpriv)" >&2
        exit 2
    fi
}

# run USER DIR CONFIG-FILE(or "") MODULE XML [regrtest args...]: one regrtest
# process, bare or under sandlock, with the same environment either way.
run() {
    local user=$1 dir=$2 cfg=$3 module=$4 xml=$5
    shift 5
    local box=()
    [ -n "$cfg" ] && box=("$sandlock" run -c "$cfg" --)
    (cd "$dir/tmp" && timeout -k 30 "$timeout" "${prefix[@]}" env -i HOME="$dir/home" USER="$user" \
        LOGNAME="$user" PATH="$PATH" LANG=C.UTF-8 TERM=dumb TMPDIR="$dir/tmp" \
        "${box[@]}" "$python" -m test -v --junit-xml "$xml" "${IGNORE[@]}" "$@" "$module")
}

failed=0
start_all=$SECONDS
for user in $users; do
    as_user "$user"
    dir=$out/$user
    mkdir -p "$dir/home" "$dir/tmp" "$dir/log" "$dir/xml"
    chmod 700 "$dir/home"
    chmod 1777 "$dir/tmp"
    chmod 777 "$dir/log" "$dir/xml"
    [ "$user" = "$(id -un)" ] || chown -R "$user" "$dir/home" || exit 2
    if ! "${prefix[@]}" test -x "$sandlock" || ! "${prefix[@]}" "$sandlock" check -c "${files[0]}" >/dev/null 2>&1; then
        echo "$user cannot run $sandlock -c ${files[0]} (is the build tree readable by $user?)" >&2
        "${prefix[@]}" "$sandlock" check -c "${files[0]}" 2>&1 | sed 's/^/  /' >&2
        exit 2
    fi
    echo "== as $user (HOME=$dir/home TMPDIR=$dir/tmp)"
    printf '%-34s %8s' module bare
    printf ' %8s' "${names[@]}"
    echo
    for module in $modules; do
        printf '%-34s' "$module"
        for i in -1 $(seq 0 $((${#names[@]} - 1))); do
            if [ "$i" -lt 0 ]; then name=bare cfg=; else name=${names[$i]} cfg=${files[$i]}; fi
            t0=$SECONDS
            run "$user" "$dir" "$cfg" "$module" "$dir/xml/$module.$name.xml" >"$dir/log/$module.$name.log" 2>&1
            rc=$?
            mark=
            [ "$rc" -ne 0 ] && mark="!$rc"
            printf ' %8s' "$((SECONDS - t0))s$mark"
        done
        echo
    done
    for i in $(seq 0 $((${#names[@]} - 1))); do
        name=${names[$i]} cfg=${files[$i]}
        for module in $modules; do
            if [ -s "$dir/xml/$module.bare.xml" ] && [ ! -s "$dir/xml/$module.$name.xml" ]; then
                # A crash or a hang: the whole module once more.
                mv "$dir/log/$module.$name.log" "$dir/log/$module.$name.first.log"
                run "$user" "$dir" "$cfg" "$module" "$dir/xml/$module.$name.xml" >"$dir/log/$module.$name.log" 2>&1
                if [ ! -s "$dir/xml/$module.$name.xml" ]; then
                    echo "DIFFERS as $user under $name: $module gave no results twice (see $dir/log/$module.$name.log)"
                    failed=1
                    continue
                fi
                echo "flaky   as $user under $name: $module gave no results once (see $dir/log/$module.$name.first.log)"
            fi
            diff=$($results diff "$dir/xml/$module.bare.xml" "$dir/xml/$module.$name.xml")
            [ -n "$diff" ] || continue
            # Once more, just those tests, both ways: a flaky test differs once.
            match=$dir/xml/$module.$name.match
            sed 's/ .*//' <<<"$diff" > "$match"
            chmod 644 "$match"
            run "$user" "$dir" "" "$module" "$dir/xml/$module.bare.rerun.$name.xml" --matchfile "$match" \
                >"$dir/log/$module.bare.rerun.$name.log" 2>&1
            run "$user" "$dir" "$cfg" "$module" "$dir/xml/$module.$name.rerun.xml" --matchfile "$match" \
                >"$dir/log/$module.$name.rerun.log" 2>&1
            again=$($results diff "$dir/xml/$module.bare.rerun.$name.xml" "$dir/xml/$module.$name.rerun.xml")
            while IFS= read -r line; do
                id=${line%% *}
                if grep -q "^$id " <<<"$again"; then
                    echo "DIFFERS as $user under $name: $line"
                    failed=1
                else
                    echo "flaky   as $user under $name: $line (not on rerun)"
                fi
            done <<<"$diff"
        done
    done
    for module in $modules; do
        [ -s "$dir/xml/$module.bare.xml" ] || echo "note: $module gave no results bare (see $dir/log/$module.bare.log)"
    done
done
echo "total $((SECONDS - start_all))s; logs and results in $out"
if [ "$failed" -ne 0 ]; then
    echo "FAIL: sandlock changed which tests pass (lines DIFFERS above)"
    exit 1
fi
echo "PASS: the same tests pass bare and sandboxed"
