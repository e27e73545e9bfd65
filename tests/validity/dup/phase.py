"""Phase I proposals made from SBIR Phase II awards (validity/dup).

make SBIR.csv OUT.csv TRUTH: 50 awards with a title of 4+ words and an
abstract of 400+ characters, every 397th such award (deterministic); each
becomes a title-only proposal of the same firm dated a year earlier, as a
Phase I record is before its Phase II follow-on.  TRUTH: proposal id, award id.
"""
import csv
import sys

csv.field_size_limit(1 << 30)


def main():
    _, cmd, src, out, truth = sys.argv
    assert cmd == "make"
    rows = [r for r in csv.DictReader(open(src, newline="", encoding="utf-8"))
            if len(r["title"].split()) >= 4 and len(r["abstract"]) >= 400 and r["firm"].strip()
            and r["year"].strip().isdigit()]
    pick = rows[::397][:50]
    with open(out, "w", newline="", encoding="utf-8") as f, open(truth, "w") as t:
        w = csv.writer(f)
        w.writerow(["id", "title", "firm", "year"])
        for r in pick:
            pid = "P1-" + r["sbir_id"]
            w.writerow([pid, r["title"], r["firm"], int(r["year"]) - 1])
            t.write("%s,%s\n" % (pid, r["sbir_id"]))


main()
