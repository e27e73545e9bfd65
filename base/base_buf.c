/* base_buf: see base_buf.h. */
#include "base/base_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int base_buf_reserve(base_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->n + extra + 1 <= b->cap)
        return 0;
    if (extra > (size_t)-1 / 2 - b->n - 1) {
        b->oom = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    if (!b->p)
        p[0] = '\0';
    b->p = p;
    b->cap = cap;
    return 0;
}

int base_buf_add(base_buf *b, const char *s, size_t n)
{
    if (base_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

int base_buf_cat(base_buf *b, const char *s)
{
    return s ? base_buf_add(b, s, strlen(s)) : b->oom ? -1 : 0;
}

int base_buf_printf(base_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return -1;
    }
    if (base_buf_reserve(b, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
    return 0;
}

int base_buf_json(base_buf *b, const char *s)
{
    if (!s)
        return base_buf_cat(b, "null");
    static const char hex[] = "0123456789abcdef";
    base_buf_add(b, "\"", 1);
    const unsigned char *run = (const unsigned char *)s, *p = run;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        base_buf_add(b, (const char *)run, (size_t)(p - run));
        run = p + 1;
        if (*p >= 0x20) {
            char e[2] = {'\\', (char)*p};
            base_buf_add(b, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            base_buf_add(b, e, 6);
        }
    }
    base_buf_add(b, (const char *)run, (size_t)(p - run));
    return base_buf_add(b, "\"", 1);
}

void base_buf_clear(base_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *base_buf_take(base_buf *b)
{
    char *p = b->oom ? NULL : b->p ? b->p : calloc(1, 1);
    if (b->oom)
        free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
    return p;
}

void base_buf_release(base_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
}
