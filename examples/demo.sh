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
echo "   (audit's lines on stderr are the execs it saw; fsdeny, vfile and the deny list act below;"
echo "    run as root, /etc/shadow is hidden by a mask in the sandbox's mount namespace: an empty file"
echo "    for a root command, Permission denied for any other user)"
"$sandlock" run --stats -c "$config" -- sh -c '
    echo "machine-id:   $(cat /etc/machine-id)"
    echo "/etc/shadow:  $(head -c 20 /etc/shadow 2>&1)"
    if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "  as nobody:  $(setpriv --reuid=nobody --regid=nogroup --clear-groups head -c 20 /etc/shadow 2>&1)"
    fi
    echo "~/.ssh:       $(ls ~/.ssh 2>&1)"
    echo "unshare:      $(unshare -U true 2>&1)"
    echo "uname -sr:    $(uname -sr)"
    exit 3'
echo "sandlock exited with $? (the command's own status)"
cat <<EOF

The binary is $sandlock (it finds the plugins of its build tree; try
  $sandlock run -- sh). To install it with its plugins, man pages and the
default configuration:
  autoreconf -fi && ./configure --prefix=/usr/local && make && sudo make install
(configure --prefix=DIR for elsewhere), or as Debian packages:
  dpkg-buildpackage -us -uc -b && sudo apt-get install ../sandlock_*.deb ../libsandlock0_*.deb ../sandlock-dev_*.deb
EOF
