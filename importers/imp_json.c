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

#include <cjson/cJSON.h>
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

/* ---- objects as rows ----------------------------------------------------------- */

/* Frames the next top-level value for the rows reader: strict, no recovery
 * (a registry file is taken whole or not at all).  Returns 1 with OUT:
 * *begin, *end, *start_line; 0 at the end; or a negated ENG_E* code. */
static int next_text(imp_json *j, size_t *begin, size_t *end_out, long *start_out, eng_err *err)
{
    if (j->done)
        return 0;
    skip_ws(j);
    if (j->pos >= j->len) {
        j->done = 1;
        if (j->in_array)
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: the array is not closed", j->path, j->line);
        return 0;
    }
    long start_line = j->line, lines;
    size_t end = value_end(j, &lines);
    if (!end) {
        j->done = 1;
        return -eng_fail(err, ENG_EINPUT,
                         "%s:%ld: record is not closed (unbalanced braces or quotes)", j->path,
                         start_line);
    }
    *begin = j->pos;
    j->pos = end;
    j->line += lines;
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
        } else {
            j->done = 1;
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: expected ',' or ']' after an object",
                             j->path, j->line);
        }
    }
    long nul_line;
    char field[128];
    if (find_nul_escape(j, *begin, end, start_line, &nul_line, field, sizeof field)) {
        j->done = 1;
        return -eng_fail(err, ENG_EINPUT, "%s:%ld: a NUL character (\\u0000) in %s%s%s", j->path,
                         nul_line, field[0] ? "field '" : "a field name", field,
                         field[0] ? "'" : "");
    }
    *end_out = end;
    *start_out = start_line;
    return 1;
}

typedef struct json_rows {
    imp_rows base;
    imp_json *j;
    size_t *begin, *end;
    long *lines;
    size_t n, next;
    char **keys;
    size_t nkeys;
    int header_done;
    char **cells; /* the current row's cells (owned) */
    size_t *lens;
} json_rows;

static void jrows_clear_row(json_rows *r)
{
    for (size_t i = 0; r->cells && i < r->nkeys; i++) {
        free(r->cells[i]);
        r->cells[i] = NULL;
    }
}

static void jrows_free(imp_rows *self)
{
    json_rows *r = (json_rows *)self;
    if (!r)
        return;
    jrows_clear_row(r);
    for (size_t i = 0; i < r->nkeys; i++)
        free(r->keys[i]);
    free(r->keys);
    free(r->cells);
    free(r->lens);
    free(r->begin);
    free(r->end);
    free(r->lines);
    imp_json_free(r->j);
    free(r);
}

/* A value as a cell: strings as they are, numbers in the shortest form that
 * reads back the same, true/false, null as empty, objects and arrays as
 * compact JSON. */
static char *cell_text(const cJSON *v)
{
    char buf[64];
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v->valuedouble);
            if (strtod(buf, NULL) == v->valuedouble)
                break;
        }
        return strdup(buf);
    }
    if (cJSON_IsTrue(v))
        return strdup("true");
    if (cJSON_IsFalse(v))
        return strdup("false");
    if (cJSON_IsNull(v))
        return strdup("");
    return cJSON_PrintUnformatted(v);
}

static int jrows_parse(json_rows *r, size_t i, cJSON **out, eng_err *err)
{
    cJSON *o = cJSON_ParseWithLength(r->j->buf + r->begin[i], r->end[i] - r->begin[i]);
    if (!o)
        return eng_fail(err, ENG_EINPUT, "%s:%ld: invalid JSON in the object starting at line %ld",
                        r->j->path, r->lines[i], r->lines[i]);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return eng_fail(err, ENG_EINPUT, "%s:%ld: expected an object, one a line or in an array",
                        r->j->path, r->lines[i]);
    }
    size_t members = 0;
    for (const cJSON *c = o->child; c; c = c->next)
        members++;
    if (members > 4096) {
        cJSON_Delete(o);
        return eng_fail(err, ENG_EINPUT, "%s:%ld: %zu keys in one object (at most 4096)",
                        r->j->path, r->lines[i], members);
    }
    for (const cJSON *c = o->child; c; c = c->next)
        for (const cJSON *d = c->next; d; d = d->next)
            if (!strcmp(c->string, d->string)) {
                int rc = eng_fail(err, ENG_EINPUT, "%s:%ld: key '%s' appears twice in one object",
                                  r->j->path, r->lines[i], c->string);
                cJSON_Delete(o);
                return rc;
            }
    *out = o;
    return ENG_OK;
}

static int jrows_next(imp_rows *self, imp_row *row, eng_err *err)
{
    json_rows *r = (json_rows *)self;
    jrows_clear_row(r);
    if (!r->header_done) {
        r->header_done = 1;
        for (size_t k = 0; k < r->nkeys; k++)
            r->lens[k] = strlen(r->keys[k]);
        row->cells = r->keys;
        row->lens = r->lens;
        row->ncells = r->nkeys;
        row->line = r->n ? r->lines[0] : 1;
        return 1;
    }
    if (r->next >= r->n)
        return 0;
    size_t i = r->next++;
    cJSON *o;
    int rc = jrows_parse(r, i, &o, err);
    if (rc)
        return -rc;
    for (size_t k = 0; k < r->nkeys; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, r->keys[k]);
        r->cells[k] = v ? cell_text(v) : strdup("");
        if (!r->cells[k]) {
            cJSON_Delete(o);
            return -eng_fail(err, ENG_EIO, "out of memory");
        }
        r->lens[k] = strlen(r->cells[k]);
    }
    cJSON_Delete(o);
    row->cells = r->cells;
    row->lens = r->lens;
    row->ncells = r->nkeys;
    row->line = r->lines[i];
    return 1;
}

int imp_json_rows_open(const char *path, imp_rows **out, eng_err *err)
{
    json_rows *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "out of memory");
    r->base.next = jrows_next;
    r->base.free = jrows_free;
    int rc = imp_json_open(path, &r->j, err);
    if (rc) {
        free(r);
        return rc;
    }
    r->base.file = r->j->path;
    size_t cap = 0, kcap = 0;
    for (;;) {
        size_t b = 0, e = 0;
        long line = 0;
        int got = next_text(r->j, &b, &e, &line, err);
        if (got < 0) {
            rc = -got;
            goto fail;
        }
        if (!got)
            break;
        if (r->n == cap) {
            cap = cap ? cap * 2 : 256;
            size_t *nb = realloc(r->begin, cap * sizeof *nb);
            if (nb)
                r->begin = nb;
            size_t *ne = realloc(r->end, cap * sizeof *ne);
            if (ne)
                r->end = ne;
            long *nl = realloc(r->lines, cap * sizeof *nl);
            if (nl)
                r->lines = nl;
            if (!nb || !ne || !nl) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto fail;
            }
        }
        r->begin[r->n] = b;
        r->end[r->n] = e;
        r->lines[r->n] = line;
        /* Pass one: the keys, in order of first appearance. */
        cJSON *o;
        if ((rc = jrows_parse(r, r->n, &o, err)))
            goto fail;
        r->n++;
        size_t pos = 0;
        for (const cJSON *c = o->child; c; c = c->next, pos++) {
            if (pos < r->nkeys && !strcmp(r->keys[pos], c->string))
                continue; /* the usual case: the same keys in the same order */
            size_t k = 0;
            while (k < r->nkeys && strcmp(r->keys[k], c->string))
                k++;
            if (k < r->nkeys)
                continue;
            if (r->nkeys == kcap) {
                kcap = kcap ? kcap * 2 : 32;
                char **nk = realloc(r->keys, kcap * sizeof *nk);
                if (!nk) {
                    cJSON_Delete(o);
                    rc = eng_fail(err, ENG_EIO, "out of memory");
                    goto fail;
                }
                r->keys = nk;
            }
            if (!(r->keys[r->nkeys] = strdup(c->string))) {
                cJSON_Delete(o);
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto fail;
            }
            r->nkeys++;
        }
        cJSON_Delete(o);
    }
    r->cells = calloc(r->nkeys ? r->nkeys : 1, sizeof *r->cells);
    r->lens = calloc(r->nkeys ? r->nkeys : 1, sizeof *r->lens);
    if (!r->cells || !r->lens) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    *out = &r->base;
    return ENG_OK;
fail:
    jrows_free(&r->base);
    return rc;
}
