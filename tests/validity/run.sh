#!/bin/sh
# make validity: every tests/validity/*/run.sh part (real-data harnesses),
# each printing "NAME: N passed, N failed" or "NAME: SKIPPED (why)";
# tests/summary.sh sums them.  VALIDITY_SAMPLE=1 (make validity) also prints
# the samples of findings for reading; make test runs the parts without.
dir=$(dirname "$0")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for part in "$dir"/*/run.sh; do
    [ -f "$part" ] || continue
    sh "$part" >>"$log" 2>&1 || status=1
done
if [ "${VALIDITY_SAMPLE:-0}" = 1 ]; then
    grep -v -E ': [0-9]+ passed, [0-9]+ failed$' "$log"
fi
sh "$dir/../summary.sh" <"$log" || status=1
exit $status
