/*
 * cmd_screen: `vernier screen PROPOSALS...` — duplication screening: each
 * new proposal against everything stored, nothing stored.  Prints the K most
 * similar stored projects per proposal (text or --json) and, with -o, writes
 * the screening workbook.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/eng_dupstage.h"
#include "importers/imp_records.h"
#include "reports/rpt_xlsx.h"

static const char usage[] = "vernier screen PROPOSALS... [-o screen.xlsx] [--top K] [--json] "
                            "[--min-similarity X] [--relation R] [--rules PATH] [--lang en|zh] "
                            "[--map MAP.json]";

static int read_proposals(const char **files, size_t nfiles, const char *map, eng_record **out,
                          size_t *n)
{
    eng_record *v = NULL;
    size_t cnt = 0;
    eng_err err;
    eng_err_clear(&err);
    for (size_t f = 0; f < nfiles; f++) {
        imp_records_options o = {"proposal", map, NULL, 0, NULL};
        imp_records *r;
        if (imp_records_open(files[f], &o, &r, &err))
            goto fail;
        for (;;) {
            eng_record *nv = realloc(v, (cnt + 1) * sizeof *nv);
            if (!nv) {
                imp_records_free(r);
                eng_fail(&err, ENG_EIO, "out of memory");
                goto fail;
            }
            v = nv;
            eng_record_init(&v[cnt]);
            int got = imp_records_next(r, &v[cnt], &err);
            if (got == 0) {
                eng_record_release(&v[cnt]);
                break;
            }
            if (got < 0) {
                eng_record_release(&v[cnt]);
                imp_records_free(r);
                err.code = -got;
                goto fail;
            }
            cnt++;
        }
        imp_records_free(r);
    }
    *out = v;
    *n = cnt;
    return 0;
fail:
    eng_records_free(v, cnt);
    return cli_fail(&err);
}

/* Prints a shared passage on one line: runs of white space (newlines
 * included) as one space, cut after max characters with "…" and the
 * passage's length, so that a whole abstract never floods the screen. */
static void print_passage(const char *s, size_t max)
{
    size_t chars = 0, shown = 0;
    int space = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = shown > 0;
            continue;
        }
        if ((c & 0xC0) != 0x80) {
            if (shown >= max)
                break;
            if (space)
                putchar(' ');
            space = 0;
            shown++;
        }
        putchar(c);
    }
    if (shown < chars && shown >= max)
        printf("… (%zu characters)", chars);
    putchar('\n');
}

/* What -o prints instead of every match: the counts, the workbook holds the
 * rest. */
static void print_summary(size_t np, size_t ns, const eng_screen_result *res, const char *path)
{
    size_t with = 0, exact = 0, near = 0, other = 0;
    for (size_t i = 0; i < np; i++) {
        with += res[i].n > 0;
        for (size_t k = 0; k < res[i].n; k++) {
            const char *kind = res[i].matches[k].kind ? res[i].matches[k].kind : "";
            exact += !strcmp(kind, "exact");
            near += !strcmp(kind, "near");
            other += strcmp(kind, "exact") && strcmp(kind, "near");
        }
    }
    printf("%zu proposals screened against %zu stored projects: %zu with a match (%zu exact, "
           "%zu near, %zu other matches); every match and its shared passage are in %s\n",
           np, ns, with, exact, near, other, path);
}

static void print_text(const eng_record *props, size_t np, const eng_record *stored,
                       const eng_screen_result *res, double floor)
{
    for (size_t i = 0; i < np; i++) {
        printf("%s  %s\n", props[i].id, props[i].title ? props[i].title : "");
        if (!res[i].n)
            printf("  no stored project resembles it (nothing at or above Jaccard or "
                   "containment %g)\n",
                   floor);
        for (size_t k = 0; k < res[i].n; k++) {
            const eng_screen_match *m = &res[i].matches[k];
            const eng_record *s = &stored[m->stored];
            printf("  %-8s %s  Jaccard %.3f, containment %.3f  %s\n", m->kind, s->id, m->jaccard,
                   m->containment, s->title ? s->title : "");
            printf("           group %d, %s\n", m->group,
                   m->order > 0   ? "stored record earlier"
                   : m->order < 0 ? "proposal earlier"
                                  : "order unknown");
            if (m->contained)
                printf("           contained: %s\n", m->contained);
            printf("           signals %s\n", m->signals ? m->signals : "[]");
            printf("           shared: ");
            print_passage(m->passage_proposal ? m->passage_proposal : "", 160);
        }
    }
}

static void print_json(const eng_record *props, size_t np, const eng_record *stored,
                       const eng_screen_result *res)
{
    for (size_t i = 0; i < np; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", props[i].id);
        cJSON_AddStringToObject(o, "title", props[i].title ? props[i].title : "");
        cJSON *arr = cJSON_AddArrayToObject(o, "matches");
        for (size_t k = 0; k < res[i].n; k++) {
            const eng_screen_match *m = &res[i].matches[k];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "id", stored[m->stored].id);
            cJSON_AddStringToObject(x, "title",
                                    stored[m->stored].title ? stored[m->stored].title : "");
            cJSON_AddStringToObject(x, "kind", m->kind);
            cJSON_AddNumberToObject(x, "group", m->group);
            cJSON_AddStringToObject(x, "order",
                                    m->order > 0   ? "stored-earlier"
                                    : m->order < 0 ? "proposal-earlier"
                                                   : "unknown");
            cJSON_AddNumberToObject(x, "jaccard", m->jaccard);
            cJSON_AddNumberToObject(x, "containment", m->containment);
            cJSON_AddItemToObject(x, "contained",
                                  m->contained ? cJSON_CreateString(m->contained)
                                               : cJSON_CreateNull());
            cJSON *sig = cJSON_Parse(m->signals ? m->signals : "[]");
            cJSON_AddItemToObject(x, "signals", sig ? sig : cJSON_CreateArray());
            cJSON_AddStringToObject(x, "passage", m->passage_proposal ? m->passage_proposal : "");
            cJSON_AddStringToObject(x, "passage_stored",
                                    m->passage_stored ? m->passage_stored : "");
            cJSON_AddItemToArray(arr, x);
        }
        char *line = cJSON_PrintUnformatted(o);
        if (line)
            puts(line);
        free(line);
        cJSON_Delete(o);
    }
}

static int write_book(const char *path, const char *lang, const rule_set *set,
                      const eng_dup_config *dc, size_t top_k, const eng_record *props, size_t np,
                      const eng_record *stored, size_t ns, const eng_screen_result *res)
{
    rpt_screen_item *items = calloc(np ? np : 1, sizeof *items);
    rpt_screen_match **ms = calloc(np ? np : 1, sizeof *ms);
    int rc = 0;
    for (size_t i = 0; items && ms && i < np; i++) {
        items[i].id = props[i].id;
        items[i].title = props[i].title;
        ms[i] = calloc(res[i].n ? res[i].n : 1, sizeof **ms);
        if (!ms[i]) {
            rc = 3;
            break;
        }
        for (size_t k = 0; k < res[i].n; k++) {
            const eng_screen_match *m = &res[i].matches[k];
            const eng_record *s = &stored[m->stored];
            ms[i][k] = (rpt_screen_match){
                s->id,          s->title,   s->source,           m->kind,          m->jaccard,
                m->containment, m->signals, m->passage_proposal, m->passage_stored};
        }
        items[i].matches = ms[i];
        items[i].nmatches = res[i].n;
    }
    if (!items || !ms)
        rc = 3;
    if (!rc) {
        rpt_screen s = {rule_set_name(set),
                        rule_set_version(set),
                        rule_set_sha256(set),
                        dc->jaccard,
                        dc->containment,
                        top_k,
                        (long)ns,
                        items,
                        np};
        rpt_options o = {
            .lang = lang, .split_by = NULL, .fixed_date = getenv("VERNIER_NOW"), .large_rows = 0};
        eng_err err;
        eng_err_clear(&err);
        if (rpt_screen_write(path, &s, &o, &err))
            rc = cli_fail(&err);
    }
    for (size_t i = 0; ms && i < np; i++)
        free(ms[i]);
    free(ms);
    free(items);
    return rc;
}

int cmd_screen(cli_ctx *ctx, int argc, char **argv)
{
    const char *output = NULL, *top_s = NULL, *rules = NULL, *lang = "en", *map = NULL;
    const char *minsim_s = NULL, *relation = NULL;
    int json = 0;
    const cli_opt opts[] = {
        CLI_VALUE("output", "screen.xlsx", &output, "also write the screening workbook"),
        CLI_VALUE("top", "K", &top_s, "the K most similar stored projects (default 5)"),
        CLI_FLAG("json", &json, "one JSON object a proposal instead of text"),
        CLI_VALUE("min-similarity", "X", &minsim_s,
                  "the lowest Jaccard or containment a match needs (default 0.3)"),
        CLI_VALUE("relation", "R", &relation,
                  "only matches of this relation: exact, near, partial, inside, continuation, "
                  "related"),
        CLI_VALUE("rules", "PATH", &rules, "the rule set (default: see README, Set-up)"),
        CLI_VALUE("lang", "en|zh", &lang, "the workbook's language (default en)"),
        CLI_VALUE("map", "MAP.json", &map, "column names mapped to fields"),
        CLI_END};
    const char *files[256];
    size_t nfiles;
    CLI_PARSE(ctx, argc, argv, opts, files, 256, &nfiles, usage);
    if (!nfiles)
        return cli_usage_error(usage, "screen: which proposals? give one or more files");
    long top = top_s ? cli_run_id(top_s) : 5;
    if (top < 1 || top > 1000)
        return cli_usage_error(usage, "--top takes a number from 1 to 1000");
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return cli_usage_error(usage, "--lang is en or zh, got \"%s\"", lang);
    double minsim = 0;
    if (minsim_s) {
        char *end;
        minsim = strtod(minsim_s, &end);
        if (*end || !(minsim > 0 && minsim <= 1))
            return cli_usage_error(usage, "--min-similarity takes a number in (0, 1], got \"%s\"",
                                   minsim_s);
    }
    static const char *const relations[] = {"exact",  "near",         "partial",
                                            "inside", "continuation", "related"};
    int rel_ok = !relation;
    for (size_t i = 0; relation && i < sizeof relations / sizeof relations[0]; i++)
        rel_ok |= !strcmp(relation, relations[i]);
    if (!rel_ok)
        return cli_usage_error(usage,
                               "--relation is one of exact, near, partial, inside, continuation, "
                               "related, got \"%s\"",
                               relation);
    eng_record *props = NULL, *stored = NULL;
    size_t np = 0, ns = 0;
    int rc = read_proposals(files, nfiles, map, &props, &np);
    if (rc)
        return rc;
    rule_set *set = NULL;
    eng_store *st = NULL;
    eng_screen_result *res = NULL;
    eng_err err;
    eng_err_clear(&err);
    if ((rc = cli_load_rules(rules, 0, &set)) || (rc = cli_open_existing(ctx, &st)))
        goto done;
    if (eng_store_load_records(st, NULL, &stored, &ns, &err)) {
        rc = cli_fail(&err);
        goto done;
    }
    eng_dup_config dc;
    eng_dup_config_from_set(set, &dc);
    dc.jobs = ctx->jobs > 0 ? ctx->jobs : 2;
    if (minsim > 0)
        dc.floor = minsim;
    dc.relation = relation;
    res = calloc(np ? np : 1, sizeof *res);
    if (!res) {
        rc = 3;
        goto done;
    }
    if (eng_screen(st, stored, ns, props, np, &dc, (size_t)top, res, &err)) {
        rc = cli_fail(&err);
        free(res);
        res = NULL;
        goto done;
    }
    if (json)
        print_json(props, np, stored, res);
    else if (output)
        print_summary(np, ns, res, output);
    else
        print_text(props, np, stored, res, dc.floor);
    if (output) {
        rc = write_book(output, lang, set, &dc, (size_t)top, props, np, stored, ns, res);
        if (!rc && !ctx->quiet)
            fprintf(stderr, "vernier: wrote %s\n", output);
    }
done:
    if (res) {
        eng_screen_release(res, np);
        free(res);
    }
    eng_records_free(props, np);
    eng_records_free(stored, ns);
    rule_set_free(set);
    eng_store_close(st);
    return rc;
}
