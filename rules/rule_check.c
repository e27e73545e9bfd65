/*
 * rule_check.c: one rule of a set, read and checked (rules/FORMAT.md): its
 * id, dimension and scope, the fields it reads, its effect (level, points,
 * severity), its scheme, its pattern (compiled, with the literals of the
 * prefilter) and its condition.  Also the names and schemes a set
 * interns.
 */
#include "rules/rule_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const rule_keys[] = {"id",       "dimension", "scope",  "fields",   "pattern",
                                        "flags",    "level",     "points", "severity", "negatable",
                                        "when",     "absent",    "scheme", "why",      "message",
                                        "registry", "reading",   NULL};
static const char *const readings[] = {"achieved", "planned", "stated", NULL};
static const char *const dimensions[] = {"trl",  "traceability", "novelty",
                                         "flag", "reference",    NULL};
/* What a reference rule's matches may name. */
static const char *const registries[] = {"lab", "institute", "uncertainty",
                                         "crm", "standard",  NULL};
static const char *const scopes[] = {"record", "indicator", NULL};
static const char *const flag_names[] = {"caseless", "multiline", "dotall", "extended", NULL};
static const char *const severities[] = {"info", "warn", "error", NULL};

/* ---- names ---- */

int rule_ld_intern(loader *L, const char *s)
{
    rule_set *set = L->set;
    for (size_t k = 0; k < set->nnames; k++)
        if (strcmp(set->names[k].s, s) == 0)
            return (int)k;
    int base = -1;
    if (strncmp(s, "record.", 7) == 0 && s[7]) {
        base = rule_ld_intern(L, s + 7);
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
    nm->s = rule_ld_strdup(L, s);
    if (!nm->s)
        return -1;
    nm->parent = base >= 0;
    nm->base = base >= 0 ? base : (int)set->nnames;
    return (int)set->nnames++;
}

/* Reports a name outside the vocabulary the engine hands in for the scope
 * (FORMAT.md, now the README): an error when it is a near miss of a known
 * name, a warning otherwise. */
void rule_ld_check_name(loader *L, const cJSON *node, const char *name, int scope,
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
    if (rule_ld_in_list(bare, vocab) >= 0)
        return;
    char hint[256];
    rule_ld_suggest(bare, vocab, hint, sizeof hint);
    /* A near miss of a known name is a typo that would leave the rule
     * reading nothing: an error.  A name unlike any is only a warning. */
    int typo = hint[0] != '\0';
    if (!typo)
        snprintf(hint, sizeof hint,
                 "the engine hands in the names listed in the README (\"Names the engine "
                 "hands in\"); extra fields are \"extra.NAME\"");
    rule_ld_diag_at(L, typo ? RULE_ERROR : RULE_WARNING, node, 0, rule_id, hint,
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
        rule_ld_diag_at(L, RULE_ERROR, flags, 0, rule_id, "write e.g. \"flags\": [\"caseless\"]",
                        "\"flags\" must be a list, not %s", rule_ld_type_name(flags));
        return 0;
    }
    for (const cJSON *c = flags->child; c; c = c->next) {
        int k = cJSON_IsString(c) ? rule_ld_in_list(c->valuestring, flag_names) : -1;
        if (k < 0) {
            char hint[256];
            if (cJSON_IsString(c))
                rule_ld_suggest(c->valuestring, flag_names, hint, sizeof hint);
            else
                hint[0] = '\0';
            if (!hint[0])
                snprintf(hint, sizeof hint, "flags are caseless, multiline, dotall, extended");
            rule_ld_diag_at(L, RULE_ERROR, c, 0, rule_id, hint, "unknown flag %s%s%s",
                            cJSON_IsString(c) ? "\"" : "",
                            cJSON_IsString(c) ? c->valuestring : "a value",
                            cJSON_IsString(c) ? "\"" : "");
            continue;
        }
        f |= 1u << k; /* caseless, multiline, dotall, extended = RULE_RE_* bits */
    }
    return f;
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

int rule_ld_scheme(loader *L, const char *name, int on)
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
    nv[set->nschemes].name = rule_ld_strdup(L, name);
    nv[set->nschemes].on = on;
    if (!nv[set->nschemes].name)
        return -1;
    return (int)set->nschemes++;
}
/* Frees what a rule owns (a rule not yet shared: no twin, no rpos). */
static void rule_release(rule_def *r)
{
    free(r->fields);
    rule_re_free(r->re);
    if (r->when) {
        rule_when_release(r->when);
        free(r->when);
    }
    free(r->lits);
    free(r->pre);
    memset(r, 0, sizeof *r);
}

/* The rule's id, "" when missing or malformed (reported). */
static const char *read_id(loader *L, const cJSON *obj)
{
    const cJSON *n;
    const char *id = rule_ld_string(L, obj, "id", 1, NULL, "a rule", &n);
    if (id && (!valid_id(id) || strlen(id) > 100)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, "e.g. \"TRL4-LAB-VALIDATION\"",
                        "rule id \"%.100s\" must be 1-100 letters, digits, '-', '_' or '.'", id);
        id = NULL;
    }
    return id ? id : "";
}

/* The member key of obj as one of names (0-based), or -1 when absent or
 * not one of them (reported, with `choices` in the message). */
static int read_choice(loader *L, const cJSON *obj, const char *key, int required,
                       const char *const *names, const char *choices, const char *rid)
{
    const cJSON *n;
    const char *s = rule_ld_string(L, obj, key, required, rid, "the rule", &n);
    if (!s)
        return -1;
    int k = rule_ld_in_list(s, names);
    if (k < 0) {
        char hint[256];
        rule_ld_diag_at(L, RULE_ERROR, n, 0, rid, rule_ld_suggest(s, names, hint, sizeof hint),
                        "unknown %s \"%s\" (%s)", key, s, choices);
    }
    return k;
}

/* One name of "fields": appended to r->fields (room for it is there).
 * Returns -1 when memory ran out. */
static int add_field(loader *L, const cJSON *c, rule_def *r)
{
    const char *rid = r->id;
    if (!cJSON_IsString(c) || !c->valuestring[0]) {
        rule_ld_diag_at(L, RULE_ERROR, c, 0, rid, NULL, "a field name must be a non-empty string");
        return 0;
    }
    if (strncmp(c->valuestring, "record.", 7) == 0) {
        rule_ld_diag_at(L, RULE_ERROR, c, 0, rid,
                        "read the record's value in \"when\", or make the rule record-scoped",
                        "\"%s\": record.NAME may be read by \"when\" only", c->valuestring);
        return 0;
    }
    rule_ld_check_name(L, c, c->valuestring, r->scope, rid);
    int fid = rule_ld_intern(L, c->valuestring);
    if (fid < 0)
        return -1;
    for (size_t k = 0; k < r->nfields; k++)
        if (r->fields[k] == fid) {
            rule_ld_diag_at(L, RULE_WARNING, c, 0, rid, NULL, "field \"%s\" is listed twice",
                            c->valuestring);
            return 0;
        }
    r->fields[r->nfields++] = fid;
    return 0;
}

/* "fields": the names the pattern is matched against.  Returns -1 when
 * memory ran out. */
static int read_fields(loader *L, const cJSON *obj, const cJSON *pat, rule_def *r)
{
    const char *rid = r->id;
    const cJSON *fields = rule_ld_member(obj, "fields");
    if (!fields) {
        if (pat)
            rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid,
                            "e.g. \"fields\": [\"abstract\", \"acceptance.summary\"]",
                            "the rule has a pattern but no \"fields\" to match it against");
        return 0;
    }
    if (!cJSON_IsArray(fields)) {
        rule_ld_diag_at(L, RULE_ERROR, fields, 0, rid, NULL, "\"fields\" must be a list, not %s",
                        rule_ld_type_name(fields));
        return 0;
    }
    size_t nf = (size_t)cJSON_GetArraySize(fields);
    if (nf == 0 && pat)
        rule_ld_diag_at(L, RULE_ERROR, fields, 0, rid, "name at least one field",
                        "\"fields\" is empty: the pattern is matched against nothing%s",
                        r->absent ? " and the rule always fires" : " and the rule never fires");
    if (nf > 0 && !pat)
        rule_ld_diag_at(L, RULE_WARNING, fields, 0, rid, NULL,
                        "\"fields\" are not read: the rule has no pattern");
    if (nf == 0)
        return 0;
    r->fields = calloc(nf, sizeof *r->fields);
    if (!r->fields) {
        L->nomem = 1;
        return -1;
    }
    for (const cJSON *c = fields->child; c; c = c->next)
        if (add_field(L, c, r) < 0)
            return -1;
    return 0;
}

/* "level", "reading" and "points". */
static void read_weight(loader *L, const cJSON *obj, rule_def *r)
{
    const char *rid = r->id;
    double v;
    const cJSON *ln;
    int has_level = rule_ld_number(L, obj, "level", rid, &v, &ln);
    if (has_level > 0) {
        if (!rule_ld_is_integer(v) || v < 1 || v > 9)
            rule_ld_diag_at(L, RULE_ERROR, ln, 0, rid, NULL,
                            "\"level\" must be a whole number 1-9");
        else if (r->dim != RULE_DIM_TRL && r->dim)
            rule_ld_diag_at(L, RULE_WARNING, ln, 0, rid, NULL,
                            "\"level\" is ignored: only trl rules have one");
        else
            r->level = (int)v;
    } else if (has_level == 0 && r->dim == RULE_DIM_TRL) {
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid, "add \"level\": 1 to 9",
                        "a trl rule needs a \"level\"");
    }
    const cJSON *rn;
    const char *reading = rule_ld_string(L, obj, "reading", 0, rid, "the rule", &rn);
    if (reading) {
        int k = rule_ld_in_list(reading, readings);
        if (k < 0)
            rule_ld_diag_at(L, RULE_ERROR, rn, 0, rid, "achieved, planned or stated",
                            "unknown reading \"%s\"", reading);
        else if (r->dim != RULE_DIM_TRL)
            rule_ld_diag_at(L, RULE_WARNING, rn, 0, rid, NULL,
                            "\"reading\" is ignored: only trl rules have one");
        else
            r->reading = k;
    }
    const cJSON *pn;
    int has_points = rule_ld_number(L, obj, "points", rid, &v, &pn);
    r->points = r->dim == RULE_DIM_TRL ? 1 : 0;
    if (has_points <= 0)
        return;
    if (!isfinite(v)) {
        rule_ld_diag_at(L, RULE_ERROR, pn, 0, rid, NULL, "\"points\" must be a finite number");
    } else if (r->dim == RULE_DIM_FLAG || r->dim == RULE_DIM_REFERENCE) {
        rule_ld_diag_at(
            L, RULE_WARNING, pn, 0, rid,
            r->dim == RULE_DIM_REFERENCE ? "the header's registry.weights give the points" : NULL,
            "\"points\" are ignored for %s rules", r->dim == RULE_DIM_FLAG ? "flag" : "reference");
    } else {
        r->points = v;
        if (r->dim == RULE_DIM_TRL && v <= 0)
            rule_ld_diag_at(L, RULE_WARNING, pn, 0, rid, "trl points are evidence weights, > 0",
                            "trl \"points\" %g never count as evidence", v);
    }
}

/* "registry": what a reference rule's matches name. */
static void read_registry(loader *L, const cJSON *obj, rule_def *r)
{
    const char *rid = r->id;
    int k = read_choice(L, obj, "registry", 0, registries,
                        "lab, institute, uncertainty, crm or standard", rid);
    const cJSON *n = rule_ld_member(obj, "registry");
    if (k >= 0 && r->dim != RULE_DIM_REFERENCE && r->dim)
        rule_ld_diag_at(L, RULE_WARNING, n, 0, rid, NULL,
                        "\"registry\" is ignored: only reference rules name a registry");
    else if (k >= 0)
        r->registry = registries[k];
    else if (!n && r->dim == RULE_DIM_REFERENCE)
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid,
                        "add \"registry\": \"lab\", \"institute\", \"uncertainty\", \"crm\" or "
                        "\"standard\"",
                        "a reference rule needs a \"registry\"");
    if (r->dim == RULE_DIM_REFERENCE && r->absent)
        rule_ld_diag_at(L, RULE_ERROR, rule_ld_member(obj, "absent"), 0, rid, NULL,
                        "a reference rule reads what its matches name: it cannot be \"absent\"");
}

/* "severity", "why" and "message". */
static void read_words(loader *L, const cJSON *obj, rule_def *r)
{
    const char *rid = r->id;
    const cJSON *n;
    int sev = read_choice(L, obj, "severity", 0, severities, "info, warn or error", rid);
    if (sev >= 0)
        r->severity = RULE_SEV_INFO + sev;
    else if (!rule_ld_member(obj, "severity") && r->dim == RULE_DIM_FLAG)
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid,
                        "add \"severity\": \"info\", \"warn\" or \"error\"",
                        "a flag rule needs a \"severity\"");
    const char *why = rule_ld_string(L, obj, "why", 1, rid, "the rule", &n);
    if (why && !why[0])
        rule_ld_diag_at(L, RULE_ERROR, n, 0, rid, "name the standard, clause or reasoning",
                        "\"why\" is empty");
    r->why = why;
    r->message = rule_ld_string(L, obj, "message", 0, rid, "the rule", &n);
}

/* Whether the header declares scheme: 1 or 0, -1 when the header is not
 * read.  OUT: hint, a near miss among the declared ones. */
static int declared_scheme(loader *L, const char *scheme, char *hint, size_t size)
{
    hint[0] = '\0';
    if (!L->header_ok)
        return -1;
    const cJSON *hs = rule_ld_member(L->set->header, "schemes");
    const char *names[64];
    size_t k = 0;
    int declared = 0;
    for (const cJSON *c = hs ? hs->child : NULL; c; c = c->next) {
        if (!cJSON_IsString(c))
            continue;
        declared |= strcmp(c->valuestring, scheme) == 0;
        if (k < 63)
            names[k++] = c->valuestring;
    }
    names[k] = NULL;
    if (!declared)
        rule_ld_suggest(scheme, names, hint, size);
    return declared;
}

/* "scheme": the tag that turns the rule on or off. */
static void read_scheme(loader *L, const cJSON *obj, rule_def *r)
{
    const cJSON *n;
    r->scheme = rule_ld_string(L, obj, "scheme", 0, r->id, "the rule", &n);
    if (r->scheme && !r->scheme[0]) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, r->id, "drop \"scheme\" for an untagged rule",
                        "\"scheme\" is empty");
        r->scheme = NULL;
    }
    if (!r->scheme)
        return;
    char hint[256];
    int declared = declared_scheme(L, r->scheme, hint, sizeof hint);
    if (declared == 0)
        rule_ld_diag_at(L, RULE_WARNING, n, 0, r->id,
                        hint[0] ? hint : "declare it in the header's \"schemes\" to turn it on",
                        "scheme \"%s\" is not in the header's \"schemes\": the rule is off unless "
                        "a run turns the scheme on",
                        r->scheme);
    r->scheme_id = rule_ld_scheme(L, r->scheme, declared == 1);
}

/* The literals of the prefilter: those every match contains (lits) and
 * those every match starts with (pre), as literal ids of the set. */
static void add_literals(loader *L, const rule_pat_info *pi, rule_def *r)
{
    rule_lset *ls = L->set->lset;
    if (pi->nlits > 0 && !(r->lits = calloc(pi->nlits, sizeof *r->lits))) {
        L->nomem = 1;
        return;
    }
    for (size_t k = 0; k < pi->nlits; k++) {
        int lid = rule_lset_add(ls, pi->lits[k], pi->lens[k], 0);
        if (lid < 0) {
            L->nomem = 1;
            return;
        }
        r->lits[r->nlits++] = lid;
    }
    if (pi->npre == 0)
        return;
    if (rule_re_anchorable(r->re) < 0 || !(r->pre = calloc(pi->npre, sizeof *r->pre))) {
        L->nomem = 1;
        return;
    }
    for (size_t k = 0; k < pi->npre; k++) {
        int lid = rule_lset_add(ls, pi->pre[k], pi->prelens[k], 1);
        if (lid < 0) {
            L->nomem = 1;
            return;
        }
        r->pre[r->npre++] = lid;
    }
}

/* Compiles the pattern, refuses one that never matches or matches empty
 * text, and finds its prefilter literals. */
static void compile_pattern(loader *L, const cJSON *pat, rule_def *r)
{
    const char *rid = r->id;
    r->pattern_len = strlen(r->pattern);
    if (r->pattern_len == 0) {
        rule_ld_diag_at(L, RULE_ERROR, pat, 0, rid, NULL, "the pattern is empty");
        return;
    }
    r->re = rule_ld_compile(L, pat, r->flags, rid, "the pattern");
    if (!r->re)
        return;
    rule_pat_info pi;
    if (rule_pat_analyse(r->pattern, r->pattern_len, r->flags, &pi) < 0) {
        L->nomem = 1;
        return;
    }
    if (pi.never)
        rule_ld_diag_at(L, RULE_ERROR, pat, 0, rid, "remove (?!) or (*FAIL) from every branch",
                        "the pattern can never match any text%s",
                        r->absent ? ", so the absent rule fires on every record"
                                  : ", so the rule never fires");
    else if (rule_re_matches_empty(r->re))
        rule_ld_diag_at(L, RULE_ERROR, pat, 0, rid,
                        "make at least one character required (x+ rather than x*)",
                        "the pattern matches empty text, so it matches every value");
    add_literals(L, &pi, r);
    rule_pat_info_release(&pi);
}

/* "when": the condition, NULL when it is wrong (reported). */
static void read_condition(loader *L, const cJSON *when, rule_def *r)
{
    rule_ctx rc = {r->id, r->scope, r->flags};
    r->when = calloc(1, sizeof *r->when);
    if (!r->when) {
        L->nomem = 1;
    } else if (rule_ld_when(L, when, r->when, &rc, 1) < 0) {
        rule_when_release(r->when);
        free(r->when);
        r->when = NULL;
    }
}

void rule_ld_rule(loader *L, const cJSON *obj)
{
    if (!cJSON_IsObject(obj)) {
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, NULL, NULL, "a rule must be an object, not %s",
                        rule_ld_type_name(obj));
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
    r.id = read_id(L, obj);
    const char *rid = r.id;
    rule_ld_unknown_keys(L, obj, rule_keys, "a rule", rid);
    int dim = read_choice(L, obj, "dimension", 1, dimensions,
                          "trl, traceability, novelty, flag or reference", rid);
    r.dim = dim >= 0 ? RULE_DIM_TRL + dim : 0;
    r.scope = read_choice(L, obj, "scope", 0, scopes, "record or indicator", rid) == 1
                  ? RULE_SCOPE_ITEM
                  : RULE_SCOPE_RECORD;
    r.flags = flags_of(L, rule_ld_member(obj, "flags"), rid);

    const cJSON *pat;
    r.pattern = rule_ld_string(L, obj, "pattern", 0, rid, "the rule", &pat);
    const cJSON *when = rule_ld_member(obj, "when");
    rule_ld_bool(L, obj, "absent", rid, &r.absent);
    rule_ld_bool(L, obj, "negatable", rid, &r.negatable);
    if (!pat && !when)
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid, "add a \"pattern\" (and \"fields\")",
                        "the rule has neither \"pattern\" nor \"when\": it would fire on every "
                        "record");
    if (!pat && r.absent)
        rule_ld_diag_at(L, RULE_ERROR, obj, 0, rid, "add the \"pattern\" whose absence it reports",
                        "an \"absent\" rule needs a \"pattern\"");
    if (read_fields(L, obj, pat, &r) < 0)
        goto fail;
    read_weight(L, obj, &r);
    read_registry(L, obj, &r);
    read_words(L, obj, &r);
    read_scheme(L, obj, &r);
    if (r.negatable && !pat)
        rule_ld_diag_at(L, RULE_WARNING, rule_ld_member(obj, "negatable"), 0, rid, NULL,
                        "\"negatable\" is ignored: the rule has no pattern");
    if (r.pattern)
        compile_pattern(L, pat, &r);
    if (when)
        read_condition(L, when, &r);
    if (!L->nomem && push_rule(L, &r) == 0)
        return;
fail:
    rule_release(&r);
}
