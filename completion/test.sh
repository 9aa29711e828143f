#!/bin/sh
# test.sh -- the bash completion, sourced into a real bash and asked for the
# completions of a few command lines: once on its own, once with the
# bash-completion package's helpers loaded (when installed).
. "$top_srcdir/tests/lib.sh"

completion="$top_srcdir/completion/sandlock"
if ! command -v bash >/dev/null; then
    skip "bash completion" "bash is not installed"
    done_testing
fi
helpers=/usr/share/bash-completion/bash_completion

# complete WITH_HELPERS WORD...: the completions of the line WORD... (the
# last word is the one being completed), one a line, sorted.
complete() {
    with=$1
    shift
    bash --norc --noprofile -c '
        with_helpers=$1 helpers=$2 completion=$3
        shift 3
        if [ "$with_helpers" = yes ]; then . "$helpers"; fi
        . "$completion"
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _sandlock sandlock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$with" "$helpers" "$completion" "$@" 2>"$TEST_TMP/complete.err" | tr '\n' ' '
}

two=$(write_ini two <<'INI'
[plugin alpha]
module = verdict
syscalls = getppid
action = errno:EPERM

[plugin beta]
module = verdict
syscalls = getpid
action = errno:EPERM
INI
)
broken=$(write_ini broken <<'INI'
[plugin gamma]
module = no-such-module

[ plugin  delta ]
module = verdict
INI
)

for with in no yes; do
    if [ "$with" = yes ] && [ ! -r "$helpers" ]; then
        skip "with bash-completion's helpers" "$helpers is not installed (package bash-completion)"
        continue
    fi
    t="helpers $with:"
    is "$t commands and global options" "$(complete $with "$SANDLOCK" '')" \
        "--help --version -V -h check run "
    is "$t a command by prefix" "$(complete $with "$SANDLOCK" ch)" "check "
    is "$t run's options by prefix" "$(complete $with "$SANDLOCK" run --st)" \
        "--stats --stats-file --stats=json "
    is "$t check's options" "$(complete $with "$SANDLOCK" check --j)" "--json "
    is "$t options after other options" "$(complete $with "$SANDLOCK" run -q -c "$two" --dis)" "--disable "
    is "$t --disable: instance names from check --json -c FILE" \
        "$(complete $with "$SANDLOCK" run -c "$two" --disable '')" "alpha beta "
    is "$t --disable: by prefix" "$(complete $with "$SANDLOCK" check --config "$two" --disable b)" "beta "
    is "$t --set: sections" "$(complete $with "$SANDLOCK" run -c "$two" --set '')" \
        "alpha. beta. sandlock. "
    like "$t --set sandlock.: its keys" "$(complete $with "$SANDLOCK" run --set sandlock.w)" \
        "^sandlock\\.workers= \$"
    is "$t a configuration that does not load: names from its [plugin NAME] headers" \
        "$(complete $with "$SANDLOCK" run -c "$broken" --disable '')" "delta gamma "
    is "$t \$SANDLOCK_CONFIG when there is no -c" \
        "$(SANDLOCK_CONFIG="$broken" complete $with "$SANDLOCK" check --disable g)" "gamma "
    like "$t run's COMMAND after --" "$(complete $with "$SANDLOCK" run -q -- ech)" \
        "(^| )echo "
    like "$t run's COMMAND after the options" "$(complete $with "$SANDLOCK" run --stats ech)" "(^| )echo "
    unlike "$t no sandlock options for the COMMAND's arguments" \
        "$(complete $with "$SANDLOCK" run ls --st)" "--stats"
    is "$t no errors" "$(cat "$TEST_TMP/complete.err")" ""
done
done_testing
