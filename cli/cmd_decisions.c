/* cmd_decisions: `vernier decisions import FILE.xlsx` — reviewers' decisions
 * read back from a returned workbook (and `decisions list` to see them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/eng_store_view.h"
#include "importers/imp_decisions.h"

static const char usage[] =
    "vernier decisions import FILE.xlsx... [--reviewer NAME] | vernier decisions list [--run N]";

static int list(cli_ctx *ctx, const char *run_s)
{
    long run = cli_run_id(run_s);
    if (run < 0)
        return cli_usage_error(usage, "--run takes a run number, got \"%s\"", run_s);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_err err;
    eng_err_clear(&err);
    eng_run_info ri;
    eng_decision *d = NULL;
    size_t n = 0;
    if ((rc = eng_store_run(st, run, &ri, &err)) == ENG_OK) {
        rc = eng_store_decisions(st, ri.id, NULL, &d, &n, &err);
        eng_run_info_release(&ri);
    }
    if (rc) {
        eng_store_close(st);
        return cli_fail(&err);
    }
    for (size_t i = 0; i < n; i++) {
        /* No decision: withdrawn when one was taken before (a comment may
         * remain), else a comment alone. */
        int before = !d[i].decision;
        if (before && eng_store_ever_decided(st, d[i].project_id, &before, &err)) {
            eng_decisions_free(d, n);
            eng_store_close(st);
            return cli_fail(&err);
        }
        printf("%s\t%s\t%s\t%s\t%s\n", d[i].project_id,
               d[i].decision ? d[i].decision
               : before      ? "withdrawn"
                             : "",
               d[i].reviewer ? d[i].reviewer : "", d[i].decided_at ? d[i].decided_at : "",
               d[i].comment ? d[i].comment : "");
    }
    eng_decisions_free(d, n);
    eng_store_close(st);
    return 0;
}

int cmd_decisions(cli_ctx *ctx, int argc, char **argv)
{
    const char *reviewer = NULL, *run_s = NULL;
    const cli_opt opts[] = {
        CLI_VALUE("reviewer", "NAME", &reviewer,
                  "import: who decided (default: the Reviewer cell, the file's author, $USER)"),
        CLI_VALUE("run", "N", &run_s, "list: the run (default: the latest)"), CLI_END};
    const char *pos[64];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 64, &npos, usage);
    if (npos < 1)
        return cli_usage_error(usage, "decisions: say import or list");
    if (!strcmp(pos[0], "list"))
        return list(ctx, run_s);
    if (strcmp(pos[0], "import"))
        return cli_usage_error(usage, "decisions: unknown action '%s'", pos[0]);
    if (npos < 2)
        return cli_usage_error(usage, "decisions import: which workbook?");
    eng_store *st;
    int rc = cli_open_store(ctx, &st);
    if (rc)
        return rc;
    int worst = 0;
    for (size_t i = 1; i < npos; i++) {
        imp_decisions_result res;
        memset(&res, 0, sizeof res);
        eng_err err;
        eng_err_clear(&err);
        rc = imp_decisions_read(st, pos[i], reviewer, &res, &err);
        if (rc) {
            cli_fail(&err);
            worst = rc > worst ? rc : worst;
            continue;
        }
        char withdrawn[48] = "";
        if (res.withdrawn)
            snprintf(withdrawn, sizeof withdrawn, ", %zu withdrawn", res.withdrawn);
        if (!ctx->quiet)
            fprintf(stderr,
                    "vernier: %s: run %ld, reviewer %s: %zu rows, %zu decisions recorded%s, %zu "
                    "unchanged, %zu undecided\n",
                    pos[i], res.run_id, res.reviewer ? res.reviewer : "?", res.rows,
                    res.added - res.withdrawn, withdrawn, res.unchanged, res.empty);
        imp_decisions_result_release(&res);
    }
    eng_store_close(st);
    return worst;
}
