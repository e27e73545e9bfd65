/*
 * test_import: importers/imp_import, the orchestration of one file into a
 * store: format choice, atomicity (a bad row leaves the store as it was),
 * idempotency (the same bytes again change nothing), --skip-bad with its
 * rejects file, duplicate ids, indicators, options that do not apply, and
 * the dry run.  Each case imports temp files into a fresh temp store.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "importers/imp_import.h"
#include "tests/check.h"

static char tmpdir[] = "/tmp/test_import.XXXXXX";

static const char *tmp_path(const char *name)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static const char *write_tmp(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static eng_store *fresh_store(void)
{
    static int n;
    char name[32];
    snprintf(name, sizeof name, "store%d.db", n++);
    eng_store *st = NULL;
    eng_err err = {0};
    if (eng_store_open(tmp_path(name), &st, &err) != ENG_OK)
        fprintf(stderr, "store: %s\n", err.msg);
    return st;
}

static long count_records(eng_store *st)
{
    eng_record *v = NULL;
    size_t n = 0;
    eng_err err = {0};
    if (eng_store_load_records(st, NULL, &v, &n, &err) != ENG_OK)
        return -1;
    eng_records_free(v, n);
    return (long)n;
}

static void test_atomic_and_idempotent(void)
{
    eng_store *st = fresh_store();
    const char *good = write_tmp("good.csv", "项目编号,项目名称,金额（万元）,起止年月\n"
                                             "A1,测温,120,2019.01-2021.12\n"
                                             "A2,测压,80,2019.01-2021.12\n");
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(st, good, NULL, &res, &err);
    CHECK(rc == ENG_OK, "good: %s", err.msg);
    CHECK_INT(res.counts.added, 2, "good: added");
    CHECK_INT(res.rows, 2, "good: rows");
    CHECK_INT(res.already, 0, "good: not already");
    imp_result_release(&res);
    /* the same bytes again: nothing changes */
    rc = imp_import_file(st, good, NULL, &res, &err);
    CHECK(rc == ENG_OK && res.already && res.import_id > 0, "again: rc %d already %d", rc,
          res.already);
    CHECK_INT(res.counts.added, 0, "again: added");
    imp_result_release(&res);
    /* a bad row in the middle (a cell past the header): the whole file
     * fails, the store is as it was, and the message says how far it got
     * and names --skip-bad */
    const char *bad = write_tmp("bad.csv", "项目编号,项目名称,立项时间\n"
                                           "B1,一,2019-07\n"
                                           "B2,二,2019-08,stray\n"
                                           "B3,三,2019-08\n");
    rc = imp_import_file(st, bad, NULL, &res, &err);
    CHECK(rc == ENG_EINPUT, "bad: rc %d", rc);
    CHECK(strstr(err.msg, "bad.csv:3: the row has 4 cells but the header has 3") != NULL, "bad: %s",
          err.msg);
    CHECK(strstr(err.msg, "(2 rows read so far, 1 good; nothing stored: --skip-bad") != NULL,
          "bad: count so far and hint: %s", err.msg);
    CHECK_INT(count_records(st), 2, "bad: store unchanged");
    /* an unreadable date is no bad row: kept, its raw text marked */
    const char *bd = write_tmp("baddate.csv", "项目编号,项目名称,立项时间\n"
                                              "D1,一,2019-13\n");
    rc = imp_import_file(st, bd, NULL, &res, &err);
    CHECK(rc == ENG_OK && res.counts.added == 1 && res.quality_marks == 1,
          "bad date kept: rc %d added %ld marks %ld: %s", rc, res.counts.added, res.quality_marks,
          err.msg);
    imp_result_release(&res);
    CHECK_INT(count_records(st), 3, "bad date: stored");
    imp_result_release(&res);
    /* a failed file can be imported once fixed (it was not recorded) */
    rc = imp_import_file(st, bad, NULL, &res, &err);
    CHECK(rc == ENG_EINPUT && !res.already, "bad again: rc %d already %d", rc, res.already);
    imp_result_release(&res);
    /* an updated export (another file): one record changed -- a second
     * version of A2, merged, its title in conflict -- one unchanged, one new */
    const char *upd = write_tmp("upd.csv", "项目编号,项目名称,金额（万元）,起止年月\n"
                                           "A1,测温,120,2019.01-2021.12\n"
                                           "A2,测压（修订）,80,2019.01-2021.12\n"
                                           "A3,测距,10,2020\n");
    rc = imp_import_file(st, upd, NULL, &res, &err);
    CHECK(rc == ENG_OK, "update: %s", err.msg);
    CHECK(res.counts.added == 1 && res.counts.versions == 1 && res.counts.unchanged == 1 &&
              res.counts.conflicts == 1,
          "update: %ld added %ld versions %ld unchanged %ld conflicts", res.counts.added,
          res.counts.versions, res.counts.unchanged, res.counts.conflicts);
    imp_result_release(&res);
    eng_record a2;
    eng_record_init(&a2);
    CHECK(eng_store_get_record(st, "A2", &a2, &err) == ENG_OK, "A2: %s", err.msg);
    CHECK_STR(a2.title, "测压（修订）", "A2: the latest version's title");
    int has_conflict = 0;
    for (size_t i = 0; i < a2.nextra; i++)
        has_conflict |=
            !strcmp(a2.extra[i].key, "conflicts") && strstr(a2.extra[i].value, "\"测压\"") != NULL;
    CHECK(has_conflict, "A2: the earlier title kept as a conflict");
    eng_record_release(&a2);
    eng_version_row *vr = NULL;
    size_t nvr = 0;
    CHECK(eng_store_versions(st, "A2", &vr, &nvr, &err) == ENG_OK && nvr == 2 && vr[0].line == 3 &&
              strstr(vr[0].file, "good.csv") && vr[1].line == 3 && strstr(vr[1].file, "upd.csv"),
          "A2: two versions with their provenance (%zu)", nvr);
    eng_versions_free(vr, nvr);
    eng_store_close(st);
}

static void test_skip_bad(void)
{
    eng_store *st = fresh_store();
    const char *path = write_tmp("mixed.csv", "id,title,start,note\n"
                                              "1,good one,2019,x\n"
                                              "2,bad date,2019-02-30,\"a, \"\"b\"\"\"\n"
                                              "3,good two,2020,\n"
                                              "1,repeated id,2021,\n"
                                              "id,title,start,note\n"
                                              ",,2020,nothing to evaluate\n"
                                              "4,too many,2020,,extra\n");
    const char *rpath = tmp_path("rejects.csv");
    imp_options opt = {0};
    opt.skip_bad = 1;
    opt.rejects_path = rpath;
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(st, path, &opt, &res, &err);
    CHECK(rc == ENG_OK, "skip-bad: %s", err.msg);
    /* the bad date is kept (a data-quality mark), the repeated id is a
     * version of project 1; the row without id or text and the row with a
     * cell past the header are rejected */
    CHECK(res.counts.added == 3 && res.counts.versions == 1 && res.counts.rejected == 2 &&
              res.counts.skipped_headers == 1 && res.quality_marks == 1,
          "skip-bad: %ld added %ld versions %ld rejected %ld headers %ld marks", res.counts.added,
          res.counts.versions, res.counts.rejected, res.counts.skipped_headers, res.quality_marks);
    CHECK_STR(res.rejects_path, rpath, "rejects path");
    /* reasons holding quotes or commas are quoted, their quotes doubled */
    char want[2048];
    snprintf(want, sizeof want,
             "\xEF\xBB\xBFid,title,start,note,rejected_line,rejected_reason\r\n"
             ",,2020,nothing to evaluate,7,\"%s:7: nothing to evaluate: no project id and no text "
             "(title, abstract, acceptance summary or outcomes)\"\r\n"
             "4,too many,2020,,extra,8,\"%s:8: the row has 5 cells but the header has 4: cell 5 "
             "(\"\"extra\"\") has no column\"\r\n",
             path, path);
    char *got = slurp(rpath);
    CHECK(got != NULL, "rejects file written");
    if (got)
        CHECK_STR(got, want, "rejects content");
    imp_result_release(&res);
    CHECK_INT(count_records(st), 3, "skip-bad: stored");
    /* no temp file left beside it */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c tmp >/dev/null", tmpdir);
    CHECK(system(cmd) != 0, "a temp file was left in %s", tmpdir);
    eng_store_close(st);
}

static void test_reader_failure_even_with_skip_bad(void)
{
    eng_store *st = fresh_store();
    const char *path = write_tmp("quote.csv", "id,title\n1,a\n2,\"never closed\n3,c\n");
    imp_options opt = {0};
    opt.skip_bad = 1;
    opt.rejects_path = tmp_path("quote-rejects.csv");
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(st, path, &opt, &res, &err);
    CHECK(rc == ENG_EINPUT && strstr(err.msg, "quote.csv:3: a quoted field opened on line 3"),
          "unclosed quote: rc %d %s", rc, err.msg);
    CHECK_INT(count_records(st), 0, "unclosed quote: nothing stored");
    CHECK(access(opt.rejects_path, F_OK) != 0, "no rejects file after a failure");
    imp_result_release(&res);
    /* mixed encodings: refused before any row */
    path = write_tmp("mixed-enc.csv", "id,title\n1,国家自然科学基金项目\n2,\xCF\xEE\xC4\xBF\n");
    rc = imp_import_file(st, path, &opt, &res, &err);
    CHECK(rc == ENG_EINPUT && strstr(err.msg, "mixes encodings"), "mixed: %s", err.msg);
    imp_result_release(&res);
    eng_store_close(st);
}

static void test_indicators(void)
{
    eng_store *st = fresh_store();
    const char *path = write_tmp("p.csv", "项目编号,项目名称\nP1,测温\nP2,测压\n");
    const char *ind = write_tmp("ind.csv", "项目编号,指标名称,目标值,完成值\n"
                                           "P1,不确定度,0.5 mK,0.3 mK\n"
                                           "P3,孤儿,1,1\n");
    imp_options opt = {0};
    opt.indicators_path = ind;
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(st, path, &opt, &res, &err);
    CHECK(rc == ENG_EINPUT && strstr(err.msg, "ind.csv:3: indicator of project 'P3', which is not "
                                              "in"),
          "orphan indicator: rc %d %s", rc, err.msg);
    CHECK_INT(count_records(st), 0, "orphan: nothing stored");
    imp_result_release(&res);
    ind = write_tmp("ind2.csv", "项目编号,指标名称,目标值,完成值\nP1,不确定度,0.5 mK,0.3 mK\n");
    opt.indicators_path = ind;
    rc = imp_import_file(st, path, &opt, &res, &err);
    CHECK(rc == ENG_OK, "indicators: %s", err.msg);
    imp_result_release(&res);
    eng_record r;
    eng_record_init(&r);
    rc = eng_store_get_record(st, "P1", &r, &err);
    CHECK(rc == ENG_OK && r.nindicators == 1 && r.indicators[0].achieved &&
              !strcmp(r.indicators[0].achieved, "0.3 mK"),
          "P1 indicators: rc %d n %zu", rc, r.nindicators);
    eng_record_release(&r);
    eng_store_close(st);
}

static void test_formats_and_options(void)
{
    eng_store *st = fresh_store();
    imp_result res;
    eng_err err = {0};
    /* JSONL */
    const char *j = write_tmp("r.jsonl", "{\"id\":\"J1\",\"title\":\"json one\"}\n"
                                         "{\"id\":\"J2\",\"title\":\"json two\"}\n");
    imp_options opt = {0};
    opt.source = "TEST";
    int rc = imp_import_file(st, j, &opt, &res, &err);
    CHECK(rc == ENG_OK && res.counts.added == 2, "jsonl: rc %d %s", rc, err.msg);
    imp_result_release(&res);
    eng_record r;
    eng_record_init(&r);
    rc = eng_store_get_record(st, "J1", &r, &err);
    CHECK(rc == ENG_OK && r.source && !strcmp(r.source, "TEST"), "jsonl: --source filled");
    eng_record_release(&r);
    /* options that do not apply */
    opt.sheet = "Sheet1";
    rc = imp_import_file(st, write_tmp("s.csv", "id,title\n1,a\n"), &opt, &res, &err);
    CHECK(rc == ENG_EUSAGE && strstr(err.msg, "--sheet applies to .xlsx"), "--sheet on csv: %s",
          err.msg);
    imp_result_release(&res);
    opt.sheet = NULL;
    opt.encoding = "GBK";
    rc = imp_import_file(st, j, &opt, &res, &err);
    CHECK(rc == ENG_EUSAGE && strstr(err.msg, "not to JSON"), "--encoding on json: %s", err.msg);
    imp_result_release(&res);
    opt.encoding = NULL;
    /* --map on JSON reads it as a table: a missing map file is named */
    opt.map_path = "x.json";
    rc = imp_import_file(st, j, &opt, &res, &err);
    CHECK(rc != ENG_OK && strstr(err.msg, "x.json"), "--map on json: %s", err.msg);
    imp_result_release(&res);
    opt.map_path = NULL;
    /* a legacy workbook */
    rc = imp_import_file(st, write_tmp("old.xls", "\xD0\xCF\x11\xE0"), NULL, &res, &err);
    CHECK(rc == ENG_EINPUT && strstr(err.msg, "legacy .xls"), "xls: %s", err.msg);
    imp_result_release(&res);
    /* TSV by extension, with commas inside cells */
    rc = imp_import_file(st, write_tmp("t.tsv", "id\ttitle\nT1\ta, b\n"), NULL, &res, &err);
    CHECK(rc == ENG_OK && res.counts.added == 1, "tsv: %s", err.msg);
    imp_result_release(&res);
    /* an unknown extension sniffed as JSON */
    rc = imp_import_file(st, write_tmp("r.data", "[{\"id\":\"D1\",\"title\":\"x\"}]"), NULL, &res,
                         &err);
    CHECK(rc == ENG_OK && res.counts.added == 1, "sniffed json: %s", err.msg);
    imp_result_release(&res);
    eng_store_close(st);
}

/* A workbook as agencies make them: a merged title row, Chinese headers
 * with a unit, dates and numbers as Excel stores them, a line break in a
 * cell, a repeated header row, an empty row. */
static void test_xlsx(void)
{
    const char *path = tmp_path("book.xlsx");
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "项目");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    worksheet_merge_range(ws, 0, 0, 0, 4, "2019年度项目清单", NULL);
    static const char *const hdr[] = {"项目编号", "项目名称", "承担单位", "经费（万元）",
                                      "立项时间"};
    for (int r = 1; r <= 4; r += 3)
        for (int c = 0; c < 5; c++)
            worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, hdr[c], NULL);
    worksheet_write_string(ws, 2, 0, "2019YFB0101001", NULL);
    worksheet_write_string(ws, 2, 1, "高精度温度测量\n第二行", NULL);
    worksheet_write_string(ws, 2, 2, "中国计量科学研究院", NULL);
    worksheet_write_number(ws, 2, 3, 1200, NULL);
    lxw_datetime d = {2019, 7, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 2, 4, &d, date);
    worksheet_write_number(ws, 5, 0, 71701001, NULL);
    worksheet_write_string(ws, 5, 1, "量子电压", NULL);
    worksheet_write_number(ws, 5, 3, 18.5, NULL);
    CHECK(workbook_close(wb) == LXW_NO_ERROR, "workbook written");

    eng_store *st = fresh_store();
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(st, path, NULL, &res, &err);
    CHECK(rc == ENG_OK, "xlsx: %s", err.msg);
    CHECK(res.counts.added == 2 && res.counts.skipped_headers == 1, "xlsx: %ld added, %ld headers",
          res.counts.added, res.counts.skipped_headers);
    imp_result_release(&res);
    eng_record r;
    eng_record_init(&r);
    rc = eng_store_get_record(st, "2019YFB0101001", &r, &err);
    CHECK(rc == ENG_OK, "xlsx record: %s", err.msg);
    if (rc == ENG_OK) {
        CHECK_STR(r.title, "高精度温度测量\n第二行", "xlsx title");
        CHECK_STR(r.start, "2019-07-01", "xlsx date");
        CHECK(r.has_budget && r.budget == 1200, "xlsx budget");
        CHECK_STR(r.currency, "CNY", "xlsx currency from the header's unit");
        CHECK_INT(r.prov_line, 3, "xlsx row number");
    }
    eng_record_release(&r);
    eng_record_init(&r);
    rc = eng_store_get_record(st, "71701001", &r, &err);
    CHECK(rc == ENG_OK && r.has_budget && r.budget == 18.5, "xlsx numeric id: %s", err.msg);
    eng_record_release(&r);
    eng_store_close(st);
}

static void test_dry_run(void)
{
    const char *path = write_tmp("dry.csv", "项目批准号,项目名称,金额,起止年月,备注\n"
                                            "71701001,一,18,2018.01-2020.12,x\n"
                                            "71701002,二,abc,2018.01-2020.12,\n"
                                            "项目批准号,项目名称,金额,起止年月,备注\n"
                                            "71701003,三,20,2016.01-2019.14,\n");
    imp_options opt = {0};
    opt.dry_run = 1;
    imp_result res;
    eng_err err = {0};
    int rc = imp_import_file(NULL, path, &opt, &res, &err);
    CHECK(rc == ENG_OK, "dry run: %s", err.msg);
    char want[4096];
    snprintf(want, sizeof want,
             "%s: CSV, encoding UTF-8, delimiter ','\n"
             "mapping:\n"
             "  项目批准号 -> id\n  项目名称 -> title\n  金额 -> budget\n"
             "  起止年月 -> period (start, end)\n  备注 -> extra '备注'\n"
             "rows: 3 (3 good, 0 bad); 1 repeated header rows skipped; 2 values kept as "
             "data-quality marks\n"
             "first values kept as data-quality marks (the row is stored):\n"
             "  %s:3: field 'budget' (column '金额'): expected an amount (1200, 1,234.5, 120万元, "
             "$1.2E+06), got \"abc\"\n"
             "  %s:5: field 'period' (column '起止年月'): in the period \"2016.01-2019.14\", "
             "\"2019.14\" is not a calendar date (month 1-12, a day of that month, year "
             "1900-2200)\n"
             "nothing stored (dry run)\n",
             path, path, path);
    CHECK_STR(res.dry_run_text, want, "dry run text");
    imp_result_release(&res);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_atomic_and_idempotent();
    test_skip_bad();
    test_reader_failure_even_with_skip_bad();
    test_indicators();
    test_formats_and_options();
    test_xlsx();
    test_dry_run();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return check_done("test_import");
}
