"""Reviewers' decisions, round trip: a reviewer edits the workbook (here with
openpyxl, as an independent writer), sends it back, and `decisions import`
takes it, or refuses it with a clear error naming the row.

    roundtrip.py TEST_REPORT DIR
    roundtrip.py --cli VERNIER DB EN.xlsx ZH.xlsx

TEST_REPORT is build/tests/test_report: `--import DB FILE [REVIEWER]` prints
"added N unchanged N empty N reviewer NAME" or "error CODE: message", and
`--report DB FILE LANG` writes the next workbook.  DIR holds what
`test_report --fixture DIR` wrote.  With --cli, the same through
`vernier decisions import` on the CLI's workbooks of any store.  Ends with
"RESULT <passed> <failed>".
"""
import os
import subprocess
import sys

import openpyxl

PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s" % what)


def run_import(cmd, db, path, reviewer=None):
    args = cmd + [db, path] + ([reviewer] if reviewer else [])
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace").strip()


def edit(src, dst, sheet, changes, summary=None):
    """Copies src to dst setting cells: changes is [(project id or row, column, value)]."""
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for key, col, value in changes:
        r = key if isinstance(key, int) else rows[key]
        ws.cell(row=r, column=col, value=value)
    if summary:
        sws = wb.worksheets[0]
        for label, value in summary.items():
            for r in range(1, sws.max_row + 1):
                if sws.cell(row=r, column=1).value == label:
                    sws.cell(row=r, column=2, value=value)
    wb.save(dst)


# Projects columns (1-based) as rpt_xlsx writes them.
ID, DECISION, COMMENT, HASH = 1, 27, 28, 29  # 1-based


def cli(argv):
    v, db, en, zh = argv[2:6]
    d = os.path.dirname(en)

    def vernier(*args):
        p = subprocess.run([v, "--db", db] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
        return p.returncode, p.stderr.decode("utf-8", "replace")

    ws = openpyxl.load_workbook(en).worksheets[1]
    first = ws.cell(row=2, column=ID).value
    back = os.path.join(d, "cli-back-en.xlsx")
    edit(en, back, "Projects", [(2, DECISION, "pass"), (2, COMMENT, "checked in the lab")],
         summary={"Reviewer": "CLI Reviewer"})
    rc, err = vernier("decisions", "import", back)
    check(rc == 0, "vernier decisions import: %d %s" % (rc, err))
    rc, err = vernier("decisions", "import", back)
    check(rc == 0, "vernier decisions import, again: %d %s" % (rc, err))
    back_zh = os.path.join(d, "cli-back-zh.xlsx")
    edit(zh, back_zh, "项目", [(3, DECISION, "不通过")])
    rc, err = vernier("decisions", "import", back_zh)
    check(rc == 0, "vernier decisions import (zh): %d %s" % (rc, err))
    bad = os.path.join(d, "cli-bad.xlsx")
    edit(en, bad, "Projects", [(2, ID, "NOPE-1"), (2, DECISION, "fail")])
    rc, err = vernier("decisions", "import", bad)
    check(rc == 2 and "row 2" in err and "NOPE-1" in err, "changed id refused: %d %s" % (rc, err))
    nxt = os.path.join(d, "cli-next.xlsx")
    rc, err = vernier("report", "-o", nxt)
    check(rc == 0, "next report: %s" % err)
    if rc == 0:
        ws = openpyxl.load_workbook(nxt).worksheets[1]
        got = {ws.cell(row=r, column=ID).value: (ws.cell(row=r, column=DECISION).value,
                                                ws.cell(row=r, column=COMMENT).value)
               for r in range(2, ws.max_row + 1)}
        check(got.get(first) == ("pass", "checked in the lab"),
              "the next report shows the decision: %s" % (got.get(first),))
    print("RESULT %d %d" % (PASSED, FAILED))
    return 1 if FAILED else 0


def main(argv):
    if argv[1] == "--cli":
        return cli(argv)
    binary = argv[1]
    cmd = [binary, "--import"]
    d = argv[2]
    db = os.path.join(d, "fixture.db")
    en, zh = os.path.join(d, "en.xlsx"), os.path.join(d, "zh.xlsx")

    # 1. An English reviewer decides two projects (one label typed in capitals).
    back = os.path.join(d, "back-en.xlsx")
    edit(en, back, "Projects",
         [("2019YFB0101002", DECISION, "revise"),
          ("2019YFB0101002", COMMENT, "needs an accredited test report"),
          ("2020-EN-0001", DECISION, "PASS")],
         summary={"Reviewer": "Dr. Reviewer"})
    rc, out = run_import(cmd, db, back)
    check(rc == 0 and out == "added 2 unchanged 1 empty 2 reviewer Dr. Reviewer",
          "english import: %d %s" % (rc, out))
    # 2. The same file again adds nothing.
    rc, out = run_import(cmd, db, back)
    check(rc == 0 and out.startswith("added 0 unchanged 3 empty 2"), "re-import: %d %s" % (rc, out))

    # 3. A Chinese workbook written before those decisions: its empty rows do
    #    not clear them; its one decision is recorded for the named reviewer.
    back_zh = os.path.join(d, "back-zh.xlsx")
    edit(zh, back_zh, "项目", [("2020-EN-0002", DECISION, "不通过"),
                              ("2020-EN-0002", COMMENT, "无检测方法")])
    rc, out = run_import(cmd, db, back_zh, "张教授")
    check(rc == 0 and out == "added 1 unchanged 3 empty 1 reviewer 张教授",
          "chinese import: %d %s" % (rc, out))

    # 4. Refusals, each naming the row.
    refusals = [
        ("changed id", "Projects", [(3, ID, "NOPE-1")], None, ["row 3", "NOPE-1", "not in run"]),
        ("changed hash", "Projects", [(2, HASH, "0" * 64)], None, ["row 2", "content hash"]),
        ("id moved onto another project", "Projects", [(2, ID, "2020-EN-0001")], None,
         ["row 2", "2020-EN-0001"]),
        ("unknown decision", "Projects", [(4, DECISION, "maybe")], None, ["row 4", "'maybe'"]),
        ("another run", "Projects", [], {"Run": 99}, ["run 99"]),
        ("another rule set", "Projects", [], {"Rule-set SHA-256": "f" * 64}, ["rule set"]),
    ]
    for what, sheet, changes, summary, needles in refusals:
        bad = os.path.join(d, "bad.xlsx")
        edit(en, bad, sheet, changes, summary)
        rc, out = run_import(cmd, db, bad)
        check(rc == 2 and out.startswith("error 2:") and all(n in out for n in needles),
              "%s refused: %d %s" % (what, rc, out))

    # 5. Another store (one that does not have the run either).
    empty = os.path.join(d, "empty.db")
    rc, out = run_import(cmd, empty, en)
    check(rc == 2 and "comes from another store" in out, "another store refused: %d %s" % (rc, out))

    # 6. The next workbook shows the decisions, in either language.
    for lang, labels in (("en", ("pass", "revise", "pass", "fail")),
                         ("zh", ("通过", "整改后通过", "通过", "不通过"))):
        nxt = os.path.join(d, "next-%s.xlsx" % lang)
        p = subprocess.run([binary, "--report", db, nxt, lang], check=False)
        check(p.returncode == 0, "next workbook (%s) written" % lang)
        if p.returncode:
            continue
        ws = openpyxl.load_workbook(nxt).worksheets[1]
        got = {ws.cell(row=r, column=ID).value: ws.cell(row=r, column=DECISION).value
               for r in range(2, ws.max_row + 1)}
        want = dict(zip(["2019YFB0101001", "2019YFB0101002", "2020-EN-0001", "2020-EN-0002"],
                        labels))
        want["2021-XX-0003"] = None
        check(got == want, "next workbook (%s) shows the decisions: %s" % (lang, got))
        rc, out = run_import(cmd, db, nxt)
        check(rc == 0 and out.startswith("added 0 unchanged 4 empty 1"),
              "the next workbook, returned untouched, adds nothing: %s" % out)

    print("RESULT %d %d" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
