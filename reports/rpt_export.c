/* rpt_export: JSONL and CSV exports of a run (see rpt_export.h). */
#include "reports/rpt_export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_registry.h"

typedef struct side {
    const char *id;
    size_t pair;
} side;

static int side_cmp(const void *x, const void *y)
{
    const side *a = x, *b = y;
    int c = strcmp(a->id, b->id);
    if (c)
        return c;
    return a->pair < b->pair ? -1 : a->pair > b->pair;
}

/* One CSV cell (RFC 4180).  A cell that a spreadsheet would read as a formula
 * (it begins with = + - @, TAB, CR or LF: OWASP's list) is neutralised as
 * OWASP recommends: quoted, with a ' in front, so that it shows as text. */
static void csv_cell(FILE *out, const char *s)
{
    if (!s)
        s = "";
    int formula = *s && strchr("=+-@\t\r\n", *s) != NULL;
    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static cJSON *num_or_null(double v, int is_null)
{
    return is_null ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Appends text to *b (malloc'd, grown); on failure *b is freed and NULL. */
static void append(char **b, size_t *len, const char *text)
{
    if (!*b)
        return;
    size_t l = strlen(text);
    char *nb = realloc(*b, *len + l + 1);
    if (!nb) {
        free(*b);
        *b = NULL;
        return;
    }
    memcpy(nb + *len, text, l + 1);
    *b = nb;
    *len += l;
}

char *rpt_quality_text(const char *data_quality, const char *conflicts)
{
    char *b = calloc(1, 1);
    size_t len = 0;
    cJSON *dq = data_quality ? cJSON_Parse(data_quality) : NULL;
    for (const cJSON *m = dq ? dq->child : NULL; m && b; m = m->next) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(m, "field");
        const cJSON *raw = cJSON_GetObjectItemCaseSensitive(m, "raw");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "problem");
        char line[900];
        snprintf(line, sizeof line, "%s%s: \"%.200s\" not read (%.400s)", len ? "; " : "",
                 cJSON_IsString(f) ? f->valuestring : "?",
                 cJSON_IsString(raw) ? raw->valuestring : "",
                 cJSON_IsString(p) ? p->valuestring : "?");
        append(&b, &len, line);
    }
    cJSON_Delete(dq);
    cJSON *cf = conflicts ? cJSON_Parse(conflicts) : NULL;
    for (const cJSON *c = cf ? cf->child : NULL; c && b; c = c->next) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "field");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "values");
        char line[300];
        snprintf(line, sizeof line, "%sconflict %s: ", len ? "; " : "",
                 cJSON_IsString(f) ? f->valuestring : "?");
        append(&b, &len, line);
        int first = 1;
        for (const cJSON *x = v ? v->child : NULL; x && b; x = x->next, first = 0) {
            char *t = cJSON_IsString(x) ? NULL : cJSON_PrintUnformatted(x);
            snprintf(line, sizeof line, "%s%.200s", first ? "" : " | ",
                     cJSON_IsString(x) ? x->valuestring : (t ? t : "?"));
            free(t);
            append(&b, &len, line);
        }
    }
    cJSON_Delete(cf);
    return b;
}

/* A TRL reading and its confidence: empty cells / null when there is none. */
static void csv_reading(FILE *out, int level, double conf)
{
    if (level)
        fprintf(out, ",%d,%g", level, conf);
    else
        fputs(",,", out);
}

static void json_reading(cJSON *o, const char *name, const char *conf_name, int level, double conf)
{
    cJSON_AddItemToObject(o, name, num_or_null(level, !level));
    cJSON_AddItemToObject(o, conf_name, num_or_null(conf, !level));
}

int rpt_export(eng_store *st, long run, const char *format, FILE *out, eng_err *err)
{
    int csv;
    if (!strcmp(format, "jsonl"))
        csv = 0;
    else if (!strcmp(format, "csv"))
        csv = 1;
    else
        return eng_fail(err, ENG_EUSAGE, "unknown export format '%s' (jsonl or csv)", format);
    eng_run_info ri;
    int rc = eng_store_run(st, run, &ri, err);
    if (rc)
        return rc;
    run = ri.id;
    eng_run_info_release(&ri);

    eng_score *sc = NULL;
    eng_hit *hits = NULL;
    eng_pair *pairs = NULL;
    side *sides = NULL;
    eng_reg_check *checks = NULL;
    size_t nsc = 0, nhits = 0, npairs = 0, nchecks = 0;
    if ((rc = eng_store_scores(st, run, NULL, &sc, &nsc, err)) ||
        (rc = eng_store_hits(st, run, NULL, &hits, &nhits, err)) ||
        (rc = eng_store_pairs(st, run, NULL, &pairs, &npairs, err)) ||
        (rc = eng_store_reg_checks(st, run, NULL, &checks, &nchecks, err)))
        goto done;
    sides = malloc((2 * npairs + 1) * sizeof *sides);
    if (!sides) {
        rc = eng_fail(err, ENG_EIO, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < npairs; i++) {
        sides[2 * i] = (side){pairs[i].a, i};
        sides[2 * i + 1] = (side){pairs[i].b, i};
    }
    qsort(sides, 2 * npairs, sizeof *sides, side_cmp);

    if (csv)
        fputs("id,title,trl_claimed,trl_evidenced,trl_confidence,trl_planned,"
              "trl_planned_confidence,trl_stated,trl_stated_confidence,traceability,novelty,"
              "overall,flags,duplicates,hits,start,end,acceptance_date,acceptance_conclusion,"
              "data_quality,registry\n",
              out);
    /* Hits are stored in record order, which is id order, like the scores. */
    size_t h = 0, sp = 0, ck = 0;
    for (size_t i = 0; i < nsc && !rc; i++) {
        const eng_score *s = &sc[i];
        /* Checks are read back by project id, then in check order. */
        while (ck < nchecks && strcmp(checks[ck].project_id, s->project_id) < 0)
            ck++;
        size_t c0 = ck;
        while (ck < nchecks && !strcmp(checks[ck].project_id, s->project_id))
            ck++;
        while (h < nhits && strcmp(hits[h].project_id, s->project_id) < 0)
            h++;
        size_t h0 = h;
        while (h < nhits && !strcmp(hits[h].project_id, s->project_id))
            h++;
        while (sp < 2 * npairs && strcmp(sides[sp].id, s->project_id) < 0)
            sp++;
        size_t p0 = sp;
        while (sp < 2 * npairs && !strcmp(sides[sp].id, s->project_id))
            sp++;
        cJSON *flags = cJSON_Parse(s->flags ? s->flags : "[]");
        if (!flags)
            flags = cJSON_CreateArray();
        if (csv) {
            csv_cell(out, s->project_id);
            fputc(',', out);
            csv_cell(out, s->title);
            if (s->trl_claimed)
                fprintf(out, ",%d", s->trl_claimed);
            else
                fputs(",", out);
            csv_reading(out, s->trl_evidenced, s->trl_confidence);
            csv_reading(out, s->trl_planned, s->trl_planned_confidence);
            csv_reading(out, s->trl_stated, s->trl_stated_confidence);
            fputc(',', out);
            if (s->traceability >= 0) /* not assessable: an empty cell */
                fprintf(out, "%g", s->traceability);
            fputc(',', out);
            if (s->novelty >= 0)
                fprintf(out, "%g", s->novelty);
            fputc(',', out);
            if (s->overall >= 0)
                fprintf(out, "%g", s->overall);
            fputc(',', out);
            char buf[4096] = "";
            size_t bl = 0;
            for (const cJSON *f = flags->child; f; f = f->next)
                if (cJSON_IsString(f) && bl + strlen(f->valuestring) + 3 < sizeof buf)
                    bl += (size_t)snprintf(buf + bl, sizeof buf - bl, "%s%s", bl ? "; " : "",
                                           f->valuestring);
            csv_cell(out, buf);
            fputc(',', out);
            buf[0] = '\0';
            bl = 0;
            for (size_t k = p0; k < sp; k++) {
                const eng_pair *p = &pairs[sides[k].pair];
                const char *other = strcmp(p->a, s->project_id) ? p->a : p->b;
                if (bl + strlen(other) + 3 < sizeof buf)
                    bl +=
                        (size_t)snprintf(buf + bl, sizeof buf - bl, "%s%s", bl ? "; " : "", other);
            }
            csv_cell(out, buf);
            fprintf(out, ",%zu,", h - h0);
            csv_cell(out, s->start);
            fputc(',', out);
            csv_cell(out, s->end);
            fputc(',', out);
            csv_cell(out, s->acc_date);
            fputc(',', out);
            csv_cell(out, s->acc_conclusion);
            fputc(',', out);
            char *q = rpt_quality_text(s->data_quality, s->conflicts);
            csv_cell(out, q ? q : "");
            free(q);
            fputc(',', out);
            /* "verdict: claim; ...": the registry checks in short */
            buf[0] = '\0';
            bl = 0;
            for (size_t k = c0; k < ck; k++) {
                const char *v = eng_verdict_name(checks[k].verdict);
                const char *claim = checks[k].claim ? checks[k].claim : "";
                if (bl + strlen(v) + strlen(claim) + 5 < sizeof buf)
                    bl += (size_t)snprintf(buf + bl, sizeof buf - bl, "%s%s: %s", bl ? "; " : "", v,
                                           claim);
            }
            csv_cell(out, buf);
            fputc('\n', out);
            cJSON_Delete(flags);
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", s->project_id);
        cJSON_AddItemToObject(o, "title",
                              s->title ? cJSON_CreateString(s->title) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "trl_claimed", num_or_null(s->trl_claimed, !s->trl_claimed));
        json_reading(o, "trl_evidenced", "trl_confidence", s->trl_evidenced, s->trl_confidence);
        json_reading(o, "trl_planned", "trl_planned_confidence", s->trl_planned,
                     s->trl_planned_confidence);
        json_reading(o, "trl_stated", "trl_stated_confidence", s->trl_stated,
                     s->trl_stated_confidence);
        cJSON_AddItemToObject(o, "traceability", num_or_null(s->traceability, s->traceability < 0));
        cJSON_AddItemToObject(o, "novelty", num_or_null(s->novelty, s->novelty < 0));
        cJSON_AddItemToObject(o, "overall", num_or_null(s->overall, s->overall < 0));
        if (s->traceability < 0)
            cJSON_AddStringToObject(o, "not_assessable",
                                    "traceability, novelty: nothing to read (no abstract, "
                                    "acceptance summary or indicator)");
        cJSON_AddItemToObject(o, "flags", flags);
        cJSON *dups = cJSON_AddArrayToObject(o, "duplicates");
        for (size_t k = p0; k < sp; k++) {
            const eng_pair *p = &pairs[sides[k].pair];
            cJSON *d = cJSON_CreateObject();
            int is_a = !strcmp(p->a, s->project_id);
            cJSON_AddStringToObject(d, "id", is_a ? p->b : p->a);
            cJSON_AddStringToObject(d, "relation", p->kind ? p->kind : "");
            cJSON_AddNumberToObject(d, "group", (double)p->group);
            /* this project's place: a is the earlier when the order is known */
            cJSON_AddStringToObject(d, "order",
                                    !p->ordered ? "unknown"
                                    : is_a      ? "earlier"
                                                : "later");
            cJSON_AddNumberToObject(d, "jaccard", p->jaccard);
            cJSON_AddNumberToObject(d, "containment", p->containment);
            cJSON_AddItemToArray(dups, d);
        }
        cJSON *ha = cJSON_AddArrayToObject(o, "hits");
        for (size_t k = h0; k < h; k++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "rule", hits[k].rule_id);
            cJSON_AddStringToObject(x, "dimension", hits[k].dimension);
            cJSON_AddStringToObject(x, "field", hits[k].field ? hits[k].field : "");
            cJSON_AddNumberToObject(x, "offset", (double)hits[k].offset);
            cJSON_AddStringToObject(x, "match", hits[k].match ? hits[k].match : "");
            cJSON_AddItemToArray(ha, x);
        }
        cJSON_AddItemToObject(o, "start", str_or_null(s->start));
        cJSON_AddItemToObject(o, "end", str_or_null(s->end));
        cJSON_AddItemToObject(o, "acceptance_date", str_or_null(s->acc_date));
        cJSON_AddItemToObject(o, "acceptance_conclusion", str_or_null(s->acc_conclusion));
        cJSON *dq = s->data_quality ? cJSON_Parse(s->data_quality) : NULL;
        cJSON_AddItemToObject(o, "data_quality", dq ? dq : cJSON_CreateArray());
        cJSON *cf = s->conflicts ? cJSON_Parse(s->conflicts) : NULL;
        cJSON_AddItemToObject(o, "conflicts", cf ? cf : cJSON_CreateArray());
        cJSON *ra = cJSON_AddArrayToObject(o, "registry");
        for (size_t k = c0; k < ck; k++) {
            const eng_reg_check *c = &checks[k];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToObject(x, "indicator", num_or_null(c->indicator, c->indicator < 0));
            cJSON_AddStringToObject(x, "kind", eng_ref_kind_name(c->ref_kind));
            cJSON_AddStringToObject(x, "claim", c->claim ? c->claim : "");
            cJSON_AddStringToObject(x, "verdict", eng_verdict_name(c->verdict));
            cJSON_AddItemToObject(
                x, "registry", c->registry ? cJSON_CreateString(c->registry) : cJSON_CreateNull());
            cJSON_AddItemToObject(x, "entry_code",
                                  c->entry_code ? cJSON_CreateString(c->entry_code)
                                                : cJSON_CreateNull());
            cJSON_AddItemToObject(x, "entry",
                                  c->entry ? cJSON_CreateString(c->entry) : cJSON_CreateNull());
            cJSON_AddStringToObject(x, "evidence", c->evidence ? c->evidence : "");
            cJSON_AddNumberToObject(x, "points", c->points);
            cJSON_AddItemToArray(ra, x);
        }
        char *line = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!line) {
            rc = eng_fail(err, ENG_EIO, "out of memory");
            break;
        }
        fputs(line, out);
        fputc('\n', out);
        free(line);
    }
    if (!rc && (fflush(out) || ferror(out))) {
        int e = errno;
        rc = eng_fail(err, ENG_EIO, "cannot write: %s", e ? strerror(e) : "write error");
    }
done:
    eng_scores_free(sc, nsc);
    eng_hits_free(hits, nhits);
    eng_pairs_free(pairs, npairs);
    eng_reg_checks_free(checks, nchecks);
    free(sides);
    return rc;
}
