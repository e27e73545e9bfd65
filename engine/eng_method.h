/*
 * eng_method: the scoring method — how one record's rule hits become its
 * scores and flags.  The run (eng_run) only drives it: it evaluates the
 * rules, hands every hit to a tally, and asks the method for the result.
 *
 * The method (DESIGN.md "Scoring"), with the rule set's parameters:
 * - Three TRL readings, each from the TRL rules of its kind (a rule's
 *   "reading"): achieved (what completed work shows), planned (the level
 *   the plan aims at), stated (a level written out).  E_r(L) is the sum of
 *   the points of the distinct rules of reading r that hit at level L (a
 *   record-scope rule counts once per record, an indicator-scope rule once
 *   per indicator).  A reading is the highest level L whose E_r(L) reaches
 *   trl.threshold (for achieved with trl.support "required", a level above
 *   2 also needs evidence at L-1 or L-2); confidence = 0.5 min(1, E(L) /
 *   (2 threshold)) + 0.5 (share of the two levels below L, that exist, with
 *   any evidence of the same reading).  Fields count too: a stated reading
 *   is acceptance.trl_claimed when there is one, a planned reading falls
 *   back to trl_target; a field's confidence is 1.  No level: no reading
 *   (0 here, NULL in the store), never level 0.
 * - An inferred achieved reading: a record with no acceptance and no
 *   achieved evidence but a planned reading P (an ongoing project or a
 *   proposal that states only its plan) is read as achieved max(1, P -
 *   trl.inferred_gap) with confidence trl.inferred_confidence
 *   (s->trl_inferred set): a project that plans to demonstrate level P
 *   typically starts a couple of levels below it.  An inferred reading
 *   never raises TRL-OVERCLAIM, never supports a claim (a claimed record
 *   has an acceptance and is not inferred anyway), and is left out of the
 *   overall score and the metrology gap.
 * - claimed TRL: acceptance.trl_claimed, else trl_target.
 * - traceability: the sum of traceability points, clamped to 0..cap and
 *   scaled to 0..100; an indicator is "traceable", "partly" or
 *   "untraceable" by its own points against two thresholds.
 * - novelty: base (100) times (1 - similarity to the nearest earlier
 *   record), plus novelty points, clamped to 0..100.
 * - overall: the weighted mean of TRL (achieved/9 x 100), traceability and
 *   novelty with the set's weights; a part without a reading (no achieved
 *   TRL or only an inferred one, novelty unknown) is left out, not counted
 *   as 0.
 * - flags: every flag rule that hit; for a project with an acceptance that
 *   claims a level (a plan cannot over-claim): TRL-OVERCLAIM when an
 *   achieved reading with at least trl.overclaim_confidence lies
 *   trl.overclaim_margin levels or more below the claim, else
 *   TRL-CLAIM-UNSUPPORTED when there is no such achieved reading (the claim
 *   is not contradicted, only not shown); RULE-ERROR when a rule hit a
 *   PCRE2 limit; DUP-EXACT, DUP-NEAR, DUP-PARTIAL from the duplicate stage;
 *   METROLOGY-GAP from the registry checks (eng_registry.h).
 * - registry verdicts: each checked reference adds the points its verdict
 *   weighs (registry.weights) to traceability, and to its indicator's points
 *   (eng_tally_add), before clamping.
 *
 * Flags are typed (eng_flags); their stored and exported form is a JSON
 * array of ids, rule flags first in the order they first hit, then the
 * built-in flags in the order of eng_flag_bit.
 */
#ifndef ENG_METHOD_H
#define ENG_METHOD_H

#include <stddef.h>

#include "engine/eng_record.h"
#include "engine/eng_types.h"
#include "rules/rule.h"

/* The rule id of the evidence row of an achieved reading inferred from the
 * plan (no rule of the set has it): a reused or read-back score is known to
 * be inferred by this row. */
#define ENG_TRL_INFERRED_RULE "TRL-INFERRED-FROM-PLAN"

/* The method's parameters, read from a rule set (a plain value). */
typedef struct eng_method {
    double threshold; /* trl.threshold: evidence a level needs */
    double margin;    /* trl.overclaim_margin */
    double
        overclaim_conf;   /* trl.overclaim_confidence: an achieved reading needs it to contradict */
    int support_required; /* trl.support "required" */
    double inferred_gap;  /* trl.inferred_gap: levels a plan's target lies above the start */
    double inferred_conf; /* trl.inferred_confidence: an inferred achieved reading's confidence */
    double cap;           /* traceability.cap */
    double ind_traceable, ind_partly; /* traceability.indicator_traceable / _partly */
    double novelty_base;              /* novelty.base */
    double w_trl, w_trace, w_nov;     /* weights.* */
} eng_method;

/* Reads the parameters of set, with the defaults for those it lacks. */
void eng_method_init(eng_method *m, const rule_set *set);

/* The numeric parameters of the TRL readings, the ones `vernier calibrate`
 * fits (eng_calib.h): header path, the range searched and its step.  A
 * parameter added to the method and to this table is fitted with the
 * others; the table ends with a NULL name. */
typedef struct eng_method_param {
    const char *name; /* header path, "trl.threshold" */
    double lo, hi, step;
} eng_method_param;

extern const eng_method_param eng_method_trl_params[];

/* The value of a parameter of the table in m; 0 for an unknown name. */
double eng_method_get(const eng_method *m, const char *name);
/* Sets a parameter of the table in m; -1 for an unknown name. */
int eng_method_set(eng_method *m, const char *name, double value);

/* The built-in flags. */
typedef enum eng_flag_bit {
    ENG_FLAG_TRL_OVERCLAIM = 1u << 0,
    ENG_FLAG_RULE_ERROR = 1u << 1,
    ENG_FLAG_DUP_EXACT = 1u << 2,
    ENG_FLAG_DUP_NEAR = 1u << 3,
    ENG_FLAG_DUP_PARTIAL = 1u << 4,
    ENG_FLAG_DUP_INSIDE = 1u << 5,    /* a short text inside a long one (not a continuation) */
    ENG_FLAG_METROLOGY_GAP = 1u << 6, /* TRL in the gap band, no indicator verified by a registry */
    ENG_FLAG_TRL_CLAIM_UNSUPPORTED = 1u << 7,
} eng_flag_bit;

#define ENG_FLAG_NBUILTIN 8

/* The id of one built-in flag ("TRL-OVERCLAIM"...), a static string; NULL
 * for anything else. */
const char *eng_flag_name(unsigned bit);

/* A record's flags: the built-in ones as bits, the flag rules that hit as
 * rule indices (distinct, in the order they first hit).  Zero-initialise;
 * release with eng_flags_release. */
typedef struct eng_flags {
    unsigned bits;
    size_t *rules;
    size_t nrules, cap;
} eng_flags;

/* Adds flag rule `rule`; -1 when memory ran out (flags unchanged). */
int eng_flags_add_rule(eng_flags *f, size_t rule);
/* Whether the flag with this id (a built-in name or a flag rule's id) is set. */
int eng_flags_has(const eng_flags *f, const rule_set *set, const char *id);
/* The stored form: a JSON array of ids, an id once.  Caller frees; NULL when
 * memory ran out. */
char *eng_flags_json(const eng_flags *f, const rule_set *set);
void eng_flags_release(eng_flags *f);

/* One record's hits, tallied as the method counts them.  Init, feed every
 * hit with eng_tally_hit, then eng_method_score; release always. */
typedef struct eng_tally {
    double level_ev[3][10]; /* E_r(L): [RULE_READ_*][L], L = 1..9 */
    double trace;           /* traceability points */
    double novelty_pts;     /* novelty points */
    double *ind_points;     /* traceability points per indicator */
    size_t nindicators;
    size_t nrules;
    unsigned char *seen;      /* record-scope rules already counted */
    unsigned char *seen_item; /* [rule * nindicators + indicator] */
    int errors;               /* hits that hit a PCRE2 limit */
    eng_flags flags;
} eng_tally;

/* -1 when memory ran out (t released). */
int eng_tally_init(eng_tally *t, const rule_set *set, size_t nindicators);
/* Counts one hit of rule `rule` on the record (item -1) or on indicator
 * `item`; `error` is the hit's PCRE2-limit mark.  OUT: *points, the points
 * the hit earned (0 when its rule already counted there, for a flag, for an
 * error).  -1 when memory ran out. */
int eng_tally_hit(eng_tally *t, const rule_set *set, size_t rule, int item, int error,
                  double *points);
/* Adds points earned outside the rules (a registry verdict) to traceability,
 * and to indicator `item`'s points when item >= 0. */
void eng_tally_add(eng_tally *t, int item, double points);
void eng_tally_release(eng_tally *t);

/* The record's rule-based scores from its tally: fills s->trl_claimed, the
 * three readings and their confidences, traceability (0..100, not yet
 * rounded) and rule_errors, and sets TRL-OVERCLAIM, TRL-CLAIM-UNSUPPORTED
 * and RULE-ERROR in t->flags. */
void eng_method_score(const eng_method *m, eng_tally *t, const eng_record *r, eng_score *s);

/* An indicator's verdict from its traceability points (a static string). */
const char *eng_method_indicator_verdict(const eng_method *m, double points);

/* Whether a record has anything for traceability and novelty to read: a
 * body text (abstract, acceptance summary or outcomes, not blank) or an
 * indicator.  A record without (a title alone, like the NSFC listing) gets
 * traceability, novelty -1: "not assessable". */
int eng_method_readable(const eng_record *r);

/* Novelty and overall once the similarity to the nearest earlier record is
 * known (sim < 0: unknown, novelty stays unknown, -1; traceability < 0, not
 * assessable: novelty -1 too); rounds traceability.  Overall is the weighted
 * mean of the assessable dimensions (TRL achieved with a reading,
 * traceability and novelty >= 0), -1 when none is. */
void eng_method_finish(const eng_method *m, eng_score *s, double sim, double novelty_pts);

#endif
