#!/usr/bin/env bash
# --stats and -v.
. "$top_srcdir/tests/integration/common.sh"
ini=$(write_ini st <<EOF2
[plugin a]
module = verdict
syscalls = getppid
action = continue
[plugin b]
module = verdict
syscalls = getppid, uname
action = return:4
[plugin c]
module = $FIXTURE
syscalls = getpid
mode = error
on_exception = eperm
EOF2
)
run_sandlock run -c "$ini" --stats -- "$PROBE" getppid:3 uname
is "--stats: the command's output is unchanged" "$out" "getppid=4 errno=0
uname=4 errno=0"
like "--stats: a header with the columns" "$err" "instance +calls +continue +denied +errno +return +kill +fd +defer +exceptions +static +handle-ms +mean-ns"
like "--stats: a: 3 calls, 3 continue, none static" "$err" "^a +3 +3 +0 +0 +0 +0 +0 +0 +0 +0 +[0-9.]+ +[0-9]+"
like "--stats: b: 4 calls, 4 return, all static (the host answered, not handle())" "$err" \
    "^b +4 +0 +0 +0 +4 +0 +0 +0 +0 +4 +0\\.000 +0\$"
like "--stats: a notification table" "$err" "^syscall +notifications\$"
like "--stats: getppid notified 3 times" "$err" "^getppid +3\$"
like "--stats: uname notified once" "$err" "^uname +1\$"
like "--stats: getpid notified 0 times" "$err" "^getpid +0\$"
unlike "--stats: no trace without -v" "$err" "trace:"

run_sandlock run -c "$ini" --stats -- "$PROBE" getpid getpid
like "--stats: exceptions are counted" "$(grep -E '^c ' "$TEST_TMP/stderr" || true)" "^c +2 +0 +0 +0 +0 +0 +0 +0 +2 "

run_sandlock run -c "$ini" -v -- "$PROBE" getppid uname
like "-v: each notification's result with the deciding instance" "$err" "trace: pid [0-9]+ getppid -> return 4 by \[b\]"
like "-v: uname too" "$err" "trace: pid [0-9]+ uname -> return 4 by \[b\]"
run_sandlock run -c "$ini" -v -- "$PROBE" getpid
like "-v: exception answers are marked" "$err" "getpid -> errno EPERM by \[c\]"
like "-v: ... with the policy's origin" "$err" "exception policy of \[c\]"
unlike "-v without --stats: no stats table" "$err" "sandlock: stats"

# -v names the instance whose exception policy applied, for every policy:
# also continue, whose call goes on to the next instance or runs.
for policy in eperm eio continue kill; do
    ini=$(write_ini "v$policy" <<EOF2
[plugin f]
module = $FIXTURE
syscalls = getpid
mode = error
on_exception = $policy
EOF2
)
    run_sandlock run -c "$ini" -v -- "$PROBE" getpid
    like "-v, on_exception = $policy: the policy and its instance are named" "$err" \
        "exception policy of \\[f\\]: $policy"
done
ini=$(write_ini vnext <<EOF2
[plugin f]
module = $FIXTURE
syscalls = getpid
mode = error
on_exception = continue
[plugin g]
module = verdict
syscalls = getpid
action = return:9
EOF2
)
run_sandlock run -c "$ini" -v -- "$PROBE" getpid
like "-v, continue then another instance answers: that answer" "$err" "getpid -> return 9 by \\[g\\]"
like "-v, continue then another instance answers: the policy that let it through" "$err" \
    "exception policy of \\[f\\]: continue"

# After a kill verdict the supervisor is still there to print its stats.
ini=$(write_ini stkill <<EOF2
[plugin k]
module = verdict
syscalls = getppid
action = kill:SIGTERM
EOF2
)
run_sandlock run -c "$ini" --stats -- "$PROBE" getppid
is "kill verdict with --stats: 143" "$rc" 143
like "kill verdict with --stats: the kill is counted" "$err" "^k +1 +0 +0 +0 +0 +1 +0 +0 +0 "

done_testing
