/* cmd_evaluate: `vernier evaluate FILE... -o report.xlsx` — the main job in
 * one step: import, score (with duplicates and novelty), write the
 * workbook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "importers/imp_import.h"

static const char usage[] =
    "vernier evaluate FILE... -o report.xlsx [--rules PATH] [--name NAME] [--scheme "
    "NAME=on|off]... "
    "[--no-duplicates] [--lang en|zh] [--split-by FIELD] [--source NAME] [--map MAP.json] "
    "[--encoding NAME] [--delimiter C] [--sheet NAME] [--indicators FILE] [--skip-bad] "
    "[--rejects FILE] [--id-prefix P] [--kind KIND] [--strict] [--replace]";

int cmd_evaluate(cli_ctx *ctx, int argc, char **argv)
{
    imp_options o;
    memset(&o, 0, sizeof o);
    const char *output = NULL, *rules = NULL, *name = NULL, *lang = "en", *split_by = NULL,
               *delimiter = NULL, *sw[64];
    size_t nsw = 0;
    int no_dups = 0;
    const cli_opt own[] = {
        CLI_VALUE("output", "report.xlsx", &output, "the workbook to write (required)"),
        CLI_VALUE("rules", "PATH", &rules, "the rule set (default: see README, Set-up)"),
        CLI_VALUE("name", "NAME", &name, "a name for the run"),
        CLI_LIST("scheme", "NAME=on|off", sw, &nsw, "switch a scheme of rules on or off"),
        CLI_FLAG("no-duplicates", &no_dups, "skip the duplicate and novelty search"),
        CLI_VALUE("lang", "en|zh", &lang, "the workbook's language (default en)"),
        CLI_VALUE("split-by", "FIELD", &split_by,
                  "one workbook per source|field|organisation|kind|pi"),
        CLI_END};
    cli_opt opts[sizeof own / sizeof own[0] + CLI_IMPORT_NOPTS];
    size_t k = sizeof own / sizeof own[0] - 1;
    memcpy(opts, own, k * sizeof own[0]);
    k += cli_import_opts(&o, &delimiter, opts + k);
    opts[k] = (cli_opt)CLI_END;
    const char *files[256];
    size_t n;
    CLI_PARSE(ctx, argc, argv, opts, files, 256, &n, usage);
    if (!n)
        return cli_usage_error(usage, "evaluate: which files? give one or more");
    if (!output)
        return cli_usage_error(usage, "evaluate: where to? give -o FILE.xlsx");
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return cli_usage_error(usage, "--lang is en or zh, got \"%s\"", lang);
    if (cli_import_check(usage, delimiter, &o, n))
        return 1;
    eng_store *st;
    int rc = cli_open_store(ctx, &st);
    if (rc)
        return rc;
    rc = cli_import_files(ctx, st, files, n, &o);
    long run = 0;
    if (!rc)
        rc = cli_score(ctx, st, rules, name, sw, nsw, no_dups, &run);
    if (!rc)
        rc = cli_report(ctx, st, run, output, lang, split_by, NULL);
    eng_store_close(st);
    return rc;
}
