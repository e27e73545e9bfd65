/*
 * rpt_select: which projects a report holds (`report --where EXPR`,
 * `report --top N --by ORDER`).
 *
 * The filter language, small on purpose:
 *   expr   := term { "or" term }
 *   term   := factor { "and" factor }
 *   factor := "not" factor | "(" expr ")" | COLUMN OP VALUE
 *   OP     := = | != | < | <= | > | >= | ~        (~: contains, ASCII case ignored)
 *   VALUE  := a number, a word (letters, digits, - _ . / : and any non-ASCII
 *             character), a "quoted" or 'quoted' text, or null
 * Columns (names as in `export`): numbers trl_claimed, trl_achieved
 * (= trl_evidenced), trl_planned, trl_stated, traceability, novelty,
 * overall, flag_count, rule_errors; texts id, title, kind, source, field,
 * organisation, pi, duplicate_of, acceptance_conclusion; and flag, a
 * project's flags: flag=TRL-OVERCLAIM holds when it has that flag,
 * flag!=X when it has not, flag~DUP when one of its flags contains DUP.
 * A missing value (no TRL reading, a score not assessable, an empty text)
 * equals only null: trl_achieved>=6 is false for a project without a
 * reading, and novelty=null finds those whose novelty is not assessable.
 * Keywords (and, or, not, null) are in any case; column names are exact.
 * Examples: flag=TRL-OVERCLAIM, trl_achieved>=6 and overall<50,
 * field="计量·温度" or source=NSF-2020, not flag~DUP.
 */
#ifndef RPT_SELECT_H
#define RPT_SELECT_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_types.h"

typedef struct rpt_where rpt_where;

/* Parses expr.  OUT: *out (free with rpt_where_free).  Returns ENG_OK, or
 * ENG_EUSAGE with a message naming the character where it went wrong and
 * what was expected (an unknown column lists the columns). */
int rpt_where_parse(const char *expr, rpt_where **out, eng_err *err);
/* Whether score s satisfies w (NULL: every score does). */
int rpt_where_match(const rpt_where *w, const eng_score *s);
void rpt_where_free(rpt_where *w);

/* Orders for --top: overall, novelty, traceability, trl (achieved),
 * flags (most flags first, then the lowest overall): highest first; with a
 * leading '-' lowest first.  Missing values come last either way; ties go
 * by project id.  Returns the order's code (>= 0), or -1 for an unknown
 * name (ENG_EUSAGE in err naming the orders). */
int rpt_order_parse(const char *by, eng_err *err);
/* Sorts sel[0..m) (indices into sc) by order. */
void rpt_order_sort(const eng_score *sc, size_t *sel, size_t m, int order);

#endif
