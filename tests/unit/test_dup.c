/* test_dup: banding, pairs, partial copies, blobs, passages, queries and
 * nearest earlier neighbours of eng_dup. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eng_dup.h"
#include "engine/eng_text.h"
#include "tests/check.h"

/* ---- synthetic texts ----------------------------------------------------- */

static uint64_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng_state >> 33) % n);
}

/* Appends word w (base-26 letters) and a space. */
static size_t put_word(char *out, size_t o, uint32_t w)
{
    do {
        out[o++] = (char)('a' + w % 26);
        w /= 26;
    } while (w);
    out[o++] = ' ';
    return o;
}

/* A text of n random words from a vocabulary of 20,000; with `src`, a copy
 * of src's words with a share `edit` substituted. */
static char *words_text(const uint32_t *src, uint32_t *words, size_t n, double edit)
{
    char *t = malloc(n * 8 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w = src ? src[i] : rnd(20000);
        if (src && rnd(1000) < edit * 1000)
            w = rnd(20000);
        if (words)
            words[i] = w;
        o = put_word(t, o, w);
    }
    t[o] = '\0';
    return t;
}

/* A Chinese text of n characters from the first 3,000 ideographs. */
static char *han_text(const char *src, size_t n, double edit)
{
    char *t = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = 0x4E00 + rnd(3000);
        if (src && rnd(1000) >= edit * 1000) {
            memcpy(t + 3 * i, src + 3 * i, 3);
            continue;
        }
        t[3 * i] = (char)(0xE0 | c >> 12);
        t[3 * i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
        t[3 * i + 2] = (char)(0x80 | (c & 0x3F));
    }
    t[3 * n] = '\0';
    return t;
}

static eng_dup_set *make_set(const eng_dup_params *p, char **texts, const long *order, size_t n)
{
    eng_dup_doc *d = calloc(n, sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = (eng_dup_doc){texts[i], texts[i] ? strlen(texts[i]) : 0, order ? order[i] : 0};
    eng_dup_set *s = NULL;
    eng_err err;
    if (eng_dup_prepare(d, n, p, &s, &err))
        fprintf(stderr, "prepare: %s\n", err.msg);
    free(d);
    return s;
}

/* ---- banding -------------------------------------------------------------- */

static void test_banding(void)
{
    static const struct {
        int perm;
        double t;
        int bands, rows;
    } cases[] = {
        {128, 0.5, 42, 3}, {128, 0.3, 64, 2}, {128, 0.8, 21, 6},
        {128, 0.9, 14, 9}, {256, 0.5, 85, 3}, {16, 0.05, 16, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int b = 0, r = 0;
        double p = eng_dup_banding(cases[i].perm, cases[i].t, 0.995, &b, &r);
        CHECK(b == cases[i].bands && r == cases[i].rows, "banding(%d, %g) = %d x %d, want %d x %d",
              cases[i].perm, cases[i].t, b, r, cases[i].bands, cases[i].rows);
        if (cases[i].t >= 0.3)
            CHECK(p >= 0.995, "banding(%d, %g): p %g", cases[i].perm, cases[i].t, p);
        CHECK(b * r <= cases[i].perm, "rows fit");
    }
}

static void test_params(void)
{
    static const struct {
        const char *what;
        double jaccard, containment, ratio, floor, recall;
        int kc, kl, perm;
        int want;
    } cases[] = {
        {"defaults", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 128, ENG_OK},
        {"containment off", 0.5, 1.5, 2, 0.3, 0.995, 3, 2, 128, ENG_OK},
        {"jaccard 0", 0, 0.7, 2, 0.3, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"jaccard NaN", NAN, 0.7, 2, 0.3, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"jaccard > 1", 1.2, 0.7, 2, 0.3, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"containment 0", 0.5, 0, 2, 0.3, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"ratio < 0", 0.5, 0.7, -1, 0.3, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"floor 0", 0.5, 0.7, 2, 0, 0.995, 3, 2, 128, ENG_EUSAGE},
        {"recall 1", 0.5, 0.7, 2, 0.3, 1, 3, 2, 128, ENG_EUSAGE},
        {"perm 4", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 4, ENG_EUSAGE},
        {"perm 100", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 100, ENG_EUSAGE},
        {"perm 16", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 16, ENG_OK},
        {"perm 1024", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 1024, ENG_OK},
        {"perm 2000", 0.5, 0.7, 2, 0.3, 0.995, 3, 2, 2000, ENG_EUSAGE},
        {"k 0", 0.5, 0.7, 2, 0.3, 0.995, 0, 2, 128, ENG_EUSAGE},
        {"k 17", 0.5, 0.7, 2, 0.3, 0.995, 3, 17, 128, ENG_EUSAGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eng_dup_params p;
        eng_dup_params_default(&p);
        p.jaccard = cases[i].jaccard;
        p.containment = cases[i].containment;
        p.contain_ratio = cases[i].ratio;
        p.floor = cases[i].floor;
        p.recall = cases[i].recall;
        p.shingle_cjk = cases[i].kc;
        p.shingle_latin = cases[i].kl;
        p.num_perm = cases[i].perm;
        eng_dup_set *s = NULL;
        eng_err err;
        eng_err_clear(&err);
        int rc = eng_dup_set_new(&p, &s, &err);
        CHECK_INT(rc, cases[i].want, cases[i].what);
        CHECK(rc ? s == NULL && err.msg[0] : s != NULL, "%s: out and message", cases[i].what);
        eng_dup_set_free(s);
    }
    eng_dup_set_free(NULL);
}

/* ---- pairs on a small table of texts ------------------------------------------ */

enum { NDOCS = 12 };

typedef struct corpus {
    char *t[NDOCS];
} corpus;

/* 0 base; 1 = 0 with 4% of words changed; 2 unrelated; 3 = first 80 of 2's
 * 200 words (inside 2); 4 empty; 5 punctuation only; 6 = 0 again; 7
 * Chinese; 8 = 7 with 3% of characters changed; 9 = 7's first 150
 * characters (inside 7, a quarter of its size); 10 short unrelated; 11 =
 * 10 in capitals and full width (identical once normalised). */
static void make_corpus(corpus *c)
{
    uint32_t w0[200], w2[200];
    rng_state = 99;
    c->t[0] = words_text(NULL, w0, 200, 0);
    c->t[1] = words_text(w0, NULL, 200, 0.04);
    c->t[2] = words_text(NULL, w2, 200, 0);
    c->t[3] = words_text(w2, NULL, 80, 0);
    c->t[4] = strdup("");
    c->t[5] = strdup(" ,.;，。 ");
    c->t[6] = strdup(c->t[0]);
    c->t[7] = han_text(NULL, 600, 0);
    c->t[8] = han_text(c->t[7], 600, 0.03);
    c->t[9] = strndup(c->t[7], 150 * 3);
    c->t[10] = strdup("Metrology of ultra-low temperature: a traceable 0.5 mK thermometer");
    c->t[11] =
        strdup("ＭＥＴＲＯＬＯＧＹ　ＯＦ ultra low TEMPERATURE, a traceable 0.5 mk thermometer!");
}

static void free_corpus(corpus *c)
{
    for (int i = 0; i < NDOCS; i++)
        free(c->t[i]);
}

static void test_pairs(void)
{
    static const struct {
        size_t a, b;
        int contained;
        double jmin, jmax;
    } want[] = {
        {0, 1, ENG_DUP_NONE, 0.6, 0.95},  {0, 6, ENG_DUP_NONE, 1, 1},
        {1, 6, ENG_DUP_NONE, 0.6, 0.95},  {2, 3, ENG_DUP_B_IN_A, 0.3, 0.45},
        {7, 8, ENG_DUP_NONE, 0.7, 0.95},  {7, 9, ENG_DUP_B_IN_A, 0.1, 0.3},
        {8, 9, ENG_DUP_B_IN_A, 0.1, 0.3}, /* 8 is 7 with a few changes */
        {10, 11, ENG_DUP_NONE, 1, 1},
    };
    size_t nwant = sizeof want / sizeof want[0];
    corpus c;
    make_corpus(&c);
    /* 9 is a quarter of 7: a sure candidate only with contain_ratio >= 4 */
    eng_dup_params p;
    eng_dup_params_default(&p);
    p.contain_ratio = 4;
    for (int jobs = 1; jobs <= 3; jobs += 2) {
        p.jobs = jobs;
        eng_dup_set *s = make_set(&p, c.t, NULL, NDOCS);
        CHECK_INT(eng_dup_count(s), NDOCS, "count");
        CHECK_INT(eng_dup_size(s, 4), 0, "empty text: no shingles");
        CHECK_INT(eng_dup_size(s, 5), 0, "punctuation only: no shingles");
        CHECK_INT(eng_dup_size(s, 99), 0, "out of range");
        eng_dup_pair *v = NULL;
        size_t n = 0;
        eng_dup_stats st;
        eng_err err;
        CHECK_INT(eng_dup_pairs(s, &v, &n, &st, &err), ENG_OK, "pairs");
        CHECK(st.candidates >= n && st.verified >= n && st.pairs == n, "stats");
        CHECK_INT(n, nwant, "number of pairs");
        for (size_t i = 0; i < n && i < nwant; i++) {
            CHECK(v[i].a == want[i].a && v[i].b == want[i].b, "pair %zu: got %zu-%zu, want %zu-%zu",
                  i, v[i].a, v[i].b, want[i].a, want[i].b);
            CHECK(v[i].jaccard >= want[i].jmin && v[i].jaccard <= want[i].jmax,
                  "pair %zu-%zu: jaccard %.3f", v[i].a, v[i].b, v[i].jaccard);
            CHECK(v[i].containment >= v[i].jaccard, "containment >= jaccard");
            CHECK(v[i].contained == want[i].contained, "pair %zu-%zu: contained %d, want %d",
                  v[i].a, v[i].b, v[i].contained, want[i].contained);
            CHECK(v[i].a_len == 0 && v[i].passage_tokens == 0, "no passage yet");
        }
        free(v);
        eng_dup_set_free(s);
    }
    free_corpus(&c);
}

/* Exact values: Jaccard and containment against sets computed here. */
static void test_exact(void)
{
    eng_dup_params p;
    eng_dup_params_default(&p);
    p.shingle_latin = 1;
    p.jaccard = 0.3;
    p.containment = 2; /* off */
    /* word sets: a = w0..w99, b = w50..w149: J = 50/150; c = w0..w59: inside a */
    char a[2000], b[2000], c[2000];
    size_t oa = 0, ob = 0, oc = 0;
    for (uint32_t i = 0; i < 150; i++) {
        if (i < 100)
            oa = put_word(a, oa, 1000 + i);
        if (i >= 50)
            ob = put_word(b, ob, 1000 + i);
        if (i < 60)
            oc = put_word(c, oc, 1000 + i);
    }
    a[oa] = b[ob] = c[oc] = '\0';
    char *t[3] = {a, b, c};
    eng_dup_set *s = make_set(&p, t, NULL, 3);
    eng_dup_pair *v = NULL;
    size_t n = 0;
    CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
    /* a-b J 1/3, a-c J 0.6 (C 1), b-c J 10/140 (not reported) */
    CHECK_INT(n, 2, "exact: pairs");
    if (n == 2) {
        CHECK(v[0].a == 0 && v[0].b == 1 && fabs(v[0].jaccard - 50.0 / 150) < 1e-12 &&
                  fabs(v[0].containment - 0.5) < 1e-12,
              "a-b: %.6f %.6f", v[0].jaccard, v[0].containment);
        CHECK(v[1].a == 0 && v[1].b == 2 && fabs(v[1].jaccard - 0.6) < 1e-12 &&
                  v[1].containment == 1 && v[1].contained == ENG_DUP_NONE,
              "a-c: %.6f %.6f %d", v[1].jaccard, v[1].containment, v[1].contained);
    }
    free(v);
    eng_dup_set_free(s);
}

/* A few words found inside a long text are no partial copy (contain_min). */
static void test_contain_min(void)
{
    uint32_t w[200];
    rng_state = 11;
    char *big = words_text(NULL, w, 200, 0);
    char *small = words_text(w + 50, NULL, 6, 0); /* 5 shingles, all inside big */
    char *t[2] = {big, small};
    static const struct {
        size_t contain_min, want;
    } cases[] = {{20, 0}, {5, 1}, {6, 0}, {1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eng_dup_params p;
        eng_dup_params_default(&p);
        p.contain_min = cases[i].contain_min;
        p.contain_ratio = 100;
        eng_dup_set *s = make_set(&p, t, NULL, 2);
        eng_dup_pair *v = NULL;
        size_t n = 0;
        CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
        CHECK(n == cases[i].want, "contain_min %zu: %zu pairs", cases[i].contain_min, n);
        if (n)
            CHECK(v[0].contained == ENG_DUP_B_IN_A && v[0].containment == 1, "small inside big");
        eng_dup_pair *h = NULL;
        size_t nh = 0;
        CHECK_INT(eng_dup_query(s, small, strlen(small), 5, &h, &nh, NULL), ENG_OK, "query");
        /* the query finds itself (J 1); the big text (J 0.025) is no candidate of the
         * floor's banding */
        CHECK(nh == 1 && h[0].a == 1, "contain_min %zu: %zu hits", cases[i].contain_min, nh);
        free(h);
        free(v);
        eng_dup_set_free(s);
    }
    free(big);
    free(small);
}

/* Same results for any number of jobs, on a corpus with planted copies. */
static void test_jobs(void)
{
    enum { N = 3000 };
    char **t = malloc(N * sizeof *t);
    uint32_t w[120];
    rng_state = 7;
    for (size_t i = 0; i < N; i++) {
        if (i % 10 == 9)
            t[i] = words_text(w, NULL, 120, 0.05);
        else
            t[i] = words_text(NULL, w, 120, 0);
    }
    eng_dup_pair *ref = NULL;
    size_t nref = 0;
    eng_dup_near *nref_near = malloc(N * sizeof *nref_near);
    long order[N];
    for (size_t i = 0; i < N; i++)
        order[i] = (long)((i + 1) / 2); /* pairs of equal order: neither is earlier */
    for (int jobs = 1; jobs <= 4; jobs++) {
        eng_dup_params p;
        eng_dup_params_default(&p);
        p.jobs = jobs;
        eng_dup_set *s = make_set(&p, t, order, N);
        eng_dup_pair *v = NULL;
        size_t n = 0;
        CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
        eng_dup_near *near = malloc(N * sizeof *near);
        CHECK_INT(eng_dup_nearest_earlier(s, near, NULL), ENG_OK, "nearest");
        if (jobs == 1) {
            ref = v;
            nref = n;
            memcpy(nref_near, near, N * sizeof *near);
            CHECK_INT(n, N / 10, "planted copies found");
            size_t found = 0;
            for (size_t i = 0; i < n; i++)
                found += v[i].b == v[i].a + 1 && v[i].b % 10 == 9;
            CHECK_INT(found, N / 10, "the planted ones");
            /* copies at odd indexes with an even source: the source is earlier */
            size_t near_ok = 0;
            for (size_t i = 9; i < N; i += 10)
                near_ok += near[i].doc == i - 1 && near[i].jaccard > 0.5;
            CHECK_INT(near_ok, N / 10, "nearest earlier of the copies");
        } else {
            CHECK(n == nref && !memcmp(v, ref, n * sizeof *v), "jobs %d: same pairs", jobs);
            CHECK(!memcmp(near, nref_near, N * sizeof *near), "jobs %d: same nearest", jobs);
            free(v);
        }
        free(near);
        eng_dup_set_free(s);
    }
    free(ref);
    free(nref_near);
    for (size_t i = 0; i < N; i++)
        free(t[i]);
    free(t);
}

/* ---- blobs ------------------------------------------------------------------- */

static void test_blobs(void)
{
    corpus c;
    make_corpus(&c);
    eng_dup_params p;
    eng_dup_params_default(&p);
    static const char *const stop[] = {"研究"};
    p.stop_phrases = stop;
    p.nstop = 1;
    eng_dup_set *s = make_set(&p, c.t, NULL, NDOCS), *s2 = NULL, *other = NULL;
    eng_err err;
    CHECK_INT(eng_dup_set_new(&p, &s2, &err), ENG_OK, "new");
    CHECK(!strncmp(eng_dup_key(s), "sh64:k=3/2:t=", 13) &&
              !strcmp(eng_dup_key(s) + strlen(eng_dup_key(s)) - 3, ":v1"),
          "key %s", eng_dup_key(s));
    CHECK_STR(eng_dup_key(s2), eng_dup_key(s), "same parameters, same key");
    p.nstop = 0;
    CHECK_INT(eng_dup_set_new(&p, &other, &err), ENG_OK, "new");
    CHECK(strcmp(eng_dup_key(other), eng_dup_key(s)) != 0, "stop phrases change the key");
    void *blob0 = NULL;
    size_t len0 = 0;
    for (size_t i = 0; i < NDOCS; i++) {
        void *b = NULL;
        size_t len = 0;
        CHECK_INT(eng_dup_blob(s, i, &b, &len, &err), ENG_OK, "blob");
        CHECK_INT(eng_dup_add_blob(s2, b, len, (long)i, &err), ENG_OK, "add blob");
        if (i == 0) {
            blob0 = b;
            len0 = len;
        } else {
            free(b);
        }
    }
    eng_dup_pair *v1 = NULL, *v2 = NULL;
    size_t n1 = 0, n2 = 0;
    CHECK_INT(eng_dup_pairs(s, &v1, &n1, NULL, &err), ENG_OK, "pairs");
    CHECK_INT(eng_dup_pairs(s2, &v2, &n2, NULL, &err), ENG_OK, "pairs from blobs");
    CHECK(n1 == n2 && n1 && !memcmp(v1, v2, n1 * sizeof *v1), "blobs give the same pairs");
    free(v1);
    free(v2);
    /* refused blobs leave the set alone */
    unsigned char *bad = malloc(len0);
    static const struct {
        const char *what;
        size_t at;  /* byte to flip, SIZE_MAX none */
        size_t cut; /* bytes removed from the end */
    } cases[] = {
        {"magic", 0, 0},
        {"version", 4, 0},
        {"count", 8, 0},
        {"reserved", 12, 0},
        {"digest", 16, 0},
        {"checksum", 24, 0},
        {"first shingle", 32, 0},
        {"last shingle", SIZE_MAX - 1, 0},
        {"truncated", SIZE_MAX, 8},
        {"header only", SIZE_MAX, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, blob0, len0);
        size_t len = len0 - cases[i].cut;
        if (cases[i].at == SIZE_MAX - 1)
            bad[len0 - 1] ^= 1;
        else if (cases[i].at != SIZE_MAX)
            bad[cases[i].at] ^= 1;
        if (!strcmp(cases[i].what, "header only"))
            len = 31;
        size_t before = eng_dup_count(s2);
        CHECK_INT(eng_dup_add_blob(s2, bad, len, 0, &err), ENG_EINPUT, cases[i].what);
        CHECK_INT(eng_dup_count(s2), before, cases[i].what);
    }
    CHECK_INT(eng_dup_add_blob(other, blob0, len0, 0, &err), ENG_EINPUT, "other parameters");
    CHECK_INT(eng_dup_add_blob(s2, NULL, 0, 0, &err), ENG_EINPUT, "NULL blob");
    CHECK_INT(eng_dup_blob(s, NDOCS, &blob0, &len0, &err), ENG_EUSAGE, "no such doc");
    free(bad);
    free(blob0);
    eng_dup_set_free(s);
    eng_dup_set_free(s2);
    eng_dup_set_free(other);
    free_corpus(&c);
}

/* ---- passages ------------------------------------------------------------------- */

static void test_passages(void)
{
    static const struct {
        const char *a, *b, *want_a, *want_b;
        size_t tokens;
    } cases[] = {
        {"Alpha beta, gamma delta epsilon. Zeta", "xx GAMMA delta  epsilon yy beta",
         "gamma delta epsilon", "GAMMA delta  epsilon", 3},
        {"我们研究了深度学习方法。", "本文的深度学习方法很好", "深度学习方法", "深度学习方法", 6},
        {"ＡＢＣ　ｄｅｆ", "abc def", "ＡＢＣ　ｄｅｆ", "abc def", 2},
        {"one two", "three four", "", "", 0},
        {"", "three four", "", "", 0},
        {"基于研究方法", "基于方法", "基于研究方法", "基于方法", 4},
        {"a b a b c", "a b c a b", "a b c", "a b c", 3},
        {"x y z", "x q y z", "y z", "y z", 2},
        {"aa bb", "bb aa", "aa", "aa", 1},
    };
    eng_dup_params p;
    eng_dup_params_default(&p);
    static const char *const stop[] = {"研究"};
    p.stop_phrases = stop;
    p.nstop = 1;
    eng_dup_set *s = NULL;
    eng_err err;
    CHECK_INT(eng_dup_set_new(&p, &s, &err), ENG_OK, "new");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *a = cases[i].a, *b = cases[i].b;
        eng_dup_span sp;
        CHECK_INT(eng_dup_passage(s, a, strlen(a), b, strlen(b), &sp, &err), ENG_OK, a);
        CHECK_INT(sp.tokens, cases[i].tokens, a);
        CHECK(sp.a_len == strlen(cases[i].want_a) &&
                  !memcmp(a + sp.a_off, cases[i].want_a, sp.a_len),
              "%s: a passage '%.*s', want '%s'", a, (int)sp.a_len, a + sp.a_off, cases[i].want_a);
        CHECK(sp.b_len == strlen(cases[i].want_b) &&
                  !memcmp(b + sp.b_off, cases[i].want_b, sp.b_len),
              "%s: b passage '%.*s', want '%s'", b, (int)sp.b_len, b + sp.b_off, cases[i].want_b);
    }
    /* one phrase repeated 100,000 times in both: the work is bounded */
    size_t big = 100000 * 4;
    char *rep = malloc(big + 1);
    for (size_t i = 0; i < big; i += 4)
        memcpy(rep + i, "the ", 4);
    rep[big] = '\0';
    eng_dup_span sp;
    clock_t t0 = clock();
    CHECK_INT(eng_dup_passage(s, rep, big, rep, big, &sp, &err), ENG_OK, "repeated");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(sp.tokens >= 3 && secs < 5, "repeated: %zu tokens in %.2f s", sp.tokens, secs);
    free(rep);
    /* eng_dup_passages fills the pairs from the docs */
    corpus c;
    make_corpus(&c);
    eng_dup_set_free(s);
    eng_dup_params_default(&p);
    p.jobs = 2;
    s = make_set(&p, c.t, NULL, NDOCS);
    eng_dup_pair *v = NULL;
    size_t n = 0;
    CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, &err), ENG_OK, "pairs");
    eng_dup_doc d[NDOCS];
    for (size_t i = 0; i < NDOCS; i++)
        d[i] = (eng_dup_doc){c.t[i], strlen(c.t[i]), 0};
    CHECK_INT(eng_dup_passages(s, d, v, n, &err), ENG_OK, "passages");
    for (size_t i = 0; i < n; i++) {
        const eng_dup_pair *q = &v[i];
        CHECK(q->passage_tokens > 0 && q->a_off + q->a_len <= d[q->a].len &&
                  q->b_off + q->b_len <= d[q->b].len,
              "pair %zu-%zu: passage in range", q->a, q->b);
        if (q->a == 0 && q->b == 6)
            CHECK(q->a_len == d[0].len - 1 && q->a_off == 0, "identical texts: all of it");
        if (q->a == 10 && q->b == 11)
            CHECK(q->passage_tokens == 11, "10-11: %zu tokens", q->passage_tokens);
    }
    free(v);
    eng_dup_set_free(s);
    free_corpus(&c);
}

/* ---- screening and novelty --------------------------------------------------------- */

static void test_query(void)
{
    corpus c;
    make_corpus(&c);
    eng_dup_params p;
    eng_dup_params_default(&p);
    eng_dup_set *s = make_set(&p, c.t, NULL, NDOCS);
    eng_err err;
    static const struct {
        int doc; /* the query is this doc's text (-1: an unrelated text) */
        size_t top_k;
        size_t nwant;
        size_t first;  /* index of the best hit */
        size_t probe;  /* a stored doc among the hits... */
        int contained; /* ...and its flag */
    } cases[] = {
        {0, 10, 3, 0, 6, ENG_DUP_NONE}, /* 0 and 6 identical (J 1), then 1 */
        {0, 2, 2, 0, 6, ENG_DUP_NONE},
        {0, 0, 0, 0, 0, 0},
        {3, 10, 2, 3, 2, ENG_DUP_B_IN_A}, /* itself; inside stored doc 2 */
        {2, 10, 2, 2, 3, ENG_DUP_A_IN_B}, /* itself; stored doc 3 is inside the query */
        {7, 10, 3, 7, 9, ENG_DUP_A_IN_B}, /* itself, 9 (C 1, J 0.25), 8 */
        {4, 10, 0, 0, 0, 0},              /* empty */
        {-1, 10, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = cases[i].doc >= 0 ? strdup(c.t[cases[i].doc]) : words_text(NULL, NULL, 150, 0);
        eng_dup_pair *h = NULL;
        size_t n = 0;
        CHECK_INT(eng_dup_query(s, q, strlen(q), cases[i].top_k, &h, &n, &err), ENG_OK, "query");
        CHECK(n == cases[i].nwant, "query %zu: %zu hits, want %zu", i, n, cases[i].nwant);
        if (n && cases[i].nwant) {
            CHECK(h[0].a == cases[i].first && h[0].b == ENG_DUP_QUERY,
                  "query %zu: best %zu, want %zu", i, h[0].a, cases[i].first);
            int seen = 0;
            for (size_t k = 0; k < n; k++)
                if (h[k].a == cases[i].probe) {
                    seen = 1;
                    CHECK(h[k].contained == cases[i].contained, "query %zu: %zu contained %d", i,
                          h[k].a, h[k].contained);
                }
            CHECK(seen, "query %zu: %zu among the hits", i, cases[i].probe);
        }
        for (size_t k = 1; k < n; k++) {
            double m0 = fmax(h[k - 1].jaccard, h[k - 1].containment);
            double m1 = fmax(h[k].jaccard, h[k].containment);
            CHECK(m0 >= m1 && m1 >= p.floor, "query %zu: ranked, above the floor", i);
        }
        if (cases[i].doc == 3 && n) {
            /* the shared passage of a hit, with the stored text */
            eng_dup_span sp;
            CHECK_INT(eng_dup_passage(s, c.t[2], strlen(c.t[2]), q, strlen(q), &sp, &err), ENG_OK,
                      "hit passage");
            CHECK(sp.tokens == 80 && sp.a_off == 0 && sp.b_off == 0, "hit passage: %zu tokens",
                  sp.tokens);
        }
        free(h);
        free(q);
    }
    eng_dup_set_free(s);
    free_corpus(&c);
}

static void test_nearest(void)
{
    corpus c;
    make_corpus(&c);
    eng_dup_params p;
    eng_dup_params_default(&p);
    /* 6 is the earliest, then 0, then 1; 2 and 3 have the same order; 8 before 7 */
    static const long order[NDOCS] = {20, 30, 5, 5, 1, 1, 10, 40, 35, 50, 60, 70};
    static const struct {
        size_t doc, want;
    } cases[] = {
        {6, SIZE_MAX}, {0, 6},        {1, 0}, {2, SIZE_MAX}, {3, SIZE_MAX},  {4, SIZE_MAX},
        {5, SIZE_MAX}, {8, SIZE_MAX}, {7, 8}, {9, SIZE_MAX}, {10, SIZE_MAX}, {11, 10},
    };
    eng_dup_set *s = make_set(&p, c.t, order, NDOCS);
    eng_dup_near near[NDOCS];
    eng_err err;
    CHECK_INT(eng_dup_nearest_earlier(s, near, &err), ENG_OK, "nearest");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const eng_dup_near *x = &near[cases[i].doc];
        CHECK(x->doc == cases[i].want, "nearest of %zu: %zu, want %zu", cases[i].doc, x->doc,
              cases[i].want);
        if (cases[i].want == SIZE_MAX)
            CHECK(x->jaccard == 0, "none: 0");
        else
            CHECK(x->jaccard >= p.floor && x->containment >= x->jaccard, "%zu: %.3f %.3f",
                  cases[i].doc, x->jaccard, x->containment);
    }
    CHECK(near[0].jaccard == 1, "0 is identical to 6");
    eng_dup_set_free(s);
    free_corpus(&c);
}

/* A cluster of identical texts larger than bucket_cap: every pair, and
 * every nearest neighbour, is still found (the Jaccard banding never skips
 * a bucket). */
static void test_cluster(void)
{
    enum { N = 100 };
    char *t[N + 2];
    long order[N + 2];
    rng_state = 3;
    char *base = words_text(NULL, NULL, 60, 0);
    for (size_t i = 0; i < N; i++) {
        t[i] = base;
        order[i] = (long)i;
    }
    t[N] = words_text(NULL, NULL, 60, 0); /* two unrelated ones */
    t[N + 1] = words_text(NULL, NULL, 60, 0);
    order[N] = order[N + 1] = 0;
    eng_dup_params p;
    eng_dup_params_default(&p);
    p.bucket_cap = 16;
    p.jobs = 2;
    eng_dup_set *s = make_set(&p, t, order, N + 2);
    eng_dup_pair *v = NULL;
    size_t n = 0;
    CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
    CHECK_INT(n, N * (N - 1) / 2, "cluster: every pair");
    size_t ones = 0;
    for (size_t i = 0; i < n; i++)
        ones += v[i].jaccard == 1 && v[i].b < N;
    CHECK_INT(ones, n, "cluster: all identical");
    eng_dup_near near[N + 2];
    CHECK_INT(eng_dup_nearest_earlier(s, near, NULL), ENG_OK, "nearest");
    size_t ok = near[0].doc == SIZE_MAX;
    for (size_t i = 1; i < N; i++)
        ok += near[i].doc == 0 && near[i].jaccard == 1;
    CHECK_INT(ok, N, "cluster: nearest earlier is the first copy");
    CHECK(near[N].doc == SIZE_MAX && near[N + 1].doc == SIZE_MAX, "unrelated: none");
    free(v);
    eng_dup_set_free(s);
    free(base);
    free(t[N]);
    free(t[N + 1]);
}

/* ---- information ------------------------------------------------------------ */

static void test_placeholder(void)
{
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {"Not Available", 1},
        {"not avaiable.", 1},
        {"N/A", 1},
        {"  TBD ", 1},
        {"Title missing", 1},
        {"暂无", 1},
        {"无", 1},
        {"--", 1},
        {"", 1},
        {"In process for public release", 1},
        {"Not applicable", 1},
        {"Notable results", 0},
        {"无人机", 0},
        {"NA sensors", 0},
        {"TBD-1 engine", 0},
        {"Available now", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(eng_text_placeholder(cases[i].text, strlen(cases[i].text)) == cases[i].want,
              "placeholder \"%s\": want %d", cases[i].text, cases[i].want);
}

/* 200 texts share a stock passage of 60 words, each with 20 words of its
 * own; one of them has a near copy (its own words kept, two edited).
 * Unweighted, every pair of the 200 is a near duplicate (J about 0.6);
 * weighted by information, only the copy is. */
static void test_weights(void)
{
    enum { N = 200, STOCK = 60, OWN = 20 };
    rng_state = 99;
    uint32_t stock[STOCK];
    char *sp = words_text(NULL, stock, STOCK, 0);
    char *t[N + 1];
    uint32_t own0[OWN];
    for (size_t i = 0; i < N; i++) {
        char *own = words_text(NULL, i == 0 ? own0 : NULL, OWN, 0);
        t[i] = malloc(strlen(sp) + strlen(own) + 1);
        strcpy(t[i], sp);
        strcat(t[i], own);
        free(own);
    }
    uint32_t ownc[OWN];
    memcpy(ownc, own0, sizeof ownc);
    ownc[5] = 30001;
    ownc[14] = 30002;
    char *own = words_text(ownc, NULL, OWN, 0);
    t[N] = malloc(strlen(sp) + strlen(own) + 1);
    strcpy(t[N], sp);
    strcat(t[N], own);
    free(own);
    for (int weighted = 0; weighted <= 1; weighted++) {
        eng_dup_params p;
        eng_dup_params_default(&p);
        p.weighted = weighted;
        eng_dup_set *s = make_set(&p, t, NULL, N + 1);
        CHECK_INT(eng_dup_weigh(s, NULL), ENG_OK, "weigh");
        eng_dup_pair *v = NULL;
        size_t n = 0;
        CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
        if (!weighted) {
            CHECK(n >= (size_t)N * (N - 1) / 2, "unweighted: every stock pair (%zu)", n);
        } else {
            CHECK_INT(n, 1, "weighted: the copy only");
            if (n == 1)
                CHECK(v[0].a == 0 && v[0].b == N && v[0].jaccard >= 0.5 &&
                          v[0].plain_jaccard >= 0.5,
                      "the copy: %zu-%zu %.3f", v[0].a, v[0].b, v[0].jaccard);
            CHECK(eng_dup_compare(s, 0, N) && !eng_dup_compare(s, 0, 1), "compare");
        }
        free(v);
        eng_dup_set_free(s);
    }
    for (size_t i = 0; i <= N; i++)
        free(t[i]);
    free(sp);
}

/* A title of 8 words inside a text of 200 among unrelated texts: found by
 * the short-text index (inside), and by a query of the title; min_info
 * leaves a text of one common word out. */
static void test_inside(void)
{
    enum { N = 60 };
    rng_state = 5;
    char *t[N];
    uint32_t w[200];
    t[0] = words_text(NULL, w, 200, 0);
    t[1] = words_text(w + 90, NULL, 8, 0); /* 7 shingles, all inside t[0] */
    for (size_t i = 2; i < N; i++)
        t[i] = words_text(NULL, NULL, 200, 0);
    for (int inside = 0; inside <= 1; inside++) {
        eng_dup_params p;
        eng_dup_params_default(&p);
        p.weighted = 1;
        p.inside = inside;
        eng_dup_set *s = make_set(&p, t, NULL, N);
        CHECK_INT(eng_dup_weigh(s, NULL), ENG_OK, "weigh");
        eng_dup_pair *v = NULL;
        size_t n = 0;
        CHECK_INT(eng_dup_pairs(s, &v, &n, NULL, NULL), ENG_OK, "pairs");
        CHECK_INT(n, (size_t)inside, "inside pairs");
        if (n == 1)
            CHECK(v[0].a == 0 && v[0].b == 1 && v[0].inside && v[0].contained == ENG_DUP_B_IN_A &&
                      v[0].containment >= 0.99,
                  "title inside: %zu-%zu %d %.3f", v[0].a, v[0].b, v[0].inside, v[0].containment);
        eng_dup_pair *h = NULL;
        size_t nh = 0;
        CHECK_INT(eng_dup_query(s, t[1], strlen(t[1]), 5, &h, &nh, NULL), ENG_OK, "query");
        size_t found = 0;
        for (size_t k = 0; k < nh; k++)
            found += h[k].a == 0 && h[k].inside && h[k].contained == ENG_DUP_B_IN_A;
        CHECK_INT(found, (size_t)inside, "query: the long text holding the title");
        free(h);
        free(v);
        eng_dup_set_free(s);
    }
    eng_dup_params p;
    eng_dup_params_default(&p);
    p.weighted = 1;
    p.min_info = 3;
    char *u[3] = {t[0], "word", t[2]};
    eng_dup_set *s = make_set(&p, u, NULL, 3);
    CHECK_INT(eng_dup_weigh(s, NULL), ENG_OK, "weigh");
    CHECK(eng_dup_active(s, 0) && !eng_dup_active(s, 1), "min_info: one word is not compared");
    CHECK(eng_dup_info(s, 1) <= 1 && eng_dup_info(s, 0) == (double)eng_dup_size(s, 0),
          "info: %.2f, %.2f", eng_dup_info(s, 1), eng_dup_info(s, 0));
    eng_dup_set_free(s);
    for (size_t i = 0; i < N; i++)
        free(t[i]);
}

/* Undated docs (ENG_DUP_UNORDERED) are nobody's earlier and have none. */
static void test_unordered(void)
{
    rng_state = 8;
    char *a = words_text(NULL, NULL, 80, 0);
    char *t[3] = {a, a, a};
    long order[3] = {1, ENG_DUP_UNORDERED, 2};
    eng_dup_params p;
    eng_dup_params_default(&p);
    eng_dup_set *s = make_set(&p, t, order, 3);
    eng_dup_near near[3];
    CHECK_INT(eng_dup_nearest_earlier(s, near, NULL), ENG_OK, "nearest");
    CHECK(near[0].doc == SIZE_MAX && near[1].doc == SIZE_MAX && near[2].doc == 0,
          "undated: %zu %zu %zu", near[0].doc, near[1].doc, near[2].doc);
    eng_dup_set_free(s);
    free(a);
}

int main(void)
{
    test_banding();
    test_params();
    test_pairs();
    test_exact();
    test_contain_min();
    test_jobs();
    test_blobs();
    test_passages();
    test_query();
    test_nearest();
    test_cluster();
    test_placeholder();
    test_weights();
    test_inside();
    test_unordered();
    return check_done("test_dup");
}
