/*
 * imp_import: `vernier import FILE` — the one entry point cli/ calls to load
 * a file of records into the store.
 *
 * The format comes from the extension, then from the content: .json, .jsonl
 * and .ndjson are canonical JSON (imp_json); .csv, .tsv (TAB unless
 * --delimiter) and .txt are CSV (imp_csv); .xlsx and .xlsm are workbooks
 * (imp_xlsx); .xls is refused (save it as .xlsx or CSV); anything else is
 * sniffed: a ZIP is a workbook, '[' or '{' first is JSON, the rest CSV.
 * CSV and XLSX rows become records through imp_table (header aliases,
 * --map, value parsing; see imp_table.h).
 *
 * Atomic and idempotent: the file's bytes are hashed (SHA-256) and the whole
 * file is one eng_import transaction.  A file imported before (same hash,
 * and the same options that change what is stored: --map and --indicators
 * files, --source, --sheet, --encoding, --delimiter, --id-prefix, --kind)
 * changes nothing (result.already); with other options it imports again.  Without skip_bad the
 * first bad record fails the file with its "FILE:LINE: ..." message and the store is left as it
 * was.  With skip_bad, good records are stored and every bad one is counted as rejected and written
 * to the rejects file.  Some failures stop the file even with skip_bad, because nothing after them
 * can be trusted: an encoding error, an unclosed quote, a hostile workbook, a bad --map or
 * indicators file.
 *
 * Rows that share an id, in one file or across imports, are versions of one
 * project, merged by the store (eng_import_add, engine/eng_version.h);
 * strict (--strict) refuses them instead: a second row with the same id is
 * a bad record ("FILE:LINE: field 'id': 'X' is also the id of line N").
 * One copy of every id of the file is kept in memory (the rows themselves
 * are streamed).  A row without an id gets one derived from its source and
 * content (imp_table.h); those are listed in result.derived_list.  Without
 * skip_bad, the message of the bad record that stopped the file says how
 * many rows were read and good so far, and names --skip-bad.
 *
 * The rejects file (skip_bad): CSV, UTF-8 with a byte-order mark (so that
 * Excel shows Chinese text), the file's header cells followed by two
 * columns "rejected_line" and "rejected_reason", then one row per rejected
 * record with its cells as read; for JSON input only the two columns.  It
 * is written to a temporary file and renamed into place when the import
 * commits; it is written only when something was rejected.  Default path:
 * FILE.rejects.csv with FILE's base name, in the working folder.
 *
 * Dry run: reads the whole file, stores nothing (the store may be NULL),
 * and describes it in result.dry_run_text: format, encoding and delimiter,
 * the mapping of every column, the row count, the first 10 errors, and the
 * indicators.  A dry run returns ENG_OK even when rows are bad (the errors
 * are the answer); it fails only when the file cannot be read at all.
 */
#ifndef IMP_IMPORT_H
#define IMP_IMPORT_H

#include "engine/eng_err.h"
#include "engine/eng_store.h"

typedef struct imp_options {
    const char *source;          /* source of records that have none (--source) */
    const char *map_path;        /* --map MAP.json (CSV, XLSX) */
    const char *encoding;        /* --encoding (CSV); NULL: detect */
    char delimiter;              /* --delimiter (CSV); 0: detect */
    const char *sheet;           /* --sheet (XLSX); NULL: the first */
    const char *indicators_path; /* --indicators FILE (CSV or XLSX, long format) */
    int skip_bad;                /* --skip-bad */
    const char *rejects_path;    /* --rejects FILE; NULL: FILE.rejects.csv (its base name) in
                                    the working folder */
    int dry_run;                 /* --dry-run */
    const char *kind;            /* kind of records that have none (CSV, XLSX); NULL: project */
    const char *id_prefix;       /* --id-prefix: put before every id (keeps ids of two agencies
                                    apart in one store); NULL: none */
    int strict;                  /* --strict: a repeated id is a bad record, not a version */
    int replace;                 /* --replace: a record replaces the stored one, whatever it
                                    loses */
} imp_options;

#define IMP_DERIVED_LISTED 20 /* derived ids listed by line in the result */

typedef struct imp_result {
    long import_id;           /* the import that holds the file (when already: the earlier one) */
    int already;              /* same file imported before: nothing changed */
    eng_import_counts counts; /* added, updated, unchanged, rejected, skipped_headers */
    long rows;                /* data rows (CSV/XLSX) or records (JSON) read */
    char *dry_run_text;       /* dry run: the description; malloc'd */
    char *rejects_path;       /* the rejects file written, or NULL; malloc'd */
    long derived_ids;         /* records whose id was derived (rows without one) */
    char *derived_list;       /* the first IMP_DERIVED_LISTED of them, "  line N: ID\n" each;
                                 malloc'd or NULL */
    long quality_marks;       /* values kept as data-quality marks (CSV, XLSX) */
} imp_result;

/*
 * Imports path into st as described above.  opt may be NULL (all
 * defaults).  OUT: *out (always initialised; release it with
 * imp_result_release).  Returns ENG_OK; ENG_EUSAGE for options that do not
 * apply to the file's format (--sheet on a CSV, --map on JSON...);
 * ENG_EINPUT with "FILE:LINE: what is wrong" for bad input; ENG_EIO for I/O,
 * memory or store failures.  On failure the store is as it was.
 */
int imp_import_file(eng_store *st, const char *path, const imp_options *opt, imp_result *out,
                    eng_err *err);

/* Frees what *r owns; r may be reused after. */
void imp_result_release(imp_result *r);

/* The format imp_import_file would read path as: "json", "csv", "xlsx", or
 * NULL with err set (a legacy .xls, an unreadable file). */
const char *imp_import_format(const char *path, eng_err *err);

#endif
