/* cmd_runs: `vernier runs` — every run, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] = "vernier runs";

int cmd_runs(cli_ctx *ctx, int argc, char **argv)
{
    const cli_opt opts[] = {CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_run_info *v = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    rc = eng_store_runs(st, &v, &n, &err);
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    if (!n)
        printf("no runs yet: `vernier score` makes one\n");
    for (size_t i = 0; i < n; i++) {
        printf("%4ld  %s  %-14s %s %s (sha256 %.12s)  %ld projects, %ld hits, %ld pairs\n", v[i].id,
               v[i].created, v[i].name ? v[i].name : "-", v[i].ruleset_name, v[i].ruleset_version,
               v[i].ruleset_sha256, v[i].nprojects, v[i].nhits, v[i].npairs);
        eng_run_info_release(&v[i]);
    }
    free(v);
    return 0;
}
