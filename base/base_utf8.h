/*
 * base_utf8: UTF-8 as RFC 3629 defines it, the one copy every layer uses:
 * the length a lead byte announces, the bounds of the byte after it, one
 * character decoded or encoded, and whole texts validated.
 *
 * Valid means strict: no overlong forms (C0, C1, E0 80..9F, F0 80..8F), no
 * surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF), no
 * stray continuation byte and no sequence cut short by the end of the
 * bytes.  The importers refuse what is not valid, the rules check a value
 * once before matching, the tokenizer reads an invalid byte as a separator
 * and the workbook writer replaces it: each caller decides what an invalid
 * byte means, this module only says which bytes are invalid.
 *
 * The per-character functions are inline: the tokenizer and the scanners
 * call them once per character.  Nothing here allocates or fails.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (2-4) of the sequence lead byte c starts, 1 for ASCII, 0 when
 * c cannot start a valid sequence (a continuation byte, C0, C1, F5..FF). */
static inline size_t base_utf8_lead(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* The bounds OUT: *lo, *hi of the byte after lead byte c (RFC 3629 table:
 * they exclude overlongs, surrogates and code points above U+10FFFF); the
 * later bytes of a sequence are always 80..BF. */
static inline void base_utf8_second(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    *hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
}

/* The length (1-4) of the valid character at s[0..n), or 0 when the bytes
 * there are not valid UTF-8 (or n is 0, or the sequence is cut by n). */
static inline size_t base_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t len = base_utf8_lead(s[0]);
    if (len <= 1)
        return len;
    if (len > n)
        return 0;
    unsigned char lo, hi;
    base_utf8_second(s[0], &lo, &hi);
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Decodes the valid character at s[0..n): returns its length (1-4) and
 * sets OUT: *cp, or returns 0 and leaves *cp alone when the bytes there are
 * not valid UTF-8. */
static inline size_t base_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = base_utf8_len(s, n);
    if (len == 1)
        *cp = s[0];
    else if (len == 2)
        *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    else if (len == 3)
        *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    else if (len == 4)
        *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
              (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return len;
}

/* Writes code point cp (at most U+10FFFF; the caller keeps surrogates out)
 * as UTF-8 to OUT: out, which has room for 4 bytes.  Returns the length. */
static inline size_t base_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Checks s[0..len).  Returns the length of the longest valid prefix that
 * ends on a character boundary.  OUT: *bad_len (may be NULL) is set to 0
 * when the whole text is valid, else to the number of bytes of the invalid
 * sequence at the returned offset (1 for a byte that cannot start one, k
 * when the k-th byte after the lead is wrong); a sequence cut by the end
 * of the text sets *bad_len to -(its bytes present, lead included), so that
 * a streaming caller can keep them for the next chunk.
 */
size_t base_utf8_valid_prefix(const void *s, size_t len, long *bad_len);

/* 1 when s[0..len) is valid UTF-8 throughout, else 0. */
int base_utf8_valid(const char *s, size_t len);

#endif
