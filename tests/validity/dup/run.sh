#!/bin/sh
# Duplicate findings on real data (issue 12), each reading beside a
# baseline measured in the same run: the same search with plain unweighted
# Jaccard (duplicates.weighting "none").  Skipped when ../shared is absent.
#  - SBIR Phase II 2006-18: every group of awards with an identical
#    (non-placeholder) abstract joined in one group; no pair of placeholder
#    texts; a sample of flagged pairs printed with both texts for reading;
#  - NSFC (titles only): the same-title groups of same_title_groups.csv
#    joined; a sample printed;
#  - Phase I -> Phase II: 50 title-only "Phase I" proposals made from SBIR
#    awards (the award's firm, a year earlier, its title only) screened
#    with --top 5: their follow-on found and classed a continuation.
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
VERNIER=${VERNIER:-./vernier}
sbir="$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv"
nsfc="$SHARED/data/cn-nsfc-mgmt-2017/natural-2017-09-26.csv"
if [ ! -f "$sbir" ] || [ ! -f "$nsfc" ]; then
    echo "validity/dup: SKIPPED ($SHARED/data absent)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rules=tests/cli/score-export/rules.json
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
d["duplicates"] = {"jaccard": 0.5, "containment": 0.7, "shingle_cjk": 3, "shingle_latin": 2,
                   "num_perm": 128, "stop_phrases": ["研究", "基于", "关键技术", "research on"]}
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
d["duplicates"]["weighting"] = "none"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)' "$rules" "$tmp/idf.json" "$tmp/none.json"
for set in sbir nsfc; do
    f=$sbir
    [ $set = nsfc ] && f=$nsfc
    "$VERNIER" --db "$tmp/$set.db" --quiet import --skip-bad --rejects "$tmp/$set.rej" "$f" >/dev/null 2>&1
    "$VERNIER" --db "$tmp/$set.db" --quiet score --rules "$tmp/none.json" >/dev/null
    "$VERNIER" --db "$tmp/$set.db" --quiet score --rules "$tmp/idf.json" >/dev/null
done
"$PYTHON" tests/validity/dup/phase.py make "$sbir" "$tmp/phase1.csv" "$tmp/phase1.truth"
for w in none idf; do
    "$VERNIER" --db "$tmp/sbir.db" screen "$tmp/phase1.csv" --top 5 --json --rules "$tmp/$w.json" \
        >"$tmp/screen-$w.jsonl" 2>/dev/null
done
"$PYTHON" tests/validity/dup/check.py "$tmp" "$sbir" "$SHARED/data/cn-nsfc-mgmt-2017/same_title_groups.csv"
