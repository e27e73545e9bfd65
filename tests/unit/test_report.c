/*
 * Unit tests: the reviewer workbook (reports/rpt_xlsx.h, rpt_text.h) and
 * reading reviewers' decisions back (importers/imp_decisions.h).
 *
 * The store is built here through the engine API with hand-made rows, so the
 * tests (and the golden workbooks of tests/workbook/) do not depend on the
 * rule set.  Besides running its tests, the binary serves
 * tests/workbook/run.sh:
 *   test_report --fixture DIR      writes DIR/fixture.db and the workbooks
 *                                  DIR/en.xlsx, DIR/zh.xlsx, DIR/split.xlsx
 *                                  (split by source), DIR/screen.xlsx, with
 *                                  the fixed date 2026-01-15
 *   test_report --report DB FILE LANG
 *                                  writes the workbook of the latest run
 *   test_report --import DB FILE [REVIEWER]
 *                                  runs `decisions import` on FILE and
 *                                  prints "added N unchanged N empty N" or
 *                                  "error CODE: message"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "../check.h"
#include "engine/eng_book.h"
#include "engine/eng_store.h"
#include "importers/imp_decisions.h"
#include "importers/imp_xlsx.h"
#include "reports/rpt_book.h"
#include "reports/rpt_select.h"
#include "reports/rpt_text.h"
#include "reports/rpt_xlsx.h"
#include "base/base_sha256.h"

/* libxlsxwriter 1.1.4 leaks the copy of a data validation's list formula
 * (fixed in 1.1.6); the leak is the library's, so LeakSanitizer is told. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:worksheet_data_validation_range\nleak:lxw_strdup\n";
}

#define FIXED_NOW "2026-01-15T09:00:00Z"
#define FIXED_DATE "2026-01-15"

/* ---- rpt_text ------------------------------------------------------------------------------ */

typedef struct clean_case {
    const char *in;
    size_t max;
    const char *lang;
    const char *want; /* NULL: want == in (and the very same pointer) */
    int flags;
} clean_case;

static const clean_case clean_cases[] = {
    {"plain ASCII", 100, "en", NULL, 0},
    {"=HYPERLINK(\"http://x\",\"y\")", 100, "en", NULL, 0},
    {"中文标题：高精度测温仪", 100, "en", NULL, 0},
    {"tab\tand\nnewline\r", 100, "en", NULL, 0},
    {"", 100, "en", NULL, 0},
    {"bad \xff byte", 100, "en", "bad \xEF\xBF\xBD byte", RPT_TEXT_REPAIRED},
    {"cut \xE6\xB5", 100, "en", "cut \xEF\xBF\xBD\xEF\xBF\xBD", RPT_TEXT_REPAIRED},
    {"overlong \xC0\xAF", 100, "en", "overlong \xEF\xBF\xBD\xEF\xBF\xBD", RPT_TEXT_REPAIRED},
    {"surrogate \xED\xA0\x80", 100, "en", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
     RPT_TEXT_REPAIRED},
    {"nul-free ctrl \x01\x1f", 100, "en", "nul-free ctrl \xEF\xBF\xBD\xEF\xBF\xBD",
     RPT_TEXT_REPAIRED},
    {"not xml \xEF\xBF\xBF", 100, "en", "not xml \xEF\xBF\xBD", RPT_TEXT_REPAIRED},
    {"escape _x0041_ here", 100, "en", "escape _x005F_x0041_ here", 0},
    {"not an escape _x004_ _xZZZZ_", 100, "en", NULL, 0},
    {"emoji \xF0\x9F\x98\x80 ok", 100, "en", NULL, 0},
};

/* The workbook's words (engine/eng_book.h): every entry in both languages,
 * and the headers of a sheet distinct in each, since the reader of returned
 * workbooks finds columns by header. */
static void check_cols(const char *sheet, const eng_book_col *c, int n)
{
    for (int i = 0; i < n; i++) {
        CHECK(c[i].en && *c[i].en && c[i].zh && *c[i].zh && c[i].width > 0,
              "%s column %d: a header in both languages and a width", sheet, i);
        for (int j = 0; j < i; j++)
            CHECK(c[i].en && c[j].en && strcasecmp(c[i].en, c[j].en) && strcmp(c[i].zh, c[j].zh),
                  "%s columns %d and %d have the same header", sheet, j, i);
    }
}

static void check_labels(const char *what, const eng_book_label *l, int n)
{
    for (int i = 0; i < n; i++)
        CHECK(l[i].en && *l[i].en && l[i].zh && *l[i].zh, "%s %d: both languages", what, i);
}

static void test_book_words(void)
{
    check_cols("Projects", eng_book_proj, EB_P_NCOLS);
    check_cols("Duplicates", eng_book_dup, EB_D_NCOLS);
    check_cols("Evidence", eng_book_ev, EB_E_NCOLS);
    check_cols("Indicators", eng_book_ind, EB_I_NCOLS);
    check_cols("Rules", eng_book_rule, EB_R_NCOLS);
    check_cols("Traceability", eng_book_trace, EB_T_NCOLS);
    check_labels("metrology gap word", eng_book_gap, EB_NG);
    check_cols("Screening", eng_book_screen_cols, EB_SC_NCOLS);
    for (int i = 0; i < EB_R_NCOLS; i++)
        CHECK(eng_book_rule[i].key && *eng_book_rule[i].key, "Rules column %d: its key", i);
    check_labels("sheet", eng_book_sheets, EB_NSHEETS);
    check_labels("summary label", eng_book_sum, EB_NS);
    check_labels("decision", eng_book_decisions, EB_NDECISIONS);
    check_labels("word", eng_book_misc, EB_NMISC);
    check_labels("screening word", eng_book_screen_text, EB_NST);
    CHECK_STR(eng_book_value("near", 1), "近似重复", "a value in Chinese");
    CHECK_STR(eng_book_value("near", 0), "near", "a value in English");
    CHECK_STR(eng_book_value("no-such-value", 1), "no-such-value", "an unknown value");
}

/* HTML character references decoded for display (#13 item 5): titles from
 * SBIR and TechPort carry them. */
static void test_entities(void)
{
    static const struct {
        const char *in, *want; /* want NULL: nothing to decode */
    } cases[] = {
        {"Sensors &amp; Actuators", "Sensors & Actuators"},
        {"&lt;b&gt; &quot;x&quot; &apos;y&apos;", "<b> \"x\" 'y'"},
        {"Company&#8217;s &#039;next&#39; step", "Company\xE2\x80\x99s 'next' step"},
        {"TechPort&#x27;s &#X2013; dash", "TechPort's \xE2\x80\x93 dash"},
        {"lost high byte &#x19;s and &#x13; dash",
         "lost high byte \xE2\x80\x99s and \xE2\x80\x93 dash"},
        {"&nbsp;&rsquo;&ldquo;&rdquo;&ndash;&hellip;&deg;",
         "\xC2\xA0\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x93\xE2\x80\xA6\xC2\xB0"},
        {"中文&amp;英文", "中文&英文"},
        {"R&D and AT&T", NULL},                 /* no reference: as written */
        {"&unknown; &#0; &#1; &#xD800;", NULL}, /* unknown, NUL, control, surrogate: kept */
        {"&#; &#x; &amp", NULL},
        {"&#1114112;", NULL}, /* past U+10FFFF */
        {"&#128512;", "\xF0\x9F\x98\x80"},
        {"a &amp;amp; b", "a &amp; b"}, /* one pass: never decoded twice */
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int oom = 0;
        char *got = rpt_text_entities(cases[i].in, &oom);
        CHECK_STR(got, cases[i].want, cases[i].in);
        CHECK(!oom, "no oom: %s", cases[i].in);
        free(got);
    }
    CHECK(rpt_text_entities(NULL, NULL) == NULL, "NULL");
}

/* The --where language and the --top orders (#14 item 5). */
static void test_select(void)
{
    eng_score sc[3];
    memset(sc, 0, sizeof sc);
    sc[0].project_id = "A";
    sc[0].field = "计量·温度";
    sc[0].trl_evidenced = 6;
    sc[0].traceability = 40;
    sc[0].novelty = 80;
    sc[0].overall = 70;
    sc[0].flags = "[\"TRL-OVERCLAIM\",\"DUP-NEAR\"]";
    sc[1].project_id = "B";
    sc[1].title = "Sensors";
    sc[1].traceability = -1;
    sc[1].novelty = -1;
    sc[1].overall = -1;
    sc[1].flags = "[]";
    sc[2].project_id = "C";
    sc[2].trl_evidenced = 3;
    sc[2].traceability = 10;
    sc[2].novelty = 50;
    sc[2].overall = 30;
    sc[2].flags = "[\"DUP-EXACT\"]";
    static const struct {
        const char *expr;
        const char *want; /* the ids matched */
    } cases[] = {
        {"flag=TRL-OVERCLAIM", "A"},
        {"flag!=TRL-OVERCLAIM", "BC"},
        {"flag~dup", "AC"},
        {"trl_achieved>=6", "A"},
        {"trl_achieved<6", "C"}, /* no reading is not below 6 */
        {"trl_achieved=null", "B"},
        {"overall=null or overall>50", "AB"},
        {"novelty!=null and not flag~DUP", ""},
        {"field=\"计量·温度\"", "A"},
        {"field=计量·温度", "A"},
        {"title~sens", "B"},
        {"(overall>20 or overall=null) and flag_count<=1", "BC"},
        {"NOT flag=DUP-EXACT AND overall >= 30", "A"},
        {"id='C' or id=\"B\"", "BC"},
        {"flag_count=2", "A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rpt_where *w = NULL;
        eng_err err;
        eng_err_clear(&err);
        CHECK(rpt_where_parse(cases[i].expr, &w, &err) == ENG_OK, "%s: %s", cases[i].expr, err.msg);
        char got[8] = "";
        size_t n = 0;
        for (int k = 0; k < 3 && w; k++)
            if (rpt_where_match(w, &sc[k]))
                got[n++] = sc[k].project_id[0];
        got[n] = '\0';
        CHECK_STR(got, cases[i].want, cases[i].expr);
        rpt_where_free(w);
    }
    static const char *const bad[] = {"",
                                      "   ",
                                      "overall",
                                      "overall>",
                                      "overall>>5",
                                      "overal>5",
                                      "trl_achieved>=six",
                                      "(flag=X",
                                      "flag<3",
                                      "title~'open",
                                      "novelty<null",
                                      "a=1 and",
                                      "overall=1 x",
                                      "title~3 or",
                                      "((((((((((((((((((((((((((((((((((((((((("
                                      "((((((((((((((((((((((((((((((overall=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rpt_where *w = NULL;
        eng_err err;
        eng_err_clear(&err);
        CHECK(rpt_where_parse(bad[i], &w, &err) == ENG_EUSAGE && !w, "refused: %s", bad[i]);
        CHECK(strstr(err.msg, "--where") != NULL, "message names --where: %s", err.msg);
    }
    size_t sel[3] = {0, 1, 2};
    eng_err err;
    int o = rpt_order_parse("overall", &err);
    rpt_order_sort(sc, sel, 3, o);
    CHECK(sel[0] == 0 && sel[1] == 2 && sel[2] == 1, "overall, missing last: %zu %zu %zu", sel[0],
          sel[1], sel[2]);
    o = rpt_order_parse("-overall", &err);
    rpt_order_sort(sc, sel, 3, o);
    CHECK(sel[0] == 2 && sel[1] == 0 && sel[2] == 1, "-overall, missing last");
    o = rpt_order_parse("flags", &err);
    rpt_order_sort(sc, sel, 3, o);
    CHECK(sel[0] == 0 && sel[1] == 2 && sel[2] == 1, "flags: most first");
    CHECK(rpt_order_parse("merit", &err) < 0 && err.code == ENG_EUSAGE, "unknown order");
    CHECK(rpt_order_parse(NULL, &err) >= 0, "default order");
}

/* The zh workbook's parameter names and method text (#13 item 5). */
static void test_book_zh(void)
{
    char out[512];
    eng_book_param_name("weights.trl", 1, out, sizeof out);
    CHECK_STR(out, "权重：TRL（weights.trl）", "param zh");
    eng_book_param_name("weights.trl", 0, out, sizeof out);
    CHECK_STR(out, "weights.trl", "param en");
    eng_book_param_name("calibration.something", 1, out, sizeof out);
    CHECK_STR(out, "calibration.something", "unknown param stays");
    eng_book_method_text("minhash-oph p=128 b=42xr=3, verified", 1, out, sizeof out);
    CHECK_STR(
        out,
        "MinHash 单置换哈希：128 个置换（签名值），LSH 分 42 个带 × 每带 3 行；候选对经原文核对"
        "（minhash-oph p=128 b=42xr=3, verified）",
        "method zh");
    eng_book_method_text("minhash-oph p=64 b=16xr=4", 0, out, sizeof out);
    CHECK_STR(out, "minhash-oph p=64 b=16xr=4", "method en as stored");
    eng_book_method_text("exact-normalised", 1, out, sizeof out);
    CHECK_STR(out, "规范化后全文相同（exact-normalised）", "exact zh");
    eng_book_method_text("something new", 1, out, sizeof out);
    CHECK_STR(out, "something new", "unknown method as stored");
    eng_book_method_text("minhash-oph p=128 b=42xr=3, verified", 1, out, 20);
    CHECK(strlen(out) < 20, "cut to the buffer");
}

static void test_clean(void)
{
    rpt_text t = {0};
    for (size_t i = 0; i < sizeof clean_cases / sizeof clean_cases[0]; i++) {
        const clean_case *c = &clean_cases[i];
        int flags = -1;
        const char *got = rpt_text_clean(&t, c->in, c->max, c->lang, &flags);
        if (!c->want)
            CHECK(got == c->in, "clean %zu: expected the text itself", i);
        CHECK_STR(got, c->want ? c->want : c->in, "clean");
        CHECK_INT(flags, c->flags, "clean flags");
    }
    /* Over-long text: cut within the limit, with the marker, at a character
     * boundary, in both languages. */
    const char *langs[2] = {"en", "zh"};
    const char *markers[2] = {"\xE2\x80\xA6[truncated: ", "\xE2\x80\xA6[\xE5\xB7\xB2\xE6\x88\xAA"};
    for (int l = 0; l < 2; l++) {
        size_t n = 40000;
        char *big = malloc(n * 3 + 1);
        for (size_t k = 0; k < n; k++)
            memcpy(big + 3 * k, "\xE6\xB5\x8B", 3); /* 测 */
        big[n * 3] = '\0';
        int flags;
        const char *got = rpt_text_clean(&t, big, RPT_CELL_MAX, langs[l], &flags);
        CHECK_INT(flags, RPT_TEXT_TRUNCATED, "truncated flag");
        CHECK(rpt_text_units(got) <= RPT_CELL_MAX, "truncated length %zu", rpt_text_units(got));
        CHECK(rpt_text_units(got) > RPT_CELL_MAX - 40, "kept most: %zu", rpt_text_units(got));
        CHECK(strstr(got, markers[l]) != NULL, "marker (%s)", langs[l]);
        const char *mk = strstr(got, "\xE2\x80\xA6[");
        CHECK(mk && (mk - got) % 3 == 0, "cut at a character boundary");
        /* The count in the marker is the characters cut. */
        const char *digits = mk ? strpbrk(mk, "0123456789") : NULL;
        long cut = digits ? strtol(digits, NULL, 10) : -1;
        CHECK_INT(cut, (long)n - (mk ? (mk - got) / 3 : 0), "characters cut");
        free(big);
    }
    /* Beyond the BMP a character counts two units. */
    char astral[4 * 20000 + 1];
    for (int k = 0; k < 20000; k++)
        memcpy(astral + 4 * k, "\xF0\xA0\x80\x80", 4);
    astral[4 * 20000] = '\0';
    int flags;
    const char *got = rpt_text_clean(&t, astral, RPT_CELL_MAX, "en", &flags);
    CHECK_INT(flags, RPT_TEXT_TRUNCATED, "astral truncated");
    CHECK(rpt_text_units(got) <= RPT_CELL_MAX, "astral units %zu", rpt_text_units(got));
    CHECK_STR(rpt_text_clean(&t, NULL, 100, "en", NULL), "", "NULL reads as empty");
    rpt_text_release(&t);
}

typedef struct name_case {
    const char *want;
    const char *taken[3];
    const char *expect;
} name_case;

static const name_case name_cases[] = {
    {"Projects", {NULL}, "Projects"},
    {"a[b]c:d*e?f/g\\h", {NULL}, "a_b_c_d_e_f_g_h"},
    {"'quoted'", {NULL}, "quoted"},
    {"", {NULL}, "Sheet"},
    {"history", {NULL}, "History_"},
    {"This name is far too long for an Excel sheet", {NULL}, "This name is far too long for a"},
    {"证据", {"证据", NULL}, "证据 (2)"},
    {"Lists", {"lists", "Lists (2)", NULL}, "Lists (3)"},
    {"这是一个非常非常长的中文工作表名称用来测试截断是否在字符边界上进行处理",
     {NULL},
     "这是一个非常非常长的中文工作表名称用来测试截断是否在字符边界上"},
    {"bad \xff", {NULL}, "bad \xEF\xBF\xBD"},
};

static const char *const file_cases[][2] = {
    {"NKP-2019", "NKP-2019"},
    {"中国计量科学研究院", "中国计量科学研究院"},
    /* 作 (U+4F5C) and 术 (U+672F) end in the bytes of '\\' and '/' */
    {"农业·作物育种", "农业·作物育种"},
    {"农业·信息技术", "农业·信息技术"},
    {"a/b\\c:d", "a_b_c_d"},
    {"  ..hidden  ", "hidden"},
    {"", "none"},
    {"CON", "CON_"},
    {"com1", "com1_"},
    {"x\xff"
     "y",
     "x_y"},
    {"Example University, Dept. of Physics", "Example_University,_Dept._of_Physics"},
};

static void test_names(void)
{
    for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        const name_case *c = &name_cases[i];
        size_t n = 0;
        while (n < 3 && c->taken[n])
            n++;
        char out[128];
        CHECK(rpt_sheet_name(out, sizeof out, c->want, c->taken, n) == 0, "sheet name %zu", i);
        CHECK_STR(out, c->expect, "sheet name");
        CHECK(rpt_text_units(out) <= RPT_SHEET_MAX, "sheet name length");
    }
    for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
        char out[96];
        CHECK(rpt_file_part(out, sizeof out, file_cases[i][0]) == 0, "file part %zu", i);
        CHECK_STR(out, file_cases[i][1], "file part");
    }
}

/* ---- the fixture store ------------------------------------------------------------------------
 */

typedef struct fx_project {
    const char *id, *kind, *source, *title, *abstract, *org, *pi, *field;
    int trl_claimed;
    const char *ind_name, *ind_target, *ind_achieved, *ind_acc;
    int trl_evidenced;
    double conf, trace, novelty, overall;
    const char *flags, *dup_of;
    int rule_errors;
} fx_project;

static const fx_project fx_projects[] = {
    {"2019YFB0101001",
     "project",
     "NKP-2019",
     "高精度低温测温仪的研制",
     "研制了基于铑铁电阻的低温测温仪样机，经中国计量科学研究院校准。",
     "中国计量科学研究院",
     "张三",
     "计量",
     6,
     "测温不确定度",
     "≤0.5 mK",
     "0.32 mK",
     "CNAS L0001",
     6,
     0.8,
     65,
     40,
     58.5,
     "[]",
     NULL,
     0},
    {"2019YFB0101002",
     "project",
     "NKP-2019",
     "高精度低温测温仪研制",
     "研制了基于铑铁电阻的低温测温仪样机。",
     "某某大学",
     "李四",
     "计量",
     7,
     "测温范围",
     "1 K–300 K",
     "1.5 K–300 K",
     NULL,
     4,
     0.5,
     10,
     12.5,
     20,
     "[\"TRL-OVERCLAIM\",\"TRC-SELF-TESTED\"]",
     "2019YFB0101001",
     0},
    {"2020-EN-0001",
     "project",
     "NSF-2020",
     "Portable laser interferometer for field calibration",
     "A prototype was demonstrated in a relevant environment; uncertainty U = 0.2 um, k = 2.",
     "Example University",
     "Jane Doe",
     "metrology",
     5,
     "Length uncertainty",
     "0.5 um",
     "0.2 um",
     "CNAS L1234",
     5,
     0.9,
     80,
     90,
     76,
     "[]",
     NULL,
     0},
    {"2020-EN-0002",
     "project",
     "NSF-2020",
     "=HYPERLINK(\"http://evil.example\",\"click\")",
     "-2+3 looks like a formula too.",
     "@corp",
     "+SUM(1,2)",
     "metrology",
     3,
     NULL,
     NULL,
     NULL,
     NULL,
     2,
     0.3,
     0,
     -1,
     12,
     "[\"TRC-NO-METHOD\"]",
     NULL,
     1},
    {"2021-XX-0003",
     "proposal",
     NULL,
     "Frequency comb proposal",
     "A proposal with no source.",
     "Institute of Optics",
     "Wang Wu",
     "optics",
     0,
     NULL,
     NULL,
     NULL,
     NULL,
     1,
     0.1,
     5,
     100,
     35,
     "[\"TRL-OVERCLAIM\"]",
     NULL,
     0},
};
#define NFX (sizeof fx_projects / sizeof fx_projects[0])

typedef struct fx_hit {
    int project;
    const char *rule, *dim, *field;
    int indicator;
    long offset, len;
    const char *match, *context;
    double points;
    int level;
    const char *severity, *message;
} fx_hit;

static const fx_hit fx_hits[] = {
    {0, "TRL6-PROTOTYPE", "trl", "abstract", -1, 30, 6, "样机",
     "研制了基于铑铁电阻的低温测温仪样机", 2, 6, NULL, "prototype built"},
    {0, "TRC-CALIBRATED", "traceability", "abstract", -1, 60, 9, "校准",
     "经中国计量科学研究院校准。", 25, 0, NULL, "calibrated by an NMI"},
    {0, "TRC-CNAS", "traceability", "accreditation", 0, 0, 10, "CNAS L0001", "CNAS L0001", 30, 0,
     NULL, "accredited laboratory"},
    {1, "TRL4-LAB", "trl", "abstract", -1, 0, 6, "研制", "研制了基于铑铁电阻的低温测温仪样机。", 1,
     4, NULL, "laboratory work"},
    {1, "TRL-OVERCLAIM", "flag", "", -1, 0, 0, "", "", 0, 0, "warn",
     "claimed TRL 7 is 3 above the evidence"},
    {1, "TRC-SELF-TESTED", "flag", "abstract", -1, 0, 6, "自测", "bad \xff\xfe bytes in context", 0,
     0, "warn", "self-tested only"},
    {2, "TRL5-RELEVANT", "trl", "abstract", -1, 2, 9, "prototype",
     "A prototype was demonstrated in a relevant environment", 2, 5, NULL, "relevant environment"},
    {2, "TRC-UNCERTAINTY", "traceability", "abstract", -1, 60, 16, "U = 0.2 um, k = 2",
     "uncertainty U = 0.2 um, k = 2.", 25, 0, NULL, "expanded uncertainty with k"},
    {3, "TRC-NO-METHOD", "flag", "indicators", -1, 0, 0, "_x0041_", "=1+1", 0, 0, "error",
     "indicator without a test method"},
    {4, "TRL-OVERCLAIM", "flag", "", -1, 0, 0, "", "BIGTEXT", 0, 0, "warn", "over-claim"},
};
#define NFXH (sizeof fx_hits / sizeof fx_hits[0])

static const char FX_RULESET[] =
    "{\"description\":\"test set\",\"name\":\"vernier-test\",\"rules\":["
    "{\"dimension\":\"trl\",\"fields\":[\"abstract\"],\"id\":\"TRL6-PROTOTYPE\",\"level\":6,"
    "\"pattern\":\"样机|prototype\",\"points\":2,\"why\":\"GB/T 22900-2022 level 6\","
    "\"message\":\"prototype built\"},"
    "{\"dimension\":\"traceability\",\"fields\":[\"abstract\",\"acceptance.summary\"],"
    "\"flags\":[\"caseless\"],\"id\":\"TRC-CNAS\",\"negatable\":true,\"pattern\":\"CNAS\\\\s*"
    "L\\\\d{4}\","
    "\"points\":30,\"scheme\":\"common\",\"scope\":\"indicator\",\"why\":\"ILAC P10\"},"
    "{\"absent\":true,\"dimension\":\"flag\",\"fields\":[\"indicators\"],\"id\":\"TRC-NO-METHOD\","
    "\"severity\":\"error\",\"when\":{\"field\":\"trl_claimed\",\"ge\":3},"
    "\"why\":\"=cmd|' /C calc'!A0\"}"
    "],\"version\":\"2026.1\",\"weights\":{\"novelty\":0.25,\"traceability\":0.35,\"trl\":0.4}}";

static const char FX_PARAMS[] =
    "{\"trl_threshold\":2,\"trl_support\":\"confidence\",\"overclaim_margin\":2,"
    "\"traceability_cap\":100,\"weights\":{\"trl\":0.4,\"traceability\":0.35,\"novelty\":0.25},"
    "\"duplicates\":{\"jaccard\":0.8,\"containment\":0.8},\"schemes\":[\"common\"]}";

/* Builds the fixture store at path (removed first).  Returns the run id, or
 * -1 with the error printed. */
static long build_fixture(const char *path)
{
    unlink(path);
    setenv("VERNIER_NOW", FIXED_NOW, 1);
    eng_store *st = NULL;
    eng_err err;
    eng_err_clear(&err);
    long run = -1;
    if (eng_store_open(path, &st, &err))
        goto fail;
    eng_import *imp = NULL;
    long already = 0;
    if (eng_import_begin(st, "fixture.jsonl", "0000fixture", "TEST", &imp, &already, &err))
        goto fail;
    for (size_t i = 0; i < NFX; i++) {
        const fx_project *p = &fx_projects[i];
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", p->id, NULL);
        eng_record_set(&r, "kind", p->kind, NULL);
        eng_record_set(&r, "source", p->source, NULL);
        eng_record_set(&r, "title", p->title, NULL);
        eng_record_set(&r, "abstract", p->abstract, NULL);
        eng_record_set(&r, "organisation", p->org, NULL);
        eng_record_set(&r, "pi", p->pi, NULL);
        eng_record_set(&r, "field", p->field, NULL);
        if (p->trl_claimed) {
            char v[8];
            snprintf(v, sizeof v, "%d", p->trl_claimed);
            eng_record_set(&r, "acceptance.trl_claimed", v, NULL);
        }
        if (p->ind_name) {
            eng_indicator *ind = eng_record_add_indicator(&r);
            eng_indicator_set(ind, "name", p->ind_name, NULL);
            eng_indicator_set(ind, "target", p->ind_target, NULL);
            eng_indicator_set(ind, "achieved", p->ind_achieved, NULL);
            eng_indicator_set(ind, "accreditation", p->ind_acc, NULL);
        }
        int rc = eng_import_add(imp, &r, &err);
        eng_record_release(&r);
        if (rc) {
            eng_import_abort(imp);
            goto fail;
        }
    }
    if (eng_import_commit(imp, &err))
        goto fail;

    eng_run_info info;
    memset(&info, 0, sizeof info);
    info.name = strdup("fixture");
    info.ruleset_name = strdup("vernier-test");
    info.ruleset_version = strdup("2026.1");
    char sha[65];
    base_sha256_hex(FX_RULESET, strlen(FX_RULESET), sha);
    info.ruleset_sha256 = strdup(sha);
    info.ruleset_text = strdup(FX_RULESET);
    info.params = strdup(FX_PARAMS);
    info.tool_version = strdup("vernier test");
    eng_runw *w = NULL;
    if (eng_runw_begin(st, &info, &w, &err)) {
        eng_run_info_release(&info);
        goto fail;
    }
    /* The content hashes the import computed, as a run would copy them. */
    int rc = 0;
    for (size_t i = 0; i < NFX && !rc; i++) {
        const fx_project *p = &fx_projects[i];
        eng_record r;
        eng_record_init(&r);
        char hash[65] = "";
        if (!eng_store_get_record(st, p->id, &r, &err))
            eng_record_hash(&r, hash);
        eng_record_release(&r);
        eng_score s;
        memset(&s, 0, sizeof s);
        s.project_id = (char *)p->id;
        s.content_hash = hash;
        s.trl_claimed = p->trl_claimed;
        s.trl_evidenced = p->trl_evidenced;
        s.trl_confidence = p->conf;
        s.traceability = p->trace;
        s.novelty = p->novelty;
        s.overall = p->overall;
        s.flags = (char *)p->flags;
        s.duplicate_of = (char *)p->dup_of;
        s.rule_errors = p->rule_errors;
        rc = eng_runw_score(w, &s, &err);
    }
    /* A context longer than a cell can hold. */
    size_t bign = 40000;
    char *big = malloc(bign + 1);
    memset(big, 'x', bign);
    big[bign] = '\0';
    for (size_t i = 0; i < NFXH && !rc; i++) {
        const fx_hit *f = &fx_hits[i];
        eng_hit h;
        memset(&h, 0, sizeof h);
        h.project_id = (char *)fx_projects[f->project].id;
        h.rule_id = (char *)f->rule;
        h.dimension = (char *)f->dim;
        h.field = (char *)f->field;
        h.indicator = f->indicator;
        h.offset = f->offset;
        h.len = f->len;
        h.match = (char *)f->match;
        h.context = strcmp(f->context, "BIGTEXT") ? (char *)f->context : big;
        h.points = f->points;
        h.level = f->level;
        h.severity = (char *)f->severity;
        h.message = (char *)f->message;
        rc = eng_runw_hit(w, &h, &err);
    }
    free(big);
    const eng_ind_verdict verdicts[] = {
        {(char *)"2019YFB0101001", 0, (char *)"测温不确定度", (char *)"≤0.5 mK", (char *)"0.32 mK",
         NULL, (char *)"traceable", 30, (char *)"accredited laboratory"},
        {(char *)"2019YFB0101002", 0, (char *)"测温范围", (char *)"1 K–300 K",
         (char *)"1.5 K–300 K", NULL, (char *)"untraceable", 0, (char *)"self-tested only"},
        {(char *)"2020-EN-0001", 0, (char *)"Length uncertainty", (char *)"0.5 um",
         (char *)"0.2 um", (char *)"um", (char *)"partly", 15,
         (char *)"uncertainty stated; no report number"},
    };
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0] && !rc; i++)
        rc = eng_runw_verdict(w, &verdicts[i], &err);
    eng_pair pair;
    memset(&pair, 0, sizeof pair);
    pair.a = (char *)"2019YFB0101001";
    pair.b = (char *)"2019YFB0101002";
    pair.kind = (char *)"near";
    pair.method = (char *)"minhash-lsh+verified";
    pair.jaccard = 0.82;
    pair.containment = 0.95;
    pair.contained = (char *)"2019YFB0101002";
    pair.passage_a = (char *)"研制了基于铑铁电阻的低温测温仪样机";
    pair.passage_b = (char *)"研制了基于铑铁电阻的低温测温仪样机";
    pair.signals = (char *)"[\"same-indicators\"]";
    if (!rc)
        rc = eng_runw_pair(w, &pair, &err);
    info.nprojects = NFX;
    info.nhits = NFXH;
    info.npairs = 1;
    if (rc) {
        eng_runw_abort(w);
        eng_run_info_release(&info);
        goto fail;
    }
    if (eng_runw_commit(w, &info, &err)) {
        eng_run_info_release(&info);
        goto fail;
    }
    run = info.id;
    eng_run_info_release(&info);
    /* One earlier decision, shown in the next workbook. */
    eng_decision dec;
    memset(&dec, 0, sizeof dec);
    dec.run_id = run;
    dec.project_id = (char *)"2019YFB0101001";
    dec.decision = (char *)"pass";
    dec.comment = (char *)"=1+1 reads as text; indicators met";
    dec.reviewer = (char *)"Prof. Chen";
    dec.decided_at = (char *)FIXED_NOW;
    dec.workbook = (char *)"earlier.xlsx";
    dec.workbook_sha256 = (char *)"0000";
    if (eng_store_add_decisions(st, &dec, 1, &err))
        goto fail;
    eng_store_close(st);
    return run;
fail:
    fprintf(stderr, "fixture: %s\n", err.msg);
    eng_store_close(st);
    return -1;
}

/* ---- helpers ----------------------------------------------------------------------------------
 */

static char dir[] = "/tmp/vernier-test-report-XXXXXX";

static const char *tmp_path(const char *name)
{
    static char buf[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int file_hash(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    base_sha256_ctx c;
    base_sha256_init(&c);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        base_sha256_update(&c, buf, n);
    fclose(f);
    base_sha256_final_hex(&c, out);
    return 0;
}

/* Temporary files ("*.tmp.*") left in the test folder. */
static int leftover_tmp(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* Reads a whole sheet into "ROW:a|b\n" lines (malloc'd), or NULL. */
static char *dump_sheet(const char *path, const char *sheet)
{
    imp_rows *rows = NULL;
    eng_err err;
    if (imp_xlsx_open(path, sheet, &rows, &err)) {
        fprintf(stderr, "dump %s %s: %s\n", path, sheet, err.msg);
        return NULL;
    }
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    imp_row row;
    while (rows->next(rows, &row, &err) == 1) {
        fprintf(f, "%ld:", row.line);
        for (size_t i = 0; i < row.ncells; i++)
            fprintf(f, "%s%s", i ? "|" : "", row.cells[i]);
        fputc('\n', f);
    }
    imp_rows_free(rows);
    fclose(f);
    return out;
}

/* ---- the workbook -----------------------------------------------------------------------------
 */

typedef struct sheet_case {
    const char *lang;
    const char *sheets[7];
    int hidden[7];
} sheet_case;

static const sheet_case sheet_cases[] = {
    {"en",
     {"Summary", "Projects", "Duplicates", "Evidence", "Indicators", "Rules", "Lists"},
     {0, 0, 0, 0, 0, 0, 1}},
    {"zh", {"摘要", "项目", "重复", "证据", "指标", "规则", "列表"}, {0, 0, 0, 0, 0, 0, 1}},
};

/* Cells a workbook must contain: a row of a sheet must include text. */
typedef struct cell_case {
    const char *lang, *sheet, *text;
} cell_case;

static const cell_case cell_cases[] = {
    {"en", "Projects", "1:ID|Title|Kind|Source|Field|Organisation|PI|TRL claimed"},
    {"en", "Projects", "2:2019YFB0101001|高精度低温测温仪的研制|project|NKP-2019|计量"},
    {"en", "Projects", "=HYPERLINK(\"http://evil.example\",\"click\")|project|NSF-2020"},
    {"en", "Projects", "@corp|+SUM(1,2)"},
    {"en", "Projects", "|pass|=1+1 reads as text; indicators met|"},
    {"en", "Projects", "3 hits"},
    {"en", "Evidence", "|bad \xEF\xBF\xBD\xEF\xBF\xBD bytes in context|"},
    {"en", "Evidence", "|_x0041_|=1+1|"},
    {"en", "Evidence", "\xE2\x80\xA6[truncated: "},
    {"en", "Summary", "Rule-set SHA-256|"},
    {"en", "Summary", "Cells repaired (invalid UTF-8)|1"},
    {"en", "Summary", "Cells truncated (over 32,767 characters)|1"},
    {"en", "Rules", "|=cmd|' /C calc'!A0"},
    {"en", "Rules", "TRC-CNAS|traceability|indicator|"},
    {"en", "Duplicates", "2019YFB0101001|高精度低温测温仪的研制|2019YFB0101002"},
    {"en", "Indicators", "|测温不确定度|≤0.5 mK|0.32 mK||traceable|30|"},
    {"en", "Lists", "1:pass\n2:revise\n3:fail\n"},
    {"zh", "项目", "1:项目编号|项目名称|类型"},
    {"zh", "项目", "|通过|=1+1 reads as text; indicators met|"},
    {"zh", "项目", "3 条证据"},
    {"zh", "证据", "\xE2\x80\xA6[已截断 "},
    {"zh", "指标", "|可溯源|"},
    {"zh", "列表", "1:通过\n2:整改后通过\n3:不通过\n"},
};

static void test_workbook(void)
{
    const char *db = tmp_path("t.db");
    long run = build_fixture(db);
    CHECK(run > 0, "fixture built");
    if (run <= 0)
        return;
    eng_store *st = NULL;
    eng_err err;
    eng_err_clear(&err);
    CHECK(eng_store_open(db, &st, &err) == ENG_OK, "open: %s", err.msg);

    for (size_t i = 0; i < sizeof sheet_cases / sizeof sheet_cases[0]; i++) {
        const sheet_case *c = &sheet_cases[i];
        rpt_options opt = {
            .lang = c->lang, .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
        char **paths = NULL;
        size_t n = 0;
        char name[32];
        snprintf(name, sizeof name, "%s.xlsx", c->lang);
        const char *out = tmp_path(name);
        int rc = rpt_workbook_write(st, 0, out, &opt, &paths, &n, &err);
        CHECK(rc == ENG_OK, "write %s: %s", c->lang, err.msg);
        CHECK(n == 1 && paths && !strcmp(paths[0], out), "one path");
        rpt_paths_free(paths, n);
        char **names = NULL;
        int *hidden = NULL;
        size_t ns = 0;
        rc = imp_xlsx_sheets(out, &names, &hidden, &ns, &err);
        CHECK(rc == ENG_OK, "sheets %s: %s", c->lang, err.msg);
        CHECK_INT(ns, 7, "sheet count");
        for (size_t k = 0; k < ns && k < 7; k++) {
            CHECK_STR(names[k], c->sheets[k], "sheet name");
            CHECK_INT(hidden[k] != 0, c->hidden[k], "sheet hidden");
        }
        imp_xlsx_free_names(names, hidden, ns);
        char *v = NULL;
        CHECK(imp_xlsx_property(out, "vernier_run", &v, &err) == ENG_OK && v &&
                  strtol(v, NULL, 10) == run,
              "vernier_run property: %s", v ? v : "(none)");
        free(v);
        v = NULL;
        char sha[65];
        base_sha256_hex(FX_RULESET, strlen(FX_RULESET), sha);
        CHECK(imp_xlsx_property(out, "vernier_ruleset_sha256", &v, &err) == ENG_OK && v &&
                  !strcmp(v, sha),
              "ruleset property");
        free(v);
    }
    for (size_t i = 0; i < sizeof cell_cases / sizeof cell_cases[0]; i++) {
        const cell_case *c = &cell_cases[i];
        char name[32];
        snprintf(name, sizeof name, "%s.xlsx", c->lang);
        char *s = dump_sheet(tmp_path(name), c->sheet);
        CHECK(s && strstr(s, c->text), "%s %s: missing \"%s\"", c->lang, c->sheet, c->text);
        free(s);
    }
    CHECK_INT(leftover_tmp(), 0, "no temporary file left");

    /* Failures leave the old workbook in place. */
    const char *en = tmp_path("en.xlsx");
    char before[65], after[65];
    file_hash(en, before);
    const struct {
        long run;
        rpt_options opt;
        int code;
    } bad[] = {
        {99, {.lang = "en"}, ENG_EINPUT},
        {0, {.lang = "fr"}, ENG_EUSAGE},
        {0, {.lang = "en", .split_by = "colour"}, ENG_EUSAGE},
        {0, {.lang = "en", .fixed_date = "15/01/2026"}, ENG_EUSAGE},
        {0, {.lang = "en", .where = "overall>>1"}, ENG_EUSAGE},
        {0, {.lang = "en", .top = 3, .by = "merit"}, ENG_EUSAGE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char **paths = NULL;
        size_t n = 0;
        int rc = rpt_workbook_write(st, bad[i].run, en, &bad[i].opt, &paths, &n, &err);
        CHECK_INT(rc, bad[i].code, "bad call code");
        CHECK(paths == NULL, "no paths on failure");
    }
    file_hash(en, after);
    CHECK_STR(after, before, "old workbook intact");
    int rc = rpt_workbook_write(st, 0, "/nonexistent-dir/x.xlsx", NULL, NULL, NULL, &err);
    CHECK_INT(rc, ENG_EIO, "unwritable folder");
    CHECK(strstr(err.msg, "/nonexistent-dir/x.xlsx") != NULL, "message names the path: %s",
          err.msg);

    /* The same store, options and date give the same bytes. */
    rpt_options opt = {.lang = "en", .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
    const char *again = tmp_path("again.xlsx");
    CHECK(rpt_workbook_write(st, 0, again, &opt, NULL, NULL, &err) == ENG_OK, "again: %s", err.msg);
    file_hash(again, after);
    CHECK_STR(after, before, "byte-identical rewrite");

    /* Constant-memory sheets read the same. */
    rpt_options big = {.lang = "en", .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 2};
    const char *cm = tmp_path("cm.xlsx");
    CHECK(rpt_workbook_write(st, 0, cm, &big, NULL, NULL, &err) == ENG_OK, "constant memory: %s",
          err.msg);
    const char *sheets[] = {"Projects", "Evidence", "Duplicates", "Indicators", "Rules"};
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        char *a = dump_sheet(en, sheets[i]), *b = dump_sheet(cm, sheets[i]);
        CHECK(a && b && !strcmp(a, b), "constant-memory %s reads the same", sheets[i]);
        free(a);
        free(b);
    }

    /* Split by source: one workbook a value, "none" for no source. */
    rpt_options split = {
        .lang = "en", .split_by = "source", .fixed_date = FIXED_DATE, .large_rows = 0};
    char **paths = NULL;
    size_t n = 0;
    rc = rpt_workbook_write(st, 0, tmp_path("panel.xlsx"), &split, &paths, &n, &err);
    CHECK(rc == ENG_OK, "split: %s", err.msg);
    const char *want[] = {"panel-none.xlsx", "panel-NKP-2019.xlsx", "panel-NSF-2020.xlsx"};
    CHECK_INT(n, 3, "split workbooks");
    for (size_t i = 0; i < n && i < 3; i++) {
        CHECK_STR(paths[i], tmp_path(want[i]), "split path");
        char *s = dump_sheet(paths[i], "Projects");
        int rows = 0;
        for (const char *p = s; p && *p; p++)
            rows += *p == '\n';
        CHECK_INT(rows, i == 0 ? 2 : 3, "panel rows (header + projects)");
        free(s);
    }
    char *dups = n == 3 ? dump_sheet(paths[2], "Duplicates") : NULL;
    CHECK(dups && !strstr(dups, "2019YFB"), "a pair outside the panel is left out");
    free(dups);
    rpt_paths_free(paths, n);
    eng_store_close(st);
}

/* imp_decisions on workbooks this writer made (edited ones are tried by
 * tests/workbook/roundtrip.py, which has an independent xlsx writer). */
static void test_decisions(void)
{
    eng_store *st = NULL, *other = NULL;
    eng_err err;
    CHECK(eng_store_open(tmp_path("t.db"), &st, &err) == ENG_OK, "open: %s", err.msg);
    CHECK(eng_store_open(tmp_path("other.db"), &other, &err) == ENG_OK, "open: %s", err.msg);
    if (!st || !other)
        return;
    const struct {
        eng_store *st;
        const char *file;
        int code;
        const char *text; /* in the message, or the counts "added unchanged empty" */
    } cases[] = {
        {NULL, "en.xlsx", ENG_OK, "0 1 4"},
        {NULL, "zh.xlsx", ENG_OK, "0 1 4"},
        {NULL, "panel-NKP-2019.xlsx", ENG_OK, "0 1 1"},
        {NULL, "screen.xlsx", ENG_EINPUT, "screening workbook"},
        {NULL, "t.db", ENG_EINPUT, "t.db"},
        {NULL, "missing.xlsx", ENG_EIO, "missing.xlsx"},
        {(eng_store *)1, "en.xlsx", ENG_EINPUT, "comes from another store"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eng_store *s = cases[i].st ? other : st;
        imp_decisions_result res;
        memset(&res, 0, sizeof res);
        eng_err_clear(&err);
        int rc = imp_decisions_read(s, tmp_path(cases[i].file), "tester", &res, &err);
        CHECK_INT(rc, cases[i].code, cases[i].file);
        if (rc == ENG_OK) {
            char counts[64];
            snprintf(counts, sizeof counts, "%zu %zu %zu", res.added, res.unchanged, res.empty);
            CHECK_STR(counts, cases[i].text, cases[i].file);
            CHECK_STR(res.reviewer, "tester", "reviewer");
            CHECK_INT(strlen(res.sha256), 64, "file hash");
        } else {
            CHECK(strstr(err.msg, cases[i].text) != NULL, "%s: message \"%s\"", cases[i].file,
                  err.msg);
        }
        imp_decisions_result_release(&res);
    }
    eng_store_close(other);
    eng_store_close(st);
}

/* A sheet holds at most 65,530 hyperlinks: past them rpt_book_link writes a
 * HYPERLINK() formula of its own, which reads back as its label. */
static void test_many_links(void)
{
    rpt_book b;
    eng_err err;
    rpt_options opt = {.lang = "en", .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
    const char *out = tmp_path("links.xlsx");
    if (rpt_book_open(&b, out, &opt, "links", &err)) {
        CHECK(0, "open: %s", err.msg);
        return;
    }
    lxw_worksheet *ws = rpt_book_sheet(&b, "Links", 70000, NULL);
    lxw_worksheet *to = rpt_book_sheet(&b, "Target", 1, NULL);
    rpt_book_str(&b, to, 0, 0, "here", NULL);
    const long n = 65540;
    for (long r = 0; r < n; r++)
        rpt_book_link(&b, ws, (lxw_row_t)r, 0, "'Target'!A1", r % 2 ? "2 hits" : "1 hit");
    CHECK(rpt_book_close(&b, &err) == ENG_OK, "close: %s", err.msg);
    imp_rows *rows = NULL;
    long count = 0, last = 0;
    int labels_ok = 1;
    if (imp_xlsx_open(out, "Links", &rows, &err) == ENG_OK) {
        imp_row row;
        while (rows->next(rows, &row, &err) == 1) {
            count++;
            last = row.line;
            labels_ok &=
                row.ncells == 1 && !strcmp(row.cells[0], (row.line - 1) % 2 ? "2 hits" : "1 hit");
        }
        imp_rows_free(rows);
    }
    CHECK_INT(count, n, "link rows read back");
    CHECK_INT(last, n, "last row");
    CHECK(labels_ok, "every link shows its label");
    char cmd[800];
    snprintf(cmd, sizeof cmd,
             "unzip -p '%s' xl/worksheets/sheet1.xml | grep -o 'HYPERLINK(' | wc -l", out);
    FILE *p = popen(cmd, "r");
    long formulas = -1;
    if (p) {
        if (fscanf(p, "%ld", &formulas) != 1)
            formulas = -1;
        pclose(p);
    }
    if (formulas >= 0) /* unzip is there (make deps installs it) */
        CHECK_INT(formulas, n - 65530, "HYPERLINK() formulas past the limit");
}

static void test_screen(void)
{
    const rpt_screen_match m[2] = {
        {"2019YFB0101001", "高精度低温测温仪的研制", "NKP-2019", "near", 0.82, 0.91,
         "[\"same-pi\"]", "研制了低温测温仪", "研制了低温测温仪"},
        {"2020-EN-0001", "=cmd|' /C calc'!A0", "NSF-2020", "partial", 0.41, 0.85, NULL, NULL, NULL},
    };
    const rpt_screen_item items[2] = {
        {"P-1", "低温测温仪申报书", m, 2},
        {"P-2", "+nothing alike", NULL, 0},
    };
    rpt_screen s = {"vernier-test", "2026.1", "abc", 0.8, 0.8, 5, 5, items, 2};
    eng_err err;
    rpt_options opt = {.lang = "zh", .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
    const char *out = tmp_path("screen.xlsx");
    CHECK(rpt_screen_write(out, &s, &opt, &err) == ENG_OK, "screen: %s", err.msg);
    char *sheet = dump_sheet(out, "查重");
    CHECK(sheet && strstr(sheet, "P-1|低温测温仪申报书|1|2019YFB0101001"), "screen row");
    CHECK(sheet && strstr(sheet, "=cmd|' /C calc'!A0"), "screen title as text");
    CHECK(sheet && strstr(sheet, "P-2|+nothing alike|||||无相似项目"), "no match row");
    free(sheet);
}

/* ---- modes for tests/workbook/run.sh ----------------------------------------------------------
 */

static int fixture_mode(const char *outdir)
{
    char db[600], p[600];
    snprintf(db, sizeof db, "%s/fixture.db", outdir);
    long run = build_fixture(db);
    if (run < 0)
        return 3;
    eng_store *st;
    eng_err err;
    if (eng_store_open(db, &st, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    const struct {
        const char *file, *lang, *split;
    } books[] = {{"en.xlsx", "en", NULL}, {"zh.xlsx", "zh", NULL}, {"split.xlsx", "en", "source"}};
    for (size_t i = 0; i < sizeof books / sizeof books[0]; i++) {
        rpt_options opt = {.lang = books[i].lang,
                           .split_by = books[i].split,
                           .fixed_date = FIXED_DATE,
                           .large_rows = 0};
        snprintf(p, sizeof p, "%s/%s", outdir, books[i].file);
        if (rpt_workbook_write(st, 0, p, &opt, NULL, NULL, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            eng_store_close(st);
            return 3;
        }
    }
    eng_store_close(st);
    const rpt_screen_match m = {
        "2019YFB0101001", "高精度低温测温仪的研制", "NKP-2019",        "near", 0.82, 0.91,
        "[\"same-pi\"]",  "研制了低温测温仪",       "研制了低温测温仪"};
    const rpt_screen_item it = {"P-1", "=低温测温仪申报书", &m, 1};
    rpt_screen s = {"vernier-test", "2026.1", "abc", 0.8, 0.8, 5, 5, &it, 1};
    rpt_options opt = {.lang = "en", .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
    snprintf(p, sizeof p, "%s/screen.xlsx", outdir);
    if (rpt_screen_write(p, &s, &opt, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    printf("run %ld\n", run);
    return 0;
}

static int report_mode(const char *db, const char *file, const char *lang)
{
    eng_store *st;
    eng_err err;
    if (eng_store_open(db, &st, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return err.code;
    }
    rpt_options opt = {.lang = lang, .split_by = NULL, .fixed_date = FIXED_DATE, .large_rows = 0};
    int rc = rpt_workbook_write(st, 0, file, &opt, NULL, NULL, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    eng_store_close(st);
    return rc;
}

static int import_mode(const char *db, const char *file, const char *reviewer)
{
    eng_store *st;
    eng_err err;
    if (eng_store_open(db, &st, &err)) {
        printf("error %d: %s\n", err.code, err.msg);
        return err.code;
    }
    imp_decisions_result res;
    int rc = imp_decisions_read(st, file, reviewer, &res, &err);
    if (rc)
        printf("error %d: %s\n", rc, err.msg);
    else
        printf("added %zu unchanged %zu empty %zu reviewer %s\n", res.added, res.unchanged,
               res.empty, res.reviewer);
    if (!rc)
        imp_decisions_result_release(&res);
    eng_store_close(st);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--fixture"))
        return fixture_mode(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "--report"))
        return report_mode(argv[2], argv[3], argv[4]);
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--import"))
        return import_mode(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    if (!mkdtemp(dir))
        return 1;
    test_book_words();
    test_clean();
    test_entities();
    test_book_zh();
    test_select();
    test_names();
    test_workbook();
    test_screen();
    test_decisions();
    test_many_links();
    int rc = check_done("test_report");
    if (!rc && !getenv("KEEP")) {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd)) {
        }
    }
    return rc;
}
