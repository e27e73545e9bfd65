/* fuzz_json: the JSON/JSONL reader (importers/imp_json).  Promises checked:
 * every call consumes input (calls <= bytes + 2), and a record read
 * round-trips: its canonical JSON reads back to the same canonical JSON. */
#include "engine/eng_record.h"
#include "fuzz/fuzz.h"
#include "importers/imp_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return 0;
    const char *path = fuzz_file(size && data[0] == '[' ? "json" : "jsonl", data, size);
    if (!path)
        return 0;
    imp_json *j = NULL;
    eng_err err;
    eng_err_clear(&err);
    if (imp_json_open(path, &j, &err) == ENG_OK) {
        eng_record r;
        eng_record_init(&r);
        size_t calls = 0;
        int got;
        while ((got = imp_json_next(j, &r, &err)) != 0) {
            FUZZ_REQUIRE(++calls <= size + 2, "json: %zu calls for %zu bytes", calls, size);
            if (got < 0)
                continue;
            char *canon = eng_record_to_json(&r, 0);
            if (!canon)
                continue;
            eng_record r2;
            eng_record_init(&r2);
            eng_err e2;
            int rc = eng_record_from_json(canon, strlen(canon), &r2, &e2);
            FUZZ_REQUIRE(rc == ENG_OK, "json: canonical form refused: %s: %s", e2.msg, canon);
            char *again = eng_record_to_json(&r2, 0);
            FUZZ_REQUIRE(again && !strcmp(again, canon), "json: canonical form not a fixed point");
            free(again);
            free(canon);
            eng_record_release(&r2);
        }
        FUZZ_REQUIRE(imp_json_next(j, &r, &err) == 0, "json: the end did not stay");
        eng_record_release(&r);
        imp_json_free(j);
    }
    unlink(path);
    return 0;
}
