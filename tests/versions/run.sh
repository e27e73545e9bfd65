#!/bin/sh
# tests/versions/run.sh: real agency files as they are (issue 11), on a file
# built at test time from rows of the real NSFC export in ../shared/data
# (nothing of the data is committed): the "NSSFC-like" case --
#   - one grant number on several rows (approved, then completed with a
#     grade; two completions that disagree): versions merged, the grade
#     kept, the conflict shown with every value;
#   - a row without a grant number: a stable derived id, listed;
#   - an unreadable period and date: the row kept, the raw text in a
#     data-quality mark;
#   - a repeated header with a slight variation (批准号 for 项目批准号);
#   - placeholders (N/A, 暂无, —) read as empty;
# then --strict, a re-import that would empty fields (refused with a
# field-level diff; --replace accepts it), month-name dates and HTML
# entities, the count-so-far message of a bad row, and the workbook and
# export columns.  Prints "versions: N passed, N failed"; SKIPPED when the
# data or python3 is absent.
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-python3}
SRC=$SHARED/data/cn-nsfc-mgmt-2017/natural-2017-09-26.csv
if [ ! -f "$SRC" ] || ! command -v "$PYTHON" >/dev/null || [ ! -x "$VERNIER" ]; then
    echo "versions: SKIPPED ($SRC, $PYTHON or \$VERNIER absent)"
    exit 0
fi
# the default rule set, wherever the binary is (build-asan/ under make asan)
VERNIER_RULES=${VERNIER_RULES:-$(pwd)/rules/default}
export VERNIER_RULES
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL versions $1: got '$2', want '$3'"
    fi
}
has() { # NAME FILE PATTERN: the file holds the pattern
    if grep -q -- "$3" "$2"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL versions $1: no '$3' in:"
        sed 's/^/  /' "$2" | head -20
    fi
}

# The file: rows 1-6 of the real export and variants of them.
"$PYTHON" - "$SRC" "$tmp" <<'PY' || { echo "FAIL versions: cannot build the file"; exit 1; }
import csv, sys
src, out = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src, encoding="utf-8")))
h, d = rows[0], rows[1:7]
ID, CAT, TITLE, ORG, PI, AMOUNT, PERIOD, GRADE = range(8)
f = [h]
a = list(d[0]); f.append(a)                                   # approved
b = list(d[0]); b[GRADE] = "良好"; b[AMOUNT] = "暂无"; f.append(b)  # completed: grade, no amount
c = list(d[1]); c[ID] = ""; f.append(c)                       # no grant number
e = list(d[2]); e[PERIOD] = "2017.00-2019.14"; f.append(e)    # month 14: unreadable
hh = list(h); hh[ID] = "批准号"; hh[AMOUNT] = "金额（万元）"; f.append(hh)  # repeated header, varied
g1 = list(d[3]); g1[GRADE] = "优秀"; f.append(g1)             # two completions that
g2 = list(d[3]); g2[GRADE] = "良好"; f.append(g2)             # disagree
p = list(d[4]); p[ORG] = "N/A"; p[PI] = "—"; f.append(p)      # placeholders
csv.writer(open(out + "/nssfc.csv", "w", encoding="utf-8", newline="")).writerows(f)
# the same projects again later, with the acceptance date in a column of its own
f2 = [h + ["结项时间"]]
x = list(d[5]) + ["2016-12-15"]; x[GRADE] = "良好"; f2.append(x)
y = list(d[5]) + ["2016-00-00"]; f2.append(y)                 # zero month: the year 2016
csv.writer(open(out + "/nssfc-later.csv", "w", encoding="utf-8", newline="")).writerows(f2)
ids = [r[ID] for r in d]
open(out + "/ids", "w").write(" ".join(ids))
PY
set -- $(cat "$tmp/ids")
ID1=$1 ID2=$2 ID3=$3 ID4=$4 ID5=$5 ID6=$6
V="$VERNIER --db $tmp/v.db"

# 1. without flags: nothing lost
$V import "$tmp/nssfc.csv" 2>"$tmp/out"
check "import exit" "$?" "0"
has "counts" "$tmp/out" "7 rows: 5 added, 0 updated, 0 unchanged, 0 rejected, 1 repeated header rows skipped, 2 versions merged (1 conflicting fields), 1 values kept as data-quality marks, 1 ids derived"
$V show "$ID1" >"$tmp/show1"
has "grade of the later version kept" "$tmp/show1" '"conclusion":	"良好"'
has "amount of the earlier version kept" "$tmp/show1" '"budget":	'
has "versions listed with provenance" "$tmp/show1" "nssfc.csv:3 (import #1)"
$V show "$ID4" >"$tmp/show4"
has "conflict shown" "$tmp/show4" '"values":	\["优秀", "良好"\]'
$V show "$ID3" >"$tmp/show3"
has "bad period kept raw" "$tmp/show3" '"raw":	"2017.00-2019.14"'
has "bad period's row kept" "$tmp/show3" "\"id\":	\"$ID3\""
$V show "$ID5" >"$tmp/show5"
if grep -q '"organisation"\|"pi"' "$tmp/show5"; then
    check "placeholders empty" "present" "absent"
else
    check "placeholders empty" "absent" "absent"
fi
did=$(sed -n 's/^  line 4: //p' "$tmp/out")
check "derived id listed" "$(echo "$did" | cut -c1-6)" "nssfc-"
$VERNIER --db "$tmp/w.db" --quiet import "$tmp/nssfc.csv" 2>/dev/null
check "derived id stable" "$($VERNIER --db "$tmp/w.db" show "$did" --json | grep -c "\"$did\"")" "1"

# 2. across imports: a later file of the same projects
$V import "$tmp/nssfc-later.csv" 2>"$tmp/out2"
has "later versions merged" "$tmp/out2" "2 rows: 1 added, 0 updated, 0 unchanged, 0 rejected, 1 versions merged (0 conflicting fields)"
$V show "$ID6" >"$tmp/show6"
has "acceptance date kept" "$tmp/show6" '"date":	"2016-12-15"'
has "grade kept" "$tmp/show6" '"conclusion":	"良好"'
has "zero month read as the year, less precise: no conflict" "$tmp/show6" '"versions":	2'
if grep -q '"conflicts"' "$tmp/show6"; then check "partial date is no conflict" "conflict" "none"; else check "partial date is no conflict" "none" "none"; fi

# 3. a row with nothing to evaluate: rejected, with the count so far and the hint
printf '项目批准号,项目类别,项目名称\n1,面上项目,a\n,面上项目,\n' >"$tmp/empty.csv"
$VERNIER --db "$tmp/e.db" import "$tmp/empty.csv" 2>"$tmp/empty"
check "nothing to evaluate: exit" "$?" "2"
has "nothing to evaluate: message" "$tmp/empty" "empty.csv:3: nothing to evaluate"
has "nothing to evaluate: hint" "$tmp/empty" "(2 rows read so far, 1 good; nothing stored: --skip-bad"
$VERNIER --db "$tmp/e.db" import --skip-bad --rejects "$tmp/rj.csv" "$tmp/empty.csv" 2>"$tmp/empty2"
has "nothing to evaluate: --skip-bad" "$tmp/empty2" "1 added, 0 updated, 0 unchanged, 1 rejected"

# --strict refuses a repeated id
$VERNIER --db "$tmp/s.db" import --strict "$tmp/nssfc.csv" 2>"$tmp/strict"
check "--strict exit" "$?" "2"
has "--strict names the repeat" "$tmp/strict" "is also the id of line 2"
has "count so far and the hint" "$tmp/strict" "rows read so far.*--skip-bad"

# 4. a re-import that would empty fields: refused with the diff; --replace
printf '{"columns": {"项目名称": "title", "项目批准号": "id", "依托单位": "extra", "负责人": "extra", "金额": "extra", "起止年月": "extra", "总评": "extra", "项目类别": "extra"}}\n' >"$tmp/map.json"
cp "$tmp/v.db" "$tmp/r.db"
R="$VERNIER --db $tmp/r.db"
$R import --map "$tmp/map.json" "$tmp/nssfc.csv" 2>"$tmp/re"
check "emptying re-import refused" "$?" "2"
has "field-level diff" "$tmp/re" "organisation: .* -> (empty)"
check "a refusal points to --replace, not --skip-bad" "$(grep -c -- '--skip-bad' "$tmp/re")" "0"
$R import --map "$tmp/map.json" --replace "$tmp/nssfc.csv" 2>"$tmp/re2"
check "--replace accepts" "$?" "0"
has "--replace: derived id stable under another mapping" "$tmp/re2" "line 4: $did"

# 5. month names and HTML, as NASA writes them
printf 'projectId,title,description,startDate,endDate\n1,Mars entry &amp; heat,Earth&#x27;s <b>atmosphere</b>,Aug 2014,"Sep 30, 2016"\n2,Title missing,N/A,Not Available,TBD\n' >"$tmp/nasa.csv"
$VERNIER --db "$tmp/n.db" --quiet import "$tmp/nasa.csv"
check "nasa import" "$?" "0"
$VERNIER --db "$tmp/n.db" show 1 >"$tmp/n1"
has "entity decoded" "$tmp/n1" '"title":	"Mars entry & heat"'
has "tags removed" "$tmp/n1" "Earth's atmosphere"
has "month-name date" "$tmp/n1" '"start":	"2014-08"'
has "month-day-year date" "$tmp/n1" '"end":	"2016-09-30"'
$VERNIER --db "$tmp/n.db" show 2 --json >"$tmp/n2"
check "placeholder title empty" "$(grep -c '"title"' "$tmp/n2")" "0"

# 6. the panel's columns: export and workbook
$V --quiet score >/dev/null 2>&1
$V export --format csv >"$tmp/e.csv"
has "export header" "$tmp/e.csv" "start,end,acceptance_date,acceptance_conclusion,data_quality"
has "export data quality" "$tmp/e.csv" "2017.00-2019.14"
$V export >"$tmp/e.jsonl"
has "export jsonl conclusion" "$tmp/e.jsonl" '"acceptance_conclusion":"良好"'
$V --quiet report -o "$tmp/r.xlsx" 2>/dev/null
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q ../r.xlsx)
has "workbook conclusion column" "$tmp/x/xl/sharedStrings.xml" "Acceptance conclusion"
has "workbook data-quality column" "$tmp/x/xl/sharedStrings.xml" "Data quality"
has "workbook shows the grade" "$tmp/x/xl/sharedStrings.xml" "良好"

echo "versions: $pass passed, $fail failed"
[ $fail -eq 0 ]
