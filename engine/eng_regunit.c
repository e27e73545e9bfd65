/*
 * eng_regunit: reading codes, numbers, units and quantities the way
 * registries and acceptance texts write them (see eng_registry.h).
 *
 * Units are reduced to one SI form per quantity so that a claim in mK and a
 * CMC in K compare; the table below is the whole vocabulary (units with the
 * common SI prefixes, a few others agencies write: ℃, mmHg, bar, ppm), and
 * a unit outside it is "unknown" rather than guessed.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_registry.h"

/* ---- codes ------------------------------------------------------------------ */

/* Decodes one UTF-8 character; returns its length (1 for a bad byte). */
static size_t utf8_get(const unsigned char *p, size_t avail, unsigned *cp)
{
    if (p[0] < 0x80 || avail < 2) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        *cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        return 2;
    }
    if ((p[0] & 0xF0) == 0xE0 && avail >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        *cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        return 3;
    }
    if ((p[0] & 0xF8) == 0xF0 && avail >= 4 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
        (p[3] & 0xC0) == 0x80) {
        *cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
              (p[3] & 0x3Fu);
        return 4;
    }
    *cp = p[0];
    return 1;
}

char *eng_reg_code_key(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len && o + 1 < cap;) {
        unsigned cp;
        size_t n = utf8_get(p + i, len - i, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
            cp -= 0xFEE0;
        if (cp == 0x3000)
            cp = ' ';
        if (cp < 0x80) {
            if (isalnum((int)cp))
                out[o++] = (char)toupper((int)cp);
            /* everything else ASCII (spaces, - . / ( ) _ : #) is dropped */
        } else if (o + n < cap) {
            memcpy(out + o, p + i, n);
            o += n;
        } else {
            break;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

/* ---- units -------------------------------------------------------------------- */

typedef struct unit_def {
    const char *sym;
    const char *si;
    double factor;
    const char *quantity;
    double offset; /* added to an absolute value after scaling (℃ -> K) */
    int prefixable;
} unit_def;

static const unit_def units[] = {
    {"K", "K", 1, "temperature", 0, 1},
    {"℃", "K", 1, "temperature", 273.15, 0},
    {"°C", "K", 1, "temperature", 273.15, 0},
    {"mmHg", "Pa", 133.322387415, "pressure", 0, 0},
    {"bar", "Pa", 1e5, "pressure", 0, 1},
    {"Pa", "Pa", 1, "pressure", 0, 1},
    {"m", "m", 1, "length", 0, 1},
    {"Å", "m", 1e-10, "length", 0, 0},
    {"g", "kg", 1e-3, "mass", 0, 1},
    {"t", "kg", 1e3, "mass", 0, 0},
    {"min", "s", 60, "time", 0, 0},
    {"h", "s", 3600, "time", 0, 0},
    {"s", "s", 1, "time", 0, 1},
    {"Hz", "Hz", 1, "frequency", 0, 1},
    {"A", "A", 1, "current", 0, 1},
    {"V", "V", 1, "voltage", 0, 1},
    {"Ω", "Ω", 1, "resistance", 0, 1},
    {"ohm", "Ω", 1, "resistance", 0, 1},
    {"W", "W", 1, "power", 0, 1},
    {"J", "J", 1, "energy", 0, 1},
    {"N", "N", 1, "force", 0, 1},
    {"lx", "lx", 1, "illuminance", 0, 0},
    {"cd", "cd", 1, "luminous intensity", 0, 1},
    {"mol", "mol", 1, "amount of substance", 0, 1},
    {"L", "m3", 1e-3, "volume", 0, 1},
    {"l", "m3", 1e-3, "volume", 0, 1},
    {"T", "T", 1, "magnetic flux density", 0, 1},
    {"rad", "rad", 1, "angle", 0, 1},
    {"°", "rad", 0.017453292519943295, "angle", 0, 0},
    {"dB", "dB", 1, "sound level", 0, 0},
    {"Gy", "Gy", 1, "absorbed dose", 0, 1},
    {"Sv", "Sv", 1, "dose equivalent", 0, 1},
    {"Bq", "Bq", 1, "activity", 0, 1},
    {"F", "F", 1, "capacitance", 0, 1},
    {"H", "H", 1, "inductance", 0, 1},
    {"%", "rel", 1e-2, NULL, 0, 0},
    {"ppm", "rel", 1e-6, NULL, 0, 0},
    {"ppb", "rel", 1e-9, NULL, 0, 0},
};

static const struct {
    const char *sym;
    double factor;
} prefixes[] = {{"da", 1e1}, {"Y", 1e24}, {"Z", 1e21},  {"E", 1e18},  {"P", 1e15},
                {"T", 1e12}, {"G", 1e9},  {"M", 1e6},   {"k", 1e3},   {"h", 1e2},
                {"d", 1e-1}, {"c", 1e-2}, {"m", 1e-3},  {"µ", 1e-6},  {"μ", 1e-6},
                {"u", 1e-6}, {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}, {"a", 1e-18}};

#define NUNITS (sizeof units / sizeof units[0])
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

static const unit_def *unit_find(const char *u, size_t n, double *scale)
{
    for (size_t i = 0; i < NUNITS; i++)
        if (strlen(units[i].sym) == n && !memcmp(units[i].sym, u, n)) {
            *scale = 1;
            return &units[i];
        }
    for (size_t p = 0; p < NPREFIXES; p++) {
        size_t pl = strlen(prefixes[p].sym);
        if (pl >= n || memcmp(prefixes[p].sym, u, pl))
            continue;
        for (size_t i = 0; i < NUNITS; i++)
            if (units[i].prefixable && strlen(units[i].sym) == n - pl &&
                !memcmp(units[i].sym, u + pl, n - pl)) {
                *scale = prefixes[p].factor;
                return &units[i];
            }
    }
    return NULL;
}

int eng_reg_unit(const char *unit, double value, int absolute, eng_reg_qty *out)
{
    if (!unit)
        return -1;
    while (*unit == ' ')
        unit++;
    size_t n = strlen(unit);
    while (n && unit[n - 1] == ' ')
        n--;
    if (!n)
        return -1;
    /* "%FS", "% rel.", "%（k=2）": a percentage whatever follows. */
    if (unit[0] == '%')
        n = 1;
    double scale;
    const unit_def *u = unit_find(unit, n, &scale);
    if (!u)
        return -1;
    out->value = value * scale * u->factor + (absolute ? u->offset : 0);
    out->si = u->si;
    out->name = u->quantity;
    out->relative = !strcmp(u->si, "rel");
    return 0;
}

/* ---- numbers -------------------------------------------------------------------- */

/* Superscript digits and minus as written in "10⁻⁶". */
static int superscript(const unsigned char *p, size_t avail, int *digit, size_t *len)
{
    unsigned cp;
    size_t n = utf8_get(p, avail, &cp);
    *len = n;
    switch (cp) {
    case 0x2070:
        *digit = 0;
        return 1;
    case 0xB9:
        *digit = 1;
        return 1;
    case 0xB2:
        *digit = 2;
        return 1;
    case 0xB3:
        *digit = 3;
        return 1;
    case 0x207B:
        *digit = -1; /* minus */
        return 1;
    default:
        if (cp >= 0x2074 && cp <= 0x2079) {
            *digit = (int)(cp - 0x2070);
            return 1;
        }
    }
    return 0;
}

/* Reads "×10⁻⁶", "x10^-6", "×10-6", "e-6" after a mantissa.  Returns the
 * bytes read (0: none) and OUT: *exp. */
static size_t exponent(const char *s, size_t len, int *exp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    if (i < len && (p[i] == 'e' || p[i] == 'E') && i + 1 < len &&
        (isdigit(p[i + 1]) ||
         ((p[i + 1] == '-' || p[i + 1] == '+') && i + 2 < len && isdigit(p[i + 2])))) {
        char *end;
        long e = strtol(s + i + 1, &end, 10);
        *exp = (int)e;
        return (size_t)(end - s);
    }
    size_t m = 0;
    if (i + 2 <= len && !memcmp(p + i, "\xC3\x97", 2)) /* × */
        m = 2;
    else if (i < len && (p[i] == 'x' || p[i] == 'X' || p[i] == '*'))
        m = 1;
    if (!m)
        return 0;
    i += m;
    while (i < len && p[i] == ' ')
        i++;
    if (i + 2 > len || memcmp(p + i, "10", 2))
        return 0;
    i += 2;
    int sign = 1, val = 0, any = 0;
    if (i < len && p[i] == '^')
        i++;
    for (;;) {
        int d;
        size_t n;
        if (i < len && (p[i] == '-' || p[i] == '+') && !any) {
            sign = p[i] == '-' ? -1 : 1;
            i++;
        } else if (i < len && isdigit(p[i])) {
            val = val * 10 + (p[i] - '0');
            any = 1;
            i++;
        } else if (i < len && superscript(p + i, len - i, &d, &n)) {
            if (d < 0 && !any)
                sign = -1;
            else if (d >= 0) {
                val = val * 10 + d;
                any = 1;
            } else
                break;
            i += n;
        } else {
            break;
        }
    }
    if (!any)
        return 0;
    *exp = sign * val;
    return i;
}

/* Is p a character that may belong to a unit symbol? */
static size_t unit_char(const unsigned char *p, size_t avail)
{
    unsigned cp;
    size_t n = utf8_get(p, avail, &cp);
    if (cp < 0x80)
        return isalpha((int)cp) || cp == '%' || cp == '/' || cp == '^' ? n : 0;
    /* µ μ Ω ℃ ° Å */
    if (cp == 0xB5 || cp == 0x3BC || cp == 0x3A9 || cp == 0x2126 || cp == 0x2103 || cp == 0xB0 ||
        cp == 0xC5)
        return n;
    return 0;
}

int eng_reg_value(const char *text, size_t len, const char *unit_hint, int absolute, eng_reg_qty *q)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    /* The first number: digits not glued to letters before them ("k2", "L0192" are not values). */
    for (; i < len; i++) {
        if (isdigit(p[i]) && (i == 0 || !isalpha(p[i - 1])))
            break;
    }
    if (i >= len)
        return -1;
    int neg = i > 0 && p[i - 1] == '-' && (i < 2 || !isalnum(p[i - 2]));
    char num[64];
    size_t k = 0;
    while (i < len && k + 1 < sizeof num && (isdigit(p[i]) || p[i] == '.' || p[i] == ',')) {
        if (p[i] != ',')
            num[k++] = (char)p[i];
        i++;
    }
    num[k] = '\0';
    double v = strtod(num, NULL);
    int e = 0;
    size_t el = exponent(text + i, len - i, &e);
    int sci = el > 0;
    i += el;
    if (sci)
        v *= pow(10, e);
    if (neg)
        v = -v;
    while (i < len && p[i] == ' ')
        i++;
    size_t us = i;
    while (i < len) {
        size_t n = unit_char(p + i, len - i);
        if (!n)
            break;
        i += n;
    }
    char unit[32];
    size_t ul = i - us < sizeof unit - 1 ? i - us : sizeof unit - 1;
    memcpy(unit, text + us, ul);
    unit[ul] = '\0';
    memset(q, 0, sizeof *q);
    q->value = v;
    if (ul && eng_reg_unit(unit, v, absolute, q) == 0)
        return 0;
    if (unit_hint && eng_reg_unit(unit_hint, v, absolute, q) == 0)
        return 0;
    /* "1.4×10⁻⁶" with no unit: a relative figure. */
    if (sci && !ul) {
        q->value = v;
        q->si = "rel";
        q->relative = 1;
        return 0;
    }
    q->value = v;
    q->si = NULL;
    return 0;
}

double eng_reg_coverage(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len; i++) {
        size_t j;
        if ((p[i] == 'k' || p[i] == 'K') && (i == 0 || !isalpha(p[i - 1])) &&
            (i + 1 >= len || !isalpha(p[i + 1]))) {
            j = i + 1;
        } else if (i + 12 <= len && !memcmp(p + i, "包含因子", 12)) {
            j = i + 12;
            while (j < len && (p[j] == ' ' || p[j] == 'k' || p[j] == 'K'))
                j++;
        } else {
            continue;
        }
        while (j < len && p[j] == ' ')
            j++;
        if (j < len && p[j] == '=')
            j++;
        else if (j + 3 <= len && !memcmp(p + j, "\xEF\xBC\x9D", 3)) /* ＝ */
            j += 3;
        else if (p[i] == 'k' || p[i] == 'K')
            continue;
        while (j < len && p[j] == ' ')
            j++;
        if (j < len && isdigit(p[j])) {
            double k = strtod(text + j, NULL);
            if (k > 0 && k < 10)
                return k;
        }
    }
    return 0;
}

/* ---- quantities ------------------------------------------------------------------- */

/* Names of quantities in scope lists and CMC quantity texts, most specific
 * first; `group` lets a scope item such as 电学 cover every electrical
 * quantity. */
static const struct {
    const char *quantity;
    const char *group;
    const char *names; /* '|'-separated, matched as substrings, ASCII case ignored */
} qnames[] = {
    {"temperature", "thermal", "温度|temperature|thermometr|温标"},
    {"pressure", "mechanics", "压力|压强|真空|pressure|vacuum|manometr"},
    {"mass", "mechanics", "质量|称量|砝码|mass|weigh"},
    {"force", "mechanics", "力值|扭矩|force|torque"},
    {"length", "geometry",
     "长度|几何量|尺寸|距离|波长|位移|length|dimension|distance|wavelength|"
     "displacement"},
    {"angle", "geometry", "角度|angle"},
    {"volume", "mechanics", "容量|容积|体积|volume"},
    {"frequency", "time", "频率|frequency"},
    {"time", "time", "时间|time interval|time"},
    {"current", "electricity", "电流|current"},
    {"voltage", "electricity", "电压|电动势|voltage|emf"},
    {"resistance", "electricity", "电阻|阻抗|resistance|impedance"},
    {"power", "electricity", "功率|power"},
    {"energy", "electricity", "电能|能量|energy"},
    {"capacitance", "electricity", "电容|capacitance"},
    {"inductance", "electricity", "电感|inductance"},
    {"magnetic flux density", "electricity", "磁感应|磁通密度|磁场|magnetic"},
    {"illuminance", "photometry", "照度|illuminance"},
    {"luminous intensity", "photometry", "发光强度|光强|luminous intensity"},
    {"amount of substance", "chemistry", "物质的量|amount of substance"},
    {"sound level", "acoustics", "声压|声级|sound|acoustic"},
    {"absorbed dose", "ionizing radiation", "吸收剂量|absorbed dose|dosimetry"},
    {"activity", "ionizing radiation", "活度|放射性|radioactivity|activity"},
    {NULL, "electricity", "电学|电磁|磁学|electricity|electrical|electromagnetic|magnetism"},
    {NULL, "thermal", "热学|热工|thermal|thermometry"},
    {NULL, "mechanics", "力学|mechanic"},
    {NULL, "geometry", "几何|geometr"},
    {NULL, "time", "时间频率|time and frequency"},
    {NULL, "photometry", "光学|光度|photometr|radiometr|optic"},
    {NULL, "chemistry",
     "化学|成分|含量|浓度|纯度|chemi|composition|mass fraction|concentration|"
     "purity|amount"},
    {NULL, "ionizing radiation", "电离辐射|核|ionizing|radiation"},
    {NULL, "acoustics", "声学|超声|振动|acoustics|ultrasound|vibration"},
};

#define NQNAMES (sizeof qnames / sizeof qnames[0])

static int has_ci(const char *hay, size_t hl, const char *needle, size_t nl)
{
    for (size_t i = 0; i + nl <= hl; i++) {
        size_t k = 0;
        while (k < nl && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == nl)
            return 1;
    }
    return 0;
}

/* The index of the first qnames row named in text, or -1. */
static int qname_row(const char *text, size_t len)
{
    for (size_t r = 0; r < NQNAMES; r++) {
        const char *s = qnames[r].names;
        while (*s) {
            const char *bar = strchr(s, '|');
            size_t nl = bar ? (size_t)(bar - s) : strlen(s);
            if (has_ci(text, len, s, nl))
                return (int)r;
            s += nl + (bar ? 1 : 0);
        }
    }
    return -1;
}

const char *eng_reg_quantity_of(const char *text, size_t len)
{
    int r = text ? qname_row(text, len) : -1;
    return r >= 0 ? qnames[r].quantity : NULL;
}

/* The group of a quantity name ("temperature" -> "thermal"), or NULL. */
static const char *group_of(const char *quantity)
{
    for (size_t r = 0; r < NQNAMES; r++)
        if (qnames[r].quantity && !strcmp(qnames[r].quantity, quantity))
            return qnames[r].group;
    return NULL;
}

/* Length of a list separator at s (; , 、 ； ， and a line break), or 0. */
static size_t separator(const char *s)
{
    if (*s == ';' || *s == ',' || *s == '\n')
        return 1;
    static const char *const wide[] = {"；", "，", "、"};
    for (size_t i = 0; i < 3; i++)
        if (!strncmp(s, wide[i], strlen(wide[i])))
            return strlen(wide[i]);
    return 0;
}

/* 1 when the scope item s[0..n) names quantity or a field holding it: any
 * row of the vocabulary that the item names will do ("时间频率" names both
 * frequency and the time-and-frequency field). */
static int item_covers(const char *s, size_t n, const char *quantity, const char *group)
{
    for (size_t r = 0; r < NQNAMES; r++) {
        int named = 0;
        for (const char *p = qnames[r].names; *p && !named;) {
            const char *bar = strchr(p, '|');
            size_t nl = bar ? (size_t)(bar - p) : strlen(p);
            named = has_ci(s, n, p, nl);
            p += nl + (bar ? 1 : 0);
        }
        if (!named)
            continue;
        if (qnames[r].quantity ? !strcmp(qnames[r].quantity, quantity)
                               : group && !strcmp(qnames[r].group, group))
            return 1;
    }
    return 0;
}

int eng_reg_scope_covers(const char *scope, const char *quantity)
{
    const char *group = group_of(quantity);
    const char *s = scope;
    while (*s) {
        size_t n = 0, sep;
        while (s[n] && !separator(s + n))
            n++;
        if (item_covers(s, n, quantity, group))
            return 1;
        s += n;
        while ((sep = separator(s)))
            s += sep;
    }
    return 0;
}
