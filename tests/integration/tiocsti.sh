#!/bin/bash
# ioctl(TIOCSTI) -- typing into the caller's terminal -- is on the built-in
# deny list: in the filter, or answered by the supervisor when a plugin
# intercepts ioctl. On /dev/null the kernel would say ENOTTY.
. "$top_srcdir/tests/integration/common.sh"

empty=$(write_ini empty <<'EOF2'
[sandlock]
EOF2
)
run_sandlock run -c "$empty" -- "$PROBE" tiocsti tiocsti:high
is "default deny: TIOCSTI is refused, even with high bits set; other ioctls run" "$out" "tiocsti=-1 errno=EPERM
tcgets=-1 errno=ENOTTY
tiocsti=-1 errno=EPERM
tcgets=-1 errno=ENOTTY"

intercept=$(write_ini intercept <<'EOF2'
[plugin see-ioctl]
module = verdict
syscalls = ioctl
action = continue
EOF2
)
run_sandlock run --stats -c "$intercept" -- "$PROBE" tiocsti tiocsti:high
is "ioctl intercepted by a Continue plugin: TIOCSTI still refused" "$out" "tiocsti=-1 errno=EPERM
tcgets=-1 errno=ENOTTY
tiocsti=-1 errno=EPERM
tcgets=-1 errno=ENOTTY"
like "ioctl intercepted: the plugin saw the other ioctls" "$err" "see-ioctl +[1-9][0-9]* "

nodeny=$(write_ini nodeny <<'EOF2'
[sandlock]
default_deny = no
EOF2
)
run_sandlock run -c "$nodeny" -- "$PROBE" tiocsti
is "default_deny = no: TIOCSTI reaches the kernel" "$out" "tiocsti=-1 errno=ENOTTY
tcgets=-1 errno=ENOTTY"
done_testing
