/* Unit tests: registries — codes, units and values as written, the store,
 * and every verdict of the checks with its evidence. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "engine/eng_registry.h"

static char dir[] = "/tmp/vernier-test-registry-XXXXXX";

/* ---- codes, units, values ------------------------------------------------------- */

static const struct {
    const char *in, *key;
} codes[] = {
    {"CNAS L0192", "CNASL0192"},           {"cnas-l0192", "CNASL0192"},
    {"ＣＮＡＳ　Ｌ０１９２", "CNASL0192"}, {"GB/T 22900-2022", "GBT229002022"},
    {"GBW(E) 080001", "GBWE080001"},       {"ISO/IEC 17025:2017", "ISOIEC170252017"},
};

static const struct {
    const char *text, *hint;
    int absolute;
    double value; /* in SI, relative as a fraction */
    const char *si;
} values[] = {
    {"0.32 mK", NULL, 0, 3.2e-4, "K"},
    {"U=0.05 mK（k=2）", NULL, 0, 5e-5, "K"},
    {"≤0.5", "mK", 0, 5e-4, "K"},
    {"1.4×10⁻⁶", NULL, 0, 1.4e-6, "rel"},
    {"U=2×10⁻¹¹（k=2）", NULL, 0, 2e-11, "rel"},
    {"Urel=3.5%（k=2）", NULL, 0, 0.035, "rel"},
    {"U = 1.6 % rel., k = 2", NULL, 0, 0.016, "rel"},
    {"25 ℃", NULL, 1, 298.15, "K"},
    {"0.8 ℃", NULL, 0, 0.8, "K"},
    {"U=48 μg（k=2）", NULL, 0, 4.8e-8, "kg"},
    {"U = 0.3 mmHg, k = 2", NULL, 0, 39.9967162245, "Pa"},
    {"U=12 ps（k=2）", NULL, 0, 1.2e-11, "s"},
    {"612", "MPa", 1, 6.12e8, "Pa"},
    {"2.1 pm", NULL, 1, 2.1e-12, "m"},
    {"160 Wh/kg", NULL, 1, 160, NULL},
};

static const struct {
    const char *text;
    double k;
} coverages[] = {
    {"U=0.05 mK（k=2）", 2},   {"U = 0.8 pm, k = 2", 2}, {"包含因子k=2", 2},
    {"U=0.3 mK (K=2.3)", 2.3}, {"U=0.3 mK", 0},          {"peak 2 k", 0},
};

static void test_units(void)
{
    char key[256];
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        CHECK_STR(eng_reg_code_key(codes[i].in, strlen(codes[i].in), key, sizeof key), codes[i].key,
                  codes[i].in);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        eng_reg_qty q;
        int rc = eng_reg_value(values[i].text, strlen(values[i].text), values[i].hint,
                               values[i].absolute, &q);
        CHECK(rc == 0, "%s: no value", values[i].text);
        CHECK(fabs(q.value - values[i].value) <= 1e-9 * fabs(values[i].value), "%s: %g, want %g",
              values[i].text, q.value, values[i].value);
        CHECK_STR(q.si, values[i].si, values[i].text);
    }
    for (size_t i = 0; i < sizeof coverages / sizeof coverages[0]; i++)
        CHECK(eng_reg_coverage(coverages[i].text, strlen(coverages[i].text)) == coverages[i].k,
              "%s: k %g", coverages[i].text, coverages[i].k);
    CHECK(eng_reg_scope_covers("温度; 压力; 电学", "voltage"), "电学 covers voltage");
    CHECK(eng_reg_scope_covers("温度；压力", "pressure"), "full-width separator");
    CHECK(!eng_reg_scope_covers("温度; 压力", "mass"), "mass is outside");
    CHECK_STR(eng_reg_quantity_of("热力学温度", strlen("热力学温度")), "temperature", "温度");
}

/* ---- checks ------------------------------------------------------------------------- */

static eng_reg_entry entry(const char *code, const char *name, const char *holder)
{
    eng_reg_entry e;
    eng_reg_entry_init(&e);
    e.code = code ? strdup(code) : NULL;
    e.name = name ? strdup(name) : NULL;
    e.holder = holder ? strdup(holder) : NULL;
    return e;
}

static void add(eng_store *st, int kind, const char *name, eng_reg_entry *v, size_t n)
{
    char *text, hex[65];
    long id;
    int already;
    CHECK(eng_reg_canonical(kind, v, n, &text, hex, NULL) == ENG_OK, "canonical %s", name);
    free(text);
    CHECK(eng_store_reg_add(st, kind, name, "test", hex, v, n, &id, &already, NULL) == ENG_OK,
          "add %s", name);
    for (size_t i = 0; i < n; i++)
        eng_reg_entry_release(&v[i]);
}

static void load_registries(eng_store *st)
{
    eng_reg_entry labs[3];
    labs[0] = entry("CNAS L3067", "西部计量科学研究院", NULL);
    labs[0].scope = strdup("温度; 压力");
    labs[0].valid_from = strdup("2019-05-01");
    labs[0].valid_to = strdup("2025-04-30");
    labs[1] = entry("CNAS L5102", "国家氢能产品质量检验检测中心", NULL);
    labs[1].valid_from = strdup("2016-07-01");
    labs[1].valid_to = strdup("2022-06-30");
    labs[2] = entry("A2LA 1234.01", "Keystone Calibration Services", NULL);
    labs[2].aliases = strdup("CMA 201912345678");
    add(st, ENG_REG_LAB, "labs", labs, 3);

    eng_reg_entry cmc[3];
    const char *holders[] = {"MSL", "NIM", "PTB"};
    const double u[] = {39, 124, 113};
    for (int i = 0; i < 3; i++) {
        char code[32];
        snprintf(code, sizeof code, "CCT-K7 %s", holders[i]);
        cmc[i] = entry(code, NULL, holders[i]);
        cmc[i].quantity = strdup("Temperature of the triple point of water");
        cmc[i].range_min = cmc[i].range_max = 273.16;
        cmc[i].unit = strdup("K");
        cmc[i].uncertainty = u[i];
        cmc[i].unc_unit = strdup("µK");
        cmc[i].k = 2;
    }
    add(st, ENG_REG_CMC, "k7", cmc, 3);

    eng_reg_entry std[3];
    std[2] = entry("ASTM C518-21", "Heat flow meter apparatus", NULL);
    std[0] = entry("GB/T 22900-2009", "科学技术研究项目评价通则", NULL);
    std[0].valid_to = strdup("2022-10-12");
    std[0].status = strdup("被代替");
    std[1] = entry("GB/T 22900-2022", "科学技术研究项目评价通则", NULL);
    add(st, ENG_REG_STANDARD, "standards", std, 3);

    eng_reg_entry crm[1];
    crm[0] = entry("GBW 07401", "土壤成分分析标准物质", NULL);
    add(st, ENG_REG_CRM, "crm", crm, 1);
}

typedef struct check_case {
    int kind;
    const char *claim;
    const char *achieved, *unit; /* the indicator's value; NULL: a record-level claim */
    const char *date;            /* acceptance date */
    int verdict;
    const char *entry_code; /* NULL: none */
    const char *evidence;   /* a part of the evidence */
} check_case;

static const check_case cases[] = {
    {ENG_REF_LAB, "CNAS L3067", "273.16", "K", "2022-11-18", ENG_VERDICT_VERIFIED, "CNAS L3067",
     "the scope covers temperature"},
    {ENG_REF_LAB, "L3067", "1.2", "μg", "2022-11-18", ENG_VERDICT_OUT_OF_SCOPE, "CNAS L3067",
     "does not cover mass"},
    {ENG_REF_LAB, "CNAS L3067", NULL, NULL, "2026-01-01", ENG_VERDICT_EXPIRED, "CNAS L3067",
     "valid to 2025-04-30"},
    {ENG_REF_LAB, "CNAS L3067", NULL, NULL, NULL, ENG_VERDICT_NOT_CHECKABLE, "CNAS L3067",
     "no report date"},
    {ENG_REF_LAB, "CNAS L5102", NULL, NULL, "2023-06-15", ENG_VERDICT_EXPIRED, "CNAS L5102",
     "2022-06-30"},
    {ENG_REF_LAB, "CNAS L9931", NULL, NULL, "2023-06-15", ENG_VERDICT_NOT_FOUND, NULL,
     "no laboratory \"CNAS L9931\" in labs (3 entries"},
    {ENG_REF_LAB, "CMA 201912345678", NULL, NULL, "2023-01-01", ENG_VERDICT_VERIFIED,
     "A2LA 1234.01", "accredited"},
    {ENG_REF_LAB, "UKAS 3067", NULL, NULL, "2023-01-01", ENG_VERDICT_NOT_FOUND, NULL, "no lab"},
    {ENG_REF_LAB, "A2LA cert 1234.01", NULL, NULL, "2023-01-01", ENG_VERDICT_VERIFIED,
     "A2LA 1234.01", "accredited"},
    {ENG_REF_LAB, "A2LA Lab Code 1234.01", NULL, NULL, "2023-01-01", ENG_VERDICT_VERIFIED,
     "A2LA 1234.01", "accredited"},
    {ENG_REF_LAB, "NVLAP 1234.01", NULL, NULL, "2023-01-01", ENG_VERDICT_NOT_FOUND, NULL, "no lab"},
    {ENG_REF_INSTITUTE, "中国计量科学研究院", "273.16", "K", "2023-01-01", ENG_VERDICT_VERIFIED,
     "CCT-K7 NIM", "covers temperature"},
    {ENG_REF_INSTITUTE, "PTB", "1.2", "μg", "2023-01-01", ENG_VERDICT_OUT_OF_SCOPE, "CCT-K7 PTB",
     "none for mass"},
    {ENG_REF_INSTITUTE, "PTB", NULL, NULL, "2023-01-01", ENG_VERDICT_NOT_CHECKABLE, "CCT-K7 PTB",
     "no measured value"},
    {ENG_REF_INSTITUTE, "KRISS", "273.16", "K", "2023-01-01", ENG_VERDICT_NOT_FOUND, NULL,
     "no CMC and no laboratory"},
    {ENG_REF_INSTITUTE, "西部计量科学研究院", "273.16", "K", "2023-01-01", ENG_VERDICT_VERIFIED,
     "CNAS L3067", "accredited"},
    {ENG_REF_UNCERTAINTY, "U=0.02 mK（k=2）", "273.16", "K", "2023-01-01", ENG_VERDICT_IMPLAUSIBLE,
     "CCT-K7 MSL", "smaller than the best CMC anywhere at this value"},
    {ENG_REF_UNCERTAINTY, "U = 0.05 mK, k = 2", "273.16", "K", "2023-01-01", ENG_VERDICT_VERIFIED,
     "CCT-K7 MSL", "not smaller"},
    {ENG_REF_UNCERTAINTY, "U=0.01 mK", NULL, NULL, "2023-01-01", ENG_VERDICT_IMPLAUSIBLE,
     "CCT-K7 MSL", "k = 2, not stated"},
    {ENG_REF_UNCERTAINTY, "U=0.3 mm（k=2）", "5", "mm", "2023-01-01", ENG_VERDICT_NOT_CHECKABLE,
     NULL, "no CMC with an uncertainty in m"},
    {ENG_REF_UNCERTAINTY, "Urel=1×10⁻⁸（k=2）", "273.16", "K", "2023-01-01",
     ENG_VERDICT_IMPLAUSIBLE, "CCT-K7 MSL", "smaller"},
    {ENG_REF_UNCERTAINTY, "U=0.6 fT/Hz^1/2（k=2）", "6.5", NULL, "2023-01-01",
     ENG_VERDICT_NOT_CHECKABLE, NULL, "no uncertainty value with a known unit"},
    {ENG_REF_STANDARD, "GB/T 22900-2009", NULL, NULL, "2023-03-15", ENG_VERDICT_EXPIRED,
     "GB/T 22900-2009", "被代替"},
    {ENG_REF_STANDARD, "GB/T 22900-2009", NULL, NULL, "2021-03-15", ENG_VERDICT_VERIFIED,
     "GB/T 22900-2009", "listed"},
    {ENG_REF_STANDARD, "GB/T 22900", NULL, NULL, "2023-03-15", ENG_VERDICT_VERIFIED,
     "GB/T 22900-2022", "listed"},
    {ENG_REF_STANDARD, "GB/T 22900-2015", NULL, NULL, "2023-03-15", ENG_VERDICT_NOT_FOUND, NULL,
     "the registry holds GB/T 22900-2009"},
    {ENG_REF_STANDARD, "ASTM C518", NULL, NULL, "2023-03-15", ENG_VERDICT_VERIFIED, "ASTM C518-21",
     "listed"},
    {ENG_REF_CRM, "GBW07401", NULL, NULL, "2023-03-15", ENG_VERDICT_VERIFIED, "GBW 07401",
     "listed"},
    {ENG_REF_CRM, "GBW(E) 080001", NULL, NULL, "2023-03-15", ENG_VERDICT_NOT_FOUND, NULL,
     "no reference material"},
};

static void test_checks(eng_regset *rs)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const check_case *c = &cases[i];
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "P1", NULL);
        if (c->date)
            eng_record_set(&r, "acceptance.date", c->date, NULL);
        int item = -1;
        if (c->achieved) {
            eng_indicator *ind = eng_record_add_indicator(&r);
            eng_indicator_set(ind, "name", "indicator", NULL);
            eng_indicator_set(ind, "achieved", c->achieved, NULL);
            if (c->unit)
                eng_indicator_set(ind, "unit", c->unit, NULL);
            item = 0;
        }
        eng_reg_ref ref = {c->kind, c->claim, strlen(c->claim), item};
        eng_reg_check out;
        CHECK(eng_reg_check_ref(rs, &r, &ref, &out, NULL) == ENG_OK, "case %zu runs", i);
        CHECK(out.verdict == c->verdict, "case %zu (%s): verdict %s, want %s; evidence: %s", i,
              c->claim, eng_verdict_name(out.verdict), eng_verdict_name(c->verdict),
              out.evidence ? out.evidence : "");
        CHECK_STR(out.entry_code, c->entry_code, c->claim);
        CHECK(out.evidence && strstr(out.evidence, c->evidence), "case %zu (%s): evidence \"%s\"",
              i, c->claim, out.evidence ? out.evidence : "");
        /* never a verdict without its entry or the reason there is none */
        CHECK(out.evidence && *out.evidence, "case %zu: evidence", i);
        CHECK(out.entry || out.verdict == ENG_VERDICT_NOT_FOUND ||
                  out.verdict == ENG_VERDICT_NOT_CHECKABLE,
              "case %zu: an entry", i);
        eng_reg_check_release(&out);
        eng_record_release(&r);
    }
}

int main(void)
{
    test_units();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/r.db", dir);
    eng_store *st;
    eng_err err;
    CHECK(eng_store_open(path, &st, &err) == ENG_OK, "open: %s", err.msg);
    load_registries(st);

    /* the same entries again: the same version, nothing added */
    eng_reg_entry again[1];
    again[0] = entry("GBW 07401", "土壤成分分析标准物质", NULL);
    char *text, hex[65];
    long id;
    int already = 0;
    eng_reg_canonical(ENG_REG_CRM, again, 1, &text, hex, NULL);
    free(text);
    CHECK(eng_store_reg_add(st, ENG_REG_CRM, "crm", "again", hex, again, 1, &id, &already, NULL) ==
                  ENG_OK &&
              already,
          "re-import is a no-op");
    eng_reg_entry_release(&again[0]);

    eng_reg_info *infos;
    size_t ninfos;
    CHECK(eng_store_reg_list(st, &infos, &ninfos, NULL) == ENG_OK && ninfos == 4, "4 versions");
    eng_reg_infos_free(infos, ninfos);

    eng_regset *rs = NULL;
    CHECK(eng_regset_load(st, &rs, &err) == ENG_OK, "load: %s", err.msg);
    CHECK(eng_regset_entries(rs) == 10, "10 entries loaded, got %zu", eng_regset_entries(rs));
    /* Lazy: nothing is indexed until a check needs it, then only its kind. */
    CHECK(eng_regset_indexed(rs) == 0, "none indexed before a check, got %zu",
          eng_regset_indexed(rs));
    {
        eng_record r;
        eng_record_init(&r);
        eng_record_set(&r, "id", "P0", NULL);
        eng_reg_ref ref = {ENG_REF_STANDARD, "GB/T 1-2020", 11, -1};
        eng_reg_check out;
        CHECK(eng_reg_check_ref(rs, &r, &ref, &out, NULL) == ENG_OK, "standard check runs");
        CHECK(eng_regset_indexed(rs) == 3, "only the 3 standards indexed, got %zu",
              eng_regset_indexed(rs));
        eng_reg_check_release(&out);
        eng_record_release(&r);
    }
    CHECK(eng_regset_add_aliases(rs, "NIM = 中国计量科学研究院 = 中国计量院", &err) == ENG_OK,
          "aliases");
    test_checks(rs);
    eng_regset_free(rs);
    eng_store_close(st);
    unlink(path);
    rmdir(dir);
    return check_done("test_registry");
}
