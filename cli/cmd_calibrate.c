/*
 * cmd_calibrate: `vernier calibrate LABELS.csv|LABELS.jsonl [--rules DIR]
 * [-o OUTDIR] [--folds K] [--seed S] [--records FILE] [--no-fit]`.
 *
 * Reads reference TRL ratings (importers/imp_labels.h), finds the record of
 * each (the label file's own text, else --records FILE, else the store),
 * evaluates the rule set once per record, fits and measures the TRL
 * parameters by k-fold cross-validation (engine/eng_calib.h) and writes a
 * NEW rule set into OUTDIR (rules/rule.h rule_set_write): the input set
 * with the fitted parameters, a new version and the calibration record.
 * The input set is never written to.  The written set is loaded back and
 * checked (it loads, its hash differs, its record names its own method).
 * The record's date is today (UTC), or the date of $VERNIER_NOW (golden
 * tests pin the clock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include "base/base_sha256.h"
#include "cli/cli.h"
#include "engine/eng_calib.h"
#include "importers/imp_labels.h"
#include "importers/imp_records.h"

static const char usage[] =
    "vernier calibrate LABELS.csv|LABELS.jsonl [--rules DIR] [-o OUTDIR] [--folds K] [--seed S] "
    "[--records FILE] [--no-fit]";

/* sha256 of a whole file. */
static int file_sha256(const char *path, char out[65], eng_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot read", path);
    base_sha256_ctx c;
    base_sha256_init(&c);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        base_sha256_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return eng_fail(err, ENG_EIO, "%s: cannot read", path);
    base_sha256_final_hex(&c, out);
    return ENG_OK;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int valid_date(const char *d)
{
    int y, m, dd;
    char tail;
    return strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) == 3 && m >= 1 &&
           m <= 12 && dd >= 1 && dd <= 31;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The records of the labels, in label order: from --records FILE. */
static int records_from_file(const char *path, const imp_labels *L, const char *labels_path,
                             eng_record *recs, eng_err *err)
{
    imp_records *r;
    int rc = imp_records_open(path, NULL, &r, err);
    if (rc)
        return rc;
    unsigned char *got = calloc(L->n ? L->n : 1, 1);
    if (!got) {
        imp_records_free(r);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    for (;;) {
        eng_record rec;
        eng_record_init(&rec);
        int k = imp_records_next(r, &rec, err);
        if (k <= 0) {
            eng_record_release(&rec);
            rc = k < 0 ? -k : ENG_OK;
            break;
        }
        for (size_t i = 0; i < L->n; i++)
            if (!got[i] && rec.id && !strcmp(rec.id, L->v[i].id)) {
                recs[i] = rec;
                got[i] = 1;
                eng_record_init(&rec);
                break;
            }
        eng_record_release(&rec);
    }
    imp_records_free(r);
    for (size_t i = 0; rc == ENG_OK && i < L->n; i++)
        if (!got[i])
            rc = eng_fail(err, ENG_EINPUT, "%s:%ld: field '%s': id \"%s\" is not in %s",
                          labels_path, L->v[i].line, L->id_field, L->v[i].id, path);
    free(got);
    return rc;
}

/* The records of the labels, in label order: from the store. */
static int records_from_store(cli_ctx *ctx, const imp_labels *L, const char *labels_path,
                              eng_record *recs)
{
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_err err;
    eng_err_clear(&err);
    for (size_t i = 0; rc == 0 && i < L->n; i++) {
        int k = eng_store_get_record(st, L->v[i].id, &recs[i], &err);
        if (k == ENG_EINPUT || (k == ENG_OK && !recs[i].id)) {
            fprintf(stderr,
                    "vernier: %s:%ld: field '%s': id \"%s\" is not in the store %s (import the "
                    "records first, or give --records FILE)\n",
                    labels_path, L->v[i].line, L->id_field, L->v[i].id, ctx->db);
            rc = 2;
        } else if (k) {
            rc = cli_fail(&err);
        }
    }
    eng_store_close(st);
    return rc;
}

static void print_reading(const char *what, const eng_calib_reading *r)
{
    if (!r->n)
        return;
    printf("%s: %zu labelled, read %zu (%.0f%%)", what, r->n, r->read, 100 * r->coverage);
    if (r->read)
        printf("; MAE %.2f (95%% bootstrap %.2f-%.2f), within ±1 %.0f%%\n", r->mae, r->mae_low,
               r->mae_high, 100 * r->within1);
    else
        printf("\n");
    if (r->read)
        printf("  constant median, same records: MAE %.2f (%.2f-%.2f), within ±1 %.0f%%\n",
               r->base_mae, r->base_mae_low, r->base_mae_high, 100 * r->base_within1);
    printf("  constant median, all %zu: MAE %.2f, within ±1 %.0f%%\n", r->n, r->base_all_mae,
           100 * r->base_all_within1);
    if (r->read && r->mae >= r->base_mae)
        printf("  NOT AHEAD OF THE BASELINE: the constant median is as good or better on the "
               "records read\n");
    printf("  confusion (rows: label 1-9; columns: no reading, reading 1-9):\n");
    for (int l = 0; l < 9; l++) {
        long sum = 0;
        for (int k = 0; k < 10; k++)
            sum += r->confusion[l][k];
        if (!sum)
            continue;
        printf("    %d:", l + 1);
        for (int k = 0; k < 10; k++)
            printf(" %2ld", r->confusion[l][k]);
        printf("\n");
    }
}

int cmd_calibrate(cli_ctx *ctx, int argc, char **argv)
{
    const char *rules = NULL, *out = NULL, *folds_s = NULL, *seed_s = NULL, *records = NULL,
               *now_s = getenv("VERNIER_NOW");
    int no_fit = 0;
    const cli_opt opts[] = {
        CLI_VALUE("rules", "DIR", &rules, "the rule set to calibrate (default: the default set)"),
        CLI_VALUE("output", "OUTDIR", &out,
                  "the new folder for the calibrated set (default: NAME-calibrated)"),
        CLI_VALUE("folds", "K", &folds_s,
                  "cross-validation folds, 2 to the references (default 5)"),
        CLI_VALUE("seed", "S", &seed_s, "draws the folds and the bootstrap (default 1)"),
        CLI_VALUE("records", "FILE", &records,
                  "the labelled records' text from this file, not the store"),
        CLI_FLAG("no-fit", &no_fit, "keep the set's parameters; only measure them"),
        CLI_END};
    const char *pos[1];
    size_t npos = 0;
    CLI_PARSE(ctx, argc, argv, opts, pos, 1, &npos, usage);
    if (npos < 1)
        return cli_usage_error(usage, "calibrate: name the labels file");
    long folds = 5, seed = 1;
    if (folds_s && parse_int(folds_s, 2, 1000, &folds))
        return cli_usage_error(usage, "--folds takes a whole number from 2, got \"%s\"", folds_s);
    if (seed_s && parse_int(seed_s, 0, 2147483647L, &seed))
        return cli_usage_error(usage, "--seed takes a whole number from 0, got \"%s\"", seed_s);
    char date[16] = "";
    if (now_s && strlen(now_s) >= 10)
        snprintf(date, sizeof date, "%.10s", now_s);
    if (!valid_date(date)) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    const char *path = rules ? rules : cli_default_rules();
    rule_set *set = NULL;
    int rc = cli_load_rules(path, 0, &set);
    if (rc)
        return rc;
    char outbuf[4096];
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "%s-calibrated", rule_set_name(set));
        out = outbuf;
    }
    struct stat st;
    if (stat(out, &st) == 0) {
        fprintf(stderr,
                "vernier: %s already exists: a calibrated set goes to a new folder (-o OUTDIR); "
                "nothing was written\n",
                out);
        rule_set_free(set);
        return 2;
    }
    eng_err err;
    eng_err_clear(&err);
    imp_labels L;
    if ((rc = imp_labels_read(pos[0], &L, &err))) {
        rule_set_free(set);
        return cli_fail(&err);
    }
    /* the references in id order: the folds depend on the seed, not on the file's order */
    size_t n = L.n;
    size_t *order = malloc(n * sizeof *order);
    eng_record *recs = calloc(n, sizeof *recs);
    eng_record *sorted = malloc(n * sizeof *sorted);
    int *labels = malloc(n * sizeof *labels), *ends = malloc(n * sizeof *ends);
    eng_calib_case *cases = NULL;
    char *record = NULL;
    if (!order || !recs || !sorted || !labels || !ends) {
        fprintf(stderr, "vernier: out of memory\n");
        rc = 3;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        eng_record_init(&recs[i]);
    if (L.with_text) {
        for (size_t i = 0; i < n; i++) {
            recs[i] = L.v[i].rec;
            eng_record_init(&L.v[i].rec);
        }
    } else if (records) {
        if ((rc = records_from_file(records, &L, pos[0], recs, &err))) {
            rc = cli_fail(&err);
            goto done;
        }
    } else if ((rc = records_from_store(ctx, &L, pos[0], recs))) {
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++) /* insertion sort by id: n is small */
        for (size_t j = i; j > 0 && strcmp(L.v[order[j - 1]].id, L.v[order[j]].id) > 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        sorted[i] = recs[order[i]];
        labels[i] = L.v[order[i]].trl;
        ends[i] = L.v[order[i]].trl_end;
    }
    if (!ctx->quiet)
        fprintf(stderr, "vernier: evaluating %s on %zu references (%s%s%s)\n", rule_set_name(set),
                n, L.field[0] ? L.field : "", L.field[0] && L.end_field[0] ? ", " : "",
                L.end_field);
    if ((rc = eng_calib_cases(set, sorted, labels, ends, n, &cases, &err))) {
        rc = cli_fail(&err);
        goto done;
    }
    size_t leaks = eng_calib_leaks(cases, n);
    if (leaks)
        fprintf(stderr,
                "vernier: warning: %zu of %zu records carry their label in their own TRL field "
                "(trl_target or acceptance.trl_claimed), which the method reads: their readings "
                "may be the labels themselves; give the records blind (title and text only)\n",
                leaks, n);
    eng_method m;
    eng_method_init(&m, set);
    eng_calib_opts o = {(int)folds, (unsigned long)seed, !no_fit, 2000};
    eng_calib_result res;
    if ((rc = eng_calib_fit(&m, cases, n, &o, &res, &err))) {
        rc = cli_fail(&err);
        goto done;
    }
    rule_param params[ENG_CALIB_MAXP];
    for (size_t k = 0; k < res.nparams; k++) {
        params[k].path = res.names[k];
        params[k].value = res.value[k];
    }
    char refs_sha[65], method[65];
    if ((rc = file_sha256(pos[0], refs_sha, &err)) ||
        (rc = rule_set_method_sha256_with(set, params, res.nparams, method, &err))) {
        rc = cli_fail(&err);
        goto done;
    }
    record = eng_calib_record_json(&res, date, base_name(pos[0]), refs_sha, n, set, method);
    char version[256], compact[16];
    size_t c = 0;
    for (const char *d = date; *d && c + 1 < sizeof compact; d++)
        if (*d != '-')
            compact[c++] = *d;
    compact[c] = '\0';
    snprintf(version, sizeof version, "%s+cal.%s", rule_set_version(set), compact);
    if (!record) {
        fprintf(stderr, "vernier: out of memory\n");
        rc = 3;
        goto done;
    }
    if ((rc = rule_set_write(set, path, out, params, res.nparams, version, record, &err))) {
        rc = cli_fail(&err);
        goto done;
    }
    /* read back: it loads, its hash is new, its record names its method */
    rule_diags d = {0};
    rule_set *back = rule_set_load(out, 0, &d);
    for (size_t i = 0; i < d.n; i++)
        cli_print_diag(&d.v[i]);
    rule_diags_free(&d);
    if (!back || !strcmp(rule_set_sha256(back), rule_set_sha256(set)) ||
        strcmp(rule_set_method_sha256(back), method)) {
        fprintf(stderr, "vernier: %s: the written set does not read back as written\n", out);
        rule_set_free(back);
        rc = 3;
        goto done;
    }
    printf("calibrated %s %s on %s: %zu references (sha256 %.12s...), %ld folds, seed %ld\n",
           rule_set_name(set), rule_set_version(set), base_name(pos[0]), n, refs_sha, folds, seed);
    for (size_t k = 0; k < res.nparams; k++)
        printf("%s: %g -> %g (%s)\n", res.names[k], res.before[k], res.value[k],
               no_fit ? "kept: --no-fit" : "fitted on every reference");
    print_reading("achieved vs "
                  "reached label",
                  &res.achieved);
    print_reading("planned vs aimed-at label", &res.planned);
    printf("wrote %s: %s %s, sha256 %s\n", out, rule_set_name(back), rule_set_version(back),
           rule_set_sha256(back));
    rule_set_free(back);
done:
    free(record);
    free(cases);
    for (size_t i = 0; recs && i < n; i++)
        eng_record_release(&recs[i]);
    free(recs);
    free(sorted);
    free(order);
    free(labels);
    free(ends);
    imp_labels_free(&L);
    rule_set_free(set);
    return rc;
}
