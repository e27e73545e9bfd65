/*
 * eng_book: the words of vernier's workbooks, in English and Chinese, in one
 * place: sheet names, column headers (with their widths), Summary labels,
 * decision values and the engine's English values translated.  The writer
 * (reports/rpt_xlsx.c, reports/rpt_screen.c) prints them and the reader of
 * returned workbooks (importers/imp_decisions.c) looks them up, so a column
 * renamed here is renamed for both.  It lives in engine/ because reports/
 * and importers/ may not include each other.
 *
 * Every table is indexed by its enum (prefix EB_, for eng_book) and holds
 * one row per entry, English and Chinese side by side.  To add a column:
 * add its enum before the _NCOLS entry and its row in eng_book.c (the
 * compiler checks the count); the writer then writes it.
 * Everything here is static data: nothing to free, safe from any thread.
 */
#ifndef ENG_BOOK_H
#define ENG_BOOK_H

#include <stddef.h>

/* A word in both languages (UTF-8). */
typedef struct eng_book_label {
    const char *en, *zh;
} eng_book_label;

/* A column: its header in both languages and its width in characters. */
typedef struct eng_book_col {
    const char *en, *zh;
    double width;
    const char *key; /* Rules only: the rule's JSON key the column shows */
} eng_book_col;

/* The text of l in the workbook's language (zh: 0 English, 1 Chinese). */
static inline const char *eng_book_text(const eng_book_label *l, int zh)
{
    return zh ? l->zh : l->en;
}

static inline const char *eng_book_col_text(const eng_book_col *c, int zh)
{
    return zh ? c->zh : c->en;
}
/* sheet names, in the order the reviewer workbook holds them */
enum {
    EB_SH_SUMMARY,
    EB_SH_PROJECTS,
    EB_SH_DUPLICATES,
    EB_SH_EVIDENCE,
    EB_SH_INDICATORS,
    EB_SH_TRACE, /* registry checks: only when the run checked registries */
    EB_SH_GAP,   /* the metrology gap, by field: likewise */
    EB_SH_RULES,
    EB_SH_LISTS,
    EB_NSHEETS
};
extern const eng_book_label eng_book_sheets[EB_NSHEETS];

/* Projects columns */
enum {
    EB_P_ID,
    EB_P_TITLE,
    EB_P_KIND,
    EB_P_SOURCE,
    EB_P_FIELD,
    EB_P_ORG,
    EB_P_PI,
    EB_P_TRL_CLAIMED,
    EB_P_TRL_EVIDENCED,
    EB_P_TRL_CONF,
    EB_P_TRL_PLANNED,
    EB_P_TRL_STATED,
    EB_P_TRL_NOTE,
    EB_P_TRACE,
    EB_P_NOVELTY,
    EB_P_OVERALL,
    EB_P_ACC_CONCLUSION, /* what panels decide on beside the scores */
    EB_P_ACC_DATE,
    EB_P_START,
    EB_P_END,
    EB_P_QUALITY, /* values not read, conflicts between versions */
    EB_P_FLAGS,
    EB_P_NFLAGS,
    EB_P_DUP,
    EB_P_ERRORS,
    EB_P_EVIDENCE,
    EB_P_DECISION,
    EB_P_COMMENT,
    EB_P_HASH,
    EB_P_WRITTEN,
    EB_P_NCOLS
};
extern const eng_book_col eng_book_proj[EB_P_NCOLS];

/* Duplicates columns */
enum {
    EB_D_GROUP,
    EB_D_A,
    EB_D_TITLE_A,
    EB_D_B,
    EB_D_TITLE_B,
    EB_D_KIND,
    EB_D_ORDER,
    EB_D_METHOD,
    EB_D_JACCARD,
    EB_D_CONTAINMENT,
    EB_D_CONTAINED,
    EB_D_SIGNALS,
    EB_D_PASSAGE_A,
    EB_D_PASSAGE_B,
    EB_D_NCOLS
};
extern const eng_book_col eng_book_dup[EB_D_NCOLS];

/* Evidence columns */
enum {
    EB_E_PROJECT,
    EB_E_RULE,
    EB_E_DIMENSION,
    EB_E_FIELD,
    EB_E_INDICATOR,
    EB_E_LEVEL,
    EB_E_POINTS,
    EB_E_SEVERITY,
    EB_E_MATCH,
    EB_E_CONTEXT,
    EB_E_MESSAGE,
    EB_E_OFFSET,
    EB_E_ERROR,
    EB_E_NCOLS
};
extern const eng_book_col eng_book_ev[EB_E_NCOLS];

/* Indicators columns */
enum {
    EB_I_PROJECT,
    EB_I_IDX,
    EB_I_NAME,
    EB_I_TARGET,
    EB_I_ACHIEVED,
    EB_I_UNIT,
    EB_I_VERDICT,
    EB_I_POINTS,
    EB_I_REASONS,
    EB_I_NCOLS
};
extern const eng_book_col eng_book_ind[EB_I_NCOLS];

/* Traceability columns: one row per registry check */
enum {
    EB_T_PROJECT,
    EB_T_IDX,
    EB_T_INDICATOR,
    EB_T_FIGURE,
    EB_T_KIND,
    EB_T_CLAIM,
    EB_T_VERDICT,
    EB_T_REGISTRY,
    EB_T_CODE,
    EB_T_ENTRY,
    EB_T_EVIDENCE,
    EB_T_POINTS,
    EB_T_NCOLS
};
extern const eng_book_col eng_book_trace[EB_T_NCOLS];

/* Metrology gap: the words of the sheet, and its by-field table's columns */
enum {
    EB_G_TITLE,
    EB_G_NOTE,
    EB_G_REGISTRIES,
    EB_G_KIND,
    EB_G_NAME,
    EB_G_ENTRIES,
    EB_G_SHA,
    EB_G_BY_FIELD,
    EB_G_FIELD,
    EB_G_IN_BAND,
    EB_G_GAP,
    EB_G_SHARE,
    EB_G_VERDICTS,
    EB_G_VERDICT,
    EB_G_COUNT,
    EB_G_PROJECTS,
    EB_G_PROJECT,
    EB_G_TITLE_COL,
    EB_G_TRL,
    EB_G_CHECKS,
    EB_G_NONE_FIELD,
    EB_NG
};
extern const eng_book_label eng_book_gap[EB_NG];

/* Rules columns */
enum {
    EB_R_ID,
    EB_R_DIMENSION,
    EB_R_SCOPE,
    EB_R_LEVEL,
    EB_R_POINTS,
    EB_R_SEVERITY,
    EB_R_SCHEME,
    EB_R_FIELDS,
    EB_R_PATTERN,
    EB_R_FLAGS,
    EB_R_NEGATABLE,
    EB_R_ABSENT,
    EB_R_WHEN,
    EB_R_WHY,
    EB_R_MESSAGE,
    EB_R_NCOLS
};
extern const eng_book_col eng_book_rule[EB_R_NCOLS];

/* Summary labels of the reviewer workbook */
enum {
    EB_S_TITLE,
    EB_S_RUN,
    EB_S_RUN_NAME,
    EB_S_RUN_DATE,
    EB_S_WRITTEN,
    EB_S_RULESET,
    EB_S_RS_VERSION,
    EB_S_RS_SHA,
    EB_S_TOOL,
    EB_S_STORE,
    EB_S_PANEL,
    EB_S_ALL,
    EB_S_REVIEWER,
    EB_S_PARAMS,
    EB_S_COUNTS,
    EB_S_N_PROJECTS,
    EB_S_N_HITS,
    EB_S_N_PAIRS,
    EB_S_N_FLAGGED,
    EB_S_N_DUP,
    EB_S_N_INDICATORS,
    EB_S_N_TRACEABLE,
    EB_S_N_PARTLY,
    EB_S_N_UNTRACEABLE,
    EB_S_N_RULE_ERRORS,
    EB_S_N_REPAIRED,
    EB_S_N_TRUNCATED,
    EB_S_DECISIONS,
    EB_S_UNDECIDED,
    EB_S_HOWTO,
    EB_S_STEP1,
    EB_S_STEP2,
    EB_S_STEP3,
    EB_S_STEP4,
    EB_S_STEP5,
    EB_S_TRL_TABLE,
    EB_S_LEVEL,
    EB_S_CLAIMED,
    EB_S_EVIDENCED,
    EB_S_NONE,
    EB_S_NO_READING,
    EB_S_HIST_TABLE,
    EB_S_RANGE,
    EB_S_TRACE,
    EB_S_NOVELTY,
    EB_S_OVERALL,
    EB_S_FLAGS_TABLE,
    EB_S_FLAG,
    EB_S_FLAG_PROJECTS,
    EB_S_NO_FLAGS,
    EB_S_CHART_TRL,
    EB_S_CHART_FLAGS,
    EB_S_PROJECTS_AXIS,
    EB_S_NOT_ASSESSABLE, /* the score table's row of projects not assessable */
    EB_S_N_NA,           /* count: projects with nothing to read */
    EB_S_SELECTION,      /* what --where/--top kept */
    EB_S_PARTS,          /* sheets split into parts */
    EB_NS
};
extern const eng_book_label eng_book_sum[EB_NS];

/* The calibration record of the rule set (Summary, `rules show`):
 * row labels, and the value formats (printf, the same arguments in both
 * languages) eng_calib_lines fills. */
enum {
    EB_C_SECTION,
    EB_C_STATUS,
    EB_C_NOT,
    EB_C_ON, /* date, folds, seed, fitted/kept */
    EB_C_FITTED,
    EB_C_KEPT,
    EB_C_REFS, /* file, n, sha256 */
    EB_C_PARAMS,
    EB_C_ACHIEVED,
    EB_C_PLANNED,
    EB_C_READING, /* read, n, coverage %, MAE, low, high, within %; */
    EB_C_NOREAD,  /* n */
    EB_C_BASELINE,
    EB_C_BASE_SAME, /* MAE, low, high, MAE all, n, within % all */
    EB_C_BASE_ALL,  /* MAE all, n, within % all */
    EB_C_CURRENT,
    EB_C_CURRENT_YES,
    EB_C_CURRENT_NO,
    EB_NC
};
extern const eng_book_label eng_book_calib[EB_NC];

/* The decisions a reviewer picks: .en is also the value stored
 * (pass, revise, fail), .zh what a Chinese workbook shows. */
#define EB_NDECISIONS 3
extern const eng_book_label eng_book_decisions[EB_NDECISIONS];

/* Other words of the reviewer workbook ("%zu" inside the HITS ones) */
enum {
    EB_M_HITS_ONE,
    EB_M_HITS_MANY,
    EB_M_VALIDATION_TITLE,
    EB_M_VALIDATION_MSG,
    EB_M_YES,
    EB_M_NOT_ASSESSABLE, /* a dimension with nothing to read */
    EB_M_NA_WHY,         /* why: nothing to read */
    EB_M_NOT_COMPUTED,   /* novelty of a run without the duplicate search */
    EB_M_WITHDRAWN,      /* a decision withdrawn */
    EB_M_WITHDRAWN_NOTE, /* "%s" (who) "%s" (when) inside */
    EB_M_PARTED,         /* "%zu" (rows a part) "%s" (the Index sheet) inside */
    EB_M_INDEX_SHEET,    /* the Index sheet's name */
    EB_M_INDEX_SHEET_COL,
    EB_M_INDEX_ROWS,
    EB_M_INDEX_FIRST,
    EB_M_INDEX_LAST,
    EB_M_INDEX_NOTE,
    EB_M_SEL_ALL_OF, /* "%zu of %zu projects" */
    EB_M_SEL_WHERE,  /* "where %s (%zu match)" */
    EB_M_SEL_TOP,    /* "top %ld by %s" */
    EB_NMISC
};
extern const eng_book_label eng_book_misc[EB_NMISC];

/* Screening columns */
enum {
    EB_SC_PROPOSAL,
    EB_SC_PTITLE,
    EB_SC_RANK,
    EB_SC_MATCH,
    EB_SC_MTITLE,
    EB_SC_MSOURCE,
    EB_SC_KIND,
    EB_SC_JACCARD,
    EB_SC_CONTAINMENT,
    EB_SC_SIGNALS,
    EB_SC_PASSAGE_P,
    EB_SC_PASSAGE_M,
    EB_SC_NCOLS
};
extern const eng_book_col eng_book_screen_cols[EB_SC_NCOLS];

/* Words of the screening workbook (its Summary, its sheet names) */
enum {
    EB_ST_TITLE,
    EB_ST_WRITTEN,
    EB_ST_RULESET,
    EB_ST_RS_VERSION,
    EB_ST_RS_SHA,
    EB_ST_JACCARD,
    EB_ST_CONTAINMENT,
    EB_ST_TOPK,
    EB_ST_STORED,
    EB_ST_PROPOSALS,
    EB_ST_WITH_MATCH,
    EB_ST_MATCHES,
    EB_ST_REPAIRED,
    EB_ST_TRUNCATED,
    EB_ST_NO_MATCH,
    EB_ST_SUMMARY,
    EB_ST_SCREENING,
    EB_NST
};
extern const eng_book_label eng_book_screen_text[EB_NST];

/* A value the engine writes in English (a kind, a dimension, a verdict, a
 * signal, a severity) as the workbook shows it: v itself in English or
 * when it has no translation, else its Chinese (a static string).  NULL
 * gives NULL. */
const char *eng_book_value(const char *v, int zh);

/* A run parameter's name ("weights.trl", the flattened key of the run's
 * params) as a panel reads it: in Chinese "权重：TRL（weights.trl）", the
 * key kept so that it can be found in the rule set; in English, and for a
 * key not in the table, the key itself.  OUT: out (cap bytes). */
void eng_book_param_name(const char *key, int zh, char *out, size_t cap);

/* A duplicate pair's method ("minhash-oph p=128 b=42xr=3, verified,
 * idf-weighted", "exact-normalised") explained in Chinese (MinHash 128 个
 * 置换，LSH 42 个带 × 3 行 ...); in English, and for a method it does not
 * know, the method as stored.  OUT: out (cap bytes). */
void eng_book_method_text(const char *method, int zh, char *out, size_t cap);

#endif
