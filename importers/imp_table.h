/*
 * imp_table: turns table rows (CSV or XLSX, importers/imp_rows.h) into
 * records (engine/eng_record.h), and reads the long-format indicators file.
 * The work is split in three: the value readers (importers/imp_value.h),
 * the header aliases as a data table (importers/imp_alias.h) and the column
 * mapping with the --map file (importers/imp_colmap.h); this module finds
 * the header, walks the rows and builds each record.
 *
 * HEADER.  The header is the first row holding two different values (rows
 * of nothing but blanks before it are skipped).  Up to three rows of one
 * value above it -- a title such as "2017年度项目清单", a merged title cell
 * that XLSX repeats across the row -- are titles, counted and left out.
 * When no row within the first four has two values, the file has one
 * column and its first row is the header.  Its columns are mapped as
 * imp_colmap.h says; each mapped cell is read as imp_value.h says.
 *
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
#include "importers/imp_colmap.h"
#include "importers/imp_rows.h"
#include "importers/imp_value.h"

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
    long derived_ids;      /* rows without an id given one (source + content hash) */
    long quality_marks;    /* values kept as data-quality marks */
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

#endif
