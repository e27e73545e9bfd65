/*
 * test_rules: the rule language library.
 *
 * Tables: the JSON scanner against JSONTestSuite and against positioned
 * errors; rule sets (inline JSON written to temporary files) with the
 * diagnostics they must produce (line, column located by a marker string,
 * rule id, message fragment); subjects with the hits they must produce
 * (rule, item, value, the text before the match and the match); pattern
 * analysis (required literals, never-matching patterns); rule_context;
 * parameters; canonical hashes; PCRE2 limits; and the prefilter, which must
 * give exactly the hits of a run without it over real text.
 *
 * Real data ($SHARED/data, default ../shared/data) is read when present and
 * the parts that need it are skipped otherwise.
 */
#include "rules/rule.h"
#include "rules/rule_int.h"
#include "rules/rule_json.h"
#include "rules/rule_lit.h"
#include "rules/rule_re.h"
#include "tests/check.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];
static int tmp_seq;

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = (size_t)n;
    }
    return b;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

/* A fresh temporary file holding text; returns its path (static buffer). */
static const char *temp_json(const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/set%d.json", tmpdir, ++tmp_seq);
    write_file(path, text);
    return path;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- the JSON scanner ---- */

static void test_json_suite(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/JSONTestSuite/test_parsing", shared_dir());
    DIR *d = opendir(dir);
    if (!d) {
        printf("test_rules: JSONTestSuite not found at %s, skipped\n", dir);
        return;
    }
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        char t = e->d_name[0];
        if ((t != 'y' && t != 'n' && t != 'i') || e->d_name[1] != '_')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = slurp(p, &len);
        if (!text)
            continue;
        files++;
        rule_jerr errs[4];
        size_t n = rule_json_check(text, len, RULE_JSON_DUPS_OK, errs, 4);
        if (t == 'y')
            CHECK(n == 0, "%s must be accepted: %s", e->d_name, n ? errs[0].msg : "");
        if (t == 'n')
            CHECK(n > 0, "%s must be rejected", e->d_name);
        if (n == 0) {
            /* what the scanner accepts, cJSON must read into the same tree */
            size_t nf;
            rule_jdoc *doc = rule_jdoc_parse(text, len, RULE_JSON_DUPS_OK, errs, 4, &nf);
            CHECK(doc != NULL, "%s: accepted by the scanner, not parsed (%s)", e->d_name,
                  nf ? errs[0].msg : "memory");
            rule_jdoc_free(doc);
        }
        free(text);
    }
    closedir(d);
    CHECK(files >= 300, "only %d JSONTestSuite files read", files);
}

static const struct {
    const char *text;
    int line, col;
    const char *frag;
} json_errors[] = {
    {"{\"a\": 1,}", 1, 9, "trailing comma"},
    {"{\"a\": 1,\n \"b\": [1, 2,]}", 2, 13, "trailing comma"},
    {"{\"a\": 01}", 1, 7, "leading zero"},
    {"[\"tab\there\"]", 1, 6, "control character U+0009"},
    {"{\"k\": \"\\x\"}", 1, 9, "invalid escape"},
    {"{\n  \"k\": \"研究\\uqqqq\"\n}", 2, 11, "four hex digits"},
    {"{\"a\": 1} x", 1, 10, "text after the JSON value"},
    {"", 1, 1, "empty"},
    {"{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\" (first at line 1:2)"},
    {"{\"id\": 1,\n \"\\u0069d\": 2}", 2, 2, "duplicate key \"id\""},
    {"{\"x\": {\"b\": 1, \"c\": 2, \"b\": 3}}", 1, 24, "duplicate key \"b\" (first at line 1:8)"},
    {"[1, 2", 1, 6, "expected ',' or ']'"},
    {"\xEF\xBB\xBF{\"a\": tru}", 1, 7, "expected a value"},
    {"{\"a\": \"\\ud800\"}", 1, 8, "high surrogate"},
    {"{\"名称\": \"值\", \"名称\": 1}", 1, 13, "duplicate key \"名称\""},
};

static void test_json_errors(void)
{
    for (size_t i = 0; i < sizeof json_errors / sizeof json_errors[0]; i++) {
        rule_jerr errs[4];
        const char *t = json_errors[i].text;
        size_t n = rule_json_check(t, strlen(t), 0, errs, 4);
        CHECK(n >= 1, "json error %zu: not reported", i);
        if (n < 1)
            continue;
        CHECK(errs[0].pos.line == json_errors[i].line && errs[0].pos.col == json_errors[i].col,
              "json error %zu: at %d:%d, want %d:%d (%s)", i, errs[0].pos.line, errs[0].pos.col,
              json_errors[i].line, json_errors[i].col, errs[0].msg);
        CHECK(strstr(errs[0].msg, json_errors[i].frag) != NULL,
              "json error %zu: \"%s\" lacks \"%s\"", i, errs[0].msg, json_errors[i].frag);
    }
    /* every duplicate of a document is reported, not only the first */
    const char *dups = "{\"a\":1,\"b\":2,\"a\":3,\"b\":4,\"c\":{\"d\":1,\"d\":2}}";
    rule_jerr errs[8];
    CHECK_INT(rule_json_check(dups, strlen(dups), 0, errs, 8), 3, "duplicates reported");
    /* 600 nested arrays: refused with a message, no crash */
    char deep[1300];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1200] = '\0';
    CHECK(rule_json_check(deep, 1200, 0, errs, 1) == 1 && strstr(errs[0].msg, "nested"),
          "deep nesting");
}

static void test_canonical(void)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"{\"b\": 1.0, \"a\": [true, false, null], \"\xc3\xa9\": \"x\", \"Z\": -0}",
         "{\"Z\":0,\"a\":[true,false,null],\"b\":1,\"\xc3\xa9\":\"x\"}"},
        {"[0.1, 1e3, 2.50, -3.25e-2, 12345678901234567890, 1e300]",
         "[0.1,1000,2.5,-0.0325,1.2345678901234567e+19,1e+300]"},
        {"\"a\\/b\\u00e9\\n\\u0001\\\"\\\\\"", "\"a/b\xc3\xa9\\n\\u0001\\\"\\\\\""},
        {"{\"k\": {\"y\": 2, \"x\": 1}}", "{\"k\":{\"x\":1,\"y\":2}}"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        rule_jerr errs[2];
        size_t nf;
        rule_jdoc *doc = rule_jdoc_parse(v[i].in, strlen(v[i].in), 0, errs, 2, &nf);
        CHECK(doc != NULL, "canonical %zu: parse", i);
        if (!doc)
            continue;
        char *c = rule_json_canonical(rule_jdoc_root(doc));
        CHECK_STR(c, v[i].out, "canonical form");
        free(c);
        rule_jdoc_free(doc);
    }
}

/* ---- loading and diagnostics ---- */

typedef struct want_diag {
    int sev;
    int line;
    const char *at; /* text on that line where the column must point, NULL: any */
    const char *rule_id;
    const char *frag; /* in the message or the hint */
} want_diag;

#define HDR "{\"name\": \"t\", \"version\": \"1\",\n"
#define E RULE_ERROR
#define W RULE_WARNING

static const struct {
    const char *name;
    const char *json;
    int loads;
    want_diag want[8];
} load_cases[] = {
    {"minimal set",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abc\", \"why\": \"w\"}\n"
         "]}\n",
     1,
     {{0}}},
    {"time budget",
     HDR "\"limits\": {\"record_ms\": -5, \"recrod_ms\": 1},\n"
         "\"rules\": [{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": "
         "[\"abstract\"], \"pattern\": \"abc\", \"why\": \"w\"}]}\n",
     0,
     {{E, 2, "\"recrod_ms\"", NULL, "unknown key \"recrod_ms\" in \"limits\""},
      {E, 2, "-5", NULL, "\"record_ms\" must be 0 to 8.64e+07, not -5"}}},
    {"JSON syntax",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\",}\n"
         "]}\n",
     0,
     {{E, 3, "}", NULL, "trailing comma"}}},
    {"duplicate key",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"id\": \"R2\", \"fields\": "
         "[\"abstract\"], \"pattern\": \"abc\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "\"id\": \"R2\"", NULL, "duplicate key \"id\" (first at line 3:2)"}}},
    {"unknown key with hint",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], "
         "\"patern\": \"abc\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "\"patern\"", "R1", "did you mean 'pattern'?"},
      {E, 3, "{\"id\"", "R1", "neither \"pattern\" nor \"when\""},
      {W, 3, "[\"abstract\"]", "R1", "are not read"}}},
    {"bad dimension, level, severity",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trll\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\"},\n"
         "{\"id\": \"R2\", \"dimension\": \"trl\", \"level\": 10, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abc\", \"why\": \"w\"},\n"
         "{\"id\": \"R3\", \"dimension\": \"trl\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\"},\n"
         "{\"id\": \"R4\", \"dimension\": \"flag\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\"},\n"
         "{\"id\": \"R5\", \"dimension\": \"flag\", \"severity\": \"fatal\", \"fields\": "
         "[\"abstract\"], \"pattern\": \"abc\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "\"trll\"", "R1", "did you mean 'trl'?"},
      {E, 4, "10", "R2", "whole number 1-9"},
      {E, 5, "{\"id\"", "R3", "needs a \"level\""},
      {E, 6, "{\"id\"", "R4", "needs a \"severity\""},
      {E, 7, "\"fatal\"", "R5", "unknown severity"}}},
    {"pattern that does not compile",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"\\\\d+(x|y\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "\", \"why\"", "R1", "missing closing parenthesis (at offset 7"}}},
    {"pattern error inside the string",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"研究a{3,2}b\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "}b\"", "R1", "out of order"}}},
    {"duplicate rule ids",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abc\", \"why\": \"w\"},\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abd\", \"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 4, "{\"id\"", "R1", "duplicate rule id \"R1\" (first at"}}},
    {"weights",
     "{\"name\": \"t\", \"version\": \"1\", \"weights\": {\"trl\": 0.4, \"traceability\": 0.3, "
     "\"novelty\": 0.2},\n"
     "\"rules\": []}\n",
     0,
     {{E, 1, "{\"trl\"", NULL, "add up to 0.9"}}},
    {"contradictory when",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\", \"when\": {\"all\": [{\"field\": \"trl_target\", \"eq\": 3}, "
         "{\"field\": \"trl_target\", \"eq\": 4}]}},\n"
         "{\"id\": \"R2\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\", \"when\": {\"all\": [{\"field\": \"budget\", \"gt\": 100}, "
         "{\"field\": \"budget\", \"le\": 50}]}},\n"
         "{\"id\": \"R3\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\", \"when\": {\"all\": [{\"field\": \"pi\", \"present\": false}, "
         "{\"field\": \"pi\", \"matches\": \"x\"}]}},\n"
         "{\"id\": \"R4\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc\", \"why\": \"w\", \"when\": {\"field\": \"kind\", \"in\": []}}\n"
         "]}\n",
     0,
     {{E, 3, "{\"field\": \"trl_target\", \"eq\": 4}", "R1", "two different eq values"},
      {E, 4, "{\"field\": \"budget\", \"le\"", "R2", "an empty numeric range"},
      {E, 5, "{\"field\": \"pi\", \"matches\"", "R3", "a missing value"},
      {E, 6, "[]", "R4", "empty \"in\" list"}}},
    {"when operators and shape",
     HDR
     "\"rules\": [\n"
     "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"abc\", \"why\": \"w\", \"when\": {\"field\": \"kind\", \"matchs\": \"x\"}},\n"
     "{\"id\": \"R2\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"abc\", \"why\": \"w\", \"when\": {\"field\": \"kind\", \"eq\": \"a\", \"ne\": \"b\"}},\n"
     "{\"id\": \"R3\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"abc\", \"why\": \"w\", \"when\": {\"any\": [{\"field\": \"kind\", \"eq\": true}], \"not\": "
     "{}}}\n"
     "]}\n",
     0,
     {{E, 3, "\"matchs\"", "R1", "did you mean 'matches'?"},
      {E, 3, "{\"field\"", "R1", "has no operator"},
      {E, 4, "\"ne\"", "R2", "a second one"},
      {E, 5, "\"not\"", "R3", "cannot stand beside"},
      {E, 5, "true}", "R3", "a string or a number"}}},
    {"never and empty matches",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"abc(?!)|(*FAIL)x\", \"why\": \"w\"},\n"
         "{\"id\": \"R2\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
         "\"(?:abc)?\", \"why\": \"w\"},\n"
         "{\"id\": \"R3\", \"dimension\": \"flag\", \"severity\": \"warn\", \"fields\": "
         "[\"abstract\"], \"absent\": true, \"why\": \"w\"},\n"
         "{\"id\": \"R4\", \"dimension\": \"novelty\", \"fields\": [], \"pattern\": \"abc\", "
         "\"why\": \"w\"}\n"
         "]}\n",
     0,
     {{E, 3, "\"abc(?!)", "R1", "can never match"},
      {E, 4, "\"(?:abc)?\"", "R2", "matches empty text"},
      {E, 5, "{\"id\"", "R3", "needs a \"pattern\""},
      {E, 5, "{\"id\"", "R3", "neither"},
      {W, 5, "[\"abstract\"]", "R3", "are not read"},
      {E, 6, "[]", "R4", "\"fields\" is empty"}}},
    {"names and schemes",
     "{\"name\": \"t\", \"version\": \"1\", \"schemes\": [\"common\", \"paper\"],\n"
     "\"rules\": [\n"
     "{\"id\": \"R1\", \"dimension\": \"novelty\", \"fields\": [\"abstrct\", \"extra.grant\"], "
     "\"pattern\": \"abc\", \"why\": \"w\", \"scheme\": \"comon\"},\n"
     "{\"id\": \"R2\", \"dimension\": \"novelty\", \"fields\": [\"record.title\"], \"pattern\": "
     "\"abc\", \"why\": \"w\", \"scheme\": \"common\"},\n"
     "{\"id\": \"R3\", \"dimension\": \"novelty\", \"scope\": \"indicator\", \"fields\": "
     "[\"achieved\"], \"pattern\": \"abc\", \"why\": \"w\", \"when\": {\"field\": "
     "\"record.titel\", \"present\": true}, \"level\": 2}\n"
     "]}\n",
     0,
     {{W, 1, "\"paper\"", NULL, "no rule carries scheme \"paper\""},
      {E, 3, "\"abstrct\"", "R1", "did you mean 'abstract'?"},
      {W, 3, "\"comon\"", "R1", "did you mean 'common'?"},
      {E, 4, "\"record.title\"", "R2", "may be read by \"when\" only"},
      {E, 5, "\"record.titel\"", "R3", "did you mean 'title'?"},
      {W, 5, "2}", "R3", "only trl rules"}}},
    {"cases",
     HDR "\"rules\": [\n"
         "{\"id\": \"R1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abc\", \"why\": \"w\"}],\n"
         "\"cases\": [\n"
         "{\"id\": \"c1\", \"record\": {\"id\": \"X\"}, \"expected\": {}},\n"
         "{\"id\": \"c2\", \"record\": {\"id\": \"X\"}, \"expect\": {\"hits\": [\"R2\"], "
         "\"trl_evidenced\": [5, 3], \"overal\": 1}},\n"
         "{\"id\": \"c2\", \"record\": {\"id\": \"X\"}, \"expect\": {\"indicators\": [\"ok\"]}}\n"
         "]}\n",
     0,
     {{E, 5, "\"expected\"", NULL, "did you mean 'expect'?"},
      {E, 5, "{\"id\"", NULL, "no \"expect\""},
      {E, 6, "\"R2\"", NULL, "no rule has id \"R2\""},
      {E, 6, "[5, 3]", NULL, "range is empty"},
      {E, 6, "\"overal\"", NULL, "did you mean 'overall'?"},
      {E, 7, "\"c2\"", NULL, "duplicate case id"},
      {E, 7, "\"ok\"", NULL, "unknown verdict"}}},
    {"header",
     "{\"name\": \"t\", \"version\": 2026.11, \"weigths\": {},\n"
     "\"trl\": {\"support\": \"confidense\", \"threshold\": -1},\n"
     "\"negation\": {\"cues\": \"未|(not\", \"gap\": 2.5},\n"
     "\"duplicates\": {\"jaccard\": 1.5, \"num_perm\": 0}}\n",
     0,
     {{E, 1, "2026.11", NULL, "write the version in quotes"},
      {E, 1, "\"weigths\"", NULL, "did you mean 'weights'?"},
      {E, 2, "\"confidense\"", NULL, "did you mean 'confidence'?"},
      {E, 2, "-1", NULL, "\"threshold\" must be"},
      {E, 3, "\", \"gap\"", NULL, "missing closing parenthesis"},
      {E, 4, "1.5", NULL, "\"jaccard\" must be 0 to 1"},
      {E, 4, "0}", NULL, "\"num_perm\" must be a whole number"}}},
    {"header 2",
     "{\"name\": \"t\", \"version\": \"1\", \"traceability\": {\"indicator_traceable\": 10, "
     "\"indicator_partly\": 20},\n"
     "\"negation\": {\"cues\": \"未|x?\"}, \"rules\": {}}\n",
     0,
     {{W, 1, "20", NULL, "no indicator can be partly traceable"},
      {E, 2, "\"未|x?\"", NULL, "matches empty text"},
      {E, 2, "{}", NULL, "\"rules\" must be a list"}}},
    {"values",
     "{\"name\": \"t\", \"version\": \"1\", \"description\": \"a\\u0000b\"}\n",
     0,
     {{E, 1, "\\u0000", NULL, "not allowed"}}},
    {"number out of range",
     "{\"name\": \"t\", \"version\": \"1\", \"novelty\": {\"base\": 1e999}}\n",
     0,
     {{E, 1, "1e999", NULL, "out of range"}}},
    {"not an object", "[1, 2]\n", 0, {{E, 1, "[", NULL, "holds an object"}}},
    {"rule id and why",
     HDR "\"rules\": [\n"
         "{\"id\": \"R 1\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], "
         "\"pattern\": \"abc\", \"why\": \"\"},\n"
         "{\"dimension\": \"trl\", \"level\": 3, \"fields\": [\"abstract\"], \"pattern\": \"abc\", "
         "\"flags\": [\"caseles\"], \"why\": \"w\", \"points\": -1}\n"
         "]}\n",
     0,
     {{E, 3, "\"R 1\"", NULL, "letters, digits"},
      {E, 3, "\"\"}", NULL, "\"why\" is empty"},
      {E, 4, "{\"dimension\"", NULL, "has no \"id\""},
      {E, 4, "\"caseles\"", NULL, "did you mean 'caseless'?"},
      {W, 4, "-1}", NULL, "never count as evidence"}}},
};

/* Column (1-based, in characters) of `at` on line `line` of text, or 0. */
static int column_of(const char *text, int line, const char *at)
{
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return 0;
    const char *eol = strchr(p, '\n');
    const char *hit = strstr(p, at);
    if (!hit || (eol && hit > eol))
        return 0;
    int col = 1;
    for (const char *q = p; q < hit; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            col++;
    return col;
}

static void check_diags(const char *name, const char *json, const rule_diags *d,
                        const want_diag *want, size_t nwant)
{
    size_t errors = 0, warnings = 0, werr = 0, wwarn = 0;
    for (size_t k = 0; k < d->n; k++)
        *(d->v[k].severity == RULE_ERROR ? &errors : &warnings) += 1;
    for (size_t w = 0; w < nwant; w++) {
        *(want[w].sev == RULE_ERROR ? &werr : &wwarn) += 1;
        int col = want[w].at ? column_of(json, want[w].line, want[w].at) : 0;
        CHECK(!want[w].at || col > 0, "%s: marker '%s' not on line %d", name, want[w].at,
              want[w].line);
        int found = 0;
        for (size_t k = 0; k < d->n && !found; k++) {
            const rule_diag *g = &d->v[k];
            found = g->severity == want[w].sev && g->line == want[w].line &&
                    (!col || g->col == col) &&
                    (!want[w].rule_id || strcmp(g->rule_id, want[w].rule_id) == 0) &&
                    (strstr(g->msg, want[w].frag) || strstr(g->hint, want[w].frag));
        }
        CHECK(found, "%s: no %s at %d:%d [%s] \"%s\"", name,
              want[w].sev == RULE_ERROR ? "error" : "warning", want[w].line, col,
              want[w].rule_id ? want[w].rule_id : "", want[w].frag);
    }
    CHECK(errors == werr && warnings == wwarn, "%s: %zu errors, %zu warnings; want %zu, %zu", name,
          errors, warnings, werr, wwarn);
    if (errors != werr || warnings != wwarn)
        for (size_t k = 0; k < d->n; k++)
            fprintf(stderr, "  got %s %d:%d [%s] %s -- %s\n",
                    d->v[k].severity == RULE_ERROR ? "error" : "warning", d->v[k].line, d->v[k].col,
                    d->v[k].rule_id, d->v[k].msg, d->v[k].hint);
}

static void test_load_cases(void)
{
    for (size_t i = 0; i < sizeof load_cases / sizeof load_cases[0]; i++) {
        const char *path = temp_json(load_cases[i].json);
        rule_diags d = {0};
        rule_set *set = rule_set_load(path, 0, &d);
        CHECK((set != NULL) == load_cases[i].loads, "%s: loaded %d, want %d", load_cases[i].name,
              set != NULL, load_cases[i].loads);
        size_t nwant = 0;
        while (nwant < 8 && load_cases[i].want[nwant].frag)
            nwant++;
        check_diags(load_cases[i].name, load_cases[i].json, &d, load_cases[i].want, nwant);
        for (size_t k = 0; k < d.n; k++)
            CHECK(strcmp(d.v[k].file, path) == 0, "%s: diagnostic names file %s",
                  load_cases[i].name, d.v[k].file);
        rule_set_free(set);
        rule_diags_free(&d);
    }
    /* diags may be NULL */
    rule_set *set = rule_set_load(temp_json("{\"name\": 1}"), 0, NULL);
    CHECK(set == NULL, "bad set with NULL diags");
    rule_diags d = {0};
    set = rule_set_load("/nonexistent/rules.json", 0, &d);
    CHECK(set == NULL && d.n == 1 && strstr(d.v[0].msg, "cannot open"), "missing file");
    rule_diags_free(&d);
}

static void test_folder(void)
{
    char dir[512], sub[600], p[700];
    snprintf(dir, sizeof dir, "%s/folder", tmpdir);
    mkdir(dir, 0700);
    rule_diags d = {0};
    rule_set *set = rule_set_load(dir, 0, &d);
    CHECK(set == NULL && d.n == 1 && strstr(d.v[0].msg, "no set.json"), "folder without set.json");
    rule_diags_free(&d);

    snprintf(p, sizeof p, "%s/set.json", dir);
    write_file(p, "{\"name\": \"folder-set\", \"version\": \"2\", \"schemes\": [\"common\"]}");
    snprintf(p, sizeof p, "%s/b.json", dir);
    write_file(p,
               "{\"rules\": [{\"id\": \"B1\", \"dimension\": \"trl\", \"level\": 2, \"fields\": "
               "[\"abstract\"], \"pattern\": \"bbb\", \"why\": \"w\", \"scheme\": \"common\"}]}");
    snprintf(p, sizeof p, "%s/a.json", dir);
    write_file(p, "{\"rules\": [{\"id\": \"A1\", \"dimension\": \"trl\", \"level\": 1, \"fields\": "
                  "[\"abstract\"], \"pattern\": \"aaa\", \"why\": \"w\"}]}");
    snprintf(p, sizeof p, "%s/README.md", dir);
    write_file(p, "not json");
    snprintf(sub, sizeof sub, "%s/tests", dir);
    mkdir(sub, 0700);
    snprintf(p, sizeof p, "%s/cases.json", sub);
    write_file(p,
               "{\"cases\": [{\"id\": \"k1\", \"record\": {\"id\": \"X\", \"abstract\": \"aaa\"}, "
               "\"expect\": {\"hits\": [\"A1\"], \"no_hits\": [\"B1\"]}}]}");
    snprintf(sub, sizeof sub, "%s/other", dir);
    mkdir(sub, 0700);
    snprintf(p, sizeof p, "%s/ignored.json", sub);
    write_file(p, "{broken");

    set = rule_set_load(dir, 0, &d);
    CHECK(set != NULL && d.n == 0, "folder set loads (%zu diags)", d.n);
    if (set) {
        CHECK_STR(rule_set_name(set), "folder-set", "folder name");
        CHECK_INT(rule_count(set), 2, "folder rules");
        CHECK_STR(rule_id(set, 0), "A1", "files in name order");
        CHECK_STR(rule_id(set, 1), "B1", "second file");
        CHECK(strstr(rule_file(set, 1), "/b.json") != NULL, "rule file");
        CHECK_INT(rule_line(set, 1), 1, "rule line");
        CHECK_INT(rule_case_count(set), 1, "cases under tests/");
        CHECK_STR(rule_case_id(set, 0), "k1", "case id");
        CHECK(strstr(rule_case_file(set, 0), "tests/cases.json") != NULL, "case file");
        CHECK_STR(rule_case_json(set, 0),
                  "{\"expect\":{\"hits\":[\"A1\"],\"no_hits\":[\"B1\"]},\"id\":\"k1\",\"record\":"
                  "{\"abstract\":\"aaa\",\"id\":\"X\"}}",
                  "case json");
        /* canonical: set.json, a.json, b.json, tests/cases.json, one line each */
        const char *c = rule_set_canonical(set);
        size_t lines = 0;
        for (const char *q = c; *q; q++)
            lines += *q == '\n';
        CHECK_INT(lines, 4, "canonical lines");
        CHECK(strncmp(c, "{\"name\":\"folder-set\"", 20) == 0, "canonical starts with set.json");
        CHECK_INT(rule_set_scheme(set, "common", 0), 0, "scheme off");
        CHECK_INT(rule_enabled(set, 1), 0, "B1 off");
        CHECK_INT(rule_set_scheme(set, "nope", 0), -1, "unknown scheme");
    }
    rule_set_free(set);
    rule_diags_free(&d);

    /* a header key outside set.json, and a file with nothing in it */
    snprintf(p, sizeof p, "%s/c.json", dir);
    write_file(p, "{\"weights\": {\"trl\": 1}}");
    set = rule_set_load(dir, 0, &d);
    CHECK(set == NULL, "header key in a rule file");
    int saw = 0;
    for (size_t k = 0; k < d.n; k++)
        saw |= strstr(d.v[k].msg, "outside the header") != NULL && strstr(d.v[k].file, "c.json");
    CHECK(saw, "header key outside set.json reported");
    rule_set_free(set);
    rule_diags_free(&d);
}

/* ---- evaluation ---- */

typedef struct want_hit {
    const char *rule;
    int item, value;
    const char *before; /* the value's text before the match (offset = its length) */
    const char *text;   /* the match */
    int error;          /* 1: expect error != 0 */
} want_hit;

#define RULE_SET_HEAD                                                                              \
    "{\"name\": \"t\", \"version\": \"1\", \"schemes\": [\"common\"], \"rules\": ["
#define NV 12

static const struct {
    const char *name;
    const char *rules;      /* the rules array's inside */
    const char *negation;   /* "negation" object or NULL */
    const char *values[NV]; /* name, text, name, text ... */
    const char *items[3][NV];
    int nitems;
    const char *scheme_on; /* a scheme to switch on, or NULL */
    const char *scheme_off;
    want_hit want[8];
} eval_cases[] = {
    {"plain and one hit per value",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\", \"title\"], "
     "\"pattern\": \"实验室验证|lab test\", \"flags\": [\"caseless\"], \"why\": \"w\"}",
     NULL,
     {"title", "样机实验室验证", "abstract", "A LAB TEST, then a lab test.", "keywords",
      "实验室验证"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "样机", "实验室验证", 0}, {"R", -1, 1, "A ", "LAB TEST", 0}}},
    {"negation zh",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"], "
     "\"pattern\": \"实验室验证|通过了验证\", \"negatable\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "尚未完成样机的实验室验证。随后完成了实验室验证。"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "尚未完成样机的实验室验证。随后完成了", "实验室验证", 0}}},
    {"negation zh, clause boundary keeps the hit",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"], "
     "\"pattern\": \"通过了验证\", \"negatable\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "没有发现明显缺陷，样机通过了验证"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "没有发现明显缺陷，样机", "通过了验证", 0}}},
    {"negation zh, enumeration comma does not end it",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 5, \"fields\": [\"abstract\"], "
     "\"pattern\": \"振动试验\", \"negatable\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "未进行高低温、振动试验"},
     {{0}},
     0,
     NULL,
     NULL,
     {{0}}},
    {"negation zh, beyond the gap",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"], "
     "\"pattern\": \"验证\", \"negatable\": true, \"why\": \"w\"}",
     "{\"gap\": 3}",
     {"abstract", "没有一二三验证 没有一二三四验证"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "没有一二三验证 没有一二三四", "验证", 0}}},
    {"negation en",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 5, \"fields\": [\"abstract\", \"title\"], "
     "\"pattern\": \"relevant environment\", \"negatable\": true, \"flags\": [\"caseless\"], "
     "\"why\": \"w\"}",
     NULL,
     {"abstract",
      "It was not yet validated in a relevant environment. Now: validated in a relevant "
      "environment!",
      "title", "No relevant environment was used, so a Relevant Environment test follows"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "It was not yet validated in a relevant environment. Now: validated in a ",
       "relevant environment", 0},
      {"R", -1, 1, "No relevant environment was used, so a ", "Relevant Environment", 0}}},
    {"negation en, cue inside the match and word boundaries",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 6, \"fields\": [\"abstract\", \"title\"], "
     "\"pattern\": \"prototype[^.]{0,40}relevant environment\", \"negatable\": true, \"why\": "
     "\"w\"}",
     NULL,
     {"abstract", "the prototype was not validated in a relevant environment", "title",
      "we know the prototype, tested in a relevant environment"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 1, "we know the ", "prototype, tested in a relevant environment", 0}}},
    {"negation default exceptions",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 7, \"fields\": [\"abstract\"], "
     "\"pattern\": \"现场试验|field tests\", \"negatable\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "无人机现场试验; not only field tests"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "无人机", "现场试验", 0}}},
    {"own cues replace the default list",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 7, \"fields\": [\"abstract\"], "
     "\"pattern\": \"现场试验\", \"negatable\": true, \"why\": \"w\"}",
     "{\"cues\": \"计划\", \"gap\": 4}",
     {"abstract", "未现场试验；计划现场试验"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "未", "现场试验", 0}}},
    {"not negatable",
     "{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"], "
     "\"pattern\": \"实验室验证\", \"why\": \"w\"}",
     NULL,
     {"abstract", "尚未完成实验室验证"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "尚未完成", "实验室验证", 0}}},
    {"when operators",
     "{\"id\": \"EQ\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", \"when\": "
     "{\"field\": \"trl_target\", \"eq\": 6}},\n"
     "{\"id\": \"EQNUM\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"field\": \"budget\", \"eq\": \"1200\"}},\n"
     "{\"id\": \"NE-MISSING\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"field\": \"pi\", \"ne\": \"x\"}},\n"
     "{\"id\": \"LT\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", \"when\": "
     "{\"field\": \"budget\", \"lt\": 1e4}},\n"
     "{\"id\": \"GE-STR\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"field\": \"start\", \"ge\": \"2019-01-01\"}},\n"
     "{\"id\": \"GT-NUMSTR\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"field\": \"trl_target\", \"gt\": 10}},\n"
     "{\"id\": \"IN\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", \"when\": "
     "{\"field\": \"kind\", \"in\": [\"project\", \"proposal\"]}},\n"
     "{\"id\": \"PRESENT\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"all\": [{\"field\": \"pi\", \"present\": false}, {\"field\": \"title\", "
     "\"present\": true}, {\"not\": {\"field\": \"end\", \"present\": true}}]}},\n"
     "{\"id\": \"MATCHES\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"flags\": [\"caseless\"], \"when\": {\"any\": [{\"field\": \"title\", \"matches\": "
     "\"^SENSOR\"}, {\"field\": \"pi\", \"matches\": \"x\"}]}},\n"
     "{\"id\": \"FALSE\", \"dimension\": \"flag\", \"severity\": \"info\", \"why\": \"w\", "
     "\"when\": {\"any\": [{\"field\": \"budget\", \"gt\": 1200}, {\"field\": \"pi\", \"lt\": "
     "\"z\"}, {\"field\": \"kind\", \"in\": [\"prior-art\"]}]}}",
     NULL,
     {"trl_target", "6", "budget", "1200.0", "start", "2019-07-01", "kind", "project", "title",
      "Sensor arrays", "end", ""},
     {{0}},
     0,
     NULL,
     NULL,
     {{"EQ", -1, -1, "", "", 0},
      {"EQNUM", -1, -1, "", "", 0},
      {"NE-MISSING", -1, -1, "", "", 0},
      {"LT", -1, -1, "", "", 0},
      {"GE-STR", -1, -1, "", "", 0},
      {"IN", -1, -1, "", "", 0},
      {"PRESENT", -1, -1, "", "", 0},
      {"MATCHES", -1, -1, "", "", 0}}},
    {"when gates a pattern; string order when not numbers",
     "{\"id\": \"R\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"首创\", \"why\": \"w\", \"when\": {\"field\": \"trl_target\", \"gt\": \"10\"}}",
     NULL,
     {"abstract", "国内首创", "trl_target", "9级"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "国内", "首创", 0}}},
    {"absent",
     "{\"id\": \"NO-REPORT\", \"dimension\": \"flag\", \"severity\": \"warn\", \"fields\": "
     "[\"abstract\", \"title\"], \"pattern\": \"检测报告|test report\", \"absent\": true, "
     "\"negatable\": true, \"why\": \"w\"},\n"
     "{\"id\": \"HAS-REPORT\", \"dimension\": \"flag\", \"severity\": \"info\", \"fields\": "
     "[\"abstract\"], \"pattern\": \"报告\", \"absent\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "未提供检测报告", "title", "总结报告"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"NO-REPORT", -1, -1, "", "", 0}}},
    {"indicator scope",
     "{\"id\": \"IND-CNAS\", \"dimension\": \"traceability\", \"scope\": \"indicator\", "
     "\"points\": 30, \"fields\": [\"lab\", \"accreditation\"], \"pattern\": \"CNAS\", \"why\": "
     "\"w\", \"when\": {\"field\": \"record.kind\", \"eq\": \"project\"}},\n"
     "{\"id\": \"IND-NO-UNC\", \"dimension\": \"traceability\", \"scope\": \"indicator\", "
     "\"points\": -10, \"fields\": [\"uncertainty\"], \"pattern\": \"\\\\d\", \"absent\": true, "
     "\"why\": \"w\", \"when\": {\"field\": \"achieved\", \"present\": true}},\n"
     "{\"id\": \"REC\", \"dimension\": \"traceability\", \"points\": 5, \"fields\": "
     "[\"abstract\"], \"pattern\": \"CNAS\", \"why\": \"w\"}",
     NULL,
     {"kind", "project", "abstract", "no lab named"},
     {{"name", "温度", "achieved", "0.3 mK", "lab", "国家计量院", "accreditation", "CNAS L0001",
       "uncertainty", "U=0.05 mK"},
      {"name", "压力", "achieved", "5 MPa", "lab", "CNAS lab"},
      {"name", "论文", "lab", "CNAS"}},
     3,
     NULL,
     NULL,
     {{"IND-CNAS", 0, 3, "", "CNAS", 0},
      {"IND-CNAS", 1, 2, "", "CNAS", 0},
      {"IND-CNAS", 2, 1, "", "CNAS", 0},
      {"IND-NO-UNC", 1, -1, "", "", 0}}},
    {"schemes",
     "{\"id\": \"C\", \"dimension\": \"trl\", \"level\": 2, \"fields\": [\"abstract\"], "
     "\"pattern\": \"abc\", \"why\": \"w\", \"scheme\": \"common\"},\n"
     "{\"id\": \"P\", \"dimension\": \"trl\", \"level\": 2, \"fields\": [\"abstract\"], "
     "\"pattern\": \"abc\", \"why\": \"w\", \"scheme\": \"paper\"},\n"
     "{\"id\": \"U\", \"dimension\": \"trl\", \"level\": 2, \"fields\": [\"abstract\"], "
     "\"pattern\": \"abc\", \"why\": \"w\"}",
     NULL,
     {"abstract", "abc"},
     {{0}},
     0,
     "paper",
     "common",
     {{"P", -1, 0, "", "abc", 0}, {"U", -1, 0, "", "abc", 0}}},
    {"limits: catastrophic pattern gives an error hit",
     "{\"id\": \"BAD\", \"dimension\": \"novelty\", \"fields\": [\"abstract\", \"title\"], "
     "\"pattern\": \"(a+)+$\", \"why\": \"w\"},\n"
     "{\"id\": \"GOOD\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"aaab\", \"why\": \"w\"}",
     NULL,
     {"abstract", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "title",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"BAD", -1, 0, "", "", 1},
      {"GOOD", -1, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaab", 0}}},
    {"invalid UTF-8 in the subject",
     "{\"id\": \"R\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
     "\"验证\", \"negatable\": true, \"why\": \"w\"}",
     NULL,
     {"abstract", "\xff\xfe未\xe9\xaa验证，\xc3(验证"},
     {{0}},
     0,
     NULL,
     NULL,
     {{"R", -1, 0, "\xff\xfe未\xe9\xaa验证，\xc3(", "验证", 0}}},
};

static rule_set *load_text(const char *json, rule_diags *d)
{
    return rule_set_load(temp_json(json), 0, d);
}

static void fill_values(const char *const *pairs, rule_value *v, size_t *n)
{
    *n = 0;
    for (size_t k = 0; k + 1 < NV && pairs[k]; k += 2) {
        v[*n].name = pairs[k];
        v[*n].text = pairs[k + 1];
        v[*n].len = strlen(pairs[k + 1]);
        (*n)++;
    }
}

static void test_eval_cases(void)
{
    for (size_t i = 0; i < sizeof eval_cases / sizeof eval_cases[0]; i++) {
        char json[8192];
        snprintf(json, sizeof json, "%s%s]%s%s}\n", RULE_SET_HEAD, eval_cases[i].rules,
                 eval_cases[i].negation ? ", \"negation\": " : "",
                 eval_cases[i].negation ? eval_cases[i].negation : "");
        rule_diags d = {0};
        rule_set *set = load_text(json, &d);
        size_t errs = 0;
        for (size_t k = 0; k < d.n; k++)
            if (d.v[k].severity == RULE_ERROR) {
                errs++;
                fprintf(stderr, "  %s: %d:%d %s\n", eval_cases[i].name, d.v[k].line, d.v[k].col,
                        d.v[k].msg);
            }
        CHECK(set != NULL, "%s: set does not load (%zu errors)", eval_cases[i].name, errs);
        rule_diags_free(&d);
        if (!set)
            continue;
        if (eval_cases[i].scheme_on)
            CHECK_INT(rule_set_scheme(set, eval_cases[i].scheme_on, 1), 0, "scheme on");
        if (eval_cases[i].scheme_off)
            CHECK_INT(rule_set_scheme(set, eval_cases[i].scheme_off, 0), 0, "scheme off");
        rule_value rv[NV], iv[3][NV];
        rule_subject items[3];
        size_t nrv;
        fill_values(eval_cases[i].values, rv, &nrv);
        for (int j = 0; j < eval_cases[i].nitems; j++) {
            size_t n;
            fill_values(eval_cases[i].items[j], iv[j], &n);
            items[j].values = iv[j];
            items[j].nvalues = n;
            items[j].items = NULL;
            items[j].nitems = 0;
        }
        rule_subject subj = {rv, nrv, items, (size_t)eval_cases[i].nitems};
        for (int pass = 0; pass < 2; pass++) {
            rule_set_prefilter(set, pass == 0);
            rule_scratch *s = rule_scratch_new(set);
            rule_hits h = {0};
            double t0 = (double)clock() / CLOCKS_PER_SEC;
            CHECK_INT(rule_eval(set, s, &subj, &h), 0, "rule_eval");
            double secs = (double)clock() / CLOCKS_PER_SEC - t0;
            CHECK(secs < 0.5, "%s: evaluation took %.2f s", eval_cases[i].name, secs);
            size_t nwant = 0;
            while (nwant < 8 && eval_cases[i].want[nwant].rule)
                nwant++;
            CHECK(h.n == nwant, "%s (prefilter %s): %zu hits, want %zu", eval_cases[i].name,
                  pass ? "off" : "on", h.n, nwant);
            for (size_t k = 0; k < h.n && k < nwant; k++) {
                const want_hit *w = &eval_cases[i].want[k];
                const rule_hit *g = &h.v[k];
                const rule_value *vals = g->item < 0 ? rv : iv[g->item];
                CHECK_STR(rule_id(set, (size_t)g->rule), w->rule, eval_cases[i].name);
                CHECK(g->item == w->item && g->value == w->value,
                      "%s hit %zu: item %d value %d, want %d %d", eval_cases[i].name, k, g->item,
                      g->value, w->item, w->value);
                CHECK((g->error != 0) == w->error, "%s hit %zu: error %d", eval_cases[i].name, k,
                      g->error);
                if (g->value >= 0 && !w->error) {
                    CHECK(g->offset == strlen(w->before) && g->len == strlen(w->text) &&
                              memcmp(vals[g->value].text + g->offset, w->text, g->len) == 0,
                          "%s hit %zu: \"%.*s\" at %zu, want \"%s\" at %zu", eval_cases[i].name, k,
                          (int)g->len, vals[g->value].text + g->offset, g->offset, w->text,
                          strlen(w->before));
                } else {
                    CHECK(g->offset == 0 && g->len == 0, "%s hit %zu: offset %zu len %zu",
                          eval_cases[i].name, k, g->offset, g->len);
                }
            }
            rule_hits_free(&h);
            rule_scratch_free(s);
        }
        rule_set_free(set);
    }
}

/* ---- pattern analysis ---- */

static const struct {
    const char *pattern;
    unsigned flags;
    int never;
    const char *lits; /* the literals joined by '|', "" for no prefilter, NULL: gave up */
} pat_cases[] = {
    {"abc", 0, 0, "abc"},
    {"ABC", RULE_RE_CASELESS, 0, "abc"},
    {"(?:was|were) observed", 0, 0, "was observed|were observe"},
    {"colou?r", 0, 0, "colour|color"},
    {"发现了?[^。]{0,15}原理|basic principles?", 0, 0, "原理|basic princi"},
    {"x(?=abc)def", 0, 0, "xdef"},
    {"(?<![A-Za-z])CMA(?![A-Za-z])", RULE_RE_CASELESS, 0, "cma"},
    {"a\\d+bcd|efg", 0, 0, "bcd|efg"},
    {"ab", 0, 0, ""},
    {"U\\s*=\\s*\\d", RULE_RE_CASELESS, 0, "="},
    {"uncertaint|[±]|k\\s*[=＝]", RULE_RE_CASELESS, 0, "uncertaint|±|=|＝"},
    {"k\\s*%", RULE_RE_CASELESS, 0, ""},
    {"abc|x", 0, 0, ""},
    {"abc|\\w+", 0, 0, ""},
    {"(abc)\\1", 0, 0, NULL},
    {"a{,3}bcd", 0, 0, NULL},
    {"(?(?=a)ab|cd)", 0, 0, NULL},
    {"abc(*ACCEPT)def", 0, 0, NULL},
    {"(?i)Kelvin", 0, 0, "kelvin"},
    {"(?i:Mass) production", 0, 0, "mass product"},
    {"实验室环境中的验证", 0, 0, "实验室环"},
    {"Δx lab", RULE_RE_CASELESS, 0, "x lab"},
    {"TÜV lab", RULE_RE_CASELESS, 0, "tÜv lab|tüv lab"},
    {"Ångström", RULE_RE_CASELESS, 0,
     "ÅngstrÖm|Ångström|ångstrÖm|ångström|\xe2\x84\xab"
     "ngstrÖm|\xe2\x84\xab"
     "ngström"},
    {"Δx lab", 0, 0, "Δx lab"},
    {"\\Qa.b\\E|x\\.yz", 0, 0, "a.b|x.yz"},
    {"\\x{5B9E}\\x{9A8C}", 0, 0, "实验"},
    {"a b # comment\n c", RULE_RE_EXTENDED, 0, "abc"},
    {"[Tt]est", 0, 0, "test"},
    {"(?!)abc", 0, 1, ""},
    {"abc(*FAIL)|(*F)x", 0, 1, ""},
    {"abc(?!)|xyz", 0, 0, "xyz"},
    {"(?:(?!)|abc)def", 0, 0, "abcdef"},
    {"(?=x)(?!x)abc", 0, 0, "abc"},
    {"(*UTF)(*LIMIT_MATCH=100)abc", 0, 0, "abc"},
    {"(*pla:abc)abcdef", 0, 0, "abcdef"},
    {"a(?#comment)bc", 0, 0, "abc"},
    {"(?<name>abc)de", 0, 0, "abcde"},
    {"(?:ab)+cde", 0, 0, "cde"},
    {"abcd{2}e", 0, 0, "abc"},
    {"(?:abc){2}", 0, 0, "abc"},
    {"\\babc\\b", 0, 0, "abc"},
    {"a\\Kbcd", 0, 0, "abcd"},
};

static void test_patterns(void)
{
    for (size_t i = 0; i < sizeof pat_cases / sizeof pat_cases[0]; i++) {
        const char *p = pat_cases[i].pattern;
        base_err err;
        size_t off;
        rule_re *re = rule_re_compile(p, strlen(p), pat_cases[i].flags, &off, &err);
        CHECK(re != NULL, "pattern %s does not compile: %s", p, err.msg);
        rule_re_free(re);
        rule_pat_info pi;
        CHECK_INT(rule_pat_analyse(p, strlen(p), pat_cases[i].flags, &pi), 0, "analyse");
        if (!pat_cases[i].lits) {
            CHECK(!pi.analysed, "pattern %s: should give up", p);
        } else {
            CHECK(pi.analysed, "pattern %s: gave up", p);
            CHECK_INT(pi.never, pat_cases[i].never, p);
            char got[512] = "";
            for (size_t k = 0; k < pi.nlits; k++) {
                if (k)
                    strcat(got, "|");
                strncat(got, pi.lits[k], pi.lens[k]);
            }
            CHECK_STR(got, pat_cases[i].lits, p);
        }
        rule_pat_info_release(&pi);
    }
}

/* The prefilter folds only ASCII letters, U+017F and U+212A: check that
 * PCRE2 matches no other character caselessly with an ASCII letter, and
 * that the characters rule_lit.c treats as caseless-free have no case. */
static size_t put_utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 63));
    o[2] = (char)(0x80 | (cp >> 6 & 63));
    o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static size_t count_matches(const char *pat, unsigned flags, const char *s, size_t n, char *first,
                            size_t firstsize)
{
    base_err err;
    size_t off, ms, me, start = 0, count = 0;
    rule_re *re = rule_re_compile(pat, strlen(pat), flags, &off, &err);
    rule_rx *rx = rule_rx_new();
    if (first)
        first[0] = '\0';
    while (re && rule_re_find(re, rx, s, n, start, 1, &ms, &me) == 1) {
        if (first && count < 4) {
            char b[32];
            snprintf(b, sizeof b, "%02x%02x%02x ", (unsigned char)s[ms], (unsigned char)s[ms + 1],
                     (unsigned char)s[ms + 2]);
            strncat(first, b, firstsize - strlen(first) - 1);
        }
        count++;
        start = me;
    }
    rule_rx_free(rx);
    rule_re_free(re);
    return count;
}

static void test_case_folding(void)
{
    /* rule_fold: ASCII capitals lowered (the 8-byte path and the byte path),
     * U+017F and U+212A to s and k, everything else kept */
    char fin[300], fout[300], fwant[300];
    for (int n = 0; n < 140; n++) {
        for (int i = 0; i < n; i++)
            fin[i] = (char)((n * 37 + i * 11) % 128);
        for (int i = 0; i < n; i++)
            fwant[i] = (char)(fin[i] >= 'A' && fin[i] <= 'Z' ? fin[i] + 32 : fin[i]);
        CHECK(rule_fold(fin, (size_t)n, fout) == (size_t)n && memcmp(fout, fwant, (size_t)n) == 0,
              "rule_fold of %d ASCII bytes", n);
    }
    const char *mixed = "MAS\xc5\xbf \xe2\x84\xaa\xc3\x89\xe5\xae\x9e ABCDEFGHIJ\xff";
    size_t fl = rule_fold(mixed, strlen(mixed), fout);
    CHECK(fl == strlen(mixed) - 3 &&
              memcmp(fout, "mass k\xc3\x89\xe5\xae\x9e abcdefghij\xff", fl) == 0,
          "rule_fold of mixed text");
    char *all = malloc(4500000);
    size_t n = 0;
    for (unsigned cp = 0x80; cp < 0x110000; cp++)
        if (cp < 0xD800 || cp > 0xDFFF)
            n += put_utf8(cp, all + n);
    char first[256];
    size_t k = count_matches("[a-z]", RULE_RE_CASELESS, all, n, first, sizeof first);
    CHECK(k == 2 && strstr(first, "c5bf") && strstr(first, "e284aa"),
          "non-ASCII characters caselessly equal to ASCII letters: %zu (%s)", k, first);
    /* the caseless-free ranges: same count with and without (?i), and no
     * letter with a case among them */
    const char *cls = "[\\x{A0}-\\x{B4}\\x{B6}-\\x{BF}\\x{D7}\\x{F7}\\x{2000}-\\x{206F}\\x{2103}"
                      "\\x{2190}-\\x{23FF}\\x{2500}-\\x{2BFF}\\x{2E80}-\\x{9FFF}\\x{AC00}-\\x{D7AF}"
                      "\\x{F900}-\\x{FAFF}\\x{FE30}-\\x{FE4F}\\x{FF01}-\\x{FF20}\\x{FF3B}-\\x{FF40}"
                      "\\x{FF5B}-\\x{FF65}]";
    size_t plain = count_matches(cls, 0, all, n, NULL, 0);
    size_t folded = count_matches(cls, RULE_RE_CASELESS, all, n, NULL, 0);
    CHECK(plain == folded && plain > 20000, "caseless-free ranges: %zu vs %zu", plain, folded);
    /* the Latin-1 letters: what PCRE2 matches caselessly with each is what
     * rule_lit_case_set says */
    for (unsigned cp = 0xB5; cp <= 0xFF; cp = cp == 0xB5 ? 0xC0 : cp + 1) {
        unsigned want[3];
        int nw = rule_lit_case_set(cp, want);
        if (cp == 0xD7 || cp == 0xF7) {
            CHECK_INT(nw, 0, "no case set for x and /");
            continue;
        }
        char pat[32];
        snprintf(pat, sizeof pat, "\\x{%X}", cp);
        base_err err;
        size_t off, ms, me, start = 0;
        rule_re *re = rule_re_compile(pat, strlen(pat), RULE_RE_CASELESS, &off, &err);
        rule_rx *rx = rule_rx_new();
        int got = 0, ok = 1;
        while (re && rule_re_find(re, rx, all, n, start, 1, &ms, &me) == 1) {
            unsigned c = (unsigned char)all[ms];
            unsigned v = c < 0xE0 ? (c & 0x1F) << 6 | ((unsigned char)all[ms + 1] & 0x3F)
                                  : (c & 0x0F) << 12 | ((unsigned char)all[ms + 1] & 0x3F) << 6 |
                                        ((unsigned char)all[ms + 2] & 0x3F);
            int in = 0;
            for (int j = 0; j < nw; j++)
                in |= want[j] == v;
            ok &= in;
            got++;
            start = me;
        }
        CHECK(ok && got == nw, "U+%04X: PCRE2 matches %d characters caselessly, the table %d", cp,
              got, nw);
        rule_rx_free(rx);
        rule_re_free(re);
    }
    char cased[1024];
    snprintf(cased, sizeof cased, "(?=%s)[\\p{Lu}\\p{Ll}\\p{Lt}]", cls);
    CHECK_INT(count_matches(cased, 0, all, n, NULL, 0), 0, "cased letters in caseless-free ranges");
    free(all);
}

/* ---- context, parameters, hashes ---- */

static const struct {
    const char *text, *before, *match;
    size_t context;
    const char *want;
} context_cases[] = {
    {"第一句。第二句有实验室验证结果。第三句。", "第一句。第二句有", "实验室验证", 100,
     "第二句有实验室验证结果。"},
    {"One. Two has the lab test here; three.", "One. Two has the ", "lab test", 100,
     "Two has the lab test here;"},
    {"no boundary at all in this long line of text", "no boundary at all in ", "this", 6,
     "ll in this long "},
    {"中文没有句号的很长一段文字实验室验证继续写下去", "中文没有句号的很长一段文字", "实验室验证",
     7, "文字实验室验证继续"},
    {"line one\nline two match\nline three", "line one\nline two ", "match", 50,
     "line two match\n"},
};

static void test_context(void)
{
    for (size_t i = 0; i < sizeof context_cases / sizeof context_cases[0]; i++) {
        const char *t = context_cases[i].text;
        size_t s, e;
        rule_context(t, strlen(t), strlen(context_cases[i].before), strlen(context_cases[i].match),
                     context_cases[i].context, &s, &e);
        char got[256];
        snprintf(got, sizeof got, "%.*s", (int)(e - s), t + s);
        CHECK_STR(got, context_cases[i].want, "rule_context");
    }
    /* never out of range, never inside a character */
    const char *t = "研究实验";
    for (size_t off = 0; off <= strlen(t); off += 3)
        for (size_t ctx = 0; ctx < 8; ctx++) {
            size_t s, e;
            rule_context(t, strlen(t), off, 100, ctx, &s, &e);
            CHECK(s <= off && e <= strlen(t) && s <= e, "context bounds");
            CHECK((s == strlen(t) || ((unsigned char)t[s] & 0xC0) != 0x80) &&
                      (e == strlen(t) || ((unsigned char)t[e] & 0xC0) != 0x80 || e == off),
                  "context cut inside a character: %zu %zu", s, e);
        }
}

static const char *const param_set =
    "{\"name\": \"p\", \"version\": \"3\", \"description\": \"d\",\n"
    " \"weights\": {\"trl\": 0.4, \"traceability\": 0.35, \"novelty\": 0.25},\n"
    " \"trl\": {\"threshold\": 2.0, \"support\": \"required\", \"overclaim_margin\": 2},\n"
    " \"duplicates\": {\"jaccard\": 0.8, \"stop_phrases\": [\"研究\", \"research on\"]},\n"
    " \"rules\": [{\"id\": \"R\", \"dimension\": \"trl\", \"level\": 1, \"fields\": [\"abstract\"],"
    " \"pattern\": \"x+y\", \"why\": \"because\", \"message\": \"m\"}]}\n";

static void test_params(void)
{
    rule_diags d = {0};
    rule_set *set = load_text(param_set, &d);
    CHECK(set != NULL && d.n == 0, "param set loads");
    if (!set)
        return;
    CHECK(rule_set_param(set, "weights.trl", -1) == 0.4, "weights.trl");
    CHECK(rule_set_param(set, "trl.threshold", -1) == 2.0, "trl.threshold");
    CHECK(rule_set_param(set, "trl.support", -1) == -1, "string is not a number");
    CHECK(rule_set_param(set, "trl.missing", 7) == 7, "missing");
    CHECK(rule_set_param(set, "trl.", 7) == 7, "trailing dot");
    CHECK(rule_set_param(set, "trl", 7) == 7, "object");
    CHECK_STR(rule_set_param_str(set, "trl.support"), "required", "param_str");
    CHECK(rule_set_param_str(set, "weights.trl") == NULL, "param_str of a number");
    CHECK_INT(rule_set_param_list_len(set, "duplicates.stop_phrases"), 2, "list len");
    CHECK_STR(rule_set_param_list_item(set, "duplicates.stop_phrases", 1), "research on", "item");
    CHECK(rule_set_param_list_item(set, "duplicates.stop_phrases", 2) == NULL, "item past end");
    CHECK_INT(rule_set_param_list_len(set, "duplicates.jaccard"), 0, "not a list");
    CHECK_STR(rule_set_description(set), "d", "description");
    CHECK_STR(rule_set_version(set), "3", "version");
    CHECK_STR(rule_why(set, 0), "because", "why");
    CHECK_STR(rule_message(set, 0), "m", "message");
    CHECK_STR(rule_pattern(set, 0), "x+y", "pattern");
    CHECK_STR(rule_scheme(set, 0), "", "scheme");
    CHECK_STR(rule_dimension_name(rule_dimension(set, 0)), "trl", "dimension");
    CHECK(rule_points(set, 0) == 1, "trl points default 1");
    CHECK_INT(rule_level(set, 0), 1, "level");
    CHECK_STR(rule_severity_name(RULE_SEV_WARN), "warn", "severity name");
    CHECK_STR(rule_id(set, 99), "", "id out of range");
    CHECK_INT(rule_line(set, 0), 5, "rule line");
    CHECK_INT(strlen(rule_set_sha256(set)), 64, "sha length");
    rule_set_free(set);
    rule_diags_free(&d);
}

static void test_hashes(void)
{
    /* the same set, reformatted and with keys reordered */
    const char *b = "{\"rules\":[{\"why\":\"because\",\"pattern\":\"x+y\",\"message\":\"m\","
                    "\"level\":1.0,\"id\":\"R\",\"fields\":[\"abstract\"],\"dimension\":\"trl\"}],"
                    "\"duplicates\":{\"stop_phrases\":[\"\\u7814\\u7a76\",\"research on\"],"
                    "\"jaccard\":8e-1},\"trl\":{\"overclaim_margin\":2,\"support\":\"required\","
                    "\"threshold\":2},\"weights\":{\"novelty\":0.25,\"traceability\":0.35,"
                    "\"trl\":0.4},\"description\":\"d\",\"version\":\"3\",\"name\":\"p\"}";
    rule_set *s1 = load_text(param_set, NULL), *s2 = load_text(b, NULL);
    CHECK(s1 && s2, "hash sets load");
    if (s1 && s2) {
        CHECK_STR(rule_set_sha256(s1), rule_set_sha256(s2), "reformatted set, same hash");
        CHECK_STR(rule_set_canonical(s1), rule_set_canonical(s2), "same canonical text");
    }
    /* one changed character anywhere gives another hash */
    static const char *const edits[][2] = {
        {"x+y", "x+z"}, {"because", "becausf"}, {"0.8", "0.9"}, {"\"3\"", "\"4\""}};
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char json[2048];
        const char *at = strstr(param_set, edits[i][0]);
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - param_set), param_set, edits[i][1],
                 at + strlen(edits[i][0]));
        rule_set *s3 = load_text(json, NULL);
        CHECK(s3 && s1 && strcmp(rule_set_sha256(s1), rule_set_sha256(s3)) != 0,
              "edit %s -> %s changes the hash", edits[i][0], edits[i][1]);
        rule_set_free(s3);
    }
    rule_set_free(s1);
    rule_set_free(s2);
}

/* ---- limits ---- */

static void test_limits(void)
{
    /* the research's catastrophic patterns must stop fast with an error */
    static const char *const pats[] = {"(a+)+$", "^(a|a)*$", "(a+\\s?)+$", "(a|aa)+$"};
    char subj[4100];
    memset(subj, 'a', 4096);
    subj[4096] = 'b';
    subj[4097] = '\0';
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        base_err err;
        size_t off, ms, me;
        rule_re *re = rule_re_compile(pats[i], strlen(pats[i]), 0, &off, &err);
        rule_rx *rx = rule_rx_new();
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = rule_re_find(re, rx, subj, 4097, 0, 1, &ms, &me);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        CHECK(rc < 0, "%s: rc %d, want a limit error", pats[i], rc);
        CHECK(secs < 0.25, "%s: %.3f s before the limit stopped it", pats[i], secs);
        rule_rx_free(rx);
        rule_re_free(re);
    }
    /* rules check names the slow and the limited */
    const char *json =
        RULE_SET_HEAD "{\"id\": \"SLOW\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], "
                      "\"pattern\": \"(a+)+$\", \"why\": \"w\"},\n"
                      "{\"id\": \"FAST\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], "
                      "\"pattern\": \"实验室(?:验证|测试)\", \"why\": \"w\"}]}";
    rule_diags d = {0};
    rule_set *set = rule_set_load(temp_json(json), 1, &d);
    CHECK(set != NULL, "speed-checked set loads");
    int slow = 0, fast = 0;
    for (size_t k = 0; k < d.n; k++) {
        slow += !strcmp(d.v[k].rule_id, "SLOW") && d.v[k].severity == RULE_WARNING &&
                strstr(d.v[k].msg, "limit");
        fast += !strcmp(d.v[k].rule_id, "FAST");
    }
    CHECK(slow == 1 && fast == 0, "torture warnings: SLOW %d, FAST %d", slow, fast);
    rule_set_free(set);
    rule_diags_free(&d);
}

/* ---- the prefilter against real text ---- */

/* Reads field `col` (0-based) of the first `max` records of a CSV file. */
static char **csv_column(const char *path, int col, size_t max, size_t *n)
{
    size_t len;
    char *text = slurp(path, &len);
    *n = 0;
    if (!text)
        return NULL;
    char **out = calloc(max, sizeof *out);
    size_t i = 0;
    /* skip the header line */
    while (i < len && text[i] != '\n')
        i++;
    i++;
    while (i < len && *n < max) {
        int field = 0;
        char *buf = malloc(len - i + 1);
        size_t bl = 0;
        int keep = 0;
        while (i < len) {
            int quoted = text[i] == '"';
            if (quoted)
                i++;
            keep = field == col;
            bl = keep ? 0 : bl;
            while (i < len) {
                char c = text[i];
                if (quoted && c == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        if (keep)
                            buf[bl++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    quoted = 0;
                    continue;
                }
                if (!quoted && (c == ',' || c == '\n'))
                    break;
                if (keep)
                    buf[bl++] = c == '\n' || c == '\r' ? ' ' : c;
                i++;
            }
            if (keep) {
                buf[bl] = '\0';
                out[*n] = strdup(buf);
            }
            if (i >= len || text[i] == '\n') {
                i++;
                break;
            }
            i++;
            field++;
        }
        free(buf);
        if (out[*n])
            (*n)++;
    }
    free(text);
    return out;
}

/* Converts research/draft-rules.json into a rule set of our format with
 * every rule reading "text"; returns the JSON (malloc'd) or NULL. */
static char *draft_as_set(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/research/draft-rules.json", shared_dir());
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return NULL;
    cJSON *d = cJSON_Parse(text);
    free(text);
    if (!d)
        return NULL;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "name", "draft");
    cJSON_AddStringToObject(out, "version", "0");
    cJSON *rules = cJSON_AddArrayToObject(out, "rules");
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(d, "rules"))
    {
        const cJSON *pat = cJSON_GetObjectItem(r, "pattern");
        if (!cJSON_IsString(pat))
            continue;
        const char *cat = cJSON_GetStringValue(cJSON_GetObjectItem(r, "category"));
        const cJSON *lvl = cJSON_GetObjectItem(r, "level");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", cJSON_GetStringValue(cJSON_GetObjectItem(r, "id")));
        int trl = cat && !strcmp(cat, "trl") && cJSON_IsNumber(lvl);
        cJSON_AddStringToObject(o, "dimension",
                                trl                              ? "trl"
                                : cat && !strcmp(cat, "novelty") ? "novelty"
                                                                 : "traceability");
        if (trl)
            cJSON_AddNumberToObject(o, "level", lvl->valuedouble);
        cJSON *f = cJSON_AddArrayToObject(o, "fields");
        cJSON_AddItemToArray(f, cJSON_CreateString("text"));
        cJSON_AddStringToObject(o, "pattern", pat->valuestring);
        cJSON *fl = cJSON_AddArrayToObject(o, "flags");
        cJSON_AddItemToArray(fl, cJSON_CreateString("caseless"));
        cJSON_AddBoolToObject(o, "negatable", cJSON_IsTrue(cJSON_GetObjectItem(r, "negatable")));
        cJSON_AddStringToObject(o, "why", "research/draft-rules.json");
        cJSON_AddItemToArray(rules, o);
    }
    cJSON_Delete(d);
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

/* Evaluates every text with the prefilter on and off; the hits must be the
 * same.  Returns the number of hits. */
static size_t compare_prefilter(rule_set *set, const char *name, char **texts, size_t n)
{
    rule_scratch *s = rule_scratch_new(set);
    size_t total = 0, differ = 0;
    static const char *const fields[] = {"text", "title", "abstract", "acceptance.summary",
                                         "acceptance.outcomes"};
    for (size_t i = 0; i < n; i++) {
        /* the same text under every name the sets read */
        rule_value v[5];
        for (int f = 0; f < 5; f++) {
            v[f].name = fields[f];
            v[f].text = texts[i];
            v[f].len = strlen(texts[i]);
        }
        rule_subject subj = {v, 5, NULL, 0};
        rule_hits a = {0}, b = {0};
        rule_set_prefilter(set, 1);
        rule_eval(set, s, &subj, &a);
        rule_set_prefilter(set, 0);
        rule_eval(set, s, &subj, &b);
        total += a.n;
        /* a search the prefilter saved may have hit a limit without it: the
         * prefilter proved there is no match, which is more, not less */
        size_t kept = 0;
        for (size_t k = 0; k < b.n; k++) {
            int drop = 0;
            if (b.v[k].error) {
                drop = 1;
                for (size_t j = 0; j < a.n; j++)
                    drop &= !(a.v[j].rule == b.v[k].rule && a.v[j].item == b.v[k].item &&
                              a.v[j].value == b.v[k].value);
            }
            if (!drop)
                b.v[kept++] = b.v[k];
        }
        b.n = kept;
        int same = a.n == b.n;
        for (size_t k = 0; same && k < a.n; k++)
            same = a.v[k].rule == b.v[k].rule && a.v[k].item == b.v[k].item &&
                   a.v[k].value == b.v[k].value && a.v[k].offset == b.v[k].offset &&
                   a.v[k].len == b.v[k].len && a.v[k].error == b.v[k].error;
        if (!same) {
            if (differ++ < 3) {
                fprintf(stderr, "%s: text %zu: %zu hits with the prefilter, %zu without\n", name, i,
                        a.n, b.n);
                for (size_t k = 0; k < a.n || k < b.n; k++) {
                    const rule_hit *x = k < a.n ? &a.v[k] : NULL, *y = k < b.n ? &b.v[k] : NULL;
                    if (x && y && x->rule == y->rule && x->value == y->value &&
                        x->offset == y->offset && x->len == y->len && x->error == y->error)
                        continue;
                    fprintf(stderr, "  first difference: %s %d@%zu+%zu vs %s %d@%zu+%zu\n",
                            x ? rule_id(set, (size_t)x->rule) : "-", x ? x->value : 0,
                            x ? x->offset : 0, x ? x->len : 0,
                            y ? rule_id(set, (size_t)y->rule) : "-", y ? y->value : 0,
                            y ? y->offset : 0, y ? y->len : 0);
                    fprintf(stderr, "  patterns %s / %s (errors %d / %d), text \"%s\"\n",
                            x ? rule_pattern(set, (size_t)x->rule) : "-",
                            y ? rule_pattern(set, (size_t)y->rule) : "-", x ? x->error : 0,
                            y ? y->error : 0, texts[i]);
                    break;
                }
            }
        }
        rule_hits_free(&a);
        rule_hits_free(&b);
    }
    rule_set_prefilter(set, 1);
    rule_scratch_free(s);
    CHECK(differ == 0, "%s: %zu texts differ with the prefilter", name, differ);
    return total;
}

static void test_prefilter_real(void)
{
    char path[1024];
    size_t nsbir = 0, nnsfc = 0;
    snprintf(path, sizeof path, "%s/data/us-sbir-awards/sbir_phase2_2006-2018.csv", shared_dir());
    char **sbir = csv_column(path, 8, 500, &nsbir);
    snprintf(path, sizeof path, "%s/data/cn-nsfc-mgmt-2017/natural-2017-09-26.csv", shared_dir());
    char **nsfc = csv_column(path, 2, 1200, &nnsfc);
    /* a bilingual set of our own, then the draft set and the default set */
    char *draft = draft_as_set();
    rule_set *sets[2] = {NULL, NULL};
    const char *names[2] = {"draft set", "rules/default"};
    if (draft) {
        rule_diags d = {0};
        sets[0] = load_text(draft, &d);
        CHECK(sets[0] != NULL, "draft set loads (%zu diags: %s)", d.n, d.n ? d.v[0].msg : "");
        if (sets[0])
            CHECK(rule_set_prefiltered(sets[0]) * 10 >= rule_count(sets[0]) * 8,
                  "draft set: %zu of %zu rules prefiltered", rule_set_prefiltered(sets[0]),
                  rule_count(sets[0]));
        rule_diags_free(&d);
        free(draft);
    } else {
        printf("test_rules: research/draft-rules.json not found, skipped\n");
    }
    sets[1] = rule_set_load("rules/default", 0, NULL);
    if (!sets[1])
        printf("test_rules: rules/default does not load yet, skipped\n");
    for (int k = 0; k < 2; k++) {
        if (!sets[k])
            continue;
        /* with negation and without: negation cancels most matches in the
         * SBIR abstracts, which describe planned work */
        for (int neg = 1; neg >= 0; neg--) {
            rule_set_negation(sets[k], neg);
            size_t hits = 0;
            if (nsbir)
                hits += compare_prefilter(sets[k], names[k], sbir, nsbir);
            if (nnsfc)
                hits += compare_prefilter(sets[k], names[k], nsfc, nnsfc);
            printf("test_rules: %s: %zu hits over %zu SBIR abstracts and %zu NSFC titles, "
                   "negation %s, identical with and without the prefilter\n",
                   names[k], hits, nsbir, nnsfc, neg ? "on" : "off");
            CHECK(!nsbir || neg || hits > 100, "%s: only %zu hits over real text", names[k], hits);
        }
        rule_set_free(sets[k]);
    }
    if (!nsbir)
        printf("test_rules: SBIR abstracts not found, prefilter check on real text skipped\n");
    for (size_t i = 0; i < nsbir; i++)
        free(sbir[i]);
    for (size_t i = 0; i < nnsfc; i++)
        free(nsfc[i]);
    free(sbir);
    free(nsfc);
}

/* Patterns whose literal analysis has traps (lookbehind, \K, optional
 * prefixes, anchors, verbs, Latin-1 case, negation) against texts built to
 * spring them: the prefilter and the anchored attempts must give exactly the
 * hits of plain PCRE2 searches. */
static const char *const trap_patterns[] = {
    "abc",
    "(?<=x)abc",
    "a\\Kbc",
    "(?:ab|abc)c",
    "\\bthe\\b",
    "^abc",
    "abc$",
    "(*SKIP)abc|bcd",
    "\\Gabc",
    "(?:the )?prototype",
    "colou?r",
    "(?=abc)a",
    "k\\s*=\\s*2",
    "u(?:rel)?\\s*=",
    "(?:x|)abc",
    "(?<![A-Za-z])SI(?![A-Za-z])",
    "tüv|ångström",
    "mass|kelvin",
    "验证|实验室验证",
    "(?:发现|揭示)了?[^。]{0,5}原理",
    "(?m)^line",
    "a+b",
    "(?:abc){2}",
    "[Tt]he prototype",
};
static const char *const trap_texts[] = {
    "xabc abc",
    "xxabcabc aabc",
    "ABC abc abcc",
    "the prototype and the Prototype",
    "abc\nabc",
    "k = 2, U=0.5 and Urel = 3",
    "TÜV SÜD tüv Ångström \xe2\x84\xab"
    "ngström",
    "MAſS \xe2\x84\xaa"
    "ELVIN",
    "尚未完成实验室验证，随后实验室验证",
    "发现了新原理；揭示原理",
    "color colour COLOUR",
    "SI units, SIS, ISI, si",
    "\xff abc \xfe abc \xc3",
    "line one\nline two",
    "aaab ab b",
    "abcabc abc",
    "gbcd bcd",
    "",
};

static void test_prefilter_traps(void)
{
    size_t np = sizeof trap_patterns / sizeof trap_patterns[0];
    char json[8192];
    size_t at = (size_t)snprintf(json, sizeof json,
                                 "{\"name\": \"traps\", \"version\": \"1\", \"rules\": [");
    for (size_t i = 0; i < np; i++) {
        char esc[256];
        size_t e = 0;
        for (const char *c = trap_patterns[i]; *c && e + 2 < sizeof esc; c++) {
            if (*c == '\\' || *c == '"')
                esc[e++] = '\\';
            esc[e++] = *c;
        }
        esc[e] = '\0';
        for (int neg = 0; neg < 2; neg++)
            at += (size_t)snprintf(json + at, sizeof json - at,
                                   "%s{\"id\": \"P%zu%s\", \"dimension\": \"novelty\", \"fields\": "
                                   "[\"text\"], \"pattern\": \"%s\", \"flags\": [\"caseless\"], "
                                   "\"negatable\": %s, \"why\": \"w\"}",
                                   i || neg ? ", " : "", i, neg ? "N" : "", esc,
                                   neg ? "true" : "false");
    }
    snprintf(json + at, sizeof json - at, "]}");
    rule_diags d = {0};
    rule_set *set = load_text(json, &d);
    CHECK(set != NULL, "trap set loads (%s)", d.n ? d.v[0].msg : "");
    rule_diags_free(&d);
    if (!set)
        return;
    CHECK(rule_set_prefiltered(set) > np, "trap set: %zu prefiltered", rule_set_prefiltered(set));
    size_t nt = sizeof trap_texts / sizeof trap_texts[0];
    char **texts = malloc(nt * sizeof *texts);
    for (size_t i = 0; i < nt; i++)
        texts[i] = strdup(trap_texts[i]);
    size_t hits = compare_prefilter(set, "traps", texts, nt);
    CHECK(hits > 40, "trap hits: %zu", hits);
    for (size_t i = 0; i < nt; i++)
        free(texts[i]);
    free(texts);
    rule_set_free(set);
}

/* Random patterns from a small grammar (literals with case traps, CJK,
 * classes, groups, optional parts, lookarounds, quantifiers) over random
 * texts from the same alphabet: a fixed-seed differential test of the
 * prefilter and the anchored attempts against plain searches. */
static unsigned rnd_state = 20261128;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) % n;
}

static void gen_alt(char *out, size_t size, int depth);

static void gen_seq(char *out, size_t size, int depth)
{
    static const char *const lits[] = {"a",
                                       "b",
                                       "ab",
                                       "x",
                                       "\xc3\xa9",
                                       "\xc3\x89",
                                       "\xc5\xbf",
                                       "k",
                                       "K",
                                       "s",
                                       "\xe5\xae\x9e",
                                       "\xe9\xaa\x8c",
                                       "\xe3\x80\x82",
                                       " ",
                                       "abc",
                                       "xa"};
    static const char *const classes[] = {
        "[ab]", "[^a]", "[\xe5\xae\x9e\xe9\xaa\x8c]", "\\d", "\\w", ".", "\\s"};
    static const char *const quants[] = {"?", "*", "+", "{1,2}", "{2}", "??"};
    int n = 1 + (int)rnd(4);
    for (int k = 0; k < n; k++) {
        unsigned kind = rnd(depth > 2 ? 3 : 6);
        char part[512] = "";
        if (kind <= 1) {
            snprintf(part, sizeof part, "%s", lits[rnd(sizeof lits / sizeof lits[0])]);
        } else if (kind == 2) {
            snprintf(part, sizeof part, "%s", classes[rnd(sizeof classes / sizeof classes[0])]);
        } else if (kind == 3 || kind == 4) {
            char inner[400];
            gen_alt(inner, sizeof inner, depth + 1);
            snprintf(part, sizeof part, "%s%s)", rnd(2) ? "(?:" : "(", inner);
        } else {
            static const char *const looks[] = {"(?=a)",      "(?<=a)", "(?!b)",
                                                "(?<![a-z])", "\\b",    "(?=\xe5\xae\x9e)"};
            snprintf(part, sizeof part, "%s", looks[rnd(sizeof looks / sizeof looks[0])]);
        }
        if (kind != 5 && rnd(3) == 0)
            strncat(part, quants[rnd(sizeof quants / sizeof quants[0])],
                    sizeof part - strlen(part) - 1);
        strncat(out, part, size - strlen(out) - 1);
    }
}

static void gen_alt(char *out, size_t size, int depth)
{
    out[0] = '\0';
    int n = 1 + (int)(rnd(3) == 0 ? rnd(3) : 0);
    for (int k = 0; k < n; k++) {
        char seq[400] = "";
        gen_seq(seq, sizeof seq, depth);
        if (k)
            strncat(out, "|", size - strlen(out) - 1);
        strncat(out, seq, size - strlen(out) - 1);
    }
}

static void test_prefilter_random(unsigned seed)
{
    rnd_state = seed;
    static const char *const alphabet[] = {"a",
                                           "b",
                                           "x",
                                           "k",
                                           "s",
                                           " ",
                                           "A",
                                           "B",
                                           "K",
                                           "S",
                                           "\xc3\xa9",
                                           "\xc3\x89",
                                           "\xc5\xbf",
                                           "\xe2\x84\xaa",
                                           "\xe5\xae\x9e",
                                           "\xe9\xaa\x8c",
                                           "\xe3\x80\x82",
                                           "1",
                                           "\xff",
                                           "c",
                                           "\xe6\x9c\xaa",
                                           " not ",
                                           "\xef\xbc\x8c",
                                           ". "};
    size_t cap = 1 << 20, at = 0, nrules = 0;
    char *json = malloc(cap);
    at += (size_t)snprintf(json, cap, "{\"name\": \"random\", \"version\": \"1\", \"rules\": [");
    for (int tries = 0; tries < 600 && nrules < 250; tries++) {
        char pat[400];
        gen_alt(pat, sizeof pat, 0);
        unsigned flags = rnd(2) ? RULE_RE_CASELESS : 0;
        base_err err;
        size_t off;
        rule_re *re = rule_re_compile(pat, strlen(pat), flags, &off, &err);
        int usable = re && !rule_re_matches_empty(re);
        rule_re_free(re);
        rule_pat_info pi;
        if (usable && rule_pat_analyse(pat, strlen(pat), flags, &pi) == 0) {
            usable = !pi.never;
            rule_pat_info_release(&pi);
        }
        if (!usable)
            continue;
        char esc[900];
        size_t e = 0;
        for (const char *c = pat; *c && e + 2 < sizeof esc; c++) {
            if (*c == '\\' || *c == '"')
                esc[e++] = '\\';
            esc[e++] = *c;
        }
        esc[e] = '\0';
        at += (size_t)snprintf(
            json + at, cap - at,
            "%s{\"id\": \"R%zu\", \"dimension\": \"novelty\", \"fields\": [\"text\"], "
            "\"pattern\": \"%s\", \"flags\": [%s], \"negatable\": %s, \"why\": \"w\"}\n",
            nrules ? ", " : "", nrules, esc, flags ? "\"caseless\"" : "",
            rnd(2) ? "true" : "false");
        nrules++;
    }
    snprintf(json + at, cap - at, "]}");
    rule_diags d = {0};
    rule_set *set = load_text(json, &d);
    CHECK(set != NULL, "random set loads (%zu diags, first: %d:%d %s)", d.n, d.n ? d.v[0].line : 0,
          d.n ? d.v[0].col : 0, d.n ? d.v[0].msg : "");
    rule_diags_free(&d);
    free(json);
    if (!set)
        return;
    size_t nt = 300;
    char **texts = malloc(nt * sizeof *texts);
    for (size_t i = 0; i < nt; i++) {
        texts[i] = calloc(1, 200);
        int len = (int)rnd(30);
        for (int k = 0; k < len; k++)
            strcat(texts[i], alphabet[rnd(sizeof alphabet / sizeof alphabet[0])]);
    }
    size_t hits = compare_prefilter(set, "random", texts, nt);
    printf("test_rules: %zu random patterns (%zu with a literal prefilter) over %zu random texts: "
           "%zu hits, the same with and without the prefilter\n",
           rule_count(set), rule_set_prefiltered(set), nt, hits);
    CHECK(hits > 1000, "random hits: %zu", hits);
    for (size_t i = 0; i < nt; i++)
        free(texts[i]);
    free(texts);
    rule_set_free(set);
}

/* Tricky texts for the fold: the prefilter must keep what PCRE2 matches. */
static void test_prefilter_fold(void)
{
    const char *json = RULE_SET_HEAD
        "{\"id\": \"K\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
        "\"kelvin scale\", \"flags\": [\"caseless\"], \"why\": \"w\"},\n"
        "{\"id\": \"S\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
        "\"mass spectrometry\", \"flags\": [\"caseless\"], \"why\": \"w\"},\n"
        "{\"id\": \"G\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
        "\"μm-scale\", \"flags\": [\"caseless\"], \"why\": \"w\"},\n"
        "{\"id\": \"C\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"], \"pattern\": "
        "\"CNAS认可\", \"why\": \"w\"}]}";
    rule_set *set = load_text(json, NULL);
    CHECK(set != NULL, "fold set loads");
    if (!set)
        return;
    const char *texts[] = {"\xe2\x84\xaa"
                           "ELVIN SCALE",
                           "MAſS SPECTROMETRY", "ΜM-SCALE µm-scale", "cnas认可 CNAS认可",
                           "Kelvin scale, mass spectrometry"};
    char *copies[5];
    for (int i = 0; i < 5; i++)
        copies[i] = strdup(texts[i]);
    size_t hits = compare_prefilter(set, "fold", copies, 5);
    CHECK_INT(hits, 6, "fold hits");
    for (int i = 0; i < 5; i++)
        free(copies[i]);
    rule_set_free(set);
}

/* ---- running cases: rule_case_run against a scorer that reports fixed
 * scores ---- */

static const char *const case_set =
    "{\"name\": \"c\", \"version\": \"1\", \"rules\": [\n"
    " {\"id\": \"A\", \"dimension\": \"trl\", \"level\": 3, \"fields\": [\"title\"], "
    "\"pattern\": \"a\", \"why\": \"w\"},\n"
    " {\"id\": \"B\", \"dimension\": \"flag\", \"severity\": \"warn\", \"fields\": "
    "[\"title\"], \"pattern\": \"b\", \"why\": \"w\"}],\n"
    " \"cases\": [{\"id\": \"k\", \"record\": {\"id\": \"P\", \"title\": \"x\"}, "
    "\"expect\": %s}]}";

typedef struct fixed_score {
    rule_case_score s;
    int fail;
    char record[256];
} fixed_score;

static int fixed_scorer(void *arg, const rule_set *set, const char *record_json, size_t len,
                        rule_case_score *out, base_err *err)
{
    fixed_score *f = arg;
    (void)set;
    snprintf(f->record, sizeof f->record, "%.*s", (int)len, record_json);
    if (f->fail)
        return base_fail(err, BASE_EINPUT, "record: bad");
    *out = f->s;
    return 0;
}

static void test_case_run(void)
{
    static const char *const hits_a[] = {"A"}, *const flags_b[] = {"B", "TRL-OVERCLAIM"};
    static const char *const verdicts[] = {"traceable", "partly"};
    static const struct {
        const char *expect;
        int fail; /* the scorer fails */
        const char *mismatch;
    } cases[] = {
        {"{\"trl_evidenced\": 3, \"hits\": [\"A\"], \"flags\": [\"B\"]}", 0, ""},
        {"{\"trl_evidenced\": [2, 4], \"no_hits\": [\"B\"], \"no_flags\": [\"A\"]}", 0, ""},
        {"{\"trl_evidenced\": 4}", 0, "trl_evidenced: got 3, want 4"},
        {"{\"traceability\": [50, 60]}", 0, "traceability: got 40, want 50..60"},
        {"{\"hits\": [\"B\"], \"no_flags\": [\"TRL-OVERCLAIM\"]}", 0,
         "no_flags: TRL-OVERCLAIM present; hits: B missing"},
        {"{\"indicators\": [\"traceable\", \"partly\"]}", 0, ""},
        {"{\"indicators\": [\"traceable\"]}", 0, "indicators: got 2 verdicts, want 1"},
        {"{\"indicators\": [\"partly\", \"partly\", \"untraceable\"]}", 0,
         "indicators[0]: got traceable, want partly; indicators[2]: got (none), want "
         "untraceable; indicators: got 2 verdicts, want 3"},
        {"{\"hits\": [\"A\"]}", 1, "record: bad"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[2048];
        snprintf(json, sizeof json, case_set, cases[i].expect);
        rule_diags d = {0};
        rule_set *set = rule_set_load(temp_json(json), 0, &d);
        CHECK(set != NULL, "case set %zu loads (%s)", i, d.n ? d.v[0].msg : "");
        rule_diags_free(&d);
        if (!set)
            continue;
        fixed_score f = {
            {3, -1, -1, 5, 0.75, 40, 100, 60, flags_b, 2, hits_a, 1, verdicts, 2}, 0, ""};
        f.fail = cases[i].fail;
        unsigned char covered[2] = {0, 0};
        char mm[512];
        int rc = rule_case_run(set, 0, fixed_scorer, &f, covered, mm, sizeof mm);
        CHECK_INT(rc, cases[i].mismatch[0] ? 1 : 0, cases[i].expect);
        CHECK_STR(mm, cases[i].mismatch, cases[i].expect);
        CHECK_STR(f.record, "{\"id\":\"P\",\"title\":\"x\"}", "the scorer gets the record");
        CHECK_INT(covered[0], !cases[i].fail, "a hit covers its rule");
        CHECK_INT(covered[1], 0, "a flag is no hit");
        /* a short buffer cuts the mismatches, never overruns */
        if (cases[i].mismatch[0]) {
            char small[12];
            rule_case_run(set, 0, fixed_scorer, &f, NULL, small, sizeof small);
            CHECK(strlen(small) < sizeof small && !strncmp(small, cases[i].mismatch, strlen(small)),
                  "cut mismatch \"%s\"", small);
        }
        rule_set_free(set);
    }
}

/* ---- the time budget: 200 patterns like (a+)+$|zzN, each bounded by
 * PCRE2's limits but slow together ---- */

static void test_budget(void)
{
    size_t cap = 64 * 1024, n = 0;
    char *json = malloc(cap);
    n += (size_t)snprintf(json + n, cap - n,
                          "{\"name\": \"slow\", \"version\": \"1\", \"limits\": "
                          "{\"record_ms\": 0.000001}, \"rules\": [\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(json + n, cap - n,
                              "{\"id\": \"SLOW-%03d\", \"dimension\": \"flag\", \"severity\": "
                              "\"info\", \"fields\": [\"abstract\", \"title\"], \"pattern\": "
                              "\"(a+)+$|zz%d\", \"why\": \"w\"},\n",
                              i, i);
    snprintf(json + n, cap - n,
             "{\"id\": \"LAST\", \"dimension\": \"flag\", \"severity\": \"info\", "
             "\"fields\": [\"abstract\"], \"pattern\": \"the end\", \"why\": \"w\"}]}\n");
    rule_diags d = {0};
    rule_set *set = rule_set_load(temp_json(json), 0, &d);
    free(json);
    CHECK(set != NULL, "the slow set loads (%s)", d.n ? d.v[0].msg : "");
    rule_diags_free(&d);
    if (!set)
        return;
    /* runs of 14 'a' before a '!': every search backtracks 2^14 ways, below
     * PCRE2's match limit, so no pattern errs on its own */
    static const char text[] = "aaaaaaaaaaaaaa! aaaaaaaaaaaaaa! aaaaaaaaaaaaaa! the end";
    rule_value v[2] = {{"abstract", text, sizeof text - 1}, {"title", text, sizeof text - 1}};
    rule_subject subj = {v, 2, NULL, 0};
    rule_scratch *s = rule_scratch_new(set);
    size_t last = rule_count(set) - 1;
    /* budgets: the set's (1 ns: past it at the first clock tick), none,
     * ample */
    static const double budgets[] = {-1, 0, 600000};
    for (size_t b = 0; s && b < 3; b++) {
        if (budgets[b] >= 0)
            rule_scratch_budget(s, budgets[b]);
        rule_hits h = {0};
        CHECK_INT(rule_eval(set, s, &subj, &h), 0, "rule_eval");
        size_t named = 0, errors = 0, last_hit = 0;
        int distinct = 1;
        for (size_t k = 0; k < h.n; k++) {
            if (h.v[k].error == RULE_ERROR_BUDGET) {
                for (size_t j = 0; j < k; j++)
                    distinct &= !(h.v[j].error == RULE_ERROR_BUDGET && h.v[j].rule == h.v[k].rule);
                CHECK(h.v[k].rule >= 0 && (size_t)h.v[k].rule < last && h.v[k].value == -1,
                      "a budget hit names a slow rule (%d)", h.v[k].rule);
                named++;
            } else if (h.v[k].error) {
                errors++;
            } else if ((size_t)h.v[k].rule == last) {
                last_hit++;
            }
        }
        CHECK_INT(errors, 0, "no pattern errs on its own");
        if (b == 0) {
            CHECK(named >= 1 && named <= RULE_BUDGET_NAMES && distinct,
                  "past the budget: %zu distinct slow rules named", named);
            CHECK_INT(last_hit, 0, "past the budget the evaluation stops");
            CHECK(h.n == named, "the budget hits come after the %zu found", h.n - named);
        } else {
            CHECK_INT(named, 0, "no budget hit");
            CHECK_INT(last_hit, 1, "every rule evaluated");
        }
        rule_hits_free(&h);
    }
    rule_scratch_free(s);
    rule_set_free(set);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_rules.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_json_suite();
    test_json_errors();
    test_canonical();
    test_load_cases();
    test_folder();
    test_case_run();
    test_eval_cases();
    test_patterns();
    test_case_folding();
    test_context();
    test_params();
    test_hashes();
    test_limits();
    test_budget();
    test_prefilter_fold();
    test_prefilter_traps();
    /* RULES_FUZZ_ROUNDS=N runs N more rounds with other seeds (not in make test) */
    test_prefilter_random(20261128);
    const char *rounds = getenv("RULES_FUZZ_ROUNDS");
    for (int k = 1; rounds && k <= atoi(rounds); k++)
        test_prefilter_random(20261128u + (unsigned)k * 7919u);
    test_prefilter_real();
    remove_tree(tmpdir);
    return check_done("test_rules");
}
