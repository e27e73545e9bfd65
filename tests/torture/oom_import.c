/*
 * oom_import: allocation-failure injection around `import` (make torture).
 *
 * For every N from 1 until an import completes without reaching N: copy a
 * store holding some records, then open it and import FILE with the Nth
 * allocation failing (mode "once"), and again with the Nth and every later
 * one failing (mode "always").  malloc, calloc and realloc are replaced for
 * the whole process, so SQLite's, cJSON's and expat's allocations fail too.
 * After each try, with allocations working again:
 *   - a failure came with an error code and a message (no crash: a crash
 *     ends this program, which the caller reports);
 *   - PRAGMA integrity_check is ok;
 *   - the store holds what it held before (projects and imports), or, when
 *     the import succeeded, what a clean import gives.
 * Prints "oom import: K allocation points x 2 modes: E clear errors, S
 * imports completed, 0 failed" (the failed count is what went wrong).
 *
 * usage: oom_import SEED.jsonl FILE WORKDIR
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_store.h"
#include "importers/imp_import.h"

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);

static long nalloc, fail_at;
static int armed, always;

static int fail_now(void)
{
    if (!armed)
        return 0;
    nalloc++;
    return always ? nalloc >= fail_at : nalloc == fail_at;
}

void *malloc(size_t n)
{
    return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    return fail_now() ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __libc_realloc(p, n);
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int bad = !a || !b;
    while (!bad && (n = fread(buf, 1, sizeof buf, a)) > 0)
        bad = fwrite(buf, 1, n, b) != n;
    if (a)
        fclose(a);
    if (b && fclose(b))
        bad = 1;
    return bad ? -1 : 0;
}

/* integrity_check, projects, imports of the store at path; -1 on failure. */
static int inspect(const char *path, long *projects, long *imports)
{
    sqlite3 *db = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    sqlite3_stmt *q = NULL;
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT (SELECT group_concat(integrity_check) FROM "
                                  "pragma_integrity_check), (SELECT count(*) FROM projects),"
                                  " (SELECT count(*) FROM imports)",
                                  -1, &q, NULL) == SQLITE_OK;
    ok = ok && sqlite3_step(q) == SQLITE_ROW;
    ok = ok && !strcmp((const char *)sqlite3_column_text(q, 0), "ok");
    if (ok) {
        *projects = sqlite3_column_int64(q, 1);
        *imports = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: oom_import SEED.jsonl FILE WORKDIR\n");
        return 1;
    }
    char base[4096], db[4096];
    snprintf(base, sizeof base, "%s/base.db", argv[3]);
    snprintf(db, sizeof db, "%s/oom.db", argv[3]);
    remove(base);
    eng_store *st = NULL;
    eng_err err;
    imp_result res;
    if (eng_store_open(base, &st, &err) || imp_import_file(st, argv[1], NULL, &res, &err)) {
        fprintf(stderr, "oom import: setup: %s\n", err.msg);
        return 1;
    }
    imp_result_release(&res);
    eng_store_close(st);
    long p0, i0, p1, i1;
    if (inspect(base, &p0, &i0)) {
        fprintf(stderr, "oom import: cannot read the base store\n");
        return 1;
    }
    /* what a clean import gives */
    long clean_p = -1, clean_i = -1;
    long points = 0, errors = 0, completed = 0, failed = 0;
    for (int mode = 0; mode < 2; mode++) {
        for (long n = 1;; n++) {
            char wal[4200];
            snprintf(wal, sizeof wal, "%s-wal", db);
            remove(wal);
            if (copy_file(base, db)) {
                fprintf(stderr, "oom import: cannot copy the store\n");
                return 1;
            }
            eng_err_clear(&err);
            memset(&res, 0, sizeof res);
            nalloc = 0;
            fail_at = n;
            always = mode;
            armed = 1;
            st = NULL;
            int rc = eng_store_open(db, &st, &err);
            if (rc == ENG_OK)
                rc = imp_import_file(st, argv[2], NULL, &res, &err);
            eng_store_close(st);
            armed = 0;
            int reached = nalloc >= n;
            imp_result_release(&res);
            if (inspect(db, &p1, &i1)) {
                failed++;
                fprintf(stderr, "FAIL oom import: N=%ld %s: the store is damaged\n", n,
                        mode ? "always" : "once");
                continue;
            }
            if (rc != ENG_OK) {
                errors++;
                if (!err.msg[0] || !err.code) {
                    failed++;
                    fprintf(stderr, "FAIL oom import: N=%ld: a failure without a message\n", n);
                }
                if (p1 != p0 || i1 != i0) {
                    failed++;
                    fprintf(stderr,
                            "FAIL oom import: N=%ld %s: failed, yet the store changed (%ld -> "
                            "%ld projects)\n",
                            n, mode ? "always" : "once", p0, p1);
                }
            } else {
                completed++;
                if (clean_p < 0 && !reached) {
                    clean_p = p1;
                    clean_i = i1;
                }
                if (clean_p >= 0 && (p1 != clean_p || i1 != clean_i)) {
                    failed++;
                    fprintf(stderr,
                            "FAIL oom import: N=%ld: succeeded with %ld projects, want %ld\n", n,
                            p1, clean_p);
                }
            }
            if (!reached) {
                if (mode == 0)
                    points = n - 1;
                break;
            }
        }
    }
    remove(db);
    remove(base);
    printf("oom import: %ld allocation points x 2 modes (once, always): %ld clear errors, %ld "
           "imports completed; %ld passed, %ld failed\n",
           points, errors, completed, errors + completed - failed, failed);
    printf("oom: %ld passed, %ld failed\n", errors + completed - failed, failed);
    return failed ? 1 : 0;
}
