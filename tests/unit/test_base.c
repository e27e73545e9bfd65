/*
 * test_base: the growing buffer (appends, printf across the growth,
 * embedded NULs, JSON strings, take and clear) and the worker pool (every
 * slot runs exactly once, whatever jobs is).
 */
#include "base/base_buf.h"
#include "base/base_pool.h"
#include "tests/check.h"

#include <stdatomic.h>
#include <stdlib.h>

static const struct {
    const char *in, *want;
} json_cases[] = {
    {"", "\"\""},
    {"plain", "\"plain\""},
    {"a\"b\\c", "\"a\\\"b\\\\c\""},
    {"tab\there\nnl", "\"tab\\u0009here\\u000anl\""},
    {"\x01\x1f", "\"\\u0001\\u001f\""},
    {"中文 ü", "\"中文 ü\""},
    {NULL, "null"},
};

static void test_buf(void)
{
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        base_buf b = {0};
        CHECK_INT(base_buf_json(&b, json_cases[i].in), 0, "json rc");
        char *s = base_buf_take(&b);
        CHECK_STR(s, json_cases[i].want, "json");
        free(s);
    }

    base_buf b = {0};
    char *empty = base_buf_take(&b);
    CHECK_STR(empty, "", "take of nothing");
    free(empty);

    /* printf across many growths gives the same text as snprintf. */
    char want[64];
    int rc = 0;
    for (int i = 0; i < 2000; i++)
        rc |= base_buf_printf(&b, "%d,", i);
    CHECK_INT(rc, 0, "printf rc");
    size_t n = 0;
    for (int i = 0; i < 2000; i++) {
        int k = snprintf(want, sizeof want, "%d,", i);
        if (strncmp(b.p + n, want, (size_t)k) != 0) {
            CHECK(0, "printf text differs at %d", i);
            break;
        }
        n += (size_t)k;
    }
    CHECK_INT(b.n, n, "printf length");
    CHECK_INT(b.p[b.n], 0, "NUL after printf");

    /* A list of strings, each with its NUL. */
    base_buf_clear(&b);
    CHECK_INT(b.n, 0, "clear");
    base_buf_add(&b, "ab", 3);
    base_buf_cat(&b, "cd");
    base_buf_cat(&b, NULL);
    base_buf_add(&b, NULL, 0);
    CHECK_INT(b.n, 5, "embedded NUL length");
    CHECK(memcmp(b.p, "ab\0cd\0", 6) == 0, "embedded NUL text");
    CHECK_INT(base_buf_reserve(&b, 100000), 0, "reserve");
    CHECK(b.cap >= b.n + 100001, "reserve room");
    CHECK_INT(b.n, 5, "reserve keeps text");
    base_buf_release(&b);
    CHECK(b.p == NULL && b.n == 0 && b.cap == 0, "release empties");

    /* A failed buffer stays failed and takes as NULL. */
    b.oom = 1;
    CHECK_INT(base_buf_cat(&b, "x"), -1, "append after oom");
    CHECK(base_buf_take(&b) == NULL, "take after oom");
    CHECK_INT(b.oom, 0, "take resets");
}

typedef struct pool_ctx {
    atomic_int runs[BASE_POOL_MAX + 1];
    atomic_size_t next;
    size_t n;
    long *out;
} pool_ctx;

static void pool_fn(void *p, int w)
{
    pool_ctx *c = p;
    atomic_fetch_add(&c->runs[w], 1);
    for (;;) {
        size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n)
            break;
        c->out[i] = (long)i * (long)i;
    }
}

static void test_pool(void)
{
    static const int jobs[] = {-3, 0, 1, 2, 3, 7, 64, 65, 1000};
    for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
        pool_ctx c;
        memset(&c, 0, sizeof c);
        c.n = 10000;
        c.out = calloc(c.n, sizeof *c.out);
        int threads = base_pool_run(jobs[k], pool_fn, &c);
        int slots = jobs[k] < 1 ? 1 : jobs[k] > BASE_POOL_MAX ? BASE_POOL_MAX : jobs[k];
        CHECK(threads >= 1 && threads <= slots, "jobs %d: %d threads", jobs[k], threads);
        int once = 1;
        for (int w = 0; w <= BASE_POOL_MAX; w++)
            if (atomic_load(&c.runs[w]) != (w < slots))
                once = 0;
        CHECK(once, "jobs %d: every slot once, no other", jobs[k]);
        size_t bad = 0;
        for (size_t i = 0; i < c.n; i++)
            bad += c.out[i] != (long)i * (long)i;
        CHECK_INT(bad, 0, "pool results");
        free(c.out);
    }
    CHECK(base_pool_ncpu() >= 1 && base_pool_ncpu() <= BASE_POOL_MAX, "ncpu in range");
}

int main(void)
{
    test_buf();
    test_pool();
    return check_done("test_base");
}
