/*
 * check.h: the tiny test helper every unit test uses.
 *
 * CHECK(cond, fmt, ...) counts a pass or prints the failure with its place;
 * CHECK_STR / CHECK_INT compare and print both sides.  check_done() prints
 * "test_name: N passed, N failed" (tests/run.sh sums these lines) and
 * returns the exit status.  Tests are tables of cases walked in a loop.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want, what)                                                                 \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK(g_ &&w_ ? strcmp(g_, w_) == 0 : g_ == w_, "%s: got \"%s\", want \"%s\"", (what),     \
              g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                             \
    } while (0)

#define CHECK_INT(got, want, what)                                                                 \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        CHECK(g_ == w_, "%s: got %lld, want %lld", (what), g_, w_);                                \
    } while (0)

static inline int check_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
