/*
 * rule_set.c: what a loaded rule set answers (header, parameters, rules,
 * cases), switching schemes, freeing, and the small helpers shared by the
 * loader and the evaluator.
 */
#include "rules/rule_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rule_diags_free(rule_diags *d)
{
    if (!d)
        return;
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

void rule_hits_free(rule_hits *h)
{
    if (!h)
        return;
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

void rule_when_release(rule_when *w)
{
    if (!w)
        return;
    for (size_t k = 0; k < w->nkids; k++)
        rule_when_release(&w->kids[k]);
    free(w->kids);
    free(w->vals);
    rule_re_free(w->re);
}

void rule_set_free(rule_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->nrules; i++) {
        rule_def *r = &set->rules[i];
        free(r->fields);
        if (r->twin < 0)
            rule_re_free(r->re);
        free(r->start);
        if (r->when) {
            rule_when_release(r->when);
            free(r->when);
        }
        free(r->lits);
        free(r->pre);
        free(r->rpos);
    }
    free(set->reader_at);
    free(set->readers);
    free(set->req_at);
    free(set->req_rules);
    free(set->pre_at);
    free(set->pre_rules);
    free(set->rules);
    for (size_t i = 0; i < set->ncases; i++)
        free(set->cases[i].json);
    free(set->cases);
    for (size_t i = 0; i < set->nnames; i++)
        free(set->names[i].s);
    free(set->names);
    free(set->name_hash);
    for (size_t i = 0; i < set->nschemes; i++)
        free(set->schemes[i].name);
    free(set->schemes);
    rule_re_free(set->cues);
    rule_re_free(set->after);
    rule_lset_free(set->lset);
    free(set->canonical);
    for (size_t i = 0; i < set->nfiles; i++) {
        rule_jdoc_free(set->docs[i]);
        free(set->files[i]);
    }
    free(set->docs);
    free(set->files);
    if (set->c_locale)
        freelocale(set->c_locale);
    free(set);
}

int rule_set_scheme(rule_set *set, const char *scheme, int on)
{
    for (size_t k = 0; k < set->nschemes; k++) {
        if (strcmp(set->schemes[k].name, scheme) == 0) {
            for (size_t i = 0; i < set->nrules; i++)
                if (set->rules[i].scheme_id == (int)k) {
                    set->schemes[k].on = on != 0;
                    return 0;
                }
            return -1;
        }
    }
    return -1;
}

const char *rule_set_name(const rule_set *set)
{
    return set->name;
}

const char *rule_set_version(const rule_set *set)
{
    return set->version;
}

const char *rule_set_description(const rule_set *set)
{
    return set->description ? set->description : "";
}

const char *rule_set_sha256(const rule_set *set)
{
    return set->sha256;
}

const char *rule_set_canonical(const rule_set *set)
{
    return set->canonical;
}

const char *rule_set_method_sha256(const rule_set *set)
{
    return set->method_sha256;
}

/* The header node at a dotted path, or NULL. */
static const cJSON *param_node(const rule_set *set, const char *path)
{
    const cJSON *node = set->header;
    while (node && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        const cJSON *found = NULL;
        if (cJSON_IsArray(node) && len > 0 && len < 10 && strspn(path, "0123456789") == len) {
            long k = strtol(path, NULL, 10);
            for (const cJSON *c = node->child; c && !found; c = c->next, k--)
                if (k == 0)
                    found = c;
        } else if (cJSON_IsObject(node))
            for (const cJSON *c = node->child; c; c = c->next)
                if (c->string && strlen(c->string) == len && memcmp(c->string, path, len) == 0) {
                    found = c;
                    break;
                }
        node = found;
        path += len + (dot ? 1 : 0);
        if (dot && !*path)
            return NULL; /* "a." */
    }
    return node;
}

double rule_set_param(const rule_set *set, const char *path, double fallback)
{
    const cJSON *n = param_node(set, path);
    return cJSON_IsNumber(n) ? n->valuedouble : fallback;
}

const char *rule_set_param_str(const rule_set *set, const char *path)
{
    const cJSON *n = param_node(set, path);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

size_t rule_set_param_list_len(const rule_set *set, const char *path)
{
    const cJSON *n = param_node(set, path);
    if (!cJSON_IsArray(n))
        return 0;
    size_t k = 0;
    for (const cJSON *c = n->child; c; c = c->next)
        k++;
    return k;
}

const char *rule_set_param_list_item(const rule_set *set, const char *path, size_t i)
{
    const cJSON *n = param_node(set, path);
    if (!cJSON_IsArray(n))
        return NULL;
    for (const cJSON *c = n->child; c; c = c->next, i--)
        if (i == 0)
            return cJSON_IsString(c) ? c->valuestring : NULL;
    return NULL;
}

size_t rule_count(const rule_set *set)
{
    return set->nrules;
}

/* Accessors take any index; out of range gives the "none" answer. */
static const rule_def *def(const rule_set *set, size_t i)
{
    return i < set->nrules ? &set->rules[i] : NULL;
}

const char *rule_id(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->id : "";
}

int rule_dimension(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->dim : 0;
}

const char *rule_dimension_name(int dim)
{
    switch (dim) {
    case RULE_DIM_TRL:
        return "trl";
    case RULE_DIM_TRACEABILITY:
        return "traceability";
    case RULE_DIM_NOVELTY:
        return "novelty";
    case RULE_DIM_FLAG:
        return "flag";
    case RULE_DIM_REFERENCE:
        return "reference";
    default:
        return "";
    }
}

const char *rule_registry(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r && r->registry ? r->registry : "";
}

int rule_level(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->level : 0;
}

int rule_reading(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->reading : RULE_READ_ACHIEVED;
}

const char *rule_reading_name(int reading)
{
    return reading == RULE_READ_PLANNED  ? "planned"
           : reading == RULE_READ_STATED ? "stated"
                                         : "achieved";
}

double rule_points(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->points : 0;
}

int rule_severity(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->severity : RULE_SEV_NONE;
}

const char *rule_severity_name(int sev)
{
    switch (sev) {
    case RULE_SEV_INFO:
        return "info";
    case RULE_SEV_WARN:
        return "warn";
    case RULE_SEV_ERROR:
        return "error";
    default:
        return "";
    }
}

const char *rule_why(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r && r->why ? r->why : "";
}

const char *rule_message(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r && r->message ? r->message : "";
}

const char *rule_pattern(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r && r->pattern ? r->pattern : "";
}

const char *rule_scheme(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r && r->scheme ? r->scheme : "";
}

int rule_enabled(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    if (!r)
        return 0;
    return r->scheme_id < 0 || set->schemes[r->scheme_id].on;
}

const char *rule_file(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? set->files[r->file] : "";
}

int rule_line(const rule_set *set, size_t i)
{
    const rule_def *r = def(set, i);
    return r ? r->line : 0;
}

size_t rule_case_count(const rule_set *set)
{
    return set->ncases;
}

const char *rule_case_id(const rule_set *set, size_t i)
{
    return i < set->ncases ? set->cases[i].id : "";
}

const char *rule_case_json(const rule_set *set, size_t i)
{
    return i < set->ncases ? set->cases[i].json : "";
}

const char *rule_case_file(const rule_set *set, size_t i)
{
    return i < set->ncases ? set->files[set->cases[i].file] : "";
}

int rule_case_line(const rule_set *set, size_t i)
{
    return i < set->ncases ? set->cases[i].line : 0;
}

/* ---- shared helpers ---- */

static size_t name_hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603u;
    for (size_t k = 0; k < len; k++)
        h = (h ^ (unsigned char)s[k]) * 1099511628211u;
    return h;
}

int rule_name_find(const rule_set *set, const char *name, size_t len)
{
    if (!set->name_hcap)
        return -1;
    size_t h = name_hash(name, len) & (set->name_hcap - 1);
    while (set->name_hash[h] >= 0) {
        const char *s = set->names[set->name_hash[h]].s;
        if (strlen(s) == len && memcmp(s, name, len) == 0)
            return set->name_hash[h];
        h = (h + 1) & (set->name_hcap - 1);
    }
    return -1;
}

int rule_names_index(rule_set *set)
{
    size_t cap = 16;
    while (cap < 2 * set->nnames)
        cap *= 2;
    int *h = malloc(cap * sizeof *h);
    if (!h)
        return -1;
    for (size_t k = 0; k < cap; k++)
        h[k] = -1;
    for (size_t i = 0; i < set->nnames; i++) {
        const char *s = set->names[i].s;
        size_t at = name_hash(s, strlen(s)) & (cap - 1);
        while (h[at] >= 0)
            at = (at + 1) & (cap - 1);
        h[at] = (int)i;
    }
    free(set->name_hash);
    set->name_hash = h;
    set->name_hcap = cap;
    return 0;
}

int rule_parse_number(const rule_set *set, const char *s, size_t len, double *out)
{
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len > 63)
        return 0;
    /* [+-]? digits [. digits] [e [+-] digits], at least one digit */
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return 0;
    }
    if (i != len)
        return 0;
    char buf[64];
    memcpy(buf, s, len);
    buf[len] = '\0';
    double v = set->c_locale ? strtod_l(buf, NULL, set->c_locale) : strtod(buf, NULL);
    if (!isfinite(v))
        return 0;
    *out = v;
    return 1;
}

void rule_set_prefilter(rule_set *set, int on)
{
    set->no_prefilter = !on;
}

void rule_set_negation(rule_set *set, int on)
{
    set->no_negation = !on;
}

size_t rule_set_prefiltered(const rule_set *set)
{
    size_t k = 0;
    for (size_t i = 0; i < set->nrules; i++)
        k += set->rules[i].nlits > 0;
    return k;
}
