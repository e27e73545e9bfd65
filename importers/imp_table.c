/*
 * imp_table: header mapping, value parsing and the indicators table (see
 * imp_table.h for the rules; this file holds the alias tables).
 *
 * Per row the work is linear in its cells: the mapping is decided once, at
 * the header, into one target per column.
 */
#include "importers/imp_table.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
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

/* Trims s[0..n) of white space at both ends.  OUT: *start, *len. */
static void trim_span(const char *s, size_t n, const char **start, size_t *len)
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

static int is_blank(const char *s)
{
    const char *t;
    size_t n;
    trim_span(s, strlen(s), &t, &n);
    return n == 0;
}

/* Copies s trimmed, with full-width ASCII forms (U+FF01-U+FF5E) and the
 * ideographic space folded to ASCII, into out (cap bytes).  Returns 0 when
 * it did not fit.  Used for values that are read, not for stored text. */
static int fold(const char *s, char *out, size_t cap)
{
    const char *t;
    size_t n, o = 0;
    trim_span(s, strlen(s), &t, &n);
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

static const char *const placeholders[] = {
    "无", "暂无", "没有", "—",    "——",  "–",    "-",    "--",   "---", "/", "\\",  "n/a",
    "na", "n.a.", "null", "none", "nil", "#n/a", "不详", "待定", "空",  "…", "...", NULL,
};
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
    char f[64];
    if (!fold(s, f, sizeof f))
        return 0;
    if (!f[0])
        return 1;
    for (size_t i = 0; placeholders[i]; i++)
        if (!strcasecmp(f, placeholders[i]))
            return 1;
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
static int parse_date(const char *s, char out[11])
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

int imp_value_date(const char *s, char out[11], eng_err *err)
{
    char f[128];
    out[0] = '\0';
    if (imp_value_is_placeholder(s, 1))
        return ENG_OK;
    if (fold(s, f, sizeof f)) {
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
    if (!fold(s, f, sizeof f))
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
    if (!fold(s, f, sizeof f))
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
    if (!fold(s, f, sizeof f))
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

/* ---- aliases ------------------------------------------------------------------------ */

enum { T_NONE, T_FIELD, T_PERIOD, T_EXTRA };

typedef struct alias {
    const char *key;    /* normalised header */
    const char *target; /* field name, "period", or "extra:KEY" */
} alias;

/* Keys are normalised as header_key() does: ASCII lower case, no spaces,
 * '_', '-', '.', ':', '*', '#'. */
static const alias record_aliases[] = {
    /* id */
    {"id", "id"},
    {"项目编号", "id"},
    {"项目批准号", "id"},
    {"批准号", "id"},
    {"编号", "id"},
    {"项目号", "id"},
    {"项目代码", "id"},
    {"项目id", "id"},
    {"课题编号", "id"},
    {"课题号", "id"},
    {"合同编号", "id"},
    {"任务书编号", "id"},
    {"立项编号", "id"},
    {"申请号", "id"},
    {"申请编号", "id"},
    {"申报编号", "id"},
    {"projectid", "id"},
    {"projectno", "id"},
    {"projectnumber", "id"},
    {"projectcode", "id"},
    {"awardid", "id"},
    {"awardnumber", "id"},
    {"awardno", "id"},
    {"grantid", "id"},
    {"grantnumber", "id"},
    {"grantno", "id"},
    {"sbirid", "id"},
    {"rcn", "id"},
    {"briefrcn", "id"},
    {"recordid", "id"},
    /* kind, source */
    {"kind", "kind"},
    {"记录类型", "kind"},
    {"source", "source"},
    {"来源", "source"},
    {"项目来源", "source"},
    {"计划", "source"},
    {"计划名称", "source"},
    {"资助机构", "source"},
    {"资助计划", "source"},
    {"program", "source"},
    {"programme", "source"},
    {"programtitle", "source"},
    {"fundingprogram", "source"},
    {"fundingprogramme", "source"},
    /* title */
    {"title", "title"},
    {"项目名称", "title"},
    {"课题名称", "title"},
    {"名称", "title"},
    {"标题", "title"},
    {"题目", "title"},
    {"项目题目", "title"},
    {"项目标题", "title"},
    {"成果名称", "title"},
    {"projecttitle", "title"},
    {"projectname", "title"},
    {"awardtitle", "title"},
    /* abstract */
    {"abstract", "abstract"},
    {"摘要", "abstract"},
    {"项目摘要", "abstract"},
    {"中文摘要", "abstract"},
    {"内容摘要", "abstract"},
    {"研究内容", "abstract"},
    {"主要研究内容", "abstract"},
    {"研究内容摘要", "abstract"},
    {"项目简介", "abstract"},
    {"简介", "abstract"},
    {"内容简介", "abstract"},
    {"项目内容", "abstract"},
    {"description", "abstract"},
    {"projectdescription", "abstract"},
    {"summary", "abstract"},
    {"teaser", "abstract"},
    {"objective", "abstract"},
    {"objectives", "abstract"},
    /* keywords */
    {"keywords", "keywords"},
    {"keyword", "keywords"},
    {"关键词", "keywords"},
    {"关键字", "keywords"},
    {"主题词", "keywords"},
    /* organisation */
    {"organisation", "organisation"},
    {"organization", "organisation"},
    {"承担单位", "organisation"},
    {"依托单位", "organisation"},
    {"工作单位", "organisation"},
    {"申请单位", "organisation"},
    {"项目承担单位", "organisation"},
    {"牵头单位", "organisation"},
    {"牵头承担单位", "organisation"},
    {"单位", "organisation"},
    {"单位名称", "organisation"},
    {"所在单位", "organisation"},
    {"机构", "organisation"},
    {"机构名称", "organisation"},
    {"firm", "organisation"},
    {"company", "organisation"},
    {"companyname", "organisation"},
    {"institution", "organisation"},
    {"leadorg", "organisation"},
    {"leadorganization", "organisation"},
    {"leadorganisation", "organisation"},
    {"awardee", "organisation"},
    {"recipient", "organisation"},
    {"coordinator", "organisation"},
    /* pi */
    {"pi", "pi"},
    {"负责人", "pi"},
    {"项目负责人", "pi"},
    {"主持人", "pi"},
    {"项目主持人", "pi"},
    {"申请人", "pi"},
    {"课题负责人", "pi"},
    {"首席科学家", "pi"},
    {"principalinvestigator", "pi"},
    {"piname", "pi"},
    {"projectleader", "pi"},
    {"leader", "pi"},
    {"investigator", "pi"},
    /* field */
    {"field", "field"},
    {"学科", "field"},
    {"学科分类", "field"},
    {"学科领域", "field"},
    {"领域", "field"},
    {"所属领域", "field"},
    {"技术领域", "field"},
    {"研究领域", "field"},
    {"所属学科", "field"},
    {"discipline", "field"},
    {"subject", "field"},
    {"researcharea", "field"},
    {"primarytxtitle", "field"},
    {"taxonomy", "field"},
    /* start, end, period */
    {"start", "start"},
    {"startdate", "start"},
    {"begin", "start"},
    {"begindate", "start"},
    {"立项时间", "start"},
    {"立项日期", "start"},
    {"立项年度", "start"},
    {"立项年份", "start"},
    {"开始时间", "start"},
    {"开始日期", "start"},
    {"起始时间", "start"},
    {"起始日期", "start"},
    {"项目开始时间", "start"},
    {"year", "start"},
    {"awardyear", "start"},
    {"批准年份", "start"},
    {"批准年度", "start"},
    {"年度", "start"},
    {"资助年度", "start"},
    {"end", "end"},
    {"enddate", "end"},
    {"结束时间", "end"},
    {"结束日期", "end"},
    {"截止时间", "end"},
    {"截止日期", "end"},
    {"终止时间", "end"},
    {"终止日期", "end"},
    {"完成时间", "end"},
    {"项目结束时间", "end"},
    {"period", "period"},
    {"起止年月", "period"},
    {"起止时间", "period"},
    {"起止日期", "period"},
    {"执行期限", "period"},
    {"执行期", "period"},
    {"执行年限", "period"},
    {"研究期限", "period"},
    {"项目周期", "period"},
    {"项目期限", "period"},
    {"实施期限", "period"},
    {"起止年限", "period"},
    /* budget, currency */
    {"budget", "budget"},
    {"amount", "budget"},
    {"awardamount", "budget"},
    {"funding", "budget"},
    {"fundingamount", "budget"},
    {"totalcost", "budget"},
    {"totalfunding", "budget"},
    {"ecmaxcontribution", "budget"},
    {"eucontribution", "budget"},
    {"金额", "budget"},
    {"经费", "budget"},
    {"资助金额", "budget"},
    {"批准金额", "budget"},
    {"项目经费", "budget"},
    {"总经费", "budget"},
    {"资助经费", "budget"},
    {"拨款", "budget"},
    {"批准经费", "budget"},
    {"合同金额", "budget"},
    {"项目金额", "budget"},
    {"currency", "currency"},
    {"币种", "currency"},
    {"货币", "currency"},
    /* TRL */
    {"trlstart", "trl_start"},
    {"trlbegin", "trl_start"},
    {"起始trl", "trl_start"},
    {"初始trl", "trl_start"},
    {"起始技术成熟度", "trl_start"},
    {"初始技术成熟度", "trl_start"},
    {"立项技术成熟度", "trl_start"},
    {"立项时技术成熟度", "trl_start"},
    {"trltarget", "trl_target"},
    {"trlend", "trl_target"},
    {"trlgoal", "trl_target"},
    {"目标trl", "trl_target"},
    {"目标技术成熟度", "trl_target"},
    {"预期技术成熟度", "trl_target"},
    {"预期trl", "trl_target"},
    {"trlclaimed", "acceptance.trl_claimed"},
    {"trlcurrent", "acceptance.trl_claimed"},
    {"trl", "acceptance.trl_claimed"},
    {"技术成熟度", "acceptance.trl_claimed"},
    {"当前技术成熟度", "acceptance.trl_claimed"},
    {"当前trl", "acceptance.trl_claimed"},
    {"验收技术成熟度", "acceptance.trl_claimed"},
    {"达到技术成熟度", "acceptance.trl_claimed"},
    {"实际技术成熟度", "acceptance.trl_claimed"},
    /* 技术就绪度 / 技术就绪水平 (GB/T 22900's wording) as well as 技术成熟度 */
    {"起始技术就绪度", "trl_start"},
    {"初始技术就绪度", "trl_start"},
    {"立项技术就绪度", "trl_start"},
    {"立项时技术就绪度", "trl_start"},
    {"起始技术就绪水平", "trl_start"},
    {"初始技术就绪水平", "trl_start"},
    {"目标技术就绪度", "trl_target"},
    {"预期技术就绪度", "trl_target"},
    {"目标技术就绪水平", "trl_target"},
    {"预期技术就绪水平", "trl_target"},
    {"技术就绪度", "acceptance.trl_claimed"},
    {"技术就绪水平", "acceptance.trl_claimed"},
    {"就绪度", "acceptance.trl_claimed"},
    {"验收技术就绪度", "acceptance.trl_claimed"},
    {"当前技术就绪度", "acceptance.trl_claimed"},
    {"达到技术就绪度", "acceptance.trl_claimed"},
    {"实际技术就绪度", "acceptance.trl_claimed"},
    {"trl等级", "acceptance.trl_claimed"},
    /* acceptance */
    {"acceptancedate", "acceptance.date"},
    {"结项时间", "acceptance.date"},
    {"结项日期", "acceptance.date"},
    {"结题时间", "acceptance.date"},
    {"结题日期", "acceptance.date"},
    {"验收时间", "acceptance.date"},
    {"验收日期", "acceptance.date"},
    {"completiondate", "acceptance.date"},
    {"conclusion", "acceptance.conclusion"},
    {"acceptanceconclusion", "acceptance.conclusion"},
    {"成果等级", "acceptance.conclusion"},
    {"验收结论", "acceptance.conclusion"},
    {"总评", "acceptance.conclusion"},
    {"结题结论", "acceptance.conclusion"},
    {"验收结果", "acceptance.conclusion"},
    {"评价结果", "acceptance.conclusion"},
    {"结题评价", "acceptance.conclusion"},
    {"评估结果", "acceptance.conclusion"},
    {"结题等级", "acceptance.conclusion"},
    {"验收等级", "acceptance.conclusion"},
    {"acceptancesummary", "acceptance.summary"},
    {"验收意见", "acceptance.summary"},
    {"结题摘要", "acceptance.summary"},
    {"结题报告摘要", "acceptance.summary"},
    {"成果简介", "acceptance.summary"},
    {"成果摘要", "acceptance.summary"},
    {"成果概述", "acceptance.summary"},
    {"outcomes", "acceptance.outcomes"},
    {"outputs", "acceptance.outcomes"},
    {"results", "acceptance.outcomes"},
    {"主要成果", "acceptance.outcomes"},
    {"研究成果", "acceptance.outcomes"},
    {"代表性成果", "acceptance.outcomes"},
    {"成果", "acceptance.outcomes"},
    {"项目成果", "acceptance.outcomes"},
    /* common extras */
    {"category", "extra:category"},
    {"项目类别", "extra:category"},
    {"项目类型", "extra:category"},
    {"资助类别", "extra:category"},
    {"类别", "extra:category"},
    {"项目种类", "extra:category"},
    {NULL, NULL},
};

static const alias indicator_aliases[] = {
    {"name", "name"},
    {"indicator", "name"},
    {"indicatorname", "name"},
    {"metric", "name"},
    {"指标", "name"},
    {"指标名称", "name"},
    {"考核指标", "name"},
    {"技术指标", "name"},
    {"性能指标", "name"},
    {"target", "target"},
    {"目标值", "target"},
    {"指标值", "target"},
    {"考核目标", "target"},
    {"预期值", "target"},
    {"合同指标", "target"},
    {"目标", "target"},
    {"achieved", "achieved"},
    {"actual", "achieved"},
    {"完成值", "achieved"},
    {"实际值", "achieved"},
    {"实测值", "achieved"},
    {"达到值", "achieved"},
    {"完成情况", "achieved"},
    {"实现值", "achieved"},
    {"unit", "unit"},
    {"单位", "unit"},
    {"计量单位", "unit"},
    {"method", "method"},
    {"测试方法", "method"},
    {"检测方法", "method"},
    {"测量方法", "method"},
    {"考核方式", "method"},
    {"验证方式", "method"},
    {"lab", "lab"},
    {"laboratory", "lab"},
    {"检测机构", "lab"},
    {"测试机构", "lab"},
    {"检测单位", "lab"},
    {"测试单位", "lab"},
    {"第三方机构", "lab"},
    {"accreditation", "accreditation"},
    {"资质", "accreditation"},
    {"认可", "accreditation"},
    {"认可资质", "accreditation"},
    {"资质认定", "accreditation"},
    {"cnas", "accreditation"},
    {"reportno", "report_no"},
    {"reportnumber", "report_no"},
    {"报告编号", "report_no"},
    {"检测报告编号", "report_no"},
    {"证书编号", "report_no"},
    {"uncertainty", "uncertainty"},
    {"不确定度", "uncertainty"},
    {"测量不确定度", "uncertainty"},
    {NULL, NULL},
};

/* The normalised form of a header: trimmed, ASCII lower case, without
 * ' ' '_' '-' '.' ':' '*' '#' and the full-width colon.  A bracketed part
 * ("金额（万元）", "Amount (USD)") is cut off into OUT: bracket. */
static void header_key(const char *h, char key[256], char bracket[64])
{
    char f[256];
    size_t o = 0;
    bracket[0] = '\0';
    if (!fold(h, f, sizeof f))
        snprintf(f, sizeof f, "%.200s", h);
    /* fold() turned （） 【】 into ASCII where they have ASCII forms */
    const char *p = f;
    while (*p && o + 1 < 256) {
        if (*p == '(' || *p == '[' || starts_with(p, "【") || starts_with(p, "〔")) {
            const char *q = p + (*p == '(' || *p == '[' ? 1 : 3);
            const char *e = q;
            while (*e && *e != ')' && *e != ']' && !starts_with(e, "】") && !starts_with(e, "〕"))
                e++;
            size_t bl = (size_t)(e - q);
            if (bl >= 64)
                bl = 63;
            memcpy(bracket, q, bl);
            bracket[bl] = '\0';
            if (!*e)
                break;
            p = e + (*e == ')' || *e == ']' ? 1 : 3);
            continue;
        }
        if (strchr(" _-.:*#\t", *p)) {
            p++;
            continue;
        }
        key[o++] = (char)tolower((unsigned char)*p);
        p++;
    }
    key[o] = '\0';
}

static const char *find_alias(const alias *tab, const char *key)
{
    for (const alias *a = tab; a->key; a++)
        if (!strcmp(a->key, key))
            return a->target;
    return NULL;
}

/* ---- the map file --------------------------------------------------------------------- */

typedef struct map_col {
    char *header;
    char *key;    /* header_key() of header */
    char *target; /* field, "period", "extra", "extra:KEY", or for indicators "id" */
    char *unit;   /* for budget, or NULL */
} map_col;

struct imp_map {
    map_col *cols, *icols;
    size_t ncols, nicols;
    char *kind, *source;
};

static int is_record_field(const char *name)
{
    for (size_t i = 0; eng_record_fields[i]; i++)
        if (!strcmp(eng_record_fields[i], name))
            return 1;
    return 0;
}

static int is_indicator_field(const char *name)
{
    for (size_t i = 0; eng_indicator_fields[i]; i++)
        if (!strcmp(eng_indicator_fields[i], name))
            return 1;
    return 0;
}

static int map_cols_load(const char *path, const cJSON *obj, int indicators, map_col **out,
                         size_t *n, eng_err *err)
{
    size_t cnt = (size_t)cJSON_GetArraySize(obj);
    map_col *cols = calloc(cnt ? cnt : 1, sizeof *cols);
    if (!cols)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    *out = cols;
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *target = NULL, *unit = NULL;
        if (cJSON_IsString(it)) {
            target = it->valuestring;
        } else if (cJSON_IsObject(it)) {
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "field");
            const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
            target = cJSON_IsString(f) ? f->valuestring : NULL;
            unit = cJSON_IsString(u) ? u->valuestring : NULL;
            if (u && !unit)
                return eng_fail(err, ENG_EINPUT, "%s: column '%s': \"unit\" must be a string", path,
                                it->string);
        }
        if (!target)
            return eng_fail(err, ENG_EINPUT,
                            "%s: column '%s': expected a field name or {\"field\": ..., "
                            "\"unit\": ...}",
                            path, it->string);
        int ok = indicators ? (is_indicator_field(target) || !strcmp(target, "id"))
                            : (is_record_field(target) || !strcmp(target, "period"));
        ok = ok || !strcmp(target, "extra") || (starts_with(target, "extra:") && target[6]);
        if (!ok)
            return eng_fail(err, ENG_EINPUT, "%s: column '%s': unknown %sfield '%s'", path,
                            it->string, indicators ? "indicator " : "", target);
        if (unit) {
            const char *h = unit;
            char u[32] = "", cur[8] = "";
            if (!read_units(&h, u, cur) || *skip_spaces(h))
                return eng_fail(err, ENG_EINPUT,
                                "%s: column '%s': unknown unit '%s' (expected 元, 万元, 千元, "
                                "亿元, USD, 万美元, EUR...)",
                                path, it->string, unit);
        }
        map_col *c = &cols[(*n)++];
        char key[256], br[64];
        header_key(it->string, key, br);
        c->header = strdup(it->string);
        c->key = strdup(key);
        c->target = strdup(target);
        c->unit = unit ? strdup(unit) : NULL;
        if (!c->header || !c->key || !c->target || (unit && !c->unit))
            return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    }
    return ENG_OK;
}

void imp_map_free(imp_map *m)
{
    if (!m)
        return;
    for (int pass = 0; pass < 2; pass++) {
        map_col *cols = pass ? m->icols : m->cols;
        size_t n = pass ? m->nicols : m->ncols;
        for (size_t i = 0; cols && i < n; i++) {
            free(cols[i].header);
            free(cols[i].key);
            free(cols[i].target);
            free(cols[i].unit);
        }
        free(cols);
    }
    free(m->kind);
    free(m->source);
    free(m);
}

int imp_map_load(const char *path, imp_map **out, eng_err *err)
{
    int rc = ENG_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return eng_fail(err, ENG_EIO, "%s: out of memory", path);
            }
            text = t;
        }
        size_t n = fread(text + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    fclose(f);
    text[len] = '\0';
    const char *start = text;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        start += 3;
    cJSON *root = cJSON_Parse(start);
    imp_map *m = calloc(1, sizeof *m);
    if (!m) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto done;
    }
    if (!root || !cJSON_IsObject(root)) {
        rc = eng_fail(err, ENG_EINPUT, "%s: not a JSON object (see imp_table.h for the format)",
                      path);
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        const char *k = it->string;
        if (!strcmp(k, "columns") || !strcmp(k, "indicator_columns")) {
            if (!cJSON_IsObject(it)) {
                rc = eng_fail(err, ENG_EINPUT, "%s: \"%s\" must be an object", path, k);
                goto done;
            }
            int ind = !strcmp(k, "indicator_columns");
            rc = map_cols_load(path, it, ind, ind ? &m->icols : &m->cols,
                               ind ? &m->nicols : &m->ncols, err);
            if (rc != ENG_OK)
                goto done;
        } else if (!strcmp(k, "kind") || !strcmp(k, "source")) {
            if (!cJSON_IsString(it)) {
                rc = eng_fail(err, ENG_EINPUT, "%s: \"%s\" must be a string", path, k);
                goto done;
            }
            char **slot = !strcmp(k, "kind") ? &m->kind : &m->source;
            *slot = strdup(it->valuestring);
        } else {
            rc = eng_fail(err, ENG_EINPUT,
                          "%s: unknown key \"%s\" (expected columns, indicator_columns, kind, "
                          "source)",
                          path, k);
            goto done;
        }
    }
    if (m->kind) {
        eng_record probe;
        eng_record_init(&probe);
        eng_err e2 = {0};
        rc = eng_record_set(&probe, "kind", m->kind, &e2);
        eng_record_release(&probe);
        if (rc != ENG_OK) {
            rc = eng_fail(err, ENG_EINPUT, "%s: %s", path, e2.msg);
            goto done;
        }
    }
    *out = m;
    m = NULL;
done:
    imp_map_free(m);
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* ---- columns -------------------------------------------------------------------------- */

typedef struct column {
    char *name;      /* header as written (trimmed) */
    int kind;        /* T_FIELD, T_PERIOD, T_EXTRA */
    char *field;     /* T_FIELD: canonical name; indicators: "id" or indicator field */
    char *extra_key; /* T_EXTRA */
    char unit[32];   /* budget: the unit from the header or the map */
    int from_map;
} column;

/* Decides one column's target.  taken[] marks fields already given to an
 * earlier column. */
static int map_column(column *c, size_t index, const imp_map *map, int indicators,
                      const char **taken, size_t *ntaken, column *all, eng_err *err)
{
    char key[256], bracket[64];
    header_key(c->name, key, bracket);
    const char *target = NULL, *unit = NULL;
    if (map) {
        const map_col *mc = indicators ? map->icols : map->cols;
        size_t n = indicators ? map->nicols : map->ncols;
        for (size_t i = 0; i < n && !target; i++)
            if (!strcmp(mc[i].header, c->name)) {
                target = mc[i].target;
                unit = mc[i].unit;
            }
        for (size_t i = 0; i < n && !target; i++)
            if (!strcmp(mc[i].key, key) && key[0]) {
                target = mc[i].target;
                unit = mc[i].unit;
            }
        c->from_map = target != NULL;
    }
    const alias *tab = indicators ? indicator_aliases : record_aliases;
    if (!target && key[0]) {
        target = find_alias(tab, key);
        if (indicators && !target && find_alias(record_aliases, key) &&
            !strcmp(find_alias(record_aliases, key), "id"))
            target = "id";
    }
    /* "金额万元", "资助金额/万元": a unit written after the name */
    if (!target && !indicators) {
        static const char *const suffixes[] = {"万元", "千元", "亿元", "元",  "万美元", "美元",
                                               "usd",  "cny",  "rmb",  "eur", NULL};
        for (size_t i = 0; suffixes[i] && !target; i++) {
            size_t kl = strlen(key), sl = strlen(suffixes[i]);
            if (kl > sl && !strcmp(key + kl - sl, suffixes[i])) {
                char base[256];
                memcpy(base, key, kl - sl);
                base[kl - sl] = '\0';
                size_t bl = strlen(base);
                if (bl && base[bl - 1] == '/')
                    base[bl - 1] = '\0';
                const char *t = find_alias(tab, base);
                if (t && !strcmp(t, "budget")) {
                    target = t;
                    snprintf(bracket, sizeof bracket, "%s", suffixes[i]);
                }
            }
        }
    }
    if (target && !strcmp(target, "budget")) {
        /* keep a bracketed part only when it is a unit ("金额(中文)" has none) */
        snprintf(c->unit, sizeof c->unit, "%.31s", unit ? unit : bracket);
        const char *h = c->unit;
        char u[32] = "", cur[8] = "";
        if (!read_units(&h, u, cur) || *skip_spaces(h))
            c->unit[0] = '\0';
    }
    if (target && !strncmp(target, "extra", 5)) {
        c->kind = T_EXTRA;
        c->extra_key = strdup(target[5] == ':' ? target + 6 : c->name);
    } else if (target) {
        const char *f = !strcmp(target, "period") ? "start" : target;
        int clash = 0;
        for (size_t i = 0; i < *ntaken; i++)
            if (!strcmp(taken[i], f) || (!strcmp(target, "period") && !strcmp(taken[i], "end")))
                clash = 1;
        if (clash) {
            target = NULL; /* the first column with this field has it */
        } else {
            c->kind = !strcmp(target, "period") ? T_PERIOD : T_FIELD;
            c->field = strdup(target);
            if (!c->field)
                return eng_fail(err, ENG_EIO, "out of memory");
            taken[(*ntaken)++] = c->kind == T_PERIOD ? "start" : c->field;
            if (c->kind == T_PERIOD)
                taken[(*ntaken)++] = "end";
        }
    }
    if (!target) {
        c->kind = T_EXTRA;
        char name[300];
        if (!c->name[0])
            snprintf(name, sizeof name, "column %zu", index + 1);
        else
            snprintf(name, sizeof name, "%s", c->name);
        /* a repeated name gets " (2)", " (3)"... */
        char uniq[320];
        snprintf(uniq, sizeof uniq, "%s", name);
        for (int k = 2;; k++) {
            int dup = 0;
            for (size_t i = 0; i < index; i++)
                if (all[i].kind == T_EXTRA && all[i].extra_key && !strcmp(all[i].extra_key, uniq))
                    dup = 1;
            if (!dup)
                break;
            snprintf(uniq, sizeof uniq, "%s (%d)", name, k);
        }
        c->extra_key = strdup(uniq);
    }
    if (c->kind == T_EXTRA && !c->extra_key)
        return eng_fail(err, ENG_EIO, "out of memory");
    return ENG_OK;
}

static void columns_free(column *cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++) {
        free(cols[i].name);
        free(cols[i].field);
        free(cols[i].extra_key);
    }
    free(cols);
}

/* Maps every header cell.  OUT: *out, *n. */
static int map_header(const imp_row *hdr, const imp_map *map, int indicators, column **out,
                      size_t *n, eng_err *err)
{
    size_t nc = hdr->ncells;
    while (nc > 0 && is_blank(hdr->cells[nc - 1]))
        nc--; /* trailing empty header cells are no columns */
    column *cols = calloc(nc ? nc : 1, sizeof *cols);
    const char **taken = calloc(2 * nc + 2, sizeof *taken);
    size_t ntaken = 0;
    if (!cols || !taken) {
        free(cols);
        free(taken);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    int rc = ENG_OK;
    for (size_t i = 0; i < nc && rc == ENG_OK; i++) {
        const char *t;
        size_t l;
        trim_span(hdr->cells[i], hdr->lens[i], &t, &l);
        cols[i].name = malloc(l + 1);
        if (!cols[i].name) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        memcpy(cols[i].name, t, l);
        cols[i].name[l] = '\0';
        rc = map_column(&cols[i], i, map, indicators, taken, &ntaken, cols, err);
    }
    free(taken);
    if (rc != ENG_OK) {
        columns_free(cols, nc);
        return rc;
    }
    *out = cols;
    *n = nc;
    return ENG_OK;
}

/* ---- saved rows ------------------------------------------------------------------------ */

/* A deep copy of a row, for the header and for a row read ahead. */
typedef struct saved_row {
    imp_row row;
    char *buf;
} saved_row;

static void saved_release(saved_row *s)
{
    free(s->buf);
    free(s->row.cells);
    free(s->row.lens);
    memset(s, 0, sizeof *s);
}

static int saved_copy(saved_row *s, const imp_row *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->ncells; i++)
        total += r->lens[i] + 1;
    saved_release(s);
    s->buf = malloc(total ? total : 1);
    s->row.cells = malloc((r->ncells ? r->ncells : 1) * sizeof *s->row.cells);
    s->row.lens = malloc((r->ncells ? r->ncells : 1) * sizeof *s->row.lens);
    if (!s->buf || !s->row.cells || !s->row.lens) {
        saved_release(s);
        return ENG_EIO;
    }
    char *p = s->buf;
    for (size_t i = 0; i < r->ncells; i++) {
        memcpy(p, r->cells[i], r->lens[i] + 1);
        s->row.cells[i] = p;
        s->row.lens[i] = r->lens[i];
        p += r->lens[i] + 1;
    }
    s->row.ncells = r->ncells;
    s->row.line = r->line;
    return ENG_OK;
}

static size_t nonempty_cells(const imp_row *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncells; i++)
        n += !is_blank(r->cells[i]);
    return n;
}

/* How many different non-empty values the row holds, counting to 2. */
static int distinct_values(const imp_row *r)
{
    const char *first = NULL;
    size_t first_len = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const char *t;
        size_t l;
        trim_span(r->cells[i], r->lens[i], &t, &l);
        if (!l)
            continue;
        if (!first) {
            first = t;
            first_len = l;
        } else if (l != first_len || memcmp(t, first, l) != 0) {
            return 2;
        }
    }
    return first ? 1 : 0;
}

static int same_as_header(const imp_row *r, const imp_row *h)
{
    size_t n = r->ncells > h->ncells ? r->ncells : h->ncells;
    for (size_t i = 0; i < n; i++) {
        const char *a = i < r->ncells ? r->cells[i] : "", *b = i < h->ncells ? h->cells[i] : "";
        const char *ta, *tb;
        size_t la, lb;
        trim_span(a, strlen(a), &ta, &la);
        trim_span(b, strlen(b), &tb, &lb);
        if (la != lb || memcmp(ta, tb, la) != 0)
            return 0;
    }
    return 1;
}

/* ---- the table ---------------------------------------------------------------------------- */

#define TITLE_MAX 3 /* title rows allowed above the header */

struct imp_table {
    imp_rows *rows;
    char *file;
    char *kind, *source;
    saved_row header;
    column *cols;
    size_t ncols;
    saved_row ahead[TITLE_MAX + 1]; /* rows read while looking for the header */
    size_t nahead, next_ahead;
    const imp_row *cur;
    imp_row cur_row;
    int failed; /* the reader failed: nothing more can be read */
    eng_err ferr;
    int can_go_on;
    imp_table_counts counts;
};

/* Reads the next non-blank row into *row (from `ahead` first).  Returns 1,
 * 0 at the end, or -code (reader failure, kept in t). */
static int read_row(imp_table *t, imp_row *row, int count_blank, eng_err *err)
{
    if (t->next_ahead < t->nahead) {
        *row = t->ahead[t->next_ahead++].row;
        if (nonempty_cells(row) == 0)
            return read_row(t, row, count_blank, err);
        return 1;
    }
    for (;;) {
        int rc = t->rows->next(t->rows, row, &t->ferr);
        if (rc < 0) {
            t->failed = 1;
            if (err)
                *err = t->ferr;
            return rc;
        }
        if (rc == 0)
            return 0;
        if (nonempty_cells(row) == 0) {
            if (count_blank)
                t->counts.blank_rows++;
            continue;
        }
        return 1;
    }
}

int imp_table_open(imp_rows *rows, const imp_table_options *opt, imp_table **out, eng_err *err)
{
    int rc = ENG_OK;
    imp_table *t = calloc(1, sizeof *t);
    if (!t) {
        imp_rows_free(rows);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    t->rows = rows;
    t->file = strdup(rows->file ? rows->file : "(input)");
    const imp_map *map = opt ? opt->map : NULL;
    const char *kind = opt && opt->kind ? opt->kind : map && map->kind ? map->kind : "project";
    const char *source = opt && opt->source ? opt->source : map ? map->source : NULL;
    t->kind = strdup(kind);
    t->source = source ? strdup(source) : NULL;
    if (!t->file || !t->kind || (source && !t->source)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    /* The header is the first row with two different values.  Up to
     * TITLE_MAX rows of one value before it (a title, a merged title cell
     * that XLSX repeats across the row, "填报单位：...") are titles.  When no
     * such row comes, the file has one column and its first row is the
     * header: the rows read ahead are given back in order. */
    saved_row seen[TITLE_MAX + 1];
    memset(seen, 0, sizeof seen);
    size_t nseen = 0;
    int found = 0;
    while (nseen <= TITLE_MAX) {
        imp_row r;
        int got = read_row(t, &r, 0, err);
        if (got < 0) {
            rc = -got;
            break;
        }
        if (got == 0)
            break;
        if (saved_copy(&seen[nseen++], &r) != ENG_OK) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        if (distinct_values(&r) >= 2) {
            found = 1;
            break;
        }
    }
    if (rc == ENG_OK && nseen == 0)
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row (the file has no rows)", t->file);
    if (rc == ENG_OK) {
        size_t h = found ? nseen - 1 : 0;
        t->counts.title_rows = (long)h;
        t->header = seen[h];
        memset(&seen[h], 0, sizeof seen[h]);
        for (size_t i = h + 1; i < nseen; i++) { /* rows read ahead, given back */
            t->ahead[t->nahead++] = seen[i];
            memset(&seen[i], 0, sizeof seen[i]);
        }
    }
    for (size_t i = 0; i < nseen; i++)
        saved_release(&seen[i]);
    if (rc != ENG_OK)
        goto fail;
    rc = map_header(&t->header.row, map, 0, &t->cols, &t->ncols, err);
    if (rc != ENG_OK)
        goto fail;
    *out = t;
    return ENG_OK;
fail:
    imp_table_free(t);
    return rc;
}

/* Prefixes err's message with "FILE:LINE: field 'x' (column 'y'): ". */
static int row_fail(imp_table *t, long line, const column *c, const char *field, eng_err *err,
                    const char *msg)
{
    char m[900];
    snprintf(m, sizeof m, "%s", msg);
    if (c && strcmp(c->name, field) != 0)
        eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s' (column '%s'): %s", t->file, line, field,
                 c->name, m);
    else
        eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': %s", t->file, line, field, m);
    t->can_go_on = 1;
    return -ENG_EINPUT;
}

/* eng_record_set's messages begin "field 'x': "; we give our own prefix. */
static const char *strip_field_prefix(const char *msg)
{
    if (starts_with(msg, "field '")) {
        const char *q = strstr(msg, "': ");
        if (q)
            return q + 3;
    }
    return msg;
}

static int is_unevaluated(const char *v)
{
    static const char *const words[] = {"尚未评估", "未评估", "待评估", "无需评估",
                                        "不需评估", "未验收", "待验收", "尚未验收",
                                        "未结题",   "在研",   NULL};
    for (size_t i = 0; words[i]; i++)
        if (!strcmp(v, words[i]))
            return 1;
    return 0;
}

/* Sets one mapped cell on r. */
static int set_cell(imp_table *t, const column *c, const char *cell, long line, eng_record *r,
                    char pending_currency[8], eng_err *err)
{
    eng_err e = {0};
    const char *f = c->field;
    if (c->kind == T_PERIOD) {
        char a[11], b[11];
        if (imp_value_period(cell, a, b, &e) != ENG_OK)
            return row_fail(t, line, c, "period", err, e.msg);
        if ((a[0] && eng_record_set(r, "start", a, &e) != ENG_OK) ||
            (b[0] && eng_record_set(r, "end", b, &e) != ENG_OK))
            return row_fail(t, line, c, "period", err, strip_field_prefix(e.msg));
        return 0;
    }
    if (!strcmp(f, "start") || !strcmp(f, "end") || !strcmp(f, "acceptance.date")) {
        char d[11];
        if (imp_value_date(cell, d, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, e.msg);
        if (d[0] && eng_record_set(r, f, d, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, strip_field_prefix(e.msg));
        return 0;
    }
    if (!strcmp(f, "budget")) {
        char num[64], unit[32], cur[8];
        if (imp_value_amount(cell, c->unit, num, unit, cur, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, e.msg);
        if (!num[0])
            return 0;
        if (eng_record_set(r, "budget", num, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, strip_field_prefix(e.msg));
        if (cur[0])
            memcpy(pending_currency, cur, 8);
        if (unit[0] && eng_record_add_extra_str(r, "budget_unit", unit) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        return 0;
    }
    if (!strcmp(f, "trl_start") || !strcmp(f, "trl_target") ||
        !strcmp(f, "acceptance.trl_claimed")) {
        int level;
        char num[4];
        if (imp_value_trl(cell, &level, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, e.msg);
        if (!level)
            return 0;
        snprintf(num, sizeof num, "%d", level);
        if (eng_record_set(r, f, num, &e) != ENG_OK)
            return row_fail(t, line, c, f, err, strip_field_prefix(e.msg));
        return 0;
    }
    if (imp_value_is_placeholder(cell, 0))
        return 0;
    if (!strcmp(f, "acceptance.conclusion")) {
        char v[128];
        if (fold(cell, v, sizeof v) && is_unevaluated(v)) {
            if (eng_record_add_extra_str(r, "acceptance_status", v) != ENG_OK)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            return 0;
        }
    }
    if (eng_record_set(r, f, cell, &e) != ENG_OK) {
        if (e.code == ENG_EIO)
            return eng_fail(err, ENG_EIO, "%s:%ld: %s", t->file, line, e.msg), -ENG_EIO;
        return row_fail(t, line, c, f, err, strip_field_prefix(e.msg));
    }
    return 0;
}

/* Builds a record from row. */
static int build(imp_table *t, const imp_row *row, eng_record *r, eng_err *err)
{
    long line = row->line;
    /* cells past the header must be empty */
    for (size_t i = t->ncols; i < row->ncells; i++)
        if (!is_blank(row->cells[i])) {
            eng_fail(err, ENG_EINPUT,
                     "%s:%ld: the row has %zu cells but the header has %zu: cell %zu "
                     "(\"%.40s\") has no column",
                     t->file, line, row->ncells, t->ncols, i + 1, row->cells[i]);
            t->can_go_on = 1;
            return -ENG_EINPUT;
        }
    char currency[8] = "";
    for (size_t i = 0; i < t->ncols; i++) {
        const column *c = &t->cols[i];
        const char *cell = i < row->ncells ? row->cells[i] : "";
        if (c->kind == T_EXTRA) {
            if (is_blank(cell))
                continue;
            const char *s;
            size_t l;
            trim_span(cell, strlen(cell), &s, &l);
            char small[256], *v = l < sizeof small ? small : malloc(l + 1);
            if (!v)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            memcpy(v, s, l);
            v[l] = '\0';
            int rc = eng_record_add_extra_str(r, c->extra_key, v);
            if (v != small)
                free(v);
            if (rc != ENG_OK)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            continue;
        }
        int rc = set_cell(t, c, cell, line, r, currency, err);
        if (rc < 0)
            return rc;
    }
    eng_err e = {0};
    if (currency[0] && !r->currency && eng_record_set(r, "currency", currency, &e) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    if (!r->kind && eng_record_set(r, "kind", t->kind, &e) != ENG_OK)
        return row_fail(t, line, NULL, "kind", err, strip_field_prefix(e.msg));
    if (!r->source && t->source && eng_record_set(r, "source", t->source, &e) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    if (eng_record_set_provenance(r, t->file, line) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    if (!r->id) {
        int has_id_col = 0;
        for (size_t i = 0; i < t->ncols; i++)
            has_id_col |= t->cols[i].kind == T_FIELD && !strcmp(t->cols[i].field, "id");
        eng_fail(err, ENG_EINPUT,
                 has_id_col ? "%s:%ld: field 'id': missing (the project id cell is empty)"
                            : "%s:%ld: field 'id': no column is the project id (name one with "
                              "--map, e.g. {\"columns\": {\"编号\": \"id\"}})",
                 t->file, line);
        t->can_go_on = has_id_col;
        return -ENG_EINPUT;
    }
    if (eng_record_validate(r, &e) != ENG_OK) {
        eng_fail(err, e.code, "%s:%ld: %s", t->file, line, e.msg);
        t->can_go_on = 1;
        return -e.code;
    }
    return 1;
}

int imp_table_next(imp_table *t, eng_record *out, eng_err *err)
{
    t->can_go_on = 0;
    t->cur = NULL;
    if (t->failed) {
        if (err)
            *err = t->ferr;
        return -t->ferr.code;
    }
    for (;;) {
        int rc = read_row(t, &t->cur_row, 1, err);
        if (rc <= 0)
            return rc;
        t->cur = &t->cur_row;
        if (same_as_header(&t->cur_row, &t->header.row)) {
            t->counts.repeated_headers++;
            continue;
        }
        break;
    }
    t->counts.rows++;
    eng_record_release(out);
    eng_record_init(out);
    return build(t, &t->cur_row, out, err);
}

int imp_table_can_go_on(const imp_table *t)
{
    return t->can_go_on;
}

const imp_row *imp_table_row(const imp_table *t)
{
    return t->cur;
}

const imp_row *imp_table_header(const imp_table *t)
{
    return &t->header.row;
}

const imp_table_counts *imp_table_get_counts(const imp_table *t)
{
    return &t->counts;
}

static char *describe_columns(const column *cols, size_t n)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char line[800];
        const column *c = &cols[i];
        const char *name = c->name[0] ? c->name : "(empty)";
        if (c->kind == T_PERIOD)
            snprintf(line, sizeof line, "  %s -> period (start, end)", name);
        else if (c->kind == T_FIELD && c->unit[0])
            snprintf(line, sizeof line, "  %s -> %s (unit %s)", name, c->field, c->unit);
        else if (c->kind == T_FIELD)
            snprintf(line, sizeof line, "  %s -> %s", name, c->field);
        else
            snprintf(line, sizeof line, "  %s -> extra '%s'", name, c->extra_key);
        size_t l = strlen(line);
        if (c->from_map && l + 12 < sizeof line)
            strcat(line, " (map)"), l += 6;
        if (len + l + 2 > cap) {
            while (len + l + 2 > cap)
                cap *= 2;
            char *b = realloc(s, cap);
            if (!b) {
                free(s);
                return NULL;
            }
            s = b;
        }
        memcpy(s + len, line, l);
        len += l;
        s[len++] = '\n';
        s[len] = '\0';
    }
    return s;
}

char *imp_table_describe(const imp_table *t)
{
    return describe_columns(t->cols, t->ncols);
}

void imp_table_free(imp_table *t)
{
    if (!t)
        return;
    imp_rows_free(t->rows);
    columns_free(t->cols, t->ncols);
    saved_release(&t->header);
    for (size_t i = 0; i < t->nahead; i++)
        saved_release(&t->ahead[i]);
    free(t->file);
    free(t->kind);
    free(t->source);
    free(t);
}

/* ---- indicators ----------------------------------------------------------------------------- */

typedef struct ind_entry {
    char *id;
    long line;
    eng_indicator ind;
    int used;
    size_t next; /* index+1 of the next entry of the same project, 0: none */
} ind_entry;

struct imp_indicators {
    char *file;
    ind_entry *v;
    size_t n, cap;
    size_t *heads, *tails; /* hash buckets: index+1 of the first / last entry */
    size_t nbuckets;
};

static unsigned long hash_str(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211UL;
    return h;
}

static void ind_release(eng_indicator *ind)
{
    char **slots[] = {&ind->name,          &ind->target,    &ind->achieved,
                      &ind->unit,          &ind->method,    &ind->lab,
                      &ind->accreditation, &ind->report_no, &ind->uncertainty};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        free(*slots[i]);
    for (size_t i = 0; i < ind->nextra; i++) {
        free(ind->extra[i].key);
        free(ind->extra[i].value);
    }
    free(ind->extra);
    memset(ind, 0, sizeof *ind);
}

/* Adds an extra to an indicator; json_value is JSON text. */
static int ind_add_extra(eng_indicator *ind, const char *key, const char *json_value)
{
    eng_kv *kv = realloc(ind->extra, (ind->nextra + 1) * sizeof *kv);
    if (!kv)
        return ENG_EIO;
    ind->extra = kv;
    kv[ind->nextra].key = strdup(key);
    kv[ind->nextra].value = strdup(json_value);
    if (!kv[ind->nextra].key || !kv[ind->nextra].value) {
        free(kv[ind->nextra].key);
        free(kv[ind->nextra].value);
        return ENG_EIO;
    }
    ind->nextra++;
    return ENG_OK;
}

static int ind_add_extra_str(eng_indicator *ind, const char *key, const char *value)
{
    cJSON *s = cJSON_CreateString(value);
    char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    if (!txt)
        return ENG_EIO;
    int rc = ind_add_extra(ind, key, txt);
    free(txt);
    return rc;
}

void imp_indicators_free(imp_indicators *ind)
{
    if (!ind)
        return;
    for (size_t i = 0; i < ind->n; i++) {
        free(ind->v[i].id);
        ind_release(&ind->v[i].ind);
    }
    free(ind->v);
    free(ind->heads);
    free(ind->tails);
    free(ind->file);
    free(ind);
}

/* Chains the entries by project id, in file order. */
static int ind_index(imp_indicators *ind)
{
    size_t nb = 16;
    while (nb < ind->n * 2)
        nb *= 2;
    ind->heads = calloc(nb, sizeof *ind->heads);
    ind->tails = calloc(nb, sizeof *ind->tails);
    if (!ind->heads || !ind->tails)
        return ENG_EIO;
    ind->nbuckets = nb;
    for (size_t i = 0; i < ind->n; i++) {
        size_t b = hash_str(ind->v[i].id) & (nb - 1);
        if (ind->tails[b])
            ind->v[ind->tails[b] - 1].next = i + 1;
        else
            ind->heads[b] = i + 1;
        ind->tails[b] = i + 1;
    }
    return ENG_OK;
}

int imp_indicators_load(imp_rows *rows, const imp_map *map, imp_indicators **out, eng_err *err)
{
    int rc = ENG_OK;
    column *cols = NULL;
    size_t ncols = 0;
    saved_row header = {{0}, 0};
    imp_indicators *ind = calloc(1, sizeof *ind);
    if (!ind) {
        imp_rows_free(rows);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    ind->file = strdup(rows->file ? rows->file : "(indicators)");
    imp_row row;
    int got;
    while ((got = rows->next(rows, &row, err)) == 1 && nonempty_cells(&row) == 0)
        ;
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (got == 0) {
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row (the file has no rows)", ind->file);
        goto done;
    }
    if (saved_copy(&header, &row) != ENG_OK) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    rc = map_header(&header.row, map, 1, &cols, &ncols, err);
    if (rc != ENG_OK)
        goto done;
    long id_col = -1, nfields = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].kind == T_FIELD && !strcmp(cols[i].field, "id") && id_col < 0)
            id_col = (long)i;
        else if (cols[i].kind == T_FIELD)
            nfields++;
    }
    if (id_col < 0 || nfields == 0) {
        rc = eng_fail(err, ENG_EINPUT, "%s: %s (name it with --map's \"indicator_columns\")",
                      ind->file,
                      id_col < 0 ? "no column is the project id"
                                 : "no column is an indicator field (指标名称/name, 目标值/"
                                   "target, 完成值/achieved...)");
        goto done;
    }
    while ((got = rows->next(rows, &row, err)) == 1) {
        if (nonempty_cells(&row) == 0 || same_as_header(&row, &header.row))
            continue;
        for (size_t i = ncols; i < row.ncells; i++)
            if (!is_blank(row.cells[i])) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: the row has %zu cells but the header has %zu: cell %zu "
                              "(\"%.40s\") has no column",
                              ind->file, row.line, row.ncells, ncols, i + 1, row.cells[i]);
                goto done;
            }
        const char *idcell = (size_t)id_col < row.ncells ? row.cells[id_col] : "";
        if (imp_value_is_placeholder(idcell, 0)) {
            rc = eng_fail(err, ENG_EINPUT,
                          "%s:%ld: field 'id': missing (the project id cell is "
                          "empty)",
                          ind->file, row.line);
            goto done;
        }
        if (ind->n == ind->cap) {
            size_t cap = ind->cap ? ind->cap * 2 : 64;
            ind_entry *v = realloc(ind->v, cap * sizeof *v);
            if (!v) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            ind->v = v;
            ind->cap = cap;
        }
        ind_entry *e = &ind->v[ind->n++];
        memset(e, 0, sizeof *e);
        const char *ts;
        size_t tl;
        trim_span(idcell, strlen(idcell), &ts, &tl);
        e->id = strndup(ts, tl);
        e->line = row.line;
        if (!e->id) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < ncols; i++) {
            const char *cell = i < row.ncells ? row.cells[i] : "";
            if ((long)i == id_col || is_blank(cell))
                continue;
            trim_span(cell, strlen(cell), &ts, &tl);
            char *v = strndup(ts, tl);
            if (!v) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            eng_err e2 = {0};
            int r2 = cols[i].kind == T_FIELD ? eng_indicator_set(&e->ind, cols[i].field, v, &e2)
                                             : ind_add_extra_str(&e->ind, cols[i].extra_key, v);
            free(v);
            if (r2 != ENG_OK) {
                rc = eng_fail(err, r2, "%s:%ld: %s", ind->file, row.line,
                              e2.msg[0] ? e2.msg : "out of memory");
                goto done;
            }
        }
    }
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (ind_index(ind) != ENG_OK) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
done:
    columns_free(cols, ncols);
    saved_release(&header);
    imp_rows_free(rows);
    if (rc != ENG_OK) {
        imp_indicators_free(ind);
        return rc;
    }
    *out = ind;
    return ENG_OK;
}

static int ind_copy(eng_indicator *dst, const eng_indicator *src)
{
    const char *const *vals[] = {
        (const char *const *)&src->name,          (const char *const *)&src->target,
        (const char *const *)&src->achieved,      (const char *const *)&src->unit,
        (const char *const *)&src->method,        (const char *const *)&src->lab,
        (const char *const *)&src->accreditation, (const char *const *)&src->report_no,
        (const char *const *)&src->uncertainty};
    for (size_t i = 0; eng_indicator_fields[i]; i++)
        if (*vals[i] && eng_indicator_set(dst, eng_indicator_fields[i], *vals[i], NULL) != ENG_OK)
            return ENG_EIO;
    for (size_t i = 0; i < src->nextra; i++)
        if (ind_add_extra(dst, src->extra[i].key, src->extra[i].value) != ENG_OK)
            return ENG_EIO;
    return ENG_OK;
}

int imp_indicators_attach(imp_indicators *ind, eng_record *r, eng_err *err)
{
    if (!r->id || !ind->nbuckets)
        return ENG_OK;
    size_t b = hash_str(r->id) & (ind->nbuckets - 1);
    for (size_t k = ind->heads[b]; k; k = ind->v[k - 1].next) {
        ind_entry *e = &ind->v[k - 1];
        if (strcmp(e->id, r->id) != 0)
            continue;
        eng_indicator *dst = eng_record_add_indicator(r);
        if (!dst || ind_copy(dst, &e->ind) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory");
        e->used = 1;
    }
    return ENG_OK;
}

void imp_indicators_mark(imp_indicators *ind, const char *id)
{
    if (!id || !ind->nbuckets)
        return;
    size_t b = hash_str(id) & (ind->nbuckets - 1);
    for (size_t k = ind->heads[b]; k; k = ind->v[k - 1].next)
        if (!strcmp(ind->v[k - 1].id, id))
            ind->v[k - 1].used = 1;
}

int imp_indicators_next_unused(const imp_indicators *ind, size_t *cursor, const char **id,
                               long *line)
{
    for (; *cursor < ind->n; (*cursor)++)
        if (!ind->v[*cursor].used) {
            *id = ind->v[*cursor].id;
            *line = ind->v[*cursor].line;
            (*cursor)++;
            return 1;
        }
    return 0;
}

const char *imp_indicators_file(const imp_indicators *ind)
{
    return ind->file;
}

size_t imp_indicators_count(const imp_indicators *ind)
{
    return ind->n;
}
