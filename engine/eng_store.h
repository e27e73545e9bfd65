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
#include "engine/eng_types.h"

typedef struct eng_store eng_store;

/* Opens (creating when missing) the store at path.  OUT: *out.  The store
 * is in WAL mode: readers are never blocked by a writer; a writer waits for
 * another one to finish, up to ENG_STORE_WAIT_MS, then fails with "the store
 * is busy" (ENG_EIO). */
int eng_store_open(const char *path, eng_store **out, eng_err *err);

#define ENG_STORE_WAIT_MS (600L * 1000)

/* Told once, when a wait for another writer has lasted a second: path, and
 * how long the wait may last in all (ms). */
typedef void (*eng_store_wait_fn)(void *ctx, const char *path, long wait_ms);

typedef struct eng_store_opt {
    long wait_ms;              /* how long a writer waits for another; < 0: ENG_STORE_WAIT_MS */
    eng_store_wait_fn on_wait; /* NULL: wait silently */
    void *ctx;                 /* passed to on_wait */
} eng_store_opt;

/* eng_store_open with options (opt may be NULL: the defaults). */
int eng_store_open_opt(const char *path, const eng_store_opt *opt, eng_store **out, eng_err *err);
void eng_store_close(eng_store *st);
/* The store's identity: 32 random hex digits made when the store was
 * created (or first opened by a vernier that knows it); workbooks carry it
 * so that one returned to another store is refused.  Owned by st. */
const char *eng_store_id(const eng_store *st);

/*
 * One import: a transaction that adds or updates records and records one row
 * of import history (file, SHA-256 of its bytes, source, rows stored and
 * rejected, when).
 *
 * eng_import_begin: when a file with the same SHA-256 was imported before,
 * sets *already to that import's id and returns ENG_OK with *out = NULL:
 * importing the same file again changes nothing.
 * eng_import_add: stores r (validated first).  A new id is added.  A record
 * whose id is stored is a version of that project (engine/eng_version.h):
 *   - the same content as the stored record or one of its versions: left
 *     alone (unchanged);
 *   - from the same place (file and line) as a stored version -- the same
 *     row imported again with other options: it replaces that version
 *     (updated), but not when it would empty a field the version had or
 *     change its source: ENG_EINPUT with the field-level diff;
 *   - from another place: a new version (versions), merged field by field
 *     with the others; the stored record is the merge, every version is
 *     kept (table versions) with its provenance.
 * A version of another source is ENG_EINPUT (ids are unique within an
 * agency, not across agencies).  eng_import_set_policy: strict refuses a
 * second version (ENG_EINPUT); replace makes the record replace what is
 * stored, whatever it loses (no versions kept).
 * eng_import_reject: counts a rejected row (--skip-bad).
 * eng_import_commit: commits and frees imp; on failure everything is rolled
 * back.  eng_import_abort: rolls back and frees (NULL is a no-op).
 */
typedef struct eng_import eng_import;

typedef struct eng_import_counts {
    long added, updated, unchanged, rejected, skipped_headers;
    long versions;  /* records merged into a stored project as a new version */
    long conflicts; /* fields in conflict after those merges */
} eng_import_counts;

int eng_import_begin(eng_store *st, const char *file, const char *file_sha256, const char *source,
                     eng_import **out, long *already, eng_err *err);
int eng_import_add(eng_import *imp, const eng_record *r, eng_err *err);
void eng_import_set_policy(eng_import *imp, int strict, int replace);
void eng_import_reject(eng_import *imp);
void eng_import_skipped_header(eng_import *imp);
/* The counts so far, borrowed from imp (valid until it is committed or
 * rolled back). */
const eng_import_counts *eng_import_get_counts(const eng_import *imp);
/* The id of the import's history row (what `stats` lists). */
long eng_import_id(const eng_import *imp);
int eng_import_commit(eng_import *imp, eng_err *err);
void eng_import_abort(eng_import *imp);

/* ---- reading records ------------------------------------------------ */

/* Loads one record by id (with provenance).  Returns ENG_OK, or ENG_EINPUT
 * "no project 'x' in the store" when there is none. */
int eng_store_get_record(eng_store *st, const char *id, eng_record *out, eng_err *err);

/* The versions of one project (rows sharing its id, eng_version.h), oldest
 * first; none for a project of one version.  OUT: *out (malloc'd array;
 * free with eng_versions_free), *n. */
typedef struct eng_version_row {
    long seq, import_id, line;
    char *file;        /* provenance of the version, or NULL */
    char *record_json; /* the version as read */
} eng_version_row;
int eng_store_versions(eng_store *st, const char *id, eng_version_row **out, size_t *n,
                       eng_err *err);
void eng_versions_free(eng_version_row *v, size_t n);

/* Loads every stored record whose kind is in `kinds` (a NULL-terminated
 * list; NULL: every kind), ordered by id.  OUT: *out (malloc'd array of
 * records, free with eng_records_free), *n. */
int eng_store_load_records(eng_store *st, const char *const *kinds, eng_record **out, size_t *n,
                           eng_err *err);
/* Every stored record, ordered by id, with its content hash as the store
 * holds it (projects.content_hash: the SHA-256 of the canonical JSON stored,
 * which is what eng_record_hash gives for the loaded record), so a run need
 * not serialise each record again.  OUT: *out (as above), *hashes (malloc'd,
 * n entries, free()), *n. */
int eng_store_load_records_hashed(eng_store *st, eng_record **out, char (**hashes)[65], size_t *n,
                                  eng_err *err);
void eng_records_free(eng_record *v, size_t n);

/* Counts for `stats`: records by kind and source, and the import history.
 * Returns a malloc'd JSON text ({"records": [...], "imports": [...]}). */
int eng_store_stats_json(eng_store *st, char **out, eng_err *err);

/* Full-text search: the records whose title or abstract holds every word
 * of query (words split at spaces, in any order).  Chinese words of any
 * length match anywhere (no segmentation needed); a word beginning or
 * ending with an ASCII letter or digit matches only as a whole word there
 * ("AI" is not in "MOSAIC"); ASCII letters in any case.  Words of three
 * characters or more are looked up in the FTS5 trigram index; the others
 * (which a trigram cannot hold) are checked in the records it returns, or
 * in every record when the query has no longer word.
 * OUT: *ids (malloc'd array of at most limit malloc'd ids, best first:
 * by FTS5 rank, else by id), *n, and *total (may be NULL): how many records
 * match in all. */
int eng_store_search(eng_store *st, const char *query, size_t limit, char ***ids, size_t *n,
                     size_t *total, eng_err *err);

/* ---- signature cache --------------------------------------------------- */

/* Stores blobs; call between eng_store_begin/commit for speed. */
int eng_store_sig_put(eng_store *st, const char *text_hash, const char *params, const void *data,
                      size_t len, eng_err *err);
/* Every cached blob of one parameters key, sorted by text hash (one query
 * instead of one a record).  OUT: *out (malloc'd; free with eng_sigs_free),
 * *n. */
typedef struct eng_sig {
    char hash[65];
    void *data;
    size_t len;
} eng_sig;
int eng_store_sig_all(eng_store *st, const char *params, eng_sig **out, size_t *n, eng_err *err);
void eng_sigs_free(eng_sig *v, size_t n);
int eng_store_begin(eng_store *st, eng_err *err);
int eng_store_commit(eng_store *st, eng_err *err);
void eng_store_rollback(eng_store *st);

/* ---- writing a run ------------------------------------------------------ */

/* A run is written in one transaction: begin, add its rows, commit.  A
 * failure or abort leaves no trace of it.  info->id and ->created are set by
 * begin. */
typedef struct eng_runw eng_runw;

int eng_runw_begin(eng_store *st, eng_run_info *info, eng_runw **out, eng_err *err);
int eng_runw_score(eng_runw *w, const eng_score *s, eng_err *err);
int eng_runw_hit(eng_runw *w, const eng_hit *h, eng_err *err);
int eng_runw_verdict(eng_runw *w, const eng_ind_verdict *v, eng_err *err);
int eng_runw_pair(eng_runw *w, const eng_pair *p, eng_err *err);
/* Commits, storing the final counts and timings of info. */
int eng_runw_commit(eng_runw *w, const eng_run_info *info, eng_err *err);
void eng_runw_abort(eng_runw *w);

/* ---- reading a run ------------------------------------------------------ */

/* The run with id `run` (0: the latest).  Returns ENG_EINPUT "no run N"
 * (or "no run yet: run `vernier score` first") when there is none. */
int eng_store_run(eng_store *st, long run, eng_run_info *out, eng_err *err);
/* Every run, newest first. OUT: *out (malloc'd), *n.  Returns ENG_OK, or ENG_EIO
 * (nothing returned) when reading fails or memory runs out. */
int eng_store_runs(eng_store *st, eng_run_info **out, size_t *n, eng_err *err);

/* Rows of a run, ordered by project id (and then by rule order / offset);
 * `project` restricts to one project (NULL: all).  Each OUT array is
 * malloc'd; free every element with its *_release and then the array. */
int eng_store_scores(eng_store *st, long run, const char *project, eng_score **out, size_t *n,
                     eng_err *err);
int eng_store_hits(eng_store *st, long run, const char *project, eng_hit **out, size_t *n,
                   eng_err *err);
int eng_store_verdicts(eng_store *st, long run, const char *project, eng_ind_verdict **out,
                       size_t *n, eng_err *err);
/* Pairs in which `project` is a or b (NULL: all), by Jaccard descending. */
int eng_store_pairs(eng_store *st, long run, const char *project, eng_pair **out, size_t *n,
                    eng_err *err);

/* ---- decisions ------------------------------------------------------------ */

int eng_store_add_decisions(eng_store *st, const eng_decision *d, size_t n, eng_err *err);
/* The latest decision per project of a run: decided on this run, or on an
 * earlier run that scored the same record (same content hash) — a new run
 * over unchanged records keeps the reviewers' decisions; a changed record
 * needs a new one.  run_id in each row is the run it was decided on. */
int eng_store_decisions(eng_store *st, long run, const char *project, eng_decision **out, size_t *n,
                        eng_err *err);
/* The decisions not carried to run `run` because the record changed: per
 * project of the run (`project`: only that one) with no decision of its
 * own, the latest decision taken on an earlier run, when it was not a
 * withdrawal and that run scored another content hash.  Same OUT and
 * ownership as eng_store_decisions(); run_id is the run it was decided on. */
int eng_store_decisions_not_carried(eng_store *st, long run, const char *project,
                                    eng_decision **out, size_t *n, eng_err *err);

#endif
