/* eng_store_view: counts over a run's scores and a per-project hit cursor
 * (see eng_store_view.h). */
#include "engine/eng_store_view.h"

#include <stdlib.h>
#include <string.h>

#include "engine/eng_store_int.h"

int eng_store_na_counts(eng_store *st, long run, eng_na_counts *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    int rc = eng_store_prep(st, &q,
                            "SELECT count(*), count(*) - count(traceability),"
                            " count(*) - count(novelty), count(*) - count(overall)"
                            " FROM scores WHERE run_id = ?1",
                            err);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, run);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->projects = sqlite3_column_int64(q, 0);
        out->traceability = sqlite3_column_int64(q, 1);
        out->novelty = sqlite3_column_int64(q, 2);
        out->overall = sqlite3_column_int64(q, 3);
    } else {
        rc = eng_store_fail(st, err, "counting the run's scores");
    }
    sqlite3_finalize(q);
    return rc;
}

int eng_store_ever_decided(eng_store *st, const char *project, int *yes, eng_err *err)
{
    *yes = 0;
    sqlite3_stmt *q = NULL;
    int rc = eng_store_prep(
        st, &q,
        "SELECT EXISTS(SELECT 1 FROM decisions WHERE project_id = ?1 AND decision IS NOT NULL)",
        err);
    if (rc)
        return rc;
    eng_store_bind_text(q, 1, project);
    if (sqlite3_step(q) == SQLITE_ROW)
        *yes = sqlite3_column_int(q, 0);
    else
        rc = eng_store_fail(st, err, "reading the decisions");
    sqlite3_finalize(q);
    return rc;
}

int eng_store_hit_counts(eng_store *st, long run,
                         void (*fn)(void *arg, const char *project, long n), void *arg,
                         eng_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = eng_store_prep(st, &q,
                            "SELECT project_id, count(*) FROM hits WHERE run_id = ?1"
                            " GROUP BY project_id ORDER BY project_id",
                            err);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, run);
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *pid = sqlite3_column_text(q, 0);
        fn(arg, pid ? (const char *)pid : "", (long)sqlite3_column_int64(q, 1));
    }
    if (s != SQLITE_DONE)
        rc = eng_store_fail(st, err, "counting the run's rule hits");
    sqlite3_finalize(q);
    return rc;
}

struct eng_hit_cursor {
    eng_store *st;
    sqlite3_stmt *q;
    int state; /* 0: the row under q not yet taken; 1: taken; 2: done */
    eng_hit *v;
    size_t n, cap;
};

static char *col_dup(sqlite3_stmt *q, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t)
        return NULL;
    char *s = strdup((const char *)t);
    if (!s)
        *oom = 1;
    return s;
}

static void clear(eng_hit_cursor *c)
{
    for (size_t i = 0; i < c->n; i++)
        eng_hit_release(&c->v[i]);
    c->n = 0;
}

int eng_hit_cursor_open(eng_store *st, long run, eng_hit_cursor **out, eng_err *err)
{
    *out = NULL;
    eng_hit_cursor *c = calloc(1, sizeof *c);
    if (!c)
        return eng_fail(err, ENG_EIO, "out of memory");
    c->st = st;
    int rc = eng_store_prep(st, &c->q,
                            "SELECT project_id, rule_id, dimension, field, indicator, offset, len,"
                            " match, context, points, level, severity, message, error FROM hits"
                            " WHERE run_id = ?1 ORDER BY project_id, seq",
                            err);
    if (rc) {
        free(c);
        return rc;
    }
    sqlite3_bind_int64(c->q, 1, run);
    c->state = 1; /* nothing under q yet: step first */
    *out = c;
    return ENG_OK;
}

int eng_hit_cursor_next(eng_hit_cursor *c, const char *project, const eng_hit **hits, size_t *n,
                        eng_err *err)
{
    clear(c);
    *hits = NULL;
    *n = 0;
    for (;;) {
        if (c->state == 2)
            break;
        if (c->state == 1) {
            int s = sqlite3_step(c->q);
            if (s == SQLITE_DONE) {
                c->state = 2;
                break;
            }
            if (s != SQLITE_ROW)
                return eng_store_fail(c->st, err, "reading the run's rule hits");
            c->state = 0;
        }
        const unsigned char *pid = sqlite3_column_text(c->q, 0);
        int cmp = strcmp(pid ? (const char *)pid : "", project ? project : "");
        if (cmp > 0)
            break; /* a later project's: kept under q */
        c->state = 1;
        if (cmp < 0)
            continue; /* a project not asked for */
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 16;
            eng_hit *nv = realloc(c->v, cap * sizeof *nv);
            if (!nv)
                return eng_fail(err, ENG_EIO, "out of memory");
            c->v = nv;
            c->cap = cap;
        }
        eng_hit *h = &c->v[c->n++];
        memset(h, 0, sizeof *h);
        int oom = 0;
        sqlite3_stmt *q = c->q;
        h->project_id = col_dup(q, 0, &oom);
        h->rule_id = col_dup(q, 1, &oom);
        h->dimension = col_dup(q, 2, &oom);
        h->field = col_dup(q, 3, &oom);
        h->indicator = sqlite3_column_int(q, 4);
        h->offset = sqlite3_column_int64(q, 5);
        h->len = sqlite3_column_int64(q, 6);
        h->match = col_dup(q, 7, &oom);
        h->context = col_dup(q, 8, &oom);
        h->points = sqlite3_column_double(q, 9);
        h->level = sqlite3_column_int(q, 10);
        h->severity = col_dup(q, 11, &oom);
        h->message = col_dup(q, 12, &oom);
        h->error = sqlite3_column_int(q, 13);
        if (oom)
            return eng_fail(err, ENG_EIO, "out of memory");
    }
    *hits = c->v;
    *n = c->n;
    return ENG_OK;
}

void eng_hit_cursor_close(eng_hit_cursor *c)
{
    if (!c)
        return;
    clear(c);
    free(c->v);
    sqlite3_finalize(c->q);
    free(c);
}
