/*
 * bench_rules: rule-scanning throughput of the rule library, and the
 * measurements behind its PCRE2 limits.  Run by bench/bench_rules.sh.
 *
 *   bench_rules scan SET TEXTS
 *       Evaluates every rule of SET (rules reading the value "text") over
 *       every line of TEXTS, one thread, and prints the throughput, the hits
 *       and the lines with at least one raw match (negation off, to compare
 *       with pcre2grep -c); then runs the first 5000 lines again without
 *       the literal prefilter and checks that the hits are identical.
 *   bench_rules limits SET TEXTS
 *       For match limits from 1,000 to 10,000,000, counts the (rule, line)
 *       pairs that hit a limit, JIT and interpreter, and times the
 *       catastrophic patterns of research/reliability.md §3 at each limit.
 *
 * Output lines are "name: value" for the shell script to pick up.
 */
#include "rules/rule.h"
#include "rules/rule_int.h"
#include "rules/rule_re.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: the machine may be shared, and pcre2grep is
 * timed the same way by bench_rules.sh. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct lines {
    char *buf;
    size_t size;
    char **v;
    size_t *len;
    size_t n;
} lines;

static int read_lines(const char *path, lines *L)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    L->buf = malloc((size_t)n + 1);
    if (!L->buf || fread(L->buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    fclose(f);
    L->buf[n] = '\0';
    L->size = (size_t)n;
    size_t count = 0;
    for (long i = 0; i < n; i++)
        count += L->buf[i] == '\n';
    L->v = malloc((count + 1) * sizeof *L->v);
    L->len = malloc((count + 1) * sizeof *L->len);
    L->n = 0;
    char *p = L->buf, *end = L->buf + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        L->v[L->n] = p;
        L->len[L->n++] = len;
        p += len + 1;
    }
    return 0;
}

#define VERIFY_LINES 5000

static rule_set *load(const char *path)
{
    rule_diags d = {0};
    rule_set *set = rule_set_load(path, 0, &d);
    for (size_t k = 0; k < d.n && !set; k++)
        fprintf(stderr, "%s:%d:%d: %s\n", d.v[k].file, d.v[k].line, d.v[k].col, d.v[k].msg);
    rule_diags_free(&d);
    return set;
}

/* One pass: hits counted, lines with a hit counted; the hits kept when
 * keep is not NULL (to compare passes). */
static double pass(rule_set *set, const lines *L, size_t *nhits, size_t *nlines, rule_hits *keep,
                   size_t **per_line)
{
    rule_scratch *s = rule_scratch_new(set);
    rule_hits h = {0};
    *nhits = *nlines = 0;
    if (per_line)
        *per_line = calloc(L->n + 1, sizeof **per_line);
    double t0 = cpu();
    for (size_t i = 0; i < L->n; i++) {
        rule_value v = {"text", L->v[i], L->len[i]};
        rule_subject subj = {&v, 1, NULL, 0};
        h.n = 0;
        if (rule_eval(set, s, &subj, &h) < 0) {
            fprintf(stderr, "bench_rules: out of memory\n");
            exit(3);
        }
        *nhits += h.n;
        *nlines += h.n > 0;
        if (keep) {
            for (size_t k = 0; k < h.n; k++) {
                if (keep->n == keep->cap) {
                    keep->cap = keep->cap ? keep->cap * 2 : 1024;
                    keep->v = realloc(keep->v, keep->cap * sizeof *keep->v);
                }
                keep->v[keep->n++] = h.v[k];
            }
            if (per_line)
                (*per_line)[i + 1] = keep->n;
        }
    }
    double secs = cpu() - t0;
    rule_hits_free(&h);
    rule_scratch_free(s);
    return secs;
}

static int same_hits(const rule_hits *a, const rule_hits *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t k = 0; k < a->n; k++) {
        const rule_hit *x = &a->v[k], *y = &b->v[k];
        if (x->rule != y->rule || x->item != y->item || x->value != y->value ||
            x->offset != y->offset || x->len != y->len || x->error != y->error)
            return 0;
    }
    return 1;
}

static int scan(const char *setpath, const char *textpath)
{
    rule_set *set = load(setpath);
    lines L = {0};
    if (!set || read_lines(textpath, &L) < 0) {
        fprintf(stderr, "bench_rules: cannot load %s or %s\n", setpath, textpath);
        return 2;
    }
    double mb = (double)L.size / 1e6;
    size_t hits, nl, rawhits, rawlines, nhits2, nl2;
    printf("set: %s %s, %zu rules, %zu with a literal prefilter\n", rule_set_name(set),
           rule_set_version(set), rule_count(set), rule_set_prefiltered(set));
    printf("text: %zu lines, %.1f MB\n", L.n, mb);
    /* the best of three passes (CPU time, one thread) */
    rule_hits with = {0}, without = {0};
    double t = pass(set, &L, &hits, &nl, &with, NULL);
    for (int k = 0; k < 2; k++) {
        double t2 = pass(set, &L, &hits, &nl, NULL, NULL);
        if (t2 < t)
            t = t2;
    }
    printf("vernier_seconds: %.3f\n", t);
    printf("vernier_mb_s: %.1f\n", mb / t);
    printf("hits: %zu on %zu lines (negation on)\n", hits, nl);
    rule_set_negation(set, 0);
    double tr = pass(set, &L, &rawhits, &rawlines, NULL, NULL);
    printf("raw_lines: %zu\n", rawlines);
    printf("raw matches (negation off): %zu on %zu lines, %.1f MB/s\n", rawhits, rawlines, mb / tr);
    /* the check: the first VERIFY_LINES lines again without the prefilter
     * (PCRE2 over every value for every rule: slow) must give the same hits */
    rule_set_negation(set, 1);
    lines part = L;
    if (part.n > VERIFY_LINES)
        part.n = VERIFY_LINES;
    size_t bytes = 0;
    for (size_t i = 0; i < part.n; i++)
        bytes += part.len[i] + 1;
    rule_hits_free(&with);
    pass(set, &part, &nhits2, &nl2, &with, NULL);
    rule_set_prefilter(set, 0);
    double tn = pass(set, &part, &nhits2, &nl2, &without, NULL);
    int same = same_hits(&with, &without);
    printf("without the prefilter (first %zu lines): %.1f MB/s, %zu hits, %s\n", part.n,
           (double)bytes / 1e6 / tn, nhits2, same ? "identical hits" : "DIFFERENT HITS");
    printf("prefilter_identical: %s\n", same ? "yes" : "no");
    rule_hits_free(&with);
    rule_hits_free(&without);
    rule_set_free(set);
    free(L.buf);
    free(L.v);
    free(L.len);
    return same ? 0 : 1;
}

/* ---- limits ---- */

static int limits(const char *setpath, const char *textpath)
{
    rule_set *set = load(setpath);
    lines L = {0};
    if (!set || read_lines(textpath, &L) < 0)
        return 2;
    static const unsigned long lims[] = {1000, 3000, 10000, 30000, 100000, 1000000, 10000000};
    /* interpreter copies of every pattern, to measure the JIT's fallback */
    size_t nr = rule_count(set);
    rule_re **interp = calloc(nr, sizeof *interp);
    for (size_t i = 0; i < nr; i++) {
        const char *p = rule_pattern(set, i);
        base_err err;
        size_t off;
        if (*p)
            interp[i] =
                rule_re_compile(p, strlen(p), set->rules[i].flags | RULE_RE_NO_JIT, &off, &err);
    }
    rule_rx *rx = rule_rx_new();
    printf("match limit | pairs hitting a limit (JIT) | (interpreter) | depth limit 10000 hits "
           "(interpreter)\n");
    for (size_t li = 0; li < sizeof lims / sizeof lims[0]; li++) {
        size_t hit_jit = 0, hit_int = 0;
        rule_rx_set_limits(rx, lims[li], 10000000, 20480);
        for (size_t i = 0; i < nr; i++) {
            const rule_def *r = &set->rules[i];
            if (!r->re)
                continue;
            for (size_t k = 0; k < L.n; k++) {
                size_t ms, me;
                if (rule_re_find(r->re, rx, L.v[k], L.len[k], 0, 1, &ms, &me) < 0)
                    hit_jit++;
                if (interp[i] && rule_re_find(interp[i], rx, L.v[k], L.len[k], 0, 1, &ms, &me) < 0)
                    hit_int++;
            }
        }
        printf("%11lu | %27zu | %13zu |\n", lims[li], hit_jit, hit_int);
    }
    size_t hit_depth = 0;
    rule_rx_set_limits(rx, 10000000, RULE_RE_DEPTH_LIMIT, RULE_RE_HEAP_LIMIT_KIB);
    for (size_t i = 0; i < nr; i++)
        for (size_t k = 0; interp[i] && k < L.n; k++) {
            size_t ms, me;
            if (rule_re_find(interp[i], rx, L.v[k], L.len[k], 0, 1, &ms, &me) < 0)
                hit_depth++;
        }
    printf("depth limit %lu, heap %lu KiB: %zu pairs hit a limit (interpreter)\n",
           RULE_RE_DEPTH_LIMIT, RULE_RE_HEAP_LIMIT_KIB, hit_depth);

    /* the catastrophic patterns: time to the limit error on 'a' x 32 + '!' and x 4096 */
    static const char *const bad[] = {"^(a+)+$", "^(a|a)*$", "(a+)+$", "(a|aa)+$"};
    char subj[4200];
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        for (int jit = 1; jit >= 0; jit--) {
            base_err err;
            size_t off;
            rule_re *re =
                rule_re_compile(bad[b], strlen(bad[b]), jit ? 0 : RULE_RE_NO_JIT, &off, &err);
            for (size_t n = 32; n <= 4096; n *= 128) {
                memset(subj, 'a', n);
                subj[n] = '!';
                printf("%-10s %-6s n=%-5zu", bad[b], jit ? "JIT" : "interp", n);
                for (size_t li = 2; li < sizeof lims / sizeof lims[0]; li++) {
                    rule_rx_set_limits(rx, lims[li], RULE_RE_DEPTH_LIMIT, RULE_RE_HEAP_LIMIT_KIB);
                    size_t ms, me;
                    double t0 = now();
                    int rc = rule_re_find(re, rx, subj, n + 1, 0, 1, &ms, &me);
                    printf(" | %lu: rc %d %.4f s", lims[li], rc, now() - t0);
                }
                printf("\n");
            }
            rule_re_free(re);
        }
    }
    rule_rx_free(rx);
    for (size_t i = 0; i < nr; i++)
        rule_re_free(interp[i]);
    free(interp);
    rule_set_free(set);
    free(L.buf);
    free(L.v);
    free(L.len);
    return 0;
}

/* Per rule: lines the prefilter lets through, lines that match, PCRE2 time. */
static int stats(const char *setpath, const char *textpath)
{
    rule_set *set = load(setpath);
    lines L = {0};
    if (!set || read_lines(textpath, &L) < 0)
        return 2;
    size_t nr = rule_count(set), nl = rule_lset_count(set->lset), words = (nl + 63) / 64;
    size_t *pass_n = calloc(nr, sizeof *pass_n), *match_n = calloc(nr, sizeof *match_n);
    double *secs = calloc(nr, sizeof *secs), scan_secs = 0;
    uint64_t *found = calloc(words ? words : 1, sizeof *found);
    char *fold = malloc(L.size + 1);
    rule_rx *rx = rule_rx_new();
    for (size_t k = 0; k < L.n; k++) {
        double t0 = now();
        memset(found, 0, words * sizeof *found);
        size_t fl = rule_fold(L.v[k], L.len[k], fold);
        rule_lset_scan(set->lset, fold, fl, found, NULL);
        scan_secs += now() - t0;
        for (size_t i = 0; i < nr; i++) {
            const rule_def *r = &set->rules[i];
            int ok = r->nlits == 0;
            for (size_t j = 0; j < r->nlits && !ok; j++)
                ok = found[r->lits[j] >> 6] >> (r->lits[j] & 63) & 1;
            if (!ok || !r->re)
                continue;
            pass_n[i]++;
            size_t ms, me;
            t0 = now();
            match_n[i] += rule_re_find(r->re, rx, L.v[k], L.len[k], 0, 1, &ms, &me) == 1;
            secs[i] += now() - t0;
        }
    }
    double total = scan_secs;
    for (size_t i = 0; i < nr; i++)
        total += secs[i];
    printf("literal scan: %.3f s for %zu literals; PCRE2 total %.3f s\n", scan_secs, nl,
           total - scan_secs);
    for (int top = 0; top < 25; top++) {
        size_t best = nr;
        for (size_t i = 0; i < nr; i++)
            if (secs[i] >= 0 && (best == nr || secs[i] > secs[best]))
                best = i;
        if (best == nr)
            break;
        printf("%-32s %6.3f s  lits %3zu  passed %6zu  matched %6zu  %.60s\n", rule_id(set, best),
               secs[best], set->rules[best].nlits, pass_n[best], match_n[best],
               rule_pattern(set, best));
        secs[best] = -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "stats") == 0)
        return stats(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "scan") == 0)
        return scan(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "limits") == 0)
        return limits(argv[2], argv[3]);
    fprintf(stderr, "usage: bench_rules scan|limits SET TEXTS\n");
    return 1;
}
