/*
 * rule_int: the inside of a rule set, shared by the files of rules/ (the
 * loader rule_load.c, the evaluator rule_eval.c and the accessors
 * rule_set.c).  Nothing outside rules/ includes it, except the unit tests
 * and the benchmark, which use the few test hooks at the end.
 */
#ifndef RULE_INT_H
#define RULE_INT_H

#include "rules/rule.h"
#include "rules/rule_json.h"
#include "rules/rule_lit.h"
#include "rules/rule_re.h"

#include <locale.h>
#include <stdint.h>

/* `when` nodes */
enum { W_ALL = 1, W_ANY, W_NOT, W_CMP };
enum { OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_PRESENT, OP_MATCHES };

/* A value a condition compares with: its text, and its number when it
 * parses as one. */
typedef struct rule_operand {
    const char *s;
    size_t len;
    double num;
    int isnum;
} rule_operand;

typedef struct rule_when {
    int kind;               /* W_* */
    int op;                 /* OP_* for W_CMP */
    int name;               /* interned name id for W_CMP */
    struct rule_when *kids; /* W_ALL, W_ANY (nkids), W_NOT (one) */
    size_t nkids;
    rule_operand *vals; /* one for eq..ge, the list for in */
    size_t nvals;
    int present; /* OP_PRESENT */
    rule_re *re; /* OP_MATCHES */
} rule_when;

/* A name a rule reads.  "record.X" names are the parent's value X: parent
 * is set and base is the id of "X". */
typedef struct rule_name {
    char *s;
    int parent;
    int base;
} rule_name;

typedef struct rule_def {
    const char *id, *why, *message, *pattern, *scheme; /* borrowed from the JSON */
    const char *registry; /* reference rules: what the matches name; NULL otherwise */
    size_t pattern_len;
    int file, line, col;
    int dim, scope, level, reading, severity, absent, negatable;
    unsigned flags; /* RULE_RE_* */
    double points;
    int *fields; /* name ids */
    size_t nfields;
    rule_re *re;     /* NULL for a rule that `when` alone decides */
    rule_when *when; /* NULL when none */
    int *lits;       /* prefilter literal ids; nlits == 0: no prefilter */
    size_t nlits;
    int *pre; /* literal ids every match starts with; npre == 0: unknown */
    size_t npre;
    int *rpos;            /* for each field: the rule's place among that name's readers */
    int scheme_id;        /* -1 when untagged */
    int twin;             /* an earlier rule with the same pattern, flags and negatable: it
                           * shares re and, on a value both read, the outcome; or -1 */
    unsigned char *start; /* 256 flags: the bytes a match can start with, or NULL */
} rule_def;

typedef struct rule_case {
    const char *id;
    char *json; /* canonical JSON of the case object */
    int file, line;
} rule_case;

typedef struct rule_scheme {
    char *name;
    int on;
} rule_tag;

struct rule_set {
    rule_jdoc **docs; /* one per file, in load order */
    char **files;
    size_t nfiles;
    const cJSON *header; /* the header object (set.json or the one file) */
    const char *name, *version, *description;
    rule_def *rules;
    size_t nrules;
    rule_case *cases;
    size_t ncases;
    rule_name *names;
    size_t nnames;
    int *name_hash; /* open addressing over names, -1 empty */
    size_t name_hcap;
    rule_tag *schemes;
    size_t nschemes;
    rule_re *cues;  /* negation cues */
    rule_re *after; /* hedge cues that cancel a match before them (negation.after) */
    int gap;        /* negation.gap */
    rule_lset *lset;
    int *reader_at; /* nnames + 1: the pattern rules reading each name, */
    int *readers;   /* in rule order, are readers[reader_at[id] ..] */
    int *req_at;    /* literal count + 1: the rules that require literal id */
    int *req_rules; /* are req_rules[req_at[id] ..] */
    int *pre_at;    /* likewise for the rules whose matches start with it */
    int *pre_rules;
    char *canonical;
    char sha256[65];
    char method_sha256[65]; /* the same less the header's version and calibration */
    locale_t c_locale;      /* numbers in `when` are read in the C locale */
    int no_prefilter;       /* test hook */
    int no_negation;        /* test hook */
};

/* Id of name (len bytes) among the set's names, or -1. */
int rule_name_find(const rule_set *set, const char *name, size_t len);

/* Builds the hash index of set->names; returns 0 or -1 (memory). */
int rule_names_index(rule_set *set);

/* Parses s[0..len) as a number (optional spaces around, decimal or
 * exponent form, finite).  Returns 1 and *out, or 0. */
int rule_parse_number(const rule_set *set, const char *s, size_t len, double *out);

/* Frees a `when` tree's contents (not the node itself). */
void rule_when_release(rule_when *w);

/* ---- test hooks (tests/unit/test_rules.c, bench/bench_rules.c) ---- */

/* Turns the literal prefilter off (on = 0) or on; for comparing hits. */
void rule_set_prefilter(rule_set *set, int on);
/* Turns negation off (on = 0) or on; for counting raw pattern matches. */
void rule_set_negation(rule_set *set, int on);
/* Number of rules that have a literal prefilter. */
size_t rule_set_prefiltered(const rule_set *set);

#endif
