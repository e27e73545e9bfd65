#!/bin/sh
# Temporary files of killed reports and exports are removed by the next one,
# safely (issue 15): only names of vernier's pattern ("OUT.tmp.XXXXXX",
# "STEM-PART.xlsx.tmp.XXXXXX") whose lock is free; a temporary file that a
# live writer holds stays.  A --split-by set appears whole or not at all.
VERNIER=${VERNIER:-./vernier}
ROOT=$(pwd)
case $VERNIER in /*) ;; *) VERNIER=$ROOT/$VERNIER ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL leftovers: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export VERNIER_RULES="$ROOT/rules/default"
"$VERNIER" -q --db t.db import "$ROOT/tests/cli/score-export/records.jsonl" "$ROOT/examples/proposals.jsonl" &&
    "$VERNIER" -q --db t.db score >/dev/null || ko "setup"
# stale files of a killed run: removed; look-alikes of other names: kept
touch r.xlsx.tmp.AbC123 r-panel.xlsx.tmp.XyZ789 out.csv.tmp.Q1w2E3 r.xlsx.tmp.notsix7 \
    other.xlsx.tmp.AbC123 rx.xlsx.tmp.AbC123
# a temporary file a live writer holds (its lock is taken): kept
flock r.xlsx.tmp.LiVe01 sleep 4 &
holder=$!
sleep 0.3
"$VERNIER" -q --db t.db report -o r.xlsx || ko "report"
"$VERNIER" -q --db t.db export --format csv -o out.csv || ko "export"
for f in r.xlsx.tmp.AbC123 r-panel.xlsx.tmp.XyZ789 out.csv.tmp.Q1w2E3; do
    [ -e "$f" ] && ko "stale $f not removed" || ok
done
for f in r.xlsx.tmp.notsix7 other.xlsx.tmp.AbC123 rx.xlsx.tmp.AbC123 r.xlsx.tmp.LiVe01; do
    [ -e "$f" ] && ok || ko "$f removed (not vernier's, or still locked)"
done
kill "$holder" 2>/dev/null
wait 2>/dev/null
[ -s r.xlsx ] && [ -s out.csv ] && ok || ko "outputs missing"
rm -f ./*.tmp.*
# a split set whose last workbook cannot be put in place: none of them appears
"$VERNIER" -q --db t.db report --split-by kind -o set.xlsx || ko "split report"
ls set-*.xlsx >before.txt
rm -f set-*.xlsx
mkdir set-proposal.xlsx
"$VERNIER" -q --db t.db report --split-by kind -o set.xlsx 2>err.txt
rc=$?
[ $rc -eq 3 ] && ok || ko "split report over a folder: exit $rc, want 3"
grep -q "set-proposal.xlsx: cannot move the workbook into place" err.txt && ok || ko "message: $(cat err.txt)"
[ -e set-project.xlsx ] && ko "a partial set was left (set-project.xlsx)" || ok
[ -z "$(ls | grep '\.tmp\.')" ] && ok || ko "temporary files left: $(ls | grep '\.tmp\.')"
[ "$(cat before.txt)" = "set-project.xlsx
set-proposal.xlsx" ] && ok || ko "the whole set was: $(cat before.txt)"
# the rejects file of import --skip-bad: a killed import's temporary file
# is removed by the next import (even one that rejects nothing), a live
# one stays
printf '{"id":"G1","title":"good"}\n{"id":\n' >bad.jsonl
printf '{"id":"G2","title":"good"}\n' >good.jsonl
touch bad.jsonl.rejects.csv.tmp.St4le1 good.jsonl.rejects.csv.tmp.St4le2
flock bad.jsonl.rejects.csv.tmp.LiVe02 sleep 4 &
holder=$!
sleep 0.3
"$VERNIER" -q --db t.db import bad.jsonl --skip-bad >/dev/null 2>&1 || ko "import --skip-bad"
"$VERNIER" -q --db t.db import good.jsonl --skip-bad >/dev/null 2>&1 || ko "import --skip-bad (no rejects)"
[ -e bad.jsonl.rejects.csv.tmp.St4le1 ] && ko "stale rejects temporary file not removed" || ok
[ -e good.jsonl.rejects.csv.tmp.St4le2 ] && ko "stale rejects temporary file not removed by an import without rejects" || ok
[ -e bad.jsonl.rejects.csv.tmp.LiVe02 ] && ok || ko "a live rejects temporary file was removed"
grep -q 'rejected_reason' bad.jsonl.rejects.csv && ok || ko "rejects file missing"
kill "$holder" 2>/dev/null
wait 2>/dev/null
echo "leftovers: $pass passed, $fail failed"
[ $fail -eq 0 ]
