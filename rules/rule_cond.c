/*
 * rule_cond.c: a rule's `when` condition, read and checked: groups (all,
 * any, not), comparisons on one named value, and the contradictions an
 * "all" group can hold (a rule that could never fire).
 */
#include "rules/rule_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WHEN_DEPTH 32

static const char *const op_names[] = {"eq", "ne", "lt",      "le",      "gt",
                                       "ge", "in", "present", "matches", NULL};
static const char *const cond_keys[] = {"all", "any", "not", "field", "eq",      "ne",      "lt",
                                        "le",  "gt",  "ge",  "in",    "present", "matches", NULL};

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
    rule_ld_diag_at(L, RULE_ERROR, v, 0, rule_id, "write the value as a string or a number",
                    "a condition compares with a string or a number, not %s", rule_ld_type_name(v));
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
                rule_ld_diag_at(L, RULE_ERROR, cj, 0, rc->id,
                                "the rule can never fire: fix or drop one",
                                "\"all\" holds contradictory conditions on \"%s\" (%s)",
                                L->set->names[a->name].s, why);
        }
    }
}

/* {"all"|"any": [...]} or {"not": {...}}: group is that member. */
static int load_group(loader *L, const cJSON *node, const cJSON *group, rule_when *w,
                      const rule_ctx *rc, int depth)
{
    for (const cJSON *c = node->child; c; c = c->next)
        if (c != group && rule_ld_in_list(c->string, cond_keys) >= 0)
            rule_ld_diag_at(
                L, RULE_ERROR, c, 1, rc->id, "put each condition in its own object inside the list",
                "\"%s\" cannot stand beside \"%s\" in one condition", c->string, group->string);
    int is_not = !strcmp(group->string, "not"), is_all = !strcmp(group->string, "all");
    w->kind = is_not ? W_NOT : is_all ? W_ALL : W_ANY;
    if (!is_not && !cJSON_IsArray(group)) {
        rule_ld_diag_at(L, RULE_ERROR, group, 0, rc->id, NULL, "\"%s\" must be a list, not %s",
                        group->string, rule_ld_type_name(group));
        return -1;
    }
    size_t n = is_not ? 1 : (size_t)cJSON_GetArraySize(group);
    if (n == 0) {
        rule_ld_diag_at(L, RULE_ERROR, group, 0, rc->id,
                        "give it at least one condition or drop it", "an empty \"%s\" list %s",
                        group->string,
                        is_all ? "always holds" : "can never hold, so the rule never fires");
        return -1;
    }
    w->kids = calloc(n, sizeof *w->kids);
    if (!w->kids) {
        L->nomem = 1;
        return -1;
    }
    w->nkids = n;
    if (is_not)
        return rule_ld_when(L, group, &w->kids[0], rc, depth + 1);
    int rc2 = 0;
    size_t k = 0;
    for (const cJSON *c = group->child; c; c = c->next, k++)
        if (rule_ld_when(L, c, &w->kids[k], rc, depth + 1) < 0)
            rc2 = -1;
    if (rc2 == 0 && is_all)
        check_all(L, group, w, rc);
    return rc2;
}

/* The operator member of a comparison, NULL when there is none or more
 * than one (reported). */
static const cJSON *the_operator(loader *L, const cJSON *node, const char *field,
                                 const rule_ctx *rc)
{
    const cJSON *op = NULL;
    int nops = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        if (rule_ld_in_list(c->string, op_names) >= 0) {
            if (nops++ == 0)
                op = c;
            else
                rule_ld_diag_at(L, RULE_ERROR, c, 1, rc->id,
                                "combine single conditions with \"all\"",
                                "a condition has one operator, \"%s\" is a second one", c->string);
        }
    if (!op)
        rule_ld_diag_at(L, RULE_ERROR, node, 0, rc->id,
                        "operators: eq, ne, lt, le, gt, ge, in, present, matches",
                        "the condition on \"%s\" has no operator", field);
    return nops > 1 ? NULL : op;
}

/* "in": a non-empty list of operands. */
static int load_in(loader *L, const cJSON *op, rule_when *w, const rule_ctx *rc)
{
    if (!cJSON_IsArray(op)) {
        rule_ld_diag_at(L, RULE_ERROR, op, 0, rc->id, NULL, "\"in\" must be a list, not %s",
                        rule_ld_type_name(op));
        return -1;
    }
    size_t n = (size_t)cJSON_GetArraySize(op);
    if (n == 0) {
        rule_ld_diag_at(L, RULE_ERROR, op, 0, rc->id, "list the values or drop the condition",
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

/* "matches": a pattern that can match and does not match empty text. */
static int load_matches(loader *L, const cJSON *op, rule_when *w, const rule_ctx *rc)
{
    if (!cJSON_IsString(op)) {
        rule_ld_diag_at(L, RULE_ERROR, op, 0, rc->id, NULL,
                        "\"matches\" must be a pattern (a string), not %s", rule_ld_type_name(op));
        return -1;
    }
    w->re = rule_ld_compile(L, op, rc->flags, rc->id, "the \"matches\" pattern");
    if (!w->re)
        return -1;
    rule_pat_info pi;
    if (rule_pat_analyse(op->valuestring, strlen(op->valuestring), rc->flags, &pi) < 0) {
        L->nomem = 1;
        return -1;
    }
    if (pi.never)
        rule_ld_diag_at(L, RULE_ERROR, op, 0, rc->id, "remove (?!) or (*FAIL) from every branch",
                        "the \"matches\" pattern can never match, so the condition never holds");
    else if (rule_re_matches_empty(w->re))
        rule_ld_diag_at(L, RULE_WARNING, op, 0, rc->id, "use \"present\": true for that",
                        "the \"matches\" pattern matches empty text: it holds for every present "
                        "value");
    rule_pat_info_release(&pi);
    return 0;
}

/* {"field": NAME, OP: VALUE} */
static int load_cmp(loader *L, const cJSON *node, rule_when *w, const rule_ctx *rc)
{
    w->kind = W_CMP;
    const cJSON *fn;
    const char *field = rule_ld_string(L, node, "field", 0, rc->id, "a condition", &fn);
    if (!fn) {
        rule_ld_diag_at(
            L, RULE_ERROR, node, 0, rc->id,
            "write {\"field\": NAME, OP: VALUE} or {\"all\"|\"any\": [...]} or {\"not\": {...}}",
            "a condition needs \"field\" and an operator");
        return -1;
    }
    if (!field)
        return -1;
    const cJSON *op = the_operator(L, node, field, rc);
    if (!op)
        return -1;
    rule_ld_check_name(L, fn, field, rc->scope, rc->id);
    w->name = rule_ld_intern(L, field);
    if (w->name < 0)
        return -1;
    w->op = OP_EQ + rule_ld_in_list(op->string, op_names);
    switch (w->op) {
    case OP_PRESENT:
        if (!cJSON_IsBool(op)) {
            rule_ld_diag_at(L, RULE_ERROR, op, 0, rc->id, NULL,
                            "\"present\" must be true or false, not %s", rule_ld_type_name(op));
            return -1;
        }
        w->present = cJSON_IsTrue(op);
        return 0;
    case OP_IN:
        return load_in(L, op, w, rc);
    case OP_MATCHES:
        return load_matches(L, op, w, rc);
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

int rule_ld_when(loader *L, const cJSON *node, rule_when *w, const rule_ctx *rc, int depth)
{
    memset(w, 0, sizeof *w);
    if (!cJSON_IsObject(node)) {
        rule_ld_diag_at(L, RULE_ERROR, node, 0, rc->id,
                        "e.g. {\"field\": \"acceptance.conclusion\", \"present\": true}",
                        "a condition must be an object, not %s", rule_ld_type_name(node));
        return -1;
    }
    if (depth > MAX_WHEN_DEPTH) {
        rule_ld_diag_at(L, RULE_ERROR, node, 0, rc->id, NULL,
                        "conditions nested deeper than %d levels", MAX_WHEN_DEPTH);
        return -1;
    }
    rule_ld_unknown_keys(L, node, cond_keys, "a condition", rc->id);
    const cJSON *all = rule_ld_member(node, "all"), *any = rule_ld_member(node, "any");
    const cJSON *group = all ? all : any ? any : rule_ld_member(node, "not");
    if (group)
        return load_group(L, node, group, w, rc, depth);
    return load_cmp(L, node, w, rc);
}
