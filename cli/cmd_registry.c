/* cmd_registry: `vernier registry import|list|show` — the registries that
 * traceability claims are checked against (laboratories, CMCs, standards,
 * reference materials), each version identified by its content hash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/base_buf.h"
#include "engine/eng_registry.h"
#include "importers/imp_registry.h"

static const char usage[] =
    "vernier registry import FILE --kind lab|cmc|standard|crm [--name NAME] [--sheet S]\n"
    "                        [--encoding E] [--delimiter D]\n"
    "       vernier registry list [--json]\n"
    "       vernier registry show NAME|ID [--code CODE] [--json]";

static int do_import(cli_ctx *ctx, const char *file, const char *kind_s, const char *name,
                     const char *sheet, const char *encoding, const char *delim)
{
    imp_reg_options o = {0};
    o.kind = eng_reg_kind_parse(kind_s);
    if (!kind_s)
        return cli_usage_error(usage, "registry import: say which kind of registry with --kind");
    if (!o.kind)
        return cli_usage_error(usage, "--kind must be lab, cmc, standard or crm, not \"%s\"",
                               kind_s);
    if (delim && strlen(delim) != 1 && strcmp(delim, "\\t") && strcmp(delim, "tab"))
        return cli_usage_error(usage, "--delimiter takes one character, got \"%s\"", delim);
    o.name = name;
    o.sheet = sheet;
    o.encoding = encoding;
    o.delimiter = delim ? (delim[0] == '\\' || !strcmp(delim, "tab") ? '\t' : delim[0]) : 0;
    eng_store *st;
    int rc = cli_open_store(ctx, &st);
    if (rc)
        return rc;
    imp_reg_result res;
    eng_err err;
    eng_err_clear(&err);
    rc = imp_registry_import(st, file, &o, &res, &err);
    eng_store_close(st);
    if (rc) {
        imp_reg_result_release(&res);
        return cli_fail(&err);
    }
    printf("%ld\n", res.id);
    if (!ctx->quiet) {
        fprintf(stderr, "vernier: %s: %s registry '%s', %zu entries, version %.12s%s\n", file,
                kind_s, res.name, res.entries, res.sha256,
                res.already ? ": the same entries were imported before, nothing changed" : "");
        if (res.ignored)
            fprintf(stderr, "vernier: %s: columns not used: %s\n", file, res.ignored);
    }
    imp_reg_result_release(&res);
    return 0;
}

static void json_info(base_buf *b, const eng_reg_info *ri)
{
    char buf[64];
    snprintf(buf, sizeof buf, "{\"id\":%ld,\"kind\":", ri->id);
    base_buf_cat(b, buf);
    base_buf_json(b, eng_reg_kind_name(ri->kind));
    base_buf_cat(b, ",\"name\":");
    base_buf_json(b, ri->name);
    base_buf_cat(b, ",\"sha256\":");
    base_buf_json(b, ri->sha256);
    snprintf(buf, sizeof buf, ",\"entries\":%ld,\"active\":%s,\"file\":", ri->entries,
             ri->active ? "true" : "false");
    base_buf_cat(b, buf);
    base_buf_json(b, ri->file);
    base_buf_cat(b, ",\"imported_at\":");
    base_buf_json(b, ri->imported_at);
    base_buf_cat(b, "}");
}

static int do_list(cli_ctx *ctx, int json)
{
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_reg_info *v = NULL;
    size_t n = 0;
    eng_err err;
    eng_err_clear(&err);
    rc = eng_store_reg_list(st, &v, &n, &err);
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    base_buf b = {0};
    if (json)
        base_buf_cat(&b, "[");
    else if (!n)
        base_buf_cat(&b,
                     "no registries yet: `vernier registry import FILE --kind ...` loads one\n");
    for (size_t i = 0; i < n; i++) {
        if (json) {
            base_buf_cat(&b, i ? "," : "");
            json_info(&b, &v[i]);
            continue;
        }
        char line[512];
        snprintf(line, sizeof line, "%4ld  %-8s %-24s %7ld entries  sha256 %.12s  %s  %s%s\n",
                 v[i].id, eng_reg_kind_name(v[i].kind), v[i].name, v[i].entries, v[i].sha256,
                 v[i].imported_at, v[i].file ? v[i].file : "", v[i].active ? "" : "  (superseded)");
        base_buf_cat(&b, line);
    }
    if (json)
        base_buf_cat(&b, "]\n");
    eng_reg_infos_free(v, n);
    if (b.oom) {
        free(b.p);
        fprintf(stderr, "vernier: out of memory\n");
        return 3;
    }
    fputs(b.p ? b.p : "", stdout);
    free(b.p);
    return 0;
}

static void json_num(base_buf *b, const char *key, double v)
{
    char buf[64];
    base_buf_cat(b, ",\"");
    base_buf_cat(b, key);
    base_buf_cat(b, "\":");
    if (isnan(v))
        snprintf(buf, sizeof buf, "null");
    else
        snprintf(buf, sizeof buf, "%.15g", v);
    base_buf_cat(b, buf);
}

static void json_str(base_buf *b, const char *key, const char *v)
{
    base_buf_cat(b, ",\"");
    base_buf_cat(b, key);
    base_buf_cat(b, "\":");
    base_buf_json(b, v);
}

static void show_entry(base_buf *b, const eng_reg_entry *e, int json)
{
    if (json) {
        base_buf_cat(b, "{\"code\":");
        base_buf_json(b, e->code);
        json_str(b, "name", e->name);
        json_str(b, "holder", e->holder);
        json_str(b, "aliases", e->aliases);
        json_str(b, "country", e->country);
        json_str(b, "quantity", e->quantity);
        json_str(b, "scope", e->scope);
        json_num(b, "range_min", e->range_min);
        json_num(b, "range_max", e->range_max);
        json_str(b, "unit", e->unit);
        json_num(b, "uncertainty", e->uncertainty);
        json_str(b, "unc_unit", e->unc_unit);
        json_num(b, "k", e->k);
        json_str(b, "valid_from", e->valid_from);
        json_str(b, "valid_to", e->valid_to);
        json_str(b, "status", e->status);
        json_str(b, "source", e->source);
        char buf[32];
        snprintf(buf, sizeof buf, ",\"line\":%ld}", e->line);
        base_buf_cat(b, buf);
        return;
    }
    const char *labels[] = {"name",  "holder",     "aliases",  "country", "quantity",
                            "scope", "valid_from", "valid_to", "status",  "source"};
    const char *vals[] = {e->name,  e->holder,     e->aliases,  e->country, e->quantity,
                          e->scope, e->valid_from, e->valid_to, e->status,  e->source};
    char buf[160];
    snprintf(buf, sizeof buf, "%s  (line %ld)\n", e->code, e->line);
    base_buf_cat(b, buf);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        if (vals[i]) {
            snprintf(buf, sizeof buf, "    %-11s ", labels[i]);
            base_buf_cat(b, buf);
            base_buf_cat(b, vals[i]);
            base_buf_cat(b, "\n");
        }
    if (!isnan(e->range_min) || !isnan(e->range_max)) {
        snprintf(buf, sizeof buf, "    %-11s %.6g to %.6g %s\n", "range", e->range_min,
                 e->range_max, e->unit ? e->unit : "");
        base_buf_cat(b, buf);
    } else if (e->unit) {
        snprintf(buf, sizeof buf, "    %-11s %s\n", "unit", e->unit);
        base_buf_cat(b, buf);
    }
    if (!isnan(e->uncertainty)) {
        snprintf(buf, sizeof buf, "    %-11s U = %.6g %s", "uncertainty", e->uncertainty,
                 e->unc_unit ? e->unc_unit
                 : e->unit   ? e->unit
                             : "");
        base_buf_cat(b, buf);
        if (!isnan(e->k)) {
            snprintf(buf, sizeof buf, " (k = %g)", e->k);
            base_buf_cat(b, buf);
        }
        base_buf_cat(b, "\n");
    }
}

static int do_show(cli_ctx *ctx, const char *what, const char *code, int json)
{
    char *end;
    long id = strtol(what, &end, 10);
    if (*end || id <= 0)
        id = 0;
    eng_store *st;
    int rc = cli_open_existing(ctx, &st);
    if (rc)
        return rc;
    eng_err err;
    eng_err_clear(&err);
    eng_reg_info ri;
    eng_reg_entry *v = NULL;
    size_t n = 0;
    rc = eng_store_reg_get(st, id, what, &ri, &err);
    if (!rc) {
        rc = eng_store_reg_entries(st, ri.id, code, &v, &n, &err);
        if (rc)
            eng_reg_info_release(&ri);
    }
    eng_store_close(st);
    if (rc)
        return cli_fail(&err);
    if (code && !n) {
        eng_fail(&err, ENG_EINPUT, "no entry '%s' in registry '%s' (version %.12s)", code, ri.name,
                 ri.sha256);
        eng_reg_info_release(&ri);
        return cli_fail(&err);
    }
    base_buf b = {0};
    if (json) {
        base_buf_cat(&b, "{\"registry\":");
        json_info(&b, &ri);
        base_buf_cat(&b, ",\"entries\":[");
    } else {
        char buf[512];
        snprintf(buf, sizeof buf,
                 "registry %ld: %s '%s', %ld entries\nsha256 %s\nimported %s from %s%s\n\n", ri.id,
                 eng_reg_kind_name(ri.kind), ri.name, ri.entries, ri.sha256, ri.imported_at,
                 ri.file ? ri.file : "?", ri.active ? "" : " (superseded by a later version)");
        base_buf_cat(&b, buf);
    }
    for (size_t i = 0; i < n; i++) {
        if (json && i)
            base_buf_cat(&b, ",");
        show_entry(&b, &v[i], json);
    }
    if (json)
        base_buf_cat(&b, "]}\n");
    eng_reg_entries_free(v, n);
    eng_reg_info_release(&ri);
    if (b.oom) {
        free(b.p);
        fprintf(stderr, "vernier: out of memory\n");
        return 3;
    }
    fputs(b.p, stdout);
    free(b.p);
    return 0;
}

int cmd_registry(cli_ctx *ctx, int argc, char **argv)
{
    const char *kind = NULL, *name = NULL, *sheet = NULL, *encoding = NULL, *delim = NULL,
               *code = NULL;
    int json = 0;
    const cli_opt opts[] = {
        CLI_VALUE("kind", "lab|cmc|standard|crm", &kind, "import: the kind of registry"),
        CLI_VALUE("name", "NAME", &name, "import: the registry's name (default: the file's)"),
        CLI_VALUE("sheet", "SHEET", &sheet, "import: the sheet of an .xlsx (default: the first)"),
        CLI_VALUE("encoding", "ENC", &encoding, "import: the CSV's encoding (default: detected)"),
        CLI_VALUE("delimiter", "C", &delim, "import: the CSV's delimiter (default: detected)"),
        CLI_VALUE("code", "CODE", &code, "show: only the entries with this code"),
        CLI_FLAG("json", &json, "list, show: JSON instead of text"),
        CLI_END};
    const char *pos[8];
    size_t npos;
    CLI_PARSE(ctx, argc, argv, opts, pos, 8, &npos, usage);
    if (npos < 1)
        return cli_usage_error(usage, "registry: say import, list or show");
    if (!strcmp(pos[0], "import")) {
        if (npos != 2)
            return cli_usage_error(usage, "registry import: one file at a time");
        return do_import(ctx, pos[1], kind, name, sheet, encoding, delim);
    }
    if (!strcmp(pos[0], "list")) {
        if (npos != 1)
            return cli_usage_error(usage, "registry list takes no arguments");
        return do_list(ctx, json);
    }
    if (!strcmp(pos[0], "show")) {
        if (npos != 2)
            return cli_usage_error(usage, "registry show: which registry (name or id)?");
        return do_show(ctx, pos[1], code, json);
    }
    return cli_usage_error(usage, "registry: unknown action '%s' (import, list or show)", pos[0]);
}
