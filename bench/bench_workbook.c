/*
 * bench_workbook: the reviewer workbook's Projects sheet for N projects
 * (default 100,000), written by vernier's writer and, in the same run, by a
 * plain libxlsxwriter program writing the same cells from memory.
 *
 *   bench_workbook [N] [ROUNDS]
 *
 * A store with N projects (Chinese and English titles, flags on one in
 * three, a duplicate and a decision on some) and one run is built in a
 * temporary folder first (not timed).  Then, best of ROUNDS (default 3):
 *   vernier  rpt_workbook_write(): reading the run from the store, every
 *            sheet (Projects holds all but a few cells), text cleaning,
 *            formats, drop-down, colour scales, atomic rename;
 *   plain    the same Projects cells written straight from the arrays
 *            (already in memory: loading is not counted), same libxlsxwriter
 *            mode as vernier picks for the sheet (constant memory past
 *            20,000 rows), with workbook_close();
 *   load     eng_store_scores() alone, to show what reading the store costs.
 * Prints the times and the ratio vernier / plain (goal: 1.5 or less).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "engine/eng_store.h"
#include "reports/rpt_xlsx.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const titles[] = {"高精度低温测温仪的研制与应用示范",
                                     "Portable laser interferometer for field calibration",
                                     "基于量子霍尔效应的电阻基准研究",
                                     "Frequency comb for optical clock comparison",
                                     "=HYPERLINK(\"http://example.invalid\",\"x\")",
                                     "大型风电叶片在线检测关键技术"};
static const char *const orgs[] = {"中国计量科学研究院", "Example University", "某某大学",
                                   "Institute of Optics"};
static const char *const fields[] = {"计量", "metrology", "optics", "能源"};
static const char *const sources[] = {"NKP-2019", "NSF-2020", "NKP-2021"};

/* Builds the store; OUT: *decided (the run with decisions), *plain_run
 * (the run without). */
static int build(const char *db, long n, long *decided, long *plain_run, eng_err *err)
{
    eng_store *st = NULL;
    if (eng_store_open(db, &st, err))
        return -1;
    eng_import *imp = NULL;
    long already = 0;
    if (eng_import_begin(st, "bench.jsonl", "bench", "BENCH", &imp, &already, err))
        return -1;
    char id[32], title[160], pi[32];
    for (long i = 0; i < n; i++) {
        eng_record r;
        eng_record_init(&r);
        snprintf(id, sizeof id, "B%07ld", i);
        snprintf(title, sizeof title, "%s %ld", titles[i % 6], i);
        snprintf(pi, sizeof pi, i % 2 ? "张%ld" : "Pat %ld", i % 977);
        eng_record_set(&r, "id", id, NULL);
        eng_record_set(&r, "title", title, NULL);
        eng_record_set(&r, "source", sources[i % 3], NULL);
        eng_record_set(&r, "organisation", orgs[i % 4], NULL);
        eng_record_set(&r, "field", fields[i % 4], NULL);
        eng_record_set(&r, "pi", pi, NULL);
        int rc = eng_import_add(imp, &r, err);
        eng_record_release(&r);
        if (rc)
            return -1;
    }
    if (eng_import_commit(imp, err))
        return -1;
    /* Run 1 gets reviewers' decisions on one project in ten; run 2, the
     * same scores, none. */
    eng_run_info info;
    long run1 = 0;
    for (int k = 0; k < 2; k++) {
        memset(&info, 0, sizeof info);
        info.name = strdup("bench");
        info.ruleset_name = strdup("bench");
        info.ruleset_version = strdup("1");
        info.ruleset_sha256 =
            strdup("0000000000000000000000000000000000000000000000000000000000000000");
        info.ruleset_text = strdup("{\"name\":\"bench\",\"rules\":[]}");
        info.params = strdup("{\"trl_threshold\":2}");
        info.tool_version = strdup("bench");
        eng_runw *w = NULL;
        if (eng_runw_begin(st, &info, &w, err))
            return -1;
        for (long i = 0; i < n; i++) {
            eng_score s;
            memset(&s, 0, sizeof s);
            char dup[32];
            snprintf(id, sizeof id, "B%07ld", i);
            snprintf(dup, sizeof dup, "B%07ld", i - 1);
            s.project_id = id;
            s.content_hash =
                (char *)"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
            s.trl_claimed = (int)(i % 9) + 1;
            s.trl_evidenced = (int)(i % 7);
            s.trl_confidence = (i % 10) / 10.0;
            s.traceability = (double)(i % 101);
            s.novelty = i % 5 ? (double)(i % 97) : -1;
            s.overall = (i % 1000) / 10.0;
            s.flags = i % 3 ? (char *)"[]" : (char *)"[\"TRL-OVERCLAIM\",\"TRC-SELF-TESTED\"]";
            s.duplicate_of = i % 50 == 1 ? dup : NULL;
            if (eng_runw_score(w, &s, err))
                return -1;
        }
        info.nprojects = n;
        if (eng_runw_commit(w, &info, err))
            return -1;
        if (!k)
            run1 = info.id;
        else
            *plain_run = info.id;
        eng_run_info_release(&info);
    }
    eng_decision *d = calloc((size_t)n / 10 + 1, sizeof *d);
    size_t nd = 0;
    char(*ids)[24] = calloc((size_t)n / 10 + 1, sizeof *ids);
    for (long i = 0; i < n; i += 10, nd++) {
        snprintf(ids[nd], sizeof ids[nd], "B%07ld", i);
        d[nd].run_id = run1;
        d[nd].project_id = ids[nd];
        d[nd].decision = (char *)(i % 20 ? "pass" : "revise");
        d[nd].comment = (char *)"指标均已达到";
        d[nd].reviewer = (char *)"bench";
    }
    int rc = eng_store_add_decisions(st, d, nd, err);
    free(d);
    free(ids);
    *decided = run1;
    eng_store_close(st);
    return rc ? -1 : 0;
}

/* The same Projects cells as rpt_xlsx writes, straight from the arrays. */
static int plain(const char *path, const eng_score *sc, size_t n, const eng_decision *dec,
                 size_t ndec, int constant_memory)
{
    lxw_workbook_options o;
    memset(&o, 0, sizeof o);
    o.constant_memory = (uint8_t)constant_memory;
    lxw_workbook *wb = workbook_new_opt(path, &o);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Projects");
    lxw_format *pct = workbook_add_format(wb), *num1 = workbook_add_format(wb);
    format_set_num_format(pct, "0%");
    format_set_num_format(num1, "0.0");
    static const char *const heads[] = {"ID",
                                        "Title",
                                        "Kind",
                                        "Source",
                                        "Field",
                                        "Organisation",
                                        "PI",
                                        "TRL claimed",
                                        "TRL evidenced",
                                        "TRL confidence",
                                        "Traceability",
                                        "Novelty",
                                        "Overall",
                                        "Flags",
                                        "Flag count",
                                        "Duplicate of",
                                        "Rule errors",
                                        "Evidence",
                                        "Decision",
                                        "Comment",
                                        "Content hash",
                                        "Written decision"};
    for (int c = 0; c < 22; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const eng_score *s = &sc[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, r, 0, s->project_id, NULL);
        if (s->title)
            worksheet_write_string(ws, r, 1, s->title, NULL);
        if (s->kind)
            worksheet_write_string(ws, r, 2, s->kind, NULL);
        if (s->source)
            worksheet_write_string(ws, r, 3, s->source, NULL);
        if (s->field)
            worksheet_write_string(ws, r, 4, s->field, NULL);
        if (s->organisation)
            worksheet_write_string(ws, r, 5, s->organisation, NULL);
        if (s->pi)
            worksheet_write_string(ws, r, 6, s->pi, NULL);
        worksheet_write_number(ws, r, 7, s->trl_claimed, NULL);
        worksheet_write_number(ws, r, 8, s->trl_evidenced, NULL);
        worksheet_write_number(ws, r, 9, s->trl_confidence, pct);
        worksheet_write_number(ws, r, 10, s->traceability, num1);
        if (s->novelty >= 0)
            worksheet_write_number(ws, r, 11, s->novelty, num1);
        worksheet_write_number(ws, r, 12, s->overall, num1);
        int nflags = strcmp(s->flags, "[]") ? 2 : 0;
        if (nflags)
            worksheet_write_string(ws, r, 13, "TRL-OVERCLAIM; TRC-SELF-TESTED", NULL);
        worksheet_write_number(ws, r, 14, nflags, NULL);
        if (s->duplicate_of)
            worksheet_write_string(ws, r, 15, s->duplicate_of, NULL);
        worksheet_write_number(ws, r, 16, s->rule_errors, NULL);
        while (k < ndec && strcmp(dec[k].project_id, s->project_id) < 0)
            k++;
        if (k < ndec && !strcmp(dec[k].project_id, s->project_id)) {
            worksheet_write_string(ws, r, 18, dec[k].decision, NULL);
            worksheet_write_string(ws, r, 19, dec[k].comment, NULL);
            worksheet_write_string(ws, r, 21, "pass:0123456789abcdef", NULL);
        }
        worksheet_write_string(ws, r, 20, s->content_hash, NULL);
    }
    worksheet_freeze_panes(ws, 1, 2);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, 19);
    return workbook_close(wb) ? -1 : 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (n < 1 || rounds < 1) {
        fprintf(stderr, "usage: bench_workbook [N] [ROUNDS]\n");
        return 1;
    }
    char dir[] = "/tmp/vernier-bench-workbook-XXXXXX";
    if (!mkdtemp(dir))
        return 3;
    char db[600], mine[600], theirs[600];
    snprintf(db, sizeof db, "%s/b.db", dir);
    snprintf(mine, sizeof mine, "%s/vernier.xlsx", dir);
    snprintf(theirs, sizeof theirs, "%s/plain.xlsx", dir);
    eng_err err;
    eng_err_clear(&err);
    double t0 = now();
    long decided = 0, undecided = 0;
    if (build(db, n, &decided, &undecided, &err)) {
        fprintf(stderr, "bench_workbook: %s\n", err.msg);
        return 3;
    }
    double t_build = now() - t0;

    eng_store *st = NULL;
    if (eng_store_open(db, &st, &err)) {
        fprintf(stderr, "bench_workbook: %s\n", err.msg);
        return 3;
    }
    double best_mine = 1e9, best_mine2 = 1e9, best_plain = 1e9, best_plain_normal = 1e9,
           best_load = 1e9, best_dec = 1e9;
    int cm = n + 1 > 20000; /* as rpt_xlsx decides: header row included */
    for (int r = 0; r < rounds; r++) {
        rpt_options opt = {
            .lang = "en", .split_by = NULL, .fixed_date = "2026-01-15", .large_rows = 0};
        t0 = now();
        if (rpt_workbook_write(st, decided, mine, &opt, NULL, NULL, &err)) {
            fprintf(stderr, "bench_workbook: %s\n", err.msg);
            return 3;
        }
        double t = now() - t0;
        best_mine = t < best_mine ? t : best_mine;
        t0 = now();
        if (rpt_workbook_write(st, undecided, mine, &opt, NULL, NULL, &err)) {
            fprintf(stderr, "bench_workbook: %s\n", err.msg);
            return 3;
        }
        t = now() - t0;
        best_mine2 = t < best_mine2 ? t : best_mine2;

        eng_score *sc = NULL;
        eng_decision *dec = NULL;
        size_t nsc = 0, ndec = 0;
        t0 = now();
        if (eng_store_scores(st, decided, NULL, &sc, &nsc, &err)) {
            fprintf(stderr, "bench_workbook: %s\n", err.msg);
            return 3;
        }
        t = now() - t0;
        best_load = t < best_load ? t : best_load;
        t0 = now();
        if (eng_store_decisions(st, decided, NULL, &dec, &ndec, &err)) {
            fprintf(stderr, "bench_workbook: %s\n", err.msg);
            return 3;
        }
        t = now() - t0;
        best_dec = t < best_dec ? t : best_dec;
        t0 = now();
        if (plain(theirs, sc, nsc, dec, ndec, cm)) {
            fprintf(stderr, "bench_workbook: the plain program failed\n");
            return 3;
        }
        t = now() - t0;
        best_plain = t < best_plain ? t : best_plain;
        if (r == 0 && cm) {
            t0 = now();
            plain(theirs, sc, nsc, dec, ndec, 0);
            best_plain_normal = now() - t0;
        }
        for (size_t i = 0; i < nsc; i++)
            eng_score_release(&sc[i]);
        free(sc);
        for (size_t i = 0; i < ndec; i++)
            eng_decision_release(&dec[i]);
        free(dec);
    }
    eng_store_close(st);
    double ratio = best_mine / best_plain, ratio2 = best_mine2 / best_plain;
    printf("workbook: %ld projects, Projects sheet (store built in %.1f s, not timed), "
           "best of %d:\n",
           n, t_build, rounds);
    printf("  %-52s %7.3f s\n",
           cm ? "plain libxlsxwriter, same cells (constant memory)"
              : "plain libxlsxwriter, same cells (normal mode)",
           best_plain);
    if (cm)
        printf("  %-52s %7.3f s\n", "plain libxlsxwriter, normal mode (reference)",
               best_plain_normal);
    printf("  %-52s %7.3f s  ratio %.2f\n", "vernier, run without decisions", best_mine2, ratio2);
    char what[80];
    snprintf(what, sizeof what, "vernier, run with %ld decisions", n / 10);
    printf("  %-52s %7.3f s  ratio %.2f\n", what, best_mine, ratio);
    printf("  %-52s %7.3f s\n", "  of which reading the scores (eng_store_scores)", best_load);
    printf("  %-52s %7.3f s\n", "  of which reading decisions (eng_store_decisions)", best_dec);
    printf("  goal: vernier within 1.5x of plain: %s\n",
           ratio2 <= 1.5 && ratio <= 1.5 ? "met"
           : ratio2 <= 1.5 ? "met without decisions; reading decisions is the difference"
                           : "NOT met");
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) {
    }
    return 0;
}
