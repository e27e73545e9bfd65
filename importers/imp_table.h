/*
 * imp_table: turns table rows (CSV or XLSX, importers/imp_rows.h) into
 * records (engine/eng_record.h): header mapping, value parsing, and the
 * long-format indicators file.
 *
 * HEADER.  The header is the first row holding two different values (rows
 * of nothing but blanks before it are skipped).  Up to three rows of one
 * value above it -- a title such as "2017年度项目清单", a merged title cell
 * that XLSX repeats across the row -- are titles, counted and left out.
 * When no row within the first four has two values, the file has one
 * column and its first row is the header.  Each column maps to
 *   - a field of the record, by the --map file or else by the built-in
 *     aliases (Chinese and English, matched ignoring ASCII case, spaces,
 *     '_', '-', '.', and a unit in brackets: "金额（万元）" is "金额" with
 *     the unit 万元): 项目编号/项目批准号/批准号/id/award id/sbir_id/projectId,
 *     项目名称/课题名称/title, 承担单位/依托单位/firm/leadOrg, 负责人/pi,
 *     摘要/研究内容/abstract/description, 金额/经费/amount, 立项时间/start,
 *     结束时间/end, 结项时间/验收时间 (acceptance.date), 成果等级/验收结论/总评
 *     (acceptance.conclusion), 学科/field, 关键词/keywords, trlBegin/
 *     trlCurrent/trlEnd ... (imp_table.c holds the full table);
 *   - "period": a column such as 起止年月/执行期限 whose values fill start and
 *     end ("2018.01-2020.12");
 *   - or an extra field keyed by the header as written (an empty header is
 *     "column N", a repeated one "NAME (2)").  A column is never dropped.
 * A few aliases map to extras under a common English key so that files from
 * different agencies agree: 项目类别/category -> extra "category".  When two
 * columns map to the same field the first wins; the others become extras.
 *
 * MAP FILE (--map MAP.json), UTF-8 JSON:
 *   {
 *     "columns": {
 *       "Header as written": "title",             a field of eng_record_fields
 *       "执行期": "period",                        start and end from one cell
 *       "经费(千元)": {"field": "budget", "unit": "千元"},
 *       "Cost centre": "extra",                   an extra under the header
 *       "备注": "extra:note"                       an extra under another key
 *     },
 *     "indicator_columns": { "项目编号": "id", "指标": "name", ... },
 *     "kind": "proposal",                         default kind of every record
 *     "source": "NKP-2019"                        default source
 *   }
 * Headers are matched as written first, then as the aliases are.  Unknown
 * keys or targets are an error naming them.
 *
 * VALUES (trimmed of white space, full-width digits read as digits):
 *   - placeholders read as empty in any field: 无 暂无 — —— - -- / N/A NA
 *     null none nil #N/A 不详 待定; where a date, amount or TRL is expected
 *     also 0, 0000-00-00, 0000-00, 0000; in acceptance.conclusion also
 *     尚未评估 未评估 待评估 无需评估 (the text is kept in the extra
 *     "acceptance_status": an evaluation not made is not a conclusion);
 *   - dates: 2019-07-01, 2019/7/1, 2019.7.1, 20190701, 2019-07, 2019.07,
 *     2019/07, 201907, 2019, 2019年7月1日, 2019年7月, 2019年, and ISO times
 *     ("2015-06-30 05:00:00", "2019-07-01T08:00:00Z": the date is kept);
 *     stored as YYYY[-MM[-DD]]; day-first or month-first forms such as
 *     7/1/2019 are refused as ambiguous;
 *   - periods: two dates joined by - – — ~ ～ 至 到 or "to" (2018.01-2020.12,
 *     2018年1月至2020年12月); 至今/present as the end leaves end empty;
 *   - amounts: 1200, 1,234,567.89, 1.2E+06, with a currency (¥ ￥ RMB CNY
 *     元 → CNY; $ US$ USD 美元 → USD; € EUR 欧元 → EUR; £ GBP → GBP) and a
 *     multiplier (千 万 亿, e.g. 万元, 万美元), in the cell or in the header.
 *     The budget is stored as the number written, in the unit written: the
 *     multiplier goes to the extra "budget_unit" ("万元"), the currency to
 *     currency (a currency column wins).  Nothing is multiplied, so the
 *     agency's figure is kept exactly; budget × budget_unit is the amount.
 *     An amount with no unit anywhere is stored with no currency: we do not
 *     guess that a bare "18" under 金额 means 万元.  Negative amounts are
 *     errors;
 *   - TRL: 6, 6.0, TRL 6, TRL-6, 6级, 第6级, 六级; 1-9, else an error.
 * A cell that cannot be read is an error "FILE:LINE: field 'x' (column 'y'):
 * what is wrong"; the row is rejected, the next one can be read.
 *
 * ROWS.  A row equal to the header (a header repeated inside the data, as
 * concatenated exports have) is skipped and counted; so are rows whose
 * cells are all empty.  A row shorter than the header is padded with empty
 * cells (exporters drop trailing empty cells; XLSX stores none).  A row
 * longer than the header is fine when the extra cells are empty, and an
 * error naming the first non-empty one otherwise.  Every record gets its
 * provenance (file, line of the row), the kind "project" unless a column,
 * the map or the options say otherwise, and is validated
 * (eng_record_validate) before it is returned.
 *
 * INDICATORS (--indicators FILE): a second table in long format, one row
 * per indicator: the project id (any id alias, or the map's
 * "indicator_columns") and indicator fields: 指标名称/指标/name, 目标值/
 * target, 完成值/实际值/achieved, 单位/unit, 测试方法/method, 检测机构/lab,
 * 资质/认可/accreditation, 报告编号/report_no, 不确定度/uncertainty; other
 * columns become the indicator's extra fields.  The file is read whole into
 * memory (indicators are few beside records); each main record gets its
 * indicators attached in file order; an indicator whose project is not in
 * the main file is an error naming its row.
 *
 * Ownership: a table owns the imp_rows it was opened on; records are filled
 * into caller-initialised eng_record values.  Nothing here prints.
 */
#ifndef IMP_TABLE_H
#define IMP_TABLE_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_record.h"
#include "importers/imp_rows.h"

/* ---- the map file ----------------------------------------------------------- */

typedef struct imp_map imp_map;

/* Loads and checks a map file.  OUT: *out.  Returns ENG_OK, ENG_EINPUT
 * ("MAP: column 'x': unknown field 'y'") or ENG_EIO. */
int imp_map_load(const char *path, imp_map **out, eng_err *err);
void imp_map_free(imp_map *m);

/* ---- rows to records ----------------------------------------------------------- */

typedef struct imp_table imp_table;

typedef struct imp_table_options {
    const imp_map *map; /* NULL: built-in aliases only; borrowed */
    const char *kind;   /* default kind; NULL: the map's, else "project" */
    const char *source; /* default source; NULL: the map's, else none */
} imp_table_options;

typedef struct imp_table_counts {
    long rows;             /* data rows read (records returned + rows rejected) */
    long repeated_headers; /* rows equal to the header, skipped */
    long blank_rows;       /* rows of empty cells, skipped */
    long title_rows;       /* rows before the header taken as a title */
} imp_table_counts;

/*
 * Reads the header of rows and maps its columns.  Takes ownership of rows
 * (also on failure).  opt may be NULL.  OUT: *out.  Returns ENG_OK,
 * ENG_EINPUT ("FILE: no header row" for a file without rows, or the
 * reader's error), ENG_EIO.
 */
int imp_table_open(imp_rows *rows, const imp_table_options *opt, imp_table **out, eng_err *err);

/*
 * Reads the next data row into out (caller-initialised; released and
 * refilled).  Returns 1 for a record, 0 at the end, or a negated ENG_E*
 * code with "FILE:LINE: ..." in err.  After a bad row (imp_table_can_go_on
 * is 1) the next call reads the following row; after a reader failure (a
 * bad byte, an unclosed quote: imp_table_can_go_on is 0) every call fails.
 */
int imp_table_next(imp_table *t, eng_record *out, eng_err *err);

/* 1 when the last error concerned one row only. */
int imp_table_can_go_on(const imp_table *t);

/* The row last read (valid until the next imp_table_next), and the header
 * (valid until imp_table_free).  For the rejects file. */
const imp_row *imp_table_row(const imp_table *t);
const imp_row *imp_table_header(const imp_table *t);

const imp_table_counts *imp_table_get_counts(const imp_table *t);

/* The mapping, one line per column: "  项目批准号 -> id", "  金额 -> budget",
 * "  起止年月 -> period (start, end)", "  备注 -> extra '备注'".  Returns a
 * malloc'd string, or NULL when memory ran out. */
char *imp_table_describe(const imp_table *t);

void imp_table_free(imp_table *t);

/* ---- indicators ------------------------------------------------------------------ */

typedef struct imp_indicators imp_indicators;

/*
 * Reads a whole indicators table.  Takes ownership of rows.  map may be
 * NULL.  OUT: *out.  Returns ENG_OK; ENG_EINPUT "FILE:LINE: ..." for a row
 * without a project id or with a bad cell, or a table with no id column or
 * no indicator column; ENG_EIO.
 */
int imp_indicators_load(imp_rows *rows, const imp_map *map, imp_indicators **out, eng_err *err);

/* Appends to r the indicators of r->id, in file order, and marks them used.
 * Returns ENG_OK or ENG_EIO. */
int imp_indicators_attach(imp_indicators *ind, eng_record *r, eng_err *err);

/* Marks the indicators of id used without attaching them (the project's
 * row was rejected: its indicators go with it). */
void imp_indicators_mark(imp_indicators *ind, const char *id);

/* The indicator rows whose project never came, in file order: start with
 * *cursor = 0; each call returns 1 and OUT: *id, *line (borrowed), *cursor
 * advanced, or 0 when there are no more. */
int imp_indicators_next_unused(const imp_indicators *ind, size_t *cursor, const char **id,
                               long *line);

const char *imp_indicators_file(const imp_indicators *ind);
size_t imp_indicators_count(const imp_indicators *ind);

void imp_indicators_free(imp_indicators *ind);

/* ---- values (exposed for tests and for other importers) --------------------------- */

/* 1 when s (trimmed) is a placeholder for "no value"; numeric adds the
 * placeholders of dates, amounts and TRLs (0, 0000-00-00...). */
int imp_value_is_placeholder(const char *s, int numeric);

/* Reads a date in any form listed above.  OUT: out (YYYY, YYYY-MM or
 * YYYY-MM-DD; "" for a placeholder).  Returns ENG_OK or ENG_EINPUT with
 * "expected a date ..., got \"s\"" in err. */
int imp_value_date(const char *s, char out[11], eng_err *err);

/* Reads a period (or a single date, which fills start only).  OUT: start,
 * end ("" when absent).  Returns ENG_OK or ENG_EINPUT. */
int imp_value_period(const char *s, char start[11], char end[11], eng_err *err);

/* Reads an amount.  header_unit: a unit found in the header, or NULL.
 * OUT: number (the digits as a plain decimal, "" for a placeholder), unit
 * (the multiplier as written with its currency, e.g. "万元", "万美元", or
 * ""), currency ("CNY", "USD", "EUR", "GBP" or "").  Returns ENG_OK or
 * ENG_EINPUT. */
int imp_value_amount(const char *s, const char *header_unit, char number[64], char unit[32],
                     char currency[8], eng_err *err);

/* Reads a TRL.  OUT: *level (1-9, 0 for a placeholder).  Returns ENG_OK or
 * ENG_EINPUT. */
int imp_value_trl(const char *s, int *level, eng_err *err);

#endif
