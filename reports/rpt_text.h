/*
 * rpt_text: makes any stored text fit to stand in a workbook cell, and makes
 * the names a workbook needs (sheet names, file names) valid.
 *
 * The store holds whatever bytes were imported or matched; Excel and
 * libxlsxwriter 1.1.4 do not.  Invalid UTF-8 makes libxlsxwriter write a
 * corrupt file, a string over 32,767 characters is silently dropped, C0
 * control characters and U+FFFE/U+FFFF are not XML, and Excel decodes any
 * "_xHHHH_" in a string as an escaped character.  rpt_text_clean() turns
 * every text into one that survives all of that and says what it had to do:
 *   - each byte that is not part of valid UTF-8 (overlong forms, surrogates
 *     and code points over U+10FFFF included), each C0 control other than
 *     TAB, LF and CR, and U+FFFE/U+FFFF becomes U+FFFD (flag
 *     RPT_TEXT_REPAIRED);
 *   - "_xHHHH_" is written as "_x005F_xHHHH_" so that Excel shows it as it
 *     was (no flag: the text reads back unchanged);
 *   - a text longer than the limit keeps its beginning and ends with a
 *     visible marker, "…[truncated: N characters]" (N is the number of
 *     characters cut; Chinese: "…[已截断 N 个字符]"), within the limit
 *     (flag RPT_TEXT_TRUNCATED).
 * Lengths count UTF-16 code units, as Excel does: a character beyond the
 * Basic Multilingual Plane counts twice, which keeps the result within
 * libxlsxwriter's own count (code points) too.
 *
 * Nothing here knows of libxlsxwriter; nothing allocates except the
 * caller's scratch buffer; nothing prints.
 */
#ifndef RPT_TEXT_H
#define RPT_TEXT_H

#include <stddef.h>

/* Excel's limit for the text of one cell, in UTF-16 code units. */
#define RPT_CELL_MAX 32767
/* Excel's limit for a sheet name, in characters. */
#define RPT_SHEET_MAX 31

enum {
    RPT_TEXT_REPAIRED = 1,  /* bad bytes or characters were replaced by U+FFFD */
    RPT_TEXT_TRUNCATED = 2, /* the text was cut and carries the marker */
};

/* A scratch buffer that rpt_text_clean() reuses from call to call.  Start it
 * zeroed ({0}); release it with rpt_text_release(). */
typedef struct rpt_text {
    char *p;
    size_t cap;
} rpt_text;

void rpt_text_release(rpt_text *t);

/*
 * Returns text fit for a cell: s itself when nothing needs changing (the
 * common case: no copy), else a cleaned copy in t, valid until the next call
 * with t.  s NULL reads as "".  max_units is the limit in UTF-16 code units
 * (RPT_CELL_MAX for a cell; at least 64); lang ("zh" or anything else for
 * English) picks the marker's language.
 * OUT: *flags (may be NULL), RPT_TEXT_* bits of what was done.
 * Returns NULL only when memory ran out.
 */
const char *rpt_text_clean(rpt_text *t, const char *s, size_t max_units, const char *lang,
                           int *flags);

/* UTF-16 code units of a valid UTF-8 string (each invalid byte counts one). */
size_t rpt_text_units(const char *s);

/*
 * Makes a valid, unique sheet name from want (UTF-8, cleaned first): the
 * characters [ ] : * ? / \ become '_', leading and trailing apostrophes go,
 * the name is cut to 31 characters, an empty name becomes "Sheet" and
 * Excel's reserved "History" becomes "History_".  When the result equals
 * (ignoring ASCII case, as Excel and libxlsxwriter compare) one of the
 * ntaken names in taken, " (2)", " (3)"... is appended within the 31.
 * OUT: out (cap bytes; 128 is always enough).  Returns 0, or -1 when cap is
 * too small.
 */
int rpt_sheet_name(char *out, size_t cap, const char *want, const char *const *taken,
                   size_t ntaken);

/*
 * Makes a safe file-name part from a value (a panel name: a source, a
 * field, an organisation...): UTF-8 kept (CJK names stay readable), invalid
 * bytes, controls, white space and / \ : * ? " < > | become '_', leading
 * dots and trailing dots or spaces go, runs of '_' shrink to one, the part
 * is cut to 80 bytes at a character boundary, an empty part becomes "none"
 * and Windows' reserved device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9)
 * get a trailing '_'.  OUT: out (cap bytes; 96 is always enough).  Returns
 * 0, or -1 when cap is too small.
 */
int rpt_file_part(char *out, size_t cap, const char *value);

/*
 * HTML character references decoded for display: &amp; &lt; &gt; &quot;
 * &apos; &nbsp; and the common typographic names (&rsquo; &ldquo; &ndash;
 * &hellip; ...), and numeric ones (&#8217; &#x27;).  Titles scraped from
 * web pages carry them (SBIR: &quot; &#039; &amp;; TechPort: &#x27;).  A
 * numeric reference to a C0 control U+0010..U+001F is read as
 * U+2010..U+201F (TechPort's &#x19; is a right quote whose high byte was
 * dropped); other controls, NUL, surrogates and unknown names are left as
 * written.  The importers decode text when records come in
 * (imp_value_text); this decodes, for what a panel reads, what a store
 * still holds: stores imported before, and references the importer leaves
 * (the C0 ones above).
 * Returns a malloc'd decoded copy (caller frees), or NULL when s has
 * nothing to decode (or is NULL) or memory ran out (*oom set, may be NULL).
 */
char *rpt_text_entities(const char *s, int *oom);

#endif
