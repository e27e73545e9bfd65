/*
 * oom: allocation-failure injection around import, score and report (make
 * torture).
 *
 * For every N from 1 until the operation completes without reaching N: copy
 * a small store, open it and run the operation with the Nth allocation
 * failing (mode "once"), and again with the Nth and every later one failing
 * (mode "always").  malloc, calloc and realloc are replaced for the whole
 * process, so SQLite's, cJSON's, expat's, PCRE2's and libxlsxwriter's
 * allocations fail too.  The operations:
 *   import  imp_import_file(FILE) into a store holding SEED;
 *   score   eng_run (one thread) over a store holding SEED and FILE, the
 *           rule set loaded beforehand;
 *   report  rpt_workbook_write of that store's run over an old out.xlsx;
 *   split   the same with split_by "kind" (a set of workbooks).
 * After each try, with allocations working again:
 *   - a failure came with an error code and a message (no crash: a crash
 *     ends this program, which the caller reports);
 *   - PRAGMA integrity_check is ok and the store's row counts (projects,
 *     imports, runs, scores, hits, pairs) are as before the try, or, when
 *     the operation succeeded, as after a clean one;
 *   - report: out.xlsx is the old file byte for byte after a failure, the
 *     clean workbook byte for byte after a success (a fixed date); split:
 *     no workbook of the set after a failure, the whole clean set after a
 *     success; never a temporary file left in the folder.
 * Prints "oom OP: K allocation points x 2 modes (once, always): E clear
 * errors, S completed; P passed, F failed".
 *
 * usage: oom import|score|report|split SEED.jsonl FILE RULES WORKDIR
 * (OOM_FROM=N in the environment starts at the Nth allocation.)
 */
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_run.h"
#include "engine/eng_store.h"
#include "importers/imp_import.h"
#include "reports/rpt_xlsx.h"
#include "rules/rule.h"

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);

static long nalloc, fail_at;
static int armed, always;
static const char *op_name;

/* A crash says where it happened (OOM_FROM=N repeats it), then goes on
 * as the crash it is. */
static void on_crash(int sig)
{
    char m[160];
    int n = snprintf(m, sizeof m, "oom %s: CRASH (signal %d) with allocation %ld failing (%s)\n",
                     op_name, sig, fail_at, always ? "always" : "once");
    if (write(2, m, (size_t)n) < 0) {
        /* nothing more to do */
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

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

/* The whole file at path, malloc'd (NULL when absent); *n its size. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *n = len;
    return buf;
}

static int put(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(data, 1, n, f) != n;
    if (f && fclose(f))
        bad = 1;
    return bad ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
    size_t n = 0;
    char *d = slurp(from, &n);
    int rc = d ? put(to, d, n) : -1;
    free(d);
    return rc;
}

/* How many names in dir contain s. */
static int count(const char *dir, const char *s)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, s) != NULL;
    if (d)
        closedir(d);
    return n;
}

/* integrity_check and the row counts of the store at path, as one line in
 * out; -1 when the store cannot be read or is damaged. */
static int inspect(const char *path, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    sqlite3_stmt *q = NULL;
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT (SELECT group_concat(integrity_check) FROM "
                                  "pragma_integrity_check), (SELECT count(*) FROM projects),"
                                  " (SELECT count(*) FROM imports), (SELECT count(*) FROM runs),"
                                  " (SELECT count(*) FROM scores), (SELECT count(*) FROM hits),"
                                  " (SELECT count(*) FROM pairs)",
                                  -1, &q, NULL) == SQLITE_OK;
    ok = ok && sqlite3_step(q) == SQLITE_ROW;
    ok = ok && !strcmp((const char *)sqlite3_column_text(q, 0), "ok");
    if (ok)
        snprintf(
            out, cap, "projects %lld, imports %lld, runs %lld, scores %lld, hits %lld, pairs %lld",
            sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3),
            sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

enum { OP_IMPORT, OP_SCORE, OP_REPORT, OP_SPLIT };

static const char *file_arg;
static rule_set *rules;
static char out_path[4200], dir[2048];

/* Runs the operation on the open store.  Returns its result code. */
static int run_op(int op, eng_store *st, eng_err *err)
{
    if (op == OP_IMPORT) {
        imp_result res;
        memset(&res, 0, sizeof res);
        int rc = imp_import_file(st, file_arg, NULL, &res, err);
        imp_result_release(&res);
        return rc;
    }
    if (op == OP_SCORE) {
        eng_run_opts o = {NULL, 1, 0, NULL, NULL};
        long run = 0;
        return eng_run(st, rules, &o, &run, err);
    }
    rpt_options o;
    memset(&o, 0, sizeof o);
    o.lang = "en";
    o.split_by = op == OP_SPLIT ? "kind" : NULL;
    o.fixed_date = "2026-01-01";
    char **paths = NULL;
    size_t n = 0;
    int rc = rpt_workbook_write(st, 0, out_path, &o, &paths, &n, err);
    rpt_paths_free(paths, n);
    return rc;
}

/* The workbooks of a split set in dir: their names and contents, for
 * comparison.  Returns a malloc'd concatenation (NULL when none). */
static char *set_state(size_t *len)
{
    char *acc = NULL;
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    char names[16][256];
    int k = 0;
    while (d && (de = readdir(d)) != NULL && k < 16)
        if (!strncmp(de->d_name, "out-", 4) && !strstr(de->d_name, ".tmp."))
            snprintf(names[k++], sizeof names[0], "%s", de->d_name);
    if (d)
        closedir(d);
    for (int i = 0; i < k; i++) /* readdir's order is not fixed */
        for (int j = i + 1; j < k; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char t[256];
                memcpy(t, names[i], sizeof t);
                memcpy(names[i], names[j], sizeof t);
                memcpy(names[j], t, sizeof t);
            }
    for (int i = 0; i < k; i++) {
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        size_t m = 0;
        char *c = slurp(p, &m);
        size_t nl = strlen(names[i]);
        char *na = c ? realloc(acc, n + nl + m + 1) : NULL;
        if (!na) {
            free(c);
            free(acc);
            return NULL;
        }
        acc = na;
        memcpy(acc + n, names[i], nl + 1);
        memcpy(acc + n + nl + 1, c, m);
        n += nl + 1 + m;
        free(c);
    }
    *len = n;
    return acc;
}

static void remove_set(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (!strncmp(de->d_name, "out-", 4)) {
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            remove(p);
        }
    if (d)
        closedir(d);
}

static int setup(const char *base, int op, const char *seed, eng_err *err)
{
    eng_store *st = NULL;
    imp_result res;
    memset(&res, 0, sizeof res);
    int rc = eng_store_open(base, &st, err);
    if (!rc)
        rc = imp_import_file(st, seed, NULL, &res, err);
    imp_result_release(&res);
    memset(&res, 0, sizeof res);
    if (!rc && op != OP_IMPORT)
        rc = imp_import_file(st, file_arg, NULL, &res, err);
    imp_result_release(&res);
    if (!rc && op >= OP_REPORT) {
        eng_run_opts o = {NULL, 1, 0, NULL, NULL};
        long run = 0;
        rc = eng_run(st, rules, &o, &run, err);
    }
    eng_store_close(st);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *ops[] = {"import", "score", "report", "split"};
    int op = -1;
    for (int i = 0; argc == 6 && i < 4; i++)
        if (!strcmp(argv[1], ops[i]))
            op = i;
    if (op < 0) {
        fprintf(stderr, "usage: oom import|score|report|split SEED.jsonl FILE RULES WORKDIR\n");
        return 1;
    }
    file_arg = argv[3];
    op_name = ops[op];
    signal(SIGSEGV, on_crash);
    signal(SIGABRT, on_crash);
    signal(SIGBUS, on_crash);
    snprintf(dir, sizeof dir, "%s", argv[5]);
    char base[2100], db[2100], wal[2200];
    snprintf(base, sizeof base, "%s/base.db", dir);
    snprintf(db, sizeof db, "%s/oom.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(out_path, sizeof out_path, "%s/out.xlsx", dir);
    remove(base);
    rule_diags diags = {0};
    rules = rule_set_load(argv[4], 0, &diags);
    rule_diags_free(&diags);
    eng_err err;
    eng_err_clear(&err);
    if (!rules || setup(base, op, argv[2], &err)) {
        fprintf(stderr, "oom %s: setup: %s\n", ops[op], rules ? err.msg : "rule set not loaded");
        return 1;
    }
    char before[256], after[256], clean[256];
    if (inspect(base, before, sizeof before)) {
        fprintf(stderr, "oom %s: cannot read the base store\n", ops[op]);
        return 1;
    }
    static const char old[] = "the old workbook";
    char *clean_out = NULL; /* the clean output (report: a workbook; split: the set) */
    size_t clean_len = 0;
    long points = 0, errors = 0, completed = 0, failed = 0, kept = 0;
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        failed++;                                                                                  \
        fprintf(stderr, "FAIL oom %s: N=%ld %s: ", ops[op], n, always ? "always" : "once");        \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)
    /* OOM_FROM=N starts at the Nth allocation (to look at one finding) */
    long from = getenv("OOM_FROM") ? atol(getenv("OOM_FROM")) : 1;
    if (from < 1)
        from = 1;
    /* a clean run first: every success is compared with it */
    for (int mode = -1; mode < 2; mode++) {
        for (long n = mode < 0 ? 0 : from;; n++) {
            remove(wal);
            remove(out_path);
            remove_set();
            if (copy_file(base, db) || (op == OP_REPORT && put(out_path, old, sizeof old))) {
                fprintf(stderr, "oom %s: cannot copy the store\n", ops[op]);
                return 1;
            }
            eng_err_clear(&err);
            nalloc = 0;
            fail_at = n;
            always = mode > 0;
            armed = mode >= 0;
            eng_store *st = NULL;
            int rc = eng_store_open(db, &st, &err);
            if (rc == ENG_OK)
                rc = run_op(op, st, &err);
            eng_store_close(st);
            armed = 0;
            int reached = nalloc >= n;
            if (inspect(db, after, sizeof after)) {
                FAIL("the store is damaged");
                continue;
            }
            size_t len = 0;
            char *got = op == OP_REPORT  ? slurp(out_path, &len)
                        : op == OP_SPLIT ? set_state(&len)
                                         : NULL;
            if (count(dir, ".tmp."))
                FAIL("a temporary file is left");
            if (mode < 0) {
                if (rc != ENG_OK) {
                    fprintf(stderr, "oom %s: the clean run failed: %s\n", ops[op], err.msg);
                    return 1;
                }
                snprintf(clean, sizeof clean, "%s", after);
                clean_out = got;
                clean_len = len;
                break;
            }
            if (rc != ENG_OK) {
                errors++;
                if (!err.msg[0] || !err.code)
                    FAIL("a failure without a message");
                if (strcmp(after, before))
                    FAIL("failed (%s), yet the store changed: %s, was %s", err.msg, after, before);
                if (op == OP_REPORT && !(got && len == sizeof old && !memcmp(got, old, len)))
                    FAIL("failed (%s), yet out.xlsx changed", err.msg);
                if (op == OP_SPLIT && got)
                    FAIL("failed (%s), yet workbooks of the set are there", err.msg);
            } else {
                completed++;
                if (strcmp(after, clean))
                    FAIL("succeeded with %s, want %s", after, clean);
                if (op >= OP_REPORT && !(got && len == clean_len && !memcmp(got, clean_out, len))) {
                    FAIL("succeeded, but the output is not a clean run's");
                    if (op == OP_REPORT && got && !kept++) {
                        /* the first such workbook is kept beside the clean
                         * one, to be compared */
                        char p1[2200], p2[2200];
                        snprintf(p1, sizeof p1, "%s/differs.xlsx", dir);
                        snprintf(p2, sizeof p2, "%s/clean.xlsx", dir);
                        put(p1, got, len);
                        put(p2, clean_out, clean_len);
                    }
                }
            }
            free(got);
            if (!reached) {
                if (mode == 0)
                    points = n - 1;
                break;
            }
        }
    }
    free(clean_out);
    remove(db);
    remove(wal);
    remove(base);
    remove(out_path);
    remove_set();
    rule_set_free(rules);
    printf("oom %s: %ld allocation points x 2 modes (once, always): %ld clear errors, %ld "
           "completed; %ld passed, %ld failed\n",
           ops[op], points, errors, completed, errors + completed - failed, failed);
    return failed ? 1 : 0;
}
