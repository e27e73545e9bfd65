/*
 * eng_run: a run — every stored project evaluated against one rule set.
 *
 * A run loads the records (projects and proposals are scored; prior-art
 * records only serve as earlier neighbours for novelty and duplicates),
 * evaluates the rule set on each (in parallel, `jobs` threads, with results
 * identical for any number of threads), turns hits into scores (DESIGN.md
 * "Scoring"), finds exact and near duplicates, and stores everything in one
 * transaction.  The same records and the same rule set give the same rows,
 * byte for byte, apart from the run's id, date and timings.
 *
 * The scoring method itself (levels, readings, flags, overall) lives in
 * eng_method.h; the run only drives it.
 */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_method.h"
#include "engine/eng_record.h"
#include "engine/eng_registry.h"
#include "engine/eng_store.h"
#include "engine/eng_types.h"
#include "rules/rule.h"

#define ENG_VERSION "0.1.0"

typedef struct eng_run_opts {
    const char *name;  /* a label for the run, NULL for none */
    int jobs;          /* threads; <= 0: all cores */
    int no_duplicates; /* skip the duplicate stage */
    /* Called now and then with the stage ("rules", "duplicates", "store") and
     * how far it is (done of total); from one thread at a time, maybe not the
     * caller's.  NULL for none.  It must not call back into the run. */
    void (*progress)(void *arg, const char *stage, size_t done, size_t total);
    void *progress_arg;
} eng_run_opts;

/* Makes a run over the store with the rule set.  OUT: *run_id.  On failure
 * nothing of the run is stored. */
int eng_run(eng_store *st, const rule_set *set, const eng_run_opts *opts, long *run_id,
            eng_err *err);

/* The result of scoring one record alone (used by `rules test` and
 * `screen`): the score, its hits and indicator verdicts.  Strings owned by the
 * result; release with eng_eval_release. */
typedef struct eng_eval {
    eng_score score;
    eng_hit *hits;
    size_t nhits;
    eng_ind_verdict *verdicts;
    size_t nverdicts;
    double novelty_points; /* sum of the novelty rules' points */
    eng_flags flags;       /* typed; score.flags holds their stored JSON form */
    eng_reg_check *checks; /* the registry checks of its references (eng_registry.h) */
    size_t nchecks;
} eng_eval;

/* Scores one record with the rule set (no duplicates, no novelty from
 * neighbours: novelty comes from the rules alone on the base). */
int eng_eval_record(const rule_set *set, const eng_record *r, eng_eval *out, eng_err *err);
void eng_eval_release(eng_eval *e);

/* Whether the evaluated record carries the flag with this id. */
int eng_eval_has_flag(const eng_eval *e, const rule_set *set, const char *id);

#endif
