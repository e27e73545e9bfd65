/*
 * main: the table of subcommands (git's builtin/ pattern).  Each command
 * lives in cli/cmd_<name>.c with its usage text; this file only finds it and
 * sets up the global options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/eng_run.h"

typedef struct command {
    const char *name;
    int (*fn)(cli_ctx *ctx, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"evaluate", cmd_evaluate, "import, score and write the workbook in one step (the main job)"},
    {"import", cmd_import, "load records from JSON, JSONL, CSV or XLSX files"},
    {"score", cmd_score, "make a run: TRL, traceability, novelty, flags and duplicate pairs"},
    {"report", cmd_report, "write the reviewer workbook of a run"},
    {"export", cmd_export, "a run as JSONL or CSV, one project a line"},
    {"explain", cmd_explain, "why a project got its scores: every hit and pair"},
    {"screen", cmd_screen, "check new proposals against every stored project"},
    {"show", cmd_show, "one stored record as canonical JSON"},
    {"stats", cmd_stats, "counts by kind and source, and the import history"},
    {"search", cmd_search, "full-text search over stored projects"},
    {"runs", cmd_runs, "list the runs"},
    {"diff", cmd_diff, "what changed between two runs"},
    {"rules", cmd_rules, "check a rule set, show its calibration, or run its test cases"},
    {"calibrate", cmd_calibrate,
     "fit and measure a rule set's TRL readings against reference ratings (a new set)"},
    {"decisions", cmd_decisions, "read reviewers' decisions back from a returned workbook"},
    {"registry", cmd_registry,
     "load and list the registries traceability claims are checked against"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vernier [--db FILE] [--jobs N] [--wait SECONDS] [--quiet] [--profile] COMMAND "
            "[ARGS]\n\n"
            "vernier %s: evaluates research projects (TRL, traceability, novelty,\n"
            "duplicates) with an agency-owned rule set.\n\ncommands:\n",
            ENG_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nThe store is ./vernier.db unless --db FILE or VERNIER_DB says otherwise.\n"
               "`vernier COMMAND --help` shows a command's options.\n");
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    const char *env = getenv("VERNIER_DB");
    ctx.db = env && *env ? env : "vernier.db";
    int i = 1;
    /* Global options may stand before the command too. */
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("vernier %s\n", ENG_VERSION);
            return 0;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            ctx.quiet = 1;
        } else if (!strcmp(a, "--profile")) {
            ctx.profile = 1;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            ctx.db = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            ctx.db = a + 5;
        } else if ((!strcmp(a, "--wait") && i + 1 < argc) || !strncmp(a, "--wait=", 7)) {
            const char *v = a[6] == '=' ? a + 7 : argv[++i];
            if (cli_set_wait(&ctx, v)) {
                fprintf(stderr, "vernier: --wait takes seconds from 0 to 86400, got \"%s\"\n", v);
                return 1;
            }
        } else if (!strcmp(a, "--jobs") && i + 1 < argc) {
            ctx.jobs = atoi(argv[++i]);
            if (ctx.jobs < 1 || ctx.jobs > 64) {
                fprintf(stderr, "vernier: --jobs takes a number from 1 to 64\n");
                return 1;
            }
        } else {
            fprintf(stderr, "vernier: unknown option %s\n", a);
            usage(stderr);
            return 1;
        }
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    cli_profile_start(&ctx);
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[i], commands[k].name))
            return commands[k].fn(&ctx, argc - i, argv + i);
    if (!strcmp(argv[i], "help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "vernier: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return 1;
}
