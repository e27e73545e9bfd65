#!/bin/sh
# Runs every test of `make test` and ends with one line "N passed, N failed".
# Each part prints lines "NAME: N passed, N failed", or "NAME: SKIPPED (why)"
# when it cannot run here; tests/summary.sh sums and lists them.
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
sh tests/summary.sh <"$log" || status=1
exit $status
