/*
 * eng_version: merging the versions of one project (see eng_version.h).
 * Works on the canonical JSON, so every field -- extras included -- is
 * merged the same way without a list of fields to keep in step.
 */
#include "engine/eng_version.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_buf.h"

/* Keys the merge computes itself. */
static int is_derived_key(const char *k)
{
    return !strcmp(k, "conflicts") || !strcmp(k, "versions") || !strcmp(k, "data_quality");
}

static int is_empty(const cJSON *it)
{
    if (!it || cJSON_IsNull(it))
        return 1;
    if (cJSON_IsString(it)) {
        for (const char *p = it->valuestring; *p; p++)
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                return 0;
        return 1;
    }
    if (cJSON_IsArray(it) || cJSON_IsObject(it))
        return it->child == NULL;
    return 0;
}

/* 1 when s is a date, whole or partial: YYYY, YYYY-MM or YYYY-MM-DD. */
static int is_date(const char *s)
{
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* 1 when `fuller` is a date that says more of the same day than `part`
 * ("2017-03-05" refines "2017" and "2017-03"). */
static int refines(const cJSON *fuller, const cJSON *part)
{
    if (!cJSON_IsString(fuller) || !cJSON_IsString(part))
        return 0;
    const char *a = fuller->valuestring, *b = part->valuestring;
    return is_date(a) && is_date(b) && strlen(a) > strlen(b) && !strncmp(a, b, strlen(b));
}

/* The item at a field path: "title" or "acceptance.date". */
static const cJSON *at(const cJSON *o, const char *path)
{
    if (!strncmp(path, "acceptance.", 11)) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "acceptance");
        return a ? cJSON_GetObjectItemCaseSensitive(a, path + 11) : NULL;
    }
    return cJSON_GetObjectItemCaseSensitive(o, path);
}

/* Collects every field path of o into *paths (no repeats). */
static int collect_paths(const cJSON *o, char ***paths, size_t *n, size_t *cap)
{
    for (const cJSON *it = o->child; it; it = it->next) {
        if (is_derived_key(it->string))
            continue;
        int acc = !strcmp(it->string, "acceptance") && cJSON_IsObject(it);
        const cJSON *first = acc ? it->child : it;
        for (const cJSON *x = first; x; x = acc ? x->next : NULL) {
            char path[300];
            snprintf(path, sizeof path, acc ? "acceptance.%s" : "%s", x->string);
            int seen = 0;
            for (size_t i = 0; i < *n && !seen; i++)
                seen = !strcmp((*paths)[i], path);
            if (!seen) {
                if (*n == *cap) {
                    size_t nc = *cap ? *cap * 2 : 32;
                    char **np = realloc(*paths, nc * sizeof *np);
                    if (!np)
                        return -1;
                    *paths = np;
                    *cap = nc;
                }
                if (!((*paths)[*n] = strdup(path)))
                    return -1;
                (*n)++;
            }
            if (!acc)
                break;
        }
    }
    return 0;
}

static int set_at(cJSON *o, const char *path, cJSON *item)
{
    if (!strncmp(path, "acceptance.", 11)) {
        cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "acceptance");
        if (!a && !(a = cJSON_AddObjectToObject(o, "acceptance")))
            return -1;
        return cJSON_AddItemToObject(a, path + 11, item) ? 0 : -1;
    }
    return cJSON_AddItemToObject(o, path, item) ? 0 : -1;
}

int eng_version_merge(const char *const *versions, size_t n, char **out, int *nconflicts,
                      eng_err *err)
{
    int rc = ENG_OK;
    cJSON **v = calloc(n ? n : 1, sizeof *v);
    char **paths = NULL;
    size_t np = 0, cap = 0;
    cJSON *merged = cJSON_CreateObject(), *conflicts = cJSON_CreateArray(),
          *quality = cJSON_CreateArray();
    if (!v || !merged || !conflicts || !quality) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = cJSON_Parse(versions[i]);
        if (!v[i] || !cJSON_IsObject(v[i])) {
            rc = eng_fail(err, ENG_EINPUT, "version %zu is not a JSON object", i + 1);
            goto done;
        }
        /* the latest version's keys first: the merge reads like it */
    }
    for (size_t i = n; i-- > 0;)
        if (collect_paths(v[i], &paths, &np, &cap) != 0) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
    int nconf = 0;
    for (size_t p = 0; p < np; p++) {
        const cJSON *winner = NULL;
        cJSON *distinct = cJSON_CreateArray();
        if (!distinct) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            const cJSON *it = at(v[i], paths[p]);
            if (is_empty(it))
                continue;
            /* a partial date and a fuller one of the same day ("2017",
             * "2017-03-05"): the fuller is the value, no conflict */
            if (winner && refines(winner, it))
                continue;
            int dup = 0;
            for (cJSON *d = distinct->child; d && !dup; d = d->next) {
                dup = cJSON_Compare(d, it, 1);
                if (!dup && refines(it, d)) {
                    cJSON_ReplaceItemViaPointer(distinct, d, cJSON_Duplicate(it, 1));
                    dup = 1;
                }
            }
            winner = it;
            if (!dup)
                cJSON_AddItemToArray(distinct, cJSON_Duplicate(it, 1));
        }
        if (winner && set_at(merged, paths[p], cJSON_Duplicate(winner, 1)) != 0) {
            cJSON_Delete(distinct);
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto done;
        }
        if (cJSON_GetArraySize(distinct) > 1 && strcmp(paths[p], "id_derived") != 0) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "field", paths[p]);
            cJSON_AddItemToObject(c, "values", distinct);
            cJSON_AddItemToArray(conflicts, c);
            nconf++;
        } else {
            cJSON_Delete(distinct);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const cJSON *dq = cJSON_GetObjectItemCaseSensitive(v[i], "data_quality");
        for (const cJSON *m = cJSON_IsArray(dq) ? dq->child : NULL; m; m = m->next) {
            int dup = 0;
            for (const cJSON *d = quality->child; d && !dup; d = d->next)
                dup = cJSON_Compare(d, m, 1);
            if (!dup)
                cJSON_AddItemToArray(quality, cJSON_Duplicate(m, 1));
        }
    }
    if (nconf) {
        cJSON_AddItemToObject(merged, "conflicts", conflicts);
        conflicts = NULL;
    }
    if (quality->child) {
        cJSON_AddItemToObject(merged, "data_quality", quality);
        quality = NULL;
    }
    if (n > 1)
        cJSON_AddNumberToObject(merged, "versions", (double)n);
    *out = cJSON_PrintUnformatted(merged);
    if (!*out) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    *nconflicts = nconf;
done:
    for (size_t i = 0; v && i < n; i++)
        cJSON_Delete(v[i]);
    free(v);
    for (size_t i = 0; i < np; i++)
        free(paths[i]);
    free(paths);
    cJSON_Delete(merged);
    cJSON_Delete(conflicts);
    cJSON_Delete(quality);
    return rc;
}

/* A short form of a value for a diff line. */
static void show_value(const cJSON *it, char *buf, size_t cap)
{
    char *t = it ? cJSON_PrintUnformatted(it) : NULL;
    if (!t) {
        snprintf(buf, cap, "(empty)");
        return;
    }
    if (strlen(t) > 60)
        snprintf(buf, cap, "%.57s...", t);
    else
        snprintf(buf, cap, "%s", t);
    free(t);
}

int eng_version_losses(const char *older, const char *newer, char **diff)
{
    *diff = NULL;
    cJSON *a = cJSON_Parse(older), *b = cJSON_Parse(newer);
    char **paths = NULL;
    size_t np = 0, cap = 0;
    int lost = -1;
    base_buf d = {0};
    if (!a || !b || !cJSON_IsObject(a) || !cJSON_IsObject(b) ||
        collect_paths(a, &paths, &np, &cap) != 0)
        goto done;
    lost = 0;
    for (size_t p = 0; p < np; p++) {
        const cJSON *x = at(a, paths[p]), *y = at(b, paths[p]);
        if (is_empty(x))
            continue;
        char vx[80], vy[80];
        if (!strcmp(paths[p], "source")) {
            if (!is_empty(y) && cJSON_Compare(x, y, 1))
                continue;
            show_value(x, vx, sizeof vx);
            show_value(is_empty(y) ? NULL : y, vy, sizeof vy);
            char line[200];
            snprintf(line, sizeof line, "  source: %s -> %s\n", vx, is_empty(y) ? "(none)" : vy);
            base_buf_cat(&d, line);
            lost++;
        } else if (is_empty(y)) {
            show_value(x, vx, sizeof vx);
            char line[420];
            snprintf(line, sizeof line, "  %.300s: %s -> (empty)\n", paths[p], vx);
            base_buf_cat(&d, line);
            lost++;
        }
    }
    if (lost > 0) {
        *diff = base_buf_take(&d);
        if (!*diff)
            lost = -1;
    }
done:
    base_buf_release(&d);
    for (size_t i = 0; i < np; i++)
        free(paths[i]);
    free(paths);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return lost;
}
