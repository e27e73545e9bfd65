#!/bin/sh
# Opens vernier's workbooks in LibreOffice (headless), as a reviewer's office
# suite would: each workbook is converted sheet by sheet to CSV, and the CSVs
# must hold what the workbook holds.  Needs soffice; without it this prints a
# "office: SKIPPED (why)" (make test never installs LibreOffice;
# `make check-office` does, then runs this).
#
# The workbooks: the CLI's (vernier evaluate of examples/projects.jsonl, in
# English and Chinese) when ./vernier and the examples exist, and the
# hand-made store's of build/tests/test_report --fixture when it is built;
# those are also saved back as .xlsx by LibreOffice and their decisions
# imported, as a reviewer working in LibreOffice would return them.
# Environment: VERNIER, BUILD.
BUILD=${BUILD:-build}
V=${VERNIER:-./vernier}
pass=0
fail=0

if ! command -v soffice >/dev/null 2>&1; then
    echo "office: SKIPPED (LibreOffice is not installed; make check-office installs it)"
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
# named BOOK-SHEET.csv), UTF-8 (76), comma-separated; one soffice start for
# every workbook, since starting it is most of the time.
filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
out="$t/out"
mkdir -p "$out"
files=""
for entry in $books; do files="$files ${entry%:*}"; done
if [ -n "$files" ]; then
    # shellcheck disable=SC2086 # the paths are ours, under mktemp, without spaces
    if timeout 300 soffice -env:UserInstallation="file://$t/profile" --headless --norestore \
        --convert-to "$filter" --outdir "$out" $files >"$t/log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "office: FAIL soffice: $(cat "$t/log")"
    fi
fi
for entry in $books; do
    book=${entry%:*}
    lang=${entry##*:}
    base=$(basename "$book" .xlsx)
    if [ "$lang" = zh ]; then summary=摘要 projects=项目 evidence=证据 id=项目编号
    else summary=Summary projects=Projects evidence=Evidence id=ID; fi
    # Each workbook opened: its sheets came out, with their rows.
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

# A reviewer who works in LibreOffice saves the workbook back as .xlsx:
# decisions import still takes it (the hand-made store's books).
if [ -f "$t/fixture.db" ]; then
    mkdir -p "$t/saved"
    if timeout 300 soffice -env:UserInstallation="file://$t/profile" --headless --norestore \
        --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$t/saved" "$t/en.xlsx" "$t/zh.xlsx" \
        >"$t/log" 2>&1; then
        for b in en zh; do
            got=$("$BUILD/tests/test_report" --import "$t/fixture.db" "$t/saved/$b.xlsx" lo)
            ok [ "$got" = "added 0 unchanged 1 empty 4 reviewer lo" ]
        done
    else
        fail=$((fail + 1))
        echo "office: FAIL soffice could not save as xlsx: $(cat "$t/log")"
    fi
fi

echo "office: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
