#!/bin/sh
# tests/conformance/run.sh: the real exports of ../shared/data imported as a
# new user would -- no --map, no flags -- each into a fresh store, against
# the counts we expect, printed for every file as
#   FILE: rows R, added A, versions V, conflicts C, derived ids D,
#         data-quality marks Q, rejected X
# (issue 11: no row lost without a listed reason, no field silently emptied):
#   us-sbir-awards      20,166 rows, all stored (the agency column is the
#                       source, the programme an extra)
#   cn-nsfc-mgmt-2017   17,926 rows (Chinese headers), all stored; 10 of them
#                       keep a period with an impossible month (2016.01-
#                       2019.14 ... 2015.01-2015.13, lines 5048-5051,
#                       5788-5792, 6659) as a data-quality mark, raw text
#                       kept; same_title_groups.csv (derived from it) 107
#   nasa-techport       299 + 333 rows, all stored (TRL begin/current/end;
#                       HTML entities decoded)
#   eu-cordis-fp7       6,910 rows, all stored (lines 81, 168, 410, 603 have
#                       neither a title nor a teaser, but an id)
#   cjk-encodings/csv   the one CSV in 6 encodings: 3 records each, the third
#                       with its negative amount (-1) as a data-quality mark;
#                       the file that mixes UTF-8 and GBK rows fails whole
#                       (exit 2, broken bytes); so does gbk.csv, whose curly
#                       quotes were folded to '"' without doubling them
#                       ("Cafe, "quoted"") -- a broken CSV, refused at its
#                       line 3 rather than guessed
# plus: importing a file again changes nothing.  Not agency exports, so not
# here: metrology-registries (`registry import`), the reliability corpora
# (JSONTestSuite, csv-spectrum, csv-torture-rvl, utf8, w3c-csvw: tests of
# their own), nasa-techport/techport_labelled_22.jsonl (a labelled research
# set keyed by source_id, not a record export).  Prints "conformance: N
# passed, N failed", or "conformance: SKIPPED (why)" when the data or the
# importer is absent.  Uses $VERNIER, else $BUILD/bench/bench_import (added,
# rejected and already only).
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

# num LINE WORDS: the number before WORDS in LINE, or nothing
num() { echo "$1" | sed -n "s/.* \([0-9]*\) $2.*/\1/p"; }

# import DB FILE: prints "STATUS ADDED REJECTED ALREADY" on stdout, and the
# counts line of the file on stderr.
import() {
    if [ $mode = cli ]; then
        out=$("$VERNIER" --db "$1" import "$2" 2>&1)
        st=$?
        line=$(echo "$out" | grep ' rows: ' | head -1)
        added=$(num "$line" added)
        rejected=$(num "$line" rejected)
        already=$(echo "$out" | grep -c "already imported")
        if [ -n "$line" ]; then
            rows=$(echo "$line" | sed -n 's/.*: \([0-9]*\) rows:.*/\1/p')
            vers=$(num "$line" "versions merged")
            conf=$(echo "$line" | sed -n 's/.* versions merged .\([0-9]*\) conflicting.*/\1/p')
            der=$(num "$line" "ids derived")
            marks=$(num "$line" "values kept")
            echo "$(basename "$2"): rows $rows, added ${added:-0}, versions ${vers:-0}," \
                "conflicts ${conf:-0}, derived ids ${der:-0}, data-quality marks ${marks:-0}," \
                "rejected ${rejected:-0}" >&2
        fi
    else
        out=$("$BUILD/bench/bench_import" "$1" "$2" 2>&1)
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

# FILE WANT("status added rejected already") [MARKS]: MARKS, the number of
# data-quality marks the file's counts line must show
real() {
    db="$tmp/$(basename "$1").db"
    check "$1" "$(import "$db" "$D/$1" 2>"$tmp/counts")" "$2"
    cat "$tmp/counts"
    if [ -n "$3" ]; then
        check "$1 data-quality marks" "$(sed -n 's/.*data-quality marks \([0-9]*\).*/\1/p' "$tmp/counts")" "$3"
    fi
}

real us-sbir-awards/sbir_phase2_2006-2018.csv "0 20166 0 0" 0
real cn-nsfc-mgmt-2017/natural-2017-09-26.csv "0 17926 0 0" 10
real cn-nsfc-mgmt-2017/same_title_groups.csv "0 107 0 0" 0
real nasa-techport/techport_projects_batch1.csv "0 299 0 0" 0
real nasa-techport/techport_marsatmosphere_search_333_no_trl.csv "0 333 0 0" 0
real eu-cordis-fp7/fp7_results_briefs.csv "0 6910 0 0" 0
if [ $mode = cli ]; then
    # the raw text of an impossible month is kept on its project
    id=$(sed -n '5048p' "$D/cn-nsfc-mgmt-2017/natural-2017-09-26.csv" | cut -d, -f1 | tr -d '"')
    got=$("$VERNIER" --db "$tmp/natural-2017-09-26.csv.db" show "$id" --json | grep -c '"data_quality":\[{"field":"period"')
    check "nsfc line 5048 keeps its period as a mark" "$got" "1"
    # HTML entities decoded (Earth&#x27;s)
    got=$("$VERNIER" --db "$tmp/techport_marsatmosphere_search_333_no_trl.csv.db" search "Earth's atmosphere" | grep -c .)
    check "techport entities decoded" "$([ "$got" -gt 0 ] && echo yes)" "yes"
fi

# the same file again: nothing changes
check "re-import" "$(import "$tmp/natural-2017-09-26.csv.db" "$D/cn-nsfc-mgmt-2017/natural-2017-09-26.csv" 2>/dev/null)" \
    "0 0 0 1"

for f in utf8 utf8_bom utf16le_bom utf16be_bom gb18030 gb18030_bom; do
    check "cjk $f" "$(import "$tmp/cjk-$f.db" "$D/cjk-encodings/csv/$f.csv" 2>/dev/null)" "0 3 0 0"
done
got=$(import "$tmp/cjk-mixed.db" "$D/cjk-encodings/csv/mixed_utf8_then_gbk_row.csv" 2>/dev/null | cut -d' ' -f1)
check "cjk mixed file refused" "$got" "2"
got=$(import "$tmp/cjk-gbk.db" "$D/cjk-encodings/csv/gbk.csv" 2>/dev/null | cut -d' ' -f1)
msg=$(grep -c 'gbk.csv:3: .q. after the closing quote' "$tmp/last-error" 2>/dev/null)
check "cjk gbk.csv refused" "$got" "2"
check "cjk gbk.csv message" "$msg" "1"

echo "conformance: $pass passed, $fail failed"
[ $fail -eq 0 ]
