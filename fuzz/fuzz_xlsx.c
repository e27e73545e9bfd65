/* fuzz_xlsx: the workbook reader (importers/imp_xlsx), under limits small
 * enough for a fuzzer (64 MiB inflated).  Promises checked: row numbers
 * strictly increase and stay within 1..1,048,576, a cell's length is its
 * strlen, and the end (or an error) stays. */
#include "fuzz/fuzz.h"
#include "importers/imp_xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (4 << 20))
        return 0;
    const char *path = fuzz_file("xlsx", data, size);
    if (!path)
        return 0;
    imp_xlsx_limits lim;
    imp_xlsx_limits_default(&lim);
    lim.max_total = lim.max_part = 64ULL << 20;
    lim.max_string_bytes = 16ULL << 20;
    lim.max_merged_cells = 1 << 20;
    lim.amp_base = 16ULL << 20;
    imp_rows *rows = NULL;
    eng_err err;
    eng_err_clear(&err);
    if (imp_xlsx_open_with(path, NULL, &lim, &rows, &err) == ENG_OK) {
        imp_row row;
        long last = 0;
        int got;
        while ((got = rows->next(rows, &row, &err)) > 0) {
            FUZZ_REQUIRE(row.line > last && row.line <= 1048576, "xlsx: row %ld after %ld",
                         row.line, last);
            last = row.line;
            for (size_t i = 0; i < row.ncells; i++)
                FUZZ_REQUIRE(strlen(row.cells[i]) == row.lens[i], "xlsx: cell length");
        }
        FUZZ_REQUIRE(rows->next(rows, &row, &err) == got, "xlsx: the end did not stay");
        imp_rows_free(rows);
    }
    char **names = NULL;
    int *hidden = NULL;
    size_t n = 0;
    if (imp_xlsx_sheets(path, &names, &hidden, &n, &err) == ENG_OK)
        imp_xlsx_free_names(names, hidden, n);
    char *v = NULL;
    if (imp_xlsx_property(path, "vernier_run", &v, &err) == ENG_OK)
        free(v);
    unlink(path);
    return 0;
}
