/*
 * eng_registry: registry entries, their canonical form, the loaded set of
 * registries and the checks of references against it (see eng_registry.h).
 *
 * The loaded set keeps every entry once and indexes it by the keys a claim
 * may use: the code, the code's number part ("L0192" of "CNAS L0192"), the
 * code without its edition year (standards), the holder and name (CMCs and
 * laboratories) and every alias.  The CMCs of each SI unit sit in a segment
 * tree over their range end points, so the best (smallest) uncertainty at a
 * value is found in O(log n) whatever the registry's size.
 */
#include "engine/eng_registry.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_buf.h"
#include "base/base_sha256.h"

static const char *const kind_names[] = {NULL, "lab", "cmc", "standard", "crm"};
static const char *const ref_names[] = {NULL, "lab", "institute", "uncertainty", "crm", "standard"};
static const char *const verdict_names[] = {
    NULL, "verified", "not_found", "expired", "out_of_scope", "implausible", "not_checkable"};

const char *eng_reg_kind_name(int kind)
{
    return kind >= ENG_REG_LAB && kind <= ENG_REG_CRM ? kind_names[kind] : NULL;
}

int eng_reg_kind_parse(const char *s)
{
    for (int k = ENG_REG_LAB; s && k <= ENG_REG_CRM; k++)
        if (!strcmp(s, kind_names[k]))
            return k;
    return 0;
}

const char *eng_ref_kind_name(int kind)
{
    return kind >= ENG_REF_LAB && kind <= ENG_REF_STANDARD ? ref_names[kind] : NULL;
}

int eng_ref_kind_parse(const char *s)
{
    for (int k = ENG_REF_LAB; s && k <= ENG_REF_STANDARD; k++)
        if (!strcmp(s, ref_names[k]))
            return k;
    return 0;
}

const char *eng_verdict_name(int v)
{
    return v >= 1 && v <= ENG_VERDICT_COUNT ? verdict_names[v] : NULL;
}

int eng_verdict_parse(const char *s)
{
    for (int v = 1; s && v <= ENG_VERDICT_COUNT; v++)
        if (!strcmp(s, verdict_names[v]))
            return v;
    return 0;
}

/* ---- entries ------------------------------------------------------------------ */

void eng_reg_entry_init(eng_reg_entry *e)
{
    memset(e, 0, sizeof *e);
    e->range_min = e->range_max = e->uncertainty = e->k = NAN;
}

void eng_reg_entry_release(eng_reg_entry *e)
{
    if (!e)
        return;
    char **s[] = {&e->code,     &e->name,   &e->holder, &e->aliases,  &e->country,
                  &e->quantity, &e->scope,  &e->unit,   &e->unc_unit, &e->valid_from,
                  &e->valid_to, &e->status, &e->source};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    eng_reg_entry_init(e);
}

void eng_reg_entries_free(eng_reg_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        eng_reg_entry_release(&v[i]);
    free(v);
}

static int date_ok(const char *d)
{
    /* YYYY, YYYY-MM or YYYY-MM-DD, as the table importer writes dates. */
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-')
                return 0;
        } else if (d[i] < '0' || d[i] > '9') {
            return 0;
        }
    }
    return 1;
}

int eng_reg_entry_validate(int kind, const eng_reg_entry *e, eng_err *err)
{
    /* A CMC may lack its KCDB code (NMI service listings): it still says
     * what an institute can measure, and how well. */
    if ((!e->code || !*e->code) && !(kind == ENG_REG_CMC && e->holder && *e->holder))
        return eng_fail(err, ENG_EINPUT,
                        kind == ENG_REG_CMC
                            ? "field 'code': a CMC needs its code (KCDB code) or its institute"
                            : "field 'code': every entry needs its code or number");
    const double nums[] = {e->range_min, e->range_max, e->uncertainty, e->k};
    const char *names[] = {"range_min", "range_max", "uncertainty", "k"};
    for (int i = 0; i < 4; i++)
        if (isinf(nums[i]))
            return eng_fail(err, ENG_EINPUT, "field '%s': not a finite number", names[i]);
    if (!isnan(e->range_min) && !isnan(e->range_max) && e->range_min > e->range_max)
        return eng_fail(err, ENG_EINPUT, "field 'range_min': %g is above range_max %g",
                        e->range_min, e->range_max);
    if (!isnan(e->uncertainty) && e->uncertainty < 0)
        return eng_fail(err, ENG_EINPUT, "field 'uncertainty': negative (%g)", e->uncertainty);
    if (kind == ENG_REG_CMC && !isnan(e->uncertainty) && !e->unc_unit && !e->unit)
        return eng_fail(err, ENG_EINPUT,
                        "field 'uncertainty': %g with no unit (an uncertainty unit column, a "
                        "unit column, or the unit in the cell)",
                        e->uncertainty);
    if (!isnan(e->k) && (e->k <= 0 || e->k > 10))
        return eng_fail(err, ENG_EINPUT,
                        "field 'k': a coverage factor is above 0 and at most 10, "
                        "not %g",
                        e->k);
    if (e->valid_from && !date_ok(e->valid_from))
        return eng_fail(err, ENG_EINPUT, "field 'valid_from': not a date: \"%s\"", e->valid_from);
    if (e->valid_to && !date_ok(e->valid_to))
        return eng_fail(err, ENG_EINPUT, "field 'valid_to': not a date: \"%s\"", e->valid_to);
    if (e->valid_from && e->valid_to && strcmp(e->valid_from, e->valid_to) > 0)
        return eng_fail(err, ENG_EINPUT, "field 'valid_from': %s is after valid_to %s",
                        e->valid_from, e->valid_to);
    return ENG_OK;
}

static void num_json(base_buf *b, double v)
{
    char buf[40];
    if (isnan(v))
        base_buf_cat(b, "null");
    else {
        snprintf(buf, sizeof buf, "%.17g", v);
        base_buf_cat(b, buf);
    }
}

int eng_reg_canonical(int kind, const eng_reg_entry *v, size_t n, char **text, char hex[65],
                      eng_err *err)
{
    base_buf b = {0};
    base_buf_cat(&b, "{\"kind\":");
    base_buf_json(&b, eng_reg_kind_name(kind));
    base_buf_cat(&b, ",\"entries\":[");
    for (size_t i = 0; i < n; i++) {
        const eng_reg_entry *e = &v[i];
        base_buf_cat(&b, i ? ",[" : "[");
        const char *s[] = {e->code,    e->name,     e->holder, e->aliases,
                           e->country, e->quantity, e->scope,  e->unit};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
            base_buf_json(&b, s[k]);
            base_buf_cat(&b, ",");
        }
        num_json(&b, e->range_min);
        base_buf_cat(&b, ",");
        num_json(&b, e->range_max);
        base_buf_cat(&b, ",");
        num_json(&b, e->uncertainty);
        base_buf_cat(&b, ",");
        base_buf_json(&b, e->unc_unit);
        base_buf_cat(&b, ",");
        num_json(&b, e->k);
        const char *t[] = {e->valid_from, e->valid_to, e->status, e->source};
        for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
            base_buf_cat(&b, ",");
            base_buf_json(&b, t[k]);
        }
        base_buf_cat(&b, "]");
    }
    base_buf_cat(&b, "]}");
    if (b.oom) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    base_sha256_hex(b.p, b.n, hex);
    *text = b.p;
    return ENG_OK;
}

void eng_reg_info_release(eng_reg_info *ri)
{
    if (!ri)
        return;
    free(ri->name);
    free(ri->file);
    free(ri->sha256);
    free(ri->imported_at);
    memset(ri, 0, sizeof *ri);
}

void eng_reg_infos_free(eng_reg_info *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        eng_reg_info_release(&v[i]);
    free(v);
}

void eng_reg_check_release(eng_reg_check *c)
{
    if (!c)
        return;
    free(c->project_id);
    free(c->claim);
    free(c->registry);
    free(c->entry_code);
    free(c->entry);
    free(c->evidence);
    memset(c, 0, sizeof *c);
}

void eng_reg_checks_free(eng_reg_check *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        eng_reg_check_release(&v[i]);
    free(v);
}

/* ---- keys ---------------------------------------------------------------------- */

#define KEYCAP 256

/* The number part of a code and its scheme.  A code of several words is a
 * scheme (its first word) and a number (from the next word holding a digit
 * to the end): "CNAS L0192" -> CNAS, L0192; "NVLAP Lab Code 100234-0" ->
 * NVLAP, 100234-0; "A2LA cert 1234.01" -> A2LA, 1234.01.  A code of one word
 * has no scheme and is its own number ("L0192", "D-K-15032-01-00").  OUT:
 * out (key of the number), scheme (key of the scheme, "" when none).
 * Returns 1 when the code has a scheme. */
static int split_code(const char *s, size_t len, char *out, char *scheme)
{
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    size_t w0 = i;
    while (i < len && s[i] != ' ')
        i++;
    size_t w0e = i;
    size_t start = len;
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t ws = i;
        int digit = 0;
        while (i < len && s[i] != ' ')
            digit |= s[i++] >= '0' && s[i - 1] <= '9';
        if (digit && ws < len) {
            start = ws;
            break;
        }
    }
    if (start == len) {
        scheme[0] = '\0';
        eng_reg_code_key(s + w0, len - w0, out, KEYCAP);
        return 0;
    }
    eng_reg_code_key(s + w0, w0e - w0, scheme, KEYCAP);
    eng_reg_code_key(s + start, len - start, out, KEYCAP);
    return 1;
}

static int number_key(const char *s, size_t len, char *out)
{
    char scheme[KEYCAP];
    return split_code(s, len, out, scheme);
}

/* A standard's number without its edition year: "GB/T 22900-2022" ->
 * "GB/T 22900", "ISO/IEC 17025:2017" -> "ISO/IEC 17025".  OUT: key of it.
 * Returns 1 when a year was cut. */
static int undated_key(const char *s, size_t len, char *out)
{
    size_t n = len;
    while (n && s[n - 1] == ' ')
        n--;
    if (n >= 6 && s[n - 1] >= '0' && s[n - 1] <= '9' && s[n - 2] >= '0' && s[n - 2] <= '9' &&
        s[n - 3] >= '0' && s[n - 3] <= '9' && s[n - 4] >= '0' && s[n - 4] <= '9') {
        size_t y = n - 4;
        size_t sep = y;
        while (sep > 0 && s[sep - 1] == ' ')
            sep--;
        if (sep > 0 && (s[sep - 1] == '-' || s[sep - 1] == ':')) {
            eng_reg_code_key(s, sep - 1, out, KEYCAP);
            return 1;
        }
        if (sep >= 3 && !memcmp(s + sep - 3, "：", 3)) {
            eng_reg_code_key(s, sep - 3, out, KEYCAP);
            return 1;
        }
    }
    /* ASTM designations carry a two-digit edition year: "ASTM C518-21". */
    if (n >= 8 && !strncmp(s, "ASTM", 4) && s[n - 3] == '-' && s[n - 1] >= '0' && s[n - 1] <= '9' &&
        s[n - 2] >= '0' && s[n - 2] <= '9') {
        eng_reg_code_key(s, n - 3, out, KEYCAP);
        return 1;
    }
    eng_reg_code_key(s, len, out, KEYCAP);
    return 0;
}

/* ---- the loaded set --------------------------------------------------------------- */

/* Index slot kinds: what a key stands for. */
enum { KEY_CODE = 1, KEY_NUMBER, KEY_UNDATED, KEY_NAME };

typedef struct slot {
    char *key;
    uint32_t entry;
    uint8_t what;
    int32_t next;
} slot;

/* One unit's CMCs in a segment tree over the sorted end points of their
 * ranges; leaves are the points and the gaps between them. */
typedef struct best_tree {
    char si[8];
    double *pts;
    size_t npts;
    uint32_t *abs_best, *rel_best; /* per node: entry index + 1 of the best, 0 none */
    double *abs_u, *rel_u;         /* per node: the best's standard uncertainty */
    size_t nodes;
    uint32_t global_abs; /* the best absolute uncertainty at any value, +1 */
} best_tree;

typedef struct entry_ref {
    eng_reg_entry e;
    int kind;
    size_t reg;      /* index into infos */
    double u_abs;    /* standard uncertainty in SI units, NaN when not absolute */
    double u_rel;    /* relative standard uncertainty, NaN when not relative */
    double lo, hi;   /* range in SI units, NaN when none */
    const char *si;  /* SI unit of the range, NULL when unknown */
    const char *qty; /* quantity name, NULL when unknown */
} entry_ref;

struct eng_regset {
    eng_reg_info *infos;
    size_t ninfos;
    entry_ref *v;
    size_t n, cap;
    slot *slots;
    size_t nslots, slotcap;
    int32_t *heads;
    size_t nheads;
    best_tree *trees;
    size_t ntrees;
    size_t count_kind[5];
    char **aliases; /* groups of names of one institute, '\x1f'-separated keys */
    size_t naliases;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int add_slot(eng_regset *rs, const char *key, size_t entry, int what)
{
    if (!*key)
        return 0;
    if (rs->nslots == rs->slotcap) {
        size_t nc = rs->slotcap ? rs->slotcap * 2 : 1024;
        slot *ns = realloc(rs->slots, nc * sizeof *ns);
        if (!ns)
            return -1;
        rs->slots = ns;
        rs->slotcap = nc;
    }
    char *k = strdup(key);
    if (!k)
        return -1;
    rs->slots[rs->nslots++] = (slot){k, (uint32_t)entry, (uint8_t)what, -1};
    return 0;
}

static int build_hash(eng_regset *rs)
{
    size_t nh = 16;
    while (nh < rs->nslots * 2)
        nh *= 2;
    rs->heads = malloc(nh * sizeof *rs->heads);
    if (!rs->heads)
        return -1;
    rs->nheads = nh;
    for (size_t i = 0; i < nh; i++)
        rs->heads[i] = -1;
    /* Backwards, so each chain lists slots in insertion (file) order. */
    for (size_t i = rs->nslots; i-- > 0;) {
        size_t h = (size_t)(fnv(rs->slots[i].key) & (nh - 1));
        rs->slots[i].next = rs->heads[h];
        rs->heads[h] = (int32_t)i;
    }
    return 0;
}

/* Visits the slots of key; returns the first slot index, -1 when none.
 * Use next_slot to go on. */
static int32_t first_slot(const eng_regset *rs, const char *key)
{
    if (!rs->nheads || !*key)
        return -1;
    int32_t i = rs->heads[fnv(key) & (rs->nheads - 1)];
    while (i >= 0 && strcmp(rs->slots[i].key, key))
        i = rs->slots[i].next;
    return i;
}

static int32_t next_slot(const eng_regset *rs, int32_t i)
{
    const char *key = rs->slots[i].key;
    i = rs->slots[i].next;
    while (i >= 0 && strcmp(rs->slots[i].key, key))
        i = rs->slots[i].next;
    return i;
}

static double std_unc(double U, double k)
{
    return U / (isnan(k) || k <= 0 ? 2.0 : k);
}

/* Units and standard uncertainties of a CMC (or any entry with a range). */
static void entry_units(entry_ref *r)
{
    const eng_reg_entry *e = &r->e;
    eng_reg_qty q;
    r->lo = r->hi = r->u_abs = r->u_rel = NAN;
    r->si = NULL;
    r->qty = NULL;
    if (e->unit && eng_reg_unit(e->unit, 0, 1, &q) == 0 && !q.relative) {
        r->si = q.si;
        r->qty = q.name;
        if (!isnan(e->range_min) && eng_reg_unit(e->unit, e->range_min, 1, &q) == 0)
            r->lo = q.value;
        if (!isnan(e->range_max) && eng_reg_unit(e->unit, e->range_max, 1, &q) == 0)
            r->hi = q.value;
    }
    if (!r->qty && e->quantity)
        r->qty = eng_reg_quantity_of(e->quantity, strlen(e->quantity));
    if (isnan(e->uncertainty))
        return;
    const char *uu = e->unc_unit && *e->unc_unit ? e->unc_unit : e->unit;
    if (uu && eng_reg_unit(uu, e->uncertainty, 0, &q) == 0) {
        if (q.relative)
            r->u_rel = std_unc(q.value, e->k);
        else if (r->si && !strcmp(q.si, r->si))
            r->u_abs = std_unc(q.value, e->k);
    }
}

static int add_entry(eng_regset *rs, eng_reg_entry *e, int kind, size_t reg)
{
    if (rs->n == rs->cap) {
        size_t nc = rs->cap ? rs->cap * 2 : 256;
        entry_ref *nv = realloc(rs->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        rs->v = nv;
        rs->cap = nc;
    }
    entry_ref *r = &rs->v[rs->n];
    memset(r, 0, sizeof *r);
    r->e = *e; /* takes the strings */
    eng_reg_entry_init(e);
    r->kind = kind;
    r->reg = reg;
    entry_units(r);
    size_t idx = rs->n++;
    rs->count_kind[kind]++;
    char key[KEYCAP], nk[KEYCAP];
    const char *code = r->e.code;
    eng_reg_code_key(code, strlen(code), key, KEYCAP);
    if (add_slot(rs, key, idx, KEY_CODE))
        return -1;
    if (number_key(code, strlen(code), nk) && add_slot(rs, nk, idx, KEY_NUMBER))
        return -1;
    if (kind == ENG_REG_STANDARD && undated_key(code, strlen(code), nk) &&
        add_slot(rs, nk, idx, KEY_UNDATED))
        return -1;
    const char *names[] = {r->e.name, r->e.holder};
    for (int i = 0; i < 2; i++)
        if (names[i] && (kind == ENG_REG_CMC || kind == ENG_REG_LAB) &&
            add_slot(rs, eng_reg_code_key(names[i], strlen(names[i]), key, KEYCAP), idx, KEY_NAME))
            return -1;
    for (const char *a = r->e.aliases; a && *a;) {
        size_t n = strcspn(a, ";\n");
        eng_reg_code_key(a, n, key, KEYCAP);
        if (add_slot(rs, key, idx, kind == ENG_REG_CMC ? KEY_NAME : KEY_CODE))
            return -1;
        if (kind != ENG_REG_CMC && number_key(a, n, nk) && add_slot(rs, nk, idx, KEY_NUMBER))
            return -1;
        a += n + (a[n] ? 1 : 0);
    }
    return 0;
}

/* ---- best-uncertainty trees ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t leaf_of(const best_tree *t, double v, int *inside)
{
    /* leaves: 2i is point i, 2i+1 the gap after it */
    size_t lo = 0, hi = t->npts;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->pts[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *inside = 1;
    if (lo < t->npts && t->pts[lo] == v)
        return 2 * lo;
    if (lo == 0 || lo == t->npts) {
        *inside = 0;
        return 0;
    }
    return 2 * (lo - 1) + 1;
}

/* Whether entry a (uncertainty x) beats entry b (uncertainty y; b = 0: none):
 * smaller, or as small and earlier, so that results do not depend on order. */
static int beats(double x, uint32_t a, double y, uint32_t b)
{
    return !b || x < y || (x == y && a < b);
}

static int better(const eng_regset *rs, uint32_t a, uint32_t b, int rel)
{
    if (!b)
        return 1;
    double x = rel ? rs->v[a - 1].u_rel : rs->v[a - 1].u_abs;
    double y = rel ? rs->v[b - 1].u_rel : rs->v[b - 1].u_abs;
    return beats(x, a, y, b);
}

static void tree_update(best_tree *t, size_t node, size_t nl, size_t nr, size_t l, size_t r,
                        uint32_t e, double u, int rel)
{
    if (r < nl || nr < l)
        return;
    uint32_t *best = rel ? t->rel_best : t->abs_best;
    double *bu = rel ? t->rel_u : t->abs_u;
    if (l <= nl && nr <= r) {
        if (beats(u, e, bu[node], best[node])) {
            best[node] = e;
            bu[node] = u;
        }
        return;
    }
    size_t mid = (nl + nr) / 2;
    tree_update(t, 2 * node, nl, mid, l, r, e, u, rel);
    tree_update(t, 2 * node + 1, mid + 1, nr, l, r, e, u, rel);
}

static uint32_t tree_query(const best_tree *t, size_t leaf, int rel)
{
    size_t node = 1, nl = 0, nr = 2 * t->npts - 2;
    const uint32_t *best = rel ? t->rel_best : t->abs_best;
    const double *bu = rel ? t->rel_u : t->abs_u;
    uint32_t got = 0;
    double gu = 0;
    for (;;) {
        if (best[node] && beats(bu[node], best[node], gu, got)) {
            got = best[node];
            gu = bu[node];
        }
        if (nl == nr)
            break;
        size_t mid = (nl + nr) / 2;
        if (leaf <= mid) {
            node = 2 * node;
            nr = mid;
        } else {
            node = 2 * node + 1;
            nl = mid + 1;
        }
    }
    return got;
}

/* The tree of an SI unit, made when missing.  NULL when memory ran out. */
static best_tree *tree_for(eng_regset *rs, const char *si)
{
    for (size_t k = 0; k < rs->ntrees; k++)
        if (!strcmp(rs->trees[k].si, si))
            return &rs->trees[k];
    best_tree *nt = realloc(rs->trees, (rs->ntrees + 1) * sizeof *nt);
    if (!nt)
        return NULL;
    rs->trees = nt;
    best_tree *t = &rs->trees[rs->ntrees++];
    memset(t, 0, sizeof *t);
    snprintf(t->si, sizeof t->si, "%s", si);
    return t;
}

static int in_tree(const entry_ref *r)
{
    return r->kind == ENG_REG_CMC && r->si && (!isnan(r->u_abs) || !isnan(r->u_rel));
}

static int build_trees(eng_regset *rs)
{
    /* Pass one: the trees, each entry's global best, the end points counted. */
    for (size_t i = 0; i < rs->n; i++) {
        entry_ref *r = &rs->v[i];
        if (!in_tree(r))
            continue;
        best_tree *t = tree_for(rs, r->si);
        if (!t)
            return -1;
        if (!isnan(r->u_abs) && (!t->global_abs || better(rs, (uint32_t)i + 1, t->global_abs, 0)))
            t->global_abs = (uint32_t)i + 1;
        if (!isnan(r->lo) && !isnan(r->hi))
            t->nodes += 2; /* counts end points until pass two */
    }
    for (size_t k = 0; k < rs->ntrees; k++) {
        best_tree *t = &rs->trees[k];
        t->pts = malloc((t->nodes ? t->nodes : 1) * sizeof *t->pts);
        if (!t->pts)
            return -1;
        t->nodes = 0;
    }
    /* Pass two: the end points, sorted and unique. */
    for (size_t i = 0; i < rs->n; i++) {
        entry_ref *r = &rs->v[i];
        if (!in_tree(r) || isnan(r->lo) || isnan(r->hi))
            continue;
        best_tree *t = tree_for(rs, r->si);
        t->pts[t->npts++] = r->lo;
        t->pts[t->npts++] = r->hi;
    }
    for (size_t k = 0; k < rs->ntrees; k++) {
        best_tree *t = &rs->trees[k];
        if (!t->npts)
            continue;
        qsort(t->pts, t->npts, sizeof *t->pts, cmp_double);
        size_t u = 0;
        for (size_t i = 0; i < t->npts; i++)
            if (!u || t->pts[u - 1] != t->pts[i])
                t->pts[u++] = t->pts[i];
        t->npts = u;
        size_t leaves = 2 * u - 1;
        t->nodes = 4 * leaves + 4;
        t->abs_best = calloc(t->nodes, sizeof *t->abs_best);
        t->rel_best = calloc(t->nodes, sizeof *t->rel_best);
        t->abs_u = calloc(t->nodes, sizeof *t->abs_u);
        t->rel_u = calloc(t->nodes, sizeof *t->rel_u);
        if (!t->abs_best || !t->rel_best || !t->abs_u || !t->rel_u)
            return -1;
    }
    /* Pass three: each range marks the leaves it covers with its uncertainty. */
    for (size_t i = 0; i < rs->n; i++) {
        entry_ref *r = &rs->v[i];
        if (!in_tree(r) || isnan(r->lo) || isnan(r->hi))
            continue;
        best_tree *t = tree_for(rs, r->si);
        if (!t->npts)
            continue;
        int in1, in2;
        size_t a = leaf_of(t, r->lo, &in1), b = leaf_of(t, r->hi, &in2);
        if (!isnan(r->u_abs))
            tree_update(t, 1, 0, 2 * t->npts - 2, a, b, (uint32_t)i + 1, r->u_abs, 0);
        if (!isnan(r->u_rel))
            tree_update(t, 1, 0, 2 * t->npts - 2, a, b, (uint32_t)i + 1, r->u_rel, 1);
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------------------- */

int eng_regset_load(eng_store *st, eng_regset **out, eng_err *err)
{
    eng_regset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return eng_fail(err, ENG_EIO, "out of memory");
    eng_reg_info *all = NULL;
    size_t nall = 0;
    int rc = eng_store_reg_list(st, &all, &nall, err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < nall; i++) {
        if (!all[i].active)
            continue;
        eng_reg_info *ni = realloc(rs->infos, (rs->ninfos + 1) * sizeof *ni);
        if (!ni) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            goto fail;
        }
        rs->infos = ni;
        rs->infos[rs->ninfos++] = all[i];
        memset(&all[i], 0, sizeof all[i]);
    }
    size_t total = 0;
    for (size_t i = 0; i < rs->ninfos; i++)
        total += (size_t)rs->infos[i].entries;
    if (total && !(rs->v = malloc(total * sizeof *rs->v))) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    rs->cap = total;
    for (size_t i = 0; i < rs->ninfos; i++) {
        eng_reg_entry *v = NULL;
        size_t n = 0;
        rc = eng_store_reg_entries(st, rs->infos[i].id, NULL, &v, &n, err);
        if (rc)
            goto fail;
        for (size_t k = 0; k < n && !rc; k++)
            if (add_entry(rs, &v[k], rs->infos[i].kind, i))
                rc = eng_fail(err, ENG_EIO, "out of memory");
        eng_reg_entries_free(v, n);
        if (rc)
            goto fail;
    }
    if (build_hash(rs) || build_trees(rs)) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto fail;
    }
    eng_reg_infos_free(all, nall);
    *out = rs;
    return ENG_OK;
fail:
    eng_reg_infos_free(all, nall);
    eng_regset_free(rs);
    return rc;
}

void eng_regset_free(eng_regset *rs)
{
    if (!rs)
        return;
    eng_reg_infos_free(rs->infos, rs->ninfos);
    for (size_t i = 0; i < rs->n; i++)
        eng_reg_entry_release(&rs->v[i].e);
    free(rs->v);
    for (size_t i = 0; i < rs->nslots; i++)
        free(rs->slots[i].key);
    free(rs->slots);
    free(rs->heads);
    for (size_t k = 0; k < rs->ntrees; k++) {
        free(rs->trees[k].pts);
        free(rs->trees[k].abs_best);
        free(rs->trees[k].rel_best);
        free(rs->trees[k].abs_u);
        free(rs->trees[k].rel_u);
    }
    free(rs->trees);
    for (size_t i = 0; i < rs->naliases; i++)
        free(rs->aliases[i]);
    free(rs->aliases);
    free(rs);
}

size_t eng_regset_count(const eng_regset *rs)
{
    return rs ? rs->ninfos : 0;
}

const eng_reg_info *eng_regset_info(const eng_regset *rs, size_t i)
{
    return rs && i < rs->ninfos ? &rs->infos[i] : NULL;
}

size_t eng_regset_entries(const eng_regset *rs)
{
    return rs ? rs->n : 0;
}

int eng_regset_add_aliases(eng_regset *rs, const char *names, eng_err *err)
{
    /* "NIM = 中国计量科学研究院 = 中国计量院": keys joined by 0x1F. */
    base_buf b = {0};
    for (const char *s = names; *s;) {
        size_t n = strcspn(s, "=");
        char key[KEYCAP];
        eng_reg_code_key(s, n, key, KEYCAP);
        if (*key) {
            if (b.n)
                base_buf_cat(&b, "\x1f");
            base_buf_cat(&b, key);
        }
        s += n + (s[n] ? 1 : 0);
    }
    if (b.oom) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    if (!b.p)
        return ENG_OK;
    char **na = realloc(rs->aliases, (rs->naliases + 1) * sizeof *na);
    if (!na) {
        free(b.p);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    rs->aliases = na;
    rs->aliases[rs->naliases++] = b.p;
    return ENG_OK;
}

/* ---- checks --------------------------------------------------------------------------- */

static int kind_loaded(const eng_regset *rs, int kind)
{
    for (size_t i = 0; i < rs->ninfos; i++)
        if (rs->infos[i].kind == kind)
            return 1;
    return 0;
}

/* "cnas-labs (12 entries), ilac-labs (40 entries)": the registries of a kind. */
static void loaded_list(const eng_regset *rs, int kind, base_buf *b)
{
    int first = 1;
    for (size_t i = 0; i < rs->ninfos; i++)
        if (rs->infos[i].kind == kind) {
            char buf[64];
            base_buf_cat(b, first ? "" : ", ");
            base_buf_cat(b, rs->infos[i].name);
            snprintf(buf, sizeof buf, " (%ld entries, %.12s)", rs->infos[i].entries,
                     rs->infos[i].sha256);
            base_buf_cat(b, buf);
            first = 0;
        }
}

static const char *report_date(const eng_record *r)
{
    return r->acc_date && *r->acc_date ? r->acc_date : r->end && *r->end ? r->end : NULL;
}

/* Compares dates of different precision on their common part: 2022-11 and
 * 2022-11-18 are the same month.  <0, 0, >0. */
static int date_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return strncmp(a, b, la < lb ? la : lb);
}

/* Case-insensitive substring (ASCII letters only). */
static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (; *s; s++) {
        size_t k = 0;
        while (k < n && s[k] && tolower((unsigned char)s[k]) == tolower((unsigned char)w[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static int status_withdrawn(const char *s)
{
    static const char *const words[] = {"withdrawn", "revoked",    "suspended", "expired", "cancel",
                                        "abolish",   "superseded", "replaced",  "撤销",    "暂停",
                                        "注销",      "废止",       "过期",      "失效",    "作废",
                                        "被代替",    "已代替",     NULL};
    if (!s)
        return 0;
    for (size_t i = 0; words[i]; i++)
        if (has_word(s, words[i]))
            return 1;
    return 0;
}

static void cat_num(base_buf *b, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.6g", v);
    base_buf_cat(b, buf);
}

/* The entry as a reviewer reads it, with the registry it comes from. */
static char *describe(const eng_regset *rs, const entry_ref *r)
{
    const eng_reg_entry *e = &r->e;
    base_buf b = {0};
    base_buf_cat(&b, e->code);
    if (r->kind == ENG_REG_CMC && e->holder) {
        base_buf_cat(&b, " (");
        base_buf_cat(&b, e->holder);
        base_buf_cat(&b, ")");
    }
    if (e->name && (r->kind != ENG_REG_CMC || !e->holder || strcmp(e->name, e->holder))) {
        base_buf_cat(&b, " ");
        base_buf_cat(&b, e->name);
    }
    if (e->quantity) {
        base_buf_cat(&b, ": ");
        base_buf_cat(&b, e->quantity);
    }
    if (!isnan(e->range_min) || !isnan(e->range_max)) {
        base_buf_cat(&b, ", ");
        if (!isnan(e->range_min))
            cat_num(&b, e->range_min);
        base_buf_cat(&b, " to ");
        if (!isnan(e->range_max))
            cat_num(&b, e->range_max);
        if (e->unit) {
            base_buf_cat(&b, " ");
            base_buf_cat(&b, e->unit);
        }
    }
    if (!isnan(e->uncertainty)) {
        base_buf_cat(&b, ", U = ");
        cat_num(&b, e->uncertainty);
        const char *uu = e->unc_unit ? e->unc_unit : e->unit;
        if (uu) {
            base_buf_cat(&b, strcmp(uu, "%") ? " " : "");
            base_buf_cat(&b, uu);
        }
        if (!isnan(e->k)) {
            base_buf_cat(&b, " (k = ");
            cat_num(&b, e->k);
            base_buf_cat(&b, ")");
        }
    }
    if (e->scope) {
        base_buf_cat(&b, "; scope: ");
        base_buf_cat(&b, e->scope);
    }
    if (e->valid_from || e->valid_to) {
        base_buf_cat(&b, "; valid ");
        base_buf_cat(&b, e->valid_from ? e->valid_from : "…");
        base_buf_cat(&b, " to ");
        base_buf_cat(&b, e->valid_to ? e->valid_to : "…");
    }
    if (e->status) {
        base_buf_cat(&b, "; status: ");
        base_buf_cat(&b, e->status);
    }
    base_buf_cat(&b, " [");
    base_buf_cat(&b, rs->infos[r->reg].name);
    base_buf_cat(&b, "]");
    return base_buf_take(&b);
}

/* The indicator's measured value in SI units.  Returns 0, or -1 when it has
 * no number with a known unit. */
static int indicator_value(const eng_record *r, int idx, eng_reg_qty *q)
{
    if (idx < 0 || (size_t)idx >= r->nindicators)
        return -1;
    const eng_indicator *ind = &r->indicators[idx];
    const char *texts[] = {ind->achieved, ind->target};
    for (int i = 0; i < 2; i++) {
        if (!texts[i])
            continue;
        if (eng_reg_value(texts[i], strlen(texts[i]), ind->unit, 1, q) == 0 && q->si &&
            !q->relative)
            return 0;
    }
    return -1;
}

/* Sets the check's entry fields from entry i. */
static int set_entry(const eng_regset *rs, eng_reg_check *c, size_t i)
{
    const entry_ref *r = &rs->v[i];
    c->registry_id = rs->infos[r->reg].id;
    c->registry = strdup(rs->infos[r->reg].name);
    c->entry_code = strdup(r->e.code);
    c->entry = describe(rs, r);
    return c->registry && c->entry_code && c->entry ? 0 : -1;
}

/* Entries of one kind under key; prefers KEY_CODE slots, then the others.
 * OUT: idx (up to cap).  Returns how many. */
static size_t lookup(const eng_regset *rs, int kind, const char *key, int what, size_t *idx,
                     size_t cap)
{
    size_t n = 0;
    for (int32_t s = first_slot(rs, key); s >= 0 && n < cap; s = next_slot(rs, s)) {
        const slot *sl = &rs->slots[s];
        if (rs->v[sl->entry].kind != kind || (what && sl->what != what))
            continue;
        int dup = 0;
        for (size_t k = 0; k < n; k++)
            dup |= idx[k] == sl->entry;
        if (!dup)
            idx[n++] = sl->entry;
    }
    return n;
}

/* Finds the entries a code reference names: the whole code, else its number
 * part when one side has no scheme prefix, else (standards) its undated
 * number.  OUT: idx.  Returns how many. */
static size_t find_code(const eng_regset *rs, int kind, const char *text, size_t len, size_t *idx,
                        size_t cap)
{
    char key[KEYCAP], nk[KEYCAP], scheme[KEYCAP];
    eng_reg_code_key(text, len, key, KEYCAP);
    size_t n = lookup(rs, kind, key, KEY_CODE, idx, cap);
    if (n)
        return n;
    int has_scheme = split_code(text, len, nk, scheme);
    if (*nk) {
        /* The number against entries' numbers: accepted when either side has
         * no scheme, or both have the same ("NVLAP Lab Code 100234-0" is
         * "NVLAP 100234-0"; "UKAS 3067" is not "CNAS L3067"). */
        size_t cand[16];
        size_t m = lookup(rs, kind, nk, 0, cand, 16);
        for (size_t k = 0; k < m && n < cap; k++) {
            const eng_reg_entry *e = &rs->v[cand[k]].e;
            char enk[KEYCAP], escheme[KEYCAP];
            int ok = 0;
            const char *names[2] = {e->code, e->aliases};
            for (int w = 0; w < 2 && !ok; w++)
                for (const char *a = names[w]; a && *a && !ok;) {
                    size_t al = w ? strcspn(a, ";\n") : strlen(a);
                    int es = split_code(a, al, enk, escheme);
                    ok = !strcmp(enk, nk) && (!has_scheme || !es || !strcmp(scheme, escheme));
                    a += al + (a[al] ? 1 : 0);
                }
            if (ok)
                idx[n++] = cand[k];
        }
        if (n)
            return n;
    }
    if (kind == ENG_REG_STANDARD) {
        if (!undated_key(text, len, nk))
            return lookup(rs, kind, key, KEY_UNDATED, idx, cap);
    }
    return 0;
}

/* Which of the entries is valid on date (the first when none, or no date). */
static size_t pick_valid(const eng_regset *rs, const size_t *idx, size_t n, const char *date)
{
    for (size_t i = 0; date && i < n; i++) {
        const eng_reg_entry *e = &rs->v[idx[i]].e;
        if (!status_withdrawn(e->status) &&
            (!e->valid_from || date_cmp(e->valid_from, date) <= 0) &&
            (!e->valid_to || date_cmp(date, e->valid_to) <= 0))
            return idx[i];
    }
    return idx[0];
}

static void not_found(const eng_regset *rs, int kind, eng_reg_check *c, const char *what)
{
    base_buf b = {0};
    base_buf_cat(&b, "no ");
    base_buf_cat(&b, what);
    base_buf_cat(&b, " \"");
    base_buf_cat(&b, c->claim);
    base_buf_cat(&b, "\" in ");
    loaded_list(rs, kind, &b);
    c->verdict = ENG_VERDICT_NOT_FOUND;
    c->evidence = base_buf_take(&b);
}

static void none_loaded(eng_reg_check *c, const char *what)
{
    base_buf b = {0};
    base_buf_cat(&b, "no ");
    base_buf_cat(&b, what);
    base_buf_cat(&b, " registry is loaded (vernier registry import)");
    c->verdict = ENG_VERDICT_NOT_CHECKABLE;
    c->evidence = base_buf_take(&b);
}

/* Dates, status and scope of a laboratory entry. */
static void judge_lab(const eng_regset *rs, const eng_record *r, int indicator, size_t i,
                      eng_reg_check *c)
{
    const eng_reg_entry *e = &rs->v[i].e;
    const char *date = report_date(r);
    base_buf b = {0};
    if (status_withdrawn(e->status)) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "the registry gives its status as \"");
        base_buf_cat(&b, e->status);
        base_buf_cat(&b, "\"");
    } else if (!date && (e->valid_from || e->valid_to)) {
        c->verdict = ENG_VERDICT_NOT_CHECKABLE;
        base_buf_cat(&b, "the record gives no report date (acceptance date or end) to compare with "
                         "the accreditation's validity");
    } else if (date && e->valid_to && date_cmp(date, e->valid_to) > 0) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "accreditation valid to ");
        base_buf_cat(&b, e->valid_to);
        base_buf_cat(&b, "; report dated ");
        base_buf_cat(&b, date);
    } else if (date && e->valid_from && date_cmp(date, e->valid_from) < 0) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "accredited only from ");
        base_buf_cat(&b, e->valid_from);
        base_buf_cat(&b, "; report dated ");
        base_buf_cat(&b, date);
    } else {
        eng_reg_qty q;
        const char *qty = NULL;
        if (indicator_value(r, indicator, &q) == 0)
            qty = q.name;
        else if (indicator >= 0 && r->indicators[indicator].name)
            qty = eng_reg_quantity_of(r->indicators[indicator].name,
                                      strlen(r->indicators[indicator].name));
        if (qty && e->scope && !eng_reg_scope_covers(e->scope, qty)) {
            c->verdict = ENG_VERDICT_OUT_OF_SCOPE;
            base_buf_cat(&b, "the accredited scope (");
            base_buf_cat(&b, e->scope);
            base_buf_cat(&b, ") does not cover ");
            base_buf_cat(&b, qty);
        } else {
            c->verdict = ENG_VERDICT_VERIFIED;
            base_buf_cat(&b, "accredited");
            if (date) {
                base_buf_cat(&b, " on the report date ");
                base_buf_cat(&b, date);
            }
            if (qty && e->scope) {
                base_buf_cat(&b, "; the scope covers ");
                base_buf_cat(&b, qty);
            } else if (!e->scope) {
                base_buf_cat(&b, "; the registry gives no scope to compare");
            } else {
                base_buf_cat(&b, "; scope not compared: no quantity with a unit in the claim");
            }
        }
    }
    c->evidence = base_buf_take(&b);
}

static void check_lab(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                      eng_reg_check *c)
{
    size_t idx[16];
    if (!kind_loaded(rs, ENG_REG_LAB)) {
        none_loaded(c, "laboratory");
        return;
    }
    size_t n = find_code(rs, ENG_REG_LAB, ref->text, ref->len, idx, 16);
    if (!n) {
        not_found(rs, ENG_REG_LAB, c, "laboratory");
        return;
    }
    size_t i = pick_valid(rs, idx, n, report_date(r));
    set_entry(rs, c, i);
    judge_lab(rs, r, ref->indicator, i, c);
}

static void check_listed(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                         int kind, const char *what, eng_reg_check *c)
{
    size_t idx[16];
    if (!kind_loaded(rs, kind)) {
        none_loaded(c, what);
        return;
    }
    size_t n = find_code(rs, kind, ref->text, ref->len, idx, 16);
    if (!n) {
        not_found(rs, kind, c, what);
        if (kind == ENG_REG_STANDARD) {
            /* another edition is worth saying */
            char nk[KEYCAP];
            if (undated_key(ref->text, ref->len, nk)) {
                size_t m = lookup(rs, kind, nk, KEY_UNDATED, idx, 16);
                if (m) {
                    base_buf b = {0};
                    base_buf_cat(&b, c->evidence);
                    base_buf_cat(&b, "; the registry holds ");
                    base_buf_cat(&b, rs->v[idx[0]].e.code);
                    free(c->evidence);
                    c->evidence = base_buf_take(&b);
                }
            }
        }
        return;
    }
    const char *date = report_date(r);
    size_t i = pick_valid(rs, idx, n, date);
    const eng_reg_entry *e = &rs->v[i].e;
    set_entry(rs, c, i);
    base_buf b = {0};
    if (status_withdrawn(e->status) && (!date || !e->valid_to || date_cmp(date, e->valid_to) > 0)) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "the registry gives its status as \"");
        base_buf_cat(&b, e->status);
        base_buf_cat(&b, "\"");
        if (e->valid_to) {
            base_buf_cat(&b, " from ");
            base_buf_cat(&b, e->valid_to);
        }
    } else if (date && e->valid_to && date_cmp(date, e->valid_to) > 0) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "valid to ");
        base_buf_cat(&b, e->valid_to);
        base_buf_cat(&b, "; report dated ");
        base_buf_cat(&b, date);
    } else if (date && e->valid_from && date_cmp(date, e->valid_from) < 0) {
        c->verdict = ENG_VERDICT_EXPIRED;
        base_buf_cat(&b, "valid only from ");
        base_buf_cat(&b, e->valid_from);
        base_buf_cat(&b, "; report dated ");
        base_buf_cat(&b, date);
    } else {
        c->verdict = ENG_VERDICT_VERIFIED;
        base_buf_cat(&b, "listed");
        if (date && (e->valid_from || e->valid_to)) {
            base_buf_cat(&b, " and valid on the report date ");
            base_buf_cat(&b, date);
        }
    }
    c->evidence = base_buf_take(&b);
}

/* Every name of the institute a reference names: the rule set's alias
 * groups holding its key, else the key alone.  OUT: keys (0x1F-joined). */
static void institute_keys(const eng_regset *rs, const char *key, base_buf *out)
{
    for (size_t i = 0; i < rs->naliases; i++) {
        const char *g = rs->aliases[i];
        for (const char *s = g; *s;) {
            size_t n = strcspn(s, "\x1f");
            if (n == strlen(key) && !memcmp(s, key, n)) {
                base_buf_cat(out, g);
                return;
            }
            s += n + (s[n] ? 1 : 0);
        }
    }
    base_buf_cat(out, key);
}

static void check_institute(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                            eng_reg_check *c)
{
    if (!kind_loaded(rs, ENG_REG_CMC) && !kind_loaded(rs, ENG_REG_LAB)) {
        none_loaded(c, "CMC or laboratory");
        return;
    }
    char key[KEYCAP];
    eng_reg_code_key(ref->text, ref->len, key, KEYCAP);
    base_buf keys = {0};
    institute_keys(rs, key, &keys);
    /* CMCs of the institute under any of its names; laboratories likewise. */
    size_t ncmc = 0, lab = SIZE_MAX, first_cmc = SIZE_MAX;
    eng_reg_qty q;
    int has_value = indicator_value(r, ref->indicator, &q) == 0;
    size_t in_qty = 0, covering = SIZE_MAX, of_qty = SIZE_MAX;
    for (const char *s = keys.p ? keys.p : ""; *s;) {
        size_t n = strcspn(s, "\x1f");
        char k[KEYCAP];
        snprintf(k, sizeof k, "%.*s", (int)n, s);
        for (int32_t sl = first_slot(rs, k); sl >= 0; sl = next_slot(rs, sl)) {
            size_t e = rs->slots[sl].entry;
            const entry_ref *er = &rs->v[e];
            if (er->kind == ENG_REG_LAB && rs->slots[sl].what == KEY_NAME && lab == SIZE_MAX)
                lab = e;
            if (er->kind != ENG_REG_CMC || rs->slots[sl].what != KEY_NAME)
                continue;
            ncmc++;
            if (first_cmc == SIZE_MAX)
                first_cmc = e;
            if (has_value && er->si && !strcmp(er->si, q.si)) {
                in_qty++;
                if (of_qty == SIZE_MAX)
                    of_qty = e;
                if (covering == SIZE_MAX && (isnan(er->lo) || er->lo <= q.value) &&
                    (isnan(er->hi) || q.value <= er->hi))
                    covering = e;
            }
        }
        s += n + (s[n] ? 1 : 0);
    }
    free(keys.p);
    base_buf b = {0};
    char buf[160];
    if (!ncmc && lab != SIZE_MAX) {
        set_entry(rs, c, lab);
        judge_lab(rs, r, ref->indicator, lab, c);
        return;
    }
    if (!ncmc) {
        base_buf_cat(&b, "no CMC and no laboratory of \"");
        base_buf_cat(&b, c->claim);
        base_buf_cat(&b, "\" in ");
        loaded_list(rs, ENG_REG_CMC, &b);
        if (kind_loaded(rs, ENG_REG_LAB)) {
            base_buf_cat(&b, kind_loaded(rs, ENG_REG_CMC) ? ", " : "");
            loaded_list(rs, ENG_REG_LAB, &b);
        }
        c->verdict = ENG_VERDICT_NOT_FOUND;
        c->evidence = base_buf_take(&b);
        return;
    }
    snprintf(buf, sizeof buf, "%zu CMC%s of this institute", ncmc, ncmc == 1 ? "" : "s");
    if (!has_value) {
        set_entry(rs, c, first_cmc);
        c->verdict = ENG_VERDICT_NOT_CHECKABLE;
        base_buf_cat(&b, buf);
        base_buf_cat(&b, " loaded; the claim gives no measured value with a unit to place in a "
                         "CMC's quantity and range");
    } else if (covering != SIZE_MAX) {
        set_entry(rs, c, covering);
        c->verdict = ENG_VERDICT_VERIFIED;
        base_buf_cat(&b, "a CMC of the institute covers ");
        base_buf_cat(&b, q.name ? q.name : q.si);
        base_buf_cat(&b, " at ");
        cat_num(&b, q.value);
        base_buf_cat(&b, " ");
        base_buf_cat(&b, q.si);
    } else if (in_qty) {
        set_entry(rs, c, of_qty);
        c->verdict = ENG_VERDICT_OUT_OF_SCOPE;
        base_buf_cat(&b, "the institute's CMCs for ");
        base_buf_cat(&b, q.name ? q.name : q.si);
        base_buf_cat(&b, " do not cover ");
        cat_num(&b, q.value);
        base_buf_cat(&b, " ");
        base_buf_cat(&b, q.si);
    } else {
        set_entry(rs, c, first_cmc);
        c->verdict = ENG_VERDICT_OUT_OF_SCOPE;
        base_buf_cat(&b, buf);
        base_buf_cat(&b, ", none for ");
        base_buf_cat(&b, q.name ? q.name : q.si);
    }
    c->evidence = base_buf_take(&b);
}

static const best_tree *tree_of(const eng_regset *rs, const char *si)
{
    for (size_t k = 0; k < rs->ntrees; k++)
        if (!strcmp(rs->trees[k].si, si))
            return &rs->trees[k];
    return NULL;
}

static void check_uncertainty(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                              eng_reg_check *c)
{
    if (!kind_loaded(rs, ENG_REG_CMC)) {
        none_loaded(c, "CMC");
        return;
    }
    base_buf b = {0};
    eng_reg_qty val, unc;
    int has_value = indicator_value(r, ref->indicator, &val) == 0;
    const char *hint = ref->indicator >= 0 ? r->indicators[ref->indicator].unit : NULL;
    if (eng_reg_value(ref->text, ref->len, hint, 0, &unc) || !unc.si) {
        c->verdict = ENG_VERDICT_NOT_CHECKABLE;
        base_buf_cat(&b, "no uncertainty value with a known unit in the claim");
        c->evidence = base_buf_take(&b);
        return;
    }
    double k = eng_reg_coverage(ref->text, ref->len);
    double u_abs;
    const char *si;
    if (unc.relative) {
        if (!has_value) {
            c->verdict = ENG_VERDICT_NOT_CHECKABLE;
            base_buf_cat(&b, "a relative uncertainty with no measured value and unit to compare it "
                             "with CMCs");
            c->evidence = base_buf_take(&b);
            return;
        }
        u_abs = std_unc(unc.value * fabs(val.value), k);
        si = val.si;
    } else {
        u_abs = std_unc(unc.value, k);
        si = unc.si;
        if (has_value && strcmp(val.si, si))
            has_value = 0; /* the value is of another quantity: compare at any value */
    }
    const best_tree *t = tree_of(rs, si);
    uint32_t best = 0;
    int at_value = 0;
    if (t && has_value && t->npts) {
        int inside;
        size_t leaf = leaf_of(t, val.value, &inside);
        if (inside) {
            uint32_t a = tree_query(t, leaf, 0), rl = tree_query(t, leaf, 1);
            double ua = a ? rs->v[a - 1].u_abs : INFINITY;
            double ur = rl ? rs->v[rl - 1].u_rel * fabs(val.value) : INFINITY;
            best = ua <= ur ? a : rl;
            at_value = best != 0;
        }
    }
    if (!best && t)
        best = t->global_abs;
    char buf[200];
    if (!best) {
        c->verdict = ENG_VERDICT_NOT_CHECKABLE;
        snprintf(buf, sizeof buf, "no CMC with an uncertainty in %s in ", si);
        base_buf_cat(&b, buf);
        loaded_list(rs, ENG_REG_CMC, &b);
        c->evidence = base_buf_take(&b);
        return;
    }
    const entry_ref *be = &rs->v[best - 1];
    double u_best = at_value && isnan(be->u_abs) ? be->u_rel * fabs(val.value) : be->u_abs;
    set_entry(rs, c, best - 1);
    snprintf(buf, sizeof buf, "stated u = U/k = %.3g %s (k = %g%s)", u_abs, si, k > 0 ? k : 2,
             k > 0 ? "" : ", not stated: 2 assumed");
    base_buf_cat(&b, buf);
    if (u_abs < u_best * (1 - 1e-9)) {
        c->verdict = ENG_VERDICT_IMPLAUSIBLE;
        snprintf(buf, sizeof buf, " is smaller than the best CMC anywhere %s: u = %.3g %s",
                 at_value ? "at this value" : "for this quantity", u_best, si);
    } else {
        c->verdict = ENG_VERDICT_VERIFIED;
        snprintf(buf, sizeof buf, " is not smaller than the best CMC %s: u = %.3g %s",
                 at_value ? "at this value" : "for this quantity at any value", u_best, si);
    }
    base_buf_cat(&b, buf);
    if (at_value) {
        snprintf(buf, sizeof buf, " (value %.6g %s)", val.value, val.si);
        base_buf_cat(&b, buf);
    }
    c->evidence = base_buf_take(&b);
}

int eng_reg_check_ref(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                      eng_reg_check *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    out->project_id = strdup(r->id);
    out->indicator = ref->indicator;
    out->ref_kind = ref->kind;
    out->claim = malloc(ref->len + 1);
    if (!out->project_id || !out->claim) {
        eng_reg_check_release(out);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    memcpy(out->claim, ref->text, ref->len);
    out->claim[ref->len] = '\0';
    switch (ref->kind) {
    case ENG_REF_LAB:
        check_lab(rs, r, ref, out);
        break;
    case ENG_REF_INSTITUTE:
        check_institute(rs, r, ref, out);
        break;
    case ENG_REF_UNCERTAINTY:
        check_uncertainty(rs, r, ref, out);
        break;
    case ENG_REF_CRM:
        check_listed(rs, r, ref, ENG_REG_CRM, "reference material", out);
        break;
    case ENG_REF_STANDARD:
        check_listed(rs, r, ref, ENG_REG_STANDARD, "standard", out);
        break;
    default:
        out->verdict = ENG_VERDICT_NOT_CHECKABLE;
        out->evidence = strdup("unknown kind of reference");
    }
    if (!out->evidence || !out->verdict) {
        eng_reg_check_release(out);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    return ENG_OK;
}

/* ---- a record's references ------------------------------------------------------------ */

void eng_reg_weights_from_set(const rule_set *set, eng_reg_weights *w)
{
    static const double defaults[ENG_VERDICT_COUNT + 1] = {0, 10, -10, -15, -10, -20, 0};
    memset(w, 0, sizeof *w);
    for (int v = 1; v <= ENG_VERDICT_COUNT; v++) {
        char path[64];
        snprintf(path, sizeof path, "registry.weights.%s", eng_verdict_name(v));
        w->points[v] = set ? rule_set_param(set, path, defaults[v]) : defaults[v];
    }
    w->gap_lo = set ? (int)rule_set_param(set, "registry.gap_trl.min", 3) : 3;
    w->gap_hi = set ? (int)rule_set_param(set, "registry.gap_trl.max", 7) : 7;
}

int eng_regset_use_rules(eng_regset *rs, const rule_set *set, eng_err *err)
{
    size_t n = rule_set_param_list_len(set, "registry.institutes");
    for (size_t i = 0; i < n; i++) {
        int rc = eng_regset_add_aliases(rs, rule_set_param_list_item(set, "registry.institutes", i),
                                        err);
        if (rc)
            return rc;
    }
    return ENG_OK;
}

/* The registry a reference rule names, or 0. */
static int ref_kind_of(const rule_set *set, const char *id)
{
    size_t n = rule_count(set);
    for (size_t i = 0; i < n; i++)
        if (rule_dimension(set, i) == RULE_DIM_REFERENCE && !strcmp(rule_id(set, i), id))
            return eng_ref_kind_parse(rule_registry(set, i));
    return 0;
}

int eng_reg_check_hits(const eng_regset *rs, const rule_set *set, const eng_reg_weights *w,
                       const eng_record *r, const eng_hit *hits, size_t nhits, eng_reg_check **out,
                       size_t *n, double *points, double *ind_points, eng_err *err)
{
    *out = NULL;
    *n = 0;
    *points = 0;
    size_t nrefs = 0;
    for (size_t i = 0; i < nhits; i++)
        nrefs += !strcmp(hits[i].dimension, "reference") && !hits[i].error;
    if (!nrefs || !rs)
        return ENG_OK;
    eng_reg_check *v = calloc(nrefs, sizeof *v);
    char(*keys)[KEYCAP] = calloc(nrefs, sizeof *keys);
    int *kinds = calloc(nrefs, sizeof *kinds), *items = calloc(nrefs, sizeof *items);
    const eng_hit **from = calloc(nrefs, sizeof *from);
    size_t m = 0;
    int rc = ENG_OK;
    if (!v || !keys || !kinds || !items || !from) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    /* The distinct claims, first by indicator, then the record's own. */
    for (size_t i = 0; i < nhits; i++) {
        const eng_hit *h = &hits[i];
        if (strcmp(h->dimension, "reference") || h->error || !h->match)
            continue;
        int kind = ref_kind_of(set, h->rule_id);
        if (!kind)
            continue;
        char key[KEYCAP];
        eng_reg_code_key(h->match, strlen(h->match), key, KEYCAP);
        int dup = 0;
        for (size_t k = 0; k < m && !dup; k++)
            dup = kinds[k] == kind && !strcmp(keys[k], key) &&
                  (items[k] == h->indicator || h->indicator < 0);
        if (dup)
            continue;
        kinds[m] = kind;
        items[m] = h->indicator;
        memcpy(keys[m], key, KEYCAP);
        from[m++] = h;
    }
    size_t kept = 0;
    for (size_t k = 0; k < m; k++) {
        if (items[k] < 0) {
            int later = 0; /* an indicator makes the same claim */
            for (size_t j = 0; j < m && !later; j++)
                later = items[j] >= 0 && kinds[j] == kinds[k] && !strcmp(keys[j], keys[k]);
            if (later)
                continue;
        }
        eng_reg_ref ref = {kinds[k], from[k]->match, strlen(from[k]->match), items[k]};
        if ((rc = eng_reg_check_ref(rs, r, &ref, &v[kept], err)))
            goto done;
        eng_reg_check *c = &v[kept++];
        /* One entry is one piece of evidence: a second claim of the same
         * indicator (or of the record) resolving to an entry already judged
         * for it adds nothing ("西部计量科学研究院" and "CNAS L3067"). */
        int again = 0;
        for (size_t j = 0; j + 1 < kept && !again && c->entry_code; j++)
            again = v[j].entry_code && v[j].registry_id == c->registry_id &&
                    !strcmp(v[j].entry_code, c->entry_code) &&
                    (v[j].indicator == c->indicator || c->indicator < 0);
        if (again) {
            eng_reg_check_release(c);
            kept--;
            continue;
        }
        c->points = w->points[c->verdict];
        *points += c->points;
        if (ind_points && c->indicator >= 0 && (size_t)c->indicator < r->nindicators)
            ind_points[c->indicator] += c->points;
    }
    *out = v;
    *n = kept;
    v = NULL;
done:
    if (v)
        eng_reg_checks_free(v, m);
    free(keys);
    free(kinds);
    free(items);
    free(from);
    return rc;
}

int eng_reg_metrology_gap(const eng_regset *rs, const eng_reg_weights *w, const eng_record *r,
                          int trl_evidenced, const eng_reg_check *v, size_t n)
{
    if (!rs || !rs->ninfos || !r->has_acceptance || trl_evidenced < w->gap_lo ||
        trl_evidenced > w->gap_hi)
        return 0;
    if (r->kind && strcmp(r->kind, "project"))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].indicator >= 0 && v[i].verdict == ENG_VERDICT_VERIFIED)
            return 0;
    return 1;
}
