/* Unit tests: the SQLite store — schema, imports (idempotent, atomic), runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../check.h"
#include "engine/eng_store.h"

static char dir[] = "/tmp/vernier-test-store-XXXXXX";

static void rec(eng_record *r, const char *id, const char *title, const char *abstract)
{
    eng_record_init(r);
    eng_record_set(r, "id", id, NULL);
    eng_record_set(r, "title", title, NULL);
    eng_record_set(r, "abstract", abstract, NULL);
    eng_indicator *ind = eng_record_add_indicator(r);
    eng_indicator_set(ind, "name", "测温不确定度", NULL);
    eng_indicator_set(ind, "achieved", "0.32", NULL);
}

/* One import step: records to add, with the expected counts after commit. */
typedef struct import_case {
    const char *file_hash;
    const char *ids[3];
    const char *titles[3];
    long added, updated, unchanged;
    int already; /* the same file hash was imported before */
} import_case;

static const import_case imports[] = {
    {"h1", {"P1", "P2", NULL}, {"低温温度计", "Mass comparator", NULL}, 2, 0, 0, 0},
    {"h1", {"P1", NULL, NULL}, {"anything", NULL, NULL}, 0, 0, 0, 1},
    {"h2", {"P1", "P3", NULL}, {"低温温度计", "Frequency comb", NULL}, 1, 0, 1, 0},
    {"h3", {"P2", NULL, NULL}, {"Mass comparator, revised", NULL, NULL}, 0, 1, 0, 0},
};

static long count_records(eng_store *st)
{
    eng_record *v;
    size_t n;
    if (eng_store_load_records(st, NULL, &v, &n, NULL))
        return -1;
    eng_records_free(v, n);
    return (long)n;
}

/* Search: Chinese words of one and two characters alone and together (a
 * trigram index cannot hold them), Latin words whole, the total past the
 * limit. */
typedef struct search_case {
    const char *query;
    size_t limit;
    const char *want; /* ids found, in order, space-separated */
    size_t total;
} search_case;

static const search_case searches[] = {
    {"新疆 扶贫", 10, "S1 S2", 2}, {"扶贫 新疆", 10, "S1 S2", 2},
    {"新疆", 10, "S1 S2 S3", 3},   {"疆", 10, "S1 S2 S3", 3},
    {"马克思 主义", 10, "S4", 1},  {"马克思主义 中国化", 10, "S4", 1},
    {"AI", 10, "S5 S7", 2},        {"ai", 10, "S5 S7", 2},
    {"MOSAIC", 10, "S6", 1},       {"mosaic AI", 10, "", 0},
    {"新疆", 1, "S1", 3},          {"扶贫　新疆", 10, "S1 S2", 2},
};

static void test_search(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/search.db", dir);
    eng_store *st;
    static const char *const recs[][3] = {
        {"S1", "新疆南疆地区扶贫开发研究", ""},
        {"S2", "精准扶贫的效果评估", "以新疆为例"},
        {"S3", "新疆棉花产业", ""},
        {"S4", "马克思主义中国化的历史进程", ""},
        {"S5", "AI in medical imaging", ""},
        {"S6", "MOSAIC: a mosaic of regions", ""},
        {"S7", "基于AI的质量检测", ""},
    };
    eng_err err;
    eng_err_clear(&err);
    CHECK(eng_store_open(path, &st, &err) == ENG_OK, "open: %s", err.msg);
    eng_import *imp;
    long already;
    CHECK(eng_import_begin(st, "s.json", "hs", NULL, &imp, &already, &err) == ENG_OK, "begin: %s",
          err.msg);
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        eng_record r;
        rec(&r, recs[i][0], recs[i][1], recs[i][2]);
        CHECK(eng_import_add(imp, &r, &err) == ENG_OK, "%s: %s", recs[i][0], err.msg);
        eng_record_release(&r);
    }
    CHECK(eng_import_commit(imp, &err) == ENG_OK, "commit: %s", err.msg);
    for (size_t c = 0; c < sizeof searches / sizeof searches[0]; c++) {
        const search_case *sc = &searches[c];
        char **ids = NULL;
        size_t n = 0, total = 0;
        char got[256] = "";
        CHECK(eng_store_search(st, sc->query, sc->limit, &ids, &n, &total, &err) == ENG_OK,
              "search %s: %s", sc->query, err.msg);
        for (size_t i = 0; i < n; i++) {
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", *got ? " " : "", ids[i]);
            free(ids[i]);
        }
        free(ids);
        CHECK_STR(got, sc->want, sc->query);
        CHECK_INT(total, sc->total, sc->query);
    }
    eng_store_close(st);
}

/* Hits are stored with their rule as a number into run_rules and read back
 * whole through the view hits; a store of schema 10 (hits with their rule's
 * text in every row, acceptance with summary and outcomes) migrates and
 * reads the same. */
static void test_hits_compact(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/hits.db", dir);
    eng_store *st;
    eng_err err;
    eng_err_clear(&err);
    CHECK(eng_store_open(path, &st, &err) == ENG_OK, "open: %s", err.msg);
    eng_run_info info = {0};
    info.ruleset_name = strdup("t");
    info.ruleset_version = strdup("1");
    info.ruleset_sha256 = strdup("abc");
    info.ruleset_text = strdup("{}");
    eng_runw *w;
    CHECK(eng_runw_begin(st, &info, &w, &err) == ENG_OK, "run begin: %s", err.msg);
    eng_hit h[3] = {
        {.project_id = "P1",
         .rule_id = "TRL-A",
         .dimension = "trl",
         .field = "title",
         .indicator = -1,
         .offset = 2,
         .len = 3,
         .match = "abc",
         .context = "x abc y",
         .points = 1.5,
         .level = 4,
         .severity = "info",
         .message = "tested in a lab"},
        {.project_id = "P1",
         .rule_id = "TRACE-B",
         .dimension = "traceability",
         .field = "indicators",
         .indicator = 0,
         .match = "",
         .context = "",
         .points = -2,
         .severity = "warning",
         .message = "no uncertainty",
         .error = 0},
        {.project_id = "P2",
         .rule_id = "TRL-A",
         .dimension = "trl.planned",
         .field = "abstract",
         .indicator = -1,
         .offset = 7,
         .len = 1,
         .match = "z",
         .context = "zz",
         .points = 0.5,
         .level = 4,
         .severity = "info",
         .message = "tested in a lab"},
    };
    for (int i = 0; i < 3; i++)
        CHECK(eng_runw_hit(w, &h[i], &err) == ENG_OK, "hit %d: %s", i, err.msg);
    info.nhits = 3;
    CHECK(eng_runw_commit(w, &info, &err) == ENG_OK, "run commit: %s", err.msg);
    long run = info.id;
    eng_run_info_release(&info);
    eng_store_close(st);

    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            /* back to schema 10, as an older vernier left it */
            sqlite3 *db;
            CHECK(sqlite3_open(path, &db) == SQLITE_OK, "sqlite open");
            char *msg = NULL;
            int rc = sqlite3_exec(
                db,
                "CREATE TABLE hits9 AS SELECT * FROM hits; DROP VIEW hits;"
                " DROP TABLE hit_rows; DROP TABLE run_rules; ALTER TABLE hits9 RENAME TO hits;"
                " CREATE INDEX hits_project ON hits(run_id, project_id);"
                " ALTER TABLE acceptance ADD COLUMN summary TEXT;"
                " ALTER TABLE acceptance ADD COLUMN outcomes TEXT; PRAGMA user_version = 10;",
                NULL, NULL, &msg);
            CHECK(rc == SQLITE_OK, "downgrade: %s", msg ? msg : "");
            sqlite3_free(msg);
            sqlite3_close(db);
        }
        CHECK(eng_store_open(path, &st, &err) == ENG_OK, "open %d: %s", pass, err.msg);
        eng_hit *got = NULL;
        size_t n = 0;
        CHECK(eng_store_hits(st, run, NULL, &got, &n, &err) == ENG_OK, "hits: %s", err.msg);
        CHECK_INT(n, 3, "hits read back");
        for (size_t i = 0; i < n && i < 3; i++) {
            CHECK_STR(got[i].project_id, h[i].project_id, "hit project");
            CHECK_STR(got[i].rule_id, h[i].rule_id, "hit rule");
            CHECK_STR(got[i].dimension, h[i].dimension, "hit dimension");
            CHECK_STR(got[i].severity, h[i].severity, "hit severity");
            CHECK_STR(got[i].message, h[i].message, "hit message");
            CHECK_STR(got[i].match, h[i].match, "hit match");
            CHECK_STR(got[i].context, h[i].context, "hit context");
            CHECK_INT(got[i].level, h[i].level, "hit level");
            CHECK_INT(got[i].indicator, h[i].indicator, "hit indicator");
            CHECK_INT(got[i].offset, h[i].offset, "hit offset");
            CHECK(got[i].points == h[i].points, "hit %zu points", i);
        }
        eng_hits_free(got, n);
        eng_store_close(st);
    }
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(
        db, "SELECT (SELECT count(*) FROM run_rules), user_version FROM pragma_user_version", -1,
        &q, NULL);
    CHECK(sqlite3_step(q) == SQLITE_ROW, "run_rules count");
    CHECK_INT(sqlite3_column_int(q, 0), 3,
              "three distinct rules (TRL-A twice with two dimensions)");
    CHECK(sqlite3_column_int(q, 1) >= 11, "migrated");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    char path[600];
    snprintf(path, sizeof path, "%s/t.db", dir);
    eng_store *st;
    eng_err err;
    eng_err_clear(&err);
    CHECK(eng_store_open(path, &st, &err) == ENG_OK, "open: %s", err.msg);

    for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++) {
        const import_case *c = &imports[i];
        eng_import *imp = NULL;
        long already = 0;
        CHECK(eng_import_begin(st, "f.json", c->file_hash, "TEST", &imp, &already, &err) == ENG_OK,
              "begin %zu: %s", i, err.msg);
        CHECK_INT(already != 0, c->already, "already imported");
        if (!imp)
            continue;
        for (int k = 0; k < 3 && c->ids[k]; k++) {
            eng_record r;
            rec(&r, c->ids[k], c->titles[k], "摘要");
            CHECK(eng_import_add(imp, &r, &err) == ENG_OK, "add: %s", err.msg);
            eng_record_release(&r);
        }
        const eng_import_counts *n = eng_import_get_counts(imp);
        CHECK_INT(n->added, c->added, "added");
        CHECK_INT(n->updated, c->updated, "updated");
        CHECK_INT(n->unchanged, c->unchanged, "unchanged");
        CHECK(eng_import_commit(imp, &err) == ENG_OK, "commit: %s", err.msg);
    }
    CHECK_INT(count_records(st), 3, "records after imports");

    /* An aborted import leaves nothing behind, not even its history row. */
    eng_import *imp = NULL;
    long already = 0;
    eng_import_begin(st, "g.json", "h4", NULL, &imp, &already, &err);
    eng_record r;
    rec(&r, "P9", "never stored", "x");
    eng_import_add(imp, &r, &err);
    eng_record_release(&r);
    eng_import_abort(imp);
    CHECK_INT(count_records(st), 3, "records after an aborted import");
    eng_import_begin(st, "g.json", "h4", NULL, &imp, &already, &err);
    CHECK(imp != NULL && already == 0, "an aborted file can be imported again");
    eng_import_abort(imp);

    /* A record that fails validation is refused by the store too. */
    eng_import_begin(st, "h.json", "h5", NULL, &imp, &already, &err);
    eng_record bad;
    eng_record_init(&bad);
    eng_record_set(&bad, "title", "no id", NULL);
    CHECK(eng_import_add(imp, &bad, &err) == ENG_EINPUT, "record without id refused");
    eng_record_release(&bad);
    eng_import_abort(imp);

    /* The same id from another source is refused, never silently replaced. */
    eng_import_begin(st, "k.json", "h6", NULL, &imp, &already, &err);
    eng_record mine;
    rec(&mine, "P7", "ours", "y");
    eng_record_set(&mine, "source", "NASA", NULL);
    CHECK(eng_import_add(imp, &mine, &err) == ENG_OK, "P7: %s", err.msg);
    eng_import_commit(imp, &err);
    eng_import_begin(st, "l.json", "h7", NULL, &imp, &already, &err);
    eng_record_set(&mine, "source", "NSFC", NULL);
    CHECK(eng_import_add(imp, &mine, &err) == ENG_EINPUT, "P7 of another source refused");
    CHECK(strstr(err.msg, "already stored from source 'NASA', not 'NSFC'") != NULL, "message: %s",
          err.msg);
    eng_import_abort(imp);
    eng_record_release(&mine);

    eng_record got;
    eng_record_init(&got);
    CHECK(eng_store_get_record(st, "P2", &got, &err) == ENG_OK, "get P2: %s", err.msg);
    CHECK_STR(got.title, "Mass comparator, revised", "updated title");
    CHECK_INT(got.nindicators, 1, "indicator kept");
    CHECK(eng_store_get_record(st, "nope", &got, &err) == ENG_EINPUT, "missing id");
    CHECK(strstr(err.msg, "no project 'nope'") != NULL, "message: %s", err.msg);
    eng_record_release(&got);

    /* Search: trigram for CJK of 3 characters or more. */
    char **ids;
    size_t nids;
    CHECK(eng_store_search(st, "温度计", 10, &ids, &nids, NULL, &err) == ENG_OK, "search: %s",
          err.msg);
    CHECK(nids == 1 && !strcmp(ids[0], "P1"), "search finds P1 (%zu hits)", nids);
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);

    /* The signature cache: blobs by (text hash, parameters key), read back
     * sorted by hash, only those of the key asked for. */
    const char *hs[] = {"bb", "aa", "cc"};
    eng_store_begin(st, &err);
    for (int i = 0; i < 3; i++)
        CHECK(eng_store_sig_put(st, hs[i], i == 2 ? "other-key" : "key-1", hs[i], 2, &err) ==
                  ENG_OK,
              "sig put: %s", err.msg);
    eng_store_commit(st, &err);
    eng_sig *sigs;
    size_t nsigs;
    CHECK(eng_store_sig_all(st, "key-1", &sigs, &nsigs, &err) == ENG_OK, "sig all: %s", err.msg);
    CHECK_INT(nsigs, 0, "hashes that are not 64 hex digits are skipped");
    eng_sigs_free(sigs, nsigs);
    char h64[2][65];
    memset(h64[0], 'b', 64);
    memset(h64[1], 'a', 64);
    h64[0][64] = h64[1][64] = '\0';
    eng_store_begin(st, &err);
    eng_store_sig_put(st, h64[0], "key-1", "B!", 2, &err);
    eng_store_sig_put(st, h64[1], "key-1", "A!", 2, &err);
    eng_store_sig_put(st, h64[1], "key-2", "X!", 2, &err);
    eng_store_commit(st, &err);
    CHECK(eng_store_sig_all(st, "key-1", &sigs, &nsigs, &err) == ENG_OK, "sig all: %s", err.msg);
    CHECK(nsigs == 2 && sigs[0].hash[0] == 'a' && !memcmp(sigs[0].data, "A!", 2) &&
              sigs[1].hash[0] == 'b' && sigs[1].len == 2,
          "two blobs of key-1, sorted by hash (%zu)", nsigs);
    eng_sigs_free(sigs, nsigs);

    /* A run: written whole, read back; an aborted one leaves no trace. */
    eng_run_info info = {0};
    info.ruleset_name = strdup("t");
    info.ruleset_version = strdup("1");
    info.ruleset_sha256 = strdup("abc");
    info.ruleset_text = strdup("{}");
    eng_runw *w;
    CHECK(eng_runw_begin(st, &info, &w, &err) == ENG_OK, "run begin: %s", err.msg);
    eng_score s = {0};
    s.project_id = "P1";
    s.trl_evidenced = 4;
    s.novelty = -1;
    s.flags = "[\"TRL-OVERCLAIM\"]";
    CHECK(eng_runw_score(w, &s, &err) == ENG_OK, "score: %s", err.msg);
    info.nprojects = 1;
    CHECK(eng_runw_commit(w, &info, &err) == ENG_OK, "run commit: %s", err.msg);
    long run1 = info.id;
    CHECK(eng_runw_begin(st, &info, &w, &err) == ENG_OK, "second run");
    eng_runw_abort(w);
    eng_run_info latest;
    CHECK(eng_store_run(st, 0, &latest, &err) == ENG_OK, "latest run");
    CHECK_INT(latest.id, run1, "the aborted run left no row");
    eng_run_info_release(&latest);
    eng_score *sc;
    size_t nsc;
    CHECK(eng_store_scores(st, run1, NULL, &sc, &nsc, &err) == ENG_OK, "scores");
    CHECK(nsc == 1 && sc[0].trl_evidenced == 4 && sc[0].novelty < 0, "score read back");
    CHECK_STR(nsc ? sc[0].title : NULL, "低温温度计", "title joined from projects");
    for (size_t i = 0; i < nsc; i++)
        eng_score_release(&sc[i]);
    free(sc);
    CHECK(eng_store_run(st, 99, &latest, &err) == ENG_EINPUT, "no run 99");
    eng_run_info_release(&info);
    eng_store_close(st);

    /* Reopening keeps the schema version and the data. */
    CHECK(eng_store_open(path, &st, &err) == ENG_OK, "reopen: %s", err.msg);
    CHECK_INT(count_records(st), 4, "records after reopen");
    eng_store_close(st);

    /* A file that is not a store is refused with its name. */
    char junk[600];
    snprintf(junk, sizeof junk, "%s/junk.db", dir);
    FILE *f = fopen(junk, "w");
    fputs("this is not a database, just text that is long enough to be a header......", f);
    fclose(f);
    CHECK(eng_store_open(junk, &st, &err) != ENG_OK, "junk store refused");
    CHECK(strstr(err.msg, "junk.db") != NULL, "message names the file: %s", err.msg);

    test_search();
    test_hits_compact();

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("store");
}
