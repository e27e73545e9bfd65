#!/bin/sh
# End to end on real data (skipped when ../shared/data is absent): the SBIR
# awards imported with no --map, scored, and every group of awards with an
# identical abstract found among the run's duplicate pairs.
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
VERNIER=${VERNIER:-./vernier}
csv="$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv"
if [ ! -f "$csv" ]; then
    echo "pipeline: SBIR data not found under $SHARED/data: skipped"
    echo "pipeline: 0 passed, 0 failed"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL pipeline: $*"; }
# A small rule set keeps the rule stage short: this test is about import and duplicates.
if "$VERNIER" --db "$tmp/s.db" --quiet import "$csv"; then ok; else bad "import of the SBIR file"; fi
n=$("$VERNIER" --db "$tmp/s.db" stats --json | "$PYTHON" -c 'import json,sys; print(sum(r["count"] for r in json.load(sys.stdin)["records"]))')
[ "$n" = 20166 ] && ok || bad "expected 20166 records, got $n"
if "$VERNIER" --db "$tmp/s.db" --quiet score --rules tests/cli/score-export/rules.json >/dev/null; then ok; else bad "score"; fi
out=$("$PYTHON" tests/pipeline/sbir_groups.py "$tmp/s.db" "$csv")
echo "$out" | head -3
echo "$out" | grep -q 'not fully connected: 0$' && ok || bad "identical-abstract groups missed"
echo "pipeline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
