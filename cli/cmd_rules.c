/*
 * cmd_rules: `vernier rules check PATH` and `vernier rules test PATH`.
 *
 * check loads the set with the pattern speed checks and prints every
 * diagnostic; test scores each of the set's cases with the engine and
 * compares the expectations (rules/FORMAT.md "Test cases"), then lists the
 * rules no case covers.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/eng_run.h"

static const char usage[] = "vernier rules check PATH | vernier rules test PATH [--case ID] "
                            "[--scheme NAME=on|off]... [--verbose]";

static int rules_check(const char *path)
{
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
        size_t n = rule_count(set), by[5] = {0};
        for (size_t i = 0; i < n; i++)
            by[rule_dimension(set, i) % 5]++;
        printf("%s: %s %s, sha256 %s\n", path, rule_set_name(set), rule_set_version(set),
               rule_set_sha256(set));
        printf("%zu rules (trl %zu, traceability %zu, novelty %zu, flag %zu), %zu test cases, "
               "%zu errors, %zu warnings\n",
               n, by[RULE_DIM_TRL], by[RULE_DIM_TRACEABILITY], by[RULE_DIM_NOVELTY],
               by[RULE_DIM_FLAG], rule_case_count(set), errors, warnings);
        rule_set_free(set);
        return 0;
    }
    printf("%s: %zu errors, %zu warnings: the set cannot be loaded\n", path, errors, warnings);
    return 2;
}

/* ---- test cases ---------------------------------------------------------------- */

typedef struct mismatch {
    char text[2048];
    size_t n;
} mismatch;

static void mm_add(mismatch *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mm_add(mismatch *m, const char *fmt, ...)
{
    if (m->n + 4 >= sizeof m->text)
        return;
    if (m->n)
        m->n += (size_t)snprintf(m->text + m->n, sizeof m->text - m->n, "; ");
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(m->text + m->n, sizeof m->text - m->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        m->n += (size_t)w < sizeof m->text - m->n ? (size_t)w : sizeof m->text - m->n - 1;
}

/* A number or a [lo, hi] range. */
static void check_num(mismatch *m, const cJSON *want, const char *what, double got)
{
    if (!want)
        return;
    if (cJSON_IsNumber(want)) {
        if (fabs(got - want->valuedouble) > 1e-6)
            mm_add(m, "%s: got %g, want %g", what, got, want->valuedouble);
    } else if (cJSON_IsArray(want) && cJSON_GetArraySize(want) == 2) {
        double lo = cJSON_GetArrayItem(want, 0)->valuedouble;
        double hi = cJSON_GetArrayItem(want, 1)->valuedouble;
        if (got < lo - 1e-6 || got > hi + 1e-6)
            mm_add(m, "%s: got %g, want %g..%g", what, got, lo, hi);
    } else if (cJSON_IsNull(want)) {
        if (got >= 0)
            mm_add(m, "%s: got %g, want null", what, got);
    } else {
        mm_add(m, "%s: expectation must be a number or [lo, hi]", what);
    }
}

static int has_hit(const eng_eval *e, const char *id)
{
    for (size_t i = 0; i < e->nhits; i++)
        if (!strcmp(e->hits[i].rule_id, id) && !e->hits[i].error)
            return 1;
    return 0;
}

static void check_list(mismatch *m, const cJSON *want, const char *what, const rule_set *set,
                       const eng_eval *e, int flags, int present)
{
    if (!want)
        return;
    if (!cJSON_IsArray(want)) {
        mm_add(m, "%s: expectation must be a list", what);
        return;
    }
    for (const cJSON *it = want->child; it; it = it->next) {
        if (!cJSON_IsString(it))
            continue;
        int got = flags ? eng_eval_has_flag(e, set, it->valuestring) : has_hit(e, it->valuestring);
        if (got != present)
            mm_add(m, "%s: %s %s", what, it->valuestring, present ? "missing" : "present");
    }
}

static const char *const expect_keys[] = {
    "trl_evidenced", "trl_claimed", "trl_confidence", "traceability", "novelty",    "overall",
    "flags",         "no_flags",    "hits",           "no_hits",      "indicators", NULL};

static int run_case(const rule_set *set, size_t i, int verbose, unsigned char *covered)
{
    const char *id = rule_case_id(set, i);
    cJSON *c = cJSON_Parse(rule_case_json(set, i));
    mismatch m = {{0}, 0};
    eng_record r;
    eng_record_init(&r);
    eng_eval e;
    memset(&e, 0, sizeof e);
    const cJSON *rec = c ? cJSON_GetObjectItemCaseSensitive(c, "record") : NULL;
    const cJSON *exp = c ? cJSON_GetObjectItemCaseSensitive(c, "expect") : NULL;
    if (!rec || !cJSON_IsObject(rec)) {
        mm_add(&m, "the case has no \"record\" object");
        goto report;
    }
    char *rtxt = cJSON_PrintUnformatted(rec);
    eng_err err;
    eng_err_clear(&err);
    int rc = rtxt ? eng_record_from_json(rtxt, strlen(rtxt), &r, &err) : ENG_EIO;
    free(rtxt);
    if (rc) {
        mm_add(&m, "record: %s", err.msg);
        goto report;
    }
    if (eng_eval_record(set, &r, &e, &err)) {
        mm_add(&m, "%s", err.msg);
        goto report;
    }
    for (size_t k = 0; k < e.nhits; k++)
        for (size_t j = 0; j < rule_count(set); j++)
            if (!e.hits[k].error && !strcmp(rule_id(set, j), e.hits[k].rule_id))
                covered[j] = 1;
    if (exp && !cJSON_IsObject(exp)) {
        mm_add(&m, "\"expect\" must be an object");
        goto report;
    }
    for (const cJSON *k = exp ? exp->child : NULL; k; k = k->next) {
        size_t j = 0;
        while (expect_keys[j] && strcmp(expect_keys[j], k->string))
            j++;
        if (!expect_keys[j])
            mm_add(&m, "unknown expectation \"%s\"", k->string);
    }
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "trl_evidenced"), "trl_evidenced",
              e.score.trl_evidenced);
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "trl_claimed"), "trl_claimed",
              e.score.trl_claimed);
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "trl_confidence"), "trl_confidence",
              e.score.trl_confidence);
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "traceability"), "traceability",
              e.score.traceability);
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "novelty"), "novelty", e.score.novelty);
    check_num(&m, cJSON_GetObjectItemCaseSensitive(exp, "overall"), "overall", e.score.overall);
    check_list(&m, cJSON_GetObjectItemCaseSensitive(exp, "flags"), "flags", set, &e, 1, 1);
    check_list(&m, cJSON_GetObjectItemCaseSensitive(exp, "no_flags"), "no_flags", set, &e, 1, 0);
    check_list(&m, cJSON_GetObjectItemCaseSensitive(exp, "hits"), "hits", set, &e, 0, 1);
    check_list(&m, cJSON_GetObjectItemCaseSensitive(exp, "no_hits"), "no_hits", set, &e, 0, 0);
    const cJSON *inds = cJSON_GetObjectItemCaseSensitive(exp, "indicators");
    if (inds) {
        size_t k = 0;
        for (const cJSON *it = inds->child; it; it = it->next, k++) {
            const char *got = k < e.nverdicts ? e.verdicts[k].verdict : "(none)";
            if (!cJSON_IsString(it) || strcmp(got, it->valuestring))
                mm_add(&m, "indicators[%zu]: got %s, want %s", k, got,
                       cJSON_IsString(it) ? it->valuestring : "?");
        }
        if (k != e.nverdicts)
            mm_add(&m, "indicators: got %zu verdicts, want %zu", e.nverdicts, k);
    }
report:
    if (m.n)
        printf("FAIL %s (%s:%d): %s\n", id, rule_case_file(set, i), rule_case_line(set, i), m.text);
    else if (verbose)
        printf("ok   %s: TRL %d (claimed %d), traceability %g, flags %s\n", id,
               e.score.trl_evidenced, e.score.trl_claimed, e.score.traceability,
               e.score.flags ? e.score.flags : "[]");
    if (m.n && verbose) {
        printf("     got: TRL %d (claimed %d), traceability %g, flags %s, hits:",
               e.score.trl_evidenced, e.score.trl_claimed, e.score.traceability,
               e.score.flags ? e.score.flags : "[]");
        for (size_t k = 0; k < e.nhits; k++)
            printf(" %s", e.hits[k].rule_id);
        printf("\n");
    }
    eng_eval_release(&e);
    eng_record_release(&r);
    cJSON_Delete(c);
    return m.n ? 1 : 0;
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
    for (size_t i = 0; i < ncases; i++) {
        if (only && strcmp(only, rule_case_id(set, i)))
            continue;
        if (run_case(set, i, verbose, covered))
            failed++;
        else
            passed++;
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
        return cli_usage_error(usage, "rules: say check or test");
    const char *path = npos > 1 ? pos[1] : cli_default_rules();
    if (!strcmp(pos[0], "check"))
        return rules_check(path);
    if (!strcmp(pos[0], "test"))
        return rules_test(path, only, sw, nsw, verbose);
    return cli_usage_error(usage, "rules: unknown action '%s' (check or test)", pos[0]);
}
