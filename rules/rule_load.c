/*
 * rule_load.c: rule_set_load, which reads a rule set (one file or a folder),
 * checks every part of it against rules/FORMAT.md, compiles its patterns
 * and prepares the literal prefilter.
 *
 * Every problem goes into the caller's diagnostics with file:line:col
 * (from rule_json's position table), the rule id and a hint; checking goes
 * on after a problem so that one run shows them all.  A set with any error
 * is freed before returning: the caller never sees a half-loaded set.
 */
#include "rules/rule_int.h"
#include "rules/rule_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_FILE_BYTES (16u << 20)
#define MAX_WHEN_DEPTH 32
#define MAX_JSON_ERRS 64

/* The negation cues FORMAT.md names, used when the header has none.  For
 * this default list only, a cue that starts one of the words below is not a
 * negation (无线 wireless, 无人机 drone, 无损 non-destructive, "not only",
 * "No. 5" ...).  A set that writes its own negation.cues writes its own
 * exceptions (with (?!...)), as rules/default does. */
#define DEFAULT_CUES "未|没有|尚未|未能|无|暂无|并未|not|no|never|without|failed to"
#define DEFAULT_EXCEPTIONS                                                                               \
    "无线|无人|无损|无机|无源|无刷|无菌|无缝|无级|无铅|无纺|无氧|无论|无疑|" \
    "not only|not just|not limited to|no\\.|no doubt|no later than|no less than|no more than|"           \
    "not less than|not more than|not exceed"
#define DEFAULT_GAP 8

/* Names the engine hands in (FORMAT.md "Names the engine hands in"). */
static const char *const record_names[] = {"id",
                                           "kind",
                                           "source",
                                           "title",
                                           "abstract",
                                           "keywords",
                                           "organisation",
                                           "pi",
                                           "field",
                                           "start",
                                           "end",
                                           "budget",
                                           "currency",
                                           "trl_start",
                                           "trl_target",
                                           "trl_claimed",
                                           "acceptance.date",
                                           "acceptance.conclusion",
                                           "acceptance.summary",
                                           "acceptance.outcomes",
                                           "indicators",
                                           "text",
                                           NULL};
static const char *const item_names[] = {
    "name",          "target",    "achieved",    "unit", "method", "lab",
    "accreditation", "report_no", "uncertainty", "text", NULL};

static const char *const header_keys[] = {"name",    "version",    "languages", "description",
                                          "schemes", "weights",    "trl",       "traceability",
                                          "novelty", "duplicates", "negation",  NULL};
static const char *const rule_keys[] = {
    "id",       "dimension", "scope", "fields", "pattern", "flags", "level",   "points",
    "severity", "negatable", "when",  "absent", "scheme",  "why",   "message", NULL};
static const char *const dimensions[] = {"trl", "traceability", "novelty", "flag", NULL};
static const char *const scopes[] = {"record", "indicator", NULL};
static const char *const flag_names[] = {"caseless", "multiline", "dotall", "extended", NULL};
static const char *const severities[] = {"info", "warn", "error", NULL};
static const char *const op_names[] = {"eq", "ne", "lt",      "le",      "gt",
                                       "ge", "in", "present", "matches", NULL};
static const char *const cond_keys[] = {"all", "any", "not", "field", "eq",      "ne",      "lt",
                                        "le",  "gt",  "ge",  "in",    "present", "matches", NULL};
static const char *const case_keys[] = {"id", "record", "expect", NULL};
/* the expectations `vernier rules test` compares (cli/cmd_rules.c) */
static const char *const expect_keys[] = {
    "trl_evidenced", "trl_claimed", "trl_confidence", "traceability", "novelty",    "overall",
    "flags",         "no_flags",    "hits",           "no_hits",      "indicators", NULL};
static const char *const verdicts[] = {"traceable", "partly", "untraceable", NULL};

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

__attribute__((format(printf, 6, 7))) static void diag_pos(loader *L, int sev, rule_jpos pos,
                                                           const char *rule_id, const char *hint,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(L, sev, pos, rule_id, hint, fmt, ap);
    va_end(ap);
}

/* A problem about node (at its key when at_key and it is a member). */
__attribute__((format(printf, 7, 8))) static void diag_at(loader *L, int sev, const cJSON *node,
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
static void sort_diags(loader *L, size_t from)
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

static int in_list(const char *s, const char *const *list)
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
static const char *suggest(const char *word, const char *const *cands, char *hint, size_t size)
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

static const char *type_name(const cJSON *n)
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

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Reports every key of obj that is not in known. */
static void unknown_keys(loader *L, const cJSON *obj, const char *const *known, const char *what,
                         const char *rule_id)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (in_list(c->string, known) >= 0)
            continue;
        char hint[256];
        diag_at(L, RULE_ERROR, c, 1, rule_id, suggest(c->string, known, hint, sizeof hint),
                "unknown key \"%s\" in %s", c->string, what);
    }
}

/* A string member: NULL when absent (an error when required) or not a string. */
static const char *get_string(loader *L, const cJSON *obj, const char *key, int required,
                              const char *rule_id, const char *what, const cJSON **node)
{
    const cJSON *n = member(obj, key);
    if (node)
        *node = n;
    if (!n) {
        if (required)
            diag_at(L, RULE_ERROR, obj, 0, rule_id, NULL, "%s has no \"%s\"", what, key);
        return NULL;
    }
    if (!cJSON_IsString(n)) {
        diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be a string, not %s", key,
                type_name(n));
        return NULL;
    }
    return n->valuestring;
}

/* A number member; returns 1 and *out, 0 when absent, -1 when wrong. */
static int get_number(loader *L, const cJSON *obj, const char *key, const char *rule_id,
                      double *out, const cJSON **node)
{
    const cJSON *n = member(obj, key);
    if (node)
        *node = n;
    if (!n)
        return 0;
    if (!cJSON_IsNumber(n)) {
        diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be a number, not %s", key,
                type_name(n));
        return -1;
    }
    if (!isfinite(n->valuedouble))
        return -1; /* reported once by check_numbers */
    *out = n->valuedouble;
    return 1;
}

static int get_bool(loader *L, const cJSON *obj, const char *key, const char *rule_id, int *out)
{
    const cJSON *n = member(obj, key);
    if (!n)
        return 0;
    if (!cJSON_IsBool(n)) {
        diag_at(L, RULE_ERROR, n, 0, rule_id, NULL, "\"%s\" must be true or false, not %s", key,
                type_name(n));
        return -1;
    }
    *out = cJSON_IsTrue(n);
    return 1;
}

static int is_integer(double v)
{
    return isfinite(v) && v == floor(v);
}

static char *dupstr(loader *L, const char *s)
{
    char *c = strdup(s);
    if (!c)
        L->nomem = 1;
    return c;
}

/* ---- names ---- */

static int intern(loader *L, const char *s)
{
    rule_set *set = L->set;
    for (size_t k = 0; k < set->nnames; k++)
        if (strcmp(set->names[k].s, s) == 0)
            return (int)k;
    int base = -1;
    if (strncmp(s, "record.", 7) == 0 && s[7]) {
        base = intern(L, s + 7);
        if (base < 0)
            return -1;
    }
    rule_name *nv = realloc(set->names, (set->nnames + 1) * sizeof *nv);
    if (!nv) {
        L->nomem = 1;
        return -1;
    }
    set->names = nv;
    rule_name *nm = &set->names[set->nnames];
    nm->s = dupstr(L, s);
    if (!nm->s)
        return -1;
    nm->parent = base >= 0;
    nm->base = base >= 0 ? base : (int)set->nnames;
    return (int)set->nnames++;
}

/* Reports a name outside the vocabulary the engine hands in for the scope
 * (FORMAT.md, now the README): an error when it is a near miss of a known
 * name, a warning otherwise. */
static void check_name(loader *L, const cJSON *node, const char *name, int scope,
                       const char *rule_id)
{
    if (strncmp(name, "extra.", 6) == 0 && name[6])
        return;
    const char *const *vocab = scope == RULE_SCOPE_ITEM ? item_names : record_names;
    const char *bare = name;
    if (strncmp(name, "record.", 7) == 0 && name[7]) {
        bare = name + 7;
        vocab = record_names;
        if (strncmp(bare, "extra.", 6) == 0 && bare[6])
            return;
    }
    if (in_list(bare, vocab) >= 0)
        return;
    char hint[256];
    suggest(bare, vocab, hint, sizeof hint);
    /* A near miss of a known name is a typo that would leave the rule
     * reading nothing: an error.  A name unlike any is only a warning. */
    int typo = hint[0] != '\0';
    if (!typo)
        snprintf(hint, sizeof hint,
                 "the engine hands in the names listed in the README (\"Names the engine "
                 "hands in\"); extra fields are \"extra.NAME\"");
    diag_at(L, typo ? RULE_ERROR : RULE_WARNING, node, 0, rule_id, hint,
            "field \"%s\" is not a name the engine hands in%s", name,
            scope == RULE_SCOPE_ITEM ? " to indicator rules" : "");
}

/* ---- patterns ---- */

static unsigned flags_of(loader *L, const cJSON *flags, const char *rule_id)
{
    unsigned f = 0;
    if (!flags)
        return 0;
    if (!cJSON_IsArray(flags)) {
        diag_at(L, RULE_ERROR, flags, 0, rule_id, "write e.g. \"flags\": [\"caseless\"]",
                "\"flags\" must be a list, not %s", type_name(flags));
        return 0;
    }
    for (const cJSON *c = flags->child; c; c = c->next) {
        int k = cJSON_IsString(c) ? in_list(c->valuestring, flag_names) : -1;
        if (k < 0) {
            char hint[256];
            if (cJSON_IsString(c))
                suggest(c->valuestring, flag_names, hint, sizeof hint);
            else
                hint[0] = '\0';
            if (!hint[0])
                snprintf(hint, sizeof hint, "flags are caseless, multiline, dotall, extended");
            diag_at(L, RULE_ERROR, c, 0, rule_id, hint, "unknown flag %s%s%s",
                    cJSON_IsString(c) ? "\"" : "", cJSON_IsString(c) ? c->valuestring : "a value",
                    cJSON_IsString(c) ? "\"" : "");
            continue;
        }
        f |= 1u << k; /* caseless, multiline, dotall, extended = RULE_RE_* bits */
    }
    return f;
}

/* Compiles the pattern of node (a JSON string).  Reports a compile error at
 * the character of the JSON string where PCRE2 stopped. */
static rule_re *compile_at(loader *L, const cJSON *node, unsigned flags, const char *rule_id,
                           const char *what)
{
    char msg[256];
    size_t off;
    const char *pat = node->valuestring;
    rule_re *re = rule_re_compile(pat, strlen(pat), flags, msg, sizeof msg, &off);
    if (re)
        return re;
    if (strcmp(msg, "out of memory") == 0) {
        L->nomem = 1;
        return NULL;
    }
    rule_jpos pos;
    if (!L->doc || rule_jdoc_string_pos(L->doc, node, off, &pos) < 0)
        rule_jdoc_pos(L->doc, node, &pos, NULL);
    diag_pos(L, RULE_ERROR, pos, rule_id, "PCRE2 syntax: see pcre2pattern(3)",
             "%s does not compile: %s (at offset %zu of the pattern)", what, msg, off);
    return NULL;
}

/* ---- `when` ---- */

static int operand_of(loader *L, const cJSON *v, rule_operand *out, const char *rule_id)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsString(v)) {
        out->s = v->valuestring;
        out->len = strlen(v->valuestring);
        out->isnum = rule_parse_number(L->set, out->s, out->len, &out->num);
        return 0;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        out->num = v->valuedouble;
        out->isnum = 1;
        return 0;
    }
    diag_at(L, RULE_ERROR, v, 0, rule_id, "write the value as a string or a number",
            "a condition compares with a string or a number, not %s", type_name(v));
    return -1;
}

static int same_operand(const rule_operand *a, const rule_operand *b)
{
    if (a->isnum && b->isnum)
        return a->num == b->num;
    if (!a->s || !b->s)
        return 0;
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Two conditions on the same field that cannot both hold; a reason or NULL. */
static const char *contradiction(const rule_when *a, const rule_when *b)
{
    if (a->op > b->op) {
        const rule_when *t = a;
        a = b;
        b = t;
    }
    if (a->op == OP_PRESENT && b->op == OP_PRESENT)
        return a->present != b->present ? "present: true and present: false" : NULL;
    if ((b->op == OP_PRESENT && !b->present && a->op != OP_NE) ||
        (a->op == OP_PRESENT && !a->present && b->op != OP_NE))
        return "a missing value makes every comparison false but ne";
    if (a->op == OP_EQ && b->op == OP_EQ)
        return same_operand(&a->vals[0], &b->vals[0]) ? NULL : "two different eq values";
    if (a->op == OP_EQ && b->op == OP_NE)
        return same_operand(&a->vals[0], &b->vals[0]) ? "eq and ne the same value" : NULL;
    if ((a->op == OP_EQ || a->op == OP_IN) && b->op == OP_IN) {
        for (size_t i = 0; i < a->nvals; i++)
            for (size_t j = 0; j < b->nvals; j++)
                if (same_operand(&a->vals[i], &b->vals[j]))
                    return NULL;
        return a->op == OP_EQ ? "eq a value that is not in the in list"
                              : "two in lists with no value in common";
    }
    /* numeric bounds */
    int ops_bound = a->op >= OP_LT && a->op <= OP_GE && b->op >= OP_LT && b->op <= OP_GE;
    if (ops_bound && a->vals[0].isnum && b->vals[0].isnum) {
        const rule_when *lo = NULL, *hi = NULL;
        if ((a->op == OP_GT || a->op == OP_GE) && (b->op == OP_LT || b->op == OP_LE))
            lo = a, hi = b;
        else if ((b->op == OP_GT || b->op == OP_GE) && (a->op == OP_LT || a->op == OP_LE))
            lo = b, hi = a;
        if (lo && (lo->vals[0].num > hi->vals[0].num ||
                   (lo->vals[0].num == hi->vals[0].num && (lo->op == OP_GT || hi->op == OP_LT))))
            return "an empty numeric range";
    }
    if (a->op == OP_EQ && b->op >= OP_LT && b->op <= OP_GE && a->vals[0].isnum &&
        b->vals[0].isnum) {
        double x = a->vals[0].num, y = b->vals[0].num;
        int holds = b->op == OP_LT   ? x < y
                    : b->op == OP_LE ? x <= y
                    : b->op == OP_GT ? x > y
                                     : x >= y;
        if (!holds)
            return "an eq value outside the numeric range";
    }
    return NULL;
}

static int load_when(loader *L, const cJSON *node, rule_when *w, const rule_ctx *rc, int depth);

static void check_all(loader *L, const cJSON *list, rule_when *w, const rule_ctx *rc)
{
    const cJSON *ci = list->child;
    for (size_t i = 0; i < w->nkids; i++, ci = ci->next) {
        const rule_when *a = &w->kids[i];
        if (a->kind != W_CMP)
            continue;
        const cJSON *cj = ci->next;
        for (size_t j = i + 1; j < w->nkids; j++, cj = cj->next) {
            const rule_when *b = &w->kids[j];
            if (b->kind != W_CMP || b->name != a->name)
                continue;
            const char *why = contradiction(a, b);
            if (why)
                diag_at(L, RULE_ERROR, cj, 0, rc->id, "the rule can never fire: fix or drop one",
                        "\"all\" holds contradictory conditions on \"%s\" (%s)",
                        L->set->names[a->name].s, why);
        }
    }
}

static int load_when(loader *L, const cJSON *node, rule_when *w, const rule_ctx *rc, int depth)
{
    memset(w, 0, sizeof *w);
    if (!cJSON_IsObject(node)) {
        diag_at(L, RULE_ERROR, node, 0, rc->id,
                "e.g. {\"field\": \"acceptance.conclusion\", \"present\": true}",
                "a condition must be an object, not %s", type_name(node));
        return -1;
    }
    if (depth > MAX_WHEN_DEPTH) {
        diag_at(L, RULE_ERROR, node, 0, rc->id, NULL, "conditions nested deeper than %d levels",
                MAX_WHEN_DEPTH);
        return -1;
    }
    unknown_keys(L, node, cond_keys, "a condition", rc->id);
    const cJSON *all = member(node, "all"), *any = member(node, "any"), *not = member(node, "not");
    const cJSON *group = all ? all : any ? any : not ;
    if (group) {
        for (const cJSON *c = node->child; c; c = c->next)
            if (c != group && in_list(c->string, cond_keys) >= 0)
                diag_at(L, RULE_ERROR, c, 1, rc->id,
                        "put each condition in its own object inside the list",
                        "\"%s\" cannot stand beside \"%s\" in one condition", c->string,
                        group->string);
        if (group == not ) {
            w->kind = W_NOT;
            w->kids = calloc(1, sizeof *w->kids);
            if (!w->kids) {
                L->nomem = 1;
                return -1;
            }
            w->nkids = 1;
            return load_when(L, not, &w->kids[0], rc, depth + 1);
        }
        w->kind = group == all ? W_ALL : W_ANY;
        if (!cJSON_IsArray(group)) {
            diag_at(L, RULE_ERROR, group, 0, rc->id, NULL, "\"%s\" must be a list, not %s",
                    group->string, type_name(group));
            return -1;
        }
        size_t n = (size_t)cJSON_GetArraySize(group);
        if (n == 0) {
            diag_at(L, RULE_ERROR, group, 0, rc->id, "give it at least one condition or drop it",
                    "an empty \"%s\" list %s", group->string,
                    group == all ? "always holds" : "can never hold, so the rule never fires");
            return -1;
        }
        w->kids = calloc(n, sizeof *w->kids);
        if (!w->kids) {
            L->nomem = 1;
            return -1;
        }
        w->nkids = n;
        int rc2 = 0;
        size_t k = 0;
        for (const cJSON *c = group->child; c; c = c->next, k++)
            if (load_when(L, c, &w->kids[k], rc, depth + 1) < 0)
                rc2 = -1;
        if (rc2 == 0 && w->kind == W_ALL)
            check_all(L, group, w, rc);
        return rc2;
    }
    w->kind = W_CMP;
    const cJSON *fn;
    const char *field = get_string(L, node, "field", 0, rc->id, "a condition", &fn);
    if (!fn) {
        diag_at(
            L, RULE_ERROR, node, 0, rc->id,
            "write {\"field\": NAME, OP: VALUE} or {\"all\"|\"any\": [...]} or {\"not\": {...}}",
            "a condition needs \"field\" and an operator");
        return -1;
    }
    if (!field)
        return -1;
    const cJSON *op = NULL;
    int nops = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        if (in_list(c->string, op_names) >= 0) {
            if (nops++ == 0)
                op = c;
            else
                diag_at(L, RULE_ERROR, c, 1, rc->id, "combine single conditions with \"all\"",
                        "a condition has one operator, \"%s\" is a second one", c->string);
        }
    if (!op) {
        diag_at(L, RULE_ERROR, node, 0, rc->id,
                "operators: eq, ne, lt, le, gt, ge, in, present, matches",
                "the condition on \"%s\" has no operator", field);
        return -1;
    }
    if (nops > 1)
        return -1;
    check_name(L, fn, field, rc->scope, rc->id);
    w->name = intern(L, field);
    if (w->name < 0)
        return -1;
    w->op = OP_EQ + in_list(op->string, op_names);
    switch (w->op) {
    case OP_PRESENT:
        if (!cJSON_IsBool(op)) {
            diag_at(L, RULE_ERROR, op, 0, rc->id, NULL, "\"present\" must be true or false, not %s",
                    type_name(op));
            return -1;
        }
        w->present = cJSON_IsTrue(op);
        return 0;
    case OP_IN: {
        if (!cJSON_IsArray(op)) {
            diag_at(L, RULE_ERROR, op, 0, rc->id, NULL, "\"in\" must be a list, not %s",
                    type_name(op));
            return -1;
        }
        size_t n = (size_t)cJSON_GetArraySize(op);
        if (n == 0) {
            diag_at(L, RULE_ERROR, op, 0, rc->id, "list the values or drop the condition",
                    "an empty \"in\" list never holds, so the rule can never fire");
            return -1;
        }
        w->vals = calloc(n, sizeof *w->vals);
        if (!w->vals) {
            L->nomem = 1;
            return -1;
        }
        w->nvals = n;
        size_t k = 0;
        int bad = 0;
        for (const cJSON *c = op->child; c; c = c->next, k++)
            if (operand_of(L, c, &w->vals[k], rc->id) < 0)
                bad = 1;
        return bad ? -1 : 0;
    }
    case OP_MATCHES: {
        if (!cJSON_IsString(op)) {
            diag_at(L, RULE_ERROR, op, 0, rc->id, NULL,
                    "\"matches\" must be a pattern (a string), not %s", type_name(op));
            return -1;
        }
        w->re = compile_at(L, op, rc->flags, rc->id, "the \"matches\" pattern");
        if (!w->re)
            return -1;
        rule_pat_info pi;
        if (rule_pat_analyse(op->valuestring, strlen(op->valuestring), rc->flags, &pi) < 0) {
            L->nomem = 1;
            return -1;
        }
        if (pi.never)
            diag_at(L, RULE_ERROR, op, 0, rc->id, "remove (?!) or (*FAIL) from every branch",
                    "the \"matches\" pattern can never match, so the condition never holds");
        else if (rule_re_matches_empty(w->re))
            diag_at(L, RULE_WARNING, op, 0, rc->id, "use \"present\": true for that",
                    "the \"matches\" pattern matches empty text: it holds for every present "
                    "value");
        rule_pat_info_release(&pi);
        return 0;
    }
    default:
        w->vals = calloc(1, sizeof *w->vals);
        if (!w->vals) {
            L->nomem = 1;
            return -1;
        }
        w->nvals = 1;
        return operand_of(L, op, &w->vals[0], rc->id);
    }
}

/* ---- rules ---- */

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '-' ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static int push_rule(loader *L, const rule_def *r)
{
    rule_set *set = L->set;
    rule_def *nv = realloc(set->rules, (set->nrules + 1) * sizeof *nv);
    if (!nv) {
        L->nomem = 1;
        return -1;
    }
    set->rules = nv;
    set->rules[set->nrules++] = *r;
    return 0;
}

static int scheme_id(loader *L, const char *name, int on)
{
    rule_set *set = L->set;
    for (size_t k = 0; k < set->nschemes; k++)
        if (strcmp(set->schemes[k].name, name) == 0)
            return (int)k;
    rule_tag *nv = realloc(set->schemes, (set->nschemes + 1) * sizeof *nv);
    if (!nv) {
        L->nomem = 1;
        return -1;
    }
    set->schemes = nv;
    nv[set->nschemes].name = dupstr(L, name);
    nv[set->nschemes].on = on;
    if (!nv[set->nschemes].name)
        return -1;
    return (int)set->nschemes++;
}

static void load_rule(loader *L, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) {
        diag_at(L, RULE_ERROR, obj, 0, NULL, NULL, "a rule must be an object, not %s",
                type_name(obj));
        return;
    }
    rule_def r;
    memset(&r, 0, sizeof r);
    r.file = L->file;
    r.scheme_id = -1;
    r.twin = -1;
    rule_jpos at;
    rule_jdoc_pos(L->doc, obj, &at, NULL);
    r.line = at.line;
    r.col = at.col;

    const cJSON *n;
    const char *id = get_string(L, obj, "id", 1, NULL, "a rule", &n);
    if (id && (!valid_id(id) || strlen(id) > 100)) {
        diag_at(L, RULE_ERROR, n, 0, NULL, "e.g. \"TRL4-LAB-VALIDATION\"",
                "rule id \"%.100s\" must be 1-100 letters, digits, '-', '_' or '.'", id);
        id = NULL;
    }
    r.id = id ? id : "";
    const char *rid = r.id;
    unknown_keys(L, obj, rule_keys, "a rule", rid);

    const char *dim = get_string(L, obj, "dimension", 1, rid, "the rule", &n);
    if (dim) {
        int k = in_list(dim, dimensions);
        char hint[256];
        if (k < 0)
            diag_at(L, RULE_ERROR, n, 0, rid, suggest(dim, dimensions, hint, sizeof hint),
                    "unknown dimension \"%s\" (trl, traceability, novelty or flag)", dim);
        else
            r.dim = RULE_DIM_TRL + k;
    }
    const char *scope = get_string(L, obj, "scope", 0, rid, "the rule", &n);
    if (scope) {
        int k = in_list(scope, scopes);
        char hint[256];
        if (k < 0)
            diag_at(L, RULE_ERROR, n, 0, rid, suggest(scope, scopes, hint, sizeof hint),
                    "unknown scope \"%s\" (record or indicator)", scope);
        else
            r.scope = k == 0 ? RULE_SCOPE_RECORD : RULE_SCOPE_ITEM;
    }
    r.flags = flags_of(L, member(obj, "flags"), rid);

    const cJSON *pat;
    r.pattern = get_string(L, obj, "pattern", 0, rid, "the rule", &pat);
    const cJSON *when = member(obj, "when");
    get_bool(L, obj, "absent", rid, &r.absent);
    get_bool(L, obj, "negatable", rid, &r.negatable);
    if (!pat && !when)
        diag_at(L, RULE_ERROR, obj, 0, rid, "add a \"pattern\" (and \"fields\")",
                "the rule has neither \"pattern\" nor \"when\": it would fire on every record");
    if (!pat && r.absent)
        diag_at(L, RULE_ERROR, obj, 0, rid, "add the \"pattern\" whose absence it reports",
                "an \"absent\" rule needs a \"pattern\"");

    /* fields */
    const cJSON *fields = member(obj, "fields");
    if (!fields && pat) {
        diag_at(L, RULE_ERROR, obj, 0, rid,
                "e.g. \"fields\": [\"abstract\", \"acceptance.summary\"]",
                "the rule has a pattern but no \"fields\" to match it against");
    } else if (fields && !cJSON_IsArray(fields)) {
        diag_at(L, RULE_ERROR, fields, 0, rid, NULL, "\"fields\" must be a list, not %s",
                type_name(fields));
    } else if (fields) {
        size_t nf = (size_t)cJSON_GetArraySize(fields);
        if (nf == 0 && pat)
            diag_at(L, RULE_ERROR, fields, 0, rid, "name at least one field",
                    "\"fields\" is empty: the pattern is matched against nothing%s",
                    r.absent ? " and the rule always fires" : " and the rule never fires");
        if (nf > 0 && !pat)
            diag_at(L, RULE_WARNING, fields, 0, rid, NULL,
                    "\"fields\" are not read: the rule has no pattern");
        r.fields = nf ? calloc(nf, sizeof *r.fields) : NULL;
        if (nf && !r.fields) {
            L->nomem = 1;
            return;
        }
        for (const cJSON *c = fields->child; c; c = c->next) {
            if (!cJSON_IsString(c) || !c->valuestring[0]) {
                diag_at(L, RULE_ERROR, c, 0, rid, NULL, "a field name must be a non-empty string");
                continue;
            }
            if (strncmp(c->valuestring, "record.", 7) == 0) {
                diag_at(L, RULE_ERROR, c, 0, rid,
                        "read the record's value in \"when\", or make the rule record-scoped",
                        "\"%s\": record.NAME may be read by \"when\" only", c->valuestring);
                continue;
            }
            check_name(L, c, c->valuestring, r.scope, rid);
            int fid = intern(L, c->valuestring);
            if (fid < 0)
                return;
            int dup = 0;
            for (size_t k = 0; k < r.nfields; k++)
                dup |= r.fields[k] == fid;
            if (dup)
                diag_at(L, RULE_WARNING, c, 0, rid, NULL, "field \"%s\" is listed twice",
                        c->valuestring);
            else
                r.fields[r.nfields++] = fid;
        }
    }

    /* effect */
    double v;
    const cJSON *ln;
    int has_level = get_number(L, obj, "level", rid, &v, &ln);
    if (has_level > 0) {
        if (!is_integer(v) || v < 1 || v > 9)
            diag_at(L, RULE_ERROR, ln, 0, rid, NULL, "\"level\" must be a whole number 1-9");
        else if (r.dim != RULE_DIM_TRL && r.dim)
            diag_at(L, RULE_WARNING, ln, 0, rid, NULL,
                    "\"level\" is ignored: only trl rules have one");
        else
            r.level = (int)v;
    } else if (has_level == 0 && r.dim == RULE_DIM_TRL) {
        diag_at(L, RULE_ERROR, obj, 0, rid, "add \"level\": 1 to 9",
                "a trl rule needs a \"level\"");
    }
    const cJSON *pn;
    int has_points = get_number(L, obj, "points", rid, &v, &pn);
    r.points = r.dim == RULE_DIM_TRL ? 1 : 0;
    if (has_points > 0) {
        if (!isfinite(v)) {
            diag_at(L, RULE_ERROR, pn, 0, rid, NULL, "\"points\" must be a finite number");
        } else if (r.dim == RULE_DIM_FLAG) {
            diag_at(L, RULE_WARNING, pn, 0, rid, NULL, "\"points\" are ignored for flag rules");
        } else {
            r.points = v;
            if (r.dim == RULE_DIM_TRL && v <= 0)
                diag_at(L, RULE_WARNING, pn, 0, rid, "trl points are evidence weights, > 0",
                        "trl \"points\" %g never count as evidence", v);
        }
    }
    const char *sev = get_string(L, obj, "severity", 0, rid, "the rule", &n);
    if (sev) {
        int k = in_list(sev, severities);
        char hint[256];
        if (k < 0)
            diag_at(L, RULE_ERROR, n, 0, rid, suggest(sev, severities, hint, sizeof hint),
                    "unknown severity \"%s\" (info, warn or error)", sev);
        else
            r.severity = RULE_SEV_INFO + k;
    } else if (!n && r.dim == RULE_DIM_FLAG) {
        diag_at(L, RULE_ERROR, obj, 0, rid, "add \"severity\": \"info\", \"warn\" or \"error\"",
                "a flag rule needs a \"severity\"");
    }
    const char *why = get_string(L, obj, "why", 1, rid, "the rule", &n);
    if (why && !why[0])
        diag_at(L, RULE_ERROR, n, 0, rid, "name the standard, clause or reasoning",
                "\"why\" is empty");
    r.why = why;
    r.message = get_string(L, obj, "message", 0, rid, "the rule", &n);
    r.scheme = get_string(L, obj, "scheme", 0, rid, "the rule", &n);
    if (r.scheme && !r.scheme[0]) {
        diag_at(L, RULE_ERROR, n, 0, rid, "drop \"scheme\" for an untagged rule",
                "\"scheme\" is empty");
        r.scheme = NULL;
    }
    if (r.scheme) {
        int declared = -1;
        if (L->header_ok) {
            const cJSON *hs = member(L->set->header, "schemes");
            declared = 0;
            for (const cJSON *c = hs ? hs->child : NULL; c; c = c->next)
                declared |= cJSON_IsString(c) && strcmp(c->valuestring, r.scheme) == 0;
        }
        if (declared == 0) {
            char hint[256] = "";
            const cJSON *hs = member(L->set->header, "schemes");
            const char *names[64];
            size_t k = 0;
            for (const cJSON *c = hs ? hs->child : NULL; c && k < 63; c = c->next)
                if (cJSON_IsString(c))
                    names[k++] = c->valuestring;
            names[k] = NULL;
            suggest(r.scheme, names, hint, sizeof hint);
            diag_at(L, RULE_WARNING, n, 0, rid,
                    hint[0] ? hint : "declare it in the header's \"schemes\" to turn it on",
                    "scheme \"%s\" is not in the header's \"schemes\": the rule is off unless a "
                    "run turns the scheme on",
                    r.scheme);
        }
        r.scheme_id = scheme_id(L, r.scheme, declared == 1);
    }
    if (r.negatable && !pat)
        diag_at(L, RULE_WARNING, member(obj, "negatable"), 0, rid, NULL,
                "\"negatable\" is ignored: the rule has no pattern");

    /* pattern */
    if (r.pattern) {
        r.pattern_len = strlen(r.pattern);
        if (r.pattern_len == 0) {
            diag_at(L, RULE_ERROR, pat, 0, rid, NULL, "the pattern is empty");
        } else {
            r.re = compile_at(L, pat, r.flags, rid, "the pattern");
            if (r.re) {
                rule_pat_info pi;
                if (rule_pat_analyse(r.pattern, r.pattern_len, r.flags, &pi) < 0) {
                    L->nomem = 1;
                } else {
                    if (pi.never)
                        diag_at(L, RULE_ERROR, pat, 0, rid,
                                "remove (?!) or (*FAIL) from every branch",
                                "the pattern can never match any text%s",
                                r.absent ? ", so the absent rule fires on every record"
                                         : ", so the rule never fires");
                    else if (rule_re_matches_empty(r.re))
                        diag_at(L, RULE_ERROR, pat, 0, rid,
                                "make at least one character required (x+ rather than x*)",
                                "the pattern matches empty text, so it matches every value");
                    if (pi.nlits > 0) {
                        r.lits = calloc(pi.nlits, sizeof *r.lits);
                        if (!r.lits)
                            L->nomem = 1;
                        for (size_t k = 0; r.lits && k < pi.nlits; k++) {
                            int lid = rule_lset_add(L->set->lset, pi.lits[k], pi.lens[k], 0);
                            if (lid < 0) {
                                L->nomem = 1;
                                break;
                            }
                            r.lits[r.nlits++] = lid;
                        }
                    }
                    if (pi.npre > 0 && rule_re_anchorable(r.re) < 0) {
                        L->nomem = 1;
                    } else if (pi.npre > 0) {
                        r.pre = calloc(pi.npre, sizeof *r.pre);
                        if (!r.pre)
                            L->nomem = 1;
                        for (size_t k = 0; r.pre && k < pi.npre; k++) {
                            int lid = rule_lset_add(L->set->lset, pi.pre[k], pi.prelens[k], 1);
                            if (lid < 0) {
                                L->nomem = 1;
                                break;
                            }
                            r.pre[r.npre++] = lid;
                        }
                    }
                    rule_pat_info_release(&pi);
                }
            }
        }
    }

    /* condition */
    if (when) {
        rule_ctx rc = {rid, r.scope, r.flags};
        r.when = calloc(1, sizeof *r.when);
        if (!r.when) {
            L->nomem = 1;
        } else if (load_when(L, when, r.when, &rc, 1) < 0) {
            rule_when_release(r.when);
            free(r.when);
            r.when = NULL;
        }
    }
    if (push_rule(L, &r) < 0) {
        free(r.fields);
        rule_re_free(r.re);
        if (r.when) {
            rule_when_release(r.when);
            free(r.when);
        }
        free(r.lits);
        free(r.pre);
    }
}

/* ---- cases ---- */

static void check_range(loader *L, const cJSON *n, const char *key, const char *cid)
{
    if (cJSON_IsNumber(n))
        return;
    if (cJSON_IsArray(n) && cJSON_GetArraySize(n) == 2 && cJSON_IsNumber(n->child) &&
        cJSON_IsNumber(n->child->next)) {
        if (n->child->valuedouble > n->child->next->valuedouble)
            diag_at(L, RULE_ERROR, n, 0, cid, "write [lo, hi] with lo <= hi",
                    "expectation \"%s\": the range is empty", key);
        return;
    }
    diag_at(L, RULE_ERROR, n, 0, cid, "write a number or [lo, hi]",
            "expectation \"%s\" must be a number or a range [lo, hi], not %s", key, type_name(n));
}

static void check_id_list(loader *L, const cJSON *n, const char *key, const char *cid,
                          int must_be_rule)
{
    if (!cJSON_IsArray(n)) {
        diag_at(L, RULE_ERROR, n, 0, cid, NULL, "expectation \"%s\" must be a list, not %s", key,
                type_name(n));
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
            diag_at(L, RULE_ERROR, c, 0, cid, NULL, "expectation \"%s\": a rule id is a string",
                    key);
            continue;
        }
        if (in_list(c->valuestring, ids) >= 0)
            continue;
        char hint[256];
        suggest(c->valuestring, ids, hint, sizeof hint);
        if (must_be_rule)
            diag_at(L, RULE_ERROR, c, 0, cid, hint, "expectation \"%s\": no rule has id \"%s\"",
                    key, c->valuestring);
        else if (hint[0]) /* engine flags are not rules: only a near miss is suspect */
            diag_at(L, RULE_WARNING, c, 0, cid, hint, "expectation \"%s\": \"%s\" is not a rule id",
                    key, c->valuestring);
    }
    free(ids);
}

static void load_case(loader *L, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) {
        diag_at(L, RULE_ERROR, obj, 0, NULL, NULL, "a case must be an object, not %s",
                type_name(obj));
        return;
    }
    const cJSON *n;
    const char *id = get_string(L, obj, "id", 1, NULL, "a case", &n);
    if (id && !id[0]) {
        diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "the case id is empty");
        id = NULL;
    }
    const char *cid = NULL; /* diagnostics about a case carry no rule id */
    L->case_id = id;
    unknown_keys(L, obj, case_keys, "a case", cid);
    rule_set *set = L->set;
    if (id)
        for (size_t k = 0; k < set->ncases; k++)
            if (strcmp(set->cases[k].id, id) == 0) {
                diag_at(L, RULE_ERROR, n, 0, cid, NULL, "duplicate case id \"%s\" (first at %s:%d)",
                        id, set->files[set->cases[k].file], set->cases[k].line);
                break;
            }
    const cJSON *rec = member(obj, "record");
    if (!rec)
        diag_at(L, RULE_ERROR, obj, 0, cid, "add the record in vernier's canonical JSON",
                "the case has no \"record\"");
    else if (!cJSON_IsObject(rec))
        diag_at(L, RULE_ERROR, rec, 0, cid, NULL, "\"record\" must be an object, not %s",
                type_name(rec));
    const cJSON *exp = member(obj, "expect");
    if (!exp) {
        diag_at(L, RULE_ERROR, obj, 0, cid, "e.g. \"expect\": {\"hits\": [\"RULE-ID\"]}",
                "the case has no \"expect\"");
    } else if (!cJSON_IsObject(exp)) {
        diag_at(L, RULE_ERROR, exp, 0, cid, NULL, "\"expect\" must be an object, not %s",
                type_name(exp));
    } else {
        unknown_keys(L, exp, expect_keys, "\"expect\"", cid);
        for (const cJSON *c = exp->child; c; c = c->next) {
            const char *k = c->string;
            if (!strcmp(k, "hits") || !strcmp(k, "no_hits"))
                check_id_list(L, c, k, cid, 1);
            else if (!strcmp(k, "flags") || !strcmp(k, "no_flags"))
                check_id_list(L, c, k, cid, 0);
            else if (!strcmp(k, "indicators")) {
                if (!cJSON_IsArray(c)) {
                    diag_at(L, RULE_ERROR, c, 0, cid, NULL,
                            "expectation \"indicators\" must be a list, not %s", type_name(c));
                    continue;
                }
                for (const cJSON *e = c->child; e; e = e->next)
                    if (!cJSON_IsString(e) || in_list(e->valuestring, verdicts) < 0)
                        diag_at(L, RULE_ERROR, e, 0, cid, "traceable, partly or untraceable",
                                "expectation \"indicators\": unknown verdict");
            } else if (in_list(k, expect_keys) >= 0) {
                check_range(L, c, k, cid);
            }
        }
    }
    L->case_id = NULL;
    if (!id)
        return;
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

/* ---- the header ---- */

static void check_section(loader *L, const cJSON *sec, const char *name, const char *const *keys)
{
    if (!cJSON_IsObject(sec)) {
        diag_at(L, RULE_ERROR, sec, 0, NULL, NULL, "\"%s\" must be an object, not %s", name,
                type_name(sec));
        return;
    }
    char what[64];
    snprintf(what, sizeof what, "\"%s\"", name);
    unknown_keys(L, sec, keys, what, NULL);
}

static void check_num_in(loader *L, const cJSON *sec, const char *key, double lo, double hi,
                         int integer)
{
    double v;
    const cJSON *n;
    if (get_number(L, sec, key, NULL, &v, &n) <= 0)
        return;
    if (v < lo || v > hi || (integer && !is_integer(v))) {
        char range[64];
        if (hi >= 1e300)
            snprintf(range, sizeof range, ">= %g", lo);
        else
            snprintf(range, sizeof range, "%g to %g", lo, hi);
        diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "\"%s\" must be %s%s, not %g", key,
                integer ? "a whole number " : "", range, v);
    }
}

static void check_string_list(loader *L, const cJSON *n, const char *key, int unique)
{
    if (!cJSON_IsArray(n)) {
        diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "\"%s\" must be a list of strings, not %s", key,
                type_name(n));
        return;
    }
    for (const cJSON *c = n->child; c; c = c->next) {
        if (!cJSON_IsString(c)) {
            diag_at(L, RULE_ERROR, c, 0, NULL, NULL, "\"%s\" holds %s, not a string", key,
                    type_name(c));
            continue;
        }
        if (unique)
            for (const cJSON *p = n->child; p != c; p = p->next)
                if (cJSON_IsString(p) && strcmp(p->valuestring, c->valuestring) == 0) {
                    diag_at(L, RULE_WARNING, c, 0, NULL, NULL, "\"%s\" lists \"%s\" twice", key,
                            c->valuestring);
                    break;
                }
    }
}

/* Builds the negation cue pattern: the cues, kept from matching inside a
 * Latin word ("no" in "know"), with the default exceptions when the set
 * brings no cues of its own. */
static void setup_negation(loader *L, const cJSON *neg)
{
    rule_set *set = L->set;
    const char *cues = DEFAULT_CUES;
    int own = 0;
    set->gap = DEFAULT_GAP;
    if (neg && cJSON_IsObject(neg)) {
        const cJSON *cn;
        const char *c = get_string(L, neg, "cues", 0, NULL, "\"negation\"", &cn);
        if (c) {
            if (!c[0]) {
                diag_at(L, RULE_ERROR, cn, 0, NULL, "drop \"cues\" to use the default list",
                        "\"negation.cues\" is empty");
                return;
            }
            rule_re *alone = compile_at(L, cn, RULE_RE_CASELESS, NULL, "\"negation.cues\"");
            if (!alone)
                return;
            if (rule_re_matches_empty(alone)) {
                diag_at(L, RULE_ERROR, cn, 0, NULL, "every cue must be at least one character",
                        "\"negation.cues\" matches empty text: every match would be negated");
                rule_re_free(alone);
                return;
            }
            rule_re_free(alone);
            cues = c;
            own = 1;
        } else if (cn) {
            return;
        }
        double g;
        const cJSON *gn;
        if (get_number(L, neg, "gap", NULL, &g, &gn) > 0) {
            if (!is_integer(g) || g < 0 || g > 1000)
                diag_at(L, RULE_ERROR, gn, 0, NULL, NULL,
                        "\"negation.gap\" must be a whole number 0-1000, not %g", g);
            else
                set->gap = (int)g;
        }
    }
    size_t size = strlen(cues) + strlen(DEFAULT_EXCEPTIONS) + 256;
    char *pat = malloc(size);
    if (!pat) {
        L->nomem = 1;
        return;
    }
    snprintf(pat, size,
             "%s%s%s(?:(?<![A-Za-z])(?=[A-Za-z])|(?![A-Za-z]))(?:%s)"
             "(?:(?<=[A-Za-z])(?![A-Za-z])|(?<![A-Za-z]))",
             own ? "" : "(?!", own ? "" : DEFAULT_EXCEPTIONS, own ? "" : ")", cues);
    char msg[256];
    size_t off;
    set->cues = rule_re_compile(pat, strlen(pat), RULE_RE_CASELESS, msg, sizeof msg, &off);
    if (!set->cues) {
        const cJSON *cn = neg ? member(neg, "cues") : NULL;
        diag_at(L, RULE_ERROR, cn, 0, NULL, "keep the cues a plain alternation",
                "\"negation.cues\" does not compile inside the cue wrapper: %s", msg);
    }
    free(pat);
}

static void load_header(loader *L, const cJSON *h)
{
    rule_set *set = L->set;
    set->header = h;
    const cJSON *n;
    set->name = get_string(L, h, "name", 1, NULL, "the header", &n);
    if (set->name && !set->name[0])
        diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "the set's \"name\" is empty");
    n = member(h, "version");
    if (cJSON_IsNumber(n))
        diag_at(L, RULE_ERROR, n, 0, NULL, "write the version in quotes, e.g. \"2026.11\"",
                "\"version\" must be a string, not a number");
    else
        set->version = get_string(L, h, "version", 1, NULL, "the header", &n);
    set->description = get_string(L, h, "description", 0, NULL, "the header", NULL);
    if ((n = member(h, "languages")))
        check_string_list(L, n, "languages", 1);
    if ((n = member(h, "schemes"))) {
        check_string_list(L, n, "schemes", 1);
        for (const cJSON *c = cJSON_IsArray(n) ? n->child : NULL; c; c = c->next)
            if (cJSON_IsString(c) && c->valuestring[0])
                scheme_id(L, c->valuestring, 1);
    }
    if ((n = member(h, "weights"))) {
        static const char *const keys[] = {"trl", "traceability", "novelty", NULL};
        check_section(L, n, "weights", keys);
        double sum = 0, v;
        int ok = cJSON_IsObject(n);
        for (int k = 0; ok && keys[k]; k++) {
            const cJSON *wn;
            int got = get_number(L, n, keys[k], NULL, &v, &wn);
            if (got < 0)
                ok = 0;
            else if (got > 0 && (v < 0 || v > 1)) {
                diag_at(L, RULE_ERROR, wn, 0, NULL, NULL, "weight \"%s\" must be 0 to 1, not %g",
                        keys[k], v);
                ok = 0;
            } else if (got > 0) {
                sum += v;
            }
        }
        if (ok && fabs(sum - 1) > 0.001)
            diag_at(L, RULE_ERROR, n, 0, NULL, "trl + traceability + novelty must make 1",
                    "the weights add up to %g, not 1", sum);
    }
    if ((n = member(h, "trl"))) {
        static const char *const keys[] = {"threshold", "support", "overclaim_margin", NULL};
        check_section(L, n, "trl", keys);
        if (cJSON_IsObject(n)) {
            check_num_in(L, n, "threshold", 0, 1e308, 0);
            check_num_in(L, n, "overclaim_margin", 0, 8, 0);
            const cJSON *sn;
            const char *sup = get_string(L, n, "support", 0, NULL, "\"trl\"", &sn);
            static const char *const supports[] = {"confidence", "required", NULL};
            char hint[256];
            if (sup && in_list(sup, supports) < 0)
                diag_at(L, RULE_ERROR, sn, 0, NULL, suggest(sup, supports, hint, sizeof hint),
                        "\"trl.support\" must be \"confidence\" or \"required\", not \"%s\"", sup);
        }
    }
    if ((n = member(h, "traceability"))) {
        static const char *const keys[] = {"cap", "base", "indicator_traceable", "indicator_partly",
                                           NULL};
        check_section(L, n, "traceability", keys);
        if (cJSON_IsObject(n)) {
            check_num_in(L, n, "cap", 0, 1e308, 0);
            check_num_in(L, n, "base", -1e308, 1e308, 0);
            check_num_in(L, n, "indicator_traceable", -1e308, 1e308, 0);
            check_num_in(L, n, "indicator_partly", -1e308, 1e308, 0);
            double t, p;
            const cJSON *pn;
            if (get_number(L, n, "indicator_traceable", NULL, &t, NULL) > 0 &&
                get_number(L, n, "indicator_partly", NULL, &p, &pn) > 0 && p > t)
                diag_at(L, RULE_WARNING, pn, 0, NULL, "partly is the lower threshold",
                        "\"indicator_partly\" %g is above \"indicator_traceable\" %g: no "
                        "indicator can be partly traceable",
                        p, t);
        }
    }
    if ((n = member(h, "novelty"))) {
        static const char *const keys[] = {"base", NULL};
        check_section(L, n, "novelty", keys);
        if (cJSON_IsObject(n))
            check_num_in(L, n, "base", -1e308, 1e308, 0);
    }
    if ((n = member(h, "duplicates"))) {
        static const char *const keys[] = {
            "jaccard",  "containment",  "shingle_cjk", "shingle_latin",
            "num_perm", "stop_phrases", NULL};
        check_section(L, n, "duplicates", keys);
        if (cJSON_IsObject(n)) {
            check_num_in(L, n, "jaccard", 0, 1, 0);
            check_num_in(L, n, "containment", 0, 1, 0);
            check_num_in(L, n, "shingle_cjk", 1, 64, 1);
            check_num_in(L, n, "shingle_latin", 1, 64, 1);
            check_num_in(L, n, "num_perm", 1, 65536, 1);
            const cJSON *sp = member(n, "stop_phrases");
            if (sp)
                check_string_list(L, sp, "stop_phrases", 1);
        }
    }
    const cJSON *neg = member(h, "negation");
    if (neg) {
        static const char *const keys[] = {"cues", "gap", NULL};
        check_section(L, neg, "negation", keys);
    }
    setup_negation(L, neg);
    L->header_ok = 1;
}

/* ---- files ---- */

static char *read_file(loader *L, const char *path, size_t *len)
{
    rule_jpos none = {0, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_pos(L, RULE_ERROR, none, NULL, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_pos(L, RULE_ERROR, none, NULL, NULL, "not a regular file");
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)st.st_size > MAX_FILE_BYTES) {
        diag_pos(L, RULE_ERROR, none, NULL, "split the set into several files",
                 "file is larger than %u MiB", MAX_FILE_BYTES >> 20);
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        L->nomem = 1;
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    int err = ferror(f);
    fclose(f);
    if (err || got != size) {
        diag_pos(L, RULE_ERROR, none, NULL, NULL, "read error");
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = size;
    return buf;
}

static int add_file(loader *L, const char *path)
{
    rule_set *set = L->set;
    char **nf = realloc(set->files, (set->nfiles + 1) * sizeof *nf);
    if (!nf) {
        L->nomem = 1;
        return -1;
    }
    set->files = nf;
    rule_jdoc **nd = realloc(set->docs, (set->nfiles + 1) * sizeof *nd);
    if (!nd) {
        L->nomem = 1;
        return -1;
    }
    set->docs = nd;
    set->files[set->nfiles] = dupstr(L, path);
    set->docs[set->nfiles] = NULL;
    if (!set->files[set->nfiles])
        return -1;
    set->nfiles++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir (not set.json, not hidden), sorted, appended. */
static int add_folder_files(loader *L, const char *dir, int skip_set_json)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (skip_set_json && strcmp(e->d_name, "set.json") == 0)
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            L->nomem = 1;
            rc = -1;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        struct stat st;
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) && add_file(L, path) < 0)
            rc = -1;
        free(names[k]);
    }
    free(names);
    return rc;
}

static int collect_files(loader *L, const char *path)
{
    rule_jpos none = {0, 0, 0};
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_pos(L, RULE_ERROR, none, NULL, NULL, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add_file(L, path);
    char p[4096];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    snprintf(p, sizeof p, "%.*s/set.json", (int)len, path);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_pos(L, RULE_ERROR, none, NULL, "a rule-set folder holds its header in set.json",
                 "%.*s: no set.json in the folder", (int)len, path);
        return -1;
    }
    if (add_file(L, p) < 0)
        return -1;
    snprintf(p, sizeof p, "%.*s", (int)len, path);
    if (add_folder_files(L, p, 1) < 0)
        return -1;
    snprintf(p, sizeof p, "%.*s/tests", (int)len, path);
    return add_folder_files(L, p, 0);
}

static void parse_files(loader *L)
{
    rule_set *set = L->set;
    for (size_t i = 0; i < set->nfiles; i++) {
        L->file = (int)i;
        L->doc = NULL;
        size_t len;
        char *text = read_file(L, set->files[i], &len);
        if (!text)
            continue;
        rule_jerr errs[MAX_JSON_ERRS];
        size_t nfound;
        set->docs[i] = rule_jdoc_parse(text, len, RULE_JSON_NO_NUL, errs, MAX_JSON_ERRS, &nfound);
        free(text);
        if (!set->docs[i]) {
            if (nfound == 0)
                L->nomem = 1;
            size_t from = L->diags ? L->diags->n : 0;
            for (size_t k = 0; k < nfound && k < MAX_JSON_ERRS; k++)
                diag_pos(L, RULE_ERROR, errs[k].pos, NULL, NULL, "%s", errs[k].msg);
            if (nfound > MAX_JSON_ERRS) {
                rule_jpos none = {0, 0, 0};
                diag_pos(L, RULE_ERROR, none, NULL, NULL, "%zu more JSON problems",
                         nfound - MAX_JSON_ERRS);
            }
            sort_diags(L, from);
            /* Duplicate keys alone leave a readable document: check the rest
             * of it too, so that every problem is reported at once (the set
             * is refused all the same). */
            int only_dups = nfound > 0 && nfound <= MAX_JSON_ERRS;
            for (size_t k = 0; only_dups && k < nfound; k++)
                only_dups = !strncmp(errs[k].msg, "duplicate key", 13);
            if (only_dups && (text = read_file(L, set->files[i], &len)) != NULL) {
                size_t again;
                set->docs[i] = rule_jdoc_parse(text, len, RULE_JSON_NO_NUL | RULE_JSON_DUPS_OK,
                                               errs, MAX_JSON_ERRS, &again);
                free(text);
            }
        }
    }
    L->file = -1;
}

/* Numbers cJSON read as infinite (1e999) are not JSON numbers we can keep. */
static void check_numbers(loader *L, const cJSON *n)
{
    for (; n; n = n->next) {
        if (cJSON_IsNumber(n) && !isfinite(n->valuedouble))
            diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "number out of range");
        if (cJSON_IsArray(n) || cJSON_IsObject(n))
            check_numbers(L, n->child);
    }
}

static void load_file(loader *L, size_t i)
{
    rule_set *set = L->set;
    L->file = (int)i;
    L->doc = set->docs[i];
    size_t from = L->diags ? L->diags->n : 0;
    const cJSON *root = rule_jdoc_root(L->doc);
    check_numbers(L, root);
    if (!cJSON_IsObject(root)) {
        diag_at(L, RULE_ERROR, root, 0, NULL, NULL, "a rule-set file holds an object, not %s",
                type_name(root));
        goto done;
    }
    static const char *const body_keys[] = {"rules", "cases", NULL};
    static const char *const all_keys[] = {
        "name",         "version", "languages",  "description", "schemes", "weights", "trl",
        "traceability", "novelty", "duplicates", "negation",    "rules",   "cases",   NULL};
    const char *const *allowed = i == 0 ? all_keys : body_keys;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (in_list(c->string, allowed) >= 0)
            continue;
        char hint[256];
        if (in_list(c->string, header_keys) >= 0)
            diag_at(L, RULE_ERROR, c, 1, NULL, "move it to set.json",
                    "header key \"%s\" outside the header", c->string);
        else
            diag_at(L, RULE_ERROR, c, 1, NULL, suggest(c->string, allowed, hint, sizeof hint),
                    "unknown key \"%s\" at the top of a rule-set file", c->string);
    }
    if (i == 0)
        load_header(L, root);
    const cJSON *rules = member(root, "rules");
    if (rules && !cJSON_IsArray(rules))
        diag_at(L, RULE_ERROR, rules, 0, NULL, NULL, "\"rules\" must be a list, not %s",
                type_name(rules));
    else if (rules)
        for (const cJSON *c = rules->child; c; c = c->next)
            load_rule(L, c);
    const cJSON *cases = member(root, "cases");
    if (cases && !cJSON_IsArray(cases))
        diag_at(L, RULE_ERROR, cases, 0, NULL, NULL, "\"cases\" must be a list, not %s",
                type_name(cases));
    if (i > 0 && !rules && !cases)
        diag_at(L, RULE_WARNING, root, 0, NULL,
                "a file holds {\"rules\": [...]} or "
                "{\"cases\": [...]}",
                "the file holds neither rules nor cases");
done:
    sort_diags(L, from);
    L->file = -1;
    L->doc = NULL;
}

/* Cases come after every rule is known (they name rules). */
static void load_cases(loader *L, size_t i)
{
    rule_set *set = L->set;
    L->file = (int)i;
    L->doc = set->docs[i];
    size_t from = L->diags ? L->diags->n : 0;
    const cJSON *root = rule_jdoc_root(L->doc);
    const cJSON *cases = cJSON_IsObject(root) ? member(root, "cases") : NULL;
    if (cJSON_IsArray(cases))
        for (const cJSON *c = cases->child; c; c = c->next)
            load_case(L, c);
    sort_diags(L, from);
    L->file = -1;
    L->doc = NULL;
}

typedef struct idref {
    const char *id;
    size_t index;
} idref;

static int by_id(const void *pa, const void *pb)
{
    const idref *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static void check_duplicate_ids(loader *L)
{
    rule_set *set = L->set;
    if (set->nrules < 2)
        return;
    idref *v = malloc(set->nrules * sizeof *v);
    if (!v) {
        L->nomem = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].id[0])
            v[n].id = set->rules[i].id, v[n++].index = i;
    qsort(v, n, sizeof *v, by_id);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(v[k].id, v[k - 1].id) != 0)
            continue;
        size_t first = k - 1;
        while (first > 0 && strcmp(v[first - 1].id, v[k].id) == 0)
            first--;
        const rule_def *a = &set->rules[v[first].index], *b = &set->rules[v[k].index];
        L->file = b->file;
        rule_jpos pos = {0, b->line, b->col};
        diag_pos(L, RULE_ERROR, pos, b->id, "rule ids must be unique in the set",
                 "duplicate rule id \"%s\" (first at %s:%d:%d)", b->id, set->files[a->file],
                 a->line, a->col);
    }
    L->file = -1;
    free(v);
}

static void check_schemes(loader *L)
{
    rule_set *set = L->set;
    if (!L->header_ok)
        return;
    const cJSON *hs = member(set->header, "schemes");
    L->file = 0;
    L->doc = set->docs[0];
    for (const cJSON *c = cJSON_IsArray(hs) ? hs->child : NULL; c; c = c->next) {
        if (!cJSON_IsString(c))
            continue;
        int used = 0;
        for (size_t i = 0; i < set->nrules && !used; i++)
            used = set->rules[i].scheme && strcmp(set->rules[i].scheme, c->valuestring) == 0;
        if (!used)
            diag_at(L, RULE_WARNING, c, 0, NULL, NULL, "no rule carries scheme \"%s\"",
                    c->valuestring);
    }
    L->file = -1;
    L->doc = NULL;
}

/* For every name, the pattern rules that read it (rule order), and for
 * every field of a rule its place in that list. */
static void index_readers(loader *L)
{
    rule_set *set = L->set;
    set->reader_at = calloc(set->nnames + 1, sizeof *set->reader_at);
    size_t total = 0;
    for (size_t i = 0; i < set->nrules; i++)
        total += set->rules[i].re ? set->rules[i].nfields : 0;
    set->readers = malloc((total ? total : 1) * sizeof *set->readers);
    if (!set->reader_at || !set->readers) {
        L->nomem = 1;
        return;
    }
    for (size_t i = 0; i < set->nrules; i++)
        for (size_t k = 0; set->rules[i].re && k < set->rules[i].nfields; k++)
            set->reader_at[set->rules[i].fields[k] + 1]++;
    for (size_t id = 0; id < set->nnames; id++)
        set->reader_at[id + 1] += set->reader_at[id];
    int *fill = calloc(set->nnames ? set->nnames : 1, sizeof *fill);
    if (!fill) {
        L->nomem = 1;
        return;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        rule_def *r = &set->rules[i];
        if (!r->re || !r->nfields)
            continue;
        r->rpos = calloc(r->nfields, sizeof *r->rpos);
        if (!r->rpos) {
            L->nomem = 1;
            break;
        }
        for (size_t k = 0; k < r->nfields; k++) {
            int id = r->fields[k];
            r->rpos[k] = fill[id];
            set->readers[set->reader_at[id] + fill[id]++] = (int)i;
        }
    }
    free(fill);
}

/* Rules with the same pattern, flags and negatable compute one outcome
 * per value (the default set reads several fields with the same pattern
 * under two ids); the later ones share the first one's compiled pattern.
 * Patterns with neither literals nor prefixes get PCRE2's start bytes. */
static void share_patterns(loader *L)
{
    rule_set *set = L->set;
    for (size_t i = 0; i < set->nrules; i++) {
        rule_def *r = &set->rules[i];
        if (!r->re)
            continue;
        for (size_t j = 0; j < i; j++) {
            const rule_def *q = &set->rules[j];
            if (q->re && q->twin < 0 && q->flags == r->flags && q->negatable == r->negatable &&
                strcmp(q->pattern, r->pattern) == 0) {
                rule_re_free(r->re);
                r->re = q->re;
                r->twin = (int)j;
                break;
            }
        }
        if (r->nlits == 0 && r->npre == 0) {
            unsigned char start[256];
            if (rule_re_start_bytes(r->re, start) && rule_re_anchorable(r->re) == 0) {
                r->start = malloc(256);
                if (!r->start) {
                    L->nomem = 1;
                    return;
                }
                memcpy(r->start, start, 256);
            }
        }
    }
}

/* Literal -> rules, for req (required literals) or pre (prefixes). */
static int invert(loader *L, int pre, int **at_out, int **rules_out)
{
    rule_set *set = L->set;
    size_t nl = rule_lset_count(set->lset), total = 0;
    int *at = calloc(nl + 1, sizeof *at);
    if (!at)
        return -1;
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        size_t n = pre ? r->npre : r->nlits;
        for (size_t k = 0; k < n; k++)
            at[(pre ? r->pre : r->lits)[k] + 1]++;
        total += n;
    }
    for (size_t id = 0; id < nl; id++)
        at[id + 1] += at[id];
    int *rules = malloc((total ? total : 1) * sizeof *rules);
    int *fill = calloc(nl ? nl : 1, sizeof *fill);
    if (!rules || !fill) {
        free(at);
        free(rules);
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        size_t n = pre ? r->npre : r->nlits;
        for (size_t k = 0; k < n; k++) {
            int id = (pre ? r->pre : r->lits)[k];
            rules[at[id] + fill[id]++] = (int)i;
        }
    }
    free(fill);
    *at_out = at;
    *rules_out = rules;
    return 0;
}

/* ---- rules check: patterns against torture subjects ---- */

typedef struct torture {
    const char *name;
    char *text;
    size_t len;
} torture;

/* Repeats unit until the text has about `bytes` bytes, then adds tail. */
static char *repeat(const char *unit, size_t bytes, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail), n = (bytes + ul - 1) / ul;
    char *t = malloc(n * ul + tl + 1);
    if (!t)
        return NULL;
    for (size_t k = 0; k < n; k++)
        memcpy(t + k * ul, unit, ul);
    memcpy(t + n * ul, tail, tl + 1);
    *len = n * ul + tl;
    return t;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs re over text the way evaluation does: leftmost match, then on from
 * just after it (a negated match makes the evaluator go on), at most 1000
 * matches.  Returns the PCRE2 error, or 0. */
static int scan_all(const rule_re *re, rule_rx *rx, const char *text, size_t len)
{
    size_t start = 0, ms, me;
    for (int k = 0; k < 1000 && start <= len; k++) {
        int rc = rule_re_find(re, rx, text, len, start, 1, &ms, &me);
        if (rc <= 0)
            return rc < 0 ? rc : 0;
        start = me > ms ? me : ms + 1;
    }
    return 0;
}

/* Per torture subject of 20-60 KB: a pattern slower than that runs at
 * under 1-3 MB/s.  The slowest pattern of rules/default takes 3 ms (Chinese
 * text without a sentence end). */
#define SLOW_MS 20.0

static void time_pattern(loader *L, const rule_def *r, const rule_re *re, const char *what,
                         rule_rx *rx, const torture *subjects, size_t nsub)
{
    for (size_t k = 0; k < nsub; k++) {
        if (!subjects[k].text)
            continue;
        double t0 = now_ms();
        int rc = scan_all(re, rx, subjects[k].text, subjects[k].len);
        double ms = now_ms() - t0;
        rule_jpos pos = {0, r->line, r->col};
        L->file = r->file;
        if (rc < 0) {
            char msg[128];
            rule_re_strerror(rc, msg, sizeof msg);
            diag_pos(L, RULE_WARNING, pos, r->id,
                     "avoid nested or adjacent unbounded repeats like (a+)+ or .*.*; bound them "
                     "({0,20}) or make them possessive (a++)",
                     "%s hits a PCRE2 limit on %s (%s): such text gives a rule error", what,
                     subjects[k].name, msg);
            break;
        }
        if (ms > SLOW_MS) {
            diag_pos(L, RULE_WARNING, pos, r->id,
                     "bound repeats ({0,20}) and start the pattern with a literal",
                     "%s is slow: %.0f ms on %s (%zu KiB)", what, ms, subjects[k].name,
                     subjects[k].len >> 10);
            break;
        }
    }
    L->file = -1;
}

static void time_when(loader *L, const rule_def *r, const rule_when *w, rule_rx *rx,
                      const torture *subjects, size_t nsub)
{
    if (w->re)
        time_pattern(L, r, w->re, "the \"matches\" pattern", rx, subjects, nsub);
    for (size_t k = 0; k < w->nkids; k++)
        time_when(L, r, &w->kids[k], rx, subjects, nsub);
}

static void speed_check(loader *L)
{
    rule_set *set = L->set;
    torture t[9] = {
        {"a run of 'a' ending in '!'", NULL, 0},
        {"a run of 'a' ending in 'b'", NULL, 0},
        {"a run of spaces", NULL, 0},
        {"a run of digits", NULL, 0},
        {"Chinese text with no sentence end", NULL, 0},
        {"English text with no sentence end", NULL, 0},
        {"mixed Chinese punctuation", NULL, 0},
        {"pseudo-random text", NULL, 0},
        {"the rule's own literals repeated", NULL, 0},
    };
    t[0].text = repeat("a", 20000, "!", &t[0].len);
    t[1].text = repeat("a", 20000, "b", &t[1].len);
    t[2].text = repeat(" ", 20000, "x", &t[2].len);
    t[3].text = repeat("0123456789", 20000, "", &t[3].len);
    t[4].text =
        repeat("研究团队在实验室环境中完成了样机的测试与验证并形成技术方案", 60000, "", &t[4].len);
    t[5].text = repeat("the prototype was tested in a laboratory environment and validated ", 40000,
                       "", &t[5].len);
    t[6].text = repeat("，、：“”（）《》——…", 30000, "", &t[6].len);
    t[7].text = malloc(32769);
    if (t[7].text) {
        static const char *const pieces[] = {"a", "e", " ", "1",  ".",  "测", "试", "，",
                                             "x", "(", "-", "验", "证", "s",  "t",  "/"};
        unsigned seed = 12345;
        size_t at = 0;
        while (at < 32700) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) & 15];
            size_t pl = strlen(p);
            memcpy(t[7].text + at, p, pl);
            at += pl;
        }
        t[7].text[at] = '\0';
        t[7].len = at;
    }
    rule_rx *rx = rule_rx_new();
    if (!rx) {
        L->nomem = 1;
        goto out;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        free(t[8].text);
        t[8].text = NULL;
        t[8].len = 0;
        if (r->nlits > 0) {
            /* the literals a match needs, back to back: near misses galore */
            char unit[2048];
            size_t ul = 0;
            rule_pat_info pi;
            if (rule_pat_analyse(r->pattern, r->pattern_len, r->flags, &pi) == 0) {
                for (size_t k = 0; k < pi.nlits && ul + pi.lens[k] + 2 < sizeof unit; k++) {
                    memcpy(unit + ul, pi.lits[k], pi.lens[k]);
                    ul += pi.lens[k];
                    unit[ul++] = ' ';
                }
                rule_pat_info_release(&pi);
            }
            unit[ul] = '\0';
            if (ul)
                t[8].text = repeat(unit, 20000, "", &t[8].len);
        }
        if (r->re)
            time_pattern(L, r, r->re, "the pattern", rx, t, 9);
        if (r->when)
            time_when(L, r, r->when, rx, t, 9);
    }
    if (set->cues) {
        rule_def cue = {0};
        cue.id = "";
        cue.file = 0;
        time_pattern(L, &cue, set->cues, "\"negation.cues\"", rx, t, 8);
    }
out:
    rule_rx_free(rx);
    for (size_t k = 0; k < 9; k++)
        free(t[k].text);
}

/* ---- the canonical form ---- */

static void make_canonical(loader *L)
{
    rule_set *set = L->set;
    size_t total = 0, cap = 0;
    char *all = NULL;
    for (size_t i = 0; i < set->nfiles; i++) {
        char *c = rule_json_canonical(rule_jdoc_root(set->docs[i]));
        if (!c) {
            L->nomem = 1;
            break;
        }
        size_t len = strlen(c);
        if (total + len + 2 > cap) {
            cap = (total + len + 2) * 2;
            char *na = realloc(all, cap);
            if (!na) {
                free(c);
                L->nomem = 1;
                break;
            }
            all = na;
        }
        memcpy(all + total, c, len);
        total += len;
        all[total++] = '\n';
        all[total] = '\0';
        free(c);
    }
    if (L->nomem) {
        free(all);
        return;
    }
    set->canonical = all ? all : strdup("");
    if (!set->canonical) {
        L->nomem = 1;
        return;
    }
    rule_sha256_hex(set->canonical, total, set->sha256);
}

rule_set *rule_set_load(const char *path, int check_patterns_speed, rule_diags *diags)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.diags = diags;
    L.file = -1;
    rule_set *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    L.set = set;
    set->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    set->lset = rule_lset_new();
    if (!set->lset)
        L.nomem = 1;
    if (!L.nomem && collect_files(&L, path) == 0) {
        parse_files(&L);
        for (size_t i = 0; i < set->nfiles; i++)
            if (set->docs[i])
                load_file(&L, i);
        for (size_t i = 0; i < set->nfiles; i++)
            if (set->docs[i])
                load_cases(&L, i);
        check_duplicate_ids(&L);
        check_schemes(&L);
        if (!L.nomem && rule_names_index(set) < 0)
            L.nomem = 1;
        if (!L.nomem && rule_lset_build(set->lset) < 0)
            L.nomem = 1;
        if (!L.nomem)
            index_readers(&L);
        if (!L.nomem)
            share_patterns(&L);
        if (!L.nomem && (invert(&L, 0, &set->req_at, &set->req_rules) < 0 ||
                         invert(&L, 1, &set->pre_at, &set->pre_rules) < 0))
            L.nomem = 1;
        if (!L.errors && !L.nomem && check_patterns_speed)
            speed_check(&L);
        if (!L.errors && !L.nomem)
            make_canonical(&L);
    }
    if (L.nomem) {
        rule_jpos none = {0, 0, 0};
        L.file = -1;
        L.nomem = 0;
        diag_pos(&L, RULE_ERROR, none, NULL, NULL, "out of memory");
        L.errors++;
    }
    if (L.errors) {
        rule_set_free(set);
        return NULL;
    }
    return set;
}
