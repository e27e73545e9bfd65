/*
 * eng_calib: calibrating a rule set's TRL readings against reference
 * ratings, as an instrument is calibrated (`vernier calibrate`, issue 10).
 *
 * References are records with a reference level: the level reached (a
 * panel's rating, TechPort's current TRL), compared with the achieved
 * reading, and where present the level aimed at (TechPort's end TRL),
 * compared with the planned reading.  Only the rules' evidence counts: the
 * readings are the method's own (eng_calib_read): the rules' evidence and
 * the record's fields the method reads (a planned reading falls back to
 * trl_target).  A record whose own fields are the labels reads the labels
 * themselves: give such records blind (eng_calib_leaks counts them).
 *
 * The rules are evaluated once per record (eng_calib_cases); the fit then
 * works on the cached evidence E_r(L) alone (eng_calib_fit), so trying a
 * parameter value costs no matching.  The parameters fitted are those of
 * eng_method_trl_params (eng_method.h), searched over their grid one after
 * the other (two sweeps); the loss is the mean absolute error of each
 * reading with "no reading" counted as the training median (so a parameter
 * cannot win by reading less), summed over the readings that have labels;
 * a tie keeps the value nearest the set's own.
 *
 * The figures are out-of-sample: k-fold cross-validation with folds drawn
 * from the seed (the cases are shuffled by a fixed generator, then dealt
 * round-robin), each fold read with the parameters fitted on the others.
 * Beside each reading, in the same folds: the constant median of the
 * training labels (on the records read, and on all), and a bootstrap
 * interval (95%, percentile) of both mean absolute errors over the records
 * read.  With fit off the set's parameters are kept and only measured.
 */
#ifndef ENG_CALIB_H
#define ENG_CALIB_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_method.h"
#include "engine/eng_record.h"
#include "rules/rule.h"

#define ENG_CALIB_MAXP 16

/* One reference: the rules' evidence for each reading, the record's own
 * fields the method reads beside it, and the labels. */
typedef struct eng_calib_case {
    double ev[3][10];                            /* E_r(L), [RULE_READ_*][L] */
    int trl_target, trl_claimed, has_acceptance; /* the record's (eng_record) */
    int label;                                   /* reference level reached, 1-9; 0: none */
    int label_end;                               /* reference level aimed at, 1-9; 0: none */
} eng_calib_case;

/* The achieved and planned readings of a case as the method gives them
 * (eng_method_score on the cached evidence and the record's fields: every
 * step of the method, an inference included, is applied).  OUT: *achieved,
 * *planned (0: no reading). */
void eng_calib_read(const eng_method *m, const eng_calib_case *c, int *achieved, int *planned);

/* Evaluates set on each record (records[i] gets labels[i], ends[i]; ends
 * may be NULL).  OUT: *cases, n of them, malloc'd (caller frees).  Returns
 * ENG_OK or an error with err set. */
int eng_calib_cases(const rule_set *set, const eng_record *records, const int *labels,
                    const int *ends, size_t n, eng_calib_case **cases, eng_err *err);

typedef struct eng_calib_opts {
    int folds;          /* k >= 2, at most the number of cases */
    unsigned long seed; /* draws the folds and the bootstrap resamples */
    int fit;            /* 0: keep the set's parameters, only measure them */
    int bootstrap;      /* resamples for the intervals (e.g. 2000); 0: none */
} eng_calib_opts;

/* The cross-validated figures of one reading. */
typedef struct eng_calib_reading {
    size_t n;                                                   /* records with this label */
    size_t read;                                                /* of them, with a reading */
    double coverage, mae, mae_low, mae_high, within1;           /* mae*: over the records read */
    double base_mae, base_mae_low, base_mae_high, base_within1; /* median, same records */
    double base_all_mae, base_all_within1;                      /* median, every labelled record */
    long confusion[9][10]; /* [label-1][reading], reading 0: none */
} eng_calib_reading;

typedef struct eng_calib_result {
    size_t nparams;
    const char *names[ENG_CALIB_MAXP]; /* static strings of eng_method_trl_params */
    double before[ENG_CALIB_MAXP];     /* the set's values */
    double value[ENG_CALIB_MAXP];      /* fitted on every case (fit), else the set's */
    eng_calib_reading achieved, planned;
    int folds, bootstrap, fit;
    unsigned long seed;
} eng_calib_result;

/* How many cases carry a label equal to the record's own field the
 * method reads for it (label = trl_claimed, label_end = trl_target): their
 * readings may be the labels themselves. */
size_t eng_calib_leaks(const eng_calib_case *cases, size_t n);

/* The folds: case i goes to fold[i] (0..k-1), from a shuffle of 0..n-1 by
 * the seed (OUT: order, n entries) dealt round-robin, so fold sizes differ
 * by at most one and the same n, k and seed give the same folds. */
void eng_calib_folds(size_t n, int k, unsigned long seed, size_t *order, int *fold);

/* Fits and measures m's TRL parameters on the n cases (in a stable order:
 * the folds depend on it and on the seed).  OUT: *out.  Returns ENG_OK, or
 * ENG_EINPUT when the folds do not fit the cases or no case has a label. */
int eng_calib_fit(const eng_method *m, const eng_calib_case *cases, size_t n,
                  const eng_calib_opts *opts, eng_calib_result *out, eng_err *err);

/* The calibration record (README "The calibration record") as JSON object
 * text, malloc'd (caller frees); NULL when memory ran out.  date is
 * YYYY-MM-DD; refs_file, refs_sha256 and refs_n name the references;
 * from is the set measured; method_sha256 is rule_set_method_sha256 of the
 * set the record goes into. */
char *eng_calib_record_json(const eng_calib_result *r, const char *date, const char *refs_file,
                            const char *refs_sha256, size_t refs_n, const rule_set *from,
                            const char *method_sha256);

/* One line of the calibration record as people read it: a label (static,
 * from eng_book_calib) and its value. */
typedef struct eng_calib_line {
    const char *label;
    char value[640];
} eng_calib_line;

#define ENG_CALIB_LINES 10

/* The calibration record of the set whose canonical text is `canonical`
 * (rule_set_canonical, or a run's stored rule-set text), in English (zh 0)
 * or Chinese: status, references, parameters, each reading beside its
 * baseline, and whether the record is current (the set's method hash is
 * the one measured).  A set with no record gives one line, "not
 * calibrated" and what that means.  OUT: lines (at least ENG_CALIB_LINES).
 * Returns the number of lines. */
size_t eng_calib_lines(const char *canonical, int zh, eng_calib_line *lines);

#endif
