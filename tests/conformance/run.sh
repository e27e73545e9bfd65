#!/bin/sh
# tests/conformance/run.sh: the real exports of ../shared/data imported with
# no --map and no flags but --skip-bad (so that every bad row is listed),
# each into a fresh store, against the counts we expect:
#   us-sbir-awards      20,166 rows, all stored
#   cn-nsfc-mgmt-2017   17,926 rows (Chinese headers): 10 rejected, each a
#                       period with an impossible month in the agency's own
#                       data (2016.01-2019.14 ... 2015.01-2015.13, lines
#                       5048-5051, 5788-5792, 6659)
#   nasa-techport       299 + 333 rows, all stored (TRL begin/current/end)
#   eu-cordis-fp7       6,910 rows: 4 rejected (lines 81, 168, 410, 603 have
#                       neither a title nor a teaser: nothing to evaluate)
#   cjk-encodings/csv   the one CSV in 6 encodings: 2 records each, the third
#                       row rejected for its negative amount (-1); the file
#                       that mixes UTF-8 and GBK rows fails whole (exit 2);
#                       so does gbk.csv, whose curly quotes were folded to
#                       '"' without doubling them ("Cafe, "quoted"") -- a
#                       broken CSV, refused at its line 3 rather than guessed
# plus: importing a file again changes nothing.  Prints
# "conformance: N passed, N failed", or "conformance: SKIPPED (why)" when the
# data or the importer is absent.  Uses $VERNIER, else $BUILD/bench/bench_import.
SHARED=${SHARED:-../shared}
BUILD=${BUILD:-build}
D=$SHARED/data
pass=0
fail=0
if [ ! -d "$D" ]; then
    echo "conformance: SKIPPED ($D not found)"
    exit 0
fi
if [ -n "$VERNIER" ] && [ -x "$VERNIER" ] && "$VERNIER" --help >/dev/null 2>&1; then
    mode=cli
elif [ -x "$BUILD/bench/bench_import" ]; then
    mode=driver
else
    echo "conformance: SKIPPED (neither \$VERNIER nor $BUILD/bench/bench_import is built)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# import DB FILE: prints "STATUS ADDED REJECTED ALREADY" on stdout.  The
# rejects file goes to $tmp/rejects.csv (never beside the shared data).
import() {
    rm -f "$tmp/rejects.csv"
    if [ $mode = cli ]; then
        out=$("$VERNIER" --db "$1" import --skip-bad --rejects "$tmp/rejects.csv" "$2" 2>&1)
        st=$?
        added=$(echo "$out" | sed -n 's/.* \([0-9]*\) added.*/\1/p')
        rejected=$(echo "$out" | sed -n 's/.* \([0-9]*\) rejected.*/\1/p')
        already=$(echo "$out" | grep -c "already imported")
    else
        out=$("$BUILD/bench/bench_import" "$1" "$2" --skip-bad "$tmp/rejects.csv" 2>&1)
        st=$?
        added=$(echo "$out" | sed -n 's/.*added \([0-9]*\),.*/\1/p')
        rejected=$(echo "$out" | sed -n 's/.*rejected \([0-9]*\),.*/\1/p')
        already=$(echo "$out" | sed -n 's/.*already \([0-9]*\),.*/\1/p')
    fi
    echo "$st ${added:-0} ${rejected:-0} ${already:-0}"
    [ $st -eq 0 ] || echo "$out" >"$tmp/last-error"
}

check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL conformance $1: got '$2', want '$3'"
        [ -f "$tmp/last-error" ] && sed 's/^/  /' "$tmp/last-error" | head -5
    fi
    rm -f "$tmp/last-error"
}

# FILE WANT("status added rejected already") [REJECTED_LINES]
real() {
    db="$tmp/$(basename "$1").db"
    check "$1" "$(import "$db" "$D/$1")" "$2"
    if [ -n "$3" ]; then
        lines=$(tail -n +2 "$tmp/rejects.csv" 2>/dev/null | grep -o ':[0-9]*: ' | tr -d ': ' |
            tr '\n' ' ')
        check "$1 rejected lines" "$lines" "$3"
    fi
}

real us-sbir-awards/sbir_phase2_2006-2018.csv "0 20166 0 0"
real cn-nsfc-mgmt-2017/natural-2017-09-26.csv "0 17916 10 0" \
    "5048 5049 5050 5051 5788 5789 5790 5791 5792 6659 "
real nasa-techport/techport_projects_batch1.csv "0 299 0 0"
real nasa-techport/techport_marsatmosphere_search_333_no_trl.csv "0 333 0 0"
real eu-cordis-fp7/fp7_results_briefs.csv "0 6906 4 0" "81 168 410 603 "

# the same file again: nothing changes
check "re-import" "$(import "$tmp/natural-2017-09-26.csv.db" "$D/cn-nsfc-mgmt-2017/natural-2017-09-26.csv")" \
    "0 0 0 1"

for f in utf8 utf8_bom utf16le_bom utf16be_bom gb18030 gb18030_bom; do
    check "cjk $f" "$(import "$tmp/cjk-$f.db" "$D/cjk-encodings/csv/$f.csv")" "0 2 1 0"
done
got=$(import "$tmp/cjk-mixed.db" "$D/cjk-encodings/csv/mixed_utf8_then_gbk_row.csv" | cut -d' ' -f1)
check "cjk mixed file refused" "$got" "2"
got=$(import "$tmp/cjk-gbk.db" "$D/cjk-encodings/csv/gbk.csv" | cut -d' ' -f1)
msg=$(grep -c 'gbk.csv:3: .q. after the closing quote' "$tmp/last-error" 2>/dev/null)
check "cjk gbk.csv refused" "$got" "2"
check "cjk gbk.csv message" "$msg" "1"

echo "conformance: $pass passed, $fail failed"
[ $fail -eq 0 ]
