/*
 * eng_calib.c: the TRL readings fitted and measured against reference
 * ratings by k-fold cross-validation (see eng_calib.h).
 */
#include "engine/eng_calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/base_buf.h"
#include "engine/eng_book.h"
#include "engine/eng_run.h"

/* ---- evidence, once per record ------------------------------------------------------ */

int eng_calib_cases(const rule_set *set, const eng_record *records, const int *labels,
                    const int *ends, size_t n, eng_calib_case **cases, eng_err *err)
{
    *cases = calloc(n ? n : 1, sizeof **cases);
    if (!*cases)
        return eng_fail(err, ENG_EIO, "out of memory");
    size_t nrules = rule_count(set);
    for (size_t i = 0; i < n; i++) {
        eng_calib_case *c = &(*cases)[i];
        c->label = labels[i];
        c->label_end = ends ? ends[i] : 0;
        c->trl_target = records[i].trl_target;
        c->trl_claimed = records[i].trl_claimed;
        c->has_acceptance = records[i].has_acceptance;
        eng_eval e;
        int rc = eng_eval_record(set, &records[i], &e, err);
        if (rc) {
            free(*cases);
            *cases = NULL;
            return rc;
        }
        for (size_t k = 0; k < e.nhits; k++) {
            const eng_hit *h = &e.hits[k];
            /* dimension "trl", "trl.planned", "trl.stated" */
            if (h->error || h->level < 1 || h->level > 9 || strncmp(h->dimension, "trl", 3) ||
                (h->dimension[3] && h->dimension[3] != '.'))
                continue;
            for (size_t j = 0; j < nrules; j++)
                if (!strcmp(rule_id(set, j), h->rule_id)) {
                    c->ev[rule_reading(set, j)][h->level] += h->points;
                    break;
                }
        }
        eng_eval_release(&e);
    }
    return ENG_OK;
}

void eng_calib_read(const eng_method *m, const eng_calib_case *c, int *achieved, int *planned)
{
    eng_tally t;
    memset(&t, 0, sizeof t);
    memcpy(t.level_ev, c->ev, sizeof t.level_ev);
    eng_record r;
    memset(&r, 0, sizeof r);
    r.trl_target = c->trl_target;
    r.trl_claimed = c->trl_claimed;
    r.has_acceptance = c->has_acceptance;
    eng_score s;
    memset(&s, 0, sizeof s);
    eng_method_score(m, &t, &r, &s);
    *achieved = s.trl_evidenced;
    *planned = s.trl_planned;
}

size_t eng_calib_leaks(const eng_calib_case *c, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (c[i].label && c[i].label == c[i].trl_claimed) ||
             (c[i].label_end && c[i].label_end == c[i].trl_target);
    return k;
}

/* ---- a small deterministic generator (splitmix64) ----------------------------------- */

static unsigned long long next_rand(unsigned long long *s)
{
    unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(unsigned long long *s, size_t n)
{
    return (size_t)(next_rand(s) % n);
}

void eng_calib_folds(size_t n, int k, unsigned long seed, size_t *order, int *fold)
{
    unsigned long long s = seed;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = below(&s, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        fold[order[i]] = (int)(i % (size_t)k);
}

/* ---- the fit -------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of the labels (end labels with end) of the cases in[] marks;
 * 0 when none. */
static double median_of(const eng_calib_case *c, size_t n, const unsigned char *in, int end,
                        double *tmp)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int l = end ? c[i].label_end : c[i].label;
        if (in[i] && l)
            tmp[k++] = l;
    }
    if (!k)
        return 0;
    qsort(tmp, k, sizeof *tmp, cmp_double);
    return k % 2 ? tmp[k / 2] : (tmp[k / 2 - 1] + tmp[k / 2]) / 2;
}

/* The loss of m on the cases in[] marks: per reading with labels, the mean
 * absolute error with no reading counted as the median; summed. */
static double loss(const eng_method *m, const eng_calib_case *c, size_t n, const unsigned char *in,
                   double med, double med_end)
{
    double sum[2] = {0, 0};
    size_t cnt[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (!in[i])
            continue;
        int a, p;
        eng_calib_read(m, &c[i], &a, &p);
        if (c[i].label) {
            sum[0] += fabs((a ? a : med) - c[i].label);
            cnt[0]++;
        }
        if (c[i].label_end) {
            sum[1] += fabs((p ? p : med_end) - c[i].label_end);
            cnt[1]++;
        }
    }
    return (cnt[0] ? sum[0] / cnt[0] : 0) + (cnt[1] ? sum[1] / cnt[1] : 0);
}

/* Fits the table's parameters of *m on the cases in[] marks (coordinate
 * search over each grid, two sweeps); a tie keeps the value nearest the
 * starting one. */
static void fit_params(eng_method *m, const eng_calib_case *c, size_t n, const unsigned char *in,
                       double *tmp)
{
    double med = median_of(c, n, in, 0, tmp), med_end = median_of(c, n, in, 1, tmp);
    eng_method start = *m;
    for (int sweep = 0; sweep < 2; sweep++)
        for (const eng_method_param *p = eng_method_trl_params; p->name; p++) {
            double from = eng_method_get(&start, p->name);
            double best = eng_method_get(m, p->name);
            double best_loss = loss(m, c, n, in, med, med_end);
            size_t steps = (size_t)floor((p->hi - p->lo) / p->step + 1e-9);
            for (size_t k = 0; k <= steps; k++) {
                double v = p->lo + (double)k * p->step;
                eng_method_set(m, p->name, v);
                double l = loss(m, c, n, in, med, med_end);
                if (l < best_loss - 1e-12 ||
                    (fabs(l - best_loss) <= 1e-12 && fabs(v - from) < fabs(best - from))) {
                    best = v;
                    best_loss = l;
                }
            }
            eng_method_set(m, p->name, best);
        }
}

/* One reading's out-of-fold predictions: pred[i] (0: none) and the
 * baseline base[i] for the labelled cases. */
static void summarise(eng_calib_reading *out, const eng_calib_case *c, size_t n, int end,
                      const int *pred, const double *base, int nboot, unsigned long seed,
                      double *tmp)
{
    memset(out, 0, sizeof *out);
    double e = 0, b = 0, ball = 0;
    size_t w = 0, bw = 0, ballw = 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return;
    for (size_t i = 0; i < n; i++) {
        int l = end ? c[i].label_end : c[i].label;
        if (!l)
            continue;
        out->n++;
        out->confusion[l - 1][pred[i] >= 1 && pred[i] <= 9 ? pred[i] : 0]++;
        double be = fabs(base[i] - l);
        ball += be;
        ballw += be <= 1 + 1e-9;
        if (!pred[i])
            continue;
        idx[out->read++] = i;
        double pe = abs(pred[i] - l);
        e += pe;
        w += pe <= 1 + 1e-9;
        b += be;
        bw += be <= 1 + 1e-9;
    }
    if (out->n) {
        out->coverage = (double)out->read / out->n;
        out->base_all_mae = ball / out->n;
        out->base_all_within1 = (double)ballw / out->n;
    }
    if (out->read) {
        out->mae = e / out->read;
        out->within1 = (double)w / out->read;
        out->base_mae = b / out->read;
        out->base_within1 = (double)bw / out->read;
        out->mae_low = out->mae_high = out->mae;
        out->base_mae_low = out->base_mae_high = out->base_mae;
    }
    double *bm = nboot > 0 && out->read ? malloc((size_t)nboot * 2 * sizeof *bm) : NULL;
    if (bm) {
        unsigned long long s = seed ^ (end ? 0x5bd1e995ULL : 0x1b873593ULL);
        for (int r = 0; r < nboot; r++) {
            double se = 0, sb = 0;
            for (size_t k = 0; k < out->read; k++) {
                size_t i = idx[below(&s, out->read)];
                int l = end ? c[i].label_end : c[i].label;
                se += abs(pred[i] - l);
                sb += fabs(base[i] - l);
            }
            bm[r] = se / out->read;
            bm[nboot + r] = sb / out->read;
        }
        qsort(bm, (size_t)nboot, sizeof *bm, cmp_double);
        qsort(bm + nboot, (size_t)nboot, sizeof *bm, cmp_double);
        size_t lo = (size_t)floor(0.025 * (nboot - 1)), hi = (size_t)ceil(0.975 * (nboot - 1));
        out->mae_low = bm[lo];
        out->mae_high = bm[hi];
        out->base_mae_low = bm[nboot + lo];
        out->base_mae_high = bm[nboot + hi];
        free(bm);
    }
    (void)tmp;
    free(idx);
}

int eng_calib_fit(const eng_method *m0, const eng_calib_case *c, size_t n, const eng_calib_opts *o,
                  eng_calib_result *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    size_t labelled = 0;
    for (size_t i = 0; i < n; i++)
        labelled += c[i].label || c[i].label_end;
    if (!labelled)
        return eng_fail(err, ENG_EINPUT, "no reference has a TRL label");
    if (o->folds < 2 || (size_t)o->folds > n)
        return eng_fail(err, ENG_EINPUT, "--folds %d: the folds must be 2 to %zu (the references)",
                        o->folds, n);
    out->folds = o->folds;
    out->seed = o->seed;
    out->fit = o->fit;
    out->bootstrap = o->bootstrap;
    for (const eng_method_param *p = eng_method_trl_params; p->name; p++) {
        if (out->nparams == ENG_CALIB_MAXP)
            break;
        out->names[out->nparams] = p->name;
        out->before[out->nparams] = eng_method_get(m0, p->name);
        out->nparams++;
    }
    size_t *order = malloc(n * sizeof *order);
    int *fold = malloc(n * sizeof *fold);
    unsigned char *in = malloc(n);
    int *pa = calloc(n, sizeof *pa), *pp = calloc(n, sizeof *pp);
    double *ba = calloc(n, sizeof *ba), *bp = calloc(n, sizeof *bp);
    double *tmp = malloc(n * sizeof *tmp);
    if (!order || !fold || !in || !pa || !pp || !ba || !bp || !tmp) {
        free(order), free(fold), free(in), free(pa), free(pp), free(ba), free(bp), free(tmp);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    eng_calib_folds(n, o->folds, o->seed, order, fold);
    for (int f = 0; f < o->folds; f++) {
        for (size_t i = 0; i < n; i++)
            in[i] = fold[i] != f;
        eng_method m = *m0;
        if (o->fit)
            fit_params(&m, c, n, in, tmp);
        double med = median_of(c, n, in, 0, tmp), med_end = median_of(c, n, in, 1, tmp);
        for (size_t i = 0; i < n; i++) {
            if (fold[i] != f)
                continue;
            eng_calib_read(&m, &c[i], &pa[i], &pp[i]);
            ba[i] = med;
            bp[i] = med_end;
        }
    }
    summarise(&out->achieved, c, n, 0, pa, ba, o->bootstrap, o->seed, tmp);
    summarise(&out->planned, c, n, 1, pp, bp, o->bootstrap, o->seed, tmp);
    eng_method m = *m0;
    if (o->fit) {
        memset(in, 1, n);
        fit_params(&m, c, n, in, tmp);
    }
    for (size_t k = 0; k < out->nparams; k++)
        out->value[k] = eng_method_get(&m, out->names[k]);
    free(order), free(fold), free(in), free(pa), free(pp), free(ba), free(bp), free(tmp);
    return ENG_OK;
}

/* ---- the record ------------------------------------------------------------------------ */

static void num(base_buf *b, const char *key, double v, int comma)
{
    base_buf_printf(b, "\"%s\":%.4g%s", key, round(v * 10000) / 10000, comma ? "," : "");
}

static void reading_json(base_buf *b, const char *name, const char *label,
                         const eng_calib_reading *r)
{
    base_buf_printf(b, ",\"%s\":{\"label\":", name);
    base_buf_json(b, label);
    base_buf_printf(b, ",\"n\":%zu,\"read\":%zu,", r->n, r->read);
    num(b, "coverage", r->coverage, 1);
    if (r->read) {
        num(b, "mae", r->mae, 1);
        num(b, "mae_low", r->mae_low, 1);
        num(b, "mae_high", r->mae_high, 1);
        num(b, "within1", r->within1, 1);
        num(b, "baseline_mae", r->base_mae, 1);
        num(b, "baseline_mae_low", r->base_mae_low, 1);
        num(b, "baseline_mae_high", r->base_mae_high, 1);
        num(b, "baseline_within1", r->base_within1, 1);
    }
    num(b, "baseline_all_mae", r->base_all_mae, 1);
    num(b, "baseline_all_within1", r->base_all_within1, 1);
    base_buf_cat(b, "\"confusion\":[");
    for (int l = 0; l < 9; l++) {
        base_buf_cat(b, l ? ",[" : "[");
        for (int k = 0; k < 10; k++)
            base_buf_printf(b, "%s%ld", k ? "," : "", r->confusion[l][k]);
        base_buf_cat(b, "]");
    }
    base_buf_cat(b, "]}");
}

char *eng_calib_record_json(const eng_calib_result *r, const char *date, const char *refs_file,
                            const char *refs_sha256, size_t refs_n, const rule_set *from,
                            const char *method_sha256)
{
    base_buf b = {0};
    base_buf_cat(&b, "{\"date\":");
    base_buf_json(&b, date);
    base_buf_cat(&b, ",\"references\":{\"file\":");
    base_buf_json(&b, refs_file);
    base_buf_cat(&b, ",\"sha256\":");
    base_buf_json(&b, refs_sha256);
    base_buf_printf(&b, ",\"n\":%zu},\"set\":{\"name\":", refs_n);
    base_buf_json(&b, rule_set_name(from));
    base_buf_cat(&b, ",\"version\":");
    base_buf_json(&b, rule_set_version(from));
    base_buf_cat(&b, ",\"sha256\":");
    base_buf_json(&b, rule_set_sha256(from));
    base_buf_cat(&b, "},\"method_sha256\":");
    base_buf_json(&b, method_sha256);
    base_buf_printf(&b, ",\"fit\":\"%s\",\"parameters\":{", r->fit ? "k-fold" : "none");
    for (size_t k = 0; k < r->nparams; k++) {
        base_buf_cat(&b, k ? "," : "");
        base_buf_json(&b, r->names[k]);
        base_buf_printf(&b, ":%.10g", r->value[k]);
    }
    base_buf_printf(&b, "},\"folds\":%d,\"seed\":%lu,\"bootstrap\":%d", r->folds, r->seed,
                    r->bootstrap);
    if (r->achieved.n)
        reading_json(&b, "achieved", "current TRL (level reached)", &r->achieved);
    if (r->planned.n)
        reading_json(&b, "planned", "end TRL (level aimed at)", &r->planned);
    base_buf_cat(&b, "}");
    return base_buf_take(&b);
}

/* ---- the record as people read it ----------------------------------------------------- */

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(n) ? n->valuestring : "";
}

static void reading_lines(const cJSON *r, int zh, int which, eng_calib_line *lines, size_t *k)
{
    if (!cJSON_IsObject(r))
        return;
    size_t n = (size_t)jnum(r, "n"), read = (size_t)jnum(r, "read");
    eng_calib_line *l = &lines[(*k)++];
    l->label = eng_book_text(&eng_book_calib[which], zh);
    if (read)
        snprintf(l->value, sizeof l->value, eng_book_text(&eng_book_calib[EB_C_READING], zh), read,
                 n, 100 * jnum(r, "coverage"), jnum(r, "mae"), jnum(r, "mae_low"),
                 jnum(r, "mae_high"), 100 * jnum(r, "within1"));
    else
        snprintf(l->value, sizeof l->value, eng_book_text(&eng_book_calib[EB_C_NOREAD], zh), n);
    l = &lines[(*k)++];
    l->label = eng_book_text(&eng_book_calib[EB_C_BASELINE], zh);
    if (read)
        snprintf(l->value, sizeof l->value, eng_book_text(&eng_book_calib[EB_C_BASE_SAME], zh),
                 jnum(r, "baseline_mae"), jnum(r, "baseline_mae_low"), jnum(r, "baseline_mae_high"),
                 jnum(r, "baseline_all_mae"), n, 100 * jnum(r, "baseline_all_within1"));
    else
        snprintf(l->value, sizeof l->value, eng_book_text(&eng_book_calib[EB_C_BASE_ALL], zh),
                 jnum(r, "baseline_all_mae"), n, 100 * jnum(r, "baseline_all_within1"));
}

size_t eng_calib_lines(const char *canonical, int zh, eng_calib_line *lines)
{
    size_t k = 0;
    const char *nl = canonical ? strchr(canonical, '\n') : NULL;
    cJSON *h = canonical ? cJSON_ParseWithLength(canonical,
                                                 nl ? (size_t)(nl - canonical) : strlen(canonical))
                         : NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(h, "calibration");
    eng_calib_line *l = &lines[k++];
    l->label = eng_book_text(&eng_book_calib[EB_C_STATUS], zh);
    if (!cJSON_IsObject(c)) {
        snprintf(l->value, sizeof l->value, "%s", eng_book_text(&eng_book_calib[EB_C_NOT], zh));
        cJSON_Delete(h);
        return k;
    }
    const char *fit = jstr(c, "fit");
    snprintf(l->value, sizeof l->value, eng_book_text(&eng_book_calib[EB_C_ON], zh),
             jstr(c, "date"), (int)jnum(c, "folds"), (unsigned long)jnum(c, "seed"),
             eng_book_text(&eng_book_calib[strcmp(fit, "none") ? EB_C_FITTED : EB_C_KEPT], zh));
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(c, "references");
    l = &lines[k++];
    l->label = eng_book_text(&eng_book_calib[EB_C_REFS], zh);
    snprintf(l->value, sizeof l->value, "%s, n = %.0f, sha256 %s", jstr(refs, "file"),
             jnum(refs, "n"), jstr(refs, "sha256"));
    l = &lines[k++];
    l->label = eng_book_text(&eng_book_calib[EB_C_PARAMS], zh);
    base_buf b = {0};
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "parameters");
    for (const cJSON *it = cJSON_IsObject(p) ? p->child : NULL; it; it = it->next)
        base_buf_printf(&b, "%s%s = %g", it == p->child ? "" : "; ", it->string,
                        cJSON_IsNumber(it) ? it->valuedouble : 0);
    snprintf(l->value, sizeof l->value, "%s", b.p ? b.p : "");
    base_buf_release(&b);
    reading_lines(cJSON_GetObjectItemCaseSensitive(c, "achieved"), zh, EB_C_ACHIEVED, lines, &k);
    reading_lines(cJSON_GetObjectItemCaseSensitive(c, "planned"), zh, EB_C_PLANNED, lines, &k);
    char now[65];
    int current =
        rule_canonical_method_sha256(canonical, now) == 0 && !strcmp(now, jstr(c, "method_sha256"));
    l = &lines[k++];
    l->label = eng_book_text(&eng_book_calib[EB_C_CURRENT], zh);
    snprintf(l->value, sizeof l->value, "%s",
             eng_book_text(&eng_book_calib[current ? EB_C_CURRENT_YES : EB_C_CURRENT_NO], zh));
    cJSON_Delete(h);
    return k;
}
