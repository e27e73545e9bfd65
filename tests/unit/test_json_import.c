/* Unit tests: the canonical-JSON record model and the JSON/JSONL reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "engine/eng_record.h"
#include "importers/imp_json.h"

static char dir[] = "/tmp/vernier-test-json-XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

typedef struct json_case {
    const char *name; /* file name: .json or .jsonl */
    const char *text;
    int records;       /* records read before the first error (or in all) */
    const char *error; /* a fragment of the first error, NULL when none */
} json_case;

static const json_case cases[] = {
    {"array.json",
     "[\n {\"id\": \"A1\", \"title\": \"高精度温度传感器\", \"trl_target\": 6},\n"
     " {\"id\": \"A2\", \"title\": \"Cryogenic thermometry\"}\n]\n",
     2, NULL},
    {"lines.jsonl",
     "{\"id\": \"L1\", \"title\": \"one\"}\n\n{\"id\": \"L2\", \"title\": \"two\"}\n", 2, NULL},
    {"bom.jsonl", "\xEF\xBB\xBF{\"id\": \"B1\", \"title\": \"with a BOM\"}\n", 1, NULL},
    {"empty-array.json", "[]", 0, NULL},
    {"bad-type.jsonl",
     "{\"id\": \"T1\", \"title\": \"ok\"}\n{\"id\": \"T2\", \"title\": \"x\", \"trl_target\": "
     "\"six\"}\n",
     1, "bad-type.jsonl:2: field 'trl_target': expected a number, got a string"},
    {"trl-range.json", "[{\"id\": \"R1\", \"title\": \"x\", \"trl_start\": 12}]", 0,
     "trl-range.json:1: field 'trl_start': expected a TRL level 1-9, got \"12\""},
    {"no-id.jsonl", "{\"title\": \"no id\"}\n", 0, "no-id.jsonl:1: field 'id': missing"},
    {"bad-date.jsonl", "{\"id\": \"D1\", \"title\": \"x\", \"start\": \"2019-02-30\"}\n", 0,
     "field 'start': expected a date"},
    {"kind.jsonl", "{\"id\": \"K1\", \"title\": \"x\", \"kind\": \"grant\"}\n", 0,
     "field 'kind': expected \"project\", \"proposal\" or \"prior-art\""},
    {"dup-key.jsonl", "{\"id\": \"K1\", \"title\": \"x\", \"title\": \"y\"}\n", 0,
     "field 'title': appears twice"},
    {"unclosed.json", "[{\"id\": \"U1\", \"title\": \"x\"},\n{\"id\": \"U2\"", 1, "not closed"},
    {"bad-utf8.jsonl", "{\"id\": \"U1\", \"title\": \"caf\xE9\"}\n", -1,
     "bad-utf8.jsonl:1:27: invalid UTF-8"},
    {"scalar.json", "42", -1, "expected an array of records"},
    {"indicator.jsonl",
     "{\"id\": \"I1\", \"title\": \"x\", \"acceptance\": {\"indicators\": [{\"target\": "
     "\"1\"}]}}\n",
     0, "field 'acceptance.indicators[0].name': missing"},
    {"end-before-start.jsonl",
     "{\"id\": \"E1\", \"title\": \"x\", \"start\": \"2020-01\", \"end\": \"2019-12\"}\n", 0,
     "field 'end': 2019-12 is before start 2020-01"},
};

static void test_reader(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const json_case *c = &cases[i];
        char *path = write_tmp(c->name, c->text);
        imp_json *j = NULL;
        eng_err err;
        eng_err_clear(&err);
        int rc = imp_json_open(path, &j, &err);
        if (c->records < 0) {
            CHECK(rc == ENG_EINPUT, "%s: open should fail", c->name);
            CHECK(strstr(err.msg, c->error) != NULL, "%s: error \"%s\" lacks \"%s\"", c->name,
                  err.msg, c->error);
            continue;
        }
        CHECK(rc == ENG_OK, "%s: open failed: %s", c->name, err.msg);
        if (rc)
            continue;
        eng_record r;
        eng_record_init(&r);
        int n = 0, got;
        const char *first_err = NULL;
        while ((got = imp_json_next(j, &r, &err)) != 0) {
            if (got < 0) {
                first_err = err.msg;
                break;
            }
            n++;
        }
        CHECK_INT(n, c->records, c->name);
        if (c->error)
            CHECK(first_err && strstr(first_err, c->error), "%s: error \"%s\" lacks \"%s\"",
                  c->name, first_err ? first_err : "(none)", c->error);
        else
            CHECK(!first_err, "%s: unexpected error %s", c->name, first_err);
        eng_record_release(&r);
        imp_json_free(j);
    }
}

/* Canonical JSON round-trips and keeps extra fields; the hash ignores provenance. */
static void test_canonical(void)
{
    const char *in =
        "{\"title\": \"标题\", \"id\": \"C1\", \"zeta\": [1, 2], \"alpha\": {\"x\": \"y\"},"
        " \"keywords\": \"计量；溯源, traceability\", \"budget\": 1200.5,"
        " \"acceptance\": {\"trl_claimed\": 6, \"panel\": \"P3\", \"indicators\": [{\"name\":"
        " \"不确定度\", \"achieved\": \"0.3\", \"unit\": \"mK\", \"note\": \"extra\"}]}}";
    eng_record r;
    eng_record_init(&r);
    eng_err err;
    eng_err_clear(&err);
    CHECK(eng_record_from_json(in, strlen(in), &r, &err) == ENG_OK, "parse: %s", err.msg);
    CHECK_INT(r.nkeywords, 3, "keywords split at ；and ,");
    char *out = eng_record_to_json(&r, 0);
    CHECK_STR(out,
              "{\"id\":\"C1\",\"kind\":\"project\",\"title\":\"标题\",\"keywords\":[\"计量\","
              "\"溯源\",\"traceability\"],\"budget\":1200.5,\"acceptance\":{\"trl_claimed\":6,"
              "\"indicators\":[{\"name\":\"不确定度\",\"achieved\":\"0.3\",\"unit\":\"mK\","
              "\"note\":\"extra\"}],\"panel\":\"P3\"},\"alpha\":{\"x\":\"y\"},\"zeta\":[1,2]}",
              "canonical JSON");
    char h1[65], h2[65];
    eng_record_hash(&r, h1);
    eng_record_set_provenance(&r, "some/file.json", 7);
    eng_record_hash(&r, h2);
    CHECK_STR(h1, h2, "hash ignores provenance");
    /* Re-reading the canonical form gives the same canonical form. */
    eng_record r2;
    eng_record_init(&r2);
    CHECK(eng_record_from_json(out, strlen(out), &r2, &err) == ENG_OK, "reparse: %s", err.msg);
    char *out2 = eng_record_to_json(&r2, 0);
    CHECK_STR(out2, out, "canonical form is a fixed point");
    free(out);
    free(out2);
    eng_record_release(&r);
    eng_record_release(&r2);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_reader();
    test_canonical();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("json_import");
}
