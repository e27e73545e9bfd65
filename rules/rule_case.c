/*
 * rule_case.c: the test cases a rule set carries ({"cases": [...]}): each
 * checked when the set loads (its expectations name real rules and hold
 * valid numbers), and run by rule_case_run, which scores the case's record
 * with the caller's scorer and compares the result with the expectations.
 */
#include "rules/rule_loader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const case_keys[] = {"id", "record", "expect", NULL};
/* the expectations `vernier rules test` compares (cli/cmd_rules.c) */
static const char *const expect_keys[] = {
    "trl_evidenced", "trl_claimed", "trl_confidence", "trl_planned", "trl_stated",
    "traceability",  "novelty",     "overall",        "flags",       "no_flags",
    "hits",          "no_hits",     "indicators",     NULL};
static const char *const verdicts[] = {"traceable", "partly", "untraceable", NULL};

/* ---- cases ---- */

static void check_range(loader *L, const cJSON *n, const char *key, const char *cid)
{
    if (cJSON_IsNumber(n))
        return;
    if (cJSON_IsArray(n) && cJSON_GetArraySize(n) == 2 && cJSON_IsNumber(n->child) &&
        cJSON_IsNumber(n->child->next)) {
        if (n->child->valuedouble > n->child->next->valuedouble)
            rule_ld_diag_at(L, RULE_ERROR, n, 0, cid, "write [lo, hi] with lo <= hi",
                            "expectation \"%s\": the range is empty", key);
        return;
    }
    rule_ld_diag_at(L, RULE_ERROR, n, 0, cid, "write a number or [lo, hi]",
                    "expectation \"%s\" must be a number or a range [lo, hi], not %s", key,
                    rule_ld_type_name(n));
}

static void check_id_list(loader *L, const cJSON *n, const char *key, const char *cid,
                          int must_be_rule)
{
    if (!cJSON_IsArray(n)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, cid, NULL, "expectation \"%s\" must be a list, not %s",
                        key, rule_ld_type_name(n));
        return;
    }
    rule_set *set = L->set;
    const char **ids = malloc((set->nrules + 2) * sizeof *ids);
    if (!ids) {
        L->nomem = 1;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].id[0])
            ids[k++] = set->rules[i].id;
    if (!must_be_rule)
        ids[k++] = "TRL-OVERCLAIM";
    ids[k] = NULL;
    for (const cJSON *c = n->child; c; c = c->next) {
        if (!cJSON_IsString(c)) {
            rule_ld_diag_at(L, RULE_ERROR, c, 0, cid, NULL,
                            "expectation \"%s\": a rule id is a string", key);
            continue;
        }
        if (rule_ld_in_list(c->valuestring, ids) >= 0)
            continue;
        char hint[256];
        rule_ld_suggest(c->valuestring, ids, hint, sizeof hint);
        if (must_be_rule)
            rule_ld_diag_at(L, RULE_ERROR, c, 0, cid, hint,
                            "expectation \"%s\": no rule has id \"%s\"", key, c->valuestring);
        else if (hint[0]) /* engine flags are not rules: only a near miss is suspect */
            rule_ld_diag_at(L, RULE_WARNING, c, 0, cid, hint,
                            "expectation \"%s\": \"%s\" is not a rule id", key, c->valuestring);
    }
    free(ids);
}

/* "indicators": the verdicts expected, in indicator order. */
static void check_verdicts(loader *L, const cJSON *c, const char *cid)
{
    if (!cJSON_IsArray(c)) {
        rule_ld_diag_at(L, RULE_ERROR, c, 0, cid, NULL,
                        "expectation \"indicators\" must be a list, not %s", rule_ld_type_name(c));
        return;
    }
    for (const cJSON *e = c->child; e; e = e->next)
        if (!cJSON_IsString(e) || rule_ld_in_list(e->valuestring, verdicts) < 0)
            rule_ld_diag_at(L, RULE_ERROR, e, 0, cid, "traceable, partly or untraceable",
                            "expectation \"indicators\": unknown verdict");
}

/* "expect": every expectation a known one, of the right form. */
static void check_expect(loader *L, const cJSON *obj, const char *cid)
{
    const cJSON *exp = rule_ld_member(obj, "expect");
    if (!exp) {
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, cid, "e.g. \"expect\": {\"hits\": [\"RULE-ID\"]}",
                        "the case has no \"expect\"");
        return;
    }
    if (!cJSON_IsObject(exp)) {
        rule_ld_diag_at(L, RULE_ERROR, exp, 0, cid, NULL, "\"expect\" must be an object, not %s",
                        rule_ld_type_name(exp));
        return;
    }
    rule_ld_unknown_keys(L, exp, expect_keys, "\"expect\"", cid);
    for (const cJSON *c = exp->child; c; c = c->next) {
        const char *k = c->string;
        if (!strcmp(k, "hits") || !strcmp(k, "no_hits"))
            check_id_list(L, c, k, cid, 1);
        else if (!strcmp(k, "flags") || !strcmp(k, "no_flags"))
            check_id_list(L, c, k, cid, 0);
        else if (!strcmp(k, "indicators"))
            check_verdicts(L, c, cid);
        else if (rule_ld_in_list(k, expect_keys) >= 0 &&
                 /* a TRL reading or novelty may be expected absent: null */
                 !(cJSON_IsNull(c) && (!strncmp(k, "trl_", 4) || !strcmp(k, "novelty"))))
            check_range(L, c, k, cid);
    }
}

/* Appends the case (id, canonical JSON, place) to the set. */
static void add_case(loader *L, const cJSON *obj, const char *id)
{
    rule_set *set = L->set;
    rule_case *nv = realloc(set->cases, (set->ncases + 1) * sizeof *nv);
    if (!nv) {
        L->nomem = 1;
        return;
    }
    set->cases = nv;
    rule_case *rc = &set->cases[set->ncases];
    rc->id = id;
    rc->json = rule_json_canonical(obj);
    rc->file = L->file;
    rule_jpos at;
    rule_jdoc_pos(L->doc, obj, &at, NULL);
    rc->line = at.line;
    if (!rc->json) {
        L->nomem = 1;
        return;
    }
    set->ncases++;
}

void rule_ld_case(loader *L, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) {
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, NULL, NULL, "a case must be an object, not %s",
                        rule_ld_type_name(obj));
        return;
    }
    const cJSON *n;
    const char *id = rule_ld_string(L, obj, "id", 1, NULL, "a case", &n);
    if (id && !id[0]) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "the case id is empty");
        id = NULL;
    }
    const char *cid = NULL; /* diagnostics about a case carry no rule id */
    L->case_id = id;
    rule_ld_unknown_keys(L, obj, case_keys, "a case", cid);
    rule_set *set = L->set;
    for (size_t k = 0; id && k < set->ncases; k++)
        if (strcmp(set->cases[k].id, id) == 0) {
            rule_ld_diag_at(L, RULE_ERROR, n, 0, cid, NULL,
                            "duplicate case id \"%s\" (first at %s:%d)", id,
                            set->files[set->cases[k].file], set->cases[k].line);
            break;
        }
    const cJSON *rec = rule_ld_member(obj, "record");
    if (!rec)
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, cid, "add the record in vernier's canonical JSON",
                        "the case has no \"record\"");
    else if (!cJSON_IsObject(rec))
        rule_ld_diag_at(L, RULE_ERROR, rec, 0, cid, NULL, "\"record\" must be an object, not %s",
                        rule_ld_type_name(rec));
    check_expect(L, obj, cid);
    L->case_id = NULL;
    if (id)
        add_case(L, obj, id);
}

/* ---- running a case ---- */

/* The mismatches of a case: "; "-joined, cut to the caller's buffer. */
typedef struct mismatch {
    char *text;
    size_t size, n;
} mismatch;

__attribute__((format(printf, 2, 3))) static void mm_add(mismatch *m, const char *fmt, ...)
{
    if (m->n + 4 >= m->size)
        return;
    if (m->n)
        m->n += (size_t)snprintf(m->text + m->n, m->size - m->n, "; ");
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(m->text + m->n, m->size - m->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        m->n += (size_t)w < m->size - m->n ? (size_t)w : m->size - m->n - 1;
}

/* A number or a [lo, hi] range (the load checked the form). */
static void expect_number(mismatch *m, const cJSON *exp, const char *what, double got)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(exp, what);
    if (!want)
        return;
    if (cJSON_IsNumber(want)) {
        if (fabs(got - want->valuedouble) > 1e-6)
            mm_add(m, "%s: got %g, want %g", what, got, want->valuedouble);
        return;
    }
    if (cJSON_IsNull(want)) { /* no reading expected */
        if (got >= 0)
            mm_add(m, "%s: got %g, want null", what, got);
        return;
    }
    double lo = want->child->valuedouble, hi = want->child->next->valuedouble;
    if (got < lo - 1e-6 || got > hi + 1e-6)
        mm_add(m, "%s: got %g, want %g..%g", what, got, lo, hi);
}

static int has_id(const char *const *ids, size_t n, const char *id)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(ids[k], id))
            return 1;
    return 0;
}

/* A list of ids that must be among got (present) or not. */
static void expect_ids(mismatch *m, const cJSON *exp, const char *what, const char *const *got,
                       size_t ngot, int present)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(exp, what);
    for (const cJSON *it = want ? want->child : NULL; it; it = it->next)
        if (cJSON_IsString(it) && has_id(got, ngot, it->valuestring) != present)
            mm_add(m, "%s: %s %s", what, it->valuestring, present ? "missing" : "present");
}

/* The indicators' verdicts, in order. */
static void expect_verdicts(mismatch *m, const cJSON *exp, const rule_case_score *got)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(exp, "indicators");
    if (!want)
        return;
    size_t k = 0;
    for (const cJSON *it = want->child; it; it = it->next, k++) {
        const char *g = k < got->nverdicts ? got->verdicts[k] : "(none)";
        if (strcmp(g, it->valuestring))
            mm_add(m, "indicators[%zu]: got %s, want %s", k, g, it->valuestring);
    }
    if (k != got->nverdicts)
        mm_add(m, "indicators: got %zu verdicts, want %zu", got->nverdicts, k);
}

static void compare(mismatch *m, const cJSON *exp, const rule_case_score *got)
{
    expect_number(m, exp, "trl_evidenced", got->trl_evidenced);
    expect_number(m, exp, "trl_planned", got->trl_planned);
    expect_number(m, exp, "trl_stated", got->trl_stated);
    expect_number(m, exp, "trl_claimed", got->trl_claimed);
    expect_number(m, exp, "trl_confidence", got->trl_confidence);
    expect_number(m, exp, "traceability", got->traceability);
    expect_number(m, exp, "novelty", got->novelty);
    expect_number(m, exp, "overall", got->overall);
    expect_ids(m, exp, "flags", got->flags, got->nflags, 1);
    expect_ids(m, exp, "no_flags", got->flags, got->nflags, 0);
    expect_ids(m, exp, "hits", got->hits, got->nhits, 1);
    expect_ids(m, exp, "no_hits", got->hits, got->nhits, 0);
    expect_verdicts(m, exp, got);
}

int rule_case_run(const rule_set *set, size_t i, rule_case_scorer scorer, void *arg,
                  unsigned char *covered, char *mismatch_out, size_t size)
{
    mismatch m = {mismatch_out, size, 0};
    if (size)
        mismatch_out[0] = '\0';
    cJSON *c = cJSON_Parse(set->cases[i].json);
    char *rec = c ? cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "record")) : NULL;
    if (!rec) {
        cJSON_Delete(c);
        return -1;
    }
    rule_case_score got;
    memset(&got, 0, sizeof got);
    base_err err;
    base_err_clear(&err);
    if (scorer(arg, set, rec, strlen(rec), &got, &err) != BASE_OK) {
        mm_add(&m, "%s", err.msg[0] ? err.msg : "the record could not be scored");
    } else {
        for (size_t k = 0; covered && k < got.nhits; k++)
            for (size_t j = 0; j < set->nrules; j++)
                if (!strcmp(set->rules[j].id, got.hits[k]))
                    covered[j] = 1;
        compare(&m, cJSON_GetObjectItemCaseSensitive(c, "expect"), &got);
    }
    cJSON_free(rec);
    cJSON_Delete(c);
    return m.n ? 1 : 0;
}
