/* fuzz_csv: the CSV reader (importers/imp_csv).  Byte 0 picks the delimiter
 * and the encoding; the rest is the file.  Promises checked: every row
 * consumes input (rows <= bytes + 1), each cell's length is its strlen, and
 * the end (or an error) stays put. */
#include "fuzz/fuzz.h"
#include "importers/imp_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return 0;
    static const char delims[] = {0, ',', ';', '\t', '|', 0, 0, 0};
    static const char *const encs[] = {NULL, "UTF-8", "GB18030", "GBK", NULL, NULL, NULL, NULL};
    imp_csv_options opt = {encs[(data[0] >> 3) & 7], delims[data[0] & 7]};
    const char *path = fuzz_file("csv", data + 1, size - 1);
    if (!path)
        return 0;
    imp_rows *rows = NULL;
    eng_err err;
    eng_err_clear(&err);
    if (imp_csv_open(path, &opt, &rows, NULL, &err) == ENG_OK) {
        imp_row row;
        size_t n = 0;
        int got;
        while ((got = rows->next(rows, &row, &err)) > 0) {
            FUZZ_REQUIRE(++n <= size, "csv: %zu rows from %zu bytes", n, size - 1);
            for (size_t i = 0; i < row.ncells; i++)
                FUZZ_REQUIRE(strlen(row.cells[i]) == row.lens[i], "csv: cell length");
        }
        FUZZ_REQUIRE(rows->next(rows, &row, &err) == got, "csv: the end did not stay");
        imp_rows_free(rows);
    }
    unlink(path);
    return 0;
}
