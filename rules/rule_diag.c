/*
 * rule_diag.c: how the loader reports a problem (file:line:col, rule id,
 * message, hint, a "did you mean" for near misses) and reads JSON members
 * of a given type, reporting the wrong ones.
 */
#include "rules/rule_loader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics ---- */

static void vdiag(loader *L, int sev, rule_jpos pos, const char *rule_id, const char *hint,
                  const char *fmt, va_list ap)
{
    if (sev == RULE_ERROR)
        L->errors++;
    rule_diags *d = L->diags;
    if (!d)
        return;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        rule_diag *nv = realloc(d->v, cap * sizeof *nv);
        if (!nv) {
            L->nomem = 1;
            return;
        }
        d->v = nv;
        d->cap = cap;
    }
    rule_diag *g = &d->v[d->n++];
    memset(g, 0, sizeof *g);
    g->severity = sev;
    if (L->file >= 0)
        snprintf(g->file, sizeof g->file, "%s", L->set->files[L->file]);
    g->line = pos.line;
    g->col = pos.col;
    snprintf(g->rule_id, sizeof g->rule_id, "%s", rule_id ? rule_id : "");
    size_t at = 0;
    if (L->case_id) /* a case is no rule: its id goes into the message */
        at = (size_t)snprintf(g->msg, sizeof g->msg, "case \"%.100s\": ", L->case_id);
    vsnprintf(g->msg + at, sizeof g->msg - at, fmt, ap);
    snprintf(g->hint, sizeof g->hint, "%s", hint ? hint : "");
}

__attribute__((format(printf, 6, 7))) void rule_ld_diag_pos(loader *L, int sev, rule_jpos pos,
                                                            const char *rule_id, const char *hint,
                                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(L, sev, pos, rule_id, hint, fmt, ap);
    va_end(ap);
}

/* A problem about node (at its key when at_key and it is a member). */
__attribute__((format(printf, 7, 8))) void rule_ld_diag_at(loader *L, int sev, const cJSON *node,
                                                           int at_key, const char *rule_id,
                                                           const char *hint, const char *fmt, ...)
{
    rule_jpos v = {0, 0, 0}, k = {0, 0, 0};
    if (L->doc && node)
        rule_jdoc_pos(L->doc, node, &v, &k);
    va_list ap;
    va_start(ap, fmt);
    vdiag(L, sev, at_key ? k : v, rule_id, hint, fmt, ap);
    va_end(ap);
}

/* Sorts the diagnostics from index `from` by line and column (stable). */
void rule_ld_sort_diags(loader *L, size_t from)
{
    rule_diags *d = L->diags;
    if (!d)
        return;
    for (size_t i = from + 1; i < d->n; i++) {
        rule_diag g = d->v[i];
        size_t j = i;
        while (j > from && (d->v[j - 1].line > g.line ||
                            (d->v[j - 1].line == g.line && d->v[j - 1].col > g.col))) {
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = g;
    }
}

/* ---- small helpers ---- */

int rule_ld_in_list(const char *s, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (strcmp(s, list[k]) == 0)
            return (int)k;
    return -1;
}

/* Edit distance (insertions, deletions, substitutions, transpositions),
 * or a large number for long words. */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40)
        return 99;
    size_t d[42][42];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* "did you mean 'x'?" for the closest candidate, into hint; "" when none is
 * close enough. */
const char *rule_ld_suggest(const char *word, const char *const *cands, char *hint, size_t size)
{
    /* Operator spellings of other rule languages first: distance alone
     * would offer "gt" for "gte". */
    static const char *const aliases[][2] = {
        {"gte", "ge"}, {">=", "ge"},  {"lte", "le"},        {"<=", "le"},
        {">", "gt"},   {"<", "lt"},   {"==", "eq"},         {"=", "eq"},
        {"!=", "ne"},  {"neq", "ne"}, {"regex", "matches"}, {"exists", "present"}};
    for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
        if (!strcmp(word, aliases[a][0]))
            for (size_t k = 0; cands[k]; k++)
                if (!strcmp(cands[k], aliases[a][1])) {
                    snprintf(hint, size, "did you mean '%s'?", cands[k]);
                    return hint;
                }
    size_t best = 99;
    const char *pick = NULL;
    for (size_t k = 0; cands[k]; k++) {
        size_t dd = distance(word, cands[k]);
        if (dd < best) {
            best = dd;
            pick = cands[k];
        }
    }
    size_t len = strlen(word);
    if (pick && best <= 2 && best < len && (best <= 1 || len > 4))
        snprintf(hint, size, "did you mean '%s'?", pick);
    else
        hint[0] = '\0';
    return hint;
}

const char *rule_ld_type_name(const cJSON *n)
{
    if (cJSON_IsString(n))
        return "a string";
    if (cJSON_IsNumber(n))
        return "a number";
    if (cJSON_IsBool(n))
        return cJSON_IsTrue(n) ? "true" : "false";
    if (cJSON_IsNull(n))
        return "null";
    if (cJSON_IsArray(n))
        return "a list";
    return "an object";
}

const cJSON *rule_ld_member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Reports every key of obj that is not in known. */
void rule_ld_unknown_keys(loader *L, const cJSON *obj, const char *const *known, const char *what,
                          const char *rule_id)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (rule_ld_in_list(c->string, known) >= 0)
            continue;
        char hint[256];
        rule_ld_diag_at(L, RULE_ERROR, c, 1, rule_id,
                        rule_ld_suggest(c->string, known, hint, sizeof hint),
                        "unknown key \"%s\" in %s", c->string, what);
    }
}

/* A string member: NULL when absent (an error when required) or not a string. */
const char *rule_ld_string(loader *L, const cJSON *obj, const char *key, int required,
                           const char *rule_id, const char *what, const cJSON **node)
{
    const cJSON *n = rule_ld_member(obj, key);
    if (node)
        *node = n;
    if (!n) {
        if (required)
            rule_ld_diag_at(L, RULE_ERROR, obj, 0, rule_id, NULL, "%s has no \"%s\"", what, key);
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be a string, not %s", key,
                        rule_ld_type_name(n));
        return NULL;
    }
    return n->valuestring;
}

/* A number member; returns 1 and *out, 0 when absent, -1 when wrong. */
int rule_ld_number(loader *L, const cJSON *obj, const char *key, const char *rule_id, double *out,
                   const cJSON **node)
{
    const cJSON *n = rule_ld_member(obj, key);
    if (node)
        *node = n;
    if (!n)
        return 0;
    if (!cJSON_IsNumber(n)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be a number, not %s", key,
                        rule_ld_type_name(n));
        return -1;
    }
    if (!isfinite(n->valuedouble))
        return -1; /* reported once by check_numbers */
    *out = n->valuedouble;
    return 1;
}

int rule_ld_bool(loader *L, const cJSON *obj, const char *key, const char *rule_id, int *out)
{
    const cJSON *n = rule_ld_member(obj, key);
    if (!n)
        return 0;
    if (!cJSON_IsBool(n)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be true or false, not %s",
                        key, rule_ld_type_name(n));
        return -1;
    }
    *out = cJSON_IsTrue(n);
    return 1;
}

int rule_ld_is_integer(double v)
{
    return isfinite(v) && v == floor(v);
}

char *rule_ld_strdup(loader *L, const char *s)
{
    char *c = strdup(s);
    if (!c)
        L->nomem = 1;
    return c;
}

/* Compiles the pattern of node (a JSON string).  Reports a compile error at
 * the character of the JSON string where PCRE2 stopped. */
rule_re *rule_ld_compile(loader *L, const cJSON *node, unsigned flags, const char *rule_id,
                         const char *what)
{
    base_err err;
    size_t off;
    const char *pat = node->valuestring;
    rule_re *re = rule_re_compile(pat, strlen(pat), flags, &off, &err);
    if (re)
        return re;
    if (err.code == BASE_EIO) {
        L->nomem = 1;
        return NULL;
    }
    rule_jpos pos;
    if (!L->doc || rule_jdoc_string_pos(L->doc, node, off, &pos) < 0)
        rule_jdoc_pos(L->doc, node, &pos, NULL);
    rule_ld_diag_pos(L, RULE_ERROR, pos, rule_id, "PCRE2 syntax: see pcre2pattern(3)",
                     "%s does not compile: %s (at offset %zu of the pattern)", what, err.msg, off);
    return NULL;
}
