#!/bin/sh
# uname plugin: uname(2) inside the sandbox reports the configured fields
# and the host's real values for the others.
. "$top_srcdir/tests/lib.sh"
probe="$top_builddir/plugins/uname/uname-probe"

# Configuration errors name the key.
ini=$(write_ini unknown <<'INI'
[plugin id]
module = uname
hostname = x
INI
)
run_sandlock check -c "$ini"
is "unknown key refused" "$rc" 125
like "unknown key named" "$err" "unknown key 'hostname'"

long65=$(printf '%065d' 0)
long64=$(printf '%064d' 0)
ini=$(write_ini toolong <<INI
[plugin id]
module = uname
release = $long65
INI
)
run_sandlock check -c "$ini"
is "65-byte value refused" "$rc" 125
like "too long value names the key" "$err" "release: value is 65 bytes long"

# Overridden fields and real ones, seen by a real child.
real=$("$probe")
ini=$(write_ini ok <<INI
[plugin id]
module = uname
nodename = sandbox-host
release = 1.2.3-fake
domainname = example.test
machine = $long64
INI
)
run_sandlock run -c "$ini" -- "$probe"
is "probe exit status" "$rc" 0
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }
is "nodename overridden" "$(field "$out" nodename)" sandbox-host
is "release overridden" "$(field "$out" release)" 1.2.3-fake
is "domainname overridden" "$(field "$out" domainname)" example.test
is "64-byte machine arrives whole" "$(field "$out" machine)" "$long64"
is "sysname is the real one" "$(field "$out" sysname)" "$(field "$real" sysname)"
is "version is the real one" "$(field "$out" version)" "$(field "$real" version)"

# The coreutils program sees the same.
run_sandlock run -c "$ini" -- uname -n -r
is "uname -n -r" "$out" "sandbox-host 1.2.3-fake"

# glibc's gethostname() is built on uname(2): hostname(1) sees it too.
if command -v hostname >/dev/null; then
    run_sandlock run -c "$ini" -- hostname
    is "hostname(1) sees the nodename" "$out" "sandbox-host"
else
    pass "# SKIP hostname not installed"
fi

# Empty value: an empty field.
ini=$(write_ini empty <<'INI'
[plugin id]
module = uname
nodename =
INI
)
run_sandlock run -c "$ini" -- "$probe"
is "empty nodename" "$(printf '%s\n' "$out" | grep '^nodename=')" "nodename="

# Bad buffers fail like the kernel's uname(2).
run_sandlock run -c "$ini" -- "$probe" bad 0
is "NULL buffer gets EFAULT" "$out" "rc=-1 errno=EFAULT"
run_sandlock run -c "$ini" -- "$probe" bad 1000
is "unmapped buffer gets EFAULT" "$out" "rc=-1 errno=EFAULT"
run_sandlock run -c "$ini" -- "$probe" edge
is "buffer running into an unmapped page gets EFAULT" "$out" "rc=-1 errno=EFAULT"
done_testing
