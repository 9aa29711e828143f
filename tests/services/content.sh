#!/usr/bin/env bash
# Content descriptors handed to the child with the FD verdict.
. "$top_srcdir/tests/services/common.sh"

ini=$(svc_ini content)
run_sandlock run -c "$ini" -- "$PROBE" open "#c:hello content" open "#w:scratch" open "#n:inherited" \
    open "#c:"
is "the child reads the content; sealed, writable and cloexec as asked" "$out" "#c:hello content: data=hello content cloexec=1 write=EPERM
#w:scratch: data=scratch cloexec=1 write=ok
#n:inherited: data=inherited cloexec=0 write=EPERM
#c:: data= cloexec=1 write=EPERM"
is "sandlock exits with the probe's status" "$rc" 0

big=$(head -c 3000 /dev/zero | tr '\0' 'x')
run_sandlock run -c "$ini" -- "$PROBE" open "#c:$big"
is "a 3000-byte content is read back whole from offset 0" "$out" "#c:$big: data=$big cloexec=1 write=EPERM"

done_testing
