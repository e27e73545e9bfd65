/*
 * eng_case: the engine's scorer for a rule set's test cases.
 *
 * rule_case_run (rules/rule.h) compares a case's expectations with what a
 * scorer reports; this is the scorer vernier uses: the case's record is
 * read as an imported record is (eng_record_from_json) and scored alone
 * (eng_eval_record), then its hits, flags (typed, eng_method) and verdicts
 * are handed back as lists of ids.
 *
 * Ownership: an eng_case_scorer is embedded by the caller
 * (eng_case_scorer_init / eng_case_scorer_release); it owns the last case's
 * record and result, which stay readable (for showing them) until the next
 * call or the release.
 */
#ifndef ENG_CASE_H
#define ENG_CASE_H

#include "engine/eng_method.h"
#include "engine/eng_record.h"
#include "engine/eng_run.h"
#include "rules/rule.h"

typedef struct eng_case_scorer {
    eng_record rec;
    eng_eval eval;    /* the last case's result: zero when its record was bad */
    const char **ids; /* hit ids, then flag ids, then verdicts */
    size_t cap;
} eng_case_scorer;

void eng_case_scorer_init(eng_case_scorer *s);
void eng_case_scorer_release(eng_case_scorer *s);

/* A rule_case_scorer; arg is an eng_case_scorer.  A record that cannot be
 * read fails with "record: WHY". */
int eng_case_score(void *arg, const rule_set *set, const char *record_json, size_t len,
                   rule_case_score *out, base_err *err);

#endif
