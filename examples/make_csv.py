#!/usr/bin/env python3
"""Derives the two CSV examples from projects.jsonl (standard library only).

  python3 examples/make_csv.py

writes, next to this script:
  projects-gb18030.csv  eleven Chinese projects, one row each, Chinese headers,
                        GB18030, CRLF rows, RFC 4180 quoting (two cells hold a
                        line break); 起止年月 as "2019.07-2022.06", budget in 万元
  indicators.csv        their indicators in long format (one row an indicator,
                        keyed by 项目编号), UTF-8 without BOM

Running it again reproduces both files byte for byte.
"""
import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

IDS = [
    "2019YFF0101001", "2020YFF0401003", "2019YFB1505005", "2021YFB3201006",
    "2021YFD1500007", "2019YFB2005011", "2020YFF0405013", "2019YFB1504014",
    "2021YFF0600015", "2022YFB4201017", "2023YFB3208020",
]

PROJECT_HEADER = ["项目编号", "项目来源", "项目名称", "承担单位", "项目负责人", "学科领域", "关键词",
                  "摘要", "经费（万元）", "起止年月", "起始技术就绪度", "目标技术就绪度",
                  "验收日期", "验收结论", "验收意见", "主要成果", "技术就绪度"]

INDICATOR_HEADER = ["项目编号", "指标名称", "目标值", "实测值", "单位", "测试方法", "检测机构",
                    "认可编号", "报告编号", "不确定度"]
INDICATOR_KEYS = ["name", "target", "achieved", "unit", "method", "lab", "accreditation",
                  "report_no", "uncertainty"]


def period(start, end):
    """"2019-07-01", "2022-06-30" -> "2019.07-2022.06"."""
    return "%s-%s" % (start[:7].replace("-", "."), end[:7].replace("-", "."))


def number(x):
    return ("%.2f" % x).rstrip("0").rstrip(".")


def text(x):
    return "" if x is None else str(x)


def write_csv(path, header, rows, encoding):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))


def main():
    records = {}
    with open(os.path.join(HERE, "projects.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            records[r["id"]] = r
    projects, indicators = [], []
    for pid in IDS:
        r = records[pid]
        a = r.get("acceptance", {})
        projects.append([
            r["id"], r["source"], r["title"], r["organisation"], r["pi"], r["field"],
            "；".join(r.get("keywords", [])), r["abstract"], number(r["budget"]),
            period(r["start"], r["end"]), text(r.get("trl_start")), text(r.get("trl_target")),
            text(a.get("date")), text(a.get("conclusion")), text(a.get("summary")),
            text(a.get("outcomes")), text(a.get("trl_claimed")),
        ])
        for ind in a.get("indicators", []):
            indicators.append([r["id"]] + [text(ind.get(k)) for k in INDICATOR_KEYS])
    write_csv(os.path.join(HERE, "projects-gb18030.csv"), PROJECT_HEADER, projects, "gb18030")
    write_csv(os.path.join(HERE, "indicators.csv"), INDICATOR_HEADER, indicators, "utf-8")


if __name__ == "__main__":
    main()
