/*
 * rpt_export: the machine-readable twin of the workbook — one project a
 * line, as JSONL or CSV.
 *
 * JSONL, one object a project (ordered by id):
 *   {"id", "title", "trl_claimed", "trl_evidenced", "traceability",
 *    "novelty", "overall", "flags": [...],
 *    "duplicates": [{"id", "jaccard", "containment"}],
 *    "hits": [{"rule", "dimension", "field", "offset", "match"}]}
 * novelty is null when it was not computed; trl_claimed null when the
 * record claims none.  CSV (RFC 4180, UTF-8, header row) has the same
 * columns with flags and duplicate ids joined by "; " and hits counted.  A
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

#endif
