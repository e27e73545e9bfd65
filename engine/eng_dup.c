/*
 * eng_dup: MinHash (one-permutation hashing with optimal densification),
 * LSH banding and exact verification (see eng_dup.h).
 *
 * Memory layout, chosen for a million texts: all shingle sets in one uint64
 * arena with a start offset per doc; signatures num_perm uint32 per doc in
 * one array; band buckets are never allocated: for one band at a time, an
 * array of (band key << 32 | doc) is radix-sorted and runs of equal keys
 * are the buckets.  A pair is handled only in the first band where its rows
 * agree, so every candidate is verified once and nothing has to remember
 * which pairs were seen; workers take bands from a shared counter and the
 * output is sorted at the end, so any number of jobs gives the same result.
 */
#include "engine/eng_dup.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_pool.h"
#include "engine/eng_text.h"

#define MAX_JOBS BASE_POOL_MAX
#define ADD_CHUNK 8192 /* docs prepared per round of eng_dup_add */
#define DENSIFY_SEED 0x64656e7369667931ull
#define BAND_SEED 0x62616e64733a7631ull
#define BLOB_MAGIC 0x50554456u /* "VDUP" little-endian */
#define BLOB_VERSION 1u
#define BLOB_HEADER 32
#define MAX_WORDS 16 /* 64-bit words of a row mask: num_perm <= 1024 */
#define MIN_JOINT 16 /* fewer jointly filled rows than this: no signature test */
#define MMIN_LEVELS 64
#define GROUP_MAX 8 /* bands keyed in one pass over the signatures */
#define PROBES 4    /* densification probes kept per bin */

/* A short doc under one of its rarest shingles (the inside index). */
typedef struct short_key {
    uint64_t h;
    uint32_t doc;
} short_key;

/* One banding: b bands of r rows for threshold t. */
typedef struct scheme {
    int b, r;
    double t, p;      /* threshold; candidate probability there */
    double min_ratio; /* size ratios at or below this are left to the schemes before */
    size_t cap;       /* buckets of more docs than this are skipped (0: none) */
    uint64_t starts;  /* bits 0, r, 2r, ... below 64: where bands start in a mask word */
} scheme;

struct eng_dup_set {
    eng_dup_params p; /* stop phrases not kept (they live on in text) */
    eng_text *text;
    int K, W;          /* signature rows; 64-bit words of a row mask */
    scheme sj, sc, sf; /* Jaccard; containment (b = 0 when not needed); floor */
    uint32_t *probe;   /* K * PROBES: the first bins each bin borrows from when empty */
    int *mmin;         /* [l * (K + 1) + n]: fewest agreeing rows, among n rows both docs filled,
                          that a pair of Jaccard l / MMIN_LEVELS shows with probability 1 - 10^-6 */
    char key[96];
    size_t n, cap;
    uint16_t *sig;   /* cap * K: the low 16 bits of each row's minimum (b-bit MinHash) */
    uint64_t *fill;  /* cap * W: the rows filled by the doc's own shingles (not borrowed) */
    uint64_t *start; /* cap + 1: doc i's shingles are sh[start[i]..start[i+1]) */
    long *order;     /* cap */
    uint64_t *sh;
    size_t shcap;
    /* eng_dup_weigh (weighted only; NULL before it) */
    uint16_t *df; /* 2^dfbits counters: docs holding a shingle, by hash (saturating) */
    int dfbits;
    float *lut;     /* 65536: the weight of a shingle that c other docs hold */
    float *info;    /* n: each doc's information */
    short_key *pfx; /* the short docs' rarest shingles, sorted by hash (inside only) */
    size_t npfx;
    uint32_t *shorts; /* the short docs (inside only) */
    size_t nshorts;
};

__extension__ typedef unsigned __int128 u128;

static void unweigh(eng_dup_set *s);

static inline uint64_t mix(uint64_t h, uint64_t x)
{
    u128 r = (u128)(x ^ 0xbf58476d1ce4e5b9ull) * (h ^ 0x94d049bb133111ebull);
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The a-th bin an empty bin i borrows from (optimal densification). */
static uint32_t probe_bin(int K, int i, uint32_t a)
{
    uint64_t x = mix(DENSIFY_SEED ^ (uint64_t)i, a);
    return (uint32_t)(((x >> 32) * (uint64_t)K) >> 32);
}

/* ---- threads ------------------------------------------------------------------ */

static int jobs_of(const eng_dup_set *s)
{
    int j = s->p.jobs;
    return j < 1 ? 1 : j > MAX_JOBS ? MAX_JOBS : j;
}

/* ---- parameters ---------------------------------------------------------------- */

void eng_dup_params_default(eng_dup_params *p)
{
    memset(p, 0, sizeof *p);
    p->jaccard = 0.5;
    p->containment = 0.7;
    p->contain_ratio = 2.0;
    p->floor = 0.3;
    p->recall = 0.995;
    p->shingle_cjk = 3;
    p->shingle_latin = 2;
    p->num_perm = 128;
    p->bucket_cap = 64;
    p->contain_min = 20;
    p->jobs = 1;
}

static double p_candidate(double t, int b, int r)
{
    return 1.0 - pow(1.0 - pow(t, r), b);
}

/* The largest m with P(X < m) <= 1e-6 for X ~ Binomial(n, t). */
static int min_matches(int n, double t)
{
    if (t >= 1)
        return n;
    double logp = (double)n * log1p(-t), cdf = 0;
    for (int m = 0; m <= n; m++) {
        cdf += exp(logp);
        if (cdf > 1e-6)
            return m;
        logp += log((double)(n - m) / (double)(m + 1)) + log(t) - log1p(-t);
    }
    return n;
}

double eng_dup_banding(int num_perm, double t, double recall, int *bands, int *rows)
{
    for (int r = num_perm; r >= 1; r--) {
        int b = num_perm / r;
        double p = p_candidate(t, b, r);
        if (p >= recall || r == 1) {
            *bands = b;
            *rows = r;
            return p;
        }
    }
    *bands = num_perm;
    *rows = 1;
    return p_candidate(t, num_perm, 1);
}

static int in_unit(double x)
{
    return x > 0 && x <= 1;
}

static int scheme_init(scheme *sc, int K, double t, double recall, double min_ratio, size_t cap)
{
    sc->t = t;
    sc->cap = cap;
    sc->starts = 0;
    sc->p = eng_dup_banding(K, t, recall, &sc->b, &sc->r);
    sc->min_ratio = min_ratio;
    for (int i = 0; i < 64; i += sc->r)
        sc->starts |= 1ull << i;
    return 0;
}

int eng_dup_set_new(const eng_dup_params *p, eng_dup_set **out, eng_err *err)
{
    if (!in_unit(p->jaccard))
        return eng_fail(err, ENG_EUSAGE, "duplicates: jaccard %g is not in (0, 1]", p->jaccard);
    if (!(p->containment > 0))
        return eng_fail(err, ENG_EUSAGE, "duplicates: containment %g is not above 0",
                        p->containment);
    if (!(p->contain_ratio >= 0 && p->contain_ratio < 1e6))
        return eng_fail(err, ENG_EUSAGE, "duplicates: contain_ratio %g is out of range",
                        p->contain_ratio);
    if (!in_unit(p->floor))
        return eng_fail(err, ENG_EUSAGE, "duplicates: floor %g is not in (0, 1]", p->floor);
    if (!(p->recall >= 0.5 && p->recall <= 0.999999))
        return eng_fail(err, ENG_EUSAGE, "duplicates: recall %g is not in [0.5, 0.999999]",
                        p->recall);
    if (p->num_perm < 16 || p->num_perm > 1024 || p->num_perm % 16)
        return eng_fail(err, ENG_EUSAGE,
                        "duplicates: num_perm %d is not a multiple of 16 in 16..1024", p->num_perm);
    eng_dup_set *s = calloc(1, sizeof *s);
    if (!s)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    eng_text_params tp = {p->shingle_cjk, p->shingle_latin, p->stop_phrases, p->nstop};
    int rc = eng_text_new(&tp, &s->text, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->p = *p;
    s->p.stop_phrases = NULL;
    s->p.nstop = 0;
    s->K = p->num_perm;
    s->W = (s->K + 63) / 64;
    rc = scheme_init(&s->sj, s->K, p->jaccard, p->recall, 0, 0);
    if (!rc && p->containment <= 1 && p->contain_ratio > 1) {
        /* a partial copy (C >= c) with sizes in ratio R has J = c / (1 + R - c); below
         * R0 = c / j + c - 1 it has J >= j anyway and the Jaccard banding finds it */
        double c = p->containment, tc = c / (1 + p->contain_ratio - c);
        if (tc < p->jaccard)
            rc = scheme_init(&s->sc, s->K, tc, p->recall, c / p->jaccard + c - 1, p->bucket_cap);
    }
    if (!rc)
        rc = scheme_init(&s->sf, s->K, p->floor, p->recall, 0, p->bucket_cap);
    s->mmin = malloc((size_t)(MMIN_LEVELS + 1) * (size_t)(s->K + 1) * sizeof *s->mmin);
    s->probe = malloc((size_t)s->K * PROBES * sizeof *s->probe);
    if (!s->mmin || !s->probe)
        rc = -1;
    for (int i = 0; !rc && i < s->K; i++)
        for (uint32_t a = 1; a <= PROBES; a++)
            s->probe[i * PROBES + a - 1] = probe_bin(s->K, i, a);
    for (int l = 0; !rc && l <= MMIN_LEVELS; l++)
        for (int n = 0; n <= s->K; n++)
            s->mmin[l * (s->K + 1) + n] =
                n < MIN_JOINT ? 0 : min_matches(n, (double)l / MMIN_LEVELS);
    if (rc) {
        eng_dup_set_free(s);
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    }
    snprintf(s->key, sizeof s->key, "sh64:k=%d/%d:t=%016llx:v1", p->shingle_cjk, p->shingle_latin,
             (unsigned long long)eng_text_digest(s->text));
    s->start = calloc(1, sizeof *s->start);
    if (!s->start) {
        eng_dup_set_free(s);
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    }
    *out = s;
    return ENG_OK;
}

void eng_dup_set_free(eng_dup_set *s)
{
    if (!s)
        return;
    eng_text_free(s->text);
    free(s->mmin);
    free(s->probe);
    free(s->sig);
    free(s->fill);
    free(s->start);
    free(s->order);
    free(s->sh);
    free(s->df);
    free(s->lut);
    free(s->info);
    free(s->pfx);
    free(s->shorts);
    free(s);
}

size_t eng_dup_count(const eng_dup_set *s)
{
    return s->n;
}

size_t eng_dup_size(const eng_dup_set *s, size_t i)
{
    return i < s->n ? (size_t)(s->start[i + 1] - s->start[i]) : 0;
}

const char *eng_dup_key(const eng_dup_set *s)
{
    return s->key;
}

/* ---- signatures ------------------------------------------------------------------ */

/* One-permutation hashing of the sorted set h[0..m): bin = the hash's high
 * 32 bits scaled to K, value = the low 16 bits of the bin's smallest hash
 * (the first one met, the set being sorted); then optimal densification:
 * an empty bin i takes the value of the first non-empty bin on the probe
 * sequence probe_bin(i, 1), probe_bin(i, 2), ..., the same for every set
 * (the first PROBES of each bin are kept in s->probe). */
static void signature(const eng_dup_set *s, const uint64_t *h, size_t m, uint16_t *sig,
                      uint64_t *fill)
{
    const int K = s->K;
    memset(fill, 0, (size_t)s->W * sizeof *fill);
    if (!m) {
        memset(sig, 0, (size_t)K * sizeof *sig);
        return;
    }
    /* the set is sorted and the bin grows with the hash: a bin's first
     * hash is its smallest */
    size_t nfilled = 0;
    uint32_t last = UINT32_MAX;
    for (size_t i = 0; i < m; i++) {
        uint32_t bin = (uint32_t)(((h[i] >> 32) * (uint64_t)K) >> 32);
        if (bin != last) {
            fill[bin >> 6] |= 1ull << (bin & 63);
            sig[bin] = (uint16_t)h[i];
            nfilled++;
            last = bin;
        }
    }
    if (nfilled == (size_t)K)
        return;
    for (int i = 0; i < K; i++) {
        if (fill[i >> 6] >> (i & 63) & 1)
            continue;
        for (uint32_t a = 1;; a++) {
            uint32_t j = a <= PROBES ? s->probe[i * PROBES + a - 1] : probe_bin(K, i, a);
            if (fill[j >> 6] >> (j & 63) & 1) {
                sig[i] = sig[j];
                break;
            }
        }
    }
}

/* ---- adding docs ------------------------------------------------------------------- */

static int grow_docs(eng_dup_set *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < need)
        cap *= 2;
    uint16_t *sig = realloc(s->sig, cap * (size_t)s->K * sizeof *sig);
    if (!sig)
        return -1;
    s->sig = sig;
    uint64_t *fill = realloc(s->fill, cap * (size_t)s->W * sizeof *fill);
    if (!fill)
        return -1;
    s->fill = fill;
    uint64_t *start = realloc(s->start, (cap + 1) * sizeof *start);
    if (!start)
        return -1;
    s->start = start;
    long *order = realloc(s->order, cap * sizeof *order);
    if (!order)
        return -1;
    s->order = order;
    s->cap = cap;
    return 0;
}

static int grow_shingles(eng_dup_set *s, size_t need)
{
    if (need <= s->shcap)
        return 0;
    size_t cap = s->shcap ? s->shcap : 65536;
    while (cap < need)
        cap *= 2;
    uint64_t *sh = realloc(s->sh, cap * sizeof *sh);
    if (!sh)
        return -1;
    s->sh = sh;
    s->shcap = cap;
    return 0;
}

typedef struct add_worker {
    eng_tokens tk;
    uint64_t *buf;
    size_t bufcap;
    uint64_t *arena;
    size_t an, acap;
    int rc;
    size_t bad;
} add_worker;

typedef struct add_ctx {
    eng_dup_set *s;
    const eng_dup_doc *docs;
    size_t n;    /* docs in this round */
    size_t base; /* set index of docs[0] */
    atomic_size_t next;
    unsigned char *who; /* worker of each doc */
    size_t *where;      /* offset in that worker's arena */
    uint32_t *count;
    add_worker w[MAX_JOBS];
} add_ctx;

/* Tokens, shingles, sorted set and signature of one text.  OUT: *set (in
 * w->buf), *m; sig.  Returns ENG_OK, ENG_EINPUT or ENG_EIO. */
static int prepare_one(const eng_dup_set *s, add_worker *w, const char *text, size_t len,
                       uint16_t *sig, uint64_t *fill, size_t *m)
{
    if (len >= 0xFFFFFFFFu)
        return ENG_EINPUT;
    if (eng_text_tokens(s->text, text ? text : "", text ? len : 0, &w->tk, NULL))
        return ENG_EIO;
    size_t need = eng_text_max_shingles(w->tk.n);
    if (need > w->bufcap) {
        size_t cap = w->bufcap ? w->bufcap : 1024;
        while (cap < need)
            cap *= 2;
        uint64_t *b = realloc(w->buf, cap * sizeof *b);
        if (!b)
            return ENG_EIO;
        w->buf = b;
        w->bufcap = cap;
    }
    size_t k = eng_text_shingles(s->text, w->tk.v, w->tk.n, w->buf);
    k = eng_text_sort_unique(w->buf, k);
    signature(s, w->buf, k, sig, fill);
    *m = k;
    return ENG_OK;
}

static void add_work(void *p, int wi)
{
    add_ctx *c = p;
    add_worker *w = &c->w[wi];
    const eng_dup_set *s = c->s;
    for (;;) {
        size_t lo = atomic_fetch_add(&c->next, 16);
        if (lo >= c->n || w->rc)
            return;
        size_t hi = lo + 16 < c->n ? lo + 16 : c->n;
        for (size_t i = lo; i < hi; i++) {
            const eng_dup_doc *d = &c->docs[i];
            size_t m = 0;
            size_t at = c->base + i;
            int rc = prepare_one(s, w, d->text, d->len, s->sig + at * (size_t)s->K,
                                 s->fill + at * (size_t)s->W, &m);
            if (rc) {
                w->rc = rc;
                w->bad = i;
                return;
            }
            if (w->an + m > w->acap) {
                size_t cap = w->acap ? w->acap : 65536;
                while (cap < w->an + m)
                    cap *= 2;
                uint64_t *a = realloc(w->arena, cap * sizeof *a);
                if (!a) {
                    w->rc = ENG_EIO;
                    w->bad = i;
                    return;
                }
                w->arena = a;
                w->acap = cap;
            }
            memcpy(w->arena + w->an, w->buf, m * sizeof *w->buf);
            c->who[i] = (unsigned char)wi;
            c->where[i] = w->an;
            c->count[i] = (uint32_t)m;
            w->an += m;
        }
    }
}

int eng_dup_add(eng_dup_set *s, const eng_dup_doc *docs, size_t n, eng_err *err)
{
    if (s->n + n >= 0xFFFFFFFFu)
        return eng_fail(err, ENG_EUSAGE, "duplicates: at most %u texts", 0xFFFFFFFEu);
    int jobs = jobs_of(s);
    unweigh(s);
    add_ctx *c = calloc(1, sizeof *c);
    size_t round = n < ADD_CHUNK ? n : ADD_CHUNK;
    int rc = ENG_OK;
    size_t added = 0, sh_used = s->start[s->n];
    if (!c)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    c->who = malloc(round + 1);
    c->where = malloc((round + 1) * sizeof *c->where);
    c->count = malloc((round + 1) * sizeof *c->count);
    if (!c->who || !c->where || !c->count || grow_docs(s, s->n + n))
        goto oom;
    for (int w = 0; w < jobs; w++)
        eng_tokens_init(&c->w[w].tk);
    c->s = s;
    while (added < n) {
        size_t m = n - added < round ? n - added : round;
        c->docs = docs + added;
        c->n = m;
        c->base = s->n + added;
        atomic_store(&c->next, 0);
        for (int w = 0; w < jobs; w++)
            c->w[w].an = 0;
        base_pool_run(jobs, add_work, c);
        size_t bad = SIZE_MAX;
        for (int w = 0; w < jobs; w++)
            if (c->w[w].rc && c->w[w].bad < bad) {
                bad = c->w[w].bad;
                rc = c->w[w].rc;
            }
        if (rc == ENG_EINPUT) {
            rc = eng_fail(err, ENG_EINPUT, "duplicates: text %zu is 4 GiB or more", added + bad);
            goto done;
        }
        if (rc)
            goto oom;
        size_t total = 0;
        for (size_t i = 0; i < m; i++)
            total += c->count[i];
        if (grow_shingles(s, sh_used + total))
            goto oom;
        for (size_t i = 0; i < m; i++) {
            size_t d = s->n + added + i;
            memcpy(s->sh + sh_used, c->w[c->who[i]].arena + c->where[i],
                   c->count[i] * sizeof *s->sh);
            sh_used += c->count[i];
            s->start[d + 1] = sh_used;
            s->order[d] = docs[added + i].order;
        }
        added += m;
    }
    s->n += n;
    goto done;
oom:
    rc = eng_fail(err, ENG_EIO, "duplicates: out of memory");
done:
    for (int w = 0; w < jobs; w++) {
        eng_tokens_release(&c->w[w].tk);
        free(c->w[w].buf);
        free(c->w[w].arena);
    }
    free(c->who);
    free(c->where);
    free(c->count);
    free(c);
    return rc;
}

int eng_dup_prepare(const eng_dup_doc *docs, size_t n, const eng_dup_params *p, eng_dup_set **out,
                    eng_err *err)
{
    eng_dup_set *s = NULL;
    int rc = eng_dup_set_new(p, &s, err);
    if (rc)
        return rc;
    rc = eng_dup_add(s, docs, n, err);
    if (rc) {
        eng_dup_set_free(s);
        return rc;
    }
    *out = s;
    return ENG_OK;
}

/* ---- blobs ------------------------------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Layout: "VDUP", version, shingle count, 0 (u32 each), the text
 * parameters' digest and a checksum of what follows (u64 each), then the
 * sorted shingle set (u64 each).  The signature is not stored: it is made
 * again from the set in O(set + num_perm), so a blob serves any num_perm. */
int eng_dup_blob(const eng_dup_set *s, size_t i, void **blob, size_t *len, eng_err *err)
{
    if (i >= s->n)
        return eng_fail(err, ENG_EUSAGE, "duplicates: no text %zu", i);
    size_t m = eng_dup_size(s, i);
    size_t size = BLOB_HEADER + 8 * m;
    unsigned char *b = malloc(size);
    if (!b)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    put32(b, BLOB_MAGIC);
    put32(b + 4, BLOB_VERSION);
    put32(b + 8, (uint32_t)m);
    put32(b + 12, 0);
    put64(b + 16, eng_text_digest(s->text));
    const uint64_t *sh = s->sh + s->start[i];
    for (size_t j = 0; j < m; j++)
        put64(b + BLOB_HEADER + 8 * j, sh[j]);
    put64(b + 24, eng_hash64(b + BLOB_HEADER, size - BLOB_HEADER, BLOB_MAGIC));
    *blob = b;
    *len = size;
    return ENG_OK;
}

int eng_dup_add_blob(eng_dup_set *s, const void *blob, size_t len, long order, eng_err *err)
{
    const unsigned char *b = blob;
    if (!b || len < BLOB_HEADER || get32(b) != BLOB_MAGIC || get32(b + 4) != BLOB_VERSION)
        return eng_fail(err, ENG_EINPUT, "duplicates: not a signature blob");
    size_t m = get32(b + 8);
    if (get64(b + 16) != eng_text_digest(s->text))
        return eng_fail(err, ENG_EINPUT, "duplicates: blob made with other parameters");
    if (get32(b + 12) != 0 || len != BLOB_HEADER + 8 * m ||
        get64(b + 24) != eng_hash64(b + BLOB_HEADER, len - BLOB_HEADER, BLOB_MAGIC))
        return eng_fail(err, ENG_EINPUT, "duplicates: damaged signature blob");
    const unsigned char *sh = b + BLOB_HEADER;
    for (size_t j = 1; j < m; j++)
        if (get64(sh + 8 * j) <= get64(sh + 8 * (j - 1)))
            return eng_fail(err, ENG_EINPUT, "duplicates: damaged signature blob");
    if (s->n + 1 >= 0xFFFFFFFFu)
        return eng_fail(err, ENG_EUSAGE, "duplicates: at most %u texts", 0xFFFFFFFEu);
    size_t used = s->start[s->n];
    unweigh(s);
    if (grow_docs(s, s->n + 1) || grow_shingles(s, used + m))
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    for (size_t j = 0; j < m; j++)
        s->sh[used + j] = get64(sh + 8 * j);
    signature(s, s->sh + used, m, s->sig + s->n * (size_t)s->K, s->fill + s->n * (size_t)s->W);
    s->order[s->n] = order;
    s->start[s->n + 1] = used + m;
    s->n++;
    return ENG_OK;
}

/* ---- information ---------------------------------------------------------------------- */

static void unweigh(eng_dup_set *s)
{
    free(s->df);
    free(s->lut);
    free(s->info);
    free(s->pfx);
    free(s->shorts);
    s->df = NULL;
    s->lut = NULL;
    s->info = NULL;
    s->pfx = NULL;
    s->shorts = NULL;
    s->npfx = s->nshorts = 0;
}

/* Docs holding shingle h, as counted (a shared counter can only add). */
static inline uint32_t df_of(const eng_dup_set *s, uint64_t h)
{
    return s->df[(h * 0x9E3779B97F4A7C15ull) >> (64 - s->dfbits)];
}

/* The weight of shingle h when `self` of the docs holding it are the ones
 * compared (their own copies are not evidence of how common it is). */
static inline double weight_of(const eng_dup_set *s, uint64_t h, uint32_t self)
{
    if (!s->df)
        return 1;
    uint32_t c = df_of(s, h);
    return s->lut[c > self ? c - self : 0];
}

/* Weighted sizes and intersection of A (in the set) and B (in the set when
 * b_in_set, else a query). */
static void weigh_pair(const eng_dup_set *s, const uint64_t *a, size_t na, const uint64_t *b,
                       size_t nb, int b_in_set, double *wa, double *wb, double *wi)
{
    double sa = 0, sb = 0, si = 0;
    uint32_t both = b_in_set ? 2 : 1, bself = b_in_set ? 1 : 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            double w = weight_of(s, a[i], both);
            sa += w;
            sb += w;
            si += w;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            sa += weight_of(s, a[i++], 1);
        } else {
            sb += weight_of(s, b[j++], bself);
        }
    }
    for (; i < na; i++)
        sa += weight_of(s, a[i], 1);
    for (; j < nb; j++)
        sb += weight_of(s, b[j], bself);
    *wa = sa;
    *wb = sb;
    *wi = si;
}

static int short_cmp(const void *x, const void *y)
{
    const short_key *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

static const eng_dup_set *g_rare; /* for qsort only, set and cleared under one call */

static int rare_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    uint32_t da = df_of(g_rare, a), db = df_of(g_rare, b);
    if (da != db)
        return da < db ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* The shingles a short text of m must share with a long one to be inside
 * it by the unweighted containment gate. */
static size_t inside_need(const eng_dup_set *s, size_t m)
{
    double x = ceil(s->p.containment * (double)m - 1e-9);
    return x < 1 ? 1 : (size_t)x;
}

static int is_short(const eng_dup_set *s, size_t m)
{
    return m >= 1 && m < s->p.contain_min;
}

/* Shorter than a paragraph (three times contain_min): a title, or a title
 * and a line.  Two brief texts pair by the short_* rules. */
static int is_brief(const eng_dup_set *s, size_t m)
{
    return m >= 1 && m < 3 * s->p.contain_min;
}

int eng_dup_brief(const eng_dup_set *s, size_t i)
{
    return is_brief(s, eng_dup_size(s, i));
}

int eng_dup_weigh(eng_dup_set *s, eng_err *err)
{
    unweigh(s);
    if (!s->p.weighted)
        return ENG_OK;
    size_t total = s->start[s->n];
    int bits = 16;
    while (bits < 40 && ((size_t)1 << bits) < total)
        bits++;
    s->dfbits = bits;
    s->df = calloc((size_t)1 << bits, sizeof *s->df);
    s->lut = malloc(65536 * sizeof *s->lut);
    s->info = malloc((s->n ? s->n : 1) * sizeof *s->info);
    if (!s->df || !s->lut || !s->info)
        goto oom;
    /* random increments over a large table: fetch 16 ahead */
    for (size_t k = 0; k < total; k++) {
        if (k + 16 < total)
            __builtin_prefetch(&s->df[(s->sh[k + 16] * 0x9E3779B97F4A7C15ull) >> (64 - bits)], 1);
        uint16_t *c = &s->df[(s->sh[k] * 0x9E3779B97F4A7C15ull) >> (64 - bits)];
        if (*c < 65535)
            (*c)++;
    }
    /* weight 1 - ln(1 + c) / ln(1 + M): c of the M other docs hold the
     * shingle; M is at least 1,000, so that in a small store a shingle
     * every doc holds still weighs something */
    double M = s->n > 1001 ? (double)(s->n - 1) : 1000;
    for (uint32_t c = 0; c < 65536; c++) {
        double w = 1 - log1p((double)c) / log1p(M);
        s->lut[c] = (float)(w < 0 ? 0 : w);
    }
    /* information matters for brief texts (near-empty ones, titles); a text
     * of a paragraph or more is given its shingle count, which no weight
     * exceeds (it is compared whatever its words) */
    for (size_t d = 0; d < s->n; d++) {
        size_t m = (size_t)(s->start[d + 1] - s->start[d]);
        if (!is_brief(s, m)) {
            s->info[d] = (float)m;
            continue;
        }
        double sum = 0;
        for (uint64_t k = s->start[d]; k < s->start[d + 1]; k++)
            sum += weight_of(s, s->sh[k], 1);
        s->info[d] = (float)sum;
    }
    if (!s->p.inside || !(s->p.containment <= 1))
        return ENG_OK;
    /* the short docs, each under its m - need + 1 rarest shingles: a long
     * doc holding `need` of its m shingles holds one of those (prefix
     * filtering) */
    size_t nk = 0;
    for (size_t d = 0; d < s->n; d++) {
        size_t m = (size_t)(s->start[d + 1] - s->start[d]);
        if (is_short(s, m) && eng_dup_active(s, d)) {
            s->nshorts++;
            nk += m - inside_need(s, m) + 1;
        }
    }
    s->shorts = malloc((s->nshorts ? s->nshorts : 1) * sizeof *s->shorts);
    s->pfx = malloc((nk ? nk : 1) * sizeof *s->pfx);
    if (!s->shorts || !s->pfx)
        goto oom;
    size_t ns = 0;
    uint64_t tmp[64];
    g_rare = s;
    for (size_t d = 0; d < s->n; d++) {
        size_t m = (size_t)(s->start[d + 1] - s->start[d]);
        if (!is_short(s, m) || !eng_dup_active(s, d))
            continue;
        s->shorts[ns++] = (uint32_t)d;
        size_t take = m - inside_need(s, m) + 1;
        if (m > sizeof tmp / sizeof tmp[0])
            m = sizeof tmp / sizeof tmp[0]; /* contain_min above 64: the first 64 */
        memcpy(tmp, s->sh + s->start[d], m * sizeof *tmp);
        qsort(tmp, m, sizeof *tmp, rare_cmp);
        for (size_t k = 0; k < take && k < m; k++)
            s->pfx[s->npfx++] = (short_key){tmp[k], (uint32_t)d};
    }
    g_rare = NULL;
    qsort(s->pfx, s->npfx, sizeof *s->pfx, short_cmp);
    return ENG_OK;
oom:
    unweigh(s);
    return eng_fail(err, ENG_EIO, "duplicates: out of memory");
}

double eng_dup_info(const eng_dup_set *s, size_t i)
{
    if (i >= s->n)
        return 0;
    return s->info ? s->info[i] : (double)(s->start[i + 1] - s->start[i]);
}

int eng_dup_active_short(const eng_dup_set *s, size_t i)
{
    if (!eng_dup_active(s, i))
        return 0;
    return !s->info || !is_brief(s, eng_dup_size(s, i)) || s->info[i] >= s->p.short_info;
}

int eng_dup_active(const eng_dup_set *s, size_t i)
{
    if (i >= s->n || s->start[i + 1] == s->start[i])
        return 0;
    return !s->info || s->info[i] >= s->p.min_info;
}

/* ---- verification ------------------------------------------------------------------- */

/* |A ∩ B| of two sorted sets, or some value below `need` as soon as
 * reaching need has become impossible. */
static size_t intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t need)
{
    if (na > nb) {
        const uint64_t *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    size_t c = 0;
    if (nb > 16 * na) {
        /* galloping: each element of the small set searched in the big one */
        size_t lo = 0;
        for (size_t i = 0; i < na; i++) {
            if (c + (na - i) < need)
                return c;
            uint64_t x = a[i];
            size_t step = 1, hi = lo;
            while (hi < nb && b[hi] < x) {
                lo = hi + 1;
                hi += step;
                step *= 2;
            }
            if (hi > nb)
                hi = nb;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (b[mid] < x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < nb && b[lo] == x) {
                c++;
                lo++;
            }
        }
        return c;
    }
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        size_t stop = i + 32 < na ? i + 32 : na;
        /* branch-free merge steps between bound checks */
        while (i < stop && j < nb) {
            uint64_t x = a[i], y = b[j];
            c += x == y;
            i += x <= y;
            j += y <= x;
        }
        size_t ra = na - i, rb = nb - j;
        if (c + (ra < rb ? ra : rb) < need)
            return c;
    }
    return c;
}

/* The smallest intersection that can give Jaccard >= t for sizes na, nb
 * (rounded down a little so that rounding never loses a pair). */
static size_t need_jaccard(double t, size_t na, size_t nb)
{
    double x = t * (double)(na + nb) / (1 + t) * (1 - 1e-9);
    return x <= 0 ? 0 : (size_t)x;
}

static size_t need_containment(double t, size_t na, size_t nb)
{
    if (t > 1)
        return SIZE_MAX;
    double x = t * (double)(na < nb ? na : nb) * (1 - 1e-9);
    return x <= 0 ? 0 : (size_t)x;
}

static const uint64_t *set_of(const eng_dup_set *s, size_t i, size_t *m)
{
    *m = (size_t)(s->start[i + 1] - s->start[i]);
    return s->sh + s->start[i];
}

/* ---- banding ------------------------------------------------------------------------- */

static inline uint32_t band_key(const uint16_t *sig, int j, int r)
{
    const uint16_t *v = sig + (size_t)j * (size_t)r;
    uint64_t h = BAND_SEED ^ ((uint64_t)r << 32) ^ (uint64_t)j;
    int i = 0;
    for (; i + 3 < r; i += 4)
        h = mix(h, (uint64_t)v[i] << 48 | (uint64_t)v[i + 1] << 32 | (uint64_t)v[i + 2] << 16 |
                       v[i + 3]);
    uint64_t last = 0;
    for (; i < r; i++)
        last = last << 16 | v[i];
    return (uint32_t)(mix(h, last) >> 32);
}

/* OUT: eq[0..W], bit i set when row i of x and y agree (eq[W] = 0, so
 * that bits_at may read one word past the rows). */
static inline void row_mask(const uint16_t *x, const uint16_t *y, int K, uint64_t *eq)
{
    memset(eq, 0, (size_t)((K + 63) / 64 + 1) * sizeof *eq);
    /* blocks of 16 rows (num_perm is a multiple of 16): the compare loop of
     * fixed length vectorises; the multiply gathers eight 0/1 bytes into
     * eight bits (byte i's low bit lands on bit 56 + i) */
    for (int blk = 0; blk < K / 16; blk++) {
        unsigned char e[16];
        const uint16_t *px = x + blk * 16, *py = y + blk * 16;
        for (int i = 0; i < 16; i++)
            e[i] = px[i] == py[i];
        uint64_t lo, hi;
        memcpy(&lo, e, 8);
        memcpy(&hi, e + 8, 8);
        uint64_t bits = (lo * 0x0102040810204080ull) >> 56 | ((hi * 0x0102040810204080ull) >> 56)
                                                                 << 8;
        eq[blk >> 2] |= bits << ((blk & 3) * 16);
    }
}

/* Bits pos..pos+63 of the row mask. */
static inline uint64_t bits_at(const uint64_t *eq, int pos)
{
    int w = pos >> 6, sh = pos & 63;
    return sh ? eq[w] >> sh | eq[w + 1] << (64 - sh) : eq[w];
}

/* Does any of the bands first..first+count-1 of scheme sc agree in all its
 * rows?  A chunk of up to 63 / r + 1 bands at a time: bit k of the AND of
 * the r shifted words says rows pos+k..pos+k+r-1 all agree, and sc->starts
 * has a bit where each band of the chunk starts. */
static inline int any_band(const uint64_t *eq, int first, int count, const scheme *sc)
{
    int r = sc->r, per = 63 / r + 1;
    for (int q = first; q < first + count; q += per) {
        int pos = q * r, nb = first + count - q < per ? first + count - q : per;
        uint64_t t = bits_at(eq, pos);
        for (int i = 1; i < r && t; i++)
            t &= bits_at(eq, pos + i);
        uint64_t starts = nb == per ? sc->starts : sc->starts & ((2ull << ((nb - 1) * r)) - 1);
        if (t & starts)
            return 1;
    }
    return 0;
}

/* The signature test: among the rows both docs filled themselves (the
 * borrowed ones are copies and would overstate the evidence), do enough
 * agree for Jaccard t to be plausible?  t is rounded down to a level of
 * the table.  1 when the pair should be checked exactly. */
static inline int plausible(const eng_dup_set *s, double t, const uint64_t *eq, const uint64_t *fa,
                            const uint64_t *fb)
{
    int joint = 0, agree = 0;
    for (int w = 0; w < s->W; w++) {
        uint64_t both = fa[w] & fb[w];
        joint += __builtin_popcountll(both);
        agree += __builtin_popcountll(both & eq[w]);
    }
    int l = t >= 1 ? MMIN_LEVELS : (int)(t * MMIN_LEVELS);
    return agree >= s->mmin[l * (s->K + 1) + joint];
}

/* The lowest Jaccard at which a pair of these sizes can be reported:
 * jaccard, or for a partial copy c / (1 + ratio - c). */
static double lowest_jaccard(const eng_dup_set *s, size_t na, size_t nb)
{
    double t = s->p.jaccard, c = s->p.containment;
    if (c <= 1 && (na < nb ? na : nb) >= s->p.contain_min) {
        double r = na > nb ? (double)na / (double)nb : (double)nb / (double)na;
        double tc = c / (1 + r - c);
        if (tc < t)
            t = tc;
    }
    return t;
}

/* Sorts v[0..n) by the high 32 bits, stably (3 passes of 11 bits). */
static void radix_sort_hi(uint64_t *v, uint64_t *tmp, size_t n)
{
    static const int shift[3] = {32, 43, 54};
    for (int p = 0; p < 3; p++) {
        size_t cnt[2048];
        memset(cnt, 0, sizeof cnt);
        int sh = shift[p];
        for (size_t i = 0; i < n; i++)
            cnt[(v[i] >> sh) & 2047]++;
        size_t sum = 0;
        for (int k = 0; k < 2048; k++) {
            size_t c = cnt[k];
            cnt[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[(v[i] >> sh) & 2047]++] = v[i];
        uint64_t *t = v;
        v = tmp;
        tmp = t;
    }
    /* after an odd number of passes the result is in the other buffer */
    memcpy(tmp, v, n * sizeof *v);
}

enum { MODE_PAIRS, MODE_NEAREST };

typedef struct band_worker {
    uint64_t *buf[GROUP_MAX], *tmp;
    eng_dup_pair *out;
    size_t nout, capout;
    size_t cand, verified, skipped;
    eng_dup_near *best; /* MODE_NEAREST: n entries */
    int track;          /* keep the candidates that pass the unweighted gate in found */
    eng_dup_cand *found;
    size_t nfound, capfound;
    int oom;
} band_worker;

/* The schemes of one run, in order: a pair is handled in the first band of
 * the first scheme where its rows agree (and whose size-ratio rule lets it
 * in), so every candidate is met once. */
typedef struct band_ctx {
    const eng_dup_set *s;
    int mode;
    const scheme *sch[2];
    int groups[2];   /* work items (groups of bands) per scheme */
    int nsch, items; /* work items of all schemes */
    atomic_int next;
    /* the next year (eng_dup_incr): pairs of two docs not fresh are not drawn
     * from the buckets but re-checked from the carried list; skip[si] marks,
     * band by band (rows of skip_row bytes), the docs whose bucket was
     * skipped (bucket_cap) */
    const eng_dup_incr *incr;
    unsigned char *skip[2];
    size_t skip_row;
    atomic_size_t next_carried;
    band_worker w[MAX_JOBS];
} band_ctx;

static int push_pair(band_worker *w, const eng_dup_pair *p)
{
    if (w->nout == w->capout) {
        size_t cap = w->capout ? 2 * w->capout : 256;
        eng_dup_pair *v = realloc(w->out, cap * sizeof *v);
        if (!v)
            return -1;
        w->out = v;
        w->capout = cap;
    }
    w->out[w->nout++] = *p;
    return 0;
}

/* Keeps candidate (a, b) for the next search (the unweighted gate passed). */
static void track(band_worker *w, size_t a, size_t b)
{
    if (!w->track)
        return;
    if (w->nfound == w->capfound) {
        size_t cap = w->capfound ? 2 * w->capfound : 256;
        eng_dup_cand *v = realloc(w->found, cap * sizeof *v);
        if (!v) {
            w->oom = 1;
            return;
        }
        w->found = v;
        w->capfound = cap;
    }
    w->found[w->nfound++] = (eng_dup_cand){(uint32_t)(a < b ? a : b), (uint32_t)(a < b ? b : a)};
}

static void verify_pair(const eng_dup_set *s, band_worker *w, size_t a, size_t b)
{
    size_t na, nb;
    const uint64_t *A = set_of(s, a, &na), *B = set_of(s, b, &nb);
    double jt = s->p.jaccard, ct = s->p.containment;
    int cok = (na < nb ? na : nb) >= s->p.contain_min; /* containment counts */
    size_t nj = need_jaccard(jt, na, nb), nc = cok ? need_containment(ct, na, nb) : SIZE_MAX;
    size_t need = nj < nc ? nj : nc;
    size_t inter = intersect(A, na, B, nb, need);
    if (inter < need)
        return;
    double jac = (double)inter / (double)(na + nb - inter);
    double con = (double)inter / (double)(na < nb ? na : nb);
    if (!(jac >= jt || (cok && con >= ct)))
        return;
    track(w, a, b);
    eng_dup_pair p;
    memset(&p, 0, sizeof p);
    p.plain_jaccard = jac;
    p.plain_containment = con;
    if (s->df) {
        /* the unweighted measures are the gate; the weighted ones decide */
        double wa, wb, wi;
        weigh_pair(s, A, na, B, nb, 1, &wa, &wb, &wi);
        jac = wa + wb - wi > 0 ? wi / (wa + wb - wi) : 0;
        con = (na <= nb ? wa : wb) > 0 ? wi / (na <= nb ? wa : wb) : 0;
        if (!(jac >= jt || (cok && con >= ct)))
            return;
    }
    p.short_pair = is_brief(s, na) && is_brief(s, nb);
    if (p.short_pair &&
        (jac < s->p.short_jaccard || !eng_dup_active_short(s, a) || !eng_dup_active_short(s, b)))
        return; /* two titles: one differing word is already another project, and a
                   title of common words (a discipline's name) is a label */
    p.a = a;
    p.b = b;
    p.jaccard = jac;
    p.containment = con;
    if (cok && con >= ct && jac < jt)
        p.contained = na <= nb ? ENG_DUP_A_IN_B : ENG_DUP_B_IN_A;
    if (push_pair(w, &p))
        w->oom = 1;
}

/* Is (j, d) a better nearest neighbour than cur? */
static int better(double j, size_t d, const eng_dup_near *cur)
{
    return j > cur->jaccard || (j == cur->jaccard && d < cur->doc);
}

static void verify_nearest(const eng_dup_set *s, band_worker *w, size_t a, size_t b)
{
    size_t later = s->order[a] < s->order[b] ? b : a, earlier = later == a ? b : a;
    eng_dup_near *cur = &w->best[later];
    /* tracking: every candidate at the floor, whatever the best so far */
    double floor = s->p.floor,
           t = cur->jaccard > floor && !s->df && !w->track ? cur->jaccard : floor;
    size_t na, nb;
    const uint64_t *A = set_of(s, a, &na), *B = set_of(s, b, &nb);
    if (s->df && (!eng_dup_active(s, a) || !eng_dup_active(s, b)))
        return;
    size_t inter = intersect(A, na, B, nb, need_jaccard(t, na, nb));
    double jac = (double)inter / (double)(na + nb - inter);
    double con = (double)inter / (double)(na < nb ? na : nb);
    if (jac < floor)
        return;
    track(w, a, b);
    if (s->df) {
        double wa, wb, wi;
        weigh_pair(s, A, na, B, nb, 1, &wa, &wb, &wi);
        jac = wa + wb - wi > 0 ? wi / (wa + wb - wi) : 0;
        con = (na <= nb ? wa : wb) > 0 ? wi / (na <= nb ? wa : wb) : 0;
    }
    if (!better(jac, earlier, cur))
        return;
    cur->doc = earlier;
    cur->jaccard = jac;
    cur->containment = con;
}

/* A candidate pair: the signature test, then the exact check. */
static void consider(band_ctx *c, band_worker *w, size_t a, size_t b, size_t na, size_t nb,
                     const uint64_t *eq)
{
    const eng_dup_set *s = c->s;
    w->cand++;
    double t = c->mode == MODE_PAIRS ? lowest_jaccard(s, na, nb) : s->p.floor;
    if (!plausible(s, t, eq, s->fill + a * (size_t)s->W, s->fill + b * (size_t)s->W))
        return;
    w->verified++;
    if (c->mode == MODE_PAIRS)
        verify_pair(s, w, a, b);
    else
        verify_nearest(s, w, a, b);
}

/* One candidate (a < b) met in band j of scheme si. */
static void candidate(band_ctx *c, band_worker *w, int si, int j, size_t a, size_t b)
{
    const eng_dup_set *s = c->s;
    const scheme *sc = c->sch[si];
    const size_t K = (size_t)s->K;
    if (c->mode == MODE_NEAREST &&
        (s->order[a] == s->order[b] || s->order[a] == ENG_DUP_UNORDERED ||
         s->order[b] == ENG_DUP_UNORDERED))
        return; /* neither is earlier, or the order is unknown */
    size_t na = (size_t)(s->start[a + 1] - s->start[a]);
    size_t nb = (size_t)(s->start[b + 1] - s->start[b]);
    if (sc->min_ratio > 0 &&
        (na > nb ? (double)na / (double)nb : (double)nb / (double)na) <= sc->min_ratio)
        return;
    uint64_t eq[MAX_WORDS + 1];
    row_mask(s->sig + a * K, s->sig + b * K, s->K, eq);
    if (!any_band(eq, j, 1, sc))
        return; /* the keys collided, not the rows */
    for (int q = 0; q < si; q++)
        if (any_band(eq, 0, c->sch[q]->b, c->sch[q]))
            return; /* met in an earlier scheme */
    if (any_band(eq, 0, j, sc))
        return; /* met in an earlier band */
    consider(c, w, a, b, na, nb, eq);
}

/* A pair of docs not fresh, carried from the previous search: is it still
 * a candidate (candidate() above would meet it in the first band where its
 * rows agree, unless that bucket is now skipped), and then a pair? */
static void recheck(band_ctx *c, band_worker *w, size_t a, size_t b)
{
    const eng_dup_set *s = c->s;
    const size_t K = (size_t)s->K;
    if (a >= s->n || b >= s->n || !eng_dup_active(s, a) || !eng_dup_active(s, b))
        return;
    if (c->mode == MODE_NEAREST &&
        (s->order[a] == s->order[b] || s->order[a] == ENG_DUP_UNORDERED ||
         s->order[b] == ENG_DUP_UNORDERED))
        return;
    size_t na = (size_t)(s->start[a + 1] - s->start[a]);
    size_t nb = (size_t)(s->start[b + 1] - s->start[b]);
    uint64_t eq[MAX_WORDS + 1];
    row_mask(s->sig + a * K, s->sig + b * K, s->K, eq);
    for (int si = 0; si < c->nsch; si++) {
        const scheme *sc = c->sch[si];
        if (!any_band(eq, 0, sc->b, sc))
            continue;
        int j = 0;
        while (!any_band(eq, j, 1, sc))
            j++;
        if (sc->min_ratio > 0 &&
            (na > nb ? (double)na / (double)nb : (double)nb / (double)na) <= sc->min_ratio)
            return;
        if (c->skip[si] && (c->skip[si][(size_t)j * c->skip_row + a / 8] >> (a % 8) & 1))
            return; /* its bucket there is now too large */
        consider(c, w, a, b, na, nb, eq);
        return;
    }
}

static void carry_work(void *p, int wi)
{
    band_ctx *c = p;
    band_worker *w = &c->w[wi];
    const eng_dup_incr *in = c->incr;
    const eng_dup_cand *v = c->mode == MODE_PAIRS ? in->carried : in->carried_near;
    size_t n = c->mode == MODE_PAIRS ? in->ncarried : in->ncarried_near;
    for (;;) {
        size_t lo = atomic_fetch_add(&c->next_carried, 256);
        if (lo >= n || w->oom)
            return;
        size_t hi = lo + 256 < n ? lo + 256 : n;
        for (size_t i = lo; i < hi; i++)
            recheck(c, w, v[i].a, v[i].b);
    }
}

/* Bands of a scheme handled together: those whose rows share a 64-byte
 * line, so one pass over the signatures serves them all. */
static int group_of(int r)
{
    int g = 32 / r;
    return g < 1 ? 1 : g > GROUP_MAX ? GROUP_MAX : g;
}

static void band_work(void *p, int wi)
{
    band_ctx *c = p;
    band_worker *w = &c->w[wi];
    const eng_dup_set *s = c->s;
    const size_t K = (size_t)s->K;
    for (;;) {
        int item = atomic_fetch_add(&c->next, 1);
        if (item >= c->items || w->oom)
            return;
        int si = 0;
        while (item >= c->groups[si])
            item -= c->groups[si++];
        const scheme *sc = c->sch[si];
        int R = sc->r, G = group_of(R), j0 = item * G;
        if (j0 + G > sc->b)
            G = sc->b - j0;
        size_t m = 0;
        const uint16_t *rows = s->sig + (size_t)j0 * (size_t)R;
        for (size_t d = 0; d < s->n; d++) {
            /* the group's rows of each doc are num_perm * 4 bytes apart: fetch ahead */
            if (d + 16 < s->n)
                __builtin_prefetch(rows + (d + 16) * K);
            if (!eng_dup_active(s, d))
                continue;
            const uint16_t *sig = s->sig + d * K;
            for (int g = 0; g < G; g++)
                w->buf[g][m] = (uint64_t)band_key(sig, j0 + g, R) << 32 | d;
            m++;
        }
        for (int g = 0; g < G; g++) {
            int j = j0 + g;
            uint64_t *v = w->buf[g];
            radix_sort_hi(v, w->tmp, m);
            for (size_t i = 0; i < m;) {
                size_t e = i + 1;
                uint32_t key = (uint32_t)(v[i] >> 32);
                while (e < m && (uint32_t)(v[e] >> 32) == key)
                    e++;
                if (sc->cap && e - i > sc->cap) {
                    w->skipped += e - i;
                    for (size_t x = i; c->skip[si] && x < e; x++) {
                        uint32_t d = (uint32_t)v[x];
                        c->skip[si][(size_t)j * c->skip_row + d / 8] |=
                            (unsigned char)(1u << d % 8);
                    }
                    i = e;
                    continue;
                }
                const unsigned char *fresh = c->incr ? c->incr->fresh : NULL;
                for (size_t x = i; x + 1 < e; x++)
                    for (size_t y = x + 1; y < e; y++) {
                        if (fresh && !fresh[(uint32_t)v[x]] && !fresh[(uint32_t)v[y]])
                            continue; /* two docs of the previous search: carried */
                        if (y + 4 < e) {
                            const char *q = (const char *)(s->sig + (uint32_t)v[y + 4] * K);
                            for (size_t o = 0; o < K * sizeof *s->sig; o += 64)
                                __builtin_prefetch(q + o);
                        }
                        candidate(c, w, si, j, (uint32_t)v[x], (uint32_t)v[y]);
                    }
                i = e;
            }
        }
    }
}

static int pair_cmp(const void *x, const void *y)
{
    const eng_dup_pair *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return a->inside - b->inside;
}

/* Runs the schemes over the set in `mode`.  OUT: c (release it with
 * band_release).  Returns 0 or -1 when out of memory. */
static int band_run(const eng_dup_set *s, int mode, const scheme *s1, const scheme *s2,
                    const eng_dup_incr *incr, band_ctx *c)
{
    int jobs = jobs_of(s);
    memset(c, 0, sizeof *c);
    c->s = s;
    c->mode = mode;
    c->incr = incr && incr->fresh ? incr : NULL;
    c->sch[c->nsch++] = s1;
    if (s2 && s2->b)
        c->sch[c->nsch++] = s2;
    for (int i = 0; i < c->nsch; i++) {
        int g = group_of(c->sch[i]->r);
        c->groups[i] = (c->sch[i]->b + g - 1) / g;
        c->items += c->groups[i];
    }
    atomic_store(&c->next, 0);
    atomic_store(&c->next_carried, 0);
    size_t ncarried = !c->incr ? 0 : mode == MODE_PAIRS ? incr->ncarried : incr->ncarried_near;
    c->skip_row = (s->n + 7) / 8;
    for (int i = 0; ncarried && i < c->nsch; i++)
        if (c->sch[i]->cap && !(c->skip[i] = calloc((size_t)c->sch[i]->b * c->skip_row + 1, 1)))
            return -1;
    for (int w = 0; w < jobs; w++) {
        band_worker *bw = &c->w[w];
        bw->track = incr != NULL;
        int gmax = 1;
        for (int i = 0; i < c->nsch; i++)
            if (group_of(c->sch[i]->r) > gmax)
                gmax = group_of(c->sch[i]->r);
        for (int g = 0; g < gmax; g++)
            if (!(bw->buf[g] = malloc((s->n + 1) * sizeof *bw->buf[g])))
                return -1;
        bw->tmp = malloc((s->n + 1) * sizeof *bw->tmp);
        if (!bw->tmp)
            return -1;
        if (mode == MODE_NEAREST) {
            bw->best = malloc((s->n + 1) * sizeof *bw->best);
            if (!bw->best)
                return -1;
            for (size_t i = 0; i < s->n; i++)
                bw->best[i] = (eng_dup_near){SIZE_MAX, 0, 0};
        }
    }
    base_pool_run(jobs, band_work, c);
    if (ncarried)
        base_pool_run(jobs, carry_work, c);
    for (int w = 0; w < jobs; w++) {
        for (int g = 0; g < GROUP_MAX; g++) {
            free(c->w[w].buf[g]);
            c->w[w].buf[g] = NULL;
        }
        free(c->w[w].tmp);
        c->w[w].tmp = NULL;
        if (c->w[w].oom)
            return -1;
    }
    return 0;
}

static void band_release(band_ctx *c)
{
    free(c->skip[0]);
    free(c->skip[1]);
    for (int w = 0; w < MAX_JOBS; w++) {
        free(c->w[w].found);
        for (int g = 0; g < GROUP_MAX; g++)
            free(c->w[w].buf[g]);
        free(c->w[w].tmp);
        free(c->w[w].out);
        free(c->w[w].best);
    }
}

/* Is short doc e (m shingles) inside doc d (nd)?  Fills *p (a < b) when it
 * is, by the unweighted gate and then the weighted containment. */
static int inside_check(const eng_dup_set *s, size_t e, size_t d, eng_dup_pair *p)
{
    size_t m, nd;
    const uint64_t *E = set_of(s, e, &m), *D = set_of(s, d, &nd);
    size_t need = inside_need(s, m);
    size_t inter = intersect(E, m, D, nd, need);
    if (inter < need)
        return 0;
    double we, wd, wi;
    weigh_pair(s, E, m, D, nd, 1, &we, &wd, &wi);
    double con = we > 0 ? wi / we : 0;
    if (con < s->p.containment)
        return 0;
    memset(p, 0, sizeof *p);
    p->a = e < d ? e : d;
    p->b = e < d ? d : e;
    p->jaccard = we + wd - wi > 0 ? wi / (we + wd - wi) : 0;
    p->containment = con;
    p->plain_jaccard = (double)inter / (double)(m + nd - inter);
    p->plain_containment = (double)inter / (double)m;
    p->contained = e < d ? ENG_DUP_A_IN_B : ENG_DUP_B_IN_A;
    p->inside = 1;
    return 1;
}

/* May short doc e (m shingles) be found inside a doc of nd? */
static int inside_sizes(const eng_dup_set *s, size_t m, size_t nd)
{
    /* a long text: three times contain_min (about a paragraph, longer
     * than any title), so that a title inside a longer title is not one */
    return nd >= 3 * s->p.contain_min && nd >= 2 * m;
}

/* Short docs inside long ones: every shingle of every long doc looked up
 * in the short docs' prefix index, each candidate checked exactly.
 * OUT: appended to *v (*n, *cap).  Returns 0 or -1 when out of memory. */
static int inside_pairs(const eng_dup_set *s, eng_dup_pair **v, size_t *n, size_t *cap)
{
    if (!s->npfx)
        return 0;
    uint32_t *cand = NULL;
    size_t nc = 0, cc = 0;
    for (size_t d = 0; d < s->n; d++) {
        size_t nd;
        const uint64_t *D = set_of(s, d, &nd);
        if (nd < 3 * s->p.contain_min || !eng_dup_active(s, d))
            continue;
        nc = 0;
        for (size_t k = 0; k < nd; k++) {
            size_t lo = 0, hi = s->npfx;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (s->pfx[mid].h < D[k])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (; lo < s->npfx && s->pfx[lo].h == D[k]; lo++) {
                uint32_t e = s->pfx[lo].doc;
                if (!inside_sizes(s, eng_dup_size(s, e), nd))
                    continue;
                if (nc == cc) {
                    size_t ncap = cc ? 2 * cc : 64;
                    uint32_t *t = realloc(cand, ncap * sizeof *t);
                    if (!t) {
                        free(cand);
                        return -1;
                    }
                    cand = t;
                    cc = ncap;
                }
                cand[nc++] = e;
            }
        }
        for (size_t i = 0; i < nc; i++) {
            int seen = 0;
            for (size_t j = 0; j < i && !seen; j++)
                seen = cand[j] == cand[i];
            eng_dup_pair p;
            if (seen || !inside_check(s, cand[i], d, &p))
                continue;
            if (*n == *cap) {
                size_t ncap = *cap ? 2 * *cap : 64;
                eng_dup_pair *t = realloc(*v, ncap * sizeof *t);
                if (!t) {
                    free(cand);
                    return -1;
                }
                *v = t;
                *cap = ncap;
            }
            (*v)[(*n)++] = p;
        }
    }
    free(cand);
    return 0;
}

int eng_dup_compare(const eng_dup_set *s, size_t a, size_t b)
{
    if (a >= s->n || b >= s->n || !eng_dup_active(s, a) || !eng_dup_active(s, b))
        return 0;
    size_t na, nb;
    const uint64_t *A = set_of(s, a, &na), *B = set_of(s, b, &nb);
    eng_dup_pair p;
    if (s->df && s->p.inside && s->p.containment <= 1 &&
        ((is_short(s, na) && inside_sizes(s, na, nb)) ||
         (is_short(s, nb) && inside_sizes(s, nb, na))))
        return is_short(s, na) ? inside_check(s, a, b, &p) : inside_check(s, b, a, &p);
    size_t inter = intersect(A, na, B, nb, 0);
    int cok = (na < nb ? na : nb) >= s->p.contain_min;
    double jac = (double)inter / (double)(na + nb - inter);
    double con = (double)inter / (double)(na < nb ? na : nb);
    if (!(jac >= s->p.jaccard || (cok && con >= s->p.containment)))
        return 0;
    if (s->df) {
        double wa, wb, wi;
        weigh_pair(s, A, na, B, nb, 1, &wa, &wb, &wi);
        jac = wa + wb - wi > 0 ? wi / (wa + wb - wi) : 0;
        con = (na <= nb ? wa : wb) > 0 ? wi / (na <= nb ? wa : wb) : 0;
    }
    if (is_brief(s, na) && is_brief(s, nb) &&
        (jac < s->p.short_jaccard || !eng_dup_active_short(s, a) || !eng_dup_active_short(s, b)))
        return 0;
    return jac >= s->p.jaccard || (cok && con >= s->p.containment);
}

static int cand_cmp(const void *x, const void *y)
{
    const eng_dup_cand *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* The workers' tracked candidates, sorted, into *out. */
static int gather_found(band_ctx *c, eng_dup_cand **out, size_t *n)
{
    size_t total = 0;
    for (int w = 0; w < MAX_JOBS; w++)
        total += c->w[w].nfound;
    eng_dup_cand *v = malloc((total ? total : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t o = 0;
    for (int w = 0; w < MAX_JOBS; w++) {
        if (c->w[w].nfound)
            memcpy(v + o, c->w[w].found, c->w[w].nfound * sizeof *v);
        o += c->w[w].nfound;
    }
    if (total > 1)
        qsort(v, total, sizeof *v, cand_cmp);
    free(*out);
    *out = v;
    *n = total;
    return 0;
}

int eng_dup_pairs(const eng_dup_set *s, eng_dup_pair **pairs, size_t *n, eng_dup_stats *stats,
                  eng_err *err)
{
    return eng_dup_pairs_incr(s, NULL, pairs, n, stats, err);
}

int eng_dup_pairs_incr(const eng_dup_set *s, eng_dup_incr *incr, eng_dup_pair **pairs, size_t *n,
                       eng_dup_stats *stats, eng_err *err)
{
    band_ctx *c = malloc(sizeof *c);
    if (!c)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    if (band_run(s, MODE_PAIRS, &s->sj, &s->sc, incr, c) ||
        (incr && gather_found(c, &incr->found, &incr->nfound))) {
        band_release(c);
        free(c);
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    }
    size_t total = 0, cand = 0, verified = 0, skipped = 0;
    for (int w = 0; w < MAX_JOBS; w++) {
        total += c->w[w].nout;
        cand += c->w[w].cand;
        verified += c->w[w].verified;
        skipped += c->w[w].skipped;
    }
    eng_dup_pair *v = NULL;
    if (total) {
        v = malloc(total * sizeof *v);
        if (!v) {
            band_release(c);
            free(c);
            return eng_fail(err, ENG_EIO, "duplicates: out of memory");
        }
        size_t o = 0;
        for (int w = 0; w < MAX_JOBS; w++) {
            if (c->w[w].nout)
                memcpy(v + o, c->w[w].out, c->w[w].nout * sizeof *v);
            o += c->w[w].nout;
        }
    }
    band_release(c);
    free(c);
    size_t vcap = total;
    if (inside_pairs(s, &v, &total, &vcap)) {
        free(v);
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    }
    if (total > 1)
        qsort(v, total, sizeof *v, pair_cmp);
    /* a pair found by both searches is kept once, as the banding found it */
    size_t o = 0;
    for (size_t i = 0; i < total; i++)
        if (!o || v[o - 1].a != v[i].a || v[o - 1].b != v[i].b)
            v[o++] = v[i];
    total = o;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->bands = s->sj.b;
        stats->rows = s->sj.r;
        stats->p_at_threshold = s->sj.p;
        stats->contain_bands = s->sc.b;
        stats->contain_rows = s->sc.r;
        stats->contain_threshold = s->sc.b ? s->sc.t : 0;
        stats->p_at_contain = s->sc.b ? s->sc.p : 0;
        stats->candidates = cand;
        stats->verified = verified;
        stats->skipped = skipped;
        stats->pairs = total;
    }
    *pairs = v;
    *n = total;
    return ENG_OK;
}

int eng_dup_nearest_earlier(const eng_dup_set *s, eng_dup_near *out, eng_err *err)
{
    return eng_dup_nearest_earlier_incr(s, NULL, out, err);
}

int eng_dup_nearest_earlier_incr(const eng_dup_set *s, eng_dup_incr *incr, eng_dup_near *out,
                                 eng_err *err)
{
    band_ctx *c = malloc(sizeof *c);
    if (!c)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    /* the Jaccard banding first: it never skips a bucket, so large clusters
     * of near-identical texts keep their nearest neighbours */
    const scheme *floor = s->sf.t < s->sj.t ? &s->sf : NULL;
    if (band_run(s, MODE_NEAREST, &s->sj, floor, incr, c) ||
        (incr && gather_found(c, &incr->found_near, &incr->nfound_near))) {
        band_release(c);
        free(c);
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        eng_dup_near b = {SIZE_MAX, 0, 0};
        for (int w = 0; w < MAX_JOBS; w++)
            if (c->w[w].best && c->w[w].best[i].doc != SIZE_MAX &&
                better(c->w[w].best[i].jaccard, c->w[w].best[i].doc, &b))
                b = c->w[w].best[i];
        out[i] = b;
    }
    band_release(c);
    free(c);
    return ENG_OK;
}

/* ---- queries ---------------------------------------------------------------------------- */

/* A hit and the similarity it is ranked by. */
typedef struct ranked {
    eng_dup_pair h;
    double score; /* max(jaccard, containment), containment when it counts */
} ranked;

typedef struct query_worker {
    ranked *out;
    size_t nout, capout;
    int oom;
} query_worker;

typedef struct query_ctx {
    const eng_dup_set *s;
    const uint16_t *sig;
    const uint64_t *fill;
    const uint64_t *set;
    size_t m;
    int inside;  /* the query is compared for short inside long */
    double info; /* the query's information */
    atomic_size_t next;
    query_worker w[MAX_JOBS];
} query_ctx;

static void query_work(void *p, int wi)
{
    query_ctx *c = p;
    query_worker *w = &c->w[wi];
    const eng_dup_set *s = c->s;
    const size_t K = (size_t)s->K;
    double floor = s->p.floor, ct = s->p.containment;
    for (;;) {
        size_t lo = atomic_fetch_add(&c->next, 4096);
        if (lo >= s->n || w->oom)
            return;
        size_t hi = lo + 4096 < s->n ? lo + 4096 : s->n;
        for (size_t d = lo; d < hi; d++) {
            size_t nd;
            const uint64_t *D = set_of(s, d, &nd);
            if (!eng_dup_active(s, d))
                continue;
            eng_dup_pair h;
            memset(&h, 0, sizeof h);
            double jac, con;
            int cok = (nd < c->m ? nd : c->m) >= s->p.contain_min;
            if (c->inside && ((is_short(s, c->m) && inside_sizes(s, c->m, nd)) ||
                              (is_short(s, nd) && inside_sizes(s, nd, c->m)))) {
                /* a short text and a long one: is the short one inside? */
                int q_in = is_short(s, c->m);
                const uint64_t *E = q_in ? c->set : D, *L = q_in ? D : c->set;
                size_t m = q_in ? c->m : nd, nl = q_in ? nd : c->m;
                size_t need = inside_need(s, m), inter = intersect(E, m, L, nl, need);
                if (inter < need)
                    continue;
                double wd, wq, wx;
                weigh_pair(s, D, nd, c->set, c->m, 0, &wd, &wq, &wx);
                con = (q_in ? wq : wd) > 0 ? wx / (q_in ? wq : wd) : 0;
                jac = wd + wq - wx > 0 ? wx / (wd + wq - wx) : 0;
                if (con < ct)
                    continue;
                h.plain_jaccard = (double)inter / (double)(m + nl - inter);
                h.plain_containment = (double)inter / (double)m;
                h.contained = q_in ? ENG_DUP_B_IN_A : ENG_DUP_A_IN_B;
                h.inside = 1;
                cok = 1;
            } else {
                uint64_t eq[MAX_WORDS + 1];
                row_mask(s->sig + d * K, c->sig, s->K, eq);
                if (!any_band(eq, 0, s->sf.b, &s->sf))
                    continue;
                if (!plausible(s, floor, eq, s->fill + d * (size_t)s->W, c->fill))
                    continue;
                size_t need = cok ? need_containment(floor, nd, c->m) : SIZE_MAX;
                size_t nj = need_jaccard(floor, nd, c->m);
                if (nj < need)
                    need = nj;
                size_t inter = intersect(D, nd, c->set, c->m, need);
                jac = (double)inter / (double)(nd + c->m - inter);
                con = (double)inter / (double)(nd < c->m ? nd : c->m);
                if (!(jac >= floor || (cok && con >= floor)))
                    continue;
                h.plain_jaccard = jac;
                h.plain_containment = con;
                if (s->df) {
                    double wd, wq, wx;
                    weigh_pair(s, D, nd, c->set, c->m, 0, &wd, &wq, &wx);
                    jac = wd + wq - wx > 0 ? wx / (wd + wq - wx) : 0;
                    con = (nd <= c->m ? wd : wq) > 0 ? wx / (nd <= c->m ? wd : wq) : 0;
                    if (!(jac >= floor || (cok && con >= floor)))
                        continue;
                }
                if (cok && con >= ct && jac < s->p.jaccard)
                    h.contained = nd <= c->m ? ENG_DUP_A_IN_B : ENG_DUP_B_IN_A;
                h.short_pair = is_brief(s, nd) && is_brief(s, c->m);
                if (h.short_pair && s->info &&
                    (!eng_dup_active_short(s, d) || c->info < s->p.short_info))
                    continue;
            }
            h.a = d;
            h.b = ENG_DUP_QUERY;
            h.jaccard = jac;
            h.containment = con;
            if (w->nout == w->capout) {
                size_t cap = w->capout ? 2 * w->capout : 64;
                ranked *v = realloc(w->out, cap * sizeof *v);
                if (!v) {
                    w->oom = 1;
                    return;
                }
                w->out = v;
                w->capout = cap;
            }
            w->out[w->nout].h = h;
            w->out[w->nout++].score = cok && con > jac ? con : jac;
        }
    }
}

/* A query's information (its shingles not in the set). */
static double weigh_query(const eng_dup_set *s, const uint64_t *q, size_t m)
{
    double sum = 0;
    for (size_t i = 0; i < m; i++)
        sum += weight_of(s, q[i], 0);
    return sum;
}

static int hit_cmp(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->h.jaccard != b->h.jaccard)
        return a->h.jaccard > b->h.jaccard ? -1 : 1;
    return a->h.a < b->h.a ? -1 : a->h.a > b->h.a;
}

int eng_dup_query(const eng_dup_set *s, const char *text, size_t len, size_t top_k,
                  eng_dup_pair **hits, size_t *n, eng_err *err)
{
    add_worker aw;
    memset(&aw, 0, sizeof aw);
    eng_tokens_init(&aw.tk);
    query_ctx *c = calloc(1, sizeof *c);
    uint16_t *sig = malloc((size_t)s->K * sizeof *sig);
    uint64_t fill[MAX_WORDS];
    int rc = ENG_OK;
    size_t m = 0;
    if (!c || !sig) {
        rc = eng_fail(err, ENG_EIO, "duplicates: out of memory");
        goto done;
    }
    rc = prepare_one(s, &aw, text, len, sig, fill, &m);
    if (rc) {
        rc = rc == ENG_EINPUT ? eng_fail(err, rc, "duplicates: query text is 4 GiB or more")
                              : eng_fail(err, rc, "duplicates: out of memory");
        goto done;
    }
    eng_dup_pair *v = NULL;
    size_t total = 0;
    int q_active = m && (!s->df || weigh_query(s, aw.buf, m) >= s->p.min_info);
    if (q_active && top_k) {
        c->inside = s->df && s->p.inside && s->p.containment <= 1;
        c->info = s->df ? weigh_query(s, aw.buf, m) : (double)m;
        c->s = s;
        c->sig = sig;
        c->fill = fill;
        c->set = aw.buf;
        c->m = m;
        atomic_store(&c->next, 0);
        base_pool_run(jobs_of(s), query_work, c);
        for (int w = 0; w < MAX_JOBS; w++) {
            if (c->w[w].oom) {
                rc = eng_fail(err, ENG_EIO, "duplicates: out of memory");
                goto done;
            }
            total += c->w[w].nout;
        }
        if (total) {
            ranked *all = malloc(total * sizeof *all);
            if (!all) {
                rc = eng_fail(err, ENG_EIO, "duplicates: out of memory");
                goto done;
            }
            size_t o = 0;
            for (int w = 0; w < MAX_JOBS; w++) {
                if (c->w[w].nout)
                    memcpy(all + o, c->w[w].out, c->w[w].nout * sizeof *all);
                o += c->w[w].nout;
            }
            qsort(all, total, sizeof *all, hit_cmp);
            if (total > top_k)
                total = top_k;
            v = malloc(total * sizeof *v);
            if (!v) {
                free(all);
                rc = eng_fail(err, ENG_EIO, "duplicates: out of memory");
                goto done;
            }
            for (size_t k = 0; k < total; k++)
                v[k] = all[k].h;
            free(all);
        }
    }
    *hits = v;
    *n = total;
done:
    if (c)
        for (int w = 0; w < MAX_JOBS; w++)
            free(c->w[w].out);
    free(c);
    free(sig);
    free(aw.buf);
    eng_tokens_release(&aw.tk);
    return rc;
}

/* ---- passages ------------------------------------------------------------------------------ */

typedef struct pos_hash {
    uint64_t h;
    uint32_t pos;
} pos_hash;

static int pos_hash_cmp(const void *x, const void *y)
{
    const pos_hash *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

typedef struct passage_scratch {
    eng_tokens ta, tb;
    uint64_t *ha, *hb; /* what is matched: token hashes or 3-token seeds */
    pos_hash *idx;
    uint32_t *prev, *cur, *tprev, *tcur;
    size_t capa, capb;
} passage_scratch;

static void scratch_release(passage_scratch *w)
{
    eng_tokens_release(&w->ta);
    eng_tokens_release(&w->tb);
    free(w->ha);
    free(w->hb);
    free(w->idx);
    free(w->prev);
    free(w->cur);
    free(w->tprev);
    free(w->tcur);
    memset(w, 0, sizeof *w);
}

static int scratch_grow(passage_scratch *w, size_t na, size_t nb)
{
    if (na + 1 > w->capa) {
        uint64_t *ha = realloc(w->ha, (na + 1) * sizeof *ha);
        if (!ha)
            return -1;
        w->ha = ha;
        w->capa = na + 1;
    }
    if (nb + 1 > w->capb) {
        size_t cap = nb + 1;
        uint64_t *hb = realloc(w->hb, cap * sizeof *hb);
        if (hb)
            w->hb = hb;
        pos_hash *idx = realloc(w->idx, cap * sizeof *idx);
        if (idx)
            w->idx = idx;
        uint32_t *p1 = realloc(w->prev, cap * sizeof *p1);
        if (p1)
            w->prev = p1;
        uint32_t *p2 = realloc(w->cur, cap * sizeof *p2);
        if (p2)
            w->cur = p2;
        uint32_t *p3 = realloc(w->tprev, cap * sizeof *p3);
        if (p3)
            w->tprev = p3;
        uint32_t *p4 = realloc(w->tcur, cap * sizeof *p4);
        if (p4)
            w->tcur = p4;
        if (!hb || !idx || !p1 || !p2 || !p3 || !p4)
            return -1;
        w->capb = cap;
    }
    return 0;
}

/* The longest run of equal consecutive values of w->ha[0..na) and
 * w->hb[0..nb): a sparse dynamic programme over the matching (i, j) only,
 * run(i, j) = run(i-1, j-1) + 1, first best kept (earliest in a, then in
 * b).  It stops after `budget` matches (texts made of one repeated phrase)
 * with the best run so far.  OUT: *len, *ai, *bj (the run's last
 * positions). */
static void longest_run(passage_scratch *w, size_t na, size_t nb, size_t budget, size_t *len,
                        size_t *ai, size_t *bj)
{
    for (size_t j = 0; j < nb; j++)
        w->idx[j] = (pos_hash){w->hb[j], (uint32_t)j};
    qsort(w->idx, nb, sizeof *w->idx, pos_hash_cmp);
    memset(w->prev, 0, (nb + 1) * sizeof *w->prev);
    memset(w->cur, 0, (nb + 1) * sizeof *w->cur);
    size_t nprev = 0, best = 0, bi = 0, bb = 0, work = 0;
    uint32_t *prev = w->prev, *cur = w->cur, *tprev = w->tprev, *tcur = w->tcur;
    for (size_t i = 0; i < na && work < budget; i++) {
        size_t ncur = 0, lo = 0, hi = nb;
        uint64_t h = w->ha[i];
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (w->idx[mid].h < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < nb && w->idx[k].h == h; k++) {
            uint32_t j = w->idx[k].pos;
            uint32_t run = prev[j] + 1; /* prev[j] is run(i-1, j-1), stored at j */
            cur[j + 1] = run;
            tcur[ncur++] = j + 1;
            if (run > best) {
                best = run;
                bi = i;
                bb = j;
            }
        }
        work += ncur;
        for (size_t k = 0; k < nprev; k++)
            prev[tprev[k]] = 0;
        uint32_t *t = prev;
        prev = cur;
        cur = t;
        t = tprev;
        tprev = tcur;
        tcur = t;
        nprev = ncur;
    }
    for (size_t k = 0; k < nprev; k++)
        prev[tprev[k]] = 0;
    *len = best;
    *ai = bi;
    *bj = bb;
}

#define SEED_TOKENS 3
#define PASSAGE_BUDGET 20000000

/* Longest run of identical tokens.  Matching single tokens costs the
 * product of their counts (a common word or character in two long texts:
 * millions), so runs are found on seeds of SEED_TOKENS tokens, which
 * repeat far less; only texts sharing no seed fall back to single tokens. */
static int passage_with(const eng_dup_set *s, passage_scratch *w, const char *a, size_t alen,
                        const char *b, size_t blen, eng_dup_span *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    if (alen >= 0xFFFFFFFFu || blen >= 0xFFFFFFFFu)
        return eng_fail(err, ENG_EINPUT, "duplicates: text is 4 GiB or more");
    int rc = eng_text_tokens(s->text, a ? a : "", a ? alen : 0, &w->ta, err);
    if (!rc)
        rc = eng_text_tokens(s->text, b ? b : "", b ? blen : 0, &w->tb, err);
    if (rc)
        return rc;
    size_t na = w->ta.n, nb = w->tb.n;
    if (!na || !nb)
        return ENG_OK;
    if (scratch_grow(w, na, nb))
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    const eng_token *A = w->ta.v, *B = w->tb.v;
    size_t best = 0, ai = 0, bj = 0, first = 0;
    if (na >= SEED_TOKENS && nb >= SEED_TOKENS) {
        for (size_t i = 0; i + SEED_TOKENS <= na; i++)
            w->ha[i] = mix(mix(A[i].hash, A[i + 1].hash), A[i + 2].hash);
        for (size_t j = 0; j + SEED_TOKENS <= nb; j++)
            w->hb[j] = mix(mix(B[j].hash, B[j + 1].hash), B[j + 2].hash);
        longest_run(w, na - SEED_TOKENS + 1, nb - SEED_TOKENS + 1, PASSAGE_BUDGET, &best, &ai, &bj);
        if (best) {
            /* seeds i-best+1..i cover tokens i-best+1..i+SEED_TOKENS-1 */
            first = ai + 1 - best;
            best += SEED_TOKENS - 1;
            ai = first + best - 1;
            bj = bj + SEED_TOKENS - 1;
        }
    }
    if (!best) {
        for (size_t i = 0; i < na; i++)
            w->ha[i] = A[i].hash;
        for (size_t j = 0; j < nb; j++)
            w->hb[j] = B[j].hash;
        longest_run(w, na, nb, PASSAGE_BUDGET, &best, &ai, &bj);
        if (!best)
            return ENG_OK;
    }
    const eng_token *a0 = &A[ai + 1 - best], *a1 = &A[ai];
    const eng_token *b0 = &B[bj + 1 - best], *b1 = &B[bj];
    out->a_off = a0->off;
    out->a_len = (size_t)a1->off + a1->len - a0->off;
    out->b_off = b0->off;
    out->b_len = (size_t)b1->off + b1->len - b0->off;
    out->tokens = best;
    return ENG_OK;
}

int eng_dup_passage(const eng_dup_set *s, const char *a, size_t alen, const char *b, size_t blen,
                    eng_dup_span *out, eng_err *err)
{
    passage_scratch w;
    memset(&w, 0, sizeof w);
    eng_dup_span span;
    int rc = passage_with(s, &w, a, alen, b, blen, &span, err);
    scratch_release(&w);
    if (!rc)
        *out = span;
    return rc;
}

typedef struct passages_ctx {
    const eng_dup_set *s;
    const eng_dup_doc *docs;
    eng_dup_pair *pairs;
    size_t n;
    atomic_size_t next;
    int rc[MAX_JOBS];
    eng_err err[MAX_JOBS];
} passages_ctx;

static void passages_work(void *p, int wi)
{
    passages_ctx *c = p;
    passage_scratch w;
    memset(&w, 0, sizeof w);
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n || c->rc[wi])
            break;
        eng_dup_pair *q = &c->pairs[i];
        if (q->b == ENG_DUP_QUERY)
            continue;
        const eng_dup_doc *da = &c->docs[q->a], *db = &c->docs[q->b];
        eng_dup_span sp;
        c->rc[wi] = passage_with(c->s, &w, da->text, da->len, db->text, db->len, &sp, &c->err[wi]);
        if (c->rc[wi])
            break;
        q->a_off = sp.a_off;
        q->a_len = sp.a_len;
        q->b_off = sp.b_off;
        q->b_len = sp.b_len;
        q->passage_tokens = sp.tokens;
    }
    scratch_release(&w);
}

int eng_dup_passages(const eng_dup_set *s, const eng_dup_doc *docs, eng_dup_pair *pairs, size_t n,
                     eng_err *err)
{
    passages_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return eng_fail(err, ENG_EIO, "duplicates: out of memory");
    c->s = s;
    c->docs = docs;
    c->pairs = pairs;
    c->n = n;
    atomic_store(&c->next, 0);
    int jobs = jobs_of(s);
    base_pool_run(jobs, passages_work, c);
    int rc = ENG_OK;
    for (int w = 0; w < jobs; w++)
        if (c->rc[w]) {
            rc = eng_fail(err, c->rc[w], "%s", c->err[w].msg);
            break;
        }
    free(c);
    return rc;
}
