#!/bin/sh
# random plugin: getrandom(2) inside the sandbox is served from a stream
# fixed by the seed.
. "$top_srcdir/tests/lib.sh"
probe="$top_builddir/plugins/random/random-probe"

seeded() {
    write_ini "seed$1" <<INI
[sandlock]
workers = ${2:-1}
[plugin dice]
module = random
seed = $1
INI
}

# Configuration errors name the key.
ini=$(write_ini noseed <<'INI'
[plugin dice]
module = random
INI
)
run_sandlock check -c "$ini"
is "no seed: refused" "$rc" 125
like "no seed: message names seed and the section's line" "$err" "noseed.ini:1: \\[plugin dice\\]: missing required key 'seed'"
for bad in -1 abc 12x 0x 18446744073709551616 1.5; do
    ini=$(write_ini badseed <<INI
[plugin dice]
module = random
seed = $bad
INI
)
    run_sandlock check -c "$ini"
    like "seed '$bad' refused, key named" "$rc $err" "^125 .*seed: expected a number.*'$bad'"
done
ini=$(write_ini unknown <<'INI'
[plugin dice]
module = random
seed = 1
source = urandom
INI
)
run_sandlock check -c "$ini"
like "unknown key refused" "$rc $err" "^125 .*unknown key 'source'"
run_sandlock check -c "$(seeded 18446744073709551615)"
is "largest seed accepted" "$rc" 0

# The stream is splitmix64: seed 0 starts with the published reference
# outputs, little-endian.
run_sandlock run -c "$(seeded 0)" -- "$probe" words 3
is "seed 0: splitmix64 reference words" "$out" "afcd1d7b39a820e2
f465b9a16a9e786e
4f450980185dc406"

# Same seed, same bytes; another seed, other bytes.
run_sandlock run -c "$(seeded 42)" -- "$probe" words 4
first=$out
is "four words of stream" "$(printf '%s\n' "$first" | grep -cE '^[0-9a-f]{16}$')" 4
run_sandlock run -c "$(seeded 42)" -- "$probe" words 4
is "same seed: same bytes" "$out" "$first"
run_sandlock run -c "$(seeded 0x2a)" -- "$probe" words 4
is "hex seed 0x2a is seed 42" "$out" "$first"
run_sandlock run -c "$(seeded 43)" -- "$probe" words 4
if [ -n "$out" ] && [ "$out" != "$first" ]; then pass "other seed: other bytes"; else fail "other seed: other bytes" "$out"; fi

# Counts are respected: each call writes exactly its count, and calls
# continue the stream where the previous one stopped.
whole=$(printf '%s' "$first" | tr -d '\n')
run_sandlock run -c "$(seeded 42)" -- "$probe" split 5 0 11 16
expect="rc=5 canary=ok $(printf '%s' "$whole" | cut -c1-10)
rc=0 canary=ok 
rc=11 canary=ok $(printf '%s' "$whole" | cut -c11-32)
rc=16 canary=ok $(printf '%s' "$whole" | cut -c33-64)"
is "split calls: exact counts, one continuous stream" "$out" "$expect"

# Flags as the kernel accepts them.
run_sandlock run -c "$(seeded 1)" -- "$probe" flags 1
is "GRND_NONBLOCK accepted" "$out" "rc=16 errno=0"
run_sandlock run -c "$(seeded 1)" -- "$probe" flags 2
is "GRND_RANDOM accepted" "$out" "rc=16 errno=0"
run_sandlock run -c "$(seeded 1)" -- "$probe" flags 6
is "GRND_RANDOM|GRND_INSECURE: EINVAL" "$out" "rc=-1 errno=EINVAL"
run_sandlock run -c "$(seeded 1)" -- "$probe" flags 8
is "unknown flag: EINVAL" "$out" "rc=-1 errno=EINVAL"

# Bad buffers like the kernel: EFAULT, or the bytes that fit.
run_sandlock run -c "$(seeded 1)" -- "$probe" bad 0
is "NULL buffer: EFAULT" "$out" "rc=-1 errno=EFAULT"
run_sandlock run -c "$(seeded 1)" -- "$probe" edge
is "buffer ending at an unmapped page: short count" "$out" "rc=100 errno=0"

# Concurrent calls (8 threads) through 4 host workers get disjoint parts of the stream.
run_sandlock run -c "$(seeded 7)" -- "$probe" words 5000
printf '%s\n' "$out" > "$TEST_TMP/stream"
run_sandlock run -c "$(seeded 7 4)" -- "$probe" threads 8 500
printf '%s\n' "$out" > "$TEST_TMP/threads"
is "threads: 4000 results" "$(grep -c . "$TEST_TMP/threads")" 4000
is "threads: no result seen twice" "$(sort "$TEST_TMP/threads" | uniq -d | wc -l)" 0
is "threads: every result is from the stream" \
    "$(sort "$TEST_TMP/threads" | comm -23 - "$(sort "$TEST_TMP/stream" > "$TEST_TMP/s"; echo "$TEST_TMP/s")" | wc -l)" 0

# A real program: Python's os.urandom is reproducible too.
if command -v python3 >/dev/null; then
    py='import os; print(os.urandom(16).hex())'
    run_sandlock run -c "$(seeded 5)" -- python3 -c "$py"
    a=$out
    run_sandlock run -c "$(seeded 5)" -- python3 -c "$py"
    like "python3 os.urandom: 16 bytes" "$a" '^[0-9a-f]{32}$'
    is "python3 os.urandom: same seed, same bytes" "$out" "$a"
else
    pass "# SKIP python3 not installed"
    pass "# SKIP python3 not installed"
fi
done_testing
