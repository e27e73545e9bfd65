/*
 * eng_method: the scoring method (stated in eng_method.h): tallying a
 * record's hits, the TRL ladder and its confidence, traceability, novelty,
 * overall and the flags.
 */
#include "engine/eng_method.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_buf.h"

void eng_method_init(eng_method *m, const rule_set *set)
{
    m->threshold = rule_set_param(set, "trl.threshold", 2.0);
    m->margin = rule_set_param(set, "trl.overclaim_margin", 2.0);
    m->overclaim_conf = rule_set_param(set, "trl.overclaim_confidence", 0.0);
    m->inferred_gap = rule_set_param(set, "trl.inferred_gap", 2.0);
    m->inferred_conf = rule_set_param(set, "trl.inferred_confidence", 0.2);
    const char *support = rule_set_param_str(set, "trl.support");
    m->support_required = support && !strcmp(support, "required");
    m->cap = rule_set_param(set, "traceability.cap", 100.0);
    m->ind_traceable = rule_set_param(set, "traceability.indicator_traceable", 30.0);
    m->ind_partly = rule_set_param(set, "traceability.indicator_partly", 10.0);
    m->novelty_base = rule_set_param(set, "novelty.base", 100.0);
    m->w_trl = rule_set_param(set, "weights.trl", 0.4);
    m->w_trace = rule_set_param(set, "weights.traceability", 0.35);
    m->w_nov = rule_set_param(set, "weights.novelty", 0.25);
}

const eng_method_param eng_method_trl_params[] = {
    {"trl.threshold", 0.5, 6.0, 0.5},
    {NULL, 0, 0, 0},
};

double eng_method_get(const eng_method *m, const char *name)
{
    if (!strcmp(name, "trl.threshold"))
        return m->threshold;
    return 0;
}

int eng_method_set(eng_method *m, const char *name, double value)
{
    if (!strcmp(name, "trl.threshold")) {
        m->threshold = value;
        return 0;
    }
    return -1;
}

/* ---- flags ------------------------------------------------------------------------ */

static const char *const builtin_names[ENG_FLAG_NBUILTIN] = {
    "TRL-OVERCLAIM", "RULE-ERROR", "DUP-EXACT",     "DUP-NEAR",
    "DUP-PARTIAL",   "DUP-INSIDE", "METROLOGY-GAP", "TRL-CLAIM-UNSUPPORTED",
};

const char *eng_flag_name(unsigned bit)
{
    for (int k = 0; k < ENG_FLAG_NBUILTIN; k++)
        if (bit == 1u << k)
            return builtin_names[k];
    return NULL;
}

int eng_flags_add_rule(eng_flags *f, size_t rule)
{
    for (size_t i = 0; i < f->nrules; i++)
        if (f->rules[i] == rule)
            return 0;
    if (f->nrules == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 4;
        size_t *nv = realloc(f->rules, nc * sizeof *nv);
        if (!nv)
            return -1;
        f->rules = nv;
        f->cap = nc;
    }
    f->rules[f->nrules++] = rule;
    return 0;
}

int eng_flags_has(const eng_flags *f, const rule_set *set, const char *id)
{
    for (int k = 0; k < ENG_FLAG_NBUILTIN; k++)
        if ((f->bits & (1u << k)) && !strcmp(builtin_names[k], id))
            return 1;
    for (size_t i = 0; i < f->nrules; i++)
        if (!strcmp(rule_id(set, f->rules[i]), id))
            return 1;
    return 0;
}

/* Whether id is among the first n ids the array would hold. */
static int listed_before(const eng_flags *f, const rule_set *set, size_t n, const char *id)
{
    for (size_t i = 0; i < n && i < f->nrules; i++)
        if (!strcmp(rule_id(set, f->rules[i]), id))
            return 1;
    return 0;
}

char *eng_flags_json(const eng_flags *f, const rule_set *set)
{
    base_buf b = {0};
    base_buf_cat(&b, "[");
    size_t n = 0;
    for (size_t i = 0; i < f->nrules; i++) {
        const char *id = rule_id(set, f->rules[i]);
        if (listed_before(f, set, i, id))
            continue;
        base_buf_cat(&b, n++ ? "," : "");
        base_buf_json(&b, id);
    }
    for (int k = 0; k < ENG_FLAG_NBUILTIN; k++) {
        if (!(f->bits & (1u << k)) || listed_before(f, set, f->nrules, builtin_names[k]))
            continue;
        base_buf_cat(&b, n++ ? "," : "");
        base_buf_json(&b, builtin_names[k]);
    }
    base_buf_cat(&b, "]");
    return base_buf_take(&b);
}

void eng_flags_release(eng_flags *f)
{
    free(f->rules);
    memset(f, 0, sizeof *f);
}

/* ---- the tally ---------------------------------------------------------------------- */

int eng_tally_init(eng_tally *t, const rule_set *set, size_t nindicators)
{
    memset(t, 0, sizeof *t);
    t->nrules = rule_count(set);
    t->nindicators = nindicators;
    t->seen = calloc(t->nrules ? t->nrules : 1, 1);
    t->seen_item = calloc(t->nrules * nindicators + 1, 1);
    t->ind_points = calloc(nindicators ? nindicators : 1, sizeof *t->ind_points);
    if (!t->seen || !t->seen_item || !t->ind_points) {
        eng_tally_release(t);
        return -1;
    }
    return 0;
}

void eng_tally_release(eng_tally *t)
{
    free(t->seen);
    free(t->seen_item);
    free(t->ind_points);
    eng_flags_release(&t->flags);
    memset(t, 0, sizeof *t);
}

int eng_tally_hit(eng_tally *t, const rule_set *set, size_t rule, int item, int error,
                  double *points)
{
    *points = 0;
    if (error) {
        t->errors++;
        return 0;
    }
    unsigned char *seen =
        item >= 0 ? &t->seen_item[rule * t->nindicators + (size_t)item] : &t->seen[rule];
    double pts = *seen ? 0 : rule_points(set, rule);
    int level = rule_level(set, rule);
    switch (rule_dimension(set, rule)) {
    case RULE_DIM_TRL:
        if (!*seen && level >= 1 && level <= 9) {
            t->level_ev[rule_reading(set, rule)][level] += pts;
            *points = pts;
        }
        break;
    case RULE_DIM_TRACEABILITY:
        t->trace += pts;
        *points = pts;
        if (item >= 0)
            t->ind_points[item] += pts;
        break;
    case RULE_DIM_NOVELTY:
        t->novelty_pts += pts;
        *points = pts;
        break;
    case RULE_DIM_FLAG:
        if (eng_flags_add_rule(&t->flags, rule))
            return -1;
        break;
    }
    *seen = 1;
    return 0;
}

void eng_tally_add(eng_tally *t, int item, double points)
{
    t->trace += points;
    if (item >= 0 && (size_t)item < t->nindicators)
        t->ind_points[item] += points;
}

/* ---- scores ---------------------------------------------------------------------------- */

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The highest level whose evidence reaches the threshold (0: none), and its confidence. */
static int trl_ladder(const eng_method *m, const double *ev, int support, double *conf)
{
    int level = 0;
    for (int L = 9; L >= 1 && !level; L--) {
        if (ev[L] + 1e-9 < m->threshold)
            continue;
        if (support && L > 2 && ev[L - 1] <= 0 && ev[L - 2] <= 0)
            continue;
        level = L;
    }
    *conf = 0;
    if (level) {
        int below = 0, with = 0;
        for (int L = level - 1; L >= 1 && L >= level - 2; L--) {
            below++;
            with += ev[L] > 0;
        }
        *conf = 0.5 * fmin(1.0, ev[level] / (2 * m->threshold)) +
                0.5 * (below ? (double)with / below : 1.0);
    }
    return level;
}

void eng_method_score(const eng_method *m, eng_tally *t, const eng_record *r, eng_score *s)
{
    double conf, pconf, sconf;
    int evidenced = trl_ladder(m, t->level_ev[RULE_READ_ACHIEVED], m->support_required, &conf);
    int planned = trl_ladder(m, t->level_ev[RULE_READ_PLANNED], 0, &pconf);
    int stated = trl_ladder(m, t->level_ev[RULE_READ_STATED], 0, &sconf);
    if (!planned && r->trl_target >= 1 && r->trl_target <= 9) {
        planned = r->trl_target;
        pconf = 1;
    }
    if (r->trl_claimed >= 1 && r->trl_claimed <= 9) {
        stated = r->trl_claimed;
        sconf = 1;
    }
    s->trl_claimed = r->trl_claimed ? r->trl_claimed : r->trl_target;
    s->trl_evidenced = evidenced;
    s->trl_confidence = round(conf * 1000) / 1000;
    s->trl_inferred = 0;
    /* Only a plan: the level the project starts from, inferred (a completed
     * project's level is read from its acceptance, never from its plan). */
    if (!evidenced && planned && !r->has_acceptance) {
        int inferred = (int)lround(planned - m->inferred_gap);
        s->trl_evidenced = inferred < 1 ? 1 : inferred > 9 ? 9 : inferred;
        s->trl_confidence = round(m->inferred_conf * 1000) / 1000;
        s->trl_inferred = 1;
    }
    s->trl_planned = planned;
    s->trl_planned_confidence = planned ? round(pconf * 1000) / 1000 : 0;
    s->trl_stated = stated;
    s->trl_stated_confidence = stated ? round(sconf * 1000) / 1000 : 0;
    s->traceability = clamp(t->trace, 0, m->cap);
    if (m->cap > 0 && m->cap != 100)
        s->traceability = s->traceability * 100 / m->cap;
    /* Nothing to read (a title alone): traceability and novelty are not
     * assessable, not 0 and not 100. */
    if (!eng_method_readable(r))
        s->traceability = -1;
    s->novelty = -1;
    s->rule_errors = t->errors;
    /* Only a completed project claims a level: a proposal's or a running
     * project's target is a plan, and a plan cannot over-claim. */
    if (r->has_acceptance && s->trl_claimed) {
        if (evidenced && s->trl_confidence + 1e-9 >= m->overclaim_conf) {
            if (s->trl_claimed - evidenced >= m->margin)
                t->flags.bits |= ENG_FLAG_TRL_OVERCLAIM;
        } else {
            t->flags.bits |= ENG_FLAG_TRL_CLAIM_UNSUPPORTED;
        }
    }
    if (t->errors)
        t->flags.bits |= ENG_FLAG_RULE_ERROR;
}

const char *eng_method_indicator_verdict(const eng_method *m, double points)
{
    return points >= m->ind_traceable ? "traceable"
           : points >= m->ind_partly  ? "partly"
                                      : "untraceable";
}

static int has_text(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

int eng_method_readable(const eng_record *r)
{
    return has_text(r->abstract) || has_text(r->acc_summary) || has_text(r->acc_outcomes) ||
           r->nindicators > 0;
}

void eng_method_finish(const eng_method *m, eng_score *s, double sim, double novelty_pts)
{
    if (s->traceability < 0) /* nothing to read: a title's likeness is not novelty */
        s->novelty = -1;
    else if (sim >= 0)
        s->novelty = round(clamp(m->novelty_base * (1 - sim) + novelty_pts, 0, 100) * 10) / 10;
    else
        s->novelty = -1;
    double trl = s->trl_evidenced / 9.0 * 100;
    /* no reading, or one inferred from the plan: left out, not 0 */
    double w_trl = s->trl_evidenced && !s->trl_inferred ? m->w_trl : 0;
    double w_trace = s->traceability >= 0 ? m->w_trace : 0; /* not assessable: left out */
    double wsum = w_trl + w_trace + (s->novelty >= 0 ? m->w_nov : 0);
    double sum = w_trl * trl + (w_trace ? w_trace * s->traceability : 0) +
                 (s->novelty >= 0 ? m->w_nov * s->novelty : 0);
    s->overall = wsum > 0 ? round(sum / wsum * 10) / 10 : -1;
    if (s->traceability >= 0)
        s->traceability = round(s->traceability * 10) / 10;
}
