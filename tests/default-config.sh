#!/bin/sh
# The default configuration (examples/sandlock.ini, also compiled in as the
# built-in default) does what its comments and sandlock.ini(5) promise,
# observed from a real sandboxed shell.
. "$top_srcdir/tests/lib.sh"

home="$TEST_TMP/home"
mkdir -p "$home/.ssh" "$home/.aws"
echo "PRIVATE KEY" > "$home/.ssh/id_ed25519"
echo "github.com ssh-ed25519 AAAA" > "$home/.ssh/known_hosts"
echo "aws_secret" > "$home/.aws/credentials"
echo "plain" > "$home/notes.txt"

script='
cat ~/.ssh/id_ed25519 2>/dev/null || echo "id: denied"
cat ~/.ssh/known_hosts
cat ~/.aws/credentials 2>/dev/null || echo "aws: denied"
cat ~/notes.txt
cat /etc/machine-id
exit 7'

for how in installed built-in; do
    if [ "$how" = installed ]; then
        run_out=$(HOME="$home" SANDLOCK_CONFIG="$top_srcdir/examples/sandlock.ini" \
            "$SANDLOCK" run -- sh -c "$script" 2>"$TEST_TMP/err" </dev/null)
    else
        # No -c and no $SANDLOCK_CONFIG: the installed file when there is
        # one (the same text), else the compiled-in copy.
        run_out=$(env -u SANDLOCK_CONFIG HOME="$home" "$SANDLOCK" run -- sh -c "$script" 2>"$TEST_TMP/err" </dev/null)
    fi
    rc=$?
    err=$(cat "$TEST_TMP/err")
    is "$how: the command's exit status" "$rc" 7
    like "$how: ~/.ssh private key denied" "$run_out" "^id: denied"
    like "$how: ~/.ssh/known_hosts allowed" "$run_out" "github.com ssh-ed25519"
    like "$how: ~/.aws denied" "$run_out" "aws: denied"
    like "$how: other files readable" "$run_out" "plain"
    like "$how: /etc/machine-id is the fixed one" "$run_out" "5a4e1d3c0f2b4a69b8e7d6c5b4a39281"
    like "$how: audit logs the execs on stderr" "$err" "syscall=execve .*argv=\[\"cat\" \"$home/notes.txt\"\]"
done

check_out=$(env -u SANDLOCK_CONFIG "$SANDLOCK" check 2>&1)
like "check: the built-in default is named" "$check_out" "configuration: (<built-in>|/)"
if printf '%s' "$check_out" | grep -q "^masks: in the sandbox's own mount namespace"; then
    # root: vfile's file and fsdeny's existing paths are the kernel's masks,
    # and no open is trapped at all.
    like "check: /etc/machine-id is the kernel's (masks)" "$check_out" "kernel: fixed content /etc/machine-id"
    unlike "check: no open is trapped (masks)" "$check_out" "openat +"
else
    like "check: openat chain is vfile -> fsdeny (no masks)" "$check_out" "openat +vfile -> fsdeny"
fi
like "check: connect chain is audit -> netguard" "$check_out" "connect +audit -> netguard"
done_testing
