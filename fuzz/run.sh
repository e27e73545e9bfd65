#!/bin/sh
# make fuzz: runs every libFuzzer target of build-fuzz/ for FUZZ_SECONDS,
# seeded at run time from $SHARED/data (read-only seed folders: nothing is
# copied into the repository) and from tests/fuzz/TARGET (the regression
# inputs).  New inputs go to build-fuzz/corpus/TARGET, findings to
# build-fuzz/findings/.  Prints per target: runs, exec/s, coverage, findings;
# fails when any target found something (add it to tests/fuzz/TARGET and fix).
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SHARED=${SHARED:-../shared}
D=$SHARED/data
B=build-fuzz
ROOT=$(pwd)
mkdir -p $B/findings $B/seeds
[ -d "$D" ] || echo "fuzz: $D not found: seeding from tests/fuzz only"
# Workbooks to seed the XLSX and decisions targets: a run of the examples.
if [ -n "$VERNIER" ] && [ ! -s $B/seeds/report.xlsx ]; then
    rm -f $B/seeds/seed.db
    (cd $B/seeds && VERNIER_RULES="$ROOT/rules/default" "$VERNIER" -q --db seed.db evaluate \
        "$ROOT/examples/projects.jsonl" -o report.xlsx >/dev/null &&
        "$VERNIER" -q --db seed.db report --split-by kind -o split.xlsx >/dev/null) ||
        echo "fuzz: could not make the seed workbooks"
fi
seeds() { # the seed folders of a target that exist here
    case $1 in
    csv | record) set -- "$D/csv-spectrum/package/csvs" "$D/csv-torture-rvl/tests/fixtures/corpus" \
        "$D/utf8/generated" "$D/cjk-encodings/csv" "$D/w3c-csvw/tests" "$ROOT/examples" ;;
    json) set -- "$D/JSONTestSuite/test_parsing" "$ROOT/examples" ;;
    rules) set -- "$ROOT/rules/default" "$D/JSONTestSuite/test_parsing" ;;
    xlsx | decisions) set -- "$ROOT/$B/seeds" ;;
    esac
    for s in "$@"; do [ -d "$s" ] && printf '%s\n' "$s"; done
}
status=0
total_runs=0
printf '%-10s %12s %9s %8s %9s\n' target runs exec/s cov findings
for bin in $B/fuzz_*; do
    [ -x "$bin" ] || continue
    t=${bin#$B/fuzz_}
    mkdir -p $B/corpus/$t
    before=$(ls $B/findings | grep -c "^$t-")
    # shellcheck disable=SC2046
    FUZZ_DB="$ROOT/$B/seeds/seed.db" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
        -print_final_stats=1 -artifact_prefix=$B/findings/$t- \
        $B/corpus/$t "$ROOT/tests/fuzz/$t" $(seeds $t) >$B/$t.log 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' $B/$t.log | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' $B/$t.log | tail -1)
    cov=$(grep -o 'cov: [0-9]*' $B/$t.log | tail -1 | cut -d' ' -f2)
    found=$(($(ls $B/findings | grep -c "^$t-") - before))
    printf '%-10s %12s %9s %8s %9s\n' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$found"
    total_runs=$((total_runs + ${runs:-0}))
    if [ $rc -ne 0 ] || [ $found -gt 0 ]; then
        status=1
        grep -E "ERROR|broken promise|SUMMARY" $B/$t.log | head -5
    fi
done
echo "fuzz: $total_runs inputs in all, ${FUZZ_SECONDS} s a target; findings in $B/findings/"
exit $status
