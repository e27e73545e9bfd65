/*
 * rule_eval.c: evaluating a rule set against a subject (rule_eval), the
 * per-thread scratch it works in, negation, and rule_context.
 *
 * For each enabled rule in order: its `when` is checked first; then each
 * value it reads (in the subject's value order) is searched for the leftmost
 * match that no negation cancels.  Before PCRE2 runs, the literal prefilter
 * (rule_lit.h) says whether the value can hold a match at all: each value is
 * folded and scanned once for every literal of the set, the first time a
 * rule asks.
 *
 * Negation (negatable rules): a match is cancelled when a negation cue ends
 * at most negation.gap units before it, with no sentence or clause boundary
 * in between.  A unit is one character of CJK (or other non-Latin) text and
 * one word of Latin text (a run of ASCII letters and digits); spaces and
 * ASCII punctuation count for nothing.  So with the gap 8, "尚未完成样机的实验
 * 室验证" and "not yet validated in a relevant environment" are both
 * cancelled.  A cue inside the match cancels it as well (a pattern that spans
 * "prototype was not yet validated in a relevant environment").  Boundaries: the sentence ends of FORMAT.md (。；！？!?; ". " and
 * line breaks) and also clause marks, comma and colon (，, ：:, except a
 * comma inside a number such as 1,000): a negation rarely reaches across
 * them, so "没有发现明显缺陷，样机通过了验证" keeps its hit.  The enumeration
 * comma 、 is not a boundary ("未进行高低温、振动试验" is all negated).  When a
 * match is cancelled the search goes on from the next character, so a later
 * un-negated match still counts.
 */
#include "rules/rule_int.h"

#include <stdlib.h>
#include <string.h>

struct rule_scratch {
    const rule_set *set;
    rule_rx *rx;
    /* value slots of one evaluation: the record's values, then each item's */
    size_t nslots, slot_cap;
    int *slot_name;
    unsigned char *found_done, *cue_done;
    size_t *cue_at, *cue_n; /* into cues[] */
    uint64_t *found;        /* words per slot */
    size_t words;
    /* name id -> value index, one row of nnames per owner (record, items) */
    int *map;
    size_t map_cap;
    char *fold;
    size_t fold_cap;
    size_t *cues; /* start, end pairs */
    size_t ncues, cue_cap;
};

/* Who a rule is evaluated on: the record, or one item with its parent. */
typedef struct ectx {
    const rule_value *values;
    size_t nvalues;
    const int *map;
    const rule_value *pvalues; /* the record, for "record.X" (NULL: the record itself) */
    const int *pmap;
    int item;
    size_t slot0;
} ectx;

rule_scratch *rule_scratch_new(const rule_set *set)
{
    rule_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->set = set;
    s->rx = rule_rx_new();
    s->words = (rule_lset_count(set->lset) + 63) / 64;
    if (!s->rx) {
        rule_scratch_free(s);
        return NULL;
    }
    return s;
}

void rule_scratch_free(rule_scratch *s)
{
    if (!s)
        return;
    rule_rx_free(s->rx);
    free(s->slot_name);
    free(s->found_done);
    free(s->cue_done);
    free(s->cue_at);
    free(s->cue_n);
    free(s->found);
    free(s->map);
    free(s->fold);
    free(s->cues);
    free(s);
}

void rule_scratch_limits(rule_scratch *s, unsigned long match, unsigned long depth,
                         unsigned long heap_kib)
{
    rule_rx_set_limits(s->rx, match, depth, heap_kib);
}

/* Makes room for n slots and the name maps of owners owners. */
static int prepare(rule_scratch *s, size_t n, size_t owners)
{
    const rule_set *set = s->set;
    if (n > s->slot_cap) {
        size_t cap = n * 2;
        int *a = realloc(s->slot_name, cap * sizeof *a);
        if (!a)
            return -1;
        s->slot_name = a;
        unsigned char *b = realloc(s->found_done, cap);
        if (!b)
            return -1;
        s->found_done = b;
        unsigned char *c = realloc(s->cue_done, cap);
        if (!c)
            return -1;
        s->cue_done = c;
        size_t *d = realloc(s->cue_at, cap * sizeof *d);
        if (!d)
            return -1;
        s->cue_at = d;
        size_t *e = realloc(s->cue_n, cap * sizeof *e);
        if (!e)
            return -1;
        s->cue_n = e;
        if (s->words) {
            uint64_t *f = realloc(s->found, cap * s->words * sizeof *f);
            if (!f)
                return -1;
            s->found = f;
        }
        s->slot_cap = cap;
    }
    size_t need = owners * (set->nnames ? set->nnames : 1);
    if (need > s->map_cap) {
        int *m = realloc(s->map, need * 2 * sizeof *m);
        if (!m)
            return -1;
        s->map = m;
        s->map_cap = need * 2;
    }
    s->nslots = n;
    memset(s->found_done, 0, n);
    memset(s->cue_done, 0, n);
    s->ncues = 0;
    return 0;
}

static void fill_map(rule_scratch *s, int *map, const rule_value *v, size_t nv, size_t slot0)
{
    const rule_set *set = s->set;
    for (size_t k = 0; k < set->nnames; k++)
        map[k] = -1;
    for (size_t i = 0; i < nv; i++) {
        int id = v[i].name ? rule_name_find(set, v[i].name, strlen(v[i].name)) : -1;
        s->slot_name[slot0 + i] = id;
        if (id >= 0 && map[id] < 0)
            map[id] = (int)i;
    }
}

static const rule_value *lookup(const rule_set *set, const ectx *c, int id)
{
    const rule_name *nm = &set->names[id];
    int v;
    if (nm->parent && c->pvalues) {
        v = c->pmap[nm->base];
        return v >= 0 ? &c->pvalues[v] : NULL;
    }
    v = c->map[nm->base];
    return v >= 0 ? &c->values[v] : NULL;
}

static int present(const rule_value *v)
{
    return v && v->text && v->len > 0;
}

static int push_hit(rule_hits *out, int rule, int item, int value, size_t off, size_t len,
                    int err)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        rule_hit *nv = realloc(out->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        out->v = nv;
        out->cap = cap;
    }
    rule_hit *h = &out->v[out->n++];
    h->rule = rule;
    h->item = item;
    h->value = value;
    h->offset = off;
    h->len = len;
    h->error = err;
    return 0;
}

/* ---- `when` ---- */

/* Orders a value against an operand: numbers when both are numbers. */
static int compare(const rule_set *set, const rule_value *v, const rule_operand *o)
{
    double x;
    if (o->isnum && rule_parse_number(set, v->text, v->len, &x))
        return (x > o->num) - (x < o->num);
    char buf[40];
    const char *os = o->s;
    size_t ol = o->len;
    if (!os) {
        rule_json_number(o->num, buf, sizeof buf);
        os = buf;
        ol = strlen(buf);
    }
    size_t m = v->len < ol ? v->len : ol;
    int c = memcmp(v->text, os, m);
    if (c)
        return c < 0 ? -1 : 1;
    return (v->len > ol) - (v->len < ol);
}

/* 1 true, 0 false, or a negative PCRE2 error. */
static int eval_when(rule_scratch *s, const rule_when *w, const ectx *c)
{
    const rule_set *set = s->set;
    switch (w->kind) {
    case W_ALL:
    case W_ANY:
        for (size_t k = 0; k < w->nkids; k++) {
            int r = eval_when(s, &w->kids[k], c);
            if (r < 0)
                return r;
            if (w->kind == W_ALL && r == 0)
                return 0;
            if (w->kind == W_ANY && r == 1)
                return 1;
        }
        return w->kind == W_ALL;
    case W_NOT: {
        int r = eval_when(s, &w->kids[0], c);
        return r < 0 ? r : !r;
    }
    default:
        break;
    }
    const rule_value *v = lookup(set, c, w->name);
    int has = present(v);
    if (w->op == OP_PRESENT)
        return has == w->present;
    if (!has)
        return w->op == OP_NE;
    switch (w->op) {
    case OP_EQ: return compare(set, v, &w->vals[0]) == 0;
    case OP_NE: return compare(set, v, &w->vals[0]) != 0;
    case OP_LT: return compare(set, v, &w->vals[0]) < 0;
    case OP_LE: return compare(set, v, &w->vals[0]) <= 0;
    case OP_GT: return compare(set, v, &w->vals[0]) > 0;
    case OP_GE: return compare(set, v, &w->vals[0]) >= 0;
    case OP_IN:
        for (size_t k = 0; k < w->nvals; k++)
            if (compare(set, v, &w->vals[k]) == 0)
                return 1;
        return 0;
    case OP_MATCHES: {
        size_t ms, me;
        return rule_re_find(w->re, s->rx, v->text, v->len, 0, &ms, &me);
    }
    default:
        return 0;
    }
}

/* ---- negation ---- */

static size_t char_len(const char *t, size_t len, size_t at)
{
    unsigned c = (unsigned char)t[at];
    size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return at + n <= len ? n : len - at;
}

/* The cues of a value, found once per evaluation. */
static int find_cues(rule_scratch *s, size_t slot, const char *text, size_t len)
{
    if (s->cue_done[slot])
        return 0;
    s->cue_done[slot] = 1;
    s->cue_at[slot] = s->ncues;
    size_t start = 0, ms, me;
    while (start <= len) {
        if (rule_re_find(s->set->cues, s->rx, text, len, start, &ms, &me) <= 0)
            break; /* a limit on the cue pattern: the cues found so far stand */
        if (s->ncues + 2 > s->cue_cap) {
            size_t cap = s->cue_cap ? s->cue_cap * 2 : 64;
            size_t *nc = realloc(s->cues, cap * sizeof *nc);
            if (!nc)
                return -1;
            s->cues = nc;
            s->cue_cap = cap;
        }
        s->cues[s->ncues++] = ms;
        s->cues[s->ncues++] = me;
        start = me > ms ? me : ms + (ms < len ? char_len(text, len, ms) : 1);
    }
    s->cue_n[slot] = (s->ncues - s->cue_at[slot]) / 2;
    return 0;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Whether a cue ending at `from` reaches a match at `to`: 1 yes, 0 no. */
static int within_gap(const char *text, size_t len, size_t from, size_t to, int gap)
{
    const unsigned char *t = (const unsigned char *)text;
    long units = 0;
    size_t i = from;
    while (i < to) {
        unsigned c = t[i];
        if (c < 0x80) {
            if (c == '\n' || c == '\r' || c == '!' || c == '?' || c == ';' || c == ':')
                return 0;
            if (c == '.' && (i + 1 >= len || t[i + 1] == ' ' || t[i + 1] == '\t' ||
                             t[i + 1] == '\n' || t[i + 1] == '\r'))
                return 0;
            if (c == ',' && !(i > 0 && is_digit(t[i - 1]) && i + 1 < len && is_digit(t[i + 1])))
                return 0;
            if (is_digit((unsigned char)c) || ((c | 32) >= 'a' && (c | 32) <= 'z')) {
                units++;
                while (i < to && t[i] < 0x80 &&
                       (is_digit(t[i]) || ((t[i] | 32) >= 'a' && (t[i] | 32) <= 'z')))
                    i++;
            } else {
                i++;
            }
        } else {
            size_t n = char_len(text, len, i);
            if (n == 3) {
                unsigned cp = (c & 0x0F) << 12 | (t[i + 1] & 0x3F) << 6 | (t[i + 2] & 0x3F);
                /* 。 ； ！ ？ ， ： and the full stop ． */
                if (cp == 0x3002 || cp == 0xFF1B || cp == 0xFF01 || cp == 0xFF1F ||
                    cp == 0xFF0C || cp == 0xFF1A || cp == 0xFF0E)
                    return 0;
                if (cp == 0x3000) { /* ideographic space */
                    i += n;
                    continue;
                }
            }
            units++;
            i += n;
        }
        if (units > gap)
            return 0;
    }
    return 1;
}

static int negated(rule_scratch *s, size_t slot, const char *text, size_t len, size_t ms,
                   size_t me)
{
    const rule_set *set = s->set;
    if (set->no_negation || !set->cues)
        return 0;
    if (find_cues(s, slot, text, len) < 0)
        return -1;
    const size_t *cues = s->cues + s->cue_at[slot];
    size_t lo = 0, hi = s->cue_n[slot];
    /* the last cue that ends at or before the match */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cues[2 * mid + 1] <= ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* a cue inside the match ("prototype was not yet validated in a relevant
     * environment" matched whole) negates it too */
    if (lo < s->cue_n[slot] && cues[2 * lo] < me)
        return 1;
    if (lo == 0)
        return 0;
    return within_gap(text, len, cues[2 * (lo - 1) + 1], ms, set->gap);
}

/* ---- matching ---- */

/* Whether the prefilter lets rule r run on slot's text. */
static int may_match(rule_scratch *s, const rule_def *r, size_t slot, const char *text, size_t len)
{
    const rule_set *set = s->set;
    if (set->no_prefilter || r->nlits == 0)
        return 1;
    uint64_t *found = s->found + slot * s->words;
    if (!s->found_done[slot]) {
        if (len > s->fold_cap) {
            char *nf = realloc(s->fold, len);
            if (!nf)
                return -1;
            s->fold = nf;
            s->fold_cap = len;
        }
        memset(found, 0, s->words * sizeof *found);
        size_t flen = rule_fold(text, len, s->fold);
        rule_lset_scan(set->lset, s->fold, flen, found);
        s->found_done[slot] = 1;
    }
    for (size_t k = 0; k < r->nlits; k++) {
        int id = r->lits[k];
        if (found[id >> 6] >> (id & 63) & 1)
            return 1;
    }
    return 0;
}

/* The leftmost match of r in the value that no negation cancels: 1 with
 * *ms, *me; 0; a negative PCRE2 error; or NOMEM. */
#define NOMEM (-100000)
static int first_match(rule_scratch *s, const rule_def *r, size_t slot, const char *text,
                       size_t len, size_t *ms, size_t *me)
{
    size_t start = 0;
    for (;;) {
        int rc = rule_re_find(r->re, s->rx, text, len, start, ms, me);
        if (rc <= 0 || !r->negatable)
            return rc;
        int neg = negated(s, slot, text, len, *ms, *me);
        if (neg < 0)
            return NOMEM;
        if (!neg)
            return 1;
        if (*ms >= len)
            return 0;
        start = *ms + char_len(text, len, *ms);
    }
}

static int eval_rule(rule_scratch *s, const rule_def *r, int ri, const ectx *c, rule_hits *out)
{
    if (r->when) {
        int w = eval_when(s, r->when, c);
        if (w < 0)
            return push_hit(out, ri, c->item, -1, 0, 0, w);
        if (w == 0)
            return 0;
    }
    if (!r->re)
        return push_hit(out, ri, c->item, -1, 0, 0, 0);
    int found = 0, err = 0;
    for (size_t v = 0; v < c->nvalues; v++) {
        int id = s->slot_name[c->slot0 + v];
        if (id < 0)
            continue;
        int reads = 0;
        for (size_t k = 0; k < r->nfields && !reads; k++)
            reads = r->fields[k] == id;
        if (!reads || !present(&c->values[v]))
            continue;
        const char *text = c->values[v].text;
        size_t len = c->values[v].len, ms = 0, me = 0;
        int may = may_match(s, r, c->slot0 + v, text, len);
        if (may < 0)
            return -1;
        if (!may)
            continue;
        int rc = first_match(s, r, c->slot0 + v, text, len, &ms, &me);
        if (rc == NOMEM)
            return -1;
        if (rc < 0) {
            if (!err && push_hit(out, ri, c->item, (int)v, 0, 0, rc) < 0)
                return -1;
            err = 1;
            continue;
        }
        if (rc == 1) {
            found = 1;
            if (!r->absent && push_hit(out, ri, c->item, (int)v, ms, me - ms, 0) < 0)
                return -1;
        }
    }
    if (r->absent && !found && !err)
        return push_hit(out, ri, c->item, -1, 0, 0, 0);
    return 0;
}

int rule_eval(const rule_set *set, rule_scratch *s, const rule_subject *subj, rule_hits *out)
{
    size_t n = subj->nvalues;
    for (size_t j = 0; j < subj->nitems; j++)
        n += subj->items[j].nvalues;
    if (prepare(s, n, subj->nitems + 1) < 0)
        return -1;
    size_t nn = set->nnames ? set->nnames : 1;
    fill_map(s, s->map, subj->values, subj->nvalues, 0);
    ectx rec = {subj->values, subj->nvalues, s->map, NULL, NULL, -1, 0};
    size_t slot = subj->nvalues;
    for (size_t j = 0; j < subj->nitems; j++) {
        fill_map(s, s->map + (j + 1) * nn, subj->items[j].values, subj->items[j].nvalues, slot);
        slot += subj->items[j].nvalues;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        if (r->scheme_id >= 0 && !set->schemes[r->scheme_id].on)
            continue;
        if (r->scope == RULE_SCOPE_RECORD) {
            if (eval_rule(s, r, (int)i, &rec, out) < 0)
                return -1;
            continue;
        }
        slot = subj->nvalues;
        for (size_t j = 0; j < subj->nitems; j++) {
            ectx it = {subj->items[j].values, subj->items[j].nvalues, s->map + (j + 1) * nn,
                       subj->values, s->map, (int)j, slot};
            slot += subj->items[j].nvalues;
            if (eval_rule(s, r, (int)i, &it, out) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- context ---- */

/* Length of the sentence end that ends just before `at` (0 when none). */
static size_t end_before(const unsigned char *t, size_t at)
{
    if (at == 0)
        return 0;
    unsigned c = t[at - 1];
    if (c == '\n' || c == '\r' || c == '!' || c == '?' || c == ';')
        return 1;
    if ((c == ' ' || c == '\t') && at >= 2 && t[at - 2] == '.')
        return 2;
    if (at >= 3 && ((t[at - 3] == 0xE3 && t[at - 2] == 0x80 && c == 0x82) ||
                    (t[at - 3] == 0xEF && t[at - 2] == 0xBC &&
                     (c == 0x9B || c == 0x81 || c == 0x9F))))
        return 3;
    return 0;
}

/* Length of the sentence end that starts at `at` (0 when none). */
static size_t end_at(const unsigned char *t, size_t len, size_t at)
{
    unsigned c = t[at];
    if (c == '\n' || c == '\r' || c == '!' || c == '?' || c == ';')
        return 1;
    if (c == '.' && (at + 1 == len || t[at + 1] == ' ' || t[at + 1] == '\t'))
        return 1;
    if (at + 3 <= len && ((c == 0xE3 && t[at + 1] == 0x80 && t[at + 2] == 0x82) ||
                          (c == 0xEF && t[at + 1] == 0xBC &&
                           (t[at + 2] == 0x9B || t[at + 2] == 0x81 || t[at + 2] == 0x9F))))
        return 3;
    return 0;
}

void rule_context(const char *text, size_t text_len, size_t offset, size_t len, size_t context,
                  size_t *start, size_t *end)
{
    const unsigned char *t = (const unsigned char *)text;
    if (offset > text_len)
        offset = text_len;
    if (len > text_len - offset)
        len = text_len - offset;
    size_t lo = offset > context ? offset - context : 0;
    size_t s = offset;
    while (s > lo && !end_before(t, s))
        s--;
    if (s == lo && !end_before(t, s))
        while (s < offset && (t[s] & 0xC0) == 0x80)
            s++;
    while (s < offset && (t[s] == ' ' || t[s] == '\t' || t[s] == '\n' || t[s] == '\r'))
        s++;
    size_t stop = offset + len;
    size_t hi = context < text_len - stop ? stop + context : text_len;
    size_t e = stop, n = 0;
    while (e < hi && !(n = end_at(t, text_len, e)))
        e++;
    if (e < hi) {
        e += n;
    } else {
        e = hi;
        while (e > stop && e < text_len && (t[e] & 0xC0) == 0x80)
            e--;
    }
    *start = s;
    *end = e;
}
