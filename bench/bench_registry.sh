#!/bin/sh
# bench_registry.sh: registries at scale, each figure beside its anchor timed
# in the same run.
#   import  `vernier registry import` of a 100,000-entry CMC registry and of a
#           100,000-entry laboratory registry (generated: KCDB-shaped CMCs over
#           80 institutes and 12 SI units; CNAS and A2LA numbers), beside
#           `sqlite3 .import` of the same CSV into a plain table.  Goal: each
#           loads in <= 2 s.
#   checks  `vernier score` of REG_N generated records (bench/gen_records.py:
#           indicators with CNAS/A2LA numbers, uncertainties, units), once on
#           a store with no registry (the anchor) and once on the same records
#           with both 100,000-entry registries loaded, so every reference is
#           checked against 200,000 entries.  Goal: checking adds <= 10%.
# Best of three, runs interleaved.  The machine is shared: each figure is
# given as wall time and as CPU time (user + system, /usr/bin/time), with the
# load average; the goals are judged on wall time and, since a loaded machine
# stretches wall time, on CPU time too.  The registries are indexed by the
# first check that needs them, streamed from the store, so the "with" run
# pays for reading 200,000 entries once.  Environment: VERNIER,
# PYTHON, REG_N (default 20000), JOBS (default 2).
VERNIER=${VERNIER:-./vernier}
PYTHON=${PYTHON:-/usr/bin/python3}
N=${REG_N:-20000}
JOBS=${JOBS:-2}
if ! command -v sqlite3 >/dev/null; then
    echo "bench_registry: sqlite3 (the command) not installed, skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PYTHON" - "$tmp" <<'PY' || exit 1
import csv, random, sys
d = sys.argv[1]
r = random.Random(16)
units = [("K", 0.01, 3000), ("m", 1e-9, 100), ("kg", 1e-9, 1000), ("s", 1e-12, 1e5),
         ("Pa", 1e-3, 1e9), ("V", 1e-6, 1e6), ("A", 1e-9, 1e4), ("Hz", 1e-3, 1e12),
         ("W", 1e-6, 1e6), ("lx", 1e-3, 1e5), ("mol", 1e-9, 10), ("N", 1e-3, 1e7)]
nmis = ["NMI%02d" % i for i in range(80)]
with open(d + "/cmc.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["KCDB code", "NMI code", "Quantity", "Range min", "Range max", "Unit",
                "Uncertainty", "Uncertainty unit", "k", "Status"])
    for i in range(100000):
        u, lo, hi = r.choice(units)
        a = lo * (hi / lo) ** r.random()
        b = a * (1 + 100 * r.random())
        rel = r.random() < 0.5
        unc = ("%.3g" % (r.uniform(1e-6, 1e-2) * 100), "%") if rel else ("%.3g" % (a * r.uniform(1e-6, 1e-3)), u)
        w.writerow(["APMP-XX-%06d" % i, r.choice(nmis), "quantity %s" % u, "%.6g" % a, "%.6g" % b,
                    u, unc[0], unc[1], "2", "Published"])
scopes = ["温度; 压力", "长度; 几何量", "电学", "质量; 力值", "时间频率", "化学成分", "光学", "声学"]
with open(d + "/labs.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["注册号", "实验室名称", "认可范围", "认可日期", "有效期至", "状态"])
    for i in range(100000):
        code = "CNAS L%d" % (1000 + i) if i < 50000 else "A2LA %d.%02d" % (1000 + (i - 50000) // 99 % 9000, (i - 50000) % 99 + 1)
        y = r.randint(2010, 2022)
        w.writerow([code, "实验室%d" % i, r.choice(scopes), "%d-01-01" % y, "%d-12-31" % (y + 6),
                    "有效"])
PY
"$PYTHON" bench/gen_records.py --n "$N" --seed 16 --out "$tmp/recs" >/dev/null || exit 1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
# cpu CMD...: runs CMD (its output dropped), prints its CPU seconds (user + system)
cpu() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >/dev/null && awk '{ printf "%.3f", $1 + $2 }' "$tmp/cpu"
    else
        "$@" >/dev/null && printf 0
    fi
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

sq_c= im_c= sq_l= im_l= cq_c= ci_c= cq_l= ci_l=
for round in 1 2 3; do
    rm -f "$tmp"/s.db* "$tmp"/v.db*
    t0=$(now)
    c0=$(cpu sqlite3 "$tmp/s.db" ".mode csv" ".import '$tmp/cmc.csv' cmc") || exit 1
    t1=$(now)
    c1=$(cpu "$VERNIER" --db "$tmp/v.db" -q registry import "$tmp/cmc.csv" --kind cmc) || exit 1
    t2=$(now)
    c2=$(cpu sqlite3 "$tmp/s.db" ".mode csv" ".import '$tmp/labs.csv' labs") || exit 1
    t3=$(now)
    c3=$(cpu "$VERNIER" --db "$tmp/v.db" -q registry import "$tmp/labs.csv" --kind lab) || exit 1
    t4=$(now)
    sq_c=$(best "$sq_c" "$(secs "$t0" "$t1")")
    im_c=$(best "$im_c" "$(secs "$t1" "$t2")")
    sq_l=$(best "$sq_l" "$(secs "$t2" "$t3")")
    im_l=$(best "$im_l" "$(secs "$t3" "$t4")")
    cq_c=$(best "$cq_c" "$c0")
    ci_c=$(best "$ci_c" "$c1")
    cq_l=$(best "$cq_l" "$c2")
    ci_l=$(best "$ci_l" "$c3")
done
awk -v a="$im_c" -v b="$sq_c" -v c="$im_l" -v d="$sq_l" -v e="$ci_c" -v f="$cq_c" -v g="$ci_l" -v h="$cq_l" 'BEGIN {
    printf "registry import, 100,000 CMCs:  vernier %.2f s (CPU %.2f s)   sqlite3 .import %.2f s (CPU %.2f s)   %.1fx   goal <= 2 s: %s\n", a, e, b, f, a / b, a <= 2 ? "met" : "NOT MET"
    printf "registry import, 100,000 labs:  vernier %.2f s (CPU %.2f s)   sqlite3 .import %.2f s (CPU %.2f s)   %.1fx   goal <= 2 s: %s\n", c, g, d, h, c / d, c <= 2 ? "met" : "NOT MET" }'

# The run with and without the registries, on the same records.
cp "$tmp/v.db" "$tmp/with.db"
"$VERNIER" --db "$tmp/with.db" -q import "$tmp/recs.jsonl" >/dev/null || exit 1
"$VERNIER" --db "$tmp/without.db" -q import "$tmp/recs.jsonl" >/dev/null || exit 1
s_without= s_with= c_without= c_with=
for round in 1 2 3; do
    t0=$(now)
    c0=$(cpu "$VERNIER" --db "$tmp/without.db" --jobs "$JOBS" -q score) || exit 1
    t1=$(now)
    c1=$(cpu "$VERNIER" --db "$tmp/with.db" --jobs "$JOBS" -q score) || exit 1
    t2=$(now)
    s_without=$(best "$s_without" "$(secs "$t0" "$t1")")
    s_with=$(best "$s_with" "$(secs "$t1" "$t2")")
    c_without=$(best "$c_without" "$c0")
    c_with=$(best "$c_with" "$c1")
done
checks=$(sqlite3 "$tmp/with.db" "SELECT count(*) FROM reg_checks WHERE run_id = (SELECT max(id) FROM runs)")
verdicts=$(sqlite3 "$tmp/with.db" "SELECT group_concat(verdict || ' ' || n, ', ') FROM (SELECT verdict, count(*) n FROM reg_checks WHERE run_id = (SELECT max(id) FROM runs) GROUP BY verdict)")
awk -v a="$s_with" -v b="$s_without" -v n="$N" -v c="$checks" -v v="$verdicts" -v ca="$c_with" -v cb="$c_without" 'BEGIN {
    printf "score, %d records, 200,000 registry entries: %.2f s with the checks, %.2f s without (anchor): +%.1f%%   goal <= 10%%: %s\n", n, a, b, (a / b - 1) * 100, a <= b * 1.10 ? "met" : "NOT MET"
    printf "  CPU: %.2f s with, %.2f s without: +%.1f%%   goal <= 10%% in CPU: %s\n", ca, cb, (ca / cb - 1) * 100, ca <= cb * 1.10 ? "met" : "NOT MET"
    printf "  %d checks: %s\n", c, v }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
