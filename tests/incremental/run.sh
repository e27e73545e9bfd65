#!/bin/sh
# tests/incremental/run.sh: the next year is cheap, and changes nothing.
# A store scored once, then given more records and scored again (reusing
# the unchanged records' rule results and shingle sets), must hold exactly
# the run a store given every record at once makes from scratch: the same
# scores, hits, indicator verdicts, registry checks and duplicate pairs, row
# for row.  Checked on the committed examples (with the demo registries, so
# registry checks are reused too) and on real SBIR awards split in two
# (../shared, read at run time; that part is SKIPPED when it is absent).
# Also: what was reused is recorded and listed by `vernier runs`; a changed
# record, a changed rule set and a new registry version are evaluated again.
# Prints "incremental: N passed, N failed".
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-python3}
if [ ! -x "$VERNIER" ] || ! command -v sqlite3 >/dev/null || ! command -v "$PYTHON" >/dev/null; then
    echo "incremental: SKIPPED (\$VERNIER, sqlite3 or $PYTHON absent)"
    exit 0
fi
VERNIER_RULES=${VERNIER_RULES:-$(pwd)/rules/default}
export VERNIER_RULES
VERNIER_NOW=2026-01-01T00:00:00Z
export VERNIER_NOW
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL incremental $1: got '$2', want '$3'"
    fi
}
v() { "$VERNIER" --quiet "$@"; }

# The latest run of a store, every row that a reader sees (the run's own id
# and where its rule results came from left out).
dump() {
    sqlite3 "$1" "
SELECT 'score', project_id, content_hash, trl_claimed, trl_evidenced, trl_confidence,
  traceability, novelty, overall, flags, duplicate_of, rule_errors, trl_planned,
  trl_planned_confidence, trl_stated, trl_stated_confidence, novelty_points
  FROM scores WHERE run_id = (SELECT max(id) FROM runs) ORDER BY project_id;
SELECT 'hit', seq, project_id, rule_id, dimension, field, indicator, offset, len, match, context,
  points, level, severity, message, error
  FROM hits WHERE run_id = (SELECT max(id) FROM runs) ORDER BY seq;
SELECT 'verdict', project_id, idx, name, target, achieved, unit, verdict, points, reasons
  FROM verdicts WHERE run_id = (SELECT max(id) FROM runs) ORDER BY project_id, idx;
SELECT 'check', seq, project_id, indicator, ref_kind, claim, verdict, registry_id, registry,
  entry_code, entry, evidence, points
  FROM reg_checks WHERE run_id = (SELECT max(id) FROM runs) ORDER BY seq;
SELECT 'pair', a, b, kind, method, jaccard, containment, contained, passage_a, passage_b,
  signals, grp, ordered, seq FROM pairs WHERE run_id = (SELECT max(id) FROM runs) ORDER BY a, b;
SELECT 'run', nprojects, npairs, nhits FROM runs WHERE id = (SELECT max(id) FROM runs);"
}
reused() { # DB: the latest run's reused rule results and shingle sets
    sqlite3 "$1" "SELECT json_extract(reuse, '\$.rules.reused') || ' ' ||
      json_extract(reuse, '\$.duplicates.signatures_reused') FROM runs ORDER BY id DESC LIMIT 1"
}
registries() {
    for k in labs:lab cmc:cmc standards:standard; do
        v --db "$1" registry import "examples/registries/${k%%:*}.csv" --kind "${k#*:}" >/dev/null
    done
    v --db "$1" registry import examples/registries/crm.json --kind crm >/dev/null
}

# ---- the examples: 56 projects, then 4 claims more --------------------------------
registries "$tmp/full.db"
v --db "$tmp/full.db" import examples/projects.jsonl examples/claims.jsonl >/dev/null
v --db "$tmp/full.db" score >/dev/null
registries "$tmp/next.db"
v --db "$tmp/next.db" import examples/projects.jsonl >/dev/null
v --db "$tmp/next.db" score >/dev/null
check "first run reuses nothing" "$(reused "$tmp/next.db")" "0 0"
v --db "$tmp/next.db" import examples/claims.jsonl >/dev/null
v --db "$tmp/next.db" score >/dev/null
check "second run reuses the 54 projects (2 prior-art are not scored)" "$(reused "$tmp/next.db")" "54 56"
check "second run searches the new records' pairs only" "$(sqlite3 "$tmp/next.db" "SELECT
  json_extract(reuse, '\$.duplicates.incremental') || ' ' ||
  json_extract(reuse, '\$.duplicates.searched') FROM runs WHERE id = 2")" "1 4"
dump "$tmp/full.db" >"$tmp/full.txt"
dump "$tmp/next.db" >"$tmp/next.txt"
check "examples: rows of the run" "$(wc -l <"$tmp/next.txt" | tr -d ' ')" \
    "$(wc -l <"$tmp/full.txt" | tr -d ' ')"
if cmp -s "$tmp/full.txt" "$tmp/next.txt"; then
    check "examples: the next run equals a run from scratch" same same
else
    check "examples: the next run equals a run from scratch" \
        "$(diff "$tmp/full.txt" "$tmp/next.txt" | head -4)" same
fi
check "checks are reused" "$(sqlite3 "$tmp/next.db" "SELECT count(*) > 0 FROM reg_checks
    WHERE run_id = 2")" 1
check "scores say where they came from" "$(sqlite3 "$tmp/next.db" "SELECT count(*) FROM scores
    WHERE run_id = 2 AND reused_from = 1")" 54
check "runs lists the reuse" "$("$VERNIER" --db "$tmp/next.db" runs | grep -c 'reused: rule results of 54 records (run 1), 6 evaluated; shingle sets of 56, 4 made; pairs searched for 4 records')" 1
# nothing new: everything reused, the same run again
v --db "$tmp/next.db" score >/dev/null
check "third run reuses all" "$(reused "$tmp/next.db")" "58 60"
dump "$tmp/next.db" >"$tmp/again.txt"
check "third run equals the second" "$(cmp -s "$tmp/next.txt" "$tmp/again.txt" && echo same)" same
# a changed record is evaluated again
"$PYTHON" -c 'import json, sys
out = open(sys.argv[2], "w", encoding="utf-8")
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    r = json.loads(line)
    if i == 0:
        r["abstract"] = r.get("abstract", "") + " 经国家计量院校准，测量不确定度 0.1 mK。"
    out.write(json.dumps(r, ensure_ascii=False) + "\n")' examples/projects.jsonl "$tmp/changed.jsonl"
v --db "$tmp/next.db" import --replace "$tmp/changed.jsonl" >/dev/null 2>&1 ||
    v --db "$tmp/next.db" import "$tmp/changed.jsonl" >/dev/null 2>&1
v --db "$tmp/next.db" score >/dev/null
check "a changed record is evaluated" "$(reused "$tmp/next.db" | cut -d' ' -f1)" 57
registries "$tmp/changed.db"
v --db "$tmp/changed.db" import "$tmp/changed.jsonl" examples/claims.jsonl >/dev/null
v --db "$tmp/changed.db" score >/dev/null
check "changed: equals a run from scratch" \
    "$(dump "$tmp/next.db" | md5sum | cut -c1-32)" "$(dump "$tmp/changed.db" | md5sum | cut -c1-32)"
# another rule set reuses no rule results (its shingle sets, made alike, it does)
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["version"] = d.get("version", "") + "-other"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)' \
    rules/default/set.json "$tmp/set.json"
mkdir "$tmp/rules" && cp rules/default/*.json "$tmp/rules/" && cp "$tmp/set.json" "$tmp/rules/set.json"
v --db "$tmp/next.db" score --rules "$tmp/rules" >/dev/null
check "another rule set: rule results evaluated" "$(reused "$tmp/next.db" | cut -d' ' -f1)" 0
# a new registry version: evaluated again
sed '$d' examples/registries/labs.csv >"$tmp/labs.csv"
v --db "$tmp/next.db" registry import "$tmp/labs.csv" --kind lab --name labs >/dev/null
v --db "$tmp/next.db" score >/dev/null
check "a new registry version: evaluated" "$(reused "$tmp/next.db" | cut -d' ' -f1)" 0

# ---- real SBIR awards: 3,000, then 300 more ----------------------------------------
sbir="$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv"
if [ -f "$sbir" ]; then
    "$PYTHON" -c 'import csv, sys
csv.field_size_limit(1 << 30)
rows = csv.reader(open(sys.argv[1], newline="", encoding="utf-8", errors="replace"))
head = next(rows)
a = csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"))
b = csv.writer(open(sys.argv[3], "w", newline="", encoding="utf-8"))
a.writerow(head)
b.writerow(head)
for i, r in enumerate(rows):
    if i >= 3300:
        break
    (a if i < 3000 else b).writerow(r)' "$sbir" "$tmp/a.csv" "$tmp/b.csv"
    v --db "$tmp/sfull.db" import --skip-bad "$tmp/a.csv" "$tmp/b.csv" >/dev/null 2>&1
    v --db "$tmp/sfull.db" score >/dev/null
    v --db "$tmp/snext.db" import --skip-bad "$tmp/a.csv" >/dev/null 2>&1
    v --db "$tmp/snext.db" score >/dev/null
    v --db "$tmp/snext.db" import --skip-bad "$tmp/b.csv" >/dev/null 2>&1
    v --db "$tmp/snext.db" score >/dev/null
    got=$(reused "$tmp/snext.db")
    check "SBIR: the next run reuses the first 3,000" "${got%% *}" \
        "$(sqlite3 "$tmp/snext.db" "SELECT nprojects FROM runs WHERE id = 1")"
    check "SBIR: only the new records' pairs were searched" "$(sqlite3 "$tmp/snext.db" "SELECT
      json_extract(reuse, '\$.duplicates.incremental') || ' ' ||
      (json_extract(reuse, '\$.duplicates.searched') < 330) || ' ' ||
      (json_extract(reuse, '\$.duplicates.carried') > 0) FROM runs WHERE id = 2")" "1 1 1"
    dump "$tmp/sfull.db" >"$tmp/sfull.txt"
    dump "$tmp/snext.db" >"$tmp/snext.txt"
    check "SBIR: pairs found" "$(grep -c '^pair|' "$tmp/snext.txt" | awk '{print ($1 > 0)}')" 1
    if cmp -s "$tmp/sfull.txt" "$tmp/snext.txt"; then
        check "SBIR: the next run equals a run from scratch" same same
    else
        check "SBIR: the next run equals a run from scratch" \
            "$(diff "$tmp/sfull.txt" "$tmp/snext.txt" | head -4)" same
    fi
else
    echo "incremental: SBIR part skipped ($sbir absent)"
fi
echo "incremental: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
