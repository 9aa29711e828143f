#!/usr/bin/env bash
# Child memory services, as a sandboxed child sees them: the svc plugin
# reads strings and buffers out of the probe and writes into it.
. "$top_srcdir/tests/services/common.sh"

ini=$(svc_ini mem "bufsize = 16")
run_sandlock run -c "$ini" -- "$PROBE" strlen "fifteen chars.." strlen "sixteen chars..." \
    strlen "" strlen-null strlen-edge
is "mem_read_string: lengths, truncation, faults" "$out" "strlen: ret=15
strlen: errno=ENAMETOOLONG
strlen: ret=0
strlen-null: errno=EFAULT
strlen-edge: ret=4
strlen-edge-unterminated: errno=EFAULT"
is "sandlock exits with the probe's status" "$rc" 0

ini=$(svc_ini bigbuf "bufsize = 64K")
run_sandlock run -c "$ini" -- "$PROBE" strlen-edge strlen "a short one"
is "a string ending at the end of a mapping reads with a 64K buffer" "$out" "strlen-edge: ret=4
strlen-edge-unterminated: errno=EFAULT
strlen: ret=11"

dots() { printf '%*s' "$1" '' | tr ' ' .; }
ini=$(svc_ini rw)
run_sandlock run -c "$ini" -- "$PROBE" reverse "abcdef" reverse-bad write 7 write 21 write-bad
is "mem_read and mem_write: the child sees the plugin's writes" "$out" "reverse: ret=6 out=fedcba
reverse-bad: errno=EFAULT
reverse-across: errno=EFAULT
write: ret=7 buf=written$(dots 56)
write: ret=21 buf=written by the plugin$(dots 42)
write-null: errno=EFAULT
write-readonly: errno=EFAULT"
is "no plugin failure was logged" "$err" ""

# Read once per notification (ABI 1.8): a thread of the child flips the
# old path of a rename while the plugin reads both paths, six other strings
# of the child, and both paths again; every read of a path within one
# notification must give the bytes of the first, until both names were
# seen many times (the race ran both ways).
ini=$(svc_ini flip)
run_sandlock run -c "$ini" -- "$PROBE" flip-rename
is "a flipping path reads the same within a notification, after other strings too" "$out" \
    "flip-rename: differ=0 both=1"

done_testing
