/*
 * eng_store_reg: the registries' tables (eng_registry.h "the store" and "a
 * run's registries and checks"): registry versions and their entries, and
 * per run the versions checked against and every check with its evidence.
 *
 * A version is identified by its content hash within its (kind, name); the
 * active version of a name is the one imported (or re-imported) last.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_registry.h"
#include "engine/eng_store_int.h"

static void bind_num(sqlite3_stmt *q, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_double(q, i, v);
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

static double col_num(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

int eng_store_reg_add(eng_store *st, int kind, const char *name, const char *file,
                      const char *sha256, const eng_reg_entry *v, size_t n, long *id, int *already,
                      eng_err *err)
{
    sqlite3_stmt *q = NULL;
    const char *kname = eng_reg_kind_name(kind);
    *already = 0;
    if (!kname)
        return eng_fail(err, ENG_EUSAGE, "unknown registry kind %d", kind);
    if (eng_store_begin(st, err))
        return ENG_EIO;
    long found = 0, order = 0;
    if (eng_store_prep(
            st, &q,
            "SELECT (SELECT id FROM registries WHERE kind = ?1 AND name = ?2 AND sha256 = ?3),"
            " (SELECT COALESCE(MAX(active_order), 0) FROM registries)",
            err))
        goto fail;
    eng_store_bind_text(q, 1, kname);
    eng_store_bind_text(q, 2, name);
    eng_store_bind_text(q, 3, sha256);
    if (sqlite3_step(q) == SQLITE_ROW) {
        found = sqlite3_column_int64(q, 0);
        order = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (found) {
        /* The same content again: it becomes the active version (it may be
         * an older one brought back), nothing else changes. */
        if (eng_store_prep(
                st, &q,
                "UPDATE registries SET active_order = ?2 WHERE id = ?1 AND active_order <"
                " (SELECT MAX(active_order) FROM registries WHERE kind = ?3 AND name = ?4)",
                err))
            goto fail;
        sqlite3_bind_int64(q, 1, found);
        sqlite3_bind_int64(q, 2, order + 1);
        eng_store_bind_text(q, 3, kname);
        eng_store_bind_text(q, 4, name);
        if (sqlite3_step(q) != SQLITE_DONE) {
            eng_store_fail(st, err, "reactivating the registry");
            goto fail;
        }
        sqlite3_finalize(q);
        q = NULL;
        if (eng_store_commit(st, err))
            return ENG_EIO;
        *already = 1;
        *id = found;
        return ENG_OK;
    }
    char now[32];
    eng_store_now(now);
    if (eng_store_prep(
            st, &q,
            "INSERT INTO registries(kind, name, file, sha256, entries, imported_at, active_order)"
            " VALUES(?,?,?,?,?,?,?)",
            err))
        goto fail;
    eng_store_bind_text(q, 1, kname);
    eng_store_bind_text(q, 2, name);
    eng_store_bind_text(q, 3, file);
    eng_store_bind_text(q, 4, sha256);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)n);
    eng_store_bind_text(q, 6, now);
    sqlite3_bind_int64(q, 7, order + 1);
    if (sqlite3_step(q) != SQLITE_DONE) {
        eng_store_fail(st, err, "recording the registry");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    long rid = (long)sqlite3_last_insert_rowid(eng_store_db(st));
    if (eng_store_prep(
            st, &q,
            "INSERT INTO registry_entries(registry_id, seq, code, code_key, name, holder, aliases,"
            " country, quantity, scope, range_min, range_max, unit, uncertainty, unc_unit, k,"
            " valid_from, valid_to, status, source, line)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            err))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const eng_reg_entry *e = &v[i];
        char key[256];
        eng_reg_code_key(e->code, strlen(e->code), key, sizeof key);
        sqlite3_bind_int64(q, 1, rid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        eng_store_bind_text(q, 3, e->code);
        eng_store_bind_text(q, 4, key);
        eng_store_bind_text(q, 5, e->name);
        eng_store_bind_text(q, 6, e->holder);
        eng_store_bind_text(q, 7, e->aliases);
        eng_store_bind_text(q, 8, e->country);
        eng_store_bind_text(q, 9, e->quantity);
        eng_store_bind_text(q, 10, e->scope);
        bind_num(q, 11, e->range_min);
        bind_num(q, 12, e->range_max);
        eng_store_bind_text(q, 13, e->unit);
        bind_num(q, 14, e->uncertainty);
        eng_store_bind_text(q, 15, e->unc_unit);
        bind_num(q, 16, e->k);
        eng_store_bind_text(q, 17, e->valid_from);
        eng_store_bind_text(q, 18, e->valid_to);
        eng_store_bind_text(q, 19, e->status);
        eng_store_bind_text(q, 20, e->source);
        sqlite3_bind_int64(q, 21, e->line);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            eng_store_fail(st, err, "storing a registry entry");
            goto fail;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (eng_store_commit(st, err))
        return ENG_EIO;
    *id = rid;
    return ENG_OK;
fail:
    sqlite3_finalize(q);
    eng_store_rollback(st);
    return ENG_EIO;
}

static const char INFO_COLS[] = "r.id, r.kind, r.name, r.file, r.sha256, r.imported_at, r.entries,"
                                " r.active_order = (SELECT MAX(active_order) FROM registries r2"
                                "   WHERE r2.kind = r.kind AND r2.name = r.name)";

static void info_from_row(sqlite3_stmt *q, eng_reg_info *ri)
{
    ri->id = sqlite3_column_int64(q, 0);
    ri->kind = eng_reg_kind_parse((const char *)sqlite3_column_text(q, 1));
    ri->name = col_dup(q, 2);
    ri->file = col_dup(q, 3);
    ri->sha256 = col_dup(q, 4);
    ri->imported_at = col_dup(q, 5);
    ri->entries = sqlite3_column_int64(q, 6);
    ri->active = sqlite3_column_int(q, 7);
}

static int kind_order_sql(char *sql, size_t cap, const char *where)
{
    return snprintf(sql, cap,
                    "SELECT %s FROM registries r %s ORDER BY CASE r.kind WHEN 'lab' THEN 1"
                    " WHEN 'cmc' THEN 2 WHEN 'standard' THEN 3 ELSE 4 END, r.name, r.id DESC",
                    INFO_COLS, where);
}

static int read_infos(eng_store *st, sqlite3_stmt *q, eng_reg_info **out, size_t *n, eng_err *err)
{
    eng_reg_info *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 8;
            eng_reg_info *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                eng_reg_infos_free(v, len);
                sqlite3_finalize(q);
                return eng_fail(err, ENG_EIO, "out of memory");
            }
            v = nv;
            cap = nc;
        }
        memset(&v[len], 0, sizeof v[len]);
        info_from_row(q, &v[len++]);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        eng_reg_infos_free(v, len);
        return eng_store_fail(st, err, "reading registries");
    }
    *out = v;
    *n = len;
    return ENG_OK;
}

int eng_store_reg_list(eng_store *st, eng_reg_info **out, size_t *n, eng_err *err)
{
    char sql[1024];
    sqlite3_stmt *q = NULL;
    kind_order_sql(sql, sizeof sql, "");
    if (eng_store_prep(st, &q, sql, err))
        return ENG_EIO;
    return read_infos(st, q, out, n, err);
}

int eng_store_reg_get(eng_store *st, long id, const char *name, eng_reg_info *out, eng_err *err)
{
    char sql[1024];
    sqlite3_stmt *q = NULL;
    kind_order_sql(sql, sizeof sql, id ? "WHERE r.id = ?1" : "WHERE r.name = ?2");
    if (eng_store_prep(st, &q, sql, err))
        return ENG_EIO;
    if (id)
        sqlite3_bind_int64(q, 1, id);
    else
        eng_store_bind_text(q, 2, name);
    eng_reg_info *v = NULL;
    size_t n = 0;
    int rc = read_infos(st, q, &v, &n, err);
    if (rc)
        return rc;
    /* a name: its active version (a name may be used by two kinds: the first) */
    size_t pick = n;
    for (size_t i = 0; i < n && pick == n; i++)
        if (id || v[i].active)
            pick = i;
    if (pick == n) {
        eng_reg_infos_free(v, n);
        if (id)
            return eng_fail(err, ENG_EINPUT, "no registry %ld in %s", id, eng_store_path(st));
        return eng_fail(err, ENG_EINPUT,
                        "no registry '%s' in %s (vernier registry list shows what is loaded)", name,
                        eng_store_path(st));
    }
    *out = v[pick];
    memset(&v[pick], 0, sizeof v[pick]);
    eng_reg_infos_free(v, n);
    return ENG_OK;
}

/* The columns of an entry, in the order row_entry reads them. */
#define ENTRY_COLS                                                                                 \
    "code, name, holder, aliases, country, quantity, scope, range_min, range_max, unit,"           \
    " uncertainty, unc_unit, k, valid_from, valid_to, status, source, line"
/* The same for checking: what a check compares or indexes (country,
 * quantity, source and line are only shown, read back with the entry). */
#define CHECK_COLS                                                                                 \
    "code, name, holder, aliases, NULL, NULL, scope, range_min, range_max, unit,"                  \
    " uncertainty, unc_unit, k, valid_from, valid_to, status, NULL, 0"

static const char *col_text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

/* Fills e from the row (ENTRY_COLS order).  own: the strings are copies
 * (released with eng_reg_entry_release; -1 when memory ran out), else they
 * are the statement's, valid until its next step. */
static int row_entry(sqlite3_stmt *q, eng_reg_entry *e, int own)
{
    char **s[] = {&e->code,  &e->name,       &e->holder,   &e->aliases, &e->country, &e->quantity,
                  &e->scope, NULL,           NULL,         &e->unit,    NULL,        &e->unc_unit,
                  NULL,      &e->valid_from, &e->valid_to, &e->status,  &e->source};
    double *d[] = {NULL,
                   NULL,
                   NULL,
                   NULL,
                   NULL,
                   NULL,
                   NULL,
                   &e->range_min,
                   &e->range_max,
                   NULL,
                   &e->uncertainty,
                   NULL,
                   &e->k};
    eng_reg_entry_init(e);
    int oom = 0;
    for (int i = 0; i < (int)(sizeof s / sizeof s[0]); i++) {
        if (i < (int)(sizeof d / sizeof d[0]) && d[i]) {
            *d[i] = col_num(q, i);
            continue;
        }
        const char *t = col_text(q, i);
        *s[i] = t && own ? strdup(t) : (char *)t;
        oom |= t && !*s[i];
    }
    e->line = sqlite3_column_int64(q, 17);
    return oom || !e->code ? -1 : 0;
}

int eng_store_reg_entries(eng_store *st, long id, const char *code, eng_reg_entry **out, size_t *n,
                          eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q,
                       "SELECT " ENTRY_COLS " FROM registry_entries WHERE registry_id = ?1 AND"
                       " (?2 IS NULL OR code_key = ?2) ORDER BY seq",
                       err))
        return ENG_EIO;
    sqlite3_bind_int64(q, 1, id);
    char key[256];
    eng_store_bind_text(q, 2, code ? eng_reg_code_key(code, strlen(code), key, sizeof key) : NULL);
    eng_reg_entry *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 64;
            eng_reg_entry *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = SQLITE_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        if (row_entry(q, &v[len++], 1)) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        eng_reg_entries_free(v, len);
        return rc == SQLITE_NOMEM ? eng_fail(err, ENG_EIO, "out of memory")
                                  : eng_store_fail(st, err, "reading registry entries");
    }
    *out = v;
    *n = len;
    return ENG_OK;
}

int eng_store_reg_scan(eng_store *st, long id, eng_reg_scan_fn fn, void *arg, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q,
                       "SELECT " CHECK_COLS ", seq FROM registry_entries WHERE registry_id = ?1"
                       " ORDER BY seq",
                       err))
        return ENG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        eng_reg_entry e;
        if (row_entry(q, &e, 0) || fn(arg, sqlite3_column_int64(q, 18), &e)) {
            sqlite3_finalize(q);
            return eng_fail(err, ENG_EIO, "out of memory");
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ENG_OK : eng_store_fail(st, err, "reading registry entries");
}

struct eng_reg_reader {
    eng_store *st;
    sqlite3_stmt *q;
};

int eng_store_reg_reader_open(eng_store *st, eng_reg_reader **out, eng_err *err)
{
    eng_reg_reader *rd = calloc(1, sizeof *rd);
    if (!rd)
        return eng_fail(err, ENG_EIO, "out of memory");
    rd->st = st;
    if (eng_store_prep(st, &rd->q,
                       "SELECT " ENTRY_COLS " FROM registry_entries WHERE registry_id = ?1 AND"
                       " seq = ?2",
                       err)) {
        free(rd);
        return ENG_EIO;
    }
    *out = rd;
    return ENG_OK;
}

int eng_store_reg_read(eng_reg_reader *rd, long id, long seq, eng_reg_entry *out, eng_err *err)
{
    sqlite3_reset(rd->q);
    sqlite3_bind_int64(rd->q, 1, id);
    sqlite3_bind_int64(rd->q, 2, seq);
    int rc = sqlite3_step(rd->q);
    if (rc == SQLITE_ROW) {
        rc = row_entry(rd->q, out, 1);
        sqlite3_reset(rd->q);
        if (rc) {
            eng_reg_entry_release(out);
            return eng_fail(err, ENG_EIO, "out of memory");
        }
        return ENG_OK;
    }
    sqlite3_reset(rd->q);
    if (rc == SQLITE_DONE)
        return eng_fail(err, ENG_EIO, "registry %ld has no entry %ld in %s", id, seq,
                        eng_store_path(rd->st));
    return eng_store_fail(rd->st, err, "reading a registry entry");
}

void eng_store_reg_reader_close(eng_reg_reader *rd)
{
    if (!rd)
        return;
    sqlite3_finalize(rd->q);
    free(rd);
}

int eng_store_reg_run_write(eng_store *st, long run_id, const eng_regset *rs, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(st, &q, "INSERT INTO run_registries(run_id, registry_id) VALUES(?,?)", err))
        return ENG_EIO;
    for (size_t i = 0; i < eng_regset_count(rs); i++) {
        sqlite3_bind_int64(q, 1, run_id);
        sqlite3_bind_int64(q, 2, eng_regset_info(rs, i)->id);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(q);
            return eng_store_fail(st, err, "recording the run's registries");
        }
    }
    sqlite3_finalize(q);
    return ENG_OK;
}

int eng_store_reg_checks_write(eng_store *st, long run_id, long *seq, const eng_reg_check *v,
                               size_t n, eng_err *err)
{
    if (!n)
        return ENG_OK;
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(
            st, &q,
            "INSERT INTO reg_checks(run_id, seq, project_id, indicator, ref_kind, claim, verdict,"
            " registry_id, registry, entry_code, entry, evidence, points)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            err))
        return ENG_EIO;
    for (size_t i = 0; i < n; i++) {
        const eng_reg_check *c = &v[i];
        sqlite3_bind_int64(q, 1, run_id);
        sqlite3_bind_int64(q, 2, (*seq)++);
        eng_store_bind_text(q, 3, c->project_id);
        sqlite3_bind_int(q, 4, c->indicator);
        eng_store_bind_text(q, 5, eng_ref_kind_name(c->ref_kind));
        eng_store_bind_text(q, 6, c->claim);
        eng_store_bind_text(q, 7, eng_verdict_name(c->verdict));
        if (c->registry_id)
            sqlite3_bind_int64(q, 8, c->registry_id);
        else
            sqlite3_bind_null(q, 8);
        eng_store_bind_text(q, 9, c->registry);
        eng_store_bind_text(q, 10, c->entry_code);
        eng_store_bind_text(q, 11, c->entry);
        eng_store_bind_text(q, 12, c->evidence);
        sqlite3_bind_double(q, 13, c->points);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(q);
            return eng_store_fail(st, err, "storing a registry check");
        }
    }
    sqlite3_finalize(q);
    return ENG_OK;
}

int eng_store_reg_run_versions(eng_store *st, long run_id, eng_reg_info **out, size_t *n,
                               eng_err *err)
{
    char sql[1024];
    sqlite3_stmt *q = NULL;
    kind_order_sql(sql, sizeof sql,
                   "WHERE r.id IN (SELECT registry_id FROM run_registries WHERE run_id = ?1)");
    if (eng_store_prep(st, &q, sql, err))
        return ENG_EIO;
    sqlite3_bind_int64(q, 1, run_id);
    return read_infos(st, q, out, n, err);
}

int eng_store_reg_checks(eng_store *st, long run_id, const char *project, eng_reg_check **out,
                         size_t *n, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (eng_store_prep(
            st, &q,
            "SELECT project_id, indicator, ref_kind, claim, verdict, registry_id, registry,"
            " entry_code, entry, evidence, points FROM reg_checks"
            " WHERE run_id = ?1 AND (?2 IS NULL OR project_id = ?2) ORDER BY project_id, seq",
            err))
        return ENG_EIO;
    sqlite3_bind_int64(q, 1, run_id);
    eng_store_bind_text(q, 2, project);
    eng_reg_check *v = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 64;
            eng_reg_check *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = SQLITE_NOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        eng_reg_check *c = &v[len++];
        memset(c, 0, sizeof *c);
        c->project_id = col_dup(q, 0);
        c->indicator = sqlite3_column_int(q, 1);
        c->ref_kind = eng_ref_kind_parse((const char *)sqlite3_column_text(q, 2));
        c->claim = col_dup(q, 3);
        c->verdict = eng_verdict_parse((const char *)sqlite3_column_text(q, 4));
        c->registry_id = sqlite3_column_int64(q, 5);
        c->registry = col_dup(q, 6);
        c->entry_code = col_dup(q, 7);
        c->entry = col_dup(q, 8);
        c->evidence = col_dup(q, 9);
        c->points = sqlite3_column_double(q, 10);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        eng_reg_checks_free(v, len);
        return rc == SQLITE_NOMEM ? eng_fail(err, ENG_EIO, "out of memory")
                                  : eng_store_fail(st, err, "reading registry checks");
    }
    *out = v;
    *n = len;
    return ENG_OK;
}
