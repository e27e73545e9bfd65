#!/usr/bin/env python3
"""gen_records.py: realistic project records for the end-to-end benchmark.

Writes, for --n records:
  OUT.jsonl        vernier's canonical JSON, one record a line: title,
                   abstract, keywords, organisation, PI, field, dates,
                   budget, TRL start/target, acceptance (date, conclusion,
                   summary with test evidence, outcomes, claimed TRL) and
                   2-4 indicators (target, achieved, unit; most with method,
                   laboratory, accreditation, report number and uncertainty)
  OUT.csv          id,title,abstract,summary: the same text flat, for the
                   anchors (sqlite3 .import, pcre2grep, exact all-pairs)
  OUT.planted.csv  kind,id,source_id: the copies planted

Languages: 45% Chinese, 45% English, 10% bilingual (a Chinese record with an
English abstract appended, as agencies' forms often are).  Planted: 1% exact
copies (the text again under a new id and organisation), 1% partial copies
(an earlier abstract whole inside new material about as long again), 1%
continuations (same organisation and PI, "Phase II"/"（二期）" title, a third
of the earlier sentences kept).

Text: two sentences in three are free text, words drawn Zipf(1) from a
30,000-word vocabulary of pseudo-words (1-4 Han characters, or Latin
syllables), as ../shared/tools/gen_corpus.py does; one in three is evidence
from a pool built at start from templates whose slots are filled from word
lists and numbers (test environments, laboratories, accreditations,
uncertainties: what the rules read); each record adds one evidence sentence
with its own numbers.  Pure standard library; deterministic for a --seed; about 25 s for
100,000 records on one core.

Usage: gen_records.py --n 100000 --seed 1 --out /tmp/bench/r100k
       gen_records.py --n 5000 --first 100000 --seed 2 --out /tmp/bench/next
       (the next year: new ids, new text, copies of its own records only)
"""
import argparse
import csv
import json
import random

ZH_OBJ = ["激光干涉仪", "铂电阻温度计", "压力传感器", "光纤光栅解调仪", "原子钟", "质量比较仪",
          "电能表检定装置", "流量标准装置", "太赫兹探测器", "红外热像仪", "数字多用表", "频谱分析仪",
          "超声测厚仪", "三坐标测量机", "气体分析仪", "辐射剂量计", "声级计", "扭矩传感器",
          "微波功率计", "光谱辐射计", "湿度发生器", "力标准机", "硬度计", "电子天平", "粒子计数器",
          "锂电池检测系统", "燃料电池堆", "工业机器人", "智能电网终端", "高速列车轴承"]
ZH_METHOD = ["基于机器学习的", "基于量子效应的", "面向工业现场的", "高精度", "低功耗", "便携式",
             "在线自校准", "多参数融合", "宽量程", "抗辐射", "基于数字孪生的", "国产化"]
ZH_ACT = ["研制", "关键技术研究", "应用示范", "工程化开发", "校准方法研究", "标准装置建立",
          "产业化", "性能评价"]
ZH_FIELD = ["计量·温度", "计量·长度", "计量·电学", "计量·力学", "计量·化学", "计量·光学",
            "先进制造", "新能源", "电子信息", "生物医药"]
ZH_SENT = [
    "针对{o}在{env}中{prob}的问题，本项目拟开展{m}{o}的{a}。",
    "项目建立了{o}的测量模型，分析了{f1}、{f2}和{f3}等因素对测量结果的影响。",
    "研究团队提出了一种基于{f1}补偿的{o}校准方法，测量范围为{n1}～{n2}{u}。",
    "在{env}条件下完成了{o}样机的{test}，连续运行{n3}小时未出现故障。",
    "{o}样机在{env}中通过了{test}，{n3}项主要技术指标达到任务书要求。",
    "项目完成了{o}原理样机的研制，{n5}个功能模块在实验室环境下完成{f1}联调验证。",
    "所用{o}经{lab}校准（证书编号{rep}），测量结果可溯源至国家计量基准。",
    "依据JJF 1059.1-2012评定{o}的测量不确定度，在{n1}{u}处扩展不确定度U={n4}{u}（k=2）。",
    "关键指标经{lab}（CNAS L{n5}）检测，出具检测报告{rep}。",
    "系统在{site}完成了{n3}天的现场应用示范，累计测量{n6}次。",
    "拟进一步开展{o}的{test}，计划于项目后期完成工程样机的验证。",
    "项目突破了{f1}、{f2}等关键技术，形成了具有自主知识产权的{o}。",
    "研究成果已在{site}推广应用，提升了{f1}测量能力。",
    "通过与{lab}的比对，{o}的测量结果与参考值的偏差小于{n4}{u}。",
]
ZH_ENV = ["高低温交变", "强电磁干扰", "高湿", "振动冲击", "真空", "野外", "产线", "模拟运行"]
ZH_PROB = ["测量精度不足", "长期稳定性差", "依赖进口", "校准周期长", "无法在线测量", "量值难以溯源"]
ZH_F = ["温度漂移", "非线性", "电磁干扰", "安装误差", "零点漂移", "迟滞", "噪声", "时间同步",
        "重复性", "环境湿度", "气压变化", "光源波动"]
ZH_TEST = ["环境适应性试验", "型式评价试验", "可靠性试验", "电磁兼容试验", "长期稳定性考核",
           "现场比对试验", "第三方检测", "系统联调"]
ZH_LAB = ["中国计量科学研究院", "华东计量测试研究院", "西部计量科学研究院", "国家电网计量中心",
          "上海市计量测试技术研究院", "广东省计量科学研究院", "北京市计量检测科学研究院"]
ZH_SITE = ["某钢铁企业", "某核电站", "某汽车生产线", "某风电场", "某变电站", "某石化企业", "某港口"]
ZH_SUR = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
ZH_GIVEN = "明华伟芳军强磊洋勇艳杰涛斌超静丽鹏辉敏"
ZH_ORG_A = ["华东", "西部", "北方", "中原", "南方", "东北", "西南", "长江", "珠江", "渤海"]
ZH_ORG_B = ["计量测试研究院", "精密仪器有限公司", "理工大学", "工业技术研究院", "传感技术有限公司",
            "检测认证中心", "电子科技大学", "智能装备有限公司"]

EN_OBJ = ["laser interferometer", "platinum resistance thermometer", "pressure transducer",
          "fiber Bragg grating interrogator", "optical atomic clock", "mass comparator",
          "energy meter test bench", "flow standard facility", "terahertz detector",
          "infrared camera", "digital multimeter", "spectrum analyzer", "ultrasonic gauge",
          "coordinate measuring machine", "gas analyzer", "radiation dosimeter", "sound level meter",
          "torque transducer", "microwave power sensor", "spectroradiometer", "humidity generator",
          "force standard machine", "hardness tester", "analytical balance", "particle counter",
          "battery test system", "fuel cell stack", "industrial robot", "smart grid terminal",
          "railway axle bearing"]
EN_METHOD = ["machine-learning based", "quantum-based", "field-deployable", "high-accuracy",
             "low-power", "portable", "self-calibrating", "multi-parameter", "wide-range",
             "radiation-tolerant", "digital-twin based", "compact"]
EN_ACT = ["Development of a", "Key technologies for a", "Demonstration of a", "Engineering of a",
          "Calibration methods for a", "A primary standard for a", "Commercialization of a",
          "Performance evaluation of a"]
EN_FIELD = ["metrology", "sensors", "advanced manufacturing", "energy", "electronics",
            "biomedical", "photonics", "materials"]
EN_SENT = [
    "Current {o}s suffer from {prob} in {env} conditions, which limits their use in industry.",
    "This project will develop a {m} {o} and validate it against {f1}, {f2} and {f3} effects.",
    "We propose a calibration method for the {o} with {f1} compensation over {n1} to {n2} {u}.",
    "The prototype was tested in a {env} environment and ran for {n3} hours without failure.",
    "The {o} prototype passed {test} in a {env} environment and met {n3} contract requirements.",
    "A laboratory prototype of the {o} was built and its {n5} subsystems were verified for {f1}.",
    "The reference {o} was calibrated by {lab} (certificate {rep}), traceable to SI units.",
    "The expanded uncertainty of the {o} was evaluated per the GUM as U = {n4} {u} (k = 2) at {n1} {u}.",
    "Key parameters were verified by {lab}, an ISO/IEC 17025 accredited laboratory, report {rep}.",
    "The system was demonstrated at {site} for {n3} days with {n6} measurements recorded.",
    "Phase II will further pursue {test} of the {o} and plans an engineering model later.",
    "The team solved {f1} and {f2} problems and holds the intellectual property of the {o}.",
    "Results are now used at {site}, improving {f1} measurement capability.",
    "In a comparison with {lab}, the {o} agreed with the reference within {n4} {u}.",
]
EN_ENV = ["thermal cycling", "high EMI", "high humidity", "vibration and shock", "vacuum",
          "field", "production line", "operational"]
EN_PROB = ["poor accuracy", "long-term drift", "import dependence", "long calibration intervals",
           "no in-line capability", "weak traceability"]
EN_F = ["temperature drift", "nonlinearity", "electromagnetic interference", "mounting error",
        "zero offset", "hysteresis", "noise", "time synchronization", "repeatability", "humidity",
        "pressure variation", "source fluctuation"]
EN_TEST = ["environmental testing", "type approval testing", "reliability testing", "EMC testing",
           "long-term stability testing", "field comparison", "third-party testing",
           "system integration testing"]
EN_LAB = ["NIST", "Keystone Calibration Services", "Transcat", "Simco Electronics",
          "Tektronix Service Solutions", "Trescal", "Sandia Primary Standards Lab"]
EN_SITE = ["a steel mill", "a nuclear plant", "an automotive plant", "a wind farm",
           "a substation", "a refinery", "a NASA center"]
EN_FIRST = ["Karen", "James", "Maria", "David", "Wei", "Priya", "John", "Elena", "Ahmed",
            "Laura", "Michael", "Sofia", "Robert", "Yuki", "Daniel"]
EN_LAST = ["Lindqvist", "Smith", "Garcia", "Chen", "Patel", "Johnson", "Novak", "Kim", "Brown",
           "Okafor", "Muller", "Rossi", "Nguyen", "Silva", "Cohen"]
EN_ORG_A = ["Photonix", "Quantum", "Apex", "Summit", "Vector", "Nova", "Helix", "Boreal",
            "Cascade", "Meridian"]
EN_ORG_B = ["Sensing LLC", "Instruments Inc.", "Technologies Corp.", "Research Labs",
            "Metrology Inc.", "Systems LLC", "Dynamics Corp.", "Analytics Inc."]

UNITS = ["K", "mK", "mm", "μm", "nm", "Pa", "kPa", "MPa", "V", "mV", "A", "Hz", "W", "%", "dB",
         "N·m", "kg", "mg", "L/min", "ppm"]
IND_ZH = ["测量范围", "扩展不确定度", "分辨力", "重复性", "长期稳定性", "响应时间", "功耗",
          "测量误差", "线性度", "零点漂移"]
IND_EN = ["measurement range", "expanded uncertainty", "resolution", "repeatability",
          "long-term stability", "response time", "power consumption", "measurement error",
          "linearity", "zero drift"]


def fill(rng, tpl, zh):
    w = (ZH_OBJ, ZH_METHOD, ZH_ENV, ZH_PROB, ZH_F, ZH_TEST, ZH_LAB, ZH_SITE) if zh else \
        (EN_OBJ, EN_METHOD, EN_ENV, EN_PROB, EN_F, EN_TEST, EN_LAB, EN_SITE)
    f = rng.sample(w[4], 3)
    return tpl.format(
        o=rng.choice(w[0]), m=rng.choice(w[1]), env=rng.choice(w[2]), prob=rng.choice(w[3]),
        f1=f[0], f2=f[1], f3=f[2], test=rng.choice(w[5]), lab=rng.choice(w[6]),
        site=rng.choice(w[7]), a=rng.choice(ZH_ACT), u=rng.choice(UNITS),
        n1=rng.randint(1, 500), n2=rng.randint(501, 9000), n3=rng.randint(24, 5000),
        n4="%.*f" % (rng.randint(1, 3), rng.uniform(0.01, 9.9)), n5=rng.randint(1000, 9999),
        n6=rng.randint(100, 90000),
        rep="%s-%d-%04d" % (rng.choice(["XJ", "TR", "CAL", "JL"]), rng.randint(2015, 2025),
                            rng.randint(1, 9999)))


def pool(rng, zh, n):
    tpls = ZH_SENT if zh else EN_SENT
    return [fill(rng, rng.choice(tpls), zh) for _ in range(n)]


def vocabulary(rng, zh, size):
    """Pseudo-words: 1-4 Han characters, or Latin syllables."""
    words = set()
    if zh:
        chars = [chr(c) for c in rng.sample(range(0x4E00, 0x9FA6), 3000)]
        while len(words) < size:
            words.add("".join(rng.choice(chars) for _ in range(rng.choice([1, 2, 2, 2, 3, 4]))))
    else:
        on = ["", "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "br", "cr",
              "pl", "pr", "st", "str", "th", "tr", "ch", "sh"]
        vo = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
        co = ["", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ng", "x", "tion", "ment"]
        while len(words) < size:
            words.add("".join(rng.choice(on) + rng.choice(vo) + rng.choice(co)
                              for _ in range(rng.choice([1, 2, 2, 3, 3, 4]))))
    words = sorted(words)
    rng.shuffle(words)
    cum, total = [], 0.0
    for k in range(len(words)):
        total += 1.0 / (k + 1)  # Zipf, s = 1
        cum.append(total)
    return words, cum


class Gen:
    def __init__(self, seed):
        rng = self.rng = random.Random(seed)
        self.zh = pool(rng, True, 40000)
        self.en = pool(rng, False, 40000)
        self.zh_words = vocabulary(rng, True, 30000)
        self.en_words = vocabulary(rng, False, 30000)
        self.zh_orgs = ["%s%s（%d）" % (rng.choice(ZH_ORG_A), rng.choice(ZH_ORG_B), k)
                        for k in range(3000)]
        self.en_orgs = ["%s %s %d" % (rng.choice(EN_ORG_A), rng.choice(EN_ORG_B), k)
                        for k in range(3000)]

    def person(self, zh):
        r = self.rng
        if zh:
            return r.choice(ZH_SUR) + r.choice(ZH_GIVEN) + r.choice(ZH_GIVEN)
        return "%s %s. %s" % (r.choice(EN_FIRST), chr(65 + r.randrange(26)), r.choice(EN_LAST))

    def sentences(self, zh, k):
        """k sentences: most of free text (Zipf words), one in three of
        evidence (templates the rules read)."""
        r = self.rng
        words, cum = self.zh_words if zh else self.en_words
        out = []
        for _ in range(k):
            if r.random() < 0.35:
                out.append(r.choice(self.zh if zh else self.en))
                continue
            w = r.choices(words, cum_weights=cum, k=r.randint(8, 20) if zh else r.randint(10, 24))
            if zh:
                out.append("".join(w) + r.choice("。。。；"))
            else:
                out.append(" ".join(w).capitalize() + ".")
        return out

    def indicator(self, zh, traceable):
        r = self.rng
        target = "%.2f" % r.uniform(0.1, 100)
        ind = {"name": r.choice(IND_ZH if zh else IND_EN), "target": "≤" + target,
               "achieved": "%.2f" % (float(target) * r.uniform(0.5, 1.2)), "unit": r.choice(UNITS)}
        if traceable:
            lab = r.choice(ZH_LAB if zh else EN_LAB)
            ind.update({"method": r.choice(ZH_TEST if zh else EN_TEST), "lab": lab,
                        "accreditation": "CNAS L%d" % r.randint(1000, 9999) if zh else
                        "A2LA %d.%02d" % (r.randint(1000, 9999), r.randint(1, 99)),
                        "report_no": "R-%d-%05d" % (r.randint(2015, 2025), r.randint(1, 99999)),
                        "uncertainty": "U=%.3f（k=2）" % r.uniform(0.001, 1) if zh else
                        "U = %.3f (k = 2)" % r.uniform(0.001, 1)})
        return ind

    def record(self, i, lang):
        r = self.rng
        zh = lang != "en"
        sep = "" if zh else " "
        obj = r.choice(ZH_OBJ if zh else EN_OBJ)
        if zh:
            title = r.choice(ZH_METHOD) + obj + r.choice(ZH_ACT)
        else:
            title = "%s %s %s" % (r.choice(EN_ACT), r.choice(EN_METHOD), obj)
        abstract = sep.join(self.sentences(zh, r.randint(5, 8)))
        unique = fill(r, r.choice(ZH_SENT if zh else EN_SENT), zh)
        abstract += sep + unique
        if lang == "bi":
            abstract += "\n" + " ".join(self.sentences(False, r.randint(3, 5)))
        year = r.randint(2012, 2024)
        trl_start = r.randint(1, 6)
        trl_target = min(9, trl_start + r.randint(1, 3))
        claimed = min(9, trl_target + (r.randint(1, 3) if r.random() < 0.15 else 0))
        rec = {
            "id": "P%07d" % i, "kind": "project", "source": "BENCH-%d" % year, "title": title,
            "abstract": abstract,
            "keywords": r.sample(ZH_F if zh else EN_F, 3) + [obj],
            "organisation": r.choice(self.zh_orgs if zh else self.en_orgs),
            "pi": self.person(zh), "field": r.choice(ZH_FIELD if zh else EN_FIELD),
            "start": "%d-%02d-01" % (year, r.randint(1, 12)),
            "end": "%d-%02d-28" % (year + r.randint(1, 3), r.randint(1, 12)),
            "budget": round(r.uniform(50, 3000) * (1 if zh else 1000), 1),
            "currency": "CNY" if zh else "USD", "trl_start": trl_start, "trl_target": trl_target,
            "acceptance": {
                "date": "%d-%02d-15" % (year + 3, r.randint(1, 12)),
                "conclusion": r.choice(["通过", "通过", "通过", "结题", "不通过"]) if zh else
                r.choice(["passed", "passed", "passed", "completed", "failed"]),
                "summary": sep.join(self.sentences(zh, r.randint(3, 5))),
                "outcomes": ("发表论文%d篇；申请发明专利%d项。" if zh else
                             "%d papers published; %d patents filed.") %
                (r.randint(0, 12), r.randint(0, 6)),
                "trl_claimed": claimed},
            "indicators": [self.indicator(zh, r.random() < 0.6) for _ in range(r.randint(2, 4))],
        }
        return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first", type=int, default=0, help="the first record number (ids P<n>)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    g = Gen(a.seed)
    r = g.rng
    made = []  # a sample of earlier records to copy from
    with open(a.out + ".jsonl", "w", encoding="utf-8") as fj, \
            open(a.out + ".csv", "w", encoding="utf-8", newline="") as fc, \
            open(a.out + ".planted.csv", "w", encoding="utf-8", newline="") as fp:
        wc = csv.writer(fc)
        wc.writerow(["id", "title", "abstract", "summary"])
        wp = csv.writer(fp)
        wp.writerow(["kind", "id", "source_id"])
        for i in range(a.first, a.first + a.n):
            u = r.random()
            if made and u < 0.03:
                src = r.choice(made)
                rec = json.loads(json.dumps(src))
                rec["id"] = "P%07d" % i
                zh = any("\u4e00" <= c <= "\u9fff" for c in src["title"])
                sep = "" if zh else " "
                if u < 0.01:
                    kind = "exact"
                    rec["organisation"] = r.choice(g.zh_orgs if zh else g.en_orgs)
                elif u < 0.02:
                    kind = "partial"
                    more = g.sentences(zh, max(4, len(src["abstract"]) // (40 if zh else 110)))
                    cut = r.randint(0, len(more))
                    rec["abstract"] = sep.join(more[:cut] + [src["abstract"]] + more[cut:])
                    rec["title"] = src["title"] + ("及应用" if zh else " and applications")
                else:
                    kind = "continuation"
                    rec["title"] = src["title"] + ("（二期）" if zh else ", Phase II")
                    old = src["abstract"].split("。" if zh else ". ")
                    keep = r.sample(old, max(1, len(old) // 3))
                    rec["abstract"] = sep.join([s for s in keep] + g.sentences(zh, 5))
                    rec["start"] = src["end"]
                wp.writerow([kind, rec["id"], src["id"]])
            else:
                lang = "zh" if u < 0.45 else "en" if u < 0.90 else "bi"
                rec = g.record(i, lang)
            if len(made) < 20000:
                made.append(rec)
            elif r.random() < 0.02:
                made[r.randrange(len(made))] = rec
            fj.write(json.dumps(rec, ensure_ascii=False) + "\n")
            wc.writerow([rec["id"], rec["title"], rec["abstract"].replace("\n", " "),
                         rec["acceptance"]["summary"]])


if __name__ == "__main__":
    main()
