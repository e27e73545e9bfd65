/*
 * eng_buf: a growing string, for building JSON and messages in the engine.
 *
 * Appending never fails loudly: after a failed allocation the buffer is
 * marked oom, further appends do nothing, and eng_buf_take returns NULL.
 * The text is always NUL-terminated once something was added.
 */
#ifndef ENG_BUF_H
#define ENG_BUF_H

#include <stddef.h>

typedef struct eng_buf {
    char *p;
    size_t n, cap;
    int oom;
} eng_buf;

void eng_buf_add(eng_buf *b, const char *s, size_t n);
/* Appends a NUL-terminated string; NULL appends nothing. */
void eng_buf_cat(eng_buf *b, const char *s);
/* Appends s as a JSON string (quoted, escaped); NULL appends null. */
void eng_buf_json(eng_buf *b, const char *s);
/* Hands the text to the caller (malloc'd; "" when nothing was added) and
 * empties b; NULL when memory ran out. */
char *eng_buf_take(eng_buf *b);

#endif
