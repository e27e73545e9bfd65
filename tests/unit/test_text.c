/* test_text: tokens, normalisation, stop phrases, shingles and hashes of eng_text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_text.h"
#include "tests/check.h"

static eng_text *make(int kc, int kl, const char *const *stop, size_t nstop)
{
    eng_text_params p = {kc, kl, stop, nstop};
    eng_text *t = NULL;
    eng_err err;
    if (eng_text_new(&p, &t, &err) != ENG_OK)
        fprintf(stderr, "eng_text_new: %s\n", err.msg);
    return t;
}

/* The normalised form: folding, full width, separators, scripts. */
static void test_normalised(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"  \t\n ,.;", ""},
        {"Hello, World!", "hello world"},
        {"ＨＥＬＬＯ　ｗｏｒｌｄ１２３", "hello world123"},
        {"基于深度学习的研究。", "基于深度学习的研究"},
        {"基于 BERT-like 模型", "基于bert like模型"},
        {"state-of-the-art", "state of the art"},
        {"Don't STOP", "don t stop"},
        {"ÀÉÎÕÜ ÇÑ ß ÿŸ", "àéîõü çñ ß ÿÿ"},
        {"ĀĂĄĆ ĹĽŁ ŽŹ İ ſ", "āăąć ĺľł žź i s"},
        {"ǅǄǆ ǍǏ Ǟ Ș", "ǆǆǆ ǎǐ ǟ ș"},
        {"ΑΒΓ Σοφίας ΆΈΏ", "αβγ σοφίασ άέώ"},
        {"МОСКВА Ёж", "москва ёж"},
        {"Ẁ ẞ Ệ", "ẁ ß ệ"},
        {"µm", "μm"},
        {"ひらがなカタカナ한국어", "ひらがなカタカナ한국어"},
        {"ｶﾀｶﾅ", "ｶﾀｶﾅ"},
        {"〇々 𠀀𪚥", "〇々𠀀𪚥"},
        {"a\xff"
         "b\xc0\xafz",
         "a b z"},
        {"\xed\xa0\x80x", "x"},
        {"x\xe4\xb8", "x"},
        {"COVID-19疫苗（Vaccine）研发", "covid 19疫苗vaccine研发"},
        {"100%纯 № ①", "100纯"},
        {"e\xcc\x81t\xc3\xa9", "e\xcc\x81t\xc3\xa9"},
        {"מחקר, بحث؟", "מחקר بحث"},
        {"x\xef\xbb\xbfy", "x y"},
    };
    eng_text *t = make(3, 3, NULL, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = NULL;
        eng_err err;
        int rc = eng_text_normalised(t, cases[i].in, strlen(cases[i].in), &got, &err);
        CHECK_INT(rc, ENG_OK, cases[i].in);
        CHECK_STR(got, cases[i].want, cases[i].in);
        free(got);
    }
    eng_text_free(t);
}

/* Stop phrases, matched token by token, longest first. */
static void test_stop(void)
{
    static const char *const stop[] = {"研究",     "基于", "关键技术", "Research on",
                                       "research", "",     "。",       "关键"};
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"基于深度学习的关键技术研究", "深度学习的"},
        {"关键问题", "问题"},
        {"RESEARCH   ON   the Moon", "the moon"},
        {"research: new", "new"},
        {"researcher on", "researcher on"},
        {"研究所", "所"},
        {"研 究", ""},
        {"on research on on", "on on"},
    };
    eng_text *t = make(3, 3, stop, sizeof stop / sizeof stop[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = NULL;
        eng_err err;
        CHECK_INT(eng_text_normalised(t, cases[i].in, strlen(cases[i].in), &got, &err), ENG_OK,
                  cases[i].in);
        CHECK_STR(got, cases[i].want, cases[i].in);
        free(got);
    }
    /* the digest depends on the phrases but not on their order or repeats */
    static const char *const stop2[] = {"关键", "research", "Research on", "关键技术",
                                        "基于", "研究",     "研究"};
    eng_text *t2 = make(3, 3, stop2, sizeof stop2 / sizeof stop2[0]);
    eng_text *t3 = make(3, 3, stop, 3);
    eng_text *t4 = make(3, 2, stop, sizeof stop / sizeof stop[0]);
    CHECK(eng_text_digest(t) == eng_text_digest(t2), "digest independent of order");
    CHECK(eng_text_digest(t) != eng_text_digest(t3), "digest depends on the phrases");
    CHECK(eng_text_digest(t) != eng_text_digest(t4), "digest depends on k");
    eng_text_free(t);
    eng_text_free(t2);
    eng_text_free(t3);
    eng_text_free(t4);
}

/* Offsets and lengths point into the original text. */
static void test_offsets(void)
{
    static const struct {
        const char *in;
        size_t n;
        const char *tok[6]; /* the original bytes of each token */
        int script[6];
    } cases[] = {
        {"ＡＢＣ，基于BERT", 4, {"ＡＢＣ", "基", "于", "BERT"}, {1, 2, 2, 1}},
        {"  ab  c ", 2, {"ab", "c"}, {1, 1}},
        {"한국Go", 3, {"한", "국", "Go"}, {2, 2, 1}},
        {"x\xff"
         "y",
         2,
         {"x", "y"},
         {1, 1}},
    };
    eng_text *t = make(3, 3, NULL, 0);
    eng_tokens tk;
    eng_tokens_init(&tk);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eng_err err;
        const char *s = cases[i].in;
        CHECK_INT(eng_text_tokens(t, s, strlen(s), &tk, &err), ENG_OK, s);
        CHECK_INT(tk.n, cases[i].n, s);
        for (size_t j = 0; j < tk.n && j < cases[i].n; j++) {
            const char *w = cases[i].tok[j];
            CHECK(tk.v[j].len == strlen(w) && memcmp(s + tk.v[j].off, w, tk.v[j].len) == 0,
                  "%s: token %zu is '%.*s', want '%s'", s, j, (int)tk.v[j].len, s + tk.v[j].off, w);
            CHECK_INT(tk.v[j].script, cases[i].script[j], s);
        }
    }
    /* the same normalised token has the same hash, whatever its original form */
    const char *a = "Ｗｏｒｌｄ", *b = "WORLD world";
    CHECK_INT(eng_text_tokens(t, a, strlen(a), &tk, NULL), ENG_OK, a);
    uint64_t ha = tk.v[0].hash;
    CHECK_INT(eng_text_tokens(t, b, strlen(b), &tk, NULL), ENG_OK, b);
    CHECK(tk.n == 2 && tk.v[0].hash == ha && tk.v[1].hash == ha, "folded tokens hash alike");
    CHECK(ha == eng_hash64("world", 5, 0x746f6b656e763031ull), "token hash is eng_hash64");
    /* a word longer than the internal buffer hashes like eng_hash64 of it */
    char big[1201];
    for (size_t i = 0; i < 1200; i++)
        big[i] = (char)('a' + i % 26);
    big[1200] = '\0';
    CHECK_INT(eng_text_tokens(t, big, 1200, &tk, NULL), ENG_OK, "long word");
    CHECK(tk.n == 1 && tk.v[0].len == 1200 &&
              tk.v[0].hash == eng_hash64(big, 1200, 0x746f6b656e763031ull),
          "long word hash");
    for (size_t i = 0; i < 1200; i++)
        big[i] = (char)('A' + i % 26);
    CHECK_INT(eng_text_tokens(t, big, 1200, &tk, NULL), ENG_OK, "long word");
    for (size_t i = 0; i < 1200; i++)
        big[i] = (char)('a' + i % 26);
    CHECK(tk.n == 1 && tk.v[0].hash == eng_hash64(big, 1200, 0x746f6b656e763031ull),
          "long upper-case word hash");
    eng_tokens_release(&tk);
    eng_text_free(t);
}

/* Shingle counts: per-script k over the merged stream, short texts. */
static void test_shingles(void)
{
    static const struct {
        int kc, kl;
        const char *in;
        size_t want;
    } cases[] = {
        {3, 3, "", 0},
        {3, 3, "，。", 0},
        {3, 3, "one", 1},
        {3, 3, "one two", 1},
        {3, 3, "one two three", 1},
        {3, 3, "one two three four", 2},
        {3, 2, "one two three four", 3},
        {3, 3, "一二三四五", 3},
        {2, 3, "一二三四五", 4},
        {3, 2, "基于BERT的方法", 4}, /* 基于bert 于bert的 bert的 的方法 */
        {3, 3, "a a a a a", 3},      /* repeats are kept here */
    };
    uint64_t out[64];
    eng_tokens tk;
    eng_tokens_init(&tk);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eng_text *t = make(cases[i].kc, cases[i].kl, NULL, 0);
        CHECK_INT(eng_text_tokens(t, cases[i].in, strlen(cases[i].in), &tk, NULL), ENG_OK,
                  cases[i].in);
        size_t n = eng_text_shingles(t, tk.v, tk.n, out);
        CHECK_INT(n, cases[i].want, cases[i].in);
        CHECK(n <= eng_text_max_shingles(tk.n), "%s: room", cases[i].in);
        if (!strcmp(cases[i].in, "a a a a a"))
            CHECK_INT(eng_text_sort_unique(out, n), 1, "a a a a a: one distinct shingle");
        eng_text_free(t);
    }
    /* shingles are order-sensitive and case-insensitive */
    eng_text *t = make(3, 2, NULL, 0);
    uint64_t x[4], y[4];
    eng_text_tokens(t, "alpha beta", 10, &tk, NULL);
    eng_text_shingles(t, tk.v, tk.n, x);
    eng_text_tokens(t, "beta alpha", 10, &tk, NULL);
    eng_text_shingles(t, tk.v, tk.n, y);
    CHECK(x[0] != y[0], "order matters");
    eng_text_tokens(t, "ALPHA, Beta!", 12, &tk, NULL);
    eng_text_shingles(t, tk.v, tk.n, y);
    CHECK(x[0] == y[0], "case and punctuation do not");
    eng_text_free(t);
    eng_tokens_release(&tk);
    /* bad parameters */
    eng_text_params bad = {0, 3, NULL, 0};
    eng_text *tb = NULL;
    eng_err err;
    CHECK_INT(eng_text_new(&bad, &tb, &err), ENG_EUSAGE, "k = 0");
    CHECK(tb == NULL, "no object on failure");
}

static void test_sort_unique(void)
{
    static const struct {
        uint64_t in[40];
        size_t n, want;
    } cases[] = {
        {{0}, 0, 0},
        {{5}, 1, 1},
        {{2, 2}, 2, 1},
        {{3, 1, 2, 3, 1}, 5, 3},
        {{UINT64_MAX, 0, UINT64_MAX, 1}, 4, 3},
        {{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9,  8,  7,  6,  5, 4, 3, 2, 1, 0,
          9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 40, 30, 20, 10, 0, 1, 2, 3, 4, 5},
         40,
         14},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v[40];
        memcpy(v, cases[i].in, sizeof v);
        size_t n = eng_text_sort_unique(v, cases[i].n);
        CHECK_INT(n, cases[i].want, "sort_unique count");
        for (size_t j = 1; j < n; j++)
            CHECK(v[j - 1] < v[j], "case %zu: ascending at %zu", i, j);
    }
    /* a large random array against a counted reference */
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof *v);
    uint64_t s = 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (s >> 20) % 50000;
    }
    size_t m = eng_text_sort_unique(v, n);
    int ok = 1;
    for (size_t j = 1; j < m; j++)
        ok &= v[j - 1] < v[j];
    CHECK(ok && m <= 50000 && m > 40000, "random: %zu distinct, ascending %d", m, ok);
    free(v);
}

/* eng_hash64: fixed values (they are part of the cache format) and
 * avalanche: flipping one input bit flips each output bit about half the
 * time. */
static void test_hash(void)
{
    CHECK(eng_hash64("", 0, 0) != eng_hash64("\0", 1, 0), "length counts");
    CHECK(eng_hash64("a", 1, 0) != eng_hash64("a", 1, 1), "seed counts");
    CHECK(eng_hash64("abcdefgh", 8, 0) != eng_hash64("abcdefgh\0", 9, 0), "tail counts");
    static const struct {
        const char *in;
        uint64_t want;
    } kat[] = {
        {"", 0x544f732095b7561full},
        {"a", 0x78cce4a48a500d55ull},
        {"研究", 0xf64318190d0f1f60ull},
        {"the quick brown fox", 0x172fe444b0b348a3ull},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint64_t h = eng_hash64(kat[i].in, strlen(kat[i].in), 0);
        CHECK(h == kat[i].want, "hash('%s') = 0x%016llxull", kat[i].in, (unsigned long long)h);
    }
    /* avalanche over 16-byte keys, 2000 keys x 128 input bits */
    static unsigned flips[128][64];
    memset(flips, 0, sizeof flips);
    uint64_t s = 7;
    int nkeys = 2000;
    for (int k = 0; k < nkeys; k++) {
        unsigned char key[16];
        for (int i = 0; i < 16; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            key[i] = (unsigned char)(s >> 56);
        }
        uint64_t h0 = eng_hash64(key, 16, 0);
        for (int bit = 0; bit < 128; bit++) {
            key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            uint64_t d = h0 ^ eng_hash64(key, 16, 0);
            key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            for (int o = 0; o < 64; o++)
                flips[bit][o] += (unsigned)(d >> o & 1);
        }
    }
    double worst = 0;
    for (int b = 0; b < 128; b++)
        for (int o = 0; o < 64; o++) {
            double p = (double)flips[b][o] / nkeys, dev = p > 0.5 ? p - 0.5 : 0.5 - p;
            if (dev > worst)
                worst = dev;
        }
    /* 2000 trials: sd 0.011; 8192 cells, so the worst is about 4 sd */
    CHECK(worst < 0.06, "avalanche: worst bias %.3f", worst);
    /* the fold step too */
    unsigned fl[64] = {0};
    for (int k = 0; k < nkeys; k++) {
        uint64_t h = eng_hash64(&k, sizeof k, 3), x = eng_hash64(&k, sizeof k, 4);
        uint64_t d = eng_hash_fold(h, x) ^ eng_hash_fold(h, x ^ (1ull << (k % 64)));
        for (int o = 0; o < 64; o++)
            fl[o] += (unsigned)(d >> o & 1);
    }
    int fold_ok = 1;
    for (int o = 0; o < 64; o++)
        fold_ok &= fl[o] > nkeys * 0.4 && fl[o] < nkeys * 0.6;
    CHECK(fold_ok, "fold avalanche");
}

int main(void)
{
    test_normalised();
    test_stop();
    test_offsets();
    test_shingles();
    test_sort_unique();
    test_hash();
    return check_done("test_text");
}
