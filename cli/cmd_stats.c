/* cmd_stats: `vernier stats` — records by kind and source, and the import
 * history. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] = "vernier stats [--json]";

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static long num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

int cmd_stats(cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const cli_opt opts[] = {CLI_FLAG("json", &json, "one JSON document instead of text"), CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    char *txt = NULL;
    eng_err err;
    eng_err_clear(&err);
    rc = eng_store_stats_json(st, &txt, &err);
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    if (json) {
        puts(txt);
        free(txt);
        return 0;
    }
    cJSON *o = cJSON_Parse(txt);
    free(txt);
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(o, "records");
    const cJSON *imps = cJSON_GetObjectItemCaseSensitive(o, "imports");
    long total = 0;
    printf("records by kind and source:\n");
    for (const cJSON *r = recs ? recs->child : NULL; r; r = r->next) {
        printf("  %-10s %-30s %8ld\n", str(r, "kind"), *str(r, "source") ? str(r, "source") : "-",
               num(r, "count"));
        total += num(r, "count");
    }
    printf("  %-41s %8ld\n", "total", total);
    printf("imports:\n");
    for (const cJSON *r = imps ? imps->child : NULL; r; r = r->next)
        printf("  #%ld %s  %s  added %ld, updated %ld, unchanged %ld, rejected %ld, repeated "
               "headers %ld  (sha256 %.12s)\n",
               num(r, "id"), str(r, "at"), str(r, "file"), num(r, "added"), num(r, "updated"),
               num(r, "unchanged"), num(r, "rejected"), num(r, "skipped_headers"),
               str(r, "sha256"));
    printf("runs: %ld\n", num(o, "runs"));
    cJSON_Delete(o);
    return 0;
}
