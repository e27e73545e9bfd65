/*
 * cmd_rules: `vernier rules check PATH`, `vernier rules show PATH` and
 * `vernier rules test PATH`.
 *
 * show prints the set's identity and its calibration record
 * (engine/eng_calib.h eng_calib_lines), or "not calibrated" and what that
 * means.
 *
 * check loads the set with the pattern speed checks and prints every
 * diagnostic; test has the rules library run each of the set's cases
 * (rule_case_run, scored by the engine's eng_case_score) and prints the
 * outcome, then lists the rules no case covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli/cli.h"
#include "engine/eng_calib.h"
#include "engine/eng_case.h"

static const char usage[] =
    "vernier rules check PATH | vernier rules show PATH | vernier rules test PATH [--case ID] "
    "[--scheme NAME=on|off]... [--verbose]";

static int rules_check(const char *path)
{
    if (access(path, F_OK) != 0)
        return cli_rules_not_found(path);
    rule_diags d = {0};
    rule_set *set = rule_set_load(path, 1, &d);
    size_t errors = 0, warnings = 0;
    for (size_t i = 0; i < d.n; i++) {
        cli_print_diag(&d.v[i]);
        if (d.v[i].severity == RULE_ERROR)
            errors++;
        else
            warnings++;
    }
    rule_diags_free(&d);
    if (set) {
        size_t n = rule_count(set), by[6] = {0};
        for (size_t i = 0; i < n; i++)
            by[rule_dimension(set, i) % 6]++;
        char refs[48] = "";
        if (by[RULE_DIM_REFERENCE])
            snprintf(refs, sizeof refs, ", reference %zu", by[RULE_DIM_REFERENCE]);
        printf("%s: %s %s, sha256 %s\n", path, rule_set_name(set), rule_set_version(set),
               rule_set_sha256(set));
        printf("%zu rules (trl %zu, traceability %zu, novelty %zu, flag %zu%s), %zu test cases, "
               "%zu errors, %zu warnings\n",
               n, by[RULE_DIM_TRL], by[RULE_DIM_TRACEABILITY], by[RULE_DIM_NOVELTY],
               by[RULE_DIM_FLAG], refs, rule_case_count(set), errors, warnings);
        rule_set_free(set);
        return 0;
    }
    printf("%s: %zu errors, %zu warnings: the set cannot be loaded\n", path, errors, warnings);
    return 2;
}

static int rules_show(const char *path)
{
    rule_set *set = NULL;
    int rc = cli_load_rules(path, 0, &set);
    if (rc)
        return rc;
    printf("%s: %s %s\n", path, rule_set_name(set), rule_set_version(set));
    printf("sha256 %s\nmethod sha256 %s (the rules and parameters, less version and "
           "calibration)\n",
           rule_set_sha256(set), rule_set_method_sha256(set));
    eng_calib_line lines[ENG_CALIB_LINES];
    size_t n = eng_calib_lines(rule_set_canonical(set), 0, lines);
    for (size_t i = 0; i < n; i++)
        printf("%-28s %s\n", lines[i].label, lines[i].value);
    rule_set_free(set);
    return 0;
}

/* ---- test cases: run by the rules library, scored by the engine ---- */

/* Prints the outcome of case i: FAIL with the mismatches, or with
 * --verbose ok and what the engine gave. */
static void print_case(const rule_set *set, size_t i, const char *mismatch, int verbose,
                       const eng_eval *e)
{
    const char *flags = e->score.flags ? e->score.flags : "[]";
    if (mismatch[0])
        printf("FAIL %s (%s:%d): %s\n", rule_case_id(set, i), rule_case_file(set, i),
               rule_case_line(set, i), mismatch);
    else if (verbose)
        printf("ok   %s: TRL %d (claimed %d), traceability %g, flags %s\n", rule_case_id(set, i),
               e->score.trl_evidenced, e->score.trl_claimed, e->score.traceability, flags);
    if (mismatch[0] && verbose) {
        printf("     got: TRL %d (claimed %d), traceability %g, flags %s, hits:",
               e->score.trl_evidenced, e->score.trl_claimed, e->score.traceability, flags);
        for (size_t k = 0; k < e->nhits; k++)
            printf(" %s", e->hits[k].rule_id);
        printf("\n");
    }
}

static int rules_test(const char *path, const char *only, const char **sw, size_t nsw, int verbose)
{
    rule_set *set = NULL;
    int rc = cli_load_rules(path, 0, &set);
    if (rc)
        return rc;
    if ((rc = cli_apply_schemes(set, sw, nsw)) != 0) {
        rule_set_free(set);
        return rc;
    }
    size_t nrules = rule_count(set), ncases = rule_case_count(set), passed = 0, failed = 0;
    unsigned char *covered = calloc(nrules ? nrules : 1, 1);
    if (!covered) {
        rule_set_free(set);
        fprintf(stderr, "vernier: out of memory\n");
        return 3;
    }
    eng_case_scorer sc;
    eng_case_scorer_init(&sc);
    for (size_t i = 0; i < ncases && rc == 0; i++) {
        if (only && strcmp(only, rule_case_id(set, i)))
            continue;
        char mismatch[2048];
        int got = rule_case_run(set, i, eng_case_score, &sc, covered, mismatch, sizeof mismatch);
        if (got < 0) {
            fprintf(stderr, "vernier: out of memory\n");
            rc = 3;
            break;
        }
        print_case(set, i, mismatch, verbose, &sc.eval);
        if (got)
            failed++;
        else
            passed++;
    }
    eng_case_scorer_release(&sc);
    if (rc) {
        free(covered);
        rule_set_free(set);
        return rc;
    }
    if (!only) {
        size_t unc = 0;
        for (size_t j = 0; j < nrules; j++)
            if (!covered[j] && rule_enabled(set, j)) {
                if (!unc++)
                    printf("rules no case covers:");
                printf(" %s", rule_id(set, j));
            }
        if (unc)
            printf("\n");
        printf("coverage: %zu of %zu rules hit by at least one case\n", nrules - unc, nrules);
    }
    printf("rules test: %zu passed, %zu failed\n", passed, failed);
    free(covered);
    rule_set_free(set);
    return failed ? 2 : 0;
}

int cmd_rules(cli_ctx *ctx, int argc, char **argv)
{
    const char *only = NULL, *sw[64];
    size_t nsw = 0, npos = 0;
    int verbose = 0;
    const cli_opt opts[] = {
        CLI_VALUE("case", "ID", &only, "test: run only this test case"),
        CLI_LIST("scheme", "NAME=on|off", sw, &nsw, "test: switch a scheme of rules on or off"),
        CLI_FLAG("verbose", &verbose, "test: print every case, not only failures"), CLI_END};
    const char *pos[2];
    CLI_PARSE(ctx, argc, argv, opts, pos, 2, &npos, usage);
    if (npos < 1)
        return cli_usage_error(usage, "rules: say check, show or test");
    const char *path = npos > 1 ? pos[1] : cli_default_rules();
    if (!path)
        return cli_rules_not_found(NULL);
    if (!strcmp(pos[0], "check"))
        return rules_check(path);
    if (!strcmp(pos[0], "show"))
        return rules_show(path);
    if (!strcmp(pos[0], "test"))
        return rules_test(path, only, sw, nsw, verbose);
    return cli_usage_error(usage, "rules: unknown action '%s' (check, show or test)", pos[0]);
}
