/*
 * eng_placeholder: the placeholder list (see eng_placeholder.h).  Kept short
 * and explicit: a word that might be a real value ("0", "Unknown Inc.") is
 * not here; numeric placeholders of dates and amounts live with the value
 * readers (importers/imp_value.c), where a number is expected.
 */
#include "engine/eng_placeholder.h"

#include <string.h>
#include <strings.h>

const char *const eng_placeholders[] = {
    /* Chinese */
    "无", "暂无", "没有", "略", "空", "不详", "待定", "未知", "无数据", "暂缺", "未填写", "未提供",
    /* dashes and marks */
    "—", "——", "–", "-", "--", "---", "/", "\\", "…", "...", "?", "??", "*",
    /* English */
    "n/a", "na", "n.a.", "n.a", "#n/a", "null", "none", "nil", "nan", "tbd", "tba", "tbc",
    "not available", "not applicable", "not provided", "not specified", "not reported",
    "title missing", "no title", "abstract missing", "no abstract", "no abstract available",
    "not avaiable", "abstract not available", "in process for public release", "unknown",
    "undefined", "pending", "missing", "(blank)", "(none)", "(empty)", NULL};

/* The first bytes of the entries above, lower case; full-width forms
 * (U+FF01-U+FF5E) start with 0xEF.  test_text checks it against the list. */
const char eng_placeholder_firsts[] = "\xE2\xE4\xE5\xE6\xE7\xEF-/\\.?*(#ntaupmi";

/* Length of the white space at p (ASCII, U+00A0, U+3000), 0 when none. */
static size_t space_at(const unsigned char *p, size_t left)
{
    if (left >= 1 &&
        (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f'))
        return 1;
    if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

int eng_placeholder_is(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t a = 0, b = len, k;
    while (a < b && (k = space_at(u + a, b - a)) > 0)
        a += k;
    for (;;) {
        if (b > a && strchr(" \t\r\n\v\f", u[b - 1]))
            b--;
        else if (b >= a + 2 && u[b - 2] == 0xC2 && u[b - 1] == 0xA0)
            b -= 2;
        else if (b >= a + 3 && u[b - 3] == 0xE3 && u[b - 2] == 0x80 && u[b - 1] == 0x80)
            b -= 3;
        else
            break;
    }
    if (a == b)
        return 1;
    if (b - a > 32)
        return 0; /* no placeholder is that long: a real text */
    /* most cells start with a byte no placeholder starts with (kept in
     * step with the list: eng_placeholder_firsts) */
    unsigned char c0 = u[a];
    if (c0 >= 'A' && c0 <= 'Z')
        c0 = (unsigned char)(c0 - 'A' + 'a');
    if (!c0 || !memchr(eng_placeholder_firsts, c0, sizeof eng_placeholder_firsts - 1))
        return 0;
    /* fold full-width ASCII forms, drop one trailing '.' ("None.", "N/A.") */
    char f[200];
    size_t o = 0;
    for (size_t i = a; i < b;) {
        if (i + 2 < b && u[i] == 0xEF && (u[i + 1] == 0xBC || u[i + 1] == 0xBD)) {
            unsigned cp = 0xF000 | ((unsigned)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                f[o++] = (char)(cp - 0xFF01 + 0x21);
                i += 3;
                continue;
            }
        }
        f[o++] = (char)u[i++];
    }
    f[o] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; eng_placeholders[i]; i++)
            if (!strcasecmp(f, eng_placeholders[i]))
                return 1;
        if (pass == 0 && o > 1 && f[o - 1] == '.' && f[o - 2] != '.')
            f[--o] = '\0';
        else
            break;
    }
    return 0;
}
