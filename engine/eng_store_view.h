/*
 * eng_store_view: what the reports read from a run beyond its rows:
 * counts over a run's scores, and a cursor that hands a run's rule hits out
 * one project at a time (the workbook of a million projects never holds
 * every hit).  Part of the store module (engine/eng_store_view.c).
 */
#ifndef ENG_STORE_VIEW_H
#define ENG_STORE_VIEW_H

#include <stddef.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"

/* How many of a run's projects have a dimension that is not assessable
 * (nothing to read: eng_method_readable) — NULL in the store. */
typedef struct eng_na_counts {
    long projects;     /* the run's projects */
    long traceability; /* traceability not assessable */
    long novelty;      /* novelty not assessable or not computed */
    long overall;      /* no dimension assessable */
} eng_na_counts;

/* Counts for run `run` (an existing run id).  OUT: *out.  Returns ENG_OK
 * or ENG_EIO. */
int eng_store_na_counts(eng_store *st, long run, eng_na_counts *out, eng_err *err);

/* Whether project `project` was ever given a decision (pass, revise,
 * fail): its latest decision row without one is then a withdrawal, else
 * a comment alone.  OUT: *yes.  Returns ENG_OK or ENG_EIO. */
int eng_store_ever_decided(eng_store *st, const char *project, int *yes, eng_err *err);

/* The number of rule hits of each project of run `run` that has any, in
 * project-id order: fn(arg, project, n) for each (project borrowed for the
 * call).  Returns ENG_OK or ENG_EIO. */
int eng_store_hit_counts(eng_store *st, long run,
                         void (*fn)(void *arg, const char *project, long n), void *arg,
                         eng_err *err);

/* A run's rule hits in project-id order (then stored order), read in
 * batches: eng_hit_cursor_next() hands out the hits of one project. */
typedef struct eng_hit_cursor eng_hit_cursor;

/* Opens a cursor over run `run`'s hits.  OUT: *out (free with
 * eng_hit_cursor_close).  Returns ENG_OK or ENG_EIO.  The store must stay
 * open and unchanged by this connection while the cursor is. */
int eng_hit_cursor_open(eng_store *st, long run, eng_hit_cursor **out, eng_err *err);
/* The hits of project `project` (ids must be asked in ascending strcmp
 * order; projects without hits give none).  OUT: *hits (borrowed: valid
 * until the next call or close), *n.  Returns ENG_OK or ENG_EIO. */
int eng_hit_cursor_next(eng_hit_cursor *c, const char *project, const eng_hit **hits, size_t *n,
                        eng_err *err);
/* Closes the cursor; NULL is fine. */
void eng_hit_cursor_close(eng_hit_cursor *c);

#endif
