/*
 * rule_eval.c: evaluating a rule set against a subject (rule_eval), the
 * per-thread scratch it works in, negation, and rule_context.
 *
 * For each enabled rule in order: its `when` is checked first; then each
 * value it reads (in the subject's value order) is searched for the leftmost
 * match that no negation cancels (a reference rule: every such match, in
 * order, since a field may name two laboratories or two CRMs).  The work is done per value, for
 * every rule that reads it at once, the first time a rule asks (process_slot): the value is checked
 * for valid UTF-8 once, folded and scanned once for every literal of the set (rule_lit.h); a rule
 * none of whose required literals occurs is done; a rule whose matches start with known prefixes is
 * tried anchored where they occur; any other runs a plain PCRE2 search. Results are kept per
 * (value, rule) and handed out in rule order.
 *
 * Negation (negatable rules): a match is cancelled when a negation cue ends
 * at most negation.gap units before it, with no sentence or clause boundary
 * in between, or when a cue lies inside the match (a pattern that spans
 * "prototype was not yet validated in a relevant environment").  A unit is
 * one character of CJK (or other non-Latin) text and one word of Latin
 * text (a run of ASCII letters and digits); spaces and ASCII punctuation
 * count for nothing.  So with the gap 8, "尚未完成样机的实验室验证" and "not
 * yet validated in a relevant environment" are both cancelled.  Boundaries:
 * the sentence ends of FORMAT.md (。；！？!?; ". " and line breaks) and
 * clause marks, the comma and the colon (，, ：: but not a comma inside a
 * number such as 1,000): a negation rarely reaches across them, so "没有发现
 * 明显缺陷，样机通过了验证" keeps its hit.  The enumeration comma 、 is no
 * boundary ("未进行高低温、振动试验" is negated whole).  A Latin cue counts
 * only as a whole word ("no" is not in "know").  When a match is cancelled
 * the search goes on from the next character, so a later un-negated match
 * still counts.  Hedge cues after a match (negation.after: "would",
 * "if successful", 有望) cancel it likewise when they begin at most gap units
 * after it in the same clause.
 *
 * Time budget: every PCRE2 search is bounded by PCRE2's limits, but a
 * record's searches together are bounded only by the budget (the set's
 * limits.record_ms, or rule_scratch_budget).  Each rule's searches and
 * condition are timed with the coarse monotonic clock (a few ns a read, a
 * tick of a few ms): a rule is charged the ticks that pass while it runs,
 * which over many runs is its share of the time.  Past the budget the
 * evaluation stops and the rules charged most are named in error hits.
 */
#include "rules/rule_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base_utf8.h"

#define WHEN_UNKNOWN INT_MIN
#define NOMEM (-100000) /* an outcome: memory ran out */
#define PENDING 2       /* an outcome: to be computed */

/* The outcome of one rule on one value: 1 a match at ms..me, 0 none, or a
 * negative PCRE2 error. */
typedef struct outcome {
    int rc;
    size_t ms, me;
} outcome;

struct rule_scratch {
    const rule_set *set;
    rule_rx *rx;
    /* value slots of one evaluation: the record's values, then each item's */
    size_t slot_cap;
    int *slot_name;
    long *res_at; /* first outcome of the slot's readers in res[], -1: not yet */
    outcome *res;
    size_t nres, res_cap;
    /* name id -> value index, one row of nnames per owner (record, items) */
    int *map;
    size_t map_cap;
    int *when_res; /* owner * nrules + rule */
    size_t when_cap;
    /* the value being processed */
    char *fold;
    size_t fold_cap;
    uint64_t *found;
    size_t words;
    uint64_t *req_ok, *pre_ok; /* per rule: a required literal, a prefix occurs */
    size_t rwords;
    rule_occ occ;
    uint32_t *lit_stamp, stamp; /* lit_head/lit_tail valid when lit_stamp == stamp */
    int32_t *lit_head, *lit_tail, *occ_next;
    size_t next_cap;
    uint32_t *cand;
    size_t cand_cap;
    uint32_t *done_stamp, done_now; /* per rule: computed in this process_slot call */
    size_t *done_at;                /* ... at this place in its outcomes */
    int valid;                      /* the value is valid UTF-8 */
    /* the time budget of one evaluation (0: none) */
    uint64_t budget_ns, t0;
    uint64_t *spent; /* per rule: ns charged in this evaluation */
    int *charged;    /* the rules with spent > 0 */
    size_t ncharged;
    int over; /* the budget ran out: evaluation stops */
};

/* Who a rule is evaluated on: the record, or one item with its parent. */
typedef struct ectx {
    const rule_value *values;
    size_t nvalues;
    const int *map;
    const rule_value *pvalues; /* the record, for "record.X" (NULL: the record itself) */
    const int *pmap;
    int item; /* -1 for the record */
    size_t slot0;
} ectx;

rule_scratch *rule_scratch_new(const rule_set *set)
{
    rule_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->set = set;
    s->rx = rule_rx_new();
    size_t nl = rule_lset_count(set->lset);
    s->words = (nl + 63) / 64;
    s->found = calloc(s->words ? s->words : 1, sizeof *s->found);
    s->rwords = (set->nrules + 63) / 64;
    s->req_ok = calloc(s->rwords ? s->rwords : 1, sizeof *s->req_ok);
    s->pre_ok = calloc(s->rwords ? s->rwords : 1, sizeof *s->pre_ok);
    s->lit_stamp = calloc(nl ? nl : 1, sizeof *s->lit_stamp);
    s->lit_head = malloc((nl ? nl : 1) * sizeof *s->lit_head);
    s->lit_tail = malloc((nl ? nl : 1) * sizeof *s->lit_tail);
    s->done_stamp = calloc(set->nrules ? set->nrules : 1, sizeof *s->done_stamp);
    s->done_at = calloc(set->nrules ? set->nrules : 1, sizeof *s->done_at);
    s->spent = calloc(set->nrules ? set->nrules : 1, sizeof *s->spent);
    s->charged = calloc(set->nrules ? set->nrules : 1, sizeof *s->charged);
    rule_scratch_budget(s, rule_set_param(set, "limits.record_ms", RULE_RECORD_MS));
    if (!s->rx || !s->found || !s->lit_stamp || !s->lit_head || !s->lit_tail || !s->req_ok ||
        !s->pre_ok || !s->done_stamp || !s->done_at || !s->spent || !s->charged) {
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
    free(s->res_at);
    free(s->res);
    free(s->map);
    free(s->when_res);
    free(s->fold);
    free(s->found);
    free(s->req_ok);
    free(s->pre_ok);
    free(s->occ.pos);
    free(s->occ.lit);
    free(s->lit_stamp);
    free(s->lit_head);
    free(s->lit_tail);
    free(s->occ_next);
    free(s->cand);
    free(s->done_stamp);
    free(s->done_at);
    free(s->spent);
    free(s->charged);
    free(s);
}

void rule_scratch_budget(rule_scratch *s, double ms)
{
    s->budget_ns = ms > 0 ? (uint64_t)(ms * 1e6) : 0;
}

/* Grows *p (of *cap elements of size each) to hold n; 0 or -1. */
static int grow(void *p, size_t *cap, size_t n, size_t each)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    void *np = realloc(*(void **)p, c * each);
    if (!np)
        return -1;
    *(void **)p = np;
    *cap = c;
    return 0;
}

/* Makes room for n slots and owners owners, and forgets the last subject. */
static int prepare(rule_scratch *s, size_t n, size_t owners)
{
    const rule_set *set = s->set;
    size_t cap = s->slot_cap;
    if (n > cap) {
        size_t c2 = cap;
        if (grow(&s->slot_name, &cap, n, sizeof *s->slot_name) < 0 ||
            grow(&s->res_at, &c2, n, sizeof *s->res_at) < 0)
            return -1;
        s->slot_cap = cap < c2 ? cap : c2;
    }
    if (grow(&s->map, &s->map_cap, owners * (set->nnames ? set->nnames : 1), sizeof *s->map) < 0 ||
        grow(&s->when_res, &s->when_cap, owners * (set->nrules ? set->nrules : 1),
             sizeof *s->when_res) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        s->res_at[k] = -1;
    for (size_t k = 0; k < owners * set->nrules; k++)
        s->when_res[k] = WHEN_UNKNOWN;
    s->nres = 0;
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

static int push_hit(rule_hits *out, int rule, int item, int value, size_t off, size_t len, int err)
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

/* ---- the time budget ---- */

static uint64_t coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Starts the clock of one evaluation. */
static void budget_start(rule_scratch *s)
{
    for (size_t k = 0; k < s->ncharged; k++)
        s->spent[s->charged[k]] = 0;
    s->ncharged = 0;
    s->over = 0;
    if (s->budget_ns)
        s->t0 = coarse_ns();
}

/* Charges rule ri the time since `since` (a coarse_ns reading) and notes
 * when the evaluation has run past its budget. */
static void charge(rule_scratch *s, int ri, uint64_t since)
{
    uint64_t now = coarse_ns();
    if (now == since)
        return;
    if (!s->spent[ri])
        s->charged[s->ncharged++] = ri;
    s->spent[ri] += now - since;
    if (now - s->t0 > s->budget_ns)
        s->over = 1;
}

/* The error hits of an evaluation past its budget: the rules charged most,
 * slowest first (at most RULE_BUDGET_NAMES), or the rule `at` when none
 * was charged. */
static int budget_hits(rule_scratch *s, int at, rule_hits *out)
{
    int named[RULE_BUDGET_NAMES];
    size_t n = 0;
    for (; n < RULE_BUDGET_NAMES; n++) {
        int best = -1;
        for (size_t k = 0; k < s->ncharged; k++) {
            int ri = s->charged[k];
            int taken = 0;
            for (size_t j = 0; j < n; j++)
                taken |= named[j] == ri;
            if (!taken && (best < 0 || s->spent[ri] > s->spent[best]))
                best = ri;
        }
        if (best < 0)
            break;
        named[n] = best;
    }
    if (n == 0)
        named[n++] = at;
    for (size_t j = 0; j < n; j++)
        if (push_hit(out, named[j], -1, -1, 0, 0, RULE_ERROR_BUDGET) < 0)
            return -1;
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
    case OP_EQ:
        return compare(set, v, &w->vals[0]) == 0;
    case OP_NE:
        return compare(set, v, &w->vals[0]) != 0;
    case OP_LT:
        return compare(set, v, &w->vals[0]) < 0;
    case OP_LE:
        return compare(set, v, &w->vals[0]) <= 0;
    case OP_GT:
        return compare(set, v, &w->vals[0]) > 0;
    case OP_GE:
        return compare(set, v, &w->vals[0]) >= 0;
    case OP_IN:
        for (size_t k = 0; k < w->nvals; k++)
            if (compare(set, v, &w->vals[k]) == 0)
                return 1;
        return 0;
    case OP_MATCHES: {
        size_t ms, me;
        return rule_re_find(w->re, s->rx, v->text, v->len, 0, base_utf8_valid(v->text, v->len), &ms,
                            &me);
    }
    default:
        return 0;
    }
}

/* The rule's condition on c, evaluated once per owner. */
static int when_of(rule_scratch *s, const rule_def *r, int ri, const ectx *c)
{
    int *w = &s->when_res[(size_t)(c->item + 1) * s->set->nrules + (size_t)ri];
    if (*w != WHEN_UNKNOWN)
        return *w;
    if (!r->when)
        return *w = 1;
    uint64_t t = s->budget_ns ? coarse_ns() : 0;
    *w = eval_when(s, r->when, c);
    if (s->budget_ns)
        charge(s, ri, t);
    return *w;
}

/* ---- negation ---- */

static size_t char_len(const char *t, size_t len, size_t at)
{
    unsigned c = (unsigned char)t[at];
    size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return at + n <= len ? n : len - at;
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
                if (cp == 0x3002 || cp == 0xFF1B || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF0C ||
                    cp == 0xFF1A || cp == 0xFF0E)
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

/* Whether the match text[ms..me) is negated.  The cues are looked for in
 * a window before the match, as far back as negation.gap units could
 * reach (24 bytes a unit: long words, 3-byte CJK characters) plus a cue's
 * length, and a little past its end for the cues' own lookaheads: the
 * search costs the window, not the whole value. */
static int negated(rule_scratch *s, const char *text, size_t len, size_t ms, size_t me)
{
    const rule_set *set = s->set;
    if (set->no_negation || !set->cues)
        return 0;
    size_t budget = (size_t)(set->gap + 1) * 24 + 32;
    size_t from = ms > budget ? ms - budget : 0, end = me + 64 < len ? me + 64 : len;
    while (from < ms && ((unsigned char)text[from] & 0xC0) == 0x80)
        from++;
    while (end > me && end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
        end--;
    size_t last = (size_t)-1, cs, ce;
    while (from <= end) {
        int rc = rule_re_find(set->cues, s->rx, text, end, from, s->valid, &cs, &ce);
        if (rc <= 0 || cs >= me)
            break; /* (a limit on the cue pattern: the cues found so far stand) */
        if (ce > ms)
            return 1; /* a cue inside the match */
        last = ce;
        from = ce > cs ? ce : cs + (cs < len ? char_len(text, len, cs) : 1);
    }
    if (last != (size_t)-1 && within_gap(text, len, last, ms, set->gap))
        return 1;
    /* A hedge after the match, in its clause ("a proof of concept would
     * provide ...", "有望实现"): the nearest one counts. */
    if (set->after && me < len) {
        size_t aend = me + budget < len ? me + budget : len;
        while (aend < len && ((unsigned char)text[aend] & 0xC0) == 0x80)
            aend++;
        int rc = rule_re_find(set->after, s->rx, text, aend, me, s->valid, &cs, &ce);
        if (rc > 0 && within_gap(text, len, me, cs, set->gap))
            return 1;
    }
    return 0;
}

/* ---- matching ---- */

/* The leftmost match of r in text that no negation cancels: 1 with *ms,
 * *me; 0; a negative PCRE2 error; or NOMEM. */
static int first_match(rule_scratch *s, const rule_def *r, const char *text, size_t len,
                       size_t start, size_t *ms, size_t *me)
{
    for (;;) {
        int rc = rule_re_find(r->re, s->rx, text, len, start, s->valid, ms, me);
        if (rc <= 0 || !r->negatable)
            return rc;
        int neg = negated(s, text, len, *ms, *me);
        if (neg < 0)
            return NOMEM;
        if (!neg)
            return 1;
        if (*ms >= len)
            return 0;
        start = *ms + char_len(text, len, *ms);
    }
}

/* The same as first_match for a rule whose every match starts with one of
 * its prefix literals: anchored attempts at their occurrences only, in
 * order, so the first success is the leftmost match. */
static int prefix_match(rule_scratch *s, const rule_def *r, const char *text, size_t len,
                        size_t *ms, size_t *me)
{
    /* each literal's occurrences are in order: merge the lists one by one
     * (a rule rarely has more than a few of its prefixes in a text) */
    size_t n = 0;
    for (size_t k = 0; k < r->npre; k++) {
        int id = r->pre[k];
        if (s->lit_stamp[id] != s->stamp)
            continue;
        size_t m = 0;
        for (int32_t o = s->lit_head[id]; o >= 0; o = s->occ_next[o])
            m++;
        if (grow(&s->cand, &s->cand_cap, 2 * (n + m), sizeof *s->cand) < 0)
            return NOMEM;
        uint32_t *a = s->cand, *out = s->cand + n + m; /* merge a[0..n) and the list */
        size_t i = 0, j = 0;
        int32_t o = s->lit_head[id];
        while (i < n || o >= 0) {
            if (o < 0 || (i < n && a[i] <= s->occ.pos[o])) {
                out[j++] = a[i++];
            } else {
                out[j++] = s->occ.pos[o];
                o = s->occ_next[o];
            }
        }
        memcpy(s->cand, out, j * sizeof *out);
        n = j;
    }
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        size_t p = s->cand[i];
        if (p < from || (i > 0 && s->cand[i - 1] == p))
            continue;
        int rc = rule_re_find_at(r->re, s->rx, text, len, p, s->valid, ms, me);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        if (!r->negatable)
            return 1;
        int neg = negated(s, text, len, *ms, *me);
        if (neg < 0)
            return NOMEM;
        if (!neg)
            return 1;
        if (*ms >= len)
            return 0;
        from = *ms + char_len(text, len, *ms);
    }
    return 0;
}

/* Like first_match for a rule with start bytes: anchored attempts at the
 * characters that begin with one of them. */
static int start_match(rule_scratch *s, const rule_def *r, const char *text, size_t len, size_t *ms,
                       size_t *me)
{
    const unsigned char *t = (const unsigned char *)text;
    for (size_t p = 0; p < len; p++) {
        if (!r->start[t[p]])
            continue;
        int rc = rule_re_find_at(r->re, s->rx, text, len, p, 1, ms, me);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        if (!r->negatable)
            return 1;
        int neg = negated(s, text, len, *ms, *me);
        if (neg < 0)
            return NOMEM;
        if (!neg)
            return 1;
        if (*ms >= len)
            return 0;
        p = *ms + char_len(text, len, *ms) - 1;
    }
    return 0;
}

/* Folds and scans the value for every literal of the set; 1 when the
 * occurrence positions can be used (the fold kept every byte in place), 0
 * when only the found bits can, -1 when memory ran out. */
static int scan_value(rule_scratch *s, const char *text, size_t len)
{
    const rule_set *set = s->set;
    if (grow(&s->fold, &s->fold_cap, len ? len : 1, 1) < 0)
        return -1;
    memset(s->found, 0, s->words * sizeof *s->found);
    s->occ.n = 0;
    s->occ.nomem = 0;
    size_t flen = rule_fold(text, len, s->fold);
    rule_lset_scan(set->lset, s->fold, flen, s->found, len > UINT32_MAX ? NULL : &s->occ);
    if (s->occ.nomem)
        return -1;
    /* which rules the found literals let through */
    memset(s->req_ok, 0, s->rwords * sizeof *s->req_ok);
    memset(s->pre_ok, 0, s->rwords * sizeof *s->pre_ok);
    for (size_t w = 0; w < s->words; w++) {
        for (uint64_t x = s->found[w]; x; x &= x - 1) {
            size_t id = w * 64 + (size_t)__builtin_ctzll(x);
            for (int j = set->req_at[id]; j < set->req_at[id + 1]; j++)
                s->req_ok[set->req_rules[j] >> 6] |= (uint64_t)1 << (set->req_rules[j] & 63);
            for (int j = set->pre_at[id]; j < set->pre_at[id + 1]; j++)
                s->pre_ok[set->pre_rules[j] >> 6] |= (uint64_t)1 << (set->pre_rules[j] & 63);
        }
    }
    if (flen != len || len > UINT32_MAX)
        return 0; /* positions would not be the text's */
    if (grow(&s->occ_next, &s->next_cap, s->occ.n ? s->occ.n : 1, sizeof *s->occ_next) < 0)
        return -1;
    if (++s->stamp == 0) {
        memset(s->lit_stamp, 0, rule_lset_count(set->lset) * sizeof *s->lit_stamp);
        s->stamp = 1;
    }
    for (size_t o = 0; o < s->occ.n; o++) {
        uint32_t id = s->occ.lit[o];
        s->occ_next[o] = -1;
        if (s->lit_stamp[id] != s->stamp) {
            s->lit_stamp[id] = s->stamp;
            s->lit_head[id] = (int32_t)o;
        } else {
            s->occ_next[s->lit_tail[id]] = (int32_t)o;
        }
        s->lit_tail[id] = (int32_t)o;
    }
    return 1;
}

/* Computes the outcome of every rule that reads value v of c (the slot's
 * readers of the right scope, scheme on, condition true) in one go: the
 * value is scanned for literals once for all of them. */
static int process_slot(rule_scratch *s, const ectx *c, size_t v)
{
    const rule_set *set = s->set;
    size_t slot = c->slot0 + v;
    int name = s->slot_name[slot];
    size_t base = (size_t)set->reader_at[name];
    size_t n = (size_t)set->reader_at[name + 1] - base;
    if (grow(&s->res, &s->res_cap, s->nres + n, sizeof *s->res) < 0)
        return -1;
    outcome *out = s->res + s->nres;
    s->res_at[slot] = (long)s->nres;
    s->nres += n;
    const char *text = c->values[v].text;
    size_t len = c->values[v].len;
    int scope = c->item < 0 ? RULE_SCOPE_RECORD : RULE_SCOPE_ITEM, wants_scan = 0;
    for (size_t k = 0; k < n; k++) {
        int ri = set->readers[base + k];
        const rule_def *r = &set->rules[ri];
        out[k].rc = 0;
        if (r->scope != scope || (r->scheme_id >= 0 && !set->schemes[r->scheme_id].on) ||
            when_of(s, r, ri, c) != 1)
            continue;
        out[k].rc = PENDING;
        wants_scan |= r->nlits > 0 || r->npre > 0;
    }
    s->valid = base_utf8_valid(text, len);
    int positions = -1; /* -1: not scanned */
    if (wants_scan && !set->no_prefilter) {
        positions = scan_value(s, text, len);
        if (positions < 0)
            return -1;
    }
    if (++s->done_now == 0) {
        memset(s->done_stamp, 0, set->nrules * sizeof *s->done_stamp);
        s->done_now = 1;
    }
    for (size_t k = 0; k < n; k++) {
        if (out[k].rc != PENDING)
            continue;
        int ri = set->readers[base + k];
        const rule_def *r = &set->rules[ri];
        int rc;
        if (r->twin >= 0 && s->done_stamp[r->twin] == s->done_now) {
            out[k] = out[s->done_at[r->twin]]; /* the same search on the same text */
            continue;
        }
        s->done_stamp[ri] = s->done_now;
        s->done_at[ri] = k;
        if (positions >= 0 && ((r->nlits > 0 && !(s->req_ok[ri >> 6] >> (ri & 63) & 1)) ||
                               (r->npre > 0 && !(s->pre_ok[ri >> 6] >> (ri & 63) & 1)))) {
            out[k].rc = 0; /* no literal every match needs is in the text */
            continue;
        }
        if (s->over) {
            out[k].rc = 0; /* past the budget: not searched */
            continue;
        }
        uint64_t t = s->budget_ns ? coarse_ns() : 0;
        /* PCRE2 10.42 with MATCH_INVALID_UTF does not keep PCRE2_ANCHORED:
         * an "anchored" attempt may match after an invalid sequence.  So
         * text with invalid UTF-8 is searched the plain way. */
        if (positions == 1 && r->npre > 0 && s->valid)
            rc = prefix_match(s, r, text, len, &out[k].ms, &out[k].me);
        else if (r->start && s->valid && !set->no_prefilter)
            rc = start_match(s, r, text, len, &out[k].ms, &out[k].me);
        else
            rc = first_match(s, r, text, len, 0, &out[k].ms, &out[k].me);
        if (s->budget_ns)
            charge(s, ri, t);
        if (rc == NOMEM)
            return -1;
        out[k].rc = rc;
    }
    return 0;
}

/* A reference rule reads every reference in a value ("校准由NIM和PTB完成",
 * "GBW 04101 and GBW 04102"), not only the first: the matches after the
 * first one (o), each searched from the end of the one before.  -1 when
 * memory ran out; a search error ends the list. */
static int more_matches(rule_scratch *s, const rule_def *r, int ri, const ectx *c, size_t v,
                        const outcome *o, rule_hits *out)
{
    const char *text = c->values[v].text;
    size_t len = c->values[v].len, ms = o->ms, me = o->me;
    s->valid = base_utf8_valid(text, len);
    for (;;) {
        size_t from = me > ms ? me : ms + char_len(text, len, ms);
        if (from >= len)
            return 0;
        int rc = first_match(s, r, text, len, from, &ms, &me);
        if (rc == NOMEM)
            return -1;
        if (rc != 1)
            return 0;
        if (push_hit(out, ri, c->item, (int)v, ms, me - ms, 0) < 0)
            return -1;
    }
}

static int eval_rule(rule_scratch *s, const rule_def *r, int ri, const ectx *c, rule_hits *out)
{
    int w = when_of(s, r, ri, c);
    if (w < 0)
        return push_hit(out, ri, c->item, -1, 0, 0, w);
    if (w == 0)
        return 0;
    if (!r->re)
        return push_hit(out, ri, c->item, -1, 0, 0, 0);
    int found = 0, err = 0;
    for (size_t v = 0; v < c->nvalues; v++) {
        size_t slot = c->slot0 + v;
        int id = s->slot_name[slot];
        if (id < 0 || !present(&c->values[v]))
            continue;
        size_t k = 0;
        while (k < r->nfields && r->fields[k] != id)
            k++;
        if (k == r->nfields)
            continue;
        if (s->res_at[slot] < 0 && process_slot(s, c, v) < 0)
            return -1;
        const outcome *o = &s->res[s->res_at[slot] + r->rpos[k]];
        if (o->rc < 0) {
            if (!err && push_hit(out, ri, c->item, (int)v, 0, 0, o->rc) < 0)
                return -1;
            err = 1;
        } else if (o->rc == 1) {
            found = 1;
            if (!r->absent && push_hit(out, ri, c->item, (int)v, o->ms, o->me - o->ms, 0) < 0)
                return -1;
            if (r->dim == RULE_DIM_REFERENCE && !r->absent && more_matches(s, r, ri, c, v, o, out))
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
    budget_start(s);
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        if (s->over)
            return budget_hits(s, (int)i - 1, out);
        if (r->scheme_id >= 0 && !set->schemes[r->scheme_id].on)
            continue;
        if (r->scope == RULE_SCOPE_RECORD) {
            if (eval_rule(s, r, (int)i, &rec, out) < 0)
                return -1;
            continue;
        }
        slot = subj->nvalues;
        for (size_t j = 0; j < subj->nitems; j++) {
            ectx it = {subj->items[j].values,
                       subj->items[j].nvalues,
                       s->map + (j + 1) * nn,
                       subj->values,
                       s->map,
                       (int)j,
                       slot};
            slot += subj->items[j].nvalues;
            if (eval_rule(s, r, (int)i, &it, out) < 0)
                return -1;
        }
    }
    return s->over ? budget_hits(s, (int)set->nrules - 1, out) : 0;
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
    if (at >= 3 &&
        ((t[at - 3] == 0xE3 && t[at - 2] == 0x80 && c == 0x82) ||
         (t[at - 3] == 0xEF && t[at - 2] == 0xBC && (c == 0x9B || c == 0x81 || c == 0x9F))))
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
