/* cmd_import: `vernier import FILE...` — load records into the store, one
 * transaction per file; re-importing a file changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "importers/imp_import.h"

static const char usage[] =
    "vernier import FILE... [--source NAME] [--map MAP.json] [--encoding NAME] "
    "[--delimiter C] [--sheet NAME] [--indicators FILE] [--skip-bad] [--rejects FILE] [--dry-run] "
    "[--id-prefix P] [--kind project|proposal|prior-art] [--strict] [--replace]";

int cli_import_files(cli_ctx *ctx, eng_store *st, const char **files, size_t n,
                     const imp_options *o)
{
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        imp_result res;
        memset(&res, 0, sizeof res);
        eng_err err;
        eng_err_clear(&err);
        int rc = imp_import_file(st, files[i], o, &res, &err);
        if (rc) {
            cli_fail(&err);
            if (rc > worst)
                worst = rc;
            imp_result_release(&res);
            continue;
        }
        if (o->dry_run) {
            fputs(res.dry_run_text ? res.dry_run_text : "", stdout);
        } else if (res.already) {
            if (!ctx->quiet)
                fprintf(stderr, "vernier: %s: already imported (import #%ld): nothing changed\n",
                        files[i], res.import_id);
        } else if (!ctx->quiet) {
            fprintf(stderr,
                    "vernier: %s: %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected",
                    files[i], res.rows, res.counts.added, res.counts.updated, res.counts.unchanged,
                    res.counts.rejected);
            if (res.counts.skipped_headers)
                fprintf(stderr, ", %ld repeated header rows skipped", res.counts.skipped_headers);
            if (res.counts.versions)
                fprintf(stderr, ", %ld versions merged (%ld conflicting fields)",
                        res.counts.versions, res.counts.conflicts);
            if (res.quality_marks)
                fprintf(stderr, ", %ld values kept as data-quality marks", res.quality_marks);
            if (res.derived_ids)
                fprintf(stderr, ", %ld ids derived", res.derived_ids);
            fprintf(stderr, "\n");
            if (res.derived_ids) {
                fprintf(stderr,
                        "vernier: %s: rows without an id, given one (source + content hash):\n%s",
                        files[i], res.derived_list ? res.derived_list : "");
                if (res.derived_ids > IMP_DERIVED_LISTED)
                    fprintf(stderr, "  ... and %ld more (each has \"id_derived\": true)\n",
                            res.derived_ids - IMP_DERIVED_LISTED);
            }
            if (res.rejects_path)
                fprintf(stderr, "vernier: %s: rejected rows and their reasons are in %s\n",
                        files[i], res.rejects_path);
        }
        imp_result_release(&res);
    }
    cli_profile_end(ctx, "import");
    return worst;
}

size_t cli_import_opts(imp_options *o, const char **delimiter, cli_opt *opts)
{
    const cli_opt t[CLI_IMPORT_NOPTS] = {
        CLI_VALUE("source", "NAME", &o->source, "the source recorded with each record"),
        CLI_VALUE("map", "MAP.json", &o->map_path, "column names mapped to fields"),
        CLI_VALUE("encoding", "NAME", &o->encoding, "the file's encoding (default: detected)"),
        CLI_VALUE("delimiter", "C", delimiter, "the CSV delimiter: one character or tab"),
        CLI_VALUE("sheet", "NAME", &o->sheet, "the XLSX sheet (default: the first)"),
        CLI_VALUE("indicators", "FILE", &o->indicators_path,
                  "the projects' indicators in long format (one projects file)"),
        CLI_FLAG("skip-bad", &o->skip_bad, "store the good rows, set the bad ones aside"),
        CLI_VALUE("rejects", "FILE", &o->rejects_path, "with --skip-bad: write the bad rows here"),
        CLI_VALUE("id-prefix", "P", &o->id_prefix, "put P before every record id"),
        CLI_VALUE("kind", "KIND", &o->kind, "project, proposal or prior-art (default project)"),
        CLI_FLAG("strict", &o->strict,
                 "refuse a repeated id (default: rows sharing an id are versions, merged)"),
        CLI_FLAG("replace", &o->replace,
                 "a record replaces the stored one even when it empties fields or changes "
                 "the source")};
    memcpy(opts, t, sizeof t);
    return sizeof t / sizeof t[0];
}

int cli_import_check(const char *usage_text, const char *delimiter, imp_options *o, size_t nfiles)
{
    if (delimiter) {
        if (!strcmp(delimiter, "tab") || !strcmp(delimiter, "\\t") || !strcmp(delimiter, "TAB"))
            o->delimiter = '\t';
        else if (strlen(delimiter) == 1 && delimiter[0] != '"' && delimiter[0] != '\n')
            o->delimiter = delimiter[0];
        else
            return cli_usage_error(usage_text, "--delimiter takes one character or tab, got \"%s\"",
                                   delimiter);
    }
    if (o->indicators_path && nfiles > 1)
        return cli_usage_error(usage_text, "--indicators goes with one projects file");
    return 0;
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    imp_options o;
    memset(&o, 0, sizeof o);
    const char *delimiter = NULL;
    cli_opt opts[CLI_IMPORT_NOPTS + 2];
    size_t k = cli_import_opts(&o, &delimiter, opts);
    opts[k++] = (cli_opt)CLI_FLAG("dry-run", &o.dry_run,
                                  "show the column mapping, row count and first errors; store "
                                  "nothing");
    opts[k] = (cli_opt)CLI_END;
    const char *files[256];
    size_t n;
    CLI_PARSE(ctx, argc, argv, opts, files, 256, &n, usage);
    if (!n)
        return cli_usage_error(usage, "import: which files? give one or more");
    if (cli_import_check(usage, delimiter, &o, n))
        return 1;
    eng_store *st;
    int rc = cli_open_store(ctx, &st);
    if (rc)
        return rc;
    rc = cli_import_files(ctx, st, files, n, &o);
    eng_store_close(st);
    return rc;
}
