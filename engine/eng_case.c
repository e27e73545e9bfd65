/*
 * eng_case.c: a rule set's test case scored as vernier scores a record
 * (see eng_case.h).
 */
#include "engine/eng_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eng_case_scorer_init(eng_case_scorer *s)
{
    memset(s, 0, sizeof *s);
    eng_record_init(&s->rec);
}

/* Forgets the last case. */
static void forget(eng_case_scorer *s)
{
    eng_eval_release(&s->eval);
    memset(&s->eval, 0, sizeof s->eval);
    eng_record_release(&s->rec);
    eng_record_init(&s->rec);
}

void eng_case_scorer_release(eng_case_scorer *s)
{
    forget(s);
    free(s->ids);
    s->ids = NULL;
    s->cap = 0;
}

int eng_case_score(void *arg, const rule_set *set, const char *record_json, size_t len,
                   rule_case_score *out, base_err *err)
{
    eng_case_scorer *s = arg;
    forget(s);
    eng_err rerr;
    eng_err_clear(&rerr);
    if (eng_record_from_json(record_json, len, &s->rec, &rerr))
        return base_fail(err, rerr.code, "record: %s", rerr.msg);
    int rc = eng_eval_record(set, &s->rec, &s->eval, err);
    if (rc)
        return rc;
    const eng_eval *e = &s->eval;
    size_t need = e->nhits + e->flags.nrules + ENG_FLAG_NBUILTIN + e->nverdicts + 1;
    if (need > s->cap) {
        const char **nv = realloc(s->ids, need * sizeof *nv);
        if (!nv)
            return base_fail(err, BASE_EIO, "out of memory");
        s->ids = nv;
        s->cap = need;
    }
    size_t n = 0;
    for (size_t k = 0; k < e->nhits; k++)
        if (!e->hits[k].error)
            s->ids[n++] = e->hits[k].rule_id;
    out->hits = s->ids;
    out->nhits = n;
    out->flags = s->ids + n;
    for (size_t k = 0; k < e->flags.nrules; k++)
        s->ids[n++] = rule_id(set, e->flags.rules[k]);
    for (unsigned bit = 0; bit < ENG_FLAG_NBUILTIN; bit++)
        if (e->flags.bits & (1u << bit))
            s->ids[n++] = eng_flag_name(1u << bit);
    out->nflags = (size_t)(s->ids + n - out->flags);
    out->verdicts = s->ids + n;
    out->nverdicts = e->nverdicts;
    for (size_t k = 0; k < e->nverdicts; k++)
        s->ids[n++] = e->verdicts[k].verdict;
    /* no reading is < 0 for the cases, never level 0 */
    out->trl_evidenced = e->score.trl_evidenced ? e->score.trl_evidenced : -1;
    out->trl_planned = e->score.trl_planned ? e->score.trl_planned : -1;
    out->trl_stated = e->score.trl_stated ? e->score.trl_stated : -1;
    out->trl_claimed = e->score.trl_claimed;
    out->trl_confidence = e->score.trl_confidence;
    out->traceability = e->score.traceability;
    out->novelty = e->score.novelty;
    out->overall = e->score.overall;
    return 0;
}
