/* eng_buf: see eng_buf.h. */
#include "engine/eng_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eng_buf_add(eng_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 128;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void eng_buf_cat(eng_buf *b, const char *s)
{
    if (s)
        eng_buf_add(b, s, strlen(s));
}

void eng_buf_json(eng_buf *b, const char *s)
{
    if (!s) {
        eng_buf_cat(b, "null");
        return;
    }
    eng_buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            eng_buf_add(b, e, 2);
        } else if (*p < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", *p);
            eng_buf_cat(b, e);
        } else {
            eng_buf_add(b, (const char *)p, 1);
        }
    }
    eng_buf_add(b, "\"", 1);
}

char *eng_buf_take(eng_buf *b)
{
    char *p = b->oom ? NULL : b->p ? b->p : calloc(1, 1);
    if (b->oom)
        free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
    return p;
}
