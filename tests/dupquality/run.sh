#!/bin/sh
# dupquality: the quality of eng_dup on generated and real corpora.
#
# 1. gen_corpus.py corpora (English and Chinese, 20,000 records, 2% planted
#    near-copies with 10% of tokens edited): recall of the planted pairs
#    >= 0.99 and precision 1.0, scored with eval_pairs.py.
# 2. Partial copies planted here into 3,000 English records: a record
#    embedded in a larger one (1.5x, 2x, 3x, 4x its size, contiguous or
#    interleaved with new material) or cut to its first half: recall >= 0.99
#    up to the contain_ratio (2), the right side flagged as contained; the
#    larger ratios are reported, not required.
# 3. The SBIR Phase II awards: every group of awards with an identical
#    abstract (one that has a word in it) is found, every pair of the group.
#
# Runs with the default parameters (eng_dup_params_default) and 2 jobs.
# Environment: BUILD, SHARED (default ../shared), PYTHON (default
# /usr/bin/python3).  Ends with "dupquality: N passed, N failed", or
# "dupquality: SKIPPED (why)" when $SHARED/tools is absent.
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
TOOLS=$SHARED/tools
SBIR=$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv

if [ ! -f "$TOOLS/gen_corpus.py" ] || [ ! -f "$TOOLS/eval_pairs.py" ]; then
    echo "dupquality: SKIPPED ($TOOLS/gen_corpus.py or eval_pairs.py not found)"
    exit 0
fi
# the driver; under `make asan` MAKEFLAGS carries the sanitizer settings
make --no-print-directory -s "$BUILD/bench/dup_pairs" >/dev/null 2>&1 || [ -x "$BUILD/bench/dup_pairs" ] || {
    echo "dupquality: FAIL cannot build $BUILD/bench/dup_pairs"
    echo "dupquality: 0 passed, 1 failed"
    exit 1
}
DRIVER=$BUILD/bench/dup_pairs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { # check NAME CONDITION-EXIT-STATUS DETAIL
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
        echo "dupquality: ok $1: $3"
    else
        failed=$((failed + 1))
        echo "dupquality: FAIL $1: $3"
    fi
}

# ---- 1. planted near-copies -----------------------------------------------------
for lang in en zh; do
    "$PYTHON" "$TOOLS/gen_corpus.py" --n 20000 --lang $lang --edit-rate 0.10 --seed 42 \
        --out "$work/$lang" 2>"$work/$lang.gen"
    figures=$("$DRIVER" --jobs 2 --out "$work/$lang.pred.csv" "$work/$lang.csv")
    score=$("$PYTHON" "$TOOLS/eval_pairs.py" --truth "$work/$lang.pairs.csv" \
        --pred "$work/$lang.pred.csv")
    echo "dupquality: $lang corpus: $(cat "$work/$lang.gen")"
    echo "dupquality: $lang figures: $figures"
    echo "dupquality: $lang score: $score"
    echo "$score" | "$PYTHON" -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["recall"] >= 0.99 else 1)'
    check "$lang recall >= 0.99" $? "$(echo "$score" | sed 's/.*"recall": \([0-9.]*\).*/\1/')"
    echo "$score" | "$PYTHON" -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["precision_vs_planted"] == 1.0 else 1)'
    check "$lang precision 1.0" $? \
        "$(echo "$score" | sed 's/.*"precision_vs_planted": \([0-9.]*\).*/\1/')"
done

# ---- 2. planted partial copies ------------------------------------------------------
"$PYTHON" - "$work/en.csv" "$work/en.pairs.csv" "$work/partial.csv" "$work/partial.truth" <<'EOF'
# Records of the English corpus outside its planted pairs: 3,000 go in,
# the next 5,000 only lend new material.  Each of 320 sources gets one
# partial copy: embedded in new material of R times its length (contiguous
# or interleaved by sentence), or its first half.
import csv, random, sys
csv.field_size_limit(1 << 30)
planted = {x for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))
           for x in (r["id_a"], r["id_b"])}
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
        if r["id"] not in planted]
rng = random.Random(5)
base, filler = rows[:3000], rows[3000:8000]
fi = 0
def text(r):
    return r["title"] + ". " + r["abstract"]
def new_material(nchars):
    global fi
    out = []
    while sum(len(x) for x in out) < nchars:
        out.append(filler[fi % len(filler)]["abstract"])
        fi += 1
    return " ".join(out)[:nchars]
out = [(r["id"], r["title"], r["abstract"]) for r in base]
truth = []
kinds = [("embed", 1.5), ("embed", 2.0), ("embed", 3.0), ("embed", 4.0),
         ("interleave", 1.5), ("interleave", 2.0), ("half", 2.0)]
for i in range(320):
    kind, ratio = kinds[i % len(kinds)]
    src = base[i]
    s = text(src)
    if kind == "half":
        words = s.split()
        t = " ".join(words[: len(words) // 2])
        contained = "copy"  # the copy is inside the source
    elif kind == "embed":
        extra = new_material(int(len(s) * (ratio - 1)))
        cut = rng.randrange(len(extra) + 1)
        cut = extra.rfind(" ", 0, cut) + 1
        t = extra[:cut] + " " + s + " " + extra[cut:]
        contained = "source"
    else:
        extra = new_material(int(len(s) * (ratio - 1))).split(". ")
        sents = s.split(". ")
        mixed = []
        for k, x in enumerate(sents):
            mixed.append(x)
            if extra and k % 2 == 1:
                mixed.append(extra.pop())
        mixed.extend(extra)
        t = ". ".join(mixed)
        contained = "source"
    cid = "Q%05d" % i
    out.append((cid, "", t))
    truth.append((src["id"], cid, kind, ratio, contained))
rng.shuffle(out)
with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "abstract"])
    w.writerows(out)
with open(sys.argv[4], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["source", "copy", "kind", "ratio", "contained"])
    w.writerows(truth)
EOF
figures=$("$DRIVER" --jobs 2 --out "$work/partial.pred.csv" "$work/partial.csv")
echo "dupquality: partial figures: $figures"
"$PYTHON" - "$work/partial.truth" "$work/partial.pred.csv" >"$work/partial.out" <<'EOF'
import csv, sys
truth = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
pred = {}
for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    pred[tuple(sorted((r["id_a"], r["id_b"])))] = r
by = {}
ok_small = bad_flags = 0
small = 0
for t in truth:
    a, b = sorted((t["source"], t["copy"]))
    p = pred.get((a, b))
    key = "%s x%s" % (t["kind"], t["ratio"])
    s = by.setdefault(key, [0, 0])
    s[0] += 1
    if p:
        s[1] += 1
        inner = t["source"] if t["contained"] == "source" else t["copy"]
        want = "a_in_b" if inner == p["id_a"] else "b_in_a"
        if p["contained"] and p["contained"] != want:
            bad_flags += 1
        if not p["contained"] and float(p["jaccard"]) < 0.5:
            bad_flags += 1
    if float(t["ratio"]) <= 2.0:
        small += 1
        ok_small += p is not None
planted = {tuple(sorted((t["source"], t["copy"]))) for t in truth}
extra = [k for k in pred if k not in planted]
print("recall by kind: " + ", ".join("%s %d/%d" % (k, v[1], v[0]) for k, v in sorted(by.items())))
print("recall up to ratio 2: %d/%d" % (ok_small, small))
print("wrong flags: %d" % bad_flags)
print("extra pairs: %d" % len(extra))
sys.exit(0 if ok_small >= 0.99 * small and bad_flags == 0 and not extra else 1)
EOF
status=$?
sed 's/^/dupquality: partial /' "$work/partial.out"
check "partial copies up to ratio 2 found and flagged, nothing else" $status \
    "$(grep 'up to ratio' "$work/partial.out")"

# ---- 3. SBIR: identical abstracts -----------------------------------------------------
if [ -f "$SBIR" ]; then
    figures=$("$DRIVER" --jobs 2 --cols sbir_id,abstract --out "$work/sbir.pred.csv" "$SBIR")
    echo "dupquality: sbir figures: $figures"
    "$PYTHON" - "$SBIR" "$work/sbir.pred.csv" >"$work/sbir.out" <<'EOF'
import csv, itertools, re, sys
csv.field_size_limit(1 << 30)
groups = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if re.search(r"\w", r["abstract"]):  # an abstract with no word has nothing to compare
        groups.setdefault(r["abstract"], []).append(r["sbir_id"])
groups = [g for g in groups.values() if len(g) > 1]
pred = set()
for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    pred.add(tuple(sorted((r["id_a"], r["id_b"]))))
need = [tuple(sorted(p)) for g in groups for p in itertools.combinations(g, 2)]
missing = [p for p in need if p not in pred]
whole = sum(1 for g in groups
            if all(tuple(sorted(p)) in pred for p in itertools.combinations(g, 2)))
print("identical-abstract groups found whole: %d/%d (%d pairs, %d missing); %d pairs flagged in all"
      % (whole, len(groups), len(need), len(missing), len(pred)))
sys.exit(0 if not missing else 1)
EOF
    status=$?
    sed 's/^/dupquality: sbir /' "$work/sbir.out"
    check "sbir identical abstracts" $status "$(cat "$work/sbir.out")"
else
    echo "dupquality: sbir skipped: $SBIR not found"
fi

echo "dupquality: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
