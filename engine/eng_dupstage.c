/*
 * eng_dupstage: exact and near duplicates, signals and nearest-earlier
 * similarity for a run (see eng_dupstage.h).
 */
#include "engine/eng_dupstage.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_dup.h"
#include "engine/eng_text.h"
#include "rules/rule_sha256.h"

void eng_dup_config_from_set(const rule_set *set, eng_dup_config *c)
{
    memset(c, 0, sizeof *c);
    c->jaccard = rule_set_param(set, "duplicates.jaccard", 0.8);
    c->containment = rule_set_param(set, "duplicates.containment", 0.8);
    c->shingle_cjk = (int)rule_set_param(set, "duplicates.shingle_cjk", 3);
    c->shingle_latin = (int)rule_set_param(set, "duplicates.shingle_latin", 3);
    c->num_perm = (int)rule_set_param(set, "duplicates.num_perm", 128);
    size_t ns = rule_set_param_list_len(set, "duplicates.stop_phrases");
    for (size_t i = 0; i < ns && c->nstop < sizeof c->stop / sizeof c->stop[0]; i++)
        c->stop[c->nstop++] = rule_set_param_list_item(set, "duplicates.stop_phrases", i);
}

void eng_dup_result_release(eng_dup_result *r)
{
    if (!r)
        return;
    eng_pairs_free(r->pairs, r->npairs);
    free(r->nearest_sim);
    free(r->duplicate_of);
    free(r->flags);
    memset(r, 0, sizeof *r);
}

/* Normalised text for exact comparison (eng_text: full width folded, case
 * folded, punctuation and spacing dropped, one space between words).
 * malloc'd; NULL when memory ran out. */
static char *normalise(const eng_text *tx, const char *s)
{
    char *out = NULL;
    if (eng_text_normalised(tx, s ? s : "", s ? strlen(s) : 0, &out, NULL) != ENG_OK)
        return NULL;
    return out;
}

/* ---- order and signals -------------------------------------------------------------- */

/* "Earlier" means an earlier start (or acceptance) date; ties and missing
 * dates fall back to the id, so the order is total and repeatable. */
static const char *when_of(const eng_record *r)
{
    return r->start ? r->start : r->acc_date ? r->acc_date : r->end ? r->end : "9999";
}

static int earlier(const eng_record *a, const eng_record *b)
{
    int c = strcmp(when_of(a), when_of(b));
    if (c)
        return c < 0;
    return strcmp(a->id, b->id) < 0;
}

static int same_text(const eng_text *tx, const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return 0;
    char *na = normalise(tx, a), *nb = normalise(tx, b);
    int same = na && nb && *na && !strcmp(na, nb);
    free(na);
    free(nb);
    return same;
}

/* Period overlap on the canonical dates (string comparison works for
 * YYYY[-MM[-DD]] once the shorter is padded to the start or end of its
 * period). */
static int periods_overlap(const eng_record *a, const eng_record *b)
{
    if (!a->start || !a->end || !b->start || !b->end)
        return 0;
    char as[11], ae[11], bs[11], be[11];
    snprintf(as, sizeof as, "%s%s", a->start,
             strlen(a->start) == 4   ? "-01-01"
             : strlen(a->start) == 7 ? "-01"
                                     : "");
    snprintf(bs, sizeof bs, "%s%s", b->start,
             strlen(b->start) == 4   ? "-01-01"
             : strlen(b->start) == 7 ? "-01"
                                     : "");
    snprintf(ae, sizeof ae, "%s%s", a->end,
             strlen(a->end) == 4   ? "-12-31"
             : strlen(a->end) == 7 ? "-31"
                                   : "");
    snprintf(be, sizeof be, "%s%s", b->end,
             strlen(b->end) == 4   ? "-12-31"
             : strlen(b->end) == 7 ? "-31"
                                   : "");
    return strcmp(as, be) <= 0 && strcmp(bs, ae) <= 0;
}

static int same_indicator_values(const eng_text *tx, const eng_record *a, const eng_record *b)
{
    for (size_t i = 0; i < a->nindicators; i++) {
        const eng_indicator *x = &a->indicators[i];
        if (!x->achieved)
            continue;
        for (size_t j = 0; j < b->nindicators; j++) {
            const eng_indicator *y = &b->indicators[j];
            if (y->achieved && !strcmp(x->achieved, y->achieved) &&
                ((!x->unit && !y->unit) || (x->unit && y->unit && !strcmp(x->unit, y->unit))) &&
                same_text(tx, x->name, y->name))
                return 1;
        }
    }
    return 0;
}

static char *signals_json(const eng_text *tx, const eng_record *a, const eng_record *b)
{
    char buf[160] = "[";
    if (same_text(tx, a->pi, b->pi))
        strcat(buf, "\"same-pi\",");
    if (same_text(tx, a->organisation, b->organisation))
        strcat(buf, "\"same-organisation\",");
    if (periods_overlap(a, b))
        strcat(buf, "\"overlapping-period\",");
    if (same_indicator_values(tx, a, b))
        strcat(buf, "\"same-indicators\",");
    size_t n = strlen(buf);
    if (buf[n - 1] == ',')
        buf[n - 1] = '\0';
    strcat(buf, "]");
    return strdup(buf);
}

/* ---- exact duplicates ------------------------------------------------------------------- */

typedef struct keyed {
    char hash[65];
    size_t idx;
} keyed;

static const eng_record *g_recs; /* for qsort only; set and cleared under one call */

static int keyed_cmp(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->hash, b->hash);
    if (c)
        return c;
    return earlier(&g_recs[a->idx], &g_recs[b->idx]) ? -1 : 1;
}

static int idx_cmp(const void *x, const void *y)
{
    const size_t *a = x, *b = y;
    return earlier(&g_recs[*a], &g_recs[*b]) ? -1 : earlier(&g_recs[*b], &g_recs[*a]) ? 1 : 0;
}

static int pair_cmp(const void *x, const void *y)
{
    const eng_pair *a = x, *b = y;
    int c = strcmp(a->a, b->a);
    return c ? c : strcmp(a->b, b->b);
}

/* Appends a pair (a earlier than b) to the result. */
static int add_pair(const eng_text *tx, eng_dup_result *out, size_t *cap, const eng_record *a,
                    const eng_record *b, const char *kind, const char *method, double j, double c,
                    const char *contained, char *pa, char *pb)
{
    if (out->npairs == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        eng_pair *np = realloc(out->pairs, nc * sizeof *np);
        if (!np) {
            free(pa);
            free(pb);
            return ENG_EIO;
        }
        out->pairs = np;
        *cap = nc;
    }
    eng_pair *p = &out->pairs[out->npairs++];
    memset(p, 0, sizeof *p);
    p->a = strdup(a->id);
    p->b = strdup(b->id);
    p->kind = strdup(kind);
    p->method = strdup(method);
    p->jaccard = j;
    p->containment = c;
    p->contained = contained ? strdup(contained) : NULL;
    p->passage_a = pa;
    p->passage_b = pb;
    p->signals = signals_json(tx, a, b);
    return ENG_OK;
}

/* The text compared for duplicates: title and abstract. */
static char *dup_text(const eng_record *r)
{
    size_t lt = r->title ? strlen(r->title) : 0, la = r->abstract ? strlen(r->abstract) : 0;
    char *t = malloc(lt + la + 2);
    if (!t)
        return NULL;
    memcpy(t, r->title ? r->title : "", lt);
    t[lt] = '\n';
    memcpy(t + lt + 1, r->abstract ? r->abstract : "", la);
    t[lt + 1 + la] = '\0';
    return t;
}

/* A passage for display: at most `max` bytes, cut at a character boundary. */
static char *excerpt(const char *s, size_t off, size_t len, size_t max)
{
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[off + len] & 0xC0) == 0x80)
            len--;
    }
    char *d = malloc(len + 4);
    if (!d)
        return NULL;
    memcpy(d, s + off, len);
    d[len] = '\0';
    return d;
}

static int has_pair(const eng_dup_result *out, size_t nexact, const char *a, const char *b)
{
    for (size_t i = 0; i < nexact; i++)
        if ((!strcmp(out->pairs[i].a, a) && !strcmp(out->pairs[i].b, b)) ||
            (!strcmp(out->pairs[i].a, b) && !strcmp(out->pairs[i].b, a)))
            return 1;
    return 0;
}

/* Exact duplicates: records whose normalised title and abstract are the
 * same (abstract_only = 0), then records whose normalised abstracts alone
 * are the same and long enough to mean the same work (abstract_only = 1:
 * the same description filed under two titles). */
static int find_exact(const eng_text *tx, const eng_record *recs, size_t n, eng_dup_result *out,
                      size_t *cap, int abstract_only)
{
    size_t before = out->npairs;
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return ENG_EIO;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char *t = abstract_only ? NULL : dup_text(&recs[i]);
        char *norm = abstract_only ? normalise(tx, recs[i].abstract) : t ? normalise(tx, t) : NULL;
        free(t);
        if (!norm) {
            free(k);
            return ENG_EIO;
        }
        /* Too short to call two records the same work: 8 bytes of title and
         * abstract, 40 of an abstract alone. */
        if (strlen(norm) >= (abstract_only ? 40u : 8u)) {
            rule_sha256_hex(norm, strlen(norm), k[m].hash);
            k[m++].idx = i;
        }
        free(norm);
    }
    g_recs = recs;
    qsort(k, m, sizeof *k, keyed_cmp);
    g_recs = NULL;
    int rc = ENG_OK;
    for (size_t i = 0; i < m && !rc;) {
        size_t j = i + 1;
        while (j < m && !strcmp(k[j].hash, k[i].hash))
            j++;
        /* Group [i, j): the first is the earliest.  All pairs for small groups,
         * a star from the earliest for big ones (a template text shared by
         * hundreds of records would otherwise give a quadratic list). */
        size_t g = j - i;
        for (size_t x = i; x < j && !rc; x++) {
            if (x != i && out->duplicate_of[k[x].idx] == SIZE_MAX)
                out->duplicate_of[k[x].idx] = k[i].idx;
            if (g > 1)
                out->flags[k[x].idx] |= 1;
            for (size_t y = x + 1; y < j && !rc; y++) {
                if (g > 20 && x != i)
                    break;
                const eng_record *a = &recs[k[x].idx], *b = &recs[k[y].idx];
                if (abstract_only && has_pair(out, before, a->id, b->id))
                    continue;
                char *ta = abstract_only ? strdup(a->abstract) : dup_text(a);
                char *pa = ta ? excerpt(ta, 0, strlen(ta), 600) : NULL;
                char *pb = pa ? strdup(pa) : NULL;
                free(ta);
                rc = add_pair(tx, out, cap, a, b, "exact",
                              abstract_only ? "exact-normalised-abstract" : "exact-normalised", 1.0,
                              1.0, NULL, pa, pb);
            }
        }
        i = j;
    }
    free(k);
    return rc;
}

/* Rank of each record in the "earlier" order (date, then id): a total order,
 * so that of two same-day duplicates one is the earlier. */
static long *earlier_ranks(const eng_record *recs, size_t n)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    long *rank = malloc((n ? n : 1) * sizeof *rank);
    if (!idx || !rank) {
        free(idx);
        free(rank);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    g_recs = recs;
    qsort(idx, n, sizeof *idx, idx_cmp);
    g_recs = NULL;
    for (size_t i = 0; i < n; i++)
        rank[idx[i]] = (long)i;
    free(idx);
    return rank;
}

/* Fills the set with every record's shingles and signature, taking them from
 * the store's cache when there, computing (in parallel) and caching the
 * rest. */
static int sig_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const eng_sig *)elem)->hash);
}

static int fill_set(eng_store *st, eng_dup_set *set, const eng_dup_doc *docs, char **texts,
                    size_t n, eng_err *err)
{
    const char *key = eng_dup_key(set);
    char(*hashes)[65] = malloc((n ? n : 1) * sizeof *hashes);
    const eng_sig **hit = calloc(n ? n : 1, sizeof *hit);
    eng_sig *sigs = NULL;
    size_t nsigs = 0;
    int rc = ENG_OK;
    if (!hashes || !hit) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if (st && (rc = eng_store_sig_all(st, key, &sigs, &nsigs, err)) != ENG_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        rule_sha256_hex(texts[i], docs[i].len, hashes[i]);
        hit[i] = nsigs ? bsearch(hashes[i], sigs, nsigs, sizeof *sigs, sig_cmp) : NULL;
    }
    for (size_t i = 0; i < n && !rc;) {
        if (hit[i]) {
            eng_err e2;
            if (eng_dup_add_blob(set, hit[i]->data, hit[i]->len, docs[i].order, &e2) == ENG_OK) {
                i++;
                continue;
            }
            hit[i] = NULL; /* a damaged blob is recomputed, and cached again */
        }
        /* A run of uncached docs is added in one call (in parallel). */
        size_t j = i + 1;
        while (j < n && !hit[j] && j - i < 4096)
            j++;
        rc = eng_dup_add(set, docs + i, j - i, err);
        i = j;
    }
    if (!rc && st) {
        int began = eng_store_begin(st, err) == ENG_OK;
        for (size_t i = 0; i < n && began && !rc; i++) {
            if (hit[i])
                continue;
            void *blob;
            size_t blen;
            if ((rc = eng_dup_blob(set, i, &blob, &blen, err)) != ENG_OK)
                break;
            rc = eng_store_sig_put(st, hashes[i], key, blob, blen, err);
            free(blob);
        }
        if (began && !rc)
            rc = eng_store_commit(st, err);
        else if (began)
            eng_store_rollback(st);
        else
            rc = ENG_EIO;
    }
done:
    eng_sigs_free(sigs, nsigs);
    free(hashes);
    free(hit);
    return rc;
}

static void params_from_config(const eng_dup_config *c, eng_dup_params *p)
{
    eng_dup_params_default(p);
    p->jaccard = c->jaccard;
    p->containment = c->containment;
    if (c->shingle_cjk > 0)
        p->shingle_cjk = c->shingle_cjk;
    if (c->shingle_latin > 0)
        p->shingle_latin = c->shingle_latin;
    if (c->num_perm > 0)
        p->num_perm = c->num_perm;
    p->jobs = c->jobs;
    p->stop_phrases = c->stop;
    p->nstop = c->nstop;
}

static int find_near(const eng_text *tx, eng_store *st, const eng_record *recs, size_t n,
                     const eng_dup_config *c, eng_dup_result *out, size_t *cap, eng_err *err)
{
    eng_dup_params p;
    params_from_config(c, &p);
    char **texts = calloc(n ? n : 1, sizeof *texts);
    eng_dup_doc *docs = calloc(n ? n : 1, sizeof *docs);
    long *rank = earlier_ranks(recs, n);
    eng_dup_set *set = NULL;
    eng_dup_pair *pairs = NULL;
    eng_dup_near *near = NULL;
    size_t np = 0, nexact = out->npairs;
    eng_dup_stats stats;
    int rc = ENG_OK;
    if (!texts || !docs || !rank) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(texts[i] = dup_text(&recs[i]))) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
        docs[i].order = rank[i];
    }
    if ((rc = eng_dup_set_new(&p, &set, err)) || (rc = fill_set(st, set, docs, texts, n, err)) ||
        (rc = eng_dup_pairs(set, &pairs, &np, &stats, err)) ||
        (rc = eng_dup_passages(set, docs, pairs, np, err)))
        goto done;
    char method[128];
    snprintf(method, sizeof method, "minhash-oph p=%d b=%dxr=%d, verified", p.num_perm, stats.bands,
             stats.rows);
    for (size_t k = 0; k < np && !rc; k++) {
        const eng_dup_pair *q = &pairs[k];
        /* a is the earlier of the two */
        size_t a = q->a, b = q->b;
        if (rank[a] > rank[b]) {
            size_t t = a;
            a = b;
            b = t;
        }
        if (has_pair(out, nexact, recs[a].id, recs[b].id))
            continue;
        /* A pair at the containment threshold is a partial copy ("B contains
         * A") when one text is clearly larger, by a fifth or more, whatever
         * its Jaccard; two texts of about the same size with high containment
         * are a reworded near duplicate. */
        size_t sa = eng_dup_size(set, q->a), sb = eng_dup_size(set, q->b);
        double ratio = sa > sb ? (double)sa / (sb ? sb : 1) : (double)sb / (sa ? sa : 1);
        int partial = q->containment >= c->containment && ratio >= 1.2;
        const char *contained = NULL;
        if (partial)
            contained = sa <= sb ? recs[q->a].id : recs[q->b].id;
        size_t ao = q->a == a ? q->a_off : q->b_off, al = q->a == a ? q->a_len : q->b_len;
        size_t bo = q->a == a ? q->b_off : q->a_off, bl = q->a == a ? q->b_len : q->a_len;
        rc = add_pair(tx, out, cap, &recs[a], &recs[b], partial ? "partial" : "near", method,
                      q->jaccard, q->containment, contained, excerpt(texts[a], ao, al, 600),
                      excerpt(texts[b], bo, bl, 600));
        out->flags[a] |= partial ? 4 : 2;
        out->flags[b] |= partial ? 4 : 2;
        if (out->duplicate_of[b] == SIZE_MAX)
            out->duplicate_of[b] = a;
    }
    if (rc)
        goto done;
    near = malloc((n ? n : 1) * sizeof *near);
    if (!near || !(out->nearest_sim = malloc((n ? n : 1) * sizeof *out->nearest_sim))) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if ((rc = eng_dup_nearest_earlier(set, near, err)))
        goto done;
    for (size_t i = 0; i < n; i++)
        out->nearest_sim[i] = near[i].doc == SIZE_MAX ? 0 : near[i].jaccard;
    /* An exact duplicate of an earlier record is not new at all. */
    for (size_t i = 0; i < n; i++)
        if ((out->flags[i] & 1) && out->duplicate_of[i] != SIZE_MAX)
            out->nearest_sim[i] = 1;
done:
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(docs);
    free(rank);
    free(pairs);
    free(near);
    eng_dup_set_free(set);
    return rc;
}

/* The text preparation that exact comparison uses: no stop phrases (two
 * records are the same work only when every word is the same). */
static int text_for_exact(eng_text **tx, eng_err *err)
{
    eng_text_params tp = {1, 1, NULL, 0};
    return eng_text_new(&tp, tx, err);
}

int eng_dupstage_run(eng_store *st, const eng_record *recs, size_t n, const eng_dup_config *c,
                     eng_dup_result *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    out->duplicate_of = malloc((n ? n : 1) * sizeof *out->duplicate_of);
    out->flags = calloc(n ? n : 1, 1);
    if (!out->duplicate_of || !out->flags) {
        eng_dup_result_release(out);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        out->duplicate_of[i] = SIZE_MAX;
    eng_text *tx = NULL;
    int rc = text_for_exact(&tx, err);
    if (!rc && (find_exact(tx, recs, n, out, &cap, 0) || find_exact(tx, recs, n, out, &cap, 1)))
        rc = eng_fail(err, ENG_EIO, "out of memory while finding exact duplicates");
    if (!rc && !c->skip_near)
        rc = find_near(tx, st, recs, n, c, out, &cap, err);
    eng_text_free(tx);
    if (rc) {
        eng_dup_result_release(out);
        return rc;
    }
    if (out->npairs > 1)
        qsort(out->pairs, out->npairs, sizeof *out->pairs, pair_cmp);
    return ENG_OK;
}

void eng_screen_release(eng_screen_result *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) {
        for (size_t k = 0; k < r[i].n; k++) {
            free(r[i].matches[k].contained);
            free(r[i].matches[k].passage_stored);
            free(r[i].matches[k].passage_proposal);
            free(r[i].matches[k].signals);
        }
        free(r[i].matches);
    }
}

int eng_screen(eng_store *st, const eng_record *stored, size_t nstored, const eng_record *props,
               size_t nprops, const eng_dup_config *c, size_t top_k, eng_screen_result *out,
               eng_err *err)
{
    eng_dup_params p;
    params_from_config(c, &p);
    char **texts = calloc(nstored ? nstored : 1, sizeof *texts);
    eng_dup_doc *docs = calloc(nstored ? nstored : 1, sizeof *docs);
    eng_dup_set *set = NULL;
    eng_text *tx = NULL;
    int rc = text_for_exact(&tx, err);
    memset(out, 0, nprops * sizeof *out);
    if (rc)
        goto done;
    if (!texts || !docs) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nstored; i++) {
        if (!(texts[i] = dup_text(&stored[i]))) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
        docs[i].order = (long)i;
    }
    if ((rc = eng_dup_set_new(&p, &set, err)) ||
        (rc = fill_set(st, set, docs, texts, nstored, err)))
        goto done;
    for (size_t i = 0; i < nprops && !rc; i++) {
        char *pt = dup_text(&props[i]);
        char *pnorm = pt ? normalise(tx, pt) : NULL;
        eng_dup_pair *hits = NULL;
        size_t nh = 0;
        if (!pt || !pnorm)
            rc = eng_fail(err, ENG_EIO, "out of memory");
        else
            rc = eng_dup_query(set, pt, strlen(pt), top_k, &hits, &nh, err);
        if (!rc && nh && !(out[i].matches = calloc(nh, sizeof *out[i].matches)))
            rc = eng_fail(err, ENG_EIO, "out of memory");
        for (size_t k = 0; k < nh && !rc; k++) {
            const eng_dup_pair *h = &hits[k];
            const eng_record *s = &stored[h->a];
            eng_screen_match *m = &out[i].matches[out[i].n++];
            m->stored = h->a;
            m->jaccard = h->jaccard;
            m->containment = h->containment;
            char *snorm = normalise(tx, texts[h->a]);
            /* The run's classification (find_near), with text lengths for
             * the sizes: the query is not in the set. */
            size_t ls = docs[h->a].len, lp = strlen(pt);
            double ratio = ls > lp ? (double)ls / (lp ? lp : 1) : (double)lp / (ls ? ls : 1);
            int partial = h->containment >= c->containment && ratio >= 1.2;
            if (snorm && *pnorm && !strcmp(snorm, pnorm))
                m->kind = "exact";
            else if (partial)
                m->kind = "partial";
            else if (h->jaccard >= c->jaccard || h->containment >= c->containment)
                m->kind = "near";
            else
                m->kind = "similar";
            free(snorm);
            if (partial)
                m->contained = strdup(ls <= lp ? s->id : props[i].id);
            eng_dup_span span;
            if ((rc = eng_dup_passage(set, texts[h->a], docs[h->a].len, pt, strlen(pt), &span,
                                      err)) != ENG_OK)
                break;
            m->passage_stored = excerpt(texts[h->a], span.a_off, span.a_len, 600);
            m->passage_proposal = excerpt(pt, span.b_off, span.b_len, 600);
            m->signals = signals_json(tx, s, &props[i]);
        }
        free(hits);
        free(pt);
        free(pnorm);
    }
done:
    for (size_t i = 0; texts && i < nstored; i++)
        free(texts[i]);
    free(texts);
    free(docs);
    eng_dup_set_free(set);
    eng_text_free(tx);
    if (rc)
        eng_screen_release(out, nprops);
    return rc;
}
