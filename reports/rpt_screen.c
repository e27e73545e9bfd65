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

#include "reports/rpt_book.h"
#include "reports/rpt_xlsx.h"

enum {
    C_PROPOSAL,
    C_PTITLE,
    C_RANK,
    C_MATCH,
    C_MTITLE,
    C_MSOURCE,
    C_KIND,
    C_JACCARD,
    C_CONTAINMENT,
    C_SIGNALS,
    C_PASSAGE_P,
    C_PASSAGE_M,
    C_NCOLS
};

enum {
    T_TITLE,
    T_WRITTEN,
    T_RULESET,
    T_RS_VERSION,
    T_RS_SHA,
    T_JACCARD,
    T_CONTAINMENT,
    T_TOPK,
    T_STORED,
    T_PROPOSALS,
    T_WITH_MATCH,
    T_MATCHES,
    T_REPAIRED,
    T_TRUNCATED,
    T_NO_MATCH,
    T_SUMMARY,
    T_SCREENING,
    T_NT
};

static const char *const COLS_EN[C_NCOLS] = {"Proposal",
                                             "Proposal title",
                                             "Rank",
                                             "Match",
                                             "Match title",
                                             "Match source",
                                             "Kind",
                                             "Jaccard",
                                             "Containment",
                                             "Signals",
                                             "Shared passage in the proposal",
                                             "Shared passage in the match"};
static const char *const COLS_ZH[C_NCOLS] = {
    "申报项目", "申报项目名称",       "排名",
    "相似项目", "相似项目名称",       "相似项目来源",
    "类型",     "Jaccard相似度",      "包含度",
    "信号",     "申报书中的相同段落", "相似项目中的相同段落"};
static const char *const TXT_EN[T_NT] = {"vernier screening workbook",
                                         "Workbook written",
                                         "Rule set",
                                         "Rule-set version",
                                         "Rule-set SHA-256",
                                         "Jaccard threshold",
                                         "Containment threshold",
                                         "Matches kept per proposal",
                                         "Stored projects screened against",
                                         "Proposals",
                                         "Proposals with a match",
                                         "Matches",
                                         "Cells repaired (invalid UTF-8)",
                                         "Cells truncated (over 32,767 characters)",
                                         "no similar project",
                                         "Summary",
                                         "Screening"};
static const char *const TXT_ZH[T_NT] = {"vernier 查重工作簿",
                                         "工作簿生成时间",
                                         "规则集",
                                         "规则集版本",
                                         "规则集 SHA-256",
                                         "Jaccard 阈值",
                                         "包含度阈值",
                                         "每个申报项目保留的相似项目数",
                                         "比对的已存项目数",
                                         "申报项目数",
                                         "有相似项目的申报项目",
                                         "相似项目对",
                                         "已修复的单元格（无效 UTF-8）",
                                         "已截断的单元格（超过 32,767 字符）",
                                         "无相似项目",
                                         "摘要",
                                         "查重"};

static const char *const KIND_ZH[][2] = {{"exact", "完全重复"},
                                         {"near", "近似重复"},
                                         {"partial", "部分重复"},
                                         {"same-pi", "同一负责人"},
                                         {"same-organisation", "同一单位"},
                                         {"overlapping-period", "执行期重叠"},
                                         {"same-indicators", "考核指标相同"},
                                         {NULL, NULL}};

static const char *tr(int zh, const char *v)
{
    if (!zh || !v)
        return v;
    for (size_t i = 0; KIND_ZH[i][0]; i++)
        if (!strcmp(KIND_ZH[i][0], v))
            return KIND_ZH[i][1];
    return v;
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

int rpt_screen_write(const char *path, const rpt_screen *s, const rpt_options *opt, eng_err *err)
{
    rpt_book b;
    int rc = rpt_book_open(&b, path, opt, "vernier: screening", err);
    if (rc)
        return rc;
    int zh = b.zh;
    const char *const *cols = zh ? COLS_ZH : COLS_EN;
    const char *const *T = zh ? TXT_ZH : TXT_EN;
    long rows = 1;
    size_t with = 0, nmatch = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        rows += s->items[i].nmatches ? (long)s->items[i].nmatches : 1;
        with += s->items[i].nmatches > 0;
        nmatch += s->items[i].nmatches;
    }
    lxw_worksheet *sum = rpt_book_sheet(&b, T[T_SUMMARY], 20, NULL);
    lxw_worksheet *ws = rpt_book_sheet(&b, T[T_SCREENING], rows, NULL);

    static const double widths[C_NCOLS] = {18, 40, 6, 18, 40, 14, 12, 10, 11, 24, 60, 60};
    for (int i = 0; i < C_NCOLS; i++)
        if (ws)
            worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i],
                                 i >= C_PASSAGE_P ? b.wrap : NULL);
    if (ws)
        worksheet_set_row(ws, 0, 30, NULL);
    for (int i = 0; i < C_NCOLS; i++)
        rpt_book_str(&b, ws, 0, (lxw_col_t)i, cols[i], b.header);
    lxw_row_t r = 1;
    for (size_t i = 0; i < s->nitems; i++) {
        const rpt_screen_item *it = &s->items[i];
        if (!it->nmatches) {
            rpt_book_str(&b, ws, r, C_PROPOSAL, it->id, NULL);
            rpt_book_str(&b, ws, r, C_PTITLE, it->title, NULL);
            rpt_book_str(&b, ws, r, C_KIND, T[T_NO_MATCH], NULL);
            r++;
            continue;
        }
        for (size_t j = 0; j < it->nmatches; j++, r++) {
            const rpt_screen_match *m = &it->matches[j];
            char sig[512];
            rpt_book_str(&b, ws, r, C_PROPOSAL, it->id, NULL);
            rpt_book_str(&b, ws, r, C_PTITLE, it->title, NULL);
            rpt_book_num(&b, ws, r, C_RANK, (double)(j + 1), NULL);
            rpt_book_str(&b, ws, r, C_MATCH, m->id, NULL);
            rpt_book_str(&b, ws, r, C_MTITLE, m->title, NULL);
            rpt_book_str(&b, ws, r, C_MSOURCE, m->source, NULL);
            rpt_book_str(&b, ws, r, C_KIND, tr(zh, m->kind), NULL);
            rpt_book_num(&b, ws, r, C_JACCARD, m->jaccard, b.num3);
            rpt_book_num(&b, ws, r, C_CONTAINMENT, m->containment, b.num3);
            signals_text(zh, m->signals, sig, sizeof sig);
            rpt_book_str(&b, ws, r, C_SIGNALS, sig, NULL);
            rpt_book_str(&b, ws, r, C_PASSAGE_P, m->passage_proposal, b.wrap);
            rpt_book_str(&b, ws, r, C_PASSAGE_M, m->passage_match, b.wrap);
        }
    }
    lxw_row_t last = r - 1;
    if (ws) {
        worksheet_freeze_panes(ws, 1, 2);
        rpt_book_check(&b, worksheet_autofilter(ws, 0, 0, last ? last : 1, C_NCOLS - 1),
                       "autofilter");
        for (int col = C_JACCARD; col <= C_CONTAINMENT && last; col++) {
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
    rpt_book_str(&b, sum, q, 0, T[T_TITLE], b.title);
    q = 2;
    rpt_book_str(&b, sum, q, 0, T[T_WRITTEN], b.bold);
    rpt_book_str(&b, sum, q++, 1, b.created_iso, NULL);
    rpt_book_str(&b, sum, q, 0, T[T_RULESET], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_name, NULL);
    rpt_book_str(&b, sum, q, 0, T[T_RS_VERSION], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_version, NULL);
    rpt_book_str(&b, sum, q, 0, T[T_RS_SHA], b.bold);
    rpt_book_str(&b, sum, q++, 1, s->ruleset_sha256, NULL);
    q++;
    const struct {
        int label;
        double v;
        lxw_format *f;
    } rowsv[] = {
        {T_JACCARD, s->jaccard, b.num3},        {T_CONTAINMENT, s->containment, b.num3},
        {T_TOPK, (double)s->top_k, NULL},       {T_STORED, (double)s->nstored, NULL},
        {T_PROPOSALS, (double)s->nitems, NULL}, {T_WITH_MATCH, (double)with, NULL},
        {T_MATCHES, (double)nmatch, NULL},
    };
    for (size_t k = 0; k < sizeof rowsv / sizeof rowsv[0]; k++) {
        rpt_book_str(&b, sum, q, 0, T[rowsv[k].label], NULL);
        rpt_book_num(&b, sum, q++, 1, rowsv[k].v, rowsv[k].f);
    }
    rpt_book_str(&b, sum, q, 0, T[T_REPAIRED], NULL);
    rpt_book_num(&b, sum, q++, 1, (double)b.repaired, NULL);
    rpt_book_str(&b, sum, q, 0, T[T_TRUNCATED], NULL);
    rpt_book_num(&b, sum, q++, 1, (double)b.truncated, NULL);
    rpt_book_property(&b, "vernier_workbook", "screening");
    rpt_book_property(&b, "vernier_lang", zh ? "zh" : "en");
    if (s->ruleset_sha256)
        rpt_book_property(&b, "vernier_ruleset_sha256", s->ruleset_sha256);
    return rpt_book_close(&b, err);
}
