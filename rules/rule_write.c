/*
 * rule_write.c: a copy of a loaded rule set in a new folder, with some
 * header parameters, the version and the calibration record replaced
 * (rule_set_write in rule.h).  The header is written again as indented JSON
 * (two spaces, keys in their order, UTF-8 as is); every other file of the
 * set is copied byte for byte.
 */
#include "rules/rule_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "base/base_buf.h"
#include "base/base_sha256.h"

/* ---- indented JSON ---------------------------------------------------------------- */

static void put_string(base_buf *b, const char *s)
{
    base_buf_cat(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"':
            base_buf_cat(b, "\\\"");
            break;
        case '\\':
            base_buf_cat(b, "\\\\");
            break;
        case '\n':
            base_buf_cat(b, "\\n");
            break;
        case '\t':
            base_buf_cat(b, "\\t");
            break;
        case '\r':
            base_buf_cat(b, "\\r");
            break;
        case '\b':
            base_buf_cat(b, "\\b");
            break;
        case '\f':
            base_buf_cat(b, "\\f");
            break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                base_buf_cat(b, esc);
            } else {
                base_buf_add(b, (const char *)p, 1);
            }
        }
    }
    base_buf_cat(b, "\"");
}

static void indent(base_buf *b, int depth)
{
    base_buf_cat(b, "\n");
    for (int i = 0; i < depth; i++)
        base_buf_cat(b, "  ");
}

static void put_value(base_buf *b, const cJSON *v, int depth)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        int obj = cJSON_IsObject(v);
        if (!v->child) {
            base_buf_cat(b, obj ? "{}" : "[]");
            return;
        }
        int numbers = !obj;
        for (const cJSON *c = v->child; c && numbers; c = c->next)
            numbers = cJSON_IsNumber(c);
        if (numbers) { /* a row of numbers (a confusion matrix's) on one line */
            base_buf_cat(b, "[");
            for (const cJSON *c = v->child; c; c = c->next) {
                put_value(b, c, depth + 1);
                base_buf_cat(b, c->next ? ", " : "");
            }
            base_buf_cat(b, "]");
            return;
        }
        base_buf_cat(b, obj ? "{" : "[");
        for (const cJSON *c = v->child; c; c = c->next) {
            indent(b, depth + 1);
            if (obj) {
                put_string(b, c->string ? c->string : "");
                base_buf_cat(b, ": ");
            }
            put_value(b, c, depth + 1);
            if (c->next)
                base_buf_cat(b, ",");
        }
        indent(b, depth);
        base_buf_cat(b, obj ? "}" : "]");
    } else if (cJSON_IsString(v)) {
        put_string(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        char num[40];
        rule_json_number(v->valuedouble, num, sizeof num);
        base_buf_cat(b, num);
    } else if (cJSON_IsTrue(v)) {
        base_buf_cat(b, "true");
    } else if (cJSON_IsFalse(v)) {
        base_buf_cat(b, "false");
    } else {
        base_buf_cat(b, "null");
    }
}

/* ---- the header -------------------------------------------------------------------- */

/* Sets the number at a dotted path of obj, making the objects on the way. */
static int set_path(cJSON *obj, const char *path, double value)
{
    char key[256];
    while (obj) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (!len || len >= sizeof key)
            return -1;
        memcpy(key, path, len);
        key[len] = '\0';
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (!dot) {
            cJSON *num = cJSON_CreateNumber(value);
            if (!num)
                return -1;
            if (cur)
                return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, num) ? 0 : -1;
            return cJSON_AddItemToObject(obj, key, num) ? 0 : -1;
        }
        if (!cur) {
            cur = cJSON_AddObjectToObject(obj, key);
        } else if (!cJSON_IsObject(cur)) {
            return -1;
        }
        obj = cur;
        path = dot + 1;
    }
    return -1;
}

static int set_or_add(cJSON *obj, const char *key, cJSON *item)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item) ? 0 : -1;
    return cJSON_AddItemToObject(obj, key, item) ? 0 : -1;
}

/* The new header's text (caller frees), or NULL with err set. */
static char *header_text(const rule_set *set, const rule_param *params, size_t nparams,
                         const char *version, const char *calibration, base_err *err)
{
    cJSON *h = cJSON_Duplicate(set->header, 1);
    if (!h) {
        base_fail(err, BASE_EIO, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nparams; i++)
        if (set_path(h, params[i].path, params[i].value)) {
            cJSON_Delete(h);
            base_fail(err, BASE_EINPUT, "header parameter '%s' cannot be set", params[i].path);
            return NULL;
        }
    if (version) {
        cJSON *v = cJSON_CreateString(version);
        if (!v || set_or_add(h, "version", v)) {
            cJSON_Delete(h);
            base_fail(err, BASE_EIO, "out of memory");
            return NULL;
        }
    }
    cJSON_DeleteItemFromObjectCaseSensitive(h, "calibration");
    if (calibration) {
        cJSON *c = cJSON_Parse(calibration);
        if (!cJSON_IsObject(c) || !cJSON_AddItemToObject(h, "calibration", c)) {
            cJSON_Delete(c);
            cJSON_Delete(h);
            base_fail(err, BASE_EUSAGE, "the calibration record is not a JSON object");
            return NULL;
        }
    }
    base_buf b = {0};
    put_value(&b, h, 0);
    base_buf_cat(&b, "\n");
    cJSON_Delete(h);
    char *text = base_buf_take(&b);
    if (!text)
        base_fail(err, BASE_EIO, "out of memory");
    return text;
}

int rule_set_method_sha256_with(const rule_set *set, const rule_param *params, size_t nparams,
                                char out[65], base_err *err)
{
    cJSON *bare = cJSON_Duplicate(set->header, 1);
    if (!bare)
        return base_fail(err, BASE_EIO, "out of memory");
    for (size_t i = 0; i < nparams; i++)
        if (set_path(bare, params[i].path, params[i].value)) {
            cJSON_Delete(bare);
            return base_fail(err, BASE_EINPUT, "header parameter '%s' cannot be set",
                             params[i].path);
        }
    cJSON_DeleteItemFromObjectCaseSensitive(bare, "version");
    cJSON_DeleteItemFromObjectCaseSensitive(bare, "calibration");
    base_sha256_ctx ctx;
    base_sha256_init(&ctx);
    int rc = BASE_OK;
    for (size_t i = 0; i < set->nfiles && rc == BASE_OK; i++) {
        const cJSON *root = rule_jdoc_root(set->docs[i]);
        char *c = rule_json_canonical(root == set->header ? bare : root);
        if (!c) {
            rc = base_fail(err, BASE_EIO, "out of memory");
            break;
        }
        base_sha256_update(&ctx, c, strlen(c));
        base_sha256_update(&ctx, "\n", 1);
        free(c);
    }
    cJSON_Delete(bare);
    if (rc == BASE_OK)
        base_sha256_final_hex(&ctx, out);
    return rc;
}

int rule_canonical_method_sha256(const char *canonical, char out[65])
{
    const char *nl = strchr(canonical, '\n');
    size_t hlen = nl ? (size_t)(nl - canonical) : strlen(canonical);
    cJSON *h = cJSON_ParseWithLength(canonical, hlen);
    if (!cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(h, "version");
    cJSON_DeleteItemFromObjectCaseSensitive(h, "calibration");
    char *c = rule_json_canonical(h);
    cJSON_Delete(h);
    if (!c)
        return -1;
    base_sha256_ctx ctx;
    base_sha256_init(&ctx);
    base_sha256_update(&ctx, c, strlen(c));
    base_sha256_update(&ctx, "\n", 1);
    free(c);
    if (nl)
        base_sha256_update(&ctx, nl + 1, strlen(nl + 1));
    base_sha256_final_hex(&ctx, out);
    return 0;
}

/* ---- files ------------------------------------------------------------------------- */

static int write_file(const char *path, const char *data, size_t len, base_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return base_fail(err, BASE_EIO, "%s: cannot write: %s", path, strerror(errno));
    size_t put = fwrite(data, 1, len, f);
    int bad = put != len || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad)
        return base_fail(err, BASE_EIO, "%s: cannot write: %s", path, strerror(e));
    return BASE_OK;
}

static int copy_file(const char *from, const char *to, base_err *err)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return base_fail(err, BASE_EIO, "%s: cannot read: %s", from, strerror(errno));
    base_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        base_buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    size_t len = b.n;
    char *data = base_buf_take(&b);
    if (bad || !data) {
        free(data);
        return base_fail(err, BASE_EIO, "%s: cannot read", from);
    }
    int rc = write_file(to, data, len, err);
    free(data);
    return rc;
}

/* Removes a folder written here (files and one level of sub-folders). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[4096];
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
                continue;
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

int rule_set_write(const rule_set *set, const char *src, const char *outdir,
                   const rule_param *params, size_t nparams, const char *version,
                   const char *calibration, base_err *err)
{
    struct stat st;
    if (stat(outdir, &st) == 0)
        return base_fail(err, BASE_EUSAGE,
                         "%s already exists: a calibrated set goes to a new folder (-o)", outdir);
    if (stat(src, &st) != 0)
        return base_fail(err, BASE_EIO, "%s: cannot open: %s", src, strerror(errno));
    int folder = S_ISDIR(st.st_mode);
    size_t srclen = strlen(src);
    while (srclen > 1 && src[srclen - 1] == '/')
        srclen--;
    char *text = header_text(set, params, nparams, version, calibration, err);
    if (!text)
        return err ? err->code : BASE_EIO;
    char tmp[4096], p[8200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", outdir, (long)getpid());
    remove_tree(tmp);
    int rc = BASE_OK;
    if (mkdir(tmp, 0777) != 0)
        rc = base_fail(err, BASE_EIO, "%s: cannot make the folder: %s", tmp, strerror(errno));
    for (size_t i = 0; rc == BASE_OK && i < set->nfiles; i++) {
        const char *f = set->files[i];
        int is_header = rule_jdoc_root(set->docs[i]) == set->header;
        const char *rel = folder && strncmp(f, src, srclen) == 0 && f[srclen] == '/'
                              ? f + srclen + 1
                              : "set.json";
        if (snprintf(p, sizeof p, "%s/%s", tmp, rel) >= (int)sizeof p) {
            rc = base_fail(err, BASE_EUSAGE, "%s: path too long", f);
            break;
        }
        const char *slash = strrchr(rel, '/');
        if (slash) {
            char sub[8200];
            if (snprintf(sub, sizeof sub, "%s/%.*s", tmp, (int)(slash - rel), rel) >=
                    (int)sizeof sub ||
                (mkdir(sub, 0777) != 0 && errno != EEXIST))
                rc = base_fail(err, BASE_EIO, "%s: cannot make the folder: %s", sub,
                               strerror(errno));
        }
        if (rc == BASE_OK)
            rc = is_header ? write_file(p, text, strlen(text), err) : copy_file(f, p, err);
    }
    free(text);
    if (rc == BASE_OK && rename(tmp, outdir) != 0)
        rc = base_fail(err, BASE_EIO, "%s: cannot rename to %s: %s", tmp, outdir, strerror(errno));
    if (rc != BASE_OK)
        remove_tree(tmp);
    return rc;
}
