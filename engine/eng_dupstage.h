/*
 * eng_dupstage: the duplicate stage of a run.
 *
 * Finds exact duplicates (same normalised title and abstract) and near
 * duplicates and partial copies (eng_dup: MinHash + LSH, every candidate
 * verified exactly), attaches the shared passage and the signals (same PI,
 * same organisation, overlapping periods, identical indicator values) to
 * every pair, and measures each record's similarity to its nearest earlier
 * neighbour for novelty.  Signatures are cached in the store by text hash
 * and parameters, so a second run does not recompute them.
 */
#ifndef ENG_DUPSTAGE_H
#define ENG_DUPSTAGE_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_record.h"
#include "engine/eng_store.h"
#include "engine/eng_types.h"
#include "rules/rule.h"

typedef struct eng_dup_config {
    double jaccard;     /* a near-duplicate pair at or above this Jaccard */
    double containment; /* a partial copy at or above this containment */
    int shingle_cjk, shingle_latin, num_perm;
    int jobs;
    int skip_near;        /* exact duplicates only */
    const char *stop[64]; /* stop phrases, borrowed from the rule set */
    size_t nstop;
} eng_dup_config;

/* Reads duplicates.* from the rule set's header, with defaults. */
void eng_dup_config_from_set(const rule_set *set, eng_dup_config *c);

typedef struct eng_dup_result {
    eng_pair *pairs; /* sorted by (a, b) ids */
    size_t npairs;
    double *nearest_sim;  /* n; similarity to the nearest earlier record, NULL when not computed */
    size_t *duplicate_of; /* n; index of the earliest duplicate, SIZE_MAX for none */
    unsigned char *flags; /* n; bit 0 exact, bit 1 near, bit 2 partial */
} eng_dup_result;

void eng_dup_result_release(eng_dup_result *r);

int eng_dupstage_run(eng_store *st, const eng_record *recs, size_t n, const eng_dup_config *c,
                     eng_dup_result *out, eng_err *err);

/* Screening: each proposal against every stored record, nothing stored
 * (the signature cache excepted).  For proposal i, out[i] lists up to top_k
 * stored records with max(Jaccard, containment) at or above the floor (0.3),
 * best first, each with the shared passage and the signals. */
typedef struct eng_screen_match {
    size_t stored;    /* index into the stored records */
    const char *kind; /* "exact", "near", "partial" or "similar" (static) */
    double jaccard, containment;
    char *contained; /* id of the record inside the other, NULL when none */
    char *passage_stored, *passage_proposal;
    char *signals; /* JSON array */
} eng_screen_match;

typedef struct eng_screen_result {
    eng_screen_match *matches;
    size_t n;
} eng_screen_result;

int eng_screen(eng_store *st, const eng_record *stored, size_t nstored, const eng_record *props,
               size_t nprops, const eng_dup_config *c, size_t top_k, eng_screen_result *out,
               eng_err *err);
void eng_screen_release(eng_screen_result *r, size_t n);

#endif
