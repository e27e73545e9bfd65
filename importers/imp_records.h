/*
 * imp_records: records from any supported file, one at a time, without the
 * store — JSON (an array) and JSONL read as canonical records, CSV/TSV and
 * XLSX through the header mapping of imp_table.  `vernier screen` reads its
 * proposals this way; nothing is stored.
 */
#ifndef IMP_RECORDS_H
#define IMP_RECORDS_H

#include "engine/eng_err.h"
#include "engine/eng_record.h"

typedef struct imp_records imp_records;

typedef struct imp_records_options {
    const char *kind;     /* default kind for tabular files ("proposal" for screen) */
    const char *map_path; /* --map for tabular files, NULL for none */
    const char *encoding; /* CSV: NULL to detect */
    char delimiter;       /* CSV: 0 to detect */
    const char *sheet;    /* XLSX: NULL for the first sheet */
} imp_records_options;

/* The format of path from its extension (and first byte for .json/.txt):
 * "json", "jsonl", "csv", "xlsx", or NULL when unknown. */
const char *imp_records_format(const char *path);

/* Opens path.  OUT: *out.  Returns ENG_OK, ENG_EINPUT ("FILE: ...") or
 * ENG_EIO. */
int imp_records_open(const char *path, const imp_records_options *opt, imp_records **out,
                     eng_err *err);
/* Reads the next record into out (caller-initialised).  Returns 1, 0 at the
 * end, or a negated ENG_E* code with "FILE:LINE: ..." in err. */
int imp_records_next(imp_records *r, eng_record *out, eng_err *err);
void imp_records_free(imp_records *r);

#endif
