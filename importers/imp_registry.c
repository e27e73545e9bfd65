/*
 * imp_registry: registry files into registry versions (see imp_registry.h).
 */
#include "importers/imp_registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base_buf.h"
#include "engine/eng_registry.h"
#include "importers/imp_csv.h"
#include "importers/imp_import.h"
#include "importers/imp_json.h"
#include "importers/imp_alias.h"
#include "importers/imp_value.h"
#include "importers/imp_xlsx.h"

enum {
    F_NONE,
    F_CODE,
    F_NAME,
    F_HOLDER,
    F_ALIASES,
    F_COUNTRY,
    F_QUANTITY,
    F_SCOPE,
    F_RANGE,
    F_RMIN,
    F_RMAX,
    F_UNIT,
    F_UNC,
    F_UNCUNIT,
    F_K,
    F_FROM,
    F_TO,
    F_STATUS,
    F_SOURCE,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    NULL,    "code",       "name",      "holder",    "aliases", "country",     "quantity",
    "scope", "range",      "range_min", "range_max", "unit",    "uncertainty", "unc_unit",
    "k",     "valid_from", "valid_to",  "status",    "source"};

/* Keys as imp_alias_key() leaves them. */
static const struct {
    const char *key;
    int field;
} aliases[] = {
    {"code", F_CODE},
    {"id", F_CODE},
    {"number", F_CODE},
    {"no", F_CODE},
    {"kcdbcode", F_CODE},
    {"accreditationnumber", F_CODE},
    {"accreditationno", F_CODE},
    {"registrationnumber", F_CODE},
    {"registrationno", F_CODE},
    {"certificatenumber", F_CODE},
    {"certificateno", F_CODE},
    {"standardnumber", F_CODE},
    {"standardno", F_CODE},
    {"crmnumber", F_CODE},
    {"crmno", F_CODE},
    {"crm", F_CODE},
    {"srm", F_CODE},
    {"注册号", F_CODE},
    {"认可编号", F_CODE},
    {"认可证书编号", F_CODE},
    {"认可号", F_CODE},
    {"证书编号", F_CODE},
    {"编号", F_CODE},
    {"代码", F_CODE},
    {"标准号", F_CODE},
    {"标准编号", F_CODE},
    {"标准物质编号", F_CODE},
    {"资质认定证书编号", F_CODE},
    {"name", F_NAME},
    {"laboratory", F_NAME},
    {"laboratoryname", F_NAME},
    {"labname", F_NAME},
    {"institution", F_NAME},
    {"title", F_NAME},
    {"standardtitle", F_NAME},
    {"nminame", F_NAME},
    {"名称", F_NAME},
    {"机构名称", F_NAME},
    {"实验室名称", F_NAME},
    {"单位名称", F_NAME},
    {"标准名称", F_NAME},
    {"标准物质名称", F_NAME},
    {"计量标准名称", F_NAME},
    {"基准名称", F_NAME},
    {"holder", F_HOLDER},
    {"nmi", F_HOLDER},
    {"nmicode", F_HOLDER},
    {"institute", F_HOLDER},
    {"producer", F_HOLDER},
    {"producernmi", F_HOLDER},
    {"organisation", F_HOLDER},
    {"organization", F_HOLDER},
    {"持有单位", F_HOLDER},
    {"保存单位", F_HOLDER},
    {"建标单位", F_HOLDER},
    {"研制单位", F_HOLDER},
    {"生产单位", F_HOLDER},
    {"所属单位", F_HOLDER},
    {"aliases", F_ALIASES},
    {"alias", F_ALIASES},
    {"othernames", F_ALIASES},
    {"acronym", F_ALIASES},
    {"abbreviation", F_ALIASES},
    {"别名", F_ALIASES},
    {"简称", F_ALIASES},
    {"英文名称", F_ALIASES},
    {"其他名称", F_ALIASES},
    {"country", F_COUNTRY},
    {"国家", F_COUNTRY},
    {"国家/地区", F_COUNTRY},
    {"quantity", F_QUANTITY},
    {"measurand", F_QUANTITY},
    {"analyte", F_QUANTITY},
    {"parameter", F_QUANTITY},
    {"量", F_QUANTITY},
    {"被测量", F_QUANTITY},
    {"测量参数", F_QUANTITY},
    {"参数", F_QUANTITY},
    {"分析物", F_QUANTITY},
    {"特性量", F_QUANTITY},
    {"scope", F_SCOPE},
    {"accreditedscope", F_SCOPE},
    {"accreditationscope", F_SCOPE},
    {"认可范围", F_SCOPE},
    {"检测范围", F_SCOPE},
    {"能力范围", F_SCOPE},
    {"认可领域", F_SCOPE},
    {"检测能力", F_SCOPE},
    {"range", F_RANGE},
    {"measurementrange", F_RANGE},
    {"测量范围", F_RANGE},
    {"量值范围", F_RANGE},
    {"rangemin", F_RMIN},
    {"lowerlimit", F_RMIN},
    {"minimum", F_RMIN},
    {"下限", F_RMIN},
    {"测量范围下限", F_RMIN},
    {"rangemax", F_RMAX},
    {"upperlimit", F_RMAX},
    {"maximum", F_RMAX},
    {"上限", F_RMAX},
    {"测量范围上限", F_RMAX},
    {"unit", F_UNIT},
    {"units", F_UNIT},
    {"单位", F_UNIT},
    {"计量单位", F_UNIT},
    {"uncertainty", F_UNC},
    {"expandeduncertainty", F_UNC},
    {"cmcuncertainty", F_UNC},
    {"uncertaintybest", F_UNC},
    {"不确定度", F_UNC},
    {"扩展不确定度", F_UNC},
    {"测量不确定度", F_UNC},
    {"uncertaintyunit", F_UNCUNIT},
    {"不确定度单位", F_UNCUNIT},
    {"k", F_K},
    {"coveragefactor", F_K},
    {"包含因子", F_K},
    {"validfrom", F_FROM},
    {"issued", F_FROM},
    {"issuedate", F_FROM},
    {"effectivedate", F_FROM},
    {"accreditedsince", F_FROM},
    {"publicationdate", F_FROM},
    {"生效日期", F_FROM},
    {"认可日期", F_FROM},
    {"发布日期", F_FROM},
    {"实施日期", F_FROM},
    {"批准日期", F_FROM},
    {"发证日期", F_FROM},
    {"validto", F_TO},
    {"validuntil", F_TO},
    {"expiry", F_TO},
    {"expirydate", F_TO},
    {"expires", F_TO},
    {"expirationdate", F_TO},
    {"withdrawn", F_TO},
    {"有效期至", F_TO},
    {"有效期", F_TO},
    {"截止日期", F_TO},
    {"失效日期", F_TO},
    {"废止日期", F_TO},
    {"到期日期", F_TO},
    {"status", F_STATUS},
    {"state", F_STATUS},
    {"状态", F_STATUS},
    {"认可状态", F_STATUS},
    {"source", F_SOURCE},
    {"url", F_SOURCE},
    {"origin", F_SOURCE},
    {"reference", F_SOURCE},
    {"来源", F_SOURCE},
    {"出处", F_SOURCE},
    {"数据来源", F_SOURCE},
};

static int field_of(const char *key)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(aliases[i].key, key))
            return aliases[i].field;
    return F_NONE;
}

void imp_reg_result_release(imp_reg_result *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->ignored);
    free(r->mapping);
    memset(r, 0, sizeof *r);
}

/* ---- cells ------------------------------------------------------------------- */

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* A number with an optional unit after it.  OUT: *v (NaN for a
 * placeholder), unit (the rest, trimmed; "" when none).  Returns ENG_OK or
 * ENG_EINPUT. */
static int read_number(const char *s, double *v, char unit[32], eng_err *err)
{
    unit[0] = '\0';
    if (!*s || imp_value_is_placeholder(s, 0)) {
        *v = NAN;
        return ENG_OK;
    }
    char *end;
    double d = strtod(s, &end);
    if (end == s || isnan(d) || isinf(d))
        return eng_fail(err, ENG_EINPUT, "expected a number (with its unit, if any), got \"%.40s\"",
                        s);
    while (*end == ' ')
        end++;
    snprintf(unit, 32, "%s", end);
    size_t n = strlen(unit);
    while (n && unit[n - 1] == ' ')
        unit[--n] = '\0';
    *v = d;
    return ENG_OK;
}

/* "0.01 K to 1000 K", "83.8～505 K", "0.005 lx to 10 lx", "to 200 kV". */
static int read_range(const char *s, double *lo, double *hi, char unit[32], eng_err *err)
{
    static const char *const seps[] = {" to ", "～", "~", "至", "…", "—", "–", " - ", NULL};
    const char *at = NULL;
    size_t sl = 0;
    for (size_t i = 0; seps[i] && !at; i++)
        if ((at = strstr(s, seps[i])))
            sl = strlen(seps[i]);
    if (!at) {
        /* "10-20 K": a hyphen after a digit */
        for (const char *p = s + 1; *p && !at; p++)
            if (*p == '-' && p[-1] >= '0' && p[-1] <= '9' && p[-1] != 'e')
                at = p, sl = 1;
    }
    if (!strncasecmp(s, "to ", 3) || !strncasecmp(s, "up to ", 6)) {
        *lo = NAN;
        return read_number(s + (s[0] == 't' || s[0] == 'T' ? 3 : 6), hi, unit, err);
    }
    if (!at)
        return eng_fail(err, ENG_EINPUT,
                        "expected a range \"MIN to MAX UNIT\" (or 83.8～505 K), got \"%.40s\"", s);
    char left[128], u1[32];
    size_t ll = (size_t)(at - s) < sizeof left - 1 ? (size_t)(at - s) : sizeof left - 1;
    memcpy(left, s, ll);
    left[ll] = '\0';
    int rc = read_number(left, lo, u1, err);
    if (!rc)
        rc = read_number(at + sl, hi, unit, err);
    if (!rc && !unit[0])
        snprintf(unit, 32, "%s", u1);
    return rc;
}

static int set_text(char **slot, const char *cell)
{
    char *t = trimmed(cell, strlen(cell));
    if (!t)
        return -1;
    if (!*t || imp_value_is_placeholder(t, 0)) {
        free(t);
        return 0;
    }
    free(*slot);
    *slot = t;
    return 0;
}

/* Fills e from one row.  cols[i] is the field of column i; units[i] a unit
 * from its header's bracket.  Returns ENG_OK, or ENG_EINPUT with "field 'x':
 * ..." (the caller adds file and line). */
static int read_entry(const imp_row *row, const int *cols, char units[][64], size_t ncols,
                      eng_reg_entry *e, eng_err *err)
{
    char unit[32];
    int rc = ENG_OK;
    for (size_t i = 0; i < ncols && i < row->ncells && !rc; i++) {
        const char *cell = row->cells[i];
        int f = cols[i];
        eng_err e2;
        eng_err_clear(&e2);
        char *t = trimmed(cell, strlen(cell));
        if (!t)
            return eng_fail(err, ENG_EIO, "out of memory");
        double v;
        char date[11];
        switch (f) {
        case F_CODE:
        case F_NAME:
        case F_HOLDER:
        case F_COUNTRY:
        case F_QUANTITY:
        case F_SCOPE:
        case F_UNIT:
        case F_UNCUNIT:
        case F_STATUS:
        case F_SOURCE: {
            char **slots[F_COUNT] = {0};
            slots[F_CODE] = &e->code;
            slots[F_NAME] = &e->name;
            slots[F_HOLDER] = &e->holder;
            slots[F_COUNTRY] = &e->country;
            slots[F_QUANTITY] = &e->quantity;
            slots[F_SCOPE] = &e->scope;
            slots[F_UNIT] = &e->unit;
            slots[F_UNCUNIT] = &e->unc_unit;
            slots[F_STATUS] = &e->status;
            slots[F_SOURCE] = &e->source;
            if (*slots[f] == NULL && set_text(slots[f], t))
                rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        case F_ALIASES:
            /* a JSON list (former acronyms) or a ';'-separated cell */
            if (t[0] == '[') {
                for (char *p = t; *p; p++)
                    if (*p == '[' || *p == ']' || *p == '"')
                        *p = ' ';
                    else if (*p == ',')
                        *p = ';';
            }
            if (!e->aliases && set_text(&e->aliases, t))
                rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        case F_RANGE:
            if (*t && !imp_value_is_placeholder(t, 0) && isnan(e->range_min) &&
                isnan(e->range_max)) {
                if (read_range(t, &e->range_min, &e->range_max, unit, &e2))
                    rc = eng_fail(err, ENG_EINPUT, "field 'range': %s", e2.msg);
                else if (*unit && !e->unit && !(e->unit = strdup(unit)))
                    rc = eng_fail(err, ENG_EIO, "out of memory");
            }
            break;
        case F_RMIN:
        case F_RMAX:
        case F_UNC:
        case F_K:
            if (read_number(t, &v, unit, &e2)) {
                rc = eng_fail(err, ENG_EINPUT, "field '%s': %s", field_names[f], e2.msg);
                break;
            }
            if (!*unit && units[i][0])
                snprintf(unit, sizeof unit, "%s", units[i]);
            if (isnan(v))
                break;
            if (f == F_RMIN && isnan(e->range_min))
                e->range_min = v;
            else if (f == F_RMAX && isnan(e->range_max))
                e->range_max = v;
            else if (f == F_K && isnan(e->k))
                e->k = v;
            else if (f == F_UNC && isnan(e->uncertainty))
                e->uncertainty = v;
            if (*unit && f == F_UNC && !e->unc_unit && !(e->unc_unit = strdup(unit)))
                rc = eng_fail(err, ENG_EIO, "out of memory");
            if (*unit && (f == F_RMIN || f == F_RMAX) && !e->unit && !(e->unit = strdup(unit)))
                rc = eng_fail(err, ENG_EIO, "out of memory");
            if (*unit && f == F_K)
                rc = eng_fail(err, ENG_EINPUT,
                              "field 'k': a coverage factor has no unit, got "
                              "\"%.40s\"",
                              t);
            break;
        case F_FROM:
        case F_TO:
            if (imp_value_date(t, date, &e2)) {
                rc = eng_fail(err, ENG_EINPUT, "field '%s': %s", field_names[f], e2.msg);
            } else if (*date && !*(f == F_FROM ? &e->valid_from : &e->valid_to)) {
                char **slot = f == F_FROM ? &e->valid_from : &e->valid_to;
                if (!(*slot = strdup(date)))
                    rc = eng_fail(err, ENG_EIO, "out of memory");
            }
            break;
        default:
            break;
        }
        free(t);
    }
    /* A unit from a header bracket fills what no cell did. */
    for (size_t i = 0; i < ncols && !rc; i++) {
        if (!units[i][0])
            continue;
        if ((cols[i] == F_RANGE || cols[i] == F_RMIN || cols[i] == F_RMAX) && !e->unit &&
            !(e->unit = strdup(units[i])))
            rc = eng_fail(err, ENG_EIO, "out of memory");
    }
    return rc;
}

/* ---- the file ------------------------------------------------------------------ */

static int open_rows(const char *path, const imp_reg_options *opt, imp_rows **rows, eng_err *err)
{
    const char *fmt = imp_import_format(path, err);
    if (!fmt)
        return err->code;
    if (!strcmp(fmt, "json")) {
        if (opt->sheet || opt->encoding || opt->delimiter)
            return eng_fail(err, ENG_EUSAGE,
                            "%s: --sheet, --encoding and --delimiter do not apply to JSON", path);
        return imp_json_rows_open(path, rows, err);
    }
    if (!strcmp(fmt, "xlsx")) {
        if (opt->encoding || opt->delimiter)
            return eng_fail(err, ENG_EUSAGE,
                            "%s: --encoding and --delimiter apply to CSV files, not to .xlsx",
                            path);
        return imp_xlsx_open(path, opt->sheet, rows, err);
    }
    if (opt->sheet)
        return eng_fail(err, ENG_EUSAGE, "%s: --sheet applies to .xlsx files", path);
    imp_csv_options co = {opt->encoding, opt->delimiter};
    size_t pl = strlen(path);
    if (!co.delimiter && pl > 4 && !strcasecmp(path + pl - 4, ".tsv"))
        co.delimiter = '\t';
    return imp_csv_open(path, &co, rows, NULL, err);
}

static int nonempty_cells(const imp_row *row)
{
    int n = 0;
    for (size_t i = 0; i < row->ncells; i++) {
        const char *c = row->cells[i];
        while (*c == ' ' || *c == '\t')
            c++;
        n += *c != '\0';
    }
    return n;
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

int imp_registry_import(eng_store *st, const char *path, const imp_reg_options *opt,
                        imp_reg_result *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    if (!eng_reg_kind_name(opt->kind))
        return eng_fail(err, ENG_EUSAGE, "--kind must be lab, cmc, standard or crm");
    imp_rows *rows = NULL;
    int rc = open_rows(path, opt, &rows, err);
    if (rc)
        return rc;
    int *cols = NULL;
    char(*units)[64] = NULL;
    size_t ncols = 0;
    eng_reg_entry *v = NULL;
    size_t n = 0, cap = 0;
    char *canon = NULL;
    base_buf ignored = {0}, mapping = {0};
    imp_row row;
    int got, titles = 0;
    long header_line = 0;
    /* The header: the first row with two values or more (a one-column file:
     * its first row); up to three title rows before it. */
    while ((got = rows->next(rows, &row, err)) == 1) {
        if (nonempty_cells(&row) >= 2 || titles == 3)
            break;
        if (nonempty_cells(&row) == 1)
            titles++;
    }
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (got == 0) {
        rc = eng_fail(err, ENG_EINPUT, "%s: no header row: the file is empty", path);
        goto done;
    }
    header_line = row.line;
    ncols = row.ncells;
    cols = calloc(ncols ? ncols : 1, sizeof *cols);
    units = calloc(ncols ? ncols : 1, sizeof *units);
    if (!cols || !units) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    int have_code = 0;
    for (size_t i = 0; i < ncols; i++) {
        char key[256];
        imp_alias_key(row.cells[i], key, units[i]);
        /* Several columns may feed one field: the first non-empty cell wins. */
        int f = field_of(key);
        cols[i] = f;
        have_code |= f == F_CODE;
        base_buf *b = f ? &mapping : &ignored;
        if (f) {
            base_buf_cat(b, "  ");
            base_buf_cat(b, row.cells[i]);
            base_buf_cat(b, " -> ");
            base_buf_cat(b, field_names[f]);
            base_buf_cat(b, "\n");
        } else if (row.cells[i][0]) {
            base_buf_cat(b, b->n ? "; " : "");
            base_buf_cat(b, row.cells[i]);
        }
    }
    if (!have_code) {
        rc = eng_fail(err, ENG_EINPUT,
                      "%s:%ld: no column holds the entries' codes (注册号, 认可编号, 标准号, "
                      "编号, code, id, number, KCDB code ...)",
                      path, header_line);
        goto done;
    }
    while ((got = rows->next(rows, &row, err)) == 1) {
        if (!nonempty_cells(&row))
            continue;
        if (row.ncells > ncols) {
            for (size_t i = ncols; i < row.ncells; i++)
                if (row.cells[i][0]) {
                    rc = eng_fail(err, ENG_EINPUT,
                                  "%s:%ld: a value in column %zu, beyond the header's %zu columns",
                                  path, row.line, i + 1, ncols);
                    goto done;
                }
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            eng_reg_entry *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = eng_fail(err, ENG_EIO, "out of memory");
                goto done;
            }
            v = nv;
            cap = nc;
        }
        eng_reg_entry *e = &v[n++];
        eng_reg_entry_init(e);
        e->line = row.line;
        eng_err e2;
        eng_err_clear(&e2);
        if ((rc = read_entry(&row, cols, units, ncols, e, &e2)) ||
            (rc = eng_reg_entry_validate(opt->kind, e, &e2))) {
            eng_fail(err, rc, "%s:%ld: %s", path, row.line, e2.msg);
            goto done;
        }
        if (!e->code && !(e->code = strdup(""))) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
    }
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (!n) {
        rc = eng_fail(err, ENG_EINPUT, "%s: no entries after the header (line %ld)", path,
                      header_line);
        goto done;
    }
    if ((rc = eng_reg_canonical(opt->kind, v, n, &canon, out->sha256, err)))
        goto done;
    out->name = opt->name ? strdup(opt->name) : base_name(path);
    if (!out->name || ignored.oom || mapping.oom) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    out->entries = n;
    rc = eng_store_reg_add(st, opt->kind, out->name, path, out->sha256, v, n, &out->id,
                           &out->already, err);
    if (!rc) {
        out->ignored = ignored.p;
        out->mapping = mapping.p;
        ignored.p = mapping.p = NULL;
    }
done:
    free(ignored.p);
    free(mapping.p);
    free(canon);
    eng_reg_entries_free(v, n);
    free(cols);
    free(units);
    imp_rows_free(rows);
    return rc;
}
