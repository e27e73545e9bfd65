/*
 * cmd_explain: `vernier explain ID` — why a project got its scores: the TRL
 * ladder with the evidence at each level, traceability points per
 * indicator, flags, duplicates with the shared passage, decisions.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/eng_calib.h"
#include "engine/eng_store_view.h"
#include "reports/rpt_text.h"
#include "engine/eng_registry.h"
#include "engine/eng_book.h"
#include "engine/eng_method.h"

static const char usage[] = "vernier explain ID [--run N] [--json] [--lang en|zh]";

typedef struct explain_data {
    eng_run_info run;
    eng_score *sc;
    size_t nsc;
    eng_hit *hits;
    size_t nhits;
    eng_ind_verdict *ver;
    size_t nver;
    eng_pair *pairs;
    size_t npairs;
    eng_decision *dec;
    size_t ndec;
    eng_reg_info *regs; /* the registry versions the run checked against */
    size_t nregs;
    eng_reg_check *checks; /* this project's checks */
    size_t nchecks;
    eng_decision *lost; /* decisions not carried to this run (record changed) */
    size_t nlost;
    int zh;   /* --lang zh: decisions in Chinese */
    int ever; /* the project was given a decision at some time */
} explain_data;

static void data_release(explain_data *d)
{
    eng_run_info_release(&d->run);
    eng_scores_free(d->sc, d->nsc);
    eng_hits_free(d->hits, d->nhits);
    eng_verdicts_free(d->ver, d->nver);
    eng_pairs_free(d->pairs, d->npairs);
    eng_decisions_free(d->dec, d->ndec);
    eng_reg_infos_free(d->regs, d->nregs);
    eng_reg_checks_free(d->checks, d->nchecks);
    eng_decisions_free(d->lost, d->nlost);
}

/* A decision as the reader's language says it: pass/通过 ..., a withdrawal
 * (no decision where one was taken before, or nothing at all)
 * "withdrawn"/"已撤回" whether or not a comment remains, a comment alone
 * "comment only"/"仅有评语", other text as stored. */
static const char *decision_text(const explain_data *d, const eng_decision *x)
{
    if (!x->decision) {
        if (d->ever || !x->comment)
            return eng_book_text(&eng_book_misc[EB_M_WITHDRAWN], d->zh);
        return d->zh ? "仅有评语" : "comment only";
    }
    for (int i = 0; i < EB_NDECISIONS; i++)
        if (!strcmp(x->decision, eng_book_decisions[i].en))
            return eng_book_text(&eng_book_decisions[i], d->zh);
    return x->decision;
}

/* One registry check: the claim, its verdict, the entry and the evidence. */
static void print_check(const eng_reg_check *c, const char *indent)
{
    printf("%sregistry %-11s %+6.1f  %s \"%s\": %s\n", indent, eng_ref_kind_name(c->ref_kind),
           c->points, eng_verdict_name(c->verdict), c->claim, c->evidence ? c->evidence : "");
    if (c->entry)
        printf("%s    entry: %s\n", indent, c->entry);
}

/* The match shown inside its sentence: context with the match in [brackets]. */
static void print_in_context(const eng_hit *h)
{
    const char *ctx = h->context ? h->context : "";
    const char *m = h->match ? h->match : "";
    const char *at = *m ? strstr(ctx, m) : NULL;
    if (at)
        printf("%.*s[%s]%s", (int)(at - ctx), ctx, m, at + strlen(m));
    else if (*m)
        printf("[%s]", m);
    else if (h->rule_id && !strcmp(h->rule_id, ENG_TRL_INFERRED_RULE) && h->message)
        printf("%s", h->message); /* no match: the row says how the level was inferred */
    else
        printf("(pattern absent)");
}

static void print_hit(const eng_hit *h, const char *indent)
{
    printf("%s%-26s %+6.1f  %s", indent, h->rule_id, h->points,
           h->field && *h->field ? h->field : "-");
    if (h->indicator >= 0)
        printf("#%d", h->indicator);
    printf(": ");
    if (h->error == RULE_ERROR_BUDGET)
        printf("RULE ERROR (the record ran past its matching time budget; among the slowest "
               "rules)");
    else if (h->error)
        printf("RULE ERROR (a PCRE2 limit was hit, code %d)", h->error);
    else
        print_in_context(h);
    printf("\n");
}

/* One TRL reading, or why there is none. */
static void print_reading(const char *name, int level, double conf, const char *none)
{
    if (level)
        printf("TRL %-8s %d (confidence %.2f)\n", name, level, conf);
    else
        printf("TRL %-8s no reading (%s)\n", name, none);
}

static void explain_text(const explain_data *d)
{
    const eng_score *s = &d->sc[0];
    int oom = 0;
    char *title = rpt_text_entities(s->title, &oom); /* decoded for reading */
    printf("%s  %s\n", s->project_id, title ? title : s->title ? s->title : "");
    free(title);
    printf("run %ld (%s), rule set %s %s, sha256 %s\n\n", d->run.id, d->run.created,
           d->run.ruleset_name, d->run.ruleset_version, d->run.ruleset_sha256);
    print_reading("achieved", s->trl_evidenced, s->trl_confidence,
                  "no statement of completed work read");
    print_reading("planned", s->trl_planned, s->trl_planned_confidence,
                  "no plan level read and no trl_target");
    print_reading("stated", s->trl_stated, s->trl_stated_confidence,
                  "no level written in the text and no trl_claimed");
    printf("TRL claimed %s", s->trl_claimed ? "" : "none");
    if (s->trl_claimed)
        printf("%d", s->trl_claimed);
    if (s->traceability >= 0)
        printf("\ntraceability %.1f   novelty ", s->traceability);
    else
        printf("\ntraceability not assessable   novelty ");
    if (s->novelty >= 0)
        printf("%.1f", s->novelty);
    else if (s->traceability < 0)
        printf("not assessable");
    else
        printf("not computed");
    if (s->overall >= 0)
        printf("   overall %.1f\n", s->overall);
    else
        printf("   overall not assessable\n");
    if (s->traceability < 0)
        printf("not assessable: %s; left out of the overall score\n",
               eng_book_text(&eng_book_misc[EB_M_NA_WHY], 0));
    printf("flags: %s\n", s->flags ? s->flags : "[]");
    if (s->duplicate_of)
        printf("duplicate of: %s\n", s->duplicate_of);

    printf("\nTRL ladder, achieved (evidence per level; the highest level reaching the threshold "
           "counts):\n");
    for (int L = 9; L >= 1; L--) {
        double ev = 0;
        int any = 0;
        for (size_t i = 0; i < d->nhits; i++)
            if (!strcmp(d->hits[i].dimension, "trl") && d->hits[i].level == L) {
                ev += d->hits[i].points;
                any = 1;
            }
        printf("  %s TRL %d  evidence %.1f\n", L == s->trl_evidenced ? "=>" : "  ", L, ev);
        if (any)
            for (size_t i = 0; i < d->nhits; i++)
                if (!strcmp(d->hits[i].dimension, "trl") && d->hits[i].level == L)
                    print_hit(&d->hits[i], "        ");
    }
    const char *readings[] = {"trl.planned", "trl.stated"};
    for (int k = 0; k < 2; k++) {
        int any = 0;
        for (size_t i = 0; i < d->nhits; i++)
            if (!strcmp(d->hits[i].dimension, readings[k])) {
                if (!any++)
                    printf("\nTRL %s evidence:\n", readings[k] + 4);
                printf("  TRL %d ", d->hits[i].level);
                print_hit(&d->hits[i], "  ");
            }
    }
    /* how far the readings can be trusted: the rule set's calibration record */
    eng_calib_line cal[ENG_CALIB_LINES];
    size_t ncal = eng_calib_lines(d->run.ruleset_text, 0, cal);
    printf("\nTRL readings' calibration (the rule set's record):\n");
    for (size_t k = 0; k < ncal; k++)
        printf("  %-28s %s\n", cal[k].label, cal[k].value);
    const char *dims[] = {"traceability", "novelty", "flag"};
    for (int k = 0; k < 3; k++) {
        int any = 0;
        for (size_t i = 0; i < d->nhits; i++)
            if (!strcmp(d->hits[i].dimension, dims[k]) && d->hits[i].indicator < 0) {
                if (!any++)
                    printf("\n%s (record):\n", dims[k]);
                print_hit(&d->hits[i], "  ");
            }
    }
    if (d->nregs) {
        printf("\nregistries checked against:\n");
        for (size_t i = 0; i < d->nregs; i++)
            printf("  %-8s %s, %ld entries, sha256 %s\n", eng_reg_kind_name(d->regs[i].kind),
                   d->regs[i].name, d->regs[i].entries, d->regs[i].sha256);
        int any = 0;
        for (size_t i = 0; i < d->nchecks; i++)
            if (d->checks[i].indicator < 0) {
                if (!any++)
                    printf("\nregistry checks (record):\n");
                print_check(&d->checks[i], "  ");
            }
    }
    if (d->nver)
        printf("\nindicators:\n");
    for (size_t v = 0; v < d->nver; v++) {
        const eng_ind_verdict *iv = &d->ver[v];
        printf("  #%d %s: target %s, achieved %s%s%s -> %s (%.1f points)\n", iv->idx,
               iv->name ? iv->name : "", iv->target ? iv->target : "-",
               iv->achieved ? iv->achieved : "-", iv->unit ? " " : "", iv->unit ? iv->unit : "",
               iv->verdict, iv->points);
        for (size_t i = 0; i < d->nhits; i++)
            if (d->hits[i].indicator == iv->idx)
                print_hit(&d->hits[i], "      ");
        for (size_t i = 0; i < d->nchecks; i++)
            if (d->checks[i].indicator == iv->idx)
                print_check(&d->checks[i], "      ");
    }
    int errors = 0, budget = 0;
    for (size_t i = 0; i < d->nhits; i++) {
        errors += d->hits[i].error != 0 && d->hits[i].error != RULE_ERROR_BUDGET;
        budget += d->hits[i].error == RULE_ERROR_BUDGET;
    }
    if (errors)
        printf("\nrule errors: %d (patterns that hit a PCRE2 limit on this record; see above)\n",
               errors);
    if (budget)
        printf("\nthe rules ran past the record's matching time budget (limits.record_ms): the "
               "evaluation stopped there; the %d slowest rules are named above\n",
               budget);
    if (d->npairs)
        printf("\nduplicates:\n");
    for (size_t i = 0; i < d->npairs; i++) {
        const eng_pair *p = &d->pairs[i];
        const char *other = strcmp(p->a, s->project_id) ? p->a : p->b;
        const char *otitle = strcmp(p->a, s->project_id) ? p->a_title : p->b_title;
        printf("  %s with %s  %s\n    Jaccard %.3f, containment %.3f%s%s, signals %s, method %s\n",
               p->kind, other, otitle ? otitle : "", p->jaccard, p->containment,
               p->contained ? ", contained: " : "", p->contained ? p->contained : "",
               p->signals ? p->signals : "[]", p->method);
        const char *mine = strcmp(p->a, s->project_id) ? p->passage_b : p->passage_a;
        printf("    shared passage: %s\n", mine ? mine : "");
    }
    for (size_t i = 0; i < d->nlost; i++)
        printf(d->zh ? "\n评审结论未沿用：%s（%s，%s，运行 %ld）——该项目此后有改动，需重新评审\n"
                     : "\nreviewer decision not carried to this run: %s by %s (%s, run %ld): the "
                       "record changed since; it needs a new decision\n",
               decision_text(d, &d->lost[i]), d->lost[i].reviewer ? d->lost[i].reviewer : "?",
               d->lost[i].decided_at ? d->lost[i].decided_at : "?", d->lost[i].run_id);
    for (size_t i = 0; i < d->ndec; i++)
        printf(d->zh ? "\n评审结论：%s，%s（%s）%s%s  [来自 %s]\n"
                     : "\nreviewer decision: %s by %s (%s)%s%s  [from %s]\n",
               decision_text(d, &d->dec[i]), d->dec[i].reviewer ? d->dec[i].reviewer : "?",
               d->dec[i].decided_at ? d->dec[i].decided_at : d->dec[i].imported_at,
               d->dec[i].comment ? ": " : "", d->dec[i].comment ? d->dec[i].comment : "",
               d->dec[i].workbook ? d->dec[i].workbook : "?");
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void explain_json(const explain_data *d)
{
    const eng_score *s = &d->sc[0];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", s->project_id);
    cJSON_AddItemToObject(o, "title", str_or_null(s->title));
    cJSON_AddNumberToObject(o, "run", (double)d->run.id);
    cJSON_AddStringToObject(o, "ruleset_sha256", d->run.ruleset_sha256);
    const char *names[] = {"trl_evidenced",          "trl_confidence", "trl_planned",
                           "trl_planned_confidence", "trl_stated",     "trl_stated_confidence"};
    int levels[] = {s->trl_evidenced, s->trl_planned, s->trl_stated};
    double confs[] = {s->trl_confidence, s->trl_planned_confidence, s->trl_stated_confidence};
    for (int k = 0; k < 3; k++) {
        cJSON_AddItemToObject(o, names[2 * k],
                              levels[k] ? cJSON_CreateNumber(levels[k]) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, names[2 * k + 1],
                              levels[k] ? cJSON_CreateNumber(confs[k]) : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(o, "trl_claimed",
                          s->trl_claimed ? cJSON_CreateNumber(s->trl_claimed) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "traceability",
                          s->traceability >= 0 ? cJSON_CreateNumber(s->traceability)
                                               : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "novelty",
                          s->novelty >= 0 ? cJSON_CreateNumber(s->novelty) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "overall",
                          s->overall >= 0 ? cJSON_CreateNumber(s->overall) : cJSON_CreateNull());
    if (s->traceability < 0) {
        cJSON *na = cJSON_AddArrayToObject(o, "not_assessable");
        cJSON_AddItemToArray(na, cJSON_CreateString("traceability"));
        cJSON_AddItemToArray(na, cJSON_CreateString("novelty"));
        if (s->overall < 0)
            cJSON_AddItemToArray(na, cJSON_CreateString("overall"));
        cJSON_AddStringToObject(o, "not_assessable_reason",
                                eng_book_text(&eng_book_misc[EB_M_NA_WHY], 0));
    }
    cJSON *flags = cJSON_Parse(s->flags ? s->flags : "[]");
    cJSON_AddItemToObject(o, "flags", flags ? flags : cJSON_CreateArray());
    cJSON_AddItemToObject(o, "duplicate_of", str_or_null(s->duplicate_of));
    cJSON *hits = cJSON_AddArrayToObject(o, "hits");
    for (size_t i = 0; i < d->nhits; i++) {
        const eng_hit *h = &d->hits[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", h->rule_id);
        cJSON_AddStringToObject(x, "dimension", h->dimension);
        cJSON_AddNumberToObject(x, "level", h->level);
        cJSON_AddNumberToObject(x, "points", h->points);
        cJSON_AddStringToObject(x, "field", h->field ? h->field : "");
        cJSON_AddItemToObject(x, "indicator",
                              h->indicator >= 0 ? cJSON_CreateNumber(h->indicator)
                                                : cJSON_CreateNull());
        cJSON_AddNumberToObject(x, "offset", (double)h->offset);
        cJSON_AddStringToObject(x, "match", h->match ? h->match : "");
        cJSON_AddStringToObject(x, "context", h->context ? h->context : "");
        cJSON_AddStringToObject(x, "message", h->message ? h->message : "");
        if (h->error)
            cJSON_AddNumberToObject(x, "error", h->error);
        cJSON_AddItemToArray(hits, x);
    }
    cJSON *inds = cJSON_AddArrayToObject(o, "indicators");
    for (size_t i = 0; i < d->nver; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "index", d->ver[i].idx);
        cJSON_AddItemToObject(x, "name", str_or_null(d->ver[i].name));
        cJSON_AddStringToObject(x, "verdict", d->ver[i].verdict);
        cJSON_AddNumberToObject(x, "points", d->ver[i].points);
        cJSON_AddItemToObject(x, "reasons", str_or_null(d->ver[i].reasons));
        cJSON_AddItemToArray(inds, x);
    }
    if (d->nregs) {
        cJSON *reg = cJSON_AddObjectToObject(o, "registry");
        cJSON *vers = cJSON_AddArrayToObject(reg, "versions");
        for (size_t i = 0; i < d->nregs; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "kind", eng_reg_kind_name(d->regs[i].kind));
            cJSON_AddStringToObject(x, "name", d->regs[i].name);
            cJSON_AddStringToObject(x, "sha256", d->regs[i].sha256);
            cJSON_AddNumberToObject(x, "entries", (double)d->regs[i].entries);
            cJSON_AddItemToArray(vers, x);
        }
        cJSON *checks = cJSON_AddArrayToObject(reg, "checks");
        for (size_t i = 0; i < d->nchecks; i++) {
            const eng_reg_check *c = &d->checks[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToObject(x, "indicator",
                                  c->indicator >= 0 ? cJSON_CreateNumber(c->indicator)
                                                    : cJSON_CreateNull());
            cJSON_AddStringToObject(x, "kind", eng_ref_kind_name(c->ref_kind));
            cJSON_AddItemToObject(x, "claim", str_or_null(c->claim));
            cJSON_AddStringToObject(x, "verdict", eng_verdict_name(c->verdict));
            cJSON_AddItemToObject(x, "registry", str_or_null(c->registry));
            cJSON_AddItemToObject(x, "entry_code", str_or_null(c->entry_code));
            cJSON_AddItemToObject(x, "entry", str_or_null(c->entry));
            cJSON_AddItemToObject(x, "evidence", str_or_null(c->evidence));
            cJSON_AddNumberToObject(x, "points", c->points);
            cJSON_AddItemToArray(checks, x);
        }
    }
    cJSON *dups = cJSON_AddArrayToObject(o, "duplicates");
    for (size_t i = 0; i < d->npairs; i++) {
        const eng_pair *p = &d->pairs[i];
        int mine_a = !strcmp(p->a, s->project_id);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", mine_a ? p->b : p->a);
        cJSON_AddStringToObject(x, "kind", p->kind);
        cJSON_AddNumberToObject(x, "jaccard", p->jaccard);
        cJSON_AddNumberToObject(x, "containment", p->containment);
        cJSON_AddItemToObject(x, "contained", str_or_null(p->contained));
        cJSON *sig = cJSON_Parse(p->signals ? p->signals : "[]");
        cJSON_AddItemToObject(x, "signals", sig ? sig : cJSON_CreateArray());
        cJSON_AddItemToObject(x, "passage", str_or_null(mine_a ? p->passage_a : p->passage_b));
        cJSON_AddItemToObject(x, "passage_other",
                              str_or_null(mine_a ? p->passage_b : p->passage_a));
        cJSON_AddItemToArray(dups, x);
    }
    if (d->ndec) {
        cJSON *x = cJSON_AddObjectToObject(o, "decision");
        cJSON_AddItemToObject(x, "decision", str_or_null(d->dec[0].decision));
        cJSON_AddItemToObject(x, "comment", str_or_null(d->dec[0].comment));
        cJSON_AddItemToObject(x, "reviewer", str_or_null(d->dec[0].reviewer));
        cJSON_AddItemToObject(x, "workbook", str_or_null(d->dec[0].workbook));
        cJSON_AddItemToObject(x, "imported_at", str_or_null(d->dec[0].imported_at));
    }
    if (d->nlost) {
        cJSON *x = cJSON_AddObjectToObject(o, "decision_not_carried");
        cJSON_AddItemToObject(x, "decision", str_or_null(d->lost[0].decision));
        cJSON_AddItemToObject(x, "reviewer", str_or_null(d->lost[0].reviewer));
        cJSON_AddNumberToObject(x, "run", (double)d->lost[0].run_id);
        cJSON_AddStringToObject(x, "reason", "record changed");
    }
    char *txt = cJSON_Print(o);
    if (txt)
        puts(txt);
    free(txt);
    cJSON_Delete(o);
}

int cmd_explain(cli_ctx *ctx, int argc, char **argv)
{
    const char *run_s = NULL, *lang = "en";
    int json = 0;
    const cli_opt opts[] = {CLI_VALUE("run", "N", &run_s, "the run (default: the latest)"),
                            CLI_FLAG("json", &json, "one JSON document instead of text"),
                            CLI_VALUE("lang", "en|zh", &lang, "decisions in English or Chinese"),
                            CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 1, &npos, usage);
    if (npos != 1)
        return cli_usage_error(usage, "explain: which project? give its id");
    long run = cli_run_id(run_s);
    if (run < 0)
        return cli_usage_error(usage, "--run takes a run number, got \"%s\"", run_s);
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return cli_usage_error(usage, "--lang is en or zh, got \"%s\"", lang);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    explain_data d;
    memset(&d, 0, sizeof d);
    eng_err err;
    eng_err_clear(&err);
    if ((rc = eng_store_run(st, run, &d.run, &err)) ||
        (rc = eng_store_scores(st, d.run.id, pos[0], &d.sc, &d.nsc, &err)) ||
        (rc = eng_store_hits(st, d.run.id, pos[0], &d.hits, &d.nhits, &err)) ||
        (rc = eng_store_verdicts(st, d.run.id, pos[0], &d.ver, &d.nver, &err)) ||
        (rc = eng_store_pairs(st, d.run.id, pos[0], &d.pairs, &d.npairs, &err)) ||
        (rc = eng_store_decisions(st, d.run.id, pos[0], &d.dec, &d.ndec, &err)) ||
        (rc = eng_store_reg_run_versions(st, d.run.id, &d.regs, &d.nregs, &err)) ||
        (rc = eng_store_reg_checks(st, d.run.id, pos[0], &d.checks, &d.nchecks, &err)) ||

        (rc = eng_store_decisions_not_carried(st, d.run.id, pos[0], &d.lost, &d.nlost, &err)))
        goto done;
    d.zh = !strcmp(lang, "zh");
    if (d.ndec && !d.dec[0].decision && (rc = eng_store_ever_decided(st, pos[0], &d.ever, &err)))
        goto done;
    if (!d.nsc) {
        rc = eng_fail(&err, ENG_EINPUT, "no project '%s' in run %ld", pos[0], d.run.id);
        goto done;
    }
    if (json)
        explain_json(&d);
    else
        explain_text(&d);
done:
    data_release(&d);
    eng_store_close(st);
    return rc ? cli_fail(&err) : 0;
}
