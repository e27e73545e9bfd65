/*
 * rpt_xlsx: the reviewer workbook of a run (see rpt_xlsx.h).
 *
 * The run is read from the store once (scores, hits, verdicts, pairs,
 * decisions, the rule set's canonical text), grouped by project, and then
 * written as one workbook, or as one per panel with --split-by.  Every
 * sheet is written in row order, so any of them may be a constant-memory
 * sheet; Summary, always small, is written last because it counts what the
 * other sheets had to repair.
 */
#include "reports/rpt_xlsx.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/eng_calib.h"
#include "engine/eng_book.h"
#include "engine/eng_registry.h"
#include "engine/eng_store_view.h"
#include "engine/eng_tmp.h"
#include "reports/rpt_book.h"
#include "base/base_buf.h"
#include "base/base_sha256.h"
#include "reports/rpt_export.h"
#include "reports/rpt_select.h"

/* Data rows a sheet can hold below its header. */
#define SHEET_ROWS 1048575UL

/* ---- labels ------------------------------------------------------------------------------ */

/* The workbook's words in its language, taken from engine/eng_book.h (the
 * one table of sheet names, column headers and labels, which the reader of
 * returned workbooks uses too). */
typedef struct labels {
    int zh;
    const char *sheet[EB_NSHEETS];
    const char *proj[EB_P_NCOLS];
    const char *dup[EB_D_NCOLS];
    const char *ev[EB_E_NCOLS];
    const char *ind[EB_I_NCOLS];
    const char *rule[EB_R_NCOLS];
    const char *sum[EB_NS];
    const char *decision[EB_NDECISIONS]; /* pass, revise, fail */
    const char *hits_one, *hits_many;    /* "%zu" inside */
    const char *validation_title, *validation_msg;
    const char *yes;
} labels;

static void cols_text(const char **out, const eng_book_col *cols, int n, int zh)
{
    for (int i = 0; i < n; i++)
        out[i] = eng_book_col_text(&cols[i], zh);
}

static void labels_init(labels *L, int zh)
{
    L->zh = zh;
    for (int i = 0; i < EB_NSHEETS; i++)
        L->sheet[i] = eng_book_text(&eng_book_sheets[i], zh);
    cols_text(L->proj, eng_book_proj, EB_P_NCOLS, zh);
    cols_text(L->dup, eng_book_dup, EB_D_NCOLS, zh);
    cols_text(L->ev, eng_book_ev, EB_E_NCOLS, zh);
    cols_text(L->ind, eng_book_ind, EB_I_NCOLS, zh);
    cols_text(L->rule, eng_book_rule, EB_R_NCOLS, zh);
    for (int i = 0; i < EB_NS; i++)
        L->sum[i] = eng_book_text(&eng_book_sum[i], zh);
    for (int i = 0; i < EB_NDECISIONS; i++)
        L->decision[i] = eng_book_text(&eng_book_decisions[i], zh);
    L->hits_one = eng_book_text(&eng_book_misc[EB_M_HITS_ONE], zh);
    L->hits_many = eng_book_text(&eng_book_misc[EB_M_HITS_MANY], zh);
    L->validation_title = eng_book_text(&eng_book_misc[EB_M_VALIDATION_TITLE], zh);
    L->validation_msg = eng_book_text(&eng_book_misc[EB_M_VALIDATION_MSG], zh);
    L->yes = eng_book_text(&eng_book_misc[EB_M_YES], zh);
}

/* ---- the run, read once -------------------------------------------------------------------- */

typedef struct proj {
    char *flags_joined; /* "; "-joined flag ids, NULL when none */
    int nflags;
    size_t hn;     /* its rule hits (read from the store when written) */
    size_t v0, vn; /* its verdicts: vd[v0 .. v0+vn) */
    size_t c0, cn; /* its registry checks: chk[c0 .. c0+cn) */
    long dec;      /* index into dec, -1 when undecided */
    int withdrawn; /* dec has no decision and one was taken before */
} proj;

typedef struct rule_row {
    cJSON *obj; /* borrowed from the parsed documents */
} rule_row;

typedef struct run_data {
    eng_run_info ri;
    char store_id[40]; /* eng_store_id() */
    eng_score *sc;
    size_t nsc;
    proj *pj;
    eng_ind_verdict *vd;
    size_t nvd;
    eng_pair *pairs;
    size_t npairs;
    eng_decision *dec;
    size_t ndec;
    cJSON **docs; /* the rule set's parsed documents */
    size_t ndocs;
    cJSON **rules;
    int rules_oom; /* memory ran out while listing them */
    size_t nrules;
    cJSON *params;
    eng_reg_info *regs; /* the registry versions the run checked against */
    size_t nregs;
    eng_reg_check *chk; /* every registry check, by project and check order */
    size_t nchk;
} run_data;

typedef struct ctx {
    eng_store *st; /* the rule hits are read from it as they are written */
    const run_data *d;
    const labels *L;
    const rpt_options *opt;
    rpt_book *b;
    rpt_set *set; /* split-by: the workbooks appear together (NULL: one workbook) */
} ctx;

static void run_data_release(run_data *d)
{
    for (size_t i = 0; i < d->nsc; i++) {
        eng_score_release(&d->sc[i]);
        if (d->pj)
            free(d->pj[i].flags_joined);
    }
    free(d->sc);
    free(d->pj);
    eng_verdicts_free(d->vd, d->nvd);
    eng_pairs_free(d->pairs, d->npairs);
    eng_decisions_free(d->dec, d->ndec);
    for (size_t i = 0; i < d->ndocs; i++)
        cJSON_Delete(d->docs[i]);
    free(d->docs);
    free(d->rules);
    cJSON_Delete(d->params);
    eng_reg_infos_free(d->regs, d->nregs);
    eng_reg_checks_free(d->chk, d->nchk);
    eng_run_info_release(&d->ri);
    memset(d, 0, sizeof *d);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Joins a JSON array of strings with "; "; returns NULL for an empty or
 * unreadable array.  OUT: *n, the number of items. */
static char *join_json_array(const char *json, int *n, int *oom)
{
    *n = 0;
    if (!json || !*json || !strcmp(json, "[]"))
        return NULL;
    cJSON *a = cJSON_Parse(json);
    if (!a)
        *oom = 1; /* the store's own JSON: only memory makes it fail */
    if (!cJSON_IsArray(a)) {
        cJSON_Delete(a);
        return NULL;
    }
    size_t len = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (cJSON_IsString(it))
            len += strlen(it->valuestring) + 2;
    }
    char *out = len ? malloc(len + 1) : NULL;
    if (len && !out)
        *oom = 1;
    if (out) {
        size_t k = 0;
        cJSON_ArrayForEach(it, a)
        {
            if (!cJSON_IsString(it))
                continue;
            if (k) {
                memcpy(out + k, "; ", 2);
                k += 2;
            }
            size_t l = strlen(it->valuestring);
            memcpy(out + k, it->valuestring, l);
            k += l;
            (*n)++;
        }
        out[k] = '\0';
    }
    cJSON_Delete(a);
    return out;
}

/* Collects the rule objects of the rule set's canonical text, whatever its
 * outer shape: one object with "rules", an array of per-file documents, or
 * several documents one after the other. */
static void find_rules(run_data *d, cJSON *node, int depth)
{
    if (!node || depth > 3)
        return;
    if (cJSON_IsArray(node)) {
        cJSON *it;
        cJSON_ArrayForEach(it, node) find_rules(d, it, depth + 1);
        return;
    }
    if (!cJSON_IsObject(node))
        return;
    cJSON *rules = cJSON_GetObjectItemCaseSensitive(node, "rules");
    if (cJSON_IsArray(rules)) {
        cJSON *r;
        cJSON_ArrayForEach(r, rules)
        {
            if (!cJSON_IsObject(r))
                continue;
            cJSON **nv = realloc(d->rules, (d->nrules + 1) * sizeof *nv);
            if (!nv) {
                d->rules_oom = 1;
                return;
            }
            d->rules = nv;
            d->rules[d->nrules++] = r;
        }
        return;
    }
    cJSON *it;
    cJSON_ArrayForEach(it, node)
    {
        if (cJSON_IsObject(it) || cJSON_IsArray(it))
            find_rules(d, it, depth + 1);
    }
}

static int parse_ruleset(run_data *d)
{
    const char *p = d->ri.ruleset_text;
    if (!p)
        return 0;
    const char *end = p + strlen(p);
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        if (p >= end)
            break;
        const char *stop = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
        if (!doc || !stop || stop <= p) {
            cJSON_Delete(doc);
            /* the rule set's canonical text, stored by vernier: a document
             * that does not parse means memory ran out */
            return -1;
        }
        cJSON **nv = realloc(d->docs, (d->ndocs + 1) * sizeof *nv);
        if (!nv) {
            cJSON_Delete(doc);
            return -1;
        }
        d->docs = nv;
        d->docs[d->ndocs++] = doc;
        find_rules(d, doc, 0);
        p = stop;
    }
    return d->rules_oom ? -1 : 0;
}

/* Places each project's hit count (project-id order, as the scores). */
typedef struct count_walk {
    run_data *d;
    size_t i;
} count_walk;

static void place_count(void *arg, const char *project, long n)
{
    count_walk *w = arg;
    while (w->i < w->d->nsc && strcmp(nz(w->d->sc[w->i].project_id), project) < 0)
        w->i++;
    if (w->i < w->d->nsc && !strcmp(nz(w->d->sc[w->i].project_id), project))
        w->d->pj[w->i].hn = (size_t)n;
}

static int load_run(eng_store *st, long run, run_data *d, eng_err *err)
{
    int oom = 0;
    memset(d, 0, sizeof *d);
    int rc = eng_store_run(st, run, &d->ri, err);
    if (rc)
        return rc;
    snprintf(d->store_id, sizeof d->store_id, "%s", eng_store_id(st));
    long id = d->ri.id;
    if ((rc = eng_store_scores(st, id, NULL, &d->sc, &d->nsc, err)) ||
        (rc = eng_store_verdicts(st, id, NULL, &d->vd, &d->nvd, err)) ||
        (rc = eng_store_pairs(st, id, NULL, &d->pairs, &d->npairs, err)) ||
        (rc = eng_store_decisions(st, id, NULL, &d->dec, &d->ndec, err)) ||
        (rc = eng_store_reg_run_versions(st, id, &d->regs, &d->nregs, err)) ||
        (rc = eng_store_reg_checks(st, id, NULL, &d->chk, &d->nchk, err)))
        return rc;
    d->pj = calloc(d->nsc ? d->nsc : 1, sizeof *d->pj);
    if (!d->pj)
        return eng_fail(err, ENG_EIO, "out of memory");
    /* The hits are counted here and read project by project when the
     * Evidence sheet is written: a run's hits are never all in memory. */
    count_walk cw = {d, 0};
    if ((rc = eng_store_hit_counts(st, id, place_count, &cw, err)))
        return rc;
    /* Scores, verdicts, checks and decisions are all ordered by project id:
     * one merge walk places each project's rows. */
    size_t v = 0, k = 0, q = 0;
    for (size_t i = 0; i < d->nsc; i++) {
        const char *id_i = nz(d->sc[i].project_id);
        proj *p = &d->pj[i];
        while (v < d->nvd && strcmp(nz(d->vd[v].project_id), id_i) < 0)
            v++;
        p->v0 = v;
        while (v < d->nvd && !strcmp(nz(d->vd[v].project_id), id_i))
            v++;
        p->vn = v - p->v0;
        while (q < d->nchk && strcmp(nz(d->chk[q].project_id), id_i) < 0)
            q++;
        p->c0 = q;
        while (q < d->nchk && !strcmp(nz(d->chk[q].project_id), id_i))
            q++;
        p->cn = q - p->c0;
        while (k < d->ndec && strcmp(nz(d->dec[k].project_id), id_i) < 0)
            k++;
        p->dec = k < d->ndec && !strcmp(nz(d->dec[k].project_id), id_i) ? (long)k : -1;
        if (p->dec >= 0 && !d->dec[p->dec].decision &&
            (rc = eng_store_ever_decided(st, id_i, &p->withdrawn, err)))
            return rc;
        p->flags_joined = join_json_array(d->sc[i].flags, &p->nflags, &oom);
    }
    if (parse_ruleset(d))
        oom = 1;
    if (d->ri.params && *d->ri.params && !(d->params = cJSON_Parse(d->ri.params)))
        oom = 1;
    /* a workbook with a value silently missing is not whole */
    if (oom)
        return eng_fail(err, ENG_EIO, "out of memory while reading run %ld", d->ri.id);
    return ENG_OK;
}

/* Index of the score of project id, or -1. */
static long score_index(const run_data *d, const char *id)
{
    if (!id)
        return -1;
    size_t lo = 0, hi = d->nsc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(nz(d->sc[mid].project_id), id);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- helpers --------------------------------------------------------------------------------- */

static const char *tr(const ctx *c, const char *v)
{
    return eng_book_value(v, c->L->zh);
}

static int decision_index(const char *v)
{
    if (!v)
        return -1;
    for (int i = 0; i < EB_NDECISIONS; i++)
        if (!strcmp(v, eng_book_decisions[i].en))
            return i;
    return -1;
}

/* The label a decision is shown with: the canonical value in the workbook's
 * language, or the stored text when it is not a canonical value. */
static const char *decision_label(const ctx *c, const char *v)
{
    int i = decision_index(v);
    return i < 0 ? v : c->L->decision[i];
}

/* Writes a title as a panel reads it: HTML character references decoded
 * (rpt_text_entities; the store keeps the source's text). */
static void title_str(rpt_book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col, const char *s)
{
    char *dec = rpt_text_entities(s, &b->oom);
    rpt_book_str(b, ws, r, col, dec ? dec : s, NULL);
    free(dec);
}

static void headers(const ctx *c, lxw_worksheet *ws, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        rpt_book_str(c->b, ws, 0, (lxw_col_t)i, names[i], c->b->header);
}

static void col_width(lxw_worksheet *ws, int first, int last, double w, lxw_format *f)
{
    if (ws)
        worksheet_set_column(ws, (lxw_col_t)first, (lxw_col_t)last, w, f);
}

static void col_hidden(lxw_worksheet *ws, int col, double w)
{
    lxw_row_col_options o;
    memset(&o, 0, sizeof o);
    o.hidden = 1;
    if (ws)
        worksheet_set_column_opt(ws, (lxw_col_t)col, (lxw_col_t)col, w, NULL, &o);
}

/* Freeze the header (and `cols` columns) and filter rows 0..last over cols
 * 0..lastcol. */
static void table_view(rpt_book *b, lxw_worksheet *ws, lxw_row_t last, int lastcol, int cols)
{
    if (!ws)
        return;
    worksheet_freeze_panes(ws, 1, (lxw_col_t)cols);
    rpt_book_check(b, worksheet_autofilter(ws, 0, 0, last ? last : 1, (lxw_col_t)lastcol),
                   "autofilter");
}

/* A 3-colour scale (red, yellow, green) over a score column. */
static void colour_scale(rpt_book *b, lxw_worksheet *ws, lxw_row_t last, int col)
{
    if (!ws || !last)
        return;
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
    cf.min_color = 0xF8696B;
    cf.mid_color = 0xFFEB84;
    cf.max_color = 0x63BE7B;
    rpt_book_check(
        b, worksheet_conditional_format_range(ws, 1, (lxw_col_t)col, last, (lxw_col_t)col, &cf),
        "colour scale");
}

/* Fills the cells of a column equal to `lit` (a quoted literal of ours,
 * never data) with a colour. */
static void equal_fill(rpt_book *b, lxw_worksheet *ws, lxw_row_t last, int col, const char *lit,
                       lxw_format *f)
{
    if (!ws || !last)
        return;
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_CELL;
    cf.criteria = LXW_CONDITIONAL_CRITERIA_EQUAL_TO;
    cf.value_string = (char *)lit;
    cf.format = f;
    rpt_book_check(
        b, worksheet_conditional_format_range(ws, 1, (lxw_col_t)col, last, (lxw_col_t)col, &cf),
        "conditional format");
}

static lxw_format *fill_format(rpt_book *b, lxw_color_t bg)
{
    lxw_format *f = workbook_add_format(b->wb);
    if (f)
        format_set_bg_color(f, bg);
    return f;
}

/* "comment hash": the first 16 hex digits of the SHA-256 of a comment, so
 * that the hidden "written decision" column stays short. */
static void comment_hash(const char *comment, char out[17])
{
    char hex[65];
    base_sha256_hex(comment ? comment : "", comment ? strlen(comment) : 0, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

/* ---- one workbook ------------------------------------------------------------------------------
 */

/* A long sheet in parts of `per` rows ("Projects 1", "Projects 2" ...; one
 * part keeps the plain name).  Row i of the whole (0-based) is row
 * i % per + 1 of part i / per. */
#define MAX_PARTS 24
typedef struct parts_t {
    size_t total, per, n;
    lxw_worksheet *ws[MAX_PARTS];
    char names[MAX_PARTS][128];
    char first[MAX_PARTS][80], last[MAX_PARTS][80]; /* the keys of its first and last rows */
} parts_t;

/* The sheet and row of row i (OUT *r); remembers key for the Index. */
static lxw_worksheet *part_at(parts_t *ps, size_t i, lxw_row_t *r, const char *key)
{
    size_t k = i / ps->per;
    if (k >= ps->n)
        k = ps->n - 1; /* cannot happen: sized before */
    *r = (lxw_row_t)(i % ps->per + 1);
    if (key) {
        if (i % ps->per == 0)
            snprintf(ps->first[k], sizeof ps->first[k], "%s", key);
        snprintf(ps->last[k], sizeof ps->last[k], "%s", key);
    }
    return ps->ws[k];
}

/* The rows of part k. */
static size_t part_rows(const parts_t *ps, size_t k)
{
    size_t left = ps->total - k * ps->per;
    return left > ps->per ? ps->per : left;
}

typedef struct layout {
    const size_t *sel; /* the selected scores, in id order (sorted) or by --by */
    size_t m;
    int sorted;            /* sel in id order: the hits are read with one cursor */
    const char *panel;     /* NULL when not split */
    const char *selection; /* what --where/--top kept, for Summary (NULL: all) */
    size_t *pairs;         /* the pairs in the panel */
    size_t np;
    size_t nev;    /* evidence rows in all */
    size_t nind;   /* indicator rows */
    size_t ntrace; /* registry check rows */
    char names[EB_NSHEETS][128];
    lxw_worksheet *ws[EB_NSHEETS]; /* the sheets that are never split */
    parts_t pp, pd, pe, pi, pt;    /* Projects, Duplicates, Evidence, Indicators, Traceability */
    lxw_worksheet *index;          /* the Index of parts, when a sheet was split */
    char index_name[128];
} layout;

static void write_lists(const ctx *c, layout *lo)
{
    lxw_worksheet *ws = lo->ws[EB_SH_LISTS];
    if (!ws)
        return;
    for (int i = 0; i < 3; i++)
        rpt_book_str(c->b, ws, (lxw_row_t)i, 0, c->L->decision[i], NULL);
    worksheet_hide(ws);
}

/* Why score cells are empty or not assessable: traceability and novelty
 * with nothing to read, then the TRL readings that are missing, each with
 * its reason; NULL when there is nothing to say. */
static const char *score_note(const eng_score *s, int zh, char *buf, size_t size)
{
    static const char *const why[2][3] = {
        {"achieved: no statement of completed work", "planned: no plan level and no target",
         "stated: no level written and none claimed"},
        {"已达：未见已完成工作的陈述", "计划：未见计划等级且无目标TRL",
         "陈述：未写明等级且无声称TRL"}};
    int levels[3] = {s->trl_evidenced, s->trl_planned, s->trl_stated};
    size_t n = 0;
    buf[0] = '\0';
    if (s->traceability < 0)
        n += (size_t)snprintf(buf, size, "%s%s",
                              zh ? "可溯源性、新颖性不可评估："
                                 : "traceability, novelty not "
                                   "assessable: ",
                              eng_book_text(&eng_book_misc[EB_M_NA_WHY], zh));
    for (int k = 0; k < 3; k++)
        if (!levels[k] && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "; " : "", why[zh ? 1 : 0][k]);
    return n ? buf : NULL;
}

/* A part of Projects: filter, colours, the decision drop-down over its
 * `last` rows. */
static void projects_view(const ctx *c, layout *lo, lxw_worksheet *ws, lxw_row_t last)
{
    rpt_book *b = c->b;
    if (!ws)
        return;
    table_view(b, ws, last, EB_P_COMMENT, 2);
    colour_scale(b, ws, last, EB_P_TRACE);
    colour_scale(b, ws, last, EB_P_NOVELTY);
    colour_scale(b, ws, last, EB_P_OVERALL);
    if (last) {
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_DATA_BAR;
        cf.bar_color = 0x638EC6;
        cf.min_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
        cf.min_value = 0;
        cf.max_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
        cf.max_value = 9;
        rpt_book_check(b,
                       worksheet_conditional_format_range(ws, 1, EB_P_TRL_EVIDENCED, last,
                                                          EB_P_TRL_EVIDENCED, &cf),
                       "data bar");
        lxw_conditional_format fl;
        memset(&fl, 0, sizeof fl);
        fl.type = LXW_CONDITIONAL_TYPE_CELL;
        fl.criteria = LXW_CONDITIONAL_CRITERIA_GREATER_THAN;
        fl.value = 0;
        fl.format = fill_format(b, 0xFCE4D6);
        rpt_book_check(
            b, worksheet_conditional_format_range(ws, 1, EB_P_NFLAGS, last, EB_P_NFLAGS, &fl),
            "conditional format");
        /* a value not read or versions that disagree: the panel looks */
        lxw_conditional_format dq;
        memset(&dq, 0, sizeof dq);
        dq.type = LXW_CONDITIONAL_TYPE_NO_BLANKS;
        dq.format = fill_format(b, 0xFFEB9C);
        rpt_book_check(
            b, worksheet_conditional_format_range(ws, 1, EB_P_QUALITY, last, EB_P_QUALITY, &dq),
            "conditional format");
        /* Decisions coloured by the value picked (the literals are our own
         * labels, so no data goes into a formula). */
        static const lxw_color_t colours[3] = {0xC6EFCE, 0xFFEB9C, 0xFFC7CE};
        for (int i = 0; i < 3; i++) {
            char lit[64];
            snprintf(lit, sizeof lit, "\"%s\"", c->L->decision[i]);
            equal_fill(b, ws, last, EB_P_DECISION, lit, fill_format(b, colours[i]));
        }
    }
    /* The drop-down: a list from a range of the hidden Lists sheet (a list
     * of Chinese items given inline crashes libxlsxwriter 1.1.4). */
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    char formula[200], quoted[140];
    rpt_book_quote(quoted, sizeof quoted, lo->names[EB_SH_LISTS]);
    snprintf(formula, sizeof formula, "=%s!$A$1:$A$3", quoted);
    dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    dv.value_formula = formula;
    dv.ignore_blank = LXW_VALIDATION_ON;
    dv.show_input = LXW_VALIDATION_ON;
    dv.input_title = (char *)c->L->validation_title;
    dv.input_message = (char *)c->L->validation_msg;
    dv.error_title = (char *)c->L->validation_title;
    dv.error_message = (char *)c->L->validation_msg;
    rpt_book_check(
        b,
        worksheet_data_validation_range(ws, 1, EB_P_DECISION, last ? last : 1, EB_P_DECISION, &dv),
        "decision drop-down");
}
static void write_projects(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    for (size_t part = 0; part < lo->pp.n; part++) {
        lxw_worksheet *ws = lo->pp.ws[part];
        if (!ws)
            return;
        for (int i = 0; i < EB_P_NCOLS; i++)
            col_width(ws, i, i, eng_book_proj[i].width,
                      i == EB_P_DECISION || i == EB_P_COMMENT ? b->input : NULL);
        col_hidden(ws, EB_P_HASH, 20);
        col_hidden(ws, EB_P_WRITTEN, 20);
        worksheet_set_row(ws, 0, 30, NULL);
        headers(c, ws, c->L->proj, EB_P_NCOLS);
    }

    size_t evrow = 0; /* evidence rows placed so far */
    for (size_t k = 0; k < lo->m; k++) {
        size_t i = lo->sel[k];
        const eng_score *s = &d->sc[i];
        const proj *p = &d->pj[i];
        lxw_row_t r;
        lxw_worksheet *ws = part_at(&lo->pp, k, &r, s->project_id);
        rpt_book_str(b, ws, r, EB_P_ID, s->project_id, NULL);
        title_str(b, ws, r, EB_P_TITLE, s->title);
        rpt_book_str(b, ws, r, EB_P_KIND, tr(c, s->kind), NULL);
        rpt_book_str(b, ws, r, EB_P_SOURCE, s->source, NULL);
        rpt_book_str(b, ws, r, EB_P_FIELD, s->field, NULL);
        rpt_book_str(b, ws, r, EB_P_ORG, s->organisation, NULL);
        rpt_book_str(b, ws, r, EB_P_PI, s->pi, NULL);
        if (s->trl_claimed > 0)
            rpt_book_num(b, ws, r, EB_P_TRL_CLAIMED, s->trl_claimed, NULL);
        /* No reading is an empty cell, and the note says why. */
        if (s->trl_evidenced) {
            rpt_book_num(b, ws, r, EB_P_TRL_EVIDENCED, s->trl_evidenced, NULL);
            rpt_book_num(b, ws, r, EB_P_TRL_CONF, s->trl_confidence, b->pct);
        }
        if (s->trl_planned)
            rpt_book_num(b, ws, r, EB_P_TRL_PLANNED, s->trl_planned, NULL);
        if (s->trl_stated)
            rpt_book_num(b, ws, r, EB_P_TRL_STATED, s->trl_stated, NULL);
        char note[512];
        rpt_book_str(b, ws, r, EB_P_TRL_NOTE, score_note(s, b->zh, note, sizeof note), NULL);
        /* Not assessable is said in the cell, never a 0 (or 100) that
         * reads as a score. */
        const char *na = eng_book_text(&eng_book_misc[EB_M_NOT_ASSESSABLE], b->zh);
        if (s->traceability >= 0)
            rpt_book_num(b, ws, r, EB_P_TRACE, s->traceability, b->num1);
        else
            rpt_book_str(b, ws, r, EB_P_TRACE, na, NULL);
        if (s->novelty >= 0)
            rpt_book_num(b, ws, r, EB_P_NOVELTY, s->novelty, b->num1);
        else if (s->traceability < 0)
            rpt_book_str(b, ws, r, EB_P_NOVELTY, na, NULL);
        if (s->overall >= 0)
            rpt_book_num(b, ws, r, EB_P_OVERALL, s->overall, b->num1);
        else
            rpt_book_str(b, ws, r, EB_P_OVERALL, na, NULL);
        rpt_book_str(b, ws, r, EB_P_ACC_CONCLUSION, s->acc_conclusion, NULL);
        rpt_book_str(b, ws, r, EB_P_ACC_DATE, s->acc_date, NULL);
        rpt_book_str(b, ws, r, EB_P_START, s->start, NULL);
        rpt_book_str(b, ws, r, EB_P_END, s->end, NULL);
        if (s->data_quality || s->conflicts) {
            char *q = rpt_quality_text(s->data_quality, s->conflicts);
            if (!q)
                b->oom = 1; /* the workbook fails whole */
            else
                rpt_book_str(b, ws, r, EB_P_QUALITY, q, NULL);
            free(q);
        }
        rpt_book_str(b, ws, r, EB_P_FLAGS, p->flags_joined, NULL);
        rpt_book_num(b, ws, r, EB_P_NFLAGS, p->nflags, NULL);
        rpt_book_str(b, ws, r, EB_P_DUP, s->duplicate_of, NULL);
        rpt_book_num(b, ws, r, EB_P_ERRORS, s->rule_errors, NULL);
        if (p->hn) {
            size_t sheet = evrow / lo->pe.per, row = evrow % lo->pe.per + 1;
            char target[200], quoted[140], label[64], ref[24];
            rpt_book_quote(quoted, sizeof quoted, lo->pe.names[sheet]);
            rpt_book_cell(ref, (lxw_row_t)row, 0, 0);
            snprintf(target, sizeof target, "%s!%s", quoted, ref);
            snprintf(label, sizeof label, p->hn == 1 ? c->L->hits_one : c->L->hits_many, p->hn);
            rpt_book_link(b, ws, r, EB_P_EVIDENCE, target, label);
            evrow += p->hn;
        }
        const eng_decision *dc = p->dec >= 0 ? &d->dec[p->dec] : NULL;
        if (dc) {
            rpt_book_str(b, ws, r, EB_P_DECISION, decision_label(c, dc->decision), b->input);
            rpt_book_str(b, ws, r, EB_P_COMMENT, dc->comment, b->input);
            if (!dc->decision && p->withdrawn) {
                /* The cell stays empty (a reviewer may decide again from the
                 * drop-down); its note says the decision was withdrawn. */
                char wn[256];
                snprintf(wn, sizeof wn, eng_book_text(&eng_book_misc[EB_M_WITHDRAWN_NOTE], b->zh),
                         dc->reviewer ? dc->reviewer : "?", dc->decided_at ? dc->decided_at : "?");
                rpt_book_check(b, worksheet_write_comment(ws, r, EB_P_DECISION, wn),
                               "withdrawn note");
            }
        }
        rpt_book_str(b, ws, r, EB_P_HASH, s->content_hash, NULL);
        if (dc && ((dc->decision && *dc->decision) || (dc->comment && *dc->comment))) {
            char h[17], written[96];
            comment_hash(dc->comment, h);
            snprintf(written, sizeof written, "%s:%s", nz(dc->decision), h);
            rpt_book_str(b, ws, r, EB_P_WRITTEN, written, NULL);
        }
    }
    for (size_t part = 0; part < lo->pp.n; part++)
        projects_view(c, lo, lo->pp.ws[part], (lxw_row_t)part_rows(&lo->pp, part));
}

static void write_duplicates(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    for (size_t part = 0; part < lo->pd.n; part++) {
        lxw_worksheet *ws = lo->pd.ws[part];
        if (!ws)
            return;
        for (int i = 0; i < EB_D_NCOLS; i++)
            col_width(ws, i, i, eng_book_dup[i].width, i >= EB_D_PASSAGE_A ? b->wrap : NULL);
        worksheet_set_row(ws, 0, 30, NULL);
        headers(c, ws, c->L->dup, EB_D_NCOLS);
    }
    for (size_t k = 0; k < lo->np; k++) {
        const eng_pair *p = &c->d->pairs[lo->pairs[k]];
        lxw_row_t r;
        lxw_worksheet *ws = part_at(&lo->pd, k, &r, p->a);
        rpt_book_num(b, ws, r, EB_D_GROUP, (double)p->group, NULL);
        rpt_book_str(b, ws, r, EB_D_A, p->a, NULL);
        title_str(b, ws, r, EB_D_TITLE_A, p->a_title);
        rpt_book_str(b, ws, r, EB_D_B, p->b, NULL);
        title_str(b, ws, r, EB_D_TITLE_B, p->b_title);
        rpt_book_str(b, ws, r, EB_D_KIND, tr(c, p->kind), NULL);
        rpt_book_str(b, ws, r, EB_D_ORDER, tr(c, p->ordered ? "A earlier" : "unknown"), NULL);
        char method[512];
        eng_book_method_text(p->method, c->L->zh, method, sizeof method);
        rpt_book_str(b, ws, r, EB_D_METHOD, method, NULL);
        rpt_book_num(b, ws, r, EB_D_JACCARD, p->jaccard, b->num3);
        rpt_book_num(b, ws, r, EB_D_CONTAINMENT, p->containment, b->num3);
        rpt_book_str(b, ws, r, EB_D_CONTAINED, p->contained, NULL);
        int n, oom = 0;
        char *sig = join_json_array(p->signals, &n, &oom);
        if (oom)
            b->oom = 1; /* the workbook fails whole */
        if (sig && c->L->zh) {
            /* Translate each signal; the joined text is rebuilt. */
            char buf[512];
            size_t k2 = 0;
            buf[0] = '\0';
            char *save = NULL;
            for (char *t = strtok_r(sig, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
                while (*t == ' ')
                    t++;
                k2 += (size_t)snprintf(buf + k2, k2 < sizeof buf ? sizeof buf - k2 : 0, "%s%s",
                                       k2 ? "；" : "", tr(c, t));
                if (k2 >= sizeof buf)
                    break;
            }
            rpt_book_str(b, ws, r, EB_D_SIGNALS, buf, NULL);
        } else {
            rpt_book_str(b, ws, r, EB_D_SIGNALS, sig, NULL);
        }
        free(sig);
        rpt_book_str(b, ws, r, EB_D_PASSAGE_A, p->passage_a, b->wrap);
        rpt_book_str(b, ws, r, EB_D_PASSAGE_B, p->passage_b, b->wrap);
    }
    for (size_t part = 0; part < lo->pd.n; part++) {
        lxw_row_t last = (lxw_row_t)part_rows(&lo->pd, part);
        table_view(b, lo->pd.ws[part], last, EB_D_NCOLS - 1, 2);
        colour_scale(b, lo->pd.ws[part], last, EB_D_JACCARD);
        colour_scale(b, lo->pd.ws[part], last, EB_D_CONTAINMENT);
    }
}

static void evidence_sheet_setup(const ctx *c, lxw_worksheet *ws)
{
    for (int i = 0; i < EB_E_NCOLS; i++)
        col_width(ws, i, i, eng_book_ev[i].width, i == EB_E_CONTEXT ? c->b->wrap : NULL);
    worksheet_set_row(ws, 0, 30, NULL);
    headers(c, ws, c->L->ev, EB_E_NCOLS);
}

static void write_evidence(const ctx *c, layout *lo, eng_err *err)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    for (size_t s = 0; s < lo->pe.n; s++)
        if (lo->pe.ws[s])
            evidence_sheet_setup(c, lo->pe.ws[s]);
    /* The hits are read from the store project by project: with one cursor
     * when the projects are in id order, else one query a project. */
    eng_hit_cursor *cur = NULL;
    if (lo->sorted && lo->nev && eng_hit_cursor_open(c->st, d->ri.id, &cur, err)) {
        b->oom = 1; /* the workbook fails whole; err says why */
        return;
    }
    size_t row = 0;
    for (size_t k = 0; k < lo->m && !b->oom; k++) {
        const eng_score *sc = &d->sc[lo->sel[k]];
        const proj *p = &d->pj[lo->sel[k]];
        if (!p->hn)
            continue;
        const eng_hit *hits = NULL;
        eng_hit *owned = NULL;
        size_t nh = 0;
        int rc = cur ? eng_hit_cursor_next(cur, sc->project_id, &hits, &nh, err)
                     : eng_store_hits(c->st, d->ri.id, sc->project_id, &owned, &nh, err);
        if (rc) {
            b->oom = 1;
            break;
        }
        if (owned)
            hits = owned;
        if (nh > p->hn)
            nh = p->hn; /* the rows the Projects sheet counted and links to */
        for (size_t j = 0; j < nh; j++, row++) {
            const eng_hit *h = &hits[j];
            lxw_row_t r;
            lxw_worksheet *ws = part_at(&lo->pe, row, &r, h->project_id);
            rpt_book_str(b, ws, r, EB_E_PROJECT, h->project_id, NULL);
            rpt_book_str(b, ws, r, EB_E_RULE, h->rule_id, NULL);
            rpt_book_str(b, ws, r, EB_E_DIMENSION, tr(c, h->dimension), NULL);
            rpt_book_str(b, ws, r, EB_E_FIELD, h->field, NULL);
            if (h->indicator >= 0)
                rpt_book_num(b, ws, r, EB_E_INDICATOR, h->indicator + 1, NULL);
            if (h->level > 0)
                rpt_book_num(b, ws, r, EB_E_LEVEL, h->level, NULL);
            rpt_book_num(b, ws, r, EB_E_POINTS, h->points, NULL);
            rpt_book_str(b, ws, r, EB_E_SEVERITY, tr(c, h->severity), NULL);
            rpt_book_str(b, ws, r, EB_E_MATCH, h->match, NULL);
            rpt_book_str(b, ws, r, EB_E_CONTEXT, h->context, b->wrap);
            rpt_book_str(b, ws, r, EB_E_MESSAGE, h->message, NULL);
            rpt_book_num(b, ws, r, EB_E_OFFSET, (double)h->offset, NULL);
            if (h->error)
                rpt_book_num(b, ws, r, EB_E_ERROR, h->error, NULL);
        }
        /* a project whose hits changed under us still fills its rows */
        for (size_t j = nh; j < p->hn; j++, row++) {
            lxw_row_t r;
            lxw_worksheet *ws = part_at(&lo->pe, row, &r, sc->project_id);
            rpt_book_str(b, ws, r, EB_E_PROJECT, sc->project_id, NULL);
        }
        eng_hits_free(owned, owned ? nh : 0);
    }
    eng_hit_cursor_close(cur);
    for (size_t s = 0; s < lo->pe.n; s++)
        table_view(b, lo->pe.ws[s], (lxw_row_t)part_rows(&lo->pe, s), EB_E_NCOLS - 1, 1);
}

static void write_indicators(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    for (size_t part = 0; part < lo->pi.n; part++) {
        lxw_worksheet *ws = lo->pi.ws[part];
        if (!ws)
            return;
        for (int i = 0; i < EB_I_NCOLS; i++)
            col_width(ws, i, i, eng_book_ind[i].width, i == EB_I_REASONS ? b->wrap : NULL);
        worksheet_set_row(ws, 0, 30, NULL);
        headers(c, ws, c->L->ind, EB_I_NCOLS);
    }
    size_t row = 0, trow = 0; /* trow: Traceability rows of the projects before */
    for (size_t k = 0; k < lo->m; k++) {
        const proj *p = &d->pj[lo->sel[k]];
        for (size_t j = 0; j < p->vn; j++) {
            const eng_ind_verdict *v = &d->vd[p->v0 + j];
            lxw_row_t r;
            lxw_worksheet *ws = part_at(&lo->pi, row++, &r, v->project_id);
            rpt_book_str(b, ws, r, EB_I_PROJECT, v->project_id, NULL);
            rpt_book_num(b, ws, r, EB_I_IDX, v->idx + 1, NULL);
            rpt_book_str(b, ws, r, EB_I_NAME, v->name, NULL);
            rpt_book_str(b, ws, r, EB_I_TARGET, v->target, NULL);
            /* The figure links to its first registry check, when it has one. */
            size_t first = p->cn;
            for (size_t q = 0; q < p->cn && first == p->cn; q++)
                if (d->chk[p->c0 + q].indicator == v->idx)
                    first = q;
            if (first < p->cn && lo->pt.n && lo->pt.ws[0] && v->achieved && *v->achieved) {
                char target[200], quoted[140], ref[24];
                size_t at = trow + first;
                rpt_book_quote(quoted, sizeof quoted, lo->pt.names[at / lo->pt.per]);
                rpt_book_cell(ref, (lxw_row_t)(at % lo->pt.per + 1), EB_T_VERDICT, 0);
                snprintf(target, sizeof target, "%s!%s", quoted, ref);
                const char *label =
                    rpt_text_clean(&b->tb, v->achieved, 60, c->L->zh ? "zh" : "en", NULL);
                if (label)
                    rpt_book_link(b, ws, r, EB_I_ACHIEVED, target, label);
                else
                    b->oom = 1;
            } else {
                rpt_book_str(b, ws, r, EB_I_ACHIEVED, v->achieved, NULL);
            }
            rpt_book_str(b, ws, r, EB_I_UNIT, v->unit, NULL);
            rpt_book_str(b, ws, r, EB_I_VERDICT, tr(c, v->verdict), NULL);
            rpt_book_num(b, ws, r, EB_I_POINTS, v->points, NULL);
            rpt_book_str(b, ws, r, EB_I_REASONS, v->reasons, b->wrap);
        }
        trow += p->cn;
    }
    for (size_t part = 0; part < lo->pi.n; part++) {
        lxw_worksheet *ws = lo->pi.ws[part];
        lxw_row_t last = (lxw_row_t)part_rows(&lo->pi, part);
        table_view(b, ws, last, EB_I_NCOLS - 1, 1);
        if (!last)
            continue;
        static const char *const verdicts[3] = {"traceable", "partly", "untraceable"};
        static const lxw_color_t colours[3] = {0xC6EFCE, 0xFFEB9C, 0xFFC7CE};
        for (int i = 0; i < 3; i++) {
            char lit[64];
            snprintf(lit, sizeof lit, "\"%s\"", tr(c, verdicts[i]));
            equal_fill(b, ws, last, EB_I_VERDICT, lit, fill_format(b, colours[i]));
        }
    }
}

/* Traceability: one row per registry check of the selected projects, in the
 * order the Indicators sheet links to (project, then check order). */
static void write_trace(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    if (!lo->pt.n || !lo->pt.ws[0])
        return;
    const char *names[EB_T_NCOLS];
    cols_text(names, eng_book_trace, EB_T_NCOLS, c->L->zh);
    for (size_t part = 0; part < lo->pt.n; part++) {
        lxw_worksheet *ws = lo->pt.ws[part];
        if (!ws)
            return;
        for (int i = 0; i < EB_T_NCOLS; i++)
            col_width(ws, i, i, eng_book_trace[i].width,
                      i == EB_T_ENTRY || i == EB_T_EVIDENCE ? b->wrap : NULL);
        worksheet_set_row(ws, 0, 30, NULL);
        headers(c, ws, names, EB_T_NCOLS);
    }
    size_t row = 0;
    char figure[256];
    for (size_t k = 0; k < lo->m; k++) {
        const proj *p = &d->pj[lo->sel[k]];
        for (size_t q = 0; q < p->cn; q++) {
            const eng_reg_check *ck = &d->chk[p->c0 + q];
            lxw_row_t r;
            lxw_worksheet *ws = part_at(&lo->pt, row++, &r, ck->project_id);
            rpt_book_str(b, ws, r, EB_T_PROJECT, ck->project_id, NULL);
            if (ck->indicator >= 0) {
                rpt_book_num(b, ws, r, EB_T_IDX, ck->indicator + 1, NULL);
                for (size_t j = 0; j < p->vn; j++) {
                    const eng_ind_verdict *v = &d->vd[p->v0 + j];
                    if (v->idx != ck->indicator)
                        continue;
                    rpt_book_str(b, ws, r, EB_T_INDICATOR, v->name, NULL);
                    snprintf(figure, sizeof figure, "%s%s%s", nz(v->achieved), v->unit ? " " : "",
                             nz(v->unit));
                    rpt_book_str(b, ws, r, EB_T_FIGURE, figure, NULL);
                }
            } else {
                rpt_book_str(b, ws, r, EB_T_INDICATOR, tr(c, "record"), NULL);
            }
            rpt_book_str(b, ws, r, EB_T_KIND, tr(c, eng_ref_kind_name(ck->ref_kind)), NULL);
            rpt_book_str(b, ws, r, EB_T_CLAIM, ck->claim, NULL);
            rpt_book_str(b, ws, r, EB_T_VERDICT, tr(c, eng_verdict_name(ck->verdict)), NULL);
            rpt_book_str(b, ws, r, EB_T_REGISTRY, ck->registry, NULL);
            rpt_book_str(b, ws, r, EB_T_CODE, ck->entry_code, NULL);
            rpt_book_str(b, ws, r, EB_T_ENTRY, ck->entry, b->wrap);
            rpt_book_str(b, ws, r, EB_T_EVIDENCE, ck->evidence, b->wrap);
            rpt_book_num(b, ws, r, EB_T_POINTS, ck->points, NULL);
        }
    }
    for (size_t part = 0; part < lo->pt.n; part++) {
        lxw_worksheet *ws = lo->pt.ws[part];
        lxw_row_t last = (lxw_row_t)part_rows(&lo->pt, part);
        table_view(b, ws, last, EB_T_NCOLS - 1, 1);
        if (last) {
            static const char *const verdicts[4] = {"verified", "not_found", "expired",
                                                    "implausible"};
            static const lxw_color_t colours[4] = {0xC6EFCE, 0xFFC7CE, 0xFFC7CE, 0xFFC7CE};
            for (int i = 0; i < 4; i++) {
                char lit[64];
                snprintf(lit, sizeof lit, "\"%s\"", tr(c, verdicts[i]));
                equal_fill(b, ws, last, EB_T_VERDICT, lit, fill_format(b, colours[i]));
            }
            char lit[64];
            snprintf(lit, sizeof lit, "\"%s\"", tr(c, "out_of_scope"));
            equal_fill(b, ws, last, EB_T_VERDICT, lit, fill_format(b, 0xFFEB9C));
        }
    }
}

/* A number of the rule set's header by path ("registry.gap_trl.min"). */
static double header_number(const run_data *d, const char *a, const char *b2, const char *c3,
                            double fallback)
{
    for (size_t i = 0; i < d->ndocs; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d->docs[i], a);
        n = n ? cJSON_GetObjectItemCaseSensitive(n, b2) : NULL;
        n = n ? cJSON_GetObjectItemCaseSensitive(n, c3) : NULL;
        if (cJSON_IsNumber(n))
            return n->valuedouble;
    }
    return fallback;
}

typedef struct gap_field {
    const char *field;
    long band, gap;
} gap_field;

static int gap_field_cmp(const void *x, const void *y)
{
    const gap_field *a = x, *b = y;
    return strcmp(a->field, b->field);
}

/* The metrology gap: the registries used, the gap counted by field, the
 * verdicts counted, and the projects in the gap. */
static void write_gap(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    lxw_worksheet *ws = lo->ws[EB_SH_GAP];
    if (!ws)
        return;
    int zh = c->L->zh;
#define G(k) eng_book_text(&eng_book_gap[k], zh)
    col_width(ws, 0, 0, 22, NULL);
    col_width(ws, 1, 1, 48, NULL);
    col_width(ws, 2, 3, 18, NULL);
    col_width(ws, 4, 4, 70, NULL);
    int lo_trl = (int)header_number(d, "registry", "gap_trl", "min", 3);
    int hi_trl = (int)header_number(d, "registry", "gap_trl", "max", 7);
    lxw_row_t r = 0;
    rpt_book_str(b, ws, r++, 0, G(EB_G_TITLE), b->title);
    char note[600];
    snprintf(note, sizeof note, "%s (TRL %d-%d)", G(EB_G_NOTE), lo_trl, hi_trl);
    rpt_book_str(b, ws, r++, 0, note, NULL);
    r++;
    rpt_book_str(b, ws, r++, 0, G(EB_G_REGISTRIES), b->section);
    const int rk[4] = {EB_G_KIND, EB_G_NAME, EB_G_ENTRIES, EB_G_SHA};
    for (int i = 0; i < 4; i++)
        rpt_book_str(b, ws, r, (lxw_col_t)i, G(rk[i]), b->header);
    r++;
    for (size_t i = 0; i < d->nregs; i++, r++) {
        rpt_book_str(b, ws, r, 0, tr(c, eng_reg_kind_name(d->regs[i].kind)), NULL);
        rpt_book_str(b, ws, r, 1, d->regs[i].name, NULL);
        rpt_book_num(b, ws, r, 2, (double)d->regs[i].entries, NULL);
        rpt_book_str(b, ws, r, 3, d->regs[i].sha256, NULL);
    }
    /* by field */
    gap_field *f = calloc(lo->m ? lo->m : 1, sizeof *f);
    size_t nf = 0;
    long verdicts[ENG_VERDICT_COUNT + 1] = {0};
    if (!f) {
        b->oom = 1;
        return;
    }
    for (size_t k = 0; k < lo->m; k++) {
        const eng_score *s = &d->sc[lo->sel[k]];
        const proj *p = &d->pj[lo->sel[k]];
        for (size_t q = 0; q < p->cn; q++)
            verdicts[d->chk[p->c0 + q].verdict % (ENG_VERDICT_COUNT + 1)]++;
        if ((s->kind && strcmp(s->kind, "project")) || s->trl_evidenced < lo_trl ||
            s->trl_evidenced > hi_trl)
            continue;
        f[nf].field = s->field && *s->field ? s->field : G(EB_G_NONE_FIELD);
        f[nf].band = 1;
        f[nf].gap = s->flags && strstr(s->flags, "\"METROLOGY-GAP\"") != NULL;
        nf++;
    }
    qsort(f, nf, sizeof *f, gap_field_cmp);
    r++;
    rpt_book_str(b, ws, r++, 0, G(EB_G_BY_FIELD), b->section);
    const int fk[4] = {EB_G_FIELD, EB_G_IN_BAND, EB_G_GAP, EB_G_SHARE};
    for (int i = 0; i < 4; i++)
        rpt_book_str(b, ws, r, (lxw_col_t)i, G(fk[i]), b->header);
    r++;
    for (size_t i = 0; i < nf;) {
        size_t j = i;
        long band = 0, gap = 0;
        while (j < nf && !strcmp(f[j].field, f[i].field)) {
            band += f[j].band;
            gap += f[j].gap;
            j++;
        }
        rpt_book_str(b, ws, r, 0, f[i].field, NULL);
        rpt_book_num(b, ws, r, 1, (double)band, NULL);
        rpt_book_num(b, ws, r, 2, (double)gap, NULL);
        rpt_book_num(b, ws, r, 3, band ? (double)gap / (double)band : 0, b->pct);
        r++;
        i = j;
    }
    free(f);
    r++;
    rpt_book_str(b, ws, r++, 0, G(EB_G_VERDICTS), b->section);
    rpt_book_str(b, ws, r, 0, G(EB_G_VERDICT), b->header);
    rpt_book_str(b, ws, r, 1, G(EB_G_COUNT), b->header);
    r++;
    for (int v = 1; v <= ENG_VERDICT_COUNT; v++, r++) {
        rpt_book_str(b, ws, r, 0, tr(c, eng_verdict_name(v)), NULL);
        rpt_book_num(b, ws, r, 1, (double)verdicts[v], NULL);
    }
    r++;
    rpt_book_str(b, ws, r++, 0, G(EB_G_PROJECTS), b->section);
    const int pk[5] = {EB_G_PROJECT, EB_G_TITLE_COL, EB_G_FIELD, EB_G_TRL, EB_G_CHECKS};
    for (int i = 0; i < 5; i++)
        rpt_book_str(b, ws, r, (lxw_col_t)i, G(pk[i]), b->header);
    r++;
    for (size_t k = 0; k < lo->m; k++) {
        const eng_score *s = &d->sc[lo->sel[k]];
        const proj *p = &d->pj[lo->sel[k]];
        if (!s->flags || !strstr(s->flags, "\"METROLOGY-GAP\""))
            continue;
        rpt_book_str(b, ws, r, 0, s->project_id, NULL);
        rpt_book_str(b, ws, r, 1, s->title, NULL);
        rpt_book_str(b, ws, r, 2, s->field, NULL);
        rpt_book_num(b, ws, r, 3, s->trl_evidenced, NULL);
        base_buf sum = {0};
        for (size_t q = 0; q < p->cn; q++) {
            const eng_reg_check *ck = &d->chk[p->c0 + q];
            base_buf_printf(&sum, "%s%s: %s", q ? "; " : "", tr(c, eng_verdict_name(ck->verdict)),
                            nz(ck->claim));
        }
        if (sum.oom)
            b->oom = 1;
        rpt_book_str(b, ws, r, 4, sum.p, NULL);
        base_buf_release(&sum);
        r++;
    }
#undef G
}

/* A rule's value as cell text: strings as they are, arrays joined with
 * "; ", anything else as compact JSON.  OUT: *owned when malloc'd.  When
 * memory runs out the workbook is marked to fail (b->oom). */
static const char *json_text(rpt_book *b, const cJSON *v, char **owned)
{
    *owned = NULL;
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsArray(v)) {
        int all_str = 1;
        const cJSON *it;
        cJSON_ArrayForEach(it, v) all_str &= cJSON_IsString(it);
        if (all_str) {
            char *s = cJSON_PrintUnformatted(v);
            int n, oom = !s;
            *owned = join_json_array(s, &n, &oom);
            free(s);
            if (oom)
                b->oom = 1;
            return *owned;
        }
    }
    *owned = cJSON_PrintUnformatted(v);
    if (!*owned)
        b->oom = 1;
    return *owned;
}

static void write_rules(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    lxw_worksheet *ws = lo->ws[EB_SH_RULES];
    if (!ws)
        return;
    for (int i = 0; i < EB_R_NCOLS; i++)
        col_width(ws, i, i, eng_book_rule[i].width, NULL);
    worksheet_set_row(ws, 0, 30, NULL);
    headers(c, ws, c->L->rule, EB_R_NCOLS);
    for (size_t k = 0; k < c->d->nrules; k++) {
        const cJSON *rule = c->d->rules[k];
        lxw_row_t r = (lxw_row_t)(k + 1);
        for (int col = 0; col < EB_R_NCOLS; col++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(rule, eng_book_rule[col].key);
            if (!v)
                continue;
            if (cJSON_IsNumber(v)) {
                rpt_book_num(b, ws, r, (lxw_col_t)col, v->valuedouble, NULL);
            } else if (cJSON_IsBool(v)) {
                if (cJSON_IsTrue(v))
                    rpt_book_str(b, ws, r, (lxw_col_t)col, c->L->yes, NULL);
            } else {
                char *owned;
                const char *t = json_text(b, v, &owned);
                if (col == EB_R_DIMENSION || col == EB_R_SCOPE || col == EB_R_SEVERITY)
                    t = tr(c, t);
                rpt_book_str(b, ws, r, (lxw_col_t)col, t, NULL);
                free(owned);
            }
        }
    }
    table_view(b, ws, (lxw_row_t)c->d->nrules, EB_R_NCOLS - 1, 1);
}

/* ---- Summary ------------------------------------------------------------------------------- */

typedef struct flag_count {
    char *id;
    long n;
} flag_count;

static int flag_count_cmp(const void *x, const void *y)
{
    const flag_count *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Counts each flag id over the selected projects.  OUT: *out (malloc'd,
 * ids malloc'd), *n. */
static void count_flags(const ctx *c, const layout *lo, flag_count **out, size_t *n)
{
    int oom = 0;
    flag_count *v = NULL;
    size_t cnt = 0;
    for (size_t k = 0; k < lo->m; k++) {
        const eng_score *s = &c->d->sc[lo->sel[k]];
        if (!c->d->pj[lo->sel[k]].nflags)
            continue;
        cJSON *a = cJSON_Parse(s->flags);
        if (!a)
            oom = 1;
        const cJSON *it;
        cJSON_ArrayForEach(it, a)
        {
            if (!cJSON_IsString(it))
                continue;
            size_t j = 0;
            while (j < cnt && strcmp(v[j].id, it->valuestring))
                j++;
            if (j == cnt) {
                flag_count *nv = realloc(v, (cnt + 1) * sizeof *nv);
                char *id = strdup(it->valuestring);
                if (!nv || !id) {
                    free(id);
                    if (nv)
                        v = nv;
                    oom = 1;
                    break;
                }
                v = nv;
                v[cnt].id = id;
                v[cnt].n = 0;
                cnt++;
            }
            v[j].n++;
        }
        cJSON_Delete(a);
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, flag_count_cmp);
    if (oom)
        c->b->oom = 1; /* the workbook fails whole */
    *out = v;
    *n = cnt;
}

/* Writes the params JSON flattened to "a.b" keys. */
static lxw_row_t write_params(const ctx *c, lxw_worksheet *ws, lxw_row_t r, const cJSON *node,
                              const char *prefix)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, node)
    {
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", nz(it->string));
        if (cJSON_IsObject(it)) {
            r = write_params(c, ws, r, it, key);
            continue;
        }
        char name[384];
        eng_book_param_name(key, c->L->zh, name, sizeof name);
        rpt_book_str(c->b, ws, r, 0, name, NULL);
        if (cJSON_IsNumber(it)) {
            rpt_book_num(c->b, ws, r, 1, it->valuedouble, NULL);
        } else {
            char *owned;
            const char *t = json_text(c->b, it, &owned);
            if (cJSON_IsBool(it))
                t = cJSON_IsTrue(it) ? "true" : "false";
            rpt_book_str(c->b, ws, r, 1, cJSON_IsString(it) ? tr(c, t) : t, NULL);
            free(owned);
        }
        r++;
    }
    return r;
}

static void add_chart(const ctx *c, lxw_worksheet *ws, uint8_t type, const char *title,
                      const char *sheet_q, int cat_col, int first_val_col, int nser,
                      const char *const *names, lxw_row_t r0, lxw_row_t r1, lxw_row_t at_row,
                      lxw_col_t at_col)
{
    lxw_chart *ch = workbook_add_chart(c->b->wb, type);
    if (!ch) {
        c->b->oom = 1;
        return;
    }
    for (int s = 0; s < nser; s++) {
        char cat[256], val[256], a[24], z[24];
        rpt_book_cell(a, r0, (lxw_col_t)cat_col, 1);
        rpt_book_cell(z, r1, (lxw_col_t)cat_col, 1);
        snprintf(cat, sizeof cat, "=%s!%s:%s", sheet_q, a, z);
        rpt_book_cell(a, r0, (lxw_col_t)(first_val_col + s), 1);
        rpt_book_cell(z, r1, (lxw_col_t)(first_val_col + s), 1);
        snprintf(val, sizeof val, "=%s!%s:%s", sheet_q, a, z);
        lxw_chart_series *ser = chart_add_series(ch, cat, val);
        if (ser)
            chart_series_set_name(ser, names[s]);
    }
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->y_axis, c->L->sum[EB_S_PROJECTS_AXIS]);
    if (nser == 1)
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    else
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options o;
    memset(&o, 0, sizeof o);
    o.x_scale = 1.0;
    o.y_scale = 1.0;
    rpt_book_check(c->b, worksheet_insert_chart_opt(ws, at_row, at_col, ch, &o), "chart");
}

static void write_summary(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    const run_data *d = c->d;
    const labels *L = c->L;
    lxw_worksheet *ws = lo->ws[EB_SH_SUMMARY];
    if (!ws)
        return;
    col_width(ws, 0, 0, 34, NULL);
    col_width(ws, 1, 1, 68, NULL);
    col_width(ws, 2, 2, 3, NULL);
    col_width(ws, 3, 3, 22, NULL);
    col_width(ws, 4, 6, 12, NULL);
    col_width(ws, 7, 7, 3, NULL);
    char sq[140];
    rpt_book_quote(sq, sizeof sq, lo->names[EB_SH_SUMMARY]);

    /* Left: the run, its method, counts, decisions, how to review. */
    lxw_row_t r = 0;
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_TITLE], b->title);
    r = 2;
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RUN], b->bold);
    rpt_book_num(b, ws, r++, 1, (double)d->ri.id, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RUN_NAME], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.name, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RUN_DATE], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.created, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_WRITTEN], b->bold);
    rpt_book_str(b, ws, r++, 1, b->created_iso, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RULESET], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.ruleset_name, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RS_VERSION], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.ruleset_version, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_RS_SHA], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.ruleset_sha256, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_TOOL], b->bold);
    rpt_book_str(b, ws, r++, 1, d->ri.tool_version, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_STORE], b->bold);
    rpt_book_str(b, ws, r++, 1, d->store_id, NULL);
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_PANEL], b->bold);
    if (lo->panel) {
        char panel[512];
        snprintf(panel, sizeof panel, "%s = %s", c->opt->split_by,
                 *lo->panel ? lo->panel : L->sum[EB_S_NONE]);
        rpt_book_str(b, ws, r++, 1, panel, NULL);
    } else {
        rpt_book_str(b, ws, r++, 1, L->sum[EB_S_ALL], NULL);
    }
    if (lo->selection) {
        rpt_book_str(b, ws, r, 0, L->sum[EB_S_SELECTION], b->bold);
        rpt_book_str(b, ws, r++, 1, lo->selection, NULL);
    }
    if (lo->index) {
        char parted[256];
        snprintf(parted, sizeof parted, eng_book_text(&eng_book_misc[EB_M_PARTED], L->zh),
                 lo->pp.per, lo->index_name);
        rpt_book_str(b, ws, r, 0, L->sum[EB_S_PARTS], b->bold);
        rpt_book_str(b, ws, r++, 1, parted, NULL);
    }
    rpt_book_str(b, ws, r, 0, L->sum[EB_S_REVIEWER], b->bold);
    worksheet_write_blank(ws, r++, 1, b->input);
    r++;

    rpt_book_str(b, ws, r++, 0, L->sum[EB_S_PARAMS], b->section);
    if (cJSON_IsObject(d->params))
        r = write_params(c, ws, r, d->params, "");
    r++;

    /* Counts. */
    long flagged = 0, dup = 0, errors = 0, nv[3] = {0, 0, 0};
    long claimed[10] = {0}, evidenced[10] = {0}, hist[3][10] = {{0}}, nas[3] = {0, 0, 0};
    for (size_t k = 0; k < lo->m; k++) {
        size_t i = lo->sel[k];
        const eng_score *s = &d->sc[i];
        const proj *p = &d->pj[i];
        flagged += p->nflags > 0;
        dup += s->duplicate_of && *s->duplicate_of;
        errors += s->rule_errors > 0;
        claimed[s->trl_claimed >= 0 && s->trl_claimed <= 9 ? s->trl_claimed : 0]++;
        evidenced[s->trl_evidenced >= 0 && s->trl_evidenced <= 9 ? s->trl_evidenced : 0]++;
        double vals[3] = {s->traceability, s->novelty, s->overall};
        /* not assessable: counted beside the histogram, never a bin (a
         * novelty merely not computed is neither) */
        nas[0] += s->traceability < 0;
        nas[1] += s->traceability < 0;
        nas[2] += s->overall < 0;
        for (int h = 0; h < 3; h++) {
            if (vals[h] < 0)
                continue;
            int bin = (int)(vals[h] / 10);
            hist[h][bin > 9 ? 9 : bin]++;
        }
        for (size_t j = 0; j < p->vn; j++) {
            const char *v = d->vd[p->v0 + j].verdict;
            for (int t = 0; t < 3; t++)
                if (v && !strcmp(v, (const char *[]){"traceable", "partly", "untraceable"}[t]))
                    nv[t]++;
        }
    }
    rpt_book_str(b, ws, r++, 0, L->sum[EB_S_COUNTS], b->section);
    const struct {
        int label;
        double v;
    } counts[] = {
        {EB_S_N_PROJECTS, (double)lo->m},    {EB_S_N_HITS, (double)lo->nev},
        {EB_S_N_PAIRS, (double)lo->np},      {EB_S_N_FLAGGED, (double)flagged},
        {EB_S_N_DUP, (double)dup},           {EB_S_N_INDICATORS, (double)lo->nind},
        {EB_S_N_TRACEABLE, (double)nv[0]},   {EB_S_N_PARTLY, (double)nv[1]},
        {EB_S_N_UNTRACEABLE, (double)nv[2]}, {EB_S_N_RULE_ERRORS, (double)errors},
        {EB_S_N_NA, (double)nas[0]},
    };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        rpt_book_str(b, ws, r, 0, L->sum[counts[k].label], NULL);
        rpt_book_num(b, ws, r++, 1, counts[k].v, NULL);
    }
    lxw_row_t repaired_row = r++, truncated_row = r++;
    r++;

    /* The calibration record of the run's rule set: the stated uncertainty
     * of the instrument that produced these scores. */
    rpt_book_str(b, ws, r++, 0, eng_book_text(&eng_book_calib[EB_C_SECTION], L->zh), b->section);
    eng_calib_line cal[ENG_CALIB_LINES];
    size_t ncal = eng_calib_lines(d->ri.ruleset_text, L->zh, cal);
    for (size_t k = 0; k < ncal; k++) {
        rpt_book_str(b, ws, r, 0, cal[k].label, NULL);
        rpt_book_str(b, ws, r++, 1, cal[k].value, NULL);
    }
    r++;

    /* Decisions: live counts over the Decision column (the writer's own
     * formulas: cell references only). */
    rpt_book_str(b, ws, r++, 0, L->sum[EB_S_DECISIONS], b->section);
    char lq[140];
    rpt_book_quote(lq, sizeof lq, lo->names[EB_SH_LISTS]);
    long dcount[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < lo->m; k++) {
        const proj *p = &d->pj[lo->sel[k]];
        int di = p->dec >= 0 ? decision_index(d->dec[p->dec].decision) : -1;
        if (p->dec < 0 || !d->dec[p->dec].decision || !*d->dec[p->dec].decision)
            dcount[3]++;
        else if (di >= 0)
            dcount[di]++;
    }
    for (int i = 0; i < 4; i++) {
        /* one COUNTIF (COUNTBLANK) a part of Projects, added up */
        char f[4096], cell[24];
        size_t fl = (size_t)snprintf(f, sizeof f, "=");
        rpt_book_str(b, ws, r, 0, i < 3 ? L->decision[i] : L->sum[EB_S_UNDECIDED], NULL);
        rpt_book_cell(cell, (lxw_row_t)(i < 3 ? i : 0), 0, 1);
        for (size_t part = 0; part < lo->pp.n && fl < sizeof f; part++) {
            char pq[140], a[24], z[24];
            size_t rows = part_rows(&lo->pp, part);
            rpt_book_quote(pq, sizeof pq, lo->pp.names[part]);
            rpt_book_cell(a, 1, EB_P_DECISION, 1);
            rpt_book_cell(z, rows ? (lxw_row_t)rows : 1, EB_P_DECISION, 1);
            if (i < 3)
                fl += (size_t)snprintf(f + fl, sizeof f - fl, "%sCOUNTIF(%s!%s:%s,%s!%s)",
                                       part ? "+" : "", pq, a, z, lq, cell);
            else
                fl += (size_t)snprintf(f + fl, sizeof f - fl, "%sCOUNTBLANK(%s!%s:%s)",
                                       part ? "+" : "", pq, a, z);
        }
        if (lo->m && fl < sizeof f)
            rpt_book_formula(b, ws, r++, 1, f, (double)dcount[i], NULL);
        else
            rpt_book_num(b, ws, r++, 1, (double)dcount[i], NULL);
    }
    r++;
    rpt_book_str(b, ws, r++, 0, L->sum[EB_S_HOWTO], b->section);
    for (int i = EB_S_STEP1; i <= EB_S_STEP5; i++)
        rpt_book_str(b, ws, r++, 0, L->sum[i], NULL);

    /* Right: the tables the charts draw. */
    lxw_row_t t = 0;
    rpt_book_str(b, ws, t++, 3, L->sum[EB_S_TRL_TABLE], b->section);
    rpt_book_str(b, ws, t, 3, L->sum[EB_S_LEVEL], b->header);
    rpt_book_str(b, ws, t, 4, L->sum[EB_S_CLAIMED], b->header);
    rpt_book_str(b, ws, t++, 5, L->sum[EB_S_EVIDENCED], b->header);
    lxw_row_t trl0 = t;
    for (int lv = 0; lv <= 9; lv++, t++) {
        char lab[16];
        snprintf(lab, sizeof lab, "%d", lv);
        rpt_book_str(b, ws, t, 3, lv ? lab : L->sum[EB_S_NO_READING], NULL);
        rpt_book_num(b, ws, t, 4, (double)claimed[lv], NULL);
        rpt_book_num(b, ws, t, 5, (double)evidenced[lv], NULL);
    }
    lxw_row_t trl1 = t - 1;
    t++;
    rpt_book_str(b, ws, t++, 3, L->sum[EB_S_HIST_TABLE], b->section);
    rpt_book_str(b, ws, t, 3, L->sum[EB_S_RANGE], b->header);
    rpt_book_str(b, ws, t, 4, L->sum[EB_S_TRACE], b->header);
    rpt_book_str(b, ws, t, 5, L->sum[EB_S_NOVELTY], b->header);
    rpt_book_str(b, ws, t++, 6, L->sum[EB_S_OVERALL], b->header);
    lxw_row_t h0 = t;
    for (int bin = 0; bin < 10; bin++, t++) {
        char lab[16];
        snprintf(lab, sizeof lab, "%d\xE2\x80\x93%d", bin * 10, bin * 10 + 10);
        rpt_book_str(b, ws, t, 3, lab, NULL);
        for (int h = 0; h < 3; h++)
            rpt_book_num(b, ws, t, (lxw_col_t)(4 + h), (double)hist[h][bin], NULL);
    }
    lxw_row_t h1 = t - 1;
    rpt_book_str(b, ws, t, 3, L->sum[EB_S_NOT_ASSESSABLE], NULL);
    for (int h = 0; h < 3; h++)
        rpt_book_num(b, ws, t, (lxw_col_t)(4 + h), (double)nas[h], NULL);
    t += 2;
    rpt_book_str(b, ws, t++, 3, L->sum[EB_S_FLAGS_TABLE], b->section);
    rpt_book_str(b, ws, t, 3, L->sum[EB_S_FLAG], b->header);
    rpt_book_str(b, ws, t++, 4, L->sum[EB_S_FLAG_PROJECTS], b->header);
    flag_count *fc = NULL;
    size_t nfc = 0;
    count_flags(c, lo, &fc, &nfc);
    lxw_row_t f0 = t;
    for (size_t k = 0; k < nfc; k++, t++) {
        rpt_book_str(b, ws, t, 3, fc[k].id, NULL);
        rpt_book_num(b, ws, t, 4, (double)fc[k].n, NULL);
    }
    if (!nfc)
        rpt_book_str(b, ws, t++, 3, L->sum[EB_S_NO_FLAGS], NULL);
    lxw_row_t f1 = t - 1;
    for (size_t k = 0; k < nfc; k++)
        free(fc[k].id);
    free(fc);

    /* Charts, in two columns to the right of the tables. */
    const char *trl_names[2] = {L->sum[EB_S_CLAIMED], L->sum[EB_S_EVIDENCED]};
    /* the chart draws levels 1-9: "no reading" is counted in the table, not drawn as a level */
    add_chart(c, ws, LXW_CHART_COLUMN, L->sum[EB_S_CHART_TRL], sq, 3, 4, 2, trl_names, trl0 + 1,
              trl1, 0, 8);
    if (nfc)
        add_chart(c, ws, LXW_CHART_BAR, L->sum[EB_S_CHART_FLAGS], sq, 3, 4, 1,
                  &L->sum[EB_S_FLAG_PROJECTS], f0, f1, 0, 16);
    for (int h = 0; h < 3; h++) {
        const char *name = L->sum[EB_S_TRACE + h];
        add_chart(c, ws, LXW_CHART_COLUMN, name, sq, 3, 4 + h, 1, &name, h0, h1,
                  (lxw_row_t)(16 + 16 * (h / 2)), (lxw_col_t)(8 + 8 * (h % 2)));
    }

    /* Written last: what the other sheets had to repair. */
    rpt_book_str(b, ws, repaired_row, 0, L->sum[EB_S_N_REPAIRED], NULL);
    rpt_book_num(b, ws, repaired_row, 1, (double)b->repaired, NULL);
    rpt_book_str(b, ws, truncated_row, 0, L->sum[EB_S_N_TRUNCATED], NULL);
    rpt_book_num(b, ws, truncated_row, 1, (double)b->truncated, NULL);
}

/* Opens the parts of a long sheet: total rows in parts of per. */
static int parts_open(rpt_book *b, parts_t *ps, const char *base, size_t total, size_t per)
{
    size_t n = total ? (total + per - 1) / per : 1;
    if (n > MAX_PARTS)
        return -1;
    ps->total = total;
    ps->per = per;
    ps->n = n;
    for (size_t k = 0; k < ps->n; k++) {
        char want[160];
        if (ps->n > 1)
            snprintf(want, sizeof want, "%s %zu", base, k + 1);
        else
            snprintf(want, sizeof want, "%s", base);
        size_t rows = part_rows(ps, k);
        ps->ws[k] = rpt_book_sheet(b, want, (long)rows + 1, ps->names[k]);
    }
    return 0;
}

/* The Index: every part of every split sheet, its rows, its first and last
 * project, and a link to it. */
static void write_index(const ctx *c, layout *lo)
{
    rpt_book *b = c->b;
    lxw_worksheet *ws = lo->index;
    if (!ws)
        return;
    int zh = c->L->zh;
    col_width(ws, 0, 0, 24, NULL);
    col_width(ws, 1, 1, 12, NULL);
    col_width(ws, 2, 3, 28, NULL);
    rpt_book_str(b, ws, 0, 0, eng_book_text(&eng_book_misc[EB_M_INDEX_NOTE], zh), b->bold);
    static const int heads[4] = {EB_M_INDEX_SHEET_COL, EB_M_INDEX_ROWS, EB_M_INDEX_FIRST,
                                 EB_M_INDEX_LAST};
    for (int i = 0; i < 4; i++)
        rpt_book_str(b, ws, 2, (lxw_col_t)i, eng_book_text(&eng_book_misc[heads[i]], zh),
                     b->header);
    lxw_row_t r = 3;
    parts_t *all[5] = {&lo->pp, &lo->pd, &lo->pe, &lo->pi, &lo->pt};
    for (int s = 0; s < 5; s++) {
        parts_t *ps = all[s];
        if (ps->n < 2)
            continue;
        for (size_t k = 0; k < ps->n; k++, r++) {
            char target[200], quoted[140];
            rpt_book_quote(quoted, sizeof quoted, ps->names[k]);
            snprintf(target, sizeof target, "%s!A1", quoted);
            rpt_book_link(b, ws, r, 0, target, ps->names[k]);
            rpt_book_num(b, ws, r, 1, (double)part_rows(ps, k), NULL);
            rpt_book_str(b, ws, r, 2, ps->first[k], NULL);
            rpt_book_str(b, ws, r, 3, ps->last[k], NULL);
        }
    }
}

static int write_book(const ctx *c0, const size_t *sel, size_t m, int sorted, const char *panel,
                      const char *selection, const char *path, eng_err *err)
{
    const run_data *d = c0->d;
    layout lo;
    memset(&lo, 0, sizeof lo);
    lo.sel = sel;
    lo.m = m;
    lo.sorted = sorted;
    lo.panel = panel;
    lo.selection = selection;
    for (size_t k = 0; k < m; k++) {
        lo.nev += d->pj[sel[k]].hn;
        lo.nind += d->pj[sel[k]].vn;
        lo.ntrace += d->pj[sel[k]].cn;
    }
    size_t per = c0->opt->sheet_rows > 0 && (size_t)c0->opt->sheet_rows < SHEET_ROWS
                     ? (size_t)c0->opt->sheet_rows
                     : SHEET_ROWS;
    /* The pairs: those with one side among the projects written. */
    lo.pairs = malloc((d->npairs ? d->npairs : 1) * sizeof *lo.pairs);
    if (!lo.pairs)
        return eng_fail(err, ENG_EIO, "out of memory");
    if (m == d->nsc) {
        for (size_t i = 0; i < d->npairs; i++)
            lo.pairs[lo.np++] = i;
    } else {
        unsigned char *in = calloc(d->nsc ? d->nsc : 1, 1);
        if (!in) {
            free(lo.pairs);
            return eng_fail(err, ENG_EIO, "out of memory");
        }
        for (size_t k = 0; k < m; k++)
            in[sel[k]] = 1;
        for (size_t i = 0; i < d->npairs; i++) {
            long ia = score_index(d, d->pairs[i].a), ib = score_index(d, d->pairs[i].b);
            if ((ia >= 0 && in[ia]) || (ib >= 0 && in[ib]))
                lo.pairs[lo.np++] = i;
        }
        free(in);
    }
    size_t sheets = 0, most = 0;
    const size_t counts[5] = {m, lo.np, lo.nev, lo.nind, d->nregs ? lo.ntrace : 0};
    for (int s = 0; s < 5; s++) {
        size_t n = counts[s] ? (counts[s] + per - 1) / per : 1;
        sheets += n;
        most = n > most ? n : most;
    }
    if (sheets + EB_NSHEETS > RPT_BOOK_MAX_SHEETS || most > MAX_PARTS) {
        free(lo.pairs);
        return eng_fail(err, ENG_EINPUT,
                        "%s: %zu projects, %zu pairs and %zu rule hits need %zu sheets of %zu "
                        "rows, more than a workbook holds here: select with --where or --top, "
                        "or split by panel with --split-by",
                        path, m, lo.np, lo.nev, sheets, per);
    }

    rpt_book b;
    char title[160];
    snprintf(title, sizeof title, "vernier: run %ld", d->ri.id);
    int rc = rpt_book_open(&b, path, c0->opt, title, err);
    if (rc) {
        free(lo.pairs);
        return rc;
    }
    b.set = c0->set;
    ctx c = *c0;
    c.b = &b;
    const labels *L = c.L;
    int parted = 0;
    for (int s = 0; s < 5; s++)
        parted |= counts[s] > per;
    /* Summary is written out of row order (its counts come last): never a
     * constant-memory sheet; nor is the Index. */
    for (int s = 0; s < EB_NSHEETS; s++) {
        /* The registry sheets belong to runs that checked registries. */
        if ((s == EB_SH_TRACE || s == EB_SH_GAP) && !d->nregs)
            continue;
        parts_t *ps = s == EB_SH_PROJECTS     ? &lo.pp
                      : s == EB_SH_DUPLICATES ? &lo.pd
                      : s == EB_SH_EVIDENCE   ? &lo.pe
                      : s == EB_SH_INDICATORS ? &lo.pi
                      : s == EB_SH_TRACE      ? &lo.pt
                                              : NULL;
        if (ps) {
            size_t total = s == EB_SH_PROJECTS     ? m
                           : s == EB_SH_DUPLICATES ? lo.np
                           : s == EB_SH_EVIDENCE   ? lo.nev
                           : s == EB_SH_INDICATORS ? lo.nind
                                                   : lo.ntrace;
            parts_open(&b, ps, L->sheet[s], total, per); /* sized above */
            lo.ws[s] = ps->ws[0];
            snprintf(lo.names[s], sizeof lo.names[s], "%s", ps->names[0]);
        } else {
            long rows = s == EB_SH_RULES ? (long)d->nrules + 1 : s == EB_SH_LISTS ? 3 : 0;
            lo.ws[s] = rpt_book_sheet(&b, L->sheet[s], rows, lo.names[s]);
        }
        if (s == EB_SH_SUMMARY && parted)
            lo.index = rpt_book_sheet(&b, eng_book_text(&eng_book_misc[EB_M_INDEX_SHEET], L->zh), 0,
                                      lo.index_name);
    }
    write_lists(&c, &lo);
    write_projects(&c, &lo);
    write_duplicates(&c, &lo);
    eng_err herr;
    eng_err_clear(&herr);
    write_evidence(&c, &lo, &herr);
    write_indicators(&c, &lo);
    write_trace(&c, &lo);
    write_gap(&c, &lo);
    write_rules(&c, &lo);
    write_summary(&c, &lo);
    write_index(&c, &lo);
    if (c0->opt->written && lo.index) {
        c0->opt->written->parted = 1;
        if (lo.pp.n > c0->opt->written->parts)
            c0->opt->written->parts = lo.pp.n;
        c0->opt->written->sheet_rows = per;
    }

    char id[32];
    snprintf(id, sizeof id, "%ld", d->ri.id);
    rpt_book_property(&b, "vernier_run", id);
    rpt_book_property(&b, "vernier_ruleset_sha256", nz(d->ri.ruleset_sha256));
    rpt_book_property(&b, "vernier_lang", L->zh ? "zh" : "en");
    if (panel) {
        rpt_book_property(&b, "vernier_split_by", c.opt->split_by);
        rpt_book_property(&b, "vernier_panel", *panel ? panel : "none");
    }
    if (*d->store_id)
        rpt_book_property(&b, "vernier_store", d->store_id);
    free(lo.pairs);
    if (herr.code) { /* the rule hits could not be read: no workbook */
        rpt_book_abort(&b);
        if (err)
            *err = herr;
        return herr.code;
    }
    return rpt_book_close(&b, err);
}

/* ---- split-by ----------------------------------------------------------------------------------
 */

static const char *panel_value(const eng_score *s, const char *field)
{
    const char *v = !strcmp(field, "source")         ? s->source
                    : !strcmp(field, "field")        ? s->field
                    : !strcmp(field, "organisation") ? s->organisation
                    : !strcmp(field, "kind")         ? s->kind
                                                     : s->pi;
    return v ? v : "";
}

typedef struct panel_ref {
    const char *value;
    size_t i;
} panel_ref;

static int panel_ref_cmp(const void *x, const void *y)
{
    const panel_ref *a = x, *b = y;
    int c = strcmp(a->value, b->value);
    if (c)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int push_path(char ***paths, size_t *n, const char *p)
{
    char **nv = realloc(*paths, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *paths = nv;
    if (!(nv[*n] = strdup(p)))
        return -1;
    (*n)++;
    return 0;
}

void rpt_paths_free(char **paths, size_t n)
{
    if (!paths)
        return;
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int rpt_workbook_write(eng_store *st, long run, const char *path, const rpt_options *opt,
                       char ***paths, size_t *npaths, eng_err *err)
{
    rpt_options defaults;
    memset(&defaults, 0, sizeof defaults);
    if (!opt)
        opt = &defaults;
    const char *lang = opt->lang ? opt->lang : "en";
    if (strcmp(lang, "en") && strcmp(lang, "zh"))
        return eng_fail(err, ENG_EUSAGE, "unknown language '%s' (en or zh)", lang);
    static const char *const fields[] = {"source", "field", "organisation", "kind", "pi", NULL};
    if (opt->split_by) {
        int ok = 0;
        for (int i = 0; fields[i]; i++)
            ok |= !strcmp(fields[i], opt->split_by);
        if (!ok)
            return eng_fail(err, ENG_EUSAGE,
                            "cannot split by '%s' (source, field, organisation, kind or pi)",
                            opt->split_by);
    }
    time_t tdummy;
    if (opt->fixed_date && *opt->fixed_date && rpt_parse_date(opt->fixed_date, &tdummy))
        return eng_fail(err, ENG_EUSAGE, "bad date '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                        opt->fixed_date);

    rpt_where *where = NULL;
    int order = rpt_order_parse(opt->by, err);
    if (order < 0)
        return ENG_EUSAGE;
    if (opt->top < 0)
        return eng_fail(err, ENG_EUSAGE, "--top takes a positive number");
    if (opt->where && rpt_where_parse(opt->where, &where, err))
        return err ? err->code : ENG_EUSAGE;
    run_data d;
    int rc = load_run(st, run, &d, err);
    if (rc) {
        rpt_where_free(where);
        run_data_release(&d);
        return rc;
    }
    labels L;
    labels_init(&L, !strcmp(lang, "zh"));
    ctx c = {st, &d, &L, opt, NULL, NULL};
    char **out = NULL;
    size_t nout = 0;
    size_t *sel = malloc((d.nsc ? d.nsc : 1) * sizeof *sel);
    panel_ref *pr = malloc((d.nsc ? d.nsc : 1) * sizeof *pr);
    char *selection = NULL;
    if (!sel || !pr) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    /* The selection: --where, then --top by its order. */
    size_t m = 0;
    for (size_t i = 0; i < d.nsc; i++)
        if (rpt_where_match(where, &d.sc[i]))
            sel[m++] = i;
    size_t matched = m;
    int sorted = 1;
    if (opt->top > 0) {
        rpt_order_sort(d.sc, sel, m, order);
        if ((size_t)opt->top < m)
            m = (size_t)opt->top;
        sorted = 0;
    }
    if (opt->where || opt->top > 0) {
        char buf[1024];
        size_t k = (size_t)snprintf(buf, sizeof buf,
                                    eng_book_text(&eng_book_misc[EB_M_SEL_ALL_OF], L.zh), m, d.nsc);
        if (opt->top > 0 && k < sizeof buf)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "; ");
        if (opt->top > 0 && k < sizeof buf)
            k += (size_t)snprintf(buf + k, sizeof buf - k,
                                  eng_book_text(&eng_book_misc[EB_M_SEL_TOP], L.zh), opt->top,
                                  opt->by ? opt->by : "overall");
        if (opt->where && k < sizeof buf)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "; ");
        if (opt->where && k < sizeof buf)
            snprintf(buf + k, sizeof buf - k, eng_book_text(&eng_book_misc[EB_M_SEL_WHERE], L.zh),
                     opt->where, matched);
        if (!(selection = strdup(buf))) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
    }
    if (opt->written) {
        opt->written->projects = d.nsc;
        opt->written->selected = m;
        opt->written->matched = matched;
    }
    if (!opt->split_by) {
        rc = write_book(&c, sel, m, sorted, NULL, selection, path, err);
        if (!rc && push_path(&out, &nout, path))
            rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }

    if (!m) {
        rc = eng_fail(err, ENG_EINPUT, "run %ld has no projects%s: nothing to split by %s", d.ri.id,
                      m < d.nsc ? " selected" : "", opt->split_by);
        goto done;
    }
    /* One workbook per value, in value order; projects keep id order.  They
     * are all written to temporary files first, then put in place together:
     * the set appears whole or not at all. */
    rpt_set set;
    memset(&set, 0, sizeof set);
    set.name = path;
    c.set = &set;
    eng_tmp_clean(path);
    /* The selection in id order, grouped by panel (id order within one). */
    for (size_t k = 0; k < m; k++) {
        pr[k].value = panel_value(&d.sc[sel[k]], opt->split_by);
        pr[k].i = sel[k];
    }
    qsort(pr, m, sizeof *pr, panel_ref_cmp);
    size_t plen = strlen(path);
    size_t stem = plen >= 5 && !strcasecmp(path + plen - 5, ".xlsx") ? plen - 5 : plen;
    char **parts = NULL; /* the file parts used, for uniqueness */
    size_t nparts = 0;
    for (size_t g = 0; g < m && !rc;) {
        size_t e = g;
        while (e < m && !strcmp(pr[e].value, pr[g].value))
            e++;
        for (size_t k = g; k < e; k++)
            sel[k - g] = pr[k].i;
        char part[128], uniq[160];
        rpt_file_part(part, sizeof part, pr[g].value);
        snprintf(uniq, sizeof uniq, "%s", part);
        for (int n = 2;; n++) {
            size_t j = 0;
            while (j < nparts && strcasecmp(parts[j], uniq))
                j++;
            if (j == nparts)
                break;
            snprintf(uniq, sizeof uniq, "%s-%d", part, n);
        }
        char **np = realloc(parts, (nparts + 1) * sizeof *np);
        if (!np || !(np[nparts] = strdup(uniq))) {
            if (np)
                parts = np;
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        parts = np;
        nparts++;
        size_t need = stem + strlen(uniq) + 8;
        char *file = malloc(need);
        if (!file) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        snprintf(file, need, "%.*s-%s.xlsx", (int)stem, path, uniq);
        rc = write_book(&c, sel, e - g, 1, pr[g].value, selection, file, err);
        if (!rc && push_path(&out, &nout, file))
            rc = eng_fail(err, ENG_EIO, "out of memory");
        free(file);
        g = e;
    }
    for (size_t j = 0; j < nparts; j++)
        free(parts[j]);
    free(parts);
    if (rc)
        rpt_set_abort(&set);
    else
        rc = rpt_set_commit(&set, err);
    if (rc && nout && err) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l,
                 " (none of the set's %zu other workbook%s written)", nout, nout == 1 ? "" : "s");
    }
done:
    free(sel);
    free(pr);
    free(selection);
    rpt_where_free(where);
    run_data_release(&d);
    if (rc) {
        rpt_paths_free(out, nout);
        return rc;
    }
    if (paths)
        *paths = out;
    else
        rpt_paths_free(out, nout);
    if (npaths)
        *npaths = nout;
    return ENG_OK;
}
