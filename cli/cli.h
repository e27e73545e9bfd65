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
    long wait_ms;   /* --wait SECONDS for another writer, in ms (when wait_set) */
    int wait_set;   /* --wait given; otherwise ENG_STORE_WAIT_MS */
    int profile;    /* --profile: each stage's time and peak memory on stderr */
    double prof_t;  /* when the current stage began (cli_profile.c) */
    char prof_stage[16];
} cli_ctx;

/* --profile (cli_profile.c).  cli_profile_start starts the first stage;
 * cli_profile_end(ctx, stage) ends the current one, naming it `stage`, and
 * prints "vernier: profile: STAGE S s, peak M MiB" (the peak resident
 * memory of the process during the stage, where Linux lets the peak be
 * reset; the peak since the start elsewhere), then starts the next.  Both
 * do nothing without --profile. */
void cli_profile_start(cli_ctx *ctx);
void cli_profile_end(cli_ctx *ctx, const char *stage);

/* Reads --wait's value into ctx; returns 0, or -1 when it is not a number of
 * seconds from 0 to 86400. */
int cli_set_wait(cli_ctx *ctx, const char *v);

/* A command's options are one table of cli_opt rows (name, type, help) from
 * which the parser works and `--help` is printed; write rows with the
 * macros below and end the table with CLI_END:
 *
 *     const cli_opt opts[] = {
 *         CLI_VALUE("run", "N", &run_s, "the run (default: the latest)"),
 *         CLI_FLAG("json", &json, "one JSON object instead of text"),
 *         CLI_END};
 *
 * CLI_VALUE is --name VALUE (or --name=VALUE); `arg` names the value in the
 * help ("N", "FILE.xlsx", "en|zh").  CLI_FLAG is --name, setting *flag to 1.
 * CLI_LIST is a repeatable --name VALUE appended to list/nlist (at most 64).
 * An option named "output" is also -o. */
typedef enum cli_opt_type { CLI_OPT_END, CLI_OPT_VALUE, CLI_OPT_FLAG, CLI_OPT_LIST } cli_opt_type;

typedef struct cli_opt {
    const char *name; /* the long name, without "--" */
    cli_opt_type type;
    const char *arg;  /* the value's name in the help; NULL for a flag */
    const char *help; /* one line for --help */
    const char **value;
    int *flag;
    const char **list;
    size_t *nlist;
} cli_opt;

#define CLI_VALUE(name, arg, value, help)                                                          \
    {                                                                                              \
        (name), CLI_OPT_VALUE, (arg), (help), (value), NULL, NULL, NULL                            \
    }
#define CLI_FLAG(name, flag, help)                                                                 \
    {                                                                                              \
        (name), CLI_OPT_FLAG, NULL, (help), NULL, (flag), NULL, NULL                               \
    }
#define CLI_LIST(name, arg, list, nlist, help)                                                     \
    {                                                                                              \
        (name), CLI_OPT_LIST, (arg), (help), NULL, NULL, (list), (nlist)                           \
    }
#define CLI_END                                                                                    \
    {                                                                                              \
        NULL, CLI_OPT_END, NULL, NULL, NULL, NULL, NULL, NULL                                      \
    }

/* Parses argv[1..] (argv[0] is the subcommand) against opts (terminated by a
 * {NULL} entry) plus the global options of ctx; positional arguments are
 * collected into pos (at most maxpos).  Prints the problem and returns 1 on a
 * usage error, -1 after printing the help for --help (exit 0), else 0. */
int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, const char **pos,
              size_t maxpos, size_t *npos, const char *usage);

int cli_open_store(const cli_ctx *ctx, eng_store **st);
/* The same for commands that only read or score: a missing store is an
 * error (exit 2) rather than a new empty file. */
int cli_open_existing(const cli_ctx *ctx, eng_store **st);
/* Loads a rule set (path NULL: cli_default_rules()), printing every
 * diagnostic; returns 0, or 2 when the set is not found or has errors. */
int cli_load_rules(const char *path, int check_speed, rule_set **out);
/* Prints that the rule set at path (NULL: any default one) was not found,
 * and where it was looked for; returns 2. */
int cli_rules_not_found(const char *path);
void cli_print_diag(const rule_diag *d);
/* Prints the help of a command to f: its usage line, then its options table
 * and the global options, one line each with the help text. */
void cli_print_help(FILE *f, const char *usage, const cli_opt *opts);
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
/* The default rule-set path, found from any working folder: $VERNIER_RULES
 * when set, else rules/default beside the binary (a built source tree),
 * else the installed PREFIX/share/vernier/rules/default of
 * PREFIX/bin/vernier.  NULL when there is none.  The string is static. */
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
/* The options of import that evaluate takes too: fills opts (room for
 * CLI_IMPORT_NOPTS) and returns how many; cli_import_check then reads the delimiter and checks
 * the combination (prints and returns 1 on a usage error). */
#define CLI_IMPORT_NOPTS 12
size_t cli_import_opts(struct imp_options *o, const char **delimiter, cli_opt *opts);
int cli_import_check(const char *usage_text, const char *delimiter, struct imp_options *o,
                     size_t nfiles);
/* Writes the workbook(s) of a run (shared by report and evaluate). */
/* What `report` selects (--where, --top, --by); NULL members: all. */
typedef struct cli_select {
    const char *where, *top, *by;
} cli_select;
int cli_report(cli_ctx *ctx, eng_store *st, long run, const char *output, const char *lang,
               const char *split_by, const cli_select *sel);

/* Output that appears whole or not at all: cli_output_open gives stdout for
 * NULL or "-", else a temporary file beside path (OUT: *tmp), mode 0666 less
 * the umask as any new file; close with
 * cli_output_close(f, path, tmp, ok), which syncs and renames it into place
 * when ok, or removes it.  Returns an exit code. */
FILE *cli_output_open(const char *path, char **tmp);
int cli_output_close(FILE *f, const char *path, char *tmp, int ok);

/* Subcommands. */
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_score(cli_ctx *ctx, int argc, char **argv);
int cmd_calibrate(cli_ctx *ctx, int argc, char **argv);
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
int cmd_registry(cli_ctx *ctx, int argc, char **argv);

#endif
