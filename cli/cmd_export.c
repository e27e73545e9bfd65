/* cmd_export: `vernier export` — a run as JSONL or CSV, one project a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reports/rpt_export.h"

static const char usage[] = "vernier export [--run N] [--format jsonl|csv] [--bom] [-o FILE]";

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    const char *run_s = NULL, *format = "jsonl", *output = NULL;
    int bom = 0;
    const cli_opt opts[] = {
        CLI_VALUE("run", "N", &run_s, "the run (default: the latest)"),
        CLI_VALUE("format", "jsonl|csv", &format,
                  "one JSON object or CSV row a project (default jsonl)"),
        CLI_FLAG("bom", &bom, "csv: begin with a UTF-8 byte-order mark (Excel then reads Chinese)"),
        CLI_VALUE("output", "FILE", &output, "the file to write (default: standard output)"),
        CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    if (bom && strcmp(format, "csv"))
        return cli_usage_error(usage, "--bom goes with --format csv");
    long run = cli_run_id(run_s);
    if (run < 0)
        return cli_usage_error(usage, "--run takes a run number, got \"%s\"", run_s);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    char *tmp;
    FILE *out = cli_output_open(output, &tmp);
    if (!out) {
        eng_store_close(st);
        return 3;
    }
    eng_err err;
    eng_err_clear(&err);
    /* A spreadsheet takes a CSV without a BOM for the local code page. */
    if (bom)
        fputs("\xEF\xBB\xBF", out);
    rc = rpt_export(st, run, format, out, &err);
    if (rc && ferror(out)) {
        /* name the file the export could not be written to */
        eng_err named;
        eng_fail(&named, rc, "%s: %s", output && strcmp(output, "-") ? output : "standard output",
                 err.msg);
        err = named;
    }
    int crc = cli_output_close(out, output, tmp, rc == 0);
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    return crc;
}
