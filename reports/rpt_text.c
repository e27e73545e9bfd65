/* rpt_text: cell text and names made safe for a workbook (see rpt_text.h). */
#include "reports/rpt_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base_utf8.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

void rpt_text_release(rpt_text *t)
{
    if (!t)
        return;
    free(t->p);
    t->p = NULL;
    t->cap = 0;
}

/* Characters XML 1.0 cannot carry (besides invalid UTF-8). */
static int bad_char(unsigned cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "_xHHHH_" at s, which Excel would decode as one character. */
static int excel_escape_at(const unsigned char *s, size_t n)
{
    return n >= 7 && s[0] == '_' && (s[1] == 'x' || s[1] == 'X') && is_hex(s[2]) && is_hex(s[3]) &&
           is_hex(s[4]) && is_hex(s[5]) && s[6] == '_';
}

size_t rpt_text_units(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t units = 0;
    for (; *s; s++)
        if ((*s & 0xC0) != 0x80)
            units += (*s >= 0xF0) ? 2 : 1;
    return units;
}

static int grow(rpt_text *t, size_t need)
{
    if (need <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p)
        return -1;
    t->p = p;
    t->cap = cap;
    return 0;
}

const char *rpt_text_clean(rpt_text *t, const char *str, size_t max_units, const char *lang,
                           int *flags)
{
    int fl = 0;
    if (flags)
        *flags = 0;
    if (!str)
        return "";
    if (max_units < 64)
        max_units = 64;
    const unsigned char *s = (const unsigned char *)str;
    size_t len = strlen(str);

    /* Fast path: one pass that only looks. */
    size_t units = 0, i = 0;
    int clean = 1;
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '_') {
            units++;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = base_utf8_decode(s + i, len - i, &cp);
        if (!k || bad_char(cp) || (c == '_' && excel_escape_at(s + i, len - i))) {
            clean = 0;
            break;
        }
        units += k == 4 ? 2 : 1;
        i += k;
    }
    if (clean && units <= max_units)
        return str;

    /* Slow path: write the repaired text, remembering where each character
     * starts so that it can be cut at a character boundary. */
    if (grow(t, 3 * len + 128))
        return NULL;
    char *o = t->p;
    size_t olen = 0, ounits = 0, ochars = 0;
    size_t cut_at = 0, cut_chars = 0, budget = 0;
    int cutting = 0;
    /* Room kept for the marker: its fixed text plus the digits of the
     * largest possible count. */
    char digits[32];
    snprintf(digits, sizeof digits, "%zu", len);
    size_t marker_units = 24 + strlen(digits);
    if (marker_units < max_units)
        budget = max_units - marker_units;
    for (i = 0; i < len;) {
        uint32_t cp;
        size_t k = base_utf8_decode(s + i, len - i, &cp);
        const char *piece;
        size_t plen, punits;
        if (!k || bad_char(cp)) {
            piece = REPLACEMENT;
            plen = 3;
            punits = 1;
            fl |= RPT_TEXT_REPAIRED;
            k = k ? k : 1;
        } else {
            piece = (const char *)s + i;
            plen = k;
            punits = k == 4 ? 2 : 1;
            if (cp == '_' && excel_escape_at(s + i, len - i)) {
                memcpy(o + olen, "_x005F", 6);
                olen += 6;
                ounits += 6;
            }
        }
        if (!cutting && ounits + punits > budget) {
            cutting = 1;
            cut_at = olen;
            cut_chars = ochars;
        }
        memcpy(o + olen, piece, plen);
        olen += plen;
        ounits += punits;
        ochars++;
        i += k;
    }
    if (ounits > max_units && cutting) {
        int zh = lang && !strcmp(lang, "zh");
        char marker[96];
        size_t cut = ochars - cut_chars;
        if (zh)
            snprintf(marker, sizeof marker,
                     "\xE2\x80\xA6[\xE5\xB7\xB2\xE6\x88\xAA\xE6\x96\xAD %zu "
                     "\xE4\xB8\xAA\xE5\xAD\x97\xE7\xAC\xA6]",
                     cut);
        else
            snprintf(marker, sizeof marker, "\xE2\x80\xA6[truncated: %zu characters]", cut);
        olen = cut_at;
        memcpy(o + olen, marker, strlen(marker));
        olen += strlen(marker);
        fl |= RPT_TEXT_TRUNCATED;
    }
    o[olen] = '\0';
    if (flags)
        *flags = fl;
    return o;
}

/* ---- names ------------------------------------------------------------------------------ */

/* Copies whole characters of src into out while they fit in max_chars
 * characters (counted as UTF-16 units) and cap bytes; returns bytes. */
static size_t copy_chars(char *out, size_t cap, const char *src, size_t max_units)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t n = 0, units = 0, len = strlen(src);
    while (n < len) {
        uint32_t cp;
        size_t k = base_utf8_decode(s + n, len - n, &cp);
        if (!k)
            k = 1;
        size_t u = k == 4 ? 2 : 1;
        if (units + u > max_units || n + k + 1 > cap)
            break;
        units += u;
        n += k;
    }
    memcpy(out, src, n);
    out[n] = '\0';
    return n;
}

int rpt_sheet_name(char *out, size_t cap, const char *want, const char *const *taken, size_t ntaken)
{
    if (cap < 128)
        return -1;
    rpt_text t = {0};
    const char *w = rpt_text_clean(&t, want ? want : "", 256, "en", NULL);
    char base[128];
    size_t b = 0;
    for (const char *p = w ? w : ""; *p && b < sizeof base - 4; p++) {
        char c = *p;
        if (strchr("[]:*?/\\", c) || c == '\n' || c == '\r' || c == '\t')
            c = '_';
        base[b++] = c;
    }
    base[b] = '\0';
    rpt_text_release(&t);
    /* A cut inside a character is mended by copy_chars below. */
    char *start = base;
    while (*start == '\'')
        start++;
    char name[128];
    copy_chars(name, sizeof name, start, RPT_SHEET_MAX);
    size_t n = strlen(name);
    while (n && name[n - 1] == '\'')
        name[--n] = '\0';
    if (!n)
        snprintf(name, sizeof name, "Sheet");
    if (!strcasecmp(name, "History"))
        snprintf(name, sizeof name, "History_");
    for (int k = 1;; k++) {
        char cand[128];
        if (k == 1) {
            snprintf(cand, sizeof cand, "%s", name);
        } else {
            char suffix[24];
            snprintf(suffix, sizeof suffix, " (%d)", k);
            size_t room = RPT_SHEET_MAX - strlen(suffix);
            size_t m = copy_chars(cand, sizeof cand, name, room);
            snprintf(cand + m, sizeof cand - m, "%s", suffix);
        }
        size_t j = 0;
        while (j < ntaken && strcasecmp(cand, taken[j]))
            j++;
        if (j == ntaken) {
            snprintf(out, cap, "%s", cand);
            return 0;
        }
    }
}

int rpt_file_part(char *out, size_t cap, const char *value)
{
    if (cap < 96)
        return -1;
    const unsigned char *s = (const unsigned char *)(value ? value : "");
    size_t len = strlen((const char *)s), n = 0, i = 0;
    char buf[96];
    while (i < len && n < 80) {
        uint32_t cp;
        size_t k = base_utf8_decode(s + i, len - i, &cp);
        if (!k || cp < 0x20 || cp == 0x7F || cp == ' ' ||
            (cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp)) || cp == 0x3000 /* ideographic space */) {
            if (n && buf[n - 1] != '_')
                buf[n++] = '_';
            i += k ? k : 1;
            continue;
        }
        if (n + k > 80)
            break;
        if (cp == '_' && n && buf[n - 1] == '_') {
            i++;
            continue;
        }
        memcpy(buf + n, s + i, k);
        n += k;
        i += k;
    }
    buf[n] = '\0';
    char *p = buf;
    while (*p == '.' || *p == '_')
        p++;
    size_t m = strlen(p);
    while (m && (p[m - 1] == '.' || p[m - 1] == '_'))
        p[--m] = '\0';
    if (!m) {
        snprintf(out, cap, "none");
        return 0;
    }
    static const char *const reserved[] = {"CON", "PRN", "AUX", "NUL", NULL};
    int res = 0;
    for (int r = 0; reserved[r]; r++)
        if (!strcasecmp(p, reserved[r]))
            res = 1;
    if (m == 4 && (p[3] >= '1' && p[3] <= '9')) {
        char three[4] = {p[0], p[1], p[2], 0};
        if (!strcasecmp(three, "COM") || !strcasecmp(three, "LPT"))
            res = 1;
    }
    snprintf(out, cap, "%s%s", p, res ? "_" : "");
    return 0;
}

static const struct {
    const char *name;
    unsigned cp;
} ENTITIES[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"rsquo", 0x2019},  {"lsquo", 0x2018},  {"rdquo", 0x201D}, {"ldquo", 0x201C},
    {"ndash", 0x2013}, {"mdash", 0x2014},  {"hellip", 0x2026}, {"deg", 0xB0},     {"plusmn", 0xB1},
    {"micro", 0xB5},   {"middot", 0xB7},   {"times", 0xD7},    {"reg", 0xAE},     {"copy", 0xA9},
    {"trade", 0x2122}, {"permil", 0x2030}, {"bull", 0x2022},   {"eacute", 0xE9},  {"uuml", 0xFC},
    {"ouml", 0xF6},    {"auml", 0xE4},     {"szlig", 0xDF},    {"sup2", 0xB2},    {"sup3", 0xB3},
};

/* Reads one reference at s ('&'); returns its length and sets *cp, or 0. */
static size_t entity_at(const char *s, unsigned *cp)
{
    const char *semi = s + 1;
    while (*semi && *semi != ';' && semi - s < 12)
        semi++;
    if (*semi != ';' || semi == s + 1)
        return 0;
    size_t len = (size_t)(semi - s) + 1;
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        const char *d = s + 2 + hex;
        if (d == semi)
            return 0;
        unsigned long v = 0;
        for (; d < semi; d++) {
            int x = *d >= '0' && *d <= '9'          ? *d - '0'
                    : hex && *d >= 'a' && *d <= 'f' ? *d - 'a' + 10
                    : hex && *d >= 'A' && *d <= 'F' ? *d - 'A' + 10
                                                    : -1;
            if (x < 0 || v > 0x10FFFF)
                return 0;
            v = v * (hex ? 16 : 10) + (unsigned long)x;
        }
        if (v >= 0x10 && v <= 0x1F)
            v += 0x2000; /* a general-punctuation character that lost its high byte */
        if (v < 0x20 && v != '\t' && v != '\n')
            return 0;
        if (v == 0x7F || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
            return 0;
        *cp = (unsigned)v;
        return len;
    }
    for (size_t i = 0; i < sizeof ENTITIES / sizeof ENTITIES[0]; i++)
        if (strlen(ENTITIES[i].name) == len - 2 && !memcmp(ENTITIES[i].name, s + 1, len - 2)) {
            *cp = ENTITIES[i].cp;
            return len;
        }
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *rpt_text_entities(const char *s, int *oom)
{
    if (!s)
        return NULL;
    const char *a = strchr(s, '&');
    unsigned cp;
    while (a && !entity_at(a, &cp))
        a = strchr(a + 1, '&');
    if (!a)
        return NULL;
    /* A reference is at least 3 bytes and decodes to at most 4: the copy
     * never needs more than the source plus one byte per reference. */
    size_t n = strlen(s);
    char *out = malloc(n + n / 3 + 2);
    if (!out) {
        if (oom)
            *oom = 1;
        return NULL;
    }
    size_t k = 0;
    for (const char *p = s; *p;) {
        size_t len = *p == '&' ? entity_at(p, &cp) : 0;
        if (len) {
            k += put_utf8(out + k, cp);
            p += len;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    return out;
}
