/* cmd_report: `vernier report` — the reviewer workbook of a run, one per
 * panel with --split-by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reports/rpt_xlsx.h"

static const char usage[] = "vernier report [--run N] -o FILE.xlsx [--lang en|zh] [--split-by "
                            "source|field|organisation|kind|pi]";

int cli_report(cli_ctx *ctx, eng_store *st, long run, const char *output, const char *lang,
               const char *split_by)
{
    rpt_options o = {lang, split_by, getenv("VERNIER_NOW"), 0};
    char **paths = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    if (rpt_workbook_write(st, run, output, &o, &paths, &n, &err))
        return cli_fail(&err);
    for (size_t i = 0; i < n && !ctx->quiet; i++)
        fprintf(stderr, "vernier: wrote %s\n", paths[i]);
    rpt_paths_free(paths, n);
    cli_profile_end(ctx, "workbook");
    return 0;
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    const char *run_s = NULL, *output = NULL, *lang = "en", *split_by = NULL;
    const cli_opt opts[] = {
        CLI_VALUE("run", "N", &run_s, "the run (default: the latest)"),
        CLI_VALUE("output", "FILE.xlsx", &output, "the workbook to write (required)"),
        CLI_VALUE("lang", "en|zh", &lang, "the workbook's language (default en)"),
        CLI_VALUE("split-by", "FIELD", &split_by,
                  "one workbook per source|field|organisation|kind|pi"),
        CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    if (!output)
        return cli_usage_error(usage, "report: where to? give -o FILE.xlsx");
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return cli_usage_error(usage, "--lang is en or zh, got \"%s\"", lang);
    long run = cli_run_id(run_s);
    if (run < 0)
        return cli_usage_error(usage, "--run takes a run number, got \"%s\"", run_s);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    rc = cli_report(ctx, st, run, output, lang, split_by);
    eng_store_close(st);
    return rc;
}
