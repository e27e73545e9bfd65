#!/bin/sh
# The end-to-end benchmark: `vernier evaluate` of BENCH_N generated records
# (bench/gen_records.py: Chinese, English and bilingual, with acceptance
# summaries, indicators and planted copies), stage by stage (--profile: wall
# time and peak memory of import, load, rules, duplicates, store, workbook),
# beside anchors timed in the same run on the same records:
#   import      sqlite3 .import of the same text as CSV (id, title, abstract,
#               summary) into one table
#   rules       pcre2grep -u -i -c -f with the patterns of rules/default over
#               the same text, one record a line, one thread
#   duplicates  exact all-pairs (dup_pairs --exact, one thread) on a sample
#               of DUP_SAMPLE records, and that time scaled by (N/sample)^2
#   workbook    a plain libxlsxwriter program writing the Projects cells of
#               N projects (bench_workbook's anchor)
# then the next year: BENCH_NEXT (5%) new records evaluated into the same
# store, timed the same way.  Writes the table to bench/results.md with the
# machine and the date.
#
# Environment: BENCH_N (default 100000), BENCH_DIR (where the corpus and
# the stores go; default /tmp/vernier-bench), VERNIER, BUILD, PYTHON, JOBS.
N=${BENCH_N:-100000}
DIR=${BENCH_DIR:-/tmp/vernier-bench}
VERNIER=${VERNIER:-./vernier}
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
SAMPLE=${DUP_SAMPLE:-2000}
NEXT=$((N / 20))
RESULTS=${BENCH_RESULTS:-bench/results.md}
mkdir -p "$DIR" || exit 1
load_before=$(cut -d' ' -f1 /proc/loadavg)
corpus="$DIR/r$N"
gen_sum=$(md5sum bench/gen_records.py | cut -c1-8)

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }
# peak RSS in MiB of a command, from /usr/bin/time -v
peak() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

if [ ! -f "$corpus.jsonl" ] || [ "$(cat "$corpus.gen" 2>/dev/null)" != "$gen_sum" ]; then
    t0=$(now)
    "$PYTHON" bench/gen_records.py --n "$N" --seed 1 --out "$corpus" || exit 1
    "$PYTHON" bench/gen_records.py --n "$NEXT" --first "$N" --seed 2 --out "$corpus.next" || exit 1
    echo "$gen_sum" >"$corpus.gen"
    echo "corpus: gen_records.py --n $N took $(secs "$t0" "$(now)") s"
fi
in_bytes=$(wc -c <"$corpus.jsonl")
echo "corpus: $N records, $(awk -v b="$in_bytes" 'BEGIN {printf "%.1f MB", b / 1e6}') of JSONL ($corpus.jsonl)"

# ---- vernier evaluate, stage by stage ----
db="$DIR/bench.db"
rm -f "$db" "$db-wal" "$db-shm" "$DIR/report.xlsx"
jobs=${JOBS:+--jobs $JOBS}
t0=$(now)
/usr/bin/time -v "$VERNIER" --db "$db" $jobs --profile -q evaluate "$corpus.jsonl" \
    -o "$DIR/report.xlsx" 2>"$DIR/evaluate.err"
status=$?
total=$(secs "$t0" "$(now)")
if [ $status -ne 0 ]; then
    echo "bench_e2e: vernier evaluate failed ($status):"
    grep -v '^\s' "$DIR/evaluate.err" | tail -5
    exit 1
fi
total_peak=$(peak "$DIR/evaluate.err")
cpu_of() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.1f", s}' "$1"; }
total_cpu=$(cpu_of "$DIR/evaluate.err")
next_peak_of() { awk '$1 == "vernier:" && $2 == "profile:" {print $7}' "$1" | sort -n | tail -1; }
db_bytes() { echo $(($(wc -c <"$db") + $( [ -f "$db-wal" ] && wc -c <"$db-wal" || echo 0))); }
store_plain=$(db_bytes)
# The full-text index is built by the first search after an import: build it,
# so that the store is measured as a user's store is, index included.
t0=$(now)
"$VERNIER" --db "$db" -q search "the" >/dev/null 2>&1
fts_time=$(secs "$t0" "$(now)")
store_bytes=$(db_bytes)
# where the space goes: the largest tables and indexes (dbstat)
space=$(sqlite3 "$db" "SELECT printf('%s %.0f MiB', name, SUM(pgsize) / 1048576.0)
    FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC LIMIT 6" 2>/dev/null | paste -sd, - |
    sed 's/,/, /g')
book_bytes=$(wc -c <"$DIR/report.xlsx" 2>/dev/null || echo 0)
stage() { awk -v s="$1" '$3 == s {print $4, $7}' "$DIR/evaluate.err"; }

# ---- anchors ----
rm -f "$DIR/anchor.db"
/usr/bin/time -v sh -c "sqlite3 '$DIR/anchor.db' '.import --csv $corpus.csv t'" 2>"$DIR/sqlite.err"
sq_time=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$DIR/sqlite.err")
rm -f "$DIR/anchor.db"

"$PYTHON" - "$corpus.csv" "$DIR/text.txt" "$DIR/pats.txt" <<'PYEOF' || exit 1
import csv, glob, json, os, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline='', encoding='utf-8') as f, \
        open(sys.argv[2], 'w', encoding='utf-8') as out:
    rows = csv.reader(f)
    next(rows)
    for r in rows:
        out.write(' '.join(' '.join(r[1:]).split()) + '\n')
pats = []
for fn in sorted(glob.glob('rules/default/*.json')):
    for r in json.load(open(fn, encoding='utf-8')).get('rules', []):
        p = r.get('pattern')
        if p and '\n' not in p:
            pats.append(p)
open(sys.argv[3], 'w', encoding='utf-8').write('\n'.join(pats) + '\n')
PYEOF
t0=$(now)
pcre2grep -u -i -c -f "$DIR/pats.txt" "$DIR/text.txt" >/dev/null
grep_time=$(secs "$t0" "$(now)")

"$BUILD/bench/dup_pairs" --exact --limit "$SAMPLE" --cols id,title,abstract "$corpus.csv" \
    >"$DIR/exact.json" 2>/dev/null
exact_s=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["exact_s"])' \
    "$DIR/exact.json" 2>/dev/null)
exact_all=$(awk -v t="$exact_s" -v n="$N" -v s="$SAMPLE" 'BEGIN {printf "%.0f", t * (n / s) ^ 2}')

plain_book=$("$BUILD/bench/bench_workbook" "$N" 1 2>/dev/null |
    awk '/plain libxlsxwriter/ {print $(NF-1); exit}')

# ---- the next year: NEXT new records into the same store ----
t0=$(now)
/usr/bin/time -v "$VERNIER" --db "$db" $jobs --profile -q evaluate "$corpus.next.jsonl" \
    -o "$DIR/report-next.xlsx" 2>"$DIR/next.err"
next_total=$(secs "$t0" "$(now)")
next_peak=$(next_peak_of "$DIR/next.err")

# ---- the table ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3gx", a / b; else print "-"}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.0f MiB", b / 1048576}'; }
set -- $(stage import); imp_t=$1 imp_m=$2
set -- $(stage load); load_t=$1 load_m=$2
set -- $(stage rules); rul_t=$1 rul_m=$2
set -- $(stage duplicates); dup_t=$1 dup_m=$2
set -- $(stage store); sto_t=$1 sto_m=$2
set -- $(stage workbook); wb_t=$1 wb_m=$2
# the peak of the whole run: the highest stage peak (--profile resets the
# kernel's high-water mark at each stage, which /usr/bin/time reads too)
total_peak=$(printf '%s\n' "$imp_m" "$load_m" "$rul_m" "$dup_m" "$sto_m" "$wb_m" "$total_peak" |
    sort -n | tail -1)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
{
    echo "# make bench: the end-to-end run (bench/bench_e2e.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $cpu, $(nproc) cores (shared), $mem;"
    echo "vernier $(git rev-parse --short HEAD 2>/dev/null), BENCH_N=$N records of"
    echo "bench/gen_records.py (seed 1; $(awk -v b="$in_bytes" 'BEGIN {printf "%.1f MB", b / 1e6}') of JSONL)."
    echo "Load average $load_before before the run, $(cut -d' ' -f1 /proc/loadavg) after: times are wall"
    echo "clock and grow with the load of the other users of the machine; the anchors share it."
    echo
    echo "| stage | vernier time | peak memory | anchor, same run | ratio |"
    echo "|---|---|---|---|---|"
    echo "| import | $imp_t s | $imp_m MiB | sqlite3 .import of the text as CSV: $sq_time s | $(ratio "$imp_t" "$sq_time") |"
    echo "| load (rule set, records) | $load_t s | $load_m MiB | | |"
    echo "| rules | $rul_t s | $rul_m MiB | pcre2grep -u -i -c -f (same patterns, same text, 1 thread): $grep_time s | $(ratio "$rul_t" "$grep_time") |"
    echo "| duplicates | $dup_t s | $dup_m MiB | exact all-pairs on $SAMPLE records: $exact_s s, scaled to $N: $exact_all s | $(ratio "$dup_t" "$exact_all") |"
    echo "| store | $sto_t s | $sto_m MiB | | |"
    echo "| workbook | $wb_t s | $wb_m MiB | plain libxlsxwriter, Projects cells only: $plain_book s | $(ratio "$wb_t" "$plain_book") |"
    echo "| **total** | **$total s** ($total_cpu s of CPU) | **$total_peak MiB** | goals: 100k <= 400 MiB, 1M <= 2 GiB and 3 min | |"
    echo
    echo "Store $(mib "$store_bytes") for $(mib "$in_bytes") of input: $(ratio "$store_bytes" "$in_bytes") with the full-text index (goal 1.5x);"
    echo "$(mib "$store_plain") ($(ratio "$store_plain" "$in_bytes")) before the first search built the index ($fts_time s)."
    echo "Largest parts: ${space:-dbstat not available}. Workbook $(mib "$book_bytes")."
    echo "The next year: $NEXT new records into the same store: $next_total s, peak $next_peak MiB ($(awk -v a="$next_total" -v b="$total" 'BEGIN {printf "%.0f%%", 100 * a / b}') of the first run)."
} >"$RESULTS"
cat "$RESULTS"
