/*
 * rpt_xlsx: the reviewer workbook of a run, and the screening workbook.
 *
 * The reviewer workbook is where vernier meets expert reviewers (DESIGN.md
 * "The workbook"); it reads a run from the store and holds, in this order:
 *   Summary     run id, dates, rule set (name, version, SHA-256), the run's
 *               parameters (thresholds, weights), counts, a Reviewer cell to
 *               fill in, live decision counts, and charts: claimed vs
 *               evidenced TRL, histograms of traceability, novelty and
 *               overall, flags by kind (each from a small table beside it);
 *   Projects    one row a project: scores, flags, flag count, duplicate-of,
 *               a link to the project's first row in Evidence, the reviewer
 *               columns (Decision, a drop-down; Comment), and two hidden
 *               columns (the content hash the run scored, and the decision
 *               as written) that `decisions import` checks; colour scales on
 *               the scores, a data bar on the evidenced TRL, frozen header,
 *               autofilter;
 *   Duplicates  every pair: both ids and titles, kind, method, Jaccard,
 *               containment, which is contained, signals, the shared passage
 *               as it reads in each;
 *   Evidence    every rule hit, grouped by project, with its context;
 *   Indicators  every indicator with its traceability verdict and reasons;
 *   Rules       the rule set the run used (from its stored canonical text);
 *   Lists       hidden: the decision values the drop-down offers.
 * Labels, sheet names and decision values follow opt->lang: English
 * (Summary, Projects, ..., pass/revise/fail) or Chinese (摘要, 项目, ...,
 * 通过/整改后通过/不通过).  The latest stored decision of each project is
 * filled in, so the next report shows what reviewers decided.
 *
 * The run id and the rule set's SHA-256 are both custom document properties
 * ("vernier_run", "vernier_ruleset_sha256"; also "vernier_lang") and cells
 * of Summary, so that a returned workbook can be tied to its run; the
 * property "vernier_store" (eng_store_id()) ties it to its store.
 *
 * Safety: every text from the store is written as a string cell (never a
 * formula, whatever it starts with: = + - @), after rpt_text_clean()
 * (invalid UTF-8 repaired to U+FFFD, over-long text cut with a visible
 * marker; a repaired or cut cell also gets a note, and Summary counts
 * them).  The only formulas are the writer's own templates, which hold no
 * data: the decision counts on Summary (COUNTIF/COUNTBLANK over the Decision
 * column) and, past the 65,530 hyperlinks a sheet may hold, HYPERLINK()s to
 * Evidence rows.  Sheet names are made valid and unique (rpt_text.h).  The
 * file is written to a temporary file in the same folder, fsync'd, renamed
 * over the path, and the folder fsync'd: the path holds the old workbook or
 * the whole new one, never a part.
 *
 * Large runs: a sheet with more rows than opt->large_rows (default 20,000)
 * is written in libxlsxwriter's constant-memory mode (rows streamed in
 * order, strings inline); smaller sheets use the normal mode and shared
 * strings.  Either reads the same in Excel, LibreOffice and openpyxl.  A
 * sheet holds 1,048,576 rows: a longer Projects, Duplicates, Evidence,
 * Indicators or Traceability sheet is split into parts ("Projects 1",
 * "Projects 2" ...) and an Index sheet after Summary lists every part with
 * its rows and its first and last project; Summary is over all of them and
 * its decision counts add every part up.  Rule hits are read from the store
 * one project at a time (a cursor), never all at once.
 * Selection: opt->where keeps the projects it matches, opt->top the first N
 * by opt->by (then written in that order); Summary says what was selected
 * ("top 100 of 17,926 by overall; where flag=DUP-EXACT").
 *
 * Errors follow engine/eng_err.h: ENG_EINPUT for a run that does not exist
 * or a bad option, ENG_EIO for a file that cannot be written; the message
 * names the file.  Nothing here prints (libxlsxwriter itself may print a
 * line to stderr when the file system fails it).
 */
#ifndef RPT_XLSX_H
#define RPT_XLSX_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"

typedef struct rpt_options {
    const char *lang;            /* "en" (default, also for NULL) or "zh" */
    const char *split_by;        /* NULL, or source, field, organisation, kind, pi: one workbook
                                    per value of that field */
    const char *fixed_date;      /* NULL or "" (now), or an ISO 8601 date "YYYY-MM-DD" or date-time
                                    "YYYY-MM-DDTHH:MM:SSZ": the workbook's creation date, shown on
                                    Summary (golden tests; the CLI passes VERNIER_NOW) */
    long large_rows;             /* 0: 20,000; sheets with more rows use constant-memory mode */
    const char *where;           /* NULL, or a filter over the projects (rpt_select.h) */
    long top;                    /* 0: all; else the first `top` projects by `by` */
    const char *by;              /* the order of --top (rpt_select.h; NULL: overall) */
    long sheet_rows;             /* 0: 1,048,575 (a sheet's rows below its header); a long sheet
                                    is split into parts of this many rows (tests set it small
                                    through VERNIER_SHEET_ROWS) */
    struct rpt_written *written; /* OUT, may be NULL: what was selected and split */
} rpt_options;

/* What a report holds, for the terminal: never a cut sheet without saying
 * so. */
typedef struct rpt_written {
    size_t projects;   /* projects of the run */
    size_t selected;   /* projects written (after --where and --top) */
    size_t matched;    /* projects --where matched (before --top) */
    int parted;        /* some sheet was split into parts (listed on the Index sheet) */
    size_t parts;      /* the Projects sheet's parts */
    size_t sheet_rows; /* rows a part holds */
} rpt_written;

/*
 * Writes the reviewer workbook of run `run` (0: the latest) to path (which
 * should end in .xlsx).  With opt->split_by, writes one workbook per value
 * of that field instead, each holding that panel's projects, their
 * evidence, indicators and pairs (a pair with one side in the panel
 * included), to "STEM-<value>.xlsx" beside path (STEM: path without its
 * .xlsx; <value> made safe by rpt_file_part(), "none" for projects without
 * one, "-2", "-3" appended when two values make the same name); Summary
 * then names the panel.  opt may be NULL (the defaults).
 * OUT: *paths, a malloc'd list of the *npaths paths written, in order (free
 * with rpt_paths_free()).  Both may be NULL when the caller needs no list.
 * Returns ENG_OK; ENG_EUSAGE for an unknown lang or split_by or a bad
 * fixed_date; ENG_EINPUT when the run does not exist (or, with split_by,
 * has no projects); ENG_EIO when a file
 * cannot be written or memory runs out.  On failure no path has changed
 * (a split set is put in place whole or not at all, rpt_set_commit).
 */
int rpt_workbook_write(eng_store *st, long run, const char *path, const rpt_options *opt,
                       char ***paths, size_t *npaths, eng_err *err);

/* Frees what rpt_workbook_write() returned; NULL is fine. */
void rpt_paths_free(char **paths, size_t n);

/* ---- the screening workbook ------------------------------------------------------------ */

/* One stored project that resembles a proposal.  Strings are borrowed. */
typedef struct rpt_screen_match {
    const char *id, *title, *source;
    const char *kind; /* exact, near, partial (or NULL) */
    double jaccard, containment;
    const char *signals;                          /* JSON array of signal names, or NULL */
    const char *passage_proposal, *passage_match; /* the longest shared passage, verbatim in
                                                     each text; NULL when none */
} rpt_screen_match;

/* One proposal and its best matches, best first. */
typedef struct rpt_screen_item {
    const char *id, *title;
    const rpt_screen_match *matches;
    size_t nmatches;
} rpt_screen_item;

/* What `vernier screen` found.  Strings are borrowed. */
typedef struct rpt_screen {
    const char *ruleset_name, *ruleset_version, *ruleset_sha256; /* may be NULL */
    double jaccard, containment;                                 /* the thresholds used */
    size_t top_k;                                                /* matches kept per proposal */
    long nstored; /* stored projects screened against */
    const rpt_screen_item *items;
    size_t nitems;
} rpt_screen;

/*
 * Writes the screening workbook to path: Summary (date, rule set,
 * thresholds, counts) and Screening (one row per proposal and match, best
 * first, with the shared passage of each side next to each other; a
 * proposal with no match gets one row saying so).  Same safety and atomic
 * writing as rpt_workbook_write(); opt->split_by is ignored.
 * Returns ENG_OK, ENG_EUSAGE for a bad option, or ENG_EIO.
 */
int rpt_screen_write(const char *path, const rpt_screen *s, const rpt_options *opt, eng_err *err);

#endif
