/*
 * imp_json: canonical JSON and JSONL records (see imp_json.h).
 *
 * The file is split into top-level values by a small scanner that tracks
 * strings, escapes and nesting, so that each record is parsed on its own and
 * every message names the line where its record starts (and the line of a
 * syntax error inside it).  A file whose first value is an array yields the
 * array's elements; otherwise it is a sequence of objects (JSONL, or one
 * pretty-printed object).
 */
#include "importers/imp_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_utf8.h"

struct imp_json {
    char *path;
    char *buf;
    size_t len, pos;
    long line;      /* line of buf[pos] */
    long last_line; /* line where the value read last starts */
    int in_array;
    int done;
};

static int read_file(const char *path, char **out, size_t *len, eng_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!b)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    if (bad) {
        free(b);
        return eng_fail(err, ENG_EIO, "%s: read error", path);
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return ENG_OK;
}

static void skip_ws(imp_json *j)
{
    while (j->pos < j->len) {
        char c = j->buf[j->pos];
        if (c == '\n')
            j->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        j->pos++;
    }
}

int imp_json_open(const char *path, imp_json **out, eng_err *err)
{
    imp_json *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    int rc = read_file(path, &j->buf, &j->len, err);
    if (rc) {
        imp_json_free(j);
        return rc;
    }
    j->line = 1;
    /* A UTF-8 BOM is allowed and skipped; any other invalid byte is an error. */
    if (j->len >= 3 && !memcmp(j->buf, "\xEF\xBB\xBF", 3))
        j->pos = 3;
    long line = 1;
    for (size_t i = j->pos; i < j->len;) {
        size_t n = base_utf8_len((const unsigned char *)j->buf + i, j->len - i);
        if (!n) {
            size_t col = 1;
            for (size_t k = i; k > 0 && j->buf[k - 1] != '\n'; k--)
                col++;
            rc = eng_fail(err, ENG_EINPUT, "%s:%ld:%zu: invalid UTF-8 (byte 0x%02X at offset %zu)",
                          path, line, col, (unsigned char)j->buf[i], i);
            imp_json_free(j);
            return rc;
        }
        if (j->buf[i] == '\0') {
            size_t col = 1;
            for (size_t k = i; k > 0 && j->buf[k - 1] != '\n'; k--)
                col++;
            rc = eng_fail(err, ENG_EINPUT,
                          "%s:%ld:%zu: NUL byte at offset %zu (binary data, or a UTF-16 file "
                          "without a byte-order mark?)",
                          path, line, col, i);
            imp_json_free(j);
            return rc;
        }
        if (j->buf[i] == '\n')
            line++;
        i += n;
    }
    skip_ws(j);
    if (j->pos >= j->len) {
        imp_json_free(j);
        return eng_fail(err, ENG_EINPUT, "%s: empty file: expected records", path);
    }
    if (j->buf[j->pos] == '[') {
        j->in_array = 1;
        j->pos++;
        skip_ws(j);
        if (j->pos < j->len && j->buf[j->pos] == ']') {
            j->pos++;
            j->done = 1;
        }
    } else if (j->buf[j->pos] != '{') {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s:%ld: expected an array of records or one record object a line", path,
                      j->line);
        imp_json_free(j);
        return rc;
    }
    *out = j;
    return ENG_OK;
}

/* Finds the end of the value starting at j->pos.  Returns the end offset
 * (one past), or 0 when the value does not close. */
static size_t value_end(const imp_json *j, long *lines)
{
    int depth = 0, in_str = 0;
    *lines = 0;
    for (size_t i = j->pos; i < j->len; i++) {
        char c = j->buf[i];
        if (c == '\n')
            (*lines)++;
        if (in_str) {
            if (c == '\\' && i + 1 < j->len) {
                i++;
                if (j->buf[i] == '\n')
                    (*lines)++;
            } else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
            if (depth < 0)
                return 0;
        } else if (depth == 0 && (c == ',' || c == '\n'))
            return i; /* a scalar at top level: let cJSON complain about it */
    }
    return 0;
}

/* Looks in the value buf[begin, end) for a "\u0000" escape, which cJSON would
 * decode into a NUL that cuts the text short.  Returns 1 when one is there,
 * with *line its line (counted from start_line) and field the name of the
 * record's field holding it ("" when it is in a field name itself). */
static int find_nul_escape(const imp_json *j, size_t begin, size_t end, long start_line, long *line,
                           char *field, size_t fieldsz)
{
    int depth = 0, in_str = 0, expect_key = 0, in_key = 0;
    size_t str_start = 0, key_start = 0, key_end = 0;
    long ln = start_line;
    for (size_t i = begin; i < end; i++) {
        char c = j->buf[i];
        if (c == '\n')
            ln++;
        if (in_str) {
            if (c == '\\' && i + 1 < end) {
                if (j->buf[i + 1] == 'u' && i + 6 <= end && !memcmp(j->buf + i + 2, "0000", 4)) {
                    size_t n = in_key ? 0 : key_end - key_start;
                    if (n >= fieldsz)
                        n = fieldsz - 1;
                    memcpy(field, j->buf + key_start, n);
                    field[n] = '\0';
                    *line = ln;
                    return 1;
                }
                i++;
            } else if (c == '"') {
                in_str = 0;
                if (in_key) {
                    key_start = str_start + 1;
                    key_end = i;
                    in_key = expect_key = 0;
                }
            }
            continue;
        }
        if (c == '"') {
            in_str = 1;
            str_start = i;
            in_key = depth == 1 && expect_key;
        } else if (c == '{' || c == '[') {
            depth++;
            expect_key = depth == 1 && c == '{';
        } else if (c == '}' || c == ']')
            depth--;
        else if (c == ',' && depth == 1)
            expect_key = 1;
    }
    return 0;
}

/* The reader's answer to a bad record: a message, and the reader moved on so
 * that the next call makes progress whatever the input.  In an array, a
 * broken structure ends the file (nothing after it can be placed); elsewhere
 * (JSONL, a sequence of objects) reading goes on at the next line that starts
 * with '{' after the line where the bad record starts. */
static int bad_record(imp_json *j, size_t begin, int structural, eng_err *err, int code,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int bad_record(imp_json *j, size_t begin, int structural, eng_err *err, int code,
                      const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    if (j->in_array) {
        if (structural || j->pos <= begin)
            j->done = 1;
        return -code;
    }
    /* JSONL: from the line after the one where the record starts */
    size_t i = begin;
    long line = j->last_line;
    while (i < j->len && j->buf[i] != '\n')
        i++;
    while (i < j->len) {
        i++; /* past the '\n' */
        line++;
        if (i < j->len && j->buf[i] == '{')
            break;
        while (i < j->len && j->buf[i] != '\n')
            i++;
    }
    if (i >= j->len) {
        i = j->len;
        j->done = 1;
    }
    j->pos = i;
    j->line = line;
    return -code;
}

int imp_json_next(imp_json *j, eng_record *out, eng_err *err)
{
    if (j->done)
        return 0;
    skip_ws(j);
    if (j->pos >= j->len) {
        j->done = 1;
        j->last_line = j->line;
        if (j->in_array)
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: the array of records is not closed", j->path,
                             j->line);
        return 0;
    }
    long start_line = j->line, lines;
    size_t begin = j->pos;
    j->last_line = start_line;
    size_t end = value_end(j, &lines);
    if (!end)
        return bad_record(j, begin, 1, err, ENG_EINPUT,
                          "%s:%ld: record is not closed (unbalanced braces or quotes)", j->path,
                          start_line);
    j->pos = end;
    j->line += lines;
    /* What follows: a comma or the closing bracket in an array. */
    skip_ws(j);
    if (j->in_array) {
        if (j->pos < j->len && j->buf[j->pos] == ',') {
            j->pos++;
        } else if (j->pos < j->len && j->buf[j->pos] == ']') {
            j->pos++;
            skip_ws(j);
            j->done = 1;
            if (j->pos < j->len)
                return -eng_fail(err, ENG_EINPUT, "%s:%ld: text after the closing ']'", j->path,
                                 j->line);
        } else if (j->pos < j->len) {
            return bad_record(j, begin, 1, err, ENG_EINPUT,
                              "%s:%ld: expected ',' or ']' after a record", j->path, j->line);
        }
    }
    if (end == begin)
        return bad_record(j, begin, 0, err, ENG_EINPUT, "%s:%ld: expected a record, found '%c'",
                          j->path, start_line, j->buf[begin]);
    long nul_line;
    char field[128];
    if (find_nul_escape(j, begin, end, start_line, &nul_line, field, sizeof field)) {
        if (field[0])
            return bad_record(j, begin, 0, err, ENG_EINPUT,
                              "%s:%ld: field '%s': a NUL character (\\u0000) in the text", j->path,
                              nul_line, field);
        return bad_record(j, begin, 0, err, ENG_EINPUT,
                          "%s:%ld: a NUL character (\\u0000) in a field name", j->path, nul_line);
    }
    eng_err e;
    eng_err_clear(&e);
    int rc = eng_record_from_json(j->buf + begin, end - begin, out, &e);
    if (rc) {
        /* "invalid JSON near byte N": turn the byte into a line. */
        size_t off;
        long line = start_line;
        if (sscanf(e.msg, "invalid JSON near byte %zu", &off) == 1) {
            for (size_t i = begin; i < begin + off && i < j->len; i++)
                line += j->buf[i] == '\n';
            return bad_record(j, begin, 0, err, ENG_EINPUT,
                              "%s:%ld: invalid JSON in the record starting at line %ld", j->path,
                              line, start_line);
        }
        return bad_record(j, begin, 0, err, rc, "%s:%ld: %s", j->path, start_line, e.msg);
    }
    if (eng_record_set_provenance(out, j->path, start_line))
        return -eng_fail(err, ENG_EIO, "out of memory");
    return 1;
}

long imp_json_line(const imp_json *j)
{
    return j->last_line;
}

void imp_json_free(imp_json *j)
{
    if (!j)
        return;
    free(j->path);
    free(j->buf);
    free(j);
}
