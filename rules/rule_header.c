/*
 * rule_header.c: the header of a rule set (set.json, or the top of a
 * one-file set): name, version, schemes and the parameters of the scoring
 * method, each checked against its range, and the negation cue pattern.
 */
#include "rules/rule_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The negation cues the README names, used when the header has none.  For
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

/* ---- the header ---- */

static void check_section(loader *L, const cJSON *sec, const char *name, const char *const *keys)
{
    if (!cJSON_IsObject(sec)) {
        rule_ld_diag_at(L, RULE_ERROR, sec, 0, NULL, NULL, "\"%s\" must be an object, not %s", name,
                        rule_ld_type_name(sec));
        return;
    }
    char what[64];
    snprintf(what, sizeof what, "\"%s\"", name);
    rule_ld_unknown_keys(L, sec, keys, what, NULL);
}

static void check_num_in(loader *L, const cJSON *sec, const char *key, double lo, double hi,
                         int integer)
{
    double v;
    const cJSON *n;
    if (rule_ld_number(L, sec, key, NULL, &v, &n) <= 0)
        return;
    if (v < lo || v > hi || (integer && !rule_ld_is_integer(v))) {
        char range[64];
        if (hi >= 1e300)
            snprintf(range, sizeof range, ">= %g", lo);
        else
            snprintf(range, sizeof range, "%g to %g", lo, hi);
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "\"%s\" must be %s%s, not %g", key,
                        integer ? "a whole number " : "", range, v);
    }
}

static void check_string_list(loader *L, const cJSON *n, const char *key, int unique)
{
    if (!cJSON_IsArray(n)) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "\"%s\" must be a list of strings, not %s",
                        key, rule_ld_type_name(n));
        return;
    }
    for (const cJSON *c = n->child; c; c = c->next) {
        if (!cJSON_IsString(c)) {
            rule_ld_diag_at(L, RULE_ERROR, c, 0, NULL, NULL, "\"%s\" holds %s, not a string", key,
                            rule_ld_type_name(c));
            continue;
        }
        if (unique)
            for (const cJSON *p = n->child; p != c; p = p->next)
                if (cJSON_IsString(p) && strcmp(p->valuestring, c->valuestring) == 0) {
                    rule_ld_diag_at(L, RULE_WARNING, c, 0, NULL, NULL, "\"%s\" lists \"%s\" twice",
                                    key, c->valuestring);
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
        const char *c = rule_ld_string(L, neg, "cues", 0, NULL, "\"negation\"", &cn);
        if (c) {
            if (!c[0]) {
                rule_ld_diag_at(L, RULE_ERROR, cn, 0, NULL, "drop \"cues\" to use the default list",
                                "\"negation.cues\" is empty");
                return;
            }
            rule_re *alone = rule_ld_compile(L, cn, RULE_RE_CASELESS, NULL, "\"negation.cues\"");
            if (!alone)
                return;
            if (rule_re_matches_empty(alone)) {
                rule_ld_diag_at(
                    L, RULE_ERROR, cn, 0, NULL, "every cue must be at least one character",
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
        if (rule_ld_number(L, neg, "gap", NULL, &g, &gn) > 0) {
            if (!rule_ld_is_integer(g) || g < 0 || g > 1000)
                rule_ld_diag_at(L, RULE_ERROR, gn, 0, NULL, NULL,
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
    base_err err;
    size_t off;
    set->cues = rule_re_compile(pat, strlen(pat), RULE_RE_CASELESS, &off, &err);
    if (!set->cues) {
        const cJSON *cn = neg ? rule_ld_member(neg, "cues") : NULL;
        rule_ld_diag_at(L, RULE_ERROR, cn, 0, NULL, "keep the cues a plain alternation",
                        "\"negation.cues\" does not compile inside the cue wrapper: %s", err.msg);
    }
    free(pat);
}

/* name, version, description, languages and schemes. */
static void check_identity(loader *L, const cJSON *h)
{
    rule_set *set = L->set;
    const cJSON *n;
    set->name = rule_ld_string(L, h, "name", 1, NULL, "the header", &n);
    if (set->name && !set->name[0])
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "the set's \"name\" is empty");
    n = rule_ld_member(h, "version");
    if (cJSON_IsNumber(n))
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, "write the version in quotes, e.g. \"2026.11\"",
                        "\"version\" must be a string, not a number");
    else
        set->version = rule_ld_string(L, h, "version", 1, NULL, "the header", &n);
    set->description = rule_ld_string(L, h, "description", 0, NULL, "the header", NULL);
    if ((n = rule_ld_member(h, "languages")))
        check_string_list(L, n, "languages", 1);
    if ((n = rule_ld_member(h, "schemes"))) {
        check_string_list(L, n, "schemes", 1);
        for (const cJSON *c = cJSON_IsArray(n) ? n->child : NULL; c; c = c->next)
            if (cJSON_IsString(c) && c->valuestring[0])
                rule_ld_scheme(L, c->valuestring, 1);
    }
}

static void check_weights(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"trl", "traceability", "novelty", NULL};
    check_section(L, n, "weights", keys);
    double sum = 0, v;
    int ok = cJSON_IsObject(n);
    for (int k = 0; ok && keys[k]; k++) {
        const cJSON *wn;
        int got = rule_ld_number(L, n, keys[k], NULL, &v, &wn);
        if (got < 0) {
            ok = 0;
        } else if (got > 0 && (v < 0 || v > 1)) {
            rule_ld_diag_at(L, RULE_ERROR, wn, 0, NULL, NULL,
                            "weight \"%s\" must be 0 to 1, not %g", keys[k], v);
            ok = 0;
        } else if (got > 0) {
            sum += v;
        }
    }
    if (ok && fabs(sum - 1) > 0.001)
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, "trl + traceability + novelty must make 1",
                        "the weights add up to %g, not 1", sum);
}

static void check_trl(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"threshold",
                                       "support",
                                       "overclaim_margin",
                                       "overclaim_confidence",
                                       "inferred_gap",
                                       "inferred_confidence",
                                       NULL};
    static const char *const supports[] = {"confidence", "required", NULL};
    check_section(L, n, "trl", keys);
    if (!cJSON_IsObject(n))
        return;
    check_num_in(L, n, "threshold", 0, 1e308, 0);
    check_num_in(L, n, "overclaim_margin", 0, 8, 0);
    check_num_in(L, n, "overclaim_confidence", 0, 1, 0);
    check_num_in(L, n, "inferred_gap", 0, 8, 0);
    check_num_in(L, n, "inferred_confidence", 0, 1, 0);
    const cJSON *sn;
    const char *sup = rule_ld_string(L, n, "support", 0, NULL, "\"trl\"", &sn);
    char hint[256];
    if (sup && rule_ld_in_list(sup, supports) < 0)
        rule_ld_diag_at(L, RULE_ERROR, sn, 0, NULL,
                        rule_ld_suggest(sup, supports, hint, sizeof hint),
                        "\"trl.support\" must be \"confidence\" or \"required\", not \"%s\"", sup);
}

static void check_traceability(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"cap", "base", "indicator_traceable", "indicator_partly",
                                       NULL};
    check_section(L, n, "traceability", keys);
    if (!cJSON_IsObject(n))
        return;
    check_num_in(L, n, "cap", 0, 1e308, 0);
    check_num_in(L, n, "base", -1e308, 1e308, 0);
    check_num_in(L, n, "indicator_traceable", -1e308, 1e308, 0);
    check_num_in(L, n, "indicator_partly", -1e308, 1e308, 0);
    double t, p;
    const cJSON *pn;
    if (rule_ld_number(L, n, "indicator_traceable", NULL, &t, NULL) > 0 &&
        rule_ld_number(L, n, "indicator_partly", NULL, &p, &pn) > 0 && p > t)
        rule_ld_diag_at(L, RULE_WARNING, pn, 0, NULL, "partly is the lower threshold",
                        "\"indicator_partly\" %g is above \"indicator_traceable\" %g: no "
                        "indicator can be partly traceable",
                        p, t);
}

static void check_novelty(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"base", NULL};
    check_section(L, n, "novelty", keys);
    if (cJSON_IsObject(n))
        check_num_in(L, n, "base", -1e308, 1e308, 0);
}

static void check_duplicates(loader *L, const cJSON *n)
{
    static const char *const keys[] = {
        "jaccard",  "containment",  "shingle_cjk",   "shingle_latin",
        "num_perm", "stop_phrases", "weighting",     "min_information",
        "inside",   "floor",        "short_jaccard", "short_information",
        NULL};
    check_section(L, n, "duplicates", keys);
    if (!cJSON_IsObject(n))
        return;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(n, "weighting");
    if (w &&
        !(cJSON_IsString(w) && (!strcmp(w->valuestring, "idf") || !strcmp(w->valuestring, "none"))))
        rule_ld_diag_at(L, RULE_ERROR, w, 0, NULL, "weighting is \"idf\" or \"none\"",
                        "\"weighting\" must be \"idf\" (shared material counts by its "
                        "information) or \"none\"");
    check_num_in(L, n, "min_information", 0, 1e6, 0);
    check_num_in(L, n, "inside", 0, 1, 1);
    check_num_in(L, n, "floor", 0, 1, 0);
    check_num_in(L, n, "short_jaccard", 0, 1, 0);
    check_num_in(L, n, "short_information", 0, 1e6, 0);
    check_num_in(L, n, "jaccard", 0, 1, 0);
    check_num_in(L, n, "containment", 0, 1, 0);
    check_num_in(L, n, "shingle_cjk", 1, 64, 1);
    check_num_in(L, n, "shingle_latin", 1, 64, 1);
    check_num_in(L, n, "num_perm", 1, 65536, 1);
    const cJSON *sp = rule_ld_member(n, "stop_phrases");
    if (sp)
        check_string_list(L, sp, "stop_phrases", 1);
}

static void check_limits(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"record_ms", NULL};
    check_section(L, n, "limits", keys);
    if (cJSON_IsObject(n))
        check_num_in(L, n, "record_ms", 0, 86400000, 0);
}

/* Hedge cues after a match (negation.after: "would", "if successful",
 * 有望 ...): whole words, like the cues before. */
static void setup_after(loader *L, const cJSON *neg)
{
    const cJSON *an;
    const char *a = neg && cJSON_IsObject(neg)
                        ? rule_ld_string(L, neg, "after", 0, NULL, "\"negation\"", &an)
                        : NULL;
    if (!a)
        return;
    if (!a[0]) {
        rule_ld_diag_at(L, RULE_ERROR, an, 0, NULL, "drop \"after\" for none",
                        "\"negation.after\" is empty");
        return;
    }
    size_t size = strlen(a) + 160;
    char *pat = malloc(size);
    if (!pat) {
        L->nomem = 1;
        return;
    }
    snprintf(pat, size,
             "(?:(?<![A-Za-z])(?=[A-Za-z])|(?![A-Za-z]))(?:%s)"
             "(?:(?<=[A-Za-z])(?![A-Za-z])|(?<![A-Za-z]))",
             a);
    base_err err;
    size_t off;
    L->set->after = rule_re_compile(pat, strlen(pat), RULE_RE_CASELESS, &off, &err);
    free(pat);
    if (!L->set->after)
        rule_ld_diag_at(L, RULE_ERROR, an, 0, NULL, "keep the cues a plain alternation",
                        "\"negation.after\" does not compile: %s", err.msg);
    else if (rule_re_matches_empty(L->set->after))
        rule_ld_diag_at(L, RULE_ERROR, an, 0, NULL, "every cue must be at least one character",
                        "\"negation.after\" matches empty text: every match would be negated");
}

static void check_negation(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"cues", "after", "gap", NULL};
    check_section(L, n, "negation", keys);
}

/* The verdicts of registry checks, weighed by registry.weights. */
static const char *const registry_verdicts[] = {
    "verified", "not_found", "expired", "out_of_scope", "implausible", "not_checkable", NULL};

static void check_registry(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"weights", "institutes", "gap_trl", NULL};
    check_section(L, n, "registry", keys);
    if (!cJSON_IsObject(n))
        return;
    const cJSON *w = rule_ld_member(n, "weights");
    if (w) {
        check_section(L, w, "registry.weights", registry_verdicts);
        for (int k = 0; cJSON_IsObject(w) && registry_verdicts[k]; k++)
            check_num_in(L, w, registry_verdicts[k], -1000, 1000, 0);
    }
    const cJSON *inst = rule_ld_member(n, "institutes");
    if (inst)
        check_string_list(L, inst, "institutes", 1);
    const cJSON *gap = rule_ld_member(n, "gap_trl");
    if (gap) {
        static const char *const gkeys[] = {"min", "max", NULL};
        check_section(L, gap, "registry.gap_trl", gkeys);
        double lo = 3, hi = 7;
        if (cJSON_IsObject(gap)) {
            check_num_in(L, gap, "min", 1, 9, 1);
            check_num_in(L, gap, "max", 1, 9, 1);
            rule_ld_number(L, gap, "min", NULL, &lo, NULL);
            rule_ld_number(L, gap, "max", NULL, &hi, NULL);
            if (lo > hi)
                rule_ld_diag_at(L, RULE_ERROR, gap, 0, NULL, NULL,
                                "\"registry.gap_trl\": min %g is above max %g", lo, hi);
        }
    }
}

/* The calibration record (`vernier calibrate`, README "The calibration
 * record"): what it was measured on and the figures, checked for shape and
 * range so that what `rules show` and the workbook print is what it says. */
static void check_cal_reading(loader *L, const cJSON *n, const char *name)
{
    static const char *const keys[] = {"label",
                                       "n",
                                       "read",
                                       "coverage",
                                       "mae",
                                       "mae_low",
                                       "mae_high",
                                       "within1",
                                       "baseline_mae",
                                       "baseline_mae_low",
                                       "baseline_mae_high",
                                       "baseline_within1",
                                       "baseline_all_mae",
                                       "baseline_all_within1",
                                       "confusion",
                                       NULL};
    char what[64];
    snprintf(what, sizeof what, "calibration.%s", name);
    check_section(L, n, what, keys);
    if (!cJSON_IsObject(n))
        return;
    rule_ld_string(L, n, "label", 1, NULL, what, NULL);
    check_num_in(L, n, "n", 1, 1e9, 1);
    check_num_in(L, n, "read", 0, 1e9, 1);
    for (int k = 3; keys[k]; k++) {
        if (!strcmp(keys[k], "confusion"))
            continue;
        int share = strstr(keys[k], "coverage") || strstr(keys[k], "within1");
        check_num_in(L, n, keys[k], 0, share ? 1 : 9, 0);
    }
    const cJSON *m = rule_ld_member(n, "confusion");
    if (!m)
        return;
    int ok = cJSON_IsArray(m) && cJSON_GetArraySize(m) == 9;
    for (const cJSON *row = ok ? m->child : NULL; row && ok; row = row->next) {
        ok = cJSON_IsArray(row) && cJSON_GetArraySize(row) == 10;
        for (const cJSON *c = ok ? row->child : NULL; c && ok; c = c->next)
            ok = cJSON_IsNumber(c) && c->valuedouble >= 0 && rule_ld_is_integer(c->valuedouble);
    }
    if (!ok)
        rule_ld_diag_at(L, RULE_ERROR, m, 0, NULL,
                        "9 rows (label 1-9), each of 10 counts (no reading, then reading 1-9)",
                        "\"%s.confusion\" must be 9 rows of 10 whole numbers", what);
}

static void check_calibration(loader *L, const cJSON *n)
{
    static const char *const keys[] = {"date",      "references", "set",     "method_sha256",
                                       "fit",       "parameters", "folds",   "seed",
                                       "bootstrap", "achieved",   "planned", NULL};
    check_section(L, n, "calibration", keys);
    if (!cJSON_IsObject(n))
        return;
    rule_ld_string(L, n, "date", 1, NULL, "\"calibration\"", NULL);
    rule_ld_string(L, n, "method_sha256", 1, NULL, "\"calibration\"", NULL);
    const cJSON *fn;
    const char *fit = rule_ld_string(L, n, "fit", 1, NULL, "\"calibration\"", &fn);
    if (fit && strcmp(fit, "k-fold") && strcmp(fit, "none"))
        rule_ld_diag_at(L, RULE_ERROR, fn, 0, NULL, NULL,
                        "\"calibration.fit\" must be \"k-fold\" or \"none\", not \"%s\"", fit);
    check_num_in(L, n, "folds", 2, 1000, 1);
    check_num_in(L, n, "seed", 0, 4294967295.0, 1);
    check_num_in(L, n, "bootstrap", 0, 1e7, 1);
    const cJSON *r = rule_ld_member(n, "references");
    static const char *const rkeys[] = {"file", "sha256", "n", NULL};
    if (!r) {
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL,
                        "\"calibration\" lacks \"references\" (file, sha256, n)");
    } else {
        check_section(L, r, "calibration.references", rkeys);
        if (cJSON_IsObject(r)) {
            rule_ld_string(L, r, "sha256", 1, NULL, "\"calibration.references\"", NULL);
            check_num_in(L, r, "n", 1, 1e9, 1);
        }
    }
    const cJSON *s = rule_ld_member(n, "set");
    static const char *const skeys[] = {"name", "version", "sha256", NULL};
    if (s)
        check_section(L, s, "calibration.set", skeys);
    const cJSON *p = rule_ld_member(n, "parameters");
    if (p && !cJSON_IsObject(p))
        rule_ld_diag_at(L, RULE_ERROR, p, 0, NULL, NULL,
                        "\"calibration.parameters\" must be an object of numbers");
    for (const cJSON *c = cJSON_IsObject(p) ? p->child : NULL; c; c = c->next)
        if (!cJSON_IsNumber(c))
            rule_ld_diag_at(L, RULE_ERROR, c, 0, NULL, NULL,
                            "\"calibration.parameters.%s\" must be a number, not %s", c->string,
                            rule_ld_type_name(c));
    const cJSON *a = rule_ld_member(n, "achieved");
    if (a)
        check_cal_reading(L, a, "achieved");
    const cJSON *pl = rule_ld_member(n, "planned");
    if (pl)
        check_cal_reading(L, pl, "planned");
    if (!a && !pl)
        rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL,
                        "\"calibration\" holds no reading (achieved or planned)");
}

/* The sections of the header, each checked by its function when present
 * (negation is then compiled whether present or not). */
static const struct {
    const char *key;
    void (*check)(loader *L, const cJSON *n);
} sections[] = {
    {"weights", check_weights},           {"trl", check_trl},
    {"traceability", check_traceability}, {"novelty", check_novelty},
    {"duplicates", check_duplicates},     {"limits", check_limits},
    {"negation", check_negation},         {"registry", check_registry},
    {"calibration", check_calibration},
};

const char *const rule_ld_header_keys[] = {"name",     "version",     "languages", "description",
                                           "schemes",  "weights",     "trl",       "traceability",
                                           "novelty",  "duplicates",  "limits",    "negation",
                                           "registry", "calibration", NULL};

void rule_ld_header(loader *L, const cJSON *h)
{
    L->set->header = h;
    check_identity(L, h);
    for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++) {
        const cJSON *n = rule_ld_member(h, sections[k].key);
        if (n)
            sections[k].check(L, n);
    }
    setup_negation(L, rule_ld_member(h, "negation"));
    setup_after(L, rule_ld_member(h, "negation"));
    L->header_ok = 1;
}
