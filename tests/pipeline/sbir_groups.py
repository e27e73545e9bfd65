# Every group of SBIR awards with an identical abstract (ignoring case and
# white space, 50 characters or more) must be connected by the run's pairs.
# usage: sbir_groups.py STORE.db SBIR.csv
import csv, sys, sqlite3, re, collections
csv.field_size_limit(10**9)
rows = list(csv.DictReader(open(sys.argv[2], encoding='utf-8')))
groups = collections.defaultdict(list)
for r in rows:
    a = re.sub(r'\s+', ' ', r['abstract']).strip().lower()
    if len(a) < 50: continue
    groups[a].append(r['sbir_id'])
db = sqlite3.connect(sys.argv[1])
pairs = set()
for a, b in db.execute("select a,b from pairs where run_id=(select max(id) from runs)"):
    pairs.add((a, b)); pairs.add((b, a))
# union-find over pairs: a group is found when all its members are connected
parent = {}
def find(x):
    while parent.get(x, x) != x:
        x = parent[x]
    return x
for a, b in pairs:
    ra, rb = find(a), find(b)
    if ra != rb: parent[ra] = rb
ng = 0; missed = []
for a, ids in groups.items():
    if len(ids) < 2: continue
    ng += 1
    roots = {find(i) for i in ids}
    if len(roots) > 1: missed.append(ids)
print("groups with identical abstracts:", ng, "not fully connected:", len(missed))
for m in missed[:5]: print(m)
