/* cmd_show: `vernier show ID` — one stored record as canonical JSON, with
 * its extra fields and provenance; for a project merged from several
 * versions (rows sharing its id) each version follows with its provenance,
 * and the record's "conflicts" and "data_quality" say what disagreed and
 * what could not be read. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] = "vernier show ID [--json]";

int cmd_show(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const cli_opt opts[] = {CLI_FLAG("json", &json, "one JSON document instead of text"), CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 1, &npos, usage);
    if (npos != 1)
        return cli_usage_error(usage, "show: which record? give its id");
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_record r;
    eng_record_init(&r);
    eng_err err;
    eng_err_clear(&err);
    rc = eng_store_get_record(st, pos[0], &r, &err);
    eng_version_row *v = NULL;
    size_t nv = 0;
    if (!rc)
        rc = eng_store_versions(st, pos[0], &v, &nv, &err);
    eng_store_close(st);
    if (rc) {
        eng_record_release(&r);
        return cli_fail(&err);
    }
    char *txt = eng_record_to_json(&r, 1);
    eng_record_release(&r);
    cJSON *o = txt ? cJSON_Parse(txt) : NULL;
    if (!o) {
        free(txt);
        eng_versions_free(v, nv);
        fprintf(stderr, "vernier: out of memory\n");
        return 3;
    }
    if (json && nv) { /* the versions as read, under "version_list" */
        cJSON *arr = cJSON_AddArrayToObject(o, "version_list");
        for (size_t i = 0; arr && i < nv; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, e);
            cJSON_AddStringToObject(e, "file", v[i].file ? v[i].file : "");
            cJSON_AddNumberToObject(e, "line", (double)v[i].line);
            cJSON_AddNumberToObject(e, "import", (double)v[i].import_id);
            cJSON_AddItemToObject(e, "record", cJSON_Parse(v[i].record_json));
        }
    }
    char *out = json ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
    puts(out ? out : txt); /* --json: one line, for scripts */
    free(out);
    if (!json && nv) {
        printf("versions (%zu, merged field by field; the latest non-empty value wins):\n", nv);
        for (size_t i = 0; i < nv; i++) {
            printf("  %zu. %s:%ld (import #%ld)\n     %s\n", i + 1, v[i].file ? v[i].file : "?",
                   v[i].line, v[i].import_id, v[i].record_json);
        }
    }
    cJSON_Delete(o);
    free(txt);
    eng_versions_free(v, nv);
    return 0;
}
