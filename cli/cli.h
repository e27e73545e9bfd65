/*
 * cli: what every subcommand shares — the context of global options, an
 * option parser, opening the store, and printing errors as
 * "vernier: FILE:LINE: what is wrong" with the exit codes of DESIGN.md
 * (0 ok, 1 usage, 2 bad input, 3 internal or I/O).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>

#include "engine/eng_err.h"
#include "engine/eng_store.h"
#include "rules/rule.h"

typedef struct cli_ctx {
    const char *db; /* --db, $VERNIER_DB, or ./vernier.db */
    int quiet;      /* --quiet */
    int jobs;       /* --jobs N; 0 = all cores */
} cli_ctx;

/* An option of a subcommand: --name VALUE (or --name=VALUE) when `value` is
 * set, a flag --name when `flag` is set.  A repeatable option appends to
 * `list`/`nlist` instead (at most 64). */
typedef struct cli_opt {
    const char *name;
    const char **value;
    int *flag;
    const char **list;
    size_t *nlist;
} cli_opt;

/* Parses argv[1..] (argv[0] is the subcommand) against opts (terminated by a
 * {NULL} entry) plus the global options of ctx; positional arguments are
 * collected into pos (at most maxpos).  Prints the problem and returns 1 on a
 * usage error, -1 after printing the usage for --help (exit 0), else 0. */
int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, const char **pos,
              size_t maxpos, size_t *npos, const char *usage);

int cli_open_store(const cli_ctx *ctx, eng_store **st);
/* The same for commands that only read or score: a missing store is an
 * error (exit 2) rather than a new empty file. */
int cli_open_existing(const cli_ctx *ctx, eng_store **st);
/* Loads a rule set, printing every diagnostic; returns 0, or 2 when the set
 * has errors. */
int cli_load_rules(const char *path, int check_speed, rule_set **out);
void cli_print_diag(const rule_diag *d);
/* Parses the options and returns from the calling command on --help or a
 * usage error. */
#define CLI_PARSE(ctx, argc, argv, opts, pos, maxpos, npos, usage)                                 \
    do {                                                                                           \
        int prc_ = cli_parse(ctx, argc, argv, opts, pos, maxpos, npos, usage);                     \
        if (prc_)                                                                                  \
            return prc_ < 0 ? 0 : prc_;                                                            \
    } while (0)
/* Prints err (prefixed "vernier: ") and returns its code. */
int cli_fail(const eng_err *err);
/* Prints "vernier: " + message and the usage, returns 1. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a positive run id ("3"), 0 for NULL.  Returns -1 when malformed. */
long cli_run_id(const char *s);
/* The default rule-set path: $VERNIER_RULES, else rules/default in the
 * working folder, else the installed PREFIX/share/vernier/rules/default
 * beside PREFIX/bin/vernier. */
const char *cli_default_rules(void);

/* Makes a run (shared by score and evaluate): loads the rules, applies
 * --scheme switches, runs, prints a one-line summary unless quiet.  OUT:
 * *run_id.  Returns an exit code. */
int cli_score(cli_ctx *ctx, eng_store *st, const char *rules, const char *name, const char **sw,
              size_t nsw, int no_dups, long *run_id);
int cli_apply_schemes(rule_set *set, const char **sw, size_t n);
/* Imports files one by one (shared by import and evaluate), printing a
 * summary line per file; returns the worst exit code. */
struct imp_options;
int cli_import_files(cli_ctx *ctx, eng_store *st, const char **files, size_t n,
                     const struct imp_options *o);
/* The options of import that evaluate takes too: fills opts (room for 10)
 * and returns how many; cli_import_check then reads the delimiter and checks
 * the combination (prints and returns 1 on a usage error). */
size_t cli_import_opts(struct imp_options *o, const char **delimiter, cli_opt *opts);
int cli_import_check(const char *usage_text, const char *delimiter, struct imp_options *o,
                     size_t nfiles);
/* Writes the workbook(s) of a run (shared by report and evaluate). */
int cli_report(cli_ctx *ctx, eng_store *st, long run, const char *output, const char *lang,
               const char *split_by);

/* Output that appears whole or not at all: cli_output_open gives stdout for
 * NULL or "-", else a temporary file beside path (OUT: *tmp); close with
 * cli_output_close(f, path, tmp, ok), which syncs and renames it into place
 * when ok, or removes it.  Returns an exit code. */
FILE *cli_output_open(const char *path, char **tmp);
int cli_output_close(FILE *f, const char *path, char *tmp, int ok);

/* Subcommands. */
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_score(cli_ctx *ctx, int argc, char **argv);
int cmd_report(cli_ctx *ctx, int argc, char **argv);
int cmd_evaluate(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_explain(cli_ctx *ctx, int argc, char **argv);
int cmd_show(cli_ctx *ctx, int argc, char **argv);
int cmd_stats(cli_ctx *ctx, int argc, char **argv);
int cmd_runs(cli_ctx *ctx, int argc, char **argv);
int cmd_rules(cli_ctx *ctx, int argc, char **argv);
int cmd_search(cli_ctx *ctx, int argc, char **argv);
int cmd_screen(cli_ctx *ctx, int argc, char **argv);
int cmd_decisions(cli_ctx *ctx, int argc, char **argv);
int cmd_diff(cli_ctx *ctx, int argc, char **argv);

#endif
