/*
 * Unit tests: turning rule hits into scores — TRL aggregation (cumulative
 * levels, threshold, "required" support), confidence, over-claim margin,
 * traceability cap and indicator verdicts, novelty and overall weights.
 * A small rule set written here keeps the tests independent of the default
 * set's wording.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "engine/eng_run.h"

static char dir[] = "/tmp/vernier-test-scoring-XXXXXX";

static const char set_json[] =
    "{\"name\": \"t\", \"version\": \"1\", \"languages\": [\"zh\", \"en\"],\n"
    " \"description\": \"scoring tests\",\n"
    " \"weights\": {\"trl\": 0.5, \"traceability\": 0.3, \"novelty\": 0.2},\n"
    " \"trl\": {\"threshold\": 2, \"support\": \"%s\", \"overclaim_margin\": 2},\n"
    " \"traceability\": {\"cap\": 100, \"indicator_traceable\": 30, \"indicator_partly\": 10},\n"
    " \"novelty\": {\"base\": 100},\n"
    " \"negation\": {\"after\": \"would|有望\"},\n"
    " \"rules\": [\n"
    "  {\"id\": \"L4A\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"],"
    "   \"pattern\": \"实验室验证|validated in (?:the )?laboratory\", \"points\": 1, \"why\": "
    "\"t\"},\n"
    "  {\"id\": \"L4B\", \"dimension\": \"trl\", \"level\": 4, \"fields\": [\"abstract\"],"
    "   \"pattern\": \"原理样机|breadboard\", \"points\": 1, \"negatable\": true, \"why\": "
    "\"t\"},\n"
    "  {\"id\": \"P6\", \"dimension\": \"trl\", \"reading\": \"planned\", \"level\": 6, "
    "\"fields\": [\"abstract\"], \"pattern\": \"拟[^。]{0,20}工程样机\", \"points\": 2, \"why\": "
    "\"t\"},\n"
    "  {\"id\": \"S5\", \"dimension\": \"trl\", \"reading\": \"stated\", \"level\": 5, "
    "\"fields\": [\"abstract\"], \"pattern\": \"TRL ?5\", \"points\": 2, \"why\": \"t\"},\n"
    "  {\"id\": \"L7A\", \"dimension\": \"trl\", \"level\": 7, \"fields\": [\"abstract\"],"
    "   \"pattern\": \"现场试验|field trial\", \"points\": 2, \"why\": \"t\"},\n"
    "  {\"id\": \"L9A\", \"dimension\": \"trl\", \"level\": 9, \"fields\": [\"abstract\"],"
    "   \"pattern\": \"批量生产\", \"points\": 1, \"why\": \"t\"},\n"
    "  {\"id\": \"TR-CNAS\", \"dimension\": \"traceability\", \"fields\": [\"abstract\"],"
    "   \"pattern\": \"CNAS\", \"points\": 60, \"why\": \"t\"},\n"
    "  {\"id\": \"TR-CAL\", \"dimension\": \"traceability\", \"fields\": [\"abstract\"],"
    "   \"pattern\": \"校准证书\", \"points\": 60, \"why\": \"t\"},\n"
    "  {\"id\": \"TR-SELF\", \"dimension\": \"traceability\", \"fields\": [\"abstract\"],"
    "   \"pattern\": \"自测\", \"points\": -20, \"why\": \"t\"},\n"
    "  {\"id\": \"IND-LAB\", \"dimension\": \"traceability\", \"scope\": \"indicator\","
    "   \"fields\": [\"lab\", \"accreditation\"], \"pattern\": \"CNAS|检测中心\", \"points\": 20, "
    "\"why\": \"t\"},\n"
    "  {\"id\": \"IND-U\", \"dimension\": \"traceability\", \"scope\": \"indicator\","
    "   \"fields\": [\"uncertainty\"], \"pattern\": \"k\\\\s*=\\\\s*2\", \"points\": 15, \"why\": "
    "\"t\"},\n"
    "  {\"id\": \"NOV-FIRST\", \"dimension\": \"novelty\", \"fields\": [\"abstract\"],"
    "   \"pattern\": \"国际首创\", \"points\": -10, \"why\": \"t\"},\n"
    "  {\"id\": \"FLAG-TPL\", \"dimension\": \"flag\", \"severity\": \"warn\", \"fields\": "
    "[\"abstract\"],"
    "   \"pattern\": \"同意通过验收\", \"why\": \"t\"},\n"
    "  {\"id\": \"FLAG-EXTRA\", \"dimension\": \"flag\", \"severity\": \"info\", \"fields\": "
    "[\"extra.col150\"],"
    "   \"pattern\": \"needle\", \"why\": \"t\"}\n"
    " ]}\n";

typedef struct score_case {
    const char *name;
    const char *support; /* "confidence" or "required" */
    const char *record;  /* canonical JSON */
    int trl, claimed;
    double confidence, traceability, novelty, overall;
    const char *flags;
    const char *verdicts; /* space-separated, "" for none */
} score_case;

static const score_case cases[] = {
    {"no evidence", "confidence", "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"无关文本\"}", 0, 0,
     0, 0, 100, 40, "[]", ""},
    {"one rule is not enough", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"完成了实验室验证。\"}", 0, 0, 0, 0, 100, 40,
     "[]", ""},
    {"a rule counts once however often it hits", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"实验室验证；又一次实验室验证\"}", 0, 0, 0, 0,
     100, 40, "[]", ""},
    {"two distinct rules reach TRL 4", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"原理样机完成了实验室验证\"}", 4, 0, 0.25, 0, 100,
     42.2, "[]", ""},
    {"levels are cumulative: TRL 7 without lower evidence", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"样机通过现场试验\"}", 7, 0, 0.25, 0, 100, 58.9,
     "[]", ""},
    {"required support refuses TRL 7 alone", "required",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"样机通过现场试验\"}", 0, 0, 0, 0, 100, 40, "[]",
     ""},
    {"over-claim flagged at the margin", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"trl_target\":6,\"abstract\":\"原理样机完成了实验室验证\","
     "\"acceptance\":{\"conclusion\":\"通过\"}}",
     4, 6, 0.25, 0, 100, 42.2, "[\"TRL-OVERCLAIM\"]", ""},
    {"a claim with no achieved reading is unsupported, not contradicted", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"无关文本\","
     "\"acceptance\":{\"trl_claimed\":7}}",
     0, 7, 0, 0, 100, 40, "[\"TRL-CLAIM-UNSUPPORTED\"]", ""},
    {"one level below the margin is not an over-claim", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"原理样机完成了实验室验证\","
     "\"acceptance\":{\"trl_claimed\":5}}",
     4, 5, 0.25, 0, 100, 42.2, "[]", ""},
    {"a proposal's target is a plan, not a claim", "confidence",
     "{\"id\":\"a\",\"kind\":\"proposal\",\"title\":\"t\",\"trl_target\":8,"
     "\"abstract\":\"原理样机完成了实验室验证\"}",
     4, 8, 0.25, 0, 100, 42.2, "[]", ""},
    {"claimed TRL from acceptance beats the target", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"trl_target\":5,\"abstract\":\"原理样机完成了实验室验证\","
     "\"acceptance\":{\"trl_claimed\":4}}",
     4, 4, 0.25, 0, 100, 42.2, "[]", ""},
    {"traceability capped at 100, red flag subtracts", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"CNAS 报告，校准证书，部分自测\"}", 0, 0, 0, 100,
     100, 100, "[]", ""},
    {"traceability never below 0", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"全部自测\"}", 0, 0, 0, 0, 100, 40, "[]", ""},
    {"indicator verdicts", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"x\",\"acceptance\":{\"indicators\":["
     "{\"name\":\"u\",\"achieved\":\"1\",\"lab\":\"国家计量检测中心\",\"uncertainty\":\"U=0.1, "
     "k=2\"},"
     "{\"name\":\"v\",\"achieved\":\"2\",\"lab\":\"某检测中心\"},"
     "{\"name\":\"w\",\"achieved\":\"3\"}]}}",
     0, 0, 0, 55, 100, 73, "[]", "traceable partly untraceable"},
    {"novelty rule and a flag", "confidence",
     "{\"id\":\"a\",\"title\":\"t\",\"abstract\":\"国际首创。同意通过验收。\"}", 0, 0, 0, 0, 90, 36,
     "[\"FLAG-TPL\"]", ""},
};

static rule_set *load_set(const char *support)
{
    char path[600];
    snprintf(path, sizeof path, "%s/set-%s.json", dir, support);
    FILE *f = fopen(path, "w");
    fprintf(f, set_json, support);
    fclose(f);
    rule_diags d = {0};
    rule_set *set = rule_set_load(path, 0, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s:%d:%d: %s %s\n", d.v[i].file, d.v[i].line, d.v[i].col, d.v[i].rule_id,
                d.v[i].msg);
    rule_diags_free(&d);
    return set;
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    rule_set *sets[2] = {load_set("confidence"), load_set("required")};
    CHECK(sets[0] && sets[1], "the test rule sets load");
    for (size_t i = 0; sets[0] && sets[1] && i < sizeof cases / sizeof cases[0]; i++) {
        const score_case *c = &cases[i];
        const rule_set *set = sets[!strcmp(c->support, "required")];
        eng_record r;
        eng_record_init(&r);
        eng_err err;
        eng_err_clear(&err);
        CHECK(eng_record_from_json(c->record, strlen(c->record), &r, &err) == ENG_OK, "%s: %s",
              c->name, err.msg);
        eng_eval e;
        CHECK(eng_eval_record(set, &r, &e, &err) == ENG_OK, "%s: eval: %s", c->name, err.msg);
        CHECK(e.score.trl_evidenced == c->trl, "%s: TRL %d, want %d", c->name,
              e.score.trl_evidenced, c->trl);
        CHECK(e.score.trl_claimed == c->claimed, "%s: claimed %d, want %d", c->name,
              e.score.trl_claimed, c->claimed);
        CHECK(e.score.trl_confidence > c->confidence - 1e-6 &&
                  e.score.trl_confidence < c->confidence + 1e-6,
              "%s: confidence %g, want %g", c->name, e.score.trl_confidence, c->confidence);
        CHECK(e.score.traceability == c->traceability, "%s: traceability %g, want %g", c->name,
              e.score.traceability, c->traceability);
        CHECK(e.score.novelty == c->novelty, "%s: novelty %g, want %g", c->name, e.score.novelty,
              c->novelty);
        CHECK(e.score.overall > c->overall - 0.051 && e.score.overall < c->overall + 0.051,
              "%s: overall %g, want %g", c->name, e.score.overall, c->overall);
        CHECK_STR(e.score.flags, c->flags, c->name);
        char verdicts[256] = "";
        for (size_t k = 0; k < e.nverdicts; k++) {
            if (k)
                strcat(verdicts, " ");
            strcat(verdicts, e.verdicts[k].verdict);
        }
        CHECK_STR(verdicts, c->verdicts, c->name);
        eng_eval_release(&e);
        eng_record_release(&r);
    }
    /* A record with many extra columns (wide agency exports): a rule on the
     * 150th still reads it. */
    if (sets[0]) {
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "wide", NULL);
        eng_record_set(&r, "title", "wide export", NULL);
        for (int k = 0; k < 200; k++) {
            char key[32], val[32];
            snprintf(key, sizeof key, "col%d", k);
            snprintf(val, sizeof val, k == 150 ? "the needle" : "value %d", k);
            eng_record_add_extra_str(&r, key, val);
        }
        eng_eval e;
        eng_err err;
        CHECK(eng_eval_record(sets[0], &r, &e, &err) == ENG_OK, "wide record: %s", err.msg);
        CHECK_STR(e.score.flags, "[\"FLAG-EXTRA\"]", "a rule reads the 150th extra field");
        eng_eval_release(&e);
        eng_record_release(&r);
    }
    /* The three readings: a plan is read as planned, a written level as
     * stated, neither as achieved (a plan alone gives an achieved reading
     * inferred from it, planned - trl.inferred_gap); a hedge after a match
     * cancels it. */
    static const struct {
        const char *abstract;
        int achieved, planned, stated;
    } rd[] = {
        {"拟研制工程样机并开展试验。", 4, 6, 0},
        {"The breadboard is at TRL 5.", 0, 0, 5},
        {"a breadboard was validated in the laboratory", 4, 0, 0},
        {"a breadboard would be validated in the laboratory", 0, 0, 0},
        {"原理样机有望通过实验室验证", 0, 0, 0},
    };
    for (size_t k = 0; sets[0] && k < sizeof rd / sizeof rd[0]; k++) {
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "rd", NULL);
        eng_record_set(&r, "abstract", rd[k].abstract, NULL);
        eng_eval e;
        eng_err err;
        CHECK(eng_eval_record(sets[0], &r, &e, &err) == ENG_OK, "readings: %s", err.msg);
        CHECK(e.score.trl_evidenced == rd[k].achieved && e.score.trl_planned == rd[k].planned &&
                  e.score.trl_stated == rd[k].stated,
              "%s: achieved %d planned %d stated %d, want %d %d %d", rd[k].abstract,
              e.score.trl_evidenced, e.score.trl_planned, e.score.trl_stated, rd[k].achieved,
              rd[k].planned, rd[k].stated);
        eng_eval_release(&e);
        eng_record_release(&r);
    }
    /* Nothing to read (#13 item 4): a title alone makes traceability and
     * novelty not assessable (-1), never 0 and 100, and overall, with no TRL
     * reading either, not assessable too; a body text or an indicator is
     * enough to assess them. */
    static const struct {
        const char *field, *value;
        int assessable;
    } na[] = {
        {NULL, NULL, 0},
        {"abstract", "   \n ", 0},
        {"abstract", "A sensor was designed.", 1},
        {"acceptance.summary", "项目完成了样机研制。", 1},
    };
    for (size_t k = 0; sets[0] && k < sizeof na / sizeof na[0]; k++) {
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "na", NULL);
        eng_record_set(&r, "title", "世界能源趋势与中国可持续发展的能源对策研究", NULL);
        if (na[k].field)
            eng_record_set(&r, na[k].field, na[k].value, NULL);
        CHECK(eng_method_readable(&r) == na[k].assessable, "readable %zu", k);
        eng_eval e;
        eng_err err;
        CHECK(eng_eval_record(sets[0], &r, &e, &err) == ENG_OK, "na: %s", err.msg);
        if (na[k].assessable)
            CHECK(e.score.traceability >= 0 && e.score.overall >= 0, "assessable %zu: %g %g", k,
                  e.score.traceability, e.score.overall);
        else
            CHECK(e.score.traceability < 0 && e.score.novelty < 0 && e.score.overall < 0,
                  "not assessable %zu: %g %g %g", k, e.score.traceability, e.score.novelty,
                  e.score.overall);
        eng_eval_release(&e);
        eng_record_release(&r);
    }
    /* Overall leaves out what is not assessable: only novelty here. */
    if (sets[0]) {
        eng_method m;
        eng_method_init(&m, sets[0]);
        eng_score sc;
        memset(&sc, 0, sizeof sc);
        sc.traceability = -1;
        eng_method_finish(&m, &sc, 0.2, 0);
        CHECK(sc.novelty < 0 && sc.overall < 0, "no text: novelty %g overall %g", sc.novelty,
              sc.overall);
        memset(&sc, 0, sizeof sc);
        sc.traceability = 40;
        eng_method_finish(&m, &sc, 0.2, 0);
        CHECK(sc.novelty == 80 && sc.overall > 40 && sc.overall < 80, "both: %g %g", sc.novelty,
              sc.overall);
    }
    /* An achieved reading inferred from the plan: low confidence, an evidence
     * row that says so, no weight in overall, no flag; none for a record with
     * an acceptance (its level is read from the acceptance, not the plan). */
    for (int acc = 0; sets[0] && acc < 2; acc++) {
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "inf", NULL);
        eng_record_set(&r, "abstract", "拟研制工程样机并开展试验。", NULL);
        if (acc)
            eng_record_set(&r, "acceptance.trl_claimed", "8", NULL);
        eng_eval e;
        eng_err err;
        CHECK(eng_eval_record(sets[0], &r, &e, &err) == ENG_OK, "inferred: %s", err.msg);
        size_t row = e.nhits;
        for (size_t i = 0; i < e.nhits; i++)
            if (!strcmp(e.hits[i].rule_id, "TRL-INFERRED-FROM-PLAN"))
                row = i;
        if (!acc) {
            CHECK(e.score.trl_evidenced == 4 && e.score.trl_inferred == 1 &&
                      fabs(e.score.trl_confidence - 0.2) < 1e-9,
                  "inferred: achieved %d inferred %d confidence %g", e.score.trl_evidenced,
                  e.score.trl_inferred, e.score.trl_confidence);
            CHECK(row < e.nhits && e.hits[row].level == 4 &&
                      !strcmp(e.hits[row].dimension, "trl") &&
                      strstr(e.hits[row].message, "inferred from plan: planned TRL 6"),
                  "inferred: the evidence row says so");
            double wt = rule_set_param(sets[0], "weights.traceability", 0.35),
                   wn = rule_set_param(sets[0], "weights.novelty", 0.25);
            double want = e.score.novelty >= 0
                              ? (wt * e.score.traceability + wn * e.score.novelty) / (wt + wn)
                              : e.score.traceability;
            CHECK(fabs(e.score.overall - want) < 0.051, "inferred: overall %g leaves TRL out (%g)",
                  e.score.overall, want);
            CHECK_STR(e.score.flags, "[]", "inferred: no flag");
        } else {
            CHECK(e.score.trl_evidenced == 0 && !e.score.trl_inferred && row == e.nhits,
                  "a claimed record: no inferred reading (achieved %d)", e.score.trl_evidenced);
            CHECK(strstr(e.score.flags, "TRL-CLAIM-UNSUPPORTED") &&
                      !strstr(e.score.flags, "TRL-OVERCLAIM"),
                  "a claimed record with a plan only: unsupported, not over-claimed (%s)",
                  e.score.flags);
        }
        eng_eval_release(&e);
        eng_record_release(&r);
    }
    /* Typed flags: rule flags once each in the order they first hit, then the
     * built-in ones in a fixed order; the JSON text is only their stored form. */
    if (sets[0]) {
        size_t tpl = 0, n = rule_count(sets[0]);
        while (tpl < n && strcmp(rule_id(sets[0], tpl), "FLAG-TPL"))
            tpl++;
        eng_flags f = {0};
        char *j = eng_flags_json(&f, sets[0]);
        CHECK_STR(j, "[]", "no flags");
        free(j);
        f.bits = ENG_FLAG_DUP_NEAR | ENG_FLAG_TRL_OVERCLAIM;
        CHECK(eng_flags_add_rule(&f, tpl) == 0 && eng_flags_add_rule(&f, tpl) == 0, "add");
        CHECK(f.nrules == 1, "a flag rule is kept once");
        j = eng_flags_json(&f, sets[0]);
        CHECK_STR(j, "[\"FLAG-TPL\",\"TRL-OVERCLAIM\",\"DUP-NEAR\"]", "flag order");
        free(j);
        CHECK(eng_flags_has(&f, sets[0], "DUP-NEAR") && eng_flags_has(&f, sets[0], "FLAG-TPL") &&
                  !eng_flags_has(&f, sets[0], "DUP-EXACT") && !eng_flags_has(&f, sets[0], "FLAG"),
              "eng_flags_has matches whole ids");
        CHECK_STR(eng_flag_name(ENG_FLAG_RULE_ERROR), "RULE-ERROR", "flag name");
        CHECK(eng_flag_name(3) == NULL, "not one flag");
        eng_flags_release(&f);
    }
    rule_set_free(sets[0]);
    rule_set_free(sets[1]);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("scoring");
}
