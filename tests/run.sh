#!/bin/sh
# Runs every test of `make test` and ends with one line "N passed, N failed".
# Each part prints lines "NAME: N passed, N failed"; this script sums them.
# Environment: BUILD (object folder), VERNIER (the binary), PYTHON, SHARED.
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
export BUILD SHARED VERNIER PYTHON
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >>"$log" 2>&1 || status=1
done
for s in tests/*/run.sh; do
    [ -f "$s" ] || continue
    sh "$s" >>"$log" 2>&1 || status=1
done
grep -v ': [0-9]* passed, [0-9]* failed$' "$log" | grep -E 'FAIL|error|ERROR' | head -100
grep ': [0-9]* passed, [0-9]* failed$' "$log"
awk '/: [0-9]+ passed, [0-9]+ failed$/ { p += $(NF-3); f += $(NF-1) }
     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$log" || status=1
exit $status
