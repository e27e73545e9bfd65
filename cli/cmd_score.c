/* cmd_score: `vernier score` — make a run over the store with a rule set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/eng_store_view.h"
#include "engine/eng_run.h"

static const char usage[] =
    "vernier score [--rules PATH] [--name NAME] [--scheme NAME=on|off]... [--no-duplicates]";

/* Applies --scheme NAME=on|off switches; prints and returns 1 on a bad one. */
int cli_apply_schemes(rule_set *set, const char **sw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(sw[i], '=');
        if (!eq || (strcmp(eq + 1, "on") && strcmp(eq + 1, "off")))
            return cli_usage_error(usage, "--scheme takes NAME=on or NAME=off, got \"%s\"", sw[i]);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - sw[i]), sw[i]);
        if (rule_set_scheme(set, name, !strcmp(eq + 1, "on")) < 0) {
            fprintf(stderr, "vernier: --scheme: no rule of the set carries the scheme '%s'\n",
                    name);
            return 1;
        }
    }
    return 0;
}

/* A one-line progress display on a terminal: rewritten in place, erased at
 * the end. */
static void show_progress(void *arg, const char *stage, size_t done, size_t total)
{
    cli_ctx *ctx = arg;
    if (ctx->profile && strcmp(stage, ctx->prof_stage)) {
        /* a new stage: the one before it (loading, at first) ends */
        cli_profile_end(ctx, ctx->prof_stage[0] ? ctx->prof_stage : "load");
        snprintf(ctx->prof_stage, sizeof ctx->prof_stage, "%s", stage);
    }
    if (ctx->quiet || !isatty(STDERR_FILENO))
        return;
    if (!strcmp(stage, "rules"))
        fprintf(stderr, "\rvernier: scoring: rules %zu/%zu (%zu%%)\033[K", done, total,
                total ? done * 100 / total : 100);
    else
        fprintf(stderr, "\rvernier: scoring: %s\033[K", stage);
    fflush(stderr);
}

int cli_score(cli_ctx *ctx, eng_store *st, const char *rules, const char *name, const char **sw,
              size_t nsw, int no_dups, long *run_id)
{
    rule_set *set = NULL;
    int rc = cli_load_rules(rules, 0, &set);
    if (rc)
        return rc;
    rc = cli_apply_schemes(set, sw, nsw);
    if (rc) {
        rule_set_free(set);
        return rc;
    }
    int tty = !ctx->quiet && isatty(STDERR_FILENO);
    eng_run_opts o = {name, ctx->jobs, no_dups, tty || ctx->profile ? show_progress : NULL, ctx};
    eng_err err;
    eng_err_clear(&err);
    ctx->prof_stage[0] = '\0';
    rc = eng_run(st, set, &o, run_id, &err);
    if (tty)
        fputs("\r\033[K", stderr);
    cli_profile_end(ctx, ctx->prof_stage[0] ? ctx->prof_stage : "score");
    if (rc) {
        rule_set_free(set);
        return cli_fail(&err);
    }
    eng_run_info ri;
    if (!ctx->quiet && eng_store_run(st, *run_id, &ri, &err) == ENG_OK) {
        fprintf(stderr,
                "vernier: run %ld: %ld projects, %ld hits, %ld duplicate pairs; rule set %s %s "
                "(sha256 %.12s)\n",
                ri.id, ri.nprojects, ri.nhits, ri.npairs, ri.ruleset_name, ri.ruleset_version,
                ri.ruleset_sha256);
        eng_run_info_release(&ri);
        eng_decision *dd = NULL;
        size_t nd = 0;
        if (eng_store_decisions_not_carried(st, *run_id, NULL, &dd, &nd, &err) == ENG_OK && nd) {
            fprintf(stderr,
                    "vernier: run %ld: %zu reviewer decision%s not carried: the record changed "
                    "since it was decided (`vernier explain %s`",
                    *run_id, nd, nd == 1 ? "" : "s", dd[0].project_id);
            for (size_t i = 1; i < nd && i < 3; i++)
                fprintf(stderr, ", %s", dd[i].project_id);
            fprintf(stderr, "%s)\n", nd > 3 ? ", ..." : "");
        }
        eng_decisions_free(dd, nd);
        eng_na_counts na;
        if (eng_store_na_counts(st, *run_id, &na, &err) == ENG_OK && na.traceability)
            fprintf(stderr,
                    "vernier: run %ld: warning: %ld of %ld projects have nothing to read (no "
                    "abstract, acceptance summary or indicator): traceability and novelty are "
                    "not assessable and left out of the overall score; %ld have no TRL reading "
                    "either: overall not assessable\n",
                    *run_id, na.traceability, na.projects, na.overall);
    }
    rule_set_free(set);
    return 0;
}

int cmd_score(cli_ctx *ctx, int argc, char **argv)
{
    const char *rules = NULL, *name = NULL, *sw[64];
    size_t nsw = 0, npos = 0;
    int no_dups = 0;
    const cli_opt opts[] = {
        CLI_VALUE("rules", "PATH", &rules, "the rule set (default: see README, Set-up)"),
        CLI_VALUE("name", "NAME", &name, "a name for the run"),
        CLI_LIST("scheme", "NAME=on|off", sw, &nsw, "switch a scheme of rules on or off"),
        CLI_FLAG("no-duplicates", &no_dups, "skip the duplicate and novelty search"), CLI_END};
    const char *pos[1];
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    long run = 0;
    rc = cli_score(ctx, st, rules, name, sw, nsw, no_dups, &run);
    if (!rc)
        printf("%ld\n", run);
    eng_store_close(st);
    return rc;
}
