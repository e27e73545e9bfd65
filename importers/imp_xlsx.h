/*
 * imp_xlsx: reads one sheet of an Excel workbook (.xlsx, Office Open XML) as a
 * stream of rows (importers/imp_rows.h), and refuses hostile workbooks fast.
 *
 * A workbook is a ZIP of XML parts.  The reader follows the package's
 * relationships (_rels/.rels -> the workbook part -> its .rels) to find the
 * sheets, the shared strings and the styles; it never guesses part names.
 * Shared strings and the date-ness of each cell style are loaded at open;
 * the sheet itself is inflated and parsed (expat) in 64 KiB chunks while
 * rows are read, so memory holds the shared strings and one row, never the
 * sheet.
 *
 * Cell values, as UTF-8 text:
 *   - strings (shared, inline, rich text runs concatenated; phonetic runs
 *     left out; Excel's _xHHHH_ escapes decoded; a <t> without
 *     xml:space="preserve" loses leading and trailing white space unless it
 *     is all white space, as Excel shows it);
 *   - numbers in the shortest form that reads back to the same double
 *     ("1200", "12.5", "0.1", "1e-07");
 *   - booleans "TRUE" / "FALSE"; errors as their text ("#N/A");
 *   - formulas: their cached value (a formula without one is "");
 *   - a number whose style has a date or time format (built-in formats
 *     14-22, 27-36, 45-47, 50-58, or a custom format with d, m, y, h or s
 *     outside quotes and brackets): "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS"
 *     when it has a time of day; a value below 1 (a time alone) is
 *     "HH:MM:SS".  The 1900 date system keeps Excel's fictitious 1900-02-29
 *     (serial 60); workbookPr date1904 switches to the 1904 system.
 * Cell references place cells in columns: missing cells between become "",
 * trailing empty cells are dropped, and rows left with no cells are skipped;
 * imp_row.line is the spreadsheet's row number (1-based).
 *
 * Merged cells: the value of a merged range's top-left cell is repeated in
 * every cell of the range, in every row of it (a vertically merged label
 * yields rows of its own even where the sheet stores none).  So a header
 * merged over two columns names both, and a project grouped over several
 * rows keeps its id on each of them.
 *
 * Hostile workbooks are refused with ENG_EINPUT and a message naming the
 * file and the part ("book.xlsx: xl/worksheets/sheet1.xml: ..."): a file
 * that is not a ZIP, an OLE compound file ("encrypted or legacy .xls
 * workbook"), a missing or encrypted part, any DOCTYPE or entity declaration
 * (OOXML needs none: this stops XXE and billion laughs before any entity is
 * read), elements nested deeper than 256, and anything over the limits
 * below.  Sizes and ratios are measured
 * while inflating, not taken from the ZIP headers (which are only used to
 * refuse earlier).  The format's own bounds are enforced too: columns up to
 * XFD (16,384) and rows up to 1,048,576.
 *
 * Errors follow engine/eng_err.h: functions return ENG_OK or an ENG_E* code
 * and fill a caller-owned eng_err; out-parameters are set only on success.
 * Nothing here prints or exits.  The reader is not shared between threads,
 * but separate readers may run in separate threads.
 */
#ifndef IMP_XLSX_H
#define IMP_XLSX_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "importers/imp_rows.h"

/* The limits a workbook must stay within; imp_xlsx_limits_default() fills
 * in the values noted here, and tests may lower them. */
typedef struct imp_xlsx_limits {
    unsigned long long max_total;        /* bytes inflated from all parts: 1 GiB */
    unsigned long long max_part;         /* bytes inflated from one part: 512 MiB */
    unsigned long long max_meta_part;    /* workbook, rels, styles, properties: 16 MiB */
    unsigned long long ratio_floor;      /* ratio checked once a part passes this: 1 MiB */
    unsigned long max_ratio;             /* inflated : compressed bytes of a part: 200 */
    unsigned long max_entries;           /* ZIP entries: 10,000 */
    unsigned long max_strings;           /* shared strings: 16,777,216 */
    unsigned long long max_string_bytes; /* shared string text in all: 256 MiB */
    unsigned long max_cell_bytes;        /* text of one cell or shared string: 1 MiB */
    unsigned long long max_row_bytes;    /* text of one row, merged copies included: 64 MiB */
    unsigned long max_merges;            /* merged ranges in the sheet: 1,000,000 */
    unsigned long long max_merged_cells; /* cells covered by merged ranges: 16,777,216 */
    /* What a sheet may hand out beyond what it holds: text bytes plus cells
     * of the rows read so far must stay under amp_base + amp_factor x (the
     * shared strings' bytes + the sheet's bytes inflated so far).  It stops
     * a small sheet that repeats one huge shared string (or a huge merged
     * range) in row after row within a few rows.  16 MiB and 16. */
    unsigned long long amp_base;
    unsigned long amp_factor;
} imp_xlsx_limits;

/* Fills *lim with the default limits above. */
void imp_xlsx_limits_default(imp_xlsx_limits *lim);

/* Opens the workbook at path and the sheet named sheet (UTF-8, matched
 * exactly, else ignoring ASCII case; NULL: the first worksheet in workbook
 * order, hidden or not) as a row stream.  Loads the workbook, its shared
 * strings and styles, and scans the sheet once for merged ranges.
 * OUT: *out, a stream to free with imp_rows_free(); its next() returns rows
 * as imp_rows.h says, failing with -ENG_EINPUT and "FILE: PART: ..." on a
 * sheet that turns out bad or over a limit part way.
 * Returns ENG_OK; ENG_EINPUT for a missing file, a bad or hostile workbook
 * or no such sheet (the message lists the sheets); ENG_EIO when the file
 * exists but cannot be read, or memory runs out. */
int imp_xlsx_open(const char *path, const char *sheet, imp_rows **out, eng_err *err);

/* imp_xlsx_open() under the limits *lim (NULL: the defaults). */
int imp_xlsx_open_with(const char *path, const char *sheet, const imp_xlsx_limits *lim,
                       imp_rows **out, eng_err *err);

/* Lists the workbook's sheet names in workbook order, worksheets and chart
 * sheets alike.  OUT: *names, a malloc'd array of *n malloc'd UTF-8 strings;
 * *hidden, a malloc'd array of *n flags: 0 visible, 1 hidden, 2 very hidden.
 * Free both with imp_xlsx_free_names().  Returns ENG_OK, ENG_EINPUT or
 * ENG_EIO as imp_xlsx_open() does. */
int imp_xlsx_sheets(const char *path, char ***names, int **hidden, size_t *n, eng_err *err);

/* Frees what imp_xlsx_sheets() returned; NULLs are fine. */
void imp_xlsx_free_names(char **names, int *hidden, size_t n);

/* Reads a workbook property: a custom property (docProps/custom.xml, e.g.
 * "vernier_run", as libxlsxwriter's workbook_set_custom_property_*() writes
 * it) or else a core property by its element name ("title", "creator",
 * "keywords", "description", "created", ...).  Values come as their text
 * (a boolean custom property is "true"/"false" as stored).  OUT: *value, a
 * malloc'd string, or NULL when the workbook has no such property.
 * Returns ENG_OK, ENG_EINPUT or ENG_EIO as imp_xlsx_open() does. */
int imp_xlsx_property(const char *path, const char *name, char **value, eng_err *err);

#endif
