"""Readings of validity/dup, each beside the unweighted baseline of the same run."""
import csv
import json
import os
import random
import re
import sqlite3
import sys

csv.field_size_limit(1 << 30)
tmp, sbir_csv, nsfc_groups = sys.argv[1:4]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL validity/dup:", what)


def norm(s):
    return re.sub(r"[\W_]+", " ", (s or "").lower()).strip()


PLACEHOLDER = {"not available", "not avaiable", "n a", "tbd", "in process for public release", ""}


def runs(db):
    c = sqlite3.connect(db)
    ids = [r[0] for r in c.execute("SELECT id FROM runs ORDER BY id")]
    return c, ids[0], ids[1]  # none, idf


def pairs(c, run):
    return list(c.execute("SELECT a, b, kind, jaccard, containment, grp FROM pairs WHERE run_id=?",
                          (run,)))


def group_of(ps):
    g = {}
    for a, b, _, _, _, grp in ps:
        g[a] = grp
        g[b] = grp
    return g


def joined(groups, ps):
    g = group_of(ps)
    ok = sum(1 for m in groups if len({g.get(x) for x in m}) == 1 and g.get(m[0]) is not None)
    return ok, len(groups)


def kinds(ps):
    k = {}
    for p in ps:
        k[p[2]] = k.get(p[2], 0) + 1
    return ", ".join("%s %d" % kv for kv in sorted(k.items()))


def sample(c, ps, n, texts):
    if os.environ.get("VALIDITY_SAMPLE") != "1":
        return
    rnd = random.Random(12)
    for a, b, kind, j, con, grp in rnd.sample(ps, min(n, len(ps))):
        print("  [%s J %.2f C %.2f group %s]" % (kind, j, con, grp))
        for x in (a, b):
            t, ab = texts.get(x, ("", ""))
            print("    %s: %s | %s" % (x, t[:90], (ab or "")[:160].replace("\n", " ")))


# ---- SBIR ---------------------------------------------------------------------------
rows = list(csv.DictReader(open(sbir_csv, newline="", encoding="utf-8")))
texts = {r["sbir_id"]: (r["title"], r["abstract"]) for r in rows}
by_abs = {}
for r in rows:
    k = norm(r["abstract"])
    if len(k) >= 40 and k not in PLACEHOLDER:
        by_abs.setdefault(k, []).append(r["sbir_id"])
groups = [m for m in by_abs.values() if len(m) > 1]
c, none, idf = runs(tmp + "/sbir.db")
pn, pw = pairs(c, none), pairs(c, idf)
jn, jw = joined(groups, pn), joined(groups, pw)
print("SBIR 2006-18, %d records: flagged pairs, unweighted: %d (%s)" % (len(rows), len(pn), kinds(pn)))
print("SBIR 2006-18: flagged pairs, weighted:   %d (%s)" % (len(pw), kinds(pw)))
print("SBIR identical-abstract groups joined: weighted %d/%d, unweighted %d/%d" % (jw + jn))
check(jw[0] == jw[1], "identical-abstract groups joined %d/%d" % jw)
ph = [p for p in pw if norm(texts[p[0]][1]) in PLACEHOLDER and len(norm(texts[p[0]][0])) < 12]
check(not ph, "%d pairs of placeholder texts" % len(ph))
check(len(pw) <= len(pn) + len([p for p in pw if p[2] == "inside"]),
      "weighting adds pairs beyond the inside ones (%d > %d)" % (len(pw), len(pn)))
print("SBIR sample of weighted flagged pairs (read them):")
sample(c, [p for p in pw if p[2] != "exact"], 6, texts)

# ---- NSFC -----------------------------------------------------------------------------
c2, none2, idf2 = runs(tmp + "/nsfc.db")
nt = {r[0]: (r[1], "") for r in c2.execute("SELECT id, title FROM projects")}
gr = {}
for r in csv.DictReader(open(nsfc_groups, newline="", encoding="utf-8")):
    gr.setdefault(r["group"], []).append(r["项目批准号"])
ngroups = [m for m in gr.values() if all(x in nt for x in m)]
qn, qw = pairs(c2, none2), pairs(c2, idf2)
print("NSFC titles, %d records: flagged pairs, unweighted %d (%s); weighted %d (%s)" %
      (len(nt), len(qn), kinds(qn), len(qw), kinds(qw)))
meta = {r[0]: r[1:] for r in c2.execute("SELECT id, pi, organisation, start FROM projects")}


def one_work(m):
    """Same call (same start date) or the same team (PI; organisation when a PI
    is missing) for every member: the stated rule for titles alone."""
    starts = {meta[x][2] for x in m}
    pis = {meta[x][0] for x in m}
    orgs = {meta[x][1] for x in m}
    return len(starts) == 1 or (None not in pis and len(pis) == 1) or (None in pis and len(orgs) == 1)


# titles under 8 characters (供应链管理, 金融工程) are discipline names: the
# information rule leaves them uncompared; they are counted apart
work = [m for m in ngroups if one_work(m) and len(nt[m[0]][0]) >= 8]
label = [m for m in ngroups if one_work(m) and len(nt[m[0]][0]) < 8]
other = [m for m in ngroups if not one_work(m)]
a, b = joined(work, qw), joined(work, qn)
print("NSFC same-title groups of one call or one team (titles of 8+ characters) joined: weighted"
      " %d/%d, unweighted %d/%d" % (a + b))
print("NSFC same-title groups of one call or team, titles under 8 characters joined: weighted"
      " %d/%d, unweighted %d/%d" % (joined(label, qw) + joined(label, qn)))
print("NSFC same-title groups of different teams and dates (titles reused; not one work by rule)"
      " joined: weighted %d/%d, unweighted %d/%d" % (joined(other, qw) + joined(other, qn)))
gw = group_of(qw)
for m in work:
    if len({gw.get(x) for x in m}) != 1 or gw.get(m[0]) is None:
        print("  not joined (weighted): %s %s" % (nt[m[0]][0], [meta[x] for x in m]))
check(a[0] == a[1], "NSFC same-title groups of one call or team joined %d/%d" % a)
check(len(qw) <= len(qn), "weighting should flag fewer title pairs (%d > %d)" % (len(qw), len(qn)))
print("NSFC sample of weighted flagged pairs (read them):")
sample(c2, [p for p in qw if p[2] != "exact"], 6, nt)

# ---- Phase I -> Phase II ----------------------------------------------------------------
truth = dict(line.strip().split(",") for line in open(tmp + "/phase1.truth"))


def screen(path):
    found = cont = 0
    for line in open(path):
        o = json.loads(line)
        want = truth[o["id"]]
        m = [x for x in o["matches"] if x["id"] == want]
        found += bool(m)
        cont += bool(m) and m[0]["kind"] == "continuation"
    return found, cont


fw, cw = screen(tmp + "/screen-idf.jsonl")
fn, cn = screen(tmp + "/screen-none.jsonl")
print("Phase I -> II (%d title-only proposals, screen --top 5): follow-on found %d, as continuation %d;"
      " unweighted: found %d, as continuation %d" % (len(truth), fw, cw, fn, cn))
check(fw >= 0.9 * len(truth), "follow-ons found %d/%d" % (fw, len(truth)))
check(cw >= 0.9 * len(truth), "follow-ons classed continuation %d/%d" % (cw, len(truth)))
check(fw >= fn, "weighted finds fewer follow-ons than unweighted (%d < %d)" % (fw, fn))
print("validity/dup: %d passed, %d failed" % (passed, failed))
