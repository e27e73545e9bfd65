/* cmd_show: `vernier show ID` — one stored record as canonical JSON, with
 * its extra fields and provenance. */
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
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    char *txt = eng_record_to_json(&r, 1);
    eng_record_release(&r);
    if (!txt) {
        fprintf(stderr, "vernier: out of memory\n");
        return 3;
    }
    if (json) {
        puts(txt); /* one line, for scripts */
    } else {
        cJSON *o = cJSON_Parse(txt);
        char *pretty = o ? cJSON_Print(o) : NULL;
        puts(pretty ? pretty : txt);
        free(pretty);
        cJSON_Delete(o);
    }
    free(txt);
    return 0;
}
