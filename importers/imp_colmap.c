/*
 * imp_colmap: column mapping -- the --map file, and the decision, once per
 * header, of what each column of a table fills (see imp_colmap.h).
 */
#include "importers/imp_colmap.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_record.h"
#include "importers/imp_alias.h"
#include "importers/imp_value.h"

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the map file --------------------------------------------------------------------- */

typedef struct map_col {
    char *header;
    char *key;    /* imp_alias_key() of header */
    char *target; /* field, "period", "extra", "extra:KEY", or for indicators "id" */
    char *unit;   /* for budget, or NULL */
} map_col;

struct imp_map {
    map_col *cols, *icols;
    size_t ncols, nicols;
    char *kind, *source;
};

/* Whether the map sends some column to field target: a column the map names
 * has the field even when an earlier column's header is one of its aliases. */
static int map_claims(const imp_map *map, int indicators, const char *target)
{
    if (!map)
        return 0;
    const map_col *mc = indicators ? map->icols : map->cols;
    size_t n = indicators ? map->nicols : map->ncols;
    for (size_t i = 0; i < n; i++)
        if (mc[i].target && !strcmp(mc[i].target, target))
            return 1;
    return 0;
}

static int is_record_field(const char *name)
{
    for (size_t i = 0; eng_record_fields[i]; i++)
        if (!strcmp(eng_record_fields[i], name))
            return 1;
    return 0;
}

static int is_indicator_field(const char *name)
{
    for (size_t i = 0; eng_indicator_fields[i]; i++)
        if (!strcmp(eng_indicator_fields[i], name))
            return 1;
    return 0;
}

static int map_cols_load(const char *path, const cJSON *obj, int indicators, map_col **out,
                         size_t *n, eng_err *err)
{
    size_t cnt = (size_t)cJSON_GetArraySize(obj);
    map_col *cols = calloc(cnt ? cnt : 1, sizeof *cols);
    if (!cols)
        return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    *out = cols;
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *target = NULL, *unit = NULL;
        if (cJSON_IsString(it)) {
            target = it->valuestring;
        } else if (cJSON_IsObject(it)) {
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "field");
            const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "unit");
            target = cJSON_IsString(f) ? f->valuestring : NULL;
            unit = cJSON_IsString(u) ? u->valuestring : NULL;
            if (u && !unit)
                return eng_fail(err, ENG_EINPUT, "%s: column '%s': \"unit\" must be a string", path,
                                it->string);
        }
        if (!target)
            return eng_fail(err, ENG_EINPUT,
                            "%s: column '%s': expected a field name or {\"field\": ..., "
                            "\"unit\": ...}",
                            path, it->string);
        int ok = indicators ? (is_indicator_field(target) || !strcmp(target, "id"))
                            : (is_record_field(target) || !strcmp(target, "period"));
        ok = ok || !strcmp(target, "extra") || (starts_with(target, "extra:") && target[6]);
        if (!ok)
            return eng_fail(err, ENG_EINPUT, "%s: column '%s': unknown %sfield '%s'", path,
                            it->string, indicators ? "indicator " : "", target);
        if (unit) {
            char u[32] = "", cur[8] = "";
            if (!imp_value_units(unit, u, cur))
                return eng_fail(err, ENG_EINPUT,
                                "%s: column '%s': unknown unit '%s' (expected 元, 万元, 千元, "
                                "亿元, USD, 万美元, EUR...)",
                                path, it->string, unit);
        }
        map_col *c = &cols[(*n)++];
        char key[256], br[64];
        imp_alias_key(it->string, key, br);
        c->header = strdup(it->string);
        c->key = strdup(key);
        c->target = strdup(target);
        c->unit = unit ? strdup(unit) : NULL;
        if (!c->header || !c->key || !c->target || (unit && !c->unit))
            return eng_fail(err, ENG_EIO, "%s: out of memory", path);
    }
    return ENG_OK;
}

void imp_map_free(imp_map *m)
{
    if (!m)
        return;
    for (int pass = 0; pass < 2; pass++) {
        map_col *cols = pass ? m->icols : m->cols;
        size_t n = pass ? m->nicols : m->ncols;
        for (size_t i = 0; cols && i < n; i++) {
            free(cols[i].header);
            free(cols[i].key);
            free(cols[i].target);
            free(cols[i].unit);
        }
        free(cols);
    }
    free(m->kind);
    free(m->source);
    free(m);
}

int imp_map_load(const char *path, imp_map **out, eng_err *err)
{
    int rc = ENG_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eng_fail(err, ENG_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return eng_fail(err, ENG_EIO, "%s: out of memory", path);
            }
            text = t;
        }
        size_t n = fread(text + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    fclose(f);
    text[len] = '\0';
    const char *start = text;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        start += 3;
    cJSON *root = cJSON_Parse(start);
    imp_map *m = calloc(1, sizeof *m);
    if (!m) {
        rc = eng_fail(err, ENG_EIO, "%s: out of memory", path);
        goto done;
    }
    if (!root || !cJSON_IsObject(root)) {
        rc = eng_fail(err, ENG_EINPUT, "%s: not a JSON object (see imp_colmap.h for the format)",
                      path);
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        const char *k = it->string;
        if (!strcmp(k, "columns") || !strcmp(k, "indicator_columns")) {
            if (!cJSON_IsObject(it)) {
                rc = eng_fail(err, ENG_EINPUT, "%s: \"%s\" must be an object", path, k);
                goto done;
            }
            int ind = !strcmp(k, "indicator_columns");
            rc = map_cols_load(path, it, ind, ind ? &m->icols : &m->cols,
                               ind ? &m->nicols : &m->ncols, err);
            if (rc != ENG_OK)
                goto done;
        } else if (!strcmp(k, "kind") || !strcmp(k, "source")) {
            if (!cJSON_IsString(it)) {
                rc = eng_fail(err, ENG_EINPUT, "%s: \"%s\" must be a string", path, k);
                goto done;
            }
            char **slot = !strcmp(k, "kind") ? &m->kind : &m->source;
            *slot = strdup(it->valuestring);
        } else {
            rc = eng_fail(err, ENG_EINPUT,
                          "%s: unknown key \"%s\" (expected columns, indicator_columns, kind, "
                          "source)",
                          path, k);
            goto done;
        }
    }
    if (m->kind) {
        eng_record probe;
        eng_record_init(&probe);
        eng_err e2 = {0};
        rc = eng_record_set(&probe, "kind", m->kind, &e2);
        eng_record_release(&probe);
        if (rc != ENG_OK) {
            rc = eng_fail(err, ENG_EINPUT, "%s: %s", path, e2.msg);
            goto done;
        }
    }
    *out = m;
    m = NULL;
done:
    imp_map_free(m);
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* ---- columns -------------------------------------------------------------------------- */

/* Decides one column's target.  taken[] marks fields already given to an
 * earlier column. */
static int map_column(imp_column *c, size_t index, const imp_map *map, int indicators,
                      const char **taken, size_t *ntaken, imp_column *all, eng_err *err)
{
    char key[256], bracket[64];
    imp_alias_key(c->name, key, bracket);
    const char *target = NULL, *unit = NULL;
    if (map) {
        const map_col *mc = indicators ? map->icols : map->cols;
        size_t n = indicators ? map->nicols : map->ncols;
        for (size_t i = 0; i < n && !target; i++)
            if (!strcmp(mc[i].header, c->name)) {
                target = mc[i].target;
                unit = mc[i].unit;
            }
        for (size_t i = 0; i < n && !target; i++)
            if (!strcmp(mc[i].key, key) && key[0]) {
                target = mc[i].target;
                unit = mc[i].unit;
            }
        c->from_map = target != NULL;
    }
    if (!target && key[0]) {
        target = imp_alias_find(indicators, key);
        if (indicators && !target && imp_alias_find(0, key) &&
            !strcmp(imp_alias_find(0, key), "id"))
            target = "id";
        if (target && map_claims(map, indicators, target))
            target = NULL; /* the map gives this field to another column */
    }
    /* "金额万元", "资助金额/万元": a unit written after the name */
    if (!target && !indicators) {
        static const char *const suffixes[] = {"万元", "千元", "亿元", "元",  "万美元", "美元",
                                               "usd",  "cny",  "rmb",  "eur", NULL};
        for (size_t i = 0; suffixes[i] && !target; i++) {
            size_t kl = strlen(key), sl = strlen(suffixes[i]);
            if (kl > sl && !strcmp(key + kl - sl, suffixes[i])) {
                char base[256];
                memcpy(base, key, kl - sl);
                base[kl - sl] = '\0';
                size_t bl = strlen(base);
                if (bl && base[bl - 1] == '/')
                    base[bl - 1] = '\0';
                const char *t = imp_alias_find(indicators, base);
                if (t && !strcmp(t, "budget")) {
                    target = t;
                    snprintf(bracket, sizeof bracket, "%s", suffixes[i]);
                }
            }
        }
    }
    if (target && !strcmp(target, "budget")) {
        /* keep a bracketed part only when it is a unit ("金额(中文)" has none) */
        snprintf(c->unit, sizeof c->unit, "%.31s", unit ? unit : bracket);
        char u[32] = "", cur[8] = "";
        if (!imp_value_units(c->unit, u, cur))
            c->unit[0] = '\0';
    }
    if (target && !strncmp(target, "extra", 5)) {
        c->kind = IMP_COL_EXTRA;
        c->extra_key = strdup(target[5] == ':' ? target + 6 : c->name);
    } else if (target) {
        const char *f = !strcmp(target, "period") ? "start" : target;
        int clash = 0;
        for (size_t i = 0; i < *ntaken; i++)
            if (!strcmp(taken[i], f) || (!strcmp(target, "period") && !strcmp(taken[i], "end")))
                clash = 1;
        if (clash) {
            target = NULL; /* the first column with this field has it */
        } else {
            c->kind = !strcmp(target, "period") ? IMP_COL_PERIOD : IMP_COL_FIELD;
            c->field = strdup(target);
            if (!c->field)
                return eng_fail(err, ENG_EIO, "out of memory");
            taken[(*ntaken)++] = c->kind == IMP_COL_PERIOD ? "start" : c->field;
            if (c->kind == IMP_COL_PERIOD)
                taken[(*ntaken)++] = "end";
        }
    }
    if (!target) {
        c->kind = IMP_COL_EXTRA;
        char name[300];
        if (!c->name[0])
            snprintf(name, sizeof name, "column %zu", index + 1);
        else
            snprintf(name, sizeof name, "%s", c->name);
        /* a repeated name gets " (2)", " (3)"..., and so does the name of a
         * field a second column would have given (title,title: "title (2)") */
        char uniq[320];
        snprintf(uniq, sizeof uniq, "%s", name);
        for (int k = 2;; k++) {
            int dup = eng_record_reserved_key(uniq, indicators);
            for (size_t i = 0; i < index; i++)
                if (all[i].kind == IMP_COL_EXTRA && all[i].extra_key &&
                    !strcmp(all[i].extra_key, uniq))
                    dup = 1;
            if (!dup)
                break;
            snprintf(uniq, sizeof uniq, "%s (%d)", name, k);
        }
        c->extra_key = strdup(uniq);
    }
    if (c->kind == IMP_COL_EXTRA && !c->extra_key)
        return eng_fail(err, ENG_EIO, "out of memory");
    return ENG_OK;
}

void imp_columns_free(imp_column *cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++) {
        free(cols[i].name);
        free(cols[i].field);
        free(cols[i].extra_key);
    }
    free(cols);
}

int imp_columns_map(const imp_row *hdr, const imp_map *map, int indicators, imp_column **out,
                    size_t *n, eng_err *err)
{
    size_t nc = hdr->ncells;
    while (nc > 0 && imp_value_is_blank(hdr->cells[nc - 1]))
        nc--; /* trailing empty header cells are no columns */
    imp_column *cols = calloc(nc ? nc : 1, sizeof *cols);
    const char **taken = calloc(2 * nc + 2, sizeof *taken);
    size_t ntaken = 0;
    if (!cols || !taken) {
        free(cols);
        free(taken);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    int rc = ENG_OK;
    for (size_t i = 0; i < nc && rc == ENG_OK; i++) {
        const char *t;
        size_t l;
        imp_value_trim(hdr->cells[i], hdr->lens[i], &t, &l);
        cols[i].name = malloc(l + 1);
        if (!cols[i].name) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        memcpy(cols[i].name, t, l);
        cols[i].name[l] = '\0';
        rc = map_column(&cols[i], i, map, indicators, taken, &ntaken, cols, err);
    }
    free(taken);
    if (rc != ENG_OK) {
        imp_columns_free(cols, nc);
        return rc;
    }
    *out = cols;
    *n = nc;
    return ENG_OK;
}

/* ---- the mapping, told ------------------------------------------------------------ */

char *imp_columns_describe(const imp_column *cols, size_t n)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char line[800];
        const imp_column *c = &cols[i];
        const char *name = c->name[0] ? c->name : "(empty)";
        if (c->kind == IMP_COL_PERIOD)
            snprintf(line, sizeof line, "  %s -> period (start, end)", name);
        else if (c->kind == IMP_COL_FIELD && c->unit[0])
            snprintf(line, sizeof line, "  %s -> %s (unit %s)", name, c->field, c->unit);
        else if (c->kind == IMP_COL_FIELD)
            snprintf(line, sizeof line, "  %s -> %s", name, c->field);
        else
            snprintf(line, sizeof line, "  %s -> extra '%s'", name, c->extra_key);
        size_t l = strlen(line);
        if (c->from_map && l + 12 < sizeof line)
            strcat(line, " (map)"), l += 6;
        if (len + l + 2 > cap) {
            while (len + l + 2 > cap)
                cap *= 2;
            char *b = realloc(s, cap);
            if (!b) {
                free(s);
                return NULL;
            }
            s = b;
        }
        memcpy(s + len, line, l);
        len += l;
        s[len++] = '\n';
        s[len] = '\0';
    }
    return s;
}

const char *imp_map_kind(const imp_map *m)
{
    return m ? m->kind : NULL;
}

const char *imp_map_source(const imp_map *m)
{
    return m ? m->source : NULL;
}
