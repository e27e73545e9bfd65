/*
 * eng_err: the error record every layer above rules/ fills in.
 *
 * A function that can fail returns an int result code (ENG_OK on success)
 * and, when it fails, writes a one-line message into a caller-owned eng_err.
 * The codes double as the process exit codes of the CLI (DESIGN.md):
 * 1 usage, 2 bad input, 3 internal or I/O failure.  Messages name the
 * place first, "FILE:LINE: field 'x': what is wrong", in lower case, with no
 * trailing newline and without the "vernier: " prefix (cli/ adds it).
 */
#ifndef ENG_ERR_H
#define ENG_ERR_H

#include <stddef.h>

enum {
    ENG_OK = 0,
    ENG_EUSAGE = 1, /* the caller asked for something that makes no sense */
    ENG_EINPUT = 2, /* the input (file, record, rule set) is bad */
    ENG_EIO = 3,    /* I/O, SQLite, memory or another internal failure */
};

typedef struct eng_err {
    int code;
    char msg[1024];
} eng_err;

/* Sets err (when not NULL) to code and the printf-style message; returns code
 * so that callers can write `return eng_fail(err, ENG_EINPUT, "...")`. */
int eng_fail(eng_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears err to ENG_OK and an empty message. */
void eng_err_clear(eng_err *err);

#endif
