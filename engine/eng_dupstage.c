/*
 * eng_dupstage: exact and near duplicates, signals and nearest-earlier
 * similarity for a run (see eng_dupstage.h).
 */
#include "engine/eng_dupstage.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_dup.h"
#include "engine/eng_reuse.h"
#include "engine/eng_text.h"
#include "base/base_sha256.h"

void eng_dup_config_from_set(const rule_set *set, eng_dup_config *c)
{
    memset(c, 0, sizeof *c);
    c->jaccard = rule_set_param(set, "duplicates.jaccard", 0.8);
    c->containment = rule_set_param(set, "duplicates.containment", 0.8);
    c->shingle_cjk = (int)rule_set_param(set, "duplicates.shingle_cjk", 3);
    c->shingle_latin = (int)rule_set_param(set, "duplicates.shingle_latin", 3);
    c->num_perm = (int)rule_set_param(set, "duplicates.num_perm", 128);
    const char *w = rule_set_param_str(set, "duplicates.weighting");
    c->weighted = !(w && !strcmp(w, "none"));
    c->min_info = rule_set_param(set, "duplicates.min_information", 3.0);
    c->inside = rule_set_param(set, "duplicates.inside", 1) != 0;
    c->floor = rule_set_param(set, "duplicates.floor", 0.3);
    c->short_jaccard = rule_set_param(set, "duplicates.short_jaccard", 0.8);
    c->short_info = rule_set_param(set, "duplicates.short_information", 5.0);
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

static int same_text(const eng_text *tx, const char *a, const char *b);

/* A record's date: its start (or acceptance, or end) date; NULL when it
 * has none.  One record is earlier than another only when both have dates
 * and they differ; otherwise the order of the two is unknown, and an
 * undated record is never taken as the later one. */
static const char *when_of(const eng_record *r)
{
    const char *w = r->start ? r->start : r->acc_date ? r->acc_date : r->end;
    return w && *w ? w : NULL;
}

static int order_known(const eng_record *a, const eng_record *b)
{
    const char *wa = when_of(a), *wb = when_of(b);
    return wa && wb && strcmp(wa, wb) != 0;
}

/* The listing order (groups, pairs): dated records by date, then undated
 * ones; ties by id.  Total and repeatable, but "earlier" only where
 * order_known. */
static int earlier(const eng_record *a, const eng_record *b)
{
    const char *wa = when_of(a), *wb = when_of(b);
    if (!wa != !wb)
        return wa != NULL;
    int c = wa ? strcmp(wa, wb) : 0;
    if (c)
        return c < 0;
    return strcmp(a->id, b->id) < 0;
}

/* The same team: the same PI, or, when either PI is unknown, the same
 * organisation. */
static int same_team(const eng_text *tx, const eng_record *a, const eng_record *b)
{
    if (a->pi && *a->pi && b->pi && *b->pi)
        return same_text(tx, a->pi, b->pi);
    return same_text(tx, a->organisation, b->organisation);
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

/* A field's text for comparison: NULL when it is empty or a placeholder
 * ("Not Available", "N/A", 暂无: eng_text_placeholder). */
static const char *real_text(const char *s)
{
    return s && !eng_text_placeholder(s, strlen(s)) ? s : NULL;
}

/* The text compared for duplicates: title and abstract, placeholders left
 * out (a record with neither has no text and is never compared). */
static char *dup_text(const eng_record *r)
{
    const char *title = real_text(r->title), *abstract = real_text(r->abstract);
    size_t lt = title ? strlen(title) : 0, la = abstract ? strlen(abstract) : 0;
    char *t = malloc(lt + la + 2);
    if (!t)
        return NULL;
    memcpy(t, title ? title : "", lt);
    t[lt] = '\n';
    memcpy(t + lt + 1, abstract ? abstract : "", la);
    t[lt + 1 + la] = '\0';
    return t;
}

/* The run's pairs under construction: each pair's record indexes (ia[k],
 * ib[k]) beside out->pairs[k], for groups and order. */
typedef struct stage {
    const eng_text *tx;
    const eng_record *recs;
    size_t n;
    eng_dup_result *out;
    size_t cap;
    size_t *ia, *ib;
    long *rank; /* listing rank (earlier_ranks) */
} stage;

/* Appends a pair of records x and y (indexes) with this relation; a is the
 * earlier one when the order is known, else the first in listing order.
 * pa, pb: the passages of x and y (taken over). */
static int add_pair(stage *sg, size_t x, size_t y, const char *kind, const char *method, double j,
                    double c, size_t contained, char *pa, char *pb)
{
    eng_dup_result *out = sg->out;
    if (out->npairs == sg->cap) {
        size_t nc = sg->cap ? sg->cap * 2 : 64;
        eng_pair *np = realloc(out->pairs, nc * sizeof *np);
        size_t *na = np ? realloc(sg->ia, nc * sizeof *na) : NULL;
        if (np)
            out->pairs = np;
        if (na)
            sg->ia = na;
        size_t *nb = na ? realloc(sg->ib, nc * sizeof *nb) : NULL;
        if (!np || !na || !nb) {
            free(pa);
            free(pb);
            return ENG_EIO;
        }
        sg->ib = nb;
        sg->cap = nc;
    }
    if (sg->rank[y] < sg->rank[x]) {
        size_t t = x;
        x = y;
        y = t;
        char *tp = pa;
        pa = pb;
        pb = tp;
    }
    const eng_record *a = &sg->recs[x], *b = &sg->recs[y];
    eng_pair *p = &out->pairs[out->npairs];
    memset(p, 0, sizeof *p);
    sg->ia[out->npairs] = x;
    sg->ib[out->npairs] = y;
    out->npairs++;
    p->a = strdup(a->id);
    p->b = strdup(b->id);
    p->kind = strdup(kind);
    p->method = strdup(method);
    p->jaccard = j;
    p->containment = c;
    p->contained = contained != SIZE_MAX ? strdup(sg->recs[contained].id) : NULL;
    p->passage_a = pa;
    p->passage_b = pb;
    p->signals = signals_json(sg->tx, a, b);
    p->ordered = order_known(a, b);
    if (!p->a || !p->b || !p->kind || !p->method || !p->signals ||
        (contained != SIZE_MAX && !p->contained))
        return ENG_EIO;
    return ENG_OK;
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

static int has_pair(const stage *sg, size_t nexact, size_t x, size_t y)
{
    for (size_t i = 0; i < nexact; i++)
        if ((sg->ia[i] == x && sg->ib[i] == y) || (sg->ia[i] == y && sg->ib[i] == x))
            return 1;
    return 0;
}

/* Does a pair of texts say the two records are one work?  Two brief texts
 * (titles) from different teams and different dates do not, even when
 * identical: a title alone ("管理科学与管理工程", "Sensor Data Fusion") is
 * reused by unrelated projects; the same call (same date) or the same team
 * makes it telling. */
static int telling(const stage *sg, const eng_dup_set *set, size_t x, size_t y)
{
    if (!eng_dup_brief(set, x) || !eng_dup_brief(set, y))
        return 1;
    return !order_known(&sg->recs[x], &sg->recs[y]) ||
           same_team(sg->tx, &sg->recs[x], &sg->recs[y]);
}

/* Exact duplicates: records whose normalised title and abstract are the
 * same (abstract_only = 0), then records whose normalised abstracts alone
 * are the same and long enough to mean the same work (abstract_only = 1:
 * the same description filed under two titles).  Placeholders are left
 * out, and with a set, a text it does not compare (too little
 * information) is not compared here either. */
static int find_exact(stage *sg, const eng_dup_set *set, int abstract_only)
{
    const eng_record *recs = sg->recs;
    size_t n = sg->n, before = sg->out->npairs;
    eng_dup_result *out = sg->out;
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return ENG_EIO;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        /* exact copies of short texts (titles) need the information two
         * titles need to pair at all */
        if (set && !eng_dup_active_short(set, i))
            continue;
        const char *ab = real_text(recs[i].abstract);
        char *t = abstract_only ? NULL : dup_text(&recs[i]);
        char *norm = abstract_only ? normalise(sg->tx, ab) : t ? normalise(sg->tx, t) : NULL;
        free(t);
        if (!norm) {
            free(k);
            return ENG_EIO;
        }
        /* Too short to call two records the same work: 8 bytes of title and
         * abstract, 40 of an abstract alone. */
        if (strlen(norm) >= (abstract_only ? 40u : 8u)) {
            base_sha256_hex(norm, strlen(norm), k[m].hash);
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
            for (size_t y = x + 1; y < j && !rc; y++) {
                if (g > 20 && x != i)
                    break;
                size_t xa = k[x].idx, yb = k[y].idx;
                if (abstract_only && has_pair(sg, before, xa, yb))
                    continue;
                if (!abstract_only && set && !telling(sg, set, xa, yb))
                    continue;
                /* the same team's title again, later: continued funding (延续资助) */
                int cont = !abstract_only && set && eng_dup_brief(set, xa) &&
                           eng_dup_brief(set, yb) && order_known(&recs[xa], &recs[yb]) &&
                           same_team(sg->tx, &recs[xa], &recs[yb]);
                if (!cont) {
                    out->flags[xa] |= 1;
                    out->flags[yb] |= 1;
                    if (out->duplicate_of[yb] == SIZE_MAX && order_known(&recs[xa], &recs[yb]))
                        out->duplicate_of[yb] = xa;
                }
                char *ta = abstract_only ? strdup(recs[xa].abstract) : dup_text(&recs[xa]);
                char *pa = ta ? excerpt(ta, 0, strlen(ta), 600) : NULL;
                char *pb = pa ? strdup(pa) : NULL;
                free(ta);
                rc = add_pair(sg, xa, yb, cont ? "continuation" : "exact",
                              abstract_only ? "exact-normalised-abstract" : "exact-normalised", 1.0,
                              1.0, SIZE_MAX, pa, pb);
            }
        }
        i = j;
    }
    free(k);
    return rc;
}

/* Rank of each record in the listing order (earlier()): total, so that
 * every record has its own place. */
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

/* The order eng_dup compares for "earlier": records of the same date share
 * a value, undated ones are ENG_DUP_UNORDERED. */
static long *date_orders(const eng_record *recs, const long *rank, size_t n)
{
    long *o = malloc((n ? n : 1) * sizeof *o);
    size_t *by = malloc((n ? n : 1) * sizeof *by);
    if (!o || !by) {
        free(o);
        free(by);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        by[rank[i]] = i;
    long v = 0;
    const char *last = NULL;
    for (size_t r = 0; r < n; r++) {
        const char *w = when_of(&recs[by[r]]);
        if (!w) {
            o[by[r]] = ENG_DUP_UNORDERED;
            continue;
        }
        if (!last || strcmp(last, w))
            v++;
        last = w;
        o[by[r]] = v;
    }
    free(by);
    return o;
}

/* A doc across runs: its text and its date (the order nearest neighbours
 * need), as the first 16 bytes of their SHA-256. */
typedef struct doc_key {
    unsigned char k[16];
    uint32_t idx;
} doc_key;

static int key_cmp(const void *x, const void *y)
{
    const doc_key *a = x, *b = y;
    int c = memcmp(a->k, b->k, 16);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Keys of docs[0..n), the docs of recs[0..n); out[i].idx = base + i. */
static void doc_keys(const eng_record *recs, const eng_dup_doc *docs, size_t n, size_t base,
                     doc_key *out)
{
    for (size_t i = 0; i < n; i++) {
        base_sha256_ctx h;
        unsigned char d[32];
        const char *w = when_of(&recs[i]);
        base_sha256_init(&h);
        base_sha256_update(&h, docs[i].text, docs[i].len);
        base_sha256_update(&h, "\x1f", 1);
        base_sha256_update(&h, w ? w : "", w ? strlen(w) : 0);
        base_sha256_final(&h, d);
        memcpy(out[i].k, d, 16);
        out[i].idx = (uint32_t)(base + i);
    }
}

/* Fills the set with every record's shingles and signature, taking them from
 * the store's cache when there, computing (in parallel) and caching the
 * rest. */
#define FILL_CHUNK 4096 /* records whose texts are held at a time */

/* Adds docs[k0, k1) (uncached) to the set in one call (in parallel). */
static int fill_run(eng_dup_set *set, const eng_dup_doc *docs, size_t k0, size_t k1, eng_err *err)
{
    return k1 > k0 ? eng_dup_add(set, docs + k0, k1 - k0, err) : ENG_OK;
}

static int fill_set(eng_store *st, eng_dup_set *set, const eng_record *recs, const long *order,
                    size_t n, char **keep, doc_key *keys, size_t *nreused, eng_err *err)
{
    *nreused = 0;
    const char *key = eng_dup_key(set);
    char(*hashes)[65] = malloc(FILL_CHUNK * sizeof *hashes);
    char **own = keep ? NULL : calloc(FILL_CHUNK, sizeof *own);
    eng_dup_doc *docs = calloc(FILL_CHUNK, sizeof *docs);
    unsigned char *cached = calloc(FILL_CHUNK, 1);
    eng_sig_reader *rd = NULL;
    int rc = ENG_OK;
    if (!hashes || (!keep && !own) || !docs || !cached) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if (st && (rc = eng_sig_reader_open(st, key, &rd, err)))
        goto done;
    for (size_t lo = 0; lo < n && !rc; lo += FILL_CHUNK) {
        size_t m = n - lo < FILL_CHUNK ? n - lo : FILL_CHUNK;
        char **tx = keep ? keep + lo : own;
        for (size_t k = 0; k < m && !rc; k++) {
            if (!(tx[k] = dup_text(&recs[lo + k]))) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            docs[k].text = tx[k];
            docs[k].len = strlen(tx[k]);
            docs[k].order = order ? order[lo + k] : (long)(lo + k);
            base_sha256_hex(tx[k], docs[k].len, hashes[k]);
            cached[k] = 0;
        }
        if (!rc && keys)
            doc_keys(recs + lo, docs, m, lo, keys + lo);
        /* in doc order: a cached blob is added as it is read, a run of
         * uncached docs in one call when the run ends */
        size_t run = 0;
        for (size_t k = 0; k < m && !rc; k++) {
            const void *blob = NULL;
            size_t blen = 0;
            if (rd && (rc = eng_sig_read(rd, hashes[k], &blob, &blen, err)))
                break;
            if (!blob)
                continue;
            eng_err e2;
            if ((rc = fill_run(set, docs, run, k, err)))
                break;
            run = k + 1;
            if (eng_dup_add_blob(set, blob, blen, docs[k].order, &e2) == ENG_OK) {
                cached[k] = 1;
                (*nreused)++;
            } else {
                rc = fill_run(set, docs, k, k + 1, err); /* damaged: made again, cached again */
            }
        }
        if (!rc)
            rc = fill_run(set, docs, run, m, err);
        if (!rc && st) {
            int began = eng_store_begin(st, err) == ENG_OK;
            for (size_t k = 0; k < m && began && !rc; k++) {
                if (cached[k])
                    continue;
                void *blob;
                size_t blen;
                if ((rc = eng_dup_blob(set, lo + k, &blob, &blen, err)) != ENG_OK)
                    break;
                rc = eng_store_sig_put(st, hashes[k], key, blob, blen, err);
                free(blob);
            }
            if (began && !rc)
                rc = eng_store_commit(st, err);
            else if (began)
                eng_store_rollback(st);
            else
                rc = ENG_EIO;
        }
        for (size_t k = 0; !keep && k < m; k++) {
            free(own[k]);
            own[k] = NULL;
        }
    }
done:
    eng_sig_reader_close(rd);
    free(hashes);
    free(own);
    free(docs);
    free(cached);
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
    if (c->floor > 0 && c->floor <= 1)
        p->floor = c->floor;
    p->jobs = c->jobs;
    p->stop_phrases = c->stop;
    p->nstop = c->nstop;
    p->weighted = c->weighted;
    p->min_info = c->weighted ? c->min_info : 0;
    p->inside = c->weighted && c->inside;
    p->short_jaccard = c->short_jaccard;
    p->short_info = c->weighted ? c->short_info : 0;
}

/* The relation of a verified pair x, y (indexes; eng_dup sizes sx, sy):
 * inside (a short text inside a long one), partial (one clearly larger,
 * by a fifth or more, holding most of the other), else near; a
 * continuation when the same team's earlier record is the one inside the
 * later.  OUT: *contained (SIZE_MAX for none). */
static const char *relation_of(const eng_text *tx, const eng_record *recs, const eng_dup_pair *q,
                               size_t x, size_t y, size_t sx, size_t sy, double ct,
                               size_t *contained)
{
    double ratio = sx > sy ? (double)sx / (sy ? sy : 1) : (double)sy / (sx ? sx : 1);
    const char *kind = "near";
    *contained = SIZE_MAX;
    if (q->inside) {
        kind = "inside";
        *contained = sx <= sy ? x : y;
    } else if (q->containment >= ct && ratio >= 1.2) {
        kind = "partial";
        *contained = sx <= sy ? x : y;
    }
    if (*contained != SIZE_MAX && order_known(&recs[x], &recs[y]) &&
        same_team(tx, &recs[x], &recs[y])) {
        size_t early = earlier(&recs[x], &recs[y]) ? x : y;
        if (early == *contained)
            kind = "continuation";
    }
    return kind;
}

static int flag_bit(const char *kind)
{
    return !strcmp(kind, "exact")     ? 1
           : !strcmp(kind, "near")    ? 2
           : !strcmp(kind, "partial") ? 4
           : !strcmp(kind, "inside")  ? 8
                                      : 0;
}

/* Record i's text for passages, made when first needed (a run holds the
 * texts of its pairs only).  Returns ENG_OK or ENG_EIO. */
static int text_of(const eng_record *recs, char **texts, eng_dup_doc *docs, size_t i, eng_err *err)
{
    if (texts[i])
        return ENG_OK;
    if (!(texts[i] = dup_text(&recs[i])))
        return eng_fail(err, ENG_EIO, "out of memory");
    docs[i].text = texts[i];
    docs[i].len = strlen(texts[i]);
    return ENG_OK;
}

static int find_near(stage *sg, eng_dup_set *set, const eng_dup_params *p, char **texts,
                     eng_dup_doc *docs, eng_dup_incr *incr, eng_err *err)
{
    const eng_record *recs = sg->recs;
    size_t n = sg->n;
    eng_dup_result *out = sg->out;
    eng_dup_pair *pairs = NULL;
    eng_dup_near *near = NULL;
    size_t np = 0, nexact = out->npairs;
    eng_dup_stats stats;
    int rc;
    if ((rc = eng_dup_pairs_incr(set, incr, &pairs, &np, &stats, err)))
        goto done;
    for (size_t k = 0; k < np && !rc; k++)
        if (!(rc = text_of(recs, texts, docs, pairs[k].a, err)))
            rc = text_of(recs, texts, docs, pairs[k].b, err);
    if (rc || (rc = eng_dup_passages(set, docs, pairs, np, err)))
        goto done;
    char method[128];
    snprintf(method, sizeof method, "minhash-oph p=%d b=%dxr=%d, verified%s", p->num_perm,
             stats.bands, stats.rows, p->weighted ? ", idf-weighted" : "");
    for (size_t k = 0; k < np && !rc; k++) {
        const eng_dup_pair *q = &pairs[k];
        size_t x = q->a, y = q->b;
        if (has_pair(sg, nexact, x, y) || (!q->inside && !telling(sg, set, x, y)))
            continue;
        size_t contained;
        const char *kind = relation_of(sg->tx, recs, q, x, y, eng_dup_size(set, x),
                                       eng_dup_size(set, y), p->containment, &contained);
        rc = add_pair(sg, x, y, kind, method, q->jaccard, q->containment, contained,
                      excerpt(texts[x], q->a_off, q->a_len, 600),
                      excerpt(texts[y], q->b_off, q->b_len, 600));
        out->flags[x] |= (unsigned char)flag_bit(kind);
        out->flags[y] |= (unsigned char)flag_bit(kind);
        if (flag_bit(kind) && order_known(&recs[x], &recs[y])) {
            size_t later = earlier(&recs[x], &recs[y]) ? y : x;
            if (out->duplicate_of[later] == SIZE_MAX)
                out->duplicate_of[later] = later == x ? y : x;
        }
    }
    if (rc)
        goto done;
    near = malloc((n ? n : 1) * sizeof *near);
    if (!near || !(out->nearest_sim = malloc((n ? n : 1) * sizeof *out->nearest_sim))) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if ((rc = eng_dup_nearest_earlier_incr(set, incr, near, err)))
        goto done;
    /* similarity beyond the floor: no cliff where a neighbour starts to count */
    for (size_t i = 0; i < n; i++) {
        double sim = near[i].doc == SIZE_MAX ? 0 : near[i].jaccard;
        double r = (sim - p->floor) / (1 - p->floor);
        out->nearest_sim[i] = r < 0 ? 0 : r > 1 ? 1 : r;
    }
    /* An exact duplicate of an earlier record is not new at all. */
    for (size_t i = 0; i < n; i++)
        if ((out->flags[i] & 1) && out->duplicate_of[i] != SIZE_MAX)
            out->nearest_sim[i] = 1;
done:
    free(pairs);
    free(near);
    return rc;
}

/* The text preparation that exact comparison uses: no stop phrases (two
 * records are the same work only when every word is the same). */
static int text_for_exact(eng_text **tx, eng_err *err)
{
    eng_text_params tp = {1, 1, NULL, 0};
    return eng_text_new(&tp, tx, err);
}

/* ---- groups ---------------------------------------------------------------------------- */

static size_t uf_find(size_t *up, size_t x)
{
    while (up[x] != x) {
        up[x] = up[up[x]];
        x = up[x];
    }
    return x;
}

static const stage *g_stage; /* for qsort only; set and cleared under one call */

static int grouped_cmp(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const eng_pair *a = &g_stage->out->pairs[i], *b = &g_stage->out->pairs[j];
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    long ra = g_stage->rank[g_stage->ia[i]], rb = g_stage->rank[g_stage->ia[j]];
    if (ra != rb)
        return ra < rb ? -1 : 1;
    ra = g_stage->rank[g_stage->ib[i]];
    rb = g_stage->rank[g_stage->ib[j]];
    return ra < rb ? -1 : ra > rb;
}

/* Joins the pairs into connected groups (union-find over the records),
 * numbers the groups 1.. by their earliest record (listing order) and
 * sorts the pairs by group, then by their first and second record. */
static int group_pairs(stage *sg)
{
    size_t n = sg->n, np = sg->out->npairs;
    size_t *up = malloc((n ? n : 1) * sizeof *up);
    long *first = malloc((n ? n : 1) * sizeof *first);
    size_t *gid = malloc((n ? n : 1) * sizeof *gid);
    size_t *idx = malloc((np ? np : 1) * sizeof *idx);
    eng_pair *sorted = malloc((np ? np : 1) * sizeof *sorted);
    if (!up || !first || !gid || !idx || !sorted) {
        free(up);
        free(first);
        free(gid);
        free(idx);
        free(sorted);
        return ENG_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        up[i] = i;
        first[i] = LONG_MAX;
        gid[i] = 0;
    }
    for (size_t k = 0; k < np; k++) {
        size_t a = uf_find(up, sg->ia[k]), b = uf_find(up, sg->ib[k]);
        if (a != b)
            up[a] = b;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = uf_find(up, i);
        if (sg->rank[i] < first[r])
            first[r] = sg->rank[i];
    }
    /* number the groups in the order of their earliest record: walk the
     * records in listing order */
    size_t *by = idx; /* reused: records by rank need n entries, pairs np */
    size_t *tmp = NULL;
    if (np < n) {
        tmp = malloc(n * sizeof *tmp);
        if (!tmp) {
            free(up);
            free(first);
            free(gid);
            free(idx);
            free(sorted);
            return ENG_EIO;
        }
        by = tmp;
    }
    for (size_t i = 0; i < n; i++)
        by[sg->rank[i]] = i;
    size_t next = 0;
    for (size_t k = 0; k < np; k++)
        gid[uf_find(up, sg->ia[k])] = SIZE_MAX - 1; /* has pairs */
    for (size_t r = 0; r < n; r++) {
        size_t root = uf_find(up, by[r]);
        if (gid[root] == SIZE_MAX - 1)
            gid[root] = ++next;
    }
    free(tmp);
    for (size_t k = 0; k < np; k++) {
        sg->out->pairs[k].group = (long)gid[uf_find(up, sg->ia[k])];
        idx[k] = k;
    }
    g_stage = sg;
    qsort(idx, np, sizeof *idx, grouped_cmp);
    g_stage = NULL;
    size_t *na = malloc((np ? np : 1) * sizeof *na), *nb = malloc((np ? np : 1) * sizeof *nb);
    if (!na || !nb) {
        free(na);
        free(nb);
        free(up);
        free(first);
        free(gid);
        free(idx);
        free(sorted);
        return ENG_EIO;
    }
    for (size_t k = 0; k < np; k++) {
        sorted[k] = sg->out->pairs[idx[k]];
        na[k] = sg->ia[idx[k]];
        nb[k] = sg->ib[idx[k]];
    }
    if (np)
        memcpy(sg->out->pairs, sorted, np * sizeof *sorted);
    free(sg->ia);
    free(sg->ib);
    sg->ia = na;
    sg->ib = nb;
    free(up);
    free(first);
    free(gid);
    free(idx);
    free(sorted);
    return ENG_OK;
}

/* ---- the next year: the last search, carried (eng_dup_incr) ---------------------------- */

#define STATE_MAGIC 0x54534456u /* "VDST" little-endian */
#define STATE_VERSION 1u
#define STATE_HEADER 24
#define STATE_DOC 17 /* a doc's key (16 bytes) and whether it was compared */

/* The parameters a search's state belongs to: all of them. */
static void state_params(const eng_dup_set *set, const eng_dup_params *p, char *out, size_t cap)
{
    snprintf(out, cap,
             "%s|j=%.17g c=%.17g r=%.17g m=%zu f=%.17g rec=%.17g np=%d cap=%zu w=%d mi=%.17g"
             " in=%d sj=%.17g si=%.17g|v%u",
             eng_dup_key(set), p->jaccard, p->containment, p->contain_ratio, p->contain_min,
             p->floor, p->recall, p->num_perm, p->bucket_cap, p->weighted, p->min_info, p->inside,
             p->short_jaccard, p->short_info, STATE_VERSION);
}

static void st_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t st_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The state of this search: its docs (keys, compared or not) and the
 * gated candidates it found.  OUT: *blob (malloc'd), *len.  -1 when memory
 * ran out. */
static int state_make(const eng_dup_set *set, const doc_key *keys, size_t n, const eng_dup_incr *in,
                      unsigned char **blob, size_t *len)
{
    size_t size = STATE_HEADER + n * STATE_DOC + 8 * (in->nfound + in->nfound_near);
    unsigned char *b = malloc(size);
    if (!b)
        return -1;
    st_put32(b, STATE_MAGIC);
    st_put32(b + 4, STATE_VERSION);
    st_put32(b + 8, (uint32_t)n);
    st_put32(b + 12, (uint32_t)in->nfound);
    st_put32(b + 16, (uint32_t)in->nfound_near);
    unsigned char *o = b + STATE_HEADER;
    for (size_t i = 0; i < n; i++, o += STATE_DOC) {
        memcpy(o, keys[i].k, 16);
        o[16] = (unsigned char)eng_dup_active(set, i);
    }
    for (size_t i = 0; i < in->nfound; i++, o += 8) {
        st_put32(o, in->found[i].a);
        st_put32(o + 4, in->found[i].b);
    }
    for (size_t i = 0; i < in->nfound_near; i++, o += 8) {
        st_put32(o, in->found_near[i].a);
        st_put32(o + 4, in->found_near[i].b);
    }
    st_put32(b + 20, (uint32_t)eng_hash64(b + STATE_HEADER, size - STATE_HEADER, STATE_MAGIC));
    *blob = b;
    *len = size;
    return 0;
}

/* Carried candidates of list v (nv, prior indexes) whose docs both map to
 * docs of this search, in this search's indexes.  -1 when memory ran out. */
static int carry(const unsigned char *v, size_t nv, const uint32_t *map, size_t nprior,
                 eng_dup_cand **out, size_t *n)
{
    *out = malloc((nv ? nv : 1) * sizeof **out);
    *n = 0;
    if (!*out)
        return -1;
    for (size_t i = 0; i < nv; i++) {
        uint32_t a = st_get32(v + 8 * i), b = st_get32(v + 8 * i + 4);
        if (a >= nprior || b >= nprior || map[a] == UINT32_MAX || map[b] == UINT32_MAX)
            continue;
        uint32_t x = map[a], y = map[b];
        (*out)[(*n)++] = (eng_dup_cand){x < y ? x : y, x < y ? y : x};
    }
    return 0;
}

/* Sets up an incremental search from the last one's state (blob): when
 * every doc of it is still here, unchanged and compared as before, the docs
 * not in it (and all docs of a text whose count grew) are fresh and its
 * candidates between the others are carried; otherwise in->fresh stays
 * NULL (a full search).  keys: this search's, sorted in place.  OUT: in,
 * *fresh (malloc'd when set).  -1 when memory ran out. */
static int state_use(const eng_dup_set *set, const unsigned char *blob, size_t len, doc_key *keys,
                     size_t n, eng_dup_incr *in, unsigned char **fresh, size_t *nfresh)
{
    *fresh = NULL;
    *nfresh = n;
    if (!blob || len < STATE_HEADER || st_get32(blob) != STATE_MAGIC ||
        st_get32(blob + 4) != STATE_VERSION)
        return 0;
    size_t np = st_get32(blob + 8), nf = st_get32(blob + 12), nn = st_get32(blob + 16);
    if (len != STATE_HEADER + np * STATE_DOC + 8 * (nf + nn) ||
        st_get32(blob + 20) !=
            (uint32_t)eng_hash64(blob + STATE_HEADER, len - STATE_HEADER, STATE_MAGIC))
        return 0; /* damaged: search everything */
    doc_key *prior = malloc((np ? np : 1) * sizeof *prior);
    uint32_t *map = calloc(np ? np : 1, sizeof *map);
    unsigned char *fr = calloc(n ? n : 1, 1);
    if (!prior || !map || !fr) {
        free(prior);
        free(map);
        free(fr);
        return -1;
    }
    const unsigned char *d = blob + STATE_HEADER;
    for (size_t i = 0; i < np; i++) {
        memcpy(prior[i].k, d + i * STATE_DOC, 16);
        prior[i].idx = (uint32_t)i;
        map[i] = UINT32_MAX;
    }
    qsort(prior, np, sizeof *prior, key_cmp);
    qsort(keys, n, sizeof *keys, key_cmp);
    int ok = 1;
    size_t i = 0, j = 0;
    while (ok && (i < np || j < n)) {
        /* one key: its docs in the last search [i, ie), here [j, je) */
        const unsigned char *k =
            i < np && (j >= n || memcmp(prior[i].k, keys[j].k, 16) <= 0) ? prior[i].k : keys[j].k;
        size_t ie = i, je = j;
        while (ie < np && !memcmp(prior[ie].k, k, 16))
            ie++;
        while (je < n && !memcmp(keys[je].k, k, 16))
            je++;
        if (ie - i > je - j) {
            ok = 0; /* a doc of the last search is gone: its buckets shrank */
        } else if (ie - i == je - j) {
            /* the same docs (alike for the search: same text, same date) */
            for (size_t x = 0; x < ie - i; x++) {
                uint32_t p = prior[i + x].idx, c = keys[j + x].idx;
                if (d[(size_t)p * STATE_DOC + 16] != (unsigned char)eng_dup_active(set, c))
                    ok = 0; /* compared then and not now, or the other way round */
                map[p] = c;
            }
        } else {
            for (size_t x = j; x < je; x++)
                fr[keys[x].idx] = 1;
        }
        i = ie;
        j = je;
    }
    const unsigned char *pairs = d + np * STATE_DOC;
    int rc = 0;
    if (ok) {
        eng_dup_cand *cp = NULL, *cn = NULL;
        if (carry(pairs, nf, map, np, &cp, &in->ncarried) ||
            carry(pairs + 8 * nf, nn, map, np, &cn, &in->ncarried_near))
            rc = -1;
        in->carried = cp;
        in->carried_near = cn;
        in->fresh = fr;
        *fresh = fr;
        *nfresh = 0;
        for (size_t x = 0; x < n; x++)
            *nfresh += fr[x];
    } else {
        free(fr);
    }
    /* back in doc order, for the next state */
    for (size_t x = 0; x < n; x++)
        while (keys[x].idx != x) {
            doc_key t = keys[keys[x].idx];
            keys[keys[x].idx] = keys[x];
            keys[x] = t;
        }
    free(prior);
    free(map);
    return rc;
}

/* The near-duplicate search of a run, incremental when the store holds the
 * last search under the same parameters (and there is a store). */
static int search_near(eng_store *st, stage *sg, eng_dup_set *set, const eng_dup_params *p,
                       char **texts, eng_dup_doc *docs, doc_key *keys, eng_err *err)
{
    size_t n = sg->n;
    char params[512];
    state_params(set, p, params, sizeof params);
    eng_dup_incr in;
    memset(&in, 0, sizeof in);
    unsigned char *fresh = NULL, *blob = NULL;
    void *prior = NULL;
    size_t plen = 0, blen = 0, nfresh = n;
    int rc = ENG_OK;
    if (st && (rc = eng_store_dup_state_get(st, params, &prior, &plen, err)))
        goto done;
    if (state_use(set, prior, plen, keys, n, &in, &fresh, &nfresh)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    free(prior);
    prior = NULL;
    sg->out->incremental = fresh != NULL;
    sg->out->fresh = nfresh;
    sg->out->carried = in.ncarried + in.ncarried_near;
    if ((rc = find_near(sg, set, p, texts, docs, &in, err)))
        goto done;
    if (st) {
        if (state_make(set, keys, n, &in, &blob, &blen)) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        rc = eng_store_dup_state_put(st, params, blob, blen, err);
    }
done:
    free(fresh);
    free(blob);
    free(prior);
    free((void *)in.carried);
    free((void *)in.carried_near);
    free(in.found);
    free(in.found_near);
    return rc;
}

int eng_dupstage_run(eng_store *st, const eng_record *recs, size_t n, const eng_dup_config *c,
                     eng_dup_result *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    stage sg;
    memset(&sg, 0, sizeof sg);
    sg.recs = recs;
    sg.n = n;
    sg.out = out;
    eng_dup_params p;
    params_from_config(c, &p);
    eng_text *tx = NULL;
    eng_dup_set *set = NULL;
    char **texts = calloc(n ? n : 1, sizeof *texts);
    eng_dup_doc *docs = calloc(n ? n : 1, sizeof *docs);
    doc_key *keys = NULL;
    long *order = NULL;
    out->duplicate_of = malloc((n ? n : 1) * sizeof *out->duplicate_of);
    out->flags = calloc(n ? n : 1, 1);
    sg.rank = earlier_ranks(recs, n);
    int rc = ENG_OK;
    if (!out->duplicate_of || !out->flags || !texts || !docs || !sg.rank ||
        !(order = date_orders(recs, sg.rank, n))) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        out->duplicate_of[i] = SIZE_MAX;
    if ((rc = text_for_exact(&tx, err)))
        goto done;
    sg.tx = tx;
    if (!c->skip_near) {
        /* the set first: what it does not compare (too little information)
         * exact comparison leaves out too */
        if (!(keys = malloc((n ? n : 1) * sizeof *keys))) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        if ((rc = eng_dup_set_new(&p, &set, err)) ||
            (rc = fill_set(st, set, recs, order, n, NULL, keys, &out->sigs_reused, err)) ||
            (rc = eng_dup_weigh(set, err)))
            goto done;
    }
    if (find_exact(&sg, set, 0) || find_exact(&sg, set, 1)) {
        rc = eng_fail(err, ENG_EIO, "out of memory while finding exact duplicates");
        goto done;
    }
    if (set)
        out->sigs_made = n - out->sigs_reused;
    if (set && (rc = search_near(st, &sg, set, &p, texts, docs, keys, err)))
        goto done;
    if (group_pairs(&sg))
        rc = eng_fail(err, ENG_EIO, "out of memory");
done:
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(docs);
    free(keys);
    free(order);
    free(sg.rank);
    free(sg.ia);
    free(sg.ib);
    eng_dup_set_free(set);
    eng_text_free(tx);
    if (rc)
        eng_dup_result_release(out);
    return rc;
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
    size_t reused;
    int rc = text_for_exact(&tx, err);
    memset(out, 0, nprops * sizeof *out);
    if (rc)
        goto done;
    if (!texts || !docs) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if ((rc = eng_dup_set_new(&p, &set, err)) ||
        (rc = fill_set(st, set, stored, NULL, nstored, texts, NULL, &reused, err)) ||
        (rc = eng_dup_weigh(set, err)))
        goto done;
    for (size_t i = 0; i < nstored; i++) {
        docs[i].text = texts[i];
        docs[i].len = strlen(texts[i]);
        docs[i].order = (long)i;
    }
    for (size_t i = 0; i < nprops && !rc; i++) {
        char *pt = dup_text(&props[i]);
        char *pnorm = pt ? normalise(tx, pt) : NULL;
        eng_dup_pair *hits = NULL;
        size_t nh = 0;
        if (!pt || !pnorm)
            rc = eng_fail(err, ENG_EIO, "out of memory");
        else
            rc =
                eng_dup_query(set, pt, strlen(pt), c->relation ? SIZE_MAX : top_k, &hits, &nh, err);
        if (!rc && nh && !(out[i].matches = calloc(nh, sizeof *out[i].matches)))
            rc = eng_fail(err, ENG_EIO, "out of memory");
        for (size_t k = 0; k < nh && !rc && out[i].n < top_k; k++) {
            const eng_dup_pair *h = &hits[k];
            const eng_record *s = &stored[h->a];
            char *snorm = normalise(tx, texts[h->a]);
            /* The run's classification (find_near, relation_of), with text
             * lengths for the sizes: the query is not in the set. */
            size_t ls = docs[h->a].len, lp = strlen(pt);
            double ratio = ls > lp ? (double)ls / (lp ? lp : 1) : (double)lp / (ls ? ls : 1);
            int partial = h->containment >= c->containment && ratio >= 1.2;
            const char *kind;
            int stored_in = 0; /* 1: the stored record is the one inside, -1: the proposal */
            if (snorm && *pnorm && !strcmp(snorm, pnorm)) {
                kind = "exact";
            } else if (h->inside) {
                kind = "inside";
                stored_in = h->contained == ENG_DUP_A_IN_B ? 1 : -1;
            } else if (partial) {
                kind = "partial";
                stored_in = ls <= lp ? 1 : -1;
            } else if ((h->jaccard >= c->jaccard || h->containment >= c->containment) &&
                       (!h->short_pair || h->jaccard >= c->short_jaccard)) {
                kind = "near";
            } else {
                kind = "related";
            }
            free(snorm);
            int order = order_known(s, &props[i]) ? (earlier(s, &props[i]) ? 1 : -1) : 0;
            if (stored_in && order == stored_in && same_team(tx, s, &props[i]))
                kind = "continuation"; /* the earlier one, the same team's, is inside */
            if (c->relation && strcmp(c->relation, kind))
                continue;
            eng_screen_match *m = &out[i].matches[out[i].n++];
            m->stored = h->a;
            m->jaccard = h->jaccard;
            m->containment = h->containment;
            m->kind = kind;
            m->order = order;
            if (stored_in)
                m->contained = strdup(stored_in > 0 ? s->id : props[i].id);
            eng_dup_span span;
            if ((rc = eng_dup_passage(set, texts[h->a], docs[h->a].len, pt, strlen(pt), &span,
                                      err)) != ENG_OK)
                break;
            m->passage_stored = excerpt(texts[h->a], span.a_off, span.a_len, 600);
            m->passage_proposal = excerpt(pt, span.b_off, span.b_len, 600);
            m->signals = signals_json(tx, s, &props[i]);
        }
        /* groups: matches whose stored records are copies of each other */
        for (size_t k = 0; k < out[i].n; k++) {
            eng_screen_match *m = &out[i].matches[k];
            for (size_t j = 0; j < k && !m->group; j++)
                if (eng_dup_compare(set, out[i].matches[j].stored, m->stored))
                    m->group = out[i].matches[j].group;
            if (!m->group) {
                int g = 0;
                for (size_t j = 0; j < k; j++)
                    if (out[i].matches[j].group > g)
                        g = out[i].matches[j].group;
                m->group = g + 1;
            }
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
