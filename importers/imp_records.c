/* imp_records: one record reader over every input format (imp_records.h). */
#include "importers/imp_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/imp_csv.h"
#include "importers/imp_json.h"
#include "importers/imp_table.h"
#include "importers/imp_xlsx.h"

struct imp_records {
    imp_json *json;
    imp_table *table;
    imp_map *map;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

const char *imp_records_format(const char *path)
{
    if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson"))
        return "jsonl";
    if (ends_with(path, ".json"))
        return "json";
    if (ends_with(path, ".csv") || ends_with(path, ".tsv") || ends_with(path, ".txt"))
        return "csv";
    if (ends_with(path, ".xlsx") || ends_with(path, ".xlsm"))
        return "xlsx";
    return NULL;
}

int imp_records_open(const char *path, const imp_records_options *opt, imp_records **out,
                     eng_err *err)
{
    static const imp_records_options none = {0};
    if (!opt)
        opt = &none;
    const char *fmt = imp_records_format(path);
    if (!fmt)
        return eng_fail(err, ENG_EINPUT,
                        "%s: unknown file type (expected .json, .jsonl, .csv, .tsv or .xlsx)",
                        path);
    imp_records *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "out of memory");
    int rc;
    int json = !strcmp(fmt, "json") || !strcmp(fmt, "jsonl"), record_shaped = 1;
    /* JSON in the record's own shape is read as records; objects of another
     * shape (no "id" key), or any JSON given with --map, as a table. */
    if (json && !opt->map_path && (rc = imp_json_shape(path, &record_shaped, err)) != ENG_OK)
        goto fail;
    if (json && record_shaped && !opt->map_path) {
        rc = imp_json_open(path, &r->json, err);
    } else {
        imp_rows *rows = NULL;
        if (opt->map_path && (rc = imp_map_load(opt->map_path, &r->map, err)) != ENG_OK)
            goto fail;
        if (json) {
            rc = imp_json_rows_open(path, &rows, err);
        } else if (!strcmp(fmt, "csv")) {
            imp_csv_options co = {opt->encoding, opt->delimiter};
            rc = imp_csv_open(path, &co, &rows, NULL, err);
        } else {
            rc = imp_xlsx_open(path, opt->sheet, &rows, err);
        }
        if (rc)
            goto fail;
        imp_table_options to = {r->map, opt->kind, NULL};
        rc = imp_table_open(rows, &to, &r->table, err);
    }
    if (rc)
        goto fail;
    *out = r;
    return ENG_OK;
fail:
    imp_records_free(r);
    return rc;
}

int imp_records_next(imp_records *r, eng_record *out, eng_err *err)
{
    if (r->json)
        return imp_json_next(r->json, out, err);
    return imp_table_next(r->table, out, err);
}

void imp_records_free(imp_records *r)
{
    if (!r)
        return;
    imp_json_free(r->json);
    imp_table_free(r->table);
    imp_map_free(r->map);
    free(r);
}
