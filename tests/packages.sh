#!/usr/bin/env bash
# tests/packages.sh -- the Debian packages, built and used as an
# administrator would (CI's "packages" step; root only: it installs them
# into this machine and removes them again):
#   - a git clone of the checkout's HEAD in a scratch directory (the checkout
#     and its builds are not touched), dpkg-buildpackage -us -uc -b there;
#     the in-tree build leaves the clone's `git status` empty and configure
#     prints no "rm: cannot remove"; lintian reports nothing;
#   - apt-get install ./sandlock_*.deb ./sandlock-dev_*.deb, then
#     /usr/bin/sandlock runs a command under the installed default
#     configuration, the man pages and the completion name the installed
#     paths, a drop-in in /etc/sandlock/sandlock.d is read, and the example
#     plugin is built out of tree from /usr/share/doc/sandlock-dev with the
#     installed pkg-config file and loaded, and `pip install ./python` builds
#     `import sandlock` against the installed libsandlock;
#   - the edited conffile survives a reinstall and `dpkg --remove`, and
#     `dpkg --purge` deletes it.
# Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }
# check NAME COMMAND...: passes when COMMAND succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# is NAME GOT WANT
is() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1"; printf '#   got:  %s\n#   want: %s\n' "$2" "$3"; fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if [ "$(id -u)" -ne 0 ]; then
    echo "# SKIP packages: not root (the step installs build dependencies with apt-get and the packages with dpkg)"
    finish
fi
if dpkg-query -W -f '${Status}' sandlock 2>/dev/null | grep -q installed; then
    echo "# SKIP packages: a sandlock package is already installed on this machine (not replacing it)"
    finish
fi
if [ -e /etc/sandlock ]; then
    echo "# SKIP packages: /etc/sandlock exists and belongs to no package (not touching it)"
    finish
fi

apt-get install -y -qq --no-install-recommends debhelper dh-autoreconf dpkg-dev fakeroot lintian \
    bash-completion python3-venv python3-setuptools python3-wheel >/dev/null
check "build dependencies installed" test -x /usr/bin/dh -a -x /usr/bin/lintian

work=$(mktemp -d /tmp/sandlock-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$top" "$work/src"
check "git clone of HEAD" test -f "$work/src/debian/control"

# --- build --------------------------------------------------------------
(cd "$work/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1
rc=$?
is "dpkg-buildpackage -us -uc -b: exit 0" "$rc" 0
[ "$rc" -eq 0 ] || tail -30 "$work/build.log" | sed 's/^/# /'
deb=$(ls "$work"/sandlock_*.deb 2>/dev/null | head -n 1)
dev=$(ls "$work"/sandlock-dev_*.deb 2>/dev/null | head -n 1)
lib=$(ls "$work"/libsandlock0_*.deb 2>/dev/null | head -n 1)
check "sandlock_*.deb built" test -f "$deb"
check "sandlock-dev_*.deb built" test -f "$dev"
check "libsandlock0_*.deb built" test -f "$lib"
[ -f "$deb" ] && [ -f "$dev" ] && [ -f "$lib" ] || finish
is "the in-tree build printed no 'cannot remove'" "$(grep -c 'cannot remove' "$work/build.log")" 0
is "the in-tree build left git status empty" "$(git -C "$work/src" status --porcelain)" ""
is "lintian: no errors or warnings" \
    "$(lintian "$work"/sandlock_*.changes 2>&1 | grep -E '^[EW]: ')" ""

# --- install and use ----------------------------------------------------
apt-get install -y -qq "$deb" "$dev" "$lib" >"$work/install.log" 2>&1
is "apt-get install ./sandlock_*.deb ./sandlock-dev_*.deb ./libsandlock0_*.deb: exit 0" "$?" 0
check "/usr/bin/sandlock installed" test -x /usr/bin/sandlock
is "conffile: /etc/sandlock/sandlock.ini" "$(dpkg-query -W -f '${Conffiles}' sandlock | awk '{print $1}')" \
    /etc/sandlock/sandlock.ini
check "/etc/sandlock/sandlock.ini is the shipped default" \
    cmp -s /etc/sandlock/sandlock.ini /usr/share/sandlock/sandlock.ini

json=$(cd / && /usr/bin/sandlock check --json)
is "check --json: the installed configuration is read" \
    "$(grep -o '"configuration": "[^"]*"' <<<"$json")" '"configuration": "/etc/sandlock/sandlock.ini"'
plugins=$(dpkg -L sandlock | grep '/sandlock/plugins/audit\.so$')
check "check --json: audit loaded from the installed plugin directory ($plugins)" \
    grep -q "\"file\": \"$plugins\"" <<<"$json"

out=$(cd / && /usr/bin/sandlock run -- sh -c 'cat /etc/machine-id; exit 3' 2>"$work/run.err")
rc=$?
is "run under the default: the command's exit status" "$rc" 3
is "run under the default: vfile's fixed /etc/machine-id" "$out" 5a4e1d3c0f2b4a69b8e7d6c5b4a39281
check "run under the default: audit's line for the exec" grep -q 'execve' "$work/run.err"

mkdir -p /etc/sandlock/sandlock.d
printf '[plugin audit]\nenabled = no\n' >/etc/sandlock/sandlock.d/50-local.ini
(cd / && /usr/bin/sandlock run -- true 2>"$work/run.err")
is "a drop-in in /etc/sandlock/sandlock.d disables audit: no line" "$(cat "$work/run.err")" ""
rm -r /etc/sandlock/sandlock.d

man1=$(zcat /usr/share/man/man1/sandlock.1.gz)
grep -q '^\.I /etc/sandlock/sandlock\.ini$' <<<"$man1"
is "sandlock(1) names /etc/sandlock/sandlock.ini" "$?" 0
plugins_dir=$(dirname "$plugins")
grep -qF ".I ${plugins_dir//-/\\-}/" <<<"$man1"
is "sandlock(1) names the plugin directory $plugins_dir" "$?" 0
is "no man page has an @placeholder@ left" \
    "$(for f in $(dpkg -L sandlock | grep '/man/'); do [ -f "$f" ] && zgrep -l '@[a-z_]*@' "$f"; done)" ""
completion=$(bash --norc -c '. /usr/share/bash-completion/completions/sandlock
    COMP_WORDS=(sandlock run --disable ""); COMP_CWORD=3; _sandlock; echo "${COMPREPLY[*]}"')
is "bash completion: --disable completes the installed default's instances" "$completion" \
    "audit vfile fsdeny netguard"

# The example, out of tree, with the installed pkg-config file only.
cp -r /usr/share/doc/sandlock-dev/examples/hello-plugin "$work/hello"
is "pkg-config: the installed sandlock-plugin module" "$(pkg-config --modversion sandlock-plugin)" \
    "$(dpkg-query -W -f '${Version}' sandlock-dev)"
is "pkg-config: its plugindir is the installed plugin directory" \
    "$(pkg-config --variable=plugindir sandlock-plugin)" "$plugins_dir"
make -C "$work/hello" >"$work/hello.log" 2>&1
is "the example plugin builds" "$?" 0
(cd / && /usr/bin/sandlock run -c "$work/hello/hello.ini" -- mkdir "$work/made" 2>"$work/hello.err")
is "run -c hello.ini (its relative module path, from /): mkdir fails" "$?" 1
check "... with EROFS in the child" grep -q 'Read-only file system' "$work/hello.err"
check "... logged by the plugin" grep -q '\[hello\] pid [0-9]* called mkdir' "$work/hello.err"
check "... and the directory was not made" test ! -e "$work/made"

# libsandlock: the embedding example, out of tree, against the packages.
cp -r /usr/share/doc/sandlock-dev/examples/embed "$work/embed"
is "pkg-config: the installed sandlock module (libsandlock)" "$(pkg-config --modversion sandlock)" \
    "$(dpkg-query -W -f '${Version}' libsandlock0)"
make -C "$work/embed" >"$work/embed.log" 2>&1
is "the embedding example builds against libsandlock0 and sandlock-dev" "$?" 0
check "... and links the installed libsandlock.so.0" sh -c "ldd '$work/embed/embed' | grep -Eq 'libsandlock.so.0 => (/usr)?/lib/'"

# import sandlock: pip install ./python of the clone (in its tree, as a user
# would) against the installed libsandlock, found with pkg-config sandlock.
/usr/bin/python3 -m venv --system-site-packages "$work/venv" >"$work/pip.log" 2>&1 &&
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$work/venv/bin/python" -m pip install --no-index --no-build-isolation \
        "$work/src/python" >>"$work/pip.log" 2>&1
is "pip install ./python against libsandlock0 and sandlock-dev (pkg-config sandlock)" "$?" 0
pystatus=$(cd / && "$work/venv/bin/python" -c 'import sandlock; print(sandlock.run(["sh", "-c", "exit 7"], "[sandlock]\n"))' 2>&1)
is "... sandlock.run() returns the command's exit status" "$pystatus" 7
check "... the extension links the installed libsandlock.so.0" \
    sh -c "ldd '$work'/venv/lib/python3*/site-packages/sandlock*.so | grep -Eq 'libsandlock.so.0 => (/usr)?/lib/'"
is "... and its build left the clone's git status empty" "$(git -C "$work/src" status --porcelain)" ""

# --- the configuration across reinstall, remove, purge -------------------
echo '; edited by the administrator' >>/etc/sandlock/sandlock.ini
edited=$(cat /etc/sandlock/sandlock.ini)
apt-get install -y -qq --reinstall "$deb" >"$work/reinstall.log" 2>&1
is "reinstall: exit 0" "$?" 0
is "reinstall: the edited conffile is kept" "$(cat /etc/sandlock/sandlock.ini)" "$edited"
dpkg --remove sandlock-dev libsandlock0 sandlock >"$work/remove.log" 2>&1
is "dpkg --remove: exit 0" "$?" 0
check "remove: /usr/bin/sandlock is gone" test ! -e /usr/bin/sandlock
is "remove: the edited conffile is kept" "$(cat /etc/sandlock/sandlock.ini 2>&1)" "$edited"
dpkg --purge sandlock-dev libsandlock0 sandlock >"$work/purge.log" 2>&1
is "dpkg --purge: exit 0" "$?" 0
check "purge: /etc/sandlock is gone" test ! -e /etc/sandlock
check "purge: /usr/share/sandlock is gone" test ! -e /usr/share/sandlock
finish
