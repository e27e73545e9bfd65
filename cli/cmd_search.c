/* cmd_search: `vernier search QUERY` — the records holding every word of the
 * query (eng_store_search); says how many more there are past --limit. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] = "vernier search QUERY [--limit N]";

int cmd_search(cli_ctx *ctx, int argc, char **argv)
{
    const char *limit_s = NULL;
    const cli_opt opts[] = {CLI_VALUE("limit", "N", &limit_s, "at most N results (default 20)"),
                            CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 1, &npos, usage);
    if (npos != 1)
        return cli_usage_error(usage, "search: what for? give a query");
    long limit = limit_s ? cli_run_id(limit_s) : 20;
    if (limit < 1)
        return cli_usage_error(usage, "--limit takes a positive number");
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    char **ids = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    size_t total = 0;
    rc = eng_store_search(st, pos[0], (size_t)limit, &ids, &n, &total, &err);
    if (rc) {
        eng_store_close(st);
        return cli_fail(&err);
    }
    for (size_t i = 0; i < n; i++) {
        eng_record r;
        eng_record_init(&r);
        if (eng_store_get_record(st, ids[i], &r, &err) == ENG_OK)
            printf("%s\t%s\t%s\n", r.id, r.kind ? r.kind : "project", r.title ? r.title : "");
        eng_record_release(&r);
        free(ids[i]);
    }
    free(ids);
    eng_store_close(st);
    fflush(stdout);
    if (total > n)
        fprintf(stderr,
                "vernier: %zu more records match (%zu in all); --limit %zu shows them all\n",
                total - n, total, total);
    return 0;
}
