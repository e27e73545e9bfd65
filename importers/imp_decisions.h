/*
 * imp_decisions: reads reviewers' decisions back from a returned reviewer
 * workbook (the one reports/rpt_xlsx.h writes) into the store.
 *
 * The workbook is tied to its store by the custom property "vernier_store"
 * (eng_store_id(); a workbook from another store is refused), and to its
 * run twice: by the custom properties "vernier_run" and
 * "vernier_ruleset_sha256" and by the Summary cells "Run" and "Rule-set
 * SHA-256".  Where both are present they must agree; the run must exist in
 * this store and have used the same rule set, else the workbook is refused
 * ("comes from another store or run").  A workbook without "vernier_store"
 * (written before stores had one) is tied by its run alone.
 *
 * Projects is read in either language (the sheet "Projects" or "项目"; its
 * columns found by their header, so a reviewer may move or add columns).
 * Every row must name a project of the run and carry the content hash the
 * run scored (the hidden "Content hash" column): a row whose id was changed,
 * that names an unknown project or a project twice, or whose hash differs
 * is refused with its row number, and nothing is stored.  Decision labels
 * map back to the canonical values: pass/revise/fail, 通过/整改后通过/不通过
 * (English ignoring case); any other value is refused with its row.
 *
 * What is recorded: a row whose decision or comment differs from what the
 * workbook was written with (the hidden "Written decision" column; without
 * it, from the latest decision stored) and from the latest decision stored
 * for that project becomes one decision, with who (the reviewer argument,
 * else the Summary "Reviewer" cell, else the workbook's lastModifiedBy
 * unless it is vernier's own, else $USER), when (the workbook's modified
 * date when an editor saved it, else the file's modification time) and from
 * which file (its path and SHA-256).  So importing the same file again adds
 * nothing, and a decision that a workbook merely showed is not credited to
 * whoever returned it.  A workbook file imported before (same file name as
 * the stored decision's) is compared with what was stored from it instead,
 * so a cell filled in, imported, then cleared is a change too.  A cleared
 * decision cell withdraws the decision: it is recorded as an empty decision
 * (NULL), with who and when, and shown as withdrawn.  All decisions of a file are stored in one
 * transaction.
 *
 * Errors follow engine/eng_err.h: ENG_EINPUT with "FILE: ..." or "FILE:
 * sheet 'Projects' row N: ..." for a workbook that is refused, ENG_EIO for
 * a file that cannot be read or a store that cannot be written.  Nothing
 * here prints.
 */
#ifndef IMP_DECISIONS_H
#define IMP_DECISIONS_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"

typedef struct imp_decisions_result {
    long run_id;
    char *reviewer;   /* who the decisions were recorded for (malloc'd) */
    char sha256[65];  /* of the workbook file */
    size_t rows;      /* project rows read */
    size_t added;     /* decisions recorded (withdrawals included) */
    size_t withdrawn; /* of which: a decision cleared, so withdrawn */
    size_t unchanged; /* rows as written or as already stored: nothing recorded */
    size_t empty;     /* rows with neither decision nor comment, never decided */
} imp_decisions_result;

/* Frees what a result owns (not the struct); NULL is a no-op. */
void imp_decisions_result_release(imp_decisions_result *r);

/*
 * Reads the decisions of the workbook at path into the store st, as above.
 * reviewer may be NULL.
 * OUT: *out, filled in on success (release with
 * imp_decisions_result_release()).
 * Returns ENG_OK; ENG_EINPUT when the workbook is refused (nothing stored);
 * ENG_EIO on a read or store failure (nothing stored).
 */
int imp_decisions_read(eng_store *st, const char *path, const char *reviewer,
                       imp_decisions_result *out, eng_err *err);

#endif
