/*
 * imp_csv: a CSV reader yielding imp_rows (importers/imp_rows.h).
 *
 * RFC 4180 and what real exports add to it:
 *   - fields quoted with '"', holding delimiters, line breaks (kept as they
 *     are in the file) and doubled quotes;
 *   - LF, CRLF and bare CR line ends, mixed in one file;
 *   - any encoding imp_enc reads (BOMs, UTF-16, GB18030, Big5), so cells
 *     are always valid UTF-8;
 *   - the delimiter given, or named by an Excel "sep=X" first line, or
 *     detected among ',' ';' TAB '|' '^' and 0x1F: the candidate that splits
 *     the first rows into the same number (>= 2) of fields most often; an
 *     exact tie between two candidates is an error (name it with
 *     --delimiter), a file no candidate splits is one column;
 *   - blank lines are skipped (rows keep their true line numbers).
 * Policy where RFC 4180 leaves room (each case is tested):
 *   - a quote inside an unquoted field is literal (37°36'37.8"N);
 *   - spaces before an opening quote are dropped (a, "b, c" is two fields);
 *   - after a closing quote only spaces, a delimiter or a line end may
 *     follow: "12"x is an error, never a guess; so is "a\"b" (a backslash
 *     is not an escape in CSV);
 *   - a quoted field still open at the end of the file is an error naming
 *     the line where it opened;
 *   - a NUL character in a cell is an error (it would truncate C strings).
 * Streaming: memory is a fixed input buffer plus the current row, whatever
 * the file size; a row is limited to 64 MiB and 65,536 cells (beyond is an
 * error, usually an unbalanced quote).
 */
#ifndef IMP_CSV_H
#define IMP_CSV_H

#include "engine/eng_err.h"
#include "importers/imp_rows.h"

typedef struct imp_csv_options {
    const char *encoding; /* NULL: detect (imp_enc) */
    char delimiter;       /* 0: detect */
} imp_csv_options;

/* What the reader found, for `import --dry-run`. */
typedef struct imp_csv_info {
    char encoding[64]; /* imp_enc_name(), e.g. "GB18030" or "UTF-8+BOM" */
    char delimiter;
    int sep_line; /* 1 when the file began with an Excel "sep=X" line */
} imp_csv_info;

/*
 * Opens path as CSV.  opt may be NULL (detect everything).  OUT: *out, and
 * *info when info is not NULL.  Returns ENG_OK; ENG_EINPUT with
 * "FILE:LINE: what is wrong" (encoding refused, delimiter undecidable);
 * ENG_EIO when the file cannot be read.  Free *out with imp_rows_free.
 * Errors found later (a bad byte, an unterminated quote) come from next()
 * as -ENG_EINPUT with "FILE:LINE: what is wrong"; after one, every call
 * returns it again.
 */
int imp_csv_open(const char *path, const imp_csv_options *opt, imp_rows **out, imp_csv_info *info,
                 eng_err *err);

/* How a delimiter is written in messages: "','", "TAB", "0x1F".  Returns
 * the caller's buf, written (OUT: buf). */
const char *imp_csv_delimiter_name(char delimiter, char buf[8]);

#endif
