/*
 * rpt_export: the machine-readable twin of the workbook — one project a
 * line, as JSONL or CSV.
 *
 * JSONL, one object a project (ordered by id):
 *   {"id", "title", "trl_claimed", "trl_evidenced", "trl_confidence",
 *    "trl_planned", "trl_planned_confidence", "trl_stated",
 *    "trl_stated_confidence", "traceability", "novelty", "overall",
 *    "flags": [...],
 *    "duplicates": [{"id", "jaccard", "containment"}],
 *    "hits": [{"rule", "dimension", "field", "offset", "match"}],
 *    "start", "end", "acceptance_date", "acceptance_conclusion",
 *    "data_quality": [{"field", "column", "raw", "problem"}],
 *    "conflicts": [{"field", "values": [...]}],
 *    "registry": [{"indicator", "kind", "claim", "verdict", "registry",
 *                  "entry_code", "entry", "evidence", "points"}]}
 * novelty is null when it was not computed; trl_claimed null when the
 * record claims none; a TRL reading (trl_evidenced is the achieved one) and
 * its confidence are null when there is no reading; the dates and the conclusion null when absent;
 * data_quality lists the values that could not be read (raw text kept),
 * conflicts the fields on which the project's versions disagree (both []
 * when none).  CSV (RFC 4180, UTF-8, header row) has the same columns with
 * flags and duplicate ids joined by "; ", hits counted, and data_quality
 * holding the marks and the conflicts as rpt_quality_text writes them, and
 * the registry checks last as "verdict: claim; ...".  A
 * CSV text cell that begins with = + - @, TAB, CR or LF, which a spreadsheet
 * would run as a formula, is written quoted with a ' in front (OWASP's CSV
 * injection advice); every other cell, and JSONL always, keeps the exact
 * text.
 */
#ifndef RPT_EXPORT_H
#define RPT_EXPORT_H

#include <stdio.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"

/* Writes run `run` (0: the latest) in `format` ("jsonl" or "csv") to out.
 * Returns ENG_OK, ENG_EUSAGE for an unknown format, the store's error, or
 * ENG_EIO "cannot write: REASON" when out fails (ferror(out) is then set;
 * the caller names the file). */
int rpt_export(eng_store *st, long run, const char *format, FILE *out, eng_err *err);

/* The data-quality marks and conflicts of a record (JSON arrays as the
 * store holds them; either may be NULL) as one line for a reader:
 * "start: \"2019-13\" not read (...); conflict acceptance.conclusion: 优秀 |
 * 良好".  Returns a malloc'd string ("" when there is nothing), or NULL when
 * memory ran out. */
char *rpt_quality_text(const char *data_quality, const char *conflicts);

#endif
