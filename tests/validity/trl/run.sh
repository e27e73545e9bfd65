#!/bin/sh
# TRL readings against the real labels in ../shared/data (issue 10), each
# beside the constant median and a keyword ladder computed in the same run
# (tests/validity/trl/check.py says which labels and what they can tell).
# Counted checks: the planned reading beats both baselines on the records
# it reads; the achieved reading inferred from a plan beats the constant
# median and the plan's own level against batch1's start TRLs (projects
# given only their end TRL); no TRL-OVERCLAIM without a readiness statement (TechPort batch1,
# TechPort 22); the planted over-claims of examples/ found.  The achieved
# reading does NOT beat the constant median on TechPort 22, and no reading
# reaches 80% coverage: those goals of issue 10 are printed as NOT MET in
# every `make validity`, not counted, so that make test stays a gate on what
# holds (README "make validity").
# Skipped when ../shared is absent.
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
VERNIER=${VERNIER:-./vernier}
RULES=${RULES:-rules/default}
tp="$SHARED/data/nasa-techport"
if [ ! -f "$tp/techport_labelled_22.jsonl" ] || [ ! -f "$tp/techport_projects_batch1.csv" ]; then
    echo "trl validity: SKIPPED ($tp absent)"
    exit 0
fi
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" "$dir/check.py" prepare "$tp/techport_labelled_22.jsonl" "$tmp/tp22-in.jsonl"
"$PYTHON" "$dir/check.py" plans "$tp/techport_projects_batch1.csv" "$tmp/plans-in.jsonl"
run() { # name, input files...
    name=$1
    shift
    "$VERNIER" --db "$tmp/$name.db" --quiet import "$@" >/dev/null &&
        "$VERNIER" --db "$tmp/$name.db" --quiet score --rules "$RULES" >/dev/null &&
        "$VERNIER" --db "$tmp/$name.db" --quiet export >"$tmp/$name.jsonl"
}
run tp22 "$tmp/tp22-in.jsonl" || echo "FAIL trl validity: TechPort 22 not scored"
run batch1 "$tp/techport_projects_batch1.csv" || echo "FAIL trl validity: batch1 not scored"
run plans "$tmp/plans-in.jsonl" || echo "FAIL trl validity: batch1 plans not scored"
run examples examples/projects.jsonl || echo "FAIL trl validity: examples not scored"
"$PYTHON" "$dir/check.py" report "$tmp" "$tp/techport_labelled_22.jsonl" "$tp/techport_projects_batch1.csv"
