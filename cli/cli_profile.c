/*
 * cli_profile.c: --profile, the wall time and peak memory of each stage of a
 * command (import, load, rules, duplicates, store, workbook), printed on
 * stderr for `make bench` and for anyone sizing a machine.
 *
 * The peak is the process's VmHWM from /proc/self/status, reset at the start
 * of each stage by writing 5 to /proc/self/clear_refs (Linux 4.0 and
 * later); where that fails the figure is the peak since the process began,
 * and the line says so.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The peak resident memory in KiB, or -1. */
static long peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Resets the peak to the current resident memory; 0, or -1 when it cannot. */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

void cli_profile_start(cli_ctx *ctx)
{
    if (!ctx->profile)
        return;
    reset_peak();
    ctx->prof_t = now_s();
}

void cli_profile_end(cli_ctx *ctx, const char *stage)
{
    if (!ctx->profile)
        return;
    double t = now_s();
    long kib = peak_kib();
    fprintf(stderr, "vernier: profile: %-10s %8.2f s, peak %6.0f MiB\n", stage, t - ctx->prof_t,
            kib >= 0 ? kib / 1024.0 : -1.0);
    if (reset_peak() < 0)
        fprintf(stderr, "vernier: profile: (the peak cannot be reset here: peaks are since the "
                        "start)\n");
    ctx->prof_t = now_s();
}
