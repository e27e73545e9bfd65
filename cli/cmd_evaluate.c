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
    "[--rejects FILE] [--id-prefix P] [--kind KIND]";

int cmd_evaluate(cli_ctx *ctx, int argc, char **argv)
{
    imp_options o;
    memset(&o, 0, sizeof o);
    const char *output = NULL, *rules = NULL, *name = NULL, *lang = "en", *split_by = NULL,
               *delimiter = NULL, *sw[64];
    size_t nsw = 0;
    int no_dups = 0;
    cli_opt opts[24];
    size_t k = cli_import_opts(&o, &delimiter, opts);
    const cli_opt own[] = {{"output", &output, NULL, NULL, NULL},
                           {"rules", &rules, NULL, NULL, NULL},
                           {"name", &name, NULL, NULL, NULL},
                           {"lang", &lang, NULL, NULL, NULL},
                           {"split-by", &split_by, NULL, NULL, NULL},
                           {"scheme", NULL, NULL, sw, &nsw},
                           {"no-duplicates", NULL, &no_dups, NULL, NULL},
                           {NULL, NULL, NULL, NULL, NULL}};
    memcpy(opts + k, own, sizeof own);
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
        rc = cli_score(ctx, st, rules ? rules : cli_default_rules(), name, sw, nsw, no_dups, &run);
    if (!rc)
        rc = cli_report(ctx, st, run, output, lang, split_by);
    eng_store_close(st);
    return rc;
}
