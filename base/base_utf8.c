/* base_utf8: see base_utf8.h. */
#include "base/base_utf8.h"

#include <string.h>

size_t base_utf8_valid_prefix(const void *text, size_t len, long *bad_len)
{
    const unsigned char *buf = text;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs eight bytes at a time: most text is ASCII. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, buf + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = buf[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = base_utf8_lead(c);
        if (n == 0) {
            if (bad_len)
                *bad_len = 1;
            return i;
        }
        unsigned char lo, hi;
        base_utf8_second(c, &lo, &hi);
        for (size_t k = 1; k < n; k++) {
            if (i + k >= len) {
                if (bad_len)
                    *bad_len = -(long)k;
                return i;
            }
            unsigned char d = buf[i + k];
            if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) {
                if (bad_len)
                    *bad_len = (long)k;
                return i;
            }
        }
        i += n;
    }
    if (bad_len)
        *bad_len = 0;
    return len;
}

int base_utf8_valid(const char *s, size_t len)
{
    return base_utf8_valid_prefix(s, len, NULL) == len;
}
