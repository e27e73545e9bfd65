#!/bin/sh
# Registries on real data and across formats:
#   - the real KCDB and CRM samples in $SHARED/data/metrology-registries
#     (read at run time, never copied) import whole, and again as a no-op;
#   - a registry read from CSV, JSON and XLSX has one version (the hash is
#     taken over the entries, not the file).
# Prints "registry: N passed, N failed" (or SKIPPED parts).
VERNIER=${VERNIER:-./vernier}
PYTHON=${PYTHON:-python3}
SHARED=${SHARED:-../shared}
ROOT=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL registry: $1"; }
version() { # FILE KIND NAME -> the version's sha256 prefix from the summary line
    "$VERNIER" --db "$tmp/v.db" registry import "$1" --kind "$2" --name "$3" 2>&1 >/dev/null |
        sed -n 's/.*version \([0-9a-f]\{12\}\).*/\1/p' | head -1
}

data="$SHARED/data/metrology-registries"
if [ -f "$data/cmc.jsonl" ]; then
    out=$("$VERNIER" --db "$tmp/s.db" registry import "$data/cmc.jsonl" --kind cmc 2>&1)
    case "$out" in *"466 entries"*) ok ;; *) bad "KCDB sample: $out" ;; esac
    out=$("$VERNIER" --db "$tmp/s.db" registry import "$data/cmc.jsonl" --kind cmc 2>&1)
    case "$out" in *"nothing changed"*) ok ;; *) bad "KCDB sample again: $out" ;; esac
    out=$("$VERNIER" --db "$tmp/s.db" registry import "$data/crm.jsonl" --kind crm 2>&1)
    case "$out" in *"1 entries"*) ok ;; *) bad "CRM sample: $out" ;; esac
    out=$("$VERNIER" --db "$tmp/s.db" registry show cmc --code APMP-RI-JP-00000HSE-1)
    case "$out" in *"2000 to 200000 Bq"*"U = 4 %"*) ok ;; *) bad "KCDB entry: $out" ;; esac
else
    echo "registry-shared: SKIPPED ($data is absent)"
fi

# One registry, three formats, one version.
csv="$ROOT/examples/registries/standards.csv"
a=$(version "$csv" standard std-csv)
"$PYTHON" - "$csv" "$tmp/std.json" "$tmp/std.xlsx" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
head, body = rows[0], rows[1:]
json.dump([{k: v for k, v in zip(head, r) if v} for r in body], open(sys.argv[2], "w"),
          ensure_ascii=False)
try:
    import openpyxl
except ImportError:
    sys.exit(0)
wb = openpyxl.Workbook()
for r in rows:
    wb.active.append(r)
wb.save(sys.argv[3])
PY
b=$(version "$tmp/std.json" standard std-json)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "CSV and JSON versions differ: $a $b"
if [ -f "$tmp/std.xlsx" ]; then
    c=$(version "$tmp/std.xlsx" standard std-xlsx)
    [ "$a" = "$c" ] && ok || bad "CSV and XLSX versions differ: $a $c"
else
    echo "registry-xlsx: SKIPPED (python3-openpyxl is not installed)"
fi
echo "registry: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
