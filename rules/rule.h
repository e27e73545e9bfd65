/*
 * rule: the rule language, a leaf library.
 *
 * A rule set is the agency's stated method: a header (name, version,
 * weights, thresholds) and a list of rules, each a PCRE2 pattern over named
 * text fields with an effect (a TRL level, points, a flag severity) and a
 * `why` naming its source.  This library loads a rule set from a JSON file or
 * a folder of JSON files, checks it (every problem at once, with
 * file:line:col), compiles every pattern once, and evaluates it against a
 * "subject": a flat list of named string values handed in by the caller,
 * with optional sub-subjects ("items", the indicators of a project).
 *
 * It knows nothing of vernier's record, store or scores: the engine decides
 * which names it hands in and what the hits mean.  It includes nothing of
 * ours, prints nothing and never exits.
 *
 * Ownership: every rule_* object is created by rule_*_new/load and freed by
 * the matching *_free, which accepts NULL.  Strings returned by accessors are
 * borrowed from the set and live as long as it does.  A rule_set is immutable
 * after loading and may be shared by threads, each with its own
 * rule_scratch.
 *
 * The format is documented in README.md ("The rule-set format").
 */
#ifndef RULE_H
#define RULE_H

#include <stddef.h>

#include "base/base_err.h"

typedef struct rule_set rule_set;
typedef struct rule_scratch rule_scratch;

/* Diagnostics: `rules check` prints every one; loading fails when any has
 * severity RULE_ERROR. */
enum { RULE_WARNING = 1, RULE_ERROR = 2 };

typedef struct rule_diag {
    int severity;      /* RULE_WARNING or RULE_ERROR */
    char file[512];    /* the JSON file, "" when not tied to one */
    int line, col;     /* 1-based; 0 when unknown */
    char rule_id[128]; /* "" when not about one rule */
    char msg[512];     /* what is wrong, lower case */
    char hint[256];    /* how to fix it, "" when none */
} rule_diag;

typedef struct rule_diags {
    rule_diag *v;
    size_t n, cap;
} rule_diags;

void rule_diags_free(rule_diags *d); /* frees the array, keeps d itself */

/* Dimensions of a rule. */
enum {
    RULE_DIM_TRL = 1,
    RULE_DIM_TRACEABILITY,
    RULE_DIM_NOVELTY,
    RULE_DIM_FLAG,
    RULE_DIM_REFERENCE /* its matches name an entry of a registry (rule_registry) */
};
/* The TRL reading a trl rule gives evidence for ("reading" in the rule;
 * "achieved" when absent): what completed work shows, the level the plan
 * aims at, or a level written out. */
enum { RULE_READ_ACHIEVED = 0, RULE_READ_PLANNED, RULE_READ_STATED };
/* Scope of a rule: the whole subject, or each item (indicator) on its own. */
enum { RULE_SCOPE_RECORD = 0, RULE_SCOPE_ITEM = 1 };
/* Severities of flags (and of other rules that carry one). */
enum { RULE_SEV_NONE = 0, RULE_SEV_INFO, RULE_SEV_WARN, RULE_SEV_ERROR };

/*
 * Loads the rule set at PATH: a .json file, or a folder whose set.json is the
 * header and whose other *.json files (sorted by name, not descending into
 * sub-folders except tests/) hold {"rules": [...]} and {"cases": [...]}.
 * Every problem found goes into diags (which may be NULL); warnings do not
 * stop loading.  Returns the set, or NULL when there is any error (then
 * nothing is half-loaded: no set is returned at all).
 *
 * With check_patterns_speed nonzero, every pattern is also run against
 * built-in torture subjects and a RULE_WARNING names the slow ones.
 */
rule_set *rule_set_load(const char *path, int check_patterns_speed, rule_diags *diags);
void rule_set_free(rule_set *set);

/* Enables (on != 0) or disables the rules tagged with `scheme`; by default
 * the schemes listed in the header's "schemes" are on.  Returns 0, or -1 when
 * no rule carries that scheme.  Not thread-safe: call before evaluating. */
int rule_set_scheme(rule_set *set, const char *scheme, int on);

/* Every string the accessors below return is borrowed from the set: it
 * lives until rule_set_free, and the caller never frees it.  Names of
 * dimensions and severities are static strings. */

/* Header. */
const char *rule_set_name(const rule_set *set);
const char *rule_set_version(const rule_set *set);
const char *rule_set_description(const rule_set *set);
/* SHA-256 (64 lowercase hex) of the canonical form: every file's JSON with
 * keys sorted, no insignificant white space, numbers normalised, files in
 * load order; the canonical text itself (what a run stores). */
const char *rule_set_sha256(const rule_set *set);
const char *rule_set_canonical(const rule_set *set);
/* SHA-256 of the same canonical form less the header's "version" and
 * "calibration": the method itself (rules, cases and parameters).  A
 * calibration record names the method it measured by this hash, so that a
 * set edited after its calibration can be told from the one measured. */
const char *rule_set_method_sha256(const rule_set *set);

/* The method hash computed from a set's canonical text (rule_set_canonical,
 * as a run stores it; its first line is the header).  OUT: out.  Returns 0,
 * or -1 when the text is not a canonical form or memory ran out. */
int rule_canonical_method_sha256(const char *canonical, char out[65]);

/* A header parameter to write: dotted path ("trl.threshold") and value. */
typedef struct rule_param {
    const char *path;
    double value;
} rule_param;

/* The method hash (rule_set_method_sha256) the set would have with the
 * nparams header parameters set.  OUT: out.  Returns BASE_OK, or an error
 * with err set. */
int rule_set_method_sha256_with(const rule_set *set, const rule_param *params, size_t nparams,
                                char out[65], base_err *err);

/*
 * Writes a copy of set, loaded from src (a folder or one .json file), into
 * the new folder outdir: every file of the set byte for byte, except the
 * header (set.json; a one-file set becomes outdir/set.json), written again
 * as indented JSON with the nparams parameters set, "version" replaced by
 * version (NULL: kept) and "calibration" replaced by the JSON object text
 * calibration (NULL: removed).  outdir must not exist, so no set is ever
 * overwritten; the folder is written under a temporary name beside it and
 * renamed, so it appears whole or not at all.  Returns BASE_OK, or an error
 * code with err set.
 */
int rule_set_write(const rule_set *set, const char *src, const char *outdir,
                   const rule_param *params, size_t nparams, const char *version,
                   const char *calibration, base_err *err);

/* Numeric parameter from the header by dotted path, e.g. "weights.trl",
 * "trl.threshold", "trl.overclaim_margin", "duplicates.jaccard"; a number
 * in the path indexes a list ("calibration.achieved.confusion.3.0").  Returns
 * the number, or `fallback` when the path is missing or not a number. */
double rule_set_param(const rule_set *set, const char *path, double fallback);
/* String parameter likewise ("trl.support" = "confidence" or "required");
 * NULL when missing. */
const char *rule_set_param_str(const rule_set *set, const char *path);
/* A list of strings from the header ("duplicates.stop_phrases"): count and
 * i-th item; 0 / NULL when missing. */
size_t rule_set_param_list_len(const rule_set *set, const char *path);
const char *rule_set_param_list_item(const rule_set *set, const char *path, size_t i);

/* Rules, indexed 0..rule_count-1 in load order. */
size_t rule_count(const rule_set *set);
const char *rule_id(const rule_set *set, size_t i);
int rule_dimension(const rule_set *set, size_t i); /* RULE_DIM_* */
const char *rule_dimension_name(int dim);          /* "trl", "traceability", ... */
int rule_level(const rule_set *set, size_t i);     /* TRL 1-9, 0 when none */
int rule_reading(const rule_set *set, size_t i);   /* RULE_READ_*, for trl rules */
const char *rule_reading_name(int reading);        /* "achieved", "planned", "stated" */
double rule_points(const rule_set *set, size_t i); /* may be negative (red flags) */
int rule_severity(const rule_set *set, size_t i);  /* RULE_SEV_* */
const char *rule_severity_name(int sev);           /* "", "info", "warn", "error" */
const char *rule_why(const rule_set *set, size_t i);
const char *rule_message(const rule_set *set, size_t i); /* "" when none */
const char *rule_pattern(const rule_set *set, size_t i);
const char *rule_scheme(const rule_set *set, size_t i); /* "" when untagged */
int rule_enabled(const rule_set *set, size_t i);        /* its scheme is on */
/* A reference rule's "registry": what its matches name ("lab", "institute",
 * "uncertainty", "crm", "standard"); "" for other rules. */
const char *rule_registry(const rule_set *set, size_t i);
/* Source position of the rule's object, for messages. */
const char *rule_file(const rule_set *set, size_t i);
int rule_line(const rule_set *set, size_t i);

/* Test cases shipped with the set ({"cases": [...]} in a file of the set):
 * count, id, and the case's JSON text (compact) for the caller to interpret. */
size_t rule_case_count(const rule_set *set);
const char *rule_case_id(const rule_set *set, size_t i);
const char *rule_case_json(const rule_set *set, size_t i);
const char *rule_case_file(const rule_set *set, size_t i);
int rule_case_line(const rule_set *set, size_t i);

/*
 * Running the test cases.  A case holds a record (vernier's canonical JSON)
 * and the scores expected of it (README "Test cases").  Scoring belongs to
 * the engine, so the caller hands in a scorer: rule_case_run gives it the
 * case's record and compares what it reports with the expectations.
 */
typedef struct rule_case_score {
    /* a TRL reading (evidenced is the achieved one) or novelty < 0: none */
    double trl_evidenced, trl_planned, trl_stated, trl_claimed, trl_confidence, traceability,
        novelty, overall;
    const char *const *flags; /* the flag ids raised */
    size_t nflags;
    const char *const *hits; /* ids of the rules that hit, rule errors left out */
    size_t nhits;
    const char *const *verdicts; /* one per indicator: "traceable", "partly", ... */
    size_t nverdicts;
} rule_case_score;

/* Scores the record (compact JSON, len bytes) with set.  Fills *out, whose
 * arrays and strings stay the scorer's until its next call.  Returns
 * BASE_OK, or an error code with err set (the case then fails with that
 * message). */
typedef int (*rule_case_scorer)(void *arg, const rule_set *set, const char *record_json, size_t len,
                                rule_case_score *out, base_err *err);

/* Runs case i with scorer.  OUT: mismatch, "" when the case passed, else
 * every expectation that failed ("what: got X, want Y; ..."), cut to size;
 * covered[j] set to 1 for every rule j the case hit (covered may be NULL).
 * Returns 0 when the case passed, 1 when it failed, -1 when memory ran out. */
int rule_case_run(const rule_set *set, size_t i, rule_case_scorer scorer, void *arg,
                  unsigned char *covered, char *mismatch, size_t size);

/*
 * A subject: named string values.  Text fields are matched by patterns;
 * every value may be compared by `when` conditions (numerically when both
 * sides parse as numbers).  A NULL or empty value counts as absent.  The
 * same name may not appear twice.  Items are the sub-subjects that rules of
 * scope "indicator" are evaluated on one by one; a record-scope rule never
 * reads items, and an item-scope rule's `when` may read the item's values
 * and, with the prefix "record.", the parent's.
 */
typedef struct rule_value {
    const char *name;
    const char *text; /* UTF-8; need not be NUL-terminated past len */
    size_t len;
} rule_value;

typedef struct rule_subject {
    const rule_value *values;
    size_t nvalues;
    const struct rule_subject *items;
    size_t nitems;
} rule_subject;

/* One hit.  For an `absent` rule that fired, value = -1, offset = len = 0.
 * A rule that hit a PCRE2 limit (match, depth, heap) yields one hit with
 * error != 0 and no points; the evaluation goes on. */
typedef struct rule_hit {
    int rule;      /* index of the rule */
    int item;      /* index of the item, -1 for the record */
    int value;     /* index into the (item's or record's) values, -1 for absent */
    size_t offset; /* byte offset of the match in that value */
    size_t len;    /* byte length of the match */
    int error;     /* 0, or the PCRE2 error code (a limit was hit) */
} rule_hit;

typedef struct rule_hits {
    rule_hit *v;
    size_t n, cap;
} rule_hits;

void rule_hits_free(rule_hits *h); /* frees the array, keeps h itself */

/* Per-thread match state (PCRE2 match data and contexts), with the set's
 * time budget per evaluation (header "limits.record_ms", RULE_RECORD_MS
 * when the set has none). */
rule_scratch *rule_scratch_new(const rule_set *set);
void rule_scratch_free(rule_scratch *s);
/* Replaces the time budget of each rule_eval with s: ms milliseconds of
 * matching for one subject and its items; 0 for none. */
void rule_scratch_budget(rule_scratch *s, double ms);

/* The time budget when a set names none, and how many rules a subject past
 * it names. */
#define RULE_RECORD_MS 1000.0
#define RULE_BUDGET_NAMES 3
/* The error of a hit that names one of the slowest rules of a subject
 * whose time budget ran out (PCRE2's own errors are all above -100). */
#define RULE_ERROR_BUDGET (-1000)

/*
 * Evaluates every enabled rule against subj and appends the hits to out,
 * in rule order, then item order, then value order, then offset order.  A
 * rule counts at most once per value (the first, leftmost un-negated match);
 * a rule that fires on several values gives one hit per value.  Negatable
 * rules drop matches whose sentence carries a negation before them.  `when`
 * conditions are checked first: a rule whose condition is false gives no
 * hit.  When the matching time of the subject passes the scratch's budget,
 * evaluation stops: the hits found so far stay, and up to RULE_BUDGET_NAMES
 * hits with error RULE_ERROR_BUDGET (no value, item -1) name the rules that
 * took the most time, slowest first.  Returns 0, or -1 when memory ran out
 * (out then holds what was found before).
 */
int rule_eval(const rule_set *set, rule_scratch *scratch, const rule_subject *subj, rule_hits *out);

/* Sentence around a hit, for showing context: sets *start and *end to byte
 * offsets in text that contain [offset, offset+len) and at most about
 * `context` bytes on each side, cut at a sentence boundary or a UTF-8
 * character boundary. */
void rule_context(const char *text, size_t text_len, size_t offset, size_t len, size_t context,
                  size_t *start, size_t *end);

#endif
