/*
 * rpt_book: the one place that wraps libxlsxwriter (private to reports/).
 *
 * Both workbooks of rpt_xlsx.h are written through it, so that the safety
 * rules hold everywhere by construction:
 *   - rpt_book_open() removes the stale temporary files a killed vernier
 *     left beside the path (eng_tmp_clean), creates a locked temporary file
 *     ("PATH.tmp.XXXXXX", mode 0666 less the umask) and opens the workbook
 *     on it; rpt_book_close() closes the workbook, fsyncs the file, renames
 *     it over PATH and fsyncs the folder; rpt_book_abort() removes it.  The
 *     path therefore holds the old workbook or the whole new one.
 *   - text goes in only through rpt_book_str() and rpt_book_link(), which
 *     pass it through rpt_text_clean() and then worksheet_write_string():
 *     a string cell whatever it starts with.  A cell that had to be repaired
 *     or cut gets a note saying so and is counted.
 *   - sheets come from rpt_book_sheet(), which makes the name valid and
 *     unique and picks constant-memory mode for large sheets.
 * Cell writers do not return errors: the first libxlsxwriter error is kept
 * with the sheet and cell it happened at, and rpt_book_close() fails with
 * it.  This header is the only one of ours that names libxlsxwriter types;
 * it is included by the .c files of reports/ only.
 */
#ifndef RPT_BOOK_H
#define RPT_BOOK_H

#include <stddef.h>
#include <time.h>
#include <xlsxwriter.h>

#include "engine/eng_err.h"
#include "reports/rpt_text.h"
#include "reports/rpt_xlsx.h"

#define RPT_BOOK_MAX_SHEETS 64

/* A set of workbooks that appears whole or not at all (report --split-by):
 * rpt_book_close of a book whose `set` is set leaves it synced in its
 * locked temporary file and adds it here; rpt_set_commit then renames every
 * one into place, rpt_set_abort removes them all. */
typedef struct rpt_set {
    const char *name; /* the path the set is named after (-o), borrowed */
    char **tmp, **path;
    int *fd; /* the temporary files' locks */
    size_t n;
} rpt_set;

typedef struct rpt_book {
    lxw_workbook *wb;
    char *path, *tmp;
    int fd;          /* holds the temporary file's lock (eng_tmp) */
    rpt_set *set;    /* NULL: rpt_book_close puts the workbook in place */
    int zh;          /* Chinese labels */
    long large_rows; /* sheets with more rows use constant-memory mode */
    time_t created;
    char created_iso[32]; /* "YYYY-MM-DDTHH:MM:SSZ" */
    rpt_text tb;
    long repaired, truncated; /* cells changed by rpt_text_clean */
    lxw_error lerr;           /* the first libxlsxwriter error, 0 when none */
    char lerr_where[160];
    int oom;
    char names[RPT_BOOK_MAX_SHEETS][128];
    const char *name_ptrs[RPT_BOOK_MAX_SHEETS];
    size_t nnames;
    /* Formats shared by every sheet, created once. */
    lxw_format *title, *header, *bold, *wrap, *num1, *num2, *num3, *pct, *link, *input, *section;
} rpt_book;

/* Checks opt (lang, fixed_date), creates the temporary file beside path and
 * opens a workbook on it with the document properties (title, author
 * "vernier", creation date).  OUT: *b (filled in).  Returns ENG_OK,
 * ENG_EUSAGE for a bad option, ENG_EIO when the file cannot be created; on
 * failure nothing is left behind. */
int rpt_book_open(rpt_book *b, const char *path, const rpt_options *opt, const char *title,
                  eng_err *err);

/* Adds a worksheet named from want (made valid and unique), expected to hold
 * `rows` rows: more than b->large_rows makes it a constant-memory sheet
 * (written strictly in row order).  OUT: name (the name used, 128 bytes),
 * may be NULL.  Returns the sheet, owned by the workbook, or NULL (the
 * error is kept for close). */
lxw_worksheet *rpt_book_sheet(rpt_book *b, const char *want, long rows, char *name);

/* Writes text s (NULL or "" writes nothing) as a string cell. */
void rpt_book_str(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                  lxw_format *f);
/* Writes a number. */
void rpt_book_num(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
                  lxw_format *f);
/* Writes one of the writer's own formulas (never data) with its cached
 * value. */
void rpt_book_formula(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                      const char *formula, double value, lxw_format *f);
/* Writes text s as a link to a place in this workbook: target is
 * "'Sheet'!A12".  Past the 65,530 links a sheet may hold it writes a
 * HYPERLINK() formula instead (label is then one of the writer's own
 * strings, as it always is). */
void rpt_book_link(rpt_book *b, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *target,
                   const char *label);
/* Keeps the first error of a call made directly on libxlsxwriter. */
void rpt_book_check(rpt_book *b, lxw_error e, const char *what);

/* Sets a custom document property (value cleaned, cut to 255 characters). */
void rpt_book_property(rpt_book *b, const char *name, const char *value);

/* "'Sheet name'" with any apostrophe doubled, for formulas.  OUT: out. */
void rpt_book_quote(char *out, size_t cap, const char *sheet);
/* "A1"-style reference; abs adds the $ signs.  OUT: out (at least 24). */
void rpt_book_cell(char *out, lxw_row_t row, lxw_col_t col, int abs);

/* Closes the workbook, syncs and renames it into place (or, with b->set,
 * hands it to the set), frees b.  Returns ENG_OK, or ENG_EIO with a message
 * naming the path (the temporary file is then removed and the path left as
 * it was). */
int rpt_book_close(rpt_book *b, eng_err *err);
/* Renames every workbook of the set into place under a journal named after
 * set->name (eng_tmp_commit_set: a kill between two renames is finished by
 * the next eng_tmp_clean of set->name); on a failure removes the rest (and
 * those already placed: the set is whole or absent).  Frees the set's
 * contents either way. */
int rpt_set_commit(rpt_set *set, eng_err *err);
/* Removes every temporary file of the set; frees its contents. */
void rpt_set_abort(rpt_set *set);
/* Drops the workbook and its temporary file; frees b.  Safe after a failed
 * open and twice. */
void rpt_book_abort(rpt_book *b);

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]" as UTC.  Returns 0 and
 * sets *out, or -1. */
int rpt_parse_date(const char *s, time_t *out);

#endif
