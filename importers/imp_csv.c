/*
 * imp_csv: the CSV reader (see imp_csv.h for the dialect and its policy).
 *
 * The text comes from imp_enc as valid UTF-8 chunks; a first sample (up to
 * 64 KiB) is kept to detect the delimiter and is then parsed like any other
 * chunk.  The parser is a small state machine over bytes; runs of ordinary
 * bytes are copied into the row buffer at once.  The row buffer holds the
 * cells one after the other, each NUL-terminated.
 */
#include "importers/imp_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/imp_enc.h"

#define SAMPLE_CAP (64 * 1024)
#define ROW_MAX ((size_t)64 << 20)
#define CELLS_MAX 65536
#define SNIFF_RECORDS 100

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE_SEEN, S_AFTER_QUOTE };

typedef struct csv {
    imp_rows base; /* first: imp_rows * and csv * are the same pointer */
    imp_enc *enc;
    char *path;
    char delim;
    /* input: the sample first, then imp_enc's chunks */
    char *sample;
    size_t sample_len;
    int sample_used;
    const char *in;
    size_t in_len, in_pos;
    int eof;
    int enc_failed; /* imp_enc failed after the text we hold */
    eng_err enc_err;
    /* parser */
    int state;
    long line;   /* physical line of the next byte, 1-based */
    int prev_cr; /* the last byte was a CR (its LF is not a new line) */
    int row_started;
    int row_quoted; /* some field of the row was quoted */
    long row_line, quote_line;
    char *buf;
    size_t len, cap;
    size_t *starts; /* start of each finished cell in buf */
    size_t ncells, cells_cap;
    char **cells;
    size_t *lens;
    int failed;
    eng_err ferr;
} csv;

const char *imp_csv_delimiter_name(char d, char buf[8])
{
    if (d == '\t')
        snprintf(buf, 8, "TAB");
    else if ((unsigned char)d < 0x20 || d == 0x7F)
        snprintf(buf, 8, "0x%02X", (unsigned char)d);
    else
        snprintf(buf, 8, "'%c'", d);
    return buf;
}

/* ---- delimiter detection -------------------------------------------------- */

/* Splits up to SNIFF_RECORDS records of text with delimiter d, honouring
 * quotes; OUT: counts[] (fields per non-blank record).  The last record is
 * dropped when the text was cut (not at the end of the file).  Returns the
 * number of records. */
static size_t sniff_counts(const char *t, size_t n, char d, int at_eof, size_t *counts)
{
    size_t nrec = 0, fields = 1, i = 0;
    int quoted = 0, field_start = 1, blank = 1;
    while (i < n && nrec < SNIFF_RECORDS) {
        char c = t[i++];
        if (quoted) {
            if (c == '"') {
                if (i < n && t[i] == '"')
                    i++;
                else
                    quoted = 0;
            }
            continue;
        }
        if (c == '"' && field_start) {
            quoted = 1;
            blank = 0;
            field_start = 0;
        } else if (c == d) {
            /* a line of nothing but spaces and tabs is blank whatever d is */
            fields++;
            if (c != '\t')
                blank = 0;
            field_start = 1;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i < n && t[i] == '\n')
                i++;
            if (!blank)
                counts[nrec++] = fields;
            fields = 1;
            blank = 1;
            field_start = 1;
        } else if (c != ' ' && c != '\t') {
            blank = 0;
            field_start = 0;
        }
    }
    if (i >= n && !blank && nrec < SNIFF_RECORDS) {
        if (at_eof && !quoted)
            counts[nrec++] = fields;
    }
    return nrec;
}

typedef struct sniff {
    char delim;
    size_t mode;  /* the most frequent field count */
    size_t agree; /* records with that count */
    size_t nrec;
} sniff;

static sniff sniff_one(const char *t, size_t n, char d, int at_eof)
{
    static size_t counts[SNIFF_RECORDS];
    sniff s = {d, 1, 0, 0};
    s.nrec = sniff_counts(t, n, d, at_eof, counts);
    for (size_t i = 0; i < s.nrec; i++) {
        size_t k = 0;
        for (size_t j = 0; j < s.nrec; j++)
            k += counts[j] == counts[i];
        if (k > s.agree || (k == s.agree && counts[i] > s.mode)) {
            s.agree = k;
            s.mode = counts[i];
        }
    }
    return s;
}

static int detect_delimiter(csv *c, const char *t, size_t n, int at_eof, eng_err *err)
{
    static const char cands[] = {',', ';', '\t', '|', '^', 0x1F};
    sniff best = {',', 1, 0, 0}, second = {0, 0, 0, 0};
    for (size_t i = 0; i < sizeof cands; i++) {
        sniff s = sniff_one(t, n, cands[i], at_eof);
        if (s.mode < 2)
            continue;
        /* more records agreeing wins; then more fields */
        if (best.mode < 2 || s.agree > best.agree ||
            (s.agree == best.agree && s.mode > best.mode)) {
            second = best;
            best = s;
        } else if (second.mode < 2 || s.agree > second.agree ||
                   (s.agree == second.agree && s.mode > second.mode)) {
            second = s;
        }
    }
    if (best.mode >= 2 && second.mode == best.mode && second.agree == best.agree) {
        char a[8], b[8];
        return eng_fail(err, ENG_EINPUT,
                        "%s: cannot tell the delimiter: %s and %s both split the first rows into "
                        "%zu fields; name it with --delimiter",
                        c->path, imp_csv_delimiter_name(best.delim, a),
                        imp_csv_delimiter_name(second.delim, b), best.mode);
    }
    c->delim = best.mode >= 2 ? best.delim : ',';
    return ENG_OK;
}

/* ---- input ------------------------------------------------------------------ */

/* Makes in/in_len the next chunk.  Returns 1, 0 at the end, or -code with
 * the imp_enc error kept in enc_err (reported by the parser with its line). */
static int next_chunk(csv *c)
{
    if (!c->sample_used) {
        c->sample_used = 1;
        if (c->sample_len > 0) {
            c->in = c->sample;
            c->in_len = c->sample_len;
            c->in_pos = 0;
            return 1;
        }
    }
    if (c->enc_failed)
        return -c->enc_err.code;
    if (c->eof)
        return 0;
    const char *t;
    size_t n;
    int rc = imp_enc_read(c->enc, &t, &n, &c->enc_err);
    if (rc < 0) {
        c->enc_failed = 1;
        return rc;
    }
    if (rc == 0) {
        c->eof = 1;
        return 0;
    }
    c->in = t;
    c->in_len = n;
    c->in_pos = 0;
    return 1;
}

/* ---- the row buffer ------------------------------------------------------------ */

static int fail(csv *c, eng_err *err, const char *fmt, long line, const char *what)
{
    eng_fail(&c->ferr, ENG_EINPUT, fmt, c->path, line, what);
    c->failed = 1;
    if (err)
        *err = c->ferr;
    return -ENG_EINPUT;
}

static int oom(csv *c, eng_err *err)
{
    eng_fail(&c->ferr, ENG_EIO, "%s:%ld: out of memory", c->path, c->row_line);
    c->failed = 1;
    if (err)
        *err = c->ferr;
    return -ENG_EIO;
}

static int append(csv *c, const char *p, size_t n, eng_err *err)
{
    if (c->len + n + 1 > c->cap) {
        if (c->len + n + 1 > ROW_MAX)
            return fail(c, err,
                        "%s:%ld: %s: a row longer than 64 MiB (a quote opened and never closed?)",
                        c->row_line, "row too long");
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b)
            return oom(c, err);
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    return 0;
}

static int end_field(csv *c, eng_err *err)
{
    if (c->ncells + 2 > c->cells_cap) {
        if (c->ncells + 2 > CELLS_MAX)
            return fail(c, err, "%s:%ld: %s", c->row_line, "a row with more than 65,536 cells");
        size_t cap = c->cells_cap ? c->cells_cap * 2 : 64;
        size_t *s = realloc(c->starts, cap * sizeof *s);
        if (!s)
            return oom(c, err);
        c->starts = s;
        char **cl = realloc(c->cells, cap * sizeof *cl);
        if (!cl)
            return oom(c, err);
        c->cells = cl;
        size_t *l = realloc(c->lens, cap * sizeof *l);
        if (!l)
            return oom(c, err);
        c->lens = l;
        c->cells_cap = cap;
    }
    if (append(c, "", 1, err) < 0) /* the cell's NUL */
        return -c->ferr.code;
    c->ncells++;
    c->starts[c->ncells] = c->len;
    c->state = S_START;
    return 0;
}

/* Finishes the row into *row; returns 1, or 0 when the row was a blank line
 * (skipped). */
static int end_row(csv *c, imp_row *row, eng_err *err)
{
    if (end_field(c, err) < 0)
        return -c->ferr.code;
    if (c->ncells == 1 && c->len == 1 && !c->row_quoted) {
        c->len = 0;
        c->ncells = 0;
        c->row_started = 0;
        return 0;
    }
    for (size_t i = 0; i < c->ncells; i++) {
        c->cells[i] = c->buf + c->starts[i];
        c->lens[i] = c->starts[i + 1] - c->starts[i] - 1;
    }
    row->cells = c->cells;
    row->lens = c->lens;
    row->ncells = c->ncells;
    row->line = c->row_line;
    c->row_started = 0;
    return 1;
}

static void begin_row(csv *c)
{
    c->len = 0;
    c->ncells = 0;
    c->starts[0] = 0;
    c->row_started = 1;
    c->row_quoted = 0;
    c->row_line = c->line;
    c->state = S_START;
}

/* ---- the parser ------------------------------------------------------------------ */

static int csv_next(imp_rows *self, imp_row *row, eng_err *err)
{
    csv *c = (csv *)self;
    if (c->failed) {
        if (err)
            *err = c->ferr;
        return -c->ferr.code;
    }
    if (c->ncells == 0 && !c->row_started)
        c->len = 0;
    for (;;) {
        if (c->in_pos >= c->in_len) {
            int rc = next_chunk(c);
            if (rc < 0) {
                char where[64] = "";
                if (c->row_started && c->row_line != c->line)
                    snprintf(where, sizeof where, " (in the row starting on line %ld)",
                             c->row_line);
                eng_fail(&c->ferr, c->enc_err.code, "%s:%ld: %s%s", c->path, c->line,
                         c->enc_err.msg, where);
                c->failed = 1;
                if (err)
                    *err = c->ferr;
                return rc;
            }
            if (rc == 0) {
                if (!c->row_started)
                    return 0;
                if (c->state == S_QUOTED) {
                    char what[64];
                    snprintf(what, sizeof what, "%ld", c->quote_line);
                    return fail(c, err, "%s:%ld: a quoted field opened on line %s is never closed",
                                c->quote_line, what);
                }
                int r = end_row(c, row, err);
                if (r != 0)
                    return r;
                return 0;
            }
        }
        const char *p = c->in + c->in_pos, *end = c->in + c->in_len;
        while (p < end) {
            char ch = *p;
            if (ch == '\n' && c->prev_cr) {
                /* the LF of a CRLF: the line was counted at the CR */
                c->prev_cr = 0;
                p++;
                if (c->row_started && c->state == S_QUOTED && append(c, "\n", 1, err) < 0)
                    return -c->ferr.code;
                continue;
            }
            c->prev_cr = 0;
            if (!c->row_started) {
                if (ch == '\n' || ch == '\r') { /* a blank line */
                    c->line++;
                    c->prev_cr = ch == '\r';
                    p++;
                    continue;
                }
                begin_row(c);
            }
            if (ch == '\0') {
                c->in_pos = (size_t)(p - c->in);
                return fail(c, err, "%s:%ld: %s", c->line,
                            "NUL character in a cell (binary data, or a UTF-16 file without "
                            "its byte-order mark?)");
            }
            switch (c->state) {
            case S_START:
                if (ch == '"') {
                    c->len = c->starts[c->ncells]; /* spaces before the quote go */
                    c->state = S_QUOTED;
                    c->row_quoted = 1;
                    c->quote_line = c->line;
                    p++;
                    continue;
                }
                if (ch == ' ' && c->delim != ' ') {
                    if (append(c, " ", 1, err) < 0)
                        return -c->ferr.code;
                    p++;
                    continue;
                }
                c->state = S_UNQUOTED;
                /* fall through */
            case S_UNQUOTED: {
                const char *q = p;
                while (q < end && *q != c->delim && *q != '\n' && *q != '\r' && *q != '\0')
                    q++;
                if (q > p && append(c, p, (size_t)(q - p), err) < 0)
                    return -c->ferr.code;
                p = q;
                if (p == end || *p == '\0')
                    continue;
                ch = *p++;
                if (ch == c->delim) {
                    if (end_field(c, err) < 0)
                        return -c->ferr.code;
                    continue;
                }
                c->line++;
                c->prev_cr = ch == '\r';
                c->in_pos = (size_t)(p - c->in);
                if (end_row(c, row, err) == 1)
                    return 1;
                continue;
            }
            case S_QUOTED: {
                const char *q = p;
                while (q < end && *q != '"' && *q != '\n' && *q != '\r' && *q != '\0')
                    q++;
                if (q > p && append(c, p, (size_t)(q - p), err) < 0)
                    return -c->ferr.code;
                p = q;
                if (p == end || *p == '\0')
                    continue;
                ch = *p++;
                if (ch == '"') {
                    c->state = S_QUOTE_SEEN;
                    continue;
                }
                c->line++;
                c->prev_cr = ch == '\r';
                if (append(c, &ch, 1, err) < 0)
                    return -c->ferr.code;
                continue;
            }
            case S_QUOTE_SEEN:
            case S_AFTER_QUOTE:
                if (ch == '"' && c->state == S_QUOTE_SEEN) {
                    if (append(c, "\"", 1, err) < 0)
                        return -c->ferr.code;
                    c->state = S_QUOTED;
                    p++;
                    continue;
                }
                p++;
                if (ch == c->delim) {
                    if (end_field(c, err) < 0)
                        return -c->ferr.code;
                    continue;
                }
                if (ch == '\n' || ch == '\r') {
                    c->line++;
                    c->prev_cr = ch == '\r';
                    c->in_pos = (size_t)(p - c->in);
                    if (end_row(c, row, err) == 1)
                        return 1;
                    continue;
                }
                if (ch == ' ' || ch == '\t') {
                    c->state = S_AFTER_QUOTE;
                    continue;
                }
                {
                    char what[160];
                    unsigned char u = (unsigned char)ch;
                    if (u >= 0x20 && u < 0x7F)
                        snprintf(what, sizeof what, "'%c'", ch);
                    else
                        snprintf(what, sizeof what, "byte 0x%02X", u);
                    size_t l = strlen(what);
                    snprintf(what + l, sizeof what - l,
                             " after the closing quote of field %zu (a quote inside a quoted "
                             "field is written twice: \"\")",
                             c->ncells + 1);
                    c->in_pos = (size_t)(p - c->in);
                    return fail(c, err, "%s:%ld: %s", c->line, what);
                }
            }
        }
        c->in_pos = c->in_len;
    }
}

static void csv_free(imp_rows *self)
{
    csv *c = (csv *)self;
    imp_enc_free(c->enc);
    free(c->path);
    free(c->sample);
    free(c->buf);
    free(c->starts);
    free(c->cells);
    free(c->lens);
    free(c);
}

/* ---- opening ------------------------------------------------------------------------ */

/* Reads the first SAMPLE_CAP bytes of text (or all of a smaller file). */
static int read_sample(csv *c, eng_err *err)
{
    c->sample = malloc(SAMPLE_CAP);
    if (!c->sample)
        return eng_fail(err, ENG_EIO, "%s: out of memory", c->path);
    size_t cap = SAMPLE_CAP;
    while (c->sample_len < SAMPLE_CAP) {
        const char *t;
        size_t n;
        int rc = imp_enc_read(c->enc, &t, &n, &c->enc_err);
        if (rc < 0) {
            c->enc_failed = 1; /* reported at its line once the sample is parsed */
            break;
        }
        if (rc == 0) {
            c->eof = 1;
            break;
        }
        if (c->sample_len + n > cap) { /* the whole chunk: it cannot be given back */
            char *bigger = realloc(c->sample, c->sample_len + n);
            if (!bigger)
                return eng_fail(err, ENG_EIO, "%s: out of memory", c->path);
            c->sample = bigger;
            cap = c->sample_len + n;
        }
        memcpy(c->sample + c->sample_len, t, n);
        c->sample_len += n;
    }
    return ENG_OK;
}

/* An Excel "sep=X" first line names the delimiter; it is not a row. */
static int sep_line(csv *c)
{
    const char *s = c->sample;
    size_t n = c->sample_len;
    if (n < 5 || strncmp(s, "sep=", 4) != 0)
        return 0;
    size_t k = 5;
    if (k < n && s[k] != '\n' && s[k] != '\r')
        return 0;
    if (!c->delim)
        c->delim = s[4];
    if (k < n && s[k] == '\r')
        k++;
    if (k < n && s[k] == '\n')
        k++;
    memmove(c->sample, c->sample + k, n - k);
    c->sample_len = n - k;
    c->line = 2;
    return 1;
}

int imp_csv_open(const char *path, const imp_csv_options *opt, imp_rows **out, imp_csv_info *info,
                 eng_err *err)
{
    int rc;
    csv *c = calloc(1, sizeof *c);
    if (!c)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    c->base.next = csv_next;
    c->base.free = csv_free;
    c->path = strdup(path);
    c->base.file = c->path;
    c->line = 1;
    c->cells_cap = 64;
    c->starts = malloc(c->cells_cap * sizeof *c->starts);
    c->cells = malloc(c->cells_cap * sizeof *c->cells);
    c->lens = malloc(c->cells_cap * sizeof *c->lens);
    if (!c->path || !c->starts || !c->cells || !c->lens) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto fail;
    }
    rc = imp_enc_open(path, opt ? opt->encoding : NULL, &c->enc, err);
    if (rc != ENG_OK)
        goto fail;
    c->delim = opt ? opt->delimiter : 0;
    rc = read_sample(c, err);
    if (rc != ENG_OK)
        goto fail;
    int sep = sep_line(c);
    if (!c->delim) {
        rc = detect_delimiter(c, c->sample, c->sample_len, c->eof && !c->enc_failed, err);
        if (rc != ENG_OK)
            goto fail;
    }
    if (info) {
        snprintf(info->encoding, sizeof info->encoding, "%s", imp_enc_name(c->enc));
        info->delimiter = c->delim;
        info->sep_line = sep;
    }
    *out = &c->base;
    return ENG_OK;
fail:
    csv_free(&c->base);
    return rc;
}
