#!/bin/sh
# The reviewer workbook read back by an independent reader (make test).
#
# 1. build/tests/test_report --fixture writes a hand-made store (Chinese and
#    English projects, hostile cells: titles starting with = + @, invalid
#    UTF-8, a 40,000-character context, "_x0041_") and its workbooks: en,
#    zh, split by source, and a screening workbook.
# 2. check_workbook.py reads them with openpyxl and the raw XML: every sheet,
#    headers, the drop-down's list range, the links into Evidence, frozen
#    panes, filters, hidden columns and sheet, colour scales, custom
#    properties, strings that stay strings, the truncation marker.
# 3. compare_golden.py compares every unzipped part with tests/workbook/golden/
#    (regenerate with `sh tests/workbook/regen-golden.sh`, then read the diff).
# 4. roundtrip.py edits the workbooks as a reviewer would (openpyxl), imports
#    the decisions, and checks every refusal names its row.
# 5. When ./vernier and examples/projects.jsonl exist: the same reader over
#    the CLI's workbooks of the example data, in both languages, and a
#    `vernier decisions import` round trip.
# Ends with "workbook: N passed, N failed".
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
here=$(dirname "$0")
pass=0
fail=0

if ! "$PYTHON" -c 'import openpyxl' 2>/dev/null; then
    echo "workbook: SKIPPED ($PYTHON has no openpyxl; make deps installs python3-openpyxl)"
    exit 0
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# Runs a checker; its FAIL lines are shown, its RESULT line counted.
run() {
    out=$("$PYTHON" "$@" 2>&1)
    echo "$out" | grep -v '^RESULT ' | sed 's/^/workbook: /'
    res=$(echo "$out" | grep '^RESULT ' | tail -1)
    if [ -z "$res" ]; then
        fail=$((fail + 1))
        echo "workbook: FAIL $* did not finish"
        return
    fi
    set -- $res
    pass=$((pass + $2))
    fail=$((fail + $3))
}

ok() {
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "workbook: FAIL $*"; fi
}

if "$BUILD/tests/test_report" --fixture "$t" >/dev/null; then
    pass=$((pass + 1))
    run "$here/check_workbook.py" review "$t/en.xlsx" en --fixture
    run "$here/check_workbook.py" review "$t/zh.xlsx" zh --fixture
    run "$here/check_workbook.py" split "$t/split"
    run "$here/check_workbook.py" screen "$t/screen.xlsx"
    for b in en zh screen; do
        run "$here/compare_golden.py" "$t/$b.xlsx" "$here/golden/$b"
    done
    run "$here/roundtrip.py" "$BUILD/tests/test_report" "$t"
else
    fail=$((fail + 1))
    echo "workbook: FAIL $BUILD/tests/test_report --fixture"
fi

# The CLI over the example data, when both exist.
V=${VERNIER:-./vernier}
if [ -x "$V" ] && [ -f examples/projects.jsonl ]; then
    db="$t/cli.db"
    if "$V" --db "$db" --quiet import examples/projects.jsonl >/dev/null 2>"$t/err" &&
        "$V" --db "$db" --quiet score >/dev/null 2>>"$t/err"; then
        for lang in en zh; do
            if "$V" --db "$db" report -o "$t/cli-$lang.xlsx" --lang "$lang" >/dev/null 2>>"$t/err"
            then
                pass=$((pass + 1))
                run "$here/check_workbook.py" review "$t/cli-$lang.xlsx" "$lang"
            else
                fail=$((fail + 1))
                echo "workbook: FAIL vernier report --lang $lang: $(cat "$t/err")"
            fi
        done
        mkdir "$t/panels"
        "$V" --db "$db" report -o "$t/panels/r.xlsx" --split-by source >/dev/null 2>"$t/err"
        ok [ $? -eq 0 ]
        n=$(ls "$t/panels" | grep -c '^r-.*\.xlsx$')
        ok [ "$n" -ge 1 ]
        ok [ "$(ls "$t/panels" | grep -c '\.tmp\.')" -eq 0 ]
        if "$V" decisions --help >/dev/null 2>&1; then
            run "$here/roundtrip.py" --cli "$V" "$db" "$t/cli-en.xlsx" "$t/cli-zh.xlsx"
        else
            echo "workbook: note: vernier has no 'decisions' command yet; CLI round trip skipped"
        fi
    else
        fail=$((fail + 1))
        echo "workbook: FAIL vernier import/score of examples: $(cat "$t/err")"
    fi
else
    echo "workbook: note: no $V or examples/projects.jsonl; CLI checks skipped"
fi

echo "workbook: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
