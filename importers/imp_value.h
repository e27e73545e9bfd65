/*
 * imp_value: the value readers of table cells -- what an agency writes in a
 * cell, read into the record's canonical form.  Pure functions of the cell
 * text (and a unit from the header); no state, nothing allocated, nothing
 * printed.  The table mapper (imp_table) calls them once per mapped cell.
 *
 * VALUES (trimmed of white space, full-width digits read as digits):
 *   - placeholders read as empty in any field: the list of
 *     engine/eng_placeholder.h (无 暂无 略 — N/A Not Available TBD none
 *     "Title missing" ...); where a date, amount or TRL is expected
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
 * A value that cannot be read is ENG_EINPUT with the reason in err (the
 * caller adds file, line and field).
 */
#ifndef IMP_VALUE_H
#define IMP_VALUE_H

#include <stddef.h>

#include "engine/eng_err.h"

/* ---- text ------------------------------------------------------------------------ */

/* Trims s[0..n) of white space (ASCII, U+00A0, U+3000) at both ends.  OUT:
 * *start (inside s), *len. */
void imp_value_trim(const char *s, size_t n, const char **start, size_t *len);

/* 1 when s holds nothing but white space. */
int imp_value_is_blank(const char *s);

/* Copies s trimmed, with full-width ASCII forms (U+FF01-U+FF5E) and the
 * ideographic space folded to ASCII, into out (cap bytes).  Returns 1, or 0
 * when it did not fit (out is then unusable).  For values that are read,
 * not for stored text. */
int imp_value_fold(const char *s, char *out, size_t cap);

/* 1 when s is one or more unit words (元, 万元, USD, 万美元, €...) and
 * nothing else.  OUT: unit (the multiplier as written, or ""), currency
 * ("CNY", "USD", "EUR", "GBP" or ""); both are filled only where a word
 * gives them. */
int imp_value_units(const char *s, char unit[32], char currency[8]);

/* ---- values ---------------------------------------------------------------------- */

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

/* Text with HTML decoded, as web exports write it: character entities
 * (&amp; &#039; &#x27; &nbsp; &eacute;..., also escaped twice as
 * "&amp;#039;") and the tags of formatted text (<p> <br/> <b> <i> <a
 * href=...>...) removed, a line break for <br> <p> <div> <li>.  A "<" that
 * opens no known tag ("x < 5") and an "&" that starts no entity stay.
 * Returns a malloc'd string, or NULL when there was nothing to decode (or
 * memory ran out: the caller keeps s either way). */
char *imp_value_text(const char *s);

#endif
