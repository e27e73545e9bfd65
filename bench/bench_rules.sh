#!/bin/sh
# Rule-scanning throughput of the rule library over the SBIR abstracts,
# beside `pcre2grep -u -i -c -f` with the same patterns over the same text,
# both on one thread and timed in the same run (CPU seconds, best of three).
#
# The rule set is rules/default, or research/draft-rules.json when the
# default set does not load.  Every rule with a pattern becomes a rule on
# the value "text", caseless like pcre2grep -i, with its `when`, scope and
# scheme dropped: every pattern is matched against every abstract, as
# pcre2grep does.  vernier does more than pcre2grep -c, which stops at the
# first pattern that matches a line: it finds every rule's leftmost match
# and applies negation.  The run also checks that the literal prefilter
# changes no hit: the first 5000 abstracts again without it (plain PCRE2
# searches, slow) must give the same hits.
#
# Environment: BUILD (object folder), SHARED (../shared), PYTHON.
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
csv="$SHARED/data/us-sbir-awards/sbir_phase2_2006-2018.csv"
bench="$BUILD/bench/bench_rules"
if [ ! -f "$csv" ]; then
    echo "bench_rules: $csv not found, skipped"
    exit 0
fi
if ! command -v pcre2grep >/dev/null; then
    echo "bench_rules: pcre2grep not installed (pcre2-utils), skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one abstract per line, inner line breaks as spaces
"$PYTHON" - "$csv" "$tmp/abstracts.txt" <<'EOF' || exit 1
import csv, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline='', encoding='utf-8') as f, \
        open(sys.argv[2], 'w', encoding='utf-8') as out:
    rows = csv.reader(f)
    col = next(rows).index('abstract')
    for row in rows:
        text = ' '.join(row[col].split('\n')).replace('\r', ' ').strip()
        if text:
            out.write(text + '\n')
EOF

# the rule set and the pattern file
convert() {
    "$PYTHON" - "$1" "$tmp/set.json" "$tmp/pats.txt" <<'EOF'
import glob, json, os, sys
src, set_out, pats_out = sys.argv[1:4]
if os.path.isdir(src):
    header = json.load(open(os.path.join(src, 'set.json'), encoding='utf-8'))
    rules = []
    for f in sorted(glob.glob(os.path.join(src, '*.json'))):
        rules += json.load(open(f, encoding='utf-8')).get('rules', [])
    name = header['name']
    negation = header.get('negation')
else:
    draft = json.load(open(src, encoding='utf-8'))
    rules, name, negation = draft['rules'], 'draft-rules', None
out, pats = [], []
for r in rules:
    p = r.get('pattern')
    if not p or '\n' in p:
        continue
    o = {'id': r['id'], 'dimension': 'novelty', 'fields': ['text'], 'pattern': p,
         'flags': sorted(set(r.get('flags', [])) | {'caseless'}),
         'negatable': bool(r.get('negatable')), 'why': 'bench'}
    out.append(o)
    pats.append(p)
s = {'name': name, 'version': 'bench', 'rules': out}
if negation:
    s['negation'] = negation
json.dump(s, open(set_out, 'w', encoding='utf-8'), ensure_ascii=False)
open(pats_out, 'w', encoding='utf-8').write('\n'.join(pats) + '\n')
EOF
}
convert rules/default && "$bench" scan "$tmp/set.json" "$tmp/abstracts.txt" >"$tmp/out" 2>"$tmp/err"
if [ $? -gt 1 ]; then
    echo "bench_rules: rules/default does not load; using research/draft-rules.json"
    convert "$SHARED/research/draft-rules.json" || exit 1
    "$bench" scan "$tmp/set.json" "$tmp/abstracts.txt" >"$tmp/out" 2>"$tmp/err"
fi
status=$?
cat "$tmp/out"
[ -s "$tmp/err" ] && cat "$tmp/err"
echo "patterns: $(wc -l <"$tmp/pats.txt") (the same for pcre2grep)"

# pcre2grep, CPU seconds of the child, best of three
"$PYTHON" - "$tmp/pats.txt" "$tmp/abstracts.txt" >"$tmp/grep" <<'EOF'
import resource, subprocess, sys
best, lines = None, None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(['pcre2grep', '-u', '-i', '-c', '-f', sys.argv[1], sys.argv[2]],
                       capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = secs if best is None or secs < best else best
    lines = r.stdout.strip()
    if r.stderr:
        sys.stderr.write(r.stderr[:500])
print('pcre2grep_seconds:', '%.3f' % best)
print('pcre2grep_lines:', lines)
EOF
cat "$tmp/grep"

awk -v size="$(wc -c <"$tmp/abstracts.txt")" '
    /^vernier_seconds:/ { v = $2 }
    /^raw_lines:/ { raw = $2 }
    /^pcre2grep_seconds:/ { g = $2 }
    /^pcre2grep_lines:/ { gl = $2 }
    END {
        mb = size / 1e6
        ok = (g / v >= 5) ? "met" : "NOT met"
        printf "rules: vernier %.1f MB/s, pcre2grep -u -i -f %.1f MB/s, %.1fx (goal 5x: %s)\n",
            mb / v, mb / g, g / v, ok
        printf "rules: lines with a match: vernier %d (negation off), pcre2grep %d\n", raw, gl
    }' "$tmp/out" "$tmp/grep"
grep -q '^prefilter_identical: yes' "$tmp/out" || status=1
exit $status
