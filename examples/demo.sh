#!/usr/bin/env bash
# examples/demo.sh -- build sandlock (installing missing Debian packages) and
# run a command under the default configuration, examples/sandlock.ini.
set -u
here=$(cd "$(dirname "$0")" && pwd)
builddir=$("$here/../tests/build.sh" | tail -n 1) || exit 1
sandlock="$builddir/sandlock"
config="$here/sandlock.ini"
echo "== sandlock check -c examples/sandlock.ini"
"$sandlock" check -c "$config" || exit $?
echo
echo "== sandlock run --stats -c examples/sandlock.ini -- sh -c '...'"
"$sandlock" run --stats -c "$config" -- sh -c '
    echo "hostname: $(cat /etc/hostname)"
    echo "uname:    $(uname -a)"
    echo "ls /root: $(ls /root 2>&1 | head -1)"
    unshare -r true 2>&1 | head -1 | sed "s/^/unshare:  /"
    echo "exit status of the sandboxed shell follows"
    exit 3'
echo "sandlock exited with $?"
