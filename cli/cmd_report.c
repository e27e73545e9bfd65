/* cmd_report: `vernier report` — the reviewer workbook of a run, one per
 * panel with --split-by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reports/rpt_xlsx.h"

static const char usage[] = "vernier report [--run N] -o FILE.xlsx [--lang en|zh] [--split-by "
                            "source|field|organisation|kind|pi] [--where EXPR] [--top N [--by "
                            "ORDER]]";

int cli_report(cli_ctx *ctx, eng_store *st, long run, const char *output, const char *lang,
               const char *split_by, const cli_select *sel)
{
    rpt_written w;
    memset(&w, 0, sizeof w);
    rpt_options o;
    memset(&o, 0, sizeof o);
    o.lang = lang;
    o.split_by = split_by;
    o.fixed_date = getenv("VERNIER_NOW");
    o.written = &w;
    /* For tests only: a small part size shows the split without a million
     * rows (README, "The workbook"). */
    const char *rows = getenv("VERNIER_SHEET_ROWS");
    if (rows && *rows)
        o.sheet_rows = strtol(rows, NULL, 10);
    if (sel) {
        o.where = sel->where;
        o.by = sel->by;
        if (sel->top) {
            char *end;
            o.top = strtol(sel->top, &end, 10);
            if (end == sel->top || *end || o.top <= 0)
                return cli_usage_error(usage, "--top takes a positive number, got \"%s\"",
                                       sel->top);
        } else if (sel->by) {
            return cli_usage_error(usage, "--by orders --top: give --top N too");
        }
    }
    char **paths = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    if (rpt_workbook_write(st, run, output, &o, &paths, &n, &err))
        return err.code == ENG_EUSAGE ? cli_usage_error(usage, "%s", err.msg) : cli_fail(&err);
    for (size_t i = 0; i < n && !ctx->quiet; i++)
        fprintf(stderr, "vernier: wrote %s\n", paths[i]);
    /* Never a cut workbook without saying so. */
    if (!ctx->quiet && w.selected < w.projects)
        fprintf(stderr,
                "vernier: the workbook holds %zu of the run's %zu projects (%s%s%s%s%s); its "
                "Summary says so\n",
                w.selected, w.projects, o.where ? "where " : "", o.where ? o.where : "",
                o.where && o.top ? ", " : "", o.top ? "--top by " : "",
                o.top ? (o.by ? o.by : "overall") : "");
    if (!ctx->quiet && w.parted)
        fprintf(stderr,
                "vernier: a sheet holds %zu rows: long sheets are split into parts (Projects in "
                "%zu); the Index sheet lists them\n",
                w.sheet_rows, w.parts);
    rpt_paths_free(paths, n);
    cli_profile_end(ctx, "workbook");
    return 0;
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    const char *run_s = NULL, *output = NULL, *lang = "en", *split_by = NULL;
    cli_select sel = {NULL, NULL, NULL};
    const cli_opt opts[] = {
        CLI_VALUE("run", "N", &run_s, "the run (default: the latest)"),
        CLI_VALUE("output", "FILE.xlsx", &output, "the workbook to write (required)"),
        CLI_VALUE("lang", "en|zh", &lang, "the workbook's language (default en)"),
        CLI_VALUE("split-by", "FIELD", &split_by,
                  "one workbook per source|field|organisation|kind|pi"),
        CLI_VALUE("where", "EXPR", &sel.where,
                  "only the projects EXPR matches, e.g. 'flag=TRL-OVERCLAIM and overall<50'"),
        CLI_VALUE("top", "N", &sel.top, "only the first N projects by --by"),
        CLI_VALUE("by", "ORDER", &sel.by,
                  "overall (default), novelty, traceability, trl or flags; -ORDER lowest first"),
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
    rc = cli_report(ctx, st, run, output, lang, split_by, &sel);
    eng_store_close(st);
    return rc;
}
