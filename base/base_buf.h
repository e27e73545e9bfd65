/*
 * base_buf: a growing string, the one string builder of vernier (JSON
 * documents, messages, reports of a dry run, text read from XML).
 *
 * Start it zeroed (base_buf b = {0};).  The text b.p[0..b.n) is always
 * NUL-terminated once something was added (b.p is NULL before); it may hold
 * NUL bytes of its own when the caller adds them (a list of strings).
 *
 * Failure is sticky: after a failed allocation b.oom is set, the appends
 * that follow do nothing and base_buf_take returns NULL, so a builder can
 * append freely and check once at the end.  Every append also returns 0 or
 * -1 for the callers that check at each step.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stddef.h>

typedef struct base_buf {
    char *p;       /* the text, owned by the buffer; NULL until something was added */
    size_t n, cap; /* bytes of text (the NUL not counted); bytes allocated */
    int oom;       /* an allocation failed: further appends do nothing */
} base_buf;

/* Makes room for extra more bytes (and the NUL).  Returns 0, or -1 with
 * b->oom set when memory ran out (b keeps its text). */
int base_buf_reserve(base_buf *b, size_t extra);

/* Appends s[0..n) (s may be NULL when n is 0).  Returns 0 or -1 (oom). */
int base_buf_add(base_buf *b, const char *s, size_t n);

/* Appends a NUL-terminated string; NULL appends nothing.  Returns 0 or -1. */
int base_buf_cat(base_buf *b, const char *s);

/* Appends printf-style text.  Returns 0, or -1 on oom or a bad format. */
__attribute__((format(printf, 2, 3))) int base_buf_printf(base_buf *b, const char *fmt, ...);

/* Appends s as a JSON string: quoted, '"' and '\\' escaped, control bytes
 * as \u00XX, everything else as is; NULL appends null.  Returns 0 or -1. */
int base_buf_json(base_buf *b, const char *s);

/* Empties the text but keeps the memory (and the oom mark). */
void base_buf_clear(base_buf *b);

/* Hands the text to the caller, who frees it (malloc'd; "" when nothing was
 * added), and empties b.  NULL when memory ran out (b's text is freed). */
char *base_buf_take(base_buf *b);

/* Frees the text and empties b; b may be reused. */
void base_buf_release(base_buf *b);

#endif
