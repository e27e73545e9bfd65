/* cli_util: option parsing, errors and the store for every subcommand (cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/eng_tmp.h"

int cli_fail(const eng_err *err)
{
    fprintf(stderr, "vernier: %s\n", err->msg[0] ? err->msg : "failed");
    return err->code ? err->code : 3;
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fputs("vernier: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (usage)
        fprintf(stderr, "usage: %s\n", usage);
    return 1;
}

static int take_value(const char *arg, const char *name, int argc, char **argv, int *i,
                      const char **out, const char *usage)
{
    size_t n = strlen(name);
    if (arg[n] == '=') {
        *out = arg + n + 1;
        return 0;
    }
    if (*i + 1 >= argc)
        return cli_usage_error(usage, "option --%s needs a value", name);
    *out = argv[++*i];
    return 0;
}

int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, const char **pos,
              size_t maxpos, size_t *npos, const char *usage)
{
    *npos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] != '-' || a[2] == '\0') {
            if (!only_pos && !strcmp(a, "--")) {
                only_pos = 1;
                continue;
            }
            if (!only_pos && a[0] == '-' && a[1] != '\0' && strcmp(a, "-") && a[1] != '-') {
                if (!strcmp(a, "-o")) { /* the one short option: -o FILE */
                    for (const cli_opt *o = opts; o && o->name; o++)
                        if (!strcmp(o->name, "output") && o->type == CLI_OPT_VALUE) {
                            if (i + 1 >= argc)
                                return cli_usage_error(usage, "option -o needs a value");
                            *o->value = argv[++i];
                            goto next;
                        }
                }
                if (!strcmp(a, "-q")) {
                    ctx->quiet = 1;
                    continue;
                }
                return cli_usage_error(usage, "unknown option %s", a);
            }
            if (*npos >= maxpos)
                return cli_usage_error(usage, "too many arguments (at \"%s\")", a);
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--help")) {
            cli_print_help(stdout, usage, opts);
            return -1;
        }
        const char *name = a + 2;
        size_t nl = strcspn(name, "=");
        const char *v = NULL;
        if (!strncmp(name, "db", nl) && nl == 2) {
            if (take_value(name, "db", argc, argv, &i, &v, usage))
                return 1;
            ctx->db = v;
            continue;
        }
        if (!strncmp(name, "jobs", nl) && nl == 4) {
            if (take_value(name, "jobs", argc, argv, &i, &v, usage))
                return 1;
            char *end;
            long j = strtol(v, &end, 10);
            if (*end || j < 1 || j > 64)
                return cli_usage_error(usage, "--jobs takes a number from 1 to 64, got \"%s\"", v);
            ctx->jobs = (int)j;
            continue;
        }
        if (!strncmp(name, "wait", nl) && nl == 4) {
            if (take_value(name, "wait", argc, argv, &i, &v, usage))
                return 1;
            if (cli_set_wait(ctx, v))
                return cli_usage_error(usage, "--wait takes seconds from 0 to 86400, got \"%s\"",
                                       v);
            continue;
        }
        if (!strncmp(name, "quiet", nl) && nl == 5) {
            ctx->quiet = 1;
            continue;
        }
        if (!strncmp(name, "profile", nl) && nl == 7) {
            if (!ctx->profile) {
                ctx->profile = 1;
                cli_profile_start(ctx);
            }
            continue;
        }
        const cli_opt *o = opts;
        for (; o && o->name; o++)
            if (strlen(o->name) == nl && !strncmp(o->name, name, nl))
                break;
        if (!o || !o->name)
            return cli_usage_error(usage, "unknown option --%.*s", (int)nl, name);
        if (o->type == CLI_OPT_FLAG) {
            if (name[nl] == '=')
                return cli_usage_error(usage, "option --%s takes no value", o->name);
            *o->flag = 1;
        } else if (o->type == CLI_OPT_LIST) {
            if (take_value(name, o->name, argc, argv, &i, &v, usage))
                return 1;
            if (*o->nlist >= 64)
                return cli_usage_error(usage, "option --%s given too often", o->name);
            o->list[(*o->nlist)++] = v;
        } else {
            if (take_value(name, o->name, argc, argv, &i, o->value, usage))
                return 1;
        }
    next:;
    }
    return 0;
}

/* The global options, printed after every command's own. */
static const cli_opt global_opts[] = {
    CLI_VALUE("db", "FILE", NULL, "the store (default ./vernier.db, or $VERNIER_DB)"),
    CLI_VALUE("jobs", "N", NULL, "worker threads, 1 to 64 (default: every core)"),
    CLI_VALUE("wait", "SECONDS", NULL,
              "how long a writer waits for another vernier writing to the store (600)"),
    CLI_FLAG("quiet", NULL, "no progress or summary lines on stderr (also -q)"),
    CLI_FLAG("profile", NULL, "each stage's time and peak memory on stderr"),
    CLI_FLAG("help", NULL, "this help"),
    CLI_END};

static void print_opts(FILE *f, const cli_opt *opts)
{
    for (const cli_opt *o = opts; o && o->name; o++) {
        char head[96];
        int dash_o = !strcmp(o->name, "output") && o->type == CLI_OPT_VALUE;
        snprintf(head, sizeof head, "%s--%s%s%s%s", dash_o ? "-o, " : "", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "", o->type == CLI_OPT_LIST ? "..." : "");
        if (strlen(head) > 26)
            fprintf(f, "  %s\n  %-26s %s\n", head, "", o->help ? o->help : "");
        else
            fprintf(f, "  %-26s %s\n", head, o->help ? o->help : "");
    }
}

void cli_print_help(FILE *f, const char *usage, const cli_opt *opts)
{
    fprintf(f, "usage: %s\n", usage);
    if (opts && opts->name) {
        fprintf(f, "\noptions:\n");
        print_opts(f, opts);
    }
    fprintf(f, "\nglobal options:\n");
    print_opts(f, global_opts);
}

/* The folder of the running binary, or "" when it cannot be known. */
static const char *exe_dir(void)
{
    static char dir[4000];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        dir[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            dir[0] = '\0';
    }
    return dir;
}

/* The places a default rule set is looked for, in order (after
 * $VERNIER_RULES): beside the binary (a built tree), one folder up (a binary
 * built into a folder of the tree, like make asan's build-asan/vernier), then
 * installed. */
#define NCANDIDATES 3
static int default_candidates(char out[NCANDIDATES][4200])
{
    const char *dir = exe_dir();
    if (!*dir)
        return 0;
    snprintf(out[0], sizeof out[0], "%s/rules/default", dir);
    snprintf(out[1], sizeof out[1], "%s/../rules/default", dir);
    snprintf(out[2], sizeof out[2], "%s/../share/vernier/rules/default", dir);
    return NCANDIDATES;
}

static int rules_exist(const char *path)
{
    return access(path, F_OK) == 0;
}

int cli_rules_not_found(const char *path)
{
    if (path) {
        const char *env = getenv("VERNIER_RULES");
        fprintf(stderr, "vernier: %s: rule set not found (no such file or folder)%s\n", path,
                env && !strcmp(env, path) ? "; it is named by VERNIER_RULES" : "");
        return 2;
    }
    char c[NCANDIDATES][4200];
    int n = default_candidates(c);
    fprintf(stderr, "vernier: no rule set found: VERNIER_RULES is not set");
    for (int i = 0; i < n; i++)
        fprintf(stderr, ", no %s", c[i]);
    fprintf(stderr, "; name one with --rules PATH or VERNIER_RULES\n");
    return 2;
}

int cli_load_rules(const char *path, int check_speed, rule_set **out)
{
    if (!path)
        path = cli_default_rules();
    if (!path || !rules_exist(path))
        return cli_rules_not_found(path);
    rule_diags d = {0};
    rule_set *set = rule_set_load(path, check_speed, &d);
    for (size_t i = 0; i < d.n; i++)
        cli_print_diag(&d.v[i]);
    rule_diags_free(&d);
    if (!set) {
        fprintf(stderr, "vernier: %s: the rule set has errors; nothing was loaded\n", path);
        return 2;
    }
    *out = set;
    return 0;
}

void cli_print_diag(const rule_diag *g)
{
    fprintf(stderr, "vernier: ");
    if (g->file[0]) {
        fprintf(stderr, "%s", g->file);
        if (g->line)
            fprintf(stderr, ":%d", g->line);
        if (g->col)
            fprintf(stderr, ":%d", g->col);
        fprintf(stderr, ": ");
    }
    fprintf(stderr, "%s", g->severity == RULE_ERROR ? "error: " : "warning: ");
    if (g->rule_id[0])
        fprintf(stderr, "rule %s: ", g->rule_id);
    fprintf(stderr, "%s", g->msg);
    if (g->hint[0])
        fprintf(stderr, " (hint: %s)", g->hint);
    fputc('\n', stderr);
}

int cli_open_existing(const cli_ctx *ctx, eng_store **st)
{
    if (access(ctx->db, F_OK) != 0) {
        fprintf(stderr,
                "vernier: %s: no store here (import records first, or name the store with "
                "--db FILE or VERNIER_DB)\n",
                ctx->db);
        return 2;
    }
    return cli_open_store(ctx, st);
}

int cli_set_wait(cli_ctx *ctx, const char *v)
{
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (end == v || *end || errno || !(s >= 0 && s <= 86400))
        return -1;
    ctx->wait_ms = (long)(s * 1000 + 0.5);
    ctx->wait_set = 1;
    return 0;
}

/* The wait notice: on a terminal only, unless --quiet. */
static void tell_wait(void *arg, const char *path, long wait_ms)
{
    const cli_ctx *ctx = arg;
    if (ctx->quiet || !isatty(STDERR_FILENO))
        return;
    fprintf(stderr,
            "vernier: %s: another vernier is writing to the store; waiting for it (up to %ld s, "
            "--wait SECONDS)\n",
            path, (wait_ms + 999) / 1000);
}

int cli_open_store(const cli_ctx *ctx, eng_store **st)
{
    eng_err err;
    eng_err_clear(&err);
    eng_store_opt opt = {ctx->wait_set ? ctx->wait_ms : -1, tell_wait, (void *)ctx};
    if (eng_store_open_opt(ctx->db, &opt, st, &err))
        return cli_fail(&err);
    return 0;
}

long cli_run_id(const char *s)
{
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < 1)
        return -1;
    return v;
}

const char *cli_default_rules(void)
{
    const char *env = getenv("VERNIER_RULES");
    if (env && *env)
        return env;
    static char c[NCANDIDATES][4200];
    int n = default_candidates(c);
    for (int i = 0; i < n; i++) {
        char set[4300];
        if (snprintf(set, sizeof set, "%s/set.json", c[i]) >= (int)sizeof set)
            continue;
        if (access(set, R_OK) == 0)
            return c[i];
    }
    return NULL;
}

FILE *cli_output_open(const char *path, char **tmp)
{
    *tmp = NULL;
    if (!path || !strcmp(path, "-"))
        return stdout;
    eng_err err;
    eng_err_clear(&err);
    int fd;
    eng_tmp_clean(path);
    if (eng_tmp_create(path, tmp, &fd, &err)) {
        fprintf(stderr, "vernier: %s\n", err.msg);
        return NULL;
    }
    /* mkstemp makes the file private; an export is an ordinary file. */
    mode_t um = umask(0);
    umask(um);
    FILE *f = fchmod(fd, 0666 & ~um) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "vernier: %s: cannot write: %s\n", path, strerror(errno));
        close(fd);
        unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
        return NULL;
    }
    return f;
}

int cli_output_close(FILE *f, const char *path, char *tmp, int ok)
{
    if (f == stdout) {
        if (fflush(stdout) != 0)
            ok = 0;
        return ok ? 0 : 3;
    }
    int bad = !ok;
    if (!bad && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
        fprintf(stderr, "vernier: %s: cannot write: %s\n", path, strerror(errno));
        bad = 1;
    }
    if (!bad && rename(tmp, path) != 0) {
        fprintf(stderr, "vernier: %s: cannot write: %s\n", path, strerror(errno));
        bad = 1;
    }
    if (bad)
        unlink(tmp);
    fclose(f); /* only now: its descriptor holds the temporary file's lock (eng_tmp) */
    free(tmp);
    return bad ? 3 : 0;
}
