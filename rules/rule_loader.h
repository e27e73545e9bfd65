/*
 * rule_loader: the inside of rule_set_load, shared by the files that load
 * a rule set (private to rules/).
 *
 *   rule_load.c    files, the order of the passes, cross-rule checks, the
 *                  indexes the evaluator needs and the canonical form
 *   rule_diag.c    diagnostics and the typed readers of JSON members
 *   rule_header.c  the header (set.json): parameters and negation
 *   rule_check.c   one rule: its fields, effect, scheme and pattern
 *   rule_cond.c    a rule's `when` condition
 *   rule_case.c    test cases: checked at load, run by rule_case_run
 *   rule_speed.c   the pattern speed check of `rules check`
 *
 * A loader collects every problem (checking goes on after one, so that one
 * run shows them all) and notes when memory ran out; rule_set_load frees the
 * set when there was either.  Every rule_ld_* function below reports into
 * L's diagnostics and never fails otherwise: on running out of memory it
 * sets L->nomem and frees what it allocated itself.
 */
#ifndef RULE_LOADER_H
#define RULE_LOADER_H

#include "rules/rule_int.h"

typedef struct loader {
    rule_set *set;
    rule_diags *diags;
    int errors, nomem;
    int file; /* the file being checked, -1 for none */
    const rule_jdoc *doc;
    int header_ok;       /* the header was read: its schemes are known */
    const char *case_id; /* the case being checked: messages name it */
} loader;

/* What a condition is checked against: its rule. */
typedef struct rule_ctx {
    const char *id;
    int scope;
    unsigned flags;
} rule_ctx;

/* ---- diagnostics (rule_diag.c) ---- */

/* A problem at pos of the current file (L->file), about rule_id (NULL for
 * none), with a hint (NULL for none).  An error counts in L->errors. */
__attribute__((format(printf, 6, 7))) void rule_ld_diag_pos(loader *L, int sev, rule_jpos pos,
                                                            const char *rule_id, const char *hint,
                                                            const char *fmt, ...);
/* A problem about node (at its key when at_key and it is a member). */
__attribute__((format(printf, 7, 8))) void rule_ld_diag_at(loader *L, int sev, const cJSON *node,
                                                           int at_key, const char *rule_id,
                                                           const char *hint, const char *fmt, ...);
/* Sorts the diagnostics from index `from` by line and column (stable). */
void rule_ld_sort_diags(loader *L, size_t from);

/* Index of s in the NULL-terminated list, or -1. */
int rule_ld_in_list(const char *s, const char *const *list);
/* "did you mean 'x'?" for the closest of cands, into the caller's hint,
 * which is returned; "" when none is close enough. */
const char *rule_ld_suggest(const char *word, const char *const *cands, char *hint, size_t size);
/* "a string", "a list", ... for messages. */
const char *rule_ld_type_name(const cJSON *n);
const cJSON *rule_ld_member(const cJSON *obj, const char *key);
/* Reports every key of obj that is not in known. */
void rule_ld_unknown_keys(loader *L, const cJSON *obj, const char *const *known, const char *what,
                          const char *rule_id);
/* A string member: NULL when absent (an error when required) or not a
 * string.  OUT: *node, the member or NULL (node may be NULL). */
const char *rule_ld_string(loader *L, const cJSON *obj, const char *key, int required,
                           const char *rule_id, const char *what, const cJSON **node);
/* A number member; returns 1 and *out, 0 when absent, -1 when wrong. */
int rule_ld_number(loader *L, const cJSON *obj, const char *key, const char *rule_id, double *out,
                   const cJSON **node);
/* A boolean member; returns 1 and *out, 0 when absent, -1 when wrong. */
int rule_ld_bool(loader *L, const cJSON *obj, const char *key, const char *rule_id, int *out);
int rule_ld_is_integer(double v);
/* strdup that notes running out of memory; the copy is the caller's. */
char *rule_ld_strdup(loader *L, const char *s);
/* Compiles the pattern of node (a JSON string); reports a compile error at
 * the character where PCRE2 stopped.  Returns the pattern (the caller's) or
 * NULL. */
rule_re *rule_ld_compile(loader *L, const cJSON *node, unsigned flags, const char *rule_id,
                         const char *what);

/* ---- names and schemes (rule_check.c) ---- */

/* Id of name s among the set's names, added when new; -1 when memory ran
 * out. */
int rule_ld_intern(loader *L, const char *s);
/* Reports a name outside the vocabulary the engine hands in for scope. */
void rule_ld_check_name(loader *L, const cJSON *node, const char *name, int scope,
                        const char *rule_id);
/* Id of scheme name, added (on or off) when new; -1 when memory ran out. */
int rule_ld_scheme(loader *L, const char *name, int on);

/* ---- the parts of a set ---- */

/* The header object h of the set (rule_header.c). */
void rule_ld_header(loader *L, const cJSON *h);
/* The keys a header may hold, NULL-terminated (rule_header.c). */
extern const char *const rule_ld_header_keys[];
/* One rule object; appends it to the set when it was read (rule_check.c). */
void rule_ld_rule(loader *L, const cJSON *obj);
/* A `when` condition into *w (zeroed first; the caller releases it with
 * rule_when_release whatever the result).  Returns 0, or -1 when it is
 * wrong (reported) or memory ran out (rule_cond.c). */
int rule_ld_when(loader *L, const cJSON *node, rule_when *w, const rule_ctx *rc, int depth);
/* One case object, after every rule is known (rule_case.c). */
void rule_ld_case(loader *L, const cJSON *obj);
/* Runs every pattern against torture texts; warns about slow ones
 * (rule_speed.c). */
void rule_ld_speed_check(loader *L);

#endif
