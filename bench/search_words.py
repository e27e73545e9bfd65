# Compare vernier search totals with a direct substring / whole-word count over
# the same store (title + abstract), for 1- and 2-character Chinese words alone
# and in pairs, and Latin words.  Baseline: the old behaviour (FTS only for
# words >= 3 characters, a literal instr of the whole query otherwise).
import sqlite3, subprocess, re, collections, time, sys
db = sys.argv[1]
con = sqlite3.connect(db)
rows = [(t or '', a or '') for t, a in con.execute("select title, json_extract(record_json,'$.abstract') from projects")]
cnt = collections.Counter()
for t, _ in rows:
    for i in range(len(t) - 1):
        bg = t[i:i+2]
        if all('\u4e00' <= c <= '\u9fff' for c in bg):
            cnt[bg] += 1
top = [w for w, _ in cnt.most_common(40)]
queries = top[:10] + [top[i] + ' ' + top[j] for i, j in [(0,5),(1,6),(2,7),(3,8),(4,9),(10,20),(11,21),(12,22)]] + ['管', '中国 管', 'AI', 'HIV', 'IT', 'R&D']
def truth(q):
    ws = q.split()
    n = 0
    for t, a in rows:
        ok = True
        for w in ws:
            if re.match(r'[A-Za-z0-9]', w):
                pat = (r'(?<![A-Za-z0-9])' if re.match(r'[A-Za-z0-9]', w[0]) else '') + re.escape(w) + (r'(?![A-Za-z0-9])' if re.match(r'[A-Za-z0-9]', w[-1]) else '')
                if not (re.search(pat, t, re.I) or re.search(pat, a, re.I)): ok = False; break
            elif w not in t and w not in a: ok = False; break
        n += ok
    return n
bad = 0; total_t = 0
for q in queries:
    t0 = time.time()
    p = subprocess.run([sys.argv[2], '--db', db, 'search', q, '--limit', '1'], capture_output=True, text=True)
    dt = time.time() - t0; total_t += dt
    m = re.search(r'\((\d+) in all\)', p.stderr)
    got = int(m.group(1)) if m else len(p.stdout.splitlines())
    old = sum(1 for t, a in rows if q in t or q in a) if any(len(w) < 3 for w in q.split()) else None
    want = truth(q)
    bad += got != want
    print(f"{q!r:20} vernier {got:5}  truth {want:5}  old-literal {old if old is not None else '-':>5}  {dt*1000:.0f} ms")
print(f"{len(queries)} queries, {bad} differ from the direct count; mean {total_t/len(queries)*1000:.0f} ms per search over {len(rows)} records")
