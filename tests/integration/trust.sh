#!/usr/bin/env bash
# Plugin loading trusts only what root or the invoking user could have
# written: a module or configuration file that someone else could write or
# replace (its own mode or owner, a directory on its way, a symbolic link
# followed) is refused before anything of it runs, and relative module
# paths and plugin_path entries are the configuration file's, never the
# working directory's. The module used here (ctormark.so) has a constructor
# that creates $SANDLOCK_TEST_MARKER: "loaded" means its code ran.
. "$top_srcdir/tests/integration/common.sh"

CTOR=$top_builddir/tests/integration/.libs/ctormark.so
[ -f "$CTOR" ] || { echo "Bail out! ctormark.so not built"; exit 1; }
MARK=$TEST_TMP/marker
as=""      # a command prefix that runs sandlock as another user
cwd=$TEST_TMP

# attempt [VAR=VALUE...] -- ARGS... : sandlock ARGS (as $as, in $cwd) with a
# fresh marker; sets $rc, $out, $err and $loaded (yes when the module's
# constructor ran).
attempt() {
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    rm -f "$MARK"
    out=$(cd "$cwd" && timeout --foreground -s KILL 60 env "${envs[@]}" SANDLOCK_TEST_MARKER="$MARK" \
        $as "$SANDLOCK" "$@" 2>"$TEST_TMP/stderr" </dev/null)
    rc=$?
    err=$(cat "$TEST_TMP/stderr")
    if [ -e "$MARK" ]; then loaded=yes; else loaded=no; fi
}

# refused DESCRIPTION PATTERN : exit 125, the module never ran, and the
# message matches PATTERN.
refused() {
    if [ "$rc" = 125 ] && [ "$loaded" = no ] && printf '%s' "$err" | grep -Eq -- "$2"; then
        pass "$1"
    else
        fail "$1" "exit $rc, module loaded: $loaded" "stderr: $err" "want: exit 125, not loaded, message matching '$2'"
    fi
}

# accepted DESCRIPTION : the module was loaded (its constructor ran).
accepted() {
    if [ "$loaded" = yes ]; then pass "$1"; else fail "$1" "exit $rc, module not loaded" "stderr: $err"; fi
}

# module_ini NAME MODULE [FIRST-LINES] : a configuration loading MODULE.
module_ini() {
    printf '%s[plugin m]\nmodule = %s\n' "${3:-}" "$2" > "$TEST_TMP/$1.ini"
    echo "$TEST_TMP/$1.ini"
}

# A trusted place: root's (or the invoking user's) directory, mode 755.
good=$TEST_TMP/good
mkdir -m 755 "$good"
install -m 644 "$CTOR" "$good/mod.so"
attempt -- check -c "$(module_ini good "$good/mod.so")"
accepted "a module in a directory only its owner may write is loaded"
like "... and fails only because it is not a plugin" "$err" "is not a sandlock plugin"

# ---- a world-writable plugin directory (no sticky bit) ----
ww=$TEST_TMP/ww
mkdir "$ww" && chmod 0777 "$ww"
install -m 644 "$CTOR" "$ww/mod.so"
attempt -- check -c "$(module_ini ww "$ww/mod.so")"
refused "module in a world-writable directory: refused" \
    "\\[plugin m\\]: module $ww/mod\\.so is not trusted: directory $ww is writable by group or others \\(mode 0777\\)"
attempt -- check -c "$(module_ini wwpath mod "[sandlock]
plugin_path = $ww
")"
refused "plugin_path naming a world-writable directory: refused" "directory $ww is writable by group or others"
# The directory above a good one is world-writable: every ancestor counts.
mkdir -m 755 "$ww/sub"
install -m 644 "$CTOR" "$ww/sub/mod.so"
attempt -- check -c "$(module_ini wwup "$ww/sub/mod.so")"
refused "module below a world-writable directory: refused" "directory $ww is writable by group or others"
# Reached through a symbolic link: the directory the link leads to counts.
ln -s "$ww" "$good/link-to-ww"
attempt -- check -c "$(module_ini wwlink "$good/link-to-ww/mod.so")"
refused "module reached through a link into a world-writable directory: refused" \
    "directory $ww is writable by group or others"
# A group-writable directory is refused the same way.
gw=$TEST_TMP/gw
mkdir "$gw" && chmod 0775 "$gw"
install -m 644 "$CTOR" "$gw/mod.so"
attempt -- check -c "$(module_ini gwdir "$gw/mod.so")"
refused "module in a group-writable directory: refused" "directory $gw is writable by group or others \\(mode 0775\\)"

# ---- a group- or world-writable module ----
install -m 664 "$CTOR" "$good/gw.so"
attempt -- check -c "$(module_ini gwso "$good/gw.so")"
refused "group-writable module: refused" "module $good/gw\\.so is not trusted: $good/gw\\.so is writable by group or others \\(mode 0664\\)"
install -m 646 "$CTOR" "$good/ow.so"
attempt -- check -c "$(module_ini owso "$good/ow.so")"
refused "world-writable module: refused" "$good/ow\\.so is writable by group or others \\(mode 0646\\)"

# ---- a run that is refused starts nothing ----
attempt -- run -c "$(module_ini runww "$ww/mod.so")" -- "$PROBE" getppid
refused "sandlock run with an untrusted module: exit 125 before loading" "is not trusted"
is "... and the command never ran" "$out" ""

# ---- relative paths are the configuration file's ----
# plugin_path = . : the configuration's directory, not the working directory.
mkdir -m 755 "$TEST_TMP/pconf" "$TEST_TMP/pcwd"
install -m 644 "$CTOR" "$TEST_TMP/pcwd/evil.so"
printf '[sandlock]\nplugin_path = .\n[plugin m]\nmodule = evil\n' > "$TEST_TMP/pconf/p.ini"
cwd=$TEST_TMP/pcwd attempt -- check -c "$TEST_TMP/pconf/p.ini"
refused "plugin_path = . does not search the working directory" \
    "module 'evil' not found \\(looked for evil\\.so in: $TEST_TMP/pconf/\\.[,)]"
install -m 644 "$CTOR" "$TEST_TMP/pconf/evil.so"
cwd=$TEST_TMP/pcwd attempt -- check -c "$TEST_TMP/pconf/p.ini"
accepted "plugin_path = . searches the configuration file's directory"
# module = ../x.so : also the configuration's directory.
mkdir -p -m 755 "$TEST_TMP/mconf/sub" "$TEST_TMP/mcwd/sub"
install -m 644 "$CTOR" "$TEST_TMP/mcwd/x.so"
printf '[plugin m]\nmodule = ../x.so\n' > "$TEST_TMP/mconf/sub/m.ini"
cwd=$TEST_TMP/mcwd/sub attempt -- check -c "$TEST_TMP/mconf/sub/m.ini"
refused "module = ../x.so is not taken from the working directory" \
    "module file $TEST_TMP/mconf/sub/\\.\\./x\\.so: No such file or directory"
install -m 644 "$CTOR" "$TEST_TMP/mconf/x.so"
cwd=$TEST_TMP/mcwd/sub attempt -- check -c "$TEST_TMP/mconf/sub/m.ini"
accepted "module = ../x.so is relative to the configuration file's directory"
# A relative -c FILE is the working directory's; what it names is relative
# to that file's directory.
cwd=$TEST_TMP/mconf attempt -- check -c sub/m.ini
accepted "-c with a relative path: module = ../x.so still relative to the file"

# ---- the configuration file itself ----
mkdir -m 0777 "$TEST_TMP/wwconf"
module_ini wwc "$good/mod.so" >/dev/null
cp "$TEST_TMP/wwc.ini" "$TEST_TMP/wwconf/c.ini"
attempt -- check -c "$TEST_TMP/wwconf/c.ini"
refused "configuration in a world-writable directory: refused" \
    "^sandlock: $TEST_TMP/wwconf/c\\.ini: configuration is not trusted: directory $TEST_TMP/wwconf is writable by group or others"
chmod 666 "$TEST_TMP/wwc.ini"
attempt SANDLOCK_CONFIG="$TEST_TMP/wwc.ini" -- check
refused "world-writable configuration via SANDLOCK_CONFIG: refused" \
    "$TEST_TMP/wwc\\.ini: configuration is not trusted: $TEST_TMP/wwc\\.ini is writable by group or others \\(mode 0666\\)"
attempt -- run -c "$TEST_TMP/wwc.ini" -- "$PROBE" getppid
refused "sandlock run with a world-writable configuration: exit 125" "configuration is not trusted"
is "... and the command never ran" "$out" ""
mkfifo "$TEST_TMP/fifo.ini"
attempt -- check -c "$TEST_TMP/fifo.ini"
refused "a configuration that is not a regular file (a FIFO): refused without blocking" \
    "$TEST_TMP/fifo\\.ini is not a regular file"

# ---- other users' files (needs root to give files away) ----
if [ "$(id -u)" -ne 0 ]; then
    echo "# SKIP files owned by other users: needs root to chown"
else
    install -m 644 "$CTOR" "$good/nobody.so"
    chown nobody "$good/nobody.so"
    attempt -- check -c "$(module_ini nobodyso "$good/nobody.so")"
    refused "as root: a module owned by nobody is refused" \
        "$good/nobody\\.so is owned by uid [0-9]+, not by root or the invoking user \\(uid 0\\)"
    module_ini nobodycfg "$good/mod.so" >/dev/null
    chmod 666 "$TEST_TMP/nobodycfg.ini"
    chown nobody "$TEST_TMP/nobodycfg.ini"
    attempt SANDLOCK_CONFIG="$TEST_TMP/nobodycfg.ini" -- check
    refused "as root: a world-writable configuration owned by nobody (SANDLOCK_CONFIG) is refused" \
        "configuration is not trusted: .*nobodycfg\\.ini is"
    chmod 644 "$TEST_TMP/nobodycfg.ini"
    attempt SANDLOCK_CONFIG="$TEST_TMP/nobodycfg.ini" -- check
    refused "as root: a configuration owned by nobody (mode 644) is refused" \
        "nobodycfg\\.ini is owned by uid [0-9]+, not by root or the invoking user"
    mkdir -m 755 "$TEST_TMP/nobodydir"
    install -m 644 "$CTOR" "$TEST_TMP/nobodydir/mod.so"
    chown nobody "$TEST_TMP/nobodydir"
    attempt -- check -c "$(module_ini nobodydir "$TEST_TMP/nobodydir/mod.so")"
    refused "as root: a root-owned module in a directory owned by nobody is refused" \
        "directory $TEST_TMP/nobodydir is owned by uid [0-9]+, not by root or the invoking user"
    # In a sticky shared directory (TEST_TMP is 1777) anyone may plant a
    # symbolic link or a hard link to a trusted file under the name we use.
    ln -s "$good/mod.so" "$TEST_TMP/link.so"
    chown -h nobody "$TEST_TMP/link.so"
    attempt -- check -c "$(module_ini nobodylink "$TEST_TMP/link.so")"
    refused "as root: a symbolic link owned by nobody (in a sticky directory) is not followed" \
        "symbolic link $TEST_TMP/link\\.so is owned by uid [0-9]+, not by root or the invoking user"
    chown -h root "$TEST_TMP/link.so"
    attempt -- check -c "$(module_ini rootlink "$TEST_TMP/link.so")"
    accepted "as root: root's own symbolic link to a trusted module is followed"
    ln "$good/mod.so" "$TEST_TMP/hard.so"
    attempt -- check -c "$(module_ini hard "$TEST_TMP/hard.so")"
    refused "as root: a hard-linked module in a sticky shared directory is refused" \
        "$TEST_TMP/hard\\.so has 2 links and is in the shared directory $TEST_TMP"
fi

# ---- as nobody: root's files are trusted, another user's are not ----
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "# SKIP as nobody: needs root and setpriv"
elif ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$CTOR"; then
    echo "# SKIP as nobody: the build tree is not readable by nobody"
else
    as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    attempt -- check -c "$TEST_TMP/good.ini"
    accepted "as nobody: a module and configuration owned by root are loaded"
    install -m 644 "$CTOR" "$good/daemon.so"
    chown daemon "$good/daemon.so"
    attempt -- check -c "$(module_ini daemonso "$good/daemon.so")"
    refused "as nobody: a module owned by another user (daemon) is refused" \
        "$good/daemon\\.so is owned by uid [0-9]+, not by root or the invoking user \\(uid [0-9]+\\)"
    chown nobody "$good/daemon.so"
    attempt -- check -c "$TEST_TMP/daemonso.ini"
    accepted "as nobody: a module nobody owns is loaded"
    $as sh -c "printf '[plugin m]\\nmodule = $good/mod.so\\n' > '$TEST_TMP/mine.ini'"
    attempt SANDLOCK_CONFIG="$TEST_TMP/mine.ini" -- check
    accepted "as nobody: a configuration nobody wrote in a sticky shared directory is read"
    chown daemon "$TEST_TMP/mine.ini"
    attempt SANDLOCK_CONFIG="$TEST_TMP/mine.ini" -- check
    refused "as nobody: a configuration owned by another user (daemon) is refused" \
        "mine\\.ini is owned by uid [0-9]+, not by root or the invoking user"
fi

done_testing
