/* rpt_select: the --where filter and the --top orders (see rpt_select.h). */
#include "reports/rpt_select.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { N_AND, N_OR, N_NOT, N_CMP };
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_HAS };

enum {
    C_TRL_CLAIMED,
    C_TRL_ACHIEVED,
    C_TRL_PLANNED,
    C_TRL_STATED,
    C_TRACE,
    C_NOVELTY,
    C_OVERALL,
    C_NFLAGS,
    C_ERRORS,
    C_NUMBERS, /* the columns above are numbers, those below texts */
    C_ID = C_NUMBERS,
    C_TITLE,
    C_KIND,
    C_SOURCE,
    C_FIELD,
    C_ORG,
    C_PI,
    C_DUP,
    C_ACC,
    C_FLAG,
    C_NCOLS
};

static const struct {
    const char *name;
    int col;
} COLUMNS[] = {
    {"trl_claimed", C_TRL_CLAIMED},
    {"trl_achieved", C_TRL_ACHIEVED},
    {"trl_evidenced", C_TRL_ACHIEVED},
    {"trl_planned", C_TRL_PLANNED},
    {"trl_stated", C_TRL_STATED},
    {"traceability", C_TRACE},
    {"novelty", C_NOVELTY},
    {"overall", C_OVERALL},
    {"flag_count", C_NFLAGS},
    {"rule_errors", C_ERRORS},
    {"id", C_ID},
    {"title", C_TITLE},
    {"kind", C_KIND},
    {"source", C_SOURCE},
    {"field", C_FIELD},
    {"organisation", C_ORG},
    {"pi", C_PI},
    {"duplicate_of", C_DUP},
    {"acceptance_conclusion", C_ACC},
    {"flag", C_FLAG},
};

struct rpt_where {
    int kind;
    rpt_where *a, *b; /* N_AND, N_OR: both; N_NOT: a */
    int col, op, is_null;
    double num;
    char *text;
};

void rpt_where_free(rpt_where *w)
{
    if (!w)
        return;
    rpt_where_free(w->a);
    rpt_where_free(w->b);
    free(w->text);
    free(w);
}

typedef struct parser {
    const char *src, *p;
    eng_err *err;
    int failed;
    int depth;
} parser;

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static rpt_where *fail(parser *ps, const char *what)
{
    if (!ps->failed) {
        ps->failed = 1;
        if (*ps->p)
            eng_fail(ps->err, ENG_EUSAGE, "--where: at character %ld (\"%.20s\"): %s",
                     (long)(ps->p - ps->src) + 1, ps->p, what);
        else
            eng_fail(ps->err, ENG_EUSAGE, "--where: at the end: %s", what);
    }
    return NULL;
}

static int word_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c >= 0x80;
}

/* A keyword (any case) ending at a non-word character. */
static int keyword(parser *ps, const char *kw)
{
    size_t n = strlen(kw);
    if (strncasecmp(ps->p, kw, n) || word_char((unsigned char)ps->p[n]))
        return 0;
    ps->p += n;
    return 1;
}

static rpt_where *node(parser *ps, int kind)
{
    rpt_where *w = calloc(1, sizeof *w);
    if (!w && !ps->failed) {
        ps->failed = 1;
        eng_fail(ps->err, ENG_EIO, "out of memory");
    }
    if (w)
        w->kind = kind;
    return w;
}

static rpt_where *expr(parser *ps);

static rpt_where *comparison(parser *ps)
{
    const char *start = ps->p;
    while (word_char((unsigned char)*ps->p) && *ps->p != '-' && *ps->p != '.' && *ps->p != '/' &&
           *ps->p != ':')
        ps->p++;
    if (ps->p == start)
        return fail(ps, "expected a column name, \"not\" or \"(\"");
    size_t n = (size_t)(ps->p - start);
    int col = -1;
    for (size_t i = 0; i < sizeof COLUMNS / sizeof COLUMNS[0] && col < 0; i++)
        if (strlen(COLUMNS[i].name) == n && !memcmp(COLUMNS[i].name, start, n))
            col = COLUMNS[i].col;
    if (col < 0) {
        ps->p = start;
        char list[512];
        size_t k = 0;
        for (size_t i = 0; i < sizeof COLUMNS / sizeof COLUMNS[0] && k < sizeof list; i++)
            k +=
                (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", COLUMNS[i].name);
        char msg[700];
        snprintf(msg, sizeof msg, "unknown column '%.*s' (columns: %s)", (int)(n > 40 ? 40 : n),
                 start, list);
        return fail(ps, msg);
    }
    skip_ws(ps);
    int op;
    if (!strncmp(ps->p, "!=", 2))
        op = OP_NE, ps->p += 2;
    else if (!strncmp(ps->p, "<=", 2))
        op = OP_LE, ps->p += 2;
    else if (!strncmp(ps->p, ">=", 2))
        op = OP_GE, ps->p += 2;
    else if (*ps->p == '=')
        op = OP_EQ, ps->p += ps->p[1] == '=' ? 2 : 1;
    else if (*ps->p == '<')
        op = OP_LT, ps->p++;
    else if (*ps->p == '>')
        op = OP_GT, ps->p++;
    else if (*ps->p == '~')
        op = OP_HAS, ps->p++;
    else
        return fail(ps, "expected an operator (= != < <= > >= ~) after the column");
    if (col == C_FLAG && op != OP_EQ && op != OP_NE && op != OP_HAS) {
        ps->p = start;
        return fail(ps, "flag takes =, != or ~");
    }
    skip_ws(ps);
    rpt_where *w = node(ps, N_CMP);
    if (!w)
        return NULL;
    w->col = col;
    w->op = op;
    const char *v0 = ps->p;
    size_t vn;
    if (*ps->p == '"' || *ps->p == '\'') {
        char q = *ps->p++;
        v0 = ps->p;
        while (*ps->p && *ps->p != q)
            ps->p++;
        if (*ps->p != q) {
            rpt_where_free(w);
            return fail(ps, "a quoted value is not closed");
        }
        vn = (size_t)(ps->p - v0);
        ps->p++;
    } else {
        while (word_char((unsigned char)*ps->p))
            ps->p++;
        vn = (size_t)(ps->p - v0);
        if (!vn) {
            rpt_where_free(w);
            return fail(ps, "expected a value (a number, a word, a \"quoted text\" or null)");
        }
        if (vn == 4 && !strncasecmp(v0, "null", 4))
            w->is_null = 1;
    }
    if (w->is_null && op != OP_EQ && op != OP_NE) {
        rpt_where_free(w);
        ps->p = v0;
        return fail(ps, "null can only be compared with = or !=");
    }
    if (!(w->text = strndup(v0, vn))) {
        rpt_where_free(w);
        return node(ps, -1); /* reports out of memory */
    }
    if (col < C_NUMBERS && !w->is_null) {
        if (op == OP_HAS) {
            rpt_where_free(w);
            ps->p = v0;
            return fail(ps, "~ (contains) compares texts; this column is a number");
        }
        char *end;
        w->num = strtod(w->text, &end);
        if (end == w->text || *end) {
            rpt_where_free(w);
            ps->p = v0;
            return fail(ps, "expected a number for this column");
        }
    }
    return w;
}

static rpt_where *factor(parser *ps)
{
    skip_ws(ps);
    if (++ps->depth > 64)
        return fail(ps, "nested too deeply");
    rpt_where *w;
    if (keyword(ps, "not")) {
        rpt_where *a = factor(ps);
        if (!a)
            return NULL;
        if (!(w = node(ps, N_NOT))) {
            rpt_where_free(a);
            return NULL;
        }
        w->a = a;
    } else if (*ps->p == '(') {
        ps->p++;
        w = expr(ps);
        if (!w)
            return NULL;
        skip_ws(ps);
        if (*ps->p != ')') {
            rpt_where_free(w);
            return fail(ps, "expected \")\"");
        }
        ps->p++;
    } else {
        w = comparison(ps);
    }
    ps->depth--;
    return w;
}

static rpt_where *binary(parser *ps, int kind, const char *kw)
{
    rpt_where *left = kind == N_AND ? factor(ps) : binary(ps, N_AND, "and");
    while (left) {
        skip_ws(ps);
        if (!keyword(ps, kw))
            break;
        rpt_where *right = kind == N_AND ? factor(ps) : binary(ps, N_AND, "and");
        rpt_where *w = right ? node(ps, kind) : NULL;
        if (!w) {
            rpt_where_free(left);
            rpt_where_free(right);
            return NULL;
        }
        w->a = left;
        w->b = right;
        left = w;
    }
    return left;
}

static rpt_where *expr(parser *ps)
{
    return binary(ps, N_OR, "or");
}

int rpt_where_parse(const char *src, rpt_where **out, eng_err *err)
{
    *out = NULL;
    parser ps = {src ? src : "", src ? src : "", err, 0, 0};
    skip_ws(&ps);
    if (!*ps.p)
        return eng_fail(err, ENG_EUSAGE, "--where: the expression is empty");
    rpt_where *w = expr(&ps);
    if (w) {
        skip_ws(&ps);
        if (*ps.p) {
            rpt_where_free(w);
            w = fail(&ps, "expected \"and\", \"or\" or the end");
        }
    }
    if (!w)
        return err ? err->code : ENG_EUSAGE;
    *out = w;
    return ENG_OK;
}

/* The number of a column, or 0 when missing (OUT *has). */
static double number_of(const eng_score *s, int col, int *has)
{
    double v = 0;
    switch (col) {
    case C_TRL_CLAIMED:
        v = s->trl_claimed, *has = s->trl_claimed > 0;
        break;
    case C_TRL_ACHIEVED:
        v = s->trl_evidenced, *has = s->trl_evidenced > 0;
        break;
    case C_TRL_PLANNED:
        v = s->trl_planned, *has = s->trl_planned > 0;
        break;
    case C_TRL_STATED:
        v = s->trl_stated, *has = s->trl_stated > 0;
        break;
    case C_TRACE:
        v = s->traceability, *has = v >= 0;
        break;
    case C_NOVELTY:
        v = s->novelty, *has = v >= 0;
        break;
    case C_OVERALL:
        v = s->overall, *has = v >= 0;
        break;
    case C_NFLAGS: {
        size_t q = 0;
        for (const char *p = s->flags; p && *p; p++)
            q += *p == '"';
        v = (double)(q / 2), *has = 1;
        break;
    }
    default:
        v = s->rule_errors, *has = 1;
    }
    return v;
}

static const char *text_of(const eng_score *s, int col)
{
    const char *const v[] = {s->project_id,   s->title, s->kind,         s->source,        s->field,
                             s->organisation, s->pi,    s->duplicate_of, s->acc_conclusion};
    const char *t = v[col - C_ID];
    return t && *t ? t : NULL;
}

static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return !n;
}

/* Whether the flags JSON array holds a flag equal to (or, has: containing) v. */
static int has_flag(const char *flags, const char *v, int has)
{
    for (const char *p = flags ? strchr(flags, '"') : NULL; p; p = strchr(p, '"')) {
        const char *e = strchr(p + 1, '"');
        if (!e)
            break;
        size_t n = (size_t)(e - p - 1);
        char id[128];
        snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id ? n : sizeof id - 1), p + 1);
        if (has ? contains(id, v) : !strcmp(id, v))
            return 1;
        p = e + 1;
    }
    return 0;
}

int rpt_where_match(const rpt_where *w, const eng_score *s)
{
    if (!w)
        return 1;
    switch (w->kind) {
    case N_AND:
        return rpt_where_match(w->a, s) && rpt_where_match(w->b, s);
    case N_OR:
        return rpt_where_match(w->a, s) || rpt_where_match(w->b, s);
    case N_NOT:
        return !rpt_where_match(w->a, s);
    default:
        break;
    }
    if (w->col == C_FLAG) {
        if (w->is_null)
            return (s->flags && strchr(s->flags, '"')) == (w->op == OP_NE);
        int h = has_flag(s->flags, w->text, w->op == OP_HAS);
        return w->op == OP_NE ? !h : h;
    }
    int has = 1;
    double x = 0;
    const char *t = NULL;
    if (w->col < C_NUMBERS)
        x = number_of(s, w->col, &has);
    else
        has = (t = text_of(s, w->col)) != NULL;
    if (w->is_null)
        return w->op == OP_EQ ? !has : has;
    if (!has)
        return w->op == OP_NE;
    int c;
    if (w->col < C_NUMBERS) {
        c = x < w->num ? -1 : x > w->num;
    } else {
        if (w->op == OP_HAS)
            return contains(t, w->text);
        c = strcmp(t, w->text);
    }
    switch (w->op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_LT:
        return c < 0;
    case OP_LE:
        return c <= 0;
    case OP_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

/* ---- orders ------------------------------------------------------------------------------ */

enum { O_OVERALL, O_NOVELTY, O_TRACE, O_TRL, O_FLAGS, O_N };
static const char *const ORDERS[O_N] = {"overall", "novelty", "traceability", "trl", "flags"};

int rpt_order_parse(const char *by, eng_err *err)
{
    int asc = by && *by == '-';
    const char *name = by ? by + asc : "overall";
    for (int i = 0; i < O_N; i++)
        if (!strcmp(name, ORDERS[i]))
            return i * 2 + asc;
    eng_fail(err, ENG_EUSAGE,
             "--by: unknown order '%s' (overall, novelty, traceability, trl or flags; a leading "
             "- for lowest first)",
             by ? by : "");
    return -1;
}

static double key_of(const eng_score *s, int o, int *has)
{
    switch (o) {
    case O_OVERALL:
        return number_of(s, C_OVERALL, has);
    case O_NOVELTY:
        return number_of(s, C_NOVELTY, has);
    case O_TRACE:
        return number_of(s, C_TRACE, has);
    case O_TRL:
        return number_of(s, C_TRL_ACHIEVED, has);
    default:
        return number_of(s, C_NFLAGS, has);
    }
}

typedef struct order_arg {
    const eng_score *sc;
    int order;
} order_arg;

static int order_cmp(const void *x, const void *y, void *arg)
{
    const order_arg *oa_ = arg;
    const eng_score *a = &oa_->sc[*(const size_t *)x], *b = &oa_->sc[*(const size_t *)y];
    int o = oa_->order / 2, asc = oa_->order % 2, ha, hb;
    double ka = key_of(a, o, &ha), kb = key_of(b, o, &hb);
    if (ha != hb)
        return ha ? -1 : 1; /* missing last */
    if (ha && ka != kb)
        return (ka < kb) == asc ? -1 : 1;
    if (o == O_FLAGS) { /* the same number of flags: the lowest overall first */
        double oa = key_of(a, O_OVERALL, &ha), ob = key_of(b, O_OVERALL, &hb);
        if (ha != hb)
            return ha ? 1 : -1;
        if (ha && oa != ob)
            return oa < ob ? -1 : 1;
    }
    return strcmp(a->project_id ? a->project_id : "", b->project_id ? b->project_id : "");
}

void rpt_order_sort(const eng_score *sc, size_t *sel, size_t m, int order)
{
    order_arg a = {sc, order};
    qsort_r(sel, m, sizeof *sel, order_cmp, &a);
}
