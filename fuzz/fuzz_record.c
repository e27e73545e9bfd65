/* fuzz_record: record mapping (importers/imp_table over a CSV): header
 * aliases, value parsing (dates, money, TRL, periods), indicators columns.
 * Promises checked: every call consumes a row (calls <= bytes + 2), no
 * record comes after an error that stops the file, and every record mapped
 * is valid canonical JSON that reads back. */
#include "engine/eng_record.h"
#include "fuzz/fuzz.h"
#include "importers/imp_csv.h"
#include "importers/imp_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    const char *path = fuzz_file("csv", data, size);
    if (!path)
        return 0;
    imp_rows *rows = NULL;
    imp_table *t = NULL;
    eng_err err;
    eng_err_clear(&err);
    if (imp_csv_open(path, NULL, &rows, NULL, &err) == ENG_OK &&
        imp_table_open(rows, NULL, &t, &err) == ENG_OK) {
        eng_record r;
        eng_record_init(&r);
        size_t calls = 0;
        int got;
        while ((got = imp_table_next(t, &r, &err)) != 0) {
            FUZZ_REQUIRE(++calls <= size + 2, "record: %zu calls for %zu bytes", calls, size);
            if (got < 0) {
                if (!imp_table_can_go_on(t))
                    break;
                continue;
            }
            char *canon = eng_record_to_json(&r, 0);
            if (!canon)
                continue;
            eng_record r2;
            eng_record_init(&r2);
            eng_err e2;
            FUZZ_REQUIRE(eng_record_from_json(canon, strlen(canon), &r2, &e2) == ENG_OK,
                         "record: mapped record refused: %s: %s", e2.msg, canon);
            free(canon);
            eng_record_release(&r2);
        }
        if (got < 0)
            FUZZ_REQUIRE(imp_table_next(t, &r, &err) <= 0, "record: a record after a failure that "
                                                           "stops the file");
        eng_record_release(&r);
        imp_table_free(t);
    }
    unlink(path);
    return 0;
}
