/* cmd_diff: `vernier diff RUN_A RUN_B` — what changed between two runs:
 * the rule sets, each project's scores and flags, and the duplicate pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] = "vernier diff RUN_A RUN_B";

static int pair_key_cmp(const eng_pair *x, const eng_pair *y)
{
    int c = strcmp(x->a, y->a);
    return c ? c : strcmp(x->b, y->b);
}

static int pair_qsort(const void *x, const void *y)
{
    return pair_key_cmp(x, y);
}

int cmd_diff(cli_ctx *ctx, int argc, char **argv)
{
    const cli_opt opts[] = {CLI_END};
    const char *pos[2];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 2, &npos, usage);
    if (npos != 2)
        return cli_usage_error(usage, "diff: give two run numbers");
    long ra = cli_run_id(pos[0]), rb = cli_run_id(pos[1]);
    if (ra < 1 || rb < 1)
        return cli_usage_error(usage, "diff: run numbers are positive integers");
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_err err;
    eng_err_clear(&err);
    eng_run_info ia, ib;
    memset(&ia, 0, sizeof ia);
    memset(&ib, 0, sizeof ib);
    eng_score *sa = NULL, *sb = NULL;
    eng_pair *pa = NULL, *pb = NULL;
    size_t na = 0, nb = 0, npa = 0, npb = 0;
    if ((rc = eng_store_run(st, ra, &ia, &err)) || (rc = eng_store_run(st, rb, &ib, &err)) ||
        (rc = eng_store_scores(st, ra, NULL, &sa, &na, &err)) ||
        (rc = eng_store_scores(st, rb, NULL, &sb, &nb, &err)) ||
        (rc = eng_store_pairs(st, ra, NULL, &pa, &npa, &err)) ||
        (rc = eng_store_pairs(st, rb, NULL, &pb, &npb, &err)))
        goto done;
    printf("run %ld: %s %s (sha256 %.12s)\nrun %ld: %s %s (sha256 %.12s)%s\n", ra, ia.ruleset_name,
           ia.ruleset_version, ia.ruleset_sha256, rb, ib.ruleset_name, ib.ruleset_version,
           ib.ruleset_sha256,
           strcmp(ia.ruleset_sha256, ib.ruleset_sha256) ? "" : "  (same rule set)");
    /* Scheme switches and thresholds live in the parameters, not in the set's hash. */
    if (ia.params && ib.params && strcmp(ia.params, ib.params))
        printf("parameters differ:\n  run %ld: %s\n  run %ld: %s\n", ra, ia.params, rb, ib.params);
    size_t i = 0, j = 0, changed = 0;
    while (i < na || j < nb) {
        int c = i >= na ? 1 : j >= nb ? -1 : strcmp(sa[i].project_id, sb[j].project_id);
        if (c < 0) {
            printf("- %s only in run %ld\n", sa[i].project_id, ra);
            i++;
            changed++;
        } else if (c > 0) {
            printf("+ %s only in run %ld\n", sb[j].project_id, rb);
            j++;
            changed++;
        } else {
            const eng_score *x = &sa[i], *y = &sb[j];
            int diff =
                x->trl_evidenced != y->trl_evidenced || x->traceability != y->traceability ||
                x->novelty != y->novelty || x->overall != y->overall ||
                strcmp(x->flags, y->flags) ||
                (x->content_hash && y->content_hash && strcmp(x->content_hash, y->content_hash));
            if (diff) {
                changed++;
                printf("~ %s: TRL %d -> %d, traceability %.1f -> %.1f, novelty %.1f -> %.1f, "
                       "overall %.1f -> %.1f%s\n",
                       x->project_id, x->trl_evidenced, y->trl_evidenced, x->traceability,
                       y->traceability, x->novelty, y->novelty, x->overall, y->overall,
                       x->content_hash && y->content_hash &&
                               strcmp(x->content_hash, y->content_hash)
                           ? " (record changed)"
                           : "");
                if (strcmp(x->flags, y->flags))
                    printf("    flags %s -> %s\n", x->flags, y->flags);
            }
            i++;
            j++;
        }
    }
    if (npa > 1)
        qsort(pa, npa, sizeof *pa, pair_qsort);
    if (npb > 1)
        qsort(pb, npb, sizeof *pb, pair_qsort);
    size_t pchanged = 0;
    for (i = 0, j = 0; i < npa || j < npb;) {
        int c = i >= npa ? 1 : j >= npb ? -1 : pair_key_cmp(&pa[i], &pb[j]);
        if (c < 0) {
            printf("- pair %s ~ %s (%s)\n", pa[i].a, pa[i].b, pa[i].kind);
            i++;
            pchanged++;
        } else if (c > 0) {
            printf("+ pair %s ~ %s (%s, Jaccard %.3f)\n", pb[j].a, pb[j].b, pb[j].kind,
                   pb[j].jaccard);
            j++;
            pchanged++;
        } else {
            i++;
            j++;
        }
    }
    printf("%zu of %zu projects changed, %zu pairs changed\n", changed, na > nb ? na : nb,
           pchanged);
done:
    eng_run_info_release(&ia);
    eng_run_info_release(&ib);
    eng_scores_free(sa, na);
    eng_scores_free(sb, nb);
    eng_pairs_free(pa, npa);
    eng_pairs_free(pb, npb);
    eng_store_close(st);
    return rc ? cli_fail(&err) : 0;
}
