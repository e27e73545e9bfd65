/*
 * rule_lit.c: required literals of a PCRE2 pattern (a conservative parse of
 * PCRE2 10.42 syntax) and the multi-literal scanner of the prefilter.  See
 * rule_lit.h for what is promised.
 *
 * The parse computes, for every part of the pattern, an `info`:
 *   exact   the part matches exactly one of the strings in ex (small sets);
 *   req     an OR-set: every match of the part contains one of these;
 *   never   the part can never match;
 *   empty   the part matches the empty string everywhere (x?, x*, ...).
 * A sequence joins neighbouring exact parts into longer strings (a cross
 * product, capped) and keeps the best requirement of its parts; an
 * alternation needs a requirement from each branch that can match.
 * Zero-width parts (anchors, lookarounds, \b, \K) are the empty string:
 * the text around them is still contiguous.
 */
#include "rules/rule_json.h"
#include "rules/rule_lit.h"

#include "rules/rule_re.h"

#include <stdlib.h>
#include <string.h>

#include "base/base_utf8.h"

#define MAX_SET 64            /* strings of an exact set */
#define MAX_LIT 128           /* bytes of one literal */
#define MAX_REQ 256           /* strings of a requirement */
#define MAX_DEPTH 250         /* nesting of groups (PCRE2's own limit) */
#define ARENA_MAX (32u << 20) /* a pattern that needs more is not worth it */

/* ---- a bump allocator for one analysis ---- */

typedef struct ablk {
    struct ablk *next;
    size_t used, cap;
    char data[];
} ablk;

typedef struct arena {
    ablk *head;
    size_t total;
    int nomem, toobig;
} arena;

static void *aalloc(arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (a->nomem || a->toobig)
        return NULL;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > 16384 ? n : 16384;
        if (a->total + cap > ARENA_MAX) {
            a->toobig = 1;
            return NULL;
        }
        ablk *b = malloc(sizeof *b + cap);
        if (!b) {
            a->nomem = 1;
            return NULL;
        }
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        a->total += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(arena *a)
{
    while (a->head) {
        ablk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* ---- sets of byte strings ---- */

typedef struct sset {
    size_t n;
    const char **s;
    size_t *len;
} sset;

static const sset none = {0, NULL, NULL};

static sset sset_alloc(arena *a, size_t n)
{
    sset r = {0, aalloc(a, n * sizeof(char *)), aalloc(a, n * sizeof(size_t))};
    return r;
}

static sset sset_one(arena *a, const char *s, size_t len)
{
    sset r = sset_alloc(a, 1);
    char *c = aalloc(a, len + 1);
    if (!r.s || !r.len || !c)
        return none;
    memcpy(c, s, len);
    r.s[0] = c;
    r.len[0] = len;
    r.n = 1;
    return r;
}

static sset sset_copy(arena *a, sset x)
{
    if (x.n == 0)
        return none;
    sset r = sset_alloc(a, x.n);
    if (!r.s || !r.len)
        return none;
    memcpy(r.s, x.s, x.n * sizeof *x.s);
    memcpy(r.len, x.len, x.n * sizeof *x.len);
    r.n = x.n;
    return r;
}

static int sset_has(const sset *x, const char *s, size_t len)
{
    for (size_t k = 0; k < x->n; k++)
        if (x->len[k] == len && memcmp(x->s[k], s, len) == 0)
            return 1;
    return 0;
}

static int sset_has_empty(const sset *x)
{
    for (size_t k = 0; k < x->n; k++)
        if (x->len[k] == 0)
            return 1;
    return 0;
}

/* a ∪ b, or *ok = 0 when it would exceed max strings. */
static sset sset_union(arena *ar, sset a, sset b, size_t max, int *ok)
{
    sset r = sset_alloc(ar, a.n + b.n ? a.n + b.n : 1);
    if (!r.s || !r.len) {
        *ok = 0;
        return none;
    }
    for (size_t k = 0; k < a.n + b.n; k++) {
        const char *s = k < a.n ? a.s[k] : b.s[k - a.n];
        size_t len = k < a.n ? a.len[k] : b.len[k - a.n];
        if (sset_has(&r, s, len))
            continue;
        if (r.n == max) {
            *ok = 0;
            return none;
        }
        r.s[r.n] = s;
        r.len[r.n++] = len;
    }
    *ok = 1;
    return r;
}

/* Every a[i] followed by every b[j], or *ok = 0 when too many or too long. */
static sset sset_cross(arena *ar, sset a, sset b, int *ok)
{
    *ok = 0;
    if (a.n * b.n > MAX_SET)
        return none;
    sset r = sset_alloc(ar, a.n * b.n > 0 ? a.n * b.n : 1);
    if (!r.s || !r.len)
        return none;
    for (size_t i = 0; i < a.n; i++) {
        for (size_t j = 0; j < b.n; j++) {
            size_t len = a.len[i] + b.len[j];
            if (len > MAX_LIT)
                return none;
            char *c = aalloc(ar, len + 1);
            if (!c)
                return none;
            memcpy(c, a.s[i], a.len[i]);
            memcpy(c + a.len[i], b.s[j], b.len[j]);
            if (sset_has(&r, c, len))
                continue;
            r.s[r.n] = c;
            r.len[r.n++] = len;
        }
    }
    *ok = 1;
    return r;
}

/* ---- folding ---- */

/* Lowers the ASCII capitals of the 8 bytes of w, all of them ASCII: a byte
 * from 'A' to 'Z' gets 0x20 added, with no carry between bytes. */
static inline uint64_t lower8(uint64_t w)
{
    uint64_t a = w + 0x3F3F3F3F3F3F3F3Full; /* high bit: byte >= 'A' */
    uint64_t z = w + 0x2525252525252525ull; /* high bit: byte > 'Z' */
    return w | ((a ^ z) & 0x8080808080808080ull) >> 2;
}

size_t rule_fold(const char *text, size_t len, char *out)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t o = 0, i = 0;
    while (i < len) {
        /* eight ASCII bytes at a time: most English text */
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, t + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                w = lower8(w);
                memcpy(out + o, &w, 8);
                o += 8;
                i += 8;
                continue;
            }
        }
        unsigned c = t[i];
        if (c < 0x80) {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else if (c == 0xC5 && i + 1 < len && t[i + 1] == 0xBF) {
            out[o++] = 's'; /* U+017F LATIN SMALL LETTER LONG S */
            i++;
        } else if (c == 0xE2 && i + 2 < len && t[i + 1] == 0x84 && t[i + 2] == 0xAA) {
            out[o++] = 'k'; /* U+212A KELVIN SIGN */
            i += 2;
        } else {
            out[o++] = (char)c;
        }
        i++;
    }
    return o;
}

/* Characters that no other character matches caselessly: a caseless
 * literal may contain them.  Letters with a case are left out, and so are
 * whole blocks that hold some (Letterlike Symbols, Number Forms, Enclosed
 * Alphanumerics...). */
static int case_free(unsigned cp)
{
    if (cp < 0x80)
        return !((cp | 32) >= 'a' && (cp | 32) <= 'z');
    return (cp >= 0xA0 && cp <= 0xBF && cp != 0xB5) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || cp == 0x2103 || (cp >= 0x2190 && cp <= 0x23FF) ||
           (cp >= 0x2500 && cp <= 0x2BFF) || (cp >= 0x2E80 && cp <= 0x9FFF) ||
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF01 && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

/* ---- the parse ---- */

typedef struct info {
    int exact;
    sset ex;
    sset req;
    int never, empty;
    int multi; /* a \Q..\E of several characters: a quantifier would bind to its last one */
    sset pre;  /* inexact parts: every match starts with one of these (none: n = 0) */
} info;

enum { O_I = 1, O_X = 2, O_XX = 4 };

typedef struct pp {
    const unsigned char *p;
    size_t n, i;
    arena *ar;
    int giveup;
    int depth;
    int verbs; /* backtracking verbs or \G: attempts at chosen positions could differ */
} pp;

static info info_giveup(pp *s)
{
    info r = {0};
    s->giveup = 1;
    return r;
}

static info info_inexact(void)
{
    info r = {0};
    return r;
}

static info info_zero_width(pp *s)
{
    info r = {0};
    r.exact = 1;
    r.ex = sset_one(s->ar, "", 0);
    return r;
}

static sset req_of(const info *x)
{
    if (x->exact)
        return sset_has_empty(&x->ex) ? none : x->ex;
    return x->req;
}

/* Strings every match of x starts with, or none. */
static sset pre_of(const info *x)
{
    if (x->exact)
        return sset_has_empty(&x->ex) ? none : x->ex;
    return x->pre;
}

/* How much a literal narrows the texts: its length, but a short one made
 * of bytes that prose rarely holds ("=", "±", "＝") counts as fairly
 * selective, and a short one of letters, digits, spaces or common
 * punctuation ("u", "en", "%") as nearly useless. */
static long strength(const char *lit, size_t len)
{
    if (len >= RULE_LIT_MIN_BYTES)
        return (long)(len > 16 ? 16 : len) * 1000;
    for (size_t k = 0; k < len; k++) {
        unsigned c = (unsigned char)lit[k];
        if (c < 0x80 && (c <= ' ' || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
                         (c >= '0' && c <= '9') || strchr(".,;:()-'\"/%&!?", (int)c)))
            return (long)len * 100;
    }
    return RULE_LIT_RARE;
}

static long score(const sset *x)
{
    if (x->n == 0 || sset_has_empty(x))
        return -1;
    long m = 16000;
    for (size_t k = 0; k < x->n; k++) {
        long st = strength(x->s[k], x->len[k]);
        if (st < m)
            m = st;
    }
    return m - (long)x->n;
}

/* Decodes the (valid: the pattern compiled in UTF mode) character at i;
 * gives up on bytes that are not a whole character. */
static unsigned decode(pp *s)
{
    uint32_t cp = 0;
    size_t len = base_utf8_decode((const unsigned char *)s->p + s->i, s->n - s->i, &cp);
    if (len == 0) {
        s->giveup = 1;
        s->i = s->n;
        return 0;
    }
    s->i += len;
    return cp;
}

/* The characters PCRE2 10.42 matches caselessly with a Latin-1 letter
 * (U+00B5 and U+00C0-U+00FF), into out; returns how many (0: not such a
 * letter).  test_rules checks this against PCRE2 itself. */
int rule_lit_case_set(unsigned cp, unsigned out[3])
{
    if (cp == 0xB5) { /* micro sign, Greek mu */
        out[0] = 0xB5, out[1] = 0x39C, out[2] = 0x3BC;
        return 3;
    }
    if (cp < 0xC0 || cp > 0xFF || cp == 0xD7 || cp == 0xF7)
        return 0;
    if (cp == 0xC5 || cp == 0xE5) { /* A with ring, Angstrom sign */
        out[0] = 0xC5, out[1] = 0xE5, out[2] = 0x212B;
        return 3;
    }
    if (cp == 0xDF) { /* sharp s, capital sharp s */
        out[0] = 0xDF, out[1] = 0x1E9E;
        return 2;
    }
    if (cp == 0xFF) { /* y with diaeresis */
        out[0] = 0xFF, out[1] = 0x178;
        return 2;
    }
    out[0] = cp & ~0x20u;
    out[1] = cp | 0x20u;
    return 2;
}

/* The literal character cp under the current options. */
static info lit_char(pp *s, unsigned cp, unsigned opts)
{
    if ((opts & O_I) && !case_free(cp) && cp >= 0x80) {
        /* it has other cases beyond ASCII: an exact set when they are known */
        unsigned alt[3];
        int nalt = rule_lit_case_set(cp, alt);
        if (!nalt)
            return info_inexact();
        info r = {0};
        r.exact = 1;
        for (int k = 0; k < nalt; k++) {
            char raw[4];
            int ok;
            r.ex = sset_union(s->ar, r.ex, sset_one(s->ar, raw, base_utf8_encode(alt[k], raw)),
                              MAX_SET, &ok);
            if (!ok)
                return info_inexact();
        }
        return r;
    }
    char raw[4], folded[4];
    size_t len = base_utf8_encode(cp, raw);
    size_t flen = rule_fold(raw, len, folded);
    info r = {0};
    r.exact = 1;
    r.ex = sset_one(s->ar, folded, flen);
    return r;
}

static int is_hex(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

static unsigned hex_val(unsigned c)
{
    return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

static int is_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Skips to just after the byte `end`; gives up when it is missing. */
static void skip_past(pp *s, unsigned char end)
{
    while (s->i < s->n && s->p[s->i] != end)
        s->i++;
    if (s->i >= s->n)
        s->giveup = 1;
    else
        s->i++;
}

/* In extended mode: white space and # comments between items. */
static void skip_extended(pp *s, unsigned opts)
{
    if (!(opts & O_X))
        return;
    const unsigned char *p = s->p;
    while (s->i < s->n) {
        unsigned c = p[s->i];
        if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
            s->i++;
        } else if (c == '#') {
            while (s->i < s->n && p[s->i] != '\n' && p[s->i] != '\r')
                s->i++;
        } else if (c == 0xC2 && s->i + 1 < s->n && p[s->i + 1] == 0x85) {
            s->i += 2;
        } else if (c == 0xE2 && s->i + 2 < s->n && p[s->i + 1] == 0x80 &&
                   (p[s->i + 2] == 0x8E || p[s->i + 2] == 0x8F || p[s->i + 2] == 0xA8 ||
                    p[s->i + 2] == 0xA9)) {
            s->i += 3;
        } else {
            break;
        }
    }
}

/*
 * A character escape shared by classes and the rest: \a \e \f \n \r \t,
 * \0oo, \o{...}, \xhh, \x{...}, \cX.  At entry s->i is on the letter.
 * Returns 1 and the code point, or 0 when this is not a character escape.
 */
static int char_escape(pp *s, unsigned *cp)
{
    const unsigned char *p = s->p;
    unsigned c = p[s->i];
    switch (c) {
    case 'a':
        *cp = 7;
        s->i++;
        return 1;
    case 'e':
        *cp = 27;
        s->i++;
        return 1;
    case 'f':
        *cp = 12;
        s->i++;
        return 1;
    case 'n':
        *cp = 10;
        s->i++;
        return 1;
    case 'r':
        *cp = 13;
        s->i++;
        return 1;
    case 't':
        *cp = 9;
        s->i++;
        return 1;
    case '0': {
        unsigned v = 0;
        s->i++;
        for (int k = 0; k < 2 && s->i < s->n && p[s->i] >= '0' && p[s->i] <= '7'; k++)
            v = v * 8 + (p[s->i++] - '0');
        *cp = v;
        return 1;
    }
    case 'o': {
        unsigned v = 0;
        s->i++;
        if (s->i >= s->n || p[s->i] != '{')
            return s->giveup = 1, 0;
        s->i++;
        while (s->i < s->n && p[s->i] >= '0' && p[s->i] <= '7')
            v = v * 8 + (p[s->i++] - '0');
        if (s->i >= s->n || p[s->i] != '}')
            return s->giveup = 1, 0;
        s->i++;
        *cp = v;
        return 1;
    }
    case 'x': {
        unsigned v = 0;
        s->i++;
        if (s->i < s->n && p[s->i] == '{') {
            s->i++;
            while (s->i < s->n && is_hex(p[s->i]))
                v = v * 16 + hex_val(p[s->i++]);
            if (s->i >= s->n || p[s->i] != '}')
                return s->giveup = 1, 0;
            s->i++;
        } else {
            for (int k = 0; k < 2 && s->i < s->n && is_hex(p[s->i]); k++)
                v = v * 16 + hex_val(p[s->i++]);
        }
        *cp = v;
        return 1;
    }
    case 'c':
        if (s->i + 1 >= s->n || p[s->i + 1] >= 0x80)
            return s->giveup = 1, 0;
        *cp = p[s->i + 1];
        if (*cp >= 'a' && *cp <= 'z')
            *cp -= 32;
        *cp ^= 0x40;
        s->i += 2;
        return 1;
    default:
        return 0;
    }
}

/* An escape outside a class; s->i is on the backslash. */
static int parse_escape(pp *s, unsigned opts, info *out)
{
    const unsigned char *p = s->p;
    s->i++;
    if (s->i >= s->n) {
        *out = info_giveup(s);
        return -1;
    }
    unsigned c = p[s->i], cp;
    if (c >= 0x80) {
        *out = lit_char(s, decode(s), opts);
        return 1;
    }
    if (char_escape(s, &cp)) {
        *out = lit_char(s, cp, opts);
        return 1;
    }
    if (s->giveup)
        return -1;
    switch (c) {
    case 'Q': {
        /* \Q...\E: literal text */
        s->i++;
        sset run = sset_one(s->ar, "", 0);
        int exact = 1, count = 0;
        while (s->i < s->n && !(p[s->i] == '\\' && s->i + 1 < s->n && p[s->i + 1] == 'E')) {
            info ch = lit_char(s, decode(s), opts);
            count++;
            int ok = 0;
            if (exact && ch.exact)
                run = sset_cross(s->ar, run, ch.ex, &ok);
            if (!ok)
                exact = 0;
        }
        if (s->i < s->n)
            s->i += 2;
        if (count == 0)
            return 0;
        *out = exact ? (info){.exact = 1, .ex = run} : info_inexact();
        out->multi = count > 1;
        return 1;
    }
    case 'E':
        s->i++;
        return 0;
    case 'N':
        s->i++;
        if (s->i + 2 < s->n && p[s->i] == '{' && p[s->i + 1] == 'U' && p[s->i + 2] == '+') {
            unsigned v = 0;
            s->i += 3;
            while (s->i < s->n && is_hex(p[s->i]))
                v = v * 16 + hex_val(p[s->i++]);
            if (s->i >= s->n || p[s->i] != '}') {
                *out = info_giveup(s);
                return -1;
            }
            s->i++;
            *out = lit_char(s, v, opts);
            return 1;
        }
        *out = info_inexact();
        return 1;
    case 'd':
    case 'D':
    case 's':
    case 'S':
    case 'w':
    case 'W':
    case 'h':
    case 'H':
    case 'v':
    case 'V':
    case 'R':
    case 'X':
        s->i++;
        *out = info_inexact();
        return 1;
    case 'p':
    case 'P':
        s->i++;
        if (s->i < s->n && p[s->i] == '{')
            skip_past(s, '}');
        else if (s->i < s->n)
            s->i++;
        *out = info_inexact();
        return s->giveup ? -1 : 1;
    case 'b':
    case 'B':
    case 'A':
    case 'Z':
    case 'z':
    case 'G':
    case 'K':
        s->verbs |= c == 'G';
        s->i++;
        *out = info_zero_width(s);
        return 1;
    case 'g':
    case 'k':
        /* back references and subroutine calls: \g{..} \g<..> \g'..' \gN \k<..> */
        s->i++;
        if (s->i < s->n && p[s->i] == '{')
            skip_past(s, '}');
        else if (s->i < s->n && p[s->i] == '<')
            skip_past(s, '>');
        else if (s->i < s->n && p[s->i] == '\'') {
            s->i++;
            skip_past(s, '\'');
        } else if (c == 'g') {
            if (s->i < s->n && (p[s->i] == '+' || p[s->i] == '-'))
                s->i++;
            while (s->i < s->n && p[s->i] >= '0' && p[s->i] <= '9')
                s->i++;
        } else {
            s->giveup = 1;
        }
        *out = info_inexact();
        return s->giveup ? -1 : 1;
    default:
        if (is_alnum(c)) { /* \1 back references and anything we do not know */
            *out = info_giveup(s);
            return -1;
        }
        s->i++;
        *out = lit_char(s, c, opts);
        return 1;
    }
}

/* A character class; s->i is on '['. */
static info parse_class(pp *s, unsigned opts)
{
    const unsigned char *p = s->p;
    unsigned chars[5];
    int nchars = 0, simple = !(opts & O_XX), first = 1;
    s->i++;
    if (s->i < s->n && p[s->i] == '^') {
        simple = 0;
        s->i++;
    }
    for (;;) {
        if (s->i >= s->n)
            return info_giveup(s);
        unsigned c = p[s->i], cp = 0;
        int have = 0;
        if (c == ']' && !first) {
            s->i++;
            break;
        }
        first = 0;
        if (c == '[' && s->i + 1 < s->n &&
            (p[s->i + 1] == ':' || p[s->i + 1] == '.' || p[s->i + 1] == '=')) {
            unsigned char kind = p[s->i + 1];
            s->i += 2;
            while (s->i + 1 < s->n && !(p[s->i] == kind && p[s->i + 1] == ']'))
                s->i++;
            if (s->i + 1 >= s->n)
                return info_giveup(s);
            s->i += 2;
            simple = 0;
            continue;
        }
        if (c == '\\') {
            s->i++;
            if (s->i >= s->n)
                return info_giveup(s);
            unsigned e = p[s->i];
            if (e == 'Q') {
                s->i++;
                while (s->i < s->n && !(p[s->i] == '\\' && s->i + 1 < s->n && p[s->i + 1] == 'E')) {
                    unsigned q = decode(s);
                    if (nchars < 5)
                        chars[nchars] = q;
                    nchars++;
                }
                if (s->i < s->n)
                    s->i += 2;
                continue;
            }
            if (e == 'E') {
                s->i++;
                continue;
            }
            if (e >= 0x80) {
                cp = decode(s);
                have = 1;
            } else if (e == 'b') {
                cp = 8;
                s->i++;
                have = 1;
            } else if (char_escape(s, &cp)) {
                have = 1;
            } else if (s->giveup) {
                return info_giveup(s);
            } else if (e == 'p' || e == 'P') {
                s->i++;
                if (s->i < s->n && p[s->i] == '{')
                    skip_past(s, '}');
                else if (s->i < s->n)
                    s->i++;
                simple = 0;
            } else if (e == 'N' && s->i + 1 < s->n && p[s->i + 1] == '{') {
                s->i++;
                skip_past(s, '}');
                simple = 0;
            } else if (strchr("dDsSwWhHvVR", (int)e)) {
                s->i++;
                simple = 0;
            } else if (is_alnum(e)) {
                return info_giveup(s);
            } else {
                cp = e;
                s->i++;
                have = 1;
            }
        } else {
            cp = decode(s);
            have = 1;
        }
        if (s->giveup)
            return info_giveup(s);
        if (have) {
            if (nchars < 5)
                chars[nchars] = cp;
            nchars++;
        }
        if (s->i + 1 < s->n && p[s->i] == '-' && p[s->i + 1] != ']') {
            s->i++; /* a range: the next item is its end */
            simple = 0;
        }
    }
    if (!simple || nchars == 0 || nchars > 4)
        return info_inexact();
    info r = {0};
    r.exact = 1;
    r.ex = none;
    for (int k = 0; k < nchars; k++) {
        info ch = lit_char(s, chars[k], opts);
        if (!ch.exact)
            return info_inexact();
        int ok;
        r.ex = sset_union(s->ar, r.ex, ch.ex, MAX_SET, &ok);
        if (!ok)
            return info_inexact();
    }
    return r;
}

/* A quantifier at s->i: returns 1 with *min, *max (-1: no limit), 0 when
 * there is none. */
static int parse_quant(pp *s, long *min, long *max)
{
    const unsigned char *p = s->p;
    if (s->i >= s->n)
        return 0;
    unsigned c = p[s->i];
    if (c == '*' || c == '+' || c == '?') {
        *min = c == '+';
        *max = c == '?' ? 1 : -1;
        s->i++;
    } else if (c == '{') {
        size_t j = s->i + 1;
        long a = 0, b;
        if (j >= s->n || p[j] < '0' || p[j] > '9') {
            s->giveup = 1; /* a literal '{': its meaning changed between PCRE2 versions */
            return 0;
        }
        while (j < s->n && p[j] >= '0' && p[j] <= '9' && a < 100000)
            a = a * 10 + (p[j++] - '0');
        b = a;
        if (j < s->n && p[j] == ',') {
            j++;
            if (j < s->n && p[j] >= '0' && p[j] <= '9') {
                b = 0;
                while (j < s->n && p[j] >= '0' && p[j] <= '9' && b < 100000)
                    b = b * 10 + (p[j++] - '0');
            } else {
                b = -1;
            }
        }
        if (j >= s->n || p[j] != '}') {
            s->giveup = 1;
            return 0;
        }
        s->i = j + 1;
        *min = a;
        *max = b;
    } else {
        return 0;
    }
    if (s->i < s->n && (p[s->i] == '+' || p[s->i] == '?'))
        s->i++;
    return 1;
}

static info quantify(pp *s, info a, long min, long max)
{
    if (max == 0)
        return info_zero_width(s);
    if (min == 0) {
        info r = {0};
        r.empty = 1;
        if (max == 1 && a.exact) {
            int ok;
            r.ex = sset_union(s->ar, a.ex, sset_one(s->ar, "", 0), MAX_SET, &ok);
            r.exact = ok;
        }
        return r;
    }
    if (min == 1 && max == 1)
        return a;
    info r = {0};
    r.req = req_of(&a);
    r.pre = pre_of(&a);
    r.never = a.never;
    r.empty = a.empty;
    return r;
}

static info parse_alt(pp *s, unsigned *opts);

/* Parses a group's inside and its ')'. */
static info group_body(pp *s, unsigned opts)
{
    if (++s->depth > MAX_DEPTH)
        return info_giveup(s);
    info r = parse_alt(s, &opts);
    s->depth--;
    if (s->giveup || s->i >= s->n || s->p[s->i] != ')')
        return info_giveup(s);
    s->i++;
    return r;
}

static info lookaround(pp *s, unsigned opts, int negative)
{
    info in = group_body(s, opts);
    if (s->giveup)
        return in;
    info r = info_zero_width(s);
    r.never = negative ? in.empty : in.never;
    return r;
}

static int word_is(const unsigned char *w, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(w, name, len) == 0;
}

/* "(*" at s->i - 1: verbs, start-of-pattern options, alpha assertions. */
static int parse_star(pp *s, unsigned opts, info *out)
{
    const unsigned char *p = s->p;
    s->i++; /* '*' */
    size_t w = s->i;
    while (s->i < s->n && (is_alnum(p[s->i]) || p[s->i] == '_'))
        s->i++;
    const unsigned char *word = p + w;
    size_t wl = s->i - w;
    int colon = s->i < s->n && p[s->i] == ':';
    static const char *const ahead[] = {"pla",
                                        "positive_lookahead",
                                        "plb",
                                        "positive_lookbehind",
                                        "napla",
                                        "naplb",
                                        "non_atomic_positive_lookahead",
                                        "non_atomic_positive_lookbehind",
                                        NULL};
    static const char *const neg[] = {"nla", "negative_lookahead", "nlb", "negative_lookbehind",
                                      NULL};
    static const char *const grp[] = {"atomic", "sr", "script_run", "asr", "atomic_script_run",
                                      NULL};
    if (colon && wl > 0) {
        s->i++;
        for (int k = 0; ahead[k]; k++)
            if (word_is(word, wl, ahead[k])) {
                *out = lookaround(s, opts, 0);
                return s->giveup ? -1 : 1;
            }
        for (int k = 0; neg[k]; k++)
            if (word_is(word, wl, neg[k])) {
                *out = lookaround(s, opts, 1);
                return s->giveup ? -1 : 1;
            }
        for (int k = 0; grp[k]; k++)
            if (word_is(word, wl, grp[k])) {
                *out = group_body(s, opts);
                return s->giveup ? -1 : 1;
            }
        /* (*MARK:x) (*PRUNE:x) (*SKIP:x) (*THEN:x): no alpha assertion */
        if (!word_is(word, wl, "MARK") && !word_is(word, wl, "PRUNE") &&
            !word_is(word, wl, "SKIP") && !word_is(word, wl, "THEN")) {
            *out = info_giveup(s);
            return -1;
        }
    }
    if (word_is(word, wl, "ACCEPT")) {
        *out = info_giveup(s); /* the match may end early: nothing after it is needed */
        return -1;
    }
    skip_past(s, ')');
    if (s->giveup) {
        *out = info_giveup(s);
        return -1;
    }
    if (word_is(word, wl, "FAIL") || word_is(word, wl, "F")) {
        *out = info_inexact();
        out->never = 1;
        return 1;
    }
    /* (*COMMIT) (*PRUNE) (*SKIP) (*THEN) (*MARK) and the start options
     * (*UTF) (*LIMIT_MATCH=n) ... only ever remove matches; the verbs also
     * change where a search may go on from */
    if (word_is(word, wl, "COMMIT") || word_is(word, wl, "PRUNE") || word_is(word, wl, "SKIP") ||
        word_is(word, wl, "THEN") || word_is(word, wl, "MARK") || (colon && wl == 0))
        s->verbs = 1;
    *out = info_zero_width(s);
    return 1;
}

/* "(" at s->i.  Returns 1 with an atom, 0 for an option setting or a
 * comment, -1 when giving up. */
static int parse_group(pp *s, unsigned *opts, info *out)
{
    const unsigned char *p = s->p;
    s->i++;
    if (s->i < s->n && p[s->i] == '*')
        return parse_star(s, *opts, out);
    if (s->i >= s->n || p[s->i] != '?') {
        *out = group_body(s, *opts);
        return s->giveup ? -1 : 1;
    }
    s->i++;
    if (s->i >= s->n) {
        *out = info_giveup(s);
        return -1;
    }
    unsigned c = p[s->i];
    unsigned c1 = s->i + 1 < s->n ? p[s->i + 1] : 0;
    switch (c) {
    case '#':
        skip_past(s, ')');
        return s->giveup ? -1 : 0;
    case ':':
    case '|':
    case '>':
        s->i++;
        *out = group_body(s, *opts);
        return s->giveup ? -1 : 1;
    case '=':
    case '!':
        s->i++;
        *out = lookaround(s, *opts, c == '!');
        return s->giveup ? -1 : 1;
    case '<':
        if (c1 == '=' || c1 == '!') {
            s->i += 2;
            *out = lookaround(s, *opts, c1 == '!');
            return s->giveup ? -1 : 1;
        }
        skip_past(s, '>');
        *out = group_body(s, *opts);
        return s->giveup ? -1 : 1;
    case '\'':
        s->i++;
        skip_past(s, '\'');
        *out = group_body(s, *opts);
        return s->giveup ? -1 : 1;
    case 'P':
        if (c1 == '<') {
            skip_past(s, '>');
            *out = group_body(s, *opts);
            return s->giveup ? -1 : 1;
        }
        skip_past(s, ')'); /* (?P=name) (?P>name) */
        *out = info_inexact();
        return s->giveup ? -1 : 1;
    case '&':
    case 'R':
    case '+':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        skip_past(s, ')'); /* recursion and subroutine calls */
        *out = info_inexact();
        return s->giveup ? -1 : 1;
    case '-':
        if (c1 >= '0' && c1 <= '9') {
            skip_past(s, ')');
            *out = info_inexact();
            return s->giveup ? -1 : 1;
        }
        break;
    case '(':
    case 'C':
        *out = info_giveup(s); /* conditionals and callouts */
        return -1;
    default:
        break;
    }
    /* option letters: (?i) (?x-i) (?^) or (?i:...) */
    unsigned o = *opts;
    int on = 1;
    for (;;) {
        if (s->i >= s->n) {
            *out = info_giveup(s);
            return -1;
        }
        unsigned l = p[s->i];
        if (l == ')' || l == ':')
            break;
        s->i++;
        if (l == '^') {
            o &= ~(unsigned)(O_I | O_X | O_XX);
        } else if (l == '-') {
            on = 0;
        } else if (l == 'i') {
            o = on ? o | O_I : o & ~(unsigned)O_I;
        } else if (l == 'x') {
            unsigned bits = O_X;
            if (s->i < s->n && p[s->i] == 'x') {
                s->i++;
                bits |= O_XX;
            }
            o = on ? o | bits : o & ~(unsigned)(O_X | O_XX);
        } else if (!strchr("mnsJU", (int)l)) {
            *out = info_giveup(s);
            return -1;
        }
    }
    if (p[s->i] == ')') {
        s->i++;
        *opts = o;
        return 0;
    }
    s->i++; /* ':' */
    *out = group_body(s, o);
    return s->giveup ? -1 : 1;
}

static int parse_atom(pp *s, unsigned *opts, info *out)
{
    unsigned c = s->p[s->i];
    switch (c) {
    case '(':
        return parse_group(s, opts, out);
    case '[':
        *out = parse_class(s, *opts);
        return s->giveup ? -1 : 1;
    case '.':
        s->i++;
        *out = info_inexact();
        return 1;
    case '^':
    case '$':
        s->i++;
        *out = info_zero_width(s);
        return 1;
    case '\\':
        return parse_escape(s, *opts, out);
    case '*':
    case '+':
    case '?':
    case '{':
        *out = info_giveup(s);
        return -1;
    default:
        *out = lit_char(s, decode(s), *opts);
        return s->giveup ? -1 : 1;
    }
}

static void consider(sset cand, sset *best, long *best_score)
{
    long sc = score(&cand);
    if (sc > *best_score) {
        *best = cand;
        *best_score = sc;
    }
}

static info parse_seq(pp *s, unsigned *opts)
{
    sset run = sset_one(s->ar, "", 0), best = none;
    sset prun = run; /* what every match starts with, while it is known */
    int popen = 1;
    long best_score = -1;
    int seq_exact = 1, never = 0, empty = 1;
    for (;;) {
        skip_extended(s, *opts);
        if (s->i >= s->n || s->p[s->i] == '|' || s->p[s->i] == ')')
            break;
        info a;
        int r = parse_atom(s, opts, &a);
        if (r < 0 || s->giveup)
            return info_giveup(s);
        if (r == 0)
            continue;
        skip_extended(s, *opts);
        long qmin, qmax;
        if (parse_quant(s, &qmin, &qmax)) {
            if (a.multi)
                return info_giveup(s);
            a = quantify(s, a, qmin, qmax);
        }
        if (s->giveup)
            return info_giveup(s);
        never |= a.never;
        empty &= a.empty;
        if (popen) {
            /* an exact part (even a zero-width one, {""}) extends the prefix */
            sset ap = a.exact ? a.ex : pre_of(&a);
            int ok = 0;
            sset c = ap.n ? sset_cross(s->ar, prun, ap, &ok) : none;
            if (ok)
                prun = c;
            if (!ok || !a.exact)
                popen = 0;
        }
        if (a.exact) {
            int ok;
            sset c = sset_cross(s->ar, run, a.ex, &ok);
            if (ok) {
                run = c;
            } else {
                consider(run, &best, &best_score);
                run = a.ex;
                seq_exact = 0;
            }
        } else {
            consider(run, &best, &best_score);
            run = sset_one(s->ar, "", 0);
            seq_exact = 0;
            consider(req_of(&a), &best, &best_score);
        }
    }
    consider(run, &best, &best_score);
    info r = {0};
    r.exact = seq_exact && !never;
    r.ex = run;
    r.req = best;
    r.pre = sset_has_empty(&prun) ? none : prun;
    r.never = never;
    r.empty = empty;
    if (s->ar->nomem || s->ar->toobig)
        return info_giveup(s);
    return r;
}

static info parse_alt(pp *s, unsigned *opts)
{
    sset exu = none, requ = none, preu = none;
    int all_exact = 1, req_ok = 1, pre_ok = 1, never_all = 1, empty_any = 0;
    for (;;) {
        info b = parse_seq(s, opts);
        if (s->giveup)
            return b;
        if (!b.never) {
            never_all = 0;
            sset rb = req_of(&b);
            int ok = 0;
            if (rb.n > 0 && req_ok)
                requ = sset_union(s->ar, requ, rb, MAX_REQ, &ok);
            if (!ok)
                req_ok = 0;
            sset pb = pre_of(&b);
            ok = 0;
            if (pb.n > 0 && pre_ok)
                preu = sset_union(s->ar, preu, pb, MAX_REQ, &ok);
            if (!ok)
                pre_ok = 0;
        }
        if (b.never) {
            /* a branch that never matches adds no string */
        } else if (b.exact && all_exact) {
            int ok;
            exu = sset_union(s->ar, exu, b.ex, MAX_SET, &ok);
            if (!ok)
                all_exact = 0;
        } else {
            all_exact = 0;
        }
        empty_any |= b.empty;
        if (s->i < s->n && s->p[s->i] == '|') {
            s->i++;
            continue;
        }
        break;
    }
    info r = {0};
    r.never = never_all;
    r.exact = all_exact && !never_all;
    r.ex = exu;
    r.req = req_ok && !never_all ? requ : none;
    r.pre = pre_ok && !never_all ? preu : none;
    r.empty = empty_any;
    if (s->ar->nomem)
        return info_giveup(s);
    return r;
}

/* A match that starts with "发现了" starts with "发现": drop the longer. */
static sset drop_longer_prefix(sset x)
{
    size_t out = 0;
    for (size_t k = 0; k < x.n; k++) {
        int redundant = 0;
        for (size_t j = 0; j < x.n && !redundant; j++) {
            if (j == k || x.len[j] > x.len[k] || (x.len[j] == x.len[k] && j > k))
                continue;
            redundant = memcmp(x.s[k], x.s[j], x.len[j]) == 0;
        }
        if (!redundant) {
            x.s[out] = x.s[k];
            x.len[out++] = x.len[k];
        }
    }
    x.n = out;
    return x;
}

/* Copies x into *lits and *lens; returns 0 or -1. */
static int copy_out(sset x, char ***lits, size_t **lens, size_t *n)
{
    *lits = calloc(x.n ? x.n : 1, sizeof **lits);
    *lens = calloc(x.n ? x.n : 1, sizeof **lens);
    if (!*lits || !*lens)
        return -1;
    for (size_t k = 0; k < x.n; k++) {
        (*lits)[k] = malloc(x.len[k] + 1);
        if (!(*lits)[k])
            return -1;
        memcpy((*lits)[k], x.s[k], x.len[k]);
        (*lits)[k][x.len[k]] = '\0';
        (*lens)[k] = x.len[k];
        *n = k + 1;
    }
    return 0;
}

/* A text holding "production validation was completed" holds its first 12
 * bytes, and a match starting with it starts with them: literals longer
 * than that add little selectivity and make cross products explode, so
 * they are cut (at a character boundary) before the duplicates go. */
#define LIT_CUT 12
static sset cut_long(sset x)
{
    for (size_t k = 0; k < x.n; k++) {
        size_t cut = x.len[k];
        if (cut <= LIT_CUT)
            continue;
        cut = LIT_CUT;
        while (cut > 0 && ((unsigned char)x.s[k][cut] & 0xC0) == 0x80)
            cut--;
        x.len[k] = cut;
    }
    return x;
}

/* Any text that contains "发现了" contains "发现": a literal holding another
 * one of the set adds nothing. */
static sset drop_redundant(sset x)
{
    size_t out = 0;
    for (size_t k = 0; k < x.n; k++) {
        int redundant = 0;
        for (size_t j = 0; j < x.n && !redundant; j++) {
            if (j == k || x.len[j] > x.len[k] || (x.len[j] == x.len[k] && j > k))
                continue;
            redundant = memmem(x.s[k], x.len[k], x.s[j], x.len[j]) != NULL;
        }
        if (!redundant) {
            x.s[out] = x.s[k];
            x.len[out++] = x.len[k];
        }
    }
    x.n = out;
    return x;
}

int rule_pat_analyse(const char *pattern, size_t len, unsigned flags, rule_pat_info *info_out)
{
    memset(info_out, 0, sizeof *info_out);
    arena ar = {0};
    pp s = {(const unsigned char *)pattern, len, 0, &ar, 0, 0, 0};
    unsigned opts = (flags & RULE_RE_CASELESS ? O_I : 0) | (flags & RULE_RE_EXTENDED ? O_X : 0);
    info root = parse_alt(&s, &opts);
    int rc = 0;
    if (ar.nomem) {
        rc = -1;
    } else if (!s.giveup && s.i == s.n) {
        info_out->analysed = 1;
        info_out->never = root.never;
        /* the two drop_ functions compact in place: give each its own copy
         * (req and pre may be the very same set) */
        sset req = drop_redundant(cut_long(sset_copy(&ar, req_of(&root))));
        if (!root.never && req.n > 0 && score(&req) + (long)req.n >= RULE_LIT_RARE &&
            copy_out(req, &info_out->lits, &info_out->lens, &info_out->nlits) < 0)
            rc = -1;
        sset pre = sset_copy(&ar, pre_of(&root));
        if (rc == 0 && !root.never && !s.verbs && pre.n > 0 && !sset_has_empty(&pre) &&
            copy_out(drop_longer_prefix(cut_long(pre)), &info_out->pre, &info_out->prelens,
                     &info_out->npre) < 0)
            rc = -1;
    }
    arena_free(&ar);
    if (rc < 0)
        rule_pat_info_release(info_out);
    return rc;
}

void rule_pat_info_release(rule_pat_info *pi)
{
    if (!pi)
        return;
    for (size_t k = 0; k < pi->nlits; k++)
        free(pi->lits[k]);
    free(pi->lits);
    free(pi->lens);
    for (size_t k = 0; k < pi->npre; k++)
        free(pi->pre[k]);
    free(pi->pre);
    free(pi->prelens);
    memset(pi, 0, sizeof *pi);
}

/* ---- the multi-literal scanner ----
 *
 * Literals of 1 byte are found with memchr.  For the others a position is
 * tested against two small filters: 4096 bits hashed from the position's
 * first 2 and first 3 bytes (literals of 2 and 3 bytes) and 65536 bits
 * hashed from its first 4 bytes (literals of 4 bytes and more).  They take
 * 8.5 KiB and stay in the L1 cache with the text: bigger or more filters
 * measured slower (27 cycles a byte with four 8 KiB maps, against about 8).
 * A position that passes is compared with the literals of its bucket: the
 * first 4 bytes and the next 4 as words, then memcmp for the rest. */

#define SMALL_BITS 12 /* 4096 */

struct rule_lset {
    char **lit;
    size_t *len;
    uint32_t *head4; /* bytes 0-3 of each literal (zero-padded), compared first */
    uint32_t *mid4;  /* bytes 4-7 (zero-padded) */
    uint32_t *mask4; /* which of bytes 0-3 / 4-7 the literal has */
    uint32_t *mask0;
    unsigned char *positional;
    size_t n, cap;
    uint32_t *ones; /* the 1-byte literals */
    size_t nones;
    uint64_t small[(1u << SMALL_BITS) / 64]; /* 2- and 3-byte literals */
    uint64_t big[1024];                      /* 4 bytes and more */
    uint32_t *small_head, *small_order;      /* buckets: (1 << SMALL_BITS) + 1 starts */
    uint32_t *big_head, *big_order;          /* 65536 + 1 */
    int32_t *dedup;                          /* open addressing over the literals, -1 free */
    size_t dedup_cap;
};

static inline uint32_t load4(const unsigned char *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

static inline uint32_t load2(const unsigned char *p)
{
    uint16_t x;
    memcpy(&x, p, 2);
    return x;
}

/* The first three bytes of a 4-byte load, whatever the byte order. */
static inline uint32_t mask3(void)
{
    static const unsigned char m[4] = {0xFF, 0xFF, 0xFF, 0};
    return load4(m);
}

static inline uint32_t hash2(uint32_t k2)
{
    return k2 * 0x9E3779B1u >> (32 - SMALL_BITS);
}

static inline uint32_t hash3(uint32_t w3)
{
    return w3 * 0x85EBCA6Bu >> (32 - SMALL_BITS);
}

static inline uint32_t hash4(uint32_t w)
{
    return w * 2246822519u >> 16;
}

/* The bucket of a literal of 2 bytes or more (p padded to 8 bytes). */
static uint32_t bucket_of(const unsigned char *p, size_t len)
{
    if (len == 2)
        return hash2(load2(p));
    if (len == 3)
        return hash3(load4(p) & mask3());
    return hash4(load4(p));
}

rule_lset *rule_lset_new(void)
{
    return calloc(1, sizeof(rule_lset));
}

void rule_lset_free(rule_lset *ls)
{
    if (!ls)
        return;
    for (size_t k = 0; k < ls->n; k++)
        free(ls->lit[k]);
    free(ls->lit);
    free(ls->len);
    free(ls->head4);
    free(ls->mid4);
    free(ls->mask4);
    free(ls->mask0);
    free(ls->positional);
    free(ls->ones);
    free(ls->small_head);
    free(ls->small_order);
    free(ls->big_head);
    free(ls->big_order);
    free(ls->dedup);
    free(ls);
}

static size_t lit_hash(const char *s, size_t len)
{
    size_t h = 1469598103934665603u;
    for (size_t k = 0; k < len; k++)
        h = (h ^ (unsigned char)s[k]) * 1099511628211u;
    return h;
}

/* Keeps the dedup table at most half full; 0 or -1. */
static int dedup_grow(rule_lset *ls)
{
    if (2 * (ls->n + 1) <= ls->dedup_cap)
        return 0;
    size_t cap = ls->dedup_cap ? ls->dedup_cap * 2 : 256;
    int32_t *t = malloc(cap * sizeof *t);
    if (!t)
        return -1;
    for (size_t k = 0; k < cap; k++)
        t[k] = -1;
    for (size_t i = 0; i < ls->n; i++) {
        size_t h = lit_hash(ls->lit[i], ls->len[i]) & (cap - 1);
        while (t[h] >= 0)
            h = (h + 1) & (cap - 1);
        t[h] = (int32_t)i;
    }
    free(ls->dedup);
    ls->dedup = t;
    ls->dedup_cap = cap;
    return 0;
}

int rule_lset_add(rule_lset *ls, const char *lit, size_t len, int positional)
{
    if (len < 1 || len > 0xFFFF || ls->n >= 0x7FFFFFFF || dedup_grow(ls) < 0)
        return -1;
    size_t h = lit_hash(lit, len) & (ls->dedup_cap - 1);
    for (; ls->dedup[h] >= 0; h = (h + 1) & (ls->dedup_cap - 1)) {
        size_t k = (size_t)ls->dedup[h];
        if (ls->len[k] == len && memcmp(ls->lit[k], lit, len) == 0) {
            ls->positional[k] |= positional != 0;
            return (int)k;
        }
    }
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 64;
        char **nl = realloc(ls->lit, cap * sizeof *nl);
        if (!nl)
            return -1;
        ls->lit = nl;
        size_t *nn = realloc(ls->len, cap * sizeof *nn);
        if (!nn)
            return -1;
        ls->len = nn;
        unsigned char *np = realloc(ls->positional, cap);
        if (!np)
            return -1;
        ls->positional = np;
        ls->cap = cap;
    }
    char *c = malloc(len);
    if (!c)
        return -1;
    memcpy(c, lit, len);
    ls->lit[ls->n] = c;
    ls->len[ls->n] = len;
    ls->positional[ls->n] = positional != 0;
    ls->dedup[h] = (int32_t)ls->n;
    return (int)ls->n++;
}

/* Fills head (nb + 1 starts) and order with the literals of the given
 * lengths grouped by bucket. */
static int group(rule_lset *ls, int big, uint32_t **head_out, uint32_t **order_out)
{
    size_t nb = big ? 65536 : (size_t)1 << SMALL_BITS;
    uint32_t *head = calloc(nb + 1, sizeof *head);
    uint32_t *order = malloc((ls->n ? ls->n : 1) * sizeof *order);
    uint32_t *fill = calloc(nb, sizeof *fill);
    if (!head || !order || !fill) {
        free(head);
        free(order);
        free(fill);
        return -1;
    }
    uint64_t *bits = big ? ls->big : ls->small;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ls->n; i++) {
            size_t len = ls->len[i];
            if (len < 2 || (len >= 4) != big)
                continue;
            unsigned char p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            memcpy(p, ls->lit[i], len < 8 ? len : 8);
            uint32_t b = bucket_of(p, len);
            if (pass == 0) {
                head[b + 1]++;
                bits[b >> 6] |= (uint64_t)1 << (b & 63);
            } else {
                order[head[b] + fill[b]++] = (uint32_t)i;
            }
        }
        if (pass == 0)
            for (size_t b = 0; b < nb; b++)
                head[b + 1] += head[b];
    }
    free(fill);
    *head_out = head;
    *order_out = order;
    return 0;
}

int rule_lset_build(rule_lset *ls)
{
    free(ls->head4);
    free(ls->mid4);
    free(ls->mask4);
    free(ls->mask0);
    free(ls->ones);
    free(ls->small_head);
    free(ls->small_order);
    free(ls->big_head);
    free(ls->big_order);
    ls->small_head = ls->small_order = ls->big_head = ls->big_order = NULL;
    size_t n = ls->n ? ls->n : 1;
    ls->head4 = calloc(n, sizeof *ls->head4);
    ls->mid4 = calloc(n, sizeof *ls->mid4);
    ls->mask4 = calloc(n, sizeof *ls->mask4);
    ls->mask0 = calloc(n, sizeof *ls->mask0);
    ls->ones = calloc(n, sizeof *ls->ones);
    if (!ls->head4 || !ls->mid4 || !ls->mask4 || !ls->mask0 || !ls->ones)
        return -1;
    ls->nones = 0;
    for (size_t i = 0; i < ls->n; i++) {
        unsigned char b[8] = {0, 0, 0, 0, 0, 0, 0, 0}, m0[4] = {0, 0, 0, 0}, m[4] = {0, 0, 0, 0};
        size_t len = ls->len[i] < 8 ? ls->len[i] : 8;
        memcpy(b, ls->lit[i], len);
        for (size_t k = 0; k < len; k++)
            if (k < 4)
                m0[k] = 0xFF;
            else
                m[k - 4] = 0xFF;
        ls->head4[i] = load4(b);
        ls->mid4[i] = load4(b + 4);
        ls->mask0[i] = load4(m0);
        ls->mask4[i] = load4(m);
        if (ls->len[i] == 1)
            ls->ones[ls->nones++] = (uint32_t)i;
    }
    memset(ls->small, 0, sizeof ls->small);
    memset(ls->big, 0, sizeof ls->big);
    if (group(ls, 0, &ls->small_head, &ls->small_order) < 0 ||
        group(ls, 1, &ls->big_head, &ls->big_order) < 0)
        return -1;
    return 0;
}

size_t rule_lset_count(const rule_lset *ls)
{
    return ls->n;
}

static void record(const rule_lset *ls, uint32_t id, size_t pos, uint64_t *found, rule_occ *occ)
{
    found[id >> 6] |= (uint64_t)1 << (id & 63);
    if (!occ || !ls->positional[id] || occ->nomem)
        return;
    if (occ->n == occ->cap) {
        size_t cap = occ->cap ? occ->cap * 2 : 256;
        uint32_t *np = realloc(occ->pos, cap * sizeof *np);
        if (!np) {
            occ->nomem = 1;
            return;
        }
        occ->pos = np;
        uint32_t *nl = realloc(occ->lit, cap * sizeof *nl);
        if (!nl) {
            occ->nomem = 1;
            return;
        }
        occ->lit = nl;
        occ->cap = cap;
    }
    occ->pos[occ->n] = (uint32_t)pos;
    occ->lit[occ->n++] = id;
}

/* Checks the literals of one bucket against the text at i (p: 8 readable
 * bytes there, w and w2 its first two words). */
static void check_bucket(const rule_lset *ls, const uint32_t *head, const uint32_t *order,
                         uint32_t b, const unsigned char *t, size_t i, size_t left, uint32_t w,
                         uint32_t w2, uint64_t *found, rule_occ *occ)
{
    for (uint32_t k = head[b]; k < head[b + 1]; k++) {
        uint32_t id = order[k];
        size_t n = ls->len[id];
        if (n > left || ((w ^ ls->head4[id]) & ls->mask0[id]) != 0 ||
            ((w2 ^ ls->mid4[id]) & ls->mask4[id]) != 0)
            continue;
        if (n <= 8 || memcmp(t + i + 8, ls->lit[id] + 8, n - 8) == 0)
            record(ls, id, i, found, occ);
    }
}

/* A position whose filters may hold a literal: checks the buckets. */
static void probe(const rule_lset *ls, const unsigned char *t, size_t i, size_t left,
                  const unsigned char *p, uint32_t w, uint32_t h2, uint32_t h3, uint32_t h4,
                  uint64_t *found, rule_occ *occ)
{
    uint32_t w2 = load4(p + 4);
    if (ls->small[h2 >> 6] >> (h2 & 63) & 1)
        check_bucket(ls, ls->small_head, ls->small_order, h2, t, i, left, w, w2, found, occ);
    if (h3 != h2 && (ls->small[h3 >> 6] >> (h3 & 63) & 1))
        check_bucket(ls, ls->small_head, ls->small_order, h3, t, i, left, w, w2, found, occ);
    if (ls->big[h4 >> 6] >> (h4 & 63) & 1)
        check_bucket(ls, ls->big_head, ls->big_order, h4, t, i, left, w, w2, found, occ);
}

void rule_lset_scan(const rule_lset *ls, const char *folded, size_t len, uint64_t *found,
                    rule_occ *occ)
{
    const unsigned char *t = (const unsigned char *)folded;
    if (!ls->big_head || len == 0)
        return;
    if (len > 0xFFFFFFFFu)
        occ = NULL; /* positions are 32-bit */
    /* 1-byte literals with memchr, which is vectorised: each literal's
     * occurrences still come in increasing order */
    for (size_t k = 0; k < ls->nones; k++) {
        uint32_t id = ls->ones[k];
        unsigned char c = (unsigned char)ls->lit[id][0];
        for (const unsigned char *p = memchr(t, c, len); p;
             p = (size_t)(p + 1 - t) < len ? memchr(p + 1, c, len - (size_t)(p + 1 - t)) : NULL)
            record(ls, id, (size_t)(p - t), found, occ);
    }
    const uint64_t *small = ls->small, *big = ls->big;
    const uint32_t m3 = mask3();
    /* positions before `body` have 8 readable bytes; the last 7 read a
     * zero-padded copy */
    size_t body = len >= 8 ? len - 7 : 0, i = 0;
    for (; i < body; i++) {
        const unsigned char *p = t + i;
        uint32_t w = load4(p);
        uint32_t h2 = hash2(load2(p)), h3 = hash3(w & m3), h4 = hash4(w);
        /* three independent probes, one branch: most positions fail them all */
        if ((small[h2 >> 6] >> (h2 & 63) | small[h3 >> 6] >> (h3 & 63) |
             big[h4 >> 6] >> (h4 & 63)) &
            1)
            probe(ls, t, i, len - i, p, w, h2, h3, h4, found, occ);
    }
    for (; i < len; i++) {
        unsigned char p[16] = {0};
        memcpy(p, t + i, len - i);
        uint32_t w = load4(p);
        probe(ls, t, i, len - i, p, w, hash2(load2(p)), hash3(w & m3), hash4(w), found, occ);
    }
}
