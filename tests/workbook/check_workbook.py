"""Reads vernier workbooks back with an independent reader (openpyxl, plus the
raw XML parts for what openpyxl does not expose) and checks what a reviewer
relies on.  Run with Debian's /usr/bin/python3 (it has python3-openpyxl).

    check_workbook.py review FILE LANG [--fixture]   a reviewer workbook
    check_workbook.py split STEM                     the --split-by source files
    check_workbook.py screen FILE                    a screening workbook

--fixture adds the checks that know the hand-made store of
tests/unit/test_report.c (exact counts, the hostile cells).  Prints a FAIL
line per failed check and ends with "RESULT <passed> <failed>".
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

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


SHEETS = {
    "en": ["Summary", "Projects", "Duplicates", "Evidence", "Indicators", "Rules", "Lists"],
    "zh": ["摘要", "项目", "重复", "证据", "指标", "规则", "列表"],
}
PROJECT_HEADERS = {
    "en": ["ID", "Title", "Kind", "Source", "Field", "Organisation", "PI", "TRL claimed",
           "TRL achieved", "TRL confidence", "TRL planned", "TRL stated", "Score notes", "Traceability", "Novelty", "Overall",
           "Acceptance conclusion", "Acceptance date", "Start", "End", "Data quality", "Flags",
           "Flag count", "Duplicate of", "Rule errors", "Evidence", "Decision", "Comment",
           "Content hash", "Written decision"],
    "zh": ["项目编号", "项目名称", "类型", "来源", "领域", "承担单位", "项目负责人", "声称TRL",
           "已达TRL", "TRL置信度", "计划TRL", "陈述TRL", "评分说明", "可溯源性", "新颖性", "综合得分",
           "验收结论", "验收日期", "开始日期", "结束日期", "数据质量", "标记", "标记数", "疑似重复于",
           "规则错误", "证据", "评审结论", "评审意见", "内容哈希", "原结论"],
}
FIRST_HEADERS = {  # first header cell of the other sheets
    "en": {"Duplicates": "Group", "Evidence": "Project", "Indicators": "Project",
           "Rules": "ID"},
    "zh": {"重复": "组", "证据": "项目编号", "指标": "项目编号", "规则": "编号"},
}
DECISIONS = {"en": ["pass", "revise", "fail"], "zh": ["通过", "整改后通过", "不通过"]}
SUMMARY_LABELS = {
    "en": {"run": "Run", "sha": "Rule-set SHA-256", "repaired": "Cells repaired (invalid UTF-8)",
           "truncated": "Cells truncated (over 32,767 characters)", "projects": "Projects",
           "hits": "Rule hits", "pairs": "Duplicate pairs", "panel": "Panel"},
    "zh": {"run": "运行编号", "sha": "规则集 SHA-256", "repaired": "已修复的单元格（无效 UTF-8）",
           "truncated": "已截断的单元格（超过 32,767 字符）", "projects": "项目数",
           "hits": "规则命中数", "pairs": "重复项目对", "panel": "评审组"},
}
TEMPLATE_FORMULA = re.compile(r"^=?(COUNTIF|COUNTBLANK|HYPERLINK)\(")


def custom_props(path):
    with zipfile.ZipFile(path) as z:
        if "docProps/custom.xml" not in z.namelist():
            return {}
        root = ET.fromstring(z.read("docProps/custom.xml"))
    out = {}
    for p in root:
        out[p.get("name")] = "".join(p.itertext())
    return out


def core_created(path):
    with zipfile.ZipFile(path) as z:
        text = z.read("docProps/core.xml").decode("utf-8")
    m = re.search(r"<dcterms:created[^>]*>([^<]*)<", text)
    return m.group(1) if m else None


def formulas_in_parts(path):
    """Every <f> element of every worksheet part: {part: [text]}."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                text = z.read(name).decode("utf-8")
                out[name] = re.findall(r"<f>([^<]*)</f>", text)
    return out


def summary_values(ws):
    """Column A label -> column B value of Summary."""
    out = {}
    for row in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if row[0] is not None and row[0] not in out:
            out[row[0]] = row[1]
    return out


def check_review(path, lang, fixture):
    wb = openpyxl.load_workbook(path)
    names = SHEETS[lang]
    check(wb.sheetnames == names, "%s: sheets %s" % (path, wb.sheetnames))
    if wb.sheetnames != names:
        return
    summary, projects, evidence, lists = (wb[names[0]], wb[names[1]], wb[names[3]],
                                          wb[names[6]])
    check(lists.sheet_state == "hidden", "%s: Lists is hidden" % path)
    for n in names[:6]:
        check(wb[n].sheet_state == "visible", "%s: %s is visible" % (path, n))

    # Projects: headers, frozen header, filter, drop-down, links, hidden columns.
    heads = [c.value for c in projects[1]]
    check(heads == PROJECT_HEADERS[lang], "%s: Projects headers %s" % (path, heads))
    nrows = projects.max_row
    check(projects.freeze_panes == "C2", "%s: Projects frozen at %s" % (path,
                                                                       projects.freeze_panes))
    check(projects.auto_filter.ref == "A1:AB%d" % max(nrows, 2),
          "%s: Projects filter %s" % (path, projects.auto_filter.ref))
    check(projects.column_dimensions["AC"].hidden and projects.column_dimensions["AD"].hidden,
          "%s: hash and written-decision columns hidden" % path)
    for n, want in FIRST_HEADERS[lang].items():
        got = wb[n]["A1"].value
        check(got == want, "%s: %s header %r" % (path, n, got))
        # the Duplicates sheet keeps its group and project A in sight
        frozen = "C2" if n in ("Duplicates", "重复") else "B2"
        check(wb[n].freeze_panes == frozen, "%s: %s frozen" % (path, n))
        check(wb[n].auto_filter.ref is not None, "%s: %s filter" % (path, n))

    dvs = projects.data_validations.dataValidation
    check(len(dvs) == 1, "%s: one data validation" % path)
    if dvs:
        dv = dvs[0]
        check(dv.type == "list", "%s: drop-down is a list" % path)
        check(dv.formula1 == "'%s'!$A$1:$A$3" % names[6],
              "%s: drop-down from the Lists range, got %s" % (path, dv.formula1))
        check(str(dv.sqref) == "AA2:AA%d" % max(nrows, 2), "%s: drop-down on %s" % (path, dv.sqref))
    check([lists["A%d" % i].value for i in (1, 2, 3)] == DECISIONS[lang],
          "%s: Lists values" % path)

    # Colour scales on the three scores, a data bar on the evidenced TRL.
    cf = {}
    for rng in projects.conditional_formatting:
        for rule in rng.rules:
            cf.setdefault(str(rng.sqref).split(":")[0][0], []).append(rule.type)
    for col in "NOP":
        check("colorScale" in cf.get(col, []), "%s: colour scale on column %s" % (path, col))
    check("dataBar" in cf.get("I", []), "%s: data bar on TRL evidenced" % path)

    # Each link lands on the project's first row of Evidence.
    links = 0
    for row in projects.iter_rows(min_row=2):
        pid, link = row[0].value, row[25]
        if link.hyperlink is None:
            continue
        links += 1
        m = re.match(r"^'(.+)'!A(\d+)$", link.hyperlink.location or "")
        check(m is not None, "%s: link %r is internal" % (path, link.hyperlink.location))
        if not m:
            continue
        target, r = wb[m.group(1)], int(m.group(2))
        check(target["A%d" % r].value == pid, "%s: link of %s lands on its evidence" % (path, pid))
        check(r == 2 or target["A%d" % (r - 1)].value != pid,
              "%s: link of %s lands on its first hit" % (path, pid))
    check(links > 0 or evidence.max_row <= 1, "%s: projects link to evidence" % path)

    # Text is text: no cell holds a formula except the writer's own templates.
    for ws in wb.worksheets:
        data_formulas = [c.coordinate for row in ws.iter_rows() for c in row
                         if c.data_type == "f" and not TEMPLATE_FORMULA.match(str(c.value))]
        check(not data_formulas, "%s: %s has formulas from data at %s" % (path, ws.title,
                                                                          data_formulas[:5]))
        too_long = [c.coordinate for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and len(c.value) > 32767]
        check(not too_long, "%s: %s has text over 32,767 characters at %s" % (path, ws.title,
                                                                              too_long[:5]))
    for part, fs in formulas_in_parts(path).items():
        for f in fs:
            check(TEMPLATE_FORMULA.match(f) is not None, "%s: %s holds formula %r" % (path, part,
                                                                                      f))

    # Run id and rule-set hash: properties and Summary agree.
    props = custom_props(path)
    sv = summary_values(summary)
    L = SUMMARY_LABELS[lang]
    check(props.get("vernier_run") is not None, "%s: property vernier_run" % path)
    check(str(sv.get(L["run"])) == props.get("vernier_run"),
          "%s: Summary run %r vs property %r" % (path, sv.get(L["run"]), props.get("vernier_run")))
    sha = props.get("vernier_ruleset_sha256", "")
    check(re.match(r"^[0-9a-f]{64}$", sha) is not None, "%s: rule-set hash property" % path)
    check(sv.get(L["sha"]) == sha, "%s: Summary hash matches the property" % path)
    check(props.get("vernier_lang") == lang, "%s: vernier_lang" % path)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    check(len(charts) >= 4, "%s: charts on Summary (%d)" % (path, len(charts)))

    if not fixture:
        return
    # The hand-made store of test_report.c.
    check(core_created(path) == "2026-01-15T00:00:00Z", "%s: fixed creation date" % path)
    check(nrows == 6, "%s: 5 projects" % path)
    check(sv.get(L["projects"]) == 5 and sv.get(L["hits"]) == 10 and sv.get(L["pairs"]) == 1,
          "%s: Summary counts" % path)
    check(sv.get(L["repaired"]) == 1 and sv.get(L["truncated"]) == 1,
          "%s: Summary counts the repaired and the truncated cell" % path)
    check(len(charts) == 5, "%s: five charts" % path)
    by_id = {row[0].value: row for row in projects.iter_rows(min_row=2)}
    t = by_id.get("2020-EN-0002")
    check(t is not None and t[1].value == '=HYPERLINK("http://evil.example","click")'
          and t[1].data_type == "s", "%s: a title starting with = is a string cell" % path)
    check(t is not None and t[6].value == "+SUM(1,2)" and t[6].data_type == "s"
          and t[5].value == "@corp", "%s: + and @ stay text" % path)
    p1 = by_id.get("2019YFB0101001")
    check(p1 is not None and p1[26].value == DECISIONS[lang][0]
          and p1[27].value == "=1+1 reads as text; indicators met" and p1[27].data_type == "s",
          "%s: the stored decision is filled in" % path)
    check(p1 is not None and re.match(r"^pass:[0-9a-f]{16}$", p1[29].value or "") is not None,
          "%s: written decision" % path)
    check(p1 is not None and re.match(r"^[0-9a-f]{64}$", p1[28].value or "") is not None,
          "%s: content hash" % path)
    nov = by_id.get("2020-EN-0002")
    check(nov is not None and nov[11].value is None, "%s: novelty not computed is blank" % path)
    texts = [c.value for row in evidence.iter_rows() for c in row if isinstance(c.value, str)]
    marker = "…[truncated: " if lang == "en" else "…[已截断 "
    cut = [s for s in texts if marker in s]
    check(len(cut) == 1 and len(cut[0]) <= 32767 and cut[0].startswith("xxxx"),
          "%s: truncated with a visible marker" % path)
    check(any("\ufffd" in s for s in texts), "%s: invalid UTF-8 shown as U+FFFD" % path)
    check("_x0041_" in texts, "%s: _xHHHH_ text survives" % path)
    check(any(c.comment is not None for row in evidence.iter_rows() for c in row),
          "%s: a note marks the changed cells" % path)
    f = formulas_in_parts(path)
    check(len(f.get("xl/worksheets/sheet1.xml", [])) == 4
          and sum(len(v) for v in f.values()) == 4,
          "%s: the only formulas are the four decision counts" % path)


def check_split(stem):
    want = {"none": 1, "NKP-2019": 2, "NSF-2020": 2}
    for part, n in want.items():
        path = "%s-%s.xlsx" % (stem, part)
        try:
            wb = openpyxl.load_workbook(path)
        except Exception as e:  # noqa: BLE001 - any failure to open is the finding
            check(False, "%s: opens (%s)" % (path, e))
            continue
        check(wb["Projects"].max_row == n + 1, "%s: %d projects" % (path, n))
        sv = summary_values(wb["Summary"])
        panel = sv.get("Panel")
        check(panel == "source = %s" % ("none" if part == "none" else part),
              "%s: Summary names the panel (%r)" % (path, panel))
        props = custom_props(path)
        check(props.get("vernier_panel") == part, "%s: vernier_panel property" % path)


def check_screen(path):
    wb = openpyxl.load_workbook(path)
    check(wb.sheetnames == ["Summary", "Screening"], "%s: sheets %s" % (path, wb.sheetnames))
    ws = wb["Screening"]
    check(ws["A1"].value == "Proposal" and ws["K1"].value == "Shared passage in the proposal",
          "%s: headers" % path)
    check(ws["B2"].value == "=低温测温仪申报书" and ws["B2"].data_type == "s",
          "%s: title with = is text" % path)
    check(ws["K2"].value == ws["L2"].value == "研制了低温测温仪", "%s: passages side by side" % path)
    check(ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:L2", "%s: frozen, filtered" % path)


def main(argv):
    kind = argv[1]
    if kind == "review":
        check_review(argv[2], argv[3], "--fixture" in argv[4:])
    elif kind == "split":
        check_split(argv[2])
    elif kind == "screen":
        check_screen(argv[2])
    else:
        print("usage: check_workbook.py review|split|screen ...")
        return 2
    print("RESULT %d %d" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
