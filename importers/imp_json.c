/*
 * imp_json: canonical JSON and JSONL records (see imp_json.h).
 *
 * The file is read in chunks into a buffer that holds the value being read
 * (and what is left of the last chunk), never the whole file: memory does not
 * grow with the file.  One framer splits the text into top-level values: a
 * small scanner that tracks strings, escapes and nesting, so that each record
 * is parsed on its own and every message names the line where its record
 * starts (and the line of a syntax error inside it).  A file whose first
 * value is an array yields the array's elements; otherwise it is a sequence
 * of objects (JSONL, or one pretty-printed object).  The encoding is checked
 * in a first pass over the file, chunk by chunk, so that a file with a bad
 * byte is refused at open as before.
 */
#include "importers/imp_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_utf8.h"

#define JSON_CHUNK ((size_t)1 << 16)
/* The longest value (one record, or one object of a table) the reader takes;
 * a longer one is refused with its line, the buffer never grows past it. */
#define JSON_MAX_VALUE ((size_t)256 << 20)

struct imp_json {
    char *path;
    FILE *f;
    char *buf; /* buf[0, len) read and not dropped; buf[len] is '\0' */
    size_t cap, len, pos;
    int eof;        /* f has no more */
    int ioerr;      /* a read failed */
    long line;      /* line of buf[pos] */
    long last_line; /* line where the value read last starts */
    int in_array;
    int done;
    const char *noun;  /* "record" or "object", for messages */
    const char *array; /* "the array of records" or "the array" */
};

/* Reads the next chunk after buf[len), growing the buffer when the room
 * left is less than a chunk.  Returns 1 when bytes came, 0 at the end of the
 * file (or on a read error: ioerr), -1 when the value in hand would pass
 * JSON_MAX_VALUE. */
static int more(imp_json *j)
{
    if (j->eof)
        return 0;
    if (j->cap - j->len < JSON_CHUNK + 1) {
        size_t nc = j->cap ? j->cap * 2 : 4 * JSON_CHUNK;
        if (nc < j->len + JSON_CHUNK + 1)
            nc = j->len + JSON_CHUNK + 1;
        if (j->len - j->pos > JSON_MAX_VALUE)
            return -1;
        char *nb = realloc(j->buf, nc);
        if (!nb) {
            j->ioerr = 1;
            j->eof = 1;
            return 0;
        }
        j->buf = nb;
        j->cap = nc;
    }
    size_t r = fread(j->buf + j->len, 1, j->cap - j->len - 1, j->f);
    if (r == 0) {
        j->eof = 1;
        j->ioerr = ferror(j->f) != 0;
        return 0;
    }
    j->len += r;
    j->buf[j->len] = '\0';
    return 1;
}

/* Forgets buf[0, pos): nobody holds an offset into it. */
static void drop(imp_json *j)
{
    if (j->pos == 0)
        return;
    memmove(j->buf, j->buf + j->pos, j->len - j->pos);
    j->len -= j->pos;
    j->pos = 0;
    j->buf[j->len] = '\0';
}

/* The byte at offset i, reading on as needed; -1 past the end.  With
 * may_drop, what lies before i is forgotten first when more must be read
 * (i is moved with it). */
static int byte_at(imp_json *j, size_t *i, int may_drop)
{
    while (*i >= j->len) {
        if (may_drop) {
            j->pos = *i;
            drop(j);
            *i = 0;
        }
        if (more(j) <= 0)
            return -1;
    }
    return (unsigned char)j->buf[*i];
}

/* Past white space; with may_drop, the text before it is forgotten when
 * more is read (no offset into the buffer is held). */
static void skip_ws(imp_json *j, int may_drop)
{
    for (;;) {
        int c = byte_at(j, &j->pos, may_drop);
        if (c == '\n')
            j->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            return;
        j->pos++;
    }
}

/* The first pass: every byte valid UTF-8 and none NUL, chunk by chunk.  A
 * UTF-8 BOM is allowed (and skipped by the reader).  Returns ENG_OK, or
 * ENG_EINPUT "FILE:LINE:COL: ..." (COL counted in bytes) or ENG_EIO. */
static int check_text(const char *path, eng_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
    static const size_t chunk = 1 << 16;
    unsigned char *b = malloc(chunk + 8);
    if (!b) {
        fclose(f);
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    }
    size_t have = 0, base = 0; /* base: file offset of b[0] */
    long line = 1;
    size_t col = 1;
    int rc = ENG_OK, first = 1;
    for (;;) {
        size_t r = fread(b + have, 1, chunk, f);
        int eof = r == 0;
        have += r;
        size_t i = 0;
        if (first && have >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3)) {
            i = 3;
            col = 4;
        }
        if (have >= 3 || eof)
            first = 0;
        while (i < have) {
            unsigned char c = b[i];
            if (c >= 0x20 && c < 0x80) { /* the usual case */
                i++;
                col++;
                continue;
            }
            if (!eof && have - i < 4)
                break; /* a sequence may go on in the next chunk */
            size_t n = base_utf8_len(b + i, have - i);
            if (!n) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld:%zu: invalid UTF-8 (byte 0x%02X at offset %zu)", path, line,
                              col, c, base + i);
                goto out;
            }
            if (c == '\0') {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld:%zu: NUL byte at offset %zu (binary data, or a UTF-16 "
                              "file without a byte-order mark?)",
                              path, line, col, base + i);
                goto out;
            }
            if (c == '\n') {
                line++;
                col = 1;
            } else
                col += n;
            i += n;
        }
        memmove(b, b + i, have - i);
        have -= i;
        base += i;
        if (eof)
            break;
    }
    if (ferror(f))
        rc = eng_fail(err, ENG_EIO, "%s: read error", path);
out:
    free(b);
    fclose(f);
    return rc;
}

static int open_reader(const char *path, int check, imp_json **out, eng_err *err)
{
    int rc = check ? check_text(path, err) : ENG_OK;
    if (rc)
        return rc;
    imp_json *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    j->noun = "record";
    j->array = "the array of records";
    j->line = 1;
    if (!(j->f = fopen(path, "rb"))) {
        rc = eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
        imp_json_free(j);
        return rc;
    }
    more(j);
    if (j->len >= 3 && !memcmp(j->buf, "\xEF\xBB\xBF", 3))
        j->pos = 3;
    skip_ws(j, 1);
    if (j->ioerr) {
        rc = eng_fail(err, ENG_EIO, "%s: read error", path);
        imp_json_free(j);
        return rc;
    }
    if (j->pos >= j->len) {
        imp_json_free(j);
        return eng_fail(err, ENG_EINPUT, "%s: empty file: expected records", path);
    }
    if (j->buf[j->pos] == '[') {
        j->in_array = 1;
        j->pos++;
        skip_ws(j, 1);
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

int imp_json_open(const char *path, imp_json **out, eng_err *err)
{
    return open_reader(path, 1, out, err);
}

/* Finds the end of the value starting at j->pos, reading on as needed.
 * Returns the end offset (one past), or 0 when the value does not close
 * (*too_long: it passed JSON_MAX_VALUE). */
static size_t value_end(imp_json *j, long *lines, int *too_long)
{
    int depth = 0, in_str = 0;
    *lines = 0;
    *too_long = 0;
    for (size_t i = j->pos;; i++) {
        if (i >= j->len) {
            int m = more(j);
            if (m <= 0) {
                *too_long = m < 0;
                return 0;
            }
        }
        char c = j->buf[i];
        if (c == '\n')
            (*lines)++;
        if (in_str) {
            if (c == '\\') {
                if (i + 1 >= j->len) {
                    int m = more(j);
                    if (m <= 0) {
                        *too_long = m < 0;
                        return 0;
                    }
                }
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

/* Frames the next top-level value, for both readers: OUT *begin, *end
 * (offsets into buf, valid until the next call) and *start_line; in an array
 * it moves past the ',' or ']' after the value.  Returns 1 with a value, 0 at
 * the end, or a negated ENG_E* code with the message.  *bad is set when the
 * value at *begin could not be framed or is not followed by ',' or ']' (the
 * records reader recovers from there; the rows reader stops). */
static int frame(imp_json *j, size_t *begin, size_t *end, long *start_line, int *bad, eng_err *err)
{
    *bad = 0;
    if (j->done)
        return 0;
    if (j->pos > j->cap / 2)
        drop(j); /* no offset into the buffer is held between values */
    skip_ws(j, 1);
    if (j->ioerr) {
        j->done = 1;
        return -eng_fail(err, ENG_EIO, "%s: read error", j->path);
    }
    if (j->pos >= j->len) {
        j->done = 1;
        j->last_line = j->line;
        if (j->in_array)
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: %s is not closed", j->path, j->line,
                             j->array);
        return 0;
    }
    long lines;
    int too_long;
    *start_line = j->last_line = j->line;
    *begin = j->pos;
    size_t e = value_end(j, &lines, &too_long);
    if (j->ioerr) {
        j->done = 1;
        return -eng_fail(err, ENG_EIO, "%s: read error", j->path);
    }
    if (!e) {
        *bad = 1;
        if (too_long)
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: a %s longer than %zu MiB", j->path,
                             *start_line, j->noun, JSON_MAX_VALUE >> 20);
        return -eng_fail(err, ENG_EINPUT,
                         "%s:%ld: record is not closed (unbalanced braces or quotes)", j->path,
                         *start_line);
    }
    j->pos = e;
    j->line += lines;
    *end = e;
    /* What follows: a comma or the closing bracket in an array. */
    skip_ws(j, 0);
    if (j->in_array) {
        if (j->pos < j->len && j->buf[j->pos] == ',') {
            j->pos++;
        } else if (j->pos < j->len && j->buf[j->pos] == ']') {
            j->pos++;
            skip_ws(j, 0);
            j->done = 1;
            if (j->pos < j->len)
                return -eng_fail(err, ENG_EINPUT, "%s:%ld: text after the closing ']'", j->path,
                                 j->line);
        } else if (j->pos < j->len) {
            *bad = 1;
            return -eng_fail(err, ENG_EINPUT, "%s:%ld: expected ',' or ']' after a%s %s", j->path,
                             j->line, j->noun[0] == 'o' ? "n" : "", j->noun);
        }
    }
    return 1;
}

/* The reader's answer to a bad record: moved on so that the next call makes
 * progress whatever the input.  In an array, a broken structure ends the
 * file (nothing after it can be placed); elsewhere (JSONL, a sequence of
 * objects) reading goes on at the next line that starts with '{' after the
 * line where the bad record starts.  Returns -code. */
static int recover(imp_json *j, size_t begin, int structural, int code)
{
    if (j->in_array) {
        if (structural || j->pos <= begin)
            j->done = 1;
        return -code;
    }
    /* JSONL: from the line after the one where the record starts; what is
     * passed over is dropped as more is read. */
    size_t i = begin;
    long line = j->last_line;
    int c;
    while ((c = byte_at(j, &i, 1)) >= 0 && c != '\n')
        i++;
    while (c >= 0) {
        i++; /* past the '\n' */
        line++;
        if ((c = byte_at(j, &i, 1)) == '{')
            break;
        while (c >= 0 && c != '\n') {
            i++;
            c = byte_at(j, &i, 1);
        }
    }
    if (c < 0) {
        i = j->len;
        j->done = 1;
    }
    j->pos = i;
    j->line = line;
    return -code;
}

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
    return recover(j, begin, structural, code);
}

int imp_json_next(imp_json *j, eng_record *out, eng_err *err)
{
    size_t begin = 0, end = 0;
    long start_line = 0;
    int bad;
    int got = frame(j, &begin, &end, &start_line, &bad, err);
    if (got <= 0)
        return bad ? recover(j, begin, 1, -got) : got;
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
            for (size_t i = begin; i < begin + off && i < end; i++)
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
    if (j->f)
        fclose(j->f);
    free(j->path);
    free(j->buf);
    free(j);
}

/* ---- objects as rows ----------------------------------------------------------- */

/* Frames the next object for the rows reader: strict, no recovery (a
 * registry file is taken whole or not at all).  Returns 1 with OUT: *begin,
 * *end, *start_line; 0 at the end; or a negated ENG_E* code. */
static int next_text(imp_json *j, size_t *begin, size_t *end, long *start_line, eng_err *err)
{
    int bad;
    int got = frame(j, begin, end, start_line, &bad, err);
    if (got <= 0) {
        if (got < 0)
            j->done = 1;
        return got;
    }
    long nul_line;
    char field[128];
    if (find_nul_escape(j, *begin, *end, *start_line, &nul_line, field, sizeof field)) {
        j->done = 1;
        return -eng_fail(err, ENG_EINPUT, "%s:%ld: a NUL character (\\u0000) in %s%s%s", j->path,
                         nul_line, field[0] ? "field '" : "a field name", field,
                         field[0] ? "'" : "");
    }
    return 1;
}

typedef struct json_rows {
    imp_rows base;
    imp_json *j; /* the second pass: the rows */
    long first_line;
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

static int jrows_parse(const imp_json *j, size_t begin, size_t end, long line, cJSON **out,
                       eng_err *err)
{
    cJSON *o = cJSON_ParseWithLength(j->buf + begin, end - begin);
    if (!o)
        return eng_fail(err, ENG_EINPUT, "%s:%ld: invalid JSON in the object starting at line %ld",
                        j->path, line, line);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return eng_fail(err, ENG_EINPUT, "%s:%ld: expected an object, one a line or in an array",
                        j->path, line);
    }
    size_t members = 0;
    for (const cJSON *c = o->child; c; c = c->next)
        members++;
    if (members > 4096) {
        cJSON_Delete(o);
        return eng_fail(err, ENG_EINPUT, "%s:%ld: %zu keys in one object (at most 4096)", j->path,
                        line, members);
    }
    for (const cJSON *c = o->child; c; c = c->next)
        for (const cJSON *d = c->next; d; d = d->next)
            if (!strcmp(c->string, d->string)) {
                int rc = eng_fail(err, ENG_EINPUT, "%s:%ld: key '%s' appears twice in one object",
                                  j->path, line, c->string);
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
        row->line = r->first_line;
        return 1;
    }
    size_t b, e;
    long line;
    int got = next_text(r->j, &b, &e, &line, err);
    if (got <= 0)
        return got;
    cJSON *o;
    int rc = jrows_parse(r->j, b, e, line, &o, err);
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
    row->line = line;
    return 1;
}

/* Pass one: every object framed and parsed, its keys added to r->keys in
 * order of first appearance.  Returns ENG_OK or the error. */
static int collect_keys(json_rows *r, imp_json *j, eng_err *err)
{
    size_t kcap = 0;
    int first = 1;
    r->first_line = 1;
    for (;;) {
        size_t b = 0, e = 0;
        long line = 0;
        int got = next_text(j, &b, &e, &line, err);
        if (got < 0)
            return -got;
        if (!got)
            return ENG_OK;
        if (first)
            r->first_line = line;
        first = 0;
        cJSON *o;
        int rc = jrows_parse(j, b, e, line, &o, err);
        if (rc)
            return rc;
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
                    return eng_fail(err, ENG_EIO, "out of memory");
                }
                r->keys = nk;
            }
            if (!(r->keys[r->nkeys] = strdup(c->string))) {
                cJSON_Delete(o);
                return eng_fail(err, ENG_EIO, "out of memory");
            }
            r->nkeys++;
        }
        cJSON_Delete(o);
    }
}

int imp_json_rows_open(const char *path, imp_rows **out, eng_err *err)
{
    json_rows *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "out of memory");
    r->base.next = jrows_next;
    r->base.free = jrows_free;
    imp_json *keys = NULL;
    int rc = open_reader(path, 1, &keys, err);
    if (!rc) {
        keys->noun = "object";
        keys->array = "the array";
        rc = collect_keys(r, keys, err);
        imp_json_free(keys);
    }
    /* Pass two reads the rows; the text was checked by pass one. */
    if (!rc && !(rc = open_reader(path, 0, &r->j, err))) {
        r->j->noun = "object";
        r->j->array = "the array";
        r->base.file = r->j->path;
    }
    if (!rc) {
        r->cells = calloc(r->nkeys ? r->nkeys : 1, sizeof *r->cells);
        r->lens = calloc(r->nkeys ? r->nkeys : 1, sizeof *r->lens);
        if (!r->cells || !r->lens)
            rc = eng_fail(err, ENG_EIO, "out of memory");
    }
    if (rc) {
        jrows_free(&r->base);
        return rc;
    }
    *out = &r->base;
    return ENG_OK;
}

int imp_json_shape(const char *path, int *record_shaped, eng_err *err)
{
    *record_shaped = 1;
    imp_json *j = NULL;
    int rc = open_reader(path, 0, &j, err);
    if (rc)
        return rc == ENG_EINPUT ? ENG_OK : rc; /* the reader proper names the fault */
    size_t b = 0, e = 0;
    long line = 0;
    eng_err quiet = {0};
    if (next_text(j, &b, &e, &line, &quiet) > 0) {
        cJSON *o = cJSON_ParseWithLength(j->buf + b, e - b);
        if (cJSON_IsObject(o) && !cJSON_GetObjectItemCaseSensitive(o, "id"))
            *record_shaped = 0;
        cJSON_Delete(o);
    }
    eng_err_clear(&quiet);
    imp_json_free(j);
    return ENG_OK;
}
