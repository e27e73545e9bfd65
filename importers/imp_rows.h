/*
 * imp_rows: a stream of table rows, the common shape of CSV and XLSX input.
 *
 * A reader yields one row at a time as UTF-8 cells; the table mapper
 * (imp_table) turns rows into records whatever the file format was.  Memory
 * does not grow with the file: a row's cells are valid until the next call.
 */
#ifndef IMP_ROWS_H
#define IMP_ROWS_H

#include <stddef.h>

#include "engine/eng_err.h"

typedef struct imp_row {
    char **cells; /* ncells UTF-8, NUL-terminated strings, owned by the reader */
    size_t *lens; /* byte length of each cell (cells may hold no NUL) */
    size_t ncells;
    long line; /* 1-based line (CSV) or row number (XLSX) where the row starts */
} imp_row;

typedef struct imp_rows imp_rows;
struct imp_rows {
    /* Reads the next row into *row.  Returns 1 for a row, 0 at the end, or an
     * ENG_E* code (negated: -ENG_EINPUT, -ENG_EIO) with err naming
     * "FILE:LINE: what is wrong". */
    int (*next)(imp_rows *self, imp_row *row, eng_err *err);
    void (*free)(imp_rows *self);
    const char *file; /* the path, for messages */
};

/* Frees rows through its free function; NULL is a no-op. */
static inline void imp_rows_free(imp_rows *rows)
{
    if (rows)
        rows->free(rows);
}

#endif
