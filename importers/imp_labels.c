/*
 * imp_labels.c: reference TRL ratings from CSV or JSONL (see imp_labels.h).
 */
#include "importers/imp_labels.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "importers/imp_csv.h"

static const char *const id_names[] = {"id", "project_id", "source_id", "项目编号", "编号", NULL};
static const char *const trl_names[] = {"trl",          "trl_current", "current_trl",
                                        "currentTrl",   "trlCurrent",  "technologyMaturityCurrent",
                                        "trl_achieved", "技术就绪度",  NULL};
static const char *const end_names[] = {"trl_end",
                                        "end_trl",
                                        "endTrl",
                                        "trlEnd",
                                        "trl_target",
                                        "target_trl",
                                        "technologyMaturityEnd",
                                        "目标技术就绪度",
                                        NULL};
static const char *const title_names[] = {"title", "name", "项目名称", NULL};
static const char *const text_names[] = {"abstract", "description", "text",
                                         "summary",  "摘要",        NULL};

/* A row as name -> value lookups, whatever the format. */
typedef struct row_view {
    const char *const *names; /* CSV: the header cells */
    char **cells;             /* CSV: the row's cells */
    size_t ncells;
    const cJSON *obj; /* JSONL: the object */
} row_view;

/* The value of field `name` as text into buf; NULL when absent or empty. */
static const char *get(const row_view *r, const char *name, char *buf, size_t size)
{
    if (r->obj) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->obj, name);
        if (cJSON_IsString(v))
            return v->valuestring[0] ? v->valuestring : NULL;
        if (cJSON_IsNumber(v)) {
            snprintf(buf, size, "%.17g", v->valuedouble);
            return buf;
        }
        if (v && !cJSON_IsNull(v)) {
            snprintf(buf, size, "%s",
                     cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false")
                                     : "(a list or an object)");
            return buf;
        }
        return NULL;
    }
    for (size_t i = 0; i < r->ncells && r->names[i]; i++)
        if (!strcmp(r->names[i], name))
            return r->cells[i][0] ? r->cells[i] : NULL;
    return NULL;
}

/* Whether the row (or header) has field `name` at all. */
static int has(const row_view *r, const char *name)
{
    if (r->obj)
        return cJSON_GetObjectItemCaseSensitive(r->obj, name) != NULL;
    for (size_t i = 0; i < r->ncells && r->names[i]; i++)
        if (!strcmp(r->names[i], name))
            return 1;
    return 0;
}

static const char *first_of(const row_view *r, const char *const *names)
{
    for (int k = 0; names[k]; k++)
        if (has(r, names[k]))
            return names[k];
    return NULL;
}

/* Reads a level: a whole number 1-9, surrounding spaces allowed. */
static int level(const char *file, long line, const char *field, const char *v, int *out,
                 eng_err *err)
{
    *out = 0;
    if (!v)
        return ENG_OK;
    while (isspace((unsigned char)*v))
        v++;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (end != v && isspace((unsigned char)*end))
        end++;
    if (end == v || *end || errno)
        return eng_fail(err, ENG_EINPUT,
                        "%s:%ld: field '%s': \"%s\" is not a TRL (a whole number 1-9)", file, line,
                        field, v);
    if (d != (int)d)
        return eng_fail(err, ENG_EINPUT,
                        "%s:%ld: field '%s': %s is not a whole number (a TRL is 1-9)", file, line,
                        field, v);
    if (d < 1 || d > 9)
        return eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': %s is outside 1-9", file, line, field,
                        v);
    *out = (int)d;
    return ENG_OK;
}

static int add_row(imp_labels *L, const char *file, long line, const row_view *r, eng_err *err)
{
    char b1[64], b2[64], b3[64];
    const char *id = L->id_field[0] ? get(r, L->id_field, b1, sizeof b1) : NULL;
    if (!id)
        return eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': no id", file, line,
                        L->id_field[0] ? L->id_field : "id");
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(L->v[i].id, id))
            return eng_fail(err, ENG_EINPUT,
                            "%s:%ld: field '%s': id \"%s\" given twice (first on line %ld)", file,
                            line, L->id_field, id, L->v[i].line);
    int trl = 0, end = 0, rc;
    if (L->field[0] &&
        (rc = level(file, line, L->field, get(r, L->field, b2, sizeof b2), &trl, err)))
        return rc;
    if (L->end_field[0] &&
        (rc = level(file, line, L->end_field, get(r, L->end_field, b3, sizeof b3), &end, err)))
        return rc;
    if (!trl && !end)
        return eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': no TRL label", file, line,
                        L->field[0] ? L->field : L->end_field);
    if (L->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 64;
        imp_label *nv = realloc(L->v, nc * sizeof *nv);
        if (!nv)
            return eng_fail(err, ENG_EIO, "out of memory");
        L->v = nv;
        L->cap = nc;
    }
    imp_label *l = &L->v[L->n];
    memset(l, 0, sizeof *l);
    eng_record_init(&l->rec);
    l->id = strdup(id);
    l->trl = trl;
    l->trl_end = end;
    l->line = line;
    if (!l->id) {
        eng_record_release(&l->rec);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    L->n++;
    if (L->with_text) {
        const char *tf = first_of(r, title_names), *xf = first_of(r, text_names);
        char tb[64], xb[64];
        const char *title = tf ? get(r, tf, tb, sizeof tb) : NULL;
        const char *text = xf ? get(r, xf, xb, sizeof xb) : NULL;
        eng_err e;
        if (eng_record_set(&l->rec, "id", id, &e) ||
            eng_record_set(&l->rec, "kind", "project", &e) ||
            (title && eng_record_set(&l->rec, "title", title, &e)) ||
            (text && eng_record_set(&l->rec, "abstract", text, &e)))
            return eng_fail(err, e.code, "%s:%ld: %s", file, line, e.msg);
    }
    return ENG_OK;
}

/* Decides the fields from the first row (JSONL) or the header (CSV). */
static int choose_fields(imp_labels *L, const char *file, long line, const row_view *r,
                         eng_err *err)
{
    const char *f = first_of(r, id_names);
    snprintf(L->id_field, sizeof L->id_field, "%s", f ? f : "");
    f = first_of(r, trl_names);
    snprintf(L->field, sizeof L->field, "%s", f ? f : "");
    f = first_of(r, end_names);
    snprintf(L->end_field, sizeof L->end_field, "%s", f ? f : "");
    L->with_text = first_of(r, text_names) != NULL;
    if (!L->id_field[0])
        return eng_fail(err, ENG_EINPUT, "%s:%ld: no id field (id, project_id, source_id)", file,
                        line);
    if (!L->field[0] && !L->end_field[0])
        return eng_fail(err, ENG_EINPUT,
                        "%s:%ld: no TRL field (trl, trl_current, currentTrl ... or trl_end, "
                        "trl_target, endTrl ...)",
                        file, line);
    return ENG_OK;
}

static int read_jsonl(const char *path, imp_labels *L, eng_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long no = 0;
    int rc = ENG_OK, first = 1;
    while (rc == ENG_OK && (got = getline(&line, &cap, f)) >= 0) {
        no++;
        size_t k = 0;
        while (k < (size_t)got && isspace((unsigned char)line[k]))
            k++;
        if (k == (size_t)got)
            continue;
        cJSON *obj = cJSON_ParseWithLength(line, (size_t)got);
        if (!cJSON_IsObject(obj)) {
            cJSON_Delete(obj);
            rc = eng_fail(err, ENG_EINPUT, "%s:%ld: not a JSON object", path, no);
            break;
        }
        row_view r = {NULL, NULL, 0, obj};
        if (first && (rc = choose_fields(L, path, no, &r, err)) == ENG_OK)
            first = 0;
        if (rc == ENG_OK)
            rc = add_row(L, path, no, &r, err);
        cJSON_Delete(obj);
    }
    if (rc == ENG_OK && ferror(f))
        rc = eng_fail(err, ENG_EIO, "%s: cannot read: %s", path, strerror(errno));
    if (rc == ENG_OK && first)
        rc = eng_fail(err, ENG_EINPUT, "%s: no labels", path);
    free(line);
    fclose(f);
    return rc;
}

static int read_csv(const char *path, imp_labels *L, eng_err *err)
{
    imp_rows *rows;
    int rc = imp_csv_open(path, NULL, &rows, NULL, err);
    if (rc)
        return rc;
    imp_row row;
    char **names = NULL;
    size_t nnames = 0;
    int got;
    while ((got = rows->next(rows, &row, err)) == 1) {
        if (!names) {
            names = calloc(row.ncells + 1, sizeof *names);
            if (!names) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            nnames = row.ncells;
            for (size_t i = 0; i < nnames; i++) {
                const char *c = row.cells[i];
                if (!strncmp(c, "\xEF\xBB\xBF", 3))
                    c += 3;
                while (isspace((unsigned char)*c))
                    c++;
                names[i] = strdup(c);
                if (!names[i]) {
                    rc = eng_fail(err, ENG_EIO, "out of memory");
                    break;
                }
                size_t n = strlen(names[i]);
                while (n && isspace((unsigned char)names[i][n - 1]))
                    names[i][--n] = '\0';
            }
            row_view h = {(const char *const *)names, row.cells, nnames, NULL};
            if (rc == ENG_OK)
                rc = choose_fields(L, path, row.line, &h, err);
            if (rc)
                break;
            continue;
        }
        int blank = 1;
        for (size_t i = 0; i < row.ncells && blank; i++)
            for (const char *c = row.cells[i]; *c && blank; c++)
                blank = isspace((unsigned char)*c) != 0;
        if (blank)
            continue;
        row_view r = {(const char *const *)names, row.cells,
                      row.ncells < nnames ? row.ncells : nnames, NULL};
        if ((rc = add_row(L, path, row.line, &r, err)))
            break;
    }
    if (got < 0 && rc == ENG_OK)
        rc = -got;
    if (rc == ENG_OK && !names)
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row", path);
    else if (rc == ENG_OK && !L->n)
        rc = eng_fail(err, ENG_EINPUT, "%s: no labels", path);
    for (size_t i = 0; names && i < nnames; i++)
        free(names[i]);
    free(names);
    imp_rows_free(rows);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

int imp_labels_read(const char *path, imp_labels *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json"))
        rc = read_jsonl(path, out, err);
    else if (ends_with(path, ".csv") || ends_with(path, ".tsv") || ends_with(path, ".txt"))
        rc = read_csv(path, out, err);
    else
        rc = eng_fail(err, ENG_EUSAGE, "%s: labels are a .csv or a .jsonl file", path);
    if (rc)
        imp_labels_free(out);
    return rc;
}

void imp_labels_free(imp_labels *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id);
        eng_record_release(&l->v[i].rec);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
