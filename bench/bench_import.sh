#!/bin/sh
# bench_import.sh: import throughput for the SBIR file (40 MB, 20,166 awards,
# line breaks in cells) beside `sqlite3 .import` of the same file into a
# plain table, timed in the same run.  Goal: vernier import within 2x.
# Also times `import --dry-run` (read, decode, map, validate every row; no
# store), which separates the importer's own cost from the store's.
# Uses $VERNIER when it runs, else $BUILD/bench/bench_import (the same
# library call).  Environment: SHARED, BUILD, VERNIER (set by make bench).
SHARED=${SHARED:-../shared}
BUILD=${BUILD:-build}
FILE=$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv
if [ ! -f "$FILE" ]; then
    echo "bench_import: $FILE absent, skipped"
    exit 0
fi
if ! command -v sqlite3 >/dev/null; then
    echo "bench_import: sqlite3 (the command) not installed, skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$VERNIER" ] && [ -x "$VERNIER" ] && "$VERNIER" --help >/dev/null 2>&1; then
    via="vernier CLI"
    run_import() { "$VERNIER" --db "$tmp/v.db" --quiet import "$FILE"; }
    run_dry() { "$VERNIER" --db "$tmp/d.db" import --dry-run "$FILE" >/dev/null; }
elif [ -x "$BUILD/bench/bench_import" ]; then
    via="$BUILD/bench/bench_import"
    run_import() { "$BUILD/bench/bench_import" "$tmp/v.db" "$FILE" >/dev/null; }
    run_dry() { "$BUILD/bench/bench_import" "$tmp/d.db" "$FILE" --dry-run >/dev/null; }
else
    echo "bench_import: neither \$VERNIER nor $BUILD/bench/bench_import is built, skipped"
    exit 0
fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
bytes=$(wc -c <"$FILE")

# Best of three runs each, interleaved, so that a busy moment of a shared
# machine does not decide the ratio.
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
s_sql=
s_imp=
s_dry=
for round in 1 2 3; do
    rm -f "$tmp"/s.db* "$tmp"/v.db* "$tmp"/d.db*
    t0=$(now)
    sqlite3 "$tmp/s.db" ".mode csv" ".import '$FILE' awards" || exit 1
    t1=$(now)
    run_import || { echo "bench_import: vernier import failed"; exit 1; }
    t2=$(now)
    run_dry || { echo "bench_import: vernier import --dry-run failed"; exit 1; }
    t3=$(now)
    s_sql=$(best "$s_sql" "$(secs "$t0" "$t1")")
    s_imp=$(best "$s_imp" "$(secs "$t1" "$t2")")
    s_dry=$(best "$s_dry" "$(secs "$t2" "$t3")")
done
awk -v b="$bytes" -v sq="$s_sql" -v im="$s_imp" -v dr="$s_dry" -v via="$via" 'BEGIN {
    mb = b / 1e6
    printf "file: us-sbir-awards/sbir_phase2_2006-2018.csv, %.1f MB, 20,166 rows (via %s, best of 3)\n", mb, via
    printf "  sqlite3 .import (plain table)          %7.3f s  %6.1f MB/s\n", sq, mb / sq
    printf "  vernier import (store, hashes)         %7.3f s  %6.1f MB/s  ratio %.1fx (goal <= 2x)%s\n",
        im, mb / im, im / sq, im / sq <= 2 ? "" : "  NOT MET"
    printf "  vernier import --dry-run (no store)    %7.3f s  %6.1f MB/s  ratio %.1fx\n",
        dr, mb / dr, dr / sq
}'
