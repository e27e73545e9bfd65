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

/* Every call of the reader consumes input: a file of n bytes ends within n + 1
 * calls whatever it holds, and JSONL resumes at the next line after a bad one
 * (issue 15: `{""],` with --skip-bad looped forever and filled the disk). */
typedef struct progress_case {
    const char *name;
    const char *text;
    int good, bad;        /* records and errors until the end */
    const char *error;    /* a fragment of the first error */
    const char *good_ids; /* ids of the good records, joined by ',' */
} progress_case;

static const progress_case progress_cases[] = {
    {"stuck.jsonl", "{\"\"],", 0, 1, "stuck.jsonl:1: invalid JSON", ""},
    {"lone-bracket.json", "[", 0, 1, "the array of records is not closed", ""},
    {"truncated.json", "[{\"id\":\"A\",\"title\":\"t\"},", 1, 1,
     "the array of records is not closed", "A"},
    {"commas.jsonl", "{\"id\":\"A\",\"title\":\"t\"},,,\n,\n", 1, 1, "expected a record, found ','",
     "A"},
    {"resync.jsonl",
     "{\"id\":\"A\",\"title\":\"t\"}\n{\"id\":\"B\",\"title\":\"u\"\n"
     "{\"id\":\"C\",\"title\":\"v\"}\n",
     2, 1, "resync.jsonl:2: record is not closed", "A,C"},
    {"resync-string.jsonl",
     "{\"id\":\"A\",\"title\":\"t\"}\n{\"id\":\"B\",\"title\":\"u}\n"
     "{\"id\":\"C\",\"title\":\"v\"}\n",
     2, 1, "resync-string.jsonl:2:", "A,C"},
    {"garbage-line.jsonl",
     "{\"id\":\"A\",\"title\":\"t\"} x\nnot json\n{\"id\":\"C\",\"title\":\"v\"}\n", 2, 1,
     "garbage-line.jsonl:1: invalid JSON", "A,C"},
    {"array-bad-element.json",
     "[{\"id\":\"A\",\"title\":\"t\"},\n {\"id\":\"B\",\"kind\":\"grant\"},\n "
     "{\"id\":\"C\",\"title\":\"v\"}]",
     2, 1, "array-bad-element.json:2: field 'kind': expected", "A,C"},
    {"array-missing-comma.json", "[{\"id\":\"A\",\"title\":\"t\"} {\"id\":\"C\",\"title\":\"v\"}]",
     0, 1, "expected ',' or ']' after a record", ""},
    {"close-first.jsonl", "{\"id\":\"A\",\"title\":\"t\"}\n]\n}\n{\"id\":\"C\",\"title\":\"v\"}\n",
     2, 1, "not closed", "A,C"},
    {"nul-escape.jsonl",
     "{\"id\":\"A\",\"title\":\"a\\u0000b\"}\n{\"id\":\"B\",\"title\":\"x\\\\u0000\"}\n", 1, 1,
     "nul-escape.jsonl:1: field 'title': a NUL character (\\u0000) in the text", "B"},
    {"nul-escape-nested.json",
     "[{\"id\":\"A\",\"title\":\"t\",\n \"acceptance\": {\"panel\": \"P\\u0000\"}}]", 0, 1,
     "nul-escape-nested.json:2: field 'acceptance': a NUL character", ""},
    {"nul-key.jsonl", "{\"id\":\"A\",\"t\\u0000\":\"x\"}\n", 0, 1,
     "nul-key.jsonl:1: a NUL character (\\u0000) in a field name", ""},
};

static void test_progress(void)
{
    for (size_t i = 0; i < sizeof progress_cases / sizeof progress_cases[0]; i++) {
        const progress_case *c = &progress_cases[i];
        char *path = write_tmp(c->name, c->text);
        imp_json *j = NULL;
        eng_err err;
        eng_err_clear(&err);
        int rc = imp_json_open(path, &j, &err);
        CHECK(rc == ENG_OK, "%s: open failed: %s", c->name, err.msg);
        if (rc)
            continue;
        eng_record r;
        eng_record_init(&r);
        int good = 0, bad = 0, got;
        size_t calls = 0, limit = strlen(c->text) + 2;
        char first_err[1024] = "", ids[256] = "";
        while (calls++ < limit && (got = imp_json_next(j, &r, &err)) != 0) {
            if (got < 0) {
                if (!bad++)
                    snprintf(first_err, sizeof first_err, "%s", err.msg);
                continue;
            }
            good++;
            size_t n = strlen(ids);
            snprintf(ids + n, sizeof ids - n, "%s%s", n ? "," : "", r.id);
        }
        CHECK(calls <= limit, "%s: the reader made no progress (%zu calls)", c->name, calls);
        CHECK_INT(good, c->good, c->name);
        CHECK_INT(bad, c->bad, c->name);
        CHECK_STR(ids, c->good_ids, c->name);
        CHECK(strstr(first_err, c->error) != NULL, "%s: error \"%s\" lacks \"%s\"", c->name,
              first_err, c->error);
        eng_record_release(&r);
        imp_json_free(j);
    }
    /* a raw NUL byte is refused when the file is opened */
    char *path = write_tmp("raw-nul.jsonl", "x");
    FILE *f = fopen(path, "wb");
    fwrite("{\"id\":\"A\",\"title\":\"a\0b\"}\n", 1, 26, f);
    fclose(f);
    imp_json *j = NULL;
    eng_err err;
    eng_err_clear(&err);
    CHECK(imp_json_open(path, &j, &err) == ENG_EINPUT, "raw NUL: open should fail");
    CHECK(strstr(err.msg, "raw-nul.jsonl:1:21: NUL byte") != NULL, "raw NUL: %s", err.msg);
    imp_json_free(j);
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

/* Files larger than the reader's chunk (64 KiB): records, a bad record and a
 * multi-byte character straddle chunk boundaries; a record of 1 MiB grows
 * the buffer; an invalid byte deep in the file is named by line and column;
 * an array and JSONL of the same records read the same. */
static void test_streaming(void)
{
    char path[512];
    const char *word = "温度传感器 sensor "; /* 23 bytes: 3-byte characters at every offset */
    for (int form = 0; form < 2; form++) {   /* 0: JSONL, 1: an array */
        snprintf(path, sizeof path, "%s/big%d.json%s", dir, form, form ? "" : "l");
        FILE *f = fopen(path, "wb");
        fputs(form ? "[\n" : "", f);
        int n = 3000;
        for (int i = 0; i < n; i++) {
            fprintf(f, "%s{\"id\": \"S%d\", \"title\": \"", i ? (form ? ",\n" : "\n") : "", i);
            int words = i == 1500 ? 50000 : 3 + i % 17; /* record 1500: over 1 MiB */
            for (int k = 0; k < words; k++)
                fputs(word, f);
            fputs("\"}", f);
            if (i == 2000 && !form) /* a bad record: JSONL goes on at the next line */
                fputs("\n{\"id\": \"BAD\", \"title\": \"x\" \"y\"}", f);
        }
        fputs(form ? "\n]\n" : "\n", f);
        fclose(f);
        imp_json *j = NULL;
        eng_err err;
        eng_err_clear(&err);
        int rc = imp_json_open(path, &j, &err);
        CHECK(rc == ENG_OK, "big%d: open failed: %s", form, err.msg);
        if (rc)
            continue;
        eng_record r;
        eng_record_init(&r);
        int good = 0, bad = 0, got, in_order = 1;
        long bad_line = 0;
        while ((got = imp_json_next(j, &r, &err)) != 0) {
            if (got < 0) {
                bad++;
                bad_line = imp_json_line(j);
                continue;
            }
            char want[32];
            snprintf(want, sizeof want, "S%d", good);
            if (strcmp(r.id, want) || r.prov_line != good + 1 + form + (!form && good > 2000))
                in_order = 0;
            good++;
        }
        CHECK_INT(good, n, "big: records");
        CHECK_INT(bad, form ? 0 : 1, "big: bad records");
        if (!form)
            CHECK_INT(bad_line, 2002, "big: the bad record's line");
        CHECK(in_order, "big%d: ids or lines out of order", form);
        eng_record_release(&r);
        imp_json_free(j);
    }
    /* an invalid byte after several chunks: line and column */
    snprintf(path, sizeof path, "%s/late-bad.jsonl", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 5000; i++)
        fprintf(f, "{\"id\": \"V%d\", \"title\": \"%s%s\"}\n", i, word, word);
    fputs("{\"id\": \"X\", \"title\": \"ab\xC3(\"}\n", f);
    fclose(f);
    imp_json *j = NULL;
    eng_err err;
    eng_err_clear(&err);
    CHECK(imp_json_open(path, &j, &err) == ENG_EINPUT, "late bad byte: open should fail");
    CHECK(strstr(err.msg, "late-bad.jsonl:5001:25: invalid UTF-8 (byte 0xC3") != NULL,
          "late bad byte: %s", err.msg);
    imp_json_free(j);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_reader();
    test_progress();
    test_streaming();
    test_canonical();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("json_import");
}
