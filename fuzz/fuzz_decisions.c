/* fuzz_decisions: the decisions reader (importers/imp_decisions) against a
 * store.  FUZZ_DB names a store holding a scored run (make fuzz makes one
 * with `vernier evaluate examples/...`, and puts its workbook among the
 * seeds, so that mutations keep the run id and rule-set hash); without it
 * an empty store in TMPDIR.  Promise checked: a refused workbook stores
 * nothing (the store's decision count is unchanged). */
#include <sqlite3.h>

#include "engine/eng_store.h"
#include "fuzz/fuzz.h"
#include "importers/imp_decisions.h"

static eng_store *st;
static sqlite3 *peek; /* a second connection, to count decisions */

static long decisions(void)
{
    sqlite3_stmt *q = NULL;
    long n = -1;
    if (sqlite3_prepare_v2(peek, "SELECT count(*) FROM decisions", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (4 << 20))
        return 0;
    if (!st) {
        static char db[512];
        const char *env = getenv("FUZZ_DB");
        const char *dir = getenv("TMPDIR");
        if (env && *env)
            snprintf(db, sizeof db, "%s", env);
        else
            snprintf(db, sizeof db, "%s/vernier-fuzz-%ld.db", dir && *dir ? dir : "/tmp",
                     (long)getpid());
        eng_err e;
        if (eng_store_open(db, &st, &e) != ENG_OK || sqlite3_open(db, &peek) != SQLITE_OK) {
            fprintf(stderr, "fuzz_decisions: %s\n", e.msg);
            abort();
        }
    }
    const char *path = fuzz_file("xlsx", data, size);
    if (!path)
        return 0;
    long before = decisions();
    imp_decisions_result res;
    memset(&res, 0, sizeof res);
    eng_err err;
    eng_err_clear(&err);
    int rc = imp_decisions_read(st, path, "fuzz", &res, &err);
    if (rc == ENG_OK)
        imp_decisions_result_release(&res);
    else
        FUZZ_REQUIRE(decisions() == before, "decisions: a refused workbook stored decisions: %s",
                     err.msg);
    unlink(path);
    return 0;
}
