/*
 * imp_value: the value readers of table cells (see imp_value.h for the forms
 * read).  Every reader folds the cell first (trimmed, full-width digits as
 * ASCII) and either fills its outputs or says why it cannot.
 */
#include "importers/imp_value.h"

#include "engine/eng_placeholder.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- text helpers ------------------------------------------------------------ */

/* Length of the white space (ASCII, U+00A0, U+3000) at p, 0 when none. */
static size_t space_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n' || *u == '\v' || *u == '\f')
        return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    return 0;
}

void imp_value_trim(const char *s, size_t n, const char **start, size_t *len)
{
    size_t a = 0, k;
    while (a < n && (k = space_len(s + a)) > 0)
        a += k;
    size_t b = n;
    for (;;) {
        if (b > a && strchr(" \t\r\n\v\f", s[b - 1]))
            b--;
        else if (b >= a + 2 && (unsigned char)s[b - 2] == 0xC2 && (unsigned char)s[b - 1] == 0xA0)
            b -= 2;
        else if (b >= a + 3 && (unsigned char)s[b - 3] == 0xE3 && (unsigned char)s[b - 2] == 0x80 &&
                 (unsigned char)s[b - 1] == 0x80)
            b -= 3;
        else
            break;
    }
    *start = s + a;
    *len = b - a;
}

int imp_value_is_blank(const char *s)
{
    const char *t;
    size_t n;
    imp_value_trim(s, strlen(s), &t, &n);
    return n == 0;
}

int imp_value_fold(const char *s, char *out, size_t cap)
{
    const char *t;
    size_t n, o = 0;
    imp_value_trim(s, strlen(s), &t, &n);
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)t + i;
        if (i + 2 < n && u[0] == 0xEF && (u[1] == 0xBC || u[1] == 0xBD)) {
            unsigned cp = ((unsigned)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
            cp |= 0xF000;
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                if (o + 1 >= cap)
                    return 0;
                out[o++] = (char)(cp - 0xFF01 + 0x21);
                i += 3;
                continue;
            }
        }
        if (i + 2 < n && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
            if (o + 1 >= cap)
                return 0;
            out[o++] = ' ';
            i += 3;
            continue;
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = t[i++];
    }
    out[o] = '\0';
    return 1;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* ---- placeholders -------------------------------------------------------------- */

static const char *const numeric_placeholders[] = {
    "0",
    "0.0",
    "0.00",
    "00",
    "0000",
    "0000-00-00",
    "0000-00",
    "00000000",
    "0000/00/00",
    "0000.00.00",
    "0000.00",
    "1900-01-00",
    "0000-00-00 00:00:00",
    NULL,
};

int imp_value_is_placeholder(const char *s, int numeric)
{
    if (eng_placeholder_is(s, strlen(s)))
        return 1;
    char f[64];
    if (!numeric || !imp_value_fold(s, f, sizeof f))
        return 0;
    if (numeric)
        for (size_t i = 0; numeric_placeholders[i]; i++)
            if (!strcmp(f, numeric_placeholders[i]))
                return 1;
    return 0;
}

/* ---- dates --------------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* Reads up to max digits at *p.  Returns the count, OUT: *v. */
static int digits(const char **p, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n;
}

/* What a date's text ends with after the day: nothing, or a time of day. */
static int time_tail_ok(const char *p)
{
    if (!*p)
        return 1;
    if (*p != ' ' && *p != 'T')
        return 0;
    p++;
    p = skip_spaces(p);
    if (!isdigit((unsigned char)*p))
        return 0;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr(":.Z+- ", *p))
            return 0;
    return 1;
}

/* Parses a whole folded string as a date.  Returns 1 and fills out, 0 when it
 * is not a date form, -1 when it is a day-first / month-first form, -2 when
 * it has the form of a date but names no calendar day (2019-13, 2019-02-30,
 * or a year outside 1900-2200). */
static int parse_numeric_date(const char *s, char out[11])
{
    const char *p = s;
    int y, m = 0, d = 0;
    int nd = digits(&p, 8, &y);
    if (nd == 8 && !*p) { /* 20190701 */
        d = y % 100;
        m = y / 100 % 100;
        y /= 10000;
    } else if (nd == 6 && !*p) { /* 201907 */
        m = y % 100;
        y /= 100;
    } else if (nd == 1 || nd == 2) {
        /* 7/1/2019, 01.07.2019: which is the month? */
        if (*p == '/' || *p == '.' || *p == '-') {
            const char *q = p + 1;
            int v;
            if (digits(&q, 2, &v) >= 1 && (*q == '/' || *q == '.' || *q == '-')) {
                q++;
                if (digits(&q, 4, &v) == 4 && !*q)
                    return -1;
            }
        }
        return 0;
    } else if (nd != 4) {
        return 0;
    } else if (!*p) {
        /* YYYY */
    } else if (starts_with(skip_spaces(p), "年")) {
        p = skip_spaces(skip_spaces(p) + 3);
        if (*p) {
            if (digits(&p, 2, &m) < 1)
                return 0;
            p = skip_spaces(p);
            if (!starts_with(p, "月"))
                return 0;
            p = skip_spaces(p + 3);
            if (*p) {
                if (digits(&p, 2, &d) < 1)
                    return 0;
                p = skip_spaces(p);
                if (starts_with(p, "日") || starts_with(p, "号"))
                    p += 3;
                if (*skip_spaces(p))
                    return 0;
            }
        }
    } else if (*p == '-' || *p == '/' || *p == '.') {
        char sep = *p++;
        if (digits(&p, 2, &m) < 1)
            return 0;
        if (*p == sep) {
            p++;
            if (digits(&p, 2, &d) < 1)
                return 0;
            if (!time_tail_ok(p))
                return 0;
        } else if (*p) {
            return 0;
        }
    } else {
        return 0;
    }
    if (!m)
        d = 0; /* 2017-00-16: the month is unknown, so is the day: the year */
    if (y < 1900 || y > 2200 || (m && (m < 1 || m > 12)) || (d && (!m || d > days_in_month(y, m))))
        return -2; /* the form of a date, but no such day */
    char tmp[32];
    if (d)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    else if (m)
        snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
    else
        snprintf(tmp, sizeof tmp, "%04d", y);
    memcpy(out, tmp, 11);
    return 1;
}

static const char *const month_names[] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};

/* A month's English name or its abbreviation of three or more letters
 * ("Aug", "Sept", "August", "Aug."), at *p.  Returns 1-12 and moves *p past
 * it, or 0. */
static int month_word(const char **p)
{
    const char *q = *p;
    size_t n = 0;
    while (isalpha((unsigned char)q[n]))
        n++;
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (n <= strlen(month_names[m]) && !strncasecmp(q, month_names[m], n)) {
            q += n;
            if (*q == '.')
                q++;
            *p = q;
            return m + 1;
        }
    return 0;
}

/* Dates with a month's name: "Aug 2014", "August 2014", "Aug 15, 2014",
 * "15 Aug 2014", "15-Aug-2014", "2014 Aug".  Returns as parse_date. */
static int parse_month_date(const char *s, char out[11])
{
    const char *p = s;
    int y = 0, m = 0, d = 0, v;
    if (isdigit((unsigned char)*p)) {
        int nd = digits(&p, 4, &v);
        if (nd == 4) { /* 2014 Aug */
            y = v;
            p = skip_spaces(p);
            if (*p == '-' || *p == '/')
                p++;
            if (!(m = month_word(&p)))
                return 0;
        } else { /* 15 Aug 2014 */
            d = v;
            p = skip_spaces(p);
            if (*p == '-' || *p == '/')
                p++;
            if (!(m = month_word(&p)))
                return 0;
            p = skip_spaces(p);
            if (*p == '-' || *p == '/' || *p == ',')
                p = skip_spaces(p + 1);
            if (digits(&p, 4, &y) != 4)
                return 0;
        }
    } else { /* Aug 2014, Aug 15, 2014 */
        if (!(m = month_word(&p)))
            return 0;
        p = skip_spaces(p);
        if (*p == '-' || *p == '/' || *p == ',')
            p = skip_spaces(p + 1);
        int nd = digits(&p, 4, &v);
        if (nd == 4) {
            y = v;
        } else if (nd >= 1) {
            d = v;
            p = skip_spaces(p);
            if (*p == ',' || *p == '-' || *p == '/')
                p = skip_spaces(p + 1);
            if (digits(&p, 4, &y) != 4)
                return 0;
        } else {
            return 0;
        }
    }
    if (*skip_spaces(p))
        return 0;
    if (y < 1900 || y > 2200 || (d && d > days_in_month(y, m)))
        return -2;
    char tmp[32];
    if (d)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
    memcpy(out, tmp, 11);
    return 1;
}

/* Any date form: numeric first, then with a month's name. */
static int parse_date(const char *s, char out[11])
{
    int r = parse_numeric_date(s, out);
    return r == 0 ? parse_month_date(s, out) : r;
}

int imp_value_date(const char *s, char out[11], eng_err *err)
{
    char f[128];
    out[0] = '\0';
    if (imp_value_is_placeholder(s, 1))
        return ENG_OK;
    if (imp_value_fold(s, f, sizeof f)) {
        int r = parse_date(f, out);
        if (r == 1)
            return ENG_OK;
        if (r == -1)
            return eng_fail(err, ENG_EINPUT,
                            "the order of day and month in \"%s\" is ambiguous; write the date as "
                            "YYYY-MM-DD",
                            f);
        if (r == -2)
            return eng_fail(err, ENG_EINPUT,
                            "\"%s\" is not a calendar date (month 1-12, a day of that month, "
                            "year 1900-2200)",
                            f);
    }
    out[0] = '\0';
    return eng_fail(
        err, ENG_EINPUT,
        "expected a date (2019-07-01, 2019.07, 2019/7/1, 2019年7月1日...), got \"%.80s\"", s);
}

/* Separators of a period, longest first. */
static const char *const period_seps[] = {"——", "—", "–", "至", "到", "~", "-", " to ", NULL};

static int is_open_end(const char *s)
{
    return !*s || !strcmp(s, "至今") || !strcmp(s, "今") || !strcasecmp(s, "present") ||
           !strcasecmp(s, "now") || !strcmp(s, "现在");
}

int imp_value_period(const char *s, char start[11], char end[11], eng_err *err)
{
    char f[160], left[160];
    start[0] = end[0] = '\0';
    if (imp_value_is_placeholder(s, 1))
        return ENG_OK;
    if (!imp_value_fold(s, f, sizeof f))
        return eng_fail(err, ENG_EINPUT, "expected a period (2018.01-2020.12), got \"%.80s\"", s);
    int found = 0;
    char a[11] = "", b[11] = "", no_day[64] = "";
    for (size_t i = 1; f[i]; i++) {
        for (size_t k = 0; period_seps[k]; k++) {
            size_t sl = strlen(period_seps[k]);
            if (strncmp(f + i, period_seps[k], sl) != 0)
                continue;
            memcpy(left, f, i);
            left[i] = '\0';
            size_t ll = i;
            while (ll > 0 && left[ll - 1] == ' ')
                left[--ll] = '\0';
            const char *right = skip_spaces(f + i + sl);
            char ta[11], tb[11] = "";
            char rt[160];
            snprintf(rt, sizeof rt, "%s", right);
            size_t rl = strlen(rt);
            while (rl > 0 && rt[rl - 1] == ' ')
                rt[--rl] = '\0';
            int ra = parse_date(left, ta);
            int rb = is_open_end(rt) ? 1 : parse_date(rt, tb);
            if ((ra == -2 && rb != 0) || (rb == -2 && ra != 0))
                snprintf(no_day, sizeof no_day, "%.60s", ra == -2 ? left : rt);
            if (ra != 1 || rb != 1)
                continue;
            if (found && (strcmp(ta, a) || strcmp(tb, b)))
                return eng_fail(err, ENG_EINPUT,
                                "the period \"%s\" can be read in two ways; write it as "
                                "YYYY-MM-DD~YYYY-MM-DD",
                                f);
            found = 1;
            memcpy(a, ta, sizeof a);
            memcpy(b, tb, sizeof b);
            break;
        }
    }
    if (!found) {
        if (parse_date(f, a) == 1) {
            memcpy(start, a, 11);
            return ENG_OK;
        }
        if (no_day[0])
            return eng_fail(err, ENG_EINPUT,
                            "in the period \"%s\", \"%s\" is not a calendar date (month 1-12, "
                            "a day of that month, year 1900-2200)",
                            f, no_day);
        return eng_fail(err, ENG_EINPUT,
                        "expected a period (2018.01-2020.12, 2018年1月至2020年12月), got \"%.80s\"",
                        s);
    }
    if (b[0] && strcmp(a, b) > 0)
        return eng_fail(err, ENG_EINPUT, "the period \"%s\" ends before it starts", f);
    memcpy(start, a, 11);
    memcpy(end, b, 11);
    return ENG_OK;
}

/* ---- amounts --------------------------------------------------------------------- */

typedef struct unit_word {
    const char *text;
    const char *currency; /* NULL: a multiplier only */
    int multiplier;       /* 1: the word is a multiplier (千 万 亿) */
} unit_word;

/* Longest first within each group, as they are tried in order. */
static const unit_word unit_words[] = {
    {"万美元", "USD", 1}, {"万欧元", "EUR", 1}, {"万英镑", "GBP", 1}, {"万元", "CNY", 1},
    {"千元", "CNY", 1},   {"亿元", "CNY", 1},   {"百万元", "CNY", 1}, {"美元", "USD", 0},
    {"欧元", "EUR", 0},   {"英镑", "GBP", 0},   {"人民币", "CNY", 0}, {"元", "CNY", 0},
    {"万", NULL, 1},      {"千", NULL, 1},      {"亿", NULL, 1},      {"US$", "USD", 0},
    {"USD", "USD", 0},    {"CNY", "CNY", 0},    {"RMB", "CNY", 0},    {"EUR", "EUR", 0},
    {"GBP", "GBP", 0},    {"$", "USD", 0},      {"¥", "CNY", 0},      {"￥", "CNY", 0},
    {"€", "EUR", 0},      {"£", "GBP", 0},      {NULL, NULL, 0},
};

/* Reads unit words at *p (any number, spaces between).  OUT: unit (the
 * multipliers as written), currency.  Returns how many words were read. */
static int read_units(const char **p, char unit[32], char currency[8])
{
    int n = 0;
    for (;;) {
        const char *q = skip_spaces(*p);
        const unit_word *hit = NULL;
        for (const unit_word *w = unit_words; w->text; w++)
            if (!strncasecmp(q, w->text, strlen(w->text))) {
                hit = w;
                break;
            }
        if (!hit)
            return n;
        if (hit->multiplier)
            snprintf(unit, 32, "%s", hit->text);
        if (hit->currency)
            snprintf(currency, 8, "%s", hit->currency);
        *p = q + strlen(hit->text);
        n++;
    }
}

int imp_value_units(const char *s, char unit[32], char currency[8])
{
    const char *p = s;
    return read_units(&p, unit, currency) > 0 && !*skip_spaces(p);
}

/* Reads a number with optional thousands separators (in groups of three) and
 * exponent.  OUT: number without the separators.  Returns 1 or 0. */
static int read_number(const char **p, char number[64])
{
    const char *q = *p;
    size_t o = 0;
    int int_digits = 0, group = -1;
    while (isdigit((unsigned char)*q) || (*q == ',' && isdigit((unsigned char)q[1]))) {
        if (*q == ',') {
            if ((group == -1 && (int_digits < 1 || int_digits > 3)) || (group != -1 && group != 3))
                return 0;
            group = 0;
            q++;
            continue;
        }
        if (group != -1)
            group++;
        if (o + 1 >= 63)
            return 0;
        number[o++] = *q++;
        int_digits++;
    }
    if (!int_digits || (group != -1 && group != 3))
        return 0;
    if (*q == '.' && isdigit((unsigned char)q[1])) {
        number[o++] = *q++;
        while (isdigit((unsigned char)*q) && o < 62)
            number[o++] = *q++;
    }
    if ((*q == 'e' || *q == 'E') &&
        (isdigit((unsigned char)q[1]) ||
         ((q[1] == '+' || q[1] == '-') && isdigit((unsigned char)q[2])))) {
        number[o++] = *q++;
        if (*q == '+' || *q == '-')
            number[o++] = *q++;
        while (isdigit((unsigned char)*q) && o < 62)
            number[o++] = *q++;
    }
    number[o] = '\0';
    *p = q;
    return 1;
}

int imp_value_amount(const char *s, const char *header_unit, char number[64], char unit[32],
                     char currency[8], eng_err *err)
{
    char f[128];
    number[0] = unit[0] = currency[0] = '\0';
    if (imp_value_is_placeholder(s, 1))
        return ENG_OK;
    if (!imp_value_fold(s, f, sizeof f))
        goto bad;
    const char *p = f;
    if (*p == '-' || *p == '(' || starts_with(p, "−"))
        return eng_fail(err, ENG_EINPUT, "a negative amount: \"%s\"", f);
    int nunits = read_units(&p, unit, currency);
    p = skip_spaces(p);
    if (*p == '-')
        return eng_fail(err, ENG_EINPUT, "a negative amount: \"%s\"", f);
    if (!read_number(&p, number))
        goto bad;
    nunits += read_units(&p, unit, currency);
    if (*skip_spaces(p))
        goto bad;
    if (!nunits && header_unit && *header_unit) {
        const char *h = header_unit;
        read_units(&h, unit, currency);
    }
    if (strtod(number, NULL) == 0) {
        number[0] = unit[0] = currency[0] = '\0';
        return ENG_OK; /* 0 where an amount is expected: no amount */
    }
    return ENG_OK;
bad:
    number[0] = unit[0] = currency[0] = '\0';
    return eng_fail(err, ENG_EINPUT,
                    "expected an amount (1200, 1,234.5, 120万元, $1.2E+06), got \"%.80s\"", s);
}

/* ---- TRL --------------------------------------------------------------------------- */

int imp_value_trl(const char *s, int *level, eng_err *err)
{
    static const char *const cn[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};
    char f[64];
    *level = 0;
    if (imp_value_is_placeholder(s, 1))
        return ENG_OK;
    if (!imp_value_fold(s, f, sizeof f))
        goto bad;
    const char *p = f;
    if (!strncasecmp(p, "trl", 3)) {
        p = skip_spaces(p + 3);
        if (*p == '-' || *p == ':' || *p == '=')
            p = skip_spaces(p + 1);
    }
    if (starts_with(p, "第"))
        p += 3;
    int v = -1;
    for (int i = 0; i < 9; i++)
        if (starts_with(p, cn[i])) {
            v = i + 1;
            p += 3;
            break;
        }
    if (v < 0) {
        if (!isdigit((unsigned char)*p) || isdigit((unsigned char)p[1]))
            goto bad;
        v = *p++ - '0';
        if (*p == '.') { /* 6.0 */
            p++;
            if (!isdigit((unsigned char)*p))
                goto bad;
            while (*p == '0')
                p++;
            if (isdigit((unsigned char)*p))
                goto bad;
        }
    }
    p = skip_spaces(p);
    if (starts_with(p, "级") || starts_with(p, "級"))
        p += 3;
    if (*skip_spaces(p) || v < 1 || v > 9)
        goto bad;
    *level = v;
    return ENG_OK;
bad:
    return eng_fail(err, ENG_EINPUT, "expected a TRL level 1-9 (6, TRL 6, 6级), got \"%.40s\"", s);
}

/* ---- HTML in text ------------------------------------------------------------------ */

typedef struct entity {
    const char *name;
    const char *text;
} entity;

static const entity entities[] = {
    {"amp", "&"},   {"lt", "<"},     {"gt", ">"},     {"quot", "\""}, {"apos", "'"},
    {"nbsp", " "},  {"ndash", "–"},  {"mdash", "—"},  {"lsquo", "‘"}, {"rsquo", "’"},
    {"ldquo", "“"}, {"rdquo", "”"},  {"hellip", "…"}, {"deg", "°"},   {"plusmn", "±"},
    {"micro", "µ"}, {"times", "×"},  {"middot", "·"}, {"reg", "®"},   {"copy", "©"},
    {"trade", "™"}, {"eacute", "é"}, {"egrave", "è"}, {"uuml", "ü"},  {"ouml", "ö"},
    {"auml", "ä"},  {"szlig", "ß"},  {"alpha", "α"},  {"beta", "β"},  {"gamma", "γ"},
    {"delta", "δ"}, {"mu", "μ"},     {"le", "≤"},     {"ge", "≥"},    {NULL, NULL},
};

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* An entity at p ('&'): its decoded bytes into o.  Returns the length of
 * the entity in p (0: not an entity), OUT: *olen. */
static size_t entity_at(const char *p, char o[8], size_t *olen)
{
    if (p[1] == '#') {
        const char *q = p + 2;
        int hex = *q == 'x' || *q == 'X';
        q += hex;
        unsigned long cp = 0;
        size_t n = 0;
        while (n < 8 && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q))) {
            int dv =
                isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10);
            cp = cp * (hex ? 16 : 10) + (unsigned long)dv;
            q++;
            n++;
        }
        if (!n || *q != ';' || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            return 0;
        *olen = put_utf8(o, cp);
        return (size_t)(q + 1 - p);
    }
    for (const entity *e = entities; e->name; e++) {
        size_t n = strlen(e->name);
        if (!strncmp(p + 1, e->name, n) && p[1 + n] == ';') {
            *olen = strlen(e->text);
            memcpy(o, e->text, *olen);
            return n + 2;
        }
    }
    return 0;
}

/* A tag at p ('<'): <b>, </p>, <br/>, <a href="...">.  Returns its length,
 * 0 when p is not a tag (a "<" in "x < 5" stays).  OUT: *block, 1 for a tag
 * that breaks a line (br, p, div, li). */
static size_t tag_at(const char *p, int *block)
{
    const char *q = p + 1;
    if (*q == '/')
        q++;
    if (!isalpha((unsigned char)*q))
        return 0;
    const char *name = q;
    while (isalnum((unsigned char)*q))
        q++;
    size_t nl = (size_t)(q - name);
    if (nl > 10 || (*q != '>' && *q != ' ' && *q != '/'))
        return 0;
    static const char *const known[] = {
        "a",    "b",     "i",   "u",    "em", "strong", "br",   "p",   "div", "span", "sup",
        "sub",  "li",    "ul",  "ol",   "h1", "h2",     "h3",   "h4",  "td",  "tr",   "table",
        "font", "small", "big", "font", "hr", "img",    "code", "pre", NULL};
    int ok = 0;
    for (size_t i = 0; known[i] && !ok; i++)
        ok = strlen(known[i]) == nl && !strncasecmp(name, known[i], nl);
    if (!ok)
        return 0;
    const char *e = strchr(q, '>');
    if (!e || e - p > 400)
        return 0;
    *block = (nl == 2 && !strncasecmp(name, "br", 2)) || (nl == 1 && tolower(*name) == 'p') ||
             (nl == 3 && !strncasecmp(name, "div", 3)) || (nl == 2 && !strncasecmp(name, "li", 2));
    return (size_t)(e + 1 - p);
}

/* One pass of decoding; NULL when nothing changed or memory ran out. */
static char *decode_once(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int changed = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '&') {
            char buf[8];
            size_t bl = 0, el = entity_at(s + i, buf, &bl);
            if (el) {
                memcpy(out + o, buf, bl);
                o += bl;
                i += el;
                changed = 1;
                continue;
            }
        } else if (s[i] == '<') {
            int block = 0;
            size_t tl = tag_at(s + i, &block);
            if (tl) {
                if (block && o > 0 && out[o - 1] != '\n' && out[o - 1] != ' ')
                    out[o++] = '\n';
                i += tl;
                changed = 1;
                continue;
            }
        }
        out[o++] = s[i++];
    }
    while (o > 0 && changed && (out[o - 1] == '\n' || out[o - 1] == ' '))
        o--; /* a break left by a closing </p> */
    out[o] = '\0';
    if (!changed) {
        free(out);
        return NULL;
    }
    return out;
}

char *imp_value_text(const char *s)
{
    if (!strchr(s, '&') && !strchr(s, '<'))
        return NULL;
    char *once = decode_once(s);
    /* "&amp;#039;": entities escaped twice are decoded twice */
    if (once && strstr(s, "&amp;") && strchr(once, '&')) {
        char *twice = decode_once(once);
        if (twice) {
            free(once);
            once = twice;
        }
    }
    return once;
}
