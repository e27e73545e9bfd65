/*
 * rule_load.c: rule_set_load, which reads a rule set (one file or a folder),
 * has each part checked (rule_header.c, rule_check.c, rule_case.c),
 * checks what spans rules (duplicate ids, unused schemes), and prepares
 * what the evaluator needs: the name index, the literal prefilter, shared
 * patterns and the canonical form with its SHA-256.
 *
 * Every problem goes into the caller's diagnostics with file:line:col
 * (from rule_json's position table), the rule id and a hint; checking goes
 * on after a problem so that one run shows them all.  A set with any error
 * is freed before returning: the caller never sees a half-loaded set.
 */
#include "rules/rule_loader.h"
#include "base/base_sha256.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (16u << 20)
#define MAX_JSON_ERRS 64

/* ---- files ---- */

static char *read_file(loader *L, const char *path, size_t *len)
{
    rule_jpos none = {0, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL, NULL, "not a regular file");
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)st.st_size > MAX_FILE_BYTES) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL, "split the set into several files",
                         "file is larger than %u MiB", MAX_FILE_BYTES >> 20);
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        L->nomem = 1;
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    int err = ferror(f);
    fclose(f);
    if (err || got != size) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL, NULL, "read error");
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    *len = size;
    return buf;
}

static int add_file(loader *L, const char *path)
{
    rule_set *set = L->set;
    char **nf = realloc(set->files, (set->nfiles + 1) * sizeof *nf);
    if (!nf) {
        L->nomem = 1;
        return -1;
    }
    set->files = nf;
    rule_jdoc **nd = realloc(set->docs, (set->nfiles + 1) * sizeof *nd);
    if (!nd) {
        L->nomem = 1;
        return -1;
    }
    set->docs = nd;
    set->files[set->nfiles] = rule_ld_strdup(L, path);
    set->docs[set->nfiles] = NULL;
    if (!set->files[set->nfiles])
        return -1;
    set->nfiles++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir (not set.json, not hidden), sorted, appended. */
static int add_folder_files(loader *L, const char *dir, int skip_set_json)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (skip_set_json && strcmp(e->d_name, "set.json") == 0)
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            L->nomem = 1;
            rc = -1;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        struct stat st;
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) && add_file(L, path) < 0)
            rc = -1;
        free(names[k]);
    }
    free(names);
    return rc;
}

static int collect_files(loader *L, const char *path)
{
    rule_jpos none = {0, 0, 0};
    struct stat st;
    if (stat(path, &st) != 0) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL, NULL, "%s: cannot open: %s", path,
                         strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add_file(L, path);
    char p[4096];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    snprintf(p, sizeof p, "%.*s/set.json", (int)len, path);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
        rule_ld_diag_pos(L, RULE_ERROR, none, NULL,
                         "a rule-set folder holds its header in set.json",
                         "%.*s: no set.json in the folder", (int)len, path);
        return -1;
    }
    if (add_file(L, p) < 0)
        return -1;
    snprintf(p, sizeof p, "%.*s", (int)len, path);
    if (add_folder_files(L, p, 1) < 0)
        return -1;
    snprintf(p, sizeof p, "%.*s/tests", (int)len, path);
    return add_folder_files(L, p, 0);
}

static void parse_files(loader *L)
{
    rule_set *set = L->set;
    for (size_t i = 0; i < set->nfiles; i++) {
        L->file = (int)i;
        L->doc = NULL;
        size_t len;
        char *text = read_file(L, set->files[i], &len);
        if (!text)
            continue;
        rule_jerr errs[MAX_JSON_ERRS];
        size_t nfound;
        set->docs[i] = rule_jdoc_parse(text, len, RULE_JSON_NO_NUL, errs, MAX_JSON_ERRS, &nfound);
        free(text);
        if (!set->docs[i]) {
            if (nfound == 0)
                L->nomem = 1;
            size_t from = L->diags ? L->diags->n : 0;
            for (size_t k = 0; k < nfound && k < MAX_JSON_ERRS; k++)
                rule_ld_diag_pos(L, RULE_ERROR, errs[k].pos, NULL, NULL, "%s", errs[k].msg);
            if (nfound > MAX_JSON_ERRS) {
                rule_jpos none = {0, 0, 0};
                rule_ld_diag_pos(L, RULE_ERROR, none, NULL, NULL, "%zu more JSON problems",
                                 nfound - MAX_JSON_ERRS);
            }
            rule_ld_sort_diags(L, from);
            /* Duplicate keys alone leave a readable document: check the rest
             * of it too, so that every problem is reported at once (the set
             * is refused all the same). */
            int only_dups = nfound > 0 && nfound <= MAX_JSON_ERRS;
            for (size_t k = 0; only_dups && k < nfound; k++)
                only_dups = !strncmp(errs[k].msg, "duplicate key", 13);
            if (only_dups && (text = read_file(L, set->files[i], &len)) != NULL) {
                size_t again;
                set->docs[i] = rule_jdoc_parse(text, len, RULE_JSON_NO_NUL | RULE_JSON_DUPS_OK,
                                               errs, MAX_JSON_ERRS, &again);
                free(text);
            }
        }
    }
    L->file = -1;
}

/* Numbers cJSON read as infinite (1e999) are not JSON numbers we can keep. */
static void check_numbers(loader *L, const cJSON *n)
{
    for (; n; n = n->next) {
        if (cJSON_IsNumber(n) && !isfinite(n->valuedouble))
            rule_ld_diag_at(L, RULE_ERROR, n, 0, NULL, NULL, "number out of range");
        if (cJSON_IsArray(n) || cJSON_IsObject(n))
            check_numbers(L, n->child);
    }
}

/* The keys at the top of a file: rules and cases, and in the first file
 * (is_first) the header's too. */
static void check_top_keys(loader *L, const cJSON *root, int is_first)
{
    static const char *const body_keys[] = {"rules", "cases", NULL};
    const char *all_keys[64];
    size_t nk = 0;
    for (size_t k = 0; rule_ld_header_keys[k] && nk < 61; k++)
        all_keys[nk++] = rule_ld_header_keys[k];
    all_keys[nk++] = "rules";
    all_keys[nk++] = "cases";
    all_keys[nk] = NULL;
    const char *const *allowed = is_first ? all_keys : body_keys;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (rule_ld_in_list(c->string, allowed) >= 0)
            continue;
        char hint[256];
        if (rule_ld_in_list(c->string, rule_ld_header_keys) >= 0)
            rule_ld_diag_at(L, RULE_ERROR, c, 1, NULL, "move it to set.json",
                            "header key \"%s\" outside the header", c->string);
        else
            rule_ld_diag_at(L, RULE_ERROR, c, 1, NULL,
                            rule_ld_suggest(c->string, allowed, hint, sizeof hint),
                            "unknown key \"%s\" at the top of a rule-set file", c->string);
    }
}

static void load_file(loader *L, size_t i)
{
    rule_set *set = L->set;
    L->file = (int)i;
    L->doc = set->docs[i];
    size_t from = L->diags ? L->diags->n : 0;
    const cJSON *root = rule_jdoc_root(L->doc);
    check_numbers(L, root);
    if (!cJSON_IsObject(root)) {
        rule_ld_diag_at(L, RULE_ERROR, root, 0, NULL, NULL,
                        "a rule-set file holds an object, not %s", rule_ld_type_name(root));
        goto done;
    }
    check_top_keys(L, root, i == 0);
    if (i == 0)
        rule_ld_header(L, root);
    const cJSON *rules = rule_ld_member(root, "rules");
    if (rules && !cJSON_IsArray(rules))
        rule_ld_diag_at(L, RULE_ERROR, rules, 0, NULL, NULL, "\"rules\" must be a list, not %s",
                        rule_ld_type_name(rules));
    else if (rules)
        for (const cJSON *c = rules->child; c; c = c->next)
            rule_ld_rule(L, c);
    const cJSON *cases = rule_ld_member(root, "cases");
    if (cases && !cJSON_IsArray(cases))
        rule_ld_diag_at(L, RULE_ERROR, cases, 0, NULL, NULL, "\"cases\" must be a list, not %s",
                        rule_ld_type_name(cases));
    if (i > 0 && !rules && !cases)
        rule_ld_diag_at(L, RULE_WARNING, root, 0, NULL,
                        "a file holds {\"rules\": [...]} or "
                        "{\"cases\": [...]}",
                        "the file holds neither rules nor cases");
done:
    rule_ld_sort_diags(L, from);
    L->file = -1;
    L->doc = NULL;
}

/* Cases come after every rule is known (they name rules). */
static void load_cases(loader *L, size_t i)
{
    rule_set *set = L->set;
    L->file = (int)i;
    L->doc = set->docs[i];
    size_t from = L->diags ? L->diags->n : 0;
    const cJSON *root = rule_jdoc_root(L->doc);
    const cJSON *cases = cJSON_IsObject(root) ? rule_ld_member(root, "cases") : NULL;
    if (cJSON_IsArray(cases))
        for (const cJSON *c = cases->child; c; c = c->next)
            rule_ld_case(L, c);
    rule_ld_sort_diags(L, from);
    L->file = -1;
    L->doc = NULL;
}

typedef struct idref {
    const char *id;
    size_t index;
} idref;

static int by_id(const void *pa, const void *pb)
{
    const idref *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static void check_duplicate_ids(loader *L)
{
    rule_set *set = L->set;
    if (set->nrules < 2)
        return;
    idref *v = malloc(set->nrules * sizeof *v);
    if (!v) {
        L->nomem = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].id[0])
            v[n].id = set->rules[i].id, v[n++].index = i;
    qsort(v, n, sizeof *v, by_id);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(v[k].id, v[k - 1].id) != 0)
            continue;
        size_t first = k - 1;
        while (first > 0 && strcmp(v[first - 1].id, v[k].id) == 0)
            first--;
        const rule_def *a = &set->rules[v[first].index], *b = &set->rules[v[k].index];
        L->file = b->file;
        rule_jpos pos = {0, b->line, b->col};
        rule_ld_diag_pos(L, RULE_ERROR, pos, b->id, "rule ids must be unique in the set",
                         "duplicate rule id \"%s\" (first at %s:%d:%d)", b->id, set->files[a->file],
                         a->line, a->col);
    }
    L->file = -1;
    free(v);
}

static void check_schemes(loader *L)
{
    rule_set *set = L->set;
    if (!L->header_ok)
        return;
    const cJSON *hs = rule_ld_member(set->header, "schemes");
    L->file = 0;
    L->doc = set->docs[0];
    for (const cJSON *c = cJSON_IsArray(hs) ? hs->child : NULL; c; c = c->next) {
        if (!cJSON_IsString(c))
            continue;
        int used = 0;
        for (size_t i = 0; i < set->nrules && !used; i++)
            used = set->rules[i].scheme && strcmp(set->rules[i].scheme, c->valuestring) == 0;
        if (!used)
            rule_ld_diag_at(L, RULE_WARNING, c, 0, NULL, NULL, "no rule carries scheme \"%s\"",
                            c->valuestring);
    }
    L->file = -1;
    L->doc = NULL;
}

/* For every name, the pattern rules that read it (rule order), and for
 * every field of a rule its place in that list. */
static void index_readers(loader *L)
{
    rule_set *set = L->set;
    set->reader_at = calloc(set->nnames + 1, sizeof *set->reader_at);
    size_t total = 0;
    for (size_t i = 0; i < set->nrules; i++)
        total += set->rules[i].re ? set->rules[i].nfields : 0;
    set->readers = malloc((total ? total : 1) * sizeof *set->readers);
    if (!set->reader_at || !set->readers) {
        L->nomem = 1;
        return;
    }
    for (size_t i = 0; i < set->nrules; i++)
        for (size_t k = 0; set->rules[i].re && k < set->rules[i].nfields; k++)
            set->reader_at[set->rules[i].fields[k] + 1]++;
    for (size_t id = 0; id < set->nnames; id++)
        set->reader_at[id + 1] += set->reader_at[id];
    int *fill = calloc(set->nnames ? set->nnames : 1, sizeof *fill);
    if (!fill) {
        L->nomem = 1;
        return;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        rule_def *r = &set->rules[i];
        if (!r->re || !r->nfields)
            continue;
        r->rpos = calloc(r->nfields, sizeof *r->rpos);
        if (!r->rpos) {
            L->nomem = 1;
            break;
        }
        for (size_t k = 0; k < r->nfields; k++) {
            int id = r->fields[k];
            r->rpos[k] = fill[id];
            set->readers[set->reader_at[id] + fill[id]++] = (int)i;
        }
    }
    free(fill);
}

/* Rules with the same pattern, flags and negatable compute one outcome
 * per value (the default set reads several fields with the same pattern
 * under two ids); the later ones share the first one's compiled pattern.
 * Patterns with neither literals nor prefixes get PCRE2's start bytes. */
static void share_patterns(loader *L)
{
    rule_set *set = L->set;
    for (size_t i = 0; i < set->nrules; i++) {
        rule_def *r = &set->rules[i];
        if (!r->re)
            continue;
        for (size_t j = 0; j < i; j++) {
            const rule_def *q = &set->rules[j];
            if (q->re && q->twin < 0 && q->flags == r->flags && q->negatable == r->negatable &&
                strcmp(q->pattern, r->pattern) == 0) {
                rule_re_free(r->re);
                r->re = q->re;
                r->twin = (int)j;
                break;
            }
        }
        if (r->nlits == 0 && r->npre == 0) {
            unsigned char start[256];
            if (rule_re_start_bytes(r->re, start) && rule_re_anchorable(r->re) == 0) {
                r->start = malloc(256);
                if (!r->start) {
                    L->nomem = 1;
                    return;
                }
                memcpy(r->start, start, 256);
            }
        }
    }
}

/* Literal -> rules, for req (required literals) or pre (prefixes). */
static int invert(loader *L, int pre, int **at_out, int **rules_out)
{
    rule_set *set = L->set;
    size_t nl = rule_lset_count(set->lset), total = 0;
    int *at = calloc(nl + 1, sizeof *at);
    if (!at)
        return -1;
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        size_t n = pre ? r->npre : r->nlits;
        for (size_t k = 0; k < n; k++)
            at[(pre ? r->pre : r->lits)[k] + 1]++;
        total += n;
    }
    for (size_t id = 0; id < nl; id++)
        at[id + 1] += at[id];
    int *rules = malloc((total ? total : 1) * sizeof *rules);
    int *fill = calloc(nl ? nl : 1, sizeof *fill);
    if (!rules || !fill) {
        free(at);
        free(rules);
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        size_t n = pre ? r->npre : r->nlits;
        for (size_t k = 0; k < n; k++) {
            int id = (pre ? r->pre : r->lits)[k];
            rules[at[id] + fill[id]++] = (int)i;
        }
    }
    free(fill);
    *at_out = at;
    *rules_out = rules;
    return 0;
}

/* ---- the canonical form ---- */

static void make_canonical(loader *L)
{
    rule_set *set = L->set;
    size_t total = 0, cap = 0;
    char *all = NULL;
    base_sha256_ctx method;
    base_sha256_init(&method);
    for (size_t i = 0; i < set->nfiles; i++) {
        const cJSON *root = rule_jdoc_root(set->docs[i]);
        char *c = rule_json_canonical(root);
        if (c && root == set->header &&
            (rule_ld_member(root, "version") || rule_ld_member(root, "calibration"))) {
            /* the method: the header less its version and calibration record */
            cJSON *bare = cJSON_Duplicate(root, 1);
            char *bc = NULL;
            if (bare) {
                cJSON_DeleteItemFromObjectCaseSensitive(bare, "version");
                cJSON_DeleteItemFromObjectCaseSensitive(bare, "calibration");
                bc = rule_json_canonical(bare);
                cJSON_Delete(bare);
            }
            if (!bc) {
                free(c);
                L->nomem = 1;
                break;
            }
            base_sha256_update(&method, bc, strlen(bc));
            base_sha256_update(&method, "\n", 1);
            free(bc);
        } else if (c) {
            base_sha256_update(&method, c, strlen(c));
            base_sha256_update(&method, "\n", 1);
        }
        if (!c) {
            L->nomem = 1;
            break;
        }
        size_t len = strlen(c);
        if (total + len + 2 > cap) {
            cap = (total + len + 2) * 2;
            char *na = realloc(all, cap);
            if (!na) {
                free(c);
                L->nomem = 1;
                break;
            }
            all = na;
        }
        memcpy(all + total, c, len);
        total += len;
        all[total++] = '\n';
        all[total] = '\0';
        free(c);
    }
    if (L->nomem) {
        free(all);
        return;
    }
    set->canonical = all ? all : strdup("");
    if (!set->canonical) {
        L->nomem = 1;
        return;
    }
    base_sha256_hex(set->canonical, total, set->sha256);
    base_sha256_final_hex(&method, set->method_sha256);
}

rule_set *rule_set_load(const char *path, int check_patterns_speed, rule_diags *diags)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.diags = diags;
    L.file = -1;
    rule_set *set = calloc(1, sizeof *set);
    if (!set) {
        rule_jpos none = {0, 0, 0};
        rule_ld_diag_pos(&L, RULE_ERROR, none, NULL, NULL, "out of memory");
        return NULL;
    }
    L.set = set;
    set->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    set->lset = rule_lset_new();
    if (!set->lset || !set->c_locale)
        L.nomem = 1;
    if (!L.nomem && collect_files(&L, path) == 0) {
        parse_files(&L);
        for (size_t i = 0; i < set->nfiles; i++)
            if (set->docs[i])
                load_file(&L, i);
        for (size_t i = 0; i < set->nfiles; i++)
            if (set->docs[i])
                load_cases(&L, i);
        check_duplicate_ids(&L);
        check_schemes(&L);
        if (!L.nomem && rule_names_index(set) < 0)
            L.nomem = 1;
        if (!L.nomem && rule_lset_build(set->lset) < 0)
            L.nomem = 1;
        if (!L.nomem)
            index_readers(&L);
        if (!L.nomem)
            share_patterns(&L);
        if (!L.nomem && (invert(&L, 0, &set->req_at, &set->req_rules) < 0 ||
                         invert(&L, 1, &set->pre_at, &set->pre_rules) < 0))
            L.nomem = 1;
        if (!L.errors && !L.nomem && check_patterns_speed)
            rule_ld_speed_check(&L);
        if (!L.errors && !L.nomem)
            make_canonical(&L);
    }
    if (L.nomem) {
        rule_jpos none = {0, 0, 0};
        L.file = -1;
        L.nomem = 0;
        rule_ld_diag_pos(&L, RULE_ERROR, none, NULL, NULL, "out of memory");
        L.errors++;
    }
    if (L.errors) {
        rule_set_free(set);
        return NULL;
    }
    return set;
}
