/*
 * imp_decisions: reviewers' decisions read back from a returned workbook
 * (see imp_decisions.h).
 *
 * The sheet names, labels and column headers looked up are those
 * reports/rpt_xlsx.c writes, from the one table of engine/eng_book.h;
 * tests/unit/test_report.c writes workbooks in both languages and reads
 * them back here.
 */
#include "importers/imp_decisions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/eng_book.h"
#include "importers/imp_xlsx.h"
#include "base/base_sha256.h"

/* The columns of Projects read here, and where their headers are defined
 * (engine/eng_book.h, the table the writer uses too). */
enum { COL_ID, COL_DECISION, COL_COMMENT, COL_HASH, COL_WRITTEN, NCOLS };
static const int BOOK_COL[NCOLS] = {EB_P_ID, EB_P_DECISION, EB_P_COMMENT, EB_P_HASH, EB_P_WRITTEN};

void imp_decisions_result_release(imp_decisions_result *r)
{
    if (!r)
        return;
    free(r->reviewer);
    r->reviewer = NULL;
}

/* A copy of s without leading and trailing white space (ASCII and the
 * ideographic space U+3000); NULL when memory ran out. */
static char *trimmed(const char *s)
{
    if (!s)
        s = "";
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if (!strncmp(s, "\xE3\x80\x80", 3))
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n >= 3 && !strncmp(s + n - 3, "\xE3\x80\x80", 3))
            n -= 3;
        else
            break;
    }
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Whether cell, trimmed, is en (ignoring case) or zh. */
static int label_is(const char *cell, const char *en, const char *zh)
{
    char *t = trimmed(cell);
    int yes = t && (!strcasecmp(t, en) || !strcmp(t, zh));
    free(t);
    return yes;
}

/* Canonical decision of a cell: "" for an empty cell, NULL when unknown. */
static const char *canonical_decision(const char *cell)
{
    if (!*cell)
        return "";
    for (int i = 0; i < EB_NDECISIONS; i++)
        if (!strcasecmp(cell, eng_book_decisions[i].en) || !strcmp(cell, eng_book_decisions[i].zh))
            return eng_book_decisions[i].en;
    return NULL;
}

/* "decision:hash16" as rpt_xlsx writes it in the hidden column; "" when
 * there is neither decision nor comment. */
static void written_key(const char *decision, const char *comment, char out[96])
{
    decision = decision ? decision : "";
    comment = comment ? comment : "";
    if (!*decision && !*comment) {
        out[0] = '\0';
        return;
    }
    char hex[65];
    base_sha256_hex(comment, strlen(comment), hex);
    snprintf(out, 96, "%s:%.16s", decision, hex);
}

/* The first problem found, and how many there were. */
typedef struct problems {
    int code;
    int n;
    eng_err first;
} problems;

static void problem(problems *pb, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(problems *pb, int code, const char *fmt, ...)
{
    if (pb->n++)
        return;
    pb->code = code;
    pb->first.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pb->first.msg, sizeof pb->first.msg, fmt, ap);
    va_end(ap);
}

/* Summary cells: the value beside the labels "Run", "Rule-set SHA-256",
 * "Reviewer" and "Store" (either language).  OUT: malloc'd values or NULL. */
static int read_summary(const char *path, const char *sheet, char **run, char **sha,
                        char **reviewer, char **store, eng_err *err)
{
    imp_rows *rows = NULL;
    int rc = imp_xlsx_open(path, sheet, &rows, err);
    if (rc)
        return rc;
    imp_row row;
    int n;
    while ((n = rows->next(rows, &row, err)) == 1) {
        if (row.ncells < 2)
            continue;
        const eng_book_label *L = eng_book_sum;
        const char *c0 = row.cells[0];
        char **slot = label_is(c0, L[EB_S_RUN].en, L[EB_S_RUN].zh)             ? run
                      : label_is(c0, L[EB_S_RS_SHA].en, L[EB_S_RS_SHA].zh)     ? sha
                      : label_is(c0, L[EB_S_REVIEWER].en, L[EB_S_REVIEWER].zh) ? reviewer
                      : label_is(c0, L[EB_S_STORE].en, L[EB_S_STORE].zh)       ? store
                                                                               : NULL;
        if (slot && !*slot)
            *slot = trimmed(row.cells[1]);
    }
    imp_rows_free(rows);
    return n < 0 ? -n : ENG_OK;
}

static long score_index(const eng_score *sc, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sc[mid].project_id ? sc[mid].project_id : "", id);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static long decision_index(const eng_decision *d, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d[mid].project_id ? d[mid].project_id : "", id);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* Who decided: see imp_decisions.h.  Returns a malloc'd name. */
static char *pick_reviewer(const char *path, const char *arg, const char *cell)
{
    if (arg && *arg)
        return strdup(arg);
    if (cell && *cell)
        return strdup(cell);
    char *v = NULL;
    if (!imp_xlsx_property(path, "lastModifiedBy", &v, NULL) && v && *v && strcmp(v, "vernier"))
        return v;
    free(v);
    const char *user = getenv("USER");
    return strdup(user && *user ? user : "unknown");
}

/* The Projects sheet, or one of its parts: "Projects", "Projects 2",
 * "项目", "项目 2" (rpt_xlsx.h: a run longer than a sheet). */
static int projects_part(const char *name)
{
    for (int zh = 0; zh < 2; zh++) {
        const char *base =
            zh ? eng_book_sheets[EB_SH_PROJECTS].zh : eng_book_sheets[EB_SH_PROJECTS].en;
        size_t n = strlen(base);
        if (strncmp(name, base, n))
            continue;
        if (!name[n])
            return 1;
        if (name[n] != ' ' || !name[n + 1])
            continue;
        const char *d = name + n + 1;
        while (*d >= '0' && *d <= '9')
            d++;
        if (!*d)
            return 1;
    }
    return 0;
}

/* When: the modified date an editor wrote, else the file's mtime. */
static void pick_when(const char *path, char out[32])
{
    char *mod = NULL, *cre = NULL;
    imp_xlsx_property(path, "modified", &mod, NULL);
    imp_xlsx_property(path, "created", &cre, NULL);
    if (mod && *mod && (!cre || strcmp(mod, cre))) {
        snprintf(out, 32, "%s", mod);
    } else {
        struct stat sb;
        time_t t = stat(path, &sb) ? time(NULL) : sb.st_mtime;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    free(mod);
    free(cre);
}

static void free_decisions(eng_decision *v, size_t n)
{
    eng_decisions_free(v, n);
}

int imp_decisions_read(eng_store *st, const char *path, const char *reviewer,
                       imp_decisions_result *out, eng_err *err)
{
    char sha[65];
    int rc = base_sha256_file(path, sha, err);
    if (rc)
        return rc;
    char *p_run = NULL, *p_sha = NULL, *p_kind = NULL, *p_store = NULL, *s_run = NULL,
         *s_sha = NULL, *s_rev = NULL, *s_store = NULL;
    char **names = NULL;
    int *hidden = NULL;
    size_t nnames = 0;
    eng_run_info ri;
    memset(&ri, 0, sizeof ri);
    eng_score *sc = NULL;
    size_t nsc = 0;
    eng_decision *latest = NULL, *add = NULL;
    size_t nlatest = 0, nadd = 0;
    long *seen = NULL;
    imp_rows *rows = NULL;
    char *who = NULL;
    problems pb;
    memset(&pb, 0, sizeof pb);
    imp_decisions_result res;
    memset(&res, 0, sizeof res);

    if ((rc = imp_xlsx_property(path, "vernier_run", &p_run, err)) ||
        (rc = imp_xlsx_property(path, "vernier_ruleset_sha256", &p_sha, err)) ||
        (rc = imp_xlsx_property(path, "vernier_workbook", &p_kind, err)) ||
        (rc = imp_xlsx_property(path, "vernier_store", &p_store, err)) ||
        (rc = imp_xlsx_sheets(path, &names, &hidden, &nnames, err)))
        goto done;
    if (p_kind && !strcmp(p_kind, "screening")) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: a screening workbook holds no decisions; import a reviewer workbook "
                      "(`vernier report`)",
                      path);
        goto done;
    }
    const char *summary = NULL, *projects = NULL;
    for (size_t i = 0; i < nnames; i++) {
        if (!summary && (!strcmp(names[i], eng_book_sheets[EB_SH_SUMMARY].en) ||
                         !strcmp(names[i], eng_book_sheets[EB_SH_SUMMARY].zh)))
            summary = names[i];
        if (!projects && projects_part(names[i]))
            projects = names[i];
    }
    if (!projects) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: no sheet 'Projects' (or '项目'): not a vernier reviewer workbook", path);
        goto done;
    }
    if (summary && (rc = read_summary(path, summary, &s_run, &s_sha, &s_rev, &s_store, err)))
        goto done;

    /* The run: from the properties and Summary, which must agree. */
    if (p_run && s_run && strcmp(p_run, s_run)) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook's property vernier_run (%s) and its Summary run (%s) "
                      "differ: the workbook was edited or assembled from two reports",
                      path, p_run, s_run);
        goto done;
    }
    if (p_sha && s_sha && *s_sha && strcmp(p_sha, s_sha)) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook's rule-set hash in its properties and on Summary differ",
                      path);
        goto done;
    }
    const char *run_s = p_run ? p_run : s_run;
    const char *wb_sha = p_sha ? p_sha : s_sha;
    char *end = NULL;
    long run = run_s ? strtol(run_s, &end, 10) : 0;
    if (!run_s || !*run_s || *end || run <= 0) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: no run id (property vernier_run or Summary 'Run'): not a vernier "
                      "reviewer workbook",
                      path);
        goto done;
    }
    if (!wb_sha || !*wb_sha) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: no rule-set hash (property vernier_ruleset_sha256 or Summary "
                      "'Rule-set SHA-256'): not a vernier reviewer workbook",
                      path);
        goto done;
    }
    /* The store: a workbook written by this vernier names it; one written
     * before stores had an identity is tied by run and rule set alone. */
    const char *wb_store = p_store ? p_store : s_store && *s_store ? s_store : NULL;
    if (p_store && s_store && *s_store && strcmp(p_store, s_store)) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook's store in its properties and on Summary differ", path);
        goto done;
    }
    if (wb_store && strcmp(wb_store, eng_store_id(st))) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook comes from another store (store %.8s..., this one is "
                      "%.8s...): import it into the store that wrote it",
                      path, wb_store, eng_store_id(st));
        goto done;
    }
    eng_err e2;
    if (eng_store_run(st, run, &ri, &e2)) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook comes from run %ld, which this store does not have (%s)",
                      path, run, e2.msg);
        goto done;
    }
    if (!ri.ruleset_sha256 || strcmp(ri.ruleset_sha256, wb_sha)) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s: the workbook's run %ld used rule set %.12s..., but run %ld of this "
                      "store used %.12s...: the workbook comes from another store",
                      path, run, wb_sha, run, ri.ruleset_sha256 ? ri.ruleset_sha256 : "?");
        goto done;
    }
    if ((rc = eng_store_scores(st, run, NULL, &sc, &nsc, err)) ||
        (rc = eng_store_decisions(st, run, NULL, &latest, &nlatest, err)))
        goto done;
    seen = calloc(nsc ? nsc : 1, sizeof *seen);
    add = calloc(nsc ? nsc : 1, sizeof *add);
    if (!seen || !add) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }

    /* Projects: every part of it (a run too long for one sheet is written
     * as Projects 1, Projects 2 ...), each with its header row. */
    for (size_t part = 0; part < nnames; part++) {
        if (!projects_part(names[part]))
            continue;
        projects = names[part];
        imp_rows_free(rows);
        rows = NULL;
        /* Projects: the header row names the columns. */
        if ((rc = imp_xlsx_open(path, projects, &rows, err)))
            goto done;
        imp_row row;
        int n = rows->next(rows, &row, err);
        if (n != 1) {
            rc = n < 0 ? -n : eng_fail(err, ENG_EINPUT, "%s: sheet '%s' is empty", path, projects);
            goto done;
        }
        long col[NCOLS];
        for (int c = 0; c < NCOLS; c++) {
            col[c] = -1;
            for (size_t i = 0; i < row.ncells && col[c] < 0; i++)
                if (label_is(row.cells[i], eng_book_proj[BOOK_COL[c]].en,
                             eng_book_proj[BOOK_COL[c]].zh))
                    col[c] = (long)i;
            if (col[c] < 0 && c != COL_WRITTEN) {
                rc = eng_fail(
                    err, ENG_EINPUT, "%s: sheet '%s' has no column '%s' (or '%s'): was it removed?",
                    path, projects, eng_book_proj[BOOK_COL[c]].en, eng_book_proj[BOOK_COL[c]].zh);
                goto done;
            }
        }
        char when[32];
        pick_when(path, when);
        while ((n = rows->next(rows, &row, err)) == 1) {
            const char *cell[NCOLS];
            for (int c = 0; c < NCOLS; c++)
                cell[c] = col[c] >= 0 && (size_t)col[c] < row.ncells ? row.cells[col[c]] : "";
            char *id = trimmed(cell[COL_ID]), *dec_cell = trimmed(cell[COL_DECISION]);
            char *comment = trimmed(cell[COL_COMMENT]), *hash = trimmed(cell[COL_HASH]);
            char *written = trimmed(cell[COL_WRITTEN]);
            if (!id || !dec_cell || !comment || !hash || !written) {
                free(id), free(dec_cell), free(comment), free(hash), free(written);
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            const char *decision = canonical_decision(dec_cell);
            long si = *id ? score_index(sc, nsc, id) : -1;
            char key[96], before[96];
            if (!*id) {
                if (*dec_cell || *comment)
                    problem(&pb, ENG_EINPUT,
                            "%s: sheet '%s' row %ld: a decision without a project id", path,
                            projects, row.line);
            } else if (si < 0) {
                problem(
                    &pb, ENG_EINPUT,
                    "%s: sheet '%s' row %ld: project '%s' is not in run %ld (was the id changed?)",
                    path, projects, row.line, id, run);
            } else if (strcmp(hash, sc[si].content_hash ? sc[si].content_hash : "")) {
                problem(
                    &pb, ENG_EINPUT,
                    "%s: sheet '%s' row %ld: project '%s': the content hash differs from the one "
                    "run %ld scored (the row was edited or moved onto another project)",
                    path, projects, row.line, id, run);
            } else if (seen[si]) {
                problem(&pb, ENG_EINPUT,
                        "%s: sheet '%s' row %ld: project '%s' appears twice (also row %ld)", path,
                        projects, row.line, id, seen[si]);
            } else if (!decision) {
                problem(&pb, ENG_EINPUT,
                        "%s: sheet '%s' row %ld: project '%s': decision '%s' is not one of pass, "
                        "revise, fail (通过, 整改后通过, 不通过)",
                        path, projects, row.line, id, dec_cell);
            } else {
                seen[si] = row.line;
                res.rows++;
                long li = decision_index(latest, nlatest, id);
                const eng_decision *old = li >= 0 ? &latest[li] : NULL;
                written_key(decision, comment, key);
                if (col[COL_WRITTEN] >= 0)
                    snprintf(before, sizeof before, "%s", written);
                else
                    written_key(old ? old->decision : NULL, old ? old->comment : NULL, before);
                int stored_same =
                    old ? same_text(old->decision, decision) && same_text(old->comment, comment)
                        : !*decision && !*comment;
                /* A file imported before is compared with what it recorded: a
                 * cell filled in, imported, then cleared withdraws the decision
                 * although the workbook was written without it. */
                int again =
                    old && old->workbook && !strcmp(base_name(old->workbook), base_name(path));
                if (stored_same || (!again && !strcmp(key, before))) {
                    if (!*decision && !*comment && !old)
                        res.empty++;
                    else
                        res.unchanged++;
                } else {
                    eng_decision *d = &add[nadd++];
                    if (!*decision && old && old->decision)
                        res.withdrawn++;
                    d->run_id = run;
                    d->project_id = strdup(id);
                    d->decision = *decision ? strdup(decision) : NULL;
                    d->comment = *comment ? strdup(comment) : NULL;
                    d->decided_at = strdup(when);
                    d->workbook = strdup(path);
                    d->workbook_sha256 = strdup(sha);
                    if (!d->project_id || (*decision && !d->decision) ||
                        (*comment && !d->comment) || !d->decided_at || !d->workbook ||
                        !d->workbook_sha256) {
                        free(id), free(dec_cell), free(comment), free(hash), free(written);
                        rc = eng_fail(err, ENG_EIO, "out of memory");
                        goto done;
                    }
                }
            }
            free(id), free(dec_cell), free(comment), free(hash), free(written);
        }
        if (n < 0) {
            rc = -n;
            goto done;
        }
    }
    if (pb.n) {
        rc = pb.code;
        if (err) {
            *err = pb.first;
            if (pb.n > 1) {
                size_t l = strlen(err->msg);
                snprintf(err->msg + l, sizeof err->msg - l, " (and %d more problem%s)", pb.n - 1,
                         pb.n == 2 ? "" : "s");
            }
        }
        goto done;
    }
    who = pick_reviewer(path, reviewer, s_rev);
    if (!who) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nadd; i++)
        add[i].reviewer = who; /* borrowed: not released with the rows */
    if (nadd)
        rc = eng_store_add_decisions(st, add, nadd, err);
    for (size_t i = 0; i < nadd; i++)
        add[i].reviewer = NULL;
    if (rc)
        goto done;
    res.run_id = run;
    res.reviewer = who;
    who = NULL;
    memcpy(res.sha256, sha, sizeof sha);
    res.added = nadd;
    *out = res;
done:
    imp_rows_free(rows);
    free(who);
    free(seen);
    free_decisions(add, nadd);
    eng_scores_free(sc, nsc);
    free_decisions(latest, nlatest);
    eng_run_info_release(&ri);
    imp_xlsx_free_names(names, hidden, nnames);
    free(p_run);
    free(p_sha);
    free(p_store);
    free(s_store);
    free(p_kind);
    free(s_run);
    free(s_sha);
    free(s_rev);
    return rc;
}
