/* fuzz_rules: the rule loader (rules/, one .json file).  Promises checked:
 * a set comes back exactly when no diagnostic is an error (a refused file
 * always says why), and a set that loads has a canonical text and a
 * SHA-256. */
#include "fuzz/fuzz.h"
#include "rules/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (256 << 10))
        return 0;
    const char *path = fuzz_file("json", data, size);
    if (!path)
        return 0;
    rule_diags d = {0};
    rule_set *set = rule_set_load(path, 0, &d);
    size_t errors = 0;
    for (size_t i = 0; i < d.n; i++)
        errors += d.v[i].severity == RULE_ERROR;
    FUZZ_REQUIRE(!set || errors == 0, "rules: a set with %zu errors", errors);
    FUZZ_REQUIRE(set || errors > 0, "rules: refused without an error");
    if (set) {
        FUZZ_REQUIRE(rule_set_canonical(set) && rule_set_sha256(set), "rules: no canonical text");
        rule_set_free(set);
    }
    rule_diags_free(&d);
    unlink(path);
    return 0;
}
