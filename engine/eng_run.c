/*
 * eng_run: evaluating a rule set over the store and turning hits into
 * scores (see eng_run.h for the scoring method).
 *
 * The duplicate stage runs first over every record; then the rules run in
 * batches (RUN_BATCH records), split by record across threads; each thread
 * fills the result slots of its records, and a batch's results are written
 * in record order as soon as it is done, so the stored run depends neither on
 * the number of threads nor on the batch size, and memory holds one batch's
 * hits.  The whole run is one transaction.
 */
#include "engine/eng_run.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/base_buf.h"
#include "base/base_pool.h"
#include "engine/eng_dupstage.h"
#include "engine/eng_method.h"
#include "engine/eng_reuse.h"
#include "base/base_sha256.h"

static char *xstrndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* ---- subjects: the names of rules/FORMAT.md ------------------------------------ */

/* The values handed to the rules; they grow as needed, so a record with many
 * extra fields loses none of them.  Out of memory marks the subject, and the
 * record's evaluation fails rather than running on part of it. */
typedef struct subject_buf {
    rule_value *values;
    size_t n, cap;
    char **owned; /* strings built for this subject, freed with it */
    size_t nowned, owncap;
    int oom;
} subject_buf;

static int sv_own(subject_buf *s, char *p)
{
    if (!p) {
        s->oom = 1;
        return 0;
    }
    if (s->nowned == s->owncap) {
        size_t nc = s->owncap ? s->owncap * 2 : 16;
        char **nv = realloc(s->owned, nc * sizeof *nv);
        if (!nv) {
            free(p);
            s->oom = 1;
            return 0;
        }
        s->owned = nv;
        s->owncap = nc;
    }
    s->owned[s->nowned++] = p;
    return 1;
}

static void sv_add(subject_buf *s, const char *name, const char *text)
{
    if (!text || !*text)
        return;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        rule_value *nv = realloc(s->values, nc * sizeof *nv);
        if (!nv) {
            s->oom = 1;
            return;
        }
        s->values = nv;
        s->cap = nc;
    }
    s->values[s->n].name = name;
    s->values[s->n].text = text;
    s->values[s->n].len = strlen(text);
    s->n++;
}

static void sv_add_owned(subject_buf *s, const char *name, char *text)
{
    if (sv_own(s, text))
        sv_add(s, name, text);
}

static void sv_add_int(subject_buf *s, const char *name, int v)
{
    char buf[16];
    if (!v)
        return;
    snprintf(buf, sizeof buf, "%d", v);
    sv_add_owned(s, name, strdup(buf));
}

static void subject_release(subject_buf *s)
{
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->values);
    memset(s, 0, sizeof *s);
}

static char *indicator_line(const eng_indicator *ind)
{
    base_buf b = {0};
    base_buf_cat(&b, ind->name);
    base_buf_cat(&b, ": ");
    if (ind->target) {
        base_buf_cat(&b, ind->target);
        base_buf_cat(&b, " → ");
    }
    base_buf_cat(&b, ind->achieved);
    if (ind->unit) {
        base_buf_cat(&b, " ");
        base_buf_cat(&b, ind->unit);
    }
    const char *rest[] = {ind->method, ind->lab, ind->accreditation, ind->report_no,
                          ind->uncertainty};
    for (size_t i = 0; i < 5; i++)
        if (rest[i]) {
            base_buf_cat(&b, "; ");
            base_buf_cat(&b, rest[i]);
        }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}

static void build_record_subject(const eng_record *r, subject_buf *s)
{
    sv_add(s, "id", r->id);
    sv_add(s, "kind", r->kind);
    sv_add(s, "source", r->source);
    sv_add(s, "title", r->title);
    sv_add(s, "abstract", r->abstract);
    if (r->nkeywords) {
        base_buf b = {0};
        for (size_t i = 0; i < r->nkeywords; i++) {
            if (i)
                base_buf_cat(&b, "; ");
            base_buf_cat(&b, r->keywords[i]);
        }
        sv_add_owned(s, "keywords", base_buf_take(&b));
    }
    sv_add(s, "organisation", r->organisation);
    sv_add(s, "pi", r->pi);
    sv_add(s, "field", r->field);
    sv_add(s, "start", r->start);
    sv_add(s, "end", r->end);
    if (r->has_budget) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", r->budget);
        sv_add_owned(s, "budget", strdup(buf));
    }
    sv_add(s, "currency", r->currency);
    sv_add_int(s, "trl_start", r->trl_start);
    sv_add_int(s, "trl_target", r->trl_target);
    sv_add_int(s, "trl_claimed", r->trl_claimed);
    sv_add(s, "acceptance.date", r->acc_date);
    sv_add(s, "acceptance.conclusion", r->acc_conclusion);
    sv_add(s, "acceptance.summary", r->acc_summary);
    sv_add(s, "acceptance.outcomes", r->acc_outcomes);
    if (r->nindicators) {
        base_buf b = {0};
        for (size_t i = 0; i < r->nindicators; i++) {
            char *line = indicator_line(&r->indicators[i]);
            if (i)
                base_buf_cat(&b, "\n");
            base_buf_cat(&b, line);
            free(line);
        }
        sv_add_owned(s, "indicators", base_buf_take(&b));
    }
    {
        base_buf b = {0};
        const char *parts[] = {r->title, r->abstract, r->acc_summary, r->acc_outcomes};
        for (size_t i = 0; i < 4; i++)
            if (parts[i]) {
                if (b.n)
                    base_buf_cat(&b, "\n");
                base_buf_cat(&b, parts[i]);
            }
        if (r->nkeywords) {
            for (size_t i = 0; i < r->nkeywords; i++) {
                base_buf_cat(&b, i ? "; " : "\n");
                base_buf_cat(&b, r->keywords[i]);
            }
        }
        sv_add_owned(s, "text", base_buf_take(&b));
    }
    for (size_t i = 0; i < r->nextra; i++) {
        char *name = malloc(strlen(r->extra[i].key) + 7);
        if (!sv_own(s, name)) /* the name must outlive the subject too */
            continue;
        sprintf(name, "extra.%s", r->extra[i].key);
        /* Extras hold JSON text: a plain string is shown without its quotes. */
        const char *v = r->extra[i].value;
        size_t vl = strlen(v);
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"' && !strchr(v + 1, '\\'))
            sv_add_owned(s, name, xstrndup(v + 1, vl - 2));
        else
            sv_add_owned(s, name, strdup(v));
    }
}

/* Values of one indicator, plus the record's values prefixed "record." for `when`. */
static void build_item_subject(const eng_indicator *ind, const subject_buf *rec, subject_buf *s)
{
    const char *vals[] = {ind->name,          ind->target,    ind->achieved,
                          ind->unit,          ind->method,    ind->lab,
                          ind->accreditation, ind->report_no, ind->uncertainty};
    for (size_t k = 0; eng_indicator_fields[k]; k++)
        sv_add(s, eng_indicator_fields[k], vals[k]);
    sv_add_owned(s, "text", indicator_line(ind));
    for (size_t i = 0; i < rec->n; i++) {
        char *name = malloc(strlen(rec->values[i].name) + 8);
        if (!sv_own(s, name))
            break;
        sprintf(name, "record.%s", rec->values[i].name);
        sv_add(s, name, rec->values[i].text);
    }
}

/* ---- one record ------------------------------------------------------------------ */

void eng_eval_release(eng_eval *e)
{
    if (!e)
        return;
    eng_score_release(&e->score);
    eng_hits_free(e->hits, e->nhits);
    eng_verdicts_free(e->verdicts, e->nverdicts);
    eng_flags_release(&e->flags);
    eng_reg_checks_free(e->checks, e->nchecks);
    memset(e, 0, sizeof *e);
}

int eng_eval_has_flag(const eng_eval *e, const rule_set *set, const char *id)
{
    return eng_flags_has(&e->flags, set, id);
}

/* strdup that marks *oom instead of returning NULL unnoticed (NULL in, NULL out). */
static char *dup_or(int *oom, const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

static char *dupn_or(int *oom, const char *s, size_t n)
{
    char *d = xstrndup(s, n);
    if (!d)
        *oom = 1;
    return d;
}

/* Copies one rule hit into a hit row (strings owned by the row). */
static void hit_row(const rule_set *set, const rule_hit *h, const subject_buf *src,
                    const char *project_id, eng_hit *o, int *oom)
{
    size_t rule = (size_t)h->rule;
    o->project_id = dup_or(oom, project_id);
    o->rule_id = dup_or(oom, rule_id(set, rule));
    int dim = rule_dimension(set, rule), reading = rule_reading(set, rule);
    /* a planned or stated reading's evidence is told apart from achieved */
    o->dimension = dup_or(oom, dim == RULE_DIM_TRL && reading == RULE_READ_PLANNED ? "trl.planned"
                               : dim == RULE_DIM_TRL && reading == RULE_READ_STATED
                                   ? "trl.stated"
                                   : rule_dimension_name(dim));
    o->indicator = h->item;
    o->level = rule_level(set, rule);
    o->severity = dup_or(oom, rule_severity_name(rule_severity(set, rule)));
    o->message = dup_or(oom, rule_message(set, rule));
    o->error = h->error;
    if (h->value >= 0) {
        const rule_value *v = &src->values[h->value];
        size_t cs, ce;
        o->field = dup_or(oom, v->name);
        o->offset = (long)h->offset;
        o->len = (long)h->len;
        o->match = dupn_or(oom, v->text + h->offset, h->len);
        rule_context(v->text, v->len, h->offset, h->len, 80, &cs, &ce);
        o->context = dupn_or(oom, v->text + cs, ce - cs);
    } else {
        o->field = dup_or(oom, "");
        o->match = dup_or(oom, "");
        o->context = dup_or(oom, "");
    }
}

/* Evaluates the rules on one record and applies the method; the flags stay
 * typed in out->flags (score.flags is filled by the caller, once the
 * duplicate flags are known).  -1 when memory ran out (out may hold part of
 * the result: release it). */
/* The registries a run checks references against (rs NULL: none loaded). */
typedef struct reg_ctx {
    const eng_regset *rs;
    eng_reg_weights w;
} reg_ctx;

/* Checks the record's references (its reference hits), adds each verdict's
 * points to the tally and a reason to its indicator.  Returns -1 when memory
 * ran out. */
static int check_references(const rule_set *set, const reg_ctx *reg, const eng_record *r,
                            eng_tally *t, base_buf *ind_reasons, eng_eval *out)
{
    double total;
    if (eng_reg_check_hits(reg->rs, set, &reg->w, r, out->hits, out->nhits, &out->checks,
                           &out->nchecks, &total, NULL, NULL))
        return -1;
    for (size_t i = 0; i < out->nchecks; i++) {
        const eng_reg_check *c = &out->checks[i];
        eng_tally_add(t, c->indicator, c->points);
        if (c->indicator < 0)
            continue;
        base_buf *rb = &ind_reasons[c->indicator];
        base_buf_printf(rb, "%sregistry: %s %s", rb->n ? "; " : "", c->claim,
                        eng_verdict_name(c->verdict));
    }
    return 0;
}

/* The evidence of an achieved reading inferred from the plan (eng_method.h):
 * one row (rule ENG_TRL_INFERRED_RULE, dimension trl, no points) that
 * says so, so that explain, export and the workbook show why.  -1 when
 * memory ran out. */
static int inferred_row(const eng_method *m, const eng_score *s, eng_eval *out, int *oom)
{
    eng_hit *nv = realloc(out->hits, (out->nhits + 1) * sizeof *nv);
    if (!nv)
        return -1;
    out->hits = nv;
    eng_hit *o = &out->hits[out->nhits++];
    memset(o, 0, sizeof *o);
    char msg[256];
    snprintf(msg, sizeof msg,
             "由计划推断：计划TRL %d，减%g级（trl.inferred_gap），未见已完成工作的陈述 / inferred "
             "from plan: planned TRL %d minus %g levels (trl.inferred_gap); no statement of "
             "completed work read",
             s->trl_planned, m->inferred_gap, s->trl_planned, m->inferred_gap);
    o->project_id = dup_or(oom, s->project_id);
    o->rule_id = dup_or(oom, ENG_TRL_INFERRED_RULE);
    o->dimension = dup_or(oom, "trl");
    o->field = dup_or(oom, "");
    o->indicator = -1;
    o->match = dup_or(oom, "");
    o->context = dup_or(oom, "");
    o->level = s->trl_evidenced;
    o->severity = dup_or(oom, "");
    o->message = dup_or(oom, msg);
    return *oom ? -1 : 0;
}

static int eval_one(const rule_set *set, rule_scratch *scratch, const eng_method *m,
                    const reg_ctx *reg, const eng_record *r, const char *content_hash,
                    eng_eval *out)
{
    memset(out, 0, sizeof *out);
    size_t nind = r->nindicators;
    subject_buf rs = {0};
    build_record_subject(r, &rs);
    subject_buf *items = calloc(nind ? nind : 1, sizeof *items);
    rule_subject *isubj = calloc(nind ? nind : 1, sizeof *isubj);
    base_buf *ind_reasons = calloc(nind ? nind : 1, sizeof *ind_reasons);
    rule_hits hits = {0};
    eng_tally t;
    int tally_ok = 0, oom = 0, rc = -1;
    if (!items || !isubj || !ind_reasons || rs.oom)
        goto done;
    for (size_t i = 0; i < nind; i++) {
        build_item_subject(&r->indicators[i], &rs, &items[i]);
        if (items[i].oom)
            goto done;
        isubj[i].values = items[i].values;
        isubj[i].nvalues = items[i].n;
    }
    rule_subject subj = {rs.values, rs.n, isubj, nind};
    if (rule_eval(set, scratch, &subj, &hits) != 0)
        goto done;
    if (eng_tally_init(&t, set, nind))
        goto done;
    tally_ok = 1;
    out->hits = calloc(hits.n ? hits.n : 1, sizeof *out->hits);
    if (!out->hits)
        goto done;
    for (size_t k = 0; k < hits.n; k++) {
        const rule_hit *h = &hits.v[k];
        eng_hit *o = &out->hits[out->nhits++];
        hit_row(set, h, h->item >= 0 ? &items[h->item] : &rs, r->id, o, &oom);
        if (oom || eng_tally_hit(&t, set, (size_t)h->rule, h->item, h->error, &o->points))
            goto done;
        if (h->item >= 0 && !h->error) {
            /* The indicator's verdict names the rules behind it, each once. */
            base_buf *rb = &ind_reasons[h->item];
            const char *why = *o->message ? o->message : o->rule_id;
            if (!rb->p || !strstr(rb->p, why)) {
                if (rb->n)
                    base_buf_cat(rb, "; ");
                base_buf_cat(rb, why);
            }
        }
    }

    if (reg && reg->rs && check_references(set, reg, r, &t, ind_reasons, out))
        goto done;

    eng_score *s = &out->score;
    s->project_id = dup_or(&oom, r->id);
    s->kind = dup_or(&oom, r->kind ? r->kind : "project");
    s->title = dup_or(&oom, r->title);
    char hash[65];
    if (content_hash) /* as the store holds it: no second serialisation */
        s->content_hash = dup_or(&oom, content_hash);
    else if (!eng_record_hash(r, hash))
        s->content_hash = dup_or(&oom, hash);
    eng_method_score(m, &t, r, s);
    if (s->trl_inferred && inferred_row(m, s, out, &oom))
        goto done;
    if (reg && eng_reg_metrology_gap(reg->rs, &reg->w, r, s->trl_inferred ? 0 : s->trl_evidenced,
                                     out->checks, out->nchecks))
        t.flags.bits |= ENG_FLAG_METROLOGY_GAP;
    out->flags = t.flags; /* the eval takes the flags over */
    memset(&t.flags, 0, sizeof t.flags);
    out->novelty_points = t.novelty_pts; /* novelty itself needs the neighbours */
    s->novelty_points = t.novelty_pts;

    out->verdicts = calloc(nind ? nind : 1, sizeof *out->verdicts);
    if (!out->verdicts)
        goto done;
    for (size_t i = 0; i < nind; i++) {
        const eng_indicator *ind = &r->indicators[i];
        eng_ind_verdict *v = &out->verdicts[out->nverdicts++];
        v->project_id = dup_or(&oom, r->id);
        v->idx = (int)i;
        v->name = dup_or(&oom, ind->name);
        v->target = dup_or(&oom, ind->target);
        v->achieved = dup_or(&oom, ind->achieved);
        v->unit = dup_or(&oom, ind->unit);
        v->points = t.ind_points[i];
        v->verdict = dup_or(&oom, eng_method_indicator_verdict(m, t.ind_points[i]));
        v->reasons = ind_reasons[i].oom ? NULL : ind_reasons[i].p ? ind_reasons[i].p : strdup("");
        if (!v->reasons)
            oom = 1;
        ind_reasons[i].p = NULL;
    }
    rc = oom ? -1 : 0;
done:
    if (tally_ok)
        eng_tally_release(&t);
    rule_hits_free(&hits);
    for (size_t i = 0; ind_reasons && i < nind; i++)
        free(ind_reasons[i].p);
    free(ind_reasons);
    for (size_t i = 0; items && i < nind; i++)
        subject_release(&items[i]);
    free(items);
    free(isubj);
    subject_release(&rs);
    return rc;
}

int eng_eval_record(const rule_set *set, const eng_record *r, eng_eval *out, eng_err *err)
{
    eng_method m;
    eng_method_init(&m, set);
    rule_scratch *scratch = rule_scratch_new(set);
    if (!scratch)
        return eng_fail(err, ENG_EIO, "out of memory");
    int rc = eval_one(set, scratch, &m, NULL, r, NULL, out);
    rule_scratch_free(scratch);
    if (!rc) {
        eng_method_finish(&m, &out->score, 0, out->novelty_points);
        out->score.flags = eng_flags_json(&out->flags, set);
        rc = out->score.flags ? 0 : -1;
    }
    if (rc) {
        eng_eval_release(out);
        return eng_fail(err, ENG_EIO, "out of memory while scoring '%s'", r->id);
    }
    return ENG_OK;
}

/* ---- the run ------------------------------------------------------------------------ */

/* Records are evaluated and stored in batches of this many: the rule stage's
 * memory (hits, verdicts and checks before they are written) is bounded by a
 * batch, not by the corpus. */
#define RUN_BATCH 2048

typedef struct work {
    const rule_set *set;
    const eng_method *m;
    const reg_ctx *reg;
    const eng_record *recs;      /* the batch's records */
    const char (*hashes)[65];    /* and their content hashes */
    eng_eval *evals;             /* and their results */
    const unsigned char *reused; /* 1: evals[i] came from an earlier run */
    size_t n;
    int jobs;
    atomic_int failed;
    atomic_size_t *done; /* records evaluated in the whole run */
    size_t total;
    const eng_run_opts *opts;
} work;

/* Slot w of the pool evaluates records w, w + jobs, w + 2 jobs, ... of the batch */
static void worker(void *ctx, int w)
{
    work *wk = ctx;
    rule_scratch *scratch = rule_scratch_new(wk->set);
    if (!scratch) {
        atomic_store(&wk->failed, 1);
        return;
    }
    for (size_t i = (size_t)w; i < wk->n; i += (size_t)wk->jobs) {
        if (!wk->reused[i] &&
            eval_one(wk->set, scratch, wk->m, wk->reg, &wk->recs[i], wk->hashes[i], &wk->evals[i]))
            atomic_store(&wk->failed, 1);
        size_t done = atomic_fetch_add(wk->done, 1) + 1;
        /* The first slot reports, so the callback runs on one thread. */
        if (w == 0 && wk->opts && wk->opts->progress && (i / (size_t)wk->jobs) % 256 == 0)
            wk->opts->progress(wk->opts->progress_arg, "rules", done, wk->total);
    }
    rule_scratch_free(scratch);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *params_json(const rule_set *set, const eng_method *sc)
{
    base_buf b = {0};
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"trl_threshold\":%g,\"trl_support\":\"%s\",\"overclaim_margin\":%g,"
             "\"traceability_cap\":%g,\"weights\":{\"trl\":%g,\"traceability\":%g,"
             "\"novelty\":%g},\"duplicates\":{\"jaccard\":%g,\"containment\":%g},\"schemes\":[",
             sc->threshold, sc->support_required ? "required" : "confidence", sc->margin, sc->cap,
             sc->w_trl, sc->w_trace, sc->w_nov, rule_set_param(set, "duplicates.jaccard", 0.8),
             rule_set_param(set, "duplicates.containment", 0.8));
    base_buf_cat(&b, buf);
    /* The schemes actually on: those of the enabled rules. */
    size_t n = rule_count(set);
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        const char *sch = rule_scheme(set, i);
        if (!*sch || !rule_enabled(set, i))
            continue;
        if (b.oom)
            break; /* b.p may be NULL */
        char needle[160];
        snprintf(needle, sizeof needle, "\"%s\"", sch);
        if (strstr(b.p + strlen(buf), needle))
            continue;
        if (!first)
            base_buf_cat(&b, ",");
        base_buf_json(&b, sch);
        first = 0;
    }
    base_buf_cat(&b, "]}");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static int is_prior_art(const eng_record *r)
{
    return r->kind && !strcmp(r->kind, "prior-art");
}

/* ---- reusing an earlier run's rule results (eng_reuse.h) ---------------------------- */

/* The key an unchanged record's rule results are reused under: what they
 * depend on besides the record itself (the tool, the rule set, the registry
 * versions checked against).  OUT: key (64 hex + NUL).  -1 when memory ran
 * out. */
static int cache_key(const rule_set *set, const eng_regset *rs, char key[65])
{
    base_buf b = {0};
    base_buf_printf(&b, "vernier %s rules\nrule set %s\n", ENG_VERSION, rule_set_sha256(set));
    for (size_t i = 0; rs && i < eng_regset_count(rs); i++) {
        const eng_reg_info *ri = eng_regset_info(rs, i);
        base_buf_printf(&b, "registry %ld %s\n", ri->id, ri->sha256 ? ri->sha256 : "");
    }
    if (b.oom || !b.p) {
        free(b.p);
        return -1;
    }
    base_sha256_hex(b.p, b.n, key);
    free(b.p);
    return 0;
}

/* The typed flags of a reused score from their stored form, without the
 * duplicate flags (the run finds those again).  -1 when the form is not
 * understood or memory ran out. */
static int flags_from_json(const rule_set *set, const char *json, eng_flags *f)
{
    static const unsigned dup =
        ENG_FLAG_DUP_EXACT | ENG_FLAG_DUP_NEAR | ENG_FLAG_DUP_PARTIAL | ENG_FLAG_DUP_INSIDE;
    memset(f, 0, sizeof *f);
    cJSON *a = cJSON_Parse(json ? json : "[]");
    int rc = a && cJSON_IsArray(a) ? 0 : -1;
    size_t nrules = rule_count(set);
    for (cJSON *e = a ? a->child : NULL; e && !rc; e = e->next) {
        if (!cJSON_IsString(e)) {
            rc = -1;
            break;
        }
        size_t k = 0;
        while (k < nrules && !(rule_dimension(set, k) == RULE_DIM_FLAG &&
                               !strcmp(rule_id(set, k), e->valuestring)))
            k++;
        if (k < nrules) {
            rc = eng_flags_add_rule(f, k);
            continue;
        }
        unsigned bit = 0;
        for (unsigned b = 1; b && !bit; b <<= 1)
            if (eng_flag_name(b) && !strcmp(eng_flag_name(b), e->valuestring))
                bit = b;
        if (!bit)
            rc = -1; /* a flag this rule set does not have: evaluate again */
        else if (!(bit & dup))
            f->bits |= bit;
    }
    cJSON_Delete(a);
    if (rc)
        eng_flags_release(f);
    return rc;
}

/* Fills evals[b] from the earlier run for every record of the batch
 * recs[first .. first + nb) whose rule results can be reused (records in id
 * order, as the store loads them), marking reused[b].  Adds to *nreused.
 * Returns ENG_OK or ENG_EIO. */
static int reuse_batch(eng_reuse *ru, const rule_set *set, const eng_record *recs,
                       const char (*hashes)[65], size_t first, size_t nb, eng_eval *evals,
                       unsigned char *reused, size_t *nreused, eng_err *err)
{
    memset(reused, 0, nb);
    for (size_t b = 0; ru && b < nb; b++) {
        size_t i = first + b;
        const eng_record *r = &recs[i];
        const char *hash = hashes[i];
        if (is_prior_art(r) || !*hash)
            continue;
        /* ids must come in order for the cursors; a record out of order is evaluated */
        if (i > 0 && strcmp(recs[i - 1].id, r->id) >= 0)
            continue;
        eng_eval *e = &evals[b];
        int found = 0;
        int rc = eng_reuse_get(ru, r->id, hash, &found, &e->score, &e->hits, &e->nhits,
                               &e->verdicts, &e->nverdicts, &e->checks, &e->nchecks, err);
        if (rc)
            return rc;
        if (!found)
            continue;
        if (flags_from_json(set, e->score.flags, &e->flags)) {
            eng_eval_release(e);
            continue;
        }
        free(e->score.flags);
        e->score.flags = NULL;
        e->novelty_points = e->score.novelty_points;
        e->score.kind = strdup(r->kind ? r->kind : "project");
        e->score.title = r->title ? strdup(r->title) : NULL;
        reused[b] = 1; /* released with the batch, whatever happens next */
        if (!e->score.kind || (r->title && !e->score.title))
            return eng_fail(err, ENG_EIO, "out of memory");
        (*nreused)++;
    }
    return ENG_OK;
}

/* Finishes the scores of a batch of evaluated records (recs[first ...]):
 * novelty and the duplicate flags from the duplicate stage, then stores each
 * score with its hits, indicator verdicts and registry checks.  Counts into
 * info. */
static int store_batch(eng_runw *w, eng_store *st, const rule_set *set, const eng_method *sc,
                       const reg_ctx *reg, const eng_record *recs, size_t first, eng_eval *evals,
                       size_t nb, const eng_dup_result *dups, long *check_seq, eng_run_info *info,
                       eng_err *err)
{
    static const unsigned dup_bits[4] = {ENG_FLAG_DUP_EXACT, ENG_FLAG_DUP_NEAR,
                                         ENG_FLAG_DUP_PARTIAL, ENG_FLAG_DUP_INSIDE};
    int rc = ENG_OK;
    for (size_t b = 0; b < nb && !rc; b++) {
        size_t i = first + b;
        eng_eval *e = &evals[b];
        eng_method_finish(sc, &e->score, dups->nearest_sim ? dups->nearest_sim[i] : -1,
                          e->novelty_points);
        if (dups->duplicate_of && dups->duplicate_of[i] != SIZE_MAX &&
            !(e->score.duplicate_of = strdup(recs[dups->duplicate_of[i]].id)))
            return eng_fail(err, ENG_EIO, "out of memory");
        for (int k = 0; dups->flags && k < 4; k++)
            if (dups->flags[i] & (1 << k))
                e->flags.bits |= dup_bits[k];
        if (!(e->score.flags = eng_flags_json(&e->flags, set)))
            return eng_fail(err, ENG_EIO, "out of memory");
        /* Prior-art records are not scored: they serve as earlier neighbours only. */
        if (is_prior_art(&recs[i]))
            continue;
        info->nprojects++;
        rc = eng_runw_score(w, &e->score, err);
        for (size_t k = 0; k < e->nhits && !rc; k++, info->nhits++)
            rc = eng_runw_hit(w, &e->hits[k], err);
        for (size_t k = 0; k < e->nverdicts && !rc; k++)
            rc = eng_runw_verdict(w, &e->verdicts[k], err);
        if (!rc && reg->rs)
            rc = eng_store_reg_checks_write(st, info->id, check_seq, e->checks, e->nchecks, err);
    }
    return rc;
}

/* The run: records loaded, the duplicate stage over all of them, then the
 * rules in batches, each batch's results stored as it is done, all in one
 * transaction (eng_runw): a run is stored whole or not at all, and a killed
 * run leaves nothing. */
int eng_run(eng_store *st, const rule_set *set, const eng_run_opts *opts, long *run_id,
            eng_err *err)
{
    double t0 = now_s();
    eng_record *recs = NULL;
    size_t n = 0;
    eng_eval *evals = NULL;
    eng_dup_result dups;
    memset(&dups, 0, sizeof dups);
    eng_runw *w = NULL;
    eng_run_info info;
    memset(&info, 0, sizeof info);
    eng_method sc;
    eng_method_init(&sc, set);
    eng_regset *rs = NULL;
    eng_reuse *ru = NULL;
    unsigned char *reused = NULL;
    size_t nreused = 0;
    long from_run = 0;
    char key[65];
    reg_ctx reg;
    memset(&reg, 0, sizeof reg);
    eng_reg_weights_from_set(set, &reg.w);
    char(*hashes)[65] = NULL;
    int rc = eng_store_load_records_hashed(st, &recs, &hashes, &n, err);
    if (rc)
        return rc;
    /* The active registries, when any is loaded: every reference is checked. */
    if ((rc = eng_regset_load(st, &rs, err)) || (rc = eng_regset_use_rules(rs, set, err)))
        goto done;
    if (eng_regset_count(rs))
        reg.rs = rs;
    double t_load = now_s();
    int jobs = opts && opts->jobs > 0 ? opts->jobs : base_pool_ncpu();
    if (jobs > BASE_POOL_MAX)
        jobs = BASE_POOL_MAX;

    /* The duplicates first: they need every record, the rules one at a time. */
    if (opts && opts->progress)
        opts->progress(opts->progress_arg, "duplicates", 0, 1);
    eng_dup_config dc;
    eng_dup_config_from_set(set, &dc);
    dc.jobs = jobs;
    dc.skip_near = opts && opts->no_duplicates;
    rc = eng_dupstage_run(st, recs, n, &dc, &dups, err);
    if (rc)
        goto done;
    double t_dups = now_s();

    info.name = opts && opts->name ? strdup(opts->name) : NULL;
    info.ruleset_name = strdup(rule_set_name(set));
    info.ruleset_version = strdup(rule_set_version(set));
    info.ruleset_sha256 = strdup(rule_set_sha256(set));
    info.ruleset_text = strdup(rule_set_canonical(set));
    info.params = params_json(set, &sc);
    info.tool_version = strdup("vernier " ENG_VERSION);
    /* a run stored without its rule set or parameters could not be
     * explained or re-checked: memory running out fails the run */
    if ((opts && opts->name && !info.name) || !info.ruleset_name || !info.ruleset_version ||
        !info.ruleset_sha256 || !info.ruleset_text || !info.params || !info.tool_version) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if (cache_key(set, reg.rs, key)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if (!(info.cache_key = strdup(key))) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    /* Unchanged records keep the rule results of the latest run with this key. */
    if ((rc = eng_reuse_open(st, key, &ru, &from_run, err)))
        goto done;
    rc = eng_runw_begin(st, &info, &w, err);
    if (rc)
        goto done;
    /* The registry versions checked against; the checks follow record by record. */
    if (reg.rs && (rc = eng_store_reg_run_write(st, info.id, reg.rs, err)))
        goto done;
    evals = calloc(RUN_BATCH, sizeof *evals);
    reused = calloc(RUN_BATCH, 1);
    if (!evals || !reused) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    atomic_size_t ndone = 0;
    long check_seq = 0;
    for (size_t first = 0; first < n && !rc; first += RUN_BATCH) {
        size_t nb = n - first < RUN_BATCH ? n - first : RUN_BATCH;
        work wk = {set,    &sc,    &reg, recs + first, (const char(*)[65])hashes + first,
                   evals,  reused, nb,   jobs,         0,
                   &ndone, n,      opts};
        rc = reuse_batch(ru, set, recs, (const char(*)[65])hashes, first, nb, evals, reused,
                         &nreused, err);
        if (!rc) {
            base_pool_run(jobs, worker, &wk);
            if (atomic_load(&wk.failed))
                rc = eng_fail(err, ENG_EIO, "out of memory while evaluating the rules");
        }
        if (!rc)
            rc = store_batch(w, st, set, &sc, &reg, recs, first, evals, nb, &dups, &check_seq,
                             &info, err);
        for (size_t b = 0; b < nb; b++)
            eng_eval_release(&evals[b]);
    }
    double t_rules = now_s();

    if (opts && opts->progress)
        opts->progress(opts->progress_arg, "store", 0, 1);
    for (size_t i = 0; i < dups.npairs && !rc; i++, info.npairs++)
        rc = eng_runw_pair(w, &dups.pairs[i], err);
    if (rc)
        goto done;
    double t_end = now_s();
    char timings[256];
    snprintf(timings, sizeof timings,
             "{\"load_s\":%.3f,\"rules_s\":%.3f,\"duplicates_s\":%.3f,\"store_s\":%.3f,"
             "\"total_s\":%.3f}",
             t_load - t0, t_rules - t_dups, t_dups - t_load, t_end - t_rules, t_end - t0);
    info.timings = strdup(timings);
    char reuse[384];
    snprintf(reuse, sizeof reuse,
             "{\"rules\":{\"reused\":%zu,\"evaluated\":%zu,\"from_run\":%ld},"
             "\"duplicates\":{\"signatures_reused\":%zu,\"signatures_made\":%zu,"
             "\"incremental\":%s,\"searched\":%zu,\"carried\":%zu}}",
             nreused, n - nreused, from_run, dups.sigs_reused, dups.sigs_made,
             dups.incremental ? "true" : "false", dups.fresh, dups.carried);
    info.reuse = strdup(reuse);
    rc = eng_runw_commit(w, &info, err);
    w = NULL;
    if (!rc)
        *run_id = info.id;
done:
    if (w)
        eng_runw_abort(w);
    free(evals);
    free(reused);
    eng_reuse_close(ru);
    eng_dup_result_release(&dups);
    eng_records_free(recs, n);
    free(hashes);
    eng_regset_free(rs);
    eng_run_info_release(&info);
    return rc;
}
