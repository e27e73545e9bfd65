/*
 * dup_pairs: the driver of eng_dup for tests/dupquality/run.sh and
 * bench/bench_dup.sh.
 *
 *   dup_pairs [options] FILE.csv      pairs of a CSV file (RFC 4180, header row)
 *   dup_pairs [options] --gen N       pairs of N synthetic records made here
 *
 * The CSV is streamed: records are read, prepared in batches and their text
 * dropped (unless --passages), so memory holds the shingle sets and
 * signatures, not the corpus.  --gen makes records in memory with the text
 * model of ../shared/tools/gen_corpus.py (pseudo-words drawn Zipf(1) from
 * a 30,000-word vocabulary, 1,500-character abstracts +-20%, titles of 6-12
 * words, 8% of words followed by punctuation; near-copies with a share of
 * tokens substituted, deleted or inserted), because gen_corpus.py is too
 * slow for a million records; a near-copy follows its source directly and
 * the planted pairs are scored here (--gen-partial F adds partial copies:
 * a record whole inside new material, size ratio 1.5 to 2).  Quality figures come from
 * gen_corpus.py corpora, not from --gen.
 *
 * --exact (with --limit N, for a sample) is the anchor timed beside the
 * engine: every pair of the records checked exactly, single thread, by a
 * plain merge of the two shingle sets; it also scores the engine's pairs
 * against that exact answer.
 *
 * Prints one JSON line of figures on stdout; --out writes the pairs as CSV
 * (id_a,id_b,jaccard,containment,contained[,passage_a,passage_b]).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eng_dup.h"
#include "engine/eng_text.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads). */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *msg)
{
    fprintf(stderr, "dup_pairs: %s\n", msg);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* ---- a streaming CSV reader (RFC 4180) --------------------------------------- */

typedef struct csv {
    FILE *f;
    char *buf; /* the current record's fields, NUL-separated */
    size_t len, cap;
    size_t *fld; /* field starts in buf */
    size_t nfld, capfld;
} csv;

static void csv_put(csv *c, int ch)
{
    if (c->len == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1 << 16;
        c->buf = xrealloc(c->buf, c->cap);
    }
    c->buf[c->len++] = (char)ch;
}

static void csv_field(csv *c)
{
    if (c->nfld == c->capfld) {
        c->capfld = c->capfld ? 2 * c->capfld : 16;
        c->fld = xrealloc(c->fld, c->capfld * sizeof *c->fld);
    }
    c->fld[c->nfld++] = c->len;
}

/* Reads one record.  Returns 1, or 0 at the end of the file. */
static int csv_next(csv *c)
{
    c->len = c->nfld = 0;
    int ch = getc_unlocked(c->f);
    if (ch == EOF)
        return 0;
    csv_field(c);
    int quoted = 0;
    for (;; ch = getc_unlocked(c->f)) {
        if (quoted) {
            if (ch == EOF)
                break;
            if (ch == '"') {
                int nx = getc_unlocked(c->f);
                if (nx == '"') {
                    csv_put(c, '"');
                    continue;
                }
                quoted = 0;
                ch = nx;
            } else {
                csv_put(c, ch);
                continue;
            }
        }
        if (ch == EOF || ch == '\n')
            break;
        if (ch == '\r')
            continue;
        if (ch == '"') {
            quoted = 1;
        } else if (ch == ',') {
            csv_put(c, 0);
            csv_field(c);
        } else {
            csv_put(c, ch);
        }
    }
    csv_put(c, 0);
    return 1;
}

static const char *csv_get(const csv *c, size_t i)
{
    return i < c->nfld ? c->buf + c->fld[i] : "";
}

/* ---- synthetic records ---------------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnd(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rnd01(rng *r)
{
    return (double)(rnd(r) >> 11) * (1.0 / 9007199254740992.0);
}

static size_t rnd_below(rng *r, size_t n)
{
    return (size_t)(rnd01(r) * (double)n);
}

/* Walker's alias table for a Zipf(s) draw over n items. */
typedef struct zipf {
    double *prob;
    uint32_t *alias;
    size_t n;
} zipf;

static void zipf_init(zipf *z, size_t n, double s)
{
    z->n = n;
    z->prob = xrealloc(NULL, n * sizeof *z->prob);
    z->alias = xrealloc(NULL, n * sizeof *z->alias);
    double *p = xrealloc(NULL, n * sizeof *p), sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i] = 1.0 / pow((double)(i + 1), s);
    uint32_t *small = xrealloc(NULL, n * sizeof *small), *large = xrealloc(NULL, n * sizeof *large);
    size_t ns = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        p[i] = p[i] * (double)n / sum;
        if (p[i] < 1)
            small[ns++] = (uint32_t)i;
        else
            large[nl++] = (uint32_t)i;
    }
    while (ns && nl) {
        uint32_t a = small[--ns], b = large[--nl];
        z->prob[a] = p[a];
        z->alias[a] = b;
        p[b] -= 1 - p[a];
        if (p[b] < 1)
            small[ns++] = b;
        else
            large[nl++] = b;
    }
    while (nl)
        z->prob[large[--nl]] = 1;
    while (ns)
        z->prob[small[--ns]] = 1;
    free(p);
    free(small);
    free(large);
}

static size_t zipf_draw(const zipf *z, rng *r)
{
    size_t i = rnd_below(r, z->n);
    return rnd01(r) < z->prob[i] ? i : z->alias[i];
}

typedef struct gen {
    rng r;
    int zh;
    char **words;
    size_t nwords;
    zipf zw;
    double dup_frac, edit;
    int chars;
    uint32_t *src, *cp; /* token lists: the last source and its copy */
    size_t nsrc, ncp, capsrc, capcp, ntitle_src, ntitle_cp;
    double partial_frac;
    int pending; /* 1: a near-copy of the last record is due; 2: a partial copy */
} gen;

static const char *const ONSETS[] = {
    "",   "b",  "c",  "d",  "f",  "g",  "h",  "l",  "m",  "n",  "p",   "r",  "s",  "t",  "v", "w",
    "br", "cr", "dr", "fl", "gr", "pl", "pr", "sc", "sp", "st", "str", "th", "tr", "ch", "sh"};
static const char *const VOWELS[] = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"};
static const char *const CODAS[] = {"",   "n",  "r",  "s",  "t", "l",    "m",   "nd",
                                    "nt", "st", "ck", "ng", "x", "tion", "sis", "ment"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void gen_init(gen *g, int zh, uint64_t seed, double dup_frac, double edit, int chars)
{
    memset(g, 0, sizeof *g);
    g->r.s = seed;
    g->zh = zh;
    g->dup_frac = dup_frac;
    g->edit = edit;
    g->chars = chars;
    g->nwords = 30000;
    g->words = xrealloc(NULL, g->nwords * sizeof *g->words);
    zipf zc;
    uint32_t *han = NULL;
    if (zh) {
        han = xrealloc(NULL, 3500 * sizeof *han);
        for (size_t i = 0; i < 3500; i++)
            han[i] = 0x4E00 + (uint32_t)rnd_below(&g->r, 0x9FA5 - 0x4E00);
        zipf_init(&zc, 3500, 0.9);
    }
    for (size_t i = 0; i < g->nwords; i++) {
        char w[64];
        size_t n = 0;
        if (zh) {
            static const int lens[] = {1, 2, 2, 2, 2, 3, 3, 4};
            int k = lens[rnd_below(&g->r, 8)];
            for (int j = 0; j < k; j++) {
                uint32_t c = han[zipf_draw(&zc, &g->r)];
                w[n++] = (char)(0xE0 | c >> 12);
                w[n++] = (char)(0x80 | (c >> 6 & 0x3F));
                w[n++] = (char)(0x80 | (c & 0x3F));
            }
        } else {
            static const int syls[] = {1, 2, 2, 3, 3, 4};
            int k = syls[rnd_below(&g->r, 6)];
            for (int j = 0; j < k; j++) {
                const char *parts[3] = {ONSETS[rnd_below(&g->r, NELEM(ONSETS))],
                                        VOWELS[rnd_below(&g->r, NELEM(VOWELS))],
                                        CODAS[rnd_below(&g->r, NELEM(CODAS))]};
                for (int q = 0; q < 3; q++)
                    for (const char *p = parts[q]; *p && n < 60; p++)
                        w[n++] = *p;
            }
        }
        w[n] = 0;
        g->words[i] = strdup(w);
    }
    if (zh) {
        free(han);
        free(zc.prob);
        free(zc.alias);
    }
    zipf_init(&g->zw, g->nwords, 1.0);
}

static void gen_release(gen *g)
{
    for (size_t i = 0; i < g->nwords; i++)
        free(g->words[i]);
    free(g->words);
    free(g->zw.prob);
    free(g->zw.alias);
    free(g->src);
    free(g->cp);
}

static void push_tok(uint32_t **v, size_t *n, size_t *cap, uint32_t t)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 512;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = t;
}

/* Tokens carry the word index in the low 24 bits and punctuation in the
 * high bits (0 none, 1..4 one of the marks). */
static void gen_source(gen *g)
{
    g->nsrc = 0;
    int nt = g->zh ? 5 + (int)rnd_below(&g->r, 5) : 6 + (int)rnd_below(&g->r, 7);
    for (int i = 0; i < nt; i++)
        push_tok(&g->src, &g->nsrc, &g->capsrc, (uint32_t)zipf_draw(&g->zw, &g->r));
    g->ntitle_src = g->nsrc;
    int target = g->zh ? (g->chars / 3 > 200 ? g->chars / 3 : 200) : g->chars;
    target = (int)(target * (0.8 + 0.4 * rnd01(&g->r)));
    int len = 0;
    while (len < target) {
        uint32_t w = (uint32_t)zipf_draw(&g->zw, &g->r);
        size_t wl = strlen(g->words[w]);
        if (g->zh)
            wl /= 3;
        if (rnd01(&g->r) < 0.08) {
            w |= (uint32_t)(1 + rnd_below(&g->r, g->zh ? 4 : 3)) << 24;
            wl++;
        }
        push_tok(&g->src, &g->nsrc, &g->capsrc, w);
        len += (int)wl + (g->zh ? 0 : 1);
    }
}

static void edit_range(gen *g, size_t lo, size_t hi)
{
    size_t before = g->ncp;
    for (size_t i = lo; i < hi; i++) {
        uint32_t t = g->src[i];
        if (rnd01(&g->r) < g->edit) {
            size_t op = rnd_below(&g->r, 3);
            uint32_t x = (uint32_t)zipf_draw(&g->zw, &g->r);
            if (op == 0) {
                push_tok(&g->cp, &g->ncp, &g->capcp, x);
            } else if (op == 2) {
                push_tok(&g->cp, &g->ncp, &g->capcp, t);
                push_tok(&g->cp, &g->ncp, &g->capcp, x);
            }
        } else {
            push_tok(&g->cp, &g->ncp, &g->capcp, t);
        }
    }
    if (g->ncp == before)
        for (size_t i = lo; i < hi; i++)
            push_tok(&g->cp, &g->ncp, &g->capcp, g->src[i]);
}

static void render(const gen *g, const uint32_t *t, size_t n, size_t ntitle, char **out,
                   size_t *len, size_t *cap)
{
    static const char *const PEN[] = {"", ",", ".", ";"};
    static const char *const PZH[] = {"", "，", "。", "；", "、"};
    *len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = g->words[t[i] & 0xFFFFFF];
        const char *p = g->zh ? PZH[t[i] >> 24] : PEN[t[i] >> 24];
        size_t need = *len + strlen(w) + strlen(p) + 4;
        if (need > *cap) {
            *cap = 2 * need;
            *out = xrealloc(*out, *cap);
        }
        if (i && (!g->zh || i == ntitle))
            (*out)[(*len)++] = ' ';
        memcpy(*out + *len, w, strlen(w));
        *len += strlen(w);
        memcpy(*out + *len, p, strlen(p));
        *len += strlen(p);
    }
}

/* The next record's text.  OUT: *planted = 1 when it is a near-copy of the
 * record before it, 2 when it holds that record whole inside new material
 * of 0.5 to 1 times its length (a partial copy, size ratio 1.5 to 2). */
static void gen_next(gen *g, char **out, size_t *len, size_t *cap, int *planted)
{
    if (g->pending == 2) {
        g->pending = 0;
        g->ncp = 0;
        size_t extra = (size_t)((double)g->nsrc * (0.5 + 0.5 * rnd01(&g->r)));
        size_t cut = rnd_below(&g->r, extra + 1);
        for (size_t i = 0; i < cut; i++)
            push_tok(&g->cp, &g->ncp, &g->capcp, (uint32_t)zipf_draw(&g->zw, &g->r));
        for (size_t i = 0; i < g->nsrc; i++)
            push_tok(&g->cp, &g->ncp, &g->capcp, g->src[i]);
        for (size_t i = cut; i < extra; i++)
            push_tok(&g->cp, &g->ncp, &g->capcp, (uint32_t)zipf_draw(&g->zw, &g->r));
        render(g, g->cp, g->ncp, 0, out, len, cap);
        *planted = 2;
        return;
    }
    if (g->pending) {
        g->pending = 0;
        g->ncp = 0;
        edit_range(g, 0, g->ntitle_src);
        g->ntitle_cp = g->ncp;
        edit_range(g, g->ntitle_src, g->nsrc);
        render(g, g->cp, g->ncp, g->ntitle_cp, out, len, cap);
        *planted = 1;
        return;
    }
    gen_source(g);
    render(g, g->src, g->nsrc, g->ntitle_src, out, len, cap);
    *planted = 0;
    /* a copy follows with probability f / (1 - f), so f of all records are copies */
    double u = rnd01(&g->r), f = g->dup_frac + g->partial_frac;
    g->pending = u < g->dup_frac / (1 - f) ? 1 : u < f / (1 - f) ? 2 : 0;
}

/* ---- main ------------------------------------------------------------------------------- */

typedef struct batch {
    char *text;
    size_t len, cap;
    size_t *off, *tlen;
    long *order;
    size_t n, capn;
} batch;

static void batch_add(batch *b, const char *const *parts, const size_t *plen, size_t np, long order)
{
    size_t need = b->len + np;
    for (size_t i = 0; i < np; i++)
        need += plen[i];
    if (need > b->cap) {
        b->cap = need * 2 > (1u << 20) ? need * 2 : (1u << 20);
        b->text = xrealloc(b->text, b->cap);
    }
    if (b->n == b->capn) {
        b->capn = b->capn ? 2 * b->capn : 1024;
        b->off = xrealloc(b->off, b->capn * sizeof *b->off);
        b->tlen = xrealloc(b->tlen, b->capn * sizeof *b->tlen);
        b->order = xrealloc(b->order, b->capn * sizeof *b->order);
    }
    b->off[b->n] = b->len;
    for (size_t i = 0; i < np; i++) {
        if (i)
            b->text[b->len++] = ' ';
        memcpy(b->text + b->len, parts[i], plen[i]);
        b->len += plen[i];
    }
    b->tlen[b->n] = b->len - b->off[b->n];
    b->order[b->n] = order;
    b->n++;
}

static double cpu_prepare;

/* Adds b[from..n) to the set.  Returns the seconds it took (and adds its
 * CPU seconds to cpu_prepare). */
static double flush(eng_dup_set *s, batch *b, size_t from)
{
    size_t n = b->n - from;
    eng_dup_doc *d = xrealloc(NULL, n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = (eng_dup_doc){b->text + b->off[from + i], b->tlen[from + i], b->order[from + i]};
    eng_err err;
    double t0 = now(), c0 = cpu();
    if (eng_dup_add(s, d, n, &err))
        die(err.msg);
    double t = now() - t0;
    cpu_prepare += cpu() - c0;
    free(d);
    return t;
}

static void csv_quote(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void usage(void)
{
    fputs(
        "usage: dup_pairs [--cols ID,TEXT...] [--out PRED.csv] [--passages] [--nearest]\n"
        "                 [--exact] [--limit N] [--weighted]\n"
        "                 [--queries N] [--jaccard X] [--containment X] [--ratio X] [--floor X]\n"
        "                 [--recall X] [--k-cjk N] [--k-latin N] [--perm N] [--cap N] [--jobs N]\n"
        "                 [--stop PHRASE]... [--batch N] (FILE.csv | --gen N [--gen-lang en|zh]\n"
        "                 [--gen-seed N] [--gen-dup F] [--gen-edit F] [--gen-partial F]\n"
        "                 [--gen-chars N])\n",
        stderr);
    exit(1);
}

int main(int argc, char **argv)
{
    eng_dup_params p;
    eng_dup_params_default(&p);
    const char *file = NULL, *out = NULL, *cols = "id,title,abstract";
    const char *stop[64];
    size_t nstop = 0, batch_size = 8192, gen_n = 0, nqueries = 0;
    int passages = 0, nearest = 0, exact = 0, gen_zh = 0, gen_chars = 1500;
    size_t limit = SIZE_MAX;
    size_t want[16], nwant = 0; /* CSV columns: the id, then the texts */
    uint64_t gen_seed = 42;
    double gen_dup = 0.02, gen_edit = 0.10, gen_partial = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
        if (OPT("--cols"))
            cols = v;
        else if (OPT("--out"))
            out = v;
        else if (!strcmp(a, "--passages"))
            passages = 1;
        else if (!strcmp(a, "--nearest"))
            nearest = 1;
        else if (!strcmp(a, "--weighted")) {
            /* the duplicate stage's setting (eng_dupstage, rules/default) */
            p.weighted = 1;
            p.inside = 1;
            p.min_info = 3;
            p.short_jaccard = 0.8;
            p.short_info = 5;
        } else if (!strcmp(a, "--exact"))
            exact = passages = 1;
        else if (OPT("--limit"))
            limit = strtoul(v, NULL, 10);
        else if (OPT("--queries"))
            nqueries = strtoul(v, NULL, 10);
        else if (OPT("--jaccard"))
            p.jaccard = atof(v);
        else if (OPT("--containment"))
            p.containment = atof(v);
        else if (OPT("--ratio"))
            p.contain_ratio = atof(v);
        else if (OPT("--floor"))
            p.floor = atof(v);
        else if (OPT("--recall"))
            p.recall = atof(v);
        else if (OPT("--k-cjk"))
            p.shingle_cjk = atoi(v);
        else if (OPT("--k-latin"))
            p.shingle_latin = atoi(v);
        else if (OPT("--perm"))
            p.num_perm = atoi(v);
        else if (OPT("--cap"))
            p.bucket_cap = strtoul(v, NULL, 10);
        else if (OPT("--jobs"))
            p.jobs = atoi(v);
        else if (OPT("--stop") && nstop < 64)
            stop[nstop++] = v;
        else if (OPT("--batch"))
            batch_size = strtoul(v, NULL, 10);
        else if (OPT("--gen"))
            gen_n = strtoul(v, NULL, 10);
        else if (OPT("--gen-lang"))
            gen_zh = !strcmp(v, "zh");
        else if (OPT("--gen-seed"))
            gen_seed = strtoull(v, NULL, 10);
        else if (OPT("--gen-dup"))
            gen_dup = atof(v);
        else if (OPT("--gen-edit"))
            gen_edit = atof(v);
        else if (OPT("--gen-partial"))
            gen_partial = atof(v);
        else if (OPT("--gen-chars"))
            gen_chars = atoi(v);
        else if (a[0] != '-' && !file)
            file = a;
        else
            usage();
#undef OPT
    }
    if (!file == !gen_n || !batch_size)
        usage();
    p.stop_phrases = stop;
    p.nstop = nstop;

    double t_start = now();
    eng_dup_set *s = NULL;
    eng_err err;
    if (eng_dup_set_new(&p, &s, &err))
        die(err.msg);

    /* ids, and for --gen which records are planted copies */
    char **ids = NULL;
    unsigned char *planted = NULL;
    size_t n = 0, capn = 0;
    double t_prepare = 0, bytes = 0;
    batch b;
    memset(&b, 0, sizeof b);
    size_t flushed = 0; /* records of b already added */

    if (file) {
        csv c;
        memset(&c, 0, sizeof c);
        c.f = fopen(file, "rb");
        if (!c.f)
            die(strerror(errno));
        if (!csv_next(&c))
            die("empty file");
        /* map the column names */
        char *spec = strdup(cols);
        for (char *tok = strtok(spec, ","); tok && nwant < 16; tok = strtok(NULL, ",")) {
            size_t k = 0;
            while (k < c.nfld && strcmp(csv_get(&c, k), tok))
                k++;
            if (k == c.nfld) {
                fprintf(stderr, "dup_pairs: no column '%s'\n", tok);
                exit(2);
            }
            want[nwant++] = k;
        }
        free(spec);
        if (nwant < 2)
            usage();
        while (n < limit && csv_next(&c)) {
            if (n == capn) {
                capn = capn ? 2 * capn : 1024;
                ids = xrealloc(ids, capn * sizeof *ids);
            }
            ids[n] = strdup(csv_get(&c, want[0]));
            const char *parts[15];
            size_t plen[15];
            for (size_t k = 1; k < nwant; k++) {
                parts[k - 1] = csv_get(&c, want[k]);
                plen[k - 1] = strlen(parts[k - 1]);
            }
            batch_add(&b, parts, plen, nwant - 1, (long)n);
            bytes += (double)b.tlen[b.n - 1];
            n++;
            if (b.n - flushed == batch_size) {
                t_prepare += flush(s, &b, flushed);
                if (passages)
                    flushed = b.n;
                else
                    b.n = b.len = 0;
            }
        }
        fclose(c.f);
        free(c.buf);
        free(c.fld);
    } else {
        gen g;
        gen_init(&g, gen_zh, gen_seed, gen_dup, gen_edit, gen_chars);
        g.partial_frac = gen_partial;
        ids = xrealloc(NULL, gen_n * sizeof *ids);
        planted = xrealloc(NULL, gen_n);
        char *text = NULL;
        size_t len = 0, cap = 0;
        for (n = 0; n < gen_n; n++) {
            int pl;
            gen_next(&g, &text, &len, &cap, &pl);
            planted[n] = (unsigned char)pl;
            char id[32];
            snprintf(id, sizeof id, "G%07zu", n + 1);
            ids[n] = strdup(id);
            const char *parts[1] = {text};
            batch_add(&b, parts, &len, 1, (long)n);
            bytes += (double)len;
            if (b.n - flushed == batch_size) {
                t_prepare += flush(s, &b, flushed);
                if (passages)
                    flushed = b.n;
                else
                    b.n = b.len = 0;
            }
        }
        free(text);
        gen_release(&g);
    }
    if (b.n > flushed)
        t_prepare += flush(s, &b, flushed);
    double t_read_prepare = now() - t_start;

    double t0 = now(), c0 = cpu();
    eng_dup_pair *pairs = NULL;
    size_t npairs = 0;
    eng_dup_stats st;
    if (eng_dup_weigh(s, &err)) /* nothing to do unless --weighted; timed with the pairs */
        die(err.msg);
    if (eng_dup_pairs(s, &pairs, &npairs, &st, &err))
        die(err.msg);
    double t_pairs = now() - t0, cpu_pairs = cpu() - c0;

    double t_passages = 0;
    if (passages) {
        eng_dup_doc *d = xrealloc(NULL, n * sizeof *d);
        for (size_t i = 0; i < n; i++)
            d[i] = (eng_dup_doc){b.text + b.off[i], b.tlen[i], b.order[i]};
        t0 = now();
        if (eng_dup_passages(s, d, pairs, npairs, &err))
            die(err.msg);
        t_passages = now() - t0;
        free(d);
    }

    double t_exact = 0;
    size_t exact_pairs = 0, exact_found = 0;
    if (exact) {
        /* the anchor: every pair, exactly, one thread */
        eng_text_params tp = {p.shingle_cjk, p.shingle_latin, p.stop_phrases, p.nstop};
        eng_text *tx = NULL;
        if (eng_text_new(&tp, &tx, &err))
            die(err.msg);
        uint64_t **sets = xrealloc(NULL, n * sizeof *sets);
        size_t *sizes = xrealloc(NULL, n * sizeof *sizes);
        eng_tokens tk;
        eng_tokens_init(&tk);
        t0 = now();
        for (size_t i = 0; i < n; i++) {
            if (eng_text_tokens(tx, b.text + b.off[i], b.tlen[i], &tk, &err))
                die(err.msg);
            sets[i] = xrealloc(NULL, (tk.n + 1) * sizeof **sets);
            sizes[i] = eng_text_sort_unique(sets[i], eng_text_shingles(tx, tk.v, tk.n, sets[i]));
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                const uint64_t *x = sets[i], *y = sets[j];
                size_t nx = sizes[i], ny = sizes[j], u = 0, v = 0, inter = 0;
                if (!nx || !ny)
                    continue;
                while (u < nx && v < ny) {
                    if (x[u] < y[v])
                        u++;
                    else if (x[u] > y[v])
                        v++;
                    else {
                        inter++;
                        u++;
                        v++;
                    }
                }
                double jac = (double)inter / (double)(nx + ny - inter);
                double con = (double)inter / (double)(nx < ny ? nx : ny);
                if (jac >= p.jaccard || con >= p.containment) {
                    exact_pairs++;
                    /* is it among the engine's pairs (sorted by a, b)? */
                    size_t lo = 0, hi = npairs;
                    while (lo < hi) {
                        size_t mid = (lo + hi) / 2;
                        if (pairs[mid].a < i || (pairs[mid].a == i && pairs[mid].b < j))
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    exact_found += lo < npairs && pairs[lo].a == i && pairs[lo].b == j;
                }
            }
        t_exact = now() - t0;
        for (size_t i = 0; i < n; i++)
            free(sets[i]);
        free(sets);
        free(sizes);
        eng_tokens_release(&tk);
        eng_text_free(tx);
    }

    double t_nearest = 0;
    size_t nnear = 0;
    if (nearest) {
        eng_dup_near *nr = xrealloc(NULL, n * sizeof *nr);
        t0 = now();
        if (eng_dup_nearest_earlier(s, nr, &err))
            die(err.msg);
        t_nearest = now() - t0;
        for (size_t i = 0; i < n; i++)
            nnear += nr[i].doc != SIZE_MAX;
        free(nr);
    }

    double t_queries = 0;
    size_t nhits = 0;
    size_t self_found = 0;
    if (nqueries) {
        /* queries: the first records of the file again (each should find
         * itself first), or fresh synthetic texts of the same model */
        gen g;
        csv c;
        memset(&c, 0, sizeof c);
        if (file) {
            c.f = fopen(file, "rb");
            if (!c.f || !csv_next(&c))
                die("cannot read the file again");
        } else {
            gen_init(&g, gen_zh, gen_seed + 1, 0, 0, gen_chars);
        }
        char *text = NULL;
        size_t len = 0, cap = 0;
        double tq = 0;
        for (size_t q = 0; q < nqueries; q++) {
            if (file) {
                if (!csv_next(&c))
                    break;
                len = 0;
                for (size_t k = 1; k < nwant; k++) {
                    const char *part = csv_get(&c, want[k]);
                    size_t pl = strlen(part);
                    if (len + pl + 2 > cap) {
                        cap = 2 * (len + pl + 2);
                        text = xrealloc(text, cap);
                    }
                    if (k > 1)
                        text[len++] = ' ';
                    memcpy(text + len, part, pl);
                    len += pl;
                }
            } else {
                int pl;
                gen_next(&g, &text, &len, &cap, &pl);
            }
            eng_dup_pair *h = NULL;
            size_t nh = 0;
            t0 = now();
            if (eng_dup_query(s, text, len, 10, &h, &nh, &err))
                die(err.msg);
            tq += now() - t0;
            nhits += nh;
            self_found +=
                file && nh && h[0].jaccard == 1 && (h[0].a == q || (nh > 1 && h[1].jaccard == 1));
            free(h);
        }
        t_queries = tq;
        free(text);
        if (c.f)
            fclose(c.f);
        else
            gen_release(&g);
        free(c.buf);
        free(c.fld);
    }

    size_t found = 0, nplanted = 0, extra = 0, npartial = 0, found_partial = 0, bad_flag = 0;
    if (planted) {
        for (size_t i = 0; i < n; i++) {
            nplanted += planted[i] == 1;
            npartial += planted[i] == 2;
        }
        for (size_t i = 0; i < npairs; i++) {
            const eng_dup_pair *q = &pairs[i];
            if (q->b == q->a + 1 && planted[q->b] == 1) {
                found++;
            } else if (q->b == q->a + 1 && planted[q->b] == 2) {
                found_partial++;
                bad_flag += q->contained != ENG_DUP_A_IN_B && q->jaccard < p.jaccard;
            } else {
                extra++;
            }
        }
    }

    if (out) {
        FILE *f = fopen(out, "w");
        if (!f)
            die(strerror(errno));
        fputs(passages ? "id_a,id_b,jaccard,containment,contained,passage_a,passage_b\n"
                       : "id_a,id_b,jaccard,containment,contained\n",
              f);
        for (size_t i = 0; i < npairs; i++) {
            const eng_dup_pair *q = &pairs[i];
            fprintf(f, "%s,%s,%.4f,%.4f,%s", ids[q->a], ids[q->b], q->jaccard, q->containment,
                    q->contained == ENG_DUP_A_IN_B   ? "a_in_b"
                    : q->contained == ENG_DUP_B_IN_A ? "b_in_a"
                                                     : "");
            if (passages) {
                fputc(',', f);
                csv_quote(f, b.text + b.off[q->a] + q->a_off, q->a_len);
                fputc(',', f);
                csv_quote(f, b.text + b.off[q->b] + q->b_off, q->b_len);
            }
            fputc('\n', f);
        }
        if (fclose(f))
            die(strerror(errno));
    }

    printf("{\"records\": %zu, \"mean_bytes\": %.0f, \"jaccard\": %g, \"containment\": %g, "
           "\"contain_ratio\": %g, \"k_cjk\": %d, \"k_latin\": %d, \"num_perm\": %d, "
           "\"bands\": %d, \"rows\": %d, \"p_at_threshold\": %.4f, "
           "\"contain_bands\": %d, \"contain_rows\": %d, \"contain_threshold\": %.3f, "
           "\"p_at_contain\": %.4f, \"jobs\": %d, "
           "\"read_prepare_s\": %.3f, \"prepare_s\": %.3f, \"pairs_s\": %.3f, "
           "\"prepare_cpu_s\": %.3f, \"pairs_cpu_s\": %.3f, "
           "\"candidates\": %zu, \"verified\": %zu, \"skipped\": %zu, \"pairs\": %zu",
           n, n ? bytes / (double)n : 0, p.jaccard, p.containment, p.contain_ratio, p.shingle_cjk,
           p.shingle_latin, p.num_perm, st.bands, st.rows, st.p_at_threshold, st.contain_bands,
           st.contain_rows, st.contain_threshold, st.p_at_contain, p.jobs, t_read_prepare,
           t_prepare, t_pairs, cpu_prepare, cpu_pairs, st.candidates, st.verified, st.skipped,
           npairs);
    if (passages)
        printf(", \"passages_s\": %.3f", t_passages);
    if (nearest)
        printf(", \"nearest_s\": %.3f, \"with_nearest\": %zu", t_nearest, nnear);
    if (nqueries)
        printf(
            ", \"queries\": %zu, \"queries_s\": %.3f, \"hits\": %zu, \"queries_self_found\": %zu",
            nqueries, t_queries, nhits, self_found);
    if (exact)
        printf(", \"exact_s\": %.3f, \"exact_pairs\": %zu, \"exact_found\": %zu, "
               "\"extra_vs_exact\": %zu",
               t_exact, exact_pairs, exact_found, npairs - exact_found);
    if (planted)
        printf(", \"planted\": %zu, \"planted_found\": %zu, \"recall\": %.4f, \"extra_pairs\": %zu",
               nplanted, found, nplanted ? (double)found / (double)nplanted : 1.0, extra);
    if (planted && npartial)
        printf(", \"partial\": %zu, \"partial_found\": %zu, \"partial_recall\": %.4f, "
               "\"partial_wrong_flag\": %zu",
               npartial, found_partial, (double)found_partial / (double)npartial, bad_flag);
    printf("}\n");

    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(planted);
    free(pairs);
    free(b.text);
    free(b.off);
    free(b.tlen);
    free(b.order);
    eng_dup_set_free(s);
    return 0;
}
