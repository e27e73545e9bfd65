/*
 * imp_colmap: column mapping.  Decided once, at a table's header, into one
 * target per column; the rows are then read without looking anything up.
 *
 * Each column maps to
 *   - a field of the record, by the --map file or else by the built-in
 *     aliases (importers/imp_alias.c: Chinese and English, matched ignoring
 *     ASCII case, spaces, '_', '-', '.', and a unit in brackets: "金额
 *     （万元）" is "金额" with the unit 万元): 项目编号/项目批准号/批准号/id/
 *     award id/sbir_id/projectId, 项目名称/课题名称/title, 承担单位/依托单位/
 *     firm/leadOrg, 负责人/pi, 摘要/研究内容/abstract/description, 金额/经费/
 *     amount, 立项时间/start, 结束时间/end, 结项时间/验收时间
 *     (acceptance.date), 成果等级/验收结论/总评 (acceptance.conclusion),
 *     学科/field, 关键词/keywords, trlBegin/trlCurrent/trlEnd ...;
 *   - "period": a column such as 起止年月/执行期限 whose values fill start and
 *     end ("2018.01-2020.12");
 *   - or an extra field keyed by the header as written (an empty header is
 *     "column N", a repeated one "NAME (2)").  A column is never dropped.
 * A few aliases map to extras under a common English key so that files from
 * different agencies agree: 项目类别/category -> extra "category".  When two
 * columns map to the same field the first wins; the others become extras.
 * A unit written after a budget header ("金额万元", "资助金额/万元") is the
 * unit of the column.
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
 * Ownership: imp_map_load gives the caller a map to imp_map_free;
 * imp_columns_map gives an array to imp_columns_free.  Nothing here prints.
 */
#ifndef IMP_COLMAP_H
#define IMP_COLMAP_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "importers/imp_rows.h"

/* ---- the map file ----------------------------------------------------------- */

typedef struct imp_map imp_map;

/* Loads and checks a map file.  OUT: *out.  Returns ENG_OK, ENG_EINPUT
 * ("MAP: column 'x': unknown field 'y'") or ENG_EIO. */
int imp_map_load(const char *path, imp_map **out, eng_err *err);
void imp_map_free(imp_map *m);

/* The map's default kind and source, or NULL (also for a NULL map).
 * Borrowed from the map. */
const char *imp_map_kind(const imp_map *m);
const char *imp_map_source(const imp_map *m);

/* ---- columns ------------------------------------------------------------------- */

enum { IMP_COL_FIELD = 1, IMP_COL_PERIOD, IMP_COL_EXTRA };

typedef struct imp_column {
    char *name;      /* header as written (trimmed) */
    int kind;        /* IMP_COL_FIELD, IMP_COL_PERIOD, IMP_COL_EXTRA */
    char *field;     /* IMP_COL_FIELD: canonical name; indicators: "id" or indicator field */
    char *extra_key; /* IMP_COL_EXTRA */
    char unit[32];   /* budget: the unit from the header or the map */
    int from_map;
} imp_column;

/*
 * Maps every cell of a header row (trailing empty cells are no columns):
 * the map's columns first (header as written, then normalised), then the
 * aliases of records (indicators 0) or indicators (indicators 1).  map may
 * be NULL.  OUT: *out (n columns, the caller frees with imp_columns_free),
 * *n.  Returns ENG_OK or ENG_EIO; nothing is set on failure.
 */
int imp_columns_map(const imp_row *hdr, const imp_map *map, int indicators, imp_column **out,
                    size_t *n, eng_err *err);
void imp_columns_free(imp_column *cols, size_t n);

/* The mapping, one line per column: "  项目批准号 -> id", "  金额 -> budget
 * (unit 万元)", "  起止年月 -> period (start, end)", "  备注 -> extra '备注'",
 * " (map)" after a column the map decided.  Returns a malloc'd string, or
 * NULL when memory ran out. */
char *imp_columns_describe(const imp_column *cols, size_t n);

#endif
