/*
 * eng_record: the record model and its canonical JSON (see eng_record.h).
 *
 * cJSON is used to read a record object and to build its canonical JSON; it
 * is private to this file.
 */
#include "engine/eng_record.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_sha256.h"

const char *const eng_record_fields[] = {
    "id",
    "kind",
    "source",
    "title",
    "abstract",
    "keywords",
    "organisation",
    "pi",
    "field",
    "start",
    "end",
    "budget",
    "currency",
    "trl_start",
    "trl_target",
    "acceptance.date",
    "acceptance.conclusion",
    "acceptance.summary",
    "acceptance.outcomes",
    "acceptance.trl_claimed",
    NULL,
};

const char *const eng_indicator_fields[] = {
    "name", "target",        "achieved",  "unit",        "method",
    "lab",  "accreditation", "report_no", "uncertainty", NULL,
};

void eng_record_init(eng_record *r)
{
    memset(r, 0, sizeof *r);
}

static void kv_free(eng_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void indicator_release(eng_indicator *ind)
{
    free(ind->name);
    free(ind->target);
    free(ind->achieved);
    free(ind->unit);
    free(ind->method);
    free(ind->lab);
    free(ind->accreditation);
    free(ind->report_no);
    free(ind->uncertainty);
    kv_free(ind->extra, ind->nextra);
    memset(ind, 0, sizeof *ind);
}

void eng_record_release(eng_record *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->kind);
    free(r->source);
    free(r->title);
    free(r->abstract);
    for (size_t i = 0; i < r->nkeywords; i++)
        free(r->keywords[i]);
    free(r->keywords);
    free(r->organisation);
    free(r->pi);
    free(r->field);
    free(r->start);
    free(r->end);
    free(r->currency);
    free(r->acc_date);
    free(r->acc_conclusion);
    free(r->acc_summary);
    free(r->acc_outcomes);
    for (size_t i = 0; i < r->nindicators; i++)
        indicator_release(&r->indicators[i]);
    free(r->indicators);
    kv_free(r->extra, r->nextra);
    free(r->prov_file);
    memset(r, 0, sizeof *r);
}

/* ---- value checks ---------------------------------------------------- */

static int is_blank(const char *s)
{
    if (!s)
        return 1;
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Copies s without leading and trailing ASCII white space. */
static char *trimmed_dup(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* Canonical date: YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date. */
static int date_ok(const char *s)
{
    int y, m = 1, d = 1;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        int want_dash = (i == 4 || i == 7);
        if (want_dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    }
    if (n != 4 && n != 7 && n != 10)
        return 0;
    y = atoi(s);
    if (n >= 7)
        m = atoi(s + 5);
    if (n == 10)
        d = atoi(s + 8);
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    return 1;
}

static int parse_trl(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end || v < 1 || v > 9)
        return 0;
    *out = (int)v;
    return 1;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int replace_str(char **slot, const char *value, eng_err *err, const char *field)
{
    char *d = NULL;
    if (!is_blank(value)) {
        d = trimmed_dup(value);
        if (!d)
            return eng_fail(err, ENG_EIO, "field '%s': out of memory", field);
    }
    free(*slot);
    *slot = d;
    return ENG_OK;
}

/* Splits a keyword list at ; ， , ；、 and line breaks. */
static int set_keywords(eng_record *r, const char *value, eng_err *err)
{
    char **kw = NULL;
    size_t n = 0;
    const char *p = value ? value : "";
    while (*p) {
        size_t len = 0;
        const char *q = p;
        size_t seplen = 0;
        while (q[len]) {
            const char *c = q + len;
            if (*c == ';' || *c == ',' || *c == '\n' || *c == '\r') {
                seplen = 1;
                break;
            }
            if (!strncmp(c, "，", 3) || !strncmp(c, "；", 3) || !strncmp(c, "、", 3)) {
                seplen = 3;
                break;
            }
            len++;
        }
        char *one = malloc(len + 1);
        if (!one)
            goto oom;
        memcpy(one, q, len);
        one[len] = '\0';
        char *t = trimmed_dup(one);
        free(one);
        if (!t)
            goto oom;
        if (*t) {
            char **nk = realloc(kw, (n + 1) * sizeof *kw);
            if (!nk) {
                free(t);
                goto oom;
            }
            kw = nk;
            kw[n++] = t;
        } else {
            free(t);
        }
        p = q + len + seplen;
        if (!seplen)
            break;
    }
    for (size_t i = 0; i < r->nkeywords; i++)
        free(r->keywords[i]);
    free(r->keywords);
    r->keywords = kw;
    r->nkeywords = n;
    return ENG_OK;
oom:
    for (size_t i = 0; i < n; i++)
        free(kw[i]);
    free(kw);
    return eng_fail(err, ENG_EIO, "field 'keywords': out of memory");
}

int eng_record_set(eng_record *r, const char *field, const char *value, eng_err *err)
{
    char **slot = NULL;
    if (!strcmp(field, "id"))
        slot = &r->id;
    else if (!strcmp(field, "kind"))
        slot = &r->kind;
    else if (!strcmp(field, "source"))
        slot = &r->source;
    else if (!strcmp(field, "title"))
        slot = &r->title;
    else if (!strcmp(field, "abstract"))
        slot = &r->abstract;
    else if (!strcmp(field, "organisation"))
        slot = &r->organisation;
    else if (!strcmp(field, "pi"))
        slot = &r->pi;
    else if (!strcmp(field, "field"))
        slot = &r->field;
    else if (!strcmp(field, "currency"))
        slot = &r->currency;
    else if (!strcmp(field, "acceptance.conclusion"))
        slot = &r->acc_conclusion;
    else if (!strcmp(field, "acceptance.summary"))
        slot = &r->acc_summary;
    else if (!strcmp(field, "acceptance.outcomes"))
        slot = &r->acc_outcomes;

    if (slot) {
        if (!strcmp(field, "kind") && !is_blank(value) && strcmp(value, "project") &&
            strcmp(value, "proposal") && strcmp(value, "prior-art"))
            return eng_fail(err, ENG_EINPUT,
                            "field 'kind': expected \"project\", \"proposal\" or \"prior-art\", "
                            "got \"%s\"",
                            value);
        int rc = replace_str(slot, value, err, field);
        if (rc == ENG_OK && !strncmp(field, "acceptance.", 11) && *slot)
            r->has_acceptance = 1;
        return rc;
    }
    if (!strcmp(field, "keywords"))
        return set_keywords(r, value, err);

    if (!strcmp(field, "start") || !strcmp(field, "end") || !strcmp(field, "acceptance.date")) {
        char **dslot = !strcmp(field, "start") ? &r->start
                       : !strcmp(field, "end") ? &r->end
                                               : &r->acc_date;
        if (!is_blank(value)) {
            char *t = trimmed_dup(value);
            if (!t)
                return eng_fail(err, ENG_EIO, "out of memory");
            if (!date_ok(t)) {
                eng_fail(err, ENG_EINPUT,
                         "field '%s': expected a date YYYY, YYYY-MM or YYYY-MM-DD, got \"%s\"",
                         field, t);
                free(t);
                return ENG_EINPUT;
            }
            free(*dslot);
            *dslot = t;
            if (dslot == &r->acc_date)
                r->has_acceptance = 1;
        } else {
            free(*dslot);
            *dslot = NULL;
        }
        return ENG_OK;
    }
    if (!strcmp(field, "budget")) {
        double v;
        if (is_blank(value)) {
            r->has_budget = 0;
            r->budget = 0;
            return ENG_OK;
        }
        if (!parse_number(value, &v) || v < 0)
            return eng_fail(err, ENG_EINPUT,
                            "field 'budget': expected a non-negative number, got \"%s\"", value);
        r->budget = v;
        r->has_budget = 1;
        return ENG_OK;
    }
    if (!strcmp(field, "trl_start") || !strcmp(field, "trl_target") ||
        !strcmp(field, "acceptance.trl_claimed")) {
        int *islot = !strcmp(field, "trl_start")    ? &r->trl_start
                     : !strcmp(field, "trl_target") ? &r->trl_target
                                                    : &r->trl_claimed;
        int v = 0;
        if (!is_blank(value) && !parse_trl(value, &v))
            return eng_fail(err, ENG_EINPUT, "field '%s': expected a TRL level 1-9, got \"%s\"",
                            field, value);
        *islot = v;
        if (islot == &r->trl_claimed && v)
            r->has_acceptance = 1;
        return ENG_OK;
    }
    return eng_fail(err, ENG_EUSAGE, "field '%s': not a field of the record", field);
}

int eng_indicator_set(eng_indicator *ind, const char *field, const char *value, eng_err *err)
{
    char **slots[] = {&ind->name,          &ind->target,    &ind->achieved,
                      &ind->unit,          &ind->method,    &ind->lab,
                      &ind->accreditation, &ind->report_no, &ind->uncertainty};
    for (size_t i = 0; eng_indicator_fields[i]; i++)
        if (!strcmp(field, eng_indicator_fields[i])) {
            char name[64];
            snprintf(name, sizeof name, "indicators.%s", field);
            return replace_str(slots[i], value, err, name);
        }
    return eng_fail(err, ENG_EUSAGE, "field 'indicators.%s': not a field of an indicator", field);
}

eng_indicator *eng_record_add_indicator(eng_record *r)
{
    eng_indicator *v = realloc(r->indicators, (r->nindicators + 1) * sizeof *v);
    if (!v)
        return NULL;
    r->indicators = v;
    memset(&v[r->nindicators], 0, sizeof *v);
    r->has_acceptance = 1;
    return &v[r->nindicators++];
}

static int kv_put(eng_kv **kv, size_t *n, const char *key, const char *json_value)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*kv)[i].key, key)) {
            char *v = strdup(json_value);
            if (!v)
                return ENG_EIO;
            free((*kv)[i].value);
            (*kv)[i].value = v;
            return ENG_OK;
        }
    eng_kv *nv = realloc(*kv, (*n + 1) * sizeof *nv);
    if (!nv)
        return ENG_EIO;
    *kv = nv;
    nv[*n].key = strdup(key);
    nv[*n].value = strdup(json_value);
    if (!nv[*n].key || !nv[*n].value) {
        free(nv[*n].key);
        free(nv[*n].value);
        return ENG_EIO;
    }
    (*n)++;
    return ENG_OK;
}

int eng_record_add_extra(eng_record *r, const char *key, const char *json_value)
{
    return kv_put(&r->extra, &r->nextra, key, json_value);
}

int eng_record_add_extra_str(eng_record *r, const char *key, const char *value)
{
    cJSON *s = cJSON_CreateString(value ? value : "");
    if (!s)
        return ENG_EIO;
    char *txt = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    if (!txt)
        return ENG_EIO;
    int rc = eng_record_add_extra(r, key, txt);
    free(txt);
    return rc;
}

int eng_record_set_provenance(eng_record *r, const char *file, long line)
{
    char *f = file ? strdup(file) : NULL;
    if (file && !f)
        return ENG_EIO;
    free(r->prov_file);
    r->prov_file = f;
    r->prov_line = line;
    return ENG_OK;
}

int eng_record_validate(const eng_record *r, eng_err *err)
{
    if (is_blank(r->id))
        return eng_fail(err, ENG_EINPUT, "field 'id': missing");
    for (const char *p = r->id; *p; p++)
        if ((unsigned char)*p < 0x20)
            return eng_fail(err, ENG_EINPUT, "field 'id': contains a control character");
    if (r->kind && strcmp(r->kind, "project") && strcmp(r->kind, "proposal") &&
        strcmp(r->kind, "prior-art"))
        return eng_fail(err, ENG_EINPUT, "field 'kind': unknown kind \"%s\"", r->kind);
    if (r->trl_start && r->trl_target && r->trl_start > r->trl_target)
        return eng_fail(err, ENG_EINPUT, "field 'trl_target': %d is below trl_start %d",
                        r->trl_target, r->trl_start);
    if (r->start && r->end && strcmp(r->start, r->end) > 0 &&
        strncmp(r->start, r->end, strlen(r->end)) != 0)
        return eng_fail(err, ENG_EINPUT, "field 'end': %s is before start %s", r->end, r->start);
    return ENG_OK;
}

/* ---- reading JSON ----------------------------------------------------- */

/* Text form of a JSON scalar for eng_record_set; NULL for null.  Returns -1
 * when the item is not a scalar of an accepted type. */
static int scalar_text(const cJSON *it, char *buf, size_t cap, const char **out)
{
    if (cJSON_IsNull(it)) {
        *out = NULL;
        return 0;
    }
    if (cJSON_IsString(it)) {
        *out = it->valuestring;
        return 0;
    }
    if (cJSON_IsNumber(it)) {
        double v = it->valuedouble;
        if (v == floor(v) && fabs(v) < 1e15)
            snprintf(buf, cap, "%.0f", v);
        else
            snprintf(buf, cap, "%.17g", v);
        *out = buf;
        return 0;
    }
    return -1;
}

static const char *json_type_name(const cJSON *it)
{
    if (cJSON_IsArray(it))
        return "an array";
    if (cJSON_IsObject(it))
        return "an object";
    if (cJSON_IsBool(it))
        return "a boolean";
    if (cJSON_IsNumber(it))
        return "a number";
    if (cJSON_IsString(it))
        return "a string";
    return "null";
}

/* Fields that must be JSON strings (numbers are refused: an id 1e3 is a bug). */
static int wants_string(const char *field)
{
    return !strcmp(field, "id") || !strcmp(field, "title") || !strcmp(field, "abstract") ||
           !strcmp(field, "kind") || !strcmp(field, "start") || !strcmp(field, "end") ||
           !strcmp(field, "acceptance.date") || !strcmp(field, "acceptance.summary") ||
           !strcmp(field, "acceptance.outcomes");
}

static int wants_number(const char *field)
{
    return !strcmp(field, "budget") || !strcmp(field, "trl_start") ||
           !strcmp(field, "trl_target") || !strcmp(field, "acceptance.trl_claimed");
}

static int set_from_json(eng_record *r, const char *field, const cJSON *it, eng_err *err)
{
    char buf[64];
    const char *txt;
    if (scalar_text(it, buf, sizeof buf, &txt) < 0 ||
        (wants_string(field) && cJSON_IsNumber(it) && strcmp(field, "id") == 0) ||
        (wants_number(field) && cJSON_IsString(it)))
        return eng_fail(err, ENG_EINPUT, "field '%s': expected %s, got %s", field,
                        wants_number(field) ? "a number" : "a string", json_type_name(it));
    return eng_record_set(r, field, txt, err);
}

static int extra_from_json(eng_kv **kv, size_t *n, const char *key, const cJSON *it)
{
    char *txt = cJSON_PrintUnformatted(it);
    if (!txt)
        return ENG_EIO;
    int rc = kv_put(kv, n, key, txt);
    free(txt);
    return rc;
}

static int indicator_from_json(eng_indicator *ind, const cJSON *obj, size_t idx, eng_err *err)
{
    if (!cJSON_IsObject(obj))
        return eng_fail(err, ENG_EINPUT,
                        "field 'acceptance.indicators[%zu]': expected an "
                        "object, got %s",
                        idx, json_type_name(obj));
    for (const cJSON *it = obj->child; it; it = it->next) {
        size_t k;
        for (k = 0; eng_indicator_fields[k]; k++)
            if (!strcmp(it->string, eng_indicator_fields[k]))
                break;
        if (!eng_indicator_fields[k]) {
            if (extra_from_json(&ind->extra, &ind->nextra, it->string, it))
                return eng_fail(err, ENG_EIO, "out of memory");
            continue;
        }
        char buf[64];
        const char *txt;
        if (scalar_text(it, buf, sizeof buf, &txt) < 0)
            return eng_fail(err, ENG_EINPUT,
                            "field 'acceptance.indicators[%zu].%s': expected a string, got %s", idx,
                            it->string, json_type_name(it));
        int rc = eng_indicator_set(ind, it->string, txt, err);
        if (rc)
            return rc;
    }
    if (is_blank(ind->name))
        return eng_fail(err, ENG_EINPUT, "field 'acceptance.indicators[%zu].name': missing", idx);
    return ENG_OK;
}

static int record_from_cjson(const cJSON *root, eng_record *r, eng_err *err)
{
    if (!cJSON_IsObject(root))
        return eng_fail(err, ENG_EINPUT, "expected a record object, got %s", json_type_name(root));
    for (const cJSON *it = root->child; it; it = it->next) {
        const char *k = it->string;
        int rc = ENG_OK;
        /* cJSON keeps duplicate keys; a record with two "title"s is ambiguous. */
        for (const cJSON *o = root->child; o != it; o = o->next)
            if (!strcmp(o->string, k))
                return eng_fail(err, ENG_EINPUT, "field '%s': appears twice", k);
        if (!strcmp(k, "keywords")) {
            if (cJSON_IsString(it)) {
                rc = set_keywords(r, it->valuestring, err);
            } else if (cJSON_IsArray(it)) {
                size_t n = (size_t)cJSON_GetArraySize(it), i = 0;
                char **kw = calloc(n ? n : 1, sizeof *kw);
                if (!kw)
                    return eng_fail(err, ENG_EIO, "out of memory");
                for (const cJSON *e = it->child; e; e = e->next, i++) {
                    if (!cJSON_IsString(e)) {
                        for (size_t j = 0; j < i; j++)
                            free(kw[j]);
                        free(kw);
                        return eng_fail(err, ENG_EINPUT,
                                        "field 'keywords[%zu]': expected a string, got %s", i,
                                        json_type_name(e));
                    }
                    kw[i] = strdup(e->valuestring);
                }
                r->keywords = kw;
                r->nkeywords = n;
            } else if (!cJSON_IsNull(it)) {
                return eng_fail(err, ENG_EINPUT,
                                "field 'keywords': expected an array of strings, got %s",
                                json_type_name(it));
            }
        } else if (!strcmp(k, "acceptance")) {
            if (cJSON_IsNull(it))
                continue;
            if (!cJSON_IsObject(it))
                return eng_fail(err, ENG_EINPUT, "field 'acceptance': expected an object, got %s",
                                json_type_name(it));
            r->has_acceptance = 1;
            for (const cJSON *a = it->child; a && rc == ENG_OK; a = a->next) {
                char name[160];
                snprintf(name, sizeof name, "acceptance.%s", a->string);
                if (!strcmp(a->string, "indicators")) {
                    if (cJSON_IsNull(a))
                        continue;
                    if (!cJSON_IsArray(a))
                        return eng_fail(err, ENG_EINPUT,
                                        "field 'acceptance.indicators': expected an array, got %s",
                                        json_type_name(a));
                    size_t idx = 0;
                    for (const cJSON *e = a->child; e && rc == ENG_OK; e = e->next, idx++) {
                        eng_indicator *ind = eng_record_add_indicator(r);
                        if (!ind)
                            return eng_fail(err, ENG_EIO, "out of memory");
                        rc = indicator_from_json(ind, e, idx, err);
                    }
                } else if (!strcmp(a->string, "date") || !strcmp(a->string, "conclusion") ||
                           !strcmp(a->string, "summary") || !strcmp(a->string, "outcomes") ||
                           !strcmp(a->string, "trl_claimed")) {
                    rc = set_from_json(r, name, a, err);
                } else {
                    if (extra_from_json(&r->extra, &r->nextra, name, a))
                        return eng_fail(err, ENG_EIO, "out of memory");
                }
            }
        } else if (!strcmp(k, "provenance")) {
            continue; /* written by `show --json`; provenance comes from the file read */
        } else {
            size_t f;
            for (f = 0; eng_record_fields[f]; f++)
                if (!strcmp(k, eng_record_fields[f]))
                    break;
            if (eng_record_fields[f] && strchr(k, '.') == NULL)
                rc = set_from_json(r, k, it, err);
            else if (extra_from_json(&r->extra, &r->nextra, k, it))
                return eng_fail(err, ENG_EIO, "out of memory");
        }
        if (rc)
            return rc;
    }
    if (!r->kind && !(r->kind = strdup("project")))
        return eng_fail(err, ENG_EIO, "out of memory");
    return eng_record_validate(r, err);
}

int eng_record_from_json(const char *json, size_t len, eng_record *out, eng_err *err)
{
    eng_record r;
    eng_record_init(&r);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t off = end ? (size_t)(end - json) : 0;
        return eng_fail(err, ENG_EINPUT, "invalid JSON near byte %zu", off);
    }
    int rc = record_from_cjson(root, &r, err);
    cJSON_Delete(root);
    if (rc) {
        eng_record_release(&r);
        return rc;
    }
    eng_record_release(out);
    *out = r;
    return ENG_OK;
}

/* ---- writing JSON ----------------------------------------------------- */

static int add_str(cJSON *o, const char *k, const char *v)
{
    return !v || cJSON_AddStringToObject(o, k, v) != NULL;
}

static int add_raw_sorted(cJSON *o, const eng_kv *kv, size_t n, const char *prefix)
{
    size_t plen = prefix ? strlen(prefix) : 0;
    const eng_kv **order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int has =
            prefix ? !strncmp(kv[i].key, prefix, plen) : !!strncmp(kv[i].key, "acceptance.", 11);
        if (has)
            order[m++] = &kv[i];
    }
    for (size_t i = 1; i < m; i++) /* insertion sort: extras are few */
        for (size_t j = i; j > 0 && strcmp(order[j - 1]->key, order[j]->key) > 0; j--) {
            const eng_kv *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int ok = 1;
    for (size_t i = 0; i < m && ok; i++) {
        cJSON *v = cJSON_Parse(order[i]->value);
        if (!v)
            v = cJSON_CreateString(order[i]->value);
        ok = v && cJSON_AddItemToObject(o, order[i]->key + plen, v);
    }
    free(order);
    return ok;
}

char *eng_record_to_json(const eng_record *r, int with_provenance)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    ok = ok && add_str(o, "id", r->id) && add_str(o, "kind", r->kind ? r->kind : "project") &&
         add_str(o, "source", r->source) && add_str(o, "title", r->title) &&
         add_str(o, "abstract", r->abstract);
    if (ok && r->nkeywords) {
        cJSON *kw = cJSON_AddArrayToObject(o, "keywords");
        for (size_t i = 0; ok && kw && i < r->nkeywords; i++)
            ok = cJSON_AddItemToArray(kw, cJSON_CreateString(r->keywords[i]));
        ok = ok && kw;
    }
    ok = ok && add_str(o, "organisation", r->organisation) && add_str(o, "pi", r->pi) &&
         add_str(o, "field", r->field) && add_str(o, "start", r->start) &&
         add_str(o, "end", r->end);
    if (ok && r->has_budget)
        ok = cJSON_AddNumberToObject(o, "budget", r->budget) != NULL;
    ok = ok && add_str(o, "currency", r->currency);
    if (ok && r->trl_start)
        ok = cJSON_AddNumberToObject(o, "trl_start", r->trl_start) != NULL;
    if (ok && r->trl_target)
        ok = cJSON_AddNumberToObject(o, "trl_target", r->trl_target) != NULL;
    if (ok && r->has_acceptance) {
        cJSON *a = cJSON_AddObjectToObject(o, "acceptance");
        ok = a && add_str(a, "date", r->acc_date) && add_str(a, "conclusion", r->acc_conclusion) &&
             add_str(a, "summary", r->acc_summary) && add_str(a, "outcomes", r->acc_outcomes);
        if (ok && r->trl_claimed)
            ok = cJSON_AddNumberToObject(a, "trl_claimed", r->trl_claimed) != NULL;
        if (ok && r->nindicators) {
            cJSON *arr = cJSON_AddArrayToObject(a, "indicators");
            for (size_t i = 0; ok && arr && i < r->nindicators; i++) {
                const eng_indicator *ind = &r->indicators[i];
                cJSON *io = cJSON_CreateObject();
                ok = io && cJSON_AddItemToArray(arr, io);
                const char *vals[] = {ind->name,          ind->target,    ind->achieved,
                                      ind->unit,          ind->method,    ind->lab,
                                      ind->accreditation, ind->report_no, ind->uncertainty};
                for (size_t k = 0; ok && eng_indicator_fields[k]; k++)
                    ok = add_str(io, eng_indicator_fields[k], vals[k]);
                ok = ok && add_raw_sorted(io, ind->extra, ind->nextra, "");
            }
            ok = ok && arr;
        }
        ok = ok && add_raw_sorted(a, r->extra, r->nextra, "acceptance.");
    }
    ok = ok && add_raw_sorted(o, r->extra, r->nextra, NULL);
    if (ok && with_provenance && r->prov_file) {
        cJSON *p = cJSON_AddObjectToObject(o, "provenance");
        ok = p && add_str(p, "file", r->prov_file) &&
             cJSON_AddNumberToObject(p, "line", (double)r->prov_line);
    }
    char *txt = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return txt;
}

int eng_record_reserved_key(const char *key, int indicator)
{
    const char *const *names = indicator ? eng_indicator_fields : eng_record_fields;
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(key, names[i]))
            return 1;
    return !indicator && (!strcmp(key, "acceptance") || !strcmp(key, "provenance"));
}

int eng_record_hash(const eng_record *r, char out[65])
{
    char *j = eng_record_to_json(r, 0);
    if (!j)
        return ENG_EIO;
    base_sha256_hex(j, strlen(j), out);
    free(j);
    return ENG_OK;
}
