/*
 * eng_store: the SQLite store (one file, DESIGN.md "The store").
 *
 * Opening a store creates or migrates its schema (PRAGMA user_version) and
 * turns foreign keys on.  Every import and every run is one transaction: a
 * failure leaves the store as it was.  Nothing here prints.
 */
#ifndef ENG_STORE_H
#define ENG_STORE_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_record.h"

typedef struct eng_store eng_store;

/* Opens (creating when missing) the store at path.  OUT: *out. */
int eng_store_open(const char *path, eng_store **out, eng_err *err);
void eng_store_close(eng_store *st);
/* The schema version this build writes. */
int eng_store_schema_version(void);

/*
 * One import: a transaction that adds or updates records and records one row
 * of import history (file, SHA-256 of its bytes, source, rows stored and
 * rejected, when).
 *
 * eng_import_begin: when a file with the same SHA-256 was imported before,
 * sets *already to that import's id and returns ENG_OK with *out = NULL:
 * importing the same file again changes nothing.
 * eng_import_add: stores r (validated first); a record whose id exists with
 * the same content hash is left alone (counted as unchanged); with a
 * different hash it is replaced (counted as updated).
 * eng_import_reject: counts a rejected row (--skip-bad).
 * eng_import_commit: commits and frees imp; on failure everything is rolled
 * back.  eng_import_abort: rolls back and frees (NULL is a no-op).
 */
typedef struct eng_import eng_import;

typedef struct eng_import_counts {
    long added, updated, unchanged, rejected, skipped_headers;
} eng_import_counts;

int eng_import_begin(eng_store *st, const char *file, const char *file_sha256, const char *source,
                     eng_import **out, long *already, eng_err *err);
int eng_import_add(eng_import *imp, const eng_record *r, eng_err *err);
void eng_import_reject(eng_import *imp);
void eng_import_skipped_header(eng_import *imp);
const eng_import_counts *eng_import_get_counts(const eng_import *imp);
int eng_import_commit(eng_import *imp, eng_err *err);
void eng_import_abort(eng_import *imp);

#endif
