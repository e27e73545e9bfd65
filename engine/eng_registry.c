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
#include <pthread.h>
#include <stdatomic.h>
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
    const char *key; /* in the index's arena */
    uint32_t entry;
    uint8_t what;
    int32_t next;
} slot;

/* One unit's CMCs: the sorted end points of their ranges cut the line into
 * leaves (leaf 2i is point i, 2i + 1 the gap after it), and each leaf holds
 * the best CMC covering it, found once by a sweep (build_trees). */
typedef struct best_tree {
    char si[8];
    double *pts;
    size_t npts;
    uint32_t *abs_best, *rel_best; /* per leaf: entry index + 1 of the best, 0 none */
    size_t nodes;                  /* while building: end points counted */
    uint32_t global_abs;           /* the best absolute uncertainty at any value, +1 */
} best_tree;

/* What a check reads of an entry; the rest (name, quantity, unit...) is
 * read from the store when the entry is shown as evidence (set_entry). */
typedef struct entry_ref {
    const char *code, *aliases, *scope; /* in the index's arena; NULL when none */
    const char *status, *valid_from, *valid_to;
    uint32_t reg;   /* index into infos */
    uint32_t seq;   /* the entry's place in its version */
    double u_abs;   /* standard uncertainty in SI units, NaN when not absolute */
    double u_rel;   /* relative standard uncertainty, NaN when not relative */
    double lo, hi;  /* range in SI units, NaN when none */
    const char *si; /* SI unit of the range, NULL when unknown */
} entry_ref;

/* Strings in blocks that never move. */
typedef struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    char data[];
} arena_blk;

/* The entries of one kind, their keys in a hash table, and (CMCs) the
 * best-uncertainty trees. */
typedef struct kind_index {
    entry_ref *v;
    size_t n, cap;
    slot *slots;
    size_t nslots, slotcap;
    int32_t *heads;
    size_t nheads;
    best_tree *trees;
    size_t ntrees;
    arena_blk *arena;
} kind_index;

/* What is built on first need.  A kind's index is built by the first check
 * that needs it, under mu; ready[kind] (1 built, -1 failed) publishes it.
 * Entries shown as evidence are read through rd, under mu. */
typedef struct lazy_part {
    pthread_mutex_t mu;
    atomic_int ready[5];
    kind_index ix[5];
    eng_store *st;
    eng_reg_reader *rd;
    eng_err error;
} lazy_part;

struct eng_regset {
    eng_reg_info *infos;
    size_t ninfos;
    char **aliases; /* groups of names of one institute, '\x1f'-separated keys */
    size_t naliases;
    lazy_part *lz;
};

static const char *arena_put(arena_blk **a, const char *s, size_t n)
{
    if (!*a || (*a)->cap - (*a)->used < n + 1) {
        size_t cap = n + 1 > 1 << 20 ? n + 1 : 1 << 20;
        arena_blk *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = *a;
        b->used = 0;
        b->cap = cap;
        *a = b;
    }
    char *p = (*a)->data + (*a)->used;
    memcpy(p, s, n);
    p[n] = '\0';
    (*a)->used += n + 1;
    return p;
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int add_slot(kind_index *ix, const char *key, size_t entry, int what)
{
    if (!*key)
        return 0;
    if (ix->nslots == ix->slotcap) {
        size_t nc = ix->slotcap ? ix->slotcap * 2 : 1024;
        slot *ns = realloc(ix->slots, nc * sizeof *ns);
        if (!ns)
            return -1;
        ix->slots = ns;
        ix->slotcap = nc;
    }
    /* The keys of one entry often repeat (a code that is its own number). */
    const char *k = NULL;
    for (size_t i = ix->nslots; i-- > 0 && ix->slots[i].entry == entry && !k;)
        if (!strcmp(ix->slots[i].key, key))
            k = ix->slots[i].key;
    if (!k && !(k = arena_put(&ix->arena, key, strlen(key))))
        return -1;
    ix->slots[ix->nslots++] = (slot){k, (uint32_t)entry, (uint8_t)what, -1};
    return 0;
}

static int build_hash(kind_index *ix)
{
    size_t nh = 16;
    while (nh < ix->nslots * 2)
        nh *= 2;
    ix->heads = malloc(nh * sizeof *ix->heads);
    if (!ix->heads)
        return -1;
    ix->nheads = nh;
    for (size_t i = 0; i < nh; i++)
        ix->heads[i] = -1;
    /* Backwards, so each chain lists slots in insertion (file) order. */
    for (size_t i = ix->nslots; i-- > 0;) {
        size_t h = (size_t)(fnv(ix->slots[i].key) & (nh - 1));
        ix->slots[i].next = ix->heads[h];
        ix->heads[h] = (int32_t)i;
    }
    return 0;
}

/* Visits the slots of key; returns the first slot index, -1 when none.
 * Use next_slot to go on. */
static int32_t first_slot(const kind_index *ix, const char *key)
{
    if (!ix->nheads || !*key)
        return -1;
    int32_t i = ix->heads[fnv(key) & (ix->nheads - 1)];
    while (i >= 0 && strcmp(ix->slots[i].key, key))
        i = ix->slots[i].next;
    return i;
}

static int32_t next_slot(const kind_index *ix, int32_t i)
{
    const char *key = ix->slots[i].key;
    i = ix->slots[i].next;
    while (i >= 0 && strcmp(ix->slots[i].key, key))
        i = ix->slots[i].next;
    return i;
}

static double std_unc(double U, double k)
{
    return U / (isnan(k) || k <= 0 ? 2.0 : k);
}

/* Units and standard uncertainties of a CMC. */
static void entry_units(entry_ref *r, const eng_reg_entry *e)
{
    eng_reg_qty q;
    if (e->unit && eng_reg_unit(e->unit, 0, 1, &q) == 0 && !q.relative) {
        r->si = q.si;
        if (!isnan(e->range_min) && eng_reg_unit(e->unit, e->range_min, 1, &q) == 0)
            r->lo = q.value;
        if (!isnan(e->range_max) && eng_reg_unit(e->unit, e->range_max, 1, &q) == 0)
            r->hi = q.value;
    }
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

/* A string of the entry kept for checking, NULL stays NULL.  -1: memory. */
static int keep(kind_index *ix, const char **dst, const char *s)
{
    *dst = NULL;
    return s && !(*dst = arena_put(&ix->arena, s, strlen(s))) ? -1 : 0;
}

/* Where a kind's entries go while a version is scanned. */
typedef struct scan_ctx {
    kind_index *ix;
    int kind;
    uint32_t reg;
} scan_ctx;

/* One row of the store straight into the index (eng_reg_scan_fn). */
static int add_entry(void *arg, long seq, const eng_reg_entry *e)
{
    scan_ctx *sc = arg;
    kind_index *ix = sc->ix;
    int kind = sc->kind;
    if (ix->n == ix->cap) {
        size_t nc = ix->cap ? ix->cap * 2 : 256;
        entry_ref *nv = realloc(ix->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        ix->v = nv;
        ix->cap = nc;
    }
    entry_ref *r = &ix->v[ix->n];
    memset(r, 0, sizeof *r);
    r->reg = sc->reg;
    r->seq = (uint32_t)seq;
    r->lo = r->hi = r->u_abs = r->u_rel = NAN;
    if (kind == ENG_REG_CMC)
        entry_units(r, e);
    if (keep(ix, &r->code, e->code) || keep(ix, &r->aliases, e->aliases) ||
        (kind != ENG_REG_CMC &&
         (keep(ix, &r->status, e->status) || keep(ix, &r->valid_from, e->valid_from) ||
          keep(ix, &r->valid_to, e->valid_to) ||
          (kind == ENG_REG_LAB && keep(ix, &r->scope, e->scope)))))
        return -1;
    size_t idx = ix->n++;
    char key[KEYCAP], nk[KEYCAP];
    const char *code = e->code;
    eng_reg_code_key(code, strlen(code), key, KEYCAP);
    if (add_slot(ix, key, idx, KEY_CODE))
        return -1;
    if (number_key(code, strlen(code), nk) && add_slot(ix, nk, idx, KEY_NUMBER))
        return -1;
    if (kind == ENG_REG_STANDARD && undated_key(code, strlen(code), nk) &&
        add_slot(ix, nk, idx, KEY_UNDATED))
        return -1;
    const char *names[] = {e->name, e->holder};
    for (int i = 0; i < 2; i++)
        if (names[i] && (kind == ENG_REG_CMC || kind == ENG_REG_LAB) &&
            add_slot(ix, eng_reg_code_key(names[i], strlen(names[i]), key, KEYCAP), idx, KEY_NAME))
            return -1;
    for (const char *a = e->aliases; a && *a;) {
        size_t n = strcspn(a, ";\n");
        eng_reg_code_key(a, n, key, KEYCAP);
        if (add_slot(ix, key, idx, kind == ENG_REG_CMC ? KEY_NAME : KEY_CODE))
            return -1;
        if (kind != ENG_REG_CMC && number_key(a, n, nk) && add_slot(ix, nk, idx, KEY_NUMBER))
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

static int better(const kind_index *ix, uint32_t a, uint32_t b, int rel)
{
    if (!b)
        return 1;
    double x = rel ? ix->v[a - 1].u_rel : ix->v[a - 1].u_abs;
    double y = rel ? ix->v[b - 1].u_rel : ix->v[b - 1].u_abs;
    return beats(x, a, y, b);
}

/* A CMC in the sweep: its range's leaves and its uncertainty. */
typedef struct sweep_item {
    size_t first, last; /* leaves */
    double u;
    uint32_t e; /* entry index + 1 */
} sweep_item;

static int cmp_first(const void *a, const void *b)
{
    const sweep_item *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* A heap of sweep items, the best (beats) on top. */
static void heap_push(sweep_item *h, size_t *n, sweep_item it)
{
    size_t i = (*n)++;
    while (i && beats(it.u, it.e, h[(i - 1) / 2].u, h[(i - 1) / 2].e)) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = it;
}

static void heap_pop(sweep_item *h, size_t *n)
{
    sweep_item last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && beats(h[c + 1].u, h[c + 1].e, h[c].u, h[c].e))
            c++;
        if (!beats(h[c].u, h[c].e, last.u, last.e))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
}

/* Fills best[leaf] with the best item covering each leaf: items sorted by
 * first leaf enter the heap as the sweep reaches them, and leave it once
 * the sweep is past their last leaf.  "Best" is a total order (beats), so
 * the result does not depend on the order the items come in.  heap has room
 * for n items. */
static void sweep(const sweep_item *v, size_t n, sweep_item *heap, size_t leaves, uint32_t *best)
{
    size_t j = 0, nh = 0;
    for (size_t leaf = 0; leaf < leaves; leaf++) {
        while (j < n && v[j].first <= leaf)
            heap_push(heap, &nh, v[j++]);
        while (nh && heap[0].last < leaf)
            heap_pop(heap, &nh);
        best[leaf] = nh ? heap[0].e : 0;
    }
}

static uint32_t tree_query(const best_tree *t, size_t leaf, int rel)
{
    return (rel ? t->rel_best : t->abs_best)[leaf];
}

/* The tree of an SI unit, made when missing.  NULL when memory ran out. */
static best_tree *tree_for(kind_index *ix, const char *si)
{
    for (size_t k = 0; k < ix->ntrees; k++)
        if (!strcmp(ix->trees[k].si, si))
            return &ix->trees[k];
    best_tree *nt = realloc(ix->trees, (ix->ntrees + 1) * sizeof *nt);
    if (!nt)
        return NULL;
    ix->trees = nt;
    best_tree *t = &ix->trees[ix->ntrees++];
    memset(t, 0, sizeof *t);
    snprintf(t->si, sizeof t->si, "%s", si);
    return t;
}

static int in_tree(const entry_ref *r)
{
    return r->si && (!isnan(r->u_abs) || !isnan(r->u_rel));
}

/* Builds the trees of the CMCs in ix.  Returns -1 when memory ran out. */
static int build_trees(kind_index *ix)
{
    size_t n = ix->n;
    uint16_t *tree_ix = malloc((n ? n : 1) * sizeof *tree_ix); /* UINT16_MAX: none */
    size_t *start = NULL;
    uint32_t *order = NULL;
    sweep_item *items = NULL;
    int rc = -1;
    if (!tree_ix)
        return -1;
    /* Pass one: each CMC's tree, the trees' global bests, end points counted. */
    for (size_t i = 0; i < n; i++) {
        entry_ref *r = &ix->v[i];
        tree_ix[i] = UINT16_MAX;
        if (!in_tree(r))
            continue;
        best_tree *t = tree_for(ix, r->si);
        if (!t || ix->ntrees >= UINT16_MAX)
            goto done;
        if (!isnan(r->u_abs) && (!t->global_abs || better(ix, (uint32_t)i + 1, t->global_abs, 0)))
            t->global_abs = (uint32_t)i + 1;
        if (!isnan(r->lo) && !isnan(r->hi)) {
            t->nodes += 2;
            tree_ix[i] = (uint16_t)(t - ix->trees);
        }
    }
    /* The CMCs with a range, by tree (then in entry order). */
    start = calloc(ix->ntrees + 1, sizeof *start);
    order = malloc((n ? n : 1) * sizeof *order);
    items = malloc((n ? 2 * n : 1) * sizeof *items);
    if (!start || !order || !items)
        goto done;
    for (size_t k = 0; k < ix->ntrees; k++)
        start[k + 1] = start[k] + ix->trees[k].nodes / 2;
    for (size_t k = 0; k < ix->ntrees; k++) {
        best_tree *t = &ix->trees[k];
        if (!(t->pts = malloc((t->nodes ? t->nodes : 1) * sizeof *t->pts)))
            goto done;
        t->nodes = 0;
    }
    /* Pass two: the end points (sorted and unique below), the order. */
    for (size_t i = 0; i < n; i++) {
        if (tree_ix[i] == UINT16_MAX)
            continue;
        best_tree *t = &ix->trees[tree_ix[i]];
        order[start[tree_ix[i]] + t->npts / 2] = (uint32_t)i;
        t->pts[t->npts++] = ix->v[i].lo;
        t->pts[t->npts++] = ix->v[i].hi;
    }
    for (size_t k = 0; k < ix->ntrees; k++) {
        best_tree *t = &ix->trees[k];
        if (!t->npts)
            continue;
        qsort(t->pts, t->npts, sizeof *t->pts, cmp_double);
        size_t u = 0;
        for (size_t i = 0; i < t->npts; i++)
            if (!u || t->pts[u - 1] != t->pts[i])
                t->pts[u++] = t->pts[i];
        t->npts = u;
        t->abs_best = malloc((2 * u - 1) * sizeof *t->abs_best);
        t->rel_best = malloc((2 * u - 1) * sizeof *t->rel_best);
        if (!t->abs_best || !t->rel_best)
            goto done;
    }
    /* Pass three: per tree, each CMC's leaves, then a sweep for the absolute
     * uncertainties and one for the relative ones.  items holds the absolute
     * ones from the front, the relative ones from the back; each sweep's
     * heap goes in the room between. */
    sweep_item *heap = items + n;
    for (size_t k = 0; k < ix->ntrees; k++) {
        best_tree *t = &ix->trees[k];
        size_t na = 0, nr = 0;
        for (size_t o = start[k]; o < start[k + 1] && t->npts; o++) {
            size_t i = order[o];
            const entry_ref *r = &ix->v[i];
            int in1, in2;
            sweep_item it = {leaf_of(t, r->lo, &in1), leaf_of(t, r->hi, &in2), 0, (uint32_t)i + 1};
            if (!isnan(r->u_abs)) {
                it.u = r->u_abs;
                items[na++] = it;
            }
            if (!isnan(r->u_rel)) {
                it.u = r->u_rel;
                heap[-(ptrdiff_t)++nr] = it;
            }
        }
        if (!t->npts)
            continue;
        size_t leaves = 2 * t->npts - 1;
        qsort(items, na, sizeof *items, cmp_first);
        sweep(items, na, items + na, leaves, t->abs_best);
        memmove(items, heap - nr, nr * sizeof *items);
        qsort(items, nr, sizeof *items, cmp_first);
        sweep(items, nr, items + nr, leaves, t->rel_best);
    }
    rc = 0;
done:
    free(tree_ix);
    free(start);
    free(order);
    free(items);
    return rc;
}

/* ---- loading -------------------------------------------------------------------------- */

static void index_release(kind_index *ix)
{
    free(ix->v);
    free(ix->slots);
    free(ix->heads);
    for (size_t k = 0; k < ix->ntrees; k++) {
        free(ix->trees[k].pts);
        free(ix->trees[k].abs_best);
        free(ix->trees[k].rel_best);
    }
    free(ix->trees);
    while (ix->arena) {
        arena_blk *next = ix->arena->next;
        free(ix->arena);
        ix->arena = next;
    }
    memset(ix, 0, sizeof *ix);
}

/* Builds the index of a kind from every active version of it, streaming
 * the store's rows into it.  Called under lz->mu.  -1 on failure (the
 * message in lz->error). */
static int load_kind(const eng_regset *rs, int kind)
{
    lazy_part *lz = rs->lz;
    kind_index *ix = &lz->ix[kind];
    eng_err err = {0};
    size_t total = 0;
    for (size_t i = 0; i < rs->ninfos; i++)
        if (rs->infos[i].kind == kind)
            total += (size_t)rs->infos[i].entries;
    /* room for the entries and their keys (about three each), grown when short */
    if (total && (!(ix->v = malloc(total * sizeof *ix->v)) ||
                  !(ix->slots = malloc(3 * total * sizeof *ix->slots))))
        goto oom;
    ix->cap = total;
    ix->slotcap = 3 * total;
    for (size_t i = 0; i < rs->ninfos; i++) {
        if (rs->infos[i].kind != kind)
            continue;
        scan_ctx sc = {ix, kind, (uint32_t)i};
        if (eng_store_reg_scan(lz->st, rs->infos[i].id, add_entry, &sc, &err))
            goto fail;
    }
    if (build_hash(ix) || (kind == ENG_REG_CMC && build_trees(ix)))
        goto oom;
    return 0;
oom:
    eng_fail(&err, ENG_EIO, "out of memory");
fail:
    eng_fail(&lz->error, ENG_EIO, "loading the %s registries: %.900s", eng_reg_kind_name(kind),
             err.msg);
    index_release(ix);
    return -1;
}

/* The index of a kind, built on first need.  NULL on failure (err set). */
static const kind_index *index_of(const eng_regset *rs, int kind, eng_err *err)
{
    lazy_part *lz = rs->lz;
    int s = atomic_load_explicit(&lz->ready[kind], memory_order_acquire);
    if (!s) {
        pthread_mutex_lock(&lz->mu);
        s = atomic_load_explicit(&lz->ready[kind], memory_order_relaxed);
        if (!s) {
            s = load_kind(rs, kind) ? -1 : 1;
            atomic_store_explicit(&lz->ready[kind], s, memory_order_release);
        }
        pthread_mutex_unlock(&lz->mu);
    }
    if (s < 0) {
        eng_fail(err, ENG_EIO, "%s", lz->error.msg);
        return NULL;
    }
    return &lz->ix[kind];
}

int eng_regset_load(eng_store *st, eng_regset **out, eng_err *err)
{
    eng_regset *rs = calloc(1, sizeof *rs);
    lazy_part *lz = calloc(1, sizeof *lz);
    if (!rs || !lz) {
        free(rs);
        free(lz);
        return eng_fail(err, ENG_EIO, "out of memory");
    }
    pthread_mutex_init(&lz->mu, NULL);
    lz->st = st;
    rs->lz = lz;
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
    if (rs->ninfos && (rc = eng_store_reg_reader_open(st, &lz->rd, err)))
        goto fail;
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
    for (int k = 0; k < 5; k++)
        index_release(&rs->lz->ix[k]);
    eng_store_reg_reader_close(rs->lz->rd);
    pthread_mutex_destroy(&rs->lz->mu);
    free(rs->lz);
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
    size_t n = 0;
    for (size_t i = 0; rs && i < rs->ninfos; i++)
        n += (size_t)rs->infos[i].entries;
    return n;
}

size_t eng_regset_indexed(const eng_regset *rs)
{
    size_t n = 0;
    for (int k = 1; rs && k < 5; k++)
        if (atomic_load(&rs->lz->ready[k]) > 0)
            n += rs->lz->ix[k].n;
    return n;
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
static char *describe(const eng_regset *rs, int kind, const entry_ref *r, const eng_reg_entry *e)
{
    base_buf b = {0};
    base_buf_cat(&b, e->code);
    if (kind == ENG_REG_CMC && e->holder) {
        base_buf_cat(&b, " (");
        base_buf_cat(&b, e->holder);
        base_buf_cat(&b, ")");
    }
    if (e->name && (kind != ENG_REG_CMC || !e->holder || strcmp(e->name, e->holder))) {
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

/* Sets the check's entry fields from entry i of ix, reading the whole
 * entry from the store.  Returns -1 (err set) when that failed. */
static int set_entry(const eng_regset *rs, const kind_index *ix, eng_reg_check *c, size_t i,
                     eng_err *err)
{
    const entry_ref *r = &ix->v[i];
    const eng_reg_info *info = &rs->infos[r->reg];
    eng_reg_entry e;
    eng_reg_entry_init(&e);
    pthread_mutex_lock(&rs->lz->mu);
    int rc = eng_store_reg_read(rs->lz->rd, info->id, (long)r->seq, &e, err);
    pthread_mutex_unlock(&rs->lz->mu);
    if (rc)
        return -1;
    c->registry_id = info->id;
    c->registry = strdup(info->name);
    c->entry_code = strdup(r->code);
    c->entry = describe(rs, (int)(ix - rs->lz->ix), r, &e);
    eng_reg_entry_release(&e);
    if (c->registry && c->entry_code && c->entry)
        return 0;
    eng_fail(err, ENG_EIO, "out of memory");
    return -1;
}

/* Entries of one kind under key; prefers KEY_CODE slots, then the others.
 * OUT: idx (up to cap).  Returns how many. */
static size_t lookup(const kind_index *ix, const char *key, int what, size_t *idx, size_t cap)
{
    size_t n = 0;
    for (int32_t s = first_slot(ix, key); s >= 0 && n < cap; s = next_slot(ix, s)) {
        const slot *sl = &ix->slots[s];
        if (what && sl->what != what)
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
static size_t find_code(const kind_index *ix, int kind, const char *text, size_t len, size_t *idx,
                        size_t cap)
{
    char key[KEYCAP], nk[KEYCAP], scheme[KEYCAP];
    eng_reg_code_key(text, len, key, KEYCAP);
    size_t n = lookup(ix, key, KEY_CODE, idx, cap);
    if (n)
        return n;
    int has_scheme = split_code(text, len, nk, scheme);
    if (*nk) {
        /* The number against entries' numbers: accepted when either side has
         * no scheme, or both have the same ("NVLAP Lab Code 100234-0" is
         * "NVLAP 100234-0"; "UKAS 3067" is not "CNAS L3067"). */
        size_t cand[16];
        size_t m = lookup(ix, nk, 0, cand, 16);
        for (size_t k = 0; k < m && n < cap; k++) {
            const entry_ref *e = &ix->v[cand[k]];
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
            return lookup(ix, key, KEY_UNDATED, idx, cap);
    }
    return 0;
}

/* Which of the entries is valid on date (the first when none, or no date). */
static size_t pick_valid(const kind_index *ix, const size_t *idx, size_t n, const char *date)
{
    for (size_t i = 0; date && i < n; i++) {
        const entry_ref *e = &ix->v[idx[i]];
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
static void judge_lab(const kind_index *ix, const eng_record *r, int indicator, size_t i,
                      eng_reg_check *c)
{
    const entry_ref *e = &ix->v[i];
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
                      eng_reg_check *c, eng_err *err)
{
    size_t idx[16];
    const kind_index *ix = rs->lz->ix + ENG_REG_LAB;
    if (!kind_loaded(rs, ENG_REG_LAB)) {
        none_loaded(c, "laboratory");
        return;
    }
    size_t n = find_code(ix, ENG_REG_LAB, ref->text, ref->len, idx, 16);
    if (!n) {
        not_found(rs, ENG_REG_LAB, c, "laboratory");
        return;
    }
    size_t i = pick_valid(ix, idx, n, report_date(r));
    if (!set_entry(rs, ix, c, i, err))
        judge_lab(ix, r, ref->indicator, i, c);
}

static void check_listed(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                         int kind, const char *what, eng_reg_check *c, eng_err *err)
{
    size_t idx[16];
    const kind_index *ix = rs->lz->ix + kind;
    if (!kind_loaded(rs, kind)) {
        none_loaded(c, what);
        return;
    }
    size_t n = find_code(ix, kind, ref->text, ref->len, idx, 16);
    if (!n) {
        not_found(rs, kind, c, what);
        if (kind == ENG_REG_STANDARD) {
            /* another edition is worth saying */
            char nk[KEYCAP];
            if (undated_key(ref->text, ref->len, nk)) {
                size_t m = lookup(ix, nk, KEY_UNDATED, idx, 16);
                if (m) {
                    base_buf b = {0};
                    base_buf_cat(&b, c->evidence);
                    base_buf_cat(&b, "; the registry holds ");
                    base_buf_cat(&b, ix->v[idx[0]].code);
                    free(c->evidence);
                    c->evidence = base_buf_take(&b);
                }
            }
        }
        return;
    }
    const char *date = report_date(r);
    size_t i = pick_valid(ix, idx, n, date);
    const entry_ref *e = &ix->v[i];
    if (set_entry(rs, ix, c, i, err))
        return;
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
                            eng_reg_check *c, eng_err *err)
{
    const kind_index *cmcs = rs->lz->ix + ENG_REG_CMC, *labs = rs->lz->ix + ENG_REG_LAB;
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
        for (int32_t sl = first_slot(labs, k); sl >= 0 && lab == SIZE_MAX; sl = next_slot(labs, sl))
            if (labs->slots[sl].what == KEY_NAME)
                lab = labs->slots[sl].entry;
        for (int32_t sl = first_slot(cmcs, k); sl >= 0; sl = next_slot(cmcs, sl)) {
            size_t e = cmcs->slots[sl].entry;
            const entry_ref *er = &cmcs->v[e];
            if (cmcs->slots[sl].what != KEY_NAME)
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
        if (!set_entry(rs, labs, c, lab, err))
            judge_lab(labs, r, ref->indicator, lab, c);
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
    if (set_entry(rs, cmcs, c,
                  !has_value             ? first_cmc
                  : covering != SIZE_MAX ? covering
                  : in_qty               ? of_qty
                                         : first_cmc,
                  err))
        return;
    if (!has_value) {
        c->verdict = ENG_VERDICT_NOT_CHECKABLE;
        base_buf_cat(&b, buf);
        base_buf_cat(&b, " loaded; the claim gives no measured value with a unit to place in a "
                         "CMC's quantity and range");
    } else if (covering != SIZE_MAX) {
        c->verdict = ENG_VERDICT_VERIFIED;
        base_buf_cat(&b, "a CMC of the institute covers ");
        base_buf_cat(&b, q.name ? q.name : q.si);
        base_buf_cat(&b, " at ");
        cat_num(&b, q.value);
        base_buf_cat(&b, " ");
        base_buf_cat(&b, q.si);
    } else if (in_qty) {
        c->verdict = ENG_VERDICT_OUT_OF_SCOPE;
        base_buf_cat(&b, "the institute's CMCs for ");
        base_buf_cat(&b, q.name ? q.name : q.si);
        base_buf_cat(&b, " do not cover ");
        cat_num(&b, q.value);
        base_buf_cat(&b, " ");
        base_buf_cat(&b, q.si);
    } else {
        c->verdict = ENG_VERDICT_OUT_OF_SCOPE;
        base_buf_cat(&b, buf);
        base_buf_cat(&b, ", none for ");
        base_buf_cat(&b, q.name ? q.name : q.si);
    }
    c->evidence = base_buf_take(&b);
}

static const best_tree *tree_of(const kind_index *ix, const char *si)
{
    for (size_t k = 0; k < ix->ntrees; k++)
        if (!strcmp(ix->trees[k].si, si))
            return &ix->trees[k];
    return NULL;
}

static void check_uncertainty(const eng_regset *rs, const eng_record *r, const eng_reg_ref *ref,
                              eng_reg_check *c, eng_err *err)
{
    const kind_index *ix = rs->lz->ix + ENG_REG_CMC;
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
    const best_tree *t = tree_of(ix, si);
    uint32_t best = 0;
    int at_value = 0;
    if (t && has_value && t->npts) {
        int inside;
        size_t leaf = leaf_of(t, val.value, &inside);
        if (inside) {
            uint32_t a = tree_query(t, leaf, 0), rl = tree_query(t, leaf, 1);
            double ua = a ? ix->v[a - 1].u_abs : INFINITY;
            double ur = rl ? ix->v[rl - 1].u_rel * fabs(val.value) : INFINITY;
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
    const entry_ref *be = &ix->v[best - 1];
    double u_best = at_value && isnan(be->u_abs) ? be->u_rel * fabs(val.value) : be->u_abs;
    if (set_entry(rs, ix, c, best - 1, err))
        return;
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
    /* The registries a kind of reference is checked against, indexed on
     * first need. */
    static const int needs[][2] = {{0, 0},
                                   [ENG_REF_LAB] = {ENG_REG_LAB, 0},
                                   [ENG_REF_INSTITUTE] = {ENG_REG_CMC, ENG_REG_LAB},
                                   [ENG_REF_UNCERTAINTY] = {ENG_REG_CMC, 0},
                                   [ENG_REF_CRM] = {ENG_REG_CRM, 0},
                                   [ENG_REF_STANDARD] = {ENG_REG_STANDARD, 0}};
    eng_err lerr = {0};
    for (int i = 0; ref->kind > 0 && ref->kind <= ENG_REF_STANDARD && i < 2; i++) {
        int k = needs[ref->kind][i];
        if (k && kind_loaded(rs, k) && !index_of(rs, k, err)) {
            eng_reg_check_release(out);
            return ENG_EIO;
        }
    }
    switch (ref->kind) {
    case ENG_REF_LAB:
        check_lab(rs, r, ref, out, &lerr);
        break;
    case ENG_REF_INSTITUTE:
        check_institute(rs, r, ref, out, &lerr);
        break;
    case ENG_REF_UNCERTAINTY:
        check_uncertainty(rs, r, ref, out, &lerr);
        break;
    case ENG_REF_CRM:
        check_listed(rs, r, ref, ENG_REG_CRM, "reference material", out, &lerr);
        break;
    case ENG_REF_STANDARD:
        check_listed(rs, r, ref, ENG_REG_STANDARD, "standard", out, &lerr);
        break;
    default:
        out->verdict = ENG_VERDICT_NOT_CHECKABLE;
        out->evidence = strdup("unknown kind of reference");
    }
    if (lerr.code || !out->evidence || !out->verdict) {
        eng_reg_check_release(out);
        return eng_fail(err, ENG_EIO, "%s", lerr.code ? lerr.msg : "out of memory");
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
