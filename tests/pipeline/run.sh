#!/bin/sh
# End to end on real data (skipped when ../shared/data is absent): the SBIR
# awards imported with no --map, scored, and every group of awards with an
# identical abstract found among the run's duplicate pairs.
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
VERNIER=${VERNIER:-./vernier}
csv="$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv"
if [ ! -f "$csv" ]; then
    echo "pipeline: SKIPPED ($csv not found)"
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
# Issue 5's quality bar through the product path (import, score, stored
# pairs): corpora from gen_corpus.py, 20,000 records, 10% edits, English and
# Chinese; recall of the planted pairs >= 0.99 and precision 1.0 by
# eval_pairs.py, with the default rule set's duplicate settings.
tools="$SHARED/tools"
if [ -f "$tools/gen_corpus.py" ]; then
    for lang in en zh; do
        "$PYTHON" "$tools/gen_corpus.py" --n 20000 --dup-frac 0.02 --edit-rate 0.10 --lang "$lang" \
            --no-jaccard --out "$tmp/c-$lang" >/dev/null 2>&1
        "$VERNIER" --db "$tmp/q-$lang.db" --quiet import "$tmp/c-$lang.csv" || bad "import $lang corpus"
        "$VERNIER" --db "$tmp/q-$lang.db" --quiet score --rules tests/pipeline/dup-rules.json >/dev/null ||
            bad "score $lang corpus"
        "$PYTHON" -c 'import sqlite3, sys, csv
w = csv.writer(sys.stdout)
w.writerow(["id_a", "id_b"])
for a, b in sqlite3.connect(sys.argv[1]).execute("select a, b from pairs"):
    w.writerow([a, b])' "$tmp/q-$lang.db" >"$tmp/pred-$lang.csv"
        res=$("$PYTHON" "$tools/eval_pairs.py" --truth "$tmp/c-$lang.pairs.csv" --pred "$tmp/pred-$lang.csv")
        echo "pipeline: $lang 20,000 records, 10% edits: $res"
        echo "$res" | "$PYTHON" -c 'import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["recall"] >= 0.99 and r["precision_vs_planted"] == 1.0 else 1)' && ok ||
            bad "$lang corpus: recall < 0.99 or precision < 1.0"
    done
else
    echo "pipeline: $tools/gen_corpus.py not found: duplicate quality skipped"
fi
echo "pipeline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
