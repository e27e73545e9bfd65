/*
 * imp_table: rows to records -- finding the header, walking the rows,
 * building each record from its mapped cells -- and the indicators table
 * (see imp_table.h).  Values are read by imp_value, columns mapped by
 * imp_colmap.
 *
 * Per row the work is linear in its cells: the mapping is decided once, at
 * the header, into one target per column.
 */
#include "importers/imp_table.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/imp_alias.h"
#include "base/base_sha256.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- saved rows ------------------------------------------------------------------------ */

/* A deep copy of a row, for the header and for a row read ahead. */
typedef struct saved_row {
    imp_row row;
    char *buf;
} saved_row;

static void saved_release(saved_row *s)
{
    free(s->buf);
    free(s->row.cells);
    free(s->row.lens);
    memset(s, 0, sizeof *s);
}

static int saved_copy(saved_row *s, const imp_row *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->ncells; i++)
        total += r->lens[i] + 1;
    saved_release(s);
    s->buf = malloc(total ? total : 1);
    s->row.cells = malloc((r->ncells ? r->ncells : 1) * sizeof *s->row.cells);
    s->row.lens = malloc((r->ncells ? r->ncells : 1) * sizeof *s->row.lens);
    if (!s->buf || !s->row.cells || !s->row.lens) {
        saved_release(s);
        return ENG_EIO;
    }
    char *p = s->buf;
    for (size_t i = 0; i < r->ncells; i++) {
        memcpy(p, r->cells[i], r->lens[i] + 1);
        s->row.cells[i] = p;
        s->row.lens[i] = r->lens[i];
        p += r->lens[i] + 1;
    }
    s->row.ncells = r->ncells;
    s->row.line = r->line;
    return ENG_OK;
}

static size_t nonempty_cells(const imp_row *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncells; i++)
        n += !imp_value_is_blank(r->cells[i]);
    return n;
}

/* How many different non-empty values the row holds, counting to 2. */
static int distinct_values(const imp_row *r)
{
    const char *first = NULL;
    size_t first_len = 0;
    for (size_t i = 0; i < r->ncells; i++) {
        const char *t;
        size_t l;
        imp_value_trim(r->cells[i], r->lens[i], &t, &l);
        if (!l)
            continue;
        if (!first) {
            first = t;
            first_len = l;
        } else if (l != first_len || memcmp(t, first, l) != 0) {
            return 2;
        }
    }
    return first ? 1 : 0;
}

static int same_as_header(const imp_row *r, const imp_row *h)
{
    size_t n = r->ncells > h->ncells ? r->ncells : h->ncells;
    for (size_t i = 0; i < n; i++) {
        const char *a = i < r->ncells ? r->cells[i] : "", *b = i < h->ncells ? h->cells[i] : "";
        const char *ta, *tb;
        size_t la, lb;
        imp_value_trim(a, strlen(a), &ta, &la);
        imp_value_trim(b, strlen(b), &tb, &lb);
        if (la != lb || memcmp(ta, tb, la) != 0)
            return 0;
    }
    return 1;
}

/* ---- the table ---------------------------------------------------------------------------- */

#define TITLE_MAX 3 /* title rows allowed above the header */

struct imp_table {
    imp_rows *rows;
    char *file;
    char *kind, *source;
    saved_row header;
    imp_column *cols;
    size_t ncols;
    saved_row ahead[TITLE_MAX + 1]; /* rows read while looking for the header */
    size_t nahead, next_ahead;
    const imp_row *cur;
    imp_row cur_row;
    int failed; /* the reader failed: nothing more can be read */
    eng_err ferr;
    int can_go_on;
    imp_table_counts counts;
    cJSON *dq;          /* the data-quality marks of the row being built, or NULL */
    char (*hkeys)[256]; /* the header's cells, normalised (imp_alias_key) */
};

/* A header repeated with a slight variation ("批准号" for "项目批准号", a
 * unit added in brackets), as concatenated exports have: at least two of the
 * row's non-empty cells, and at least half of them, read as a header cell of
 * their column would (the same normalised name, or an alias of the same
 * field).  Data cells are names, numbers and sentences: they do not. */
static int like_header(const imp_table *t, const imp_row *r)
{
    size_t nonempty = 0, like = 0, n = r->ncells < t->ncols ? r->ncells : t->ncols;
    /* quick refusal: a header's first non-empty cell is short and not a
     * number (a data row starts with its id or its title) */
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t l;
        imp_value_trim(r->cells[i], r->lens[i], &s, &l);
        if (!l)
            continue;
        if (l > 60 || (s[0] >= '0' && s[0] <= '9'))
            return 0;
        break;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t l;
        imp_value_trim(r->cells[i], r->lens[i], &s, &l);
        if (!l)
            continue;
        nonempty++;
        if (l > 60)
            continue; /* a sentence, not a column name */
        char cell[64], key[256], br[64];
        memcpy(cell, s, l);
        cell[l] = '\0';
        imp_alias_key(cell, key, br);
        const imp_column *c = &t->cols[i];
        const char *target = key[0] ? imp_alias_find(0, key) : NULL;
        if ((key[0] && !strcmp(key, t->hkeys[i])) ||
            (target && c->kind == IMP_COL_FIELD && !strcmp(target, c->field)) ||
            (target && c->kind == IMP_COL_PERIOD && !strcmp(target, "period")))
            like++;
        else if (like == 0 && nonempty >= 2)
            return 0; /* the first two cells are data: a data row */
    }
    return like >= 2 && like * 2 >= nonempty;
}

/* Reads the next non-blank row into *row (from `ahead` first).  Returns 1,
 * 0 at the end, or -code (reader failure, kept in t). */
static int read_row(imp_table *t, imp_row *row, int count_blank, eng_err *err)
{
    if (t->next_ahead < t->nahead) {
        *row = t->ahead[t->next_ahead++].row;
        if (nonempty_cells(row) == 0)
            return read_row(t, row, count_blank, err);
        return 1;
    }
    for (;;) {
        int rc = t->rows->next(t->rows, row, &t->ferr);
        if (rc < 0) {
            t->failed = 1;
            if (err)
                *err = t->ferr;
            return rc;
        }
        if (rc == 0)
            return 0;
        if (nonempty_cells(row) == 0) {
            if (count_blank)
                t->counts.blank_rows++;
            continue;
        }
        return 1;
    }
}

int imp_table_open(imp_rows *rows, const imp_table_options *opt, imp_table **out, eng_err *err)
{
    int rc = ENG_OK;
    imp_table *t = calloc(1, sizeof *t);
    if (!t) {
        imp_rows_free(rows);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    t->rows = rows;
    t->file = strdup(rows->file ? rows->file : "(input)");
    const imp_map *map = opt ? opt->map : NULL;
    const char *kind = opt && opt->kind    ? opt->kind
                       : imp_map_kind(map) ? imp_map_kind(map)
                                           : "project";
    const char *source = opt && opt->source ? opt->source : imp_map_source(map);
    t->kind = strdup(kind);
    t->source = source ? strdup(source) : NULL;
    if (!t->file || !t->kind || (source && !t->source)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    /* The header is the first row with two different values.  Up to
     * TITLE_MAX rows of one value before it (a title, a merged title cell
     * that XLSX repeats across the row, "填报单位：...") are titles.  When no
     * such row comes, the file has one column and its first row is the
     * header: the rows read ahead are given back in order. */
    saved_row seen[TITLE_MAX + 1];
    memset(seen, 0, sizeof seen);
    size_t nseen = 0;
    int found = 0;
    while (nseen <= TITLE_MAX) {
        imp_row r;
        int got = read_row(t, &r, 0, err);
        if (got < 0) {
            rc = -got;
            break;
        }
        if (got == 0)
            break;
        if (saved_copy(&seen[nseen++], &r) != ENG_OK) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        if (distinct_values(&r) >= 2) {
            found = 1;
            break;
        }
    }
    if (rc == ENG_OK && nseen == 0)
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row (the file has no rows)", t->file);
    if (rc == ENG_OK) {
        size_t h = found ? nseen - 1 : 0;
        t->counts.title_rows = (long)h;
        t->header = seen[h];
        memset(&seen[h], 0, sizeof seen[h]);
        for (size_t i = h + 1; i < nseen; i++) { /* rows read ahead, given back */
            t->ahead[t->nahead++] = seen[i];
            memset(&seen[i], 0, sizeof seen[i]);
        }
    }
    for (size_t i = 0; i < nseen; i++)
        saved_release(&seen[i]);
    if (rc != ENG_OK)
        goto fail;
    rc = imp_columns_map(&t->header.row, map, 0, &t->cols, &t->ncols, err);
    if (rc != ENG_OK)
        goto fail;
    t->hkeys = calloc(t->ncols ? t->ncols : 1, sizeof *t->hkeys);
    if (!t->hkeys) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        char br[64];
        imp_alias_key(t->cols[i].name, t->hkeys[i], br);
    }
    *out = t;
    return ENG_OK;
fail:
    imp_table_free(t);
    return rc;
}

/* Prefixes err's message with "FILE:LINE: field 'x' (column 'y'): ". */
static int row_fail(imp_table *t, long line, const imp_column *c, const char *field, eng_err *err,
                    const char *msg)
{
    char m[900];
    snprintf(m, sizeof m, "%s", msg);
    if (c && strcmp(c->name, field) != 0)
        eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s' (column '%s'): %s", t->file, line, field,
                 c->name, m);
    else
        eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': %s", t->file, line, field, m);
    t->can_go_on = 1;
    return -ENG_EINPUT;
}

/* eng_record_set's messages begin "field 'x': "; we give our own prefix. */
static const char *strip_field_prefix(const char *msg)
{
    if (starts_with(msg, "field '")) {
        const char *q = strstr(msg, "': ");
        if (q)
            return q + 3;
    }
    return msg;
}

static int is_unevaluated(const char *v)
{
    static const char *const words[] = {"尚未评估", "未评估", "待评估", "无需评估",
                                        "不需评估", "未验收", "待验收", "尚未验收",
                                        "未结题",   "在研",   NULL};
    for (size_t i = 0; words[i]; i++)
        if (!strcmp(v, words[i]))
            return 1;
    return 0;
}

/* Adds a data-quality mark to the row being built: the value of `field`
 * (from column c, NULL for none) could not be read; its raw text is kept. */
static int dq_add(imp_table *t, const char *field, const imp_column *c, const char *raw,
                  const char *problem)
{
    if (!t->dq && !(t->dq = cJSON_CreateArray()))
        return ENG_EIO;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return ENG_EIO;
    cJSON_AddItemToArray(t->dq, o);
    const char *s;
    size_t l;
    imp_value_trim(raw ? raw : "", strlen(raw ? raw : ""), &s, &l);
    char *r = strndup(s, l < 400 ? l : 400);
    int ok = r && cJSON_AddStringToObject(o, "field", field) &&
             (!c || !strcmp(c->name, field) || cJSON_AddStringToObject(o, "column", c->name)) &&
             cJSON_AddStringToObject(o, "raw", r) && cJSON_AddStringToObject(o, "problem", problem);
    free(r);
    return ok ? ENG_OK : ENG_EIO;
}

/* A value that could not be read: kept as a data-quality mark, the row
 * goes on.  Returns 0, or -ENG_EIO. */
static int keep_bad(imp_table *t, const imp_column *c, const char *field, const char *cell,
                    const char *why, eng_err *err)
{
    if (dq_add(t, field, c, cell, why) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    return 0;
}

static int is_text_field(const char *f)
{
    return !strcmp(f, "title") || !strcmp(f, "abstract") || !strcmp(f, "organisation") ||
           !strcmp(f, "pi") || !strcmp(f, "field") || !strcmp(f, "keywords") ||
           !strncmp(f, "acceptance.", 11);
}

/* Sets one mapped cell on r.  A date, period, amount or TRL that cannot be
 * read is kept as a data-quality mark; only memory failures fail. */
static int set_cell(imp_table *t, const imp_column *c, const char *cell, long line, eng_record *r,
                    char pending_currency[8], eng_err *err)
{
    eng_err e = {0};
    const char *f = c->field;
    if (c->kind == IMP_COL_PERIOD) {
        char a[11], b[11];
        if (imp_value_period(cell, a, b, &e) != ENG_OK)
            return keep_bad(t, c, "period", cell, e.msg, err);
        if ((a[0] && eng_record_set(r, "start", a, &e) != ENG_OK) ||
            (b[0] && eng_record_set(r, "end", b, &e) != ENG_OK))
            return keep_bad(t, c, "period", cell, strip_field_prefix(e.msg), err);
        return 0;
    }
    if (!strcmp(f, "start") || !strcmp(f, "end") || !strcmp(f, "acceptance.date")) {
        char d[11];
        if (imp_value_date(cell, d, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, e.msg, err);
        if (d[0] && eng_record_set(r, f, d, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, strip_field_prefix(e.msg), err);
        return 0;
    }
    if (!strcmp(f, "budget")) {
        char num[64], unit[32], cur[8];
        if (imp_value_amount(cell, c->unit, num, unit, cur, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, e.msg, err);
        if (!num[0])
            return 0;
        if (eng_record_set(r, "budget", num, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, strip_field_prefix(e.msg), err);
        if (cur[0])
            memcpy(pending_currency, cur, 8);
        if (unit[0] && eng_record_add_extra_str(r, "budget_unit", unit) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        return 0;
    }
    if (!strcmp(f, "trl_start") || !strcmp(f, "trl_target") ||
        !strcmp(f, "acceptance.trl_claimed")) {
        int level;
        char num[4];
        if (imp_value_trl(cell, &level, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, e.msg, err);
        if (!level)
            return 0;
        snprintf(num, sizeof num, "%d", level);
        if (eng_record_set(r, f, num, &e) != ENG_OK)
            return keep_bad(t, c, f, cell, strip_field_prefix(e.msg), err);
        return 0;
    }
    if (imp_value_is_placeholder(cell, 0))
        return 0;
    if (!strcmp(f, "acceptance.conclusion")) {
        char v[128];
        if (imp_value_fold(cell, v, sizeof v) && is_unevaluated(v)) {
            if (eng_record_add_extra_str(r, "acceptance_status", v) != ENG_OK)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            return 0;
        }
    }
    char *clean = is_text_field(f) ? imp_value_text(cell) : NULL;
    if (clean && imp_value_is_placeholder(clean, 0)) {
        free(clean);
        return 0;
    }
    int rc = eng_record_set(r, f, clean ? clean : cell, &e);
    free(clean);
    if (rc != ENG_OK) {
        if (e.code == ENG_EIO)
            return eng_fail(err, ENG_EIO, "%s:%ld: %s", t->file, line, e.msg), -ENG_EIO;
        if (!strcmp(f, "id"))
            return row_fail(t, line, c, f, err, strip_field_prefix(e.msg));
        return keep_bad(t, c, f, cell, strip_field_prefix(e.msg), err);
    }
    return 0;
}

/* Something to evaluate: a text a rule can read. */
static int has_text(const eng_record *r)
{
    return r->title || r->abstract || r->acc_summary || r->acc_outcomes;
}

/* An id for a row without one: the source (else the file's base name
 * without extension), '-', and the first 12 hex digits of the SHA-256 of
 * the row's cells as written (trimmed, joined by U+001F).  The same row
 * gets the same id in every import, whatever the mapping. */
static int derive_id(imp_table *t, const imp_row *row, eng_record *r, eng_err *err)
{
    char hash[65];
    base_sha256_ctx h;
    base_sha256_init(&h);
    for (size_t i = 0; i < row->ncells; i++) {
        const char *s;
        size_t l;
        imp_value_trim(row->cells[i], row->lens[i], &s, &l);
        base_sha256_update(&h, s, l);
        base_sha256_update(&h, "\x1f", 1);
    }
    base_sha256_final_hex(&h, hash);
    char stem[128];
    const char *base = r->source;
    if (!base) {
        const char *slash = strrchr(t->file, '/');
        snprintf(stem, sizeof stem, "%s", slash ? slash + 1 : t->file);
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem)
            *dot = '\0';
        base = stem;
    }
    char id[200];
    snprintf(id, sizeof id, "%.150s-%.12s", base, hash);
    eng_err e = {0};
    if (eng_record_set(r, "id", id, &e) != ENG_OK ||
        eng_record_add_extra(r, "id_derived", "true") != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    t->counts.derived_ids++;
    return 0;
}

/* Builds a record from row. */
static int build(imp_table *t, const imp_row *row, eng_record *r, eng_err *err)
{
    long line = row->line;
    cJSON_Delete(t->dq);
    t->dq = NULL;
    /* cells past the header must be empty */
    for (size_t i = t->ncols; i < row->ncells; i++)
        if (!imp_value_is_blank(row->cells[i])) {
            eng_fail(err, ENG_EINPUT,
                     "%s:%ld: the row has %zu cells but the header has %zu: cell %zu "
                     "(\"%.40s\") has no column",
                     t->file, line, row->ncells, t->ncols, i + 1, row->cells[i]);
            t->can_go_on = 1;
            return -ENG_EINPUT;
        }
    char currency[8] = "";
    for (size_t i = 0; i < t->ncols; i++) {
        const imp_column *c = &t->cols[i];
        const char *cell = i < row->ncells ? row->cells[i] : "";
        if (c->kind == IMP_COL_EXTRA) {
            if (imp_value_is_blank(cell))
                continue;
            const char *s;
            size_t l;
            imp_value_trim(cell, strlen(cell), &s, &l);
            char small[256], *v = l < sizeof small ? small : malloc(l + 1);
            if (!v)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            memcpy(v, s, l);
            v[l] = '\0';
            int rc = eng_record_add_extra_str(r, c->extra_key, v);
            if (v != small)
                free(v);
            if (rc != ENG_OK)
                return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
            continue;
        }
        int rc = set_cell(t, c, cell, line, r, currency, err);
        if (rc < 0)
            return rc;
    }
    eng_err e = {0};
    if (currency[0] && !r->currency && eng_record_set(r, "currency", currency, &e) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    if (r->kind && strcmp(r->kind, "project") && strcmp(r->kind, "proposal") &&
        strcmp(r->kind, "prior-art")) {
        if (dq_add(t, "kind", NULL, r->kind, "unknown kind (project, proposal, prior-art)") !=
            ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        free(r->kind);
        r->kind = NULL;
    }
    if (!r->kind && eng_record_set(r, "kind", t->kind, &e) != ENG_OK)
        return row_fail(t, line, NULL, "kind", err, strip_field_prefix(e.msg));
    if (!r->source && t->source && eng_record_set(r, "source", t->source, &e) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    /* an order the calendar or the scale forbids: the later value is kept
     * as a mark, not thrown with the row */
    if (r->start && r->end && strcmp(r->start, r->end) > 0 &&
        strncmp(r->start, r->end, strlen(r->end)) != 0) {
        char why[80];
        snprintf(why, sizeof why, "ends before it starts (start %s)", r->start);
        if (dq_add(t, "end", NULL, r->end, why) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        free(r->end);
        r->end = NULL;
    }
    if (r->trl_start && r->trl_target && r->trl_start > r->trl_target) {
        char raw[16], why[64];
        snprintf(raw, sizeof raw, "%d", r->trl_target);
        snprintf(why, sizeof why, "below trl_start %d", r->trl_start);
        if (dq_add(t, "trl_target", NULL, raw, why) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        r->trl_target = 0;
    }
    if (t->dq) {
        char *j = cJSON_PrintUnformatted(t->dq);
        int rc = j ? eng_record_add_extra(r, "data_quality", j) : ENG_EIO;
        free(j);
        if (rc != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
        t->counts.quality_marks += cJSON_GetArraySize(t->dq);
    }
    if (!r->id) {
        if (!has_text(r)) {
            int mapped = 0; /* a column is the id or a text */
            for (size_t i = 0; i < t->ncols; i++)
                mapped |= t->cols[i].kind == IMP_COL_FIELD &&
                          (!strcmp(t->cols[i].field, "id") || !strcmp(t->cols[i].field, "title") ||
                           !strcmp(t->cols[i].field, "abstract"));
            eng_fail(err, ENG_EINPUT,
                     "%s:%ld: nothing to evaluate: no project id and no text (title, abstract, "
                     "acceptance summary or outcomes)%s",
                     t->file, line,
                     mapped ? ""
                            : "; no column is the project id or a text: name them with --map, "
                              "e.g. {\"columns\": {\"编号\": \"id\", \"名称\": \"title\"}}");
            t->can_go_on = 1;
            return -ENG_EINPUT;
        }
        int rc = derive_id(t, row, r, err);
        if (rc < 0)
            return rc;
    }
    if (eng_record_set_provenance(r, t->file, line) != ENG_OK)
        return eng_fail(err, ENG_EIO, "out of memory"), -ENG_EIO;
    if (eng_record_validate(r, &e) != ENG_OK) {
        eng_fail(err, e.code, "%s:%ld: %s", t->file, line, e.msg);
        t->can_go_on = 1;
        return -e.code;
    }
    return 1;
}

int imp_table_next(imp_table *t, eng_record *out, eng_err *err)
{
    t->can_go_on = 0;
    t->cur = NULL;
    if (t->failed) {
        if (err)
            *err = t->ferr;
        return -t->ferr.code;
    }
    for (;;) {
        int rc = read_row(t, &t->cur_row, 1, err);
        if (rc <= 0)
            return rc;
        t->cur = &t->cur_row;
        if (same_as_header(&t->cur_row, &t->header.row) || like_header(t, &t->cur_row)) {
            t->counts.repeated_headers++;
            continue;
        }
        break;
    }
    t->counts.rows++;
    eng_record_release(out);
    eng_record_init(out);
    return build(t, &t->cur_row, out, err);
}

int imp_table_can_go_on(const imp_table *t)
{
    return t->can_go_on;
}

const imp_row *imp_table_row(const imp_table *t)
{
    return t->cur;
}

const imp_row *imp_table_header(const imp_table *t)
{
    return &t->header.row;
}

const imp_table_counts *imp_table_get_counts(const imp_table *t)
{
    return &t->counts;
}

char *imp_table_describe(const imp_table *t)
{
    return imp_columns_describe(t->cols, t->ncols);
}

void imp_table_free(imp_table *t)
{
    if (!t)
        return;
    imp_rows_free(t->rows);
    imp_columns_free(t->cols, t->ncols);
    saved_release(&t->header);
    for (size_t i = 0; i < t->nahead; i++)
        saved_release(&t->ahead[i]);
    free(t->file);
    free(t->kind);
    free(t->source);
    cJSON_Delete(t->dq);
    free(t->hkeys);
    free(t);
}

/* ---- indicators ----------------------------------------------------------------------------- */

typedef struct ind_entry {
    char *id;
    long line;
    eng_indicator ind;
    int used;
    size_t next; /* index+1 of the next entry of the same project, 0: none */
} ind_entry;

struct imp_indicators {
    char *file;
    ind_entry *v;
    size_t n, cap;
    size_t *heads, *tails; /* hash buckets: index+1 of the first / last entry */
    size_t nbuckets;
};

static unsigned long hash_str(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211UL;
    return h;
}

static void ind_release(eng_indicator *ind)
{
    char **slots[] = {&ind->name,          &ind->target,    &ind->achieved,
                      &ind->unit,          &ind->method,    &ind->lab,
                      &ind->accreditation, &ind->report_no, &ind->uncertainty};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        free(*slots[i]);
    for (size_t i = 0; i < ind->nextra; i++) {
        free(ind->extra[i].key);
        free(ind->extra[i].value);
    }
    free(ind->extra);
    memset(ind, 0, sizeof *ind);
}

/* Adds an extra to an indicator; json_value is JSON text. */
static int ind_add_extra(eng_indicator *ind, const char *key, const char *json_value)
{
    eng_kv *kv = realloc(ind->extra, (ind->nextra + 1) * sizeof *kv);
    if (!kv)
        return ENG_EIO;
    ind->extra = kv;
    kv[ind->nextra].key = strdup(key);
    kv[ind->nextra].value = strdup(json_value);
    if (!kv[ind->nextra].key || !kv[ind->nextra].value) {
        free(kv[ind->nextra].key);
        free(kv[ind->nextra].value);
        return ENG_EIO;
    }
    ind->nextra++;
    return ENG_OK;
}

static int ind_add_extra_str(eng_indicator *ind, const char *key, const char *value)
{
    cJSON *s = cJSON_CreateString(value);
    char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    if (!txt)
        return ENG_EIO;
    int rc = ind_add_extra(ind, key, txt);
    free(txt);
    return rc;
}

void imp_indicators_free(imp_indicators *ind)
{
    if (!ind)
        return;
    for (size_t i = 0; i < ind->n; i++) {
        free(ind->v[i].id);
        ind_release(&ind->v[i].ind);
    }
    free(ind->v);
    free(ind->heads);
    free(ind->tails);
    free(ind->file);
    free(ind);
}

/* Chains the entries by project id, in file order. */
static int ind_index(imp_indicators *ind)
{
    size_t nb = 16;
    while (nb < ind->n * 2)
        nb *= 2;
    ind->heads = calloc(nb, sizeof *ind->heads);
    ind->tails = calloc(nb, sizeof *ind->tails);
    if (!ind->heads || !ind->tails)
        return ENG_EIO;
    ind->nbuckets = nb;
    for (size_t i = 0; i < ind->n; i++) {
        size_t b = hash_str(ind->v[i].id) & (nb - 1);
        if (ind->tails[b])
            ind->v[ind->tails[b] - 1].next = i + 1;
        else
            ind->heads[b] = i + 1;
        ind->tails[b] = i + 1;
    }
    return ENG_OK;
}

int imp_indicators_load(imp_rows *rows, const imp_map *map, imp_indicators **out, eng_err *err)
{
    int rc = ENG_OK;
    imp_column *cols = NULL;
    size_t ncols = 0;
    saved_row header = {{0}, 0};
    imp_indicators *ind = calloc(1, sizeof *ind);
    if (!ind) {
        imp_rows_free(rows);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    ind->file = strdup(rows->file ? rows->file : "(indicators)");
    imp_row row;
    int got;
    while ((got = rows->next(rows, &row, err)) == 1 && nonempty_cells(&row) == 0)
        ;
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (got == 0) {
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row (the file has no rows)", ind->file);
        goto done;
    }
    if (saved_copy(&header, &row) != ENG_OK) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    rc = imp_columns_map(&header.row, map, 1, &cols, &ncols, err);
    if (rc != ENG_OK)
        goto done;
    long id_col = -1, nfields = 0;
    for (size_t i = 0; i < ncols; i++) {
        if (cols[i].kind == IMP_COL_FIELD && !strcmp(cols[i].field, "id") && id_col < 0)
            id_col = (long)i;
        else if (cols[i].kind == IMP_COL_FIELD)
            nfields++;
    }
    if (id_col < 0 || nfields == 0) {
        rc = eng_fail(err, ENG_EINPUT, "%s: %s (name it with --map's \"indicator_columns\")",
                      ind->file,
                      id_col < 0 ? "no column is the project id"
                                 : "no column is an indicator field (指标名称/name, 目标值/"
                                   "target, 完成值/achieved...)");
        goto done;
    }
    while ((got = rows->next(rows, &row, err)) == 1) {
        if (nonempty_cells(&row) == 0 || same_as_header(&row, &header.row))
            continue;
        for (size_t i = ncols; i < row.ncells; i++)
            if (!imp_value_is_blank(row.cells[i])) {
                rc = eng_fail(err, ENG_EINPUT,
                              "%s:%ld: the row has %zu cells but the header has %zu: cell %zu "
                              "(\"%.40s\") has no column",
                              ind->file, row.line, row.ncells, ncols, i + 1, row.cells[i]);
                goto done;
            }
        const char *idcell = (size_t)id_col < row.ncells ? row.cells[id_col] : "";
        if (imp_value_is_placeholder(idcell, 0)) {
            rc = eng_fail(err, ENG_EINPUT,
                          "%s:%ld: field 'id': missing (the project id cell is "
                          "empty)",
                          ind->file, row.line);
            goto done;
        }
        if (ind->n == ind->cap) {
            size_t cap = ind->cap ? ind->cap * 2 : 64;
            ind_entry *v = realloc(ind->v, cap * sizeof *v);
            if (!v) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            ind->v = v;
            ind->cap = cap;
        }
        ind_entry *e = &ind->v[ind->n++];
        memset(e, 0, sizeof *e);
        const char *ts;
        size_t tl;
        imp_value_trim(idcell, strlen(idcell), &ts, &tl);
        e->id = strndup(ts, tl);
        e->line = row.line;
        if (!e->id) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < ncols; i++) {
            const char *cell = i < row.ncells ? row.cells[i] : "";
            if ((long)i == id_col || imp_value_is_blank(cell))
                continue;
            imp_value_trim(cell, strlen(cell), &ts, &tl);
            char *v = strndup(ts, tl);
            if (!v) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            eng_err e2 = {0};
            int r2 = cols[i].kind == IMP_COL_FIELD
                         ? eng_indicator_set(&e->ind, cols[i].field, v, &e2)
                         : ind_add_extra_str(&e->ind, cols[i].extra_key, v);
            free(v);
            if (r2 != ENG_OK) {
                rc = eng_fail(err, r2, "%s:%ld: %s", ind->file, row.line,
                              e2.msg[0] ? e2.msg : "out of memory");
                goto done;
            }
        }
    }
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (ind_index(ind) != ENG_OK) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
done:
    imp_columns_free(cols, ncols);
    saved_release(&header);
    imp_rows_free(rows);
    if (rc != ENG_OK) {
        imp_indicators_free(ind);
        return rc;
    }
    *out = ind;
    return ENG_OK;
}

static int ind_copy(eng_indicator *dst, const eng_indicator *src)
{
    const char *const *vals[] = {
        (const char *const *)&src->name,          (const char *const *)&src->target,
        (const char *const *)&src->achieved,      (const char *const *)&src->unit,
        (const char *const *)&src->method,        (const char *const *)&src->lab,
        (const char *const *)&src->accreditation, (const char *const *)&src->report_no,
        (const char *const *)&src->uncertainty};
    for (size_t i = 0; eng_indicator_fields[i]; i++)
        if (*vals[i] && eng_indicator_set(dst, eng_indicator_fields[i], *vals[i], NULL) != ENG_OK)
            return ENG_EIO;
    for (size_t i = 0; i < src->nextra; i++)
        if (ind_add_extra(dst, src->extra[i].key, src->extra[i].value) != ENG_OK)
            return ENG_EIO;
    return ENG_OK;
}

int imp_indicators_attach(imp_indicators *ind, eng_record *r, eng_err *err)
{
    if (!r->id || !ind->nbuckets)
        return ENG_OK;
    size_t b = hash_str(r->id) & (ind->nbuckets - 1);
    for (size_t k = ind->heads[b]; k; k = ind->v[k - 1].next) {
        ind_entry *e = &ind->v[k - 1];
        if (strcmp(e->id, r->id) != 0)
            continue;
        eng_indicator *dst = eng_record_add_indicator(r);
        if (!dst || ind_copy(dst, &e->ind) != ENG_OK)
            return eng_fail(err, ENG_EIO, "out of memory");
        e->used = 1;
    }
    return ENG_OK;
}

void imp_indicators_mark(imp_indicators *ind, const char *id)
{
    if (!id || !ind->nbuckets)
        return;
    size_t b = hash_str(id) & (ind->nbuckets - 1);
    for (size_t k = ind->heads[b]; k; k = ind->v[k - 1].next)
        if (!strcmp(ind->v[k - 1].id, id))
            ind->v[k - 1].used = 1;
}

int imp_indicators_next_unused(const imp_indicators *ind, size_t *cursor, const char **id,
                               long *line)
{
    for (; *cursor < ind->n; (*cursor)++)
        if (!ind->v[*cursor].used) {
            *id = ind->v[*cursor].id;
            *line = ind->v[*cursor].line;
            (*cursor)++;
            return 1;
        }
    return 0;
}

const char *imp_indicators_file(const imp_indicators *ind)
{
    return ind->file;
}

size_t imp_indicators_count(const imp_indicators *ind)
{
    return ind->n;
}
