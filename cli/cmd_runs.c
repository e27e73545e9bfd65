/* cmd_runs: `vernier runs` — every run, newest first, with the schemes of
 * its rule set that were switched off (--scheme NAME=off). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] = "vernier runs";

static int has_string(const cJSON *arr, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) if (cJSON_IsString(it) && !strcmp(it->valuestring, s)) return 1;
    return 0;
}

/* The schemes the run's rule set turns on (its header's "schemes") that the
 * run had off (not in its parameters' "schemes"), as "a, b".  OUT: buf, ""
 * when none or when the run does not say. */
static void schemes_off(const eng_run_info *ri, char *buf, size_t cap)
{
    buf[0] = '\0';
    cJSON *params = cJSON_Parse(ri->params ? ri->params : "");
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(params, "schemes");
    const char *end = NULL;
    cJSON *set = ri->ruleset_text ? cJSON_ParseWithOpts(ri->ruleset_text, &end, 0) : NULL;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(set, "schemes");
    size_t k = 0;
    const cJSON *it;
    if (cJSON_IsArray(on) && cJSON_IsArray(all))
        cJSON_ArrayForEach(it, all)
        {
            if (!cJSON_IsString(it) || has_string(on, it->valuestring) || k >= cap)
                continue;
            k += (size_t)snprintf(buf + k, cap - k, "%s%s", k ? ", " : "", it->valuestring);
        }
    cJSON_Delete(params);
    cJSON_Delete(set);
}

/* What the run reused from earlier ones (the next year is cheap), as a line
 * of its own; nothing when it reused nothing. */
static void print_reuse(const eng_run_info *ri)
{
    cJSON *j = ri->reuse ? cJSON_Parse(ri->reuse) : NULL;
    cJSON *ru = cJSON_GetObjectItemCaseSensitive(j, "rules");
    cJSON *du = cJSON_GetObjectItemCaseSensitive(j, "duplicates");
    double reused = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ru, "reused"));
    double evaluated = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ru, "evaluated"));
    double from = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ru, "from_run"));
    double sreused =
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(du, "signatures_reused"));
    double smade = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(du, "signatures_made"));
    int incr = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(du, "incremental"));
    double searched = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(du, "searched"));
    double carried = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(du, "carried"));
    if (j && (reused > 0 || sreused > 0 || incr)) {
        printf("      reused: rule results of %.0f records (run %.0f), %.0f evaluated; "
               "shingle sets of %.0f, %.0f made",
               reused > 0 ? reused : 0, from > 0 ? from : 0, evaluated > 0 ? evaluated : 0,
               sreused > 0 ? sreused : 0, smade > 0 ? smade : 0);
        if (incr)
            printf("; pairs searched for %.0f records, %.0f candidates carried",
                   searched > 0 ? searched : 0, carried > 0 ? carried : 0);
        printf("\n");
    }
    cJSON_Delete(j);
}

int cmd_runs(cli_ctx *ctx, int argc, char **argv)
{
    const cli_opt opts[] = {CLI_END};
    const char *pos[1];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 0, &npos, usage);
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_run_info *v = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    rc = eng_store_runs(st, &v, &n, &err);
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    if (!n)
        printf("no runs yet: `vernier score` makes one\n");
    for (size_t i = 0; i < n; i++) {
        char off[512];
        schemes_off(&v[i], off, sizeof off);
        printf("%4ld  %s  %-14s %s %s (sha256 %.12s)  %ld projects, %ld hits, %ld pairs%s%s\n",
               v[i].id, v[i].created, v[i].name ? v[i].name : "-", v[i].ruleset_name,
               v[i].ruleset_version, v[i].ruleset_sha256, v[i].nprojects, v[i].nhits, v[i].npairs,
               *off ? "; schemes off: " : "", off);
        print_reuse(&v[i]);
        eng_run_info_release(&v[i]);
    }
    free(v);
    return 0;
}
