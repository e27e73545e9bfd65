/*
 * eng_dupstage: the duplicate stage of a run.
 *
 * Finds exact duplicates (same normalised title and abstract) and near
 * duplicates and partial copies (eng_dup: MinHash + LSH, every candidate
 * verified exactly), attaches the shared passage and the signals (same PI,
 * same organisation, overlapping periods, identical indicator values) to
 * every pair, and measures each record's similarity to its nearest earlier
 * neighbour for novelty.  Signatures are cached in the store by text hash
 * and parameters, so a second run does not recompute them.  The
 * configuration and result types are in eng_dup.h.
 */
#ifndef ENG_DUPSTAGE_H
#define ENG_DUPSTAGE_H

#include <stddef.h>

#include "engine/eng_dup.h"
#include "engine/eng_err.h"
#include "engine/eng_record.h"
#include "engine/eng_store.h"
#include "rules/rule.h"

/* Reads duplicates.* from the rule set's header, with defaults. */
void eng_dup_config_from_set(const rule_set *set, eng_dup_config *c);

void eng_dup_result_release(eng_dup_result *r);

int eng_dupstage_run(eng_store *st, const eng_record *recs, size_t n, const eng_dup_config *c,
                     eng_dup_result *out, eng_err *err);

/* Screening: each proposal against every stored record, nothing stored
 * (the signature cache excepted).  For proposal i, out[i] lists up to top_k
 * stored records with max(Jaccard, containment) at or above the floor (0.3),
 * best first, each with the shared passage and the signals. */
int eng_screen(eng_store *st, const eng_record *stored, size_t nstored, const eng_record *props,
               size_t nprops, const eng_dup_config *c, size_t top_k, eng_screen_result *out,
               eng_err *err);
void eng_screen_release(eng_screen_result *r, size_t n);

#endif
