/*
 * rpt_screen: the screening workbook of `vernier screen` (see rpt_xlsx.h).
 *
 * Nothing is read from the store: the caller hands in what it found.  One
 * row per proposal and match, best match first, with the shared passage as
 * it reads in the proposal and in the stored project side by side, so that a
 * reviewer sees at once what was copied.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_book.h"
#include "reports/rpt_book.h"
#include "reports/rpt_xlsx.h"

static const char *tr(int zh, const char *v)
{
    return eng_book_value(v, zh);
}

/* Signals as "a; b" (translated).  OUT: buf. */
static void signals_text(int zh, const char *json, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!json)
        return;
    cJSON *a = cJSON_Parse(json);
    size_t k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsString(it) || k >= cap)
            continue;
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", k ? (zh ? "；" : "; ") : "",
                              tr(zh, it->valuestring));
    }
    cJSON_Delete(a);
}

/* A shared passage in a cell reads on screen and on paper: cut to
 * PASSAGE_UNITS (with the marker of rpt_text_clean()), and its row made
 * tall enough for the wrapped lines of its 60-character column (a CJK
 * character is two wide), at most MAX_ROW_PT points: LibreOffice prints
 * a row at the height the file gives it, so text past it overlapped the
 * next rows. */
#define PASSAGE_UNITS 600
#define MAX_ROW_PT 300.0

static double passage_height(const char *s, double width)
{
    double w = 0;
    int lines = 1;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\n') {
            lines++;
            w = 0;
            continue;
        }
        if ((*p & 0xC0) == 0x80)
            continue;
        w += *p < 0x80 ? 1 : 2;
        if (w >= width) {
            lines++;
            w = 0;
        }
    }
    double h = 15.0 * lines;
    return h > MAX_ROW_PT ? MAX_ROW_PT : h;
}

int rpt_screen_write(const char *path, const rpt_screen *s, const rpt_options *opt, eng_err *err)
{
    rpt_text cut = {0};
    rpt_book b;
    int rc = rpt_book_open(&b, path, opt, "vernier: screening", err);
    if (rc)
        return rc;
    int zh = b.zh;
    const char *T[EB_NST];
    for (int i = 0; i < EB_NST; i++)
        T[i] = eng_book_text(&eng_book_screen_text[i], zh);
    long rows = 1;
    size_t with = 0, nmatch = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        rows += s->items[i].nmatches ? (long)s->items[i].nmatches : 1;
        with += s->items[i].nmatches > 0;
        nmatch += s->items[i].nmatches;
    }
    lxw_worksheet *sum = rpt_book_sheet(&b, T[EB_ST_SUMMARY], 20, NULL);
    lxw_worksheet *ws = rpt_book_sheet(&b, T[EB_ST_SCREENING], rows, NULL);

    for (int i = 0; i < EB_SC_NCOLS; i++)
        if (ws)
            worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, eng_book_screen_cols[i].width,
                                 i >= EB_SC_PASSAGE_P ? b.wrap : NULL);
    if (ws)
        worksheet_set_row(ws, 0, 30, NULL);
    for (int i = 0; i < EB_SC_NCOLS; i++)
        rpt_book_str(&b, ws, 0, (lxw_col_t)i, eng_book_col_text(&eng_book_screen_cols[i], zh),
                     b.header);
    lxw_row_t r = 1;
    for (size_t i = 0; i < s->nitems; i++) {
        const rpt_screen_item *it = &s->items[i];
        if (!it->nmatches) {
            rpt_book_str(&b, ws, r, EB_SC_PROPOSAL, it->id, NULL);
            rpt_book_str(&b, ws, r, EB_SC_PTITLE, it->title, NULL);
            rpt_book_str(&b, ws, r, EB_SC_KIND, T[EB_ST_NO_MATCH], NULL);
            r++;
            continue;
        }
        for (size_t j = 0; j < it->nmatches; j++, r++) {
            const rpt_screen_match *m = &it->matches[j];
            char sig[512];
            rpt_book_str(&b, ws, r, EB_SC_PROPOSAL, it->id, NULL);
            rpt_book_str(&b, ws, r, EB_SC_PTITLE, it->title, NULL);
            rpt_book_num(&b, ws, r, EB_SC_RANK, (double)(j + 1), NULL);
            rpt_book_str(&b, ws, r, EB_SC_MATCH, m->id, NULL);
            rpt_book_str(&b, ws, r, EB_SC_MTITLE, m->title, NULL);
            rpt_book_str(&b, ws, r, EB_SC_MSOURCE, m->source, NULL);
            rpt_book_str(&b, ws, r, EB_SC_KIND, tr(zh, m->kind), NULL);
            rpt_book_num(&b, ws, r, EB_SC_JACCARD, m->jaccard, b.num3);
            rpt_book_num(&b, ws, r, EB_SC_CONTAINMENT, m->containment, b.num3);
            signals_text(zh, m->signals, sig, sizeof sig);
            rpt_book_str(&b, ws, r, EB_SC_SIGNALS, sig, NULL);
            const char *pp =
                rpt_text_clean(&cut, m->passage_proposal, PASSAGE_UNITS, zh ? "zh" : "en", NULL);
            double h = passage_height(pp, eng_book_screen_cols[EB_SC_PASSAGE_P].width);
            rpt_book_str(&b, ws, r, EB_SC_PASSAGE_P, pp, b.wrap);
            const char *pm =
                rpt_text_clean(&cut, m->passage_match, PASSAGE_UNITS, zh ? "zh" : "en", NULL);
            double hm = passage_height(pm, eng_book_screen_cols[EB_SC_PASSAGE_M].width);
            rpt_book_str(&b, ws, r, EB_SC_PASSAGE_M, pm, b.wrap);
            if (ws && (h > 15 || hm > 15))
                worksheet_set_row(ws, r, h > hm ? h : hm, NULL);
        }
    }
    lxw_row_t last = r - 1;
    if (ws) {
        worksheet_freeze_panes(ws, 1, 2);
        rpt_book_check(&b, worksheet_autofilter(ws, 0, 0, last ? last : 1, EB_SC_NCOLS - 1),
                       "autofilter");
        for (int col = EB_SC_JACCARD; col <= EB_SC_CONTAINMENT && last; col++) {
            lxw_conditional_format cf;
            memset(&cf, 0, sizeof cf);
            cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
            cf.min_color = 0x63BE7B;
            cf.mid_color = 0xFFEB84;
            cf.max_color = 0xF8696B;
            rpt_book_check(&b,
                           worksheet_conditional_format_range(ws, 1, (lxw_col_t)col, last,
                                                              (lxw_col_t)col, &cf),
                           "colour scale");
        }
    }

    if (sum) {
        worksheet_set_column(sum, 0, 0, 36, NULL);
        worksheet_set_column(sum, 1, 1, 68, NULL);
    }
    lxw_row_t q = 0;
    rpt_book_str(&b, sum, q, 0, T[EB_ST_TITLE], b.title);
    q = 2;
    rpt_book_str(&b, sum, q, 0, T[EB_ST_WRITTEN], b.bold);
    rpt_book_str(&b, sum, q++, 1, b.created_iso, NULL);
    rpt_book_str(&b, sum, q, 0, T[EB_ST_RULESET], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_name, NULL);
    rpt_book_str(&b, sum, q, 0, T[EB_ST_RS_VERSION], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_version, NULL);
    rpt_book_str(&b, sum, q, 0, T[EB_ST_RS_SHA], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_sha256, NULL);
    q++;
    const struct {
        int label;
        double v;
        lxw_format *f;
    } rowsv[] = {
        {EB_ST_JACCARD, s->jaccard, b.num3},        {EB_ST_CONTAINMENT, s->containment, b.num3},
        {EB_ST_TOPK, (double)s->top_k, NULL},       {EB_ST_STORED, (double)s->nstored, NULL},
        {EB_ST_PROPOSALS, (double)s->nitems, NULL}, {EB_ST_WITH_MATCH, (double)with, NULL},
        {EB_ST_MATCHES, (double)nmatch, NULL},
    };
    for (size_t k = 0; k < sizeof rowsv / sizeof rowsv[0]; k++) {
        rpt_book_str(&b, sum, q, 0, T[rowsv[k].label], NULL);
        rpt_book_num(&b, sum, q++, 1, rowsv[k].v, rowsv[k].f);
    }
    rpt_book_str(&b, sum, q, 0, T[EB_ST_REPAIRED], NULL);
    rpt_book_num(&b, sum, q++, 1, (double)b.repaired, NULL);
    rpt_book_str(&b, sum, q, 0, T[EB_ST_TRUNCATED], NULL);
    rpt_book_num(&b, sum, q++, 1, (double)b.truncated, NULL);
    rpt_book_property(&b, "vernier_workbook", "screening");
    rpt_book_property(&b, "vernier_lang", zh ? "zh" : "en");
    if (s->ruleset_sha256)
        rpt_book_property(&b, "vernier_ruleset_sha256", s->ruleset_sha256);
    rpt_text_release(&cut);
    return rpt_book_close(&b, err);
}
