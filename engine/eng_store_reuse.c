/*
 * eng_store_reuse: an earlier run's rule results read back in project id
 * order (see eng_reuse.h).  Four cursors walk the run's scores, hits,
 * verdicts and registry checks side by side, each ordered by project, so a
 * run of any size is read once, a row at a time.
 */
#include "engine/eng_reuse.h"

#include <stdlib.h>
#include <string.h>

#include "engine/eng_method.h"
#include "engine/eng_store_int.h"

typedef struct cursor {
    sqlite3_stmt *q;
    int row; /* 1: q holds a row */
} cursor;

struct eng_reuse {
    eng_store *st;
    long run;
    cursor score, hit, verdict, check;
};

static int cur_step(eng_reuse *r, cursor *c, eng_err *err)
{
    int rc = sqlite3_step(c->q);
    if (rc == SQLITE_ROW) {
        c->row = 1;
        return ENG_OK;
    }
    c->row = 0;
    if (rc == SQLITE_DONE)
        return ENG_OK;
    return eng_store_fail(r->st, err, "reading an earlier run's results");
}

static int cur_cmp(cursor *c, const char *id)
{
    const char *p = (const char *)sqlite3_column_text(c->q, 0);
    return strcmp(p ? p : "", id);
}

/* Moves c past the rows of projects before id. */
static int cur_seek(eng_reuse *r, cursor *c, const char *id, eng_err *err)
{
    while (c->row && cur_cmp(c, id) < 0)
        if (cur_step(r, c, err))
            return ENG_EIO;
    return ENG_OK;
}

static int cur_open(eng_reuse *r, cursor *c, const char *sql, eng_err *err)
{
    if (eng_store_prep(r->st, &c->q, sql, err))
        return ENG_EIO;
    sqlite3_bind_int64(c->q, 1, r->run);
    return cur_step(r, c, err);
}

void eng_reuse_close(eng_reuse *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->score.q);
    sqlite3_finalize(r->hit.q);
    sqlite3_finalize(r->verdict.q);
    sqlite3_finalize(r->check.q);
    free(r);
}

int eng_reuse_open(eng_store *st, const char *cache_key, eng_reuse **out, long *run_id,
                   eng_err *err)
{
    *out = NULL;
    *run_id = 0;
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q, "SELECT max(id) FROM runs WHERE cache_key = ?", err))
        return ENG_EIO;
    eng_store_bind_text(q, 1, cache_key);
    long run = 0;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        run = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return eng_store_fail(st, err, "looking for an earlier run to reuse");
    if (!run)
        return ENG_OK;
    eng_reuse *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "out of memory");
    r->st = st;
    r->run = run;
    if (cur_open(r, &r->score,
                 "SELECT project_id, content_hash, trl_claimed, trl_evidenced, trl_confidence,"
                 " traceability, flags, rule_errors, trl_planned, trl_planned_confidence,"
                 " trl_stated, trl_stated_confidence, novelty_points FROM scores"
                 " WHERE run_id = ?1 ORDER BY project_id",
                 err) ||
        cur_open(r, &r->hit,
                 "SELECT project_id, rule_id, dimension, field, indicator, offset, len, match,"
                 " context, points, level, severity, message, error FROM hits"
                 " WHERE run_id = ?1 ORDER BY project_id, seq",
                 err) ||
        cur_open(r, &r->verdict,
                 "SELECT project_id, idx, name, target, achieved, unit, verdict, points, reasons"
                 " FROM verdicts WHERE run_id = ?1 ORDER BY project_id, idx",
                 err) ||
        cur_open(r, &r->check,
                 "SELECT project_id, indicator, ref_kind, claim, verdict, registry_id, registry,"
                 " entry_code, entry, evidence, points FROM reg_checks"
                 " WHERE run_id = ?1 ORDER BY project_id, seq",
                 err)) {
        eng_reuse_close(r);
        return ENG_EIO;
    }
    *out = r;
    *run_id = run;
    return ENG_OK;
}

/* A text column as a malloc'd string (NULL for NULL); *oom set when memory ran out. */
static char *col(sqlite3_stmt *q, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t)
        return NULL;
    char *d = strdup((const char *)t);
    if (!d)
        *oom = 1;
    return d;
}

/* Grows *v (elements of size) to hold n + 1. */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    void *nv = realloc(*v, nc * size);
    if (!nv)
        return -1;
    *v = nv;
    *cap = nc;
    return 0;
}

static void fill_hit(sqlite3_stmt *q, eng_hit *h, int *oom)
{
    memset(h, 0, sizeof *h);
    h->project_id = col(q, 0, oom);
    h->rule_id = col(q, 1, oom);
    h->dimension = col(q, 2, oom);
    h->field = col(q, 3, oom);
    h->indicator = sqlite3_column_int(q, 4);
    h->offset = sqlite3_column_int64(q, 5);
    h->len = sqlite3_column_int64(q, 6);
    h->match = col(q, 7, oom);
    h->context = col(q, 8, oom);
    h->points = sqlite3_column_double(q, 9);
    h->level = sqlite3_column_int(q, 10);
    h->severity = col(q, 11, oom);
    h->message = col(q, 12, oom);
    h->error = sqlite3_column_int(q, 13);
}

static void fill_verdict(sqlite3_stmt *q, eng_ind_verdict *v, int *oom)
{
    memset(v, 0, sizeof *v);
    v->project_id = col(q, 0, oom);
    v->idx = sqlite3_column_int(q, 1);
    v->name = col(q, 2, oom);
    v->target = col(q, 3, oom);
    v->achieved = col(q, 4, oom);
    v->unit = col(q, 5, oom);
    v->verdict = col(q, 6, oom);
    v->points = sqlite3_column_double(q, 7);
    v->reasons = col(q, 8, oom);
}

static void fill_check(sqlite3_stmt *q, eng_reg_check *c, int *oom)
{
    memset(c, 0, sizeof *c);
    c->project_id = col(q, 0, oom);
    c->indicator = sqlite3_column_int(q, 1);
    c->ref_kind = eng_ref_kind_parse((const char *)sqlite3_column_text(q, 2));
    c->claim = col(q, 3, oom);
    c->verdict = eng_verdict_parse((const char *)sqlite3_column_text(q, 4));
    c->registry_id = sqlite3_column_int64(q, 5);
    c->registry = col(q, 6, oom);
    c->entry_code = col(q, 7, oom);
    c->entry = col(q, 8, oom);
    c->evidence = col(q, 9, oom);
    c->points = sqlite3_column_double(q, 10);
}

int eng_reuse_get(eng_reuse *r, const char *id, const char *content_hash, int *found, eng_score *s,
                  eng_hit **hits, size_t *nhits, eng_ind_verdict **verdicts, size_t *nverdicts,
                  eng_reg_check **checks, size_t *nchecks, eng_err *err)
{
    *found = 0;
    if (cur_seek(r, &r->score, id, err))
        return ENG_EIO;
    sqlite3_stmt *q = r->score.q;
    /* the same record, evaluated whole (a rule error may be the time budget's) */
    if (!r->score.row || cur_cmp(&r->score, id) != 0 || !sqlite3_column_text(q, 1) ||
        strcmp((const char *)sqlite3_column_text(q, 1), content_hash) != 0 ||
        sqlite3_column_int(q, 7) != 0 || sqlite3_column_type(q, 12) == SQLITE_NULL)
        return ENG_OK;
    int oom = 0;
    eng_hit *hv = NULL;
    eng_ind_verdict *vv = NULL;
    eng_reg_check *cv = NULL;
    size_t nh = 0, hcap = 0, nv = 0, vcap = 0, nc = 0, ccap = 0;
    memset(s, 0, sizeof *s);
    s->project_id = col(q, 0, &oom);
    s->content_hash = col(q, 1, &oom);
    s->trl_claimed = sqlite3_column_int(q, 2);
    s->trl_evidenced = sqlite3_column_int(q, 3);
    s->trl_confidence = sqlite3_column_double(q, 4);
    /* NULL: not assessable (nothing to read) */
    s->traceability = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 5);
    s->flags = col(q, 6, &oom);
    s->trl_planned = sqlite3_column_int(q, 8);
    s->trl_planned_confidence = sqlite3_column_double(q, 9);
    s->trl_stated = sqlite3_column_int(q, 10);
    s->trl_stated_confidence = sqlite3_column_double(q, 11);
    s->novelty_points = sqlite3_column_double(q, 12);
    s->reused_from = r->run;
    int rc = cur_seek(r, &r->hit, id, err);
    while (!rc && !oom && r->hit.row && cur_cmp(&r->hit, id) == 0) {
        if (grow((void **)&hv, nh, &hcap, sizeof *hv)) {
            oom = 1;
            break;
        }
        fill_hit(r->hit.q, &hv[nh++], &oom);
        rc = cur_step(r, &r->hit, err);
    }
    /* an achieved reading inferred from the plan stays out of overall */
    for (size_t i = 0; i < nh; i++)
        if (hv[i].rule_id && !strcmp(hv[i].rule_id, ENG_TRL_INFERRED_RULE))
            s->trl_inferred = 1;
    if (!rc)
        rc = cur_seek(r, &r->verdict, id, err);
    while (!rc && !oom && r->verdict.row && cur_cmp(&r->verdict, id) == 0) {
        if (grow((void **)&vv, nv, &vcap, sizeof *vv)) {
            oom = 1;
            break;
        }
        fill_verdict(r->verdict.q, &vv[nv++], &oom);
        rc = cur_step(r, &r->verdict, err);
    }
    if (!rc)
        rc = cur_seek(r, &r->check, id, err);
    while (!rc && !oom && r->check.row && cur_cmp(&r->check, id) == 0) {
        if (grow((void **)&cv, nc, &ccap, sizeof *cv)) {
            oom = 1;
            break;
        }
        fill_check(r->check.q, &cv[nc++], &oom);
        rc = cur_step(r, &r->check, err);
    }
    if (!rc && oom)
        rc = eng_fail(err, ENG_EIO, "out of memory");
    if (rc) {
        eng_score_release(s);
        eng_hits_free(hv, nh);
        eng_verdicts_free(vv, nv);
        eng_reg_checks_free(cv, nc);
        return rc;
    }
    *found = 1;
    *hits = hv;
    *nhits = nh;
    *verdicts = vv;
    *nverdicts = nv;
    *checks = cv;
    *nchecks = nc;
    return ENG_OK;
}

struct eng_sig_reader {
    eng_store *st;
    sqlite3_stmt *q;
};

int eng_sig_reader_open(eng_store *st, const char *params, eng_sig_reader **out, eng_err *err)
{
    eng_sig_reader *r = calloc(1, sizeof *r);
    if (!r)
        return eng_fail(err, ENG_EIO, "out of memory");
    r->st = st;
    if (eng_store_prep(st, &r->q,
                       "SELECT data FROM signatures WHERE text_hash = ?1 AND params = ?2", err)) {
        free(r);
        return ENG_EIO;
    }
    sqlite3_bind_text(r->q, 2, params, -1, SQLITE_TRANSIENT);
    *out = r;
    return ENG_OK;
}

int eng_sig_read(eng_sig_reader *r, const char *text_hash, const void **data, size_t *len,
                 eng_err *err)
{
    *data = NULL;
    *len = 0;
    sqlite3_reset(r->q);
    sqlite3_bind_text(r->q, 1, text_hash, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(r->q);
    if (rc == SQLITE_ROW) {
        *data = sqlite3_column_blob(r->q, 0);
        *len = (size_t)sqlite3_column_bytes(r->q, 0);
        return ENG_OK;
    }
    if (rc == SQLITE_DONE)
        return ENG_OK;
    return eng_store_fail(r->st, err, "reading a cached signature");
}

void eng_sig_reader_close(eng_sig_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->q);
    free(r);
}

int eng_store_dup_state_get(eng_store *st, const char *params, void **data, size_t *len,
                            eng_err *err)
{
    *data = NULL;
    *len = 0;
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q, "SELECT data FROM dup_state WHERE params = ?", err))
        return ENG_EIO;
    eng_store_bind_text(q, 1, params);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        const void *p = sqlite3_column_blob(q, 0);
        void *d = malloc(n ? n : 1);
        if (!d) {
            sqlite3_finalize(q);
            return eng_fail(err, ENG_EIO, "out of memory");
        }
        if (n)
            memcpy(d, p, n);
        *data = d;
        *len = n;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return eng_store_fail(st, err, "reading the duplicate stage's last search");
    return ENG_OK;
}

int eng_store_dup_state_put(eng_store *st, const char *params, const void *data, size_t len,
                            eng_err *err)
{
    if (eng_store_begin(st, err))
        return ENG_EIO;
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q, "INSERT OR REPLACE INTO dup_state(params, data) VALUES(?,?)", err)) {
        eng_store_rollback(st);
        return ENG_EIO;
    }
    eng_store_bind_text(q, 1, params);
    sqlite3_bind_blob64(q, 2, data, len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        rc = eng_store_fail(st, err, "storing the duplicate stage's last search");
        eng_store_rollback(st);
        return rc;
    }
    return eng_store_commit(st, err);
}
