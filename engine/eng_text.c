/*
 * eng_text: tokens and shingles for duplicate detection (see eng_text.h).
 *
 * One pass over the UTF-8 bytes: each character is decoded, mapped from
 * full width, classified (separator, word character, CJK character) and,
 * inside a word, case-folded and re-encoded into a small buffer that is
 * hashed when the word ends.  Nothing here allocates except the token
 * buffer's growth.
 */
#include "engine/eng_text.h"

#include "engine/eng_placeholder.h"

#include <stdlib.h>
#include <string.h>

#include "base/base_utf8.h"

/* ---- hashing ------------------------------------------------------------- */

/* Odd 64-bit constants: the golden ratio and the splitmix64 multipliers,
 * plus two arbitrary ones; any well-spread odd constants would do. */
#define HC0 0x9e3779b97f4a7c15ull
#define HC1 0xbf58476d1ce4e5b9ull
#define HC2 0x94d049bb133111ebull
#define HC3 0xd6e8feb86659fd93ull
#define HC4 0xa5cb3f9e2d7c1b47ull

#define TOKEN_SEED 0x746f6b656e763031ull   /* "tokenv01" */
#define SHINGLE_SEED 0x7368696e676c6531ull /* "shingle1" */

__extension__ typedef unsigned __int128 u128;

/* The 64x64->128 multiply folded to 64 bits: the mixing step of wyhash. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline uint64_t fold_words(uint64_t h, const unsigned char *p, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        h = mum(load64(p + 8 * i) ^ HC1, h ^ HC2);
    return h;
}

/* The last 0..7 bytes (w, little-endian, zero-padded) and the total
 * length, then one more multiply so that every output bit depends on every
 * input bit. */
static inline uint64_t finish_word(uint64_t h, uint64_t w, uint64_t total)
{
    h = mum(w ^ HC3, h ^ total ^ HC4);
    return mum(h ^ HC0, (h >> 32) ^ HC1);
}

static inline uint64_t finish(uint64_t h, const unsigned char *tail, size_t ntail, uint64_t total)
{
    uint64_t w = 0;
    for (size_t i = 0; i < ntail; i++)
        w |= (uint64_t)tail[i] << (8 * i);
    return finish_word(h, w, total);
}

uint64_t eng_hash64(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t h = fold_words(seed ^ HC0, b, n / 8);
    return finish(h, b + (n & ~(size_t)7), n & 7, n);
}

uint64_t eng_hash_fold(uint64_t h, uint64_t x)
{
    return mum(x ^ HC1, h ^ HC2);
}

static inline uint64_t shingle_hash(const eng_token *t, size_t k)
{
    uint64_t h = SHINGLE_SEED ^ k;
    for (size_t j = 0; j < k; j++)
        h = mum(t[j].hash ^ HC1, h ^ HC2);
    return mum(h ^ HC3, (h >> 29) ^ HC4);
}

/* ---- characters ------------------------------------------------------------ */

enum { C_SEP = 0, C_WORD = ENG_TOK_WORD, C_CJK = ENG_TOK_CJK };

/* Decodes one character at s[0..n), n >= 1.  Returns its length in bytes;
 * *cp is the code point, or 0xFFFFFFFF for an invalid byte (base_utf8: the
 * bad byte alone is consumed so that decoding resynchronises at the next
 * one). */
static inline size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = base_utf8_decode(s, n, cp);
    if (len)
        return len;
    *cp = 0xFFFFFFFFu;
    return 1;
}

static inline size_t encode(uint32_t c, unsigned char *o)
{
    return base_utf8_encode(c, (char *)o);
}

/* Punctuation and symbols inside the alphabetic blocks U+0100..U+1FFF
 * (Greek, Armenian, Hebrew, Arabic, Syriac, Indic, Thai, Tibetan, Myanmar,
 * Georgian, Ethiopic, Khmer, Mongolian, Greek Extended), sorted. */
static const uint32_t script_punct[][2] = {
    {0x2C2, 0x2C5},   {0x2D2, 0x2DF},   {0x2E5, 0x2EB},   {0x2ED, 0x2ED},   {0x2EF, 0x2FF},
    {0x375, 0x375},   {0x37E, 0x37E},   {0x384, 0x385},   {0x387, 0x387},   {0x3F6, 0x3F6},
    {0x482, 0x482},   {0x55A, 0x55F},   {0x589, 0x58A},   {0x58D, 0x58F},   {0x5BE, 0x5BE},
    {0x5C0, 0x5C0},   {0x5C3, 0x5C3},   {0x5C6, 0x5C6},   {0x5F3, 0x5F4},   {0x600, 0x60F},
    {0x61B, 0x61B},   {0x61D, 0x61F},   {0x66A, 0x66D},   {0x6D4, 0x6D4},   {0x6DD, 0x6DE},
    {0x6E9, 0x6E9},   {0x700, 0x70D},   {0x964, 0x965},   {0x970, 0x970},   {0xDF4, 0xDF4},
    {0xE3F, 0xE3F},   {0xE4F, 0xE4F},   {0xE5A, 0xE5B},   {0xF04, 0xF12},   {0x104A, 0x104F},
    {0x10FB, 0x10FB}, {0x1360, 0x1368}, {0x166E, 0x166E}, {0x1680, 0x1680}, {0x169B, 0x169C},
    {0x16EB, 0x16ED}, {0x17D4, 0x17DA}, {0x1800, 0x180F}, {0x1944, 0x1945}, {0x1FBD, 0x1FBD},
    {0x1FBF, 0x1FC1}, {0x1FCD, 0x1FCF}, {0x1FDD, 0x1FDF}, {0x1FED, 0x1FEF}, {0x1FFD, 0x1FFE},
};

static int in_script_punct(uint32_t c)
{
    size_t lo = 0, hi = sizeof script_punct / sizeof script_punct[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < script_punct[mid][0])
            hi = mid;
        else if (c > script_punct[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Class of a code point that is not ASCII (full width already mapped). */
static int classify(uint32_t c)
{
    if (c < 0x100)
        return (c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7))
                   ? C_WORD
                   : C_SEP;
    if (c < 0x2000) {
        if (c >= 0x1100 && c <= 0x11FF)
            return C_CJK; /* Hangul jamo */
        return in_script_punct(c) ? C_SEP : C_WORD;
    }
    if (c < 0x3000) {
        if (c < 0x2C00)
            return C_SEP; /* punctuation, symbols, arrows, mathematics, boxes */
        if (c < 0x2E00)
            return C_WORD; /* Glagolitic, Latin Extended-C, Coptic, Georgian, Ethiopic */
        if (c < 0x2E80)
            return C_SEP;
        return c < 0x2FE0 ? C_CJK : C_SEP; /* radicals; ideographic description */
    }
    if (c < 0x3400) {
        if (c < 0x3040)
            return (c == 0x3005 || c == 0x3006 || c == 0x3007 || (c >= 0x3021 && c <= 0x3029) ||
                    c == 0x303B)
                       ? C_CJK
                       : C_SEP;
        if (c < 0x3100) /* kana */
            return ((c >= 0x3041 && c <= 0x3096) || (c >= 0x309D && c <= 0x309F) ||
                    (c >= 0x30A1 && c <= 0x30FA) || c >= 0x30FC)
                       ? C_CJK
                       : C_SEP;
        if (c < 0x3190) /* Bopomofo, Hangul compatibility jamo */
            return C_CJK;
        if (c >= 0x31A0 && c <= 0x31BF)
            return C_CJK;
        if (c >= 0x31F0 && c <= 0x31FF)
            return C_CJK;
        return C_SEP;
    }
    if (c < 0xA000)
        return (c >= 0x4DC0 && c <= 0x4DFF) ? C_SEP : C_CJK;
    if (c < 0xAC00) {
        if (c < 0xA4D0)
            return C_CJK; /* Yi */
        if (c >= 0xA960 && c <= 0xA97F)
            return C_CJK;
        return C_WORD;
    }
    if (c < 0xD800)
        return C_CJK; /* Hangul syllables and jamo extended-B */
    if (c < 0xF900)
        return C_SEP; /* surrogates, private use */
    if (c < 0xFB00)
        return C_CJK;
    if (c < 0xFE00)
        return (c == 0xFD3E || c == 0xFD3F) ? C_SEP : C_WORD;
    if (c < 0xFE70)
        return C_SEP;
    if (c < 0xFF00)
        return c == 0xFEFF ? C_SEP : C_WORD;
    if (c < 0x10000) {
        if (c >= 0xFF66 && c <= 0xFFDC)
            return C_CJK; /* half-width kana and Hangul */
        return C_SEP;
    }
    if (c >= 0x20000 && c <= 0x323AF)
        return C_CJK;
    if (c < 0x1C000 || (c >= 0x1D400 && c <= 0x1D7FF) || (c >= 0x1E000 && c <= 0x1EFFF))
        return C_WORD;
    return C_SEP;
}

/* Simple case folding of a word character (see eng_text.h for the scope). */
static uint32_t fold(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c < 0x100) {
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            return c + 32;
        return c == 0xB5 ? 0x3BC : c;
    }
    if (c < 0x180) {
        if (c == 0x130)
            return 'i';
        if (c == 0x178)
            return 0xFF;
        if (c == 0x17F)
            return 's';
        if ((c <= 0x137 && c != 0x131) || (c >= 0x14A && c <= 0x177))
            return c | 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c < 0x250) {
        if (c == 0x1C4 || c == 0x1C5)
            return 0x1C6;
        if (c == 0x1C7 || c == 0x1C8)
            return 0x1C9;
        if (c == 0x1CA || c == 0x1CB)
            return 0x1CC;
        if (c == 0x1F1 || c == 0x1F2)
            return 0x1F3;
        if (c >= 0x1CD && c <= 0x1DC)
            return (c & 1) ? c + 1 : c;
        if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) ||
            (c >= 0x222 && c <= 0x233) || (c >= 0x246 && c <= 0x24F))
            return c | 1;
        return c;
    }
    if (c < 0x370)
        return c;
    if (c < 0x400) {
        if (c == 0x386)
            return 0x3AC;
        if (c >= 0x388 && c <= 0x38A)
            return c + 37;
        if (c == 0x38C)
            return 0x3CC;
        if (c == 0x38E || c == 0x38F)
            return c + 63;
        if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB))
            return c + 32;
        if (c == 0x3C2)
            return 0x3C3;
        if (c >= 0x3D8 && c <= 0x3EF)
            return c | 1;
        return c;
    }
    if (c < 0x530) {
        if (c < 0x410)
            return c + 80;
        if (c < 0x430)
            return c + 32;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
            return c | 1;
        if (c == 0x4C0)
            return 0x4CF;
        if (c >= 0x4C1 && c <= 0x4CE)
            return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c >= 0x531 && c <= 0x556)
        return c + 48; /* Armenian */
    if (c >= 0x1E00 && c <= 0x1EFF) {
        if (c == 0x1E9E)
            return 0xDF;
        if (c <= 0x1E95 || c >= 0x1EA0)
            return c | 1;
    }
    return c;
}

/* Letters and digits of ASCII: 1, anything else 0. */
static const unsigned char ascii_word[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* Next character at s[i..n): OUT *cp (full width mapped to half width, then
 * case-folded when it is a word character), *cls.  Returns its byte
 * length. */
static inline size_t next_char(const unsigned char *s, size_t n, uint32_t *cp, int *cls)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cls = ascii_word[c];
        *cp = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return 1;
    }
    uint32_t v;
    size_t len = decode(s, n, &v);
    if (v == 0xFFFFFFFFu) {
        *cls = C_SEP;
        *cp = v;
        return len;
    }
    if (v >= 0xFF01 && v <= 0xFF5E) {
        v -= 0xFEE0;
        *cls = ascii_word[v];
        *cp = (v >= 'A' && v <= 'Z') ? v + 32 : v;
        return len;
    }
    *cls = classify(v);
    *cp = *cls == C_WORD ? fold(v) : v;
    return len;
}

/* ---- token buffers --------------------------------------------------------- */

void eng_tokens_init(eng_tokens *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void eng_tokens_release(eng_tokens *t)
{
    if (t) {
        free(t->v);
        eng_tokens_init(t);
    }
}

static int tokens_push(eng_tokens *t, uint64_t hash, size_t off, size_t len, int script)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        eng_token *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    eng_token *k = &t->v[t->n++];
    k->hash = hash;
    k->off = (uint32_t)off;
    k->len = (uint32_t)len;
    k->script = script;
    return 0;
}

/* ASCII letters and digits folded to lower case; 0 for every other byte
 * (the fast path of raw_tokens). */
static const unsigned char ascii_fold[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5', ['6'] = '6',
    ['7'] = '7', ['8'] = '8', ['9'] = '9', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
    ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k',
    ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
    ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
    ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm',
    ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
};

static inline void wb_flush(unsigned char *wb, size_t *nb, size_t *total, uint64_t *h)
{
    *h = fold_words(*h, wb, 32);
    memmove(wb, wb + 256, *nb - 256);
    *nb -= 256;
    *total += 256;
}

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* High bit of each byte of x (7-bit bytes) set when the byte is in lo..hi;
 * the additions cannot carry from one byte into the next. */
static inline uint64_t in_range(uint64_t x, unsigned lo, unsigned hi)
{
    return (x + ONES * (0x80 - lo)) & ~(x + ONES * (0x7F - hi)) & HIGH;
}

/* The ASCII letters and digits that start p[0..8), lower-cased, written
 * to out[0..8) (bytes past them are junk).  Returns how many (0..8). */
static inline size_t swar_word(const unsigned char *p, unsigned char *out)
{
    uint64_t x = load64(p), ascii = ~x & HIGH, x7 = x & ~HIGH;
    uint64_t low = x7 | (in_range(x7, 'A', 'Z') & ascii) >> 2;
    uint64_t word = (in_range(low, 'a', 'z') | in_range(low, '0', '9')) & ascii;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, &low, 8);
#else
    for (int b = 0; b < 8; b++)
        out[b] = (unsigned char)(low >> (8 * b));
#endif
    uint64_t stop = ~word & HIGH;
    return stop ? (size_t)__builtin_ctzll(stop) / 8 : 8;
}

/* Tokenises without stop-phrase removal. */
static int raw_tokens(const char *text, size_t n, eng_tokens *out)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned char wb[256 + 16];
    size_t i = 0;
    out->n = 0;
    while (i < n) {
        while (i < n && s[i] < 0x80 && !ascii_fold[s[i]])
            i++; /* ASCII separators */
        if (i >= n)
            break;
        uint32_t cp;
        int cls;
        size_t len = next_char(s + i, n - i, &cp, &cls);
        if (cls == C_SEP) {
            i += len;
            continue;
        }
        if (cls == C_CJK) {
            unsigned char u[4];
            size_t ul = encode(cp, u);
            if (tokens_push(out, finish(TOKEN_SEED ^ HC0, u, ul, ul), i, len, ENG_TOK_CJK))
                return -1;
            i += len;
            continue;
        }
        /* a word: normalised bytes go to wb; full 8-byte words are folded
         * into h whenever wb fills, exactly as eng_hash64 would */
        size_t start = i, nb = 0, total = 0;
        uint64_t h = TOKEN_SEED ^ HC0;
        nb += encode(cp, wb + nb);
        i += len;
        for (;;) {
            unsigned char f;
            /* eight bytes at a time while they are ASCII letters and digits */
            while (i + 8 <= n) {
                size_t k = swar_word(s + i, wb + nb);
                nb += k;
                i += k;
                if (nb >= 256)
                    wb_flush(wb, &nb, &total, &h);
                if (k < 8)
                    break;
            }
            while (i < n && (f = ascii_fold[s[i]]) != 0) {
                wb[nb++] = f;
                i++;
                if (nb >= 256)
                    wb_flush(wb, &nb, &total, &h);
            }
            if (i >= n || s[i] < 0x80)
                break;
            len = next_char(s + i, n - i, &cp, &cls);
            if (cls != C_WORD)
                break;
            nb += encode(cp, wb + nb);
            i += len;
            if (nb >= 256)
                wb_flush(wb, &nb, &total, &h);
        }
        total += nb;
        h = fold_words(h, wb, nb / 8);
        memset(wb + nb, 0, 8); /* the tail, zero-padded, is one load */
        h = finish_word(h, load64(wb + (nb & ~(size_t)7)), total);
        if (tokens_push(out, h, start, i - start, ENG_TOK_WORD))
            return -1;
    }
    return 0;
}

/* ---- the compiled parameters ------------------------------------------------ */

typedef struct phrase {
    uint64_t *h; /* token hashes */
    size_t n;
} phrase;

struct eng_text {
    int k_cjk, k_latin;
    phrase *ph; /* sorted by first hash, then longest first */
    size_t nph;
    size_t *slot; /* open addressing on the first hash: index into ph + 1, 0 empty */
    size_t mask;
    uint64_t digest;
};

static int phrase_cmp(const void *x, const void *y)
{
    const phrase *a = x, *b = y;
    if (a->h[0] != b->h[0])
        return a->h[0] < b->h[0] ? -1 : 1;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    for (size_t i = 0; i < a->n; i++)
        if (a->h[i] != b->h[i])
            return a->h[i] < b->h[i] ? -1 : 1;
    return 0;
}

void eng_text_free(eng_text *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nph; i++)
        free(t->ph[i].h);
    free(t->ph);
    free(t->slot);
    free(t);
}

int eng_text_new(const eng_text_params *p, eng_text **out, eng_err *err)
{
    if (p->shingle_cjk < 1 || p->shingle_cjk > 16 || p->shingle_latin < 1 || p->shingle_latin > 16)
        return eng_fail(err, ENG_EUSAGE, "shingle lengths must be 1..16 (got cjk %d, latin %d)",
                        p->shingle_cjk, p->shingle_latin);
    eng_text *t = calloc(1, sizeof *t);
    eng_tokens tk;
    eng_tokens_init(&tk);
    if (!t)
        goto oom;
    t->k_cjk = p->shingle_cjk;
    t->k_latin = p->shingle_latin;
    if (p->nstop) {
        t->ph = calloc(p->nstop, sizeof *t->ph);
        if (!t->ph)
            goto oom;
    }
    for (size_t i = 0; i < p->nstop; i++) {
        const char *s = p->stop_phrases[i];
        if (!s)
            continue;
        if (raw_tokens(s, strlen(s), &tk))
            goto oom;
        if (!tk.n)
            continue;
        phrase *ph = &t->ph[t->nph];
        ph->h = malloc(tk.n * sizeof *ph->h);
        if (!ph->h)
            goto oom;
        for (size_t j = 0; j < tk.n; j++)
            ph->h[j] = tk.v[j].hash;
        ph->n = tk.n;
        t->nph++;
    }
    if (t->nph)
        qsort(t->ph, t->nph, sizeof *t->ph, phrase_cmp);
    /* drop exact repeats so the digest does not depend on them */
    size_t w = 0;
    for (size_t i = 0; i < t->nph; i++) {
        if (w && phrase_cmp(&t->ph[w - 1], &t->ph[i]) == 0) {
            free(t->ph[i].h);
            continue;
        }
        t->ph[w++] = t->ph[i];
    }
    t->nph = w;
    size_t size = 16;
    while (size < 4 * t->nph)
        size *= 2;
    t->slot = calloc(size, sizeof *t->slot);
    if (!t->slot)
        goto oom;
    t->mask = size - 1;
    for (size_t i = 0; i < t->nph; i++) {
        if (i && t->ph[i].h[0] == t->ph[i - 1].h[0])
            continue; /* the slot points at the first (longest) of a group */
        size_t s = (size_t)(t->ph[i].h[0] >> 7) & t->mask;
        while (t->slot[s])
            s = (s + 1) & t->mask;
        t->slot[s] = i + 1;
    }
    uint64_t d = eng_hash_fold((uint64_t)t->k_cjk << 8 | (uint64_t)t->k_latin, t->nph);
    for (size_t i = 0; i < t->nph; i++) {
        d = eng_hash_fold(d, t->ph[i].n);
        for (size_t j = 0; j < t->ph[i].n; j++)
            d = eng_hash_fold(d, t->ph[i].h[j]);
    }
    t->digest = d;
    eng_tokens_release(&tk);
    *out = t;
    return ENG_OK;
oom:
    eng_tokens_release(&tk);
    eng_text_free(t);
    return eng_fail(err, ENG_EIO, "text preparation: out of memory");
}

uint64_t eng_text_digest(const eng_text *t)
{
    return t->digest;
}

/* Length in tokens of the longest stop phrase starting at v[i], 0 if none. */
static size_t stop_at(const eng_text *t, const eng_token *v, size_t i, size_t n)
{
    uint64_t h = v[i].hash;
    size_t s = (size_t)(h >> 7) & t->mask;
    for (;;) {
        size_t k = t->slot[s];
        if (!k)
            return 0;
        if (t->ph[k - 1].h[0] == h)
            break;
        s = (s + 1) & t->mask;
    }
    for (size_t k = t->slot[s] - 1; k < t->nph && t->ph[k].h[0] == h; k++) {
        const phrase *ph = &t->ph[k];
        if (ph->n > n - i)
            continue;
        size_t j = 1;
        while (j < ph->n && v[i + j].hash == ph->h[j])
            j++;
        if (j == ph->n)
            return ph->n;
    }
    return 0;
}

int eng_text_tokens(const eng_text *t, const char *s, size_t len, eng_tokens *toks, eng_err *err)
{
    if (len >= 0xFFFFFFFFu)
        return eng_fail(err, ENG_EINPUT, "text of %zu bytes: at most 4 GiB", len);
    if (raw_tokens(s, len, toks))
        return eng_fail(err, ENG_EIO, "text preparation: out of memory");
    if (!t->nph)
        return ENG_OK;
    eng_token *v = toks->v;
    size_t n = toks->n, w = 0;
    for (size_t i = 0; i < n;) {
        size_t m = stop_at(t, v, i, n);
        if (m) {
            i += m;
            continue;
        }
        v[w++] = v[i++];
    }
    toks->n = w;
    return ENG_OK;
}

size_t eng_text_max_shingles(size_t n)
{
    return n;
}

size_t eng_text_shingles(const eng_text *t, const eng_token *toks, size_t n, uint64_t *out)
{
    size_t cnt = 0;
    size_t kc = (size_t)t->k_cjk, kl = (size_t)t->k_latin;
    for (size_t i = 0; i < n; i++) {
        size_t k = toks[i].script == ENG_TOK_CJK ? kc : kl;
        if (k > n - i)
            continue;
        out[cnt++] = shingle_hash(toks + i, k);
    }
    if (!cnt && n)
        out[cnt++] = shingle_hash(toks, n);
    return cnt;
}

/* ---- sorting ------------------------------------------------------------------ */

static void insertion_sort(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        while (j && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Quicksort with median of three, recursing on the smaller side. */
static void quick_sort(uint64_t *v, size_t n)
{
    while (n > 24) {
        uint64_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint64_t piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i >= j)
                break;
            uint64_t tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
            i++;
            j--;
        }
        size_t left = j + 1; /* v[0..left) <= piv <= v[left..n) */
        if (left < n - left) {
            quick_sort(v, left);
            v += left;
            n -= left;
        } else {
            quick_sort(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

/* One pass of counting sort on the top bits into about n/2 buckets, then
 * insertion sort inside each: linear time for hashes, which are uniform;
 * a crowded bucket (non-uniform input) falls back to quicksort. */
#define BUCKET_MAX_N 4096
static void bucket_sort(uint64_t *v, size_t n)
{
    uint64_t tmp[BUCKET_MAX_N];
    uint32_t cnt[BUCKET_MAX_N / 2 + 1];
    unsigned bits = 1;
    while (((size_t)1 << (bits + 1)) <= n / 2)
        bits++;
    size_t nb = (size_t)1 << bits;
    memset(cnt, 0, (nb + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[(v[i] >> (64 - bits)) + 1]++;
    for (size_t b = 0; b < nb; b++)
        cnt[b + 1] += cnt[b];
    for (size_t i = 0; i < n; i++)
        tmp[cnt[v[i] >> (64 - bits)]++] = v[i];
    /* cnt[b] is now the end of bucket b */
    size_t lo = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t hi = cnt[b];
        if (hi - lo > 32)
            quick_sort(tmp + lo, hi - lo);
        else
            insertion_sort(tmp + lo, hi - lo);
        lo = hi;
    }
    memcpy(v, tmp, n * sizeof *v);
}

size_t eng_text_sort_unique(uint64_t *v, size_t n)
{
    if (n < 2)
        return n;
    if (n >= 64 && n <= BUCKET_MAX_N)
        bucket_sort(v, n);
    else
        quick_sort(v, n);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[w - 1])
            v[w++] = v[i];
    return w;
}

/* ---- display ------------------------------------------------------------------ */

int eng_text_normalised(const eng_text *t, const char *s, size_t len, char **out, eng_err *err)
{
    eng_tokens tk;
    eng_tokens_init(&tk);
    int rc = eng_text_tokens(t, s, len, &tk, err);
    if (rc)
        return rc;
    size_t cap = 1;
    for (size_t i = 0; i < tk.n; i++)
        cap += 2 * (size_t)tk.v[i].len + 1; /* folding at most doubles a character */
    char *buf = malloc(cap);
    if (!buf) {
        eng_tokens_release(&tk);
        return eng_fail(err, ENG_EIO, "text preparation: out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < tk.n; i++) {
        const eng_token *k = &tk.v[i];
        if (i && k->script == ENG_TOK_WORD && tk.v[i - 1].script == ENG_TOK_WORD)
            buf[o++] = ' ';
        const unsigned char *p = (const unsigned char *)s + k->off;
        for (size_t j = 0; j < k->len;) {
            uint32_t cp;
            int cls;
            j += next_char(p + j, k->len - j, &cp, &cls);
            o += encode(cp, (unsigned char *)buf + o);
        }
    }
    buf[o] = '\0';
    eng_tokens_release(&tk);
    *out = buf;
    return ENG_OK;
}

/* ---- placeholders ------------------------------------------------------------------- */

int eng_text_placeholder(const char *s, size_t len)
{
    return !s || eng_placeholder_is(s, len);
}
