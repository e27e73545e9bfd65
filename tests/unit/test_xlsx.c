/*
 * test_xlsx: the XLSX reader against workbooks made here at run time —
 * by libxlsxwriter, by openpyxl (when /usr/bin/python3 has it), and by
 * hand with minizip for the XML corners and the hostile files (zip bombs,
 * DOCTYPEs, not-a-zip, OLE, missing parts, limits).  Each case reads the
 * sheet into a dump, "ROW:cell|cell\n" per row, and compares it whole, or
 * checks the error's code and text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <minizip/zip.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "importers/imp_xlsx.h"
#include "tests/check.h"

/* libxlsxwriter 1.1.4 never frees its copy of a data validation's
 * value_formula.  That leak is theirs: LeakSanitizer (`make asan`) reads
 * this hook.  The library has no frame pointers, so the stack often stops
 * at lxw_strdup; nothing of ours allocates through it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:worksheet_data_validation_range\nleak:lxw_strdup\n";
}

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* Reads every row of the sheet into *out ("ROW:a|b\n" per row, malloc'd).
 * Returns ENG_OK or the error of open or next. */
static int dump(const char *path, const char *sheet, const imp_xlsx_limits *lim, char **out,
                eng_err *err)
{
    imp_rows *rows = NULL;
    size_t size = 0;
    FILE *f = open_memstream(out, &size);
    int rc = imp_xlsx_open_with(path, sheet, lim, &rows, err);
    if (rc == ENG_OK) {
        imp_row row;
        int n;
        while ((n = rows->next(rows, &row, err)) == 1) {
            fprintf(f, "%ld:", row.line);
            for (size_t i = 0; i < row.ncells; i++) {
                if (strlen(row.cells[i]) != row.lens[i])
                    fprintf(f, "<len mismatch>");
                fprintf(f, "%s%s", i ? "|" : "", row.cells[i]);
            }
            fputc('\n', f);
        }
        rc = n < 0 ? -n : ENG_OK;
        /* a failed stream keeps failing */
        if (rc && rows->next(rows, &row, NULL) != -rc)
            fprintf(f, "<error not sticky>");
    }
    imp_rows_free(rows);
    fclose(f);
    return rc;
}

/* ---- building ZIPs by hand ---- */

typedef struct part {
    const char *name, *data;
} part;

static int zip_parts(const char *path, const part *parts, size_t n)
{
    zipFile zf = zipOpen64(path, 0);
    if (!zf)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!parts[i].name)
            continue;
        if (zipOpenNewFileInZip64(zf, parts[i].name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                  Z_DEFAULT_COMPRESSION, 0) != ZIP_OK ||
            zipWriteInFileInZip(zf, parts[i].data, (unsigned)strlen(parts[i].data)) != ZIP_OK ||
            zipCloseFileInZip(zf) != ZIP_OK) {
            zipClose(zf, NULL);
            return -1;
        }
    }
    return zipClose(zf, NULL) == ZIP_OK ? 0 : -1;
}

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

/* Wraps body in <root xmlns=main> unless it is a whole document already. */
static char *wrap(const char *root, const char *body)
{
    char *s = NULL;
    if (body[0] == '<' && (body[1] == '?' || body[1] == '!' || strncmp(body, "<x:", 3) == 0))
        return strdup(body);
    if (asprintf(&s,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                 "<%s xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">%s</%s>",
                 root, body, root) < 0)
        return NULL;
    return s;
}

/* A minimal workbook: one sheet "Sheet1" at xl/ws/first.xml (not the usual
 * name, so that the relationships are followed), the shared strings and
 * styles when given.  sheet NULL: the sheet part is left out.  wb_body:
 * the inside of <workbook>, NULL for the plain one. */
static int mini_book(const char *path, const char *sheet, const char *sst, const char *styles,
                     const char *wb_body)
{
    char rels[1024];
    snprintf(
        rels, sizeof rels,
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" Target=\"ws/first.xml\"/>%s%s"
        "</Relationships>",
        sst ? "<Relationship Id=\"rId2\" Type=\"" REL_T "sharedStrings\" Target=\"strings.xml\"/>"
            : "",
        styles ? "<Relationship Id=\"rId3\" Type=\"" REL_T "styles\" Target=\"/xl/styles.xml\"/>"
               : "");
    char *wb =
        wrap("workbook", wb_body ? wb_body
                                 : "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
                                   "</sheets>");
    char *ws = sheet ? wrap("worksheet", sheet) : NULL;
    char *ss = sst ? wrap("sst", sst) : NULL;
    char *st = styles ? wrap("styleSheet", styles) : NULL;
    part parts[] = {
        {"[Content_Types].xml",
         "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"},
        {"_rels/.rels",
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"" REL_T "officeDocument\" Target=\"xl/workbook.xml\"/>"
         "</Relationships>"},
        {"xl/workbook.xml", wb},
        {"xl/_rels/workbook.xml.rels", rels},
        {sheet ? "xl/ws/first.xml" : NULL, ws},
        {sst ? "xl/strings.xml" : NULL, ss},
        {styles ? "xl/styles.xml" : NULL, st},
    };
    int rc = zip_parts(path, parts, sizeof parts / sizeof parts[0]);
    free(wb), free(ws), free(ss), free(st);
    return rc;
}

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* The plain parts of a one-sheet workbook whose sheet is xl/worksheets/sheet1.xml. */
static int bomb_frame(zipFile zf)
{
    part parts[] = {
        {"_rels/.rels",
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"" REL_T "officeDocument\" Target=\"xl/workbook.xml\"/>"
         "</Relationships>"},
        {"xl/workbook.xml",
         "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>"
         "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
         "</Relationships>"},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (zipOpenNewFileInZip64(zf, parts[i].name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6,
                                  0) ||
            zipWriteInFileInZip(zf, parts[i].data, (unsigned)strlen(parts[i].data)) ||
            zipCloseFileInZip(zf))
            return -1;
    return 0;
}

#define BOMB_BYTES (100u << 20)

/* sheet1.xml: 100 MB of zeros, its ZIP headers telling the truth. */
static int b_bomb(const char *path)
{
    static char zeros[1 << 20];
    zipFile zf = zipOpen64(path, 0);
    int bad = !zf || bomb_frame(zf) ||
              zipOpenNewFileInZip64(zf, "xl/worksheets/sheet1.xml", NULL, NULL, 0, NULL, 0, NULL,
                                    Z_DEFLATED, 1, 0);
    for (unsigned i = 0; !bad && i < BOMB_BYTES / sizeof zeros; i++)
        bad = zipWriteInFileInZip(zf, zeros, sizeof zeros) != ZIP_OK;
    bad = bad || zipCloseFileInZip(zf) != ZIP_OK;
    return (zf && zipClose(zf, NULL) != ZIP_OK) || bad ? -1 : 0;
}

/* The same 100 MB of zeros, but the entry's compressed size is padded to
 * 1 MiB past the deflate stream, so the headers show a harmless ~90:1: only
 * counting while inflating finds the bomb. */
static int b_bomb_lying(const char *path)
{
    static unsigned char zeros[1 << 20];
    z_stream s = {0};
    unsigned char *out = malloc(2u << 20);
    uLong crc = crc32(0, NULL, 0);
    size_t used = 0;
    int bad = !out || deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK;
    for (unsigned i = 0; !bad && i < BOMB_BYTES / sizeof zeros; i++) {
        int last = i + 1 == BOMB_BYTES / sizeof zeros;
        s.next_in = zeros;
        s.avail_in = sizeof zeros;
        s.next_out = out + used;
        s.avail_out = (uInt)((1u << 20) - used);
        bad = deflate(&s, last ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR || s.avail_in != 0;
        used = (size_t)(s.next_out - out);
        crc = crc32(crc, zeros, sizeof zeros);
    }
    deflateEnd(&s);
    if (bad) {
        free(out);
        return -1;
    }
    memset(out + used, 0, 1u << 20); /* padding inside the entry */
    used += 1u << 20;
    zip_fileinfo zi = {0};
    zipFile zf = zipOpen64(path, 0);
    bad = !zf || bomb_frame(zf) ||
          zipOpenNewFileInZip2_64(zf, "xl/worksheets/sheet1.xml", &zi, NULL, 0, NULL, 0, NULL,
                                  Z_DEFLATED, 9, 1, 0) != ZIP_OK ||
          zipWriteInFileInZip(zf, out, (unsigned)used) != ZIP_OK ||
          zipCloseFileInZipRaw64(zf, BOMB_BYTES, crc) != ZIP_OK;
    free(out);
    return (zf && zipClose(zf, NULL) != ZIP_OK) || bad ? -1 : 0;
}

static int b_many_entries(const char *path)
{
    zipFile zf = zipOpen64(path, 0);
    int bad = !zf || bomb_frame(zf);
    for (int i = 0; !bad && i < 10001; i++) {
        char name[32];
        snprintf(name, sizeof name, "junk/%d", i);
        bad = zipOpenNewFileInZip64(zf, name, NULL, NULL, 0, NULL, 0, NULL, 0, 0, 0) != ZIP_OK ||
              zipCloseFileInZip(zf) != ZIP_OK;
    }
    return (zf && zipClose(zf, NULL) != ZIP_OK) || bad ? -1 : 0;
}

/* A stored sheet part whose CRC in the headers is wrong. */
static int b_bad_crc(const char *path)
{
    static const char sheet[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>";
    zip_fileinfo zi = {0};
    zipFile zf = zipOpen64(path, 0);
    int bad = !zf || bomb_frame(zf) ||
              zipOpenNewFileInZip2_64(zf, "xl/worksheets/sheet1.xml", &zi, NULL, 0, NULL, 0, NULL,
                                      0, 0, 1, 0) != ZIP_OK ||
              zipWriteInFileInZip(zf, sheet, sizeof sheet - 1) != ZIP_OK ||
              zipCloseFileInZipRaw64(zf, sizeof sheet - 1, 12345) != ZIP_OK;
    return (zf && zipClose(zf, NULL) != ZIP_OK) || bad ? -1 : 0;
}

/* A sheet part encrypted with a ZIP password (returns 1 when this minizip
 * cannot write one: the case is then skipped). */
static int b_encrypted_part(const char *path)
{
    static const char sheet[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>";
    zip_fileinfo zi = {0};
    zipFile zf = zipOpen64(path, 0);
    int bad =
        !zf || bomb_frame(zf) ||
        zipOpenNewFileInZip3_64(zf, "xl/worksheets/sheet1.xml", &zi, NULL, 0, NULL, 0, NULL,
                                Z_DEFLATED, 6, 0, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, "secret",
                                crc32(0, (const Bytef *)sheet, sizeof sheet - 1), 0) != ZIP_OK ||
        zipWriteInFileInZip(zf, sheet, sizeof sheet - 1) != ZIP_OK ||
        zipCloseFileInZip(zf) != ZIP_OK;
    return (zf && zipClose(zf, NULL) != ZIP_OK) || bad ? 1 : 0;
}

static int b_not_zip(const char *path)
{
    static const char csv[] = "id,title\n1,x\n";
    return write_file(path, csv, sizeof csv - 1);
}

static int b_empty_file(const char *path)
{
    return write_file(path, "", 0);
}

static int b_ole(const char *path)
{
    unsigned char h[512] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    return write_file(path, h, sizeof h);
}

static int b_no_workbook(const char *path)
{
    part parts[] = {{"[Content_Types].xml", "<Types/>"}, {"docProps/app.xml", "<Properties/>"}};
    return zip_parts(path, parts, 2);
}

/* ---- workbooks by libxlsxwriter ---- */

static lxw_datetime dt(int y, int m, int d, int hh, int mm, double ss)
{
    lxw_datetime t = {y, m, d, hh, mm, ss};
    return t;
}

/* Strings (Chinese too), numbers, dates, formulas with cached values,
 * booleans, merged header cells, a gap between cells and an empty row. */
static int b_writer_main(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "项目");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *stamp = workbook_add_format(wb);
    format_set_num_format(stamp, "yyyy-mm-dd hh:mm:ss");
    lxw_format *cn = workbook_add_format(wb);
    format_set_num_format(cn, "yyyy\"年\"m\"月\"d\"日\"");
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00\"万元\"");
    lxw_format *merged = workbook_add_format(wb);
    format_set_bold(merged);

    worksheet_merge_range(ws, 0, 0, 0, 1, "基本信息", merged);
    worksheet_merge_range(ws, 0, 2, 0, 4, "经费", merged);
    const char *head[] = {"项目编号", "项目名称", "金额", "倍数", "说明"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 1, (lxw_col_t)c, head[c], NULL);
    worksheet_write_string(ws, 2, 0, "2019YFB0101001", NULL);
    worksheet_write_string(ws, 2, 1, "高精度测温系统 (ITS-90)", NULL);
    worksheet_write_number(ws, 2, 2, 1200, money);
    worksheet_write_formula_num(ws, 2, 3, "=C3*2", NULL, 2400);
    worksheet_write_formula_str(ws, 2, 4, "=\"ok\"&\"!\"", NULL, "ok!");
    /* row 4 left empty; row 5: a gap at B */
    worksheet_write_string(ws, 4, 0, "2020YFA0202002", NULL);
    worksheet_write_number(ws, 4, 2, 12.5, NULL);
    worksheet_write_number(ws, 4, 3, 0.1, NULL);
    worksheet_write_boolean(ws, 4, 4, 1, NULL);
    worksheet_write_boolean(ws, 4, 5, 0, NULL);
    lxw_datetime d1 = dt(2019, 7, 1, 0, 0, 0), d2 = dt(2022, 12, 10, 14, 30, 5);
    worksheet_write_datetime(ws, 5, 0, &d1, date);
    worksheet_write_datetime(ws, 5, 1, &d2, stamp);
    worksheet_write_datetime(ws, 5, 2, &d1, cn);
    worksheet_write_number(ws, 5, 3, 43647, NULL);   /* a serial without a date format */
    worksheet_write_formula(ws, 5, 4, "=1+1", NULL); /* cached 0, as libxlsxwriter writes */
    worksheet_write_number(ws, 6, 0, -3, NULL);
    worksheet_write_number(ws, 6, 1, 1.0 / 3, NULL);
    worksheet_write_number(ws, 6, 2, 1e-7, NULL);
    worksheet_write_number(ws, 6, 3, 123456789012.0, NULL);
    worksheet_write_string(ws, 6, 4, "=not a formula", NULL);
    worksheet_write_string(ws, 6, 6, "  spaced  ", NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

static int b_writer_sheets(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return -1;
    lxw_worksheet *s1 = workbook_add_worksheet(wb, "Summary");
    lxw_worksheet *s2 = workbook_add_worksheet(wb, "Projects");
    lxw_worksheet *s3 = workbook_add_worksheet(wb, "隐藏");
    lxw_worksheet *s4 = workbook_add_worksheet(wb, "评审意见");
    worksheet_write_string(s1, 0, 0, "summary", NULL);
    worksheet_write_string(s2, 0, 0, "id", NULL);
    worksheet_write_string(s2, 1, 0, "P-1", NULL);
    worksheet_write_string(s3, 0, 0, "hidden", NULL);
    worksheet_hide(s3);
    worksheet_write_string(s4, 2, 1, "通过", NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* A returned reviewer workbook: a drop-down fed by a hidden list sheet, the
 * reviewers' choices, a link to the evidence, and the run as a property. */
static int b_writer_decisions(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return -1;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Projects");
    lxw_worksheet *ev = workbook_add_worksheet(wb, "Evidence");
    lxw_worksheet *ls = workbook_add_worksheet(wb, "Lists");
    const char *choices[] = {"通过", "整改后通过", "不通过"};
    for (int i = 0; i < 3; i++)
        worksheet_write_string(ls, (lxw_row_t)i, 0, choices[i], NULL);
    worksheet_hide(ls);
    worksheet_write_string(ws, 0, 0, "项目编号", NULL);
    worksheet_write_string(ws, 0, 1, "评审结论", NULL);
    worksheet_write_string(ws, 0, 2, "意见", NULL);
    worksheet_write_string(ws, 0, 3, "证据", NULL);
    lxw_data_validation dv = {0};
    dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    dv.value_formula = "=Lists!$A$1:$A$3";
    worksheet_data_validation_range(ws, 1, 1, 2, 1, &dv);
    worksheet_write_string(ws, 1, 0, "2019YFB0101001", NULL);
    worksheet_write_string(ws, 1, 1, "整改后通过", NULL);
    worksheet_write_string(ws, 1, 2, "补充第三方检测报告", NULL);
    worksheet_write_url_opt(ws, 1, 3, "internal:Evidence!A2", NULL, "查看证据", NULL);
    worksheet_write_string(ws, 2, 0, "2020YFA0202002", NULL);
    worksheet_write_string(ws, 2, 1, "不通过", NULL);
    worksheet_write_url(ws, 2, 3, "https://example.org/evidence/2", NULL);
    worksheet_write_string(ev, 1, 0, "hit", NULL);
    workbook_set_custom_property_string(wb, "vernier_run", "42");
    workbook_set_custom_property_integer(wb, "vernier_projects", 2);
    lxw_doc_properties props = {.title = "评审工作簿", .author = "vernier"};
    workbook_set_properties(wb, &props);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* ---- hand-made parts ---- */

static const char styles_dates[] =
    "<numFmts count=\"4\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;d&quot;\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[Red]0.00;[Blue]\\-0.00\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"[$-804]yyyy/m/d\\ h:mm\"/>"
    "</numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"8\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"22\"/><xf numFmtId=\"31\"/><xf numFmtId=\"20\"/>"
    "<xf numFmtId=\"167\"/></cellXfs>";

typedef struct xcase {
    const char *name;
    int (*build)(const char *path); /* NULL: mini_book() from the parts below */
    const char *sheet_xml, *sst_xml, *styles_xml, *wb_body;
    const char *sheet;    /* which sheet to open, NULL: the first */
    int lim;              /* which limits: 0 the defaults, else see limits_for() */
    const char *want;     /* the dump, when it reads */
    int want_code;        /* else the error code */
    const char *want_err; /* and a part of its message */
} xcase;

static void limits_for(int which, imp_xlsx_limits *lim)
{
    imp_xlsx_limits_default(lim);
    switch (which) {
    case 1:
        lim->max_strings = 2;
        break;
    case 2:
        lim->max_row_bytes = 64;
        break;
    case 3:
        lim->amp_base = 0;
        lim->amp_factor = 1;
        break;
    case 4:
        lim->max_total = 1500;
        break;
    case 5:
        lim->max_cell_bytes = 10;
        break;
    }
}

/* 300 nested elements inside a cell, made by main(). */
static char deep_sheet[300 * 7 + 64];

static const xcase cases[] = {
    /* libxlsxwriter */
    {"writer: strings, numbers, dates, formulas, booleans, merged header", b_writer_main, NULL,
     NULL, NULL, NULL, NULL, 0,
     "1:基本信息|基本信息|经费|经费|经费\n"
     "2:项目编号|项目名称|金额|倍数|说明\n"
     "3:2019YFB0101001|高精度测温系统 (ITS-90)|1200|2400|ok!\n"
     "5:2020YFA0202002||12.5|0.1|TRUE|FALSE\n"
     "6:2019-07-01|2022-12-10 14:30:05|2019-07-01|43647|0\n"
     "7:-3|0.3333333333333333|1e-07|123456789012|=not a formula||  spaced  \n",
     0, NULL},
    {"writer: a sheet picked by name", b_writer_sheets, NULL, NULL, NULL, NULL, "Projects", 0,
     "1:id\n2:P-1\n", 0, NULL},
    {"writer: a sheet named in Chinese", b_writer_sheets, NULL, NULL, NULL, NULL, "评审意见", 0,
     "3:|通过\n", 0, NULL},
    {"writer: a hidden sheet by name", b_writer_sheets, NULL, NULL, NULL, NULL, "隐藏", 0,
     "1:hidden\n", 0, NULL},
    {"writer: the first sheet by default", b_writer_sheets, NULL, NULL, NULL, NULL, NULL, 0,
     "1:summary\n", 0, NULL},
    {"writer: a name in another ASCII case", b_writer_sheets, NULL, NULL, NULL, NULL, "PROJECTS", 0,
     "1:id\n2:P-1\n", 0, NULL},
    {"writer: no such sheet", b_writer_sheets, NULL, NULL, NULL, NULL, "Budget", 0, NULL,
     ENG_EINPUT,
     "no sheet named 'Budget' (the workbook has 'Summary', 'Projects', '隐藏', '评审意见')"},
    {"writer: decisions with a drop-down and links", b_writer_decisions, NULL, NULL, NULL, NULL,
     "Projects", 0,
     "1:项目编号|评审结论|意见|证据\n"
     "2:2019YFB0101001|整改后通过|补充第三方检测报告|查看证据\n"
     "3:2020YFA0202002|不通过||https://example.org/evidence/2\n",
     0, NULL},

    /* hand-made XML */
    {"shared strings: rich runs, phonetic runs, xml:space, _x escapes", NULL,
     "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
     "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" "
     "t=\"s\"><v>4</v></c>"
     "</row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>5</v></c><c r=\"B2\" t=\"s\"><v>6</v></c>"
     "<c r=\"C2\" t=\"s\"><v>7</v></c><c r=\"D2\" t=\"s\"><v>8</v></c><c r=\"E2\" "
     "t=\"s\"><v>9</v></c>"
     "</row></sheetData>",
     "<si><r><t>Hello</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> world</t></r></si>"
     "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>"
     "<si><t>  trimmed\n</t></si>"
     "<si><t xml:space=\"preserve\">  kept  </t></si>"
     "<si><r><t>a</t></r><r><t> </t></r><r><t>b</t></r></si>"
     "<si><t>line_x000D__x000A_two</t></si>"
     "<si><t>_x005F_x0041_ and _x0041_</t></si>"
     "<si><t>smile _xD83D__xDE00_</t></si>"
     "<si><t>lone _xD800_ nul _x0000_</t></si>"
     "<si><t>&lt;&amp;&gt; &#x6D4B;</t></si>",
     NULL, NULL, NULL, 0,
     "1:Hello world|東京|trimmed|  kept  |a b\n"
     "2:line\r\ntwo|_x0041_ and A|smile 😀|lone _xD800_ nul _x0000_|<&> 测\n",
     0, NULL},
    {"inline strings, errors, string formulas, ISO dates, numbers", NULL,
     "<sheetData><row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><r><t>in</t></r><r><t>line</t></r>"
     "</is></c><c r=\"B2\" t=\"e\"><v>#N/A</v></c><c r=\"C2\" t=\"str\"><f>A2&amp;\"x\"</f>"
     "<v>inlinex</v></c><c r=\"D2\" t=\"d\"><v>2019-07-01T00:00:00</v></c>"
     "<c r=\"E2\" t=\"d\"><v>2019-07-01T08:30:00.000</v></c><c r=\"F2\"><f>1/0</f></c>"
     "<c r=\"G2\" t=\"inlineStr\"><is><t>  untrimmed? no  </t></is></c></row>"
     "<row r=\"3\"><c r=\"A3\"><v>12.50</v></c><c r=\"B3\"><v>1.0E3</v></c><c "
     "r=\"C3\"><v>-0</v></c>"
     "<c r=\"D3\"><v>0.30000000000000004</v></c><c r=\"E3\"><v>0.0001</v></c>"
     "<c r=\"F3\"><v>0.00001</v></c><c r=\"G3\"><v>1e21</v></c><c r=\"H3\" t=\"n\"><v>not a "
     "number</v></c>"
     "<c r=\"I3\" t=\"b\"><v>0</v></c></row>"
     "<row><c><v>1</v></c><c><v>2</v></c><c r=\"E4\"><v>5</v></c><c><v>6</v></c></row>"
     "<row r=\"6\" spans=\"1:3\"><c r=\"A6\" s=\"1\"/><c r=\"B6\" t=\"s\"/></row>"
     "<row r=\"7\"><c r=\"C7\"><v>7</v></c><c r=\"D7\" s=\"1\"/></row></sheetData>",
     NULL, NULL, NULL, NULL, 0,
     "2:inline|#N/A|inlinex|2019-07-01|2019-07-01 08:30:00||untrimmed? no\n"
     "3:12.5|1000|0|0.30000000000000004|0.0001|1e-05|1e+21|not a number|FALSE\n"
     "4:1|2|||5|6\n"
     "7:||7\n",
     0, NULL},
    {"dates by style: built-in, custom, CJK, 1900 leap bug, times", NULL,
     "<sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"><v>43647</v></c><c r=\"B1\" "
     "s=\"2\"><v>43647.5</v></c>"
     "<c r=\"C1\" s=\"3\"><v>2.5</v></c><c r=\"D1\" s=\"4\"><v>60</v></c><c r=\"E1\" "
     "s=\"4\"><v>59</v></c>"
     "<c r=\"F1\" s=\"4\"><v>61</v></c><c r=\"G1\" s=\"1\"><v>1</v></c><c r=\"H1\" "
     "s=\"6\"><v>0.75</v></c>"
     "<c r=\"I1\" s=\"5\"><v>43647</v></c><c r=\"J1\" s=\"7\"><v>44926.999999</v></c>"
     "<c r=\"K1\" s=\"1\"><v>-1</v></c><c r=\"L1\" s=\"99\"><v>43647</v></c>"
     "<c r=\"M1\" s=\"0\"><v>43647</v></c><c r=\"N1\" s=\"4\"><v>2958465</v></c></row></sheetData>",
     NULL, styles_dates, NULL, NULL, 0,
     "1:2019-07-01|2019-07-01 12:00:00|2.5|1900-02-29|1900-02-28|1900-03-01|1900-01-01|18:00:00|"
     "2019-07-01|2023-01-01|-1|43647|43647|9999-12-31\n",
     0, NULL},
    {"the 1904 date system", NULL,
     "<sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>42185</v></c>"
     "<c r=\"C1\" s=\"4\"><v>0.5</v></c></row></sheetData>",
     NULL, styles_dates,
     "<workbookPr date1904=\"1\"/><sheets><sheet name=\"Sheet1\" sheetId=\"1\" "
     "r:id=\"rId1\"/></sheets>",
     NULL, 0, "1:1904-01-01|2019-07-01|1904-01-01 12:00:00\n", 0, NULL},
    {"merged ranges: across columns and down rows the sheet leaves out", NULL,
     "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>组</t></is></c>"
     "<c r=\"B1\" t=\"inlineStr\"><is><t>x</t></is></c><c r=\"C1\" "
     "t=\"inlineStr\"><is><t>h</t></is></c>"
     "</row><row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>y</t></is></c></row>"
     "<row r=\"6\"><c r=\"B6\"><v>6</v></c></row></sheetData>"
     "<mergeCells count=\"4\"><mergeCell ref=\"C1:D1\"/><mergeCell ref=\"A1:A3\"/>"
     "<mergeCell ref=\"E4:F5\"/><mergeCell ref=\"A6:A8\"/></mergeCells>",
     NULL, NULL, NULL, NULL, 0, "1:组|x|h|h\n2:组\n3:组|y\n6:|6\n", 0, NULL},
    {"namespace prefixes and the strict namespace", NULL,
     "<x:worksheet xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\"><x:sheetData>"
     "<x:row r=\"1\"><x:c r=\"B1\" t=\"s\"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>",
     "<si><t>prefixed</t></si>", NULL, NULL, NULL, 0, "1:|prefixed\n", 0, NULL},

    /* bad or hostile content */
    {"shared string index out of range", NULL,
     "<sheetData><row r=\"1\"><c r=\"C5\" t=\"s\"><v>7</v></c></row></sheetData>",
     "<si><t>a</t></si>", NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "xl/ws/first.xml:2: cell C5: shared string index '7' out of range (1 strings)"},
    {"a column past XFD", NULL,
     "<sheetData><row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row></sheetData>", NULL, NULL, NULL, NULL,
     0, NULL, ENG_EINPUT, "bad cell reference 'XFE1' (columns end at XFD)"},
    {"a row past 1,048,576", NULL,
     "<sheetData><row r=\"1048577\"><c><v>1</v></c></row></sheetData>", NULL, NULL, NULL, NULL, 0,
     NULL, ENG_EINPUT, "row number '1048577' outside 1..1048576"},
    {"rows out of order", NULL,
     "<sheetData><row r=\"5\"><c><v>1</v></c></row><row r=\"2\"><c><v>1</v></c></row></sheetData>",
     NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT, "row 2 comes after row 5"},
    {"malformed XML", NULL, "<sheetData><row r=\"1\"><c><v>1</c></row></sheetData>", NULL, NULL,
     NULL, NULL, 0, NULL, ENG_EINPUT, "xl/ws/first.xml:2:187: malformed XML: mismatched tag"},
    {"billion laughs in the shared strings", NULL, "<sheetData/>",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
     "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
     "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
     "<sst xmlns=\"" NS_MAIN "\"><si><t>&lol3;</t></si></sst>",
     NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "xl/strings.xml:2: a DOCTYPE is not allowed in a workbook part (XXE or entity expansion?)"},
    {"billion laughs in the sheet", NULL,
     "<?xml version=\"1.0\"?>\n<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\">"
     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c "
     "\"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
     "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&c;</t>"
     "</is></c></row></sheetData></worksheet>",
     NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "xl/ws/first.xml:2: a DOCTYPE is not allowed in a workbook part"},
    {"an external entity (XXE) in the sheet", NULL,
     "<?xml version=\"1.0\"?>\n<!DOCTYPE w [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
     "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&xxe;</t>"
     "</is></c></row></sheetData></worksheet>",
     NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT, "xl/ws/first.xml:2: a DOCTYPE is not allowed"},
    {"a DOCTYPE in the workbook part", NULL, "<sheetData/>", NULL, NULL,
     "<?xml version=\"1.0\"?><!DOCTYPE workbook SYSTEM \"http://example.org/x.dtd\">"
     "<workbook xmlns=\"" NS_MAIN "\"><sheets/></workbook>",
     NULL, 0, NULL, ENG_EINPUT, "xl/workbook.xml:1: a DOCTYPE is not allowed"},
    {"a sheet part that is missing", NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     ": the part xl/ws/first.xml (sheet 'Sheet1') is missing"},
    {"a sheet with no relationship", NULL, "<sheetData/>", NULL, NULL,
     "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId9\"/></sheets>", NULL, 0, NULL, ENG_EINPUT,
     "sheet 'S' has no part (relationship rId9 missing)"},
    {"an entity reference with no DTD", NULL,
     "<sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&xxe;</t></is></c></row></sheetData>", NULL,
     NULL, NULL, NULL, 0, NULL, ENG_EINPUT, "malformed XML: undefined entity"},
    {"a zip bomb: 100 MB of zeros as sheet1.xml", b_bomb, NULL, NULL, NULL, NULL, NULL, 0, NULL,
     ENG_EINPUT, "xl/worksheets/sheet1.xml: compression ratio "},
    {"a zip bomb behind a padded compressed size", b_bomb_lying, NULL, NULL, NULL, NULL, NULL, 0,
     NULL, ENG_EINPUT,
     "xl/worksheets/sheet1.xml: compression ratio over 200:1 while inflating (a zip bomb?)"},
    {"10,001 ZIP entries", b_many_entries, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "10004 ZIP entries, more than the limit of 10000"},
    {"a part whose CRC does not match", b_bad_crc, NULL, NULL, NULL, NULL, NULL, 0, NULL,
     ENG_EINPUT, "xl/worksheets/sheet1.xml: CRC mismatch (damaged ZIP)"},
    {"a part encrypted with a ZIP password", b_encrypted_part, NULL, NULL, NULL, NULL, NULL, 0,
     NULL, ENG_EINPUT, "xl/worksheets/sheet1.xml: the part is encrypted"},
    {"elements nested 300 deep", NULL, deep_sheet, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "xl/ws/first.xml:2: elements nested deeper than 256"},
    {"not a ZIP", b_not_zip, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "not an .xlsx workbook (not a ZIP archive, or a damaged one)"},
    {"an empty file", b_empty_file, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "not an .xlsx workbook (not a ZIP archive"},
    {"an OLE compound file", b_ole, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "encrypted or legacy .xls workbook"},
    {"a ZIP with no workbook", b_no_workbook, NULL, NULL, NULL, NULL, NULL, 0, NULL, ENG_EINPUT,
     "not an .xlsx workbook: the part xl/workbook.xml is missing"},
    {"a huge merged range", NULL,
     "<sheetData/><mergeCells><mergeCell ref=\"A1:XFD1048576\"/></mergeCells>", NULL, NULL, NULL,
     NULL, 0, NULL, ENG_EINPUT, "merged ranges cover more than 16777216 cells"},

    /* limits, lowered */
    {"more shared strings than the limit", NULL, "<sheetData/>",
     "<si><t>a</t></si><si><t>b</t></si><si><t>c</t></si>", NULL, NULL, NULL, 1, NULL, ENG_EINPUT,
     "xl/strings.xml:2: more than 2 shared strings (the limit)"},
    {"a row over the text limit", NULL,
     "<sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c>"
     "</row></sheetData>",
     "<si><t>0123456789012345678901234567890</t></si>", NULL, NULL, NULL, 2, NULL, ENG_EINPUT,
     "row 1: more than 64 bytes of text (the limit)"},
    {"one string repeated far past what was inflated", NULL,
     "<sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c></row>"
     "<row r=\"2\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c></row>"
     "<row r=\"3\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c></row>"
     "<row r=\"4\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>0</v></c></row></sheetData>",
     "<si><t>"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "</t></si>",
     NULL, NULL, NULL, 3, NULL, ENG_EINPUT,
     "the sheet's cells add up to far more text than the workbook holds"},
    {"a workbook over the total size limit", NULL,
     "<sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"
     "3456789"
     "</t></is></c></row></sheetData>",
     NULL, NULL, NULL, NULL, 4, NULL, ENG_EINPUT,
     "the workbook inflates to more than 1500 bytes (the limit)"},
    {"a cell over the cell limit", NULL,
     "<sheetData><row r=\"1\"><c r=\"B1\" "
     "t=\"inlineStr\"><is><t>01234567890</t></is></c></row></sheetData>",
     NULL, NULL, NULL, NULL, 5, NULL, ENG_EINPUT, "cell B1: longer than 10 bytes (the limit)"},
};

static void run_case(const xcase *c)
{
    char name[64];
    snprintf(name, sizeof name, "case%02d.xlsx", (int)(c - cases));
    const char *path = tmp_path(name);
    int built = c->build ? c->build(path)
                         : mini_book(path, c->sheet_xml, c->sst_xml, c->styles_xml, c->wb_body);
    if (built == 1) {
        printf("test_xlsx: %s: skipped (this minizip cannot write it)\n", c->name);
        return;
    }
    CHECK(built == 0, "%s: could not build the workbook", c->name);
    if (built)
        return;

    imp_xlsx_limits lim;
    limits_for(c->lim, &lim);
    eng_err err;
    eng_err_clear(&err);
    char *got = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = dump(path, c->sheet, &lim, &got, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    CHECK_INT(rc, c->want_code, c->name);
    if (c->want_code) {
        CHECK_INT(err.code, c->want_code, c->name);
        CHECK(strstr(err.msg, c->want_err) != NULL, "%s: message \"%s\" lacks \"%s\"", c->name,
              err.msg, c->want_err);
        CHECK(strncmp(err.msg, path, strlen(path)) == 0,
              "%s: message \"%s\" does not name the file", c->name, err.msg);
        if (c->build == b_bomb || c->build == b_bomb_lying)
            printf("test_xlsx: %s refused in %.3f s\n", c->name, secs);
    } else if (c->want) {
        CHECK_STR(got, c->want, c->name);
    }
    if (rc && !c->want_code)
        fprintf(stderr, "  (%s: %s)\n", c->name, err.msg);
    free(got);
    unlink(path);
}

/* Column XFD, the last one: a row of 16,384 cells. */
static void test_widest_row(void)
{
    const char *path = tmp_path("wide.xlsx");
    imp_rows *rows = NULL;
    imp_row row;
    eng_err err;
    CHECK(mini_book(path,
                    "<sheetData><row r=\"9\"><c r=\"A9\"><v>0</v></c><c r=\"XFD9\"><v>1</v></c>"
                    "</row></sheetData>",
                    NULL, NULL, NULL) == 0,
          "build wide.xlsx");
    CHECK_INT(imp_xlsx_open(path, NULL, &rows, &err), ENG_OK, "open wide.xlsx");
    if (rows) {
        CHECK_INT(rows->next(rows, &row, &err), 1, "the row");
        CHECK_INT(row.line, 9, "its number");
        CHECK_INT(row.ncells, 16384, "its cells");
        CHECK_STR(row.cells[0], "0", "A9");
        CHECK_STR(row.cells[1], "", "B9");
        CHECK_STR(row.cells[16383], "1", "XFD9");
        CHECK_INT(rows->next(rows, &row, &err), 0, "the end");
        CHECK_INT(rows->next(rows, &row, &err), 0, "still the end");
    }
    imp_rows_free(rows);
    imp_rows_free(NULL);
    unlink(path);
}

/* Issue 15: a 1 MB shared string repeated in 200,000 rows was refused only
 * after more than a gigabyte of text (12 s): the text handed out is now
 * measured against what has been read so far, so it stops within a few
 * dozen rows (counted, not timed). */
static void test_repeated_huge_string(void)
{
    const char *path = tmp_path("repeat.xlsx");
    size_t big = 1000000, rows = 200000;
    char *sst = malloc(big + 64);
    char *sheet = malloc(rows * 64 + 64);
    if (!sst || !sheet) {
        CHECK(0, "out of memory");
        free(sst), free(sheet);
        return;
    }
    size_t o = (size_t)sprintf(sst, "<si><t>");
    memset(sst + o, 'A', big);
    strcpy(sst + o + big, "</t></si>");
    o = (size_t)sprintf(sheet, "<sheetData>");
    for (size_t r = 1; r <= rows; r++)
        o += (size_t)sprintf(sheet + o, "<row r=\"%zu\"><c r=\"A%zu\" t=\"s\"><v>0</v></c></row>",
                             r, r);
    strcpy(sheet + o, "</sheetData>");
    CHECK(mini_book(path, sheet, sst, NULL, NULL) == 0, "build repeat.xlsx");
    free(sst), free(sheet);
    imp_rows *rs = NULL;
    imp_row row;
    eng_err err;
    eng_err_clear(&err);
    CHECK_INT(imp_xlsx_open(path, NULL, &rs, &err), ENG_OK, "open repeat.xlsx");
    long n = 0;
    int got = 0;
    while (rs && (got = rs->next(rs, &row, &err)) > 0)
        n++;
    CHECK_INT(got, -ENG_EINPUT, "repeat.xlsx is refused");
    CHECK(strstr(err.msg, "the sheet's cells add up to far more text than the workbook holds"),
          "repeat.xlsx: %s", err.msg);
    CHECK(n < 100, "repeat.xlsx: %ld rows of 1 MB handed out before the refusal", n);
    imp_rows_free(rs);
    unlink(path);
}

/* ---- the other entry points ---- */

static void test_sheets(void)
{
    const char *path = tmp_path("sheets.xlsx");
    char **names = NULL;
    int *hidden = NULL;
    size_t n = 0;
    eng_err err;
    CHECK(b_writer_sheets(path) == 0, "build sheets.xlsx");
    int rc = imp_xlsx_sheets(path, &names, &hidden, &n, &err);
    CHECK_INT(rc, ENG_OK, "imp_xlsx_sheets");
    static const struct {
        const char *name;
        int hidden;
    } want[] = {{"Summary", 0}, {"Projects", 0}, {"隐藏", 1}, {"评审意见", 0}};
    CHECK_INT(n, 4, "sheet count");
    for (size_t i = 0; rc == ENG_OK && i < n && i < 4; i++) {
        CHECK_STR(names[i], want[i].name, "sheet name");
        CHECK_INT(hidden[i], want[i].hidden, want[i].name);
    }
    imp_xlsx_free_names(names, hidden, n);
    imp_xlsx_free_names(NULL, NULL, 0);

    rc = imp_xlsx_sheets(tmp_path("does-not-exist.xlsx"), &names, &hidden, &n, &err);
    CHECK_INT(rc, ENG_EINPUT, "sheets of a missing file");
    CHECK(strstr(err.msg, "does-not-exist.xlsx: cannot open: No such file") != NULL,
          "missing file: %s", err.msg);
    unlink(path);
}

static void test_properties(void)
{
    static const struct {
        const char *name, *want; /* want NULL: absent */
    } cases_p[] = {
        {"vernier_run", "42"},  {"vernier_projects", "2"}, {"title", "评审工作簿"},
        {"creator", "vernier"}, {"no_such", NULL},         {"property", NULL},
    };
    const char *path = tmp_path("decisions.xlsx");
    CHECK(b_writer_decisions(path) == 0, "build decisions.xlsx");
    for (size_t i = 0; i < sizeof cases_p / sizeof cases_p[0]; i++) {
        char *v = (char *)"unset";
        eng_err err;
        int rc = imp_xlsx_property(path, cases_p[i].name, &v, &err);
        CHECK_INT(rc, ENG_OK, cases_p[i].name);
        CHECK_STR(v, cases_p[i].want, cases_p[i].name);
        if (rc == ENG_OK)
            free(v);
    }
    /* a workbook without docProps at all */
    const char *mini = tmp_path("noprops.xlsx");
    char *v = (char *)"unset";
    eng_err err;
    CHECK(mini_book(mini, "<sheetData/>", NULL, NULL, NULL) == 0, "build noprops.xlsx");
    CHECK_INT(imp_xlsx_property(mini, "vernier_run", &v, &err), ENG_OK,
              "property without docProps");
    CHECK(v == NULL, "property without docProps: want NULL");
    unlink(path);
    unlink(mini);
}

/* A workbook from another writer: openpyxl writes inline strings with
 * character references, no shared strings part, and its own styles. */
static void test_openpyxl(void)
{
    const char *py = getenv("PYTHON") ? getenv("PYTHON") : "/usr/bin/python3";
    const char *path = tmp_path("openpyxl.xlsx");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s -c '\n"
             "import sys, datetime, openpyxl\n"
             "wb = openpyxl.Workbook(); ws = wb.active; ws.title = \"数据\"\n"
             "ws.append([\"编号\", \"名称\", \"金额\", \"日期\", \"通过\"])\n"
             "ws.append([\"A-1\", \"测温 系统\", 1200, datetime.date(2019, 7, 1), True])\n"
             "ws.append([\"A-2\", None, 12.5, datetime.datetime(2022, 12, 10, 14, 30), False])\n"
             "ws[\"B5\"] = \"合并\"; ws.merge_cells(\"B5:C6\")\n"
             "ws[\"A7\"] = \"=SUM(C2:C3)\"\n"
             "ws2 = wb.create_sheet(\"第二\"); ws2[\"C3\"] = 0.1\n"
             "wb.save(sys.argv[1])' %s 2>/dev/null",
             py, path);
    if (access(py, X_OK) != 0 || system(cmd) != 0) {
        printf("test_xlsx: openpyxl read-back skipped (no %s with openpyxl)\n", py);
        return;
    }
    static const struct {
        const char *sheet, *want;
    } want[] = {
        {NULL, "1:编号|名称|金额|日期|通过\n2:A-1|测温 系统|1200|2019-07-01|TRUE\n"
               "3:A-2||12.5|2022-12-10 14:30:00|FALSE\n5:|合并|合并\n6:|合并|合并\n"},
        {"第二", "3:||0.1\n"},
    };
    for (size_t i = 0; i < 2; i++) {
        char *got = NULL;
        eng_err err;
        int rc = dump(path, want[i].sheet, NULL, &got, &err);
        CHECK_INT(rc, ENG_OK, "openpyxl workbook");
        if (rc)
            fprintf(stderr, "  (%s)\n", err.msg);
        CHECK_STR(got, want[i].want, "openpyxl workbook");
        free(got);
    }
    unlink(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/test_xlsx.XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    size_t o = (size_t)snprintf(deep_sheet, sizeof deep_sheet, "<sheetData><row><c>");
    for (int i = 0; i < 300; i++)
        o += (size_t)snprintf(deep_sheet + o, sizeof deep_sheet - o, "<a>");
    for (int i = 0; i < 300; i++)
        o += (size_t)snprintf(deep_sheet + o, sizeof deep_sheet - o, "</a>");
    snprintf(deep_sheet + o, sizeof deep_sheet - o, "</c></row></sheetData>");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_widest_row();
    test_repeated_huge_string();
    test_sheets();
    test_properties();
    test_openpyxl();
    rmdir(tmpdir);
    return check_done("test_xlsx");
}
