/*
 * bench_import: imports one file into a store through the library, the way
 * `vernier import` does, and prints one line of figures:
 *   "FILE: rows N, added N, updated N, unchanged N, rejected N, headers N,
 *    seconds S, MB/s M"
 * Usage: bench_import DB FILE [--skip-bad REJECTS] [--dry-run]
 * bench/bench_import.sh times it beside sqlite3 .import; it is also handy
 * when the CLI is not built.  Exit status as the CLI's: 0, 1 usage, 2 bad
 * input, 3 I/O.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "importers/imp_import.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_import DB FILE [--skip-bad REJECTS] [--dry-run]\n");
        return 1;
    }
    imp_options opt;
    memset(&opt, 0, sizeof opt);
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--skip-bad") && i + 1 < argc) {
            opt.skip_bad = 1;
            opt.rejects_path = argv[++i];
        } else if (!strcmp(argv[i], "--dry-run")) {
            opt.dry_run = 1;
        } else {
            fprintf(stderr, "bench_import: unknown option %s\n", argv[i]);
            return 1;
        }
    }
    eng_err err;
    eng_err_clear(&err);
    eng_store *st = NULL;
    if (!opt.dry_run && eng_store_open(argv[1], &st, &err) != ENG_OK) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        return 3;
    }
    double t0 = now();
    imp_result res;
    int rc = imp_import_file(st, argv[2], &opt, &res, &err);
    double secs = now() - t0;
    if (rc != ENG_OK) {
        fprintf(stderr, "bench_import: %s\n", err.msg);
        eng_store_close(st);
        return rc;
    }
    struct stat sb;
    double mb = stat(argv[2], &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    if (opt.dry_run)
        fputs(res.dry_run_text, stdout);
    else
        printf("%s: rows %ld, added %ld, updated %ld, unchanged %ld, rejected %ld, headers %ld, "
               "already %d, seconds %.3f, MB/s %.1f\n",
               argv[2], res.rows, res.counts.added, res.counts.updated, res.counts.unchanged,
               res.counts.rejected, res.counts.skipped_headers, res.already, secs,
               secs > 0 ? mb / secs : 0);
    imp_result_release(&res);
    eng_store_close(st);
    return 0;
}
