/*
 * eng_reuse: reading back an earlier run's rule results, so that the next
 * run does not evaluate an unchanged record again (the next year is cheap).
 *
 * A run records a cache key (runs.cache_key: the tool version, the rule
 * set's hash and the registry versions it checked against; eng_run.c makes
 * it).  A later run with the same key opens the latest such run and walks
 * its results in project id order, beside its own records in the same
 * order: a record whose id and content hash are those of a stored score
 * that had no rule errors gets that score's rule part (TRL readings,
 * traceability, flags, novelty points), its hits, indicator verdicts and
 * registry checks, exactly as they were stored.  What depends on the other
 * records (novelty, duplicate flags and pairs) is not taken: the run works
 * it out again.
 *
 * Ownership: the cursor belongs to the caller (eng_reuse_close); what
 * eng_reuse_get fills belongs to the caller too (eng_score_release,
 * eng_hits_free, eng_verdicts_free, eng_reg_checks_free).
 */
#ifndef ENG_REUSE_H
#define ENG_REUSE_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_registry.h"
#include "engine/eng_store.h"
#include "engine/eng_types.h"

typedef struct eng_reuse eng_reuse;

/* Opens the latest run recorded under cache_key.  OUT: *out (NULL when no
 * run has that key), *run_id (0 when none).  Returns ENG_OK or ENG_EIO. */
int eng_reuse_open(eng_store *st, const char *cache_key, eng_reuse **out, long *run_id,
                   eng_err *err);

/* The stored rule results of project `id` when its content hash is
 * `content_hash`.  Call with ids in ascending (strcmp) order.  OUT: *found
 * (1 when reused, and then s: the score's rule part, flags as stored, its
 * project_id and content_hash; *hits, *verdicts, *checks and their
 * counts).  Returns ENG_OK or ENG_EIO (nothing filled). */
int eng_reuse_get(eng_reuse *r, const char *id, const char *content_hash, int *found, eng_score *s,
                  eng_hit **hits, size_t *nhits, eng_ind_verdict **verdicts, size_t *nverdicts,
                  eng_reg_check **checks, size_t *nchecks, eng_err *err);

void eng_reuse_close(eng_reuse *r);

/* Cached shingle sets read one at a time by text hash (instead of every
 * blob of the parameters at once: a million records' blobs are gigabytes). */
typedef struct eng_sig_reader eng_sig_reader;
/* OUT: *out.  Returns ENG_OK or ENG_EIO. */
int eng_sig_reader_open(eng_store *st, const char *params, eng_sig_reader **out, eng_err *err);
/* The blob cached for text_hash.  OUT: *data (borrowed until the next call
 * or close; NULL when none), *len.  Returns ENG_OK or ENG_EIO. */
int eng_sig_read(eng_sig_reader *r, const char *text_hash, const void **data, size_t *len,
                 eng_err *err);
void eng_sig_reader_close(eng_sig_reader *r);

/* The duplicate stage's state after its last search under `params` (a
 * blob only eng_dupstage.c reads).  OUT: *data (malloc'd; NULL when there
 * is none), *len.  Returns ENG_OK or ENG_EIO. */
int eng_store_dup_state_get(eng_store *st, const char *params, void **data, size_t *len,
                            eng_err *err);
/* Replaces it, in a transaction of its own (a cache: it describes the
 * records searched, whatever becomes of the run).  Returns ENG_OK or ENG_EIO. */
int eng_store_dup_state_put(eng_store *st, const char *params, const void *data, size_t len,
                            eng_err *err);

#endif
