/*
 * imp_import: one file into the store, atomically (see imp_import.h).
 *
 * The pieces: pick the format, hash the bytes, open the record source (JSON,
 * or rows through imp_table), then stream records into one eng_import
 * transaction, rejecting or failing on bad ones, and finally commit and put
 * the rejects file in place.  A dry run walks the same source without a
 * store and writes what it saw.
 */
#include "importers/imp_import.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "importers/imp_csv.h"
#include "importers/imp_json.h"
#include "importers/imp_table.h"
#include "importers/imp_value.h"
#include "importers/imp_xlsx.h"
#include "base/base_buf.h"
#include "base/base_sha256.h"
#include "engine/eng_tmp.h"

#define DRY_RUN_ERRORS 10

/* ---- the format ----------------------------------------------------------------- */

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    return dot ? dot + 1 : "";
}

const char *imp_import_format(const char *path, eng_err *err)
{
    const char *ext = extension(path);
    if (!strcasecmp(ext, "json") || !strcasecmp(ext, "jsonl") || !strcasecmp(ext, "ndjson"))
        return "json";
    if (!strcasecmp(ext, "csv") || !strcasecmp(ext, "tsv") || !strcasecmp(ext, "txt"))
        return "csv";
    if (!strcasecmp(ext, "xlsx") || !strcasecmp(ext, "xlsm"))
        return "xlsx";
    if (!strcasecmp(ext, "xls")) {
        eng_fail(err, ENG_EINPUT,
                 "%s: a legacy .xls workbook: save it as .xlsx or CSV (UTF-8) and import that",
                 path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char head[512];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 4 && !memcmp(head, "PK\3\4", 4))
        return "xlsx";
    if (n >= 4 && !memcmp(head, "\xD0\xCF\x11\xE0", 4)) {
        eng_fail(err, ENG_EINPUT,
                 "%s: a legacy .xls or encrypted workbook: save it as .xlsx or CSV and import "
                 "that",
                 path);
        return NULL;
    }
    size_t i = n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i < n && (head[i] == '[' || head[i] == '{'))
        return "json";
    return "csv";
}

/* What makes an import "the same again": the file's bytes and every option
 * that changes what is stored (a corrected --map or another --sheet must
 * import again).  Without such options it is the file's own SHA-256. */
static int import_key(const char *path, const imp_options *opt, char key[65], eng_err *err)
{
    char file_sha[65], map_sha[65] = "", ind_sha[65] = "";
    int rc = base_sha256_file(path, file_sha, err);
    if (!rc && opt->map_path)
        rc = base_sha256_file(opt->map_path, map_sha, err);
    if (!rc && opt->indicators_path)
        rc = base_sha256_file(opt->indicators_path, ind_sha, err);
    if (rc)
        return rc;
    if (!opt->map_path && !opt->indicators_path && !opt->source && !opt->sheet && !opt->encoding &&
        !opt->delimiter && !opt->id_prefix && !opt->kind) {
        memcpy(key, file_sha, 65);
        return ENG_OK;
    }
    base_sha256_ctx ctx;
    base_sha256_init(&ctx);
    const char *parts[] = {file_sha,
                           map_sha,
                           ind_sha,
                           opt->source ? opt->source : "",
                           opt->sheet ? opt->sheet : "",
                           opt->encoding ? opt->encoding : "",
                           opt->id_prefix ? opt->id_prefix : "",
                           opt->kind ? opt->kind : ""};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        base_sha256_update(&ctx, parts[i], strlen(parts[i]) + 1); /* with the NUL: a separator */
    }
    base_sha256_update(&ctx, &opt->delimiter, 1);
    base_sha256_final_hex(&ctx, key);
    return ENG_OK;
}

/* ---- ids seen in this file -------------------------------------------------------- */

typedef struct idset {
    char **ids;
    long *lines;
    size_t n, cap; /* cap: a power of two, or 0 */
} idset;

static unsigned long hash_id(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211UL;
    return h;
}

/* Adds id.  Returns 0 when added, the line of the earlier one when present,
 * -1 when memory ran out. */
static long idset_add(idset *s, const char *id, long line)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **ids = calloc(cap, sizeof *ids);
        long *lines = calloc(cap, sizeof *lines);
        if (!ids || !lines) {
            free(ids);
            free(lines);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->ids[i]) {
                size_t k = hash_id(s->ids[i]) & (cap - 1);
                while (ids[k])
                    k = (k + 1) & (cap - 1);
                ids[k] = s->ids[i];
                lines[k] = s->lines[i];
            }
        free(s->ids);
        free(s->lines);
        s->ids = ids;
        s->lines = lines;
        s->cap = cap;
    }
    size_t k = hash_id(id) & (s->cap - 1);
    while (s->ids[k]) {
        if (!strcmp(s->ids[k], id))
            return s->lines[k] > 0 ? s->lines[k] : 1;
        k = (k + 1) & (s->cap - 1);
    }
    s->ids[k] = strdup(id);
    if (!s->ids[k])
        return -1;
    s->lines[k] = line;
    s->n++;
    return 0;
}

static void idset_release(idset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->ids[i]);
    free(s->ids);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

/* ---- the rejects file ------------------------------------------------------------------ */

typedef struct rejects {
    FILE *f;
    char *tmp, *path;
    size_t ncols; /* header cells written */
    long n;
} rejects;

static void csv_cell(FILE *f, const char *s, size_t len)
{
    int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* The rejects file's name: --rejects FILE, or FILE.rejects.csv with the
 * input's base name in the working folder (the input's folder may be
 * read-only, or someone else's).  Returns it malloc'd, or NULL. */
static char *rejects_name(const char *path, const imp_options *opt)
{
    if (opt->rejects_path)
        return strdup(opt->rejects_path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base) + 16;
    char *final = malloc(n);
    if (final)
        snprintf(final, n, "%s.rejects.csv", base);
    return final;
}

static int rejects_open(rejects *rj, const char *path, const imp_options *opt,
                        const imp_row *header, eng_err *err)
{
    char *final = rejects_name(path, opt);
    if (!final)
        return eng_fail(err, ENG_EIO, "out of memory");
    /* a locked "FINAL.tmp.XXXXXX" (eng_tmp): the stale one of a killed
     * import is removed by the next, a live one never */
    eng_tmp_clean(final);
    char *tmp = NULL;
    int fd = -1;
    eng_err e2 = {0};
    int rc = eng_tmp_create(final, &tmp, &fd, &e2);
    int e = errno;
    FILE *f = rc == ENG_OK ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (rc == ENG_OK) {
            e = errno;
            unlink(tmp);
            close(fd);
        }
        eng_fail(err, ENG_EIO,
                 "%s: cannot write the rejects file: %s (name another with --rejects)", final,
                 strerror(e));
        free(tmp);
        free(final);
        return ENG_EIO;
    }
    fputs("\xEF\xBB\xBF", f);
    size_t n = header ? header->ncells : 0;
    for (size_t i = 0; i < n; i++) {
        csv_cell(f, header->cells[i], header->lens[i]);
        fputc(',', f);
    }
    fputs("rejected_line,rejected_reason\r\n", f);
    rj->f = f;
    rj->tmp = tmp;
    rj->path = final;
    rj->ncols = n;
    return ENG_OK;
}

/* One rejected record: its cells (row may be NULL), line and reason. */
static void rejects_row(rejects *rj, const imp_row *row, long line, const char *reason)
{
    size_t n = row ? row->ncells : 0;
    for (size_t i = 0; i < rj->ncols || i < n; i++) {
        if (i < n)
            csv_cell(rj->f, row->cells[i], row->lens[i]);
        fputc(',', rj->f);
    }
    fprintf(rj->f, "%ld,", line);
    csv_cell(rj->f, reason, strlen(reason));
    fputs("\r\n", rj->f);
    rj->n++;
}

/* Syncs the file, renames it into place and closes it (in that order: the
 * lock, held by the open file, lasts until the name is the final one). */
static int rejects_finish(rejects *rj, eng_err *err)
{
    int bad = fflush(rj->f) != 0 || ferror(rj->f) || fsync(fileno(rj->f)) != 0 ||
              rename(rj->tmp, rj->path) != 0;
    int e = errno;
    if (bad)
        unlink(rj->tmp);
    bad |= fclose(rj->f) != 0;
    rj->f = NULL;
    if (bad)
        return eng_fail(err, ENG_EIO, "%s: cannot write the rejects file: %s", rj->path,
                        strerror(e ? e : errno));
    return ENG_OK;
}

static void rejects_discard(rejects *rj)
{
    if (rj->f) {
        fclose(rj->f);
        unlink(rj->tmp);
    }
    free(rj->tmp);
    free(rj->path);
    memset(rj, 0, sizeof *rj);
}

/* ---- the record source -------------------------------------------------------------------- */

typedef struct source {
    const char *path;
    int json;
    imp_json *j;
    imp_table *t;
    imp_map *map;
    imp_indicators *ind;
    char what[160]; /* "CSV, encoding GB18030, delimiter ','" */
    long json_records;
    long json_line; /* line of the last JSON record read (provenance) */
} source;

static void source_close(source *s)
{
    imp_json_free(s->j);
    imp_table_free(s->t);
    imp_map_free(s->map);
    imp_indicators_free(s->ind);
    memset(s, 0, sizeof *s);
}

/* Opens a table file (CSV or XLSX) as rows. */
static int open_rows(const char *path, const char *fmt, const imp_options *opt, int main_file,
                     imp_rows **rows, char *what, size_t wcap, eng_err *err)
{
    if (!strcmp(fmt, "json")) {
        int rc = imp_json_rows_open(path, rows, err);
        if (rc == ENG_OK)
            snprintf(what, wcap, "JSON objects read as a table (keys as headers)");
        return rc;
    }
    if (!strcmp(fmt, "xlsx")) {
        int rc = imp_xlsx_open(path, main_file ? opt->sheet : NULL, rows, err);
        if (rc == ENG_OK)
            snprintf(what, wcap, "XLSX, sheet %s",
                     main_file && opt->sheet ? opt->sheet : "(first)");
        return rc;
    }
    imp_csv_options co = {opt->encoding, opt->delimiter};
    if (!co.delimiter && !strcasecmp(extension(path), "tsv"))
        co.delimiter = '\t';
    if (!main_file) {
        co.encoding = NULL; /* --encoding and --delimiter describe the main file */
        co.delimiter = !strcasecmp(extension(path), "tsv") ? '\t' : 0;
    }
    imp_csv_info info;
    int rc = imp_csv_open(path, &co, rows, &info, err);
    if (rc == ENG_OK) {
        char d[8];
        snprintf(what, wcap, "CSV, encoding %s, delimiter %s%s", info.encoding,
                 imp_csv_delimiter_name(info.delimiter, d), info.sep_line ? " (sep= line)" : "");
    }
    return rc;
}

/* Options that make no sense for the file's format are refused up front,
 * before the "already imported" shortcut can hide them. */
static int check_options(const char *path, const char *fmt, const imp_options *opt, eng_err *err)
{
    if (!strcmp(fmt, "json") && (opt->encoding || opt->delimiter || opt->sheet))
        return eng_fail(err, ENG_EUSAGE,
                        "%s: --encoding, --delimiter and --sheet apply to CSV and XLSX files, "
                        "not to JSON (which is UTF-8)",
                        path);
    if (!strcmp(fmt, "csv") && opt->sheet)
        return eng_fail(err, ENG_EUSAGE, "%s: --sheet applies to .xlsx files", path);
    if (!strcmp(fmt, "xlsx") && (opt->encoding || opt->delimiter))
        return eng_fail(err, ENG_EUSAGE,
                        "%s: --encoding and --delimiter apply to CSV files, not to .xlsx", path);
    return ENG_OK;
}

static int source_open(source *s, const char *path, const char *fmt, const imp_options *opt,
                       eng_err *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    int rc, record_shaped = 0;
    /* JSON in the record's own shape is read as records; objects of another
     * shape (no "id" key: a portal export), or any JSON given with --map, are
     * read as a table through the header aliases and the map. */
    if (!strcmp(fmt, "json") && !opt->map_path &&
        (rc = imp_json_shape(path, &record_shaped, err)) != ENG_OK)
        return rc;
    if (record_shaped) {
        s->json = 1;
        snprintf(s->what, sizeof s->what, "JSON records");
        rc = imp_json_open(path, &s->j, err);
        if (rc != ENG_OK)
            return rc;
    } else {
        if (opt->map_path && (rc = imp_map_load(opt->map_path, &s->map, err)) != ENG_OK)
            return rc;
        imp_rows *rows;
        rc = open_rows(path, fmt, opt, 1, &rows, s->what, sizeof s->what, err);
        if (rc != ENG_OK) {
            source_close(s);
            return rc;
        }
        imp_table_options to = {s->map, opt->kind, opt->source};
        rc = imp_table_open(rows, &to, &s->t, err);
        if (rc != ENG_OK) {
            source_close(s);
            return rc;
        }
    }
    if (opt->indicators_path) {
        eng_err e2 = {0};
        const char *ifmt = imp_import_format(opt->indicators_path, &e2);
        imp_rows *rows;
        char what[160];
        if (!ifmt || !strcmp(ifmt, "json")) {
            if (ifmt)
                eng_fail(err, ENG_EUSAGE, "%s: the indicators file must be CSV or XLSX",
                         opt->indicators_path);
            else
                *err = e2;
            rc = err->code;
            source_close(s);
            return rc;
        }
        rc = open_rows(opt->indicators_path, ifmt, opt, 0, &rows, what, sizeof what, err);
        if (rc == ENG_OK)
            rc = imp_indicators_load(rows, s->map, &s->ind, err);
        if (rc != ENG_OK) {
            source_close(s);
            return rc;
        }
    }
    return ENG_OK;
}

/* The next record.  Returns 1, 0 at the end, or -code; *go_on says whether a
 * failure concerned one record only. */
/* Text fields of a JSON record read as table cells are: placeholders are
 * empty, HTML is decoded (imp_value.h).  Returns ENG_OK or ENG_EIO. */
static int clean_text_fields(eng_record *r)
{
    char **f[] = {&r->title, &r->abstract,       &r->organisation, &r->pi,
                  &r->field, &r->acc_conclusion, &r->acc_summary,  &r->acc_outcomes};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!*f[i])
            continue;
        char *clean = imp_value_text(*f[i]);
        if (clean) {
            free(*f[i]);
            *f[i] = clean;
        }
        if (imp_value_is_placeholder(*f[i], 0)) {
            free(*f[i]);
            *f[i] = NULL;
        }
    }
    return ENG_OK;
}

static int source_next(source *s, eng_record *r, const imp_options *opt, int *go_on, eng_err *err)
{
    *go_on = 0;
    if (s->json) {
        int rc = imp_json_next(s->j, r, err);
        if (rc != 0)
            s->json_records++;
        if (rc < 0) {
            *go_on = rc == -ENG_EINPUT;
            return rc;
        }
        if (rc > 0) {
            s->json_line = r->prov_line;
            eng_err e2 = {0};
            if (!r->source && opt->source && eng_record_set(r, "source", opt->source, &e2))
                return eng_fail(err, ENG_EIO, "%s", e2.msg), -ENG_EIO;
            clean_text_fields(r);
        }
        return rc;
    }
    int rc = imp_table_next(s->t, r, err);
    if (rc < 0)
        *go_on = imp_table_can_go_on(s->t);
    return rc;
}

static long source_rows(const source *s)
{
    return s->json ? s->json_records : imp_table_get_counts(s->t)->rows;
}

/* The place of the record last read, for messages that have none. */
static long record_line(const source *s, const eng_record *r)
{
    if (s->json)
        return imp_json_line(s->j);
    if (r->prov_line)
        return r->prov_line;
    if (imp_table_row(s->t))
        return imp_table_row(s->t)->line;
    return 0;
}

/* The per-record checks beyond the reader's: a repeated id.  Returns ENG_OK
 * or ENG_EINPUT/ENG_EIO with the message. */
static int check_record(const source *s, idset *ids, const eng_record *r, int strict, long *repeats,
                        eng_err *err)
{
    long line = record_line(s, r);
    long prev = idset_add(ids, r->id, line);
    if (prev < 0)
        return eng_fail(err, ENG_EIO, "out of memory");
    if (prev > 0 && !strict)
        (*repeats)++; /* a second version of the project: merged by the store */
    else if (prev > 0)
        return eng_fail(err, ENG_EINPUT,
                        "%s:%ld: field 'id': '%s' is also the id of line %ld of this file "
                        "(--strict refuses versions)",
                        s->path, line, r->id, prev);
    return ENG_OK;
}

/* ---- dry run ----------------------------------------------------------------------------- */

/* Formats the data-quality marks of r ("FILE:LINE: field 'x' (column 'y'):
 * problem") into lines[*n..max).  Returns how many marks r has. */
static long list_marks(const char *path, const eng_record *r, char lines[][sizeof(eng_err){0}.msg],
                       int max, int *n)
{
    const char *dq = NULL;
    for (size_t i = 0; i < r->nextra && !dq; i++)
        if (!strcmp(r->extra[i].key, "data_quality"))
            dq = r->extra[i].value;
    if (!dq)
        return 0;
    cJSON *a = cJSON_Parse(dq);
    long cnt = 0;
    for (const cJSON *m = a ? a->child : NULL; m; m = m->next, cnt++) {
        if (*n >= max)
            continue;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(m, "field");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "column");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "problem");
        char col[300] = "";
        if (cJSON_IsString(c))
            snprintf(col, sizeof col, " (column '%.200s')", c->valuestring);
        snprintf(lines[(*n)++], sizeof lines[0], "%s:%ld: field '%s'%s: %s", path, r->prov_line,
                 cJSON_IsString(f) ? f->valuestring : "?", col,
                 cJSON_IsString(p) ? p->valuestring : "?");
    }
    cJSON_Delete(a);
    return cnt;
}

static int dry_run(source *s, const imp_options *opt, imp_result *out, eng_err *err)
{
    base_buf b = {0};
    idset ids = {0};
    eng_record r;
    eng_record_init(&r);
    long good = 0, bad = 0, repeats = 0, nmarks = 0;
    char msgs[DRY_RUN_ERRORS][sizeof err->msg];
    char marks[DRY_RUN_ERRORS][sizeof err->msg];
    int nmark_lines = 0;
    int nerr = 0, rc, go_on;
    const char *stopped = NULL;
    eng_err e = {0};
    while ((rc = source_next(s, &r, opt, &go_on, &e)) != 0) {
        if (rc > 0) {
            if (s->ind)
                imp_indicators_mark(s->ind, r.id);
            if (check_record(s, &ids, &r, opt->strict, &repeats, &e) == ENG_OK) {
                good++;
                nmarks += list_marks(s->path, &r, marks, DRY_RUN_ERRORS, &nmark_lines);
                continue;
            }
            go_on = e.code == ENG_EINPUT;
        }
        bad++;
        if (nerr < DRY_RUN_ERRORS)
            snprintf(msgs[nerr++], sizeof msgs[0], "%s", e.msg);
        if (r.id && s->ind)
            imp_indicators_mark(s->ind, r.id);
        if (!go_on) {
            stopped = "reading stopped at this error: nothing of the file would be stored";
            break;
        }
    }
    long orphans = 0;
    if (rc == 0 && s->ind) {
        size_t cur = 0;
        const char *id;
        long line;
        while (imp_indicators_next_unused(s->ind, &cur, &id, &line)) {
            orphans++;
            if (nerr < DRY_RUN_ERRORS)
                snprintf(msgs[nerr++], sizeof msgs[0],
                         "%s:%ld: indicator of project '%s', which is not in %s",
                         imp_indicators_file(s->ind), line, id, s->path);
        }
    }
    base_buf_printf(&b, "%s: %s\n", s->path, s->what);
    if (!s->json) {
        char *m = imp_table_describe(s->t);
        base_buf_printf(&b, "mapping:\n%s", m ? m : "");
        free(m);
    }
    long rows = source_rows(s);
    base_buf_printf(&b, "%s: %ld (%ld good, %ld bad)", s->json ? "records" : "rows", rows, good,
                    bad);
    if (!s->json) {
        const imp_table_counts *c = imp_table_get_counts(s->t);
        if (c->repeated_headers)
            base_buf_printf(&b, "; %ld repeated header rows skipped", c->repeated_headers);
        if (c->blank_rows)
            base_buf_printf(&b, "; %ld blank rows skipped", c->blank_rows);
        if (c->title_rows)
            base_buf_printf(&b, "; %ld title rows above the header", c->title_rows);
        if (c->derived_ids)
            base_buf_printf(&b, "; %ld ids derived (rows without one)", c->derived_ids);
        if (c->quality_marks)
            base_buf_printf(&b, "; %ld values kept as data-quality marks", c->quality_marks);
    }
    if (repeats)
        base_buf_printf(&b, "; %ld rows are further versions of a project of the file", repeats);
    base_buf_printf(&b, "\n");
    if (nerr) {
        base_buf_printf(&b, "first errors:\n");
        for (int i = 0; i < nerr; i++)
            base_buf_printf(&b, "  %s\n", msgs[i]);
        if (bad + orphans > nerr)
            base_buf_printf(&b, "  ... and %ld more\n", bad + orphans - nerr);
        if (stopped)
            base_buf_printf(&b, "  %s\n", stopped);
    }
    if (nmark_lines) {
        base_buf_printf(&b, "first values kept as data-quality marks (the row is stored):\n");
        for (int i = 0; i < nmark_lines; i++)
            base_buf_printf(&b, "  %s\n", marks[i]);
        if (nmarks > nmark_lines)
            base_buf_printf(&b, "  ... and %ld more\n", nmarks - nmark_lines);
    }
    if (s->ind)
        base_buf_printf(&b, "indicators: %s: %zu rows, %ld of projects not in the file\n",
                        imp_indicators_file(s->ind), imp_indicators_count(s->ind), orphans);
    base_buf_printf(&b, "nothing stored (dry run)\n");
    eng_record_release(&r);
    idset_release(&ids);
    if (b.oom) {
        base_buf_release(&b);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    out->rows = rows;
    out->dry_run_text = base_buf_take(&b);
    return ENG_OK;
}

/* ---- import --------------------------------------------------------------------------------- */

static int prefix_id(eng_record *r, const char *prefix, eng_err *err)
{
    size_t n = strlen(prefix) + strlen(r->id) + 1;
    char *id = malloc(n);
    if (!id)
        return eng_fail(err, ENG_EIO, "out of memory");
    snprintf(id, n, "%s%s", prefix, r->id);
    free(r->id);
    r->id = id;
    return ENG_OK;
}

/* Lists a record whose id was derived (extra "id_derived") in the result. */
static int derived_add(imp_result *out, const eng_record *r)
{
    int derived = 0;
    for (size_t i = 0; i < r->nextra && !derived; i++)
        derived = !strcmp(r->extra[i].key, "id_derived");
    if (!derived)
        return ENG_OK;
    out->derived_ids++;
    if (out->derived_ids > IMP_DERIVED_LISTED)
        return ENG_OK;
    char line[300];
    snprintf(line, sizeof line, "  line %ld: %s\n", r->prov_line, r->id);
    size_t have = out->derived_list ? strlen(out->derived_list) : 0, add = strlen(line);
    char *l = realloc(out->derived_list, have + add + 1);
    if (!l)
        return ENG_EIO;
    memcpy(l + have, line, add + 1);
    out->derived_list = l;
    return ENG_OK;
}

int imp_import_file(eng_store *st, const char *path, const imp_options *opt, imp_result *out,
                    eng_err *err)
{
    static const imp_options defaults;
    if (!opt)
        opt = &defaults;
    memset(out, 0, sizeof *out);
    const char *fmt = imp_import_format(path, err);
    if (!fmt)
        return err ? err->code : ENG_EINPUT;
    eng_err e = {0};
    source s;
    int rc = check_options(path, fmt, opt, err);
    if (rc != ENG_OK)
        return rc;
    if (opt->dry_run) {
        rc = source_open(&s, path, fmt, opt, &e);
        if (rc == ENG_OK) {
            rc = dry_run(&s, opt, out, &e);
            source_close(&s);
        }
        if (rc != ENG_OK && err)
            *err = e;
        return rc;
    }
    if (!st)
        return eng_fail(err, ENG_EUSAGE, "%s: no store to import into", path);

    char sha[65];
    if ((rc = import_key(path, opt, sha, &e)) != ENG_OK) {
        if (err)
            *err = e;
        return rc;
    }
    eng_import *imp = NULL;
    long already = 0;
    if ((rc = eng_import_begin(st, path, sha, opt->source, &imp, &already, &e)) != ENG_OK) {
        if (err)
            *err = e;
        return rc;
    }
    if (already) {
        out->already = 1;
        out->import_id = already;
        return ENG_OK;
    }
    rc = source_open(&s, path, fmt, opt, &e);
    if (rc != ENG_OK) {
        eng_import_abort(imp);
        if (err)
            *err = e;
        return rc;
    }
    rejects rj = {0};
    if (opt->skip_bad) {
        /* a killed import's rejects temporary file goes even when this one
         * rejects nothing */
        char *name = rejects_name(path, opt);
        if (name)
            eng_tmp_clean(name);
        free(name);
    }
    idset ids = {0};
    eng_record r;
    eng_record_init(&r);
    int go_on, got;
    eng_import_set_policy(imp, opt->strict, opt->replace);
    long repeats = 0, good = 0;
    int refused = 0; /* the store refused an update that would lose data */
    while ((got = source_next(&s, &r, opt, &go_on, &e)) != 0) {
        if (got > 0) {
            rc = check_record(&s, &ids, &r, opt->strict, &repeats, &e);
            if (rc == ENG_OK && r.extra && derived_add(out, &r) != ENG_OK)
                rc = eng_fail(&e, ENG_EIO, "out of memory");
            if (rc == ENG_OK && s.ind)
                rc = imp_indicators_attach(s.ind, &r, &e);
            if (rc == ENG_OK && opt->id_prefix)
                rc = prefix_id(&r, opt->id_prefix, &e);
            if (rc == ENG_OK) {
                eng_err e2 = {0};
                rc = eng_import_add(imp, &r, &e2);
                refused = rc == ENG_EINPUT && strstr(e2.msg, "--replace accepts it") != NULL;
                if (rc == ENG_EINPUT)
                    eng_fail(&e, rc, "%s:%ld: %s", path, record_line(&s, &r), e2.msg);
                else if (rc != ENG_OK)
                    e = e2;
            }
            if (rc == ENG_OK) {
                good++;
                continue;
            }
            go_on = rc == ENG_EINPUT;
        }
        /* a bad record */
        if (!opt->skip_bad && go_on && e.code == ENG_EINPUT && !refused) {
            char m[sizeof e.msg];
            snprintf(m, sizeof m, "%s", e.msg);
            eng_fail(&e, ENG_EINPUT,
                     "%s\n  (%ld rows read so far, %ld good; nothing stored: --skip-bad stores the "
                     "good rows and lists the bad ones with their reasons)",
                     m, source_rows(&s), good);
        }
        if (!opt->skip_bad || !go_on)
            goto fail;
        if (!rj.f) {
            rc = rejects_open(&rj, path, opt, s.json ? NULL : imp_table_header(s.t), &e);
            if (rc != ENG_OK)
                goto fail;
        }
        rejects_row(&rj, s.json ? NULL : imp_table_row(s.t), record_line(&s, &r), e.msg);
        eng_import_reject(imp);
        if (r.id && s.ind)
            imp_indicators_mark(s.ind, r.id);
    }
    if (s.ind) {
        size_t cur = 0;
        const char *id;
        long line;
        while (imp_indicators_next_unused(s.ind, &cur, &id, &line)) {
            eng_fail(&e, ENG_EINPUT, "%s:%ld: indicator of project '%s', which is not in %s",
                     imp_indicators_file(s.ind), line, id, path);
            if (!opt->skip_bad)
                goto fail;
            if (!rj.f &&
                rejects_open(&rj, path, opt, s.json ? NULL : imp_table_header(s.t), &e) != ENG_OK)
                goto fail;
            rejects_row(&rj, NULL, line, e.msg);
            eng_import_reject(imp);
        }
    }
    if (!s.json) {
        for (long i = 0; i < imp_table_get_counts(s.t)->repeated_headers; i++)
            eng_import_skipped_header(imp);
        out->quality_marks = imp_table_get_counts(s.t)->quality_marks;
    }
    out->counts = *eng_import_get_counts(imp);
    out->import_id = eng_import_id(imp);
    out->rows = source_rows(&s);
    if (rj.f) {
        /* the rejects file is complete before the commit; renamed after it */
        if (fflush(rj.f) != 0 || ferror(rj.f)) {
            eng_fail(&e, ENG_EIO, "%s: cannot write the rejects file: %s", rj.path,
                     strerror(errno));
            goto fail;
        }
    }
    rc = eng_import_commit(imp, &e);
    imp = NULL;
    if (rc != ENG_OK)
        goto fail_committed;
    if (rj.f) {
        if (rejects_finish(&rj, &e) != ENG_OK) {
            /* the records are stored; only the rejects file is missing */
            rc = ENG_EIO;
            goto fail_committed;
        }
        out->rejects_path = rj.path;
        rj.path = NULL;
    }
    rejects_discard(&rj);
    idset_release(&ids);
    eng_record_release(&r);
    source_close(&s);
    return ENG_OK;
fail:
    rc = e.code ? e.code : ENG_EIO;
    eng_import_abort(imp);
fail_committed:
    rejects_discard(&rj);
    idset_release(&ids);
    eng_record_release(&r);
    source_close(&s);
    memset(&out->counts, 0, sizeof out->counts);
    out->rows = 0;
    if (err)
        *err = e;
    return rc;
}

void imp_result_release(imp_result *r)
{
    if (!r)
        return;
    free(r->dry_run_text);
    free(r->rejects_path);
    free(r->derived_list);
    memset(r, 0, sizeof *r);
}
