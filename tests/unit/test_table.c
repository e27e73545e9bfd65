/*
 * test_table: rows to records (importers/imp_table): the value readers
 * (dates in every form, periods, amounts with units, TRLs, placeholders),
 * header mapping (Chinese and English aliases, units in headers, the map
 * file, unmapped columns kept), and row handling (repeated headers, blank
 * and ragged rows, title rows, bad values with FILE:LINE), and the
 * indicators table.  Inputs are in-memory strings written to temp files.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_placeholder.h"
#include "importers/imp_csv.h"
#include "importers/imp_table.h"
#include "tests/check.h"

static char tmpdir[] = "/tmp/test_table.XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
    static char paths[4][512];
    static int k;
    char *path = paths[k++ % 4];
    snprintf(path, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

/* ---- values -------------------------------------------------------------------- */

static void test_dates(void)
{
    static const struct {
        const char *in, *want; /* want NULL: an error containing err */
        const char *err;
    } cases[] = {
        {"2019-07-01", "2019-07-01", NULL},
        {"2019-7-1", "2019-07-01", NULL},
        {"2019/7/1", "2019-07-01", NULL},
        {"2019.07.01", "2019-07-01", NULL},
        {"2019.07", "2019-07", NULL},
        {"2019/07", "2019-07", NULL},
        {"2019-07", "2019-07", NULL},
        {"2019", "2019", NULL},
        {"20190701", "2019-07-01", NULL},
        {"201907", "2019-07", NULL},
        {"2019年7月", "2019-07", NULL},
        {"2019年7月1日", "2019-07-01", NULL},
        {"2019 年 07 月 01 日", "2019-07-01", NULL},
        {"2019年", "2019", NULL},
        {"２０１９年７月", "2019-07", NULL},
        {"  2019-07-01  ", "2019-07-01", NULL},
        {"2015-06-30 05:00:00.000000", "2015-06-30", NULL},
        {"2019-07-01T08:00:00Z", "2019-07-01", NULL},
        {"2020-02-29", "2020-02-29", NULL},
        {"0", "", NULL},
        {"0000-00-00", "", NULL},
        {"无", "", NULL},
        {"N/A", "", NULL},
        {"—", "", NULL},
        {"", "", NULL},
        {"2019-02-29", NULL, "\"2019-02-29\" is not a calendar date"},
        {"2019-13", NULL, "is not a calendar date"},
        {"2019.7.32", NULL, "is not a calendar date"},
        {"7/1/2019", NULL, "ambiguous"},
        {"01.07.2019", NULL, "ambiguous"},
        {"19-07-01", NULL, "expected a date"},
        {"next year", NULL, "got \"next year\""},
        {"2019-07/01", NULL, "expected a date"},
        {"1850", NULL, "is not a calendar date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[11];
        eng_err err = {0};
        int rc = imp_value_date(cases[i].in, out, &err);
        if (cases[i].want) {
            CHECK(rc == ENG_OK, "date '%s': %s", cases[i].in, err.msg);
            CHECK_STR(out, cases[i].want, cases[i].in);
        } else {
            CHECK(rc == ENG_EINPUT && strstr(err.msg, cases[i].err),
                  "date '%s': want '%s', got '%s'", cases[i].in, cases[i].err, err.msg);
        }
    }
}

static void test_periods(void)
{
    static const struct {
        const char *in, *start, *end, *err;
    } cases[] = {
        {"2018.01-2020.12", "2018-01", "2020-12", NULL},
        {"2018-01-2020-12", "2018-01", "2020-12", NULL},
        {"2018-01-01-2020-12-31", "2018-01-01", "2020-12-31", NULL},
        {"2018.01.01~2020.12.31", "2018-01-01", "2020-12-31", NULL},
        {"2018年1月至2020年12月", "2018-01", "2020-12", NULL},
        {"2018年1月—2020年12月", "2018-01", "2020-12", NULL},
        {"2018/01 – 2020/12", "2018-01", "2020-12", NULL},
        {"2018-2020", "2018", "2020", NULL},
        {"2018.01 to 2020.12", "2018-01", "2020-12", NULL},
        {"2018.01-至今", "2018-01", "", NULL},
        {"2018.01-", "2018-01", "", NULL},
        {"2018.01", "2018-01", "", NULL},
        {"2018.01－2020.12", "2018-01", "2020-12", NULL},
        {"0", "", "", NULL},
        {"无", "", "", NULL},
        {"2020.12-2018.01", NULL, NULL, "ends before it starts"},
        {"2018.13-2020.12", NULL, NULL, "\"2018.13\" is not a calendar date"},
        {"2016.01-2019.14", NULL, NULL,
         "in the period \"2016.01-2019.14\", \"2019.14\" is not a calendar date"},
        {"soon", NULL, NULL, "expected a period"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char a[11], b[11];
        eng_err err = {0};
        int rc = imp_value_period(cases[i].in, a, b, &err);
        if (cases[i].start) {
            CHECK(rc == ENG_OK, "period '%s': %s", cases[i].in, err.msg);
            CHECK_STR(a, cases[i].start, cases[i].in);
            CHECK_STR(b, cases[i].end, cases[i].in);
        } else {
            CHECK(rc == ENG_EINPUT && strstr(err.msg, cases[i].err),
                  "period '%s': want '%s', got '%s'", cases[i].in, cases[i].err, err.msg);
        }
    }
}

static void test_amounts(void)
{
    static const struct {
        const char *in, *header_unit, *number, *unit, *currency, *err;
    } cases[] = {
        {"18", NULL, "18", "", "", NULL},
        {"18", "万元", "18", "万元", "CNY", NULL},
        {"1200万元", NULL, "1200", "万元", "CNY", NULL},
        {"1200 万元", NULL, "1200", "万元", "CNY", NULL},
        {"12.5万", NULL, "12.5", "万", "", NULL},
        {"3.5万美元", NULL, "3.5", "万美元", "USD", NULL},
        {"800元", "万元", "800", "", "CNY", NULL}, /* the cell's unit wins */
        {"￥1,234,567.89", NULL, "1234567.89", "", "CNY", NULL},
        {"$1,234", NULL, "1234", "", "USD", NULL},
        {"US$ 750,000", NULL, "750000", "", "USD", NULL},
        {"1.2E+06", NULL, "1.2E+06", "", "", NULL},
        {"100 EUR", NULL, "100", "", "EUR", NULL},
        {"€100", NULL, "100", "", "EUR", NULL},
        {"５０万元", NULL, "50", "万元", "CNY", NULL},
        {"0", "万元", "", "", "", NULL},
        {"0.00", NULL, "", "", "", NULL},
        {"暂无", NULL, "", "", "", NULL},
        {"-", NULL, "", "", "", NULL},
        {"-5", NULL, NULL, NULL, NULL, "negative"},
        {"(1,234.56)", NULL, NULL, NULL, NULL, "negative"},
        {"1,23,4", NULL, NULL, NULL, NULL, "expected an amount"},
        {"12 apples", NULL, NULL, NULL, NULL, "expected an amount"},
        {"约100万", NULL, NULL, NULL, NULL, "expected an amount"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char num[64], unit[32], cur[8];
        eng_err err = {0};
        int rc = imp_value_amount(cases[i].in, cases[i].header_unit, num, unit, cur, &err);
        if (cases[i].number) {
            CHECK(rc == ENG_OK, "amount '%s': %s", cases[i].in, err.msg);
            CHECK_STR(num, cases[i].number, cases[i].in);
            CHECK_STR(unit, cases[i].unit, cases[i].in);
            CHECK_STR(cur, cases[i].currency, cases[i].in);
        } else {
            CHECK(rc == ENG_EINPUT && strstr(err.msg, cases[i].err),
                  "amount '%s': want '%s', got '%s'", cases[i].in, cases[i].err, err.msg);
        }
    }
}

static void test_trl(void)
{
    static const struct {
        const char *in;
        int want; /* -1: error */
    } cases[] = {
        {"6", 6},   {"6.0", 6},   {"TRL 6", 6}, {"trl6", 6},  {"TRL-6", 6},
        {"6级", 6}, {"第6级", 6}, {"六级", 6},  {"九", 9},    {"TRL 9级", 9},
        {"６", 6},  {"0", 0},     {"", 0},      {"无", 0},    {"0.0", 0},
        {"10", -1}, {"6.5", -1},  {"3-4", -1},  {"high", -1}, {"TRL", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int level = -2;
        eng_err err = {0};
        int rc = imp_value_trl(cases[i].in, &level, &err);
        if (cases[i].want >= 0) {
            CHECK(rc == ENG_OK, "trl '%s': %s", cases[i].in, err.msg);
            CHECK_INT(level, cases[i].want, cases[i].in);
        } else {
            CHECK(rc == ENG_EINPUT && strstr(err.msg, "expected a TRL level 1-9"), "trl '%s': %s",
                  cases[i].in, err.msg);
        }
    }
}

static void test_placeholders(void)
{
    static const struct {
        const char *in;
        int numeric, want;
    } cases[] = {
        {"无", 0, 1},
        {"暂无", 0, 1},
        {"—", 0, 1},
        {"-", 0, 1},
        {"N/A", 0, 1},
        {"NA", 0, 1},
        {"null", 0, 1},
        {"NULL", 0, 1},
        {"  ", 0, 1},
        {"none", 0, 1},
        {"0", 0, 0},
        {"0", 1, 1},
        {"0000-00-00", 1, 1},
        {"无锡", 0, 0},
        {"NASA", 0, 0},
        {"a", 0, 0},
        /* issue 11: what real exports write for "no value" */
        {"Not Available", 0, 1},
        {"Title missing", 0, 1},
        {"TBD", 0, 1},
        {"None.", 0, 1},
        {"略", 0, 1},
        {"\xEF\xBC\xAE/\xEF\xBC\xA1", 0, 1}, /* full-width N/A */
        {"N/A.", 0, 1},
        {"not applicable", 0, 1},
        {"Unknown Inc.", 0, 0},
        {"无人机", 0, 0},
        {"Tbilisi", 0, 0},
        {"2019", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(imp_value_is_placeholder(cases[i].in, cases[i].numeric), cases[i].want,
                  cases[i].in);
    /* the quick first-byte test knows every entry of the list */
    for (size_t i = 0; eng_placeholders[i]; i++) {
        unsigned char c0 = (unsigned char)eng_placeholders[i][0];
        CHECK(strchr(eng_placeholder_firsts, c0) != NULL, "first byte of '%s'",
              eng_placeholders[i]);
        CHECK_INT(eng_placeholder_is(eng_placeholders[i], strlen(eng_placeholders[i])), 1,
                  eng_placeholders[i]);
    }
}

/* ---- tables ---------------------------------------------------------------------------- */

static void cat(char *buf, size_t cap, const char *s)
{
    size_t l = strlen(buf);
    snprintf(buf + l, cap - l, "%s", s);
}

/* A compact, stable dump of the fields a test cares about. */
static void dump_record(const eng_record *r, char *out, size_t cap)
{
    char tmp[600];
    out[0] = '\0';
#define STR(name, v)                                                                               \
    if (v) {                                                                                       \
        snprintf(tmp, sizeof tmp, "%s%s=%s", out[0] ? " " : "", name, v);                          \
        cat(out, cap, tmp);                                                                        \
    }
#define INT(name, v)                                                                               \
    if (v) {                                                                                       \
        snprintf(tmp, sizeof tmp, " %s=%d", name, v);                                              \
        cat(out, cap, tmp);                                                                        \
    }
    STR("id", r->id);
    STR("kind", r->kind);
    STR("source", r->source);
    STR("title", r->title);
    STR("abstract", r->abstract);
    for (size_t i = 0; i < r->nkeywords; i++)
        STR("kw", r->keywords[i]);
    STR("org", r->organisation);
    STR("pi", r->pi);
    STR("field", r->field);
    STR("start", r->start);
    STR("end", r->end);
    if (r->has_budget) {
        snprintf(tmp, sizeof tmp, " budget=%g", r->budget);
        cat(out, cap, tmp);
    }
    STR("currency", r->currency);
    INT("trl_start", r->trl_start);
    INT("trl_target", r->trl_target);
    STR("acc.date", r->acc_date);
    STR("acc.conclusion", r->acc_conclusion);
    STR("acc.summary", r->acc_summary);
    INT("acc.trl", r->trl_claimed);
    for (size_t i = 0; i < r->nindicators; i++) {
        const eng_indicator *d = &r->indicators[i];
        snprintf(tmp, sizeof tmp, " ind=%s|%s|%s", d->name ? d->name : "",
                 d->target ? d->target : "", d->achieved ? d->achieved : "");
        cat(out, cap, tmp);
        for (size_t k = 0; k < d->nextra; k++) {
            snprintf(tmp, sizeof tmp, "|%s=%s", d->extra[k].key, d->extra[k].value);
            cat(out, cap, tmp);
        }
    }
    for (size_t i = 0; i < r->nextra; i++) {
        snprintf(tmp, sizeof tmp, " x.%s=%s", r->extra[i].key, r->extra[i].value);
        cat(out, cap, tmp);
    }
    snprintf(tmp, sizeof tmp, " @%ld", r->prov_line);
    cat(out, cap, tmp);
#undef STR
#undef INT
}

/* Reads a whole table: every record's dump or error message, one a line,
 * then "counts rows/repeated/blank/title"; the mapping into *mapping. */
static void run_table(const char *text, const imp_map *map, const char *ind_text, char *out,
                      size_t cap, char *mapping, size_t mcap)
{
    out[0] = '\0';
    if (mapping)
        mapping[0] = '\0';
    const char *path = write_tmp("t.csv", text);
    imp_rows *rows;
    eng_err err = {0};
    if (imp_csv_open(path, NULL, &rows, NULL, &err) != ENG_OK) {
        snprintf(out, cap, "open: %s", err.msg);
        return;
    }
    imp_indicators *ind = NULL;
    if (ind_text) {
        imp_rows *irows;
        const char *ipath = write_tmp("i.csv", ind_text);
        if (imp_csv_open(ipath, NULL, &irows, NULL, &err) != ENG_OK ||
            imp_indicators_load(irows, map, &ind, &err) != ENG_OK) {
            imp_rows_free(rows);
            snprintf(out, cap, "indicators: %s",
                     strstr(err.msg, "i.csv") ? strstr(err.msg, "i.csv") : err.msg);
            return;
        }
    }
    imp_table *t;
    imp_table_options opt = {map, NULL, NULL};
    if (imp_table_open(rows, &opt, &t, &err) != ENG_OK) {
        snprintf(out, cap, "open: %s",
                 strstr(err.msg, "t.csv") ? strstr(err.msg, "t.csv") : err.msg);
        imp_indicators_free(ind);
        return;
    }
    if (mapping) {
        char *m = imp_table_describe(t);
        snprintf(mapping, mcap, "%s", m ? m : "(null)");
        free(m);
    }
    eng_record r;
    eng_record_init(&r);
    int rc;
    char line[2000];
    while ((rc = imp_table_next(t, &r, &err)) != 0) {
        if (rc > 0) {
            if (ind)
                imp_indicators_attach(ind, &r, &err);
            dump_record(&r, line, sizeof line);
        } else {
            snprintf(line, sizeof line, "ERR %s",
                     strstr(err.msg, "t.csv") ? strstr(err.msg, "t.csv") : err.msg);
            if (!imp_table_can_go_on(t)) {
                cat(out, cap, line);
                cat(out, cap, "\n");
                break;
            }
        }
        cat(out, cap, line);
        cat(out, cap, "\n");
    }
    if (ind) {
        size_t cur = 0;
        const char *id;
        long l;
        while (imp_indicators_next_unused(ind, &cur, &id, &l)) {
            snprintf(line, sizeof line, "unused indicator %s @%ld\n", id, l);
            cat(out, cap, line);
        }
    }
    const imp_table_counts *c = imp_table_get_counts(t);
    snprintf(line, sizeof line, "counts %ld/%ld/%ld/%ld", c->rows, c->repeated_headers,
             c->blank_rows, c->title_rows);
    cat(out, cap, line);
    eng_record_release(&r);
    imp_table_free(t);
    imp_indicators_free(ind);
}

typedef struct table_case {
    const char *name, *in, *want;
} table_case;

static const table_case table_cases[] = {
    {"nsfc headers",
     "\"项目批准号\",\"项目类别\",\"项目名称\",\"依托单位\",\"负责人\",\"金额\",\"起止年月\","
     "\"总评\"\n"
     "\"71701001\",\"青年科学基金项目\",\"基于Z-数信息的多属性群决策方法\",\"安徽大学\",\"陶志富\","
     "\"18\",\"2018.01-2020.12\",\"尚未评估\"\n"
     "\"71101001\",\"面上项目\",\"管理研究\",\"清华大学\",\"王五\",\"48\",\"2012.01-2015.12\","
     "\"优\"\n",
     "id=71701001 kind=project title=基于Z-数信息的多属性群决策方法 org=安徽大学 pi=陶志富 "
     "start=2018-01 end=2020-12 budget=18 x.category=\"青年科学基金项目\" "
     "x.acceptance_status=\"尚未评估\" @2\n"
     "id=71101001 kind=project title=管理研究 org=清华大学 pi=王五 start=2012-01 end=2015-12 "
     "budget=48 acc.conclusion=优 x.category=\"面上项目\" @3\n"
     "counts 2/0/0/0"},
    {"units in the header and cells",
     "项目编号,项目名称,资助金额（万元）,立项时间,结项时间,成果等级,技术成熟度\n"
     "A1,测温,120,2019年7月,2021年12月31日,通过,TRL 6\n"
     "A2,测压,80万元,2019/7/1,0000-00-00,无,6级\n"
     "A3,测距,500元,2019.07.01,,—,\n",
     "id=A1 kind=project title=测温 start=2019-07 budget=120 currency=CNY "
     "acc.date=2021-12-31 acc.conclusion=通过 acc.trl=6 x.budget_unit=\"万元\" @2\n"
     "id=A2 kind=project title=测压 start=2019-07-01 budget=80 currency=CNY acc.trl=6 "
     "x.budget_unit=\"万元\" @3\n"
     "id=A3 kind=project title=测距 start=2019-07-01 budget=500 currency=CNY @4\n"
     "counts 3/0/0/0"},
    {"english headers, extras kept",
     "Award ID,Title,Firm,PI,Amount (USD),Start Date,End Date,Keywords,Notes,\n"
     "S-1,Laser,ACME,Ann,\"1,250,000\",2019-07-01,2021-06-30,optics; lasers,first,\n"
     "S-2,Radar,Beta,Bob,,2018-01-01,,,, \n",
     "id=S-1 kind=project title=Laser kw=optics kw=lasers org=ACME pi=Ann start=2019-07-01 "
     "end=2021-06-30 budget=1.25e+06 currency=USD x.Notes=\"first\" @2\n"
     "id=S-2 kind=project title=Radar org=Beta pi=Bob start=2018-01-01 @3\n"
     "counts 2/0/0/0"},
    {"nasa techport",
     "projectId,title,startDate,endDate,status,trlBegin,trlCurrent,trlEnd,primaryTxTitle,leadOrg\n"
     "157166,Sensorimotor Countermeasures,2020-10-01,2030-09-30,Active,2.0,5.0,9.0,"
     "Prevention,JSC\n"
     "157167,No TRL,2020-10-01,2021-09-30,Completed,,,,Sensors,GSFC\n",
     "id=157166 kind=project title=Sensorimotor Countermeasures org=JSC field=Prevention "
     "start=2020-10-01 end=2030-09-30 trl_start=2 trl_target=9 acc.trl=5 x.status=\"Active\" @2\n"
     "id=157167 kind=project title=No TRL org=GSFC field=Sensors start=2020-10-01 "
     "end=2021-09-30 x.status=\"Completed\" @3\n"
     "counts 2/0/0/0"},
    {"repeated header and blank rows",
     "id,title\n1,a\n,\n  ,  \nid,title\n2,b\n\n id , title \n3,c\n",
     "id=1 kind=project title=a @2\nid=2 kind=project title=b @6\nid=3 kind=project title=c @9\n"
     "counts 3/2/2/0"},
    {"title row above the header", "2017年度项目清单,,\n项目编号,项目名称,负责人\n1,测温,张三\n",
     "id=1 kind=project title=测温 pi=张三 @3\ncounts 1/0/0/1"},
    {"ragged rows", "id,title,pi\n1,a\n2,b,c,,\n3,d,e,extra\n4,f,g\n",
     "id=1 kind=project title=a @2\n"
     "id=2 kind=project title=b pi=c @3\n"
     "ERR t.csv:4: the row has 4 cells but the header has 3: cell 4 (\"extra\") has no column\n"
     "id=4 kind=project title=f pi=g @5\n"
     "counts 4/0/0/0"},
    /* an unreadable optional value keeps its row: the raw text and the
     * reason go to the record's data-quality marks */
    {"bad values are kept as data-quality marks",
     "编号,名称,立项时间,金额,技术成熟度\n1,a,2019-13-01,1,2\n2,b,2019,-1,2\n3,c,2019,1,十\n"
     "4,d,2019,1,3\n",
     "id=1 kind=project title=a budget=1 acc.trl=2 x.data_quality=[{\"field\":\"start\","
     "\"column\":\"立项时间\",\"raw\":\"2019-13-01\",\"problem\":\"\\\"2019-13-01\\\" is not a "
     "calendar date (month 1-12, a day of that month, year 1900-2200)\"}] @2\n"
     "id=2 kind=project title=b start=2019 acc.trl=2 x.data_quality=[{\"field\":\"budget\","
     "\"column\":\"金额\",\"raw\":\"-1\",\"problem\":\"a negative amount: \\\"-1\\\"\"}] @3\n"
     "id=3 kind=project title=c start=2019 budget=1 x.data_quality=[{\"field\":"
     "\"acceptance.trl_claimed\",\"column\":\"技术成熟度\",\"raw\":\"十\",\"problem\":\"expected a "
     "TRL level 1-9 (6, TRL 6, 6级), got \\\"十\\\"\"}] @4\n"
     "id=4 kind=project title=d start=2019 budget=1 acc.trl=3 @5\n"
     "counts 4/0/0/0"},
    /* a row without an id but with a text gets one: source (else the file's
     * name) and the SHA-256 of its cells joined by U+001F (",a" hashes
     * "\x1fa\x1f"); a row with neither is rejected */
    {"missing id", "编号,名称\n,a\n2,b\n",
     "id=t-7e7b111a790e kind=project title=a x.id_derived=true @2\n"
     "id=2 kind=project title=b @3\ncounts 2/0/0/0"},
    {"nothing to evaluate", "编号,名称,备注\n,,x\n",
     "ERR t.csv:2: nothing to evaluate: no project id and no text (title, abstract, acceptance "
     "summary or outcomes)\ncounts 1/0/0/0"},
    {"no id column", "序号,名称\n1,a\n",
     "id=t-6158d6a1fcf4 kind=project title=a x.序号=\"1\" x.id_derived=true @2\ncounts 1/0/0/0"},
    {"start after end", "id,起止年月,title\n1,2020.01-2019.12,a\n2,2019-2020,b\n",
     "id=1 kind=project title=a x.data_quality=[{\"field\":\"period\",\"column\":\"起止年月\","
     "\"raw\":\"2020.01-2019.12\",\"problem\":\"the period \\\"2020.01-2019.12\\\" ends before it "
     "starts\"}] @2\n"
     "id=2 kind=project title=b start=2019 end=2020 @3\ncounts 2/0/0/0"},
    {"month names, zero day and month, HTML",
     "id,title,start,end,结项时间\n1,A &amp; B<br/>c,Aug 2014,\"Sep 30, 2016\",2017-00-16\n"
     "2,Title missing,15 Aug 2014,2016-12-00,Not Available\n",
     "id=1 kind=project title=A & B\nc start=2014-08 end=2016-09-30 acc.date=2017 @2\n"
     "id=2 kind=project start=2014-08-15 end=2016-12 @3\ncounts 2/0/0/0"},
    {"repeated header with a slight variation",
     "项目批准号,项目名称,金额\n1,a,2\n批准号,项目名称,"
     "金额（万元）\n2,b,3\n",
     "id=1 kind=project title=a budget=2 @2\nid=2 kind=project title=b budget=3 @4\n"
     "counts 2/1/0/0"},
    {"duplicate and empty headers", "id,title,title,,备注,备注\n1,a,b,c,d,e\n",
     "id=1 kind=project title=a x.title (2)=\"b\" x.column 4=\"c\" x.备注=\"d\" x.备注 (2)=\"e\" "
     "@2\n"
     "counts 1/0/0/0"},
    {"header only", "项目编号,项目名称\n", "counts 0/0/0/0"},
    {"empty file", "", "open: t.csv: no header row (the file has no rows)"},
    {"kind column", "id,kind,title\n1,proposal,a\n2,idea,b\n",
     "id=1 kind=proposal title=a @2\nid=2 kind=project title=b x.data_quality=[{\"field\":"
     "\"kind\",\"raw\":\"idea\",\"problem\":\"expected \\\"project\\\", \\\"proposal\\\" or "
     "\\\"prior-art\\\", got \\\"idea\\\"\"}] @3\ncounts 2/0/0/0"},
    /* placeholders are empty: a record of an id and nothing else is kept */
    {"placeholders in text fields",
     "id,title,pi,abstract\n1,无,N/A,—\n2,x,N/A,暂无\n"
     "3,Title missing,Not Available,TBD\n",
     "id=1 kind=project @2\nid=2 kind=project title=x @3\nid=3 kind=project @4\ncounts 3/0/0/0"},
    {"cordis",
     "brief_RCN,project_RCN,topics,teaser,title,last_update\n"
     "81465,88820,INCO-2007-2.1,Europe and Russia.,Synergy,2015-06-30 05:00:00.000000\n",
     "id=81465 kind=project title=Synergy abstract=Europe and Russia. x.project_RCN=\"88820\" "
     "x.topics=\"INCO-2007-2.1\" x.last_update=\"2015-06-30 05:00:00.000000\" @2\n"
     "counts 1/0/0/0"},
};

static void test_tables(void)
{
    static char got[16384];
    for (size_t i = 0; i < sizeof table_cases / sizeof table_cases[0]; i++) {
        run_table(table_cases[i].in, NULL, NULL, got, sizeof got, NULL, 0);
        CHECK_STR(got, table_cases[i].want, table_cases[i].name);
    }
}

static void test_mapping_text(void)
{
    char got[4096], mapping[4096];
    run_table("项目批准号,金额（万元）,起止年月,备注,trlBegin\n1,2,2019-2020,x,3\n", NULL, NULL,
              got, sizeof got, mapping, sizeof mapping);
    CHECK_STR(
        mapping,
        "  项目批准号 -> id\n  金额（万元） -> budget (unit 万元)\n"
        "  起止年月 -> period (start, end)\n  备注 -> extra '备注'\n  trlBegin -> trl_start\n",
        "describe");
}

/* ---- the map file ------------------------------------------------------------------------- */

static void test_map(void)
{
    const char *mpath = write_tmp(
        "map.json", "{\"columns\": {\"序号\": \"id\", \"课题\": \"title\", "
                    "\"经费(千元)\": {\"field\": \"budget\", \"unit\": \"千元\"}, "
                    "\"执行期\": \"period\", \"备注\": \"extra:note\", "
                    "\"Cost centre\": \"extra\"}, "
                    "\"indicator_columns\": {\"课题序号\": \"id\", \"考核点\": \"name\"}, "
                    "\"kind\": \"proposal\", \"source\": \"NKP-2019\"}");
    imp_map *map;
    eng_err err = {0};
    CHECK(imp_map_load(mpath, &map, &err) == ENG_OK, "map: %s", err.msg);
    char got[4096];
    run_table("序号,课题,经费(千元),执行期,备注,Cost centre,负责人\n"
              "7,测温,300,2019.01-2021.12,加急,CC-1,李四\n",
              map,
              "课题序号,考核点,目标值,完成值,检测机构,说明\n7,测温不确定度,≤0.5 mK,0.32 mK,"
              "NIM,第三方\n7,稳定性,1 mK/年,0.8 mK/年,,\n",
              got, sizeof got, NULL, 0);
    CHECK_STR(got,
              "id=7 kind=proposal source=NKP-2019 title=测温 pi=李四 start=2019-01 end=2021-12 "
              "budget=300 currency=CNY ind=测温不确定度|≤0.5 mK|0.32 mK|说明=\"第三方\" "
              "ind=稳定性|1 mK/年|0.8 mK/年 x.budget_unit=\"千元\" x.note=\"加急\" "
              "x.Cost centre=\"CC-1\" @2\ncounts 1/0/0/0",
              "map file");
    imp_map_free(map);

    static const struct {
        const char *json, *err;
    } bad[] = {
        {"[1]", "not a JSON object"},
        {"{\"columns\": {\"a\": \"titel\"}}", "column 'a': unknown field 'titel'"},
        {"{\"columns\": {\"a\": {\"field\": \"budget\", \"unit\": \"斤\"}}}", "unknown unit '斤'"},
        {"{\"colums\": {}}", "unknown key \"colums\""},
        {"{\"kind\": \"idea\"}", "field 'kind'"},
        {"{\"indicator_columns\": {\"a\": \"title\"}}", "unknown indicator field 'title'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = write_tmp("bad.json", bad[i].json);
        eng_err e = {0};
        imp_map *m = NULL;
        CHECK(imp_map_load(p, &m, &e) == ENG_EINPUT && strstr(e.msg, bad[i].err),
              "bad map %zu: want '%s', got '%s'", i, bad[i].err, e.msg);
        imp_map_free(m);
    }
}

static void test_indicators(void)
{
    char got[4096];
    run_table("项目编号,项目名称\nP1,测温\nP2,测压\n", NULL,
              "项目编号,指标名称,目标值,完成值,单位,检测机构,资质,报告编号,不确定度\n"
              "P1,测温不确定度,0.5,0.32,mK,中国计量院,CNAS L0001,R-1,U=0.05 mK k=2\n"
              "P9,孤儿指标,1,1,,,,,\n"
              "P1,稳定性,1,0.8,mK/年,,,,\n",
              got, sizeof got, NULL, 0);
    CHECK_STR(got,
              "id=P1 kind=project title=测温 ind=测温不确定度|0.5|0.32 ind=稳定性|1|0.8 @2\n"
              "id=P2 kind=project title=测压 @3\n"
              "unused indicator P9 @3\ncounts 2/0/0/0",
              "indicators");
    run_table("id\n1\n", NULL, "项目编号,备注\n1,x\n", got, sizeof got, NULL, 0);
    CHECK(strstr(got, "no column is an indicator field") != NULL, "indicators without fields: %s",
          got);
    run_table("id\n1\n", NULL, "指标名称,目标值\nx,1\n", got, sizeof got, NULL, 0);
    CHECK(strstr(got, "no column is the project id") != NULL, "indicators without id: %s", got);
    run_table("id\n1\n", NULL, "项目编号,指标名称\n,x\n", got, sizeof got, NULL, 0);
    CHECK(strstr(got, "i.csv:2: field 'id': missing") != NULL, "indicator without id: %s", got);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_dates();
    test_periods();
    test_amounts();
    test_trl();
    test_placeholders();
    test_tables();
    test_mapping_text();
    test_map();
    test_indicators();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return check_done("test_table");
}
