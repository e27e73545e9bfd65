/*
 * imp_labels: reference TRL ratings for `vernier calibrate` (eng_calib.h),
 * from CSV (a header row) or JSONL (one object a line; .jsonl, .ndjson or
 * .json).
 *
 * Each row names a project and its reference levels:
 *   id        id, project_id, source_id, 项目编号, 编号
 *   reached   trl, trl_current, current_trl, currentTrl, trlCurrent,
 *             technologyMaturityCurrent, trl_achieved, 技术就绪度
 *   aimed at  trl_end, end_trl, endTrl, trlEnd, trl_target, target_trl,
 *             technologyMaturityEnd, 目标技术就绪度
 * (the first name of each list the header holds is read).  A level is a
 * whole number 1-9 (a JSON number or its text); an empty value is no label,
 * but a row needs at least one.  When the rows carry text of their own
 * (TechPort-style: title, and one of abstract, description, text, summary),
 * each becomes a record with that title and text only -- its TRL fields are
 * the labels and stay out of it -- and the labels need no store.
 *
 * Errors name the file, the line and the field: a level that is not a
 * whole number or is outside 1-9, a row with no id or no level, an id
 * given twice (with the line of the first).
 *
 * Ownership: imp_labels owns its rows and their records; release with
 * imp_labels_free.
 */
#ifndef IMP_LABELS_H
#define IMP_LABELS_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_record.h"

typedef struct imp_label {
    char *id;
    int trl;        /* level reached, 1-9; 0: none */
    int trl_end;    /* level aimed at, 1-9; 0: none */
    long line;      /* where the row is in the file */
    eng_record rec; /* with_text: the row's own record (id, title, abstract) */
} imp_label;

typedef struct imp_labels {
    imp_label *v;
    size_t n, cap;
    char id_field[64], field[64], end_field[64]; /* the fields read ("" none) */
    int with_text; /* the rows carry their own text (records built from them) */
} imp_labels;

/* Reads path into *out (zero-initialise it).  Returns ENG_OK, or ENG_EINPUT
 * ("FILE:LINE: field 'x': what is wrong") / ENG_EIO with err set; out then
 * holds nothing. */
int imp_labels_read(const char *path, imp_labels *out, eng_err *err);
void imp_labels_free(imp_labels *l);

#endif
