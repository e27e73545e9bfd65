/*
 * eng_store: the SQLite store.  This file and eng_store_reg.c (the
 * registries' tables, through eng_store_int.h) are the only ones that speak
 * SQL.
 *
 * Schema versions are kept in PRAGMA user_version and migrated forward one
 * step at a time (migrations[] below); a store written by a newer vernier is
 * refused rather than guessed at.  Every import and every run is one
 * transaction.  The canonical JSON of each record is kept beside the columns
 * that queries need, so `show` prints exactly what was imported.
 */
#include "engine/eng_store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base_buf.h"
#include "engine/eng_err.h"
#include "base/base_sha256.h"
#include "engine/eng_store_int.h"
#include "engine/eng_version.h"

struct eng_store {
    sqlite3 *db;
    char *path;
    int in_tx;
    long wait_ms;               /* how long to wait for another writer */
    struct timespec busy_start; /* when the current wait began */
    int told;                   /* on_wait called (once a store) */
    eng_store_wait_fn on_wait;  /* NULL: wait silently */
    void *on_wait_ctx;
    char id[40]; /* meta store_id */
};

/* Each entry moves the schema from version i to i+1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE imports("
    "  id INTEGER PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, source TEXT,"
    "  added INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,"
    "  unchanged INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,"
    "  skipped_headers INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL);"
    "CREATE TABLE projects("
    "  id TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT, title TEXT, abstract TEXT,"
    "  organisation TEXT, pi TEXT, field TEXT, start TEXT, end_ TEXT, budget REAL, currency TEXT,"
    "  trl_start INTEGER, trl_target INTEGER, record_json TEXT NOT NULL,"
    "  content_hash TEXT NOT NULL, prov_file TEXT, prov_line INTEGER,"
    "  import_id INTEGER REFERENCES imports(id));"
    "CREATE INDEX projects_kind ON projects(kind);"
    "CREATE TABLE acceptance("
    "  project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,"
    "  date TEXT, conclusion TEXT, summary TEXT, outcomes TEXT, trl_claimed INTEGER);"
    "CREATE TABLE indicators("
    "  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
    "  name TEXT, target TEXT, achieved TEXT, unit TEXT, method TEXT, lab TEXT,"
    "  accreditation TEXT, report_no TEXT, uncertainty TEXT, PRIMARY KEY(project_id, idx));"
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY, name TEXT, created TEXT NOT NULL, ruleset_name TEXT,"
    "  ruleset_version TEXT, ruleset_sha256 TEXT NOT NULL, ruleset_text TEXT NOT NULL,"
    "  params TEXT, tool_version TEXT, timings TEXT, nprojects INTEGER, npairs INTEGER,"
    "  nhits INTEGER);"
    "CREATE TABLE scores("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, project_id TEXT NOT NULL,"
    "  content_hash TEXT, trl_claimed INTEGER, trl_evidenced INTEGER, trl_confidence REAL,"
    "  traceability REAL, novelty REAL, overall REAL, flags TEXT, duplicate_of TEXT,"
    "  rule_errors INTEGER, PRIMARY KEY(run_id, project_id));"
    "CREATE TABLE hits("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    "  project_id TEXT NOT NULL, rule_id TEXT NOT NULL, dimension TEXT, field TEXT,"
    "  indicator INTEGER, offset INTEGER, len INTEGER, match TEXT, context TEXT, points REAL,"
    "  level INTEGER, severity TEXT, message TEXT, error INTEGER, PRIMARY KEY(run_id, seq));"
    "CREATE INDEX hits_project ON hits(run_id, project_id);"
    "CREATE TABLE verdicts("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, project_id TEXT NOT NULL,"
    "  idx INTEGER NOT NULL, name TEXT, target TEXT, achieved TEXT, unit TEXT, verdict TEXT,"
    "  points REAL, reasons TEXT, PRIMARY KEY(run_id, project_id, idx));"
    "CREATE TABLE pairs("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, a TEXT NOT NULL,"
    "  b TEXT NOT NULL, kind TEXT, method TEXT, jaccard REAL, containment REAL, contained TEXT,"
    "  passage_a TEXT, passage_b TEXT, signals TEXT, PRIMARY KEY(run_id, a, b));"
    "CREATE TABLE signatures("
    "  text_hash TEXT NOT NULL, params TEXT NOT NULL, data BLOB NOT NULL,"
    "  PRIMARY KEY(text_hash, params));"
    "CREATE TABLE decisions("
    "  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  project_id TEXT NOT NULL, decision TEXT, comment TEXT, reviewer TEXT, decided_at TEXT,"
    "  workbook TEXT, workbook_sha256 TEXT, imported_at TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE projects_fts USING fts5(id UNINDEXED, title, abstract,"
    "  tokenize='trigram');",
    /* 1 -> 2: the trigram index becomes an external-content index over
     * projects, rebuilt on the first search after an import instead of
     * during it (it cost imports twenty times their time). */
    "DROP TABLE projects_fts;"
    "CREATE VIRTUAL TABLE projects_fts USING fts5(title, abstract, content='projects',"
    "  content_rowid='rowid', tokenize='trigram');"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT INTO meta(key, value) VALUES('fts_stale', '1');",
    /* 2 -> 3: the latest decision per project is found by index (reading a
     * run's decisions was quadratic without it). */
    "CREATE INDEX decisions_latest ON decisions(project_id, id);",
    /* 3 -> 4: the abstract lives in the record's JSON only (imports wrote it
     * twice), and the trigram index is contentless: it keeps the index, not
     * a third copy of the text. */
    "DROP TABLE projects_fts;"
    "ALTER TABLE projects DROP COLUMN abstract;"
    "CREATE VIRTUAL TABLE projects_fts USING fts5(title, abstract, content='',"
    "  tokenize='trigram');"
    "UPDATE meta SET value = '1' WHERE key = 'fts_stale';",
    /* 4 -> 5: a pair's connected group, whether its order is known (a is
     * the earlier) and its place in the run's list (by group, earliest
     * record first). */
    "ALTER TABLE pairs ADD COLUMN grp INTEGER;"
    "ALTER TABLE pairs ADD COLUMN ordered INTEGER;"
    "ALTER TABLE pairs ADD COLUMN seq INTEGER;",
    /* 5 -> 6: registries (eng_registry.h): versions by content hash, their
     * entries, the versions each run checked against, and its checks. */
    "CREATE TABLE registries("
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, file TEXT,"
    "  sha256 TEXT NOT NULL, entries INTEGER NOT NULL, imported_at TEXT NOT NULL,"
    "  active_order INTEGER NOT NULL, UNIQUE(kind, name, sha256));"
    "CREATE TABLE registry_entries("
    "  registry_id INTEGER NOT NULL REFERENCES registries(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL, code TEXT NOT NULL, code_key TEXT NOT NULL, name TEXT, holder TEXT,"
    "  aliases TEXT, country TEXT, quantity TEXT, scope TEXT, range_min REAL, range_max REAL,"
    "  unit TEXT, uncertainty REAL, unc_unit TEXT, k REAL, valid_from TEXT, valid_to TEXT,"
    "  status TEXT, source TEXT, line INTEGER, PRIMARY KEY(registry_id, seq));"
    "CREATE INDEX registry_entries_code ON registry_entries(registry_id, code_key);"
    "CREATE TABLE run_registries("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  registry_id INTEGER NOT NULL REFERENCES registries(id), PRIMARY KEY(run_id, registry_id));"
    "CREATE TABLE reg_checks("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    "  project_id TEXT NOT NULL, indicator INTEGER, ref_kind TEXT, claim TEXT, verdict TEXT,"
    "  registry_id INTEGER, registry TEXT, entry_code TEXT, entry TEXT, evidence TEXT,"
    "  points REAL, PRIMARY KEY(run_id, seq));"
    "CREATE INDEX reg_checks_project ON reg_checks(run_id, project_id);",
    /* 6 -> 7: versions of a project (rows sharing an id, eng_version.h):
     * every version with its provenance, kept when there are two or more;
     * the projects row holds their merge.  Import history counts them. */
    "CREATE TABLE versions("
    "  project_id TEXT NOT NULL, seq INTEGER NOT NULL, import_id INTEGER, prov_file TEXT,"
    "  prov_line INTEGER, record_json TEXT NOT NULL, content_hash TEXT NOT NULL,"
    "  PRIMARY KEY(project_id, seq));"
    "ALTER TABLE imports ADD COLUMN versions INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE imports ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;",
    /* 7 -> 8: the store's identity, random, made once: a returned workbook
     * is checked against it (a run number and rule set alone match any
     * store's). */
    "INSERT OR IGNORE INTO meta(key, value) VALUES('store_id', lower(hex(randomblob(16))));",
    /* 8 -> 9: three TRL readings (trl_evidenced is the achieved one); NULL is
     * "no reading", never level 0. */
    "ALTER TABLE scores ADD COLUMN trl_planned INTEGER;"
    "ALTER TABLE scores ADD COLUMN trl_planned_confidence REAL;"
    "ALTER TABLE scores ADD COLUMN trl_stated INTEGER;"
    "ALTER TABLE scores ADD COLUMN trl_stated_confidence REAL;",
    /* 9 -> 10: the next year is cheap (eng_reuse.h): a run's cache key (tool
     * version, rule set, registry versions) and what it reused; each score's
     * novelty points (novelty itself needs the neighbours) and the run its
     * rule results were reused from (NULL: evaluated in this run). */
    "ALTER TABLE runs ADD COLUMN cache_key TEXT;"
    "ALTER TABLE runs ADD COLUMN reuse TEXT;"
    "CREATE INDEX runs_cache_key ON runs(cache_key, id);"
    "ALTER TABLE scores ADD COLUMN novelty_points REAL;"
    "ALTER TABLE scores ADD COLUMN reused_from INTEGER;",
    /* 10 -> 11: smaller stores (#14).  The acceptance summary and outcomes
     * live in the record's JSON only (imports wrote them twice); a hit row
     * holds its rule as a number into run_rules (the rule's id, dimension,
     * level, severity and message once a run, not once a hit), without a
     * rowid; the view hits reads as the table did. */
    "ALTER TABLE acceptance DROP COLUMN summary;"
    "ALTER TABLE acceptance DROP COLUMN outcomes;"
    "CREATE TABLE run_rules("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
    "  rule_id TEXT NOT NULL, dimension TEXT, level INTEGER, severity TEXT, message TEXT,"
    "  PRIMARY KEY(run_id, idx)) WITHOUT ROWID;"
    "INSERT INTO run_rules SELECT run_id, row_number() OVER (PARTITION BY run_id"
    "  ORDER BY rule_id, dimension, level, severity, message) - 1, rule_id, dimension, level,"
    "  severity, message FROM (SELECT DISTINCT run_id, rule_id, dimension, level, severity,"
    "  message FROM hits);"
    "CREATE TABLE hit_rows("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
    "  project_id TEXT NOT NULL, rule INTEGER NOT NULL, field TEXT, indicator INTEGER,"
    "  offset INTEGER, len INTEGER, match TEXT, context TEXT, points REAL, error INTEGER,"
    "  PRIMARY KEY(run_id, seq)) WITHOUT ROWID;"
    "INSERT INTO hit_rows SELECT h.run_id, h.seq, h.project_id, r.idx, h.field, h.indicator,"
    "  h.offset, h.len, h.match, h.context, h.points, h.error FROM hits h JOIN run_rules r"
    "  ON r.run_id = h.run_id AND r.rule_id = h.rule_id AND r.dimension IS h.dimension"
    "  AND r.level IS h.level AND r.severity IS h.severity AND r.message IS h.message;"
    "DROP TABLE hits;"
    "CREATE INDEX hit_rows_project ON hit_rows(run_id, project_id);"
    "CREATE VIEW hits AS SELECT h.run_id AS run_id, h.seq AS seq, h.project_id AS project_id,"
    "  r.rule_id AS rule_id, r.dimension AS dimension, h.field AS field,"
    "  h.indicator AS indicator, h.offset AS offset, h.len AS len, h.match AS match,"
    "  h.context AS context, h.points AS points, r.level AS level, r.severity AS severity,"
    "  r.message AS message, h.error AS error"
    "  FROM hit_rows h JOIN run_rules r ON r.run_id = h.run_id AND r.idx = h.rule;",
    /* 11 -> 12: the duplicate stage's last search by method parameters: its
     * docs and the candidates it checked, so that the next run searches only
     * the pairs of new records (eng_dup_incr). */
    "CREATE TABLE IF NOT EXISTS dup_state(params TEXT PRIMARY KEY, data BLOB NOT NULL);",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

const char *eng_store_id(const eng_store *st)
{
    return st->id;
}

/* The message of a store that stayed locked by another writer past the wait. */
static int busy_fail(eng_store *st, eng_err *err)
{
    return eng_fail(err, ENG_EIO,
                    "%s: the store is busy: another vernier kept writing to it for longer than "
                    "%ld s (wait longer with --wait SECONDS)",
                    st->path, (st->wait_ms + 999) / 1000);
}

static int is_busy(const eng_store *st)
{
    int c = sqlite3_errcode(st->db) & 0xFF;
    return c == SQLITE_BUSY || c == SQLITE_LOCKED;
}

/* SQLite's message, with the system's reason when an I/O error has one
 * ("disk I/O error" alone does not say that the disk is full).  OUT: buf. */
static const char *db_msg(sqlite3 *db, const char *msg, char *buf, size_t cap)
{
    int c = sqlite3_errcode(db) & 0xFF, en = sqlite3_system_errno(db);
    if (en && (c == SQLITE_IOERR || c == SQLITE_FULL || c == SQLITE_CANTOPEN))
        snprintf(buf, cap, "%s (%s)", msg, strerror(en));
    else
        snprintf(buf, cap, "%s", msg);
    return buf;
}

static int db_fail(eng_store *st, eng_err *err, const char *what)
{
    if (is_busy(st))
        return busy_fail(st, err);
    char m[512];
    return eng_fail(err, ENG_EIO, "%s: %s: %s", st->path, what,
                    db_msg(st->db, sqlite3_errmsg(st->db), m, sizeof m));
}

static int exec(eng_store *st, const char *sql, eng_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (is_busy(st))
            busy_fail(st, err);
        else {
            char m[512];
            eng_fail(err, ENG_EIO, "%s: %s", st->path,
                     db_msg(st->db, msg ? msg : sqlite3_errmsg(st->db), m, sizeof m));
        }
        sqlite3_free(msg);
        return ENG_EIO;
    }
    return ENG_OK;
}

/* SQLite's busy handler: another connection writes.  Sleeps in growing steps
 * (1 ms up to 100 ms) until st->wait_ms have passed since the first call of
 * this wait; tells on_wait once the wait has lasted a second. */
static int busy_wait(void *arg, int count)
{
    eng_store *st = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        st->busy_start = now;
    long waited = (long)(now.tv_sec - st->busy_start.tv_sec) * 1000 +
                  (now.tv_nsec - st->busy_start.tv_nsec) / 1000000;
    if (waited >= st->wait_ms)
        return 0;
    if (waited >= 1000 && !st->told && st->on_wait) {
        st->told = 1;
        st->on_wait(st->on_wait_ctx, st->path, st->wait_ms);
    }
    long nap = count < 7 ? 1L << count : 100;
    if (nap > st->wait_ms - waited)
        nap = st->wait_ms - waited;
    struct timespec ts = {nap / 1000, (nap % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return 1;
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    const char *fixed = getenv("VERNIER_NOW"); /* golden tests pin the clock */
    if (fixed && *fixed) {
        snprintf(buf, 32, "%s", fixed);
        return;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int eng_store_open(const char *path, eng_store **out, eng_err *err)
{
    return eng_store_open_opt(path, NULL, out, err);
}

int eng_store_open_opt(const char *path, const eng_store_opt *opt, eng_store **out, eng_err *err)
{
    eng_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    st->wait_ms = opt && opt->wait_ms >= 0 ? opt->wait_ms : ENG_STORE_WAIT_MS;
    st->on_wait = opt ? opt->on_wait : NULL;
    st->on_wait_ctx = opt ? opt->ctx : NULL;
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        eng_fail(err, ENG_EIO, "%s: cannot open the store: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        eng_store_close(st);
        return ENG_EIO;
    }
    sqlite3_busy_handler(st->db, busy_wait, st);
    int version = 0;
    sqlite3_stmt *q = NULL;
    /* 16 KiB pages suit rows of a few KiB (a record's JSON); only a new
     * file takes it.  WAL: readers never wait for a writer, nor a writer for
     * readers; writers take turns (busy_wait).  synchronous stays FULL: a
     * committed import survives a power loss too. */
    if (exec(st,
             "PRAGMA page_size=16384; PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;"
             " PRAGMA synchronous=FULL;",
             err))
        goto fail;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK) {
        /* Not a database at all, most likely. */
        if (is_busy(st))
            busy_fail(st, err);
        else
            eng_fail(err, ENG_EINPUT, "%s: not a vernier store: %s", path, sqlite3_errmsg(st->db));
        goto fail;
    }
    if (sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (version > SCHEMA_VERSION) {
        eng_fail(err, ENG_EINPUT,
                 "%s: store schema version %d is newer than this vernier's (%d): upgrade vernier",
                 path, version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", v + 1);
        if (exec(st, "BEGIN IMMEDIATE", err))
            goto fail;
        if (exec(st, migrations[v], err) || exec(st, pragma, err)) {
            exec(st, "ROLLBACK", NULL);
            goto fail;
        }
        if (exec(st, "COMMIT", err))
            goto fail;
    }
    /* the store's id goes into every workbook: reading it may not fail
     * silently (memory, I/O) */
    int s =
        sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &q, NULL);
    if (s == SQLITE_OK)
        s = sqlite3_step(q);
    if (s == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (t)
            snprintf(st->id, sizeof st->id, "%s", (const char *)t);
        else
            s = SQLITE_NOMEM;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE) {
        if (s == SQLITE_NOMEM)
            eng_fail(err, ENG_EIO, "%s: reading the store's id: out of memory", path);
        else
            db_fail(st, err, "reading the store's id");
        sqlite3_finalize(q);
        goto fail;
    }
    sqlite3_finalize(q);
    *out = st;
    return ENG_OK;
fail:
    eng_store_close(st);
    return err ? err->code : ENG_EIO;
}

void eng_store_close(eng_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int eng_store_begin(eng_store *st, eng_err *err)
{
    int rc = exec(st, "BEGIN IMMEDIATE", err);
    if (!rc)
        st->in_tx = 1;
    return rc;
}

int eng_store_commit(eng_store *st, eng_err *err)
{
    int rc = exec(st, "COMMIT", err);
    if (rc)
        eng_store_rollback(st);
    st->in_tx = 0;
    return rc;
}

void eng_store_rollback(eng_store *st)
{
    if (st && !sqlite3_get_autocommit(st->db))
        exec(st, "ROLLBACK", NULL);
    if (st)
        st->in_tx = 0;
}

/* ---- small statement helpers ------------------------------------------- */

static int prep(eng_store *st, sqlite3_stmt **q, const char *sql, eng_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return db_fail(st, err, "prepare");
    return ENG_OK;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

int eng_store_fail(eng_store *st, eng_err *err, const char *what)
{
    return db_fail(st, err, what);
}

int eng_store_prep(eng_store *st, sqlite3_stmt **q, const char *sql, eng_err *err)
{
    return prep(st, q, sql, err);
}

void eng_store_bind_text(sqlite3_stmt *q, int i, const char *s)
{
    bind_text(q, i, s);
}

static void bind_int_or_null(sqlite3_stmt *q, int i, long v)
{
    if (v)
        sqlite3_bind_int64(q, i, v);
    else
        sqlite3_bind_null(q, i);
}

/* Set by col_dup when a value that is not NULL could not be copied (memory
 * ran out): the row readers check it, so that a row is never handed out
 * with a value silently missing. */
static _Thread_local int col_oom;

static char *col_dup(sqlite3_stmt *q, int i)
{
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return NULL;
    const unsigned char *t = sqlite3_column_text(q, i);
    char *d = t ? strdup((const char *)t) : NULL;
    if (!d)
        col_oom = 1;
    return d;
}

static int step_done(eng_store *st, sqlite3_stmt *q, eng_err *err, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(st, err, what);
    return ENG_OK;
}

/* ---- imports -------------------------------------------------------------- */

struct eng_import {
    eng_store *st;
    long id;
    eng_import_counts counts;
    int strict, replace;
    sqlite3_stmt *q_find, *q_del, *q_proj, *q_acc, *q_ind;
    sqlite3_stmt *q_vers, *q_vdel, *q_vadd;
};

static void import_free(eng_import *imp)
{
    sqlite3_finalize(imp->q_find);
    sqlite3_finalize(imp->q_del);
    sqlite3_finalize(imp->q_proj);
    sqlite3_finalize(imp->q_acc);
    sqlite3_finalize(imp->q_ind);
    sqlite3_finalize(imp->q_vers);
    sqlite3_finalize(imp->q_vdel);
    sqlite3_finalize(imp->q_vadd);
    free(imp);
}

int eng_import_begin(eng_store *st, const char *file, const char *file_sha256, const char *source,
                     eng_import **out, long *already, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    *out = NULL;
    *already = 0;
    if (prep(st, &q, "SELECT id FROM imports WHERE sha256 = ?", err))
        return ENG_EIO;
    bind_text(q, 1, file_sha256);
    if (sqlite3_step(q) == SQLITE_ROW)
        *already = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (*already)
        return ENG_OK;

    eng_import *imp = calloc(1, sizeof *imp);
    if (!imp)
        return eng_fail(err, ENG_EIO, "out of memory");
    imp->st = st;
    /* A 64 MiB page cache keeps the id index in memory for large files. */
    exec(st, "PRAGMA cache_size=-65536", NULL);
    if (eng_store_begin(st, err)) {
        free(imp);
        return ENG_EIO;
    }
    char now[32];
    now_iso(now);
    if (prep(st, &q, "INSERT INTO imports(file, sha256, source, at) VALUES(?,?,?,?)", err))
        goto fail;
    bind_text(q, 1, file);
    bind_text(q, 2, file_sha256);
    bind_text(q, 3, source);
    bind_text(q, 4, now);
    if (step_done(st, q, err, "recording the import")) {
        sqlite3_finalize(q);
        goto fail;
    }
    sqlite3_finalize(q);
    imp->id = sqlite3_last_insert_rowid(st->db);
    if (prep(st, &imp->q_find,
             "SELECT content_hash, source, record_json, prov_file, prov_line, import_id"
             " FROM projects WHERE id = ?",
             err) ||
        prep(st, &imp->q_vers,
             "SELECT record_json, content_hash, prov_file, prov_line, import_id FROM versions"
             " WHERE project_id = ? ORDER BY seq",
             err) ||
        prep(st, &imp->q_vdel, "DELETE FROM versions WHERE project_id = ?", err) ||
        prep(st, &imp->q_vadd,
             "INSERT INTO versions(project_id, seq, import_id, prov_file, prov_line, record_json,"
             " content_hash) VALUES(?,?,?,?,?,?,?)",
             err) ||
        prep(st, &imp->q_del, "DELETE FROM projects WHERE id = ?", err) ||
        prep(st, &imp->q_proj,
             "INSERT INTO projects(id, kind, source, title, organisation, pi, field,"
             " start, end_, budget, currency, trl_start, trl_target, record_json, content_hash,"
             " prov_file, prov_line, import_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
             err) ||
        prep(st, &imp->q_acc,
             "INSERT INTO acceptance(project_id, date, conclusion, trl_claimed) VALUES(?,?,?,?)",
             err) ||
        prep(st, &imp->q_ind,
             "INSERT INTO indicators(project_id, idx, name, target, achieved, unit, method, lab,"
             " accreditation, report_no, uncertainty) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
             err) ||
        exec(st, "UPDATE meta SET value = '1' WHERE key = 'fts_stale'", err))
        goto fail;
    *out = imp;
    return ENG_OK;
fail:
    eng_store_rollback(st);
    import_free(imp);
    return ENG_EIO;
}

/* One version of a project as stored. */
typedef struct version {
    char *json, *hash, *file;
    long line, import_id;
} version;

static void versions_free(version *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].json);
        free(v[i].hash);
        free(v[i].file);
    }
    free(v);
}

static int same_place(const char *fa, long la, const char *fb, long lb)
{
    return la == lb && ((!fa && !fb) || (fa && fb && !strcmp(fa, fb)));
}

/* Writes the projects row (and acceptance, indicators) of r. */
static int write_project(eng_import *imp, const eng_record *r, char *json, const char *hash,
                         eng_err *err)
{
    eng_store *st = imp->st;
    sqlite3_stmt *q = imp->q_proj;
    bind_text(q, 1, r->id);
    bind_text(q, 2, r->kind ? r->kind : "project");
    bind_text(q, 3, r->source);
    bind_text(q, 4, r->title);
    bind_text(q, 5, r->organisation);
    bind_text(q, 6, r->pi);
    bind_text(q, 7, r->field);
    bind_text(q, 8, r->start);
    bind_text(q, 9, r->end);
    if (r->has_budget)
        sqlite3_bind_double(q, 10, r->budget);
    else
        sqlite3_bind_null(q, 10);
    bind_text(q, 11, r->currency);
    bind_int_or_null(q, 12, r->trl_start);
    bind_int_or_null(q, 13, r->trl_target);
    sqlite3_bind_text(q, 14, json, -1, free);
    bind_text(q, 15, hash);
    bind_text(q, 16, r->prov_file);
    sqlite3_bind_int64(q, 17, r->prov_line);
    sqlite3_bind_int64(q, 18, imp->id);
    if (step_done(st, q, err, "storing a record"))
        return ENG_EIO;
    if (r->has_acceptance) {
        q = imp->q_acc;
        bind_text(q, 1, r->id);
        bind_text(q, 2, r->acc_date);
        bind_text(q, 3, r->acc_conclusion);
        bind_int_or_null(q, 4, r->trl_claimed);
        if (step_done(st, q, err, "storing acceptance"))
            return ENG_EIO;
    }
    for (size_t i = 0; i < r->nindicators; i++) {
        const eng_indicator *ind = &r->indicators[i];
        q = imp->q_ind;
        bind_text(q, 1, r->id);
        sqlite3_bind_int64(q, 2, (long)i);
        const char *v[] = {ind->name,          ind->target,    ind->achieved,
                           ind->unit,          ind->method,    ind->lab,
                           ind->accreditation, ind->report_no, ind->uncertainty};
        for (int k = 0; k < 9; k++)
            bind_text(q, 3 + k, v[k]);
        if (step_done(st, q, err, "storing an indicator"))
            return ENG_EIO;
    }
    return ENG_OK;
}

/* The stored versions of id: the versions table, or else the projects row
 * itself (a project with one version keeps no versions rows).  OUT: *out,
 * *n. */
static int load_versions(eng_import *imp, const char *id, version **out, size_t *n, eng_err *err)
{
    version *v = NULL;
    size_t cnt = 0, cap = 0;
    int s;
    sqlite3_bind_text(imp->q_vers, 1, id, -1, SQLITE_TRANSIENT);
    while ((s = sqlite3_step(imp->q_vers)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 4;
            version *nv = realloc(v, nc * sizeof *nv);
            if (!nv)
                break;
            v = nv;
            cap = nc;
        }
        version *x = &v[cnt++];
        x->json = col_dup(imp->q_vers, 0);
        x->hash = col_dup(imp->q_vers, 1);
        x->file = col_dup(imp->q_vers, 2);
        x->line = sqlite3_column_int64(imp->q_vers, 3);
        x->import_id = sqlite3_column_int64(imp->q_vers, 4);
        if (!x->json || !x->hash)
            break;
        s = SQLITE_DONE;
    }
    int bad = s != SQLITE_DONE && s != SQLITE_ROW;
    sqlite3_reset(imp->q_vers);
    if (bad) {
        versions_free(v, cnt);
        return db_fail(imp->st, err, "reading versions");
    }
    *out = v;
    *n = cnt;
    return ENG_OK;
}

int eng_import_add(eng_import *imp, const eng_record *r, eng_err *err)
{
    eng_store *st = imp->st;
    char hash[65];
    int rc = eng_record_validate(r, err);
    if (rc)
        return rc;
    /* The canonical JSON is both what is stored and what the content hash is
     * taken over (eng_record_hash): serialise it once. */
    char *json = eng_record_to_json(r, 0);
    if (!json)
        return eng_fail(err, ENG_EIO, "out of memory");
    base_sha256_hex(json, strlen(json), hash);
    sqlite3_bind_text(imp->q_find, 1, r->id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(imp->q_find) != SQLITE_ROW) {
        /* a new project: the common case, one lookup and one insert */
        sqlite3_reset(imp->q_find);
        if (write_project(imp, r, json, hash, err) != ENG_OK)
            return ENG_EIO;
        imp->counts.added++;
        return ENG_OK;
    }
    version stored = {0};
    const unsigned char *src = sqlite3_column_text(imp->q_find, 1);
    char *old_source = src ? strdup((const char *)src) : NULL;
    stored.hash = col_dup(imp->q_find, 0);
    stored.json = col_dup(imp->q_find, 2);
    stored.file = col_dup(imp->q_find, 3);
    stored.line = sqlite3_column_int64(imp->q_find, 4);
    stored.import_id = sqlite3_column_int64(imp->q_find, 5);
    sqlite3_reset(imp->q_find);
    version *v = NULL;
    size_t nv = 0;
    char *merged = NULL, *diff = NULL;
    eng_record m;
    eng_record_init(&m);
    rc = ENG_OK;
    if (!stored.hash || !stored.json || (src && !old_source)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    if (!strcmp(stored.hash, hash)) {
        imp->counts.unchanged++;
        goto done;
    }
    if ((rc = load_versions(imp, r->id, &v, &nv, err)) != ENG_OK)
        goto done;
    if (nv == 0) { /* one version: the projects row */
        v = malloc(sizeof *v);
        if (!v) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        v[0] = stored;
        memset(&stored, 0, sizeof stored);
        nv = 1;
    }
    size_t same = nv;
    for (size_t i = 0; i < nv; i++) {
        if (!strcmp(v[i].hash, hash)) {
            imp->counts.unchanged++; /* this very version is stored */
            goto done;
        }
        if (same == nv && same_place(v[i].file, v[i].line, r->prov_file, r->prov_line))
            same = i;
    }
    /* Ids are unique within an agency, not across them: a record of another
     * source never silently joins a stored one. */
    if (old_source && r->source && strcmp(old_source, r->source) && !imp->replace) {
        rc = eng_fail(err, ENG_EINPUT,
                      "field 'id': '%s' is already stored from source '%s', not '%s' (import "
                      "with --id-prefix to keep both, or --replace to replace it)",
                      r->id, old_source, r->source);
        goto done;
    }
    if (imp->strict && same == nv) {
        rc = eng_fail(err, ENG_EINPUT,
                      "field 'id': '%s' is already stored (%s:%ld); --strict refuses a second "
                      "version of a project",
                      r->id, v[nv - 1].file ? v[nv - 1].file : "?", v[nv - 1].line);
        goto done;
    }
    if (same < nv && !imp->replace) {
        /* the same row imported again (another --map, --source...): an
         * update of that version, which must not lose what it had */
        int lost = eng_version_losses(v[same].json, json, &diff);
        if (lost < 0) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        if (lost > 0) {
            rc = eng_fail(err, ENG_EINPUT,
                          "field 'id': '%s': this import of %s:%ld would lose %d field%s that "
                          "import %ld stored (nothing stored; --replace accepts it):\n%.*s",
                          r->id, r->prov_file ? r->prov_file : "?", r->prov_line, lost,
                          lost == 1 ? "" : "s", v[same].import_id, (int)strlen(diff) - 1, diff);
            goto done;
        }
    }
    /* the new version: in place of the same row's, after the others, or
     * (--replace) alone */
    version nw = {strdup(json), strdup(hash), r->prov_file ? strdup(r->prov_file) : NULL,
                  r->prov_line, imp->id};
    if (!nw.json || !nw.hash || (r->prov_file && !nw.file)) {
        free(nw.json), free(nw.hash), free(nw.file);
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    int was_update = same < nv || imp->replace;
    if (imp->replace) {
        versions_free(v, nv);
        v = NULL;
        nv = 0;
    } else if (same < nv) {
        free(v[same].json), free(v[same].hash), free(v[same].file);
        memmove(&v[same], &v[same + 1], (nv - same - 1) * sizeof *v);
        nv--;
    }
    version *grown = realloc(v, (nv + 1) * sizeof *v);
    if (!grown) {
        free(nw.json), free(nw.hash), free(nw.file);
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    v = grown;
    v[nv++] = nw;
    /* the merge */
    const char **texts = malloc(nv * sizeof *texts);
    if (!texts) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nv; i++)
        texts[i] = v[i].json;
    int nconf = 0;
    rc = eng_version_merge(texts, nv, &merged, &nconf, err);
    free(texts);
    if (rc != ENG_OK)
        goto done;
    if ((rc = eng_record_from_json(merged, strlen(merged), &m, err)) != ENG_OK)
        goto done;
    if (eng_record_set_provenance(&m, r->prov_file, r->prov_line) != ENG_OK) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    char *mjson = eng_record_to_json(&m, 0);
    char mhash[65];
    if (!mjson) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    base_sha256_hex(mjson, strlen(mjson), mhash);
    bind_text(imp->q_del, 1, r->id);
    bind_text(imp->q_vdel, 1, r->id);
    if (step_done(st, imp->q_del, err, "replacing a record") ||
        step_done(st, imp->q_vdel, err, "replacing versions")) {
        free(mjson);
        rc = ENG_EIO;
        goto done;
    }
    if ((rc = write_project(imp, &m, mjson, mhash, err)) != ENG_OK)
        goto done;
    for (size_t i = 0; nv > 1 && i < nv; i++) {
        sqlite3_stmt *q = imp->q_vadd;
        bind_text(q, 1, r->id);
        sqlite3_bind_int64(q, 2, (long)i + 1);
        sqlite3_bind_int64(q, 3, v[i].import_id);
        bind_text(q, 4, v[i].file);
        sqlite3_bind_int64(q, 5, v[i].line);
        bind_text(q, 6, v[i].json);
        bind_text(q, 7, v[i].hash);
        if (step_done(st, q, err, "storing a version")) {
            rc = ENG_EIO;
            goto done;
        }
    }
    if (was_update)
        imp->counts.updated++;
    else
        imp->counts.versions++;
    imp->counts.conflicts += nconf;
done:
    free(json);
    free(merged);
    free(diff);
    free(old_source);
    free(stored.json), free(stored.hash), free(stored.file);
    versions_free(v, nv);
    eng_record_release(&m);
    return rc;
}

void eng_import_set_policy(eng_import *imp, int strict, int replace)
{
    imp->strict = strict;
    imp->replace = replace;
}

void eng_import_reject(eng_import *imp)
{
    imp->counts.rejected++;
}

void eng_import_skipped_header(eng_import *imp)
{
    imp->counts.skipped_headers++;
}

const eng_import_counts *eng_import_get_counts(const eng_import *imp)
{
    return &imp->counts;
}

long eng_import_id(const eng_import *imp)
{
    return imp->id;
}

int eng_import_commit(eng_import *imp, eng_err *err)
{
    eng_store *st = imp->st;
    sqlite3_stmt *q = NULL;
    int rc = prep(st, &q,
                  "UPDATE imports SET added=?, updated=?, unchanged=?, rejected=?,"
                  " skipped_headers=?, versions=?, conflicts=? WHERE id=?",
                  err);
    if (!rc) {
        sqlite3_bind_int64(q, 1, imp->counts.added);
        sqlite3_bind_int64(q, 2, imp->counts.updated);
        sqlite3_bind_int64(q, 3, imp->counts.unchanged);
        sqlite3_bind_int64(q, 4, imp->counts.rejected);
        sqlite3_bind_int64(q, 5, imp->counts.skipped_headers);
        sqlite3_bind_int64(q, 6, imp->counts.versions);
        sqlite3_bind_int64(q, 7, imp->counts.conflicts);
        sqlite3_bind_int64(q, 8, imp->id);
        rc = step_done(st, q, err, "recording the import");
        sqlite3_finalize(q);
    }
    import_free(imp);
    if (rc) {
        eng_store_rollback(st);
        return rc;
    }
    return eng_store_commit(st, err);
}

void eng_import_abort(eng_import *imp)
{
    if (!imp)
        return;
    eng_store *st = imp->st;
    import_free(imp);
    eng_store_rollback(st);
}

/* ---- reading records ------------------------------------------------------- */

static int record_from_row(sqlite3_stmt *q, eng_record *out, eng_err *err)
{
    const char *json = (const char *)sqlite3_column_text(q, 0);
    int rc = eng_record_from_json(json ? json : "{}", json ? strlen(json) : 2, out, err);
    if (rc)
        return rc;
    const char *pf = (const char *)sqlite3_column_text(q, 1);
    if (eng_record_set_provenance(out, pf, sqlite3_column_int64(q, 2)))
        return eng_fail(err, ENG_EIO, "out of memory");
    return ENG_OK;
}

int eng_store_get_record(eng_store *st, const char *id, eng_record *out, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q, "SELECT record_json, prov_file, prov_line FROM projects WHERE id = ?", err))
        return ENG_EIO;
    bind_text(q, 1, id);
    int rc;
    if (sqlite3_step(q) == SQLITE_ROW)
        rc = record_from_row(q, out, err);
    else
        rc = eng_fail(err, ENG_EINPUT, "no project '%s' in the store", id);
    sqlite3_finalize(q);
    return rc;
}

int eng_store_versions(eng_store *st, const char *id, eng_version_row **out, size_t *n,
                       eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q,
             "SELECT seq, import_id, prov_file, prov_line, record_json FROM versions"
             " WHERE project_id = ? ORDER BY seq",
             err))
        return ENG_EIO;
    bind_text(q, 1, id);
    eng_version_row *v = NULL;
    size_t cnt = 0, cap = 0;
    int s, rc = ENG_OK;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 4;
            eng_version_row *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        eng_version_row *x = &v[cnt++];
        x->seq = sqlite3_column_int64(q, 0);
        x->import_id = sqlite3_column_int64(q, 1);
        x->file = col_dup(q, 2);
        x->line = sqlite3_column_int64(q, 3);
        x->record_json = col_dup(q, 4);
        if (!x->record_json) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
    }
    if (rc == ENG_OK && s != SQLITE_DONE)
        rc = db_fail(st, err, "reading versions");
    sqlite3_finalize(q);
    if (rc) {
        eng_versions_free(v, cnt);
        return rc;
    }
    *out = v;
    *n = cnt;
    return ENG_OK;
}

void eng_versions_free(eng_version_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].file);
        free(v[i].record_json);
    }
    free(v);
}

void eng_records_free(eng_record *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eng_record_release(&v[i]);
    free(v);
}

static int load_records(eng_store *st, const char *const *kinds, eng_record **out,
                        char (**hashes)[65], size_t *n, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q,
             "SELECT record_json, prov_file, prov_line, kind, content_hash FROM projects"
             " ORDER BY id",
             err))
        return ENG_EIO;
    eng_record *v = NULL;
    char(*hv)[65] = NULL;
    size_t cnt = 0, cap = 0;
    int rc = ENG_OK, s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(q, 3);
        if (kinds) {
            int want = 0;
            for (size_t i = 0; kinds[i]; i++)
                want |= kind && !strcmp(kinds[i], kind);
            if (!want)
                continue;
        }
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 256;
            eng_record *nv = realloc(v, nc * sizeof *nv);
            if (nv)
                v = nv;
            char(*nh)[65] = hashes && nv ? realloc(hv, nc * sizeof *nh) : NULL;
            if (nh)
                hv = nh;
            if (!nv || (hashes && !nh)) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            cap = nc;
        }
        eng_record_init(&v[cnt]);
        if ((rc = record_from_row(q, &v[cnt], err)) != ENG_OK) {
            eng_record_release(&v[cnt]);
            break;
        }
        if (hashes) {
            const char *h = (const char *)sqlite3_column_text(q, 4);
            snprintf(hv[cnt], sizeof hv[cnt], "%s", h ? h : "");
        }
        cnt++;
    }
    if (rc == ENG_OK && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = db_fail(st, err, "reading records");
    sqlite3_finalize(q);
    if (rc) {
        eng_records_free(v, cnt);
        free(hv);
        return rc;
    }
    *out = v;
    *n = cnt;
    if (hashes)
        *hashes = hv;
    return ENG_OK;
}

int eng_store_load_records(eng_store *st, const char *const *kinds, eng_record **out, size_t *n,
                           eng_err *err)
{
    return load_records(st, kinds, out, NULL, n, err);
}

int eng_store_load_records_hashed(eng_store *st, eng_record **out, char (**hashes)[65], size_t *n,
                                  eng_err *err)
{
    *hashes = NULL;
    return load_records(st, NULL, out, hashes, n, err);
}

int eng_store_stats_json(eng_store *st, char **out, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    base_buf b = {0};
    base_buf_cat(&b, "{\"records\":[");
    if (prep(
            st, &q,
            "SELECT kind, COALESCE(source, ''), COUNT(*) FROM projects GROUP BY 1, 2 ORDER BY 1, 2",
            err))
        return ENG_EIO;
    for (int first = 1; sqlite3_step(q) == SQLITE_ROW; first = 0) {
        char num[32];
        base_buf_cat(&b, first ? "{\"kind\":" : ",{\"kind\":");
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 0));
        base_buf_cat(&b, ",\"source\":");
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 1));
        snprintf(num, sizeof num, ",\"count\":%lld}", (long long)sqlite3_column_int64(q, 2));
        base_buf_cat(&b, num);
    }
    sqlite3_finalize(q);
    base_buf_cat(&b, "],\"imports\":[");
    if (prep(st, &q,
             "SELECT id, file, sha256, COALESCE(source, ''), added, updated, unchanged, rejected,"
             " skipped_headers, at FROM imports ORDER BY id",
             err)) {
        free(b.p);
        return ENG_EIO;
    }
    for (int first = 1; sqlite3_step(q) == SQLITE_ROW; first = 0) {
        char num[256];
        snprintf(num, sizeof num, "%s{\"id\":%lld,\"file\":", first ? "" : ",",
                 (long long)sqlite3_column_int64(q, 0));
        base_buf_cat(&b, num);
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 1));
        base_buf_cat(&b, ",\"sha256\":");
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 2));
        base_buf_cat(&b, ",\"source\":");
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 3));
        snprintf(num, sizeof num,
                 ",\"added\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"rejected\":%lld,"
                 "\"skipped_headers\":%lld,\"at\":",
                 (long long)sqlite3_column_int64(q, 4), (long long)sqlite3_column_int64(q, 5),
                 (long long)sqlite3_column_int64(q, 6), (long long)sqlite3_column_int64(q, 7),
                 (long long)sqlite3_column_int64(q, 8));
        base_buf_cat(&b, num);
        base_buf_json(&b, (const char *)sqlite3_column_text(q, 9));
        base_buf_cat(&b, "}");
    }
    sqlite3_finalize(q);
    base_buf_cat(&b, "],\"runs\":");
    if (prep(st, &q, "SELECT COUNT(*) FROM runs", err)) {
        free(b.p);
        return ENG_EIO;
    }
    char num[32];
    snprintf(num, sizeof num, "%lld}",
             sqlite3_step(q) == SQLITE_ROW ? (long long)sqlite3_column_int64(q, 0) : 0LL);
    sqlite3_finalize(q);
    base_buf_cat(&b, num);
    if (b.oom) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    *out = b.p;
    return ENG_OK;
}

/* Rebuilds the trigram index when an import has changed projects since. */
static int fts_fresh(eng_store *st, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q, "SELECT value FROM meta WHERE key = 'fts_stale'", err))
        return ENG_EIO;
    int stale = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) != 0;
    sqlite3_finalize(q);
    if (!stale)
        return ENG_OK;
    if (eng_store_begin(st, err))
        return ENG_EIO;
    if (exec(st,
             "INSERT INTO projects_fts(projects_fts) VALUES('delete-all');"
             "INSERT INTO projects_fts(rowid, title, abstract) SELECT rowid, title,"
             " json_extract(record_json, '$.abstract') FROM projects;"
             "UPDATE meta SET value = '0' WHERE key = 'fts_stale';",
             err)) {
        eng_store_rollback(st);
        return ENG_EIO;
    }
    return eng_store_commit(st, err);
}

/* One word of a search query: bytes p[0..len), chars its characters. */
typedef struct qword {
    const char *p;
    size_t len, chars;
} qword;

static int ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int is_space_at(const char *p)
{
    return *p == ' ' || *p == '\t' || !strncmp(p, "\xE3\x80\x80", 3);
}

/* Splits query at spaces (ASCII and U+3000).  OUT: w (room for max), *nw. */
static void query_words(const char *query, qword *w, size_t max, size_t *nw)
{
    *nw = 0;
    for (const char *p = query; *p;) {
        if (is_space_at(p)) {
            p += *p == ' ' || *p == '\t' ? 1 : 3;
            continue;
        }
        const char *start = p;
        size_t chars = 0;
        while (*p && !is_space_at(p)) {
            chars += ((unsigned char)*p & 0xC0) != 0x80;
            p++;
        }
        if (*nw < max)
            w[(*nw)++] = (qword){start, (size_t)(p - start), chars};
    }
}

/* Whether text holds word w: ASCII letters in any case, and a word that
 * begins (ends) with an ASCII letter or digit only where the text has none
 * just before (after) it, so "AI" is not found in "MOSAIC" or "AIS" while
 * "AI" in "基于AI的" and Chinese words anywhere are. */
static int text_has_word(const char *text, const qword *w)
{
    if (!text)
        return 0;
    int check_start = ascii_alnum((unsigned char)w->p[0]);
    int check_end = ascii_alnum((unsigned char)w->p[w->len - 1]);
    for (const char *t = text; *t; t++) {
        if (strncasecmp(t, w->p, w->len))
            continue;
        if (check_start && t > text && ascii_alnum((unsigned char)t[-1]))
            continue;
        if (check_end && ascii_alnum((unsigned char)t[w->len]))
            continue;
        return 1;
    }
    return 0;
}

int eng_store_search(eng_store *st, const char *query, size_t limit, char ***ids, size_t *n,
                     size_t *total, eng_err *err)
{
    qword w[64];
    size_t nw;
    query_words(query, w, sizeof w / sizeof w[0], &nw);
    if (!nw)
        return eng_fail(err, ENG_EUSAGE, "search: the query is empty");
    int rc = fts_fresh(st, err);
    if (rc)
        return rc;
    /* The trigram index finds the records holding every word of three
     * characters or more (each a quoted phrase, so FTS5 operators in the
     * text are taken literally); with none, every record is a candidate.
     * Each candidate is then checked for every word as text_has_word()
     * says: short words, and whole Latin words. */
    base_buf b = {0};
    for (size_t k = 0; k < nw; k++) {
        if (w[k].chars < 3)
            continue;
        base_buf_add(&b, b.n ? " \"" : "\"", b.n ? 2 : 1);
        for (size_t i = 0; i < w[k].len; i++)
            base_buf_add(&b, w[k].p[i] == '"' ? "\"\"" : w[k].p + i, w[k].p[i] == '"' ? 2 : 1);
        base_buf_add(&b, "\"", 1);
    }
    if (b.oom) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    sqlite3_stmt *q = NULL;
    if (b.n) {
        rc = prep(st, &q,
                  "SELECT p.id, p.title, json_extract(p.record_json, '$.abstract')"
                  " FROM projects_fts f JOIN projects p ON p.rowid = f.rowid"
                  " WHERE projects_fts MATCH ? ORDER BY f.rank, p.id",
                  err);
        if (!rc)
            sqlite3_bind_text(q, 1, b.p, -1, free);
        else
            free(b.p);
    } else {
        free(b.p);
        rc = prep(st, &q,
                  "SELECT id, title, json_extract(record_json, '$.abstract') FROM projects"
                  " ORDER BY id",
                  err);
    }
    if (rc)
        return rc;
    char **v = NULL;
    size_t cnt = 0, found = 0;
    int s, oom = 0;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        const char *title = (const char *)sqlite3_column_text(q, 1);
        const char *abstract = (const char *)sqlite3_column_text(q, 2);
        size_t k = 0;
        while (k < nw && (text_has_word(title, &w[k]) || text_has_word(abstract, &w[k])))
            k++;
        if (k < nw)
            continue;
        found++;
        if (cnt >= limit)
            continue;
        char *id = col_dup(q, 0);
        char **nv = id ? realloc(v, (cnt + 1) * sizeof *nv) : NULL;
        if (!nv) {
            free(id);
            oom = 1;
            break;
        }
        v = nv;
        v[cnt++] = id;
    }
    if (oom || s != SQLITE_DONE) {
        rc = oom ? eng_fail(err, ENG_EIO, "out of memory") : db_fail(st, err, "search");
        for (size_t i = 0; i < cnt; i++)
            free(v[i]);
        free(v);
        sqlite3_finalize(q);
        return rc;
    }
    sqlite3_finalize(q);
    *ids = v;
    *n = cnt;
    if (total)
        *total = found;
    return ENG_OK;
}

/* ---- signature cache ----------------------------------------------------- */

int eng_store_sig_all(eng_store *st, const char *params, eng_sig **out, size_t *n, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    *out = NULL;
    *n = 0;
    if (prep(st, &q, "SELECT text_hash, data FROM signatures WHERE params = ? ORDER BY text_hash",
             err))
        return ENG_EIO;
    bind_text(q, 1, params);
    eng_sig *v = NULL;
    size_t cnt = 0, cap = 0;
    int s, rc = ENG_OK;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(q, 0);
        int len = sqlite3_column_bytes(q, 1);
        if (!h || strlen(h) != 64)
            continue;
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            eng_sig *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        v[cnt].data = malloc(len ? (size_t)len : 1);
        if (!v[cnt].data) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        memcpy(v[cnt].hash, h, 65);
        memcpy(v[cnt].data, sqlite3_column_blob(q, 1), (size_t)len);
        v[cnt].len = (size_t)len;
        cnt++;
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, err, "reading the signature cache");
    sqlite3_finalize(q);
    if (rc) {
        eng_sigs_free(v, cnt);
        return rc;
    }
    *out = v;
    *n = cnt;
    return ENG_OK;
}

void eng_sigs_free(eng_sig *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].data);
    free(v);
}

int eng_store_sig_put(eng_store *st, const char *text_hash, const char *params, const void *data,
                      size_t len, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q, "INSERT OR REPLACE INTO signatures(text_hash, params, data) VALUES(?,?,?)",
             err))
        return ENG_EIO;
    bind_text(q, 1, text_hash);
    bind_text(q, 2, params);
    sqlite3_bind_blob(q, 3, data, (int)len, SQLITE_TRANSIENT);
    int rc = step_done(st, q, err, "caching a signature");
    sqlite3_finalize(q);
    return rc;
}

/* ---- writing a run ------------------------------------------------------------ */

/* The run's rules as run_rules numbers them: an open-addressing table keyed
 * by the hit's rule fields (id, dimension, level, severity, message). */
typedef struct rule_slot {
    char *key; /* NULL: empty */
    long idx;
} rule_slot;

struct eng_runw {
    eng_store *st;
    long id, seq, npairs;
    sqlite3_stmt *q_score, *q_hit, *q_rule, *q_verdict, *q_pair;
    rule_slot *rules;
    size_t nrules, rcap; /* rcap a power of two */
};

static void runw_free(eng_runw *w)
{
    for (size_t i = 0; i < w->rcap; i++)
        free(w->rules[i].key);
    free(w->rules);
    sqlite3_finalize(w->q_rule);
    sqlite3_finalize(w->q_score);
    sqlite3_finalize(w->q_hit);
    sqlite3_finalize(w->q_verdict);
    sqlite3_finalize(w->q_pair);
    free(w);
}

int eng_runw_begin(eng_store *st, eng_run_info *info, eng_runw **out, eng_err *err)
{
    eng_runw *w = calloc(1, sizeof *w);
    if (!w)
        return eng_fail(err, ENG_EIO, "out of memory");
    w->st = st;
    if (eng_store_begin(st, err)) {
        free(w);
        return ENG_EIO;
    }
    char now[32];
    now_iso(now);
    free(info->created);
    info->created = strdup(now);
    sqlite3_stmt *q = NULL;
    if (prep(st, &q,
             "INSERT INTO runs(name, created, ruleset_name, ruleset_version, ruleset_sha256,"
             " ruleset_text, params, tool_version, cache_key) VALUES(?,?,?,?,?,?,?,?,?)",
             err))
        goto fail;
    bind_text(q, 1, info->name);
    bind_text(q, 2, now);
    bind_text(q, 3, info->ruleset_name);
    bind_text(q, 4, info->ruleset_version);
    bind_text(q, 5, info->ruleset_sha256);
    bind_text(q, 6, info->ruleset_text);
    bind_text(q, 7, info->params);
    bind_text(q, 8, info->tool_version);
    bind_text(q, 9, info->cache_key);
    if (step_done(st, q, err, "recording the run")) {
        sqlite3_finalize(q);
        goto fail;
    }
    sqlite3_finalize(q);
    w->id = info->id = sqlite3_last_insert_rowid(st->db);
    if (prep(st, &w->q_score,
             "INSERT INTO scores(run_id, project_id, content_hash, trl_claimed, trl_evidenced,"
             " trl_confidence, traceability, novelty, overall, flags, duplicate_of, rule_errors,"
             " trl_planned, trl_planned_confidence, trl_stated, trl_stated_confidence,"
             " novelty_points, reused_from) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
             err) ||
        prep(st, &w->q_hit,
             "INSERT INTO hit_rows(run_id, seq, project_id, rule, field, indicator, offset, len,"
             " match, context, points, error) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
             err) ||
        prep(st, &w->q_rule,
             "INSERT INTO run_rules(run_id, idx, rule_id, dimension, level, severity, message)"
             " VALUES(?,?,?,?,?,?,?)",
             err) ||
        prep(st, &w->q_verdict,
             "INSERT INTO verdicts(run_id, project_id, idx, name, target, achieved, unit, verdict,"
             " points, reasons) VALUES(?,?,?,?,?,?,?,?,?,?)",
             err) ||
        prep(st, &w->q_pair,
             "INSERT INTO pairs(run_id, a, b, kind, method, jaccard, containment, contained,"
             " passage_a, passage_b, signals, grp, ordered, seq)"
             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
             err))
        goto fail;
    *out = w;
    return ENG_OK;
fail:
    eng_store_rollback(st);
    runw_free(w);
    return ENG_EIO;
}

/* A reading's confidence: NULL when there is no reading. */
static void bind_reading_conf(sqlite3_stmt *q, int i, int level, double conf)
{
    if (level)
        sqlite3_bind_double(q, i, conf);
    else
        sqlite3_bind_null(q, i);
}

int eng_runw_score(eng_runw *w, const eng_score *s, eng_err *err)
{
    sqlite3_stmt *q = w->q_score;
    sqlite3_bind_int64(q, 1, w->id);
    bind_text(q, 2, s->project_id);
    bind_text(q, 3, s->content_hash);
    bind_int_or_null(q, 4, s->trl_claimed);
    bind_int_or_null(q, 5, s->trl_evidenced);
    bind_reading_conf(q, 6, s->trl_evidenced, s->trl_confidence);
    if (s->traceability >= 0)
        sqlite3_bind_double(q, 7, s->traceability);
    else
        sqlite3_bind_null(q, 7);
    if (s->novelty >= 0)
        sqlite3_bind_double(q, 8, s->novelty);
    else
        sqlite3_bind_null(q, 8);
    if (s->overall >= 0)
        sqlite3_bind_double(q, 9, s->overall);
    else
        sqlite3_bind_null(q, 9);
    bind_text(q, 10, s->flags ? s->flags : "[]");
    bind_text(q, 11, s->duplicate_of);
    sqlite3_bind_int(q, 12, s->rule_errors);
    bind_int_or_null(q, 13, s->trl_planned);
    bind_reading_conf(q, 14, s->trl_planned, s->trl_planned_confidence);
    bind_int_or_null(q, 15, s->trl_stated);
    bind_reading_conf(q, 16, s->trl_stated, s->trl_stated_confidence);
    sqlite3_bind_double(q, 17, s->novelty_points);
    bind_int_or_null(q, 18, s->reused_from);
    return step_done(w->st, q, err, "storing a score");
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The run_rules number of the hit's rule, the row written the first time
 * the rule is seen.  Returns ENG_OK with *idx, or ENG_EIO. */
static int runw_rule(eng_runw *w, const eng_hit *h, long *idx, eng_err *err)
{
    char level[16];
    snprintf(level, sizeof level, "%d", h->level);
    const char *part[] = {h->rule_id, h->dimension, level, h->severity, h->message};
    base_buf b = {0};
    for (size_t i = 0; i < 5; i++) {
        base_buf_cat(&b, part[i] ? part[i] : "\x02");
        base_buf_add(&b, "\x01", 1);
    }
    if (b.oom || !b.p) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    if (2 * (w->nrules + 1) > w->rcap) {
        size_t nc = w->rcap ? w->rcap * 2 : 256;
        rule_slot *nv = calloc(nc, sizeof *nv);
        if (!nv) {
            free(b.p);
            return eng_fail(err, ENG_EIO, "out of memory");
        }
        for (size_t i = 0; i < w->rcap; i++) {
            if (!w->rules[i].key)
                continue;
            size_t k = fnv1a(w->rules[i].key) & (nc - 1);
            while (nv[k].key)
                k = (k + 1) & (nc - 1);
            nv[k] = w->rules[i];
        }
        free(w->rules);
        w->rules = nv;
        w->rcap = nc;
    }
    size_t k = fnv1a(b.p) & (w->rcap - 1);
    while (w->rules[k].key && strcmp(w->rules[k].key, b.p))
        k = (k + 1) & (w->rcap - 1);
    if (w->rules[k].key) {
        free(b.p);
        *idx = w->rules[k].idx;
        return ENG_OK;
    }
    sqlite3_stmt *q = w->q_rule;
    sqlite3_bind_int64(q, 1, w->id);
    sqlite3_bind_int64(q, 2, (long)w->nrules);
    bind_text(q, 3, h->rule_id);
    bind_text(q, 4, h->dimension);
    sqlite3_bind_int(q, 5, h->level);
    bind_text(q, 6, h->severity);
    bind_text(q, 7, h->message);
    if (step_done(w->st, q, err, "storing a hit's rule")) {
        free(b.p);
        return ENG_EIO;
    }
    w->rules[k].key = b.p;
    *idx = w->rules[k].idx = (long)w->nrules++;
    return ENG_OK;
}

int eng_runw_hit(eng_runw *w, const eng_hit *h, eng_err *err)
{
    long rule = 0;
    if (runw_rule(w, h, &rule, err))
        return ENG_EIO;
    sqlite3_stmt *q = w->q_hit;
    sqlite3_bind_int64(q, 1, w->id);
    sqlite3_bind_int64(q, 2, ++w->seq);
    bind_text(q, 3, h->project_id);
    sqlite3_bind_int64(q, 4, rule);
    bind_text(q, 5, h->field);
    sqlite3_bind_int(q, 6, h->indicator);
    sqlite3_bind_int64(q, 7, h->offset);
    sqlite3_bind_int64(q, 8, h->len);
    bind_text(q, 9, h->match);
    bind_text(q, 10, h->context);
    sqlite3_bind_double(q, 11, h->points);
    sqlite3_bind_int(q, 12, h->error);
    return step_done(w->st, q, err, "storing a hit");
}

int eng_runw_verdict(eng_runw *w, const eng_ind_verdict *v, eng_err *err)
{
    sqlite3_stmt *q = w->q_verdict;
    sqlite3_bind_int64(q, 1, w->id);
    bind_text(q, 2, v->project_id);
    sqlite3_bind_int(q, 3, v->idx);
    bind_text(q, 4, v->name);
    bind_text(q, 5, v->target);
    bind_text(q, 6, v->achieved);
    bind_text(q, 7, v->unit);
    bind_text(q, 8, v->verdict);
    sqlite3_bind_double(q, 9, v->points);
    bind_text(q, 10, v->reasons);
    return step_done(w->st, q, err, "storing an indicator verdict");
}

int eng_runw_pair(eng_runw *w, const eng_pair *p, eng_err *err)
{
    sqlite3_stmt *q = w->q_pair;
    sqlite3_bind_int64(q, 1, w->id);
    bind_text(q, 2, p->a);
    bind_text(q, 3, p->b);
    bind_text(q, 4, p->kind);
    bind_text(q, 5, p->method);
    sqlite3_bind_double(q, 6, p->jaccard);
    sqlite3_bind_double(q, 7, p->containment);
    bind_text(q, 8, p->contained);
    bind_text(q, 9, p->passage_a);
    bind_text(q, 10, p->passage_b);
    bind_text(q, 11, p->signals ? p->signals : "[]");
    sqlite3_bind_int64(q, 12, p->group);
    sqlite3_bind_int(q, 13, p->ordered);
    sqlite3_bind_int64(q, 14, w->npairs++);
    return step_done(w->st, q, err, "storing a pair");
}

int eng_runw_commit(eng_runw *w, const eng_run_info *info, eng_err *err)
{
    eng_store *st = w->st;
    sqlite3_stmt *q = NULL;
    int rc =
        prep(st, &q,
             "UPDATE runs SET timings=?, nprojects=?, npairs=?, nhits=?, reuse=? WHERE id=?", err);
    if (!rc) {
        bind_text(q, 1, info->timings);
        sqlite3_bind_int64(q, 2, info->nprojects);
        sqlite3_bind_int64(q, 3, info->npairs);
        sqlite3_bind_int64(q, 4, info->nhits);
        bind_text(q, 5, info->reuse);
        sqlite3_bind_int64(q, 6, w->id);
        rc = step_done(st, q, err, "finishing the run");
        sqlite3_finalize(q);
    }
    runw_free(w);
    if (rc) {
        eng_store_rollback(st);
        return rc;
    }
    return eng_store_commit(st, err);
}

void eng_runw_abort(eng_runw *w)
{
    if (!w)
        return;
    eng_store *st = w->st;
    runw_free(w);
    eng_store_rollback(st);
}

/* ---- reading a run ------------------------------------------------------------ */

void eng_run_info_release(eng_run_info *ri)
{
    if (!ri)
        return;
    free(ri->name);
    free(ri->created);
    free(ri->ruleset_name);
    free(ri->ruleset_version);
    free(ri->ruleset_sha256);
    free(ri->ruleset_text);
    free(ri->params);
    free(ri->tool_version);
    free(ri->timings);
    free(ri->cache_key);
    free(ri->reuse);
    memset(ri, 0, sizeof *ri);
}

void eng_score_release(eng_score *s)
{
    if (!s)
        return;
    free(s->project_id);
    free(s->title);
    free(s->kind);
    free(s->source);
    free(s->organisation);
    free(s->pi);
    free(s->field);
    free(s->start);
    free(s->end);
    free(s->acc_date);
    free(s->acc_conclusion);
    free(s->data_quality);
    free(s->conflicts);
    free(s->content_hash);
    free(s->flags);
    free(s->duplicate_of);
    memset(s, 0, sizeof *s);
}

void eng_hit_release(eng_hit *h)
{
    if (!h)
        return;
    free(h->project_id);
    free(h->rule_id);
    free(h->dimension);
    free(h->field);
    free(h->match);
    free(h->context);
    free(h->severity);
    free(h->message);
    memset(h, 0, sizeof *h);
}

void eng_ind_verdict_release(eng_ind_verdict *v)
{
    if (!v)
        return;
    free(v->project_id);
    free(v->name);
    free(v->target);
    free(v->achieved);
    free(v->unit);
    free(v->verdict);
    free(v->reasons);
    memset(v, 0, sizeof *v);
}

void eng_pair_release(eng_pair *p)
{
    if (!p)
        return;
    free(p->a);
    free(p->b);
    free(p->a_title);
    free(p->b_title);
    free(p->kind);
    free(p->method);
    free(p->contained);
    free(p->passage_a);
    free(p->passage_b);
    free(p->signals);
    memset(p, 0, sizeof *p);
}

void eng_decision_release(eng_decision *d)
{
    if (!d)
        return;
    free(d->project_id);
    free(d->decision);
    free(d->comment);
    free(d->reviewer);
    free(d->decided_at);
    free(d->workbook);
    free(d->workbook_sha256);
    free(d->imported_at);
    memset(d, 0, sizeof *d);
}

#define ARRAY_FREE(name, type, release)                                                            \
    void name(type *v, size_t n)                                                                   \
    {                                                                                              \
        for (size_t i = 0; v && i < n; i++)                                                        \
            release(&v[i]);                                                                        \
        free(v);                                                                                   \
    }

ARRAY_FREE(eng_scores_free, eng_score, eng_score_release)
ARRAY_FREE(eng_hits_free, eng_hit, eng_hit_release)
ARRAY_FREE(eng_verdicts_free, eng_ind_verdict, eng_ind_verdict_release)
ARRAY_FREE(eng_pairs_free, eng_pair, eng_pair_release)
ARRAY_FREE(eng_decisions_free, eng_decision, eng_decision_release)

static const char RUN_COLS[] =
    "id, name, created, ruleset_name, ruleset_version, ruleset_sha256, ruleset_text, params,"
    " tool_version, timings, nprojects, npairs, nhits, cache_key, reuse";

static void run_from_row(sqlite3_stmt *q, eng_run_info *ri)
{
    ri->id = sqlite3_column_int64(q, 0);
    ri->name = col_dup(q, 1);
    ri->created = col_dup(q, 2);
    ri->ruleset_name = col_dup(q, 3);
    ri->ruleset_version = col_dup(q, 4);
    ri->ruleset_sha256 = col_dup(q, 5);
    ri->ruleset_text = col_dup(q, 6);
    ri->params = col_dup(q, 7);
    ri->tool_version = col_dup(q, 8);
    ri->timings = col_dup(q, 9);
    ri->nprojects = sqlite3_column_int64(q, 10);
    ri->npairs = sqlite3_column_int64(q, 11);
    ri->nhits = sqlite3_column_int64(q, 12);
    ri->cache_key = col_dup(q, 13);
    ri->reuse = col_dup(q, 14);
}

int eng_store_run(eng_store *st, long run, eng_run_info *out, eng_err *err)
{
    char sql[512];
    sqlite3_stmt *q = NULL;
    if (run > 0)
        snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE id = %ld", RUN_COLS, run);
    else
        snprintf(sql, sizeof sql, "SELECT %s FROM runs ORDER BY id DESC LIMIT 1", RUN_COLS);
    if (prep(st, &q, sql, err))
        return ENG_EIO;
    int rc = ENG_OK;
    memset(out, 0, sizeof *out);
    int s = sqlite3_step(q);
    col_oom = 0;
    if (s == SQLITE_ROW)
        run_from_row(q, out);
    if (s == SQLITE_ROW && col_oom) {
        eng_run_info_release(out);
        rc = eng_fail(err, ENG_EIO, "%s: reading the run: out of memory", st->path);
    } else if (s == SQLITE_ROW)
        ;
    else if (s != SQLITE_DONE)
        rc = db_fail(st, err, "reading the run");
    else if (run > 0)
        rc = eng_fail(err, ENG_EINPUT, "no run %ld in %s", run, st->path);
    else
        rc = eng_fail(err, ENG_EINPUT, "no run yet in %s: run `vernier score` first", st->path);
    sqlite3_finalize(q);
    return rc;
}

int eng_store_runs(eng_store *st, eng_run_info **out, size_t *n, eng_err *err)
{
    char sql[512];
    sqlite3_stmt *q = NULL;
    snprintf(sql, sizeof sql, "SELECT %s FROM runs ORDER BY id DESC", RUN_COLS);
    if (prep(st, &q, sql, err))
        return ENG_EIO;
    eng_run_info *v = NULL;
    size_t cnt = 0;
    int s, rc = ENG_OK;
    col_oom = 0;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        eng_run_info *nv = realloc(v, (cnt + 1) * sizeof *nv);
        if (!nv) {
            col_oom = 1;
            break;
        }
        v = nv;
        memset(&v[cnt], 0, sizeof v[cnt]);
        run_from_row(q, &v[cnt++]);
        if (col_oom)
            break;
    }
    if (col_oom)
        rc = eng_fail(err, ENG_EIO, "%s: reading the runs: out of memory", st->path);
    else if (s != SQLITE_DONE)
        rc = db_fail(st, err, "reading the runs");
    sqlite3_finalize(q);
    if (rc) {
        for (size_t i = 0; i < cnt; i++)
            eng_run_info_release(&v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return ENG_OK;
}

/* Runs a query bound with (run, project-or-NULL) and calls fill for each row
 * into a growing array of `size`-byte elements. */
static int collect(eng_store *st, const char *sql, long run, const char *project, size_t size,
                   void (*fill)(sqlite3_stmt *, void *), void **out, size_t *n, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (prep(st, &q, sql, err))
        return ENG_EIO;
    sqlite3_bind_int64(q, 1, run);
    bind_text(q, 2, project);
    char *v = NULL;
    size_t cnt = 0, cap = 0;
    int s, rc = ENG_OK;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char *nv = realloc(v, nc * size);
            if (!nv) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        memset(v + cnt * size, 0, size);
        col_oom = 0;
        fill(q, v + cnt * size);
        cnt++;
        if (col_oom) {
            rc = eng_fail(err, ENG_EIO, "%s: reading the run: out of memory", st->path);
            break;
        }
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(st, err, "reading the run");
    sqlite3_finalize(q);
    if (rc) {
        free(v); /* callers' rows leak here only on OOM; acceptable at exit */
        return rc;
    }
    *out = v;
    *n = cnt;
    return ENG_OK;
}

static void fill_score(sqlite3_stmt *q, void *p)
{
    eng_score *s = p;
    s->project_id = col_dup(q, 0);
    s->content_hash = col_dup(q, 1);
    s->trl_claimed = sqlite3_column_int(q, 2);
    s->trl_evidenced = sqlite3_column_int(q, 3);
    s->trl_confidence = sqlite3_column_double(q, 4);
    s->traceability = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 5);
    s->novelty = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 6);
    s->overall = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 7);
    s->flags = col_dup(q, 8);
    s->duplicate_of = col_dup(q, 9);
    s->rule_errors = sqlite3_column_int(q, 10);
    s->title = col_dup(q, 11);
    s->kind = col_dup(q, 12);
    s->source = col_dup(q, 13);
    s->organisation = col_dup(q, 14);
    s->pi = col_dup(q, 15);
    s->field = col_dup(q, 16);
    s->start = col_dup(q, 17);
    s->end = col_dup(q, 18);
    s->acc_date = col_dup(q, 19);
    s->acc_conclusion = col_dup(q, 20);
    s->data_quality = col_dup(q, 21);
    s->conflicts = col_dup(q, 22);
    s->trl_planned = sqlite3_column_int(q, 23);
    s->trl_planned_confidence = sqlite3_column_double(q, 24);
    s->trl_stated = sqlite3_column_int(q, 25);
    s->trl_stated_confidence = sqlite3_column_double(q, 26);
}

int eng_store_scores(eng_store *st, long run, const char *project, eng_score **out, size_t *n,
                     eng_err *err)
{
    return collect(
        st,
        "SELECT s.project_id, s.content_hash, s.trl_claimed, s.trl_evidenced,"
        " s.trl_confidence, s.traceability, s.novelty, s.overall, s.flags,"
        " s.duplicate_of, s.rule_errors, p.title, p.kind, p.source, p.organisation,"
        " p.pi, p.field, p.start, p.end_, a.date, a.conclusion,"
        " json_extract(p.record_json, '$.data_quality'),"
        " json_extract(p.record_json, '$.conflicts'), s.trl_planned, s.trl_planned_confidence,"
        " s.trl_stated, s.trl_stated_confidence"
        " FROM scores s LEFT JOIN projects p ON p.id = s.project_id"
        " LEFT JOIN acceptance a ON a.project_id = s.project_id"
        " WHERE s.run_id = ?1 AND (?2 IS NULL OR s.project_id = ?2)"
        " ORDER BY s.project_id",
        run, project, sizeof(eng_score), fill_score, (void **)out, n, err);
}

static void fill_hit(sqlite3_stmt *q, void *p)
{
    eng_hit *h = p;
    h->project_id = col_dup(q, 0);
    h->rule_id = col_dup(q, 1);
    h->dimension = col_dup(q, 2);
    h->field = col_dup(q, 3);
    h->indicator = sqlite3_column_int(q, 4);
    h->offset = sqlite3_column_int64(q, 5);
    h->len = sqlite3_column_int64(q, 6);
    h->match = col_dup(q, 7);
    h->context = col_dup(q, 8);
    h->points = sqlite3_column_double(q, 9);
    h->level = sqlite3_column_int(q, 10);
    h->severity = col_dup(q, 11);
    h->message = col_dup(q, 12);
    h->error = sqlite3_column_int(q, 13);
}

int eng_store_hits(eng_store *st, long run, const char *project, eng_hit **out, size_t *n,
                   eng_err *err)
{
    return collect(st,
                   "SELECT project_id, rule_id, dimension, field, indicator, offset, len, match,"
                   " context, points, level, severity, message, error FROM hits"
                   " WHERE run_id = ?1 AND (?2 IS NULL OR project_id = ?2) ORDER BY seq",
                   run, project, sizeof(eng_hit), fill_hit, (void **)out, n, err);
}

static void fill_verdict(sqlite3_stmt *q, void *p)
{
    eng_ind_verdict *v = p;
    v->project_id = col_dup(q, 0);
    v->idx = sqlite3_column_int(q, 1);
    v->name = col_dup(q, 2);
    v->target = col_dup(q, 3);
    v->achieved = col_dup(q, 4);
    v->unit = col_dup(q, 5);
    v->verdict = col_dup(q, 6);
    v->points = sqlite3_column_double(q, 7);
    v->reasons = col_dup(q, 8);
}

int eng_store_verdicts(eng_store *st, long run, const char *project, eng_ind_verdict **out,
                       size_t *n, eng_err *err)
{
    return collect(st,
                   "SELECT project_id, idx, name, target, achieved, unit, verdict, points, reasons"
                   " FROM verdicts WHERE run_id = ?1 AND (?2 IS NULL OR project_id = ?2)"
                   " ORDER BY project_id, idx",
                   run, project, sizeof(eng_ind_verdict), fill_verdict, (void **)out, n, err);
}

static void fill_pair(sqlite3_stmt *q, void *p)
{
    eng_pair *r = p;
    r->a = col_dup(q, 0);
    r->b = col_dup(q, 1);
    r->kind = col_dup(q, 2);
    r->method = col_dup(q, 3);
    r->jaccard = sqlite3_column_double(q, 4);
    r->containment = sqlite3_column_double(q, 5);
    r->contained = col_dup(q, 6);
    r->passage_a = col_dup(q, 7);
    r->passage_b = col_dup(q, 8);
    r->signals = col_dup(q, 9);
    r->a_title = col_dup(q, 10);
    r->b_title = col_dup(q, 11);
    r->group = sqlite3_column_int64(q, 12);
    r->ordered = sqlite3_column_int(q, 13);
}

int eng_store_pairs(eng_store *st, long run, const char *project, eng_pair **out, size_t *n,
                    eng_err *err)
{
    return collect(st,
                   "SELECT r.a, r.b, r.kind, r.method, r.jaccard, r.containment, r.contained,"
                   " r.passage_a, r.passage_b, r.signals, pa.title, pb.title, r.grp, r.ordered"
                   " FROM pairs r"
                   " LEFT JOIN projects pa ON pa.id = r.a LEFT JOIN projects pb ON pb.id = r.b"
                   " WHERE r.run_id = ?1 AND (?2 IS NULL OR r.a = ?2 OR r.b = ?2)"
                   " ORDER BY r.seq IS NULL, r.seq, r.jaccard DESC, r.containment DESC, r.a, r.b",
                   run, project, sizeof(eng_pair), fill_pair, (void **)out, n, err);
}

/* ---- decisions ------------------------------------------------------------------ */

int eng_store_add_decisions(eng_store *st, const eng_decision *d, size_t n, eng_err *err)
{
    sqlite3_stmt *q = NULL;
    if (eng_store_begin(st, err))
        return ENG_EIO;
    if (prep(st, &q,
             "INSERT INTO decisions(run_id, project_id, decision, comment, reviewer, decided_at,"
             " workbook, workbook_sha256, imported_at) VALUES(?,?,?,?,?,?,?,?,?)",
             err)) {
        eng_store_rollback(st);
        return ENG_EIO;
    }
    char now[32];
    now_iso(now);
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(q, 1, d[i].run_id);
        bind_text(q, 2, d[i].project_id);
        bind_text(q, 3, d[i].decision);
        bind_text(q, 4, d[i].comment);
        bind_text(q, 5, d[i].reviewer);
        bind_text(q, 6, d[i].decided_at);
        bind_text(q, 7, d[i].workbook);
        bind_text(q, 8, d[i].workbook_sha256);
        bind_text(q, 9, now);
        if (step_done(st, q, err, "storing a decision")) {
            sqlite3_finalize(q);
            eng_store_rollback(st);
            return ENG_EIO;
        }
    }
    sqlite3_finalize(q);
    return eng_store_commit(st, err);
}

static void fill_decision(sqlite3_stmt *q, void *p)
{
    eng_decision *d = p;
    d->run_id = sqlite3_column_int64(q, 0);
    d->project_id = col_dup(q, 1);
    d->decision = col_dup(q, 2);
    d->comment = col_dup(q, 3);
    d->reviewer = col_dup(q, 4);
    d->decided_at = col_dup(q, 5);
    d->workbook = col_dup(q, 6);
    d->workbook_sha256 = col_dup(q, 7);
    d->imported_at = col_dup(q, 8);
}

int eng_store_decisions(eng_store *st, long run, const char *project, eng_decision **out, size_t *n,
                        eng_err *err)
{
    return collect(st,
                   "SELECT d.run_id, d.project_id, d.decision, d.comment, d.reviewer,"
                   " d.decided_at, d.workbook, d.workbook_sha256, d.imported_at"
                   " FROM scores s1 JOIN decisions d ON d.project_id = s1.project_id"
                   " WHERE s1.run_id = ?1 AND (?2 IS NULL OR s1.project_id = ?2)"
                   " AND d.id = (SELECT MAX(e.id) FROM decisions e JOIN scores se"
                   "   ON se.run_id = e.run_id AND se.project_id = e.project_id"
                   "   WHERE e.project_id = s1.project_id"
                   "   AND (e.run_id = s1.run_id OR se.content_hash = s1.content_hash))"
                   " ORDER BY d.project_id",
                   run, project, sizeof(eng_decision), fill_decision, (void **)out, n, err);
}

int eng_store_decisions_not_carried(eng_store *st, long run, const char *project,
                                    eng_decision **out, size_t *n, eng_err *err)
{
    return collect(st,
                   "SELECT d.run_id, d.project_id, d.decision, d.comment, d.reviewer,"
                   " d.decided_at, d.workbook, d.workbook_sha256, d.imported_at"
                   " FROM scores s1 JOIN decisions d ON d.project_id = s1.project_id"
                   " WHERE s1.run_id = ?1 AND (?2 IS NULL OR s1.project_id = ?2)"
                   " AND d.id = (SELECT MAX(e.id) FROM decisions e"
                   "   WHERE e.project_id = s1.project_id AND e.run_id < s1.run_id)"
                   " AND d.decision IS NOT NULL"
                   " AND NOT EXISTS (SELECT 1 FROM decisions e JOIN scores se"
                   "   ON se.run_id = e.run_id AND se.project_id = e.project_id"
                   "   WHERE e.project_id = s1.project_id"
                   "   AND (e.run_id = s1.run_id OR se.content_hash = s1.content_hash))"
                   " ORDER BY d.project_id",
                   run, project, sizeof(eng_decision), fill_decision, (void **)out, n, err);
}

/* ---- for the rest of the store module (eng_store_int.h) ------------------------- */

sqlite3 *eng_store_db(eng_store *st)
{
    return st->db;
}

const char *eng_store_path(const eng_store *st)
{
    return st->path;
}

void eng_store_now(char buf[32])
{
    now_iso(buf);
}
