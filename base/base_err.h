/*
 * base_err: the one error convention of vernier, for every layer.
 *
 * A function that can fail returns an int result code (BASE_OK on success)
 * and, when it fails, writes a one-line message into a caller-owned
 * base_err (curl's errbuf and SQLite's pzErrMsg in one; no globals).  The
 * codes double as the process exit codes of the CLI (DESIGN.md): 1 usage,
 * 2 bad input, 3 internal or I/O failure.  Messages name the place first,
 * "FILE:LINE: field 'x': what is wrong", in lower case, with no trailing
 * newline and without the "vernier: " prefix (cli/ adds it).
 *
 * Lists of findings are not errors: `rules check` collects every problem
 * of a rule set as rule_diags, the JSON scanner its problems as rule_jerr,
 * and a load that fails says so through them.
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stddef.h>

enum {
    BASE_OK = 0,
    BASE_EUSAGE = 1, /* the caller asked for something that makes no sense */
    BASE_EINPUT = 2, /* the input (file, record, rule set) is bad */
    BASE_EIO = 3,    /* I/O, SQLite, memory or another internal failure */
};

typedef struct base_err {
    int code;
    char msg[1024];
} base_err;

/* Sets err (when not NULL) to code and the printf-style message; returns code
 * so that callers can write `return base_fail(err, BASE_EINPUT, "...")`. */
int base_fail(base_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears err (when not NULL) to BASE_OK and an empty message. */
void base_err_clear(base_err *err);

#endif
