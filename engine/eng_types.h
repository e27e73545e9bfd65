/*
 * eng_types: the rows a run produces and the store keeps, as plain values.
 *
 * These are what reports, `explain` and `export` read back: a run's header,
 * one score per project, every rule hit, every indicator verdict, every
 * duplicate pair, every reviewer decision.  Strings in a row handed to the
 * store are borrowed; strings in a row read from the store are owned by the
 * row and freed by the matching *_release.
 */
#ifndef ENG_TYPES_H
#define ENG_TYPES_H

#include <stddef.h>

typedef struct eng_run_info {
    long id;
    char *name;
    char *created; /* ISO 8601 UTC */
    char *ruleset_name, *ruleset_version, *ruleset_sha256;
    char *ruleset_text; /* canonical text of the whole set */
    char *params;       /* JSON: thresholds, schemes, jobs... */
    char *tool_version;
    char *timings; /* JSON */
    long nprojects, npairs, nhits;
    char *cache_key; /* what a later run may reuse this run's rule results under (eng_run.c) */
    char *reuse;     /* JSON: what this run reused from earlier runs, NULL when not recorded */
} eng_run_info;

void eng_run_info_release(eng_run_info *ri);

typedef struct eng_score {
    char *project_id;
    char *title, *kind, *source, *organisation, *pi, *field; /* read back only */
    /* read back only: what panels decide on beside the scores */
    char *start, *end, *acc_date, *acc_conclusion;
    char *data_quality; /* JSON array of the record's data-quality marks, or NULL */
    char *conflicts;    /* JSON array of its conflicting fields (versions), or NULL */
    char *content_hash;
    int trl_claimed; /* 0 when none */
    /* The three TRL readings (eng_method.h), each 1-9 with a confidence 0-1;
     * 0 is "no reading" (NULL in the store, null in exports), never a level. */
    int trl_evidenced;     /* achieved: what completed work shows */
    double trl_confidence; /* 0-1 */
    int trl_inferred;      /* 1: achieved was inferred from the plan (eng_method.h); set by a
                              run, not stored (its evidence row says so), 0 when read back */
    int trl_planned;       /* planned: the level the plan aims at */
    double trl_planned_confidence;
    int trl_stated; /* stated: a level written in a field or the text */
    double trl_stated_confidence;
    /* < 0 (NULL in the store, null in exports): not assessable, nothing to
     * read (eng_method_readable), or for novelty also not computed
     * (--no-duplicates); overall < 0 when no dimension is assessable. */
    double traceability; /* 0-100 */
    double novelty;      /* 0-100 */
    double overall;      /* 0-100 */
    char *flags;         /* JSON array of flag ids */
    char *duplicate_of;  /* id of the earliest near/exact duplicate, NULL when none */
    int rule_errors;
    double novelty_points; /* the novelty rules' points (novelty = f(neighbours) + these) */
    long reused_from;      /* the run whose rule results this score reused; 0: evaluated */
} eng_score;

void eng_score_release(eng_score *s);

typedef struct eng_hit {
    char *project_id;
    char *rule_id;
    char *dimension; /* trl, traceability, novelty, flag */
    char *field;     /* value name, e.g. "acceptance.summary"; "" for absent rules */
    int indicator;   /* index of the indicator, -1 for the record */
    long offset, len;
    char *match;   /* the matched text */
    char *context; /* the sentence around it */
    double points;
    int level;
    char *severity; /* flags */
    char *message;
    int error; /* nonzero: a PCRE2 limit was hit, no points */
} eng_hit;

void eng_hit_release(eng_hit *h);

typedef struct eng_ind_verdict {
    char *project_id;
    int idx;
    char *name, *target, *achieved, *unit;
    char *verdict; /* traceable, partly, untraceable */
    double points;
    char *reasons; /* "; "-joined rule messages */
} eng_ind_verdict;

void eng_ind_verdict_release(eng_ind_verdict *v);

typedef struct eng_pair {
    char *a, *b;
    char *a_title, *b_title; /* read back only */
    char *kind;   /* the relation: exact, near, partial, inside, continuation (eng_dupstage.h) */
    char *method; /* e.g. "exact-normalised", "minhash-lsh+verified" */
    double jaccard, containment;
    char *contained;             /* NULL, or the id of the project contained in the other */
    char *passage_a, *passage_b; /* the longest shared passage, verbatim in each */
    char *signals; /* JSON array: same-pi, same-organisation, overlapping-period, same-indicators */
    long group;    /* connected group, 1.. in the order of each group's earliest record */
    int ordered;   /* 1: a is the earlier record; 0: the order is unknown (a date missing or
                      the same) */
} eng_pair;

void eng_pair_release(eng_pair *p);

typedef struct eng_decision {
    long run_id;
    char *project_id, *decision, *comment, *reviewer, *decided_at, *workbook, *workbook_sha256,
        *imported_at;
} eng_decision;

void eng_decision_release(eng_decision *d);

/* Each element released, then the array freed (NULL is fine). */
void eng_scores_free(eng_score *v, size_t n);
void eng_hits_free(eng_hit *v, size_t n);
void eng_verdicts_free(eng_ind_verdict *v, size_t n);
void eng_pairs_free(eng_pair *v, size_t n);
void eng_decisions_free(eng_decision *v, size_t n);

#endif
