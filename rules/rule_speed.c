/*
 * rule_speed.c: the speed check of `rules check`: every pattern (and every
 * "matches" condition, and the negation cues) is run over torture texts of
 * 20-60 KB the way evaluation runs it; a pattern that hits a PCRE2 limit or
 * is slow gets a warning with a hint.
 */
#include "rules/rule_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rules check: patterns against torture subjects ---- */

typedef struct torture {
    const char *name;
    char *text;
    size_t len;
} torture;

/* Repeats unit until the text has about `bytes` bytes, then adds tail. */
static char *repeat(const char *unit, size_t bytes, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail), n = (bytes + ul - 1) / ul;
    char *t = malloc(n * ul + tl + 1);
    if (!t)
        return NULL;
    for (size_t k = 0; k < n; k++)
        memcpy(t + k * ul, unit, ul);
    memcpy(t + n * ul, tail, tl + 1);
    *len = n * ul + tl;
    return t;
}

/* The thread's own CPU time: other processes on a loaded machine do not make
 * a pattern look slow (wall time did, under a load of 10 on 2 cores). */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs re over text the way evaluation does: leftmost match, then on from
 * just after it (a negated match makes the evaluator go on), at most 1000
 * matches.  Returns the PCRE2 error, or 0. */
static int scan_all(const rule_re *re, rule_rx *rx, const char *text, size_t len)
{
    size_t start = 0, ms, me;
    for (int k = 0; k < 1000 && start <= len; k++) {
        int rc = rule_re_find(re, rx, text, len, start, 1, &ms, &me);
        if (rc <= 0)
            return rc < 0 ? rc : 0;
        start = me > ms ? me : ms + 1;
    }
    return 0;
}

/* Per torture subject of 20-60 KB: a pattern slower than that runs at
 * under 1-3 MB/s.  The slowest pattern of rules/default takes 3 ms (Chinese
 * text without a sentence end). */
#define SLOW_MS 20.0

static void time_pattern(loader *L, const rule_def *r, const rule_re *re, const char *what,
                         rule_rx *rx, const torture *subjects, size_t nsub)
{
    for (size_t k = 0; k < nsub; k++) {
        if (!subjects[k].text)
            continue;
        double t0 = now_ms();
        int rc = scan_all(re, rx, subjects[k].text, subjects[k].len);
        double ms = now_ms() - t0;
        if (rc >= 0 && ms > SLOW_MS) {
            /* once more, the faster of the two counts: a cold cache or a
             * migration between cores is not the pattern's cost */
            t0 = now_ms();
            rc = scan_all(re, rx, subjects[k].text, subjects[k].len);
            double again = now_ms() - t0;
            ms = again < ms ? again : ms;
        }
        rule_jpos pos = {0, r->line, r->col};
        L->file = r->file;
        if (rc < 0) {
            char msg[128];
            rule_re_strerror(rc, msg, sizeof msg);
            rule_ld_diag_pos(
                L, RULE_WARNING, pos, r->id,
                "avoid nested or adjacent unbounded repeats like (a+)+ or .*.*; bound them "
                "({0,20}) or make them possessive (a++)",
                "%s hits a PCRE2 limit on %s (%s): such text gives a rule error", what,
                subjects[k].name, msg);
            break;
        }
        if (ms > SLOW_MS) {
            rule_ld_diag_pos(L, RULE_WARNING, pos, r->id,
                             "bound repeats ({0,20}) and start the pattern with a literal",
                             "%s is slow: %.0f ms on %s (%zu KiB)", what, ms, subjects[k].name,
                             subjects[k].len >> 10);
            break;
        }
    }
    L->file = -1;
}

static void time_when(loader *L, const rule_def *r, const rule_when *w, rule_rx *rx,
                      const torture *subjects, size_t nsub)
{
    if (w->re)
        time_pattern(L, r, w->re, "the \"matches\" pattern", rx, subjects, nsub);
    for (size_t k = 0; k < w->nkids; k++)
        time_when(L, r, &w->kids[k], rx, subjects, nsub);
}

/* Pseudo-random text of about `bytes` bytes from a fixed seed. */
static char *random_text(size_t bytes, size_t *len)
{
    static const char *const pieces[] = {"a", "e", " ", "1",  ".",  "测", "试", "，",
                                         "x", "(", "-", "验", "证", "s",  "t",  "/"};
    char *t = malloc(bytes + 8);
    if (!t)
        return NULL;
    unsigned seed = 12345;
    size_t at = 0;
    while (at < bytes) {
        seed = seed * 1103515245u + 12345u;
        const char *p = pieces[(seed >> 16) & 15];
        size_t pl = strlen(p);
        memcpy(t + at, p, pl);
        at += pl;
    }
    t[at] = '\0';
    *len = at;
    return t;
}

#define NTORTURE 9
#define OWN_LITERALS 8 /* the subject made for each rule */

/* The fixed torture subjects (all but OWN_LITERALS).  Returns -1 when
 * memory ran out (the caller frees what was made). */
static int make_torture(torture *t)
{
    static const struct {
        const char *name, *unit, *tail;
        size_t bytes;
    } runs[] = {
        {"a run of 'a' ending in '!'", "a", "!", 20000},
        {"a run of 'a' ending in 'b'", "a", "b", 20000},
        {"a run of spaces", " ", "x", 20000},
        {"a run of digits", "0123456789", "", 20000},
        {"Chinese text with no sentence end",
         "研究团队在实验室环境中完成了样机的测试与验证并形成技术方案", "", 60000},
        {"English text with no sentence end",
         "the prototype was tested in a laboratory environment and validated ", "", 40000},
        {"mixed Chinese punctuation", "，、：“”（）《》——…", "", 30000},
    };
    size_t n = sizeof runs / sizeof runs[0];
    for (size_t k = 0; k < n; k++) {
        t[k].name = runs[k].name;
        if (!(t[k].text = repeat(runs[k].unit, runs[k].bytes, runs[k].tail, &t[k].len)))
            return -1;
    }
    t[n].name = "pseudo-random text";
    if (!(t[n].text = random_text(32700, &t[n].len)))
        return -1;
    t[OWN_LITERALS].name = "the rule's own literals repeated";
    return 0;
}

/* The literals a match of r needs, back to back: near misses galore.
 * Sets t's text (NULL when r has no literals); returns -1 when memory ran
 * out. */
static int own_literals(const rule_def *r, torture *t)
{
    free(t->text);
    t->text = NULL;
    t->len = 0;
    if (r->nlits == 0)
        return 0;
    char unit[2048];
    size_t ul = 0;
    rule_pat_info pi;
    if (rule_pat_analyse(r->pattern, r->pattern_len, r->flags, &pi) < 0)
        return -1;
    for (size_t k = 0; k < pi.nlits && ul + pi.lens[k] + 2 < sizeof unit; k++) {
        memcpy(unit + ul, pi.lits[k], pi.lens[k]);
        ul += pi.lens[k];
        unit[ul++] = ' ';
    }
    rule_pat_info_release(&pi);
    unit[ul] = '\0';
    if (ul && !(t->text = repeat(unit, 20000, "", &t->len)))
        return -1;
    return 0;
}

void rule_ld_speed_check(loader *L)
{
    rule_set *set = L->set;
    torture t[NTORTURE];
    memset(t, 0, sizeof t);
    rule_rx *rx = NULL;
    if (make_torture(t) < 0 || !(rx = rule_rx_new())) {
        L->nomem = 1;
        goto out;
    }
    for (size_t i = 0; i < set->nrules; i++) {
        const rule_def *r = &set->rules[i];
        if (own_literals(r, &t[OWN_LITERALS]) < 0) {
            L->nomem = 1;
            goto out;
        }
        if (r->re)
            time_pattern(L, r, r->re, "the pattern", rx, t, NTORTURE);
        if (r->when)
            time_when(L, r, r->when, rx, t, NTORTURE);
    }
    if (set->cues) {
        rule_def cue = {0};
        cue.id = "";
        cue.file = 0;
        time_pattern(L, &cue, set->cues, "\"negation.cues\"", rx, t, OWN_LITERALS);
    }
    if (set->after) {
        rule_def cue = {0};
        cue.id = "";
        time_pattern(L, &cue, set->after, "\"negation.after\"", rx, t, OWN_LITERALS);
    }
out:
    rule_rx_free(rx);
    for (size_t k = 0; k < NTORTURE; k++)
        free(t[k].text);
}
