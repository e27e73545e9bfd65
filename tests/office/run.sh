#!/bin/sh
# Opens vernier's workbooks in LibreOffice (headless), as a reviewer's office
# suite would: each workbook is converted sheet by sheet to CSV, and the CSVs
# must hold what the workbook holds.  Needs soffice; without it this prints a
# note and "office: 0 passed, 0 failed" (make test never installs LibreOffice;
# `make check-office` does, then runs this).
#
# The workbooks: the CLI's (vernier evaluate of examples/projects.jsonl, in
# English and Chinese) when ./vernier and the examples exist, and the
# hand-made store's of build/tests/test_report --fixture when it is built.
# Environment: VERNIER, BUILD.
BUILD=${BUILD:-build}
V=${VERNIER:-./vernier}
pass=0
fail=0

if ! command -v soffice >/dev/null 2>&1; then
    echo "office: skipped: LibreOffice (soffice) is not installed; make check-office installs it"
    echo "office: 0 passed, 0 failed"
    exit 0
fi

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() {
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "office: FAIL $*"; fi
}

books=""
if [ -x "$BUILD/tests/test_report" ] && "$BUILD/tests/test_report" --fixture "$t" >/dev/null; then
    books="$t/en.xlsx:en $t/zh.xlsx:zh"
fi
if [ -x "$V" ] && [ -f examples/projects.jsonl ]; then
    if "$V" --db "$t/cli.db" --quiet evaluate examples/projects.jsonl -o "$t/cli-en.xlsx" \
        >/dev/null 2>"$t/err" &&
        "$V" --db "$t/cli.db" report -o "$t/cli-zh.xlsx" --lang zh >/dev/null 2>>"$t/err"; then
        books="$books $t/cli-en.xlsx:en $t/cli-zh.xlsx:zh"
    else
        fail=$((fail + 1))
        echo "office: FAIL vernier evaluate/report: $(cat "$t/err")"
    fi
fi
if [ -z "$books" ]; then
    echo "office: note: neither ./vernier with examples/ nor $BUILD/tests/test_report: nothing to open"
fi

# CSV export of every sheet (LibreOffice 7.2+: sheet -1 = all, one file each,
# named BOOK-SHEET.csv), UTF-8 (76), comma-separated.
filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
profile="file://$t/profile"
for entry in $books; do
    book=${entry%:*}
    lang=${entry##*:}
    base=$(basename "$book" .xlsx)
    out="$t/out-$base"
    mkdir -p "$out"
    if timeout 180 soffice -env:UserInstallation="$profile" --headless --norestore \
        --convert-to "$filter" --outdir "$out" "$book" >"$t/log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "office: FAIL soffice could not open $base: $(cat "$t/log")"
        continue
    fi
    if [ "$lang" = zh ]; then summary=摘要 projects=项目 evidence=证据 id=项目编号
    else summary=Summary projects=Projects evidence=Evidence id=ID; fi
    ok [ -s "$out/$base-$summary.csv" ]
    ok [ -s "$out/$base-$projects.csv" ]
    ok [ -s "$out/$base-$evidence.csv" ]
    ok grep -q "^$id," "$out/$base-$projects.csv"
    if [ "$base" = en ] || [ "$base" = zh ]; then
        # The hand-made store: text stays text, Chinese stays Chinese.
        ok grep -q '=HYPERLINK(""http://evil.example"",""click"")' "$out/$base-$projects.csv"
        ok grep -q '高精度低温测温仪的研制' "$out/$base-$projects.csv"
        ok grep -q '2019YFB0101001' "$out/$base-$evidence.csv"
    fi
done

echo "office: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
