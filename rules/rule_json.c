/*
 * rule_json.c: the strict RFC 8259 scanner that runs before cJSON, the
 * position table that ties cJSON's nodes to line:col, and the canonical
 * writer behind the rule set's hash.  See rule_json.h.
 */
#include "rules/rule_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_buf.h"
#include "base/base_utf8.h"

/* One value of the document, in document (pre-)order. */
typedef struct jnode {
    rule_jpos value, key;
    int has_key;
} jnode;

/* A key seen in the object being scanned: decoded bytes in kbuf. */
typedef struct jkey {
    size_t at, len; /* in kbuf */
    rule_jpos pos;
} jkey;

typedef struct scan {
    const unsigned char *s;
    size_t n, i;
    unsigned opts;
    /* line:col bookkeeping; positions are asked for in increasing order */
    int line;
    size_t col_off;
    int col;
    /* problems */
    rule_jerr *errs;
    size_t nerrs, nfound;
    int failed; /* a syntax error: the scan stopped */
    int nomem;
    /* the position table (NULL when not wanted) */
    jnode *nodes;
    size_t nnodes, ncap;
    int want_nodes;
    /* keys of the objects open now, for duplicate detection */
    jkey *keys;
    size_t nkeys, kcap;
    char *kbuf;
    size_t kbuf_n, kbuf_cap;
} scan;

/* ---- positions and problems ---- */

static rule_jpos pos_at(scan *sc, size_t off)
{
    /* columns count code points: every byte that is not a continuation */
    while (sc->col_off < off) {
        if ((sc->s[sc->col_off] & 0xC0) != 0x80)
            sc->col++;
        sc->col_off++;
    }
    rule_jpos p = {off, sc->line, sc->col};
    return p;
}

static void newline(scan *sc, size_t off_after)
{
    sc->line++;
    sc->col_off = off_after;
    sc->col = 1;
}

__attribute__((format(printf, 3, 4))) static void problem(scan *sc, rule_jpos pos, const char *fmt,
                                                          ...)
{
    if (sc->nfound < sc->nerrs) {
        rule_jerr *e = &sc->errs[sc->nfound];
        e->pos = pos;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    sc->nfound++;
}

/* Describes the character at s[i] for a message. */
static void describe(const scan *sc, size_t i, char *buf, size_t size)
{
    if (i >= sc->n) {
        snprintf(buf, size, "end of text");
        return;
    }
    unsigned c = sc->s[i];
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, size, "'%c'", (int)c);
    else if (c < 0x80)
        snprintf(buf, size, "character U+%04X", c);
    else
        snprintf(buf, size, "byte 0x%02X", c);
}

static void syntax(scan *sc, size_t off, const char *what)
{
    if (sc->failed)
        return;
    char d[32];
    describe(sc, off, d, sizeof d);
    problem(sc, pos_at(sc, off), "%s, found %s", what, d);
    sc->failed = 1;
}

static void syntax_msg(scan *sc, size_t off, const char *msg)
{
    if (sc->failed)
        return;
    problem(sc, pos_at(sc, off), "%s", msg);
    sc->failed = 1;
}

/* ---- lexing ---- */

static void skip_ws(scan *sc)
{
    while (sc->i < sc->n) {
        unsigned char c = sc->s[sc->i];
        if (c == ' ' || c == '\t' || c == '\r') {
            sc->i++;
        } else if (c == '\n') {
            sc->i++;
            newline(sc, sc->i);
        } else {
            break;
        }
    }
}

static int hex4(const unsigned char *s, size_t n, size_t i, unsigned *out)
{
    unsigned v = 0;
    if (i + 4 > n)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        unsigned c = s[i + k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static int kbuf_put(scan *sc, const char *p, size_t len)
{
    if (sc->kbuf_n + len > sc->kbuf_cap) {
        size_t cap = sc->kbuf_cap ? sc->kbuf_cap * 2 : 256;
        while (cap < sc->kbuf_n + len)
            cap *= 2;
        char *nb = realloc(sc->kbuf, cap);
        if (!nb) {
            sc->nomem = 1;
            return -1;
        }
        sc->kbuf = nb;
        sc->kbuf_cap = cap;
    }
    memcpy(sc->kbuf + sc->kbuf_n, p, len);
    sc->kbuf_n += len;
    return 0;
}

/* Scans the string at s[i] == '"'.  With decode, appends the decoded bytes
 * to kbuf.  Returns 0, or -1 after reporting a problem. */
static int scan_string(scan *sc, int decode)
{
    const unsigned char *s = sc->s;
    size_t start = sc->i;
    sc->i++;
    for (;;) {
        if (sc->i >= sc->n) {
            syntax_msg(sc, start, "string not closed");
            return -1;
        }
        unsigned c = s[sc->i];
        if (c == '"') {
            sc->i++;
            return 0;
        }
        if (c < 0x20) {
            char m[96];
            snprintf(m, sizeof m, "control character U+%04X in a string (escape it)", c);
            syntax_msg(sc, sc->i, m);
            return -1;
        }
        if (c == '\\') {
            size_t esc = sc->i;
            if (sc->i + 1 >= sc->n) {
                syntax_msg(sc, start, "string not closed");
                return -1;
            }
            unsigned e = s[sc->i + 1];
            char one = 0;
            switch (e) {
            case '"':
                one = '"';
                break;
            case '\\':
                one = '\\';
                break;
            case '/':
                one = '/';
                break;
            case 'b':
                one = '\b';
                break;
            case 'f':
                one = '\f';
                break;
            case 'n':
                one = '\n';
                break;
            case 'r':
                one = '\r';
                break;
            case 't':
                one = '\t';
                break;
            case 'u':
                break;
            default:
                syntax(sc, esc + 1,
                       "invalid escape: expected one of \" \\ / b f n r t u after '\\'");
                return -1;
            }
            if (e != 'u') {
                sc->i += 2;
                if (decode && kbuf_put(sc, &one, 1) < 0)
                    return -1;
                continue;
            }
            unsigned cp;
            if (hex4(s, sc->n, sc->i + 2, &cp) < 0) {
                syntax_msg(sc, esc, "invalid \\u escape: expected four hex digits");
                return -1;
            }
            sc->i += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                syntax_msg(sc, esc, "lone low surrogate in a \\u escape");
                return -1;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (sc->i + 1 >= sc->n || s[sc->i] != '\\' || s[sc->i + 1] != 'u' ||
                    hex4(s, sc->n, sc->i + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
                    syntax_msg(sc, esc, "high surrogate in a \\u escape not followed by a low one");
                    return -1;
                }
                sc->i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0 && (sc->opts & RULE_JSON_NO_NUL)) {
                syntax_msg(sc, esc, "\\u0000 is not allowed here");
                return -1;
            }
            if (decode) {
                char u[4];
                if (kbuf_put(sc, u, base_utf8_encode(cp, u)) < 0)
                    return -1;
            }
            continue;
        }
        size_t len = base_utf8_len(s + sc->i, sc->n - sc->i);
        if (len == 0) {
            syntax_msg(sc, sc->i, "invalid UTF-8 in a string");
            return -1;
        }
        if (decode && kbuf_put(sc, (const char *)s + sc->i, len) < 0)
            return -1;
        sc->i += len;
    }
}

static int is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static int scan_number(scan *sc)
{
    const unsigned char *s = sc->s;
    size_t start = sc->i;
    if (s[sc->i] == '-')
        sc->i++;
    if (sc->i >= sc->n || !is_digit(s[sc->i])) {
        syntax(sc, sc->i, "a number needs a digit");
        return -1;
    }
    if (s[sc->i] == '0') {
        sc->i++;
        if (sc->i < sc->n && is_digit(s[sc->i])) {
            syntax_msg(sc, start, "leading zero in a number");
            return -1;
        }
    } else {
        while (sc->i < sc->n && is_digit(s[sc->i]))
            sc->i++;
    }
    if (sc->i < sc->n && s[sc->i] == '.') {
        sc->i++;
        if (sc->i >= sc->n || !is_digit(s[sc->i])) {
            syntax(sc, sc->i, "a number needs a digit after '.'");
            return -1;
        }
        while (sc->i < sc->n && is_digit(s[sc->i]))
            sc->i++;
    }
    if (sc->i < sc->n && (s[sc->i] == 'e' || s[sc->i] == 'E')) {
        sc->i++;
        if (sc->i < sc->n && (s[sc->i] == '+' || s[sc->i] == '-'))
            sc->i++;
        if (sc->i >= sc->n || !is_digit(s[sc->i])) {
            syntax(sc, sc->i, "a number needs a digit in its exponent");
            return -1;
        }
        while (sc->i < sc->n && is_digit(s[sc->i]))
            sc->i++;
    }
    return 0;
}

static int add_node(scan *sc, rule_jpos value, const rule_jpos *key)
{
    if (!sc->want_nodes)
        return 0;
    if (sc->nnodes == sc->ncap) {
        size_t cap = sc->ncap ? sc->ncap * 2 : 64;
        jnode *nv = realloc(sc->nodes, cap * sizeof *nv);
        if (!nv) {
            sc->nomem = 1;
            return -1;
        }
        sc->nodes = nv;
        sc->ncap = cap;
    }
    jnode *nd = &sc->nodes[sc->nnodes++];
    nd->value = value;
    nd->key = key ? *key : value;
    nd->has_key = key != NULL;
    return 0;
}

static int key_cmp(const void *pa, const void *pb, void *kbuf)
{
    const jkey *a = pa, *b = pb;
    const char *base = kbuf;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(base + a->at, base + b->at, m);
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->pos.off < b->pos.off ? -1 : a->pos.off > b->pos.off;
}

/* qsort has no context argument in C11: sort the (few) keys by insertion. */
static void sort_keys(jkey *v, size_t n, const char *kbuf)
{
    for (size_t i = 1; i < n; i++) {
        jkey k = v[i];
        size_t j = i;
        while (j > 0 && key_cmp(&v[j - 1], &k, (void *)kbuf) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = k;
    }
}

/* Reports every key of the object whose keys are keys[from..nkeys). */
static void check_duplicates(scan *sc, size_t from)
{
    size_t n = sc->nkeys - from;
    if (n < 2)
        return;
    jkey *v = sc->keys + from;
    if (n <= 64) {
        sort_keys(v, n, sc->kbuf);
    } else {
        /* a big object: merge sort through a temporary copy */
        jkey *tmp = malloc(n * sizeof *tmp);
        if (!tmp) {
            sc->nomem = 1;
            return;
        }
        for (size_t width = 1; width < n; width *= 2) {
            for (size_t lo = 0; lo < n; lo += 2 * width) {
                size_t mid = lo + width < n ? lo + width : n;
                size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
                size_t a = lo, b = mid, k = lo;
                while (a < mid && b < hi)
                    tmp[k++] = key_cmp(&v[a], &v[b], sc->kbuf) <= 0 ? v[a++] : v[b++];
                while (a < mid)
                    tmp[k++] = v[a++];
                while (b < hi)
                    tmp[k++] = v[b++];
            }
            memcpy(v, tmp, n * sizeof *v);
        }
        free(tmp);
    }
    /* the reports come in key order; sort them back into text order is not
     * needed: the loader sorts its diagnostics by place */
    size_t first = 0;
    for (size_t k = 1; k < n; k++) {
        if (v[k].len == v[first].len &&
            memcmp(sc->kbuf + v[k].at, sc->kbuf + v[first].at, v[k].len) == 0) {
            char shown[64];
            size_t len = v[k].len < 40 ? v[k].len : 40;
            memcpy(shown, sc->kbuf + v[k].at, len);
            shown[len] = '\0';
            problem(sc, v[k].pos, "duplicate key \"%s%s\" (first at line %d:%d)", shown,
                    v[k].len > 40 ? "..." : "", v[first].pos.line, v[first].pos.col);
        } else {
            first = k;
        }
    }
}

static int scan_value(scan *sc, int depth, const rule_jpos *key);

static int scan_object(scan *sc, int depth)
{
    size_t keys_from = sc->nkeys, kbuf_from = sc->kbuf_n;
    sc->i++; /* '{' */
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        sc->i++;
        return 0;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '"') {
            if (sc->i < sc->n && sc->s[sc->i] == '}')
                syntax_msg(sc, sc->i, "trailing comma before '}'");
            else
                syntax(sc, sc->i, "expected a key (a string in double quotes)");
            return -1;
        }
        rule_jpos kpos = pos_at(sc, sc->i);
        size_t at = sc->kbuf_n;
        if (scan_string(sc, 1) < 0)
            return -1;
        if (sc->nkeys == sc->kcap) {
            size_t cap = sc->kcap ? sc->kcap * 2 : 32;
            jkey *nk = realloc(sc->keys, cap * sizeof *nk);
            if (!nk) {
                sc->nomem = 1;
                return -1;
            }
            sc->keys = nk;
            sc->kcap = cap;
        }
        sc->keys[sc->nkeys].at = at;
        sc->keys[sc->nkeys].len = sc->kbuf_n - at;
        sc->keys[sc->nkeys].pos = kpos;
        sc->nkeys++;
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != ':') {
            syntax(sc, sc->i, "expected ':' after a key");
            return -1;
        }
        sc->i++;
        skip_ws(sc);
        if (scan_value(sc, depth + 1, &kpos) < 0)
            return -1;
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',') {
            sc->i++;
            continue;
        }
        if (sc->i < sc->n && sc->s[sc->i] == '}') {
            sc->i++;
            break;
        }
        syntax(sc, sc->i, "expected ',' or '}' after a member");
        return -1;
    }
    if (!(sc->opts & RULE_JSON_DUPS_OK))
        check_duplicates(sc, keys_from);
    sc->nkeys = keys_from;
    sc->kbuf_n = kbuf_from;
    return sc->nomem ? -1 : 0;
}

static int scan_array(scan *sc, int depth)
{
    sc->i++; /* '[' */
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == ']') {
        sc->i++;
        return 0;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ']') {
            syntax_msg(sc, sc->i, "trailing comma before ']'");
            return -1;
        }
        if (scan_value(sc, depth + 1, NULL) < 0)
            return -1;
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',') {
            sc->i++;
            continue;
        }
        if (sc->i < sc->n && sc->s[sc->i] == ']') {
            sc->i++;
            return 0;
        }
        syntax(sc, sc->i, "expected ',' or ']' after an element");
        return -1;
    }
}

static int scan_word(scan *sc, const char *word)
{
    size_t len = strlen(word);
    if (sc->n - sc->i < len || memcmp(sc->s + sc->i, word, len) != 0) {
        syntax(sc, sc->i, "expected a value");
        return -1;
    }
    sc->i += len;
    return 0;
}

static int scan_value(scan *sc, int depth, const rule_jpos *key)
{
    if (depth > RULE_JSON_MAX_DEPTH) {
        char m[64];
        snprintf(m, sizeof m, "nested deeper than %d levels", RULE_JSON_MAX_DEPTH);
        syntax_msg(sc, sc->i, m);
        return -1;
    }
    if (sc->i >= sc->n) {
        syntax(sc, sc->i, "expected a value");
        return -1;
    }
    if (add_node(sc, pos_at(sc, sc->i), key) < 0)
        return -1;
    switch (sc->s[sc->i]) {
    case '{':
        return scan_object(sc, depth);
    case '[':
        return scan_array(sc, depth);
    case '"':
        return scan_string(sc, 0);
    case 't':
        return scan_word(sc, "true");
    case 'f':
        return scan_word(sc, "false");
    case 'n':
        return scan_word(sc, "null");
    default:
        if (sc->s[sc->i] == '-' || is_digit(sc->s[sc->i]))
            return scan_number(sc);
        syntax(sc, sc->i, "expected a value");
        return -1;
    }
}

/* Runs the scan; the caller frees sc->nodes. */
static void run_scan(scan *sc, const char *text, size_t len, unsigned opts, rule_jerr *errs,
                     size_t nerrs, int want_nodes)
{
    memset(sc, 0, sizeof *sc);
    sc->s = (const unsigned char *)text;
    sc->n = len;
    sc->opts = opts;
    sc->line = 1;
    sc->col = 1;
    sc->errs = errs;
    sc->nerrs = nerrs;
    sc->want_nodes = want_nodes;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        /* a byte order mark: RFC 8259 §8.1 lets a parser ignore it */
        sc->i = 3;
        sc->col_off = 3;
    }
    skip_ws(sc);
    if (sc->i >= sc->n) {
        syntax_msg(sc, sc->i, "no JSON value (the text is empty)");
    } else if (scan_value(sc, 1, NULL) == 0) {
        skip_ws(sc);
        if (sc->i < sc->n)
            syntax(sc, sc->i, "text after the JSON value");
    }
    free(sc->keys);
    free(sc->kbuf);
    sc->keys = NULL;
    sc->kbuf = NULL;
}

size_t rule_json_check(const char *text, size_t len, unsigned opts, rule_jerr *errs, size_t nerrs)
{
    scan sc;
    run_scan(&sc, text, len, opts, errs, nerrs, 0);
    if (sc.nomem && sc.nfound == 0) {
        rule_jpos p = {0, 0, 0};
        problem(&sc, p, "out of memory");
    }
    return sc.nfound;
}

/* ---- the document ---- */

struct rule_jdoc {
    char *text;
    size_t len;
    cJSON *root;
    jnode *nodes;
    size_t nnodes;
    /* cJSON node -> index into nodes, open addressing */
    const cJSON **hkeys;
    size_t *hvals;
    size_t hcap;
};

static size_t ptr_hash(const void *p, size_t cap)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= (uintptr_t)0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    return (size_t)x & (cap - 1);
}

/* Walks the tree in pre-order giving each node the next position. */
static int zip(rule_jdoc *doc, const cJSON *item, size_t *k)
{
    for (; item; item = item->next) {
        if (*k >= doc->nnodes)
            return -1;
        size_t h = ptr_hash(item, doc->hcap);
        while (doc->hkeys[h])
            h = (h + 1) & (doc->hcap - 1);
        doc->hkeys[h] = item;
        doc->hvals[h] = (*k)++;
        if ((cJSON_IsArray(item) || cJSON_IsObject(item)) && zip(doc, item->child, k) < 0)
            return -1;
    }
    return 0;
}

rule_jdoc *rule_jdoc_parse(const char *text, size_t len, unsigned opts, rule_jerr *errs,
                           size_t nerrs, size_t *nfound)
{
    scan sc;
    *nfound = 0;
    run_scan(&sc, text, len, opts, errs, nerrs, 1);
    if (sc.nfound > 0 || sc.nomem) {
        *nfound = sc.nfound;
        free(sc.nodes);
        return NULL;
    }
    rule_jdoc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        free(sc.nodes);
        return NULL;
    }
    doc->nodes = sc.nodes;
    doc->nnodes = sc.nnodes;
    doc->text = malloc(len + 1);
    if (!doc->text)
        goto fail;
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    doc->root = cJSON_ParseWithLength(doc->text + skip, len - skip);
    if (!doc->root) {
        /* only memory can make cJSON fail on text the scanner accepted */
        goto fail;
    }
    doc->hcap = 16;
    while (doc->hcap < 2 * doc->nnodes)
        doc->hcap *= 2;
    doc->hkeys = calloc(doc->hcap, sizeof *doc->hkeys);
    doc->hvals = calloc(doc->hcap, sizeof *doc->hvals);
    if (!doc->hkeys || !doc->hvals)
        goto fail;
    size_t k = 0;
    if (zip(doc, doc->root, &k) < 0 || k != doc->nnodes) {
        if (nerrs > 0) {
            memset(&errs[0], 0, sizeof errs[0]);
            snprintf(errs[0].msg, sizeof errs[0].msg,
                     "internal error: cJSON and the scanner disagree on this text");
        }
        *nfound = 1;
        goto fail;
    }
    return doc;
fail:
    rule_jdoc_free(doc);
    return NULL;
}

void rule_jdoc_free(rule_jdoc *doc)
{
    if (!doc)
        return;
    cJSON_Delete(doc->root);
    free(doc->text);
    free(doc->nodes);
    free(doc->hkeys);
    free(doc->hvals);
    free(doc);
}

cJSON *rule_jdoc_root(const rule_jdoc *doc)
{
    return doc->root;
}

static const jnode *find_node(const rule_jdoc *doc, const cJSON *item)
{
    if (!item || !doc->hcap)
        return NULL;
    size_t h = ptr_hash(item, doc->hcap);
    while (doc->hkeys[h]) {
        if (doc->hkeys[h] == item)
            return &doc->nodes[doc->hvals[h]];
        h = (h + 1) & (doc->hcap - 1);
    }
    return NULL;
}

int rule_jdoc_pos(const rule_jdoc *doc, const cJSON *item, rule_jpos *value, rule_jpos *key)
{
    const jnode *nd = find_node(doc, item);
    rule_jpos none = {0, 0, 0};
    if (value)
        *value = nd ? nd->value : none;
    if (key)
        *key = nd ? nd->key : none;
    return nd ? 0 : -1;
}

int rule_jdoc_string_pos(const rule_jdoc *doc, const cJSON *item, size_t at, rule_jpos *out)
{
    const jnode *nd = find_node(doc, item);
    if (!nd || !cJSON_IsString(item))
        return -1;
    const unsigned char *s = (const unsigned char *)doc->text;
    size_t i = nd->value.off + 1, decoded = 0;
    int col = nd->value.col + 1;
    while (i < doc->len && s[i] != '"' && decoded < at) {
        if (s[i] == '\\') {
            if (s[i + 1] != 'u') {
                decoded++;
                i += 2;
                col += 2;
                continue;
            }
            unsigned cp = 0, lo = 0;
            hex4(s, doc->len, i + 2, &cp);
            size_t raw = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && hex4(s, doc->len, i + 8, &lo) == 0) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                raw = 12;
            }
            char u[4];
            decoded += base_utf8_encode(cp, u);
            i += raw;
            col += (int)raw;
            continue;
        }
        size_t len = base_utf8_len(s + i, doc->len - i);
        if (len == 0)
            len = 1;
        decoded += len;
        i += len;
        col++;
    }
    out->off = i;
    out->line = nd->value.line;
    out->col = col;
    return 0;
}

/* ---- canonical form ---- */

void rule_json_number(double v, char *buf, size_t size)
{
    if (v == 0 || !isfinite(v)) {
        snprintf(buf, size, "0");
        return;
    }
    if (v == trunc(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, size, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
    /* whatever LC_NUMERIC says, JSON's decimal point is '.' */
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
}

static void put_json_string(base_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    base_buf_add(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        base_buf_add(b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        base_buf_add(b, esc, elen);
    }
    base_buf_add(b, run, (size_t)(s - run));
    base_buf_add(b, "\"", 1);
}

static int by_key(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
    return strcmp(a->string ? a->string : "", b->string ? b->string : "");
}

/* Appends the canonical form of item.  Returns 0, or -1 when memory ran out
 * or a number is not finite (JSON cannot hold it). */
static int put_value(base_buf *b, const cJSON *item)
{
    if (cJSON_IsObject(item)) {
        size_t n = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            n++;
        const cJSON **v = n ? malloc(n * sizeof *v) : NULL;
        if (n && !v)
            return -1;
        n = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            v[n++] = c;
        if (n > 1)
            qsort(v, n, sizeof *v, by_key);
        int rc = base_buf_add(b, "{", 1);
        for (size_t k = 0; k < n && !rc; k++) {
            if (k)
                base_buf_add(b, ",", 1);
            put_json_string(b, v[k]->string ? v[k]->string : "");
            base_buf_add(b, ":", 1);
            rc = put_value(b, v[k]);
        }
        free(v);
        return rc ? rc : base_buf_add(b, "}", 1);
    }
    if (cJSON_IsArray(item)) {
        int rc = base_buf_add(b, "[", 1);
        for (const cJSON *c = item->child; c && !rc; c = c->next) {
            if (c != item->child)
                base_buf_add(b, ",", 1);
            rc = put_value(b, c);
        }
        return rc ? rc : base_buf_add(b, "]", 1);
    }
    if (cJSON_IsString(item)) {
        put_json_string(b, item->valuestring ? item->valuestring : "");
        return b->oom ? -1 : 0;
    }
    if (cJSON_IsNumber(item)) {
        if (!isfinite(item->valuedouble))
            return -1;
        char num[40];
        rule_json_number(item->valuedouble, num, sizeof num);
        return base_buf_cat(b, num);
    }
    return base_buf_cat(b, cJSON_IsTrue(item) ? "true" : cJSON_IsFalse(item) ? "false" : "null");
}

char *rule_json_canonical(const cJSON *item)
{
    base_buf b = {0};
    if (put_value(&b, item)) {
        base_buf_release(&b);
        return NULL;
    }
    return base_buf_take(&b);
}
