/*
 * Unit tests: calibration (engine/eng_calib.h, importers/imp_labels.h,
 * rules' rule_set_write and the "calibration" header key).
 * - the fit recovers a threshold that generated the labels (synthetic
 *   evidence, several starting values), and the cross-validated error is
 *   then 0 while the constant median's is not;
 * - the folds are deterministic, balanced and depend on the seed;
 * - no-fit keeps the parameters; impossible folds and no labels are errors;
 * - the readings are the method's (a field fallback too), a label equal to
 *   the record's own field is counted;
 * - bad label files fail with file, line and field; good ones read both
 *   CSV and JSONL, with their own text (TechPort shape) or ids only;
 * - a set written with a record loads, round-trips the record, gets a new
 *   hash but the method hash computed for it; a malformed record is refused;
 *   an existing folder is never written into; the input is untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "engine/eng_calib.h"
#include "importers/imp_labels.h"

static char dir[] = "/tmp/vernier-test-calib-XXXXXX";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

/* ---- the fit on synthetic evidence -------------------------------------------------- */

/* A generator of our own, so the data do not depend on libc's rand. */
static unsigned long long st = 42;
static double uniform(void)
{
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(st >> 11) / 9007199254740992.0;
}

/* n cases whose achieved label is what threshold `truth` reads: one level
 * with evidence at or above truth (the label), one higher level with
 * evidence below it (a distractor a lower threshold would read); some
 * evidence just at truth, so a higher threshold reads nothing. */
static void synth(eng_calib_case *c, size_t n, double truth)
{
    memset(c, 0, n * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        int label = 2 + (int)(uniform() * 5); /* 2..6 */
        c[i].label = label;
        c[i].ev[RULE_READ_ACHIEVED][label] = i % 3 ? truth : truth + uniform() * 2;
        c[i].ev[RULE_READ_ACHIEVED][label + 2] = truth - 0.5 - uniform() * (truth - 1);
        c[i].label_end = 0;
    }
}

static void test_fit(void)
{
    eng_calib_case c[60];
    double truths[] = {1.5, 3.0, 4.5};
    double starts[] = {2.0, 0.5, 6.0};
    for (size_t t = 0; t < sizeof truths / sizeof truths[0]; t++)
        for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
            synth(c, 60, truths[t]);
            eng_method m;
            memset(&m, 0, sizeof m);
            eng_method_set(&m, "trl.threshold", starts[s]);
            eng_calib_opts o = {5, 7, 1, 200};
            eng_calib_result r;
            eng_err err;
            int rc = eng_calib_fit(&m, c, 60, &o, &r, &err);
            CHECK_INT(rc, ENG_OK, "fit");
            CHECK_STR(r.names[0], "trl.threshold", "the first parameter");
            CHECK(r.value[0] > truths[t] - 0.5 - 1e-9 && r.value[0] < truths[t] + 1e-9,
                  "truth %g from %g: fitted %g", truths[t], starts[s], r.value[0]);
            CHECK(r.achieved.read == 60 && r.achieved.mae < 1e-9,
                  "truth %g: cross-validated MAE %g on %zu read", truths[t], r.achieved.mae,
                  r.achieved.read);
            CHECK(r.achieved.base_mae > 0.5, "the median baseline errs: %g", r.achieved.base_mae);
            CHECK_INT(r.planned.n, 0, "no planned labels");
            long sum = 0;
            for (int l = 0; l < 9; l++)
                for (int k = 0; k < 10; k++)
                    sum += r.achieved.confusion[l][k];
            CHECK_INT(sum, 60, "the confusion matrix counts every labelled case");
            /* the same threshold read without fitting gives the same figures */
            eng_method_set(&m, "trl.threshold", truths[t]);
            eng_calib_opts keep = {5, 7, 0, 200};
            eng_calib_result k;
            rc = eng_calib_fit(&m, c, 60, &keep, &k, &err);
            CHECK(rc == ENG_OK && k.value[0] == truths[t] && k.achieved.mae < 1e-9,
                  "no-fit keeps %g (got %g)", truths[t], k.value[0]);
        }
    /* a wrong threshold, kept, is measured as wrong */
    synth(c, 60, 3.0);
    eng_method m;
    memset(&m, 0, sizeof m);
    eng_method_set(&m, "trl.threshold", 1.0);
    eng_calib_opts keep = {5, 7, 0, 200};
    eng_calib_result k;
    eng_err err;
    CHECK_INT(eng_calib_fit(&m, c, 60, &keep, &k, &err), ENG_OK, "fit");
    CHECK(k.achieved.mae > 1.0 && k.achieved.mae_low <= k.achieved.mae &&
              k.achieved.mae <= k.achieved.mae_high,
          "threshold 1 on truth 3: MAE %g in [%g, %g]", k.achieved.mae, k.achieved.mae_low,
          k.achieved.mae_high);
    /* errors */
    CHECK_INT(eng_calib_fit(&m, c, 60, &(eng_calib_opts){61, 1, 1, 0}, &k, &err), ENG_EINPUT,
              "more folds than cases");
    CHECK(strstr(err.msg, "--folds 61") != NULL, "the message names the folds: %s", err.msg);
    CHECK_INT(eng_calib_fit(&m, c, 60, &(eng_calib_opts){1, 1, 1, 0}, &k, &err), ENG_EINPUT,
              "one fold");
    for (size_t i = 0; i < 60; i++)
        c[i].label = 0;
    CHECK_INT(eng_calib_fit(&m, c, 60, &(eng_calib_opts){5, 1, 1, 0}, &k, &err), ENG_EINPUT,
              "no labels");
}

/* The readings are the method's own: a planned reading falls back to the
 * record's trl_target, and a label equal to it is counted as a leak. */
static void test_fields(void)
{
    eng_calib_case c;
    memset(&c, 0, sizeof c);
    c.label_end = 6;
    c.trl_target = 6;
    eng_method m;
    memset(&m, 0, sizeof m);
    eng_method_set(&m, "trl.threshold", 2);
    int a, p;
    eng_calib_read(&m, &c, &a, &p);
    CHECK(p == 6, "planned falls back to trl_target: %d", p);
    CHECK_INT(eng_calib_leaks(&c, 1), 1, "a label equal to the record's field is a leak");
    c.trl_target = 0;
    c.ev[RULE_READ_PLANNED][5] = 2;
    eng_calib_read(&m, &c, &a, &p);
    CHECK(p == 5, "planned from the rules: %d", p);
    CHECK_INT(eng_calib_leaks(&c, 1), 0, "no field, no leak");
}

static void test_folds(void)
{
    size_t order[23], order2[23];
    int fold[23], fold2[23], fold3[23];
    eng_calib_folds(23, 5, 1, order, fold);
    eng_calib_folds(23, 5, 1, order2, fold2);
    CHECK(memcmp(fold, fold2, sizeof fold) == 0, "the same seed gives the same folds");
    eng_calib_folds(23, 5, 2, order2, fold3);
    CHECK(memcmp(fold, fold3, sizeof fold) != 0, "another seed gives other folds");
    int size[5] = {0};
    unsigned char seen[23] = {0};
    for (size_t i = 0; i < 23; i++) {
        CHECK(fold[i] >= 0 && fold[i] < 5, "fold %d in range", fold[i]);
        if (fold[i] >= 0 && fold[i] < 5)
            size[fold[i]]++;
        if (order[i] < 23)
            seen[order[i]]++;
    }
    for (int f = 0; f < 5; f++)
        CHECK(size[f] == 4 || size[f] == 5, "fold %d holds %d of 23", f, size[f]);
    int perm = 1;
    for (size_t i = 0; i < 23; i++)
        perm &= seen[i] == 1;
    CHECK(perm, "the order is a permutation");
}

/* ---- label files -------------------------------------------------------------------- */

static void expect_label_error(const char *name, const char *text, const char *want)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_text(path, text);
    imp_labels L;
    eng_err err;
    int rc = imp_labels_read(path, &L, &err);
    CHECK(rc == ENG_EINPUT, "%s: refused (rc %d)", name, rc);
    CHECK(rc && strstr(err.msg, want) != NULL, "%s: message \"%s\" names \"%s\"", name, err.msg,
          want);
    CHECK(rc && strstr(err.msg, path) != NULL, "%s: message names the file: %s", name, err.msg);
    CHECK_INT(L.n, 0, "nothing kept");
}

static void test_labels(void)
{
    expect_label_error("frac.csv", "id,trl\nA,3\nB,3.5\n", ":3: field 'trl': 3.5 is not a whole");
    expect_label_error("word.csv", "id,trl\nA,three\n", ":2: field 'trl': \"three\" is not a TRL");
    expect_label_error("range.csv", "id,trl\nA,10\n", ":2: field 'trl': 10 is outside 1-9");
    expect_label_error("zero.jsonl", "{\"id\":\"A\",\"trl_current\":0}\n",
                       ":1: field 'trl_current': 0 is outside 1-9");
    expect_label_error("dup.csv", "id,trl\nA,3\nB,4\nA,5\n",
                       ":4: field 'id': id \"A\" given twice (first on line 2)");
    expect_label_error("noid.jsonl", "{\"id\":\"A\",\"trl\":3}\n{\"trl\":4}\n",
                       ":2: field 'id': no id");
    expect_label_error("nolabel.jsonl", "{\"id\":\"A\",\"trl\":3,\"trl_end\":5}\n{\"id\":\"B\"}\n",
                       ":2: field 'trl': no TRL label");
    expect_label_error("nofield.csv", "id,score\nA,3\n", ":1: no TRL field");
    expect_label_error("badjson.jsonl", "{\"id\":\"A\",\"trl\":3}\n{oops\n",
                       ":2: not a JSON object");
    expect_label_error("end.jsonl", "{\"id\":\"A\",\"trl\":3,\"trl_end\":\"x\"}\n",
                       ":1: field 'trl_end': \"x\" is not a TRL");

    char path[256];
    snprintf(path, sizeof path, "%s/ok.csv", dir);
    write_text(path, "id,trl,trl_end\nB,4,\nA, 3 ,6\n");
    imp_labels L;
    eng_err err;
    int rc = imp_labels_read(path, &L, &err);
    CHECK(rc == ENG_OK && L.n == 2, "ok.csv: %d %s", rc, rc ? err.msg : "");
    if (rc == ENG_OK && L.n == 2) {
        CHECK(!strcmp(L.v[0].id, "B") && L.v[0].trl == 4 && L.v[0].trl_end == 0, "row B");
        CHECK(!strcmp(L.v[1].id, "A") && L.v[1].trl == 3 && L.v[1].trl_end == 6, "row A");
        CHECK(!L.with_text, "ids only: records come from the store");
        imp_labels_free(&L);
    }
    snprintf(path, sizeof path, "%s/tp.jsonl", dir);
    write_text(path, "{\"source_id\":\"11\",\"title\":\"T\",\"text\":\"has flown on ISS\","
                     "\"trl_start\":3,\"trl_current\":4,\"trl_end\":7}\n\n"
                     "{\"source_id\":\"12\",\"title\":\"U\",\"text\":\"x\",\"trl_current\":null,"
                     "\"trl_end\":6}\n");
    rc = imp_labels_read(path, &L, &err);
    CHECK(rc == ENG_OK && L.n == 2, "tp.jsonl: %d %s", rc, rc ? err.msg : "");
    if (rc == ENG_OK && L.n == 2) {
        CHECK_STR(L.field, "trl_current", "the reached field");
        CHECK_STR(L.end_field, "trl_end", "the aimed-at field");
        CHECK(L.with_text, "TechPort shape: the rows carry text");
        CHECK_STR(L.v[0].rec.abstract, "has flown on ISS", "the record's text");
        CHECK(L.v[0].rec.trl_target == 0 && L.v[0].rec.trl_claimed == 0,
              "no TRL field goes into the record");
        CHECK(L.v[1].trl == 0 && L.v[1].trl_end == 6, "a null label is none");
        CHECK_INT(L.v[1].line, 3, "lines count blank lines");
        imp_labels_free(&L);
    }
}

/* ---- writing a set with a record --------------------------------------------------- */

static const char set_json[] =
    "{\"name\": \"t\", \"version\": \"1\",\n"
    " \"description\": \"calibration tests\",\n"
    " \"trl\": {\"threshold\": 2},\n"
    " \"rules\": [\n"
    "  {\"id\": \"L4\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"],"
    "   \"pattern\": \"laboratory\", \"points\": 2, \"why\": \"t\"}\n"
    " ]}\n";

static const char record_json[] =
    "{\"date\":\"2026-01-01\",\"references\":{\"file\":\"l.csv\",\"sha256\":\"ab\",\"n\":3},"
    "\"method_sha256\":\"%s\",\"fit\":\"k-fold\",\"parameters\":{\"trl.threshold\":3},"
    "\"folds\":3,\"seed\":1,\"achieved\":{\"label\":\"current\",\"n\":3,\"read\":2,"
    "\"coverage\":0.6667,\"mae\":0.5,\"baseline_all_mae\":1,\"confusion\":%s}}";

static const char good_matrix[] =
    "[[0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0],[1,0,0,0,0,0,0,0,0,0],"
    "[0,0,0,1,1,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0],"
    "[0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,0]]";

static void test_write(void)
{
    char src[256], out[256], out2[256], out3[256];
    snprintf(src, sizeof src, "%s/set.json", dir);
    write_text(src, set_json);
    rule_diags d = {0};
    rule_set *set = rule_set_load(src, 0, &d);
    rule_diags_free(&d);
    CHECK(set != NULL, "the test set loads");
    if (!set)
        return;
    rule_param p = {"trl.threshold", 3};
    char method[65];
    eng_err err;
    CHECK_INT(rule_set_method_sha256_with(set, &p, 1, method, &err), 0, "method hash");
    CHECK(strcmp(method, rule_set_method_sha256(set)) != 0, "a parameter changes the method");
    char rec[4096];
    snprintf(rec, sizeof rec, record_json, method, good_matrix);
    snprintf(out, sizeof out, "%s/out", dir);
    int rc = rule_set_write(set, src, out, &p, 1, "1+cal", rec, &err);
    CHECK(rc == 0, "write: %s", rc ? err.msg : "");
    char *before = read_text(src);
    CHECK(before && !strcmp(before, set_json), "the input is untouched");
    free(before);
    rc = rule_set_write(set, src, out, &p, 1, "1+cal", rec, &err);
    CHECK(rc == ENG_EUSAGE && strstr(err.msg, "already exists"), "an existing folder: %s", err.msg);
    d = (rule_diags){0};
    rule_set *back = rule_set_load(out, 0, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].msg);
    rule_diags_free(&d);
    CHECK(back != NULL, "the written set loads");
    if (back) {
        CHECK_STR(rule_set_version(back), "1+cal", "the new version");
        CHECK(strcmp(rule_set_sha256(back), rule_set_sha256(set)) != 0, "a new hash");
        CHECK_STR(rule_set_method_sha256(back), method, "the method hash computed before");
        CHECK(rule_set_param(back, "trl.threshold", 0) == 3, "the parameter written");
        CHECK(rule_set_param(back, "calibration.achieved.mae", 0) == 0.5, "the record's MAE");
        CHECK(rule_set_param(back, "calibration.achieved.confusion.3.4", 0) == 1,
              "a cell of the matrix");
        CHECK_STR(rule_set_param_str(back, "calibration.references.file"), "l.csv",
                  "the references");
        eng_calib_line lines[ENG_CALIB_LINES];
        size_t n = eng_calib_lines(rule_set_canonical(back), 0, lines);
        CHECK(n >= 5 && strstr(lines[n - 1].value, "yes"), "the record is current");
        CHECK(n >= 5 && strstr(lines[3].value, "read 2 of 3 (67%); MAE 0.50"),
              "the reading line: %s", n >= 5 ? lines[3].value : "");
        n = eng_calib_lines(rule_set_canonical(back), 1, lines);
        CHECK(n >= 5 && !strcmp(lines[0].label, "校准"), "Chinese labels");
        /* a round trip: written again with the same record, the same hash */
        snprintf(out2, sizeof out2, "%s/out2", dir);
        rc = rule_set_write(back, out, out2, NULL, 0, NULL, rec, &err);
        rule_set *again = rc ? NULL : rule_set_load(out2, 0, NULL);
        CHECK(again && !strcmp(rule_set_sha256(again), rule_set_sha256(back)),
              "written again, the same hash");
        rule_set_free(again);
        rule_set_free(back);
    }
    /* stale: the rules change after calibration */
    eng_calib_line lines[ENG_CALIB_LINES];
    size_t n = eng_calib_lines(rule_set_canonical(set), 0, lines);
    CHECK(n == 1 && strstr(lines[0].value, "not calibrated"), "no record: not calibrated");
    rule_param p2 = {"trl.threshold", 2.5};
    snprintf(out3, sizeof out3, "%s/out3", dir);
    rc = rule_set_write(set, src, out3, &p2, 1, "1+x", rec, &err);
    rule_set *stale = rc ? NULL : rule_set_load(out3, 0, NULL);
    CHECK(stale != NULL, "a set with a stale record loads");
    if (stale) {
        n = eng_calib_lines(rule_set_canonical(stale), 0, lines);
        CHECK(n >= 1 && strstr(lines[n - 1].value, "NO: the rule set changed"),
              "a stale record says so: %s", lines[n - 1].value);
        rule_set_free(stale);
    }
    /* a malformed record is refused with its place */
    const char *bad[] = {"[[1,2]]", "[[0,0,0,0,0,0,0,0,0,0]]", "\"x\""};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        char o[300];
        snprintf(o, sizeof o, "%s/bad%zu", dir, b);
        snprintf(rec, sizeof rec, record_json, method, bad[b]);
        rc = rule_set_write(set, src, o, &p, 1, "1+bad", rec, &err);
        d = (rule_diags){0};
        rule_set *s = rc ? NULL : rule_set_load(o, 0, &d);
        int named = 0;
        for (size_t i = 0; i < d.n; i++)
            named |= strstr(d.v[i].msg, "confusion") != NULL && d.v[i].line > 0;
        CHECK(rc == 0 && !s && named, "matrix %s refused with its line", bad[b]);
        rule_diags_free(&d);
        rule_set_free(s);
    }
    rule_set_free(set);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_fit();
    test_fields();
    test_folds();
    test_labels();
    test_write();
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_calib");
}
